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
	cgi/admin/cert_download.c
cgi_admin_admin_fcgi_LDADD = $(CM_WEB_LIBS)

# Unit tests of the admin side's lib modules (render.c, x509util.c).
check_PROGRAMS += tests/unit/test_x509util tests/unit/test_render
tests_unit_test_x509util_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_x509util_LDADD = lib/libcmweb.a lib/libcmcore.a $(OPENSSL_LIBS)
tests_unit_test_render_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_render_LDADD = lib/libcmweb.a lib/libcmcore.a $(CLEARSILVER_LIBS) $(OPENSSL_LIBS)
TESTS += tests/unit/test_x509util tests/unit/test_render
EXTRA_DIST += tests/static/templates-escape.sh tests/fuzz/fuzz_csr.c tests/integration/40-admin.sh
