/* scep_msg.c: the SCEP pkiMessage intake: CMS SignedData checked under its own signer certificate, SCEP attributes read, the EnvelopedData taken out unopened. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "scep_msg.h"

/* The SCEP attribute OIDs (RFC 8894 3.2.1.1, under id-VeriSign 2.16.840.1.113733.1.9). */
#define OID_MESSAGE_TYPE   "2.16.840.1.113733.1.9.2"
#define OID_SENDER_NONCE   "2.16.840.1.113733.1.9.5"
#define OID_TRANSACTION_ID "2.16.840.1.113733.1.9.7"

/* A signer's certificates list is a chain at most (some clients send theirs). */
#define MAX_CERTS 16

/* snprintf into err when there is room; always returns -1 for "return fail(...)". */
static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return -1;
}

/* The one signed attribute of that OID, or NULL when there is none.
 * -1 when it is there more than once or holds other than one value. */
static int
one_attr(CMS_SignerInfo *si, const char *oid, const ASN1_TYPE **val)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	X509_ATTRIBUTE *a;
	int i, rc = -1;

	*val = NULL;
	if (obj == NULL)
		return -1;
	i = CMS_signed_get_attr_by_OBJ(si, obj, -1);
	if (i < 0) {
		rc = 0;
		goto out;
	}
	if (CMS_signed_get_attr_by_OBJ(si, obj, i) >= 0)
		goto out;
	a = CMS_signed_get_attr(si, i);
	if (a == NULL || X509_ATTRIBUTE_count(a) != 1)
		goto out;
	*val = X509_ATTRIBUTE_get0_type(a, 0);
	rc = *val != NULL ? 0 : -1;
out:
	ASN1_OBJECT_free(obj);
	return rc;
}

