/* scep_forge.c: a SCEP test and benchmark client without network: builds pkiMessages (good and hostile), reads CertReps, bulk-makes requests. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

/*
 * It is written apart from lib/scep_msg.c on purpose (no code shared), so
 * the server's parser is tested against a second reading of RFC 8894, the
 * way real clients build their messages: micromdm's scepclient and
 * certmonger's scep-submit sign with a self-signed certificate made from
 * the key and the CSR's subject, envelope with CMS KeyTransRecipientInfo
 * by issuerAndSerialNumber, and send messageType and transactionID as
 * PrintableStrings and senderNonce as a 16-byte OCTET STRING.
 *
 * Exit status: 0 done (a CertRep read and verified, whatever its status),
 * 1 a check failed (signature, nonce, transactionID), 2 usage or I/O.
 */

#define OID_MESSAGE_TYPE    "2.16.840.1.113733.1.9.2"
#define OID_PKI_STATUS      "2.16.840.1.113733.1.9.3"
#define OID_FAIL_INFO       "2.16.840.1.113733.1.9.4"
#define OID_SENDER_NONCE    "2.16.840.1.113733.1.9.5"
#define OID_RECIPIENT_NONCE "2.16.840.1.113733.1.9.6"
#define OID_TRANSACTION_ID  "2.16.840.1.113733.1.9.7"

#define MAX_FILE (4 * 1024 * 1024)
#define MAX_EXTRA 8

enum { OMIT_TYPE = 1, OMIT_TID = 2, OMIT_NONCE = 4 };
enum { TAMPER_NONE, TAMPER_SIG, TAMPER_ATTR, TAMPER_CONTENT };

static void
usage(void)
{
	fprintf(stderr,
	    "usage:\n"
	    "  scep-forge req --ra RA.der --key K.pem (--csr CSR.der | --subject /CN=../emailAddress=..\n"
	    "        [--challenge C] | --content FILE) [--cert SELF.der] [--cert-out SELF.der]\n"
	    "        [--csr-out CSR.der] [--type 19|17|20|21|22|N] [--serial HEX] [--tid T]\n"
	    "        [--nonce HEX] [--cipher aes-256-cbc|aes-128-cbc|aes-192-cbc|des-ede3-cbc|des-cbc]\n"
	    "        [--digest sha256|sha1|sha512|md5] [--tamper sig|attr|content] [--no-nonce]\n"
	    "        [--omit type|tid|nonce] [--extra-cert C.der]... -o MSG.der\n"
	    "      prints: tid=T senderNonce=HEX\n"
	    "  scep-forge rep --ra RA.der [--key K.pem --cert SELF.der] MSG.der [--expect-nonce HEX]\n"
	    "        [--expect-tid T] [-o OUT.pem]\n"
	    "      prints: status=N failInfo=N|- tid=T recipientNonce=HEX senderNonce=HEX\n"
	    "  scep-forge bulk --ra RA.der --n N --dir DIR --subject '/CN=dev{i}/emailAddress=dev{i}@x'\n"
	    "        [--challenge C] [--pool KEYS.pem] [--keys K] [--bits 2048] [--cipher C]\n"
	    "        [--digest D]\n"
	    "      writes DIR/NNNNNN.msg, .key (PEM), .crt (DER) and DIR/index.tsv (i tid nonce)\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "scep-forge: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(2);
}

/* The whole file, malloc'ed; exits on error. */
static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(MAX_FILE);
	size_t k;

	if (f == NULL || b == NULL) {
		fprintf(stderr, "scep-forge: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	k = fread(b, 1, MAX_FILE, f);
	if (ferror(f) || k == MAX_FILE) {
		fprintf(stderr, "scep-forge: %s: unreadable or too large\n", path);
		exit(2);
	}
	fclose(f);
	*n = k;
	return b;
}

static void
spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "scep-forge: cannot write %s\n", path);
		exit(2);
	}
}

