/* auth.c: admin.fcgi's hooks into the web layer: REMOTE_USER -> administrator row -> session, role per route. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "audit.h"
#include "log.h"

static enum admin_role
role_of(const char *s)
{
	if (s == NULL)
		return ROLE_NONE;
	if (strcmp(s, "mrao") == 0)
		return ROLE_MRAO;
	if (strcmp(s, "rao") == 0)
		return ROLE_RAO;
	if (strcmp(s, "drao") == 0)
		return ROLE_DRAO;
	return ROLE_NONE;
}

/* 1 mapped, 0 not an enabled administrator, -1 database error. */
static int
load_admin(struct cm_db *db, const char *principal, struct admin_user *u)
{
	struct cm_stmt *st;
	int rc = -1, f;

	st = cm_db_prepare(db,
	    "SELECT a.id, a.customer_id, a.principal, a.name, a.role, a.cert_types, c.uri, c.name, c.enabled"
	    " FROM admins a JOIN customers c ON c.id = a.customer_id"
	    " WHERE a.principal = ? AND a.enabled = 1 AND a.deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, principal) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *p = cm_stmt_str(st, 2, NULL);

		/* The column collation ignores case; a Kerberos principal does not. */
		if (p == NULL || strcmp(p, principal) != 0)
			continue;
		u->id = cm_stmt_i64(st, 0);
		u->customer_id = cm_stmt_i64(st, 1);
		cm_stmt_copy_str(st, 2, u->principal, sizeof(u->principal));
		cm_stmt_copy_str(st, 3, u->name, sizeof(u->name));
		cm_stmt_copy_str(st, 4, u->role_name, sizeof(u->role_name));
		cm_stmt_copy_str(st, 5, u->cert_types, sizeof(u->cert_types));
		cm_stmt_copy_str(st, 6, u->customer_uri, sizeof(u->customer_uri));
		cm_stmt_copy_str(st, 7, u->customer_name, sizeof(u->customer_name));
		u->customer_enabled = cm_stmt_i64(st, 8) == 1;
		u->role = role_of(u->role_name);
		rc = u->role == ROLE_NONE ? 0 : 1;
		break;
	}
	if (f < 0)
		rc = -1;
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

static void
audit(struct admin_ctx *c, const char *actor, const char *action, int64_t customer_id)
{
	struct cm_audit_entry e;

	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = action;
	e.object_type = "admin";
	e.object_id = actor;
	e.remote_addr = c->req->remote_addr;
	e.customer_id = customer_id;
	if (cm_audit(c->db, &e) < 0)
		cm_err("audit %s for %s failed: %s", action, actor, cm_db_error(c->db));
}

/*
 * Whether actor's newest audit row is a login.denied from the last ten
 * minutes. Refused logins are audited once per ten minutes per principal, so
 * a refused user looping on the portal cannot grow the audit log (or hold
 * its chain lock) without bound; every refusal is still logged. Uses the
 * (actor, id) index: one row. 1 yes, 0 no (or on error: then audit).
 */
static int
recently_denied(struct admin_ctx *c, const char *actor)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT action = 'login.denied' AND at > UTC_TIMESTAMP(6) - INTERVAL 10 MINUTE"
	    " FROM audit_log WHERE actor = ? ORDER BY id DESC LIMIT 1");
	int r = 0;

	if (st && cm_stmt_bind_str(st, 0, actor) == 0 && cm_stmt_execute(st) == 0 &&
	    cm_stmt_fetch(st) == 1)
		r = cm_stmt_i64(st, 0) == 1;
	if (st)
		cm_stmt_close(st);
	return r;
}

/* Opens (or creates: a login) the admin session and sets its cookie; 0 or -1. */
static int
open_session(struct admin_ctx *c)
{
	const char *cookie = cm_req_cookie(c->req, CM_SESSION_COOKIE);

	if (cm_session_open(c->db, "admin", cookie, c->user.principal,
	    c->app->settings.session_ttl, &c->session) < 0)
		return -1;
	if (c->session.is_new || cookie == NULL || strcmp(cookie, c->session.token) != 0) {
		if (cm_resp_cookie(c->resp, CM_SESSION_COOKIE, c->session.token, "/admin/", -1,
		    c->req->https) < 0)
			return -1;
	}
	if (c->session.is_new) {
		audit(c, c->user.principal, "login", c->user.customer_id);
		cm_info("login: %s (%s)", c->user.principal, c->user.role_name);
	}
	return 0;
}

