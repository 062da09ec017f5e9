/* ad_server_list.c: GET /admin/ad-servers — the customer's Active Directory servers (default, bind method, TLS, CA count, organisations using each), sortable (MRAO). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ad_server_model.h"
#include "log.h"

/* A customer has a handful of directories; the page says so if there are more. */
#define MAX_SERVERS 500

#define LIST_COLS "SELECT s.id, s.name, s.domain, s.ldap_uris, s.base_dn, s.starttls," \
	" (SELECT COUNT(*) FROM organizations o WHERE o.ad_server_id = s.id" \
	" AND o.customer_id = s.customer_id AND o.deleted_at IS NULL)," \
	" s.is_default, s.bind_method, s.bind_password_enc IS NOT NULL," \
	" (CHAR_LENGTH(COALESCE(s.ca_pem, '')) - CHAR_LENGTH(REPLACE(COALESCE(s.ca_pem, ''), '-----BEGIN CERTIFICATE-----', ''))) DIV 27," \
	" COALESCE(s.users_base_dn, '')" \
	" FROM ad_servers s WHERE s.customer_id = ? AND s.deleted_at IS NULL"

/* The sort orders the column headings link to; one constant statement each. */
static const char *const orders[] = { "name", "domain", "default", "bind" };

static struct cm_stmt *
list_prepare(struct cm_db *db, size_t o)
{
	switch (o) {
	case 1: return cm_db_prepare(db, LIST_COLS " ORDER BY s.domain, s.name, s.id LIMIT 501");
	case 2: return cm_db_prepare(db, LIST_COLS " ORDER BY s.is_default DESC, s.name, s.id LIMIT 501");
	case 3: return cm_db_prepare(db, LIST_COLS " ORDER BY s.bind_method, s.name, s.id LIMIT 501");
	default: return cm_db_prepare(db, LIST_COLS " ORDER BY s.name, s.id LIMIT 501");
	}
}

/* The banners a redirect to the list asks for (?done=...). */
static const char *const banners[][2] = {
	{ "deleted", "AD server deleted." },
};

void
admin_ad_server_list(struct admin_ctx *c)
{
	const char *sort = cm_req_query(c->req, "sort"), *done = cm_req_query(c->req, "done");
	struct cm_stmt *st = NULL;
	char num[32], realm[254];
	size_t n = 0, o = 0;
	long simple = 0, need_pw = 0, no_tls = 0;
	int f = 0;

	if (!ad_server_may_manage(c))
		return;
	if (sort != NULL && sort[0] != '\0') {
		for (o = 0; o < sizeof(orders) / sizeof(orders[0]) && strcmp(orders[o], sort) != 0; o++)
			;
		if (o == sizeof(orders) / sizeof(orders[0])) {
			admin_error(c, 400, "No such order", "Sort by name, domain, default or bind (the column headings' links).");
			return;
		}
	}
	st = list_prepare(c->db, o);
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto dberr;
	while ((f = cm_stmt_fetch(st)) == 1) {
		const char *domain = cm_stmt_str(st, 2, NULL), *uris = cm_stmt_str(st, 3, NULL);
		const char *method = cm_stmt_str(st, 8, NULL), *tls;
		int is_simple = method && strcmp(method, "simple") == 0;
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
		cm_render_setf(c->r, uris, "Servers.%zu.ldap_uris", n);
		cm_render_setf(c->r, cm_stmt_str(st, 4, NULL), "Servers.%zu.base_dn", n);
		cm_render_setf(c->r, cm_stmt_str(st, 11, NULL), "Servers.%zu.users_base_dn", n);
		tls = ad_server_tls_label(uris ? uris : "", cm_stmt_i64(st, 5) != 0);
		/* Kerberos without TLS: the SASL layer signs and seals the session (what AD asks for) */
		if (!is_simple && strcmp(tls, "none") == 0)
			tls = "SASL sealing";
		cm_render_setf(c->r, tls, "Servers.%zu.tls", n);
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 6));
		cm_render_setf(c->r, num, "Servers.%zu.orgs", n);
		if (cm_stmt_i64(st, 7))
			cm_render_setf(c->r, "1", "Servers.%zu.is_default", n);
		cm_render_setf(c->r, is_simple ? "simple" : "gssapi", "Servers.%zu.bind", n);
		if (is_simple && !cm_stmt_i64(st, 9)) {
			cm_render_setf(c->r, "1", "Servers.%zu.password_needed", n);
			need_pw++;
		}
		snprintf(num, sizeof(num), "%lld", (long long)cm_stmt_i64(st, 10));
		cm_render_setf(c->r, num, "Servers.%zu.ca_count", n);
		simple += is_simple;
		no_tls += strcmp(tls, "none") == 0;
		n++;
	}
	if (f < 0)
		goto dberr;
	cm_stmt_close(st);
	cm_render_set_int(c->r, "List.count", (long)n);
	cm_render_set_int(c->r, "List.simple", simple);
	cm_render_set_int(c->r, "List.gssapi", (long)n - simple);
	cm_render_set_int(c->r, "List.password_needed", need_pw);
	cm_render_set_int(c->r, "List.no_tls", no_tls);
	cm_render_set(c->r, "List.sort", orders[o]);
	for (size_t k = 0; done && k < sizeof(banners) / sizeof(banners[0]); k++)
		if (strcmp(done, banners[k][0]) == 0)
			cm_render_set(c->r, "Banner.text", banners[k][1]);
	admin_page(c, "Active Directory servers", "admin/ad_server_list.cs");
	return;
dberr:
	cm_err("AD server list: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	admin_error(c, 500, "Internal error", "The AD server list could not be read; this has been logged.");
}
