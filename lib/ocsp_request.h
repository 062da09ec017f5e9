/* ocsp_request.h: an OCSPRequest (RFC 6960) parsed into a plain, bounded struct for ocsp.fcgi. */
#ifndef CM_OCSP_REQUEST_H
#define CM_OCSP_REQUEST_H

#include <stddef.h>

#include "signer_proto.h"

/* Largest request accepted (POST body, or DER decoded from a GET path). */
#define CM_OCSP_REQ_MAX 8192
/* Longest CertID issuer hash kept (SHA-512); a longer one never matches. */
#define CM_OCSP_REQ_HASH_MAX 64
/* RFC 8954: the nonce inside the extension is 1..32 octets. */
#define CM_OCSP_REQ_NONCE_MIN 1
#define CM_OCSP_REQ_NONCE_MAX 32
/* Serial numbers certmint issues: 16 random bytes (certificates.serial_hex). */
#define CM_OCSP_REQ_SERIAL_LEN 16

struct cm_ocsp_certid {
	unsigned hash;                  /* CM_OCSP_HASH_*, or 0 for an algorithm not served */
	unsigned char name_hash[CM_OCSP_REQ_HASH_MAX];
	size_t name_hash_len;           /* 0 when over CM_OCSP_REQ_HASH_MAX */
	unsigned char key_hash[CM_OCSP_REQ_HASH_MAX];
	size_t key_hash_len;
	/* The serial as the signer packs it: big-endian magnitude, 1..20
	 * bytes; serial_len 0 when negative or longer (never one of ours). */
	unsigned char serial[CM_OCSP_MAX_SERIAL];
	size_t serial_len;
	/* certificates.serial_hex form (16 bytes, left-padded, lowercase),
	 * or "" when the serial cannot be one certmint issued. */
	char serial_hex[2 * CM_OCSP_REQ_SERIAL_LEN + 1];
};

struct cm_ocsp_request {
	size_t nsingles;                /* 1..CM_OCSP_MAX_SINGLES */
	struct cm_ocsp_certid singles[CM_OCSP_MAX_SINGLES];
	/* The nonce extension's extnValue contents (for OpenSSL clients an
	 * OCTET STRING holding the nonce), echoed verbatim; nonce_len 0 = none. */
	unsigned char nonce[CM_OCSP_MAX_NONCE];
	size_t nonce_len;
};

/*
 * Parses exactly one DER OCSPRequest of len bytes (at most CM_OCSP_REQ_MAX;
 * trailing bytes refused) into *out. The optional signature and extensions
 * other than the nonce are ignored. 0, or -1 when the bytes are not a request
 * certmint answers other than with malformedRequest: not one OCSPRequest, no
 * or more than CM_OCSP_MAX_SINGLES CertIDs, a nonce that is not an OCTET
 * STRING of 1..32 octets, or repeated nonces.
 */
int cm_ocsp_request_parse(const unsigned char *der, size_t len, struct cm_ocsp_request *out);

/*
 * Decodes the last part of a GET URL (RFC 5019 / RFC 6960 A.1: the
 * URL-encoded base64 of the DER request) of len bytes into out (cap bytes).
 * '%XX' escapes are decoded first, then standard base64 with '=' padding
 * (missing padding accepted; '-' and '_' of the URL-safe alphabet too).
 * Returns the decoded length, or -1 when malformed or over cap.
 */
long cm_ocsp_request_from_url(const char *s, size_t len, unsigned char *out, size_t cap);

#endif
