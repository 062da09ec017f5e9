/* test_csv_file.c: unit tests for the CSV upload checks behind the imports (header, structure, row cap, unquoting). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "tap.h"

static const char *const header[3] = { "principal", "name", "scope" };

/* admin_csv_file_check of s with a cap of 2 rows; why into why. */
static int
check(const char *s, size_t len, size_t *pos, char *why, size_t whylen)
{
	*pos = 0;
	return admin_csv_file_check(s, len, header, 3, 2, pos, why, whylen);
}

int
main(void)
{
	char why[256];
	size_t pos;

	{
		static const char in[] = "principal,name,scope\r\na@B,x,y\r\nc@D,z,w\r\n";

		is_int(check(in, sizeof(in) - 1, &pos, why, sizeof(why)), 0, "a good file passes");
		is_int(pos, strlen("principal,name,scope\r\n"), "pos is just past the header");
		is_str(why, "", "no message");
	}
	{
		static const char in[] = "\xef\xbb\xbfPRINCIPAL,Name,scope\na@B,x,y\n";

		is_int(check(in, sizeof(in) - 1, &pos, why, sizeof(why)), 0, "a byte-order mark and header case are accepted");
		is_int(pos, 3 + strlen("PRINCIPAL,Name,scope\n"), "pos skips the mark and the header");
	}
	is_int(check("principal,name\r\n", 16, &pos, why, sizeof(why)), -1, "a short header is refused");
	is_str(why, "The first line must be the header principal,name,scope.", "the message names the header");
	is_int(check("", 0, &pos, why, sizeof(why)), -1, "an empty file is refused");
	is_int(check("principal,name,scope\n\0", 22, &pos, why, sizeof(why)), -1, "a NUL byte is refused");
	is_str(why, "The file is not a CSV text file.", "as not a text file");
	{
		static const char in[] = "principal,name,scope\n\"a@B,x,y\n";

		is_int(check(in, sizeof(in) - 1, &pos, why, sizeof(why)), -1, "an unterminated quote is refused");
		ok(strstr(why, "not valid CSV") != NULL, "as not valid CSV");
	}
	{
		static const char in[] = "principal,name,scope\na,b,c\nd,e,f\ng,h,i\n";

		is_int(check(in, sizeof(in) - 1, &pos, why, sizeof(why)), -1, "more rows than the cap are refused");
		is_str(why, "The file has more than 2 rows; split it into several files.", "with the cap in the message");
	}
	{
		char small[20];

		is_int(check("x\n", 2, &pos, small, sizeof(small)), -1, "a message is cut to the buffer");
		is_int(strlen(small), sizeof(small) - 1, "and still terminated");
	}
	is_str(admin_csv_unquote("'=SUM(A1)"), "=SUM(A1)", "unquote takes the export's quote off a formula");
	is_str(admin_csv_unquote("'@x"), "@x", "and off an @");
	is_str(admin_csv_unquote("'plain"), "'plain", "but leaves a quote before ordinary text");
	is_str(admin_csv_unquote("'"), "'", "and a lone quote");
	return tap_done();
}
