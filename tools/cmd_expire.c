/* cmd_expire.c: certmint expire, the job that moves issued certificates past their notAfter to "expired" (batched, audited, idempotent). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cert_state.h"
#include "cli.h"

#define EXPIRE_ACTOR "system:expire"
#define BATCH_DEFAULT 500
#define BATCH_MAX 10000

static const char expire_usage[] =
    "usage: certmint expire [--dry-run] [--customer URI] [--batch N]\n"
    "\n"
    "Moves every issued certificate whose notAfter has passed to status\n"
    "\"expired\", customer by customer (all customers, disabled ones too,\n"
    "unless --customer), N certificates per transaction (default 500, at\n"
    "most 10000), with one audit row per certificate (actor " EXPIRE_ACTOR ").\n"
    "Prints how many it expired. Running it again changes nothing until more\n"
    "certificates pass their notAfter; the certmint-expire.timer runs it hourly.\n"
    "--dry-run lists them (id, serial, notAfter, CN) and changes nothing.\n";

/* One certificate of a batch. */
struct expiring {
	int64_t id;
	int state;                /* enum cert_state of the row */
	char status[16];
	char not_after[24];
	char serial[48];
	char cn[128];
};

/* Copies a column into a fixed buffer (cut: these are for display and audit). */
static void
col(struct cm_stmt *st, unsigned idx, char *dst, size_t dstlen)
{
	const char *s = cm_stmt_str(st, idx, NULL);

	snprintf(dst, dstlen, "%s", s ? s : "");
}

/*
 * The next batch of the customer's issued certificates past cutoff after
 * the keyset position (last_after, last_id), in (not_after, id) order: one
 * range of certificates_customer_status_expiry. With lock, the rows are
 * locked (the caller's transaction). Fills v (at most max); the count or -1.
 */
static int
next_batch(struct cli *c, int64_t customer_id, const char *cutoff, const char *last_after,
    int64_t last_id, int lock, struct expiring *v, int max)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ?
	    "SELECT id, status, not_after, serial_hex, common_name FROM certificates"
	    " FORCE INDEX (certificates_customer_status_expiry)"
	    " WHERE customer_id = ? AND status = 'issued' AND not_after < ?"
	    " AND (not_after > ? OR (not_after = ? AND id > ?))"
	    " ORDER BY not_after, id LIMIT ? FOR UPDATE" :
	    "SELECT id, status, not_after, serial_hex, common_name FROM certificates"
	    " FORCE INDEX (certificates_customer_status_expiry)"
	    " WHERE customer_id = ? AND status = 'issued' AND not_after < ?"
	    " AND (not_after > ? OR (not_after = ? AND id > ?))"
	    " ORDER BY not_after, id LIMIT ?");
	int n = 0, r = 0;

	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, cutoff) < 0 || cm_stmt_bind_str(st, 2, last_after) < 0 ||
	    cm_stmt_bind_str(st, 3, last_after) < 0 || cm_stmt_bind_i64(st, 4, last_id) < 0 ||
	    cm_stmt_bind_i64(st, 5, max) < 0 || cm_stmt_execute(st) < 0)
		goto fail;
	while (n < max && (r = cm_stmt_fetch(st)) == 1) {
		struct expiring *e = &v[n++];

		e->id = cm_stmt_i64(st, 0);
		col(st, 1, e->status, sizeof(e->status));
		e->state = cert_state_parse(e->status);
		col(st, 2, e->not_after, sizeof(e->not_after));
		col(st, 3, e->serial, sizeof(e->serial));
		col(st, 4, e->cn, sizeof(e->cn));
	}
	if (n < max && r < 0)
		goto fail;
	cm_stmt_close(st);
	return n;
