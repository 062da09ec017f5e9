/* csr_new.c: the "new certificate from CSR" form, its preview (the verdict Issue will reach), and the issue POST (idempotent by a one-time submission token). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "admin_ctx.h"
#include "cert_lifecycle.h"
#include "form_submission.h"
#include "ids.h"
#include "issue_verdict.h"
#include "log.h"
#include "signer_client.h"
#include "units.h"
#include "x509util.h"

#define MAX_ORGS 500

struct csr_form {
	const char *csr, *profile, *org, *days;
	const char *submission;   /* the one-time token the form carries, or NULL */
	int allow_dup;            /* "Issue another certificate for this key" ticked */
	int64_t org_id, dept_id;
	int64_t renew_id;         /* the certificate this one renews, or 0 */
	long validity_days;
	int errors;
};

static int may_issue_into(struct admin_ctx *c, int64_t org_id, int64_t dept_id,
    const char *cert_type);

static void
field_error(struct admin_ctx *c, struct csr_form *f, const char *field, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", field);
	f->errors++;
}

/* Re-shows what was typed, the allowed profiles and the customer's
 * organisations; 0 or -1 (database). */
static int
fill_form(struct admin_ctx *c, const struct csr_form *f)
{
	struct cm_stmt *st;
	size_t n = 0;
	char id[CM_UNIT_MAX];

	char token[CM_SUBMISSION_TOKEN_LEN + 1];

	cm_render_set_list(c->r,
	    "Form.csr", f->csr,
	    "Form.profile", f->profile,
	    "Form.org", f->org,
	    "Form.days", f->days,
	    NULL);
	if (f->allow_dup)
		cm_render_set(c->r, "Form.allow_dup", "1");
	/* A form shown again keeps its token (nothing was made from it); a
	 * new form gets a new one. */
	if (f->submission && cm_submission_token_valid(f->submission))
		cm_render_set(c->r, "Form.submission", f->submission);
	else if (cm_submission_token(token, sizeof(token)) == 0)
		cm_render_set(c->r, "Form.submission", token);
	else
		return -1;
	if (f->renew_id > 0)
		cm_render_set_int(c->r, "Form.renew", (long)f->renew_id);
	for (size_t i = 0; i < CM_CERT_TYPES_N; i++)
		if (admin_profile_allowed(&c->user, cm_cert_types[i].profile))
			cm_render_setf(c->r, cm_cert_types[i].profile, "Profiles.%zu.name", n++);
	/* Organisations and their departments the administrator may issue into
	 * (for at least one of its certificate types); value "ORG" or "ORG/DEPT". */
	st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name, d.id, d.name FROM organizations o"
	    " LEFT JOIN departments d ON d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    " ORDER BY o.name, o.id, d.name, d.id LIMIT 500");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("organisations: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	int64_t last_org = 0;
	while (cm_stmt_fetch(st) == 1) {
		int64_t oid = cm_stmt_i64(st, 0), did = cm_stmt_i64(st, 2);
		char label[600];

		if (oid != last_org) {
			last_org = oid;
			if (may_issue_into(c, oid, 0, NULL) == 1) {
				cm_render_setf(c->r, cm_unit_format(id, sizeof(id), oid, 0), "Orgs.%zu.id", n);
				cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Orgs.%zu.name", n);
				n++;
			}
		}
		if (did > 0 && may_issue_into(c, oid, did, NULL) == 1) {
			cm_unit_format(id, sizeof(id), oid, did);
			snprintf(label, sizeof(label), "%s / %s", cm_stmt_str(st, 1, NULL), cm_stmt_str(st, 3, NULL));
			cm_render_setf(c->r, id, "Orgs.%zu.id", n);
			cm_render_setf(c->r, label, "Orgs.%zu.name", n);
			n++;
		}
	}
	cm_stmt_close(st);
	return 0;
}

