/* cmd_expire.c: certmint expire, the job that moves issued certificates past their notAfter to "expired" (batched, audited, idempotent). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert_lifecycle.h"
#include "cli.h"

#define EXPIRE_ACTOR "system:expire"
/* Small: each batch holds the audit chain's head locked until it commits. */
#define BATCH_DEFAULT 100
#define BATCH_MAX 1000

static const char expire_usage[] =
    "usage: certmint expire [--dry-run] [--customer URI] [--batch N]\n"
    "\n"
    "Moves every issued certificate whose notAfter has passed to status\n"
    "\"expired\", customer by customer (all customers, disabled ones too,\n"
    "unless --customer), N certificates per transaction (default 100, at\n"
    "most 1000), with one audit row per certificate (actor " EXPIRE_ACTOR ").\n"
    "Prints how many it expired. Running it again changes nothing until more\n"
    "certificates pass their notAfter; the certmint-expire.timer runs it hourly.\n"
    "--dry-run lists them (id, serial, notAfter, CN) and changes nothing.\n";

/* One certificate of a batch. */
struct expiring {
	int64_t id;
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

/* The columns every query below reads, in struct expiring order. */
#define EXPIRING_COLS "SELECT id, status, not_after, serial_hex, common_name FROM certificates" \
	" FORCE INDEX (certificates_customer_status_expiry)"

/* Reads the executed statement's rows into v (at most max). The count or -1. */
static int
read_rows(struct cm_stmt *st, struct expiring *v, int max)
{
	int n = 0, r = 0;

	while (n < max && (r = cm_stmt_fetch(st)) == 1) {
		struct expiring *e = &v[n++];

		e->id = cm_stmt_i64(st, 0);
		col(st, 1, e->status, sizeof(e->status));
		col(st, 2, e->not_after, sizeof(e->not_after));
		col(st, 3, e->serial, sizeof(e->serial));
		col(st, 4, e->cn, sizeof(e->cn));
	}
	return n < max && r < 0 ? -1 : n;
}

/*
 * The first max of the customer's issued certificates past cutoff, in
 * not_after order, with after (if not NULL) only those with a later
 * not_after. customer_id, status and not_after are the leading columns of
 * certificates_customer_status_expiry, so this reads one index range in
 * order and stops after max rows: no filesort, and FOR UPDATE (lock, the
 * caller's transaction) locks only the rows it returns. Ordering by
 * (not_after, id) instead would sort the whole remaining range, because id
 * follows cert_type, org_id and dept_id in that index. The count or -1.
 */
static int
first_due(struct cli *c, int64_t customer_id, const char *cutoff, const char *after, int lock,
    struct expiring *v, int max)
{
	struct cm_stmt *st;
	unsigned i = 0;
	int n = -1;

	if (lock)
		st = cm_db_prepare(c->db, EXPIRING_COLS
		    " WHERE customer_id = ? AND status = 'issued' AND not_after < ? AND not_after >= ?"
		    " ORDER BY not_after LIMIT ? FOR UPDATE");
	else if (after)
		st = cm_db_prepare(c->db, EXPIRING_COLS
		    " WHERE customer_id = ? AND status = 'issued' AND not_after < ? AND not_after > ?"
		    " ORDER BY not_after LIMIT ?");
	else
		st = cm_db_prepare(c->db, EXPIRING_COLS
		    " WHERE customer_id = ? AND status = 'issued' AND not_after < ?"
		    " ORDER BY not_after LIMIT ?");
	if (st == NULL || cm_stmt_bind_i64(st, i++, customer_id) < 0 ||
	    cm_stmt_bind_str(st, i++, cutoff) < 0 ||
	    (lock && cm_stmt_bind_str(st, i++, after ? after : "0000-01-01 00:00:00") < 0) ||
	    (!lock && after && cm_stmt_bind_str(st, i++, after) < 0) ||
	    cm_stmt_bind_i64(st, i, max) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	n = read_rows(st, v, max);
out:
	if (st)
		cm_stmt_close(st);
	return n;
}

/* Prints one dry-run line. */
static void
print_due(const char *uri, const struct expiring *e)
{
	printf("%s\t%lld\t%s\t%s\t%s\n", uri, (long long)e->id, e->serial, e->not_after, e->cn);
}

/*
 * Prints every issued certificate of the customer whose not_after is
 * exactly not_after (already known to be before the cutoff), adding them
 * to *count. The rest of the index (cert_type, org_id, dept_id, id) gives
 * the order, so this too is one range read in order. 0 or -1.
 */
static int
print_group(struct cli *c, int64_t customer_id, const char *uri, const char *not_after,
    long *count)
{
	struct cm_stmt *st = cm_db_prepare(c->db, EXPIRING_COLS
	    " WHERE customer_id = ? AND status = 'issued' AND not_after = ?"
	    " ORDER BY cert_type, org_id, dept_id, id");
	struct expiring e;
	int r = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, not_after) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = read_rows(st, &e, 1)) == 1) {
		print_due(uri, &e);
		(*count)++;
	}
