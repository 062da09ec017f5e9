#!/bin/bash
# 63-scep.sh: the admin portal's SCEP section (issue 10): settings (on/off with confirmation, types added with
# their profile, bad type names refused, disabling confirmed, each change audited), the URLs shown, the
# self-enrollment table per role, the renewal switch, pending SCEP requests (a transaction inserted with SQL,
# approved through the portal), and the Apple .mobileconfig (parsed with python3's plistlib; wrong access code,
# self enrollment off and a missing CSRF token refused; the code never logged or kept).
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-63-scep.XXXXXX)
tag=$$$RANDOM
URL=$CERTMINT_URL/admin
cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
org_a=$(sql "SELECT id FROM organizations WHERE customer_id = $cust AND name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
org_b=$(sql "SELECT id FROM organizations WHERE customer_id = $cust AND name = 'Other Organisation' AND deleted_at IS NULL LIMIT 1")
was_on=$(sql "SELECT scep_enabled FROM customers WHERE id = $cust")
was_auto=$(sql "SELECT client_auto_approve FROM organizations WHERE id = $org_a")
# The page stack may be shared: what this test changes goes back on exit.
cleanup() {
	sql "UPDATE customers SET scep_enabled = ${was_on:-0} WHERE id = ${cust:-0};
	     UPDATE organizations SET client_auto_approve = ${was_auto:-1}, client_revoke_superseded = 1 WHERE id = ${org_a:-0};
	     UPDATE organizations SET client_revoke_superseded = 1 WHERE id = ${org_b:-0};
	     DELETE FROM scep_types WHERE customer_id = ${cust:-0} AND scep_type LIKE 'dev-$tag%'" > /dev/null 2>&1
	rm -rf "$T"
	harness_down
}
trap cleanup EXIT

flat() { tr '\n' ' ' < "$T/body"; }
audits() { sql "SELECT COUNT(*) FROM audit_log WHERE customer_id = $cust AND action = '$1'"; }
last_audit() {
	sql "SELECT CONCAT_WS('|', actor, object_type, object_id, COALESCE(before_json, '-'), COALESCE(after_json, '-'))
	     FROM audit_log WHERE customer_id = $cust AND action = '$1' ORDER BY id DESC LIMIT 1"
}
scep_on() { sql "SELECT scep_enabled FROM customers WHERE id = $cust"; }
type_row() { sql "SELECT CONCAT_WS('|', profile, enabled) FROM scep_types WHERE customer_id = $cust AND scep_type = '$1'"; }

# A department of Demo Organisation with self enrollment on, for this test alone.
dept=$(sql "INSERT INTO departments (org_id, name, client_self_enrollment) VALUES ($org_a, 'SCEP $tag', 1); SELECT LAST_INSERT_ID()")
dept_off=$(sql "INSERT INTO departments (org_id, name, client_self_enrollment) VALUES ($org_a, 'SCEP off $tag', 0); SELECT LAST_INSERT_ID()")
expect_match "test departments exist" "$dept $dept_off" '^[0-9]+ [0-9]+$'
sql "UPDATE customers SET scep_enabled = 0 WHERE id = $cust"

# ---- who reaches the section
login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
page=$(get /)
TOKEN=$(csrf_of "$page")
check "the MRAO's navigation links to SCEP" grep -qF '<a href="/admin/scep">SCEP</a>' "$T/body"
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL"
get / > /dev/null
check_not "an RAO with SSL certificates only has no SCEP link" grep -qF 'href="/admin/scep"' "$T/body"
get /scep > /dev/null
expect_eq "... and is refused the section (403)" "$(status)" 403
for who in "carol:$CERTMINT_RAO_A_PRINCIPAL" "erin:$CERTMINT_DRAO_PRINCIPAL"; do
	login_as "${who%%:*}" "${who#*:}"
	tok=$(csrf /)
	get /scep > /dev/null
	expect_eq "${who%%:*} sees the SCEP overview (200)" "$(status)" 200
	check_not "... without a link to the settings" grep -qF 'href="/admin/scep/settings"' "$T/body"
	get /scep/settings > /dev/null
	expect_eq "... is refused the settings (403)" "$(status)" 403
	post /scep/settings scep_enabled=on "csrf=$tok" > /dev/null
	expect_eq "... and saving them (403)" "$(status)" 403
	post /scep/types/new type=dev-$tag-x profile=client-smime "csrf=$tok" > /dev/null
	expect_eq "... and adding a type (403)" "$(status)" 403
done
expect_eq "none of that turned SCEP on" "$(scep_on)" 0
expect_eq "... or added a type" "$(type_row "dev-$tag-x")" ""

# ---- the MRAO's settings
login_as alice
get /scep > /dev/null
expect_eq "the overview is 200 for the MRAO" "$(status)" 200
check "... links to the settings" grep -qF 'href="/admin/scep/settings"' "$T/body"
expect_match "... says SCEP is off" "$(flat)" 'id="scep-state"><strong class="tag tag-wait">off</strong>'
get /scep/settings > /dev/null
expect_eq "GET /admin/scep/settings is 200" "$(status)" 200
expect_match "... Off is chosen" "$(flat)" 'id="scep_enabled-off" name="scep_enabled" value="off" checked'
check "... the profile is chosen from a list, not typed" grep -qF '<option value="client-smime"' "$T/body"
check "... which offers device certificates too" \
	grep -qF '<option value="client-device">Device / client authentication (client-device)</option>' "$T/body"

n0=$(audits customer.settings)
post /scep/settings scep_enabled=on > /dev/null
expect_eq "turning SCEP on without the CSRF token is refused (403)" "$(status)" 403
post /scep/settings scep_enabled=maybe "csrf=$TOKEN" > /dev/null
expect_eq "a value other than on/off is 400" "$(status)" 400
expect_match "... with an error summary linking to the field" "$(flat)" \
	'<div class="error-summary" role="alert".*<a href="#scep_enabled-on">Choose whether devices may enroll'
expect_eq "... SCEP is still off" "$(scep_on)" 0
post /scep/settings scep_enabled=on "csrf=$TOKEN" > /dev/null
expect_eq "turning SCEP on answers 303" "$(status)" 303
expect_match "... back to the settings with a banner" "$(location)" '/admin/scep/settings\?done=saved$'
expect_eq "... SCEP is on" "$(scep_on)" 1
expect_eq "... one audit row" "$(audits customer.settings)" $((n0 + 1))
expect_match "... customer.settings by alice, from 0 to 1" "$(last_audit customer.settings)" \
	"^$CERTMINT_ADMIN_PRINCIPAL\|customer\|$CERTMINT_CUSTOMER\|\{\"scep.enabled\": ?0\}\|\{\"scep.enabled\": ?1\}$"
expect_match "... the smime type exists, issuing client-smime, enabled" "$(type_row smime)" '^client-smime\|1$'
get "/scep/settings?done=saved" > /dev/null
check "the page after the redirect shows the success banner" grep -qF 'id="scep-saved"><p>SCEP is on' "$T/body"
expect_match "... and lists the smime type with its URL" "$(flat)" \
	"<code>smime</code>.*<code>[a-z]+://[^<]*/customer/$CERTMINT_CUSTOMER/scep/smime/pkiclient.exe</code>"

# ---- the URLs
base=$(sed -n '/^\[web\]/,/^\[/s/^base_url *= *//p' "$CERTMINT_CONF" | head -n 1)
get /scep > /dev/null
smime_url="${base%/}/customer/$CERTMINT_CUSTOMER/scep/smime/pkiclient.exe"
check "the overview shows the smime URL ($smime_url) to copy" grep -qF "value=\"$smime_url\"" "$T/body"
check "... and its GetCACaps URL" grep -qF "$smime_url?operation=GetCACaps" "$T/body"
check "... and its GetCACert URL" grep -qF "$smime_url?operation=GetCACert" "$T/body"

# ---- types: bad names refused with a message, a good one added, disabling confirmed
n0=$(audits scep_type.create)
for bad in 'Device' 'dev ice' 'dév' 'dev/x' '' "$(printf 'a%.0s' {1..33})" 'smime'; do
	post /scep/types/new "type=$bad" profile=client-smime "csrf=$TOKEN" > /dev/null
	expect_eq "type name '$bad' is refused (400)" "$(status)" 400
	msg=$(sed -n 's/.*id="type-error">\([^<]*\)<.*/\1/p' "$T/body")
	expect_match "... with a message next to the field" "$msg" '.{20,}'
done
check "... the summary links to the field" grep -qF '<a href="#type">' "$T/body"
expect_match "a name taken already says so" "$msg" 'already has that type'
post /scep/types/new "type=dev-$tag" profile=tls-server "csrf=$TOKEN" > /dev/null
expect_eq "a profile that is not a client profile is refused (400)" "$(status)" 400
expect_match "... next to the profile" "$(flat)" 'id="profile-error">Choose the profile'
expect_eq "... no type was added" "$(audits scep_type.create)" "$n0"
post /scep/types/new "type=dev-$tag" profile=client-smime "csrf=$TOKEN" > /dev/null
expect_eq "adding type dev-$tag answers 303" "$(status)" 303
expect_match "... with its banner" "$(location)" 'done=added$'
expect_eq "... the row exists, enabled" "$(type_row "dev-$tag")" 'client-smime|1'
expect_match "... audited as scep_type.create" "$(last_audit scep_type.create)" \
	"^$CERTMINT_ADMIN_PRINCIPAL\|scep_type\|dev-$tag\|-\|\{\"scep_type\": ?\"dev-$tag\", ?\"profile\": ?\"client-smime\", ?\"enabled\": ?1\}$"
post /scep/types/new "type=dev-$tag-d" profile=client-device "csrf=$TOKEN" > /dev/null
expect_eq "adding a device type dev-$tag-d (client-device) answers 303" "$(status)" 303
expect_eq "... the row exists with that profile, enabled" "$(type_row "dev-$tag-d")" 'client-device|1'
expect_match "... audited with its profile" "$(last_audit scep_type.create)" \
	"\|dev-$tag-d\|-\|\{\"scep_type\": ?\"dev-$tag-d\", ?\"profile\": ?\"client-device\""
get /scep/settings > /dev/null
expect_match "... the settings list it by its profile's label, with its URL" "$(flat)" \
	"<code>dev-$tag-d</code></td> *<td>Device / client authentication \(client-device\)</td>.*/customer/$CERTMINT_CUSTOMER/scep/dev-$tag-d/pkiclient.exe</code>"
get /scep > /dev/null
check "its URL is shown on the overview" grep -qF "${base%/}/customer/$CERTMINT_CUSTOMER/scep/dev-$tag/pkiclient.exe" "$T/body"

n0=$(audits scep_type.disable)
get "/scep/types/disable?type=dev-$tag" > /dev/null
expect_eq "disabling a type opens a confirmation page (200)" "$(status)" 200
expect_match "... asking the question" "$(flat)" '<h1>Disable this SCEP type\?</h1>'
expect_match "... saying devices stop enrolling" "$(flat)" 'can no longer enroll'
check "... POSTing with confirm=yes" grep -qF '<input type="hidden" name="confirm" value="yes">' "$T/body"
expect_eq "... the page changed nothing" "$(type_row "dev-$tag")" 'client-smime|1'
post "/scep/types/disable?type=dev-$tag" "csrf=$TOKEN" > /dev/null
expect_eq "a disable without confirm=yes is 400" "$(status)" 400
post "/scep/types/disable?type=dev-$tag" confirm=yes > /dev/null
expect_eq "... without the CSRF token 403" "$(status)" 403
expect_eq "... still enabled" "$(type_row "dev-$tag")" 'client-smime|1'
post "/scep/types/disable?type=dev-$tag" confirm=yes "csrf=$TOKEN" > /dev/null
expect_eq "confirming answers 303" "$(status)" 303
expect_eq "... the type is disabled" "$(type_row "dev-$tag")" 'client-smime|0'
expect_eq "... audited once" "$(audits scep_type.disable)" $((n0 + 1))
expect_match "... from enabled 1 to 0" "$(last_audit scep_type.disable)" '\{"enabled": ?1\}\|\{"enabled": ?0\}$'
get /scep > /dev/null
check_not "... its URL is no longer offered" grep -qF "/scep/dev-$tag/pkiclient.exe" "$T/body"
get "/scep/types/disable?type=dev-$tag" > /dev/null
expect_eq "disabling it again: 409" "$(status)" 409
get "/scep/types/disable?type=nosuch-$tag" > /dev/null
expect_eq "an unknown type: 404" "$(status)" 404
post /scep/types/enable "type=dev-$tag" "csrf=$TOKEN" > /dev/null
expect_eq "enabling it answers 303 (no confirmation needed)" "$(status)" 303
expect_eq "... enabled again" "$(type_row "dev-$tag")" 'client-smime|1'
expect_match "... audited" "$(last_audit scep_type.enable)" "\|scep_type\|dev-$tag\|"

# ---- turning SCEP off: the confirmation page first
n0=$(audits customer.settings)
post /scep/settings scep_enabled=off "csrf=$TOKEN" > /dev/null
expect_eq "choosing Off answers 303" "$(status)" 303
expect_match "... to the confirmation page" "$(location)" '/admin/scep/turn-off$'
expect_eq "... and changes nothing yet" "$(scep_on)" 1
get /scep/turn-off > /dev/null
expect_eq "the confirmation page is 200" "$(status)" 200
expect_match "... asks the question" "$(flat)" '<h1>Turn SCEP off\?</h1>'
expect_match "... says what happens" "$(flat)" 'devices can no longer enroll'
check "... Cancel leads back to the settings" grep -qF 'href="/admin/scep/settings">Cancel</a>' "$T/body"
post /scep/turn-off "csrf=$TOKEN" > /dev/null
expect_eq "turning off without confirm=yes is 400" "$(status)" 400
expect_eq "... still on" "$(scep_on)" 1
expect_eq "... no audit row" "$(audits customer.settings)" "$n0"
post /scep/turn-off confirm=yes "csrf=$TOKEN" > /dev/null
expect_eq "confirming answers 303" "$(status)" 303
expect_eq "... SCEP is off" "$(scep_on)" 0
expect_match "... audited from 1 to 0" "$(last_audit customer.settings)" '\{"scep.enabled": ?1\}\|\{"scep.enabled": ?0\}$'
get /scep > /dev/null
check "the overview says the URLs answer 404" grep -qF 'SCEP is off for this customer' "$T/body"
get /scep/turn-off > /dev/null
expect_eq "the confirmation page when off already: 409" "$(status)" 409
post /scep/settings scep_enabled=on "csrf=$TOKEN" > /dev/null
expect_eq "and on again (303)" "$(status)" 303

# ---- the access-code rotation flow the table links to: confirmation, the code shown once
CODE="Kx7qW2mZ9pLr-$tag"
get "/departments/$dept/access-code" > /dev/null
expect_eq "setting the department's access code opens a confirmation page" "$(status)" 200
check "... a form with a danger button" grep -qF 'class="danger">Set access code' "$T/body"
post "/departments/$dept/access-code" how=type "code=$CODE" "csrf=$TOKEN" > /dev/null
expect_eq "... the code is set (200)" "$(status)" 200
check "... and shown once" grep -qF "<code id=\"new-access-code\">$CODE</code>" "$T/body"
get "/departments/$dept/access-code" > /dev/null
check_not "... never again" grep -qF "$CODE" "$T/body"

# ---- the self-enrollment table, per role
get /scep > /dev/null
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F "/admin/departments/$dept\"")
expect_match "the MRAO's table lists the department with self enrollment on" "$row" \
	"Demo Organisation / SCEP $tag</a></td> *<td><strong class=\"tag tag-good\">on</strong>"
