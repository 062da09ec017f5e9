/* test_response.c: unit tests for responses: headers, cookies, redirects, error pages, escaping. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "response.h"
#include "tap.h"

static ssize_t
buf_write(void *ctx, const void *data, size_t n)
{
	return cm_buf_append(ctx, data, n) < 0 ? -1 : (ssize_t)n;
}

/* Writes resp out into out (reset first). */
static int
render(const struct cm_response *resp, struct cm_buf *out)
{
	cm_buf_reset(out);
	return cm_resp_send(resp, buf_write, out);
}

/* The header block of a sent response (before the blank line), or "" . */
static int
has_line(const struct cm_buf *out, const char *line)
{
	const char *end = strstr(out->data, "\r\n\r\n");
	const char *hit = strstr(out->data, line);
	return hit && end && hit < end + 2 && (hit == out->data || hit[-1] == '\n') &&
	    strncmp(hit + strlen(line), "\r\n", 2) == 0;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void
test_headers(void)
{
	struct cm_response resp;
	struct cm_buf out;

	cm_resp_init(&resp);
	cm_buf_init(&out, 0);
	is_int(resp.status, 200, "default status 200");
	is_str(resp.content_type, "text/html; charset=utf-8", "default content type");

	is_int(cm_resp_header(&resp, "X-Test", "one two"), 0, "plain header accepted");
	is_int(cm_resp_header(&resp, "X-Evil", "a\r\nSet-Cookie: sid=x"), -1, "CRLF in a value refused");
	is_int(cm_resp_header(&resp, "X-Evil", "a\nb"), -1, "LF in a value refused");
	is_int(cm_resp_header(&resp, "X-Evil", "a\rb"), -1, "CR in a value refused");
	is_int(cm_resp_header(&resp, "X-Evil\r\nSet-Cookie", "x"), -1, "CRLF in a name refused");
	is_int(cm_resp_header(&resp, "X Evil", "x"), -1, "space in a name refused");
	is_int(cm_resp_header(&resp, "X-Evil:", "x"), -1, "colon in a name refused");
	is_int(cm_resp_header(&resp, "", "x"), -1, "empty name refused");
	is_int(cm_resp_header(&resp, "Status", "200 OK"), -1, "a second Status refused");
	is_int(cm_resp_header(&resp, "Content-Length", "1"), -1, "a second Content-Length refused");
	is_str(resp.headers.data, "X-Test: one two\r\n", "refused headers left no trace");

	cm_resp_content_type(&resp, "text/html\r\nX-Injected: 1");
	is_str(resp.content_type, "text/html; charset=utf-8", "content type with CRLF refused");
	cm_resp_puts(&resp, "<p>hi</p>");
	is_int(render(&resp, &out), 0, "send");
	ok(strncmp(out.data, "Status: 200 OK\r\n", 16) == 0, "starts with the status line");
	ok(has_line(&out, "Content-Type: text/html; charset=utf-8"), "Content-Type line");
	ok(has_line(&out, "Content-Length: 9"), "Content-Length line");
	ok(has_line(&out, "X-Content-Type-Options: nosniff"), "HTML: nosniff");
	ok(has_line(&out, "X-Frame-Options: DENY"), "HTML: X-Frame-Options");
	ok(has_line(&out, "Content-Security-Policy: default-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "form-action 'self'; frame-ancestors 'none'"), "HTML: CSP");
	ok(has_line(&out, "Referrer-Policy: same-origin"), "HTML: Referrer-Policy");
	ok(has_line(&out, "Cache-Control: no-store"), "Cache-Control: no-store");
	ok(has_line(&out, "X-Test: one two"), "handler header sent");
	ok(strstr(out.data, "X-Injected") == NULL, "nothing injected");
	const char *blank = strstr(out.data, "\r\n\r\n");
	is_str(blank ? blank + 4 : NULL, "<p>hi</p>", "body after the blank line");

	/* non-HTML: no frame/CSP headers, but still nosniff and no-store; handler's
	 * own Cache-Control wins */
	cm_resp_reset(&resp);
	cm_resp_content_type(&resp, "application/pkix-cert");
	cm_resp_header(&resp, "Cache-Control", "max-age=3600");
	cm_resp_write(&resp, "\x30\x82\x00\x01", 4);
	render(&resp, &out);
	ok(has_line(&out, "Content-Type: application/pkix-cert"), "binary: content type");
	ok(has_line(&out, "Content-Length: 4"), "binary: length counts raw bytes");
	ok(strstr(out.data, "X-Frame-Options") == NULL && strstr(out.data, "Content-Security-Policy") == NULL,
	    "binary: no HTML-only headers");
	ok(has_line(&out, "X-Content-Type-Options: nosniff"), "binary: nosniff");
	is_int(count(out.data, "Cache-Control"), 1, "handler's Cache-Control not duplicated");
	ok(has_line(&out, "Cache-Control: max-age=3600"), "handler's Cache-Control kept");

	/* Content-Type through cm_resp_header sets the field, not a second line */
	cm_resp_reset(&resp);
	is_int(cm_resp_header(&resp, "content-type", "text/plain; charset=utf-8"), 0, "Content-Type via header()");
	render(&resp, &out);
	is_int(count(out.data, "Content-Type: "), 1, "one Content-Type line");
	ok(has_line(&out, "Content-Type: text/plain; charset=utf-8"), "it is the one set");

	resp.status = 404;
	render(&resp, &out);
	ok(strncmp(out.data, "Status: 404 Not Found\r\n", 23) == 0, "404 status line");

	cm_buf_free(&out);
	cm_resp_free(&resp);
}

static void
test_cookies(void)
{
	struct cm_response resp;

	cm_resp_init(&resp);
	is_int(cm_resp_cookie(&resp, "sid", "abc123", "/admin/", 3600, 1), 0, "secure cookie");
	is_str(resp.headers.data,
	    "Set-Cookie: sid=abc123; Path=/admin/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure\r\n",
	    "secure cookie attributes");
	cm_resp_reset(&resp);
	is_int(cm_resp_cookie(&resp, "csod", "x", "/customer/demo/csod", -1, 0), 0, "session cookie");
	is_str(resp.headers.data, "Set-Cookie: csod=x; Path=/customer/demo/csod; HttpOnly; SameSite=Strict\r\n",
	    "session cookie: no Max-Age, no Secure");
	cm_resp_reset(&resp);
	is_int(cm_resp_cookie(&resp, "sid", "", "/", 0, 0), 0, "deleting cookie");
	ok(strstr(resp.headers.data, "sid=; Path=/; Max-Age=0;") != NULL, "deleting cookie: Max-Age=0");
	cm_resp_reset(&resp);
	is_int(cm_resp_cookie(&resp, "sid", "a;b", "/", 0, 0), -1, "';' in a value refused");
	is_int(cm_resp_cookie(&resp, "sid", "a b", "/", 0, 0), -1, "space in a value refused");
	is_int(cm_resp_cookie(&resp, "sid", "a\r\nb", "/", 0, 0), -1, "CRLF in a value refused");
	is_int(cm_resp_cookie(&resp, "s=id", "a", "/", 0, 0), -1, "'=' in a name refused");
	is_int(cm_resp_cookie(&resp, "sid", "a", "/x; Domain=evil", 0, 0), -1, "';' in a path refused");
	is_int(cm_resp_cookie(&resp, "sid", "a", "x", 0, 0), -1, "relative path refused");
	ok(resp.headers.len == 0, "refused cookies left no trace");
	cm_resp_free(&resp);
}

static void
test_redirect(void)
{
	struct cm_response resp;

	cm_resp_init(&resp);
	cm_resp_puts(&resp, "half a page");
	is_int(cm_resp_redirect(&resp, "/admin/certs/5?x=1"), 0, "local redirect");
	is_int(resp.status, 303, "303 See Other");
	is_str(resp.headers.data, "Location: /admin/certs/5?x=1\r\n", "Location header");
	is_int(resp.body.len, 0, "redirect drops the body");
	cm_resp_free(&resp);

	static const char *bad[] = { "//evil.example/", "/\\evil.example", "http://evil.example/",
		"admin/", "", "/a\r\nSet-Cookie: x=y", "/a b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cm_resp_init(&resp);
		ok(cm_resp_redirect(&resp, bad[i]) == -1 && resp.status == 200 && resp.headers.len == 0,
		    "redirect refused: '%s'", bad[i]);
		cm_resp_free(&resp);
	}
}

static void
test_error_page(void)
{
	struct cm_response resp;
	struct cm_buf out;

	cm_resp_init(&resp);
	cm_buf_init(&out, 0);
	cm_resp_header(&resp, "X-Before", "1");
	cm_resp_puts(&resp, "half-built page");
	cm_resp_content_type(&resp, "application/json");
	cm_resp_error(&resp, 413, "field '<script>alert(1)</script>' & \"more\" isn't allowed");
	is_int(resp.status, 413, "error status");
	is_str(resp.content_type, "text/html; charset=utf-8", "error page is HTML");
	ok(resp.headers.len == 0, "error page drops earlier headers");
	ok(strstr(resp.body.data, "half-built") == NULL, "error page replaces the body");
	ok(strstr(resp.body.data, "413 Content Too Large") != NULL, "status text shown");
	ok(strstr(resp.body.data, "<script>") == NULL, "message escaped");
	ok(strstr(resp.body.data, "field &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; &amp; "
	    "&quot;more&quot; isn&#39;t allowed") != NULL, "message shown escaped");
	render(&resp, &out);
	ok(strncmp(out.data, "Status: 413 Content Too Large\r\n", 31) == 0, "error status line");
	cm_resp_error(&resp, 1234, NULL);
	is_int(resp.status, 500, "nonsense status becomes 500");
	cm_buf_free(&out);
	cm_resp_free(&resp);

	is_str(cm_status_text(411), "Length Required", "status text 411");
	is_str(cm_status_text(415), "Unsupported Media Type", "status text 415");
	is_str(cm_status_text(799), "Error", "unknown status text");
}

static void
test_escape(void)
{
	struct cm_buf b;
	cm_buf_init(&b, 0);
	is_int(cm_html_escape(&b, "a<b>&\"c\"'d'"), 0, "escape");
	is_str(b.data, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;", "escapes & < > \" '");
	cm_buf_reset(&b);
	cm_html_escape(&b, "plain é text");
	is_str(b.data, "plain é text", "plain text and UTF-8 untouched");
	cm_buf_reset(&b);
	cm_html_escape(&b, "");
	is_str(b.data, "", "empty string");
	cm_buf_free(&b);

	struct cm_buf small;
	cm_buf_init(&small, 8);
	is_int(cm_html_escape(&small, "<<<"), -1, "escape reports a full buffer");
	cm_buf_free(&small);
}

int
main(void)
{
	test_headers();
	test_cookies();
	test_redirect();
	test_error_page();
	test_escape();
	return tap_done();
}
