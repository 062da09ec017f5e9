#!/bin/bash
# 50-orgs.sh: organisations and departments in admin.fcgi: create (hostile names shown inert), access-code
# rules with errors next to the field, audit rows, delete refused while certificates reference it, and
# what RAOs / DRAOs see (a DRAO never gets an access code in the HTML).
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-50-orgs.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM

audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_id = '$2'"; }

if ! login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"; then
	fail "kinit as the MRAO"
	done_testing
	exit 1
fi
ok "kinit as the MRAO"

# --- create an organisation with a hostile name
page=$(get /organizations/new)
expect_eq "MRAO: GET the new-organisation form is 200" "$(status)" 200
csrf=$(csrf_of "$page")
expect_match "the form carries a CSRF token" "$csrf" '^[0-9a-f]{64}$'
expect_match "the form has the three tabs" "$page" 'id="tab-client".*|id="tab-ssl"'
check "... client, SSL and code signing" grep -q 'id="tab-codesign"' "$T/body"
XSS="<script>alert(\"x$TAG\")</script> Ünïcode 'q'"
post /organizations/new "name=$XSS" city=Leeds country=GB ssl_terms=1y,2y >/dev/null
expect_eq "POST without a CSRF token is 403" "$(status)" 403
expect_eq "... and creates nothing" "$(sql "SELECT COUNT(*) FROM organizations WHERE name LIKE '%x$TAG%'")" 0
page=$(post /organizations/new "name=$XSS" city=Leeds country=gb ssl_terms=1y,2y "csrf=$csrf")
expect_eq "a lower-case country is 400" "$(status)" 400
expect_match "... with the message next to the field" "$page" 'two-letter country code'
expect_match "... keeping the typed name, escaped" "$page" "value=\"&lt;script&gt;alert\(&quot;x$TAG&quot;\)&lt;/script&gt; Ünïcode &#39;q&#39;\""
post /organizations/new "name=$XSS" city=Leeds country=GB ssl_terms=1y,2y "csrf=$csrf" >/dev/null
expect_eq "POST a new organisation is 303" "$(status)" 303
loc=$(header Location)
expect_match "redirect to the organisation page" "$loc" '/admin/organizations/[0-9]+$'
org=${loc##*/}
expect_eq "the name is stored as typed" "$(sql "SELECT name FROM organizations WHERE id = ${org:-0}")" "$XSS"
page=$(get "/organizations/$org")
expect_eq "organisation page is 200" "$(status)" 200
case "$page" in
*"<script>alert(\"x$TAG"*) fail "the hostile name is shown inert" ;;
*) expect_match "the hostile name is shown inert" "$page" "&lt;script&gt;alert\(&quot;x$TAG&quot;\)" ;;
esac
expect_match "unicode survives" "$page" 'Ünïcode'
page=$(get /organizations)
case "$page" in
*"<script>alert(\"x$TAG"*) fail "the list shows the hostile name inert" ;;
*) expect_match "the list shows the hostile name inert" "$page" "&lt;script&gt;alert\(&quot;x$TAG" ;;
esac
expect_eq "audit row organization.create" "$(audit_count organization.create "$org")" 1
expect_match "... with the new values as JSON" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'organization.create' AND object_id = '$org'")" \
	'"city":"Leeds".*"ssl_terms":"1y,2y"'