/* A certificate from a DER or PEM file. */
static X509 *
load_cert(const char *path)
{
	size_t n;
	unsigned char *b = slurp(path, &n);
	const unsigned char *q = b;
	X509 *x = d2i_X509(NULL, &q, (long)n);

	if (x == NULL) {
		BIO *bio = BIO_new_mem_buf(b, (int)n);
		ERR_clear_error();
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	free(b);
	if (x == NULL)
		die("cannot read a certificate");
	return x;
}

static X509_REQ *
load_csr(const char *path)
{
	size_t n;
	unsigned char *b = slurp(path, &n);
	const unsigned char *q = b;
	X509_REQ *r = d2i_X509_REQ(NULL, &q, (long)n);

	if (r == NULL) {
		BIO *bio = BIO_new_mem_buf(b, (int)n);
		ERR_clear_error();
		r = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	free(b);
	if (r == NULL)
		die("cannot read a CSR");
	return r;
}

static EVP_PKEY *
load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL)
		die("cannot open the key file");
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL)
		die("cannot read a PEM private key");
	return k;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
	out[2 * n] = '\0';
}

/* 16 bytes from 32 hex digits; 0 / -1. */
static int
unhex16(const char *s, unsigned char out[16])
{
	int i;
	unsigned v;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static const EVP_CIPHER *
cipher_by_name(const char *name)
{
	const EVP_CIPHER *c = EVP_get_cipherbyname(name);

	if (c == NULL)
		die("unknown cipher (is the legacy provider there for des-cbc?)");
	return c;
}

static const EVP_MD *
md_by_name(const char *name)
{
	const EVP_MD *m = EVP_get_digestbyname(name);

	if (m == NULL)
		die("unknown digest");
	return m;
}

/* "/CN=a/emailAddress=b" into a name, with {i} replaced by i. */
static X509_NAME *
parse_subject(const char *tmpl, long i)
{
	char buf[1024], *s, *part, *save = NULL;
	size_t k = 0;
	X509_NAME *nm = X509_NAME_new();
	const char *t;

	for (t = tmpl; *t && k + 24 < sizeof buf; t++) {
		if (strncmp(t, "{i}", 3) == 0) {
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%ld", i);
			t += 2;
		} else {
			buf[k++] = *t;
		}
	}
	buf[k] = '\0';
	s = buf;
	for (part = strtok_r(s, "/", &save); part != NULL; part = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(part, '=');
		if (eq == NULL)
			die("subject: each part is KEY=VALUE");
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(nm, part, MBSTRING_UTF8,
		    (unsigned char *)eq + 1, -1, -1, 0))
			die("subject: unknown attribute");
	}
	return nm;
}

static X509_REQ *
make_csr(EVP_PKEY *key, X509_NAME *nm, const char *challenge)
{
	X509_REQ *r = X509_REQ_new();

	if (r == NULL || !X509_REQ_set_version(r, 0) || !X509_REQ_set_subject_name(r, nm)
	    || !X509_REQ_set_pubkey(r, key))
		die("cannot make a CSR");
	if (challenge != NULL && !X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword,
	    MBSTRING_ASC, (const unsigned char *)challenge, -1))
		die("cannot add the challengePassword");
	if (!X509_REQ_sign(r, key, EVP_sha256()))
		die("cannot sign the CSR");
	return r;
}

/* The self-signed certificate a client signs its request with. */
static X509 *
make_self(EVP_PKEY *key, const X509_NAME *nm)
{
	X509 *x = X509_new();
	unsigned char sn[8];
	BIGNUM *bn;
	ASN1_INTEGER *ai;

	if (x == NULL || RAND_bytes(sn, sizeof sn) != 1)
		die("cannot make a certificate");
	sn[0] &= 0x7f;
	bn = BN_bin2bn(sn, sizeof sn, NULL);
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	if (!X509_set_version(x, 2) || !X509_set_serialNumber(x, ai)
	    || !X509_set_subject_name(x, nm) || !X509_set_issuer_name(x, nm)
	    || !X509_gmtime_adj(X509_getm_notBefore(x), -3600)
	    || !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400)
	    || !X509_set_pubkey(x, key) || !X509_sign(x, key, EVP_sha256()))
		die("cannot make the self-signed certificate");
	BN_free(bn);
	ASN1_INTEGER_free(ai);
	return x;
}

