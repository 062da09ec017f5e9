#!/bin/bash
# 46-issue-scope.sh: delegated administrators can issue only into their own
# organisations/departments and certificate types; refusals write no row.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-46-scope.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin

sql() {
	mariadb --socket="$CERTMINT_DB_SOCKET" -u "$CERTMINT_DB_USER" -p"$CERTMINT_DB_PASSWORD" \
		-N -B "$CERTMINT_DB_NAME" -e "$1"
}
# A failed query prints a unique marker, so two failures never compare equal.
cert_count() { sql 'SELECT COUNT(*) FROM certificates' 2>/dev/null || echo "query-failed-$RANDOM"; }

# as WHO: log in as that principal (own ticket cache and cookie jar).
as() {
	WHO=$1
	export KRB5CCNAME=FILE:$T/$WHO.cc
	JAR=$T/$WHO.jar
	printf '%s\n' "$2" | kinit "$3" >/dev/null 2>&1
}
get() {
	local path=$1; shift
	curl -s --negotiate -u : -b "$JAR" -c "$JAR" -o "$T/body" -D "$T/headers" \
		-w '%{http_code}' "$@" "$URL$path" > "$T/status"
	cat "$T/body"
}
status() { cat "$T/status"; }
csrf() { get /certificates/new | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1; }
# issue ORGVALUE CSRFILE PROFILE: POSTs the issue form.
issue() {
	get /certificates/new --data-urlencode "csrf=$TOKEN" --data-urlencode "csr@$2" \
		--data-urlencode "profile=$3" --data-urlencode "org=$1" >/dev/null
}

org_a=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
org_b=$(sql "SELECT id FROM organizations WHERE name = 'Other Organisation' AND deleted_at IS NULL LIMIT 1")
dept_a=$(sql "SELECT id FROM departments WHERE org_id = '$org_a' AND name = 'Engineering' LIMIT 1")
if [ -z "$org_a" ] || [ -z "$org_b" ] || [ -z "$dept_a" ]; then
	fail "fixture organisations and department exist"
	done_testing
	exit 1
fi
ok "fixture organisations and department exist"

mkcsr() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$T/$1.csr" \
		-subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}
mkcsr a "scope-a-$$.demo.test"
mkcsr d "scope-d-$$.demo.test"

# RAO of organisation A (carol)
as carol "$CERTMINT_RAO_A_PASSWORD" "$CERTMINT_RAO_A_PRINCIPAL"
TOKEN=$(csrf)
expect_match "RAO A gets a CSRF token" "$TOKEN" '^[0-9a-f]{64}$'
form=$(get /certificates/new)
expect_match "RAO A is offered organisation A" "$form" "option value=\"$org_a\""
case "$form" in
*"option value=\"$org_b\""*) fail "RAO A is not offered organisation B" ;;
*) ok "RAO A is not offered organisation B" ;;
esac
before=$(cert_count)
issue "$org_b" "$T/a.csr" tls-server
expect_eq "RAO A issuing into organisation B is refused with 400" "$(status)" 400
expect_match "the refusal says which field" "$(cat "$T/body")" 'Choose one of your organisations'
expect_eq "no certificate row written for the refused request" "$(cert_count)" "$before"
issue "" "$T/a.csr" tls-server
expect_eq "RAO A issuing outside any organisation is refused with 400" "$(status)" 400
expect_eq "still no row" "$(cert_count)" "$before"
issue "$org_a" "$T/a.csr" tls-server
expect_eq "RAO A issuing into organisation A succeeds (303)" "$(status)" 303
expect_eq "one row written" "$(cert_count)" "$((before + 1))"
expect_eq "the certificate belongs to organisation A" \
	"$(sql "SELECT org_id FROM certificates WHERE common_name = 'scope-a-$$.demo.test'")" "$org_a"

# SSL-only RAO of organisation A (frank) may not issue code-signing certificates
as frank "$CERTMINT_RAO_SSL_PASSWORD" "$CERTMINT_RAO_SSL_PRINCIPAL"
TOKEN=$(csrf)
before=$(cert_count)
issue "$org_a" "$T/d.csr" code-signing
expect_eq "SSL-only RAO issuing a code-signing certificate is refused with 400" "$(status)" 400
expect_eq "no row for it" "$(cert_count)" "$before"

# DRAO of department Engineering (erin)
as erin "$CERTMINT_DRAO_PASSWORD" "$CERTMINT_DRAO_PRINCIPAL"
TOKEN=$(csrf)
before=$(cert_count)
issue "$org_a" "$T/d.csr" tls-server
expect_eq "DRAO issuing at organisation level is refused with 400" "$(status)" 400
issue "$org_b" "$T/d.csr" tls-server
expect_eq "DRAO issuing into another organisation is refused with 400" "$(status)" 400
expect_eq "no rows for the refused requests" "$(cert_count)" "$before"
issue "$org_a/$dept_a" "$T/d.csr" tls-server
expect_eq "DRAO issuing into its department succeeds (303)" "$(status)" 303
expect_eq "the certificate belongs to the department" \
	"$(sql "SELECT dept_id FROM certificates WHERE common_name = 'scope-d-$$.demo.test'")" "$dept_a"
done_testing
