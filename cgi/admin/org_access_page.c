/* org_access_page.c: /admin/{organizations,departments}/#/access-code: set or rotate a self-enrollment access code (confirm, POST, shown once). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "access_code.h"
#include "log.h"
#include "org_model.h"
#include "policy.h"

/* What differs between an organisation's code and a department's. */
struct code_kind {
	enum org_kind kind;
	const struct edit_object *obj;
	const char *page;         /* "/admin/organizations/" */
	const char *noun;         /* "organisation" */
	const char *action;       /* the audit action */
};

static const struct code_kind org_kind = {
	KIND_ORG, &org_object, "/admin/organizations/", "organisation", "organization.access_code.rotate"
};

static const struct code_kind dept_kind = {
	KIND_DEPT, &dept_object, "/admin/departments/", "department", "department.access_code.rotate"
};

/*
 * Loads c->id of kind k into f when the administrator may set its code:
 * 1 yes; 0 answered (404 missing or out of scope, 403 no right to the
 * code, 500).
 */
static int
load(struct admin_ctx *c, const struct code_kind *k, struct org_fields *f)
{
	struct admin_object o = { c->user.customer_id, 0, 0, NULL };
	struct org_rights r;
	int found = org_fields_load(c, k->kind, c->id, f), v = 0;

	if (found == 1 && f->customer_id == c->user.customer_id) {
		o.org_id = f->org_id;
		o.dept_id = k->kind == KIND_DEPT ? c->id : 0;
		v = admin_may(c, ACTION_VIEW, &o);
	}
	if (found < 0 || v < 0 || (v == 1 && org_rights_get(c, &o, &r) < 0)) {
		edit_fail(c, k->obj, "access code of", c->id, "read");
		return 0;
	}
	if (v != 1) {
		admin_error(c, 404, "Not found", k->kind == KIND_ORG ? "There is no such organisation among yours." :
		    "There is no such department among yours.");
		return 0;
	}
	if (!r.set_code || !r.client) {
		admin_error(c, 403, "Not allowed",
		    "Access codes are set by an MRAO, or an RAO of the organisation with client certificates.");
		return 0;
	}
	return 1;
}

/* The page (form or result) with what it says about the object. */
static void
show(struct admin_ctx *c, const struct code_kind *k, const struct org_fields *f, int status,
    const char *title, const char *template)
{
	char url[96];

	cm_render_set_list(c->r,
	    "Code.noun", k->noun,
	    "Code.name", f->s[F_NAME],
	    "Code.org_name", k->kind == KIND_DEPT ? f->org_name : "",
	    "Code.set", f->code_set ? "1" : "0",
	    "Code.set_at", f->code_set_at,
	    "Code.hint", f->code_hint,
	    NULL);
	snprintf(url, sizeof(url), "%s%lld", k->page, (long long)c->id);
	cm_render_set(c->r, "Code.back", url);
	snprintf(url, sizeof(url), "%s%lld/access-code", k->page, (long long)c->id);
	cm_render_set(c->r, "Code.action", url);
	c->resp->status = status;
	admin_page(c, title, template);
}

/* GET: the confirmation page: what rotating does, generate or type. */
static void
code_form(struct admin_ctx *c, const struct code_kind *k)
{
	struct org_fields f;
	char title[400];

	memset(&f, 0, sizeof(f));
	if (load(c, k, &f)) {
		snprintf(title, sizeof(title), "%s the access code of %s", f.code_set ? "Rotate" : "Set",
		    f.s[F_NAME]);
		cm_render_set(c->r, "Form.how", "generate");
		show(c, k, &f, 200, title, "admin/access_code.cs");
	}
	org_fields_free(&f);
}

/* Puts an error next to the form and re-shows it (400); never the code typed. */
static void
refuse(struct admin_ctx *c, const struct code_kind *k, const struct org_fields *f, const char *field,
    const char *msg)
{
	char title[400];

	cm_render_setf(c->r, msg, "Errors.%s", field);
	cm_render_set(c->r, "Form.how", strcmp(field, "how") == 0 ? "" : "type");
	snprintf(title, sizeof(title), "%s the access code of %s", f->code_set ? "Rotate" : "Set", f->s[F_NAME]);
	show(c, k, f, 400, title, "admin/access_code.cs");
}

/*
 * POST: a code generated here or typed (the strength rule), its keyed
 * hash stored with its hint and date, the audit row (states, never the
 * code), one transaction; then the code on the result page, this once.
 */
