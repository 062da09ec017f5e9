#!/bin/bash
# 50-orgs.sh: organisations and departments in admin.fcgi: create (hostile names shown inert), access-code
# rules with errors next to the field (kept as a keyed hash, shown once), audit rows, delete refused while certificates reference it, and
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

# --- access codes: kept as HMAC-SHA256 under the stack's key file, set on their own page, shown once
KEYFILE=$(sed -n 's/^access_code_key_file *= *//p' "$CERTMINT_CONF")
# hmac CODE: the stored form of CODE (the key is the file's bytes without the newline)
hmac() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "key:$(tr -d '\n' < "$KEYFILE")" | sed 's/.*= *//'; }
org_code() { sql "SELECT CONCAT(COALESCE(client_access_code, 'NULL'), '/', COALESCE(client_access_code_hash, 'NULL')) FROM organizations WHERE id = $org"; }
form=(name="$XSS" city=Leeds country=GB ssl_terms=1y,2y self_enrollment=1 "csrf=$csrf")
audits=$(sql "SELECT COUNT(*) FROM audit_log")
page=$(post "/organizations/$org" "${form[@]}" "access_code=Zq7vK3mXp9Lw")
expect_eq "self enrollment without an access code is 400" "$(status)" 400
expect_match "... saying a code is needed, and where to set it" "$page" 'Self enrollment needs an access code: set one first with Set access code'
expect_match "... next to the access-code field" "$page" 'id="access_code-error"'
case "$page" in *Zq7vK3mXp9Lw*) fail "... never echoing a code sent with the settings" ;; *) ok "... never echoing a code sent with the settings" ;; esac
check_not "the settings form has no access-code input" grep -q 'name="access_code"' "$T/body"
page=$(get "/organizations/$org")
expect_match "the page says no code is set" "$page" 'Access code: not set\.'
expect_match "... and links to Set access code" "$page" "href=\"/admin/organizations/$org/access-code\">Set access code"
page=$(get "/organizations/$org/access-code")
expect_eq "the access-code page is 200" "$(status)" 200
expect_match "... a confirmation naming the organisation" "$page" 'Set the access code of the organisation &lt;script&gt;'
expect_match "... with Cancel back to it" "$page" "href=\"/admin/organizations/$org\">Cancel"
for weak in password1234 aaaaaaaa1111 abcd12345678 Short1; do
	page=$(post "/organizations/$org/access-code" how=type "code=$weak" "csrf=$csrf")
	expect_eq "weak access code $weak is 400" "$(status)" 400
	expect_match "... with the reason next to the code field" "$page" 'id="code-error"'
	expect_match "... in the error summary, linked to the field" "$page" '<li><a href="#code">'
	case "$page" in *"$weak"*) fail "... never writing what was typed back" ;; *) ok "... never writing what was typed back" ;; esac
done
post "/organizations/$org/access-code" how=type code=Zq7vK3mXp9Lw >/dev/null
expect_eq "setting a code without the CSRF token is 403" "$(status)" 403
expect_eq "nothing changed by the refused forms" "$(org_code)" "NULL/NULL"
expect_eq "... and no audit row written" "$(sql "SELECT COUNT(*) FROM audit_log")" "$audits"
CODE=Zq7vK3mXp9Lw
page=$(post "/organizations/$org/access-code" how=type "code=$CODE" "csrf=$csrf")
expect_eq "a strong typed access code is 200 (the result page)" "$(status)" 200
expect_match "... which shows the code, once" "$page" "id=\"new-access-code\">$CODE<"
expect_match "... and is not cached" "$(header Cache-Control)" 'no-store'
expect_eq "the database holds its HMAC, no plaintext" "$(org_code)" "NULL/$(hmac "$CODE")"
expect_eq "... with the hint and the date" "$(sql "SELECT CONCAT(client_access_code_hint, '/', client_access_code_set_at IS NOT NULL) FROM organizations WHERE id = $org")" "Lw/1"
expect_eq "audit row organization.access_code.rotate" "$(audit_count organization.access_code.rotate "$org")" 1
row=$(sql "SELECT CONCAT(before_json, ' => ', after_json) FROM audit_log WHERE action = 'organization.access_code.rotate' AND object_id = '$org'")
expect_match "... before/after show a code is set now" "$row" '"access_code_set":false.* => .*"access_code_set":true'
case "$row" in *"$CODE"*) fail "... and never the code itself" ;; *) ok "... and never the code itself" ;; esac
page=$(get "/organizations/$org")
case "$page" in *"$CODE"*) fail "the organisation page no longer shows the code" ;; *) ok "the organisation page no longer shows the code" ;; esac
expect_match "... it says when it was set and how it ends" "$page" 'Access code: set on [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC \(ends in Lw\)'
expect_match "... and offers Rotate access code" "$page" "access-code\">Rotate access code"
post "/organizations/$org" "${form[@]}" >/dev/null
expect_eq "now self enrollment can be turned on (303)" "$(status)" 303
expect_eq "audit row organization.update" "$(audit_count organization.update "$org")" 1
row=$(sql "SELECT CONCAT(before_json, ' => ', after_json) FROM audit_log WHERE action = 'organization.update' AND object_id = '$org'")
expect_match "... before/after show the change" "$row" '"access_code_set":true.*"self_enrollment":false.* => .*"access_code_set":true.*"self_enrollment":true'
page=$(post "/organizations/$org/access-code" how=generate "csrf=$csrf")
expect_eq "rotating with a generated code is 200" "$(status)" 200
NEW=$(printf '%s' "$page" | sed -n 's/.*id="new-access-code">\([^<]*\)<.*/\1/p')
expect_match "... a readable generated code is shown" "$NEW" '^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$'
expect_eq "... stored as its HMAC" "$(org_code)" "NULL/$(hmac "$NEW")"
if [ "$(sql "SELECT client_access_code_hash FROM organizations WHERE id = $org")" != "$(hmac "$CODE")" ]; then
	ok "the old code no longer verifies after rotation"
