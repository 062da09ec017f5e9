/* scep_mobileconfig.c: /admin/scep/mobileconfig: the Apple configuration profile (.mobileconfig) with one SCEP payload for an organisation or department, its access code checked against the stored hash; the code is neither logged nor kept. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "access_code.h"
#include "buf.h"
#include "ids.h"
#include "log.h"
#include "scep_model.h"

#define CN_MAX 64                 /* ub-common-name */
#define EMAIL_MAX 254
#define PROFILE_MAX (64 * 1024)   /* a profile is a few KiB */

/* The organisation or department a profile is for, as loaded. */
struct target {
	int dept;                 /* 0 organisation, 1 department */
	int64_t id, org_id;
	char name[520];           /* "Org" or "Org / Dept" */
	int self_enrollment;
	char hash[CM_ACCESS_HASH_HEX + 1];   /* "" when no code is set */
};

/* Puts the organisations and departments whose codes the administrator may
 * use under Targets.N (value "org-ID" / "dept-ID"); 0, or -1 (logged). */
static int
targets_render(struct admin_ctx *c)
{
	static const char sql[] =
	    "SELECT 0 AS kind, o.id AS row_id, o.id AS org_id, o.name AS s_org, '' AS s_dept, o.client_self_enrollment"
	    " FROM organizations o WHERE o.customer_id = ? AND o.deleted_at IS NULL" ADMIN_ORG_HELD_SCOPE_SQL
	    " UNION ALL SELECT 1, d.id, o.id, o.name, d.name, d.client_self_enrollment"
	    " FROM departments d JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND d.deleted_at IS NULL" ADMIN_DEPT_SCOPE_SQL
	    " ORDER BY s_org, org_id, kind, s_dept, row_id LIMIT 500";
	struct cm_stmt *st = cm_db_prepare(c->db, sql);
	struct admin_object o;
	char v[600], org[256], dname[256];
	long n = 0;
	int f = -1, rc = -1, may;

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_held_scope(st, 1, &c->user) < 0 ||
	    cm_stmt_bind_i64(st, 1 + ADMIN_ORG_HELD_SCOPE_NPARAMS, c->user.customer_id) < 0 ||
	    admin_bind_dept_scope(st, 2 + ADMIN_ORG_HELD_SCOPE_NPARAMS, &c->user) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	while ((f = cm_stmt_fetch(st)) == 1) {
		int is_dept = cm_stmt_i64(st, 0) == 1;

		memset(&o, 0, sizeof(o));
		o.customer_id = c->user.customer_id;
		o.org_id = cm_stmt_i64(st, 2);
		o.dept_id = is_dept ? cm_stmt_i64(st, 1) : 0;
		if ((may = admin_may(c, ACTION_VIEW_ACCESS_CODE, &o)) < 0)
			goto out;
		if (!may)
			continue;
		snprintf(v, sizeof(v), "%s-%lld", is_dept ? "dept" : "org", (long long)cm_stmt_i64(st, 1));
		cm_render_setf(c->r, v, "Targets.%ld.value", n);
		cm_stmt_copy_str(st, 3, org, sizeof(org));
		cm_stmt_copy_str(st, 4, dname, sizeof(dname));
		snprintf(v, sizeof(v), "%s%s%s%s", org, dname[0] ? " / " : "", dname,
		    cm_stmt_i64(st, 5) == 1 ? "" : " (self enrollment off)");
		cm_render_setf(c->r, v, "Targets.%ld.label", n);
		n++;
	}
	if (f < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		cm_err("mobileconfig targets of %s: %s", c->user.principal, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* Renders the form with status (Errors.* set by the caller); what was typed
 * comes back except the access code. */
static void
show(struct admin_ctx *c, int status)
{
	if (targets_render(c) < 0) {
		admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Form.target", cm_req_form(c->req, "target"));
	cm_render_set(c->r, "Form.cn", cm_req_form(c->req, "cn"));
	cm_render_set(c->r, "Form.email", cm_req_form(c->req, "email"));
	c->resp->status = status;
	admin_page(c, "Apple configuration profile", "admin/scep_mobileconfig.cs");
}

/* Answers 403 unless the administrator may use some access code; 1 go on, 0 answered. */
static int
may_use(struct admin_ctx *c)
{
	int r;

	if (!scep_section_allowed(c))
		return 0;
	if ((r = admin_may_somewhere(c, ACTION_VIEW_ACCESS_CODE, "client")) < 0) {
		admin_error(c, 500, "Internal error", "Your scope could not be read; this has been logged.");
		return 0;
	}
	if (r == 0) {
		admin_error(c, 403, "Not allowed",
		    "Profiles carry an access code: they are made by an MRAO, or an RAO with client certificates.");
		return 0;
	}
	return 1;
}

/* GET /admin/scep/mobileconfig */
void
admin_scep_mobileconfig_form(struct admin_ctx *c)
{
	if (may_use(c))
		show(c, 200);
}

/*
 * Parses "org-ID" / "dept-ID" and loads it into t when it is the customer's
 * and the administrator may use its access code. 1 yes, 0 no (not found or
 * not allowed: the same answer), -1 database error (logged).
 */
static int
target_load(struct admin_ctx *c, const char *v, struct target *t)
{
	struct admin_object o = { c->user.customer_id, 0, 0, NULL };
	struct cm_stmt *st;
	char org[256] = "", dept[256] = "";
	int f = -1, may;

	memset(t, 0, sizeof(*t));
	if (v == NULL)
		return 0;
	if (strncmp(v, "org-", 4) == 0)
		t->id = cm_id_parse(v + 4);
	else if (strncmp(v, "dept-", 5) == 0 && (t->dept = 1))
		t->id = cm_id_parse(v + 5);
	if (t->id <= 0)
		return 0;
	st = cm_db_prepare(c->db, t->dept
	    ? "SELECT o.id, o.name, d.name, d.client_self_enrollment, COALESCE(d.client_access_code_hash, '')"
	      " FROM departments d JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL"
	      " WHERE d.id = ? AND o.customer_id = ? AND d.deleted_at IS NULL"
	    : "SELECT o.id, o.name, '', o.client_self_enrollment, COALESCE(o.client_access_code_hash, '')"
	      " FROM organizations o WHERE o.id = ? AND o.customer_id = ? AND o.deleted_at IS NULL");
	if (st != NULL && cm_stmt_bind_i64(st, 0, t->id) == 0 && cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		t->org_id = cm_stmt_i64(st, 0);
		cm_stmt_copy_str(st, 1, org, sizeof(org));
		cm_stmt_copy_str(st, 2, dept, sizeof(dept));
		t->self_enrollment = cm_stmt_i64(st, 3) == 1;
		cm_stmt_copy_str(st, 4, t->hash, sizeof(t->hash));
		snprintf(t->name, sizeof(t->name), "%s%s%s", org, t->dept ? " / " : "", dept);
	} else if (f < 0) {
		cm_err("mobileconfig target %s: %s", v, cm_db_error(c->db));
	}
	if (st)
		cm_stmt_close(st);
	if (f != 1)
		return f;
	o.org_id = t->org_id;
	o.dept_id = t->dept ? t->id : 0;
	if ((may = admin_may(c, ACTION_VIEW_ACCESS_CODE, &o)) < 0)
		return -1;
	return may;
}

/* 1 when s is well-formed UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF): the profile is an XML document. */
static int
utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s++, need, cp;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned i = 0; i < need; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
	}
	return 1;
}

/* NULL when s is a common name a device can put in its request (1..64
 * bytes of UTF-8, no control characters), else a message for the form. */
static const char *
cn_problem(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "Enter the user's name: it becomes the certificate's common name.";
	if (n > CN_MAX)
		return "The name must be at most 64 characters long.";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "Enter the name on one line, without control characters.";
	if (!utf8_ok((const unsigned char *)s))
		return "The name is not valid text (UTF-8); type it again.";
	return NULL;
}

/* NULL when s looks like an e-mail address (local@domain.tld, ASCII). */
static const char *
email_problem(const char *s)
{
	static const char local_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-";
	static const char domain_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	const char *at = s ? strchr(s, '@') : NULL;
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "Enter the user's e-mail address: S/MIME certificates carry it.";
	if (n > EMAIL_MAX || at == NULL || at == s || at - s > 64 || strchr(at + 1, '@') != NULL ||
	    strspn(s, local_ok) != (size_t)(at - s) || strspn(at + 1, domain_ok) != strlen(at + 1) ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || s[n - 1] == '.' || strstr(at, "..") != NULL)
		return "Enter an e-mail address like name@example.com.";
	return NULL;
}

/* Appends s to b with the XML special characters escaped; 0 or -1. The
 * callers' texts hold no control characters (checked above or ours). */
static int
xml_text(struct cm_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		default: break;
		}
		if (e ? cm_buf_puts(b, e) < 0 : cm_buf_putc(b, *s) < 0)
			return -1;
	}
	return 0;
}

