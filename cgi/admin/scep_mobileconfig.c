/* scep_mobileconfig.c: /admin/scep/mobileconfig: the Apple configuration profile (.mobileconfig) with one SCEP payload of a chosen type (a user's S/MIME certificate, or a device's) for an organisation or department, its access code checked against the stored hash; the code is neither logged nor kept. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "access_code.h"
#include "buf.h"
#include "ids.h"
#include "log.h"
#include "mobileconfig.h"
#include "scep_model.h"

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

/* 1 when a type of profile profile makes device profiles (subject CN only). */
static int
is_device_profile(const char *profile)
{
	return strcmp(profile, SCEP_DEVICE_PROFILE) == 0;
}

/* Puts the customer's enabled types under Kinds.N (type, label); 0, or -1
 * (logged). */
static int
kinds_render(struct admin_ctx *c)
{
	struct scep_type_row rows[SCEP_TYPES_MAX];
	long n = scep_types_load(c, rows, SCEP_TYPES_MAX), k = 0;
	char label[160];

	if (n < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		if (!rows[i].enabled || scep_profile_find(rows[i].profile) == NULL)
			continue;
		snprintf(label, sizeof(label), "%.32s: %s", rows[i].type,
		    is_device_profile(rows[i].profile) ? "a device's certificate (name only)" : "a user's S/MIME certificate");
		cm_render_setf(c->r, rows[i].type, "Kinds.%ld.type", k);
		cm_render_setf(c->r, label, "Kinds.%ld.label", k);
		k++;
	}
	return 0;
}

/* Renders the form with status (Errors.* set by the caller); what was typed
 * comes back except the access code. */
static void
show(struct admin_ctx *c, int status)
{
	const char *type = cm_req_form(c->req, "type");

	if (targets_render(c) < 0 || kinds_render(c) < 0) {
		admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Form.type", type && type[0] ? type : SCEP_DEFAULT_TYPE);
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

/*
 * POST /admin/scep/mobileconfig: type (default smime), target, code, cn,
 * email (not for a device type: its profile names the device by CN alone).
 * Refusals re-show
 * the form (400, the code not echoed); success answers the profile as a
 * download with an audit row saying for which organisation/department and
 * user it was made (never the code).
 */
void
admin_scep_mobileconfig(struct admin_ctx *c)
{
	const char *tv = cm_req_form(c->req, "target"), *code = cm_req_form(c->req, "code");
	const char *type = cm_req_form(c->req, "type");
	const char *cn = cm_req_form(c->req, "cn"), *email = cm_req_form(c->req, "email"), *why;
	const unsigned char *key = c->app->settings.access_code_key;
	size_t keylen = c->app->settings.access_code_key_len;
	struct scep_type_row rows[SCEP_TYPES_MAX];
	struct mobileconfig m;
	struct target t;
	struct cm_buf out, after;
	char url[512], ca_name[256], fp[64], disp[128], fname[64], msg[1024];
	int errors = 0, r, on = 0, enabled = 0, device = 0;
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
	if (type == NULL || type[0] == '\0')
		type = SCEP_DEFAULT_TYPE;
	for (long i = 0; i < n; i++)
		if (strcmp(rows[i].type, type) == 0 && rows[i].enabled && scep_profile_find(rows[i].profile) != NULL) {
			enabled = 1;
			device = is_device_profile(rows[i].profile);
			type = rows[i].type;   /* the row's copy: checked text from here on */
		}
	if ((r = target_load(c, tv, &t)) < 0)
		goto dberr;
	if (!on || !enabled) {
		if (!on)
			cm_render_set(c->r, "Errors.target",
			    "SCEP is off for this customer, so the profile could not enroll: an MRAO turns it on under SCEP settings.");
		else
			cm_render_set(c->r, "Errors.type", scep_type_problem(type) == NULL
			    ? "This SCEP type is not enabled, so the profile could not enroll: choose an enabled type, or an MRAO "
			      "enables it under SCEP settings."
			    : "Choose one of the SCEP types listed.");
		errors++;
	} else if (r == 0) {
		cm_render_set(c->r, "Errors.target", "Choose the organisation or department the user belongs to.");
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
	if ((why = device ? mobileconfig_device_cn_problem(cn) : mobileconfig_cn_problem(cn)) != NULL) {
		cm_render_set(c->r, "Errors.cn", why);
		errors++;
	}
	if (device)
		email = NULL;   /* whatever was typed: the device profile refuses it */
	else if ((why = mobileconfig_email_problem(email)) != NULL) {
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
	m.url = url;
	m.ca_name = ca_name;
	m.ca_sha1_b64 = fp;
	m.challenge = code;
	m.cn = cn;
	m.email = email;
	m.customer_uri = c->user.customer_uri;
	m.customer_name = c->user.customer_name;
	if (scep_type_url(c, type, url, sizeof(url)) < 0 || mobileconfig_write(&out, &m) < 0) {
		cm_err("mobileconfig for %s: could not be built", c->user.principal);
		admin_error(c, 500, "Internal error", "The profile could not be made; this has been logged.");
		goto out;
	}
	/* Who made a profile for whom; the code never (it is in the file only). */
	if (cm_buf_puts(&after, "{\"cn\":") < 0 || cm_buf_json_str(&after, cn) < 0 ||
	    cm_buf_puts(&after, ",\"email\":") < 0 || (email ? cm_buf_json_str(&after, email) : cm_buf_puts(&after, "null")) < 0 ||
	    cm_buf_puts(&after, ",\"scep_type\":") < 0 || cm_buf_json_str(&after, type) < 0 ||
	    cm_buf_puts(&after, "}") < 0 || cm_db_begin(c->db) < 0 ||
	    admin_audit_object(c, t.dept ? "department" : "organization", "scep.mobileconfig", t.id, NULL, after.data) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto dberr;
	cm_info("%s made a SCEP mobileconfig for %s %lld", c->user.principal, t.dept ? "department" : "organisation",
	    (long long)t.id);
	mobileconfig_file_name(device ? cn : email, fname, sizeof(fname));
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
