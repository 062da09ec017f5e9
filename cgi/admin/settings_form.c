/* settings_form.c: the POST half shared by the organisation and department pages: read the form, check it, write the row and its audit row in one transaction, redirect. */
#include "config.h"

#include <stdio.h>

#include "admin_ctx.h"

#include "ad_server_model.h"
#include "log.h"
#include "settings_form.h"

/* Writes the audit row of action for org id in the caller's transaction; 0 or -1. */
static int
audit_org(struct admin_ctx *c, const char *action, int64_t id, const struct org_fields *before,
    const struct org_fields *after)
{
	struct cm_buf b, a;
	int rc = -1;

	cm_buf_init(&b, 65536);
	cm_buf_init(&a, 65536);
	if ((before && org_fields_json(before, &b) < 0) || (after && org_fields_json(after, &a) < 0))
		goto out;
	rc = admin_audit_object(c, after && after->kind == KIND_DEPT ? "department" :
	    before && before->kind == KIND_DEPT ? "department" : "organization",
	    action, id, before ? b.data : NULL, after ? a.data : NULL);
out:
	cm_buf_free(&b);
	cm_buf_free(&a);
	return rc;
}

/* 0 or -1; see org_model.h. */
int
org_audit(struct admin_ctx *c, const char *action, int64_t id, const struct org_fields *before,
    const struct org_fields *after)
{
	return audit_org(c, action, id, before, after);
}

/* Runs w's statement for f; the row's id (an INSERT's new one), or -1 (database). */
static int64_t
write_row(struct admin_ctx *c, int64_t id, const struct org_fields *f, const struct settings_write *w)
{
	struct cm_stmt *st = w->prepare(c->db);
	unsigned idx = 0;
	int n;

	if (st == NULL || (w->pre > 0 && cm_stmt_bind_i64(st, idx++, w->pre) < 0) ||
	    (n = org_fields_bind(f, st, idx)) < 0)
		goto fail;
	for (size_t i = 0; i < w->npost; i++)
		if (cm_stmt_bind_i64(st, (unsigned)n + (unsigned)i, w->post[i]) < 0)
			goto fail;
	if (cm_stmt_execute(st) < 0)
		goto fail;
	if (id == 0)
		id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	return id;
fail:
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* Answers the request; see settings_form.h. */
void
settings_form_submit(struct admin_ctx *c, int64_t id, const struct org_fields *before,
    struct org_fields *f, const struct org_rights *r, const struct settings_write *w,
    settings_show_fn *show)
{
	const char *what = f->kind == KIND_DEPT ? "department" : "organisation";
	char loc[96];
	int64_t row;

	if (org_fields_from_form(c, f, r) < 0) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		return;
	}
	if (org_fields_check(c, f) > 0) {
		show(c, id, f, r, 400);
		return;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	/* Checked again under a share lock on the server row: an MRAO deleting
	 * that server at the same moment either waits for this binding (and
	 * then refuses, naming it) or has already deleted it (refused here). */
	if (f->kind == KIND_ORG && f->ad_server_id != 0) {
		int u = ad_server_usable(c, f->ad_server_id, 1);

		if (u < 0)
			goto rollback;
		if (u == 0) {
			cm_db_rollback(c->db);
			cm_render_set(c->r, "Errors.ad_server", "That Active Directory server was just deleted; choose another, or none.");
			show(c, id, f, r, 400);
			return;
		}
	}
	if ((row = write_row(c, id, f, w)) < 0)
		goto rollback;
	if (id == 0 && f->kind == KIND_ORG)
		f->org_id = row;
	if (org_audit(c, w->action, row, before, f) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	snprintf(loc, sizeof(loc), "%s%lld", w->page, (long long)row);
	cm_resp_redirect(c->resp, loc);
	return;
rollback:
	cm_db_rollback(c->db);
dberr:
	cm_err("%s %s %lld: %s", w->action, what, (long long)id, cm_db_error(c->db));
	if (f->kind == KIND_DEPT)
		admin_error(c, 500, "Internal error", "The department could not be saved; this has been logged.");
	else
		admin_error(c, 500, "Internal error", "The organisation could not be saved; this has been logged.");
}
