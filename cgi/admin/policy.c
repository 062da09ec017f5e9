/* policy.c: the one access policy of the admin portal; every handler asks admin_may(). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "log.h"
#include "policy.h"

/* 1 when the administrator holds certificate type t (cert_types is a MariaDB SET). */
int
admin_has_type(const struct admin_user *u, const char *t)
{
	size_t tl = strlen(t);

	for (const char *p = u->cert_types; *p; ) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == tl && strncmp(p, t, n) == 0)
			return 1;
		p += n + (e ? 1 : 0);
	}
	return 0;
}

/* 1 when a scope names the organisation itself (an RAO's row). */
static int
scope_has_org(const struct admin_scope *s, size_t n, int64_t org_id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].org_id == org_id && s[i].dept_id == 0)
			return 1;
	return 0;
}

/* 1 when a scope names the department, or any department of org when dept_id is 0. */
static int
scope_has_dept(const struct admin_scope *s, size_t n, int64_t org_id, int64_t dept_id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].org_id == org_id && s[i].dept_id != 0 &&
		    (dept_id == 0 || s[i].dept_id == dept_id))
			return 1;
	return 0;
}

/* 1 allowed, 0 denied; see policy.h. */
int
admin_policy(const struct admin_user *u, const struct admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_object *o)
{
	if (u == NULL || o == NULL || (unsigned)a >= ACTION__MAX)
		return 0;
	if (u->customer_id <= 0 || o->customer_id != u->customer_id)
		return 0;
	if (u->role == ROLE_MRAO)
		return 1;
	if (u->role != ROLE_RAO && u->role != ROLE_DRAO)
		return 0;
	/* AD servers are customer-wide settings, and binding one decides whose
	 * directory vouches for an organisation's users: the MRAO's alone. */
	if (a == ACTION_MANAGE_AD_SERVERS || a == ACTION_BIND_AD_SERVER)
		return 0;
	if (a == ACTION_VIEW_AD_BINDING && (u->role != ROLE_RAO || o->dept_id != 0 ||
	    !admin_has_type(u, "client")))
		return 0;
	/* Delegated administrators act only for their certificate types; the
	 * access code belongs to the client-certificate tab. */
	if (o->cert_type && !admin_has_type(u, o->cert_type))
		return 0;
	if ((a == ACTION_VIEW_ACCESS_CODE || a == ACTION_SET_ACCESS_CODE) && !admin_has_type(u, "client"))
		return 0;
	if (o->org_id <= 0)
		return 0;       /* customer-wide objects are the MRAO's */
	if (u->role == ROLE_RAO) {
		if (!scope_has_org(scopes, nscopes, o->org_id))
			return 0;
		/* Administrators: an RAO sees those of its organisations and
		 * manages DRAOs (department scopes) only. */
		if (a == ACTION_VIEW_ADMIN)
			return 1;
		if (a == ACTION_MANAGE_ADMINS)
			return o->dept_id != 0;
		/* Organisations themselves are created and deleted by the MRAO. */
		if (o->dept_id == 0 && (a == ACTION_CREATE || a == ACTION_DELETE))
			return 0;
		return a != ACTION_MANAGE_DEPTS || o->dept_id == 0;
	}
	/* DRAO: no other administrator (its own row: admin_policy_admin). */
	if (a == ACTION_VIEW_ADMIN || a == ACTION_MANAGE_ADMINS)
		return 0;
	/* DRAO: never an access code, as in the system users migrate from. */
	if (a == ACTION_VIEW_ACCESS_CODE || a == ACTION_SET_ACCESS_CODE)
		return 0;
	if (o->dept_id == 0)
		return a == ACTION_VIEW && scope_has_dept(scopes, nscopes, o->org_id, 0);
	if (!scope_has_dept(scopes, nscopes, o->org_id, o->dept_id))
		return 0;
	return a == ACTION_VIEW || a == ACTION_EDIT;
}

/* 1 when every scope (and for ACTION_MANAGE_ADMINS every type) of t is allowed; see policy.h. */
int
admin_policy_admin(const struct admin_user *u, const struct admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_target *t)
{
	static const char *const types[] = { "ssl", "client", "codesign" };
	struct admin_object o;
	size_t i = 0;

	if (u == NULL || t == NULL || u->customer_id <= 0 || t->customer_id != u->customer_id)
		return 0;
	/* Every administrator sees its own row; only an MRAO changes its own. */
	if (t->admin_id > 0 && t->admin_id == u->id && u->role != ROLE_NONE)
		return a == ACTION_VIEW_ADMIN || (a == ACTION_MANAGE_ADMINS && u->role == ROLE_MRAO);
	do {
		int any = 0;

		memset(&o, 0, sizeof(o));
		o.customer_id = t->customer_id;
		if (i < t->nscopes) {
			o.org_id = t->scopes[i].org_id;
			o.dept_id = t->scopes[i].dept_id;
		}
		if (a == ACTION_MANAGE_ADMINS && t->cert_types) {
			struct admin_user held;

			memset(&held, 0, sizeof(held));
			snprintf(held.cert_types, sizeof(held.cert_types), "%s", t->cert_types);
			for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
				if (!admin_has_type(&held, types[k]))
					continue;
				any = 1;
				o.cert_type = types[k];
				if (!admin_policy(u, scopes, nscopes, a, &o))
					return 0;
			}
		}
		if (!any) {
			o.cert_type = NULL;
			if (!admin_policy(u, scopes, nscopes, a, &o))
				return 0;
		}
	} while (++i < t->nscopes);
	return 1;
}

/* Loads up to ADMIN_MAX_SCOPES scope rows; the count, or -1 on a database error. */
static long
load_scopes(struct admin_ctx *c, struct admin_scope *out)
{
	struct cm_stmt *st;
	long n = 0;
	int f;

	st = cm_db_prepare(c->db,
	    "SELECT s.org_id, s.dept_id FROM admin_scopes s"
	    " JOIN organizations o ON o.id = s.org_id AND o.customer_id = ? AND o.deleted_at IS NULL"
	    " WHERE s.admin_id = ? ORDER BY s.id LIMIT 256");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (n < ADMIN_MAX_SCOPES && (f = cm_stmt_fetch(st)) == 1) {
		out[n].org_id = cm_stmt_i64(st, 0);
		out[n].dept_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		n++;
	}
	cm_stmt_close(st);
	return n;
}

/* 1 allowed, 0 denied, -1 database error (logged). */
int
admin_may(struct admin_ctx *c, enum admin_action a, const struct admin_object *o)
{
	struct admin_scope scopes[ADMIN_MAX_SCOPES];
	long n = 0;

	if (c->user.role != ROLE_MRAO && (n = load_scopes(c, scopes)) < 0) {
		cm_err("scopes of %s: %s", c->user.principal, cm_db_error(c->db));
		return -1;
	}
	return admin_policy(&c->user, scopes, (size_t)n, a, o);
}

/* The caller's scopes; the count, or -1 (logged). */
long
admin_scopes_load(struct admin_ctx *c, struct admin_scope *out)
{
	long n = 0;

	if (c->user.role != ROLE_MRAO && (n = load_scopes(c, out)) < 0)
		cm_err("scopes of %s: %s", c->user.principal, cm_db_error(c->db));
	return n;
}

/* Binds (is MRAO, admin id) for the scoping clause of policy.h; 0 or -1. */
int
admin_bind_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	if (cm_stmt_bind_i64(st, idx, u->role == ROLE_MRAO ? 1 : 0) < 0 ||
	    cm_stmt_bind_i64(st, idx + 1, u->id) < 0)
		return -1;
	return 0;
}