else
	fail "the old code no longer verifies after rotation"
fi
expect_eq "... audited again" "$(audit_count organization.access_code.rotate "$org")" 2
page=$(get "/organizations/$org")
case "$page" in *"$NEW"*) fail "the page never shows the generated code again" ;; *) ok "the page never shows the generated code again" ;; esac
page=$(post "/organizations/$org/access-code" "csrf=$csrf")
expect_eq "a rotation that says neither generate nor type is 400" "$(status)" 400
expect_eq "... and changes nothing" "$(org_code)" "NULL/$(hmac "$NEW")"
# Migration 020's C half: a plaintext code left from before is hashed by certmint migrate.
OLD=Legacy7Code9xQ
sql "UPDATE organizations SET client_access_code = '$OLD', client_access_code_hash = NULL WHERE id = $org"
out=$("$CERTMINT_BUILD/tools/certmint" -c "$CERTMINT_CONF" migrate 2>&1)
expect_match "certmint migrate hashes a plaintext code left from before" "$out" 'access codes: 1 plaintext code hashed'
expect_eq "... no plaintext remains, its HMAC is stored" "$(org_code)" "NULL/$(hmac "$OLD")"
expect_eq "... no plaintext code anywhere" "$(sql "SELECT (SELECT COUNT(*) FROM organizations WHERE client_access_code IS NOT NULL) + (SELECT COUNT(*) FROM departments WHERE client_access_code IS NOT NULL)")" 0
expect_eq "... audited" "$(audit_count organization.access_code.hash "$org")" 1
out=$("$CERTMINT_BUILD/tools/certmint" -c "$CERTMINT_CONF" migrate 2>&1)
case "$out" in *"access codes:"*) fail "... and a second run has nothing to do" ;; *) ok "... and a second run has nothing to do" ;; esac

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
	page=$(post "/departments/$eng/access-code" how=type "code=$DCODE" "csrf=$csrf")
	expect_eq "MRAO sets the Engineering access code (200, shown once)" "$(status)" 200
	expect_match "... the result page shows it" "$page" "id=\"new-access-code\">$DCODE<"
	expect_eq "audit row department.access_code.rotate" "$(sql "SELECT COUNT(*) > 0 FROM audit_log WHERE action = 'department.access_code.rotate' AND object_id = '$eng'")" 1
	DHASH=$(sql "SELECT client_access_code_hash FROM departments WHERE id = $eng")
	expect_eq "... stored as its HMAC" "$DHASH" "$(hmac "$DCODE")"
	post "/departments/$eng" name=Engineering ssl_terms=1y self_enrollment=1 "csrf=$csrf" >/dev/null
	expect_eq "... then self enrollment is turned on (303)" "$(status)" 303

	login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
	page=$(get /organizations)
	expect_match "RAO A lists Demo Organisation" "$page" "organizations/$orgA\""
	case "$page" in *"organizations/$orgB\""*) fail "RAO A does not list Other Organisation" ;; *) ok "RAO A does not list Other Organisation" ;; esac
	case "$page" in *"organizations/$org\""*) fail "RAO A does not list the new organisation" ;; *) ok "RAO A does not list the new organisation" ;; esac
	get "/organizations/$orgB" >/dev/null
	expect_eq "RAO A asking for org B by id gets 404" "$(status)" 404
	page=$(get "/departments/$eng")
	expect_match "RAO A sees that the Engineering access code is set and how it ends" "$page" 'Access code: set on .* \(ends in Ys\)'
	case "$page" in *"$DCODE"*) fail "... never the code" ;; *) ok "... never the code" ;; esac
	get "/departments/$eng/access-code" >/dev/null
	expect_eq "... and may rotate it (200)" "$(status)" 200
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
		"$(sql "SELECT client_access_code_hash FROM departments WHERE id = $eng")" "$DHASH"
	get "/departments/$eng/access-code" >/dev/null
	expect_eq "a DRAO cannot open the access-code page (403)" "$(status)" 403
	post "/departments/$eng/access-code" how=type code=Xx9wQ3vR7tLp "csrf=$dcsrf" >/dev/null
	expect_eq "... nor rotate the code (403)" "$(status)" 403
	expect_eq "... which stays as it was" "$(sql "SELECT client_access_code_hash FROM departments WHERE id = $eng")" "$DHASH"
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
