/* persons_edit.c: person pages: new, detail/edit form, save, and delete (soft while certificates reference the person, else hard). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "edit_commit.h"
#include "log.h"
#include "confirm.h"
#include "persons_model.h"
#include "policy.h"
#include "units.h"

/* edit_commit's JSON of person id as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	struct person_row row;

	return person_load(c, id, 0, &row) == 1 ? person_json(&row, b) : -1;
}

static const struct edit_object person_object = {
	"person", "person", "/admin/persons/", "/admin/persons", stored_json
};

/* Puts what was typed back into the form (bounded), the units and field error. */
static void
show_form(struct admin_ctx *c, int status, const struct person_in *p, const char *field,
    const char *why)
{
	char name[64];

	cm_render_set(c->r, "Form.email", p->email && strlen(p->email) <= 1000 ? p->email : "");
	cm_render_set(c->r, "Form.first_name", p->first_name && strlen(p->first_name) <= 1000 ? p->first_name : "");
	cm_render_set(c->r, "Form.last_name", p->last_name && strlen(p->last_name) <= 1000 ? p->last_name : "");
	cm_render_set(c->r, "Form.principal_name",
	    p->principal_name && strlen(p->principal_name) <= 1000 ? p->principal_name : "");
	if (why) {
		snprintf(name, sizeof(name), "Errors.%s", field);
		cm_render_set(c->r, name, why);
	}
	if (person_units(c, p->org_id, p->dept_id) < 0) {
		admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
		return;
	}
	c->resp->status = status;
	admin_page(c, c->id ? "Person" : "New person", "admin/persons_form.cs");
}

/* The form's fields; the unit is parsed into org/dept (0 when malformed). */
static void
read_form(struct admin_ctx *c, struct person_in *p)
{
	memset(p, 0, sizeof(*p));
	p->email = cm_req_form(c->req, "email");
	p->first_name = cm_req_form(c->req, "first_name");
	p->last_name = cm_req_form(c->req, "last_name");
	p->principal_name = cm_req_form(c->req, "principal_name");
	/* A malformed unit leaves no organisation, which the check reports. */
	(void)cm_unit_parse(cm_req_form(c->req, "unit"), &p->org_id, &p->dept_id);
}

/* Answers 403/500 unless the administrator may add persons somewhere; 1 allowed, 0 answered. */
static int
may_create(struct admin_ctx *c)
{
	return edit_allowed(c, person_may_create(c),
	    "Your administrator role does not cover client certificates, so you cannot add persons.");
}

void
admin_persons_new_form(struct admin_ctx *c)
{
	struct person_in p;

	memset(&p, 0, sizeof(p));
	if (may_create(c))
		show_form(c, 200, &p, NULL, NULL);
}

void
admin_persons_create(struct admin_ctx *c)
{
	struct person_in p;
	const char *why, *field;
	char email[PERSON_EMAIL_MAX + 1], loc[64];
	int64_t id;
	int dberr;

	if (!may_create(c))
		return;
	read_form(c, &p);
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	/* Checked inside the transaction so a concurrent add of the same e-mail waits. */
	if ((why = person_check(c, &p, 0, email, sizeof(email), &field, &dberr)) != NULL) {
		cm_db_rollback(c->db);
		if (dberr)
			goto dberr;
		show_form(c, 400, &p, field, why);
		return;
	}
	if (person_insert(c, &p, email, &id) < 0 || cm_db_commit(c->db) < 0)
		goto dberr;
	snprintf(loc, sizeof(loc), "/admin/persons/%lld", (long long)id);
	cm_resp_redirect(c->resp, loc);
	return;
dberr:
	edit_fail(c, &person_object, "create", 0, "saved");
}

