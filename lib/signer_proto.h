/* signer_proto.h: the signerd wire protocol, one header for both sides (signer/ and lib/signer_client.c). */
#ifndef CM_SIGNER_PROTO_H
#define CM_SIGNER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * A frame is a fixed 12-byte header followed by payload_len bytes of typed
 * fields. All integers are in network byte order.
 *
 *   uint8  version      CM_PROTO_VERSION
 *   uint8  reserved     0
 *   uint16 op           enum cm_op (requests) or OP_REPLY_OK / OP_REPLY_ERR
 *   uint32 request_id   chosen by the client, echoed in the reply
 *   uint32 payload_len  <= CM_PROTO_MAX_PAYLOAD, checked before allocating
 *
 * Payload: fields {uint16 tag, uint32 len, len bytes}, tags from enum cm_tag.
 * Strings are UTF-8 without NUL; integers are uint32 (4 bytes), except the
 * 8-byte TAG_DEADLINE_MS.
 */
#define CM_PROTO_VERSION     1
#define CM_PROTO_HDR_LEN     12
#define CM_PROTO_MAX_FRAME   (1024 * 1024)
#define CM_PROTO_MAX_PAYLOAD (CM_PROTO_MAX_FRAME - CM_PROTO_HDR_LEN)
#define CM_PROTO_FIELD_HDR   6
#define CM_PROTO_MAX_FIELDS  264   /* CM_OCSP_MAX_ITEMS items + a deadline, with room */

/*
 * Operations. The numbers are on the wire: never renumber, only append.
 * The fields of every request and OK reply are listed in lib/signer_msgs.c,
 * and cm_msg_decode refuses anything else. An operation marked "reserved"
 * has a number and a name but no field table: signerd treats it like an
 * unknown op (logs it, drops the connection) until the issue that adds it
 * gives it tables and a handler.
 */
enum cm_op {
	OP_CA_INIT = 1,   /* KEY_TYPE ROOT_SUBJECT ISSUING_SUBJECT [ROOT_DAYS] [ISSUING_DAYS]
	                     [NAME_CONSTRAINTS] -> OK */
	OP_CA_IMPORT = 2, /* ROOT_PEM ISSUING_PEM ISSUING_KEY_PEM [PASSPHRASE] -> OK */
	OP_CA_CHAIN = 3,  /* -> CHAIN_PEM (issuing then root) [SCEP_RA_CERT] */
	OP_ISSUE = 4,     /* PROFILE CSR_DER [VALIDITY_DAYS] [SUBJECT] [SAN]* [EKU]* [CA]
	                     -> CERT_DER SERIAL_HEX */
	OP_CRL_SIGN = 5,          /* one CRL as a sequence on one connection (signer/crl.c):
	                             begin: CRL_STEP=1 CRL_ISSUER THIS_UPDATE NEXT_UPDATE -> OK;
	                             entries: CRL_STEP=2 CRL_ENTRIES -> OK (repeat);
	                             sign: CRL_STEP=3 -> CRL_NUMBER CRL_DER_LEN;
	                             read: CRL_STEP=4 CRL_OFFSET -> CRL_DER (a chunk) */
	OP_OCSP_SIGN = 6,         /* OCSP_ITEM+ (1..CM_OCSP_MAX_ITEMS) -> OCSP_RESPONSE+ (one per
	                             item, same order) THIS_UPDATE NEXT_UPDATE (signer/ocsp.c) */
	OP_SCEP_DECRYPT = 7,      /* SCEP_ENVELOPE -> SCEP_CONTENT SCEP_CIPHER (signer/scep_ops.c) */
	OP_SCEP_CERTREP = 8,      /* SCEP_PKI_STATUS [SCEP_FAIL_INFO] SCEP_TRANSACTION_ID
	                             [SCEP_RECIPIENT_NONCE] SCEP_DIGEST [SCEP_CIPHER]
	                             [SCEP_RECIPIENT_CERT] [CERT_DER]* [SCEP_CRL_DER]
	                             -> SCEP_PKI_MESSAGE (signer/scep_ops.c) */
	OP_KEYGEN = 9,            /* DESIGN.md (key pair in the vault): reserved, not yet served */
	OP_CODE_SIGN = 10,        /* DESIGN.md (file or hash, csod): reserved, not yet served */
	OP_TIMESTAMP = 11,        /* DESIGN.md (RFC 3161): reserved, not yet served */
	OP_AUDIT_CHECKPOINT = 12, /* record: AUDIT_ID AUDIT_HASH -> CHECKPOINT KEY_PEM;
	                             list: [CHECKPOINT_AFTER] -> CHECKPOINT* [KEY_PEM]
	                             (signer/checkpoint.c) */
	OP_VAULT_BACKUP = 13,     /* DESIGN.md (encrypted vault file): reserved, not yet served */
	OP_VAULT_RESTORE = 14,    /* DESIGN.md: reserved, not yet served */
	OP__MAX
};

