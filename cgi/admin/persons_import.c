/* persons_import.c: GET/POST /admin/persons/import — adds persons from an uploaded CSV file, each row checked on its own, with a per-row report. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "log.h"
#include "persons_model.h"
#include "policy.h"

#define IMPORT_MAX_BYTES (1024 * 1024)
#define IMPORT_MAX_ROWS 10000
#define CSV_COLS 6
/* Rows read ahead at a time; their e-mails go to the database in one query. */
#define CHUNK_ROWS 500
#define MEMO_BUCKETS 1024

static const char *const header[CSV_COLS] = {
	"email", "first_name", "last_name", "principal_name", "organisation", "department"
};

/*
 * What the database said about a key, kept for the rest of the file: an
 * organisation/department name pair, a (unit, e-mail domain) pair, or an
 * e-mail address already taken. A file repeats a few units and domains over
 * thousands of rows, so each is asked once.
 */
struct memo {
	struct memo *next;
	int64_t org_id, dept_id;
	int state;
	char key[];
};

struct memo_set {
	struct memo *bucket[MEMO_BUCKETS];
};

enum { UNIT_NONE, UNIT_DENIED, UNIT_OK };

/* One import: the caller's scopes, loaded once, and the three caches. */
struct import {
	struct admin_ctx *c;
	struct cm_admin_scope sc[ADMIN_MAX_SCOPES];
	long nsc;
	struct memo_set units;      /* state UNIT_* */
	struct memo_set domains;    /* state 1 covered, 0 not */
	struct memo_set taken;      /* lower-cased e-mails of live persons */
	struct cm_stmt *taken_st;
};

/* One row read ahead: its cells, and what needs no database. */
struct row {
	long line;
	char *f[CSV_COLS];
	size_t nf;
	struct person_in p;
	const char *field_why;      /* person_check_fields' message, or NULL */
	char email[PERSON_EMAIL_MAX + 1];
	char host[256];
};

static size_t
memo_hash(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % MEMO_BUCKETS;
}

static struct memo *
memo_get(struct memo_set *m, const char *key)
{
	for (struct memo *e = m->bucket[memo_hash(key)]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* A new zeroed entry for key; NULL when out of memory. */
static struct memo *
memo_put(struct memo_set *m, const char *key)
{
	size_t n = strlen(key) + 1, h = memo_hash(key);
	struct memo *e = calloc(1, sizeof(*e) + n);

	if (e == NULL)
		return NULL;
	memcpy(e->key, key, n);
	e->next = m->bucket[h];
	m->bucket[h] = e;
	return e;
}

static void
memo_free(struct memo_set *m)
{
	for (size_t i = 0; i < MEMO_BUCKETS; i++)
		while (m->bucket[i]) {
			struct memo *e = m->bucket[i];

			m->bucket[i] = e->next;
			free(e);
		}
}

/* E-mails compare as the column does (utf8mb4_unicode_ci): persons' e-mails
 * are ASCII (person_check_fields), where that is ignoring case. */
static void
email_key(char *dst, size_t dstlen, const char *email)
{
	size_t i = 0;

	for (; email[i] && i + 1 < dstlen; i++)
		dst[i] = (char)tolower((unsigned char)email[i]);
	dst[i] = '\0';
}

/*
 * The unit named org/dept and whether the policy lets the administrator
 * manage its persons (person_may_manage's rule with the scopes loaded once),
 * asked once per distinct pair. NULL on a database error.
 */
static const struct memo *
unit_of(struct import *im, const char *org, const char *dept)
{
	struct cm_buf key;
	struct memo *m = NULL;
	int64_t org_id, dept_id;
	int r;

	cm_buf_init(&key, 2 * ADMIN_CSV_CELL_MAX + 32);
	/* the length first, so no pair of names makes another's key */
	if (cm_buf_printf(&key, "%zu:%s/%s", strlen(org), org, dept) < 0)
		goto out;
	if ((m = memo_get(&im->units, key.data)) != NULL)
		goto out;
	if ((r = person_unit_by_name(im->c, org, dept, &org_id, &dept_id)) < 0 ||
	    (m = memo_put(&im->units, key.data)) == NULL)
		goto out;
	m->org_id = org_id;
	m->dept_id = dept_id;
	if (r == 0) {
		m->state = UNIT_NONE;
	} else {
		struct admin_object o = { im->c->user.customer_id, org_id, dept_id, "client" };

		m->state = admin_policy(&im->c->user, im->sc, (size_t)im->nsc, ACTION_EDIT, &o) ?
		    UNIT_OK : UNIT_DENIED;
	}
out:
	cm_buf_free(&key);
	return m;
}

/* person_domain_covered, once per (unit, domain). 1, 0, or -1 database. */
static int
covered(struct import *im, const struct memo *unit, const char *host)
{
	char key[320];
	struct memo *m;
	int r;

	snprintf(key, sizeof(key), "%lld/%lld/%s", (long long)unit->org_id, (long long)unit->dept_id, host);
	if ((m = memo_get(&im->domains, key)) != NULL)
		return m->state;
	if ((r = person_domain_covered(im->c, host, unit->org_id, unit->dept_id)) < 0 ||
	    (m = memo_put(&im->domains, key)) == NULL)
		return -1;
	m->state = r;
	return r;
}

/* 0 or -1 (out of memory). */
static int
mark_taken(struct import *im, const char *email)
{
	char key[PERSON_EMAIL_MAX + 1];

	email_key(key, sizeof(key), email);
	return memo_get(&im->taken, key) || memo_put(&im->taken, key) ? 0 : -1;
}

/* Prepares the query of find_taken: the chunk's e-mails travel as one JSON
 * array, read by JSON_TABLE and looked up one by one in
 * persons_customer_email (the statement stays a constant). 0 or -1. */
static int
prepare_taken(struct import *im)
{
	im->taken_st = cm_db_prepare(im->c->db,
	    "SELECT j.e FROM JSON_TABLE(?, '$[*]' COLUMNS (e VARCHAR(255)"
	    " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$')) j"
	    " STRAIGHT_JOIN persons p ON p.customer_id = ? AND p.email = j.e AND p.deleted_at IS NULL");
	return im->taken_st ? 0 : -1;
}

/*
 * Asks in one query which e-mails of rows[0..n) live persons of the
 * customer already have, and marks them taken. Rows added later mark their
 * own, so a later row repeating an earlier one is a duplicate too. 0 or -1.
 */
static int
find_taken(struct import *im, const struct row *rows, size_t n)
{
	struct cm_buf list;
	size_t k = 0;
	int f = -1;

	cm_buf_init(&list, 64 * n + 16);
	if (cm_buf_putc(&list, '[') < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].nf != CSV_COLS || rows[i].field_why != NULL)
			continue;
		if ((k++ && cm_buf_putc(&list, ',') < 0) || cm_buf_json_str(&list, rows[i].email) < 0)
			goto out;
	}
	if (cm_buf_putc(&list, ']') < 0)
		goto out;
	if (k == 0) {
		f = 0;
		goto out;
	}
	if ((im->taken_st == NULL && prepare_taken(im) < 0) ||
	    cm_stmt_bind_str(im->taken_st, 0, list.data) < 0 ||
	    cm_stmt_bind_i64(im->taken_st, 1, im->c->user.customer_id) < 0 ||
	    cm_stmt_execute(im->taken_st) < 0)
		goto out;
	while ((f = cm_stmt_fetch(im->taken_st)) == 1)
		if (mark_taken(im, cm_stmt_str(im->taken_st, 0, NULL)) < 0) {
			f = -1;
			break;
		}
out:
	cm_buf_free(&list);
	return f;
}

