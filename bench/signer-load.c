/* signer-load.c: load generator for bench/issue and bench/ocsp: N connections issuing certificates through signerd for a fixed time or a fixed count. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signer_client.h"

struct worker {
	pthread_t t;
	const char *sock;
	const char *profile;
	const unsigned char *der;
	size_t len;
	double until;
	long *left;               /* shared count still to issue (-n), or NULL */
	long done;
	long failed;
	char err[256];
};

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	struct cm_signer *s = NULL;
	if (cm_signer_connect(&s, w->sock, 30000, w->err, sizeof(w->err)) != 0) {
		w->failed++;
		return NULL;
	}
	struct cm_signer_issue_req req = { .profile = w->profile, .csr_der = w->der, .csr_len = w->len };
	while (now() < w->until) {
		struct cm_signer_issue_reply res;
		if (w->left && __atomic_sub_fetch(w->left, 1, __ATOMIC_RELAXED) < 0)
			break;
		if (cm_signer_issue(s, &req, &res, w->err, sizeof(w->err)) != 0) {
			w->failed++;
			break;
		}
		cm_signer_issue_reply_free(&res);
		w->done++;
	}
	cm_signer_close(s);
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *csr = NULL, *profile = "tls-server";
	int conc = 1, opt;
	double secs = 5;
	long count = 0;

	while ((opt = getopt(argc, argv, "s:r:p:c:T:n:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'r': csr = optarg; break;
		case 'p': profile = optarg; break;
		case 'c': conc = atoi(optarg); break;
		case 'T': secs = atof(optarg); break;
		case 'n': count = atol(optarg); secs = 1e9; break;
		default: goto usage;
		}
	}
	if (sock == NULL || csr == NULL || conc < 1 || conc > 256 || secs <= 0 || count < 0)
		goto usage;
	FILE *f = fopen(csr, "r");
	X509_REQ *req = f ? PEM_read_X509_REQ(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	unsigned char *der = NULL;
	int len = req ? i2d_X509_REQ(req, &der) : -1;
	X509_REQ_free(req);
	if (len <= 0) {
		fprintf(stderr, "signer-load: cannot read CSR %s\n", csr);
		return 1;
	}
	struct worker *w = calloc((size_t)conc, sizeof(*w));
	double start = now();
	for (int i = 0; i < conc; i++) {
		w[i] = (struct worker){ .sock = sock, .profile = profile, .der = der, .len = (size_t)len, .until = start + secs,
		    .left = count > 0 ? &count : NULL };
		pthread_create(&w[i].t, NULL, run, &w[i]);
	}
	long done = 0, failed = 0;
	for (int i = 0; i < conc; i++) {
		pthread_join(w[i].t, NULL);
		done += w[i].done;
		failed += w[i].failed;
		if (w[i].failed)
			fprintf(stderr, "signer-load: worker %d: %s\n", i, w[i].err);
	}
	double el = now() - start;
	printf("concurrency=%d certs=%ld failed=%ld seconds=%.2f rate=%.1f\n", conc, done, failed, el, done / el);
	OPENSSL_free(der);
	free(w);
	return failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: signer-load -s SOCKET -r CSR.pem [-p PROFILE] [-c CONCURRENCY] [-T SECONDS | -n COUNT]\n");
	return 2;
}
