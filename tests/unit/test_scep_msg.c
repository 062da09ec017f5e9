/* test_scep_msg.c: unit tests of the SCEP message layer (lib/scep_msg.c, scep_content.c, scep_ca.c) on messages built here with OpenSSL and one captured from Debian's scepclient. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "scep_msg.h"
#include "tap.h"

#define OID_MESSAGE_TYPE   "2.16.840.1.113733.1.9.2"
#define OID_SENDER_NONCE   "2.16.840.1.113733.1.9.5"
#define OID_TRANSACTION_ID "2.16.840.1.113733.1.9.7"

static EVP_PKEY *ca_key, *ra_key, *cl_key, *other_key;
static X509 *ca, *ra, *self, *other_self;
static X509_REQ *csr;
static unsigned char *csr_der;
static int csr_len;
static const unsigned char NONCE[16] = "0123456789abcdef";

static void
die(const char *what)
{
	printf("Bail out! %s\n", what);
	ERR_print_errors_fp(stdout);
	exit(1);
}

static X509_NAME *
name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	return n;
}

/* A certificate of key under subject cn, signed by issuer (self-signed when NULL). */
static X509 *
cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = name(cn);
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()))
		die("cannot sign a certificate");
	X509_NAME_free(n);
	return x;
}

/* How to build one test pkiMessage. */
struct spec {
	const EVP_CIPHER *cipher;
	const EVP_MD *md;
	const char *type;           /* NULL: no messageType */
	const char *tid;            /* NULL: no transactionID */
	const unsigned char *nonce; /* NULL: no senderNonce */
	int nonce_len;
	const unsigned char *content;   /* plaintext to envelope; NULL: the CSR */
	int content_len;
	int raw_content;            /* sign content as is, without an envelope */
	int second_signer;
	int no_certs;
	int keyid;                  /* signer identified by SKI */
	int with_chain;             /* the CA certificate in certificates too */
	int tamper;                 /* 1 signature, 2 attribute, 3 content */
};

static void
spec_default(struct spec *s)
{
	memset(s, 0, sizeof *s);
	s->cipher = EVP_aes_256_cbc();
	s->md = EVP_sha256();
	s->type = "19";
	s->tid = "3F2A9C0B11D5E7A8";
	s->nonce = NONCE;
	s->nonce_len = 16;
}

static void
flip(ASN1_STRING *s)
{
	int n = ASN1_STRING_length(s);
	unsigned char *c = malloc((size_t)n);

	memcpy(c, ASN1_STRING_get0_data(s), (size_t)n);
	c[n / 2] ^= 1;
	ASN1_STRING_set(s, c, n);
	free(c);
}

static void
add_attr(CMS_SignerInfo *si, const char *oid, int type, const void *v, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);

	if (!CMS_signed_add1_attr_by_OBJ(si, o, type, v, len))
		die("cannot add an attribute");
	ASN1_OBJECT_free(o);
}

/* The DER envelope of content to the RA, malloc'ed by OpenSSL. */
static int
envelope(const unsigned char *content, int len, const EVP_CIPHER *cipher, unsigned char **der)
{
	STACK_OF(X509) *r = sk_X509_new_null();
	BIO *in = BIO_new_mem_buf(content, len);
	CMS_ContentInfo *env;
	int n;

	sk_X509_push(r, ra);
	env = CMS_encrypt(r, in, cipher, CMS_BINARY);
	if (env == NULL)
		die("CMS_encrypt");
	*der = NULL;
	n = i2d_CMS_ContentInfo(env, der);
	CMS_ContentInfo_free(env);
	BIO_free(in);
	sk_X509_free(r);
	return n;
}