out:
	if (st)
		cm_stmt_close(st);
	return r < 0 ? -1 : 0;
}

/* Moves one locked row to expired with its audit row (caller's transaction),
 * through the lifecycle. 1 done, 0 refused by the state machine or changed
 * meanwhile, -1 error. */
static int
expire_one(struct cli *c, int64_t customer_id, const struct expiring *e)
{
	struct cm_cert_actor who = { EXPIRE_ACTOR, NULL, customer_id };
	char err[256];
	int r = cm_cert_expire(c->db, &who, e->id, e->status, e->not_after, err, sizeof(err));

	return r == 0 ? 1 : r == 409 ? 0 : -1;
}

/*
 * Lists one customer's certificates past cutoff (--dry-run), adding to
 * *count. Nothing changes, so a cursor moves on: a batch in not_after
 * order ends with some value V that may go on past the batch; the rows
 * before V are printed, then every row at exactly V (print_group), and the
 * next batch starts after V. Each row is listed once, even when many share
 * a not_after, and every read is an index range in order. 0 or -1.
 */
static int
list_customer(struct cli *c, int64_t customer_id, const char *uri, const char *cutoff,
    struct expiring *v, int batch, long *count)
{
	char after[sizeof(v->not_after)] = "";
	int n;

	for (;;) {
		if ((n = first_due(c, customer_id, cutoff, *after ? after : NULL, 0, v, batch)) < 0)
			return -1;
		if (n < batch) {
			for (int i = 0; i < n; i++)
				print_due(uri, &v[i]);
			*count += n;
			return 0;
		}
		snprintf(after, sizeof(after), "%s", v[n - 1].not_after);
		for (int i = 0; i < n && strcmp(v[i].not_after, after) != 0; i++) {
			print_due(uri, &v[i]);
			(*count)++;
		}
		if (print_group(c, customer_id, uri, after, count) < 0)
			return -1;
	}
}

/*
 * Expires one customer's certificates past cutoff, adding to *count; one
 * short transaction per batch (the audit chain's head stays locked from a
 * batch's first audit row to its commit). No cursor: a batch takes the
 * first due rows still issued, and the rows it expires leave that range.
 * The next batch starts at the last batch's largest notAfter: the index
 * entries of rows already expired stay (delete-marked) until purged, and
 * a locking read below that floor would lock them all again.
 * A batch that expires none of its rows would be taken again, so it ends
 * this customer with an error instead of looping. 0, or -1 printed.
 */
static int
expire_customer(struct cli *c, int64_t customer_id, const char *uri, const char *cutoff,
    struct expiring *v, int batch, long *count)
{
	char floor[sizeof(v->not_after)] = "";
	int n;

	for (;;) {
		int done = 0;

		if (cm_db_begin(c->db) < 0)
			goto dberr;
		if ((n = first_due(c, customer_id, cutoff, floor[0] ? floor : NULL, 1, v, batch)) < 0)
			goto rollback;
		for (int i = 0; i < n; i++) {
			int r = expire_one(c, customer_id, &v[i]);

			if (r < 0)
				goto rollback;
			done += r;
		}
		if (cm_db_commit(c->db) < 0)
			goto rollback;
		*count += done;
		if (n < batch)
			return 0;
		memcpy(floor, v[n - 1].not_after, sizeof(floor));
		if (done == 0) {
			cli_error("customer %s: %d certificates past their notAfter could not be"
			    " expired (first: id %lld); stopping", uri, n, (long long)v[0].id);
			return -1;
		}
	}
rollback:
	cm_db_rollback(c->db);
dberr:
	cli_error("database (customer %s): %s", uri, cm_db_error(c->db));
	return -1;
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
	struct expiring *v = NULL;
	const char *uri = NULL;
	char cutoff[24], *end;
	long batch = BATCH_DEFAULT, count = 0;
	int opt, dry_run = 0, customers = 0, failed = 0, rc = CLI_FAIL;

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
	if ((v = calloc((size_t)batch, sizeof(*v))) == NULL) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
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
		/* One customer's failure (reported) does not stop the others;
		 * the exit status says it happened. */
		if (dry_run ? list_customer(c, cm_stmt_i64(st, 0), curi, cutoff, v, (int)batch, &count) < 0 :
		    expire_customer(c, cm_stmt_i64(st, 0), curi, cutoff, v, (int)batch, &count) < 0) {
			if (dry_run)
				cli_error("database (customer %s): %s", curi, cm_db_error(c->db));
			failed++;
		}
		if (!dry_run && count > before)
			printf("customer %s: %ld expired\n", curi, count - before);
	}
	if (uri && customers == 0) {
		cli_error("no customer with uri '%s'", uri);
		goto out;
	}
	printf(dry_run ? "would expire: %ld\n" : "expired: %ld\n", count);
	if (failed) {
		cli_error("%d customer%s could not be processed completely (see above)", failed, failed == 1 ? "" : "s");
		goto out;
	}
	rc = CLI_OK;
	goto out;
dberr:
	cli_error("database: %s", cm_db_error(c->db));
out:
	if (st)
		cm_stmt_close(st);
	free(v);
	return rc;
}
