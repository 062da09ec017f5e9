#!/bin/bash
# 59-customer-settings.sh: the MRAO's Customer settings page: it shows the customer and "Requesters may approve
# their own requests" (off by default); saving is CSRF-checked, audited as customer.settings (the CLI's JSON)
# and followed by a banner; turning it on goes through a confirmation page; RAO/DRAO are refused; bad values
# get a message; and the setting takes effect on approving one's own request.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-59-settings.XXXXXX)
read -ra CLI <<< "$CERTMINT_CLI"
# The page stack may be shared: the customer's setting goes back to its default.
trap '"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" approval.self_approve off >/dev/null 2>&1; rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
tag=$$-$RANDOM

flat() { tr '\n' ' ' < "$T/body"; }
setting() { sql "SELECT self_approve FROM customers WHERE uri = '$CERTMINT_CUSTOMER'"; }
audits() { sql "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.settings'"; }
last_audit() {
	sql "SELECT CONCAT_WS('|', actor, object_type, object_id, before_json, after_json) FROM audit_log
	     WHERE action = 'customer.settings' ORDER BY id DESC LIMIT 1"
}
submission_of() { sed -n 's/.*name="submission" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1; }
cert_id_of() { printf '%s' "$1" | sed -n 's|^.*/admin/certificates/\([0-9]*\).*|\1|p'; }
# own_request NAME: alice requests a certificate in the hand-approved department; its id
own_request() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.csr" -subj "/CN=$1-$tag.demo.test" -addext "subjectAltName=DNS:$1-$tag.demo.test" 2>/dev/null
	get /certificates/new > /dev/null
	post /certificates/new "csrf=$TOKEN" "submission=$(submission_of)" "csr@$T/$1.csr" profile=tls-server \
		"org=$org_a/$dept" > /dev/null
	cert_id_of "$(location)"
}

"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" approval.self_approve off > /dev/null
expect_eq "the setting starts off (the default)" "$(setting)" 0
org_a=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
dept=$(sql "INSERT INTO departments (org_id, name, ssl_auto_approve) VALUES ($org_a, 'Settings $tag', 0); SELECT LAST_INSERT_ID()")
expect_match "a department whose SSL requests wait for an administrator" "$dept" '^[0-9]+$'

# ---- RAO and DRAO: no page, no link
for who in "carol:$CERTMINT_RAO_A_PRINCIPAL" "erin:$CERTMINT_DRAO_PRINCIPAL"; do
	who_name=${who%%:*}
	login_as "$who_name" "${who#*:}"
	page=$(get /)
	check_not "$who_name's navigation has no Settings link" grep -qF 'href="/admin/settings"' "$T/body"
	tok=$(csrf_of "$page")
	get /settings > /dev/null
	expect_eq "$who_name (not an MRAO) is refused the settings page (403)" "$(status)" 403
	post /settings self_approve=on "csrf=$tok" > /dev/null
	expect_eq "... and saving it (403)" "$(status)" 403
	post /settings/allow-self-approval confirm=yes "csrf=$tok" > /dev/null
	expect_eq "... and turning self-approval on (403)" "$(status)" 403
done
expect_eq "none of that changed the setting" "$(setting)" 0

# ---- the MRAO sees the page
login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
page=$(get /)
check "the MRAO's navigation links to Settings" grep -qF '<a href="/admin/settings">Settings</a>' "$T/body"
TOKEN=$(csrf_of "$page")
page=$(get /settings)
expect_eq "GET /admin/settings is 200 for the MRAO" "$(status)" 200
uri=$CERTMINT_CUSTOMER
cname=$(sql "SELECT name FROM customers WHERE uri = '$uri'")
expect_match "... names the customer" "$(flat)" "<dt>Customer</dt><dd>$cname</dd>"
expect_match "... and its URI" "$(flat)" "<dt>Customer URI</dt><dd>$uri</dd>"
expect_match "... shows the setting" "$(flat)" 'Requesters may approve their own requests'
expect_match "... with a hint explaining the four-eyes rule" "$(flat)" 'four-eyes rule: a certificate request that waits for approval is approved by another'
expect_match "... No is chosen (the default)" "$(flat)" 'id="self_approve-off" name="self_approve" value="off" checked'
check_not "... Yes is not" grep -qF 'value="on" checked' "$T/body"
expect_match "... a form POSTing to itself with the CSRF token" "$(flat)" \
	'<form class="settings" method="post" action="/admin/settings"> *<input type="hidden" name="csrf" value="[0-9a-f]{64}">'
check_not "... and no banner" grep -q 'banner-success' "$T/body"

# ---- refused saves change nothing
n0=$(audits)
post /settings self_approve=off > /dev/null
expect_eq "a save without the CSRF token is refused (403)" "$(status)" 403
post /settings/allow-self-approval confirm=yes > /dev/null
expect_eq "turning it on without the CSRF token is refused (403)" "$(status)" 403
expect_eq "... the setting is unchanged" "$(setting)" 0
post /settings self_approve=maybe "csrf=$TOKEN" > /dev/null
expect_eq "a value other than on/off is 400" "$(status)" 400
expect_match "... with an error summary linking to the field" "$(flat)" \
	'<div class="error-summary" role="alert".*<a href="#self_approve-off">Choose whether requesters may approve their own requests'