void
admin_persons_view(struct admin_ctx *c)
{
	struct person_row row;
	struct person_in p;
	int r;

	if (!person_load_visible(c, &row))
		return;
	p = (struct person_in){ row.email, row.first_name, row.last_name, row.principal_name,
	    row.org_id, row.dept_id };
	if ((r = person_may_manage(c, row.org_id, row.dept_id)) < 0) {
		admin_error(c, 500, "Internal error", "Your access could not be checked; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Person.org", row.org_name);
	cm_render_set(c->r, "Person.dept", row.dept_name);
	cm_render_set_int(c->r, "Person.id", (long)row.id);
	if (r == 1)
		cm_render_set(c->r, "Can.edit", "1");
	show_form(c, 200, &p, NULL, NULL);
}

void
admin_persons_save(struct admin_ctx *c)
{
	struct person_row row;
	struct person_in p;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	const char *why, *field;
	char email[PERSON_EMAIL_MAX + 1];
	int dberr;

	cm_buf_init(&before, 4096);
	if (!person_load_visible(c, &row))
		goto out;
	if (!edit_allowed(c, person_may_manage(c, row.org_id, row.dept_id),
	    "You may look at this person but not change it."))
		goto out;
	read_form(c, &p);
	cm_render_set_int(c->r, "Person.id", (long)row.id);
	cm_render_set(c->r, "Can.edit", "1");
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (person_load(c, c->id, 1, &row) != 1 || person_json(&row, &before) < 0)
		goto rollback;
	if ((why = person_check(c, &p, row.id, email, sizeof(email), &field, &dberr)) != NULL) {
		cm_db_rollback(c->db);
		if (dberr)
			goto dberr;
		show_form(c, 400, &p, field, why);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE persons SET email = ?, first_name = ?, last_name = ?, principal_name = ?, org_id = ?, dept_id = ?"
	    " WHERE id = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, email) < 0 ||
	    cm_stmt_bind_str(st, 1, p.first_name && p.first_name[0] ? p.first_name : NULL) < 0 ||
	    cm_stmt_bind_str(st, 2, p.last_name && p.last_name[0] ? p.last_name : NULL) < 0 ||
	    cm_stmt_bind_str(st, 3, p.principal_name && p.principal_name[0] ? p.principal_name : NULL) < 0 ||
	    cm_stmt_bind_i64(st, 4, p.org_id) < 0 ||
	    (p.dept_id ? cm_stmt_bind_i64(st, 5, p.dept_id) : cm_stmt_bind_null(st, 5)) < 0 ||
	    cm_stmt_bind_i64(st, 6, c->id) < 0 || cm_stmt_bind_i64(st, 7, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit(c, &person_object, "person.update", c->id, before.data) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &person_object, "save", c->id, "saved");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

void
admin_persons_delete(struct admin_ctx *c)
{
	struct person_row row;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	long long refs;

	cm_buf_init(&before, 4096);
	if (!person_load_visible(c, &row))
		goto out;
	if (!edit_allowed(c, person_may_manage(c, row.org_id, row.dept_id),
	    "You may look at this person but not delete it."))
		goto out;
	if (cm_req_form(c->req, "confirm") == NULL || strcmp(cm_req_form(c->req, "confirm"), "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the Delete button on the person's page to delete it.");
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (person_load(c, c->id, 1, &row) != 1 || person_json(&row, &before) < 0)
		goto rollback;
	st = cm_db_prepare(c->db, "SELECT COUNT(*) FROM certificates WHERE person_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_execute(st) < 0 ||
	    cm_stmt_fetch(st) != 1)
		goto rollback;
	refs = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	/* Certificates keep pointing at their holder: such a person is only marked deleted. */
	st = cm_db_prepare(c->db, refs > 0 ?
	    "UPDATE persons SET deleted_at = UTC_TIMESTAMP() WHERE id = ? AND customer_id = ?" :
	    "DELETE FROM persons WHERE id = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit_delete(c, &person_object, refs > 0 ? "person.delete.soft" : "person.delete", c->id,
	    before.data, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &person_object, "delete", c->id, "deleted");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

/* GET: the confirmation page of a deletion (the POST is admin_persons_delete). */
void
admin_persons_delete_confirm(struct admin_ctx *c)
{
	struct person_row row;
	char title[600], name[4 * 2 * PERSON_NAME_MAX + 2], page[64], action[80];
	struct admin_confirm cf = {
		.consequence = "The person is removed from the list of client-certificate holders. "
		    "One who holds certificates is only marked deleted, so that the certificates keep their holder; "
		    "the certificates themselves are not revoked.",
		.button = "Delete person",
		.hidden_name = "confirm", .hidden_value = "yes",
	};

	if (!person_load_visible(c, &row))
		return;
	if (!edit_allowed(c, person_may_manage(c, row.org_id, row.dept_id),
	    "You may look at this person but not delete it."))
		return;
	snprintf(name, sizeof(name), "%s %s", row.first_name, row.last_name);
	snprintf(title, sizeof(title), "Delete the person %s?", row.email);
	snprintf(page, sizeof(page), "/admin/persons/%lld", (long long)row.id);
	snprintf(action, sizeof(action), "%s/delete", page);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "E-mail";
	cf.value[0] = row.email;
	cf.label[1] = "Name";
	cf.value[1] = name;
	cf.label[2] = "Organisation";
	cf.value[2] = row.org_name;
	cf.label[3] = "Department";
	cf.value[3] = row.dept_name[0] ? row.dept_name : NULL;
	admin_confirm_page(c, &cf, 200);
}