expect_match "... approval follows the organisation" "$row" 'as organisation: (automatic|manual)'
expect_match "... the code's date and its hint" "$row" "set [0-9-]+ [0-9:]+ UTC, ends in <code>${CODE: -2}</code>"
expect_match "... a link to rotate it" "$row" "href=\"/admin/departments/$dept/access-code\">Rotate access code"
login_as carol
get /scep > /dev/null
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F "/admin/departments/$dept\"")
expect_match "Demo Organisation's RAO sees the row, the hint and the rotate link" "$row" \
	"ends in <code>${CODE: -2}</code>.*access-code\">Rotate access code"
check_not "... but not Other Organisation" grep -qF 'Other Organisation' "$T/body"
login_as dave "$CERTMINT_RAO_B_PRINCIPAL"
get /scep > /dev/null
check_not "Other Organisation's RAO does not see the department" grep -qF "SCEP $tag" "$T/body"
check "... but its own organisation" grep -qF 'Other Organisation' "$T/body"
login_as erin
get /scep > /dev/null
check_not "the DRAO of Engineering does not see the test department" grep -qF "SCEP $tag" "$T/body"
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F '/ Engineering</a>')
expect_match "... sees its own department" "$row" 'Engineering'
expect_match "... without the code's state" "$row" 'not shown to you'
check_not "... and no rotate link" grep -qF '/access-code"' "$T/body"

