/* ad_server_edit.c: an Active Directory server's pages (MRAO): new, view/edit, delete (soft, refused while organisations use it). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ad_server_model.h"
#include "confirm.h"
#include "edit_commit.h"
#include "log.h"

/* edit_commit's JSON of server id as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	struct ad_server_row s;

	return ad_server_load(c, id, 0, &s) == 1 ? ad_server_json(&s, b) : -1;
}

static const struct edit_object ad_server_object = {
	"ad_server", "AD server", "/admin/ad-servers/", "/admin/ad-servers", stored_json
};

/* Renders the form page (s->id 0: a new server) with status; Form.* and Errors.* may be set already. */
static void
show(struct admin_ctx *c, const struct ad_server_row *s, int status)
{
	char realm[sizeof(s->domain)];
	size_t i = 0;

	if (s->id > 0) {
		cm_render_set_int(c->r, "Server.id", (long)s->id);
		cm_render_set(c->r, "Server.name", s->name);
		cm_render_set(c->r, "Server.updated_at", s->updated_at);
		for (; s->domain[i]; i++)
			realm[i] = (char)toupper((unsigned char)s->domain[i]);
		realm[i] = '\0';
		cm_render_set(c->r, "Server.realm", realm);
		if (ad_server_bound_orgs(c, s->id, 0, NULL) < 0) {
			admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
			return;
		}
	}
	c->resp->status = status;
	admin_page(c, s->id > 0 ? s->name : "New AD server", "admin/ad_server_form.cs");
}

/* Form.* from a stored row (the view page). */
static void
form_from_row(struct admin_ctx *c, const struct ad_server_row *s)
{
	cm_render_set_list(c->r,
	    "Form.name", s->name,
	    "Form.domain", s->domain,
	    "Form.ldap_uris", s->ldap_uris,
	    "Form.base_dn", s->base_dn,
	    "Form.starttls", s->starttls ? "1" : "0",
	    NULL);
}

/* Loads c->id, answering 404/500 itself; 1 ready, 0 answered. */
static int
load_visible(struct admin_ctx *c, struct ad_server_row *s)
{
	int r = ad_server_load(c, c->id, 0, s);

	if (r == 1)
		return 1;
	if (r < 0)
		admin_error(c, 500, "Internal error", "The AD server could not be read; this has been logged.");
	else
		admin_error(c, 404, "Not found", "There is no such Active Directory server among yours.");
	return 0;
}

void
admin_ad_server_new_form(struct admin_ctx *c)
{
	struct ad_server_row s;

	memset(&s, 0, sizeof(s));
	if (!ad_server_may_manage(c))
		return;
	cm_render_set(c->r, "Form.starttls", "1");
	show(c, &s, 200);
}

