/* persons_model.h: persons (holders of client certificates): field rules, loading, insert, audit JSON and the scope checks asked of the policy. */
#ifndef CM_ADMIN_PERSONS_MODEL_H
#define CM_ADMIN_PERSONS_MODEL_H

#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"

#define PERSON_EMAIL_MAX 254
#define PERSON_NAME_MAX 128
#define PERSON_PRINCIPAL_MAX 255

/* What the form or one CSV row gives; NULL or "" = not given. */
struct person_in {
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *principal_name;
	int64_t org_id;
	int64_t dept_id;          /* 0 = the organisation itself */
};

struct person_row {
	int64_t id;
	int64_t org_id;
	int64_t dept_id;          /* 0 = none */
	char email[PERSON_EMAIL_MAX + 1];
	char first_name[4 * PERSON_NAME_MAX + 1];    /* characters of up to 4 bytes */
	char last_name[4 * PERSON_NAME_MAX + 1];
	char principal_name[PERSON_PRINCIPAL_MAX + 1];
	char org_name[4 * 255 + 1];
	char dept_name[4 * 255 + 1];
};

/*
 * Checks p for the administrator's customer: the e-mail (user@domain, the
 * domain lower-cased into email_out), names and principal, that the
 * organisation/department exists, that the policy lets the administrator
 * manage client-certificate holders there, that the e-mail's domain is a
 * validated domain delegated to that organisation/department for client
 * certificates, and that no other live person (id != self_id) has the
 * e-mail. NULL when acceptable; else a message for the person and *field
 * ("email", "first_name", "last_name", "principal_name", "unit"). A
 * database error sets *dberr and returns a message too.
 */
const char *person_check(struct admin_ctx *c, const struct person_in *p, int64_t self_id,
    char *email_out, size_t email_len, const char **field, int *dberr);

/*
 * The checks of person_check that need no database, in its order: e-mail
 * (normalised into email_out, its lower-cased domain into host), names,
 * principal. NULL when acceptable; else a message and *field.
 */
const char *person_check_fields(const struct person_in *p, char *email_out, size_t email_len,
    char *host, size_t host_len, const char **field);

/* person_check's answers after the fields, for callers that ask the same
 * questions in bulk (the CSV import), so the wording stays in one place. */
#define PERSON_MSG_DENIED "You may not manage client-certificate holders of that organisation or department."
#define PERSON_MSG_DOMAIN "The e-mail domain is not a validated domain delegated to this organisation or department for client certificates."
#define PERSON_MSG_TAKEN "Another person already has this e-mail address."

/* 1 when host (lower case) is or lies under a validated domain delegated to
 * org/dept for client certificates, as issuance checks e-mail names; 0; -1 database. */
int person_domain_covered(struct admin_ctx *c, const char *host, int64_t org_id, int64_t dept_id);

/* Inserts a checked person (email already normalised) and its audit row
 * "person.create" in the caller's transaction; *id gets the new id. 0 or -1. */
int person_insert(struct admin_ctx *c, const struct person_in *p, const char *email, int64_t *id);

/* Loads live person id of the customer (FOR UPDATE when lock). 1, 0 none, -1 database. */
int person_load(struct admin_ctx *c, int64_t id, int lock, struct person_row *out);

/* Loads c->id and asks the policy (view); answers 404/500 itself. 1 found, 0 answered. */
int person_load_visible(struct admin_ctx *c, struct person_row *out);

/* 1 when the policy lets the administrator manage persons of org/dept; 0; -1 database. */
int person_may_manage(struct admin_ctx *c, int64_t org_id, int64_t dept_id);

/* 1 when the administrator may add persons somewhere (the policy's rule for
 * some organisation/department of its scopes; always for an MRAO); 0; -1 database. */
int person_may_create(struct admin_ctx *c);

/* The audit JSON of p; 0 or -1. */
int person_json(const struct person_row *p, struct cm_buf *b);

/* Writes the audit row of action on person id in the caller's transaction; 0 or -1. */
int person_audit(struct admin_ctx *c, const char *action, int64_t id, const char *before,
    const char *after);

/* Sets Units.N.{value,label,selected} for the organisations/departments where
 * the administrator may manage persons ("ORG" or "ORG/DEPT", lib/units.h). 0 or -1. */
int person_units(struct admin_ctx *c, int64_t org_id, int64_t dept_id);

/* Finds the live organisation (and department, "" = none) of the customer by
 * name. 1 found, 0 not, -1 database. */
int person_unit_by_name(struct admin_ctx *c, const char *org, const char *dept,
    int64_t *org_id, int64_t *dept_id);

#endif
