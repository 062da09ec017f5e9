/* cert_list.c: GET /admin/certificates — the customer's certificates with filters (type, status, organisation, department, issuer, expiring within N days), search by name prefix (CN, SANs, e-mail, serial), three sort orders and keyset pages. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "cert_state.h"
#include "ids.h"
#include "log.h"
#include "policy.h"

#define PAGE_SIZE 50
#define Q_MAX 128

/*
 * Every filter is "(? = neutral OR condition)": with the parameters bound,
 * MariaDB folds the unused ones away at each execution and picks the
 * index of the one that is set: certificates_customer_type_id,
 * _customer_status, _customer_org_id, _dept_fk, _customer_issuer_id or
 * _customer_expiry (schema/001, 007, 012). A search reads only
 * certificate_names (SQL_BY_NAME). The scope clause is the policy's list
 * form, the same rule as admin_cert_in_scope() for one certificate
 * (policy.h). LIST_CONDS takes parameters 0..16.
 */
#define LIST_CONDS \
	" c.customer_id = ?" \
	" AND (? = '' OR c.cert_type = ?)" \
	" AND (? = '' OR c.status = ?)" \
	" AND (? = 0 OR c.org_id = ?)" \
	" AND (? = 0 OR c.dept_id = ?)" \
	" AND (? = 0 OR c.issuer_id = ?)" \
	" AND (? = 0 OR (c.not_after >= UTC_TIMESTAMP() AND c.not_after < UTC_TIMESTAMP() + INTERVAL ? DAY))" \
	ADMIN_CERT_SCOPE_SQL
#define LIST_NPARAMS 17

