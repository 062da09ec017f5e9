/* form.h: application/x-www-form-urlencoded and query string parsing. */
#ifndef CM_FORM_H
#define CM_FORM_H

#include <stddef.h>
#include "request.h"

/*
 * Parses "a=1&b=%20x" into a newly allocated array of params appended to
 * *out (count in *n). Returns 0, or -1 with why in err (bad escape, a field over
 * max_field, more than max_fields fields, out of memory) and errno set to
 * EINVAL, E2BIG or ENOMEM respectively; the params this call added are then
 * removed again.
 */
int cm_form_parse(const char *data, size_t len, size_t max_field, size_t max_fields,
    struct cm_param **out, size_t *n, char *err, size_t errlen);
void cm_params_free(struct cm_param *p, size_t n);

/* Percent-decodes src (and '+' as space when plus is set) into a new string;
 * returns NULL on a malformed escape. *outlen gets the decoded length. */
char *cm_url_decode(const char *src, size_t len, int plus, size_t *outlen);

/* Writes into dst (dstlen >= 4) a printable copy of the n bytes of the field
 * name s for messages that get shown and logged: bytes outside printable
 * ASCII become '?', and a name too long for dst is cut and ends in "...". */
void cm_form_safe_name(char *dst, size_t dstlen, const char *s, size_t n);

#endif
