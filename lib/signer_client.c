/* signer_client.c: the web tier's and CLI's side of the signerd protocol (see signer_client.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "signer_proto.h"
#include "signer_client.h"

struct cm_signer {
	int fd;
	int timeout_ms;
	uint32_t next_id;
};

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CM_SIGNER_OK connected, CM_SIGNER_FAULT with err. */
int
cm_signer_connect(struct cm_signer **out, const char *socket_path,
    int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct cm_signer *s = NULL;
	int fd = -1;
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);

	*out = NULL;
	if (socket_path == NULL || strlen(socket_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "signer socket path is missing or too long");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "signer: socket: %s", strerror(errno));
		return -1;
	}
	/* A Unix connect never blocks; EAGAIN means the signer's backlog is
	 * full, so retry briefly until the deadline. */
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == EINPROGRESS) && now_ms() < deadline) {
			if (errno == EINPROGRESS) {
				struct pollfd p = { fd, POLLOUT, 0 };
				int e = 0;
				socklen_t el = sizeof(e);
				if (poll(&p, 1, (int)(deadline - now_ms())) == 1 &&
				    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0)
					break;
				errno = e ? e : ETIMEDOUT;
				goto fail;
			}
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		goto fail;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	s->fd = fd;
	s->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	/* Distinct starting ids per connection make cross-talk detectable. */
	s->next_id = (uint32_t)(now_ms() ^ ((uint32_t)getpid() << 16)) | 1;
	*out = s;
	return 0;
fail:
	snprintf(err, errlen, "cannot connect to the signer at %s: %s", socket_path,
	    errno == EAGAIN ? "signer busy (backlog full)" : strerror(errno));
	close(fd);
	return -1;
}

/* No return value. */
void
cm_signer_close(struct cm_signer *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* 1 / 0; see signer_client.h. */
int
cm_signer_usable(const struct cm_signer *s)
{
	struct pollfd p;

	if (s == NULL || s->fd < 0)
		return 0;
	p.fd = s->fd;
	p.events = POLLIN;
	p.revents = 0;
	/* Between requests the signer sends nothing: anything readable is its
	 * EOF or a reply this side stopped waiting for. */
	return poll(&p, 1, 0) == 0;
}

static long long
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The name of an outcome, "?" for anything else. */
const char *
cm_signer_outcome_name(int outcome)
{
	switch (outcome) {
	case CM_SIGNER_OK: return "ok";
	case CM_SIGNER_REFUSED: return "refused";
	case CM_SIGNER_FAULT: return "fault";
	case CM_SIGNER_UNKNOWN: return "unknown";
	}
	return "?";
}

/*
 * After a transport failure the stream position is unknown: never reuse
 * it. Returns outcome: CM_SIGNER_FAULT when the request never left whole,
 * CM_SIGNER_UNKNOWN once it had.
 */
static int
broken(struct cm_signer *s, int outcome, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "signer: %s", what);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return outcome;
}

/* 1 when op's request may carry tag (a signer built from the same tree always
 * lets every request carry TAG_DEADLINE_MS; tests/unit/test_signer_client
 * checks that), 0 when not. */
static int
request_takes(unsigned op, uint16_t tag)
{
	const struct cm_msg_spec *spec = cm_msg_spec(op, CM_MSG_REQUEST);

	for (size_t i = 0; spec && i < spec->nrules; i++)
		if (spec->rules[i].tag == tag)
			return 1;
	return 0;
}

/*
 * The outcome of an error reply m, with its reason in err: no class (an
 * older signer) or "refused" is a refusal; "fault", "expired" and any class
 * this client does not know are faults: an error reply always means nothing
 * was done.
 */
static int
error_outcome(const struct cm_msg *m, char *err, size_t errlen)
{
	const struct cm_field *f = cm_msg_get(m, TAG_REASON), *c = cm_msg_get(m, TAG_ERR_CLASS);
	int n = f ? (int)(f->len > 400 ? 400 : f->len) : 0;
	int outcome = CM_SIGNER_REFUSED, expired = 0;

	if (c != NULL && !(c->len == strlen(CM_ERR_CLASS_REFUSED) &&
	    memcmp(c->val, CM_ERR_CLASS_REFUSED, c->len) == 0)) {
		outcome = CM_SIGNER_FAULT;
		expired = c->len == strlen(CM_ERR_CLASS_EXPIRED) &&
		    memcmp(c->val, CM_ERR_CLASS_EXPIRED, c->len) == 0;
	}
	snprintf(err, errlen, "%s%.*s", expired ? "expired: " : "", n, f ? (const char *)f->val : "");
	if (n == 0)
		snprintf(err, errlen, outcome == CM_SIGNER_REFUSED ? "refused without a reason" :
		    "the signer failed without a reason");
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return outcome;
}

