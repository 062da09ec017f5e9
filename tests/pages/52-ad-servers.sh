#!/bin/bash
# 52-ad-servers.sh: Active Directory servers in admin.fcgi (MRAO only): add / edit / delete with strict LDAP URI,
# base DN and domain checks next to the field; binding an organisation to one (MRAO only, RAO sees it read-only,
# refused when an RAO tries); delete refused while bound, naming the organisations; customer isolation; audit rows.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-52-ad.XXXXXX)
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM
OTHER_CUST=""
cleanup() {
	# Leave Demo Organisation unbound and the second customer gone, whatever happened.
	sql "UPDATE organizations SET ad_server_id = NULL WHERE ad_server_id IN (SELECT id FROM ad_servers WHERE name LIKE '%$TAG%')" 2>/dev/null
	sql "DELETE FROM organizations WHERE name LIKE 'bulk-$TAG-%'" 2>/dev/null
	sql "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE name LIKE '%$TAG%' AND deleted_at IS NULL" 2>/dev/null
	if [ -n "$OTHER_CUST" ]; then
		sql "DELETE FROM ad_servers WHERE customer_id = $OTHER_CUST; DELETE FROM customers WHERE id = $OTHER_CUST" 2>/dev/null
	fi
	rm -rf "$T"
}
trap 'cleanup; harness_down' EXIT

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG_A=$(sql "SELECT id FROM organizations WHERE customer_id = '$CUST' AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_id = '$2'"; }
last_audit() { sql "SELECT $1 FROM audit_log WHERE action = '$2' AND object_id = '$3' ORDER BY id DESC LIMIT 1"; }
# Fails the named check when the last body shows TEXT unescaped.
not_in_body() { if grep -qF -- "$2" "$T/body"; then fail "$1"; else ok "$1"; fi; }

# org_form ORG: the organisation's current settings as form fields (so a save changes only what a test adds).
org_form() {
	local row f=() v
	row=$(sql "SELECT CONCAT_WS(CHAR(31), name, COALESCE(address1, ''), COALESCE(address2, ''), COALESCE(city, ''),
		COALESCE(state, ''), COALESCE(postal_code, ''), COALESCE(country, ''), COALESCE(client_access_code, ''),
		ssl_allowed_terms, client_self_enrollment, client_web_api, client_key_recovery_mrao, client_key_recovery_org,
		client_allow_principal_name, client_allow_principal_name_custom, ssl_auto_approve, codesign_enabled,
		client_auto_approve, codesign_auto_approve)
		FROM organizations WHERE id = $1")
	IFS=$'\x1f' read -r -a v <<< "$row"
	f=("name=${v[0]}" "address1=${v[1]}" "address2=${v[2]}" "city=${v[3]}" "state=${v[4]}" "postal_code=${v[5]}"
		"country=${v[6]}" "access_code=${v[7]}" "ssl_terms=${v[8]}")
	local i=9
	for b in self_enrollment web_api key_recovery_mrao key_recovery_org principal_name principal_name_custom \
		ssl_auto_approve codesign_enabled client_auto_approve codesign_auto_approve; do
		[ "${v[$i]}" = 1 ] && f+=("$b=1")
		i=$((i + 1))
	done
	ORG_FORM=("${f[@]}")
}
bound_to() { sql "SELECT COALESCE(ad_server_id, 'none') FROM organizations WHERE id = $1"; }

expect_match "Demo Organisation exists" "$ORG_A" '^[0-9]+$'
if ! login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"; then
	fail "kinit as the MRAO"
	done_testing
	exit 1
fi
ok "kinit as the MRAO"

# --- list and new form
get /ad-servers > /dev/null
expect_eq "MRAO: GET /admin/ad-servers is 200" "$(status)" 200
check "the navigation links to the AD servers for an MRAO" grep -qF 'href="/admin/ad-servers"' "$T/body"
csrf=$(csrf /ad-servers/new)
expect_eq "MRAO: GET the new-server form is 200" "$(status)" 200
expect_match "the form carries a CSRF token" "$csrf" '^[0-9a-f]{64}$'
check "the form asks for the LDAP URIs" grep -qF 'name="ldap_uris"' "$T/body"
check "StartTLS is required by default" grep -qE 'name="starttls" value="1" checked' "$T/body"

