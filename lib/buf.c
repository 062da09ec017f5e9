/* buf.c: growable byte buffer with a hard cap. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void
cm_buf_init(struct cm_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static int
buf_reserve(struct cm_buf *b, size_t extra)
{
	if (extra > (size_t)-1 - b->len - 1)
		return -1;
	size_t need = b->len + extra + 1;
	if (b->max && need - 1 > b->max)
		return -1;
	if (need <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	char *n = malloc(ncap);
	if (n == NULL)
		return -1;
	if (b->data) {
		memcpy(n, b->data, b->len + 1);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
cm_buf_append(struct cm_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
cm_buf_puts(struct cm_buf *b, const char *s)
{
	return cm_buf_append(b, s, strlen(s));
}

int
cm_buf_putc(struct cm_buf *b, char c)
{
	return cm_buf_append(b, &c, 1);
}

int
cm_buf_vprintf(struct cm_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
cm_buf_printf(struct cm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = cm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int
cm_buf_json_str(struct cm_buf *b, const char *s)
{
	if (s == NULL)
		return cm_buf_puts(b, "null");
	if (cm_buf_putc(b, '"') < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int r;

		if (*p == '"' || *p == '\\')
			r = cm_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			r = cm_buf_printf(b, "\\u%04x", *p);
		else
			r = cm_buf_putc(b, (char)*p);
		if (r < 0)
			return -1;
	}
	return cm_buf_putc(b, '"');
}

void
cm_buf_reset(struct cm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
cm_buf_free(struct cm_buf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
cm_buf_steal(struct cm_buf *b)
{
	char *d = b->data;
	if (d == NULL)
		d = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}
