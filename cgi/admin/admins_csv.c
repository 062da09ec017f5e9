/* admins_csv.c: GET /admin/admins/export.csv — the administrators the caller may see, in the import's CSV format. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "admins_model.h"
#include "csv_export.h"

#define NCOLS 6

/* What one export carries from row to row. */
struct export_state {
	struct cm_admin_scope mine[ADMIN_MAX_SCOPES];
	long nmine;
	struct admins_row row;
	struct cm_buf scope;      /* the scope cell: "Org" / "Org/Dept", ';' between */
};

/* The next chunk of administrators of the caller's customer after id `after`. */
static struct cm_stmt *
chunk(struct admin_ctx *c, int64_t after, void *arg)
{
	struct cm_stmt *st;

	(void)arg;
	st = cm_db_prepare(c->db,
	    "SELECT id, customer_id, principal, COALESCE(name, ''), COALESCE(email, ''), role, cert_types"
	    " FROM admins WHERE customer_id = ? AND deleted_at IS NULL AND id > ?"
	    " ORDER BY id LIMIT " ADMIN_CSV_CHUNK_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, after) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

/* The row's cells when the policy lets the caller see it, as on the list page (admins_list.c). */
static int
row(struct admin_ctx *c, struct cm_stmt *st, const char **cells, void *arg)
{
	struct export_state *x = arg;
	struct admin_target t;
	const char *s;

	x->row.id = cm_stmt_i64(st, 0);
	x->row.customer_id = cm_stmt_i64(st, 1);
	snprintf(x->row.types, sizeof(x->row.types), "%s", (s = cm_stmt_str(st, 6, NULL)) ? s : "");
	cm_buf_reset(&x->scope);
	if (admins_row_scopes(c, &x->row, &x->scope) < 0)
		return -1;
	admins_row_target(&x->row, &t);
	if (!admin_policy_admin(&c->user, x->mine, (size_t)x->nmine, ACTION_VIEW_ADMIN, &t))
		return 0;
	cells[0] = cm_stmt_str(st, 2, NULL);
	cells[1] = cm_stmt_str(st, 3, NULL);
	cells[2] = cm_stmt_str(st, 4, NULL);
	cells[3] = cm_stmt_str(st, 5, NULL);
	cells[4] = cm_stmt_str(st, 6, NULL);
	cells[5] = x->scope.data ? x->scope.data : "";
	return 1;
}

void
admin_admins_export_csv(struct admin_ctx *c)
{
	/* The same header admins/import reads, so an export can be imported elsewhere. */
	static const char *const header[NCOLS] = {
		"principal", "name", "email", "role", "cert_types", "scope"
	};
	struct export_state *x = calloc(1, sizeof(*x));
	struct admin_csv_export ex = {
		.what = "administrator export",
		.filename = "administrators.csv",
		.header = header,
		.ncols = NCOLS,
		.chunk = chunk,
		.row = row,
		.arg = x,
		.error_text = "The administrator list could not be read; this has been logged.",
		.too_big_title = "Export too large",
		.too_big_text = "The administrator list is larger than certmint can send at once.",
	};

	if (x == NULL) {
		admin_error(c, 500, "Internal error", "Out of memory.");
		return;
	}
	cm_buf_init(&x->scope, 16 * 1024);
	if ((x->nmine = admin_scopes_load(c, x->mine)) < 0)
		admin_error(c, 500, "Internal error", ex.error_text);
	else
		admin_csv_export(c, &ex);
	cm_buf_free(&x->scope);
	free(x);
}
