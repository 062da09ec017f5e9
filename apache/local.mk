# apache/: Apache snippets for real installs, and the template tests/stack.sh
# fills for a private instance; installed under $(pkgdatadir)/apache.
apachedir = $(pkgdatadir)/apache
dist_apache_DATA = apache/certmint-site.conf apache/certmint-admin.service apache/certmint-ocsp.service apache/certmint-scep.service \
	apache/certmint-autoenroll.service \
	apache/httpd-stack.conf.in
