/* signer_probe.c: talks to a real signerd, through the client library or as raw frames, for the integration tests. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signer_proto.h"
#include "signer_client.h"

#define CM_AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Exit codes the tests rely on. */
enum { EX_OK = 0, EX_ERROR = 1, EX_REFUSED = 2, EX_DROPPED = 3 };

static void
usage(void)
{
	fprintf(stderr,
	    "usage: signer-probe -s SOCKET [-t TIMEOUT_MS] COMMAND\n"
	    "  chain                                   print the CA chain\n"
	    "  ca-init -k KEYTYPE -R ROOT_DN -I ISSUING_DN [-D ROOT_DAYS] [-E ISSUING_DAYS] [-N]\n"
	    "                                          (-N: name-constrained issuing CA)\n"
	    "  issue -p PROFILE -r CSR [-d DAYS] [-e EKU]... [-n SAN]... [-S DN] [-C] [-o CERT.pem]\n"
	    "  multi N                                 N chain requests on one connection\n"
	    "  raw-op OP                               a frame with op OP (number or name) and no fields\n"
	    "  extra-field -r CSR                      an issue frame that also carries a passphrase,\n"
	    "                                          then a ca-chain on the same connection\n"
	    "  chain-with-field                        a ca-chain frame carrying a profile field,\n"
	    "                                          then a plain ca-chain on the same connection\n"
	    "  oversize                                a header announcing a payload over the limit\n"
	    "  bad-version                             a header with protocol version 9\n"
	    "  bad-fields                              an issue frame whose fields are truncated\n"
	    "  idle                                    connect, send nothing, report when dropped\n"
	    "  checkpoint ID:HASH                      a raw audit-checkpoint frame (record mode),\n"
	    "                                          then a ca-chain on the same connection\n"
	    "  checkpoint-mixed                        an audit-checkpoint frame mixing record and\n"
	    "                                          list fields\n"
	    "prints OK / REFUSED: reason / DROPPED (then SERVING when the connection still\n"
	    "answers); exits 0 / 2 / 3 (1 on local errors)\n");
	exit(EX_ERROR);
}

