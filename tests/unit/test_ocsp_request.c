/* test_ocsp_request.c: unit tests of ocsp.fcgi's request parser and GET decoder (lib/ocsp_request.c): every bound and the serial mapping. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "ocsp_request.h"
#include "tap.h"

/* A request of n CertIDs (hash md, issuer CN=Test CA with key bits
 * 22222222, serial from hex, negated when neg), with a nonce extension
 * (twice when twice) whose extnValue contents are nonce (nlen bytes; none
 * when NULL), as DER in out. Returns its length. */
static int
make(const EVP_MD *md, int n, const char *hex, int neg, const unsigned char *nonce, int nlen,
    int twice, unsigned char *out, size_t cap)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	X509_NAME *name = X509_NAME_new();
	ASN1_BIT_STRING *key = ASN1_BIT_STRING_new();
	unsigned char *p = NULL;
	int len;

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Test CA", -1, -1, 0);
	ASN1_BIT_STRING_set(key, (unsigned char *)"\x22\x22\x22\x22", 4);
	for (int i = 0; i < n; i++) {
		BIGNUM *bn = NULL;
		BN_hex2bn(&bn, hex);
		BN_set_negative(bn, neg);
		ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
		OCSP_CERTID *id = OCSP_cert_id_new(md, name, key, serial);
		ASN1_INTEGER_free(serial);
		OCSP_request_add0_id(req, id);
		BN_free(bn);
	}
	for (int t = 0; nonce && t < (twice ? 2 : 1); t++) {
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(os, nonce, nlen);
		X509_EXTENSION *ext = X509_EXTENSION_create_by_NID(NULL, NID_id_pkix_OCSP_Nonce, 0, os);
		OCSP_REQUEST_add_ext(req, ext, -1);
		X509_EXTENSION_free(ext);
		ASN1_OCTET_STRING_free(os);
	}
	len = i2d_OCSP_REQUEST(req, &p);
	if (len > 0 && (size_t)len <= cap)
		memcpy(out, p, (size_t)len);
	OPENSSL_free(p);
	OCSP_REQUEST_free(req);
	X509_NAME_free(name);
	ASN1_BIT_STRING_free(key);
	return len;
}

