/* test_scep_signer.c: signerd's SCEP side without a daemon: the plaintext classifier, the envelope intake (ciphers, recipient match by issuerAndSerialNumber and subjectKeyIdentifier, current and previous RA, refusals), the CertRep builder read back by OpenSSL, and the client's certrep packing bounds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tap.h"
#include "scep.h"
#include "signer_client.h"
#include "signer_proto.h"

struct pair {
	X509 *cert;
	EVP_PKEY *key;
};

/* An RSA-2048 key and a self-signed certificate for cn, with SKI: the
 * tests' RA pairs, requesters and CA. */
static struct pair
make_pair(const char *cn, long serial)
{
	struct pair p = { NULL, NULL };
	X509V3_CTX ctx;
	p.key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	p.cert = X509_new();
	X509_set_version(p.cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(p.cert), serial);
	X509_NAME *n = X509_get_subject_name(p.cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(p.cert, n);
	X509_gmtime_adj(X509_getm_notBefore(p.cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(p.cert), 86400);
	X509_set_pubkey(p.cert, p.key);
	X509V3_set_ctx(&ctx, p.cert, p.cert, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(p.cert, e, -1);
	X509_EXTENSION_free(e);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment");
	X509_add_ext(p.cert, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(p.cert, p.key, EVP_sha256());
	return p;
}

static void
free_pair(struct pair *p)
{
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
}

/* A DER PKCS#10 request of key, malloc'ed, its length in *len. */
static unsigned char *
csr_der(EVP_PKEY *key, size_t *len)
{
	X509_REQ *r = X509_REQ_new();
	unsigned char *der = NULL;
	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(r), "CN", MBSTRING_ASC,
	    (const unsigned char *)"device.demo.test", -1, -1, 0);
	X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword, MBSTRING_ASC,
	    (const unsigned char *)"sekrit-code", -1);
	X509_REQ_set_pubkey(r, key);
	X509_REQ_sign(r, key, EVP_sha256());
	int n = i2d_X509_REQ(r, &der);
	X509_REQ_free(r);
	*len = (size_t)n;
	return der;
}

/* SEQUENCE { a, b } of two DER values into out: its length. */
static size_t
seq2(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, unsigned char *out)
{
	size_t n = 0, inner = alen + blen;
	out[n++] = 0x30;
	if (inner < 128) {
		out[n++] = (unsigned char)inner;
	} else {
		out[n++] = 0x82;
		out[n++] = (unsigned char)(inner >> 8);
		out[n++] = (unsigned char)inner;
	}
	memcpy(out + n, a, alen);
	if (blen)
		memcpy(out + n + alen, b, blen);
	return n + inner;
}

static void
test_classify(EVP_PKEY *key, X509 *ca)
{
	unsigned char buf[4096], *name = NULL, *serial = NULL;
	size_t clen;
	unsigned char *csr = csr_der(key, &clen);
	int nlen = i2d_X509_NAME(X509_get_subject_name(ca), &name);
	int slen = i2d_ASN1_INTEGER(X509_get_serialNumber(ca), &serial);

	is_int(cm_scep_plain_classify(csr, clen), CM_SCEP_PLAIN_CSR, "a PKCS#10 request is one");
	memcpy(buf, csr, clen);
	buf[clen] = 0;
	is_int(cm_scep_plain_classify(buf, clen + 1), CM_SCEP_PLAIN_OTHER, "a request with a trailing byte is not");
	is_int(cm_scep_plain_classify(csr, clen - 1), CM_SCEP_PLAIN_OTHER, "a request cut short is not");
	size_t n = seq2(name, (size_t)nlen, serial, (size_t)slen, buf);
	is_int(cm_scep_plain_classify(buf, n), CM_SCEP_PLAIN_ISSUER_SERIAL, "SEQUENCE { Name, INTEGER } is IssuerAndSerialNumber");
	n = seq2(name, (size_t)nlen, name, (size_t)nlen, buf);
	is_int(cm_scep_plain_classify(buf, n), CM_SCEP_PLAIN_ISSUER_SUBJECT, "SEQUENCE { Name, Name } is IssuerAndSubject");
	buf[n] = 0x05;
	is_int(cm_scep_plain_classify(buf, n + 1), CM_SCEP_PLAIN_OTHER, "... with a trailing byte is not");
	n = seq2(name, (size_t)nlen, NULL, 0, buf);
	is_int(cm_scep_plain_classify(buf, n), CM_SCEP_PLAIN_OTHER, "SEQUENCE { Name } alone is not");
	unsigned char inner[4096];
	memcpy(inner, serial, (size_t)slen);
	memcpy(inner + slen, serial, (size_t)slen);
	n = seq2(name, (size_t)nlen, inner, 2 * (size_t)slen, buf);
	is_int(cm_scep_plain_classify(buf, n), CM_SCEP_PLAIN_OTHER, "SEQUENCE { Name, INTEGER, INTEGER } is not");
	n = seq2(serial, (size_t)slen, name, (size_t)nlen, buf);
	is_int(cm_scep_plain_classify(buf, n), CM_SCEP_PLAIN_OTHER, "SEQUENCE { INTEGER, Name } is not");
	is_int(cm_scep_plain_classify((const unsigned char *)"hello, world", 12), CM_SCEP_PLAIN_OTHER, "text is not");
	is_int(cm_scep_plain_classify(NULL, 0), CM_SCEP_PLAIN_OTHER, "nothing is not");
	is_int(cm_scep_plain_classify(name, (size_t)nlen), CM_SCEP_PLAIN_OTHER, "a bare Name is not");
	unsigned char *big = calloc(1, CM_SCEP_MAX_CONTENT + 2);
	memcpy(big, csr, clen);
	is_int(cm_scep_plain_classify(big, CM_SCEP_MAX_CONTENT + 1), CM_SCEP_PLAIN_OTHER, "over the size limit: not looked at");
	free(big);
	is_str(cm_scep_plain_name(CM_SCEP_PLAIN_ISSUER_SUBJECT), "IssuerAndSubject", "kinds are named");
	OPENSSL_free(csr);
	OPENSSL_free(name);
	OPENSSL_free(serial);
}

/* data enveloped to cert with cipher (flags: CMS_USE_KEYID for SKI), DER
 * into *der: its length, or -1. */
static int
envelope(X509 *cert, X509 *cert2, const EVP_CIPHER *cipher, const void *data, size_t len, unsigned flags,
    unsigned char **der)
{
	STACK_OF(X509) *rs = sk_X509_new_null();
	sk_X509_push(rs, cert);
	if (cert2)
		sk_X509_push(rs, cert2);
	BIO *in = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = CMS_encrypt(NULL, in, cipher, CMS_BINARY | CMS_PARTIAL);
	int n = -1;
	for (int i = 0; cms && i < sk_X509_num(rs); i++)
		if (CMS_add1_recipient_cert(cms, sk_X509_value(rs, i), flags) == NULL)
			goto out;
	if (cms && CMS_final(cms, in, NULL, CMS_BINARY))
		n = i2d_CMS_ContentInfo(cms, der);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	sk_X509_free(rs);
	return n;
}

static void
test_envelope(struct pair *ra, struct pair *prev, struct pair *other, EVP_PKEY *reqkey, X509 *ca)
{
	struct cm_scep_recipient cands[2] = { { ra->cert, ra->key }, { prev->cert, prev->key } };
	struct cm_buf out;
	unsigned char *env = NULL;
	const char *cipher;
	enum cm_scep_plain kind;
	char why[256];
	size_t clen;
	unsigned char *csr = csr_der(reqkey, &clen);
	int n;

	cm_buf_init(&out, 0);
	static const struct { const char *name; const EVP_CIPHER *(*c)(void); } cs[] = {
		{ "aes-128-cbc", EVP_aes_128_cbc }, { "aes-192-cbc", EVP_aes_192_cbc },
		{ "aes-256-cbc", EVP_aes_256_cbc }, { "des-ede3-cbc", EVP_des_ede3_cbc }, { "des-cbc", EVP_des_cbc },
	};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		env = NULL;
		n = envelope(ra->cert, NULL, cs[i].c(), csr, clen, 0, &env);
		ok(n > 0, "a %s envelope is made", cs[i].name);
		cm_buf_reset(&out);
		int r = cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why));
		ok(r == 0 && kind == CM_SCEP_PLAIN_CSR && out.len == clen && memcmp(out.data, csr, clen) == 0,
		    "a %s envelope opens to the CSR (%d: %s)", cs[i].name, r, r ? why : "");
		is_str(cipher, cs[i].name, "and names its cipher");
		OPENSSL_free(env);
	}
	/* By subjectKeyIdentifier, and to the previous RA certificate. */
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_aes_256_cbc(), csr, clen, CMS_USE_KEYID, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 0 &&
	    out.len == clen, "a recipient named by subjectKeyIdentifier is matched");
	OPENSSL_free(env);
	env = NULL;
	n = envelope(prev->cert, NULL, EVP_aes_128_cbc(), csr, clen, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 0 &&
	    out.len == clen, "an envelope to the previous RA certificate opens with the previous key");
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 1, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "not addressed to this RA"), "... and not when there is no previous pair");
	OPENSSL_free(env);
	/* To someone else only, and to someone else and the RA. */
	env = NULL;
	n = envelope(other->cert, NULL, EVP_aes_256_cbc(), csr, clen, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "not addressed to this RA") && out.len == 0, "an envelope to another certificate is refused: %s", why);
	OPENSSL_free(env);
	env = NULL;
	n = envelope(other->cert, ra->cert, EVP_aes_256_cbc(), csr, clen, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 0,
	    "an envelope to another certificate and the RA opens with the RA's recipient");
	OPENSSL_free(env);
	/* A certificate with the RA's issuer and serial but another key: the
	 * recipient matches, decryption fails with the one text. */
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_aes_256_cbc(), csr, clen, 0, &env);
	struct cm_scep_recipient wrong[1] = { { ra->cert, other->key } };
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, wrong, 1, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    out.len == 0, "the wrong key decrypts nothing: %s", why);
	char first[256];
	snprintf(first, sizeof(first), "%s", why);
	/* A flipped byte in the encrypted content (the last block). */
	env[n - 1] ^= 0x5a;
	cm_buf_reset(&out);
	int r = cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why));
	ok(r == 1 && out.len == 0, "a tampered envelope is refused: %s", why);
	/* One text for key and padding failures (when the padding fails). */
	ok(strcmp(why, first) == 0 || strstr(why, "no SCEP content"),
	    "with the decryption failure's one text, or as no SCEP content");
	OPENSSL_free(env);
	/* Arbitrary bytes inside: the signer is no decryption oracle. */
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_aes_256_cbc(), "attack at dawn", 14, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "no SCEP content") && out.len == 0, "arbitrary plaintext is refused: %s", why);
	OPENSSL_free(env);
	/* The CSR followed by a byte: not exactly one value. */
	unsigned char *more = malloc(clen + 1);
	memcpy(more, csr, clen);
	more[clen] = 0;
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_aes_256_cbc(), more, clen + 1, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "no SCEP content"), "a CSR with a trailing byte is refused");
	OPENSSL_free(env);
	free(more);
	/* IssuerAndSerialNumber inside. */
	unsigned char *name = NULL, *serial = NULL, ias[2048];
	int nl = i2d_X509_NAME(X509_get_subject_name(ca), &name), sl = i2d_ASN1_INTEGER(X509_get_serialNumber(ca), &serial);
	size_t il = seq2(name, (size_t)nl, serial, (size_t)sl, ias);
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_des_ede3_cbc(), ias, il, 0, &env);
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 0 &&
	    kind == CM_SCEP_PLAIN_ISSUER_SERIAL, "an IssuerAndSerialNumber envelope opens");
	OPENSSL_free(env);
	OPENSSL_free(name);
	OPENSSL_free(serial);
	/* Other ciphers are refused before any key is used. */
	env = NULL;
	n = envelope(ra->cert, NULL, EVP_aes_256_ofb(), csr, clen, 0, &env);
	cm_buf_reset(&out);
	ok(n > 0 && cm_scep_envelope_open(env, (size_t)n, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "cipher"), "an AES-256-OFB envelope is refused: %s", why);
	OPENSSL_free(env);
	/* Not an envelope, not DER, too big. */
	cm_buf_reset(&out);
	ok(cm_scep_envelope_open(csr, clen, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1,
	    "a CSR sent as the envelope is refused: %s", why);
	BIO *x = BIO_new_mem_buf("x", 1);
	CMS_ContentInfo *data = CMS_data_create(x, CMS_BINARY);
	unsigned char *dder = NULL;
	int dn = i2d_CMS_ContentInfo(data, &dder);
	ok(cm_scep_envelope_open(dder, (size_t)dn, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1 &&
	    strstr(why, "not an envelopedData"), "a ContentInfo of type data is refused: %s", why);
	CMS_ContentInfo_free(data);
	BIO_free(x);
	OPENSSL_free(dder);
	unsigned char *big = calloc(1, CM_SCEP_MAX_ENVELOPE + 1);
	ok(cm_scep_envelope_open(big, CM_SCEP_MAX_ENVELOPE + 1, cands, 2, &out, &cipher, &kind, why, sizeof(why)) == 1,
	    "an envelope over %d bytes is refused", CM_SCEP_MAX_ENVELOPE);
	free(big);
	ok(cm_scep_cipher("aes-256-cbc") != NULL && cm_scep_cipher("des-cbc") != NULL &&
	    cm_scep_cipher("aes-256-gcm") == NULL && cm_scep_cipher("rc2-cbc") == NULL && cm_scep_cipher(NULL) == NULL,
	    "exactly the five ciphers are named");
	OPENSSL_free(csr);
	cm_buf_free(&out);
}

/* The signed attribute oid of si as bytes (PrintableString or OCTET
 * STRING) into out: its length, or -1 when absent. */
static int
attr(CMS_SignerInfo *si, const char *oid, unsigned char *out, size_t max)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = CMS_signed_get_attr_by_OBJ(si, o, -1);
	ASN1_OBJECT_free(o);
	if (i < 0)
		return -1;
	ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0);
	if (t == NULL || (t->type != V_ASN1_PRINTABLESTRING && t->type != V_ASN1_OCTET_STRING))
		return -1;
	const ASN1_STRING *s = t->value.asn1_string;
	if ((size_t)s->length > max)
		return -1;
	memcpy(out, s->data, (size_t)s->length);
	return s->length;
}

