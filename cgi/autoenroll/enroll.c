/* enroll.c: steps 4 to 6 of autoenroll.fcgi: the CSR against AD, issuance through the certificate lifecycle, status and renewal (supersession), and the certificate answer (PKCS#7 or PEM chain). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "autoenroll.h"
#include "ca_chain.h"
#include "cert_lifecycle.h"
#include "log.h"
#include "revocation_reason.h"
#include "x509util.h"

/* A certificate row of this endpoint, as status and renew read it. */
struct aed_cert {
	int64_t id;
	char status[16];
	int reason;                    /* revocation_reason, -1 none */
	long long secs_left;           /* not_after - now (negative: past) */
	char not_after[32];            /* ISO 8601 UTC */
	char serial[33];
	char spki[65];
};

/* Fills r's serial, not_after and days_left from c. */
static void
note_cert(struct aed_req *r, const struct aed_cert *c)
{
	r->cert_id = c->id;
	snprintf(r->serial, sizeof(r->serial), "%s", c->serial);
	snprintf(r->not_after, sizeof(r->not_after), "%s", c->not_after);
	r->days_left = c->secs_left > 0 ? (long)(c->secs_left / 86400) : 0;
}

/* The certificate of r's person and customer, of this endpoint's profile:
 * by serial, or (serial NULL) the newest issued one, or (renews > 0) the
 * issued one that renews that id. 1 found, 0 not, -1 database error. */
