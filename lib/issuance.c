/* issuance.c: CSR intake: the profile -> certificate type mapping and the checks every CSR passes before the lifecycle stores or signs it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "issuance.h"
#include "ra_names.h"

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
		snprintf(err, errlen, "unknown profile \"%.64s\"; use tls-server, client-smime, code-signing or ocsp-signing",
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
	if (!in->any_name && (r = cm_ra_check_names(db, in->customer_id, in->org_id, in->dept_id,
	    cert_type, req, err, errlen)) != 0)
		return r;
	*cert_typep = cert_type;
	return 0;
}
