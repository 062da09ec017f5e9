#!/bin/bash
# 38b-autoenroll-clients.sh: the auto-enrollment clients against the real thing (a stack --with-ad: Samba AD, Apache with GSSAPI, autoenroll.fcgi): with alice's Kerberos ticket the Linux script enrolls (e-mail and CN read from AD over SASL GSSAPI), a second run does nothing, a --days beyond the validity renews and the old certificate is revoked as superseded (also in OCSP); no ticket is 105; the certmonger helper run by hand submits (certificate on stdout), is refused with certmint's message (exit 2) and retries an unreachable URL (exit 3); certmonger itself (private socket, no system bus) enrolls through `getcert add-ca -e` and renews with `getcert resubmit`. Skips when the stack has no AD or no autoenroll endpoint.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
[ -n "${CERTMINT_AD_REALM:-}" ] || skip_all "the stack has no AD (tests/stack.sh up DIR --with-ad)"
[ -n "${CERTMINT_AUTOENROLL_URL:-}" ] || skip_all "stack.env has no CERTMINT_AUTOENROLL_URL"

T=$(mktemp -d /tmp/cm-38b-clients.XXXXXX)
CM_PID=""
cleanup() {
	# certmonger writes its state as it stops: wait for it, or it would
	# recreate files under $T after the rm.
	if [ -n "$CM_PID" ] && kill "$CM_PID" 2>/dev/null; then
		for _ in $(seq 50); do kill -0 "$CM_PID" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -rf "$T"
}
trap cleanup EXIT

CLIENT=${CERTMINT_AUTOENROLL_CLIENT:-$PWD/clients/certmint-autoenroll.sh}
SUBMIT=$PWD/clients/certmint-autoenroll-submit
EXEC=${CERTMINT_AD_EXEC:-}
export KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG
export KRB5CCNAME=FILE:$T/alice.cc
# The clients read CERTMINT_URL and CERTMINT_CUSTOMER too (stack.env's are
# the admin base URL and customer): the test gives them everything itself.
BASE_URL=$CERTMINT_URL
CUSTOMER=$CERTMINT_CUSTOMER
unset CERTMINT_URL CERTMINT_CUSTOMER CERTMINT_ORGID CERTMINT_DAYS CERTMINT_EMAIL CERTMINT_CN
read -ra CLI <<< "$CERTMINT_CLI"
princ() { case $1 in *@*) echo "$1" ;; *) echo "$1@$CERTMINT_AD_REALM" ;; esac; }
ALICE=$(princ "$CERTMINT_AD_USER")
# serial_hex as certmint stores it: 32 lowercase hex digits.
norm() { tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | norm; }
cert_row() { sql "SELECT status, IFNULL(revocation_reason, '-') FROM certificates WHERE serial_hex = '$1'" | tr '\t' ' '; }

# The endpoint must be there (autoenroll.fcgi answers with its code even
# without a ticket: 401 from Apache has none, so ask with a ticket).
printf '%s\n' "$CERTMINT_AD_PASSWORD" | $EXEC kinit "$ALICE" > /dev/null 2>&1
probe=$($EXEC curl -s --negotiate -u : -D - -o /dev/null --data action=status "$CERTMINT_AUTOENROLL_URL" | tr -d '\r')
if ! grep -qi '^X-Autoenroll-Code:' <<< "$probe"; then
	echo "# $(head -n 1 <<< "$probe")"
	skip_all "no autoenroll.fcgi answers at $CERTMINT_AUTOENROLL_URL"
fi
check "kinit $ALICE with CERTMINT_AD_KRB5_CONFIG" klist -s