/*
 * Checks a row as person_check would and adds it (person_insert: the row and
 * its person.create audit row, in the import's transaction). *why gets NULL
 * (added) or the reason; msg holds a reason made up here. 0, or -1 on a
 * database error.
 */
static int
import_row(struct import *im, struct row *rw, const char **why, char *msg, size_t msglen)
{
	const struct memo *unit;
	int64_t id;
	int r;

	*why = NULL;
	if (rw->nf != CSV_COLS) {
		snprintf(msg, msglen, "The row has %zu cells; it needs %d.", rw->nf, CSV_COLS);
		*why = msg;
		return 0;
	}
	if ((unit = unit_of(im, admin_csv_unquote(rw->f[4]), admin_csv_unquote(rw->f[5]))) == NULL)
		return -1;
	if (unit->state == UNIT_NONE) {
		*why = "There is no such organisation / department.";
		return 0;
	}
	/* From here on, person_check's order. */
	if (rw->field_why != NULL) {
		*why = rw->field_why;
		return 0;
	}
	if (unit->state == UNIT_DENIED) {
		*why = PERSON_MSG_DENIED;
		return 0;
	}
	if ((r = covered(im, unit, rw->host)) < 0)
		return -1;
	if (r == 0) {
		*why = PERSON_MSG_DOMAIN;
		return 0;
	}
	{
		char key[PERSON_EMAIL_MAX + 1];

		email_key(key, sizeof(key), rw->email);
		if (memo_get(&im->taken, key) != NULL) {
			*why = PERSON_MSG_TAKEN;
			return 0;
		}
	}
	rw->p.org_id = unit->org_id;
	rw->p.dept_id = unit->dept_id;
	if (person_insert(im->c, &rw->p, rw->email, &id) < 0 || mark_taken(im, rw->email) < 0)
		return -1;
	return 0;
}

/* Reads up to CHUNK_ROWS rows (empty lines skipped) into rows; their count
 * in *n. 0, or -1 (out of memory: the rows read are freed, *n is 0). */
