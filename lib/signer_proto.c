/* signer_proto.c: encoding and decoding of signerd frames, and the I/O helpers both sides use. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "signer_proto.h"

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* No return value. */
void
cm_hdr_encode(unsigned char *out, const struct cm_frame_hdr *h)
{
	out[0] = h->version;
	out[1] = 0;
	put16(out + 2, h->op);
	put32(out + 4, h->request_id);
	put32(out + 8, h->payload_len);
}

/* 0, or -1 with err. */
int
cm_hdr_decode(const unsigned char *in, struct cm_frame_hdr *h, char *err, size_t errlen)
{
	h->version = in[0];
	h->op = get16(in + 2);
	h->request_id = get32(in + 4);
	h->payload_len = get32(in + 8);
	if (h->version != CM_PROTO_VERSION) {
		snprintf(err, errlen, "protocol version %u is not %u", h->version, CM_PROTO_VERSION);
		return -1;
	}
	if (in[1] != 0) {
		snprintf(err, errlen, "reserved header byte is not zero");
		return -1;
	}
	if (h->payload_len > CM_PROTO_MAX_PAYLOAD) {
		snprintf(err, errlen, "frame of %lu bytes exceeds the %d-byte limit",
		    (unsigned long)h->payload_len + CM_PROTO_HDR_LEN, CM_PROTO_MAX_FRAME);
		return -1;
	}
	return 0;
}

/* The rule for tag in spec, or NULL when the message does not use it. */
static const struct cm_field_rule *
spec_rule(const struct cm_msg_spec *spec, uint16_t tag)
{
	for (size_t i = 0; i < spec->nrules; i++)
		if (spec->rules[i].tag == tag)
			return &spec->rules[i];
	return NULL;
}

/* What a message is called in errors when it has no field set. */
static void
no_spec_error(unsigned op, enum cm_msg_kind kind, char *err, size_t errlen)
{
	const char *name = cm_op_name(op);
	if (name == NULL)
		snprintf(err, errlen, "unknown operation %u", op);
	else if (kind == CM_MSG_REQUEST)
		snprintf(err, errlen, "operation %s is reserved and not yet served", name);
	else
		snprintf(err, errlen, "operation %s has no reply defined", name);
}

/* 0, -1 malformed, or 1 outside the field set; err says why. */
int
cm_msg_decode(unsigned op, enum cm_msg_kind kind, const unsigned char *p, size_t len,
    struct cm_msg *m, char *err, size_t errlen)
{
	const struct cm_msg_spec *spec = cm_msg_spec(op, kind);
	size_t pos = 0;
	uint64_t seen = 0;   /* bit per tag present; TAG__MAX < 64 */

	_Static_assert(TAG__MAX < 64, "seen bitmask too small");
	m->nfields = 0;
	if (len > CM_PROTO_MAX_PAYLOAD) {
		snprintf(err, errlen, "payload of %zu bytes is over the limit", len);
		return -1;
	}
	/* The framing first, whole: a malformed payload is always -1, whatever
	 * its first fields were. */
	while (pos < len) {
		if (len - pos < CM_PROTO_FIELD_HDR) {
			snprintf(err, errlen, "truncated field header at offset %zu", pos);
			return -1;
		}
		uint16_t tag = get16(p + pos);
		uint32_t flen = get32(p + pos + 2);
		pos += CM_PROTO_FIELD_HDR;
		if (flen > len - pos) {
			snprintf(err, errlen, "field %u claims %lu bytes, %zu left", tag,
			    (unsigned long)flen, len - pos);
			return -1;
		}
		if (tag == 0 || tag >= TAG__MAX) {
			snprintf(err, errlen, "unknown field tag %u", tag);
			return -1;
		}
		if (m->nfields == CM_PROTO_MAX_FIELDS) {
			snprintf(err, errlen, "more than %d fields", CM_PROTO_MAX_FIELDS);
			return -1;
		}
		m->fields[m->nfields].tag = tag;
		m->fields[m->nfields].len = flen;
		m->fields[m->nfields].val = p + pos;
		m->nfields++;
		pos += flen;
	}
	/* Then the field set of this very message. */
	if (spec == NULL) {
		no_spec_error(op, kind, err, errlen);
		return 1;
	}
	for (size_t i = 0; i < m->nfields; i++) {
		uint16_t tag = m->fields[i].tag;
		const struct cm_field_rule *r = spec_rule(spec, tag);
		if (r == NULL) {
			snprintf(err, errlen, "field %s is not part of a%s %s", cm_tag_name(tag),
			    strchr("aeiou", spec->what[0]) ? "n" : "", spec->what);
			return 1;
		}
		if ((seen & ((uint64_t)1 << tag)) && !(r->flags & CM_FIELD_REPEAT)) {
			snprintf(err, errlen, "field %s repeated in the %s", cm_tag_name(tag), spec->what);
			return 1;
		}
		seen |= (uint64_t)1 << tag;
	}
	for (size_t i = 0; i < spec->nrules; i++)
		if ((spec->rules[i].flags & CM_FIELD_REQUIRED) && !(seen & ((uint64_t)1 << spec->rules[i].tag))) {
			snprintf(err, errlen, "the %s lacks the required field %s", spec->what,
			    cm_tag_name(spec->rules[i].tag));
			return 1;
		}
	return 0;
}

