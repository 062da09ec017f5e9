/* ad_server_model.c: Active Directory servers of a customer: form rules, loading, audit, and the organisation page's binding. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "ad_lookup.h"
#include "ad_server_model.h"
#include "ids.h"
#include "text.h"
#include "domain_model.h"
#include "edit_commit.h"
#include "log.h"
#include "policy.h"

#define MAX_BOUND 100
/* The delete refusal prints the names with %.700s: the list stops short of that. */
#define NAMES_SHOWN 690
#define MAX_CHOICES 500
/* The statements below read with and without a lock (the lock is added at the end). */
#define SERVER_ROW_SQL "SELECT id, name, domain, ldap_uris, base_dn, starttls, CAST(updated_at AS CHAR)," \
	" COALESCE(users_base_dn, ''), is_default, bind_method, COALESCE(bind_dn, ''), bind_password_enc IS NOT NULL," \
	" COALESCE(ca_pem, '') FROM ad_servers" \
	" WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"
#define BOUND_ORGS_SQL "SELECT id, name FROM organizations WHERE ad_server_id = ? AND customer_id = ? AND deleted_at IS NULL" \
	" ORDER BY name, id LIMIT 101"
#define SERVER_LIVE_SQL "SELECT 1 FROM ad_servers WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"

/* 1 allowed, 0 answered; see ad_server_model.h. */
int
ad_server_may_manage(struct admin_ctx *c)
{
	struct admin_object o = { .customer_id = c->user.customer_id };

	return edit_allowed(c, admin_may(c, ACTION_MANAGE_AD_SERVERS, &o),
	    "Only a master administrator (MRAO) manages Active Directory servers.");
}

/* The form field, "" when absent; what was typed goes back under Form.<field> (bounded). */
static const char *
field(struct admin_ctx *c, const char *name)
{
	const char *v = cm_req_form(c->req, name);

	v = v ? v : "";
	cm_render_setf(c->r, strlen(v) > 2000 ? "" : v, "Form.%s", name);
	return v;
}

static void
field_error(struct admin_ctx *c, int *errors, const char *name, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", name);
	(*errors)++;
}

/* ad_server_rules' callback for the form: the message next to the field. */
struct form_errs {
	struct admin_ctx *c;
	int *errors;
};

static void
form_rule_error(void *arg, const char *name, const char *msg)
{
	struct form_errs *fe = arg;

	field_error(fe->c, fe->errors, name, msg);
}

/* 1 when every URI of the list runs over TLS (ldaps://, or ldap:// with StartTLS). */
static int
uris_protected(const char *uris, int starttls)
{
	const char *p = uris;

	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (strncasecmp(p, "ldaps://", 8) != 0 && !starttls)
			return 0;
		p += strcspn(p, " ");
	}
	return 1;
}

/* The label; see ad_server_model.h. */
const char *
ad_server_tls_label(const char *uris, int starttls)
{
	const char *p = uris;
	int plain = 0;

	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (strncasecmp(p, "ldaps://", 8) != 0)
			plain = 1;
		p += strcspn(p, " ");
	}
	if (!plain)
		return "ldaps";
	return starttls ? "StartTLS" : "none";
}

/* The count; see ad_server_model.h. */
int
ad_server_rules(const struct ad_server_row *s, void (*err)(void *arg, const char *field, const char *msg), void *arg)
{
	int n = 0;

	if (s->bind_method != AD_BIND_SIMPLE)
		return 0;
	if (s->ldap_uris[0] && !uris_protected(s->ldap_uris, s->starttls)) {
		err(arg, "bind_method", "A simple bind sends the password: use ldaps:// URIs or require StartTLS, "
		    "so it never crosses the network in clear.");
		n++;
	}
	return n;
}

