/* test_outbox.c: unit tests for the outbox's rules (lib/outbox_rules.c: backoff, expiry windows, addresses) and the message text the SMTP sender uploads (lib/outbox_smtp.c). */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "outbox.h"
#include "outbox_smtp.h"
#include "tap.h"

static int days[CM_OUTBOX_WINDOWS_MAX + 2];
static char err[200];

/* The canonical text of s, or "ERR" when it does not parse. */
static const char *
canon(const char *s)
{
	static char out[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];
	int n = cm_outbox_parse_windows(s, days, CM_OUTBOX_WINDOWS_MAX, err, sizeof(err));

	if (n < 0 || cm_outbox_format_windows(days, n, out, sizeof(out)) < 0)
		return "ERR";
	return out;
}

int
main(void)
{
	struct cm_outbox_item m;
	struct cm_buf b;
	char long_text[200];

	/* backoff: 1 minute doubling, capped at 6 hours */
	is_int(cm_outbox_backoff(1), 60, "after the first failure: 1 minute");
	is_int(cm_outbox_backoff(2), 120, "after the second: 2 minutes");
	is_int(cm_outbox_backoff(3), 240, "after the third: 4 minutes");
	is_int(cm_outbox_backoff(9), 15360, "after the ninth: 256 minutes");
	is_int(cm_outbox_backoff(10), 6 * 3600, "after the tenth: capped at 6 hours");
	is_int(cm_outbox_backoff(1000), 6 * 3600, "a very large count stays capped (no overflow)");
	is_int(cm_outbox_backoff(0), 60, "0 failures (never asked) still waits a minute");

	/* expiry windows */
	is_str(canon("60,30,7"), "60,30,7", "60,30,7 as typed");
	is_str(canon(" 7, 30 ,60 "), "60,30,7", "sorted largest first, spaces allowed");
	is_str(canon("30,7,30,7"), "30,7", "repeats dropped");
	is_str(canon(""), "", "empty: no notices");
	is_str(canon("none"), "", "none: no notices");
	is_str(canon("366"), "366", "366 days is the largest");
	is_str(canon("367"), "ERR", "367 is refused");
	is_str(canon("0"), "ERR", "0 is refused");
	is_str(canon("-7"), "ERR", "a negative number is refused");
	is_str(canon("7,"), "ERR", "a trailing comma is refused");
	is_str(canon(",7"), "ERR", "a leading comma is refused");
	is_str(canon("7,,30"), "ERR", "an empty item is refused");
	is_str(canon("7 30"), "ERR", "numbers must be separated by commas");
	is_str(canon("seven"), "ERR", "words are refused");
	is_str(canon("00007"), "ERR", "more than four digits are refused");
	is_str(canon("1,2,3,4,5,6,7,8"), "8,7,6,5,4,3,2,1", "eight windows fit");
	is_str(canon("1,2,3,4,5,6,7,8,9"), "ERR", "nine are refused");
	ok(strstr(err, "at most 8") != NULL, "... saying how many may be given");
	memset(long_text, '1', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	is_str(canon(long_text), "ERR", "text over the size limit is refused before parsing");
	{
		char small[4];
		int d[2] = { 60, 30 };

		ok(cm_outbox_format_windows(d, 2, small, sizeof(small)) < 0, "formatting into a short buffer fails");
	}

	/* addresses */
	ok(cm_outbox_address_ok("alice@example.test"), "a plain address");
	ok(cm_outbox_address_ok("a.b+tag@sub.example.test"), "dots and plus");
	ok(!cm_outbox_address_ok("not an address"), "spaces are refused");
	ok(!cm_outbox_address_ok("alice@example.test\r\nBcc: x@y"), "CR LF (header injection) is refused");
	ok(!cm_outbox_address_ok("<alice@example.test>"), "angle brackets are refused");
	ok(!cm_outbox_address_ok("a@b@c"), "two @ are refused");
	ok(!cm_outbox_address_ok("@example.test"), "no local part");
	ok(!cm_outbox_address_ok("alice@"), "no domain");
	ok(!cm_outbox_address_ok("alice@.test"), "a domain starting with a dot");
	ok(!cm_outbox_address_ok("a,b@example.test"), "a comma (two recipients) is refused");
	ok(!cm_outbox_address_ok("al\xc3\xaf" "ce@example.test"), "non-ASCII is refused");
	ok(!cm_outbox_address_ok(NULL), "NULL is refused");

	/* the message text */
	memset(&m, 0, sizeof(m));
	m.id = 42;
	strcpy(m.recipient, "alice@example.test");
	strcpy(m.subject, "Certificate expires on 2026-12-24: www.demo.test");
	m.body = "Line one\nLine two\r\n.dot line\nlast";
	cm_buf_init(&b, 0);
	ok(cm_smtp_format(&b, "certmint@demo.test", &m, "Thu, 03 Dec 2026 10:00:00 +0000") == 0, "a message is formatted");
	ok(strstr(b.data, "From: certmint@demo.test\r\nTo: alice@example.test\r\n") != NULL, "From and To headers");
	ok(strstr(b.data, "\r\nSubject: Certificate expires on 2026-12-24: www.demo.test\r\n") != NULL, "an ASCII subject as is");
	ok(strstr(b.data, "Message-ID: <outbox-42.") != NULL && strstr(b.data, "@demo.test>\r\n") != NULL,
	    "a Message-ID naming the row, in the sender's domain");
	ok(strstr(b.data, "\r\n\r\nLine one\r\nLine two\r\n.dot line\r\nlast\r\n") != NULL,
	    "the body with CRLF line ends, ending in CRLF");
	ok(strstr(b.data, "\r\r") == NULL, "no doubled CR");
	cm_buf_free(&b);
	strcpy(m.subject, "Zertifikat l\xc3\xa4uft ab");
	cm_buf_init(&b, 0);
	ok(cm_smtp_format(&b, "certmint@demo.test", &m, "x") == 0 &&
	    strstr(b.data, "Subject: =?UTF-8?B?WmVydGlmaWthdCBsw6R1ZnQgYWI=?=\r\n") != NULL,
	    "a UTF-8 subject is RFC 2047 encoded");
	cm_buf_free(&b);
	return tap_done();
}