enum {
	OP_REPLY_OK  = 0x8000,
	OP_REPLY_ERR = 0x8001      /* REASON [ERR_CLASS] */
};

enum cm_tag {
	TAG_KEY_TYPE = 1,          /* "rsa3072" | "ecdsa-p256" */
	TAG_ROOT_SUBJECT,          /* "/O=Example/CN=Example Root CA" */
	TAG_ISSUING_SUBJECT,
	TAG_ROOT_DAYS,             /* uint32 */
	TAG_ISSUING_DAYS,          /* uint32 */
	TAG_ROOT_PEM,
	TAG_ISSUING_PEM,
	TAG_ISSUING_KEY_PEM,
	TAG_PASSPHRASE,
	TAG_CHAIN_PEM,
	TAG_PROFILE,
	TAG_CSR_DER,
	TAG_VALIDITY_DAYS,         /* uint32, 0 = profile maximum */
	TAG_SUBJECT,               /* overrides the CSR subject */
	TAG_SAN,                   /* repeatable: "DNS:x" "IP:x" "email:x" "URI:x" */
	TAG_EKU,                   /* repeatable: OID or short name */
	TAG_CA,                    /* uint32, non-zero asks for CA:TRUE (always refused) */
	TAG_CERT_DER,
	TAG_SERIAL_HEX,
	TAG_REASON,
	TAG_DEADLINE_MS,           /* 8 bytes: absolute deadline, wall-clock ms since the epoch;
	                              optional in every request (older clients send none) */
	TAG_ERR_CLASS,             /* in OP_REPLY_ERR: CM_ERR_CLASS_*; sent only to clients
	                              whose request carried a deadline (older ones do not know
	                              the tag); absent means "refused" */
	TAG_AUDIT_ID,              /* decimal audit row id (audit_log ids are 64-bit) */
	TAG_AUDIT_HASH,            /* that row's chain hash, 64 lowercase hex */
	TAG_CHECKPOINT_AFTER,      /* decimal row id: list checkpoints above it, "0" = all */
	TAG_CHECKPOINT,            /* repeatable: "ID HASH TIME SIG" (lib/audit_checkpoint.h) */
	TAG_CHECKPOINT_KEY_PEM,    /* the checkpoint signing key's public key, PEM */
	TAG_NAME_CONSTRAINTS,      /* uint32, non-zero: the issuing CA carries [namespaces] */
	TAG_CRL_STEP,              /* uint32: CM_CRL_STEP_* */
	TAG_CRL_ISSUER,            /* "issuing" | "root": whose CRL, signed by that CA's key */
	TAG_THIS_UPDATE,           /* 8 bytes: seconds since the epoch */
	TAG_NEXT_UPDATE,           /* 8 bytes: seconds since the epoch */
	TAG_CRL_ENTRIES,           /* packed entries, CM_CRL_ENTRY_* below */
	TAG_CRL_NUMBER,            /* decimal CRL number the signer assigned */
	TAG_CRL_DER_LEN,           /* 8 bytes: length of the signed CRL */
	TAG_CRL_OFFSET,            /* 8 bytes: where the next CRL_DER chunk starts */
	TAG_CRL_DER,               /* a chunk of the signed CRL, at most CM_CRL_CHUNK bytes */
	TAG_OCSP_ITEM,             /* repeatable: one packed OCSP item, CM_OCSP_* below */
	TAG_OCSP_RESPONSE,         /* repeatable: one DER OCSPResponse, in the items' order */
	/* SCEP (issue 10): the RA key's two operations, see "OP_SCEP_*" below. */
	TAG_SCEP_ENVELOPE,         /* DER ContentInfo envelopedData, <= CM_SCEP_MAX_ENVELOPE */
	TAG_SCEP_CONTENT,          /* the decrypted plaintext, <= CM_SCEP_MAX_CONTENT */
	TAG_SCEP_CIPHER,           /* "aes-128-cbc" | "aes-192-cbc" | "aes-256-cbc" |
	                              "des-ede3-cbc" | "des-cbc" */
	TAG_SCEP_PKI_STATUS,       /* uint32: CM_SCEP_SUCCESS / _FAILURE / _PENDING */
	TAG_SCEP_FAIL_INFO,        /* uint32: CM_SCEP_BAD_* (FAILURE only, required there) */
	TAG_SCEP_TRANSACTION_ID,   /* 1..CM_SCEP_MAX_TRANSACTION_ID printable ASCII */
	TAG_SCEP_RECIPIENT_NONCE,  /* CM_SCEP_NONCE_LEN bytes: the request's senderNonce */
	TAG_SCEP_DIGEST,           /* "sha1" | "sha256" | "sha512": the CertRep's signature digest */
	TAG_SCEP_RECIPIENT_CERT,   /* DER certificate (RSA) the SUCCESS envelope is made to */
	TAG_SCEP_CRL_DER,          /* DER CRL for a GetCRL SUCCESS (instead of CERT_DER) */
	TAG_SCEP_PKI_MESSAGE,      /* DER ContentInfo signedData: the signed CertRep */
	TAG_SCEP_RA_CERT,          /* DER: the RA certificate (ca-chain reply, when it exists) */
	TAG__MAX
};

