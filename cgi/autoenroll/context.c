/* context.c: what every part of autoenroll.fcgi shares: how a refusal is noted, and the signer connection of a request. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "autoenroll.h"
#include "log.h"

/* Always -1; see autoenroll.h. */
int
aed_fail(struct aed_req *r, int code, int http_status, const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	r->http_status = http_status;
	r->result = NULL;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	/* The detail quotes what the client sent (a CN, an e-mail): one log
	 * line stays one line. */
	for (char *p = r->detail; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

/* NULL when signerd cannot be reached (logged); see autoenroll.h. */
struct cm_signer *
aed_signer(struct aed_req *r)
{
	char err[256];
	const struct cm_settings *s = &r->w->app->settings;

	if (r->sg == NULL && cm_signer_connect(&r->sg, s->signer_socket, (int)s->signer_timeout_ms,
	    err, sizeof(err)) != CM_SIGNER_OK) {
		cm_err("autoenroll: signerd cannot be reached: %s", err);
		r->sg = NULL;
	}
	return r->sg;
}


/* Milliseconds on the monotonic clock (for the log line's timings). */
long
aed_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
