/* issuance.c: CSR intake: the profile -> certificate type mapping, the checks every CSR passes before the lifecycle stores or signs it, and the subject it is issued under. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "buf.h"
#include "issuance.h"
#include "log.h"
#include "name_rules.h"
#include "ra_names.h"
#include "signer_proto.h"

#define MIN_RSA_BITS 2048
#define MAX_VALIDITY_DAYS 3650

/* 1 when the customer exists and is enabled (customers.enabled: the
 * operator's switch, which refuses everything for it); 0 when not; -1 database. */
static int
customer_enabled(struct cm_db *db, int64_t customer_id)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT enabled FROM customers WHERE id = ?");
	int r = -1, f;

	if (st && cm_stmt_bind_i64(st, 0, customer_id) == 0 && cm_stmt_execute(st) == 0 &&
	    (f = cm_stmt_fetch(st)) >= 0)
		r = f == 1 && cm_stmt_i64(st, 0) == 1;
	if (st)
		cm_stmt_close(st);
	return r;
}

/* Appends value (n bytes) to nm as nid; the organisation's field named
 * what when it cannot be held (too long for X.520): 0, 400 with err, 500. */
static int
add_org_attr(X509_NAME *nm, int nid, const char *what, const char *v, size_t n, char *err, size_t errlen)
{
	char label[96], shown[112];

	snprintf(label, sizeof(label), "the organisation's %s", what);
	if (cm_nr_text(label, (const unsigned char *)v, n, err, errlen) < 0)
		return 400;
	if (!X509_NAME_add_entry_by_NID(nm, nid, MBSTRING_UTF8, (const unsigned char *)v, (int)n, -1, 0)) {
		ERR_clear_error();
		cm_nr_shown(shown, sizeof(shown), (const unsigned char *)v, n);
		snprintf(err, errlen, "the organisation's %s \"%s\" cannot go in a certificate (%s); change it on the organisation's page",
		    what, shown, nid == NID_countryName ? "a country is two letters, such as GB" :
		    nid == NID_organizationName ? "a name has at most 64 characters" : "at most 128 characters");
		return 400;
	}
	return 0;
}

/*
 * The subject a certificate from req is issued under: C, ST, L and O from
 * the organisation's record (none without an organisation), never from the
 * CSR, and no OU (CA/Browser Forum practice); then the CSR's CN, and for
 * client certificates the person's attributes (givenName, surname,
 * serialNumber, emailAddress). *out is a new name. 0, 400 with err, 500.
 */
static int
issue_subject(struct cm_db *db, const struct cm_csr_request *in, X509_REQ *req, const char *cert_type,
    X509_NAME **out, char *err, size_t errlen)
{
	static const int person[] = { NID_givenName, NID_surname, NID_serialNumber, NID_pkcs9_emailAddress };
	const X509_NAME *csr = X509_REQ_get_subject_name(req);
	struct cm_stmt *st = NULL;
	X509_NAME *nm = X509_NAME_new();
	int rc = 500, f;

	if (nm == NULL)
		goto out;
	if (in->org_id > 0) {
		/* organizations: name, city, state, country (schema/001) */
		static const struct { int col, nid; const char *what; } cols[] = {
			{ 3, NID_countryName, "country" }, { 2, NID_stateOrProvinceName, "state" },
			{ 1, NID_localityName, "city" }, { 0, NID_organizationName, "name" },
		};
		st = cm_db_prepare(db, "SELECT name, city, state, UPPER(country) FROM organizations"
		    " WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
		if (st == NULL || cm_stmt_bind_i64(st, 0, in->org_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, in->customer_id) < 0 || cm_stmt_execute(st) < 0 ||
		    (f = cm_stmt_fetch(st)) < 0)
			goto out;
		if (f == 0) {
			snprintf(err, errlen, "organisation %lld is not one of this customer's", (long long)in->org_id);
			rc = 400;
			goto out;
		}
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
			size_t len = 0;
			const char *v = cm_stmt_is_null(st, cols[i].col) ? NULL : cm_stmt_str(st, cols[i].col, &len);
			int r;

			if (v == NULL || len == 0)
				continue;
			if ((r = add_org_attr(nm, cols[i].nid, cols[i].what, v, len, err, errlen)) != 0) {
				rc = r;
				goto out;
			}
		}
	}
	for (int i = 0; i < X509_NAME_entry_count(csr); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(csr, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)), keep = nid == NID_commonName;

		for (size_t k = 0; !keep && strcmp(cert_type, "client") == 0 && k < sizeof(person) / sizeof(person[0]); k++)
			keep = nid == person[k];
		if (keep && !X509_NAME_add_entry(nm, ne, -1, 0))
			goto out;
	}
	*out = nm;
	nm = NULL;
	rc = 0;
out:
	if (rc == 500)
		cm_err("issuance: building the subject: %s", cm_db_error(db));
	if (st)
		cm_stmt_close(st);
	X509_NAME_free(nm);
	return rc;
}

/* nm in the signer's SUBJECT syntax ("/C=GB/O=A\/B/CN=x": '/' and '\\'
 * escaped), malloc'ed into *out (left NULL for an empty name): 0, 400
 * when too long, 500. */
