/* test_profile.c: unit tests for the profiles file and the signer's policy checks, with CSRs made in-process. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "issue.h"
#include "names.h"
#include "profile.h"

static struct cm_profiles ps;
static EVP_PKEY *ca_key, *rsa1024, *rsa2048, *ec256, *ec521, *ed;
static X509 *ca_cert;

/* A DER CSR: subject DN, optional SAN list, and optionally CA-like extensions. */
static unsigned char *
make_csr(EVP_PKEY *key, const char *dn, const char *san, int ask_ca, int ask_certsign, size_t *len)
{
	char err[256];
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = dn ? cm_dn_parse(dn, err, sizeof(err)) : X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509V3_CTX ctx;
	unsigned char *der = NULL;

	X509_REQ_set_version(req, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, key);
	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	if (san)
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san));
	if (ask_ca)
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE"));
	if (ask_certsign)
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "keyCertSign"));
	if (sk_X509_EXTENSION_num(exts) > 0)
		X509_REQ_add_extensions(req, exts);
	X509_REQ_sign(req, key, EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
	int n = i2d_X509_REQ(req, &der);
	*len = n > 0 ? (size_t)n : 0;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return der;
}

/* Runs the policy check; returns its code and leaves the reason. */
static int
check(const char *profile, const unsigned char *der, size_t len, long days,
    const char *const *ekus, size_t nekus, const char *const *sans, size_t nsans,
    int ca, char *reason, size_t rlen, X509 **cert_out)
{
	const struct cm_profile *p = cm_profile_find(&ps, profile);
	struct cm_profile_request in = { der, len, days, NULL, sans, nsans, ekus, nekus, ca };
	struct cm_profile_plan plan;
	reason[0] = '\0';
	int r = cm_profile_check(p, &in, &plan, reason, rlen);
	if (r == 0) {
		if (cert_out) {
			unsigned char serial[CM_SERIAL_LEN];
			cm_serial_new(serial);
			X509 *x = cm_issue_build(p, &plan, ca_cert, ca_key, serial, NULL, reason, rlen);
			/* As a client sees it: through DER. */
			unsigned char *cder = NULL;
			int n = x ? i2d_X509(x, &cder) : -1;
			const unsigned char *q = cder;
			*cert_out = n > 0 ? d2i_X509(NULL, &q, n) : NULL;
			OPENSSL_free(cder);
			X509_free(x);
		}
		cm_profile_plan_free(&plan);
	}
	return r;
}

