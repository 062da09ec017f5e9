/* cert_list.c: GET /admin/certificates — the customer's certificates with filters (type, status, organisation, expiring within N days, search), two sort orders and keyset pages. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ctx.h"
#include "cert_state.h"
#include "log.h"
#include "policy.h"

#define PAGE_SIZE 50
#define Q_MAX 128

/*
 * Every filter is "(? = neutral OR condition)": with the parameters bound,
 * MariaDB folds the unused ones away at each execution and picks the
 * index of the one that is set: certificates_customer_type_id,
 * _customer_status, _customer_org_id, _customer_expiry, _customer_cn,
 * _customer_email or certificates_serial (see schema/007_lifecycle.sql).
 * Search values are prefixes (LIKE 'x%' with % and _ escaped), so they
 * stay index ranges. The scope clause is the policy's list form, the same
 * rule as admin_may_see_cert() for one certificate (policy.h).
 */
#define LIST_FILTERS \
	" FROM certificates c WHERE c.customer_id = ?" \
	" AND (? = '' OR c.cert_type = ?)" \
	" AND (? = '' OR c.status = ?)" \
	" AND (? = 0 OR c.org_id = ?)" \
	" AND (? = 0 OR (c.not_after >= UTC_TIMESTAMP() AND c.not_after < UTC_TIMESTAMP() + INTERVAL ? DAY))" \
	" AND (? = '' OR c.common_name LIKE ?)" \
	" AND (? = '' OR c.email LIKE ?)" \
	" AND (? = '' OR c.serial_hex LIKE ?)" \
	" AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s" \
	" JOIN organizations so ON so.id = s.org_id AND so.deleted_at IS NULL" \
	" WHERE s.admin_id = ? AND s.org_id = c.org_id" \
	" AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))" \
	" AND (? = 1 OR FIND_IN_SET(c.cert_type, ?) > 0)"

static const char SQL_BY_ID[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email"
	LIST_FILTERS
	" AND c.id < ? ORDER BY c.id DESC LIMIT 51";
static const char SQL_BY_EXPIRY[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email"
	LIST_FILTERS
	" AND c.not_after IS NOT NULL AND (c.not_after > ? OR (c.not_after = ? AND c.id > ?))"
	" ORDER BY c.not_after, c.id LIMIT 51";

struct list_filter {
	const char *type, *status, *org, *days, *q, *sort, *before, *after_na, *after_id;
	int64_t org_id, before_id, after_id_v;
	long days_v;
	int by_expiry;
	char cn_like[2 * Q_MAX + 2], email_like[2 * Q_MAX + 2], serial_like[2 * Q_MAX + 2];
	int errors;
};

static void
filter_error(struct admin_ctx *c, struct list_filter *f, const char *field, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", field);
	f->errors++;
}

/* A positive decimal of at most 18 digits; 0 when s is not one. */
static int64_t
positive(const char *s)
{
	int64_t v = 0;
	size_t n = 0;

	if (s == NULL || s[0] == '\0' || s[0] == '0')
		return 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return 0;
		v = v * 10 + (s[n] - '0');
	}
	return v;
}

/* Writes "q%" with LIKE's metacharacters escaped into dst (at least 2*len+2 bytes). */
static void
like_prefix(char *dst, const char *q)
{
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*dst++ = '\\';
		*dst++ = *q;
	}
	*dst++ = '%';
	*dst = '\0';
}

/* "YYYY-MM-DD HH:MM:SS" (what the page links carry for the expiry cursor). */
static int
is_datetime(const char *s)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	return 1;
}