/*
 * Whether the administrator may issue into org_id/dept_id (dept_id 0 = the
 * organisation itself) for cert_type, or for any of its types when cert_type
 * is NULL. The one policy decides (cert_scope.c). 1 yes, 0 no, -1 error.
 */
static int
may_issue_into(struct admin_ctx *c, int64_t org_id, int64_t dept_id, const char *cert_type)
{
	if (cert_type)
		return admin_cert_in_scope(c, org_id, dept_id, cert_type);
	for (size_t i = 0; i < CM_CERT_TYPES_N; i++) {
		int r;

		if (!(cm_cert_types[i].bit & CM_TYPES_ADMIN))
			continue;
		r = admin_cert_in_scope(c, org_id, dept_id, cm_cert_types[i].name);
		if (r != 0)
			return r;
	}
	return 0;
}

/* A count (not a row id, so leading zeros pass as they always did) from 1
 * to max; -1 when s is not one. */
static long
small_number(const char *s, long max)
{
	long v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= max ? v : -1;
}

/* Reads and checks the fields; errors go next to their field. -1 on a database error. */
static int
read_form(struct admin_ctx *c, struct csr_form *f)
{
	memset(f, 0, sizeof(*f));
	f->csr = cm_req_form(c->req, "csr");
	f->profile = cm_req_form(c->req, "profile");
	f->org = cm_req_form(c->req, "org");
	f->days = cm_req_form(c->req, "days");
	f->submission = cm_req_form(c->req, "submission");
	f->allow_dup = cm_req_form(c->req, "allow_dup") != NULL && strcmp(cm_req_form(c->req, "allow_dup"), "1") == 0;
	/* Set only by the renewal form; checked against the policy on issue. */
	f->renew_id = cm_id_parse(cm_req_form(c->req, "renew"));
	if (f->csr && strstr(f->csr, "PRIVATE KEY-----") != NULL) {
		/* A private key (PKCS#8, PKCS#1, SEC1, encrypted or not) is never
		 * kept, logged or shown back: the form comes back empty. */
		f->csr = "";
		cm_warn("%s pasted a private key into the CSR field; refused, not echoed", c->user.principal);
		field_error(c, f, "csr", "This is a private key, not a certificate signing request. certmint did not "
		    "keep it and does not show it again, but it has left your computer: treat this key as exposed. "
		    "Make a new key pair and CSR, and paste only the CSR (-----BEGIN CERTIFICATE REQUEST-----).");
	} else if (f->csr == NULL || f->csr[0] == '\0') {
		field_error(c, f, "csr", "Paste a certificate signing request (PEM, starting with -----BEGIN CERTIFICATE REQUEST-----).");
	}
	if (f->profile == NULL || f->profile[0] == '\0')
		field_error(c, f, "profile", "Choose a certificate profile.");
	else if (!admin_profile_allowed(&c->user, f->profile))
		field_error(c, f, "profile", "Your administrator role cannot issue certificates with this profile.");
	if (f->org && f->org[0]) {
		int64_t oid, did;
		int r = 0;

		if (cm_unit_parse(f->org, &oid, &did) == 0) {
			r = cm_unit_exists(c->db, c->user.customer_id, oid, did);
			/* The type check needs a profile this administrator may
			 * use; any other is already reported next to its field. */
			if (r == 1 && admin_profile_allowed(&c->user, f->profile))
				r = may_issue_into(c, oid, did, cm_cert_type_of(f->profile));
		}
		if (r < 0)
			return -1;
		if (r == 0) {
			field_error(c, f, "org", "Choose one of your organisations or departments (for this certificate type).");
		} else {
			f->org_id = oid;
			f->dept_id = did;
		}
	} else if (!admin_may_issue_without_org(&c->user)) {
		/* Only a master administrator issues outside any organisation. */
		field_error(c, f, "org", "Choose the organisation or department the certificate is for.");
	}
	if (f->days && f->days[0]) {
		f->validity_days = small_number(f->days, 3650);
		if (f->validity_days < 0)
			field_error(c, f, "days", "Validity is a number of days from 1 to 3650, or empty for the profile's maximum.");
	}
	return 0;
}

