/* scep_page.c: the SCEP section's overview (/admin/scep): whether SCEP is on, the enrollment URLs, the organisations and departments with self enrollment (access-code state, approval, renewal revocation) and the pending count; and an organisation's client_revoke_superseded switch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "scep_model.h"

/* Rows of the self-enrollment table; a customer with more organisations
 * and departments than this sees the first ones and a note. */
#define ENROLL_ROWS_MAX 500

/* Organisations the administrator holds whole, then departments in its
 * scope (an RAO's organisations' departments, a DRAO's own), each with its
 * organisation's client approval and renewal setting (departments follow
 * their organisation for both: lib/approval.c). */
static const char SQL_ENROLL[] =
	"SELECT 0 AS kind, o.id AS row_id, o.id AS org_id, o.name AS s_org, '' AS s_dept,"
	" o.client_self_enrollment, o.client_auto_approve, o.client_access_code_hash IS NOT NULL,"
	" COALESCE(o.client_access_code_hint, ''),"
	" COALESCE(DATE_FORMAT(o.client_access_code_set_at, '%Y-%m-%d %H:%i'), ''), o.client_revoke_superseded"
	" FROM organizations o WHERE o.customer_id = ? AND o.deleted_at IS NULL" ADMIN_ORG_HELD_SCOPE_SQL
	" UNION ALL"
	" SELECT 1, d.id, o.id, o.name, d.name,"
	" d.client_self_enrollment, o.client_auto_approve, d.client_access_code_hash IS NOT NULL,"
	" COALESCE(d.client_access_code_hint, ''),"
	" COALESCE(DATE_FORMAT(d.client_access_code_set_at, '%Y-%m-%d %H:%i'), ''), o.client_revoke_superseded"
	" FROM departments d JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL"
	" WHERE o.customer_id = ? AND d.deleted_at IS NULL" ADMIN_DEPT_SCOPE_SQL
	" ORDER BY s_org, org_id, kind, s_dept, row_id LIMIT 501";

/* The banners a redirect here may ask for. */
static const char *const banners[] = { "revoke-on", "revoke-off", "unchanged", NULL };

