/* test_form.c: unit tests for urlencoded form and query string parsing. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "tap.h"

struct parsed {
	struct cm_param *p;
	size_t n;
	int rc;
	int err_no;
	char err[200];
};

static void
parse(struct parsed *x, const char *s, size_t max_field, size_t max_fields)
{
	memset(x, 0, sizeof(*x));
	x->rc = cm_form_parse(s, strlen(s), max_field, max_fields, &x->p, &x->n, x->err, sizeof(x->err));
	x->err_no = x->rc < 0 ? errno : 0;
}

static void
done(struct parsed *x)
{
	cm_params_free(x->p, x->n);
	x->p = NULL;
	x->n = 0;
}

static void
test_decode(void)
{
	size_t n = 0;
	char *s;

	s = cm_url_decode("a%20b+c%2Bd", 11, 1, &n);
	is_str(s, "a b c+d", "decode: %20, '+' as space, %2B as plus");
	is_int(n, 7, "decode: length");
	free(s);
	s = cm_url_decode("a+b", 3, 0, &n);
	is_str(s, "a+b", "decode: '+' kept outside forms");
	free(s);
	s = cm_url_decode("%C3%a9", 6, 1, &n);
	is_str(s, "\xc3\xa9", "decode: upper and lower case hex");
	free(s);
	s = cm_url_decode("", 0, 1, &n);
	is_str(s, "", "decode: empty");
	is_int(n, 0, "decode: empty length");
	free(s);
	s = cm_url_decode("x%00y", 5, 1, &n);
	ok(s && n == 3 && s[1] == '\0' && s[2] == 'y', "decode: %%00 kept, length says 3");
	free(s);

	static const char *bad[] = { "%", "%2", "a%", "%zz", "%2g", "%g2", "100%", "%%41" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		s = cm_url_decode(bad[i], strlen(bad[i]), 1, &n);
		ok(s == NULL && errno == EINVAL, "decode: '%s' is malformed", bad[i]);
		free(s);
	}
	/* length is honoured: the escape is cut off by len, not by the NUL */
	s = cm_url_decode("%41", 2, 1, &n);
	ok(s == NULL, "decode: escape truncated by len is malformed");
	free(s);
}

static void
test_basic(void)
{
	struct parsed x;

	parse(&x, "a=1&b=%20x&c=hello+world", 100, 10);
	is_int(x.rc, 0, "basic: parses");
	is_int(x.n, 3, "basic: three fields");
	if (x.n == 3) {
		is_str(x.p[0].name, "a", "basic: name a");
		is_str(x.p[0].value, "1", "basic: a=1");
		is_str(x.p[1].value, " x", "basic: b is ' x'");
		is_str(x.p[2].value, "hello world", "basic: '+' is a space");
		is_int(x.p[2].value_len, 11, "basic: value_len");
	}
	done(&x);

	parse(&x, "", 100, 10);
	ok(x.rc == 0 && x.n == 0, "empty input: no fields");
	done(&x);

	parse(&x, "&&&", 100, 10);
	ok(x.rc == 0 && x.n == 0, "only separators: no fields");
	done(&x);

	parse(&x, "a=&b&=c&d==", 100, 10);
	is_int(x.rc, 0, "empty values: parses");
	is_int(x.n, 4, "empty values: four fields");
	if (x.n == 4) {
		ok(strcmp(x.p[0].name, "a") == 0 && strcmp(x.p[0].value, "") == 0, "a= gives empty value");
		ok(strcmp(x.p[1].name, "b") == 0 && strcmp(x.p[1].value, "") == 0, "bare b gives empty value");
		ok(strcmp(x.p[2].name, "") == 0 && strcmp(x.p[2].value, "c") == 0, "=c gives empty name");
		is_str(x.p[3].value, "=", "d== keeps the second '='");
	}
	done(&x);

	parse(&x, "x=1&x=2&y=3&x=4", 100, 10);
	is_int(x.n, 4, "repeated names: all kept in order");
	if (x.n == 4) {
		is_str(x.p[0].value, "1", "repeated names: first is first");
		is_str(x.p[3].value, "4", "repeated names: last is last");
	}
	done(&x);

	parse(&x, "csr=-----BEGIN%20CERTIFICATE%20REQUEST-----%0D%0AMIIB%2F%3D%3D", 1000, 10);
	is_str(x.n == 1 ? x.p[0].value : NULL, "-----BEGIN CERTIFICATE REQUEST-----\r\nMIIB/==",
	    "PEM-like value with CRLF and base64 escapes");
	done(&x);

	parse(&x, "v=a%00b", 100, 10);
	ok(x.rc == 0 && x.n == 1 && x.p[0].value_len == 3 && x.p[0].value[2] == 'b',
	    "NUL in a value: kept, value_len 3");
	done(&x);

	parse(&x, "a%00b=1", 100, 10);
	ok(x.rc < 0 && x.err_no == EINVAL && x.n == 0, "NUL in a name: refused");
	done(&x);
}