/* Whether s (n bytes) is 1..max printable ASCII characters. */
static int
printable(const unsigned char *s, int n, int max)
{
	int i;

	if (n < 1 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* The signer's digest as the names the signer protocol uses; "" otherwise. */
static const char *
digest_name(int nid)
{
	switch (nid) {
	case NID_sha1: return "sha1";
	case NID_sha256: return "sha256";
	case NID_sha512: return "sha512";
	default: return "";
	}
}

/* The envelope cipher's name from its OID; "" when it is none of ours. */
static const char *
cipher_name(int nid)
{
	switch (nid) {
	case NID_aes_128_cbc: return "aes-128-cbc";
	case NID_aes_192_cbc: return "aes-192-cbc";
	case NID_aes_256_cbc: return "aes-256-cbc";
	case NID_des_ede3_cbc: return "des-ede3-cbc";
	case NID_des_cbc: return "des-cbc";
	default: return "";
	}
}

/*
 * Steps into the DER element at *p (within end): its tag must be want
 * (universal class unless ctx >= 0: then context-specific [ctx]) and its
 * length definite. On success *p points at its contents and *clen is their
 * length. 0 / -1.
 */
static int
der_enter(const unsigned char **p, const unsigned char *end, int want, int ctx, long *clen)
{
	const unsigned char *q = *p;
	long len;
	int tag, cls, r;

	if (q >= end)
		return -1;
	r = ASN1_get_object(&q, &len, &tag, &cls, end - q);
	if (r & 0x80 || r == 0x21)   /* error, or indefinite length */
		return -1;
	if (ctx >= 0 ? (cls != V_ASN1_CONTEXT_SPECIFIC || tag != ctx)
	    : (cls != V_ASN1_UNIVERSAL || tag != want))
		return -1;
	if (len > end - q)
		return -1;
	*p = q;
	*clen = len;
	return 0;
}

/* Steps over the DER element at *p. 0 / -1. */
static int
der_skip(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *q = *p;
	long len;
	int tag, cls, r;

	if (q >= end)
		return -1;
	r = ASN1_get_object(&q, &len, &tag, &cls, end - q);
	if (r & 0x80 || r == 0x21 || len > end - q)
		return -1;
	*p = q + len;
	return 0;
}

/*
 * The contentEncryptionAlgorithm of a DER ContentInfo envelopedData, read
 * from the bytes: OpenSSL 3.0 has no public getter for it in CMS, and the
 * PKCS7 parser knows only issuerAndSerialNumber recipients, while a CMS
 * client may address the RA by subjectKeyIdentifier. The NID, or NID_undef.
 */
static int
envelope_cipher_nid(const unsigned char *der, size_t n)
{
	const unsigned char *p = der, *end = der + n, *eci;
	const unsigned char *alg;
	ASN1_OBJECT *obj = NULL;
	long len;
	int nid = NID_undef;

	if (der_enter(&p, end, V_ASN1_SEQUENCE, -1, &len) < 0)    /* ContentInfo */
		return NID_undef;
	end = p + len;
	if (der_skip(&p, end) < 0                                 /* contentType */
	    || der_enter(&p, end, 0, 0, &len) < 0                 /* [0] EXPLICIT */
	    || der_enter(&p, p + len, V_ASN1_SEQUENCE, -1, &len) < 0) /* EnvelopedData */
		return NID_undef;
	end = p + len;
	if (der_skip(&p, end) < 0)                                /* version */
		return NID_undef;
	if (p < end && *p == 0xa0 && der_skip(&p, end) < 0)       /* originatorInfo [0] */
		return NID_undef;
	if (der_skip(&p, end) < 0)                                /* recipientInfos */
		return NID_undef;
	if (der_enter(&p, end, V_ASN1_SEQUENCE, -1, &len) < 0)    /* encryptedContentInfo */
		return NID_undef;
	eci = p + len;
	if (der_skip(&p, eci) < 0                                 /* contentType */
	    || der_enter(&p, eci, V_ASN1_SEQUENCE, -1, &len) < 0) /* AlgorithmIdentifier */
		return NID_undef;
	alg = p;
	if (d2i_ASN1_OBJECT(&obj, &alg, len) != NULL)
		nid = OBJ_obj2nid(obj);
	ASN1_OBJECT_free(obj);
	return nid;
}

/* Seconds since the epoch of a UTCTime/GeneralizedTime, or 0. */
static long
asn1_time_epoch(const ASN1_TYPE *t)
{
	struct tm tm;
	const ASN1_TIME *at;

	if (t == NULL || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME))
		return 0;
	at = t->type == V_ASN1_UTCTIME ? (const ASN1_TIME *)t->value.utctime
	    : (const ASN1_TIME *)t->value.generalizedtime;
	memset(&tm, 0, sizeof tm);
	if (ASN1_TIME_to_tm(at, &tm) != 1)
		return 0;
	return (long)timegm(&tm);
}

/*
 * Reads messageType, transactionID, senderNonce and signingTime from the
 * signed attributes into out (unverified: the caller verifies afterwards;
 * the values serve a FAILURE reply either way). 0, or -1 with *fi and err.
 */
static int
read_attributes(CMS_SignerInfo *si, struct cm_scep_request *out, int *fi,
    char *err, size_t errlen)
{
	const ASN1_TYPE *mt, *tid, *nonce;
	const ASN1_STRING *s;
	int i, t;

	/* A malformed transactionID or nonce is read first so that, if it is
	 * fine, a later failure still has both for the reply. */
	if (one_attr(si, OID_TRANSACTION_ID, &tid) < 0) {
		*fi = CM_SCEP_BAD_REQUEST;
		return fail(err, errlen, "transactionID: more than one value");
	}
	/* RFC 8894 says PrintableString; the hex or base64 of a key hash that
	 * real clients send fits it. Nothing else is taken. */
	if (tid != NULL) {
		if (tid->type != V_ASN1_PRINTABLESTRING) {
			*fi = CM_SCEP_BAD_REQUEST;
			return fail(err, errlen, "transactionID: not a PrintableString");
		}
		s = tid->value.printablestring;
		if (!printable(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), CM_SCEP_MAX_TRANSACTION_ID)) {
			*fi = CM_SCEP_BAD_REQUEST;
			return fail(err, errlen, "transactionID: empty, longer than %d or not printable",
			    CM_SCEP_MAX_TRANSACTION_ID);
		}
		memcpy(out->transaction_id, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
		out->transaction_id[ASN1_STRING_length(s)] = '\0';
	}
	if (one_attr(si, OID_SENDER_NONCE, &nonce) < 0) {
		*fi = CM_SCEP_BAD_REQUEST;
		return fail(err, errlen, "senderNonce: more than one value");
	}
	if (nonce != NULL) {
		if (nonce->type != V_ASN1_OCTET_STRING
		    || ASN1_STRING_length(nonce->value.octet_string) != (int)sizeof out->sender_nonce) {
			*fi = CM_SCEP_BAD_REQUEST;
			return fail(err, errlen, "senderNonce: not an OCTET STRING of %zu bytes",
			    sizeof out->sender_nonce);
		}
		memcpy(out->sender_nonce, ASN1_STRING_get0_data(nonce->value.octet_string),
		    sizeof out->sender_nonce);
		out->has_sender_nonce = 1;
	}
	if (one_attr(si, OID_MESSAGE_TYPE, &mt) < 0) {
		*fi = CM_SCEP_BAD_REQUEST;
		return fail(err, errlen, "messageType: more than one value");
	}
	i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	if (i >= 0)
		out->signing_time = asn1_time_epoch(
		    X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0));

	if (mt == NULL || tid == NULL || nonce == NULL) {
		*fi = CM_SCEP_BAD_MESSAGE_CHECK;
		return fail(err, errlen, "signed attribute %s missing",
		    mt == NULL ? "messageType" : tid == NULL ? "transactionID" : "senderNonce");
	}
	/* The decimal number as a PrintableString: every client seen sends that. */
	if (mt->type != V_ASN1_PRINTABLESTRING) {
		*fi = CM_SCEP_BAD_REQUEST;
		return fail(err, errlen, "messageType: not a PrintableString");
	}
	s = mt->value.printablestring;
	t = 0;
	for (i = 0; i < ASN1_STRING_length(s); i++) {
		unsigned char c = ASN1_STRING_get0_data(s)[i];
		if (c < '0' || c > '9' || i >= 2) {
			t = -1;
			break;
		}
		t = t * 10 + (c - '0');
	}
	if (ASN1_STRING_length(s) == 0)
		t = -1;
	switch (t) {
	case CM_SCEP_MSG_RENEWALREQ: case CM_SCEP_MSG_PKCSREQ: case CM_SCEP_MSG_CERTPOLL:
	case CM_SCEP_MSG_GETCERT: case CM_SCEP_MSG_GETCRL:
		out->message_type = t;
		return 0;
	default:
		*fi = CM_SCEP_BAD_REQUEST;
		return fail(err, errlen, "messageType: not a request type this server serves");
	}
}

