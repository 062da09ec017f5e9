/* persons_model.c: persons of a customer: field rules, the e-mail domain check, loading, insert and audit. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "persons_model.h"
#include "policy.h"
#include "text.h"
#include "units.h"

/* 1 when s is well-formed UTF-8 without control characters, at most max
 * characters (the column is VARCHAR(max)). */
static int
text_ok(const char *s, size_t max)
{
	return cm_text_clean(s) && cm_text_chars(s) <= max;
}

/* Copies host (n bytes) lower-cased into dst if it is a DNS name with at
 * least two labels (letters, digits, hyphens). 0 or -1. */
static int
host_norm(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t label = 0, dots = 0;

	if (n == 0 || n > 253 || n >= dstlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			label = 0;
			dots++;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-') {
			if (ch == '-' && label == 0)
				return -1;
			if (++label > 63)
				return -1;
		} else {
			return -1;
		}
		dst[i] = ch;
	}
	if (label == 0 || s[n - 1] == '-' || dots == 0)
		return -1;
	dst[n] = '\0';
	return 0;
}

/* The e-mail rule: local@domain, a printable local part of 1..64 bytes
 * without specials, a DNS domain. Writes the address with the domain
 * lower-cased into out and the domain into host. 0 or -1. */
static int
email_norm(const char *s, char *out, size_t outlen, char *host, size_t hostlen)
{
	const char *at = strchr(s, '@');
	size_t local, n = strlen(s);

	if (at == NULL || strchr(at + 1, '@') != NULL || n > PERSON_EMAIL_MAX || n >= outlen)
		return -1;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return -1;
	for (size_t i = 0; i < local; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("\"(),:;<>[\\]", s[i]) != NULL)
			return -1;
	if (s[0] == '.' || s[local - 1] == '.' || strstr(s, "..") != NULL)
		return -1;
	if (host_norm(host, hostlen, at + 1, n - local - 1) < 0)
		return -1;
	memcpy(out, s, local + 1);
	snprintf(out + local + 1, outlen - local - 1, "%s", host);
	return 0;
}

/* A Kerberos principal user@REALM (or a UPN): printable, no spaces, one '@'. 1 ok. */
static int
principal_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strlen(s) > PERSON_PRINCIPAL_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '\\')
			return 0;
	return 1;
}

/* 1 when host equals a validated domain delegated to org/dept for client
 * certificates or lies under one ("x" or "*.x" rows), as issuance checks
 * e-mail names (lib/issuance.c); 0 not; -1 database. */
int
person_domain_covered(struct admin_ctx *c, const char *host, int64_t org_id, int64_t dept_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT 1 FROM domains d JOIN domain_delegations dd ON dd.domain_id = d.id"
	    " WHERE d.customer_id = ? AND d.name IN (?, ?) AND d.deleted_at IS NULL"
	    " AND d.validation_state = 'validated'"
	    " AND (d.validation_expires_at IS NULL OR d.validation_expires_at > UTC_TIMESTAMP())"
	    " AND dd.cert_type = 'client' AND dd.state = 'approved' AND dd.org_id = ?"
	    " AND (dd.dept_id IS NULL OR dd.dept_id = ?) LIMIT 1");
	char wild[260];
	int rc = -1, f;

	if (st == NULL)
		return -1;
	for (const char *s = host; s != NULL; ) {
		snprintf(wild, sizeof(wild), s == host ? "%s" : "*.%s", s);
		if (cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, s) < 0 ||
		    cm_stmt_bind_str(st, 2, wild) < 0 || cm_stmt_bind_i64(st, 3, org_id) < 0 ||
		    cm_stmt_bind_i64(st, 4, dept_id) < 0 || cm_stmt_execute(st) < 0 ||
		    (f = cm_stmt_fetch(st)) < 0)
			goto out;
		if (f == 1) {
			rc = 1;
			goto out;
		}
		s = strchr(s, '.');
		if (s != NULL)
			s++;
	}
	rc = 0;
