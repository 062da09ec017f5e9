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
	echo "demo: run as root (sudo ./demo.sh): the demo creates a system user and runs services as www-data" >&2
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

cat <<EOF

================================================================ certmint demo
Admin portal (browser, any machine):  $CERTMINT_HTTPS_URL/admin/
   log in with the Kerberos user name and password below
   (Apache checks them against the demo KDC: GssapiBasicAuth, https only).
Admin portal (Kerberos Negotiate):     $CERTMINT_URL/admin/

Demo logins (realm $CERTMINT_REALM):
   $CERTMINT_ADMIN_PRINCIPAL   password $CERTMINT_ADMIN_PASSWORD   (MRAO administrator)
   $CERTMINT_USER_PRINCIPAL     password $CERTMINT_USER_PASSWORD   (not an administrator: gets 403)

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
Logs:          $DEMO/logs/
===============================================================================
demo: running; press Ctrl-C to stop everything.
EOF

# wait (unlike a foreground sleep) returns as soon as a signal arrives.
sleep infinity &
SLEEP_PID=$!
wait "$SLEEP_PID"
