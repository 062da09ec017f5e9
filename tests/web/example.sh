#!/bin/bash
# tests/web/example.sh: the web layer (lib/web*.c) end to end through example.fcgi on a unix socket, no Apache, no database.
# Usage: tests/web/example.sh [BUILD_DIR] (default $CERTMINT_BUILD, else _build/plain). TAP output.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. tests/lib.sh
BUILD=${1:-${CERTMINT_BUILD:-$ROOT/_build/plain}}
FCGI=$BUILD/cgi/example/example.fcgi
T=$(mktemp -d /tmp/cm-web-example.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

if [ ! -x "$FCGI" ] || ! command -v cgi-fcgi >/dev/null; then
	fail "example.fcgi ($FCGI) and cgi-fcgi (libfcgi-bin) are there"
	done_testing
	exit 1
fi

# ---- --routes: the table, with each route's body rule
routes=$("$FCGI" --routes)
expect_eq "--routes prints the table" "$routes" "GET /example -
GET /example/items/# -
POST /example/items/# body=urlencoded,max=1024
POST /example/digest body=raw:application/octet-stream|application/pkcs10,max=4096"

# ---- start it: a configuration that names a database it never opens
cat > "$T/certmint.conf" <<CONF
[database]
name = none
user = none
[signer]
socket = $T/no-signer.sock
CONF
SOCK=$T/example.sock
"$FCGI" -c "$T/certmint.conf" -s "$SOCK" -n 1 2> "$T/log" &
PID=$!
for _ in $(seq 1 100); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
check "example.fcgi serves $SOCK without a database" test -S "$SOCK"

# fcgi METHOD URI [CONTENT_TYPE [BODY_FILE [CONTENT_LENGTH]]]: one FastCGI
# request; the response goes to $T/resp, its status code to $T/status.
fcgi() {
	local method=$1 uri=$2 ctype=${3:-} body=${4:-/dev/null} len=${5:-}
	local env=(REQUEST_METHOD="$method" REQUEST_URI="$uri" QUERY_STRING="${uri#*\?}")
	[ "$uri" = "${uri#*\?}" ] && env[2]=QUERY_STRING=
	[ -n "$ctype" ] && env+=(CONTENT_TYPE="$ctype")
	[ -z "$len" ] && [ "$body" != /dev/null ] && len=$(stat -c %s "$body")
	[ -n "$len" ] && env+=(CONTENT_LENGTH="$len")
	env -i PATH="$PATH" "${env[@]}" cgi-fcgi -bind -connect "$SOCK" < "$body" > "$T/resp" 2>/dev/null
	sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/resp" | tr -d '\r' > "$T/status"
	cat "$T/status"
}
body() { sed '1,/^\r\?$/d' "$T/resp"; }

expect_eq "GET /example: 200" "$(fcgi GET /example)" 200
check "GET /example: the page" grep -q 'example home' "$T/resp"
expect_eq "HEAD /example is served by the GET route" "$(fcgi HEAD /example)" 200
expect_eq "GET /nowhere: 404" "$(fcgi GET /nowhere)" 404
check "404 says so" grep -q 'There is no such page' "$T/resp"
expect_eq "DELETE /example: 405 (the path exists)" "$(fcgi DELETE /example)" 405
check "405 says so" grep -q 'cannot be used that way' "$T/resp"
expect_eq "POST /example (a GET route): 405" "$(fcgi POST /example application/x-www-form-urlencoded /dev/null 0)" 405
expect_eq "GET /example/ with a trailing slash is the same page" "$(fcgi GET /example/)" 200

# ---- '#' segments are positive ids
expect_eq "GET /example/items/42: 200" "$(fcgi GET /example/items/42)" 200
expect_eq "the handler gets the id" "$(body)" "item 42"
for bad in 0 007 -1 x1 1x 1234567890123456789; do
	expect_eq "GET /example/items/$bad: 404 (not an id)" "$(fcgi GET "/example/items/$bad")" 404
done
expect_eq "GET /example/items/42/more: 404" "$(fcgi GET /example/items/42/more)" 404
expect_eq "a path with '..' is refused before routing (400)" "$(fcgi GET /example/../etc)" 400

# ---- a url-encoded form with its own cap (1024 bytes)
printf 'name=R%%C3%%A9sum%%C3%%A9+one' > "$T/form"
expect_eq "POST a form: 200" "$(fcgi POST /example/items/7 application/x-www-form-urlencoded "$T/form")" 200
expect_eq "the handler gets the decoded field" "$(body)" "item 7 name=Résumé one"
expect_eq "POST a form as multipart: 415 (the route takes url-encoded only)" \
	"$(fcgi POST /example/items/7 'multipart/form-data; boundary=x' "$T/form")" 415
check "415 names the type the route takes" grep -q 'send application/x-www-form-urlencoded' "$T/resp"
head -c 1100 /dev/zero | tr '\0' a | sed 's/^/name=/' > "$T/bigform"
expect_eq "a form over the route's 1024 bytes: 413" "$(fcgi POST /example/items/7 application/x-www-form-urlencoded "$T/bigform")" 413
check "413 gives the cap" grep -q 'larger than the 1024 bytes allowed' "$T/resp"
expect_eq "a POST without Content-Length: 411" "$(fcgi POST /example/items/7 application/x-www-form-urlencoded)" 411
expect_eq "a body shorter than its Content-Length: 400" \
	"$(fcgi POST /example/items/7 application/x-www-form-urlencoded "$T/form" 100)" 400

# ---- a raw body (application/octet-stream or application/pkcs10, 4096 bytes)
head -c 3000 /dev/urandom > "$T/raw"
want=$(sha256sum < "$T/raw" | cut -d' ' -f1)
expect_eq "POST a raw body: 200" "$(fcgi POST /example/digest application/octet-stream "$T/raw")" 200
expect_eq "the handler gets every byte" "$(body)" "3000 bytes of application/octet-stream sha256=$want"
expect_eq "the second raw type: 200" "$(fcgi POST /example/digest 'application/pkcs10; x=y' "$T/raw")" 200
printf 'a\0b' > "$T/nul"
expect_eq "a raw body keeps NUL bytes" "$(fcgi POST /example/digest application/octet-stream "$T/nul"; body)" \
	"200
3 bytes of application/octet-stream sha256=$(sha256sum < "$T/nul" | cut -d' ' -f1)"
expect_eq "an empty raw body: 200" "$(fcgi POST /example/digest application/octet-stream /dev/null 0)" 200
expect_eq "another type: 415" "$(fcgi POST /example/digest application/x-www-form-urlencoded "$T/form")" 415
check "415 names the types the route takes" \
	grep -q 'send application/octet-stream or application/pkcs10' "$T/resp"
expect_eq "a raw body without a type: 415" "$(fcgi POST /example/digest '' "$T/raw")" 415
head -c 5000 /dev/urandom > "$T/bigraw"
expect_eq "a raw body over the route's 4096 bytes: 413" "$(fcgi POST /example/digest application/octet-stream "$T/bigraw")" 413
check "413 gives the cap" grep -q 'larger than the 4096 bytes allowed' "$T/resp"
expect_eq "a Content-Length of 1 GB is refused at once (413)" \
	"$(fcgi POST /example/digest application/octet-stream "$T/raw" 1000000000)" 413

# ---- still serving after all that, and nothing went wrong inside
expect_eq "still serving" "$(fcgi GET /example/items/1)" 200
check_not "no sanitizer or error report in the log" grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' "$T/log"
kill "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
rc=$?
PID=
expect_eq "stops cleanly on SIGTERM" "$rc" 0
done_testing