NAME="Corp AD $TAG"
good=("name=$NAME" "domain=Corp.Demo.Test." "ldap_uris=  ldaps://dc1.corp.demo.test   ldap://dc2.corp.demo.test:389 "
	"base_dn=DC=corp,DC=demo,DC=test" "starttls=1")
post /ad-servers/new "${good[@]}" > /dev/null
expect_eq "POST without a CSRF token is 403" "$(status)" 403
expect_eq "... and adds nothing" "$(sql "SELECT COUNT(*) FROM ad_servers WHERE name LIKE '%$TAG%'")" 0

# --- bad input: 400, the message next to the field, what was typed kept, nothing added
# bad FIELD VALUE MESSAGE: posts the good form with FIELD=VALUE.
bad() {
	local field=$1 value=$2 msg=$3 args=() a
	for a in "${good[@]}"; do [ "${a%%=*}" = "$field" ] || args+=("$a"); done
	post /ad-servers/new "${args[@]}" "$field=$value" "csrf=$csrf" > /dev/null
	if [ "$(status)" = 400 ] && error_after "$field" | grep -qF -- "$msg"; then
		ok "$field '$value' is refused next to the field: $msg"
	else
		fail "$field '$value' is refused next to the field: $msg (got $(status): $(error_after "$field"))"
	fi
}
bad ldap_uris "http://dc1.corp.demo.test" "must start with ldap:// or ldaps://"
bad ldap_uris "garbage" "URI 1 (garbage)"
bad ldap_uris "ldap://dc1.corp.demo.test/??sub?(cn=*)" "the base DN has its own field"
bad ldap_uris "ldaps://dc1.corp.demo.test ldap://dc2.corp.demo.test/DC=x" "URI 2"
bad ldap_uris "ldap://dc1.corp.demo.test:70000" "1 to 65535"
bad ldap_uris "" "at least one LDAP URI"
bad base_dn "garbage" "not an LDAP DN"
bad base_dn "DC=corp," "not an LDAP DN"
bad base_dn "" "Enter the base DN"
bad domain "not a domain" "letters, digits and hyphens"
bad domain "*.corp.demo.test" "no wildcard"
bad domain "" "Enter the Active Directory domain"
bad name "" "A name is required."
bad name "$(printf 'x%.0s' {1..256})" "At most 255 bytes"
check "a refused form keeps what was typed" grep -qF 'value="DC=corp,DC=demo,DC=test"' "$T/body"
expect_eq "... and nothing was added" "$(sql "SELECT COUNT(*) FROM ad_servers WHERE name LIKE '%$TAG%'")" 0

XSS="<script>alert(\"ad$TAG\")</script>"
post /ad-servers/new "name=$XSS" "domain=corp.demo.test" "ldap_uris=ldap://$XSS" "base_dn=$XSS" "csrf=$csrf" > /dev/null
expect_eq "hostile strings are refused with 400" "$(status)" 400
check "... and shown escaped in the form" grep -qF "value=\"&lt;script&gt;alert(&quot;ad$TAG&quot;)&lt;/script&gt;\"" "$T/body"
not_in_body "... never as markup" "<script>alert(\"ad$TAG"

# --- create
post /ad-servers/new "${good[@]}" "csrf=$csrf" > /dev/null
expect_eq "MRAO adds a server: 303" "$(status)" 303
ID=$(sql "SELECT id FROM ad_servers WHERE customer_id = $CUST AND name = '$NAME' AND deleted_at IS NULL")
expect_match "... the row exists" "$ID" '^[0-9]+$'
expect_eq "... redirected to its page, with the success banner" "$(header Location)" "/admin/ad-servers/$ID?done=created"
expect_eq "... stored normalised (domain lower case, one space between URIs)" \
	"$(sql "SELECT CONCAT_WS('|', domain, ldap_uris, base_dn, starttls) FROM ad_servers WHERE id = '${ID:-0}'")" \
	"corp.demo.test|ldaps://dc1.corp.demo.test ldap://dc2.corp.demo.test:389|DC=corp,DC=demo,DC=test|1"
