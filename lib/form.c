/* form.c: strict application/x-www-form-urlencoded and query string parsing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns a new NUL-terminated string, or NULL (errno EINVAL on a bad escape,
 * ENOMEM when out of memory). */
char *
cm_url_decode(const char *src, size_t len, int plus, size_t *outlen)
{
	char *out = NULL;
	size_t o = 0;

	if (len == (size_t)-1) {
		errno = ENOMEM;
		return NULL;
	}
	out = malloc(len + 1);
	if (out == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = hexval((unsigned char)src[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)src[i + 2])) < 0) {
				free(out);
				errno = EINVAL;
				return NULL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus) {
			out[o++] = ' ';
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

void
cm_params_free(struct cm_param *p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

/* The client chose the name, so it must not carry control characters into a
 * page or a log. */
void
cm_form_safe_name(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < dstlen; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (o + 4 >= dstlen && n > o) {
		dst[o++] = '.';
		dst[o++] = '.';
		dst[o++] = '.';
	}
	dst[o] = '\0';
}

/*
 * Returns 0, or -1 with a message in err and errno set: EINVAL for a malformed
 * escape, E2BIG for a field over max_field or more than max_fields fields in
 * *out in total, ENOMEM. On failure the params added by this call are removed
 * again (*out keeps those it had before).
 */
int
cm_form_parse(const char *data, size_t len, size_t max_field, size_t max_fields,
    struct cm_param **out, size_t *n, char *err, size_t errlen)
{
	size_t start_n = *n;
	size_t pos = 0;
	char *name = NULL, *value = NULL;
	char shown[48];
	int rc = -1, saved_errno = 0;

	if (err && errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *seg = data + pos;
		const char *amp = memchr(seg, '&', len - pos);
		size_t seglen = amp ? (size_t)(amp - seg) : len - pos;
		pos += seglen + (amp ? 1 : 0);
		if (seglen == 0)
			continue;

		const char *eq = memchr(seg, '=', seglen);
		size_t nlen = eq ? (size_t)(eq - seg) : seglen;
		const char *v = eq ? eq + 1 : seg + seglen;
		size_t vlen = eq ? seglen - nlen - 1 : 0;
		size_t dnlen = 0, dvlen = 0;

		cm_form_safe_name(shown, sizeof(shown), seg, nlen);
		if (*n >= max_fields) {
			snprintf(err, errlen, "too many form fields (at most %zu)", max_fields);
			saved_errno = E2BIG;
			goto out;
		}
		/* Encoded length bounds decoded length from above; checking the
		 * encoded form first avoids allocating for hostile sizes. */
		if (nlen / 3 > max_field || vlen / 3 > max_field) {
			snprintf(err, errlen, "form field '%s' is larger than %zu bytes", shown, max_field);
			saved_errno = E2BIG;
			goto out;
		}
		name = cm_url_decode(seg, nlen, 1, &dnlen);
		if (name == NULL) {
			saved_errno = errno;
			if (saved_errno == EINVAL)
				snprintf(err, errlen, "form field name '%s' has a malformed %%-escape", shown);
			else
				snprintf(err, errlen, "out of memory");
			goto out;
		}
		value = cm_url_decode(v, vlen, 1, &dvlen);
		if (value == NULL) {
			saved_errno = errno;
			if (saved_errno == EINVAL)
				snprintf(err, errlen, "form field '%s' has a malformed %%-escape", shown);
			else
				snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (dnlen > max_field || dvlen > max_field) {
			snprintf(err, errlen, "form field '%s' is larger than %zu bytes", shown, max_field);
			saved_errno = E2BIG;
			goto out;
		}
		if (strlen(name) != dnlen) {
			snprintf(err, errlen, "form field name '%s' contains a NUL byte", shown);
			saved_errno = EINVAL;
			goto out;
		}
		struct cm_param *np = realloc(*out, (*n + 1) * sizeof(**out));
		if (np == NULL) {
			snprintf(err, errlen, "out of memory");
			saved_errno = ENOMEM;
			goto out;
		}
		*out = np;
		np[*n].name = name;
		np[*n].value = value;
		np[*n].value_len = dvlen;
		(*n)++;
		name = value = NULL;
	}
	rc = 0;
out:
	free(name);
	free(value);
	if (rc < 0) {
		for (size_t i = start_n; i < *n; i++) {
			free((*out)[i].name);
			free((*out)[i].value);
		}
		*n = start_n;
		errno = saved_errno;
	}
	return rc;
}
