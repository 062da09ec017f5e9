/* scep_settings.c: the MRAO's SCEP settings (/admin/scep/settings): SCEP on or off for the customer, and the types it serves with their signer profiles; turning SCEP off or disabling a type goes through a confirmation page. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "confirm.h"
#include "log.h"
#include "scep_model.h"

#define OFF_PAGE "/admin/scep/turn-off"
#define TYPE_DISABLE_PAGE "/admin/scep/types/disable"

/* The banners a redirect may ask for (?done=WORD): fixed words, nothing echoed. */
static const char *const banners[] = { "saved", "unchanged", "added", "enabled", "disabled", "off", NULL };

/* Answers 403 unless the administrator may change the SCEP settings; 1 go on, 0 answered. */
static int
may_change(struct admin_ctx *c)
{
	if (admin_may_change_scep_settings(&c->user))
		return 1;
	admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) changes the customer's SCEP settings.");
	return 0;
}

static void
back(struct admin_ctx *c, const char *word)
{
	char loc[96];

	snprintf(loc, sizeof(loc), SCEP_SETTINGS_PAGE "?done=%s", word);
	cm_resp_redirect(c->resp, loc);
}

/*
 * Sets customers.scep_enabled to on with its customer.settings audit row in
 * one transaction; turning it on also gives a customer without types the
 * default one (smime -> client-smime), audited as scep_type.create, so the
 * URL devices are configured with answers at once. 1 changed, 0 unchanged,
 * -1 on a database error (logged, rolled back).
 */