/* The pkiMessage of s (DER, OPENSSL_free it); *len its length. */
static unsigned char *
build(const struct spec *s, size_t *len)
{
	const unsigned char *plain = s->content != NULL ? s->content : csr_der;
	int plen = s->content != NULL ? s->content_len : csr_len, n;
	unsigned char *inner = NULL, *der = NULL;
	STACK_OF(X509) *chain = sk_X509_new_null();
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	BIO *bio;
	unsigned flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP;

	if (s->raw_content) {
		inner = OPENSSL_memdup(plain, (size_t)plen);
		n = plen;
	} else {
		n = envelope(plain, plen, s->cipher, &inner);
	}
	bio = BIO_new_mem_buf(inner, n);
	if (s->with_chain)
		sk_X509_push(chain, ca);
	cms = CMS_sign(NULL, NULL, chain, NULL, CMS_PARTIAL | CMS_BINARY);
	if (s->no_certs)
		flags |= CMS_NOCERTS;
	if (s->keyid)
		flags |= CMS_USE_KEYID;
	si = CMS_add1_signer(cms, self, cl_key, s->md, flags);
	if (si == NULL)
		die("CMS_add1_signer");
	if (s->type != NULL)
		add_attr(si, OID_MESSAGE_TYPE, V_ASN1_PRINTABLESTRING, s->type, (int)strlen(s->type));
	if (s->tid != NULL)
		add_attr(si, OID_TRANSACTION_ID, V_ASN1_PRINTABLESTRING, s->tid, (int)strlen(s->tid));
	if (s->nonce != NULL)
		add_attr(si, OID_SENDER_NONCE, V_ASN1_OCTET_STRING, s->nonce, s->nonce_len);
	if (s->second_signer
	    && CMS_add1_signer(cms, other_self, other_key, EVP_sha256(), flags) == NULL)
		die("second signer");
	if (!CMS_final(cms, bio, NULL, CMS_BINARY))
		die("CMS_final");
	if (s->tamper == 1)
		flip(CMS_SignerInfo_get0_signature(si));
	if (s->tamper == 2) {
		ASN1_OBJECT *o = OBJ_txt2obj(OID_TRANSACTION_ID, 1);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(
		    CMS_signed_get_attr(si, CMS_signed_get_attr_by_OBJ(si, o, -1)), 0);
		flip(t->value.asn1_string);
		ASN1_OBJECT_free(o);
	}
	if (s->tamper == 3)
		flip(*CMS_get0_content(cms));
	*len = (size_t)i2d_CMS_ContentInfo(cms, &der);
	CMS_ContentInfo_free(cms);
	BIO_free(bio);
	OPENSSL_free(inner);
	sk_X509_free(chain);
	return der;
}

/* Parses the message of s; returns rc, *fi the failInfo. */
static int
parse_spec(const struct spec *s, struct cm_scep_request *r, int *fi, char *err, size_t errlen)
{
	size_t n;
	unsigned char *m = build(s, &n);
	int rc = cm_scep_parse(m, n, r, fi, err, errlen);

	OPENSSL_free(m);
	return rc;
}

/* Expects parse of s to fail with want; names the case. */
static void
expect_fail(const struct spec *s, int want, const char *what)
{
	struct cm_scep_request r;
	char err[256] = "";
	int fi = -1, rc = parse_spec(s, &r, &fi, err, sizeof err);

	if (!ok(rc == -1 && fi == want && err[0] != '\0', "%s: failInfo %d", what, want))
		printf("#   rc %d failInfo %d err '%s'\n", rc, fi, err);
	cm_scep_request_free(&r);
}

static void
test_valid(void)
{
	struct spec s;
	struct cm_scep_request r;
	char err[256] = "";
	int fi = -1;
	unsigned char *sd = NULL;
	int sdn = i2d_X509(self, &sd);
	CMS_ContentInfo *env;
	const unsigned char *q;
	BIO *plain = BIO_new(BIO_s_mem());
	char *pd;
	long pn;
	struct cm_scep_csr c;
	long now = (long)time(NULL);

	spec_default(&s);
	is_int(parse_spec(&s, &r, &fi, err, sizeof err), 0, "valid PKCSReq parses");
	is_int(fi, -1, "no failInfo on success");
	is_int(r.message_type, CM_SCEP_MSG_PKCSREQ, "messageType 19");
	is_str(r.transaction_id, "3F2A9C0B11D5E7A8", "transactionID");
	ok(r.has_sender_nonce && memcmp(r.sender_nonce, NONCE, 16) == 0, "senderNonce");
	is_str(r.digest, "sha256", "digest sha256");
	is_str(r.envelope_cipher, "aes-256-cbc", "envelope cipher aes-256-cbc");
	ok(r.signer_cert_len == (size_t)sdn && memcmp(r.signer_cert, sd, (size_t)sdn) == 0,
	    "signer certificate is the self-signed one");
	ok(r.signing_time > now - 600 && r.signing_time < now + 600, "signingTime read");
	q = r.envelope;
	env = d2i_CMS_ContentInfo(NULL, &q, (long)r.envelope_len);
	ok(env != NULL && q == r.envelope + r.envelope_len
	    && OBJ_obj2nid(CMS_get0_type(env)) == NID_pkcs7_enveloped, "envelope is DER EnvelopedData");
	ok(env != NULL && CMS_decrypt(env, ra_key, ra, NULL, plain, CMS_BINARY) == 1,
	    "envelope decrypts with the RA key");
	pn = BIO_get_mem_data(plain, &pd);
	ok(pn == csr_len && memcmp(pd, csr_der, (size_t)csr_len) == 0, "to the CSR");
	is_int(cm_scep_parse_csr((unsigned char *)pd, (size_t)pn, &c, err, sizeof err), 0,
	    "decrypted CSR parses");
	is_str(c.challenge, "secret-Code-1234", "its challengePassword");
	cm_scep_csr_free(&c);
	CMS_ContentInfo_free(env);
	BIO_free(plain);
	OPENSSL_free(sd);
	cm_scep_request_free(&r);
	ok(r.envelope == NULL && r.signer_cert == NULL, "request_free clears");

	/* Other types, a chain next to the signer, a signer named by SKI. */
	spec_default(&s);
	s.type = "17";
	is_int(parse_spec(&s, &r, &fi, err, sizeof err), 0, "RenewalReq parses");
	is_int(r.message_type, CM_SCEP_MSG_RENEWALREQ, "messageType 17");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.with_chain = 1;
	s.keyid = 1;
	is_int(parse_spec(&s, &r, &fi, err, sizeof err), 0,
	    "signer by subjectKeyIdentifier with a CA certificate beside it");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.tid = "9TduCK61mLbsCKwZNV4XTlkqsmk=";   /* scepclient's base64 form */
	is_int(parse_spec(&s, &r, &fi, err, sizeof err), 0, "base64 transactionID");
	is_str(r.transaction_id, "9TduCK61mLbsCKwZNV4XTlkqsmk=", "kept as sent");
	cm_scep_request_free(&r);
}

