/* admins.c: administrators: the one way one is created (CLI and admin pages), their scope rows and their audit JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admins.h"
#include "cert_types.h"
#include "audit.h"
#include "text.h"

/* 1 when s is 1..max bytes of clean UTF-8 (cm_text_clean). */
static int
text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n > 0 && n <= max && cm_text_clean(s);
}

/* 1 or 0; see admins.h. */
int
cm_admin_principal_ok(const char *p)
{
	if (p == NULL || !text_ok(p, 255))
		return 0;
	return strpbrk(p, " \t") == NULL;
}

/* 1 or 0. */
int
cm_admin_role_ok(const char *role)
{
	return role != NULL && (strcmp(role, "mrao") == 0 || strcmp(role, "rao") == 0 ||
	    strcmp(role, "drao") == 0);
}

/* 1 or 0. */
int
cm_admin_types_ok(const char *s)
{
	unsigned mask;

	/* Strict: the list goes into a MariaDB SET as it is. */
	return s != NULL && s[0] != '\0' && text_ok(s, 32) &&
	    cm_cert_types_parse(s, CM_TYPES_ADMIN, CM_TYPES_STRICT, &mask) == 0;
}

/* 1 when the scopes are what role needs, else 0. */
static int
scopes_ok(const char *role, const struct cm_admin_scope *sc, size_t n)
{
	int drao = strcmp(role, "drao") == 0;

	if (strcmp(role, "mrao") == 0)
		return n == 0;
	if (n == 0 || sc == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (sc[i].org_id <= 0 || (drao ? sc[i].dept_id <= 0 : sc[i].dept_id != 0))
			return 0;
	return 1;
}

/* The first bad field, or CM_ADMIN_FIELD_OK. */
enum cm_admin_field
cm_admin_check(const struct cm_admin *a)
{
	if (!cm_admin_principal_ok(a->principal))
		return CM_ADMIN_FIELD_PRINCIPAL;
	if (a->name && !text_ok(a->name, 255))
		return CM_ADMIN_FIELD_NAME;
	if (a->email && (!text_ok(a->email, 255) || strchr(a->email, '@') == NULL ||
	    strpbrk(a->email, " \t")))
		return CM_ADMIN_FIELD_EMAIL;
	if (!cm_admin_role_ok(a->role))
		return CM_ADMIN_FIELD_ROLE;
	if (!scopes_ok(a->role, a->scopes, a->nscopes))
		return CM_ADMIN_FIELD_SCOPE;
	if (a->types && !cm_admin_types_ok(a->types))
		return CM_ADMIN_FIELD_TYPES;
	return CM_ADMIN_FIELD_OK;
}

/* 0 or -1. */
int
cm_admin_json(struct cm_buf *b, const struct cm_admin *a)
{
	if (cm_buf_puts(b, "{\"principal\":") < 0 || cm_buf_json_str(b, a->principal) < 0 ||
	    cm_buf_printf(b, ",\"customer_id\":%" PRId64 ",\"name\":", a->customer_id) < 0 ||
	    cm_buf_json_str(b, a->name) < 0 ||
	    cm_buf_puts(b, ",\"email\":") < 0 || cm_buf_json_str(b, a->email) < 0 ||
	    cm_buf_puts(b, ",\"role\":") < 0 || cm_buf_json_str(b, a->role) < 0 ||
	    cm_buf_puts(b, ",\"cert_types\":") < 0 || cm_buf_json_str(b, a->types) < 0 ||
	    cm_buf_printf(b, ",\"enabled\":%s,\"scopes\":[", a->enabled ? "true" : "false") < 0)
		return -1;
	for (size_t i = 0; i < a->nscopes; i++) {
		const struct cm_admin_scope *s = &a->scopes[i];

		if (cm_buf_printf(b, "%s{\"org_id\":%" PRId64 ",\"dept_id\":", i ? "," : "", s->org_id) < 0 ||
		    (s->dept_id ? cm_buf_printf(b, "%" PRId64 "}", s->dept_id) :
		    cm_buf_puts(b, "null}")) < 0)
			return -1;
	}
	return cm_buf_puts(b, "]}");
}

/* The count, or -1. */
long
cm_admin_scopes_load(struct cm_db *db, int64_t admin_id, struct cm_admin_scope *out, size_t max)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT org_id, dept_id FROM admin_scopes WHERE admin_id = ? ORDER BY id");
	long n = 0;
	int r = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, admin_id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((r = cm_stmt_fetch(st)) == 1) {
		if ((size_t)n >= max)
			continue;
		out[n].org_id = cm_stmt_i64(st, 0);
		out[n].dept_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		n++;
	}
out:
	cm_stmt_close(st);
	return r < 0 ? -1 : n;
}

/* 0 or -1. */
int
cm_admin_scopes_replace(struct cm_db *db, int64_t admin_id, const struct cm_admin_scope *sc,
    size_t n)
{
	struct cm_stmt *st;
	int rc = -1;

	st = cm_db_prepare(db, "DELETE FROM admin_scopes WHERE admin_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, admin_id) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	cm_stmt_close(st);
	st = NULL;
	for (size_t i = 0; i < n; i++) {
		if (sc[i].org_id <= 0)
			continue;
		if (st == NULL && (st = cm_db_prepare(db,
		    "INSERT INTO admin_scopes (admin_id, org_id, dept_id) VALUES (?, ?, ?)")) == NULL)
			goto out;
		if (cm_stmt_bind_i64(st, 0, admin_id) < 0 || cm_stmt_bind_i64(st, 1, sc[i].org_id) < 0 ||
		    (sc[i].dept_id ? cm_stmt_bind_i64(st, 2, sc[i].dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
		    cm_stmt_execute(st) < 0)
			goto out;
	}
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* 0 (created), a positive enum cm_admin_field, or -1; see admins.h. */
int
cm_admin_create(struct cm_db *db, const struct cm_admin *a, const char *actor,
    const char *remote_addr, int64_t *id)
{
	static const char all_types[] = "ssl,client,codesign";
	struct cm_admin stored = *a;
	struct cm_audit_entry e;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	enum cm_admin_field bad;
	char idbuf[24];
	int rc = -1;

	*id = 0;
	if ((bad = cm_admin_check(a)) != CM_ADMIN_FIELD_OK)
		return (int)bad;
	if (stored.types == NULL)
		stored.types = all_types;
	stored.enabled = 1;
	cm_buf_init(&after, 16384);
	st = cm_db_prepare(db,
	    "INSERT INTO admins (customer_id, principal, name, email, role, cert_types) VALUES (?, ?, ?, ?, ?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, stored.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, stored.principal) < 0 || cm_stmt_bind_str(st, 2, stored.name) < 0 ||
	    cm_stmt_bind_str(st, 3, stored.email) < 0 || cm_stmt_bind_str(st, 4, stored.role) < 0 ||
	    cm_stmt_bind_str(st, 5, stored.types) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	*id = (int64_t)cm_stmt_insert_id(st);
	if (cm_admin_scopes_replace(db, *id, stored.scopes, stored.nscopes) < 0 ||
	    cm_admin_json(&after, &stored) < 0)
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, *id);
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = "admin.add";
	e.object_type = "admin";
	e.object_id = idbuf;
	e.after = after.data;
	e.remote_addr = remote_addr;
	e.customer_id = stored.customer_id;
	if (cm_audit(db, &e) < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		*id = 0;
	cm_stmt_close(st);
	cm_buf_free(&after);
	return rc;
}
