/* routes.c: admin.fcgi's one route table and the dispatcher that checks login, role, POST and CSRF once. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "audit.h"
#include "log.h"

static const struct admin_route routes[] = {
	{ "GET",  "/admin",                              admin_home,          0,          ROLE_DRAO },
	{ "GET",  "/admin/certificates",                 admin_cert_list,     0,          ROLE_DRAO },
	{ "GET",  "/admin/certificates/new",             admin_csr_form,      0,          ROLE_DRAO },
	{ "POST", "/admin/certificates/new",             admin_csr_issue,     ROUTE_CSRF, ROLE_DRAO },
	{ "POST", "/admin/certificates/preview",         admin_csr_preview,   ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/certificates/#",               admin_cert_view,     0,          ROLE_DRAO },
	{ "GET",  "/admin/certificates/#/download",      admin_cert_download, 0,          ROLE_DRAO },
	{ "POST", "/admin/certificates/#/approve",       admin_cert_approve,  ROUTE_CSRF, ROLE_DRAO },
	{ "POST", "/admin/certificates/#/decline",       admin_cert_decline,  ROUTE_CSRF, ROLE_DRAO },
	{ "POST", "/admin/certificates/#/revoke",        admin_cert_revoke,   ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/organizations",                admin_org_list,      0,          ROLE_DRAO },
	{ "GET",  "/admin/organizations/new",            admin_org_new_form,  0,          ROLE_MRAO },
	{ "POST", "/admin/organizations/new",            admin_org_create,    ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/organizations/#",              admin_org_view,      0,          ROLE_DRAO },
	{ "POST", "/admin/organizations/#",              admin_org_save,      ROUTE_CSRF, ROLE_DRAO },
	{ "POST", "/admin/organizations/#/delete",       admin_org_delete,    ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/organizations/#/departments/new", admin_dept_new_form, 0,       ROLE_RAO },
	{ "POST", "/admin/organizations/#/departments/new", admin_dept_create, ROUTE_CSRF, ROLE_RAO },
	{ "GET",  "/admin/departments/#",                admin_dept_view,     0,          ROLE_DRAO },
	{ "POST", "/admin/departments/#",                admin_dept_save,     ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/domains",                      admin_domain_list,   0,          ROLE_DRAO },
	{ "GET",  "/admin/domains/new",                  admin_domain_new_form, 0,        ROLE_MRAO },
	{ "POST", "/admin/domains/new",                  admin_domain_create, ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/domains/#",                    admin_domain_view,   0,          ROLE_DRAO },
	{ "POST", "/admin/domains/#/delegate",           admin_domain_delegate, ROUTE_CSRF, ROLE_RAO },
	{ "POST", "/admin/domains/#/undelegate",         admin_domain_undelegate, ROUTE_CSRF, ROLE_RAO },
	{ "POST", "/admin/domains/#/validate",           admin_domain_validate, ROUTE_CSRF, ROLE_MRAO },
	{ "POST", "/admin/domains/#/delete",             admin_domain_delete, ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/admins",                       admin_admins_list,   0,          ROLE_DRAO },
	{ "GET",  "/admin/admins/new",                   admin_admins_new_form, 0,        ROLE_RAO },
	{ "POST", "/admin/admins/new",                   admin_admins_create, ROUTE_CSRF, ROLE_RAO },
	{ "GET",  "/admin/admins/export.csv",            admin_admins_export_csv, 0,      ROLE_DRAO },
	{ "GET",  "/admin/admins/import",                admin_admins_import_form, 0,     ROLE_RAO },
	{ "POST", "/admin/admins/import",                admin_admins_import, ROUTE_CSRF, ROLE_RAO },
	{ "GET",  "/admin/admins/#",                     admin_admins_view,   0,          ROLE_DRAO },
	{ "POST", "/admin/admins/#/edit",                admin_admins_save,   ROUTE_CSRF, ROLE_RAO },
	{ "POST", "/admin/admins/#/delete",              admin_admins_delete, ROUTE_CSRF, ROLE_RAO },
	{ "GET",  "/admin/audit",                        admin_audit,         0,          ROLE_DRAO },
	{ "POST", "/admin/audit/verify",                 admin_audit_verify,  ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/dashboard",                    admin_dashboard,     0,          ROLE_DRAO },
	{ "GET",  "/admin/reports/certificates.csv",     admin_report_certificates_csv, 0, ROLE_DRAO },
	{ "GET",  "/admin/persons",                      admin_persons_list,  0,          ROLE_DRAO },
	{ "GET",  "/admin/persons/new",                  admin_persons_new_form, 0,       ROLE_DRAO },
	{ "POST", "/admin/persons/new",                  admin_persons_create, ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/persons/export.csv",           admin_persons_export_csv, 0,     ROLE_DRAO },
	{ "GET",  "/admin/persons/import",               admin_persons_import_form, 0,    ROLE_DRAO },
	{ "POST", "/admin/persons/import",               admin_persons_import, ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/persons/#",                    admin_persons_view,  0,          ROLE_DRAO },
	{ "POST", "/admin/persons/#/edit",               admin_persons_save,  ROUTE_CSRF, ROLE_DRAO },
	{ "POST", "/admin/persons/#/delete",             admin_persons_delete, ROUTE_CSRF, ROLE_DRAO },
	{ "GET",  "/admin/ad-servers",                   admin_ad_server_list, 0,         ROLE_MRAO },
	{ "GET",  "/admin/ad-servers/new",               admin_ad_server_new_form, 0,     ROLE_MRAO },
	{ "POST", "/admin/ad-servers/new",               admin_ad_server_create, ROUTE_CSRF, ROLE_MRAO },
	{ "GET",  "/admin/ad-servers/#",                 admin_ad_server_view, 0,         ROLE_MRAO },
	{ "POST", "/admin/ad-servers/#",                 admin_ad_server_save, ROUTE_CSRF, ROLE_MRAO },
	{ "POST", "/admin/ad-servers/#/delete",          admin_ad_server_delete, ROUTE_CSRF, ROLE_MRAO },
};

/* Prints every route as "METHOD PATTERN flags" (flags: csrf when the form
 * needs the token, then min=ROLE), one a line, so that tests can enumerate
 * the real table (admin.fcgi --routes). 0, or -1 when writing failed. */
