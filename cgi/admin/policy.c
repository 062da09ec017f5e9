/* policy.c: the one access policy of the admin portal; every handler asks admin_may() or one of its predicates. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "issuance.h"
#include "log.h"
#include "policy.h"

/* 1 when the administrator holds certificate type t (cert_types is a MariaDB SET). */
int
admin_has_type(const struct admin_user *u, const char *t)
{
	unsigned mask, bit = cm_cert_type_bit(t, CM_TYPES_ADMIN);

	(void)cm_cert_types_parse(u->cert_types, CM_TYPES_ADMIN, 0, &mask);
	return bit != 0 && (mask & bit) != 0;
}

/* 1 when a scope names the organisation itself (an RAO's row). */
static int
scope_has_org(const struct cm_admin_scope *s, size_t n, int64_t org_id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].org_id == org_id && s[i].dept_id == 0)
			return 1;
	return 0;
}

/* 1 when a scope names the department, or any department of org when dept_id is 0. */
static int
scope_has_dept(const struct cm_admin_scope *s, size_t n, int64_t org_id, int64_t dept_id)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].org_id == org_id && s[i].dept_id != 0 &&
		    (dept_id == 0 || s[i].dept_id == dept_id))
			return 1;
	return 0;
}

/* 1 allowed, 0 denied; see policy.h. */
int
admin_policy(const struct admin_user *u, const struct cm_admin_scope *scopes, size_t nscopes,
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
admin_policy_admin(const struct admin_user *u, const struct cm_admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_target *t)
{
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
			unsigned held;

			(void)cm_cert_types_parse(t->cert_types, CM_TYPES_ADMIN, 0, &held);
			for (size_t k = 0; k < CM_CERT_TYPES_N; k++) {
				if (!(held & cm_cert_types[k].bit))
					continue;
				any = 1;
				o.cert_type = cm_cert_types[k].name;
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

/*
 * The administrator's scope rows from the request's cache, reading them from
 * the database on first use (an MRAO has none and reads nothing). The cache
 * is keyed by the administrator's id, so a context whose user changes never
 * sees another's rows. 0, or -1 on a database error (logged).
 */
static int
scopes_get(struct admin_ctx *c, const struct cm_admin_scope **out, size_t *n)
{
	struct admin_scope_cache *k = &c->scopes;
	struct cm_stmt *st;
	int f = 0;

	*out = k->rows;
	*n = 0;
	if (admin_sees_whole_customer(&c->user))
		return 0;
	if (k->admin_id != 0 && k->admin_id == c->user.id) {
		*n = k->n;
		return 0;
	}
	k->admin_id = 0;
	k->n = 0;
	st = cm_db_prepare(c->db,
	    "SELECT s.org_id, s.dept_id FROM admin_scopes s"
	    " JOIN organizations o ON o.id = s.org_id AND o.customer_id = ? AND o.deleted_at IS NULL"
	    " WHERE s.admin_id = ? ORDER BY s.id LIMIT 256");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.id) < 0 || cm_stmt_execute(st) < 0)
		goto fail;
	while (k->n < ADMIN_MAX_SCOPES && (f = cm_stmt_fetch(st)) == 1) {
		k->rows[k->n].org_id = cm_stmt_i64(st, 0);
		k->rows[k->n].dept_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		k->n++;
	}
	if (f < 0)
		goto fail;
	cm_stmt_close(st);
	k->admin_id = c->user.id;
	*n = k->n;
	return 0;
fail:
	cm_err("scopes of %s: %s", c->user.principal, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	k->n = 0;
	return -1;
}

/* 1 allowed, 0 denied, -1 database error (logged). */
int
admin_may(struct admin_ctx *c, enum admin_action a, const struct admin_object *o)
{
	const struct cm_admin_scope *sc;
	size_t n;

	/* Customer-wide objects (no organisation) never depend on scope rows
	 * (admin_policy: they are the MRAO's), so list pages asking "may I
	 * create?" read none. */
	if (o != NULL && o->org_id <= 0)
		return admin_policy(&c->user, NULL, 0, a, o);
	if (scopes_get(c, &sc, &n) < 0)
		return -1;
	return admin_policy(&c->user, sc, n, a, o);
}

/* The caller's scopes; the count, or -1 (logged). */
long
admin_scopes_load(struct admin_ctx *c, struct cm_admin_scope *out)
{
	const struct cm_admin_scope *sc;
	size_t n;

	if (scopes_get(c, &sc, &n) < 0)
		return -1;
	memcpy(out, sc, n * sizeof(*sc));
	return (long)n;
}

/* 1, 0 or -1; see policy.h. */
int
admin_may_somewhere(struct admin_ctx *c, enum admin_action a, const char *cert_type)
{
	struct admin_object o = { .customer_id = c->user.customer_id, .cert_type = cert_type };
	const struct cm_admin_scope *sc;
	size_t n;

	if (admin_sees_whole_customer(&c->user))
		return 1;
	if (scopes_get(c, &sc, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		o.org_id = sc[i].org_id;
		o.dept_id = sc[i].dept_id;
		if (admin_policy(&c->user, sc, n, a, &o))
			return 1;
	}
	return 0;
}

/* The first two parameters of every scope piece: (is MRAO, admin id). 0 or -1. */
static int
bind_who(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	if (cm_stmt_bind_i64(st, idx, admin_sees_whole_customer(u) ? 1 : 0) < 0 ||
	    cm_stmt_bind_i64(st, idx + 1, u->id) < 0)
		return -1;
	return 0;
}

/* The type condition of the certificate and person pieces: (is MRAO, cert_types). 0 or -1. */
static int
bind_types(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	if (cm_stmt_bind_i64(st, idx, admin_sees_whole_customer(u) ? 1 : 0) < 0 ||
	    cm_stmt_bind_str(st, idx + 1, u->cert_types) < 0)
		return -1;
	return 0;
}

/* Binds ADMIN_ORG_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_org_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	return bind_who(st, idx, u);
}

/* Binds ADMIN_ORG_HELD_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_org_held_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	return bind_who(st, idx, u);
}

/* Binds ADMIN_DEPT_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_dept_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	return bind_who(st, idx, u);
}

/* Binds ADMIN_CERT_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_cert_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	return bind_who(st, idx, u) < 0 || bind_types(st, idx + 2, u) < 0 ? -1 : 0;
}

/* Binds ADMIN_PERSON_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_person_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	return bind_who(st, idx, u) < 0 || bind_types(st, idx + 2, u) < 0 ? -1 : 0;
}

/* Binds ADMIN_DOMAIN_SCOPE_SQL's parameters; 0 or -1. */
int
admin_bind_domain_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u)
{
	if (bind_who(st, idx, u) < 0 || cm_stmt_bind_str(st, idx + 2, u->cert_types) < 0)
		return -1;
	return 0;
}

/* 1 / 0: the MRAO's scope is its customer. */
int
admin_sees_whole_customer(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: certificates outside every organisation (the CLI's, Apache's) are the MRAO's. */
int
admin_may_issue_without_org(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: the roles admin_policy lets delegate (ACTION_DELEGATE_DOMAIN) somewhere. */
int
admin_may_delegate_domains(const struct admin_user *u)
{
	return u->role == ROLE_MRAO || u->role == ROLE_RAO;
}

/* 1 / 0: the MRAO owns every domain; others pass on only what they hold. */
int
admin_may_widen_delegations(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: an RAO or DRAO reads only the rows of its own actions. */
int
admin_may_read_whole_audit(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: verifying reads the whole customer's chain, so it is the MRAO's. */
int
admin_may_verify_audit(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: the recovery alarm is about the whole customer's certificates. */
int
admin_may_see_recovery_alarm(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: the policy's ACTION_MANAGE_AD_SERVERS on the administrator's customer. */
int
admin_may_manage_ad_servers(const struct admin_user *u)
{
	struct admin_object o = { .customer_id = u->customer_id };

	return admin_policy(u, NULL, 0, ACTION_MANAGE_AD_SERVERS, &o);
}

/* 1 / 0: as admin_policy's ACTION_MANAGE_ADMINS: an RAO manages DRAOs only. */
int
admin_may_grant_role(const struct admin_user *u, const char *role)
{
	if (role == NULL)
		return 0;
	if (u->role == ROLE_MRAO)
		return strcmp(role, "mrao") == 0 || strcmp(role, "rao") == 0 || strcmp(role, "drao") == 0;
	if (u->role == ROLE_RAO)
		return strcmp(role, "drao") == 0;
	return 0;
}

/* 1 / 0. */
int
admin_may_create_admins(const struct admin_user *u)
{
	return admin_may_grant_role(u, "mrao") || admin_may_grant_role(u, "rao") ||
	    admin_may_grant_role(u, "drao");
}

/* 1 / 0: ending sessions acts on any administrator of the customer, so it
 * is the MRAO's (an RAO would otherwise cut off its peers or its MRAO). */
int
admin_may_end_sessions(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: the settings bind every administrator of the customer (the
 * four-eyes rule among them), so they are the MRAO's. */
int
admin_may_change_customer_settings(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: the outbox holds every requester's and approver's mail of the
 * customer, across organisations, so it is the MRAO's. */
int
admin_may_see_outbox(const struct admin_user *u)
{
	return u->role == ROLE_MRAO;
}

/* 1 / 0: SCEP issues client certificates only, so the section is for
 * those who hold that type (the MRAO holds every type). */
int
admin_may_see_scep(const struct admin_user *u)
{
	return u->role == ROLE_MRAO || ((u->role == ROLE_RAO || u->role == ROLE_DRAO) && admin_has_type(u, "client"));
}

/* 1 / 0: whether a customer's devices may enroll at all is customer-wide,
 * as the customer's other settings. */
int
admin_may_change_scep_settings(const struct admin_user *u)
{
	return admin_may_change_customer_settings(u);
}

/* 1 / 0; see policy.h. */
int
admin_profile_allowed(const struct admin_user *u, const char *profile)
{
	/* ocsp-signing never goes through the portal (signerd refuses it for
	 * the web user), and an unknown profile has no type. */
	const char *type = cm_cert_type_of(profile);

	if (cm_cert_type_bit(type, CM_TYPES_ADMIN) == 0)
		return 0;
	if (admin_sees_whole_customer(u))
		return 1;
	return admin_has_type(u, type);
}

/* Sets Nav.* for the layout (header.cs). */
void
admin_nav_set(struct admin_ctx *c)
{
	if (admin_may_manage_ad_servers(&c->user))
		cm_render_set(c->r, "Nav.ad_servers", "1");
	if (admin_may_change_customer_settings(&c->user))
		cm_render_set(c->r, "Nav.settings", "1");
	if (admin_may_see_outbox(&c->user))
		cm_render_set(c->r, "Nav.outbox", "1");
	if (admin_may_see_scep(&c->user))
		cm_render_set(c->r, "Nav.scep", "1");
}
