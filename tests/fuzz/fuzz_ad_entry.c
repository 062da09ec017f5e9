/* fuzz_ad_entry.c: libFuzzer target for the AD client's entry parsing (attributes -> struct cm_ad_user, userAccountControl) and its filter building, without a network. */
/* fuzz-sources: lib/ad_entry.c */
/* fuzz-libs: */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ad_lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES 8

/*
 * Input: lines. The first is the entry's DN (and, as a principal, goes
 * through the filter builder); each next line is "name:value", and
 * consecutive lines of one name are one attribute's values, as libldap hands
 * them over. Values may hold any byte but '\n'.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_ad_user u;
	struct cm_ad_value v[MAX_VALUES];
	char why[512], filter[2048], name[64], cur[64];
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t n = 0;

	nl = memchr(p, '\n', size);
	if (nl == NULL)
		nl = end;
	{
		char *principal = strndup(p, (size_t)(nl - p));
		if (principal) {
			if (cm_ad_user_filter(principal, filter, sizeof(filter), why, sizeof(why)) == 0 &&
			    strlen(filter) >= sizeof(filter))
				abort();
			free(principal);
		}
	}
	if (cm_ad_entry_begin(&u, p, (size_t)(nl - p), why, sizeof(why)) < 0)
		return 0;
	cur[0] = '\0';
	p = nl < end ? nl + 1 : end;
	while (p < end) {
		const char *colon;
		size_t nlen;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon && (nlen = (size_t)(colon - p)) < sizeof(name)) {
			memcpy(name, p, nlen);
			name[nlen] = '\0';
			if ((strcmp(name, cur) != 0 || n == MAX_VALUES) && n > 0) {
				if (cm_ad_entry_attr(&u, cur, v, n, why, sizeof(why)) < 0)
					return 0;
				n = 0;
			}
			memcpy(cur, name, nlen + 1);
			v[n].p = colon + 1;
			v[n].len = (size_t)(nl - colon - 1);
			n++;
		}
		p = nl < end ? nl + 1 : end;
	}
	if (n > 0 && cm_ad_entry_attr(&u, cur, v, n, why, sizeof(why)) < 0)
		return 0;
	/* Whatever came in, every field is a terminated string within its size. */
	if (strlen(u.dn) >= sizeof(u.dn) || strlen(u.mail) >= sizeof(u.mail) || strlen(u.cn) >= sizeof(u.cn) ||
	    strlen(u.sam) >= sizeof(u.sam) || strlen(u.upn) >= sizeof(u.upn) ||
	    strlen(u.given_name) >= sizeof(u.given_name) || strlen(u.sn) >= sizeof(u.sn) ||
	    (u.disabled != 0 && u.disabled != 1))
		abort();
	return 0;
}
