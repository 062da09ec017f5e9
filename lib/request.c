/* request.c: builds struct cm_request from FastCGI params and the request body. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "form.h"
#include "log.h"
#include "multipart.h"
#include "request.h"

#define REQ_CHUNK 16384
#define REQ_MAX_COOKIES 64

void
cm_limits_default(struct cm_limits *lim)
{
	lim->max_body = 1024 * 1024;
	lim->max_field = 64 * 1024;
	lim->max_fields = 256;
	lim->max_file = lim->max_body;
	lim->max_files = 16;
	lim->tmpdir = "/tmp";
}

/* Sets r->error; returns status. */
static int
req_fail(struct cm_request *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
req_fail(struct cm_request *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return status;
}

static const char *
param_get(const struct cm_param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

const char *
cm_req_env(const struct cm_request *r, const char *name)
{
	return param_get(r->env, r->nenv, name);
}

const char *
cm_req_query(const struct cm_request *r, const char *name)
{
	return param_get(r->query, r->nquery, name);
}

const char *
cm_req_form(const struct cm_request *r, const char *name)
{
	return param_get(r->form, r->nform, name);
}

const char *
cm_req_cookie(const struct cm_request *r, const char *name)
{
	return param_get(r->cookies, r->ncookies, name);
}

const struct cm_upload *
cm_req_file(const struct cm_request *r, const char *field)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].field, field) == 0)
			return &r->files[i];
	return NULL;
}

/* 0, or -1 when out of memory. */
static int
param_add(struct cm_param **arr, size_t *n, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	struct cm_param *np = realloc(*arr, (*n + 1) * sizeof(*np));
	if (np == NULL)
		return -1;
	*arr = np;
	np[*n].name = strndup(name, nlen);
	np[*n].value = malloc(vlen + 1);
	if (np[*n].name == NULL || np[*n].value == NULL) {
		free(np[*n].name);
		free(np[*n].value);
		return -1;
	}
	memcpy(np[*n].value, value, vlen);
	np[*n].value[vlen] = '\0';
	np[*n].value_len = vlen;
	(*n)++;
	return 0;
}

/* Cookie values are not decoded: they are opaque tokens the server set.
 * Malformed pairs and those past the cap are skipped rather than refused,
 * since a stray cookie from another application on the host must not lock
 * a user out. Returns 0 or -1 (out of memory). */
static int
parse_cookies(struct cm_request *r, const char *s)
{
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		if (*s == '\0')
			break;
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (eq != NULL && eq != s && r->ncookies < REQ_MAX_COOKIES) {
			size_t nlen = (size_t)(eq - s);
			while (nlen > 0 && (s[nlen - 1] == ' ' || s[nlen - 1] == '\t'))
				nlen--;
			const char *v = eq + 1;
			size_t vlen = len - (size_t)(v - s);
			while (vlen > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (nlen > 0 && param_add(&r->cookies, &r->ncookies, s, nlen, v, vlen) < 0)
				return -1;
		}
		s += len;
	}
	return 0;
}

/* Decodes and checks the path; 0 or an HTTP status. */
static int
parse_path(struct cm_request *r, const char *uri)
{
	size_t rawlen = strcspn(uri, "?#");
	size_t dlen = 0;

	if (rawlen == 0 || uri[0] != '/')
		return req_fail(r, 400, "the request path must start with '/'");
	r->path = cm_url_decode(uri, rawlen, 0, &dlen);
	if (r->path == NULL) {
		if (errno == ENOMEM)
			return req_fail(r, 500, "out of memory");
		return req_fail(r, 400, "the request path has a malformed %%-escape");
	}
	if (strlen(r->path) != dlen)
		return req_fail(r, 400, "the request path contains a NUL byte");
	for (const char *p = r->path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return req_fail(r, 400, "the request path contains a control character");

	/* Split on '/', dropping empty segments; refuse "." and ".." so no
	 * handler ever sees a path that climbs out of its tree. */
	const char *p = r->path;
	while (*p) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return req_fail(r, 400, "the request path may not contain '.' or '..' segments");
		char **np = realloc(r->parts, (r->nparts + 1) * sizeof(*np));
		if (np == NULL)
			return req_fail(r, 500, "out of memory");
		r->parts = np;
		if ((np[r->nparts] = strndup(p, n)) == NULL)
			return req_fail(r, 500, "out of memory");
		r->nparts++;
		p += n;
	}
	return 0;
}

