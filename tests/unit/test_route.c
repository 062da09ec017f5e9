/* test_route.c: unit tests for the web layer: route matching, body rules, --routes and the dispatcher's order. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "web.h"

/* An in-memory body that counts reads, so a test can see it was never read. */
struct membody {
	const char *data;
	size_t len, pos;
	int calls;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t n)
{
	struct membody *b = ctx;

	b->calls++;
	if (n > b->len - b->pos)
		n = b->len - b->pos;
	memcpy(buf, b->data + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

/* Parses the head of METHOD URI with an optional body; returns the status. */
static int
head(struct cm_request *r, const char *method, const char *uri, const char *ctype,
    const char *body, struct membody *b, const struct cm_limits *lim)
{
	char m[64], u[256], ct[128], cl[64];
	char *env[6] = { m, u, NULL, NULL, NULL, NULL };
	int i = 2;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof(u), "REQUEST_URI=%s", uri);
	if (ctype) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", ctype);
		env[i++] = ct;
	}
	if (body) {
		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%zu", strlen(body));
		env[i++] = cl;
	}
	memset(b, 0, sizeof(*b));
	b->data = body ? body : "";
	b->len = body ? strlen(body) : 0;
	return cm_request_parse_head(r, env, mem_read, b, lim);
}

static void h_dummy(void) { }

static const char *const raw_types[] = { "application/ocsp-request", "application/pkcs10", NULL };

