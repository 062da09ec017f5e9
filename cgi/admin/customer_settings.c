/* customer_settings.c: the MRAO's "Customer settings" page (GET/POST /admin/settings): whether requesters may approve their own requests, and the days before expiry at which requesters are mailed. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "confirm.h"
#include "log.h"
#include "outbox.h"

/* Where the page lives, and the confirmation page of turning self-approval on. */
#define SETTINGS_PAGE "/admin/settings"
#define SELF_APPROVE_ON_PAGE "/admin/settings/allow-self-approval"

/* The audit row's action and its JSON member: the same as
 * `certmint customer set URI approval.self_approve on|off` (tools/cmd_customer.c),
 * so one query finds a change whichever way it was made. */
#define SETTINGS_ACTION "customer.settings"
#define SELF_APPROVE_KEY "approval.self_approve"

/* Answers 403 unless the administrator may change the customer's settings;
 * 1 may go on, 0 answered. The route's minimum role says the same: this
 * keeps the page right if the route table ever changes. */
static int
may_change(struct admin_ctx *c)
{
	if (admin_may_change_customer_settings(&c->user))
		return 1;
	admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) changes the customer's settings.");
	return 0;
}

/* Writes the customer.settings audit row of a change from before to after
 * (JSON objects) inside the caller's transaction. 0 / -1. */
static int
settings_audit(struct admin_ctx *c, const char *before, const char *after)
{
	struct cm_audit_entry e;

	memset(&e, 0, sizeof(e));
	e.actor = c->user.principal;
	e.action = SETTINGS_ACTION;
	e.object_type = "customer";
	e.object_id = c->user.customer_uri;
	e.before = before;
	e.after = after;
	e.remote_addr = c->req->remote_addr;
	e.customer_id = c->user.customer_id;
	return cm_audit(c->db, &e);
}

/* Reads customers.self_approve of the administrator's customer into *on,
 * locking the row when lock is set (inside the caller's transaction).
 * 0, or -1 on a database error or a missing row (logged). */
