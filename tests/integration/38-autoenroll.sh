#!/bin/bash
# 38-autoenroll.sh: Windows domain auto-enrollment against a real Samba AD (tests/stack.sh up DIR --with-ad):
# alice's Kerberos ticket (curl --negotiate through Apache) gets an S/MIME certificate whose e-mail and CN come
# from AD, chained to the CA, with her person row synced; every numbered error a server-side condition can
# trigger (2, 3, 4, 5, 6, 10, 13 disabled/unreachable, 15, 16, 18, 19, 20, 21, 22, 24, 25, 27, 29, and Apache's
# own 401 without a ticket); renewal inside `days` supersedes (the old one revoked in OCSP), status valid/due,
# a retried renewal gets no third certificate; the second customer's realm side by side; the
# audit rows. A disabled account gets no ticket from the KDC, and a realm's ticket is accepted only at its own
# customer's Location: those two conditions go to the program's socket directly, as Apache would pass them.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
if [ -z "${CERTMINT_AD_REALM:-}" ] || [ -z "${CERTMINT_AUTOENROLL_URL:-}" ]; then
	ok "# skip the stack was not started with --with-ad"
	done_testing
	exit 0
fi
T=$(mktemp -d /tmp/cm-38-ae.XXXXXX)
tag=$$$RANDOM
FCGI_CALL=${CERTMINT_BUILD:-$PWD/_build/plain}/tests/tools/fcgi-call
SOCK=${CERTMINT_AUTOENROLL_SOCKET:-$CERTMINT_STACK/run/autoenroll.sock}
AE=$CERTMINT_AUTOENROLL_URL
AE2=${CERTMINT_AUTOENROLL_URL_2:-}
CUST=$CERTMINT_CUSTOMER
CUST2=$(printf '%s' "$AE2" | sed -n 's|.*/customer/\([^/]*\)/autoenroll$|\1|p')
cid=$(sql "SELECT id FROM customers WHERE uri = '$CUST'")
cid2=$(sql "SELECT id FROM customers WHERE uri = '${CUST2:-none}'")
REALM=$CERTMINT_AD_REALM
DOMAIN=${CERTMINT_AD_DOMAIN:-$(printf '%s' "$REALM" | tr 'A-Z' 'a-z')}
srv=$(sql "SELECT id FROM ad_servers WHERE customer_id = $cid AND domain = '$DOMAIN' AND deleted_at IS NULL ORDER BY id LIMIT 1")
srv_uris=$(sql "SELECT ldap_uris FROM ad_servers WHERE id = ${srv:-0}")
org=$(sql "SELECT id FROM organizations WHERE customer_id = $cid AND ad_server_id = ${srv:-0} AND deleted_at IS NULL ORDER BY id LIMIT 1")
other_org=$(sql "SELECT id FROM organizations WHERE customer_id = $cid AND deleted_at IS NULL AND id <> ${org:-0} AND (ad_server_id IS NULL OR ad_server_id <> ${srv:-0}) ORDER BY id LIMIT 1")
org2=$(sql "SELECT id FROM organizations WHERE customer_id = ${cid2:-0} AND deleted_at IS NULL ORDER BY id LIMIT 1")
norealm=ae-norealm-$tag
cleanup() {
	sql "UPDATE customers SET enabled = 1 WHERE id = ${cid:-0};
	     UPDATE ad_servers SET ldap_uris = '$srv_uris' WHERE id = ${srv:-0} AND '$srv_uris' <> '';
	     UPDATE organizations SET ad_server_id = NULL WHERE id = ${other_org:-0} AND ad_server_id = ${srv:-0};
	     UPDATE domains SET validation_state = 'validated' WHERE customer_id = ${cid:-0} AND name = '$DOMAIN' AND validation_state = 'pending';
	     DELETE FROM customers WHERE uri = '$norealm'" > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

check "the stack has the AD server, its organisation and the realm" test -n "$srv" -a -n "$org"
check "autoenroll.fcgi listens" test -S "$SOCK"

# AD's own view of a user (ldapsearch with the stack's simple-bind account over StartTLS, apart from
# certmint's own LDAP code): attr PRINCIPAL ATTRIBUTE [2 for the second DC].
attr() {
	local sfx=${3:+_$3}
	local uri bdn pw base ca
	uri=$(eval echo "\$CERTMINT_AD_URI$sfx"); bdn=$(eval echo "\$CERTMINT_AD_BIND_DN$sfx")
	pw=$(eval echo "\$CERTMINT_AD_BIND_PASSWORD$sfx"); base=$(eval echo "\$CERTMINT_AD_USERS_BASE_DN$sfx")
	ca=$(eval echo "\$CERTMINT_AD_CA$sfx")
	LDAPTLS_CACERT=$ca ldapsearch -LLL -x -ZZ -H "$uri" -D "$bdn" -w "$pw" -b "$base" "(sAMAccountName=${1%@*})" "$2" \
		2>/dev/null | sed -n "s/^$2: //p" | head -n 1
}
A_MAIL=$(attr "$CERTMINT_AD_USER" mail)
A_CN=$(attr "$CERTMINT_AD_USER" cn)
B_MAIL=$(attr "$CERTMINT_AD_USER2" mail)
check "AD answers for alice (mail $A_MAIL, cn $A_CN)" test -n "$A_MAIL" -a -n "$A_CN"

# Tickets, each in its own cache (the KDC is not measured or asked again).
export KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG
kin() { printf '%s\n' "$3" | KRB5CCNAME=FILE:$T/$1.cc kinit "$2" > "$T/kinit.$1" 2>&1; }
kin alice "$CERTMINT_AD_USER" "$CERTMINT_AD_PASSWORD" || fail "kinit alice"
kin bob "$CERTMINT_AD_USER2" "$CERTMINT_AD_PASSWORD2" || fail "kinit bob"
kin carol "$CERTMINT_AD_NOMAIL_USER" "$CERTMINT_AD_NOMAIL_PASSWORD" || fail "kinit carol"
check_not "the disabled account gets no ticket" kin dave "$CERTMINT_AD_DISABLED_USER" "$CERTMINT_AD_DISABLED_PASSWORD"

# ae WHO [URL] -- FIELD=VALUE...: one POST with WHO's ticket (WHO "-": no ticket); status, headers, body in files.
ae() {
	local who=$1 url=$AE; shift
	if [ "${1:-}" != -- ]; then url=$1; shift; fi
	shift
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	if [ "$who" = - ]; then
		curl -s -D "$T/headers" -o "$T/body" -w '%{http_code}' "${args[@]}" "$url" > "$T/status"
	else
		KRB5CCNAME=FILE:$T/$who.cc curl -s --negotiate -u : -D "$T/headers" -o "$T/body" -w '%{http_code}' \
			"${args[@]}" "$url" > "$T/status"
	fi
}
# direct PRINCIPAL CUSTOMER FIELD=VALUE...: straight to the program's socket with REMOTE_USER (as Apache passes it).
direct() {
	local u=$1 c=$2 args=() f; shift 2
	for f in "$@"; do args+=(-e "$f"); done
	"$FCGI_CALL" -s "$SOCK" -U "$u" -D "$T/headers" -o "$T/body" "${args[@]}" "/customer/$c/autoenroll" > "$T/status"
}
code_of() { header X-Autoenroll-Code; }
expect() {
	expect_eq "$1: HTTP $2" "$(status)" "$2"
	expect_eq "$1: code $3" "$(code_of)" "$3"
	expect_eq "$1: its message" "$(sed -n 's/^message=//p' "$T/body")" "$4"
}
kv() { sed -n "s/^$1=//p" "$T/body"; }
certs() { sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cid"; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
mkcsr() { openssl req -new -newkey "${3:-rsa:2048}" -nodes -keyout "$T/$1.key" -subj "$2" -out "$T/$1.csr" 2>/dev/null; }

# bob must look as if he never enrolled (an earlier run on the same stack may have made his person row).
sql "UPDATE persons SET deleted_at = UTC_TIMESTAMP() WHERE customer_id = $cid AND email = '$B_MAIL' AND deleted_at IS NULL"
mkcsr alice "/CN=$A_CN/emailAddress=$A_MAIL"
mkcsr alice2 "/CN=$A_CN/emailAddress=$A_MAIL"
mkcsr alice3 "/CN=$A_CN/emailAddress=$A_MAIL"
mkcsr bobmail "/CN=$A_CN/emailAddress=$B_MAIL"
mkcsr badcn "/CN=Not $A_CN/emailAddress=$A_MAIL"
mkcsr weak "/CN=$A_CN/emailAddress=$A_MAIL" rsa:1024
mkcsr carol "/CN=Carol/emailAddress=carol@$DOMAIN"
mkcsr bob "/CN=$(attr "$CERTMINT_AD_USER2" cn)/emailAddress=$B_MAIL"

# --- Apache's part: no ticket, and a customer without a Kerberos Location
ae - -- action=status
expect_eq "no ticket: Apache answers 401" "$(status)" 401
expect_eq "... before autoenroll.fcgi (no X-Autoenroll-Code)" "$(code_of)" ""
sql "INSERT INTO customers (uri, name, enabled) VALUES ('$norealm', 'No realm $tag', 1)"
ae alice "${AE%/customer/*}/customer/$norealm/autoenroll" -- action=status
expect "a customer without a realm (no Location, no REMOTE_USER)" 401 27 "Invalid remote user"
ae alice "${AE%/customer/*}/customer/nosuch$tag/autoenroll" -- action=status
expect "unknown customer" 404 2 "Customer invalid"

# --- alice enrolls
c0=$(certs)
ae alice -- csr@"$T/alice.csr"
expect "alice enrolls" 200 0 ""
expect_eq "... result issued" "$(header X-Autoenroll-Result)" issued
expect_match "... a certs-only PKCS#7" "$(header Content-Type)" '^application/pkcs7-mime; smime-type=certs-only'
openssl pkcs7 -inform DER -in "$T/body" -print_certs -out "$T/alice.chain.pem" 2>/dev/null
awk '/BEGIN CERT/{n++} n==1' "$T/alice.chain.pem" > "$T/alice.crt"
S1=$(serial_of "$T/alice.crt")
expect_eq "... X-Autoenroll-Serial is the certificate's" "$(header X-Autoenroll-Serial)" "$S1"
expect_eq "... leaf, issuing CA and root" "$(grep -c 'BEGIN CERT' "$T/alice.chain.pem")" 3
expect_eq "... its e-mail is AD's" "$(openssl x509 -in "$T/alice.crt" -noout -email)" "$A_MAIL"
expect_match "... its CN is AD's" "$(openssl x509 -in "$T/alice.crt" -noout -subject -nameopt RFC2253)" "CN=$A_CN"
check "... it chains to the CA" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/alice.crt"
expect_match "... an S/MIME certificate" "$(openssl x509 -in "$T/alice.crt" -noout -ext extendedKeyUsage)" 'E-mail Protection'
expect_eq "... one row more" "$(certs)" $((c0 + 1))
expect_eq "... the person synced from AD" \
	"$(sql "SELECT CONCAT_WS('|', p.principal_name, p.org_id, c.status) FROM certificates c JOIN persons p ON p.id = c.person_id WHERE c.serial_hex = '$S1'")" \
	"$CERTMINT_AD_USER|$org|issued"
expect_eq "... requested by the principal" "$(sql "SELECT requested_by FROM certificates WHERE serial_hex = '$S1'")" \
	"$CERTMINT_AD_USER"
expect_eq "... audit row autoenroll.enroll by alice" \
	"$(sql "SELECT actor FROM audit_log WHERE customer_id = $cid AND action = 'autoenroll.enroll' AND after_json LIKE '%$S1%'")" \
	"$CERTMINT_AD_USER"
ae alice -- csr@"$T/alice.csr" format=pem
expect "the same request again (format=pem)" 200 0 ""
expect_eq "... the same certificate, not a second" "$(header X-Autoenroll-Serial)" "$S1"
expect_eq "... as a PEM chain" "$(header Content-Type)" "application/pem-certificate-chain"
expect_eq "... no row more" "$(certs)" $((c0 + 1))

# --- status and renew
ae alice -- action=status serial="$S1"
expect "status, plenty of days left" 200 0 Success
expect_eq "... result=valid" "$(kv result)" valid
expect_match "... not_after in ISO 8601" "$(kv not_after)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
ae alice -- action=status serial="$S1" days=3650
expect_eq "status with days beyond its term: due" "$(kv result)" due
ae alice -- action=renew serial="$S1" csr@"$T/alice2.csr"
expect_eq "renew outside days: valid, nothing issued" "$(kv result)" valid
expect_eq "... no row more" "$(certs)" $((c0 + 1))
ae alice -- action=renew serial="$S1" csr@"$T/alice2.csr" days=3650 format=pem
expect "renew inside days" 200 0 ""
expect_eq "... result renewed" "$(header X-Autoenroll-Result)" renewed
S2=$(header X-Autoenroll-Serial)
awk '/BEGIN CERT/{n++} n==1' "$T/body" > "$T/alice2.crt"
check "... a new certificate" test -n "$S2" -a "$S2" != "$S1"
expect_eq "... the old one revoked as superseded" \
	"$(sql "SELECT CONCAT_WS('|', status, revocation_reason) FROM certificates WHERE serial_hex = '$S1'")" "revoked|4"
expect_eq "... the new one renews it" \
	"$(sql "SELECT n.renews_id = o.id FROM certificates n JOIN certificates o ON o.serial_hex = '$S1' WHERE n.serial_hex = '$S2'")" 1
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
ocsp=$(openssl ocsp -issuer "$PUB/ca/issuing.crt" -CAfile "$CERTMINT_CA_PEM" -url "$CERTMINT_URL/ocsp" \
	-cert "$T/alice.crt" 2>&1)
expect_match "... OCSP says revoked" "$ocsp" ': revoked'
expect_match "... superseded" "$ocsp" 'Reason: superseded'
n1=$(certs)
ae alice -- action=renew serial="$S1" csr@"$T/alice2.csr" days=3650
expect_eq "the same renewal again: the same new certificate" "$(header X-Autoenroll-Serial)" "$S2"
ae alice -- action=renew serial="$S1" csr@"$T/alice3.csr" days=3650
expect_eq "a renewal of the old serial with another key: valid (the client holds the new one)" "$(kv result)" valid
expect_eq "... naming the new serial" "$(kv serial)" "$S2"
expect_eq "... no third certificate" "$(certs)" "$n1"
ae alice -- action=status
expect_eq "status without serial: the newest certificate" "$(kv serial)" "$S2"

# --- the directory unreachable (a dead port; the edit of the server row also makes the workers' cached
# answers from it miss).
c1=$(certs)
sql "UPDATE ad_servers SET ldap_uris = 'ldap://127.0.0.1:1' WHERE id = $srv"
ae bob -- csr@"$T/bob.csr"
expect "AD unreachable" 503 13 "Failed to get adserver or attributes"
expect_eq "... nothing issued" "$(certs)" "$c1"
sql "UPDATE ad_servers SET ldap_uris = '$srv_uris' WHERE id = $srv"
ae bob -- action=status
expect "AD back: bob is found (and has never enrolled)" 404 22 "Unknown person for processStatus"

# --- a refusal after the person sync writes nothing but the audit row: bob's CSR with the key of alice's
# live certificate (S2) passes the AD checks and the person sync; the lifecycle refuses the duplicate key.
openssl req -new -key "$T/alice2.key" -subj "/CN=$(attr "$CERTMINT_AD_USER2" cn)/emailAddress=$B_MAIL" \
	-out "$T/bobdup.csr" 2>/dev/null
c1=$(certs)
ae bob -- csr@"$T/bobdup.csr"
expect "bob's CSR with the key of alice's certificate" 400 15 "Invalid CSR"
expect_eq "... nothing issued" "$(certs)" "$c1"
expect_eq "... and no person row for bob (the person sync was rolled back)" \
	"$(sql "SELECT COUNT(*) FROM persons WHERE customer_id = $cid AND email = '$B_MAIL' AND deleted_at IS NULL")" 0

# --- refusals a server-side condition triggers
ae alice -- csr@"$T/bobmail.csr"
expect "bob's e-mail in alice's CSR" 403 18 "Email in AD mismatch"
ae alice -- csr@"$T/badcn.csr"
expect "a CN that is not AD's" 403 19 "User Name in AD mismatch"
ae carol -- csr@"$T/carol.csr"
expect "carol has no mail in AD" 403 16 "No valid Email in AD"
direct "$CERTMINT_AD_DISABLED_USER" "$CUST" csr@"$T/alice.csr"
expect "dave's account is disabled" 403 13 "Failed to get adserver or attributes"
check "... the log says account disabled" grep -rqs "account disabled" "$CERTMINT_LOG_DIR"
ae alice -- csr@"$T/weak.csr"
expect "an RSA-1024 key" 400 15 "Invalid CSR"
ae alice -- action=enroll
expect "no CSR" 400 29 "No request supplied"
ae alice -- action=revoke
expect "an unknown action" 400 21 "Invalid status supplied"
ae alice -- action=status serial=not-hex
expect "a malformed serial" 400 24 "Invalid serial number supplied"
foreign=$(sql "SELECT serial_hex FROM certificates WHERE customer_id = $cid AND status = 'issued' AND (person_id IS NULL OR person_id <> (SELECT person_id FROM certificates WHERE serial_hex = '$S1')) LIMIT 1")
if [ -n "$foreign" ]; then
	ae alice -- action=status serial="$foreign"
	expect "a serial of someone else's certificate" 404 25 "Failed to get cert"
fi
ae alice -- action=status serial=0123456789abcdef0123456789abcdef
expect "a serial of no certificate" 404 25 "Failed to get cert"
ae bob -- action=status
expect "status of someone who never enrolled" 404 22 "Unknown person for processStatus"
sql "INSERT INTO persons (customer_id, org_id, email) VALUES ($cid, $org, '$B_MAIL')"
ae bob -- action=status
expect "status from a person an administrator added, never synced" 403 28 "No synchronized person"
sql "DELETE FROM persons WHERE customer_id = $cid AND email = '$B_MAIL' AND principal_name IS NULL"
ae alice -- csr@"$T/alice3.csr" orgid="${org2:-999999999}"
expect "orgid of another customer" 400 6 "Supplied orgid invalid"
if [ -n "$other_org" ]; then
	sql "UPDATE organizations SET ad_server_id = $srv WHERE id = $other_org"
	ae alice -- csr@"$T/alice3.csr" orgid="$other_org"
	expect "an organisation the e-mail domain is not delegated to" 403 5 "Domain unauthorized"
	sql "UPDATE organizations SET ad_server_id = NULL WHERE id = $other_org"
fi
sql "UPDATE domains SET validation_state = 'pending' WHERE customer_id = $cid AND name = '$DOMAIN'"
ae alice -- csr@"$T/alice3.csr"
expect "the e-mail domain is no validated domain of the customer" 403 4 "No matched domain"
sql "UPDATE domains SET validation_state = 'validated' WHERE customer_id = $cid AND name = '$DOMAIN'"
sql "UPDATE customers SET enabled = 0 WHERE id = $cid"
ae alice -- action=status
expect "the customer disabled" 403 3 "Customer disabled"
sql "UPDATE customers SET enabled = 1 WHERE id = $cid"
pid=$(sql "SELECT person_id FROM certificates WHERE serial_hex = '$S1'")
sql "UPDATE persons SET principal_name = 'someone@$REALM' WHERE id = $pid"
ae alice -- action=status
expect "the person row is bound to another principal" 403 20 "Person mismatch"
sql "UPDATE persons SET principal_name = '$CERTMINT_AD_USER' WHERE id = $pid"
if [ -n "$cid2" ]; then
	direct "$CERTMINT_AD_USER_2" "$CUST" action=status
	expect "the second customer's realm at the first customer's URL" 403 10 "Windows domain mismatch"
fi
expect_eq "refusals write nothing but their audit row (no person for carol)" \
	"$(sql "SELECT COUNT(*) FROM persons WHERE customer_id = $cid AND principal_name = '$CERTMINT_AD_NOMAIL_USER'")" 0

# --- the second customer, its own realm, side by side
if [ -n "$cid2" ] && [ -n "${CERTMINT_AD2_REALM:-}" ]; then
	export KRB5_CONFIG=${CERTMINT_AD_KRB5_CONFIG_2:-$CERTMINT_AD_KRB5_CONFIG}
	kin alice2r "$CERTMINT_AD_USER_2" "$CERTMINT_AD_PASSWORD_2" || fail "kinit $CERTMINT_AD_USER_2"
	M2=$(attr "$CERTMINT_AD_USER_2" mail 2)
	C2=$(attr "$CERTMINT_AD_USER_2" cn 2)
	mkcsr second "/CN=$C2/emailAddress=$M2"
	ae alice2r "$AE2" -- csr@"$T/second.csr"
	expect "$CERTMINT_AD_USER_2 enrolls at the second customer" 200 0 ""
	expect_eq "... the certificate is the second customer's" \
		"$(sql "SELECT customer_id FROM certificates WHERE serial_hex = '$(header X-Autoenroll-Serial)'")" "$cid2"
	ae alice "$AE2" -- action=status
	expect_eq "... while the first realm's ticket is not taken there" "$(status)" 401
	export KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG
fi
ae alice -- action=status
expect_eq "the first customer still answers alice" "$(kv result)" valid

done_testing
