#!/bin/bash
# 62-outbox.sh: the MRAO's Outbox page (issue 9): counts, queued/sent/failed rows with status tags, attempts and
# the last error, newest or oldest first, filtered by status; "Retry now" of a failed message is CSRF-checked,
# audited as outbox.retry and puts it back in the queue; RAO/DRAO are refused. And the Customer settings page's
# expiry windows (notify.expiry_days): shown, checked (error summary linking to the field), saved and audited.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-62-outbox.XXXXXX)
read -ra CLI <<< "$CERTMINT_CLI"
TAG=$$-$RANDOM
trap '"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" notify.expiry_days 60,30,7 >/dev/null 2>&1; sql "DELETE FROM outbox WHERE event_key LIKE '"'"'page62:$TAG:%'"'"'"; rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
flat() { tr '\n' ' ' < "$T/body"; }

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
# msg NAME STATUS ATTEMPTS ERROR CREATED: one outbox row of the demo customer; its id
msg() {
	sql "INSERT INTO outbox (customer_id, kind, event_key, recipient, subject, body, status, attempts, last_error,
	     created_at, next_attempt_at, sent_at)
	     VALUES ($CUST, 'test', 'page62:$TAG:$1', '$1-$TAG@demo.test', 'Subject <b>$1</b> $TAG', 'body', '$2', $3,
	     NULLIF('$4', ''), '$5', '$5', IF('$2' = 'sent', '$5', NULL)); SELECT LAST_INSERT_ID()"
}
Q=$(msg queued queued 1 'SMTP: Could not connect' '2030-01-01 10:00:00')
S=$(msg sent sent 1 '' '2030-01-01 09:00:00')
F=$(msg failed failed 7 'SMTP: <script>alert(1)</script> refused' '2030-01-01 11:00:00')
expect_match "three messages to show" "$Q $S $F" '^[0-9]+ [0-9]+ [0-9]+$'

# ---- RAO and DRAO: no page, no link
for who in "carol:$CERTMINT_RAO_A_PRINCIPAL" "erin:$CERTMINT_DRAO_PRINCIPAL"; do
	login_as "${who%%:*}" "${who#*:}"
	page=$(get /)
	check_not "${who%%:*}'s navigation has no Outbox link" grep -qF 'href="/admin/outbox"' "$T/body"
	tok=$(csrf_of "$page")
	get /outbox > /dev/null
	expect_eq "${who%%:*} (not an MRAO) is refused the outbox (403)" "$(status)" 403
	post "/outbox/$F/retry" "csrf=$tok" > /dev/null
	expect_eq "... and Retry now (403)" "$(status)" 403
done
expect_eq "the failed message is still failed" "$(sql "SELECT status FROM outbox WHERE id = $F")" failed

# ---- the MRAO's page
login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
page=$(get /)
check "the MRAO's navigation links to the Outbox" grep -qF '<a href="/admin/outbox">Outbox</a>' "$T/body"
TOKEN=$(csrf_of "$page")
get /outbox > /dev/null
expect_eq "GET /admin/outbox is 200" "$(status)" 200
expect_eq "... counts the queued messages" "$(sed -n 's|.*<dd id="count-queued">\([0-9]*\)</dd>.*|\1|p' "$T/body")" \
	"$(sql "SELECT COUNT(*) FROM outbox WHERE customer_id = $CUST AND status = 'queued'")"
expect_eq "... the failed ones" "$(sed -n 's|.*<dd id="count-failed">\([0-9]*\)</dd>.*|\1|p' "$T/body")" \
	"$(sql "SELECT COUNT(*) FROM outbox WHERE customer_id = $CUST AND status = 'failed'")"
row() { tr '\n' ' ' < "$T/body" | grep -o "<tr class=\"outbox-row\" id=\"outbox-$1\">.*" | sed 's|</tr>.*||'; }
expect_match "the queued row has its tag, attempts and last error" "$(row "$Q")" \
	'tag-wait">queued</span>.*queued-[0-9-]+@demo.test.*<td>1</td>.*SMTP: Could not connect'
expect_match "the sent row has its tag and time" "$(row "$S")" 'tag-good">sent</span>.*2030-01-01 09:00:00'
expect_match "the failed row has its tag and attempts" "$(row "$F")" 'tag-bad">failed</span>.*<td>7</td>'
expect_match "... its error escaped" "$(row "$F")" 'SMTP: &lt;script&gt;alert\(1\)&lt;/script&gt; refused'
expect_match "... the subject escaped" "$(row "$F")" 'Subject &lt;b&gt;failed&lt;/b&gt;'
expect_match "... and a Retry now form with the CSRF token" "$(row "$F")" \
	"<form method=\"post\" action=\"/admin/outbox/$F/retry\"> *<input type=\"hidden\" name=\"csrf\" value=\"[0-9a-f]{64}\">"
