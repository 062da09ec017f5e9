/* org_delete.c: POST /admin/organizations/#/delete — refused while certificates reference it, else a soft delete. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "org_model.h"
#include "policy.h"

/* Certificates that name the organisation; -1 on error. */
static long long
cert_count(struct admin_ctx *c, int64_t org_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db, "SELECT COUNT(*) FROM certificates WHERE org_id = ?");
	long long n = -1;

	if (st && cm_stmt_bind_i64(st, 0, org_id) == 0 && cm_stmt_execute(st) == 0 &&
	    cm_stmt_fetch(st) == 1)
		n = cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return n;
}

void
admin_org_delete(struct admin_ctx *c)
{
	struct admin_object o = { c->user.customer_id, c->id, 0, NULL };
	struct org_fields f;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	char msg[512];
	long long n;
	int found, r;

	memset(&f, 0, sizeof(f));
	cm_buf_init(&before, 65536);
	found = org_fields_load(c, KIND_ORG, c->id, &f);
	r = found == 1 && f.customer_id == c->user.customer_id ? admin_may(c, ACTION_VIEW, &o) : 0;
	if (found < 0 || r < 0)
		goto dberr;
	if (r != 1) {
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		goto out;
	}
	if ((r = admin_may(c, ACTION_DELETE, &o)) != 1) {
		if (r < 0)
			goto dberr;
		admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) deletes organisations.");
		goto out;
	}
	if (org_fields_json(&f, &before) < 0 || cm_db_begin(c->db) < 0)
		goto dberr;
	/* Counted inside the transaction, with the row locked, so no issuance slips in between. */
	st = cm_db_prepare(c->db, "SELECT id FROM organizations WHERE id = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_execute(st) < 0 ||
	    cm_stmt_fetch(st) < 0)
		goto rollback;
	cm_stmt_close(st);
	st = NULL;
	if ((n = cert_count(c, c->id)) < 0)
		goto rollback;
	if (n > 0) {
		cm_db_rollback(c->db);
		snprintf(msg, sizeof(msg),
		    "The organisation \"%s\" cannot be deleted: %lld certificate%s reference%s it. "
		    "Revoke or move them first; certificates are kept for the record.",
		    f.s[F_NAME], n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		admin_error(c, 409, "Organisation in use", msg);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE organizations SET deleted_at = UTC_TIMESTAMP() WHERE id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit_delete(c, &org_object, "organization.delete", c->id, before.data, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &org_object, "delete", c->id, "deleted");
out:
	if (st)
		cm_stmt_close(st);
	org_fields_free(&f);
	cm_buf_free(&before);
}
