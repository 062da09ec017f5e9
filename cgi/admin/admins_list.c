/* admins_list.c: GET /admin/admins — the administrators the policy lets the caller see, by principal. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "admins_model.h"
#include "log.h"

#define MAX_ADMINS 500

static const char *
role_label(const char *r)
{
	return r[0] == 'm' ? "MRAO" : r[0] == 'r' ? "RAO" : r[0] == 'd' ? "DRAO" : "?";
}

void
admin_admins_list(struct admin_ctx *c)
{
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES];
	struct admins_row *rows = NULL;
	struct cm_stmt *st;
	size_t n = 0, shown = 0;
	long nm;
	int more = 0, f = 0;

	if ((nm = admin_scopes_load(c, mine)) < 0)
		goto dberr;
	if ((rows = calloc(MAX_ADMINS, sizeof(*rows))) == NULL) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		return;
	}
	st = cm_db_prepare(c->db,
	    "SELECT id, customer_id, principal, COALESCE(name, ''), COALESCE(email, ''), role,"
	    " cert_types, enabled FROM admins WHERE customer_id = ? AND deleted_at IS NULL"
	    " ORDER BY principal, id LIMIT 501");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		goto dberr;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		struct admins_row *r = &rows[n];
		const char *s;

		if (n == MAX_ADMINS) {
			more = 1;
			break;
		}
		r->id = cm_stmt_i64(st, 0);
		r->customer_id = cm_stmt_i64(st, 1);
		snprintf(r->principal, sizeof(r->principal), "%s", (s = cm_stmt_str(st, 2, NULL)) ? s : "");
		snprintf(r->name, sizeof(r->name), "%s", (s = cm_stmt_str(st, 3, NULL)) ? s : "");
		snprintf(r->email, sizeof(r->email), "%s", (s = cm_stmt_str(st, 4, NULL)) ? s : "");
		snprintf(r->role, sizeof(r->role), "%s", (s = cm_stmt_str(st, 5, NULL)) ? s : "");
		snprintf(r->types, sizeof(r->types), "%s", (s = cm_stmt_str(st, 6, NULL)) ? s : "");
		r->enabled = cm_stmt_i64(st, 7) != 0;
		n++;
	}
	cm_stmt_close(st);
	if (f < 0)
		goto dberr;
	for (size_t i = 0; i < n; i++) {
		struct admin_target t;
		char id[32];

		if (admins_row_scopes(c, &rows[i], NULL) < 0)
			goto dberr;
		admins_row_target(&rows[i], &t);
		if (!admin_policy_admin(&c->user, mine, (size_t)nm, ACTION_VIEW_ADMIN, &t))
			continue;
		snprintf(id, sizeof(id), "%" PRId64, rows[i].id);
		cm_render_setf(c->r, id, "Admins.%zu.id", shown);
		cm_render_setf(c->r, rows[i].principal, "Admins.%zu.principal", shown);
		cm_render_setf(c->r, rows[i].name, "Admins.%zu.name", shown);
		cm_render_setf(c->r, rows[i].email, "Admins.%zu.email", shown);
		cm_render_setf(c->r, role_label(rows[i].role), "Admins.%zu.role", shown);
		cm_render_setf(c->r, rows[i].types, "Admins.%zu.types", shown);
		cm_render_setf(c->r, rows[i].scope_label, "Admins.%zu.scope", shown);
		cm_render_setf(c->r, rows[i].enabled ? "1" : "0", "Admins.%zu.enabled", shown);
		shown++;
	}
	free(rows);
	cm_render_set_int(c->r, "List.count", (long)shown);
	if (more)
		cm_render_set(c->r, "List.more", "1");
	/* The link to the form the route table opens to RAOs and MRAOs (the
	 * form offers only the scopes the policy lets the caller grant). */
	if (admin_may_create_admins(&c->user))
		cm_render_set(c->r, "Can.create", "1");
	admin_page(c, "Administrators", "admin/admins_list.cs");
	return;
dberr:
	free(rows);
	cm_err("administrator list: %s", cm_db_error(c->db));
	admin_error(c, 500, "Internal error", "The administrator list could not be read; this has been logged.");
}