/*
 * Error classes of an OP_REPLY_ERR (TAG_ERR_CLASS). Nothing was issued in
 * any of them; they say whose move it is.
 *   refused  the signer's policy said no: the request must change;
 *   fault    the signer failed (journal write error, disk full, key
 *            unavailable): an operator must act, the request was fine;
 *   expired  the request's deadline passed before the signer got to sign
 *            it (it was queued, or the signer was paused): dropped unsigned.
 */
#define CM_ERR_CLASS_REFUSED "refused"
#define CM_ERR_CLASS_FAULT   "fault"
#define CM_ERR_CLASS_EXPIRED "expired"

/*
 * OP_CRL_SIGN steps. The entries of a CRL (up to millions) do not fit one
 * frame, nor does the signed CRL: the client opens a CRL with "begin",
 * streams entries in frames of up to CM_PROTO_MAX_FRAME, asks to "sign"
 * and reads the DER back in chunks, all on one connection (a new "begin"
 * or the connection's end discards an unfinished CRL).
 * One packed entry in TAG_CRL_ENTRIES: uint8 serial length (1..20), the
 * serial's big-endian magnitude, uint64 revocation time (seconds since the
 * epoch), uint8 reason code (RFC 5280 CRLReason; 0 = unspecified, not
 * encoded).
 */
#define CM_CRL_STEP_BEGIN   1
#define CM_CRL_STEP_ENTRIES 2
#define CM_CRL_STEP_SIGN    3
#define CM_CRL_STEP_READ    4
#define CM_CRL_MAX_SERIAL   20
#define CM_CRL_CHUNK        (512 * 1024)

