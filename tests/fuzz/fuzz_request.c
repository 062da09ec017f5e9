/* fuzz_request.c: libFuzzer target for request parsing: path, query, cookies, then the body as a form or raw route takes it. */
/* fuzz-sources: lib/request.c lib/multipart.c lib/form.c lib/buf.c lib/log.c */
/* fuzz-libs: -lcrypto */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "request.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmpdir[] = "/tmp/cm-fuzz-request-XXXXXX";

/* Every upload is unlinked per input, so the directory is empty at exit. */
static void
remove_tmpdir(void)
{
	rmdir(tmpdir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cm_log_init("fuzz", CM_LOG_ERR, 0);
	if (mkdtemp(tmpdir) == NULL)
		abort();
	atexit(remove_tmpdir);
	return 0;
}

struct body {
	const char *p;
	size_t len, pos;
};

static ssize_t
rd(void *ctx, char *buf, size_t n)
{
	struct body *b = ctx;
	size_t left = b->len - b->pos;
	if (n > left)
		n = left;
	if (n > 7)
		n = 7;      /* short reads, like a socket */
	memcpy(buf, b->p + b->pos, n);
	b->pos += n;
	return (ssize_t)n;
}

/* Input: newline-separated REQUEST_URI, QUERY_STRING, HTTP_COOKIE,
 * CONTENT_TYPE, CONTENT_LENGTH, then the body. An even-sized input is read
 * as a page's form (url-encoded or multipart), an odd one as a raw route's
 * body (two named types, a cap of its own). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "REQUEST_URI=", "QUERY_STRING=", "HTTP_COOKIE=",
		"CONTENT_TYPE=", "CONTENT_LENGTH=" };
	char *params[8] = { NULL };
	char *copy = NULL;
	struct body b = { NULL, 0, 0 };
	struct cm_request r;
	struct cm_limits lim;
	size_t np = 0;

	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *p = copy;
	params[np++] = strdup("REQUEST_METHOD=POST");
	for (size_t i = 0; i < 5; i++) {
		char *nl = memchr(p, '\n', (size_t)(copy + size - p));
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *v = malloc(strlen(names[i]) + len + 1);
		memcpy(v, names[i], strlen(names[i]));
		memcpy(v + strlen(names[i]), p, len);
		v[strlen(names[i]) + len] = '\0';
		params[np++] = v;
		if (nl == NULL) {
			p = copy + size;
			break;
		}
		p = nl + 1;
	}
	b.p = p;
	b.len = (size_t)(copy + size - p);
	cm_limits_default(&lim);
	lim.max_body = 4096;
	lim.max_field = 256;
	lim.max_fields = 16;
	lim.max_file = 512;
	lim.tmpdir = tmpdir;
	static const char *const raw_types[] = { "application/ocsp-request", "application/pkcs10", NULL };
	static const struct cm_body_rule form = { CM_BODY_FORM, 0, NULL };
	static const struct cm_body_rule raw = { CM_BODY_RAW, 1024, raw_types };
	const struct cm_body_rule *rule = (size & 1) ? &raw : &form;
	int rc = cm_request_parse_head(&r, params, rd, &b, &lim);
	if (rc == 0)
		rc = cm_request_read_body(&r, rule);
	if (rc != 0 && rc != 400 && rc != 411 && rc != 413 && rc != 415)
		abort();
	if (rc == 0 && r.body != NULL && (rule != &raw || r.body_len > raw.max || r.body[r.body_len] != '\0'))
		abort();
	if (rc == 0) {
		if (r.path == NULL || r.path[0] != '/')
			abort();
		for (size_t i = 0; i < r.nparts; i++)
			if (strcmp(r.parts[i], "..") == 0 || strchr(r.parts[i], '/'))
				abort();
		if (memchr(r.error, '\0', sizeof(r.error)) == NULL)
			abort();
	}
	cm_request_free(&r);
	for (size_t i = 0; i < np; i++)
		free(params[i]);
	free(copy);
	return 0;
}
