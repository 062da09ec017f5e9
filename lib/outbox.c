/* outbox.c: the notification outbox: queueing (in the caller's transaction, once per event), the expiry windows, backoff, and the sender's claim/mark loop. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "outbox.h"

/* How long a claimed message is kept from other runs while it is being
 * delivered: longer than any SMTP timeout, so it is never sent twice by
 * two runs; a run that dies meanwhile leaves it due again after this. */
#define LEASE_SECONDS 900

/* 1 when s has no byte below space (a header line would break), 0 else. */
static int
one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* 1 queued, 0 already there, -1 with err (see outbox.h). */
int
cm_outbox_enqueue(struct cm_db *db, const struct cm_outbox_msg *m, char *err, size_t errlen)
{
	struct cm_stmt *st;
	int rc = -1;

	if (!cm_outbox_address_ok(m->recipient)) {
		snprintf(err, errlen, "not an e-mail address we can send to");
		return -1;
	}
	if (m->kind == NULL || m->event_key == NULL || m->subject == NULL || m->body == NULL ||
	    strlen(m->kind) > 32 || strlen(m->event_key) > CM_OUTBOX_KEY_MAX ||
	    strlen(m->subject) > CM_OUTBOX_SUBJECT_MAX || strlen(m->body) > CM_OUTBOX_BODY_MAX ||
	    !one_line(m->subject) || !one_line(m->event_key)) {
		snprintf(err, errlen, "the message is incomplete or too long");
		return -1;
	}
	/* ON DUPLICATE KEY (not INSERT IGNORE, which would also hide real
	 * errors): the event was queued before, nothing changes. */
	st = cm_db_prepare(db,
	    "INSERT INTO outbox (customer_id, cert_id, kind, event_key, recipient, subject, body)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id");
	if (st == NULL || cm_stmt_bind_i64(st, 0, m->customer_id) < 0 ||
	    (m->cert_id > 0 ? cm_stmt_bind_i64(st, 1, m->cert_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    cm_stmt_bind_str(st, 2, m->kind) < 0 || cm_stmt_bind_str(st, 3, m->event_key) < 0 ||
	    cm_stmt_bind_str(st, 4, m->recipient) < 0 || cm_stmt_bind_str(st, 5, m->subject) < 0 ||
	    cm_stmt_bind_str(st, 6, m->body) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("outbox: queueing %s for %s: %s", m->event_key, m->recipient, cm_db_error(db));
		snprintf(err, errlen, "database error");
		goto out;
	}
	/* MariaDB counts 1 for a new row, 0 for a duplicate left unchanged. */
	rc = cm_stmt_affected(st) == 1 ? 1 : 0;
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* The requester's address of certificate c (an alias in the statements
 * below): their administrator row's e-mail, else the certificate's. */
#define REQUESTER_JOIN \
	" LEFT JOIN admins a ON a.principal = c.requested_by AND a.customer_id = c.customer_id" \
	" AND a.deleted_at IS NULL"
#define REQUESTER_EMAIL "COALESCE(NULLIF(a.email, ''), NULLIF(c.email, ''))"
/* How a certificate is named in a message: its CN, else its serial, else its id. */
#define CERT_NAME "LEFT(COALESCE(NULLIF(c.common_name, ''), c.serial_hex, CONCAT('#', c.id)), 120)"

/* Runs st (prepared, or NULL) with customer id and certificate id bound
 * to ?0 and ?1. 0, or -1 logged. */
static int
run_event(struct cm_db *db, struct cm_stmt *st, const char *action, int64_t customer_id, int64_t cert_id)
{
	int rc = -1;

	if (st != NULL && cm_stmt_bind_i64(st, 0, customer_id) == 0 && cm_stmt_bind_i64(st, 1, cert_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		rc = 0;
	else
		cm_err("outbox: mail for %s of certificate %lld: %s", action, (long long)cert_id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 0, or -1 on a database error (see outbox.h). The messages are built by
 * INSERT ... SELECT so that they read the row as this transaction left it
 * (the decline message, the approver) and cost one statement each. */
int
cm_outbox_cert_event(struct cm_db *db, const char *action, int64_t customer_id, int64_t cert_id)
{
	if (strcmp(action, "certificate.approve") == 0)
		return run_event(db, cm_db_prepare(db,
		    "INSERT INTO outbox (customer_id, cert_id, kind, event_key, recipient, subject, body)"
		    " SELECT c.customer_id, c.id, 'approved', CONCAT('approve:cert:', c.id), " REQUESTER_EMAIL ","
		    " CONCAT('Certificate request approved: ', " CERT_NAME "),"
		    " CONCAT('Your certificate request ', c.id, ' for ', " CERT_NAME ", ' (', c.profile, ')',"
		    " ' was approved by ', COALESCE(c.approved_by, 'an administrator'), '.', CHAR(10), CHAR(10),"
		    " 'The certificate is being issued; you will find it on the request''s page in the portal.', CHAR(10))"
		    " FROM certificates c" REQUESTER_JOIN
		    " WHERE c.customer_id = ? AND c.id = ? AND " REQUESTER_EMAIL " IS NOT NULL"
		    " ON DUPLICATE KEY UPDATE id = outbox.id"), action, customer_id, cert_id);
	if (strcmp(action, "certificate.decline") == 0)
		return run_event(db, cm_db_prepare(db,
		    "INSERT INTO outbox (customer_id, cert_id, kind, event_key, recipient, subject, body)"
		    " SELECT c.customer_id, c.id, 'declined', CONCAT('decline:cert:', c.id), " REQUESTER_EMAIL ","
		    " CONCAT('Certificate request declined: ', " CERT_NAME "),"
		    " CONCAT('Your certificate request ', c.id, ' for ', " CERT_NAME ", ' (', c.profile, ')',"
		    " ' was declined by ', COALESCE(c.approved_by, 'an administrator'), ' with this message:',"
		    " CHAR(10), CHAR(10), COALESCE(c.decline_message, ''), CHAR(10))"
		    " FROM certificates c" REQUESTER_JOIN
		    " WHERE c.customer_id = ? AND c.id = ? AND " REQUESTER_EMAIL " IS NOT NULL"
		    " ON DUPLICATE KEY UPDATE id = outbox.id"), action, customer_id, cert_id);
	if (strcmp(action, "certificate.request") == 0)
		/* The approvers as lib/approval.h and the portal's policy see
		 * them: an MRAO of the customer, or an RAO/DRAO whose scope holds
		 * the request's organisation (and department) for its type. */
		return run_event(db, cm_db_prepare(db,
		    "INSERT INTO outbox (customer_id, cert_id, kind, event_key, recipient, subject, body)"
		    " SELECT DISTINCT c.customer_id, c.id, 'waiting', CONCAT('request:cert:', c.id), ap.email,"
		    " CONCAT('Certificate request waiting for approval: ', " CERT_NAME "),"
		    " CONCAT('Certificate request ', c.id, ' for ', " CERT_NAME ", ' (', c.profile, ', ', c.cert_type, ')',"
		    " ' by ', COALESCE(c.requested_by, 'someone'), ' waits for approval.', CHAR(10), CHAR(10),"
		    " 'Approve or decline it on its page in the portal (Certificates, request ', c.id, ').', CHAR(10))"
		    " FROM certificates c JOIN admins ap ON ap.customer_id = c.customer_id"
		    " WHERE c.customer_id = ? AND c.id = ? AND c.status = 'requested'"
		    " AND ap.enabled = 1 AND ap.deleted_at IS NULL AND ap.email IS NOT NULL AND ap.email <> ''"
		    " AND ap.principal <> COALESCE(c.requested_by, '')"
		    " AND FIND_IN_SET(c.cert_type, ap.cert_types) > 0"
		    " AND (ap.role = 'mrao' OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ap.id"
		    " AND s.org_id = c.org_id AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))"
		    " ON DUPLICATE KEY UPDATE id = outbox.id"), action, customer_id, cert_id);
	return 0;
}

/* Queues one customer's notices of one window: notAfter in (now + lo days,
 * now + hi days]. Returns how many, or -1 (logged). */
static long
queue_window(struct cm_db *db, int64_t customer_id, const char *now, int lo, int hi)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "INSERT INTO outbox (customer_id, cert_id, kind, event_key, recipient, subject, body,"
	    " created_at, next_attempt_at)"
	    " SELECT c.customer_id, c.id, 'expiry', CONCAT('expiry:', ?, ':cert:', c.id), " REQUESTER_EMAIL ","
	    " CONCAT('Certificate expires on ', DATE_FORMAT(c.not_after, '%Y-%m-%d'), ': ', " CERT_NAME "),"
	    " CONCAT('The certificate ', " CERT_NAME ", ' (serial ', COALESCE(c.serial_hex, '-'), ', certificate ',"
	    " c.id, ', profile ', c.profile, ') of ', cu.name, ' expires on ',"
	    " DATE_FORMAT(c.not_after, '%Y-%m-%d %H:%i:%s'), ' UTC.', CHAR(10), CHAR(10),"
	    " 'Renew it before then: find it in the portal under Certificates (certificate ', c.id, ').', CHAR(10),"
	    " 'You receive this notice ', ?, ' days before expiry, as the customer''s settings ask.', CHAR(10)),"
	    " CAST(? AS DATETIME), CAST(? AS DATETIME)"
	    " FROM certificates c JOIN customers cu ON cu.id = c.customer_id" REQUESTER_JOIN
	    " WHERE c.customer_id = ? AND c.status = 'issued'"
	    " AND c.not_after > CAST(? AS DATETIME) + INTERVAL ? DAY"
	    " AND c.not_after <= CAST(? AS DATETIME) + INTERVAL ? DAY"
	    " AND " REQUESTER_EMAIL " IS NOT NULL"
	    " ON DUPLICATE KEY UPDATE id = outbox.id");
	long n = -1;

	if (st != NULL && cm_stmt_bind_i64(st, 0, hi) == 0 && cm_stmt_bind_i64(st, 1, hi) == 0 &&
	    cm_stmt_bind_str(st, 2, now) == 0 && cm_stmt_bind_str(st, 3, now) == 0 &&
	    cm_stmt_bind_i64(st, 4, customer_id) == 0 &&
	    cm_stmt_bind_str(st, 5, now) == 0 && cm_stmt_bind_i64(st, 6, lo) == 0 &&
	    cm_stmt_bind_str(st, 7, now) == 0 && cm_stmt_bind_i64(st, 8, hi) == 0 &&
	    cm_stmt_execute(st) == 0)
		n = (long)cm_stmt_affected(st);
	else
		cm_err("outbox: expiry notices (%d days) of customer %lld: %s", hi, (long long)customer_id,
		    cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return n;
}

/* A customer and its windows, read before any is queued. */
struct expiry_customer {
	int64_t id;
	int days[CM_OUTBOX_WINDOWS_MAX];
	int n;
};

/* How many were queued, or -1 with err (see outbox.h). */
long
cm_outbox_queue_expiry(struct cm_db *db, const char *now, char *err, size_t errlen)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT id, uri, notify_expiry_days FROM customers WHERE enabled = 1 ORDER BY id");
	struct expiry_customer *cs = NULL, *grown;
	size_t ncs = 0, cap = 0;
	long total = 0, n;
	int f;

	if (st == NULL || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		char text[CM_OUTBOX_WINDOWS_TEXT_MAX + 1], uri[65], perr[160];

		if (ncs == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(cs, cap * sizeof(*cs))) == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			cs = grown;
		}
		cs[ncs].id = cm_stmt_i64(st, 0);
		cm_stmt_copy_str(st, 1, uri, sizeof(uri));
		cm_stmt_copy_str(st, 2, text, sizeof(text));
		/* A value stored by hand that does not parse: told, and skipped. */
		if ((cs[ncs].n = cm_outbox_parse_windows(text, cs[ncs].days, CM_OUTBOX_WINDOWS_MAX,
		    perr, sizeof(perr))) < 0) {
			cm_warn("outbox: customer %s: notify.expiry_days \"%s\": %s", uri, text, perr);
			continue;
		}
		ncs++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	st = NULL;
	for (size_t i = 0; i < ncs; i++) {
		if (cs[i].n == 0)
			continue;
		if (cm_db_begin(db) < 0)
			goto dberr;
		/* days[] is largest first: the smallest window is (now, now + last]. */
		for (int k = cs[i].n - 1; k >= 0; k--) {
			int lo = k == cs[i].n - 1 ? 0 : cs[i].days[k + 1];

			if ((n = queue_window(db, cs[i].id, now, lo, cs[i].days[k])) < 0) {
				cm_db_rollback(db);
				snprintf(err, errlen, "database error while queueing expiry notices: %s", cm_db_error(db));
				goto fail;
			}
			total += n;
		}
		if (cm_db_commit(db) < 0)
			goto dberr;
	}
	free(cs);
	return total;
dberr:
	snprintf(err, errlen, "database error: %s", cm_db_error(db));
	if (cm_db_in_transaction(db))
		cm_db_rollback(db);
fail:
	if (st)
		cm_stmt_close(st);
	free(cs);
	return -1;
}

/* Claims the oldest message due at now for this run (next_attempt_at moved
 * LEASE_SECONDS on, in its own short transaction; rows another run holds
 * are skipped). 1 claimed into *m (body malloc'd), 0 none due, -1 (logged). */
static int
claim_one(struct cm_db *db, const char *now, struct cm_outbox_item *m)
{
	struct cm_stmt *st = NULL;
	const char *body;
	size_t blen;
	int f = -1, rc = -1;

	if (cm_db_begin(db) < 0)
		goto out;
	st = cm_db_prepare(db, "SELECT id, attempts, recipient, subject, body FROM outbox"
	    " WHERE status = 'queued' AND next_attempt_at <= CAST(? AS DATETIME)"
	    " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
	if (st == NULL || cm_stmt_bind_str(st, 0, now) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 0) {
		rc = 0;
		goto out;
	}
	m->id = cm_stmt_i64(st, 0);
	m->attempts = (int)cm_stmt_i64(st, 1);
	cm_stmt_copy_str(st, 2, m->recipient, sizeof(m->recipient));
	cm_stmt_copy_str(st, 3, m->subject, sizeof(m->subject));
	body = cm_stmt_str(st, 4, &blen);
	if (blen > CM_OUTBOX_BODY_MAX)
		blen = CM_OUTBOX_BODY_MAX;
	if ((m->body = malloc(blen + 1)) == NULL)
		goto out;
	memcpy(m->body, body ? body : "", body ? blen : 0);
	m->body[body ? blen : 0] = '\0';
	cm_stmt_close(st);
	st = cm_db_prepare(db, "UPDATE outbox SET next_attempt_at = CAST(? AS DATETIME) + INTERVAL ? SECOND"
	    " WHERE id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, now) < 0 || cm_stmt_bind_i64(st, 1, LEASE_SECONDS) < 0 ||
	    cm_stmt_bind_i64(st, 2, m->id) < 0 || cm_stmt_execute(st) < 0 || cm_db_commit(db) < 0)
		goto out;
	rc = 1;
out:
	if (st)
		cm_stmt_close(st);
	if (rc < 0) {
		cm_err("outbox: claiming a message: %s", cm_db_error(db));
		free(m->body);
		m->body = NULL;
	}
	if (cm_db_in_transaction(db))
		cm_db_rollback(db);
	return rc;
}

/* Marks m delivered. 0, or -1 (logged: the message may be sent again
 * after its lease, never lost). */
static int
mark_sent(struct cm_db *db, const char *now, const struct cm_outbox_item *m)
{
	struct cm_stmt *st = cm_db_prepare(db, "UPDATE outbox SET status = 'sent', sent_at = CAST(? AS DATETIME),"
	    " attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'queued'");
	int rc = -1;

	if (st && cm_stmt_bind_str(st, 0, now) == 0 && cm_stmt_bind_i64(st, 1, m->id) == 0 &&
	    cm_stmt_execute(st) == 0)
		rc = 0;
	else
		cm_err("outbox: message %lld was sent but could not be marked: %s", (long long)m->id,
		    cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* Records a failed attempt of m with why: the next attempt after the
 * backoff, or status failed (and its audit row) once give_up_at has
 * passed. 1 given up, 0 to be retried, -1 (logged). */
static int
mark_failed(struct cm_db *db, const char *now, long give_up_s, const struct cm_outbox_item *m, const char *why)
{
	struct cm_stmt *st = NULL;
	int64_t customer_id = 0;
	int given_up = 0, rc = -1, f;

	if (cm_db_begin(db) < 0)
		goto out;
	/* The first failure starts the give-up clock. */
	st = cm_db_prepare(db, "SELECT customer_id, COALESCE(give_up_at, CAST(? AS DATETIME) + INTERVAL ? SECOND) <= CAST(? AS DATETIME)"
	    " FROM outbox WHERE id = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, now) < 0 || cm_stmt_bind_i64(st, 1, give_up_s) < 0 ||
	    cm_stmt_bind_str(st, 2, now) < 0 || cm_stmt_bind_i64(st, 3, m->id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) != 1)
		goto out;
	customer_id = cm_stmt_i64(st, 0);
	given_up = cm_stmt_i64(st, 1) == 1;
	cm_stmt_close(st);
	st = cm_db_prepare(db, "UPDATE outbox SET attempts = attempts + 1, last_error = LEFT(?, 512),"
	    " give_up_at = COALESCE(give_up_at, CAST(? AS DATETIME) + INTERVAL ? SECOND),"
	    " next_attempt_at = CAST(? AS DATETIME) + INTERVAL ? SECOND,"
	    " status = IF(?, 'failed', 'queued') WHERE id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, why) < 0 || cm_stmt_bind_str(st, 1, now) < 0 ||
	    cm_stmt_bind_i64(st, 2, give_up_s) < 0 || cm_stmt_bind_str(st, 3, now) < 0 ||
	    cm_stmt_bind_i64(st, 4, cm_outbox_backoff(m->attempts + 1)) < 0 ||
	    cm_stmt_bind_i64(st, 5, given_up) < 0 || cm_stmt_bind_i64(st, 6, m->id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	if (given_up) {
		struct cm_audit_entry e;
		char oid[24];

		/* Giving up changes what the portal shows: on record, with why. */
		snprintf(oid, sizeof(oid), "%lld", (long long)m->id);
		memset(&e, 0, sizeof(e));
		e.actor = "system:notify";
		e.action = "outbox.failed";
		e.object_type = "outbox";
		e.object_id = oid;
		e.before = "{\"status\":\"queued\"}";
		e.after = "{\"status\":\"failed\"}";
		e.customer_id = customer_id;
		if (cm_audit(db, &e) < 0)
			goto out;
	}
	if (cm_db_commit(db) < 0)
		goto out;
	rc = given_up;
out:
	if (rc < 0)
		cm_err("outbox: recording the failed attempt of message %lld: %s", (long long)m->id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (cm_db_in_transaction(db))
		cm_db_rollback(db);
	return rc;
}

/* 0 or -1 with err (see outbox.h). */
int
cm_outbox_send_due(struct cm_db *db, const char *now, long give_up_s, int limit,
    cm_outbox_deliver_fn deliver, void *ctx, struct cm_outbox_run *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < limit; i++) {
		struct cm_outbox_item m;
		char why[512];
		int r, bad_addr = 0;

		memset(&m, 0, sizeof(m));
		if ((r = claim_one(db, now, &m)) == 0)
			return 0;
		if (r < 0) {
			snprintf(err, errlen, "database error: %s", cm_db_error(db));
			return -1;
		}
		why[0] = '\0';
		if (!cm_outbox_address_ok(m.recipient) || !one_line(m.subject)) {
			/* Rows queued by INSERT ... SELECT take addresses as stored:
			 * one that cannot be sent is never tried on the wire. */
			snprintf(why, sizeof(why), "not an address mail can be sent to");
			bad_addr = 1;
			r = -1;
		} else {
			r = deliver(ctx, &m, why, sizeof(why));
		}
		if (r == 0) {
			cm_info("outbox: message %lld (%s) sent to %s", (long long)m.id, m.subject, m.recipient);
			r = mark_sent(db, now, &m);
			out->sent++;
		} else {
			cm_warn("outbox: message %lld to %s not sent: %s", (long long)m.id, m.recipient, why);
			/* An invalid address never improves: give up at once. */
			r = mark_failed(db, now, bad_addr ? 0 : give_up_s, &m, why);
			if (r == 1)
				out->failed++;
			else if (r == 0)
				out->retry++;
		}
		free(m.body);
		if (r < 0) {
			snprintf(err, errlen, "database error: %s", cm_db_error(db));
			return -1;
		}
	}
	return 0;
}

/* 0 / 404 / 409 / 500 (see outbox.h). */
int
cm_outbox_retry(struct cm_db *db, int64_t customer_id, int64_t id, const char *actor,
    const char *remote_addr)
{
	struct cm_audit_entry e;
	struct cm_stmt *st = NULL;
	char status[16] = "", oid[24];
	int rc = 500, f;

	if (cm_db_begin(db) < 0)
		goto out;
	st = cm_db_prepare(db, "SELECT status FROM outbox WHERE id = ? AND customer_id = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 0) {
		rc = 404;
		goto out;
	}
	cm_stmt_copy_str(st, 0, status, sizeof(status));
	cm_stmt_close(st);
	st = NULL;
	if (strcmp(status, "failed") != 0) {
		rc = 409;
		goto out;
	}
	st = cm_db_prepare(db, "UPDATE outbox SET status = 'queued', next_attempt_at = UTC_TIMESTAMP(),"
	    " attempts = 0, give_up_at = NULL WHERE id = ? AND status = 'failed'");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "outbox.retry";
	e.object_type = "outbox";
	e.object_id = oid;
	e.before = "{\"status\":\"failed\"}";
	e.after = "{\"status\":\"queued\"}";
	e.remote_addr = remote_addr;
	e.customer_id = customer_id;
	if (cm_audit(db, &e) < 0 || cm_db_commit(db) < 0)
		goto out;
	rc = 0;
out:
	if (rc == 500)
		cm_err("outbox: retrying message %lld: %s", (long long)id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (cm_db_in_transaction(db))
		cm_db_rollback(db);
	return rc;
}
