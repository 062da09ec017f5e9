/* dept_edit.c: department pages under an organisation: new (MRAO/RAO), view/edit with the same tabs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "issuance.h"
#include "org_model.h"
#include "policy.h"
#include "settings_form.h"

/* settings_show_fn: the department page (dept_id 0: the new-department form). */
static void
show(struct admin_ctx *c, int64_t dept_id, const struct org_fields *f, const struct org_rights *r,
    int status)
{
	/* What the organisation's approval settings are now: SSL next to the
	 * department's "as the organisation" choice, client and code signing
	 * (which a department always follows) on their tabs. Best effort: a
	 * database error is logged and the hint left out. */
	static const struct {
		const char *type, *var;
	} hints[] = {
		{ "ssl", "Org.auto_approve" },
		{ "client", "Org.client_auto_approve" },
		{ "codesign", "Org.codesign_auto_approve" },
	};

	org_fields_render(c, f, r);
	cm_render_set_int(c->r, "Org.id", (long)f->org_id);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		int a = cm_auto_approves(c->db, f->customer_id, f->org_id, 0, hints[i].type);

		if (a >= 0)
			cm_render_set(c->r, hints[i].var, a ? "1" : "0");
	}
	if (dept_id > 0)
		cm_render_set_int(c->r, "Dept.id", (long)dept_id);
	c->resp->status = status;
	admin_page(c, dept_id > 0 ? f->s[F_NAME] : "New department", "admin/dept_form.cs");
}

/* For the new-department pages: the organisation c->id and the rights on it;
 * 1 ready, 0 an error page was sent. */
static int
load_parent(struct admin_ctx *c, struct org_fields *f, struct org_rights *r)
{
	struct admin_object o = { c->user.customer_id, c->id, 0, NULL };
	struct org_fields org;
	int found, v, m = 0;

	memset(&org, 0, sizeof(org));
	found = org_fields_load(c, KIND_ORG, c->id, &org);
	v = found == 1 && org.customer_id == c->user.customer_id ? admin_may(c, ACTION_VIEW, &o) : 0;
	if (v == 1)
		m = admin_may(c, ACTION_MANAGE_DEPTS, &o);
	if (found < 0 || v < 0 || m < 0 || (m == 1 && org_rights_get(c, &o, r) < 0) ||
	    org_fields_defaults(f, KIND_DEPT) < 0) {
		org_fields_free(&org);
		admin_error(c, 500, "Internal error", "The organisation could not be read; this has been logged.");
		return 0;
	}
	f->customer_id = org.customer_id;
	f->org_id = c->id;
	free(f->org_name);
	f->org_name = org.org_name;
	org.org_name = NULL;
	org_fields_free(&org);
	if (v != 1) {
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		return 0;
	}
	if (m != 1) {
		admin_error(c, 403, "Not allowed", "Departments are added by an MRAO or an RAO of the organisation.");
		return 0;
	}
	return 1;
}

void
admin_dept_new_form(struct admin_ctx *c)
{
	struct org_fields f;
	struct org_rights r;

	memset(&f, 0, sizeof(f));
	if (load_parent(c, &f, &r))
		show(c, 0, &f, &r, 200);
	org_fields_free(&f);
}

/* The new department: the organisation, then org_fields_bind()'s columns. */
static struct cm_stmt *
prepare_dept_insert(struct cm_db *db)
{
	return cm_db_prepare(db,
	    "INSERT INTO departments (org_id, name, ssl_allowed_terms,"
	    " client_self_enrollment, client_key_recovery_org, client_key_recovery_dept,"
	    " client_allow_principal_name, client_allow_principal_name_custom, ssl_auto_approve,"
	    " codesign_enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
}

void
admin_dept_create(struct admin_ctx *c)
{
	struct org_fields f;
	struct org_rights r;
	struct settings_write w = {
		prepare_dept_insert,
		c->id, { 0, 0 }, 0, "department.create", &dept_object
	};

	memset(&f, 0, sizeof(f));
	if (load_parent(c, &f, &r))
		settings_form_submit(c, 0, NULL, &f, &r, &w, show);
	org_fields_free(&f);
}

/* Loads department c->id and the rights on it; 1 ready, 0 an error page was sent. */
static int
load_dept(struct admin_ctx *c, struct org_fields *f, struct org_rights *r)
{
	struct admin_object o = { c->user.customer_id, 0, c->id, NULL };
	int found = org_fields_load(c, KIND_DEPT, c->id, f), v = 0;

	if (found == 1 && f->customer_id == c->user.customer_id) {
		o.org_id = f->org_id;
		v = admin_may(c, ACTION_VIEW, &o);
	}
	if (found < 0 || v < 0 || (v == 1 && org_rights_get(c, &o, r) < 0)) {
		admin_error(c, 500, "Internal error", "The department could not be read; this has been logged.");
		return 0;
	}
	if (v != 1) {
		admin_error(c, 404, "Not found", "There is no such department among yours.");
		return 0;
	}
	return 1;
}

void
admin_dept_view(struct admin_ctx *c)
{
	struct org_fields f;
	struct org_rights r;

	memset(&f, 0, sizeof(f));
	if (load_dept(c, &f, &r))
		show(c, c->id, &f, &r, 200);
	org_fields_free(&f);
}

/* org_fields_bind()'s columns, then the id. */
static struct cm_stmt *
prepare_dept_update(struct cm_db *db)
{
	return cm_db_prepare(db,
	    "UPDATE departments SET name = ?, ssl_allowed_terms = ?,"
	    " client_self_enrollment = ?, client_key_recovery_org = ?, client_key_recovery_dept = ?,"
	    " client_allow_principal_name = ?, client_allow_principal_name_custom = ?,"
	    " ssl_auto_approve = ?, codesign_enabled = ? WHERE id = ? AND deleted_at IS NULL");
}

void
admin_dept_save(struct admin_ctx *c)
{
	struct org_fields before, f;
	struct org_rights r;
	struct settings_write w = {
		prepare_dept_update,
		0, { c->id, 0 }, 1, "department.update", &dept_object
	};

	memset(&before, 0, sizeof(before));
	memset(&f, 0, sizeof(f));
	if (!load_dept(c, &before, &r))
		goto out;
	if (!r.edit) {
		admin_error(c, 403, "Not allowed", "You may look at this department but not change it.");
		goto out;
	}
	if (org_fields_load(c, KIND_DEPT, c->id, &f) != 1) {
		admin_error(c, 500, "Internal error", "The department could not be read; this has been logged.");
		goto out;
	}
	settings_form_submit(c, c->id, &before, &f, &r, &w, show);
out:
	org_fields_free(&before);
	org_fields_free(&f);
}