out:
	cm_stmt_close(st);
	return rc;
}

/* 1 when another live person of the customer has email; 0; -1 database. */
static int
email_taken(struct admin_ctx *c, const char *email, int64_t self_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT COUNT(*) FROM persons WHERE customer_id = ? AND email = ? AND deleted_at IS NULL AND id <> ?");
	int rc = -1;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_bind_str(st, 1, email) == 0 &&
	    cm_stmt_bind_i64(st, 2, self_id) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		rc = cm_stmt_i64(st, 0) > 0;
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 1 allowed, 0 denied, -1 database (see persons_model.h). */
int
person_may_manage(struct admin_ctx *c, int64_t org_id, int64_t dept_id)
{
	struct admin_object o = { c->user.customer_id, org_id, dept_id, "client" };

	/* Persons hold client certificates: managing them is editing the
	 * organisation's (RAO) or department's (DRAO) client-certificate side. */
	return admin_may(c, ACTION_EDIT, &o);
}

/* 1, 0 or -1 (see persons_model.h). */
int
person_may_create(struct admin_ctx *c)
{
	/* The rule of person_may_manage, somewhere in the administrator's scope. */
	return admin_may_somewhere(c, ACTION_EDIT, "client");
}

/* NULL when acceptable, else a message (see persons_model.h). */
const char *
person_check_fields(const struct person_in *p, char *email_out, size_t email_len,
    char *host, size_t host_len, const char **field)
{
	*field = "email";
	if (p->email == NULL || p->email[0] == '\0')
		return "Enter the person's e-mail address.";
	if (email_norm(p->email, email_out, email_len, host, host_len) < 0)
		return "Enter an e-mail address as name@domain (at most 254 characters, no spaces).";
	*field = "first_name";
	if (p->first_name && !text_ok(p->first_name, PERSON_NAME_MAX))
		return "A first name is at most 128 characters of UTF-8 text, without control characters.";
	*field = "last_name";
	if (p->last_name && !text_ok(p->last_name, PERSON_NAME_MAX))
		return "A last name is at most 128 characters of UTF-8 text, without control characters.";
	*field = "principal_name";
	if (p->principal_name && p->principal_name[0] && !principal_ok(p->principal_name))
		return "A principal name is user@REALM (at most 255 characters, no spaces), or empty.";
	return NULL;
}

/* NULL when acceptable, else a message (see persons_model.h). */
const char *
person_check(struct admin_ctx *c, const struct person_in *p, int64_t self_id,
    char *email_out, size_t email_len, const char **field, int *dberr)
{
	const char *why;
	char host[256];
	int r;

	*dberr = 0;
	if ((why = person_check_fields(p, email_out, email_len, host, sizeof(host), field)) != NULL)
		return why;
	*field = "unit";
	if (p->org_id <= 0)
		return "Choose the organisation or department the person belongs to.";
	if ((r = cm_unit_exists(c->db, c->user.customer_id, p->org_id, p->dept_id)) <= 0)
		goto check_r;
	if ((r = person_may_manage(c, p->org_id, p->dept_id)) <= 0) {
		if (r == 0)
			return PERSON_MSG_DENIED;
		goto check_r;
	}
	*field = "email";
	if ((r = person_domain_covered(c, host, p->org_id, p->dept_id)) < 0)
		goto check_r;
	if (r == 0)
		return PERSON_MSG_DOMAIN;
	if ((r = email_taken(c, email_out, self_id)) < 0)
		goto check_r;
	if (r == 1)
		return PERSON_MSG_TAKEN;
	return NULL;
check_r:
	if (r < 0) {
		*dberr = 1;
		return "The person could not be checked; this has been logged.";
	}
	return "There is no such organisation or department.";
}

/* 1, 0 none, -1 database. */
int
person_load(struct admin_ctx *c, int64_t id, int lock, struct person_row *out)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ?
	    "SELECT p.id, p.org_id, p.dept_id, p.email, p.first_name, p.last_name, p.principal_name,"
	    " o.name, d.name FROM persons p JOIN organizations o ON o.id = p.org_id"
	    " LEFT JOIN departments d ON d.id = p.dept_id"
	    " WHERE p.id = ? AND p.customer_id = ? AND p.deleted_at IS NULL FOR UPDATE" :
	    "SELECT p.id, p.org_id, p.dept_id, p.email, p.first_name, p.last_name, p.principal_name,"
	    " o.name, d.name FROM persons p JOIN organizations o ON o.id = p.org_id"
	    " LEFT JOIN departments d ON d.id = p.dept_id"
	    " WHERE p.id = ? AND p.customer_id = ? AND p.deleted_at IS NULL");
	int rc = -1, f;

	memset(out, 0, sizeof(*out));
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto out;
	rc = f;
	if (f == 1) {
		out->id = cm_stmt_i64(st, 0);
		out->org_id = cm_stmt_i64(st, 1);
		out->dept_id = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
#define COPY(i, f) snprintf(out->f, sizeof(out->f), "%s", cm_stmt_str(st, i, NULL) ? cm_stmt_str(st, i, NULL) : "")
		COPY(3, email);
		COPY(4, first_name);
		COPY(5, last_name);
		COPY(6, principal_name);
		COPY(7, org_name);
		COPY(8, dept_name);
#undef COPY
	}
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* 1 found and visible, 0 answered (404/500). */
int
person_load_visible(struct admin_ctx *c, struct person_row *out)
{
	struct admin_object o;
	int r = person_load(c, c->id, 0, out);

	if (r == 1) {
		o = (struct admin_object){ c->user.customer_id, out->org_id, out->dept_id, "client" };
		r = admin_may(c, ACTION_VIEW, &o);
	}
	if (r == 1)
		return 1;
	if (r < 0) {
		cm_err("person %lld: %s", (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The person could not be read; this has been logged.");
	} else {
		/* Out of scope looks the same as absent. */
		admin_error(c, 404, "Not found", "There is no such person.");
	}
	return 0;
}

/* 0 or -1. */
int
person_json(const struct person_row *p, struct cm_buf *b)
{
	if (cm_buf_puts(b, "{\"email\":") < 0 || cm_buf_json_str(b, p->email) < 0 ||
	    cm_buf_puts(b, ",\"first_name\":") < 0 || cm_buf_json_str(b, p->first_name) < 0 ||
	    cm_buf_puts(b, ",\"last_name\":") < 0 || cm_buf_json_str(b, p->last_name) < 0 ||
	    cm_buf_puts(b, ",\"principal_name\":") < 0 || cm_buf_json_str(b, p->principal_name) < 0 ||
	    cm_buf_printf(b, ",\"org_id\":%lld,\"dept_id\":", (long long)p->org_id) < 0 ||
	    (p->dept_id ? cm_buf_printf(b, "%lld", (long long)p->dept_id) : cm_buf_puts(b, "null")) < 0)
		return -1;
	return cm_buf_putc(b, '}');
}

/* 0 or -1. */
int
person_audit(struct admin_ctx *c, const char *action, int64_t id, const char *before, const char *after)
{
	return admin_audit_object(c, "person", action, id, before, after);
}

/* "" becomes NULL so empty optional fields are stored as absent. */
static const char *
opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* 0 or -1. */
int
person_insert(struct admin_ctx *c, const struct person_in *p, const char *email, int64_t *id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "INSERT INTO persons (customer_id, org_id, dept_id, email, first_name, last_name, principal_name)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)");
	struct person_row row;
	struct cm_buf after;
	int rc = -1;

	cm_buf_init(&after, 4096);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, p->org_id) < 0 ||
	    (p->dept_id ? cm_stmt_bind_i64(st, 2, p->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    cm_stmt_bind_str(st, 3, email) < 0 || cm_stmt_bind_str(st, 4, opt(p->first_name)) < 0 ||
	    cm_stmt_bind_str(st, 5, opt(p->last_name)) < 0 ||
	    cm_stmt_bind_str(st, 6, opt(p->principal_name)) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	*id = (int64_t)cm_stmt_insert_id(st);
	/* The row as inserted (what person_load would read back: absent = ""),
	 * without a query per person of an import. */
	memset(&row, 0, sizeof(row));
	row.id = *id;
	row.org_id = p->org_id;
	row.dept_id = p->dept_id;
	snprintf(row.email, sizeof(row.email), "%s", email);
	snprintf(row.first_name, sizeof(row.first_name), "%s", p->first_name ? p->first_name : "");
	snprintf(row.last_name, sizeof(row.last_name), "%s", p->last_name ? p->last_name : "");
	snprintf(row.principal_name, sizeof(row.principal_name), "%s", p->principal_name ? p->principal_name : "");
	if (person_json(&row, &after) < 0 || person_audit(c, "person.create", *id, NULL, after.data) < 0)
		goto out;
	rc = 0;
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&after);
	return rc;
}

/* 0 or -1. */
int
person_units(struct admin_ctx *c, int64_t org_id, int64_t dept_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name, d.id, d.name FROM organizations o"
	    " LEFT JOIN departments d ON d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    ADMIN_ORG_SCOPE_SQL
	    " ORDER BY o.name, o.id, d.name, d.id LIMIT 1000");
	struct cm_admin_scope sc[ADMIN_MAX_SCOPES];
	long ns;
	int64_t last_org = 0;
	size_t n = 0;
	int f;

	if ((ns = admin_scopes_load(c, sc)) < 0 || st == NULL ||
	    cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		int64_t o = cm_stmt_i64(st, 0), d = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
		/* each organisation once (its own row), then its departments */
		for (int pass = o != last_org ? 0 : 1; pass < 2; pass++) {
			int64_t dd = pass == 0 ? 0 : d;
			struct admin_object ob = { c->user.customer_id, o, dd, "client" };
			char value[CM_UNIT_MAX], label[520];

			if (pass == 1 && d == 0)
				break;
			/* the rule of person_may_manage, with the scopes loaded once */
			if (!admin_policy(&c->user, sc, (size_t)ns, ACTION_EDIT, &ob))
				continue;
			cm_unit_format(value, sizeof(value), o, dd);
			snprintf(label, sizeof(label), "%s%s%s", cm_stmt_str(st, 1, NULL),
			    dd ? " / " : "", dd ? cm_stmt_str(st, 3, NULL) : "");
			cm_render_setf(c->r, value, "Units.%zu.value", n);
			cm_render_setf(c->r, label, "Units.%zu.label", n);
			if (o == org_id && dd == dept_id)
				cm_render_setf(c->r, "1", "Units.%zu.selected", n);
			n++;
		}
		last_org = o;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	return 0;
dberr:
	cm_err("person units: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* 1 found, 0 not, -1 database. */
int
person_unit_by_name(struct admin_ctx *c, const char *org, const char *dept,
    int64_t *org_id, int64_t *dept_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT o.id, d.id FROM organizations o"
	    " LEFT JOIN departments d ON d.org_id = o.id AND d.name = ? AND d.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.name = ? AND o.deleted_at IS NULL ORDER BY o.id, d.id LIMIT 1");
	int rc = -1, f;

	*org_id = *dept_id = 0;
	if (st == NULL || cm_stmt_bind_str(st, 0, dept ? dept : "") < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 2, org) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	rc = 0;
	if (f == 1 && (dept == NULL || dept[0] == '\0' || !cm_stmt_is_null(st, 1))) {
		*org_id = cm_stmt_i64(st, 0);
		*dept_id = (dept && dept[0]) ? cm_stmt_i64(st, 1) : 0;
		rc = 1;
	}
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}