static void
test_ciphers_digests(void)
{
	static const struct { const char *evp, *want; } ciphers[] = {
		{ "aes-128-cbc", "aes-128-cbc" }, { "aes-192-cbc", "aes-192-cbc" },
		{ "aes-256-cbc", "aes-256-cbc" }, { "des-ede3-cbc", "des-ede3-cbc" },
		{ "des-cbc", "des-cbc" },
	};
	static const struct { const char *md, *want; } digests[] = {
		{ "sha1", "sha1" }, { "sha256", "sha256" }, { "sha512", "sha512" },
	};
	struct spec s;
	struct cm_scep_request r;
	char err[256];
	int fi;
	size_t i;

	for (i = 0; i < sizeof ciphers / sizeof ciphers[0]; i++) {
		spec_default(&s);
		s.cipher = EVP_get_cipherbyname(ciphers[i].evp);
		if (s.cipher == NULL)
			die("cipher missing (legacy provider?)");
		ok(parse_spec(&s, &r, &fi, err, sizeof err) == 0, "parses with %s", ciphers[i].evp);
		is_str(r.envelope_cipher, ciphers[i].want, "envelope cipher named");
		cm_scep_request_free(&r);
	}
	spec_default(&s);
	s.cipher = EVP_get_cipherbyname("camellia-128-cbc");
	ok(parse_spec(&s, &r, &fi, err, sizeof err) == 0, "an unknown envelope cipher still parses");
	is_str(r.envelope_cipher, "", "and is named \"\"");
	cm_scep_request_free(&r);

	for (i = 0; i < sizeof digests / sizeof digests[0]; i++) {
		spec_default(&s);
		s.md = EVP_get_digestbyname(digests[i].md);
		ok(parse_spec(&s, &r, &fi, err, sizeof err) == 0, "parses with %s", digests[i].md);
		is_str(r.digest, digests[i].want, "digest named");
		cm_scep_request_free(&r);
	}
	spec_default(&s);
	s.md = EVP_md5();
	expect_fail(&s, CM_SCEP_BAD_ALG, "MD5 digest");
	ok(parse_spec(&s, &r, &fi, err, sizeof err) < 0 && strcmp(r.transaction_id,
	    "3F2A9C0B11D5E7A8") == 0 && r.has_sender_nonce && r.signer_cert != NULL,
	    "badAlg still gives transactionID, nonce, signer for the reply");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.md = EVP_sha384();
	expect_fail(&s, CM_SCEP_BAD_ALG, "SHA-384 digest (the signer cannot answer in it)");
}