fail:
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* Moves one locked row to expired with its audit row (caller's transaction).
 * 1 done, 0 refused by the state machine or changed meanwhile, -1 error. */
static int
expire_one(struct cli *c, int64_t customer_id, const struct expiring *e)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry a;
	struct cm_buf before;
	char idstr[32];
	int rc = -1;

	/* The one transition table decides (lib/cert_state.c), as on the
	 * admin pages. */
	if (!cert_state_allowed(e->state, CERT_EXPIRED))
		return 0;
	cm_buf_init(&before, 0);
	st = cm_db_prepare(c->db,
	    "UPDATE certificates SET status = ? WHERE id = ? AND customer_id = ? AND status = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, cert_state_name(CERT_EXPIRED)) < 0 ||
	    cm_stmt_bind_i64(st, 1, e->id) < 0 || cm_stmt_bind_i64(st, 2, customer_id) < 0 ||
	    cm_stmt_bind_str(st, 3, e->status) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	if (cm_stmt_affected(st) != 1) {
		rc = 0;
		goto out;
	}
	if (cm_buf_puts(&before, "{\"status\":") < 0 || cm_buf_json_str(&before, e->status) < 0 ||
	    cm_buf_puts(&before, ",\"not_after\":") < 0 || cm_buf_json_str(&before, e->not_after) < 0 ||
	    cm_buf_puts(&before, "}") < 0)
		goto out;
	snprintf(idstr, sizeof(idstr), "%lld", (long long)e->id);
	memset(&a, 0, sizeof(a));
	a.actor = EXPIRE_ACTOR;
	a.action = "certificate.expire";
	a.object_type = "certificate";
	a.object_id = idstr;
	a.before = before.data;
	a.after = "{\"status\":\"expired\"}";
	a.customer_id = customer_id;
	if (cm_audit(c->db, &a) < 0)
		goto out;
	rc = 1;
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	return rc;
}

/* Expires (or with dry_run lists) one customer's certificates past cutoff,
 * adding to *count. 0, or -1 printed. */
static int
expire_customer(struct cli *c, int64_t customer_id, const char *uri, const char *cutoff,
    int batch, int dry_run, long *count)
{
	struct expiring *v = calloc((size_t)batch, sizeof(*v));
	char last_after[24] = "0001-01-01 00:00:00";
	int64_t last_id = 0;
	int n, rc = -1;

	if (v == NULL) {
		cli_error("out of memory");
		return -1;
	}
	for (;;) {
		if (!dry_run && cm_db_begin(c->db) < 0)
			goto dberr;
		if ((n = next_batch(c, customer_id, cutoff, last_after, last_id, !dry_run, v, batch)) < 0)
			goto rollback;
		for (int i = 0; i < n; i++) {
			int r = 1;

			if (dry_run)
				printf("%s\t%lld\t%s\t%s\t%s\n", uri, (long long)v[i].id, v[i].serial,
				    v[i].not_after, v[i].cn);
			else if ((r = expire_one(c, customer_id, &v[i])) < 0)
				goto rollback;
			*count += r;
		}
		if (!dry_run && cm_db_commit(c->db) < 0)
			goto rollback;
		if (n < batch)
			break;
		snprintf(last_after, sizeof(last_after), "%s", v[n - 1].not_after);
		last_id = v[n - 1].id;
	}
	rc = 0;
	goto out;
rollback:
	if (!dry_run)
		cm_db_rollback(c->db);
dberr:
	cli_error("database (customer %s): %s", uri, cm_db_error(c->db));
out:
	free(v);
	return rc;
}

/* certmint expire [--dry-run] [--customer URI] [--batch N]; an exit status. */
int
cmd_expire(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "customer", required_argument, NULL, 'C' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cm_stmt *st = NULL;
	const char *uri = NULL;
	char cutoff[24], *end;
	long batch = BATCH_DEFAULT, count = 0;
	int opt, dry_run = 0, customers = 0, rc = CLI_FAIL;

	while ((opt = getopt_long(argc, argv, "nC:b:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry_run = 1;
			break;
		case 'C':
			uri = optarg;
			break;
		case 'b':
			batch = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || batch < 1 || batch > BATCH_MAX) {
				cli_error("--batch takes a number from 1 to %d", BATCH_MAX);
				return CLI_FAIL;
			}
			break;
		case 'h':
			fputs(expire_usage, stdout);
			return CLI_OK;
		default:
			fputs(expire_usage, stderr);
			return CLI_FAIL;
		}
	}
	if (optind != argc || (uri && !cli_text_ok(uri, 64))) {
		fputs(expire_usage, stderr);
		return CLI_FAIL;
	}
	if (cli_db(c) < 0)
		return CLI_FAIL;
	/* One cutoff for the whole run, so it ends even while time passes. */
	st = cm_db_prepare(c->db, "SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')");
	if (st == NULL || cm_stmt_execute(st) < 0 || cm_stmt_fetch(st) != 1)
		goto dberr;
	col(st, 0, cutoff, sizeof(cutoff));
	cm_stmt_close(st);
	st = cm_db_prepare(c->db, uri ? "SELECT id, uri FROM customers WHERE uri = ?" :
	    "SELECT id, uri FROM customers ORDER BY id");
	if (st == NULL || (uri && cm_stmt_bind_str(st, 0, uri) < 0) || cm_stmt_execute(st) < 0)
		goto dberr;
	for (;;) {
		long before = count;
		int r = cm_stmt_fetch(st);
		char curi[65];

		if (r < 0)
			goto dberr;
		if (r == 0)
			break;
		customers++;
		col(st, 1, curi, sizeof(curi));
		if (expire_customer(c, cm_stmt_i64(st, 0), curi, cutoff, (int)batch, dry_run, &count) < 0)
			goto out;
		if (!dry_run && count > before)
			printf("customer %s: %ld expired\n", curi, count - before);
	}
	if (uri && customers == 0) {
		cli_error("no customer with uri '%s'", uri);
		goto out;
	}
	printf(dry_run ? "would expire: %ld\n" : "expired: %ld\n", count);
	rc = CLI_OK;
	goto out;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}
