/* ocsp_probe.c: sends ocsp-sign requests to a real signerd (through cm_signer_ocsp_sign, or as raw item bytes) and writes the responses, for tests/integration/29-signer-ocsp.sh. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "signer_proto.h"
#include "signer_client.h"

/* Exit codes the test relies on. */
enum { EX_OK = 0, EX_ERROR = 1, EX_REFUSED = 2, EX_DROPPED = 3 };

#define MAX_SPECS CM_OCSP_MAX_SINGLES + 4

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ocsp-probe -s SOCKET [-t TIMEOUT_MS] [-n NONCE_HEX] [-N ITEMS] [-o PREFIX] SINGLE...\n"
	    "       ocsp-probe -s SOCKET [-t TIMEOUT_MS] -x ITEM_HEX...\n"
	    "  SINGLE: HASH:SERIAL_HEX:good | HASH:SERIAL_HEX:unknown\n"
	    "          | HASH:SERIAL_HEX:revoked:TIME:REASON (REASON 255: none)\n"
	    "  HASH 1 sha1, 2 sha256, 3 sha384, 4 sha512. The singles make one item,\n"
	    "  sent ITEMS times (default 1); responses go to PREFIX.I.der.\n"
	    "  -x: raw packed items, sent as they are (no client-side checks).\n"
	    "prints OK items=N this=T next=T / REFUSED: reason / DROPPED / ERROR: ...;\n"
	    "exits 0 / 2 / 3 / 1\n");
	exit(EX_ERROR);
}

static int
unhex(const char *s, unsigned char *out, size_t max, size_t *n)
{
	size_t len = strlen(s);
	if (len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		unsigned v;
		if (sscanf(s + i, "%2x", &v) != 1)
			return -1;
		out[i / 2] = (unsigned char)v;
	}
	*n = len / 2;
	return 0;
}

/* One SINGLE argument into s (serial bytes in buf): 0 / -1. */
static int
parse_single(char *arg, struct cm_signer_ocsp_single *s, unsigned char *buf)
{
	char *f[5] = { NULL };
	int nf = 0;
	for (char *p = strtok(arg, ":"); p && nf < 5; p = strtok(NULL, ":"))
		f[nf++] = p;
	if (nf < 3)
		return -1;
	memset(s, 0, sizeof(*s));
	s->hash = (unsigned)atoi(f[0]);
	if (unhex(f[1], buf, 64, &s->serial_len) < 0)
		return -1;
	s->serial = buf;
	s->reason = CM_OCSP_NO_REASON;
	if (!strcmp(f[2], "good"))
		s->status = CM_OCSP_GOOD;
	else if (!strcmp(f[2], "unknown"))
		s->status = CM_OCSP_UNKNOWN;
	else if (!strcmp(f[2], "revoked") && nf == 5) {
		s->status = CM_OCSP_REVOKED;
		s->revoked_at = strtoull(f[3], NULL, 10);
		s->reason = (unsigned)atoi(f[4]);
	} else
		return -1;
	return 0;
}

