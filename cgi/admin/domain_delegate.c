/* domain_delegate.c: POST /admin/domains/#/delegate and /undelegate — delegating a domain to an organisation or department per certificate type. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "confirm.h"
#include "domain_model.h"
#include "ids.h"
#include "log.h"
#include "policy.h"
#include "units.h"

static const char *const type_fields[] = { "type_ssl", "type_client", "type_codesign" };
/* The audit JSON of one delegation into b; 0 or -1. */
static int
delegation_json(struct cm_buf *b, const struct domain_row *d, int64_t org, int64_t dept,
    const char *type)
{
	struct cm_buf name;
	int rc;

	cm_buf_init(&name, 1024);
	rc = domain_json(d, &name);
	if (rc == 0)
		rc = cm_buf_printf(b, "{\"domain\":%s,\"org_id\":%lld,\"dept_id\":", name.data, (long long)org);
	if (rc == 0)
		rc = dept ? cm_buf_printf(b, "%lld", (long long)dept) : cm_buf_puts(b, "null");
	if (rc == 0)
		rc = cm_buf_printf(b, ",\"cert_type\":\"%s\",\"state\":\"approved\"}", type);
	cm_buf_free(&name);
	return rc;
}

void
admin_domain_delegate(struct admin_ctx *c)
{
	const char *target = cm_req_form(c->req, "target");
	struct domain_row d;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	int64_t org, dept;
	int want[3], nwant = 0, added = 0, r;
	char loc[64], msg[256];

	cm_buf_init(&after, 8192);
	if (!domain_load_visible(c, &d))
		goto out;
	cm_render_set(c->r, "Form.target", target && strlen(target) <= 40 ? target : "");
	for (int i = 0; i < 3; i++) {
		const char *v = cm_req_form(c->req, type_fields[i]);

		want[i] = v != NULL && strcmp(v, "1") == 0;
		nwant += want[i];
		if (want[i])
			cm_render_setf(c->r, "1", "Form.%s", type_fields[i]);
	}
	if (cm_unit_parse(target, &org, &dept) < 0)
		cm_render_set(c->r, "Errors.target", "Choose the organisation or department to delegate to.");
	if (nwant == 0)
		cm_render_set(c->r, "Errors.types", "Tick at least one certificate type.");
	if (org == 0 || nwant == 0) {
		domain_show(c, &d, 400);
		goto out;
	}
	/* Access first, so an unknown id and another's id answer alike. */
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		if ((r = domain_may_delegate(c, d.id, org, dept, cm_cert_types[i].name)) < 0)
			goto dberr;
		if (r == 0) {
			snprintf(msg, sizeof(msg), "You may not delegate this domain there for %s certificates.",
			    cm_cert_types[i].label);
			admin_error(c, 403, "Not allowed", msg);
			goto out;
		}
	}
	if ((r = cm_unit_exists(c->db, c->user.customer_id, org, dept)) < 0)
		goto dberr;
	if (r == 0) {
		cm_render_set(c->r, "Errors.target", "Choose the organisation or department to delegate to.");
		domain_show(c, &d, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	if (domain_load(c, c->id, 1, &d) != 1)
		goto rollback;
	st = cm_db_prepare(c->db,
	    "INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)"
	    " VALUES (?, ?, ?, ?, 'approved')");
	if (st == NULL)
		goto rollback;
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		if (cm_stmt_bind_i64(st, 0, d.id) < 0 || cm_stmt_bind_i64(st, 1, org) < 0 ||
		    (dept ? cm_stmt_bind_i64(st, 2, dept) : cm_stmt_bind_null(st, 2)) < 0 ||
		    cm_stmt_bind_str(st, 3, cm_cert_types[i].name) < 0 || cm_stmt_execute(st) < 0)
			goto rollback;
		if (cm_stmt_affected(st) == 0)
			continue;       /* already delegated */
		added++;
		cm_buf_reset(&after);
		if (delegation_json(&after, &d, org, dept, cm_cert_types[i].name) < 0 ||
		    domain_audit(c, "domain.delegate", d.id, NULL, after.data) < 0)
			goto rollback;
	}
	if (added == 0) {
		cm_db_rollback(c->db);
		cm_render_set(c->r, "Errors.target", "The domain is already delegated there for these types.");
		domain_show(c, &d, 400);
		goto out;
	}
	if (cm_db_commit(c->db) < 0)
		goto rollback;
	snprintf(loc, sizeof(loc), "/admin/domains/%lld", (long long)d.id);
	cm_resp_redirect(c->resp, loc);
	goto out;
rollback:
	cm_db_rollback(c->db);
dberr:
	cm_err("delegate domain %lld: %s", (long long)c->id, cm_db_error(c->db));
	admin_error(c, 500, "Internal error", "The delegation could not be saved; this has been logged.");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&after);
}