/* 0 or -1 with why; see ad_server_model.h. */
int
ad_server_seal(struct admin_ctx *c, const char *password, unsigned char *out, size_t *outlen,
    char *why, size_t whylen)
{
	const struct cm_settings *st = &c->app->settings;
	char aad[CM_AD_AAD_MAX];

	if (st->ldap_bind_key == NULL || st->ldap_bind_key_len == 0) {
		snprintf(why, whylen, "certmint cannot store a password: certmint.conf has no [secrets] "
		    "ldap_bind_key_file to seal it with. Ask the operator to set one, or bind with Kerberos.");
		return -1;
	}
	/* the aad adlookup's cm_ad_server_load opens it with: the value is bound to its customer */
	cm_ad_password_aad(c->user.customer_id, aad);
	*outlen = CM_SECRET_SEALED_MAX;
	if (cm_secret_seal(st->ldap_bind_key, st->ldap_bind_key_len, aad, (const unsigned char *)password,
	    strlen(password), out, outlen) < 0) {
		snprintf(why, whylen, "The password could not be sealed; this has been logged.");
		cm_err("AD server bind password: sealing failed");
		return -1;
	}
	return 0;
}

void
ad_server_form_wipe(struct ad_server_form_extra *x)
{
	OPENSSL_cleanse(x->password, sizeof(x->password));
}