static int
enabled_store(struct admin_ctx *c, int on)
{
	struct cm_stmt *st = NULL;
	char before[48], after[48];
	int was, rc = -1;

	if (cm_db_begin(c->db) < 0 || scep_enabled_load(c, 1, &was) < 0)
		goto out;
	if (was == on) {
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE customers SET scep_enabled = ? WHERE id = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, on) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0)
		goto out;
	cm_stmt_close(st);
	st = NULL;
	snprintf(before, sizeof(before), "{\"scep.enabled\":%d}", was);
	snprintf(after, sizeof(after), "{\"scep.enabled\":%d}", on);
	if (scep_audit(c, "customer.settings", "customer", c->user.customer_uri, before, after) < 0)
		goto out;
	if (on) {
		st = cm_db_prepare(c->db,
		    "INSERT IGNORE INTO scep_types (customer_id, scep_type, profile, enabled)"
		    " SELECT ?, ?, ?, 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM scep_types WHERE customer_id = ?)");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
		    cm_stmt_bind_str(st, 1, SCEP_DEFAULT_TYPE) < 0 || cm_stmt_bind_str(st, 2, SCEP_DEFAULT_PROFILE) < 0 ||
		    cm_stmt_bind_i64(st, 3, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
			goto out;
		if (cm_stmt_affected(st) == 1 && scep_audit(c, "scep_type.create", "scep_type", SCEP_DEFAULT_TYPE, NULL,
		    "{\"scep_type\":\"" SCEP_DEFAULT_TYPE "\",\"profile\":\"" SCEP_DEFAULT_PROFILE "\",\"enabled\":1}") < 0)
			goto out;
	}
	if (cm_db_commit(c->db) < 0)
		goto out;
	cm_info("%s turned SCEP %s for customer %s", c->user.principal, on ? "on" : "off", c->user.customer_uri);
	rc = 1;
out:
	if (rc < 0)
		cm_err("saving the SCEP setting of customer %s: %s", c->user.customer_uri, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* Renders the settings page with status; Errors.* and Form.* may be set already. */
static void
show(struct admin_ctx *c, int status)
{
	struct scep_type_row rows[SCEP_TYPES_MAX];
	const char *done = cm_req_query(c->req, "done");
	char url[512];
	long n;
	int on;

	if (scep_enabled_load(c, 0, &on) < 0 || (n = scep_types_load(c, rows, SCEP_TYPES_MAX)) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP settings could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Scep.enabled", on ? "1" : "0");
	if (cm_req_form(c->req, "scep_enabled") == NULL)
		cm_render_set(c->r, "Form.scep_enabled", on ? "on" : "off");
	for (long i = 0; i < n; i++) {
		const struct scep_profile *p = scep_profile_find(rows[i].profile);

		cm_render_setf(c->r, rows[i].type, "Types.%ld.type", i);
		cm_render_setf(c->r, rows[i].profile, "Types.%ld.profile", i);
		cm_render_setf(c->r, p ? p->label : rows[i].profile, "Types.%ld.label", i);
		cm_render_setf(c->r, rows[i].enabled ? "1" : "0", "Types.%ld.enabled", i);
		if (scep_type_url(c, rows[i].type, url, sizeof(url)) == 0)
			cm_render_setf(c->r, url, "Types.%ld.url", i);
	}
	for (size_t i = 0; i < scep_nprofiles; i++) {
		cm_render_setf(c->r, scep_profiles[i].profile, "Profiles.%zu.profile", i);
		cm_render_setf(c->r, scep_profiles[i].label, "Profiles.%zu.label", i);
	}
	for (size_t i = 0; status == 200 && done != NULL && banners[i]; i++)
		if (strcmp(done, banners[i]) == 0)
			cm_render_set(c->r, "Banner.done", banners[i]);
	c->resp->status = status;
	admin_page(c, "SCEP settings", "admin/scep_settings.cs");
}

/* GET /admin/scep/settings */
void
admin_scep_settings(struct admin_ctx *c)
{
	if (may_change(c))
		show(c, 200);
}

/* POST /admin/scep/settings: scep_enabled=on saves at once; off (devices
 * stop enrolling) goes to its confirmation page unless it is off already. */
void
admin_scep_settings_save(struct admin_ctx *c)
{
	const char *v = cm_req_form(c->req, "scep_enabled");
	int on, r;

	if (!may_change(c))
		return;
	if (v == NULL || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)) {
		cm_render_set(c->r, "Errors.scep_enabled", "Choose whether devices may enroll with SCEP: On or Off.");
		show(c, 400);
		return;
	}
	if (strcmp(v, "off") == 0) {
		if (scep_enabled_load(c, 0, &on) < 0) {
			admin_error(c, 500, "Internal error", "The SCEP settings could not be read; this has been logged.");
			return;
		}
		if (on)
			cm_resp_redirect(c->resp, OFF_PAGE);
		else
			back(c, "unchanged");
		return;
	}
	if ((r = enabled_store(c, 1)) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP settings could not be saved; this has been logged.");
		return;
	}
	back(c, r == 1 ? "saved" : "unchanged");
}

/* GET /admin/scep/turn-off: what turning SCEP off does. */
void
admin_scep_off_confirm(struct admin_ctx *c)
{
	struct admin_confirm cf = {
		.title = "Turn SCEP off?",
		.consequence = "Every SCEP URL of this customer will answer 404 Not Found: devices can no longer "
		    "enroll, renew or collect a pending certificate until SCEP is turned on again.",
		.warning = "Certificates already issued stay valid. Requests waiting for approval stay in the "
		    "list, but devices cannot collect them while SCEP is off.",
		.action = OFF_PAGE,
		.button = "Turn SCEP off",
		.cancel = SCEP_SETTINGS_PAGE,
		.hidden_name = "confirm", .hidden_value = "yes",
		.label = { "Customer", "Customer URI", "Change" },
		.value = { NULL, NULL, "SCEP enrollment: from On to Off" },
	};
	int on;

	if (!may_change(c))
		return;
	if (scep_enabled_load(c, 0, &on) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP settings could not be read; this has been logged.");
		return;
	}
	if (!on) {
		admin_error(c, 409, "Already off", "SCEP is already off for this customer.");
		return;
	}
	cf.value[0] = c->user.customer_name;
	cf.value[1] = c->user.customer_uri;
	admin_confirm_page(c, &cf, 200);
}

/* POST /admin/scep/turn-off: only from the confirmation page (confirm=yes). */
void
admin_scep_off(struct admin_ctx *c)
{
	const char *confirm = cm_req_form(c->req, "confirm");
	int r;

	if (!may_change(c))
		return;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Choose Off on the SCEP settings page and save, then confirm.");
		return;
	}
	if ((r = enabled_store(c, 0)) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP settings could not be saved; this has been logged.");
		return;
	}
	back(c, r == 1 ? "off" : "unchanged");
}

/*
 * Sets scep_types.enabled of type to en with its audit row
 * (scep_type.enable / scep_type.disable), one transaction. 1 changed,
 * 0 unchanged, -2 no such type, -1 on a database error (logged).
 */
static int
type_store(struct admin_ctx *c, const char *type, int en)
{
	struct cm_stmt *st = NULL;
	char before[32], after[32];
	int rc = -1, f, was;

	if (cm_db_begin(c->db) < 0)
		goto out;
	st = cm_db_prepare(c->db, "SELECT enabled FROM scep_types WHERE customer_id = ? AND scep_type = ? FOR UPDATE");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, type) < 0 ||
	    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
		goto out;
	if (f == 0) {
		rc = -2;
		goto out;
	}
	was = cm_stmt_i64(st, 0) == 1;
	cm_stmt_close(st);
	st = NULL;
	if (was == en) {
		rc = 0;
		goto out;
	}
	st = cm_db_prepare(c->db, "UPDATE scep_types SET enabled = ? WHERE customer_id = ? AND scep_type = ?");
	if (st == NULL || cm_stmt_bind_i64(st, 0, en) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 2, type) < 0 || cm_stmt_execute(st) < 0)
		goto out;
	snprintf(before, sizeof(before), "{\"enabled\":%d}", was);
	snprintf(after, sizeof(after), "{\"enabled\":%d}", en);
	if (scep_audit(c, en ? "scep_type.enable" : "scep_type.disable", "scep_type", type, before, after) < 0 ||
	    cm_db_commit(c->db) < 0)
		goto out;
	cm_info("%s %s SCEP type %s of customer %s", c->user.principal, en ? "enabled" : "disabled", type,
	    c->user.customer_uri);
	rc = 1;
