# clients/: the auto-enrollment clients (Windows logon script, Linux script, certmonger CA helper),
# installed under $(pkgdatadir)/clients; the portal hands them out with @CERTMINT_URL@,
# @CERTMINT_CUSTOMER@, @CERTMINT_ORGID@ and @CERTMINT_DAYS@ filled in (docs/autoenroll-windows.md).
clientsdir = $(pkgdatadir)/clients
dist_clients_SCRIPTS = clients/certmint-autoenroll.sh clients/certmint-autoenroll-submit
dist_clients_DATA = clients/certmint-autoenroll.ps1
EXTRA_DIST += docs/autoenroll-windows.md
# Their checks without a stack (tests/static/autoenroll-clients.sh: syntax, a PowerShell parser from npm,
# a mock of the endpoint) and against the real one (tests/integration/38b-autoenroll-clients.sh).
EXTRA_DIST += tests/static/autoenroll-clients.sh tests/clients/mock-autoenroll.py \
	tests/clients/ps-parse.mjs tests/clients/package.json tests/clients/package-lock.json \
	tests/integration/38b-autoenroll-clients.sh
