/* ids.c: the one parser of row ids read from requests. */
#include "config.h"

#include <string.h>

#include "ids.h"

int64_t
cm_id_parse_n(const char *s, size_t n)
{
	int64_t v = 0;

	if (s == NULL || n == 0 || n > CM_ID_MAX_DIGITS || s[0] == '0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int64_t
cm_id_parse(const char *s)
{
	return s ? cm_id_parse_n(s, strnlen(s, CM_ID_MAX_DIGITS + 1)) : 0;
}
