/* admins_edit.c: administrator pages: new (MRAO, RAO for DRAOs), detail, edit and soft delete. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admins_model.h"
#include "confirm.h"
#include "edit_commit.h"
#include "log.h"

/* edit_commit's JSON of administrator id as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	struct admins_row row;

	return admins_row_load(c, id, 0, &row) == 1 ? admins_row_json(&row, b) : -1;
}

static const struct edit_object admin_object = {
	"admin", "administrator", "/admin/admins/", "/admin/admins", stored_json
};

/* Renders the form page: row NULL for a new administrator. */
static void
show(struct admin_ctx *c, const struct admins_row *row, const struct admins_form *f, int status,
    int can_edit, int can_delete)
{
	const char *ended;
	char id[32];

	if (admins_form_render(c, f) < 0) {
		cm_err("administrator form: %s", cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The form could not be prepared; this has been logged.");
		return;
	}
	if (row) {
		snprintf(id, sizeof(id), "%" PRId64, row->id);
		cm_render_set_list(c->r,
		    "Admin.id", id,
		    "Admin.principal", row->principal,
		    "Admin.scope", row->scope_label,
		    "Admin.enabled", row->enabled ? "1" : "0",
		    "Admin.self", row->id == c->user.id ? "1" : "0",
		    NULL);
	}
	cm_render_set(c->r, "Can.edit", can_edit ? "1" : "0");
	cm_render_set(c->r, "Can.delete", can_delete ? "1" : "0");
	cm_render_set(c->r, "Can.end_sessions", row && admin_may_end_sessions(&c->user) ? "1" : "0");
	/* The banner after admin_admins_sessions_end's redirect: a count, nothing else. */
	if (row && (ended = cm_req_query(c->req, "sessions_ended")) != NULL &&
	    strspn(ended, "0123456789") == strlen(ended) && ended[0] && strlen(ended) < 8)
		cm_render_set(c->r, "Banner.sessions_ended", ended);
	c->resp->status = status;
	admin_page(c, row ? row->principal : "New administrator", "admin/admins_form.cs");
}

void
admin_admins_new_form(struct admin_ctx *c)
{
	struct admins_form f;

	memset(&f, 0, sizeof(f));
	snprintf(f.role, sizeof(f.role), "%s", admin_may_grant_role(&c->user, "rao") ? "rao" : "drao");
	f.ssl = admin_has_type(&c->user, "ssl");
	f.client = admin_has_type(&c->user, "client");
	f.codesign = admin_has_type(&c->user, "codesign");
	show(c, NULL, &f, 200, 1, 0);
}

void
admin_admins_create(struct admin_ctx *c)
{
	struct admins_form f;
	char loc[64];
	int64_t id;

	admins_form_read(c, &f, 1);
	switch (admins_add(c, &f, &id)) {
	case ADMINS_ADDED:
		snprintf(loc, sizeof(loc), "/admin/admins/%" PRId64, id);
		cm_resp_redirect(c->resp, loc);
		return;
	case ADMINS_ADD_INVALID:
		admins_form_errors_render(c, &f);
		show(c, NULL, &f, 400, 1, 0);
		return;
	case ADMINS_ADD_DENIED:
		admins_form_errors_render(c, &f);
		show(c, NULL, &f, 403, 1, 0);
		return;
	case ADMINS_ADD_TAKEN:
		admins_form_errors_render(c, &f);
		show(c, NULL, &f, 409, 1, 0);
		return;
	case ADMINS_ADD_DBERR:
		break;
	}
	edit_fail(c, &admin_object, "add", 0, "saved");
}

/* Loads administrator c->id and what the caller may do with it; 1 ready,
 * 0 an error page was sent. */
static int
load(struct admin_ctx *c, struct admins_row *row, int *can_edit, int *can_delete)
{
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES];
	struct admin_target t;
	long n;
	int found = admins_row_load(c, c->id, 0, row), v = 0, m = 0;

	n = admin_scopes_load(c, mine);
	if (found == 1 && n >= 0) {
		admins_row_target(row, &t);
		v = admin_policy_admin(&c->user, mine, (size_t)n, ACTION_VIEW_ADMIN, &t);
		m = v && admin_policy_admin(&c->user, mine, (size_t)n, ACTION_MANAGE_ADMINS, &t);
	}
	if (found < 0 || n < 0) {
		cm_err("administrator %" PRId64 ": %s", c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The administrator could not be read; this has been logged.");
		return 0;
	}
	if (!v) {
		admin_error(c, 404, "Not found", "There is no such administrator among yours.");
		return 0;
	}
	*can_edit = m;
	*can_delete = m && row->id != c->user.id;
	return 1;
}

/*
 * Begins the transaction and reads administrator row->id again, locked,
 * into cur. A change that takes the MRAO role from cur (new_role other
 * than "mrao", or NULL: a deletion) is refused while cur is the customer's
 * last enabled MRAO: 409 with msg under Errors.<field> on the page of row
 * and f. 1 go on (transaction open); 0 answered (rolled back); -1 database
 * error (the caller calls edit_fail).
 */
static int
lock_for_change(struct admin_ctx *c, const struct admins_row *row, const struct admins_form *f, int e,
    int d, const char *new_role, const char *field, const char *msg, struct admins_row *cur)
{
	long mraos;
	int r;

	if (cm_db_begin(c->db) < 0 || (r = admins_row_load(c, row->id, 1, cur)) < 0)
		return -1;
	if (r == 0) {
		cm_db_rollback(c->db);
		admin_error(c, 404, "Not found", "The administrator was deleted meanwhile.");
		return 0;
	}
	if (strcmp(cur->role, "mrao") == 0 && cur->enabled && (new_role == NULL || strcmp(new_role, "mrao") != 0)) {
		if ((mraos = admins_mrao_count(c)) < 0)
			return -1;
		if (mraos <= 1) {
			cm_db_rollback(c->db);
			cm_render_setf(c->r, msg, "Errors.%s", field);
			show(c, row, f, 409, e, d);
			return 0;
		}
	}
	return 1;
}

void
admin_admins_view(struct admin_ctx *c)
{
	struct admins_row row;
	struct admins_form f;
	int e, d;

	if (!load(c, &row, &e, &d))
		return;
	admins_form_from_row(&f, &row);
	show(c, &row, &f, 200, e, d);
}

void
admin_admins_save(struct admin_ctx *c)
{
	struct admins_row row, cur;
	struct admins_form f;
	struct admin_target t;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	int e, d, r;

	cm_buf_init(&before, 16384);
	if (!load(c, &row, &e, &d))
		goto out;
	if (!e) {
		admin_error(c, 403, "Not allowed", "You may look at this administrator but not change it.");
		goto out;
	}
	admins_form_read(c, &f, 0);
	snprintf(f.principal, sizeof(f.principal), "%s", row.principal);
	if ((r = admins_form_check(c, &f, 0)) < 0)
		goto dberr;
	if (r > 0) {
		admins_form_errors_render(c, &f);
		show(c, &row, &f, 400, e, d);
		goto out;
	}
	admins_form_target(&f, c->user.customer_id, row.id, &t);
	if ((r = admins_may_manage(c, &t)) < 0)
		goto dberr;
	if (r == 0) {
		cm_render_set(c->r, "Errors.scope",
		    "You may not give an administrator this role, organisation or department, or these certificate types.");
		show(c, &row, &f, 403, e, d);
		goto out;
	}
	if ((r = lock_for_change(c, &row, &f, e, d, f.role, "role",
	    "This is the last MRAO of the customer: add another MRAO before changing this one's role.", &cur)) < 0)
		goto dberr;
	if (r == 0)
		goto out;
	st = cm_db_prepare(c->db,
	    "UPDATE admins SET name = ?, email = ?, role = ?, cert_types = ? WHERE id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, f.name) < 0 || cm_stmt_bind_str(st, 1, f.email) < 0 ||
	    cm_stmt_bind_str(st, 2, f.role) < 0 || cm_stmt_bind_str(st, 3, f.types) < 0 ||
	    cm_stmt_bind_i64(st, 4, cur.id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (cm_admin_scopes_replace(c->db, cur.id, &f.sc, f.sc.org_id > 0 ? 1 : 0) < 0 || admins_row_json(&cur, &before) < 0 ||
	    edit_commit(c, &admin_object, "admin.update", cur.id, before.data) < 0)
		goto rollback;
	goto out;
rollback:
dberr:
	edit_fail(c, &admin_object, "update", c->id, "saved");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

void
admin_admins_delete(struct admin_ctx *c)
{
	struct admins_row row, cur;
	struct admins_form f;
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	const char *confirm = cm_req_form(c->req, "confirm");
	int e, d, r;

	cm_buf_init(&before, 16384);
	cm_buf_init(&after, 16384);
	if (!load(c, &row, &e, &d))
		goto out;
	if (!e) {
		admin_error(c, 403, "Not allowed", "You may look at this administrator but not delete it.");
		goto out;
	}
	admins_form_from_row(&f, &row);
	if (row.id == c->user.id) {
		cm_render_set(c->r, "Errors.delete", "You cannot delete yourself; ask another MRAO.");
		show(c, &row, &f, 409, e, d);
		goto out;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		cm_render_set(c->r, "Errors.delete", "Tick the box to confirm the deletion.");
		show(c, &row, &f, 400, e, d);
		goto out;
	}
	if ((r = lock_for_change(c, &row, &f, e, d, NULL, "delete",
	    "This is the last MRAO of the customer and cannot be deleted.", &cur)) < 0)
		goto dberr;
	if (r == 0)
		goto out;
	st = cm_db_prepare(c->db,
	    "UPDATE admins SET enabled = 0, deleted_at = UTC_TIMESTAMP() WHERE id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, cur.id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (admins_row_json(&cur, &before) < 0)
		goto rollback;
	cur.enabled = 0;
	/* The row is soft deleted: its after-image is the row disabled, not a read-back. */
	if (admins_row_json(&cur, &after) < 0 ||
	    edit_commit_delete(c, &admin_object, "admin.delete", cur.id, before.data, after.data) < 0)
		goto rollback;
	cm_info("admin %s deleted %s", c->user.principal, cur.principal);
	goto out;
rollback:
dberr:
	edit_fail(c, &admin_object, "delete", c->id, "deleted");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	cm_buf_free(&after);
}

/* GET: the confirmation page of a deletion (the POST is admin_admins_delete). */
void
admin_admins_delete_confirm(struct admin_ctx *c)
{
	struct admins_row row;
	char title[320], page[64], action[80];
	int e, d;
	struct admin_confirm cf = {
		.consequence = "The administrator is disabled and marked deleted: the Kerberos login no longer "
		    "opens certmint, from the next request on. Certificates and audit rows stay.",
		.button = "Delete administrator",
		.hidden_name = "confirm", .hidden_value = "1",
	};

	if (!load(c, &row, &e, &d))
		return;
	if (!d) {
		admin_error(c, 403, "Not allowed", row.id == c->user.id ?
		    "You cannot delete yourself; ask another MRAO." :
		    "You may look at this administrator but not delete it.");
		return;
	}
	snprintf(title, sizeof(title), "Delete the administrator %s?", row.principal);
	snprintf(page, sizeof(page), "/admin/admins/%" PRId64, row.id);
	snprintf(action, sizeof(action), "%s/delete", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Kerberos principal";
	cf.value[0] = row.principal;
	cf.label[1] = "Name";
	cf.value[1] = row.name[0] ? row.name : "(none)";
	cf.label[2] = "Role";
	cf.value[2] = row.role;
	cf.label[3] = "Organisation / department";
	cf.value[3] = row.scope_label[0] ? row.scope_label : "whole customer";
	admin_confirm_page(c, &cf, 200);
}

/* Loads administrator c->id for ending its sessions: 1 yes; 0 answered
 * (404 as load(), 403 when the policy says no). */
static int
load_for_sessions(struct admin_ctx *c, struct admins_row *row)
{
	int e, d;

	if (!load(c, row, &e, &d))
		return 0;
	if (!admin_may_end_sessions(&c->user)) {
		admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) ends other administrators' sessions.");
		return 0;
	}
	return 1;
}

/* GET: what ending the administrator's sessions does, with their count. */
void
admin_admins_sessions_confirm(struct admin_ctx *c)
{
	struct admins_row row;
	struct cm_stmt *st = NULL;
	char title[320], page[64], action[80], count[32];
	struct admin_confirm cf = {
		.consequence = "Every certmint session of this administrator ends now: the next request from "
		    "any of their browsers starts a new session (a new login, in the audit log), and a "
		    "form they had open is refused. Their account stays enabled; to lock them out, "
		    "delete or disable the administrator instead.",
		.button = "End sessions",
		.hidden_name = "confirm", .hidden_value = "1",
	};

	if (!load_for_sessions(c, &row))
		return;
	st = cm_db_prepare(c->db, "SELECT COUNT(*) FROM sessions WHERE kind = 'admin' AND subject = ?"
	    " AND expires_at > UTC_TIMESTAMP()");
	if (st == NULL || cm_stmt_bind_str(st, 0, row.principal) < 0 || cm_stmt_execute(st) < 0 ||
	    cm_stmt_fetch(st) != 1) {
		cm_stmt_close(st);
		edit_fail(c, &admin_object, "sessions of", row.id, "read");
		return;
	}
	snprintf(count, sizeof(count), "%lld", (long long)cm_stmt_i64(st, 0));
	cm_stmt_close(st);
	snprintf(title, sizeof(title), "End the sessions of %s?", row.principal);
	snprintf(page, sizeof(page), "/admin/admins/%" PRId64, row.id);
	snprintf(action, sizeof(action), "%s/sessions/end", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Kerberos principal";
	cf.value[0] = row.principal;
	cf.label[1] = "Open sessions";
	cf.value[1] = count;
	if (row.id == c->user.id)
		cf.warning = "This is you: this browser's session ends too.";
	admin_confirm_page(c, &cf, 200);
}

/* POST: deletes every session of the administrator, audited in the same
 * transaction, then back to their page with the count in a banner. */
void
admin_admins_sessions_end(struct admin_ctx *c)
{
	struct admins_row row;
	char after[64], loc[96];
	long n;

	if (!load_for_sessions(c, &row))
		return;
	/* As a deletion: only the confirmation page's form carries confirm=1. */
	if (cm_req_form(c->req, "confirm") == NULL || strcmp(cm_req_form(c->req, "confirm"), "1") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the End sessions button on the administrator's page.");
		return;
	}
	if (cm_db_begin(c->db) < 0 || (n = cm_session_end_subject(c->db, "admin", row.principal)) < 0)
		goto fail;
	snprintf(after, sizeof(after), "{\"sessions_ended\":%ld}", n);
	if (admin_audit_object(c, "admin", "admin.sessions.end", row.id, NULL, after) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto fail;
	cm_info("admin %s ended %ld session(s) of %s", c->user.principal, n, row.principal);
	snprintf(loc, sizeof(loc), "/admin/admins/%" PRId64 "?sessions_ended=%ld", row.id, n);
	cm_resp_redirect(c->resp, loc);
	return;
fail:
	edit_fail(c, &admin_object, "end sessions of", row.id, "changed");
}
