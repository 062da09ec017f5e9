/* signer_client.h: the web tier's and CLI's side of the signerd protocol. */
#ifndef CM_SIGNER_CLIENT_H
#define CM_SIGNER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "audit_checkpoint.h"
#include "signer_proto.h"
#include "buf.h"

struct cm_signer;

/*
 * Return convention for this module: an enum cm_signer_outcome, with a
 * sentence in err for every outcome but OK. The values keep the older
 * "0 / 1 refused / negative failed" reading valid.
 */
enum cm_signer_outcome {
	CM_SIGNER_OK = 0,
	/* The signer's policy said no (class "refused", or an older signer's
	 * error reply without a class): err has its reason. */
	CM_SIGNER_REFUSED = 1,
	/* Nothing was done, for sure: the signer could not be reached, the
	 * request could not be sent whole, or the signer answered that it
	 * failed (class "fault": journal write error, disk full, key
	 * unavailable) or that the request expired before it was signed (class
	 * "expired"; err then starts with "expired: "). */
	CM_SIGNER_FAULT = -1,
	/* The request was sent but no usable reply came (timeout, connection
	 * lost, short or unreadable reply): the signer may have done it. For
	 * an issue, the certificate may exist (the journal has it). */
	CM_SIGNER_UNKNOWN = -2
};

/* "ok", "refused", "fault", "unknown": for logs and audit rows. */
const char *cm_signer_outcome_name(int outcome);

/*
 * Every request carries an absolute deadline (TAG_DEADLINE_MS): the time it
 * is sent plus timeout_ms, less a guard of timeout_ms / 10 (at most
 * CM_SIGNER_DEADLINE_GUARD_MS) so that a request the signer still signs
 * leaves time for its journal write and reply before this side gives up.
 */
#define CM_SIGNER_DEADLINE_GUARD_MS 1000

/* CM_SIGNER_OK, or CM_SIGNER_FAULT with err. timeout_ms <= 0: 10 s. */
int cm_signer_connect(struct cm_signer **out, const char *socket_path,
    int timeout_ms, char *err, size_t errlen);
void cm_signer_close(struct cm_signer *s);
/* 1 when a connection kept between requests can carry the next one: no
 * earlier failure closed it, and nothing is waiting to be read on it (the
 * signer's close after its read_timeout_ms, a late reply); 0 otherwise
 * (close it and connect again). */
int cm_signer_usable(const struct cm_signer *s);

struct cm_ca_init_req {
	const char *key_type;        /* "rsa3072" or "ecdsa-p256" */
	const char *root_subject;    /* e.g. "/O=Example/CN=Example Root CA" */
	const char *issuing_subject; /* e.g. "/O=Example/CN=Example Issuing CA" */
	long root_days;              /* 0 = signer default */
	long issuing_days;
	int name_constraints;        /* the issuing CA carries the signer's [namespaces] */
};
int cm_signer_ca_init(struct cm_signer *s, const struct cm_ca_init_req *req,
    char *err, size_t errlen);

/* Imports an existing root + issuing CA (PEM); the key is PEM, unencrypted
 * or encrypted with passphrase (may be NULL). */
int cm_signer_ca_import(struct cm_signer *s, const char *root_pem,
    const char *issuing_pem, const char *issuing_key_pem, const char *passphrase,
    char *err, size_t errlen);

/* PEM of issuing CA then root, appended to out. */
int cm_signer_ca_chain(struct cm_signer *s, struct cm_buf *out, char *err, size_t errlen);

/* The issue operation as the web tier sends it (OP_ISSUE's request fields). */
struct cm_signer_issue_req {
	const char *profile;          /* "tls-server", ... */
	const unsigned char *csr_der;
	size_t csr_len;
	long validity_days;           /* 0 = profile maximum */
	const char *subject;          /* NULL = the CSR's subject; else "/CN=..." */
	const char *const *sans;      /* NULL = the CSR's SANs; else "DNS:x", "email:y", "IP:z" */
	size_t nsans;
	const char *const *ekus;      /* NULL = the profile's EKUs; else OIDs or short names */
	size_t nekus;
	int ca;                       /* asks for basicConstraints CA:TRUE (always refused) */
};