check_not "the sent row offers no retry" grep -qF "action=\"/admin/outbox/$S/retry\"" "$T/body"
order_of() { grep -o "id=\"outbox-\($Q\|$S\|$F\)\"" "$T/body" | tr -dc '0-9 \n' | tr '\n' ' ' | tr -s ' '; }
get /outbox > /dev/null
expect_eq "newest first by default" "$(order_of)" "$F $Q $S "
get '/outbox?order=oldest' > /dev/null
expect_eq "oldest first on request" "$(order_of)" "$S $Q $F "
get '/outbox?status=failed' > /dev/null
check "filtered to failed: the failed row" grep -qF "id=\"outbox-$F\"" "$T/body"
check_not "... and not the sent one" grep -qF "id=\"outbox-$S\"" "$T/body"
get '/outbox?status=bogus' > /dev/null
expect_eq "an unknown status is 400" "$(status)" 400
get '/outbox?order=sideways' > /dev/null
expect_eq "an unknown order is 400" "$(status)" 400

# ---- Retry now
n0=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.retry'")
post "/outbox/$F/retry" "confirm=yes" > /dev/null
expect_eq "Retry now without the CSRF token is refused (403)" "$(status)" 403
post "/outbox/$S/retry" "csrf=$TOKEN" > /dev/null
expect_eq "Retry now of a sent message is 409" "$(status)" 409
post "/outbox/999999999/retry" "csrf=$TOKEN" > /dev/null
expect_eq "... of no such message 404" "$(status)" 404
expect_eq "... none of them changed anything" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.retry'")" "$n0"
post "/outbox/$F/retry" "csrf=$TOKEN" > /dev/null
expect_eq "Retry now answers 303" "$(status)" 303
expect_match "... back to the outbox with its banner" "$(location)" "/admin/outbox\\?retried=$F\$"
expect_eq "the message is queued again, due now, attempts reset" \
	"$(sql "SELECT CONCAT(status, '/', attempts, '/', next_attempt_at <= UTC_TIMESTAMP(), '/', give_up_at IS NULL) FROM outbox WHERE id = $F")" queued/0/1/1
expect_eq "... with an audit row outbox.retry by the MRAO" \
	"$(sql "SELECT CONCAT(actor, ' ', before_json, ' ', after_json) FROM audit_log WHERE action = 'outbox.retry' AND object_id = '$F'")" \
	"$CERTMINT_ADMIN_PRINCIPAL {\"status\":\"failed\"} {\"status\":\"queued\"}"
get "/outbox?retried=$F" > /dev/null
check "the banner says it is queued again" grep -qF "Message $F is queued again" "$T/body"
get "/outbox?retried=<b>" > /dev/null
check_not "a banner is only ever a number" grep -qF 'is queued again' "$T/body"

# ---- Customer settings: notify.expiry_days
"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" notify.expiry_days 60,30,7 > /dev/null
get /settings > /dev/null
expect_match "the settings page shows the expiry windows" "$(flat)" \
	'<input type="text" id="notify_expiry_days" name="notify_expiry_days" maxlength="64"[^>]* value="60,30,7"'
n0=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.settings'")
post /settings self_approve=off "notify_expiry_days=30, soon" "csrf=$TOKEN" > /dev/null
expect_eq "windows that are not numbers are 400" "$(status)" 400
expect_match "... with an error summary linking to the field" "$(flat)" \
	'<div class="error-summary" role="alert".*<a href="#notify_expiry_days">Enter whole numbers of days'
check "... the message under the field" grep -qF 'id="notify_expiry_days-error">Enter whole numbers' "$T/body"
expect_match "... and what was typed shown again" "$(flat)" 'value="30, soon"'
post /settings self_approve=off "notify_expiry_days=400" "csrf=$TOKEN" > /dev/null
expect_eq "a window over 366 days is 400" "$(status)" 400
expect_eq "... nothing changed" "$(sql "SELECT notify_expiry_days FROM customers WHERE id = $CUST")" 60,30,7
expect_eq "... nothing audited" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.settings'")" "$n0"
post /settings self_approve=off "notify_expiry_days=14, 90" "csrf=$TOKEN" > /dev/null
expect_eq "valid windows are saved (303)" "$(status)" 303
expect_match "... with the saved banner" "$(location)" 'saved=1$'
expect_eq "... stored largest first" "$(sql "SELECT notify_expiry_days FROM customers WHERE id = $CUST")" 90,14
expect_eq "... audited as customer.settings, as the CLI does" \
	"$(sql "SELECT CONCAT(actor, ' ', before_json, ' ', after_json) FROM audit_log WHERE action = 'customer.settings' ORDER BY id DESC LIMIT 1")" \
	"$CERTMINT_ADMIN_PRINCIPAL {\"notify.expiry_days\":\"60,30,7\"} {\"notify.expiry_days\":\"90,14\"}"
post /settings self_approve=off "notify_expiry_days=" "csrf=$TOKEN" > /dev/null
expect_eq "an empty field turns expiry notices off" "$(sql "SELECT CONCAT('[', notify_expiry_days, ']') FROM customers WHERE id = $CUST")" '[]'
post /settings self_approve=off "csrf=$TOKEN" > /dev/null
expect_eq "a form without the field leaves the windows alone" "$(sql "SELECT CONCAT('[', notify_expiry_days, ']') FROM customers WHERE id = $CUST")" '[]'

done_testing
