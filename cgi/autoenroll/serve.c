/* serve.c: one HTTP request to autoenroll.fcgi: the URL's customer, REMOTE_USER, the body and its fields, the steps in order, and the one answer, log line and audit row of every request. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <signal.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "log.h"
#include "autoenroll.h"
#include "x509util.h"

static struct aed_worker aed_worker;

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
start(struct aed_worker *w, struct cm_web_app *app)
{
	struct sigaction sa;

	w->app = app;
	w->started = 1;
	w->cache_seconds = app->settings.ad_cache_seconds;
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

/* Copies the URL's customer segment: 1, or 0 when it is too long or not
 * plain printable ASCII. */
static int
segment(char *dst, size_t dstlen, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= dstlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	memcpy(dst, s, n + 1);
	return 1;
}

/* The body (url-encoded or multipart, at most AED_MAX_BODY) within
 * AED_BODY_TIMEOUT_MS, and a CSR sent as a multipart file. 0, or -1 noted. */
static int
read_body(struct aed_req *r)
{
	static const struct cm_body_rule rule = { CM_BODY_FORM, AED_MAX_BODY, NULL };
	int st;

	if (r->http->content_length > AED_MAX_BODY)
		return aed_fail(r, AED_NO_REQUEST, 413, "a body of %zu bytes (at most %d)", r->http->content_length,
		    AED_MAX_BODY);
	arm(AED_BODY_TIMEOUT_MS);
	st = cm_request_read_body(r->http, &rule);
	arm(0);
	if (st != 0)
		return aed_fail(r, AED_NO_REQUEST, st == 500 ? 500 : st, "the body: %s", r->http->error);
	return 0;
}

/* A CSR uploaded as the multipart file "csr" (when no csr field came):
 * read into r->upload. 0, or -1 noted. */
static int
csr_upload(struct aed_req *r)
{
	const struct cm_upload *u = cm_req_file(r->http, "csr");
	FILE *fp;
	size_t got;

	if (r->f.csr != NULL || u == NULL || u->size == 0)
		return 0;
	if (u->size > CM_X509_MAX_INPUT || (r->upload = malloc(u->size + 1)) == NULL)
		return aed_fail(r, AED_INVALID_CSR, 0, "an uploaded CSR of %zu bytes", u->size);
	if ((fp = fopen(u->path, "rb")) == NULL)
		return aed_fail(r, AED_ENROLL_FAILED, 500, "the uploaded CSR cannot be read back");
	got = fread(r->upload, 1, u->size, fp);
	fclose(fp);
	if (got != u->size)
		return aed_fail(r, AED_ENROLL_FAILED, 500, "the uploaded CSR cannot be read back");
	r->upload[got] = '\0';
	r->f.csr = (const char *)r->upload;
	r->f.csr_len = got;
	return 0;
}

/* The request's steps; 0 with the answer set, -1 with the refusal noted. */
static int
steps(struct aed_req *r)
{
	char why[256];
	int c;

	/* The principal is read first so that a refused customer's audit row
	 * names who asked; the customer's code wins over 27. */
	int authenticated = aed_authenticate(r) == 0;
	if (aed_find_customer(r) < 0 || !authenticated || read_body(r) < 0)
		return -1;
	if ((c = aed_parse_fields(r->http->form, r->http->nform, &r->f, why, sizeof(why))) != 0)
		return aed_fail(r, c, 0, "%s", why);
	if (csr_upload(r) < 0)
		return -1;
	/* The client's own input first (nothing asked of the directory yet). */
	if (r->f.action == AED_RENEW && r->f.serial[0] == '\0')
		return aed_fail(r, AED_INVALID_SERIAL, 0, "renew without serial");
	if (r->f.action != AED_STATUS) {
		if (r->f.csr == NULL)
			return aed_fail(r, AED_NO_REQUEST, 0, "%s without csr",
			    r->f.action == AED_RENEW ? "renew" : "enroll");
		if ((c = aed_csr_intake(r->f.csr, r->f.csr_len, &r->csr, why, sizeof(why))) != 0)
			return aed_fail(r, c, 0, "%s", why);
	}
	if (aed_find_realm(r) < 0 || aed_find_org(r) < 0 || aed_lookup_user(r) < 0)
		return -1;
	switch (r->f.action) {
	case AED_STATUS:
		return aed_status(r);
	case AED_RENEW:
		return aed_renew(r);
	default:
		return aed_enroll(r);
	}
}

