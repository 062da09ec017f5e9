/* persons_csv.c: GET /admin/persons/export.csv — the persons the administrator may see, in the import's CSV format. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "admin_ctx.h"
#include "csv.h"
#include "log.h"
#include "policy.h"

#define CHUNK 1000    /* rows per keyset query, so no result set grows with the table */
#define NCOLS 6

void
admin_persons_export_csv(struct admin_ctx *c)
{
	/* The same header persons/import reads, so an export can be imported elsewhere. */
	static const char *const header[NCOLS] = {
		"email", "first_name", "last_name", "principal_name", "organisation", "department"
	};
	int64_t after = 0;
	size_t got;

	cm_buf_reset(&c->resp->body);
	if (admin_csv_row(&c->resp->body, header, NCOLS) < 0)
		goto too_big;
	do {
		struct cm_stmt *st;
		int f;

		/* The same scope as the person list (persons_list.c). */
		st = cm_db_prepare(c->db,
		    "SELECT p.id, p.email, p.first_name, p.last_name, p.principal_name, o.name, d.name"
		    " FROM persons p JOIN organizations o ON o.id = p.org_id"
		    " LEFT JOIN departments d ON d.id = p.dept_id"
		    " WHERE p.customer_id = ? AND p.deleted_at IS NULL AND p.id > ?"
		    " AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = p.org_id"
		    " AND (s.dept_id IS NULL OR p.dept_id IS NULL OR s.dept_id = p.dept_id)))"
		    " AND (? = 1 OR FIND_IN_SET('client', ?) > 0)"
		    " ORDER BY p.id LIMIT 1000");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, after) < 0 || admin_bind_scope(st, 2, &c->user) < 0 ||
		    cm_stmt_bind_i64(st, 4, c->user.role == ROLE_MRAO ? 1 : 0) < 0 ||
		    cm_stmt_bind_str(st, 5, c->user.cert_types) < 0 || cm_stmt_execute(st) < 0) {
			cm_err("person export: %s", cm_db_error(c->db));
			if (st)
				cm_stmt_close(st);
			admin_error(c, 500, "Internal error", "The person list could not be read; this has been logged.");
			return;
		}
		got = 0;
		while ((f = cm_stmt_fetch(st)) == 1) {
			const char *cells[NCOLS];

			after = cm_stmt_i64(st, 0);
			for (unsigned i = 0; i < NCOLS; i++)
				cells[i] = cm_stmt_str(st, i + 1, NULL);
			if (admin_csv_row(&c->resp->body, cells, NCOLS) < 0) {
				cm_stmt_close(st);
				goto too_big;
			}
			got++;
		}
		cm_stmt_close(st);
		if (f < 0) {
			cm_err("person export: %s", cm_db_error(c->db));
			admin_error(c, 500, "Internal error", "The person list could not be read; this has been logged.");
			return;
		}
	} while (got == CHUNK);
	cm_resp_content_type(c->resp, "text/csv; charset=utf-8");
	cm_resp_header(c->resp, "Content-Disposition", "attachment; filename=\"persons.csv\"");
	cm_resp_header(c->resp, "Cache-Control", "no-store");
	return;
too_big:
	cm_warn("person export for %s exceeds the response limit", c->user.principal);
	admin_error(c, 413, "Export too large",
	    "The person list is larger than certmint can send at once; filter it by organisation.");
}
