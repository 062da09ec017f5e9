/* render.h: ClearSilver page rendering with HTML escaping on by default, into a cm_response. */
#ifndef CM_RENDER_H
#define CM_RENDER_H

#include <stdarg.h>
#include "response.h"

struct cm_render;

/*
 * A per-request data set. template_dir is the directory that holds the
 * program folders (templates/admin/...); <?cs include ?> paths are relative
 * to it. NULL on memory exhaustion.
 *
 * Setters return 0 or -1; a failed set is also remembered, and the next
 * cm_render_page then answers 500 instead of a page with holes in it, so
 * handlers may ignore the return values. Names are HDF paths ("Cert.cn",
 * "Certs.3.serial"); values are copied and escaped at output time by var:.
 */
struct cm_render *cm_render_new(const char *template_dir);
void cm_render_free(struct cm_render *r);
int cm_render_set(struct cm_render *r, const char *name, const char *value);  /* NULL value: no-op */
int cm_render_set_int(struct cm_render *r, const char *name, long value);
/* Name built with printf: cm_render_setf(r, cn, "Certs.%zu.cn", i). */
int cm_render_setf(struct cm_render *r, const char *value, const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Pairs of name, value ending with a NULL name. */
int cm_render_set_list(struct cm_render *r, ...);

/*
 * Renders template (relative to template_dir, e.g. "admin/home.cs") into
 * resp->body with resp->status left as the caller set it. Returns 0; on any
 * ClearSilver error it logs the error, replaces resp with a plain 500 page
 * (the error text is never shown) and returns -1.
 */
int cm_render_page(struct cm_render *r, const char *template, struct cm_response *resp);

#endif