static void
show_form(struct admin_ctx *c, const struct csr_form *f, int status)
{
	if (fill_form(c, f) < 0) {
		admin_error(c, 500, "Internal error", "The form could not be prepared; this has been logged.");
		return;
	}
	c->resp->status = status;
	admin_page(c, "New certificate from CSR", "admin/csr_form.cs");
}

/*
 * The profile and "ORG" / "ORG/DEPT" form value of certificate id, when the
 * administrator may act on it (the one policy, via admin_cert_in_scope).
 * 1 found, 0 not found or out of scope, -1 error.
 */
static int
renew_source(struct admin_ctx *c, int64_t id, char *profile, size_t plen, char *org, size_t olen)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT profile, org_id, dept_id, cert_type FROM certificates WHERE id = ? AND customer_id = ?");
	int r = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) != 1)
		goto out;
	{
		int64_t oid = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		int64_t did = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);

		if ((r = admin_cert_in_scope(c, oid, did, cm_stmt_str(st, 3, NULL))) != 1)
			goto out;
		snprintf(profile, plen, "%s", cm_stmt_str(st, 0, NULL) ? cm_stmt_str(st, 0, NULL) : "");
		cm_unit_format(org, olen, oid, did);
	}
out:
	if (r < 0)
		cm_err("renew %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return r;
}

void
admin_csr_form(struct admin_ctx *c)
{
	struct csr_form f;
	char org[CM_UNIT_MAX], profile[65];
	const char *renew = cm_req_query(c->req, "renew");

	memset(&f, 0, sizeof(f));
	f.profile = "tls-server";
	if (renew && renew[0]) {
		/* Renewal: a new request pre-filled with the old one's profile and
		 * organisation/department; the administrator pastes a new CSR, and
		 * the new certificate is linked to the old one (cm_cert_renew). */
		int64_t rid = cm_id_parse(renew);
		int r = rid > 0 ? renew_source(c, rid, profile, sizeof(profile), org, sizeof(org)) : 0;

		if (r < 0) {
			admin_error(c, 500, "Internal error", "The certificate to renew could not be read; this has been logged.");
			return;
		}
		if (r == 0) {
			admin_error(c, 404, "Not found", "There is no such certificate to renew.");
			return;
		}
		f.profile = profile;
		f.org = org;
		f.renew_id = rid;
	}
	show_form(c, &f, 200);
}

/* The lifecycle's input from a checked form (its strings stay the form's). */
static void
build_request(struct admin_ctx *c, const struct csr_form *f, struct cm_csr_request *in)
{
	memset(in, 0, sizeof(*in));
	in->actor = c->user.principal;
	in->remote_addr = c->req->remote_addr;
	in->customer_id = c->user.customer_id;
	in->org_id = f->org_id;
	in->dept_id = f->dept_id;
	in->profile = f->profile;
	in->csr = f->csr;
	in->csr_len = strlen(f->csr);
	in->validity_days = f->validity_days > 0 ? f->validity_days : 0;
	in->renews_id = f->renew_id;
	in->allow_duplicate_key = f->allow_dup;
}

/*
 * Shows what the CSR says (Preview.*), the term that will be used (Term.*),
 * a key some live certificate already has (Dup.*) and the verdict
 * (Verdict.ready, or Verdict.refuse with its reason next to its field):
 * Preview and Issue render the one verdict the same way.
 */