/* <key>k</key><string>v</string>; 0 or -1. */
static int
kv_str(struct cm_buf *b, const char *k, const char *v)
{
	if (cm_buf_puts(b, "<key>") < 0 || xml_text(b, k) < 0 || cm_buf_puts(b, "</key><string>") < 0 ||
	    xml_text(b, v) < 0 || cm_buf_puts(b, "</string>\n") < 0)
		return -1;
	return 0;
}

/* <key>k</key><integer>v</integer>; 0 or -1. */
static int
kv_int(struct cm_buf *b, const char *k, long v)
{
	return cm_buf_puts(b, "<key>") < 0 || xml_text(b, k) < 0 ||
	    cm_buf_printf(b, "</key><integer>%ld</integer>\n", v) < 0 ? -1 : 0;
}

/* A random (version 4) UUID in upper case, as Apple's tools write them. */
static int
uuid4(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

/* The issuing CA the profile names: its CN (else the whole subject) and the
 * SHA-1 of its DER in base64 (Apple's CAFingerprint). 1 found, 0 none yet,
 * -1 on an error (logged). */
static int
issuing_ca(struct admin_ctx *c, char *name, size_t namelen, char *fp_b64, size_t fplen)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT der FROM ca_certs WHERE kind = 'issuing' AND not_after > UTC_TIMESTAMP()"
	    " ORDER BY not_before DESC, id DESC LIMIT 1");
	const unsigned char *der, *p;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *x = NULL;
	size_t len = 0;
	int f = -1, rc = -1;

	if (st != NULL && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 0)
		rc = 0;
	if (f != 1)
		goto out;
	der = (const unsigned char *)cm_stmt_str(st, 0, &len);
	p = der;
	if (der == NULL || (x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    EVP_Digest(der, len, md, &mdlen, EVP_sha1(), NULL) != 1 || fplen < 4 * ((mdlen + 2) / 3) + 1)
		goto out;
	EVP_EncodeBlock((unsigned char *)fp_b64, md, (int)mdlen);
	name[0] = '\0';
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, name, (int)namelen) <= 0)
		X509_NAME_oneline(X509_get_subject_name(x), name, (int)namelen);
	rc = 1;