/* Reads and checks the query; errors go next to their field and keep what was typed. */
static void
read_filter(struct admin_ctx *c, struct list_filter *f)
{
	static const char *const types[] = { "ssl", "client", "codesign", "ocsp", NULL };
	int ok = 0;

	memset(f, 0, sizeof(*f));
	f->type = cm_req_query(c->req, "type");
	f->status = cm_req_query(c->req, "status");
	f->org = cm_req_query(c->req, "org");
	f->days = cm_req_query(c->req, "expiring");
	f->q = cm_req_query(c->req, "q");
	f->sort = cm_req_query(c->req, "sort");
	f->before = cm_req_query(c->req, "before");
	f->after_na = cm_req_query(c->req, "after_na");
	f->after_id = cm_req_query(c->req, "after_id");
	f->type = f->type ? f->type : "";
	f->status = f->status ? f->status : "";
	f->org = f->org ? f->org : "";
	f->days = f->days ? f->days : "";
	f->q = f->q ? f->q : "";
	f->sort = f->sort && f->sort[0] ? f->sort : "created";

	for (size_t i = 0; types[i]; i++)
		ok |= strcmp(f->type, types[i]) == 0;
	if (f->type[0] && !ok)
		filter_error(c, f, "type", "Choose a certificate type from the list.");
	if (f->status[0] && cert_state_parse(f->status) < 0)
		filter_error(c, f, "status", "Choose a status from the list.");
	if (f->org[0] && (f->org_id = positive(f->org)) == 0)
		filter_error(c, f, "org", "Choose an organisation from the list.");
	if (f->days[0]) {
		int64_t d = positive(f->days);

		if (d < 1 || d > 3650)
			filter_error(c, f, "expiring", "Expiring within is a number of days from 1 to 3650.");
		else
			f->days_v = (long)d;
	}
	if (strlen(f->q) > Q_MAX) {
		filter_error(c, f, "q", "The search is longer than 128 characters.");
	} else if (f->q[0]) {
		/* What the text looks like decides where it is searched: an
		 * address, a serial number (hex, 6 digits or more) or a name. */
		size_t n = strlen(f->q), hex = strspn(f->q, "0123456789abcdefABCDEF:");

		if (strchr(f->q, '@')) {
			like_prefix(f->email_like, f->q);
		} else if (hex == n && n >= 6) {
			char serial[Q_MAX + 1];
			size_t o = 0;

			for (size_t i = 0; i < n; i++)
				if (f->q[i] != ':')
					serial[o++] = (char)tolower((unsigned char)f->q[i]);
			serial[o] = '\0';
			like_prefix(f->serial_like, serial);
		} else {
			like_prefix(f->cn_like, f->q);
		}
	}
	/* An expiry window is read along the expiry index, so it is listed
	 * soonest first (by id it would scan the customer's whole range). */
	if (f->days_v > 0)
		f->sort = "expiry";
	if (strcmp(f->sort, "expiry") == 0) {
		f->by_expiry = 1;
		if ((f->after_na && f->after_na[0]) || (f->after_id && f->after_id[0])) {
			if (!is_datetime(f->after_na) || (f->after_id_v = positive(f->after_id)) == 0)
				filter_error(c, f, "page", "The page link is damaged; start again from the first page.");
		}
	} else if (strcmp(f->sort, "created") != 0) {
		filter_error(c, f, "sort", "Sort by creation or by expiry date.");
	} else if (f->before && f->before[0] && (f->before_id = positive(f->before)) == 0) {
		filter_error(c, f, "page", "The page link is damaged; start again from the first page.");
	}
	for (int i = 0; i < CERT_STATE__MAX; i++)
		cm_render_setf(c->r, cert_state_name(i), "StatusNames.%d", i);
	cm_render_set_list(c->r,
	    "Filter.type", f->type,
	    "Filter.status", f->status,
	    "Filter.org", f->org,
	    "Filter.expiring", f->days,
	    "Filter.q", f->q,
	    "Filter.sort", f->sort,
	    NULL);
}

/* The organisations the administrator sees, for the filter's select; 0 or -1. */
static int
fill_orgs(struct admin_ctx *c)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name FROM organizations o WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    " AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s WHERE s.admin_id = ? AND s.org_id = o.id))"
	    " ORDER BY o.name, o.id LIMIT 500");
	size_t n = 0;
	char id[32];

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("organisations: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Orgs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Orgs.%zu.name", n);
		n++;
	}
	cm_stmt_close(st);
	return 0;
}

