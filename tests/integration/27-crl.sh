#!/bin/bash
# 27-crl.sh: certmint crl generate has signerd sign the CRL of the issuing CA (and of the root) and publishes it
# atomically as DER and PEM; stock OpenSSL verifies it, sees a certificate revoked in the portal with its reason, and
# refuses that certificate with -crl_check while a good one passes; the CRL number grows across revocations, signerd
# restarts and a database that forgot its CRLs; --if-stale coalesces; crl-sign is root's only; malformed frames are
# refused or dropped and the signer keeps serving.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI <<< "$CERTMINT_CLI"
PROBE="$CERTMINT_BUILD/tests/tools/crl-probe"
SOCK=$CERTMINT_SIGNER_SOCKET
T=$(mktemp -d /tmp/cm-27-crl.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x "$PROBE" ] || { fail "crl-probe built ($PROBE)"; done_testing; exit 1; }

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
CRL=$PUB/crl/issuing.crl
CHAIN=$CERTMINT_CA_PEM
# number FILE: the CRL number of a DER CRL, in decimal.
number() { openssl crl -inform DER -in "$1" -noout -crlnumber | sed 's/^crlNumber=//' | { read -r h; echo $((16#${h#0x})); }; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }

TAG=$$$RANDOM
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")

# ---- fixture: three certificates issued through the CLI: g stays good, r and s get revoked in the portal
declare -A ID
for k in g r s; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-out "$T/$k.csr" -subj "/CN=crl-$k-$TAG.demo.test" -addext "subjectAltName=DNS:crl-$k-$TAG.demo.test" 2>/dev/null
	run issue --profile tls-server --csr "$T/$k.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
	printf '%s\n' "$out" > "$T/$k.pem"
	ID[$k]=$(sql "SELECT id FROM certificates WHERE common_name = 'crl-$k-$TAG.demo.test' AND status = 'issued'")
done
expect_match "three issued certificates" "${ID[g]} ${ID[r]} ${ID[s]}" '^[0-9]+ [0-9]+ [0-9]+$'

# ---- usage
run crl --help
expect_eq "crl --help exits 0" "$rc" 0
expect_match "... and describes --if-stale" "$out" "--if-stale"
run crl generate stray
expect_eq "a stray argument exits 1" "$rc" 1

# ---- a first CRL, before any revocation of ours
run crl generate
expect_eq "crl generate exits 0" "$rc" 0
expect_match "... reporting the issuing CRL" "$out" "^issuing CRL number [0-9]+: [0-9]+ entries"
check "issuing.crl written" test -s "$CRL"
check "issuing.crl.pem written" test -s "$CRL.pem"
expect_eq "both world-readable (Apache serves them)" "$(stat -c %a "$CRL" "$CRL.pem" | tr '\n' ' ')" "644 644 "
check_not "no temporary file left" compgen -G "$PUB/crl/.*.tmp"
check "openssl crl -verify passes (DER)" openssl crl -inform DER -in "$CRL" -CAfile "$CHAIN" -noout -verify
cmp -s <(openssl crl -in "$CRL.pem" -outform DER) "$CRL"
expect_eq "the PEM is the same CRL" "$?" 0
cmp -s <(curl -s "$CERTMINT_URL/crl/issuing.crl") "$CRL"
expect_eq "Apache serves it at /crl/issuing.crl (the CRL Distribution Point)" "$?" 0
N1=$(number "$CRL")
expect_match "it has a CRL number" "$N1" '^[0-9]+$'
check_not "r is not listed yet" grep -q "$(serial_of "$T/r.pem")" <(openssl crl -inform DER -in "$CRL" -noout -text)
check "openssl verify -crl_check passes r before its revocation" \
	openssl verify -crl_check -CRLfile "$CRL.pem" -CAfile "$CHAIN" "$T/r.pem"
nu=$(openssl crl -inform DER -in "$CRL" -noout -nextupdate | sed 's/^nextUpdate=//')
lu=$(openssl crl -inform DER -in "$CRL" -noout -lastupdate | sed 's/^lastUpdate=//')
expect_eq "nextUpdate is thisUpdate + 24 h (next_update_hours default)" "$(( $(date -d "$nu" +%s) - $(date -d "$lu" +%s) ))" 86400
if [ -s "$PUB/crl/root.crl" ]; then
	check "the root's CRL verifies too" openssl crl -inform DER -in "$PUB/crl/root.crl" -CAfile "$CHAIN" -noout -verify
	expect_eq "... and is signed by the root" "$(openssl crl -inform DER -in "$PUB/crl/root.crl" -noout -issuer)" \
		"issuer=$(openssl x509 -in "$CHAIN" -noout -issuer | sed 's/^issuer=//')"
else
	fail "the stack's CA was made by ca-init, so the root key is in the vault and root.crl is written"
fi

# ---- revoke r in the portal (keyCompromise): the next CRL lists it with its reason
export KRB5_CONFIG
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
csrf=$(csrf)
post "/certificates/${ID[r]}/revoke" reason=keyCompromise "csrf=$csrf" > /dev/null
expect_eq "the portal revokes r (303)" "$(status)" 303
run crl generate --if-stale
expect_eq "--if-stale after a revocation regenerates (exit 0)" "$rc" 0
expect_match "... it says so" "$out" "^issuing CRL number"
N2=$(number "$CRL")
check "the CRL number increased across the revocation ($N1 -> $N2)" test "$N2" -gt "$N1"
check "openssl crl -verify passes" openssl crl -inform DER -in "$CRL" -CAfile "$CHAIN" -noout -verify
openssl crl -inform DER -in "$CRL" -noout -text > "$T/crl.txt"
SR=$(serial_of "$T/r.pem")
expect_match "r's serial is listed" "$(grep -A3 "Serial Number: $SR" "$T/crl.txt" | tr -d '\n')" "Serial Number: $SR"
expect_match "... with reason Key Compromise" "$(grep -A4 "Serial Number: $SR" "$T/crl.txt" | tr -d '\n')" "Key Compromise"
check_not "g is not listed" grep -q "$(serial_of "$T/g.pem")" "$T/crl.txt"
out=$(openssl verify -crl_check -CRLfile "$CRL.pem" -CAfile "$CHAIN" "$T/r.pem" 2>&1); rc=$?
check "openssl verify -crl_check fails for r" test "$rc" -ne 0
expect_match "... because it is revoked" "$out" "certificate revoked"
check "openssl verify -crl_check passes for g" openssl verify -crl_check -CRLfile "$CRL.pem" -CAfile "$CHAIN" "$T/g.pem"

# ---- --if-stale with nothing new does nothing; a burst of revocations makes one CRL
run crl generate --if-stale
expect_eq "--if-stale with no revocation since: exit 0" "$rc" 0
expect_match "... up to date" "$out" "up to date"
expect_eq "... and the CRL is unchanged" "$(number "$CRL")" "$N2"
csrf=$(csrf)
post "/certificates/${ID[s]}/revoke" reason=superseded "csrf=$csrf" > /dev/null
expect_eq "the portal revokes s (303)" "$(status)" 303
n_audit=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'crl.generate'")
run crl generate --if-stale
N3=$(number "$CRL")
check "one run covers the burst ($N2 -> $N3)" test "$N3" -gt "$N2"
expect_match "s listed as superseded" "$(openssl crl -inform DER -in "$CRL" -noout -text | grep -A4 "Serial Number: $(serial_of "$T/s.pem")" | tr -d '\n')" "Superseded"
expect_eq "one audit row per CRL (issuing + root)" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'crl.generate'")" "$((n_audit + 2))"
expect_eq "crl_state has the issuing CA's number" \
	"$(sql "SELECT s.crl_number FROM crl_state s JOIN ca_certs c ON c.id = s.issuer_id WHERE c.kind = 'issuing' ORDER BY c.id DESC LIMIT 1")" "$N3"
run crl generate --if-stale
expect_match "the next --if-stale is up to date again" "$out" "up to date"

# ---- an expired certificate leaves the CRL
sql "UPDATE certificates SET not_after = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE id = ${ID[s]}"
run crl generate
check_not "s is gone once past its notAfter" grep -q "$(serial_of "$T/s.pem")" <(openssl crl -inform DER -in "$CRL" -noout -text)
N4=$(number "$CRL")

# ---- the number survives a signer restart and a database that forgot every CRL
SIGNER_PID=$(signer_pid)
kill -TERM "$SIGNER_PID"
for _ in $(seq 100); do kill -0 "$SIGNER_PID" 2>/dev/null || break; sleep 0.05; done
check "signerd stopped" test ! -e "/proc/$SIGNER_PID"
tests/stack.sh up "$CERTMINT_STACK" > "$T/up.out" 2>&1
expect_eq "tests/stack.sh up brings signerd back" "$?" 0
sql "DELETE FROM crl_state"
run crl generate
expect_eq "crl generate after the restart exits 0" "$rc" 0
N5=$(number "$CRL")
check "the CRL number increased across the signer restart and the lost crl_state ($N4 -> $N5)" test "$N5" -gt "$N4"
expect_match "r is still listed" "$(openssl crl -inform DER -in "$CRL" -noout -text)" "Serial Number: $SR"
check "the signer's counter is next to its journal" test -s "$(dirname "$CERTMINT_JOURNAL")/crlnumber"

# ---- crl-sign is root's only ([access])
out=$(setpriv --reuid="$CERTMINT_ADMIN_FCGI_USER" --regid="$(stat -c %G "$SOCK")" --clear-groups \
	"$PROBE" -s "$SOCK" gen 1 2>&1)
expect_match "crl-sign as $CERTMINT_ADMIN_FCGI_USER is refused" "$out" \
	"^REFUSED: operation crl-sign not allowed for uid $(id -u "$CERTMINT_ADMIN_FCGI_USER")"

# ---- malformed requests: refused (stream still in step) or dropped (framing broken); the signer keeps serving
for c in entries-first bad-entry bad-step no-step read-past skew bad-issuer sign-twice; do
	out=$("$PROBE" -s "$SOCK" bad "$c" 2>&1)
	expect_match "crl-sign $c refused" "$out" "^REFUSED: "
done
out=$("$PROBE" -s "$SOCK" bad bad-entry 2>&1)
expect_match "... reason 7 named" "$out" "reason code 7"
out=$("$PROBE" -s "$SOCK" bad skew 2>&1)
expect_match "... thisUpdate far from now named" "$out" "this-update must be within a day"
out=$("$PROBE" -s "$SOCK" bad truncated 2>&1)
expect_eq "a truncated crl-sign frame drops the connection" "$out" "DROPPED"
out=$("$PROBE" -s "$SOCK" gen 1000 -o "$T/probe.crl" 2>&1)
expect_match "the signer still signs CRLs (1000 generated entries)" "$out" "^number=[0-9]+ entries=1000 "
check "... which verify" openssl crl -inform DER -in "$T/probe.crl" -CAfile "$CHAIN" -noout -verify
expect_eq "... listing 1000" "$(openssl crl -inform DER -in "$T/probe.crl" -noout -text | grep -c 'Serial Number:')" 1000

done_testing
