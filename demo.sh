#!/bin/bash
# demo.sh: installs what is missing, builds, and runs a private certmint demo
# instance in ./var/demo until Ctrl-C (running it again reuses the instance).
set -u
ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT" || exit 1
DEMO=$ROOT/var/demo
BUILD=${CERTMINT_BUILD:-$ROOT/_build/plain}

tests/deps.sh || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (sudo ./demo.sh): the demo creates system users (certmint-signer, certmint-admin) and runs services as them and www-data" >&2
	exit 1
fi

echo "demo: building in $BUILD ..."
if [ ! -x configure ]; then
	./autogen.sh > /dev/null 2>&1 || { echo "demo: ./autogen.sh failed" >&2; exit 1; }
fi
mkdir -p "$BUILD"
if [ ! -f "$BUILD/Makefile" ]; then
	(cd "$BUILD" && "$ROOT/configure" -q) || { echo "demo: configure failed" >&2; exit 1; }
fi
make -C "$BUILD" -s -j2 > "$ROOT/_build/demo-build.log" 2>&1 \
	|| { tail -30 "$ROOT/_build/demo-build.log"; echo "demo: build failed (log: _build/demo-build.log)" >&2; exit 1; }

mkdir -p "$ROOT/var"
chmod 755 "$ROOT/var"
export CERTMINT_BUILD=$BUILD
if ! tests/stack.sh up "$DEMO"; then
	echo "demo: the stack did not start (logs in $DEMO/logs)" >&2
	exit 1
fi
STOPPING=0
SLEEP_PID=""
stop() {
	[ "$STOPPING" = 1 ] && return
	STOPPING=1
	[ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null
	echo
	echo "demo: stopping ..."
	tests/stack.sh down "$DEMO"
	echo "demo: stopped; data kept in $DEMO (run ./demo.sh again to reuse it)"
	exit 0
}
trap stop INT TERM HUP EXIT

# shellcheck disable=SC1091
. "$DEMO/stack.env"
# The root CA is the last certificate of the chain file.
awk '/BEGIN CERTIFICATE/{b=""} {b=b $0 "\n"} /END CERTIFICATE/{last=b} END{printf "%s", last}' \
	"$CERTMINT_CA_PEM" > "$DEMO/ca-root.pem"

# One aligned "principal  password  what" line of the logins list.
demo_login() {
	printf '   %-26s password %-26s (%s)' "$1" "$2" "$3"
}

cat <<EOF

================================================================ certmint demo
Admin portal in a browser:  $CERTMINT_HTTPS_URL/admin/
   log in with a Kerberos user name and password below
   (Apache checks them against the demo KDC: GssapiBasicAuth, https only).
Admin portal for Kerberos Negotiate only (curl --negotiate, domain browsers
with a ticket; a browser without one gets a 401 page): $CERTMINT_URL/admin/

Demo logins (realm $CERTMINT_REALM; user name without the realm in a browser):
$(demo_login "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" "MRAO: the whole customer")
$(demo_login "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" "RAO of Demo Organisation")
$(demo_login "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" "RAO of Other Organisation")
$(demo_login "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" "DRAO of the Engineering department")
$(demo_login "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" "RAO limited to SSL certificates")
$(demo_login "$CERTMINT_USER_PRINCIPAL" "$CERTMINT_USER_PASSWORD" "not an administrator: gets 403")
$(demo_login "$CERTMINT_SPARE_PRINCIPAL" "$CERTMINT_SPARE_PASSWORD" "not yet an administrator: add them on the Administrators page")

Negotiate from a shell:
   export KRB5_CONFIG=$KRB5_CONFIG KRB5CCNAME=FILE:/tmp/certmint-demo-cc && kinit $CERTMINT_ADMIN_PRINCIPAL
   curl --negotiate -u : $CERTMINT_URL/admin/

Browsers and Negotiate (needs a ticket from kinit above, same KRB5_CONFIG):
   Firefox:  about:config  network.negotiate-auth.trusted-uris = localhost
   Chromium: --auth-server-allowlist=localhost
             (Debian's chromium does not send Negotiate tokens; use the https
             URL with user name + password instead)

CA certificate to import (trust for the https URL): $DEMO/ca-root.pem
   full chain: $CERTMINT_CA_PEM
   curl --cacert $CERTMINT_CA_PEM $CERTMINT_HTTPS_URL/admin/ -u ${CERTMINT_ADMIN_PRINCIPAL%@*}

Command line:  $CERTMINT_CLI status
Schema:        $CERTMINT_CLI migrate   (migration account: $CERTMINT_MIGRATE_CONF)
Users:         admin.fcgi runs as $CERTMINT_ADMIN_FCGI_USER, Apache as $CERTMINT_WEB_USER (no signer access)
OCSP:          openssl ocsp -issuer $CERTMINT_STACK_DIR/publish/ca/issuing.crt -cert CERT.pem -url $CERTMINT_URL/ocsp -CAfile $CERTMINT_CA_PEM
               (ocsp.fcgi runs as $CERTMINT_OCSP_FCGI_USER, which signerd lets sign OCSP responses only)
SCEP:          $CERTMINT_SCEP_URL
               challenge: $CERTMINT_ACCESS_CODE (Demo Organisation, issued at once; mail domain $CERTMINT_EMAIL_DOMAIN)
               challenge: $CERTMINT_ACCESS_CODE_MANUAL (Manual Organisation, approved by hand; $CERTMINT_EMAIL_DOMAIN_MANUAL)
               e.g. scepclient -server-url=$CERTMINT_SCEP_URL -challenge=$CERTMINT_ACCESS_CODE \\
                    -private-key DIR/key.pem -cn you@$CERTMINT_EMAIL_DOMAIN   (key: openssl genrsa -traditional 2048)
Logs:          $DEMO/logs/
===============================================================================
demo: running; press Ctrl-C to stop everything.
EOF

# wait (unlike a foreground sleep) returns as soon as a signal arrives.
sleep infinity &
SLEEP_PID=$!
wait "$SLEEP_PID"
