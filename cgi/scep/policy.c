/* policy.c: scep.fcgi's rules against the database: the customer and type of the URL, the access code (challenge), the key and subject of a CSR, its names, and the certificate a renewal is signed with. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "access_code.h"
#include "cert_types.h"
#include "log.h"
#include "ra_names.h"
#include "scepd.h"
#include "x509util.h"

/* 1 / 0 / -1; see scepd.h. */
int
scepd_find_customer_type(struct scep_req *r, const char *uri, const char *type)
{
	struct cm_stmt *st = cm_db_prepare(r->db,
	    "SELECT c.id, t.profile FROM customers c"
	    " JOIN scep_types t ON t.customer_id = c.id AND t.scep_type = ? AND t.enabled = 1"
	    " WHERE c.uri = ? AND c.enabled = 1 AND c.scep_enabled = 1");
	int f = -1;

	if (st == NULL || cm_stmt_bind_str(st, 0, type) < 0 || cm_stmt_bind_str(st, 1, uri) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("SCEP: customer lookup: %s", cm_db_error(r->db));
		f = -1;
	} else if (f == 1) {
		r->customer_id = cm_stmt_i64(st, 0);
		if (cm_stmt_copy_str(st, 1, r->profile, sizeof(r->profile)) != 1 || cm_cert_type_of(r->profile) == NULL) {
			cm_err("SCEP: customer %s type %s names profile \"%.64s\", which is none of ours", uri, type,
			    r->profile);
			f = 0;
		}
	}
	if (st)
		cm_stmt_close(st);
	return f;
}

/*
 * The access code's owner: the keyed hash (lib/access_code.h, the key of
 * [secrets]) is looked up in the indexes of migration 028, the organisation
 * first, then a department (whose organisation it is too); the stored
 * value is then compared in constant time. Self enrollment is read too, so
 * that a right code of a switched-off organisation is told apart in the log.
 * 1 / 0 / 2 / -1; see scepd.h.
 */