/* SEQUENCE { a, b } of two DER blobs, malloc'ed. */
static unsigned char *
seq2(const unsigned char *a, int an, const unsigned char *b, int bn, size_t *n)
{
	int len = an + bn, hl = ASN1_object_size(1, len, V_ASN1_SEQUENCE);
	unsigned char *o = malloc((size_t)hl), *p = o;

	if (o == NULL || hl <= 0)
		die("out of memory");
	ASN1_put_object(&p, 1, len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	memcpy(p, a, (size_t)an);
	memcpy(p + an, b, (size_t)bn);
	*n = (size_t)hl;
	return o;
}

/* IssuerAndSubject (CertPoll) or IssuerAndSerialNumber (GetCert/GetCRL). */
static unsigned char *
make_issuer_and(const X509_NAME *issuer, const X509_NAME *subject, const char *serial_hex,
    size_t *n)
{
	unsigned char *a = NULL, *b = NULL, *o;
	int an = i2d_X509_NAME(issuer, &a), bn;

	if (subject != NULL) {
		bn = i2d_X509_NAME(subject, &b);
	} else {
		BIGNUM *big = NULL;
		ASN1_INTEGER *ai;
		if (serial_hex == NULL || !BN_hex2bn(&big, serial_hex))
			die("GetCert/GetCRL need --serial HEX (or --content)");
		ai = BN_to_ASN1_INTEGER(big, NULL);
		bn = i2d_ASN1_INTEGER(ai, &b);
		ASN1_INTEGER_free(ai);
		BN_free(big);
	}
	if (an <= 0 || bn <= 0)
		die("cannot encode the names");
	o = seq2(a, an, b, bn, n);
	OPENSSL_free(a);
	OPENSSL_free(b);
	return o;
}

struct msg_opts {
	X509 *ra;
	EVP_PKEY *key;
	X509 *self;
	const unsigned char *content;
	size_t content_len;
	const EVP_CIPHER *cipher;
	const EVP_MD *md;
	const char *type;
	const char *tid;
	unsigned char nonce[16];
	int omit;
	int tamper;
	STACK_OF(X509) *extra;
};

/* len is required: with -1 OpenSSL would take v for an ASN1_STRING. */
static void
add_str_attr(CMS_SignerInfo *si, const char *oid, int type, const void *v, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);

	if (o == NULL || !CMS_signed_add1_attr_by_OBJ(si, o, type, v, len))
		die("cannot add a signed attribute");
	ASN1_OBJECT_free(o);
}

/* Flips one bit in the middle of s. */
static void
flip(ASN1_STRING *s)
{
	int n = ASN1_STRING_length(s);
	unsigned char *c;

	if (n <= 0)
		die("nothing to tamper with");
	c = malloc((size_t)n);
	memcpy(c, ASN1_STRING_get0_data(s), (size_t)n);
	c[n / 2] ^= 0x01;
	ASN1_STRING_set(s, c, n);
	free(c);
}

