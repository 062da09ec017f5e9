#!/bin/bash
# 80-counters.sh: cert_counts (schema/010_cert_counts.sql) equals COUNT(*) of certificates after everything the
# other tests did, follows insert/update/delete exactly, feeds the home page; and mod_auth_gssapi's session cookie.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-80-counters.XXXXXX)
trap 'rm -rf "$T"' EXIT

# Both sides as "customer org dept type status n" lines, zero counters left out.
from_certs() {
	sql "SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, COUNT(*)
		FROM certificates GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
}
from_counts() {
	sql "SELECT customer_id, org_id, dept_id, cert_type, status, n FROM cert_counts WHERE n <> 0
		ORDER BY 1, 2, 3, 4, 5"
}
# n of one counter row (0 when absent).
counter() {
	sql "SELECT COALESCE(SUM(n), 0) FROM cert_counts WHERE customer_id = $1 AND org_id = $2 AND dept_id = $3
		AND cert_type = '$4' AND status = '$5'"
}

# --- after all the other tests' activity (this runs late), the counters are exact
from_certs > "$T/certs"
from_counts > "$T/counts"
check "certificates exist to count" test -s "$T/certs"
if diff "$T/certs" "$T/counts" > "$T/diff"; then
	ok "cert_counts equals COUNT(*) FROM certificates GROUP BY customer, org, dept, type, status"
else
	fail "cert_counts equals COUNT(*) FROM certificates GROUP BY customer, org, dept, type, status"
	sed 's/^/# /' "$T/diff" | head -n 20
fi
expect_eq "no counter is negative" "$(sql "SELECT COUNT(*) FROM cert_counts WHERE n < 0")" 0
expect_eq "the four triggers exist" \
	"$(sql "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'certificates' AND TRIGGER_NAME LIKE 'cert\\_counts\\_%'")" 4

# --- each kind of write moves exactly the right counter
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND deleted_at IS NULL ORDER BY id LIMIT 1")
DEPT=$(sql "SELECT id FROM departments WHERE org_id = $ORG ORDER BY id LIMIT 1")
DEPT=${DEPT:-0}
TAG=$$-$RANDOM
r0=$(counter "$CUST" "$ORG" 0 codesign requested)
d0=$(counter "$CUST" "$ORG" 0 codesign declined)
e0=$(counter "$CUST" "$ORG" "$DEPT" codesign declined)
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, requested_by)
	VALUES ($CUST, $ORG, 'codesign', 'code-signing', 'requested', 'counter-$TAG', 'test-80')"
ID=$(sql "SELECT id FROM certificates WHERE common_name = 'counter-$TAG'")
expect_eq "INSERT adds 1 to its counter" "$(counter "$CUST" "$ORG" 0 codesign requested)" $((r0 + 1))
sql "UPDATE certificates SET email = 'counter-$TAG@demo.test' WHERE id = $ID"
expect_eq "an UPDATE of other columns leaves it" "$(counter "$CUST" "$ORG" 0 codesign requested)" $((r0 + 1))
sql "UPDATE certificates SET status = 'declined' WHERE id = $ID"
expect_eq "a status change takes it from the old status" "$(counter "$CUST" "$ORG" 0 codesign requested)" "$r0"
expect_eq "... and adds it to the new one" "$(counter "$CUST" "$ORG" 0 codesign declined)" $((d0 + 1))
if [ "$DEPT" != 0 ]; then
	sql "UPDATE certificates SET dept_id = $DEPT WHERE id = $ID"
	expect_eq "a department change moves it" \
		"$(counter "$CUST" "$ORG" 0 codesign declined) $(counter "$CUST" "$ORG" "$DEPT" codesign declined)" "$d0 $((e0 + 1))"
fi
sql "DELETE FROM certificates WHERE id = $ID"
expect_eq "DELETE takes it away" \
	"$(counter "$CUST" "$ORG" 0 codesign declined) $(counter "$CUST" "$ORG" "$DEPT" codesign declined)" "$d0 $e0"
sql "START TRANSACTION; INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name)
	VALUES ($CUST, $ORG, 'codesign', 'code-signing', 'requested', 'counter-rb-$TAG'); ROLLBACK"
