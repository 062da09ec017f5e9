/* units.h: organisations and departments as the pages and the CLI look them up (one existence query). */
#ifndef CM_UNITS_H
#define CM_UNITS_H

#include <stdint.h>

#include "db.h"

/* 1 when org_id is a live (not deleted) organisation of customer_id and
 * dept_id, unless 0, a live department of that organisation; 0 when not;
 * -1 on a database error (cm_db_error says why). */
int cm_unit_exists(struct cm_db *db, int64_t customer_id, int64_t org_id, int64_t dept_id);

#endif