expect_eq "... audited once (ad_server.create)" "$(audit_count ad_server.create "${ID:-0}")" 1
expect_match "... with the new values" "$(last_audit after_json ad_server.create "${ID:-0}")" '"domain":"corp.demo.test".*"starttls":true'
get "/ad-servers/$ID" > /dev/null
expect_eq "its page is 200" "$(status)" 200
check "... shows the Kerberos realm" grep -qF "CORP.DEMO.TEST" "$T/body"
post /ad-servers/new "${good[@]}" "csrf=$csrf" > /dev/null
if [ "$(status)" = 400 ] && error_after name | grep -qF "Another AD server already has this name"; then
	ok "a second server with the same name is refused next to the name"
else fail "a second server with the same name is refused next to the name (got $(status))"; fi

HNAME="<b>\"AD\" & $TAG</b>"
post /ad-servers/new "name=$HNAME" "domain=h.demo.test" "ldap_uris=ldaps://h.demo.test" "base_dn=DC=h,DC=demo,DC=test" "csrf=$csrf" > /dev/null
HID=$(sql "SELECT id FROM ad_servers WHERE customer_id = $CUST AND name = '$HNAME' AND deleted_at IS NULL")
expect_match "a server with markup in its name is stored as typed" "$HID" '^[0-9]+$'
get /ad-servers > /dev/null
check "the list shows it escaped" grep -qF "&lt;b&gt;&quot;AD&quot; &amp; $TAG&lt;/b&gt;" "$T/body"
not_in_body "... never as markup" "<b>\"AD\" & $TAG"
check "the list shows the first server" grep -qF "$NAME" "$T/body"

# --- edit
post "/ad-servers/$ID" "name=$NAME" "domain=corp.demo.test" "ldap_uris=ldaps://dc3.corp.demo.test:636" \
	"base_dn=OU=Staff,DC=corp,DC=demo,DC=test" "csrf=$csrf" > /dev/null
expect_eq "MRAO edits the server: 303" "$(status)" 303
expect_eq "... the row changed (StartTLS off: unchecked box)" \
	"$(sql "SELECT CONCAT_WS('|', ldap_uris, base_dn, starttls) FROM ad_servers WHERE id = $ID")" \
	"ldaps://dc3.corp.demo.test:636|OU=Staff,DC=corp,DC=demo,DC=test|0"
expect_match "... audited with before" "$(last_audit before_json ad_server.update "$ID")" '"base_dn":"DC=corp,DC=demo,DC=test"'
expect_match "... and after" "$(last_audit after_json ad_server.update "$ID")" '"base_dn":"OU=Staff,DC=corp,DC=demo,DC=test".*"starttls":false'
post "/ad-servers/$ID" "name=$NAME" "domain=corp.demo.test" "ldap_uris=ldap://dc1.corp.demo.test/?cn" \
	"base_dn=DC=corp,DC=demo,DC=test" "starttls=1" "csrf=$csrf" > /dev/null
expect_eq "an edit with an attribute part in a URI is 400" "$(status)" 400
expect_eq "... and changes nothing" "$(sql "SELECT ldap_uris FROM ad_servers WHERE id = $ID")" "ldaps://dc3.corp.demo.test:636"
expect_eq "... and is not audited" "$(audit_count ad_server.update "$ID")" 1

# --- bind Demo Organisation (MRAO)
get "/organizations/$ORG_A" > /dev/null
check "the organisation page offers the server to the MRAO" grep -qE "<option value=\"$ID\"[^>]*>Corp AD $TAG \\(corp.demo.test\\)" "$T/body"
org_form "$ORG_A"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$ID" "csrf=$csrf" > /dev/null
expect_eq "MRAO binds Demo Organisation: 303" "$(status)" 303
expect_eq "... organizations.ad_server_id is the server" "$(bound_to "$ORG_A")" "$ID"
expect_match "... audited in the organisation's change (before)" \
	"$(last_audit before_json organization.update "$ORG_A")" '"ad_server_id":null'