static void
test_attributes(void)
{
	struct spec s;
	struct cm_scep_request r;
	char err[256];
	int fi;
	char longtid[CM_SCEP_MAX_TRANSACTION_ID + 2];
	static const unsigned char short_nonce[8] = "01234567";

	spec_default(&s);
	s.type = NULL;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "messageType missing");
	parse_spec(&s, &r, &fi, err, sizeof err);
	ok(strcmp(r.transaction_id, "3F2A9C0B11D5E7A8") == 0 && r.has_sender_nonce,
	    "messageType missing: transactionID and nonce still read");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.tid = NULL;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "transactionID missing");
	spec_default(&s);
	s.nonce = NULL;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "senderNonce missing");

	spec_default(&s);
	s.type = "3";
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "messageType CertRep");
	spec_default(&s);
	s.type = "019";
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "messageType 019");
	spec_default(&s);
	s.type = "PKCSReq";
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "messageType not a number");
	spec_default(&s);
	s.type = "";
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "messageType empty");
	spec_default(&s);
	memset(longtid, 'A', sizeof longtid - 1);
	longtid[sizeof longtid - 1] = '\0';
	s.tid = longtid;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "transactionID of 129 characters");
	longtid[CM_SCEP_MAX_TRANSACTION_ID] = '\0';
	s.tid = longtid;
	ok(parse_spec(&s, &r, &fi, err, sizeof err) == 0 && strlen(r.transaction_id) == CM_SCEP_MAX_TRANSACTION_ID,
	    "transactionID of 128 characters kept whole");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.tid = "ab\ncd";
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "transactionID with a newline");
	parse_spec(&s, &r, &fi, err, sizeof err);
	is_str(r.transaction_id, "", "a bad transactionID is not echoed");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.nonce = short_nonce;
	s.nonce_len = 8;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "senderNonce of 8 bytes");
}

static void
test_structure(void)
{
	struct spec s;
	struct cm_scep_request r;
	char err[256];
	int fi;
	size_t n;
	unsigned char *m, *env, *big;
	int en;
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };

	spec_default(&s);
	s.tamper = 1;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "tampered signature");
	parse_spec(&s, &r, &fi, err, sizeof err);
	ok(strcmp(r.transaction_id, "3F2A9C0B11D5E7A8") == 0 && r.has_sender_nonce
	    && r.signer_cert != NULL && strcmp(r.digest, "sha256") == 0,
	    "tampered signature: reply fields still read");
	cm_scep_request_free(&r);
	spec_default(&s);
	s.tamper = 2;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "tampered signed attribute");
	spec_default(&s);
	s.tamper = 3;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "tampered content");
	spec_default(&s);
	s.no_certs = 1;
	expect_fail(&s, CM_SCEP_BAD_MESSAGE_CHECK, "signer certificate not included");
	spec_default(&s);
	s.second_signer = 1;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "two signers");
	spec_default(&s);
	s.raw_content = 1;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "content a CSR, not EnvelopedData");
	parse_spec(&s, &r, &fi, err, sizeof err);
	is_str(r.transaction_id, "3F2A9C0B11D5E7A8", "content not enveloped: transactionID read");
	cm_scep_request_free(&r);

	big = malloc(CM_SCEP_MAX_ENVELOPE);
	RAND_bytes(big, CM_SCEP_MAX_ENVELOPE);
	spec_default(&s);
	s.content = big;
	s.content_len = CM_SCEP_MAX_ENVELOPE;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "EnvelopedData over CM_SCEP_MAX_ENVELOPE");
	s.content_len = CM_SCEP_MAX_ENVELOPE - 1024;
	ok(parse_spec(&s, &r, &fi, err, sizeof err) == 0 && r.envelope_len <= CM_SCEP_MAX_ENVELOPE,
	    "EnvelopedData just under CM_SCEP_MAX_ENVELOPE taken");
	cm_scep_request_free(&r);
	free(big);

	/* Signed content that is CMS, but not enveloped: a pkiMessage inside one. */
	spec_default(&s);
	m = build(&s, &n);
	s.content = m;
	s.content_len = (int)n;
	s.raw_content = 1;
	expect_fail(&s, CM_SCEP_BAD_REQUEST, "content a SignedData, not EnvelopedData");
	OPENSSL_free(m);

	/* Not SignedData: the envelope alone. */
	en = envelope(csr_der, csr_len, EVP_aes_128_cbc(), &env);
	is_int(cm_scep_parse(env, (size_t)en, &r, &fi, err, sizeof err), -1, "EnvelopedData alone refused");
	is_int(fi, CM_SCEP_BAD_REQUEST, "as badRequest");
	cm_scep_request_free(&r);
	OPENSSL_free(env);

	spec_default(&s);
	m = build(&s, &n);
	big = malloc(n + 1);
	memcpy(big, m, n);
	big[n] = 0;
	is_int(cm_scep_parse(big, n + 1, &r, &fi, err, sizeof err), -1, "a trailing byte refused");
	is_int(fi, CM_SCEP_BAD_REQUEST, "as badRequest");
	cm_scep_request_free(&r);
	is_int(cm_scep_parse(m, n - 1, &r, &fi, err, sizeof err), -1, "a truncated message refused");
	is_int(fi, CM_SCEP_BAD_REQUEST, "as badRequest");
	cm_scep_request_free(&r);
	free(big);
	OPENSSL_free(m);

	big = calloc(1, CM_SCEP_MAX_MESSAGE + 1);
	is_int(cm_scep_parse(big, CM_SCEP_MAX_MESSAGE + 1, &r, &fi, err, sizeof err), -1,
	    "over CM_SCEP_MAX_MESSAGE refused");
	ok(fi == CM_SCEP_BAD_REQUEST && strstr(err, "limit") != NULL, "as badRequest, saying the limit");
	free(big);
	is_int(cm_scep_parse(junk, sizeof junk, &r, &fi, err, sizeof err), -1, "garbage refused");
	is_int(fi, CM_SCEP_BAD_REQUEST, "as badRequest");
	is_int(cm_scep_parse(junk, 0, &r, &fi, err, sizeof err), -1, "empty refused");
	is_int(cm_scep_parse(NULL, 0, &r, &fi, err, sizeof err), -1, "NULL refused");
}

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(65536);

	if (f == NULL)
		die(path);
	*n = fread(b, 1, 65536, f);
	fclose(f);
	return b;
}

