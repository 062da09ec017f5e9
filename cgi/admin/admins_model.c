/* admins_model.c: administrator rows, the administrator form's fields and checks, the one create path, audit JSON. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admins.h"
#include "admins_model.h"
#include "log.h"
#include "text.h"

#define MAX_SCOPE_CHOICES 2000

/* 1 found, 0 not, -1 database error. */
int
admins_row_load(struct admin_ctx *c, int64_t id, int lock, struct admins_row *row)
{
	struct cm_stmt *st;
	int f;

	memset(row, 0, sizeof(*row));
	st = cm_db_prepare(c->db, lock ?
	    "SELECT id, customer_id, principal, COALESCE(name, ''), COALESCE(email, ''), role,"
	    " cert_types, enabled FROM admins WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"
	    " FOR UPDATE" :
	    "SELECT id, customer_id, principal, COALESCE(name, ''), COALESCE(email, ''), role,"
	    " cert_types, enabled FROM admins WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	f = cm_stmt_fetch(st);
	if (f == 1) {
		row->id = cm_stmt_i64(st, 0);
		row->customer_id = cm_stmt_i64(st, 1);
		cm_stmt_copy_str(st, 2, row->principal, sizeof(row->principal));
		cm_stmt_copy_str(st, 3, row->name, sizeof(row->name));
		cm_stmt_copy_str(st, 4, row->email, sizeof(row->email));
		cm_stmt_copy_str(st, 5, row->role, sizeof(row->role));
		cm_stmt_copy_str(st, 6, row->types, sizeof(row->types));
		row->enabled = cm_stmt_i64(st, 7) != 0;
	}
	cm_stmt_close(st);
	if (f != 1)
		return f < 0 ? -1 : 0;
	return admins_row_scopes(c, row, NULL) < 0 ? -1 : 1;
}

/* 0 or -1. */
int
admins_row_scopes(struct admin_ctx *c, struct admins_row *row, struct cm_buf *csv)
{
	struct cm_stmt *st;
	size_t len = 0;
	int f;

	row->nscopes = 0;
	row->scope_label[0] = '\0';
	st = cm_db_prepare(c->db,
	    "SELECT s.org_id, s.dept_id, o.name, d.name FROM admin_scopes s"
	    " JOIN organizations o ON o.id = s.org_id LEFT JOIN departments d ON d.id = s.dept_id"
	    " WHERE s.admin_id = ? ORDER BY s.id LIMIT 16");
	if (st == NULL || cm_stmt_bind_i64(st, 0, row->id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (row->nscopes < ADMINS_MAX_SCOPES && (f = cm_stmt_fetch(st)) == 1) {
		const char *on = cm_stmt_str(st, 2, NULL), *dn = cm_stmt_str(st, 3, NULL);
		int n;

		if (csv && cm_buf_printf(csv, "%s%s%s%s", row->nscopes ? ";" : "", on ? on : "",
		    dn ? "/" : "", dn ? dn : "") < 0) {
			cm_stmt_close(st);
			return -1;
		}
		row->scopes[row->nscopes].org_id = cm_stmt_i64(st, 0);
		row->scopes[row->nscopes].dept_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		row->nscopes++;
		if (len < sizeof(row->scope_label)) {
			n = snprintf(row->scope_label + len, sizeof(row->scope_label) - len, "%s%s%s%s",
			    len ? "; " : "", on ? on : "?", dn ? " / " : "", dn ? dn : "");
			len = n < 0 ? sizeof(row->scope_label) : len + (size_t)n;
		}
	}
	cm_stmt_close(st);
	return 0;
}

void
admins_row_target(const struct admins_row *row, struct admin_target *t)
{
	t->customer_id = row->customer_id;
	t->admin_id = row->id;
	t->scopes = row->scopes;
	t->nscopes = row->nscopes;
	t->cert_types = row->types;
}

void
admins_form_target(const struct admins_form *f, int64_t customer_id, int64_t admin_id,
    struct admin_target *t)
{
	t->customer_id = customer_id;
	t->admin_id = admin_id;
	t->scopes = &f->sc;
	t->nscopes = f->sc.org_id > 0 ? 1 : 0;
	t->cert_types = f->types;
}

/* Copies v (NULL = empty) into dst; an over-long value is cut and flagged
 * so the check refuses it (it is still shown, cut). */
static int
field(const char *v, char *dst, size_t dstlen)
{
	size_t n;

	if (v == NULL)
		v = "";
	n = strlen(v);
	snprintf(dst, dstlen, "%s", v);
	return n >= dstlen;
}

static void
build_types(struct admins_form *f)
{
	snprintf(f->types, sizeof(f->types), "%s%s%s%s%s",
	    f->ssl ? "ssl" : "",
	    f->ssl && (f->client || f->codesign) ? "," : "",
	    f->client ? "client" : "",
	    f->client && f->codesign ? "," : "",
	    f->codesign ? "codesign" : "");
}

/* Over-long fields are flagged in f->errors (a bit mask until
 * admins_form_check, which reports them). */
void
admins_form_fill(struct admins_form *f, const char *principal, const char *name,
    const char *email, const char *role, const char *scope)
{
	int toolong = 0;

	memset(f, 0, sizeof(*f));
	toolong |= field(principal, f->principal, sizeof(f->principal));
	toolong |= field(name, f->name, sizeof(f->name)) << 1;
	toolong |= field(email, f->email, sizeof(f->email)) << 2;
	toolong |= field(role, f->role, sizeof(f->role)) << 3;
	toolong |= field(scope, f->scope, sizeof(f->scope)) << 4;
	build_types(f);
	f->errors = toolong;
}

/* 0; over-long fields are counted in f->errors and reported by the check. */
int
admins_form_read(struct admin_ctx *c, struct admins_form *f, int with_principal)
{
	const char *v;

	admins_form_fill(f, with_principal ? cm_req_form(c->req, "principal") : NULL,
	    cm_req_form(c->req, "name"), cm_req_form(c->req, "email"), cm_req_form(c->req, "role"),
	    cm_req_form(c->req, "scope"));
	f->ssl = (v = cm_req_form(c->req, "type_ssl")) != NULL && strcmp(v, "1") == 0;
	f->client = (v = cm_req_form(c->req, "type_client")) != NULL && strcmp(v, "1") == 0;
	f->codesign = (v = cm_req_form(c->req, "type_codesign")) != NULL && strcmp(v, "1") == 0;
	build_types(f);
	return 0;
}

/* 0, or -1 on a name that is not a certificate type. */
int
admins_form_types(struct admins_form *f, const char *set)
{
	unsigned mask;
	int rc = cm_cert_types_parse(set, CM_TYPES_ADMIN, 0, &mask);

	f->ssl = (mask & CM_TYPE_SSL) != 0;
	f->client = (mask & CM_TYPE_CLIENT) != 0;
	f->codesign = (mask & CM_TYPE_CODESIGN) != 0;
	build_types(f);
	return rc;
}

void
admins_form_from_row(struct admins_form *f, const struct admins_row *row)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->principal, sizeof(f->principal), "%s", row->principal);
	snprintf(f->name, sizeof(f->name), "%s", row->name);
	snprintf(f->email, sizeof(f->email), "%s", row->email);
	snprintf(f->role, sizeof(f->role), "%s", row->role);
	if (row->nscopes > 0) {
		f->sc = row->scopes[0];
		cm_unit_format(f->scope, sizeof(f->scope), f->sc.org_id, f->sc.dept_id);
	}
	(void)admins_form_types(f, row->types);
}

/* 1 when p is user@REALM; see admins_model.h. */
int
admins_principal_ok(const char *p)
{
	const char *at = strchr(p, '@');
	size_t ul, rl;

	if (at == NULL || strlen(p) > 255 || strchr(at + 1, '@'))
		return 0;
	ul = (size_t)(at - p);
	rl = strlen(at + 1);
	if (ul == 0 || ul > 64 || rl == 0 || p[0] == '.' || at[-1] == '.' ||
	    at[1] == '.' || at[rl] == '.')
		return 0;
	for (const char *q = p; q < at; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '.' || *q == '_' || *q == '-'))
			return 0;
	for (const char *q = at + 1; *q; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '.' || *q == '-'))
			return 0;
	return 1;
}

