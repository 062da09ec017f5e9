/* client_fill.c: fills the auto-enrollment client scripts' placeholders with checked, escaped values (see client_fill.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client_fill.h"

/* 1 / 0. */
int
cm_client_url_ok(const char *url)
{
	const char *p;
	size_t hn = 0;

	if (url == NULL || strlen(url) > 512)
		return 0;
	if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	for (; *p && *p != ':' && *p != '/'; p++, hn++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			return 0;
	if (hn == 0)
		return 0;
	if (*p == ':') {
		size_t dn = 0;

		for (p++; isdigit((unsigned char)*p); p++)
			dn++;
		if (dn == 0 || dn > 5)
			return 0;
	}
	if (*p && *p != '/')
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/._~-", *p) == NULL)
			return 0;
	return 1;
}

static int
all_of(const char *s, size_t min, size_t max, const char *extra, int digits_only)
{
	size_t n = s ? strlen(s) : 0;

	if (s == NULL || n < min || n > max)
		return 0;
	for (; *s; s++)
		if (digits_only ? !isdigit((unsigned char)*s)
		    : (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL))
			return 0;
	return 1;
}

/* Appends v as the inside of a single-quoted string of lang. 0 or -1. */
static int
put_quoted(struct cm_buf *b, enum cm_client_lang lang, const char *v)
{
	for (; *v; v++) {
		int r;

		if (*v != '\'')
			r = cm_buf_putc(b, *v);
		else
			r = cm_buf_puts(b, lang == CM_CLIENT_PS1 ? "''" : "'\\''");
		if (r < 0)
			return -1;
	}
	return 0;
}

/* 0 / -1 with why. */
int
cm_client_fill(const char *text, size_t len, enum cm_client_lang lang, const struct cm_client_values *v,
    char **out, size_t *outlen, char *why, size_t whylen)
{
	static const char *const names[] = { "@CERTMINT_URL@", "@CERTMINT_CUSTOMER@", "@CERTMINT_ORGID@",
	    "@CERTMINT_DAYS@" };
	const char *vals[4];
	struct cm_buf b;
	size_t i = 0;

	*out = NULL;
	*outlen = 0;
	if (!cm_client_url_ok(v->url)) {
		snprintf(why, whylen, "the request URL is not a plain http(s) URL");
		return -1;
	}
	if (!all_of(v->customer, 1, 64, "._-", 0)) {
		snprintf(why, whylen, "the customer URI holds characters other than letters, digits, '.', '_' and '-'");
		return -1;
	}
	if (!(v->orgid && v->orgid[0] == '\0') && (!all_of(v->orgid, 1, 18, "", 1) || v->orgid[0] == '0')) {
		snprintf(why, whylen, "the organisation id is not a positive whole number");
		return -1;
	}
	if (!all_of(v->days, 1, 4, "", 1) || atoi(v->days) < 1 || atoi(v->days) > 3650 || v->days[0] == '0') {
		snprintf(why, whylen, "the days are not a whole number from 1 to 3650");
		return -1;
	}
	if (len > CM_CLIENT_SCRIPT_MAX) {
		snprintf(why, whylen, "the script is larger than %d KiB", CM_CLIENT_SCRIPT_MAX / 1024);
		return -1;
	}
	vals[0] = v->url;
	vals[1] = v->customer;
	vals[2] = v->orgid;
	vals[3] = v->days;
	cm_buf_init(&b, CM_CLIENT_SCRIPT_MAX + 4096);
	while (i < len) {
		size_t k;

		for (k = 0; k < 4; k++) {
			size_t n = strlen(names[k]);

			if (len - i >= n && memcmp(text + i, names[k], n) == 0)
				break;
		}
		if (k < 4) {
			if (put_quoted(&b, lang, vals[k]) < 0)
				goto oom;
			i += strlen(names[k]);
		} else {
			if (cm_buf_putc(&b, text[i]) < 0)
				goto oom;
			i++;
		}
	}
	*outlen = b.len;
	*out = cm_buf_steal(&b);
	return 0;
oom:
	cm_buf_free(&b);
	snprintf(why, whylen, "out of memory (or the filled script is too large)");
	return -1;
}
