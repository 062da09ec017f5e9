/* fcgi_call.c: a FastCGI client for the page tests: sends one request (or a batch) to a program's socket, as Apache would. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Usage: fcgi-call -s SOCKET [options] URI
 *   -m METHOD        request method (default GET, or POST when a body is given)
 *   -U USER          REMOTE_USER, as mod_auth_gssapi sets it
 *   -c JAR           cookie jar ("name<TAB>value" lines): sent, then updated from Set-Cookie
 *   -H 'Name: v'     a request header (HTTP_NAME param)
 *   -p NAME=VALUE    any other FastCGI param
 *   -d DATA          urlencoded body part, sent as is (curl --data); parts join with '&'
 *   -e NAME=VALUE    body part with VALUE urlencoded; NAME@FILE reads it (curl --data-urlencode)
 *   -F NAME=VALUE    multipart part; NAME=@FILE[;type=T] uploads FILE (curl -F)
 *   -b FILE          raw body from FILE ("-": stdin), with -T TYPE as its Content-Type
 *   -D FILE          writes the response headers (with an "HTTP/1.1 CODE" first line) to FILE
 *   -o FILE          writes the response body to FILE (default: stdout)
 * Prints the HTTP status (curl -w '%{http_code}' style) on stdout when -o is given, "000"
 * when no response came. Exit status: 0 on a response, 1 on a transport error, 2 on usage.
 *
 * fcgi-call -s SOCKET -B: batch mode, one request per input line, each line being the
 * options above as TAB-separated words ending with the URI (give each its -o FILE, or
 * its body goes to stdout first); prints "STATUS<TAB>BODY-FILE"
 * per line. Keeps a 2,000-request matrix to one process.
 */

#define FCGI_VERSION 1
#define FCGI_BEGIN_REQUEST 1
#define FCGI_END_REQUEST 3
#define FCGI_PARAMS 4
#define FCGI_STDIN 5
#define FCGI_STDOUT 6
#define FCGI_STDERR 7
#define FCGI_RESPONDER 1
#define REQ_ID 1
/* Far above any page the programs render; a larger answer is a bug worth a failure. */
#define MAX_RESPONSE (64u << 20)

struct buf {
	char *p;
	size_t n, cap;
};

struct call {
	const char *sock, *method, *user, *jar, *hdr_out, *body_out, *raw_body, *raw_type, *uri;
	const char *hdrs[32], *params[32], *data[256], *form[64];
	int nhdrs, nparams, ndata, nform;
	int data_enc[256];	/* 1: -e (urlencode the value), 0: -d (as is) */
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fcgi-call: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
puts_b(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Reads a whole file ("-": stdin) into b; 0 or -1 with errno. */
static int
slurp(const char *path, struct buf *b)
{
	char tmp[8192];
	ssize_t r;
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		put(b, tmp, (size_t)r);
	if (fd != 0)
		close(fd);
	return r < 0 ? -1 : 0;
}

static void
urlencode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			put(b, &c, 1);
		else if (c == ' ')
			put(b, "+", 1);
		else
			put(b, e, 3);
	}
}

/* One -e argument as curl --data-urlencode reads it: "name=value", "name@file",
 * "=value" or "value". */
static void
data_urlencode(struct buf *b, const char *arg)
{
	const char *eq = strchr(arg, '='), *at = strchr(arg, '@');

	if (at != NULL && (eq == NULL || at < eq)) {
		struct buf f = { 0 };

		if (slurp(at + 1, &f) < 0)
			die("%s: %s", at + 1, strerror(errno));
		put(b, arg, (size_t)(at - arg));
		puts_b(b, "=");
		urlencode(b, f.p ? f.p : "", f.n);
		free(f.p);
	} else if (eq != NULL) {
		put(b, arg, (size_t)(eq - arg));
		if (eq != arg)
			puts_b(b, "=");
		urlencode(b, eq + 1, strlen(eq + 1));
	} else {
		urlencode(b, arg, strlen(arg));
	}
}