/* Puts the self-enrollment table under Enroll.N.*; 0, or -1 (logged). */
static int
enroll_render(struct admin_ctx *c)
{
	struct cm_stmt *st = cm_db_prepare(c->db, SQL_ENROLL);
	struct admin_object o;
	char v[512];
	long n = 0;
	int f = -1, rc = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_held_scope(st, 1, &c->user) < 0 ||
	    cm_stmt_bind_i64(st, 1 + ADMIN_ORG_HELD_SCOPE_NPARAMS, c->user.customer_id) < 0 ||
	    admin_bind_dept_scope(st, 2 + ADMIN_ORG_HELD_SCOPE_NPARAMS, &c->user) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while (n < ENROLL_ROWS_MAX && (f = cm_stmt_fetch(st)) == 1) {
		int dept = cm_stmt_i64(st, 0) == 1, vc, sc, ed = 0;
		int64_t id = cm_stmt_i64(st, 1);

		memset(&o, 0, sizeof(o));
		o.customer_id = c->user.customer_id;
		o.org_id = cm_stmt_i64(st, 2);
		o.dept_id = dept ? id : 0;
		if ((vc = admin_may(c, ACTION_VIEW_ACCESS_CODE, &o)) < 0 ||
		    (sc = admin_may(c, ACTION_SET_ACCESS_CODE, &o)) < 0)
			goto out;
		if (!dept) {
			o.cert_type = "client";
			if ((ed = admin_may(c, ACTION_EDIT, &o)) < 0)
				goto out;
		}
		cm_render_setf(c->r, dept ? "dept" : "org", "Enroll.%ld.kind", n);
		snprintf(v, sizeof(v), "%lld", (long long)id);
		cm_render_setf(c->r, v, "Enroll.%ld.id", n);
		cm_stmt_copy_str(st, 3, v, sizeof(v));
		cm_render_setf(c->r, v, "Enroll.%ld.org", n);
		cm_stmt_copy_str(st, 4, v, sizeof(v));
		cm_render_setf(c->r, v, "Enroll.%ld.dept", n);
		cm_render_setf(c->r, cm_stmt_i64(st, 5) == 1 ? "1" : "0", "Enroll.%ld.self", n);
		cm_render_setf(c->r, cm_stmt_i64(st, 6) == 1 ? "1" : "0", "Enroll.%ld.auto", n);
		cm_render_setf(c->r, cm_stmt_i64(st, 10) == 1 ? "1" : "0", "Enroll.%ld.revoke", n);
		/* The code's state only to those who may read codes (never a DRAO). */
		if (vc) {
			cm_render_setf(c->r, "1", "Enroll.%ld.show_code", n);
			cm_render_setf(c->r, cm_stmt_i64(st, 7) == 1 ? "1" : "0", "Enroll.%ld.code_set", n);
			cm_stmt_copy_str(st, 8, v, sizeof(v));
			cm_render_setf(c->r, v, "Enroll.%ld.hint", n);
			cm_stmt_copy_str(st, 9, v, sizeof(v));
			cm_render_setf(c->r, v, "Enroll.%ld.set_at", n);
		}
		if (sc)
			cm_render_setf(c->r, "1", "Enroll.%ld.may_rotate", n);
		if (ed)
			cm_render_setf(c->r, "1", "Enroll.%ld.may_edit", n);
		n++;
	}
	if (f < 0)
		goto out;
	if (n == ENROLL_ROWS_MAX && cm_stmt_fetch(st) == 1)
		cm_render_set(c->r, "EnrollMore", "1");
	rc = 0;
out:
	if (rc < 0)
		cm_err("SCEP self-enrollment table of %s: %s", c->user.principal, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* GET /admin/scep */
void
admin_scep_overview(struct admin_ctx *c)
{
	struct scep_type_row rows[SCEP_TYPES_MAX];
	const char *done = cm_req_query(c->req, "done");
	char url[512];
	long n, pending, k = 0;
	int on, codes;

	if (!scep_section_allowed(c))
		return;
	if (scep_enabled_load(c, 0, &on) < 0 || (n = scep_types_load(c, rows, SCEP_TYPES_MAX)) < 0 ||
	    (pending = scep_pending_count(c)) < 0 || enroll_render(c) < 0 ||
	    (codes = admin_may_somewhere(c, ACTION_VIEW_ACCESS_CODE, "client")) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP section could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Scep.enabled", on ? "1" : "0");
	for (long i = 0; i < n; i++) {
		if (!rows[i].enabled || scep_type_url(c, rows[i].type, url, sizeof(url)) < 0)
			continue;
		cm_render_setf(c->r, rows[i].type, "Urls.%ld.type", k);
		cm_render_setf(c->r, rows[i].profile, "Urls.%ld.profile", k);
		cm_render_setf(c->r, url, "Urls.%ld.url", k);
		k++;
	}
	cm_render_set_int(c->r, "Scep.pending", pending);
	if (admin_may_change_scep_settings(&c->user))
		cm_render_set(c->r, "Can.settings", "1");
	if (codes)
		cm_render_set(c->r, "Can.mobileconfig", "1");
	for (size_t i = 0; done != NULL && banners[i]; i++)
		if (strcmp(done, banners[i]) == 0)
			cm_render_set(c->r, "Banner.done", banners[i]);
	admin_page(c, "SCEP", "admin/scep.cs");
}

/*
 * POST /admin/scep/organizations/#/revoke-superseded: revoke_superseded=on|off,
 * whether a renewal through SCEP revokes the certificate it renews (as
 * superseded). Changed by those who edit the organisation's client tab.
 */
void
admin_scep_revoke_superseded(struct admin_ctx *c)
{
	const char *v = cm_req_form(c->req, "revoke_superseded");
	struct admin_object o = { c->user.customer_id, c->id, 0, NULL };
	struct cm_stmt *st = NULL;
	char before[48], after[48];
	int f = -1, may, was, on;

	if (!scep_section_allowed(c))
		return;
	if ((may = admin_may(c, ACTION_VIEW, &o)) < 0)
		goto dberr;
	if (may == 0) {
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		return;
	}
	o.cert_type = "client";
	if ((may = admin_may(c, ACTION_EDIT, &o)) < 0)
		goto dberr;
	if (may == 0) {
		admin_error(c, 403, "Not allowed",
		    "The renewal setting is changed by an MRAO, or an RAO of the organisation with client certificates.");
		return;
	}
	if (v == NULL || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)) {
		admin_error(c, 400, "Choose on or off", "Use the Revoke on renewal button in the SCEP section's table.");
		return;
	}
	on = strcmp(v, "on") == 0;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db,
	    "SELECT client_revoke_superseded FROM organizations WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"
	    " FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto dberr;
	if (f == 0) {
		cm_db_rollback(c->db);
		cm_stmt_close(st);
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		return;
	}
	was = cm_stmt_i64(st, 0) == 1;
	cm_stmt_close(st);
	st = NULL;
	if (was == on) {
		cm_db_rollback(c->db);
		cm_resp_redirect(c->resp, SCEP_PAGE "?done=unchanged");
		return;
	}
	st = cm_db_prepare(c->db, "UPDATE organizations SET client_revoke_superseded = ? WHERE id = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, on) < 0 || cm_stmt_bind_i64(st, 1, c->id) < 0 ||
	    cm_stmt_bind_i64(st, 2, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	snprintf(before, sizeof(before), "{\"client_revoke_superseded\":%d}", was);
	snprintf(after, sizeof(after), "{\"client_revoke_superseded\":%d}", on);
	if (admin_audit_object(c, "organization", "organization.client_revoke_superseded", c->id, before, after) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_info("%s set client_revoke_superseded of organisation %lld to %d", c->user.principal, (long long)c->id, on);
	cm_resp_redirect(c->resp, on ? SCEP_PAGE "?done=revoke-on" : SCEP_PAGE "?done=revoke-off");
	return;
dberr:
	cm_err("client_revoke_superseded of organisation %lld: %s", (long long)c->id, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The setting could not be saved; this has been logged.");
}
