/* ocsp_request.c: parses an OCSPRequest (POST body or GET URL form) into struct cm_ocsp_request, with OpenSSL and hard bounds. */
#include "config.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "ocsp_request.h"

/* The CM_OCSP_HASH_* of a CertID's hashAlgorithm, or 0. */
static unsigned
hash_of(const ASN1_OBJECT *alg)
{
	switch (OBJ_obj2nid(alg)) {
	case NID_sha1: return CM_OCSP_HASH_SHA1;
	case NID_sha256: return CM_OCSP_HASH_SHA256;
	case NID_sha384: return CM_OCSP_HASH_SHA384;
	case NID_sha512: return CM_OCSP_HASH_SHA512;
	default: return 0;
	}
}

/* Copies an OCTET STRING of at most CM_OCSP_REQ_HASH_MAX bytes; a longer
 * one is left empty, so that it matches no issuer. */
static void
copy_hash(const ASN1_OCTET_STRING *h, unsigned char *dst, size_t *len)
{
	int n = h ? ASN1_STRING_length(h) : 0;

	*len = 0;
	if (n > 0 && n <= CM_OCSP_REQ_HASH_MAX) {
		memcpy(dst, ASN1_STRING_get0_data(h), (size_t)n);
		*len = (size_t)n;
	}
}

/* The serial as the signer wants it, and its serial_hex when it can be
 * one of certmint's 16-byte serials. */
static void
copy_serial(const ASN1_INTEGER *a, struct cm_ocsp_certid *c)
{
	static const char d[] = "0123456789abcdef";
	const unsigned char *p = ASN1_STRING_get0_data(a);
	size_t n = (size_t)ASN1_STRING_length(a);

	c->serial_len = 0;
	c->serial_hex[0] = '\0';
	if (ASN1_STRING_type(a) != V_ASN1_INTEGER)
		return;             /* negative: not a serial anyone issued here */
	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > CM_OCSP_MAX_SERIAL)
		return;
	if (n == 0) {
		c->serial[0] = 0;
		c->serial_len = 1;
	} else {
		memcpy(c->serial, p, n);
		c->serial_len = n;
	}
	if (n > CM_OCSP_REQ_SERIAL_LEN)
		return;
	size_t pad = CM_OCSP_REQ_SERIAL_LEN - n;
	for (size_t i = 0; i < CM_OCSP_REQ_SERIAL_LEN; i++) {
		unsigned v = i < pad ? 0 : p[i - pad];
		c->serial_hex[2 * i] = d[v >> 4];
		c->serial_hex[2 * i + 1] = d[v & 15];
	}
	c->serial_hex[2 * CM_OCSP_REQ_SERIAL_LEN] = '\0';
}

/* 0 and the nonce copied, or -1 when the extension's value is not an
 * OCTET STRING of 1..32 octets (RFC 8954) exactly. */
static int
copy_nonce(X509_EXTENSION *ext, struct cm_ocsp_request *out)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(v), *q = p;
	long n = ASN1_STRING_length(v);
	ASN1_OCTET_STRING *inner = NULL;
	int rc = -1;

	if (n <= 0 || (size_t)n > CM_OCSP_MAX_NONCE)
		return -1;
	inner = d2i_ASN1_OCTET_STRING(NULL, &q, n);
	if (inner == NULL || q != p + n || ASN1_STRING_length(inner) < CM_OCSP_REQ_NONCE_MIN ||
	    ASN1_STRING_length(inner) > CM_OCSP_REQ_NONCE_MAX)
		goto out;
	memcpy(out->nonce, p, (size_t)n);
	out->nonce_len = (size_t)n;
	rc = 0;
out:
	ASN1_OCTET_STRING_free(inner);
	return rc;
}

/* 0, or -1 malformed (see the header). */
int
cm_ocsp_request_parse(const unsigned char *der, size_t len, struct cm_ocsp_request *out)
{
	const unsigned char *p = der;
	OCSP_REQUEST *req = NULL;
	int n, idx, rc = -1;

	out->nsingles = 0;
	out->nonce_len = 0;
	if (der == NULL || len == 0 || len > CM_OCSP_REQ_MAX)
		return -1;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	if (req == NULL || p != der + len)
		goto out;
	n = OCSP_request_onereq_count(req);
	if (n < 1 || n > CM_OCSP_MAX_SINGLES)
		goto out;
	for (int i = 0; i < n; i++) {
		OCSP_CERTID *id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
		ASN1_OCTET_STRING *nh = NULL, *kh = NULL;
		ASN1_OBJECT *alg = NULL;
		ASN1_INTEGER *serial = NULL;
		struct cm_ocsp_certid *c = &out->singles[i];

		if (id == NULL || OCSP_id_get0_info(&nh, &alg, &kh, &serial, id) != 1 || serial == NULL)
			goto out;
		c->hash = hash_of(alg);
		copy_hash(nh, c->name_hash, &c->name_hash_len);
		copy_hash(kh, c->key_hash, &c->key_hash_len);
		copy_serial(serial, c);
	}
	out->nsingles = (size_t)n;
	idx = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
	if (idx >= 0) {
		if (OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, idx) >= 0 ||
		    copy_nonce(OCSP_REQUEST_get_ext(req, idx), out) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		out->nsingles = 0;
		out->nonce_len = 0;
	}
	OCSP_REQUEST_free(req);
	return rc;
}

/* The value of a base64 digit (standard or URL-safe alphabet), or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* The value of a hex digit, or -1. */
static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded length, or -1 (see the header). */
long
cm_ocsp_request_from_url(const char *s, size_t len, unsigned char *out, size_t cap)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len || (hi = hex_value((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_value((unsigned char)s[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '=') {
			if (++pad > 2)
				return -1;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || pad > 0)
			return -1;  /* a stray byte, or data after the padding */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* A lone digit (6 bits) cannot end a quantum; leftover bits must be zero. */
	if (bits >= 6 || acc != 0)
		return -1;
	return (long)o;
}