expect_match "... (after)" "$(last_audit after_json organization.update "$ORG_A")" "\"ad_server_id\":$ID[,}]"
get "/organizations/$ORG_A" > /dev/null
check "the organisation page shows the bound server selected" grep -qE "<option value=\"$ID\" selected>" "$T/body"
get "/ad-servers/$ID" > /dev/null
check "the server page lists Demo Organisation" grep -qF "href=\"/admin/organizations/$ORG_A\"" "$T/body"

# --- delete refused while bound
post "/ad-servers/$ID/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "deleting a bound server is refused (409)" "$(status)" 409
check "... naming the organisation that uses it" grep -qF "one organisation uses it (Demo Organisation)" "$T/body"
expect_eq "... the row stays" "$(sql "SELECT deleted_at IS NULL FROM ad_servers WHERE id = $ID")" 1
expect_eq "... nothing audited" "$(audit_count ad_server.delete "$ID")" 0
post "/ad-servers/$HID/delete" "csrf=$csrf" > /dev/null
expect_eq "a delete without confirm=yes is 400" "$(status)" 400
# 40 organisations with 241-character names: far more names than the message shows (it stops after ~700 bytes),
# but the count is still exact and the answer is still 409, not a 500.
for i in $(seq -w 1 40); do
	sql "INSERT INTO organizations (customer_id, name, ad_server_id)
		VALUES ($CUST, RPAD('bulk-$TAG-$i-', 241, 'n'), $HID)"
done
expect_eq "40 organisations with 241-character names use the second server" \
	"$(sql "SELECT CONCAT(COUNT(*), '/', MIN(CHAR_LENGTH(name))) FROM organizations WHERE ad_server_id = $HID")" "40/241"
post "/ad-servers/$HID/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "deleting a server 40 organisations use is refused (409, not 500)" "$(status)" 409
delmsg=$(grep -o '<p class="error-text">[^<]*' "$T/body" | sed 's/.*error-text">//')
expect_match "... with the count" "$delmsg" "cannot be deleted: 40 organisations use it \\(bulk-$TAG-01-n+, bulk-$TAG-02-n+, \\.\\.\\.\\)\\."
check_not "... its names cut short (~700 bytes), not all 40" grep -qF "bulk-$TAG-40-" <<< "$delmsg"
check "... while the page still lists all 40" grep -qF "bulk-$TAG-40-" "$T/body"
expect_eq "... the row stays" "$(sql "SELECT deleted_at IS NULL FROM ad_servers WHERE id = $HID")" 1
expect_eq "... nothing audited" "$(audit_count ad_server.delete "$HID")" 0
sql "DELETE FROM organizations WHERE name LIKE 'bulk-$TAG-%'"

# --- other administrators
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as RAO A"
rcsrf=$(csrf "/organizations/$ORG_A")
expect_eq "RAO A sees Demo Organisation" "$(status)" 200
check "... with its AD server, read-only" grep -qE "<p id=\"ad_server\" class=\"readonly\">Corp AD $TAG \\(corp.demo.test\\)" "$T/body"
check_not "... and no select to change it" grep -qF 'name="ad_server"' "$T/body"
check_not "... and no link to the AD servers in the navigation" grep -qF 'href="/admin/ad-servers"' "$T/body"
org_form "$ORG_A"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=" "csrf=$rcsrf" > /dev/null
expect_eq "RAO A unbinding the organisation is refused (403)" "$(status)" 403
check "... saying only an MRAO chooses the server" grep -qF "Only a master administrator (MRAO) chooses" "$T/body"
expect_eq "... the binding stays" "$(bound_to "$ORG_A")" "$ID"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$HID" "csrf=$rcsrf" > /dev/null
expect_eq "RAO A binding another server is refused (403)" "$(status)" 403
expect_eq "... the binding stays" "$(bound_to "$ORG_A")" "$ID"
# Without the right, the field itself is refused, whatever its value: comparing it with the bound server
# would let an RAO probe which server that is (403 for a wrong guess, a save for the right one).
n_upd=$(audit_count organization.update "$ORG_A")
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$ID" "csrf=$rcsrf" > /dev/null
expect_eq "RAO A posting the bound server's own id is refused too (403: no probing)" "$(status)" 403
expect_eq "... nothing saved or audited" "$(audit_count organization.update "$ORG_A")" "$n_upd"
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" || fail "kinit as the SSL-only RAO"
fcsrf=$(csrf "/organizations/$ORG_A")
check_not "the SSL-only RAO's page does not send the field" grep -qF 'name="ad_server"' "$T/body"
for guess in "$ID" "$HID" ""; do
	post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$guess" "csrf=$fcsrf" > /dev/null
	expect_eq "the SSL-only RAO guessing ad_server='$guess' gets the same 403" "$(status)" 403
