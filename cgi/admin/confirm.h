/* confirm.h: the one "Are you sure?" page every destructive action shows before its POST. */
#ifndef CM_ADMIN_CONFIRM_H
#define CM_ADMIN_CONFIRM_H

#include "admin_ctx.h"

#define CONFIRM_MAX_DETAILS 8

/*
 * What the confirmation page says. Every text is escaped by the template;
 * NULL entries are left out. The page's form POSTs to action with the
 * session's CSRF token, hidden_name=hidden_value when set, and the fields
 * the template adds for select (the revocation reason).
 */
struct admin_confirm {
	const char *title;        /* the question: "Delete the organisation Demo?" */
	const char *consequence;  /* what will happen, in a sentence or two */
	const char *warning;      /* optional: what cannot be undone / what is refused */
	const char *action;       /* the POST URL */
	const char *button;       /* the danger button's label */
	const char *cancel;       /* where Cancel leads (the object's page) */
	const char *hidden_name, *hidden_value;
	const char *label[CONFIRM_MAX_DETAILS];   /* the object, named: label/value pairs */
	const char *value[CONFIRM_MAX_DETAILS];
};

/* Renders admin/confirm.cs with status (200, or 400 re-shown with an
 * Errors.* the caller set). No return value: the request is answered. */
void admin_confirm_page(struct admin_ctx *c, const struct admin_confirm *cf, int status);

#endif
