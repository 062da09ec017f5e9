/* multipart.h: streaming multipart/form-data parser (files go to temp files). */
#ifndef CM_MULTIPART_H
#define CM_MULTIPART_H

#include <stddef.h>
#include "request.h"

struct cm_multipart;

/* Extracts the boundary from a Content-Type value; returns a new string or NULL. */
char *cm_multipart_boundary(const char *content_type);

/* Creates a parser; fields and files are appended to r->form / r->files. */
struct cm_multipart *cm_multipart_new(const char *boundary, struct cm_request *r,
    const struct cm_limits *lim);
/* Feeds the next chunk of body bytes (any size, any split). Returns 0, or an
 * HTTP status (400, 413) with why in err; after an error, stop feeding. */
int cm_multipart_feed(struct cm_multipart *m, const char *data, size_t len,
    char *err, size_t errlen);
/* Call at end of body: returns 0 when the closing boundary was seen, else 400. */
int cm_multipart_finish(struct cm_multipart *m, char *err, size_t errlen);
void cm_multipart_free(struct cm_multipart *m);

#endif
