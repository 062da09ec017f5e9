/* units.c: organisations and departments as the pages and the CLI look them up (one existence query) and as forms encode them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "units.h"

/* Returns buf. */
char *
cm_unit_format(char *buf, size_t len, int64_t org_id, int64_t dept_id)
{
	if (len == 0)
		return buf;
	if (org_id <= 0)
		buf[0] = '\0';
	else if (dept_id <= 0)
		snprintf(buf, len, "%lld", (long long)org_id);
	else
		snprintf(buf, len, "%lld/%lld", (long long)org_id, (long long)dept_id);
	return buf;
}

/* 0, or -1 when malformed. */
int
cm_unit_parse(const char *s, int64_t *org_id, int64_t *dept_id)
{
	const char *slash;
	size_t n;

	*org_id = *dept_id = 0;
	if (s == NULL)
		return -1;
	/* Longer than any valid value: refused before it is scanned. */
	n = strnlen(s, CM_UNIT_MAX);
	if (n >= CM_UNIT_MAX)
		return -1;
	slash = memchr(s, '/', n);
	*org_id = cm_id_parse_n(s, slash ? (size_t)(slash - s) : n);
	if (slash)
		*dept_id = cm_id_parse(slash + 1);
	if (*org_id == 0 || (slash && *dept_id == 0)) {
		*org_id = *dept_id = 0;
		return -1;
	}
	return 0;
}

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