int
scepd_challenge_owner(struct scep_req *r, const char *code, int64_t *org, int64_t *dept)
{
	const struct cm_settings *s = &r->d->app->settings;
	char hash[CM_ACCESS_HASH_HEX + 1], stored[CM_ACCESS_HASH_HEX + 1];
	int rc = 0;

	if (s->access_code_key == NULL) {
		cm_err("SCEP: [secrets] access_code_key_file is not configured: no challenge can match");
		return -1;
	}
	if (code[0] == '\0' || strlen(code) > CM_ACCESS_CODE_MAX ||
	    cm_access_code_hash(s->access_code_key, s->access_code_key_len, code, hash) < 0)
		return 0;
	for (int in_dept = 0; in_dept < 2 && rc == 0; in_dept++) {
		struct cm_stmt *st = cm_db_prepare(r->db, in_dept ?
		    "SELECT o.id, d.id, d.client_self_enrollment, d.client_access_code_hash FROM departments d"
		    " JOIN organizations o ON o.id = d.org_id"
		    " WHERE d.client_access_code_hash = ? AND o.customer_id = ? AND d.deleted_at IS NULL"
		    " AND o.deleted_at IS NULL LIMIT 1" :
		    "SELECT o.id, 0, o.client_self_enrollment, o.client_access_code_hash FROM organizations o"
		    " WHERE o.client_access_code_hash = ? AND o.customer_id = ? AND o.deleted_at IS NULL LIMIT 1");
		int f;

		if (st == NULL || cm_stmt_bind_str(st, 0, hash) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
		    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
			cm_err("SCEP: access code lookup: %s", cm_db_error(r->db));
			rc = -1;
		} else if (f == 1 && cm_stmt_copy_str(st, 3, stored, sizeof(stored)) == 1 &&
		    cm_access_code_verify(s->access_code_key, s->access_code_key_len, code, stored) == 1) {
			*org = cm_stmt_i64(st, 0);
			*dept = cm_stmt_i64(st, 1);
			rc = cm_stmt_i64(st, 2) ? 1 : 2;
		}
		if (st)
			cm_stmt_close(st);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/* 1 when s (n bytes) looks like user@domain, else 0. */
static int
is_mailbox(const unsigned char *s, int n)
{
	const unsigned char *at = n > 0 ? memchr(s, '@', (size_t)n) : NULL;

	return at && at > s && at < s + n - 1 && memchr(s, ' ', (size_t)n) == NULL;
}

/* 1 when s (n bytes) reads as a device's DNS name: letters, digits, '-'
 * and '_' in labels separated by dots, at least two labels, no wildcard,
 * not all digits and dots (an IPv4 literal). Which domain it lies in is
 * scepd_check_names' question. */
static int
is_device_host(const unsigned char *s, int n)
{
	int dot = 0, alpha = 0;

	if (n < 3 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (int i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '.') {
			if (s[i - 1] == '.')
				return 0;
			dot = 1;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_') {
			alpha = 1;
		} else if (!(c >= '0' && c <= '9')) {
			return 0;
		}
	}
	return dot && alpha;
}

/* 0 / -1; see scepd.h. */
int
scepd_check_csr(struct scep_req *r, X509_REQ *req, struct scep_answer *a)
{
	EVP_PKEY *pk = X509_REQ_get0_pubkey(req);
	const X509_NAME *nm = X509_REQ_get_subject_name(req);
	X509 *signer = NULL;
	const unsigned char *p = r->msg.signer_cert;
	int id, bits, rc = -1, has_cn = 0, has_mail = 0, device_cn = 0;

	if (pk == NULL) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "key", "the CSR's public key cannot be read");
		goto out;
	}
	id = EVP_PKEY_get_base_id(pk);
	bits = EVP_PKEY_get_bits(pk);
	if (id == EVP_PKEY_RSA) {
		/* 2047-bit moduli do occur (older iOS): refused like any short key. */
		if (bits < 2048) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "key", "an RSA key of %d bits (2048 at least)", bits);
			goto out;
		}
	} else if (id == EVP_PKEY_EC) {
		char curve[64] = "";
		size_t n = 0;
		if (EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof(curve), &n) != 1 ||
		    (strcmp(curve, "prime256v1") != 0 && strcmp(curve, "secp384r1") != 0 &&
		    strcmp(curve, "P-256") != 0 && strcmp(curve, "P-384") != 0)) {
			scepd_fail(a, CM_SCEP_BAD_REQUEST, "key", "an EC key on curve %s (P-256 or P-384)", curve[0] ? curve : "?");
			goto out;
		}
	} else {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "key", "a key that is neither RSA nor EC");
		goto out;
	}
	/* The reply is enveloped to the certificate that signed the request
	 * (key transport): it must hold an RSA key, or nothing could be sent
	 * back; checked before anything is issued. */
	if ((signer = d2i_X509(NULL, &p, (long)r->msg.signer_cert_len)) == NULL ||
	    X509_get0_pubkey(signer) == NULL || EVP_PKEY_get_base_id(X509_get0_pubkey(signer)) != EVP_PKEY_RSA) {
		scepd_fail(a, CM_SCEP_BAD_ALG, "requester-key",
		    "the request is signed with a non-RSA certificate; the reply cannot be enveloped to it");
		goto out;
	}
	for (int i = 0; i < X509_NAME_entry_count(nm); i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(nm, i);
		const ASN1_STRING *v = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));

		if (nid == NID_commonName && ASN1_STRING_length(v) > 0) {
			has_cn = 1;
			/* Debian's scepclient (micromdm) can set no emailAddress
			 * and no SAN: an e-mail address as the CN stands for it. */
			if (is_mailbox(ASN1_STRING_get0_data(v), ASN1_STRING_length(v)))
				has_mail = device_cn = 1;
			else if (is_device_host(ASN1_STRING_get0_data(v), ASN1_STRING_length(v)))
				device_cn = 1;
		}
		if (nid == NID_pkcs9_emailAddress && ASN1_STRING_length(v) > 0)
			has_mail = 1;
	}
	if (!has_mail) {
		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		GENERAL_NAMES *gns = exts ? X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL) : NULL;
		for (int i = 0; gns && i < sk_GENERAL_NAME_num(gns); i++)
			if (sk_GENERAL_NAME_value(gns, i)->type == GEN_EMAIL)
				has_mail = 1;
		GENERAL_NAMES_free(gns);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (strcmp(r->type, "smime") == 0 && (!has_cn || !has_mail)) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "subject",
		    "an smime request needs a CN and an e-mail address (emailAddress, an rfc822Name SAN, or an e-mail CN)");
		goto out;
	}
	/* A device certificate names the device by its CN alone (no e-mail is
	 * asked for): a DNS name or an address, so that scepd_check_names can
	 * hold it to the organisation's delegated domains; a bare "router1"
	 * would name nothing anyone has checked. */
	if (strcmp(r->profile, SCEPD_DEVICE_PROFILE) == 0 && !device_cn) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "subject",
		    "a device request needs a CN that is the device's DNS name (for example router1.example.com) "
		    "or an e-mail address, in a domain delegated to the organisation");
		goto out;
	}
	rc = 0;
