# tools/: the certmint command-line tool for operators.
bin_PROGRAMS += tools/certmint
tools_certmint_SOURCES = tools/certmint.c tools/cli.h tools/cli_util.c \
	tools/cmd_ca.c tools/cmd_admin.c tools/cmd_issue.c tools/cmd_status.c \
	tools/cmd_customer.c tools/cmd_expire.c tools/cmd_audit.c tools/cmd_migrate.c
tools_certmint_SOURCES += tools/cmd_journal.c
tools_certmint_SOURCES += tools/cmd_publish.c tools/cmd_revoke.c
tools_certmint_SOURCES += tools/cmd_crl.c
tools_certmint_SOURCES += tools/cmd_ocsp.c
tools_certmint_SOURCES += tools/cmd_realm.c
tools_certmint_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tools_certmint_LDADD = $(CM_WEB_LIBS)

# Black-box tests against a private stack (run by tests/run.sh).
EXTRA_DIST += tests/integration/30-cli.sh tests/integration/35-db.sh
EXTRA_DIST += tests/integration/84-expire.sh
EXTRA_DIST += tests/integration/26-cert-contents.sh

# Signed audit checkpoints (certmint audit checkpoint / verify): the test
# tool that rewrites a row and recomputes the chain as the app's account
# could, and the test that the signer's checkpoints catch it.
noinst_PROGRAMS += tests/tools/audit-rewrite
tests_tools_audit_rewrite_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_tools_audit_rewrite_SOURCES = tests/tools/audit_rewrite.c
tests_tools_audit_rewrite_LDADD = $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/56-audit-checkpoint.sh

# certmint notify run (tools/cmd_notify.c): the outbox's SMTP sender
# (lib/outbox_smtp.c) is linked here only, with libcurl.
tools_certmint_SOURCES += tools/cmd_notify.c lib/outbox_smtp.c lib/outbox_smtp.h
tools_certmint_CPPFLAGS += $(CURL_CFLAGS)
tools_certmint_LDADD += $(CURL_LIBS)
EXTRA_DIST += tests/integration/28-notify.sh

# cm_outbox_enqueue against the stack's database (tests/integration/28-notify.sh).
noinst_PROGRAMS += tests/tools/outbox-check
tests_tools_outbox_check_CPPFLAGS = $(AM_CPPFLAGS) $(MARIADB_CFLAGS)
tests_tools_outbox_check_SOURCES = tests/tools/outbox_check.c
tests_tools_outbox_check_LDADD = $(CM_WEB_LIBS)

# CRLs (certmint crl generate; the signer side is signer/crl.c).
EXTRA_DIST += tests/integration/27-crl.sh

# certmint ocsp refresh (tools/cmd_ocsp.c): the pre-signed OCSP store.
EXTRA_DIST += tests/integration/29-ocsp-refresh.sh

# certmint ad add|verify|lookup (tools/cmd_ad.c): the AD client (lib/ad_lookup.h),
# with the portal's URI and DN rules (cgi/admin/ad_server_check.c).
tools_certmint_SOURCES += tools/cmd_ad.c cgi/admin/ad_server_check.c cgi/admin/ad_server_check.h
tools_certmint_CPPFLAGS += $(LDAP_CFLAGS)
tools_certmint_LDADD += $(CM_AD_LIBS)

# Lookups in several realms in one process (tests/integration/37-ad-lookup.sh).
noinst_PROGRAMS += tests/tools/ad-lookup-multi
tests_tools_ad_lookup_multi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_tools_ad_lookup_multi_SOURCES = tests/tools/ad_lookup_multi.c
tests_tools_ad_lookup_multi_LDADD = $(CM_AD_LIBS) $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/37-ad-lookup.sh