# --- a department under it
page=$(get "/organizations/$org/departments/new")
expect_eq "new-department form is 200" "$(status)" 200
post "/organizations/$org/departments/new" "name=QA $TAG" ssl_terms=1y codesign_enabled=1 "csrf=$csrf" >/dev/null
expect_eq "POST a new department is 303" "$(status)" 303
dept=$(header Location); dept=${dept##*/}
expect_eq "the department belongs to the organisation" "$(sql "SELECT org_id FROM departments WHERE id = ${dept:-0}")" "$org"
expect_eq "audit row department.create" "$(audit_count department.create "$dept")" 1
expect_match "the organisation page lists it" "$(get "/organizations/$org")" "departments/$dept\">QA $TAG<"

# --- access codes
form=(name="$XSS" city=Leeds country=GB ssl_terms=1y,2y self_enrollment=1 "csrf=$csrf")
audits=$(sql "SELECT COUNT(*) FROM audit_log")
for weak in password1234 aaaaaaaa1111 abcd12345678 Short1; do
	page=$(post "/organizations/$org" "${form[@]}" "access_code=$weak")
	expect_eq "weak access code $weak is 400" "$(status)" 400
	expect_match "... with the reason next to the access-code field" "$page" 'id="access_code-error"'
	expect_match "... keeping what was typed" "$page" "name=\"access_code\"[^>]*value=\"$weak\""
done
page=$(post "/organizations/$org" "${form[@]}" "access_code=")
expect_eq "self enrollment without an access code is 400" "$(status)" 400
expect_match "... saying a code is needed" "$page" 'Self enrollment needs an access code'
expect_eq "nothing changed by the refused forms" \
	"$(sql "SELECT CONCAT(client_self_enrollment, '/', COALESCE(client_access_code, 'NULL')) FROM organizations WHERE id = $org")" "0/NULL"
expect_eq "... and no audit row written" "$(sql "SELECT COUNT(*) FROM audit_log")" "$audits"
CODE=Zq7vK3mXp9Lw
post "/organizations/$org" "${form[@]}" "access_code=$CODE" >/dev/null
expect_eq "a strong access code is 303" "$(status)" 303
expect_eq "... stored with self enrollment on" \
	"$(sql "SELECT CONCAT(client_self_enrollment, '/', client_access_code) FROM organizations WHERE id = $org")" "1/$CODE"
expect_eq "audit row organization.update" "$(audit_count organization.update "$org")" 1
row=$(sql "SELECT CONCAT(before_json, ' => ', after_json) FROM audit_log WHERE action = 'organization.update' AND object_id = '$org'")
expect_match "... before/after show the change" "$row" '"access_code_set":false.*"self_enrollment":false.* => .*"access_code_set":true.*"self_enrollment":true'
case "$row" in *"$CODE"*) fail "... and never the code itself" ;; *) ok "... and never the code itself" ;; esac
expect_match "the MRAO sees the code on the page" "$(get "/organizations/$org")" "value=\"$CODE\""

# --- delete: refused while a certificate references the organisation
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/r.csr" \
	-subj "/CN=orgs$$.demo.test" -addext "subjectAltName=DNS:orgs$$.demo.test" 2>/dev/null
