/* test_csv.c: unit tests for the admin reports' CSV cells (quoting, formula injection). */
#include "config.h"

#include <stdlib.h>

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

	/* Reading records back (the persons import). */
	{
		static const char in[] = "email,\"a \"\"q\"\"\",x\r\n\"multi\nline\",2\n\nlast";
		char *f[3] = { NULL };
		size_t pos = 0, nf = 0, len = sizeof(in) - 1;

		is_int(admin_csv_record(in, len, &pos, f, 3, &nf), 1, "first record read");
		is_int(nf, 3, "three cells");
		is_str(f[1], "a \"q\"", "quoted cell with doubled quotes");
		admin_csv_free(f, 3, nf);
		is_int(admin_csv_record(in, len, &pos, f, 3, &nf), 1, "second record read");
		is_str(f[0], "multi\nline", "a line break inside quotes stays in the cell");
		admin_csv_free(f, 3, nf);
		is_int(admin_csv_record(in, len, &pos, f, 3, &nf), 1, "an empty line is a record");
		ok(nf == 1 && f[0][0] == '\0', "of one empty cell");
		admin_csv_free(f, 3, nf);
		is_int(admin_csv_record(in, len, &pos, f, 3, &nf), 1, "last record without a line end");
		is_str(f[0], "last", "its cell");
		admin_csv_free(f, 3, nf);
		is_int(admin_csv_record(in, len, &pos, f, 3, &nf), 0, "then the end");

		static const char many[] = "a,b,c,d,e\n";
		pos = 0;
		is_int(admin_csv_record(many, sizeof(many) - 1, &pos, f, 3, &nf), 1, "a record wider than the caller's array");
		is_int(nf, 5, "counts every cell");
		admin_csv_free(f, 3, nf);

		static const char *const bad[] = { "\"open", "a\"b,c", "\"x\"y,z" };
		for (size_t k = 0; k < 3; k++) {
			pos = 0;
			is_int(admin_csv_record(bad[k], strlen(bad[k]), &pos, f, 3, &nf), -1, "malformed quoting refused");
			is_int(nf, 0, "and nothing kept");
		}
		char *big = malloc(ADMIN_CSV_CELL_MAX + 3);
		memset(big, 'a', ADMIN_CSV_CELL_MAX + 1);
		big[ADMIN_CSV_CELL_MAX + 1] = '\n';
		pos = 0;
		is_int(admin_csv_record(big, ADMIN_CSV_CELL_MAX + 2, &pos, f, 3, &nf), -1, "a cell over the limit refused");
		pos = 0;
		is_int(admin_csv_record(big + 1, ADMIN_CSV_CELL_MAX + 1, &pos, f, 3, &nf), 1, "a cell at the limit accepted");
		admin_csv_free(f, 3, nf);
		free(big);
	}
	return tap_done();
}