/* The first field with tag, or NULL. */
const struct cm_field *
cm_msg_get(const struct cm_msg *m, uint16_t tag)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].tag == tag)
			return &m->fields[i];
	return NULL;
}

/* 0, or -1 when absent or malformed. */
int
cm_msg_get_u32(const struct cm_msg *m, uint16_t tag, uint32_t *v)
{
	const struct cm_field *f = cm_msg_get(m, tag);
	if (f == NULL || f->len != 4)
		return -1;
	*v = get32(f->val);
	return 0;
}

/* malloc'ed string, or NULL (too long, embedded NUL, or out of memory). */
char *
cm_field_strdup(const struct cm_field *f, size_t maxlen)
{
	if (f->len > maxlen || memchr(f->val, '\0', f->len) != NULL)
		return NULL;
	char *s = malloc((size_t)f->len + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, f->val, f->len);
	s[f->len] = '\0';
	return s;
}

/* malloc'ed string or NULL; *bad (if given) is set when present but unusable. */
char *
cm_msg_get_str(const struct cm_msg *m, uint16_t tag, size_t maxlen, int *bad)
{
	const struct cm_field *f = cm_msg_get(m, tag);
	if (bad)
		*bad = 0;
	if (f == NULL)
		return NULL;
	char *s = cm_field_strdup(f, maxlen);
	if (s == NULL && bad)
		*bad = 1;
	return s;
}

/* 0 / -1 (cap or memory). */
int
cm_enc_begin(struct cm_buf *b, uint16_t op, uint32_t request_id)
{
	unsigned char h[CM_PROTO_HDR_LEN];
	struct cm_frame_hdr fh = { CM_PROTO_VERSION, op, request_id, 0 };

	cm_buf_reset(b);
	b->max = CM_PROTO_MAX_FRAME;
	cm_hdr_encode(h, &fh);
	return cm_buf_append(b, h, sizeof(h));
}

/* 0 / -1 (cap or memory). */
int
cm_enc_bytes(struct cm_buf *b, uint16_t tag, const void *p, size_t n)
{
	unsigned char fh[CM_PROTO_FIELD_HDR];

	if (n > CM_PROTO_MAX_PAYLOAD || b->len + CM_PROTO_FIELD_HDR + n > CM_PROTO_MAX_FRAME)
		return -1;
	put16(fh, tag);
	put32(fh + 2, (uint32_t)n);
	size_t before = b->len;
	if (cm_buf_append(b, fh, sizeof(fh)) < 0)
		return -1;
	if (n > 0 && cm_buf_append(b, p, n) < 0) {
		b->len = before;
		b->data[before] = '\0';
		return -1;
	}
	return 0;
}

/* 0 / -1. */
int
cm_enc_str(struct cm_buf *b, uint16_t tag, const char *s)
{
	return cm_enc_bytes(b, tag, s, strlen(s));
}

/* 0 / -1. */
int
cm_enc_u32(struct cm_buf *b, uint16_t tag, uint32_t v)
{
	unsigned char p[4];
	put32(p, v);
	return cm_enc_bytes(b, tag, p, sizeof(p));
}

/* 0 / -1 when the buffer holds no header. */
int
cm_enc_finish(struct cm_buf *b)
{
	if (b->len < CM_PROTO_HDR_LEN)
		return -1;
	put32((unsigned char *)b->data + 8, (uint32_t)(b->len - CM_PROTO_HDR_LEN));
	return 0;
}

