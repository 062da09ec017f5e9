/* serve.c: one HTTP request to scep.fcgi: the URL (customer, type), the operation, the body or the GET message, and the plain-text answers outside the protocol. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/crypto.h>

#include "log.h"
#include "ocsp_request.h"
#include "scepd.h"
#include "url.h"

static struct scepd scepd;

_Static_assert(sizeof(((struct scep_req *)0)->customer_uri) == sizeof(((struct scep_url *)0)->customer),
    "scep_req.customer_uri is url.h's customer");
_Static_assert(sizeof(((struct scep_req *)0)->type) == sizeof(((struct scep_url *)0)->type),
    "scep_req.type is url.h's type");
_Static_assert(SCEP_URL_MAX_QUERY > 3 * (CM_SCEP_MAX_MESSAGE / 3 * 4 + 4),
    "a query url.c scans holds any GET message pki_operation takes");

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
start(struct scepd *d, struct cm_web_app *app)
{
	struct sigaction sa;

	d->app = app;
	d->started = 1;
	cm_buf_init(&d->ra, 0);
	cm_buf_init(&d->issuing, 0);
	cm_buf_init(&d->root, 0);
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

/* Everything outside the protocol (404, 405, 400, 413, 503): one plain line. */
static void
send_plain(struct cm_response *resp, int code, const char *msg)
{
	resp->status = code;
	cm_resp_content_type(resp, "text/plain; charset=utf-8");
	if (code == 405)
		cm_resp_header(resp, "Allow", "GET, HEAD, POST");
	cm_resp_puts(resp, msg);
}

/* Reads the POST body into a new buffer of at most cap bytes within
 * SCEPD_BODY_TIMEOUT_MS: 0 with the buffer and its length, -2 when it is longer than cap,
 * -1 when it is empty, short or too slow. */