out:
	if (rc == -1)
		cm_err("saving SCEP type %s of customer %s: %s", type, c->user.customer_uri, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	if (st)
		cm_stmt_close(st);
	return rc;
}

/* The posted (or, for GET, queried) type, checked: NULL when answered (400). */
static const char *
type_param(struct admin_ctx *c, const char *v)
{
	if (v == NULL || scep_type_problem(v) != NULL) {
		admin_error(c, 400, "No such type", "Choose a SCEP type from the list on the SCEP settings page.");
		return NULL;
	}
	return v;
}

/* POST /admin/scep/types/new: type, profile. */
void
admin_scep_type_add(struct admin_ctx *c)
{
	const char *type = cm_req_form(c->req, "type"), *profile = cm_req_form(c->req, "profile"), *why;
	struct cm_stmt *st = NULL;
	struct cm_buf after;
	int errors = 0, f = -1;

	cm_buf_init(&after, 4096);
	if (!may_change(c))
		goto out;
	if ((why = scep_type_problem(type)) != NULL) {
		cm_render_set(c->r, "Errors.type", why);
		errors++;
	}
	if (scep_profile_find(profile) == NULL) {
		cm_render_set(c->r, "Errors.profile", "Choose the profile the type's certificates are issued under.");
		errors++;
	}
	if (errors == 0) {
		if (cm_db_begin(c->db) < 0)
			goto dberr;
		/* Unique per customer (the primary key): checked first for a message. */
		st = cm_db_prepare(c->db, "SELECT 1 FROM scep_types WHERE customer_id = ? AND scep_type = ? FOR UPDATE");
		if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, type) < 0 ||
		    cm_stmt_execute(st) < 0 || (f = cm_stmt_fetch(st)) < 0)
			goto dberr;
		cm_stmt_close(st);
		st = NULL;
		if (f == 1) {
			cm_db_rollback(c->db);
			cm_render_set(c->r, "Errors.type", "This customer already has that type; choose another name.");
			errors++;
		}
	}
	if (errors) {
		cm_render_set(c->r, "Form.type", type);
		cm_render_set(c->r, "Form.profile", profile);
		show(c, 400);
		goto out;
	}
	st = cm_db_prepare(c->db, "INSERT INTO scep_types (customer_id, scep_type, profile, enabled) VALUES (?, ?, ?, 1)");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_bind_str(st, 1, type) < 0 ||
	    cm_stmt_bind_str(st, 2, profile) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	if (cm_buf_puts(&after, "{\"scep_type\":") < 0 || cm_buf_json_str(&after, type) < 0 ||
	    cm_buf_puts(&after, ",\"profile\":") < 0 || cm_buf_json_str(&after, profile) < 0 ||
	    cm_buf_puts(&after, ",\"enabled\":1}") < 0 ||
	    scep_audit(c, "scep_type.create", "scep_type", type, NULL, after.data) < 0 || cm_db_commit(c->db) < 0)
		goto dberr;
	cm_info("%s added SCEP type %s (%s) to customer %s", c->user.principal, type, profile, c->user.customer_uri);
	back(c, "added");
	goto out;
