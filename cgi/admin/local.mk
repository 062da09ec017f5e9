# cgi/admin/: admin.fcgi, the administrators' portal (one file per page, one route table).
pkglibexec_PROGRAMS += cgi/admin/admin.fcgi
cgi_admin_admin_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS) $(LDAP_CFLAGS)
cgi_admin_admin_fcgi_SOURCES = \
	cgi/admin/admin_ctx.h \
	cgi/admin/main.c \
	cgi/admin/routes.c \
	cgi/admin/auth.c \
	cgi/admin/page.c \
	cgi/admin/object_audit.c \
	cgi/admin/edit_commit.h \
	cgi/admin/edit_commit.c \
	cgi/admin/confirm.h \
	cgi/admin/confirm.c \
	cgi/admin/customer_settings.c \
	cgi/admin/outbox_page.c \
	cgi/admin/scep_model.h \
	cgi/admin/scep_model.c \
	cgi/admin/scep_page.c \
	cgi/admin/scep_settings.c \
	cgi/admin/scep_pending.c \
	cgi/admin/scep_mobileconfig.c \
	cgi/admin/mobileconfig.h \
	cgi/admin/mobileconfig.c \
	cgi/admin/home.c \
	cgi/admin/recovery_alarm.c \
	cgi/admin/csr_new.c \
	cgi/admin/cert_list.c \
	cgi/admin/cert_view.c \
	cgi/admin/cert_download.c \
	cgi/admin/cert_scope.c \
	cgi/admin/cert_actions.c \
	cgi/admin/policy.h \
	cgi/admin/policy.c \
	cgi/admin/org_model.h \
	cgi/admin/org_model.c \
	cgi/admin/org_access_code.c \
	cgi/admin/org_access_page.c \
	cgi/admin/org_list.c \
	cgi/admin/domain_model.h \
	cgi/admin/domain_model.c \
	cgi/admin/domain_list.c \
	cgi/admin/domain_edit.c \
	cgi/admin/domain_delegate.c \
	cgi/admin/org_edit.c \
	cgi/admin/org_delete.c \
	cgi/admin/dept_edit.c \
	cgi/admin/settings_form.h \
	cgi/admin/settings_form.c \
	cgi/admin/admins_model.h \
	cgi/admin/admins_model.c \
	cgi/admin/admins_list.c \
	cgi/admin/admins_edit.c \
	cgi/admin/admins_csv.c \
	cgi/admin/admins_import.c \
	cgi/admin/csv.h \
	cgi/admin/csv.c \
	cgi/admin/csv_export.h \
	cgi/admin/csv_export.c \
	cgi/admin/audit_page.c \
	cgi/admin/dashboard.c \
	cgi/admin/report_csv.c \
	cgi/admin/persons_model.h \
	cgi/admin/persons_model.c \
	cgi/admin/persons_list.c \
	cgi/admin/persons_edit.c \
	cgi/admin/persons_csv.c \
	cgi/admin/persons_import.c \
	cgi/admin/ad_server_check.h \
	cgi/admin/ad_server_check.c \
	cgi/admin/ad_server_model.h \
	cgi/admin/ad_server_model.c \
	cgi/admin/ad_server_list.c \
	cgi/admin/ad_server_edit.c \
	cgi/admin/ad_server_ca.h \
	cgi/admin/ad_server_ca.c \
	cgi/admin/ad_server_csv.c \
	cgi/admin/ad_server_verify.c \
	cgi/admin/realm_pages.c \
	cgi/admin/autoenroll_clients.c \
	cgi/admin/logout.c
# CM_AD_LIBS: the Verify button (cm_ad_verify, lib/ad_lookup.h).
cgi_admin_admin_fcgi_LDADD = $(CM_AD_LIBS) $(CM_WEB_LIBS) $(LDAP_LIBS)

EXTRA_DIST += tests/static/templates-escape.sh tests/static/access-in-policy.sh tests/fuzz/fuzz_csr.c tests/integration/40-admin.sh
# The authorization matrix: every route x every kind of administrator.
EXTRA_DIST += tests/pages/45-authz-matrix.sh tests/pages/authz-matrix.txt

EXTRA_DIST += tests/pages/50-orgs.sh

EXTRA_DIST += tests/pages/55-audit-dashboard.sh

# The certificate lifecycle (LIFECYCLE); its state machine's unit test is in tests/unit/local.mk.
EXTRA_DIST += tests/integration/70-lifecycle.sh tests/pages/72-cert-search.sh
EXTRA_DIST += tests/integration/71-dept-auto-approve.sh

# Administrators management pages (ADMINS).
EXTRA_DIST += tests/integration/65-admins.sh tests/pages/67-admins-csv.sh

# Domains and their delegation (DOMAINS).
EXTRA_DIST += tests/pages/60-domains.sh

# Persons and disabled customers (PERSONS).
EXTRA_DIST += tests/pages/75-persons.sh tests/pages/78-customer-disabled.sh

# AD servers (issue 11 additions): pages, Verify against Samba, the CA intake fuzz target, the browser test.
EXTRA_DIST += tests/pages/52-ad-servers.sh tests/pages/54-ad-servers-bind.sh tests/integration/39-ad-verify.sh tests/fuzz/fuzz_ad_ca.c
EXTRA_DIST += tests/fuzz/corpus/ad_ca/one.pem tests/fuzz/corpus/ad_ca/key.pem tests/browser/adservers.test.mjs

# Sign out, ending sessions, confirmation pages of destructive actions (SESSIONS).
EXTRA_DIST += tests/pages/48-sessions.sh tests/pages/49-confirm.sh

# The MRAO's Customer settings page (CUSTSETTINGS).
EXTRA_DIST += tests/pages/59-customer-settings.sh
