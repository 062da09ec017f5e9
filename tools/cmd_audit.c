/* cmd_audit.c: certmint audit verify (the hash chain against the signer's signed checkpoints) and audit checkpoint (have the signer sign the chain head). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_signed.h"
#include "cli.h"

static const char audit_usage[] =
    "usage: certmint audit verify\n"
    "       certmint audit checkpoint\n"
    "\n"
    "verify recomputes the audit log's hash chain and checks it against every\n"
    "checkpoint the signer signed (the signer's key, not the database, vouches\n"
    "for them). It prints one line and exits 0 only when all is well:\n"
    "  audit chain intact (N rows; signed checkpoint at row M of TIME matches)\n"
    "  audit chain broken at row N\n"
    "  row N rewritten (chain hash differs from signed checkpoint at N; ...)\n"
    "  rows N..M missing (signed checkpoint at M, log ends at N-1)\n"
    "When the signer cannot be asked, the chain alone is checked, and the exit\n"
    "status is 1 all the same.\n"
    "\n"
    "checkpoint has the signer sign the current chain head (row count and hash),\n"
    "as programs do after every [audit] checkpoint_every rows; run it on a\n"
    "schedule (certmint-audit-checkpoint.timer). The signer refuses a head\n"
    "below its latest checkpoint, or the same row with another hash: exit 2.\n";

static int
verify(struct cli *c)
{
	struct cm_checkpoint *cps = NULL;
	struct cm_audit_verdict v;
	size_t n = 0;
	char err[512], cperr[512], line[512];
	int have = 1, rc = CLI_FAIL;

	if (cm_audit_fetch_checkpoints(c->set.signer_socket, (int)c->set.signer_timeout_ms,
	    &cps, &n, cperr, sizeof(cperr)) < 0)
		have = 0;
	if (cm_audit_verify_signed(c->db, cps, n, &v, err, sizeof(err)) < 0) {
		cli_error("audit verify: %s", err);
		goto out;
	}
	cm_audit_verdict_text(&v, line, sizeof(line));
	printf("%s\n", line);
	if (!have) {
		cli_error("signed checkpoints not checked: %s", cperr);
		goto out;
	}
	if (v.state == CM_AUDIT_INTACT)
		rc = CLI_OK;
out:
	free(cps);
	return rc;
}

static int
checkpoint(struct cli *c)
{
	struct cm_checkpoint cp;
	char err[512], when[32];
	int r;

	r = cm_audit_checkpoint_now(c->db, c->set.signer_socket, (int)c->set.signer_timeout_ms,
	    &cp, err, sizeof(err));
	switch (r) {
	case 0:
		cm_checkpoint_time(cp.at, when);
		printf("signed checkpoint at row %" PRId64 " (%s)\n", cp.id, when);
		return CLI_OK;
	case 2:
		printf("nothing to checkpoint: the audit log is empty\n");
		return CLI_OK;
	case 1:
		cli_error("the signer refused the checkpoint: %s", err);
		return CLI_REFUSED;
	default:
		cli_error("audit checkpoint: %s", err);
		return CLI_FAIL;
	}
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(audit_usage, stdout);
		return CLI_OK;
	}
	if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
		fputs(audit_usage, stdout);
		return CLI_OK;
	}
	if (argc != 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "checkpoint") != 0)) {
		fputs(audit_usage, stderr);
		return CLI_FAIL;
	}
	if (cli_db(c) < 0)
		return CLI_FAIL;
	return strcmp(argv[1], "verify") == 0 ? verify(c) : checkpoint(c);
}
