/* report_csv.c: GET /admin/reports/certificates.csv — the certificates the administrator may see, as a CSV download. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "admin_ctx.h"
#include "csv.h"
#include "log.h"
#include "policy.h"

#define CHUNK 1000    /* rows per keyset query, so no result set grows with the table */
#define NCOLS 9

void
admin_report_certificates_csv(struct admin_ctx *c)
{
	static const char *const header[NCOLS] = {
		"id", "serial", "type", "status", "common_name", "email", "organisation",
		"not_before", "not_after"
	};
	int64_t before = INT64_MAX;
	size_t got;

	cm_buf_reset(&c->resp->body);
	if (admin_csv_row(&c->resp->body, header, NCOLS) < 0)
		goto too_big;
	do {
		struct cm_stmt *st;
		int f;

		/* The same scope as the certificate list (cert_list.c). */
		st = cm_db_prepare(c->db,
		    "SELECT c.id, c.serial_hex, c.cert_type, c.status, c.common_name, c.email, o.name,"
		    " c.not_before, c.not_after"
		    " FROM certificates c LEFT JOIN organizations o ON o.id = c.org_id"
		    " WHERE c.customer_id = ? AND c.id < ?"
		    " AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s"
		    " JOIN organizations so ON so.id = s.org_id AND so.deleted_at IS NULL"
		    " WHERE s.admin_id = ? AND s.org_id = c.org_id"
		    " AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))"
		    " AND (? = 1 OR FIND_IN_SET(c.cert_type, ?) > 0)"
		    " ORDER BY c.id DESC LIMIT 1000");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, before) < 0 || admin_bind_scope(st, 2, &c->user) < 0 ||
		    cm_stmt_bind_i64(st, 4, c->user.role == ROLE_MRAO ? 1 : 0) < 0 ||
		    cm_stmt_bind_str(st, 5, c->user.cert_types) < 0 || cm_stmt_execute(st) < 0) {
			cm_err("certificate report: %s", cm_db_error(c->db));
			if (st)
				cm_stmt_close(st);
			admin_error(c, 500, "Internal error", "The certificate report could not be read; this has been logged.");
			return;
		}
		got = 0;
		while ((f = cm_stmt_fetch(st)) == 1) {
			const char *cells[NCOLS];
			char id[32];

			before = cm_stmt_i64(st, 0);
			snprintf(id, sizeof(id), "%lld", (long long)before);
			cells[0] = id;
			for (unsigned i = 1; i < NCOLS; i++)
				cells[i] = cm_stmt_str(st, i, NULL);
			if (admin_csv_row(&c->resp->body, cells, NCOLS) < 0) {
				cm_stmt_close(st);
				goto too_big;
			}
			got++;
		}
		cm_stmt_close(st);
		if (f < 0) {
			cm_err("certificate report: %s", cm_db_error(c->db));
			admin_error(c, 500, "Internal error", "The certificate report could not be read; this has been logged.");
			return;
		}
	} while (got == CHUNK);
	cm_resp_content_type(c->resp, "text/csv; charset=utf-8");
	cm_resp_header(c->resp, "Content-Disposition", "attachment; filename=\"certificates.csv\"");
	cm_resp_header(c->resp, "Cache-Control", "no-store");
	return;
too_big:
	cm_warn("certificate report for %s exceeds the response limit", c->user.principal);
	admin_error(c, 413, "Report too large",
	    "The certificate report is larger than certmint can send at once; ask for it with the command-line tools.");
}
