/* domain_model.c: domain name rules, loading, audit JSON, scope checks (asked of policy.c) and the detail page. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain_model.h"
#include "log.h"
#include "policy.h"
#include "units.h"


#define MAX_DELEGATIONS 500
#define MAX_TARGETS 1000
/* One of the customer's live domains by id; domain_load adds the lock. */
#define DOMAIN_ROW_SQL "SELECT id, customer_id, name, validation_state, validation_method," \
	" CAST(validated_at AS CHAR), CAST(created_at AS CHAR) FROM domains" \
	" WHERE id = ? AND customer_id = ? AND deleted_at IS NULL"

/* NULL when label (n bytes, lower case) is a valid LDH label, else why not. */
static const char *
label_problem(const char *l, size_t n)
{
	if (n == 0)
		return "A name cannot have an empty label (two dots in a row, or a leading dot).";
	if (n > 63)
		return "Each label (the part between dots) must be at most 63 characters.";
	if (l[0] == '-' || l[n - 1] == '-')
		return "A label cannot begin or end with a hyphen.";
	/* IDNA 2008: "??--" is reserved; only "xn--" (an A-label) is allowed. */
	if (n >= 4 && l[2] == '-' && l[3] == '-' && (strncmp(l, "xn--", 4) != 0 || n == 4))
		return "Labels with \"--\" in the third and fourth place must be IDNA A-labels (xn--...).";
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)l[i]) || isdigit((unsigned char)l[i]) || l[i] == '-'))
			return "Use only letters, digits and hyphens (and a leading \"*.\" for a wildcard).";
	return NULL;
}

/* NULL when acceptable (out holds the normal form), else a message; see domain_model.h. */
const char *
domain_name_normalise(const char *in, char *out, size_t outlen)
{
	size_t n, start = 0, labels = 0;
	const char *p, *last = NULL;
	int digits_only = 1;

	if (outlen < DOMAIN_NAME_MAX + 1)
		return "Internal error.";
	out[0] = '\0';
	while (*in == ' ' || *in == '\t')
		in++;
	n = strnlen(in, DOMAIN_NAME_MAX + 8);
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n == 0)
		return "Enter a domain name, such as example.com or *.example.com.";
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n > DOMAIN_NAME_MAX)
		return "A domain name is at most 253 characters long.";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch >= 0x80)
			return "Enter an internationalised name in its ASCII form (xn--..., as IDNA gives it).";
		if (ch < 0x20 || ch == 0x7f)
			return "A domain name cannot contain control characters.";
		out[i] = (char)tolower(ch);
	}
	out[n] = '\0';
	if (out[0] == '*') {
		if (out[1] != '.')
			return "A wildcard is only allowed as the whole first label: *.example.com.";
		start = 2;
	}
	if (strchr(out + start, '*'))
		return "A wildcard is only allowed as the whole first label: *.example.com.";
	for (p = out + start; ; ) {
		const char *e = strchr(p, '.');
		size_t ln = e ? (size_t)(e - p) : strlen(p);
		const char *why = label_problem(p, ln);

		if (why)
			return why;
		labels++;
		last = p;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (labels < 2)
		return "Enter a full domain name with at least two labels, such as example.com.";
	for (p = last; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits_only = 0;
	if (digits_only)
		return "An IP address is not a domain name.";
	return NULL;
}

/* 1 found, 0 not, -1 database error. */
int
domain_load(struct admin_ctx *c, int64_t id, int lock, struct domain_row *d)
{
	struct cm_stmt *st;
	int f;

	memset(d, 0, sizeof(*d));
	st = cm_db_prepare(c->db, lock ? DOMAIN_ROW_SQL " FOR UPDATE" : DOMAIN_ROW_SQL);
	if (st == NULL || cm_stmt_bind_i64(st, 0, id) < 0 ||
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (f == 1) {
		d->id = cm_stmt_i64(st, 0);
		d->customer_id = cm_stmt_i64(st, 1);
		cm_stmt_copy_str(st, 2, d->name, sizeof(d->name));
		cm_stmt_copy_str(st, 3, d->state, sizeof(d->state));
		cm_stmt_copy_str(st, 4, d->method, sizeof(d->method));
		cm_stmt_copy_str(st, 5, d->validated_at, sizeof(d->validated_at));
		cm_stmt_copy_str(st, 6, d->created_at, sizeof(d->created_at));
	}
	cm_stmt_close(st);
	return f;
}

/* 0 or -1. */
int
domain_json(const struct domain_row *d, struct cm_buf *b)
{
	if (cm_buf_puts(b, "{\"name\":") < 0 || cm_buf_json_str(b, d->name) < 0 ||
	    cm_buf_puts(b, ",\"validation_state\":") < 0 || cm_buf_json_str(b, d->state) < 0 ||
	    cm_buf_puts(b, ",\"validation_method\":") < 0 ||
	    (d->method[0] ? cm_buf_json_str(b, d->method) : cm_buf_puts(b, "null")) < 0 ||
	    cm_buf_puts(b, ",\"validated_at\":") < 0 ||
	    (d->validated_at[0] ? cm_buf_json_str(b, d->validated_at) : cm_buf_puts(b, "null")) < 0)
		return -1;
	return cm_buf_putc(b, '}');
}

/* 0 or -1. */
int
domain_audit(struct admin_ctx *c, const char *action, int64_t id, const char *before, const char *after)
{
	return admin_audit_object(c, "domain", action, id, before, after);
}

/* The domain's delegations to live organisations; NULL on error. */
static struct cm_stmt *
delegations(struct admin_ctx *c, int64_t domain_id)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT dd.id, dd.org_id, dd.dept_id, dd.cert_type, dd.state, o.name, dp.name,"
	    " CAST(dd.created_at AS CHAR)"
	    " FROM domain_delegations dd JOIN organizations o ON o.id = dd.org_id"
	    " AND o.customer_id = ? AND o.deleted_at IS NULL"
	    " LEFT JOIN departments dp ON dp.id = dd.dept_id"
	    " WHERE dd.domain_id = ? AND (dd.dept_id IS NULL OR dp.deleted_at IS NULL)"
	    " ORDER BY o.name, o.id, dp.name, dd.dept_key, dd.cert_type LIMIT 500");

	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, domain_id) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return NULL;
	}
	return st;
}

