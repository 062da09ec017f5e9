/* context.c: what every part of scep.fcgi shares: the signer connection of a request, the worker's copy of the RA and CA certificates, and how a refusal is noted. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "log.h"
#include "scepd.h"
#include "x509util.h"

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The request's connection: the worker's kept one when it is recent and
 * still usable, else a new one; NULL when signerd cannot be reached
 * (logged). */
struct cm_signer *
scepd_signer(struct scep_req *r)
{
	char err[256];
	struct scepd *d = r->d;
	const struct cm_settings *s = &d->app->settings;

	if (r->sg != NULL && cm_signer_usable(r->sg))
		return r->sg;
	/* A connection a failure closed during this request, or one the
	 * signer may be closing (idle): a new one. A request is only ever sent
	 * on a connection nothing is pending on, so no reply is mixed up. */
	if (d->sg != NULL && (!cm_signer_usable(d->sg) || mono_ms() - d->sg_used_ms > SCEPD_SIGNER_IDLE_MS)) {
		cm_signer_close(d->sg);
		d->sg = NULL;
	}
	if (d->sg == NULL && cm_signer_connect(&d->sg, s->signer_socket, (int)s->signer_timeout_ms,
	    err, sizeof(err)) != CM_SIGNER_OK) {
		cm_err("SCEP: signerd cannot be reached: %s", err);
		d->sg = NULL;
	}
	r->sg = d->sg;
	return r->sg;
}

/* No return value. */
void
scepd_signer_release(struct scep_req *r)
{
	if (r->sg != NULL)
		r->d->sg_used_ms = mono_ms();
	r->sg = NULL;
}

/* No return value. */
void
scepd_fail(struct scep_answer *a, unsigned fail_info, const char *rule, const char *fmt, ...)
{
	va_list ap;

	a->status = CM_SCEP_FAILURE;
	a->fail_info = fail_info;
	a->rule = rule;
	va_start(ap, fmt);
	vsnprintf(a->why, sizeof(a->why), fmt, ap);
	va_end(ap);
}

/* 0 / -1; see scepd.h. */
int
scepd_ca_refresh(struct scep_req *r, int fresh)
{
	struct scepd *d = r->d;
	struct cm_signer *sg;
	struct cm_buf ra, pem;
	STACK_OF(X509) *chain = NULL;
	char err[256];
	int rc = -1;

	if (!fresh && d->issuing_x && d->ra.len && time(NULL) - d->ca_at < SCEPD_CA_CACHE_SECONDS)
		return 0;
	if ((sg = scepd_signer(r)) == NULL)
		return -1;
	cm_buf_init(&ra, 0);
	cm_buf_init(&pem, 0);
	if (cm_signer_scep_ra_cert(sg, &ra, err, sizeof(err)) != CM_SIGNER_OK) {
		cm_err("SCEP: no RA certificate from signerd: %s", err);
		goto out;
	}
	if (cm_signer_ca_chain(sg, &pem, err, sizeof(err)) != CM_SIGNER_OK ||
	    cm_certs_load_pem(pem.data, pem.len, &chain, err, sizeof(err)) < 0 || sk_X509_num(chain) < 1) {
		cm_err("SCEP: no CA chain from signerd: %s", err);
		goto out;
	}
	/* issuing CA first, then the root */
	cm_buf_reset(&d->ra);
	cm_buf_reset(&d->issuing);
	cm_buf_reset(&d->root);
	X509_free(d->issuing_x);
	d->issuing_x = X509_dup(sk_X509_value(chain, 0));
	if (d->issuing_x == NULL || cm_buf_append(&d->ra, ra.data, ra.len) < 0 ||
	    cm_cert_der(sk_X509_value(chain, 0), &d->issuing) < 0 ||
	    (sk_X509_num(chain) > 1 && cm_cert_der(sk_X509_value(chain, 1), &d->root) < 0)) {
		cm_err("SCEP: out of memory keeping the CA certificates");
		cm_buf_reset(&d->ra);
		goto out;
	}
	d->ca_at = time(NULL);
	rc = 0;
out:
	sk_X509_pop_free(chain, X509_free);
	cm_buf_free(&ra);
	cm_buf_free(&pem);
	return rc;
}
