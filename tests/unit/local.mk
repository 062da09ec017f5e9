# tests/unit/: every C unit test is registered here, one paragraph per test
# (tests/run.sh runs them all under ASan/UBSan and again from the hardened
# build). Link lists name the libraries of the area under test.

# --- lib/ ---
# The configuration file parser (lib/conffile.c).
check_PROGRAMS += tests/unit/test_conffile
tests_unit_test_conffile_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_conffile

# certmint.conf's [scep] base_url (lib/settings.c): default, override, refusals.
check_PROGRAMS += tests/unit/test_settings_scep
tests_unit_test_settings_scep_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_settings_scep

# The byte buffer (lib/buf.c): its JSON string literals.
check_PROGRAMS += tests/unit/test_buf
tests_unit_test_buf_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_buf

# Free text (lib/text.c): well-formed UTF-8 without control characters.
check_PROGRAMS += tests/unit/test_text
tests_unit_test_text_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_text

# The name rules the RA and the signer share (lib/name_rules.c): attribute
# text, DNS and IP names, CN = SAN, the public suffix list.
check_PROGRAMS += tests/unit/test_name_rules
tests_unit_test_name_rules_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_name_rules

# Self-enrollment access codes (lib/access_code.c): keyed hash, constant-time
# check, generated codes, the key file.
check_PROGRAMS += tests/unit/test_access_code
tests_unit_test_access_code_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_access_code

# The certificate types and the one type-list parser (lib/cert_types.c).
check_PROGRAMS += tests/unit/test_cert_types
tests_unit_test_cert_types_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_cert_types

# Row ids read from requests (lib/ids.c).
check_PROGRAMS += tests/unit/test_ids
tests_unit_test_ids_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_ids

# The pre-signed OCSP response store (lib/ocsp_store.c): file format, atomic
# writes, checked reads, the revocation watermark.
check_PROGRAMS += tests/unit/test_ocsp_store
tests_unit_test_ocsp_store_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_ocsp_store

# certmint ocsp refresh's decisions (lib/ocsp_refresh.c): when a stored
# response is signed again, the reason signed, serials, the walked-name set.
check_PROGRAMS += tests/unit/test_ocsp_refresh
tests_unit_test_ocsp_refresh_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_ocsp_refresh

# The organisation/department form value "ORG" / "ORG/DEPT" (lib/units.c).
check_PROGRAMS += tests/unit/test_units
tests_unit_test_units_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_units

# The signer wire protocol (lib/signer_proto.c, lib/signer_msgs.c): codec,
# per-operation field sets, reserved operations, I/O helpers.
check_PROGRAMS += tests/unit/test_proto
tests_unit_test_proto_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_proto

# The certificate lifecycle's state machine (lib/cert_state.c): its 36 pairs.
check_PROGRAMS += tests/unit/test_cert_state
tests_unit_test_cert_state_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_cert_state

# The approval rule (lib/approval.c) and the profile -> type mapping (lib/issuance.c).
check_PROGRAMS += tests/unit/test_approval
tests_unit_test_approval_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_approval_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_approval

# The web layer (lib/web*.c): route matching, body rules, --routes, the dispatcher's order.
check_PROGRAMS += tests/unit/test_route
tests_unit_test_route_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_route_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_route

# --- signer/ ---
# Unit tests.
check_PROGRAMS += tests/unit/test_profile tests/unit/test_signer_store
tests_unit_test_profile_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_profile_LDADD = $(CM_SIGNER_LIBS)
tests_unit_test_signer_store_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_signer_store_LDADD = $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_profile tests/unit/test_signer_store

# What certificates carry for relying parties (signer/issue.c): CRL
# distribution point, authority information access, certificatePolicies.
check_PROGRAMS += tests/unit/test_cert_exts
tests_unit_test_cert_exts_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_cert_exts_LDADD = $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_cert_exts