void
admin_domain_undelegate(struct admin_ctx *c)
{
	const char *sid = cm_req_form(c->req, "delegation");
	struct domain_row d;
	struct cm_stmt *st = NULL;
	struct cm_buf before;
	int64_t did = 0, org = 0, dept = 0;
	char type[16] = "", loc[64];
	int f, r;

	cm_buf_init(&before, 8192);
	if (!domain_load_visible(c, &d))
		goto out;
	did = cm_id_parse(sid);
	st = cm_db_prepare(c->db,
	    "SELECT org_id, dept_id, cert_type FROM domain_delegations WHERE id = ? AND domain_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, did) < 0 || cm_stmt_bind_i64(st, 1, d.id) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto dberr;
	if (f == 1) {
		org = cm_stmt_i64(st, 0);
		dept = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		snprintf(type, sizeof(type), "%s", cm_stmt_str(st, 2, NULL) ? cm_stmt_str(st, 2, NULL) : "");
	}
	cm_stmt_close(st);
	st = NULL;
	if (f == 1 && (r = domain_may_delegate(c, d.id, org, dept, type)) != 1) {
		if (r < 0)
			goto dberr;
		admin_error(c, 403, "Not allowed", "You may not remove this delegation.");
		goto out;
	}
	if (f != 1) {
		cm_render_set(c->r, "Errors.delegations", "That delegation does not exist (any more); reload the page.");
		domain_show(c, &d, 400);
		goto out;
	}
	if (cm_db_begin(c->db) < 0)
		goto dberr;
	st = cm_db_prepare(c->db, "DELETE FROM domain_delegations WHERE id = ? AND domain_id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, did) < 0 || cm_stmt_bind_i64(st, 1, d.id) < 0 ||
	    cm_stmt_execute(st) < 0 || delegation_json(&before, &d, org, dept, type) < 0 ||
	    domain_audit(c, "domain.undelegate", d.id, before.data, NULL) < 0 || cm_db_commit(c->db) < 0)
		goto rollback;
	snprintf(loc, sizeof(loc), "/admin/domains/%lld", (long long)d.id);
	cm_resp_redirect(c->resp, loc);
	goto out;
rollback:
	cm_db_rollback(c->db);
dberr:
	cm_err("undelegate domain %lld: %s", (long long)c->id, cm_db_error(c->db));
	admin_error(c, 500, "Internal error", "The delegation could not be removed; this has been logged.");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
}

/* GET ?delegation=N: the confirmation page of removing one delegation (the
 * POST is admin_domain_undelegate), naming the domain, the organisation or
 * department and the certificate type. */
void
admin_domain_undelegate_confirm(struct admin_ctx *c)
{
	const char *sid = cm_req_query(c->req, "delegation");
	struct domain_row d;
	struct cm_stmt *st = NULL;
	int64_t did, org = 0, dept = 0;
	char type[16] = "", org_name[1024] = "", dept_name[1024] = "", title[512], page[64], action[80], hid[32];
	int f = -1, r;
	struct admin_confirm cf = {
		.consequence = "The organisation or department can no longer request certificates of this type "
		    "for names in this domain. Certificates already issued stay valid; revoke them separately if needed.",
		.button = "Remove delegation",
	};

	if (!domain_load_visible(c, &d))
		return;
	did = cm_id_parse(sid);
	st = cm_db_prepare(c->db,
	    "SELECT g.org_id, g.dept_id, g.cert_type, o.name, dp.name FROM domain_delegations g"
	    " JOIN organizations o ON o.id = g.org_id LEFT JOIN departments dp ON dp.id = g.dept_id"
	    " WHERE g.id = ? AND g.domain_id = ?");
	if (st && cm_stmt_bind_i64(st, 0, did) == 0 && cm_stmt_bind_i64(st, 1, d.id) == 0 &&
	    cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1) {
		org = cm_stmt_i64(st, 0);
		dept = cm_stmt_is_null(st, 1) ? 0 : cm_stmt_i64(st, 1);
		cm_stmt_copy_str(st, 2, type, sizeof(type));
		cm_stmt_copy_str(st, 3, org_name, sizeof(org_name));
		cm_stmt_copy_str(st, 4, dept_name, sizeof(dept_name));
	}
	cm_stmt_close(st);
	if (f < 0 || (f == 1 && (r = domain_may_delegate(c, d.id, org, dept, type)) < 0)) {
		cm_err("undelegate domain %lld: %s", (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The delegation could not be read; this has been logged.");
		return;
	}
	if (f != 1) {
		cm_render_set(c->r, "Errors.delegations", "That delegation does not exist (any more); reload the page.");
		domain_show(c, &d, 400);
		return;
	}
	if (r != 1) {
		admin_error(c, 403, "Not allowed", "You may not remove this delegation.");
		return;
	}
	snprintf(title, sizeof(title), "Remove the delegation of %s to %s%s%s?", d.name, org_name,
	    dept_name[0] ? " / " : "", dept_name);
	snprintf(page, sizeof(page), "/admin/domains/%lld", (long long)d.id);
	snprintf(action, sizeof(action), "%s/undelegate", page);
	snprintf(hid, sizeof(hid), "%lld", (long long)did);
	cf.title = title;
	cf.action = action;
	cf.cancel = page;
	cf.hidden_name = "delegation";
	cf.hidden_value = hid;
	cf.label[0] = "Domain";
	cf.value[0] = d.name;
	cf.label[1] = "Organisation";
	cf.value[1] = org_name;
	cf.label[2] = "Department";
	cf.value[2] = dept_name[0] ? dept_name : "(whole organisation)";
	cf.label[3] = "Certificate type";
	cf.value[3] = type;
	admin_confirm_page(c, &cf, 200);
}
