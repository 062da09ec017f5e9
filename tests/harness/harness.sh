# tests/harness/harness.sh: page tests without Apache or Kerberos (sourced after tests/lib.sh).
#
# harness_up [PROGRAM]: makes the FastCGI program (default cgi/admin/admin.fcgi of
# $CERTMINT_BUILD) serve a private socket against MariaDB and signerd only, with the
# demo data and administrators of tests/stack.sh. When $CERTMINT_PAGES names a running
# page stack (tests/stack.sh up DIR --pages; tests/run.sh starts one for all page
# tests) it is used; otherwise the script gets its own, stopped on exit.
# Then tests/lib.sh's login_as/get/post/req_as/csrf go to the socket: login_as NAME
# PRINCIPAL sets REMOTE_USER, as Apache does after a Negotiate login; each NAME has
# its cookie jar. page_get and page_post are the short forms for one request.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CERTMINT_BUILD=${CERTMINT_BUILD:-$ROOT/_build/plain}
FCGI_CALL=$CERTMINT_BUILD/tests/tools/fcgi-call
HARNESS_OWN_STACK=""
HARNESS_PID=""
HARNESS_DIR=""

# harness_up [PROGRAM [ARGS...]]: 0, or 1 with a message (the caller fails). Call it
# where a stack test sources stack.env; it sets an EXIT trap that stops what it
# started, and a test that sets its own EXIT trap later calls harness_down in it.
harness_up() {
	local prog=${1:-$CERTMINT_BUILD/cgi/admin/admin.fcgi} stack=${CERTMINT_PAGES:-} i
	[ $# -gt 0 ] && shift
	trap harness_down EXIT
	trap 'exit 130' INT TERM HUP
	[ -x "$FCGI_CALL" ] || { echo "# $FCGI_CALL is missing: build certmint first" >&2; return 1; }
	# Short path: a page stack made here keeps its MariaDB and signer sockets inside.
	HARNESS_DIR=$(mktemp -d /tmp/cm-pg.XXXXXX) && chmod 755 "$HARNESS_DIR" || return 1
	if [ -z "$stack" ] || [ ! -f "$stack/stack.env" ]; then
		stack=$HARNESS_DIR/stack
		HARNESS_OWN_STACK=$stack
		CERTMINT_BUILD=$CERTMINT_BUILD "$ROOT/tests/stack.sh" up "$stack" --pages \
			> "$HARNESS_DIR/stack-up.log" 2>&1 || { sed 's/^/# /' "$HARNESS_DIR/stack-up.log" >&2; return 1; }
	fi
	# shellcheck disable=SC1091
	. "$stack/stack.env"
	# The schema and the programs' grants (certmint migrate, the migration
	# account), as stack.sh does: a page stack reused from an older tree
	# would otherwise keep the program waiting for its schema.
	if [ "$(id -u)" = 0 ] && [ -f "${CERTMINT_MIGRATE_CONF:-}" ]; then
		"$CERTMINT_BUILD/tools/certmint" -c "$CERTMINT_CONF" migrate > "$HARNESS_DIR/migrate.log" 2>&1 \
			|| { sed 's/^/# /' "$HARNESS_DIR/migrate.log" >&2; return 1; }
	fi
	# Only the path of a URL reaches the program; this keeps tests' URL building as it is.
	export CERTMINT_URL=http://localhost CERTMINT_HTTPS_URL=https://localhost
	CERTMINT_HARNESS_SOCKET=$stack/run/page-$$.sock
	rm -f "$CERTMINT_HARNESS_SOCKET"
	# Its own session, so that harness_down stops the workers with it. It runs as
	# the caller (root in CI): no -u, the socket is the caller's alone.
	setsid "$prog" "$@" -c "$CERTMINT_CONF" -s "$CERTMINT_HARNESS_SOCKET" -n 2 \
		< /dev/null >> "$HARNESS_DIR/program.log" 2>&1 &
	HARNESS_PID=$!
	for i in $(seq 200); do
		[ -S "$CERTMINT_HARNESS_SOCKET" ] && break
		kill -0 "$HARNESS_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$CERTMINT_HARNESS_SOCKET" ]; then
		sed 's/^/# /' "$HARNESS_DIR/program.log" >&2
		echo "# $prog did not open $CERTMINT_HARNESS_SOCKET" >&2
		return 1
	fi
	export CERTMINT_HARNESS_SOCKET
	return 0
}

