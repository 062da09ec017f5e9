/* cert_scope.c: whether one certificate lies in an administrator's scope and types, asked of the one policy (policy.c). */
#include "config.h"

#include "admin_ctx.h"
#include "log.h"
#include "policy.h"

/*
 * A certificate is administered by whoever administers its organisation (or
 * department) for its type. The policy's rule for that is ACTION_EDIT: a
 * DRAO may only *view* the organisation that holds its departments, not act
 * on the organisation's own objects, so an organisation-level certificate
 * stays invisible to a DRAO, exactly as the list's SQL filter has it
 * (cert_list.c). Certificates without an organisation (the CLI's, Apache's)
 * are the MRAO's alone.
 * 1 in scope, 0 not, -1 database error (logged by admin_may).
 */
int
admin_cert_in_scope(struct admin_ctx *c, int64_t org_id, int64_t dept_id, const char *cert_type)
{
	struct admin_object o = { 0 };

	o.customer_id = c->user.customer_id;
	o.org_id = org_id;
	o.dept_id = dept_id;
	o.cert_type = cert_type;
	return admin_may(c, ACTION_EDIT, &o);
}

/* See admin_ctx.h. */
int
admin_cert_row_visible(struct admin_ctx *c, struct cm_stmt *st, int f, unsigned org_col,
    unsigned dept_col, unsigned type_col, const char *what)
{
	if (f < 0) {
		cm_err("%s %lld: %s", what, (long long)c->id, cm_db_error(c->db));
		admin_error(c, 500, "Internal error", "The certificate could not be read; this has been logged.");
		return 0;
	}
	if (f == 1) {
		f = admin_cert_in_scope(c, cm_stmt_is_null(st, org_col) ? 0 : cm_stmt_i64(st, org_col),
		    cm_stmt_is_null(st, dept_col) ? 0 : cm_stmt_i64(st, dept_col),
		    cm_stmt_str(st, type_col, NULL));
		if (f < 0) {
			admin_error(c, 500, "Internal error", "Your access could not be checked; this has been logged.");
			return 0;
		}
	}
	if (f == 0) {
		/* Another customer's certificate, or one outside the administrator's
		 * organisations, departments or types, looks exactly like a missing one. */
		admin_error(c, 404, "Not found", "There is no such certificate.");
		return 0;
	}
	return 1;
}