static int
read_csr_der(const char *path, unsigned char **der, size_t *len)
{
	FILE *f = fopen(path, "rb");
	X509_REQ *req = NULL;
	if (f == NULL) {
		fprintf(stderr, "ERROR: %s: %s\n", path, strerror(errno));
		return -1;
	}
	req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
	if (req == NULL) {
		rewind(f);
		req = d2i_X509_REQ_fp(f, NULL);
	}
	fclose(f);
	if (req == NULL) {
		fprintf(stderr, "ERROR: %s is not a CSR\n", path);
		return -1;
	}
	*der = NULL;
	int n = i2d_X509_REQ(req, der);
	X509_REQ_free(req);
	if (n <= 0)
		return -1;
	*len = (size_t)n;
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
		fprintf(stderr, "ERROR: connect %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Reads what the signer answers to a raw frame of op and reports it. */
static int
raw_outcome(int fd, int timeout_ms, unsigned op)
{
	struct cm_frame_hdr h;
	unsigned char *payload = NULL;
	char err[256];
	int rc = EX_ERROR;

	enum cm_rf rf = cm_read_frame(fd, timeout_ms, &h, &payload, err, sizeof(err));
	/* A peer that closes with unread data in its buffer makes the kernel
	 * send a reset, so a drop can read as EOF or as ECONNRESET (errno may
	 * not survive the error formatting: look at the message too). */
	if (rf == CM_RF_EOF || (rf == CM_RF_IOERR && (errno == ECONNRESET || errno == EPROTO ||
	    strstr(err, "reset") != NULL || strstr(err, "Broken pipe") != NULL))) {
		printf("DROPPED\n");
		return EX_DROPPED;
	}
	if (rf != CM_RF_OK) {
		printf("ERROR: %s\n", err);
		return EX_ERROR;
	}
	struct cm_msg *m = malloc(sizeof(*m));
	enum cm_msg_kind kind = h.op == OP_REPLY_ERR ? CM_MSG_REPLY_ERR : CM_MSG_REPLY_OK;
	if (m && h.op != OP_REPLY_OK && h.op != OP_REPLY_ERR) {
		printf("ERROR: reply with op %u\n", (unsigned)h.op);
	} else if (m && cm_msg_decode(op, kind, payload, h.payload_len, m, err, sizeof(err)) == 0) {
		if (h.op == OP_REPLY_ERR) {
			const struct cm_field *f = cm_msg_get(m, TAG_REASON);
			printf("REFUSED: %.*s\n", (int)f->len, (const char *)f->val);
			rc = EX_REFUSED;
		} else {
			printf("OK op=%u\n", (unsigned)h.op);
			rc = EX_OK;
		}
	} else if (m) {
		printf("ERROR: malformed reply: %s\n", err);
	}
	free(m);
	free(payload);
	/* After a refusal, tell whether the signer also hung up; a connection
	 * kept open just stays silent until the (short) timeout. */
	if (rc == EX_REFUSED) {
		rf = cm_read_frame(fd, 1000, &h, &payload, err, sizeof(err));
		if (rf == CM_RF_EOF || (rf == CM_RF_IOERR && strstr(err, "timed out") == NULL))
			printf("DROPPED\n");
		free(payload);
	}
	return rc;
}

/* Sends a plain ca-chain on fd and prints SERVING when it is answered OK. */
static void
still_serving(int fd, int timeout_ms)
{
	struct cm_buf b;
	cm_buf_init(&b, 0);
	if (cm_enc_begin(&b, OP_CA_CHAIN, 46) == 0 && cm_enc_finish(&b) == 0 &&
	    cm_write_full(fd, b.data, b.len, timeout_ms) == 0) {
		struct cm_frame_hdr h;
		unsigned char *payload = NULL;
		char err[256];
		if (cm_read_frame(fd, timeout_ms, &h, &payload, err, sizeof(err)) == CM_RF_OK &&
		    h.op == OP_REPLY_OK && h.request_id == 46)
			printf("SERVING\n");
		free(payload);
	}
	cm_buf_free(&b);
}

static int
raw(const char *sock, const char *what, const char *arg, const char *csr, int timeout_ms)
{
	struct cm_buf b;
	unsigned op = 0;
	int fd = raw_connect(sock), rc = EX_ERROR, then_chain = 0;
	if (fd < 0)
		return EX_ERROR;
	cm_buf_init(&b, 0);
	if (strcmp(what, "raw-op") == 0) {
		char *end;
		op = (unsigned)strtoul(arg, &end, 0);
		if (*end != '\0' || end == arg)
			op = cm_op_parse(arg);
		if (op == 0 || op > 0xffff)
			usage();
		cm_enc_begin(&b, (uint16_t)op, 42);
		cm_enc_finish(&b);
	} else if (strcmp(what, "oversize") == 0) {
		unsigned char h[CM_PROTO_HDR_LEN];
		struct cm_frame_hdr fh = { CM_PROTO_VERSION, OP_ISSUE, 43, CM_PROTO_MAX_FRAME + 1 };
		op = OP_ISSUE;
		cm_hdr_encode(h, &fh);
		cm_buf_append(&b, h, sizeof(h));
	} else if (strcmp(what, "bad-version") == 0) {
		unsigned char h[CM_PROTO_HDR_LEN];
		struct cm_frame_hdr fh = { 9, OP_CA_CHAIN, 44, 0 };
		op = OP_CA_CHAIN;
		cm_hdr_encode(h, &fh);
		cm_buf_append(&b, h, sizeof(h));
	} else if (strcmp(what, "bad-fields") == 0) {
		op = OP_ISSUE;
		cm_enc_begin(&b, OP_ISSUE, 45);
		cm_enc_str(&b, TAG_PROFILE, "tls-server");
		cm_enc_finish(&b);
		/* Claims 3 more payload bytes: a field header cut short. */
		unsigned char extra[3] = { 0, TAG_CSR_DER, 0 };
		cm_buf_append(&b, extra, sizeof(extra));
		uint32_t pl = (uint32_t)(b.len - CM_PROTO_HDR_LEN);
		unsigned char *p = (unsigned char *)b.data + 8;
		p[0] = (unsigned char)(pl >> 24); p[1] = (unsigned char)(pl >> 16);
		p[2] = (unsigned char)(pl >> 8); p[3] = (unsigned char)pl;
	} else if (strcmp(what, "extra-field") == 0) {
		/* A request the signer would grant but for one field issue does not use. */
		unsigned char *der = NULL;
		size_t len = 0;
		if (csr == NULL || read_csr_der(csr, &der, &len) < 0)
			usage();
		op = OP_ISSUE;
		cm_enc_begin(&b, OP_ISSUE, 47);
		cm_enc_str(&b, TAG_PROFILE, "tls-server");
		cm_enc_bytes(&b, TAG_CSR_DER, der, len);
		cm_enc_str(&b, TAG_PASSPHRASE, "not-for-issue");
		cm_enc_finish(&b);
		OPENSSL_free(der);
		then_chain = 1;
	} else if (strcmp(what, "chain-with-field") == 0) {
		op = OP_CA_CHAIN;
		cm_enc_begin(&b, OP_CA_CHAIN, 48);
		cm_enc_str(&b, TAG_PROFILE, "tls-server");
		cm_enc_finish(&b);
		then_chain = 1;
	} else if (strcmp(what, "checkpoint") == 0 || strcmp(what, "checkpoint-mixed") == 0) {
		const char *colon = strchr(arg, ':');
		op = OP_AUDIT_CHECKPOINT;
		cm_enc_begin(&b, OP_AUDIT_CHECKPOINT, 49);
		if (strcmp(what, "checkpoint") == 0) {
			if (colon == NULL)
				usage();
			cm_enc_bytes(&b, TAG_AUDIT_ID, arg, (size_t)(colon - arg));
			cm_enc_str(&b, TAG_AUDIT_HASH, colon + 1);
		} else {
			cm_enc_str(&b, TAG_AUDIT_ID, "1");
			cm_enc_str(&b, TAG_AUDIT_HASH, CM_AUDIT_ZERO_HASH);
			cm_enc_str(&b, TAG_CHECKPOINT_AFTER, "0");
		}
		cm_enc_finish(&b);
		then_chain = 1;
	} else if (strcmp(what, "idle") != 0) {
		usage();
	}
	if (b.len && cm_write_full(fd, b.data, b.len, timeout_ms) < 0) {
		printf("ERROR: write: %s\n", strerror(errno));
		goto out;
	}
	rc = raw_outcome(fd, timeout_ms, op);
	if (then_chain && rc == EX_REFUSED)
		still_serving(fd, timeout_ms);
out:
	cm_buf_free(&b);
	close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *profile = NULL, *csr = NULL, *subject = NULL, *outfile = NULL;
	const char *key_type = "ecdsa-p256", *root_dn = NULL, *iss_dn = NULL;
	const char *ekus[16], *sans[16];
	size_t nekus = 0, nsans = 0;
	long days = 0, root_days = 0, issuing_days = 0;
	int timeout_ms = 5000, ca = 0, name_constraints = 0, opt, rc = EX_ERROR;
	char err[512];
	struct cm_signer *s = NULL;

	while ((opt = getopt(argc, argv, "s:t:p:r:d:e:n:S:Co:k:R:I:D:E:N")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'p': profile = optarg; break;
		case 'r': csr = optarg; break;
		case 'd': days = atol(optarg); break;
		case 'e': if (nekus < 16) ekus[nekus++] = optarg; break;
		case 'n': if (nsans < 16) sans[nsans++] = optarg; break;
		case 'S': subject = optarg; break;
		case 'C': ca = 1; break;
		case 'o': outfile = optarg; break;
		case 'k': key_type = optarg; break;
		case 'R': root_dn = optarg; break;
		case 'I': iss_dn = optarg; break;
		case 'D': root_days = atol(optarg); break;
		case 'E': issuing_days = atol(optarg); break;
		case 'N': name_constraints = 1; break;
		default: usage();
		}
	}
	if (sock == NULL || optind >= argc)
		usage();
	const char *cmd = argv[optind];
	const char *arg = optind + 1 < argc ? argv[optind + 1] : "0";

	if (!strcmp(cmd, "raw-op") || !strcmp(cmd, "oversize") || !strcmp(cmd, "bad-version") ||
	    !strcmp(cmd, "bad-fields") || !strcmp(cmd, "extra-field") ||
	    !strcmp(cmd, "chain-with-field") || !strcmp(cmd, "idle") ||
	    !strcmp(cmd, "checkpoint") || !strcmp(cmd, "checkpoint-mixed"))
		return raw(sock, cmd, arg, csr, strcmp(cmd, "idle") ? timeout_ms : 120000);

	if (cm_signer_connect(&s, sock, timeout_ms, err, sizeof(err)) != 0) {
		printf("ERROR: %s\n", err);
		return EX_ERROR;
	}
	int r = -1;
	if (!strcmp(cmd, "chain") || !strcmp(cmd, "multi")) {
		int n = !strcmp(cmd, "multi") ? atoi(arg) : 1;
		struct cm_buf pem;
		cm_buf_init(&pem, 0);
		for (int i = 0; i < n; i++) {
			cm_buf_reset(&pem);
			r = cm_signer_ca_chain(s, &pem, err, sizeof(err));
			if (r != 0)
				break;
		}
		if (r == 0) {
			if (!strcmp(cmd, "chain"))
				fputs(pem.data, stdout);
			else
				printf("OK %d requests on one connection\n", n);
		}
		cm_buf_free(&pem);
	} else if (!strcmp(cmd, "ca-init")) {
		struct cm_ca_init_req req = { key_type, root_dn, iss_dn, root_days, issuing_days, name_constraints };
		r = cm_signer_ca_init(s, &req, err, sizeof(err));
		if (r == 0)
			printf("OK CA created\n");
	} else if (!strcmp(cmd, "issue")) {
		unsigned char *der = NULL;
		size_t len = 0;
		if (profile == NULL || csr == NULL || read_csr_der(csr, &der, &len) < 0) {
			cm_signer_close(s);
			usage();
		}
		struct cm_signer_issue_req req = {
			.profile = profile, .csr_der = der, .csr_len = len, .validity_days = days,
			.subject = subject, .sans = nsans ? sans : NULL, .nsans = nsans,
			.ekus = nekus ? ekus : NULL, .nekus = nekus, .ca = ca,
		};
		struct cm_signer_issue_reply res;
		r = cm_signer_issue(s, &req, &res, err, sizeof(err));
		OPENSSL_free(der);
		if (r == 0) {
			const unsigned char *p = res.der;
			X509 *x = d2i_X509(NULL, &p, (long)res.der_len);
			FILE *f = outfile ? fopen(outfile, "w") : stdout;
			if (x && f)
				PEM_write_X509(f, x);
			if (f && f != stdout)
				fclose(f);
			X509_free(x);
			printf("OK serial=%s\n", res.serial_hex);
			cm_signer_issue_reply_free(&res);
		}
	} else {
		cm_signer_close(s);
		usage();
	}
	if (r == 1) {
		printf("REFUSED: %s\n", err);
		rc = EX_REFUSED;
	} else if (r < 0) {
		int dropped = strstr(err, "closed the connection") != NULL ||
		    strstr(err, "Connection reset") != NULL;
		printf("%s: %s\n", dropped ? "DROPPED" : "ERROR", err);
		rc = dropped ? EX_DROPPED : EX_ERROR;
	} else {
		rc = EX_OK;
	}
	cm_signer_close(s);
	return rc;
}
