/* test_request.c: unit tests for building struct cm_request from FastCGI params and a body. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "request.h"
#include "tap.h"

/* An in-memory body that hands out at most chunk bytes per read. */
struct membody {
	const char *data;
	size_t len, pos, chunk;
	int calls;
	int fail;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t n)
{
	struct membody *b = ctx;
	b->calls++;
	if (b->fail)
		return -1;
	size_t left = b->len - b->pos;
	if (n > left)
		n = left;
	if (b->chunk && n > b->chunk)
		n = b->chunk;
	memcpy(buf, b->data + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

static void
body_init(struct membody *b, const char *s, size_t chunk)
{
	memset(b, 0, sizeof(*b));
	b->data = s;
	b->len = s ? strlen(s) : 0;
	b->chunk = chunk;
}

static void
test_get(void)
{
	struct cm_request r;
	struct membody b;
	char *env[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/admin/certs/a%20b/12?page=2&q=x+y",
		"QUERY_STRING=page=2&q=x+y",
		"HTTP_COOKIE=sid=abc123; theme=\"dark\" ;junk; =nameless; sid=second; empty=",
		"REMOTE_USER=alice@CERTMINT.TEST",
		"REMOTE_ADDR=127.0.0.1",
		"HTTPS=on",
		"SERVER_NAME=localhost",
		"GSS_NAME=alice@CERTMINT.TEST",
		"BROKEN_PARAM_WITHOUT_EQUALS",
		NULL
	};

	body_init(&b, NULL, 0);
	is_int(cm_request_parse(&r, env, mem_read, &b, NULL), 0, "GET: parses");
	is_str(r.method, "GET", "method");
	is_str(r.path, "/admin/certs/a b/12", "path decoded, query stripped");
	is_int(r.nparts, 4, "four path parts");
	if (r.nparts == 4) {
		is_str(r.parts[0], "admin", "part 0");
		is_str(r.parts[2], "a b", "part 2 decoded");
		is_str(r.parts[3], "12", "part 3");
	}
	is_str(r.query_string, "page=2&q=x+y", "query_string kept raw");
	is_str(cm_req_query(&r, "page"), "2", "query page");
	is_str(cm_req_query(&r, "q"), "x y", "query '+' decoded");
	ok(cm_req_query(&r, "nope") == NULL, "absent query param is NULL");
	is_str(cm_req_cookie(&r, "sid"), "abc123", "cookie: first of repeated wins");
	is_str(cm_req_cookie(&r, "theme"), "dark", "cookie: quotes and spaces stripped");
	is_str(cm_req_cookie(&r, "empty"), "", "cookie: empty value");
	ok(cm_req_cookie(&r, "junk") == NULL, "cookie: pair without '=' skipped");
	is_str(r.remote_user, "alice@CERTMINT.TEST", "REMOTE_USER");
	is_str(r.remote_addr, "127.0.0.1", "REMOTE_ADDR");
	is_int(r.https, 1, "HTTPS=on");
	is_str(cm_req_env(&r, "GSS_NAME"), "alice@CERTMINT.TEST", "all params kept in env");
	is_int(r.nenv, 9, "malformed param skipped");
	ok(b.calls == 0, "GET reads no body");
	cm_request_free(&r);

	char *root[] = { "REQUEST_METHOD=GET", "REQUEST_URI=//", "REMOTE_USER=", NULL };
	is_int(cm_request_parse(&r, root, mem_read, &b, NULL), 0, "'//' parses");
	ok(r.nparts == 0 && r.remote_user == NULL && r.https == 0 && r.nquery == 0,
	    "no parts, empty REMOTE_USER is NULL, no HTTPS");
	cm_request_free(&r);
}

/* Parses a GET of uri; returns the status. */
static int
get_status(const char *uri, const char *query, char *error, size_t errlen)
{
	struct cm_request r;
	char u[512], q[512];
	char *env[] = { "REQUEST_METHOD=GET", u, q, NULL };
	snprintf(u, sizeof(u), "REQUEST_URI=%s", uri);
	snprintf(q, sizeof(q), "QUERY_STRING=%s", query);
	int rc = cm_request_parse(&r, env, mem_read, NULL, NULL);
	snprintf(error, errlen, "%s", r.error);
	cm_request_free(&r);
	return rc;
}

static void
test_paths(void)
{
	static const char *bad[] = {
		"/admin/../etc/passwd", "/..", "/admin/%2e%2e/x", "/admin/.%2E", "/admin/./x",
		"/a%00b", "/a%zz", "/a%2", "/a%0d%0aX: y", "admin/x", "*",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(get_status(bad[i], "", err, sizeof(err)), 400, bad[i]);
	get_status("/admin/%2e%2e/x", "", err, sizeof(err));
	ok(strstr(err, "..") != NULL, "traversal: message says why (%s)", err);
	is_int(get_status("/admin/..x/...", "", err, sizeof(err)), 0, "'..x' and '...' are plain names");
	is_int(get_status("/admin/", "a=%zz", err, sizeof(err)), 400, "bad escape in the query: 400");
	ok(strstr(err, "query") != NULL, "query error: message says query (%s)", err);

	struct cm_request r;
	char *noinfo[] = { "REQUEST_URI=/", NULL };
	is_int(cm_request_parse(&r, noinfo, mem_read, NULL, NULL), 400, "no REQUEST_METHOD: 400");
	cm_request_free(&r);
	char *nouri[] = { "REQUEST_METHOD=GET", NULL };
	is_int(cm_request_parse(&r, nouri, mem_read, NULL, NULL), 400, "no REQUEST_URI: 400");
	cm_request_free(&r);
}

/* Parses a POST; returns the status; r is left for the caller to inspect and free. */
static int
post(struct cm_request *r, const char *ctype, const char *clen, const char *body, size_t chunk,
    struct membody *b, const struct cm_limits *lim)
{
	char ct[256], cl[64];
	char *env[5] = { "REQUEST_METHOD=POST", "REQUEST_URI=/admin/issue", NULL, NULL, NULL };
	int i = 2;
	if (ctype) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", ctype);
		env[i++] = ct;
	}
	if (clen) {
		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s", clen);
		env[i++] = cl;
	}
	body_init(b, body, chunk);
	return cm_request_parse(r, env, mem_read, b, lim);
}

static void
test_post(void)
{
	struct cm_request r;
	struct membody b;
	struct cm_limits lim;
	char len[32];
	const char *form = "profile=tls-server&csr=-----BEGIN+X-----%0A";

	cm_limits_default(&lim);
	snprintf(len, sizeof(len), "%zu", strlen(form));
	is_int(post(&r, "application/x-www-form-urlencoded; charset=UTF-8", len, form, 5, &b, &lim), 0,
	    "urlencoded POST read in 5-byte pieces");
	is_str(cm_req_form(&r, "profile"), "tls-server", "form field");
	is_str(cm_req_form(&r, "csr"), "-----BEGIN X-----\n", "form field decoded");
	is_int(r.content_length, strlen(form), "content_length");
	cm_request_free(&r);

	is_int(post(&r, "application/x-www-form-urlencoded", NULL, form, 0, &b, &lim), 411,
	    "POST without Content-Length: 411");
	cm_request_free(&r);

	is_int(post(&r, "application/x-www-form-urlencoded", "12x", form, 0, &b, &lim), 400,
	    "malformed Content-Length: 400");
	cm_request_free(&r);

	is_int(post(&r, "application/x-www-form-urlencoded", "99999999999999999999999", form, 0, &b, &lim), 400,
	    "overflowing Content-Length: 400");
	cm_request_free(&r);

	lim.max_body = 10;
	is_int(post(&r, "application/x-www-form-urlencoded", "11", "01234567890", 0, &b, &lim), 413,
	    "Content-Length over max_body: 413");
	is_int(b.calls, 0, "413 decided before reading anything");
	ok(strstr(r.error, "10 bytes") != NULL, "413: message gives the limit (%s)", r.error);
	cm_request_free(&r);
	cm_limits_default(&lim);

	is_int(post(&r, "text/plain", len, form, 0, &b, &lim), 415, "text/plain POST: 415");
	cm_request_free(&r);
	is_int(post(&r, NULL, len, form, 0, &b, &lim), 415, "POST body without Content-Type: 415");
	cm_request_free(&r);
	is_int(post(&r, "application/x-www-form-urlencodedX", len, form, 0, &b, &lim), 415,
	    "media type prefix match is not enough: 415");
	cm_request_free(&r);
	is_int(post(&r, NULL, "0", "", 0, &b, &lim), 0, "empty POST without Content-Type: fine");
	cm_request_free(&r);

	is_int(post(&r, "application/x-www-form-urlencoded", "100", form, 0, &b, &lim), 400,
	    "body shorter than Content-Length: 400");
	ok(strstr(r.error, "shorter") != NULL, "short body: message (%s)", r.error);
	cm_request_free(&r);

	body_init(&b, form, 0);
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_TYPE=application/x-www-form-urlencoded",
			len, NULL };
		snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(form));
		b.fail = 1;
		is_int(cm_request_parse(&r, env, mem_read, &b, &lim), 400, "read error: 400");
		cm_request_free(&r);
	}

	lim.max_field = 3;
	snprintf(len, sizeof(len), "%zu", strlen(form));
	is_int(post(&r, "application/x-www-form-urlencoded", len, form, 0, &b, &lim), 413,
	    "urlencoded field over max_field: 413");
	cm_request_free(&r);
	cm_limits_default(&lim);

	is_int(post(&r, "application/x-www-form-urlencoded", "5", "a=%zz", 0, &b, &lim), 400,
	    "urlencoded bad escape: 400");
	cm_request_free(&r);

	/* multipart through the request, read in odd pieces */
	static const char mp[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"profile\"\r\n\r\ntls-server\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"csr\"; filename=\"req.pem\"\r\n"
	    "Content-Type: application/x-pem-file\r\n\r\nPEMDATA\r\n--XyZ--\r\n";
	char tmpl[] = "/tmp/cm-test-request-XXXXXX";
	char *dir = mkdtemp(tmpl);
	lim.tmpdir = dir;
	snprintf(len, sizeof(len), "%zu", strlen(mp));
	is_int(post(&r, "multipart/form-data; boundary=XyZ", len, mp, 7, &b, &lim), 0, "multipart POST");
	is_str(cm_req_form(&r, "profile"), "tls-server", "multipart field");
	const struct cm_upload *u = cm_req_file(&r, "csr");
	ok(u && u->size == 7 && strcmp(u->filename, "req.pem") == 0, "multipart upload");
	char *path = u ? strdup(u->path) : NULL;
	cm_request_free(&r);
	ok(path && access(path, F_OK) != 0, "upload unlinked by cm_request_free");
	free(path);

	is_int(post(&r, "multipart/form-data", len, mp, 0, &b, &lim), 400, "multipart without boundary: 400");
	cm_request_free(&r);
	snprintf(len, sizeof(len), "%zu", strlen(mp) - 9);
	is_int(post(&r, "multipart/form-data; boundary=XyZ", len, mp, 0, &b, &lim), 400,
	    "multipart cut short by Content-Length: 400 (no closing boundary)");
	cm_request_free(&r);
	lim.max_file = 3;
	snprintf(len, sizeof(len), "%zu", strlen(mp));
	is_int(post(&r, "multipart/form-data; boundary=XyZ", len, mp, 0, &b, &lim), 413,
	    "multipart file over max_file: 413");
	cm_request_free(&r);
	ok(rmdir(dir) == 0, "no upload files left behind");

	/* DELETE/GET with a Content-Length do not read */
	char *del[] = { "REQUEST_METHOD=DELETE", "REQUEST_URI=/x", "CONTENT_LENGTH=5", NULL };
	body_init(&b, "abcde", 0);
	is_int(cm_request_parse(&r, del, mem_read, &b, &lim), 0, "DELETE with a body: parsed, body ignored");
	is_int(b.calls, 0, "DELETE: no read");
	cm_request_free(&r);

	/* free is safe on a zeroed struct and twice */
	memset(&r, 0, sizeof(r));
	cm_request_free(&r);
	cm_request_free(&r);
	ok(1, "cm_request_free on a zeroed request, twice");
}

int
main(void)
{
	test_get();
	test_paths();
	test_post();
	return tap_done();
}
