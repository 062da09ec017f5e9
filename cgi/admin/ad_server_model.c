/* ad_server_model.c: Active Directory servers of a customer: form rules, loading, audit, and the organisation page's binding. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ad_server_model.h"
#include "ids.h"
#include "text.h"
#include "domain_model.h"
#include "edit_commit.h"
#include "log.h"
#include "policy.h"

#define MAX_BOUND 100
/* The delete refusal prints the names with %.700s: the list stops short of that. */
#define NAMES_SHOWN 690
#define MAX_CHOICES 500
/* The statements below read with and without a lock (the lock is added at the end). */
#define SERVER_ROW_SQL "SELECT id, name, domain, ldap_uris, base_dn, starttls, CAST(updated_at AS CHAR) FROM ad_servers" \
	" WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"
#define BOUND_ORGS_SQL "SELECT id, name FROM organizations WHERE ad_server_id = ? AND customer_id = ? AND deleted_at IS NULL" \
	" ORDER BY name, id LIMIT 101"
#define SERVER_LIVE_SQL "SELECT 1 FROM ad_servers WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"

/* 1 allowed, 0 answered; see ad_server_model.h. */
int
ad_server_may_manage(struct admin_ctx *c)
{
	struct admin_object o = { .customer_id = c->user.customer_id };

	return edit_allowed(c, admin_may(c, ACTION_MANAGE_AD_SERVERS, &o),
	    "Only a master administrator (MRAO) manages Active Directory servers.");
}

/* The form field, "" when absent; what was typed goes back under Form.<field> (bounded). */
static const char *
field(struct admin_ctx *c, const char *name)
{
	const char *v = cm_req_form(c->req, name);

	v = v ? v : "";
	cm_render_setf(c->r, strlen(v) > 2000 ? "" : v, "Form.%s", name);
	return v;
}

static void
field_error(struct admin_ctx *c, int *errors, const char *name, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", name);
	(*errors)++;
}

/* The error count; see ad_server_model.h. */
int
ad_server_from_form(struct admin_ctx *c, struct ad_server_row *s)
{
	const char *name = field(c, "name"), *domain = field(c, "domain");
	const char *uris = field(c, "ldap_uris"), *dn = field(c, "base_dn");
	const char *tls = cm_req_form(c->req, "starttls"), *msg;
	char why[512];
	int errors = 0;
	size_t n;

	s->starttls = tls != NULL && strcmp(tls, "1") == 0;
	cm_render_set(c->r, "Form.starttls", s->starttls ? "1" : "0");
	while (*name == ' ')
		name++;
	n = strlen(name);
	while (n > 0 && name[n - 1] == ' ')
		n--;
	if (n == 0)
		field_error(c, &errors, "name", "A name is required.");
	else if (n > AD_NAME_MAX)
		field_error(c, &errors, "name", "At most 255 bytes, please.");
	else {
		memcpy(s->name, name, n);
		s->name[n] = '\0';
		if (!cm_text_clean(s->name))
			field_error(c, &errors, "name", "Use text without control characters (UTF-8).");
	}
	if (domain[strspn(domain, " ")] == '\0')
		field_error(c, &errors, "domain", "Enter the Active Directory domain, such as corp.example.com.");
	else if ((msg = domain_name_normalise(domain, s->domain, sizeof(s->domain))) != NULL)
		field_error(c, &errors, "domain", msg);
	else if (s->domain[0] == '*')
		field_error(c, &errors, "domain", "An Active Directory domain has no wildcard: corp.example.com.");
	if (ad_server_uris_check(uris, s->ldap_uris, sizeof(s->ldap_uris), why, sizeof(why)) < 0)
		field_error(c, &errors, "ldap_uris", why);
	if ((msg = ad_server_base_dn_check(dn, s->base_dn, sizeof(s->base_dn))) != NULL)
		field_error(c, &errors, "base_dn", msg);
	return errors;
}

/* 1 found, 0 not, -1 database. */
int
ad_server_load(struct admin_ctx *c, int64_t id, int lock, struct ad_server_row *s)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ? SERVER_ROW_SQL " FOR UPDATE" : SERVER_ROW_SQL);
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0 || (r = cm_stmt_fetch(st)) != 1)
		goto out;
	s->id = cm_stmt_i64(st, 0);
	cm_stmt_copy_str(st, 1, s->name, sizeof(s->name));
	cm_stmt_copy_str(st, 2, s->domain, sizeof(s->domain));
	cm_stmt_copy_str(st, 3, s->ldap_uris, sizeof(s->ldap_uris));
	cm_stmt_copy_str(st, 4, s->base_dn, sizeof(s->base_dn));
	s->starttls = cm_stmt_i64(st, 5) != 0;
	cm_stmt_copy_str(st, 6, s->updated_at, sizeof(s->updated_at));
