/* edit_commit.h: the tail every edit page shares: read the row back, audit, commit, redirect; or roll back and answer 500. */
#ifndef CM_ADMIN_EDIT_COMMIT_H
#define CM_ADMIN_EDIT_COMMIT_H

#include <stdint.h>

#include "admin_ctx.h"
#include "buf.h"

/* What edit_commit and edit_fail need to know of one kind of object. */
struct edit_object {
	const char *type;         /* audit object type: "domain", "ad_server", ... */
	const char *noun;         /* for people and the log: "domain", "AD server" */
	const char *page;         /* its page without the id: "/admin/domains/" */
	const char *list;         /* where a deletion goes: "/admin/domains" */
	/* Appends the JSON of row id as stored now (read without a lock) to b;
	 * 0, or -1 when it cannot be read or written. */
	int (*json)(struct admin_ctx *c, int64_t id, struct cm_buf *b);
};

/* Answers a policy check's outcome r unless it allows: 500 when r < 0 (the
 * check failed), 403 "Not allowed" with why when r is 0. 1 when r is 1
 * (nothing answered), 0 when answered. */
int edit_allowed(struct admin_ctx *c, int r, const char *why);

/*
 * Finishes a write in the caller's open transaction: reads row id back as
 * JSON, writes the audit row of action (before: NULL for a creation),
 * commits, and redirects to o->page + id. 0 when the request is answered;
 * -1 when something failed (nothing answered yet: the caller calls
 * edit_fail).
 */
int edit_commit(struct admin_ctx *c, const struct edit_object *o, const char *action, int64_t id,
    const char *before);

/*
 * Finishes a deletion in the caller's open transaction: writes the audit
 * row of action (after: NULL for a row that is gone, or what a soft delete
 * leaves), commits, and redirects to o->list. 0 when the request is
 * answered; -1 when something failed (the caller calls edit_fail).
 */
int edit_commit_delete(struct admin_ctx *c, const struct edit_object *o, const char *action, int64_t id,
    const char *before, const char *after);

/* Rolls the transaction back (if one is open), logs "<what> <noun> <id>:
 * <database error>" (no id when 0), and answers 500 "The <noun> could not
 * be <verb>; this has been logged." No return value. */
void edit_fail(struct admin_ctx *c, const struct edit_object *o, const char *what, int64_t id,
    const char *verb);

#endif