expect_eq "a rolled back INSERT leaves no count" "$(counter "$CUST" "$ORG" 0 codesign requested)" "$r0"
from_certs > "$T/certs2"
from_counts > "$T/counts2"
check "still exact afterwards" cmp -s "$T/certs2" "$T/counts2"

# --- the home page shows the counters (MRAO: the whole customer)
CURL=(curl -s --cacert "$CERTMINT_CA_PEM")
HOME_URL=$CERTMINT_HTTPS_URL/admin/
code=$("${CURL[@]}" -u "$CERTMINT_ADMIN_PRINCIPAL:$CERTMINT_ADMIN_PASSWORD" -c "$T/jar" -D "$T/h1" -o "$T/home" \
	-w '%{http_code}' "$HOME_URL")
expect_eq "GET /admin/ with Basic over https answers 200" "$code" 200
total=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST")
shown=$(tr -d '\n' < "$T/home" | grep -o '<tr class="total"><th>All</th><td class="total">[0-9]*' | grep -o '[0-9]*$')
expect_eq "the home page's total is the customer's COUNT(*)" "$shown" "$total"
issued=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND status = 'issued'")
expect_match "... and its issued count too" "$(tr -d '\n' < "$T/home")" "<th>Issued</th><td>$issued</td>"

# --- mod_auth_gssapi sessions: the KDC is asked once, not on every request
setcookie=$(grep -i '^set-cookie: gssapi_session=' "$T/h1" | tr -d '\r')
expect_match "a login over https sets the gssapi_session cookie" "$setcookie" 'gssapi_session=MagBearerToken='
expect_match "... Secure, HttpOnly, path /admin/" "$setcookie" 'path=/admin/;httponly;secure'
kdc_before=$(grep -c "AS_REQ" "$CERTMINT_STACK/logs/kdc.log")
code=$("${CURL[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' "$HOME_URL")
expect_eq "the cookie alone (no Authorization) is let in" "$code" 200
code=$("${CURL[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' "$HOME_URL")
expect_eq "... again" "$code" 200
expect_eq "... without asking the KDC" "$(grep -c "AS_REQ" "$CERTMINT_STACK/logs/kdc.log")" "$kdc_before"
code=$("${CURL[@]}" -b "$T/jar" -u "$CERTMINT_ADMIN_PRINCIPAL:wrong-$TAG" -o /dev/null -w '%{http_code}' "$HOME_URL")
expect_eq "the cookie with a wrong Basic password is 401" "$code" 401
# mod_auth_gssapi 1.6.4 crashes on a sealed value shorter than its MAC; the
# early RequestHeader rule in the https vhost renames such cookies.
segv0=$(grep -c 'Segmentation fault' "$CERTMINT_STACK/logs/apache-error.log")
long=$(head -c 120 /dev/urandom | base64 -w 0 | sed 's#/#%2f#g; s#+#%2b#g; s#=#%3d#g')
for c in "gssapi_session=MagBearerToken=$long" "gssapi_session=MagBearerToken=forged$$" \
	"a=1; GSSAPI_SESSION=MagBearerToken=QUFBQQ%3d%3d" "gssapi_session=MagBearerToken=${long}&MagBearerToken=QUFB" \
	"gssapi_session=MagBearerToken=$(printf '%%2f%.0s' $(seq 70))"; do
	code=$("${CURL[@]}" -b "$c" -o /dev/null -w '%{http_code}' "$HOME_URL")
	expect_eq "a forged session cookie is 401 (${c:0:44}...)" "$code" 401
done
expect_eq "... and no Apache child crashed" "$(grep -c 'Segmentation fault' "$CERTMINT_STACK/logs/apache-error.log")" "$segv0"
"${CURL[@]}" -o /dev/null -D "$T/h2" "$HOME_URL"
check_not "a 401 sets no session cookie" grep -qi '^set-cookie: gssapi_session' "$T/h2"
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
expect_eq "Negotiate over plain http still answers 200" "$(req_as alice /)" 200
check_not "... and plain http sets no gssapi_session cookie" grep -qi '^set-cookie: gssapi_session' "$T/headers"
key=$CERTMINT_STACK/apache/session.key
expect_eq "the session key is 0600, owned by the user who started Apache, 32 bytes" "$(stat -c '%a %U %s' "$key" 2>/dev/null)" "600 $(id -un) 32"

done_testing