/*
 * OP_OCSP_SIGN. The request carries 1..CM_OCSP_MAX_ITEMS TAG_OCSP_ITEM
 * fields; each asks for one complete OCSPResponse (successful, a
 * BasicOCSPResponse signed by the signer's delegated OCSP responder key)
 * and is packed, integers big-endian:
 *
 *   uint8  nonce_len      0..CM_OCSP_MAX_NONCE; 0 = no nonce extension
 *   bytes  nonce          the request's nonce extnValue contents, echoed
 *                         verbatim as the response's id-pkix-ocsp-nonce
 *                         extnValue (as OpenSSL's OCSP_copy_nonce does)
 *   uint8  nsingles       1..CM_OCSP_MAX_SINGLES
 *   nsingles times:
 *     uint8  hash         CertID hash algorithm, CM_OCSP_HASH_*
 *     uint8  serial_len   1..CM_OCSP_MAX_SERIAL
 *     bytes  serial       big-endian magnitude (as in CRL entries)
 *     uint8  status       CM_OCSP_GOOD / _REVOKED / _UNKNOWN
 *     uint64 revoked_at   seconds since the epoch; 0 unless revoked
 *     uint8  reason       RFC 5280 CRLReason (0..10 but 7), or
 *                         CM_OCSP_NO_REASON (no reasonCode extension)
 *
 * An item is exactly that long: trailing or missing bytes refuse the whole
 * frame. The issuer is always the signer's issuing CA (it computes the
 * CertID's issuer hashes itself). The signer refuses "good" for a serial it
 * never issued, "unknown" for one it did, and "revoked" dated more than
 * CM_OCSP_MAX_REVOKED_SKEW seconds ahead or with a bad reason. The OK reply
 * carries one TAG_OCSP_RESPONSE per item, in order, and TAG_THIS_UPDATE /
 * TAG_NEXT_UPDATE once (producedAt = thisUpdate = now, nextUpdate = now +
 * [ocsp] validity_hours). A request whose reply would not fit
 * CM_PROTO_MAX_FRAME is refused as a whole: send fewer items.
 */
#define CM_OCSP_MAX_ITEMS        256
#define CM_OCSP_MAX_NONCE        64
#define CM_OCSP_MAX_SINGLES      16
#define CM_OCSP_MAX_SERIAL       20
#define CM_OCSP_MAX_REVOKED_SKEW 300
#define CM_OCSP_HASH_SHA1        1
#define CM_OCSP_HASH_SHA256      2
#define CM_OCSP_HASH_SHA384      3
#define CM_OCSP_HASH_SHA512      4
#define CM_OCSP_GOOD             0
#define CM_OCSP_REVOKED          1
#define CM_OCSP_UNKNOWN          2
#define CM_OCSP_NO_REASON        0xff
/* Bytes of one packed single: hash, serial_len, serial, status, time, reason. */
#define CM_OCSP_SINGLE_LEN(serial_len) (1 + 1 + (serial_len) + 1 + 8 + 1)

/*
 * SCEP (RFC 8894), the RA key's operations (signer/scep_ra.c holds the
 * pair, signer/scep_ops.c serves them). The signer is no general decryption
 * or signing oracle:
 *
 * OP_SCEP_DECRYPT: TAG_SCEP_ENVELOPE is the envelopedData ContentInfo of a
 * pkiMessage. Only the recipient matching the RA certificate (current or,
 * during a rotation, the previous one; by issuerAndSerialNumber or
 * subjectKeyIdentifier) is tried, else "not addressed to this RA"; only the
 * five TAG_SCEP_CIPHER ciphers; the plaintext must be exactly one DER
 * PKCS#10 CertificationRequest, IssuerAndSerialNumber or IssuerAndSubject
 * (SEQUENCE { issuer Name, subject Name }), else refused. Every decryption
 * failure has one refusal text. Reply: TAG_SCEP_CONTENT, TAG_SCEP_CIPHER.
 *
 * OP_SCEP_CERTREP: the signer builds and signs (RA key, TAG_SCEP_DIGEST)
 * the whole CertRep: signed attributes contentType, messageDigest,
 * signingTime, messageType 3, pkiStatus, failInfo (FAILURE only),
 * transactionID, a fresh senderNonce, recipientNonce (when given). SUCCESS
 * needs TAG_SCEP_CIPHER, TAG_SCEP_RECIPIENT_CERT (RSA key) and either 1..
 * CM_SCEP_MAX_CERTS TAG_CERT_DER (issued first: each must verify under the
 * issuing CA, the first one's serial must be one the signer issued when
 * [scep] check_issued) or one TAG_SCEP_CRL_DER (verifying under the issuing
 * or root CA); the encapsulated content is then an EnvelopedData to that
 * certificate of a degenerate certs-only SignedData. FAILURE (with
 * TAG_SCEP_FAIL_INFO) and PENDING carry none of these and no content.
 * Reply: TAG_SCEP_PKI_MESSAGE.
 */