/* 1 when e is local@domain.tld of printable ASCII without spaces or <>"(),;:\ . */
int
admins_email_ok(const char *e)
{
	const char *at = strrchr(e, '@'), *dot;
	size_t n = strlen(e);

	if (at == NULL || at == e || n > 254 || (size_t)(at - e) > 64)
		return 0;
	for (const unsigned char *q = (const unsigned char *)e; *q; q++)
		if (*q <= 0x20 || *q >= 0x7f || strchr("<>\"(),;:\\[]", *q))
			return 0;
	if (strchr(e, '@') != at)
		return 0;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0' || strstr(at + 1, ".."))
		return 0;
	return 1;
}

static const char *const field_names[AF__MAX] = {
	[AF_PRINCIPAL] = "principal", [AF_NAME] = "name", [AF_EMAIL] = "email",
	[AF_ROLE] = "role", [AF_SCOPE] = "scope", [AF_TYPES] = "types",
};

static void
error(struct admins_form *f, enum admins_field fld, const char *msg)
{
	if (f->msg[fld] == NULL)
		f->msg[fld] = msg;
	f->errors++;
}

void
admins_form_errors_render(struct admin_ctx *c, const struct admins_form *f)
{
	for (int i = 0; i < AF__MAX; i++)
		if (f->msg[i])
			cm_render_setf(c->r, f->msg[i], "Errors.%s", field_names[i]);
}

