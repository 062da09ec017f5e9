/* cert_scope.c: whether one certificate lies in an administrator's scope and types, asked of the one policy (policy.c). */
#include "config.h"

#include "admin_ctx.h"
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