out:
	if (rc < 0)
		cm_err("issuing CA for a mobileconfig: %s", f < 0 ? cm_db_error(c->db) : "unreadable certificate");
	if (st)
		cm_stmt_close(st);
	X509_free(x);
	return rc;
}

/* Writes the profile into b; 0 or -1. See Apple's "Configuration Profile
 * Reference", SCEP payload: Subject is an array of RDNs, each an array of
 * [oid-or-name, value] pairs; Key Usage 5 = signing + encryption. */
static int
profile_build(struct admin_ctx *c, struct cm_buf *b, const char *url, const char *ca_name, const char *fp_b64,
    const char *code, const char *cn, const char *email)
{
	char u1[37], u2[37], id[160], display[400];

	if (uuid4(u1) < 0 || uuid4(u2) < 0)
		return -1;
	if (cm_buf_puts(b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<plist version=\"1.0\">\n<dict>\n<key>PayloadContent</key>\n<array>\n<dict>\n"
	    "<key>PayloadContent</key>\n<dict>\n") < 0)
		return -1;
	if (kv_str(b, "URL", url) < 0 || kv_str(b, "Name", ca_name) < 0 || kv_str(b, "Challenge", code) < 0 ||
	    kv_int(b, "Keysize", 2048) < 0 || kv_str(b, "Key Type", "RSA") < 0 || kv_int(b, "Key Usage", 5) < 0 ||
	    kv_int(b, "Retries", 3) < 0 || kv_int(b, "RetryDelay", 10) < 0)
		return -1;
	if (cm_buf_puts(b, "<key>Subject</key>\n<array>\n<array><array><string>CN</string><string>") < 0 ||
	    xml_text(b, cn) < 0 ||
	    cm_buf_puts(b, "</string></array></array>\n<array><array><string>1.2.840.113549.1.9.1</string><string>") < 0 ||
	    xml_text(b, email) < 0 || cm_buf_puts(b, "</string></array></array>\n</array>\n") < 0)
		return -1;
	if (cm_buf_puts(b, "<key>SubjectAltName</key>\n<dict>\n") < 0 || kv_str(b, "rfc822Name", email) < 0 ||
	    cm_buf_puts(b, "</dict>\n<key>CAFingerprint</key>\n<data>") < 0 || cm_buf_puts(b, fp_b64) < 0 ||
	    cm_buf_puts(b, "</data>\n</dict>\n") < 0)
		return -1;
	snprintf(id, sizeof(id), "certmint.%s.scep.%s", c->user.customer_uri, u2);
	snprintf(display, sizeof(display), "%s S/MIME certificate", c->user.customer_name);
	if (kv_str(b, "PayloadDescription", "Requests the user's S/MIME certificate with SCEP.") < 0 ||
	    kv_str(b, "PayloadDisplayName", "SCEP: S/MIME certificate") < 0 ||
	    kv_str(b, "PayloadIdentifier", id) < 0 || kv_str(b, "PayloadType", "com.apple.security.scep") < 0 ||
	    kv_str(b, "PayloadUUID", u2) < 0 || kv_int(b, "PayloadVersion", 1) < 0 ||
	    cm_buf_puts(b, "</dict>\n</array>\n") < 0)
		return -1;
	snprintf(id, sizeof(id), "certmint.%s.profile.%s", c->user.customer_uri, u1);
	if (kv_str(b, "PayloadDescription", "Installs an S/MIME certificate for e-mail signing and encryption.") < 0 ||
	    kv_str(b, "PayloadDisplayName", display) < 0 || kv_str(b, "PayloadIdentifier", id) < 0 ||
	    kv_str(b, "PayloadOrganization", c->user.customer_name) < 0 || kv_int(b, "PayloadRemovalDisallowed", 0) < 0 ||
	    kv_str(b, "PayloadType", "Configuration") < 0 || kv_str(b, "PayloadUUID", u1) < 0 ||
	    kv_int(b, "PayloadVersion", 1) < 0 || cm_buf_puts(b, "</dict>\n</plist>\n") < 0)
		return -1;
	return 0;
}

