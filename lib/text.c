/* text.c: the one check for free text (well-formed UTF-8 without control characters). */
#include "config.h"

#include "text.h"

int
cm_text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char lo = 0x80, hi = 0xbf;
		int n;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* The ranges of RFC 3629's table: the second byte's bounds
		 * exclude overlong forms, surrogates and code points past
		 * U+10FFFF. */
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			if (*p == 0xc2)
				lo = 0xa0;    /* U+0080..U+009F are the C1 controls */
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			if (*p == 0xe0)
				lo = 0xa0;
			else if (*p == 0xed)
				hi = 0x9f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			if (*p == 0xf0)
				lo = 0x90;
			else if (*p == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		p++;
		if (*p < lo || *p > hi)
			return 0;
		for (p++, n--; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

size_t
cm_text_chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}
