/* test_multipart.c: unit tests for the streaming multipart/form-data parser. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "multipart.h"
#include "request.h"
#include "tap.h"

static char tmpdir[] = "/tmp/cm-test-multipart-XXXXXX";

#define B "----cmTestBoundary7MA4YWxk"

/* Preamble, a field, a quoted name with ';', a file whose content contains
 * boundary look-alikes, an empty field, and an epilogue. */
static const char sample[] =
    "ignored preamble\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"profile\"\r\n"
    "\r\n"
    "tls-server\r\n"
    "--" B "\r\n"
    "content-disposition: form-data; name=\"a;b\"; filename=\"x;y \\\"q\\\".csr\"\r\n"
    "Content-Type: application/pkcs10\r\n"
    "\r\n"
    "line1\r\n--" "----cmTestBoundary7MA4YWx\r\n\r\r\n-\r\n--\r\n---" "-cmTest\rline2"
    "\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=empty\r\n"
    "\r\n"
    "\r\n"
    "--" B "--\r\n"
    "epilogue, also ignored\r\n";

static const char file_content[] =
    "line1\r\n--" "----cmTestBoundary7MA4YWx\r\n\r\r\n-\r\n--\r\n---" "-cmTest\rline2";

static void
limits(struct cm_limits *lim)
{
	cm_limits_default(lim);
	lim->tmpdir = tmpdir;
}

/* Feeds body in the chunks given by cuts (ascending offsets); returns the
 * first non-zero status, or what finish says. */
static int
run(struct cm_request *r, const struct cm_limits *lim, const char *body, size_t len,
    const size_t *cuts, size_t ncuts, char *err, size_t errlen)
{
	struct cm_multipart *m = cm_multipart_new(B, r, lim);
	size_t pos = 0;
	int rc = 0;

	if (m == NULL)
		return -1;
	for (size_t i = 0; i <= ncuts && rc == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		rc = cm_multipart_feed(m, body + pos, end - pos, err, errlen);
		pos = end;
	}
	if (rc == 0)
		rc = cm_multipart_finish(m, err, errlen);
	cm_multipart_free(m);
	return rc;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (f == NULL)
		return NULL;
	buf = malloc(4096);
	*n = buf ? fread(buf, 1, 4096, f) : 0;
	fclose(f);
	return buf;
}

/* Whether r holds exactly what sample encodes; quiet so that the split loops
 * report one line each. */
static int
sample_ok(const struct cm_request *r, char *why, size_t whylen)
{
	size_t n = 0;
	char *data = NULL;
	int good = 0;

	if (r->nform != 2 || r->nfiles != 1) {
		snprintf(why, whylen, "nform %zu nfiles %zu", r->nform, r->nfiles);
		return 0;
	}
	if (strcmp(r->form[0].name, "profile") || strcmp(r->form[0].value, "tls-server")) {
		snprintf(why, whylen, "field 0: %s=%s", r->form[0].name, r->form[0].value);
		return 0;
	}
	if (strcmp(r->form[1].name, "empty") || r->form[1].value_len != 0) {
		snprintf(why, whylen, "field 1: %s (%zu)", r->form[1].name, r->form[1].value_len);
		return 0;
	}
	const struct cm_upload *u = &r->files[0];
	if (strcmp(u->field, "a;b") || strcmp(u->filename, "x;y \"q\".csr") ||
	    !u->content_type || strcmp(u->content_type, "application/pkcs10")) {
		snprintf(why, whylen, "file meta: %s %s %s", u->field, u->filename,
		    u->content_type ? u->content_type : "(null)");
		return 0;
	}
	data = slurp(u->path, &n);
	good = data && n == sizeof(file_content) - 1 && u->size == n &&
	    memcmp(data, file_content, n) == 0;
	if (!good)
		snprintf(why, whylen, "file content differs (%zu bytes, size %zu)", n, u->size);
	free(data);
	return good;
}