static int
read_body(struct cm_request *req, size_t cap, unsigned char **out, size_t *len)
{
	size_t want = req->content_length, got = 0;
	unsigned char *buf = NULL;
	int rc = -1;

	if (req->rd == NULL || want == 0)
		return -1;
	if (want > cap)
		return -2;
	if ((buf = malloc(want)) == NULL)
		return -1;
	arm(SCEPD_BODY_TIMEOUT_MS);
	while (got < want) {
		ssize_t n = req->rd(req->rdctx, (char *)buf + got, want - got);
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	arm(0);
	req->body_done = 1;
	free(buf);
	return rc;
}

/* The PKIOperation: the message from the body (POST) or message= (GET). */
static void
pki_operation(struct scep_req *r, struct cm_response *resp)
{
	struct cm_request *req = r->http;
	unsigned char *msg = NULL;
	size_t len = 0;
	struct cm_buf out;
	int st;

	cm_buf_init(&out, 0);
	if (strcmp(req->method, "POST") == 0) {
		int b = read_body(req, CM_SCEP_MAX_MESSAGE, &msg, &len);
		if (b == -2) {
			send_plain(resp, 413, "The SCEP message is larger than this server takes.\n");
			return;
		}
		if (b < 0) {
			send_plain(resp, 400, "The request has no SCEP message (an empty, short or slow body).\n");
			return;
		}
	} else {
		const char *v;
		size_t n;
		long got;
		if (req->query_string && strnlen(req->query_string, SCEP_URL_MAX_QUERY + 1) > SCEP_URL_MAX_QUERY) {
			send_plain(resp, 413, "The SCEP message is larger than this server takes.\n");
			return;
		}
		/* base64 is 4/3 of the message, and escapes make it longer. */
		if (!scep_url_raw_param(req->query_string, "message", &v, &n) || n == 0) {
			send_plain(resp, 400, "PKIOperation by GET needs message=<base64 of the pkiMessage>.\n");
			return;
		}
		if (n > 3 * (CM_SCEP_MAX_MESSAGE / 3 * 4 + 4) || (msg = malloc(CM_SCEP_MAX_MESSAGE)) == NULL) {
			send_plain(resp, 413, "The SCEP message is larger than this server takes.\n");
			return;
		}
		if ((got = cm_ocsp_request_from_url(v, n, msg, CM_SCEP_MAX_MESSAGE)) <= 0) {
			free(msg);
			send_plain(resp, 400, "message= is not the base64 of a SCEP message.\n");
			return;
		}
		len = (size_t)got;
	}
	st = scepd_pki_operation(r, msg, len, &out);
	free(msg);
	if (st == 200) {
		resp->status = 200;
		cm_resp_content_type(resp, "application/x-pki-message");
		cm_resp_write(resp, out.data, out.len);
	} else if (st == 400) {
		send_plain(resp, 400, out.len ? (const char *)out.data : "The SCEP message cannot be read.\n");
	} else {
		send_plain(resp, 500, "The server could not answer this SCEP request; try again later.\n");
	}
	cm_buf_free(&out);
}

/* The FastCGI handler (the program's serve hook). */
void
scepd_serve(void *appv, struct cm_request *req, int parse_status, struct cm_response *resp)
{
	struct scepd *d = &scepd;
	struct scep_req r;
	struct scep_url u;
	const char *op;
	int f;

	if (!d->started)
		start(d, appv);
	if (parse_status != 0) {
		send_plain(resp, parse_status, "The request could not be read.\n");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.http = req;
	r.addr = req->remote_addr && *req->remote_addr ? req->remote_addr : "-";
	cm_buf_init(&r.content, 0);
	if (!scep_url_scan((const char *const *)req->parts, req->nparts, &u)) {
		send_plain(resp, 404, "Not found: SCEP is at /customer/<customer>/scep/<type>/pkiclient.exe.\n");
		return;
	}
	/* scepd.h's fields are the url.h sizes (the assertions above). */
	memcpy(r.customer_uri, u.customer, sizeof(r.customer_uri));
	memcpy(r.type, u.type, sizeof(r.type));
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
	    strcmp(req->method, "POST") != 0) {
		send_plain(resp, 405, "SCEP takes GET and POST.\n");
		return;
	}
	if (cm_web_app_db(d->app, "SCEP") < 0) {
		send_plain(resp, 503, "The server cannot answer now; try again later.\n");
		return;
	}
	r.db = d->app->db;
	/* The same twenty-odd statements on every enrollment: prepared once
	 * per worker connection, not once per request. */
	cm_db_cache_statements(r.db);
	f = scepd_find_customer_type(&r, r.customer_uri, r.type);
	if (f < 0) {
		send_plain(resp, 503, "The server cannot answer now; try again later.\n");
		return;
	}
	if (f == 0) {
		send_plain(resp, 404, "Not found: no SCEP service of that customer and type.\n");
		return;
	}
	op = cm_req_query(req, "operation");
	if (op == NULL) {
		send_plain(resp, 400, "operation= is missing (GetCACaps, GetCACert or PKIOperation).\n");
	} else if (strcmp(op, "GetCACaps") == 0) {
		resp->status = 200;
		cm_resp_content_type(resp, "text/plain");
		cm_resp_puts(resp, cm_scep_caps());
	} else if (strcmp(op, "GetCACert") == 0) {
		struct cm_buf out;
		cm_buf_init(&out, 0);
		if (scepd_get_ca_cert(&r, &out) == 0) {
			resp->status = 200;
			cm_resp_content_type(resp, "application/x-x509-ca-ra-cert");
			cm_resp_write(resp, out.data, out.len);
		} else {
			send_plain(resp, 503, "The CA certificates are not available now; try again later.\n");
		}
		cm_buf_free(&out);
	} else if (strcmp(op, "PKIOperation") == 0) {
		pki_operation(&r, resp);
	} else if (strcmp(op, "GetNextCACert") == 0) {
		/* No rollover is announced: RFC 8894 3.5.3 lets a server without
		 * one answer with an error. */
		send_plain(resp, 404, "No next CA certificate is published.\n");
	} else {
		send_plain(resp, 400, "Unknown operation: use GetCACaps, GetCACert or PKIOperation.\n");
	}
	scepd_signer_release(&r);
	cm_scep_request_free(&r.msg);
	if (r.content.data)
		OPENSSL_cleanse(r.content.data, r.content.len);
	cm_buf_free(&r.content);
}
