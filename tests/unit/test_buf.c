/* test_buf.c: unit tests for the byte buffer's JSON string literals (cm_buf_json_str). */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "tap.h"

/* The literal cm_buf_json_str writes for s, in a static buffer for is_str. */
static const char *
json(const char *s)
{
	static char out[256];
	struct cm_buf b;

	cm_buf_init(&b, 0);
	if (cm_buf_json_str(&b, s) < 0)
		snprintf(out, sizeof(out), "(failed)");
	else
		snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	cm_buf_free(&b);
	return out;
}

int
main(void)
{
	is_str(json(NULL), "null", "NULL is null");
	is_str(json(""), "\"\"", "the empty string");
	is_str(json("plain text"), "\"plain text\"", "printable ASCII is kept");
	is_str(json("a\"b\\c"), "\"a\\\"b\\\\c\"", "quote and backslash are escaped");
	is_str(json("tab\there\nnl\r\x01"), "\"tab\\u0009here\\u000anl\\u000d\\u0001\"",
	    "control characters become \\u00XX");
	is_str(json("del\x7f."), "\"del\\u007f.\"", "DEL (0x7f) becomes \\u007f");
	is_str(json("~\x7f\x1f"), "\"~\\u007f\\u001f\"", "~ is kept, DEL and 0x1f escaped");
	is_str(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"", "UTF-8 bytes pass through");

	/* A cap the literal does not fit in: -1, the buffer as it was. */
	struct cm_buf b;
	cm_buf_init(&b, 8);
	is_int(cm_buf_puts(&b, "ab"), 0, "two bytes fit under a cap of 8");
	is_int(cm_buf_json_str(&b, "\x7f\x7f"), -1, "a literal past the cap fails");
	ok(b.len <= 8, "the buffer stays under its cap (len %zu)", b.len);
	cm_buf_free(&b);
	return tap_done();
}
