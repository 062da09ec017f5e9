# cgi/example/: example.fcgi, the smallest program on the web layer; built for tests/web/example.sh, never installed.
noinst_PROGRAMS += cgi/example/example.fcgi
cgi_example_example_fcgi_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(MARIADB_CFLAGS)
cgi_example_example_fcgi_SOURCES = cgi/example/main.c
cgi_example_example_fcgi_LDADD = $(CM_WEB_LIBS)
EXTRA_DIST += tests/web/example.sh