/* open hook: the per-request struct admin_ctx; 0, or -1 when out of memory. */
int
admin_web_open(struct cm_web_request *w)
{
	struct admin_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	c->app = w->app;
	c->db = w->app->db;
	c->req = w->req;
	c->resp = w->resp;
	if ((c->r = cm_render_new(c->app->settings.template_dir)) == NULL) {
		free(c);
		return -1;
	}
	w->ctx = c;
	return 0;
}

void
admin_web_close(struct cm_web_request *w)
{
	struct admin_ctx *c = w->ctx;

	if (c == NULL)
		return;
	cm_render_free(c->r);
	free(c);
	w->ctx = NULL;
}

/* error hook: admin.fcgi's own error page. */
void
admin_web_error(struct cm_web_request *w, int status, const char *title, const char *message)
{
	admin_error(w->ctx, status, title, message);
}

/*
 * authenticate hook, on the headers alone: REMOTE_USER (set by Apache's
 * Kerberos login) must map to an enabled administrator of an enabled
 * customer; then the session is opened (a new one is a login, audited).
 * 0, or -1 once an error page is the answer.
 */
int
admin_web_authenticate(struct cm_web_request *w)
{
	struct admin_ctx *c = w->ctx;
	const struct cm_request *req = c->req;
	char msg[512];
	int r;

	if (req->remote_user == NULL || req->remote_user[0] == '\0') {
		admin_error(c, 401, "Please log in",
		    "certmint administrators log in with their Kerberos account; your browser did not send one.");
		return -1;
	}
	if (cm_web_need_db(w) < 0)
		return -1;
	c->db = w->app->db;
	r = load_admin(c->db, req->remote_user, &c->user);
	if (r < 0) {
		cm_err("admin lookup: %s", cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The administrator list could not be read; this has been logged.");
		return -1;
	}
	if (r == 0) {
		memset(&c->user, 0, sizeof(c->user));
		if (!recently_denied(c, req->remote_user))
			audit(c, req->remote_user, "login.denied", 0);
		cm_warn("login denied: %s is not an administrator", req->remote_user);
		snprintf(msg, sizeof(msg),
		    "Your Kerberos login %s is not a certmint administrator. Ask an MRAO to add you.",
		    req->remote_user);
		admin_error(c, 403, "Not an administrator", msg);
		return -1;
	}
	if (!c->user.customer_enabled) {
		if (!recently_denied(c, c->user.principal))
			audit(c, c->user.principal, "login.denied", c->user.customer_id);
		cm_warn("login denied: %s belongs to the disabled customer %s", c->user.principal,
		    c->user.customer_uri);
		snprintf(msg, sizeof(msg), "The customer %s is disabled; ask the certmint operator.",
		    c->user.customer_name);
		memset(&c->user, 0, sizeof(c->user));
		admin_error(c, 403, "Customer disabled", msg);
		return -1;
	}
	if (open_session(c) < 0) {
		cm_err("session for %s: %s", c->user.principal, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "Your session could not be opened; this has been logged.");
		return -1;
	}
	w->session = &c->session;
	return 0;
}

/* authorize hook: the route's access is its minimum role. 0, or -1 after a 403. */
int
admin_web_authorize(struct cm_web_request *w, const struct cm_route *rt)
{
	struct admin_ctx *c = w->ctx;

	if ((int)c->user.role < rt->access) {
		admin_error(c, 403, "Not allowed", "Your administrator role does not allow this page.");
		return -1;
	}
	return 0;
}

/* call hook: every admin.fcgi route holds an admin_handler (routes.c). */
void
admin_web_call(struct cm_web_request *w, const struct cm_route *rt)
{
	struct admin_ctx *c = w->ctx;

	c->id = w->id;
	((admin_handler)rt->handler)(c);
}
