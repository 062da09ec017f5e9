/* buf.h: a growable byte buffer with a hard cap, for building text and blobs. */
#ifndef CM_BUF_H
#define CM_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct cm_buf {
	char *data;     /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;     /* 0 = no cap; appends past it fail */
};

/* All return 0 on success, -1 when memory or the cap is exhausted
 * (the buffer is left as it was before the failing call). */
void cm_buf_init(struct cm_buf *b, size_t max);
int cm_buf_append(struct cm_buf *b, const void *p, size_t n);
int cm_buf_puts(struct cm_buf *b, const char *s);
int cm_buf_putc(struct cm_buf *b, char c);
int cm_buf_printf(struct cm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cm_buf_vprintf(struct cm_buf *b, const char *fmt, va_list ap);
void cm_buf_reset(struct cm_buf *b);
/* Appends s as a JSON string literal (quotes and backslash escaped, control
 * characters and DEL as \u00XX), or null when s is NULL. 0 or -1. */
int cm_buf_json_str(struct cm_buf *b, const char *s);
/* Frees the storage after wiping it (buffers may hold key material). */
void cm_buf_free(struct cm_buf *b);
/* Hands the storage to the caller (NUL-terminated, never NULL) and resets b. */
char *cm_buf_steal(struct cm_buf *b);

#endif
