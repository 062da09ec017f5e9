/* persons_csv.c: GET /admin/persons/export.csv — the persons the administrator may see, in the import's CSV format. */
#include "config.h"

#include <stdint.h>

#include "admin_ctx.h"
#include "csv_export.h"
#include "policy.h"

/* The next chunk of persons after id `after`, in the person list's scope (persons_list.c). */
static struct cm_stmt *
chunk(struct admin_ctx *c, int64_t after, void *arg)
{
	struct cm_stmt *st;

	(void)arg;
	st = cm_db_prepare(c->db,
	    "SELECT p.id, p.email, p.first_name, p.last_name, p.principal_name, o.name, d.name"
	    " FROM persons p JOIN organizations o ON o.id = p.org_id"
	    " LEFT JOIN departments d ON d.id = p.dept_id"
	    " WHERE p.customer_id = ? AND p.deleted_at IS NULL AND p.id > ?"
	    ADMIN_PERSON_SCOPE_SQL
	    " ORDER BY p.id LIMIT " ADMIN_CSV_CHUNK_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, after) < 0 || admin_bind_person_scope(st, 2, &c->user) < 0 ||
	    cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

void
admin_persons_export_csv(struct admin_ctx *c)
{
	/* The same header persons/import reads, so an export can be imported elsewhere. */
	static const char *const header[] = {
		"email", "first_name", "last_name", "principal_name", "organisation", "department"
	};
	const struct admin_csv_export x = {
		.what = "person export",
		.filename = "persons.csv",
		.header = header,
		.ncols = sizeof(header) / sizeof(header[0]),
		.chunk = chunk,
		.error_text = "The person list could not be read; this has been logged.",
		.too_big_title = "Export too large",
		.too_big_text = "The person list is larger than certmint can send at once; filter it by organisation.",
	};

	admin_csv_export(c, &x);
}
