/* response.h: a buffered HTTP response, written out once the handler returns. */
#ifndef CM_RESPONSE_H
#define CM_RESPONSE_H

#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

#define CM_RESP_MAX_BODY (64u * 1024 * 1024)

struct cm_response {
	int status;                 /* default 200 */
	struct cm_buf headers;      /* "Name: value\r\n" lines, Content-Type excluded */
	char content_type[128];     /* default "text/html; charset=utf-8" */
	struct cm_buf body;
};

/* Writes n bytes; returns n or -1. */
typedef ssize_t (*cm_write_fn)(void *ctx, const void *buf, size_t n);

void cm_resp_init(struct cm_response *resp);
void cm_resp_free(struct cm_response *resp);
/* Drops headers and body (to replace a half-built page with an error page). */
void cm_resp_reset(struct cm_response *resp);

/* Header names and values with CR, LF or NUL are refused (-1). 0 on success. */
int cm_resp_header(struct cm_response *resp, const char *name, const char *value);
void cm_resp_content_type(struct cm_response *resp, const char *type);
/* Set-Cookie with HttpOnly, SameSite=Strict, Path=path, and Secure when secure. */
int cm_resp_cookie(struct cm_response *resp, const char *name, const char *value,
    const char *path, long max_age, int secure);
int cm_resp_write(struct cm_response *resp, const void *data, size_t n);
int cm_resp_puts(struct cm_response *resp, const char *s);
/* 303 See Other to a local path (must start with a single '/'). */
int cm_resp_redirect(struct cm_response *resp, const char *location);
/* A minimal escaped HTML error page; programs with templates render their own. */
void cm_resp_error(struct cm_response *resp, int status, const char *message);
const char *cm_status_text(int status);

/* "Status: ..." + headers + body, as CGI/FastCGI expects. 0 or -1. */
int cm_resp_send(const struct cm_response *resp, cm_write_fn wr, void *ctx);

/* Appends s with & < > " ' escaped. 0 or -1. */
int cm_html_escape(struct cm_buf *out, const char *s);

#endif