static void
test_boundary(void)
{
	char *b;

	b = cm_multipart_boundary("multipart/form-data; boundary=abc123");
	is_str(b, "abc123", "boundary: token");
	free(b);
	b = cm_multipart_boundary("Multipart/Form-Data;boundary=\"a b'()+_,-./:=?\"; charset=utf-8");
	is_str(b, "a b'()+_,-./:=?", "boundary: quoted, all bchars, other params");
	free(b);
	b = cm_multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=x");
	is_str(b, "x", "boundary: after another param, any case");
	free(b);
	static const char *bad[] = {
		"multipart/form-data",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/mixed; boundary=abc",
		"text/plain; boundary=abc",
		"multipart/form-data; boundary=\"unterminated",
		"multipart/form-data; boundary=a<b",
		"multipart/form-data; boundary=\"ends with space \"",
		"multipart/form-data; boundary=a; boundary=b",
		"multipart/form-dataX; boundary=a",
		"multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = cm_multipart_boundary(bad[i]);
		ok(b == NULL, "boundary refused: %s", bad[i]);
		free(b);
	}
	b = cm_multipart_boundary("multipart/form-data; boundary=1234567890123456789012345678901234567890123456789012345678901234567890");
	ok(b != NULL && strlen(b) == 70, "boundary: 70 characters accepted");
	free(b);
}

static void
test_sample_whole(void)
{
	struct cm_request r;
	struct cm_limits lim;
	char err[200] = "", why[200] = "";
	struct stat st;

	limits(&lim);
	memset(&r, 0, sizeof(r));
	is_int(run(&r, &lim, sample, sizeof(sample) - 1, NULL, 0, err, sizeof(err)), 0, "sample: parses whole");
	ok(sample_ok(&r, why, sizeof(why)), "sample: fields and file as sent (%s)", why);
	if (r.nfiles == 1) {
		ok(strncmp(r.files[0].path, tmpdir, strlen(tmpdir)) == 0, "file stored in lim->tmpdir");
		ok(stat(r.files[0].path, &st) == 0 && (st.st_mode & 0777) == 0600, "temp file is 0600");
		is_str(cm_req_form(&r, "profile"), "tls-server", "cm_req_form finds a multipart field");
		ok(cm_req_file(&r, "a;b") == &r.files[0], "cm_req_file finds the upload");
		char *path = strdup(r.files[0].path);
		cm_request_free(&r);
		ok(access(path, F_OK) != 0, "cm_request_free unlinks the temp file");
		free(path);
	} else {
		cm_request_free(&r);
	}
}

static void
test_splits(void)
{
	struct cm_limits lim;
	size_t len = sizeof(sample) - 1;
	char err[200], why[200];
	int bad = 0;

	limits(&lim);
	/* one byte at a time */
	{
		struct cm_request r;
		size_t *cuts = malloc(len * sizeof(*cuts));
		for (size_t i = 0; i < len - 1; i++)
			cuts[i] = i + 1;
		memset(&r, 0, sizeof(r));
		why[0] = '\0';
		int rc = run(&r, &lim, sample, len, cuts, len - 1, err, sizeof(err));
		ok(rc == 0 && sample_ok(&r, why, sizeof(why)), "fed one byte at a time (%d %s)", rc, why);
		cm_request_free(&r);
		free(cuts);
	}
	/* two chunks, split at every position */
	for (size_t cut = 0; cut <= len; cut++) {
		struct cm_request r;
		memset(&r, 0, sizeof(r));
		why[0] = '\0';
		int rc = run(&r, &lim, sample, len, &cut, 1, err, sizeof(err));
		if (rc != 0 || !sample_ok(&r, why, sizeof(why))) {
			if (bad++ < 3)
				printf("# split at %zu: rc %d %s %s\n", cut, rc, err, why);
		}
		cm_request_free(&r);
	}
	ok(bad == 0, "two chunks split at each of %zu positions", len + 1);
	/* random three-way splits */
	srand(42);
	bad = 0;
	for (int k = 0; k < 300; k++) {
		struct cm_request r;
		size_t cuts[2] = { (size_t)rand() % (len + 1), (size_t)rand() % (len + 1) };
		if (cuts[0] > cuts[1]) {
			size_t t = cuts[0];
			cuts[0] = cuts[1];
			cuts[1] = t;
		}
		memset(&r, 0, sizeof(r));
		int rc = run(&r, &lim, sample, len, cuts, 2, err, sizeof(err));
		if (rc != 0 || !sample_ok(&r, why, sizeof(why)))
			bad++;
		cm_request_free(&r);
	}
	ok(bad == 0, "300 random three-chunk splits");
}

