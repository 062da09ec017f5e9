/* scep_model.c: what the SCEP section's pages share: the profile table, the type-segment rule, the customer's SCEP settings, the enrollment URLs, the audit row. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "scep_model.h"

/* The client profiles signerd issues through SCEP. scep.fcgi's uid is
 * granted only these in signerd.conf [access]; a new one is added here and
 * there together. */
const struct scep_profile scep_profiles[] = {
	{ "client-smime", "Client / S/MIME (client-smime)" },
	{ "client-device", "Device / client authentication (client-device)" },
};
const size_t scep_nprofiles = sizeof(scep_profiles) / sizeof(scep_profiles[0]);

/* The entry, or NULL. */
const struct scep_profile *
scep_profile_find(const char *p)
{
	for (size_t i = 0; p != NULL && i < scep_nprofiles; i++)
		if (strcmp(scep_profiles[i].profile, p) == 0)
			return &scep_profiles[i];
	return NULL;
}

/* NULL, or a message for the form. */
const char *
scep_type_problem(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0)
		return "Enter the type: the part of the URL between /scep/ and /pkiclient.exe, for example device.";
	if (n > SCEP_TYPE_MAX)
		return "The type must be at most 32 characters long.";
	/* It is a path segment devices are configured with: nothing to escape. */
	if (strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return "Use only lower-case letters a to z, digits and hyphens (-) in the type.";
	return NULL;
}

/* 0, or -1 (logged). */
int
scep_enabled_load(struct admin_ctx *c, int lock, int *on)
{
	struct cm_stmt *st;
	int f = -1;

	st = cm_db_prepare(c->db, lock
	    ? "SELECT scep_enabled FROM customers WHERE id = ? FOR UPDATE"
	    : "SELECT scep_enabled FROM customers WHERE id = ?");
	if (st != NULL && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (f == 1)
		*on = cm_stmt_i64(st, 0) == 1;
	else
		cm_err("SCEP setting of customer %s: %s", c->user.customer_uri,
		    f == 0 ? "no such customer" : cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return f == 1 ? 0 : -1;
}

/* The count, or -1 (logged). */
long
scep_types_load(struct admin_ctx *c, struct scep_type_row *rows, size_t max)
{
	struct cm_stmt *st;
	long n = 0;
	int f = -1;

	st = cm_db_prepare(c->db,
	    "SELECT scep_type, profile, enabled FROM scep_types WHERE customer_id = ? ORDER BY scep_type LIMIT 64");
	if (st != NULL && cm_stmt_bind_i64(st, 0, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0) {
		while ((size_t)n < max && (f = cm_stmt_fetch(st)) == 1) {
			cm_stmt_copy_str(st, 0, rows[n].type, sizeof(rows[n].type));
			cm_stmt_copy_str(st, 1, rows[n].profile, sizeof(rows[n].profile));
			rows[n].enabled = cm_stmt_i64(st, 2) == 1;
			n++;
		}
		if ((size_t)n == max || f == 0)
			f = 0;
	}
	if (f < 0) {
		cm_err("SCEP types of customer %s: %s", c->user.customer_uri, cm_db_error(c->db));
		n = -1;
	}
	if (st)
		cm_stmt_close(st);
	return n;
}

/* 1 when h is a plausible Host header (name or address, optional port):
 * it goes into a URL shown to people and written into profiles. */
static int
host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	return n > 0 && n <= 255 &&
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* 0, or -1 when it does not fit. */
int
scep_type_url(struct admin_ctx *c, const char *type, char *out, size_t outlen)
{
	const char *base = cm_settings_scep_base_url(&c->app->settings), *host = cm_req_env(c->req, "HTTP_HOST");
	size_t blen;
	int n;

	/* [scep] base_url, else [web] base_url, names the public address;
	 * without either, the address the administrator reached the portal
	 * at (plain http, as RFC 8894 expects). */
	if (base != NULL && base[0] != '\0') {
		blen = strlen(base);
		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		n = snprintf(out, outlen, "%.*s/customer/%s/scep/%s/pkiclient.exe", (int)blen, base,
		    c->user.customer_uri, type);
	} else {
		n = snprintf(out, outlen, "http://%s/customer/%s/scep/%s/pkiclient.exe",
		    host_ok(host) ? host : "localhost", c->user.customer_uri, type);
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* 0 or -1. */
int
scep_audit(struct admin_ctx *c, const char *action, const char *object_type, const char *object_id,
    const char *before, const char *after)
{
	struct cm_audit_entry e;

	memset(&e, 0, sizeof(e));
	e.actor = c->user.principal;
	e.action = action;
	e.object_type = object_type;
	e.object_id = object_id;
	e.before = before;
	e.after = after;
	e.remote_addr = c->req->remote_addr;
	e.customer_id = c->user.customer_id;
	return cm_audit(c->db, &e);
}

/* 1 may go on, 0 answered (403). */
int
scep_section_allowed(struct admin_ctx *c)
{
	if (admin_may_see_scep(&c->user))
		return 1;
	admin_error(c, 403, "Not allowed",
	    "SCEP enrolls client and S/MIME certificates; your administrator account does not hold that certificate type.");
	return 0;
}