/* What the signer sends back for an issue it granted. */
struct cm_signer_issue_reply {
	unsigned char *der;           /* malloc'ed, free with cm_signer_issue_reply_free */
	size_t der_len;
	char serial_hex[33];          /* 16 bytes, lowercase hex */
};

int cm_signer_issue(struct cm_signer *s, const struct cm_signer_issue_req *req,
    struct cm_signer_issue_reply *res, char *err, size_t errlen);
void cm_signer_issue_reply_free(struct cm_signer_issue_reply *res);

/* Asks the signer to sign the audit chain head (row id, its chain hash);
 * the signed checkpoint in *out. Refused (1) when it contradicts the
 * latest checkpoint: a lower id, or the same id with another hash. */
int cm_signer_audit_checkpoint(struct cm_signer *s, int64_t id, const char *hash,
    struct cm_checkpoint *out, char *err, size_t errlen);

/* One page (at most CM_CHECKPOINT_PAGE, ascending) of the signer's
 * checkpoints with ids above after, into out (max entries), their number
 * in *n; the PEM public key that signed them is appended to pub_pem when
 * the signer has one. Signatures are not checked here. */
int cm_signer_audit_checkpoints(struct cm_signer *s, int64_t after,
    struct cm_checkpoint *out, size_t max, size_t *n, struct cm_buf *pub_pem,
    char *err, size_t errlen);

/*
 * CRLs (OP_CRL_SIGN, signer_proto.h): on one connection, begin a CRL of
 * issuer ("issuing" or "root"), send its entries in batches packed with
 * cm_signer_crl_pack (each batch at most CM_SIGNER_CRL_BATCH bytes), sign
 * (the signer assigns the CRL number), then read the DER back chunk by
 * chunk until der_len. A refused or failed begin, entries or sign step
 * leaves no CRL open on the signer: start again with begin. Each returns
 * an enum cm_signer_outcome.
 */
#define CM_SIGNER_CRL_BATCH (CM_PROTO_MAX_PAYLOAD - 256)
int cm_signer_crl_begin(struct cm_signer *s, const char *issuer, time_t this_update,
    time_t next_update, char *err, size_t errlen);
int cm_signer_crl_entries(struct cm_signer *s, const void *packed, size_t len,
    char *err, size_t errlen);
/* The number (decimal, at most 20 digits) into number[numlen], the
 * length of the signed CRL into *der_len. */
int cm_signer_crl_sign(struct cm_signer *s, char *number, size_t numlen, uint64_t *der_len,
    char *err, size_t errlen);
/* Appends the chunk at off (at most CM_CRL_CHUNK bytes) to out; *got its
 * length (0 only at the end). */
int cm_signer_crl_read(struct cm_signer *s, uint64_t off, struct cm_buf *out, size_t *got,
    char *err, size_t errlen);
/* Appends one entry in the packed form: serial (big-endian, 1..20 bytes),
 * revocation time, RFC 5280 reason code. 0, or -1 (bad serial or the cap
 * of b). */
int cm_signer_crl_pack(struct cm_buf *b, const unsigned char *serial, size_t serial_len,
    uint64_t revoked_at, unsigned reason);

/*
 * OCSP responses (OP_OCSP_SIGN, signer_proto.h): the signer builds and
 * signs one complete DER OCSPResponse per item with its delegated OCSP
 * responder key, for certificates of its issuing CA.
 */
