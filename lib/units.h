/* units.h: organisations and departments as the pages and the CLI look them up (one existence query) and as forms encode them. */
#ifndef CM_UNITS_H
#define CM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "ids.h"

/*
 * Every form that chooses an organisation or one of its departments sends
 * one value: "ORG" (the organisation itself) or "ORG/DEPT", decimal row ids
 * as lib/ids.h reads them. CM_UNIT_MAX bytes hold the longest with its NUL.
 */
#define CM_UNIT_MAX (2 * CM_ID_MAX_DIGITS + 2)

/* Writes "ORG", or "ORG/DEPT" when dept_id is not 0, into buf (len bytes,
 * CM_UNIT_MAX is enough); org_id 0 writes "". Returns buf. */
char *cm_unit_format(char *buf, size_t len, int64_t org_id, int64_t dept_id);

/* Reads "ORG" or "ORG/DEPT" into *org_id and *dept_id (0 for "ORG"):
 * 0, or -1 when s is NULL, empty or malformed (both then 0). */
int cm_unit_parse(const char *s, int64_t *org_id, int64_t *dept_id);

/* 1 when org_id is a live (not deleted) organisation of customer_id and
 * dept_id, unless 0, a live department of that organisation; 0 when not;
 * -1 on a database error (cm_db_error says why). */
int cm_unit_exists(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id);

#endif
