/* admins_model.h: administrator rows and the administrator form, shared by the list, the edit pages, the CSV export and import. */
#ifndef CM_ADMIN_ADMINS_MODEL_H
#define CM_ADMIN_ADMINS_MODEL_H

#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"
#include "policy.h"
#include "units.h"

#define ADMINS_MAX_SCOPES 16

/* One administrators row (not deleted) with its scopes. */
struct admins_row {
	int64_t id;
	int64_t customer_id;
	char principal[256];
	char name[256];
	char email[256];
	char role[8];             /* "mrao", "rao", "drao" */
	char types[64];           /* MariaDB SET: "ssl,client,codesign" */
	int enabled;
	struct cm_admin_scope scopes[ADMINS_MAX_SCOPES];
	size_t nscopes;
	char scope_label[512];    /* "Org / Dept; ..." for pages */
};

/* The fields of the form, for their error messages. */
enum admins_field {
	AF_PRINCIPAL = 0, AF_NAME, AF_EMAIL, AF_ROLE, AF_SCOPE, AF_TYPES, AF__MAX
};

/* What the form posts, or a row of the CSV import (also what the form shows
 * again after an error). */
struct admins_form {
	char principal[256];
	char name[256];
	char email[256];
	char role[8];
	char scope[CM_UNIT_MAX];  /* "", "ORG" or "ORG/DEPT" (lib/units.h) */
	int ssl, client, codesign;
	struct cm_admin_scope sc;    /* resolved from scope; org 0 = none */
	char types[64];           /* built from the checkboxes */
	int errors;
	const char *msg[AF__MAX]; /* the check's message per field (static strings), NULL = fine */
};

/* Loads administrator id of the caller's customer (not deleted) with its
 * scopes: 1 found, 0 not, -1 database error. lock: SELECT ... FOR UPDATE. */
int admins_row_load(struct admin_ctx *c, int64_t id, int lock, struct admins_row *row);
/* Loads the scopes (and their label) of row->id; 0 or -1. When csv is not
 * NULL, also appends them as the CSV export writes them: "Org" or
 * "Org/Dept", ';' between scopes. */
int admins_row_scopes(struct admin_ctx *c, struct admins_row *row, struct cm_buf *csv);
/* The policy target of a row / of the form (admin_id: the row edited, 0 new). */
void admins_row_target(const struct admins_row *row, struct admin_target *t);
void admins_form_target(const struct admins_form *f, int64_t customer_id, int64_t admin_id,
    struct admin_target *t);

/* Fills f from the POSTed form (principal only when with_principal); 0. */
int admins_form_read(struct admin_ctx *c, struct admins_form *f, int with_principal);
/* Fills f from text fields (NULL = empty), as admins_form_read does from a
 * form; the certificate types are left to admins_form_types. */
void admins_form_fill(struct admins_form *f, const char *principal, const char *name,
    const char *email, const char *role, const char *scope);
/* Sets the types of f from a MariaDB SET string ("ssl,client"; spaces
 * around the names are ignored): 0, or -1 when a name is not ssl, client or
 * codesign (f keeps the names it understood). */
int admins_form_types(struct admins_form *f, const char *set);
/* Fills f from a row (for the edit page). */
void admins_form_from_row(struct admins_form *f, const struct admins_row *row);
/* Checks every field and resolves the scope in the caller's customer,
 * setting f->msg[field]; the error count, or -1 on a database error. */
int admins_form_check(struct admin_ctx *c, struct admins_form *f, int with_principal);
/* Puts f->msg under Errors.<field> for the form page. */
void admins_form_errors_render(struct admin_ctx *c, const struct admins_form *f);
/* The messages of f->msg joined by spaces into buf (for one line of a report). */
void admins_form_errors_join(const struct admins_form *f, char *buf, size_t len);

/* Resolves a CSV scope cell by name in the caller's customer into f->scope
 * ("ORG" / "ORG/DEPT", lib/units.h): for an RAO the organisation's name, for a
 * DRAO "Org/Dept" (a '/' inside a name is tried at each split). 1 found,
 * 0 no such organisation / department, 2 more than one matches, -1 database
 * error. */
int admins_scope_by_name(struct admin_ctx *c, struct admins_form *f, const char *cell);

/* Results of admins_add. */
enum admins_add_result {
	ADMINS_ADD_DBERR = -1,    /* database error, rolled back (logged by the caller) */
	ADMINS_ADDED = 0,
	ADMINS_ADD_INVALID,       /* a field is wrong: f->msg says which (400) */
	ADMINS_ADD_DENIED,        /* the policy refuses this role, scope or types (403) */
	ADMINS_ADD_TAKEN          /* the principal is an administrator already, or a deleted one (409) */
};
/*
 * The one way an administrator is created, for the form and the CSV import:
 * checks f as admins_form_check does, asks the policy (ACTION_MANAGE_ADMINS
 * for the role, scope and every type), checks the principal is free, then
 * creates it through cm_admin_create (lib/admins.c: the row, its scope and
 * an admin.add audit row) in one transaction.
 * On a refusal f->msg holds the reason (AF_SCOPE for DENIED, AF_PRINCIPAL
 * for TAKEN) and nothing was written. *id gets the new row's id.
 */
enum admins_add_result admins_add(struct admin_ctx *c, struct admins_form *f, int64_t *id);

/* 1 when the caller may manage (ACTION_MANAGE_ADMINS) the administrator t
 * describes, 0 not, -1 database error. */
int admins_may_manage(struct admin_ctx *c, const struct admin_target *t);
/* Puts the form under Form.*, the scope choices the caller may grant under
 * Scopes.*, and the role choices under Roles.*; 0 or -1 (database). */
int admins_form_render(struct admin_ctx *c, const struct admins_form *f);

/* 1 when p is a Kerberos principal user@REALM (user: letters, digits, . _ -;
 * REALM: upper-case letters, digits, . -), at most 255 bytes. */
int admins_principal_ok(const char *p);
/* 1 when e looks like an e-mail address (local@domain.tld), at most 254 bytes. */
int admins_email_ok(const char *e);

/* Appends a JSON object of the row; 0 or -1. */
int admins_row_json(const struct admins_row *row, struct cm_buf *b);

/* Counts the enabled, non-deleted MRAOs of the customer, locking their rows;
 * the count or -1. */
long admins_mrao_count(struct admin_ctx *c);

#endif
