/* issuance.c: CSR -> checks -> signer -> one transaction (certificate row + audit row); shared by web and CLI. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "audit.h"
#include "buf.h"
#include "issuance.h"
#include "log.h"
#include "x509util.h"

#define MIN_RSA_BITS 2048
#define MAX_VALIDITY_DAYS 3650

static const struct {
	const char *profile;
	const char *cert_type;
} profile_types[] = {
	{ "tls-server", "ssl" },
	{ "client-smime", "client" },
	{ "code-signing", "codesign" },
	{ "ocsp-signing", "ocsp" },
};

static const char *
cert_type_of(const char *profile)
{
	for (size_t i = 0; i < sizeof(profile_types) / sizeof(profile_types[0]); i++)
		if (profile && strcmp(profile, profile_types[i].profile) == 0)
			return profile_types[i].cert_type;
	return NULL;
}

/* Appends s as a JSON string literal; 0 or -1. */
static int
json_str(struct cm_buf *b, const char *s)
{
	if (s == NULL)
		return cm_buf_puts(b, "null");
	if (cm_buf_putc(b, '"') < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int r;

		if (*p == '"' || *p == '\\')
			r = cm_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			r = cm_buf_printf(b, "\\u%04x", *p);
		else
			r = cm_buf_putc(b, (char)*p);
		if (r < 0)
			return -1;
	}
	return cm_buf_putc(b, '"');
}

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

/* The id of the ca_certs row that issued cert, 0 when unknown. */
static int64_t
issuer_row(struct cm_db *db, X509 *cert)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT id, der FROM ca_certs WHERE kind = 'issuing' ORDER BY id DESC LIMIT 20");
	STACK_OF(X509) *sk = sk_X509_new_null();
	int64_t ids[20], found = 0;
	int n = 0, i;

	if (st == NULL || sk == NULL || cm_stmt_execute(st) < 0)
		goto out;
	while (n < 20 && cm_stmt_fetch(st) == 1) {
		size_t len = 0;
		const char *der = cm_stmt_str(st, 1, &len);
		X509 *x = NULL;

		if (der && cm_cert_load(der, len, &x, NULL, 0) == 0) {
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				break;
			}
			ids[n++] = cm_stmt_i64(st, 0);
		}
	}
	if ((i = cm_find_issuer(cert, sk)) >= 0)
		found = ids[i];
out:
	sk_X509_pop_free(sk, X509_free);
	if (st)
		cm_stmt_close(st);
	return found;
}

static void
audit_refusal(struct cm_db *db, const struct cm_issue_input *in, const char *subject,
    const char *reason)
{
	struct cm_buf j;
	struct cm_audit_entry e;

	cm_buf_init(&j, 0);
	memset(&e, 0, sizeof(e));
	if (cm_buf_puts(&j, "{\"profile\":") < 0 || json_str(&j, in->profile) < 0 ||
	    cm_buf_puts(&j, ",\"subject\":") < 0 || json_str(&j, subject) < 0 ||
	    cm_buf_puts(&j, ",\"reason\":") < 0 || json_str(&j, reason) < 0 ||
	    cm_buf_puts(&j, "}") < 0) {
		cm_err("issuance: out of memory writing the refusal audit row");
		goto out;
	}
	e.actor = in->actor;
	e.action = "certificate.refused";
	e.object_type = "certificate";
	e.after = j.data;
	e.remote_addr = in->remote_addr;
	e.customer_id = in->customer_id;
	if (cm_audit(db, &e) < 0)
		cm_err("issuance: audit row for a refusal failed: %s", cm_db_error(db));
out:
	cm_buf_free(&j);
}

