/* admin_ctx.h: admin.fcgi's per-request context, its web-layer hooks and handler list. */
#ifndef CM_ADMIN_CTX_H
#define CM_ADMIN_CTX_H

#include <stdint.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "db.h"
#include "policy.h"
#include "render.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "settings.h"
#include "web.h"

/* Ordered: a route's min_role admits that role and every higher one. */
enum admin_role { ROLE_NONE = 0, ROLE_DRAO, ROLE_RAO, ROLE_MRAO };

/* The administrators row REMOTE_USER mapped to. */
struct admin_user {
	int64_t id;
	int64_t customer_id;
	enum admin_role role;
	char principal[256];
	char name[256];
	char role_name[8];        /* "mrao", "rao", "drao" */
	char cert_types[64];      /* "ssl,client,codesign" */
	char customer_uri[65];
	char customer_name[256];
	int customer_enabled;     /* customers.enabled: 0 refuses every page (routes.c) */
};

/* Built per request by admin_web_open (auth.c) from the web layer's request. */
struct admin_ctx {
	struct cm_web_app *app;   /* settings and the worker's connection (lib/web.h) */
	struct cm_db *db;
	const struct cm_request *req;
	struct cm_response *resp;
	struct cm_render *r;
	struct admin_user user;   /* principal[0] == 0 until mapped */
	struct cm_session session;
	int64_t id;               /* the numeric path segment ('#' in the pattern), else 0 */
	struct admin_scope_cache scopes;  /* the user's scope rows, read once (policy.c) */
};

/* Every handler of admin.fcgi; a route stores it as CM_HANDLER(fn). */
typedef void (*admin_handler)(struct admin_ctx *c);

/* routes.c: the route table; a route's access is its minimum enum admin_role. */
extern const struct cm_route admin_routes[];
extern const size_t admin_nroutes;
/* "min=drao" for --routes. */
const char *admin_access_name(int access);

/* auth.c: the hooks main.c gives the web layer (see lib/web.h for when each
 * runs). open builds a struct admin_ctx in w->ctx (0, or -1 out of memory);
 * authenticate maps REMOTE_USER to an administrator and opens the session;
 * authorize checks the route's minimum role (both 0, or -1 once answered);
 * call runs the route's admin_handler; error renders admin_error. */
int admin_web_open(struct cm_web_request *w);
void admin_web_close(struct cm_web_request *w);
int admin_web_authenticate(struct cm_web_request *w);
int admin_web_authorize(struct cm_web_request *w, const struct cm_route *rt);
void admin_web_call(struct cm_web_request *w, const struct cm_route *rt);
void admin_web_error(struct cm_web_request *w, int status, const char *title, const char *message);

/* page.c: every page goes out through these (shared layout, error pages). */
void admin_page(struct admin_ctx *c, const char *title, const char *template);
void admin_error(struct admin_ctx *c, int status, const char *title, const char *message);

/* object_audit.c: writes the audit row of action on object id (0: none, as
 * for an import's summary) by the logged-in administrator, in the caller's
 * transaction; before/after are JSON or NULL. 0 or -1. */
int admin_audit_object(struct admin_ctx *c, const char *object_type, const char *action, int64_t id,
    const char *before, const char *after);

/* cert_scope.c: whether one certificate row (its organisation, department,
 * type) lies in the administrator's scope and types; 1 yes, 0 no, -1
 * database error. */
int admin_cert_in_scope(struct admin_ctx *c, int64_t org_id, int64_t dept_id,
    const char *cert_type);
/* The one answer for a certificate row a page fetched (f: cm_stmt_fetch's
 * result on st; org_col, dept_col, type_col: its columns): 1 when the page
 * may go on; 0 when an error page went out: 404 for a missing row and, alike,
 * one out of scope; 500 on a database error (logged as "what ID: error"). */
int admin_cert_row_visible(struct admin_ctx *c, struct cm_stmt *st, int f, unsigned org_col,
    unsigned dept_col, unsigned type_col, const char *what);

/* Handlers, one file each. */
void admin_home(struct admin_ctx *c);
void admin_csr_form(struct admin_ctx *c);
void admin_csr_preview(struct admin_ctx *c);
void admin_csr_issue(struct admin_ctx *c);
void admin_cert_list(struct admin_ctx *c);
void admin_cert_view(struct admin_ctx *c);
/* The cookie that carries the banner of a certificate page after a POST
 * (csr_new.c sets it, cert_view.c shows and spends it). */