#define CM_SCEP_MAX_ENVELOPE       (64 * 1024)
#define CM_SCEP_MAX_CONTENT        (64 * 1024)
#define CM_SCEP_NONCE_LEN          16
#define CM_SCEP_MAX_TRANSACTION_ID 128
#define CM_SCEP_MAX_CERTS          4
#define CM_SCEP_MAX_CERT           (64 * 1024)   /* one TAG_CERT_DER / RECIPIENT_CERT */
#define CM_SCEP_MAX_CRL            (512 * 1024)  /* TAG_SCEP_CRL_DER: leaves room in one frame */
enum { CM_SCEP_SUCCESS = 0, CM_SCEP_FAILURE = 2, CM_SCEP_PENDING = 3 };
enum { CM_SCEP_BAD_ALG = 0, CM_SCEP_BAD_MESSAGE_CHECK = 1, CM_SCEP_BAD_REQUEST = 2,
       CM_SCEP_BAD_TIME = 3, CM_SCEP_BAD_CERT_ID = 4 };

/* Longest string the signer accepts in a name-like field. */
#define CM_PROTO_MAX_NAME 1024

struct cm_frame_hdr {
	uint8_t version;
	uint16_t op;
	uint32_t request_id;
	uint32_t payload_len;
};

struct cm_field {
	uint16_t tag;
	uint32_t len;
	const unsigned char *val;  /* points into the decoded payload */
};

struct cm_msg {
	size_t nfields;
	struct cm_field fields[CM_PROTO_MAX_FIELDS];
};

/* Names for logs and errors: "issue", "crl-sign", ... (reserved ops too);
 * NULL when op is not in enum cm_op. */
const char *cm_op_name(unsigned op);
/* Parses an op name back (reserved ops too); returns 0 when unknown. */
unsigned cm_op_parse(const char *name);
/* 1 when op has field tables, so signerd serves it; 0 for reserved and
 * unknown ops. */
int cm_op_served(unsigned op);
/* Names of field tags for errors: "profile", "csr-der", ...; NULL when unknown. */
const char *cm_tag_name(unsigned tag);

/*
 * The field set of one message: which tags it may carry, which it must
 * carry, and which may come more than once. One table per request and per
 * OK reply of each served op, plus one for the ERR reply (REASON only).
 */
enum cm_msg_kind {
	CM_MSG_REQUEST,   /* frame op = the operation */
	CM_MSG_REPLY_OK,  /* OP_REPLY_OK answering the operation */
	CM_MSG_REPLY_ERR  /* OP_REPLY_ERR answering any operation */
};

enum {
	CM_FIELD_REQUIRED = 1u,
	CM_FIELD_REPEAT = 2u
};

struct cm_field_rule {
	uint16_t tag;
	unsigned flags;            /* CM_FIELD_*; 0 = optional, at most once */
};

struct cm_msg_spec {
	const char *what;          /* "issue request", for errors */
	size_t nrules;
	const struct cm_field_rule *rules;
};

/* The field set of op's message of kind, or NULL when there is none (an
 * unknown or reserved op: nothing can be decoded for it). */
const struct cm_msg_spec *cm_msg_spec(unsigned op, enum cm_msg_kind kind);

/* Fills out[CM_PROTO_HDR_LEN]. */
void cm_hdr_encode(unsigned char *out, const struct cm_frame_hdr *h);
/* Decodes any 12 bytes; returns 0, or -1 with err (bad version, reserved
 * byte set, payload over the cap). h is filled even on -1 so a caller can
 * answer an oversized frame with its request id. */
