/* domain_edit.c: domain pages: new (MRAO), detail, mark validated (MRAO, "manual") and delete (MRAO, refused while delegated). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "confirm.h"
#include "domain_model.h"
#include "edit_commit.h"
#include "log.h"
#include "policy.h"

/* edit_commit's JSON of domain id as stored; 0 or -1. */
static int
stored_json(struct admin_ctx *c, int64_t id, struct cm_buf *b)
{
	struct domain_row d;

	return domain_load(c, id, 0, &d) == 1 ? domain_json(&d, b) : -1;
}

static const struct edit_object domain_object = {
	"domain", "domain", "/admin/domains/", "/admin/domains", stored_json
};

/* Answers 403 (or 500) unless the policy allows a on the customer's domains; 1 allowed, 0 answered. */
static int
customer_may(struct admin_ctx *c, enum admin_action a, const char *what)
{
	struct admin_object o = { .customer_id = c->user.customer_id };
	char msg[256];

	snprintf(msg, sizeof(msg), "Only a master administrator (MRAO) %s.", what);
	return edit_allowed(c, admin_may(c, a, &o), msg);
}

void
admin_domain_new_form(struct admin_ctx *c)
{
	if (customer_may(c, ACTION_CREATE, "adds domains"))
		admin_page(c, "New domain", "admin/domain_form.cs");
}

/* The id of the customer's row named name: > 0 live, < -1 its negated id
 * when deleted, 0 none, -1 database error. */
static int64_t
existing(struct admin_ctx *c, const char *name)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id, deleted_at IS NOT NULL FROM domains WHERE customer_id = ? AND name = ? FOR UPDATE");
	int64_t id = -1;
	int f;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_bind_str(st, 1, name) == 0 &&
	    cm_stmt_execute(st) == 0 && (f = cm_stmt_fetch(st)) >= 0) {
		id = 0;
		if (f == 1)
			id = cm_stmt_i64(st, 1) ? -cm_stmt_i64(st, 0) - 1 : cm_stmt_i64(st, 0);
	}
	if (st)
		cm_stmt_close(st);
	return id;
}

