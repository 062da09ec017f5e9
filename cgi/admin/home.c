/* home.c: GET /admin/ — greeting and the certificate counts by status that the administrator may see (from cert_counts, kept by triggers). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "log.h"
#include "policy.h"

void
admin_home(struct admin_ctx *c)
{
	static const char *const statuses[] = {
		"requested", "approved", "issued", "declined", "revoked", "expired", NULL
	};
	struct cm_stmt *st;
	long total = 0;

	for (size_t i = 0; statuses[i]; i++)
		cm_render_setf(c->r, "0", "Counts.%s", statuses[i]);
	/* The same scope as the certificate list and the dashboard: an RAO or
	 * DRAO counts only what it may see. */
	st = cm_db_prepare(c->db,
	    "SELECT c.status, CAST(SUM(c.n) AS SIGNED) FROM cert_counts c WHERE c.customer_id = ?"
	    ADMIN_CERT_SCOPE_SQL
	    " GROUP BY c.status");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    admin_bind_cert_scope(st, 1, &c->user) < 0 || cm_stmt_execute(st) < 0) {
		cm_err("home counts: %s", cm_db_error(c->db));
		if (st)
			cm_stmt_close(st);
		admin_error(c, 500, "Internal error", "The certificate counts could not be read; this has been logged.");
		return;
	}
	while (cm_stmt_fetch(st) == 1) {
		const char *status = cm_stmt_str(st, 0, NULL);
		long n = (long)cm_stmt_i64(st, 1);

		for (size_t i = 0; status && statuses[i]; i++)
			if (strcmp(status, statuses[i]) == 0) {
				char num[32];

				snprintf(num, sizeof(num), "%ld", n);
				cm_render_setf(c->r, num, "Counts.%s", statuses[i]);
			}
		total += n;
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "Counts.total", total);
	if (admin_recovery_alarm_set(c) < 0) {
		admin_error(c, 500, "Internal error", "The certificate counts could not be read; this has been logged.");
		return;
	}
	cm_render_set(c->r, "Counts.scope", admin_sees_whole_customer(&c->user) ?
	    "All certificates of the customer" :
	    "The certificates of your organisations or departments and certificate types");
	admin_page(c, "Home", "admin/home.cs");
}
