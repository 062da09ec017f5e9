/* test_crl.c: unit tests for the signer's CRLs (signer/crl.c): the persisted CRL number and the streaming DER encoder, checked with OpenSSL's own parser. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "signer_client.h"
#include "tap.h"

/* A self-signed CA of key for the encoder to sign with (with a
 * subjectKeyIdentifier unless no_ski, as some imported CAs). */
static X509 *
make_ca_ski(EVP_PKEY *key, int no_ski)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX v;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Test CRL CA", -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v, x, x, NULL, NULL, 0);
	if (!no_ski) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v, NID_subject_key_identifier, "hash");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

static X509 *
make_ca(EVP_PKEY *key)
{
	return make_ca_ski(key, 0);
}

/* The signed CRL of e, parsed. */
static X509_CRL *
read_back(const struct cm_crl_enc *e)
{
	size_t len = cm_crl_enc_len(e), off = 0;
	unsigned char *der = malloc(len), chunk[7];
	/* Odd chunks cross the head/body/tail boundaries. */
	while (off < len) {
		size_t n = cm_crl_enc_read(e, off, chunk, sizeof(chunk));
		if (n == 0)
			break;
		memcpy(der + off, chunk, n);
		off += n;
	}
	const unsigned char *p = der;
	X509_CRL *crl = off == len ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
	if (crl && p != der + len) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	free(der);
	return crl;
}

