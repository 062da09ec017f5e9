# lib/: code shared by the web programs, the CLI and (core part, with the
# signer wire protocol) the signer.
noinst_LIBRARIES += lib/libcmcore.a lib/libcmweb.a

lib_libcmcore_a_SOURCES = \
	lib/log.c lib/log.h \
	lib/buf.c lib/buf.h \
	lib/text.c lib/text.h \
	lib/ids.c lib/ids.h \
	lib/cert_types.c lib/cert_types.h \
	lib/conffile.c lib/conffile.h \
	lib/settings.c lib/settings.h \
	lib/access_code.c lib/access_code.h \
	lib/cert_state.c lib/cert_state.h \
	lib/signer_proto.c lib/signer_proto.h lib/signer_msgs.c \
	lib/revocation_reason.c lib/revocation_reason.h \
	lib/audit_checkpoint.c lib/audit_checkpoint.h \
	lib/name_rules.c lib/name_rules.h \
	lib/outbox_rules.c \
	lib/ocsp_store.c lib/ocsp_store.h
lib_libcmcore_a_SOURCES += lib/ocsp_refresh.c lib/ocsp_refresh.h
lib_libcmcore_a_SOURCES += lib/scep_msg.c lib/scep_content.c lib/scep_ca.c lib/scep_msg.h
# Windows auto-enrollment (issue 11): keytabs and the files realms become.
lib_libcmcore_a_SOURCES += lib/keytab.c lib/keytab.h

lib_libcmweb_a_CPPFLAGS = $(AM_CPPFLAGS) $(CLEARSILVER_CFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
lib_libcmweb_a_SOURCES = \
	lib/request.c lib/request.h \
	lib/form.c lib/form.h \
	lib/multipart.c lib/multipart.h \
	lib/response.c lib/response.h \
	lib/fcgi_main.c lib/fcgi_main.h \
	lib/web.h lib/web_route.c lib/web_dispatch.c lib/web_main.c \
	lib/db.c lib/db.h \
	lib/migrate.c lib/migrate.h \
	lib/units.c lib/units.h \
	lib/admins.c lib/admins.h \
	lib/session.c lib/session.h \
	lib/access_code_upgrade.c lib/access_code_upgrade.h \
	lib/audit.c lib/audit.h \
	lib/audit_signed.c lib/audit_signed.h \
	lib/signer_client.c lib/signer_client.h \
	lib/x509util.c lib/x509util.h \
	lib/issuance.c lib/issuance.h \
	lib/issue_verdict.c lib/issue_verdict.h \
	lib/form_submission.c lib/form_submission.h \
	lib/approval.c lib/approval.h \
	lib/ra_names.c lib/ra_names.h \
	lib/ca_chain.c lib/ca_chain.h \
	lib/cert_lifecycle.c lib/cert_lifecycle.h \
	lib/outbox.c lib/outbox.h \
	lib/render.c lib/render.h \
	lib/ocsp_request.c lib/ocsp_request.h
lib_libcmweb_a_SOURCES += lib/realm_config.c lib/realm_config.h lib/kerberos_realms.c lib/kerberos_realms.h

# Everything a program using lib/ links against.
CM_WEB_LIBS = lib/libcmweb.a lib/libcmcore.a \
	$(CLEARSILVER_LIBS) $(FCGI_LIBS) $(MARIADB_LIBS) $(OPENSSL_LIBS) $(PTHREAD_LIBS)

EXTRA_DIST += tests/unit/tap.h

# The certificate lifecycle (lib/cert_lifecycle.c): every transition against
# the stack's MariaDB and signer, run by tests/integration/86-cert-lifecycle.sh;
# and the static check that nothing else writes the certificates table.
noinst_PROGRAMS += tests/tools/cert-lifecycle-check
tests_tools_cert_lifecycle_check_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_tools_cert_lifecycle_check_SOURCES = tests/tools/cert_lifecycle_check.c
tests_tools_cert_lifecycle_check_LDADD = $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/86-cert-lifecycle.sh tests/static/certificates-writers.sh

EXTRA_DIST += docs/hacking.md
lib_libcmweb_a_SOURCES += lib/journal_read.c lib/journal_read.h

# The Active Directory client (issue 11): lib/ad_lookup.h. The network half
# and the row loader need libldap and MIT krb5/GSSAPI, so they are a library
# of their own that only its users link (CM_AD_LIBS before CM_WEB_LIBS); the
# network-free half (filters, entry parsing) and the secret box are core.
lib_libcmcore_a_SOURCES += lib/ad_entry.c lib/ad_lookup.h lib/secret_box.c lib/secret_box.h
noinst_LIBRARIES += lib/libcmad.a
lib_libcmad_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS) $(LDAP_CFLAGS) $(KRB5_CFLAGS)
lib_libcmad_a_SOURCES = lib/ad_lookup.c lib/ad_server_load.c lib/ad_lookup.h
# It names libcmweb/libcmcore again so it may also follow CM_WEB_LIBS.
CM_AD_LIBS = lib/libcmad.a lib/libcmweb.a lib/libcmcore.a $(LDAP_LIBS) $(KRB5_LIBS) $(OPENSSL_LIBS)
