#!/bin/bash
# 48-sessions.sh: Sign out (POST, CSRF, audited) ends the certmint session and drops both session cookies,
# on a page that says Kerberos may sign the user in again; an MRAO ends another administrator's sessions
# (confirmation, POST, audited), an RAO may not; the old cookies then start new sessions.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-48-sessions.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin

# token NAME: the certmint_session cookie in NAME's jar
token() { sed -n 's/^certmint_session\t//p' "$T/$1.jar" 2>/dev/null | head -n 1; }
# sessions_of TOKEN: 1 when the session row of the cookie TOKEN exists (only its SHA-256 is stored)
session_row() { sql "SELECT COUNT(*) FROM sessions WHERE token_hash = '$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)'"; }
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND actor = '$2'"; }

# --- Sign out
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" || { fail "log in as the MRAO"; done_testing; exit 1; }
page=$(get /)
expect_eq "alice opens the home page" "$(status)" 200
TOK=$(token alice)
expect_match "... and gets a session cookie" "$TOK" '^[0-9a-f]{64}$'
expect_eq "... whose row exists" "$(session_row "$TOK")" 1
CSRF=$(csrf_of "$page")
expect_match "the header has a Sign out button that POSTs with the CSRF token" \
	"$(tr '\n' ' ' < "$T/body")" '<form class="signout" method="post" action="/admin/logout"><input type="hidden" name="csrf" value="[0-9a-f]{64}"><input type="hidden" name="confirm" value="yes"><button type="submit" class="secondary">Sign out</button>'
logouts=$(audit_count logout "$CERTMINT_ADMIN_PRINCIPAL")
get /logout > /dev/null
expect_eq "GET /logout is not a way to sign out (405)" "$(status)" 405
post /logout confirm=yes > /dev/null
expect_eq "Sign out without the CSRF token is refused (403)" "$(status)" 403
post /logout "csrf=$CSRF" > /dev/null
expect_eq "a POST without confirm=yes is 400" "$(status)" 400
expect_eq "... and neither ended the session" "$(session_row "$TOK")" 1
cp "$T/alice.jar" "$T/old.jar"
page=$(post /logout "csrf=$CSRF" confirm=yes)
expect_eq "Sign out is 200: the signed-out page itself" "$(status)" 200
expect_match "... saying so" "$page" 'You are signed out'
expect_match "... and that Kerberos may sign them in again" "$page" 'signs you in automatically'
check_not "... without the user bar or another Sign out button" grep -q 'class="signout"' "$T/body"
check_not "... and without the navigation" grep -qF 'href="/admin/certificates"' "$T/body"
expect_match "the certmint session cookie is deleted" "$(grep -i '^Set-Cookie: certmint_session=' "$T/headers")" 'certmint_session=; Path=/admin/; Max-Age=0'
expect_match "mod_auth_gssapi's session cookie is deleted too" "$(grep -i '^Set-Cookie: gssapi_session=' "$T/headers")" 'gssapi_session=; Path=/admin/; Max-Age=0'
expect_eq "the session row is gone" "$(session_row "$TOK")" 0
expect_eq "a logout audit row" "$(audit_count logout "$CERTMINT_ADMIN_PRINCIPAL")" $((logouts + 1))
expect_eq "the browser's jar has no session cookie left" "$(token alice)" ""
# The old cookie, kept by someone: it starts a new session (a login), it does not resume the old one.
logins=$(audit_count login "$CERTMINT_ADMIN_PRINCIPAL")
JAR=$T/old.jar HARNESS_USER=$CERTMINT_ADMIN_PRINCIPAL get / > /dev/null
NEW=$(sed -n 's/^certmint_session\t//p' "$T/old.jar")
expect_match "the old cookie gets a new session" "$NEW" '^[0-9a-f]{64}$'
if [ -n "$NEW" ] && [ "$NEW" != "$TOK" ]; then ok "... with a new session id"; else fail "... with a new session id"; fi
expect_eq "... which is a login again (audited)" "$(audit_count login "$CERTMINT_ADMIN_PRINCIPAL")" $((logins + 1))
JAR=$T/old.jar HARNESS_USER=$CERTMINT_ADMIN_PRINCIPAL post /organizations/new name=X "csrf=$CSRF" > /dev/null
expect_eq "the old session's CSRF token is refused (403)" "$(status)" 403

# --- an MRAO ends another administrator's sessions
if [ -z "$CERTMINT_DRAO_PRINCIPAL" ] || [ -z "$CERTMINT_RAO_A_PRINCIPAL" ]; then
	diag "delegated administrators not in this stack; End sessions checks skipped"
	done_testing
	exit
