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

/* Reads up to n body bytes; returns bytes read, 0 at end, -1 on error. */
typedef ssize_t (*cm_read_fn)(void *ctx, char *buf, size_t n);

struct cm_limits {
	size_t max_body;        /* whole body; default 1 MiB */
	size_t max_field;       /* one non-file field value; default 64 KiB */
	size_t max_fields;      /* count of fields + files; default 256 */
	size_t max_file;        /* one uploaded file; default = max_body */
	size_t max_files;       /* default 16 */
	const char *tmpdir;     /* for multipart files; default /tmp */
};

/* What a request body may be: a route says which kinds it takes (bits). */
#define CM_BODY_NONE       0x0   /* no body: a non-empty one is refused (413) */
#define CM_BODY_URLENCODED 0x1   /* application/x-www-form-urlencoded -> form */
#define CM_BODY_MULTIPART  0x2   /* multipart/form-data -> form and files */
#define CM_BODY_FORM       (CM_BODY_URLENCODED | CM_BODY_MULTIPART)
#define CM_BODY_RAW        0x4   /* one of types, kept as bytes in body */

struct cm_body_rule {
	unsigned kinds;               /* CM_BODY_* bits */
	size_t max;                   /* cap on the whole body; 0 = the limits' max_body */
	const char *const *types;     /* CM_BODY_RAW: the media types taken, NULL-terminated */
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
	char *body;             /* CM_BODY_RAW: the bytes (+ a NUL not counted), else NULL */
	size_t body_len;
	char error[256];        /* why parsing failed, for the client */

	/* Kept by cm_request_parse_head for cm_request_read_body. */
	cm_read_fn rd;
	void *rdctx;
	struct cm_limits lim;
	int body_done;          /* the body was read (or refused): never twice */
};

/* Fills lim with the defaults above. */
void cm_limits_default(struct cm_limits *lim);

/*
 * A request is read in two steps, so that a program can decide who is asking
 * (from the headers) before it spends anything on the body:
 *
 * cm_request_parse_head parses params ("NAME=value" strings, NULL-terminated,
 * as FastCGI gives them): method, path, query, cookies, REMOTE_USER, content
 * type and length. It reads no body; it keeps rd/rdctx and a copy of lim
 * (NULL: the defaults) for the second step. Returns 0, or an HTTP status
 * (400; 500 when out of memory) with r->error saying what was wrong. On error
 * r is still safe to pass to cm_request_free.
 *
 * cm_request_read_body reads the body of a POST/PUT/PATCH as rule says (other
 * methods: nothing is read): url-encoded or multipart into form/files, raw
 * into body/body_len. Returns 0, or an HTTP status with r->error set: 411 no
 * Content-Length, 413 over the cap (rule->max, else lim.max_body; decided
 * before reading anything) or a body where the rule takes none, 415 a type
 * the rule does not take (the message names those it does), 400 malformed or
 * short, 500 out of memory or a temp file that cannot be written.
 */
int cm_request_parse_head(struct cm_request *r, char *const *params, cm_read_fn rd,
    void *rdctx, const struct cm_limits *lim);
int cm_request_read_body(struct cm_request *r, const struct cm_body_rule *rule);

/* Both steps with the form rule (url-encoded or multipart), as a page's POST
 * takes it; same returns as the two above. */
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
