#!/bin/bash
# 32-scep.sh: scep.fcgi at /customer/<customer>/scep/<type>/pkiclient.exe with real clients: Debian's scepclient
# (micromdm) enrolls with the access code and renews with its certificate; certmonger's scep-submit reads the
# capabilities and CA certificates, enrolls by GET (AES-256, SHA-256) and follows a PENDING request through an
# approval in the portal to the issued certificate; scep-forge's hostile messages are each refused with their
# failInfo and leave no certificate (wrong challenge, self enrollment off, RSA-1024 and -2047, a mail domain not
# delegated, a tampered signature, a replayed transactionID with another CSR), the same transactionID with the same
# CSR gets the same certificate, repeated wrong challenges lock an address out (audited), unknown customer or type 404.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-32-scep.XXXXXX)
# shellcheck disable=SC2034 # read by get/post in tests/lib.sh
URL=$CERTMINT_URL/admin
SCEP=$CERTMINT_SCEP_URL
FORGE=$CERTMINT_BUILD/tests/tools/scep-forge
HASHTOOL=$CERTMINT_BUILD/tests/tools/access-code-hash
SUBMIT=/usr/lib/certmonger/scep-submit
[ -x "$SUBMIT" ] || SUBMIT=/usr/libexec/certmonger/scep-submit
root_sql() { mariadb --defaults-file="$CERTMINT_DB_DEFAULTS" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"; }
# Wrong challenges of this host would lock the next test run out (and this
# one's later steps): each run starts and ends without them.
clear_failures() { root_sql "DELETE FROM scep_challenge_failures WHERE remote_addr IN ('127.0.0.1', '::1')"; }
OTHER_CODE_SET=""
cleanup() {
	clear_failures
	[ -n "$OTHER_CODE_SET" ] && root_sql "UPDATE organizations SET client_access_code_hash = NULL,
		client_access_code_hint = NULL, client_access_code_set_at = NULL WHERE id = $OTHER_CODE_SET"
	rm -rf "$T"
}
trap cleanup EXIT
clear_failures

TAG=$$$RANDOM
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
DEMO_ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL")
ncerts() { sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST"; }
njournal() { wc -l < "$CERTMINT_JOURNAL"; }
naudit() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1'"; }
# serial_hex as certmint stores it: 32 lowercase hex digits (openssl drops a
# leading zero byte, which one serial in 128 has).
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
last_log() { tail -n 1 "$CERTMINT_LOG_DIR/scep.log"; }

# ---- GetCACaps, GetCACert with curl
caps=$(curl -s "$SCEP?operation=GetCACaps")
for c in POSTPKIOperation SHA-256 SHA-512 AES SCEPStandard Renewal DES3 SHA-1; do
	expect_match "GetCACaps lists $c" "$caps" "(^|$(printf '\n'))$c($|$(printf '\n'))"
done
ctype=$(curl -s -o "$T/ca.p7" -w '%{content_type}' "$SCEP?operation=GetCACert")
expect_eq "GetCACert is application/x-x509-ca-ra-cert" "$ctype" "application/x-x509-ca-ra-cert"
openssl pkcs7 -inform DER -in "$T/ca.p7" -print_certs -out "$T/ca-certs.pem" 2>/dev/null
expect_eq "... a degenerate PKCS#7 of three certificates (RA, issuing CA, root)" "$(grep -c 'BEGIN CERTIFICATE' "$T/ca-certs.pem")" 3
awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/cacert" n ".pem")}' "$T/ca-certs.pem"
openssl x509 -in "$T/cacert1.pem" -outform DER -out "$T/ra.der"
expect_match "... the RA certificate first" "$(openssl x509 -in "$T/cacert1.pem" -noout -subject)" "SCEP RA"
check "... which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/cacert1.pem"

# ---- URLs that are not a SCEP service: 404, one plain line
for u in "/customer/nobody-$TAG/scep/smime/pkiclient.exe" "/customer/$CERTMINT_CUSTOMER/scep/nosuchtype/pkiclient.exe" \
	"/customer/$CERTMINT_CUSTOMER/scep/smime/other.exe"; do
	code=$(curl -s -o "$T/404" -w '%{http_code} %{content_type}' "$CERTMINT_URL$u?operation=GetCACaps")
	expect_eq "404 for $u" "$code" "404 text/plain; charset=utf-8"
	expect_eq "... with one line" "$(wc -l < "$T/404")" 1
done
root_sql "INSERT INTO scep_types (customer_id, scep_type, profile, enabled) VALUES ($CUST, 'off$TAG', 'client-smime', 0)"
expect_eq "404 for a disabled type" "$(curl -s -o /dev/null -w '%{http_code}' "$CERTMINT_URL/customer/$CERTMINT_CUSTOMER/scep/off$TAG/pkiclient.exe?operation=GetCACaps")" 404
root_sql "DELETE FROM scep_types WHERE customer_id = $CUST AND scep_type = 'off$TAG'"
root_sql "UPDATE customers SET scep_enabled = 0 WHERE id = $CUST"
expect_eq "404 while the customer has SCEP off" "$(curl -s -o /dev/null -w '%{http_code}' "$SCEP?operation=GetCACaps")" 404
root_sql "UPDATE customers SET scep_enabled = 1 WHERE id = $CUST"
expect_eq "200 once it is on again" "$(curl -s -o /dev/null -w '%{http_code}' "$SCEP?operation=GetCACaps")" 200

# ---- Debian's scepclient: enroll with the access code, then renew with the certificate
mkdir -p "$T/sc"
openssl genrsa -traditional -out "$T/sc/key.pem" 2048 2>/dev/null
MAIL=scep-$TAG@$CERTMINT_EMAIL_DOMAIN
out=$(cd "$T/sc" && timeout 60 scepclient -server-url="$SCEP" -challenge="$CERTMINT_ACCESS_CODE" \
	-private-key "$T/sc/key.pem" -cn "$MAIL" 2>&1)
expect_match "scepclient enrolls (SUCCESS)" "$out" 'pkiStatus=SUCCESS'
check "... and writes its certificate" test -s "$T/sc/client.pem"
check "... which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/sc/client.pem"
expect_match "... carries the CN" "$(openssl x509 -in "$T/sc/client.pem" -noout -subject)" "CN = $MAIL"
expect_match "... and the e-mail address as its SAN" "$(openssl x509 -in "$T/sc/client.pem" -noout -ext subjectAltName)" "email:$MAIL"
expect_match "... for e-mail protection and client authentication" \
	"$(openssl x509 -in "$T/sc/client.pem" -noout -ext extendedKeyUsage)" "TLS Web Client Authentication, E-mail Protection"
S1=$(serial_of "$T/sc/client.pem")
expect_eq "... stored issued in Demo Organisation, requested by scep" \
	"$(sql "SELECT CONCAT(status, ' ', org_id, ' ', requested_by) FROM certificates WHERE serial_hex = '$S1'")" "issued $DEMO_ORG scep"
ID1=$(sql "SELECT id FROM certificates WHERE serial_hex = '$S1'")
expect_eq "... its transaction issued with it" \
	"$(sql "SELECT CONCAT(status, ' ', certificate_id, ' ', message_type) FROM scep_transactions WHERE certificate_id = $ID1")" "issued $ID1 19"
out=$(cd "$T/sc" && timeout 60 scepclient -server-url="$SCEP" -private-key "$T/sc/key.pem" -cn "$MAIL" 2>&1)
expect_match "scepclient renews with its certificate (RenewalReq, no challenge)" "$out" 'pkiStatus=SUCCESS'
S2=$(serial_of "$T/sc/client.pem")
check "... and gets a new certificate" test -n "$S2" -a "$S2" != "$S1"
check "... which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/sc/client.pem"
expect_eq "... that renews the old one" "$(sql "SELECT renews_id FROM certificates WHERE serial_hex = '$S2'")" "$ID1"
expect_eq "... which is revoked as superseded (reason 4)" \
	"$(sql "SELECT CONCAT(status, ' ', revocation_reason) FROM certificates WHERE id = $ID1")" "revoked 4"
expect_match "... logged as a RenewalReq" "$(last_log)" 'RenewalReq .* SUCCESS'
out=$(cd "$T/sc" && timeout 60 scepclient -server-url="$SCEP" -private-key "$T/sc/key.pem" -cn "$MAIL" 2>&1)
S3=$(serial_of "$T/sc/client.pem")
check "a second renewal (signed with the renewed certificate) works too" test -n "$S3" -a "$S3" != "$S2"

# ---- certmonger's scep-submit: capabilities, CA certificates, enroll by GET with AES-256/SHA-256
out=$("$SUBMIT" -u "$SCEP" -c 2>&1)
expect_match "scep-submit -c reads the capabilities" "$out" 'SCEPStandard'
"$SUBMIT" -u "$SCEP" -C > "$T/cm-ca.pem" 2>"$T/cm.err"
expect_eq "scep-submit -C reads the RA and CA certificates" "$(grep -c 'BEGIN CERTIFICATE' "$T/cm-ca.pem")" 3
awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/cm" n ".pem")}' "$T/cm-ca.pem"
cat "$T/cm2.pem" "$T/cm3.pem" > "$T/cm-others.pem"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
expect_eq "... the RA certificate first" "$(fp "$T/cm1.pem")" "$(fp "$T/cacert1.pem")"
pem_msg() { { echo "-----BEGIN PKCS7-----"; openssl base64 -in "$1"; echo "-----END PKCS7-----"; } > "$2"; }
# submit MODE MSG.der: scep-submit's exit code in $rc and its output in $T/cm.out
submit() { pem_msg "$2" "$T/cm.msg"; "$SUBMIT" -u "$SCEP" -r "$T/cm1.pem" -I "$T/cm-others.pem" "$1" "$T/cm.msg" > "$T/cm.out" 2>&1; rc=$?; }
# unwrap KEY SELF.der OUT.pem: the certificates of the pkcsPKIEnvelope scep-submit printed
unwrap() {
	openssl x509 -inform DER -in "$2" -out "$T/self.pem" &&
	openssl cms -decrypt -inform PEM -in "$T/cm.out" -recip "$T/self.pem" -inkey "$1" -binary -out "$T/certs.p7" &&
	openssl pkcs7 -inform DER -in "$T/certs.p7" -print_certs -out "$3"
}
openssl genrsa -out "$T/cm.key" 2048 2>/dev/null
CMAIL=cm-$TAG@$CERTMINT_EMAIL_DOMAIN
"$FORGE" req --ra "$T/ra.der" --key "$T/cm.key" --subject "/CN=$CMAIL/emailAddress=$CMAIL" \
	--challenge "$CERTMINT_ACCESS_CODE" --cipher aes-256-cbc --digest sha256 --cert-out "$T/cm.self" -o "$T/cm.req" > /dev/null
a0=$(grep -c 'operation=PKIOperation&message=' "$CERTMINT_LOG_DIR/apache-access.log")
submit -p "$T/cm.req"
expect_eq "scep-submit enrolls (exit 0: issued)" "$rc" 0
[ "$(grep -c 'operation=PKIOperation&message=' "$CERTMINT_LOG_DIR/apache-access.log")" -gt "$a0" ] \
	&& ok "... with a GET PKIOperation" || fail "... with a GET PKIOperation"
check "... its envelope decrypts to the certificate" unwrap "$T/cm.key" "$T/cm.self" "$T/cm-issued.pem"
check "... which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/cm-issued.pem"
expect_match "... with the e-mail address" "$(openssl x509 -in "$T/cm-issued.pem" -noout -ext subjectAltName)" "email:$CMAIL"
expect_match "... enveloped with AES-256 as the request was" \
	"$(openssl cms -cmsout -inform PEM -in "$T/cm.out" -print)" 'aes-256-cbc'

# ---- PENDING: Manual Organisation's code, approval in the portal, the poll gets the certificate
openssl genrsa -out "$T/pm.key" 2048 2>/dev/null
PMAIL=pending-$TAG@$CERTMINT_EMAIL_DOMAIN_MANUAL
line=$("$FORGE" req --ra "$T/ra.der" --key "$T/pm.key" --subject "/CN=$PMAIL/emailAddress=$PMAIL" \
	--challenge "$CERTMINT_ACCESS_CODE_MANUAL" --cipher aes-256-cbc --digest sha256 --cert-out "$T/pm.self" \
	--csr-out "$T/pm.csr" -o "$T/pm.req")
PTID=$(sed -n 's/^tid=\([^ ]*\).*/\1/p' <<< "$line")
submit -p "$T/pm.req"
check "a request of an organisation with manual approval: PENDING (exit 1 or 5)" test "$rc" = 1 -o "$rc" = 5
PID=$(sql "SELECT certificate_id FROM scep_transactions WHERE customer_id = $CUST AND transaction_id = '$PTID'")
expect_eq "... a certificate row 'requested' waits in the portal" "$(sql "SELECT status FROM certificates WHERE id = ${PID:-0}")" requested
expect_eq "... its transaction pending" "$(sql "SELECT status FROM scep_transactions WHERE transaction_id = '$PTID'")" pending
"$FORGE" req --ra "$T/ra.der" --key "$T/pm.key" --cert "$T/pm.self" --csr "$T/pm.csr" --type 20 --tid "$PTID" \
	--cipher aes-256-cbc --digest sha256 -o "$T/pm.poll" > /dev/null
submit -g "$T/pm.poll"
check "GetCertInitial before the approval: still PENDING" test "$rc" = 1 -o "$rc" = 5
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
token=$(csrf "/certificates/$PID")
post "/certificates/$PID/approve" "csrf=$token" > /dev/null
expect_eq "alice approves it in the portal" "$(sql "SELECT status FROM certificates WHERE id = $PID")" issued
submit -g "$T/pm.poll"
expect_eq "GetCertInitial after the approval: issued (exit 0)" "$rc" 0
check "... the envelope holds the approved certificate" unwrap "$T/pm.key" "$T/pm.self" "$T/pm-issued.pem"
expect_eq "... the row's" "$(serial_of "$T/pm-issued.pem")" "$(sql "SELECT serial_hex FROM certificates WHERE id = $PID")"
expect_eq "... and the transaction is issued" "$(sql "SELECT status FROM scep_transactions WHERE transaction_id = '$PTID'")" issued
"$FORGE" req --ra "$T/ra.der" --key "$T/pm.key" --cert "$T/pm.self" --subject "/CN=someone-else@$CERTMINT_EMAIL_DOMAIN_MANUAL" \
	--type 20 --tid "$PTID" -o "$T/pm.poll2" > /dev/null
curl -s -H 'Content-Type: application/x-pki-message' --data-binary "@$T/pm.poll2" -o "$T/pm.rep2" "$SCEP?operation=PKIOperation"
expect_match "a poll naming another subject: FAILURE badRequest" "$("$FORGE" rep --ra "$T/ra.der" "$T/pm.rep2")" 'status=2 failInfo=2'

# ---- scep-forge: good and hostile messages by POST (and GET)
# send MSG.der [KEY SELF.der]: POSTs it; the CertRep's "status=N failInfo=N ..." in $rep (certificates in $T/got.pem)
send() {
	curl -s -H 'Content-Type: application/x-pki-message' --data-binary "@$1" -o "$T/rep.der" -w '%{http_code}' \
		"$SCEP?operation=PKIOperation" > "$T/rep.code"
	rm -f "$T/got.pem"
	if [ $# -ge 3 ]; then
		rep=$("$FORGE" rep --ra "$T/ra.der" --key "$2" --cert "$3" "$T/rep.der" -o "$T/got.pem" 2>&1)
	else
		rep=$("$FORGE" rep --ra "$T/ra.der" "$T/rep.der" 2>&1)
	fi
}
# forge NAME KEYBITS SUBJECT CHALLENGE [args...]: a PKCSReq from a new key into $T/NAME.msg (self-signed certificate $T/NAME.self)
forge() {
	local n=$1 bits=$2 subj=$3 ch=$4
	shift 4
	[ -s "$T/$n.key" ] || openssl genrsa -out "$T/$n.key" "$bits" 2>/dev/null
	"$FORGE" req --ra "$T/ra.der" --key "$T/$n.key" --subject "$subj" ${ch:+--challenge "$ch"} \
		--cert-out "$T/$n.self" --csr-out "$T/$n.csr" "$@" -o "$T/$n.msg" | sed -n 's/^tid=\([^ ]*\).*/\1/p'
}
# refused NAME WANT_FAILINFO RULE: $T/NAME.msg is refused with that failInfo, the log names RULE, nothing is stored
refused() {
	local c0 j0 a0
	c0=$(ncerts); j0=$(njournal); a0=$(sql "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'scep.%'")
	send "$T/$1.msg"
	expect_match "$1: CertRep FAILURE failInfo $2 (HTTP 200)" "$(cat "$T/rep.code") $rep" "^200 status=2 failInfo=$2 "
	expect_match "... logged with the rule ($3)" "$(last_log)" "FAILURE failInfo $2, rule $3:"
	expect_eq "... no certificate row" "$(ncerts)" "$c0"
	expect_eq "... no journal record" "$(njournal)" "$j0"
	expect_eq "... one audit row" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'scep.%'")" "$((a0 + 1))"
}
DOM=$CERTMINT_EMAIL_DOMAIN

GTID=$(forge good 2048 "/CN=good-$TAG@$DOM/emailAddress=good-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" --cipher aes-128-cbc --digest sha512)
c0=$(ncerts)
send "$T/good.msg" "$T/good.key" "$T/good.self"
expect_match "a PKCSReq (AES-128, SHA-512) by POST: SUCCESS" "$rep" '^status=0 '
check "... with the certificate, which chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/got.pem"
GSERIAL=$(serial_of "$T/got.pem")
send "$T/good.msg" "$T/good.key" "$T/good.self"
expect_match "the same transactionID with the same CSR: SUCCESS again" "$rep" '^status=0 '
expect_eq "... with the same certificate" "$(serial_of "$T/got.pem")" "$GSERIAL"
expect_eq "... and no second one" "$(ncerts)" "$((c0 + 1))"
forge replay 2048 "/CN=other-$TAG@$DOM/emailAddress=other-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" --tid "$GTID" > /dev/null
refused replay 2 replay

b64=$(openssl base64 -A -in "$T/good.msg" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))')
curl -s -o "$T/rep.der" "$SCEP?operation=PKIOperation&message=$b64"
expect_match "PKIOperation by GET (message=, URL-encoded base64): the same answer" \
	"$("$FORGE" rep --ra "$T/ra.der" --key "$T/good.key" --cert "$T/good.self" "$T/rep.der" -o "$T/got.pem")" '^status=0 '
expect_eq "... the same certificate" "$(serial_of "$T/got.pem")" "$GSERIAL"

# GetCert and GetCRL
"$FORGE" req --ra "$T/ra.der" --key "$T/good.key" --cert "$T/good.self" --subject /CN=x --type 21 --serial "$GSERIAL" -o "$T/gc.msg" > /dev/null
send "$T/gc.msg" "$T/good.key" "$T/good.self"
expect_match "GetCert of our certificate: SUCCESS" "$rep" '^status=0 '
expect_eq "... with it" "$(serial_of "$T/got.pem")" "$GSERIAL"
"$FORGE" req --ra "$T/ra.der" --key "$T/good.key" --cert "$T/good.self" --subject /CN=x --type 21 --serial 0102030405060708090a0b0c0d0e0f10 -o "$T/gc2.msg" > /dev/null
send "$T/gc2.msg"
expect_match "GetCert of a serial that is not this customer's: FAILURE badCertId" "$rep" '^status=2 failInfo=4 '
"$FORGE" req --ra "$T/ra.der" --key "$T/good.key" --cert "$T/good.self" --subject /CN=x --type 22 --serial "$GSERIAL" -o "$T/crl.msg" > /dev/null
send "$T/crl.msg"
expect_match "GetCRL: SUCCESS" "$rep" '^status=0 '

# An EC key is taken when the request is signed with an RSA certificate (the reply is enveloped to it).
printf '[req]\nprompt = no\ndistinguished_name = dn\nattributes = attrs\n[dn]\nCN = ec-%s@%s\nemailAddress = ec-%s@%s\n[attrs]\nchallengePassword = %s\n' \
	"$TAG" "$DOM" "$TAG" "$DOM" "$CERTMINT_ACCESS_CODE" > "$T/ec.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ec.key" -outform DER -out "$T/ec.csr" \
	-config "$T/ec.cnf" 2>/dev/null
"$FORGE" req --ra "$T/ra.der" --key "$T/good.key" --cert "$T/good.self" --csr "$T/ec.csr" --tid "ec-$TAG" -o "$T/ec.msg" > /dev/null
send "$T/ec.msg" "$T/good.key" "$T/good.self"
expect_match "an EC P-256 key: SUCCESS" "$rep" '^status=0 '
expect_match "... its certificate holds the EC key" "$(openssl x509 -in "$T/got.pem" -noout -text 2>/dev/null)" 'id-ecPublicKey'

forge wrong 2048 "/CN=w-$TAG@$DOM/emailAddress=w-$TAG@$DOM" "wrong-code-$TAG" > /dev/null
f0=$(sql "SELECT COUNT(*) FROM scep_challenge_failures WHERE customer_id = $CUST")
refused wrong 2 challenge
expect_eq "... one scep_challenge_failures row" "$(sql "SELECT COUNT(*) FROM scep_challenge_failures WHERE customer_id = $CUST")" "$((f0 + 1))"
expect_match "... audited as scep.challenge_failed" \
	"$(sql "SELECT action FROM audit_log WHERE action LIKE 'scep.%' ORDER BY id DESC LIMIT 1")" '^scep.challenge_failed$'
check_not "... and the code is in no log line" grep -q "wrong-code-$TAG" "$CERTMINT_LOG_DIR/scep.log"
clear_failures

forge nochal 2048 "/CN=n-$TAG@$DOM/emailAddress=n-$TAG@$DOM" "" > /dev/null
refused nochal 2 challenge
clear_failures

# Self enrollment off: the right code of an organisation that has it off.
OTHER=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Other Organisation' AND deleted_at IS NULL")
OCODE=off$TAG-x7kq-9mnp
read -r ohash ohint < <(echo "$OCODE" | "$HASHTOOL" "$CERTMINT_STACK_DIR/access-code.key")
root_sql "UPDATE organizations SET client_access_code_hash = '$ohash', client_access_code_hint = '$ohint',
	client_access_code_set_at = UTC_TIMESTAMP(), client_self_enrollment = 0 WHERE id = $OTHER"
OTHER_CODE_SET=$OTHER
forge selfoff 2048 "/CN=s-$TAG@other.test/emailAddress=s-$TAG@other.test" "$OCODE" > /dev/null
refused selfoff 2 self-enrollment

forge rsa1024 1024 "/CN=k1-$TAG@$DOM/emailAddress=k1-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" > /dev/null
refused rsa1024 2 key
forge rsa2047 2047 "/CN=k2-$TAG@$DOM/emailAddress=k2-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" > /dev/null
refused rsa2047 2 key
forge nodomain 2048 "/CN=x-$TAG@other.test/emailAddress=x-$TAG@other.test" "$CERTMINT_ACCESS_CODE" > /dev/null
refused nodomain 2 names
forge nomail 2048 "/CN=Just A Name $TAG" "$CERTMINT_ACCESS_CODE" > /dev/null
refused nomail 2 subject
forge tampered 2048 "/CN=t-$TAG@$DOM/emailAddress=t-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" --tamper sig > /dev/null
refused tampered 1 message
forge md5 2048 "/CN=m-$TAG@$DOM/emailAddress=m-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" --digest md5 > /dev/null
refused md5 0 message

printf 'not a pkiMessage' > "$T/garbage"
expect_eq "a body with no transactionID: HTTP 400" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-pki-message' --data-binary "@$T/garbage" "$SCEP?operation=PKIOperation")" 400
head -c 300000 /dev/zero > "$T/big"
expect_eq "a body over CM_SCEP_MAX_MESSAGE: HTTP 413" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-pki-message' --data-binary "@$T/big" "$SCEP?operation=PKIOperation")" 413

# ---- lockout: wrong challenges from one address are slowed, then refused without the code being checked
clear_failures
for i in 1 2 3 4 5; do
	forge "lw$i" 2048 "/CN=lw$i-$TAG@$DOM/emailAddress=lw$i-$TAG@$DOM" "wrong-$i-$TAG" > /dev/null
	send "$T/lw$i.msg"
done
expect_eq "five wrong challenges from this address recorded" \
	"$(sql "SELECT COUNT(*) FROM scep_challenge_failures WHERE remote_addr IN ('127.0.0.1', '::1')")" 5
l0=$(naudit scep.locked_out)
c0=$(ncerts)
forge locked 2048 "/CN=lk-$TAG@$DOM/emailAddress=lk-$TAG@$DOM" "$CERTMINT_ACCESS_CODE" > /dev/null
send "$T/locked.msg"
expect_match "then even the right code is refused: FAILURE badRequest" "$rep" '^status=2 failInfo=2 '
expect_match "... logged as a lockout" "$(last_log)" 'rule lockout: address locked out'
expect_eq "... audited as scep.locked_out" "$(naudit scep.locked_out)" "$((l0 + 1))"
expect_eq "... no certificate" "$(ncerts)" "$c0"
clear_failures
send "$T/locked.msg" "$T/locked.key" "$T/locked.self"
expect_match "once the failures age out, the same request is issued" "$rep" '^status=0 '

# The CSRs carried the access code as challengePassword: none is kept once
# its request is decided (only waiting requests keep their CSR).
expect_eq "no issued, declined or revoked row keeps its CSR" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE status NOT IN ('requested', 'approved') AND csr IS NOT NULL")" 0
expect_eq "the access code is in no stored CSR but waiting ones" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE status NOT IN ('requested', 'approved') AND LOCATE('$CERTMINT_ACCESS_CODE', csr) > 0")" 0

expect_eq "the audit chain is intact" "$($CERTMINT_CLI audit verify 2>&1 | cut -d' ' -f1-3)" "audit chain intact"
done_testing