/* Reads the uploaded CA file into b (bounded); 0, or -1 with why. */
static int
read_upload(const struct cm_upload *u, struct cm_buf *b, char *why, size_t whylen)
{
	char chunk[4096];
	FILE *f;
	size_t n;
	int rc = 0;

	if (u->size > AD_CA_MAX_BYTES) {
		snprintf(why, whylen, "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
		return -1;
	}
	if ((f = fopen(u->path, "rb")) == NULL) {
		cm_err("AD server CA upload %s: %s", u->path, strerror(errno));
		snprintf(why, whylen, "The file could not be read; this has been logged.");
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (cm_buf_append(b, chunk, n) < 0) {
			snprintf(why, whylen, "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
			rc = -1;
			break;
		}
	fclose(f);
	return rc;
}

/* The CA part of the form; the error count (0 or 1). */
static int
ca_from_form(struct admin_ctx *c, struct ad_server_row *s, const struct ad_server_row *stored,
    struct ad_server_form_extra *x)
{
	const char *pasted = cm_req_form(c->req, "ca_pem"), *rm = cm_req_form(c->req, "ca_remove");
	const struct cm_upload *u = cm_req_file(c->req, "ca_file");
	struct cm_buf in, out;
	char why[300];
	int errors = 0;

	pasted = pasted ? pasted : "";
	if (strlen(pasted) <= AD_CA_MAX_BYTES)
		cm_render_set(c->r, "Form.ca_pem", pasted);
	x->ca_remove = rm != NULL && strcmp(rm, "1") == 0;
	if (x->ca_remove)
		cm_render_set(c->r, "Form.ca_remove", "1");
	cm_buf_init(&in, AD_CA_MAX_BYTES + 1);
	cm_buf_init(&out, AD_CA_MAX_BYTES);
	if (u != NULL && u->size > 0) {
		if (read_upload(u, &in, why, sizeof(why)) < 0) {
			field_error(c, &errors, "ca_pem", why);
			goto out;
		}
	} else if (pasted[strspn(pasted, " \t\r\n")] != '\0') {
		if (cm_buf_puts(&in, pasted) < 0) {
			snprintf(why, sizeof(why), "At most %d KiB of CA certificates, please.", AD_CA_MAX_BYTES / 1024);
			field_error(c, &errors, "ca_pem", why);
			goto out;
		}
	}
	if (in.len > 0 && x->ca_remove) {
		field_error(c, &errors, "ca_pem", "Either give new CA certificates or remove the stored ones, not both.");
		goto out;
	}
	if (in.len > 0) {
		if (ad_server_ca_parse(in.data, in.len, &out, NULL, NULL, why, sizeof(why)) < 0 ||
		    out.len >= sizeof(s->ca_pem)) {
			field_error(c, &errors, "ca_pem", why[0] ? why : "At most 64 KiB of CA certificates, please.");
			goto out;
		}
		memcpy(s->ca_pem, out.data, out.len + 1);
		x->ca_set = 1;
	} else if (!x->ca_remove && stored != NULL) {
		memcpy(s->ca_pem, stored->ca_pem, strlen(stored->ca_pem) + 1);
	}
out:
	cm_buf_free(&in);
	cm_buf_free(&out);
	return errors;
}

/* The count; see ad_server_model.h. */
int
ad_server_fields_check(const struct ad_server_fields *in, struct ad_server_row *s,
    void (*err)(void *arg, const char *field, const char *msg), void *arg)
{
	const char *name = in->name, *msg;
	char why[512];
	int errors = 0;
	size_t n;

	while (*name == ' ')
		name++;
	n = strlen(name);
	while (n > 0 && name[n - 1] == ' ')
		n--;
	if (n == 0)
		err(arg, "name", "A name is required."), errors++;
	else if (n > AD_NAME_MAX)
		err(arg, "name", "At most 255 bytes, please."), errors++;
	else {
		memcpy(s->name, name, n);
		s->name[n] = '\0';
		if (!cm_text_clean(s->name))
			err(arg, "name", "Use text without control characters (UTF-8)."), errors++;
	}
	if (in->domain[strspn(in->domain, " ")] == '\0')
		err(arg, "domain", "Enter the Active Directory domain, such as corp.example.com."), errors++;
	else if ((msg = domain_name_normalise(in->domain, s->domain, sizeof(s->domain))) != NULL)
		err(arg, "domain", msg), errors++;
	else if (s->domain[0] == '*')
		err(arg, "domain", "An Active Directory domain has no wildcard: corp.example.com."), errors++;
	if (ad_server_uris_check(in->ldap_uris, s->ldap_uris, sizeof(s->ldap_uris), why, sizeof(why)) < 0)
		err(arg, "ldap_uris", why), errors++;
	if ((msg = ad_server_base_dn_check(in->base_dn, s->base_dn, sizeof(s->base_dn))) != NULL)
		err(arg, "base_dn", msg), errors++;
	s->users_base_dn[0] = '\0';
	if (in->users_base_dn[strspn(in->users_base_dn, " ")] != '\0' &&
	    (msg = ad_server_base_dn_check(in->users_base_dn, s->users_base_dn, sizeof(s->users_base_dn))) != NULL)
		err(arg, "users_base_dn", msg), errors++;
	if (in->bind_method[0] == '\0' || strcmp(in->bind_method, "gssapi") == 0)
		s->bind_method = AD_BIND_GSSAPI;
	else if (strcmp(in->bind_method, "simple") == 0)
		s->bind_method = AD_BIND_SIMPLE;
	else
		err(arg, "bind_method", "Choose Kerberos (gssapi) or a login DN and password (simple)."), errors++;
	s->bind_dn[0] = '\0';
	if (s->bind_method == AD_BIND_SIMPLE && in->bind_dn[strspn(in->bind_dn, " ")] == '\0')
		err(arg, "bind_dn", "A simple bind needs the login DN, such as CN=certmint,OU=Service,DC=corp,DC=example,DC=com."),
		    errors++;
	else if (s->bind_method == AD_BIND_SIMPLE &&
	    (msg = ad_server_base_dn_check(in->bind_dn, s->bind_dn, sizeof(s->bind_dn))) != NULL)
		err(arg, "bind_dn", strstr(msg, "not an LDAP DN") ?
		    "This is not an LDAP DN: write it as CN=certmint,OU=Service,DC=corp,DC=example,DC=com." : msg), errors++;
	return errors;
}

/* The error count; see ad_server_model.h. */
int
ad_server_from_form(struct admin_ctx *c, struct ad_server_row *s, const struct ad_server_row *stored,
    struct ad_server_form_extra *x)
{
	struct ad_server_fields in = {
		.name = field(c, "name"), .domain = field(c, "domain"), .ldap_uris = field(c, "ldap_uris"),
		.base_dn = field(c, "base_dn"), .users_base_dn = field(c, "users_base_dn"),
		.bind_method = field(c, "bind_method"), .bind_dn = field(c, "bind_dn"),
	};
	const char *pw = cm_req_form(c->req, "bind_password");
	const char *tls = cm_req_form(c->req, "starttls"), *def = cm_req_form(c->req, "is_default");
	struct form_errs fe = { c, NULL };
	int errors = 0;

	memset(x, 0, sizeof(*x));
	fe.errors = &errors;
	s->starttls = tls != NULL && strcmp(tls, "1") == 0;
	cm_render_set(c->r, "Form.starttls", s->starttls ? "1" : "0");
	x->make_default = def != NULL && strcmp(def, "1") == 0;
	cm_render_set(c->r, "Form.is_default", x->make_default ? "1" : "0");
	s->is_default = (stored && stored->is_default) || x->make_default;
	if (in.bind_method[0] == '\0')
		cm_render_set(c->r, "Form.bind_method", "gssapi");
	ad_server_fields_check(&in, s, form_rule_error, &fe);
	errors += ca_from_form(c, s, stored, x);
	if (s->bind_method != AD_BIND_SIMPLE)
		goto rules;
	pw = pw ? pw : "";
	if (strlen(pw) > CM_SECRET_MAX) {
		field_error(c, &errors, "bind_password", "At most 512 bytes, please.");
	} else if (pw[0] != '\0') {
		if (strchr(pw, '\n') || strchr(pw, '\r'))
			field_error(c, &errors, "bind_password", "A password has no line breaks.");
		else
			memcpy(x->password, pw, strlen(pw) + 1);
		s->has_password = 1;
	} else if (stored && stored->bind_method == AD_BIND_SIMPLE && stored->has_password) {
		s->has_password = 1;   /* kept */
	} else {
		field_error(c, &errors, "bind_password", "Enter the password of the login DN (it is stored sealed "
		    "and never shown again).");
	}
	if (x->password[0] && c->app->settings.ldap_bind_key == NULL)
		field_error(c, &errors, "bind_password", "certmint cannot store a password: certmint.conf has no "
		    "[secrets] ldap_bind_key_file to seal it with. Ask the operator to set one, or bind with Kerberos.");
rules:
	errors += ad_server_rules(s, form_rule_error, &fe);
	return errors;
}

/* 1 found, 0 not, -1 database. */
int
ad_server_load(struct admin_ctx *c, int64_t id, int lock, struct ad_server_row *s)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ? SERVER_ROW_SQL " FOR UPDATE" : SERVER_ROW_SQL);
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (r = cm_stmt_fetch(st)) != 1)
		goto out;
	s->id = cm_stmt_i64(st, 0);
	cm_stmt_copy_str(st, 1, s->name, sizeof(s->name));
	cm_stmt_copy_str(st, 2, s->domain, sizeof(s->domain));
	cm_stmt_copy_str(st, 3, s->ldap_uris, sizeof(s->ldap_uris));
	cm_stmt_copy_str(st, 4, s->base_dn, sizeof(s->base_dn));
	s->starttls = cm_stmt_i64(st, 5) != 0;
	cm_stmt_copy_str(st, 6, s->updated_at, sizeof(s->updated_at));
	cm_stmt_copy_str(st, 7, s->users_base_dn, sizeof(s->users_base_dn));
	s->is_default = cm_stmt_i64(st, 8) != 0;
	{
		const char *m = cm_stmt_str(st, 9, NULL);

		s->bind_method = m && strcmp(m, "simple") == 0 ? AD_BIND_SIMPLE : AD_BIND_GSSAPI;
	}
	cm_stmt_copy_str(st, 10, s->bind_dn, sizeof(s->bind_dn));
	s->has_password = cm_stmt_i64(st, 11) != 0;
	cm_stmt_copy_str(st, 12, s->ca_pem, sizeof(s->ca_pem));
out:
	if (r < 0)
		cm_err("load AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 1 taken, 0 free, -1 database. */
int
ad_server_name_taken(struct admin_ctx *c, const char *name, int64_t self_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT 1 FROM ad_servers WHERE customer_id = ? AND name = ? AND deleted_at IS NULL AND id <> ?"
	    " LIMIT 1 FOR UPDATE");
	int r = -1;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_bind_str(st, 1, name) == 0 &&
	    cm_stmt_bind_i64(st, 2, self_id) == 0 && cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 0 or -1. The CA goes in as its certificates' fingerprints; the password
 * only as whether one is stored. */
int
ad_server_json(const struct ad_server_row *s, struct cm_buf *b)
{
	struct ad_ca_cert *certs = NULL;
	size_t n = 0;
	char why[256];
	int rc = -1;

	if (cm_buf_puts(b, "{\"name\":") < 0 || cm_buf_json_str(b, s->name) < 0 ||
	    cm_buf_puts(b, ",\"domain\":") < 0 || cm_buf_json_str(b, s->domain) < 0 ||
	    cm_buf_puts(b, ",\"ldap_uris\":") < 0 || cm_buf_json_str(b, s->ldap_uris) < 0 ||
	    cm_buf_puts(b, ",\"base_dn\":") < 0 || cm_buf_json_str(b, s->base_dn) < 0 ||
	    cm_buf_printf(b, ",\"starttls\":%s", s->starttls ? "true" : "false") < 0 ||
	    cm_buf_puts(b, ",\"users_base_dn\":") < 0 ||
	    cm_buf_json_str(b, s->users_base_dn[0] ? s->users_base_dn : NULL) < 0 ||
	    cm_buf_printf(b, ",\"is_default\":%s,\"bind_method\":\"%s\",\"bind_dn\":",
	    s->is_default ? "true" : "false", s->bind_method == AD_BIND_SIMPLE ? "simple" : "gssapi") < 0 ||
	    cm_buf_json_str(b, s->bind_dn[0] ? s->bind_dn : NULL) < 0 ||
	    cm_buf_printf(b, ",\"password_stored\":%s,\"ca_sha256\":", s->has_password ? "true" : "false") < 0)
		goto out;
	if (s->ca_pem[0] && (certs = calloc(AD_CA_MAX_CERTS, sizeof(*certs))) == NULL)
		goto out;
	/* A CA the pages did not store (written by hand) is audited as unreadable, not refused. */
	if (s->ca_pem[0] && ad_server_ca_parse(s->ca_pem, strlen(s->ca_pem), NULL, certs, &n, why, sizeof(why)) < 0) {
		if (cm_buf_puts(b, "\"unreadable\"}") < 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (cm_buf_putc(b, '[') < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (cm_buf_printf(b, "%s\"%s\"", i ? "," : "", certs[i].sha256) < 0)
			goto out;
	if (cm_buf_puts(b, "]}") < 0)
		goto out;
	rc = 0;
out:
	free(certs);
	return rc;
}

/* The count (up to MAX_BOUND + 1), or -1; see ad_server_model.h. names gets
 * the names that fit in NAMES_SHOWN bytes (the first always), then ", ...";
 * the count goes on regardless (100 names of 255 bytes would not fit). */
long
ad_server_bound_orgs(struct admin_ctx *c, int64_t id, int lock, struct cm_buf *names)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ? BOUND_ORGS_SQL " LOCK IN SHARE MODE" : BOUND_ORGS_SQL);
	char oid[32];
	long n = 0;
	int f, cut = 0;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0) {
		n = -1;
		goto out;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *name = cm_stmt_str(st, 1, NULL);

		if (name == NULL)
			name = "";
		if (n == MAX_BOUND) {
			cm_render_set(c->r, "Bound.more", "1");
			if (names && !cut && cm_buf_puts(names, ", ...") < 0)
				f = -1;
			n++;
			break;
		}
		snprintf(oid, sizeof(oid), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, oid, "Orgs.%ld.id", n);
		cm_render_setf(c->r, name, "Orgs.%ld.name", n);
		if (names && !cut && n > 0 && names->len + 2 + strlen(name) > NAMES_SHOWN) {
			cut = 1;
			if (cm_buf_puts(names, ", ...") < 0) {
				f = -1;
				break;
			}
		} else if (names && !cut && (cm_buf_puts(names, n ? ", " : "") < 0 ||
		    cm_buf_puts(names, name) < 0)) {
			f = -1;
			break;
		}
		n++;
	}
	if (f < 0)
		n = -1;
out:
	if (n < 0)
		cm_err("organisations bound to AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return n;
}

/* 0 (none), a positive id, or -1; see ad_server_model.h. */
int64_t
ad_server_form_id(const char *v)
{
	int64_t id;

	if (v == NULL || v[0] == '\0')
		return 0;
	id = cm_id_parse(v);
	return id > 0 ? id : -1;
}

/* 1 usable, 0 not, -1 database. */
int
ad_server_usable(struct admin_ctx *c, int64_t id, int lock)
{
	struct cm_stmt *st;
	int r = -1;

	if (id <= 0)
		return 0;
	st = cm_db_prepare(c->db, lock ? SERVER_LIVE_SQL " LOCK IN SHARE MODE" : SERVER_LIVE_SQL);
	if (st && cm_stmt_bind_i64(st, 0, id) == 0 && cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (r < 0)
		cm_err("AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 0 or -1; see ad_server_model.h. */
int
ad_server_render_binding(struct admin_ctx *c, int64_t selected_id, int view, int bind)
{
	struct cm_stmt *st = NULL;
	char sid[32];
	size_t n = 0;
	int f = 0;

	cm_render_set(c->r, "Can.view_ad", view ? "1" : "0");
	cm_render_set(c->r, "Can.bind_ad", bind ? "1" : "0");
	if (view && selected_id > 0) {
		st = cm_db_prepare(c->db, "SELECT id, name, domain FROM ad_servers WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, selected_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
		    (f = cm_stmt_fetch(st)) < 0)
			goto dberr;
		if (f == 1) {
			snprintf(sid, sizeof(sid), "%lld", (long long)cm_stmt_i64(st, 0));
			cm_render_set(c->r, "Org.ad_server.id", sid);
			cm_render_set(c->r, "Org.ad_server.name", cm_stmt_str(st, 1, NULL));
			cm_render_set(c->r, "Org.ad_server.domain", cm_stmt_str(st, 2, NULL));
		}
		cm_stmt_close(st);
		st = NULL;
	}
	if (!bind)
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT id, name, domain FROM ad_servers WHERE customer_id = ? AND deleted_at IS NULL"
	    " ORDER BY name, id LIMIT 500");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	for (; n < MAX_CHOICES && (f = cm_stmt_fetch(st)) == 1; n++) {
		int64_t id = cm_stmt_i64(st, 0);

		snprintf(sid, sizeof(sid), "%lld", (long long)id);
		cm_render_setf(c->r, sid, "AdServers.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "AdServers.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "AdServers.%zu.domain", n);
		if (id == selected_id)
			cm_render_setf(c->r, "1", "AdServers.%zu.selected", n);
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	return 0;
dberr:
	cm_err("AD servers for the organisation page: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* The count, or -1; see ad_server_model.h. */
long
ad_server_live_count(struct admin_ctx *c, int lock)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ?
	    "SELECT id FROM ad_servers WHERE customer_id = ? AND deleted_at IS NULL FOR UPDATE" :
	    "SELECT id FROM ad_servers WHERE customer_id = ? AND deleted_at IS NULL");
	long n = -1;
	int f;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0) {
		n = 0;
		while ((f = cm_stmt_fetch(st)) == 1)
			n++;
		if (f < 0)
			n = -1;
	}
	if (n < 0)
		cm_err("AD servers of customer %lld: %s", (long long)c->user.customer_id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return n;
}

/* 0 or -1; see ad_server_model.h. */
int
ad_server_make_default(struct admin_ctx *c, int64_t id)
{
	struct ad_server_row *old = NULL;
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	int64_t old_id = 0;
	int f, rc = -1;

	cm_buf_init(&before, 128 * 1024);
	cm_buf_init(&after, 128 * 1024);
	st = cm_db_prepare(c->db, "SELECT id FROM ad_servers WHERE customer_id = ? AND is_default = 1"
	    " AND deleted_at IS NULL AND id <> ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 1)
		old_id = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	st = NULL;
	/* The old default first: the unique key allows one live default per customer. */
	if (old_id > 0) {
		if ((old = malloc(sizeof(*old))) == NULL || ad_server_load(c, old_id, 1, old) != 1 ||
		    ad_server_json(old, &before) < 0)
			goto out;
		st = cm_db_prepare(c->db, "UPDATE ad_servers SET is_default = 0 WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, old_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
			goto out;
		cm_stmt_close(st);
		st = NULL;
		old->is_default = 0;
		if (ad_server_json(old, &after) < 0 ||
		    admin_audit_object(c, "ad_server", "ad_server.update", old_id, before.data, after.data) < 0)
			goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE ad_servers SET is_default = 1 WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		cm_err("AD server %lld as default: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	free(old);
	cm_buf_free(&before);
	cm_buf_free(&after);
	return rc;
}

/* The new id, or -1; see ad_server_model.h. */
int64_t
ad_server_insert(struct admin_ctx *c, struct ad_server_row *s, const unsigned char *sealed, size_t sealedlen)
{
	struct cm_stmt *st = NULL;
	int64_t id = -1;
	long live;

	/* Locks the customer's servers: two first servers added at once cannot both become default. */
	if ((live = ad_server_live_count(c, 1)) < 0)
		return -1;
	if (live == 0)
		s->is_default = 1;
	else {
		st = cm_db_prepare(c->db, "SELECT 1 FROM ad_servers WHERE customer_id = ? AND is_default = 1 AND deleted_at IS NULL");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
			goto out;
		switch (cm_stmt_fetch(st)) {
		case 0:
			s->is_default = 1;    /* none left (a default deleted alone): this one */
			break;
		case 1:
			break;
		default:
			goto out;
		}
		cm_stmt_close(st);
		st = NULL;
	}
	st = cm_db_prepare(c->db,
	    "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, starttls, users_base_dn, ca_pem,"
	    " bind_method, bind_dn, bind_password_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, s->name) < 0 ||
	    cm_stmt_bind_str(st, 2, s->domain) < 0 || cm_stmt_bind_str(st, 3, s->ldap_uris) < 0 ||
	    cm_stmt_bind_str(st, 4, s->base_dn) < 0 || cm_stmt_bind_i64(st, 5, s->starttls) < 0 ||
	    cm_stmt_bind_str(st, 6, s->users_base_dn[0] ? s->users_base_dn : NULL) < 0 ||
	    cm_stmt_bind_str(st, 7, s->ca_pem[0] ? s->ca_pem : NULL) < 0 ||
	    cm_stmt_bind_str(st, 8, s->bind_method == AD_BIND_SIMPLE ? "simple" : "gssapi") < 0 ||
	    cm_stmt_bind_str(st, 9, s->bind_method == AD_BIND_SIMPLE ? s->bind_dn : NULL) < 0 ||
	    (sealed && sealedlen && s->bind_method == AD_BIND_SIMPLE ? cm_stmt_bind_blob(st, 10, sealed, sealedlen) :
	    cm_stmt_bind_null(st, 10)) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	id = (int64_t)cm_stmt_insert_id(st);
	if (s->is_default && ad_server_make_default(c, id) < 0)
		id = -1;
out:
	if (id < 0)
		cm_err("add AD server: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return id;
}

/* 1, 0 or -1; see ad_server_model.h. */
int
ad_server_render_realm(struct admin_ctx *c, const char *domain)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id, realm, spn, COALESCE(keytab_problem, '') FROM kerberos_realms"
	    " WHERE customer_id = ? AND windows_domain = ? AND deleted_at IS NULL ORDER BY id LIMIT 1");
	char num[32];
	int f = -1;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_bind_str(st, 1, domain) == 0 &&
	    cm_stmt_execute(st) == 0 && (f = cm_stmt_fetch(st)) == 1) {
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_set(c->r, "Realm.id", num);
		cm_render_set(c->r, "Realm.realm", cm_stmt_str(st, 1, NULL));
		cm_render_set(c->r, "Realm.spn", cm_stmt_str(st, 2, NULL));
		cm_render_set(c->r, "Realm.problem", cm_stmt_str(st, 3, NULL));
	}
	if (f < 0)
		cm_err("Kerberos realm of %s: %s", domain, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return f;
}
