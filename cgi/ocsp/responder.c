/* responder.c: one OCSP request through ocsp.fcgi: the two routes, the body, the parse, the store (fast path) or a live answer, and the HTTP headers. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"
#include "ocspd.h"

/* A POST body or GET path beyond CM_OCSP_REQ_MAX is malformed; a body up
 * to this size is still read (and dropped) so that Apache, which may be
 * sending it, sees an answer rather than a broken pipe. */
#define BODY_DRAIN_MAX (1024 * 1024)
/* A body must arrive within this long: a slow client cannot hold a worker. */
#define BODY_TIMEOUT_MS 2000

static struct ocspd ocspd = { .store_fd = -1 };

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
start(struct ocspd *d, struct cm_web_app *app)
{
	struct sigaction sa;

	d->app = app;
	d->started = 1;
	d->started_wall = time(NULL);
	/* No SA_RESTART: the alarm interrupts a body read that takes too long. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

static void
arm(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* The unsigned OCSPResponse of an error status (RFC 6960 4.2.1: only the
 * status, no responseBytes), logged with why. */
static void
send_status(struct cm_request *req, struct cm_response *resp, int status, const char *why)
{
	unsigned char der[5] = { 0x30, 0x03, 0x0a, 0x01, (unsigned char)status };
	static const char *const names[] = { "successful", "malformedRequest", "internalError",
		"tryLater", "?", "sigRequired", "unauthorized" };

	cm_info("OCSP %s for %s: %s", names[status < 7 ? status : 4],
	    req->remote_addr && *req->remote_addr ? req->remote_addr : "-", why);
	resp->status = 200;
	cm_resp_content_type(resp, "application/ocsp-response");
	cm_resp_header(resp, "Cache-Control", "no-cache, no-store");
	cm_resp_write(resp, der, sizeof(der));
}

/* 404/405/400 outside the protocol: plain text, never a page. */
static void
send_plain(struct cm_response *resp, int code, const char *msg)
{
	resp->status = code;
	cm_resp_content_type(resp, "text/plain; charset=utf-8");
	if (code == 405)
		cm_resp_header(resp, "Allow", "GET, HEAD, POST");
	cm_resp_puts(resp, msg);
}

/* Reads the POST body into buf (cap bytes) within BODY_TIMEOUT_MS: its
 * length, or -1 when it is empty, longer than cap, short, or too slow. */
static long
read_body(struct cm_request *req, unsigned char *buf, size_t cap)
{
	static char drain[16384];
	size_t want = req->content_length, got = 0;
	long rc = -1;

	if (req->rd == NULL || want == 0)
		return -1;
	arm(BODY_TIMEOUT_MS);
	if (want > cap) {
		/* Drop what Apache has already sent (up to BODY_DRAIN_MAX). */
		while (got < want && got < BODY_DRAIN_MAX) {
			size_t n = want - got < sizeof(drain) ? want - got : sizeof(drain);
			ssize_t r = req->rd(req->rdctx, drain, n);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		goto out;
	}
	while (got < want) {
		ssize_t r = req->rd(req->rdctx, (char *)buf + got, want - got);
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	rc = (long)got;
out:
	arm(0);
	req->body_done = 1;
	return rc;
}

static void
http_date(char *out, size_t len, time_t t)
{
	struct tm tm;

	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&t, &tm));
}

/* The successful answer: the DER, and for GET the RFC 5019 6.2 caching
 * headers (a nonce makes an answer for one request only: not cacheable). */
static void
send_answer(struct cm_response *resp, const struct ocspd_answer *a, int get,
    const struct cm_ocsp_request *rq)
{
	char v[128];
	time_t now = time(NULL);

	resp->status = 200;
	cm_resp_content_type(resp, "application/ocsp-response");
	if (rq->nonce_len) {
		cm_resp_header(resp, "Cache-Control", "no-cache, no-store");
	} else if (get) {
		long age = a->next_update > now ? (long)(a->next_update - now) : 0;
		snprintf(v, sizeof(v), "max-age=%ld, public, no-transform, must-revalidate", age);
		cm_resp_header(resp, "Cache-Control", v);
		http_date(v, sizeof(v), a->this_update);
		cm_resp_header(resp, "Last-Modified", v);
		http_date(v, sizeof(v), a->next_update);
		cm_resp_header(resp, "Expires", v);
		snprintf(v, sizeof(v), "\"%s-%zu-%llx\"", rq->singles[0].serial_hex[0] ?
		    rq->singles[0].serial_hex : "x", rq->nsingles, (unsigned long long)a->this_update);
		cm_resp_header(resp, "ETag", v);
	}
	cm_resp_write(resp, a->der, a->len);
}

/* 1 when the path is /ocsp or under it, else 0. */
static int
is_ocsp(const char *p)
{
	return p && strncmp(p, "/ocsp", 5) == 0 && (p[5] == '\0' || p[5] == '/' || p[5] == '?');
}

/* The FastCGI handler (the program's serve hook). */
void
ocspd_serve(void *appv, struct cm_request *req, int parse_status, struct cm_response *resp)
{
	struct ocspd *d = &ocspd;
	unsigned char der[CM_OCSP_REQ_MAX];
	struct cm_ocsp_request rq;
	struct ocspd_answer ans;
	const char *uri = cm_req_env(req, "REQUEST_URI");
	const char *method = req->method;
	long len;
	int get, st;

	if (!d->started)
		start(d, appv);
	memset(&ans, 0, sizeof(ans));
	if (parse_status != 0) {
		if (is_ocsp(uri)) {
			send_status(req, resp, OCSPD_MALFORMED, req->error);
			return;
		}
		send_plain(resp, parse_status, "The request could not be read.\n");
		return;
	}
	if (!is_ocsp(uri) || !is_ocsp(req->path)) {
		send_plain(resp, 404, "Not found: this program answers OCSP at /ocsp only.\n");
		return;
	}
	get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (strcmp(method, "POST") == 0 && strcmp(req->path, "/ocsp") == 0) {
		len = read_body(req, der, sizeof(der));
		if (len < 0) {
			char why[96];
			snprintf(why, sizeof(why), "a body of %zu bytes (1 to %d taken, within %d ms)",
			    req->content_length, CM_OCSP_REQ_MAX, BODY_TIMEOUT_MS);
			send_status(req, resp, OCSPD_MALFORMED, why);
			return;
		}
	} else if (get) {
		/* The raw URL: base64 may hold '/' (sent as is or as %2F) and
		 * '+', which the decoded path would not keep apart. */
		const char *b = uri + 5;
		size_t n;
		if (*b == '/')
			b++;
		n = strcspn(b, "?#");
		if (n == 0 || n > CM_OCSP_REQ_MAX ||
		    (len = cm_ocsp_request_from_url(b, n, der, sizeof(der))) <= 0) {
			send_status(req, resp, OCSPD_MALFORMED, "the GET path is not the base64 of a request");
			return;
		}
	} else {
		send_plain(resp, 405, "OCSP takes POST /ocsp or GET /ocsp/<request>.\n");
		return;
	}
	if (cm_ocsp_request_parse(der, (size_t)len, &rq) < 0) {
		send_status(req, resp, OCSPD_MALFORMED, "not one DER OCSPRequest of 1 to 16 CertIDs");
		return;
	}
	if (ocspd_revocations_tick(d))
		ocspd_cache_drop_revoked(d);
	if (ocspd_issuer_refresh(d) < 0) {
		send_status(req, resp, OCSPD_INTERNAL_ERROR, "the issuing CA certificate is not available");
		return;
	}
	for (size_t i = 0; i < rq.nsingles; i++) {
		if (!ocspd_issuer_matches(d, &rq.singles[i]) || rq.singles[i].serial_len == 0) {
			send_status(req, resp, OCSPD_UNAUTHORIZED,
			    "a CertID of another issuer, hash algorithm or serial form");
			return;
		}
	}
	/* The fast path: what certmint ocsp refresh signed, when nothing since
	 * could have changed it. */
	if (rq.nsingles == 1 && rq.nonce_len == 0 && rq.singles[0].hash == CM_OCSP_HASH_SHA1 &&
	    rq.singles[0].serial_hex[0] && ocspd_store_usable(d, rq.singles[0].serial_hex)) {
		struct cm_ocsp_stored e;
		int r = cm_ocsp_store_get(d->store_fd, rq.singles[0].serial_hex, d->filebuf,
		    sizeof(d->filebuf), &e);
		if (r == 1 && e.next_update >= time(NULL) + OCSPD_FRESH_MARGIN) {
			ans.der = e.der;
			ans.len = e.der_len;
			ans.this_update = e.this_update;
			ans.next_update = e.next_update;
			send_answer(resp, &ans, get, &rq);
			return;
		}
		if (r < 0)
			cm_warn("OCSP store file %s: %s (answering live)", rq.singles[0].serial_hex,
			    strerror(errno));
	}
	st = ocspd_live(d, &rq, &ans);
	if (st != OCSPD_SUCCESSFUL) {
		send_status(req, resp, st, st == OCSPD_TRY_LATER ?
		    "the database or signerd cannot answer now (or the live signing budget is spent)" :
		    "signerd refused or failed the live answer");
		return;
	}
	send_answer(resp, &ans, get, &rq);
	free(ans.owned);
}
