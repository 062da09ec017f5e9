#!/bin/bash
# 39-autoenroll-rules.sh: autoenroll.fcgi over FastCGI (the page harness: REMOTE_USER as Apache sets it, no
# Kerberos, no directory): the URL and customer (1, 2, 3), REMOTE_USER (27), the fields (21, 24, 6, 29), the CSR
# (15, 26), the realm (10), the organisation rules (6, 7, 8, 9, 11, 12) and an unreachable AD server (13, 503,
# nothing issued); every answer's X-Autoenroll-Code and key=value body; one autoenroll.refused audit row per
# request that named a customer, none otherwise. The directory's own answers are tests/integration/38-autoenroll.sh's.
. tests/lib.sh
. tests/harness/harness.sh
harness_up "$CERTMINT_BUILD/cgi/autoenroll/autoenroll.fcgi" || { fail "the harness starts autoenroll.fcgi"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-39-ae.XXXXXX)
tag=$$$RANDOM
# A customer of this test alone (the page stack may be shared): realm AE<tag>.TEST, domain ae<tag>.test.
CUST=ae$tag
REALM=AE$tag.TEST
DOM=ae$tag.test
cleanup() {
	if [ -n "${cid:-}" ]; then
		sql "UPDATE organizations SET ad_server_id = NULL WHERE customer_id = $cid;
		     DELETE FROM domain_delegations WHERE org_id IN (SELECT id FROM organizations WHERE customer_id = $cid);
		     DELETE FROM domains WHERE customer_id = $cid;
		     DELETE FROM ad_servers WHERE customer_id = $cid;
		     DELETE FROM kerberos_realms WHERE customer_id = $cid;
		     DELETE FROM persons WHERE customer_id = $cid;
		     DELETE FROM organizations WHERE customer_id = $cid;
		     DELETE FROM customers WHERE id = $cid" > /dev/null 2>&1
	fi
	if [ -n "${offid:-}" ]; then sql "DELETE FROM customers WHERE id = $offid" > /dev/null 2>&1; fi
	rm -rf "$T"
	harness_down
}
trap cleanup EXIT

cid=$(sql "INSERT INTO customers (uri, name, enabled) VALUES ('$CUST', 'Autoenroll $tag', 1); SELECT LAST_INSERT_ID()")
offid=$(sql "INSERT INTO customers (uri, name, enabled) VALUES ('${CUST}off', 'Autoenroll off $tag', 0); SELECT LAST_INSERT_ID()")
demo=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
demo_org=$(sql "SELECT id FROM organizations WHERE customer_id = $demo AND deleted_at IS NULL ORDER BY id LIMIT 1")
sql "INSERT INTO kerberos_realms (customer_id, windows_domain, realm, spn) VALUES ($cid, '$DOM', '$REALM', 'HTTP/localhost@$REALM')"
org1=$(sql "INSERT INTO organizations (customer_id, name, country) VALUES ($cid, 'AE One', 'GB'); SELECT LAST_INSERT_ID()")
org2=$(sql "INSERT INTO organizations (customer_id, name, country) VALUES ($cid, 'AE Two', 'GB'); SELECT LAST_INSERT_ID()")
dom=$(sql "INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	VALUES ($cid, '$DOM', 'validated', 'email', UTC_TIMESTAMP()); SELECT LAST_INSERT_ID()")
sql "INSERT INTO domain_delegations (domain_id, org_id, cert_type) VALUES ($dom, $org1, 'client')"

# A CSR with alice's e-mail and CN, one without e-mail, one with an RSA-1024 key.
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k" -subj "/CN=Alice Smith/emailAddress=alice@$DOM" \
	-out "$T/alice.csr" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k" -subj "/CN=Alice Smith" -out "$T/nomail.csr" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/k" -subj "/CN=Alice Smith/emailAddress=alice@$DOM" \
	-out "$T/rsa1024.csr" 2>/dev/null