/* Parses body whole; returns the status; err receives the message. */
static int
one(const char *body, const struct cm_limits *lim, char *err, size_t errlen, struct cm_request *r)
{
	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	return run(r, lim, body, strlen(body), NULL, 0, err, errlen);
}

static void
test_errors(void)
{
	struct cm_request r;
	struct cm_limits lim;
	char err[200];
	int rc;

	limits(&lim);
	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" B "\r\n", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 400, "missing closing boundary: 400");
	ok(strstr(err, "closing boundary") != NULL, "missing closing boundary: message (%s)", err);
	cm_request_free(&r);

	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", &lim, err, sizeof(err), &r);
	is_int(rc, 400, "body cut inside a part: 400");
	cm_request_free(&r);

	rc = one("no boundary at all", &lim, err, sizeof(err), &r);
	is_int(rc, 400, "no delimiter at all: 400");
	cm_request_free(&r);

	rc = one("--" B "--\r\n", &lim, err, sizeof(err), &r);
	ok(rc == 0 && r.nform == 0 && r.nfiles == 0, "only a closing delimiter: empty form");
	cm_request_free(&r);

	rc = one("--" B "\r\n\r\nvalue\r\n--" B "--", &lim, err, sizeof(err), &r);
	is_int(rc, 400, "part without Content-Disposition: 400");
	cm_request_free(&r);

	rc = one("--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 400, "disposition other than form-data: 400");
	cm_request_free(&r);

	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 400, "unterminated quoted name: 400");
	cm_request_free(&r);

	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	is_int(rc, 400, "repeated name parameter: 400");
	cm_request_free(&r);

	rc = one("--" B "\r\nbogus header line\r\n\r\nv\r\n--" B "--", &lim, err, sizeof(err), &r);
	is_int(rc, 400, "header line without ':': 400");
	cm_request_free(&r);

	rc = one("--" B "XYZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 400, "garbage after a delimiter: 400");
	cm_request_free(&r);

	rc = one("--" B "  \r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	ok(rc == 0 && r.nform == 1, "transport padding after a delimiter: accepted");
	cm_request_free(&r);

	/* header block over 8 KiB */
	{
		size_t n = 9000;
		char *body = malloc(n + 200);
		int o = sprintf(body, "--" B "\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
		memset(body + o, 'p', n);
		sprintf(body + o + n, "\r\n\r\nv\r\n--" B "--");
		rc = one(body, &lim, err, sizeof(err), &r);
		is_int(rc, 413, "part headers over 8 KiB: 413");
		ok(strstr(err, "headers") != NULL, "header cap: message (%s)", err);
		cm_request_free(&r);
		free(body);
	}

	/* field cap */
	lim.max_field = 4;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n1234\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	ok(rc == 0 && r.nform == 1 && strcmp(r.form[0].value, "1234") == 0, "field exactly max_field: kept");
	cm_request_free(&r);
	rc = one("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n12345\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 413, "field over max_field: 413");
	cm_request_free(&r);
	limits(&lim);

	/* file cap: exactly at the cap is fine, one over is 413 and leaves no file */
	lim.max_file = 10;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=f; filename=a.bin\r\n\r\n0123456789\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	ok(rc == 0 && r.nfiles == 1 && r.files[0].size == 10, "file exactly max_file: kept");
	cm_request_free(&r);
	rc = one("--" B "\r\nContent-Disposition: form-data; name=f; filename=a.bin\r\n\r\n0123456789A\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	is_int(rc, 413, "file over max_file: 413");
	ok(strstr(err, "'f'") != NULL, "file cap: message names the field (%s)", err);
	{
		char *path = r.nfiles ? strdup(r.files[0].path) : NULL;
		cm_request_free(&r);
		ok(path == NULL || access(path, F_OK) != 0, "file over cap: temp file removed by cm_request_free");
		free(path);
	}
	limits(&lim);

	/* count caps */
	lim.max_files = 1;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=f; filename=a\r\n\r\nx\r\n"
	    "--" B "\r\nContent-Disposition: form-data; name=g; filename=b\r\n\r\ny\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	is_int(rc, 413, "more files than max_files: 413");
	cm_request_free(&r);
	limits(&lim);
	lim.max_fields = 2;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	    "--" B "\r\nContent-Disposition: form-data; name=f; filename=b\r\n\r\ny\r\n"
	    "--" B "\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	is_int(rc, 413, "more fields + files than max_fields: 413");
	cm_request_free(&r);
	limits(&lim);

	/* total body cap, counted over all chunks */
	lim.max_body = 20;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--" B "--", &lim,
	    err, sizeof(err), &r);
	is_int(rc, 413, "body over max_body: 413");
	cm_request_free(&r);
	limits(&lim);

	/* after an error the parser keeps refusing */
	{
		struct cm_multipart *m;
		memset(&r, 0, sizeof(r));
		m = cm_multipart_new(B, &r, &lim);
		const char *garbage = "--" B "!!\r\n";
		rc = cm_multipart_feed(m, garbage, strlen(garbage), err, sizeof(err));
		is_int(rc, 400, "bad delimiter line: 400");
		is_int(cm_multipart_feed(m, "--", 2, err, sizeof(err)), 400, "feeding after an error: same status");
		is_int(cm_multipart_finish(m, err, sizeof(err)), 400, "finish after an error: same status");
		cm_multipart_free(m);
		cm_request_free(&r);
	}

	/* browsers send Windows paths with bare backslashes; keep them */
	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\dir\\a.csr\"\r\n\r\nx\r\n--" B "--",
	    &lim, err, sizeof(err), &r);
	is_str(r.nfiles == 1 ? r.files[0].filename : NULL, "C:\\dir\\a.csr", "filename keeps bare backslashes");
	cm_request_free(&r);

	/* a boundary whose own prefix repeats exercises the matcher's fallback */
	{
		static const char body[] = "--aab\r\nContent-Disposition: form-data; name=x\r\n\r\n"
		    "\r\n--aa\r\n--a\r\n--aac\r\n--aa\r\n--aab--";
		struct cm_multipart *m;
		memset(&r, 0, sizeof(r));
		m = cm_multipart_new("aab", &r, &lim);
		for (size_t i = 0; i < sizeof(body) - 1; i++)
			cm_multipart_feed(m, body + i, 1, err, sizeof(err));
		rc = cm_multipart_finish(m, err, sizeof(err));
		ok(rc == 0 && r.nform == 1 && strcmp(r.form[0].value, "\r\n--aa\r\n--a\r\n--aac\r\n--aa") == 0,
		    "self-overlapping boundary look-alikes kept in the value");
		cm_multipart_free(m);
		cm_request_free(&r);
	}
}

/* Field names chosen by the client reach the error text (shown and logged):
 * control bytes must not. */
static void
test_hostile_names(void)
{
	struct cm_request r;
	struct cm_limits lim;
	char err[200];
	int rc;

	limits(&lim);
	lim.max_field = 4;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"a\nFAKE LOG LINE\"\r\n\r\n"
	    "too long\r\n--" B "--\r\n", &lim, err, sizeof(err), &r);
	is_int(rc, 413, "over-long field with a newline in its name: 413");
	ok(strchr(err, '\n') == NULL && strchr(err, '\r') == NULL, "... error text has no newline (%s)", err);
	ok(strstr(err, "a?FAKE LOG LINE") != NULL, "... the name is shown with '?' for the newline");
	cm_request_free(&r);

	limits(&lim);
	lim.max_file = 4;
	rc = one("--" B "\r\nContent-Disposition: form-data; name=\"f\n\x1b[2J\"; filename=\"x\"\r\n\r\n"
	    "too long\r\n--" B "--\r\n", &lim, err, sizeof(err), &r);
	is_int(rc, 413, "over-long file with control bytes in its field name: 413");
	ok(strchr(err, '\n') == NULL && strchr(err, '\x1b') == NULL, "... error text has no control bytes (%s)", err);
	cm_request_free(&r);

	limits(&lim);
	lim.max_field = 4;
	{
		char body[600];
		char name[301];
		memset(name, 'n', 300);
		name[300] = '\0';
		snprintf(body, sizeof(body), "--" B "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
		    "too long\r\n--" B "--\r\n", name);
		rc = one(body, &lim, err, sizeof(err), &r);
		is_int(rc, 413, "over-long field with a 300-byte name: 413");
		ok(strstr(err, "...") != NULL && strlen(err) < 120, "... the name is cut short (%s)", err);
		cm_request_free(&r);
	}
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_boundary();
	test_sample_whole();
	test_splits();
	test_errors();
	test_hostile_names();
	ok(rmdir(tmpdir) == 0, "no temp files left behind");
	return tap_done();
}