static void
test_load(void)
{
	char err[512], path[1024];
	const char *src = getenv("CERTMINT_SRCDIR");
	if (src == NULL)
		src = getenv("srcdir");
	snprintf(path, sizeof(path), "%s/conf/signer-profiles.conf", src ? src : ".");
	int r = cm_profiles_load(&ps, path, err, sizeof(err));
	if (!ok(r == 0, "shipped profiles file loads"))
		printf("# %s\n", err);
	is_int(ps.n, 5, "five profiles");
	const struct cm_profile *t = cm_profile_find(&ps, "tls-server");
	ok(t && t->max_days == 397 && t->neku == 1 && t->eku[0] == NID_server_auth, "tls-server: 397 days, serverAuth");
	ok(t && (t->san_types & CM_SAN_DNS) && (t->san_types & CM_SAN_IP) && !(t->san_types & CM_SAN_EMAIL),
	    "tls-server: DNS and IP SANs only");
	const struct cm_profile *c = cm_profile_find(&ps, "client-smime");
	ok(c && c->max_days == 825 && c->neku == 2, "client-smime: 825 days, two EKUs");
	const struct cm_profile *dv = cm_profile_find(&ps, "client-device");
	ok(dv && dv->max_days == 825 && dv->neku == 1 && dv->eku[0] == NID_client_auth,
	    "client-device: 825 days, clientAuth only");
	ok(dv && dv->cn_required && !dv->san_required && (dv->san_types & CM_SAN_DNS) && (dv->san_types & CM_SAN_EMAIL) &&
	    !(dv->san_types & CM_SAN_IP) && !(dv->san_types & CM_SAN_UPN) && !(dv->san_types & CM_SAN_URI),
	    "client-device: CN required, DNS and e-mail SANs allowed, not required");
	ok(dv && dv->min_rsa_bits == 2048, "client-device: RSA 2048 at least");
	const struct cm_profile *cs = cm_profile_find(&ps, "code-signing");
	ok(cs && cs->eku[0] == NID_code_sign && cs->san_types == 0, "code-signing: codeSigning, no SANs");
	const struct cm_profile *o = cm_profile_find(&ps, "ocsp-signing");
	ok(o && o->max_days == 90 && o->ocsp_nocheck && o->eku[0] == NID_OCSP_sign, "ocsp-signing: 90 days, nocheck");
	ok(cm_profile_find(&ps, "no-such") == NULL, "unknown profile not found");

	struct cm_profiles bad;
	const char *base = "[profile x]\nkey_usage = digitalSignature\next_key_usage = serverAuth\n"
	    "max_days = 10\nkey_types = rsa\nsubject_attrs = CN\nsan_types = DNS\n";
	ok(cm_profiles_parse(&bad, base, strlen(base), "t", err, sizeof(err)) == 0, "minimal profile parses");
	char text[1024];
	snprintf(text, sizeof(text), "%scolour = blue\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "unknown key"),
	    "unknown key reported");
	snprintf(text, sizeof(text), "%skey_usage = keyCertSign\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0, "keyCertSign not allowed in a profile");
	snprintf(text, sizeof(text), "%sext_key_usage = bogusUsage\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0, "unknown EKU refused");
	snprintf(text, sizeof(text), "%smin_rsa_bits = 1024\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0, "min_rsa_bits below 2048 refused");
	snprintf(text, sizeof(text), "%skey_types = rsa ec\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "ec_curves"),
	    "ec without curves refused");
	const char *nodays = "[profile y]\nkey_usage = digitalSignature\next_key_usage = serverAuth\n"
	    "key_types = rsa\nsubject_attrs = CN\nsan_types = DNS\n";
	ok(cm_profiles_parse(&bad, nodays, strlen(nodays), "t", err, sizeof(err)) < 0 && strstr(err, "max_days"),
	    "missing max_days refused");
	/* x, then a complete z, then x again. */
	snprintf(text, sizeof(text), "%s[profile z]\n%s[profile x]\nmax_days = 5\n", base, strchr(base, '\n') + 1);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "defined twice"),
	    "duplicate profile refused: %s", err);
	ok(cm_profiles_parse(&bad, "max_days = 1\n", 13, "t", err, sizeof(err)) < 0, "key outside a profile refused");
}

static void
test_policy(void)
{
	char reason[512];
	size_t len;
	unsigned char *der;
	X509 *cert = NULL;

	/* RSA-2048 with a DNS SAN under tls-server: issued, and shaped by the profile. */
	der = make_csr(rsa2048, "/CN=www.example.com/O=Example", "DNS:www.example.com,IP:192.0.2.1", 0, 0, &len);
	int r = check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert);
	if (!ok(r == 0 && cert != NULL, "RSA-2048 tls-server CSR issued"))
		printf("# %s\n", reason);
	if (cert) {
		X509_STORE *st = X509_STORE_new();
		X509_STORE_CTX *sc = X509_STORE_CTX_new();
		X509_STORE_add_cert(st, ca_cert);
		X509_STORE_CTX_init(sc, st, cert, NULL);
		X509_STORE_CTX_set_purpose(sc, X509_PURPOSE_SSL_SERVER);
		ok(X509_verify_cert(sc) == 1, "certificate verifies against the CA for serverAuth");
		X509_STORE_CTX_free(sc);
		X509_STORE_free(st);
		ok(X509_check_ca(cert) == 0, "not a CA");
		int crit = -1;
		BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);
		ok(bc && !bc->ca && crit == 1, "basicConstraints CA:FALSE, critical");
		BASIC_CONSTRAINTS_free(bc);
		ok((X509_get_extended_key_usage(cert) & XKU_SSL_SERVER) && !(X509_get_extended_key_usage(cert) & XKU_CODE_SIGN),
		    "EKU serverAuth only");
		ok(X509_get0_subject_key_id(cert) && X509_get0_authority_key_id(cert), "SKI and AKI present");
		const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
		BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
		ok(bn && !BN_is_negative(bn) && !BN_is_zero(bn) && BN_num_bytes(bn) <= 16 && BN_num_bits(bn) > 64,
		    "serial positive, random, at most 16 bytes");
		BN_free(bn);
		int days = 0, secs = 0;
		ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
		ok(days == 397, "validity is the profile maximum (got %d days)", days);
		X509_free(cert);
		cert = NULL;
	}
	ok(check("tls-server", der, len, 397, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 0, "397 days allowed");
	ok(check("tls-server", der, len, 398, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "398 days exceeds the 397-day maximum"), "398 days refused: %s", reason);
	const char *eku_ok[] = { "serverAuth" };
	ok(check("tls-server", der, len, 0, eku_ok, 1, NULL, 0, 0, reason, sizeof(reason), NULL) == 0, "EKU inside profile allowed");
	const char *eku_bad[] = { "serverAuth", "codeSigning" };
	ok(check("tls-server", der, len, 0, eku_bad, 2, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "extended key usage codeSigning is not allowed by profile tls-server"), "EKU outside refused: %s", reason);
	const char *eku_oid[] = { "1.3.6.1.5.5.7.3.1" };
	ok(check("tls-server", der, len, 0, eku_oid, 1, NULL, 0, 0, reason, sizeof(reason), NULL) == 0, "EKU by OID");
	const char *eku_junk[] = { "not an oid" };
	ok(check("tls-server", der, len, 0, eku_junk, 1, NULL, 0, 0, reason, sizeof(reason), NULL) == 1, "junk EKU refused");
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 1, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "CA certificates cannot be issued by profile tls-server"), "ca flag refused: %s", reason);
	const char *sans_ok[] = { "DNS:other.example.com", "IP:2001:db8::1" };
	ok(check("tls-server", der, len, 0, NULL, 0, sans_ok, 2, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "SAN override allowed");
	if (cert) {
		GENERAL_NAMES *g = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
		ok(g && sk_GENERAL_NAME_num(g) == 2, "override replaced the CSR's SANs");
		GENERAL_NAMES_free(g);
		X509_free(cert);
		cert = NULL;
	}
	const char *sans_email[] = { "email:a@example.com" };
	ok(check("tls-server", der, len, 0, NULL, 0, sans_email, 1, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "email subjectAltNames are not allowed"), "email SAN refused for tls-server: %s", reason);
	const char *sans_bad[] = { "DNS:bad..example" };
	ok(check("tls-server", der, len, 0, NULL, 0, sans_bad, 1, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "malformed"), "malformed DNS name refused: %s", reason);
	const char *sans_wild[] = { "DNS:*.example.com" };
	ok(check("tls-server", der, len, 0, NULL, 0, sans_wild, 1, 0, reason, sizeof(reason), NULL) == 0, "wildcard allowed");
	const char *sans_wild2[] = { "DNS:www.*.example.com" };
	ok(check("tls-server", der, len, 0, NULL, 0, sans_wild2, 1, 0, reason, sizeof(reason), NULL) == 1, "inner wildcard refused");

	/* Bad signature: flip a byte in the signature (the DER's last byte). */
	unsigned char *flip = malloc(len);
	memcpy(flip, der, len);
	flip[len - 1] ^= 0x01;
	ok(check("tls-server", flip, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "signature is invalid"), "bad signature refused: %s", reason);
	free(flip);
	ok(check("tls-server", der, len - 1, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "well-formed"), "truncated CSR refused: %s", reason);
	ok(check("tls-server", (const unsigned char *)"garbage", 7, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1,
	    "garbage refused");
	OPENSSL_free(der);

	/* Weak and unlisted keys. */
	der = make_csr(rsa1024, "/CN=weak.example", "DNS:weak.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "RSA key of 1024 bits is below the 2048-bit minimum"), "RSA-1024 refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec521, "/CN=big.example", "DNS:big.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "EC curve secp521r1 is not allowed"), "P-521 refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ed, "/CN=ed.example", "DNS:ed.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "Ed25519 keys are not allowed"), "Ed25519 refused: %s", reason);
	OPENSSL_free(der);

	/* EC P-256. */
	der = make_csr(ec256, "/CN=ec.example", "DNS:ec.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 0, "EC P-256 issued");
	OPENSSL_free(der);

	/* CSRs that ask to be a CA. */
	der = make_csr(ec256, "/CN=sub-ca.example", "DNS:sub.example", 1, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "CA certificates cannot be issued by profile tls-server"), "CSR with CA:TRUE refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=sub-ca.example", "DNS:sub.example", 0, 1, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "CA certificates cannot be issued"), "CSR with keyCertSign refused: %s", reason);
	OPENSSL_free(der);

	/* Subjects and SAN rules. */
	der = make_csr(ec256, "/CN=nosan.example", NULL, 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "requires at least one subjectAltName"), "tls-server without SAN refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=x.example/emailAddress=a@example.com", "DNS:x.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "subject attribute emailAddress is not allowed"), "subject attribute refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=Alice", "email:alice@example.com", 0, 0, &len);
	ok(check("client-smime", der, len, 825, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "client-smime with email SAN issued");
	if (cert) {
		uint32_t x = X509_get_extended_key_usage(cert);
		ok((x & XKU_SSL_CLIENT) && (x & XKU_SMIME), "clientAuth + emailProtection");
		X509_free(cert);
		cert = NULL;
	}
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "email subjectAltNames are not allowed"), "CSR email SAN refused by tls-server: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/O=Example", NULL, 0, 0, &len);
	ok(check("code-signing", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "requires a subject CN"), "code-signing without CN refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(rsa2048, "/CN=Example Code", NULL, 0, 0, &len);
	ok(check("code-signing", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "below the 3072-bit minimum"), "code-signing RSA-2048 refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=Example Code", "DNS:code.example", 0, 0, &len);
	ok(check("code-signing", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "DNS subjectAltNames are not allowed by profile code-signing"), "SAN on code-signing refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=OCSP Responder", NULL, 0, 0, &len);
	ok(check("ocsp-signing", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "ocsp-signing issued");
	if (cert) {
		ok(X509_get_ext_by_NID(cert, NID_id_pkix_OCSP_noCheck, -1) >= 0, "OCSP nocheck present");
		ok(X509_get_extended_key_usage(cert) & XKU_OCSP_SIGN, "OCSPSigning EKU");
		X509_free(cert);
		cert = NULL;
	}
	ok(check("ocsp-signing", der, len, 91, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1, "ocsp-signing 91 days refused");
	OPENSSL_free(der);
}

/* An EC P-256 key whose SPKI carries the curve as explicit parameters. */
static EVP_PKEY *
explicit_ec_key(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	char grp[] = "P-256", enc[] = "explicit";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("group", grp, 0),
		OSSL_PARAM_construct_utf8_string("encoding", enc, 0),
		OSSL_PARAM_construct_end(),
	};
	if (c && EVP_PKEY_keygen_init(c) == 1 && EVP_PKEY_CTX_set_params(c, params) == 1)
		EVP_PKEY_generate(c, &k);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* An RSA-2048 key with public exponent e. */
static EVP_PKEY *
rsa_key_e(unsigned long e)
{
	EVP_PKEY *k = NULL;
	BIGNUM *bn = BN_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn && BN_set_word(bn, e) && c && EVP_PKEY_keygen_init(c) == 1 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) == 1 &&
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, bn) == 1)
		EVP_PKEY_generate(c, &k);
	EVP_PKEY_CTX_free(c);
	BN_free(bn);
	return k;
}