/* A person sync's transaction still open (no certificate was issued, whose
 * transaction would have taken it): kept with a successful answer, rolled
 * back with a refusal, so a failure writes nothing but the audit row. */
static void
finish_tx(struct aed_req *r)
{
	if (!cm_db_in_transaction(r->db))
		return;
	if (r->code != AED_OK) {
		cm_db_rollback(r->db);
		return;
	}
	if (cm_db_commit(r->db) < 0) {
		aed_fail(r, AED_PERSON_SYNC, 0, "person %s: %s", r->user.mail, cm_db_error(r->db));
		cm_db_rollback(r->db);
		r->person_id = 0;
		r->cert_id = 0;
		r->serial[0] = '\0';
		cm_buf_reset(&r->body);
	}
}

static const char *
action_name(const struct aed_req *r)
{
	return r->f.action == AED_STATUS ? "status" : r->f.action == AED_RENEW ? "renew" : "enroll";
}

/* The request's one audit row (its own transaction): autoenroll.<action>
 * when it succeeded, autoenroll.refused otherwise. No return value (a
 * failed write is logged by cm_audit). */
static void
audit_request(struct aed_req *r)
{
	struct cm_audit_entry e;
	struct cm_buf j;
	char action[32], oid[24];

	cm_buf_init(&j, 0);
	if (cm_buf_puts(&j, "{\"action\":") < 0 || cm_buf_json_str(&j, action_name(r)) < 0 ||
	    cm_buf_printf(&j, ",\"code\":%d,\"message\":", r->code) < 0 ||
	    cm_buf_json_str(&j, aed_code_message(r->code)) < 0 ||
	    (r->result && (cm_buf_puts(&j, ",\"result\":") < 0 || cm_buf_json_str(&j, r->result) < 0)) ||
	    (r->serial[0] && (cm_buf_puts(&j, ",\"serial\":") < 0 || cm_buf_json_str(&j, r->serial) < 0)) ||
	    (r->org_id > 0 && cm_buf_printf(&j, ",\"org_id\":%lld", (long long)r->org_id) < 0) ||
	    (r->person_id > 0 && cm_buf_printf(&j, ",\"person_id\":%lld", (long long)r->person_id) < 0) ||
	    (r->ad_loaded && cm_buf_printf(&j, ",\"ad_server_id\":%lld", (long long)r->ad.id) < 0) ||
	    (r->code != 0 && (cm_buf_puts(&j, ",\"detail\":") < 0 || cm_buf_json_str(&j, r->detail) < 0)) ||
	    cm_buf_puts(&j, "}") < 0) {
		cm_err("autoenroll: out of memory writing the audit row");
		cm_buf_free(&j);
		return;
	}
	snprintf(action, sizeof(action), "autoenroll.%s", r->code == 0 ? action_name(r) : "refused");
	memset(&e, 0, sizeof(e));
	e.actor = r->principal[0] ? r->principal : "autoenroll";
	e.action = action;
	if (r->cert_id > 0) {
		snprintf(oid, sizeof(oid), "%lld", (long long)r->cert_id);
		e.object_type = "certificate";
		e.object_id = oid;
	}
	e.after = j.data;
	e.remote_addr = r->addr;
	e.customer_id = r->customer_id;
	cm_audit(r->db, &e);
	cm_buf_free(&j);
}

