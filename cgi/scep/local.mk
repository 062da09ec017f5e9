# cgi/scep/: scep.fcgi, the SCEP server at /customer/<customer>/scep/<type>/pkiclient.exe (RFC 8894; the RA key stays in signerd).
pkglibexec_PROGRAMS += cgi/scep/scep.fcgi
cgi_scep_scep_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
cgi_scep_scep_fcgi_SOURCES = \
	cgi/scep/scepd.h \
	cgi/scep/main.c \
	cgi/scep/context.c \
	cgi/scep/serve.c \
	cgi/scep/url.h \
	cgi/scep/url.c \
	cgi/scep/ops.c \
	cgi/scep/policy.c \
	cgi/scep/transactions.c \
	cgi/scep/lockout.c
cgi_scep_scep_fcgi_LDADD = $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/32-scep.sh tests/integration/32b-scep-device.sh tests/integration/32c-scep-more.sh \
	tests/integration/32d-scep-kept.sh

# The stack (tests/stack.sh) sets the demo's SCEP access codes with this:
# the keyed hash made by lib/access_code.c, as the portal stores it.
noinst_PROGRAMS += tests/tools/access-code-hash
tests_tools_access_code_hash_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_tools_access_code_hash_SOURCES = tests/tools/access_code_hash.c
tests_tools_access_code_hash_LDADD = lib/libcmcore.a $(OPENSSL_LIBS)