static int
raw_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("ERROR: connect %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Raw items: one frame, the answer printed. An exit code. */
static int
raw_items(const char *sock, char **hex, int n, int timeout_ms)
{
	struct cm_buf b;
	struct cm_frame_hdr h;
	unsigned char *p = NULL, item[4096];
	char err[256];
	size_t len;
	int fd, rc = EX_ERROR;

	cm_buf_init(&b, CM_PROTO_MAX_FRAME);
	if (cm_enc_begin(&b, OP_OCSP_SIGN, 7) < 0)
		return EX_ERROR;
	for (int i = 0; i < n; i++) {
		if (unhex(hex[i], item, sizeof(item), &len) < 0 || cm_enc_bytes(&b, TAG_OCSP_ITEM, item, len) < 0) {
			printf("ERROR: bad item hex\n");
			return EX_ERROR;
		}
	}
	if (cm_enc_finish(&b) < 0 || (fd = raw_connect(sock)) < 0)
		return EX_ERROR;
	if (cm_write_full(fd, b.data, b.len, timeout_ms) < 0) {
		printf("DROPPED\n");
		close(fd);
		return EX_DROPPED;
	}
	enum cm_rf rf = cm_read_frame(fd, timeout_ms, &h, &p, err, sizeof(err));
	if (rf == CM_RF_EOF || (rf == CM_RF_IOERR && errno == ECONNRESET)) {
		printf("DROPPED\n");
		rc = EX_DROPPED;
	} else if (rf != CM_RF_OK) {
		printf("ERROR: %s\n", err);
	} else {
		struct cm_msg *m = malloc(sizeof(*m));
		enum cm_msg_kind kind = h.op == OP_REPLY_ERR ? CM_MSG_REPLY_ERR : CM_MSG_REPLY_OK;
		if (m && cm_msg_decode(OP_OCSP_SIGN, kind, p, h.payload_len, m, err, sizeof(err)) == 0) {
			const struct cm_field *f = cm_msg_get(m, TAG_REASON);
			if (h.op == OP_REPLY_ERR) {
				printf("REFUSED: %.*s\n", (int)f->len, (const char *)f->val);
				rc = EX_REFUSED;
			} else {
				printf("OK\n");
				rc = EX_OK;
			}
		} else {
			printf("ERROR: malformed reply: %s\n", err);
		}
		free(m);
	}
	free(p);
	close(fd);
	cm_buf_free(&b);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *prefix = NULL;
	unsigned char nonce[CM_OCSP_MAX_NONCE + 8], serials[MAX_SPECS][64];
	struct cm_signer_ocsp_single singles[MAX_SPECS];
	size_t nonce_len = 0;
	long nitems = 1;
	int timeout_ms = 10000, opt, raw = 0, nonce_given = 0;

	while ((opt = getopt(argc, argv, "s:t:n:N:o:x")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'n':
			if (unhex(optarg, nonce, sizeof(nonce), &nonce_len) < 0)
				usage();
			nonce_given = 1;
			break;
		case 'N': nitems = atol(optarg); break;
		case 'o': prefix = optarg; break;
		case 'x': raw = 1; break;
		default: usage();
		}
	}
	if (sock == NULL || optind >= argc)
		usage();
	if (raw)
		return raw_items(sock, argv + optind, argc - optind, timeout_ms);
	int ns = argc - optind;
	if (ns > MAX_SPECS || nitems < 0 || nitems > 100000)
		usage();
	for (int i = 0; i < ns; i++)
		if (parse_single(argv[optind + i], &singles[i], serials[i]) < 0)
			usage();
	struct cm_signer_ocsp_item *items = calloc((size_t)(nitems ? nitems : 1), sizeof(*items));
	if (items == NULL)
		return EX_ERROR;
	for (long i = 0; i < nitems; i++) {
		items[i].nonce = nonce_given ? nonce : NULL;
		items[i].nonce_len = nonce_len;
		items[i].singles = singles;
		items[i].nsingles = (size_t)ns;
	}
	struct cm_signer *s = NULL;
	struct cm_signer_ocsp_reply r;
	char err[512];
	int rc = cm_signer_connect(&s, sock, timeout_ms, err, sizeof(err));
	if (rc == CM_SIGNER_OK)
		rc = cm_signer_ocsp_sign(s, items, (size_t)nitems, &r, err, sizeof(err));
	cm_signer_close(s);
	free(items);
	if (rc == CM_SIGNER_REFUSED) {
		printf("REFUSED: %s\n", err);
		return EX_REFUSED;
	}
	if (rc != CM_SIGNER_OK) {
		/* A uid without any right is closed at connect, before any reply. */
		if (strstr(err, "closed the connection") || strstr(err, "reset") || strstr(err, "Broken pipe")) {
			printf("DROPPED: %s\n", err);
			return EX_DROPPED;
		}
		printf("ERROR: %s: %s\n", cm_signer_outcome_name(rc), err);
		return EX_ERROR;
	}
	for (size_t i = 0; prefix && i < r.n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s.%zu.der", prefix, i);
		FILE *f = fopen(path, "wb");
		if (f == NULL || fwrite(r.resp[i].der, 1, r.resp[i].len, f) != r.resp[i].len || fclose(f) != 0) {
			printf("ERROR: %s: %s\n", path, strerror(errno));
			return EX_ERROR;
		}
	}
	printf("OK items=%zu this=%lld next=%lld\n", r.n, (long long)r.this_update, (long long)r.next_update);
	cm_signer_ocsp_reply_free(&r);
	return EX_OK;
}
