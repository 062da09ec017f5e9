/* person.c: the persons row of an autoenroll user (step 5): found by the AD mail, bound to the Kerberos principal, its names and organisation kept as AD and the request say. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "autoenroll.h"
#include "log.h"

/* The person's row as person.create/update audit JSON. 0 or -1. */
static int
person_json(struct cm_buf *b, const char *email, const char *first, const char *last, const char *principal,
    int64_t org_id)
{
	return (cm_buf_puts(b, "{\"email\":") < 0 || cm_buf_json_str(b, email) < 0 ||
	    cm_buf_puts(b, ",\"first_name\":") < 0 || cm_buf_json_str(b, first) < 0 ||
	    cm_buf_puts(b, ",\"last_name\":") < 0 || cm_buf_json_str(b, last) < 0 ||
	    cm_buf_puts(b, ",\"principal_name\":") < 0 || cm_buf_json_str(b, principal) < 0 ||
	    cm_buf_printf(b, ",\"org_id\":%lld,\"source\":\"autoenroll\"}", (long long)org_id) < 0) ? -1 : 0;
}

static int
audit_person(struct aed_req *r, const char *action, int64_t id, const char *before, const char *after)
{
	struct cm_audit_entry e;
	char oid[24];

	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	memset(&e, 0, sizeof(e));
	e.actor = r->principal;
	e.action = action;
	e.object_type = "person";
	e.object_id = oid;
	e.before = before;
	e.after = after;
	e.remote_addr = r->addr;
	e.customer_id = r->customer_id;
	return cm_audit(r->db, &e);
}

/* The name parts AD gave, clipped to the columns (128). */
static void
name_part(char *dst, size_t dstlen, const char *s)
{
	snprintf(dst, dstlen, "%s", s ? s : "");
}

/* The person row of r's AD mail when it needs no change (bound to this
 * principal, of this organisation, with these names): 1 with r->person_id;
 * 0 when it must be created, changed or refused; -1 database error. */
static int
person_current(struct aed_req *r, const char *first, const char *last)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT id, org_id, COALESCE(first_name, ''), COALESCE(last_name, ''), COALESCE(principal_name, '')"
	    " FROM persons WHERE customer_id = ? AND email = ? AND deleted_at IS NULL ORDER BY id LIMIT 1");
	char f1[129] = "", l1[129] = "", p1[257] = "";
	int f;

	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, r->user.mail) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (f == 1) {
		cm_stmt_copy_str(st, 2, f1, sizeof(f1));
		cm_stmt_copy_str(st, 3, l1, sizeof(l1));
		cm_stmt_copy_str(st, 4, p1, sizeof(p1));
		if (cm_stmt_i64(st, 1) == r->org_id && strcmp(f1, first) == 0 && strcmp(l1, last) == 0 &&
		    strcmp(p1, r->principal) == 0)
			r->person_id = cm_stmt_i64(st, 0);
		else
			f = 0;
	}
	cm_stmt_close(st);
	return f;
}

/*
 * 0 / -1; see autoenroll.h. One transaction: the row with the AD mail is
 * locked (so two requests of the same user do not both create one), then
 * created or updated with its audit row, and left open for the request's
 * outcome (see the end). A row bound to another principal
 * is someone else's (20); a row with no principal (added by an
 * administrator or a CSV import) is bound to this one.
 */
