/* org_model.h: the settings an organisation or department page edits, shared by the org_* and dept_* handlers. */
#ifndef CM_ADMIN_ORG_MODEL_H
#define CM_ADMIN_ORG_MODEL_H

#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"
#include "edit_commit.h"

enum org_kind { KIND_ORG, KIND_DEPT };

/* Text fields, in the column order of the load queries. */
enum org_str {
	F_NAME, F_ADDRESS1, F_ADDRESS2, F_CITY, F_STATE, F_POSTAL_CODE, F_COUNTRY,
	F_SSL_TERMS, F__NSTR
};

/* On/off settings, in the column order of the load queries. Each belongs
 * to one certificate type's tab and is changed only with rights on that
 * type; the client and code-signing approval settings are an
 * organisation's only (a department follows it). */
enum org_bool {
	B_SELF_ENROLLMENT, B_WEB_API, B_KEY_RECOVERY_A, B_KEY_RECOVERY_B,
	B_PRINCIPAL_NAME, B_PRINCIPAL_NAME_CUSTOM, B_SSL_AUTO_APPROVE, B_CODESIGN,
	B_CLIENT_AUTO_APPROVE, B_CODESIGN_AUTO_APPROVE, B__NBOOL
};

/* A department's b[B_SSL_AUTO_APPROVE] is 1 (approve automatically), 0 (an
 * administrator approves each) or one of these; an organisation's is 0/1. */
#define DEPT_APPROVAL_ORG (-1)    /* as the organisation (the column is NULL) */
#define DEPT_APPROVAL_BAD (-2)    /* the form sent another value (an error on the page) */

struct org_fields {
	enum org_kind kind;
	char *s[F__NSTR];         /* owned copies; never NULL after load/defaults */
	int b[B__NBOOL];
	int64_t customer_id;
	int64_t org_id;           /* a department's organisation; an organisation's own id */
	char *org_name;           /* a department's organisation name */
	int64_t ad_server_id;     /* an organisation's AD server: 0 none, -1 a form value that is no id */
	/* The access code's state; the code itself is never here (only its
	 * keyed hash is stored, and only org_access_page.c writes it). */
	int code_set;
	char code_hint[8];        /* its last characters */
	char code_set_at[32];     /* "YYYY-MM-DD HH:MM" UTC, or "" */
	int errors;
};

/* What the administrator may change on the page (from admin_may). */
struct org_rights {
	int edit, client, ssl, codesign, view_code, set_code, del, add_dept;
	int view_ad, bind_ad;     /* see / choose an organisation's AD server */
};

struct admin_object;
/* Fills r from admin_may for the object (dept_id 0: an organisation); 0 or -1 (database). */
int org_rights_get(struct admin_ctx *c, const struct admin_object *o, struct org_rights *r);

/* Fresh settings for a new object; 0 or -1 (memory). */
int org_fields_defaults(struct org_fields *f, enum org_kind kind);
void org_fields_free(struct org_fields *f);
/* Loads organisation or department id (not deleted); 1 found, 0 not, -1 error. */
int org_fields_load(struct admin_ctx *c, enum org_kind kind, int64_t id, struct org_fields *f);
/* Overwrites the fields the rights allow from the POSTed form; 0 or -1 (memory). */
int org_fields_from_form(struct admin_ctx *c, struct org_fields *f, const struct org_rights *r);
/* Checks every field, setting Errors.<field> for the page; the error count. */
int org_fields_check(struct admin_ctx *c, struct org_fields *f);
/* Puts the fields under Form.* (the access code's state, never a code: its
 * date and hint only when view_code) and the rights under Can.*. */
void org_fields_render(struct admin_ctx *c, const struct org_fields *f, const struct org_rights *r);
/* Appends the fields as a JSON object for the audit log; of the access
 * code only whether one is set. 0 or -1. */
int org_fields_json(const struct org_fields *f, struct cm_buf *b);
/* Binds the fields for the INSERT/UPDATE statements of org_edit.c and dept_edit.c
 * starting at idx (never the access code: see org_access_page.c); returns
 * the next index, or -1. */
int org_fields_bind(const struct org_fields *f, struct cm_stmt *st, unsigned idx);

/* The organisation and the department for edit_commit/edit_fail: their
 * audit type, noun, pages, and the JSON of a row as stored. */
extern const struct edit_object org_object, dept_object;

/*
 * Self-enrollment access codes: at least 12 characters, letters and digits,
 * and not a dictionary word, a repetition or a keyboard/alphabet sequence
 * with a few characters added. NULL when acceptable, else why not (a
 * static message for the form).
 */
const char *org_access_code_weakness(const char *code);

#endif