void
admins_form_errors_join(const struct admins_form *f, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < AF__MAX && n < len; i++) {
		int w;

		if (f->msg[i] == NULL)
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? " " : "", f->msg[i]);
		n = w < 0 ? len : n + (size_t)w;
	}
}

/* Resolves f->scope in the caller's customer: 1 found, 0 not, -1 database error. */
static int
resolve_scope(struct admin_ctx *c, struct admins_form *f)
{
	int64_t org, dept;
	int r;

	if (cm_unit_parse(f->scope, &org, &dept) < 0)
		return 0;
	if ((r = cm_unit_exists(c->db, c->user.customer_id, org, dept)) == 1) {
		f->sc.org_id = org;
		f->sc.dept_id = dept;
	}
	return r;
}

/* The error count, or -1 (database). */
int
admins_form_check(struct admin_ctx *c, struct admins_form *f, int with_principal)
{
	int toolong = f->errors, r = 0;

	/* A message the caller set already (the CSV import's) counts and stays first. */
	f->errors = 0;
	for (int i = 0; i < AF__MAX; i++)
		f->errors += f->msg[i] != NULL;
	memset(&f->sc, 0, sizeof(f->sc));
	if (with_principal) {
		if (f->principal[0] == '\0')
			error(f, AF_PRINCIPAL, "Enter the Kerberos principal, e.g. jane@EXAMPLE.COM.");
		else if ((toolong & 1) || !admins_principal_ok(f->principal))
			error(f, AF_PRINCIPAL,
			    "Not a Kerberos principal: user@REALM, the user of letters, digits, '.', '_' or '-', the realm in capitals.");
	}
	if (f->name[0] == '\0')
		error(f, AF_NAME, "Enter the administrator's name.");
	else if ((toolong & 2) || !cm_text_clean(f->name))
		error(f, AF_NAME, "At most 255 characters of UTF-8 text, no control characters.");
	if (f->email[0] == '\0')
		error(f, AF_EMAIL, "Enter the administrator's e-mail address.");
	else if ((toolong & 4) || !admins_email_ok(f->email))
		error(f, AF_EMAIL, "Not an e-mail address (name@example.com).");
	if (strcmp(f->role, "mrao") != 0 && strcmp(f->role, "rao") != 0 && strcmp(f->role, "drao") != 0) {
		error(f, AF_ROLE, "Choose MRAO, RAO or DRAO.");
	} else if (strcmp(f->role, "mrao") == 0) {
		if (f->scope[0] != '\0')
			error(f, AF_SCOPE, "An MRAO administers the whole customer: choose no organisation.");
	} else if ((toolong & 16) || (r = resolve_scope(c, f)) == 0) {
		error(f, AF_SCOPE, "Choose one of the organisations or departments listed.");
	} else if (r < 0) {
		return -1;
	} else if (strcmp(f->role, "rao") == 0 && f->sc.dept_id != 0) {
		error(f, AF_SCOPE, "An RAO administers a whole organisation: choose an organisation, or the DRAO role.");
	} else if (strcmp(f->role, "drao") == 0 && f->sc.dept_id == 0) {
		error(f, AF_SCOPE, "A DRAO administers a department: choose a department.");
	}
	if (!f->ssl && !f->client && !f->codesign)
		error(f, AF_TYPES, "Choose at least one certificate type.");
	return f->errors;
}