int
aed_sync_person(struct aed_req *r)
{
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	char first[129], last[129], old_first[129] = "", old_last[129] = "", old_principal[257] = "";
	int64_t id = 0, old_org = 0;
	int f, rc = -1;

	cm_buf_init(&before, 0);
	cm_buf_init(&after, 0);
	name_part(first, sizeof(first), r->user.given_name);
	name_part(last, sizeof(last), r->user.sn);
	/* Most requests are of a person already in step with AD: a plain read
	 * says so without a transaction and its lock (two round trips less).
	 * Anything else (no row, a change, another principal) is decided by
	 * the locked read below. */
	if ((f = person_current(r, first, last)) != 0) {
		rc = f > 0 ? 0 : -1;
		if (f < 0)
			goto dberr;
		goto out;
	}
	if (cm_db_begin(r->db) < 0)
		goto dberr;
	st = cm_db_prepare(r->db,
	    "SELECT id, org_id, COALESCE(first_name, ''), COALESCE(last_name, ''), COALESCE(principal_name, '')"
	    " FROM persons WHERE customer_id = ? AND email = ? AND deleted_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, r->user.mail) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto dberr;
	if (f == 1) {
		id = cm_stmt_i64(st, 0);
		old_org = cm_stmt_i64(st, 1);
		cm_stmt_copy_str(st, 2, old_first, sizeof(old_first));
		cm_stmt_copy_str(st, 3, old_last, sizeof(old_last));
		cm_stmt_copy_str(st, 4, old_principal, sizeof(old_principal));
	}
	cm_stmt_close(st);
	st = NULL;
	if (id > 0 && old_principal[0] && strcasecmp(old_principal, r->principal) != 0) {
		cm_db_rollback(r->db);
		aed_fail(r, AED_PERSON_MISMATCH, 0, "person %lld with e-mail %s is bound to principal %s",
		    (long long)id, r->user.mail, old_principal);
		goto out;
	}
	if (id > 0 && old_org == r->org_id && strcmp(old_first, first) == 0 && strcmp(old_last, last) == 0 &&
	    strcmp(old_principal, r->principal) == 0) {
		cm_db_rollback(r->db);          /* nothing to change: nothing written */
		r->person_id = id;
		rc = 0;
		goto out;
	}
	if (person_json(&after, r->user.mail, first, last, r->principal, r->org_id) < 0)
		goto dberr;
	if (id == 0) {
		st = cm_db_prepare(r->db,
		    "INSERT INTO persons (customer_id, org_id, email, first_name, last_name, principal_name)"
		    " VALUES (?, ?, ?, ?, ?, ?)");
		if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_i64(st, 1, r->org_id) < 0 ||
		    cm_stmt_bind_str(st, 2, r->user.mail) < 0 || cm_stmt_bind_str(st, 3, first[0] ? first : NULL) < 0 ||
		    cm_stmt_bind_str(st, 4, last[0] ? last : NULL) < 0 || cm_stmt_bind_str(st, 5, r->principal) < 0 ||
		    cm_stmt_execute(st) < 0)
			goto dberr;
		id = (int64_t)cm_stmt_insert_id(st);
		if (audit_person(r, "person.create", id, NULL, after.data) < 0)
			goto dberr;
	} else {
		if (person_json(&before, r->user.mail, old_first, old_last, old_principal, old_org) < 0)
			goto dberr;
		/* A move to another organisation leaves the old one's department. */
		st = cm_db_prepare(r->db,
		    "UPDATE persons SET first_name = ?, last_name = ?, principal_name = ?,"
		    " dept_id = IF(org_id = ?, dept_id, NULL), org_id = ? WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_str(st, 0, first[0] ? first : NULL) < 0 ||
		    cm_stmt_bind_str(st, 1, last[0] ? last : NULL) < 0 || cm_stmt_bind_str(st, 2, r->principal) < 0 ||
		    cm_stmt_bind_i64(st, 3, r->org_id) < 0 || cm_stmt_bind_i64(st, 4, r->org_id) < 0 ||
		    cm_stmt_bind_i64(st, 5, id) < 0 || cm_stmt_bind_i64(st, 6, r->customer_id) < 0 ||
		    cm_stmt_execute(st) < 0)
			goto dberr;
		if (audit_person(r, "person.update", id, before.data, after.data) < 0)
			goto dberr;
	}
	/* Not committed here: the certificate's transaction (the lifecycle
	 * joins it) or, with no issuance, serve.c commits the row with a
	 * successful answer; any refusal rolls it back (a failure writes
	 * nothing but the request's audit row). */
	r->person_id = id;
	rc = 0;
	goto out;
dberr:
	aed_fail(r, AED_PERSON_SYNC, 0, "person %s: %s", r->user.mail, cm_db_error(r->db));
	cm_db_rollback(r->db);
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	cm_buf_free(&after);
	return rc;
}

/* 0 / -1; see autoenroll.h. */
int
aed_find_person(struct aed_req *r)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT id, COALESCE(principal_name, '') FROM persons"
	    " WHERE customer_id = ? AND email = ? AND deleted_at IS NULL ORDER BY id LIMIT 1");
	char principal[257] = "";
	int f, rc = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_str(st, 1, r->user.mail) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		aed_fail(r, AED_STATUS_FAILED, 0, "person %s: %s", r->user.mail, cm_db_error(r->db));
		goto out;
	}
	if (f == 0) {
		aed_fail(r, AED_UNKNOWN_PERSON, 0, "no person with e-mail %s (never enrolled)", r->user.mail);
		goto out;
	}
	cm_stmt_copy_str(st, 1, principal, sizeof(principal));
	if (principal[0] == '\0') {
		aed_fail(r, AED_NO_SYNCED_PERSON, 0, "person %lld (%s) was never synchronised from AD by autoenroll",
		    (long long)cm_stmt_i64(st, 0), r->user.mail);
		goto out;
	}
	if (strcasecmp(principal, r->principal) != 0) {
		aed_fail(r, AED_PERSON_MISMATCH, 0, "person %lld with e-mail %s is bound to principal %s",
		    (long long)cm_stmt_i64(st, 0), r->user.mail, principal);
		goto out;
	}
	r->person_id = cm_stmt_i64(st, 0);
	rc = 0;
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}