static void
test_encoder(const char *alg)
{
	EVP_PKEY *key = strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ca = make_ca(key);
	struct cm_crl_enc e;
	struct cm_buf b;
	char reason[256];
	time_t now = time(NULL);

	/* Empty: revokedCertificates is left out, as RFC 5280 asks. */
	cm_crl_enc_init(&e);
	ok(cm_crl_enc_sign(&e, ca, key, NULL, now, now + 3600, 7, reason, sizeof(reason)) < 0 &&
	    cm_crl_enc_len(&e) == 0, "%s: a key without a streaming digest is refused", alg);
	ok(cm_crl_enc_sign(&e, ca, key, EVP_sha256(), now, now + 3600, 7, reason, sizeof(reason)) == 0, "%s: empty CRL signed", alg);
	X509_CRL *crl = read_back(&e);
	ok(crl != NULL, "%s: empty CRL parses", alg);
	ok(crl && X509_CRL_verify(crl, key) == 1, "%s: empty CRL verifies", alg);
	ok(crl && sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) <= 0, "%s: no entries", alg);
	ASN1_INTEGER *num = crl ? X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL) : NULL;
	ok(num && ASN1_INTEGER_get(num) == 7, "%s: CRL number 7", alg);
	ASN1_INTEGER_free(num);
	ok(crl && X509_CRL_get_version(crl) == X509_CRL_VERSION_2, "%s: v2", alg);
	X509_CRL_free(crl);
	ok(cm_crl_enc_sign(&e, ca, key, EVP_sha256(), now, now + 3600, 8, reason, sizeof(reason)) < 0, "%s: signed only once", alg);
	cm_crl_enc_free(&e);

	/* Entries: serials with and without the high bit, leading zeros,
	 * every reason, a time after 2049 (GeneralizedTime). */
	cm_crl_enc_init(&e);
	cm_buf_init(&b, 0);
	unsigned char s1[16], s2[3] = { 0x00, 0x00, 0x05 }, s3[20];
	memset(s1, 0xab, sizeof(s1));
	memset(s3, 0x7f, sizeof(s3));
	cm_signer_crl_pack(&b, s1, sizeof(s1), (uint64_t)now - 60, 1);
	cm_signer_crl_pack(&b, s2, sizeof(s2), (uint64_t)now - 120, 0);
	cm_signer_crl_pack(&b, s3, sizeof(s3), 2650000000ULL, 10);
	int r = cm_crl_enc_add(&e, (const unsigned char *)b.data, b.len, reason, sizeof(reason));
	ok(r == 0, "%s: three entries added (%s)", alg, r ? reason : "");
	/* A batch with one bad entry keeps nothing of that batch. */
	struct cm_buf bad;
	cm_buf_init(&bad, 0);
	cm_signer_crl_pack(&bad, s1, sizeof(s1), (uint64_t)now, 1);
	cm_signer_crl_pack(&bad, s1, sizeof(s1), (uint64_t)now, 7);
	ok(cm_crl_enc_add(&e, (const unsigned char *)bad.data, bad.len, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "reason code 7") && e.count == 3, "%s: reason 7 refused, batch dropped: %s", alg, reason);
	cm_buf_reset(&bad);
	unsigned char zero[2] = { 0, 0 };
	cm_signer_crl_pack(&bad, zero, sizeof(zero), (uint64_t)now, 1);
	ok(cm_crl_enc_add(&e, (const unsigned char *)bad.data, bad.len, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "serial number 0"), "%s: serial 0 refused", alg);
	ok(cm_crl_enc_add(&e, (const unsigned char *)bad.data, bad.len - 1, reason, sizeof(reason)) == 1 &&
	    strstr(reason, "truncated"), "%s: truncated entry refused", alg);
	const unsigned char toolong[] = { 21 };
	ok(cm_crl_enc_add(&e, toolong, sizeof(toolong), reason, sizeof(reason)) == 1, "%s: 21-byte serial refused", alg);
	cm_buf_free(&bad);
	ok(cm_crl_enc_sign(&e, ca, key, EVP_sha256(), now, now + 86400, 123456789012ULL, reason, sizeof(reason)) == 0,
	    "%s: CRL with entries signed", alg);
	crl = read_back(&e);
	ok(crl && X509_CRL_verify(crl, key) == 1, "%s: CRL with entries verifies", alg);
	STACK_OF(X509_REVOKED) *rev = crl ? X509_CRL_get_REVOKED(crl) : NULL;
	ok(rev && sk_X509_REVOKED_num(rev) == 3, "%s: three entries", alg);
	for (int i = 0; rev && i < sk_X509_REVOKED_num(rev); i++) {
		X509_REVOKED *x = sk_X509_REVOKED_value(rev, i);
		ASN1_ENUMERATED *rc = X509_REVOKED_get_ext_d2i(x, NID_crl_reason, NULL, NULL);
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(x), NULL);
		char *hex = BN_bn2hex(bn);
		if (i == 0)
			ok(strcmp(hex, "ABABABABABABABABABABABABABABABAB") == 0 && rc && ASN1_ENUMERATED_get(rc) == 1,
			    "%s: high-bit serial and keyCompromise (%s)", alg, hex);
		if (i == 1)
			ok(strcmp(hex, "05") == 0 && rc == NULL, "%s: leading zeros stripped, unspecified not encoded", alg);
		if (i == 2) {
			const ASN1_TIME *t = X509_REVOKED_get0_revocationDate(x);
			ok(rc && ASN1_ENUMERATED_get(rc) == 10 && ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME,
			    "%s: aACompromise, GeneralizedTime after 2049", alg);
		}
		OPENSSL_free(hex);
		BN_free(bn);
		ASN1_ENUMERATED_free(rc);
	}
	num = crl ? X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL) : NULL;
	ok(num != NULL, "%s: CRL number present", alg);
	uint64_t nv = 0;
	ok(num && ASN1_INTEGER_get_uint64(&nv, num) && nv == 123456789012ULL, "%s: large CRL number kept", alg);
	ASN1_INTEGER_free(num);
	AUTHORITY_KEYID *aki = crl ? X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL) : NULL;
	ok(aki && aki->keyid && ASN1_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca)) == 0,
	    "%s: authorityKeyIdentifier is the CA's key id", alg);
	AUTHORITY_KEYID_free(aki);
	ok(crl && X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) == 0, "%s: issuer is the CA", alg);
	ok(crl && ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl), now + 86400) == 0, "%s: nextUpdate", alg);
	X509_CRL_free(crl);
	ok(cm_crl_enc_read(&e, cm_crl_enc_len(&e), (unsigned char *)reason, 1) == 0, "%s: read at the end gives nothing", alg);
	cm_crl_enc_free(&e);
	cm_buf_free(&b);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* 100,000 entries: the encoder's memory is its DER, about 40 bytes each. */
static void
test_many(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ca = make_ca(key);
	struct cm_crl_enc e;
	struct cm_buf b;
	char reason[256];
	time_t now = time(NULL);
	int fails = 0;

	cm_crl_enc_init(&e);
	cm_buf_init(&b, 0);
	for (unsigned i = 1; i <= 100000; i++) {
		unsigned char s[16] = { 0x42 };
		memcpy(s + 12, &i, sizeof(i));
		cm_signer_crl_pack(&b, s, sizeof(s), (uint64_t)now - i, i % 3 ? 4 : 0);
		if (b.len > 60000) {
			fails += cm_crl_enc_add(&e, (const unsigned char *)b.data, b.len, reason, sizeof(reason)) != 0;
			cm_buf_reset(&b);
		}
	}
	fails += cm_crl_enc_add(&e, (const unsigned char *)b.data, b.len, reason, sizeof(reason)) != 0;
	ok(fails == 0 && e.count == 100000, "100000 entries added");
	ok(e.body.len < 100000 * 50, "entries take %zu bytes", e.body.len);
	ok(cm_crl_enc_sign(&e, ca, key, EVP_sha256(), now, now + 60, 1, reason, sizeof(reason)) == 0, "large CRL signed");
	X509_CRL *crl = read_back(&e);
	ok(crl && X509_CRL_verify(crl, key) == 1 && sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == 100000,
	    "large CRL parses and verifies");
	X509_CRL_free(crl);
	cm_crl_enc_free(&e);
	cm_buf_free(&b);
	X509_free(ca);
	EVP_PKEY_free(key);
}

