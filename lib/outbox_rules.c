/* outbox_rules.c: the outbox's pure rules (addresses, expiry windows, backoff), kept apart from the database so that unit tests and the fuzz target link them alone. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "outbox.h"

/* 1 when addr is a plain mailbox address, see outbox.h. */
int
cm_outbox_address_ok(const char *addr)
{
	const char *at;
	size_t n;

	if (addr == NULL || (n = strlen(addr)) < 3 || n > CM_OUTBOX_RECIPIENT_MAX)
		return 0;
	for (const char *p = addr; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	at = strchr(addr, '@');
	return at != NULL && at != addr && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	    at[1] != '.' && addr[n - 1] != '.';
}

/* How many (0..max), or -1 with err (see outbox.h). */
int
cm_outbox_parse_windows(const char *s, int *days, int max, char *err, size_t errlen)
{
	int n = 0;
	const char *p = s;

	if (s == NULL)
		s = p = "";
	if (strlen(s) > CM_OUTBOX_WINDOWS_TEXT_MAX) {
		snprintf(err, errlen, "Enter at most %d characters.", CM_OUTBOX_WINDOWS_TEXT_MAX);
		return -1;
	}
	while (*p == ' ')
		p++;
	if (*p == '\0' || strcmp(p, "none") == 0)
		return 0;
	for (;;) {
		long v = 0;
		int digits = 0, i, j;

		while (*p == ' ')
			p++;
		while (isdigit((unsigned char)*p) && digits < 4) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		while (*p == ' ')
			p++;
		if (digits == 0 || (*p != ',' && *p != '\0') || v < 1 || v > CM_OUTBOX_WINDOW_DAYS_MAX) {
			snprintf(err, errlen, "Enter whole numbers of days from 1 to %d, separated by commas, "
			    "like 60,30,7.", CM_OUTBOX_WINDOW_DAYS_MAX);
			return -1;
		}
		/* insert sorted, largest first, dropping repeats */
		for (i = 0; i < n && days[i] > v; i++)
			;
		if (i == n || days[i] != v) {
			if (n == max) {
				snprintf(err, errlen, "Enter at most %d numbers of days.", max);
				return -1;
			}
			for (j = n; j > i; j--)
				days[j] = days[j - 1];
			days[i] = (int)v;
			n++;
		}
		if (*p == '\0')
			return n;
		p++;
	}
}

/* 0, or -1 when it does not fit (see outbox.h). */
int
cm_outbox_format_windows(const int *days, int n, char *out, size_t outlen)
{
	size_t len = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		int w = snprintf(out + len, outlen - len, "%s%d", i ? "," : "", days[i]);

		if (w < 0 || (size_t)w >= outlen - len)
			return -1;
		len += (size_t)w;
	}
	return 0;
}

/* Seconds, see outbox.h. */
long
cm_outbox_backoff(int attempts)
{
	long d = CM_OUTBOX_BACKOFF_FIRST;

	for (int i = 1; i < attempts && d < CM_OUTBOX_BACKOFF_MAX; i++)
		d *= 2;
	return d > CM_OUTBOX_BACKOFF_MAX ? CM_OUTBOX_BACKOFF_MAX : d;
}
