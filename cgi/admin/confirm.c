/* confirm.c: renders the confirmation page of a destructive action (delete, revoke, end sessions). */
#include "config.h"

#include "confirm.h"

/* Answers the request with admin/confirm.cs. */
void
admin_confirm_page(struct admin_ctx *c, const struct admin_confirm *cf, int status)
{
	size_t n = 0;

	cm_render_set_list(c->r,
	    "Confirm.title", cf->title,
	    "Confirm.consequence", cf->consequence,
	    "Confirm.action", cf->action,
	    "Confirm.button", cf->button,
	    "Confirm.cancel", cf->cancel,
	    NULL);
	if (cf->warning)
		cm_render_set(c->r, "Confirm.warning", cf->warning);
	if (cf->hidden_name && cf->hidden_value)
		cm_render_set_list(c->r,
		    "Confirm.hidden_name", cf->hidden_name,
		    "Confirm.hidden_value", cf->hidden_value,
		    NULL);
	for (size_t i = 0; i < CONFIRM_MAX_DETAILS; i++) {
		if (cf->label[i] == NULL || cf->value[i] == NULL)
			continue;
		cm_render_setf(c->r, cf->label[i], "Confirm.details.%zu.label", n);
		cm_render_setf(c->r, cf->value[i], "Confirm.details.%zu.value", n);
		n++;
	}
	c->resp->status = status;
	admin_page(c, cf->title, "admin/confirm.cs");
}
