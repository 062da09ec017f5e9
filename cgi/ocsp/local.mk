# cgi/ocsp/: ocsp.fcgi, the OCSP responder at /ocsp (pre-signed store first, then live answers signed by signerd).
pkglibexec_PROGRAMS += cgi/ocsp/ocsp.fcgi
cgi_ocsp_ocsp_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
cgi_ocsp_ocsp_fcgi_SOURCES = \
	cgi/ocsp/ocspd.h \
	cgi/ocsp/main.c \
	cgi/ocsp/responder.c \
	cgi/ocsp/issuer.c \
	cgi/ocsp/revocations.c \
	cgi/ocsp/live.c
cgi_ocsp_ocsp_fcgi_LDADD = $(CM_WEB_LIBS)
EXTRA_DIST += tests/integration/29-ocsp.sh
