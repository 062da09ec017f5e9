/* settings_form.c: the POST half shared by the organisation and department pages: read the form, check it, write the row and its audit row in one transaction, redirect. */
#include "config.h"

#include "admin_ctx.h"

#include "ad_server_model.h"
#include "settings_form.h"

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
	struct cm_buf b;
	int64_t row;

	cm_buf_init(&b, 65536);
	if (org_fields_from_form(c, f, r) < 0) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		goto out;
	}
	if (org_fields_check(c, f) > 0) {
		show(c, id, f, r, 400);
		goto out;
	}
	if ((before && org_fields_json(before, &b) < 0) || cm_db_begin(c->db) < 0)
		goto fail;
	/* Checked again under a share lock on the server row: an MRAO deleting
	 * that server at the same moment either waits for this binding (and
	 * then refuses, naming it) or has already deleted it (refused here). */
	if (f->kind == KIND_ORG && f->ad_server_id != 0) {
		int u = ad_server_usable(c, f->ad_server_id, 1);

		if (u < 0)
			goto fail;
		if (u == 0) {
			cm_db_rollback(c->db);
			cm_render_set(c->r, "Errors.ad_server", "That Active Directory server was just deleted; choose another, or none.");
			show(c, id, f, r, 400);
			goto out;
		}
	}
	if ((row = write_row(c, id, f, w)) >= 0 &&
	    edit_commit(c, w->obj, w->action, row, before ? b.data : NULL) == 0)
		goto out;
fail:
	edit_fail(c, w->obj, w->action, id, "saved");
out:
	cm_buf_free(&b);
}