done
expect_eq "... the binding stays" "$(bound_to "$ORG_A")" "$ID"
login_as carol
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "csrf=$rcsrf" > /dev/null
expect_eq "RAO A still saves the organisation without the field (303)" "$(status)" 303
expect_eq "... and the binding stays" "$(bound_to "$ORG_A")" "$ID"
for p in /ad-servers "/ad-servers/$ID" /ad-servers/new; do
	get "$p" > /dev/null
	expect_eq "RAO A: GET $p is 403" "$(status)" 403
	not_in_body "... without the server's name" "Corp AD $TAG"
done
post "/ad-servers/$HID/delete" "confirm=yes" "csrf=$rcsrf" > /dev/null
expect_eq "RAO A cannot delete a server (403)" "$(status)" 403
expect_eq "... it stays" "$(sql "SELECT deleted_at IS NULL FROM ad_servers WHERE id = $HID")" 1

login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit as RAO B"
get "/ad-servers/$ID" > /dev/null
expect_eq "RAO B cannot see Demo Organisation's server (403)" "$(status)" 403
not_in_body "... nor its name" "Corp AD $TAG"
get "/organizations/$ORG_A" > /dev/null
expect_eq "RAO B cannot see Demo Organisation (404)" "$(status)" 404
not_in_body "... nor its server" "Corp AD $TAG"

login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit as the DRAO"
get "/organizations/$ORG_A" > /dev/null
expect_eq "the DRAO sees Demo Organisation" "$(status)" 200
not_in_body "... but not its AD server (least privilege)" "Corp AD $TAG"
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" || fail "kinit as the SSL-only RAO"
get "/organizations/$ORG_A" > /dev/null
expect_eq "the SSL-only RAO sees Demo Organisation" "$(status)" 200
not_in_body "... but not its AD server (auto-enrollment is for client certificates)" "Corp AD $TAG"

# --- another customer's server
login_as alice
OURI="adtest-$TAG"
sql "INSERT INTO customers (uri, name) VALUES ('$OURI', 'AD test customer $TAG')"
OTHER_CUST=$(sql "SELECT id FROM customers WHERE uri = '$OURI'")
sql "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn) VALUES ($OTHER_CUST, 'Foreign AD $TAG', 'foreign.test', 'ldaps://dc.foreign.test', 'DC=foreign,DC=test')"
FID=$(sql "SELECT id FROM ad_servers WHERE customer_id = '${OTHER_CUST:-0}'")
expect_match "a second customer with a server exists" "$FID" '^[0-9]+$'
get "/ad-servers/$FID" > /dev/null
expect_eq "MRAO: another customer's server is 404" "$(status)" 404
not_in_body "... without its name" "Foreign AD $TAG"
post "/ad-servers/$FID" "name=Stolen $TAG" "domain=foreign.test" "ldap_uris=ldaps://dc.foreign.test" "base_dn=DC=foreign,DC=test" "csrf=$csrf" > /dev/null
expect_eq "MRAO: editing it is 404" "$(status)" 404
post "/ad-servers/$FID/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "MRAO: deleting it is 404" "$(status)" 404
expect_eq "... it is untouched" "$(sql "SELECT CONCAT(name, '|', deleted_at IS NULL) FROM ad_servers WHERE id = $FID")" "Foreign AD $TAG|1"
get /ad-servers > /dev/null
not_in_body "the list does not show it" "Foreign AD $TAG"
get "/organizations/$ORG_A" > /dev/null
not_in_body "the organisation form does not offer it" "Foreign AD $TAG"
org_form "$ORG_A"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$FID" "csrf=$csrf" > /dev/null
if [ "$(status)" = 400 ] && error_after ad_server | grep -qF "Choose one of your Active Directory servers"; then
	ok "binding Demo Organisation to another customer's server is refused next to the field"
