/* scep_pending.c: GET /admin/scep/pending: SCEP requests waiting for approval (scep_transactions pending, their certificates row requested), in the administrator's scope, sortable; Approve and Decline post to the certificate routes (cert_actions.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "scep_model.h"

/* The list shows this many; the heading counts them all. */
#define PENDING_ROWS_MAX 200

/* A transaction scep.fcgi answered PENDING whose certificate still waits
 * (requested; approved when the signer failed after an approval): once the
 * portal issues or declines it, the device's next poll is answered from the
 * certificates row, and it leaves the list. Parameters: customer, then the
 * policy's certificate scope (the same rule as the certificate pages). */
#define PENDING_FROM \
	" FROM scep_transactions t JOIN certificates c ON c.id = t.certificate_id AND c.customer_id = t.customer_id" \
	" LEFT JOIN organizations o ON o.id = c.org_id LEFT JOIN departments d ON d.id = c.dept_id" \
	" WHERE t.customer_id = ? AND t.status = 'pending' AND c.status IN ('requested', 'approved')" \
	ADMIN_CERT_SCOPE_SQL
#define PENDING_COLS \
	" t.transaction_id, t.scep_type, c.id, COALESCE(c.common_name, ''), COALESCE(c.email, '')," \
	" COALESCE(o.name, ''), COALESCE(d.name, ''), DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i:%s')," \
	" COALESCE(t.remote_addr, ''), c.status"

static const char SQL_COUNT[] = "SELECT COUNT(*)" PENDING_FROM;
static const char SQL_BY_RECEIVED[] = "SELECT" PENDING_COLS PENDING_FROM " ORDER BY t.created_at, t.id LIMIT 200";
static const char SQL_BY_NEWEST[] = "SELECT" PENDING_COLS PENDING_FROM " ORDER BY t.created_at DESC, t.id DESC LIMIT 200";
static const char SQL_BY_CN[] = "SELECT" PENDING_COLS PENDING_FROM " ORDER BY c.common_name, t.id LIMIT 200";
static const char SQL_BY_ORG[] = "SELECT" PENDING_COLS PENDING_FROM " ORDER BY o.name, d.name, t.created_at, t.id LIMIT 200";

/* The sort orders the column headings link to, in the order of
 * pending_prepare's cases. */
static const char *const orders[] = { "received", "newest", "cn", "org" };

/* The list's statement in sort order o (an index into orders): one
 * constant statement per order, so every query stays a literal. NULL on a
 * database error. */
static struct cm_stmt *
pending_prepare(struct cm_db *db, size_t o)
{
	switch (o) {
	case 1: return cm_db_prepare(db, SQL_BY_NEWEST);
	case 2: return cm_db_prepare(db, SQL_BY_CN);
	case 3: return cm_db_prepare(db, SQL_BY_ORG);
	default: return cm_db_prepare(db, SQL_BY_RECEIVED);
	}
}

/* Binds the customer and the scope; 0 or -1. */
static int
bind_scope(struct admin_ctx *c, struct cm_stmt *st)
{
	if (cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || admin_bind_cert_scope(st, 1, &c->user) < 0)
		return -1;
	return 0;
}

/* The count, or -1 (logged). */
long
scep_pending_count(struct admin_ctx *c)
{
	struct cm_stmt *st = cm_db_prepare(c->db, SQL_COUNT);
	long n = -1;

	if (st != NULL && bind_scope(c, st) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = (long)cm_stmt_i64(st, 0);
	else
		cm_err("pending SCEP requests of %s: %s", c->user.principal, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return n;
}

void
admin_scep_pending(struct admin_ctx *c)
{
	const char *sort = cm_req_query(c->req, "sort");
	struct cm_stmt *st = NULL;
	size_t o = 0;
	char v[512];
	long n = 0, total;
	int f = -1;

	if (!scep_section_allowed(c))
		return;
	if (sort != NULL && sort[0] != '\0') {
		for (o = 0; o < sizeof(orders) / sizeof(orders[0]) && strcmp(orders[o], sort) != 0; o++)
			;
		if (o == sizeof(orders) / sizeof(orders[0])) {
			admin_error(c, 400, "No such order", "Sort by received, newest, cn or org (the column headings' links).");
			return;
		}
	}
	if ((total = scep_pending_count(c)) < 0)
		goto dberr;
	st = pending_prepare(c->db, o);
	if (st == NULL || bind_scope(c, st) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while (n < PENDING_ROWS_MAX && (f = cm_stmt_fetch(st)) == 1) {
		static const char *const keys[] = { "tid", "type", "id", "cn", "email", "org", "dept", "received",
		    "addr", "status" };

		for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (k == 2)
				snprintf(v, sizeof(v), "%lld", (long long)cm_stmt_i64(st, k));
			else
				cm_stmt_copy_str(st, k, v, sizeof(v));
			cm_render_setf(c->r, v, "Pending.%ld.%s", n, keys[k]);
		}
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.total", total);
	cm_render_set_int(c->r, "List.shown", n);
	cm_render_set(c->r, "List.sort", orders[o]);
	admin_page(c, "Pending SCEP requests", "admin/scep_pending.cs");
	return;
dberr:
	cm_err("pending SCEP requests of %s: %s", c->user.principal, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The pending SCEP requests could not be read; this has been logged.");
}