/* 0 / 400 / 403 / 500 / 502, see issuance.h. */
int
cm_issue_from_csr(struct cm_db *db, struct cm_signer *signer,
    const struct cm_issue_input *in, struct cm_issue_output *out,
    char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	X509 *cert = NULL;
	struct cm_csr_info ci;
	struct cm_cert_info xi;
	struct cm_issue_req sreq;
	struct cm_issue_result sres;
	struct cm_buf csrder, pem, after;
	struct cm_stmt *st = NULL;
	struct cm_audit_entry e;
	const char *cert_type;
	char *sans = NULL, *subj = NULL, *cn = NULL, *email = NULL;
	char idstr[32], serr[512];
	int64_t issuer_id;
	int in_tx = 0, rc = 500, r;

	memset(&ci, 0, sizeof(ci));
	memset(&xi, 0, sizeof(xi));
	memset(&sreq, 0, sizeof(sreq));
	memset(&sres, 0, sizeof(sres));
	memset(&e, 0, sizeof(e));
	memset(out, 0, sizeof(*out));
	cm_buf_init(&csrder, 0);
	cm_buf_init(&pem, 0);
	cm_buf_init(&after, 0);
	snprintf(err, errlen, "internal error");

	if (in->customer_id <= 0 || in->actor == NULL) {
		snprintf(err, errlen, "no customer or actor given for the certificate");
		rc = 400;
		goto out;
	}
	if ((cert_type = cert_type_of(in->profile)) == NULL) {
		snprintf(err, errlen, "unknown profile \"%.64s\"; use tls-server, client-smime, code-signing or ocsp-signing",
		    in->profile ? in->profile : "");
		rc = 400;
		goto out;
	}
	if (in->validity_days < 0 || in->validity_days > MAX_VALIDITY_DAYS) {
		snprintf(err, errlen, "validity must be between 1 and %d days (or empty for the profile's maximum)",
		    MAX_VALIDITY_DAYS);
		rc = 400;
		goto out;
	}
	if (in->csr_len > CM_CSR_MAX_BYTES) {
		snprintf(err, errlen, "the CSR is larger than %d bytes; that is not a certificate request",
		    CM_CSR_MAX_BYTES);
		rc = 400;
		goto out;
	}
	if (cm_csr_load(in->csr, in->csr_len, &req, err, errlen) < 0) {
		rc = 400;
		goto out;
	}
	if (cm_csr_describe(req, &ci) < 0)
		goto out;
	if (!ci.sig_valid) {
		snprintf(err, errlen, "the CSR's signature does not verify (it was altered after signing, or is damaged)");
		rc = 400;
		goto out;
	}
	if (strcmp(ci.key.type, "rsa") == 0 && ci.key.bits < MIN_RSA_BITS) {
		snprintf(err, errlen, "RSA keys must be at least %d bits; this CSR has a %d-bit key",
		    MIN_RSA_BITS, ci.key.bits);
		rc = 400;
		goto out;
	}
	if (strcmp(ci.key.type, "rsa") != 0 && strcmp(ci.key.type, "ec") != 0 &&
	    strcmp(ci.key.type, "ed25519") != 0) {
		snprintf(err, errlen, "the CSR's key type (%s) is not supported; use RSA (2048 bits or more) or ECDSA",
		    ci.key.type);
		rc = 400;
		goto out;
	}
	if (cm_csr_der(req, &csrder) < 0)
		goto out;

	sreq.profile = in->profile;
	sreq.csr_der = (const unsigned char *)csrder.data;
	sreq.csr_len = csrder.len;
	sreq.validity_days = in->validity_days;
	serr[0] = '\0';
	r = cm_signer_issue(signer, &sreq, &sres, serr, sizeof(serr));
	if (r == 1) {
		snprintf(err, errlen, "the signer refused: %s", serr);
		audit_refusal(db, in, ci.subject, serr);
		rc = 403;
		goto out;
	}
	if (r != 0) {
		snprintf(err, errlen, "the signer could not be asked: %s", serr);
		cm_err("issuance: signer: %s", serr);
		rc = 502;
		goto out;
	}
	if (cm_cert_load(sres.der, sres.der_len, &cert, serr, sizeof(serr)) < 0 ||
	    cm_cert_describe(cert, &xi) < 0 || cm_cert_pem(cert, &pem) < 0) {
		cm_err("issuance: the signer returned serial %s that we cannot read: %s",
		    sres.serial_hex, serr);
		snprintf(err, errlen, "the signer returned an unreadable certificate (serial %s)", sres.serial_hex);
		rc = 502;
		goto out;
	}
	if ((sans = cm_strlist_join(&xi.sans, ", ")) == NULL ||
	    (subj = clip(xi.subject, 1024)) == NULL ||
	    (xi.cn && (cn = clip(xi.cn, 255)) == NULL) ||
	    (xi.email && (email = clip(xi.email, 255)) == NULL))
		goto stored_fail;
	issuer_id = issuer_row(db, cert);

	if (cm_db_begin(db) < 0)
		goto stored_fail;
	in_tx = 1;
	st = cm_db_prepare(db,
	    "INSERT INTO certificates (customer_id, org_id, dept_id, issuer_id, cert_type, profile,"
	    " status, serial_hex, subject_dn, common_name, sans, email, key_type, key_bits,"
	    " not_before, not_after, der, csr, requested_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (st == NULL ||
	    cm_stmt_bind_i64(st, 0, in->customer_id) < 0 ||
	    (in->org_id > 0 ? cm_stmt_bind_i64(st, 1, in->org_id) : cm_stmt_bind_null(st, 1)) < 0 ||
	    (in->dept_id > 0 ? cm_stmt_bind_i64(st, 2, in->dept_id) : cm_stmt_bind_null(st, 2)) < 0 ||
	    (issuer_id > 0 ? cm_stmt_bind_i64(st, 3, issuer_id) : cm_stmt_bind_null(st, 3)) < 0 ||
	    cm_stmt_bind_str(st, 4, cert_type) < 0 ||
	    cm_stmt_bind_str(st, 5, in->profile) < 0 ||
	    cm_stmt_bind_str(st, 6, sres.serial_hex) < 0 ||
	    cm_stmt_bind_str(st, 7, subj) < 0 ||
	    cm_stmt_bind_str(st, 8, cn) < 0 ||
	    cm_stmt_bind_str(st, 9, sans) < 0 ||
	    cm_stmt_bind_str(st, 10, email) < 0 ||
	    cm_stmt_bind_str(st, 11, xi.key.type) < 0 ||
	    cm_stmt_bind_i64(st, 12, xi.key.bits) < 0 ||
	    cm_stmt_bind_str(st, 13, xi.not_before_str) < 0 ||
	    cm_stmt_bind_str(st, 14, xi.not_after_str) < 0 ||
	    cm_stmt_bind_blob(st, 15, sres.der, sres.der_len) < 0 ||
	    cm_stmt_bind_blob(st, 16, in->csr, in->csr_len) < 0 ||
	    cm_stmt_bind_str(st, 17, in->actor) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto stored_fail;
	out->cert_id = (int64_t)cm_stmt_insert_id(st);
	cm_stmt_close(st);
	st = NULL;

	snprintf(idstr, sizeof(idstr), "%lld", (long long)out->cert_id);
	if (cm_buf_puts(&after, "{\"serial\":") < 0 || json_str(&after, sres.serial_hex) < 0 ||
	    cm_buf_puts(&after, ",\"profile\":") < 0 || json_str(&after, in->profile) < 0 ||
	    cm_buf_puts(&after, ",\"subject\":") < 0 || json_str(&after, subj) < 0 ||
	    cm_buf_puts(&after, ",\"sans\":") < 0 || json_str(&after, sans) < 0 ||
	    cm_buf_puts(&after, ",\"not_after\":") < 0 || json_str(&after, xi.not_after_str) < 0 ||
	    cm_buf_printf(&after, ",\"org_id\":%lld,\"sha256\":", (long long)in->org_id) < 0 ||
	    json_str(&after, xi.sha256_hex) < 0 || cm_buf_puts(&after, "}") < 0)
		goto stored_fail;
	e.actor = in->actor;
	e.action = "certificate.issue";
	e.object_type = "certificate";
	e.object_id = idstr;
	e.after = after.data;
	e.remote_addr = in->remote_addr;
	e.customer_id = in->customer_id;
	if (cm_audit(db, &e) < 0 || cm_db_commit(db) < 0)
		goto stored_fail;
	in_tx = 0;
	snprintf(out->serial_hex, sizeof(out->serial_hex), "%s", sres.serial_hex);
	out->pem = cm_buf_steal(&pem);
	err[0] = '\0';
	cm_info("issued %s certificate %s (id %lld) for %s", in->profile, sres.serial_hex,
	    (long long)out->cert_id, in->actor);
	rc = 0;
	goto out;

stored_fail:
	/* The signer's journal still accounts for this certificate. */
	cm_err("issuance: certificate %s was issued but not stored: %s", sres.serial_hex,
	    cm_db_error(db));
	snprintf(err, errlen, "the certificate (serial %s) was issued but could not be stored; an operator can recover it from the signer's journal",
	    sres.serial_hex);
	out->cert_id = 0;
	rc = 500;
out:
	if (st)
		cm_stmt_close(st);
	if (in_tx)
		cm_db_rollback(db);
	free(sans);
	free(subj);
	free(cn);
	free(email);
	cm_buf_free(&after);
	cm_buf_free(&pem);
	cm_buf_free(&csrder);
	cm_cert_info_free(&xi);
	cm_csr_info_free(&ci);
	X509_free(cert);
	X509_REQ_free(req);
	cm_issue_result_free(&sres);
	return rc;
}