dberr:
	cm_err("adding a SCEP type to customer %s: %s", c->user.customer_uri, cm_db_error(c->db));
	if (cm_db_in_transaction(c->db))
		cm_db_rollback(c->db);
	admin_error(c, 500, "Internal error", "The SCEP type could not be saved; this has been logged.");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&after);
}

/* POST /admin/scep/types/enable: type. Enabling never stops a device, so no confirmation. */
void
admin_scep_type_enable(struct admin_ctx *c)
{
	const char *type;
	int r;

	if (!may_change(c) || (type = type_param(c, cm_req_form(c->req, "type"))) == NULL)
		return;
	if ((r = type_store(c, type, 1)) == -2)
		admin_error(c, 404, "Not found", "This customer has no such SCEP type.");
	else if (r < 0)
		admin_error(c, 500, "Internal error", "The SCEP type could not be saved; this has been logged.");
	else
		back(c, r == 1 ? "enabled" : "unchanged");
}

/* GET /admin/scep/types/disable?type=T: what disabling a type does. */
void
admin_scep_type_disable_confirm(struct admin_ctx *c)
{
	struct scep_type_row rows[SCEP_TYPES_MAX];
	struct admin_confirm cf = {
		.title = "Disable this SCEP type?",
		.consequence = "Its URL will answer 404 Not Found: devices configured with it can no longer enroll, "
		    "renew or collect a pending certificate until the type is enabled again.",
		.warning = "Certificates already issued stay valid; the customer's other types keep working.",
		.button = "Disable the type",
		.cancel = SCEP_SETTINGS_PAGE,
		.hidden_name = "confirm", .hidden_value = "yes",
		.label = { "Customer", "Type", "URL", "Change" },
		.value = { NULL, NULL, NULL, "Enabled: from Yes to No" },
	};
	char url[512], action[96];
	const char *type;
	long n, i;

	if (!may_change(c) || (type = type_param(c, cm_req_query(c->req, "type"))) == NULL)
		return;
	if ((n = scep_types_load(c, rows, SCEP_TYPES_MAX)) < 0) {
		admin_error(c, 500, "Internal error", "The SCEP settings could not be read; this has been logged.");
		return;
	}
	for (i = 0; i < n && strcmp(rows[i].type, type) != 0; i++)
		;
	if (i == n) {
		admin_error(c, 404, "Not found", "This customer has no such SCEP type.");
		return;
	}
	if (!rows[i].enabled) {
		admin_error(c, 409, "Already disabled", "This SCEP type is already disabled.");
		return;
	}
	if (scep_type_url(c, rows[i].type, url, sizeof(url)) < 0)
		url[0] = '\0';
	/* The shared page carries one hidden pair (confirm=yes); the type rides
	 * in the action's query ([a-z0-9-]: nothing to escape in a URL). */
	snprintf(action, sizeof(action), TYPE_DISABLE_PAGE "?type=%s", rows[i].type);
	cf.action = action;
	cf.value[0] = c->user.customer_name;
	cf.value[1] = rows[i].type;
	cf.value[2] = url;
	admin_confirm_page(c, &cf, 200);
}

/* POST /admin/scep/types/disable?type=T: only from the confirmation page
 * (confirm=yes). */
void
admin_scep_type_disable(struct admin_ctx *c)
{
	const char *type, *confirm = cm_req_form(c->req, "confirm");
	int r;

	if (!may_change(c) || (type = type_param(c, cm_req_query(c->req, "type"))) == NULL)
		return;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		admin_error(c, 400, "Not confirmed", "Use Disable on the SCEP settings page, then confirm.");
		return;
	}
	if ((r = type_store(c, type, 0)) == -2)
		admin_error(c, 404, "Not found", "This customer has no such SCEP type.");
	else if (r < 0)
		admin_error(c, 500, "Internal error", "The SCEP type could not be saved; this has been logged.");
	else
		back(c, r == 1 ? "disabled" : "unchanged");
}
