#!/bin/bash
# 49-confirm.sh: destructive actions ask first: revoke, and the deletes of organisations, domains, delegations,
# administrators, persons and AD servers each have a GET confirmation page that names the object and says what
# will happen; the object pages link there instead of POSTing in one click; Cancel changes nothing; the POST does it.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-49-confirm.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM
REALM=${CERTMINT_ADMIN_PRINCIPAL#*@}

audits() { sql "SELECT COUNT(*) FROM audit_log"; }
flat() { tr '\n' ' ' < "$T/body"; }
# confirm_page WHAT PATH CANCEL: GET PATH is a 200 confirmation whose Cancel leads to CANCEL, changing nothing
confirm_page() {
	local before
	before=$(audits)
	get "$2" > /dev/null
	expect_eq "$1: the confirmation page is 200" "$(status)" 200
	check "... with a form that POSTs back to it with the CSRF token" grep -qE "<form class=\"confirm\" method=\"post\" action=\"/admin${2%%\?*}\">" "$T/body"
	check "... a danger button" grep -q '<button type="submit" class="danger">' "$T/body"
	check "... and Cancel back to the object" grep -qF "href=\"$3\">Cancel</a>" "$T/body"
	expect_eq "... opening it wrote nothing" "$(audits)" "$before"
}
# no_one_click WHAT PAGE ACTION: the object's page has no form POSTing to ACTION, only a link to it
no_one_click() {
	get "$2" > /dev/null
	check_not "$1: the object's page has no one-click form" grep -qF "method=\"post\" action=\"/admin$3\"" "$T/body"
	check "... but a link to the confirmation page" grep -qF "href=\"/admin$3" "$T/body"
}

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" || { fail "log in as the MRAO"; done_testing; exit 1; }
CSRF=$(csrf /)
ORG_A=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL")
DEPT_A=$(sql "SELECT id FROM departments WHERE org_id = ${ORG_A:-0} AND name = 'Engineering' AND deleted_at IS NULL")

# --- revoke
CN=confirm$$.demo.test
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/r.csr" -subj "/CN=$CN" \
	-addext "subjectAltName=DNS:$CN" 2>/dev/null
post /certificates/new "csr@$T/r.csr" profile=tls-server "org=$ORG_A" "csrf=$CSRF" > /dev/null
expect_eq "a certificate to revoke is issued (303)" "$(status)" 303
CERT=$(location); CERT=${CERT##*/}
SERIAL=$(sql "SELECT serial_hex FROM certificates WHERE id = ${CERT:-0}")
no_one_click "revoke" "/certificates/$CERT" "/certificates/$CERT/revoke"
check_not "... and no reason picker there" grep -q 'name="reason"' "$T/body"
confirm_page "revoke" "/certificates/$CERT/revoke" "/admin/certificates/$CERT"
page=$(flat)
expect_match "... naming the certificate" "$page" "Revoke the certificate $CN\\?"
expect_match "... its subject" "$page" "<dt>Subject</dt><dd>[^<]*CN=$CN"
expect_match "... its serial" "$page" "<dt>Serial number</dt><dd>$SERIAL</dd>"
expect_match "... saying what revocation means" "$page" 'Revocation is final: the certificate is listed in the next CRL'
expect_match "... with the reason picker" "$page" '<select id="reason" name="reason">.*keyCompromise'
expect_eq "... the certificate is still issued" "$(sql "SELECT status FROM certificates WHERE id = $CERT")" issued
page=$(post "/certificates/$CERT/revoke" reason= "csrf=$CSRF")
expect_eq "a revoke without a reason is 400" "$(status)" 400
expect_match "... re-showing the confirmation with the error" "$(flat)" 'Revoke the certificate .*<li><a href="#reason">'
expect_eq "... and revokes nothing" "$(sql "SELECT status FROM certificates WHERE id = $CERT")" issued
post "/certificates/$CERT/revoke" reason=superseded "csrf=$CSRF" > /dev/null
expect_eq "the POST revokes (303)" "$(status)" 303
expect_eq "... the certificate is revoked" "$(sql "SELECT status FROM certificates WHERE id = $CERT")" revoked
get "/certificates/$CERT/revoke" > /dev/null
expect_eq "a revoked certificate has nothing to confirm (409)" "$(status)" 409

# --- an organisation
post /organizations/new "name=Confirm $TAG" ssl_terms=1y "csrf=$CSRF" > /dev/null
ORG=$(location); ORG=${ORG##*/}
no_one_click "organisation delete" "/organizations/$ORG" "/organizations/$ORG/delete"
confirm_page "organisation delete" "/organizations/$ORG/delete" "/admin/organizations/$ORG"
expect_match "... naming it" "$(flat)" "Delete the organisation Confirm $TAG\\?.*<dt>Certificates that reference it</dt><dd>0</dd>"
expect_match "... saying what happens" "$(flat)" 'marked deleted'
expect_eq "... it is not deleted" "$(sql "SELECT deleted_at IS NULL FROM organizations WHERE id = $ORG")" 1
get "/organizations/$ORG_A/delete" > /dev/null
expect_match "an organisation with certificates: the page warns the deletion will be refused" "$(flat)" 'will be refused while certificates reference'
post "/organizations/$ORG/delete" "csrf=$CSRF" > /dev/null
expect_eq "the POST deletes it (303)" "$(status)" 303
expect_eq "... soft-deleted" "$(sql "SELECT deleted_at IS NOT NULL FROM organizations WHERE id = $ORG")" 1

# --- a domain and its delegation
post /domains/new "name=confirm-$TAG.example.test" "csrf=$CSRF" > /dev/null
DOM=$(location); DOM=${DOM##*/}
post "/domains/$DOM/delegate" "target=$ORG_A" type_ssl=1 "csrf=$CSRF" > /dev/null
expect_eq "a delegation to remove (303)" "$(status)" 303
GID=$(sql "SELECT id FROM domain_delegations WHERE domain_id = ${DOM:-0} ORDER BY id DESC LIMIT 1")
no_one_click "delegation removal" "/domains/$DOM" "/domains/$DOM/undelegate"
confirm_page "delegation removal" "/domains/$DOM/undelegate?delegation=$GID" "/admin/domains/$DOM"
expect_match "... naming the domain and the organisation" "$(flat)" "Remove the delegation of confirm-$TAG.example.test to Demo Organisation\\?"
check "... carrying the delegation's id" grep -qF "name=\"delegation\" value=\"$GID\"" "$T/body"
expect_eq "... the delegation is still there" "$(sql "SELECT COUNT(*) FROM domain_delegations WHERE id = ${GID:-0}")" 1
post "/domains/$DOM/undelegate" "delegation=$GID" "csrf=$CSRF" > /dev/null
expect_eq "the POST removes it (303)" "$(status)" 303
expect_eq "... gone" "$(sql "SELECT COUNT(*) FROM domain_delegations WHERE id = ${GID:-0}")" 0
no_one_click "domain delete" "/domains/$DOM" "/domains/$DOM/delete"
confirm_page "domain delete" "/domains/$DOM/delete" "/admin/domains/$DOM"
expect_match "... naming it" "$(flat)" "Delete the domain confirm-$TAG.example.test\\?"
post "/domains/$DOM/delete" "csrf=$CSRF" > /dev/null
expect_eq "the POST deletes it (303)" "$(status)" 303

# --- an administrator
post /admins/new "principal=conf$TAG@$REALM" "name=Confirm Me" "email=c$TAG@example.test" role=drao \
	"scope=$ORG_A/$DEPT_A" type_ssl=1 "csrf=$CSRF" > /dev/null
ADM=$(location); ADM=${ADM##*/}
expect_match "an administrator to delete" "$ADM" '^[0-9]+$'
no_one_click "administrator delete" "/admins/$ADM" "/admins/$ADM/delete"
confirm_page "administrator delete" "/admins/$ADM/delete" "/admin/admins/$ADM"
expect_match "... naming them" "$(flat)" "Delete the administrator conf$TAG@$REALM\\?.*<dt>Role</dt><dd>drao</dd>"
check "... carrying confirm=1" grep -qF 'name="confirm" value="1"' "$T/body"
expect_eq "... still enabled" "$(sql "SELECT enabled FROM admins WHERE id = $ADM")" 1
ME=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_ADMIN_PRINCIPAL'")
get "/admins/$ME/delete" > /dev/null
expect_eq "nobody is asked to confirm deleting themselves (403)" "$(status)" 403
post "/admins/$ADM/delete" confirm=1 "csrf=$CSRF" > /dev/null
expect_eq "the POST deletes them (303)" "$(status)" 303

# --- a person
post /persons/new "email=conf$TAG@demo.test" first_name=Con last_name=Firm "unit=$ORG_A" "csrf=$CSRF" > /dev/null
PER=$(location); PER=${PER##*/}
expect_match "a person to delete" "$PER" '^[0-9]+$'
no_one_click "person delete" "/persons/$PER" "/persons/$PER/delete"
confirm_page "person delete" "/persons/$PER/delete" "/admin/persons/$PER"
expect_match "... naming them" "$(flat)" "Delete the person conf$TAG@demo.test\\?.*<dd>Con Firm</dd>"
expect_eq "... still there" "$(sql "SELECT COUNT(*) FROM persons WHERE id = $PER")" 1
post "/persons/$PER/delete" confirm=yes "csrf=$CSRF" > /dev/null
expect_eq "the POST deletes them (303)" "$(status)" 303

# --- an AD server
post /ad-servers/new "name=Confirm AD $TAG" domain=confirm.demo.test "ldap_uris=ldaps://dc.confirm.demo.test" \
	"base_dn=DC=confirm,DC=demo,DC=test" starttls=1 "csrf=$CSRF" > /dev/null
ADS=$(location); ADS=${ADS%%\?*}; ADS=${ADS##*/}
expect_match "an AD server to delete" "$ADS" '^[0-9]+$'
no_one_click "AD server delete" "/ad-servers/$ADS" "/ad-servers/$ADS/delete"
confirm_page "AD server delete" "/ad-servers/$ADS/delete" "/admin/ad-servers/$ADS"
expect_match "... naming it" "$(flat)" "Delete the AD server Confirm AD $TAG\\?.*<dt>Organisations using it</dt><dd>none</dd>"
post "/ad-servers/$ADS/delete" confirm=yes "csrf=$CSRF" > /dev/null
expect_eq "the POST deletes it (303)" "$(status)" 303

# --- out of reach: the confirmation pages answer like their POSTs
login_as carol "$CERTMINT_RAO_A_PRINCIPAL"
get "/organizations/$ORG_A/delete" > /dev/null
expect_eq "an RAO may not open an organisation's delete confirmation (403)" "$(status)" 403
login_as dave "$CERTMINT_RAO_B_PRINCIPAL"
OTHER=$(sql "SELECT id FROM certificates WHERE org_id = $ORG_A AND status = 'issued' ORDER BY id LIMIT 1")
get "/certificates/${OTHER:-0}/revoke" > /dev/null
expect_eq "another organisation's RAO gets 404 for a revoke confirmation" "$(status)" 404
check_not "... learning nothing of it" grep -q 'Revoke the certificate' "$T/body"

done_testing
