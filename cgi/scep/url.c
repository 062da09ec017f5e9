/* url.c: scep.fcgi's URL scanning: the customer and type segments of /customer/<customer>/scep/<type>/pkiclient.exe and the raw query parameters (fuzzed by tests/fuzz/fuzz_scep_url.c). */
#include "config.h"

#include <string.h>

#include "url.h"

/* Copies an URL segment for logs and lookups: 1, or 0 when it is empty,
 * too long or not plain printable ASCII. */
static int
segment(char *dst, size_t dstlen, const char *s)
{
	size_t n = strnlen(s, dstlen);

	if (n == 0 || n >= dstlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	memcpy(dst, s, n + 1);
	return 1;
}

/* 1 / 0; see url.h. Some clients are configured with the URL without
 * pkiclient.exe (the path is the server's business in RFC 8894): both are
 * taken. */
int
scep_url_scan(const char *const *parts, size_t nparts, struct scep_url *u)
{
	memset(u, 0, sizeof(*u));
	if (parts == NULL || nparts < 4 || nparts > 5 || strcmp(parts[0], "customer") != 0 ||
	    strcmp(parts[2], "scep") != 0 || (nparts == 5 && strcmp(parts[4], "pkiclient.exe") != 0) ||
	    !segment(u->customer, sizeof(u->customer), parts[1]) || !segment(u->type, sizeof(u->type), parts[3])) {
		memset(u, 0, sizeof(*u));
		return 0;
	}
	return 1;
}

/* 1 / 0; see url.h. */
int
scep_url_raw_param(const char *q, const char *name, const char **v, size_t *n)
{
	size_t nl = strlen(name);

	if (q == NULL || nl == 0 || strnlen(q, SCEP_URL_MAX_QUERY + 1) > SCEP_URL_MAX_QUERY)
		return 0;
	while (*q) {
		size_t seg = strcspn(q, "&");
		if (seg > nl && strncmp(q, name, nl) == 0 && q[nl] == '=') {
			*v = q + nl + 1;
			*n = seg - nl - 1;
			return 1;
		}
		q += seg;
		if (*q == '&')
			q++;
	}
	return 0;
}