static int
load_cert(struct aed_req *r, const char *serial, int64_t renews, struct aed_cert *c)
{
	struct cm_stmt *st;
	int f;

	memset(c, 0, sizeof(*c));
	st = cm_db_prepare(r->db,
	    "SELECT id, status, COALESCE(revocation_reason, -1),"
	    " TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), not_after), DATE_FORMAT(not_after, '%Y-%m-%dT%H:%i:%sZ'),"
	    " serial_hex, COALESCE(spki_sha256, '')"
	    " FROM certificates WHERE customer_id = ? AND person_id = ? AND profile = ? AND serial_hex IS NOT NULL"
	    " AND (? = 1 AND serial_hex = ? OR ? = 2 AND status = 'issued'"
	    "      OR ? = 3 AND renews_id = ? AND status = 'issued')"
	    " ORDER BY not_after DESC, id DESC LIMIT 1");
	int mode = serial ? 1 : renews > 0 ? 3 : 2;
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_i64(st, 1, r->person_id) < 0 ||
	    cm_stmt_bind_str(st, 2, AED_PROFILE) < 0 || cm_stmt_bind_i64(st, 3, mode) < 0 ||
	    cm_stmt_bind_str(st, 4, serial ? serial : "") < 0 || cm_stmt_bind_i64(st, 5, mode) < 0 ||
	    cm_stmt_bind_i64(st, 6, mode) < 0 || cm_stmt_bind_i64(st, 7, renews) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("autoenroll: certificate lookup: %s", cm_db_error(r->db));
		f = -1;
	} else if (f == 1) {
		c->id = cm_stmt_i64(st, 0);
		cm_stmt_copy_str(st, 1, c->status, sizeof(c->status));
		c->reason = (int)cm_stmt_i64(st, 2);
		c->secs_left = cm_stmt_i64(st, 3);
		cm_stmt_copy_str(st, 4, c->not_after, sizeof(c->not_after));
		cm_stmt_copy_str(st, 5, c->serial, sizeof(c->serial));
		cm_stmt_copy_str(st, 6, c->spki, sizeof(c->spki));
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/* The live certificate of r's person for the CSR's key, if any: a client
 * that did not get the answer of its enrollment sends the same request
 * again. 1 / 0 / -1. */
static int
load_same_key(struct aed_req *r, struct aed_cert *c)
{
	struct cm_stmt *st;
	int f;

	memset(c, 0, sizeof(*c));
	st = cm_db_prepare(r->db,
	    "SELECT id, serial_hex FROM certificates WHERE customer_id = ? AND person_id = ? AND profile = ?"
	    " AND spki_sha256 = ? AND status = 'issued' AND not_after > UTC_TIMESTAMP()"
	    " ORDER BY id DESC LIMIT 1");
	if (st == NULL || cm_stmt_bind_i64(st, 0, r->customer_id) < 0 || cm_stmt_bind_i64(st, 1, r->person_id) < 0 ||
	    cm_stmt_bind_str(st, 2, AED_PROFILE) < 0 || cm_stmt_bind_str(st, 3, r->csr.spki_sha256) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("autoenroll: certificate lookup: %s", cm_db_error(r->db));
		f = -1;
	} else if (f == 1) {
		c->id = cm_stmt_i64(st, 0);
		cm_stmt_copy_str(st, 1, c->serial, sizeof(c->serial));
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/*
 * The CA chain above x (issuing CA, root), kept per worker: every answer of
 * this endpoint carries the same chain, and reading it means fetching and
 * parsing every ca_certs row. The kept chain is used when its first
 * certificate issued x (name and key identifier: a certificate of a new
 * issuing CA reads the chain again) and it was read less than
 * AED_CHAIN_KEEP_SECONDS ago. The stack belongs to the worker: not freed by
 * the caller. NULL on error (logged by cm_ca_chain_for); an empty chain is
 * answered but not kept.
 */
static STACK_OF(X509) *
chain_for(struct aed_req *r, X509 *x, int *owned)
{
	struct aed_worker *w = r->w;
	time_t now = time(NULL);
	STACK_OF(X509) *chain;

	*owned = 0;
	if (w->chain != NULL && now >= w->chain_at && now - w->chain_at < AED_CHAIN_KEEP_SECONDS &&
	    X509_check_issued(sk_X509_value(w->chain, 0), x) == X509_V_OK)
		return w->chain;
	if ((chain = cm_ca_chain_for(r->db, x)) == NULL)
		return NULL;
	if (sk_X509_num(chain) == 0) {
		*owned = 1;
		return chain;
	}
	sk_X509_pop_free(w->chain, X509_free);
	w->chain = chain;
	w->chain_at = now;
	return chain;
}

/* The answer for certificate x (row id): its chain (issuing CA, root) as
 * certs-only PKCS#7 DER, or PEM with format=pem; r's serial, not_after and
 * days_left are set by the caller. 0, or -1 noted. */
static int
answer_x509(struct aed_req *r, X509 *x, int64_t id, const char *result)
{
	STACK_OF(X509) *chain;
	int owned = 0, rc = -1;

	if ((chain = chain_for(r, x, &owned)) == NULL)
		return aed_fail(r, AED_ENROLL_FAILED, 0, "certificate %lld: its CA chain cannot be read", (long long)id);
	cm_buf_reset(&r->body);
	if (r->f.pem) {
		int bad = cm_cert_pem(x, &r->body) < 0;
		for (int i = 0; !bad && i < sk_X509_num(chain); i++)
			bad = cm_cert_pem(sk_X509_value(chain, i), &r->body) < 0;
		if (bad)
			goto oom;
		r->content_type = "application/pem-certificate-chain";
	} else {
		if (cm_p7b_der(x, chain, &r->body) < 0)
			goto oom;
		r->content_type = "application/pkcs7-mime; smime-type=certs-only";
	}
	r->cert_id = id;
	r->result = result;
	r->code = AED_OK;
	rc = 0;
	goto out;
oom:
	aed_fail(r, AED_ENROLL_FAILED, 0, "certificate %lld: the answer cannot be encoded", (long long)id);
out:
	if (owned)
		sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* The answer with certificate row id, read back from the database. 0, or
 * -1 noted. */
static int
answer_cert(struct aed_req *r, int64_t id, const char *result)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT der, serial_hex, DATE_FORMAT(not_after, '%Y-%m-%dT%H:%i:%sZ'),"
	    " TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), not_after) FROM certificates WHERE id = ? AND customer_id = ?");
	X509 *x = NULL;
	const unsigned char *p;
	size_t len = 0;
	long long secs;
	int f, rc = -1;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) <= 0 ||
	    (p = (const unsigned char *)cm_stmt_str(st, 0, &len)) == NULL) {
		aed_fail(r, AED_ENROLL_FAILED, 0, "certificate %lld cannot be read back: %s", (long long)id,
		    cm_db_error(r->db));
		goto out;
	}
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		aed_fail(r, AED_ENROLL_FAILED, 0, "certificate %lld: stored DER unreadable", (long long)id);
		goto out;
	}
	cm_stmt_copy_str(st, 1, r->serial, sizeof(r->serial));
	cm_stmt_copy_str(st, 2, r->not_after, sizeof(r->not_after));
	secs = cm_stmt_i64(st, 3);
	r->days_left = secs > 0 ? (long)(secs / 86400) : 0;
	rc = answer_x509(r, x, id, result);
