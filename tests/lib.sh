# tests/lib.sh: TAP helpers for certmint's shell integration tests (sourced).
# Each test script sources this and stack.env, then calls ok/fail/check.
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
fail() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
# check "name" cmd args...: passes when the command exits 0
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }
# check_not "name" cmd args...: passes when the command exits non-zero
check_not() { name=$1; shift; if "$@" >/dev/null 2>&1; then fail "$name"; else ok "$name"; fi; }
# expect_eq "name" got want
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fi
}
# expect_match "name" text regex (grep -E)
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1"; echo "#   no match for /$3/ in: $(printf '%s' "$2" | head -c 400)"; fi
}
diag() { echo "# $*"; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }

# ---- helpers for tests that talk to the private stack (tests/stack.sh).
# They read stack.env's variables when called, and need T (the test's own
# temporary directory). Requests go to ${URL:-$CERTMINT_URL/admin} + PATH.

# sql QUERY: runs QUERY as the database's owner (the migration account;
# the programs' own account may not change the schema or the audit log,
# which tests set up and tamper with) and prints the rows tab-separated
# without a header; the password travels in the environment, not argv.
sql() {
	MYSQL_PWD="${CERTMINT_DB_MIGRATE_PASSWORD:-$CERTMINT_DB_PASSWORD}" mariadb --socket="$CERTMINT_DB_SOCKET" \
		-u "${CERTMINT_DB_MIGRATE_USER:-$CERTMINT_DB_USER}" -N -B "$CERTMINT_DB_NAME" -e "$1"
}

# login_as NAME [PRINCIPAL PASSWORD]: later requests (get, post, curl) use
# NAME's ticket cache $T/NAME.cc and cookie jar $T/NAME.jar. With PRINCIPAL
# and PASSWORD, kinit when NAME has no ticket yet; returns 1 when that fails.
# With NAME alone, switches back to someone logged in earlier.
# Under the page harness (tests/harness/harness.sh) there is no KDC: the
# request carries PRINCIPAL as REMOTE_USER, as Apache would after a login.
login_as() {
	JAR=$T/$1.jar
	if [ -n "${CERTMINT_HARNESS_SOCKET:-}" ]; then
		[ $# -ge 2 ] && printf '%s\n' "$2" > "$T/$1.user"
		[ -s "$T/$1.user" ] || return 1
		HARNESS_USER=$(cat "$T/$1.user")
		return 0
	fi
	export KRB5CCNAME=FILE:$T/$1.cc
	if [ $# -ge 3 ] && [ ! -s "$T/$1.cc" ]; then
		printf '%s\n' "$3" | kinit "$2" >/dev/null 2>&1 || return 1
	fi
	return 0
}

# get PATH [curl args...]: one Negotiate request; prints the body and leaves
# it in $T/body, the headers in $T/headers and the HTTP status in $T/status
# (see status, header). Cookies go through $JAR when it is set. Under the
# page harness the request goes straight to the program's FastCGI socket
# (harness_get), with the same files as the result.
get() {
	local path=$1; shift
	if [ -n "${CERTMINT_HARNESS_SOCKET:-}" ]; then
		harness_get "${URL:-$CERTMINT_URL/admin}$path" "$@"
		return
	fi
	local jar=()
	[ -n "${JAR:-}" ] && jar=(-b "$JAR" -c "$JAR")
	curl -s --negotiate -u : "${jar[@]}" -D "$T/headers" -o "$T/body" \
		-w '%{http_code}' "$@" "${URL:-$CERTMINT_URL/admin}$path" > "$T/status"
	cat "$T/body"
}
# req_as WHO PATH [curl args...]: get as WHO (logged in earlier by login_as,
# whom later requests then use too), printing the HTTP status, not the body.
req_as() {
	local path=$2
	login_as "$1"
	shift 2
	get "$path" "$@" > /dev/null
	status
}
# post PATH FIELD=VALUE...: get with an urlencoded POST body (FIELD@FILE
# reads the value from FILE, as curl --data-urlencode does).
post() {
	local path=$1; shift
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	get "$path" "${args[@]}"
}
# status: the HTTP status of the last get/post.
status() { cat "$T/status"; }
# header NAME: the value of the last response's first NAME header.
header() { grep -i "^$1:" "$T/headers" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
# location: the Location header of the last response, without the line end.
location() { sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p' "$T/headers" | head -n 1; }

# csrf_of [TEXT]: the first CSRF token in TEXT (a page), or in the last
# response body when no TEXT is given.
csrf_of() {
	if [ $# -gt 0 ]; then printf '%s' "$1"; else cat "$T/body"; fi |
		sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1
}
# csrf [PATH]: GETs PATH (default /certificates/new) and prints its CSRF token.
csrf() { get "${1:-/certificates/new}" > /dev/null; csrf_of; }

# error_after FIELD: the error text inside the same <div class="field"> as the
# input/select with id FIELD, in the last response body.
error_after() {
	tr '\n' ' ' < "$T/body" | sed 's/<div class="field/\n&/g' | grep -F "id=\"$1\"" |
		grep -o '<p class="error-text">[^<]*' | sed 's/.*error-text">//'
}
