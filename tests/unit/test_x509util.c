/* test_x509util.c: CSR intake errors, CSR/certificate descriptions and the PEM/DER/PKCS#7 encodings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "x509util.h"

static X509_EXTENSION *
ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
	return X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
}

/* A CSR signed by key, with CN and (when san) a subjectAltName. */
static X509_REQ *
make_csr(EVP_PKEY *key, const char *cn, const char *san)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_REQ_get_subject_name(req);

	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Demo <Org>", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_pubkey(req, key);
	if (san) {
		STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();

		sk_X509_EXTENSION_push(exts, ext(NULL, NULL, NID_subject_alt_name, san));
		X509_REQ_add_extensions(req, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	X509_REQ_sign(req, key, EVP_sha256());
	return req;
}

static char *
csr_pem(X509_REQ *req)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s;
	long n;

	PEM_write_bio_X509_REQ(b, req);
	n = BIO_get_mem_data(b, &data);
	s = strndup(data, (size_t)n);
	BIO_free(b);
	return s;
}

static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *signkey, X509 *issuer, const char *cn, int ca, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, key);
	if (ca) {
		X509_EXTENSION *e = ext(issuer ? issuer : x, x, NID_basic_constraints, "critical,CA:TRUE");

		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	} else {
		const struct { int nid; const char *v; } es[] = {
			{ NID_basic_constraints, "critical,CA:FALSE" },
			{ NID_key_usage, "critical,digitalSignature,keyEncipherment" },
			{ NID_ext_key_usage, "serverAuth" },
			{ NID_subject_alt_name, "DNS:www.demo.test,email:ops@demo.test" },
		};
		for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++) {
			X509_EXTENSION *e = ext(issuer, x, es[i].nid, es[i].v);

			X509_add_ext(x, e, -1);
			X509_EXTENSION_free(e);
		}
	}
	X509_sign(x, signkey, EVP_sha256());
	return x;
}

static void
test_csr(EVP_PKEY *rsa, EVP_PKEY *ec)
{
	X509_REQ *req = make_csr(rsa, "www.demo.test", "DNS:www.demo.test,IP:192.0.2.7,email:a@demo.test");
	X509_REQ *got = NULL;
	struct cm_csr_info ci;
	struct cm_buf der;
	char *pem = csr_pem(req), *bad = NULL, err[256];
	size_t len = strlen(pem);

	ok(cm_csr_load(pem, len, &got, err, sizeof(err)) == 0, "PEM CSR loads");
	ok(cm_csr_describe(got, &ci) == 0, "CSR describes");
	is_str(ci.cn, "www.demo.test", "CN");
	is_str(ci.subject, "CN=www.demo.test,O=Demo \\<Org\\>", "subject in RFC 2253 form");
	is_int(ci.sans.n, 3, "three SANs");
	if (ci.sans.n == 3) {
		is_str(ci.sans.v[0], "DNS:www.demo.test", "SAN DNS");
		is_str(ci.sans.v[1], "IP:192.0.2.7", "SAN IP");
		is_str(ci.sans.v[2], "email:a@demo.test", "SAN email");
	}
	is_str(ci.key.type, "rsa", "key type");
	is_int(ci.key.bits, 2048, "key bits");
	is_str(ci.sig_alg, "sha256WithRSAEncryption", "signature algorithm");
	is_int(ci.sig_valid, 1, "signature valid");
	cm_csr_info_free(&ci);
	X509_REQ_free(got);
	got = NULL;

	/* DER form, and DER with a byte after it. */
	cm_buf_init(&der, 0);
	ok(cm_csr_der(req, &der) == 0, "CSR to DER");
	ok(cm_csr_load(der.data, der.len, &got, err, sizeof(err)) == 0, "DER CSR loads");
	X509_REQ_free(got);
	got = NULL;
	cm_buf_putc(&der, 'x');
	ok(cm_csr_load(der.data, der.len, &got, err, sizeof(err)) < 0 && strstr(err, "trailing data"),
	    "DER with trailing data refused: %s", err);

	/* A flipped byte in the signature (the last byte of the DER). */
	der.len--;
	der.data[der.len - 1] ^= 0x01;
	ok(cm_csr_load(der.data, der.len, &got, err, sizeof(err)) == 0, "tampered CSR still parses");
	ok(got && cm_csr_describe(got, &ci) == 0 && ci.sig_valid == 0, "tampered CSR: signature does not verify");
	cm_csr_info_free(&ci);
	X509_REQ_free(got);
	got = NULL;
	cm_buf_free(&der);

	/* PEM with trailing junk. */
	bad = malloc(len + 32);
	memcpy(bad, pem, len);
	memcpy(bad + len, "junk after the end\n", 20);
	ok(cm_csr_load(bad, len + 19, &got, err, sizeof(err)) < 0 && strstr(err, "trailing data"),
	    "PEM with trailing data refused: %s", err);
	/* Trailing whitespace is fine. */
	memcpy(bad + len, "\n\n  \n", 5);
	ok(cm_csr_load(bad, len + 5, &got, err, sizeof(err)) == 0, "PEM with trailing blank lines loads");
	X509_REQ_free(got);
	got = NULL;
	free(bad);

	ok(cm_csr_load("hello", 5, &got, err, sizeof(err)) < 0 && strstr(err, "not a PEM CSR"),
	    "garbage refused: %s", err);
	ok(cm_csr_load("", 0, &got, err, sizeof(err)) < 0 && strstr(err, "empty"), "empty refused: %s", err);
	ok(cm_csr_load("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 58, &got, err,
	    sizeof(err)) < 0 && strstr(err, "not a PEM CSR"), "wrong label refused: %s", err);
	ok(cm_csr_load("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
	    76, &got, err, sizeof(err)) < 0 && strstr(err, "not a PEM CSR"), "bad base64 refused: %s", err);
	bad = calloc(1, CM_X509_MAX_INPUT + 1);
	memset(bad, 'A', CM_X509_MAX_INPUT);
	ok(cm_csr_load(bad, CM_X509_MAX_INPUT + 1, &got, err, sizeof(err)) < 0 && strstr(err, "64 KiB"),
	    "oversized input refused: %s", err);
	free(bad);
	ok(got == NULL, "no object on failure");
	free(pem);
	X509_REQ_free(req);

	/* EC key, no SANs. */
	req = make_csr(ec, "ec.demo.test", NULL);
	pem = csr_pem(req);
	ok(cm_csr_load(pem, strlen(pem), &got, err, sizeof(err)) == 0 && cm_csr_describe(got, &ci) == 0,
	    "EC CSR loads and describes");
	is_str(ci.key.type, "ec", "EC key type");
	is_str(ci.key.curve, "P-256", "EC curve");
	is_int(ci.key.bits, 256, "EC bits");
	is_int(ci.sans.n, 0, "no SANs");
	cm_csr_info_free(&ci);
	X509_REQ_free(got);
	X509_REQ_free(req);
	free(pem);
}