/* The HTTP answer of r. */
static void
answer(struct aed_req *r, struct cm_response *resp)
{
	char code[16];
	int http = r->http_status ? r->http_status : aed_code_http(r->code);

	snprintf(code, sizeof(code), "%d", r->code);
	cm_resp_header(resp, "X-Autoenroll-Code", code);
	resp->status = http;
	if (http == 405)
		cm_resp_header(resp, "Allow", "POST");
	if (r->code == 0 && r->body.len > 0) {
		cm_resp_header(resp, "X-Autoenroll-Result", r->result);
		cm_resp_header(resp, "X-Autoenroll-Serial", r->serial);
		cm_resp_content_type(resp, r->content_type);
		cm_resp_write(resp, r->body.data, r->body.len);
		return;
	}
	cm_resp_content_type(resp, "text/plain; charset=utf-8");
	cm_resp_header(resp, "Cache-Control", "no-store");
	struct cm_buf b;
	cm_buf_init(&b, 0);
	cm_buf_printf(&b, "code=%d\nmessage=%s\n", r->code, aed_code_message(r->code));
	if (r->code == 0 && r->result) {
		cm_buf_printf(&b, "result=%s\n", r->result);
		if (r->serial[0])
			cm_buf_printf(&b, "serial=%s\nnot_after=%s\ndays_left=%ld\n", r->serial, r->not_after,
			    r->days_left);
	}
	cm_resp_write(resp, b.data, b.len);
	cm_buf_free(&b);
}

/* The FastCGI handler (the program's serve hook). */
void
aed_serve(void *appv, struct cm_request *req, int parse_status, struct cm_response *resp)
{
	struct aed_worker *w = &aed_worker;
	struct aed_req r;
	struct timeval t0, t1;

	if (!w->started)
		start(w, appv);
	gettimeofday(&t0, NULL);
	memset(&r, 0, sizeof(r));
	r.w = w;
	r.http = req;
	r.addr = req->remote_addr && *req->remote_addr ? req->remote_addr : "-";
	cm_buf_init(&r.body, 0);
	r.ms_ad = r.ms_issue = -1;
	/* Apache passes only ^/customer/[^/]+/autoenroll$, so 1 and the 404
	 * of another path come from direct FastCGI callers. */
	if (parse_status != 0) {
		aed_fail(&r, AED_NO_REQUEST, parse_status, "the request could not be read: %s", req->error);
	} else if (req->nparts == 2 && strcmp(req->parts[0], "customer") == 0 &&
	    strcmp(req->parts[1], "autoenroll") == 0) {
		aed_fail(&r, AED_NO_CUSTOMER_URI, 0, "no customer segment in the URL");
	} else if (req->nparts != 3 || strcmp(req->parts[0], "customer") != 0 ||
	    strcmp(req->parts[2], "autoenroll") != 0) {
		aed_fail(&r, AED_NO_CUSTOMER_URI, 404, "not the autoenroll URL: /customer/<customer>/autoenroll");
	} else if (!segment(r.customer_uri, sizeof(r.customer_uri), req->parts[1])) {
		aed_fail(&r, AED_CUSTOMER_INVALID, 0, "the customer segment is too long or not plain ASCII");
	} else if (strcmp(req->method, "POST") != 0) {
		aed_fail(&r, AED_NO_REQUEST, 405, "method %.16s (POST only)", req->method);
	} else if (cm_web_app_db(w->app, "autoenroll") < 0) {
		aed_fail(&r, AED_ENROLL_FAILED, 503, "the database cannot be reached");
	} else {
		r.db = w->app->db;
		steps(&r);
		finish_tx(&r);
	}
	answer(&r, resp);
	gettimeofday(&t1, NULL);
	/* ms: the whole request; ad_ms: the directory (0 from the cache, -1
	 * not asked); issue_ms: the certificate lifecycle with the signer. */
	cm_info("autoenroll %s principal=%s customer=%s action=%s code=%d http=%d%s%s%s%s ms=%ld ad_ms=%ld%s issue_ms=%ld: %s",
	    r.addr, r.principal[0] ? r.principal : "-", r.customer_uri[0] ? r.customer_uri : "-",
	    action_name(&r), r.code, resp->status, r.result ? " result=" : "", r.result ? r.result : "",
	    r.serial[0] ? " serial=" : "", r.serial, (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_usec - t0.tv_usec) / 1000), r.ms_ad, r.cached ? " (cached)" : "", r.ms_issue,
	    r.code == 0 ? "ok" : r.detail);
	if (r.customer_id > 0 && r.db)
		audit_request(&r);
	if (r.sg)
		cm_signer_close(r.sg);
	if (r.ad_loaded)
		cm_ad_server_free(&r.ad);
	aed_csr_free(&r.csr);
	free(r.upload);
	cm_buf_free(&r.body);
	OPENSSL_cleanse(&r.user, sizeof(r.user));
}
