#!/bin/bash
# 86-cert-lifecycle.sh: every transition of lib/cert_lifecycle.c (request, approve, issue, decline, revoke, renew,
# supersede, expire) against the stack's MariaDB and signer through tests/tools/cert-lifecycle-check: the row's
# status, its audit row, refused transitions, and failures halfway (an audit row refused by a test trigger) that
# must leave nothing written; and the portal's renewal, which links the new certificate to the old one.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG
URL=$CERTMINT_URL/admin

CHECK="$CERTMINT_BUILD/tests/tools/cert-lifecycle-check"
T=$(mktemp -d /tmp/cm-86-lifecycle.XXXXXX)
cleanup() {
	sql "DROP TRIGGER IF EXISTS audit_log_test_86_fail" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
[ -x "$CHECK" ] || { fail "cert-lifecycle-check built ($CHECK)"; done_testing; exit 1; }

TAG=$$$RANDOM
# ---- fixture: two organisations with demo.test delegated for SSL, one approving by hand, one at once
cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
for k in 0 1; do
	sql "INSERT INTO organizations (customer_id, name, country, ssl_auto_approve) VALUES ($cust, 'Lifecycle86 $k $TAG', 'GB', $k)"
	sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
		SELECT d.id, o.id, NULL, 'ssl', 'approved' FROM domains d JOIN organizations o ON o.name = 'Lifecycle86 $k $TAG'
		WHERE d.customer_id = $cust AND d.name = 'demo.test'"
done
MANUAL=$(sql "SELECT id FROM organizations WHERE name = 'Lifecycle86 0 $TAG'")
AUTO=$(sql "SELECT id FROM organizations WHERE name = 'Lifecycle86 1 $TAG'")
expect_match "fixture organisations" "$MANUAL $AUTO" '^[0-9]+ [0-9]+$'
for i in 1 2 3 4 5 6 7 8; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/$i.csr" \
		-subj "/CN=lc86-$i-$TAG.demo.test" -addext "subjectAltName=DNS:lc86-$i-$TAG.demo.test" 2>/dev/null
done

# The tool prints TAP of its own; renumber it after ours.
"$CHECK" "$CERTMINT_CONF" "$cust" "$MANUAL" "$AUTO" "$T" > "$T/out" 2> "$T/err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done < "$T/out"
expect_eq "cert-lifecycle-check exits 0" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/#   stderr: /' "$T/err" | head -20
byname() { sql "SELECT id FROM certificates WHERE customer_id = $cust AND common_name = 'lc86-$1-$TAG.demo.test' ORDER BY id LIMIT 1"; }
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/$1.csr" \
		-subj "/CN=lc86-$1-$TAG.demo.test" -addext "subjectAltName=DNS:lc86-$1-$TAG.demo.test" 2>/dev/null
}

# ---- the portal's renewal (a master administrator): the form carries the id, the new row is linked
S=$(byname 4)   # issued, in the organisation that approves at once
R=$(byname 1)   # revoked, in the one that approves by hand
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
page=$(get "/certificates/new?renew=$S")
expect_match "the renewal form carries the certificate it renews" "$page" "name=\"renew\" value=\"$S\""
MCSRF=$(csrf_of "$page")
mkcsr web1
post /certificates/new "csr@$T/web1.csr" profile=tls-server "org=$AUTO" "renew=$S" "csrf=$MCSRF" > /dev/null
expect_eq "renewing through the portal (303)" "$(status)" 303
N=$(header Location); N=${N##*/}
expect_eq "... issues a new certificate linked to the old one" "$(sql "SELECT CONCAT(status, '/', renews_id) FROM certificates WHERE id = '${N:-0}'")" "issued/$S"
expect_match "... audited with renews" "$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.issue' AND object_id = '${N:-0}'")" "\"renews\":$S"
mkcsr web2
post /certificates/new "csr@$T/web2.csr" profile=tls-server "org=$MANUAL" "renew=$R" "csrf=$MCSRF" > /dev/null
expect_eq "renewing a revoked certificate where requests wait (303)" "$(status)" 303
N=$(header Location); N=${N##*/}
expect_eq "... stores a linked request" "$(sql "SELECT CONCAT(status, '/', renews_id) FROM certificates WHERE id = '${N:-0}'")" "requested/$R"
D=$(byname 2)   # declined
mkcsr web3
n0=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cust")
post /certificates/new "csr@$T/web3.csr" profile=tls-server "org=$MANUAL" "renew=$D" "csrf=$MCSRF" > /dev/null
expect_eq "renewing a declined request is 409" "$(status)" 409
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as $CERTMINT_RAO_A_PRINCIPAL"
CCSRF=$(csrf)
post /certificates/new "csr@$T/web3.csr" profile=tls-server "renew=$S" "csrf=$CCSRF" > /dev/null
expect_eq "an RAO cannot renew a certificate outside its organisations (404)" "$(status)" 404
expect_eq "... and neither refusal wrote a row" "$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cust")" "$n0"

expect_eq "the test trigger is gone" "$(sql "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_name = 'audit_log_test_86_fail'")" 0
done_testing