/* 0 or -1. */
int
admins_form_render(struct admin_ctx *c, const struct admins_form *f)
{
	/* The roles the form offers: those the policy lets the caller grant. */
	static const struct { const char *value, *label; } roles[] = {
		{ "mrao", "MRAO (whole customer)" },
		{ "rao", "RAO (an organisation)" },
		{ "drao", "DRAO (a department)" },
	};
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES];
	struct cm_stmt *st;
	int64_t last_org = 0;
	size_t n = 0;
	long nm;
	int r;

	cm_render_set_list(c->r,
	    "Form.principal", f->principal,
	    "Form.name", f->name,
	    "Form.email", f->email,
	    "Form.role", f->role,
	    "Form.scope", f->scope,
	    "Form.ssl", f->ssl ? "1" : "0",
	    "Form.client", f->client ? "1" : "0",
	    "Form.codesign", f->codesign ? "1" : "0",
	    NULL);
	if ((nm = admin_scopes_load(c, mine)) < 0)
		return -1;
	for (size_t i = 0, k = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (!admin_may_grant_role(&c->user, roles[i].value))
			continue;
		cm_render_setf(c->r, roles[i].value, "Roles.%zu.value", k);
		cm_render_setf(c->r, roles[i].label, "Roles.%zu.label", k);
		k++;
	}
	st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name, d.id, d.name FROM organizations o"
	    " LEFT JOIN departments d ON d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.deleted_at IS NULL ORDER BY o.name, o.id, d.name, d.id LIMIT 2000");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (n + 2 <= MAX_SCOPE_CHOICES && (r = cm_stmt_fetch(st)) == 1) {
		struct admin_object o;
		char val[CM_UNIT_MAX];
		const char *on = cm_stmt_str(st, 1, NULL), *dn = cm_stmt_str(st, 3, NULL);

		memset(&o, 0, sizeof(o));
		o.customer_id = c->user.customer_id;
		o.org_id = cm_stmt_i64(st, 0);
		if (o.org_id != last_org) {
			last_org = o.org_id;
			if (admin_policy(&c->user, mine, (size_t)nm, ACTION_MANAGE_ADMINS, &o)) {
				cm_unit_format(val, sizeof(val), o.org_id, 0);
				cm_render_setf(c->r, val, "Scopes.%zu.value", n);
				cm_render_setf(c->r, on, "Scopes.%zu.org", n);
				n++;
			}
		}
		if (cm_stmt_is_null(st, 2))
			continue;
		o.dept_id = cm_stmt_i64(st, 2);
		if (admin_policy(&c->user, mine, (size_t)nm, ACTION_MANAGE_ADMINS, &o)) {
			cm_unit_format(val, sizeof(val), o.org_id, o.dept_id);
			cm_render_setf(c->r, val, "Scopes.%zu.value", n);
			cm_render_setf(c->r, on, "Scopes.%zu.org", n);
			cm_render_setf(c->r, dn, "Scopes.%zu.dept", n);
			n++;
		}
	}
	cm_stmt_close(st);
	return 0;
}

/* The stored form of an administrator's fields, for cm_admin_json. */
static void
admin_fields(struct cm_admin *a, int64_t customer_id, const char *principal, const char *name,
    const char *email, const char *role, const char *types, int enabled,
    const struct cm_admin_scope *sc, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->customer_id = customer_id;
	a->principal = principal;
	a->name = name;
	a->email = email;
	a->role = role;
	a->types = types;
	a->enabled = enabled;
	a->scopes = sc;
	a->nscopes = n;
}