# harness_down: stops the program (and the page stack when harness_up made it).
# Safe to call twice.
harness_down() {
	local n
	if [ -n "$HARNESS_PID" ]; then
		kill -TERM "$HARNESS_PID" 2>/dev/null
		for n in $(seq 50); do
			kill -0 "$HARNESS_PID" 2>/dev/null || break
			sleep 0.1
		done
		# The workers are in the group setsid made for the program alone.
		kill -TERM -- "-$HARNESS_PID" 2>/dev/null
		sleep 0.1
		kill -KILL -- "-$HARNESS_PID" 2>/dev/null
		HARNESS_PID=""
	fi
	[ -n "${CERTMINT_HARNESS_SOCKET:-}" ] && rm -f "$CERTMINT_HARNESS_SOCKET"
	if [ -n "$HARNESS_OWN_STACK" ]; then
		"$ROOT/tests/stack.sh" down "$HARNESS_OWN_STACK" > /dev/null 2>&1
		HARNESS_OWN_STACK=""
	fi
	[ -n "${HARNESS_DIR:-}" ] && rm -rf "$HARNESS_DIR"
	HARNESS_DIR=""
	return 0
}

# harness_get URL [curl args...]: what tests/lib.sh's get does with curl, through
# fcgi-call: the body on stdout and in $T/body, $T/headers, $T/status. Takes the
# curl options the tests use (-X, -d/--data, --data-binary, --data-urlencode, -F,
# -H, -I) and
# refuses others, so a test never silently sends something else.
harness_get() {
	local url=$1 uri a
	shift
	local args=(-s "$CERTMINT_HARNESS_SOCKET" -D "$T/headers" -o "$T/body")
	[ -n "${HARNESS_USER:-}" ] && args+=(-U "$HARNESS_USER")
	[ -n "${JAR:-}" ] && args+=(-c "$JAR")
	while [ $# -gt 0 ]; do
		a=$1; shift
		case $a in
		-X|--request) args+=(-m "$1"); shift ;;
		--data-binary)
			# @FILE: the file's bytes as they are (a raw body); else the text.
			if [ "${1#@}" != "$1" ]; then args+=(-b "${1#@}" -T application/x-www-form-urlencoded)
			else args+=(-d "$1"); fi
			shift ;;
		-d|--data|--data-raw) args+=(-d "$1"); shift ;;
		--data-urlencode) args+=(-e "$1"); shift ;;
		-F|--form) args+=(-F "$1"); shift ;;
		-H|--header) args+=(-H "$1"); shift ;;
		-I|--head) args+=(-m HEAD) ;;
		-s|--silent|-k|--insecure) ;;
		--cacert) shift ;;
		*) echo "# harness_get: curl option $a is not supported" >&2; echo 000 > "$T/status"; return 1 ;;
		esac
	done
	uri=${url#*://}
	uri=/${uri#*/}
	[ "$uri" = "/${url#*://}" ] && uri=/
	"$FCGI_CALL" "${args[@]}" "$uri" > "$T/status"
	cat "$T/body"
}

# page_get USER PATH [curl args...]: GET PATH as PRINCIPAL USER (REMOTE_USER; "" for
# nobody), with that user's cookie jar; prints the status, leaves the body in $T/body.
page_get() {
	local user=$1 path=$2 key
	shift 2
	key=$(printf '%s' "${user:-anonymous}" | tr -c 'A-Za-z0-9_.-' _)
	printf '%s\n' "$user" > "$T/$key.user"
	JAR=$T/$key.jar HARNESS_USER=$user get "$path" "$@" > /dev/null
	status
}

# page_post USER PATH FIELD=VALUE...: POST the urlencoded form (FIELD@FILE reads a
# file) with USER's own CSRF token, which it fetches once from a form page first
# (the token lives in the session cookie, as in a browser). Prints the status.
page_post() {
	local user=$1 path=$2 key f tok args=()
	shift 2
	key=$(printf '%s' "${user:-anonymous}" | tr -c 'A-Za-z0-9_.-' _)
	if [ ! -s "$T/$key.csrf" ]; then
		page_get "$user" /certificates/new > /dev/null
		csrf_of > "$T/$key.csrf"
	fi
	tok=$(cat "$T/$key.csrf")
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	page_get "$user" "$path" --data-urlencode "csrf=$tok" "${args[@]}"
}
