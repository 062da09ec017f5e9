/* org_model.c: load, read, check, render and audit the settings of an organisation or department. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ad_server_model.h"
#include "log.h"
#include "text.h"
#include "org_model.h"
#include "policy.h"

struct str_def {
	const char *field;        /* form field, Form.* and JSON name */
	size_t max;               /* bytes; longer input is refused, never cut */
	int org_only;
};

static const struct str_def str_defs[F__NSTR] = {
	[F_NAME] = { "name", 255, 0 },
	[F_ADDRESS1] = { "address1", 255, 1 },
	[F_ADDRESS2] = { "address2", 255, 1 },
	[F_CITY] = { "city", 128, 1 },
	[F_STATE] = { "state", 128, 1 },
	[F_POSTAL_CODE] = { "postal_code", 32, 1 },
	[F_COUNTRY] = { "country", 2, 1 },
	[F_SSL_TERMS] = { "ssl_terms", 64, 0 },
};

struct bool_def {
	const char *org_field;    /* form field on an organisation page */
	const char *dept_field;   /* on a department page; NULL = not there */
	const char *tab;          /* the certificate type it belongs to */
};

static const struct bool_def bool_defs[B__NBOOL] = {
	[B_SELF_ENROLLMENT] = { "self_enrollment", "self_enrollment", "client" },
	[B_WEB_API] = { "web_api", NULL, "client" },
	[B_KEY_RECOVERY_A] = { "key_recovery_mrao", "key_recovery_org", "client" },
	[B_KEY_RECOVERY_B] = { "key_recovery_org", "key_recovery_dept", "client" },
	[B_PRINCIPAL_NAME] = { "principal_name", "principal_name", "client" },
	[B_PRINCIPAL_NAME_CUSTOM] = { "principal_name_custom", "principal_name_custom", "client" },
	[B_SSL_AUTO_APPROVE] = { "ssl_auto_approve", "ssl_auto_approve", "ssl" },
	[B_CODESIGN] = { "codesign_enabled", "codesign_enabled", "codesign" },
	[B_CLIENT_AUTO_APPROVE] = { "client_auto_approve", NULL, "client" },
	[B_CODESIGN_AUTO_APPROVE] = { "codesign_auto_approve", NULL, "codesign" },
};

static const char *
bool_field(enum org_kind kind, int i)
{
	return kind == KIND_ORG ? bool_defs[i].org_field : bool_defs[i].dept_field;
}

/* 0 or -1 (memory). */
static int
set_str(struct org_fields *f, int i, const char *v)
{
	char *d = strdup(v ? v : "");

	if (d == NULL)
		return -1;
	free(f->s[i]);
	f->s[i] = d;
	return 0;
}

void
org_fields_free(struct org_fields *f)
{
	for (int i = 0; i < F__NSTR; i++) {
		free(f->s[i]);
		f->s[i] = NULL;
	}
	free(f->org_name);
	f->org_name = NULL;
}

/* 0 or -1 (memory). */
int
org_fields_defaults(struct org_fields *f, enum org_kind kind)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	for (int i = 0; i < F__NSTR; i++)
		if (set_str(f, i, i == F_SSL_TERMS ? "1y" : "") < 0)
			return -1;
	f->b[B_CODESIGN] = 1;
	if (kind == KIND_DEPT)
		f->b[B_SSL_AUTO_APPROVE] = DEPT_APPROVAL_ORG;
	if ((f->org_name = strdup("")) == NULL)
		return -1;
	return 0;
}

/* The load queries' columns after the strings and the on/off settings. */
#define TAIL ((unsigned)(F__NSTR + B__NBOOL))