/* 0 / -1. */
int
cm_enc_error(struct cm_buf *b, uint32_t request_id, const char *reason)
{
	return cm_enc_error_class(b, request_id, NULL, reason);
}

/* 0 / -1. */
int
cm_enc_error_class(struct cm_buf *b, uint32_t request_id, const char *err_class,
    const char *reason)
{
	size_t n = strnlen(reason, CM_PROTO_MAX_NAME);
	if (cm_enc_begin(b, OP_REPLY_ERR, request_id) < 0 ||
	    cm_enc_bytes(b, TAG_REASON, reason, n) < 0 ||
	    (err_class && cm_enc_str(b, TAG_ERR_CLASS, err_class) < 0))
		return -1;
	return cm_enc_finish(b);
}

/* 0 / -1. */
int
cm_enc_u64(struct cm_buf *b, uint16_t tag, uint64_t v)
{
	unsigned char p[8];
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
	return cm_enc_bytes(b, tag, p, sizeof(p));
}

/* 0, or -1 when absent or malformed. */
int
cm_msg_get_u64(const struct cm_msg *m, uint16_t tag, uint64_t *v)
{
	const struct cm_field *f = cm_msg_get(m, tag);
	if (f == NULL || f->len != 8)
		return -1;
	*v = ((uint64_t)get32(f->val) << 32) | get32(f->val + 4);
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline (-1: forever). 0 ready, -1 errno. */
static int
wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		int t = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			t = left > 1000000 ? 1000000 : (int)left;
		}
		struct pollfd pfd = { .fd = fd, .events = events };
		int r = poll(&pfd, 1, t);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r > 0)
			return 0;
	}
}

/* 1 read all; 0 EOF before the first byte; -1 errno. */
int
cm_read_full(int fd, void *p, size_t n, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t got = 0;

	while (got < n) {
		if (wait_fd(fd, POLLIN, deadline) < 0)
			return -1;
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return -1;
		}
		if (r == 0) {
			if (got == 0)
				return 0;
			errno = EPROTO;
			return -1;
		}
		got += (size_t)r;
	}
	return 1;
}

/* 0 / -1 errno. */
int
cm_write_full(int fd, const void *p, size_t n, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t done = 0;
	int is_sock = 1;

	while (done < n) {
		if (wait_fd(fd, POLLOUT, deadline) < 0)
			return -1;
		ssize_t r;
		if (is_sock) {
			r = send(fd, (const char *)p + done, n - done, MSG_NOSIGNAL);
			if (r < 0 && errno == ENOTSOCK) {
				is_sock = 0;
				continue;
			}
		} else {
			r = write(fd, (const char *)p + done, n - done);
		}
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* See enum cm_rf. */
enum cm_rf
cm_read_frame(int fd, int timeout_ms, struct cm_frame_hdr *h,
    unsigned char **payload, char *err, size_t errlen)
{
	unsigned char hb[CM_PROTO_HDR_LEN];
	long long start = now_ms();

	*payload = NULL;
	int r = cm_read_full(fd, hb, sizeof(hb), timeout_ms);
	if (r == 0)
		return CM_RF_EOF;
	if (r < 0) {
		snprintf(err, errlen, "reading frame header: %s", strerror(errno));
		return CM_RF_IOERR;
	}
	if (cm_hdr_decode(hb, h, err, errlen) < 0)
		return h->version == CM_PROTO_VERSION && hb[1] == 0 ? CM_RF_TOOBIG : CM_RF_BADHDR;
	if (h->payload_len == 0)
		return CM_RF_OK;
	unsigned char *p = malloc(h->payload_len);
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return CM_RF_IOERR;
	}
	int left = timeout_ms;
	if (timeout_ms >= 0) {
		long long spent = now_ms() - start;
		left = spent >= timeout_ms ? 1 : timeout_ms - (int)spent;
	}
	r = cm_read_full(fd, p, h->payload_len, left);
	if (r <= 0) {
		if (r == 0)
			errno = EPROTO;
		snprintf(err, errlen, "reading %lu-byte payload: %s",
		    (unsigned long)h->payload_len, strerror(errno));
		free(p);
		return CM_RF_IOERR;
	}
	*payload = p;
	return CM_RF_OK;
}
