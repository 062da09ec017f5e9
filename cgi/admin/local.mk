# cgi/admin/: admin.fcgi, the administrators' portal (one file per page, one route table).
pkglibexec_PROGRAMS += cgi/admin/admin.fcgi
cgi_admin_admin_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
cgi_admin_admin_fcgi_SOURCES = \
	cgi/admin/admin_ctx.h \
	cgi/admin/main.c \
	cgi/admin/routes.c \
	cgi/admin/page.c \
	cgi/admin/chain.c \
	cgi/admin/home.c \
	cgi/admin/csr_new.c \
	cgi/admin/cert_list.c \
	cgi/admin/cert_view.c \
	cgi/admin/cert_download.c \
	cgi/admin/cert_scope.c \
	cgi/admin/cert_state.h \
	cgi/admin/cert_state.c \
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
	cgi/admin/admins_model.h \
	cgi/admin/admins_model.c \
	cgi/admin/admins_list.c \
	cgi/admin/admins_edit.c \
	cgi/admin/csv.h \
	cgi/admin/csv.c \
	cgi/admin/audit_page.c \
	cgi/admin/dashboard.c \
	cgi/admin/report_csv.c \
	cgi/admin/persons_model.h \
	cgi/admin/persons_model.c \
	cgi/admin/persons_list.c \
	cgi/admin/persons_edit.c \
	cgi/admin/persons_csv.c \
	cgi/admin/persons_import.c
cgi_admin_admin_fcgi_LDADD = $(CM_WEB_LIBS)

# Unit tests of the admin side's lib modules (render.c, x509util.c).
check_PROGRAMS += tests/unit/test_x509util tests/unit/test_render
tests_unit_test_x509util_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_x509util_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
tests_unit_test_render_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_render_LDADD = lib/libcmweb.a lib/libcmcore.a $(CLEARSILVER_LIBS) $(OPENSSL_LIBS)
TESTS += tests/unit/test_x509util tests/unit/test_render
EXTRA_DIST += tests/static/templates-escape.sh tests/fuzz/fuzz_csr.c tests/integration/40-admin.sh
# The authorization matrix: every route x every kind of administrator.
EXTRA_DIST += tests/integration/45-authz-matrix.sh tests/integration/authz-matrix.txt

# The one access policy (role x object table) and the access-code rule.
check_PROGRAMS += tests/unit/test_policy
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c cgi/admin/policy.c cgi/admin/org_access_code.c
tests_unit_test_policy_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_policy
EXTRA_DIST += tests/integration/50-orgs.sh

# The audit log page, dashboard and CSV report (AUDITDASH): the CSV cell escaper.
check_PROGRAMS += tests/unit/test_csv
tests_unit_test_csv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin
tests_unit_test_csv_SOURCES = tests/unit/test_csv.c cgi/admin/csv.c cgi/admin/csv.h
tests_unit_test_csv_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_csv
EXTRA_DIST += tests/integration/55-audit-dashboard.sh

# The certificate lifecycle (LIFECYCLE): the state machine's 36 pairs.
check_PROGRAMS += tests/unit/test_cert_state
tests_unit_test_cert_state_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin
tests_unit_test_cert_state_SOURCES = tests/unit/test_cert_state.c cgi/admin/cert_state.c cgi/admin/cert_state.h
TESTS += tests/unit/test_cert_state
EXTRA_DIST += tests/integration/70-lifecycle.sh

# Administrators management pages (ADMINS).
EXTRA_DIST += tests/integration/65-admins.sh

# Domains and their delegation (DOMAINS).
EXTRA_DIST += tests/integration/60-domains.sh

# Persons and disabled customers (PERSONS).
EXTRA_DIST += tests/integration/75-persons.sh tests/integration/78-customer-disabled.sh
