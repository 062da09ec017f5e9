/* test_signer_client.c: the signer client's outcomes (OK, refused, fault, unknown) and its request deadline, against a fake signer socket. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "signer_client.h"
#include "signer_proto.h"

#define TIMEOUT_MS 400

/* What the fake signer does with the one request it reads. */
enum fake_mode {
	FAKE_OK,           /* a well-formed issue reply */
	FAKE_NO_REPLY,     /* reads, then keeps the connection open and silent */
	FAKE_CLOSE,        /* reads, then closes without a word */
	FAKE_SHORT,        /* reads, then sends 5 bytes of a header and closes */
	FAKE_LATE,         /* a well-formed reply, after the client's timeout */
	FAKE_GARBLED,      /* an OK reply whose fields are not the issue reply's */
	FAKE_ERR_NOCLASS,  /* an error reply as an older signer sends it */
	FAKE_ERR_REFUSED,
	FAKE_ERR_FAULT,
	FAKE_ERR_EXPIRED,
	FAKE_ERR_ODDCLASS  /* a class this client does not know */
};

struct fake {
	int lfd;
	enum fake_mode mode;
	int got_deadline;          /* the request carried TAG_DEADLINE_MS */
	uint64_t deadline;
	int deadline_len;
};

static long long
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Serves one connection as mode says; no return value. */
static void *
fake_signer(void *arg)
{
	struct fake *f = arg;
	struct cm_frame_hdr h;
	unsigned char *payload = NULL;
	struct cm_msg *m = calloc(1, sizeof(*m));
	struct cm_buf b;
	char err[256];
	int fd = accept(f->lfd, NULL, NULL);

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (fd < 0 || m == NULL || cm_read_frame(fd, 5000, &h, &payload, err, sizeof(err)) != CM_RF_OK)
		goto out;
	if (cm_msg_decode(h.op, CM_MSG_REQUEST, payload, h.payload_len, m, err, sizeof(err)) == 0) {
		const struct cm_field *d = cm_msg_get(m, TAG_DEADLINE_MS);
		f->got_deadline = d != NULL;
		f->deadline_len = d ? (int)d->len : 0;
		cm_msg_get_u64(m, TAG_DEADLINE_MS, &f->deadline);
	}
	switch (f->mode) {
	case FAKE_NO_REPLY:
		sleep_ms(TIMEOUT_MS + 300);
		goto out;
	case FAKE_CLOSE:
		goto out;
	case FAKE_SHORT:
		(void)cm_write_full(fd, "\001\000\200\000\000", 5, 1000);
		goto out;
	case FAKE_LATE:
		sleep_ms(TIMEOUT_MS + 200);
		/* fall through */
	case FAKE_OK:
		cm_enc_begin(&b, OP_REPLY_OK, h.request_id);
		cm_enc_bytes(&b, TAG_CERT_DER, "\x30\x00", 2);
		cm_enc_str(&b, TAG_SERIAL_HEX, "0123456789abcdef0123456789abcdef");
		break;
	case FAKE_GARBLED:
		cm_enc_begin(&b, OP_REPLY_OK, h.request_id);
		cm_enc_str(&b, TAG_CHAIN_PEM, "not an issue reply");
		break;
	case FAKE_ERR_NOCLASS:
		cm_enc_error(&b, h.request_id, "profile tls-server not allowed");
		break;
	case FAKE_ERR_REFUSED:
		cm_enc_error_class(&b, h.request_id, CM_ERR_CLASS_REFUSED, "profile tls-server not allowed");
		break;
	case FAKE_ERR_FAULT:
		cm_enc_error_class(&b, h.request_id, CM_ERR_CLASS_FAULT, "journal: No space left on device");
		break;
	case FAKE_ERR_EXPIRED:
		cm_enc_error_class(&b, h.request_id, CM_ERR_CLASS_EXPIRED, "the request expired");
		break;
	case FAKE_ERR_ODDCLASS:
		cm_enc_error_class(&b, h.request_id, "meteor-strike", "the sky fell");
		break;
	}
	cm_enc_finish(&b);
	(void)cm_write_full(fd, b.data, b.len, 1000);
	/* Let the client read before the close. */
	sleep_ms(50);
out:
	if (fd >= 0)
		close(fd);
	cm_buf_free(&b);
	free(payload);
	free(m);
	return NULL;
}

static char sock_path[108];

