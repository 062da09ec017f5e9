/* report_csv.c: GET /admin/reports/certificates.csv — the certificates the administrator may see, as a CSV download. */
#include "config.h"

#include <stdint.h>

#include "admin_ctx.h"
#include "csv_export.h"
#include "policy.h"

/* The next chunk of certificates below id `before` (newest first), in the
 * certificate list's scope (cert_list.c). Column 1 repeats the id as the first cell. */
static struct cm_stmt *
chunk(struct admin_ctx *c, int64_t before, void *arg)
{
	struct cm_stmt *st;

	(void)arg;
	st = cm_db_prepare(c->db,
	    "SELECT c.id, c.id, c.serial_hex, c.cert_type, c.status, c.common_name, c.email, o.name,"
	    " c.not_before, c.not_after"
	    " FROM certificates c LEFT JOIN organizations o ON o.id = c.org_id"
	    " WHERE c.customer_id = ? AND c.id < ?"
	    ADMIN_CERT_SCOPE_SQL
	    " ORDER BY c.id DESC LIMIT " ADMIN_CSV_CHUNK_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, before) < 0 || admin_bind_cert_scope(st, 2, &c->user) < 0 ||
	    cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

void
admin_report_certificates_csv(struct admin_ctx *c)
{
	static const char *const header[] = {
		"id", "serial", "type", "status", "common_name", "email", "organisation",
		"not_before", "not_after"
	};
	const struct admin_csv_export x = {
		.what = "certificate report",
		.filename = "certificates.csv",
		.header = header,
		.ncols = sizeof(header) / sizeof(header[0]),
		.descending = 1,
		.chunk = chunk,
		.error_text = "The certificate report could not be read; this has been logged.",
		.too_big_title = "Report too large",
		.too_big_text = "The certificate report is larger than certmint can send at once; ask for it with the command-line tools.",
	};

	admin_csv_export(c, &x);
}
