/* approval.c: the approval rule, pure (cm_approval_auto) and read from an organisation's and department's settings (cm_auto_approves), and who may approve (not the requester). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "approval.h"
#include "log.h"

/* 1 auto-approve, 0 an administrator approves; see issuance.h. */
int
cm_approval_auto(const char *cert_type, const struct cm_approval_settings *s)
{
	if (cert_type == NULL)
		return 0;
	if (strcmp(cert_type, "ssl") == 0)
		return s->dept_ssl == 0 || s->dept_ssl == 1 ? s->dept_ssl : s->org_ssl != 0;
	if (strcmp(cert_type, "client") == 0)
		return s->org_client != 0;
	if (strcmp(cert_type, "codesign") == 0)
		return s->org_codesign != 0;
	/* OCSP-signing certificates sign for the CA: never without a person. */
	return 0;
}

/* 1 / 0 / -1; see issuance.h. */
int
cm_auto_approves(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id,
    const char *cert_type)
{
	static const struct cm_approval_settings all_auto = { 1, 1, 1, 1 };
	struct cm_approval_settings set;
	struct cm_stmt *st;
	int r = -1;

	/* A type never approved automatically (OCSP, unknown): nothing to read. */
	if (!cm_approval_auto(cert_type, &all_auto))
		return 0;
	/* A department that is not the organisation's reads as absent (answer
	 * 0), so a wrong pair never borrows another department's setting. */
	st = cm_db_prepare(db,
	    "SELECT o.ssl_auto_approve, o.client_auto_approve, o.codesign_auto_approve,"
	    " d.ssl_auto_approve, d.id IS NOT NULL FROM organizations o"
	    " LEFT JOIN departments d ON d.id = ? AND d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.id = ? AND o.customer_id = ? AND o.deleted_at IS NULL");
	if (st && cm_stmt_bind_i64(st, 0, dept_id) == 0 && cm_stmt_bind_i64(st, 1, org_id) == 0 &&
	    cm_stmt_bind_i64(st, 2, customer_id) == 0 && cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (r == 1 && dept_id > 0 && cm_stmt_i64(st, 4) == 0)
		r = 0;
	if (r == 1) {
		set.org_ssl = (int)cm_stmt_i64(st, 0);
		set.org_client = (int)cm_stmt_i64(st, 1);
		set.org_codesign = (int)cm_stmt_i64(st, 2);
		set.dept_ssl = dept_id > 0 && !cm_stmt_is_null(st, 3) ? (int)cm_stmt_i64(st, 3) : -1;
		r = cm_approval_auto(cert_type, &set);
	} else if (r < 0) {
		cm_err("approval setting of organisation %lld / department %lld: %s", (long long)org_id,
		    (long long)dept_id, cm_db_error(db));
	}
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 1 / 0; see approval.h. */
int
cm_is_requester(const char *requester, const char *approver)
{
	if (requester == NULL || approver == NULL || requester[0] == '\0')
		return 0;
	return strcasecmp(requester, approver) == 0;
}

/* 1 / 0 / -1; see approval.h. */
int
cm_approval_by_allowed(struct cm_db *db, int64_t customer_id, const char *requester,
    const char *approver)
{
	struct cm_stmt *st;
	int r = -1, f;

	if (!cm_is_requester(requester, approver))
		return 1;
	st = cm_db_prepare(db, "SELECT self_approve FROM customers WHERE id = ?");
	if (st && cm_stmt_bind_i64(st, 0, customer_id) == 0 && cm_stmt_execute(st) == 0 &&
	    (f = cm_stmt_fetch(st)) >= 0)
		r = f == 1 && cm_stmt_i64(st, 0) == 1;
	if (r < 0)
		cm_err("self-approval setting of customer %lld: %s", (long long)customer_id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	return r;
}