/* One issue against a fake signer in mode; returns the outcome, err filled. */
static int
issue_against(enum fake_mode mode, struct fake *f, char *err, size_t errlen, long long *took_ms)
{
	struct sockaddr_un sa;
	struct cm_signer *s = NULL;
	pthread_t t;
	int r;

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	unlink(sock_path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(f->lfd, 4) < 0) {
		snprintf(err, errlen, "fake signer: %s", strerror(errno));
		return 99;
	}
	pthread_create(&t, NULL, fake_signer, f);
	long long t0 = wall_ms();
	r = cm_signer_connect(&s, sock_path, TIMEOUT_MS, err, errlen);
	if (r == CM_SIGNER_OK) {
		static const unsigned char csr[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
		struct cm_signer_issue_req req = { .profile = "tls-server", .csr_der = csr, .csr_len = sizeof(csr) };
		struct cm_signer_issue_reply res;
		r = cm_signer_issue(s, &req, &res, err, errlen);
		cm_signer_issue_reply_free(&res);
	}
	if (took_ms)
		*took_ms = wall_ms() - t0;
	cm_signer_close(s);
	pthread_join(t, NULL);
	close(f->lfd);
	unlink(sock_path);
	return r;
}

static void
test_outcomes(void)
{
	struct fake f;
	char err[512];
	long long took, before;
	int r;

	before = wall_ms();
	r = issue_against(FAKE_OK, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_OK, "a well-formed reply: OK");
	ok(f.got_deadline && f.deadline_len == 8, "the issue request carries an 8-byte deadline");
	/* Sent at about `before`: the deadline is TIMEOUT_MS later, less the guard. */
	long long want = before + TIMEOUT_MS - TIMEOUT_MS / 10;
	ok((long long)f.deadline >= want - 5 && (long long)f.deadline <= want + 200,
	    "the deadline is the send time + timeout - guard (%lld, want about %lld)", (long long)f.deadline, want);

	r = issue_against(FAKE_NO_REPLY, &f, err, sizeof(err), &took);
	is_int(r, CM_SIGNER_UNKNOWN, "no reply: UNKNOWN");
	ok(strstr(err, "timed out") != NULL, "and says it timed out: %s", err);
	ok(took >= TIMEOUT_MS - 20 && took < TIMEOUT_MS + 250, "after the timeout (%lld ms)", took);

	r = issue_against(FAKE_CLOSE, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_UNKNOWN, "connection closed after the request: UNKNOWN");
	ok(strstr(err, "closed the connection") != NULL, "and says so: %s", err);

	r = issue_against(FAKE_SHORT, &f, err, sizeof(err), NULL);
	ok(r == CM_SIGNER_UNKNOWN, "a short reply: UNKNOWN (%d: %s)", r, err);

	r = issue_against(FAKE_LATE, &f, err, sizeof(err), NULL);
	ok(r == CM_SIGNER_UNKNOWN, "a reply after the deadline: UNKNOWN (%d: %s)", r, err);

	r = issue_against(FAKE_GARBLED, &f, err, sizeof(err), NULL);
	ok(r == CM_SIGNER_UNKNOWN, "an OK reply outside the field set: UNKNOWN (%d: %s)", r, err);

	r = issue_against(FAKE_ERR_NOCLASS, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_REFUSED, "an error without a class (older signer): REFUSED");
	is_str(err, "profile tls-server not allowed", "with its reason");

	r = issue_against(FAKE_ERR_REFUSED, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_REFUSED, "class refused: REFUSED");
	is_str(err, "profile tls-server not allowed", "with its reason");

	r = issue_against(FAKE_ERR_FAULT, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_FAULT, "class fault: FAULT");
	is_str(err, "journal: No space left on device", "with its reason");

	r = issue_against(FAKE_ERR_EXPIRED, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_FAULT, "class expired: FAULT (nothing was signed)");
	is_str(err, "expired: the request expired", "said to be expired");

	r = issue_against(FAKE_ERR_ODDCLASS, &f, err, sizeof(err), NULL);
	is_int(r, CM_SIGNER_FAULT, "an unknown class: FAULT (an error reply issued nothing)");

	/* Nobody listening: nothing was sent. */
	struct cm_signer *s = NULL;
	unlink(sock_path);
	r = cm_signer_connect(&s, sock_path, TIMEOUT_MS, err, sizeof(err));
	is_int(r, CM_SIGNER_FAULT, "no signer: FAULT (nothing sent)");
	ok(s == NULL, "and no connection");

	is_str(cm_signer_outcome_name(CM_SIGNER_UNKNOWN), "unknown", "outcome names");
	is_str(cm_signer_outcome_name(CM_SIGNER_FAULT), "fault", "outcome names");
}

/* Every served op's request may carry the deadline, so the client sends it
 * on every request (an op added without it would go without a deadline). */
static void
test_every_request_takes_a_deadline(void)
{
	for (unsigned op = 1; op < OP__MAX; op++) {
		const struct cm_msg_spec *spec = cm_msg_spec(op, CM_MSG_REQUEST);
		int has = 0;
		if (!cm_op_served(op))
			continue;
		for (size_t i = 0; spec && i < spec->nrules; i++)
			has |= spec->rules[i].tag == TAG_DEADLINE_MS && !(spec->rules[i].flags & CM_FIELD_REQUIRED);
		ok(has, "the %s request takes an optional deadline-ms", cm_op_name(op));
	}
	const struct cm_msg_spec *e = cm_msg_spec(OP_ISSUE, CM_MSG_REPLY_ERR);
	int has = 0;
	for (size_t i = 0; e && i < e->nrules; i++)
		has |= e->rules[i].tag == TAG_ERR_CLASS && !(e->rules[i].flags & CM_FIELD_REQUIRED);
	ok(has, "the error reply takes an optional err-class");
}

int
main(void)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/cm-fake-signer.%ld.sock", (long)getpid());
	test_outcomes();
	test_every_request_takes_a_deadline();
	return tap_done();
}