static const char SQL_BY_ID[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email"
	" FROM certificates c WHERE" LIST_CONDS
	" AND c.id < ? ORDER BY c.id DESC LIMIT 51";
static const char SQL_BY_EXPIRY[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email"
	" FROM certificates c WHERE" LIST_CONDS
	" AND c.not_after IS NOT NULL AND (c.not_after > ? OR (c.not_after = ? AND c.id > ?))"
	" ORDER BY c.not_after, c.id LIMIT 51";
/* Along certificates_customer_cn; certificates without a CN (NULL) come
 * first. Cursor kinds: 0 first page, 1 after a row without CN, 2 after a
 * row with one. */
static const char SQL_BY_CN[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email"
	" FROM certificates c WHERE" LIST_CONDS
	" AND (? = 0"
	" OR (? = 1 AND ((c.common_name IS NULL AND c.id > ?) OR c.common_name IS NOT NULL))"
	" OR (? = 2 AND (c.common_name > ? OR (c.common_name = ? AND c.id > ?))))"
	" ORDER BY c.common_name, c.id LIMIT 51";
/*
 * Every search is a name search: certificate_names holds each certificate's
 * CN, subjectAltNames (DNS, IP, e-mail, URI, UPN), e-mail column and serial
 * (schema/012_cert_names.sql, 016_cert_names_triggers.sql), so a host name,
 * an address or a serial are one prefix (LIKE 'x%' with % and _ escaped)
 * read along certificate_names_customer_name, each hit joined to its
 * certificate. A certificate with several matching names is listed once,
 * under the smallest one (NOT EXISTS through the primary key (cert_id,
 * name)), so pages keyed on (name, cert_id) show each certificate exactly
 * once.
 */
static const char SQL_BY_NAME[] =
	"SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile, c.email, n.name, n.kind"
	" FROM certificate_names n STRAIGHT_JOIN certificates c ON c.id = n.cert_id"
	" WHERE" LIST_CONDS
	" AND n.customer_id = ? AND n.name LIKE LOWER(?)"
	" AND (? = 0 OR n.name > ? OR (n.name = ? AND n.cert_id > ?))"
	" AND NOT EXISTS (SELECT 1 FROM certificate_names n2"
	" WHERE n2.cert_id = n.cert_id AND n2.name LIKE LOWER(?) AND n2.name < n.name)"
	" ORDER BY n.name, n.cert_id LIMIT 51";

enum list_order { BY_CREATED, BY_EXPIRY, BY_CN, BY_NAME };

struct list_filter {
	const char *type, *status, *org, *dept, *issuer, *days, *q, *sort;
	const char *before, *after_na, *after_id, *after_cn, *after_nocn, *after_name;
	int64_t org_id, dept_id, issuer_id, before_id, after_id_v;
	long days_v;
	enum list_order order;
	int cn_cursor;		/* SQL_BY_CN's cursor kind */
	char name_like[2 * Q_MAX + 2];
	int errors;
};

static void
filter_error(struct admin_ctx *c, struct list_filter *f, const char *field, const char *msg)
{
	cm_render_setf(c->r, msg, "Errors.%s", field);
	f->errors++;
}

/*
 * 1 when q is written like a serial number: hex without colons, or pairs of
 * hex digits joined by colons ("0a:1b:2c", as openssl prints them; the last
 * group may be cut short, "0a:1b:2", as a prefix being typed); out (Q_MAX +
 * 1 bytes) then holds the digits in lower case, as
 * certificates.serial_hex has them. Anything else is searched as typed:
 * "2001:db8:abcd" (IPv6), "cafe01.example" or "cafe" are names. Names
 * that are all hex ("cafe01") are found either way: the serial is one more
 * name of its certificate (kind serial).
 */
static int
serial_text(const char *q, char *out)
{
	size_t digits = 0, group = 0;
	int colons = 0;

	for (; *q; q++) {
		if (*q == ':') {
			if (group != 2)
				return 0;
			group = 0;
			colons = 1;
		} else if (isxdigit((unsigned char)*q) && digits < Q_MAX) {
			out[digits++] = (char)tolower((unsigned char)*q);
			if (++group > 2 && colons)
				return 0;
		} else {
			return 0;
		}
	}
	out[digits] = '\0';
	return digits > 0;
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

static const char *
or_empty(const char *v)
{
	return v ? v : "";
}

/* Reads and checks the page cursor of the chosen order. */
static void
read_cursor(struct admin_ctx *c, struct list_filter *f)
{
	static const char damaged[] = "The page link is damaged; start again from the first page.";

	switch (f->order) {
	case BY_CREATED:
		if (f->before[0] && (f->before_id = cm_id_parse(f->before)) == 0)
			filter_error(c, f, "page", damaged);
		break;
	case BY_EXPIRY:
		if (f->after_na[0] || f->after_id[0])
			if (!is_datetime(f->after_na) || (f->after_id_v = cm_id_parse(f->after_id)) == 0)
				filter_error(c, f, "page", damaged);
		break;
	case BY_CN:
		if (!f->after_id[0])
			break;
		if ((f->after_id_v = cm_id_parse(f->after_id)) == 0 || strlen(f->after_cn) > 4 * 255 ||
		    (strcmp(f->after_nocn, "1") == 0 && f->after_cn[0]))
			filter_error(c, f, "page", damaged);
		else
			f->cn_cursor = strcmp(f->after_nocn, "1") == 0 ? 1 : 2;
		break;
	case BY_NAME:
		if ((f->after_name[0] || f->after_id[0]) &&
		    ((f->after_id_v = cm_id_parse(f->after_id)) == 0 || strlen(f->after_name) > 4 * 255))
			filter_error(c, f, "page", damaged);
		break;
	}
}

/* Reads and checks the query; errors go next to their field and keep what was typed. */
static void
read_filter(struct admin_ctx *c, struct list_filter *f)
{
	int ok = 0;

	memset(f, 0, sizeof(*f));
	f->type = or_empty(cm_req_query(c->req, "type"));
	f->status = or_empty(cm_req_query(c->req, "status"));
	f->org = or_empty(cm_req_query(c->req, "org"));
	f->dept = or_empty(cm_req_query(c->req, "dept"));
	f->issuer = or_empty(cm_req_query(c->req, "issuer"));
	f->days = or_empty(cm_req_query(c->req, "expiring"));
	f->q = or_empty(cm_req_query(c->req, "q"));
	f->sort = or_empty(cm_req_query(c->req, "sort"));
	f->before = or_empty(cm_req_query(c->req, "before"));
	f->after_na = or_empty(cm_req_query(c->req, "after_na"));
	f->after_id = or_empty(cm_req_query(c->req, "after_id"));
	f->after_cn = or_empty(cm_req_query(c->req, "after_cn"));
	f->after_nocn = or_empty(cm_req_query(c->req, "after_nocn"));
	f->after_name = or_empty(cm_req_query(c->req, "after_name"));
	if (f->sort[0] == '\0')
		f->sort = "created";

	ok = cm_cert_type_find(f->type) != NULL;
	if (f->type[0] && !ok)
		filter_error(c, f, "type", "Choose a certificate type from the list.");
	if (f->status[0] && cert_state_parse(f->status) < 0)
		filter_error(c, f, "status", "Choose a status from the list.");
	if (f->org[0] && (f->org_id = cm_id_parse(f->org)) == 0)
		filter_error(c, f, "org", "Choose an organisation from the list.");
	/* Whether the organisation, department and issuer exist and may be
	 * seen is asked by id (check_org, check_dept, check_issuer). */
	if (f->dept[0] && (f->dept_id = cm_id_parse(f->dept)) == 0)
		filter_error(c, f, "dept", "Choose a department from the list.");
	if (f->issuer[0] && (f->issuer_id = cm_id_parse(f->issuer)) == 0)
		filter_error(c, f, "issuer", "Choose an issuing CA from the list.");
	if (f->days[0]) {
		/* A day count, written as ids are: a positive decimal, no sign, no leading zero. */
		int64_t d = cm_id_parse(f->days);

		if (d < 1 || d > 3650)
			filter_error(c, f, "expiring", "Expiring within is a number of days from 1 to 3650.");
		else
			f->days_v = (long)d;
	}
	if (strcmp(f->sort, "created") == 0)
		f->order = BY_CREATED;
	else if (strcmp(f->sort, "expiry") == 0)
		f->order = BY_EXPIRY;
	else if (strcmp(f->sort, "cn") == 0)
		f->order = BY_CN;
	else
		filter_error(c, f, "sort", "Sort by creation date, expiry date or common name.");
	/* An expiry window is read along the expiry index, so it is listed
	 * soonest first (by id it would scan the customer's whole range). */
	if (f->days_v > 0 && f->order != BY_EXPIRY) {
		f->order = BY_EXPIRY;
		f->sort = "expiry";
	}
	if (strlen(f->q) > Q_MAX) {
		filter_error(c, f, "q", "The search is longer than 128 characters.");
	} else if (f->q[0]) {
		char serial[Q_MAX + 1];

		/* name_like holds 2 * Q_MAX + 2 bytes: a q of at most Q_MAX always fits */
		(void)cm_sql_like_prefix(f->name_like, sizeof(f->name_like),
		    serial_text(f->q, serial) ? serial : f->q, CM_LIKE_LOWER);
		f->order = BY_NAME;
	}
	read_cursor(c, f);
	for (int i = 0; i < CERT_STATE__MAX; i++)
		cm_render_setf(c->r, cert_state_name(i), "StatusNames.%d", i);
	cm_render_set_list(c->r,
	    "Filter.type", f->type,
	    "Filter.status", f->status,
	    "Filter.org", f->org,
	    "Filter.dept", f->dept,
	    "Filter.issuer", f->issuer,
	    "Filter.expiring", f->days,
	    "Filter.q", f->q,
	    "Filter.sort", f->sort,
	    NULL);
	if (f->order == BY_NAME)
		cm_render_set(c->r, "List.by_name", "1");
}

/* The chosen organisation must be one the administrator sees, asked by id
 * (the select stops at 500); an unknown one gets the same message as one out
 * of scope. One past the select's end is added to it, so that it stays
 * chosen. 0 or -1. */
static int
check_org(struct admin_ctx *c, struct list_filter *f, size_t n, int listed)
{
	struct cm_stmt *st;
	int r;

	if (f->org_id == 0)
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT o.name FROM organizations o WHERE o.id = ? AND o.customer_id = ? AND o.deleted_at IS NULL"
	    ADMIN_ORG_SCOPE_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, f->org_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    admin_bind_org_scope(st, 2, &c->user) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) < 0) {
		cm_err("organisation filter: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (r == 1 && !listed) {
		cm_render_setf(c->r, f->org, "Orgs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 0, NULL), "Orgs.%zu.name", n);
	}
	cm_stmt_close(st);
	if (r != 1)
		filter_error(c, f, "org", "Choose an organisation from the list.");
	return 0;
}

/* The organisations the administrator sees, for the filter's select (the
 * first 500 by name), then check_org. 0 or -1. */
static int
fill_orgs(struct admin_ctx *c, struct list_filter *f)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name FROM organizations o WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    ADMIN_ORG_SCOPE_SQL
	    " ORDER BY o.name, o.id LIMIT 500");
	size_t n = 0;
	int listed = 0;
	char id[32];

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("organisations: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		listed |= cm_stmt_i64(st, 0) == f->org_id;
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Orgs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Orgs.%zu.name", n);
		n++;
	}
	cm_stmt_close(st);
	return check_org(c, f, n, listed);
}

/* The chosen department must be one the administrator sees (asked by id:
 * the select stops at 1000) and lie in the chosen organisation; one past the
 * select's end is added to it. 0 or -1. */
static int
check_dept(struct admin_ctx *c, struct list_filter *f, size_t n, int listed)
{
	struct cm_stmt *st;
	int64_t org = 0;
	int r;

	if (f->dept_id == 0)
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT d.org_id, d.name, o.name FROM departments d"
	    " JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL"
	    " WHERE d.id = ? AND o.customer_id = ? AND d.deleted_at IS NULL"
	    ADMIN_DEPT_SCOPE_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, f->dept_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 ||
	    admin_bind_dept_scope(st, 2, &c->user) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) < 0) {
		cm_err("department filter: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (r == 1) {
		org = cm_stmt_i64(st, 0);
		if (!listed) {
			cm_render_setf(c->r, f->dept, "Depts.%zu.id", n);
			cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Depts.%zu.name", n);
			cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Depts.%zu.org", n);
		}
	}
	cm_stmt_close(st);
	if (r != 1)
		filter_error(c, f, "dept", "Choose a department from the list.");
	else if (f->org_id && org != f->org_id)
		filter_error(c, f, "dept", "This department belongs to another organisation than the one chosen;"
		    " choose one of its departments or any organisation.");
	return 0;
}

/*
 * The departments the administrator sees (all of the customer's for an
 * MRAO, those of its organisations for an RAO, its own for a DRAO), for the
 * filter's select: the first 1000 by organisation and name, then
 * check_dept. 0 or -1.
 */
static int
fill_depts(struct admin_ctx *c, struct list_filter *f)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT d.id, d.name, o.name FROM departments d"
	    " JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND d.deleted_at IS NULL"
	    ADMIN_DEPT_SCOPE_SQL
	    " ORDER BY o.name, o.id, d.name, d.id LIMIT 1000");
	size_t n = 0;
	int listed = 0;
	char id[32];

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_dept_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("departments: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		listed |= cm_stmt_i64(st, 0) == f->dept_id;
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Depts.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Depts.%zu.name", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Depts.%zu.org", n);
		n++;
	}
	cm_stmt_close(st);
	return check_dept(c, f, n, listed);
}

