/* ids.h: row ids as they appear in paths, forms and query strings. */
#ifndef CM_IDS_H
#define CM_IDS_H

#include <stddef.h>
#include <stdint.h>

/* Longest decimal id accepted: 18 digits always fits an int64_t. */
#define CM_ID_MAX_DIGITS 18

/*
 * The positive decimal id s spells (digits only, no sign, no leading zero,
 * at most CM_ID_MAX_DIGITS), else 0. NULL gives 0. Every id read from a
 * request goes through this one parser.
 */
int64_t cm_id_parse(const char *s);

/* The same for the first n bytes of s (an id inside a longer value). */
int64_t cm_id_parse_n(const char *s, size_t n);

#endif
