/* scep_probe.c: drives signerd's SCEP ops (scep-decrypt, scep-certrep, the RA certificate of ca-chain) through the client functions, for tests/integration/31-signer-scep.sh. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signer_proto.h"
#include "signer_client.h"

/* Exit codes the test relies on. */
enum { EX_OK = 0, EX_ERROR = 1, EX_REFUSED = 2 };

/* Prints the usage and exits 1. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: scep-probe -s SOCKET [-T TIMEOUT_MS] decrypt ENVELOPE_DER [CONTENT_OUT]\n"
	    "       scep-probe -s SOCKET ra-cert OUT_DER\n"
	    "       scep-probe -s SOCKET certrep -S success|failure|pending|N -t TRANSACTION_ID\n"
	    "           [-f FAILINFO] [-n NONCE_HEX] [-d DIGEST] [-c CIPHER] [-r RECIPIENT.pem]\n"
	    "           [-C CERT.pem]... [-L CRL(.pem|.der)] -o OUT_DER\n"
	    "prints OK ... / REFUSED: reason / ERROR: ...; exits 0 / 2 / 1\n");
	exit(EX_ERROR);
}

/* The whole file into b: 0 / -1. */
static int
slurp(const char *path, struct cm_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (cm_buf_append(b, chunk, n) < 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

/* Writes n bytes to path: 0 / -1. */
static int
spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* A certificate file (PEM or DER) as DER: malloc'ed, or NULL. */
static unsigned char *
cert_der(const char *path, size_t *len)
{
	struct cm_buf b;
	X509 *x = NULL;
	unsigned char *der = NULL, *out = NULL;
	cm_buf_init(&b, 0);
	if (slurp(path, &b) < 0 || b.len == 0)
		goto out;
	BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		/* Not PEM: taken as DER bytes, whatever they are (hostile tests). */
		out = malloc(b.len);
		if (out) {
			memcpy(out, b.data, b.len);
			*len = b.len;
		}
		goto out;
	}
	int n = i2d_X509(x, &der);
	if (n > 0 && (out = malloc((size_t)n)) != NULL) {
		memcpy(out, der, (size_t)n);
		*len = (size_t)n;
	}
out:
	OPENSSL_free(der);
	X509_free(x);
	cm_buf_free(&b);
	return out;
}

/* A CRL file (PEM or DER) as DER: malloc'ed, or NULL. */
static unsigned char *
crl_der(const char *path, size_t *len)
{
	struct cm_buf b;
	X509_CRL *c = NULL;
	unsigned char *der = NULL, *out = NULL;
	cm_buf_init(&b, 0);
	if (slurp(path, &b) < 0 || b.len == 0)
		goto out;
	BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
	c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (c == NULL) {
		out = malloc(b.len);
		if (out) {
			memcpy(out, b.data, b.len);
			*len = b.len;
		}
		goto out;
	}
	int n = i2d_X509_CRL(c, &der);
	if (n > 0 && (out = malloc((size_t)n)) != NULL) {
		memcpy(out, der, (size_t)n);
		*len = (size_t)n;
	}
out:
	OPENSSL_free(der);
	X509_CRL_free(c);
	cm_buf_free(&b);
	return out;
}

/* Prints a failed call's line; the exit code for it. */
static int
outcome(int r, const char *err)
{
	if (r == CM_SIGNER_REFUSED) {
		printf("REFUSED: %s\n", err);
		return EX_REFUSED;
	}
	printf("ERROR: %s: %s\n", cm_signer_outcome_name(r), err);
	return EX_ERROR;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	int timeout = 10000, opt;
	char err[512];

	while ((opt = getopt(argc, argv, "+s:T:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'T': timeout = atoi(optarg); break;
		default: usage();
		}
	}
	if (sock == NULL || optind >= argc)
		usage();
	const char *cmd = argv[optind++];
	struct cm_signer *s = NULL;
	if (cm_signer_connect(&s, sock, timeout, err, sizeof(err)) != CM_SIGNER_OK) {
		printf("ERROR: %s\n", err);
		return EX_ERROR;
	}
	int rc = EX_ERROR, r;
	struct cm_buf in, out;
	cm_buf_init(&in, 0);
	cm_buf_init(&out, 0);

	if (strcmp(cmd, "decrypt") == 0) {
		char cipher[32];
		if (optind >= argc || slurp(argv[optind], &in) < 0)
			usage();
		r = cm_signer_scep_decrypt(s, (const unsigned char *)in.data, in.len, &out, cipher, sizeof(cipher),
		    err, sizeof(err));
		if (r != CM_SIGNER_OK) {
			rc = outcome(r, err);
			goto done;
		}
		if (optind + 1 < argc && spit(argv[optind + 1], out.data, out.len) < 0) {
			printf("ERROR: writing %s\n", argv[optind + 1]);
			goto done;
		}
		printf("OK cipher=%s bytes=%zu\n", cipher, out.len);
		rc = EX_OK;
	} else if (strcmp(cmd, "ra-cert") == 0) {
		if (optind >= argc)
			usage();
		r = cm_signer_scep_ra_cert(s, &out, err, sizeof(err));
		if (r != CM_SIGNER_OK) {
			rc = outcome(r, err);
			goto done;
		}
		if (spit(argv[optind], out.data, out.len) < 0) {
			printf("ERROR: writing %s\n", argv[optind]);
			goto done;
		}
		printf("OK bytes=%zu\n", out.len);
		rc = EX_OK;
	} else if (strcmp(cmd, "certrep") == 0) {
		struct cm_signer_scep_certrep_req req;
		unsigned char *certs[8] = { NULL }, nonce[CM_SCEP_NONCE_LEN], *crl = NULL, *rcpt = NULL;
		size_t lens[8] = { 0 }, ncerts = 0, rlen = 0, clen = 0;
		const char *outp = NULL;
		memset(&req, 0, sizeof(req));
		req.digest = "sha256";
		/* The command's own options: argv from the command on, the
		 * command standing where getopt expects the program name. */
		int sub = optind - 1;
		optind = 0;   /* glibc: start a new scan */
		while ((opt = getopt(argc - sub, argv + sub, "S:t:f:n:d:c:r:C:L:o:")) != -1) {
			switch (opt) {
			case 'S':
				req.pki_status = !strcmp(optarg, "success") ? CM_SCEP_SUCCESS :
				    !strcmp(optarg, "failure") ? CM_SCEP_FAILURE :
				    !strcmp(optarg, "pending") ? CM_SCEP_PENDING : (unsigned)atoi(optarg);
				break;
			case 't': req.transaction_id = optarg; break;
			case 'f': req.fail_info = (unsigned)atoi(optarg); break;
			case 'n':
				if (strlen(optarg) != 2 * CM_SCEP_NONCE_LEN)
					usage();
				for (int i = 0; i < CM_SCEP_NONCE_LEN; i++) {
					unsigned v;
					if (sscanf(optarg + 2 * i, "%2x", &v) != 1)
						usage();
					nonce[i] = (unsigned char)v;
				}
				req.recipient_nonce = nonce;
				break;
			case 'd': req.digest = optarg; break;
			case 'c': req.cipher = optarg; break;
			case 'r':
				if ((rcpt = cert_der(optarg, &rlen)) == NULL)
					usage();
				break;
			case 'C':
				if (ncerts == 8 || (certs[ncerts] = cert_der(optarg, &lens[ncerts])) == NULL)
					usage();
				ncerts++;
				break;
			case 'L':
				if ((crl = crl_der(optarg, &clen)) == NULL)
					usage();
				break;
			case 'o': outp = optarg; break;
			default: usage();
			}
		}
		if (outp == NULL)
			usage();
		req.recipient_cert = rcpt;
		req.recipient_cert_len = rlen;
		req.certs = (const unsigned char *const *)certs;
		req.cert_lens = lens;
		req.ncerts = ncerts;
		req.crl = crl;
		req.crl_len = clen;
		r = cm_signer_scep_certrep(s, &req, &out, err, sizeof(err));
		if (r != CM_SIGNER_OK) {
			rc = outcome(r, err);
		} else if (spit(outp, out.data, out.len) < 0) {
			printf("ERROR: writing %s\n", outp);
		} else {
			printf("OK bytes=%zu\n", out.len);
			rc = EX_OK;
		}
		for (size_t i = 0; i < ncerts; i++)
			free(certs[i]);
		free(rcpt);
		free(crl);
	} else {
		usage();
	}
done:
	cm_buf_free(&in);
	cm_buf_free(&out);
	cm_signer_close(s);
	return rc;
}