/* A PKCSReq captured from Debian's scepclient 2.1.0 (micromdm): SHA-1,
 * single DES, a base64 transactionID, signed by a "SCEP SIGNER"
 * certificate of its own, the envelope to both the RA and the CA. */
static void
test_real_client(void)
{
	size_t n;
	unsigned char *m = slurp(SRCDIR "/tests/fuzz/corpus/scep_msg/scepclient-pkcsreq.der", &n);
	unsigned char *c;
	struct cm_scep_request r;
	struct cm_scep_csr csr_;
	const unsigned char *q;
	X509 *sx;
	char err[256] = "", cn[64] = "";
	int fi;

	is_int(cm_scep_parse(m, n, &r, &fi, err, sizeof err), 0, "scepclient's PKCSReq parses");
	if (err[0])
		printf("#   %s\n", err);
	is_int(r.message_type, CM_SCEP_MSG_PKCSREQ, "scepclient: PKCSReq");
	is_str(r.transaction_id, "9TduCK61mLbsCKwZNV4XTlkqsmk=", "scepclient: transactionID");
	is_str(r.digest, "sha1", "scepclient: SHA-1");
	is_str(r.envelope_cipher, "des-cbc", "scepclient: single DES");
	ok(r.has_sender_nonce, "scepclient: senderNonce");
	q = r.signer_cert;
	sx = d2i_X509(NULL, &q, (long)r.signer_cert_len);
	if (sx != NULL)
		X509_NAME_get_text_by_NID(X509_get_subject_name(sx), NID_commonName, cn, sizeof cn);
	is_str(cn, "SCEP SIGNER", "scepclient: its own signer certificate");
	X509_free(sx);
	cm_scep_request_free(&r);
	free(m);

	c = slurp(SRCDIR "/tests/fuzz/corpus/scep_msg/scepclient-csr.der", &n);
	is_int(cm_scep_parse_csr(c, n, &csr_, err, sizeof err), 0, "scepclient's CSR parses");
	ok(csr_.has_challenge && strcmp(csr_.challenge, "secret-code") == 0,
	    "scepclient's challengePassword (PrintableString)");
	cm_scep_csr_free(&csr_);
	free(c);
}

/* A DER CSR of cl_key with the given challenge attribute (type, value), or none. */
static unsigned char *
csr_with(int type, const char *challenge, int twice, int *len)
{
	X509_REQ *r = X509_REQ_new();
	X509_NAME *n = name("dev");
	unsigned char *der = NULL;

	X509_REQ_set_subject_name(r, n);
	X509_REQ_set_pubkey(r, cl_key);
	if (challenge != NULL) {
		/* OpenSSL 3.0.19 refuses a second attribute of one type, so
		 * "twice" is one attribute with two values. */
		X509_ATTRIBUTE *a = X509_ATTRIBUTE_create_by_NID(NULL, NID_pkcs9_challengePassword,
		    type, challenge, (int)strlen(challenge));
		if (twice)
			X509_ATTRIBUTE_set1_data(a, type, challenge, (int)strlen(challenge));
		X509_REQ_add1_attr(r, a);
		X509_ATTRIBUTE_free(a);
	}
	X509_REQ_sign(r, cl_key, EVP_sha256());
	*len = i2d_X509_REQ(r, &der);
	X509_REQ_free(r);
	X509_NAME_free(n);
	return der;
}