static const struct cm_route routes[] = {
	{ "GET",  "/a",          h_dummy, 0, 1, CM_BODY_NO },
	{ "GET",  "/a/items/#",  h_dummy, 0, 2, CM_BODY_NO },
	{ "POST", "/a/items/#",  h_dummy, CM_ROUTE_CSRF, 3, CM_BODY_FORM_DEFAULT },
	{ "GET",  "/a/items/#/x", h_dummy, 0, 1, CM_BODY_NO },
	{ "POST", "/ocsp",       h_dummy, 0, 0, { CM_BODY_RAW, 64, raw_types } },
	{ "POST", "/up",         h_dummy, 0, 0, { CM_BODY_MULTIPART, 0, NULL } },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* The route index matched for METHOD URI, -404 / -405 when none. */
static int
match(const char *method, const char *uri, int64_t *id)
{
	struct cm_request r;
	struct membody b;
	int found, rc;

	if (head(&r, method, uri, NULL, NULL, &b, NULL) != 0) {
		cm_request_free(&r);
		return -400;
	}
	const struct cm_route *rt = cm_route_match(routes, NROUTES, r.method, r.parts, r.nparts, id, &found);
	rc = rt ? (int)(rt - routes) : found ? -405 : -404;
	cm_request_free(&r);
	return rc;
}

static void
test_match(void)
{
	int64_t id;

	is_int(match("GET", "/a", &id), 0, "GET /a");
	is_int(id, 0, "no id without '#'");
	is_int(match("GET", "//a/", &id), 0, "empty segments do not count");
	is_int(match("HEAD", "/a", &id), 0, "HEAD is served by the GET route");
	is_int(match("POST", "/a", &id), -405, "POST on a GET path: 405");
	is_int(match("GET", "/b", &id), -404, "unknown path: 404");
	is_int(match("GET", "/a/items", &id), -404, "a prefix is not a match");
	is_int(match("GET", "/a/items/12", &id), 1, "GET /a/items/#");
	is_int(id, 12, "'#' gives the id");
	is_int(match("POST", "/a/items/12", &id), 2, "POST /a/items/#: the POST route");
	is_int(match("HEAD", "/a/items/12", &id), 1, "HEAD /a/items/#: the GET route");
	is_int(match("PUT", "/a/items/12", &id), -405, "PUT /a/items/#: 405");
	is_int(match("GET", "/a/items/12/x", &id), 3, "a longer pattern");
	is_int(match("GET", "/a/items/999999999999999999", &id), 1, "18 digits is an id");
	is_int(id, 999999999999999999LL, "the 18-digit id");
	static const char *bad[] = { "0", "012", "-3", "+3", "3a", "1234567890123456789", "%31" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char uri[64];

		snprintf(uri, sizeof(uri), "/a/items/%s", bad[i]);
		/* "%31" decodes to "1": the path is decoded before matching. */
		is_int(match("GET", uri, &id), strcmp(bad[i], "%31") == 0 ? 1 : -404, uri);
	}
	is_int(cm_route_path_matches("/", NULL, 0, &id), 1, "'/' matches the empty path");
}

/* Reads the body of METHOD URI as route idx says; returns the status. */
static int
body_status(size_t idx, const char *method, const char *ctype, const char *body, int *calls,
    struct cm_request *r)
{
	struct membody b;
	struct cm_limits lim;
	int rc;

	cm_limits_default(&lim);
	lim.max_body = 100;
	if ((rc = head(r, method, "/x", ctype, body, &b, &lim)) == 0)
		rc = cm_request_read_body(r, &routes[idx].body);
	*calls = b.calls;
	return rc;
}

static void
test_body(void)
{
	struct cm_request r;
	int calls;
	char big[200];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	is_int(body_status(4, "POST", "application/ocsp-request", "\x30\x03\x02\x01", &calls, &r), 0,
	    "raw: a taken type");
	ok(r.body && r.body_len == 4 && memcmp(r.body, "\x30\x03\x02\x01", 4) == 0, "raw: the bytes in body");
	ok(r.nform == 0, "raw: no form parsed");
	cm_request_free(&r);
	is_int(body_status(4, "POST", "Application/PKCS10 ; x=1", "abc", &calls, &r), 0,
	    "raw: the second type, case and parameters aside");
	cm_request_free(&r);
	is_int(body_status(4, "POST", "application/x-www-form-urlencoded", "a=b", &calls, &r), 415,
	    "raw: a form is another type: 415");
	is_str(r.error, "unsupported Content-Type; send application/ocsp-request or application/pkcs10",
	    "415 names the types taken");
	is_int(calls, 0, "415 before reading");
	cm_request_free(&r);
	is_int(body_status(4, "POST", "application/ocsp-requestX", "abc", &calls, &r), 415,
	    "raw: a prefix of a type is not the type");
	cm_request_free(&r);
	is_int(body_status(4, "POST", "application/ocsp-request", big, &calls, &r), 413,
	    "raw: over the route's own cap (64): 413");
	ok(strstr(r.error, "64 bytes") != NULL, "413 gives the route's cap (%s)", r.error);
	is_int(calls, 0, "413 before reading");
	cm_request_free(&r);

	is_int(body_status(2, "POST", "application/x-www-form-urlencoded", "csrf=x&a=b", &calls, &r), 0,
	    "form: url-encoded");
	is_str(cm_req_form(&r, "a"), "b", "form: the field");
	ok(r.body == NULL, "form: no raw body");
	cm_request_free(&r);
	is_int(body_status(2, "POST", "text/plain", "a", &calls, &r), 415, "form: text/plain: 415");
	is_str(r.error, "unsupported Content-Type; send application/x-www-form-urlencoded or multipart/form-data",
	    "415: the message pages have always given");
	cm_request_free(&r);
	is_int(body_status(2, "POST", "application/x-www-form-urlencoded", big, &calls, &r), 413,
	    "form: over the limits' max_body (100): 413");
	cm_request_free(&r);
	is_int(body_status(5, "POST", "application/x-www-form-urlencoded", "a=b", &calls, &r), 415,
	    "multipart only: url-encoded is 415");
	is_str(r.error, "unsupported Content-Type; send multipart/form-data", "415 names multipart alone");
	cm_request_free(&r);

	is_int(body_status(0, "POST", "application/x-www-form-urlencoded", "a=b", &calls, &r), 413,
	    "no body taken: a body is 413");
	is_int(calls, 0, "and is not read");
	cm_request_free(&r);
	is_int(body_status(0, "POST", NULL, "", &calls, &r), 0, "no body taken: an empty one is fine");
	cm_request_free(&r);
	is_int(body_status(4, "POST", "application/ocsp-request", NULL, &calls, &r), 411,
	    "no Content-Length: 411");
	cm_request_free(&r);
	is_int(body_status(4, "GET", "application/ocsp-request", "abc", &calls, &r), 0,
	    "a GET's body is not read");
	ok(calls == 0 && r.body == NULL, "GET: nothing read");
	/* Reading twice does nothing the second time. */
	is_int(cm_request_read_body(&r, &routes[4].body), 0, "read_body twice: 0");
	cm_request_free(&r);
}

static const char *
access_name(int a)
{
	static const char *const n[] = { "lvl=0", "lvl=1", "lvl=2", "lvl=3" };
	return a >= 0 && a < 4 ? n[a] : "?";
}

static void
test_print(void)
{
	struct cm_web_program p = { .name = "t", .routes = routes, .nroutes = NROUTES };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ok(f && cm_routes_print(&p, f) == 0, "print without access names");
	fclose(f);
	is_str(buf, "GET /a -\nGET /a/items/# -\nPOST /a/items/# csrf,body=form\nGET /a/items/#/x -\n"
	    "POST /ocsp body=raw:application/ocsp-request|application/pkcs10,max=64\n"
	    "POST /up body=multipart\n", "lines: METHOD PATTERN flags");
	free(buf);
	p.access_name = access_name;
	f = open_memstream(&buf, &len);
	ok(f && cm_routes_print(&p, f) == 0, "print with access names");
	fclose(f);
	is_str(buf, "GET /a lvl=1\nGET /a/items/# lvl=2\nPOST /a/items/# csrf,lvl=3,body=form\n"
	    "GET /a/items/#/x lvl=1\n"
	    "POST /ocsp lvl=0,body=raw:application/ocsp-request|application/pkcs10,max=64\n"
	    "POST /up lvl=0,body=multipart\n", "access names after csrf, body last");
	free(buf);
}

/* ---- the dispatcher, with hooks that record the order they ran in */

struct trace {
	char steps[256];
	int deny_auth, deny_route;
	struct cm_session session;
};
static struct trace tr;

static void
step(const char *s)
{
	size_t n = strlen(tr.steps);
	snprintf(tr.steps + n, sizeof(tr.steps) - n, "%s%s", n ? " " : "", s);
}

static int
t_open(struct cm_web_request *w)
{
	w->ctx = &tr;
	step("open");
	return 0;
}

static void
t_close(struct cm_web_request *w)
{
	ok(w->ctx == &tr, "close gets the context open made");
	step("close");
}

static int
t_authenticate(struct cm_web_request *w)
{
	step("auth");
	if (tr.deny_auth) {
		cm_web_error(w, 401, "Please log in", "who are you");
		return -1;
	}
	w->session = &tr.session;
	return 0;
}

static int
t_authorize(struct cm_web_request *w, const struct cm_route *rt)
{
	step("authz");
	if (tr.deny_route && rt->access >= 2) {
		cm_web_error(w, 403, "Not allowed", "not you");
		return -1;
	}
	return 0;
}

static void
t_call(struct cm_web_request *w, const struct cm_route *rt)
{
	char s[64];

	snprintf(s, sizeof(s), "call:%d:%lld", (int)(rt - routes), (long long)w->id);
	step(s);
}

static void
t_error(struct cm_web_request *w, int status, const char *title, const char *message)
{
	char s[64];

	(void)message;
	snprintf(s, sizeof(s), "error:%d:%s", status, title);
	step(s);
	w->resp->status = status;
}

/* Serves one request through the dispatcher; returns the body reads it caused. */
static int
serve(struct cm_web_app *app, const char *method, const char *uri, const char *ctype,
    const char *body)
{
	struct cm_request r;
	struct cm_response resp;
	struct membody b;

	tr.steps[0] = '\0';
	cm_resp_init(&resp);
	int st = head(&r, method, uri, ctype, body, &b, NULL);
	cm_web_serve(app, &r, st, &resp);
	cm_resp_free(&resp);
	cm_request_free(&r);
	return b.calls;
}

static void
test_dispatch(void)
{
	struct cm_web_program p = {
		.name = "t", .routes = routes, .nroutes = NROUTES, .open = t_open,
		.authenticate = t_authenticate, .authorize = t_authorize, .call = t_call,
		.error = t_error, .close = t_close,
	};
	struct cm_web_app app;
	char form[128];

	memset(&app, 0, sizeof(app));
	app.prog = &p;
	memset(&tr, 0, sizeof(tr));
	snprintf(tr.session.csrf, sizeof(tr.session.csrf), "%064d", 7);

	serve(&app, "GET", "/a/items/5", NULL, NULL);
	is_str(tr.steps, "open auth authz call:1:5 close", "GET: every step in order");
	serve(&app, "GET", "/a/..", NULL, NULL);
	is_str(tr.steps, "open error:400:The request could not be read close", "a bad head: 400, no auth");
	serve(&app, "GET", "/zzz", NULL, NULL);
	is_str(tr.steps, "open auth error:404:Not found close", "404 after authentication");
	serve(&app, "DELETE", "/a", NULL, NULL);
	is_str(tr.steps, "open auth error:405:Method not allowed close", "405 after authentication");

	snprintf(form, sizeof(form), "csrf=%064d&x=1", 7);
	is_int(serve(&app, "POST", "/a/items/5", "application/x-www-form-urlencoded", form) > 0, 1,
	    "POST with the token: the body is read");
	is_str(tr.steps, "open auth authz call:2:5 close", "POST with the session's token: called");
	serve(&app, "POST", "/a/items/5", "application/x-www-form-urlencoded", "csrf=bad");
	is_str(tr.steps, "open auth authz error:403:Form expired close", "a wrong token: 403 Form expired");
	serve(&app, "POST", "/a/items/5", "text/plain", "x");
	is_str(tr.steps, "open auth authz error:415:The request could not be read close",
	    "a body of another type: 415 after authorisation");

	tr.deny_auth = 1;
	is_int(serve(&app, "POST", "/a/items/5", "application/x-www-form-urlencoded", form), 0,
	    "refused by authenticate: the body is never read");
	is_str(tr.steps, "open auth error:401:Please log in close", "authenticate answers, nothing else runs");
	tr.deny_auth = 0;
	tr.deny_route = 1;
	is_int(serve(&app, "POST", "/a/items/5", "application/x-www-form-urlencoded", form), 0,
	    "refused by authorize: the body is never read");
	is_str(tr.steps, "open auth authz error:403:Not allowed close", "authorize answers, no body, no call");
	serve(&app, "GET", "/a", NULL, NULL);
	is_str(tr.steps, "open auth authz call:0:0 close", "a route authorize allows still runs");
	tr.deny_route = 0;

	/* No hooks but call: CSRF routes refuse (there is no session), others run. */
	struct cm_web_program bare = { .name = "bare", .routes = routes, .nroutes = NROUTES, .call = t_call };
	app.prog = &bare;
	serve(&app, "POST", "/a/items/5", "application/x-www-form-urlencoded", form);
	is_str(tr.steps, "", "without a session a CSRF route is refused (no call)");
	serve(&app, "POST", "/ocsp", "application/ocsp-request", "abc");
	is_str(tr.steps, "call:4:0", "a raw route runs without any hook");
}

int
main(void)
{
	cm_log_init("test_route", CM_LOG_ERR, 0);
	test_match();
	test_body();
	test_print();
	test_dispatch();
	return tap_done();
}
