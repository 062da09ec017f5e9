/* ad_server_edit.c: an Active Directory server's pages (MRAO): new, view/edit (CA, users' base DN, default, bind method), delete (soft, refused while organisations use it or while it is the default of several). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ad_server_model.h"
#include "confirm.h"
#include "edit_commit.h"
#include "log.h"

/* edit_commit's JSON of server id as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	struct ad_server_row *s = malloc(sizeof(*s));
	int rc = s && ad_server_load(c, id, 0, s) == 1 ? ad_server_json(s, b) : -1;

	free(s);
	return rc;
}

/* The banners a redirect after a POST asks for (?done=...). */
static const char *const banners[][2] = {
	{ "created", "AD server added." },
	{ "saved", "Changes saved." },
};

/* Like edit_commit, but the redirect asks for the success banner done. 0 answered, -1 not. */
static int
commit_banner(struct admin_ctx *c, const char *action, int64_t id, const char *before, const char *done)
{
	struct cm_buf after;
	char loc[128];
	int rc = -1;

	cm_buf_init(&after, 256 * 1024);
	if (stored_json(c, id, &after) < 0 ||
	    admin_audit_object(c, "ad_server", action, id, before, after.data) < 0 || cm_db_commit(c->db) < 0)
		goto out;
	snprintf(loc, sizeof(loc), "/admin/ad-servers/%lld?done=%s", (long long)id, done);
	cm_resp_redirect(c->resp, loc);
	rc = 0;
out:
	cm_buf_free(&after);
	return rc;
}

static const struct edit_object ad_server_object = {
	"ad_server", "AD server", "/admin/ad-servers/", "/admin/ad-servers?done=deleted", stored_json
};

/* The stored CA certificates as CA.N.{subject,not_after,sha256,expired}; 0 or -1. */
static int
render_ca(struct admin_ctx *c, const char *pem)
{
	struct ad_ca_cert *certs;
	char why[256];
	size_t n = 0;

	if (pem[0] == '\0')
		return 0;
	if ((certs = calloc(AD_CA_MAX_CERTS, sizeof(*certs))) == NULL)
		return -1;
	if (ad_server_ca_parse(pem, strlen(pem), NULL, certs, &n, why, sizeof(why)) < 0)
		cm_render_set(c->r, "CAError", why);
	for (size_t i = 0; i < n; i++) {
		cm_render_setf(c->r, certs[i].subject, "CA.%zu.subject", i);
		cm_render_setf(c->r, certs[i].not_after, "CA.%zu.not_after", i);
		cm_render_setf(c->r, certs[i].sha256, "CA.%zu.sha256", i);
		if (certs[i].expired)
			cm_render_setf(c->r, "1", "CA.%zu.expired", i);
	}
	cm_render_set_int(c->r, "CACount", (long)n);
	free(certs);
	return 0;
}

/* The page; see ad_server_model.h. */
void
ad_server_page(struct admin_ctx *c, const struct ad_server_row *s, int status)
{
	char realm[sizeof(s->domain)];
	const char *done = cm_req_query(c->req, "done");
	size_t i = 0;

	if (s->id > 0) {
		cm_render_set_int(c->r, "Server.id", (long)s->id);
		cm_render_set(c->r, "Server.name", s->name);
		cm_render_set(c->r, "Server.updated_at", s->updated_at);
		for (; s->domain[i]; i++)
			realm[i] = (char)toupper((unsigned char)s->domain[i]);
		realm[i] = '\0';
		cm_render_set(c->r, "Server.realm", realm);
		cm_render_set(c->r, "Server.is_default", s->is_default ? "1" : "0");
		cm_render_set(c->r, "Server.bind_method", s->bind_method == AD_BIND_SIMPLE ? "simple" : "gssapi");
		cm_render_set(c->r, "Server.has_password", s->has_password ? "1" : "0");
		cm_render_set(c->r, "Server.tls", ad_server_tls_label(s->ldap_uris, s->starttls));
		if (ad_server_bound_orgs(c, s->id, 0, NULL) < 0 || render_ca(c, s->ca_pem) < 0 ||
		    ad_server_render_realm(c, s->domain) < 0) {
			admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
			return;
		}
		for (size_t k = 0; done && k < sizeof(banners) / sizeof(banners[0]); k++)
			if (strcmp(done, banners[k][0]) == 0)
				cm_render_set(c->r, "Banner.text", banners[k][1]);
	}
	cm_render_set(c->r, "Server.key_configured", c->app->settings.ldap_bind_key ? "1" : "0");
	c->resp->status = status;
	admin_page(c, s->id > 0 ? s->name : "New AD server", "admin/ad_server_form.cs");
}

