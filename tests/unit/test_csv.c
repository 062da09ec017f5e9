/* test_csv.c: unit tests for the admin reports' CSV cells (quoting, formula injection). */
#include "config.h"

#include <string.h>

#include "csv.h"
#include "tap.h"

/* One cell of s, as text (into out). */
static void
cell(const char *s, char *out, size_t outlen)
{
	struct cm_buf b;

	cm_buf_init(&b, 0);
	if (admin_csv_cell(&b, s) < 0 || b.data == NULL)
		snprintf(out, outlen, "(error)");
	else
		snprintf(out, outlen, "%s", b.data);
	cm_buf_free(&b);
}

int
main(void)
{
	char got[256];
	struct cm_buf b;
	const char *row[] = { "1", "a,b", NULL, "=SUM(A1)" };

	cell("www.demo.test", got, sizeof(got));
	is_str(got, "\"www.demo.test\"", "a plain cell is quoted");
	cell("", got, sizeof(got));
	is_str(got, "\"\"", "an empty cell");
	cell(NULL, got, sizeof(got));
	is_str(got, "\"\"", "NULL is an empty cell");
	cell("say \"hi\"", got, sizeof(got));
	is_str(got, "\"say \"\"hi\"\"\"", "inner quotes are doubled");
	cell("a,b\r\nc", got, sizeof(got));
	is_str(got, "\"a,b\r\nc\"", "commas and line breaks stay inside the quotes");
	cell("=cmd|' /C calc'!A0", got, sizeof(got));
	is_str(got, "\"'=cmd|' /C calc'!A0\"", "a leading = is neutralised");
	cell("+1", got, sizeof(got));
	is_str(got, "\"'+1\"", "a leading + is neutralised");
	cell("-2+3", got, sizeof(got));
	is_str(got, "\"'-2+3\"", "a leading - is neutralised");
	cell("@SUM(1)", got, sizeof(got));
	is_str(got, "\"'@SUM(1)\"", "a leading @ is neutralised");
	cell("\t=1", got, sizeof(got));
	is_str(got, "\"'\t=1\"", "a leading tab is neutralised");
	cell("=\"x\"", got, sizeof(got));
	is_str(got, "\"'=\"\"x\"\"\"", "neutralised and quotes doubled together");
	cell("a=b", got, sizeof(got));
	is_str(got, "\"a=b\"", "an = inside the cell is left alone");

	cm_buf_init(&b, 0);
	ok(admin_csv_row(&b, row, 4) == 0, "a row is written");
	is_str(b.data, "\"1\",\"a,b\",\"\",\"'=SUM(A1)\"\r\n", "a row: cells, commas, CRLF");
	cm_buf_free(&b);

	cm_buf_init(&b, 8);
	ok(cm_buf_puts(&b, "ab") == 0, "a small buffer holds a prefix");
	ok(admin_csv_row(&b, row, 4) < 0, "a row that does not fit fails");
	is_str(b.data, "ab", "and leaves the buffer as it was");
	cm_buf_free(&b);
	return tap_done();
}
