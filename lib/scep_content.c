/* scep_content.c: the decrypted contents of SCEP requests: the PKCS#10 with its challengePassword, IssuerAndSubject, IssuerAndSerialNumber. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "scep_msg.h"

/* Return convention of this file: 0, or -1 with a sentence in err. */

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

/*
 * The challengePassword of req into c. It is a DirectoryString (RFC 2985
 * 5.4.1): clients send PrintableString (scepclient, certmonger) or
 * UTF8String (Apple, Windows); Teletex, BMP and Universal strings are taken
 * as well and turned into UTF-8. One attribute with one value, no NUL, at
 * most sizeof c->challenge - 1 bytes. 0 / -1.
 */
static int
read_challenge(X509_REQ *req, struct cm_scep_csr *c, char *err, size_t errlen)
{
	X509_ATTRIBUTE *a;
	ASN1_TYPE *v;
	unsigned char *utf8 = NULL;
	int i, n;

	i = X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, -1);
	if (i < 0)
		return 0;
	if (X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, i) >= 0)
		return fail(err, errlen, "the CSR has more than one challengePassword");
	a = X509_REQ_get_attr(req, i);
	if (a == NULL || X509_ATTRIBUTE_count(a) != 1
	    || (v = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return fail(err, errlen, "the CSR's challengePassword has not one value");
	switch (v->type) {
	case V_ASN1_PRINTABLESTRING: case V_ASN1_UTF8STRING: case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING: case V_ASN1_UNIVERSALSTRING: case V_ASN1_IA5STRING:
		break;
	default:
		return fail(err, errlen, "the CSR's challengePassword is not a string");
	}
	n = ASN1_STRING_to_UTF8(&utf8, v->value.asn1_string);
	if (n < 0)
		return fail(err, errlen, "the CSR's challengePassword is not a valid string");
	if ((size_t)n >= sizeof c->challenge || memchr(utf8, 0, (size_t)n) != NULL) {
		OPENSSL_cleanse(utf8, (size_t)n);
		OPENSSL_free(utf8);
		return fail(err, errlen, "the CSR's challengePassword is longer than %zu bytes or holds NUL",
		    sizeof c->challenge - 1);
	}
	memcpy(c->challenge, utf8, (size_t)n);
	c->challenge[n] = '\0';
	c->has_challenge = 1;
	OPENSSL_cleanse(utf8, (size_t)n);
	OPENSSL_free(utf8);
	return 0;
}

int
cm_scep_parse_csr(const unsigned char *p, size_t len, struct cm_scep_csr *out, char *err, size_t errlen)
{
	const unsigned char *q = p;

	memset(out, 0, sizeof *out);
	if (p == NULL || len == 0 || len > CM_SCEP_MAX_CONTENT)
		return fail(err, errlen, "the CSR is empty or over %d bytes", CM_SCEP_MAX_CONTENT);
	out->req = d2i_X509_REQ(NULL, &q, (long)len);
	if (out->req == NULL)
		return fail(err, errlen, "the content is not a PKCS#10 CSR");
	if ((size_t)(q - p) != len) {
		cm_scep_csr_free(out);
		return fail(err, errlen, "%zu bytes after the CSR", len - (size_t)(q - p));
	}
	if (read_challenge(out->req, out, err, errlen) < 0) {
		cm_scep_csr_free(out);
		return -1;
	}
	return 0;
}

void
cm_scep_csr_free(struct cm_scep_csr *c)
{
	if (c == NULL)
		return;
	X509_REQ_free(c->req);
	c->req = NULL;
	OPENSSL_cleanse(c->challenge, sizeof c->challenge);
	c->has_challenge = 0;
}

/*
 * Opens the outer DER SEQUENCE of p (definite length, filling all of p):
 * *body and *end bound its contents. 0 / -1.
 */
static int
outer_sequence(const unsigned char *p, size_t len, const unsigned char **body,
    const unsigned char **end)
{
	const unsigned char *q = p;
	long clen;
	int tag, cls, r;

	if (p == NULL || len == 0 || len > CM_SCEP_MAX_CONTENT)
		return -1;
	r = ASN1_get_object(&q, &clen, &tag, &cls, (long)len);
	if (r & 0x80 || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE
	    || cls != V_ASN1_UNIVERSAL)
		return -1;
	if ((size_t)(q - p) + (size_t)clen != len)
		return -1;
	*body = q;
	*end = q + clen;
	return 0;
}

int
cm_scep_parse_issuer_and_subject(const unsigned char *p, size_t len,
    X509_NAME **issuer, X509_NAME **subject, char *err, size_t errlen)
{
	const unsigned char *q, *end;

	*issuer = *subject = NULL;
	if (outer_sequence(p, len, &q, &end) < 0)
		return fail(err, errlen, "IssuerAndSubject: not one DER SEQUENCE of at most %d bytes",
		    CM_SCEP_MAX_CONTENT);
	*issuer = d2i_X509_NAME(NULL, &q, end - q);
	if (*issuer == NULL || q >= end)
		goto bad;
	*subject = d2i_X509_NAME(NULL, &q, end - q);
	if (*subject == NULL || q != end)
		goto bad;
	return 0;
bad:
	X509_NAME_free(*issuer);
	X509_NAME_free(*subject);
	*issuer = *subject = NULL;
	return fail(err, errlen, "IssuerAndSubject: not two names");
}

int
cm_scep_parse_issuer_and_serial(const unsigned char *p, size_t len,
    X509_NAME **issuer, ASN1_INTEGER **serial, char *err, size_t errlen)
{
	const unsigned char *q, *end;

	*issuer = NULL;
	*serial = NULL;
	if (outer_sequence(p, len, &q, &end) < 0)
		return fail(err, errlen,
		    "IssuerAndSerialNumber: not one DER SEQUENCE of at most %d bytes",
		    CM_SCEP_MAX_CONTENT);
	*issuer = d2i_X509_NAME(NULL, &q, end - q);
	if (*issuer == NULL || q >= end)
		goto bad;
	*serial = d2i_ASN1_INTEGER(NULL, &q, end - q);
	if (*serial == NULL || q != end)
		goto bad;
	return 0;
bad:
	X509_NAME_free(*issuer);
	ASN1_INTEGER_free(*serial);
	*issuer = NULL;
	*serial = NULL;
	return fail(err, errlen, "IssuerAndSerialNumber: not a name and an integer");
}
