/* org_list.c: GET /admin/organizations — the organisations the administrator's scope covers, by name. */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "org_model.h"
#include "policy.h"

#define MAX_ORGS 500

void
admin_org_list(struct admin_ctx *c)
{
	struct admin_object o = { c->user.customer_id, 0, 0, NULL };
	struct cm_stmt *st;
	char id[32];
	size_t n = 0;
	int more = 0, r;

	st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name, o.city, o.country,"
	    " (SELECT COUNT(*) FROM departments d WHERE d.org_id = o.id AND d.deleted_at IS NULL)"
	    " FROM organizations o WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    ADMIN_ORG_SCOPE_SQL
	    " ORDER BY o.name, o.id LIMIT 501");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("organisation list: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		admin_error(c, 500, "Internal error", "The organisation list could not be read; this has been logged.");
		return;
	}
	while (cm_stmt_fetch(st) == 1) {
		if (n == MAX_ORGS) {
			more = 1;
			break;
		}
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Orgs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Orgs.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Orgs.%zu.city", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Orgs.%zu.country", n);
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 4));
		cm_render_setf(c->r, id, "Orgs.%zu.depts", n);
		n++;
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (more)
		cm_render_set(c->r, "List.more", "1");
	if ((r = admin_may(c, ACTION_CREATE, &o)) == 1)
		cm_render_set(c->r, "Can.create", "1");
	admin_page(c, "Organisations", "admin/org_list.cs");
}