/* One -F part as curl -F writes it. */
static void
form_part(struct buf *b, const char *boundary, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL)
		die("-F %s: NAME=VALUE expected", arg);
	puts_b(b, "--");
	puts_b(b, boundary);
	puts_b(b, "\r\nContent-Disposition: form-data; name=\"");
	put(b, arg, (size_t)(eq - arg));
	puts_b(b, "\"");
	if (eq[1] == '@') {
		char path[4096];
		const char *type = "application/octet-stream", *semi, *base;
		struct buf f = { 0 };

		snprintf(path, sizeof(path), "%s", eq + 2);
		if ((semi = strstr(eq + 2, ";type=")) != NULL) {
			path[semi - (eq + 2)] = '\0';
			type = semi + 6;
		}
		if (slurp(path, &f) < 0)
			die("%s: %s", path, strerror(errno));
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		puts_b(b, "; filename=\"");
		puts_b(b, base);
		puts_b(b, "\"\r\nContent-Type: ");
		puts_b(b, type);
		puts_b(b, "\r\n\r\n");
		if (f.n)
			put(b, f.p, f.n);
		free(f.p);
	} else {
		puts_b(b, "\r\n\r\n");
		puts_b(b, eq + 1);
	}
	puts_b(b, "\r\n");
}

static void
rec(struct buf *out, int type, const void *p, size_t n)
{
	unsigned char h[8] = { FCGI_VERSION, (unsigned char)type, 0, REQ_ID,
		(unsigned char)(n >> 8), (unsigned char)(n & 0xff), 0, 0 };

	put(out, h, 8);
	if (n)
		put(out, p, n);
}

static void
nv_len(struct buf *b, size_t n)
{
	unsigned char l4[4] = { (unsigned char)((n >> 24) | 0x80), (unsigned char)(n >> 16),
		(unsigned char)(n >> 8), (unsigned char)n };
	unsigned char l1 = (unsigned char)n;

	if (n < 128)
		put(b, &l1, 1);
	else
		put(b, l4, 4);
}

static void
param(struct buf *pb, const char *name, size_t nl, const char *value)
{
	size_t vl = strlen(value);

	nv_len(pb, nl);
	nv_len(pb, vl);
	put(pb, name, nl);
	put(pb, value, vl);
}

/* Cookie header from the jar; empty when there is none. */
static void
jar_read(const char *jar, struct buf *cookie)
{
	char line[4096];
	FILE *f = jar ? fopen(jar, "r") : NULL;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = '\0';
		if (tab == NULL)
			continue;
		*tab = '=';
		if (cookie->n)
			puts_b(cookie, "; ");
		puts_b(cookie, line);
	}
	fclose(f);
}

/* Applies the response's Set-Cookie headers to the jar (Max-Age=0 deletes). */
static void
jar_update(const char *jar, const char *hdrs)
{
	char names[64][256], values[64][1024], line[4096];
	int n = 0, changed = 0;
	FILE *f;

	if (jar == NULL)
		return;
	if ((f = fopen(jar, "r")) != NULL) {
		while (n < 64 && fgets(line, sizeof(line), f)) {
			char *tab = strchr(line, '\t');

			line[strcspn(line, "\r\n")] = '\0';
			if (tab == NULL)
				continue;
			*tab = '\0';
			snprintf(names[n], sizeof(names[n]), "%.255s", line);
			snprintf(values[n], sizeof(values[n]), "%.1023s", tab + 1);
			n++;
		}
		fclose(f);
	}
	for (const char *h = hdrs; h && *h; h = strchr(h, '\n') ? strchr(h, '\n') + 1 : NULL) {
		char name[256], value[1024];
		const char *eol = strchr(h, '\n'), *v, *eq, *semi;
		size_t len = eol ? (size_t)(eol - h) : strlen(h);
		int del, i;

		if (len < 11 || strncasecmp(h, "Set-Cookie:", 11) != 0)
			continue;
		v = h + 11;
		while (*v == ' ')
			v++;
		eq = memchr(v, '=', len - (size_t)(v - h));
		if (eq == NULL || (size_t)(eq - v) >= sizeof(name))
			continue;
		semi = eq + strcspn(eq, ";\r\n");
		snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
		snprintf(value, sizeof(value), "%.*s", (int)(semi - eq - 1), eq + 1);
		del = value[0] == '\0' || (strcasestr(h, "Max-Age=0") != NULL &&
		    strcasestr(h, "Max-Age=0") < h + len);
		for (i = 0; i < n && strcmp(names[i], name) != 0; i++)
			;
		if (del && i < n) {
			memmove(names[i], names[i + 1], sizeof(names[0]) * (size_t)(n - i - 1));
			memmove(values[i], values[i + 1], sizeof(values[0]) * (size_t)(n - i - 1));
			n--;
		} else if (!del && i < 64) {
			snprintf(names[i], sizeof(names[i]), "%s", name);
			snprintf(values[i], sizeof(values[i]), "%s", value);
			if (i == n)
				n++;
		}
		changed = 1;
	}
	if (!changed)
		return;
	if ((f = fopen(jar, "w")) == NULL)
		die("%s: %s", jar, strerror(errno));
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\t%s\n", names[i], values[i]);
	fclose(f);
}

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Sends c and collects stdout into resp; the program's stderr records go to ours.
 * 0, or -1 (message printed) when the exchange failed. */