static void
test_numbers(void)
{
	char dir[] = "/tmp/test_crl.XXXXXX", path[256], err[256];
	struct cm_crl_numbers n;
	uint64_t a = 0, b = 0, c = 0;

	ok(mkdtemp(dir) != NULL, "temp dir");
	ok(cm_crl_numbers_path("/var/lib/certmint/journal", path, sizeof(path)) == 0 &&
	    strcmp(path, "/var/lib/certmint/" CM_CRL_NUMBER_FILE) == 0, "counter next to the journal");
	snprintf(path, sizeof(path), "%s/%s", dir, CM_CRL_NUMBER_FILE);
	ok(cm_crl_numbers_open(&n, path, err, sizeof(err)) == 0 && n.last == 0, "a missing file starts at 0");
	/* A clock at 0 shows the counter alone; then the clock floor. */
	ok(cm_crl_numbers_next(&n, 0, &a, err, sizeof(err)) == 0 && a == 1, "first number 1");
	ok(cm_crl_numbers_next(&n, 0, &b, err, sizeof(err)) == 0 && b == 2, "then 2");
	ok(cm_crl_numbers_next(&n, 1000, &c, err, sizeof(err)) == 0 && c == 1000, "the clock lifts it to 1000");
	ok(cm_crl_numbers_next(&n, 5, &c, err, sizeof(err)) == 0 && c == 1001, "a clock going back does not");
	cm_crl_numbers_close(&n);
	ok(cm_crl_numbers_open(&n, path, err, sizeof(err)) == 0 && n.last == 1001, "survives a reopen (restart)");
	ok(cm_crl_numbers_next(&n, 0, &c, err, sizeof(err)) == 0 && c == 1002, "and goes on from there");
	cm_crl_numbers_close(&n);
	char tmp[300];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ok(access(tmp, F_OK) != 0, "no temporary file left");
	FILE *f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	ok(cm_crl_numbers_open(&n, path, err, sizeof(err)) < 0 && strstr(err, "refusing to guess"),
	    "a damaged file is refused: %s", err);
	unlink(path);
	/* An unwritable directory fails the number, never hands one out. */
	snprintf(path, sizeof(path), "%s/missing/%s", dir, CM_CRL_NUMBER_FILE);
	ok(cm_crl_numbers_open(&n, path, err, sizeof(err)) == 0, "open in a missing directory");
	ok(cm_crl_numbers_next(&n, 0, &c, err, sizeof(err)) < 0 && strstr(err, "cannot persist"),
	    "number not handed out when it cannot be persisted");
	cm_crl_numbers_close(&n);
	rmdir(dir);
}

/* A CA without a subjectKeyIdentifier: the CRL names it by issuer and serial. */
static void
test_no_ski(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ca = make_ca_ski(key, 1);
	struct cm_crl_enc e;
	char reason[256];

	cm_crl_enc_init(&e);
	ok(cm_crl_enc_sign(&e, ca, key, EVP_sha256(), time(NULL), time(NULL) + 60, 3, reason, sizeof(reason)) == 0,
	    "a CA without subjectKeyIdentifier signs (%s)", reason);
	X509_CRL *crl = read_back(&e);
	AUTHORITY_KEYID *aki = crl ? X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL) : NULL;
	ok(crl && X509_CRL_verify(crl, key) == 1 && aki && aki->keyid == NULL && aki->serial != NULL,
	    "... and names it by issuer and serial");
	AUTHORITY_KEYID_free(aki);
	X509_CRL_free(crl);
	cm_crl_enc_free(&e);
	X509_free(ca);
	EVP_PKEY_free(key);
}

int
main(void)
{
	test_no_ski();
	test_numbers();
	test_encoder("EC");
	test_encoder("RSA");
	test_many();
	return tap_done();
}
