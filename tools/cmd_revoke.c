/* cmd_revoke.c: certmint revoke, revoking a certificate by serial number through the certificate lifecycle (lib/cert_lifecycle.c), as the portal revokes. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cert_lifecycle.h"
#include "revocation_reason.h"

/* serial_hex holds 16 bytes as 32 hex digits; longer input is not ours. */
#define SERIAL_HEX_LEN 32

static const char revoke_usage[] =
    "usage: certmint revoke SERIAL --reason REASON [--customer URI]\n"
    "\n"
    "Revokes the issued certificate with serial number SERIAL (hexadecimal as\n"
    "openssl x509 -serial prints it; colons, a 0x prefix and case do not\n"
    "matter) with an RFC 5280 reason, recorded and audited as a revocation in\n"
    "the portal (\"certificate.revoke\", actor cli:USER). A revocation is final.\n"
    "REASON is one of: unspecified keyCompromise affiliationChanged superseded\n"
    "cessationOfOperation privilegeWithdrawn.\n"
    "  --customer URI      the certificate must belong to this customer\n"
    "                      (default: whichever customer it belongs to)\n"
    "Exit status 2 with \"certmint: refused: REASON\" when there is no such\n"
    "certificate, it is not issued (already revoked, expired, ...) or the\n"
    "reason is not one of the above; 1 on a database or usage error.\n";

/*
 * The serial as stored (32 lowercase hex digits, zero-padded on the left:
 * openssl prints the INTEGER without its leading zero bytes) into out.
 * 0, or -1 when arg is not a serial of ours.
 */
static int
serial_norm(const char *arg, char out[SERIAL_HEX_LEN + 1])
{
	char digits[SERIAL_HEX_LEN + 1];
	size_t n = 0;
	if (strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0)
		arg += 2;
	for (const char *p = arg; *p; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p) || n == SERIAL_HEX_LEN)
			return -1;
		digits[n++] = (char)tolower((unsigned char)*p);
	}
	if (n == 0)
		return -1;
	memset(out, '0', SERIAL_HEX_LEN - n);
	memcpy(out + SERIAL_HEX_LEN - n, digits, n);
	out[SERIAL_HEX_LEN] = '\0';
	return 0;
}

/* The row of serial: 1 with *id and *customer, 0 none, -1 printed. */
static int
find_serial(struct cli *c, const char *serial, int64_t *id, int64_t *customer)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id, customer_id FROM certificates WHERE serial_hex = ?");
	int r = -1;
	if (st == NULL || cm_stmt_bind_str(st, 0, serial) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) < 0) {
		cli_error("database: %s", cm_db_error(c->db));
		r = -1;
	} else if (r == 1) {
		*id = cm_stmt_i64(st, 0);
		*customer = cm_stmt_i64(st, 1);
	}
	cm_stmt_close(st);
	return r;
}

/* An exit status. */
int
cmd_revoke(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "customer", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL, *customer_uri = NULL;
	char serial[SERIAL_HEX_LEN + 1], err[512];
	int64_t id = 0, row_customer = 0, want_customer = 0;
	int opt, code, r;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': reason = optarg; break;
		case 'C': customer_uri = optarg; break;
		case 'h': fputs(revoke_usage, stdout); return CLI_OK;
		default: fputs(revoke_usage, stderr); return CLI_FAIL;
		}
	}
	if (argc - optind != 1 || reason == NULL) {
		fputs(revoke_usage, stderr);
		return CLI_FAIL;
	}
	if (serial_norm(argv[optind], serial) < 0) {
		cli_error("refused: '%.80s' is not a certificate serial number (up to %d hexadecimal digits)",
		    argv[optind], SERIAL_HEX_LEN);
		return CLI_REFUSED;
	}
	/* Checked before anything is looked up, and named back: the portal offers the same list. */
	code = cm_revocation_reason_code(reason);
	if (code < 0) {
		cli_error("refused: '%.80s' is not a revocation reason; use one of unspecified keyCompromise "
		    "affiliationChanged superseded cessationOfOperation privilegeWithdrawn", reason);
		return CLI_REFUSED;
	}
	if (cli_db(c) < 0)
		return CLI_FAIL;
	if (customer_uri && cli_customer(c, customer_uri, &want_customer) < 0)
		return CLI_FAIL;
	r = find_serial(c, serial, &id, &row_customer);
	if (r < 0)
		return CLI_FAIL;
	/* Another customer's certificate reads as missing, as in the portal. */
	if (r == 0 || (customer_uri && row_customer != want_customer)) {
		cli_error("refused: no certificate with serial %s%s%s", serial,
		    customer_uri ? " for customer " : "", customer_uri ? customer_uri : "");
		return CLI_REFUSED;
	}
	struct cm_cert_actor who = { c->actor, NULL, row_customer };
	r = cm_cert_revoke(c->db, &who, id, code, err, sizeof(err));
	if (r == 0) {
		printf("revoked certificate %s (id %" PRId64 "), reason %s\n", serial, id, reason);
		return CLI_OK;
	}
	if (r == 400 || r == 403 || r == 409) {
		cli_error("refused: certificate %s: %s", serial, err);
		return CLI_REFUSED;
	}
	cli_error("certificate %s: %s", serial, err);
	return CLI_FAIL;
}
