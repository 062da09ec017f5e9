/* admins_import.c: GET/POST /admin/admins/import — adds administrators from an uploaded CSV file, each row through the add form's checks, with a per-row report. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "admins_model.h"
#include "csv.h"
#include "log.h"

#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_MAX_ROWS 1000      /* each row is its own transaction and audit row */
#define CSV_COLS 6

/* The header admins/export.csv writes. */
static const char *const header[CSV_COLS] = {
	"principal", "name", "email", "role", "cert_types", "scope"
};

static void
page(struct admin_ctx *c, int status)
{
	c->resp->status = status;
	admin_page(c, "Import administrators", "admin/admins_import.cs");
}

void
admin_admins_import_form(struct admin_ctx *c)
{
	page(c, 200);
}

/*
 * Turns one record into the add form's fields and adds it through
 * admins_add, in its own transaction. Fills why (empty: added); 0, or -1 on
 * a database error (nothing of the row was written).
 */
static int
import_row(struct admin_ctx *c, char **f, size_t nf, char *why, size_t whylen)
{
	struct admins_form form;
	char role[16];
	const char *cell;
	int64_t id;
	int r;

	why[0] = '\0';
	if (nf != CSV_COLS) {
		snprintf(why, whylen, "The row has %zu cells; it needs %d.", nf, CSV_COLS);
		return 0;
	}
	/* The role as the export writes it ("rao"); any case. */
	snprintf(role, sizeof(role), "%s", admin_csv_unquote(f[3]));
	for (char *p = role; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	cell = admin_csv_unquote(f[5]);
	admins_form_fill(&form, admin_csv_unquote(f[0]), admin_csv_unquote(f[1]),
	    admin_csv_unquote(f[2]), role, strcmp(role, "mrao") == 0 ? cell : "");
	if (admins_form_types(&form, admin_csv_unquote(f[4])) < 0)
		form.msg[AF_TYPES] = "Unknown certificate type: write ssl, client and codesign, separated by commas.";
	if (strcmp(role, "rao") == 0 || strcmp(role, "drao") == 0) {
		if ((r = admins_scope_by_name(c, &form, cell)) < 0)
			return -1;
		if (r == 0 && cell[0] == '\0')
			form.msg[AF_SCOPE] = strcmp(role, "rao") == 0 ?
			    "An RAO needs an organisation in the scope column." :
			    "A DRAO needs Organisation/Department in the scope column.";
		else if (r == 0)
			form.msg[AF_SCOPE] = strcmp(role, "rao") == 0 ?
			    "There is no such organisation among yours (an RAO's scope is one organisation's name)." :
			    "There is no such Organisation/Department among yours.";
		else if (r == 2)
			form.msg[AF_SCOPE] = "More than one organisation or department has this name; rename one, or use the form.";
	}
	switch (admins_add(c, &form, &id)) {
	case ADMINS_ADDED:
		return 0;
	case ADMINS_ADD_INVALID:
	case ADMINS_ADD_DENIED:
	case ADMINS_ADD_TAKEN:
		admins_form_errors_join(&form, why, whylen);
		if (why[0] == '\0')
			snprintf(why, whylen, "Refused.");
		return 0;
	case ADMINS_ADD_DBERR:
		break;
	}
	return -1;
}

void
admin_admins_import(struct admin_ctx *c)
{
	const struct cm_upload *u = cm_req_file(c->req, "file");
	struct cm_buf file;
	char *f[CSV_COLS] = { NULL };
	char why[1024], num[32];
	size_t pos = 0, nf = 0;
	long line = 1, added = 0, rejected = 0;
	int stopped = 0;

	cm_buf_init(&file, IMPORT_MAX_BYTES);
	if (u == NULL) {
		cm_render_set(c->r, "Errors.file", "Choose a CSV file to import.");
		page(c, 400);
		goto out;
	}
	if (admin_csv_file_read(u->path, u->size, IMPORT_MAX_BYTES, &file, why, sizeof(why)) < 0 ||
	    admin_csv_file_check(file.data, file.len, header, CSV_COLS, IMPORT_MAX_ROWS, &pos,
	    why, sizeof(why)) < 0) {
		if (why[0] == '\0') {
			cm_err("administrator import: %s: %s", u->path, strerror(errno));
			admin_error(c, 500, "Internal error", "The file could not be read; this has been logged.");
			goto out;
		}
		cm_render_set(c->r, "Errors.file", why);
		page(c, 400);
		goto out;
	}
	/* One transaction per row (in admins_add): a row is added whole or
	 * not at all, and a later row sees the earlier ones (duplicates). */
	while (admin_csv_record(file.data, file.len, &pos, f, CSV_COLS, &nf) == 1) {
		size_t n = (size_t)(added + rejected);

		line++;
		if (nf == 1 && f[0][0] == '\0') {
			admin_csv_free(f, CSV_COLS, nf);
			continue;    /* an empty line */
		}
		if (import_row(c, f, nf, why, sizeof(why)) < 0) {
			/* Nothing of this row was written; stop rather than fail row after row. */
			cm_err("administrator import, line %ld: %s", line, cm_db_error(c->db));
			snprintf(why, sizeof(why), "Not added: a database error (logged). The import stopped here; import this row and the ones after it again.");
			stopped = 1;
		}
		snprintf(num, sizeof(num), "%ld", line);
		cm_render_setf(c->r, num, "Rows.%zu.line", n);
		cm_render_setf(c->r, f[0], "Rows.%zu.principal", n);
		cm_render_setf(c->r, why[0] ? why : "added", "Rows.%zu.result", n);
		if (why[0]) {
			cm_render_setf(c->r, "1", "Rows.%zu.rejected", n);
			rejected++;
		} else {
			added++;
		}
		admin_csv_free(f, CSV_COLS, nf);
		if (stopped)
			break;
	}
	{
		char after[96];

		/* The counts; each added administrator has its own admin.add row. */
		snprintf(after, sizeof(after), "{\"added\":%ld,\"rejected\":%ld}", added, rejected);
		if (cm_db_begin(c->db) < 0 || admin_audit_object(c, "admin", "admin.import", 0, NULL, after) < 0 ||
		    cm_db_commit(c->db) < 0) {
			cm_db_rollback(c->db);
			cm_err("administrator import summary: %s", cm_db_error(c->db));
		}
	}
	cm_info("admin %s imported administrators: %ld added, %ld rejected", c->user.principal, added, rejected);
	cm_render_set_int(c->r, "Import.added", added);
	cm_render_set_int(c->r, "Import.rejected", rejected);
	cm_render_set(c->r, "Import.done", "1");
	page(c, 200);
out:
	cm_buf_free(&file);
}