/* Strict decimal; returns 0 or -1. */
static int
parse_size(const char *s, size_t *out)
{
	size_t v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > ((size_t)-1 - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Matches "type" or "type;params", case-insensitively. */
static int
media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Reads exactly want bytes into buf; 0 or an HTTP status. */
static int
read_full(struct cm_request *r, cm_read_fn rd, void *ctx, char *buf, size_t want)
{
	size_t got = 0;
	while (got < want) {
		ssize_t n = rd(ctx, buf + got, want - got);
		if (n < 0)
			return req_fail(r, 400, "could not read the request body");
		if (n == 0)
			return req_fail(r, 400, "the request body is shorter than its Content-Length (%zu of %zu bytes)",
			    got, want);
		got += (size_t)n;
	}
	return 0;
}

static int
read_urlencoded(struct cm_request *r, cm_read_fn rd, void *ctx, const struct cm_limits *lim)
{
	char *body = NULL;
	int rc;
	char err[160];

	body = malloc(r->content_length + 1);
	if (body == NULL) {
		rc = req_fail(r, 500, "out of memory");
		goto out;
	}
	if ((rc = read_full(r, rd, ctx, body, r->content_length)) != 0)
		goto out;
	if (cm_form_parse(body, r->content_length, lim->max_field, lim->max_fields,
	    &r->form, &r->nform, err, sizeof(err)) < 0) {
		rc = req_fail(r, errno == E2BIG ? 413 : errno == ENOMEM ? 500 : 400, "%s", err);
		goto out;
	}
	rc = 0;
out:
	free(body);
	return rc;
}

static int
read_multipart(struct cm_request *r, cm_read_fn rd, void *ctx, const struct cm_limits *lim)
{
	struct cm_multipart *m = NULL;
	char *boundary = NULL;
	char *chunk = NULL;
	size_t left = r->content_length;
	int rc;
	char err[200];

	boundary = cm_multipart_boundary(r->content_type);
	if (boundary == NULL) {
		rc = req_fail(r, 400, "multipart/form-data without a valid boundary parameter");
		goto out;
	}
	m = cm_multipart_new(boundary, r, lim);
	chunk = malloc(REQ_CHUNK);
	if (m == NULL || chunk == NULL) {
		rc = req_fail(r, 500, "out of memory");
		goto out;
	}
	while (left > 0) {
		size_t want = left < REQ_CHUNK ? left : REQ_CHUNK;
		ssize_t n = rd(ctx, chunk, want);
		if (n < 0) {
			rc = req_fail(r, 400, "could not read the request body");
			goto out;
		}
		if (n == 0) {
			rc = req_fail(r, 400, "the request body is shorter than its Content-Length (%zu of %zu bytes)",
			    r->content_length - left, r->content_length);
			goto out;
		}
		left -= (size_t)n;
		if ((rc = cm_multipart_feed(m, chunk, (size_t)n, err, sizeof(err))) != 0) {
			req_fail(r, rc, "%s", err);
			goto out;
		}
	}
	if ((rc = cm_multipart_finish(m, err, sizeof(err))) != 0) {
		req_fail(r, rc, "%s", err);
		goto out;
	}
	rc = 0;
out:
	free(chunk);
	free(boundary);
	cm_multipart_free(m);
	return rc;
}

/* 0 or -1 (out of memory). */
static int
dupfield(char **dst, const char *s)
{
	if (s == NULL)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

/* Whether the method carries a body that a route may read. */
static int
method_has_body(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

/* Returns 0, or an HTTP status (400; 500 when out of memory) with r->error set. */
int
cm_request_parse_head(struct cm_request *r, char *const *params, cm_read_fn rd,
    void *rdctx, const struct cm_limits *lim)
{
	const char *v;
	char err[160];

	memset(r, 0, sizeof(*r));
	if (lim == NULL)
		cm_limits_default(&r->lim);
	else
		r->lim = *lim;
	r->rd = rd;
	r->rdctx = rdctx;
	for (size_t i = 0; params && params[i]; i++) {
		const char *eq = strchr(params[i], '=');
		if (eq == NULL || eq == params[i])
			continue;
		if (param_add(&r->env, &r->nenv, params[i], (size_t)(eq - params[i]),
		    eq + 1, strlen(eq + 1)) < 0)
			return req_fail(r, 500, "out of memory");
	}

	v = cm_req_env(r, "REQUEST_METHOD");
	if (v == NULL || *v == '\0')
		return req_fail(r, 400, "no request method");
	if (dupfield(&r->method, v) < 0)
		return req_fail(r, 500, "out of memory");

	/* REQUEST_URI is what the client sent; with mod_fcgid and mod_proxy_fcgi
	 * alike it is still percent-encoded. */
	v = cm_req_env(r, "REQUEST_URI");
	if (v == NULL || *v == '\0')
		return req_fail(r, 400, "no request URI");
	int prc = parse_path(r, v);
	if (prc != 0)
		return prc;

	v = cm_req_env(r, "QUERY_STRING");
	if (dupfield(&r->query_string, v ? v : "") < 0)
		return req_fail(r, 500, "out of memory");
	if (cm_form_parse(r->query_string, strlen(r->query_string), r->lim.max_field,
	    r->lim.max_fields, &r->query, &r->nquery, err, sizeof(err)) < 0)
		return req_fail(r, errno == ENOMEM ? 500 : 400, "query string: %s", err);

	if ((v = cm_req_env(r, "HTTP_COOKIE")) != NULL && parse_cookies(r, v) < 0)
		return req_fail(r, 500, "out of memory");
	if ((v = cm_req_env(r, "REMOTE_USER")) != NULL && *v && dupfield(&r->remote_user, v) < 0)
		return req_fail(r, 500, "out of memory");
	if (dupfield(&r->remote_addr, cm_req_env(r, "REMOTE_ADDR")) < 0)
		return req_fail(r, 500, "out of memory");
	v = cm_req_env(r, "HTTPS");
	r->https = v && (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0);
	if ((v = cm_req_env(r, "CONTENT_TYPE")) != NULL && *v && dupfield(&r->content_type, v) < 0)
		return req_fail(r, 500, "out of memory");
	v = cm_req_env(r, "CONTENT_LENGTH");
	if (v != NULL && *v && parse_size(v, &r->content_length) < 0)
		return req_fail(r, 400, "malformed Content-Length");
	return 0;
}

/* Reads the raw body into r->body; 0 or an HTTP status. */
static int
read_raw(struct cm_request *r)
{
	r->body = malloc(r->content_length + 1);
	if (r->body == NULL)
		return req_fail(r, 500, "out of memory");
	int rc = read_full(r, r->rd, r->rdctx, r->body, r->content_length);
	if (rc != 0)
		return rc;
	r->body[r->content_length] = '\0';
	r->body_len = r->content_length;
	return 0;
}

/* 415 naming the media types rule takes ("send A or B"). */
static int
unsupported_type(struct cm_request *r, const struct cm_body_rule *rule)
{
	char list[200] = "";
	size_t n = 0;

	if (rule->kinds & CM_BODY_URLENCODED)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s", "application/x-www-form-urlencoded");
	if ((rule->kinds & CM_BODY_MULTIPART) && n < sizeof(list))
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? " or " : "",
		    "multipart/form-data");
	for (size_t i = 0; (rule->kinds & CM_BODY_RAW) && rule->types && rule->types[i] &&
	    n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? " or " : "", rule->types[i]);
	return req_fail(r, 415, "unsupported Content-Type; send %s", list);
}

/* Returns 0, or an HTTP status (400, 411, 413, 415, 500) with r->error set. */
int
cm_request_read_body(struct cm_request *r, const struct cm_body_rule *rule)
{
	struct cm_limits lim = r->lim;

	if (r->body_done)
		return 0;
	r->body_done = 1;
	if (!method_has_body(r->method))
		return 0;
	if (cm_req_env(r, "CONTENT_LENGTH") == NULL || cm_req_env(r, "CONTENT_LENGTH")[0] == '\0')
		return req_fail(r, 411, "a %s request needs a Content-Length", r->method);
	if (rule->kinds == CM_BODY_NONE) {
		if (r->content_length == 0)
			return 0;
		return req_fail(r, 413, "this address takes no request body (%zu bytes were sent)",
		    r->content_length);
	}
	if (rule->max > 0)
		lim.max_body = rule->max;
	if (r->content_length > lim.max_body)
		return req_fail(r, 413, "the request body (%zu bytes) is larger than the %zu bytes allowed",
		    r->content_length, lim.max_body);
	if (r->content_type == NULL) {
		if (r->content_length == 0)
			return 0;
		return req_fail(r, 415, "a request body needs a Content-Type");
	}
	if ((rule->kinds & CM_BODY_URLENCODED) &&
	    media_is(r->content_type, "application/x-www-form-urlencoded"))
		return read_urlencoded(r, r->rd, r->rdctx, &lim);
	if ((rule->kinds & CM_BODY_MULTIPART) && media_is(r->content_type, "multipart/form-data"))
		return read_multipart(r, r->rd, r->rdctx, &lim);
	for (size_t i = 0; (rule->kinds & CM_BODY_RAW) && rule->types && rule->types[i]; i++)
		if (media_is(r->content_type, rule->types[i]))
			return read_raw(r);
	return unsupported_type(r, rule);
}

/* Returns what cm_request_parse_head or cm_request_read_body returned. */
int
cm_request_parse(struct cm_request *r, char *const *params, cm_read_fn rd,
    void *rdctx, const struct cm_limits *lim)
{
	static const struct cm_body_rule form = { CM_BODY_FORM, 0, NULL };
	int rc = cm_request_parse_head(r, params, rd, rdctx, lim);

	return rc != 0 ? rc : cm_request_read_body(r, &form);
}

void
cm_request_free(struct cm_request *r)
{
	if (r == NULL)
		return;
	free(r->method);
	free(r->path);
	for (size_t i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	free(r->parts);
	free(r->query_string);
	cm_params_free(r->query, r->nquery);
	cm_params_free(r->form, r->nform);
	for (size_t i = 0; i < r->nfiles; i++) {
		struct cm_upload *u = &r->files[i];
		if (u->path && unlink(u->path) < 0 && errno != ENOENT)
			cm_warn("request: unlink %s: %s", u->path, strerror(errno));
		free(u->field);
		free(u->filename);
		free(u->content_type);
		free(u->path);
	}
	free(r->files);
	cm_params_free(r->cookies, r->ncookies);
	free(r->remote_user);
	free(r->remote_addr);
	free(r->content_type);
	free(r->body);
	cm_params_free(r->env, r->nenv);
	memset(r, 0, sizeof(*r));
}
