/* policy.h: the one access policy of the admin portal (who may do what to which object). */
#ifndef CM_ADMIN_POLICY_H
#define CM_ADMIN_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "admins.h"
#include "cert_types.h"

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

/* Scope rows are lib's struct cm_admin_scope (admins.h), shared with the CLI. */

#define ADMIN_MAX_SCOPES 256

/* The administrator's scope rows, read from the database at most once per
 * request: struct admin_ctx holds one, zeroed with the context, and only
 * policy.c fills or reads it (admin_may, admin_scopes_load, ...). */
struct admin_scope_cache {
	int64_t admin_id;         /* whose rows these are; 0 = not read yet */
	size_t n;
	struct cm_admin_scope rows[ADMIN_MAX_SCOPES];
};

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
int admin_policy(const struct admin_user *u, const struct cm_admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_object *o);

/* Every handler asks this: admin_policy with the administrator's scopes from
 * the request's cache (c->scopes, read from the database on first use).
 * 1 allowed, 0 denied, -1 database error (logged). */
int admin_may(struct admin_ctx *c, enum admin_action a, const struct admin_object *o);

/* 1 when the administrator holds certificate type t ("ssl", "client", "codesign"). */
int admin_has_type(const struct admin_user *u, const char *t);

/* Type names, bits and the one parser of cert_types lists: lib/cert_types.h. */

/*
 * Questions about the administrator alone, asked by pages and templates
 * instead of comparing roles; each is 1 yes, 0 no.
 */
/* The whole customer is its scope (every organisation, every type): an MRAO. */
int admin_sees_whole_customer(const struct admin_user *u);
/* It may issue a certificate that belongs to no organisation: an MRAO. */
int admin_may_issue_without_org(const struct admin_user *u);
/* It may delegate domains to some organisation or department (MRAO, RAO). */
int admin_may_delegate_domains(const struct admin_user *u);
/* It may delegate a domain to an organisation or department that does not
 * already hold it: an MRAO; an RAO passes on only what its organisation holds. */
int admin_may_widen_delegations(const struct admin_user *u);
/* It reads every audit row of the customer, not only its own: an MRAO. */
int admin_may_read_whole_audit(const struct admin_user *u);
/* It may verify the audit log's hash chain: an MRAO. */
int admin_may_verify_audit(const struct admin_user *u);
/* It sees, and may acknowledge, the alarm for certificates the signer issued
 * without a database record (recovered from its journal): an MRAO, who
 * answers for the whole customer's certificates. */
int admin_may_see_recovery_alarm(const struct admin_user *u);
/* It may list and change the customer's AD servers (ACTION_MANAGE_AD_SERVERS). */
int admin_may_manage_ad_servers(const struct admin_user *u);
/* It may give another administrator the role named role ("mrao", "rao",
 * "drao", as the admins column spells it): an MRAO any, an RAO "drao". */
int admin_may_grant_role(const struct admin_user *u, const char *role);
/* It may create administrators at all (it may grant some role). */
int admin_may_create_admins(const struct admin_user *u);
/* It may end another administrator's sessions (of its customer): an MRAO. */
int admin_may_end_sessions(const struct admin_user *u);
/* It may see and change the customer's own settings (Customer settings
 * page: approval.self_approve): an MRAO. */
int admin_may_change_customer_settings(const struct admin_user *u);
/* It may see the customer's notification outbox and retry a failed
 * message (Outbox page): an MRAO. */
int admin_may_see_outbox(const struct admin_user *u);
/* It may use the SCEP section at all (issue 10: SCEP enrolls client and
 * S/MIME certificates): an MRAO, or an RAO/DRAO holding client certificates;
 * what it then sees is its scope. */
int admin_may_see_scep(const struct admin_user *u);
/* It may see and change the customer's SCEP settings (on/off, the types
 * and their profiles): customer-wide, so an MRAO. */
int admin_may_change_scep_settings(const struct admin_user *u);

/* An MRAO may use every profile that goes through the portal; an RAO or DRAO
 * only those of its certificate types; nobody the OCSP-signing profile. */
int admin_profile_allowed(const struct admin_user *u, const char *profile);

/* Whether action a on objects of type cert_type is allowed in at least one of
 * the administrator's organisations or departments (an MRAO: always).
 * 1, 0, or -1 database error (logged). */
int admin_may_somewhere(struct admin_ctx *c, enum admin_action a, const char *cert_type);

/* Sets the layout's booleans from the policy (Nav.ad_servers, ...), so no
 * template compares role names; admin_page calls it for a logged-in page. */
void admin_nav_set(struct admin_ctx *c);

/*
 * The scope as SQL, for list pages: one named piece per kind of row, each
 * written for a fixed table alias and appended to a WHERE clause, and one
 * bind helper per piece that binds all its parameters, in order, from idx
 * (0 or -1). The same rules as admin_policy() for one object; an MRAO (no
 * scope rows) passes every piece through its first parameter.
 *
 * ADMIN_ORG_SCOPE_SQL, over organizations o: organisations in which the
 * administrator holds any scope row (an RAO's own, a DRAO's that hold its
 * departments). Parameters (2): is MRAO, admin id.
 */
