/* settings_form.h: the POST half shared by the organisation and department pages (read, check, write with its audit row, redirect). */
#ifndef CM_ADMIN_SETTINGS_FORM_H
#define CM_ADMIN_SETTINGS_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "org_model.h"

/* Shows the page of object id (0: the "new" form) with status; org_edit.c's
 * and dept_edit.c's own renderers. */
typedef void settings_show_fn(struct admin_ctx *c, int64_t id, const struct org_fields *f,
    const struct org_rights *r, int status);

/* How one page writes its row. */
struct settings_write {
	/* prepares the INSERT (id 0) or UPDATE, written as a literal by the
	 * page (tests/integration/35-db.sh); parameters: pre, the fields, post */
	struct cm_stmt *(*prepare)(struct cm_db *db);
	int64_t pre;              /* bound before the fields when > 0 (an INSERT's parent id) */
	int64_t post[2];          /* bound after the fields (an UPDATE's WHERE) */
	size_t npost;
	const char *action;       /* audit action, "organization.update", ... */
	const struct edit_object *obj;  /* org_object or dept_object */
};

/*
 * Overwrites f with what the form sent (only what r allows), checks it
 * (on errors, show answers 400 with the messages and what was typed), then
 * runs w->prepare's statement and writes the audit row (before: NULL for a creation) in
 * one transaction, and redirects to the object's page (edit_commit). id is the row
 * an UPDATE changes, 0 for an INSERT. Every outcome answers the request.
 */
void settings_form_submit(struct admin_ctx *c, int64_t id, const struct org_fields *before,
    struct org_fields *f, const struct org_rights *r, const struct settings_write *w,
    settings_show_fn *show);

#endif