/* 1 found, 0 not (or deleted), -1 error. */
int
org_fields_load(struct admin_ctx *c, enum org_kind kind, int64_t id, struct org_fields *f)
{
	struct cm_stmt *st;
	int rc = -1, r, is_org = kind == KIND_ORG;

	if (org_fields_defaults(f, kind) < 0)
		return -1;
	st = cm_db_prepare(c->db, is_org ?
	    "SELECT name, address1, address2, city, state, postal_code, country,"
	    " ssl_allowed_terms, client_self_enrollment, client_web_api,"
	    " client_key_recovery_mrao, client_key_recovery_org, client_allow_principal_name,"
	    " client_allow_principal_name_custom, ssl_auto_approve, codesign_enabled,"
	    " client_auto_approve, codesign_auto_approve,"
	    " customer_id, id, name, ad_server_id, client_access_code_hash IS NOT NULL, client_access_code_hint,"
	    " DATE_FORMAT(client_access_code_set_at, '%Y-%m-%d %H:%i')"
	    " FROM organizations WHERE id = ? AND deleted_at IS NULL" :
	    "SELECT d.name, NULL, NULL, NULL, NULL, NULL, NULL,"
	    " d.ssl_allowed_terms, d.client_self_enrollment, 0,"
	    " d.client_key_recovery_org, d.client_key_recovery_dept, d.client_allow_principal_name,"
	    " d.client_allow_principal_name_custom, d.ssl_auto_approve, d.codesign_enabled, 0, 0,"
	    " o.customer_id, o.id, o.name, NULL, d.client_access_code_hash IS NOT NULL, d.client_access_code_hint,"
	    " DATE_FORMAT(d.client_access_code_set_at, '%Y-%m-%d %H:%i')"
	    " FROM departments d JOIN organizations o ON o.id = d.org_id"
	    " WHERE d.id = ? AND d.deleted_at IS NULL AND o.deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	if ((r = cm_stmt_fetch(st)) <= 0) {
		rc = r;
		goto out;
	}
	for (int i = 0; i < F__NSTR; i++)
		if (set_str(f, i, cm_stmt_str(st, (unsigned)i, NULL)) < 0)
			goto out;
	for (int i = 0; i < B__NBOOL; i++)
		f->b[i] = cm_stmt_i64(st, (unsigned)(F__NSTR + i)) != 0;
	if (!is_org && cm_stmt_is_null(st, (unsigned)(F__NSTR + B_SSL_AUTO_APPROVE)))
		f->b[B_SSL_AUTO_APPROVE] = DEPT_APPROVAL_ORG;
	f->customer_id = cm_stmt_i64(st, TAIL + 0);
	f->org_id = cm_stmt_i64(st, TAIL + 1);
	f->ad_server_id = cm_stmt_is_null(st, TAIL + 3) ? 0 : cm_stmt_i64(st, TAIL + 3);
	f->code_set = cm_stmt_i64(st, TAIL + 4) == 1;
	cm_stmt_copy_str(st, TAIL + 5, f->code_hint, sizeof(f->code_hint));
	cm_stmt_copy_str(st, TAIL + 6, f->code_set_at, sizeof(f->code_set_at));
	free(f->org_name);
	if ((f->org_name = strdup(cm_stmt_str(st, TAIL + 2, NULL) ? cm_stmt_str(st, TAIL + 2, NULL) : "")) == NULL)
		goto out;
	rc = 1;
out:
	if (rc < 0)
		cm_err("load %s %lld: %s", kind == KIND_ORG ? "organisation" : "department",
		    (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* Whether field i of a string may be changed with these rights. */
static int
str_editable(const struct org_rights *r, int i)
{
	if (i == F_SSL_TERMS)
		return r->ssl;
	return r->edit;
}

static int
bool_editable(const struct org_rights *r, int i)
{
	const char *t = bool_defs[i].tab;

	if (strcmp(t, "client") == 0)
		return r->client;
	if (strcmp(t, "ssl") == 0)
		return r->ssl;
	return r->codesign;
}

/* A department's approval choice from its form value: "org" (or nothing
 * sent: the default), "auto", "manual"; anything else DEPT_APPROVAL_BAD. */
static int
dept_approval_parse(const char *v)
{
	if (v == NULL || v[0] == '\0' || strcmp(v, "org") == 0)
		return DEPT_APPROVAL_ORG;
	if (strcmp(v, "auto") == 0)
		return 1;
	if (strcmp(v, "manual") == 0)
		return 0;
	return DEPT_APPROVAL_BAD;
}

/* The form value of a department's approval choice ("" when it was bad). */
static const char *
dept_approval_word(int v)
{
	return v == DEPT_APPROVAL_ORG ? "org" : v == 1 ? "auto" : v == 0 ? "manual" : "";
}

/* 0 or -1 (memory). */
int
org_fields_from_form(struct admin_ctx *c, struct org_fields *f, const struct org_rights *r)
{
	for (int i = 0; i < F__NSTR; i++) {
		const char *v;

		if ((f->kind == KIND_DEPT && str_defs[i].org_only) || !str_editable(r, i))
			continue;
		v = cm_req_form(c->req, str_defs[i].field);
		if (set_str(f, i, v) < 0)
			return -1;
	}
	for (int i = 0; i < B__NBOOL; i++) {
		const char *name = bool_field(f->kind, i), *v;

		if (name == NULL || !bool_editable(r, i))
			continue;
		v = cm_req_form(c->req, name);
		if (f->kind == KIND_DEPT && i == B_SSL_AUTO_APPROVE)
			f->b[i] = dept_approval_parse(v);
		else
			f->b[i] = v != NULL && strcmp(v, "1") == 0;
	}
	/* Only with bind_ad: org_edit.c refuses a form that carries it without. */
	if (f->kind == KIND_ORG && r->bind_ad && cm_req_form(c->req, "ad_server") != NULL)
		f->ad_server_id = ad_server_form_id(cm_req_form(c->req, "ad_server"));
	return 0;
}

static void
field_error(struct admin_ctx *c, struct org_fields *f, const char *field, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", field);
	f->errors++;
}

/* 1 when terms is a comma list of distinct 1y, 2y, 3y. */
static int
terms_ok(const char *terms)
{
	int seen[4] = { 0, 0, 0, 0 };
	const char *p = terms;

	if (*p == '\0')
		return 0;
	for (;;) {
		if (p[0] < '1' || p[0] > '3' || p[1] != 'y' || seen[p[0] - '0']++)
			return 0;
		if (p[2] == '\0')
			return 1;
		if (p[2] != ',')
			return 0;
		p += 3;
	}
}

/* The error count (messages go to Errors.<field>). */
int
org_fields_check(struct admin_ctx *c, struct org_fields *f)
{
	for (int i = 0; i < F__NSTR; i++) {
		if (f->kind == KIND_DEPT && str_defs[i].org_only)
			continue;
		if (strlen(f->s[i]) > str_defs[i].max) {
			char msg[128];

			snprintf(msg, sizeof(msg), "At most %zu bytes, please.", str_defs[i].max);
			field_error(c, f, str_defs[i].field, msg);
		} else if (!cm_text_clean(f->s[i])) {
			field_error(c, f, str_defs[i].field, "Use text without control characters (UTF-8).");
		}
	}
	if (f->s[F_NAME][0] == '\0')
		field_error(c, f, "name", "A name is required.");
	if (f->kind == KIND_ORG && f->s[F_COUNTRY][0] &&
	    !(strlen(f->s[F_COUNTRY]) == 2 && isupper((unsigned char)f->s[F_COUNTRY][0]) &&
	    isupper((unsigned char)f->s[F_COUNTRY][1])))
		field_error(c, f, "country", "A two-letter country code in capitals (GB, DE, US), or empty.");
	if (!terms_ok(f->s[F_SSL_TERMS]))
		field_error(c, f, "ssl_terms", "A comma-separated list of terms among 1y, 2y and 3y, e.g. \"1y,2y\".");
	if (f->kind == KIND_DEPT && f->b[B_SSL_AUTO_APPROVE] == DEPT_APPROVAL_BAD)
		field_error(c, f, "ssl_auto_approve",
		    "Choose how requests are approved: as the organisation, automatically, or by an administrator.");
	/* The code is set on its own page (org_access_page.c), shown once there. */
	if (f->b[B_SELF_ENROLLMENT] && !f->code_set)
		field_error(c, f, "access_code",
		    "Self enrollment needs an access code: set one first with Set access code "
		    "(a new organisation or department: once it is created).");
	if (f->kind == KIND_ORG && f->ad_server_id != 0) {
		int u = ad_server_usable(c, f->ad_server_id, 0);

		if (u != 1)
			field_error(c, f, "ad_server", u < 0 ? "The AD servers could not be read; try again." :
			    "Choose one of your Active Directory servers, or none.");
	}
	return f->errors;
}

/* Form.* and Can.* for the edit page. */
void
org_fields_render(struct admin_ctx *c, const struct org_fields *f, const struct org_rights *r)
{
	for (int i = 0; i < F__NSTR; i++)
		cm_render_setf(c->r, f->s[i], "Form.%s", str_defs[i].field);
	if (f->code_set) {
		cm_render_set(c->r, "Form.access_code_set", "1");
		if (r->view_code)
			cm_render_set_list(c->r,
			    "Form.access_code_hint", f->code_hint,
			    "Form.access_code_set_at", f->code_set_at,
			    NULL);
	}
	for (int i = 0; i < B__NBOOL; i++) {
		const char *name = bool_field(f->kind, i);

		if (f->kind == KIND_DEPT && i == B_SSL_AUTO_APPROVE)
			cm_render_setf(c->r, dept_approval_word(f->b[i]), "Form.%s", name);
		else if (name)
			cm_render_setf(c->r, f->b[i] ? "1" : "0", "Form.%s", name);
	}
	cm_render_set(c->r, "Form.org_name", f->org_name);
	cm_render_set_list(c->r,
	    "Can.edit", r->edit ? "1" : "0",
	    "Can.client", r->client ? "1" : "0",
	    "Can.ssl", r->ssl ? "1" : "0",
	    "Can.codesign", r->codesign ? "1" : "0",
	    "Can.view_code", r->view_code ? "1" : "0",
	    "Can.set_code", r->set_code && r->client ? "1" : "0",
	    "Can.delete", r->del ? "1" : "0",
	    "Can.add_dept", r->add_dept ? "1" : "0",
	    NULL);
}

/* 0 or -1. */
int
org_fields_json(const struct org_fields *f, struct cm_buf *b)
{
	int first = 1;

	if (cm_buf_putc(b, '{') < 0)
		return -1;
	for (int i = 0; i < F__NSTR; i++) {
		if (f->kind == KIND_DEPT && str_defs[i].org_only)
			continue;
		/* Where the code's column was: whether one is set, never more. */
		if (i == F_SSL_TERMS && cm_buf_printf(b, ",\"access_code_set\":%s", f->code_set ? "true" : "false") < 0)
			return -1;
		if (cm_buf_printf(b, "%s\"%s\":", first ? "" : ",", str_defs[i].field) < 0)
			return -1;
		first = 0;
		if (cm_buf_json_str(b, f->s[i]) < 0)
			return -1;
	}
	for (int i = 0; i < B__NBOOL; i++) {
		const char *name = bool_field(f->kind, i);
		const char *v = f->b[i] ? "true" : "false";

		if (f->kind == KIND_DEPT && i == B_SSL_AUTO_APPROVE && f->b[i] == DEPT_APPROVAL_ORG)
			v = "null";     /* as the organisation */
		if (name && cm_buf_printf(b, ",\"%s\":%s", name, v) < 0)
			return -1;
	}
	if (f->kind == KIND_ORG && (f->ad_server_id > 0 ?
	    cm_buf_printf(b, ",\"ad_server_id\":%lld", (long long)f->ad_server_id) :
	    cm_buf_puts(b, ",\"ad_server_id\":null")) < 0)
		return -1;
	return cm_buf_putc(b, '}');
}

/* Empty optional text is stored as NULL. */
static int
bind_opt(struct cm_stmt *st, unsigned idx, const char *s)
{
	return s[0] ? cm_stmt_bind_str(st, idx, s) : cm_stmt_bind_null(st, idx);
}

/* The next parameter index, or -1. */
int
org_fields_bind(const struct org_fields *f, struct cm_stmt *st, unsigned idx)
{
	for (int i = 0; i < F__NSTR; i++) {
		if (f->kind == KIND_DEPT && str_defs[i].org_only)
			continue;
		if ((i == F_NAME || i == F_SSL_TERMS ? cm_stmt_bind_str(st, idx, f->s[i]) :
		    bind_opt(st, idx, f->s[i])) < 0)
			return -1;
		idx++;
	}
	for (int i = 0; i < B__NBOOL; i++) {
		if (bool_field(f->kind, i) == NULL)
			continue;
		if (f->kind == KIND_DEPT && i == B_SSL_AUTO_APPROVE && f->b[i] == DEPT_APPROVAL_ORG) {
			if (cm_stmt_bind_null(st, idx++) < 0)
				return -1;
		} else if (cm_stmt_bind_i64(st, idx++, f->b[i]) < 0) {
			return -1;
		}
	}
	if (f->kind == KIND_ORG && (f->ad_server_id > 0 ? cm_stmt_bind_i64(st, idx++, f->ad_server_id) :
	    cm_stmt_bind_null(st, idx++)) < 0)
		return -1;
	return (int)idx;
}

/* 1 when admin_may allows, 0 when not; a database error sets *err. */
static int
may(struct admin_ctx *c, enum admin_action a, const struct admin_object *o, const char *type, int *err)
{
	struct admin_object t = *o;
	int r;

	t.cert_type = type;
	if ((r = admin_may(c, a, &t)) < 0)
		*err = 1;
	return r == 1;
}

/* Fills r for the object (dept_id 0: an organisation); 0 or -1 (database). */
int
org_rights_get(struct admin_ctx *c, const struct admin_object *o, struct org_rights *r)
{
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->edit = may(c, ACTION_EDIT, o, NULL, &err);
	r->client = r->edit && may(c, ACTION_EDIT, o, "client", &err);
	r->ssl = r->edit && may(c, ACTION_EDIT, o, "ssl", &err);
	r->codesign = r->edit && may(c, ACTION_EDIT, o, "codesign", &err);
	r->view_code = may(c, ACTION_VIEW_ACCESS_CODE, o, NULL, &err);
	r->set_code = may(c, ACTION_SET_ACCESS_CODE, o, NULL, &err);
	r->del = may(c, ACTION_DELETE, o, NULL, &err);
	r->add_dept = o->dept_id == 0 && may(c, ACTION_MANAGE_DEPTS, o, NULL, &err);
	r->view_ad = o->dept_id == 0 && may(c, ACTION_VIEW_AD_BINDING, o, NULL, &err);
	r->bind_ad = o->dept_id == 0 && may(c, ACTION_BIND_AD_SERVER, o, NULL, &err);
	return err ? -1 : 0;
}

/* edit_commit's JSON of row id of kind as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, enum org_kind kind, int64_t id, struct cm_buf *b)
{
	struct org_fields f;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = org_fields_load(c, kind, id, &f) == 1 ? org_fields_json(&f, b) : -1;
	org_fields_free(&f);
	return rc;
}

/* 0 or -1 (stored_json). */
static int
org_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	return stored_json(c, KIND_ORG, id, b);
}

/* 0 or -1 (stored_json). */
static int
dept_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	return stored_json(c, KIND_DEPT, id, b);
}

const struct edit_object org_object = {
	"organization", "organisation", "/admin/organizations/", "/admin/organizations", org_json
};

const struct edit_object dept_object = {
	"department", "department", "/admin/departments/", NULL, dept_json
};