check "... the field exists to link to" grep -qF 'id="self_approve-off"' "$T/body"
check "... and the message under the field" grep -qF 'id="self_approve-error">Choose whether' "$T/body"
post /settings "csrf=$TOKEN" > /dev/null
expect_eq "no value at all is 400" "$(status)" 400
post /settings/allow-self-approval "csrf=$TOKEN" > /dev/null
expect_eq "turning it on without confirm=yes is 400" "$(status)" 400
expect_eq "... none of them changed the setting" "$(setting)" 0
expect_eq "... or wrote an audit row" "$(audits)" "$n0"

# ---- turning it on: the confirmation page first
post /settings self_approve=on "csrf=$TOKEN" > /dev/null
expect_eq "choosing Yes answers 303" "$(status)" 303
expect_match "... to the confirmation page" "$(location)" '/admin/settings/allow-self-approval$'
expect_eq "... and changes nothing yet" "$(setting)" 0
get /settings/allow-self-approval > /dev/null
expect_eq "the confirmation page is 200" "$(status)" 200
expect_match "... asks the question" "$(flat)" '<h1>Let requesters approve their own requests\?</h1>'
expect_match "... says what it means" "$(flat)" 'will be able to approve and issue it alone'
expect_match "... and what the risk is" "$(flat)" 'without a second person seeing it first'
expect_match "... names the customer" "$(flat)" "<dt>Customer URI</dt><dd>$uri</dd>"
check "... POSTs back with the CSRF token" grep -qF '<form class="confirm" method="post" action="/admin/settings/allow-self-approval">' "$T/body"
check "... and confirm=yes" grep -qF '<input type="hidden" name="confirm" value="yes">' "$T/body"
check "... Cancel leads back to the settings" grep -qF 'href="/admin/settings">Cancel</a>' "$T/body"
expect_eq "... opening it changed nothing" "$(audits)" "$n0"
post /settings/allow-self-approval confirm=yes "csrf=$TOKEN" > /dev/null
expect_eq "confirming answers 303" "$(status)" 303
expect_match "... back to the settings with the banner" "$(location)" '/admin/settings\?saved=1$'
expect_eq "... the setting is on" "$(setting)" 1
expect_eq "... one audit row" "$(audits)" $((n0 + 1))
expect_match "... customer.settings by alice on the customer, as the CLI writes it" "$(last_audit)" \
	"^$CERTMINT_ADMIN_PRINCIPAL\|customer\|$uri\|\{\"approval.self_approve\": ?0\}\|\{\"approval.self_approve\": ?1\}$"
get "/settings?saved=1" > /dev/null
check "the page after the redirect shows the success banner" grep -qF '<div class="banner-success" role="status" id="settings-saved"><p>Settings saved.</p>' "$T/body"
expect_match "... and Yes chosen" "$(flat)" 'id="self_approve-on" name="self_approve" value="on" checked'
get /settings/allow-self-approval > /dev/null
expect_eq "the confirmation page when it is on already: 409" "$(status)" 409

# ---- with it on, the requester may approve their own request
req=$(own_request on)
expect_eq "alice's request waits for approval" "$(sql "SELECT status FROM certificates WHERE id = ${req:-0}")" requested
post "/certificates/$req/approve" "csrf=$TOKEN" > /dev/null
expect_eq "with the setting on, approving her own request issues it (303)" "$(status)" 303
expect_eq "... issued" "$(sql "SELECT status FROM certificates WHERE id = ${req:-0}")" issued

# ---- turning it off saves at once
post /settings self_approve=off "csrf=$TOKEN" > /dev/null
expect_eq "choosing No answers 303" "$(status)" 303
expect_match "... straight back with the banner (no confirmation: it strengthens the rule)" "$(location)" '/admin/settings\?saved=1$'
expect_eq "... the setting is off" "$(setting)" 0
expect_eq "... audited" "$(audits)" $((n0 + 2))
expect_match "... from 1 to 0" "$(last_audit)" '\{"approval.self_approve": ?1\}\|\{"approval.self_approve": ?0\}$'
post /settings self_approve=off "csrf=$TOKEN" > /dev/null
expect_match "saving it unchanged says so" "$(location)" '/admin/settings\?saved=0$'
expect_eq "... and writes no audit row" "$(audits)" $((n0 + 2))
get "/settings?saved=0" > /dev/null
check "... in its banner" grep -qF 'Nothing to save' "$T/body"

# ---- with it off, the requester may not
req=$(own_request off)
post "/certificates/$req/approve" "csrf=$TOKEN" > /dev/null
expect_eq "with the setting off, approving her own request is refused (403)" "$(status)" 403
expect_eq "... still a request" "$(sql "SELECT status FROM certificates WHERE id = ${req:-0}")" requested

# ---- a setting changed by the CLI shows on the page
"${CLI[@]}" customer set "$uri" approval.self_approve on > /dev/null
get /settings > /dev/null
expect_match "the page shows what the CLI set" "$(flat)" 'id="self_approve-on" name="self_approve" value="on" checked'
"${CLI[@]}" customer set "$uri" approval.self_approve off > /dev/null
done_testing
