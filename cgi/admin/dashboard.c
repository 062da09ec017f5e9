/* dashboard.c: GET /admin/dashboard — certificate counts by type and status, expiries, and issuance per day as an SVG chart. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_ctx.h"
#include "log.h"
#include "policy.h"

#define CHART_DAYS 90
#define CHART_HEIGHT 120      /* px of the tallest bar */
#define CHART_STEP 6          /* px per day: a 5 px bar and a 1 px gap */

static const char *const statuses[] = {
	"requested", "approved", "issued", "declined", "revoked", "expired", NULL
};

/* Index of s in list, or -1. */
static int
index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* Binds the parameters every dashboard query part ends with (customer, then
 * ADMIN_CERT_SCOPE_SQL's), from idx. 0 or -1. */
static int
bind_scope(struct admin_ctx *c, struct cm_stmt *st, unsigned idx)
{
	if (cm_stmt_bind_i64(st, idx, c->user.customer_id) < 0 ||
	    admin_bind_cert_scope(st, idx + 1, &c->user) < 0)
		return -1;
	return 0;
}

/* Counts by type x status into Counts.TYPE.STATUS (+ totals). 0 or -1. */
static int
load_counts(struct admin_ctx *c)
{
	long n[CM_CERT_TYPES_N + 1][7] = { { 0 } };   /* the last type row is "all" */
	struct cm_stmt *st;
	int f;

	/* The same scope as the certificate list (cert_list.c), read from the
	 * counters (schema/010_cert_counts.sql): org_id/dept_id 0 there stand
	 * for NULL and, like NULL, match no admin_scopes row. */
	st = cm_db_prepare(c->db,
	    "SELECT c.cert_type, c.status, CAST(SUM(c.n) AS SIGNED) FROM cert_counts c WHERE c.customer_id = ?"
	    ADMIN_CERT_SCOPE_SQL
	    " GROUP BY c.cert_type, c.status");
	if (st == NULL || bind_scope(c, st, 0) < 0 || cm_stmt_execute(st) < 0)
		goto fail;
	while ((f = cm_stmt_fetch(st)) == 1) {
		const struct cm_cert_type *ct = cm_cert_type_find(cm_stmt_str(st, 0, NULL));
		int t = ct ? (int)(ct - cm_cert_types) : -1;
		int s = index_of(statuses, cm_stmt_str(st, 1, NULL));
		long v = (long)cm_stmt_i64(st, 2);

		if (t < 0 || s < 0)
			continue;
		n[t][s] += v;
		n[t][6] += v;
		n[CM_CERT_TYPES_N][s] += v;
		n[CM_CERT_TYPES_N][6] += v;
	}
	if (f < 0)
		goto fail;
	cm_stmt_close(st);
	for (int t = 0; t <= CM_CERT_TYPES_N; t++) {
		const char *tn = t < CM_CERT_TYPES_N ? cm_cert_types[t].name : "all";

		for (int s = 0; s < 7; s++) {
			char num[32];

			snprintf(num, sizeof(num), "%ld", n[t][s]);
			cm_render_setf(c->r, num, "Counts.%s.%s", tn, s < 6 ? statuses[s] : "total");
		}
	}
	return 0;
fail:
	cm_err("dashboard counts: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* Issued certificates that expire within 30/60/90 days into Expiring.dNN. 0 or -1.
 * Exactly not_after >= now AND not_after < now + N days: the whole days in
 * between come from cert_expiry_daily (schema/011_cert_daily.sql); today and
 * the last day of each window, which are partial, are read from certificates
 * through certificates_customer_status_expiry. One statement, so that every
 * UTC_TIMESTAMP() in it is the same instant. */
static int
load_expiring(struct admin_ctx *c)
{
	struct cm_stmt *st;
	long d30 = 0, d60 = 0, d90 = 0;

	st = cm_db_prepare(c->db,
	    "SELECT CAST(COALESCE(SUM(IF(u.w = 30, u.n, 0)), 0) AS SIGNED),"
	    " CAST(COALESCE(SUM(IF(u.w <= 60, u.n, 0)), 0) AS SIGNED), CAST(COALESCE(SUM(u.n), 0) AS SIGNED)"
	    " FROM (SELECT c.n AS n, CASE WHEN c.day < DATE(UTC_TIMESTAMP() + INTERVAL 30 DAY) THEN 30"
	    " WHEN c.day < DATE(UTC_TIMESTAMP() + INTERVAL 60 DAY) THEN 60 ELSE 90 END AS w"
	    " FROM cert_expiry_daily c WHERE c.customer_id = ? AND c.status = 'issued'"
	    " AND c.day > UTC_DATE() AND c.day < DATE(UTC_TIMESTAMP() + INTERVAL 90 DAY)"
	    " AND c.day <> DATE(UTC_TIMESTAMP() + INTERVAL 30 DAY) AND c.day <> DATE(UTC_TIMESTAMP() + INTERVAL 60 DAY)"
	    ADMIN_CERT_SCOPE_SQL
	    " UNION ALL"
	    " SELECT 1, CASE WHEN c.not_after < UTC_TIMESTAMP() + INTERVAL 30 DAY THEN 30"
	    " WHEN c.not_after < UTC_TIMESTAMP() + INTERVAL 60 DAY THEN 60 ELSE 90 END"
	    " FROM certificates c WHERE c.customer_id = ? AND c.status = 'issued'"
	    " AND c.not_after >= UTC_TIMESTAMP() AND c.not_after < UTC_TIMESTAMP() + INTERVAL 90 DAY"
	    " AND (c.not_after < UTC_DATE() + INTERVAL 1 DAY"
	    " OR c.not_after >= DATE(UTC_TIMESTAMP() + INTERVAL 30 DAY) AND c.not_after < DATE(UTC_TIMESTAMP() + INTERVAL 30 DAY) + INTERVAL 1 DAY"
	    " OR c.not_after >= DATE(UTC_TIMESTAMP() + INTERVAL 60 DAY) AND c.not_after < DATE(UTC_TIMESTAMP() + INTERVAL 60 DAY) + INTERVAL 1 DAY"
	    " OR c.not_after >= DATE(UTC_TIMESTAMP() + INTERVAL 90 DAY))"
	    ADMIN_CERT_SCOPE_SQL
	    ") u");
	if (st == NULL || bind_scope(c, st, 0) < 0 || bind_scope(c, st, 1 + ADMIN_CERT_SCOPE_NPARAMS) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("dashboard expiries: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	if (cm_stmt_fetch(st) == 1) {
		d30 = (long)cm_stmt_i64(st, 0);
		d60 = (long)cm_stmt_i64(st, 1);
		d90 = (long)cm_stmt_i64(st, 2);
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "Expiring.d30", d30);
	cm_render_set_int(c->r, "Expiring.d60", d60);
	cm_render_set_int(c->r, "Expiring.d90", d90);
	return 0;
}

/* Certificates issued per UTC day over the last CHART_DAYS days, as bars
 * Chart.bars.N.{x,y,h,date,count} with every coordinate computed here, read
 * from cert_issued_daily (schema/011_cert_daily.sql). 0 or -1. */
static int
load_chart(struct admin_ctx *c)
{
	char dates[CHART_DAYS][11];
	long counts[CHART_DAYS] = { 0 }, max = 0, total = 0;
	time_t now = time(NULL);
	struct cm_stmt *st;

	for (int i = 0; i < CHART_DAYS; i++) {
		time_t t = now - (time_t)(CHART_DAYS - 1 - i) * 86400;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(dates[i], sizeof(dates[i]), "%Y-%m-%d", &tm);
	}
	st = cm_db_prepare(c->db,
	    "SELECT CAST(c.day AS CHAR) AS d, CAST(SUM(c.n) AS SIGNED) FROM cert_issued_daily c"
	    " WHERE c.customer_id = ? AND c.day >= UTC_DATE() - INTERVAL 89 DAY"
	    ADMIN_CERT_SCOPE_SQL
	    " GROUP BY d");
	if (st == NULL || bind_scope(c, st, 0) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("dashboard chart: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		return -1;
	}
	while (cm_stmt_fetch(st) == 1) {
		const char *d = cm_stmt_str(st, 0, NULL);

		for (int i = 0; d && i < CHART_DAYS; i++)
			if (strcmp(dates[i], d) == 0)
				counts[i] += (long)cm_stmt_i64(st, 1);
	}
	cm_stmt_close(st);
	for (int i = 0; i < CHART_DAYS; i++) {
		if (counts[i] > max)
			max = counts[i];
		total += counts[i];
	}
	for (int i = 0; i < CHART_DAYS; i++) {
		/* Rounded up so that a day with one certificate still shows. */
		long h = max ? (counts[i] * CHART_HEIGHT + max - 1) / max : 0;
		char num[32];

		cm_render_setf(c->r, dates[i], "Chart.bars.%d.date", i);
		snprintf(num, sizeof(num), "%ld", counts[i]);
		cm_render_setf(c->r, num, "Chart.bars.%d.count", i);
		snprintf(num, sizeof(num), "%d", i * CHART_STEP);
		cm_render_setf(c->r, num, "Chart.bars.%d.x", i);
		snprintf(num, sizeof(num), "%ld", (long)CHART_HEIGHT - h);
		cm_render_setf(c->r, num, "Chart.bars.%d.y", i);
		snprintf(num, sizeof(num), "%ld", h);
		cm_render_setf(c->r, num, "Chart.bars.%d.h", i);
	}
	cm_render_set_int(c->r, "Chart.width", CHART_DAYS * CHART_STEP);
	cm_render_set_int(c->r, "Chart.height", CHART_HEIGHT);
	cm_render_set_int(c->r, "Chart.bar_width", CHART_STEP - 1);
	cm_render_set_int(c->r, "Chart.max", max);
	cm_render_set_int(c->r, "Chart.total", total);
	cm_render_set(c->r, "Chart.first", dates[0]);
	cm_render_set(c->r, "Chart.last", dates[CHART_DAYS - 1]);
	return 0;
}

void
admin_dashboard(struct admin_ctx *c)
{
	if (load_counts(c) < 0 || load_expiring(c) < 0 || load_chart(c) < 0 || admin_recovery_alarm_set(c) < 0) {
		admin_error(c, 500, "Internal error", "The dashboard could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Dashboard.scope", admin_sees_whole_customer(&c->user) ?
	    "all certificates of the customer" :
	    "the certificates of your organisations or departments and certificate types");
	admin_page(c, "Dashboard", "admin/dashboard.cs");
}