/* Security-review fixes: key encodings, exponents, wildcards, profile lists. */
static void
test_hardening(void)
{
	char reason[512], err[512], text[2048];
	size_t len;
	unsigned char *der;
	X509 *cert = NULL;
	struct cm_profiles bad;

	EVP_PKEY *xk = explicit_ec_key();
	ok(xk != NULL, "explicit-parameter EC key generated");
	if (xk) {
		der = make_csr(xk, "/CN=explicit.example", "DNS:explicit.example", 0, 0, &len);
		/* Make sure the CSR really carries explicit parameters (not an OID). */
		const unsigned char *q = der;
		X509_REQ *r = d2i_X509_REQ(NULL, &q, (long)len);
		const ASN1_OBJECT *aobj = NULL;
		int ptype = -1;
		const void *pval;
		X509_ALGOR *pa = NULL;
		if (r && X509_PUBKEY_get0_param(NULL, NULL, NULL, &pa, X509_REQ_get_X509_PUBKEY(r)))
			X509_ALGOR_get0(&aobj, &ptype, &pval, pa);
		ok(ptype == V_ASN1_SEQUENCE, "CSR SPKI has explicit curve parameters (type %d)", ptype);
		X509_REQ_free(r);
		is_int(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert), 1,
		    "EC key with explicit curve parameters refused");
		ok(strstr(reason, "explicit curve parameters") != NULL, "reason names explicit parameters: %s", reason);
		ok(cert == NULL, "no certificate for an explicit-parameter key");
		OPENSSL_free(der);
		EVP_PKEY_free(xk);
	}
	der = make_csr(ec256, "/CN=named.example", "DNS:named.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0,
	    "named-curve P-256 key still accepted: %s", reason);
	X509_free(cert);
	cert = NULL;
	OPENSSL_free(der);

	EVP_PKEY *e3 = rsa_key_e(3);
	ok(e3 != NULL, "RSA-2048 key with e=3 generated");
	if (e3) {
		der = make_csr(e3, "/CN=e3.example", "DNS:e3.example", 0, 0, &len);
		is_int(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL), 1,
		    "RSA e=3 refused");
		ok(strstr(reason, "exponent must be odd and at least 65537") != NULL, "reason names the exponent: %s", reason);
		OPENSSL_free(der);
		EVP_PKEY_free(e3);
	}
	der = make_csr(rsa2048, "/CN=e65537.example", "DNS:e65537.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 0,
	    "RSA e=65537 accepted: %s", reason);
	OPENSSL_free(der);

	/* Wildcards: a whole left-most label over at least two labels. */
	static const struct { const char *san; int good; } wc[] = {
		{ "DNS:*.example.com", 1 }, { "DNS:*.a.b.example", 1 }, { "DNS:*.com", 0 },
		{ "DNS:*.com.", 0 }, { "DNS:*", 0 }, { "DNS:*.", 0 }, { "DNS:f*.example.com", 0 },
		{ "DNS:*x.example.com", 0 }, { "DNS:www.*.example.com", 0 }, { "DNS:**.example.com", 0 },
		{ "DNS:www.example.*", 0 },
	};
	for (size_t i = 0; i < sizeof(wc) / sizeof(wc[0]); i++) {
		GENERAL_NAME *g = cm_san_parse(wc[i].san, err, sizeof(err));
		ok((g != NULL) == wc[i].good, "%s %s", wc[i].san, wc[i].good ? "accepted" : "refused");
		GENERAL_NAME_free(g);
	}
	der = make_csr(ec256, "/CN=wild.example", "DNS:*.com", 0, 0, &len);
	is_int(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL), 1,
	    "CSR with SAN *.com refused");
	OPENSSL_free(der);

	/* key_usage lists: duplicates refused, every allowed word once fits. */
	const char *base = "[profile k]\next_key_usage = serverAuth\nmax_days = 10\nkey_types = rsa\n"
	    "subject_attrs = CN\nsan_types = DNS\n";
	snprintf(text, sizeof(text), "%skey_usage = digitalSignature keyEncipherment digitalSignature\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "listed twice"),
	    "duplicate key usage refused: %s", err);
	snprintf(text, sizeof(text), "%skey_usage = keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement "
	    "keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement "
	    "keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement keyAgreement\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) < 0 && strstr(err, "listed twice"),
	    "a key usage repeated 19 times (once an overflow) refused");
	snprintf(text, sizeof(text), "%skey_usage = digitalSignature nonRepudiation keyEncipherment "
	    "dataEncipherment keyAgreement\n", base);
	ok(cm_profiles_parse(&bad, text, strlen(text), "t", err, sizeof(err)) == 0 &&
	    strcmp(bad.p[0].key_usage, "digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment,keyAgreement") == 0,
	    "all five key usages once: %s", bad.p[0].key_usage);

	/* Sixteen extended key usages (the maximum) still build a certificate. */
	snprintf(text, sizeof(text), "[profile many]\nkey_usage = digitalSignature\n"
	    "ext_key_usage = serverAuth clientAuth codeSigning emailProtection timeStamping OCSPSigning "
	    "ipsecIKE msCodeInd msCodeCom msCTLSign msEFS msSmartcardLogin nsSGC ipsecEndSystem "
	    "ipsecTunnel ipsecUser\nmax_days = 10\nkey_types = ec\nec_curves = P-256\n"
	    "subject_attrs = CN\nsan_types = DNS\n");
	struct cm_profiles many;
	ok(cm_profiles_parse(&many, text, strlen(text), "t", err, sizeof(err)) == 0 && many.p[0].neku == 16,
	    "profile with 16 EKUs parses: %s", err);
	der = make_csr(ec256, "/CN=many.example", "DNS:many.example", 0, 0, &len);
	struct cm_profile_request in = { der, len, 0, NULL, NULL, 0, NULL, 0, 0 };
	struct cm_profile_plan plan;
	if (cm_profile_check(&many.p[0], &in, &plan, reason, sizeof(reason)) == 0) {
		unsigned char serial[CM_SERIAL_LEN];
		cm_serial_new(serial);
		cert = cm_issue_build(&many.p[0], &plan, ca_cert, ca_key, serial, NULL, reason, sizeof(reason));
		EXTENDED_KEY_USAGE *eku = cert ? X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL) : NULL;
		ok(eku && sk_ASN1_OBJECT_num(eku) == 16, "certificate carries all 16 EKUs: %s", reason);
		sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
		X509_free(cert);
		cert = NULL;
		cm_profile_plan_free(&plan);
	} else {
		ok(0, "16-EKU policy check: %s", reason);
	}
	OPENSSL_free(der);
}