static void
test_certrep(struct pair *ra, struct pair *req, X509 *issued)
{
	struct cm_scep_certrep in;
	struct cm_buf out;
	unsigned char nonce[CM_SCEP_NONCE_LEN], got[256];
	char why[256];

	RAND_bytes(nonce, sizeof(nonce));
	cm_buf_init(&out, 0);
	memset(&in, 0, sizeof(in));
	in.status = CM_SCEP_SUCCESS;
	in.transaction_id = "4A3B2C1D+/=";
	in.recipient_nonce = nonce;
	in.md = EVP_sha256();
	in.cipher = EVP_aes_256_cbc();
	in.recipient = req->cert;
	in.certs = sk_X509_new_null();
	sk_X509_push(in.certs, issued);
	ok(cm_scep_certrep_build(ra->cert, ra->key, &in, &out, why, sizeof(why)) == 0, "a SUCCESS CertRep is built");
	const unsigned char *p = (const unsigned char *)out.data;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
	ok(cms && OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed, "it is a DER signedData");
	X509_STORE *st = X509_STORE_new();
	X509_STORE_add_cert(st, ra->cert);
	BIO *content = BIO_new(BIO_s_mem());
	ok(CMS_verify(cms, NULL, st, NULL, content, CMS_BINARY) == 1, "it verifies with the RA certificate");
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	STACK_OF(X509) *signers = CMS_get0_signers(cms);
	ok(sk_X509_num(signers) == 1 && X509_cmp(sk_X509_value(signers, 0), ra->cert) == 0, "signed by the RA");
	sk_X509_free(signers);
	int n = attr(si, "2.16.840.1.113733.1.9.2", got, sizeof(got));
	ok(n == 1 && got[0] == '3', "messageType 3 (CertRep)");
	n = attr(si, "2.16.840.1.113733.1.9.3", got, sizeof(got));
	ok(n == 1 && got[0] == '0', "pkiStatus 0 (SUCCESS)");
	ok(attr(si, "2.16.840.1.113733.1.9.4", got, sizeof(got)) < 0, "no failInfo");
	n = attr(si, "2.16.840.1.113733.1.9.7", got, sizeof(got));
	ok(n == 11 && memcmp(got, "4A3B2C1D+/=", 11) == 0, "the transactionID");
	n = attr(si, "2.16.840.1.113733.1.9.6", got, sizeof(got));
	ok(n == CM_SCEP_NONCE_LEN && memcmp(got, nonce, sizeof(nonce)) == 0, "recipientNonce = the request's senderNonce");
	n = attr(si, "2.16.840.1.113733.1.9.5", got, sizeof(got));
	ok(n == CM_SCEP_NONCE_LEN && memcmp(got, nonce, sizeof(nonce)) != 0, "a fresh 16-byte senderNonce");
	ok(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0, "signingTime");
	X509_ALGOR *dig = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	ok(dig && OBJ_obj2nid(dig->algorithm) == NID_sha256, "signed with SHA-256 as asked");
	/* The content: the envelope to the requester of a certs-only PKCS#7. */
	char *cd;
	long cl = BIO_get_mem_data(content, &cd);
	p = (const unsigned char *)cd;
	CMS_ContentInfo *env = d2i_CMS_ContentInfo(NULL, &p, cl);
	BIO *plain = BIO_new(BIO_s_mem());
	ok(env && CMS_decrypt(env, req->key, req->cert, NULL, plain, CMS_BINARY) == 1, "its content decrypts with the requester's key");
	char *pd;
	long pl = BIO_get_mem_data(plain, &pd);
	p = (const unsigned char *)pd;
	PKCS7 *deg = d2i_PKCS7(NULL, &p, pl);
	ok(deg && PKCS7_type_is_signed(deg) && sk_PKCS7_SIGNER_INFO_num(deg->d.sign->signer_info) == 0 &&
	    sk_X509_num(deg->d.sign->cert) == 1 && X509_cmp(sk_X509_value(deg->d.sign->cert, 0), issued) == 0,
	    "to a degenerate certs-only PKCS#7 holding the certificate");
	PKCS7_free(deg);
	BIO_free(plain);
	CMS_ContentInfo_free(env);
	BIO_free(content);
	CMS_ContentInfo_free(cms);

	/* FAILURE: failInfo, empty content (kept, not detached: certmonger's
	 * PKCS7_verify needs it); SHA-1 and no recipientNonce. */
	cm_buf_reset(&out);
	sk_X509_free(in.certs);
	memset(&in, 0, sizeof(in));
	in.status = CM_SCEP_FAILURE;
	in.fail_info = CM_SCEP_BAD_CERT_ID;
	in.transaction_id = "t-1";
	in.md = EVP_sha1();
	ok(cm_scep_certrep_build(ra->cert, ra->key, &in, &out, why, sizeof(why)) == 0, "a FAILURE CertRep is built");
	p = (const unsigned char *)out.data;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
	ASN1_OCTET_STRING **pos = cms ? CMS_get0_content(cms) : NULL;
	ok(cms && pos && *pos && ASN1_STRING_length(*pos) == 0 && !CMS_is_detached(cms),
	    "with empty content, not detached");
	BIO *out_content = BIO_new(BIO_s_mem());
	ok(CMS_verify(cms, NULL, st, NULL, out_content, CMS_BINARY) == 1 && BIO_pending(out_content) == 0,
	    "it verifies (over its empty content)");
	BIO_free(out_content);
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	n = attr(si, "2.16.840.1.113733.1.9.3", got, sizeof(got));
	ok(n == 1 && got[0] == '2', "pkiStatus 2 (FAILURE)");
	n = attr(si, "2.16.840.1.113733.1.9.4", got, sizeof(got));
	ok(n == 1 && got[0] == '4', "failInfo 4 (badCertId)");
	ok(attr(si, "2.16.840.1.113733.1.9.6", got, sizeof(got)) < 0, "no recipientNonce when the request had none");
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	ok(dig && OBJ_obj2nid(dig->algorithm) == NID_sha1, "signed with SHA-1 as asked");
	CMS_ContentInfo_free(cms);

	/* PENDING: no failInfo, empty content. */
	cm_buf_reset(&out);
	in.status = CM_SCEP_PENDING;
	in.md = EVP_sha512();
	ok(cm_scep_certrep_build(ra->cert, ra->key, &in, &out, why, sizeof(why)) == 0, "a PENDING CertRep is built");
	p = (const unsigned char *)out.data;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
	si = cms ? sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0) : NULL;
	ok(si && !CMS_is_detached(cms) && attr(si, "2.16.840.1.113733.1.9.4", got, sizeof(got)) < 0 &&
	    attr(si, "2.16.840.1.113733.1.9.3", got, sizeof(got)) == 1 && got[0] == '3',
	    "pkiStatus 3, no failInfo, empty content");
	CMS_ContentInfo_free(cms);
	X509_STORE_free(st);
	cm_buf_free(&out);
}

