/* page.c: the shared layout data and error pages for admin.fcgi. */
#include "config.h"

#include <string.h>

#include "admin_ctx.h"
#include "log.h"

static const char *
role_label(enum admin_role r)
{
	switch (r) {
	case ROLE_MRAO: return "MRAO";
	case ROLE_RAO: return "RAO";
	case ROLE_DRAO: return "DRAO";
	default: return "";
	}
}

/* Renders template inside the shared layout; errors become a 500 page. */
void
admin_page(struct admin_ctx *c, const char *title, const char *template)
{
	cm_render_set_list(c->r,
	    "Page.title", title,
	    "Static.url", c->app->settings.static_url,
	    NULL);
	if (c->user.principal[0]) {
		cm_render_set_list(c->r,
		    "User.principal", c->user.principal,
		    "User.name", c->user.name[0] ? c->user.name : c->user.principal,
		    "User.role", role_label(c->user.role),
		    "Customer.name", c->user.customer_name,
		    "Customer.uri", c->user.customer_uri,
		    NULL);
		admin_nav_set(c);
	}
	if (c->session.csrf[0])
		cm_render_set(c->r, "Session.csrf", c->session.csrf);
	cm_render_page(c->r, template, c->resp);
}

/* Replaces whatever was built with an error page of status. */
void
admin_error(struct admin_ctx *c, int status, const char *title, const char *message)
{
	/* Keep the headers: a new session's cookie must still reach the browser. */
	cm_buf_reset(&c->resp->body);
	cm_resp_content_type(c->resp, "text/html; charset=utf-8");
	c->resp->status = status;
	cm_render_set_list(c->r,
	    "Error.status", cm_status_text(status),
	    "Error.title", title,
	    "Error.message", message,
	    NULL);
	cm_render_set_int(c->r, "Error.code", status);
	admin_page(c, title, "admin/error.cs");
}
