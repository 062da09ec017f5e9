/* request.h: one parsed HTTP request, built once from the FastCGI params and body. */
#ifndef CM_REQUEST_H
#define CM_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

struct cm_param {
	char *name;
	char *value;            /* NUL-terminated; may contain NULs if value_len says so */
	size_t value_len;
};

struct cm_upload {
	char *field;            /* form field name */
	char *filename;         /* as sent by the client (never used as a path) */
	char *content_type;
	char *path;             /* temp file holding the bytes, unlinked by cm_request_free */
	size_t size;
};

struct cm_limits {
	size_t max_body;        /* whole body; default 1 MiB */
	size_t max_field;       /* one non-file field value; default 64 KiB */
	size_t max_fields;      /* count of fields + files; default 256 */
	size_t max_file;        /* one uploaded file; default = max_body */
	size_t max_files;       /* default 16 */
	const char *tmpdir;     /* for multipart files; default /tmp */
};

struct cm_request {
	char *method;           /* "GET", "POST", ... */
	char *path;             /* percent-decoded path from REQUEST_URI (no query) */
	char **parts;           /* path split on '/', empty segments dropped */
	size_t nparts;
	char *query_string;
	struct cm_param *query;  size_t nquery;
	struct cm_param *form;   size_t nform;     /* urlencoded or multipart fields */
	struct cm_upload *files; size_t nfiles;
	struct cm_param *cookies; size_t ncookies;
	char *remote_user;      /* REMOTE_USER set by Apache, or NULL */
	char *remote_addr;
	int https;              /* HTTPS=on */
	char *content_type;
	size_t content_length;
	struct cm_param *env;   size_t nenv;       /* every FastCGI param */
	char error[256];        /* why parsing failed, for the client */
};

/* Reads up to n body bytes; returns bytes read, 0 at end, -1 on error. */
typedef ssize_t (*cm_read_fn)(void *ctx, char *buf, size_t n);

/* Fills lim with the defaults above. */
void cm_limits_default(struct cm_limits *lim);

/*
 * Parses params ("NAME=value" strings, NULL-terminated, as FastCGI gives
 * them) and, for POST/PUT, reads the body through rd. Returns 0, or an HTTP
 * status (400, 411, 413, 415) with r->error saying what was wrong. On error
 * r is still safe to pass to cm_request_free.
 */
int cm_request_parse(struct cm_request *r, char *const *params, cm_read_fn rd,
    void *rdctx, const struct cm_limits *lim);
void cm_request_free(struct cm_request *r);

/* Lookups return NULL when absent. The first of repeated names wins. */
const char *cm_req_env(const struct cm_request *r, const char *name);
const char *cm_req_query(const struct cm_request *r, const char *name);
const char *cm_req_form(const struct cm_request *r, const char *name);
const char *cm_req_cookie(const struct cm_request *r, const char *name);
const struct cm_upload *cm_req_file(const struct cm_request *r, const char *field);

#endif
