/* journal_read.c: parses the signer's issuance journal line by line, with a size limit on every field, for `certmint journal check`. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "journal_read.h"

/* The fields in record order, for messages. */
static const char *const field_names[] = { "time", "serial", "profile", "uid", "subject", "certificate" };

/* 1 when the n bytes at s are all in set. */
static int
all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SSZ" into *t. 0 or -1. */
static int
parse_time(const char *s, size_t n, time_t *t)
{
	struct tm tm;
	int v[6], pos[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (int k = 0; k < len[i]; k++) {
			char c = s[pos[i] + k];

			if (c < '0' || c > '9')
				return -1;
			v[i] = v[i] * 10 + (c - '0');
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*t = timegm(&tm);
	return 0;
}

/* Base64 (standard alphabet, padded, no line breaks) into a new buffer.
 * 0, or -1 when malformed, too long or out of memory (err). */
static int
decode_b64(const char *s, size_t n, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t pad = 0;
	unsigned char *d;
	int r;

	if (n == 0 || n % 4 != 0) {
		snprintf(err, errlen, "the certificate is not base64 (length %zu)", n);
		return -1;
	}
	if (n / 4 * 3 > CM_JOURNAL_DER_MAX + 2) {
		snprintf(err, errlen, "the certificate is longer than %d bytes", CM_JOURNAL_DER_MAX);
		return -1;
	}
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	if (!all_in(s, n - pad, alphabet)) {
		snprintf(err, errlen, "the certificate is not base64");
		return -1;
	}
	if ((d = malloc(n / 4 * 3 + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes: take them off. */
	r = EVP_DecodeBlock(d, (const unsigned char *)s, (int)n);
	if (r < 0 || (size_t)r < pad || (size_t)r - pad == 0) {
		free(d);
		snprintf(err, errlen, "the certificate is not base64");
		return -1;
	}
	if ((size_t)r - pad > CM_JOURNAL_DER_MAX) {
		free(d);
		snprintf(err, errlen, "the certificate is longer than %d bytes", CM_JOURNAL_DER_MAX);
		return -1;
	}
	*out = d;
	*outlen = (size_t)r - pad;
	return 0;
}

/* 0 / -1 with err. */
int
cm_journal_parse_line(const char *line, size_t len, struct cm_journal_entry *e,
    char *err, size_t errlen)
{
	const char *f[6];
	size_t fl[6], nf = 0, start = 0;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (nf == 6) {
			snprintf(err, errlen, "more than 6 fields");
			return -1;
		}
		f[nf] = line + start;
		fl[nf] = i - start;
		nf++;
		start = i + 1;
	}
	if (nf != 6) {
		snprintf(err, errlen, "%zu fields where a record has 6", nf);
		return -1;
	}
	for (size_t i = 0; i < 4; i++)
		if (fl[i] == 0 || memchr(f[i], '\0', fl[i]) != NULL) {
			snprintf(err, errlen, "the %s field is empty or holds a NUL byte", field_names[i]);
			return -1;
		}
	if (parse_time(f[0], fl[0], &e->when) < 0) {
		snprintf(err, errlen, "the time is not YYYY-MM-DDTHH:MM:SSZ");
		return -1;
	}
	memcpy(e->time, f[0], fl[0]);
	if (fl[1] >= sizeof(e->serial_hex) || !all_in(f[1], fl[1], "0123456789abcdef")) {
		snprintf(err, errlen, "the serial is not 1 to %zu lowercase hex digits", sizeof(e->serial_hex) - 1);
		return -1;
	}
	memcpy(e->serial_hex, f[1], fl[1]);
	if (fl[2] >= sizeof(e->profile) ||
	    !all_in(f[2], fl[2], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")) {
		snprintf(err, errlen, "the profile name is not 1 to %zu letters, digits, '.', '_' or '-'",
		    sizeof(e->profile) - 1);
		return -1;
	}
	memcpy(e->profile, f[2], fl[2]);
	if (fl[3] > 10 || !all_in(f[3], fl[3], "0123456789")) {
		snprintf(err, errlen, "the uid is not a number");
		return -1;
	}
	for (size_t i = 0; i < fl[3]; i++)
		e->uid = e->uid * 10 + (unsigned long)(f[3][i] - '0');
	if (fl[4] > CM_JOURNAL_SUBJECT_MAX) {
		snprintf(err, errlen, "the subject is longer than %d bytes", CM_JOURNAL_SUBJECT_MAX);
		return -1;
	}
	/* The subject only describes the record (the DER is what counts), and
	 * an old signer journalled control characters a CSR carried: shown as
	 * '?' rather than refusing the record, so its certificate is still
	 * accounted for. */
	for (size_t i = 0; i < fl[4]; i++)
		e->subject[i] = ((unsigned char)f[4][i] < 0x20 || f[4][i] == 0x7f) ? '?' : f[4][i];
	if (decode_b64(f[5], fl[5], &e->der, &e->der_len, err, errlen) < 0) {
		memset(e, 0, sizeof(*e));
		return -1;
	}
	return 0;
}

/* No return value. */
void
cm_journal_entry_free(struct cm_journal_entry *e)
{
	free(e->der);
	memset(e, 0, sizeof(*e));
}

/* 0 / -1 with err. */
int
cm_journal_reader_init(struct cm_journal_reader *r, FILE *f, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	if ((r->buf = malloc(CM_JOURNAL_LINE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* No return value. */
void
cm_journal_reader_free(struct cm_journal_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* 1 / 0 / -1 / -2 / -3, see journal_read.h. */
int
cm_journal_next(struct cm_journal_reader *r, struct cm_journal_entry *e, char *err, size_t errlen)
{
	size_t n = 0;
	int c, too_long = 0;

	cm_journal_entry_free(e);
	/* One byte at a time into a fixed buffer: a line over the limit is
	 * skipped to its end, never grown into memory. */
	while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
		if (n < CM_JOURNAL_LINE_MAX)
			r->buf[n++] = (char)c;
		else
			too_long = 1;
	}
	if (c == EOF && ferror(r->f)) {
		snprintf(err, errlen, "reading the journal: %s", strerror(errno ? errno : EIO));
		return -3;
	}
	if (c == EOF && n == 0 && !too_long)
		return 0;
	r->lineno++;
	if (c == EOF) {
		snprintf(err, errlen, "line %lu has no end (a record being written, or cut off by a crash before it was synced)",
		    r->lineno);
		return -2;
	}
	if (too_long) {
		snprintf(err, errlen, "line %lu is longer than %d bytes", r->lineno, CM_JOURNAL_LINE_MAX);
		return -1;
	}
	if (cm_journal_parse_line(r->buf, n, e, err, errlen) < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "line %lu: %s", r->lineno, why);
		return -1;
	}
	return 1;
}