static void
test_csr(void)
{
	struct cm_scep_csr c;
	char err[256];
	int n;
	unsigned char *d, *big;
	/* BMPString "pw" (UTF-16BE). */
	static const unsigned char bmp[] = { 0, 'p', 0, 'w' };
	X509_REQ *r;

	d = csr_with(V_ASN1_PRINTABLESTRING, "abc-DEF-123", 0, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == 0 && c.has_challenge
	    && strcmp(c.challenge, "abc-DEF-123") == 0 && c.req != NULL, "challenge as PrintableString");
	cm_scep_csr_free(&c);
	ok(c.req == NULL && c.challenge[0] == '\0', "csr_free clears the request and the challenge");
	big = malloc((size_t)n + 1);
	memcpy(big, d, (size_t)n);
	big[n] = 0;
	ok(cm_scep_parse_csr(big, (size_t)n + 1, &c, err, sizeof err) == -1 && c.req == NULL,
	    "CSR with a trailing byte refused");
	ok(cm_scep_parse_csr(d, (size_t)n - 1, &c, err, sizeof err) == -1, "truncated CSR refused");
	free(big);
	OPENSSL_free(d);

	d = csr_with(V_ASN1_UTF8STRING, "Pässwört", 0, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == 0 && c.has_challenge
	    && strcmp(c.challenge, "Pässwört") == 0, "challenge as UTF8String");
	cm_scep_csr_free(&c);
	OPENSSL_free(d);

	d = csr_with(V_ASN1_UTF8STRING, NULL, 0, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == 0 && !c.has_challenge
	    && c.challenge[0] == '\0', "no challenge");
	cm_scep_csr_free(&c);
	OPENSSL_free(d);

	d = csr_with(V_ASN1_PRINTABLESTRING, "abc", 1, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == -1 && c.req == NULL,
	    "a challengePassword with two values refused");
	OPENSSL_free(d);

	d = csr_with(V_ASN1_OCTET_STRING, "abc", 0, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == -1, "challenge as OCTET STRING refused");
	OPENSSL_free(d);

	r = X509_REQ_new();
	X509_REQ_set_pubkey(r, cl_key);
	X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword, V_ASN1_BMPSTRING, bmp, sizeof bmp);
	X509_REQ_sign(r, cl_key, EVP_sha256());
	d = NULL;
	n = i2d_X509_REQ(r, &d);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == 0 && strcmp(c.challenge, "pw") == 0,
	    "challenge as BMPString, turned into UTF-8");
	cm_scep_csr_free(&c);
	OPENSSL_free(d);
	X509_REQ_free(r);

	big = malloc(300);
	memset(big, 'x', 299);
	big[299] = '\0';
	d = csr_with(V_ASN1_UTF8STRING, (char *)big, 0, &n);
	ok(cm_scep_parse_csr(d, (size_t)n, &c, err, sizeof err) == -1, "challenge of 299 bytes refused");
	OPENSSL_free(d);
	free(big);
	ok(cm_scep_parse_csr((const unsigned char *)"\x30\x00", 2, &c, err, sizeof err) == -1,
	    "empty SEQUENCE is no CSR");
}