else fail "binding Demo Organisation to another customer's server is refused next to the field (got $(status))"; fi
expect_eq "... the binding stays" "$(bound_to "$ORG_A")" "$ID"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=12x" "csrf=$csrf" > /dev/null
expect_eq "a binding that is no id is 400" "$(status)" 400
# Only the foreign key's refusal counts (a syntax or connection error would fail too).
expect_match "the database itself refuses a cross-customer binding (foreign key, ERROR 1452)" \
	"$(sql "UPDATE organizations SET ad_server_id = $FID WHERE id = $ORG_A" 2>&1)" "^ERROR 1452 "
expect_eq "... the binding stays" "$(bound_to "$ORG_A")" "$ID"

# --- unbind, then delete (soft), then the name is free again
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=" "csrf=$csrf" > /dev/null
expect_eq "MRAO unbinds Demo Organisation: 303" "$(status)" 303
expect_eq "... organizations.ad_server_id is NULL" "$(bound_to "$ORG_A")" none
expect_match "... audited" "$(last_audit after_json organization.update "$ORG_A")" '"ad_server_id":null'
# The default server is refused while another server exists, until another is made default. The
# first server of a customer is its default; on a page stack earlier tests share, another may be:
# make this one the default first.
sql "UPDATE ad_servers SET is_default = 0 WHERE customer_id = $CUST AND id <> $ID AND is_default = 1;
	UPDATE ad_servers SET is_default = 1 WHERE id = $ID"
post "/ad-servers/$ID/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "deleting the unbound but default server while another exists is refused (409)" "$(status)" 409
check "... saying to make another server the default first" grep -qF "it is the default AD server" "$T/body"
post "/ad-servers/$HID" "name=$HNAME" "domain=h.demo.test" "ldap_uris=ldaps://h.demo.test" "base_dn=DC=h,DC=demo,DC=test" \
	"is_default=1" "csrf=$csrf" > /dev/null
expect_eq "the second server is made the default: 303" "$(status)" 303
expect_eq "... the default moved in one go" "$(sql "SELECT GROUP_CONCAT(id) FROM ad_servers WHERE customer_id = $CUST AND is_default = 1 AND deleted_at IS NULL")" "$HID"
post "/ad-servers/$ID/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "MRAO deletes the unbound server: 303" "$(status)" 303
expect_eq "... soft: the row is marked deleted" "$(sql "SELECT deleted_at IS NOT NULL FROM ad_servers WHERE id = $ID")" 1
expect_eq "... audited once" "$(audit_count ad_server.delete "$ID")" 1
expect_match "... with what it was" "$(last_audit before_json ad_server.delete "$ID")" "\"name\":\"Corp AD $TAG\""
get "/ad-servers/$ID" > /dev/null
expect_eq "... its page is 404 now" "$(status)" 404
get /ad-servers > /dev/null
not_in_body "... and the list no longer shows it" "Corp AD $TAG<"
post "/organizations/$ORG_A" "${ORG_FORM[@]}" "ad_server=$ID" "csrf=$csrf" > /dev/null
expect_eq "a deleted server cannot be bound (400)" "$(status)" 400
expect_eq "... Demo Organisation stays unbound" "$(bound_to "$ORG_A")" none
post /ad-servers/new "${good[@]}" "csrf=$csrf" > /dev/null
expect_eq "the deleted server's name can be used again (303)" "$(status)" 303
expect_eq "... two rows carry it, one live" \
	"$(sql "SELECT CONCAT(COUNT(*), '/', SUM(deleted_at IS NULL)) FROM ad_servers WHERE customer_id = $CUST AND name = '$NAME'")" "2/1"

done_testing