static void
show_verdict(struct admin_ctx *c, struct csr_form *f, const struct cm_issue_verdict *v)
{
	char key[96];

	if (v->ci.subject || v->ci.key.type[0]) {
		if (v->ci.key.curve[0])
			snprintf(key, sizeof(key), "%s %s (%d bits)", v->ci.key.type, v->ci.key.curve, v->ci.key.bits);
		else
			snprintf(key, sizeof(key), "%s %d bits", v->ci.key.type, v->ci.key.bits);
		cm_render_set_list(c->r,
		    "Preview.subject", v->ci.subject,
		    "Preview.cn", v->ci.cn,
		    "Preview.key", key,
		    "Preview.sig_alg", v->ci.sig_alg,
		    "Preview.sig_valid", v->ci.sig_valid ? "1" : "0",
		    NULL);
		/* The subject the certificate will carry (lib/issuance.c builds it
		 * from the organisation's record). */
		if (v->ci.issue_subject)
			cm_render_set(c->r, "Preview.issue_subject", v->ci.issue_subject);
		for (size_t i = 0; i < v->ci.sans.n; i++)
			cm_render_setf(c->r, v->ci.sans.v[i], "Preview.sans.%zu", i);
	}
	if (v->term_days > 0) {
		cm_render_set_int(c->r, "Term.days", v->term_days);
		cm_render_set(c->r, "Term.not_after", v->not_after);
		if (v->clipped)
			cm_render_set(c->r, "Term.note", v->term_note);
	}
	if (v->dup_id > 0) {
		cm_render_set_int(c->r, "Dup.id", (long)v->dup_id);
		cm_render_set(c->r, "Dup.status", v->dup_status);
	}
	if (v->status == 0) {
		cm_render_set(c->r, "Verdict.ready", "1");
		return;
	}
	if (v->status == 400 && v->dup_id > 0 && !f->allow_dup) {
		char msg[256];

		/* The portal's own words: the lifecycle's also name the CLI option. */
		snprintf(msg, sizeof(msg), "Certificate %lld (%s) already has this public key. Use a new key pair, or tick"
		    " \"Issue another certificate for this key\".", (long long)v->dup_id, v->dup_status);
		cm_render_set(c->r, "Verdict.refuse", msg);
		field_error(c, f, "allow_dup", msg);
	} else {
		cm_render_set(c->r, "Verdict.refuse", v->reason);
		if (v->status == 400)
			field_error(c, f, "csr", v->reason);
	}
}

void
admin_csr_preview(struct admin_ctx *c)
{
	struct csr_form f;
	struct cm_csr_request in;
	struct cm_issue_verdict v;

	memset(&v, 0, sizeof(v));
	if (read_form(c, &f) < 0) {
		admin_error(c, 500, "Internal error", "The form could not be checked; this has been logged.");
		return;
	}
	if (f.errors) {
		cm_render_set(c->r, "Verdict.refuse", "Correct the fields marked below.");
	} else {
		/* The verdict Issue will reach, from the same function. */
		build_request(c, &f, &in);
		if (cm_issue_verdict(c->db, &in, &v) == 500) {
			cm_issue_verdict_free(&v);
			admin_error(c, 500, "Internal error", "The request could not be checked; this has been logged.");
			return;
		}
		show_verdict(c, &f, &v);
	}
	cm_issue_verdict_free(&v);
	show_form(c, &f, f.errors ? 400 : 200);
}

/*
 * 303 to certificate id, whose page then shows the banner named notice
 * (cert_view.c): the notice travels in a short-lived cookie scoped to that
 * page, "NOTICE.ID", so the Location stays the certificate's own URL.
 */
static void
redirect_with_notice(struct admin_ctx *c, int64_t id, const char *notice)
{
	char loc[64], val[64];

	snprintf(loc, sizeof(loc), "/admin/certificates/%lld", (long long)id);
	snprintf(val, sizeof(val), "%s.%lld", notice, (long long)id);
	if (cm_resp_cookie(c->resp, ADMIN_NOTICE_COOKIE, val, loc, 300, c->req->https) < 0)
		cm_warn("certificate %lld: the banner cookie could not be set", (long long)id);
	cm_resp_redirect(c->resp, loc);
}

