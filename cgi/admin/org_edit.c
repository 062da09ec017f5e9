/* org_edit.c: organisation pages: new (MRAO), view/edit with the client-certificate, SSL and code-signing tabs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ad_server_model.h"
#include "log.h"
#include "org_model.h"
#include "policy.h"
#include "settings_form.h"

#define MAX_DEPTS 500

/* Lists the departments of org the administrator may see; 0 or -1. */
static int
render_depts(struct admin_ctx *c, int64_t org_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT d.id, d.name, d.client_self_enrollment FROM departments d"
	    " WHERE d.org_id = ? AND d.deleted_at IS NULL"
	    ADMIN_DEPT_SCOPE_SQL
	    " ORDER BY d.name, d.id LIMIT 500");
	char id[32];
	size_t n = 0;

	if (st == NULL || cm_stmt_bind_i64(st, 0, org_id) < 0 || admin_bind_dept_scope(st, 1, &c->user) < 0 ||
	    cm_stmt_execute(st) < 0) {
		cm_err("departments of %lld: %s", (long long)org_id, cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	for (; n < MAX_DEPTS && cm_stmt_fetch(st) == 1; n++) {
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Depts.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Depts.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_i64(st, 2) ? "on" : "off", "Depts.%zu.self_enrollment", n);
	}
	cm_stmt_close(st);
	return 0;
}

/* settings_show_fn: the organisation page (id 0: the new-organisation form). */
static void
show(struct admin_ctx *c, int64_t id, const struct org_fields *f, const struct org_rights *r, int status)
{
	org_fields_render(c, f, r);
	if (id > 0) {
		cm_render_set_int(c->r, "Org.id", (long)id);
		if (render_depts(c, id) < 0) {
			admin_error(c, 500, "Internal error", "The departments could not be read; this has been logged.");
			return;
		}
	}
	if (ad_server_render_binding(c, f->ad_server_id, r->view_ad, r->bind_ad) < 0) {
		admin_error(c, 500, "Internal error", "The AD servers could not be read; this has been logged.");
		return;
	}
	c->resp->status = status;
	admin_page(c, id > 0 ? f->s[F_NAME] : "New organisation", "admin/org_form.cs");
}

static const struct org_rights all_rights = { 1, 1, 1, 1, 1, 1, 0, 0, 1, 1 };

void
admin_org_new_form(struct admin_ctx *c)
{
	struct admin_object o = { c->user.customer_id, 0, 0, NULL };
	struct org_fields f;

	if (!edit_allowed(c, admin_may(c, ACTION_CREATE, &o), "Only a master administrator (MRAO) creates organisations."))
		return;
	if (org_fields_defaults(&f, KIND_ORG) < 0) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		org_fields_free(&f);
		return;
	}
	show(c, 0, &f, &all_rights, 200);
	org_fields_free(&f);
}

/* The new organisation: the customer, then org_fields_bind()'s columns. */
static struct cm_stmt *
prepare_org_insert(struct cm_db *db)
{
	return cm_db_prepare(db,
	    "INSERT INTO organizations (customer_id, name, address1, address2, city, state, postal_code,"
	    " country, ssl_allowed_terms, client_self_enrollment, client_web_api,"
	    " client_key_recovery_mrao, client_key_recovery_org, client_allow_principal_name,"
	    " client_allow_principal_name_custom, ssl_auto_approve, codesign_enabled,"
	    " client_auto_approve, codesign_auto_approve, ad_server_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
}

void
admin_org_create(struct admin_ctx *c)
{
	struct admin_object o = { c->user.customer_id, 0, 0, NULL };
	struct org_fields f;
	struct settings_write w = {
		prepare_org_insert,
		c->user.customer_id, { 0, 0 }, 0, "organization.create", &org_object
	};

	if (!edit_allowed(c, admin_may(c, ACTION_CREATE, &o), "Only a master administrator (MRAO) creates organisations."))
		return;
	if (org_fields_defaults(&f, KIND_ORG) < 0)
		admin_error(c, 500, "Internal error", "Out of memory.");
	else
		settings_form_submit(c, 0, NULL, &f, &all_rights, &w, show);
	org_fields_free(&f);
}

/* Loads c->id and the rights on it; 1 ready, 0 an error page was sent. */
static int
load_org(struct admin_ctx *c, struct org_fields *f, struct org_rights *r)
{
	struct admin_object o = { c->user.customer_id, c->id, 0, NULL };
	int found = org_fields_load(c, KIND_ORG, c->id, f);
	int v = found == 1 && f->customer_id == c->user.customer_id ? admin_may(c, ACTION_VIEW, &o) : 0;

	if (found < 0 || v < 0 || (v == 1 && org_rights_get(c, &o, r) < 0)) {
		admin_error(c, 500, "Internal error", "The organisation could not be read; this has been logged.");
		return 0;
	}
	if (v != 1) {
		/* Out of scope looks the same as absent: nothing is learnt. */
		admin_error(c, 404, "Not found", "There is no such organisation among yours.");
		return 0;
	}
	return 1;
}

void
admin_org_view(struct admin_ctx *c)
{
	struct org_fields f;
	struct org_rights r;

	memset(&f, 0, sizeof(f));
	if (load_org(c, &f, &r))
		show(c, c->id, &f, &r, 200);
	org_fields_free(&f);
}

/* org_fields_bind()'s columns, then the id and the customer. */
static struct cm_stmt *
prepare_org_update(struct cm_db *db)
{
	return cm_db_prepare(db,
	    "UPDATE organizations SET name = ?, address1 = ?, address2 = ?, city = ?, state = ?,"
	    " postal_code = ?, country = ?, ssl_allowed_terms = ?,"
	    " client_self_enrollment = ?, client_web_api = ?, client_key_recovery_mrao = ?,"
	    " client_key_recovery_org = ?, client_allow_principal_name = ?,"
	    " client_allow_principal_name_custom = ?, ssl_auto_approve = ?, codesign_enabled = ?,"
	    " client_auto_approve = ?, codesign_auto_approve = ?,"
	    " ad_server_id = ? WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
}

void
admin_org_save(struct admin_ctx *c)
{
	struct org_fields before, f;
	struct org_rights r;
	struct settings_write w = {
		prepare_org_update,
		0, { c->id, c->user.customer_id }, 2, "organization.update", &org_object
	};

	memset(&before, 0, sizeof(before));
	memset(&f, 0, sizeof(f));
	if (!load_org(c, &before, &r))
		goto out;
	if (!r.edit) {
		admin_error(c, 403, "Not allowed", "You may look at this organisation but not change it.");
		goto out;
	}
	/* The policy's bind_ad: without it a form carrying the field at all is
	 * refused, not half-saved, whatever the value (comparing it with the
	 * bound server would tell which one that is). The page sends the field
	 * only to those who may choose. */
	if (!r.bind_ad && cm_req_form(c->req, "ad_server") != NULL) {
		admin_error(c, 403, "Not allowed",
		    "Only a master administrator (MRAO) chooses the organisation's Active Directory server.");
		goto out;
	}
	if (org_fields_load(c, KIND_ORG, c->id, &f) != 1) {
		admin_error(c, 500, "Internal error", "The organisation could not be read; this has been logged.");
		goto out;
	}
	settings_form_submit(c, c->id, &before, &f, &r, &w, show);
out:
	org_fields_free(&before);
	org_fields_free(&f);
}
