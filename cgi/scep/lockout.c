/* lockout.c: wrong SCEP challenges: counted per address and per customer, slowed and then locked out for a while, each recorded with an audit row. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "log.h"
#include "scepd.h"

/*
 * The window is a sliding one (the last SCEPD_LOCK_WINDOW_MIN minutes of
 * scep_challenge_failures), so a lockout ends by itself once the old rows
 * age out; rows older than the window are deleted as new ones are written.
 * A locked-out request is refused before its code is even looked at, so a
 * guesser learns nothing from it; a slowed one sleeps at most
 * SCEPD_SLOW_MAX_MS, so a worker is never held long.
 */

/* Counts of the window: *by_addr, *by_customer. 0 or -1. */
static int
counts(struct scep_req *r, long *by_addr, long *by_customer)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT (SELECT COUNT(*) FROM scep_challenge_failures"
	    "  WHERE remote_addr = ? AND failed_at > UTC_TIMESTAMP() - INTERVAL 15 MINUTE),"
	    " (SELECT COUNT(*) FROM scep_challenge_failures"
	    "  WHERE customer_id = ? AND failed_at > UTC_TIMESTAMP() - INTERVAL 15 MINUTE)");
	int rc = -1;

	if (st != NULL && cm_stmt_bind_str(st, 0, r->addr) == 0 && cm_stmt_bind_i64(st, 1, r->customer_id) == 0 &&
	    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1) {
		*by_addr = (long)cm_stmt_i64(st, 0);
		*by_customer = (long)cm_stmt_i64(st, 1);
		rc = 0;
	} else {
		cm_err("SCEP: challenge failures: %s", cm_db_error(r->db));
	}
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0 / 1 / -1; see scepd.h. */
int
scepd_lockout_check(struct scep_req *r, struct scep_answer *a)
{
	long n_addr = 0, n_cust = 0, ms = 0;
	struct cm_audit_entry e;
	struct cm_buf after;

	if (counts(r, &n_addr, &n_cust) < 0)
		return -1;
	if (n_addr >= SCEPD_LOCK_ADDR || n_cust >= SCEPD_LOCK_CUSTOMER) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "lockout",
		    "%s locked out: %ld wrong challenges from this address, %ld against the customer in %d minutes",
		    n_addr >= SCEPD_LOCK_ADDR ? "address" : "customer", n_addr, n_cust, SCEPD_LOCK_WINDOW_MIN);
		cm_buf_init(&after, 0);
		if (cm_buf_puts(&after, "{\"transaction_id\":") < 0 || cm_buf_json_str(&after, r->msg.transaction_id) < 0 ||
		    cm_buf_printf(&after, ",\"by_address\":%ld,\"by_customer\":%ld}", n_addr, n_cust) < 0) {
			cm_buf_free(&after);
			return -1;
		}
		memset(&e, 0, sizeof(e));
		e.actor = SCEPD_ACTOR;
		e.action = "scep.locked_out";
		e.object_type = "scep";
		e.object_id = r->type;
		e.after = after.data;
		e.remote_addr = r->addr;
		e.customer_id = r->customer_id;
		if (cm_audit(r->db, &e) == 0)
			a->audited = 1;
		cm_buf_free(&after);
		return 1;
	}
	/* Slowed: a growing pause once the counts pass the first marks. */
	if (n_addr >= SCEPD_SLOW_ADDR)
		ms = 250 * (n_addr - SCEPD_SLOW_ADDR + 1);
	if (n_cust >= SCEPD_SLOW_CUSTOMER && ms < 20 * (n_cust - SCEPD_SLOW_CUSTOMER + 1))
		ms = 20 * (n_cust - SCEPD_SLOW_CUSTOMER + 1);
	if (ms > SCEPD_SLOW_MAX_MS)
		ms = SCEPD_SLOW_MAX_MS;
	if (ms > 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* 0 / -1; see scepd.h. */
int
scepd_lockout_record(struct scep_req *r, const char *why)
{
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	struct cm_buf after;
	int rc = -1;

	cm_buf_init(&after, 0);
	if (cm_db_begin(r->db) < 0)
		goto fail;
	st = cm_db_prepare(r->db, "INSERT INTO scep_challenge_failures (customer_id, remote_addr) VALUES (?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, r->addr) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto fail;
	cm_stmt_close(st);
	/* Old rows go as new ones come (a bounded number each time). */
	st = cm_db_prepare(r->db, "DELETE FROM scep_challenge_failures"
	    " WHERE customer_id = ? AND failed_at < UTC_TIMESTAMP() - INTERVAL 1 DAY LIMIT 100");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto fail;
	cm_stmt_close(st);
	st = NULL;
	if (cm_buf_puts(&after, "{\"transaction_id\":") < 0 || cm_buf_json_str(&after, r->msg.transaction_id) < 0 ||
	    cm_buf_puts(&after, ",\"reason\":") < 0 || cm_buf_json_str(&after, why) < 0 || cm_buf_puts(&after, "}") < 0)
		goto fail;
	memset(&e, 0, sizeof(e));
	e.actor = SCEPD_ACTOR;
	e.action = "scep.challenge_failed";
	e.object_type = "scep";
	e.object_id = r->type;
	e.after = after.data;
	e.remote_addr = r->addr;
	e.customer_id = r->customer_id;
	if (cm_audit(r->db, &e) < 0 || cm_db_commit(r->db) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	cm_err("SCEP: recording a wrong challenge: %s", cm_db_error(r->db));
	if (st)
		cm_stmt_close(st);
	cm_db_rollback(r->db);
out:
	cm_buf_free(&after);
	return rc;
}