# ---- renewal revokes the old certificate: the organisation's switch
n0=$(audits organization.client_revoke_superseded)
login_as erin
tok=$(csrf /)
post "/scep/organizations/$org_a/revoke-superseded" revoke_superseded=off "csrf=$tok" > /dev/null
expect_eq "the DRAO may not change its organisation's renewal setting (403)" "$(status)" 403
login_as carol
tok=$(csrf /)
get /scep > /dev/null
check "the RAO has the button" grep -qF "action=\"/admin/scep/organizations/$org_a/revoke-superseded\"" "$T/body"
post "/scep/organizations/$org_b/revoke-superseded" revoke_superseded=off "csrf=$tok" > /dev/null
expect_eq "... not for another organisation (404)" "$(status)" 404
post "/scep/organizations/$org_a/revoke-superseded" revoke_superseded=off "csrf=$tok" > /dev/null
expect_eq "... turning it off answers 303" "$(status)" 303
expect_eq "... stored" "$(sql "SELECT client_revoke_superseded FROM organizations WHERE id = $org_a")" 0
expect_eq "... audited once" "$(audits organization.client_revoke_superseded)" $((n0 + 1))
expect_match "... from 1 to 0 by carol" "$(last_audit organization.client_revoke_superseded)" \
	"^$CERTMINT_RAO_A_PRINCIPAL\|organization\|$org_a\|\{\"client_revoke_superseded\": ?1\}\|\{\"client_revoke_superseded\": ?0\}$"
