#!/bin/bash
# 78-customer-disabled.sh: certmint customer disable|enable: a disabled customer's administrators get the
# "customer is disabled" 403 page, the CLI refuses to issue for it; enabling restores both; both are audited.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-78-disabled.XXXXXX)
read -ra CLI <<< "$CERTMINT_CLI"
# Whatever happens, the demo customer is enabled again so later tests are not affected.
trap '"${CLI[@]}" customer enable "$CERTMINT_CUSTOMER" >/dev/null 2>&1; rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
NAME=$(sql "SELECT name FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/r.csr" \
	-subj "/CN=disabled-test.demo.test" -addext "subjectAltName=DNS:disabled-test.demo.test" 2>/dev/null

expect_eq "alice opens the portal while the customer is enabled" "$(req_as alice /)" 200

run customer --help
expect_eq "customer --help exits 0" "$rc" 0
run customer frobnicate "$CERTMINT_CUSTOMER"
expect_eq "an unknown sub-command exits 1" "$rc" 1
run customer disable no-such-customer-$$
expect_eq "an unknown customer exits 1" "$rc" 1
expect_match "and says so" "$err" 'no customer'

run customer disable "$CERTMINT_CUSTOMER"
expect_eq "customer disable exits 0" "$rc" 0
expect_eq "the row is disabled" "$(sql "SELECT enabled FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")" 0
expect_eq "a customer.disable audit row records enabled 1 -> 0" \
	"$(sql "SELECT CONCAT(before_json, ' ', after_json) FROM audit_log WHERE action = 'customer.disable' AND object_id = '$CERTMINT_CUSTOMER' ORDER BY id DESC LIMIT 1")" \
	'{"enabled":1} {"enabled":0}'

expect_eq "alice gets 403 on the home page" "$(req_as alice /)" 403
check "the page says the customer is disabled" grep -qF "The customer $NAME is disabled; ask the certmint operator." "$T/body"
expect_eq "alice gets 403 on the person list" "$(req_as alice /persons)" 403
check_not "the refused page shows no navigation" grep -qF 'href="/admin/certificates"' "$T/body"

n0=$(sql "SELECT COUNT(*) FROM certificates")
run issue --profile tls-server --csr "$T/r.csr" --customer "$CERTMINT_CUSTOMER"
expect_match "the CLI refuses to issue for the disabled customer (exit $rc)" "$rc" '^[12]$'
expect_match "and says the customer is disabled" "$err" 'disabled'
expect_eq "no certificate was stored" "$(sql "SELECT COUNT(*) FROM certificates")" "$n0"

run customer enable "$CERTMINT_CUSTOMER"
expect_eq "customer enable exits 0" "$rc" 0
expect_eq "the row is enabled" "$(sql "SELECT enabled FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")" 1
expect_match "a customer.enable audit row was written" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.enable' AND object_id = '$CERTMINT_CUSTOMER'")" '^[1-9]'
expect_eq "alice opens the portal again" "$(req_as alice /)" 200
run issue --profile tls-server --csr "$T/r.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "the CLI issues again" "$rc" 0
run audit verify
expect_eq "the audit chain is intact" "$rc" 0

done_testing