/* The pkiMessage (DER) of o, malloc'ed. */
static unsigned char *
build_msg(const struct msg_opts *o, size_t *n)
{
	STACK_OF(X509) *recips = sk_X509_new_null();
	BIO *in = BIO_new_mem_buf(o->content, (int)o->content_len), *eb;
	CMS_ContentInfo *env, *cms;
	CMS_SignerInfo *si;
	unsigned char *envder = NULL, *der = NULL, *out;
	int envn, k;

	sk_X509_push(recips, o->ra);
	env = CMS_encrypt(recips, in, o->cipher, CMS_BINARY);
	if (env == NULL || (envn = i2d_CMS_ContentInfo(env, &envder)) <= 0)
		die("cannot make the EnvelopedData");
	eb = BIO_new_mem_buf(envder, envn);
	cms = CMS_sign(NULL, NULL, o->extra, NULL, CMS_PARTIAL | CMS_BINARY);
	if (cms == NULL)
		die("cannot start the SignedData");
	si = CMS_add1_signer(cms, o->self, o->key, o->md, CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP);
	if (si == NULL)
		die("cannot add the signer");
	if (!(o->omit & OMIT_TYPE))
		add_str_attr(si, OID_MESSAGE_TYPE, V_ASN1_PRINTABLESTRING, o->type, (int)strlen(o->type));
	if (!(o->omit & OMIT_TID))
		add_str_attr(si, OID_TRANSACTION_ID, V_ASN1_PRINTABLESTRING, o->tid, (int)strlen(o->tid));
	if (!(o->omit & OMIT_NONCE))
		add_str_attr(si, OID_SENDER_NONCE, V_ASN1_OCTET_STRING, o->nonce, 16);
	if (!CMS_final(cms, eb, NULL, CMS_BINARY))
		die("cannot sign");
	if (o->tamper == TAMPER_SIG) {
		flip(CMS_SignerInfo_get0_signature(si));
	} else if (o->tamper == TAMPER_ATTR) {
		ASN1_OBJECT *obj = OBJ_txt2obj(OID_TRANSACTION_ID, 1);
		int i = CMS_signed_get_attr_by_OBJ(si, obj, -1);
		ASN1_TYPE *t;
		if (i < 0)
			die("--tamper attr needs a transactionID");
		t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0);
		flip(t->value.asn1_string);
		ASN1_OBJECT_free(obj);
	} else if (o->tamper == TAMPER_CONTENT) {
		flip(*CMS_get0_content(cms));
	}
	k = i2d_CMS_ContentInfo(cms, &der);
	if (k <= 0)
		die("cannot encode the pkiMessage");
	out = malloc((size_t)k);
	memcpy(out, der, (size_t)k);
	*n = (size_t)k;
	OPENSSL_free(der);
	OPENSSL_free(envder);
	CMS_ContentInfo_free(cms);
	CMS_ContentInfo_free(env);
	BIO_free(eb);
	BIO_free(in);
	sk_X509_free(recips);
	return out;
}

/* The transactionID real clients use: hex SHA-256 of the public key. */
static void
key_tid(EVP_PKEY *key, char out[65])
{
	unsigned char *der = NULL, md[32];
	int n = i2d_PUBKEY(key, &der);

	if (n <= 0 || !EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL))
		die("cannot hash the public key");
	hex(md, 32, out);
	OPENSSL_free(der);
}

static int
cmd_req(int argc, char **argv)
{
	const char *ra = NULL, *keyf = NULL, *csrf = NULL, *certf = NULL, *certout = NULL;
	const char *csrout = NULL, *subject = NULL, *challenge = NULL, *contentf = NULL;
	const char *type = "19", *tid = NULL, *nonce = NULL, *cipher = "aes-256-cbc";
	const char *digest = "sha256", *serial = NULL, *outf = NULL;
	struct msg_opts o;
	X509_REQ *csr = NULL;
	unsigned char *content = NULL, *msg;
	size_t content_len = 0, n;
	char tidbuf[65], noncehex[33];
	int i, t;

	memset(&o, 0, sizeof o);
	o.extra = sk_X509_new_null();
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) if (strcmp(a, name) == 0) { if (v == NULL) usage(); var = v; i++; continue; }
		OPT("--ra", ra) OPT("--key", keyf) OPT("--csr", csrf) OPT("--cert", certf)
		OPT("--cert-out", certout) OPT("--csr-out", csrout) OPT("--subject", subject)
		OPT("--challenge", challenge) OPT("--content", contentf) OPT("--type", type)
		OPT("--tid", tid) OPT("--nonce", nonce) OPT("--cipher", cipher)
		OPT("--digest", digest) OPT("--serial", serial) OPT("-o", outf)
		if (strcmp(a, "--tamper") == 0 && v != NULL) {
			o.tamper = strcmp(v, "sig") == 0 ? TAMPER_SIG : strcmp(v, "attr") == 0
			    ? TAMPER_ATTR : strcmp(v, "content") == 0 ? TAMPER_CONTENT : -1;
			if (o.tamper < 0)
				usage();
			i++;
		} else if (strcmp(a, "--omit") == 0 && v != NULL) {
			o.omit |= strcmp(v, "type") == 0 ? OMIT_TYPE : strcmp(v, "tid") == 0 ? OMIT_TID
			    : strcmp(v, "nonce") == 0 ? OMIT_NONCE : (usage(), 0);
			i++;
		} else if (strcmp(a, "--no-nonce") == 0) {
			o.omit |= OMIT_NONCE;
		} else if (strcmp(a, "--extra-cert") == 0 && v != NULL) {
			if (sk_X509_num(o.extra) >= MAX_EXTRA)
				usage();
			sk_X509_push(o.extra, load_cert(v));
			i++;
		} else {
			usage();
		}
