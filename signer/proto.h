/* proto.h: the signerd wire protocol (one header for every message). */
#ifndef CM_PROTO_H
#define CM_PROTO_H

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
 * Strings are UTF-8 without NUL; integers are uint32 (4 bytes).
 */
#define CM_PROTO_VERSION     1
#define CM_PROTO_HDR_LEN     12
#define CM_PROTO_MAX_FRAME   (1024 * 1024)
#define CM_PROTO_MAX_PAYLOAD (CM_PROTO_MAX_FRAME - CM_PROTO_HDR_LEN)
#define CM_PROTO_FIELD_HDR   6
#define CM_PROTO_MAX_FIELDS  128

enum cm_op {
	OP_CA_INIT = 1,   /* KEY_TYPE ROOT_SUBJECT ISSUING_SUBJECT [ROOT_DAYS] [ISSUING_DAYS] -> OK */
	OP_CA_IMPORT,     /* ROOT_PEM ISSUING_PEM ISSUING_KEY_PEM [PASSPHRASE] -> OK */
	OP_CA_CHAIN,      /* -> CHAIN_PEM (issuing then root) */
	OP_ISSUE,         /* PROFILE CSR_DER [VALIDITY_DAYS] [SUBJECT] [SAN]* [EKU]* [CA]
	                     -> CERT_DER SERIAL_HEX */
	OP__MAX
};

enum {
	OP_REPLY_OK  = 0x8000,
	OP_REPLY_ERR = 0x8001      /* REASON */
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
	TAG__MAX
};

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

/* Names for logs and errors: "issue", "ca-init", ...; NULL when unknown. */
const char *cm_op_name(unsigned op);
/* Parses an op name back; returns 0 when unknown. */
unsigned cm_op_parse(const char *name);

/* Fills out[CM_PROTO_HDR_LEN]. */
void cm_hdr_encode(unsigned char *out, const struct cm_frame_hdr *h);
/* Decodes any 12 bytes; returns 0, or -1 with err (bad version, reserved
 * byte set, payload over the cap). h is filled even on -1 so a caller can
 * answer an oversized frame with its request id. */
int cm_hdr_decode(const unsigned char *in, struct cm_frame_hdr *h, char *err, size_t errlen);

/*
 * Decodes a payload into fields that point into p (p must outlive m).
 * Safe on any bytes. Returns 0, or -1 with err on truncation, trailing bytes,
 * an unknown tag, a repeated non-repeatable tag, or too many fields.
 */
int cm_msg_decode(const unsigned char *p, size_t len, struct cm_msg *m, char *err, size_t errlen);

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
