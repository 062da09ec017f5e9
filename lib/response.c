/* response.c: buffered responses, safe headers and cookies, error pages, HTML escaping. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "response.h"

#define RESP_MAX_HEADERS (64u * 1024)
#define RESP_DEFAULT_TYPE "text/html; charset=utf-8"

void
cm_resp_init(struct cm_response *resp)
{
	resp->status = 200;
	cm_buf_init(&resp->headers, RESP_MAX_HEADERS);
	cm_buf_init(&resp->body, CM_RESP_MAX_BODY);
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", RESP_DEFAULT_TYPE);
}

void
cm_resp_free(struct cm_response *resp)
{
	cm_buf_free(&resp->headers);
	cm_buf_free(&resp->body);
}

void
cm_resp_reset(struct cm_response *resp)
{
	cm_buf_reset(&resp->headers);
	cm_buf_reset(&resp->body);
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", RESP_DEFAULT_TYPE);
}

/* 1 when s is a non-empty RFC 9110 token, else 0. */
static int
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
			return 0;
	}
	return 1;
}

/* 1 when s may be a header value: visible ASCII, space, tab and UTF-8 bytes;
 * no CR, LF or other controls. Else 0. */
static int
is_field_value(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* 0, or -1 when the name or value could split or forge a header. */
int
cm_resp_header(struct cm_response *resp, const char *name, const char *value)
{
	if (!is_token(name) || !is_field_value(value)) {
		cm_warn("response: refused a header with an invalid name or value");
		return -1;
	}
	/* Status and Content-Length are written by cm_resp_send; a second copy
	 * from a handler would make the response ambiguous. */
	if (strcasecmp(name, "Status") == 0 || strcasecmp(name, "Content-Length") == 0)
		return -1;
	if (strcasecmp(name, "Content-Type") == 0) {
		if (strlen(value) >= sizeof(resp->content_type))
			return -1;
		snprintf(resp->content_type, sizeof(resp->content_type), "%s", value);
		return 0;
	}
	return cm_buf_printf(&resp->headers, "%s: %s\r\n", name, value);
}

/* An invalid or over-long type is refused and logged; the old type stays. */
void
cm_resp_content_type(struct cm_response *resp, const char *type)
{
	if (!is_field_value(type) || *type == '\0' || strlen(type) >= sizeof(resp->content_type)) {
		cm_warn("response: refused an invalid Content-Type");
		return;
	}
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", type);
}

/* 1 when every byte of s is an RFC 6265 cookie-octet, else 0. */
static int
is_cookie_value(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	return 1;
}

/* 0 or -1 (invalid name, value or path). max_age < 0 makes a session cookie;
 * 0 deletes the cookie. */
int
cm_resp_cookie(struct cm_response *resp, const char *name, const char *value,
    const char *path, long max_age, int secure)
{
	char line[1024];
	int n;

	if (!is_token(name) || value == NULL || !is_cookie_value(value))
		return -1;
	if (path == NULL)
		path = "/";
	if (path[0] != '/' || !is_field_value(path) || strchr(path, ';'))
		return -1;
	if (max_age >= 0)
		n = snprintf(line, sizeof(line), "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
		    name, value, path, max_age, secure ? "; Secure" : "");
	else
		n = snprintf(line, sizeof(line), "%s=%s; Path=%s; HttpOnly; SameSite=Strict%s",
		    name, value, path, secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return cm_buf_printf(&resp->headers, "Set-Cookie: %s\r\n", line);
}

/* 0 or -1 (the body cap, CM_RESP_MAX_BODY, or memory is exhausted). */
int
cm_resp_write(struct cm_response *resp, const void *data, size_t n)
{
	return cm_buf_append(&resp->body, data, n);
}

int
cm_resp_puts(struct cm_response *resp, const char *s)
{
	return cm_buf_puts(&resp->body, s);
}

/* 0, or -1 when location is not a local path (a "//host" or "/\host" would
 * leave the site: browsers read both as another origin). */
int
cm_resp_redirect(struct cm_response *resp, const char *location)
{
	if (location == NULL || location[0] != '/' || location[1] == '/' || location[1] == '\\' ||
	    !is_field_value(location))
		return -1;
	for (const char *p = location; *p; p++)
		if (*p == ' ' || *p == '\t')
			return -1;
	if (cm_resp_header(resp, "Location", location) < 0)
		return -1;
	resp->status = 303;
	cm_buf_reset(&resp->body);
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", RESP_DEFAULT_TYPE);
	return 0;
}

const char *
cm_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

void
cm_resp_error(struct cm_response *resp, int status, const char *message)
{
	cm_resp_reset(resp);
	resp->status = (status >= 100 && status <= 599) ? status : 500;
	const char *text = cm_status_text(resp->status);
	cm_buf_printf(&resp->body,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>%d ", resp->status);
	cm_html_escape(&resp->body, text);
	cm_buf_printf(&resp->body, "</title></head>\n<body><h1>%d ", resp->status);
	cm_html_escape(&resp->body, text);
	cm_buf_puts(&resp->body, "</h1>\n");
	if (message && *message) {
		cm_buf_puts(&resp->body, "<p>");
		cm_html_escape(&resp->body, message);
		cm_buf_puts(&resp->body, "</p>\n");
	}
	cm_buf_puts(&resp->body, "</body></html>\n");
}

/* 1 when the handler already set header name (case-insensitive), else 0. */
static int
has_header(const struct cm_response *resp, const char *name)
{
	size_t n = strlen(name);
	const char *p = resp->headers.data;
	while (p && *p) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return 0;
}

/* 0, or -1 when the writer fails. */
static int
write_all(cm_write_fn wr, void *ctx, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = wr(ctx, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 0, or -1 when the writer fails or memory runs out. */
int
cm_resp_send(const struct cm_response *resp, cm_write_fn wr, void *ctx)
{
	static const struct { const char *name, *value; int html_only; } sec[] = {
		{ "X-Content-Type-Options", "nosniff", 0 },
		{ "Cache-Control", "no-store", 0 },
		{ "X-Frame-Options", "DENY", 1 },
		{ "Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; "
		    "form-action 'self'; frame-ancestors 'none'", 1 },
		{ "Referrer-Policy", "same-origin", 1 },
	};
	struct cm_buf h;
	int rc = -1;
	int html = strncasecmp(resp->content_type, "text/html", 9) == 0;

	cm_buf_init(&h, 0);
	if (cm_buf_printf(&h, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
	    resp->status, cm_status_text(resp->status), resp->content_type, resp->body.len) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(sec) / sizeof(sec[0]); i++) {
		if (sec[i].html_only && !html)
			continue;
		if (has_header(resp, sec[i].name))
			continue;
		if (cm_buf_printf(&h, "%s: %s\r\n", sec[i].name, sec[i].value) < 0)
			goto out;
	}
	if (resp->headers.len && cm_buf_append(&h, resp->headers.data, resp->headers.len) < 0)
		goto out;
	if (cm_buf_puts(&h, "\r\n") < 0)
		goto out;
	if (write_all(wr, ctx, h.data, h.len) < 0)
		goto out;
	if (resp->body.len && write_all(wr, ctx, resp->body.data, resp->body.len) < 0)
		goto out;
	rc = 0;
out:
	cm_buf_free(&h);
	return rc;
}

int
cm_html_escape(struct cm_buf *out, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (cm_buf_append(out, run, (size_t)(s - run)) < 0 || cm_buf_puts(out, rep) < 0)
			return -1;
		run = s + 1;
	}
	return cm_buf_append(out, run, (size_t)(s - run));
}