#undef OPT
	}
	if (ra == NULL || keyf == NULL || outf == NULL
	    || (csrf == NULL && subject == NULL && contentf == NULL))
		usage();
	o.ra = load_cert(ra);
	o.key = load_key(keyf);
	if (csrf != NULL) {
		csr = load_csr(csrf);
	} else if (subject != NULL) {
		X509_NAME *nm = parse_subject(subject, 0);
		csr = make_csr(o.key, nm, challenge);
		X509_NAME_free(nm);
	}
	if (csr != NULL && csrout != NULL) {
		unsigned char *d = NULL;
		int k = i2d_X509_REQ(csr, &d);
		spit(csrout, d, (size_t)k);
		OPENSSL_free(d);
	}
	if (certf != NULL) {
		o.self = load_cert(certf);
	} else {
		X509_NAME *nm = csr != NULL ? X509_NAME_dup(X509_REQ_get_subject_name(csr))
		    : parse_subject("/CN=scep-forge", 0);
		o.self = make_self(o.key, nm);
		X509_NAME_free(nm);
	}
	if (certout != NULL) {
		unsigned char *d = NULL;
		int k = i2d_X509(o.self, &d);
		spit(certout, d, (size_t)k);
		OPENSSL_free(d);
	}
	t = atoi(type);
	if (contentf != NULL) {
		content = slurp(contentf, &content_len);
	} else if (t == 20) {
		if (csr == NULL)
			die("CertPoll needs --csr or --subject (or --content)");
		content = make_issuer_and(X509_get_issuer_name(o.ra), X509_REQ_get_subject_name(csr),
		    NULL, &content_len);
	} else if (t == 21 || t == 22) {
		content = make_issuer_and(X509_get_issuer_name(o.ra), NULL, serial, &content_len);
	} else {
		int k;
		unsigned char *d = NULL;
		if (csr == NULL)
			die("this type needs --csr or --subject (or --content)");
		k = i2d_X509_REQ(csr, &d);
		content = malloc((size_t)k);
		memcpy(content, d, (size_t)k);
		content_len = (size_t)k;
		OPENSSL_free(d);
	}
	o.content = content;
	o.content_len = content_len;
	o.cipher = cipher_by_name(cipher);
	o.md = md_by_name(digest);
	o.type = type;
	if (tid == NULL) {
		key_tid(o.key, tidbuf);
		tid = tidbuf;
	}
	o.tid = tid;
	if (nonce != NULL) {
		if (unhex16(nonce, o.nonce) < 0)
			die("--nonce: 32 hex digits");
	} else if (RAND_bytes(o.nonce, 16) != 1) {
		die("no random bytes");
	}
	msg = build_msg(&o, &n);
	spit(outf, msg, n);
	hex(o.nonce, 16, noncehex);
	printf("tid=%s senderNonce=%s\n", tid, (o.omit & OMIT_NONCE) ? "-" : noncehex);
	free(msg);
	free(content);
	X509_REQ_free(csr);
	X509_free(o.ra);
	X509_free(o.self);
	EVP_PKEY_free(o.key);
	sk_X509_pop_free(o.extra, X509_free);
	return 0;
}

/* The single value of a signed attribute, or NULL. */
static ASN1_TYPE *
attr(CMS_SignerInfo *si, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = CMS_signed_get_attr_by_OBJ(si, o, -1);

	ASN1_OBJECT_free(o);
	if (i < 0)
		return NULL;
	return X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0);
}

