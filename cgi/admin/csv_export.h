/* csv_export.h: one CSV download streamed from a keyset-paged query (persons, administrators, certificate report). */
#ifndef CM_ADMIN_CSV_EXPORT_H
#define CM_ADMIN_CSV_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "admin_ctx.h"

/* Rows per keyset query, so no result set grows with the table; the SQL of
 * a chunk ends in "LIMIT " ADMIN_CSV_CHUNK_SQL. */
#define ADMIN_CSV_CHUNK 1000
#define ADMIN_CSV_CHUNK_SQL "1000"

struct admin_csv_export {
	const char *what;             /* for the log: "person export" */
	const char *filename;         /* Content-Disposition: "persons.csv" */
	const char *const *header;    /* ncols column names, the first record */
	size_t ncols;
	int descending;               /* keys go down: the first cursor is INT64_MAX, else 0 */
	/*
	 * Prepares, binds and executes the next chunk: at most ADMIN_CSV_CHUNK
	 * rows in key order whose key (column 0, a positive integer) comes after
	 * `after`. The executed statement, or NULL on a database error.
	 */
	struct cm_stmt *(*chunk)(struct admin_ctx *c, int64_t after, void *arg);
	/*
	 * Optional. Fills cells[0..ncols) from the current row; the strings must
	 * stay valid until the next call. 1 write the row, 0 leave it out (the
	 * policy hides it), -1 database error. Without it, the cells are columns
	 * 1..ncols of the row.
	 */
	int (*row)(struct admin_ctx *c, struct cm_stmt *st, const char **cells, void *arg);
	void *arg;
	const char *error_text;       /* the 500 page: "The person list could not be read; ..." */
	const char *too_big_title;    /* the 413 page */
	const char *too_big_text;
};

/* Sends the header and every row as c's response (text/csv, attachment,
 * no-store), or an error page: 500 on a database error, 413 when the CSV
 * outgrows the response limit. */
void admin_csv_export(struct admin_ctx *c, const struct admin_csv_export *x);

#endif
