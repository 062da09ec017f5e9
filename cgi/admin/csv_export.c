/* csv_export.c: streams a keyset-paged query as a CSV download, one chunk of rows at a time. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "csv_export.h"
#include "log.h"

#define MAX_COLS 32

void
admin_csv_export(struct admin_ctx *c, const struct admin_csv_export *x)
{
	struct cm_buf *out = &c->resp->body;
	int64_t after = x->descending ? INT64_MAX : 0;
	size_t got;

	if (x->ncols == 0 || x->ncols > MAX_COLS) {
		cm_err("%s: %zu columns", x->what, x->ncols);
		admin_error(c, 500, "Internal error", x->error_text);
		return;
	}
	cm_buf_reset(out);
	if (admin_csv_row(out, x->header, x->ncols) < 0)
		goto too_big;
	do {
		struct cm_stmt *st = x->chunk(c, after, x->arg);
		int f = 0, keep = 1;

		if (st == NULL)
			goto dberr;
		got = 0;
		while ((f = cm_stmt_fetch(st)) == 1) {
			const char *cells[MAX_COLS];

			/* Every fetched row moves the cursor, kept or not, so a
			 * chunk the policy hides entirely still ends the loop right. */
			after = cm_stmt_i64(st, 0);
			got++;
			if (x->row) {
				keep = x->row(c, st, cells, x->arg);
			} else {
				for (size_t i = 0; i < x->ncols; i++)
					cells[i] = cm_stmt_str(st, (unsigned)i + 1, NULL);
			}
			if (keep < 0)
				break;
			if (keep == 1 && admin_csv_row(out, cells, x->ncols) < 0) {
				cm_stmt_close(st);
				goto too_big;
			}
		}
		cm_stmt_close(st);
		if (f < 0 || keep < 0)
			goto dberr;
	} while (got == ADMIN_CSV_CHUNK);
	cm_resp_content_type(c->resp, "text/csv; charset=utf-8");
	{
		char disp[128];

		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", x->filename);
		cm_resp_header(c->resp, "Content-Disposition", disp);
	}
	cm_resp_header(c->resp, "Cache-Control", "no-store");
	return;
dberr:
	cm_err("%s: %s", x->what, cm_db_error(c->db));
	admin_error(c, 500, "Internal error", x->error_text);
	return;
too_big:
	cm_warn("%s for %s exceeds the response limit", x->what, c->user.principal);
	admin_error(c, 413, x->too_big_title, x->too_big_text);
}
