/* domain_list.c: GET /admin/domains — the domains in the administrator's scope, filtered by name and state, keyset-paginated by name. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "domain_model.h"
#include "log.h"
#include "policy.h"

#define PAGE_SIZE 50

static const char *const states[] = { "none", "pending", "validated", "expired", NULL };

void
admin_domain_list(struct admin_ctx *c)
{
	struct admin_object cust = { .customer_id = c->user.customer_id };
	const char *q = cm_req_query(c->req, "q");
	const char *state = cm_req_query(c->req, "state");
	const char *after = cm_req_query(c->req, "after");
	struct cm_stmt *st = NULL;
	char like[2 * DOMAIN_NAME_MAX + 8], id[32], last[DOMAIN_NAME_MAX + 1] = "";
	size_t n = 0;
	int more = 0, ok_state = 0, r;

	q = q ? q : "";
	state = state ? state : "";
	after = after ? after : "";
	for (size_t i = 0; states[i]; i++)
		if (strcmp(state, states[i]) == 0)
			ok_state = 1;
	cm_render_set(c->r, "Filter.q", q);
	cm_render_set(c->r, "Filter.state", state);
	if (strlen(q) > DOMAIN_NAME_MAX || strlen(after) > DOMAIN_NAME_MAX ||
	    (state[0] && !ok_state) || cm_sql_like_prefix(like, sizeof(like), q, CM_LIKE_ANYWHERE) < 0) {
		if (state[0] && !ok_state)
			cm_render_set(c->r, "Errors.state", "Choose a validation state from the list.");
		else
			cm_render_set(c->r, "Errors.q", "A name filter is at most 253 characters.");
		c->resp->status = 400;
		admin_page(c, "Domains", "admin/domain_list.cs");
		return;
	}
	/* Delegated administrators see a domain through a delegation to their
	 * organisation (RAO) or department / whole organisation (DRAO), for one
	 * of their certificate types: the policy's VIEW rule, as SQL. */
	st = cm_db_prepare(c->db,
	    "SELECT d.id, d.name, d.validation_state, CAST(d.validated_at AS CHAR),"
	    " (SELECT COUNT(*) FROM domain_delegations x WHERE x.domain_id = d.id)"
	    " FROM domains d WHERE d.customer_id = ? AND d.deleted_at IS NULL"
	    " AND (? = '' OR d.validation_state = ?) AND d.name LIKE ? AND d.name > ?"
	    ADMIN_DOMAIN_SCOPE_SQL
	    " ORDER BY d.name LIMIT 51");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, state) < 0 || cm_stmt_bind_str(st, 2, state) < 0 ||
	    cm_stmt_bind_str(st, 3, like) < 0 || cm_stmt_bind_str(st, 4, after) < 0 ||
	    admin_bind_domain_scope(st, 5, &c->user) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while (cm_stmt_fetch(st) == 1) {
		if (n == PAGE_SIZE) {
			more = 1;
			break;
		}
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Domains.%zu.id", n);
		snprintf(last, sizeof(last), "%s", cm_stmt_str(st, 1, NULL) ? cm_stmt_str(st, 1, NULL) : "");
		cm_render_setf(c->r, last, "Domains.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Domains.%zu.state", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Domains.%zu.validated_at", n);
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 4));
		cm_render_setf(c->r, id, "Domains.%zu.delegations", n);
		n++;
	}
	cm_stmt_close(st);
	st = NULL;
	cm_render_set_int(c->r, "List.count", (long)n);
	if (more)
		cm_render_set(c->r, "List.next", last);
	if (after[0])
		cm_render_set(c->r, "List.paged", "1");
	/* Creating is customer-wide (MRAO); so is the delegation count, which
	 * would otherwise tell a delegated administrator about other organisations. */
	if ((r = admin_may(c, ACTION_CREATE, &cust)) < 0)
		goto dberr;
	if (r == 1)
		cm_render_set(c->r, "Can.create", "1");
	admin_page(c, "Domains", "admin/domain_list.cs");
	return;
dberr:
	cm_err("domain list: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The domain list could not be read; this has been logged.");
}