# Signed audit checkpoints: the signed bytes, the line, Ed25519 sign/verify
# (lib/audit_checkpoint.c) and the signer's checkpoint file (signer/checkpoint.c).
check_PROGRAMS += tests/unit/test_audit_checkpoint
tests_unit_test_audit_checkpoint_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_audit_checkpoint_LDADD = $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_audit_checkpoint

# The installation's name spaces (signer/namespace.c): [namespaces] parser,
# membership rules, the check of a certificate's names, nameConstraints.
check_PROGRAMS += tests/unit/test_namespace
tests_unit_test_namespace_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_namespace_LDADD = $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_namespace

# --- cgi/admin/ ---
# The x509 helpers (lib/x509util.c) and template rendering (lib/render.c).
check_PROGRAMS += tests/unit/test_x509util tests/unit/test_render
tests_unit_test_x509util_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_x509util_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
tests_unit_test_render_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_render_LDADD = lib/libcmweb.a lib/libcmcore.a $(CLEARSILVER_LIBS) $(OPENSSL_LIBS)
TESTS += tests/unit/test_x509util tests/unit/test_render

# The one access policy (role x object table) and the access-code rule.
check_PROGRAMS += tests/unit/test_policy
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin -DSRCDIR='"$(abs_top_srcdir)"' $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c cgi/admin/policy.c cgi/admin/org_access_code.c
tests_unit_test_policy_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_policy

# The CSV cell escaper of the reports (cgi/admin/csv.c).
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

# Active Directory servers (ADSERVERS): the LDAP URI / base DN checks (libldap's own parsers).
check_PROGRAMS += tests/unit/test_ad_server_check
tests_unit_test_ad_server_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cgi/admin $(LDAP_CFLAGS)
tests_unit_test_ad_server_check_SOURCES = tests/unit/test_ad_server_check.c cgi/admin/ad_server_check.c cgi/admin/ad_server_check.h
tests_unit_test_ad_server_check_LDADD = lib/libcmcore.a $(LDAP_LIBS)
TESTS += tests/unit/test_ad_server_check

# --- tools/ ---
# Unit tests for the pure parts of the data layer (no server needed).
check_PROGRAMS += tests/unit/test_audit_hash tests/unit/test_db_helpers
tests_unit_test_audit_hash_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_audit_hash_LDADD = $(CM_WEB_LIBS)
tests_unit_test_db_helpers_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_db_helpers_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_audit_hash tests/unit/test_db_helpers

# --- the web core (tests/) ---
CM_WEBCORE_TEST_LIBS = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
# Unit tests of the web core (request, forms, multipart, responses).
check_PROGRAMS += tests/unit/test_form tests/unit/test_multipart tests/unit/test_request \
	tests/unit/test_response
tests_unit_test_form_LDADD = $(CM_WEBCORE_TEST_LIBS)
tests_unit_test_multipart_LDADD = $(CM_WEBCORE_TEST_LIBS)
tests_unit_test_request_LDADD = $(CM_WEBCORE_TEST_LIBS)
tests_unit_test_response_LDADD = $(CM_WEBCORE_TEST_LIBS)
TESTS += tests/unit/test_form tests/unit/test_multipart tests/unit/test_request \
	tests/unit/test_response

# --- issue 8: request deadlines and fault classes ---
# The signer client's outcomes (OK / refused / fault / unknown) and the
# deadline it puts in every request, against a fake signer socket.
check_PROGRAMS += tests/unit/test_signer_client
tests_unit_test_signer_client_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test_signer_client
# signerd's side: expired requests dropped unsigned and unjournalled (also
# after waiting for a CPU slot), journal failures answered as faults.
check_PROGRAMS += tests/unit/test_signer_deadline
tests_unit_test_signer_deadline_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_signer_deadline_LDADD = $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_signer_deadline
# What the two op tests above share (serve, reply checks, a CSR).
EXTRA_DIST += tests/unit/signer_ops_fixture.h

# The journal reader of certmint journal check (lib/journal_read.c), fed by
# the signer's own record formatter (signer/journal.c).
check_PROGRAMS += tests/unit/test_journal_read
tests_unit_test_journal_read_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_journal_read_LDADD = lib/libcmweb.a $(CM_SIGNER_LIBS)
TESTS += tests/unit/test_journal_read

