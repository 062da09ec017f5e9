#!/bin/sh
# Installs the Debian 12 packages certmint needs to build, test and demo.
# Usage: tests/deps.sh [--print]   (as root: installs what is missing;
# otherwise prints the apt-get line and exits 1)
set -eu

PKGS="gcc make autoconf automake libtool pkg-config clang libclang-rt-14-dev
 libfcgi-dev libfcgi-bin clearsilver-dev zlib1g-dev
 libssl-dev openssl ca-certificates
 mariadb-server mariadb-client libmariadb-dev
 krb5-kdc krb5-admin-server krb5-user libkrb5-dev
 slapd ldap-utils libldap2-dev libcurl4-openssl-dev curl
 apache2 libapache2-mod-fcgid libapache2-mod-auth-gssapi
 chromium fonts-dejavu-core procps iproute2 xxd dpkg-dev publicsuffix
 python3-aiosmtpd
 scep certmonger
 samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind ldb-tools smbclient
 libsasl2-modules-gssapi-mit"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
# Node.js may come from elsewhere (it ships its own npm); only ask Debian when absent.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--print" ] || [ "$(id -u)" != 0 ]; then
	echo "certmint: missing packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi

# No init scripts may start system services on standard ports while we install.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	created_policy=1
fi
echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
echo "certmint: installing:$missing" >&2
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
exit 0
