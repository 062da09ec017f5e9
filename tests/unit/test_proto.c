/* test_proto.c: unit tests for the signerd frame codec and I/O helpers. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "proto.h"

static void
test_roundtrip(void)
{
	struct cm_buf b;
	struct cm_frame_hdr h;
	struct cm_msg m;
	char err[256];
	uint32_t v = 0;

	cm_buf_init(&b, 0);
	ok(cm_enc_begin(&b, OP_ISSUE, 0x01020304) == 0, "begin");
	ok(cm_enc_str(&b, TAG_PROFILE, "tls-server") == 0, "profile field");
	ok(cm_enc_bytes(&b, TAG_CSR_DER, "\x30\x00\x01", 3) == 0, "binary field");
	ok(cm_enc_u32(&b, TAG_VALIDITY_DAYS, 90) == 0, "u32 field");
	ok(cm_enc_str(&b, TAG_SAN, "DNS:a.example") == 0 && cm_enc_str(&b, TAG_SAN, "DNS:b.example") == 0,
	    "repeatable field twice");
	ok(cm_enc_finish(&b) == 0, "finish");
	is_int(b.data[0], CM_PROTO_VERSION, "version byte");
	ok(cm_hdr_decode((unsigned char *)b.data, &h, err, sizeof(err)) == 0, "header decodes");
	is_int(h.op, OP_ISSUE, "op");
	is_int(h.request_id, 0x01020304, "request id");
	is_int(h.payload_len, b.len - CM_PROTO_HDR_LEN, "payload length");
	ok(cm_msg_decode((unsigned char *)b.data + CM_PROTO_HDR_LEN, h.payload_len, &m, err, sizeof(err)) == 0,
	    "payload decodes");
	is_int(m.nfields, 5, "five fields");
	char *s = cm_msg_get_str(&m, TAG_PROFILE, 64, NULL);
	is_str(s, "tls-server", "string field");
	free(s);
	ok(cm_msg_get_u32(&m, TAG_VALIDITY_DAYS, &v) == 0 && v == 90, "u32 value");
	ok(cm_msg_get_u32(&m, TAG_PROFILE, &v) < 0, "u32 of a 10-byte field fails");
	const struct cm_field *f = cm_msg_get(&m, TAG_CSR_DER);
	ok(f && f->len == 3 && memcmp(f->val, "\x30\x00\x01", 3) == 0, "binary value");
	int bad = 0;
	char *nul = cm_msg_get_str(&m, TAG_CSR_DER, 64, &bad);
	ok(nul == NULL && bad, "string with NUL refused");
	char *longs = cm_msg_get_str(&m, TAG_PROFILE, 4, &bad);
	ok(longs == NULL && bad, "string over maxlen refused");
	ok(cm_msg_get(&m, TAG_SUBJECT) == NULL, "absent field is NULL");
	cm_buf_free(&b);
}

static void
test_malformed(void)
{
	struct cm_msg m;
	struct cm_frame_hdr h;
	char err[256];
	unsigned char hdr[CM_PROTO_HDR_LEN];

	/* Truncated field header / value. */
	const unsigned char trunc1[] = { 0, TAG_PROFILE, 0, 0 };
	ok(cm_msg_decode(trunc1, sizeof(trunc1), &m, err, sizeof(err)) < 0, "truncated field header refused");
	const unsigned char trunc2[] = { 0, TAG_PROFILE, 0, 0, 0, 9, 'a', 'b' };
	ok(cm_msg_decode(trunc2, sizeof(trunc2), &m, err, sizeof(err)) < 0 && strstr(err, "claims"),
	    "field longer than payload refused");
	const unsigned char huge[] = { 0, TAG_PROFILE, 0xff, 0xff, 0xff, 0xff };
	ok(cm_msg_decode(huge, sizeof(huge), &m, err, sizeof(err)) < 0, "4 GiB field length refused");
	/* Unknown tags. */
	const unsigned char unk[] = { 0x12, 0x34, 0, 0, 0, 0 };
	ok(cm_msg_decode(unk, sizeof(unk), &m, err, sizeof(err)) < 0 && strstr(err, "unknown field tag"),
	    "unknown tag refused");
	const unsigned char zero[] = { 0, 0, 0, 0, 0, 0 };
	ok(cm_msg_decode(zero, sizeof(zero), &m, err, sizeof(err)) < 0, "tag 0 refused");
	const unsigned char max[] = { 0, TAG__MAX, 0, 0, 0, 0 };
	ok(cm_msg_decode(max, sizeof(max), &m, err, sizeof(err)) < 0, "TAG__MAX refused");
	/* A non-repeatable tag twice. */
	const unsigned char twice[] = { 0, TAG_PROFILE, 0, 0, 0, 1, 'a', 0, TAG_PROFILE, 0, 0, 0, 1, 'b' };
	ok(cm_msg_decode(twice, sizeof(twice), &m, err, sizeof(err)) < 0 && strstr(err, "repeated"),
	    "repeated profile refused");
	/* Too many fields. */
	size_t n = (CM_PROTO_MAX_FIELDS + 1) * CM_PROTO_FIELD_HDR;
	unsigned char *many = calloc(1, n);
	for (size_t i = 0; i < CM_PROTO_MAX_FIELDS + 1; i++)
		many[i * CM_PROTO_FIELD_HDR + 1] = TAG_SAN;
	ok(cm_msg_decode(many, n, &m, err, sizeof(err)) < 0, "more than CM_PROTO_MAX_FIELDS refused");
	ok(cm_msg_decode(many, n - CM_PROTO_FIELD_HDR, &m, err, sizeof(err)) == 0 &&
	    m.nfields == CM_PROTO_MAX_FIELDS, "exactly CM_PROTO_MAX_FIELDS accepted");
	free(many);
	ok(cm_msg_decode(NULL, 0, &m, err, sizeof(err)) == 0 && m.nfields == 0, "empty payload accepted");

	/* Header checks. */
	struct cm_frame_hdr fh = { CM_PROTO_VERSION, OP_CA_CHAIN, 7, CM_PROTO_MAX_PAYLOAD };
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) == 0, "payload at the cap accepted");
	fh.payload_len = CM_PROTO_MAX_PAYLOAD + 1;
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "exceeds"), "oversize refused");
	is_int(h.request_id, 7, "request id still available for the refusal");
	fh.payload_len = 0;
	fh.version = 2;
	cm_hdr_encode(hdr, &fh);
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "version"), "bad version refused");
	fh.version = CM_PROTO_VERSION;
	cm_hdr_encode(hdr, &fh);
	hdr[1] = 1;
	ok(cm_hdr_decode(hdr, &h, err, sizeof(err)) < 0 && strstr(err, "reserved"), "reserved byte refused");

	/* Encoder cap. */
	struct cm_buf b;
	cm_buf_init(&b, 0);
	cm_enc_begin(&b, OP_ISSUE, 1);
	char *big = calloc(1, CM_PROTO_MAX_PAYLOAD);
	ok(cm_enc_bytes(&b, TAG_CSR_DER, big, CM_PROTO_MAX_PAYLOAD) < 0, "encoder refuses a field over the cap");
	ok(cm_enc_bytes(&b, TAG_CSR_DER, big, CM_PROTO_MAX_PAYLOAD - CM_PROTO_FIELD_HDR) == 0,
	    "encoder fills the frame exactly");
	ok(cm_enc_u32(&b, TAG_CA, 1) < 0, "no room left");
	free(big);
	cm_buf_free(&b);

	ok(cm_op_name(OP_ISSUE) && !strcmp(cm_op_name(OP_ISSUE), "issue"), "op name");
	ok(cm_op_name(0) == NULL && cm_op_name(OP__MAX) == NULL && cm_op_name(0x8000) == NULL, "unknown op names");
	is_int(cm_op_parse("ca-chain"), OP_CA_CHAIN, "op parse");
	is_int(cm_op_parse("sign-bytes"), 0, "unknown op parse");
}

