/* crl_probe.c: drives signerd's crl-sign op directly, with N generated entries (tests, bench/crl) or with malformed frames (tests). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "signer_client.h"
#include "signer_proto.h"

/* Exit codes the tests rely on (as tests/tools/signer_probe.c). */
enum { EX_OK = 0, EX_ERROR = 1, EX_REFUSED = 2, EX_DROPPED = 3 };

static void
usage(void)
{
	fprintf(stderr,
	    "usage: crl-probe -s SOCKET [-t TIMEOUT_MS] COMMAND\n"
	    "  gen N [-i issuing|root] [-o FILE]   a CRL of N generated entries through the client\n"
	    "                                      library; DER to FILE; prints number, size, seconds\n"
	    "  bad CASE                            one malformed request; prints OK, REFUSED: reason\n"
	    "                                      or DROPPED. CASE: entries-first, bad-entry,\n"
	    "                                      bad-step, no-step, truncated, read-past, skew,\n"
	    "                                      bad-issuer, sign-twice\n");
	exit(EX_ERROR);
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An exit code after printing the outcome r (an enum cm_signer_outcome). */
static int
outcome(int r, const char *err)
{
	if (r == CM_SIGNER_REFUSED) {
		printf("REFUSED: %s\n", err);
		return EX_REFUSED;
	}
	if (r == CM_SIGNER_UNKNOWN && strstr(err, "closed the connection")) {
		printf("DROPPED\n");
		return EX_DROPPED;
	}
	printf("ERROR: %s\n", err);
	return EX_ERROR;
}

static int
gen(const char *sock, int timeout_ms, long n, const char *issuer, const char *out)
{
	struct cm_signer *s = NULL;
	struct cm_buf b, der;
	char err[512], number[32];
	uint64_t len = 0;
	time_t now = time(NULL);
	double t0 = now_s(), t1, t2;
	FILE *f = NULL;
	int r;

	cm_buf_init(&b, CM_SIGNER_CRL_BATCH);
	cm_buf_init(&der, 0);
	if ((r = cm_signer_connect(&s, sock, timeout_ms, err, sizeof(err))) != 0 ||
	    (r = cm_signer_crl_begin(s, issuer, now, now + 86400, err, sizeof(err))) != 0)
		goto out;
	for (long i = 1; i <= n; i++) {
		unsigned char serial[16];
		/* Random-looking 128-bit serials, as the signer issues them. */
		uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
		serial[0] = 0x3c;
		for (int k = 1; k < 16; k++)
			serial[k] = (unsigned char)(x >> (8 * (k % 8))) ^ (unsigned char)(k * 37);
		if (b.len + 40 > CM_SIGNER_CRL_BATCH) {
			if ((r = cm_signer_crl_entries(s, b.data, b.len, err, sizeof(err))) != 0)
				goto out;
			cm_buf_reset(&b);
		}
		cm_signer_crl_pack(&b, serial, sizeof(serial), (uint64_t)(now - 3600 - i % 86400),
		    (unsigned)(i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 4));
	}
	if (b.len && (r = cm_signer_crl_entries(s, b.data, b.len, err, sizeof(err))) != 0)
		goto out;
	t1 = now_s();
	if ((r = cm_signer_crl_sign(s, number, sizeof(number), &len, err, sizeof(err))) != 0)
		goto out;
	if (out && (f = fopen(out, "we")) == NULL) {
		snprintf(err, sizeof(err), "%s: %s", out, strerror(errno));
		r = CM_SIGNER_FAULT;
		goto out;
	}
	for (uint64_t off = 0; off < len; ) {
		size_t got = 0;
		cm_buf_reset(&der);
		if ((r = cm_signer_crl_read(s, off, &der, &got, err, sizeof(err))) != 0)
			goto out;
		if (got == 0) {
			snprintf(err, sizeof(err), "short CRL");
			r = CM_SIGNER_FAULT;
			goto out;
		}
		if (f && fwrite(der.data, 1, got, f) != got) {
			snprintf(err, sizeof(err), "%s: write failed", out);
			r = CM_SIGNER_FAULT;
			goto out;
		}
		off += got;
	}
	t2 = now_s();
	printf("number=%s entries=%ld bytes=%llu send_s=%.2f sign_read_s=%.2f total_s=%.2f\n", number, n,
	    (unsigned long long)len, t1 - t0, t2 - t1, t2 - t0);
out:
	if (f && fclose(f) != 0 && r == 0) {
		snprintf(err, sizeof(err), "%s: write failed", out);
		r = CM_SIGNER_FAULT;
	}
	cm_signer_close(s);
	cm_buf_free(&b);
	cm_buf_free(&der);
	return r == 0 ? EX_OK : outcome(r, err);
}

/* A raw connection: fd or -1. */
static int
raw_connect(const char *sock)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Sends the frame in b and prints the answer: an exit code. */
static int
raw_call(int fd, struct cm_buf *b, int timeout_ms)
{
	struct cm_frame_hdr h;
	struct cm_msg m;
	unsigned char *p = NULL;
	char err[256];
	int ret = EX_ERROR;

	if (cm_write_full(fd, b->data, b->len, timeout_ms) < 0) {
		printf("ERROR: send: %s\n", strerror(errno));
		return EX_ERROR;
	}
	enum cm_rf rf = cm_read_frame(fd, timeout_ms, &h, &p, err, sizeof(err));
	if (rf == CM_RF_EOF) {
		printf("DROPPED\n");
		return EX_DROPPED;
	}
	if (rf != CM_RF_OK) {
		printf("ERROR: %s\n", err);
		return EX_ERROR;
	}
	if (h.op == OP_REPLY_ERR && cm_msg_decode(OP_CRL_SIGN, CM_MSG_REPLY_ERR, p, h.payload_len, &m, err, sizeof(err)) == 0) {
		const struct cm_field *f = cm_msg_get(&m, TAG_REASON);
		printf("REFUSED: %.*s\n", f ? (int)f->len : 0, f ? (const char *)f->val : "");
		ret = EX_REFUSED;
	} else if (h.op == OP_REPLY_OK) {
		printf("OK\n");
		ret = EX_OK;
	} else {
		printf("ERROR: unexpected reply op %u\n", h.op);
	}
	free(p);
	return ret;
}

/* A crl-sign frame of step (0: none) with the usual begin fields when
 * begin_fields. */
static void
frame(struct cm_buf *b, uint32_t step, int begin_fields, time_t this_update, const char *issuer)
{
	cm_enc_begin(b, OP_CRL_SIGN, 7);
	if (step)
		cm_enc_u32(b, TAG_CRL_STEP, step);
	if (begin_fields) {
		cm_enc_str(b, TAG_CRL_ISSUER, issuer);
		cm_enc_u64(b, TAG_THIS_UPDATE, (uint64_t)this_update);
		cm_enc_u64(b, TAG_NEXT_UPDATE, (uint64_t)this_update + 3600);
	}
}

/* Steps before the one under test must succeed: 0, or the exit code. */
static int
must(int fd, struct cm_buf *b, int timeout_ms)
{
	cm_enc_finish(b);
	int r = raw_call(fd, b, timeout_ms);
	return r == EX_OK ? 0 : r;
}

static int
bad(const char *sock, int timeout_ms, const char *what)
{
	struct cm_buf b, ent;
	time_t now = time(NULL);
	const unsigned char serial[] = { 0x12, 0x34 };
	int fd = raw_connect(sock), r = EX_ERROR;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	cm_buf_init(&ent, 0);
	if (fd < 0) {
		printf("ERROR: connect: %s\n", strerror(errno));
		goto out;
	}
	if (!strcmp(what, "entries-first")) {
		cm_signer_crl_pack(&ent, serial, sizeof(serial), (uint64_t)now, 1);
		frame(&b, CM_CRL_STEP_ENTRIES, 0, now, NULL);
		cm_enc_bytes(&b, TAG_CRL_ENTRIES, ent.data, ent.len);
	} else if (!strcmp(what, "bad-entry") || !strcmp(what, "sign-twice") || !strcmp(what, "read-past")) {
		frame(&b, CM_CRL_STEP_BEGIN, 1, now, "issuing");
		if ((r = must(fd, &b, timeout_ms)) != 0)
			goto out;
		if (!strcmp(what, "bad-entry")) {
			cm_signer_crl_pack(&ent, serial, sizeof(serial), (uint64_t)now, 7);
			frame(&b, CM_CRL_STEP_ENTRIES, 0, now, NULL);
			cm_enc_bytes(&b, TAG_CRL_ENTRIES, ent.data, ent.len);
		} else {
			frame(&b, CM_CRL_STEP_SIGN, 0, now, NULL);
			if ((r = must(fd, &b, timeout_ms)) != 0)
				goto out;
			if (!strcmp(what, "sign-twice")) {
				frame(&b, CM_CRL_STEP_SIGN, 0, now, NULL);
			} else {
				frame(&b, CM_CRL_STEP_READ, 0, now, NULL);
				cm_enc_u64(&b, TAG_CRL_OFFSET, 1ULL << 40);
			}
		}
	} else if (!strcmp(what, "bad-step")) {
		frame(&b, 9, 0, now, NULL);
	} else if (!strcmp(what, "no-step")) {
		frame(&b, 0, 1, now, "issuing");
	} else if (!strcmp(what, "skew")) {
		frame(&b, CM_CRL_STEP_BEGIN, 1, now - 10 * 86400, "issuing");
	} else if (!strcmp(what, "bad-issuer")) {
		frame(&b, CM_CRL_STEP_BEGIN, 1, now, "ocsp");
	} else if (!strcmp(what, "truncated")) {
		/* A field claiming more bytes than the frame has. */
		frame(&b, CM_CRL_STEP_BEGIN, 0, now, NULL);
		const unsigned char f[] = { 0, TAG_CRL_ENTRIES, 0, 0, 1, 0, 0x01 };
		cm_buf_append(&b, f, sizeof(f));
	} else {
		usage();
	}
	cm_enc_finish(&b);
	r = raw_call(fd, &b, timeout_ms);
out:
	if (fd >= 0)
		close(fd);
	cm_buf_free(&b);
	cm_buf_free(&ent);
	return r;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *issuer = "issuing", *out = NULL;
	int timeout_ms = 60000, opt;

	while ((opt = getopt(argc, argv, "s:t:i:o:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'i': issuer = optarg; break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	/* glibc's getopt takes options after the command too: gen N -o FILE. */
	if (sock == NULL || optind + 2 != argc)
		usage();
	const char *cmd = argv[optind], *arg = argv[optind + 1];
	if (!strcmp(cmd, "gen"))
		return gen(sock, timeout_ms, atol(arg), issuer, out);
	if (!strcmp(cmd, "bad"))
		return bad(sock, timeout_ms, arg);
	usage();
	return EX_ERROR;
}
