/* cert_lifecycle.c: the one writer of the certificates table: each state change checked against cert_state.c, stored with its audit row in one transaction. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "approval.h"
#include "audit.h"
#include "buf.h"
#include "ca_chain.h"
#include "cert_lifecycle.h"
#include "cert_state.h"
#include "issue_verdict.h"
#include "log.h"
#include "outbox.h"
#include "revocation_reason.h"
#include "x509util.h"

#define CHANGED_MEANWHILE "The certificate changed while you were looking at it; reload the page. Nothing was changed."
#define NOT_SAVED "The change could not be saved; nothing was changed. This has been logged."

/* Copies s cut to at most max bytes on a UTF-8 boundary (column widths). */
static char *
clip(const char *s, size_t max)
{
	size_t n;
	char *c;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if ((c = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* Appends one audit row about certificate id (0: none) in the caller's
 * transaction, if any. 0 or -1. */
static int
audit_cert(struct cm_db *db, const char *actor, const char *remote_addr, int64_t customer_id,
    const char *action, int64_t id, const char *before, const char *after)
{
	struct cm_audit_entry e;
	char idstr[32];

	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.action = action;
	e.object_type = "certificate";
	if (id > 0) {
		snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
		e.object_id = idstr;
	}
	e.before = before;
	e.after = after;
	e.remote_addr = remote_addr;
	e.customer_id = customer_id;
	return cm_audit(db, &e);
}

/*
 * Records what the signer answered when it issued nothing, by the status
 * sign_csr returned: 403 "certificate.refused" (policy), 503
 * "certificate.issue_failed" (the signer failed), 504
 * "certificate.issue_unknown" (no answer: it may have issued). id: the
 * request row, or 0. Outside any transaction the caller rolls back, so it
 * stays on record; best effort, logged. No return value.
 */
static void
audit_signer_answer(struct cm_db *db, const struct cm_csr_request *in, int status, int64_t id,
    const char *subject, const char *reason)
{
	const char *action = status == 403 ? "certificate.refused" :
	    status == 503 ? "certificate.issue_failed" : "certificate.issue_unknown";
	struct cm_buf j;

	cm_buf_init(&j, 0);
	if (cm_buf_puts(&j, "{\"profile\":") < 0 || cm_buf_json_str(&j, in->profile) < 0 ||
	    cm_buf_puts(&j, ",\"subject\":") < 0 || cm_buf_json_str(&j, subject) < 0 ||
	    cm_buf_puts(&j, ",\"reason\":") < 0 || cm_buf_json_str(&j, reason) < 0 ||
	    cm_buf_puts(&j, "}") < 0) {
		cm_err("issuance: out of memory writing the %s audit row", action);
		goto out;
	}
	if (audit_cert(db, in->actor, in->remote_addr, in->customer_id, action, id,
	    NULL, j.data) < 0)
		cm_err("issuance: audit row %s failed: %s", action, cm_db_error(db));
out:
	cm_buf_free(&j);
}

/* The sentence for a refused transition; returns 409. */
static int
refuse(char *err, size_t errlen, const char *status, int from, int to)
{
	snprintf(err, errlen, "This certificate is %s. %s Nothing was changed.", status,
	    cert_state_refusal(from, to));
	return 409;
}

/*
 * Reads the status of row id of customer_id into status (and its state
 * into *state, -1 when unknown); with lock, FOR UPDATE in the caller's
 * transaction. 1 found, 0 not, -1 database error.
 */
static int
load_state(struct cm_db *db, int64_t customer_id, int64_t id, int lock, int *state,
    char *status, size_t slen)
{
	struct cm_stmt *st = cm_db_prepare(db, lock ?
	    "SELECT status FROM certificates WHERE id = ? AND customer_id = ? FOR UPDATE" :
	    "SELECT status FROM certificates WHERE id = ? AND customer_id = ?");
	int f = -1;

	*state = -1;
	status[0] = '\0';
	if (st && cm_stmt_bind_i64(st, 0, id) == 0 && cm_stmt_bind_i64(st, 1, customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		const char *s = cm_stmt_str(st, 0, NULL);

		snprintf(status, slen, "%s", s ? s : "");
		*state = cert_state_parse(status);
	} else if (f < 0) {
		cm_err("certificate %lld: %s", (long long)id, cm_db_error(db));
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/* Row id and its state, or the status to answer: 0 found, 400 (no such
 * certificate), 500. */
static int
find_row(struct cm_db *db, int64_t customer_id, int64_t id, int lock, int *state,
    char *status, size_t slen, char *err, size_t errlen)
{
	int f = load_state(db, customer_id, id, lock, state, status, slen);

	if (f < 0) {
		snprintf(err, errlen, "The certificate could not be read; this has been logged.");
		return 500;
	}
	if (f == 0) {
		snprintf(err, errlen, "There is no such certificate.");
		return 400;
	}
	return 0;
}

/* Whether in->renews_id (if set) may be renewed: a certificate of the same
 * customer that has been issued. 0, 400, 409 or 500 (err set). */
static int
check_renews(struct cm_db *db, const struct cm_csr_request *in, char *err, size_t errlen)
{
	char status[16];
	int state, r;

	if (in->renews_id <= 0)
		return 0;
	if ((r = find_row(db, in->customer_id, in->renews_id, 0, &state, status, sizeof(status),
	    err, errlen)) != 0) {
		if (r == 400)
			snprintf(err, errlen, "There is no such certificate to renew.");
		return r;
	}
	if (state != CERT_ISSUED && state != CERT_REVOKED && state != CERT_EXPIRED) {
		snprintf(err, errlen, "Certificate %lld is %s: only a certificate that was issued can be renewed.",
		    (long long)in->renews_id, status);
		return 409;
	}
	return 0;
}

/* The row that UPDATE ... WHERE status = from changed: 1, or 0 when it
 * changed none (the row moved on meanwhile), -1 on error. Closes st. */
static int
run_update(struct cm_stmt *st)
{
	int r = -1;

	if (cm_stmt_execute(st) == 0)
		r = cm_stmt_affected(st) == 1;
	cm_stmt_close(st);
	return r;
}

/* A certificate the signer has just issued, decoded and clipped for its row. */
struct signed_cert {
	struct cm_signer_issue_reply res;
	X509 *cert;
	struct cm_cert_info xi;
	struct cm_buf pem;
	char *sans, *subj, *cn, *email;
	int64_t issuer_id;
	char refusal[512];          /* the signer's reason when it issued nothing */
};

static void
signed_cert_init(struct signed_cert *sc)
{
	memset(sc, 0, sizeof(*sc));
	cm_buf_init(&sc->pem, 0);
}

static void
signed_cert_free(struct signed_cert *sc)
{
	free(sc->sans);
	free(sc->subj);
	free(sc->cn);
	free(sc->email);
	cm_buf_free(&sc->pem);
	cm_cert_info_free(&sc->xi);
	X509_free(sc->cert);
	cm_signer_issue_reply_free(&sc->res);
}

/*
 * The e-mail SAN a client certificate is given when its CSR has no SAN at
 * all (profile client-smime requires one): the subject's emailAddress, else
 * a CN that is an e-mail address (Debian's scepclient, a SCEP client, can
 * set nothing else). The RA check (lib/ra_names.c) has covered both forms
 * already, and the signer checks the SAN against its name spaces. 1 with
 * "email:ADDR" in out, 0 none.
 */
static int
client_mail_san(const char *profile, const struct cm_buf *csrder, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)csrder->data;
	const char *type = cm_cert_type_of(profile);
	X509_REQ *req = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int found = 0;

	if (type == NULL || strcmp(type, "client") != 0 ||
	    (req = d2i_X509_REQ(NULL, &p, (long)csrder->len)) == NULL)
		goto out;
	exts = X509_REQ_get_extensions(req);
	if (exts && X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1) >= 0)
		goto out;
	for (int pass = 0; pass < 2 && !found; pass++) {
		const X509_NAME *nm = X509_REQ_get_subject_name(req);
		int nid = pass == 0 ? NID_pkcs9_emailAddress : NID_commonName;
		for (int i = -1; !found && (i = X509_NAME_get_index_by_NID(nm, nid, i)) >= 0; ) {
			const ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i));
			const unsigned char *d = ASN1_STRING_get0_data(v);
			int n = ASN1_STRING_length(v), ok = n > 2 && (size_t)n + 7 < outlen;
			for (int k = 0; ok && k < n; k++)
				ok = d[k] > 0x20 && d[k] < 0x7f && d[k] != ',';
			if (ok && memchr(d, '@', (size_t)n) != NULL) {
				snprintf(out, outlen, "email:%.*s", n, (const char *)d);
				found = 1;
			}
		}
	}
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	ERR_clear_error();
	return found;
}

/*
 * Asks the signer for in's certificate from the CSR's DER, under subject
 * (signer syntax, cm_csr_check's issue_dn; NULL: the CSR's), and reads the
 * answer back into sc for the certificates row. Returns 0 when issued and
 * ready; 403 when the signer refused, 503 when it failed (nothing issued),
 * 504 when it did not answer (it may have issued): err has the sentence
 * for the user, sc->refusal the signer's words, and the caller writes the
 * audit row (audit_signer_answer), outside any transaction it rolls back;
 * signer NULL (it could not be reached) is a 503 too, as nothing was
 * issued; 502 when the signer answered with an unreadable certificate; -1
 * when it was issued but the row's fields could not be prepared (out of
 * memory): the caller reports issued-but-not-stored.
 */
static int
sign_csr(struct cm_db *db, struct cm_signer *signer, const struct cm_csr_request *in,
    const struct cm_buf *csrder, const char *subject, struct signed_cert *sc, char *err, size_t errlen)
{
	struct cm_signer_issue_req sreq;
	char serr[512], mailsan[320];
	const char *sans[1];
	int r;

	if (signer == NULL) {
		/* The caller's connect failed (and logged why): a server fault like
		 * any other, with its audit row, not a silent gateway error. */
		snprintf(sc->refusal, sizeof(sc->refusal), "%s", CM_SIGNER_UNREACHABLE_REASON);
		snprintf(err, errlen, "%s", CM_SIGNER_UNREACHABLE);
		cm_err("issuance: %s (%s)", CM_SIGNER_UNREACHABLE_REASON, in->profile);
		return 503;
	}
	memset(&sreq, 0, sizeof(sreq));
	sreq.profile = in->profile;
	sreq.csr_der = (const unsigned char *)csrder->data;
	sreq.csr_len = csrder->len;
	sreq.validity_days = in->validity_days;
	sreq.subject = subject;     /* cm_csr_check's, from the organisation's record */
	if (client_mail_san(in->profile, csrder, mailsan, sizeof(mailsan)) == 1) {
		sans[0] = mailsan;
		sreq.sans = sans;
		sreq.nsans = 1;
	}
	serr[0] = '\0';
	r = cm_signer_issue(signer, &sreq, &sc->res, serr, sizeof(serr));
	if (r != CM_SIGNER_OK)
		snprintf(sc->refusal, sizeof(sc->refusal), "%s", serr);
	if (r == CM_SIGNER_REFUSED) {
		snprintf(err, errlen, "the signer refused: %s", serr);
		return 403;
	}
	if (r == CM_SIGNER_FAULT) {
		snprintf(err, errlen, "the signer failed and nothing was issued: %s", serr);
		cm_err("issuance: signer fault: %s", serr);
		return 503;
	}
	if (r != CM_SIGNER_OK) {
		/* Sent, unanswered: the journal may hold it, and the reconciliation
		 * (certmint journal check) brings it into the database. */
		snprintf(err, errlen, "unknown: the signer did not answer (%s); the certificate may have been issued; check again (the reconciliation will import it)",
		    serr);
		cm_err("issuance: signer outcome unknown: %s", serr);
		return 504;
	}
	if (cm_cert_load(sc->res.der, sc->res.der_len, &sc->cert, serr, sizeof(serr)) < 0 ||
	    cm_cert_describe(sc->cert, &sc->xi) < 0 || cm_cert_pem(sc->cert, &sc->pem) < 0) {
		cm_err("issuance: the signer returned serial %s that we cannot read: %s",
		    sc->res.serial_hex, serr);
		snprintf(err, errlen, "the signer returned an unreadable certificate (serial %s)", sc->res.serial_hex);
		return 502;
	}
	if ((sc->sans = cm_strlist_join(&sc->xi.sans, ", ")) == NULL ||
	    (sc->subj = clip(sc->xi.subject, 1024)) == NULL ||
	    (sc->xi.cn && (sc->cn = clip(sc->xi.cn, 255)) == NULL) ||
	    (sc->xi.email && (sc->email = clip(sc->xi.email, 255)) == NULL))
		return -1;
	sc->issuer_id = cm_ca_issuer_id(db, sc->cert);
	return 0;
}

/* The message and log line of a certificate issued but not stored; 500. */
static int
issued_not_stored(struct cm_db *db, const char *serial, char *err, size_t errlen)
{
	/* The signer's journal still accounts for this certificate. */
	cm_err("issuance: certificate %s was issued but not stored: %s", serial, cm_db_error(db));
	snprintf(err, errlen, "the certificate (serial %s) was issued but could not be stored; an operator can recover it from the signer's journal",
	    serial);
	return 500;
}

/* Appends the audit members of a signed certificate (serial, profile,
 * subject, SANs, notAfter, fingerprint) without braces. 0 or -1. */
static int
issued_json(struct cm_buf *j, const char *profile, const struct signed_cert *sc)
{
	if (cm_buf_puts(j, "\"serial\":") < 0 || cm_buf_json_str(j, sc->res.serial_hex) < 0 ||
	    cm_buf_puts(j, ",\"profile\":") < 0 || cm_buf_json_str(j, profile) < 0 ||
	    cm_buf_puts(j, ",\"subject\":") < 0 || cm_buf_json_str(j, sc->subj) < 0 ||
	    cm_buf_puts(j, ",\"sans\":") < 0 || cm_buf_json_str(j, sc->sans) < 0 ||
	    cm_buf_puts(j, ",\"not_after\":") < 0 || cm_buf_json_str(j, sc->xi.not_after_str) < 0 ||
	    cm_buf_puts(j, ",\"sha256\":") < 0 || cm_buf_json_str(j, sc->xi.sha256_hex) < 0)
		return -1;
	return 0;
}

/* Appends the term and, when the administrator confirmed it, the duplicate
 * key's certificate, as JSON members starting with a comma. 0 or -1. */
static int
term_json(struct cm_buf *j, const struct cm_issue_verdict *v)
{
	if (cm_buf_printf(j, ",\"requested_days\":%ld,\"term_days\":%ld", v->requested_days, v->term_days) < 0 ||
	    (v->clipped && cm_buf_puts(j, ",\"term_clipped\":true") < 0) ||
	    (v->dup_id > 0 && cm_buf_printf(j, ",\"duplicate_key_of\":%lld", (long long)v->dup_id) < 0))
		return -1;
	return 0;
}

/*
 * Stores a freshly signed certificate as a new "issued" row with its audit
 * row "certificate.issue" (extra: more JSON members, starting with a comma,
 * or NULL), in the caller's transaction. *cert_id gets the id. 0 or -1.
 */
static int
store_issued(struct cm_db *db, const struct cm_csr_request *in, const struct cm_issue_verdict *v,
    const struct signed_cert *sc, const char *extra, int64_t *cert_id)
{
	struct cm_stmt *st;
	struct cm_buf after;
	int rc = -1;

	cm_buf_init(&after, 0);
	st = cm_db_prepare(db,
	    "INSERT INTO certificates (customer_id, org_id, dept_id, issuer_id, cert_type, profile,"
	    " status, serial_hex, subject_dn, common_name, sans, email, key_type, key_bits,"
	    " not_before, not_after, der, csr, requested_by, renews_id, spki_sha256, requested_days, term_days,"
	    " person_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, in->customer_id) < 0 ||
	    (in->org_id > 0 ? cm_stmt_bind_i64(st, 1, in->org_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (in->dept_id > 0 ? cm_stmt_bind_i64(st, 2, in->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    (sc->issuer_id > 0 ? cm_stmt_bind_i64(st, 3, sc->issuer_id) : cm_stmt_bind_null(st, 3)) < 0 ||
	    cm_stmt_bind_str(st, 4, v->cert_type) < 0 ||
	    cm_stmt_bind_str(st, 5, in->profile) < 0 ||
	    cm_stmt_bind_str(st, 6, sc->res.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 7, sc->subj) < 0 ||
	    cm_stmt_bind_str(st, 8, sc->cn) < 0 ||
	    cm_stmt_bind_str(st, 9, sc->sans) < 0 ||
	    cm_stmt_bind_str(st, 10, sc->email) < 0 ||
	    cm_stmt_bind_str(st, 11, sc->xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 12, sc->xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 13, sc->xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 14, sc->xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 15, sc->res.der, sc->res.der_len) < 0 ||
	    /* The CSR is kept only while a request waits (requested/approved):
	     * it may carry a challengePassword, an SCEP access code in clear. */
	    cm_stmt_bind_null(st, 16) < 0 ||
	    cm_stmt_bind_str(st, 17, in->actor) < 0 ||
	    (in->renews_id > 0 ? cm_stmt_bind_i64(st, 18, in->renews_id) : cm_stmt_bind_null(st, 18)) < 0 ||
	    cm_stmt_bind_str(st, 19, v->spki_sha256) < 0 ||
	    cm_stmt_bind_i64(st, 20, v->requested_days) < 0 ||
	    cm_stmt_bind_i64(st, 21, v->term_days) < 0 ||
	    (in->person_id > 0 ? cm_stmt_bind_i64(st, 22, in->person_id) : cm_stmt_bind_null(st, 22)) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	*cert_id = (int64_t)cm_stmt_insert_id(st);
	if (cm_buf_puts(&after, "{") < 0 || issued_json(&after, in->profile, sc) < 0 ||
	    term_json(&after, v) < 0 ||
	    cm_buf_printf(&after, ",\"org_id\":%lld", (long long)in->org_id) < 0 ||
	    (in->any_name && cm_buf_puts(&after, ",\"any_name\":true") < 0) ||
	    (in->renews_id > 0 && cm_buf_printf(&after, ",\"renews\":%lld", (long long)in->renews_id) < 0) ||
	    (in->person_id > 0 && cm_buf_printf(&after, ",\"person_id\":%lld", (long long)in->person_id) < 0) ||
	    (extra && cm_buf_puts(&after, extra) < 0) ||
	    cm_buf_puts(&after, "}") < 0)
		goto out;
	if (audit_cert(db, in->actor, in->remote_addr, in->customer_id, "certificate.issue", *cert_id,
	    NULL, after.data) < 0)
		goto out;
	rc = 0;
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&after);
	return rc;
}

/*
 * issued -> revoked for row id with reason code and its audit row (extra:
 * more JSON members, starting with a comma, or NULL), in the caller's
 * transaction. 1 done, 0 the row is no longer issued, -1 error.
 */
static int
revoke_row(struct cm_db *db, const char *actor, const char *remote_addr, int64_t customer_id,
    int64_t id, int code, const char *extra)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "UPDATE certificates SET status = 'revoked', revoked_at = UTC_TIMESTAMP(), revocation_reason = ?"
	    " WHERE id = ? AND customer_id = ? AND status = 'issued'");
	struct cm_buf after;
	int r;

	if (st == NULL || cm_stmt_bind_i64(st, 0, code) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_bind_i64(st, 2, customer_id) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if ((r = run_update(st)) != 1)
		return r;
	cm_buf_init(&after, 0);
	if (cm_buf_printf(&after, "{\"status\":\"revoked\",\"reason\":\"%s\",\"reason_code\":%d",
	    cm_revocation_reason_name(code), code) < 0 ||
	    (extra && cm_buf_puts(&after, extra) < 0) || cm_buf_puts(&after, "}") < 0 ||
	    audit_cert(db, actor, remote_addr, customer_id, "certificate.revoke", id,
	    "{\"status\":\"issued\"}", after.data) < 0)
		r = -1;
	cm_buf_free(&after);
	return r;
}

/*
 * A new certificate from in's CSR, issued by the signer and stored as an
 * "issued" row with its audit row; with supersedes (an id, else 0), that
 * row (of in's customer, status issued) is locked before the signer is
 * asked and revoked (superseded) in the transaction that stores the new
 * one, so a signed replacement is never left without the row it replaces
 * and neither change is stored without the other. 0 / 400 / 403 / 409 /
 * 500 / 502 / 503 / 504, see cert_lifecycle.h.
 */
static int
issue_new(struct cm_db *db, struct cm_signer *signer, const struct cm_csr_request *in,
    int64_t supersedes, struct cm_issued_cert *out, char *err, size_t errlen)
{
	struct cm_issue_verdict v;
	struct cm_csr_request sin = *in;
	struct signed_cert sc;
	struct cm_buf csrder;
	char status[16], extra[64] = "";
	int in_tx = 0, rc = 500, r, state;

	memset(&v, 0, sizeof(v));
	signed_cert_init(&sc);
	memset(out, 0, sizeof(*out));
	cm_buf_init(&csrder, 0);
	snprintf(err, errlen, "internal error");
	/* A transaction the caller left open (autoenroll's person sync) becomes
	 * this one: committed with the certificate, rolled back on any failure
	 * (START TRANSACTION would commit it silently). */
	in_tx = cm_db_in_transaction(db);

	/* The verdict the portal's Preview showed, decided again here. */
	if ((r = cm_issue_verdict(db, in, &v)) != 0) {
		snprintf(err, errlen, "%s", v.reason);
		rc = r;
		goto out;
	}
	if (!supersedes && (r = check_renews(db, in, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	/* The signer is asked for the term the verdict decided (clipped). */
	sin.validity_days = v.term_days;
	out->requested_days = v.requested_days;
	out->term_days = v.term_days;
	if (cm_csr_der(v.req, &csrder) < 0)
		goto out;
	if (supersedes) {
		if (!in_tx && cm_db_begin(db) < 0)
			goto out;
		in_tx = 1;
		if ((r = find_row(db, in->customer_id, supersedes, 1, &state, status, sizeof(status),
		    err, errlen)) != 0) {
			rc = r;
			goto out;
		}
		if (!cert_state_allowed(state, CERT_REVOKED)) {
			rc = refuse(err, errlen, status, state, CERT_REVOKED);
			goto out;
		}
		snprintf(extra, sizeof(extra), ",\"supersedes\":%lld", (long long)supersedes);
	}
	if ((r = sign_csr(db, signer, &sin, &csrder, v.ci.issue_dn, &sc, err, errlen)) != 0) {
		if (in_tx)
			cm_db_rollback(db);
		in_tx = 0;
		/* Outside any transaction: the signer's answer stays on record. */
		if (r == 403 || r == 503 || r == 504)
			audit_signer_answer(db, in, r, 0, v.ci.subject, sc.refusal);
		rc = r < 0 ? issued_not_stored(db, sc.res.serial_hex, err, errlen) : r;
		goto out;
	}
	if (!in_tx && cm_db_begin(db) < 0)
		goto stored_fail;
	in_tx = 1;
	if (store_issued(db, in, &v, &sc, extra[0] ? extra : NULL, &out->cert_id) < 0)
		goto stored_fail;
	if (supersedes) {
		snprintf(extra, sizeof(extra), ",\"superseded_by\":%lld", (long long)out->cert_id);
		/* Locked above and checked issued: anything but 1 is an error here. */
		if (revoke_row(db, in->actor, in->remote_addr, in->customer_id, supersedes,
		    CM_REASON_SUPERSEDED, extra) != 1)
			goto stored_fail;
	}
	if (in->in_tx && in->in_tx(db, out->cert_id, 1, in->in_tx_arg) < 0)
		goto stored_fail;
	if (cm_db_commit(db) < 0)
		goto stored_fail;
	in_tx = 0;
	snprintf(out->serial_hex, sizeof(out->serial_hex), "%s", sc.res.serial_hex);
	out->pem = cm_buf_steal(&sc.pem);
	err[0] = '\0';
	cm_info("issued %s certificate %s (id %lld, superseding %lld) for %s", in->profile,
	    sc.res.serial_hex, (long long)out->cert_id, (long long)supersedes, in->actor);
	rc = 0;
	goto out;

stored_fail:
	rc = issued_not_stored(db, sc.res.serial_hex, err, errlen);
	out->cert_id = 0;
out:
	if (in_tx)
		cm_db_rollback(db);
	cm_buf_free(&csrder);
	cm_issue_verdict_free(&v);
	signed_cert_free(&sc);
	return rc;
}

/* 0 / 400 / 403 / 409 / 500 / 502 / 503 / 504, see cert_lifecycle.h. */
int
cm_cert_issue(struct cm_db *db, struct cm_signer *signer,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen)
{
	return issue_new(db, signer, in, 0, out, err, errlen);
}

/* 0 / 400 / 403 / 409 / 500 / 502 / 503 / 504, see cert_lifecycle.h. */
int
cm_cert_supersede(struct cm_db *db, struct cm_signer *signer, int64_t old_id,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen)
{
	struct cm_csr_request nin = *in;

	if (old_id <= 0) {
		snprintf(err, errlen, "There is no such certificate.");
		memset(out, 0, sizeof(*out));
		return 400;
	}
	nin.renews_id = old_id;
	return issue_new(db, signer, &nin, old_id, out, err, errlen);
}

/* The first "email:" SAN of a CSR, clipped for the column; NULL when none or out of memory. */
static char *
csr_email(const struct cm_csr_info *ci)
{
	for (size_t i = 0; i < ci->sans.n; i++)
		if (strncmp(ci->sans.v[i], "email:", 6) == 0)
			return clip(ci->sans.v[i] + 6, 255);
	return NULL;
}

/* 0 / 400 / 403 / 409 / 500, see cert_lifecycle.h. */
int
cm_cert_request(struct cm_db *db, const struct cm_csr_request *in, int64_t *cert_id,
    char *err, size_t errlen)
{
	struct cm_issue_verdict v;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	char *sans = NULL, *subj = NULL, *cn = NULL, *email = NULL;
	int in_tx = 0, rc = 500, r;

	memset(&v, 0, sizeof(v));
	cm_buf_init(&after, 0);
	*cert_id = 0;
	snprintf(err, errlen, "internal error");
	if (in->any_name) {
		/* The operator override is for immediate issuance from the CLI only. */
		snprintf(err, errlen, "a request cannot skip the domain check");
		rc = 400;
		goto out;
	}
	/* The verdict the portal's Preview showed, decided again here. */
	if ((r = cm_issue_verdict(db, in, &v)) != 0) {
		snprintf(err, errlen, "%s", v.reason);
		rc = r;
		goto out;
	}
	if ((r = check_renews(db, in, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if ((sans = cm_strlist_join(&v.ci.sans, ", ")) == NULL ||
	    (subj = clip(v.ci.issue_subject ? v.ci.issue_subject : "", 1024)) == NULL ||
	    (v.ci.cn && (cn = clip(v.ci.cn, 255)) == NULL))
		goto out;
	email = csr_email(&v.ci);
	if (cm_db_begin(db) < 0)
		goto out;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "INSERT INTO certificates (customer_id, org_id, dept_id, cert_type, profile, status,"
	    " subject_dn, common_name, sans, email, key_type, key_bits, csr, requested_by, renews_id,"
	    " spki_sha256, requested_days, term_days)"
	    " VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, in->customer_id) < 0 ||
	    (in->org_id > 0 ? cm_stmt_bind_i64(st, 1, in->org_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (in->dept_id > 0 ? cm_stmt_bind_i64(st, 2, in->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    cm_stmt_bind_str(st, 3, v.cert_type) < 0 ||
	    cm_stmt_bind_str(st, 4, in->profile) < 0 ||
	    cm_stmt_bind_str(st, 5, subj) < 0 ||
	    cm_stmt_bind_str(st, 6, cn) < 0 ||
	    cm_stmt_bind_str(st, 7, sans) < 0 ||
	    cm_stmt_bind_str(st, 8, email) < 0 ||
	    cm_stmt_bind_str(st, 9, v.ci.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 10, v.ci.key.bits) < 0 ||
	    cm_stmt_bind_blob(st, 11, in->csr, in->csr_len) < 0 ||
	    cm_stmt_bind_str(st, 12, in->actor) < 0 ||
	    (in->renews_id > 0 ? cm_stmt_bind_i64(st, 13, in->renews_id) : cm_stmt_bind_null(st, 13)) < 0 ||
	    cm_stmt_bind_str(st, 14, v.spki_sha256) < 0 ||
	    cm_stmt_bind_i64(st, 15, v.requested_days) < 0 ||
	    cm_stmt_bind_i64(st, 16, v.term_days) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	*cert_id = (int64_t)cm_stmt_insert_id(st);
	if (cm_buf_puts(&after, "{\"status\":\"requested\",\"profile\":") < 0 || cm_buf_json_str(&after, in->profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || cm_buf_json_str(&after, subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || cm_buf_json_str(&after, sans) < 0 ||
	    cm_buf_printf(&after, ",\"org_id\":%lld,\"dept_id\":%lld", (long long)in->org_id,
	    (long long)in->dept_id) < 0 ||
	    (in->renews_id > 0 && cm_buf_printf(&after, ",\"renews\":%lld", (long long)in->renews_id) < 0) ||
	    term_json(&after, &v) < 0 ||
	    cm_buf_puts(&after, "}") < 0)
		goto out;
	if (audit_cert(db, in->actor, in->remote_addr, in->customer_id, "certificate.request", *cert_id,
	    NULL, after.data) < 0 ||
	    /* issue 9: mail to the approvers, queued with the request (lib/outbox.h) */
	    cm_outbox_cert_event(db, "certificate.request", in->customer_id, *cert_id) < 0 ||
	    (in->in_tx && in->in_tx(db, *cert_id, 0, in->in_tx_arg) < 0) ||
	    cm_db_commit(db) < 0)
		goto out;
	in_tx = 0;
	err[0] = '\0';
	cm_info("request %lld (%s) stored for %s", (long long)*cert_id, in->profile, in->actor);
	rc = 0;
out:
	if (rc == 500)
		cm_err("issuance: storing a request: %s", cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	if (rc != 0)
		*cert_id = 0;
	free(sans);
	free(subj);
	free(cn);
	free(email);
	cm_buf_free(&after);
	cm_issue_verdict_free(&v);
	return rc;
}

/* 0 / 400 / 403 / 409 / 500 / 502 / 503 / 504, see cert_lifecycle.h. */
int
cm_cert_renew(struct cm_db *db, struct cm_signer *signer,
    const struct cm_csr_request *in, struct cm_issued_cert *out, char *err, size_t errlen)
{
	int a = 1;

	memset(out, 0, sizeof(*out));
	if (in->renews_id <= 0) {
		snprintf(err, errlen, "There is no such certificate to renew.");
		return 400;
	}
	/* The approval rule decides as for any new certificate: a renewal is
	 * no shortcut past an administrator. */
	if (in->org_id > 0 &&
	    (a = cm_auto_approves(db, in->customer_id, in->org_id, in->dept_id, cm_cert_type_of(in->profile))) < 0) {
		snprintf(err, errlen, "The organisation could not be read; this has been logged.");
		return 500;
	}
	if (a == 0)
		return cm_cert_request(db, in, &out->cert_id, err, errlen);
	/* signer NULL: cm_cert_issue answers 503 with its audit row. */
	return cm_cert_issue(db, signer, in, out, err, errlen);
}

/*
 * The certificate that approved request id supersedes when issued: the one
 * it renews, when a SCEP RenewalReq made it (its scep_transactions row says
 * so) and its organisation's client_revoke_superseded is on; what an
 * automatically approved RenewalReq does at once (cgi/scep/transactions.c),
 * a manually approved one does on issuance. *old 0 for none. 0 or -1.
 */
static int
approved_supersedes(struct cm_db *db, int64_t customer_id, int64_t id, int64_t *old)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT c.renews_id FROM certificates c"
	    " JOIN scep_transactions t ON t.certificate_id = c.id AND t.customer_id = c.customer_id"
	    "  AND t.message_type = 17"
	    " JOIN organizations o ON o.id = c.org_id AND o.customer_id = c.customer_id"
	    "  AND o.client_revoke_superseded = 1"
	    " WHERE c.id = ? AND c.customer_id = ? AND c.renews_id IS NOT NULL LIMIT 1");
	int f = -1;

	*old = 0;
	if (st != NULL && cm_stmt_bind_i64(st, 0, id) == 0 && cm_stmt_bind_i64(st, 1, customer_id) == 0 &&
	    cm_stmt_execute(st) == 0 && (f = cm_stmt_fetch(st)) >= 0 && f == 1)
		*old = cm_stmt_i64(st, 0);
	if (st)
		cm_stmt_close(st);
	return f < 0 ? -1 : 0;
}

/* 0 / 400 / 403 / 409 / 500 / 502 / 503 / 504, see cert_lifecycle.h. */
int
cm_cert_issue_approved(struct cm_db *db, struct cm_signer *signer,
    const struct cm_cert_actor *who, int64_t id, char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	struct cm_csr_info ci;
	struct signed_cert sc;
	struct cm_csr_request in;
	struct cm_buf csrder, after, csr;
	struct cm_stmt *st = NULL;
	const char *cert_type = NULL;
	char *profile = NULL, extra[64];
	int64_t supersedes = 0;
	int in_tx = 0, rc = 500, r, f, superseded = 0;

	memset(&ci, 0, sizeof(ci));
	signed_cert_init(&sc);
	memset(&in, 0, sizeof(in));
	cm_buf_init(&csrder, 0);
	cm_buf_init(&after, 0);
	cm_buf_init(&csr, 0);
	snprintf(err, errlen, "internal error");

	st = cm_db_prepare(db,
	    "SELECT customer_id, org_id, dept_id, profile, status, csr, term_days FROM certificates"
	    " WHERE id = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, who->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 0) {
		snprintf(err, errlen, "there is no such certificate request");
		rc = 400;
		goto out;
	}
	if (cert_state_parse(cm_stmt_str(st, 4, NULL)) != CERT_APPROVED) {
		snprintf(err, errlen, "only an approved request can be issued");
		rc = 409;
		goto out;
	}
	{
		size_t len = 0;
		const char *p = cm_stmt_str(st, 5, &len);

		if (p == NULL || len == 0) {
			snprintf(err, errlen, "the request has no stored CSR");
			rc = 400;
			goto out;
		}
		if (cm_buf_append(&csr, p, len) < 0 ||
		    (profile = clip(cm_stmt_str(st, 3, NULL), 64)) == NULL)
			goto out;
	}
	in.actor = who->actor;
	in.remote_addr = who->remote_addr;
	in.customer_id = cm_stmt_i64(st, 0);
	in.org_id = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
	in.dept_id = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
	in.profile = profile;
	in.csr = csr.data;
	in.csr_len = csr.len;
	/* The term the request was shown with (none stored: the maximum). */
	in.validity_days = cm_stmt_is_null(st, 6) ? 0 : (long)cm_stmt_i64(st, 6);
	cm_stmt_close(st);
	st = NULL;

	/* The names are checked again: a domain may have lost its validation
	 * or delegation since the request was made. */
	if ((r = cm_csr_check(db, &in, &req, &ci, &cert_type, err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if (cm_csr_der(req, &csrder) < 0 || approved_supersedes(db, in.customer_id, id, &supersedes) < 0)
		goto out;
	if ((r = sign_csr(db, signer, &in, &csrder, ci.issue_dn, &sc, err, errlen)) != 0) {
		if (r == 403 || r == 503 || r == 504)
			audit_signer_answer(db, &in, r, id, ci.subject, sc.refusal);
		if (r > 0) {
			rc = r;
			goto out;
		}
		goto stored_fail;
	}
	if (cm_db_begin(db) < 0)
		goto stored_fail;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "UPDATE certificates SET status = 'issued', issuer_id = ?, serial_hex = ?, subject_dn = ?,"
	    " common_name = ?, sans = ?, email = ?, key_type = ?, key_bits = ?, not_before = ?,"
	    " not_after = ?, der = ?, issue_error = NULL, csr = NULL WHERE id = ? AND status = 'approved'");
	if (st == NULL ||
	    (sc.issuer_id > 0 ? cm_stmt_bind_i64(st, 0, sc.issuer_id) : cm_stmt_bind_null(st, 0)) < 0 ||
	    cm_stmt_bind_str(st, 1, sc.res.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 2, sc.subj) < 0 ||
	    cm_stmt_bind_str(st, 3, sc.cn) < 0 ||
	    cm_stmt_bind_str(st, 4, sc.sans) < 0 ||
	    cm_stmt_bind_str(st, 5, sc.email) < 0 ||
	    cm_stmt_bind_str(st, 6, sc.xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 7, sc.xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 8, sc.xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 9, sc.xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 10, sc.res.der, sc.res.der_len) < 0 ||
	    cm_stmt_bind_i64(st, 11, id) < 0 ||
	    cm_stmt_execute(st) < 0 || cm_stmt_affected(st) != 1)
		goto stored_fail;
	cm_stmt_close(st);
	st = NULL;
	/* The renewed certificate is revoked (superseded) with the new one
	 * stored; one no longer issued (revoked or expired meanwhile) is left
	 * as it is. */
	if (supersedes > 0) {
		snprintf(extra, sizeof(extra), ",\"superseded_by\":%lld", (long long)id);
		if ((superseded = revoke_row(db, who->actor, who->remote_addr, in.customer_id, supersedes,
		    CM_REASON_SUPERSEDED, extra)) < 0)
			goto stored_fail;
	}
	if (cm_buf_puts(&after, "{\"status\":\"issued\",") < 0 || issued_json(&after, in.profile, &sc) < 0 ||
	    (superseded && cm_buf_printf(&after, ",\"supersedes\":%lld", (long long)supersedes) < 0) ||
	    cm_buf_puts(&after, "}") < 0)
		goto stored_fail;
	if (audit_cert(db, who->actor, who->remote_addr, in.customer_id, "certificate.issue", id,
	    "{\"status\":\"approved\"}", after.data) < 0 || cm_db_commit(db) < 0)
		goto stored_fail;
	in_tx = 0;
	err[0] = '\0';
	cm_info("issued request %lld as %s for %s%s", (long long)id, sc.res.serial_hex, who->actor,
	    superseded ? " (superseding the certificate it renews)" : "");
	rc = 0;
	goto out;

stored_fail:
	rc = issued_not_stored(db, sc.res.serial_hex, err, errlen);
out:
	if (rc == 500 && sc.res.serial_hex[0] == '\0')
		cm_err("issuance: request %lld: %s", (long long)id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	free(profile);
	cm_buf_free(&after);
	cm_buf_free(&csrder);
	cm_buf_free(&csr);
	cm_csr_info_free(&ci);
	X509_REQ_free(req);
	signed_cert_free(&sc);
	return rc;
}

/* Records why issuance of approved request id failed (shown on its page);
 * best effort, logged. */
static void
note_issue_error(struct cm_db *db, int64_t id, const char *msg)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "UPDATE certificates SET issue_error = LEFT(?, 512) WHERE id = ? AND status = 'approved'");

	if (st == NULL || cm_stmt_bind_str(st, 0, msg) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
	    cm_stmt_execute(st) < 0)
		cm_err("certificate %lld: recording the issuance error: %s", (long long)id, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
}

/*
 * Moves row id from `from` to another status with st, the prepared and
 * bound UPDATE whose WHERE ends "AND status = from" (NULL when it could not
 * be prepared or bound; closed here), and its audit row, in one
 * transaction. 0 done (committed), 409 the row changed meanwhile, 500;
 * nothing is written unless 0.
 */
static int
apply(struct cm_db *db, const struct cm_cert_actor *who, struct cm_stmt *st, int64_t id,
    const char *action, const char *from, const char *after, char *err, size_t errlen)
{
	struct cm_buf before;
	int rc = 500, in_tx = 0, r;

	cm_buf_init(&before, 0);
	if (st == NULL || cm_db_begin(db) < 0) {
		if (st)
			cm_stmt_close(st);
		goto out;
	}
	in_tx = 1;
	if ((r = run_update(st)) == 0) {
		snprintf(err, errlen, CHANGED_MEANWHILE);
		rc = 409;
		goto out;
	}
	if (r < 0 || cm_buf_puts(&before, "{\"status\":") < 0 || cm_buf_json_str(&before, from) < 0 ||
	    cm_buf_puts(&before, "}") < 0 ||
	    audit_cert(db, who->actor, who->remote_addr, who->customer_id, action, id, before.data, after) < 0 ||
	    /* issue 9: the requester's mail of an approval or decline, queued
	     * with it (lib/outbox.h; other actions queue nothing) */
	    cm_outbox_cert_event(db, action, who->customer_id, id) < 0 ||
	    cm_db_commit(db) < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && in_tx)
		cm_db_rollback(db);
	if (rc == 500) {
		cm_err("%s on certificate %lld: %s", action, (long long)id, cm_db_error(db));
		snprintf(err, errlen, NOT_SAVED);
	}
	cm_buf_free(&before);
	return rc;
}

/*
 * The approver-is-not-the-requester rule for request id (lib/approval.h):
 * 0 allowed; 403 refused, with an audit row "certificate.approve_refused"
 * (committed on its own: the refusal stays on record); 500.
 */
static int
approver_allowed(struct cm_db *db, const struct cm_cert_actor *who, int64_t id, char *err, size_t errlen)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT requested_by FROM certificates WHERE id = ? AND customer_id = ?");
	char requester[256] = "";
	int f = -1, r = -1;

	if (st && cm_stmt_bind_i64(st, 0, id) == 0 && cm_stmt_bind_i64(st, 1, who->customer_id) == 0 &&
	    cm_stmt_execute(st) == 0 && (f = cm_stmt_fetch(st)) == 1)
		cm_stmt_copy_str(st, 0, requester, sizeof(requester));
	if (st)
		cm_stmt_close(st);
	if (f >= 0)
		r = cm_approval_by_allowed(db, who->customer_id, requester, who->actor);
	if (r < 0) {
		cm_err("certificate %lld: reading who requested it: %s", (long long)id, cm_db_error(db));
		snprintf(err, errlen, NOT_SAVED);
		return 500;
	}
	if (r == 1)
		return 0;
	if (audit_cert(db, who->actor, who->remote_addr, who->customer_id, "certificate.approve_refused", id,
	    "{\"status\":\"requested\"}", "{\"reason\":\"self-approval\"}") < 0)
		cm_err("certificate %lld: audit row for a refused self-approval failed: %s", (long long)id,
		    cm_db_error(db));
	cm_warn("%s tried to approve their own request %lld; refused", who->actor, (long long)id);
	snprintf(err, errlen, CM_SELF_APPROVAL_REFUSED);
	return 403;
}

/* 0 / 400 / 403 / 409 / 500 / 502 / 503 / 504, see cert_lifecycle.h. */
int
cm_cert_approve(struct cm_db *db, struct cm_signer *signer, const struct cm_cert_actor *who,
    int64_t id, int *approved, char *err, size_t errlen)
{
	char status[16];
	int state, r;

	*approved = 0;
	if ((r = find_row(db, who->customer_id, id, 0, &state, status, sizeof(status), err, errlen)) != 0)
		return r;
	if (state == CERT_REQUESTED) {
		struct cm_stmt *st;

		if (!cert_state_allowed(state, CERT_APPROVED))
			return refuse(err, errlen, status, state, CERT_APPROVED);
		if ((r = approver_allowed(db, who, id, err, errlen)) != 0)
			return r;
		st = cm_db_prepare(db, "UPDATE certificates SET status = 'approved', approved_by = ?"
		    " WHERE id = ? AND customer_id = ? AND status = 'requested'");
		if (st && (cm_stmt_bind_str(st, 0, who->actor) < 0 || cm_stmt_bind_i64(st, 1, id) < 0 ||
		    cm_stmt_bind_i64(st, 2, who->customer_id) < 0)) {
			cm_stmt_close(st);
			st = NULL;
		}
		if ((r = apply(db, who, st, id, "certificate.approve", "requested",
		    "{\"status\":\"approved\"}", err, errlen)) != 0)
			return r;
	} else if (!cert_state_allowed(state, CERT_ISSUED)) {
		return refuse(err, errlen, status, state, CERT_ISSUED);
	}
	*approved = 1;
	/* signer NULL (not reachable): cm_cert_issue_approved answers 503 with
	 * a certificate.issue_failed row, and the row keeps why. */
	r = cm_cert_issue_approved(db, signer, who, id, err, errlen);
	if (r == 409) {
		snprintf(err, errlen, "The request changed meanwhile; nothing was issued.");
	} else if (r != 0) {
		note_issue_error(db, id, err);
	}
	if (r == 503 && signer == NULL)
		snprintf(err, errlen, "The request is approved, but the signer is not answering: nothing was issued;"
		    " try again with \"Issue now\" on the certificate's page.");
	return r;
}

/* 0 / 400 / 409 / 500, see cert_lifecycle.h. */
int
cm_cert_decline(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    const char *message, char *err, size_t errlen)
{
	struct cm_stmt *st;
	struct cm_buf after;
	char status[16];
	int state, r;

	if ((r = find_row(db, who->customer_id, id, 0, &state, status, sizeof(status), err, errlen)) != 0)
		return r;
	if (!cert_state_allowed(state, CERT_DECLINED))
		return refuse(err, errlen, status, state, CERT_DECLINED);
	if (message == NULL || message[strspn(message, " \t\r\n")] == '\0') {
		snprintf(err, errlen, "Say why the request is declined; the requester reads this message.");
		return 400;
	}
	if (strlen(message) > CM_DECLINE_MESSAGE_MAX) {
		snprintf(err, errlen, "The message is longer than %d characters.", CM_DECLINE_MESSAGE_MAX);
		return 400;
	}
	cm_buf_init(&after, 0);
	if (cm_buf_puts(&after, "{\"status\":\"declined\",\"message\":") < 0 ||
	    cm_buf_json_str(&after, message) < 0 || cm_buf_puts(&after, "}") < 0) {
		cm_buf_free(&after);
		snprintf(err, errlen, NOT_SAVED);
		return 500;
	}
	st = cm_db_prepare(db, "UPDATE certificates SET status = 'declined', decline_message = ?, approved_by = ?,"
	    " csr = NULL WHERE id = ? AND customer_id = ? AND status = 'requested'");
	if (st && (cm_stmt_bind_str(st, 0, message) < 0 || cm_stmt_bind_str(st, 1, who->actor) < 0 ||
	    cm_stmt_bind_i64(st, 2, id) < 0 || cm_stmt_bind_i64(st, 3, who->customer_id) < 0)) {
		cm_stmt_close(st);
		st = NULL;
	}
	r = apply(db, who, st, id, "certificate.decline", "requested", after.data, err, errlen);
	cm_buf_free(&after);
	return r;
}

/* 0 / 400 / 409 / 500, see cert_lifecycle.h. */
int
cm_cert_revoke(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    int reason_code, char *err, size_t errlen)
{
	char status[16];
	int state, r;

	if ((r = find_row(db, who->customer_id, id, 0, &state, status, sizeof(status), err, errlen)) != 0)
		return r;
	if (!cert_state_allowed(state, CERT_REVOKED))
		return refuse(err, errlen, status, state, CERT_REVOKED);
	if (cm_revocation_reason_name(reason_code) == NULL) {
		snprintf(err, errlen, "Choose the reason for the revocation.");
		return 400;
	}
	if (cm_db_begin(db) < 0) {
		cm_err("certificates: %s", cm_db_error(db));
		snprintf(err, errlen, NOT_SAVED);
		return 500;
	}
	r = revoke_row(db, who->actor, who->remote_addr, who->customer_id, id, reason_code, NULL);
	if (r == 1 && cm_db_commit(db) == 0)
		return 0;
	cm_db_rollback(db);
	if (r == 0) {
		snprintf(err, errlen, CHANGED_MEANWHILE);
		return 409;
	}
	cm_err("certificate.revoke on certificate %lld: %s", (long long)id, cm_db_error(db));
	snprintf(err, errlen, NOT_SAVED);
	return 500;
}

/* 0 / 409 / 500, see cert_lifecycle.h. */
int
cm_cert_expire(struct cm_db *db, const struct cm_cert_actor *who, int64_t id,
    const char *status, const char *not_after, char *err, size_t errlen)
{
	struct cm_stmt *st;
	struct cm_buf before;
	int state = cert_state_parse(status), r, rc = 500;

	/* The one transition table decides, as on the admin pages. */
	if (!cert_state_allowed(state, CERT_EXPIRED))
		return refuse(err, errlen, status ? status : "", state, CERT_EXPIRED);
	cm_buf_init(&before, 0);
	st = cm_db_prepare(db,
	    "UPDATE certificates SET status = ? WHERE id = ? AND customer_id = ? AND status = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, cert_state_name(CERT_EXPIRED)) < 0 ||
	    cm_stmt_bind_i64(st, 1, id) < 0 || cm_stmt_bind_i64(st, 2, who->customer_id) < 0 ||
	    cm_stmt_bind_str(st, 3, status) < 0) {
		if (st)
			cm_stmt_close(st);
		goto out;
	}
	if ((r = run_update(st)) == 0) {
		snprintf(err, errlen, CHANGED_MEANWHILE);
		rc = 409;
		goto out;
	}
	if (r < 0 || cm_buf_puts(&before, "{\"status\":") < 0 || cm_buf_json_str(&before, status) < 0 ||
	    cm_buf_puts(&before, ",\"not_after\":") < 0 || cm_buf_json_str(&before, not_after) < 0 ||
	    cm_buf_puts(&before, "}") < 0 ||
	    audit_cert(db, who->actor, who->remote_addr, who->customer_id, "certificate.expire", id,
	    before.data, "{\"status\":\"expired\"}") < 0)
		goto out;
	rc = 0;
out:
	if (rc == 500)
		snprintf(err, errlen, "certificate %lld could not be expired: %s", (long long)id, cm_db_error(db));
	cm_buf_free(&before);
	return rc;
}

/* ---- Reconciliation: certificates found in the signer's journal without a
 * row (cm_cert_recover), and the MRAO's acknowledgement of that alarm. */

#define RECOVER_MAX_IDS 16        /* candidate customers/orgs per name; more is "ambiguous" */

/* A name is covered by a domain row when it is the domain, lies under it,
 * or lies under a wildcard domain's base ("*.example.com"). Three
 * parameters, all the name. */
#define DOMAIN_COVERS_SQL \
	" (d.name = ? OR RIGHT(?, CHAR_LENGTH(d.name) + 1) = CONCAT('.', d.name)" \
	" OR (d.name LIKE '*.%' AND RIGHT(?, CHAR_LENGTH(d.name) - 1) = SUBSTRING(d.name, 2)))"
/* How specific a covering domain is: "*.example.com" counts as example.com. */
#define DOMAIN_LENGTH_SQL "CHAR_LENGTH(IF(d.name LIKE '*.%', SUBSTRING(d.name, 3), d.name))"

/* The ids the prepared st (its parameters from first: the name three times;
 * its columns: id, then the covering domain's length, longest first)
 * answers for name through its most specific domain (a name under
 * sub.example.com belongs to whoever holds that, not to the holder of
 * example.com), intersected with ids[0..*n) unless *n is -1 (the first
 * name). 0, or -1 on a database error. */
static int
recover_narrow(struct cm_stmt *st, unsigned first, const char *name, int64_t *ids, int *n)
{
	int64_t got[RECOVER_MAX_IDS], best = -1;
	int ng = 0, f, keep = 0;

	for (unsigned k = 0; k < 3; k++)
		if (cm_stmt_bind_str(st, first + k, name) < 0)
			return -1;
	if (cm_stmt_execute(st) < 0)
		return -1;
	while ((f = cm_stmt_fetch(st)) == 1) {
		if (best < 0)
			best = cm_stmt_i64(st, 1);
		if (cm_stmt_i64(st, 1) == best && ng < RECOVER_MAX_IDS)
			got[ng++] = cm_stmt_i64(st, 0);
	}
	if (f < 0)
		return -1;
	if (*n < 0) {
		memcpy(ids, got, (size_t)ng * sizeof(*got));
		*n = ng;
		return 0;
	}
	for (int i = 0; i < *n; i++)
		for (int k = 0; k < ng; k++)
			if (ids[i] == got[k]) {
				ids[keep++] = ids[i];
				break;
			}
	*n = keep;
	return 0;
}

/* The DNS names and e-mail domains of a certificate, one at a time: the
 * name of SAN i (NULL when it has none to look up: an IP, a URI...). */
static const char *
recover_name(const char *san)
{
	const char *at;

	if (strncmp(san, "DNS:", 4) == 0)
		return san + 4;
	if (strncmp(san, "email:", 6) == 0 && (at = strrchr(san, '@')) != NULL)
		return at + 1;
	return NULL;
}

/* Which customer (and organisation) the names of xi point to: *customer
 * and *org set when exactly one customer's domains cover every name
 * (org only when one of its organisations holds them all for cert_type);
 * untouched otherwise. 0, or -1 on a database error. */
static int
recover_owner_by_names(struct cm_db *db, const struct cm_cert_info *xi, const char *cert_type,
    int64_t *customer, int64_t *org)
{
	struct cm_stmt *st = NULL;
	int64_t ids[RECOVER_MAX_IDS];
	int n = -1, rc = -1, named = 0;

	st = cm_db_prepare(db, "SELECT DISTINCT d.customer_id, " DOMAIN_LENGTH_SQL " AS len FROM domains d"
	    " WHERE d.deleted_at IS NULL AND" DOMAIN_COVERS_SQL " ORDER BY len DESC");
	for (size_t i = 0; st && i < xi->sans.n; i++) {
		const char *name = recover_name(xi->sans.v[i]);

		if (name == NULL)
			continue;
		named = 1;
		if (recover_narrow(st, 0, name, ids, &n) < 0)
			goto out;
	}
	if (st == NULL)
		goto out;
	cm_stmt_close(st);
	st = NULL;
	rc = 0;
	if (!named || n != 1)
		goto out;
	*customer = ids[0];
	n = -1;
	st = cm_db_prepare(db, "SELECT DISTINCT g.org_id, " DOMAIN_LENGTH_SQL " AS len FROM domains d"
	    " JOIN domain_delegations g ON g.domain_id = d.id AND g.state = 'approved' AND g.cert_type = ?"
	    " WHERE d.customer_id = ? AND d.deleted_at IS NULL AND" DOMAIN_COVERS_SQL " ORDER BY len DESC");
	if (st == NULL || cm_stmt_bind_str(st, 0, cert_type) < 0 || cm_stmt_bind_i64(st, 1, *customer) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < xi->sans.n; i++) {
		const char *name = recover_name(xi->sans.v[i]);

		if (name && recover_narrow(st, 2, name, ids, &n) < 0) {
			rc = -1;
			goto out;
		}
	}
	if (n == 1)
		*org = ids[0];
out:
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* The approved request (of the profile) whose CSR holds cert's public key,
 * locked in the caller's transaction: its id and owner, when exactly one
 * matches. 1 found, 0 none (or several), -1 database error. */
static int
recover_find_request(struct cm_db *db, X509 *cert, const char *profile, int64_t *id,
    int64_t *customer, int64_t *org)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT id, customer_id, org_id, csr FROM certificates"
	    " WHERE status = 'approved' AND profile = ? AND serial_hex IS NULL FOR UPDATE");
	EVP_PKEY *want = X509_get0_pubkey(cert);
	int f, found = 0;

	if (st == NULL || cm_stmt_bind_str(st, 0, profile) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		X509_REQ *req = NULL;
		size_t len = 0;
		const char *csr = cm_stmt_str(st, 3, &len);
		char e[128];

		if (csr && len && want && cm_csr_load(csr, len, &req, e, sizeof(e)) == 0 &&
		    EVP_PKEY_eq(X509_REQ_get0_pubkey(req), want) == 1) {
			found++;
			*id = cm_stmt_i64(st, 0);
			*customer = cm_stmt_i64(st, 1);
			*org = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
		}
		X509_REQ_free(req);
	}
	cm_stmt_close(st);
	if (f < 0)
		return -1;
	return found == 1;
}

/* 1 when the two hex serials are the same number (leading zeros aside). */
static int
same_serial(const char *a, const char *b)
{
	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	return strcasecmp(a, b) == 0;
}

/* 0 / 400 / 409 / 500, see cert_lifecycle.h. */
int
cm_cert_recover(struct cm_db *db, const char *actor, const struct cm_cert_recovery *in,
    struct cm_cert_recovered *out, char *err, size_t errlen)
{
	struct cm_cert_info xi;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	X509 *cert = NULL;
	const char *cert_type = cm_cert_type_of(in->profile);
	char *sans = NULL, *subj = NULL, *cn = NULL, *email = NULL, lerr[256];
	int64_t request_id = 0, issuer_id;
	int in_tx = 0, rc = 500, f;

	memset(&xi, 0, sizeof(xi));
	memset(out, 0, sizeof(*out));
	cm_buf_init(&after, 0);
	snprintf(err, errlen, "internal error");
	if (cm_cert_load(in->der, in->der_len, &cert, lerr, sizeof(lerr)) < 0) {
		snprintf(err, errlen, "the journalled certificate cannot be read: %s", lerr);
		rc = 400;
		goto out;
	}
	if (cm_cert_describe(cert, &xi) < 0)
		goto out;
	if (!same_serial(xi.serial_hex, in->serial_hex)) {
		snprintf(err, errlen, "the journalled certificate's serial is %s, not the record's", xi.serial_hex);
		rc = 400;
		goto out;
	}
	if (cert_type == NULL) {
		snprintf(err, errlen, "profile %s has no certificate type; import it by hand", in->profile);
		rc = 400;
		goto out;
	}
	if ((sans = cm_strlist_join(&xi.sans, ", ")) == NULL || (subj = clip(xi.subject, 1024)) == NULL ||
	    (xi.cn && (cn = clip(xi.cn, 255)) == NULL) || (xi.email && (email = clip(xi.email, 255)) == NULL))
		goto out;
	out->status = xi.not_after < time(NULL) ? "expired" : "issued";
	issuer_id = cm_ca_issuer_id(db, cert);

	if (cm_db_begin(db) < 0)
		goto out;
	in_tx = 1;
	/* The serial's unique key decides, under a lock, whether a row exists:
	 * a second run (or a racing issuance that stored it) finds it. */
	st = cm_db_prepare(db, "SELECT id FROM certificates WHERE serial_hex = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_str(st, 0, in->serial_hex) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 1) {
		snprintf(err, errlen, "serial %s already has certificate %lld", in->serial_hex,
		    (long long)cm_stmt_i64(st, 0));
		rc = 409;
		goto out;
	}
	cm_stmt_close(st);
	st = NULL;

	if ((f = recover_find_request(db, cert, in->profile, &request_id, &out->customer_id, &out->org_id)) < 0)
		goto out;
	if (f == 1) {
		out->owner = "request";
	} else {
		request_id = 0;
		out->customer_id = out->org_id = 0;
		if (recover_owner_by_names(db, &xi, cert_type, &out->customer_id, &out->org_id) < 0)
			goto out;
		out->owner = out->customer_id ? "domains" : "default customer";
		if (out->customer_id == 0)
			out->customer_id = in->default_customer_id;
	}

	if (request_id) {
		st = cm_db_prepare(db,
		    "UPDATE certificates SET status = ?, issuer_id = ?, serial_hex = ?, subject_dn = ?,"
		    " common_name = ?, sans = ?, email = ?, key_type = ?, key_bits = ?, not_before = ?,"
		    " not_after = ?, der = ?, issue_error = NULL, recovered_at = UTC_TIMESTAMP(), csr = NULL"
		    " WHERE id = ? AND status = 'approved'");
	} else {
		st = cm_db_prepare(db,
		    "INSERT INTO certificates (status, issuer_id, serial_hex, subject_dn, common_name, sans,"
		    " email, key_type, key_bits, not_before, not_after, der, customer_id, org_id, cert_type,"
		    " profile, recovered_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
	}
	if (st == NULL ||
	    cm_stmt_bind_str(st, 0, out->status) < 0 ||
	    (issuer_id > 0 ? cm_stmt_bind_i64(st, 1, issuer_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    cm_stmt_bind_str(st, 2, in->serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 3, subj) < 0 ||
	    cm_stmt_bind_str(st, 4, cn) < 0 ||
	    cm_stmt_bind_str(st, 5, sans) < 0 ||
	    cm_stmt_bind_str(st, 6, email) < 0 ||
	    cm_stmt_bind_str(st, 7, xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 8, xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 9, xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 10, xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 11, in->der, in->der_len) < 0)
		goto out;
	if (request_id) {
		if (cm_stmt_bind_i64(st, 12, request_id) < 0 || cm_stmt_execute(st) < 0 ||
		    cm_stmt_affected(st) != 1)
			goto out;
		out->cert_id = request_id;
	} else {
		if (cm_stmt_bind_i64(st, 12, out->customer_id) < 0 ||
		    (out->org_id > 0 ? cm_stmt_bind_i64(st, 13, out->org_id) : cm_stmt_bind_null(st, 13)) < 0 ||
		    cm_stmt_bind_str(st, 14, cert_type) < 0 || cm_stmt_bind_str(st, 15, in->profile) < 0 ||
		    cm_stmt_execute(st) < 0)
			goto out;
		out->cert_id = (int64_t)cm_stmt_insert_id(st);
	}
	cm_stmt_close(st);
	st = NULL;

	if (cm_buf_puts(&after, "{\"status\":") < 0 || cm_buf_json_str(&after, out->status) < 0 ||
	    cm_buf_puts(&after, ",\"recovered\":true,\"serial\":") < 0 || cm_buf_json_str(&after, in->serial_hex) < 0 ||
	    cm_buf_puts(&after, ",\"profile\":") < 0 || cm_buf_json_str(&after, in->profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || cm_buf_json_str(&after, subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || cm_buf_json_str(&after, sans) < 0 ||
	    cm_buf_puts(&after, ",\"not_after\":") < 0 || cm_buf_json_str(&after, xi.not_after_str) < 0 ||
	    cm_buf_puts(&after, ",\"sha256\":") < 0 || cm_buf_json_str(&after, xi.sha256_hex) < 0 ||
	    cm_buf_puts(&after, ",\"journalled_at\":") < 0 || cm_buf_json_str(&after, in->journalled_at) < 0 ||
	    cm_buf_printf(&after, ",\"signer_uid\":%lu,\"org_id\":%lld,\"owner\":", in->uid,
	    (long long)out->org_id) < 0 ||
	    cm_buf_json_str(&after, out->owner) < 0 ||
	    cm_buf_puts(&after, ",\"journal\":") < 0 || cm_buf_json_str(&after, in->journal) < 0 ||
	    cm_buf_puts(&after, "}") < 0)
		goto out;
	if (audit_cert(db, actor, NULL, out->customer_id, "certificate.recovered", out->cert_id,
	    request_id ? "{\"status\":\"approved\"}" : NULL, after.data) < 0 || cm_db_commit(db) < 0)
		goto out;
	in_tx = 0;
	err[0] = '\0';
	cm_err("certificate serial %s (profile %s, signer uid %lu, journalled %s, %s) was issued by the signer"
	    " without a database record; recovered as certificate %lld (%s, owner by %s)",
	    in->serial_hex, in->profile, in->uid, in->journalled_at, subj, (long long)out->cert_id,
	    out->status, out->owner);
	rc = 0;
out:
	if (rc == 500)
		cm_err("recovering serial %s: %s", in->serial_hex, cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	free(sans);
	free(subj);
	free(cn);
	free(email);
	cm_buf_free(&after);
	cm_cert_info_free(&xi);
	X509_free(cert);
	return rc;
}

/* 0 / 500, see cert_lifecycle.h. */
int
cm_cert_recovery_ack(struct cm_db *db, const struct cm_cert_actor *who, long *n,
    char *err, size_t errlen)
{
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	int in_tx = 0, rc = 500, f;

	*n = 0;
	cm_buf_init(&after, 0);
	if (cm_db_begin(db) < 0)
		goto out;
	in_tx = 1;
	st = cm_db_prepare(db, "SELECT id FROM certificates WHERE customer_id = ?"
	    " AND recovered_at IS NOT NULL AND recovery_ack_at IS NULL ORDER BY id FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, who->customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    cm_buf_puts(&after, "{\"acknowledged\":[") < 0)
		goto out;
	while ((f = cm_stmt_fetch(st)) == 1) {
		if (cm_buf_printf(&after, "%s%lld", *n ? "," : "", (long long)cm_stmt_i64(st, 0)) < 0)
			goto out;
		(*n)++;
	}
	if (f < 0)
		goto out;
	cm_stmt_close(st);
	st = NULL;
	if (*n == 0) {
		cm_db_rollback(db);
		in_tx = 0;
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(db, "UPDATE certificates SET recovery_ack_at = UTC_TIMESTAMP(), recovery_ack_by = ?"
	    " WHERE customer_id = ? AND recovered_at IS NOT NULL AND recovery_ack_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, who->actor) < 0 || cm_stmt_bind_i64(st, 1, who->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (long)cm_stmt_affected(st) != *n ||
	    cm_buf_puts(&after, "]}") < 0 ||
	    audit_cert(db, who->actor, who->remote_addr, who->customer_id, "certificate.recovery_acknowledged",
	    0, NULL, after.data) < 0 || cm_db_commit(db) < 0)
		goto out;
	in_tx = 0;
	rc = 0;
out:
	if (rc == 500) {
		cm_err("acknowledging recovered certificates: %s", cm_db_error(db));
		snprintf(err, errlen, NOT_SAVED);
		*n = 0;
	}
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	cm_buf_free(&after);
	return rc;
}