/*
 * Adds the deadline to the encoded request in req (a frame of op begun with
 * cm_enc_begin and finished), sends it, waits for the reply with the same
 * id, and decodes it into *payload / m, checked against op's reply field
 * set. Returns an enum cm_signer_outcome: OK reply; REFUSED / FAULT from an
 * ERR reply (reason in err); FAULT when the request could not be sent
 * whole; UNKNOWN when it was sent and no usable reply came (a reply outside
 * the field set included: the signer may have acted on it).
 */
static int
roundtrip(struct cm_signer *s, unsigned op, struct cm_buf *req, uint32_t id, unsigned char **payload,
    struct cm_msg *m, char *err, size_t errlen)
{
	char why[256], what[300];
	long long deadline = now_ms() + s->timeout_ms;
	long long guard = s->timeout_ms / 10 > CM_SIGNER_DEADLINE_GUARD_MS ?
	    CM_SIGNER_DEADLINE_GUARD_MS : s->timeout_ms / 10;

	*payload = NULL;
	if (s->fd < 0)
		return broken(s, CM_SIGNER_FAULT, err, errlen, "connection already failed; reconnect");
	/* The signer drops the request unsigned once this has passed: by then
	 * this side has stopped waiting and said "unknown". */
	if (request_takes(op, TAG_DEADLINE_MS) &&
	    (cm_enc_u64(req, TAG_DEADLINE_MS, (uint64_t)(wall_ms() + s->timeout_ms - guard)) < 0 ||
	    cm_enc_finish(req) < 0))
		return broken(s, CM_SIGNER_FAULT, err, errlen, "request too large for its deadline field");
	if (cm_write_full(s->fd, req->data, req->len, s->timeout_ms) < 0) {
		snprintf(why, sizeof(why), "sending request: %s", errno == ETIMEDOUT ? "timed out" : strerror(errno));
		return broken(s, CM_SIGNER_FAULT, err, errlen, why);
	}
	for (;;) {
		struct cm_frame_hdr h;
		long long left = deadline - now_ms();
		if (left <= 0)
			return broken(s, CM_SIGNER_UNKNOWN, err, errlen, "timed out waiting for the reply");
		enum cm_rf rf = cm_read_frame(s->fd, (int)left, &h, payload, why, sizeof(why));
		if (rf == CM_RF_EOF)
			return broken(s, CM_SIGNER_UNKNOWN, err, errlen,
			    "the signer closed the connection (request dropped)");
		if (rf != CM_RF_OK) {
			if (rf == CM_RF_IOERR && errno == ETIMEDOUT)
				snprintf(why, sizeof(why), "timed out waiting for the reply");
			return broken(s, CM_SIGNER_UNKNOWN, err, errlen, why);
		}
		if (h.request_id != id) {
			/* A late reply to an earlier request: discard it. */
			free(*payload);
			*payload = NULL;
			continue;
		}
		if (h.op != OP_REPLY_OK && h.op != OP_REPLY_ERR) {
			free(*payload);
			*payload = NULL;
			return broken(s, CM_SIGNER_UNKNOWN, err, errlen, "reply with an unknown op");
		}
		enum cm_msg_kind kind = h.op == OP_REPLY_OK ? CM_MSG_REPLY_OK : CM_MSG_REPLY_ERR;
		if (cm_msg_decode(op, kind, *payload, h.payload_len, m, why, sizeof(why)) != 0) {
			free(*payload);
			*payload = NULL;
			snprintf(what, sizeof(what), "malformed reply: %s", why);
			return broken(s, CM_SIGNER_UNKNOWN, err, errlen, what);
		}
		if (h.op == OP_REPLY_ERR) {
			int outcome = error_outcome(m, err, errlen);
			free(*payload);
			*payload = NULL;
			return outcome;
		}
		return CM_SIGNER_OK;
	}
}

static int
enc_failed(struct cm_buf *b, char *err, size_t errlen)
{
	cm_buf_free(b);
	snprintf(err, errlen, "signer: request larger than the %d-byte frame limit", CM_PROTO_MAX_FRAME);
	return -1;
}