/* Form.* from a stored row; see ad_server_model.h. */
void
ad_server_form_from_row(struct admin_ctx *c, const struct ad_server_row *s)
{
	cm_render_set_list(c->r,
	    "Form.name", s->name,
	    "Form.domain", s->domain,
	    "Form.ldap_uris", s->ldap_uris,
	    "Form.base_dn", s->base_dn,
	    "Form.starttls", s->starttls ? "1" : "0",
	    "Form.users_base_dn", s->users_base_dn,
	    "Form.bind_method", s->bind_method == AD_BIND_SIMPLE ? "simple" : "gssapi",
	    "Form.bind_dn", s->bind_dn,
	    "Form.is_default", s->is_default ? "1" : "0",
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

/* Two rows and the form's extras: on the heap (a row holds up to 64 KiB of CA). */
struct edit_bufs {
	struct ad_server_row stored, s;
	struct ad_server_form_extra x;
	unsigned char sealed[CM_SECRET_SEALED_MAX];
	size_t sealed_len;
};

static struct edit_bufs *
bufs_new(struct admin_ctx *c)
{
	struct edit_bufs *b = calloc(1, sizeof(*b));

	if (b == NULL)
		admin_error(c, 500, "Internal error", "Out of memory.");
	return b;
}

static void
bufs_free(struct edit_bufs *b)
{
	if (b == NULL)
		return;
	ad_server_form_wipe(&b->x);
	OPENSSL_cleanse(b->sealed, sizeof(b->sealed));
	free(b);
}

/* Seals the typed password, if any, into b->sealed; 0, or -1 with the message next to the field. */
static int
seal_typed(struct admin_ctx *c, struct edit_bufs *b)
{
	char why[300];

	b->sealed_len = 0;
	if (b->s.bind_method != AD_BIND_SIMPLE || b->x.password[0] == '\0')
		return 0;
	if (ad_server_seal(c, b->x.password, b->sealed, &b->sealed_len, why, sizeof(why)) < 0) {
		cm_render_set(c->r, "Errors.bind_password", why);
		return -1;
	}
	ad_server_form_wipe(&b->x);
	return 0;
}

void
admin_ad_server_new_form(struct admin_ctx *c)
{
	struct edit_bufs *b;
	long live;

	if (!ad_server_may_manage(c) || (b = bufs_new(c)) == NULL)
		return;
	if ((live = ad_server_live_count(c, 0)) < 0) {
		admin_error(c, 500, "Internal error", "The AD servers could not be read; this has been logged.");
		goto out;
	}
	cm_render_set(c->r, "Form.starttls", "1");
	cm_render_set(c->r, "Form.bind_method", "gssapi");
	if (live == 0) {
		/* the customer's first server is its default whatever the box says */
		cm_render_set(c->r, "Form.is_default", "1");
		cm_render_set(c->r, "Server.first", "1");
	}
	ad_server_page(c, &b->s, 200);
out:
	bufs_free(b);
}

void
admin_ad_server_create(struct admin_ctx *c)
{
	struct edit_bufs *b;
	int64_t id;
	int r;

	if (!ad_server_may_manage(c) || (b = bufs_new(c)) == NULL)
		return;
	if (ad_server_from_form(c, &b->s, NULL, &b->x) > 0 || seal_typed(c, b) < 0) {
		ad_server_page(c, &b->s, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if ((r = ad_server_name_taken(c, b->s.name, 0)) < 0)
		goto rollback;
	if (r == 1) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.name", "Another AD server already has this name.");
		ad_server_page(c, &b->s, 400);
		goto out;
	}
	if ((id = ad_server_insert(c, &b->s, b->sealed, b->sealed_len)) < 0)
		goto rollback;
	if (commit_banner(c, "ad_server.create", id, NULL, "created") == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &ad_server_object, "create", 0, "saved");
out:
	bufs_free(b);
}

void
admin_ad_server_view(struct admin_ctx *c)
{
	struct edit_bufs *b;

	if (!ad_server_may_manage(c) || (b = bufs_new(c)) == NULL)
		return;
	if (load_visible(c, &b->stored)) {
		ad_server_form_from_row(c, &b->stored);
		ad_server_page(c, &b->stored, 200);
	}
	bufs_free(b);
}

void
admin_ad_server_save(struct admin_ctx *c)
{
	struct edit_bufs *b;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	const char *pw_mode;
	int r;

	cm_buf_init(&before, 256 * 1024);
	if (!ad_server_may_manage(c) || (b = bufs_new(c)) == NULL)
		goto out0;
	if (!load_visible(c, &b->stored))
		goto out;
	if (ad_server_from_form(c, &b->s, &b->stored, &b->x) > 0 || seal_typed(c, b) < 0) {
		ad_server_page(c, &b->stored, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (ad_server_load(c, c->id, 1, &b->stored) != 1 || ad_server_json(&b->stored, &before) < 0 ||
	    (r = ad_server_name_taken(c, b->s.name, c->id)) < 0)
		goto rollback;
	if (r == 1) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.name", "Another AD server already has this name.");
		ad_server_page(c, &b->stored, 400);
		goto out;
	}
	/* The password: a new sealed one, the stored one kept (simple bind, field left empty), or none. */
	pw_mode = b->s.bind_method != AD_BIND_SIMPLE ? "none" : b->sealed_len > 0 ? "new" : "keep";
	st = cm_db_prepare(c->db,
	    "UPDATE ad_servers SET name = ?, domain = ?, ldap_uris = ?, base_dn = ?, starttls = ?,"
	    " users_base_dn = ?, ca_pem = ?, bind_method = ?, bind_dn = ?,"
	    " bind_password_enc = CASE ? WHEN 'new' THEN ? WHEN 'keep' THEN bind_password_enc ELSE NULL END"
	    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, b->s.name) < 0 || cm_stmt_bind_str(st, 1, b->s.domain) < 0 ||
	    cm_stmt_bind_str(st, 2, b->s.ldap_uris) < 0 || cm_stmt_bind_str(st, 3, b->s.base_dn) < 0 ||
	    cm_stmt_bind_i64(st, 4, b->s.starttls) < 0 ||
	    cm_stmt_bind_str(st, 5, b->s.users_base_dn[0] ? b->s.users_base_dn : NULL) < 0 ||
	    cm_stmt_bind_str(st, 6, b->s.ca_pem[0] ? b->s.ca_pem : NULL) < 0 ||
	    cm_stmt_bind_str(st, 7, b->s.bind_method == AD_BIND_SIMPLE ? "simple" : "gssapi") < 0 ||
	    cm_stmt_bind_str(st, 8, b->s.bind_method == AD_BIND_SIMPLE ? b->s.bind_dn : NULL) < 0 ||
	    cm_stmt_bind_str(st, 9, pw_mode) < 0 ||
	    (b->sealed_len > 0 ? cm_stmt_bind_blob(st, 10, b->sealed, b->sealed_len) : cm_stmt_bind_null(st, 10)) < 0 ||
	    cm_stmt_bind_i64(st, 11, c->id) < 0 || cm_stmt_bind_i64(st, 12, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	/* "Set as default" moves the default here, in the same transaction (the old one is audited too). */
	if (b->x.make_default && !b->stored.is_default && ad_server_make_default(c, c->id) < 0)
		goto rollback;
	if (commit_banner(c, "ad_server.update", c->id, before.data, "saved") == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &ad_server_object, "update", c->id, "saved");
out:
	if (st)
		cm_stmt_close(st);
	bufs_free(b);
out0:
	cm_buf_free(&before);
}

void
admin_ad_server_delete(struct admin_ctx *c)
{
	const char *confirm = cm_req_form(c->req, "confirm");
	struct ad_server_row *s = malloc(sizeof(*s));
	struct cm_stmt *st = NULL;
	struct cm_buf before, names;
	char msg[2048], count[32];
	long n, live;

	cm_buf_init(&before, 256 * 1024);
	cm_buf_init(&names, 8192);
	if (s == NULL) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		goto out;
	}
	if (!ad_server_may_manage(c) || !load_visible(c, s))
		goto out;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the Delete button on the server's page to delete it.");
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	/* The server row is locked and the bindings read with a lock, so no
	 * organisation is bound to it between the check and the delete. */
	if (ad_server_load(c, c->id, 1, s) != 1 || ad_server_json(s, &before) < 0 ||
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
		    s->name, count, n == 1 ? "" : "s",
		    n == 1 ? "s" : "", names.data ? names.data : "", n == 1 ? "it" : "them");
		cm_render_set(c->r, "Errors.delete", msg);
		ad_server_form_from_row(c, s);
		ad_server_page(c, s, 409);
		goto out;
	}
	/* A customer keeps one default while it has servers: auto-enrollment
	 * falls back to it; moving it is a choice, not a side effect. */
	if (s->is_default && (live = ad_server_live_count(c, 1)) != 1) {
		if (live < 0)
			goto rollback;
		cm_db_rollback(c->db);
		snprintf(msg, sizeof(msg), "%s cannot be deleted: it is the default AD server. Make another server "
		    "the default first (Set as default on its page).", s->name);
		cm_render_set(c->r, "Errors.delete", msg);
		ad_server_form_from_row(c, s);
		ad_server_page(c, s, 409);
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
	free(s);
}

/* GET: the confirmation page of a deletion (the POST is admin_ad_server_delete). */
void
admin_ad_server_delete_confirm(struct admin_ctx *c)
{
	struct ad_server_row *s = malloc(sizeof(*s));
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
	if (s == NULL) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		goto out;
	}
	if (!ad_server_may_manage(c) || !load_visible(c, s))
		goto out;
	if ((n = ad_server_bound_orgs(c, c->id, 0, &names)) < 0) {
		edit_fail(c, &ad_server_object, "delete", c->id, "read");
		goto out;
	}
	snprintf(title, sizeof(title), "Delete the AD server %s?", s->name);
	snprintf(page, sizeof(page), "/admin/ad-servers/%lld", (long long)s->id);
	snprintf(action, sizeof(action), "%s/delete", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Name";
	cf.value[0] = s->name;
	cf.label[1] = "Domain";
	cf.value[1] = s->domain;
	cf.label[2] = "Organisations using it";
	cf.value[2] = n > 0 && names.data ? names.data : "none";
	if (n > 0)
		cf.warning = "The deletion will be refused while organisations use the server: choose another "
		    "server, or none, for them first.";
	else if (s->is_default)
		cf.warning = "This is the default AD server: the deletion will be refused while the customer has "
		    "other servers. Make another server the default first.";
	admin_confirm_page(c, &cf, 200);
out:
	cm_buf_free(&names);
	free(s);
}