/* 1 / 0 / -1; see domain_model.h. */
int
domain_may_view(struct admin_ctx *c, int64_t domain_id)
{
	struct admin_object o = { .customer_id = c->user.customer_id };
	struct cm_stmt *st;
	int r = 0;

	/* Customer-wide: only the MRAO passes with no organisation. */
	if ((r = admin_may(c, ACTION_VIEW, &o)) != 0)
		return r;
	if ((st = delegations(c, domain_id)) == NULL)
		return -1;
	while (r == 0 && cm_stmt_fetch(st) == 1) {
		o.org_id = cm_stmt_i64(st, 1);
		o.dept_id = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
		o.cert_type = cm_stmt_str(st, 3, NULL);
		r = admin_may(c, ACTION_VIEW, &o);
	}
	cm_stmt_close(st);
	return r;
}

/* 1 ready, 0 an error page was sent; see domain_model.h. */
int
domain_load_visible(struct admin_ctx *c, struct domain_row *d)
{
	int found = domain_load(c, c->id, 0, d);
	int v = found == 1 ? domain_may_view(c, d->id) : 0;

	if (found < 0 || v < 0) {
		cm_err("domain %lld: %s", (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The domain could not be read; this has been logged.");
		return 0;
	}
	if (v != 1) {
		/* Out of scope looks the same as absent: nothing is learnt. */
		admin_error(c, 404, "Not found", "There is no such domain among yours.");
		return 0;
	}
	return 1;
}

/* 1 when the domain is delegated (approved) to the whole organisation for type; 0; -1. */
static int
org_holds(struct admin_ctx *c, int64_t domain_id, int64_t org_id, const char *type)
{
	struct cm_stmt *st = cm_db_prepare(c->db,
	    "SELECT 1 FROM domain_delegations WHERE domain_id = ? AND org_id = ? AND dept_id IS NULL"
	    " AND cert_type = ? AND state = 'approved'");
	int f = -1;

	if (st && cm_stmt_bind_i64(st, 0, domain_id) == 0 && cm_stmt_bind_i64(st, 1, org_id) == 0 &&
	    cm_stmt_bind_str(st, 2, type) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (st)
		cm_stmt_close(st);
	return f;
}

/* 1 / 0 / -1; see domain_model.h. */
int
domain_may_delegate(struct admin_ctx *c, int64_t domain_id, int64_t org_id, int64_t dept_id,
    const char *cert_type)
{
	struct admin_object o = { .customer_id = c->user.customer_id, .org_id = org_id,
	    .dept_id = dept_id, .cert_type = cert_type };
	int r = admin_may(c, ACTION_DELEGATE_DOMAIN, &o);

	if (r != 1 || admin_may_widen_delegations(&c->user))
		return r;
	/* A delegated administrator passes on, to its departments, only what
	 * the MRAO gave its organisation: it cannot widen its own rights. */
	if (dept_id == 0)
		return 0;
	return org_holds(c, domain_id, org_id, cert_type);
}

/* Lists the delegations the administrator may see (Delegations.N.*); 0 or -1. */
static int
render_delegations(struct admin_ctx *c, int64_t domain_id)
{
	struct cm_stmt *st = delegations(c, domain_id);
	struct admin_object o = { .customer_id = c->user.customer_id };
	char num[32];
	size_t n = 0;
	int rc = 0;

	if (st == NULL)
		return -1;
	while (n < MAX_DELEGATIONS && cm_stmt_fetch(st) == 1) {
		int64_t dept = cm_stmt_is_null(st, 2) ? 0 : cm_stmt_i64(st, 2);
		const char *type = cm_stmt_str(st, 3, NULL);
		int v, u;

		o.org_id = cm_stmt_i64(st, 1);
		o.dept_id = dept;
		o.cert_type = type;
		if ((v = admin_may(c, ACTION_VIEW, &o)) < 0 ||
		    (u = domain_may_delegate(c, domain_id, o.org_id, dept, type ? type : "")) < 0) {
			rc = -1;
			break;
		}
		if (v == 0)
			continue;
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, num, "Delegations.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Delegations.%zu.org", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Delegations.%zu.dept", n);
		cm_render_setf(c->r, type, "Delegations.%zu.type", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Delegations.%zu.state", n);
		cm_render_setf(c->r, cm_stmt_str(st, 7, NULL), "Delegations.%zu.created", n);
		if (u == 1)
			cm_render_setf(c->r, "1", "Delegations.%zu.can_remove", n);
		n++;
	}
	cm_stmt_close(st);
	return rc;
}

/* The organisations and departments the administrator could delegate to
 * (Targets.N.value "ORG" or "ORG/DEPT" as lib/units.h encodes them,
 * Targets.N.org and .dept); count or -1. */
static long
render_targets(struct admin_ctx *c)
{
	struct cm_stmt *st;
	char val[CM_UNIT_MAX];
	long n = 0;

	if (!admin_may_delegate_domains(&c->user))
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT o.id, o.name, d.id, d.name FROM organizations o"
	    " LEFT JOIN departments d ON d.org_id = o.id AND d.deleted_at IS NULL"
	    " WHERE o.customer_id = ? AND o.deleted_at IS NULL"
	    ADMIN_ORG_HELD_SCOPE_SQL
	    " ORDER BY o.name, o.id, d.name, d.id LIMIT 1000");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_org_held_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	/* One row per department (or one with NULLs): the organisation first. */
	{
		int64_t last_org = 0;

		while (n < MAX_TARGETS && cm_stmt_fetch(st) == 1) {
			int64_t org = cm_stmt_i64(st, 0);

			if (org != last_org) {
				cm_render_setf(c->r, cm_unit_format(val, sizeof(val), org, 0), "Targets.%ld.value", n);
				cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Targets.%ld.org", n);
				n++;
				last_org = org;
			}
			if (!cm_stmt_is_null(st, 2) && n < MAX_TARGETS) {
				cm_unit_format(val, sizeof(val), org, cm_stmt_i64(st, 2));
				cm_render_setf(c->r, val, "Targets.%ld.value", n);
				cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Targets.%ld.org", n);
				cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Targets.%ld.dept", n);
				n++;
			}
		}
	}
	cm_stmt_close(st);
	return n;
}

/* Renders the detail page; errors become a 500 page. */
void
domain_show(struct admin_ctx *c, const struct domain_row *d, int status)
{
	struct admin_object cust = { .customer_id = c->user.customer_id };
	char num[32];
	long nt;
	int e, del;

	snprintf(num, sizeof(num), "%lld", (long long)d->id);
	cm_render_set_list(c->r,
	    "Domain.id", num,
	    "Domain.name", d->name,
	    "Domain.state", d->state,
	    "Domain.method", d->method,
	    "Domain.validated_at", d->validated_at,
	    "Domain.created_at", d->created_at,
	    NULL);
	if (render_delegations(c, d->id) < 0 || (nt = render_targets(c)) < 0 ||
	    (e = admin_may(c, ACTION_EDIT, &cust)) < 0 || (del = admin_may(c, ACTION_DELETE, &cust)) < 0) {
		cm_err("domain %lld page: %s", (long long)d->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The domain could not be read; this has been logged.");
		return;
	}
	if (nt > 0)
		cm_render_set(c->r, "Can.delegate", "1");
	if (e == 1)
		cm_render_set(c->r, "Can.validate", "1");
	if (del == 1)
		cm_render_set(c->r, "Can.delete", "1");
	c->resp->status = status;
	admin_page(c, d->name, "admin/domain_view.cs");
}
