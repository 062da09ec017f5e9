/* render.c: ClearSilver rendering with Config.VarEscapeMode=html set before cs_init, into a cm_response. */
#include "config.h"

/* ClearSilver's cs_config.h defines its own PACKAGE_* macros. */
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_VERSION
#undef PACKAGE_BUGREPORT
#undef PACKAGE_URL
/* ClearSilver before any other header: it must see the real stdio, not an fcgi wrapper. */
#include <ClearSilver.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "render.h"

struct cm_render {
	HDF *hdf;
	int failed;         /* a setter failed: render answers 500 */
};

/* Logs and frees a ClearSilver error; returns -1. */
static int
cs_fail(NEOERR *err, const char *what)
{
	STRING s;

	string_init(&s);
	nerr_error_string(err, &s);
	cm_err("render: %s: %s", what, s.buf ? s.buf : "(no detail)");
	string_clear(&s);
	nerr_ignore(&err);
	return -1;
}

/* NULL on memory exhaustion. */
struct cm_render *
cm_render_new(const char *template_dir)
{
	struct cm_render *r = calloc(1, sizeof(*r));
	NEOERR *err;

	if (r == NULL)
		return NULL;
	if ((err = hdf_init(&r->hdf)) != STATUS_OK) {
		cs_fail(err, "hdf_init");
		free(r);
		return NULL;
	}
	/* The escaping rule: every var: is HTML-escaped. cs_init reads this, so
	 * it must be in the HDF first. The debug dump is never switched on. */
	if ((err = hdf_set_value(r->hdf, "Config.VarEscapeMode", "html")) != STATUS_OK ||
	    (err = hdf_set_value(r->hdf, "hdf.loadpaths.0",
	    template_dir ? template_dir : CM_DATADIR "/templates")) != STATUS_OK) {
		cs_fail(err, "hdf_set_value");
		cm_render_free(r);
		return NULL;
	}
	return r;
}

void
cm_render_free(struct cm_render *r)
{
	if (r == NULL)
		return;
	hdf_destroy(&r->hdf);
	free(r);
}

/* 0 or -1 (and r->failed). */
int
cm_render_set(struct cm_render *r, const char *name, const char *value)
{
	NEOERR *err;

	if (value == NULL)
		return 0;
	/* Nothing from outside may reach the Config or hdf trees. */
	if (strncmp(name, "Config.", 7) == 0 || strncmp(name, "hdf.", 4) == 0) {
		cm_err("render: refusing to set %s", name);
		r->failed = 1;
		return -1;
	}
	if ((err = hdf_set_value(r->hdf, name, value)) != STATUS_OK) {
		r->failed = 1;
		return cs_fail(err, name);
	}
	return 0;
}

/* 0 or -1 (and r->failed). */
int
cm_render_set_int(struct cm_render *r, const char *name, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	return cm_render_set(r, name, num);
}

/* 0 or -1 (and r->failed). */
int
cm_render_setf(struct cm_render *r, const char *value, const char *namefmt, ...)
{
	char name[256];
	va_list ap;
	int n;

	va_start(ap, namefmt);
	n = vsnprintf(name, sizeof(name), namefmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		r->failed = 1;
		return -1;
	}
	return cm_render_set(r, name, value);
}

/* 0 or -1 (and r->failed). */
int
cm_render_set_list(struct cm_render *r, ...)
{
	va_list ap;
	const char *name, *value;
	int rc = 0;

	va_start(ap, r);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (cm_render_set(r, name, value) < 0)
			rc = -1;
	}
	va_end(ap);
	return rc;
}

static NEOERR *
out_cb(void *ctx, char *s)
{
	if (cm_buf_puts(ctx, s) < 0)
		return nerr_raise(NERR_NOMEM, "page larger than the response cap");
	return STATUS_OK;
}

/* 0, or -1 after replacing resp with a 500 page. */
int
cm_render_page(struct cm_render *r, const char *template, struct cm_response *resp)
{
	CSPARSE *cs = NULL;
	NEOERR *err = STATUS_OK;
	struct cm_buf page;
	int rc = -1;

	cm_buf_init(&page, CM_RESP_MAX_BODY);
	if (r == NULL || r->failed) {
		cm_err("render: %s: page data incomplete (a value could not be set)", template);
		goto out;
	}
	if ((err = cs_init(&cs, r->hdf)) != STATUS_OK ||
	    (err = cgi_register_strfuncs(cs)) != STATUS_OK ||
	    (err = cs_parse_file(cs, template)) != STATUS_OK ||
	    (err = cs_render(cs, &page, out_cb)) != STATUS_OK) {
		cs_fail(err, template);
		goto out;
	}
	if (cm_resp_write(resp, page.data ? page.data : "", page.len) < 0) {
		cm_err("render: %s: response too large", template);
		goto out;
	}
	rc = 0;
out:
	cs_destroy(&cs);
	cm_buf_free(&page);
	if (rc < 0) {
		cm_resp_reset(resp);
		cm_resp_error(resp, 500, "The page could not be shown because of an internal error; it has been logged.");
	}
	return rc;
}
