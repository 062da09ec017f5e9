/* org_delete.c: /admin/organizations/#/delete — GET asks for confirmation, POST deletes (refused while certificates reference it, else a soft delete). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "confirm.h"
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

/* Loads organisation c->id into f when the administrator may delete it:
 * 1 yes; 0 answered (404 out of scope or missing, 403 not allowed, 500). */
static int
load_deletable(struct admin_ctx *c, struct org_fields *f)
{
	struct admin_object o = { c->user.customer_id, c->id, 0, NULL };
	int found, r;

	found = org_fields_load(c, KIND_ORG, c->id, f);
	r = found == 1 && f->customer_id == c->user.customer_id ? admin_may(c, ACTION_VIEW, &o) : 0;
	if (found >= 0 && r == 1 && (r = admin_may(c, ACTION_DELETE, &o)) == 0)
		r = 2;    /* visible, not deletable */
	if (found < 0 || r < 0) {
		edit_fail(c, &org_object, "delete", c->id, "read");
		return 0;
	}
	if (r == 0) {
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		return 0;
	}
	if (r == 2) {
		admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) deletes organisations.");
		return 0;
	}
	return 1;
}

/* GET: what deleting the organisation does, and the button that does it. */
void
admin_org_delete_confirm(struct admin_ctx *c)
{
	struct org_fields f;
	char title[400], page[64], action[80], count[32];
	long long n;
	struct admin_confirm cf = {
		.consequence = "The organisation is marked deleted: it leaves every list with its departments, "
		    "and no certificate can be requested for it any more. "
		    "The record is kept for the audit log.",
		.button = "Delete organisation",
	};

	memset(&f, 0, sizeof(f));
	if (!load_deletable(c, &f))
		goto out;
	if ((n = cert_count(c, c->id)) < 0) {
		edit_fail(c, &org_object, "delete", c->id, "read");
		goto out;
	}
	snprintf(title, sizeof(title), "Delete the organisation %s?", f.s[F_NAME]);
	snprintf(page, sizeof(page), "/admin/organizations/%lld", (long long)c->id);
	snprintf(action, sizeof(action), "%s/delete", page);
	snprintf(count, sizeof(count), "%lld", n);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Organisation";
	cf.value[0] = f.s[F_NAME];
	cf.label[1] = "Certificates that reference it";
	cf.value[1] = count;
	if (n > 0)
		cf.warning = "The deletion will be refused while certificates reference the organisation: "
		    "revoke or move them first.";
	admin_confirm_page(c, &cf, 200);
out:
	org_fields_free(&f);
}

/* POST: deletes after admin_org_delete_confirm's page. */
void
admin_org_delete(struct admin_ctx *c)
{
	struct org_fields f;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	char msg[512];
	long long n;

	memset(&f, 0, sizeof(f));
	cm_buf_init(&before, 65536);
	if (!load_deletable(c, &f))
		goto out;
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
