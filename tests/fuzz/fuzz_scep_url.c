/* fuzz_scep_url.c: libFuzzer target for scep.fcgi's URL scanning (cgi/scep/url.c): the path's customer and type segments and the raw query parameters stay inside their input and bounds. */
/* fuzz-sources: cgi/scep/url.c */
/* fuzz-libs: */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/scep/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* At most this many path segments are made (lib/request.c drops empty ones). */
#define MAX_PARTS 8

/* Checks a scanned segment: non-empty, NUL-terminated inside dst, printable ASCII. */
static void
check_segment(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == 0 || n >= cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

/* Input: PATH \0 QUERY. The path is split on '/' as lib/request.c does. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "operation", "message", "m", "" };
	char *buf = malloc(size + 2), *query, *p, *parts[MAX_PARTS];
	size_t nparts = 0;
	struct scep_url u;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	query = buf + strlen(buf) + 1;
	if (query > buf + size)
		query = buf + size + 1;
	for (p = strtok(buf, "/"); p && nparts < MAX_PARTS; p = strtok(NULL, "/"))
		parts[nparts++] = p;
	if (scep_url_scan((const char *const *)parts, nparts, &u) == 1) {
		if (nparts < 4 || nparts > 5)
			abort();
		check_segment(u.customer, sizeof(u.customer));
		check_segment(u.type, sizeof(u.type));
		if (strcmp(u.customer, parts[1]) != 0 || strcmp(u.type, parts[3]) != 0)
			abort();
	} else if (u.customer[0] || u.type[0]) {
		abort();
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = NULL;
		size_t n = 0, ql = strlen(query);
		if (scep_url_raw_param(query, names[i], &v, &n) == 1) {
			/* The value lies inside the query, after "name=", and holds no '&'. */
			if (names[i][0] == '\0' || v < query + strlen(names[i]) + 1 || v + n > query + ql ||
			    v[-1] != '=' || memchr(v, '&', n) != NULL)
				abort();
		}
	}
	free(buf);
	return 0;
}