/* Sends a request of op that expects no fields back: an outcome. */
static int
simple_call(struct cm_signer *s, unsigned op, struct cm_buf *req, uint32_t id, char *err, size_t errlen)
{
	struct cm_msg *m = malloc(sizeof(*m));
	unsigned char *payload = NULL;
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = roundtrip(s, op, req, id, &payload, m, err, errlen);
	free(payload);
	free(m);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_ca_init(struct cm_signer *s, const struct cm_ca_init_req *req, char *err, size_t errlen)
{
	struct cm_buf b;
	uint32_t id = s->next_id++;
	int r;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CA_INIT, id) < 0 ||
	    cm_enc_str(&b, TAG_KEY_TYPE, req->key_type ? req->key_type : "") < 0 ||
	    cm_enc_str(&b, TAG_ROOT_SUBJECT, req->root_subject ? req->root_subject : "") < 0 ||
	    cm_enc_str(&b, TAG_ISSUING_SUBJECT, req->issuing_subject ? req->issuing_subject : "") < 0 ||
	    (req->root_days > 0 && cm_enc_u32(&b, TAG_ROOT_DAYS, (uint32_t)req->root_days) < 0) ||
	    (req->issuing_days > 0 && cm_enc_u32(&b, TAG_ISSUING_DAYS, (uint32_t)req->issuing_days) < 0) ||
	    (req->name_constraints && cm_enc_u32(&b, TAG_NAME_CONSTRAINTS, 1) < 0) ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	r = simple_call(s, OP_CA_INIT, &b, id, err, errlen);
	cm_buf_free(&b);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_ca_import(struct cm_signer *s, const char *root_pem,
    const char *issuing_pem, const char *issuing_key_pem, const char *passphrase,
    char *err, size_t errlen)
{
	struct cm_buf b;
	uint32_t id = s->next_id++;
	int r;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CA_IMPORT, id) < 0 ||
	    cm_enc_str(&b, TAG_ROOT_PEM, root_pem) < 0 ||
	    cm_enc_str(&b, TAG_ISSUING_PEM, issuing_pem) < 0 ||
	    cm_enc_str(&b, TAG_ISSUING_KEY_PEM, issuing_key_pem) < 0 ||
	    (passphrase && cm_enc_str(&b, TAG_PASSPHRASE, passphrase) < 0) ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	r = simple_call(s, OP_CA_IMPORT, &b, id, err, errlen);
	cm_buf_free(&b);   /* wipes the key material it carried */
	return r;
}

/* Asks for the chain; appends its PEM to pem (when not NULL) and the RA
 * certificate's DER to ra (when not NULL; CM_SIGNER_REFUSED when the signer
 * has none). An enum cm_signer_outcome. */
