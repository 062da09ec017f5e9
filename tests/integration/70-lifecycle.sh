#!/bin/bash
# 70-lifecycle.sh: the request/approval lifecycle through HTTP: request in an
# organisation without auto-approve, approval and issuance by its RAO,
# decline with a message, revocation with an RFC 5280 reason, refused
# transitions (409, nothing changed), another organisation's RAO kept out,
# renewal pre-fill, and the list's filters and search.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-70-lifecycle.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin

mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.csr" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}
col() { sql "SELECT $2 FROM certificates WHERE id = '${1:-0}'"; }

TAG=$$$RANDOM
# ---- fixture: an organisation that approves by hand, with demo.test delegated
# for SSL, and carol (RAO of Demo Organisation) also RAO of it.
cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
sql "INSERT INTO organizations (customer_id, name, country, ssl_auto_approve) VALUES ($cust, 'Lifecycle $TAG', 'GB', 0)"
ORG=$(sql "SELECT id FROM organizations WHERE name = 'Lifecycle $TAG'")
sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $ORG, NULL, 'ssl', 'approved' FROM domains d WHERE d.customer_id = $cust AND d.name = 'demo.test'"
sql "INSERT INTO admin_scopes (admin_id, org_id) SELECT id, $ORG FROM admins WHERE principal = '$CERTMINT_RAO_A_PRINCIPAL'"
expect_match "fixture organisation without auto-approve" "${ORG:-}" '^[0-9]+$'

mkcsr r1 "life-a-$TAG.demo.test"
mkcsr r2 "life-b-$TAG.demo.test"
mkcsr bad "www.google.com"