static int
exchange(const struct call *c, struct buf *resp)
{
	struct buf out = { 0 }, pb = { 0 }, body = { 0 }, cookie = { 0 }, ctype = { 0 };
	struct sockaddr_un sa;
	const char *q = strchr(c->uri, '?'), *method = c->method;
	char clen[32];
	int fd = -1, rc = -1, ended = 0;
	unsigned char begin[8] = { 0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0 };

	if (c->nform) {
		const char *boundary = "------------------------certmintfcgicall0123";

		for (int i = 0; i < c->nform; i++)
			form_part(&body, boundary, c->form[i]);
		puts_b(&body, "--");
		puts_b(&body, boundary);
		puts_b(&body, "--\r\n");
		puts_b(&ctype, "multipart/form-data; boundary=");
		puts_b(&ctype, boundary);
	} else if (c->ndata) {
		for (int i = 0; i < c->ndata; i++) {
			if (i)
				puts_b(&body, "&");
			if (c->data_enc[i])
				data_urlencode(&body, c->data[i]);
			else
				puts_b(&body, c->data[i]);
		}
		puts_b(&ctype, "application/x-www-form-urlencoded");
	} else if (c->raw_body) {
		if (slurp(c->raw_body, &body) < 0)
			die("%s: %s", c->raw_body, strerror(errno));
		puts_b(&ctype, c->raw_type ? c->raw_type : "application/octet-stream");
	}
	if (method == NULL)
		method = (c->nform || c->ndata || c->raw_body) ? "POST" : "GET";
	/* -H 'Content-Type: ...' wins over the type the body options imply, as with curl. */
	for (int i = 0; i < c->nhdrs; i++)
		if (strncasecmp(c->hdrs[i], "Content-Type:", 13) == 0) {
			const char *v = c->hdrs[i] + 13;

			while (*v == ' ')
				v++;
			ctype.n = 0;
			puts_b(&ctype, v);
		}

	param(&pb, "GATEWAY_INTERFACE", 17, "CGI/1.1");
	param(&pb, "SERVER_PROTOCOL", 15, "HTTP/1.1");
	param(&pb, "SERVER_NAME", 11, "localhost");
	param(&pb, "HTTP_HOST", 9, "localhost");
	param(&pb, "REMOTE_ADDR", 11, "127.0.0.1");
	param(&pb, "REQUEST_METHOD", 14, method);
	param(&pb, "REQUEST_URI", 11, c->uri);
	param(&pb, "QUERY_STRING", 12, q ? q + 1 : "");
	if (c->user) {
		param(&pb, "REMOTE_USER", 11, c->user);
		param(&pb, "AUTH_TYPE", 9, "Negotiate");
	}
	jar_read(c->jar, &cookie);
	if (cookie.n)
		param(&pb, "HTTP_COOKIE", 11, cookie.p);
	if (ctype.n || strcmp(method, "POST") == 0) {
		snprintf(clen, sizeof(clen), "%zu", body.n);
		param(&pb, "CONTENT_LENGTH", 14, clen);
		if (ctype.n)
			param(&pb, "CONTENT_TYPE", 12, ctype.p);
	}
	for (int i = 0; i < c->nhdrs; i++) {
		char name[256];
		const char *colon = strchr(c->hdrs[i], ':'), *v;
		size_t k = 5;

		if (colon == NULL || colon - c->hdrs[i] > 200)
			die("-H %s: 'Name: value' expected", c->hdrs[i]);
		memcpy(name, "HTTP_", 5);
		for (const char *s = c->hdrs[i]; s < colon; s++)
			name[k++] = *s == '-' ? '_' : (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
		name[k] = '\0';
		for (v = colon + 1; *v == ' '; v++)
			;
		if (strcmp(name, "HTTP_CONTENT_TYPE") != 0)	/* sent as CONTENT_TYPE above */
			param(&pb, name, k, v);
	}
	for (int i = 0; i < c->nparams; i++) {
		const char *eq = strchr(c->params[i], '=');

		if (eq == NULL)
			die("-p %s: NAME=VALUE expected", c->params[i]);
		param(&pb, c->params[i], (size_t)(eq - c->params[i]), eq + 1);
	}

	rec(&out, FCGI_BEGIN_REQUEST, begin, 8);
	for (size_t off = 0; off < pb.n; off += 65535)
		rec(&out, FCGI_PARAMS, pb.p + off, pb.n - off > 65535 ? 65535 : pb.n - off);
	rec(&out, FCGI_PARAMS, NULL, 0);
	for (size_t off = 0; off < body.n; off += 65535)
		rec(&out, FCGI_STDIN, body.p + off, body.n - off > 65535 ? 65535 : body.n - off);
	rec(&out, FCGI_STDIN, NULL, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(c->sock) >= sizeof(sa.sun_path))
		die("%s: socket path too long", c->sock);
	strcpy(sa.sun_path, c->sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "fcgi-call: %s: %s\n", c->sock, strerror(errno));
		goto out;
	}
	if (write_full(fd, out.p, out.n) < 0) {
		fprintf(stderr, "fcgi-call: sending: %s\n", strerror(errno));
		goto out;
	}
	while (!ended) {
		unsigned char h[8], pad[256];
		size_t n;
		char *content;

		if (read_full(fd, h, 8) < 0) {
			fprintf(stderr, "fcgi-call: the program closed the connection early\n");
			goto out;
		}
		n = (size_t)h[4] << 8 | h[5];
		if ((content = malloc(n + 1)) == NULL)
			die("out of memory");
		if (read_full(fd, content, n) < 0 || read_full(fd, pad, h[6]) < 0) {
			free(content);
			fprintf(stderr, "fcgi-call: short record\n");
			goto out;
		}
		if (h[1] == FCGI_STDOUT) {
			if (resp->n + n > MAX_RESPONSE) {
				free(content);
				fprintf(stderr, "fcgi-call: response larger than %u bytes\n", MAX_RESPONSE);
				goto out;
			}
			put(resp, content, n);
		} else if (h[1] == FCGI_STDERR) {
			fwrite(content, 1, n, stderr);
		} else if (h[1] == FCGI_END_REQUEST) {
			ended = 1;
		}
		free(content);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(out.p);
	free(pb.p);
	free(body.p);
	free(cookie.p);
	free(ctype.p);
	return rc;
}

/* Splits the CGI response, writes the headers and body where c says, updates the
 * jar; returns the status (200 when the program named none). */
static int
deliver(const struct call *c, struct buf *resp, FILE *body_default)
{
	char *sep, *hdrs;
	size_t hlen, skip;
	int status = 200;
	FILE *f;

	if (resp->p == NULL)
		put(resp, "", 0);
	if ((sep = strstr(resp->p, "\r\n\r\n")) != NULL) {
		hlen = (size_t)(sep - resp->p) + 2;	/* the last header keeps its line end */
		skip = 2;
	} else if ((sep = strstr(resp->p, "\n\n")) != NULL) {
		hlen = (size_t)(sep - resp->p) + 1;
		skip = 1;
	} else {
		hlen = resp->n;
		skip = 0;
	}
	if ((hdrs = malloc(hlen + 1)) == NULL)
		die("out of memory");
	memcpy(hdrs, resp->p, hlen);
	hdrs[hlen] = '\0';
	for (const char *h = hdrs; h && *h; h = strchr(h, '\n') ? strchr(h, '\n') + 1 : NULL)
		if (strncasecmp(h, "Status:", 7) == 0)
			status = atoi(h + 7);
	jar_update(c->jar, hdrs);
	if (c->hdr_out) {
		if ((f = fopen(c->hdr_out, "w")) == NULL)
			die("%s: %s", c->hdr_out, strerror(errno));
		fprintf(f, "HTTP/1.1 %d\r\n%s\r\n", status, hdrs);
		fclose(f);
	}
	f = c->body_out ? fopen(c->body_out, "w") : body_default;
	if (f == NULL)
		die("%s: %s", c->body_out, strerror(errno));
	/* A HEAD answer has no body, as Apache would send it. */
	if (strcmp(c->method ? c->method : "", "HEAD") != 0)
		fwrite(resp->p + hlen + skip, 1, resp->n - hlen - skip, f);
	if (f != body_default)
		fclose(f);
	else
		fflush(f);
	free(hdrs);
	return status;
}

/* Parses argv into c (reset first); the URI is the one operand. 0 or -1 on bad usage. */
static int
parse(struct call *c, int argc, char **argv, const char *sock)
{
	int ch;

	memset(c, 0, sizeof(*c));
	c->sock = sock;
	optind = 1;
	while ((ch = getopt(argc, argv, "s:m:U:c:H:p:d:e:F:b:T:D:o:B")) != -1) {
		switch (ch) {
		case 's': c->sock = optarg; break;
		case 'm': c->method = optarg; break;
		case 'U': c->user = optarg; break;
		case 'c': c->jar = optarg; break;
		case 'H':
			if (c->nhdrs == 32) return -1;
			c->hdrs[c->nhdrs++] = optarg;
			break;
		case 'p':
			if (c->nparams == 32) return -1;
			c->params[c->nparams++] = optarg;
			break;
		case 'd':
		case 'e':
			if (c->ndata == 256) return -1;
			c->data_enc[c->ndata] = ch == 'e';
			c->data[c->ndata++] = optarg;
			break;
		case 'F':
			if (c->nform == 64) return -1;
			c->form[c->nform++] = optarg;
			break;
		case 'b': c->raw_body = optarg; break;
		case 'T': c->raw_type = optarg; break;
		case 'D': c->hdr_out = optarg; break;
		case 'o': c->body_out = optarg; break;
		case 'B': break;
		default: return -1;
		}
	}
	if (optind != argc - 1 || c->sock == NULL)
		return -1;
	c->uri = argv[optind];
	return 0;
}

/* Batch mode: each stdin line is a TAB-separated argument list. 0, or 1 when a
 * request failed in transport. */
static int
batch(const char *sock)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *argv[512];
		int argc = 0;
		struct call c;
		struct buf resp = { 0 };

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		argv[argc++] = "fcgi-call";
		for (char *s = line, *tab; s != NULL && argc < 511; s = tab ? tab + 1 : NULL) {
			if ((tab = strchr(s, '\t')) != NULL)
				*tab = '\0';
			argv[argc++] = s;
		}
		argv[argc] = NULL;
		if (parse(&c, argc, argv, sock) < 0)
			die("batch line: bad arguments");
		if (exchange(&c, &resp) < 0) {
			printf("000\t%s\n", c.body_out ? c.body_out : "");
			rc = 1;
		} else {
			printf("%d\t%s\n", deliver(&c, &resp, stdout), c.body_out ? c.body_out : "");
		}
		fflush(stdout);
		free(resp.p);
	}
	free(line);
	return rc;
}

int
main(int argc, char **argv)
{
	struct call c;
	struct buf resp = { 0 };
	int status;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-B") == 0) {
			const char *sock = NULL;

			for (int j = 1; j + 1 < argc; j++)
				if (strcmp(argv[j], "-s") == 0)
					sock = argv[j + 1];
			if (sock == NULL)
				die("-B needs -s SOCKET");
			return batch(sock);
		}
	if (parse(&c, argc, argv, NULL) < 0) {
		fputs("usage: fcgi-call -s SOCKET [-m METHOD] [-U USER] [-c JAR] [-H HDR] [-p NAME=VALUE]\n"
		    "       [-d DATA] [-e NAME=VALUE|NAME@FILE] [-F NAME=VALUE|NAME=@FILE[;type=T]]\n"
		    "       [-b FILE -T TYPE] [-D HEADERS] [-o BODY] URI\n"
		    "       fcgi-call -s SOCKET -B < requests\n", stderr);
		return 2;
	}
	if (exchange(&c, &resp) < 0) {
		if (c.body_out)
			puts("000");
		return 1;
	}
	status = deliver(&c, &resp, stdout);
	if (c.body_out)
		printf("%d", status);
	free(resp.p);
	return 0;
}
