/* policy.h: the one access policy of the admin portal (who may do what to which object). */
#ifndef CM_ADMIN_POLICY_H
#define CM_ADMIN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "admins.h"

struct admin_ctx;
struct admin_user;
struct cm_stmt;

enum admin_action {
	ACTION_VIEW = 0,          /* see the object's page */
	ACTION_CREATE,            /* create the object (org: {customer}; dept: {customer, org}) */
	ACTION_EDIT,              /* change its settings (cert_type: the tab being changed) */
	ACTION_DELETE,
	ACTION_VIEW_ACCESS_CODE,  /* read a self-enrollment access code */
	ACTION_SET_ACCESS_CODE,   /* change it */
	ACTION_MANAGE_DEPTS,      /* add or remove departments of the organisation o */
	ACTION_DELEGATE_DOMAIN,   /* delegate a domain to o (org, or dept of it) for o.cert_type, or undo it */
	ACTION_VIEW_ADMIN,        /* see an administrator scoped to o (org 0: an MRAO); see admin_policy_admin */
	ACTION_MANAGE_ADMINS,     /* create/edit/delete an administrator scoped to o, for type o->cert_type */
	ACTION_MANAGE_AD_SERVERS, /* list, see, add, change, delete the customer's AD servers (o: {customer}) */
	ACTION_BIND_AD_SERVER,    /* choose organisation o's AD server */
	ACTION_VIEW_AD_BINDING,   /* see which AD server organisation o is bound to */
	ACTION__MAX
};

/* What an action is applied to; 0 / NULL = not part of the object. */
struct admin_object {
	int64_t customer_id;
	int64_t org_id;
	int64_t dept_id;
	const char *cert_type;    /* "ssl", "client", "codesign" or NULL (no type) */
};

/* One admin_scopes row: an organisation (dept_id 0) or a department. The
 * one scope struct is lib's (admins.h), shared with the CLI; the policy's
 * name for it stays until every user says cm_admin_scope. */
#define admin_scope cm_admin_scope

#define ADMIN_MAX_SCOPES 256

/*
 * The decision itself, without a database, so it can be unit tested:
 * 1 allowed, 0 denied. MRAO: everything in its customer. RAO: the
 * organisations of its scopes and their departments, for its certificate
 * types; it cannot create or delete organisations. DRAO: the departments of
 * its scopes for its certificate types (it may look at the organisation that
 * holds them), and never an access code. Another customer: always denied.
 * Active Directory servers and the choice of an organisation's are the
 * MRAO's; an RAO with client certificates sees its organisation's binding
 * (auto-enrollment of S/MIME certificates is what uses it); a DRAO does not.
 */
int admin_policy(const struct admin_user *u, const struct admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_object *o);

/* Every handler asks this: loads the administrator's scopes and applies
 * admin_policy. 1 allowed, 0 denied, -1 database error (logged). */
int admin_may(struct admin_ctx *c, enum admin_action a, const struct admin_object *o);

/* 1 when the administrator holds certificate type t ("ssl", "client", "codesign"). */
int admin_has_type(const struct admin_user *u, const char *t);

/*
 * SQL-side scoping for list pages. A query over organizations o writes
 *     AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = o.id))
 * and over departments d
 *     AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ?
 *          AND s.org_id = d.org_id AND (s.dept_id IS NULL OR s.dept_id = d.id)))
 * and binds its two parameters from idx with this. 0 or -1.
 */
int admin_bind_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/*
 * The same rule for rows about certificates under the alias c (certificates
 * and the counters cert_counts, cert_issued_daily, cert_expiry_daily: each has
 * org_id, dept_id and cert_type): in scope and of the administrator's
 * certificate types. The list form of admin_may_see_cert(). Four parameters:
 * admin_bind_scope() at idx, then (MRAO ? 1 : 0) and the admin's cert_types.
 */
#define ADMIN_CERT_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s" \
	" JOIN organizations so ON so.id = s.org_id AND so.deleted_at IS NULL" \
	" WHERE s.admin_id = ? AND s.org_id = c.org_id" \
	" AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))" \
	" AND (? = 1 OR FIND_IN_SET(c.cert_type, ?) > 0)"

/* An administrator row as the policy sees it: its scopes (none: an MRAO) and
 * certificate types (a MariaDB SET string, "" for none). */
struct admin_target {
	int64_t customer_id;
	int64_t admin_id;         /* 0 for one being created */
	const struct admin_scope *scopes;
	size_t nscopes;
	const char *cert_types;
};

/* admin_policy applied to every scope of the target (and, for
 * ACTION_MANAGE_ADMINS, every certificate type it holds): 1 when all are
 * allowed, else 0. An RAO sees the administrators of its organisations and
 * manages DRAOs of their departments within its own types; a DRAO sees only
 * itself; nobody but an MRAO touches an MRAO. */
int admin_policy_admin(const struct admin_user *u, const struct admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_target *t);

/* The caller's own scopes (none for an MRAO), at most ADMIN_MAX_SCOPES; the
 * count, or -1 on a database error (logged). */
long admin_scopes_load(struct admin_ctx *c, struct admin_scope *out);

#endif