/* Answers the outcome r of storing a request or certificate (id: its row;
 * notice: the banner the certificate page shows; unreachable: the signer
 * could not be connected to, so a 503 says that rather than "failed"). */
static void
answer_issue(struct admin_ctx *c, struct csr_form *f, int r, int64_t id, const char *notice, const char *err,
    int unreachable)
{
	if (r == 0) {
		redirect_with_notice(c, id, notice);
	} else if (r == 400) {
		field_error(c, f, "csr", err);
		show_form(c, f, 400);
	} else if (r == 403) {
		admin_error(c, 403, "The signer refused this certificate", err);
	} else if (r == 409) {
		admin_error(c, 409, "Not possible in this state", err);
	} else if (r == 502) {
		admin_error(c, 502, "Issuance failed", err[0] ? err : "Internal error; this has been logged.");
	} else if (r == 503 && unreachable) {
		admin_error(c, 503, "The signer is not answering", err);
	} else if (r == 503) {
		admin_error(c, 503, "The signer failed: nothing was issued", err);
	} else if (r == 504) {
		admin_error(c, 504, "Unknown: the signer did not answer", err);
	} else {
		admin_error(c, 500, "Issuance failed", err[0] ? err : "Internal error; this has been logged.");
	}
}

/*
 * The submission token, before anything else: a token used before answers
 * with what its first POST made (303 there, "already submitted"), or 409
 * while that POST has not finished; a new one is claimed (*claimed = 1).
 * A form without a token (a script) is not protected and goes on. 1 go on,
 * 0 answered.
 */
static int
claim_submission(struct admin_ctx *c, const struct csr_form *f, int *claimed)
{
	int64_t id = 0;

	*claimed = 0;
	if (f->submission == NULL || f->submission[0] == '\0')
		return 1;
	if (!cm_submission_token_valid(f->submission)) {
		admin_error(c, 400, "Form out of date", "This form is damaged or out of date; open it again.");
		return 0;
	}
	switch (cm_submission_claim(c->db, c->user.customer_id, "csr_new", c->user.principal, f->submission, &id)) {
	case CM_SUBMISSION_NEW:
		*claimed = 1;
		return 1;
	case CM_SUBMISSION_DONE:
		cm_info("%s sent the issue form again; answered with certificate %lld", c->user.principal, (long long)id);
		redirect_with_notice(c, id, "resubmitted");
		return 0;
	case CM_SUBMISSION_PENDING:
		admin_error(c, 409, "Already submitted",
		    "This form was already sent and that request has not finished, so nothing more was made from it."
		    " Look for the certificate in the certificate list; to issue another, open the form again.");
		return 0;
	default:
		admin_error(c, 500, "Internal error", "The form could not be checked; this has been logged.");
		return 0;
	}
}