static void
test_client_pack(void)
{
	struct cm_signer_scep_certrep_req req;
	struct cm_buf b;
	struct cm_msg *m = malloc(sizeof(*m));
	unsigned char nonce[CM_SCEP_NONCE_LEN] = { 1, 2, 3 };
	static const unsigned char c1[] = { 0x30, 0x00 };
	const unsigned char *certs[5] = { c1, c1, c1, c1, c1 };
	size_t lens[5] = { 2, 2, 2, 2, 2 };
	char err[256], tid[200];
	uint32_t v;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	memset(&req, 0, sizeof(req));
	req.pki_status = CM_SCEP_SUCCESS;
	req.transaction_id = "abc";
	req.recipient_nonce = nonce;
	req.digest = "sha256";
	req.cipher = "aes-256-cbc";
	req.recipient_cert = c1;
	req.recipient_cert_len = 2;
	req.certs = certs;
	req.cert_lens = lens;
	req.ncerts = 4;
	ok(cm_signer_scep_certrep_pack(&b, 7, &req, err, sizeof(err)) == 0, "a SUCCESS with four certificates packs");
	struct cm_frame_hdr h;
	cm_hdr_decode((const unsigned char *)b.data, &h, err, sizeof(err));
	ok(h.op == OP_SCEP_CERTREP && h.request_id == 7, "as a scep-certrep frame");
	ok(cm_msg_decode(OP_SCEP_CERTREP, CM_MSG_REQUEST, (const unsigned char *)b.data + CM_PROTO_HDR_LEN,
	    b.len - CM_PROTO_HDR_LEN, m, err, sizeof(err)) == 0, "that decodes as a scep-certrep request");
	size_t nc = 0;
	for (size_t i = 0; i < m->nfields; i++)
		nc += m->fields[i].tag == TAG_CERT_DER;
	ok(nc == 4 && cm_msg_get(m, TAG_SCEP_FAIL_INFO) == NULL && cm_msg_get(m, TAG_SCEP_RECIPIENT_NONCE) &&
	    cm_msg_get(m, TAG_SCEP_RECIPIENT_NONCE)->len == CM_SCEP_NONCE_LEN && cm_msg_get(m, TAG_SCEP_CIPHER),
	    "with its certificates, nonce and cipher, no fail-info");
	req.ncerts = 5;
	cm_buf_reset(&b);
	ok(cm_signer_scep_certrep_pack(&b, 7, &req, err, sizeof(err)) == -1, "five certificates do not pack: %s", err);
	req.ncerts = 1;
	req.transaction_id = "";
	ok(cm_signer_scep_certrep_pack(&b, 7, &req, err, sizeof(err)) == -1, "an empty transactionID does not pack");
	memset(tid, 'a', 129);
	tid[129] = '\0';
	req.transaction_id = tid;
	ok(cm_signer_scep_certrep_pack(&b, 7, &req, err, sizeof(err)) == -1, "a 129-character transactionID does not pack");
	tid[128] = '\0';
	cm_buf_reset(&b);
	ok(cm_signer_scep_certrep_pack(&b, 7, &req, err, sizeof(err)) == 0, "128 characters pack");
	memset(&req, 0, sizeof(req));
	req.pki_status = CM_SCEP_FAILURE;
	req.fail_info = CM_SCEP_BAD_REQUEST;
	req.transaction_id = "abc";
	req.digest = "sha1";
	cm_buf_reset(&b);
	ok(cm_signer_scep_certrep_pack(&b, 8, &req, err, sizeof(err)) == 0 &&
	    cm_msg_decode(OP_SCEP_CERTREP, CM_MSG_REQUEST, (const unsigned char *)b.data + CM_PROTO_HDR_LEN,
	    b.len - CM_PROTO_HDR_LEN, m, err, sizeof(err)) == 0 &&
	    cm_msg_get_u32(m, TAG_SCEP_FAIL_INFO, &v) == 0 && v == CM_SCEP_BAD_REQUEST &&
	    cm_msg_get(m, TAG_SCEP_RECIPIENT_NONCE) == NULL && cm_msg_get(m, TAG_CERT_DER) == NULL,
	    "a FAILURE packs its fail-info, no nonce, no certificate");
	req.digest = NULL;
	ok(cm_signer_scep_certrep_pack(&b, 8, &req, err, sizeof(err)) == -1, "no digest does not pack");
	ok(CM_SCEP_SUCCESS == 0 && CM_SCEP_FAILURE == 2 && CM_SCEP_PENDING == 3 && CM_SCEP_BAD_ALG == 0 &&
	    CM_SCEP_BAD_CERT_ID == 4 && CM_SCEP_NONCE_LEN == 16 && CM_SCEP_MAX_ENVELOPE == 65536,
	    "the wire constants are RFC 8894's");
	cm_buf_free(&b);
	free(m);
}

int
main(void)
{
	ok(cm_scep_load_legacy() == 0, "the legacy provider loads (single DES)");
	struct pair ra = make_pair("Test SCEP RA", 1001), prev = make_pair("Test SCEP RA", 1000);
	struct pair other = make_pair("Someone Else", 7), req = make_pair("device.demo.test", 42);
	struct pair issued = make_pair("issued.demo.test", 99);
	test_classify(req.key, ra.cert);
	test_envelope(&ra, &prev, &other, req.key, ra.cert);
	test_certrep(&ra, &req, issued.cert);
	test_client_pack();
	free_pair(&ra);
	free_pair(&prev);
	free_pair(&other);
	free_pair(&req);
	free_pair(&issued);
	cm_scep_unload_legacy();
	return tap_done();
}
