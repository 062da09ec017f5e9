/* persons_list.c: GET /admin/persons — the persons in the administrator's scope, filtered by e-mail/name prefix, keyset-paginated by id. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "log.h"
#include "persons_model.h"
#include "policy.h"

#define PAGE_SIZE 50

void
admin_persons_list(struct admin_ctx *c)
{
	const char *q = cm_req_query(c->req, "q");
	const char *after = cm_req_query(c->req, "after");
	struct cm_stmt *st = NULL;
	char like[2 * PERSON_EMAIL_MAX + 8], id[32];
	int64_t after_id = 0;
	int64_t last = 0;
	size_t n = 0;
	int more = 0, f;

	q = q ? q : "";
	after = after ? after : "";
	cm_render_set(c->r, "Filter.q", strlen(q) > 1000 ? "" : q);
	if (after[0] && (after_id = cm_id_parse(after)) == 0)
		after_id = -1;
	if (strlen(q) > PERSON_EMAIL_MAX || after_id < 0 || cm_sql_like_prefix(like, sizeof(like), q, 0) < 0) {
		cm_render_set(c->r, "Errors.q", after_id < 0 ? "The page position is not valid; start from the first page." :
		    "A search is at most 254 characters.");
		c->resp->status = 400;
		admin_page(c, "Persons", "admin/persons_list.cs");
		return;
	}
	/* The policy's VIEW rule for client-certificate holders, as SQL (see person_load_visible). */
	st = cm_db_prepare(c->db,
	    "SELECT p.id, p.email, p.first_name, p.last_name, p.principal_name, o.name, d.name"
	    " FROM persons p JOIN organizations o ON o.id = p.org_id"
	    " LEFT JOIN departments d ON d.id = p.dept_id"
	    " WHERE p.customer_id = ? AND p.deleted_at IS NULL AND p.id > ?"
	    " AND (p.email LIKE ? OR p.first_name LIKE ? OR p.last_name LIKE ?)"
	    ADMIN_PERSON_SCOPE_SQL
	    " ORDER BY p.id LIMIT 51");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, after_id) < 0 || cm_stmt_bind_str(st, 2, like) < 0 ||
	    cm_stmt_bind_str(st, 3, like) < 0 || cm_stmt_bind_str(st, 4, like) < 0 ||
	    admin_bind_person_scope(st, 5, &c->user) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		if (n == PAGE_SIZE) {
			more = 1;
			break;
		}
		last = cm_stmt_i64(st, 0);
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_setf(c->r, id, "Persons.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Persons.%zu.email", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Persons.%zu.first_name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Persons.%zu.last_name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Persons.%zu.principal_name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Persons.%zu.org", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Persons.%zu.dept", n);
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (more) {
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_set(c->r, "List.next", id);
	}
	if (after_id > 0)
		cm_render_set(c->r, "List.paged", "1");
	if ((f = person_may_create(c)) < 0)
		goto dberr_closed;
	if (f == 1)
		cm_render_set(c->r, "Can.create", "1");
	admin_page(c, "Persons", "admin/persons_list.cs");
	return;
dberr:
	if (st)
		cm_stmt_close(st);
dberr_closed:
	cm_err("person list: %s", cm_db_error(c->db));
	admin_error(c, 500, "Internal error", "The person list could not be read; this has been logged.");
}
