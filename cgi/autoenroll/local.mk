# cgi/autoenroll/: autoenroll.fcgi, Windows domain auto-enrollment at /customer/<customer>/autoenroll (issue 11): Kerberos (Apache) + Active Directory (LDAP) + the certificate lifecycle.
pkglibexec_PROGRAMS += cgi/autoenroll/autoenroll.fcgi
cgi_autoenroll_autoenroll_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
cgi_autoenroll_autoenroll_fcgi_SOURCES = \
	cgi/autoenroll/autoenroll.h \
	cgi/autoenroll/codes.h \
	cgi/autoenroll/codes.c \
	cgi/autoenroll/main.c \
	cgi/autoenroll/serve.c \
	cgi/autoenroll/auth.c \
	cgi/autoenroll/intake.c \
	cgi/autoenroll/policy.c \
	cgi/autoenroll/directory.c \
	cgi/autoenroll/person.c \
	cgi/autoenroll/enroll.c
cgi_autoenroll_autoenroll_fcgi_LDADD = $(CM_AD_LIBS) $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/38-autoenroll.sh tests/fuzz/fuzz_autoenroll.c
EXTRA_DIST += tests/pages/39-autoenroll-rules.sh tests/fuzz/corpus/autoenroll
