#!/bin/bash
# 32b-scep-device.sh: a SCEP type of profile client-device (the demo customer's "device" type,
# $CERTMINT_SCEP_DEVICE_URL): Debian's scepclient enrolls with a device CN in the demo domain and no e-mail, gets a
# certificate for client authentication only that chains, and renews it; an e-mail CN in a delegated domain is
# taken; a device CN outside the organisation's delegated domains, a bare host name, an IP address, an RSA-1024 key
# and an emailAddress attribute are each refused with badRequest and leave no certificate; an smime certificate
# does not renew into a device one; the type disabled answers 404.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u

T=$(mktemp -d /tmp/cm-32b-scep-device.XXXXXX)
DEV=${CERTMINT_SCEP_DEVICE_URL:-}
FORGE=$CERTMINT_BUILD/tests/tools/scep-forge
root_sql() { mariadb --defaults-file="$CERTMINT_DB_DEFAULTS" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"; }
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
# The device type as the demo data leaves it: enabled (this test disables it for a moment).
cleanup() {
	root_sql "UPDATE scep_types SET enabled = 1 WHERE customer_id = ${CUST:-0} AND scep_type = 'device'"
	root_sql "DELETE FROM scep_challenge_failures WHERE remote_addr IN ('127.0.0.1', '::1')"
	rm -rf "$T"
}
trap cleanup EXIT

check "stack.env offers CERTMINT_SCEP_DEVICE_URL" test -n "$DEV"
expect_eq "... the demo customer's device type, issuing client-device, enabled" \
	"$(sql "SELECT CONCAT(profile, ' ', enabled) FROM scep_types WHERE customer_id = $CUST AND scep_type = 'device'")" \
	"client-device 1"

TAG=$$$RANDOM
DOM=$CERTMINT_EMAIL_DOMAIN
DEMO_ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL")
ncerts() { sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST"; }
njournal() { wc -l < "$CERTMINT_JOURNAL"; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
last_log() { tail -n 1 "$CERTMINT_LOG_DIR/scep.log"; }
eku() { openssl x509 -in "$1" -noout -ext extendedKeyUsage 2>/dev/null | sed -n '2,$p' | sed 's/^ *//'; }

expect_eq "GetCACaps on the device URL answers 200" "$(curl -s -o /dev/null -w '%{http_code}' "$DEV?operation=GetCACaps")" 200
curl -s -o "$T/ca.p7" "$DEV?operation=GetCACert"
openssl pkcs7 -inform DER -in "$T/ca.p7" -print_certs -out "$T/ca-certs.pem" 2>/dev/null
awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/cacert" n ".pem")}' "$T/ca-certs.pem"
openssl x509 -in "$T/cacert1.pem" -outform DER -out "$T/ra.der" 2>/dev/null
check "GetCACert gives the RA certificate" test -s "$T/ra.der"

# ---- Debian's scepclient: a device CN in the demo domain, no e-mail anywhere
mkdir -p "$T/sc"
openssl genrsa -traditional -out "$T/sc/key.pem" 2048 2>/dev/null
NAME=router-$TAG.$DOM
out=$(cd "$T/sc" && timeout 60 scepclient -server-url="$DEV" -challenge="$CERTMINT_ACCESS_CODE" \
	-private-key "$T/sc/key.pem" -cn "$NAME" 2>&1)
expect_match "scepclient enrolls a device on /scep/device/ (SUCCESS)" "$out" 'pkiStatus=SUCCESS'
check "... and writes its certificate" test -s "$T/sc/client.pem"
check "... which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/sc/client.pem"
expect_match "... carries the device CN" "$(openssl x509 -in "$T/sc/client.pem" -noout -subject)" "CN = $NAME"
expect_eq "... for client authentication only" "$(eku "$T/sc/client.pem")" "TLS Web Client Authentication"
expect_match "... keyUsage digitalSignature, keyEncipherment" \
	"$(openssl x509 -in "$T/sc/client.pem" -noout -ext keyUsage 2>/dev/null | tail -n 1)" '^ *Digital Signature, Key Encipherment$'
check_not "... no e-mail SAN" sh -c "openssl x509 -in '$T/sc/client.pem' -noout -ext subjectAltName 2>/dev/null | grep -q email:"
S1=$(serial_of "$T/sc/client.pem")
expect_eq "... stored issued, type client, profile client-device, in Demo Organisation, requested by scep" \
	"$(sql "SELECT CONCAT_WS(' ', status, cert_type, profile, org_id, requested_by) FROM certificates WHERE serial_hex = '$S1'")" \
	"issued client client-device $DEMO_ORG scep"
expect_eq "... its transaction names the device type" \
	"$(sql "SELECT CONCAT(t.scep_type, ' ', t.status) FROM scep_transactions t JOIN certificates c ON c.id = t.certificate_id WHERE c.serial_hex = '$S1'")" \
	"device issued"
out=$(cd "$T/sc" && timeout 60 scepclient -server-url="$DEV" -private-key "$T/sc/key.pem" -cn "$NAME" 2>&1)
expect_match "scepclient renews the device certificate (RenewalReq, no challenge)" "$out" 'pkiStatus=SUCCESS'
S2=$(serial_of "$T/sc/client.pem")
check "... a new certificate" test -n "$S2" -a "$S2" != "$S1"
expect_eq "... of the same profile, renewing the first" \
	"$(sql "SELECT CONCAT(c.profile, ' ', c.renews_id = o.id) FROM certificates c JOIN certificates o ON o.serial_hex = '$S1' WHERE c.serial_hex = '$S2'")" \
	"client-device 1"
# A smime certificate cannot renew into a device one (nor the reverse): the type's profile must match.
openssl genrsa -traditional -out "$T/sc/skey.pem" 2048 2>/dev/null
mkdir -p "$T/sm" && cp "$T/sc/skey.pem" "$T/sm/key.pem"
out=$(cd "$T/sm" && timeout 60 scepclient -server-url="$CERTMINT_SCEP_URL" -challenge="$CERTMINT_ACCESS_CODE" \
	-private-key "$T/sm/key.pem" -cn "sm-$TAG@$DOM" 2>&1)
expect_match "(an smime certificate from the smime type)" "$out" 'pkiStatus=SUCCESS'
out=$(cd "$T/sm" && timeout 60 scepclient -server-url="$DEV" -private-key "$T/sm/key.pem" -cn "$NAME" 2>&1)
check_not "renewing it on the device type is refused" grep -q 'pkiStatus=SUCCESS' <<< "$out"
expect_match "... logged: the renewal certificate's profile is not this type's" "$(last_log)" \
	'rule renewal-cert: .*of profile client-smime, not this type.s client-device'

# ---- scep-forge: what the device rule takes and refuses
send() {
	curl -s -H 'Content-Type: application/x-pki-message' --data-binary "@$1" -o "$T/rep.der" -w '%{http_code}' \
		"$DEV?operation=PKIOperation" > "$T/rep.code"
	rm -f "$T/got.pem"
	if [ $# -ge 3 ]; then
		rep=$("$FORGE" rep --ra "$T/ra.der" --key "$2" --cert "$3" "$T/rep.der" -o "$T/got.pem" 2>&1)
	else
		rep=$("$FORGE" rep --ra "$T/ra.der" "$T/rep.der" 2>&1)
	fi
}
forge() {
	local n=$1 bits=$2 subj=$3
	shift 3
	[ -s "$T/$n.key" ] || openssl genrsa -out "$T/$n.key" "$bits" 2>/dev/null
	"$FORGE" req --ra "$T/ra.der" --key "$T/$n.key" --subject "$subj" --challenge "$CERTMINT_ACCESS_CODE" \
		--cert-out "$T/$n.self" --csr-out "$T/$n.csr" "$@" -o "$T/$n.msg" > /dev/null
}
refused() {
	local c0 j0
	c0=$(ncerts); j0=$(njournal)
	send "$T/$1.msg"
	expect_match "$1: CertRep FAILURE failInfo $2 (badRequest, HTTP 200)" "$(cat "$T/rep.code") $rep" "^200 status=2 failInfo=$2 "
	expect_match "... logged with the rule ($3)" "$(last_log)" "FAILURE failInfo $2, rule $3:"
	expect_eq "... no certificate row" "$(ncerts)" "$c0"
	expect_eq "... no journal record" "$(njournal)" "$j0"
}

forge mailcn 2048 "/CN=dev-$TAG@$DOM"
send "$T/mailcn.msg" "$T/mailcn.key" "$T/mailcn.self"
expect_match "a device named by an e-mail address in a delegated domain: SUCCESS" "$rep" '^status=0 '
expect_eq "... client authentication only" "$(eku "$T/got.pem")" "TLS Web Client Authentication"

forge outside 2048 "/CN=router-$TAG.other.test"
refused outside 2 names
expect_match "... naming the device and the organisation" "$(last_log)" "router-$TAG.other.test is not in a validated domain delegated to Demo Organisation"
forge outmail 2048 "/CN=dev-$TAG@other.test"
refused outmail 2 names
forge bare 2048 "/CN=router$TAG"
refused bare 2 subject
forge ipcn 2048 "/CN=10.1.2.3"
refused ipcn 2 subject
forge rsa1024 1024 "/CN=small-$TAG.$DOM"
refused rsa1024 2 key
# The profile names a device by its CN: signerd refuses an emailAddress attribute, and scep.fcgi passes that on
# as a FAILURE, not a fault.
forge withmail 2048 "/CN=mailattr-$TAG.$DOM/emailAddress=ops-$TAG@$DOM"
c0=$(ncerts)
send "$T/withmail.msg"
expect_match "a device subject with emailAddress: FAILURE badRequest (HTTP 200)" "$(cat "$T/rep.code") $rep" '^200 status=2 failInfo=2 '
expect_match "... signerd's reason in the log" "$(last_log)" 'emailAddress is not allowed by profile client-device'
expect_eq "... no certificate row" "$(ncerts)" "$c0"

# ---- the type disabled: 404
root_sql "UPDATE scep_types SET enabled = 0 WHERE customer_id = $CUST AND scep_type = 'device'"
expect_eq "the device type disabled: GetCACaps answers 404" "$(curl -s -o /dev/null -w '%{http_code}' "$DEV?operation=GetCACaps")" 404
c0=$(ncerts)
forge off 2048 "/CN=off-$TAG.$DOM"
expect_eq "... and so does a PKIOperation" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-pki-message' --data-binary "@$T/off.msg" "$DEV?operation=PKIOperation")" 404
expect_eq "... which issues nothing" "$(ncerts)" "$c0"
expect_eq "the smime type still answers" "$(curl -s -o /dev/null -w '%{http_code}' "$CERTMINT_SCEP_URL?operation=GetCACaps")" 200
root_sql "UPDATE scep_types SET enabled = 1 WHERE customer_id = $CUST AND scep_type = 'device'"
expect_eq "enabled again: 200" "$(curl -s -o /dev/null -w '%{http_code}' "$DEV?operation=GetCACaps")" 200

expect_eq "the audit chain is intact" "$($CERTMINT_CLI audit verify 2>&1 | cut -d' ' -f1-3)" "audit chain intact"
done_testing