# What AD says about alice, read the way the tests' own ldapsearch does.
DC=${CERTMINT_AD_URI:-ldap://$CERTMINT_AD_DC_IP}
BASE=${CERTMINT_AD_BASE_DN:-$(tr 'A-Z' 'a-z' <<< "$CERTMINT_AD_REALM" | sed 's/^/DC=/; s/\./,DC=/g')}
$EXEC ldapsearch -LLL -Q -Y GSSAPI -N -o ldif_wrap=no -H "$DC" -b "$BASE" "(sAMAccountName=${ALICE%@*})" mail cn \
	> "$T/alice.ldif" 2> "$T/ldap.err"
AD_MAIL=$(sed -n 's/^mail: //p' "$T/alice.ldif" | head -n 1)
AD_CN=$(sed -n 's/^cn: //p' "$T/alice.ldif" | head -n 1)
expect_match "alice has mail in AD" "$AD_MAIL" '@'
[ -n "$AD_CN" ] && ok "alice has a cn in AD ($AD_CN)" || fail "alice has a cn in AD: $(head -n 2 "$T/ldap.err")"

# ---- the Linux script
lin() { $EXEC "$CLIENT" --url "$CERTMINT_AUTOENROLL_URL" --dir "$T/store" --log "$T/client.log" "$@" 2> "$T/err"; }
n0=$(sql "SELECT COUNT(*) FROM certificates WHERE email = '$AD_MAIL'")
lin --ldap-uri "$DC"; rc=$?
expect_eq "the Linux script enrolls alice (e-mail and CN from AD), exit 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" | tail -n 5
S1=$(serial_of "$T/store/cert.pem" 2>/dev/null)
expect_match "cert.pem holds a certificate" "$S1" '^[0-9a-f]{32}$'
subj=$(openssl x509 -in "$T/store/cert.pem" -noout -subject -nameopt utf8,sep_multiline 2>/dev/null)
expect_match "its CN is AD's cn" "$subj" "CN=$AD_CN\$"
expect_match "its e-mail is AD's mail" "$(openssl x509 -in "$T/store/cert.pem" -noout -ext subjectAltName 2>/dev/null)" \
	"email:$AD_MAIL"
expect_eq "the key is 0600" "$(stat -c %a "$T/store/key.pem" 2>/dev/null)" 600
expect_eq "chain.pem: leaf, issuing CA, root" "$(grep -c 'BEGIN CERTIFICATE' "$T/store/chain.pem" 2>/dev/null)" 3
check "the chain verifies against certmint's CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/store/cert.pem"
expect_eq "certmint holds it as issued" "$(cert_row "$S1")" "issued -"
expect_eq "one certificate more for alice's e-mail" "$(sql "SELECT COUNT(*) FROM certificates WHERE email = '$AD_MAIL'")" $((n0 + 1))

lin --email "$AD_MAIL" --cn "$AD_CN"; rc=$?
expect_eq "a second run exits 0" "$rc" 0
expect_match "... and does nothing (valid)" "$(cat "$T/err")" 'nothing to do'
expect_eq "... no new certificate" "$(sql "SELECT COUNT(*) FROM certificates WHERE email = '$AD_MAIL'")" $((n0 + 1))
expect_eq "... the same certificate in the store" "$(serial_of "$T/store/cert.pem")" "$S1"

lin --email "$AD_MAIL" --cn "$AD_CN" --days 3650; rc=$?
expect_eq "--days 3650 (beyond the validity) renews, exit 0" "$rc" 0
S2=$(serial_of "$T/store/cert.pem")
check "a new certificate in the store" test "$S2" != "$S1"
expect_eq "the new one is issued" "$(cert_row "$S2")" "issued -"
expect_eq "the old one is revoked as superseded (4)" "$(cert_row "$S1")" "revoked 4"
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
"${CLI[@]}" ocsp refresh > /dev/null 2>&1
ocsp=$(openssl ocsp -issuer "$PUB/ca/issuing.crt" -CAfile "$CERTMINT_CA_PEM" -url "$BASE_URL/ocsp" \
	-serial "0x$S1" 2>&1)
expect_match "OCSP says the old one is revoked (superseded)" "$(tr '\n' ' ' <<< "$ocsp")" "0x$S1: revoked.*Reason: superseded"

KRB5CCNAME=FILE:$T/nobody.cc lin --email "$AD_MAIL" --cn "$AD_CN"; rc=$?
expect_eq "without a ticket: 105 Authentication error" "$rc" 105

lin --email "bob-$AD_MAIL" --cn "$AD_CN" --force; rc=$?
expect_eq "another e-mail than AD's: certmint's 18" "$rc" 18
expect_match "... logged with certmint's message" "$(tail -n 1 "$T/client.log")" 'error 18 Email in AD mismatch'
expect_eq "... the certificate in the store is kept" "$(serial_of "$T/store/cert.pem")" "$S2"

# carol has no mail in AD: read from AD, the client stops before any request
# (102); told an address anyway, certmint answers 16.
if [ -n "${CERTMINT_AD_NOMAIL_USER:-}" ]; then
	export KRB5CCNAME=FILE:$T/carol.cc
	printf '%s\n' "$CERTMINT_AD_NOMAIL_PASSWORD" | $EXEC kinit "$(princ "$CERTMINT_AD_NOMAIL_USER")" > /dev/null 2>&1
	$EXEC "$CLIENT" --url "$CERTMINT_AUTOENROLL_URL" --dir "$T/carol" --ldap-uri "$DC" 2> "$T/err"; rc=$?
	expect_eq "carol (no mail in AD) read from AD: client-side 102" "$rc" 102
	expect_match "... 'No e-mail in AD'" "$(cat "$T/err")" 'error 102 No e-mail in AD'
	$EXEC "$CLIENT" --url "$CERTMINT_AUTOENROLL_URL" --dir "$T/carol" --email "carol@${AD_MAIL#*@}" --cn carol \
		2> "$T/err"; rc=$?
	expect_eq "carol with an address of her own: certmint's 16 No valid Email in AD" "$rc" 16
	export KRB5CCNAME=FILE:$T/alice.cc
fi

# The second customer's realm (its own KDC and DC, a simple bind): the
# same script with that customer's URL.
if [ -n "${CERTMINT_AUTOENROLL_URL_2:-}" ] && [ -n "${CERTMINT_AD_USER_2:-}" ]; then
	KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG_2 KRB5CCNAME=FILE:$T/alice2.cc sh -c \
		'printf "%s\n" "$1" | kinit "$2"' - "$CERTMINT_AD_PASSWORD_2" "$(princ "$CERTMINT_AD_USER_2")" > /dev/null 2>&1
	KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG_2 KRB5CCNAME=FILE:$T/alice2.cc $EXEC "$CLIENT" --url "$CERTMINT_AUTOENROLL_URL_2" \
		--dir "$T/store2" --email "$CERTMINT_AD_USER_MAIL_2" --cn "$CERTMINT_AD_USER_CN_2" 2> "$T/err"; rc=$?
	expect_eq "realm 2: alice@$CERTMINT_AD_REALM_2 enrolls at the second customer's URL" "$rc" 0
	expect_match "... a certificate for her realm-2 address" \
		"$(openssl x509 -in "$T/store2/cert.pem" -noout -ext subjectAltName 2>/dev/null)" "email:$CERTMINT_AD_USER_MAIL_2"
fi

# ---- the certmonger helper, run by hand as certmonger runs it
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/h.key" -out "$T/h.csr" -utf8 \
	-subj "/CN=$AD_CN/emailAddress=$AD_MAIL" -addext "subjectAltName=email:$AD_MAIL" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/b.key" -out "$T/b.csr" -utf8 \
	-subj "/CN=$AD_CN/emailAddress=x$AD_MAIL" -addext "subjectAltName=email:x$AD_MAIL" 2>/dev/null
helper() { env "$@" $EXEC "$SUBMIT" -u "$CERTMINT_AUTOENROLL_URL" > "$T/hout" 2> "$T/herr"; }
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/h.csr")"; rc=$?
expect_eq "helper SUBMIT: exit 0" "$rc" 0
expect_eq "... the certificate for certmonger's key first on stdout" \
	"$(openssl x509 -in "$T/hout" -noout -pubkey 2>/dev/null)" "$(openssl pkey -in "$T/h.key" -pubout)"
H1=$(serial_of "$T/hout")
expect_eq "... issued in certmint" "$(cert_row "$H1")" "issued -"
cp "$T/hout" "$T/h.crt"
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/h.csr")" CERTMONGER_CERTIFICATE="$(cat "$T/h.crt")"; rc=$?
expect_eq "helper SUBMIT with CERTMONGER_CERTIFICATE (renewal): exit 0" "$rc" 0
expect_eq "... the certificate it renewed is superseded" "$(cert_row "$H1")" "revoked 4"
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/b.csr")"; rc=$?
expect_eq "helper, e-mail not AD's: exit 2 (rejected)" "$rc" 2
expect_match "... with certmint's numbered message" "$(cat "$T/hout")" '18 Email in AD mismatch'
env CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/h.csr")" $EXEC "$SUBMIT" \
	-u "http://localhost:1/customer/$CUSTOMER/autoenroll" > "$T/hout" 2>&1; rc=$?
expect_eq "helper, unreachable URL: exit 3 (retry)" "$rc" 3

# ---- certmonger itself: a private daemon on its own socket (no system
# bus), its state under $T, the helper added with getcert add-ca -e.
export CERTMONGER_CAS_DIR=$T/cm/cas CERTMONGER_REQUESTS_DIR=$T/cm/requests CERTMONGER_LOCAL_CA_DIR=$T/cm/local \
	CERTMONGER_TMPDIR=$T/cm/tmp CERTMONGER_CONFIG_DIR=$T/cm/config CERTMONGER_SYSTEM_LOCK_FILE=$T/cm/lock \
	CERTMONGER_PVT_ADDRESS=unix:path=$T/cm/sock
mkdir -p "$T/cm/cas" "$T/cm/requests" "$T/cm/local" "$T/cm/tmp" "$T/cm/config" "$T/cm/out"
setsid $EXEC certmonger -L -n -P "$T/cm/sock" -p "$T/cm/pid" > "$T/cm/log" 2>&1 < /dev/null & CM_PID=$!
for _ in $(seq 50); do [ -S "$T/cm/sock" ] && break; sleep 0.1; done
check "certmonger listens on its private socket" test -S "$T/cm/sock"
check "getcert add-ca -c certmint -e certmint-autoenroll-submit" getcert add-ca -c certmint \
	-e "$SUBMIT -u $CERTMINT_AUTOENROLL_URL -C $KRB5CCNAME -l $T/cm/helper.log"
getcert request -c certmint -f "$T/cm/out/cert.pem" -k "$T/cm/out/key.pem" -N "CN=$AD_CN" -E "$AD_MAIL" \
	-w --wait-timeout 60 > "$T/cm/request.out" 2>&1
cm_status() { getcert list -f "$T/cm/out/cert.pem" | sed -n 's/^[[:space:]]*status: //p'; }
expect_eq "getcert request through the helper: MONITORING" "$(cm_status)" MONITORING
[ "$(cm_status)" = MONITORING ] || { getcert list -f "$T/cm/out/cert.pem" | sed 's/^/#   /'; tail -n 5 "$T/cm/helper.log" | sed 's/^/#   /'; }
C1=$(serial_of "$T/cm/out/cert.pem" 2>/dev/null)
expect_eq "certmonger's certificate is issued in certmint" "$(cert_row "$C1")" "issued -"
expect_match "... for alice's e-mail" "$(openssl x509 -in "$T/cm/out/cert.pem" -noout -ext subjectAltName 2>/dev/null)" \
	"email:$AD_MAIL"
getcert resubmit -f "$T/cm/out/cert.pem" -w --wait-timeout 60 > "$T/cm/resubmit.out" 2>&1
expect_eq "getcert resubmit: MONITORING again" "$(cm_status)" MONITORING
C2=$(serial_of "$T/cm/out/cert.pem" 2>/dev/null)
check "... with a new certificate" test "$C2" != "$C1"
expect_eq "... issued in certmint" "$(cert_row "$C2")" "issued -"
expect_eq "... and the one it replaced is superseded" "$(cert_row "$C1")" "revoked 4"
expect_match "the helper sent the renewal as action=renew" "$(cat "$T/cm/helper.log")" "action=renew serial="
done_testing
