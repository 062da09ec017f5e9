/* scep_msg.h: SCEP (RFC 8894) messages without keys: pkiMessage intake, decrypted contents, GetCACaps, GetCACert. */
#ifndef CM_SCEP_MSG_H
#define CM_SCEP_MSG_H

#include <stddef.h>
#include <openssl/x509.h>
#include "buf.h"
#include "signer_proto.h"

/*
 * Nothing here holds or asks for a private key, and nothing talks to the
 * database or the signer: scep.fcgi feeds a request's bytes to
 * cm_scep_parse, hands the envelope it found to signerd (scep-decrypt),
 * reads the plaintext with the content parsers below, and asks signerd for
 * the CertRep (scep-certrep).
 */

#define CM_SCEP_MAX_MESSAGE (256 * 1024)   /* largest pkiMessage accepted (POST body or decoded GET) */
/* From signer_proto.h, shared with signerd: CM_SCEP_NONCE_LEN, CM_SCEP_SUCCESS/_FAILURE/
 * _PENDING, CM_SCEP_BAD_* (failInfo), CM_SCEP_MAX_CONTENT (largest decrypted content, which
 * the content parsers below also hold to), CM_SCEP_MAX_TRANSACTION_ID (RFC 8894 sets no
 * limit; real clients send 28..64 characters). */

enum cm_scep_msg_type { CM_SCEP_MSG_CERTREP = 3, CM_SCEP_MSG_RENEWALREQ = 17,
	CM_SCEP_MSG_PKCSREQ = 19, CM_SCEP_MSG_CERTPOLL = 20, CM_SCEP_MSG_GETCERT = 21,
	CM_SCEP_MSG_GETCRL = 22 };

struct cm_scep_request {
	int message_type;                  /* enum cm_scep_msg_type */
	char transaction_id[CM_SCEP_MAX_TRANSACTION_ID + 1]; /* printable, NUL-terminated */
	unsigned char sender_nonce[CM_SCEP_NONCE_LEN];
	int has_sender_nonce;
	char digest[8];                    /* signerInfo digest: "sha1" "sha256" "sha512" (others: badAlg,
	                                      and "": then answer in sha256) */
	unsigned char *signer_cert;        /* DER of the certificate that signed (malloc'ed) */
	size_t signer_cert_len;
	unsigned char *envelope;           /* DER ContentInfo envelopedData (malloc'ed) */
	size_t envelope_len;
	char envelope_cipher[16];          /* from contentEncryptionAlgorithm, before decryption:
	                                      "aes-128-cbc" ... "des-ede3-cbc" "des-cbc"; "" unknown */
	long signing_time;                 /* signingTime attribute, 0 when absent */
};

/* Parses and checks a pkiMessage: one SignedData, one signerInfo, signature valid under the
 * certificate it carries (self-signed or not: who that certificate is, is the caller's policy),
 * signed attributes messageType, transactionID, senderNonce (16 bytes), content an
 * EnvelopedData. Returns 0; or -1 with *fail_info (CM_SCEP_BAD_MESSAGE_CHECK for a bad
 * signature or missing attribute, CM_SCEP_BAD_ALG for an unsupported digest, CM_SCEP_BAD_REQUEST
 * for anything else malformed) and err; the request fields that could be read (transaction_id,
 * sender_nonce, digest, signer_cert) are still filled so a FAILURE CertRep can be sent.
 * Over CM_SCEP_MAX_MESSAGE: -1 badRequest without parsing; an envelope over
 * CM_SCEP_MAX_ENVELOPE (what signerd takes): badRequest. Safe on any bytes.
 * out is always initialised (free it with cm_scep_request_free either way); *fail_info is
 * -1 on success. */
int cm_scep_parse(const unsigned char *p, size_t len, struct cm_scep_request *out,
    int *fail_info, char *err, size_t errlen);
void cm_scep_request_free(struct cm_scep_request *r);

/* Decrypted contents (from scep-decrypt). All: 0, or -1 with err (bad DER, trailing bytes,
 * over CM_SCEP_MAX_CONTENT). */
struct cm_scep_csr {
	X509_REQ *req;                     /* owned; free with cm_scep_csr_free */
	char challenge[256];               /* challengePassword ("" when absent); never log it */
	int has_challenge;
};
int cm_scep_parse_csr(const unsigned char *p, size_t len, struct cm_scep_csr *out, char *err, size_t errlen);
/* Frees the request and wipes the challenge. */
void cm_scep_csr_free(struct cm_scep_csr *c);
/* IssuerAndSubject (CertPoll/GetCertInitial): both names, the caller frees them with
 * X509_NAME_free (NULL on failure). */
int cm_scep_parse_issuer_and_subject(const unsigned char *p, size_t len,
    X509_NAME **issuer, X509_NAME **subject, char *err, size_t errlen);
/* IssuerAndSerialNumber (GetCert, GetCRL): freed with X509_NAME_free / ASN1_INTEGER_free. */
int cm_scep_parse_issuer_and_serial(const unsigned char *p, size_t len,
    X509_NAME **issuer, ASN1_INTEGER **serial, char *err, size_t errlen);

/* GetCACaps text ("POSTPKIOperation\nSHA-256\n..."), static. */
const char *cm_scep_caps(void);
/* GetCACert: a degenerate certs-only SignedData (DER) of the certificates, in order (RA first,
 * then issuing CA, then root), appended to out. 0 / -1. */
int cm_scep_ca_certs(const unsigned char *const *certs, const size_t *lens, size_t n,
    struct cm_buf *out, char *err, size_t errlen);
/* Which cipher to answer with (RFC 8894 3.5.2: the one the request used, when it is one we
 * accept; "des-cbc" only when the request used it). */
const char *cm_scep_reply_cipher(const char *request_cipher);

#endif