get "/scep?done=revoke-off" > /dev/null
check "... with a banner" grep -qF 'leaves the certificate it renews valid' "$T/body"
post "/scep/organizations/$org_a/revoke-superseded" revoke_superseded=on "csrf=$tok" > /dev/null
expect_eq "... and back on" "$(sql "SELECT client_revoke_superseded FROM organizations WHERE id = $org_a")" 1

# ---- pending SCEP requests: a requested certificate and its pending transaction
sql "UPDATE organizations SET client_auto_approve = 0 WHERE id = $org_a"
login_as alice
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/dev.key" -out "$T/dev.csr" \
	-subj "/CN=SCEP Device $tag/emailAddress=dev-$tag@demo.test" -addext "subjectAltName=email:dev-$tag@demo.test" 2>/dev/null
get /certificates/new > /dev/null
sub=$(sed -n 's/.*name="submission" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1)
post /certificates/new "csrf=$TOKEN" "submission=$sub" "csr@$T/dev.csr" profile=client-smime "org=$org_a" > /dev/null
cert=$(sql "SELECT id FROM certificates WHERE customer_id = $cust AND common_name = 'SCEP Device $tag' ORDER BY id DESC LIMIT 1")
expect_eq "a client certificate request waits for approval" "$(sql "SELECT status FROM certificates WHERE id = ${cert:-0}")" requested
tid="TID$tag$(printf 'f%.0s' {1..20})"
sql "INSERT INTO scep_transactions (customer_id, scep_type, transaction_id, message_type, csr_sha256, certificate_id, status, remote_addr)
     VALUES ($cust, 'smime', '$tid', 19, '$(printf '0%.0s' {1..64})', ${cert:-0}, 'pending', '192.0.2.$((tag % 250 + 1))')"
get /scep > /dev/null
expect_match "the overview counts it" "$(sed -n 's/.*id="scep-pending-count">\([0-9]*\) SCEP.*/\1/p' "$T/body")" '^[1-9][0-9]*$'
get /scep/pending > /dev/null
expect_eq "the pending list is 200" "$(status)" 200
total=$(sed -n 's/.*id="pending-total">\([0-9]*\)<.*/\1/p' "$T/body")
expect_match "... its heading counts the requests" "$total" '^[1-9][0-9]*$'
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F "$tid")
expect_match "... the row: transaction id, CN, e-mail" "$row" \
	"<code class=\"fingerprint\">$tid</code>.*SCEP Device $tag</a><br><span class=\"small\">dev-$tag@demo.test</span>"
