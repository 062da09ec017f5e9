/* admins_model.h: administrator rows and the administrator form, shared by admins_list.c and admins_edit.c. */
#ifndef CM_ADMIN_ADMINS_MODEL_H
#define CM_ADMIN_ADMINS_MODEL_H

#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"
#include "policy.h"

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
	struct admin_scope scopes[ADMINS_MAX_SCOPES];
	size_t nscopes;
	char scope_label[512];    /* "Org / Dept; ..." for pages */
};

/* What the form posts (also what it shows again after an error). */
struct admins_form {
	char principal[256];
	char name[256];
	char email[256];
	char role[8];
	char scope[32];           /* "", "o<ORG ID>" or "d<DEPT ID>" */
	int ssl, client, codesign;
	struct admin_scope sc;    /* resolved from scope; org 0 = none */
	char types[64];           /* built from the checkboxes */
	int errors;
};

/* Loads administrator id of the caller's customer (not deleted) with its
 * scopes: 1 found, 0 not, -1 database error. lock: SELECT ... FOR UPDATE. */
int admins_row_load(struct admin_ctx *c, int64_t id, int lock, struct admins_row *row);
/* Loads the scopes (and their label) of row->id; 0 or -1. */
int admins_row_scopes(struct admin_ctx *c, struct admins_row *row);
/* The policy target of a row / of the form (admin_id: the row edited, 0 new). */
void admins_row_target(const struct admins_row *row, struct admin_target *t);
void admins_form_target(const struct admins_form *f, int64_t customer_id, int64_t admin_id,
    struct admin_target *t);

/* Fills f from the POSTed form (principal only when with_principal); 0. */
int admins_form_read(struct admin_ctx *c, struct admins_form *f, int with_principal);
/* Fills f from a row (for the edit page). */
void admins_form_from_row(struct admins_form *f, const struct admins_row *row);
/* Checks every field and resolves the scope in the caller's customer,
 * setting Errors.<field>; the error count, or -1 on a database error. */
int admins_form_check(struct admin_ctx *c, struct admins_form *f, int with_principal);
/* Puts the form under Form.*, the scope choices the caller may grant under
 * Scopes.*, and the role choices under Roles.*; 0 or -1 (database). */
int admins_form_render(struct admin_ctx *c, const struct admins_form *f);

/* 1 when p is a Kerberos principal user@REALM (user: letters, digits, . _ -;
 * REALM: upper-case letters, digits, . -), at most 255 bytes. */
int admins_principal_ok(const char *p);
/* 1 when e looks like an e-mail address (local@domain.tld), at most 254 bytes. */
int admins_email_ok(const char *e);

/* Appends a JSON object of the row / of the form as it will be saved; 0 or -1. */
int admins_row_json(const struct admins_row *row, struct cm_buf *b);
int admins_form_json(const struct admins_form *f, const char *principal, int enabled,
    struct cm_buf *b);

/* Counts the enabled, non-deleted MRAOs of the customer, locking their rows;
 * the count or -1. */
long admins_mrao_count(struct admin_ctx *c);

#endif
