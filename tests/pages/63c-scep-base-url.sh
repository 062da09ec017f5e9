#!/bin/bash
# 63c-scep-base-url.sh: certmint.conf [scep] base_url (issue 10): with it set to an http URL while [web] base_url is
# https, the portal's SCEP overview and the Apple .mobileconfig carry the http SCEP URL, and the portal keeps its own.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-63c-scep.XXXXXX)
tag=$$$RANDOM
# shellcheck disable=SC2034 # read by get/post in tests/lib.sh
URL=$CERTMINT_URL/admin
SCEP_BASE=http://scep-$tag.example.test:8080
cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
org_a=$(sql "SELECT id FROM organizations WHERE customer_id = $cust AND name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
was_on=$(sql "SELECT scep_enabled FROM customers WHERE id = $cust")
had_smime=$(sql "SELECT COUNT(*) FROM scep_types WHERE customer_id = $cust AND scep_type = 'smime'")
dept=""
# The page stack may be shared: what this test changes goes back on exit.
cleanup() {
	sql "UPDATE customers SET scep_enabled = ${was_on:-0} WHERE id = ${cust:-0}" > /dev/null 2>&1
	[ "${had_smime:-1}" = 0 ] && sql "DELETE FROM scep_types WHERE customer_id = $cust AND scep_type = 'smime'" > /dev/null 2>&1
	[ -n "$dept" ] && sql "UPDATE departments SET client_self_enrollment = 0, client_access_code_hash = NULL
		WHERE id = $dept" > /dev/null 2>&1
	rm -rf "$T"
	harness_down
}
trap cleanup EXIT

# The program again, on the harness's socket, with [scep] base_url added to
# its configuration (and [web] base_url made https, whatever the stack has).
sed 's|^base_url *=.*|base_url = https://portal.example.test|' "$CERTMINT_CONF" > "$T/certmint.conf"
printf '\n[scep]\nbase_url = %s\n' "$SCEP_BASE" >> "$T/certmint.conf"
kill -TERM "$HARNESS_PID" 2>/dev/null
for _ in $(seq 50); do kill -0 "$HARNESS_PID" 2>/dev/null || break; sleep 0.1; done
kill -TERM -- "-$HARNESS_PID" 2>/dev/null
rm -f "$CERTMINT_HARNESS_SOCKET"
setsid "$CERTMINT_BUILD/cgi/admin/admin.fcgi" -c "$T/certmint.conf" -s "$CERTMINT_HARNESS_SOCKET" -n 2 \
	< /dev/null >> "$T/program.log" 2>&1 &
HARNESS_PID=$!
for _ in $(seq 200); do [ -S "$CERTMINT_HARNESS_SOCKET" ] && break; sleep 0.05; done
check "admin.fcgi starts with [scep] base_url set" test -S "$CERTMINT_HARNESS_SOCKET"

sql "UPDATE customers SET scep_enabled = 1 WHERE id = $cust;
     INSERT IGNORE INTO scep_types (customer_id, scep_type, profile, enabled) VALUES ($cust, 'smime', 'client-smime', 1);
     UPDATE scep_types SET enabled = 1 WHERE customer_id = $cust AND scep_type = 'smime'"
dept=$(sql "INSERT INTO departments (org_id, name, client_self_enrollment) VALUES ($org_a, 'SCEP base $tag', 1); SELECT LAST_INSERT_ID()")
smime_url="$SCEP_BASE/customer/$CERTMINT_CUSTOMER/scep/smime/pkiclient.exe"

login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
TOKEN=$(csrf /)
get /scep > /dev/null
expect_eq "the SCEP overview is 200" "$(status)" 200
check "... shows the smime URL under [scep] base_url ($smime_url)" grep -qF "value=\"$smime_url\"" "$T/body"
check "... and its GetCACaps URL" grep -qF "$smime_url?operation=GetCACaps" "$T/body"
check_not "... not one under [web] base_url" grep -qF "https://portal.example.test/customer/" "$T/body"

CODE="Base7qW2mZ9p-$tag"
post "/departments/$dept/access-code" how=type "code=$CODE" "csrf=$TOKEN" > /dev/null
expect_eq "the test department's access code is set" "$(status)" 200
post /scep/mobileconfig "target=dept-$dept" "code=$CODE" "cn=Base $tag" "email=base-$tag@demo.test" "csrf=$TOKEN" > /dev/null
expect_eq "the .mobileconfig downloads (200)" "$(status)" 200
url=$(python3 -c 'import plistlib, sys
p = plistlib.load(open(sys.argv[1], "rb"))
print([c for c in p["PayloadContent"] if c.get("PayloadType") == "com.apple.security.scep"][0]["PayloadContent"]["URL"])' "$T/body" 2>&1)
expect_eq "... its SCEP payload's URL is the [scep] base_url one" "$url" "$smime_url"
done_testing