int
main(void)
{
	static unsigned char der[20000], dec[CM_OCSP_REQ_MAX];
	struct cm_ocsp_request rq;
	unsigned char nonce[40] = { 0x04, 0x10 };
	int n;

	/* One SHA-1 CertID, no nonce: the fast path's shape. */
	n = make(EVP_sha1(), 1, "1CB9D83F78327C8CD862DA8E892D0AEC", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "one SHA-1 CertID parses");
	is_int(rq.nsingles, 1, "... one single");
	is_int(rq.singles[0].hash, CM_OCSP_HASH_SHA1, "... hash SHA-1");
	is_int(rq.singles[0].name_hash_len, 20, "... name hash of 20 bytes");
	unsigned char kh[20];
	SHA1((const unsigned char *)"\x22\x22\x22\x22", 4, kh);
	ok(rq.singles[0].key_hash_len == 20 && memcmp(rq.singles[0].key_hash, kh, 20) == 0, "... the key hash copied");
	is_str(rq.singles[0].serial_hex, "1cb9d83f78327c8cd862da8e892d0aec", "... serial_hex lowercase, 32 digits");
	is_int(rq.singles[0].serial_len, 16, "... the serial's 16 bytes for the signer");
	is_int(rq.nonce_len, 0, "... no nonce");
	is_int(cm_ocsp_request_parse(der, (size_t)n - 1, &rq), -1, "one byte short: refused");
	der[n] = 0;
	is_int(cm_ocsp_request_parse(der, (size_t)n + 1, &rq), -1, "a trailing byte: refused");
	is_int(cm_ocsp_request_parse(der, 0, &rq), -1, "nothing: refused");
	is_int(cm_ocsp_request_parse((const unsigned char *)"garbage", 7, &rq), -1, "garbage: refused");

	/* Serial forms. */
	n = make(EVP_sha1(), 1, "AB", 0, NULL, 0, 0, der, sizeof(der));
	cm_ocsp_request_parse(der, (size_t)n, &rq);
	is_str(rq.singles[0].serial_hex, "000000000000000000000000000000ab", "a short serial is left-padded to 16 bytes");
	is_int(rq.singles[0].serial_len, 1, "... and sent to the signer as its one byte");
	n = make(EVP_sha1(), 1, "0102030405060708090A0B0C0D0E0F1011", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "a 17-byte serial parses");
	is_str(rq.singles[0].serial_hex, "", "... but is never one of ours");
	is_int(rq.singles[0].serial_len, 17, "... though the signer can answer unknown for it");
	n = make(EVP_sha1(), 1, "0102030405060708090A0B0C0D0E0F101112131415", 0, NULL, 0, 0, der, sizeof(der));
	cm_ocsp_request_parse(der, (size_t)n, &rq);
	is_int(rq.singles[0].serial_len, 0, "a 21-byte serial: no serial at all");
	n = make(EVP_sha1(), 1, "05", 1, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "a negative serial parses");
	ok(rq.singles[0].serial_len == 0 && rq.singles[0].serial_hex[0] == '\0', "... as no serial");

	/* Hash algorithms. */
	n = make(EVP_sha256(), 2, "01", 0, NULL, 0, 0, der, sizeof(der));
	cm_ocsp_request_parse(der, (size_t)n, &rq);
	ok(rq.nsingles == 2 && rq.singles[1].hash == CM_OCSP_HASH_SHA256 && rq.singles[1].key_hash_len == 32,
	    "two SHA-256 CertIDs");
	n = make(EVP_sha512(), 1, "01", 0, NULL, 0, 0, der, sizeof(der));
	cm_ocsp_request_parse(der, (size_t)n, &rq);
	ok(rq.singles[0].hash == CM_OCSP_HASH_SHA512 && rq.singles[0].name_hash_len == 64, "SHA-512 and its 64 bytes");
	n = make(EVP_md5(), 1, "01", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "an MD5 CertID parses");
	is_int(rq.singles[0].hash, 0, "... as an algorithm not served");

	/* Counts. */
	n = make(EVP_sha1(), CM_OCSP_MAX_SINGLES, "01", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "16 CertIDs parse");
	n = make(EVP_sha1(), CM_OCSP_MAX_SINGLES + 1, "01", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "17 CertIDs: refused");
	n = make(EVP_sha1(), 0, "01", 0, NULL, 0, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "no CertID: refused");
	n = make(EVP_sha1(), 250, "0102030405060708090A0B0C0D0E0F10", 0, NULL, 0, 0, der, sizeof(der));
	ok(n > CM_OCSP_REQ_MAX, "(a request over 8 KiB)");
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "over CM_OCSP_REQ_MAX: refused");

	/* Nonces (RFC 8954: an OCTET STRING of 1..32 octets inside). */
	memset(nonce + 2, 0xab, 16);
	n = make(EVP_sha1(), 1, "01", 0, nonce, 18, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "a 16-octet nonce parses");
	ok(rq.nonce_len == 18 && memcmp(rq.nonce, nonce, 18) == 0, "... its extnValue contents kept verbatim");
	nonce[1] = 32;
	n = make(EVP_sha1(), 1, "01", 0, nonce, 34, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), 0, "a 32-octet nonce parses");
	nonce[1] = 33;
	n = make(EVP_sha1(), 1, "01", 0, nonce, 35, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "a 33-octet nonce: refused");
	nonce[1] = 0;
	n = make(EVP_sha1(), 1, "01", 0, nonce, 2, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "an empty nonce: refused");
	n = make(EVP_sha1(), 1, "01", 0, (const unsigned char *)"\xab\xcd\xef", 3, 0, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "a nonce that is not an OCTET STRING: refused");
	nonce[1] = 16;
	n = make(EVP_sha1(), 1, "01", 0, nonce, 18, 1, der, sizeof(der));
	is_int(cm_ocsp_request_parse(der, (size_t)n, &rq), -1, "two nonce extensions: refused");

	/* The GET form. */
	is_int(cm_ocsp_request_from_url("TWFu", 4, dec, sizeof(dec)), 3, "base64 decodes");
	ok(memcmp(dec, "Man", 3) == 0, "... to its bytes");
	is_int(cm_ocsp_request_from_url("TWE%3D", 6, dec, sizeof(dec)), 2, "%3D is the padding");
	is_int(cm_ocsp_request_from_url("TWE", 3, dec, sizeof(dec)), 2, "missing padding is fine");
	is_int(cm_ocsp_request_from_url("a%2Fb%2B", 8, dec, sizeof(dec)), 3, "%2F and %2B are '/' and '+'");
	is_int(cm_ocsp_request_from_url("a/b+", 4, dec, sizeof(dec)), 3, "... as are '/' and '+' unencoded");
	is_int(cm_ocsp_request_from_url("TW=u", 4, dec, sizeof(dec)), -1, "data after the padding: refused");
	is_int(cm_ocsp_request_from_url("TW.u", 4, dec, sizeof(dec)), -1, "a stray byte: refused");
	is_int(cm_ocsp_request_from_url("TWF%", 4, dec, sizeof(dec)), -1, "a cut %-escape: refused");
	is_int(cm_ocsp_request_from_url("TWF%zz", 6, dec, sizeof(dec)), -1, "a bad %-escape: refused");
	is_int(cm_ocsp_request_from_url("T", 1, dec, sizeof(dec)), -1, "a lone digit: refused");
	is_int(cm_ocsp_request_from_url("TWFuTWFu", 8, dec, 5), -1, "over the cap: refused");

	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
