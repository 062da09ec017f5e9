/* test_journal_read.c: unit tests for the journal reader (lib/journal_read.c) against records written by the signer's own formatter (signer/journal.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "journal.h"
#include "journal_read.h"
#include "tap.h"

/* Runs the reader over data; the statuses it returned, one char each
 * ('R' record, 'E' end, 'B' bad line, 'C' cut-off last line, 'F' fault). */
static const char *
statuses(const char *data, size_t len, struct cm_journal_entry *last)
{
	static char out[64];
	struct cm_journal_reader rd;
	struct cm_journal_entry e;
	char err[256];
	size_t n = 0;
	FILE *f = fmemopen((void *)data, len, "r");
	int r;

	memset(&e, 0, sizeof(e));
	if (f == NULL || cm_journal_reader_init(&rd, f, err, sizeof(err)) < 0)
		return "(setup failed)";
	do {
		r = cm_journal_next(&rd, &e, err, sizeof(err));
		out[n++] = r == 1 ? 'R' : r == 0 ? 'E' : r == -1 ? 'B' : r == -2 ? 'C' : 'F';
		if (r == 1 && last) {
			cm_journal_entry_free(last);
			*last = e;
			last->der = malloc(e.der_len);
			memcpy(last->der, e.der, e.der_len);
		}
	} while (r != 0 && r != -2 && r != -3 && n < sizeof(out) - 1);
	out[n] = '\0';
	cm_journal_entry_free(&e);
	cm_journal_reader_free(&rd);
	fclose(f);
	return out;
}

int
main(void)
{
	static const unsigned char der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	unsigned char *big;
	struct cm_journal_entry got, e;
	struct cm_buf b, two;
	const char *line;
	char err[256];
	size_t big_len = CM_JOURNAL_DER_MAX + 1;

	memset(&got, 0, sizeof(got));
	memset(&e, 0, sizeof(e));
	cm_buf_init(&b, 0);
	ok(cm_journal_format(&b, 1764763200, "00ff0123456789abcdef0123456789ab", "tls-server", 33,
	    "/CN=tab\there\nand a newline", der, sizeof(der)) == 0, "the signer formats a record");
	is_str(statuses(b.data, b.len, &got), "RE", "the reader reads it back, then the end");
	is_str(got.time, "2025-12-03T12:00:00Z", "time");
	is_int(got.when, 1764763200, "time as an instant");
	is_str(got.serial_hex, "00ff0123456789abcdef0123456789ab", "serial");
	is_str(got.profile, "tls-server", "profile");
	is_int(got.uid, 33, "uid");
	is_str(got.subject, "/CN=tab here and a newline", "subject (tab and newline were made spaces)");
	ok(got.der_len == sizeof(der) && memcmp(got.der, der, sizeof(der)) == 0, "the DER, byte for byte");
	cm_journal_entry_free(&got);

	/* Every DER length modulo 3 (padding "", "=", "==") survives. */
	for (size_t n = 1; n <= 3; n++) {
		struct cm_buf one;

		cm_buf_init(&one, 0);
		cm_journal_format(&one, 0, "01", "p", 0, "", der, n);
		statuses(one.data, one.len, &got);
		ok(got.der_len == n && memcmp(got.der, der, n) == 0, "a %zu-byte DER comes back whole", n);
		cm_journal_entry_free(&got);
		cm_buf_free(&one);
	}

	/* Two records, the second cut off (a crash before fdatasync). */
	cm_buf_init(&two, 0);
	cm_buf_append(&two, b.data, b.len);
	cm_buf_append(&two, b.data, b.len);
	is_str(statuses(two.data, two.len, NULL), "RRE", "two records");
	is_str(statuses(two.data, two.len - 1, NULL), "RC", "a last line without its newline is reported as cut off");
	is_str(statuses("", 0, NULL), "E", "an empty journal");
	is_str(statuses("garbage\n", 8, NULL), "BE", "a line that is not a record, then the reader goes on");

	/* Field by field: what is not a record is refused with a reason. */
	static const struct { const char *line, *why; } bad[] = {
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts", "5 fields" },
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts\tMAUCAQU=\textra", "7 fields" },
		{ "2025-12-03 12:00:00Z\t01\tp\t0\ts\tMAUCAQU=", "a time without T" },
		{ "2025-13-03T12:00:00Z\t01\tp\t0\ts\tMAUCAQU=", "month 13" },
		{ "2025-12-03T12:00:00Z\t01AB\tp\t0\ts\tMAUCAQU=", "upper-case serial" },
		{ "2025-12-03T12:00:00Z\t\tp\t0\ts\tMAUCAQU=", "an empty serial" },
		{ "2025-12-03T12:00:00Z\t01\tp q\t0\ts\tMAUCAQU=", "a profile with a space" },
		{ "2025-12-03T12:00:00Z\t01\tp\t-1\ts\tMAUCAQU=", "a negative uid" },
		{ "2025-12-03T12:00:00Z\t01\tp\t12345678901\ts\tMAUCAQU=", "an 11-digit uid" },
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts\tMAUCAQU", "base64 of the wrong length" },
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts\tMA*CAQU=", "a character outside base64" },
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts\t", "no certificate" },
		{ "2025-12-03T12:00:00Z\t01\tp\t0\ts\t====", "padding only" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(cm_journal_parse_line(bad[i].line, strlen(bad[i].line), &e, err, sizeof(err)) < 0 &&
		    e.der == NULL && err[0], "refused: %s (%s)", bad[i].why, err);
	line = "2025-12-03T12:00:00Z\t01\tp\t0\t\tMAUCAQU=";
	ok(cm_journal_parse_line(line, strlen(line), &e, err, sizeof(err)) == 0,
	    "an empty subject is a record");
	cm_journal_entry_free(&e);
	line = "2025-12-03T12:00:00Z\t01\tp\t0\ta\x01" "b\tMAUCAQU=";
	ok(cm_journal_parse_line(line, strlen(line), &e, err, sizeof(err)) == 0 &&
	    strcmp(e.subject, "a?b") == 0, "a control character in the subject is shown as '?', the record kept");
	cm_journal_entry_free(&e);

	/* Limits: a DER over the maximum, a line over the maximum. */
	big = calloc(1, big_len);
	cm_buf_reset(&two);
	cm_journal_format(&two, 0, "01", "p", 0, "", big, big_len);
	ok(cm_journal_parse_line(two.data, two.len - 1, &e, err, sizeof(err)) < 0 && strstr(err, "longer than"),
	    "a DER over %d bytes is refused (%s)", CM_JOURNAL_DER_MAX, err);
	cm_buf_reset(&two);
	for (size_t i = 0; i < CM_JOURNAL_LINE_MAX + 10; i++)
		cm_buf_putc(&two, 'A');
	cm_buf_putc(&two, '\n');
	cm_buf_append(&two, b.data, b.len);
	is_str(statuses(two.data, two.len, NULL), "BRE", "a line over the limit is skipped, the next record read");
	free(big);
	cm_buf_free(&two);
	cm_buf_free(&b);
	return tap_done();
}