static void
code_rotate(struct admin_ctx *c, const struct code_kind *k)
{
	const char *how = cm_req_form(c->req, "how"), *typed = cm_req_form(c->req, "code"), *why;
	const unsigned char *key = c->app->settings.access_code_key;
	size_t keylen = c->app->settings.access_code_key_len;
	struct org_fields f, now;
	struct cm_buf before, after;
	struct cm_stmt *st = NULL;
	char code[CM_ACCESS_CODE_MAX + 1] = "", hash[CM_ACCESS_HASH_HEX + 1], hint[CM_ACCESS_HINT_LEN + 1];
	char title[400];
	int is_org = k->kind == KIND_ORG;

	memset(&f, 0, sizeof(f));
	memset(&now, 0, sizeof(now));
	cm_buf_init(&before, 65536);
	cm_buf_init(&after, 65536);
	if (!load(c, k, &f))
		goto out;
	if (key == NULL) {
		cm_err("access code: [secrets] access_code_key_file is not configured");
		admin_error(c, 503, "Access codes not configured",
		    "certmint has no access-code key ([secrets] access_code_key_file in certmint.conf); ask the operator.");
		goto out;
	}
	if (how != NULL && strcmp(how, "generate") == 0) {
		/* The generator's codes pass the rule; checked anyway, as a typed one. */
		for (int i = 0; i < 20; i++)
			if (cm_access_code_generate(code, sizeof(code)) == 0 && org_access_code_weakness(code) == NULL)
				break;
		if (code[0] == '\0' || org_access_code_weakness(code) != NULL) {
			cm_err("access code: the generator failed");
			admin_error(c, 500, "Internal error", "No access code could be generated; this has been logged.");
			goto out;
		}
	} else if (how != NULL && strcmp(how, "type") == 0) {
		if (typed == NULL || typed[0] == '\0') {
			refuse(c, k, &f, "code", "Type the new access code, or choose to have one generated.");
			goto out;
		}
		if ((why = org_access_code_weakness(typed)) != NULL) {
			refuse(c, k, &f, "code", why);
			goto out;
		}
		snprintf(code, sizeof(code), "%s", typed);
	} else {
		refuse(c, k, &f, "how", "Choose whether certmint generates the code or you type it.");
		goto out;
	}
	if (cm_access_code_hash(key, keylen, code, hash) < 0) {
		cm_err("access code: HMAC failed");
		admin_error(c, 500, "Internal error", "The access code could not be stored; this has been logged.");
		goto out;
	}
	cm_access_code_hint(code, hint);
	if (org_fields_json(&f, &before) < 0 || cm_db_begin(c->db) < 0)
		goto dberr;
	/* The one statement that writes a code (and clears a plaintext one). */
	st = cm_db_prepare(c->db, is_org ?
	    "UPDATE organizations SET client_access_code_hash = ?, client_access_code_hint = ?,"
	    " client_access_code_set_at = UTC_TIMESTAMP(), client_access_code = NULL"
	    " WHERE id = ? AND deleted_at IS NULL" :
	    "UPDATE departments SET client_access_code_hash = ?, client_access_code_hint = ?,"
	    " client_access_code_set_at = UTC_TIMESTAMP(), client_access_code = NULL"
	    " WHERE id = ? AND deleted_at IS NULL");
	if (st == NULL || cm_stmt_bind_str(st, 0, hash) < 0 || cm_stmt_bind_str(st, 1, hint) < 0 ||
	    cm_stmt_bind_i64(st, 2, c->id) < 0 || cm_stmt_execute(st) < 0 ||
	    org_fields_load(c, k->kind, c->id, &now) != 1 || org_fields_json(&now, &after) < 0)
		goto dberr;
	/* before/after say whether a code is set, never which one. */
	if (admin_audit_object(c, k->obj->type, k->action, c->id, before.data, after.data) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto dberr;
	cm_info("%s rotated the access code of %s %lld", c->user.principal, k->noun, (long long)c->id);
	cm_render_set(c->r, "Code.new", code);
	snprintf(title, sizeof(title), "New access code of %s", now.s[F_NAME]);
	show(c, k, &now, 200, title, "admin/access_code_done.cs");
	goto out;
dberr:
	edit_fail(c, k->obj, "access code of", c->id, "saved");
out:
	OPENSSL_cleanse(code, sizeof(code));
	if (st)
		cm_stmt_close(st);
	org_fields_free(&f);
	org_fields_free(&now);
	cm_buf_free(&before);
	cm_buf_free(&after);
}

void
admin_org_code_form(struct admin_ctx *c)
{
	code_form(c, &org_kind);
}

void
admin_org_code_rotate(struct admin_ctx *c)
{
	code_rotate(c, &org_kind);
}

void
admin_dept_code_form(struct admin_ctx *c)
{
	code_form(c, &dept_kind);
}

void
admin_dept_code_rotate(struct admin_ctx *c)
{
	code_rotate(c, &dept_kind);
}
