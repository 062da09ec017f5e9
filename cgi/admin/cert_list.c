/* cert_list.c: GET /admin/certificates — the customer's certificates, newest first, 50 a page (keyset). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin_ctx.h"
#include "log.h"
#include "policy.h"

#define PAGE_SIZE 50

void
admin_cert_list(struct admin_ctx *c)
{
	const char *b = cm_req_query(c->req, "before");
	int64_t before = INT64_MAX, last = 0;
	struct cm_stmt *st;
	char id[32];
	size_t n = 0;
	int more = 0;

	if (b && b[0]) {
		char *end;
		long long v = strtoll(b, &end, 10);

		if (*end || v <= 0) {
			admin_error(c, 400, "Bad page link", "The \"before\" parameter must be a certificate id.");
			return;
		}
		before = v;
		cm_render_set(c->r, "List.before", b);
	}
	/* The policy's list form (policy.h): an RAO sees its organisations'
	 * certificates, a DRAO its departments' (not the organisation-level
	 * ones), both only of their certificate types; the same rule as
	 * admin_may_see_cert() for one certificate. */
	st = cm_db_prepare(c->db,
	    "SELECT c.id, c.serial_hex, c.common_name, c.cert_type, c.status, c.not_after, c.profile"
	    " FROM certificates c WHERE c.customer_id = ? AND c.id < ?"
	    " AND (? = 1 OR EXISTS (SELECT 1 FROM admin_scopes s"
	    " JOIN organizations so ON so.id = s.org_id AND so.deleted_at IS NULL"
	    " WHERE s.admin_id = ? AND s.org_id = c.org_id"
	    " AND (s.dept_id IS NULL OR s.dept_id = c.dept_id)))"
	    " AND (? = 1 OR FIND_IN_SET(c.cert_type, ?) > 0)"
	    " ORDER BY c.id DESC LIMIT 51");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 ||
	    cm_stmt_bind_i64(st, 1, before) < 0 || admin_bind_scope(st, 2, &c->user) < 0 ||
	    cm_stmt_bind_i64(st, 4, c->user.role == ROLE_MRAO ? 1 : 0) < 0 ||
	    cm_stmt_bind_str(st, 5, c->user.cert_types) < 0 || cm_stmt_execute(st) < 0) {
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
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_setf(c->r, id, "Certs.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Certs.%zu.serial", n);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Certs.%zu.cn", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Certs.%zu.type", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Certs.%zu.status", n);
		cm_render_setf(c->r, cm_stmt_str(st, 5, NULL), "Certs.%zu.not_after", n);
		cm_render_setf(c->r, cm_stmt_str(st, 6, NULL), "Certs.%zu.profile", n);
		n++;
	}
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	if (more) {
		snprintf(id, sizeof(id), "%lld", (long long)last);
		cm_render_set(c->r, "List.next", id);
	}
	admin_page(c, "Certificates", "admin/cert_list.cs");
}