expect_match "... organisation, received, client address" "$row" \
	"Demo Organisation</td> *<td>[0-9-]+ [0-9:]+</td> *<td>192\\.0\\.2\\.[0-9]+</td>"
expect_match "... Approve posts to the certificate's approval route" "$row" \
	"action=\"/admin/certificates/$cert/approve\"><input type=\"hidden\" name=\"csrf\""
expect_match "... Decline to its decline route with a message" "$row" "action=\"/admin/certificates/$cert/decline\">.*name=\"message\""
for s in received newest cn org; do
	get "/scep/pending?sort=$s" > /dev/null
	expect_eq "sorted by $s: 200 and the row is there" "$(status) $(grep -c "$tid" "$T/body")" "200 1"
done
check "the column headings link to the orders" grep -qF 'href="/admin/scep/pending?sort=cn">Subject</a>' "$T/body"
get "/scep/pending?sort=bogus" > /dev/null
expect_eq "an unknown order is 400" "$(status)" 400
login_as carol
get /scep/pending > /dev/null
check "Demo Organisation's RAO sees it" grep -qF "$tid" "$T/body"
login_as dave
get /scep/pending > /dev/null
expect_eq "Other Organisation's RAO does not (200, not listed)" "$(status) $(grep -c "$tid" "$T/body")" "200 0"
login_as frank
get /scep/pending > /dev/null
expect_eq "the SSL-only RAO is refused the list (403)" "$(status)" 403

