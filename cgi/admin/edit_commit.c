/* edit_commit.c: the tail every edit page shares: read the row back, audit, commit, redirect; or roll back and answer 500. */
#include "config.h"

#include <stdio.h>

#include "edit_commit.h"
#include "log.h"

/* 1 allowed, 0 answered (see edit_commit.h). */
int
edit_allowed(struct admin_ctx *c, int r, const char *why)
{
	if (r == 1)
		return 1;
	admin_error(c, r < 0 ? 500 : 403, r < 0 ? "Internal error" : "Not allowed",
	    r < 0 ? "Your access could not be checked; this has been logged." : why);
	return 0;
}

/* 0 answered, -1 not (see edit_commit.h). */
int
edit_commit(struct admin_ctx *c, const struct edit_object *o, const char *action, int64_t id,
    const char *before)
{
	struct cm_buf after;
	char loc[128];
	int rc = -1;

	cm_buf_init(&after, 65536);
	/* The row as stored (defaults, triggers), not as the form said. */
	if (o->json(c, id, &after) < 0 ||
	    admin_audit_object(c, o->type, action, id, before, after.data) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto out;
	snprintf(loc, sizeof(loc), "%s%lld", o->page, (long long)id);
	cm_resp_redirect(c->resp, loc);
	rc = 0;
out:
	cm_buf_free(&after);
	return rc;
}

/* 0 answered, -1 not (see edit_commit.h). */
int
edit_commit_delete(struct admin_ctx *c, const struct edit_object *o, const char *action, int64_t id,
    const char *before, const char *after)
{
	if (admin_audit_object(c, o->type, action, id, before, after) < 0 || cm_db_commit(c->db) < 0)
		return -1;
	cm_resp_redirect(c->resp, o->list);
	return 0;
}

/* No return value. */
void
edit_fail(struct admin_ctx *c, const struct edit_object *o, const char *what, int64_t id,
    const char *verb)
{
	char why[512], msg[160];

	/* kept first: a failing rollback would replace the message that matters */
	snprintf(why, sizeof(why), "%s", cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	if (id > 0)
		cm_err("%s %s %lld: %s", what, o->noun, (long long)id, why);
	else
		cm_err("%s %s: %s", what, o->noun, why);
	snprintf(msg, sizeof(msg), "The %s could not be %s; this has been logged.", o->noun, verb);
	admin_error(c, 500, "Internal error", msg);
}