fi
ERIN=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_DRAO_PRINCIPAL' AND deleted_at IS NULL")
sql "DELETE FROM sessions WHERE kind = 'admin' AND subject = '$CERTMINT_DRAO_PRINCIPAL'"
login_as erin "$CERTMINT_DRAO_PRINCIPAL"
page=$(get /)
ECSRF=$(csrf_of "$page")
E1=$(token erin)
login_as erin2 "$CERTMINT_DRAO_PRINCIPAL"
get / > /dev/null
E2=$(token erin2)
expect_eq "erin has two sessions (two browsers)" "$(sql "SELECT COUNT(*) FROM sessions WHERE kind = 'admin' AND subject = '$CERTMINT_DRAO_PRINCIPAL'")" 2

login_as carol "$CERTMINT_RAO_A_PRINCIPAL"
page=$(get "/admins/$ERIN")
expect_eq "RAO carol sees erin's page" "$(status)" 200
check_not "... without End sessions" grep -q 'sessions/end' "$T/body"
CCSRF=$(csrf_of "$page")
get "/admins/$ERIN/sessions/end" > /dev/null
expect_eq "an RAO cannot open End sessions (403)" "$(status)" 403
post "/admins/$ERIN/sessions/end" "csrf=$CCSRF" confirm=1 > /dev/null
expect_eq "... nor POST it (403)" "$(status)" 403
expect_eq "... and erin's sessions are intact" "$(session_row "$E1")$(session_row "$E2")" 11

login_as alice
page=$(get "/admins/$ERIN")
expect_match "the MRAO's page of erin links to End sessions" "$page" "href=\"/admin/admins/$ERIN/sessions/end\">End sessions"
CSRF=$(csrf_of "$page")
page=$(get "/admins/$ERIN/sessions/end")
expect_eq "the confirmation page is 200" "$(status)" 200
expect_match "... naming erin" "$page" "End the sessions of $CERTMINT_DRAO_PRINCIPAL\\?"
expect_match "... with the number of open sessions" "$(tr '\n' ' ' < "$T/body")" '<dt>Open sessions</dt><dd>2</dd>'
expect_match "... saying what happens" "$page" 'starts a new session'
expect_match "... with Cancel back to erin's page" "$page" "href=\"/admin/admins/$ERIN\">Cancel"
expect_eq "opening it ended nothing" "$(session_row "$E1")$(session_row "$E2")" 11
post "/admins/$ERIN/sessions/end" "csrf=$CSRF" > /dev/null
expect_eq "a POST without confirm=1 is 400" "$(status)" 400
expect_eq "... and ends nothing" "$(session_row "$E1")$(session_row "$E2")" 11
ends=$(audit_count admin.sessions.end "$CERTMINT_ADMIN_PRINCIPAL")
post "/admins/$ERIN/sessions/end" "csrf=$CSRF" confirm=1 > /dev/null
expect_eq "the MRAO ends erin's sessions (303)" "$(status)" 303
expect_match "... back to erin's page with the count" "$(location)" "/admin/admins/$ERIN\\?sessions_ended=2\$"
expect_eq "erin has no session left" "$(sql "SELECT COUNT(*) FROM sessions WHERE kind = 'admin' AND subject = '$CERTMINT_DRAO_PRINCIPAL'")" 0
expect_eq "an admin.sessions.end audit row" "$(audit_count admin.sessions.end "$CERTMINT_ADMIN_PRINCIPAL")" $((ends + 1))
expect_eq "... naming erin and the count" \
	"$(sql "SELECT CONCAT(object_id, ' ', after_json) FROM audit_log WHERE action = 'admin.sessions.end' ORDER BY id DESC LIMIT 1")" \
	"$ERIN {\"sessions_ended\":2}"
page=$(get "/admins/$ERIN?sessions_ended=2")
expect_match "the success banner says so" "$page" 'Sessions ended: 2\.'
page=$(get "/admins/$ERIN?sessions_ended=%3Cb%3Eevil")
check_not "... and shows nothing but a count from the URL" grep -q 'Sessions ended' "$T/body"
login_as erin
post /persons/new "csrf=$ECSRF" email=bad > /dev/null
expect_eq "erin's next POST with the old session's token is refused (403)" "$(status)" 403
NEWE=$(token erin)
if [ -n "$NEWE" ] && [ "$NEWE" != "$E1" ]; then ok "... and erin's browser got a new session"; else fail "... and erin's browser got a new session"; fi
get / > /dev/null
expect_eq "erin keeps working in the new session (200)" "$(status)" 200

done_testing
