# conf/: example configuration files, installed under $(pkgdatadir)/conf for
# operators to copy into /etc/certmint (never installed over a live config).
confexampledir = $(pkgdatadir)/conf
dist_confexample_DATA = conf/certmint.conf.example conf/migrate.conf.example conf/demo-data.sql \
	conf/certmint-signerd.service conf/certmint-expire.service conf/certmint-expire.timer \
	conf/certmint-audit-checkpoint.service conf/certmint-audit-checkpoint.timer
dist_confexample_DATA += conf/certmint-journal-check.service conf/certmint-journal-check.timer
# signer-profiles.conf and signerd.conf.example are installed by signer/local.mk.
dist_confexample_DATA += conf/certmint-notify.service conf/certmint-notify.timer
dist_confexample_DATA += conf/certmint-crl.service conf/certmint-crl.timer
dist_confexample_DATA += conf/certmint-ocsp-refresh.service conf/certmint-ocsp-refresh.timer
# Auto-enrollment (issue 11): Apache is reloaded when certmint rewrites a
# customer's Location file; the units run the script installed in libexec.
dist_confexample_DATA += conf/certmint-apache-reload.path conf/certmint-apache-reload.service
dist_pkglibexec_SCRIPTS = conf/certmint-apache-reload