/* DER SEQUENCE of the two blobs. */
static unsigned char *
seq(const unsigned char *a, int an, const unsigned char *b, int bn, int extra, size_t *n)
{
	int len = an + bn + extra, hl = ASN1_object_size(1, len, V_ASN1_SEQUENCE);
	unsigned char *o = calloc(1, (size_t)hl), *p = o;

	ASN1_put_object(&p, 1, len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	memcpy(p, a, (size_t)an);
	memcpy(p + an, b, (size_t)bn);
	*n = (size_t)hl;
	return o;
}

static void
test_names(void)
{
	X509_NAME *is = name("Issuing CA"), *sub = name("dev@example.org"), *a, *b;
	ASN1_INTEGER *sn = ASN1_INTEGER_new(), *got;
	unsigned char *id = NULL, *sd = NULL, *nd = NULL, *m, *big;
	int idn = i2d_X509_NAME(is, &id), sdn = i2d_X509_NAME(sub, &sd), ndn;
	size_t n;
	char err[256];

	ASN1_INTEGER_set_int64(sn, 0x1234567890LL);
	ndn = i2d_ASN1_INTEGER(sn, &nd);

	m = seq(id, idn, sd, sdn, 0, &n);
	ok(cm_scep_parse_issuer_and_subject(m, n, &a, &b, err, sizeof err) == 0
	    && X509_NAME_cmp(a, is) == 0 && X509_NAME_cmp(b, sub) == 0, "IssuerAndSubject read");
	X509_NAME_free(a);
	X509_NAME_free(b);
	ok(cm_scep_parse_issuer_and_serial(m, n, &a, &got, err, sizeof err) == -1 && a == NULL
	    && got == NULL, "IssuerAndSubject is no IssuerAndSerialNumber");
	big = malloc(n + 1);
	memcpy(big, m, n);
	big[n] = 0;
	ok(cm_scep_parse_issuer_and_subject(big, n + 1, &a, &b, err, sizeof err) == -1 && a == NULL
	    && b == NULL, "IssuerAndSubject with a trailing byte refused");
	free(big);
	free(m);
	m = seq(id, idn, sd, 0, 0, &n);
	ok(cm_scep_parse_issuer_and_subject(m, n, &a, &b, err, sizeof err) == -1,
	    "IssuerAndSubject with one name refused");
	free(m);
	m = seq(id, idn, sd, sdn, 2, &n);   /* two zero bytes inside the SEQUENCE */
	ok(cm_scep_parse_issuer_and_subject(m, n, &a, &b, err, sizeof err) == -1,
	    "IssuerAndSubject with bytes after the names refused");
	free(m);

	m = seq(id, idn, nd, ndn, 0, &n);
	ok(cm_scep_parse_issuer_and_serial(m, n, &a, &got, err, sizeof err) == 0
	    && X509_NAME_cmp(a, is) == 0 && ASN1_INTEGER_cmp(got, sn) == 0, "IssuerAndSerialNumber read");
	X509_NAME_free(a);
	ASN1_INTEGER_free(got);
	ok(cm_scep_parse_issuer_and_subject(m, n, &a, &b, err, sizeof err) == -1,
	    "IssuerAndSerialNumber is no IssuerAndSubject");
	free(m);
	m = seq(nd, ndn, id, idn, 0, &n);
	ok(cm_scep_parse_issuer_and_serial(m, n, &a, &got, err, sizeof err) == -1,
	    "serial before issuer refused");
	free(m);
	ok(cm_scep_parse_issuer_and_serial(id, (size_t)idn, &a, &got, err, sizeof err) == -1,
	    "a bare name refused");

	X509_NAME_free(is);
	X509_NAME_free(sub);
	ASN1_INTEGER_free(sn);
	OPENSSL_free(id);
	OPENSSL_free(sd);
	OPENSSL_free(nd);
}

static void
test_caps_and_ca(void)
{
	static const char *const need[] = {
		"POSTPKIOperation", "SHA-256", "SHA-512", "AES", "SCEPStandard", "Renewal",
		"DES3", "SHA-1",
	};
	const char *caps = cm_scep_caps();
	char *copy = strdup(caps), *line, *save = NULL;
	int seen[8] = { 0 };
	size_t i, k;
	unsigned char *der[3] = { NULL, NULL, NULL };
	const unsigned char *certs[3], *q;
	size_t lens[3];
	struct cm_buf out;
	char err[256];
	PKCS7 *p7;
	X509 *cas[3] = { ra, ca, self };
	static const unsigned char notcert[] = { 0x30, 0x00 };

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (k = 0; k < 8; k++)
			if (strcmp(line, need[k]) == 0)
				seen[k]++;
	for (k = 0; k < 8; k++)
		is_int(seen[k], 1, need[k]);
	ok(strstr(caps, "GetNextCACert") == NULL, "no GetNextCACert (not implemented)");
	free(copy);

	for (i = 0; i < 3; i++) {
		lens[i] = (size_t)i2d_X509(cas[i], &der[i]);
		certs[i] = der[i];
	}
	cm_buf_init(&out, 0);
	is_int(cm_scep_ca_certs(certs, lens, 3, &out, err, sizeof err), 0, "GetCACert PKCS#7 built");
	q = (const unsigned char *)out.data;
	p7 = d2i_PKCS7(NULL, &q, (long)out.len);
	ok(p7 != NULL && q == (const unsigned char *)out.data + out.len && PKCS7_type_is_signed(p7),
	    "it is one DER SignedData");
	ok(p7 != NULL && sk_X509_num(p7->d.sign->cert) == 3
	    && X509_cmp(sk_X509_value(p7->d.sign->cert, 0), ra) == 0
	    && X509_cmp(sk_X509_value(p7->d.sign->cert, 1), ca) == 0
	    && X509_cmp(sk_X509_value(p7->d.sign->cert, 2), self) == 0, "three certificates, in order");
	ok(p7 != NULL && sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info) == 0
	    && p7->d.sign->contents->d.data == NULL
	    && OBJ_obj2nid(p7->d.sign->contents->type) == NID_pkcs7_data,
	    "degenerate: no signers, content type data without content");
	PKCS7_free(p7);
	cm_buf_free(&out);

	cm_buf_init(&out, 0);
	is_int(cm_scep_ca_certs(certs, lens, 0, &out, err, sizeof err), -1, "no certificates refused");
	certs[1] = notcert;
	lens[1] = sizeof notcert;
	is_int(cm_scep_ca_certs(certs, lens, 2, &out, err, sizeof err), -1, "a bad certificate refused");
	is_int(out.len, 0, "nothing appended on failure");
	cm_buf_free(&out);
	cm_buf_init(&out, 10);
	is_int(cm_scep_ca_certs(certs, lens, 1, &out, err, sizeof err), -1, "over the buffer's cap refused");
	cm_buf_free(&out);
	for (i = 0; i < 3; i++)
		OPENSSL_free(der[i]);

	is_str(cm_scep_reply_cipher("aes-128-cbc"), "aes-128-cbc", "reply cipher: AES-128 as asked");
	is_str(cm_scep_reply_cipher("aes-192-cbc"), "aes-192-cbc", "reply cipher: AES-192 as asked");
	is_str(cm_scep_reply_cipher("aes-256-cbc"), "aes-256-cbc", "reply cipher: AES-256 as asked");
	is_str(cm_scep_reply_cipher("des-ede3-cbc"), "des-ede3-cbc", "reply cipher: DES3 as asked");
	is_str(cm_scep_reply_cipher("des-cbc"), "des-cbc", "reply cipher: DES only when asked");
	is_str(cm_scep_reply_cipher(""), "aes-256-cbc", "reply cipher: unknown -> AES-256");
	is_str(cm_scep_reply_cipher(NULL), "aes-256-cbc", "reply cipher: NULL -> AES-256");
	is_str(cm_scep_reply_cipher("rc2-cbc"), "aes-256-cbc", "reply cipher: RC2 -> AES-256");
}