int
admin_routes_print(FILE *out)
{
	static const char *const role_names[] = { "none", "drao", "rao", "mrao" };

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		unsigned r = (unsigned)routes[i].min_role;

		if (fprintf(out, "%s %s %smin=%s\n", routes[i].method, routes[i].pattern,
		    (routes[i].flags & ROUTE_CSRF) ? "csrf," : "",
		    r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?") < 0)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}

/* A positive decimal id of at most 18 digits; 0 when s is not one. */
static int64_t
parse_id(const char *s)
{
	int64_t v = 0;
	size_t n = 0;

	if (s[0] == '0')
		return 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return 0;
		v = v * 10 + (s[n] - '0');
	}
	return v;
}

/* 1 when the request path matches pattern (segment by segment); *id gets '#'. */
static int
path_matches(const struct cm_request *req, const char *pattern, int64_t *id)
{
	size_t i = 0;
	const char *p = pattern;

	*id = 0;
	while (*p) {
		const char *seg, *end;
		size_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		p = seg + n;
		if (i >= req->nparts)
			return 0;
		if (n == 1 && seg[0] == '#') {
			if ((*id = parse_id(req->parts[i])) <= 0)
				return 0;
		} else if (strlen(req->parts[i]) != n || strncmp(req->parts[i], seg, n) != 0) {
			return 0;
		}
		i++;
	}
	return i == req->nparts;
}

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

static void
copy_col(struct cm_stmt *st, unsigned idx, char *dst, size_t dstlen)
{
	const char *s = cm_stmt_str(st, idx, NULL);

	snprintf(dst, dstlen, "%s", s ? s : "");
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
		copy_col(st, 2, u->principal, sizeof(u->principal));
		copy_col(st, 3, u->name, sizeof(u->name));
		copy_col(st, 4, u->role_name, sizeof(u->role_name));
		copy_col(st, 5, u->cert_types, sizeof(u->cert_types));
		copy_col(st, 6, u->customer_uri, sizeof(u->customer_uri));
		copy_col(st, 7, u->customer_name, sizeof(u->customer_name));
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

/* The FastCGI handler: every access rule is applied here, once. */
void
admin_dispatch(void *appv, struct cm_request *req, int parse_status, struct cm_response *resp)
{
	struct admin_ctx c;
	const struct admin_route *rt = NULL;
	int path_found = 0, r;
	char msg[512];

	memset(&c, 0, sizeof(c));
	c.app = appv;
	c.db = c.app->db;
	c.req = req;
	c.resp = resp;
	if ((c.r = cm_render_new(c.app->settings.template_dir)) == NULL) {
		cm_resp_error(resp, 500, "Out of memory.");
		return;
	}
	if (parse_status != 0) {
		admin_error(&c, parse_status, "The request could not be read",
		    req->error[0] ? req->error : "The request was malformed.");
		goto out;
	}
	if (req->remote_user == NULL || req->remote_user[0] == '\0') {
		admin_error(&c, 401, "Please log in",
		    "certmint administrators log in with their Kerberos account; your browser did not send one.");
		goto out;
	}
	if (c.db == NULL || cm_db_ping(c.db) < 0) {
		cm_err("database unavailable: %s", c.db ? cm_db_error(c.db) : "not connected");
		admin_error(&c, 503, "Service unavailable",
		    "certmint cannot reach its database right now; try again in a minute.");
		goto out;
	}
	r = load_admin(c.db, req->remote_user, &c.user);
	if (r < 0) {
		cm_err("admin lookup: %s", cm_db_error(c.db));
		admin_error(&c, 500, "Internal error", "The administrator list could not be read; this has been logged.");
		goto out;
	}
	if (r == 0) {
		memset(&c.user, 0, sizeof(c.user));
		if (!recently_denied(&c, req->remote_user))
			audit(&c, req->remote_user, "login.denied", 0);
		cm_warn("login denied: %s is not an administrator", req->remote_user);
		snprintf(msg, sizeof(msg),
		    "Your Kerberos login %s is not a certmint administrator. Ask an MRAO to add you.",
		    req->remote_user);
		admin_error(&c, 403, "Not an administrator", msg);
		goto out;
	}
	if (!c.user.customer_enabled) {
		if (!recently_denied(&c, c.user.principal))
			audit(&c, c.user.principal, "login.denied", c.user.customer_id);
		cm_warn("login denied: %s belongs to the disabled customer %s", c.user.principal,
		    c.user.customer_uri);
		snprintf(msg, sizeof(msg), "The customer %s is disabled; ask the certmint operator.",
		    c.user.customer_name);
		memset(&c.user, 0, sizeof(c.user));
		admin_error(&c, 403, "Customer disabled", msg);
		goto out;
	}
	if (open_session(&c) < 0) {
		cm_err("session for %s: %s", c.user.principal, cm_db_error(c.db));
		admin_error(&c, 500, "Internal error", "Your session could not be opened; this has been logged.");
		goto out;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int64_t id;

		if (!path_matches(req, routes[i].pattern, &id))
			continue;
		path_found = 1;
		if (strcmp(req->method, routes[i].method) == 0 ||
		    (strcmp(req->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			rt = &routes[i];
			c.id = id;
			break;
		}
	}
	if (rt == NULL) {
		if (path_found)
			admin_error(&c, 405, "Method not allowed", "This page cannot be used that way.");
		else
			admin_error(&c, 404, "Not found", "There is no such page in certmint.");
		goto out;
	}
	if ((rt->flags & ROUTE_CSRF) && !cm_csrf_valid(&c.session, cm_req_form(req, "csrf"))) {
		cm_warn("csrf check failed for %s on %s", c.user.principal, req->path);
		admin_error(&c, 403, "Form expired",
		    "The form expired or was not sent from certmint; reload the page and try again.");
		goto out;
	}
	if (c.user.role < rt->min_role) {
		admin_error(&c, 403, "Not allowed", "Your administrator role does not allow this page.");
		goto out;
	}
	rt->handler(&c);
out:
	cm_render_free(c.r);
}
