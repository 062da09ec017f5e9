#!/bin/bash
# 46-issue-scope.sh: delegated administrators can issue only into their own
# organisations/departments and certificate types; refusals write no row.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-46-scope.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin

# A failed query prints a unique marker, so two failures never compare equal.
cert_count() { sql 'SELECT COUNT(*) FROM certificates' 2>/dev/null || echo "query-failed-$RANDOM"; }

# issue ORGVALUE CSRFILE PROFILE: POSTs the issue form.
issue() {
	post /certificates/new "csrf=$TOKEN" "csr@$2" "profile=$3" "org=$1" >/dev/null
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
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD"
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
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD"
TOKEN=$(csrf)
before=$(cert_count)
issue "$org_a" "$T/d.csr" code-signing
expect_eq "SSL-only RAO issuing a code-signing certificate is refused with 400" "$(status)" 400
expect_eq "no row for it" "$(cert_count)" "$before"

# DRAO of department Engineering (erin)
login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD"
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