int
main(void)
{
	/* Old clients' single DES lives in the legacy provider (unloaded at
	 * the end: LeakSanitizer counts a loaded provider as a leak). */
	OSSL_PROVIDER *legacy = OSSL_PROVIDER_load(NULL, "legacy");
	OSSL_PROVIDER *deflt = OSSL_PROVIDER_load(NULL, "default");

	ca_key = EVP_RSA_gen(2048);
	ra_key = EVP_RSA_gen(2048);
	cl_key = EVP_RSA_gen(2048);
	other_key = EVP_EC_gen("P-256");
	if (ca_key == NULL || ra_key == NULL || cl_key == NULL || other_key == NULL)
		die("keygen");
	ca = cert(ca_key, "Issuing CA", NULL, NULL, 1);
	ra = cert(ra_key, "Issuing CA SCEP RA", ca, ca_key, 2);
	self = cert(cl_key, "dev@example.org", NULL, NULL, 3);
	other_self = cert(other_key, "other", NULL, NULL, 4);
	{
		X509_NAME *nm = name("dev@example.org");
		csr = X509_REQ_new();
		X509_REQ_set_subject_name(csr, nm);
		X509_REQ_set_pubkey(csr, cl_key);
		X509_REQ_add1_attr_by_NID(csr, NID_pkcs9_challengePassword, V_ASN1_PRINTABLESTRING,
		    (const unsigned char *)"secret-Code-1234", 16);
		X509_REQ_sign(csr, cl_key, EVP_sha256());
		csr_der = NULL;
		csr_len = i2d_X509_REQ(csr, &csr_der);
		X509_NAME_free(nm);
	}

	test_valid();
	test_ciphers_digests();
	test_attributes();
	test_structure();
	test_real_client();
	test_csr();
	test_names();
	test_caps_and_ca();

	OPENSSL_free(csr_der);
	X509_REQ_free(csr);
	X509_free(ca);
	X509_free(ra);
	X509_free(self);
	X509_free(other_self);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ra_key);
	EVP_PKEY_free(cl_key);
	EVP_PKEY_free(other_key);
	OSSL_PROVIDER_unload(legacy);
	OSSL_PROVIDER_unload(deflt);
	return tap_done();
}