/* The download's file name: the e-mail address's local part with anything
 * but [A-Za-z0-9._-] made '_' (it goes into a header). */
static void
file_name(const char *email, char *out, size_t outlen)
{
	size_t i = 0;

	for (; email[i] && email[i] != '@' && i + 1 < outlen && i < 48; i++)
		out[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", email[i]) ? email[i] : '_';
	out[i] = '\0';
	if (i == 0 || out[0] == '.')
		snprintf(out, outlen, "smime");
}

/*
 * POST /admin/scep/mobileconfig: target, code, cn, email. Refusals re-show
 * the form (400, the code not echoed); success answers the profile as a
 * download with an audit row saying for which organisation/department and
 * user it was made (never the code).
 */
void
admin_scep_mobileconfig(struct admin_ctx *c)
{
	const char *tv = cm_req_form(c->req, "target"), *code = cm_req_form(c->req, "code");
	const char *cn = cm_req_form(c->req, "cn"), *email = cm_req_form(c->req, "email"), *why;
	const unsigned char *key = c->app->settings.access_code_key;
	size_t keylen = c->app->settings.access_code_key_len;
	struct scep_type_row rows[SCEP_TYPES_MAX];
	struct target t;
	struct cm_buf out, after;
	char url[512], ca_name[256], fp[64], disp[128], fname[64], msg[1024];
	int errors = 0, r, on = 0, smime = 0;
	long n;

	cm_buf_init(&out, PROFILE_MAX);
	cm_buf_init(&after, 4096);
	if (!may_use(c))
		goto out;
	if (key == NULL) {
		cm_err("mobileconfig: [secrets] access_code_key_file is not configured");
		admin_error(c, 503, "Access codes not configured",
		    "certmint has no access-code key ([secrets] access_code_key_file in certmint.conf); ask the operator.");
		goto out;
	}
	if (scep_enabled_load(c, 0, &on) < 0 || (n = scep_types_load(c, rows, SCEP_TYPES_MAX)) < 0)
		goto dberr;
	for (long i = 0; i < n; i++)
		if (strcmp(rows[i].type, SCEP_DEFAULT_TYPE) == 0 && rows[i].enabled)
			smime = 1;
	if ((r = target_load(c, tv, &t)) < 0)
		goto dberr;
	if (r == 0) {
		cm_render_set(c->r, "Errors.target", "Choose the organisation or department the user belongs to.");
		errors++;
	} else if (!on || !smime) {
		cm_render_set(c->r, "Errors.target", !on
		    ? "SCEP is off for this customer, so the profile could not enroll: an MRAO turns it on under SCEP settings."
		    : "The smime type is not enabled, so the profile could not enroll: an MRAO enables it under SCEP settings.");
		errors++;
	} else if (!t.self_enrollment) {
		snprintf(msg, sizeof(msg), "Self enrollment is off for %s, so its access code is refused: turn it on on "
		    "its client-certificate tab first.", t.name);
		cm_render_set(c->r, "Errors.target", msg);
		errors++;
	} else if (code == NULL || code[0] == '\0') {
		cm_render_set(c->r, "Errors.code", "Enter the access code of the organisation or department.");
		errors++;
	} else if (t.hash[0] == '\0') {
		snprintf(msg, sizeof(msg), "%s has no access code yet: set one (SCEP section, Set access code), then "
		    "type it here.", t.name);
		cm_render_set(c->r, "Errors.code", msg);
		errors++;
	} else if (!cm_access_code_verify(key, keylen, code, t.hash)) {
		/* Logged without the code; the administrator is known. */
		cm_info("%s typed a wrong access code for a mobileconfig of %s %lld", c->user.principal,
		    t.dept ? "department" : "organisation", (long long)t.id);
		snprintf(msg, sizeof(msg), "This is not the current access code of %s. Type it exactly as it was shown "
		    "when it was set; if nobody has it any more, rotate the code to get a new one (devices using the "
		    "old one will then stop enrolling).", t.name);
		cm_render_set(c->r, "Errors.code", msg);
		errors++;
	}
	if ((why = cn_problem(cn)) != NULL) {
		cm_render_set(c->r, "Errors.cn", why);
		errors++;
	}
	if ((why = email_problem(email)) != NULL) {
		cm_render_set(c->r, "Errors.email", why);
		errors++;
	}
	if (errors) {
		show(c, 400);
		goto out;
	}
	if ((r = issuing_ca(c, ca_name, sizeof(ca_name), fp, sizeof(fp))) <= 0) {
		admin_error(c, r == 0 ? 503 : 500, r == 0 ? "No issuing CA" : "Internal error", r == 0
		    ? "certmint has no valid issuing CA yet, so there is nothing for devices to enroll with; ask the operator."
		    : "The issuing CA could not be read; this has been logged.");
		goto out;
	}
	if (scep_type_url(c, SCEP_DEFAULT_TYPE, url, sizeof(url)) < 0 ||
	    profile_build(c, &out, url, ca_name, fp, code, cn, email) < 0) {
		cm_err("mobileconfig for %s: could not be built", c->user.principal);
		admin_error(c, 500, "Internal error", "The profile could not be made; this has been logged.");
		goto out;
	}
	/* Who made a profile for whom; the code never (it is in the file only). */
	if (cm_buf_puts(&after, "{\"cn\":") < 0 || cm_buf_json_str(&after, cn) < 0 ||
	    cm_buf_puts(&after, ",\"email\":") < 0 || cm_buf_json_str(&after, email) < 0 ||
	    cm_buf_puts(&after, ",\"scep_type\":\"" SCEP_DEFAULT_TYPE "\"}") < 0 || cm_db_begin(c->db) < 0 ||
	    admin_audit_object(c, t.dept ? "department" : "organization", "scep.mobileconfig", t.id, NULL, after.data) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto dberr;
	cm_info("%s made a SCEP mobileconfig for %s %lld", c->user.principal, t.dept ? "department" : "organisation",
	    (long long)t.id);
	file_name(email, fname, sizeof(fname));
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.mobileconfig\"", fname);
	if (cm_resp_write(c->resp, out.data, out.len) < 0 || cm_resp_header(c->resp, "Content-Disposition", disp) < 0) {
		admin_error(c, 500, "Internal error", "The profile could not be sent.");
		goto out;
	}
	cm_resp_content_type(c->resp, "application/x-apple-aspen-config");
	/* It carries the challenge: no cache keeps it. */
	cm_resp_header(c->resp, "Cache-Control", "no-store");
	goto out;
dberr:
	cm_err("mobileconfig of %s: %s", c->user.principal, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	admin_error(c, 500, "Internal error", "The profile could not be made; this has been logged.");
out:
	if (out.data)
		OPENSSL_cleanse(out.data, out.len);
	cm_buf_free(&out);
	cm_buf_free(&after);
}