/* A PrintableString attribute as a C string in out ("" when absent or another type). */
static void
attr_str(CMS_SignerInfo *si, const char *oid, char *out, size_t outlen)
{
	ASN1_TYPE *t = attr(si, oid);
	int n;

	out[0] = '\0';
	if (t == NULL || t->type != V_ASN1_PRINTABLESTRING)
		return;
	n = ASN1_STRING_length(t->value.printablestring);
	if (n < 0 || (size_t)n >= outlen)
		return;
	memcpy(out, ASN1_STRING_get0_data(t->value.printablestring), (size_t)n);
	out[n] = '\0';
}

static void
attr_nonce(CMS_SignerInfo *si, const char *oid, char out[33])
{
	ASN1_TYPE *t = attr(si, oid);

	strcpy(out, "-");
	if (t != NULL && t->type == V_ASN1_OCTET_STRING
	    && ASN1_STRING_length(t->value.octet_string) == 16)
		hex(ASN1_STRING_get0_data(t->value.octet_string), 16, out);
}

static int
cmd_rep(int argc, char **argv)
{
	const char *ra = NULL, *keyf = NULL, *certf = NULL, *msgf = NULL, *outf = NULL;
	const char *expect_nonce = NULL, *expect_tid = NULL;
	unsigned char *b;
	const unsigned char *q;
	size_t n;
	CMS_ContentInfo *cms;
	STACK_OF(X509) *ras = sk_X509_new_null();
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING **pos;
	BIO *dcont = NULL, *content = BIO_new(BIO_s_mem());
	char mtype[8], status[8], finfo[8], tid[256], rn[33], sn[33];
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) if (strcmp(a, name) == 0) { if (v == NULL) usage(); var = v; i++; continue; }
		OPT("--ra", ra) OPT("--key", keyf) OPT("--cert", certf) OPT("-o", outf)
		OPT("--expect-nonce", expect_nonce) OPT("--expect-tid", expect_tid)