static void
test_io(void)
{
	int sv[2];
	char buf[16], err[256];
	struct cm_frame_hdr h;
	unsigned char *payload = NULL;
	struct cm_buf b;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ok(cm_write_full(sv[0], "abc", 3, 1000) == 0, "write");
	is_int(cm_read_full(sv[1], buf, 3, 1000), 1, "read all");
	errno = 0;
	is_int(cm_read_full(sv[1], buf, 1, 50), -1, "silent peer times out");
	is_int(errno, ETIMEDOUT, "errno ETIMEDOUT");
	ok(cm_write_full(sv[0], "ab", 2, 1000) == 0, "write 2");
	shutdown(sv[0], SHUT_WR);
	is_int(cm_read_full(sv[1], buf, 4, 1000), -1, "EOF mid-read is an error");
	is_int(errno, EPROTO, "errno EPROTO");
	is_int(cm_read_full(sv[1], buf, 4, 1000), 0, "EOF before the first byte is EOF");
	close(sv[0]);
	close(sv[1]);

	/* A frame announcing too much: refused before reading the body. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	unsigned char hdr[CM_PROTO_HDR_LEN];
	struct cm_frame_hdr fh = { CM_PROTO_VERSION, OP_ISSUE, 9, 0x7fffffff };
	cm_hdr_encode(hdr, &fh);
	cm_write_full(sv[0], hdr, sizeof(hdr), 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_TOOBIG, "oversize frame: TOOBIG");
	ok(payload == NULL, "nothing allocated");
	fh.version = 3;
	fh.payload_len = 0;
	cm_hdr_encode(hdr, &fh);
	cm_write_full(sv[0], hdr, sizeof(hdr), 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_BADHDR, "bad version: BADHDR");
	cm_buf_init(&b, 0);
	cm_enc_begin(&b, OP_CA_CHAIN, 77);
	cm_enc_str(&b, TAG_PROFILE, "x");
	cm_enc_finish(&b);
	cm_write_full(sv[0], b.data, b.len, 1000);
	is_int(cm_read_frame(sv[1], 1000, &h, &payload, err, sizeof(err)), CM_RF_OK, "good frame");
	ok(payload && h.request_id == 77 && h.payload_len == 7, "payload read");
	free(payload);
	payload = NULL;
	/* Header then silence: the payload read times out. */
	cm_write_full(sv[0], b.data, CM_PROTO_HDR_LEN + 2, 1000);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_IOERR, "stalled payload times out");
	cm_write_full(sv[0], b.data, CM_PROTO_HDR_LEN + 2, 1000);
	close(sv[0]);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_IOERR, "EOF mid-frame is an error");
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[0]);
	is_int(cm_read_frame(sv[1], 100, &h, &payload, err, sizeof(err)), CM_RF_EOF, "EOF between frames");
	ok(cm_write_full(sv[1], "x", 1, 100) < 0, "write to a closed peer fails without SIGPIPE");
	close(sv[1]);
	cm_buf_free(&b);
}

int
main(void)
{
	test_roundtrip();
	test_malformed();
	test_io();
	return tap_done();
}