out:
	X509_free(x);
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* The answer with the certificate the lifecycle just issued and stored
 * (out: its row id, serial and PEM): no need to read the row back. 0, or
 * -1 noted. */
static int
answer_issued(struct aed_req *r, const struct cm_issued_cert *out, const char *result)
{
	X509 *x = NULL;
	struct tm tm;
	int rc;

	if (out->pem == NULL || cm_cert_load(out->pem, strlen(out->pem), &x, NULL, 0) < 0 ||
	    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1) {
		X509_free(x);
		/* Stored all the same: the row has it. */
		return answer_cert(r, out->cert_id, result);
	}
	snprintf(r->serial, sizeof(r->serial), "%s", out->serial_hex);
	strftime(r->not_after, sizeof(r->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
	long long secs = (long long)timegm(&tm) - (long long)time(NULL);
	r->days_left = secs > 0 ? (long)(secs / 86400) : 0;
	rc = answer_x509(r, x, out->cert_id, result);
	X509_free(x);
	return rc;
}

/* The CSR against what AD says (18, 19) and the delegation (4, 5). 0 / -1. */
static int
check_csr(struct aed_req *r)
{
	if (!r->csr.emails_agree || strcasecmp(r->csr.email, r->user.mail) != 0)
		return aed_fail(r, AED_EMAIL_MISMATCH, 0, "the CSR's e-mail %s%s is not %s's AD mail %s", r->csr.email,
		    r->csr.emails_agree ? "" : " (and others)", r->principal, r->user.mail);
	if (strcmp(r->csr.cn, r->user.cn) != 0)
		return aed_fail(r, AED_NAME_MISMATCH, 0, "the CSR's CN \"%s\" is not %s's AD cn \"%s\"", r->csr.cn,
		    r->principal, r->user.cn);
	return aed_check_domain(r);
}

/* The lifecycle's status as the client's code (and the request's HTTP
 * status); err is the log's detail. Always -1. */
static int
issue_failed(struct aed_req *r, int st, const char *err)
{
	switch (st) {
	case 400:
		return aed_fail(r, AED_INVALID_CSR, 0, "refused: %s", err);
	case 403:
		return aed_fail(r, AED_ENROLL_FAILED, 403, "refused by policy: %s", err);
	case 409:
		return aed_fail(r, AED_ENROLL_FAILED, 409, "conflict: %s", err);
	case 503:
	case 504:
		return aed_fail(r, AED_ENROLL_FAILED, 503, "signer: %s", err);
	default:
		return aed_fail(r, AED_ENROLL_FAILED, 500, "issuance failed (%d): %s", st, err);
	}
}

/* The lifecycle input for r's CSR. */
static void
csr_request(struct aed_req *r, struct cm_csr_request *in)
{
	memset(in, 0, sizeof(*in));
	in->actor = r->principal;
	in->remote_addr = r->addr;
	in->customer_id = r->customer_id;
	in->org_id = r->org_id;
	in->profile = AED_PROFILE;
	in->csr = r->f.csr;
	in->csr_len = r->f.csr_len;
	in->person_id = r->person_id;
}

/*
 * Issues (old_id 0), supersedes old_id (supersede 1) or issues a renewal
 * of old_id (supersede 0) and answers the certificate. The organisation's
 * manual approval does not apply: the directory has vouched for the user
 * (cm_cert_issue and cm_cert_supersede issue at once). 0 / -1.
 */
static int
issue(struct aed_req *r, int64_t old_id, int supersede, const char *result)
{
	struct cm_csr_request in;
	struct cm_issued_cert out;
	char err[512] = "";
	int st;

	csr_request(r, &in);
	memset(&out, 0, sizeof(out));
	if (aed_signer(r) == NULL)
		return aed_fail(r, AED_ENROLL_FAILED, 503, "signerd cannot be reached");
	long t0 = aed_now_ms();
	if (supersede) {
		st = cm_cert_supersede(r->db, r->sg, old_id, &in, &out, err, sizeof(err));
	} else {
		in.renews_id = old_id;
		st = cm_cert_issue(r->db, r->sg, &in, &out, err, sizeof(err));
	}
	r->ms_issue = aed_now_ms() - t0;
	if (st != 0) {
		free(out.pem);
		return issue_failed(r, st, err);
	}
	st = answer_issued(r, &out, result);
	free(out.pem);
	return st;
}

/* 0 / -1; see autoenroll.h. */
int
aed_enroll(struct aed_req *r)
{
	struct aed_cert c;
	int f;

	if (check_csr(r) < 0 || aed_sync_person(r) < 0)
		return -1;
	/* The same key already certified for this person: the client missed
	 * the answer and asks again; it gets the same certificate. */
	if ((f = load_same_key(r, &c)) < 0)
		return aed_fail(r, AED_ENROLL_FAILED, 0, "the person's certificates cannot be read");
	if (f == 1)
		return answer_cert(r, c.id, "issued");
	return issue(r, 0, 0, "issued");
}

/* 0 / -1; see autoenroll.h. */
int
aed_status(struct aed_req *r)
{
	struct aed_cert c;
	int f;

	if (aed_find_person(r) < 0)
		return -1;
	f = load_cert(r, r->f.serial[0] ? r->f.serial : NULL, 0, &c);
	if (f < 0)
		return aed_fail(r, AED_STATUS_FAILED, 0, "the person's certificates cannot be read");
	if (f == 0 && r->f.serial[0])
		return aed_fail(r, AED_NO_CERT, 0, "serial %s is no certificate of %s", r->f.serial, r->principal);
	r->code = AED_OK;
	if (f == 0) {
		/* Nothing issued yet: enrolling is due. */
		r->result = "due";
		return 0;
	}
	note_cert(r, &c);
	r->result = strcmp(c.status, "issued") == 0 && c.secs_left > (long long)r->f.days * 86400 ? "valid" : "due";
	return 0;
}

/*
 * 0 / -1; see autoenroll.h. A retried renewal must not make a third
 * certificate: when serial was superseded already, its successor answers
 * (the certificate again for the same key; "valid" for another key, whose
 * client holds the successor already).
 */
int
aed_renew(struct aed_req *r)
{
	struct aed_cert c, next;
	int f, tries = 0;

	if (check_csr(r) < 0 || aed_sync_person(r) < 0)
		return -1;
again:
	if ((f = load_cert(r, r->f.serial, 0, &c)) < 0)
		return aed_fail(r, AED_ENROLL_FAILED, 0, "the person's certificates cannot be read");
	if (f == 0)
		return aed_fail(r, AED_NO_CERT, 0, "serial %s is no certificate of %s", r->f.serial, r->principal);
	if (strcmp(c.status, "issued") == 0 && c.secs_left > (long long)r->f.days * 86400) {
		note_cert(r, &c);
		r->code = AED_OK;
		r->result = "valid";
		return 0;
	}
	if (strcmp(c.status, "revoked") == 0 && c.reason == CM_REASON_SUPERSEDED) {
		if ((f = load_cert(r, NULL, c.id, &next)) < 0)
			return aed_fail(r, AED_ENROLL_FAILED, 0, "the person's certificates cannot be read");
		if (f == 1) {
			if (strcmp(next.spki, r->csr.spki_sha256) == 0)
				return answer_cert(r, next.id, "renewed");
			note_cert(r, &next);
			r->code = AED_OK;
			r->result = "valid";
			return 0;
		}
	}
	if (strcmp(c.status, "issued") == 0) {
		if (issue(r, c.id, 1, "renewed") == 0)
			return 0;
		/* Another request of the same client superseded it meanwhile. */
		if (r->http_status == 409 && tries++ == 0) {
			r->code = AED_OK;
			r->http_status = 0;
			/* The failed issuance rolled back a person change with it. */
			if (aed_sync_person(r) < 0)
				return -1;
			goto again;
		}
		return -1;
	}
	/* expired, or revoked for another reason: a new certificate that
	 * renews it (nothing left to revoke). */
	return issue(r, c.id, 0, "renewed");
}