static int
signer_dn(const X509_NAME *nm, char **out, char *err, size_t errlen)
{
	struct cm_buf b;
	int rc = 500;

	cm_buf_init(&b, 0);
	for (int i = 0; i < X509_NAME_entry_count(nm); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(nm, i);
		const char *sn = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)));
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(ne)), bad = 0;

		if (n < 0 || sn == NULL) {
			ERR_clear_error();
			OPENSSL_free(u);
			snprintf(err, errlen, "the subject has an attribute that cannot be read");
			rc = 400;
			goto out;
		}
		bad = cm_buf_printf(&b, "/%s=", sn) < 0;
		for (int k = 0; !bad && k < n; k++)
			bad = ((u[k] == '/' || u[k] == '\\') && cm_buf_puts(&b, "\\") < 0) ||
			    cm_buf_append(&b, (const char *)u + k, 1) < 0;
		OPENSSL_free(u);
		if (bad)
			goto out;
	}
	if (b.len > CM_PROTO_MAX_NAME) {
		snprintf(err, errlen, "the certificate's subject would be longer than %d bytes", CM_PROTO_MAX_NAME);
		rc = 400;
		goto out;
	}
	/* An empty subject (a SAN-only certificate) stays NULL: the signer's
	 * SUBJECT cannot be empty, so the CSR's must then be empty too
	 * (cm_csr_check). */
	if (b.len > 0 && (*out = cm_buf_steal(&b)) == NULL)
		goto out;
	rc = 0;
out:
	cm_buf_free(&b);
	return rc;
}

/* 0 / 400 / 403 / 500; see issuance.h. */
int
cm_csr_check(struct cm_db *db, const struct cm_csr_request *in, X509_REQ **reqp,
    struct cm_csr_info *ci, const char **cert_typep, char *err, size_t errlen)
{
	X509_REQ *req;
	const char *cert_type;
	int r;

	if (in->customer_id <= 0 || in->actor == NULL) {
		snprintf(err, errlen, "no customer or actor given for the certificate");
		return 400;
	}
	if ((r = customer_enabled(db, in->customer_id)) != 1) {
		snprintf(err, errlen, r == 0 ? "customer is disabled" : "internal error");
		return r == 0 ? 403 : 500;
	}
	if ((cert_type = cm_cert_type_of(in->profile)) == NULL) {
		snprintf(err, errlen, "unknown profile \"%.64s\"; use tls-server, client-smime, client-device, code-signing or ocsp-signing",
		    in->profile ? in->profile : "");
		return 400;
	}
	if (in->validity_days < 0 || in->validity_days > MAX_VALIDITY_DAYS) {
		snprintf(err, errlen, "validity must be between 1 and %d days (or empty for the profile's maximum)",
		    MAX_VALIDITY_DAYS);
		return 400;
	}
	if (in->csr_len > CM_CSR_MAX_BYTES) {
		snprintf(err, errlen, "the CSR is larger than %d bytes; that is not a certificate request",
		    CM_CSR_MAX_BYTES);
		return 400;
	}
	if (cm_csr_load(in->csr, in->csr_len, reqp, err, errlen) < 0) {
		return 400;
	}
	req = *reqp;
	if (cm_csr_describe(req, ci) < 0)
		return 500;
	if (!ci->sig_valid) {
		snprintf(err, errlen, "the CSR's signature does not verify (it was altered after signing, or is damaged)");
		return 400;
	}
	if (strcmp(ci->key.type, "rsa") == 0 && ci->key.bits < MIN_RSA_BITS) {
		snprintf(err, errlen, "RSA keys must be at least %d bits; this CSR has a %d-bit key",
		    MIN_RSA_BITS, ci->key.bits);
		return 400;
	}
	if (strcmp(ci->key.type, "rsa") != 0 && strcmp(ci->key.type, "ec") != 0 &&
	    strcmp(ci->key.type, "ed25519") != 0) {
		snprintf(err, errlen, "the CSR's key type (%s) is not supported; use RSA (2048 bits or more) or ECDSA",
		    ci->key.type);
		return 400;
	}
	{
		X509_NAME *subject = NULL;

		/* The subject comes from the organisation's record. Every name lies
		 * in the organisation's domains (unless an operator said --any-name:
		 * that check first, so a foreign name is reported as foreign) and
		 * passes the syntax rules, --any-name or not. */
		if ((r = issue_subject(db, in, req, cert_type, &subject, err, errlen)) != 0)
			return r;
		if (!in->any_name)
			r = cm_ra_check_names(db, in->customer_id, in->org_id, in->dept_id, cert_type, req, err, errlen);
		if (r == 0 && (r = cm_ra_check_syntax(req, subject, cert_type, err, errlen)) == 0 &&
		    (r = signer_dn(subject, &ci->issue_dn, err, errlen)) == 0 &&
		    (ci->issue_subject = cm_name_text(subject)) == NULL)
			r = 500;
		X509_NAME_free(subject);
		if (r != 0)
			return r;
		if (ci->issue_dn == NULL && X509_NAME_entry_count(X509_REQ_get_subject_name(req)) > 0) {
			/* The signer would fall back to the CSR's subject. */
			snprintf(err, errlen, "the CSR has no CN, so the certificate would name no one; put the host name "
			    "(or the person's name) in the CSR's CN, or choose an organisation");
			return 400;
		}
	}
	*cert_typep = cert_type;
	return 0;
}