# Issuance checks names against the organisation's delegated domains: delegate demo.test to it.
sql "INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $org, NULL, 'ssl', 'approved' FROM domains d JOIN customers c ON c.id = d.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND d.name = 'demo.test'"
post /certificates/new "csr@$T/r.csr" profile=tls-server "org=$org" "csrf=$csrf" >/dev/null
expect_eq "a certificate issued in the organisation (303)" "$(status)" 303
page=$(post "/organizations/$org/delete" "csrf=$csrf")
expect_eq "deleting an organisation with a certificate is refused (409)" "$(status)" 409
expect_match "... saying why, with the count" "$page" '1 certificate references it'
expect_eq "... and it is not deleted" "$(sql "SELECT deleted_at IS NULL FROM organizations WHERE id = $org")" 1
post /organizations/new "name=Empty $TAG" ssl_terms=1y "csrf=$csrf" >/dev/null
empty=$(header Location); empty=${empty##*/}
post "/organizations/$empty/delete" "csrf=$csrf" >/dev/null
expect_eq "deleting an unused organisation is 303" "$(status)" 303
expect_eq "... a soft delete" "$(sql "SELECT deleted_at IS NOT NULL FROM organizations WHERE id = ${empty:-0}")" 1
expect_eq "... audited" "$(audit_count organization.delete "$empty")" 1
get "/organizations/$empty" >/dev/null
expect_eq "a deleted organisation is 404" "$(status)" 404

# --- delegated administrators (present when the stack defines them)
orgA=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL")
orgB=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL")
eng=$(sql "SELECT id FROM departments WHERE org_id = ${orgA:-0} AND name = 'Engineering' AND deleted_at IS NULL")
if [ -n "$CERTMINT_DRAO_PRINCIPAL" ] && [ -n "$orgA" ] && [ -n "$orgB" ] && [ -n "$eng" ]; then
	DCODE=Hb4nR8wTq2Ys
	post "/departments/$eng" name=Engineering ssl_terms=1y self_enrollment=1 "access_code=$DCODE" "csrf=$csrf" >/dev/null
	expect_eq "MRAO sets the Engineering access code (303)" "$(status)" 303
	expect_eq "audit row department.update" "$(sql "SELECT COUNT(*) > 0 FROM audit_log WHERE action = 'department.update' AND object_id = '$eng'")" 1

	login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
	page=$(get /organizations)
	expect_match "RAO A lists Demo Organisation" "$page" "organizations/$orgA\""
	case "$page" in *"organizations/$orgB\""*) fail "RAO A does not list Other Organisation" ;; *) ok "RAO A does not list Other Organisation" ;; esac
	case "$page" in *"organizations/$org\""*) fail "RAO A does not list the new organisation" ;; *) ok "RAO A does not list the new organisation" ;; esac
	get "/organizations/$orgB" >/dev/null
	expect_eq "RAO A asking for org B by id gets 404" "$(status)" 404
	expect_match "RAO A sees the Engineering access code" "$(get "/departments/$eng")" "value=\"$DCODE\""
	get /organizations/new >/dev/null
	expect_eq "RAO A cannot open the new-organisation form (403)" "$(status)" 403

	login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit dave"
	get "/organizations/$orgA" >/dev/null
	expect_eq "RAO B asking for org A gets 404" "$(status)" 404
	page=$(get "/departments/$eng")
	expect_eq "RAO B asking for A's department gets 404" "$(status)" 404
	case "$page" in *"$DCODE"*) fail "... and not its code" ;; *) ok "... and not its code" ;; esac

	login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit erin"
	page=$(get "/departments/$eng")
	expect_eq "DRAO opens its department (200)" "$(status)" 200
	expect_match "DRAO is told to ask an MRAO or RAO" "$page" 'Access code: ask an MRAO or RAO'
	case "$page" in *"$DCODE"*) fail "the DRAO's page does not contain the access code" ;; *) ok "the DRAO's page does not contain the access code" ;; esac
	check_not "... nor an access_code input" grep -q 'name="access_code"' "$T/body"
	dcsrf=$(csrf_of "$page")
	post "/departments/$eng" name=Engineering ssl_terms=1y self_enrollment=1 access_code=Xx9wQ3vR7tLp "csrf=$dcsrf" >/dev/null
	expect_eq "a DRAO's save of its department goes through (303)" "$(status)" 303
	expect_eq "... but cannot change the access code" \
		"$(sql "SELECT client_access_code FROM departments WHERE id = $eng")" "$DCODE"
	page=$(get "/organizations/$orgA")
	expect_eq "DRAO may look at the organisation holding its department" "$(status)" 200
	check_not "... without an access_code input" grep -q 'name="access_code"' "$T/body"
	post "/organizations/$orgA" name=Hacked ssl_terms=1y "csrf=$dcsrf" >/dev/null
	expect_eq "DRAO cannot change the organisation (403)" "$(status)" 403
	expect_eq "... which keeps its name" "$(sql "SELECT name FROM organizations WHERE id = $orgA")" "Demo Organisation"

	login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" || fail "kinit frank"
	page=$(get "/departments/$eng")
	expect_eq "SSL-only RAO opens the department (200)" "$(status)" 200
	case "$page" in *"$DCODE"*) fail "SSL-only RAO does not see the client-certificate access code" ;; *) ok "SSL-only RAO does not see the client-certificate access code" ;; esac
else
	diag "delegated administrators not in this stack; RAO/DRAO checks skipped"
fi

done_testing
