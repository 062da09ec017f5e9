# tests/: scripts and helpers not owned by one area (unit tests live in each area's local.mk).
EXTRA_DIST += tests/lib.sh tests/deps.sh tests/run.sh tests/stack.sh
EXTRA_DIST += tests/browser/run.sh tests/browser/helpers.mjs tests/browser/issue.test.mjs \
	tests/browser/package.json tests/browser/package-lock.json

EXTRA_DIST += tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz/fuzz_form.c tests/fuzz/fuzz_multipart.c tests/fuzz/fuzz_request.c \
	tests/fuzz/corpus
EXTRA_DIST += tests/integration/10-stack.sh docs/operators.md
EXTRA_DIST += tests/integration/12-trust-boundaries.sh
EXTRA_DIST += tests/pages/46-issue-scope.sh
EXTRA_DIST += tests/browser/orgs.test.mjs
EXTRA_DIST += tests/browser/auditdash.test.mjs
EXTRA_DIST += tests/browser/lifecycle.test.mjs
EXTRA_DIST += tests/integration/80-counters.sh
EXTRA_DIST += tests/fuzz/fuzz_csv.c
EXTRA_DIST += tests/fuzz/fuzz_psl.c
EXTRA_DIST += tests/fuzz/fuzz_checkpoint.c
EXTRA_DIST += tests/integration/42-denied-audit.sh
EXTRA_DIST += tests/integration/82-daily.sh
EXTRA_DIST += tests/browser/delegation.test.mjs
EXTRA_DIST += tests/browser/admintools.test.mjs
EXTRA_DIST += tests/static/dist-lists.sh
EXTRA_DIST += tests/static/layering.sh

# Page tests without Apache or Kerberos (tests/harness/harness.sh, tests/pages/):
# a FastCGI client that speaks to a program's socket as Apache would.
noinst_PROGRAMS += tests/tools/fcgi-call
tests_tools_fcgi_call_SOURCES = tests/tools/fcgi_call.c
EXTRA_DIST += tests/harness/harness.sh tests/pages/05-example.sh
EXTRA_DIST += tests/harness/journals.sh
EXTRA_DIST += tests/integration/44-slow-post.sh
EXTRA_DIST += tests/integration/99-stack-restart.sh
EXTRA_DIST += tests/integration/98-db-outage.sh
EXTRA_DIST += tests/static/no-circles.sh
EXTRA_DIST += tests/pages/47-csr-private-key.sh
EXTRA_DIST += tests/integration/24-signer-faults.sh

# CSRs with exactly the bytes a test needs in CN, O, OU and SANs (NUL, CR/LF),
# for the name-rule tests (tests/integration/24-signer-names.sh, tests/pages/48-names.sh).
noinst_PROGRAMS += tests/tools/csr-forge
tests_tools_csr_forge_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_csr_forge_SOURCES = tests/tools/csr_forge.c
tests_tools_csr_forge_LDADD = $(OPENSSL_LIBS)
EXTRA_DIST += tests/integration/24-signer-names.sh
EXTRA_DIST += tests/pages/48-names.sh
EXTRA_DIST += tests/fuzz/fuzz_access_code.c
EXTRA_DIST += tests/pages/58-request-flow.sh
EXTRA_DIST += tests/fuzz/fuzz_journal.c tests/integration/88-journal-check.sh tests/integration/96-faults.sh
EXTRA_DIST += tests/fuzz/fuzz_outbox_windows.c
EXTRA_DIST += tests/fuzz/fuzz_ocsp_store.c tests/fuzz/corpus/ocsp_store/good tests/fuzz/corpus/ocsp_store/revoked
EXTRA_DIST += tests/fuzz/fuzz_ocsp_refresh.c tests/fuzz/corpus/ocsp_refresh/serials
EXTRA_DIST += tests/pages/62-outbox.sh
EXTRA_DIST += tests/fuzz/fuzz_ocsp_request.c tests/fuzz/corpus/ocsp_request/sha1-no-nonce tests/fuzz/corpus/ocsp_request/two-sha256-nonce
EXTRA_DIST += tests/pages/63-scep.sh tests/pages/63c-scep-base-url.sh tests/browser/scep.test.mjs
EXTRA_DIST += tests/fuzz/fuzz_mobileconfig.c tests/fuzz/corpus/mobileconfig/good tests/fuzz/corpus/mobileconfig/escapes \
	tests/fuzz/corpus/mobileconfig/device-email-ampersand

# A SCEP client without network (lib/scep_msg.c's counterpart, written apart
# from it): pkiMessages good and hostile, CertRep checks, bulk requests for
# bench/scep. Used by the SCEP stack tests; see docs/hacking.md.
noinst_PROGRAMS += tests/tools/scep-forge
tests_tools_scep_forge_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_scep_forge_SOURCES = tests/tools/scep_forge.c
tests_tools_scep_forge_LDADD = $(OPENSSL_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_scep_msg.c tests/fuzz/corpus/scep_msg/scepclient-pkcsreq.der \
	tests/fuzz/corpus/scep_msg/scepclient-csr.der tests/fuzz/corpus/scep_msg/ra.der \
	tests/fuzz/corpus/scep_msg/forge-certpoll.der tests/fuzz/corpus/scep_msg/forge-getcert.der \
	tests/fuzz/corpus/scep_msg/forge-pkcsreq-chain.der \
	tests/fuzz/corpus/scep_msg/issuer-and-serial.der tests/fuzz/corpus/scep_msg/issuer-and-subject.der
EXTRA_DIST += tests/integration/34-scep-forge.sh
EXTRA_DIST += tests/fuzz/fuzz_scep_url.c tests/fuzz/corpus/scep_url/get-pkioperation \
	tests/fuzz/corpus/scep_url/no-exe-repeated
# The AD client (issue 11): entry parsing and the secret box.
EXTRA_DIST += tests/fuzz/fuzz_ad_entry.c tests/fuzz/corpus/ad_entry/alice tests/fuzz/corpus/ad_entry/dave-two-mails
EXTRA_DIST += tests/fuzz/fuzz_secret_open.c tests/fuzz/corpus/secret_open/zeros
# Issue 11: the test stack's Samba AD DCs (tests/stack.sh --with-ad) and their test.
EXTRA_DIST += tests/ad-dc.sh tests/ad-stack-data.sql tests/integration/36-ad-stack.sh
EXTRA_DIST += tests/fuzz/fuzz_keytab.c tests/fuzz/corpus/keytab/ktutil-aes256.keytab \
	tests/fuzz/corpus/keytab/ktutil-rc4-svc.keytab
EXTRA_DIST += tests/pages/53-kerberos-realms.sh tests/pages/autoenroll-clients/certmint-autoenroll.sh \
	tests/pages/autoenroll-clients/certmint-autoenroll.ps1 tests/pages/autoenroll-clients/certmint-autoenroll-submit
EXTRA_DIST += tests/browser/realms.test.mjs