#undef OPT
		if (a[0] == '-' || msgf != NULL)
			usage();
		msgf = a;
	}
	if (ra == NULL || msgf == NULL)
		usage();
	sk_X509_push(ras, load_cert(ra));
	b = slurp(msgf, &n);
	q = b;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)n);
	if (cms == NULL || q != b + n || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		fprintf(stderr, "scep-forge: the reply is not one SignedData\n");
		return 1;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		fprintf(stderr, "scep-forge: the reply has not one signer\n");
		return 1;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	/* FAILURE and PENDING carry no content: the signature covers an empty one. */
	pos = CMS_get0_content(cms);
	if (pos == NULL || *pos == NULL)
		dcont = BIO_new_mem_buf("", 0);
	if (CMS_verify(cms, ras, NULL, dcont, content,
	    CMS_NO_SIGNER_CERT_VERIFY | CMS_NOINTERN | CMS_BINARY) != 1) {
		fprintf(stderr, "scep-forge: the reply does not verify under the RA certificate\n");
		ERR_print_errors_fp(stderr);
		return 1;
	}
	attr_str(si, OID_MESSAGE_TYPE, mtype, sizeof mtype);
	attr_str(si, OID_PKI_STATUS, status, sizeof status);
	attr_str(si, OID_FAIL_INFO, finfo, sizeof finfo);
	attr_str(si, OID_TRANSACTION_ID, tid, sizeof tid);
	attr_nonce(si, OID_RECIPIENT_NONCE, rn);
	attr_nonce(si, OID_SENDER_NONCE, sn);
	printf("status=%s failInfo=%s tid=%s recipientNonce=%s senderNonce=%s\n",
	    status[0] ? status : "?", finfo[0] ? finfo : "-", tid, rn, sn);
	if (strcmp(mtype, "3") != 0) {
		fprintf(stderr, "scep-forge: messageType is '%s', not 3 (CertRep)\n", mtype);
		rc = 1;
	}
	if (strcmp(sn, "-") == 0) {
		fprintf(stderr, "scep-forge: no senderNonce in the reply\n");
		rc = 1;
	}
	if (expect_nonce != NULL && strcasecmp(expect_nonce, rn) != 0) {
		fprintf(stderr, "scep-forge: recipientNonce %s, expected %s\n", rn, expect_nonce);
		rc = 1;
	}
	if (expect_tid != NULL && strcmp(expect_tid, tid) != 0) {
		fprintf(stderr, "scep-forge: transactionID %s, expected %s\n", tid, expect_tid);
		rc = 1;
	}
	if (strcmp(status, "0") == 0 && rc == 0) {
		char *cdata;
		long clen = BIO_get_mem_data(content, &cdata);
		CMS_ContentInfo *env;
		BIO *plain = BIO_new(BIO_s_mem()), *out;
		EVP_PKEY *key;
		X509 *self;
		PKCS7 *p7;
		char *pdata;
		long plen;
		STACK_OF(X509) *certs = NULL;
		STACK_OF(X509_CRL) *crls = NULL;

		if (keyf == NULL || certf == NULL) {
			fprintf(stderr, "scep-forge: SUCCESS: --key and --cert are needed to decrypt\n");
			return 1;
		}
		key = load_key(keyf);
		self = load_cert(certf);
		q = (const unsigned char *)cdata;
		env = d2i_CMS_ContentInfo(NULL, &q, clen);
		if (env == NULL || OBJ_obj2nid(CMS_get0_type(env)) != NID_pkcs7_enveloped
		    || CMS_decrypt(env, key, self, NULL, plain, CMS_BINARY) != 1) {
			fprintf(stderr, "scep-forge: the SUCCESS content does not decrypt\n");
			ERR_print_errors_fp(stderr);
			return 1;
		}
		plen = BIO_get_mem_data(plain, &pdata);
		q = (const unsigned char *)pdata;
		p7 = d2i_PKCS7(NULL, &q, plen);
		if (p7 == NULL || !PKCS7_type_is_signed(p7)) {
			fprintf(stderr, "scep-forge: the decrypted content is not a certs-only PKCS#7\n");
			return 1;
		}
		certs = p7->d.sign->cert;
		crls = p7->d.sign->crl;
		out = outf != NULL ? BIO_new_file(outf, "w") : BIO_new_fp(stdout, BIO_NOCLOSE);
		if (out == NULL)
			die("cannot open the output");
		for (i = 0; i < sk_X509_num(certs); i++)
			PEM_write_bio_X509(out, sk_X509_value(certs, i));
		for (i = 0; i < sk_X509_CRL_num(crls); i++)
			PEM_write_bio_X509_CRL(out, sk_X509_CRL_value(crls, i));
		if (sk_X509_num(certs) + sk_X509_CRL_num(crls) == 0) {
			fprintf(stderr, "scep-forge: SUCCESS without a certificate or CRL\n");
			rc = 1;
		}
		BIO_free(out);
		PKCS7_free(p7);
		CMS_ContentInfo_free(env);
		BIO_free(plain);
		EVP_PKEY_free(key);
		X509_free(self);
	}
	BIO_free(content);
	BIO_free(dcont);
	CMS_ContentInfo_free(cms);
	sk_X509_pop_free(ras, X509_free);
	free(b);
	return rc;
}

/* Keys from a PEM pool file, topped up to want (new ones appended to it). */
static EVP_PKEY **
key_pool(const char *path, long want, int bits)
{
	EVP_PKEY **keys = calloc((size_t)want, sizeof *keys);
	long have = 0;
	FILE *f;

	if (keys == NULL)
		die("out of memory");
	if (path != NULL && (f = fopen(path, "r")) != NULL) {
		while (have < want && (keys[have] = PEM_read_PrivateKey(f, NULL, NULL, NULL)) != NULL)
			have++;
		ERR_clear_error();
		fclose(f);
	}
	f = path != NULL ? fopen(path, "a") : NULL;
	if (path != NULL && f == NULL)
		die("cannot append to the key pool");
	for (; have < want; have++) {
		keys[have] = EVP_RSA_gen((unsigned)bits);
		if (keys[have] == NULL)
			die("cannot make a key");
		if (f != NULL && !PEM_write_PrivateKey(f, keys[have], NULL, NULL, 0, NULL, NULL))
			die("cannot write the key pool");
	}
	if (f != NULL && fclose(f) != 0)
		die("cannot write the key pool");
	return keys;
}

