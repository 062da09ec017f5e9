#!/bin/bash
# 39-ad-verify.sh: the admin portal's AD server Verify button against the stack's real Samba AD (tests/stack.sh up
# DIR --with-ad): simple bind with the CA uploaded on the page (good, wrong password, wrong CA, wrong base DN, test
# user found / not found), Kerberos (SASL GSSAPI) with the realm's keytab when the stack has one; every verify
# audited; the password never in a page, a log or the audit log. Skips without AD.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

if [ -z "${CERTMINT_AD_REALM:-}" ] || [ -z "${CERTMINT_AD_DC_IP:-}" ] || [ -z "${CERTMINT_AD_BIND_PASSWORD:-}" ]; then
	echo "1..0 # SKIP the stack has no Active Directory (tests/stack.sh up DIR --with-ad)"
	exit 0
fi

T=$(mktemp -d /tmp/cm-39-adv.XXXXXX)
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM
cleanup() {
	sql "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE name LIKE '%$TAG%' AND deleted_at IS NULL" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
DOMAIN=${CERTMINT_AD_DOMAIN:-$(printf '%s' "$CERTMINT_AD_REALM" | tr 'A-Z' 'a-z')}
BASE_DN=$(printf '%s' "$DOMAIN" | sed 's/^/DC=/; s/\./,DC=/g')
DC=ldap://$CERTMINT_AD_DC_IP
BIND_PW=${CERTMINT_AD_BIND_PASSWORD:-}
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_id = '$2'"; }
stage() { sed -n 's/.*id="verify-stage">\([^<]*\)<.*/\1/p' "$T/body"; }
result() { grep -A2 'id="verify-result"' "$T/body" | sed 's/<[^>]*>//g' | tr -s ' \n' ' '; }

if ! login_as admin "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"; then
	fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
	done_testing
	exit 1
fi
csrf=$(csrf /ad-servers/new)
expect_eq "the new-server form is 200" "$(status)" 200

# --- simple bind over StartTLS, verified with Samba's CA uploaded on the page
NAME="Samba simple $TAG"
get /ad-servers/new -F "csrf=$csrf" -F "name=$NAME" -F "domain=$DOMAIN" -F "ldap_uris=$DC" -F "base_dn=$BASE_DN" \
	-F "starttls=1" -F "ca_file=@$CERTMINT_AD_CA" -F "bind_method=simple" -F "bind_dn=$CERTMINT_AD_BIND_DN" \
	-F "bind_password=$BIND_PW" > /dev/null
expect_eq "a simple-bind server with Samba's CA is added: 303" "$(status)" 303
ID=$(sql "SELECT id FROM ad_servers WHERE customer_id = $CUST AND name = '$NAME' AND deleted_at IS NULL")
expect_match "... its row exists" "$ID" '^[0-9]+$'
n=$(audit_count ad_server.verify "${ID:-0}")
post "/ad-servers/$ID/verify" "test_user=${CERTMINT_AD_USER%@*}" "csrf=$csrf" > /dev/null
expect_eq "Verify answers 200" "$(status)" 200
check "... verified" grep -qF 'tag tag-good">verified' "$T/body"
expect_match "... saying where it connected and what it found" "$(result)" "$CERTMINT_AD_DC_IP"
expect_match "... and the test user" "$(result)" "${CERTMINT_AD_USER%@*}"
expect_eq "... audited" "$(audit_count ad_server.verify "${ID:-0}")" "$((n + 1))"
expect_match "... as a success" "$(sql "SELECT after_json FROM audit_log WHERE action = 'ad_server.verify' AND object_id = ${ID:-0} ORDER BY id DESC LIMIT 1")" '"result":"ok"'

post "/ad-servers/$ID/verify" "test_user=nobody-$TAG" "csrf=$csrf" > /dev/null
expect_eq "an unknown test user: the stage says so" "$(stage)" "Test user not found"

# wrong base DN
post "/ad-servers/$ID" "name=$NAME" "domain=$DOMAIN" "ldap_uris=$DC" "base_dn=DC=nowhere,$BASE_DN" "starttls=1" \
	"bind_method=simple" "bind_dn=$CERTMINT_AD_BIND_DN" "csrf=$csrf" > /dev/null
expect_eq "the base DN changed (password kept): 303" "$(status)" 303
post "/ad-servers/$ID/verify" "csrf=$csrf" > /dev/null
expect_eq "a base DN that is not there fails at Base DN" "$(stage)" "Base DN"

# wrong password
post "/ad-servers/$ID" "name=$NAME" "domain=$DOMAIN" "ldap_uris=$DC" "base_dn=$BASE_DN" "starttls=1" \
	"bind_method=simple" "bind_dn=$CERTMINT_AD_BIND_DN" "bind_password=wrong-$TAG" "csrf=$csrf" > /dev/null
post "/ad-servers/$ID/verify" "csrf=$csrf" > /dev/null
expect_eq "a wrong password fails at Bind credentials" "$(stage)" "Bind credentials"

# a CA that did not sign Samba's certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" -out "$T/other.pem" \
	-subj "/CN=Other CA $TAG" -days 2 2>/dev/null
get "/ad-servers/$ID" -F "csrf=$csrf" -F "name=$NAME" -F "domain=$DOMAIN" -F "ldap_uris=$DC" -F "base_dn=$BASE_DN" \
	-F "starttls=1" -F "ca_file=@$T/other.pem" -F "bind_method=simple" -F "bind_dn=$CERTMINT_AD_BIND_DN" \
	-F "bind_password=$BIND_PW" > /dev/null
expect_eq "another CA uploaded (and the right password): 303" "$(status)" 303
post "/ad-servers/$ID/verify" "csrf=$csrf" > /dev/null
expect_eq "a CA that did not sign the DC's certificate fails at TLS verification" "$(stage)" "TLS verification"

# --- Kerberos (SASL GSSAPI) with the realm's keytab, when the stack registered one
if [ "$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE customer_id = $CUST AND windows_domain = '$DOMAIN' AND deleted_at IS NULL")" -gt 0 ]; then
	# Samba wants SASL sign/seal for a GSSAPI bind, which cannot run inside TLS: plain ldap:// without StartTLS,
	# the Kerberos session itself protected (as the stack's own ad1 is configured).
	KNAME="Samba kerberos $TAG"
	get /ad-servers/new -F "csrf=$csrf" -F "name=$KNAME" -F "domain=$DOMAIN" -F "ldap_uris=$DC" -F "base_dn=$BASE_DN" \
		-F "bind_method=gssapi" > /dev/null
	KID=$(sql "SELECT id FROM ad_servers WHERE customer_id = $CUST AND name = '$KNAME' AND deleted_at IS NULL")
	get "/ad-servers/$KID" > /dev/null
	check "the Kerberos server's page names the realm whose keytab binds" grep -qF "keytab of the Kerberos realm $CERTMINT_AD_REALM" "$T/body"
	post "/ad-servers/$KID/verify" "test_user=${CERTMINT_AD_USER%@*}" "csrf=$csrf" > /dev/null
	check "Verify with the realm's keytab (SASL GSSAPI) succeeds" grep -qF 'tag tag-good">verified' "$T/body"
	expect_match "... and finds the test user" "$(result)" "${CERTMINT_AD_USER%@*}"
	post "/ad-servers/$KID/verify" "test_user=${CERTMINT_AD_DISABLED_USER:-dave}" "csrf=$csrf" > /dev/null
	check "... and finds the disabled user too (Verify checks the directory, not the account)" grep -qF 'tag tag-good">verified' "$T/body"
	get "/ad-servers/$KID" -F "csrf=$csrf" -F "name=$KNAME" -F "domain=$DOMAIN" -F "ldap_uris=$DC" -F "base_dn=$BASE_DN" \
		-F "starttls=1" -F "ca_file=@$CERTMINT_AD_CA" -F "bind_method=gssapi" > /dev/null
	post "/ad-servers/$KID/verify" "csrf=$csrf" > /dev/null
	expect_eq "Kerberos inside StartTLS against Samba (which wants SASL sealing) fails, named" "$(stage)" "Bind credentials"
	check "... with what to do about it" grep -qF "allow_sasl_over_tls" "$T/body"
	# the stack's own server, registered with certmint ad add
	AD1=$(sql "SELECT id FROM ad_servers WHERE customer_id = $CUST AND name = 'ad1' AND deleted_at IS NULL")
	if [ -n "$AD1" ]; then
		post "/ad-servers/$AD1/verify" "test_user=${CERTMINT_AD_USER%@*}" "csrf=$csrf" > /dev/null
		check "the stack's ad1 (certmint ad add) verifies from the portal" grep -qF 'tag tag-good">verified' "$T/body"
	fi
else
	ok "# SKIP no Kerberos realm for $DOMAIN on this stack (certmint realm add)"
fi

# --- the password nowhere
check_not "no page showed the password" grep -qF "$BIND_PW" "$T/body"
for f in "$CERTMINT_STACK"/logs/*.log "$CERTMINT_STACK"/apache/*.log; do
	[ -f "$f" ] || continue
	check_not "the password is not in $(basename "$f")" grep -qF "$BIND_PW" "$f"
done
expect_eq "no audit row holds the password" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE CONCAT(COALESCE(before_json, ''), COALESCE(after_json, '')) LIKE '%$BIND_PW%'")" 0

done_testing