/* The chosen issuing CA, asked by id (the select stops at 100, newest
 * first); an older one is added to the select. 0 or -1. */
static int
check_issuer(struct admin_ctx *c, struct list_filter *f, size_t n, int listed)
{
	struct cm_stmt *st;
	int r;

	if (f->issuer_id == 0)
		return 0;
	st = cm_db_prepare(c->db, "SELECT subject, not_after FROM ca_certs WHERE id = ? AND kind = 'issuing'");
	if (st == NULL || cm_stmt_bind_i64(st, 0, f->issuer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (r = cm_stmt_fetch(st)) < 0) {
		cm_err("issuer filter: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (r == 1 && !listed) {
		cm_render_setf(c->r, f->issuer, "Issuers.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 0, NULL), "Issuers.%zu.subject", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Issuers.%zu.not_after", n);
	}
	cm_stmt_close(st);
	if (r != 1)
		filter_error(c, f, "issuer", "Choose an issuing CA from the list.");
	return 0;
}

/* The issuing CAs, for the filter's select (the newest 100), then check_issuer. 0 or -1. */
static int
fill_issuers(struct admin_ctx *c, struct list_filter *f)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT id, subject, not_after FROM ca_certs WHERE kind = 'issuing'"
	    " ORDER BY not_after DESC, id DESC LIMIT 100");
	size_t n = 0;
	int listed = 0;
	char id[32];

	if (st == NULL || cm_stmt_execute(st) < 0) {
		cm_err("issuing CAs: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		listed |= cm_stmt_i64(st, 0) == f->issuer_id;
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Issuers.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Issuers.%zu.subject", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Issuers.%zu.not_after", n);
		n++;
	}
	cm_stmt_close(st);
	return check_issuer(c, f, n, listed);
}