static void
test_names(void)
{
	char err[256];
	X509_NAME *n = cm_dn_parse("/O=Ex\\/ample/CN=a b", err, sizeof(err));
	ok(n && X509_NAME_entry_count(n) == 2, "DN with escaped slash");
	X509_NAME_free(n);
	ok(cm_dn_parse("CN=x", err, sizeof(err)) == NULL, "DN must start with /");
	ok(cm_dn_parse("/XX=x", err, sizeof(err)) == NULL, "unknown attribute refused");
	ok(cm_dn_parse("/CN=", err, sizeof(err)) == NULL, "empty value refused");
	GENERAL_NAME *g = cm_san_parse("IP:not-an-ip", err, sizeof(err));
	ok(g == NULL, "bad IP refused");
	g = cm_san_parse("dirName:x", err, sizeof(err));
	ok(g == NULL && strstr(err, "not DNS, IP, email or URI"), "unsupported SAN type refused");
	g = cm_san_parse("email:@x", err, sizeof(err));
	ok(g == NULL, "bad email refused");
	g = cm_san_parse("URI:https://example.com/x", err, sizeof(err));
	ok(g != NULL, "URI accepted");
	GENERAL_NAME_free(g);

	unsigned char s[CM_SERIAL_LEN];
	int good = 1;
	for (int i = 0; i < 200; i++) {
		int zero = 1;
		if (cm_serial_new(s) < 0 || (s[0] & 0x80))
			good = 0;
		for (int k = 0; k < CM_SERIAL_LEN; k++)
			if (s[k])
				zero = 0;
		if (zero)
			good = 0;
	}
	ok(good, "200 serials: top bit clear, never zero");
	char hex[33];
	memset(s, 0xab, sizeof(s));
	cm_serial_hex(s, hex);
	is_str(hex, "abababababababababababababababab", "serial hex");
}

