/* ad_server_list.c: GET /admin/ad-servers — the customer's Active Directory servers and how many organisations use each (MRAO). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ad_server_model.h"
#include "log.h"

/* A customer has a handful of directories; the page says so if there are more. */
#define MAX_SERVERS 500

void
admin_ad_server_list(struct admin_ctx *c)
{
	struct cm_stmt *st = NULL;
	char num[32], realm[254];
	size_t n = 0;
	int f = 0;

	if (!ad_server_may_manage(c))
		return;
	st = cm_db_prepare(c->db,
	    "SELECT s.id, s.name, s.domain, s.ldap_uris, s.base_dn, s.starttls,"
	    " (SELECT COUNT(*) FROM organizations o WHERE o.ad_server_id = s.id"
	    " AND o.customer_id = s.customer_id AND o.deleted_at IS NULL)"
	    " FROM ad_servers s WHERE s.customer_id = ? AND s.deleted_at IS NULL"
	    " ORDER BY s.name, s.id LIMIT 501");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *domain = cm_stmt_str(st, 2, NULL);
		size_t i = 0;

		if (n == MAX_SERVERS) {
			cm_render_set(c->r, "List.more", "1");
			break;
		}
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, num, "Servers.%zu.id", n);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Servers.%zu.name", n);
		cm_render_setf(c->r, domain, "Servers.%zu.domain", n);
		for (; domain && domain[i] && i + 1 < sizeof(realm); i++)
			realm[i] = (char)toupper((unsigned char)domain[i]);
		realm[i] = '\0';
		cm_render_setf(c->r, realm, "Servers.%zu.realm", n);
		cm_render_setf(c->r, cm_stmt_str(st, 3, NULL), "Servers.%zu.ldap_uris", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Servers.%zu.base_dn", n);
		cm_render_setf(c->r, cm_stmt_i64(st, 5) ? "required" : "no", "Servers.%zu.starttls", n);
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 6));
		cm_render_setf(c->r, num, "Servers.%zu.orgs", n);
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	admin_page(c, "Active Directory servers", "admin/ad_server_list.cs");
	return;
dberr:
	cm_err("AD server list: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The AD server list could not be read; this has been logged.");
}
