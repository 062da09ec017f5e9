/* test_conffile.c: unit tests for the configuration file parser. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "tap.h"

struct demo {
	char *name;
	long port;
	int on;
	char *prof;
};

static const struct cm_conf_field demo_fields[] = {
	{ "", "name", CM_CONF_STR, offsetof(struct demo, name), 0, 0 },
	{ "net", "port", CM_CONF_INT, offsetof(struct demo, port), 1, 65535 },
	{ "net", "on", CM_CONF_BOOL, offsetof(struct demo, on), 0, 0 },
	{ "profile tls-server", "eku", CM_CONF_STR, offsetof(struct demo, prof), 0, 0 },
	{ NULL, NULL, 0, 0, 0, 0 }
};

static int
demo_cb(void *ctx, const char *section, const char *key, const char *value, char *err, size_t errlen)
{
	return cm_conf_apply(demo_fields, ctx, section, key, value, err, errlen);
}

static int
parse(const char *text, struct demo *d, char *err)
{
	memset(d, 0, sizeof(*d));
	return cm_conf_parse_buf(text, strlen(text), "t.conf", demo_cb, d, err, 256);
}

int
main(void)
{
	struct demo d;
	char err[256];

	ok(parse("# comment\nname = \"hello world\"\n[net]\nport=8080\non = yes\n"
	    "[profile   tls-server]\neku = serverAuth\n", &d, err) == 0, "valid file parses");
	is_str(d.name, "hello world", "quoted string value");
	is_int(d.port, 8080, "integer value");
	is_int(d.on, 1, "bool value");
	is_str(d.prof, "serverAuth", "section name with inner blanks collapsed");
	cm_conf_free_fields(demo_fields, &d);

	ok(parse("[net]\nbogus = 1\n", &d, err) == -1, "unknown key fails");
	ok(strstr(err, "t.conf:2: unknown key 'bogus' in [net]") != NULL, "unknown key reported with line: %s", err);
	cm_conf_free_fields(demo_fields, &d);

	ok(parse("[net]\nport = 70000\n", &d, err) == -1, "out of range int fails");
	ok(strstr(err, "outside 1..65535") != NULL, "range error says the bounds");
	ok(parse("[net]\nport = 80x\n", &d, err) == -1, "non-number fails");
	ok(parse("[net]\non = maybe\n", &d, err) == -1, "bad bool fails");
	ok(parse("[net\nport = 1\n", &d, err) == -1, "unclosed section fails");
	ok(parse("just words\n", &d, err) == -1, "line without '=' fails");
	ok(parse("= 5\n", &d, err) == -1, "empty key fails");
	ok(parse("[]\n", &d, err) == -1, "empty section name fails");

	char *big = malloc(CM_CONF_MAX_LINE + 20);
	memset(big, 'a', CM_CONF_MAX_LINE + 10);
	memcpy(big, "name = ", 7);
	big[CM_CONF_MAX_LINE + 10] = '\0';
	ok(parse(big, &d, err) == -1 && strstr(err, "line longer") != NULL, "over-long line refused");
	free(big);
	cm_conf_free_fields(demo_fields, &d);

	char nul[] = "name = a\0b\n";
	memset(&d, 0, sizeof(d));
	ok(cm_conf_parse_buf(nul, sizeof(nul) - 1, "t.conf", demo_cb, &d, err, sizeof(err)) == -1,
	    "NUL byte refused");
	cm_conf_free_fields(demo_fields, &d);

	ok(cm_conf_parse_file("/nonexistent/x.conf", demo_cb, &d, err, sizeof(err)) == -1,
	    "missing file fails");
	ok(strstr(err, "/nonexistent/x.conf") != NULL, "missing file error names the file");
	is_int(cm_conf_bool("off"), 0, "bool off");
	is_int(cm_conf_bool("TRUE"), 1, "bool TRUE");
	return tap_done();
}