login_as carol
tok=$(csrf /)
post "/certificates/$cert/approve" "csrf=$tok" > /dev/null
expect_eq "carol approves it through the portal's approval route (303)" "$(status)" 303
expect_eq "... the certificates row is issued" "$(sql "SELECT status FROM certificates WHERE id = ${cert:-0}")" issued
expect_eq "... by carol" "$(sql "SELECT approved_by FROM certificates WHERE id = ${cert:-0}")" "$CERTMINT_RAO_A_PRINCIPAL"
get /scep/pending > /dev/null
check_not "... and it leaves the pending list" grep -qF "$tid" "$T/body"
expect_eq "... the transaction row is scep.fcgi's to answer (still pending until the poll)" \
	"$(sql "SELECT status FROM scep_transactions WHERE transaction_id = '$tid'")" pending
sql "UPDATE organizations SET client_auto_approve = ${was_auto:-1} WHERE id = $org_a"

# ---- the Apple configuration profile
login_as erin
get /scep/mobileconfig > /dev/null
expect_eq "a DRAO may not make profiles (403: no access codes)" "$(status)" 403
login_as alice
get /scep/mobileconfig > /dev/null
expect_eq "the profile form is 200 for the MRAO" "$(status)" 200
check "... offers the department" grep -qF "<option value=\"dept-$dept\">Demo Organisation / SCEP $tag</option>" "$T/body"
check "... the code field is a password field, empty" grep -qF '<input type="password" id="code" name="code" maxlength="64" autocomplete="off" spellcheck="false" value=""' "$T/body"
cn='Zoë & <Sons> "Q"'
email="zoe-$tag@demo.test"
n0=$(audits scep.mobileconfig)
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=$cn" "email=$email" > /dev/null
expect_eq "without the CSRF token the profile is refused (403)" "$(status)" 403
post /scep/mobileconfig "target=dept-$dept" "code=${CODE}x" "cn=$cn" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "a wrong access code is refused (400)" "$(status)" 400
expect_match "... saying so next to the field" "$(flat)" "id=\"code-error\">This is not the current access code of Demo Organisation / SCEP $tag"
check "... linked from the summary" grep -qF '<li><a href="#code">This is not the current access code' "$T/body"
check_not "... the code typed is not shown back" grep -qF "$CODE" "$T/body"
expect_match "... the rest is kept" "$(flat)" "id=\"email\" name=\"email\"[^>]*value=\"$email\""
post /scep/mobileconfig "target=dept-$dept_off" "code=$CODE" "cn=$cn" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "a department with self enrollment off is refused (400)" "$(status)" 400
expect_match "... saying why" "$(flat)" 'id="target-error">Self enrollment is off for Demo Organisation / SCEP off'
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=" "email=not-an-address" "csrf=$TOKEN" > /dev/null
expect_eq "an empty name and a bad e-mail address are refused (400)" "$(status)" 400
check "... each next to its field" grep -qF 'id="email-error">Enter an e-mail address like' "$T/body"
check "... the name's too" grep -qF 'id="cn-error">Enter the user' "$T/body"
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=$(printf 'Bad \xff\xfe name')" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "a name that is not UTF-8 is refused (400)" "$(status)" 400
check "... next to its field" grep -qF 'id="cn-error">The name is not valid text' "$T/body"
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=$(printf 'Tab\there')" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "a name with a control character is refused (400)" "$(status)" 400
post /scep/mobileconfig "target=dept-999999999" "code=$CODE" "cn=$cn" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "a department that is not the customer's is refused (400)" "$(status)" 400
expect_eq "... none of these wrote an audit row" "$(audits scep.mobileconfig)" "$n0"