void
admin_ad_server_create(struct admin_ctx *c)
{
	struct ad_server_row s;
	struct cm_stmt *st = NULL;
	int64_t id;
	int r;

	memset(&s, 0, sizeof(s));
	if (!ad_server_may_manage(c))
		goto out;
	if (ad_server_from_form(c, &s) > 0) {
		show(c, &s, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if ((r = ad_server_name_taken(c, s.name, 0)) < 0)
		goto rollback;
	if (r == 1) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.name", "Another AD server already has this name.");
		show(c, &s, 400);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, starttls) VALUES (?, ?, ?, ?, ?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, s.name) < 0 ||
	    cm_stmt_bind_str(st, 2, s.domain) < 0 || cm_stmt_bind_str(st, 3, s.ldap_uris) < 0 ||
	    cm_stmt_bind_str(st, 4, s.base_dn) < 0 || cm_stmt_bind_i64(st, 5, s.starttls) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	id = (int64_t)cm_stmt_insert_id(st);
	if (edit_commit(c, &ad_server_object, "ad_server.create", id, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &ad_server_object, "create", 0, "saved");
out:
	if (st)
		cm_stmt_close(st);
}

void
admin_ad_server_view(struct admin_ctx *c)
{
	struct ad_server_row s;

	if (!ad_server_may_manage(c) || !load_visible(c, &s))
		return;
	form_from_row(c, &s);
	show(c, &s, 200);
}

void
admin_ad_server_save(struct admin_ctx *c)
{
	struct ad_server_row stored, s;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	int r;

	cm_buf_init(&before, 16384);
	if (!ad_server_may_manage(c) || !load_visible(c, &stored))
		goto out;
	memset(&s, 0, sizeof(s));
	if (ad_server_from_form(c, &s) > 0) {
		show(c, &stored, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (ad_server_load(c, c->id, 1, &stored) != 1 || ad_server_json(&stored, &before) < 0 ||
	    (r = ad_server_name_taken(c, s.name, c->id)) < 0)
		goto rollback;
	if (r == 1) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.name", "Another AD server already has this name.");
		show(c, &stored, 400);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE ad_servers SET name = ?, domain = ?, ldap_uris = ?, base_dn = ?, starttls = ?"
	    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, s.name) < 0 || cm_stmt_bind_str(st, 1, s.domain) < 0 ||
	    cm_stmt_bind_str(st, 2, s.ldap_uris) < 0 || cm_stmt_bind_str(st, 3, s.base_dn) < 0 ||
	    cm_stmt_bind_i64(st, 4, s.starttls) < 0 || cm_stmt_bind_i64(st, 5, c->id) < 0 ||
	    cm_stmt_bind_i64(st, 6, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit(c, &ad_server_object, "ad_server.update", c->id, before.data) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &ad_server_object, "update", c->id, "saved");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

void
admin_ad_server_delete(struct admin_ctx *c)
{
	const char *confirm = cm_req_form(c->req, "confirm");
	struct ad_server_row s;
	struct cm_stmt *st = NULL;
	struct cm_buf before, names;
	char msg[2048], count[32];
	long n;

	cm_buf_init(&before, 16384);
	cm_buf_init(&names, 8192);
	if (!ad_server_may_manage(c) || !load_visible(c, &s))
		goto out;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the Delete button on the server's page to delete it.");
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	/* The server row is locked and the bindings read with a lock, so no
	 * organisation is bound to it between the check and the delete. */
	if (ad_server_load(c, c->id, 1, &s) != 1 || ad_server_json(&s, &before) < 0 ||
	    (n = ad_server_bound_orgs(c, c->id, 1, &names)) < 0)
		goto rollback;
	if (n > 0) {
		cm_db_rollback(c->db);
		if (n > 100)
			snprintf(count, sizeof(count), "more than 100");
		else if (n == 1)
			snprintf(count, sizeof(count), "one");
		else
			snprintf(count, sizeof(count), "%ld", n);
		/* names holds at most ~700 bytes (ad_server_bound_orgs) */
		snprintf(msg, sizeof(msg),
		    "%s cannot be deleted: %s organisation%s use%s it (%.700s). Choose another server, or none, for %s first.",
		    s.name, count, n == 1 ? "" : "s",
		    n == 1 ? "s" : "", names.data ? names.data : "", n == 1 ? "it" : "them");
		cm_render_set(c->r, "Errors.delete", msg);
		form_from_row(c, &s);
		show(c, &s, 409);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit_delete(c, &ad_server_object, "ad_server.delete", c->id, before.data, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &ad_server_object, "delete", c->id, "deleted");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	cm_buf_free(&names);
}

/* GET: the confirmation page of a deletion (the POST is admin_ad_server_delete). */
void
admin_ad_server_delete_confirm(struct admin_ctx *c)
{
	struct ad_server_row s;
	struct cm_buf names;
	char title[400], page[64], action[80];
	long n;
	struct admin_confirm cf = {
		.consequence = "The server is marked deleted: auto-enrollment no longer checks users against it. "
		    "Certificates already issued are not affected.",
		.button = "Delete AD server",
		.hidden_name = "confirm", .hidden_value = "yes",
	};

	cm_buf_init(&names, 8192);
	if (!ad_server_may_manage(c) || !load_visible(c, &s))
		goto out;
	if ((n = ad_server_bound_orgs(c, c->id, 0, &names)) < 0) {
		edit_fail(c, &ad_server_object, "delete", c->id, "read");
		goto out;
	}
	snprintf(title, sizeof(title), "Delete the AD server %s?", s.name);
	snprintf(page, sizeof(page), "/admin/ad-servers/%lld", (long long)s.id);
	snprintf(action, sizeof(action), "%s/delete", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Name";
	cf.value[0] = s.name;
	cf.label[1] = "Domain";
	cf.value[1] = s.domain;
	cf.label[2] = "Organisations using it";
	cf.value[2] = n > 0 && names.data ? names.data : "none";
	if (n > 0)
		cf.warning = "The deletion will be refused while organisations use the server: choose another "
		    "server, or none, for them first.";
	admin_confirm_page(c, &cf, 200);
out:
	cm_buf_free(&names);
}