out:
	X509_free(signer);
	return rc;
}

/* 0 / -1; see scepd.h. */
int
scepd_check_names(struct scep_req *r, X509_REQ *req, int64_t org, int64_t dept, struct scep_answer *a)
{
	char err[512];
	const char *type = cm_cert_type_of(r->profile);
	int st = cm_ra_check_names(r->db, r->customer_id, org, dept, type ? type : "client", req, err, sizeof(err));

	if (st == 0)
		return 0;
	if (st == 400)
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "names", "not in a domain delegated to organisation %lld%s: %s",
		    (long long)org, dept ? " (its department)" : "", err);
	else
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "database", "the names could not be checked");
	return -1;
}

/* 1 / 0 / -1; see scepd.h. The certificate must be byte for byte the row's:
 * its serial alone (chosen by whoever made the self-signed certificate)
 * proves nothing. */
int
scepd_our_valid_cert(struct scep_req *r, const unsigned char *der, size_t len,
    int64_t *id, int64_t *org, int64_t *dept, struct scep_answer *a)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	struct cm_cert_info xi;
	struct cm_stmt *st = NULL;
	const char *rowder;
	size_t rowlen = 0;
	int f, rc = -1;

	memset(&xi, 0, sizeof(xi));
	int described = x != NULL && p == der + len && cm_cert_describe(x, &xi) == 0;
	if (described && strlen(xi.serial_hex) < 32) {
		/* serial_hex keeps the 16 bytes' leading zeros, which the integer
		 * (and so cm_cert_describe) drops: one serial in 128 starts with 00. */
		char padded[sizeof(xi.serial_hex)];
		size_t n = strlen(xi.serial_hex);
		memset(padded, '0', 32 - n);
		memcpy(padded + 32 - n, xi.serial_hex, n + 1);
		memcpy(xi.serial_hex, padded, 33);
	}
	if (!described || strlen(xi.serial_hex) != 32) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "renewal-cert", "the RenewalReq is not signed with a certificate of ours");
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(r->db,
	    "SELECT id, COALESCE(org_id, 0), COALESCE(dept_id, 0), status, not_after > UTC_TIMESTAMP(), der, profile"
	    " FROM certificates WHERE serial_hex = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, xi.serial_hex) < 0 || cm_stmt_bind_i64(st, 1, r->customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0) {
		cm_err("SCEP: renewal certificate lookup: %s", cm_db_error(r->db));
		goto out;
	}
	rc = 0;
	if (f == 0 || cm_stmt_is_null(st, 5) || (rowder = cm_stmt_str(st, 5, &rowlen)) == NULL ||
	    rowlen != len || memcmp(rowder, der, len) != 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "renewal-cert",
		    "the RenewalReq is signed with serial %s, no certificate of this customer", xi.serial_hex);
		goto out;
	}
	if (strcmp(cm_stmt_str(st, 3, NULL), "issued") != 0 || cm_stmt_i64(st, 4) != 1) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "renewal-cert",
		    "the RenewalReq is signed with certificate %lld, which is %s", (long long)cm_stmt_i64(st, 0),
		    cm_stmt_i64(st, 4) != 1 ? "expired" : cm_stmt_str(st, 3, NULL));
		goto out;
	}
	if (strcmp(cm_stmt_str(st, 6, NULL), r->profile) != 0) {
		scepd_fail(a, CM_SCEP_BAD_REQUEST, "renewal-cert",
		    "the RenewalReq is signed with certificate %lld of profile %s, not this type's %s",
		    (long long)cm_stmt_i64(st, 0), cm_stmt_str(st, 6, NULL), r->profile);
		goto out;
	}
	*id = cm_stmt_i64(st, 0);
	*org = cm_stmt_i64(st, 1);
	*dept = cm_stmt_i64(st, 2);
	rc = 1;
out:
	if (st)
		cm_stmt_close(st);
	cm_cert_info_free(&xi);
	X509_free(x);
	return rc;
}
