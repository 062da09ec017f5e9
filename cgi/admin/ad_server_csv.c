/* ad_server_csv.c: GET /admin/ad-servers/export.csv and GET/POST /admin/ad-servers/import — a customer's AD servers as CSV (never a password), imported all or nothing with the form's checks. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ad_server_model.h"
#include "csv.h"
#include "csv_export.h"
#include "log.h"

#define NCOLS 10
#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_MAX_ROWS 500       /* the list shows 500 servers */
/* The organisations cell stays under the import's cell limit (ADMIN_CSV_CELL_MAX). */
#define ORGS_CELL_MAX 900

/* The export's header, which the import reads back. No password, sealed or not, ever. */
static const char *const header[NCOLS] = {
	"name", "domain", "ldap_uris", "base_dn", "users_base_dn", "starttls", "bind_method", "bind_dn",
	"is_default", "organisations"
};

/* The next chunk of the customer's live servers after id `after`. */
static struct cm_stmt *
chunk(struct admin_ctx *c, int64_t after, void *arg)
{
	struct cm_stmt *st;

	(void)arg;
	st = cm_db_prepare(c->db,
	    "SELECT s.id, s.name, s.domain, s.ldap_uris, s.base_dn, COALESCE(s.users_base_dn, ''),"
	    " IF(s.starttls, 'yes', 'no'), s.bind_method, COALESCE(s.bind_dn, ''), IF(s.is_default, 'yes', 'no'),"
	    " COALESCE((SELECT GROUP_CONCAT(o.name ORDER BY o.name SEPARATOR '; ') FROM organizations o"
	    " WHERE o.ad_server_id = s.id AND o.customer_id = s.customer_id AND o.deleted_at IS NULL), '')"
	    " FROM ad_servers s WHERE s.customer_id = ? AND s.deleted_at IS NULL AND s.id > ?"
	    " ORDER BY s.id LIMIT " ADMIN_CSV_CHUNK_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, after) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

/* Columns 1..10, the organisations cut (at a name boundary) to ORGS_CELL_MAX bytes. */
static int
row(struct admin_ctx *c, struct cm_stmt *st, const char **cells, void *arg)
{
	char *orgs = arg;
	const char *o;

	(void)c;
	for (unsigned i = 0; i < NCOLS - 1; i++)
		cells[i] = cm_stmt_str(st, i + 1, NULL);
	o = cm_stmt_str(st, NCOLS, NULL);
	o = o ? o : "";
	if (strlen(o) <= ORGS_CELL_MAX) {
		snprintf(orgs, ORGS_CELL_MAX + 1, "%s", o);
	} else {
		size_t cut = ORGS_CELL_MAX - 5;

		while (cut > 0 && strncmp(o + cut, "; ", 2) != 0)
			cut--;
		snprintf(orgs, ORGS_CELL_MAX + 1, "%.*s; ...", (int)cut, o);
	}
	cells[NCOLS - 1] = orgs;
	return 1;
}

void
admin_ad_server_export_csv(struct admin_ctx *c)
{
	char orgs[ORGS_CELL_MAX + 1];
	const struct admin_csv_export x = {
		.what = "AD server export",
		.filename = "ad-servers.csv",
		.header = header,
		.ncols = NCOLS,
		.chunk = chunk,
		.row = row,
		.arg = orgs,
		.error_text = "The AD server list could not be read; this has been logged.",
		.too_big_title = "Export too large",
		.too_big_text = "The AD server list is larger than certmint can send at once.",
	};

	if (ad_server_may_manage(c))
		admin_csv_export(c, &x);
}

/* One import: the row being checked and its report. */
struct import {
	struct admin_ctx *c;
	struct ad_server_row s;
	size_t row;               /* index in Rows */
	size_t nerr;              /* of this row */
	long rejected;
};

static void
page(struct admin_ctx *c, int status)
{
	c->resp->status = status;
	admin_page(c, "Import AD servers", "admin/ad_server_import.cs");
}

void
admin_ad_server_import_form(struct admin_ctx *c)
{
	if (ad_server_may_manage(c))
		page(c, 200);
}

/* Records a problem of the current row under Rows.N.errors.K. */
static void
row_error(void *arg, const char *field, const char *msg)
{
	struct import *im = arg;

	cm_render_setf(im->c->r, field, "Rows.%zu.errors.%zu.column", im->row, im->nerr);
	cm_render_setf(im->c->r, msg, "Rows.%zu.errors.%zu.message", im->row, im->nerr);
	im->nerr++;
}

/* "yes"/"no" (also 1/0, true/false; any case) into *v; 0, or -1 when it is neither. */
static int
yes_no(const char *s, int *v)
{
	static const char *const yes[] = { "yes", "1", "true" }, *const no[] = { "no", "0", "false", "" };

	for (size_t i = 0; i < 3; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return *v = 1, 0;
	for (size_t i = 0; i < 4; i++)
		if (strcasecmp(s, no[i]) == 0)
			return *v = 0, 0;
	return -1;
}

/* Checks one record and, when it passes, adds the server in the import's
 * transaction (with its ad_server.create audit row). 0, or -1 on a database error. */
static int
import_row(struct import *im, char **f, size_t nf, int *default_seen)
{
	struct admin_ctx *c = im->c;
	struct ad_server_row *s = &im->s;
	struct ad_server_fields in;
	struct cm_buf after;
	int64_t id;
	int r, rc = -1;

	memset(s, 0, sizeof(*s));
	im->nerr = 0;
	if (nf != NCOLS) {
		char msg[96];

		snprintf(msg, sizeof(msg), "The row has %zu cells; it needs %d (the export's columns).", nf, NCOLS);
		row_error(im, "row", msg);
		return 0;
	}
	in.name = admin_csv_unquote(f[0]);
	in.domain = admin_csv_unquote(f[1]);
	in.ldap_uris = admin_csv_unquote(f[2]);
	in.base_dn = admin_csv_unquote(f[3]);
	in.users_base_dn = admin_csv_unquote(f[4]);
	in.bind_method = admin_csv_unquote(f[6]);
	in.bind_dn = admin_csv_unquote(f[7]);
	if (in.bind_method[0] == '\0')
		row_error(im, "bind_method", "Write gssapi (Kerberos) or simple (login DN and password).");
	ad_server_fields_check(&in, s, row_error, im);
	if (yes_no(admin_csv_unquote(f[5]), &s->starttls) < 0)
		row_error(im, "starttls", "Write yes or no.");
	if (yes_no(admin_csv_unquote(f[8]), &s->is_default) < 0)
		row_error(im, "is_default", "Write yes or no.");
	else if (s->is_default && (*default_seen)++)
		row_error(im, "is_default", "Only one server can be the default: write yes on one row only.");
	/* A simple bind comes without its password (a CSV never carries one): the list flags it. */
	ad_server_rules(s, row_error, im);
	if (s->name[0] && (r = ad_server_name_taken(c, s->name, 0)) != 0) {
		if (r < 0)
			return -1;
		row_error(im, "name", "Another AD server (or an earlier row) already has this name.");
	}
	if (im->nerr > 0)
		return 0;
	cm_buf_init(&after, 256 * 1024);
	if ((id = ad_server_insert(c, s, NULL, 0)) < 0 || ad_server_load(c, id, 0, s) != 1 ||
	    ad_server_json(s, &after) < 0 || admin_audit_object(c, "ad_server", "ad_server.create", id, NULL, after.data) < 0)
		goto out;
	rc = 0;
out:
	cm_buf_free(&after);
	return rc;
}

void
admin_ad_server_import(struct admin_ctx *c)
{
	const struct cm_upload *u = cm_req_file(c->req, "file");
	struct import *im = NULL;
	struct cm_buf file;
	char *f[NCOLS] = { NULL };
	char why[512], num[32];
	size_t pos = 0, nf = 0;
	long line = 1, added = 0;
	int in_tx = 0, default_seen = 0, r;

	cm_buf_init(&file, IMPORT_MAX_BYTES);
	if (!ad_server_may_manage(c))
		goto out;
	if (u == NULL || u->size == 0) {
		cm_render_set(c->r, "Errors.file", "Choose a CSV file to import.");
		page(c, 400);
		goto out;
	}
	/* The header and the whole structure first, so a bad file writes nothing. */
	if (admin_csv_file_read(u->path, u->size, IMPORT_MAX_BYTES, &file, why, sizeof(why)) < 0 ||
	    admin_csv_file_check(file.data, file.len, header, NCOLS, IMPORT_MAX_ROWS, &pos, why, sizeof(why)) < 0) {
		if (why[0] == '\0') {
			cm_err("AD server import: %s: %s", u->path, strerror(errno));
			admin_error(c, 500, "Internal error", "The file could not be read; this has been logged.");
			goto out;
		}
		cm_render_set(c->r, "Errors.file", why);
		page(c, 400);
		goto out;
	}
	if ((im = calloc(1, sizeof(*im))) == NULL || cm_db_begin(c->db) < 0)
		goto fail;
	im->c = c;
	in_tx = 1;
	/* All or nothing: every row is checked (and added, so later rows see
	 * earlier names) in one transaction, rolled back if any row fails. */
	while ((r = admin_csv_record(file.data, file.len, &pos, f, NCOLS, &nf)) == 1) {
		line++;
		if (nf == 1 && f[0][0] == '\0') {
			admin_csv_free(f, NCOLS, nf);
			continue;    /* an empty line */
		}
		if (import_row(im, f, nf, &default_seen) < 0) {
			admin_csv_free(f, NCOLS, nf);
			goto fail;
		}
		snprintf(num, sizeof(num), "%ld", line);
		cm_render_setf(c->r, num, "Rows.%zu.line", im->row);
		cm_render_setf(c->r, nf >= 1 ? admin_csv_unquote(f[0]) : "", "Rows.%zu.name", im->row);
		if (im->nerr > 0) {
			cm_render_setf(c->r, "1", "Rows.%zu.rejected", im->row);
			im->rejected++;
		} else {
			if (im->s.bind_method == AD_BIND_SIMPLE)
				cm_render_setf(c->r, "1", "Rows.%zu.password_needed", im->row);
			added++;
		}
		im->row++;
		admin_csv_free(f, NCOLS, nf);
	}
	if (r < 0)
		goto fail;
	if (im->rejected > 0 || added == 0) {
		cm_db_rollback(c->db);
		in_tx = 0;
		if (added == 0 && im->rejected == 0)
			cm_render_set(c->r, "Errors.file", "The file has no rows after its header.");
		else
			cm_render_set(c->r, "Errors.file", "Nothing was imported: correct the rows below and import the whole file again.");
		cm_render_set_int(c->r, "Import.rejected", im->rejected);
		cm_render_set_int(c->r, "Import.checked", added + im->rejected);
		page(c, 400);
		goto out;
	}
	{
		char summary[96];

		snprintf(summary, sizeof(summary), "{\"added\":%ld}", added);
		if (admin_audit_object(c, "ad_server", "ad_server.import", 0, NULL, summary) < 0 || cm_db_commit(c->db) < 0)
			goto fail;
	}
	in_tx = 0;
	cm_info("admin %s imported %ld AD servers", c->user.principal, added);
	cm_render_set_int(c->r, "Import.added", added);
	cm_render_set(c->r, "Import.done", "1");
	page(c, 200);
	goto out;
fail:
	cm_err("AD server import, line %ld: %s", line, cm_db_error(c->db));
	if (in_tx)
		cm_db_rollback(c->db);
	admin_error(c, 500, "Internal error", "The import failed and nothing was added; this has been logged.");
out:
	free(im);
	cm_buf_free(&file);
}