static void
test_cert(EVP_PKEY *rsa, EVP_PKEY *ec)
{
	X509 *root = make_cert(ec, ec, NULL, "Test Root", 1, 1);
	X509 *leaf = make_cert(rsa, ec, root, "www.demo.test", 0, 0x1234abcd);
	X509 *got = NULL;
	STACK_OF(X509) *chain = sk_X509_new_null(), *loaded = NULL;
	struct cm_cert_info xi;
	struct cm_buf b;
	const unsigned char *p;
	PKCS7 *p7;
	char err[256];

	ok(cm_cert_describe(leaf, &xi) == 0, "certificate describes");
	is_str(xi.serial_hex, "1234abcd", "serial lowercase hex");
	is_str(xi.subject, "CN=www.demo.test", "subject");
	is_str(xi.issuer, "CN=Test Root", "issuer");
	is_str(xi.email, "ops@demo.test", "email from SAN");
	is_int(xi.sans.n, 2, "two SANs");
	is_int(xi.ekus.n, 1, "one EKU");
	if (xi.ekus.n == 1)
		is_str(xi.ekus.v[0], "serverAuth", "EKU serverAuth");
	is_int(xi.key_usage.n, 2, "two key usages");
	is_int(xi.is_ca, 0, "not a CA");
	is_int((long)strlen(xi.sha256), 95, "SHA-256 fingerprint with colons");
	is_int((long)strlen(xi.sha256_hex), 64, "SHA-256 hex");
	ok(xi.not_after - xi.not_before == 86400L * 30, "validity read");
	is_int((long)strlen(xi.not_after_str), 19, "DATETIME text");
	cm_cert_info_free(&xi);

	sk_X509_push(chain, root);
	is_int(cm_find_issuer(leaf, chain), 0, "issuer found in candidates");
	is_int(cm_find_issuer(root, NULL), -1, "no candidates, no issuer");

	cm_buf_init(&b, 0);
	ok(cm_cert_der(leaf, &b) == 0, "cert to DER");
	{
		struct cm_buf pem;

		cm_buf_init(&pem, 0);
		ok(cm_der_to_pem(b.data, b.len, &pem) == 0 && strstr(pem.data, "-----BEGIN CERTIFICATE-----"),
		    "DER to PEM");
		ok(cm_cert_load(pem.data, pem.len, &got, err, sizeof(err)) == 0 &&
		    X509_cmp(got, leaf) == 0, "PEM certificate loads back");
		X509_free(got);
		got = NULL;
		ok(cm_cert_pem(root, &pem) == 0 &&
		    cm_certs_load_pem(pem.data, pem.len, &loaded, err, sizeof(err)) == 0 &&
		    sk_X509_num(loaded) == 2, "PEM bundle of two loads");
		sk_X509_pop_free(loaded, X509_free);
		cm_buf_free(&pem);
	}
	cm_buf_reset(&b);
	ok(cm_p7b_der(leaf, chain, &b) == 0, "PKCS#7 DER");
	p = (const unsigned char *)b.data;
	p7 = d2i_PKCS7(NULL, &p, (long)b.len);
	ok(p7 && PKCS7_type_is_signed(p7) && sk_X509_num(p7->d.sign->cert) == 2,
	    "PKCS#7 is SignedData with cert + chain");
	PKCS7_free(p7);
	cm_buf_reset(&b);
	ok(cm_p7b_pem(leaf, NULL, &b) == 0 && strstr(b.data, "-----BEGIN PKCS7-----"), "PKCS#7 PEM");
	cm_buf_free(&b);
	sk_X509_free(chain);
	X509_free(leaf);
	X509_free(root);
}

int
main(void)
{
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	EVP_PKEY *ec = EVP_EC_gen("P-256");

	ok(rsa && ec, "test keys generated");
	test_csr(rsa, ec);
	test_cert(rsa, ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	return tap_done();
}
