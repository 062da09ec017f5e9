/* units.c: organisations and departments as the pages and the CLI look them up (one existence query). */
#include "config.h"

#include "units.h"

/* 1 exists, 0 not, -1 database error. */
int
cm_unit_exists(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id)
{
	struct cm_stmt *st = cm_db_prepare(db,
	    "SELECT 1 FROM organizations o WHERE o.id = ? AND o.customer_id = ? AND o.deleted_at IS NULL"
	    " AND (? = 0 OR EXISTS (SELECT 1 FROM departments d WHERE d.id = ? AND d.org_id = o.id"
	    " AND d.deleted_at IS NULL))");
	int rc = -1;

	if (st && cm_stmt_bind_i64(st, 0, org_id) == 0 && cm_stmt_bind_i64(st, 1, customer_id) == 0 &&
	    cm_stmt_bind_i64(st, 2, dept_id) == 0 && cm_stmt_bind_i64(st, 3, dept_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		rc = cm_stmt_fetch(st);
	cm_stmt_close(st);
	return rc < 0 ? -1 : rc;
}