# ae [-U USER|-n] URI-PATH [fcgi-call args...]: one request; the status in $T/status, headers and body in files.
ae() {
	local user=(-U "alice@$REALM")
	if [ "$1" = -n ]; then user=(); shift; elif [ "$1" = -U ]; then user=(-U "$2"); shift 2; fi
	local path=$1; shift
	"$FCGI_CALL" -s "$CERTMINT_HARNESS_SOCKET" "${user[@]}" -p REMOTE_ADDR=192.0.2.39 -D "$T/headers" \
		-o "$T/body" "$@" "$path" > "$T/status"
}
code_of() { header X-Autoenroll-Code; }
body_code() { sed -n 's/^code=//p' "$T/body"; }
refused() { sql "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND action = 'autoenroll.refused'"; }
audits_total() { sql "SELECT COUNT(*) FROM audit_log"; }
certs() { sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cid"; }
U=/customer/$CUST/autoenroll

# expect NAME HTTP CODE MESSAGE: the last answer.
expect() {
	expect_eq "$1: HTTP $2" "$(status)" "$2"
	expect_eq "$1: X-Autoenroll-Code $3" "$(code_of)" "$3"
	expect_eq "$1: code=$3 in the body" "$(body_code)" "$3"
	expect_eq "$1: the message" "$(sed -n 's/^message=//p' "$T/body")" "$4"
}

# --- step 1: the URL, the customer, REMOTE_USER
n0=$(audits_total)
ae "/customer//autoenroll" -e action=status
expect "no customer segment" 404 1 "No customer URI supplied"
ae "/customer/nosuch$tag/autoenroll" -e action=status
expect "unknown customer" 404 2 "Customer invalid"
expect_eq "no audit row without a customer" "$(audits_total)" "$n0"
r0=$(refused "$offid")
ae "/customer/${CUST}off/autoenroll" -e action=status
expect "disabled customer" 403 3 "Customer disabled"
expect_eq "... audited under the disabled customer" "$(refused "$offid")" $((r0 + 1))
expect_match "... the actor is the principal" \
	"$(sql "SELECT actor FROM audit_log WHERE customer_id = $offid AND action = 'autoenroll.refused' ORDER BY id DESC LIMIT 1")" \
	"^alice@$REALM\$"
r0=$(refused "$cid")
ae -n "$U" -e action=status
expect "no REMOTE_USER (a customer without a Kerberos Location)" 401 27 "Invalid remote user"
ae -U "HTTP/pc.$DOM@$REALM" "$U" -e action=status
expect "a service principal" 401 27 "Invalid remote user"
ae -U "alice" "$U" -e action=status
expect "no realm" 401 27 "Invalid remote user"
expect_eq "three refusals audited" "$(refused "$cid")" $((r0 + 3))
ae "$U"
expect "GET" 405 29 "No request supplied"
expect_eq "... Allow: POST" "$(header Allow)" "POST"

# --- the fields and the CSR (before anything is asked of the directory)
ae "$U" -e action=delete
expect "unknown action" 400 21 "Invalid status supplied"
ae "$U" -e action=status -e days=0
expect "days 0" 400 21 "Invalid status supplied"
ae "$U" -e action=status -e format=der
expect "unknown format" 400 21 "Invalid status supplied"
ae "$U" -e action=status -e serial=xyz
expect "serial not hex" 400 24 "Invalid serial number supplied"
ae "$U" -e action=status -e serial=0123456789abcdef0123456789abcdef00
expect "serial longer than 16 bytes" 400 24 "Invalid serial number supplied"
ae "$U" -e action=renew -e csr@"$T/alice.csr"
expect "renew without serial" 400 24 "Invalid serial number supplied"
ae "$U" -e action=enroll -e orgid=12x
expect "orgid not a number" 400 6 "Supplied orgid invalid"
ae "$U" -e action=enroll
expect "enroll without csr" 400 29 "No request supplied"
ae "$U" -e csr="not a CSR"
expect "garbage csr" 400 15 "Invalid CSR"
ae "$U" -e csr@"$T/rsa1024.csr"
expect "RSA-1024 CSR" 400 15 "Invalid CSR"
ae "$U" -e csr@"$T/nomail.csr"
expect "a CSR without e-mail" 400 26 "No email supplied"
head -c 70000 /dev/zero | tr '\0' a > "$T/big"
ae "$U" -e csr@"$T/big"
expect "a body over 64 KiB" 413 29 "No request supplied"
ae "$U" -F csr=@"$T/rsa1024.csr"
expect "multipart: the CSR as a file" 400 15 "Invalid CSR"

# --- the realm
ae -U "alice@OTHER$tag.TEST" "$U" -e csr@"$T/alice.csr"
expect "a realm the customer does not serve" 403 10 "Windows domain mismatch"
ae -U "alice@$REALM" "/customer/$CERTMINT_CUSTOMER/autoenroll" -e csr@"$T/alice.csr"
expect "the realm at another customer's URL" 403 10 "Windows domain mismatch"

# --- the organisation: orgid, else the AD server of the realm's domain, else the default AD server's
ae "$U" -e csr@"$T/alice.csr" -e orgid="$demo_org"
expect "orgid of another customer" 400 6 "Supplied orgid invalid"
ae "$U" -e csr@"$T/alice.csr"
expect "no AD server of the domain, no default" 403 9 "Failed to find the AD Server"
srv_other=$(sql "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, starttls, is_default)
	VALUES ($cid, 'default', 'elsewhere$tag.test', 'ldap://127.0.0.1:1', 'DC=elsewhere', 0, 1); SELECT LAST_INSERT_ID()")
ae "$U" -e csr@"$T/alice.csr"
expect "the default AD server has no organisation" 403 7 "No organization found"
srv=$(sql "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, starttls)
	VALUES ($cid, 'dc', '$DOM', 'ldap://127.0.0.1:1', 'DC=ae$tag,DC=test', 0); SELECT LAST_INSERT_ID()")
ae "$U" -e csr@"$T/alice.csr"
expect "an AD server of the domain bound to no organisation" 403 8 "No matched organization"
sql "UPDATE organizations SET ad_server_id = $srv WHERE id IN ($org1, $org2)"
ae "$U" -e csr@"$T/alice.csr"
expect "two organisations bound to it" 403 11 "No suitable organization"
sql "UPDATE organizations SET ad_server_id = NULL WHERE id = $org2"
sql "UPDATE organizations SET client_enabled = 0 WHERE id = $org1"
ae "$U" -e csr@"$T/alice.csr"
expect "the organisation has client certificates off" 403 11 "No suitable organization"
sql "UPDATE organizations SET client_enabled = 1 WHERE id = $org1"
ae "$U" -e csr@"$T/alice.csr" -e orgid="$org2"
expect "orgid of an organisation bound to no AD server" 403 12 "No matched ADServer"

# --- the directory cannot be reached (port 1): 13, 503, nothing issued
c0=$(certs)
p0=$(sql "SELECT COUNT(*) FROM persons WHERE customer_id = $cid")
ae "$U" -e csr@"$T/alice.csr"
expect "AD unreachable" 503 13 "Failed to get adserver or attributes"
ae "$U" -e csr@"$T/alice.csr" -e orgid="$org1"
expect "AD unreachable (orgid)" 503 13 "Failed to get adserver or attributes"
expect_eq "... nothing issued" "$(certs)" "$c0"
expect_eq "... no person written" "$(sql "SELECT COUNT(*) FROM persons WHERE customer_id = $cid")" "$p0"
expect_match "... the refusal's audit row says why" \
	"$(sql "SELECT after_json FROM audit_log WHERE customer_id = $cid AND action = 'autoenroll.refused' ORDER BY id DESC LIMIT 1")" \
	'"code":13.*unreachable'
expect_eq "... and names no secret or CSR" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE customer_id = $cid AND after_json LIKE '%MII%'")" 0
: "$srv_other"

done_testing