static int
self_approve_load(struct admin_ctx *c, int lock, int *on)
{
	struct cm_stmt *st;
	int f = -1;

	st = cm_db_prepare(c->db, lock
	    ? "SELECT self_approve FROM customers WHERE id = ? FOR UPDATE"
	    : "SELECT self_approve FROM customers WHERE id = ?");
	if (st != NULL && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1)
		*on = cm_stmt_i64(st, 0) == 1;
	else
		cm_err("self-approval setting of customer %s: %s", c->user.customer_uri,
		    f == 0 ? "no such customer" : cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return f == 1 ? 0 : -1;
}

/* Reads the self-approval setting into *on for a page: 0, or -1 after
 * answering 500. */
static int
self_approve_read(struct admin_ctx *c, int *on)
{
	if (self_approve_load(c, 0, on) == 0)
		return 0;
	admin_error(c, 500, "Internal error", "The customer's settings could not be read; this has been logged.");
	return -1;
}

/* Answers 500 for a setting that could not be saved. No return value. */
static void
save_failed(struct admin_ctx *c)
{
	admin_error(c, 500, "Internal error", "The customer's settings could not be saved; this has been logged.");
}

/*
 * Sets customers.self_approve to on with the customer.settings audit row, in
 * one transaction; nothing is written when it already had that value.
 * 1 changed, 0 unchanged, -1 on a database error (logged, rolled back).
 */
static int
self_approve_store(struct admin_ctx *c, int on)
{
	struct cm_stmt *st = NULL;
	char before[64], after[64];
	int was, rc = -1;

	if (cm_db_begin(c->db) < 0 || self_approve_load(c, 1, &was) < 0)
		goto out;
	if (was == on) {
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE customers SET self_approve = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, on) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	snprintf(before, sizeof(before), "{\"%s\":%d}", SELF_APPROVE_KEY, was);
	snprintf(after, sizeof(after), "{\"%s\":%d}", SELF_APPROVE_KEY, on);
	if (settings_audit(c, before, after) < 0 || cm_db_commit(c->db) < 0)
		goto out;
	cm_info("%s set %s of customer %s to %s", c->user.principal, SELF_APPROVE_KEY, c->user.customer_uri,
	    on ? "on" : "off");
	rc = 1;
out:
	if (rc < 0)
		cm_err("saving the self-approval setting of customer %s: %s", c->user.customer_uri,
		    cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);      /* unchanged, or failed: nothing to keep */
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* ---- notify.expiry_days (issue 9): the days before notAfter at which
 * `certmint notify run` mails a certificate's requester (lib/outbox.h).
 * The audit row is the CLI's (tools/cmd_customer.c): customer.settings
 * with {"notify.expiry_days":"60,30,7"}. */
#define EXPIRY_KEY "notify.expiry_days"

/* Reads customers.notify_expiry_days into out (locking the row when lock
 * is set). 0, or -1 on a database error or a missing row (logged). */
static int
expiry_days_load(struct admin_ctx *c, int lock, char *out, size_t outlen)
{
	struct cm_stmt *st;
	int f = -1;

	st = cm_db_prepare(c->db, lock
	    ? "SELECT notify_expiry_days FROM customers WHERE id = ? FOR UPDATE"
	    : "SELECT notify_expiry_days FROM customers WHERE id = ?");
	if (st != NULL && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1)
		cm_stmt_copy_str(st, 0, out, outlen);
	else
		cm_err("expiry windows of customer %s: %s", c->user.customer_uri,
		    f == 0 ? "no such customer" : cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return f == 1 ? 0 : -1;
}

/* Stores the canonical windows text v with its audit row in one
 * transaction; nothing is written when unchanged. 1 changed, 0 unchanged,
 * -1 on a database error (logged, rolled back). */
static int
expiry_days_store(struct admin_ctx *c, const char *v)
{
	struct cm_stmt *st = NULL;
	struct cm_buf before, after;
	char was[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];
	int rc = -1;

	cm_buf_init(&before, 0);
	cm_buf_init(&after, 0);
	if (cm_db_begin(c->db) < 0 || expiry_days_load(c, 1, was, sizeof(was)) < 0)
		goto out;
	if (strcmp(was, v) == 0) {
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE customers SET notify_expiry_days = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_str(st, 0, v) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	if (cm_buf_puts(&before, "{\"" EXPIRY_KEY "\":") < 0 || cm_buf_json_str(&before, was) < 0 ||
	    cm_buf_puts(&before, "}") < 0 || cm_buf_puts(&after, "{\"" EXPIRY_KEY "\":") < 0 ||
	    cm_buf_json_str(&after, v) < 0 || cm_buf_puts(&after, "}") < 0)
		goto out;
	if (settings_audit(c, before.data, after.data) < 0 || cm_db_commit(c->db) < 0)
		goto out;
	cm_info("%s set %s of customer %s to \"%s\"", c->user.principal, EXPIRY_KEY, c->user.customer_uri, v);
	rc = 1;
out:
	if (rc < 0)
		cm_err("saving the expiry windows of customer %s: %s", c->user.customer_uri, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&before);
	cm_buf_free(&after);
	return rc;
}

/* Renders admin/customer_settings.cs with status; on is the value the form
 * shows (stored, or what was posted), Errors.* may be set already. */
static void
show(struct admin_ctx *c, const char *on, int status)
{
	const char *b = cm_req_query(c->req, "saved");

	const char *posted = cm_req_form(c->req, "notify_expiry_days");
	char days[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];

	/* What was posted (an error re-shows it), else what is stored. */
	if (posted != NULL)
		cm_render_set(c->r, "Form.notify_expiry_days", posted);
	else if (expiry_days_load(c, 0, days, sizeof(days)) == 0)
		cm_render_set(c->r, "Form.notify_expiry_days", days);
	cm_render_set_list(c->r,
	    "Settings.customer_name", c->user.customer_name,
	    "Settings.customer_uri", c->user.customer_uri,
	    "Form.self_approve", on,
	    NULL);
	/* The banner after a POST-redirect-GET: one of two fixed words, nothing echoed. */
	if (status == 200 && b != NULL && (strcmp(b, "1") == 0 || strcmp(b, "0") == 0))
		cm_render_set(c->r, "Banner.saved", b);
	c->resp->status = status;
	admin_page(c, "Customer settings", "admin/customer_settings.cs");
}

/* GET /admin/settings: the customer's name and URI and its settings. */
void
admin_customer_settings(struct admin_ctx *c)
{
	int on;

	if (!may_change(c))
		return;
	if (self_approve_read(c, &on) < 0)
		return;
	show(c, on ? "on" : "off", 200);
}

/* The self_approve field: 1 when v is "on" or "off", else 0 with the
 * error the form shows. */
static int
self_approve_valid(struct admin_ctx *c, const char *v)
{
	if (v != NULL && (strcmp(v, "on") == 0 || strcmp(v, "off") == 0))
		return 1;
	cm_render_set(c->r, "Errors.self_approve", "Choose whether requesters may approve their own requests: Yes or No.");
	return 0;
}

/* Redirects to the settings page with its banner: saved=1 changed, saved=0 nothing to change. */
static void
back_to_page(struct admin_ctx *c, int changed)
{
	cm_resp_redirect(c->resp, changed ? SETTINGS_PAGE "?saved=1" : SETTINGS_PAGE "?saved=0");
}

/*
 * POST /admin/settings: notify_expiry_days (optional: "60,30,7", checked
 * and saved first, issue 9), then self_approve=off saves at once (it only strengthens
 * the four-eyes rule); self_approve=on, which weakens it, goes to its
 * confirmation page first unless it is on already. Anything else is 400
 * with the form re-shown.
 */
void
admin_customer_settings_save(struct admin_ctx *c)
{
	const char *v = cm_req_form(c->req, "self_approve");
	const char *ed = cm_req_form(c->req, "notify_expiry_days");
	int on, r, days[CM_OUTBOX_WINDOWS_MAX], nd = 0, expiry_changed = 0;
	char derr[160], canon[CM_OUTBOX_WINDOWS_TEXT_MAX + 1];

	if (!may_change(c))
		return;
	/* issue 9: the expiry windows, when the form carries them (checked
	 * with self_approve, so one error page shows both). */
	if (ed != NULL && ((nd = cm_outbox_parse_windows(ed, days, CM_OUTBOX_WINDOWS_MAX, derr, sizeof(derr))) < 0 ||
	    cm_outbox_format_windows(days, nd, canon, sizeof(canon)) < 0)) {
		if (nd >= 0)
			snprintf(derr, sizeof(derr), "Enter fewer numbers of days.");
		if (self_approve_read(c, &on) < 0)
			return;
		cm_render_set(c->r, "Errors.notify_expiry_days", derr);
		(void)self_approve_valid(c, v);
		show(c, v != NULL && strcmp(v, "on") == 0 ? "on" : on ? "on" : "off", 400);
		return;
	}
	if (!self_approve_valid(c, v)) {
		if (self_approve_read(c, &on) < 0)
			return;
		show(c, on ? "on" : "off", 400);
		return;
	}
	if (ed != NULL && (expiry_changed = expiry_days_store(c, canon)) < 0) {
		save_failed(c);
		return;
	}
	if (strcmp(v, "on") == 0) {
		if (self_approve_read(c, &on) < 0)
			return;
		if (on)
			back_to_page(c, expiry_changed);
		else
			cm_resp_redirect(c->resp, SELF_APPROVE_ON_PAGE);
		return;
	}
	if ((r = self_approve_store(c, 0)) < 0) {
		save_failed(c);
		return;
	}
	back_to_page(c, r == 1 || expiry_changed == 1);
}

/* GET /admin/settings/allow-self-approval: says what turning self-approval on means. */
void
admin_customer_self_approve_confirm(struct admin_ctx *c)
{
	struct admin_confirm cf = {
		.title = "Let requesters approve their own requests?",
		.consequence = "An administrator who requested a certificate will be able to approve and issue it "
		    "alone. Today another administrator must approve every request that waits for approval "
		    "(the four-eyes rule), in the portal and in every other program.",
		.warning = "One administrator, or anyone who takes over their account, could then issue any "
		    "certificate their scope allows without a second person seeing it first. Each approval "
		    "is still written to the audit log.",
		.action = SELF_APPROVE_ON_PAGE,
		.button = "Let requesters approve their own requests",
		.cancel = SETTINGS_PAGE,
		.hidden_name = "confirm", .hidden_value = "yes",
		/* short labels: the details grid sizes its first column to the longest */
		.label = { "Customer", "Customer URI", "Change" },
		.value = { NULL, NULL, "Requesters may approve their own requests: from No to Yes" },
	};
	int on;

	if (!may_change(c))
		return;
	if (self_approve_read(c, &on) < 0)
		return;
	if (on) {
		admin_error(c, 409, "Already on", "Requesters may already approve their own requests.");
		return;
	}
	cf.value[0] = c->user.customer_name;
	cf.value[1] = c->user.customer_uri;
	admin_confirm_page(c, &cf, 200);
}

/* POST /admin/settings/allow-self-approval: turns self-approval on, only
 * from the confirmation page's form (confirm=yes). */
void
admin_customer_self_approve_on(struct admin_ctx *c)
{
	const char *confirm = cm_req_form(c->req, "confirm");
	int r;

	if (!may_change(c))
		return;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use the Save button on the Customer settings page, then confirm.");
		return;
	}
	if ((r = self_approve_store(c, 1)) < 0) {
		save_failed(c);
		return;
	}
	back_to_page(c, r == 1);
}