struct cm_signer_ocsp_single {
	unsigned hash;                 /* CM_OCSP_HASH_* */
	const unsigned char *serial;   /* big-endian magnitude, 1..20 bytes */
	size_t serial_len;
	unsigned status;               /* CM_OCSP_GOOD / _REVOKED / _UNKNOWN */
	uint64_t revoked_at;           /* seconds since the epoch, revoked only */
	unsigned reason;               /* CRLReason code or CM_OCSP_NO_REASON */
};
struct cm_signer_ocsp_item {
	const unsigned char *nonce;    /* extnValue contents, or NULL */
	size_t nonce_len;              /* 0..CM_OCSP_MAX_NONCE */
	const struct cm_signer_ocsp_single *singles;
	size_t nsingles;               /* 1..CM_OCSP_MAX_SINGLES */
};
struct cm_signer_ocsp_response { unsigned char *der; size_t len; };
struct cm_signer_ocsp_reply {
	struct cm_signer_ocsp_response *resp;  /* nitems of them, malloc'ed */
	size_t n;
	time_t this_update, next_update;
};
/* Signs nitems (1..CM_OCSP_MAX_ITEMS) responses on one request; enum
 * cm_signer_outcome; on OK out holds one response per item, in order.
 * A request whose reply would not fit one frame is refused: send fewer. */
int cm_signer_ocsp_sign(struct cm_signer *s, const struct cm_signer_ocsp_item *items,
    size_t nitems, struct cm_signer_ocsp_reply *out, char *err, size_t errlen);
void cm_signer_ocsp_reply_free(struct cm_signer_ocsp_reply *r);
/* Appends item packed as one TAG_OCSP_ITEM value (signer_proto.h) to b.
 * 0, or -1 when the item breaks a bound of the format (nonce, singles,
 * serial length, hash, status, reason) or b's cap is reached. */
int cm_signer_ocsp_pack(struct cm_buf *b, const struct cm_signer_ocsp_item *item);

/*
 * SCEP (OP_SCEP_DECRYPT / OP_SCEP_CERTREP, signer_proto.h, which also holds
 * CM_SCEP_MAX_ENVELOPE, CM_SCEP_NONCE_LEN, CM_SCEP_SUCCESS/_FAILURE/_PENDING
 * and CM_SCEP_BAD_*): the RA key in signerd decrypts a pkiMessage's
 * envelope and signs the CertRep; the web program never holds it.
 */
/* Decrypts a pkiMessage's envelope; the plaintext appended to content and the cipher's name
 * ("aes-256-cbc", ...) in cipher. enum cm_signer_outcome. */
int cm_signer_scep_decrypt(struct cm_signer *s, const unsigned char *env, size_t env_len,
    struct cm_buf *content, char *cipher, size_t cipherlen, char *err, size_t errlen);
struct cm_signer_scep_certrep_req {
	unsigned pki_status;               /* CM_SCEP_SUCCESS / _FAILURE / _PENDING */
	unsigned fail_info;                /* CM_SCEP_BAD_*, FAILURE only */
	const char *transaction_id;
	const unsigned char *recipient_nonce;   /* CM_SCEP_NONCE_LEN bytes, or NULL */
	const char *digest;                /* "sha1" | "sha256" | "sha512" */
	const char *cipher;                /* SUCCESS: "aes-256-cbc", ... */
	const unsigned char *recipient_cert;    /* SUCCESS: DER */
	size_t recipient_cert_len;
	const unsigned char *const *certs; /* SUCCESS: DER certificates, issued one first ... */
	const size_t *cert_lens;
	size_t ncerts;                     /* ... 1..4, or 0 with a crl */
	const unsigned char *crl;          /* SUCCESS for GetCRL: DER, else NULL */
	size_t crl_len;
};
/* The signed CertRep pkiMessage (DER) appended to out. enum cm_signer_outcome. */
int cm_signer_scep_certrep(struct cm_signer *s, const struct cm_signer_scep_certrep_req *req,
    struct cm_buf *out, char *err, size_t errlen);
/* The RA certificate (DER) appended to ra; CM_SIGNER_REFUSED when the signer has none. */
int cm_signer_scep_ra_cert(struct cm_signer *s, struct cm_buf *ra, char *err, size_t errlen);
/* The request frame cm_signer_scep_certrep sends, with request id, into b
 * (for tests and probes). 0, or -1 with err (a bound of the format). */
int cm_signer_scep_certrep_pack(struct cm_buf *b, uint32_t id,
    const struct cm_signer_scep_certrep_req *req, char *err, size_t errlen);

#endif