static int
cmd_bulk(int argc, char **argv)
{
	const char *ra = NULL, *dir = NULL, *subject = NULL, *challenge = NULL, *pool = NULL;
	const char *cipher = "aes-256-cbc", *digest = "sha256", *ns = NULL, *ks = NULL;
	const char *bitss = "2048";
	long count, nkeys, i;
	EVP_PKEY **keys;
	struct msg_opts o;
	char path[4096], tid[65], nh[33];
	FILE *idx;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) if (strcmp(a, name) == 0) { if (v == NULL) usage(); var = v; i++; continue; }
		OPT("--ra", ra) OPT("--dir", dir) OPT("--subject", subject) OPT("--challenge", challenge)
		OPT("--pool", pool) OPT("--cipher", cipher) OPT("--digest", digest) OPT("--n", ns)
		OPT("--keys", ks) OPT("--bits", bitss)
#undef OPT
		usage();
	}
	if (ra == NULL || dir == NULL || subject == NULL || ns == NULL)
		usage();
	count = atol(ns);
	nkeys = ks != NULL ? atol(ks) : count;
	if (count < 1 || nkeys < 1 || nkeys > count)
		usage();
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot make the directory");
	keys = key_pool(pool, nkeys, atoi(bitss));
	memset(&o, 0, sizeof o);
	o.ra = load_cert(ra);
	o.cipher = cipher_by_name(cipher);
	o.md = md_by_name(digest);
	o.type = "19";
	snprintf(path, sizeof path, "%s/index.tsv", dir);
	idx = fopen(path, "w");
	if (idx == NULL)
		die("cannot write index.tsv");
	for (i = 0; i < count; i++) {
		EVP_PKEY *key = keys[i % nkeys];
		X509_NAME *nm = parse_subject(subject, i);
		X509_REQ *csr = make_csr(key, nm, challenge);
		unsigned char *d = NULL, *msg;
		size_t mn;
		int k;
		FILE *f;
		unsigned char rnd[16];

		o.key = key;
		o.self = make_self(key, nm);
		k = i2d_X509_REQ(csr, &d);
		o.content = d;
		o.content_len = (size_t)k;
		/* Keys repeat when --keys < --n: the transactionID is then
		 * random, not the key's hash, so every request stays distinct. */
		if (RAND_bytes(rnd, 16) != 1 || RAND_bytes(o.nonce, 16) != 1)
			die("no random bytes");
		hex(rnd, 16, tid);
		o.tid = tid;
		msg = build_msg(&o, &mn);
		snprintf(path, sizeof path, "%s/%06ld.msg", dir, i);
		spit(path, msg, mn);
		free(msg);
		OPENSSL_free(d);
		d = NULL;
		k = i2d_X509(o.self, &d);
		snprintf(path, sizeof path, "%s/%06ld.crt", dir, i);
		spit(path, d, (size_t)k);
		OPENSSL_free(d);
		snprintf(path, sizeof path, "%s/%06ld.key", dir, i);
		f = fopen(path, "w");
		if (f == NULL || !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) || fclose(f))
			die("cannot write a key");
		hex(o.nonce, 16, nh);
		fprintf(idx, "%ld\t%s\t%s\n", i, tid, nh);
		X509_free(o.self);
		X509_REQ_free(csr);
		X509_NAME_free(nm);
	}
	if (fclose(idx) != 0)
		die("cannot write index.tsv");
	for (i = 0; i < nkeys; i++)
		EVP_PKEY_free(keys[i]);
	free(keys);
	X509_free(o.ra);
	return 0;
}

int
main(int argc, char **argv)
{
	/* Single DES (des-cbc) lives in the legacy provider; loading the
	 * default one explicitly keeps it available next to it. */
	OSSL_PROVIDER_load(NULL, "legacy");
	OSSL_PROVIDER_load(NULL, "default");
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "req") == 0)
		return cmd_req(argc - 2, argv + 2);
	if (strcmp(argv[1], "rep") == 0)
		return cmd_rep(argc - 2, argv + 2);
	if (strcmp(argv[1], "bulk") == 0)
		return cmd_bulk(argc - 2, argv + 2);
	usage();
	return 2;
}