post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=$cn" "email=$email" "csrf=$TOKEN" > /dev/null
expect_eq "the right access code downloads the profile (200)" "$(status)" 200
expect_eq "... Content-Type application/x-apple-aspen-config" "$(header Content-Type)" application/x-apple-aspen-config
expect_eq "... as an attachment named after the user" "$(header Content-Disposition)" "attachment; filename=\"zoe-$tag.mobileconfig\""
expect_eq "... never cached" "$(header Cache-Control)" no-store
cp "$T/body" "$T/profile.mobileconfig"
ca_sha1=$(sql "SELECT SHA1(der) FROM ca_certs WHERE kind = 'issuing' AND not_after > UTC_TIMESTAMP() ORDER BY not_before DESC, id DESC LIMIT 1")
ca_cn=$(sql "SELECT der FROM ca_certs WHERE kind = 'issuing' AND not_after > UTC_TIMESTAMP() ORDER BY not_before DESC, id DESC LIMIT 1" > /dev/null; \
	sql "SELECT pem FROM ca_certs WHERE kind = 'issuing' AND not_after > UTC_TIMESTAMP() ORDER BY not_before DESC, id DESC LIMIT 1" |
	sed 's/\\n/\n/g' | openssl x509 -noout -subject -nameopt multiline 2>/dev/null | sed -n 's/^ *commonName *= *//p')
cname=$(sql "SELECT name FROM customers WHERE id = $cust")
out=$(python3 - "$T/profile.mobileconfig" "$smime_url" "$CODE" "$cn" "$email" "$ca_sha1" "$ca_cn" "$cname" <<'PY'
import binascii, plistlib, sys
path, url, code, cn, email, sha1, ca_cn, cname = sys.argv[1:]
with open(path, 'rb') as f:
    p = plistlib.load(f)
checks = []
def chk(name, ok):
    checks.append(("ok" if ok else "FAIL") + " " + name)
chk("top-level PayloadType Configuration", p.get("PayloadType") == "Configuration")
chk("top-level PayloadVersion 1", p.get("PayloadVersion") == 1)
chk("top-level PayloadDisplayName '<customer> S/MIME certificate'", p.get("PayloadDisplayName") == cname + " S/MIME certificate")
pc = p.get("PayloadContent") or []
chk("one payload", len(pc) == 1)
s = pc[0] if pc else {}
chk("payload type com.apple.security.scep", s.get("PayloadType") == "com.apple.security.scep")
chk("UUIDs present and distinct", s.get("PayloadUUID") and p.get("PayloadUUID") and s.get("PayloadUUID") != p.get("PayloadUUID"))
chk("identifiers distinct", s.get("PayloadIdentifier") and p.get("PayloadIdentifier") and s.get("PayloadIdentifier") != p.get("PayloadIdentifier"))
c = s.get("PayloadContent") or {}
chk("URL is the smime URL", c.get("URL") == url)
chk("Name is the CA's name", c.get("Name") == ca_cn and ca_cn != "")
chk("Challenge is the access code", c.get("Challenge") == code)
chk("Keysize 2048", c.get("Keysize") == 2048)
chk("Key Type RSA", c.get("Key Type") == "RSA")
chk("Key Usage 5", c.get("Key Usage") == 5)
chk("Subject CN and emailAddress OID (escaped text intact)", c.get("Subject") == [[["CN", cn]], [["1.2.840.113549.1.9.1", email]]])
chk("SubjectAltName rfc822Name", c.get("SubjectAltName") == {"rfc822Name": email})
chk("Retries and RetryDelay", isinstance(c.get("Retries"), int) and isinstance(c.get("RetryDelay"), int))
chk("CAFingerprint is the SHA-1 of the issuing CA's DER", binascii.hexlify(c.get("CAFingerprint") or b"").decode() == sha1.lower())
print("\n".join(checks))
PY
)
if [ -z "$out" ]; then fail "plistlib reads the profile"; sed 's/^/# /' "$T/profile.mobileconfig" | head -40; fi
while read -r res name; do
	[ -n "$res" ] || continue
	if [ "$res" = ok ]; then ok "profile: $name"; else fail "profile: $name"; fi
done <<< "$out"
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=$cn" "email=$email" "csrf=$TOKEN" > /dev/null
u1=$(grep -A1 '<key>PayloadUUID</key>' "$T/profile.mobileconfig" | tr -d '\n')
u2=$(grep -A1 '<key>PayloadUUID</key>' "$T/body" | tr -d '\n')
check "a second profile has other UUIDs" test -n "$u1" -a "$u1" != "$u2"
expect_eq "each profile wrote one audit row" "$(audits scep.mobileconfig)" $((n0 + 2))
expect_match "... scep.mobileconfig by alice for the department, naming the user" "$(last_audit scep.mobileconfig)" \
	"^$CERTMINT_ADMIN_PRINCIPAL\|department\|$dept\|-\|.*\"email\": ?\"$email\""