void
admin_csr_issue(struct admin_ctx *c)
{
	struct csr_form f;
	struct cm_signer *sg = NULL;
	struct cm_csr_request in;
	struct cm_issued_cert out;
	struct cm_issue_verdict v;
	const char *notice = "issued";
	char err[512];
	int r, claimed = 0, unreachable = 0;
	int64_t id = 0;

	memset(&out, 0, sizeof(out));
	memset(&v, 0, sizeof(v));
	if (read_form(c, &f) < 0) {
		admin_error(c, 500, "Internal error", "The form could not be checked; this has been logged.");
		return;
	}
	if (!claim_submission(c, &f, &claimed))
		return;
	if (f.renew_id > 0) {
		char profile[65], org[CM_UNIT_MAX];

		/* Only a certificate the administrator may act on is renewed. */
		r = renew_source(c, f.renew_id, profile, sizeof(profile), org, sizeof(org));
		if (r <= 0) {
			admin_error(c, r < 0 ? 500 : 404, r < 0 ? "Internal error" : "Not found", r < 0 ?
			    "The certificate to renew could not be read; this has been logged." :
			    "There is no such certificate to renew.");
			goto release;
		}
	}
	if (f.errors) {
		show_form(c, &f, 400);
		goto release;
	}
	build_request(c, &f, &in);
	/* The verdict Preview showed: a refusal re-shows the form as Preview
	 * does; the lifecycle decides it again when it stores the row. */
	if ((r = cm_issue_verdict(c->db, &in, &v)) != 0) {
		if (r == 400) {
			show_verdict(c, &f, &v);
			show_form(c, &f, 400);
		} else {
			answer_issue(c, &f, r, 0, notice, v.reason, 0);
		}
		cm_issue_verdict_free(&v);
		goto release;
	}
	if (v.clipped)
		notice = "issued-clipped";
	cm_issue_verdict_free(&v);
	err[0] = '\0';
	if (f.renew_id > 0) {
		/* The lifecycle applies the approval rule; the signer is needed
		 * only when it says "at once", so a failed connection is its 503
		 * (with its audit row). */
		if (cm_signer_connect(&sg, c->app->settings.signer_socket,
		    (int)c->app->settings.signer_timeout_ms, err, sizeof(err)) != 0) {
			cm_err("signer: %s", err);
			sg = NULL;
			unreachable = 1;
		}
		r = cm_cert_renew(c->db, sg, &in, &out, err, sizeof(err));
		if (sg)
			cm_signer_close(sg);
		free(out.pem);
		id = out.cert_id;
		if (r == 0 && out.serial_hex[0] == '\0')
			notice = strcmp(notice, "issued") == 0 ? "requested" : "requested-clipped";
		goto answer;
	}
	if (f.org_id > 0) {
		/* The department's or else the organisation's setting decides:
		 * auto-approve issues now, otherwise the certificate waits as a
		 * request for an administrator. */
		if ((r = cm_auto_approves(c->db, c->user.customer_id, f.org_id, f.dept_id,
		    cm_cert_type_of(f.profile))) < 0) {
			admin_error(c, 500, "Internal error", "The organisation could not be read; this has been logged.");
			goto release;
		}
		if (r == 0) {
			notice = strcmp(notice, "issued") == 0 ? "requested" : "requested-clipped";
			r = cm_cert_request(c->db, &in, &id, err, sizeof(err));
			if (r != 0 && r != 400) {
				admin_error(c, 500, "Request failed", "The request could not be stored; this has been logged.");
				goto release;
			}
			goto answer;
		}
	}
	/* Not reached: the lifecycle answers 503 and writes the
	 * certificate.issue_failed row, as for any signer fault. */
	if (cm_signer_connect(&sg, c->app->settings.signer_socket,
	    (int)c->app->settings.signer_timeout_ms, err, sizeof(err)) != 0) {
		cm_err("signer: %s", err);
		sg = NULL;
		unreachable = 1;
	}
	r = cm_cert_issue(c->db, sg, &in, &out, err, sizeof(err));
	if (sg)
		cm_signer_close(sg);
	free(out.pem);
	id = out.cert_id;
answer:
	/* A replay of this form now answers with this row. A 500 or 502 after
	 * the signer was asked may have made a certificate: the claim stays,
	 * so a replay never asks twice. */
	if (claimed && r == 0 && cm_submission_finish(c->db, f.submission, id) < 0)
		cm_err("certificate %lld: the form's submission could not be recorded", (long long)id);
	else if (claimed && (r == 400 || r == 403 || r == 409))
		cm_submission_release(c->db, f.submission);
	/* Unreachable is certain: nothing was asked, the form may be sent again. */
	else if (claimed && r == 503 && unreachable)
		cm_submission_release(c->db, f.submission);
	answer_issue(c, &f, r, id, notice, err, unreachable);
	return;
release:
	/* Nothing was made: the form shown again may be sent again. */
	if (claimed)
		cm_submission_release(c->db, f.submission);
}
