/* persons_import.c: GET/POST /admin/persons/import — adds persons from an uploaded CSV file, each row checked on its own, with a per-row report. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "csv.h"
#include "log.h"
#include "persons_model.h"
#include "policy.h"

#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_MAX_ROWS 10000
#define CSV_COLS 6

static const char *const header[CSV_COLS] = {
	"email", "first_name", "last_name", "principal_name", "organisation", "department"
};

/* The export puts a quote before cells a spreadsheet would run; take it off again. */
static const char *
unquote(const char *s)
{
	return s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]) ? s + 1 : s;
}

/* Reads the upload into b; 0, or -1 with why set. */
static int
read_upload(const struct cm_upload *u, struct cm_buf *b, const char **why)
{
	char chunk[8192];
	FILE *fp;
	size_t n;
	int rc = 0;

	if (u->size > IMPORT_MAX_BYTES) {
		*why = "The file is larger than 1 MiB; split it into several files.";
		return -1;
	}
	if ((fp = fopen(u->path, "rb")) == NULL) {
		cm_err("person import: open %s: %s", u->path, strerror(errno));
		*why = NULL;
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (cm_buf_append(b, chunk, n) < 0) {
			*why = "The file is larger than 1 MiB; split it into several files.";
			rc = -1;
			break;
		}
	if (ferror(fp)) {
		*why = NULL;
		rc = -1;
	}
	fclose(fp);
	return rc;
}

static void
refuse(struct admin_ctx *c, const char *why)
{
	cm_render_set(c->r, "Errors.file", why);
	c->resp->status = 400;
	admin_page(c, "Import persons", "admin/persons_import.cs");
}

void
admin_persons_import_form(struct admin_ctx *c)
{
	int r = person_may_create(c);

	if (r == 1)
		admin_page(c, "Import persons", "admin/persons_import.cs");
	else
		admin_error(c, r < 0 ? 500 : 403, r < 0 ? "Internal error" : "Not allowed",
		    r < 0 ? "Your access could not be checked; this has been logged." :
		    "Your administrator role does not cover client certificates, so you cannot add persons.");
}

void
admin_persons_import(struct admin_ctx *c)
{
	const struct cm_upload *u = cm_req_file(c->req, "file");
	struct cm_buf file;
	char *f[CSV_COLS] = { NULL };
	const char *why = NULL;
	char msg[160], summary[96];
	size_t pos = 0, nf = 0;
	long line = 1, added = 0, rejected = 0, nrows = 0;
	int r, in_tx = 0;

	cm_buf_init(&file, IMPORT_MAX_BYTES);
	if ((r = person_may_create(c)) != 1) {
		admin_persons_import_form(c);
		goto out;
	}
	if (u == NULL) {
		refuse(c, "Choose a CSV file to import.");
		goto out;
	}
	if (read_upload(u, &file, &why) < 0) {
		if (why == NULL)
			goto err;
		refuse(c, why);
		goto out;
	}
	if (file.len >= 3 && memcmp(file.data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;        /* a spreadsheet's UTF-8 byte-order mark */
	if (file.len == 0 || memchr(file.data, '\0', file.len) != NULL) {
		refuse(c, "The file is not a CSV text file.");
		goto out;
	}
	/* The header and the whole structure first, so a bad file writes nothing. */
	{
		size_t p = pos;
		int ok = admin_csv_record(file.data, file.len, &p, f, CSV_COLS, &nf) == 1 && nf == CSV_COLS;

		for (size_t k = 0; ok && k < CSV_COLS; k++)
			ok = strcasecmp(f[k], header[k]) == 0;
		admin_csv_free(f, CSV_COLS, nf);
		if (!ok) {
			refuse(c, "The first line must be the header email,first_name,last_name,principal_name,organisation,department.");
			goto out;
		}
		while ((r = admin_csv_record(file.data, file.len, &p, f, CSV_COLS, &nf)) == 1) {
			admin_csv_free(f, CSV_COLS, nf);
			if (++nrows > IMPORT_MAX_ROWS)
				break;
		}
		if (r < 0 || nrows > IMPORT_MAX_ROWS) {
			refuse(c, r < 0 ? "The file is not valid CSV (a stray or unterminated quote, or a cell over 1000 characters)." :
			    "The file has more than 10,000 rows; split it into several files.");
			goto out;
		}
	}
	(void)admin_csv_record(file.data, file.len, &pos, f, CSV_COLS, &nf);    /* the header */
	admin_csv_free(f, CSV_COLS, nf);
	if (cm_db_begin(c->db) < 0)
		goto err;
	in_tx = 1;
	/* Rows are checked one by one inside the one transaction, so a later row
	 * with an e-mail an earlier row added is reported as a duplicate. */
	while (admin_csv_record(file.data, file.len, &pos, f, CSV_COLS, &nf) == 1) {
		struct person_in p;
		const char *field;
		char email[PERSON_EMAIL_MAX + 1];
		size_t n = (size_t)(added + rejected);
		int64_t id;
		int dberr = 0;

		line++;
		if (nf == 1 && f[0][0] == '\0') {
			admin_csv_free(f, CSV_COLS, nf);
			continue;    /* an empty line */
		}
		memset(&p, 0, sizeof(p));
		why = NULL;
		if (nf != CSV_COLS) {
			snprintf(msg, sizeof(msg), "The row has %zu cells; it needs %d.", nf, CSV_COLS);
			why = msg;
		} else {
			p.email = unquote(f[0]);
			p.first_name = unquote(f[1]);
			p.last_name = unquote(f[2]);
			p.principal_name = unquote(f[3]);
			r = person_unit_by_name(c, unquote(f[4]), unquote(f[5]), &p.org_id, &p.dept_id);
			if (r < 0)
				goto rollback;
			if (r == 0)
				why = "There is no such organisation / department.";
			else if ((why = person_check(c, &p, 0, email, sizeof(email), &field, &dberr)) == NULL &&
			    person_insert(c, &p, email, &id) < 0)
				goto rollback;
			if (dberr)
				goto rollback;
		}
		snprintf(summary, sizeof(summary), "%ld", line);
		cm_render_setf(c->r, summary, "Rows.%zu.line", n);
		cm_render_setf(c->r, nf >= 1 ? f[0] : "", "Rows.%zu.email", n);
		cm_render_setf(c->r, why ? why : "added", "Rows.%zu.result", n);
		if (why)
			cm_render_setf(c->r, "1", "Rows.%zu.rejected", n);
		if (why)
			rejected++;
		else
			added++;
		admin_csv_free(f, CSV_COLS, nf);
	}
	{
		struct cm_audit_entry e;
		char after[96];

		snprintf(after, sizeof(after), "{\"added\":%ld,\"rejected\":%ld}", added, rejected);
		memset(&e, 0, sizeof(e));
		e.actor = c->user.principal;
		e.action = "person.import";
		e.object_type = "person";
		e.after = after;
		e.remote_addr = c->req->remote_addr;
		e.customer_id = c->user.customer_id;
		if (cm_audit(c->db, &e) < 0 || cm_db_commit(c->db) < 0)
			goto rollback;
	}
	in_tx = 0;
	cm_render_set_int(c->r, "Import.added", added);
	cm_render_set_int(c->r, "Import.rejected", rejected);
	cm_render_set(c->r, "Import.done", "1");
	admin_page(c, "Import persons", "admin/persons_import.cs");
	goto out;
rollback:
	admin_csv_free(f, CSV_COLS, nf);
	if (in_tx)
		cm_db_rollback(c->db);
err:
	cm_err("person import: %s", cm_db_error(c->db));
	admin_error(c, 500, "Internal error", "The import failed and nothing was added; this has been logged.");
out:
	cm_buf_free(&file);
}
