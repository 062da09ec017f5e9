/* cmd_issue.c: certmint issue, a certificate from a CSR file through the certificate lifecycle (lib/cert_lifecycle.c), as the portal issues. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cert_lifecycle.h"
#include "units.h"

static const char issue_usage[] =
    "usage: certmint issue --profile PROFILE --csr FILE [--org ID] [--days N]\n"
    "                      [--customer URI] [--any-name] [--allow-duplicate-key]\n"
    "\n"
    "Issues a certificate from the PKCS#10 request in FILE (PEM or DER, at most\n"
    "64 KiB; '-' reads standard input) under the signer profile PROFILE\n"
    "(tls-server, client-smime, code-signing, ...), for the organisation ID of\n"
    "the customer (default: the only customer), valid N days (default: the\n"
    "profile's maximum). Prints the certificate PEM on standard output.\n"
    "\n"
    "Every DNS name, e-mail address and UPN in the CSR (and a CN that is a host\n"
    "name or an e-mail address) must lie in a validated domain of the customer\n"
    "delegated to the organisation (to any of its organisations without --org)\n"
    "for the certificate's type; IP and URI SANs are refused. --any-name is the\n"
    "operator's override: it skips that check (the signer's profile and its\n"
    "[namespaces] still apply) and is recorded as \"any_name\": true in the\n"
    "audit row.\n"
    "A CSR whose public key already has a live certificate of the customer is\n"
    "refused unless --allow-duplicate-key (audited). A validity longer than the\n"
    "organisation or profile allows is clipped, with a note on standard error.\n"
    "Exit status 2 with \"certmint: refused: REASON\" when the CSR or the\n"
    "policy refuses it; 1 with \"certmint: signer fault: REASON\" when the\n"
    "signer failed or could not be reached (disk full, not running, ...:\n"
    "nothing was issued), and 1 with\n"
    "\"certmint: unknown: check again: ...\" when the signer did not answer in\n"
    "[signer] timeout_ms (it may have issued the certificate; the journal\n"
    "reconciliation imports it).\n";

/* Reads at most max bytes; 0, 1 when the input is larger, -1 with errno. */
static int
read_capped(const char *path, size_t max, char **out, size_t *outlen)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (fd < 0)
		return -1;
	buf = malloc(max + 1);
	if (buf == NULL)
		goto out;
	for (;;) {
		ssize_t r = read(fd, buf + len, max + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			rc = 1;
			goto out;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd > 0)
		close(fd);
	return rc;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cmd_issue(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "csr", required_argument, NULL, 'r' },
		{ "org", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, 'd' },
		{ "customer", required_argument, NULL, 'C' },
		{ "any-name", no_argument, NULL, 'A' },
		{ "allow-duplicate-key", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *csr_path = NULL, *customer = NULL;
	long org = 0, days = 0;
	int any_name = 0, allow_dup = 0;
	struct cm_signer *sg = NULL;
	struct cm_csr_request in = { 0 };
	struct cm_issued_cert res = { 0 };
	char *csr = NULL, err[1024], serr[512];
	size_t csr_len = 0;
	int64_t cust_id = 0;
	int opt, r, rc = CLI_FAIL;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': profile = optarg; break;
		case 'r': csr_path = optarg; break;
		case 'C': customer = optarg; break;
		case 'A': any_name = 1; break;
		case 'K': allow_dup = 1; break;
		case 'o':
			if (parse_long(optarg, 1, LONG_MAX, &org) < 0) {
				cli_error("--org: a positive organisation id");
				return CLI_FAIL;
			}
			break;
		case 'd':
			if (parse_long(optarg, 1, 36500, &days) < 0) {
				cli_error("--days: a number of days from 1 to 36500");
				return CLI_FAIL;
			}
			break;
		case 'h': fputs(issue_usage, stdout); return CLI_OK;
		default: fputs(issue_usage, stderr); return CLI_FAIL;
		}
	}
	if (optind != argc || profile == NULL || csr_path == NULL) {
		fputs(issue_usage, stderr);
		return CLI_FAIL;
	}
	if (!cli_text_ok(profile, 64) || (customer && !cli_text_ok(customer, 64))) {
		cli_error("--profile/--customer: 1-64 printable characters");
		return CLI_FAIL;
	}
	r = read_capped(csr_path, CM_CSR_MAX_BYTES, &csr, &csr_len);
	if (r < 0) {
		cli_error("%s: %s", csr_path, strerror(errno));
		goto out;
	}
	if (r == 1) {
		cli_error("refused: %s is larger than %d bytes, not a CSR",
		    csr_path, CM_CSR_MAX_BYTES);
		rc = CLI_REFUSED;
		goto out;
	}
	if (cli_db(c) < 0 || cli_customer(c, customer, &cust_id) < 0)
		goto out;
	if (org) {
		r = cm_unit_exists(c->db, cust_id, org, 0);
		if (r < 0) {
			cli_error("database: %s", cm_db_error(c->db));
			goto out;
		}
		if (r == 0) {
			cli_error("no organisation %ld for this customer", org);
			goto out;
		}
	}
	/* Not reached: sg stays NULL and the lifecycle, after the CSR's checks,
	 * answers 503 with a certificate.issue_failed row (a signer fault). */
	serr[0] = '\0';
	if (cm_signer_connect(&sg, c->set.signer_socket, (int)c->set.signer_timeout_ms,
	    serr, sizeof(serr)) != 0)
		sg = NULL;

	in.actor = c->actor;
	in.customer_id = cust_id;
	in.org_id = org;
	in.profile = profile;
	in.csr = csr;
	in.csr_len = csr_len;
	in.validity_days = days;
	in.any_name = any_name;
	in.allow_duplicate_key = allow_dup;
	err[0] = '\0';
	r = cm_cert_issue(c->db, sg, &in, &res, err, sizeof(err));
	if (r == 0) {
		if (res.pem == NULL) {
			cli_error("issuance returned no certificate");
			goto out;
		}
		if (res.requested_days > res.term_days)
			fprintf(stderr, "certmint: note: %ld days asked for; the organisation or profile allows %ld,"
			    " the certificate is valid for %ld days\n", res.requested_days, res.term_days, res.term_days);
		fputs(res.pem, stdout);
		if (fflush(stdout) != 0) {
			cli_error("writing the certificate: %s", strerror(errno));
			goto out;
		}
		rc = CLI_OK;
	} else if (r == 400 || r == 403 || r == 409) {
		cli_error("refused: %s", err[0] ? err : "no reason given");
		rc = CLI_REFUSED;
	} else if (r == 503 && sg == NULL) {
		cli_error("signer fault: %s (signer at %s: %s)", err, c->set.signer_socket, serr);
	} else if (r == 503) {
		cli_error("signer fault: %s", err[0] ? err : "no reason given");
	} else if (r == 504) {
		/* The lifecycle's sentence starts "unknown: " already. */
		cli_error("unknown: check again: %s", strncmp(err, "unknown: ", 9) == 0 ? err + 9 : err);
	} else {
		cli_error("issuance failed: %s", err[0] ? err : "no reason given");
	}
out:
	free(res.pem);
	if (sg)
		cm_signer_close(sg);
	free(csr);
	return rc;
}