expect_eq "the access code is in no audit row" "$(sql "SELECT COUNT(*) FROM audit_log WHERE CONCAT_WS(' ', before_json, after_json, object_id) LIKE '%$CODE%'")" 0
check_not "... and in no log line" grep -rqF "$CODE" "$HARNESS_DIR/program.log"

# ---- a device type's profile: the device named by its CN alone
dev_url="${base%/}/customer/$CERTMINT_CUSTOMER/scep/dev-$tag-d/pkiclient.exe"
get /scep/mobileconfig > /dev/null
check "the profile form offers the device type" grep -qF "<option value=\"dev-$tag-d\">dev-$tag-d: a device" "$T/body"
check "... and smime, chosen by default" grep -qF '<option value="smime" selected>' "$T/body"
n1=$(audits scep.mobileconfig)
post /scep/mobileconfig "type=dev-$tag-d" "target=dept-$dept" "code=$CODE" "cn=Just a name" "email=" "csrf=$TOKEN" > /dev/null
expect_eq "a device type with a CN that is no DNS name or address is refused (400)" "$(status)" 400
check "... next to the name" grep -qF 'id="cn-error">Enter the device' "$T/body"
check "... the device type stays chosen" grep -qF "<option value=\"dev-$tag-d\" selected>" "$T/body"
post /scep/mobileconfig "type=nosuch-$tag" "target=dept-$dept" "code=$CODE" "cn=router-$tag.demo.test" "csrf=$TOKEN" > /dev/null
expect_eq "a type the customer does not have is refused (400)" "$(status)" 400
check "... next to the type" grep -qF 'id="type-error">' "$T/body"
expect_eq "... neither wrote an audit row" "$(audits scep.mobileconfig)" "$n1"
post /scep/mobileconfig "type=dev-$tag-d" "target=dept-$dept" "code=$CODE" "cn=router-$tag.demo.test" \
	"email=ignored-$tag@demo.test" "csrf=$TOKEN" > /dev/null
expect_eq "a device profile downloads (200)" "$(status)" 200
expect_eq "... named after the device" "$(header Content-Disposition)" "attachment; filename=\"router-$tag.demo.test.mobileconfig\""
out=$(python3 - "$T/body" "$dev_url" "$CODE" "router-$tag.demo.test" "$cname" <<'PY'
import plistlib, sys
path, url, code, cn, cname = sys.argv[1:]
with open(path, 'rb') as f:
    p = plistlib.load(f)
c = ((p.get("PayloadContent") or [{}])[0]).get("PayloadContent") or {}
res = [
    ("URL is the device type's URL", c.get("URL") == url),
    ("Challenge is the access code", c.get("Challenge") == code),
    ("Subject is the CN alone", c.get("Subject") == [[["CN", cn]]]),
    ("no SubjectAltName", "SubjectAltName" not in c),
    ("Keysize 2048, RSA", c.get("Keysize") == 2048 and c.get("Key Type") == "RSA"),
    ("displayed as a device certificate", p.get("PayloadDisplayName") == cname + " device certificate"),
]
print("\n".join(("ok " if v else "FAIL ") + k for k, v in res))
PY
)
[ -n "$out" ] || fail "plistlib reads the device profile"
while read -r res name; do
	[ -n "$res" ] || continue
	if [ "$res" = ok ]; then ok "device profile: $name"; else fail "device profile: $name"; fi
done <<< "$out"
check_not "... the e-mail typed is not in it" grep -qF "ignored-$tag" "$T/body"
expect_eq "... one audit row" "$(audits scep.mobileconfig)" $((n1 + 1))
expect_match "... naming the type and no e-mail" "$(last_audit scep.mobileconfig)" \
	"\"email\": ?null, ?\"scep_type\": ?\"dev-$tag-d\""
sql "UPDATE scep_types SET enabled = 0 WHERE customer_id = $cust AND scep_type = 'dev-$tag-d'"
post /scep/mobileconfig "type=dev-$tag-d" "target=dept-$dept" "code=$CODE" "cn=router-$tag.demo.test" "csrf=$TOKEN" > /dev/null
expect_eq "a disabled device type makes no profile (400)" "$(status)" 400
check "... saying it is not enabled" grep -qF 'id="type-error">This SCEP type is not enabled' "$T/body"

sql "UPDATE departments SET client_self_enrollment = 0 WHERE id = $dept"
done_testing