int cm_hdr_decode(const unsigned char *in, struct cm_frame_hdr *h, char *err, size_t errlen);

/*
 * Decodes the payload of op's message of kind into fields that point into p
 * (p must outlive m), and checks them against that message's field set.
 * Safe on any bytes. Returns
 *   0  decoded, every field allowed, every required one present;
 *  -1  malformed (truncated, trailing bytes, an unknown tag, too many
 *      fields): the peer does not speak the protocol; err says where;
 *   1  well formed but not op's field set: a field the message does not
 *      use, a missing required field, a repeated non-repeatable one, or an
 *      op with no field set (reserved or unknown); err says which.
 */
int cm_msg_decode(unsigned op, enum cm_msg_kind kind, const unsigned char *p, size_t len,
    struct cm_msg *m, char *err, size_t errlen);

/* First field with tag, or NULL. */
const struct cm_field *cm_msg_get(const struct cm_msg *m, uint16_t tag);
/* 0 and *v, or -1 when absent or not 4 bytes. */
int cm_msg_get_u32(const struct cm_msg *m, uint16_t tag, uint32_t *v);
/* malloc'ed NUL-terminated copy of a string field, or NULL when absent,
 * longer than maxlen, or containing a NUL (*bad is set then). */
char *cm_field_strdup(const struct cm_field *f, size_t maxlen);
char *cm_msg_get_str(const struct cm_msg *m, uint16_t tag, size_t maxlen, int *bad);

/*
 * Encoding into a cm_buf capped at CM_PROTO_MAX_FRAME. All return 0, or -1
 * when the frame would exceed the cap or memory runs out.
 */
int cm_enc_begin(struct cm_buf *b, uint16_t op, uint32_t request_id);
int cm_enc_bytes(struct cm_buf *b, uint16_t tag, const void *p, size_t n);
int cm_enc_str(struct cm_buf *b, uint16_t tag, const char *s);
int cm_enc_u32(struct cm_buf *b, uint16_t tag, uint32_t v);
/* Writes payload_len into the header; call once after the last field. */
int cm_enc_finish(struct cm_buf *b);
/* A whole OP_REPLY_ERR frame carrying reason (truncated to fit). */
int cm_enc_error(struct cm_buf *b, uint32_t request_id, const char *reason);
/* The same with an error class (CM_ERR_CLASS_*; NULL: none, as above). */
int cm_enc_error_class(struct cm_buf *b, uint32_t request_id, const char *err_class,
    const char *reason);
/* An 8-byte integer field (TAG_DEADLINE_MS). 0 / -1 as the others. */
int cm_enc_u64(struct cm_buf *b, uint16_t tag, uint64_t v);
/* 0 and *v, or -1 when absent or not 8 bytes. */
int cm_msg_get_u64(const struct cm_msg *m, uint16_t tag, uint64_t *v);

/*
 * I/O helpers. timeout_ms < 0 waits forever; the timeout covers the whole
 * call. Both work on blocking and non-blocking descriptors.
 * cm_read_full: 1 when n bytes were read; 0 on EOF before the first byte;
 * -1 on error with errno (ETIMEDOUT on timeout, EPROTO on EOF mid-way).
 * cm_write_full: 0, or -1 with errno (EPIPE never raises SIGPIPE on sockets).
 */
int cm_read_full(int fd, void *p, size_t n, int timeout_ms);
int cm_write_full(int fd, const void *p, size_t n, int timeout_ms);

/*
 * Reads one frame: the header, then (only if it is valid and within the cap)
 * the payload into a malloc'ed *payload (NULL when empty).
 */
enum cm_rf {
	CM_RF_OK = 0,
	CM_RF_EOF,        /* peer closed cleanly between frames */
	CM_RF_IOERR,      /* errno set; includes timeouts */
	CM_RF_BADHDR,     /* version/reserved wrong: err says which */
	CM_RF_TOOBIG      /* payload_len over the cap: payload not read */
};
enum cm_rf cm_read_frame(int fd, int timeout_ms, struct cm_frame_hdr *h,
    unsigned char **payload, char *err, size_t errlen);

#endif