# The notification outbox (issue 9): backoff, expiry windows and addresses
# (lib/outbox_rules.c), and the message text the SMTP sender uploads
# (lib/outbox_smtp.c, with libcurl).
check_PROGRAMS += tests/unit/test_outbox
tests_unit_test_outbox_SOURCES = tests/unit/test_outbox.c lib/outbox_smtp.c
tests_unit_test_outbox_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_outbox_LDADD = lib/libcmcore.a $(CURL_LIBS) $(OPENSSL_LIBS)
TESTS += tests/unit/test_outbox

# CRLs (signer/crl.c): the CRL number kept next to the journal, and the
# streaming encoder, parsed and verified by OpenSSL.
check_PROGRAMS += tests/unit/test_crl
tests_unit_test_crl_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_crl_LDADD = signer/libsigner.a lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test_crl

# ocsp.fcgi's request parser and GET decoder (lib/ocsp_request.c).
check_PROGRAMS += tests/unit/test_ocsp_request
tests_unit_test_ocsp_request_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_ocsp_request_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_ocsp_request

# ocsp-sign's packed items (client packing, signer parsing) and the signer's
# set of issued serials with its journal scan.
check_PROGRAMS += tests/unit/test_ocsp_items
tests_unit_test_ocsp_items_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_ocsp_items_LDADD = signer/libsigner.a lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test_ocsp_items

# SCEP in the signer (issue 10): the plaintext classifier, the envelope
# intake, the CertRep builder read back by OpenSSL, the client's packing.
check_PROGRAMS += tests/unit/test_scep_signer
tests_unit_test_scep_signer_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/signer
tests_unit_test_scep_signer_LDADD = signer/libsigner.a lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test_scep_signer

# The SCEP message layer (lib/scep_msg.c, scep_content.c, scep_ca.c): the
# pkiMessage intake and its failInfo, the decrypted contents, GetCACaps,
# GetCACert, the reply cipher; with a PKCSReq captured from Debian's scepclient.
check_PROGRAMS += tests/unit/test_scep_msg
tests_unit_test_scep_msg_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_scep_msg_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_scep_msg

# The secret box (lib/secret_box.c) that seals AD simple-bind passwords.
check_PROGRAMS += tests/unit/test_secret_box
tests_unit_test_secret_box_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_secret_box

# The AD client's network-free half (lib/ad_entry.c): stage names, filter
# escaping, entry parsing.
check_PROGRAMS += tests/unit/test_ad_entry
tests_unit_test_ad_entry_LDADD = lib/libcmcore.a
TESTS += tests/unit/test_ad_entry
# Keytabs (lib/keytab.c): the SPN/AES check and its messages, holes, limits, merging, client principals.
check_PROGRAMS += tests/unit/test_keytab
tests_unit_test_keytab_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_keytab

# The files realms become (lib/realm_config.c) without a database: domain and
# SPN checks, the Location text and its refusals, keytab files, reload status.
check_PROGRAMS += tests/unit/test_realm_config
tests_unit_test_realm_config_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_realm_config_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_realm_config

# The client scripts' placeholders (lib/client_fill.c): strict values, escaping, refusals.
check_PROGRAMS += tests/unit/test_client_fill
tests_unit_test_client_fill_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
TESTS += tests/unit/test_client_fill

# autoenroll.fcgi's intake (cgi/autoenroll/intake.c, codes.c): fields and codes, principals, serials, CSR rules.
check_PROGRAMS += tests/unit/test_autoenroll_intake
tests_unit_test_autoenroll_intake_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
tests_unit_test_autoenroll_intake_SOURCES = tests/unit/test_autoenroll_intake.c cgi/autoenroll/intake.c cgi/autoenroll/codes.c
tests_unit_test_autoenroll_intake_LDADD = $(CM_WEB_LIBS)
TESTS += tests/unit/test_autoenroll_intake