/* Copies the DER of x into a new buffer. 0 / -1. */
static int
cert_der(X509 *x, unsigned char **der, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0)
		return -1;
	*der = malloc((size_t)n);
	if (*der == NULL) {
		OPENSSL_free(p);
		return -1;
	}
	memcpy(*der, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	return 0;
}

/* Return convention: 0, or -1 with *fail_info and err (see scep_msg.h). */
int
cm_scep_parse(const unsigned char *p, size_t len, struct cm_scep_request *out,
    int *fail_info, char *err, size_t errlen)
{
	const unsigned char *q = p;
	CMS_ContentInfo *cms = NULL, *env = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	X509 *signer = NULL;
	X509_ALGOR *dig = NULL;
	ASN1_OCTET_STRING **pos;
	unsigned char *envder = NULL;
	int fi = CM_SCEP_BAD_REQUEST, rc = -1, n;

	memset(out, 0, sizeof *out);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL || len == 0) {
		fail(err, errlen, "empty message");
		goto out;
	}
	if (len > CM_SCEP_MAX_MESSAGE) {
		fail(err, errlen, "message of %zu bytes is over the limit of %d", len,
		    CM_SCEP_MAX_MESSAGE);
		goto out;
	}
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	if (cms == NULL) {
		fail(err, errlen, "not a CMS/PKCS#7 message");
		goto out;
	}
	if ((size_t)(q - p) != len) {
		fail(err, errlen, "%zu bytes after the message", len - (size_t)(q - p));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		fail(err, errlen, "not a SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		fail(err, errlen, "%d signers, not one", sis == NULL ? 0 : sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	certs = CMS_get1_certs(cms);
	if (certs != NULL && sk_X509_num(certs) > MAX_CERTS) {
		fail(err, errlen, "more than %d certificates", MAX_CERTS);
		goto out;
	}

	/* The attributes first: even a message that fails later gets its
	 * transactionID and nonce back in the FAILURE reply. */
	if (read_attributes(si, out, &fi, err, errlen) < 0)
		goto out;

	/* The signer's certificate, by issuerAndSerialNumber or SKI, among
	 * those the message carries. */
	if (CMS_set1_signers_certs(cms, NULL, 0) != 1) {
		fi = CM_SCEP_BAD_MESSAGE_CHECK;
		fail(err, errlen, "the signer's certificate is not in the message");
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, &signer, &dig, NULL);
	if (signer == NULL || cert_der(signer, &out->signer_cert, &out->signer_cert_len) < 0) {
		fi = CM_SCEP_BAD_MESSAGE_CHECK;
		fail(err, errlen, "the signer's certificate is not in the message");
		goto out;
	}
	snprintf(out->digest, sizeof out->digest, "%s",
	    dig != NULL ? digest_name(OBJ_obj2nid(dig->algorithm)) : "");
	if (out->digest[0] == '\0') {
		fi = CM_SCEP_BAD_ALG;
		fail(err, errlen, "signature digest %s not accepted (sha1, sha256, sha512)",
		    dig != NULL ? OBJ_nid2sn(OBJ_obj2nid(dig->algorithm)) : "?");
		goto out;
	}

	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		fail(err, errlen, "signed content is not of type data");
		goto out;
	}
	pos = CMS_get0_content(cms);
	if (pos == NULL || *pos == NULL) {
		fail(err, errlen, "no signed content (detached)");
		goto out;
	}

	/* Signature over the signed attributes and messageDigest over the
	 * content, under the certificate found above: who that certificate
	 * belongs to is the caller's policy, so no chain is built here. */
	if (CMS_verify(cms, NULL, NULL, NULL, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
		fi = CM_SCEP_BAD_MESSAGE_CHECK;
		fail(err, errlen, "signature does not verify");
		goto out;
	}

	q = ASN1_STRING_get0_data(*pos);
	n = ASN1_STRING_length(*pos);
	env = d2i_CMS_ContentInfo(NULL, &q, n);
	if (env == NULL || q != ASN1_STRING_get0_data(*pos) + n
	    || OBJ_obj2nid(CMS_get0_type(env)) != NID_pkcs7_enveloped) {
		fi = CM_SCEP_BAD_REQUEST;
		fail(err, errlen, "signed content is not one EnvelopedData");
		goto out;
	}
	/* Re-encoded as DER: what the client sent may be BER; the signer
	 * and the cipher reader below take DER. */
	n = i2d_CMS_ContentInfo(env, &envder);
	if (n <= 0) {
		fail(err, errlen, "cannot encode the EnvelopedData");
		goto out;
	}
	/* The signer takes no more; refused here, the request costs it nothing. */
	if (n > CM_SCEP_MAX_ENVELOPE) {
		fail(err, errlen, "EnvelopedData of %d bytes is over the limit of %d", n,
		    CM_SCEP_MAX_ENVELOPE);
		goto out;
	}
	out->envelope = malloc((size_t)n);
	if (out->envelope == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	memcpy(out->envelope, envder, (size_t)n);
	out->envelope_len = (size_t)n;
	snprintf(out->envelope_cipher, sizeof out->envelope_cipher, "%s",
	    cipher_name(envelope_cipher_nid(out->envelope, out->envelope_len)));
	rc = 0;
out:
	if (rc < 0 && fail_info != NULL)
		*fail_info = fi;
	else if (fail_info != NULL)
		*fail_info = -1;
	OPENSSL_free(envder);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(env);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

void
cm_scep_request_free(struct cm_scep_request *r)
{
	if (r == NULL)
		return;
	free(r->signer_cert);
	free(r->envelope);
	r->signer_cert = NULL;
	r->envelope = NULL;
	r->signer_cert_len = r->envelope_len = 0;
}