#define ADMIN_NOTICE_COOKIE "cm_notice"
/* cert_view.c: the detail page with a given HTTP status (actions re-show it with errors). */
void admin_cert_view_page(struct admin_ctx *c, int status);
/* cert_actions.c: lifecycle transitions (approve, decline, revoke) through lib/cert_lifecycle.h. */
void admin_cert_approve(struct admin_ctx *c);
void admin_cert_decline(struct admin_ctx *c);
void admin_cert_revoke(struct admin_ctx *c);
void admin_cert_revoke_confirm(struct admin_ctx *c);
void admin_cert_download(struct admin_ctx *c);
/* Organisations and departments (org_list.c, org_edit.c, org_delete.c, dept_edit.c). */
void admin_org_list(struct admin_ctx *c);
void admin_org_new_form(struct admin_ctx *c);
void admin_org_create(struct admin_ctx *c);
void admin_org_view(struct admin_ctx *c);
void admin_org_save(struct admin_ctx *c);
void admin_org_delete(struct admin_ctx *c);
void admin_org_delete_confirm(struct admin_ctx *c);
void admin_dept_new_form(struct admin_ctx *c);
void admin_dept_create(struct admin_ctx *c);
void admin_dept_view(struct admin_ctx *c);
void admin_dept_save(struct admin_ctx *c);
/* org_access_page.c: set or rotate an access code (confirmation, POST, shown once). */
void admin_org_code_form(struct admin_ctx *c);
void admin_org_code_rotate(struct admin_ctx *c);
void admin_dept_code_form(struct admin_ctx *c);
void admin_dept_code_rotate(struct admin_ctx *c);
/* Domains and their delegation (domain_list.c, domain_edit.c, domain_delegate.c). */
void admin_domain_list(struct admin_ctx *c);
void admin_domain_new_form(struct admin_ctx *c);
void admin_domain_create(struct admin_ctx *c);
void admin_domain_view(struct admin_ctx *c);
void admin_domain_validate(struct admin_ctx *c);
void admin_domain_delete(struct admin_ctx *c);
void admin_domain_delete_confirm(struct admin_ctx *c);
void admin_domain_delegate(struct admin_ctx *c);
void admin_domain_undelegate(struct admin_ctx *c);
void admin_domain_undelegate_confirm(struct admin_ctx *c);
/* Administrators (admins_list.c, admins_edit.c). */
void admin_admins_list(struct admin_ctx *c);
void admin_admins_new_form(struct admin_ctx *c);
void admin_admins_create(struct admin_ctx *c);
void admin_admins_view(struct admin_ctx *c);
void admin_admins_save(struct admin_ctx *c);
void admin_admins_delete(struct admin_ctx *c);
void admin_admins_delete_confirm(struct admin_ctx *c);
/* admins_edit.c: an MRAO ends another administrator's sessions (confirmation, then POST). */
void admin_admins_sessions_confirm(struct admin_ctx *c);
void admin_admins_sessions_end(struct admin_ctx *c);
/* admins_csv.c (export), admins_import.c */
void admin_admins_export_csv(struct admin_ctx *c);
void admin_admins_import_form(struct admin_ctx *c);
void admin_admins_import(struct admin_ctx *c);
/* Audit log, dashboard and reports (audit_page.c, dashboard.c, report_csv.c). */
void admin_audit(struct admin_ctx *c);
void admin_audit_verify(struct admin_ctx *c);
void admin_dashboard(struct admin_ctx *c);
void admin_report_certificates_csv(struct admin_ctx *c);
/* recovery_alarm.c: the alarm for certificates recovered from the signer's
 * journal (home page, dashboard; 0, or -1 on a database error, logged) and
 * its acknowledgement. */
int admin_recovery_alarm_set(struct admin_ctx *c);
void admin_recovery_ack(struct admin_ctx *c);
/* Persons (persons_list.c, persons_edit.c, persons_csv.c: export). */
void admin_persons_list(struct admin_ctx *c);
void admin_persons_new_form(struct admin_ctx *c);
void admin_persons_create(struct admin_ctx *c);
void admin_persons_view(struct admin_ctx *c);
void admin_persons_save(struct admin_ctx *c);
void admin_persons_delete(struct admin_ctx *c);
void admin_persons_delete_confirm(struct admin_ctx *c);
void admin_persons_export_csv(struct admin_ctx *c);
/* persons_import.c */
void admin_persons_import_form(struct admin_ctx *c);
void admin_persons_import(struct admin_ctx *c);
/* Active Directory servers (ad_server_list.c, ad_server_edit.c). */
void admin_ad_server_list(struct admin_ctx *c);
void admin_ad_server_new_form(struct admin_ctx *c);
void admin_ad_server_create(struct admin_ctx *c);
void admin_ad_server_view(struct admin_ctx *c);
void admin_ad_server_save(struct admin_ctx *c);
void admin_ad_server_delete(struct admin_ctx *c);
void admin_ad_server_delete_confirm(struct admin_ctx *c);
/* ad_server_csv.c, ad_server_verify.c */
void admin_ad_server_export_csv(struct admin_ctx *c);
void admin_ad_server_import_form(struct admin_ctx *c);
void admin_ad_server_import(struct admin_ctx *c);
void admin_ad_server_verify(struct admin_ctx *c);
/* Kerberos realms (realm_pages.c) and the auto-enrollment client downloads
 * (autoenroll_clients.c), issue 11. */
void admin_realm_list(struct admin_ctx *c);
void admin_realm_new_form(struct admin_ctx *c);
void admin_realm_create(struct admin_ctx *c);
void admin_realm_view(struct admin_ctx *c);
void admin_realm_save(struct admin_ctx *c);
void admin_realm_delete_confirm(struct admin_ctx *c);
void admin_realm_delete(struct admin_ctx *c);
void admin_autoenroll_clients(struct admin_ctx *c);
void admin_autoenroll_download(struct admin_ctx *c);
/* customer_settings.c: the MRAO's Customer settings page (approval.self_approve);
 * turning self-approval on goes through its confirmation page. */
void admin_customer_settings(struct admin_ctx *c);
void admin_customer_settings_save(struct admin_ctx *c);
/* The notification outbox (outbox_page.c, issue 9). */
void admin_outbox(struct admin_ctx *c);
void admin_outbox_retry(struct admin_ctx *c);
void admin_customer_self_approve_confirm(struct admin_ctx *c);
void admin_customer_self_approve_on(struct admin_ctx *c);
/* logout.c: Sign out (POST): ends the session, clears the cookies, the signed-out page. */
void admin_logout(struct admin_ctx *c);

#endif