# ---- a request instead of a certificate
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
MCSRF=$(csrf)
post /certificates/new "csr@$T/bad.csr" profile=tls-server "org=$ORG" "csrf=$MCSRF" > /dev/null
expect_eq "a request with a name outside the delegated domains is refused (400)" "$(status)" 400
expect_eq "... and stores nothing" "$(sql "SELECT COUNT(*) FROM certificates WHERE org_id = $ORG")" 0
post /certificates/new "csr@$T/r1.csr" profile=tls-server "org=$ORG" "csrf=$MCSRF" > /dev/null
expect_eq "the issue form in an organisation without auto-approve answers 303" "$(status)" 303
R1=$(location); R1=${R1##*/}
expect_match "... to the request's page" "$R1" '^[0-9]+$'
expect_eq "the row is a request" "$(col "$R1" status)" requested
expect_eq "... with no certificate DER and no serial" "$(col "$R1" "der IS NULL AND serial_hex IS NULL")" 1
expect_eq "... with its CSR stored" "$(col "$R1" "csr IS NOT NULL")" 1
expect_eq "... and its CN from the CSR" "$(col "$R1" common_name)" "life-a-$TAG.demo.test"
expect_eq "audit row certificate.request" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.request' AND object_id = '$R1'")" 1
page=$(get "/certificates/$R1")
expect_eq "the request's page answers 200" "$(status)" 200
# The requester does not approve their own request (issue 8); carol is offered it below.
check_not "... not offering its requester approve" grep -q "action=\"/admin/certificates/$R1/approve\"" "$T/body"
check "... saying another administrator must approve it" grep -qF "You requested this certificate; another administrator must approve it" "$T/body"
check "... and offering decline" grep -q "action=\"/admin/certificates/$R1/decline\"" "$T/body"
check_not "... and no download links" grep -q "/download?format=pem" "$T/body"
post /certificates/new "csr@$T/r2.csr" profile=tls-server "org=$ORG" "csrf=$MCSRF" > /dev/null
R2=$(location); R2=${R2##*/}
expect_eq "a second request" "$(col "$R2" status)" requested

# ---- the RAO of another organisation learns nothing
login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit as $CERTMINT_RAO_B_PRINCIPAL"
DCSRF=$(csrf)
get "/certificates/$R1" > /dev/null
expect_eq "RAO of B cannot see A's request (404)" "$(status)" 404
post "/certificates/$R1/approve" "csrf=$DCSRF" > /dev/null
expect_eq "RAO of B cannot approve A's request (404)" "$(status)" 404
post "/certificates/$R1/decline" "message=no" "csrf=$DCSRF" > /dev/null
expect_eq "... nor decline it (404)" "$(status)" 404
expect_eq "... and it is still a request" "$(col "$R1" status)" requested

# ---- approval by the organisation's RAO issues through the signer
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as $CERTMINT_RAO_A_PRINCIPAL"
CCSRF=$(csrf)
page=$(get "/certificates/$R1")
expect_match "another administrator (the organisation's RAO) is offered approve" "$page" "action=\"/admin/certificates/$R1/approve\""
post "/certificates/$R1/approve" "csrf=0000000000000000000000000000000000000000000000000000000000000000" > /dev/null
expect_eq "approve without the CSRF token is 403" "$(status)" 403
expect_eq "... and changes nothing" "$(col "$R1" status)" requested
post "/certificates/$R1/approve" "csrf=$CCSRF" > /dev/null
expect_eq "the RAO approves (303)" "$(status)" 303
expect_eq "the same row is now issued" "$(col "$R1" status)" issued
expect_eq "... approved by the RAO" "$(col "$R1" approved_by)" "$CERTMINT_RAO_A_PRINCIPAL"
expect_match "... with a serial" "$(col "$R1" serial_hex)" '^[0-9a-f]{32}$'
expect_eq "... and its CSR no longer kept (it may carry a challenge password)" "$(col "$R1" "csr IS NULL")" 1
get "/certificates/$R1/download?format=pem" > "$T/r1.pem"
check "the issued certificate verifies against the CA chain" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/r1.pem"
check "... and carries the requested name" grep -q "life-a-$TAG.demo.test" <(openssl x509 -in "$T/r1.pem" -noout -subject)
check "... for the request's key" cmp <(openssl x509 -in "$T/r1.pem" -noout -pubkey) <(openssl pkey -in "$T/r1.key" -pubout)
expect_eq "audit rows certificate.approve and certificate.issue" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE object_id = '$R1' AND action IN ('certificate.approve', 'certificate.issue') AND actor = '$CERTMINT_RAO_A_PRINCIPAL'")" 2
expect_match "... with before/after" \
	"$(sql "SELECT CONCAT(before_json, ' => ', after_json) FROM audit_log WHERE object_id = '$R1' AND action = 'certificate.issue'")" \
	'"status":"approved".* => .*"status":"issued"'

# ---- decline with a message
page=$(post "/certificates/$R2/decline" "message=   " "csrf=$CCSRF")
expect_eq "declining without a message is 400" "$(status)" 400
expect_match "... with the error next to the field" "$page" 'id="message-error"'
expect_eq "... and nothing changes" "$(col "$R2" status)" requested
page=$(post "/certificates/$R2/decline" "message=<b>Use the wildcard</b> \"please\"" "csrf=$CCSRF")
expect_eq "decline with a message (303)" "$(status)" 303
expect_eq "the request is declined" "$(col "$R2" status)" declined
expect_eq "... and its CSR no longer kept" "$(col "$R2" "csr IS NULL")" 1
expect_eq "... the message is stored" "$(col "$R2" decline_message)" '<b>Use the wildcard</b> "please"'
page=$(get "/certificates/$R2")
expect_match "... and shown inert on its page" "$page" '&lt;b&gt;Use the wildcard&lt;/b&gt;'
expect_eq "audit row certificate.decline" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.decline' AND object_id = '$R2'")" 1

# ---- refused transitions: 409, nothing changed
before=$(sql "SELECT COUNT(*) FROM audit_log")
page=$(post "/certificates/$R2/revoke" reason=keyCompromise "csrf=$CCSRF")
expect_eq "revoking a declined request is 409" "$(status)" 409
expect_match "... saying why" "$page" 'This certificate is declined\. Only an issued certificate can be revoked'
expect_eq "... it stays declined" "$(col "$R2" "CONCAT(status, '/', revocation_reason IS NULL)")" declined/1
post "/certificates/$R2/approve" "csrf=$CCSRF" > /dev/null
expect_eq "approving a declined request is 409" "$(status)" 409
post "/certificates/$R1/decline" message=late "csrf=$CCSRF" > /dev/null
expect_eq "declining an issued certificate is 409" "$(status)" 409
expect_eq "no audit row for refused transitions" "$(sql "SELECT COUNT(*) FROM audit_log")" "$before"

# ---- revoke with an RFC 5280 reason
page=$(post "/certificates/$R1/revoke" "csrf=$CCSRF")
expect_eq "revoking without a reason is 400" "$(status)" 400
expect_match "... with the error next to the field" "$page" 'id="reason-error"'
post "/certificates/$R1/revoke" reason=certificateHold "csrf=$CCSRF" > /dev/null
expect_eq "certificateHold is not offered (400)" "$(status)" 400
expect_eq "... still issued" "$(col "$R1" status)" issued
post "/certificates/$R1/revoke" reason=keyCompromise "csrf=$CCSRF" > /dev/null
expect_eq "revoke with keyCompromise (303)" "$(status)" 303
expect_eq "the certificate is revoked with reason code 1 and a time" \
	"$(col "$R1" "CONCAT(status, '/', revocation_reason, '/', revoked_at IS NOT NULL)")" revoked/1/1
expect_match "audit row certificate.revoke with the reason" \
	"$(sql "SELECT CONCAT(before_json, ' => ', after_json) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$R1'")" \
	'"status":"issued".* => .*"reason":"keyCompromise"'
expect_match "the page shows the reason" "$(get "/certificates/$R1")" 'class="revocation-reason">keyCompromise<'
post "/certificates/$R1/revoke" reason=superseded "csrf=$CCSRF" > /dev/null
expect_eq "revoking twice is 409" "$(status)" 409
expect_eq "... the first reason stays" "$(col "$R1" revocation_reason)" 1

# ---- approved but not issued: the names are checked again at issuance
mkcsr r3 "life-c-$TAG.demo.test"
login_as alice
post /certificates/new "csr@$T/r3.csr" profile=tls-server "org=$ORG" "csrf=$MCSRF" > /dev/null
R3=$(location); R3=${R3##*/}
sql "DELETE FROM domain_delegations WHERE org_id = $ORG"
login_as carol
page=$(post "/certificates/$R3/approve" "csrf=$CCSRF")
expect_eq "approving a request whose domain is no longer delegated is refused (400)" "$(status)" 400
expect_match "... saying why" "$page" "life-c-$TAG\.demo\.test is not in a validated domain delegated"
expect_eq "... the request stays approved, with nothing issued" "$(col "$R3" "CONCAT(status, '/', der IS NULL)")" approved/1
page=$(get "/certificates/$R3")
expect_match "its page shows why and offers to issue now" "$page" 'Approved, but not issued:.*not in a validated domain'
sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $ORG, NULL, 'ssl', 'approved' FROM domains d WHERE d.customer_id = $cust AND d.name = 'demo.test'"
post "/certificates/$R3/approve" "csrf=$CCSRF" > /dev/null
expect_eq "\"Issue now\" on the approved request (303)" "$(status)" 303
expect_eq "... issues it" "$(col "$R3" "CONCAT(status, '/', der IS NOT NULL, '/', issue_error IS NULL)")" issued/1/1

# ---- renew: a new request pre-filled
page=$(get "/certificates/new?renew=$R1")
expect_eq "renew form answers 200" "$(status)" 200
expect_match "... with the organisation selected" "$page" "option value=\"$ORG\" selected"
expect_match "... and the profile" "$page" 'option value="tls-server" selected'
login_as dave
get "/certificates/new?renew=$R1" > /dev/null
expect_eq "RAO of B cannot renew A's certificate (404)" "$(status)" 404

# ---- list filters and search
login_as alice
serial=$(col "$R1" serial_hex)
get "/certificates?org=$ORG&status=declined" > /dev/null
check "status+organisation filter lists the declined request" grep -q "life-b-$TAG" "$T/body"
check_not "... and not the revoked certificate" grep -q "life-a-$TAG" "$T/body"
get "/certificates?org=$ORG&status=revoked&type=ssl" > /dev/null
check "type+status filter lists the revoked certificate" grep -q "life-a-$TAG" "$T/body"
check_not "... not the declined request" grep -q "life-b-$TAG" "$T/body"
get "/certificates?q=life-a-$TAG" > /dev/null
check "CN prefix search finds it" grep -q "life-a-$TAG" "$T/body"
check_not "... only it" grep -q "life-b-$TAG" "$T/body"
get "/certificates?q=${serial:0:12}" > /dev/null
check "serial prefix search finds it" grep -q "life-a-$TAG" "$T/body"
get "/certificates?q=${serial^^}" > /dev/null
check "full serial search, upper case, finds it" grep -q "life-a-$TAG" "$T/body"
get "/certificates?q=nothing-like-this-$TAG" > /dev/null
check_not "a search for nothing lists none" grep -q "life-.-$TAG" "$T/body"
get "/certificates?q=life%25" > /dev/null
check_not "% in a search is literal" grep -q "life-.-$TAG" "$T/body"
get "/certificates?org=$ORG&expiring=400&sort=expiry" > /dev/null
expect_eq "expiring within 400 days, by expiry, answers 200" "$(status)" 200
check_not "... and leaves out the request that has no expiry" grep -q "life-b-$TAG" "$T/body"
page=$(get "/certificates?org=$ORG&expiring=400")
expect_match "an expiry window lists soonest first" "$page" 'option value="expiry" selected'
page=$(get "/certificates?expiring=soon&q=keep-me&status=bogus")
expect_eq "invalid filters are 400" "$(status)" 400
expect_match "... with the error next to the field" "$page" 'Expiring within is a number of days'
expect_match "... and the status error" "$page" 'Choose a status from the list'
expect_match "... keeping what was typed" "$page" 'value="soon"'
expect_match "... and the search" "$page" 'value="keep-me"'
get "/certificates?before=abc" > /dev/null
expect_eq "a damaged page link is 400" "$(status)" 400
# keyset pages keep the filters: 51 requests in the organisation give two pages
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, requested_by) SELECT $cust, $ORG, 'ssl', 'tls-server', 'requested', CONCAT('page-', seq, '-$TAG.demo.test'), 'test' FROM seq_1_to_51"
page=$(get "/certificates?org=$ORG&status=requested")
next=$(sed -n 's/.*name="before" value="\([0-9]*\)".*/\1/p' "$T/body" | head -n 1)
expect_match "the first page offers a next page" "$next" '^[0-9]+$'
expect_match "... whose form keeps the filters" "$page" "name=\"org\" value=\"$ORG\""
get "/certificates?org=$ORG&status=requested&before=${next:-0}" > /dev/null
expect_eq "the second page has the remaining row" "$(grep -c "page-[0-9]*-$TAG" "$T/body")" 1
check_not "... and nothing outside the filter" grep -q "life-.-$TAG" "$T/body"
sql "DELETE FROM certificates WHERE org_id = $ORG AND requested_by = 'test'"
# carol's extra organisation goes, so later tests see her usual scope.
sql "DELETE FROM admin_scopes WHERE org_id = $ORG"

kdestroy -q -c "$T/alice.cc" 2>/dev/null
kdestroy -q -c "$T/carol.cc" 2>/dev/null
kdestroy -q -c "$T/dave.cc" 2>/dev/null
done_testing