/* Binds LIST_CONDS (parameters 0..16); 0 or -1. */
static int
bind_filter(struct cm_stmt *st, const struct admin_ctx *c, const struct list_filter *f)
{
	return cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_str(st, 1, f->type) < 0 || cm_stmt_bind_str(st, 2, f->type) < 0 ||
	    cm_stmt_bind_str(st, 3, f->status) < 0 || cm_stmt_bind_str(st, 4, f->status) < 0 ||
	    cm_stmt_bind_i64(st, 5, f->org_id) < 0 || cm_stmt_bind_i64(st, 6, f->org_id) < 0 ||
	    cm_stmt_bind_i64(st, 7, f->dept_id) < 0 || cm_stmt_bind_i64(st, 8, f->dept_id) < 0 ||
	    cm_stmt_bind_i64(st, 9, f->issuer_id) < 0 || cm_stmt_bind_i64(st, 10, f->issuer_id) < 0 ||
	    cm_stmt_bind_i64(st, 11, f->days_v) < 0 || cm_stmt_bind_i64(st, 12, f->days_v) < 0 ||
	    admin_bind_cert_scope(st, 13, &c->user) < 0 ? -1 : 0;
}

/* Prepares the statement of f's order and binds everything; NULL on error. */
static struct cm_stmt *
list_stmt(struct admin_ctx *c, const struct list_filter *f)
{
	static const char epoch[] = "0000-01-01 00:00:00";
	const unsigned k = LIST_NPARAMS;
	struct cm_stmt *st = NULL;
	int r;

	switch (f->order) {
	case BY_CREATED:
		st = cm_db_prepare(c->db, SQL_BY_ID);
		break;
	case BY_EXPIRY:
		st = cm_db_prepare(c->db, SQL_BY_EXPIRY);
		break;
	case BY_CN:
		st = cm_db_prepare(c->db, SQL_BY_CN);
		break;
	case BY_NAME:
		st = cm_db_prepare(c->db, SQL_BY_NAME);
		break;
	}
	r = st == NULL || bind_filter(st, c, f) < 0;

	if (!r && f->order == BY_CREATED)
		r = cm_stmt_bind_i64(st, k, f->before_id ? f->before_id : INT64_MAX) < 0;
	else if (!r && f->order == BY_EXPIRY)
		r = cm_stmt_bind_str(st, k, f->after_id_v ? f->after_na : epoch) < 0 ||
		    cm_stmt_bind_str(st, k + 1, f->after_id_v ? f->after_na : epoch) < 0 ||
		    cm_stmt_bind_i64(st, k + 2, f->after_id_v) < 0;
	else if (!r && f->order == BY_CN)
		r = cm_stmt_bind_i64(st, k, f->cn_cursor) < 0 ||
		    cm_stmt_bind_i64(st, k + 1, f->cn_cursor) < 0 ||
		    cm_stmt_bind_i64(st, k + 2, f->after_id_v) < 0 ||
		    cm_stmt_bind_i64(st, k + 3, f->cn_cursor) < 0 ||
		    cm_stmt_bind_str(st, k + 4, f->after_cn) < 0 ||
		    cm_stmt_bind_str(st, k + 5, f->after_cn) < 0 ||
		    cm_stmt_bind_i64(st, k + 6, f->after_id_v) < 0;
	else if (!r)
		r = cm_stmt_bind_i64(st, k, c->user.customer_id) < 0 ||
		    cm_stmt_bind_str(st, k + 1, f->name_like) < 0 ||
		    cm_stmt_bind_i64(st, k + 2, f->after_id_v ? 1 : 0) < 0 ||
		    cm_stmt_bind_str(st, k + 3, f->after_name) < 0 ||
		    cm_stmt_bind_str(st, k + 4, f->after_name) < 0 ||
		    cm_stmt_bind_i64(st, k + 5, f->after_id_v) < 0 ||
		    cm_stmt_bind_str(st, k + 6, f->name_like) < 0;
	if (r || cm_stmt_execute(st) < 0) {
		cm_err("certificate list: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

/* The page links' cursor: what the last row shown says for f's order. */
static void
set_cursor(struct admin_ctx *c, struct cm_stmt *st, const struct list_filter *f)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
	cm_render_set(c->r, "List.next", id);
	if (f->order == BY_EXPIRY)
		cm_render_set(c->r, "List.next_na", cm_stmt_str(st, 5, NULL));
	else if (f->order == BY_CN && cm_stmt_is_null(st, 2))
		cm_render_set(c->r, "List.next_nocn", "1");
	else if (f->order == BY_CN)
		cm_render_set(c->r, "List.next_cn", cm_stmt_str(st, 2, NULL));
	else if (f->order == BY_NAME)
		cm_render_set(c->r, "List.next_name", cm_stmt_str(st, 8, NULL));
}

void
admin_cert_list(struct admin_ctx *c)
{
	struct list_filter f;
	struct cm_stmt *st;
	char id[32];
	size_t n = 0;

	read_filter(c, &f);
	if (fill_orgs(c, &f) < 0 || fill_depts(c, &f) < 0 || fill_issuers(c, &f) < 0) {
		admin_error(c, 500, "Internal error", "The filter lists could not be read; this has been logged.");
		return;
	}
	if (f.errors) {
		cm_render_set_int(c->r, "List.count", 0);
		c->resp->status = 400;
		admin_page(c, "Certificates", "admin/cert_list.cs");
		return;
	}
	if ((st = list_stmt(c, &f)) == NULL) {
		admin_error(c, 500, "Internal error", "The certificate list could not be read; this has been logged.");
		return;
	}
	/* The 51st row only says that there is a next page; the cursor is
	 * the 50th's, taken while it is the current row. */
	while (cm_stmt_fetch(st) == 1) {
		if (n == PAGE_SIZE) {
			cm_render_set(c->r, "List.more", "1");
			break;
		}
		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Certs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Certs.%zu.serial", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Certs.%zu.cn", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Certs.%zu.type", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Certs.%zu.status", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Certs.%zu.not_after", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Certs.%zu.profile", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Certs.%zu.email", n);
		if (f.order == BY_NAME) {
			cm_render_setf(c->r, cm_stmt_str(st, 8, NULL), "Certs.%zu.name", n);
			cm_render_setf(c->r, cm_stmt_str(st, 9, NULL), "Certs.%zu.kind", n);
		}
		n++;
		if (n == PAGE_SIZE)
			set_cursor(c, st, &f);
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (f.before_id || f.after_id_v)
		cm_render_set(c->r, "List.paged", "1");
	admin_page(c, "Certificates", "admin/cert_list.cs");
}