/* 0 or -1. */
int
admins_row_json(const struct admins_row *row, struct cm_buf *b)
{
	struct cm_admin a;

	admin_fields(&a, row->customer_id, row->principal, row->name, row->email, row->role,
	    row->types, row->enabled, row->scopes, row->nscopes);
	return cm_admin_json(b, &a);
}

/* The count, or -1. */
long
admins_mrao_count(struct admin_ctx *c)
{
	struct cm_stmt *st;
	long n = 0;
	int f;

	st = cm_db_prepare(c->db,
	    "SELECT id FROM admins WHERE customer_id = ? AND role = 'mrao' AND enabled = 1"
	    " AND deleted_at IS NULL FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while ((f = cm_stmt_fetch(st)) == 1)
		n++;
	cm_stmt_close(st);
	return f < 0 ? -1 : n;
}

/* Ids (at most 2) of the visible organisations named org, or with dept the
 * visible departments org/dept, appended to ids from *n; 0 or -1. */
static int
scope_matches(struct admin_ctx *c, const struct cm_admin_scope *mine, size_t nm, const char *org,
    const char *dept, struct cm_admin_scope *ids, size_t *n)
{
	struct cm_stmt *st;
	int f;

	st = cm_db_prepare(c->db, dept ?
	    "SELECT o.id, d.id FROM departments d JOIN organizations o ON o.id = d.org_id"
	    " WHERE o.customer_id = ? AND o.name = ? AND d.name = ? AND o.deleted_at IS NULL"
	    " AND d.deleted_at IS NULL ORDER BY d.id LIMIT 2" :
	    "SELECT o.id, 0 FROM organizations o WHERE o.customer_id = ? AND o.name = ?"
	    " AND o.deleted_at IS NULL ORDER BY o.id LIMIT 2");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, org) < 0 || (dept && cm_stmt_bind_str(st, 2, dept) < 0) ||
	    cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		struct admin_object o;

		memset(&o, 0, sizeof(o));
		o.customer_id = c->user.customer_id;
		o.org_id = cm_stmt_i64(st, 0);
		o.dept_id = cm_stmt_i64(st, 1);
		/* What the caller may not see does not exist for it, so a
		 * refusal never tells which names are in use elsewhere. */
		if (!admin_policy(&c->user, mine, nm, ACTION_VIEW, &o) || *n >= 2)
			continue;
		ids[*n].org_id = o.org_id;
		ids[(*n)++].dept_id = o.dept_id;
	}
	cm_stmt_close(st);
	return f < 0 ? -1 : 0;
}

/* 1 found, 0 not, 2 ambiguous, -1 database error. */
int
admins_scope_by_name(struct admin_ctx *c, struct admins_form *f, const char *cell)
{
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES], ids[2];
	size_t n = 0, len = strlen(cell);
	long nm;
	int drao = strcmp(f->role, "drao") == 0;
	char *org = NULL;

	f->scope[0] = '\0';
	if ((!drao && strcmp(f->role, "rao") != 0) || len == 0 || len > 600)
		return 0;
	if ((nm = admin_scopes_load(c, mine)) < 0)
		return -1;
	if (!drao) {
		if (scope_matches(c, mine, (size_t)nm, cell, NULL, ids, &n) < 0)
			return -1;
	} else {
		if ((org = strdup(cell)) == NULL)
			return -1;
		/* Names may hold '/': try every split, and count what matches. */
		for (size_t i = 0; i < len && n < 2; i++) {
			if (cell[i] != '/')
				continue;
			org[i] = '\0';
			if (scope_matches(c, mine, (size_t)nm, org, cell + i + 1, ids, &n) < 0) {
				free(org);
				return -1;
			}
			org[i] = '/';
		}
		free(org);
	}
	if (n != 1)
		return n == 0 ? 0 : 2;
	cm_unit_format(f->scope, sizeof(f->scope), ids[0].org_id, ids[0].dept_id);
	return 1;
}

/* 1 allowed, 0 denied, -1 database error. */
int
admins_may_manage(struct admin_ctx *c, const struct admin_target *t)
{
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES];
	long n = admin_scopes_load(c, mine);

	if (n < 0)
		return -1;
	return admin_policy_admin(&c->user, mine, (size_t)n, ACTION_MANAGE_ADMINS, t);
}

