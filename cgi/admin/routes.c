/* routes.c: admin.fcgi's one route table: method, path, handler, CSRF, minimum role, body. */
#include "config.h"

#include "admin_ctx.h"
#include "scep_model.h"

/* A GET page reads no body; every POST is a form (url-encoded or multipart,
 * up to [web] max_body) that must carry the session's CSRF token. */
#define GET(pattern, handler, role) \
	{ "GET", pattern, CM_HANDLER(handler), 0, role, CM_BODY_NO }
#define POST(pattern, handler, role) \
	{ "POST", pattern, CM_HANDLER(handler), CM_ROUTE_CSRF, role, CM_BODY_FORM_DEFAULT }

/* Every handler here is an admin_handler: admin_web_call converts it back. */
const struct cm_route admin_routes[] = {
	GET("/admin",                                           admin_home,                      ROLE_DRAO),
	GET("/admin/certificates",                              admin_cert_list,                 ROLE_DRAO),
	GET("/admin/certificates/new",                          admin_csr_form,                  ROLE_DRAO),
	POST("/admin/certificates/new",                         admin_csr_issue,                 ROLE_DRAO),
	POST("/admin/certificates/preview",                     admin_csr_preview,               ROLE_DRAO),
	GET("/admin/certificates/#",                            admin_cert_view,                 ROLE_DRAO),
	GET("/admin/certificates/#/download",                   admin_cert_download,             ROLE_DRAO),
	POST("/admin/certificates/#/approve",                   admin_cert_approve,              ROLE_DRAO),
	POST("/admin/certificates/#/decline",                   admin_cert_decline,              ROLE_DRAO),
	GET("/admin/certificates/#/revoke",                         admin_cert_revoke_confirm,       ROLE_DRAO),
	POST("/admin/certificates/#/revoke",                    admin_cert_revoke,               ROLE_DRAO),
	POST("/admin/certificates/recovered/acknowledge",       admin_recovery_ack,              ROLE_MRAO),
	GET("/admin/organizations",                             admin_org_list,                  ROLE_DRAO),
	GET("/admin/organizations/new",                         admin_org_new_form,              ROLE_MRAO),
	POST("/admin/organizations/new",                        admin_org_create,                ROLE_MRAO),
	GET("/admin/organizations/#",                           admin_org_view,                  ROLE_DRAO),
	POST("/admin/organizations/#",                          admin_org_save,                  ROLE_DRAO),
	GET("/admin/organizations/#/delete",                        admin_org_delete_confirm,        ROLE_MRAO),
	POST("/admin/organizations/#/delete",                   admin_org_delete,                ROLE_MRAO),
	GET("/admin/organizations/#/access-code",                   admin_org_code_form,             ROLE_RAO),
	POST("/admin/organizations/#/access-code",                   admin_org_code_rotate,           ROLE_RAO),
	GET("/admin/organizations/#/departments/new",           admin_dept_new_form,             ROLE_RAO),
	POST("/admin/organizations/#/departments/new",          admin_dept_create,               ROLE_RAO),
	GET("/admin/departments/#",                             admin_dept_view,                 ROLE_DRAO),
	POST("/admin/departments/#",                            admin_dept_save,                 ROLE_DRAO),
	GET("/admin/departments/#/access-code",                     admin_dept_code_form,            ROLE_RAO),
	POST("/admin/departments/#/access-code",                     admin_dept_code_rotate,          ROLE_RAO),
	GET("/admin/domains",                                   admin_domain_list,               ROLE_DRAO),
	GET("/admin/domains/new",                               admin_domain_new_form,           ROLE_MRAO),
	POST("/admin/domains/new",                              admin_domain_create,             ROLE_MRAO),
	GET("/admin/domains/#",                                 admin_domain_view,               ROLE_DRAO),
	POST("/admin/domains/#/delegate",                       admin_domain_delegate,           ROLE_RAO),
	GET("/admin/domains/#/undelegate",                          admin_domain_undelegate_confirm, ROLE_RAO),
	POST("/admin/domains/#/undelegate",                     admin_domain_undelegate,         ROLE_RAO),
	POST("/admin/domains/#/validate",                       admin_domain_validate,           ROLE_MRAO),
	GET("/admin/domains/#/delete",                              admin_domain_delete_confirm,     ROLE_MRAO),
	POST("/admin/domains/#/delete",                         admin_domain_delete,             ROLE_MRAO),
	GET("/admin/admins",                                    admin_admins_list,               ROLE_DRAO),
	GET("/admin/admins/new",                                admin_admins_new_form,           ROLE_RAO),
	POST("/admin/admins/new",                               admin_admins_create,             ROLE_RAO),
	GET("/admin/admins/export.csv",                         admin_admins_export_csv,         ROLE_DRAO),
	GET("/admin/admins/import",                             admin_admins_import_form,        ROLE_RAO),
	POST("/admin/admins/import",                            admin_admins_import,             ROLE_RAO),
	GET("/admin/admins/#",                                  admin_admins_view,               ROLE_DRAO),
	POST("/admin/admins/#/edit",                            admin_admins_save,               ROLE_RAO),
	GET("/admin/admins/#/delete",                               admin_admins_delete_confirm,     ROLE_RAO),
	POST("/admin/admins/#/delete",                          admin_admins_delete,             ROLE_RAO),
	GET("/admin/admins/#/sessions/end",                         admin_admins_sessions_confirm,   ROLE_MRAO),
	POST("/admin/admins/#/sessions/end",                         admin_admins_sessions_end,       ROLE_MRAO),
	GET("/admin/audit",                                     admin_audit,                     ROLE_DRAO),
	POST("/admin/audit/verify",                             admin_audit_verify,              ROLE_MRAO),
	GET("/admin/dashboard",                                 admin_dashboard,                 ROLE_DRAO),
	GET("/admin/reports/certificates.csv",                  admin_report_certificates_csv,   ROLE_DRAO),
	GET("/admin/persons",                                   admin_persons_list,              ROLE_DRAO),
	GET("/admin/persons/new",                               admin_persons_new_form,          ROLE_DRAO),
	POST("/admin/persons/new",                              admin_persons_create,            ROLE_DRAO),
	GET("/admin/persons/export.csv",                        admin_persons_export_csv,        ROLE_DRAO),
	GET("/admin/persons/import",                            admin_persons_import_form,       ROLE_DRAO),
	POST("/admin/persons/import",                           admin_persons_import,            ROLE_DRAO),
	GET("/admin/persons/#",                                 admin_persons_view,              ROLE_DRAO),
	POST("/admin/persons/#/edit",                           admin_persons_save,              ROLE_DRAO),
	GET("/admin/persons/#/delete",                              admin_persons_delete_confirm,    ROLE_DRAO),
	POST("/admin/persons/#/delete",                         admin_persons_delete,            ROLE_DRAO),
	GET("/admin/ad-servers",                                admin_ad_server_list,            ROLE_MRAO),
	GET("/admin/ad-servers/new",                            admin_ad_server_new_form,        ROLE_MRAO),
	GET("/admin/ad-servers/export.csv",                     admin_ad_server_export_csv,      ROLE_MRAO),
	GET("/admin/ad-servers/import",                         admin_ad_server_import_form,     ROLE_MRAO),
	POST("/admin/ad-servers/import",                        admin_ad_server_import,          ROLE_MRAO),
	POST("/admin/ad-servers/#/verify",                      admin_ad_server_verify,          ROLE_MRAO),
	POST("/admin/ad-servers/new",                           admin_ad_server_create,          ROLE_MRAO),
	GET("/admin/ad-servers/#",                              admin_ad_server_view,            ROLE_MRAO),
	POST("/admin/ad-servers/#",                             admin_ad_server_save,            ROLE_MRAO),
	GET("/admin/ad-servers/#/delete",                           admin_ad_server_delete_confirm,  ROLE_MRAO),
	POST("/admin/ad-servers/#/delete",                      admin_ad_server_delete,          ROLE_MRAO),
	GET("/admin/kerberos-realms",                           admin_realm_list,                ROLE_MRAO),
	GET("/admin/kerberos-realms/new",                       admin_realm_new_form,            ROLE_MRAO),
	POST("/admin/kerberos-realms/new",                      admin_realm_create,              ROLE_MRAO),
	GET("/admin/kerberos-realms/#",                         admin_realm_view,                ROLE_MRAO),
	POST("/admin/kerberos-realms/#",                        admin_realm_save,                ROLE_MRAO),
	GET("/admin/kerberos-realms/#/delete",                  admin_realm_delete_confirm,      ROLE_MRAO),
	POST("/admin/kerberos-realms/#/delete",                 admin_realm_delete,              ROLE_MRAO),
	GET("/admin/autoenroll",                                admin_autoenroll_clients,        ROLE_MRAO),
	GET("/admin/autoenroll/download",                       admin_autoenroll_download,       ROLE_MRAO),
	GET("/admin/settings",                                  admin_customer_settings,         ROLE_MRAO),
	POST("/admin/settings",                                 admin_customer_settings_save,    ROLE_MRAO),
	GET("/admin/outbox",                                    admin_outbox,                    ROLE_MRAO),
	POST("/admin/outbox/#/retry",                           admin_outbox_retry,              ROLE_MRAO),
	GET("/admin/settings/allow-self-approval",              admin_customer_self_approve_confirm, ROLE_MRAO),
	POST("/admin/settings/allow-self-approval",             admin_customer_self_approve_on,  ROLE_MRAO),
	GET("/admin/scep",                                      admin_scep_overview,             ROLE_DRAO),
	GET("/admin/scep/settings",                             admin_scep_settings,             ROLE_MRAO),
	POST("/admin/scep/settings",                            admin_scep_settings_save,        ROLE_MRAO),
	GET("/admin/scep/turn-off",                             admin_scep_off_confirm,          ROLE_MRAO),
	POST("/admin/scep/turn-off",                            admin_scep_off,                  ROLE_MRAO),
	POST("/admin/scep/types/new",                           admin_scep_type_add,             ROLE_MRAO),
	POST("/admin/scep/types/enable",                        admin_scep_type_enable,          ROLE_MRAO),
	GET("/admin/scep/types/disable",                        admin_scep_type_disable_confirm, ROLE_MRAO),
	POST("/admin/scep/types/disable",                       admin_scep_type_disable,         ROLE_MRAO),
	POST("/admin/scep/organizations/#/revoke-superseded",   admin_scep_revoke_superseded,    ROLE_RAO),
	GET("/admin/scep/pending",                              admin_scep_pending,              ROLE_DRAO),
	GET("/admin/scep/mobileconfig",                         admin_scep_mobileconfig_form,    ROLE_RAO),
	POST("/admin/scep/mobileconfig",                        admin_scep_mobileconfig,         ROLE_RAO),
	POST("/admin/logout",                                        admin_logout,                    ROLE_DRAO),
};
#undef GET
#undef POST
const size_t admin_nroutes = sizeof(admin_routes) / sizeof(admin_routes[0]);

/* The access field of a route is its minimum role: "min=ROLE" in --routes. */
const char *
admin_access_name(int access)
{
	static const char *const names[] = { "min=none", "min=drao", "min=rao", "min=mrao" };

	return access >= 0 && (size_t)access < sizeof(names) / sizeof(names[0]) ? names[access] : "min=?";
}