static int
read_rows(const struct cm_buf *file, size_t *pos, long *line, struct row *rows, size_t *n_out)
{
	size_t n = 0;

	*n_out = 0;
	while (n < CHUNK_ROWS) {
		struct row *rw = &rows[n];
		const char *field;
		int r;

		memset(rw, 0, sizeof(*rw));
		/* The whole file was checked, so every record is well-formed:
		 * 0 is the end, and -1 can only be out of memory. */
		if ((r = admin_csv_record(file->data, file->len, pos, rw->f, CSV_COLS, &rw->nf)) < 0) {
			while (n > 0) {
				n--;
				admin_csv_free(rows[n].f, CSV_COLS, rows[n].nf);
			}
			return -1;
		}
		if (r != 1)
			break;
		rw->line = ++*line;
		if (rw->nf == 1 && rw->f[0][0] == '\0') {
			admin_csv_free(rw->f, CSV_COLS, rw->nf);
			continue;    /* an empty line */
		}
		if (rw->nf == CSV_COLS) {
			rw->p.email = admin_csv_unquote(rw->f[0]);
			rw->p.first_name = admin_csv_unquote(rw->f[1]);
			rw->p.last_name = admin_csv_unquote(rw->f[2]);
			rw->p.principal_name = admin_csv_unquote(rw->f[3]);
			rw->field_why = person_check_fields(&rw->p, rw->email, sizeof(rw->email),
			    rw->host, sizeof(rw->host), &field);
		}
		n++;
	}
	*n_out = n;
	return 0;
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
	struct import *im = NULL;
	struct row *rows = NULL;
	struct cm_buf file;
	char why_file[256], msg[160], num[32];
	size_t pos = 0, n = 0, i = 0;
	long line = 1, added = 0, rejected = 0;
	int in_tx = 0;

	cm_buf_init(&file, IMPORT_MAX_BYTES);
	if (person_may_create(c) != 1) {
		admin_persons_import_form(c);
		goto out;
	}
	if (u == NULL) {
		refuse(c, "Choose a CSV file to import.");
		goto out;
	}
	/* The header and the whole structure first, so a bad file writes nothing. */
	if (admin_csv_file_read(u->path, u->size, IMPORT_MAX_BYTES, &file, why_file, sizeof(why_file)) < 0 ||
	    admin_csv_file_check(file.data, file.len, header, CSV_COLS, IMPORT_MAX_ROWS, &pos,
	    why_file, sizeof(why_file)) < 0) {
		if (why_file[0] != '\0') {
			refuse(c, why_file);
			goto out;
		}
		cm_err("person import: %s: %s", u->path, strerror(errno));
		admin_error(c, 500, "Internal error", "The file could not be read; this has been logged.");
		goto out;
	}
	if ((im = calloc(1, sizeof(*im))) == NULL || (rows = calloc(CHUNK_ROWS, sizeof(*rows))) == NULL)
		goto fail;
	im->c = c;
	if ((im->nsc = admin_scopes_load(c, im->sc)) < 0 || cm_db_begin(c->db) < 0)
		goto fail;
	in_tx = 1;
	/* Rows are checked one by one inside the one transaction, so a later row
	 * with an e-mail an earlier row added is reported as a duplicate. */
	for (;;) {
		if (read_rows(&file, &pos, &line, rows, &n) < 0)
			goto fail;
		if (n == 0)
			break;
		i = 0;
		if (find_taken(im, rows, n) < 0)
			goto fail;
		for (i = 0; i < n; i++) {
			struct row *rw = &rows[i];
			size_t k = (size_t)(added + rejected);
			const char *why;

			if (import_row(im, rw, &why, msg, sizeof(msg)) < 0)
				goto fail;
			snprintf(num, sizeof(num), "%ld", rw->line);
			cm_render_setf(c->r, num, "Rows.%zu.line", k);
			cm_render_setf(c->r, rw->nf >= 1 ? rw->f[0] : "", "Rows.%zu.email", k);
			cm_render_setf(c->r, why ? why : "added", "Rows.%zu.result", k);
			if (why) {
				cm_render_setf(c->r, "1", "Rows.%zu.rejected", k);
				rejected++;
			} else {
				added++;
			}
			admin_csv_free(rw->f, CSV_COLS, rw->nf);
		}
	}
	{
		char after[96];

		snprintf(after, sizeof(after), "{\"added\":%ld,\"rejected\":%ld}", added, rejected);
		if (admin_audit_object(c, "person", "person.import", 0, NULL, after) < 0 || cm_db_commit(c->db) < 0)
			goto fail;
	}
	in_tx = 0;
	cm_info("admin %s imported persons: %ld added, %ld rejected", c->user.principal, added, rejected);
	cm_render_set_int(c->r, "Import.added", added);
	cm_render_set_int(c->r, "Import.rejected", rejected);
	cm_render_set(c->r, "Import.done", "1");
	admin_page(c, "Import persons", "admin/persons_import.cs");
	goto out;
fail:
	/* a database error, or out of memory */
	cm_err("person import: %s", cm_db_error(c->db));
	if (in_tx)
		cm_db_rollback(c->db);
	admin_error(c, 500, "Internal error", "The import failed and nothing was added; this has been logged.");
out:
	for (; rows && i < n; i++)      /* the rows of a chunk left unreported */
		admin_csv_free(rows[i].f, CSV_COLS, rows[i].nf);
	if (im) {
		if (im->taken_st)
			cm_stmt_close(im->taken_st);
		memo_free(&im->units);
		memo_free(&im->domains);
		memo_free(&im->taken);
	}
	free(im);
	free(rows);
	cm_buf_free(&file);
}
