/* issue.c: assembles and signs certificates from checked plans. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "issue.h"
#include "ssl_reason.h"

/* 0 / -1. */
int
cm_serial_new(unsigned char serial[CM_SERIAL_LEN])
{
	for (int tries = 0; tries < 8; tries++) {
		if (RAND_bytes(serial, CM_SERIAL_LEN) != 1)
			return -1;
		serial[0] &= 0x7f;
		for (int i = 0; i < CM_SERIAL_LEN; i++)
			if (serial[i])
				return 0;
	}
	return -1;
}

/* No return value. */
void
cm_serial_hex(const unsigned char serial[CM_SERIAL_LEN], char hex[2 * CM_SERIAL_LEN + 1])
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < CM_SERIAL_LEN; i++) {
		hex[2 * i] = d[serial[i] >> 4];
		hex[2 * i + 1] = d[serial[i] & 15];
	}
	hex[2 * CM_SERIAL_LEN] = '\0';
}

/* NULL for Ed25519/Ed448, else SHA-256 (SHA-384 for P-384 and up). */
const EVP_MD *
cm_sign_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_base_id(key);
	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return NULL;
	if (id == EVP_PKEY_EC && EVP_PKEY_get_bits(key) > 256)
		return EVP_sha384();
	return EVP_sha256();
}

/* Adds one extension from its OpenSSL config text: 0 / -1. */
static int
add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	if (ext == NULL)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* 1 / 0 with err. */
int
cm_publish_base_ok(const char *url, char *err, size_t errlen)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0 || n > CM_PUBLISH_BASE_MAX) {
		snprintf(err, errlen, "base_url must be 1..%d bytes", CM_PUBLISH_BASE_MAX);
		return 0;
	}
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "base_url must start with http:// (relying parties fetch CRLs and "
		    "CA certificates over plain http; https would need its own revocation check)");
		return 0;
	}
	const char *host = url + 7;
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '.' || *host == '-') {
		snprintf(err, errlen, "base_url needs a host name after http://");
		return 0;
	}
	/* The value goes into OpenSSL's extension syntax, where ',' ';' '@' and
	 * blanks have meanings: only these characters, so it stays one URI. */
	for (const char *p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(".-_~/:", *p))) {
			snprintf(err, errlen, "base_url may hold only letters, digits and . - _ ~ / : (no '%c')", *p);
			return 0;
		}
	if (url[n - 1] == '/') {
		snprintf(err, errlen, "base_url must not end with '/' (the signer appends /crl/, /ca/ and /ocsp)");
		return 0;
	}
	return 1;
}

/*
 * CRL Distribution Point and AIA for a certificate issued by the CA whose
 * files are named `ca` (issuing or root); with_ocsp adds the OCSP URL (only
 * the issuing CA has a responder). 0 / -1.
 */
static int
add_publish_exts(X509 *cert, X509V3_CTX *ctx, const char *base, const char *ca, int with_ocsp)
{
	char cdp[CM_PUBLISH_BASE_MAX + 64], aia[2 * CM_PUBLISH_BASE_MAX + 96];
	int n1 = snprintf(cdp, sizeof(cdp), "URI:%s/crl/%s.crl", base, ca);
	int n2 = with_ocsp ?
	    snprintf(aia, sizeof(aia), "caIssuers;URI:%s/ca/%s.crt,OCSP;URI:%s/ocsp", base, ca, base) :
	    snprintf(aia, sizeof(aia), "caIssuers;URI:%s/ca/%s.crt", base, ca);
	if (n1 < 0 || (size_t)n1 >= sizeof(cdp) || n2 < 0 || (size_t)n2 >= sizeof(aia))
		return -1;
	if (add_ext(cert, ctx, NID_crl_distribution_points, cdp) < 0 ||
	    add_ext(cert, ctx, NID_info_access, aia) < 0)
		return -1;
	return 0;
}

/*
 * certificatePolicies (not critical) with the one policy OID of the
 * profile, checked when the profile was read: 0 / -1. Built as a structure:
 * OpenSSL's text form of this extension needs a config database.
 */
static int
add_policy(X509 *cert, const char *oid)
{
	CERTIFICATEPOLICIES *cp = CERTIFICATEPOLICIES_new();
	POLICYINFO *pi = POLICYINFO_new();
	int ret = -1;
	if (cp == NULL || pi == NULL)
		goto out;
	ASN1_OBJECT_free(pi->policyid);
	pi->policyid = OBJ_txt2obj(oid, 1);
	if (pi->policyid == NULL || !sk_POLICYINFO_push(cp, pi))
		goto out;
	pi = NULL;
	if (X509_add1_ext_i2d(cert, NID_certificate_policies, cp, 0, X509V3_ADD_DEFAULT) == 1)
		ret = 0;
out:
	POLICYINFO_free(pi);
	sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
	return ret;
}

