/* cmd_status.c: certmint status (health checks: database and schema, signer, CA). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "migrate.h"

static const char status_usage[] =
    "usage: certmint status\n"
    "\n"
    "Checks that the database is reachable and its schema applied, that the\n"
    "signer answers and holds a CA (subject and expiry), and counts\n"
    "certificates by status. Exit status 1 when something is down.\n";


/* Handles the only option these commands have. 1 when the caller should
 * return *rc now. */
static int
only_help(int argc, char **argv, const char *usage, int *rc)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			*rc = CLI_OK;
		} else {
			fputs(usage, stderr);
			*rc = CLI_FAIL;
		}
		return 1;
	}
	if (optind != argc) {
		fputs(usage, stderr);
		*rc = CLI_FAIL;
		return 1;
	}
	return 0;
}

static int
db_status(struct cli *c)
{
	char err[512];
	struct cm_stmt *st = NULL;
	long version, pending = 0;
	int r, n = 0, bad = 1;

	if (cm_db_connect(&c->db, &c->set, err, sizeof(err)) < 0) {
		printf("database: DOWN (%s)\n", err);
		return 1;
	}
	version = cli_schema_version(c->db);
	if (version <= 0) {
		printf("database: up, schema not applied (run certmint migrate)\n");
		return 1;
	}
	/* The programs wait (serving nothing) while migrations are missing. */
	if (cm_db_schema_pending(c->db, c->set.schema_dir, &pending, err, sizeof(err)) < 0) {
		printf("database: up, schema unknown (%s)\n", err);
		return 1;
	}
	if (pending > 0) {
		printf("database: up, schema version %ld, %ld migration(s) not applied"
		    " (run certmint migrate)\n", version, pending);
		return 1;
	}
	printf("database: ok (%s, schema version %ld)\n", c->set.db_name, version);
	st = cm_db_prepare(c->db,
	    "SELECT status, COUNT(*) FROM certificates GROUP BY status ORDER BY status");
	if (st == NULL || cm_stmt_execute(st) < 0) {
		printf("certificates: cannot count (%s)\n", cm_db_error(c->db));
		goto out;
	}
	printf("certificates:");
	while ((r = cm_stmt_fetch(st)) == 1) {
		printf(" %s %" PRId64, cm_stmt_str(st, 0, NULL), cm_stmt_i64(st, 1));
		n++;
	}
	printf("%s\n", n == 0 ? " none" : "");
	if (r < 0)
		goto out;
	bad = 0;
out:
	cm_stmt_close(st);
	return bad;
}

static int
signer_status(struct cli *c)
{
	struct cm_signer *sg = NULL;
	struct cm_buf chain;
	char err[512], subj[1024], na[32];
	int r, bad = 1;

	cm_buf_init(&chain, 1024 * 1024);
	if (cm_signer_connect(&sg, c->set.signer_socket, (int)c->set.signer_timeout_ms,
	    err, sizeof(err)) != 0) {
		printf("signer: DOWN (%s: %s)\n", c->set.signer_socket, err);
		sg = NULL;
		goto out;
	}
	r = cm_signer_ca_chain(sg, &chain, err, sizeof(err));
	if (r < 0) {
		printf("signer: DOWN (%s)\n", err);
		goto out;
	}
	if (r == 1) {
		printf("signer: up, no CA: %s\n", err);
		goto out;
	}
	if (cli_chain_summary(chain.data, chain.len, subj, sizeof(subj), na, sizeof(na)) < 0) {
		printf("signer: up, CA chain unreadable\n");
		goto out;
	}
	printf("signer: ok, CA %s, expires %s UTC\n", subj, na);
	bad = 0;
out:
	if (sg)
		cm_signer_close(sg);
	cm_buf_free(&chain);
	return bad;
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
	int rc, bad = 0;
	if (only_help(argc, argv, status_usage, &rc))
		return rc;
	if (cli_load(c) < 0)
		return CLI_FAIL;
	bad |= db_status(c);
	bad |= signer_status(c);
	return bad ? CLI_FAIL : CLI_OK;
}