void
admin_domain_create(struct admin_ctx *c)
{
	const char *typed = cm_req_form(c->req, "name");
	const char *why;
	struct cm_stmt *st = NULL;
	char name[DOMAIN_NAME_MAX + 1];
	int64_t id;

	if (!customer_may(c, ACTION_CREATE, "adds domains"))
		goto out;
	typed = typed ? typed : "";
	cm_render_set(c->r, "Form.name", strlen(typed) > 1000 ? "" : typed);
	if ((why = domain_name_normalise(typed, name, sizeof(name))) != NULL) {
		cm_render_set(c->r, "Errors.name", why);
		c->resp->status = 400;
		admin_page(c, "New domain", "admin/domain_form.cs");
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if ((id = existing(c, name)) == -1)
		goto rollback;
	if (id > 0) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.name", "This domain is already on the list.");
		c->resp->status = 400;
		admin_page(c, "New domain", "admin/domain_form.cs");
		goto out;
	}
	if (id < -1) {
		/* Deleted before: the name's row comes back, starting afresh. */
		id = -(id + 1);
		st = cm_db_prepare(c->db,
		    "UPDATE domains SET deleted_at = NULL, validation_state = 'none', validation_method = NULL,"
		    " validated_at = NULL, validation_expires_at = NULL, created_at = UTC_TIMESTAMP()"
		    " WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 ||
		    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
			goto rollback;
	} else {
		st = cm_db_prepare(c->db, "INSERT INTO domains (customer_id, name) VALUES (?, ?)");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
		    cm_stmt_bind_str(st, 1, name) < 0 || cm_stmt_execute(st) < 0)
			goto rollback;
		id = (int64_t)cm_stmt_insert_id(st);
	}
	if (edit_commit(c, &domain_object, "domain.create", id, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &domain_object, "create", 0, "saved");
out:
	if (st)
		cm_stmt_close(st);
}

void
admin_domain_view(struct admin_ctx *c)
{
	struct domain_row d;

	if (domain_load_visible(c, &d))
		domain_show(c, &d, 200);
}

void
admin_domain_validate(struct admin_ctx *c)
{
	const char *method = cm_req_form(c->req, "method");
	struct domain_row d;
	struct cm_stmt *st = NULL;
	struct cm_buf before;

	cm_buf_init(&before, 4096);
	if (!domain_load_visible(c, &d) || !customer_may(c, ACTION_EDIT, "marks domains validated"))
		goto out;
	/* Only "manual" exists until domain-control validation arrives. */
	if (method == NULL || strcmp(method, "manual") != 0) {
		cm_render_set(c->r, "Errors.validate", "Choose how the domain was validated: manually.");
		domain_show(c, &d, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (domain_load(c, c->id, 1, &d) != 1 || domain_json(&d, &before) < 0)
		goto rollback;
	st = cm_db_prepare(c->db,
	    "UPDATE domains SET validation_state = 'validated', validation_method = 'manual',"
	    " validated_at = UTC_TIMESTAMP(), validation_expires_at = NULL WHERE id = ? AND customer_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit(c, &domain_object, "domain.validate", c->id, before.data) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &domain_object, "validate", c->id, "saved");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

void
admin_domain_delete(struct admin_ctx *c)
{
	struct domain_row d;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	char msg[512];
	long long n = -1;

	cm_buf_init(&before, 4096);
	if (!domain_load_visible(c, &d) || !customer_may(c, ACTION_DELETE, "deletes domains"))
		goto out;
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	/* Counted with the domain row locked, so no delegation slips in between. */
	if (domain_load(c, c->id, 1, &d) != 1 || domain_json(&d, &before) < 0)
		goto rollback;
	st = cm_db_prepare(c->db, "SELECT COUNT(*) FROM domain_delegations WHERE domain_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 || cm_stmt_execute(st) < 0 ||
	    cm_stmt_fetch(st) != 1)
		goto rollback;
	n = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	st = NULL;
	if (n > 0) {
		cm_db_rollback(c->db);
		snprintf(msg, sizeof(msg),
		    "The domain %s cannot be deleted: it is delegated %lld time%s. Remove its delegations first.",
		    d.name, n, n == 1 ? "" : "s");
		admin_error(c, 409, "Domain in use", msg);
		goto out;
	}
	st = cm_db_prepare(c->db,
	    "UPDATE domains SET deleted_at = UTC_TIMESTAMP() WHERE id = ? AND customer_id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto rollback;
	if (edit_commit_delete(c, &domain_object, "domain.delete", c->id, before.data, NULL) == 0)
		goto out;
rollback:
dberr:
	edit_fail(c, &domain_object, "delete", c->id, "deleted");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

/* GET: the confirmation page of a deletion (the POST is admin_domain_delete). */
void
admin_domain_delete_confirm(struct admin_ctx *c)
{
	struct domain_row d;
	struct cm_stmt *st;
	char title[400], page[64], action[80], count[32];
	long long n = -1;
	struct admin_confirm cf = {
		.consequence = "The domain is marked deleted: it leaves the list, and no certificate can be "
		    "requested for names in it until it is added and validated again. Certificates already "
		    "issued stay valid.",
		.button = "Delete domain",
	};

	if (!domain_load_visible(c, &d) || !customer_may(c, ACTION_DELETE, "deletes domains"))
		return;
	st = cm_db_prepare(c->db, "SELECT COUNT(*) FROM domain_delegations WHERE domain_id = ?");
	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 && cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1)
		n = cm_stmt_i64(st, 0);
	cm_stmt_close(st);
	if (n < 0) {
		edit_fail(c, &domain_object, "delete", c->id, "read");
		return;
	}
	snprintf(title, sizeof(title), "Delete the domain %s?", d.name);
	snprintf(page, sizeof(page), "/admin/domains/%lld", (long long)d.id);
	snprintf(action, sizeof(action), "%s/delete", page);
	snprintf(count, sizeof(count), "%lld", n);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.label[0] = "Domain";
	cf.value[0] = d.name;
	cf.label[1] = "Validation";
	cf.value[1] = d.state;
	cf.label[2] = "Delegations";
	cf.value[2] = count;
	if (n > 0)
		cf.warning = "The deletion will be refused while the domain is delegated: remove its delegations first.";
	admin_confirm_page(c, &cf, 200);
}
