#!/bin/bash
# 54-ad-servers-bind.sh: what issue 11 adds to the AD server pages: users' base DN, CA certificates (paste, upload,
# remove; only CERTIFICATE blocks, bounded), one default per customer, bind method (Kerberos / simple bind with a
# sealed password never shown, logged or exported; refused without TLS or without the key file), the list's columns,
# CSV export -> import into another customer, import errors per row and column (all or nothing), and Verify against
# unreachable addresses (stage named, audited, bounded in time).
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-54-ad.XXXXXX)
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM
OTHER_CUST=""
NOKEY_PID=""
cleanup() {
	[ -n "$NOKEY_PID" ] && { kill -TERM -- "-$NOKEY_PID" 2>/dev/null; sleep 0.2; kill -KILL -- "-$NOKEY_PID" 2>/dev/null; }
	sql "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE name LIKE '%$TAG%' AND deleted_at IS NULL" 2>/dev/null
	if [ -n "$OTHER_CUST" ]; then
		sql "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE customer_id = $OTHER_CUST AND deleted_at IS NULL;
			UPDATE admins SET deleted_at = UTC_TIMESTAMP() WHERE customer_id = $OTHER_CUST" 2>/dev/null
	fi
	rm -rf "$T"
}
trap 'cleanup; harness_down' EXIT

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
REALM=${CERTMINT_ADMIN_PRINCIPAL#*@}
PW="Pw-$TAG-s3cr3t!sealed"
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_id = '$2'"; }
last_audit() { sql "SELECT $1 FROM audit_log WHERE action = '$2' AND object_id = '$3' ORDER BY id DESC LIMIT 1"; }
field_err() { if [ "$(status)" = 400 ] && error_after "$1" | grep -qF -- "$2"; then ok "$3"; else fail "$3 (got $(status): $(error_after "$1"))"; fi; }
not_in_body() { if grep -qF -- "$2" "$T/body"; then fail "$1"; else ok "$1"; fi; }
srv() { sql "SELECT id FROM ad_servers WHERE customer_id = ${2:-$CUST} AND name = '$1' AND deleted_at IS NULL"; }

# A customer of our own, with an MRAO, so "the first server becomes default" starts from nothing.
OURI="adbind-$TAG"
sql "INSERT INTO customers (uri, name) VALUES ('$OURI', 'AD bind customer $TAG')"
OTHER_CUST=$(sql "SELECT id FROM customers WHERE uri = '$OURI'")
MRAO2="mrao2-$TAG@$REALM"
sql "INSERT INTO admins (customer_id, principal, name, email, role, cert_types) VALUES ($OTHER_CUST, '$MRAO2', 'Second MRAO', 'm2@demo.test', 'mrao', 'ssl,client,codesign')"
expect_match "a second customer with its own MRAO exists" "$OTHER_CUST" '^[0-9]+$'

# CA certificates: two self-signed CAs, a key, a DER file, 17 certificates, and more than 64 KiB.
for n in 1 2; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca$n.key" -out "$T/ca$n.pem" \
		-subj "/CN=AD CA $n $TAG/O=Corp" -days 30 2>/dev/null
done
cat "$T/ca1.pem" "$T/ca2.pem" > "$T/two.pem"
{ echo "subject=CN = AD CA 1"; cat "$T/ca1.pem"; echo "junk between blocks"; cat "$T/ca2.pem"; } > "$T/chatty.pem"
openssl x509 -in "$T/ca1.pem" -outform DER -out "$T/ca1.der"
for _ in $(seq 17); do cat "$T/ca1.pem"; done > "$T/seventeen.pem"
{ cat "$T/ca1.pem"; head -c 70000 /dev/zero | tr '\0' 'x'; } > "$T/big.pem"
cat "$T/ca1.pem" "$T/ca1.key" > "$T/withkey.pem"
FP1=$(openssl x509 -in "$T/ca1.pem" -noout -fingerprint -sha256 | cut -d= -f2)
FP2=$(openssl x509 -in "$T/ca2.pem" -noout -fingerprint -sha256 | cut -d= -f2)

login_as mrao2 "$MRAO2" || fail "log in as the second MRAO"
csrf=$(csrf /ad-servers/new)
expect_eq "the new-server form is 200" "$(status)" 200
for f in users_base_dn ca_pem ca_file is_default bind_method bind_dn bind_password; do
	check "the form has the field $f" grep -qF "name=\"$f\"" "$T/body"
done
check "the form is multipart (CA upload)" grep -qF 'enctype="multipart/form-data"' "$T/body"
check "Kerberos is the default bind method" grep -qE 'id="bind_method-gssapi" name="bind_method" value="gssapi" checked' "$T/body"
check "the Kerberos choice says no password is stored" grep -qF "Kerberos (SASL GSSAPI) with the realm's keytab — no password stored" "$T/body"
check "the first server of a customer is said to become its default" grep -qF "first AD server is its default" "$T/body"
check "the users' base DN has its hint" grep -qF "Where users are searched; empty: the base DN." "$T/body"

base=("domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test ldap://dc2.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "starttls=1")

# --- users' base DN, and a refused form listing its problems in an error summary linking to the fields
post /ad-servers/new "name=A $TAG" "${base[@]}" "users_base_dn=OU=Staff,,garbage" "csrf=$csrf" > /dev/null
field_err users_base_dn "not an LDAP DN" "a bad users' base DN is refused next to the field"
check "... and in the error summary, linking to the field" grep -qF '<a href="#users_base_dn">' "$T/body"
post /ad-servers/new "name=A $TAG" "${base[@]}" "users_base_dn= OU=Staff,DC=corp,DC=bind,DC=test " "csrf=$csrf" > /dev/null
expect_eq "the first server is added: 303" "$(status)" 303
A=$(srv "A $TAG" "$OTHER_CUST")
expect_eq "... redirected to its page with a success banner" "$(location)" "/admin/ad-servers/$A?done=created"
expect_eq "... users' base DN stored trimmed; the first server is the default; Kerberos; no password" \
	"$(sql "SELECT CONCAT_WS('|', users_base_dn, is_default, bind_method, bind_password_enc IS NULL) FROM ad_servers WHERE id = ${A:-0}")" \
	"OU=Staff,DC=corp,DC=bind,DC=test|1|gssapi|1"
get "/ad-servers/$A?done=created" > /dev/null
check "the page shows the success banner" grep -qF "AD server added." "$T/body"
check "... and the default tag" grep -qF 'id="default-tag"' "$T/body"
check "... and warns that no Kerberos realm serves the domain" grep -qF 'id="no-realm"' "$T/body"
expect_match "audited with the new fields" "$(last_audit after_json ad_server.create "${A:-0}")" \
	'"users_base_dn":"OU=Staff,DC=corp,DC=bind,DC=test","is_default":true,"bind_method":"gssapi","bind_dn":null,"password_stored":false,"ca_sha256":\[\]'
sql "INSERT INTO kerberos_realms (customer_id, windows_domain, realm, spn) VALUES ($OTHER_CUST, 'corp.bind.test', 'CORP.BIND.TEST', 'HTTP/certs.bind.test@CORP.BIND.TEST')"
get "/ad-servers/$A" > /dev/null
check "with a live realm the hint names the realm whose keytab is used" grep -qF "keytab of the Kerberos realm CORP.BIND.TEST (HTTP/certs.bind.test@CORP.BIND.TEST)" "$T/body"
not_in_body "... and no longer warns" 'id="no-realm"'

# --- CA certificates
post /ad-servers/new "name=B $TAG" "${base[@]}" "ca_pem@$T/chatty.pem" "csrf=$csrf" > /dev/null
expect_eq "a second server with two pasted CA certificates (text around them): 303" "$(status)" 303
B=$(srv "B $TAG" "$OTHER_CUST")
expect_eq "... stored as the two certificates alone, re-encoded" \
	"$(sql "SELECT ca_pem FROM ad_servers WHERE id = ${B:-0}" | sed 's/\\n/\n/g' | grep -c 'BEGIN CERTIFICATE')|$(sql "SELECT ca_pem LIKE '%junk%' OR ca_pem LIKE '%subject=%' FROM ad_servers WHERE id = ${B:-0}")" "2|0"
expect_eq "... it is not the default (the first server is)" "$(sql "SELECT is_default FROM ad_servers WHERE id = ${B:-0}")" 0
get "/ad-servers/$B" > /dev/null
check "the page lists the first CA's subject" grep -qF "CN=AD CA 1 $TAG" "$T/body"
check "... its SHA-256 fingerprint (as openssl prints it)" grep -qF "$FP1" "$T/body"
check "... the second's fingerprint" grep -qF "$FP2" "$T/body"
check "... the expiry" grep -qE "$(date -u -d '+30 days' +%Y-%m-%d)|$(date -u -d '+29 days' +%Y-%m-%d)" "$T/body"
check "... and offers to remove them" grep -qF 'name="ca_remove"' "$T/body"
expect_match "the audit row carries the CA fingerprints" "$(last_audit after_json ad_server.create "${B:-0}")" "\"ca_sha256\":\\[\"$FP1\",\"$FP2\"\\]"
bad_ca() {
	local what=$1 file=$2 msg=$3
	get "/ad-servers/$B" -F "csrf=$csrf" -F "name=B $TAG" -F "domain=corp.bind.test" -F "ldap_uris=ldaps://dc1.corp.bind.test" \
		-F "base_dn=DC=corp,DC=bind,DC=test" -F "ca_file=@$file" > /dev/null
	field_err ca_pem "$msg" "an uploaded $what is refused: $msg"
}
bad_ca "private key next to a certificate" "$T/withkey.pem" "not a CERTIFICATE"
bad_ca "DER file" "$T/ca1.der" "DER (binary)"
bad_ca "file of 17 certificates" "$T/seventeen.pem" "At most 16 CA certificates"
bad_ca "file over 64 KiB" "$T/big.pem" "At most 64 KiB"
printf 'hello\n' > "$T/hello.txt"
bad_ca "text without certificates" "$T/hello.txt" "No certificate found"
sed 's/^MI/XX/' "$T/ca1.pem" > "$T/broken.pem"
bad_ca "certificate with broken base64" "$T/broken.pem" "Certificate 1 cannot be read"
expect_eq "... none of them changed the stored CAs" "$(sql "SELECT ca_pem LIKE '%BEGIN CERTIFICATE%' FROM ad_servers WHERE id = ${B:-0}")" 1
get "/ad-servers/$B" -F "csrf=$csrf" -F "name=B $TAG" -F "domain=corp.bind.test" -F "ldap_uris=ldaps://dc1.corp.bind.test" \
	-F "base_dn=DC=corp,DC=bind,DC=test" -F "ca_file=@$T/ca2.pem" > /dev/null
expect_eq "uploading one PEM file replaces the CAs: 303" "$(status)" 303
get "/ad-servers/$B" > /dev/null
check "... the page lists the uploaded CA" grep -qF "$FP2" "$T/body"
not_in_body "... and no longer the first" "$FP1"
post "/ad-servers/$B" "name=B $TAG" "domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
expect_eq "saving without a CA keeps the stored one" "$(sql "SELECT ca_pem IS NOT NULL FROM ad_servers WHERE id = ${B:-0}")" 1
post "/ad-servers/$B" "name=B $TAG" "domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" \
	"ca_remove=1" "ca_pem@$T/ca1.pem" "csrf=$csrf" > /dev/null
field_err ca_pem "not both" "removing and replacing the CA at once is refused"
post "/ad-servers/$B" "name=B $TAG" "domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" \
	"ca_remove=1" "csrf=$csrf" > /dev/null
expect_eq "\"remove CA\" removes it: 303" "$(status)" 303
expect_eq "... ca_pem is NULL (the system's trust store)" "$(sql "SELECT ca_pem IS NULL FROM ad_servers WHERE id = ${B:-0}")" 1
expect_match "... audited (before had the fingerprint)" "$(last_audit before_json ad_server.update "${B:-0}")" "\"ca_sha256\":\\[\"$FP2\"\\]"

# --- default: exactly one, moved in one transaction, audited on both servers
post "/ad-servers/$B" "name=B $TAG" "domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" \
	"is_default=1" "csrf=$csrf" > /dev/null
expect_eq "set as default on B: 303" "$(status)" 303
expect_eq "... B is the customer's only default" "$(sql "SELECT GROUP_CONCAT(name) FROM ad_servers WHERE customer_id = $OTHER_CUST AND is_default = 1 AND deleted_at IS NULL")" "B $TAG"
expect_match "... A's loss of it is audited" "$(last_audit after_json ad_server.update "${A:-0}")" '"is_default":false'
expect_match "... and B's gain" "$(last_audit after_json ad_server.update "${B:-0}")" '"is_default":true'
post "/ad-servers/$B" "name=B $TAG" "domain=corp.bind.test" "ldap_uris=ldaps://dc1.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
expect_eq "a save of the default without the box keeps it the default" "$(sql "SELECT is_default FROM ad_servers WHERE id = ${B:-0}")" 1
expect_match "the database itself refuses a second live default (unique key)" \
	"$(sql "UPDATE ad_servers SET is_default = 1 WHERE id = ${A:-0}" 2>&1)" "^ERROR 1062 "
post "/ad-servers/$B/delete" "confirm=yes" "csrf=$csrf" > /dev/null
expect_eq "deleting the default while A exists is refused (409)" "$(status)" 409
check "... saying how to proceed" grep -qF "Make another server the default first" "$T/body"
get "/ad-servers/$B/delete" > /dev/null
check "the confirmation page warns about the default" grep -qF "This is the default AD server" "$T/body"

# --- bind method: simple bind
SB=("name=S $TAG" "domain=corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "bind_method=simple")
post /ad-servers/new "${SB[@]}" "ldap_uris=ldap://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" "bind_password=$PW" "csrf=$csrf" > /dev/null
field_err bind_method "never crosses the network in clear" "a simple bind over ldap:// without StartTLS is refused"
not_in_body "... and the typed password is not sent back" "$PW"
post /ad-servers/new "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_password=$PW" "csrf=$csrf" > /dev/null
field_err bind_dn "needs the login DN" "a simple bind without a login DN is refused"
post /ad-servers/new "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=not a dn" "bind_password=$PW" "csrf=$csrf" > /dev/null
field_err bind_dn "not an LDAP DN" "a login DN that is no DN is refused"
post /ad-servers/new "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
field_err bind_password "Enter the password" "a new simple-bind server without a password is refused"
post /ad-servers/new "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" \
	"bind_password=$(printf 'p%.0s' {1..513})" "csrf=$csrf" > /dev/null
field_err bind_password "At most 512 bytes" "a password over 512 bytes is refused"
post /ad-servers/new "${SB[@]}" "ldap_uris=ldap://dc1.corp.bind.test" "starttls=1" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" \
	"bind_password=$PW" "csrf=$csrf" > /dev/null
expect_eq "a simple bind with StartTLS and a password is added: 303" "$(status)" 303
S=$(srv "S $TAG" "$OTHER_CUST")
expect_eq "... stored: simple, the login DN, a sealed password" \
	"$(sql "SELECT CONCAT_WS('|', bind_method, bind_dn, HEX(LEFT(bind_password_enc, 1)), LENGTH(bind_password_enc)) FROM ad_servers WHERE id = ${S:-0}")" \
	"simple|CN=svc,DC=corp,DC=bind,DC=test|01|$((1 + 12 + ${#PW} + 16))"
expect_eq "... the sealed value does not hold the password" \
	"$(sql "SELECT LOCATE('$PW', bind_password_enc) FROM ad_servers WHERE id = ${S:-0}")" 0
SEALED=$(sql "SELECT HEX(bind_password_enc) FROM ad_servers WHERE id = ${S:-0}")
get "/ad-servers/$S" > /dev/null
not_in_body "the page never shows the password" "$PW"
check "... the password field is empty" grep -qF 'name="bind_password" type="password" size="40" maxlength="512" autocomplete="new-password" value=""' "$T/body"
check "... with the hint to leave it empty to keep it" grep -qF "leave empty to keep the stored password" "$T/body"
post "/ad-servers/$S" "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc2,DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
expect_eq "an edit with the password field empty: 303" "$(status)" 303
expect_eq "... keeps the stored password as it was" "$(sql "SELECT HEX(bind_password_enc) FROM ad_servers WHERE id = ${S:-0}")" "$SEALED"
post "/ad-servers/$S" "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc2,DC=corp,DC=bind,DC=test" "bind_password=$PW-new" "csrf=$csrf" > /dev/null
expect_eq "a new password is sealed anew (fresh nonce)" \
	"$(sql "SELECT HEX(bind_password_enc) <> '$SEALED' AND LENGTH(bind_password_enc) = $((1 + 12 + ${#PW} + 4 + 16)) FROM ad_servers WHERE id = ${S:-0}")" 1
for a in ad_server.create ad_server.update; do
	expect_eq "no $a audit row holds the password or its sealed form" \
		"$(sql "SELECT COUNT(*) FROM audit_log WHERE object_id = ${S:-0} AND action = '$a' AND (CONCAT(COALESCE(before_json, ''), COALESCE(after_json, '')) LIKE '%$PW%' OR CONCAT(COALESCE(before_json, ''), COALESCE(after_json, '')) LIKE '%$SEALED%')")" 0
done
expect_match "... the audit says a password is stored" "$(last_audit after_json ad_server.update "${S:-0}")" '"bind_method":"simple","bind_dn":"CN=svc2,DC=corp,DC=bind,DC=test","password_stored":true'
post "/ad-servers/$S" "name=S $TAG" "domain=corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_method=gssapi" "csrf=$csrf" > /dev/null
expect_eq "switching to Kerberos drops the login DN and the password" \
	"$(sql "SELECT CONCAT_WS('|', bind_method, bind_dn IS NULL, bind_password_enc IS NULL) FROM ad_servers WHERE id = ${S:-0}")" "gssapi|1|1"
post "/ad-servers/$S" "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
field_err bind_password "Enter the password" "back to simple bind, a password is needed again"
post "/ad-servers/$S" "${SB[@]}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" "bind_password=$PW" "csrf=$csrf" > /dev/null
expect_eq "... and stored again: 303" "$(status)" 303

# Without [secrets] ldap_bind_key_file, a password is refused with a clear message (a second program, same database).
grep -v '^ldap_bind_key_file' "$CERTMINT_CONF" > "$T/nokey.conf"
NOKEY_SOCK=$(dirname "$CERTMINT_HARNESS_SOCKET")/page-nokey-$$.sock
setsid "$CERTMINT_BUILD/cgi/admin/admin.fcgi" -c "$T/nokey.conf" -s "$NOKEY_SOCK" -n 1 < /dev/null >> "$T/nokey.log" 2>&1 &
NOKEY_PID=$!
for _ in $(seq 100); do [ -S "$NOKEY_SOCK" ] && break; sleep 0.05; done
SAVED_SOCK=$CERTMINT_HARNESS_SOCKET
CERTMINT_HARNESS_SOCKET=$NOKEY_SOCK
ncsrf=$(csrf /ad-servers/new)
check "without the key file the form says simple bind is not available" grep -qF 'id="no-key"' "$T/body"
post /ad-servers/new "name=K $TAG" "${SB[@]:1}" "ldap_uris=ldaps://dc1.corp.bind.test" "bind_dn=CN=svc,DC=corp,DC=bind,DC=test" "bind_password=$PW" "csrf=$ncsrf" > /dev/null
field_err bind_password "no [secrets] ldap_bind_key_file" "without the key file a password is refused, saying why"
expect_eq "... nothing was added" "$(srv "K $TAG" "$OTHER_CUST")" ""
CERTMINT_HARNESS_SOCKET=$SAVED_SOCK
kill -TERM -- "-$NOKEY_PID" 2>/dev/null
NOKEY_PID=""

# --- the list: columns, tags, counts, sorting
get /ad-servers > /dev/null
expect_eq "the list is 200" "$(status)" 200
row_of() { tr '\n' ' ' < "$T/body" | sed 's/<tr>/\n<tr>/g' | grep -F ">$1<" | sed 's/<[^>]*>/ /g' | tr -s ' '; }
expect_match "B's row: default tag, Kerberos, ldaps, system trust store" "$(row_of "B $TAG")" "B $TAG default .* Kerberos ldaps system 0"
expect_match "S's row: simple bind, ldaps" "$(row_of "S $TAG")" "S $TAG .* simple ldaps"
expect_match "A's row: Kerberos over StartTLS" "$(row_of "A $TAG")" "A $TAG .* Kerberos StartTLS"
check "the counts" grep -qF "3 servers: 2 Kerberos, 1 simple bind" "$T/body"
post /ad-servers/new "name=G $TAG" "domain=corp.bind.test" "ldap_uris=ldap://dc9.corp.bind.test" "base_dn=DC=corp,DC=bind,DC=test" "csrf=$csrf" > /dev/null
expect_eq "a Kerberos server on ldap:// without StartTLS is accepted (SASL sealing): 303" "$(status)" 303
get /ad-servers > /dev/null
expect_match "... its row says SASL sealing, not none" "$(row_of "G $TAG")" "G $TAG .* Kerberos SASL sealing"
sql "UPDATE ad_servers SET deleted_at = UTC_TIMESTAMP() WHERE customer_id = $OTHER_CUST AND name = 'G $TAG'"
get /ad-servers > /dev/null
for o in name domain default bind; do check "the list links sort=$o" grep -qF "href=\"/admin/ad-servers?sort=$o\"" "$T/body"; done
get "/ad-servers?sort=default" > /dev/null
first=$(grep -o 'href="/admin/ad-servers/[0-9]*"' "$T/body" | head -n 1)
expect_eq "sort=default lists the default first" "$first" "href=\"/admin/ad-servers/$B\""
get "/ad-servers?sort=nonsense" > /dev/null
expect_eq "an unknown sort is 400" "$(status)" 400

# --- CSV export: never the password; then import into the demo customer (a round trip)
get /ad-servers/export.csv > /dev/null
expect_eq "the CSV export is 200" "$(status)" 200
expect_match "... text/csv" "$(header Content-Type)" '^text/csv'
cp "$T/body" "$T/export.csv"
expect_eq "... its header" "$(head -n 1 "$T/export.csv" | tr -d '\r')" \
	'"name","domain","ldap_uris","base_dn","users_base_dn","starttls","bind_method","bind_dn","is_default","organisations"'
expect_eq "... one row per server" "$(($(wc -l < "$T/export.csv") - 1))" 3
expect_match "... A's row" "$(grep -F "\"A $TAG\"" "$T/export.csv" | tr -d '\r')" \
	'"corp.bind.test","ldaps://dc1.corp.bind.test ldap://dc2.corp.bind.test","DC=corp,DC=bind,DC=test","OU=Staff,DC=corp,DC=bind,DC=test","yes","gssapi","","no",""$'
expect_match "... S's row (simple, its login DN)" "$(grep -F "\"S $TAG\"" "$T/export.csv" | tr -d '\r')" '"simple","CN=svc,DC=corp,DC=bind,DC=test","no"'
check_not "... never the password" grep -qF "$PW" "$T/export.csv"
check_not "... nor its sealed form" grep -qiF "$SEALED" "$T/export.csv"

login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
icsrf=$(csrf /ad-servers/import)
expect_eq "the import form is 200" "$(status)" 200
upload() { get /ad-servers/import -F "csrf=$icsrf" -F "file=@$1;type=text/csv" > /dev/null; }
n_demo=$(sql "SELECT COUNT(*) FROM ad_servers WHERE customer_id = $CUST AND deleted_at IS NULL")
def_demo=$(sql "SELECT COALESCE(MAX(id), 0) FROM ad_servers WHERE customer_id = $CUST AND is_default = 1 AND deleted_at IS NULL")
# import errors: every problem listed per row and column, nothing added
{
	head -n 1 "$T/export.csv"
	printf '"E1 %s","corp.bind.test","http://x","DC=corp","","maybe","gssapi","","no",""\r\n' "$TAG"
	printf '"E2 %s","corp.bind.test","ldap://dc.corp.bind.test","DC=corp","","no","simple","CN=svc,DC=corp","no",""\r\n' "$TAG"
	printf '"E3 %s","corp.bind.test","ldaps://dc.corp.bind.test","DC=corp","","yes","kerberos5","","yes",""\r\n' "$TAG"
	printf '"E4 %s","corp.bind.test","ldaps://dc.corp.bind.test","DC=corp","","yes","gssapi","","yes",""\r\n' "$TAG"
	printf '"E5 %s","corp.bind.test","ldaps://dc.corp.bind.test","DC=corp","","yes","gssapi","","no",""\r\n' "$TAG"
	printf '"E5 %s","corp.bind.test","ldaps://dc.corp.bind.test","DC=corp","","yes","gssapi","","no",""\r\n' "$TAG"
} > "$T/bad.csv"
upload "$T/bad.csv"
expect_eq "an import with bad rows is 400" "$(status)" 400
check "... nothing imported, said at the top" grep -qF "Nothing was imported" "$T/body"
report() { tr '\n' ' ' < "$T/body" | sed 's/<tr/\n&/g' | grep -F "<td>$1</td>" | sed 's/<[^>]*>/ /g' | tr -s ' '; }
expect_match "line 2: the URI and starttls, by column" "$(report 2)" "ldap_uris : URI 1 \\(http://x\\): it must start with ldap:// or ldaps://.* starttls : Write yes or no"
expect_match "line 3: simple bind without TLS, by column" "$(report 3)" "bind_method : A simple bind sends the password"
expect_match "line 4: an unknown bind method" "$(report 4)" "bind_method : Choose Kerberos \\(gssapi\\) or a login DN and password \\(simple\\)"
expect_match "line 5: a second default row" "$(report 5)" "is_default : Only one server can be the default"
expect_match "line 7: a name an earlier row has" "$(report 7)" "name : Another AD server \\(or an earlier row\\) already has this name"
expect_match "line 6 is fine on its own" "$(report 6)" " 6 E5 $TAG fine "
expect_eq "... and nothing was added (all or nothing)" "$(sql "SELECT COUNT(*) FROM ad_servers WHERE customer_id = $CUST AND deleted_at IS NULL")" "$n_demo"
printf 'name,domain\r\nx,y\r\n' > "$T/header.csv"
upload "$T/header.csv"
expect_eq "a file with another header is 400" "$(status)" 400

# the round trip (names made unique for this customer)
sed "s/\"\\([ABS]\\) $TAG\"/\"\\1 $TAG imported\"/" "$T/export.csv" > "$T/roundtrip.csv"
upload "$T/roundtrip.csv"
expect_eq "the export imports into the demo customer: 200" "$(status)" 200
check "... saying how many" grep -qF "3 AD servers imported." "$T/body"
check "... flagging the simple-bind server as needing a password" grep -qF "password needed" "$T/body"
for n in A B S; do
	expect_eq "... $n came across with its fields" \
		"$(sql "SELECT CONCAT_WS('|', domain, ldap_uris, base_dn, COALESCE(users_base_dn, '-'), starttls, bind_method, COALESCE(bind_dn, '-')) FROM ad_servers WHERE customer_id = $CUST AND name = '$n $TAG imported' AND deleted_at IS NULL")" \
		"$(sql "SELECT CONCAT_WS('|', domain, ldap_uris, base_dn, COALESCE(users_base_dn, '-'), starttls, bind_method, COALESCE(bind_dn, '-')) FROM ad_servers WHERE customer_id = $OTHER_CUST AND name = '$n $TAG' AND deleted_at IS NULL")"
	expect_eq "... $n audited (ad_server.create)" "$(audit_count ad_server.create "$(srv "$n $TAG imported")")" 1
done
expect_eq "... no password came across" "$(sql "SELECT bind_password_enc IS NULL FROM ad_servers WHERE customer_id = $CUST AND name = 'S $TAG imported' AND deleted_at IS NULL")" 1
expect_eq "... B (the default of its customer) became the demo customer's one default" \
	"$(sql "SELECT GROUP_CONCAT(name) FROM ad_servers WHERE customer_id = $CUST AND is_default = 1 AND deleted_at IS NULL")" "B $TAG imported"
expect_eq "... the import is audited as a whole too" "$(sql "SELECT after_json FROM audit_log WHERE action = 'ad_server.import' ORDER BY id DESC LIMIT 1")" '{"added":3}'
get /ad-servers > /dev/null
expect_match "the list flags the imported simple-bind server: password needed" "$(row_of "S $TAG imported")" "simple password needed"
check "... and counts it" grep -qF "needing a password" "$T/body"
get "/ad-servers/$(srv "S $TAG imported")" > /dev/null
check "its page says a password is needed" grep -qF 'id="password-needed"' "$T/body"
# give the demo customer its default back
if [ "$def_demo" != 0 ]; then
	sql "UPDATE ad_servers SET is_default = 0 WHERE customer_id = $CUST AND is_default = 1 AND deleted_at IS NULL; UPDATE ad_servers SET is_default = 1 WHERE id = $def_demo"
fi

# --- Verify: unreachable addresses, the stage named, bounded in time, audited
login_as mrao2
post "/ad-servers/$A" "name=A $TAG" "domain=corp.bind.test" "ldap_uris=ldap://127.0.0.1:1" "base_dn=DC=corp,DC=bind,DC=test" "starttls=1" "csrf=$csrf" > /dev/null
expect_eq "A now points at a closed port: 303" "$(status)" 303
get "/ad-servers/$A" > /dev/null
check "its page has the Verify button" grep -qF "action=\"/admin/ad-servers/$A/verify\"" "$T/body"
n_ver=$(audit_count ad_server.verify "$A")
post "/ad-servers/$A/verify" "test_user=alice" > /dev/null
expect_eq "Verify without a CSRF token is 403" "$(status)" 403
expect_eq "... and verifies nothing" "$(audit_count ad_server.verify "$A")" "$n_ver"
start=$(date +%s)
post "/ad-servers/$A/verify" "test_user=alice" "csrf=$csrf" > /dev/null
took=$(($(date +%s) - start))
expect_eq "Verify of a closed port answers 200" "$(status)" 200
expect_match "... naming the failed stage" "$(sed -n 's/.*id="verify-stage">\([^<]*\)<.*/\1/p' "$T/body")" "^TCP connection$"
check "... with the message" grep -qF "127.0.0.1" <(grep -A2 'id="verify-result"' "$T/body")
expect_match "... within the timeouts (${took}s)" "$took" '^([0-9]|1[0-4])$'
expect_eq "... audited once" "$(audit_count ad_server.verify "$A")" "$((n_ver + 1))"
expect_match "... the audit names the stage and the test user" "$(last_audit after_json ad_server.verify "$A")" '"result":"failed","stage":"tcp","test_user":"alice"'
post "/ad-servers/$A" "name=A $TAG" "domain=corp.bind.test" "ldap_uris=ldap://no-such-dc.invalid" "base_dn=DC=corp,DC=bind,DC=test" "starttls=1" "csrf=$csrf" > /dev/null
post "/ad-servers/$A/verify" "csrf=$csrf" > /dev/null
expect_match "Verify of a name that does not resolve fails at DNS" "$(sed -n 's/.*id="verify-stage">\([^<]*\)<.*/\1/p' "$T/body")" "^DNS"
post "/ad-servers/$A/verify" "test_user=a(b" "csrf=$csrf" > /dev/null
field_err test_user "Give a user name" "a test user with filter characters is refused (400)"
post "/ad-servers/$S/verify" "csrf=$csrf" > /dev/null
not_in_body "Verify never shows the password" "$PW"
# A directory that accepts the connection and then never answers: the verify must give up after its 5 s step
# timeout, not hang the worker.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' > "$T/silent.port" 2>/dev/null &
SILENT_PID=$!
for _ in $(seq 50); do [ -s "$T/silent.port" ] && break; sleep 0.1; done
SILENT_PORT=$(head -n 1 "$T/silent.port")
post "/ad-servers/$A" "name=A $TAG" "domain=corp.bind.test" "ldap_uris=ldap://127.0.0.1:$SILENT_PORT" "base_dn=DC=corp,DC=bind,DC=test" "starttls=1" "csrf=$csrf" > /dev/null
start=$(date +%s)
post "/ad-servers/$A/verify" "csrf=$csrf" > /dev/null
took=$(($(date +%s) - start))
kill "$SILENT_PID" 2>/dev/null
expect_eq "Verify of a directory that never answers still answers 200" "$(status)" 200
expect_match "... as a failure after connecting (StartTLS or bind)" "$(sed -n 's/.*id="verify-stage">\([^<]*\)<.*/\1/p' "$T/body")" "^(TLS verification|Bind credentials)$"
expect_match "... after the 5 s step timeout, not more than 14 s (${took}s)" "$took" '^([4-9]|1[0-4])$'

# --- nowhere the password: pages above, the program's log, every audit row
check_not "the program's log never holds the password" grep -qF "$PW" "$HARNESS_DIR/program.log"
check_not "... nor the second program's" grep -qF "$PW" "$T/nokey.log"
expect_eq "no audit row anywhere holds the password" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE CONCAT(COALESCE(before_json, ''), COALESCE(after_json, '')) LIKE '%$PW%'")" 0

# --- another role
login_as carol "$CERTMINT_RAO_A_PRINCIPAL"
for p in /ad-servers/export.csv /ad-servers/import; do
	get "$p" > /dev/null
	expect_eq "RAO A: GET $p is 403" "$(status)" 403
done

done_testing