out:
	if (r < 0)
		cm_err("load AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 1 taken, 0 free, -1 database. */
int
ad_server_name_taken(struct admin_ctx *c, const char *name, int64_t self_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT 1 FROM ad_servers WHERE customer_id = ? AND name = ? AND deleted_at IS NULL AND id <> ?"
	    " LIMIT 1 FOR UPDATE");
	int r = -1;

	if (st && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_bind_str(st, 1, name) == 0 &&
	    cm_stmt_bind_i64(st, 2, self_id) == 0 && cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 0 or -1. */
int
ad_server_json(const struct ad_server_row *s, struct cm_buf *b)
{
	if (cm_buf_puts(b, "{\"name\":") < 0 || cm_buf_json_str(b, s->name) < 0 ||
	    cm_buf_puts(b, ",\"domain\":") < 0 || cm_buf_json_str(b, s->domain) < 0 ||
	    cm_buf_puts(b, ",\"ldap_uris\":") < 0 || cm_buf_json_str(b, s->ldap_uris) < 0 ||
	    cm_buf_puts(b, ",\"base_dn\":") < 0 || cm_buf_json_str(b, s->base_dn) < 0 ||
	    cm_buf_printf(b, ",\"starttls\":%s}", s->starttls ? "true" : "false") < 0)
		return -1;
	return 0;
}

/* The count (up to MAX_BOUND + 1), or -1; see ad_server_model.h. names gets
 * the names that fit in NAMES_SHOWN bytes (the first always), then ", ...";
 * the count goes on regardless (100 names of 255 bytes would not fit). */
long
ad_server_bound_orgs(struct admin_ctx *c, int64_t id, int lock, struct cm_buf *names)
{
	struct cm_stmt *st = cm_db_prepare(c->db, lock ? BOUND_ORGS_SQL " LOCK IN SHARE MODE" : BOUND_ORGS_SQL);
	char oid[32];
	long n = 0;
	int f, cut = 0;

	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 || cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    cm_stmt_execute(st) < 0) {
		n = -1;
		goto out;
	}
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *name = cm_stmt_str(st, 1, NULL);

		if (name == NULL)
			name = "";
		if (n == MAX_BOUND) {
			cm_render_set(c->r, "Bound.more", "1");
			if (names && !cut && cm_buf_puts(names, ", ...") < 0)
				f = -1;
			n++;
			break;
		}
		snprintf(oid, sizeof(oid), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, oid, "Orgs.%ld.id", n);
		cm_render_setf(c->r, name, "Orgs.%ld.name", n);
		if (names && !cut && n > 0 && names->len + 2 + strlen(name) > NAMES_SHOWN) {
			cut = 1;
			if (cm_buf_puts(names, ", ...") < 0) {
				f = -1;
				break;
			}
		} else if (names && !cut && (cm_buf_puts(names, n ? ", " : "") < 0 ||
		    cm_buf_puts(names, name) < 0)) {
			f = -1;
			break;
		}
		n++;
	}
	if (f < 0)
		n = -1;
out:
	if (n < 0)
		cm_err("organisations bound to AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return n;
}

/* 0 (none), a positive id, or -1; see ad_server_model.h. */
int64_t
ad_server_form_id(const char *v)
{
	int64_t id;

	if (v == NULL || v[0] == '\0')
		return 0;
	id = cm_id_parse(v);
	return id > 0 ? id : -1;
}

/* 1 usable, 0 not, -1 database. */
int
ad_server_usable(struct admin_ctx *c, int64_t id, int lock)
{
	struct cm_stmt *st;
	int r = -1;

	if (id <= 0)
		return 0;
	st = cm_db_prepare(c->db, lock ? SERVER_LIVE_SQL " LOCK IN SHARE MODE" : SERVER_LIVE_SQL);
	if (st && cm_stmt_bind_i64(st, 0, id) == 0 && cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 &&
	    cm_stmt_execute(st) == 0)
		r = cm_stmt_fetch(st);
	if (r < 0)
		cm_err("AD server %lld: %s", (long long)id, cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return r;
}

/* 0 or -1; see ad_server_model.h. */
int
ad_server_render_binding(struct admin_ctx *c, int64_t selected_id, int view, int bind)
{
	struct cm_stmt *st = NULL;
	char sid[32];
	size_t n = 0;
	int f = 0;

	cm_render_set(c->r, "Can.view_ad", view ? "1" : "0");
	cm_render_set(c->r, "Can.bind_ad", bind ? "1" : "0");
	if (view && selected_id > 0) {
		st = cm_db_prepare(c->db, "SELECT id, name, domain FROM ad_servers WHERE id = ? AND customer_id = ?");
		if (st == NULL || cm_stmt_bind_i64(st, 0, selected_id) < 0 ||
		    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
		    (f = cm_stmt_fetch(st)) < 0)
			goto dberr;
		if (f == 1) {
			snprintf(sid, sizeof(sid), "%lld", (long long)cm_stmt_i64(st, 0));
			cm_render_set(c->r, "Org.ad_server.id", sid);
			cm_render_set(c->r, "Org.ad_server.name", cm_stmt_str(st, 1, NULL));
			cm_render_set(c->r, "Org.ad_server.domain", cm_stmt_str(st, 2, NULL));
		}
		cm_stmt_close(st);
		st = NULL;
	}
	if (!bind)
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT id, name, domain FROM ad_servers WHERE customer_id = ? AND deleted_at IS NULL"
	    " ORDER BY name, id LIMIT 500");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	for (; n < MAX_CHOICES && (f = cm_stmt_fetch(st)) == 1; n++) {
		int64_t id = cm_stmt_i64(st, 0);

		snprintf(sid, sizeof(sid), "%lld", (long long)id);
		cm_render_setf(c->r, sid, "AdServers.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "AdServers.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "AdServers.%zu.domain", n);
		if (id == selected_id)
			cm_render_setf(c->r, "1", "AdServers.%zu.selected", n);
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	return 0;
dberr:
	cm_err("AD servers for the organisation page: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}