static int
set_serial(X509 *cert, const unsigned char serial[CM_SERIAL_LEN])
{
	BIGNUM *bn = BN_bin2bn(serial, CM_SERIAL_LEN, NULL);
	int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* Notes from now - 5 minutes (clock skew of relying parties) to now + days. */
static int
set_validity(X509 *cert, long days, X509 *issuer)
{
	if (X509_gmtime_adj(X509_getm_notBefore(cert), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL) == NULL)
		return -1;
	/* Never outlive the issuer. */
	if (issuer && ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(issuer)) > 0 &&
	    !X509_set1_notAfter(cert, X509_get0_notAfter(issuer)))
		return -1;
	return 0;
}

/*
 * Copies the CSR's SubjectPublicKeyInfo into cert as encoded bytes: 0 / -1.
 * X509_set_pubkey() would re-encode and re-decode the key through
 * OpenSSL 3's decoders, which costs about a tenth of an RSA-3072 signature.
 */
static int
copy_spki(X509 *cert, X509_REQ *req)
{
	X509_PUBKEY *src = X509_REQ_get_X509_PUBKEY(req), *dst = X509_get_X509_PUBKEY(cert);
	ASN1_OBJECT *alg = NULL, *palg_obj_dup = NULL;
	const ASN1_OBJECT *pobj;
	const unsigned char *pk;
	const void *pval;
	X509_ALGOR *pa;
	int pklen, ptype;
	void *val = NULL;
	unsigned char *enc = NULL;

	if (src == NULL || dst == NULL || !X509_PUBKEY_get0_param(&alg, &pk, &pklen, &pa, src))
		return -1;
	X509_ALGOR_get0(&pobj, &ptype, &pval, pa);
	/* EC keys only with a named curve (an OBJECT), never explicit parameters. */
	if (OBJ_obj2nid(pobj) == NID_X9_62_id_ecPublicKey && ptype != V_ASN1_OBJECT)
		return -1;
	if (ptype == V_ASN1_OBJECT)
		val = OBJ_dup(pval);
	else if (ptype == V_ASN1_SEQUENCE || ptype == V_ASN1_OCTET_STRING)
		val = ASN1_STRING_dup(pval);
	else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
		return -1;
	if (pval != NULL && val == NULL)
		return -1;
	palg_obj_dup = OBJ_dup(pobj);
	enc = OPENSSL_memdup(pk, (size_t)pklen);
	if (palg_obj_dup == NULL || (enc == NULL && pklen > 0) ||
	    !X509_PUBKEY_set0_param(dst, palg_obj_dup, ptype, val, enc, pklen)) {
		ASN1_OBJECT_free(palg_obj_dup);
		OPENSSL_free(enc);
		if (ptype == V_ASN1_OBJECT)
			ASN1_OBJECT_free(val);
		else
			ASN1_STRING_free(val);
		return -1;
	}
	return 0;
}

/* Certificate or NULL with err. */
X509 *
cm_issue_build(const struct cm_profile *p, const struct cm_profile_plan *plan,
    X509 *ca_cert, EVP_PKEY *ca_key, const unsigned char serial[CM_SERIAL_LEN],
    const char *publish_base, char *err, size_t errlen)
{
	X509 *cert = X509_new();
	X509V3_CTX ctx;
	char eku[512] = "";

	if (cert == NULL || !X509_set_version(cert, X509_VERSION_3) ||
	    set_serial(cert, serial) < 0 ||
	    !X509_set_issuer_name(cert, X509_get_subject_name(ca_cert)) ||
	    !X509_set_subject_name(cert, plan->subject) ||
	    copy_spki(cert, plan->req) < 0 ||
	    set_validity(cert, plan->days, ca_cert) < 0) {
		cm_ssl_reason(err, errlen, "building certificate");
		goto fail;
	}
	size_t used = 0;
	for (size_t i = 0; i < plan->neku; i++) {
		const char *sn = OBJ_nid2sn(plan->eku[i]);
		int n = sn ? snprintf(eku + used, sizeof(eku) - used, "%s%s", i ? "," : "", sn) : -1;
		if (n < 0 || (size_t)n >= sizeof(eku) - used) {
			snprintf(err, errlen, "extended key usage list does not fit in %zu bytes", sizeof(eku) - 1);
			goto fail;
		}
		used += (size_t)n;
	}
	char ku[300];
	int kn = snprintf(ku, sizeof(ku), "critical,%s", plan->key_usage);
	if (kn < 0 || (size_t)kn >= sizeof(ku)) {
		snprintf(err, errlen, "key usage list too long");
		goto fail;
	}
	X509V3_set_ctx(&ctx, ca_cert, cert, NULL, NULL, 0);
	if (add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(cert, &ctx, NID_key_usage, ku) < 0 ||
	    (plan->neku && add_ext(cert, &ctx, NID_ext_key_usage, eku) < 0) ||
	    add_ext(cert, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always") < 0 ||
	    (p->ocsp_nocheck && add_ext(cert, &ctx, NID_id_pkix_OCSP_noCheck, "ignored") < 0)) {
		cm_ssl_reason(err, errlen, "adding extensions");
		goto fail;
	}
	if (p->policy_oid[0] && add_policy(cert, p->policy_oid) < 0) {
		cm_ssl_reason(err, errlen, "adding certificatePolicies");
		goto fail;
	}
	if (publish_base && add_publish_exts(cert, &ctx, publish_base, CM_PUBLISH_ISSUING, 1) < 0) {
		cm_ssl_reason(err, errlen, "adding CRL distribution point and authority information access");
		goto fail;
	}
	if (plan->sans) {
		/* Critical when the subject is empty (RFC 5280 4.2.1.6). */
		int crit = X509_NAME_entry_count(plan->subject) == 0;
		if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, plan->sans, crit, X509V3_ADD_DEFAULT)) {
			cm_ssl_reason(err, errlen, "adding subjectAltName");
			goto fail;
		}
	}
	if (X509_sign(cert, ca_key, cm_sign_md(ca_key)) <= 0) {
		cm_ssl_reason(err, errlen, "signing certificate");
		goto fail;
	}
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