static void
test_errors(void)
{
	struct parsed x;

	parse(&x, "a=1&bad=%zz&c=3", 100, 10);
	is_int(x.rc, -1, "bad escape: refused");
	is_int(x.err_no, EINVAL, "bad escape: EINVAL");
	ok(strstr(x.err, "bad") && strstr(x.err, "escape"), "bad escape: message names the field (%s)", x.err);
	is_int(x.n, 0, "bad escape: fields from this call removed");
	done(&x);

	parse(&x, "na%2me=1", 100, 10);
	ok(x.rc < 0 && x.err_no == EINVAL, "bad escape in a name: refused");
	done(&x);

	parse(&x, "a=1%", 100, 10);
	ok(x.rc < 0 && x.err_no == EINVAL, "trailing '%%': refused");
	done(&x);

	parse(&x, "a=12345", 5, 10);
	ok(x.rc == 0 && x.n == 1, "value exactly max_field: accepted");
	done(&x);

	parse(&x, "a=123456", 5, 10);
	ok(x.rc < 0 && x.err_no == E2BIG, "value one over max_field: E2BIG");
	ok(strstr(x.err, "'a'") && strstr(x.err, "5 bytes"), "over max_field: clear message (%s)", x.err);
	done(&x);

	parse(&x, "a=%41%42%43%44%45", 5, 10);
	ok(x.rc == 0 && x.n == 1 && strcmp(x.p[0].value, "ABCDE") == 0,
	    "cap applies to the decoded length");
	done(&x);

	parse(&x, "abcdef=1", 5, 10);
	ok(x.rc < 0 && x.err_no == E2BIG, "name over max_field: E2BIG");
	done(&x);

	parse(&x, "a=1&b=2&c=3", 100, 3);
	ok(x.rc == 0 && x.n == 3, "exactly max_fields: accepted");
	done(&x);

	parse(&x, "a=1&b=2&c=3&d=4", 100, 3);
	ok(x.rc < 0 && x.err_no == E2BIG && x.n == 0, "one over max_fields: E2BIG, nothing kept");
	ok(strstr(x.err, "too many") != NULL, "over max_fields: clear message (%s)", x.err);
	done(&x);

	/* appending keeps what was there, and the cap counts it */
	struct cm_param *p = NULL;
	size_t n = 0;
	char err[100];
	is_int(cm_form_parse("a=1", 3, 10, 3, &p, &n, err, sizeof(err)), 0, "append: first call");
	is_int(cm_form_parse("b=2&c=3", 7, 10, 3, &p, &n, err, sizeof(err)), 0, "append: second call");
	is_int(n, 3, "append: three fields");
	is_int(cm_form_parse("d=4", 3, 10, 3, &p, &n, err, sizeof(err)), -1, "append: cap counts earlier fields");
	is_int(n, 3, "append: earlier fields survive a failed call");
	is_str(n == 3 ? p[2].value : NULL, "3", "append: earlier values intact");
	cm_params_free(p, n);

	/* control characters in a field name never reach the message */
	parse(&x, "a\r\nb=%z", 100, 10);
	ok(x.rc < 0 && strchr(x.err, '\r') == NULL && strchr(x.err, '\n') == NULL,
	    "error message has no control characters");
	done(&x);
}

int
main(void)
{
	test_decode();
	test_basic();
	test_errors();
	return tap_done();
}
