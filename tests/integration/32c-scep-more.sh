#!/bin/bash
# 32c-scep-more.sh: scep.fcgi leftovers of issue 10: a RenewalReq that waits for manual approval supersedes the
# certificate it renews once approved in the portal (revoked in the database and in OCSP, or kept when the
# organisation says so); the customer-wide lockout (SCEPD_LOCK_CUSTOMER wrong challenges from many addresses) refuses
# even a right challenge, audited; GetCRL refuses a CRL over one signer frame (CM_SCEP_MAX_CRL) with badRequest and a
# log line pointing at the CRL distribution point. Leaves the shared stack as it found it.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-32c-scep.XXXXXX)
# shellcheck disable=SC2034 # read by get/post in tests/lib.sh
URL=$CERTMINT_URL/admin
SCEP=$CERTMINT_SCEP_URL
FORGE=$CERTMINT_BUILD/tests/tools/scep-forge
root_sql() { mariadb --defaults-file="$CERTMINT_DB_DEFAULTS" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"; }
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
MORG=""
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
CRL=$PUB/crl/issuing.crl
# The wrong challenges this test plants come from TEST-NET-1 (RFC 5737),
# which no client of the stack uses; this host's own are cleared as in 32-scep.
clear_failures() {
	root_sql "DELETE FROM scep_challenge_failures WHERE remote_addr IN ('127.0.0.1', '::1')
		OR (customer_id = $CUST AND remote_addr LIKE '192.0.2.%')"
}
MREVOKE=""
CRL_SAVED=""
cleanup() {
	clear_failures
	[ -n "$MREVOKE" ] && root_sql "UPDATE organizations SET client_revoke_superseded = $MREVOKE WHERE id = $MORG"
	[ -n "$CRL_SAVED" ] && mv -f "$T/issuing.crl.saved" "$CRL"
	rm -rf "$T"
}
trap cleanup EXIT
clear_failures

TAG=$$$RANDOM
ncerts() { sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST"; }
naudit() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1'"; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
last_log() { tail -n 1 "$CERTMINT_LOG_DIR/scep.log"; }
curl -s -o "$T/ca.p7" "$SCEP?operation=GetCACert"
openssl pkcs7 -inform DER -in "$T/ca.p7" -print_certs 2>/dev/null | awk '/BEGIN CERT/{n++} n==1' > "$T/ra.pem"
openssl x509 -in "$T/ra.pem" -outform DER -out "$T/ra.der"
# send MSG.der [KEY CERT.der]: POSTs it; the CertRep's "status=N failInfo=N ..." in $rep (certificates in $T/got.pem)
send() {
	curl -s -H 'Content-Type: application/x-pki-message' --data-binary "@$1" -o "$T/rep.der" \
		"$SCEP?operation=PKIOperation"
	rm -f "$T/got.pem"
	if [ $# -ge 3 ]; then
		rep=$("$FORGE" rep --ra "$T/ra.der" --key "$2" --cert "$3" "$T/rep.der" -o "$T/got.pem" 2>&1)
	else
		rep=$("$FORGE" rep --ra "$T/ra.der" "$T/rep.der" 2>&1)
	fi
}
# approve ID: alice approves certificate request ID in the portal
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
approve() {
	local token
	token=$(csrf "/certificates/$1")
	post "/certificates/$1/approve" "csrf=$token" > /dev/null
}
# ocsp_of CERT.pem: the stack's OCSP answer for it
ocsp_of() {
	openssl ocsp -issuer "$PUB/ca/issuing.crt" -CAfile "$CERTMINT_CA_PEM" -url "$CERTMINT_URL/ocsp" -cert "$1" 2>&1 | tr '\n' ' '
}

# ---- a pending RenewalReq supersedes the certificate it renews when approved
DOMM=$CERTMINT_EMAIL_DOMAIN_MANUAL
# enroll_manual NAME: a certificate of the Manual Organisation (PKCSReq, PENDING, approved) in $T/NAME.der/.pem,
# its row id in $ID
enroll_manual() {
	local n=$1 tid pid
	openssl genrsa -out "$T/$n.key" 2048 2>/dev/null
	tid=$("$FORGE" req --ra "$T/ra.der" --key "$T/$n.key" --subject "/CN=$n-$TAG@$DOMM/emailAddress=$n-$TAG@$DOMM" \
		--challenge "$CERTMINT_ACCESS_CODE_MANUAL" --cert-out "$T/$n.self" -o "$T/$n.msg" | sed -n 's/^tid=\([^ ]*\).*/\1/p')
	send "$T/$n.msg"
	pid=$(sql "SELECT certificate_id FROM scep_transactions WHERE customer_id = $CUST AND transaction_id = '$tid'")
	approve "${pid:-0}"
	sql "SELECT HEX(der) FROM certificates WHERE id = ${pid:-0} AND status = 'issued'" | xxd -r -p > "$T/$n.der"
	openssl x509 -inform DER -in "$T/$n.der" -out "$T/$n.pem" 2>/dev/null
	ID=$pid
}
# renew_pending NAME: a RenewalReq signed with $T/NAME's certificate for a new key: PENDING expected; the new
# row in $NID, the transactionID in $RTID, the poll message in $T/NAME-poll.msg
renew_pending() {
	local n=$1
	openssl genrsa -out "$T/$n-new.key" 2048 2>/dev/null
	openssl req -new -key "$T/$n-new.key" -subj "/CN=$n-$TAG@$DOMM/emailAddress=$n-$TAG@$DOMM" -outform DER \
		-out "$T/$n-new.csr"
	RTID=$("$FORGE" req --ra "$T/ra.der" --key "$T/$n.key" --cert "$T/$n.der" --csr "$T/$n-new.csr" --type 17 \
		-o "$T/$n-renew.msg" | sed -n 's/^tid=\([^ ]*\).*/\1/p')
	send "$T/$n-renew.msg"
	NID=$(sql "SELECT certificate_id FROM scep_transactions WHERE customer_id = $CUST AND message_type = 17
		AND transaction_id LIKE '%:$RTID'")
	"$FORGE" req --ra "$T/ra.der" --key "$T/$n.key" --cert "$T/$n.der" --csr "$T/$n-new.csr" --type 20 \
		--tid "$RTID" -o "$T/$n-poll.msg" > /dev/null
}

MORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Manual Organisation' AND deleted_at IS NULL")
MREVOKE=$(sql "SELECT client_revoke_superseded FROM organizations WHERE id = $MORG")
root_sql "UPDATE organizations SET client_revoke_superseded = 1 WHERE id = $MORG"

enroll_manual old
OLD=$ID
expect_eq "a Manual Organisation certificate, approved in the portal" "$(sql "SELECT status FROM certificates WHERE id = ${OLD:-0}")" issued
renew_pending old
expect_match "its RenewalReq waits for approval: PENDING" "$rep" '^status=3 '
expect_eq "... a 'requested' row that renews it" \
	"$(sql "SELECT CONCAT_WS('|', status, renews_id) FROM certificates WHERE id = ${NID:-0}")" "requested|$OLD"
expect_eq "... the old certificate still issued meanwhile" "$(sql "SELECT status FROM certificates WHERE id = $OLD")" issued
r0=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$OLD'")
approve "${NID:-0}"
expect_eq "alice approves the renewal: issued" "$(sql "SELECT status FROM certificates WHERE id = ${NID:-0}")" issued
expect_eq "... the old certificate is revoked as superseded (reason 4)" \
	"$(sql "SELECT CONCAT_WS('|', status, revocation_reason) FROM certificates WHERE id = $OLD")" "revoked|4"
expect_eq "... with its audit row" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$OLD'")" "$((r0 + 1))"
expect_match "... which names the certificate superseding it" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$OLD' ORDER BY id DESC LIMIT 1")" \
	"\"superseded_by\":${NID:-x}[,}]"
expect_match "... and the issue row says what it supersedes" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.issue' AND object_id = '${NID:-0}' ORDER BY id DESC LIMIT 1")" \
	"\"supersedes\":${OLD}[,}]"
expect_match "... OCSP says the old one is revoked, superseded" "$(ocsp_of "$T/old.pem")" ': revoked.*Reason: superseded'
send "$T/old-poll.msg" "$T/old.key" "$T/old.der"
expect_match "the device's CertPoll then gets the new certificate: SUCCESS" "$rep" '^status=0 '
expect_eq "... the approved one" "$(serial_of "$T/got.pem" 2>/dev/null)" "$(sql "SELECT serial_hex FROM certificates WHERE id = ${NID:-0}")"

# The organisation keeps renewed certificates: the approval revokes nothing.
root_sql "UPDATE organizations SET client_revoke_superseded = 0 WHERE id = $MORG"
enroll_manual keep
KEEP=$ID
renew_pending keep
expect_match "with client_revoke_superseded off, a pending RenewalReq: PENDING" "$rep" '^status=3 '
approve "${NID:-0}"
expect_eq "... approved: issued" "$(sql "SELECT status FROM certificates WHERE id = ${NID:-0}")" issued
expect_eq "... the old certificate stays issued" "$(sql "SELECT status FROM certificates WHERE id = ${KEEP:-0}")" issued
expect_match "... and OCSP says it is good" "$(ocsp_of "$T/keep.pem")" ': good'
root_sql "UPDATE organizations SET client_revoke_superseded = $MREVOKE WHERE id = $MORG"
MREVOKE=""

# ---- the customer-wide lockout: many addresses' wrong challenges lock the customer out
# X-Forwarded-For is not trusted, so many addresses are what their rows would
# be: SCEPD_LOCK_CUSTOMER - 1 planted from TEST-NET-1 addresses, one short.
DOM=$CERTMINT_EMAIL_DOMAIN
lock_req() {
	openssl genrsa -out "$T/$1.key" 2048 2>/dev/null
	"$FORGE" req --ra "$T/ra.der" --key "$T/$1.key" --subject "/CN=$1-$TAG@$DOM/emailAddress=$1-$TAG@$DOM" \
		--challenge "$2" --cert-out "$T/$1.self" -o "$T/$1.msg" > /dev/null
}
plant() {
	local i vals=""
	for i in $(seq "$1" "$2"); do vals="$vals${vals:+,}($CUST, '192.0.2.$i', UTC_TIMESTAMP())"; done
	root_sql "INSERT INTO scep_challenge_failures (customer_id, remote_addr, failed_at) VALUES $vals"
}
# Rows another test left against the customer count too: planted up to 49.
had=$(sql "SELECT COUNT(*) FROM scep_challenge_failures WHERE customer_id = $CUST
	AND failed_at > UTC_TIMESTAMP() - INTERVAL 15 MINUTE")
[ "$had" -lt 49 ] && plant 1 $((49 - had))
lock_req below "$CERTMINT_ACCESS_CODE"
send "$T/below.msg" "$T/below.key" "$T/below.self"
expect_match "49 wrong challenges against the customer (one short): the right code is still issued" "$rep" '^status=0 '
plant 50 50
[ "$had" -gt 49 ] && diag "$had wrong challenges were already counted against the customer"
l0=$(naudit scep.locked_out)
c0=$(ncerts)
lock_req locked "$CERTMINT_ACCESS_CODE"
send "$T/locked.msg"
expect_match "50 from many addresses: even the right code is refused, FAILURE badRequest" "$rep" '^status=2 failInfo=2 '
expect_match "... logged as a customer lockout" "$(last_log)" 'rule lockout: customer locked out: 0 wrong challenges from this address, [0-9]+ against the customer'
expect_eq "... audited as scep.locked_out" "$(naudit scep.locked_out)" "$((l0 + 1))"
expect_match "... whose row counts the customer's failures" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'scep.locked_out' ORDER BY id DESC LIMIT 1")" "\"by_customer\":$((had > 49 ? had + 1 : 50))[,}]"
expect_eq "... no certificate" "$(ncerts)" "$c0"
expect_eq "... and nothing counted against this address (the code was not even looked at)" \
	"$(sql "SELECT COUNT(*) FROM scep_challenge_failures WHERE remote_addr IN ('127.0.0.1', '::1')")" 0
clear_failures
send "$T/locked.msg" "$T/locked.key" "$T/locked.self"
expect_match "once the failures age out, the same request is issued" "$rep" '^status=0 '

# ---- GetCRL: a CRL over one signer frame is refused, pointing at the distribution point
"$FORGE" req --ra "$T/ra.der" --key "$T/locked.key" --cert "$T/locked.self" --subject /CN=x --type 22 \
	--serial 01 -o "$T/crl.msg" > /dev/null
send "$T/crl.msg"
expect_match "GetCRL with the stack's CRL: SUCCESS" "$rep" '^status=0 '
cp -p "$CRL" "$T/issuing.crl.saved" && CRL_SAVED=1
# CM_SCEP_MAX_CRL (lib/signer_proto.h) + 1 bytes: the size alone refuses it.
head -c $((512 * 1024 + 1)) /dev/zero > "$CRL.tmp" && mv -f "$CRL.tmp" "$CRL"
send "$T/crl.msg"
expect_match "a CRL of 512 KiB + 1 byte: FAILURE badRequest" "$rep" '^status=2 failInfo=2 '
expect_match "... logged with the rule crl" "$(last_log)" 'FAILURE failInfo 2, rule crl: .*524289 bytes'
check "... and a line telling the operator to point devices at the CRL distribution point" \
	grep -q "GetCRL.*524289 bytes.*CRL distribution point" "$CERTMINT_LOG_DIR/scep.log"
mv -f "$T/issuing.crl.saved" "$CRL" && CRL_SAVED=""
send "$T/crl.msg"
expect_match "the CRL back: GetCRL SUCCESS again" "$rep" '^status=0 '

expect_eq "the audit chain is intact" "$($CERTMINT_CLI audit verify 2>&1 | cut -d' ' -f1-3)" "audit chain intact"
done_testing
