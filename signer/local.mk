# signer/: signerd, the only process holding private keys. Its wire protocol
# lives in lib/ (lib/signer_proto.h, in libcmcore.a), shared with the client.
noinst_LIBRARIES += signer/libsigner.a

# Everything of the daemon except main(), so unit tests can link it.
signer_libsigner_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
signer_libsigner_a_SOURCES = \
	signer/sconf.c signer/sconf.h signer/peer.c \
	signer/vault.c signer/vault.h \
	signer/names.c signer/names.h \
	signer/namespace.c signer/namespace.h \
	signer/profile.c signer/profile.h \
	signer/issue.c signer/issue.h \
	signer/ca.c signer/ca.h \
	signer/journal.c signer/journal.h \
	signer/checkpoint.c signer/checkpoint.h \
	signer/crl.c signer/crl_enc.c signer/crl.h \
	signer/issued_set.c signer/issued_set.h \
	signer/ocsp.c signer/ocsp_items.c signer/ocsp.h \
	signer/own_pair.c signer/own_pair.h \
	signer/ssl_reason.c signer/ssl_reason.h \
	signer/scep.h signer/scep_ra.c signer/scep_envelope.c signer/scep_ops.c \
	signer/ops.c signer/ops.h

CM_SIGNER_LIBS = signer/libsigner.a lib/libcmcore.a \
	$(OPENSSL_LIBS) $(PTHREAD_LIBS)

sbin_PROGRAMS += signer/certmint-signerd
signer_certmint_signerd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
signer_certmint_signerd_SOURCES = signer/signerd.c
signer_certmint_signerd_LDADD = $(CM_SIGNER_LIBS)

# Raw-protocol probe used by tests/integration/20-signer.sh. It compiles the
# client in directly so it does not depend on the rest of libcmweb.a.
noinst_PROGRAMS += tests/tools/signer-probe
tests_tools_signer_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_signer_probe_SOURCES = tests/tools/signer_probe.c lib/signer_client.c
tests_tools_signer_probe_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)

# crl-sign driven directly: tests/integration/27-crl.sh and bench/crl.
noinst_PROGRAMS += tests/tools/crl-probe
tests_tools_crl_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_crl_probe_SOURCES = tests/tools/crl_probe.c lib/signer_client.c
tests_tools_crl_probe_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)

# Configuration shipped for the signer, next to conf/local.mk's examples in
# $(pkgdatadir)/conf: operators copy them to $(pkgsysconfdir), so a reinstall
# never overwrites edited profiles. (The unit file is listed by conf/local.mk.)
signerconfdir = $(pkgdatadir)/conf
dist_signerconf_DATA = conf/signer-profiles.conf conf/signerd.conf.example
EXTRA_DIST += tests/fuzz/fuzz_frame.c tests/fuzz/corpus/frame/issue tests/fuzz/corpus/frame/chain \
	tests/fuzz/corpus/frame/error-reply tests/integration/20-signer.sh \
	tests/fuzz/fuzz_namespace.c tests/integration/22-signer-limits.sh
EXTRA_DIST += tests/fuzz/corpus/frame/issue-deadline tests/fuzz/corpus/frame/error-reply-class
EXTRA_DIST += tests/fuzz/fuzz_crl_entries.c tests/fuzz/corpus/crl_entries/two-batches

# ocsp-sign driven directly: tests/integration/29-signer-ocsp.sh.
noinst_PROGRAMS += tests/tools/ocsp-probe
tests_tools_ocsp_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_ocsp_probe_SOURCES = tests/tools/ocsp_probe.c lib/signer_client.c
tests_tools_ocsp_probe_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_ocsp_items.c tests/fuzz/corpus/ocsp_items/good tests/fuzz/corpus/ocsp_items/nonce-three \
	tests/integration/29-signer-ocsp.sh

# scep-decrypt / scep-certrep driven directly: tests/integration/31-signer-scep.sh.
noinst_PROGRAMS += tests/tools/scep-probe
tests_tools_scep_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_scep_probe_SOURCES = tests/tools/scep_probe.c lib/signer_client.c
tests_tools_scep_probe_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
EXTRA_DIST += tests/fuzz/fuzz_scep_envelope.c tests/integration/31-signer-scep.sh \
	tests/fuzz/corpus/scep_envelope/csr-aes256 tests/fuzz/corpus/scep_envelope/csr-des3-keyid \
	tests/fuzz/corpus/scep_envelope/to-another tests/fuzz/corpus/scep_envelope/random-content