static int
chain_call(struct cm_signer *s, struct cm_buf *pem, struct cm_buf *ra, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;
	int r;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CA_CHAIN, id) < 0 || cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	m = malloc(sizeof(*m));
	if (m == NULL) {
		cm_buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = roundtrip(s, OP_CA_CHAIN, &b, id, &payload, m, err, errlen);
	if (r == 0 && pem) {
		const struct cm_field *f = cm_msg_get(m, TAG_CHAIN_PEM);
		if (f == NULL || f->len == 0) {
			snprintf(err, errlen, "signer: reply without a chain");
			r = -1;
		} else if (cm_buf_append(pem, f->val, f->len) < 0) {
			snprintf(err, errlen, "chain does not fit the output buffer");
			r = -1;
		}
	}
	if (r == 0 && ra) {
		const struct cm_field *f = cm_msg_get(m, TAG_SCEP_RA_CERT);
		if (f == NULL || f->len == 0) {
			snprintf(err, errlen, "the signer has no SCEP RA certificate (is the CA set up?)");
			r = CM_SIGNER_REFUSED;
		} else if (cm_buf_append(ra, f->val, f->len) < 0) {
			snprintf(err, errlen, "the RA certificate does not fit the output buffer");
			r = -1;
		}
	}
	free(payload);
	free(m);
	cm_buf_free(&b);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_ca_chain(struct cm_signer *s, struct cm_buf *out, char *err, size_t errlen)
{
	return chain_call(s, out, NULL, err, errlen);
}

/* An enum cm_signer_outcome; CM_SIGNER_REFUSED when there is no RA pair. */
int
cm_signer_scep_ra_cert(struct cm_signer *s, struct cm_buf *ra, char *err, size_t errlen)
{
	return chain_call(s, NULL, ra, err, errlen);
}

/* An enum cm_signer_outcome. */
int
cm_signer_issue(struct cm_signer *s, const struct cm_signer_issue_req *req,
    struct cm_signer_issue_reply *res, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;
	int r = CM_SIGNER_FAULT;

	memset(res, 0, sizeof(*res));
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (req->validity_days < 0 || req->validity_days > 0xffffffffL) {
		snprintf(err, errlen, "validity_days out of range");
		return CM_SIGNER_FAULT;
	}
	if (cm_enc_begin(&b, OP_ISSUE, id) < 0 ||
	    cm_enc_str(&b, TAG_PROFILE, req->profile ? req->profile : "") < 0 ||
	    cm_enc_bytes(&b, TAG_CSR_DER, req->csr_der, req->csr_len) < 0 ||
	    (req->validity_days && cm_enc_u32(&b, TAG_VALIDITY_DAYS, (uint32_t)req->validity_days) < 0) ||
	    (req->subject && cm_enc_str(&b, TAG_SUBJECT, req->subject) < 0) ||
	    (req->ca && cm_enc_u32(&b, TAG_CA, 1) < 0))
		return enc_failed(&b, err, errlen);
	for (size_t i = 0; req->sans && i < req->nsans; i++)
		if (cm_enc_str(&b, TAG_SAN, req->sans[i]) < 0)
			return enc_failed(&b, err, errlen);
	for (size_t i = 0; req->ekus && i < req->nekus; i++)
		if (cm_enc_str(&b, TAG_EKU, req->ekus[i]) < 0)
			return enc_failed(&b, err, errlen);
	if (cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = roundtrip(s, OP_ISSUE, &b, id, &payload, m, err, errlen);
	if (r != CM_SIGNER_OK)
		goto out;
	/* From here the signer has issued and journalled: a failure to take the
	 * certificate in is "unknown", never "not issued". */
	const struct cm_field *der = cm_msg_get(m, TAG_CERT_DER);
	const struct cm_field *ser = cm_msg_get(m, TAG_SERIAL_HEX);
	if (der == NULL || der->len == 0 || ser == NULL || ser->len == 0 ||
	    ser->len >= sizeof(res->serial_hex)) {
		snprintf(err, errlen, "signer: reply without a certificate or serial");
		r = CM_SIGNER_UNKNOWN;
		goto out;
	}
	res->der = malloc(der->len);
	if (res->der == NULL) {
		snprintf(err, errlen, "out of memory taking in the issued certificate");
		r = CM_SIGNER_UNKNOWN;
		goto out;
	}
	memcpy(res->der, der->val, der->len);
	res->der_len = der->len;
	memcpy(res->serial_hex, ser->val, ser->len);
	res->serial_hex[ser->len] = '\0';
out:
	free(payload);
	free(m);
	cm_buf_free(&b);
	return r;
}

/* No return value. */
void
cm_signer_issue_reply_free(struct cm_signer_issue_reply *res)
{
	free(res->der);
	memset(res, 0, sizeof(*res));
}

/* Sends an audit-checkpoint request already encoded in b and decodes the
 * reply's checkpoints into out. 0 / -1 / 1. */
static int
checkpoint_call(struct cm_signer *s, struct cm_buf *b, uint32_t id,
    struct cm_checkpoint *out, size_t max, size_t *n, struct cm_buf *pub_pem,
    char *err, size_t errlen)
{
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	int r = -1;

	*n = 0;
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = roundtrip(s, OP_AUDIT_CHECKPOINT, b, id, &payload, m, err, errlen);
	if (r != 0)
		goto out;
	for (size_t i = 0; i < m->nfields; i++) {
		const struct cm_field *f = &m->fields[i];
		if (f->tag == TAG_CHECKPOINT) {
			if (*n == max || cm_checkpoint_parse((const char *)f->val, f->len, &out[*n]) < 0) {
				snprintf(err, errlen, "signer: malformed or too many checkpoints in the reply");
				r = -1;
				goto out;
			}
			(*n)++;
		} else if (f->tag == TAG_CHECKPOINT_KEY_PEM && pub_pem &&
		    cm_buf_append(pub_pem, f->val, f->len) < 0) {
			snprintf(err, errlen, "signer: checkpoint key does not fit");
			r = -1;
			goto out;
		}
	}
out:
	free(payload);
	free(m);
	return r;
}

/* 0 / -1 / 1. */
int
cm_signer_audit_checkpoint(struct cm_signer *s, int64_t row, const char *hash,
    struct cm_checkpoint *out, char *err, size_t errlen)
{
	struct cm_buf b;
	char num[24];
	uint32_t id = s->next_id++;
	size_t n = 0;
	int r;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	snprintf(num, sizeof(num), "%" PRId64, row);
	if (cm_enc_begin(&b, OP_AUDIT_CHECKPOINT, id) < 0 ||
	    cm_enc_str(&b, TAG_AUDIT_ID, num) < 0 ||
	    cm_enc_str(&b, TAG_AUDIT_HASH, hash ? hash : "") < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	r = checkpoint_call(s, &b, id, out, 1, &n, NULL, err, errlen);
	if (r == 0 && (n != 1 || out->id != row || strcmp(out->hash, hash) != 0)) {
		snprintf(err, errlen, "signer: the reply does not carry the checkpoint asked for");
		r = -1;
	}
	cm_buf_free(&b);
	return r;
}

/* 0 / -1 / 1. */
int
cm_signer_audit_checkpoints(struct cm_signer *s, int64_t after,
    struct cm_checkpoint *out, size_t max, size_t *n, struct cm_buf *pub_pem,
    char *err, size_t errlen)
{
	struct cm_buf b;
	char num[24];
	uint32_t id = s->next_id++;
	int r;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	snprintf(num, sizeof(num), "%" PRId64, after);
	if (cm_enc_begin(&b, OP_AUDIT_CHECKPOINT, id) < 0 ||
	    cm_enc_str(&b, TAG_CHECKPOINT_AFTER, num) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	r = checkpoint_call(s, &b, id, out, max, n, pub_pem, err, errlen);
	cm_buf_free(&b);
	return r;
}

/* Sends a crl-sign request already encoded in b; the reply in *payload / m.
 * An outcome. */
static int
crl_call(struct cm_signer *s, struct cm_buf *b, uint32_t id, unsigned char **payload,
    struct cm_msg **m, char *err, size_t errlen)
{
	*payload = NULL;
	*m = malloc(sizeof(**m));
	if (*m == NULL) {
		cm_buf_free(b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = roundtrip(s, OP_CRL_SIGN, b, id, payload, *m, err, errlen);
	cm_buf_free(b);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_crl_begin(struct cm_signer *s, const char *issuer, time_t this_update,
    time_t next_update, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CRL_SIGN, id) < 0 ||
	    cm_enc_u32(&b, TAG_CRL_STEP, CM_CRL_STEP_BEGIN) < 0 ||
	    cm_enc_str(&b, TAG_CRL_ISSUER, issuer) < 0 ||
	    cm_enc_u64(&b, TAG_THIS_UPDATE, (uint64_t)this_update) < 0 ||
	    cm_enc_u64(&b, TAG_NEXT_UPDATE, (uint64_t)next_update) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	int r = crl_call(s, &b, id, &payload, &m, err, errlen);
	free(payload);
	free(m);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_crl_entries(struct cm_signer *s, const void *packed, size_t len, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;

	if (len > CM_SIGNER_CRL_BATCH) {
		snprintf(err, errlen, "signer: a CRL batch of %zu bytes is over %d", len, CM_SIGNER_CRL_BATCH);
		return -1;
	}
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CRL_SIGN, id) < 0 ||
	    cm_enc_u32(&b, TAG_CRL_STEP, CM_CRL_STEP_ENTRIES) < 0 ||
	    cm_enc_bytes(&b, TAG_CRL_ENTRIES, packed, len) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	int r = crl_call(s, &b, id, &payload, &m, err, errlen);
	free(payload);
	free(m);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_crl_sign(struct cm_signer *s, char *number, size_t numlen, uint64_t *der_len,
    char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CRL_SIGN, id) < 0 ||
	    cm_enc_u32(&b, TAG_CRL_STEP, CM_CRL_STEP_SIGN) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	int r = crl_call(s, &b, id, &payload, &m, err, errlen);
	if (r == 0) {
		const struct cm_field *f = cm_msg_get(m, TAG_CRL_NUMBER);
		int digits = f && f->len >= 1 && f->len <= 20 && f->len < numlen;
		for (size_t i = 0; digits && i < f->len; i++)
			digits = f->val[i] >= '0' && f->val[i] <= '9';
		if (!digits || cm_msg_get_u64(m, TAG_CRL_DER_LEN, der_len) < 0) {
			snprintf(err, errlen, "signer: the crl-sign reply lacks the CRL number or length");
			r = -1;
		} else {
			memcpy(number, f->val, f->len);
			number[f->len] = '\0';
		}
	}
	free(payload);
	free(m);
	return r;
}

/* An enum cm_signer_outcome. */
int
cm_signer_crl_read(struct cm_signer *s, uint64_t off, struct cm_buf *out, size_t *got,
    char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;

	*got = 0;
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_CRL_SIGN, id) < 0 ||
	    cm_enc_u32(&b, TAG_CRL_STEP, CM_CRL_STEP_READ) < 0 ||
	    cm_enc_u64(&b, TAG_CRL_OFFSET, off) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	int r = crl_call(s, &b, id, &payload, &m, err, errlen);
	if (r == 0) {
		const struct cm_field *f = cm_msg_get(m, TAG_CRL_DER);
		if (f == NULL || f->len > CM_CRL_CHUNK) {
			snprintf(err, errlen, "signer: the crl-sign reply lacks the CRL chunk");
			r = -1;
		} else if (f->len && cm_buf_append(out, f->val, f->len) < 0) {
			snprintf(err, errlen, "out of memory for the CRL");
			r = -1;
		} else {
			*got = f->len;
		}
	}
	free(payload);
	free(m);
	return r;
}

/* 0 / -1. */
int
cm_signer_crl_pack(struct cm_buf *b, const unsigned char *serial, size_t serial_len,
    uint64_t revoked_at, unsigned reason)
{
	unsigned char ent[1 + CM_CRL_MAX_SERIAL + 9];
	size_t n = 0;

	if (serial_len < 1 || serial_len > CM_CRL_MAX_SERIAL || reason > 255)
		return -1;
	ent[n++] = (unsigned char)serial_len;
	memcpy(ent + n, serial, serial_len);
	n += serial_len;
	for (int i = 7; i >= 0; i--)
		ent[n++] = (unsigned char)(revoked_at >> (8 * i));
	ent[n++] = (unsigned char)reason;
	return cm_buf_append(b, ent, n);
}

/* 1 when reason is a CRLReason code a revoked single may carry (7 is
 * unassigned) or CM_OCSP_NO_REASON; 0 else. */
static int
ocsp_reason_ok(unsigned reason)
{
	return reason == CM_OCSP_NO_REASON || (reason <= 10 && reason != 7);
}

/* 0 / -1 (see signer_client.h). */
int
cm_signer_ocsp_pack(struct cm_buf *b, const struct cm_signer_ocsp_item *item)
{
	unsigned char head[1 + CM_OCSP_MAX_NONCE + 1];
	unsigned char one[CM_OCSP_SINGLE_LEN(CM_OCSP_MAX_SERIAL)];
	size_t n = 0, start = b->len;

	if (item->nonce_len > CM_OCSP_MAX_NONCE || (item->nonce_len && item->nonce == NULL) ||
	    item->nsingles < 1 || item->nsingles > CM_OCSP_MAX_SINGLES || item->singles == NULL)
		return -1;
	head[n++] = (unsigned char)item->nonce_len;
	if (item->nonce_len)
		memcpy(head + n, item->nonce, item->nonce_len);
	n += item->nonce_len;
	head[n++] = (unsigned char)item->nsingles;
	if (cm_buf_append(b, head, n) < 0)
		return -1;
	for (size_t i = 0; i < item->nsingles; i++) {
		const struct cm_signer_ocsp_single *sg = &item->singles[i];
		if (sg->hash < CM_OCSP_HASH_SHA1 || sg->hash > CM_OCSP_HASH_SHA512 ||
		    sg->serial == NULL || sg->serial_len < 1 || sg->serial_len > CM_OCSP_MAX_SERIAL ||
		    sg->status > CM_OCSP_UNKNOWN || !ocsp_reason_ok(sg->reason))
			goto bad;
		n = 0;
		one[n++] = (unsigned char)sg->hash;
		one[n++] = (unsigned char)sg->serial_len;
		memcpy(one + n, sg->serial, sg->serial_len);
		n += sg->serial_len;
		one[n++] = (unsigned char)sg->status;
		for (int k = 7; k >= 0; k--)
			one[n++] = (unsigned char)(sg->revoked_at >> (8 * k));
		one[n++] = (unsigned char)sg->reason;
		if (cm_buf_append(b, one, n) < 0)
			goto bad;
	}
	return 0;
bad:
	b->len = start;   /* the buffer as it was: no half item */
	if (b->data)
		b->data[start] = '\0';
	return -1;
}

/* No return value. */
void
cm_signer_ocsp_reply_free(struct cm_signer_ocsp_reply *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; r->resp && i < r->n; i++)
		free(r->resp[i].der);
	free(r->resp);
	memset(r, 0, sizeof(*r));
}

/* An enum cm_signer_outcome. */
int
cm_signer_ocsp_sign(struct cm_signer *s, const struct cm_signer_ocsp_item *items,
    size_t nitems, struct cm_signer_ocsp_reply *out, char *err, size_t errlen)
{
	struct cm_buf b, one;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;
	uint64_t tu = 0, nu = 0;
	size_t n = 0;
	int r = CM_SIGNER_FAULT;

	memset(out, 0, sizeof(*out));
	if (nitems < 1 || nitems > CM_OCSP_MAX_ITEMS) {
		snprintf(err, errlen, "signer: ocsp-sign takes 1 to %d items, not %zu", CM_OCSP_MAX_ITEMS, nitems);
		return CM_SIGNER_FAULT;
	}
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	cm_buf_init(&one, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_OCSP_SIGN, id) < 0) {
		cm_buf_free(&one);
		return enc_failed(&b, err, errlen);
	}
	for (size_t i = 0; i < nitems; i++) {
		one.len = 0;
		if (one.data)
			one.data[0] = '\0';
		if (cm_signer_ocsp_pack(&one, &items[i]) < 0) {
			snprintf(err, errlen, "signer: OCSP item %zu breaks a bound of the item format", i);
			goto out;
		}
		if (cm_enc_bytes(&b, TAG_OCSP_ITEM, one.data, one.len) < 0) {
			cm_buf_free(&one);
			return enc_failed(&b, err, errlen);
		}
	}
	if (cm_enc_finish(&b) < 0) {
		cm_buf_free(&one);
		return enc_failed(&b, err, errlen);
	}
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = roundtrip(s, OP_OCSP_SIGN, &b, id, &payload, m, err, errlen);
	if (r != CM_SIGNER_OK)
		goto out;
	/* Signing has no lasting effect: a reply this side cannot use is only a
	 * lost answer, reported as unknown like any other. */
	r = CM_SIGNER_UNKNOWN;
	for (size_t i = 0; i < m->nfields; i++)
		if (m->fields[i].tag == TAG_OCSP_RESPONSE)
			n++;
	if (n != nitems || cm_msg_get_u64(m, TAG_THIS_UPDATE, &tu) < 0 ||
	    cm_msg_get_u64(m, TAG_NEXT_UPDATE, &nu) < 0) {
		snprintf(err, errlen, "signer: the ocsp-sign reply has %zu responses for %zu items, or lacks its times",
		    n, nitems);
		goto out;
	}
	out->resp = calloc(nitems, sizeof(*out->resp));
	if (out->resp == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	out->n = nitems;
	n = 0;
	for (size_t i = 0; i < m->nfields; i++) {
		const struct cm_field *f = &m->fields[i];
		if (f->tag != TAG_OCSP_RESPONSE)
			continue;
		out->resp[n].der = malloc(f->len ? f->len : 1);
		if (out->resp[n].der == NULL) {
			snprintf(err, errlen, "out of memory");
			cm_signer_ocsp_reply_free(out);
			goto out;
		}
		memcpy(out->resp[n].der, f->val, f->len);
		out->resp[n].len = f->len;
		n++;
	}
	out->this_update = (time_t)tu;
	out->next_update = (time_t)nu;
	r = CM_SIGNER_OK;
out:
	free(payload);
	free(m);
	cm_buf_free(&one);
	cm_buf_free(&b);
	return r;
}

/* 1 when name is one of the five envelope ciphers of TAG_SCEP_CIPHER; 0 else. */
static int
scep_cipher_known(const char *name)
{
	static const char *const ok[] = { "aes-128-cbc", "aes-192-cbc", "aes-256-cbc",
		"des-ede3-cbc", "des-cbc" };
	for (size_t i = 0; name && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(name, ok[i]) == 0)
			return 1;
	return 0;
}

/* An enum cm_signer_outcome (see signer_client.h). */
int
cm_signer_scep_decrypt(struct cm_signer *s, const unsigned char *env, size_t env_len,
    struct cm_buf *content, char *cipher, size_t cipherlen, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;
	int r = CM_SIGNER_FAULT;

	if (cipherlen)
		cipher[0] = '\0';
	if (env == NULL || env_len == 0 || env_len > CM_SCEP_MAX_ENVELOPE) {
		snprintf(err, errlen, "signer: a SCEP envelope of %zu bytes (1 to %d)", env_len,
		    CM_SCEP_MAX_ENVELOPE);
		return CM_SIGNER_FAULT;
	}
	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_SCEP_DECRYPT, id) < 0 ||
	    cm_enc_bytes(&b, TAG_SCEP_ENVELOPE, env, env_len) < 0 ||
	    cm_enc_finish(&b) < 0)
		return enc_failed(&b, err, errlen);
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = roundtrip(s, OP_SCEP_DECRYPT, &b, id, &payload, m, err, errlen);
	if (r != CM_SIGNER_OK)
		goto out;
	/* Decrypting has no lasting effect: a reply this side cannot use is a
	 * lost answer, "unknown" like any other. */
	const struct cm_field *c = cm_msg_get(m, TAG_SCEP_CONTENT);
	char *name = cm_msg_get_str(m, TAG_SCEP_CIPHER, 32, NULL);
	if (c == NULL || c->len == 0 || c->len > CM_SCEP_MAX_CONTENT || !scep_cipher_known(name) ||
	    strlen(name) >= cipherlen) {
		snprintf(err, errlen, "signer: the scep-decrypt reply lacks the content or a known cipher");
		r = CM_SIGNER_UNKNOWN;
	} else if (cm_buf_append(content, c->val, c->len) < 0) {
		snprintf(err, errlen, "the decrypted content does not fit the output buffer");
		r = CM_SIGNER_FAULT;
	} else {
		strcpy(cipher, name);
	}
	free(name);
out:
	free(payload);
	free(m);
	cm_buf_free(&b);   /* wipes the envelope it carried */
	return r;
}

/* 0 / -1: packs req as an OP_SCEP_CERTREP request with id into b (begun and
 * finished), refusing what breaks a bound of the wire format; err says
 * which. Exposed for the unit tests through cm_signer_scep_certrep_pack. */
int
cm_signer_scep_certrep_pack(struct cm_buf *b, uint32_t id, const struct cm_signer_scep_certrep_req *req,
    char *err, size_t errlen)
{
	size_t tl = req->transaction_id ? strlen(req->transaction_id) : 0;

	if (tl < 1 || tl > CM_SCEP_MAX_TRANSACTION_ID) {
		snprintf(err, errlen, "signer: a SCEP transactionID of 1 to %d characters", CM_SCEP_MAX_TRANSACTION_ID);
		return -1;
	}
	if (req->digest == NULL) {
		snprintf(err, errlen, "signer: no digest for the CertRep");
		return -1;
	}
	if (req->ncerts > CM_SCEP_MAX_CERTS || (req->ncerts && (req->certs == NULL || req->cert_lens == NULL))) {
		snprintf(err, errlen, "signer: a CertRep carries 0 to %d certificates", CM_SCEP_MAX_CERTS);
		return -1;
	}
	if (cm_enc_begin(b, OP_SCEP_CERTREP, id) < 0 ||
	    cm_enc_u32(b, TAG_SCEP_PKI_STATUS, req->pki_status) < 0 ||
	    (req->pki_status == CM_SCEP_FAILURE && cm_enc_u32(b, TAG_SCEP_FAIL_INFO, req->fail_info) < 0) ||
	    cm_enc_str(b, TAG_SCEP_TRANSACTION_ID, req->transaction_id) < 0 ||
	    (req->recipient_nonce &&
	    cm_enc_bytes(b, TAG_SCEP_RECIPIENT_NONCE, req->recipient_nonce, CM_SCEP_NONCE_LEN) < 0) ||
	    cm_enc_str(b, TAG_SCEP_DIGEST, req->digest) < 0 ||
	    (req->cipher && cm_enc_str(b, TAG_SCEP_CIPHER, req->cipher) < 0) ||
	    (req->recipient_cert &&
	    cm_enc_bytes(b, TAG_SCEP_RECIPIENT_CERT, req->recipient_cert, req->recipient_cert_len) < 0))
		goto big;
	for (size_t i = 0; i < req->ncerts; i++)
		if (cm_enc_bytes(b, TAG_CERT_DER, req->certs[i], req->cert_lens[i]) < 0)
			goto big;
	if ((req->crl && cm_enc_bytes(b, TAG_SCEP_CRL_DER, req->crl, req->crl_len) < 0) ||
	    cm_enc_finish(b) < 0)
		goto big;
	return 0;
big:
	snprintf(err, errlen, "signer: request larger than the %d-byte frame limit", CM_PROTO_MAX_FRAME);
	return -1;
}

/* An enum cm_signer_outcome (see signer_client.h). */
int
cm_signer_scep_certrep(struct cm_signer *s, const struct cm_signer_scep_certrep_req *req,
    struct cm_buf *out, char *err, size_t errlen)
{
	struct cm_buf b;
	struct cm_msg *m = NULL;
	unsigned char *payload = NULL;
	uint32_t id = s->next_id++;
	int r = CM_SIGNER_FAULT;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_signer_scep_certrep_pack(&b, id, req, err, errlen) < 0) {
		cm_buf_free(&b);
		return CM_SIGNER_FAULT;
	}
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = roundtrip(s, OP_SCEP_CERTREP, &b, id, &payload, m, err, errlen);
	if (r != CM_SIGNER_OK)
		goto out;
	const struct cm_field *f = cm_msg_get(m, TAG_SCEP_PKI_MESSAGE);
	if (f == NULL || f->len == 0) {
		snprintf(err, errlen, "signer: the scep-certrep reply lacks the pkiMessage");
		r = CM_SIGNER_UNKNOWN;
	} else if (cm_buf_append(out, f->val, f->len) < 0) {
		snprintf(err, errlen, "the CertRep does not fit the output buffer");
		r = CM_SIGNER_FAULT;
	}
out:
	free(payload);
	free(m);
	cm_buf_free(&b);
	return r;
}
