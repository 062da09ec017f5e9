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

/* The request's connection, made on first use; NULL when signerd cannot
 * be reached (logged). */
struct cm_signer *
scepd_signer(struct scep_req *r)
{
	char err[256];
	const struct cm_settings *s = &r->d->app->settings;

	if (r->sg == NULL && cm_signer_connect(&r->sg, s->signer_socket, (int)s->signer_timeout_ms,
	    err, sizeof(err)) != CM_SIGNER_OK) {
		cm_err("SCEP: signerd cannot be reached: %s", err);
		r->sg = NULL;
	}
	return r->sg;
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