/* The key usage of a certificate as OpenSSL reads it (KU_* bits), or -1. */
static long
ku_of(X509 *cert)
{
	return cert && (X509_get_extension_flags(cert) & EXFLAG_KUSAGE) ? (long)X509_get_key_usage(cert) : -1;
}

/* Issue 8: key usage by key type (RFC 5480) and the S/MIME validity cap. */
static void
test_limits(void)
{
	char reason[512], err[512];
	size_t len;
	unsigned char *der;
	X509 *cert = NULL;

	der = make_csr(ec256, "/CN=ec.example", "DNS:ec.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "EC tls-server issued: %s", reason);
	is_int(ku_of(cert), KU_DIGITAL_SIGNATURE, "EC tls-server: digitalSignature only, no keyEncipherment");
	X509_free(cert);
	cert = NULL;
	OPENSSL_free(der);
	der = make_csr(rsa2048, "/CN=rsa.example", "DNS:rsa.example", 0, 0, &len);
	ok(check("tls-server", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "RSA tls-server issued: %s", reason);
	is_int(ku_of(cert), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT, "RSA tls-server keeps keyEncipherment");
	X509_free(cert);
	cert = NULL;
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=Alice", "email:alice@example.com", 0, 0, &len);
	ok(check("client-smime", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "EC client-smime issued: %s", reason);
	is_int(ku_of(cert), KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION, "EC client-smime: no keyEncipherment");
	X509_free(cert);
	cert = NULL;
	ok(check("client-smime", der, len, 826, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "826 days exceeds the 825-day maximum"), "client-smime 826 days refused: %s", reason);
	OPENSSL_free(der);

	/* client-device (SCEP device certificates): clientAuth only, a CN, SANs optional. */
	der = make_csr(rsa2048, "/CN=router1.example.com", NULL, 0, 0, &len);
	ok(check("client-device", der, len, 825, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "RSA client-device with a CN and no SAN issued: %s", reason);
	is_int(ku_of(cert), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT, "RSA client-device: digitalSignature keyEncipherment");
	if (cert) {
		uint32_t x = X509_get_extended_key_usage(cert);
		ok((x & XKU_SSL_CLIENT) && !(x & XKU_SMIME) && !(x & XKU_SSL_SERVER), "client-device: clientAuth only");
	}
	X509_free(cert);
	cert = NULL;
	ok(check("client-device", der, len, 826, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "exceeds the 825-day maximum"), "client-device 826 days refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=phone7.example.com", "DNS:phone7.example.com,email:ops@example.com", 0, 0, &len);
	ok(check("client-device", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), &cert) == 0 && cert,
	    "EC client-device with DNS and e-mail SANs issued: %s", reason);
	is_int(ku_of(cert), KU_DIGITAL_SIGNATURE, "EC client-device: no keyEncipherment");
	X509_free(cert);
	cert = NULL;
	OPENSSL_free(der);
	der = make_csr(ec256, "/O=Example", "DNS:nocn.example.com", 0, 0, &len);
	ok(check("client-device", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "requires a subject CN"), "client-device without CN refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=dev.example.com", "IP:10.1.2.3", 0, 0, &len);
	ok(check("client-device", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "IP subjectAltNames are not allowed"), "client-device IP SAN refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ec256, "/CN=dev.example.com/emailAddress=a@example.com", NULL, 0, 0, &len);
	ok(check("client-device", der, len, 0, NULL, 0, NULL, 0, 0, reason, sizeof(reason), NULL) == 1 &&
	    strstr(reason, "subject attribute emailAddress is not allowed"), "client-device emailAddress refused: %s", reason);
	OPENSSL_free(der);

	/* A profile of its own: keyAgreement stays for EC, goes for Ed25519;
	 * nothing left for an EC key is a refusal, not an empty keyUsage. */
	static struct cm_profiles kp;
	const char *text = "[profile ka]\nkey_usage = digitalSignature keyEncipherment keyAgreement\n"
	    "ext_key_usage = serverAuth\nmax_days = 10\nkey_types = rsa ec ed25519\nec_curves = P-256\n"
	    "subject_attrs = CN\nsan_types = DNS\n"
	    "[profile encrypt-only]\nkey_usage = keyEncipherment\next_key_usage = serverAuth\nmax_days = 10\n"
	    "key_types = rsa ec\nec_curves = P-256\nsubject_attrs = CN\nsan_types = DNS\n";
	ok(cm_profiles_parse(&kp, text, strlen(text), "ka", err, sizeof(err)) == 0, "key-usage profiles load: %s", err);
	struct cm_profile_plan plan;
	der = make_csr(ec256, "/CN=ka.example", "DNS:ka.example", 0, 0, &len);
	struct cm_profile_request in = { der, len, 0, NULL, NULL, 0, NULL, 0, 0 };
	ok(cm_profile_check(cm_profile_find(&kp, "ka"), &in, &plan, reason, sizeof(reason)) == 0 &&
	    strcmp(plan.key_usage, "digitalSignature,keyAgreement") == 0, "EC: keyAgreement kept (%s)", plan.key_usage);
	cm_profile_plan_free(&plan);
	ok(cm_profile_check(cm_profile_find(&kp, "encrypt-only"), &in, &plan, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "no key usage that fits an EC key"), "EC under an encrypt-only profile refused: %s", reason);
	OPENSSL_free(der);
	der = make_csr(ed, "/CN=ed.example", "DNS:ed.example", 0, 0, &len);
	in.csr_der = der;
	in.csr_len = len;
	ok(cm_profile_check(cm_profile_find(&kp, "ka"), &in, &plan, reason, sizeof(reason)) == 0 &&
	    strcmp(plan.key_usage, "digitalSignature") == 0, "Ed25519: digitalSignature only (%s)", plan.key_usage);
	cm_profile_plan_free(&plan);
	OPENSSL_free(der);
	der = make_csr(rsa2048, "/CN=rsa.example", "DNS:rsa.example", 0, 0, &len);
	in.csr_der = der;
	in.csr_len = len;
	ok(cm_profile_check(cm_profile_find(&kp, "ka"), &in, &plan, reason, sizeof(reason)) == 0 &&
	    strcmp(plan.key_usage, "digitalSignature,keyEncipherment,keyAgreement") == 0,
	    "RSA keeps the profile's usages (%s)", plan.key_usage);
	cm_profile_plan_free(&plan);
	OPENSSL_free(der);

	/* The S/MIME cap holds whatever the profile file says. */
	text = "[profile long-smime]\nkey_usage = digitalSignature\next_key_usage = emailProtection\n"
	    "max_days = 1095\nkey_types = ec\nec_curves = P-256\nsubject_attrs = CN\nsan_types = email\n";
	ok(cm_profiles_parse(&kp, text, strlen(text), "long", err, sizeof(err)) < 0 &&
	    strstr(err, "max_days 1095 is above 825"), "an S/MIME profile over 825 days is refused at load: %s", err);
}

int
main(void)
{
	char err[256];
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ec256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *cn = cm_dn_parse("/O=Test/CN=Test CA", err, sizeof(err));
	ca_cert = cm_ca_cert_build(cn, ca_key, NULL, ca_key, 3650, 0, NULL, NULL, err, sizeof(err));
	X509_NAME_free(cn);
	ok(ca_cert != NULL, "test CA built");

	test_load();
	test_policy();
	test_names();
	test_hardening();
	test_limits();

	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec521);
	EVP_PKEY_free(ed);
	return tap_done();
}
