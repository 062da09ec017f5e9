/* object_audit.c: the audit row of one administrator's action on one object (actor, address and customer from the session). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "audit.h"

int
admin_audit_object(struct admin_ctx *c, const char *object_type, const char *action, int64_t id,
    const char *before, const char *after)
{
	struct cm_audit_entry e;
	char oid[32];

	memset(&e, 0, sizeof(e));
	e.actor = c->user.principal;
	e.action = action;
	e.object_type = object_type;
	if (id > 0) {
		snprintf(oid, sizeof(oid), "%lld", (long long)id);
		e.object_id = oid;
	}
	e.before = before;
	e.after = after;
	e.remote_addr = c->req->remote_addr;
	e.customer_id = c->user.customer_id;
	return cm_audit(c->db, &e);
}