/* Why principal_taken() refuses a principal (it is unique across customers). */
enum taken {
	TAKEN_NO = 0,
	TAKEN_LIVE,               /* an administrator of this customer */
	TAKEN_DELETED,            /* a deleted administrator of this customer */
	TAKEN_ELSEWHERE           /* a row of another customer, live or deleted */
};

/* Who holds the principal (the row locked, if any): an enum taken, or -1
 * (database error). Another customer's row is one answer, whatever its
 * state, so an administrator cannot probe other customers' principals. */
static int
principal_taken(struct admin_ctx *c, const char *principal)
{
	struct cm_stmt *st;
	int f, r = TAKEN_NO;

	st = cm_db_prepare(c->db,
	    "SELECT customer_id = ?, deleted_at IS NOT NULL FROM admins WHERE principal = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, principal) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while ((f = cm_stmt_fetch(st)) == 1 && r != TAKEN_ELSEWHERE)
		r = !cm_stmt_i64(st, 0) ? TAKEN_ELSEWHERE : cm_stmt_i64(st, 1) ? TAKEN_DELETED : TAKEN_LIVE;
	cm_stmt_close(st);
	return f < 0 ? -1 : r;
}

/* The form's field a refusal of cm_admin_create names. */
static const enum admins_field lib_field[] = {
	[CM_ADMIN_FIELD_PRINCIPAL] = AF_PRINCIPAL,
	[CM_ADMIN_FIELD_NAME] = AF_NAME,
	[CM_ADMIN_FIELD_EMAIL] = AF_EMAIL,
	[CM_ADMIN_FIELD_ROLE] = AF_ROLE,
	[CM_ADMIN_FIELD_SCOPE] = AF_SCOPE,
	[CM_ADMIN_FIELD_TYPES] = AF_TYPES,
};

/* See admins_model.h. */
enum admins_add_result
admins_add(struct admin_ctx *c, struct admins_form *f, int64_t *id)
{
	struct admin_target t;
	struct cm_admin a;
	enum admins_add_result rc = ADMINS_ADD_DBERR;
	int r;

	*id = 0;
	if ((r = admins_form_check(c, f, 1)) != 0)
		return r < 0 ? ADMINS_ADD_DBERR : ADMINS_ADD_INVALID;
	admins_form_target(f, c->user.customer_id, 0, &t);
	if ((r = admins_may_manage(c, &t)) <= 0) {
		if (r < 0)
			return ADMINS_ADD_DBERR;
		f->msg[AF_SCOPE] = "You may not give an administrator this role, organisation or department, or these certificate types.";
		f->errors++;
		return ADMINS_ADD_DENIED;
	}
	if (cm_db_begin(c->db) < 0)
		return ADMINS_ADD_DBERR;
	if ((r = principal_taken(c, f->principal)) < 0)
		goto rollback;
	if (r > 0) {
		cm_db_rollback(c->db);
		f->msg[AF_PRINCIPAL] = r == TAKEN_DELETED ?
		    "This principal belongs to a deleted administrator; an operator can restore it with certmint admin add." :
		    r == TAKEN_LIVE ? "This principal is already an administrator." :
		    "This principal cannot be used.";
		f->errors++;
		return ADMINS_ADD_TAKEN;
	}
	admin_fields(&a, c->user.customer_id, f->principal, f->name, f->email, f->role, f->types, 1,
	    &f->sc, f->sc.org_id > 0 ? 1 : 0);
	r = cm_admin_create(c->db, &a, c->user.principal, c->req->remote_addr, id);
	if (r > 0) {
		/* the form's own checks are stricter; this is only the floor */
		cm_db_rollback(c->db);
		f->msg[lib_field[r]] = "This value cannot be stored.";
		f->errors++;
		return ADMINS_ADD_INVALID;
	}
	if (r < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	cm_info("admin %s added %s (%s)", c->user.principal, f->principal, f->role);
	return ADMINS_ADDED;
rollback:
	cm_db_rollback(c->db);
	*id = 0;
	return rc;
}
