/* admins.h: administrators: the one way one is created (CLI and admin pages), their scope rows and their audit JSON. */
#ifndef CM_ADMINS_H
#define CM_ADMINS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "db.h"

/* One scope of an RAO or DRAO: an organisation, or one department of it. */
struct cm_admin_scope {
	int64_t org_id;
	int64_t dept_id;          /* 0: the whole organisation */
};

/* An administrator's fields as stored (principal unique across customers). */
struct cm_admin {
	int64_t customer_id;
	const char *principal;    /* as Apache reports it in REMOTE_USER */
	const char *name;         /* NULL: none */
	const char *email;        /* NULL: none */
	const char *role;         /* "mrao", "rao" or "drao" */
	const char *types;        /* MariaDB SET "ssl,client,codesign"; NULL: all */
	int enabled;              /* for the JSON; a new administrator is enabled */
	const struct cm_admin_scope *scopes;   /* none for an MRAO */
	size_t nscopes;
};

/* The field cm_admin_check refuses first (CM_ADMIN_FIELD_OK: none). */
enum cm_admin_field {
	CM_ADMIN_FIELD_OK = 0,
	CM_ADMIN_FIELD_PRINCIPAL,
	CM_ADMIN_FIELD_NAME,
	CM_ADMIN_FIELD_EMAIL,
	CM_ADMIN_FIELD_ROLE,
	CM_ADMIN_FIELD_SCOPE,
	CM_ADMIN_FIELD_TYPES
};

/* 1 when p is 1-255 bytes of UTF-8 without control characters or blanks. */
int cm_admin_principal_ok(const char *p);
/* 1 when role is "mrao", "rao" or "drao". */
int cm_admin_role_ok(const char *role);
/* 1 when types is a non-empty comma-separated list of ssl, client and
 * codesign (at most 32 bytes). */
int cm_admin_types_ok(const char *types);
/* The first field of a that cannot be stored (name and email: 1-255 bytes
 * of clean text, an e-mail with '@' and no blank; the scopes as the role
 * needs them: none for an MRAO, organisations for an RAO, departments for a
 * DRAO), or CM_ADMIN_FIELD_OK. The admin pages check stricter rules first,
 * with their own messages; this is the floor both callers share. */
enum cm_admin_field cm_admin_check(const struct cm_admin *a);

/* Appends the audit JSON of a to b: principal, customer_id, name, email,
 * role, cert_types, enabled, scopes. 0 or -1 (out of memory). */
int cm_admin_json(struct cm_buf *b, const struct cm_admin *a);

/* Loads the scope rows of administrator admin_id, at most max of them, in
 * the order they were written; the count, or -1 (database). */
long cm_admin_scopes_load(struct cm_db *db, int64_t admin_id, struct cm_admin_scope *out,
    size_t max);
/* Replaces the scope rows of administrator admin_id with scopes[0..n);
 * 0 or -1 (database). */
int cm_admin_scopes_replace(struct cm_db *db, int64_t admin_id,
    const struct cm_admin_scope *scopes, size_t n);

/*
 * The one way an administrator is created, by the CLI and the admin pages:
 * checks a (cm_admin_check), inserts its row and its scope rows and writes
 * the admin.add audit row (by actor, from remote_addr or NULL), all in the
 * caller's open transaction, which the caller commits or rolls back. Who may
 * add whom, and whether the principal is free, are the caller's questions.
 * 0 with the new row's id in *id; a positive enum cm_admin_field when a field
 * is refused (nothing written); -1 on a database error.
 */
int cm_admin_create(struct cm_db *db, const struct cm_admin *a, const char *actor,
    const char *remote_addr, int64_t *id);

#endif
