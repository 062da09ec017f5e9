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
	cgi/admin/home.c \
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
	cgi/admin/ad_server_edit.c
cgi_admin_admin_fcgi_LDADD = $(CM_WEB_LIBS) $(LDAP_LIBS)

# Unit tests of the admin side's lib modules (render.c, x509util.c).
check_PROGRAMS += tests/unit/test_x509util tests/unit/test_render
tests_unit_test_x509util_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_x509util_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
tests_unit_test_render_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_render_LDADD = lib/libcmweb.a lib/libcmcore.a $(CLEARSILVER_LIBS) $(OPENSSL_LIBS)
TESTS += tests/unit/test_x509util tests/unit/test_render
EXTRA_DIST += tests/static/templates-escape.sh tests/static/access-in-policy.sh tests/fuzz/fuzz_csr.c tests/integration/40-admin.sh
# The authorization matrix: every route x every kind of administrator.
EXTRA_DIST += tests/pages/45-authz-matrix.sh tests/pages/authz-matrix.txt

# The one access policy (role x object table) and the access-code rule.
check_PROGRAMS += tests/unit/test_policy
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin -DSRCDIR='"$(abs_top_srcdir)"' $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c cgi/admin/policy.c cgi/admin/org_access_code.c
tests_unit_test_policy_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_policy
EXTRA_DIST += tests/pages/50-orgs.sh

# The audit log page, dashboard and CSV report (AUDITDASH): the CSV cell escaper.
check_PROGRAMS += tests/unit/test_csv
tests_unit_test_csv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin
tests_unit_test_csv_SOURCES = tests/unit/test_csv.c cgi/admin/csv.c cgi/admin/csv.h
tests_unit_test_csv_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_csv
# The CSV upload checks of the imports (header, structure, row cap).
check_PROGRAMS += tests/unit/test_csv_file
tests_unit_test_csv_file_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin
tests_unit_test_csv_file_SOURCES = tests/unit/test_csv_file.c cgi/admin/csv.c cgi/admin/csv.h
tests_unit_test_csv_file_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_csv_file
EXTRA_DIST += tests/pages/55-audit-dashboard.sh

# The certificate lifecycle (LIFECYCLE); its state machine's unit test is in lib/local.mk.
EXTRA_DIST += tests/integration/70-lifecycle.sh tests/pages/72-cert-search.sh
EXTRA_DIST += tests/integration/71-dept-auto-approve.sh

# Administrators management pages (ADMINS).
EXTRA_DIST += tests/integration/65-admins.sh tests/pages/67-admins-csv.sh

# Domains and their delegation (DOMAINS).
EXTRA_DIST += tests/pages/60-domains.sh

# Persons and disabled customers (PERSONS).
EXTRA_DIST += tests/pages/75-persons.sh tests/pages/78-customer-disabled.sh

# Active Directory servers (ADSERVERS): the LDAP URI / base DN checks (libldap's own parsers).
check_PROGRAMS += tests/unit/test_ad_server_check
tests_unit_test_ad_server_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin $(LDAP_CFLAGS)
tests_unit_test_ad_server_check_SOURCES = tests/unit/test_ad_server_check.c cgi/admin/ad_server_check.c cgi/admin/ad_server_check.h
tests_unit_test_ad_server_check_LDADD = lib/libcmcore.a $(LDAP_LIBS)
TESTS += tests/unit/test_ad_server_check
EXTRA_DIST += tests/pages/52-ad-servers.sh