/* Binds the filters and the scope (parameters 0..17); 0 or -1. */
static int
bind_filter(struct cm_stmt *st, const struct admin_ctx *c, const struct list_filter *f)
{
	return cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, f->type) < 0 || cm_stmt_bind_str(st, 2, f->type) < 0 ||
	    cm_stmt_bind_str(st, 3, f->status) < 0 || cm_stmt_bind_str(st, 4, f->status) < 0 ||
	    cm_stmt_bind_i64(st, 5, f->org_id) < 0 || cm_stmt_bind_i64(st, 6, f->org_id) < 0 ||
	    cm_stmt_bind_i64(st, 7, f->days_v) < 0 || cm_stmt_bind_i64(st, 8, f->days_v) < 0 ||
	    cm_stmt_bind_str(st, 9, f->cn_like[0] ? "1" : "") < 0 || cm_stmt_bind_str(st, 10, f->cn_like) < 0 ||
	    cm_stmt_bind_str(st, 11, f->email_like[0] ? "1" : "") < 0 || cm_stmt_bind_str(st, 12, f->email_like) < 0 ||
	    cm_stmt_bind_str(st, 13, f->serial_like[0] ? "1" : "") < 0 || cm_stmt_bind_str(st, 14, f->serial_like) < 0 ||
	    admin_bind_scope(st, 15, &c->user) < 0 ||
	    cm_stmt_bind_i64(st, 17, c->user.role == ROLE_MRAO ? 1 : 0) < 0 ||
	    cm_stmt_bind_str(st, 18, c->user.cert_types) < 0 ? -1 : 0;
}

void
admin_cert_list(struct admin_ctx *c)
{
	struct list_filter f;
	struct cm_stmt *st;
	char id[32], last_na[32] = "";
	int64_t last = 0;
	size_t n = 0;
	int more = 0, r;

	read_filter(c, &f);
	if (fill_orgs(c) < 0) {
		admin_error(c, 500, "Internal error", "The organisations could not be read; this has been logged.");
		return;
	}
	if (f.errors) {
		cm_render_set_int(c->r, "List.count", 0);
		c->resp->status = 400;
		admin_page(c, "Certificates", "admin/cert_list.cs");
		return;
	}
	if (f.by_expiry)
		st = cm_db_prepare(c->db, SQL_BY_EXPIRY);
	else
		st = cm_db_prepare(c->db, SQL_BY_ID);
	r = st == NULL || bind_filter(st, c, &f) < 0;
	if (!r && f.by_expiry)
		r = cm_stmt_bind_str(st, 19, f.after_id_v ? f.after_na : "0000-01-01 00:00:00") < 0 ||
		    cm_stmt_bind_str(st, 20, f.after_id_v ? f.after_na : "0000-01-01 00:00:00") < 0 ||
		    cm_stmt_bind_i64(st, 21, f.after_id_v) < 0;
	else if (!r)
		r = cm_stmt_bind_i64(st, 19, f.before_id ? f.before_id : INT64_MAX) < 0;
	if (r || cm_stmt_execute(st) < 0) {
		cm_err("certificate list: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		admin_error(c, 500, "Internal error", "The certificate list could not be read; this has been logged.");
		return;
	}
	while (cm_stmt_fetch(st) == 1) {
		if (n == PAGE_SIZE) {
			more = 1;
			break;
		}
		last = cm_stmt_i64(st, 0);
		snprintf(last_na, sizeof(last_na), "%s", cm_stmt_str(st, 5, NULL) ? cm_stmt_str(st, 5, NULL) : "");
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_setf(c->r, id, "Certs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Certs.%zu.serial", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Certs.%zu.cn", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Certs.%zu.type", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Certs.%zu.status", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Certs.%zu.not_after", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Certs.%zu.profile", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Certs.%zu.email", n);
		n++;
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (f.before_id || f.after_id_v)
		cm_render_set(c->r, "List.paged", "1");
	if (more) {
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_set(c->r, "List.next", id);
		cm_render_set(c->r, "List.next_na", last_na);
	}
	admin_page(c, "Certificates", "admin/cert_list.cs");
}