#define ADMIN_ORG_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = o.id))"
#define ADMIN_ORG_SCOPE_NPARAMS 2
int admin_bind_org_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/* ADMIN_ORG_HELD_SCOPE_SQL, over organizations o: organisations the
 * administrator holds whole (an RAO's scope rows without a department).
 * Parameters (2): is MRAO, admin id. */
#define ADMIN_ORG_HELD_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = o.id" \
	" AND s.dept_id IS NULL))"
#define ADMIN_ORG_HELD_SCOPE_NPARAMS 2
int admin_bind_org_held_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/* ADMIN_DEPT_SCOPE_SQL, over departments d: every department of an RAO's
 * organisations, a DRAO's own departments. Parameters (2): is MRAO, admin id. */
#define ADMIN_DEPT_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = d.org_id" \
	" AND (s.dept_id IS NULL OR s.dept_id = d.id)))"
#define ADMIN_DEPT_SCOPE_NPARAMS 2
int admin_bind_dept_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/*
 * ADMIN_CERT_SCOPE_SQL, over rows about certificates under the alias c
 * (certificates and the counters cert_counts, cert_issued_daily,
 * cert_expiry_daily: each has org_id, dept_id and cert_type): in scope and of
 * the administrator's certificate types. The list form of
 * admin_cert_in_scope(). Parameters (4): is MRAO, admin id, is MRAO, the
 * admin's cert_types.
 */
#define ADMIN_CERT_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s" \
	" JOIN organizations so ON so.id = s.org_id AND so.deleted_at IS NULL" \
	" WHERE s.admin_id = ? AND s.org_id = c.org_id" \
	" AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))" \
	" AND (? = 1 OR FIND_IN_SET(c.cert_type, ?) > 0)"
#define ADMIN_CERT_SCOPE_NPARAMS 4
int admin_bind_cert_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/*
 * ADMIN_PERSON_SCOPE_SQL, over persons p (holders of client certificates):
 * the persons of the administrator's organisations, and for a DRAO those of
 * its departments and of the organisation itself, for an administrator with
 * client certificates. Parameters (4): is MRAO, admin id, is MRAO, the
 * admin's cert_types.
 */
#define ADMIN_PERSON_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = p.org_id" \
	" AND (s.dept_id IS NULL OR p.dept_id IS NULL OR s.dept_id = p.dept_id)))" \
	" AND (? = 1 OR FIND_IN_SET('client', ?) > 0)"
#define ADMIN_PERSON_SCOPE_NPARAMS 4
int admin_bind_person_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/*
 * ADMIN_DOMAIN_SCOPE_SQL, over domains d: domains delegated (to a live
 * organisation) for one of the administrator's certificate types, to an
 * organisation it holds, or to its department or the whole organisation
 * holding it. Parameters (3): is MRAO, admin id, the admin's cert_types.
 */
#define ADMIN_DOMAIN_SCOPE_SQL \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM domain_delegations dd" \
	" JOIN admin_scopes s ON s.org_id = dd.org_id" \
	" JOIN organizations o ON o.id = dd.org_id AND o.deleted_at IS NULL" \
	" WHERE dd.domain_id = d.id AND s.admin_id = ? AND FIND_IN_SET(dd.cert_type, ?) > 0" \
	" AND (s.dept_id IS NULL OR dd.dept_id IS NULL OR dd.dept_id = s.dept_id)))"
#define ADMIN_DOMAIN_SCOPE_NPARAMS 3
int admin_bind_domain_scope(struct cm_stmt *st, unsigned idx, const struct admin_user *u);

/* An administrator row as the policy sees it: its scopes (none: an MRAO) and
 * certificate types (a MariaDB SET string, "" for none). */
struct admin_target {
	int64_t customer_id;
	int64_t admin_id;         /* 0 for one being created */
	const struct cm_admin_scope *scopes;
	size_t nscopes;
	const char *cert_types;
};

/* admin_policy applied to every scope of the target (and, for
 * ACTION_MANAGE_ADMINS, every certificate type it holds): 1 when all are
 * allowed, else 0. An RAO sees the administrators of its organisations and
 * manages DRAOs of their departments within its own types; a DRAO sees only
 * itself; nobody but an MRAO touches an MRAO. */
int admin_policy_admin(const struct admin_user *u, const struct cm_admin_scope *scopes, size_t nscopes,
    enum admin_action a, const struct admin_target *t);

/* The caller's own scopes (none for an MRAO), at most ADMIN_MAX_SCOPES,
 * copied from the request's cache (read on first use); the count, or -1 on a
 * database error (logged). */
long admin_scopes_load(struct admin_ctx *c, struct cm_admin_scope *out);

#endif