/* Certificate or NULL with err. */
X509 *
cm_ca_cert_build(X509_NAME *subject, EVP_PKEY *pub, X509 *issuer,
    EVP_PKEY *issuer_key, long days, int pathlen, const NAME_CONSTRAINTS *nc,
    const char *publish_base, char *err, size_t errlen)
{
	X509 *cert = X509_new();
	X509V3_CTX ctx;
	unsigned char serial[CM_SERIAL_LEN];
	char bc[64];

	if (cert == NULL || cm_serial_new(serial) < 0 ||
	    !X509_set_version(cert, X509_VERSION_3) || set_serial(cert, serial) < 0 ||
	    !X509_set_subject_name(cert, subject) ||
	    !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject) ||
	    !X509_set_pubkey(cert, pub) || set_validity(cert, days, issuer) < 0) {
		cm_ssl_reason(err, errlen, "building CA certificate");
		goto fail;
	}
	if (pathlen >= 0)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d", pathlen);
	else
		snprintf(bc, sizeof(bc), "critical,CA:TRUE");
	X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
	if (add_ext(cert, &ctx, NID_basic_constraints, bc) < 0 ||
	    add_ext(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") < 0 ||
	    add_ext(cert, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always") < 0) {
		cm_ssl_reason(err, errlen, "adding CA extensions");
		goto fail;
	}
	if (issuer && publish_base && add_publish_exts(cert, &ctx, publish_base, CM_PUBLISH_ROOT, 0) < 0) {
		cm_ssl_reason(err, errlen, "adding the root's CRL distribution point and caIssuers");
		goto fail;
	}
	if (nc && !X509_add1_ext_i2d(cert, NID_name_constraints, (void *)nc, 1, X509V3_ADD_DEFAULT)) {
		cm_ssl_reason(err, errlen, "adding nameConstraints");
		goto fail;
	}
	if (X509_sign(cert, issuer_key, cm_sign_md(issuer_key)) <= 0) {
		cm_ssl_reason(err, errlen, "signing CA certificate");
		goto fail;
	}
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

/* See issue.h. */
X509_NAME *
cm_issue_own_subject(X509 *ca, const char *suffix)
{
	size_t slen = strlen(suffix);
	const X509_NAME *cn = X509_get_subject_name(ca);
	X509_NAME *n = X509_NAME_new();
	char cnbuf[65];
	unsigned char *u = NULL;
	size_t used = 0;
	int i;

	if (n == NULL)
		return NULL;
	i = X509_NAME_get_index_by_NID(cn, NID_organizationName, -1);
	if (i >= 0 && !X509_NAME_add_entry(n, X509_NAME_get_entry(cn, i), -1, 0))
		goto fail;
	i = X509_NAME_get_index_by_NID(cn, NID_commonName, -1);
	int ul = i >= 0 ? ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(cn, i))) : 0;
	if (ul > 0) {
		/* ub-common-name is 64: shorten the CA's name, never in the middle
		 * of a UTF-8 sequence. */
		used = (size_t)ul;
		if (used > sizeof(cnbuf) - 1 - slen)
			used = sizeof(cnbuf) - 1 - slen;
		while (used > 0 && used < (size_t)ul && (u[used] & 0xc0) == 0x80)
			used--;
		memcpy(cnbuf, u, used);
	}
	snprintf(cnbuf + used, sizeof(cnbuf) - used, "%s", used ? suffix : suffix + 1);
	OPENSSL_free(u);
	if (!X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cnbuf, -1, -1, 0))
		goto fail;
	return n;
fail:
	X509_NAME_free(n);
	return NULL;
}
