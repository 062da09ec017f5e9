#!/bin/bash
# autoenroll-clients.sh: checks the auto-enrollment clients without a stack: shell syntax (sh -n, dash -n), PowerShell syntax (tree-sitter's grammar), the portal's placeholders, the same client-side numbers everywhere, and the Linux script and certmonger helper against a mock of the endpoint (tests/clients/mock-autoenroll.py). Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1

SH=clients/certmint-autoenroll.sh
SUBMIT=clients/certmint-autoenroll-submit
PS=clients/certmint-autoenroll.ps1

# ---- syntax
for f in "$SH" "$SUBMIT"; do
	check "sh -n $f" sh -n "$f"
	check "dash -n $f (POSIX sh, no bashisms the parser sees)" dash -n "$f"
	expect_eq "$f starts with #!/bin/sh" "$(head -n 1 "$f")" "#!/bin/sh"
	check "$f is executable in the tree" test -x "$f"
done
# The parser must find errors, or a pass means nothing.
T=$(mktemp -d /tmp/cm-clients.XXXXXX)
MOCK_PID=""
CM_PID=""
cleanup() {
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
	# certmonger writes its state as it stops: wait for it, or it would
	# recreate files under $T after the rm.
	if [ -n "$CM_PID" ] && kill "$CM_PID" 2>/dev/null; then
		for _ in $(seq 50); do kill -0 "$CM_PID" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
if [ ! -d tests/clients/node_modules/web-tree-sitter ]; then
	( cd tests/clients && { npm ci --no-audit --no-fund --silent --ignore-scripts >/dev/null 2>&1 ||
		npm install --no-audit --no-fund --silent --ignore-scripts >/dev/null 2>&1; } )
fi
if [ -d tests/clients/node_modules/web-tree-sitter ]; then
	out=$(node tests/clients/ps-parse.mjs "$PS" 2>&1)
	if [ $? -eq 0 ]; then ok "$PS parses (tree-sitter PowerShell grammar)"; else fail "$PS parses"; printf '#   %s\n' "$out" | head -20; fi
	sed 's/^function Format-Serial(\[string\]\$Serial) {$/function Format-Serial([string]$Serial)/' "$PS" > "$T/broken.ps1"
	check_not "the PowerShell parser finds a function without its brace" node tests/clients/ps-parse.mjs "$T/broken.ps1"
else
	fail "npm could not install the PowerShell parser (tests/clients/package.json)"
fi

# ---- the PowerShell script by eye, made mechanical: what must be there.
ps=$(cat "$PS")
expect_match "$PS posts with the user's Kerberos credentials" "$ps" 'Invoke-WebRequest @params'
expect_match "$PS uses -UseDefaultCredentials" "$ps" 'UseDefaultCredentials = \$true'
expect_match "$PS makes the key with certreq -new" "$ps" 'certreq\.exe -new -q -user'
expect_match "$PS installs with certreq -accept" "$ps" 'certreq\.exe -accept -q -user'
expect_match "$PS logs to %TEMP%\\autoenroll.log" "$ps" "Join-Path \\\$env:TEMP 'autoenroll.log'"
expect_match "$PS reads AD with adsisearcher" "$ps" '\[adsisearcher\]'
expect_match "$PS exits with the number" "$ps" 'exit \$Code'
check_not "$PS has no Write-Host (a logon script has no console)" grep -q 'Write-Host' "$PS"

# ---- placeholders: each client carries each one once, as a quoted default.
for f in "$SH" "$SUBMIT" "$PS"; do
	for p in URL CUSTOMER ORGID; do
		expect_eq "$f has @CERTMINT_${p}@ once" "$(grep -c "'@CERTMINT_${p}@'" "$f")" 1
	done
done
for f in "$SH" "$PS"; do
	expect_eq "$f has @CERTMINT_DAYS@ once" "$(grep -c "'@CERTMINT_DAYS@'" "$f")" 1
done

# ---- the client-side numbers are the same in both scripts.
sh_codes=$(sed -n 's/^\t\(1[0-9][0-9]\)) echo "\(.*\)" ;;$/\1 \2/p' "$SH")
ps_codes=$(sed -n "s/^\t\(1[0-9][0-9]\) = '\(.*\)'\$/\1 \2/p" "$PS")
expect_eq "ten client-side conditions in $SH" "$(printf '%s\n' "$sh_codes" | grep -c .)" 10
expect_eq "$SH and $PS number the client-side conditions alike" "$sh_codes" "$ps_codes"
for m in "101 Cannot open the certificate store" "102 No e-mail in AD" "103 Timeout" "104 Cannot connect" \
	"105 Authentication error" "106 Install error"; do
	expect_match "the issue's condition: $m" "$sh_codes" "^$m\$"
done

# ---- the Linux script and the helper against the mock endpoint.
PORT=$(( 20000 + (($$ + RANDOM) % 20000) ))
M=$T/mock
mkdir -p "$M"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$M/ca.key" -out "$M/ca.pem" -subj /CN=mock-issuing -days 30 2>/dev/null
python3 tests/clients/mock-autoenroll.py "$PORT" "$M" 2> "$T/mock.log" & MOCK_PID=$!
up=0
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && { up=1; break; }; sleep 0.1; done
expect_eq "the mock endpoint answers on port $PORT" "$up" 1
unset CERTMINT_URL CERTMINT_CUSTOMER CERTMINT_ORGID CERTMINT_DAYS CERTMINT_EMAIL CERTMINT_CN KRB5CCNAME
run() { dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D "$T/store" -e alice@demo.test -n 'Alice Smith' "$@" 2> "$T/log"; }
nreq() { grep -c . "$M/requests.log" 2>/dev/null || echo 0; }

run; expect_eq "first run enrolls (exit 0)" "$?" 0
expect_eq "the key is 0600" "$(stat -c %a "$T/store/key.pem")" 600
expect_eq "the store directory is 0700" "$(stat -c %a "$T/store")" 700
serial1=$(cat "$T/store/serial")
expect_match "the serial is kept" "$serial1" '^[0-9A-F]+$'
expect_eq "cert.pem is the certificate with that serial" \
	"$(openssl x509 -in "$T/store/cert.pem" -noout -serial | sed 's/serial=0*//')" "$serial1"
expect_eq "chain.pem holds leaf and CA" "$(grep -c 'BEGIN CERTIFICATE' "$T/store/chain.pem")" 2
expect_match "the CSR carried the e-mail as emailAddress" "$(openssl req -in "$M/req.pem" -noout -subject)" 'emailAddress ?= ?alice@demo.test'
expect_match "... and as an rfc822Name SAN" "$(openssl req -in "$M/req.pem" -noout -text)" 'email:alice@demo.test'
expect_eq "one request (enroll)" "$(tail -n 1 "$M/requests.log")" "enroll - 30"
key1=$(sha256sum < "$T/store/key.pem")

run; expect_eq "second run: nothing due, exit 0" "$?" 0
expect_eq "it asked status only" "$(tail -n 1 "$M/requests.log")" "status $serial1 30"
expect_eq "the key is unchanged" "$(sha256sum < "$T/store/key.pem")" "$key1"
expect_match "the log says nothing to do" "$(cat "$T/log")" 'nothing to do'

run -d 100; expect_eq "--days above the validity renews (exit 0)" "$?" 0
serial2=$(cat "$T/store/serial")
expect_eq "status, then renew with the old serial" "$(tail -n 2 "$M/requests.log" | tr '\n' '|')" \
	"status $serial1 100|renew $serial1 100|"
check "a new serial" test "$serial2" != "$serial1"
check_not "a new key" test "$(sha256sum < "$T/store/key.pem")" = "$key1"
expect_eq "the new certificate fits the new key" \
	"$(openssl x509 -in "$T/store/cert.pem" -noout -pubkey)" "$(openssl pkey -in "$T/store/key.pem" -pubout)"

run --force; expect_eq "--force renews at once" "$?" 0
expect_eq "--force sends renew with days=3650" "$(tail -n 1 "$M/requests.log")" "renew $serial2 3650"
serial3=$(cat "$T/store/serial")

n=$(nreq); run --action status > "$T/out"
expect_eq "--action status exits 0" "$?" 0
expect_match "--action status prints result=valid" "$(cat "$T/out")" '^result=valid'
expect_eq "... with one request" "$(nreq)" $((n + 1))

dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D "$T/bob" -e bob@demo.test -n 'Alice Smith' 2> "$T/log"
expect_eq "another e-mail than AD's: certmint's 18 is the exit status" "$?" 18
expect_match "the log has certmint's message" "$(cat "$T/log")" 'error 18 Email in AD mismatch'
check_not "no key is left behind after a refusal" test -e "$T/bob/key.pem"
dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D "$T/nomail" -n 'Alice Smith' 2> "$T/log"
expect_eq "no e-mail: 102" "$?" 102
expect_match "102 says No e-mail in AD" "$(cat "$T/log")" 'error 102 No e-mail in AD'
dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D "$T/nocn" -e alice@demo.test 2> "$T/log"
expect_eq "no CN: 110" "$?" 110
dash "$SH" -c demo -D "$T/x" -e a@b.c -n A 2> "$T/log"
expect_eq "no URL: 107" "$?" 107
dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D "$T/x" -e a@b.c -n A -d 0 2> "$T/log"
expect_eq "--days 0: 107" "$?" 107
dash "$SH" -u "http://127.0.0.1:1" -c demo -D "$T/x" -e alice@demo.test -n 'Alice Smith' 2> "$T/log"
expect_eq "nothing listening: 104 Cannot connect" "$?" 104
dash "$SH" -u "http://127.0.0.1:$PORT" -c demo -D /proc/1/nonexistent -e alice@demo.test -n 'Alice Smith' 2> "$T/log"
expect_eq "a store that cannot be made: 101" "$?" 101
touch "$M/answer-slow"
run --timeout 1; expect_eq "no answer within --timeout: 103 Timeout" "$?" 103
rm -f "$M/answer-slow"
touch "$M/answer-401"
run; expect_eq "Apache's 401 (no ticket): 105 Authentication error" "$?" 105
rm -f "$M/answer-401"
touch "$M/answer-503"
run; expect_eq "certmint's 13 (AD unreachable) is the exit status" "$?" 13
rm -f "$M/answer-503"
expect_eq "the held certificate survived the failures" "$(cat "$T/store/serial")" "$serial3"

# The portal fills the placeholders: a filled copy needs no options.
sed -e "s|'@CERTMINT_URL@'|'http://127.0.0.1:$PORT'|" -e "s|'@CERTMINT_CUSTOMER@'|'demo'|" \
	-e "s|'@CERTMINT_DAYS@'|'100'|" "$SH" > "$T/filled.sh"
dash "$T/filled.sh" -D "$T/store" -e alice@demo.test -n 'Alice Smith' 2> "$T/log"
expect_eq "a filled copy runs without -u/-c" "$?" 0
expect_eq "... and uses the filled days" "$(grep -v '^renew' "$M/requests.log" | tail -n 1)" "status $serial3 100"

# ---- the certmonger helper, as certmonger runs it.
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/cm.key" -subj '/CN=Alice Smith/emailAddress=alice@demo.test' \
	-out "$T/cm.csr" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/cm2.key" -subj '/CN=Bob/emailAddress=bob@demo.test' \
	-out "$T/cm2.csr" 2>/dev/null
helper() { env "$@" dash "$SUBMIT" -u "http://127.0.0.1:$PORT" -c demo > "$T/hout" 2> "$T/herr"; }
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")"
expect_eq "SUBMIT: exit 0" "$?" 0
expect_eq "SUBMIT: the leaf and chain on stdout" "$(grep -c 'BEGIN CERTIFICATE' "$T/hout")" 2
expect_eq "SUBMIT: the leaf first, for certmonger's key" \
	"$(openssl x509 -in "$T/hout" -noout -pubkey)" "$(openssl pkey -in "$T/cm.key" -pubout)"
expect_eq "SUBMIT without a certificate is enroll" "$(tail -n 1 "$M/requests.log")" "enroll - 3650"
cp "$T/hout" "$T/cm.crt"
cmserial=$(openssl x509 -in "$T/cm.crt" -noout -serial | sed 's/serial=0*//')
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")" CERTMONGER_CERTIFICATE="$(cat "$T/cm.crt")"
expect_eq "SUBMIT with CERTMONGER_CERTIFICATE: exit 0" "$?" 0
expect_eq "... sent as renew with its serial" "$(tail -n 1 "$M/requests.log")" "renew $cmserial 3650"
cp "$T/hout" "$T/cm3.crt"
env CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")" CERTMONGER_CERTIFICATE="$(cat "$T/cm3.crt")" \
	dash "$SUBMIT" -u "http://127.0.0.1:$PORT/customer/demo/autoenroll" -d 10 > "$T/hout"
expect_eq "renew with -d while more days are left: exit 5 (wait)" "$?" 5
expect_match "... with a delay and a cookie" "$(tr '\n' ' ' < "$T/hout")" '^[0-9]+ renew [0-9A-F]+ $'
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm2.csr")"
expect_eq "a refused request: exit 2" "$?" 2
expect_match "... with certmint's numbered message" "$(cat "$T/hout")" '18 Email in AD mismatch'
env CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")" dash "$SUBMIT" -u http://127.0.0.1:1 -c demo > "$T/hout"
expect_eq "unreachable: exit 3" "$?" 3
touch "$M/answer-503"
helper CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")"
expect_eq "certmint's 503 (13): exit 3, retry" "$?" 3
rm -f "$M/answer-503"
env CERTMONGER_OPERATION=SUBMIT CERTMONGER_CSR="$(cat "$T/cm.csr")" dash "$SUBMIT" > "$T/hout"
expect_eq "no URL: exit 4 (underconfigured)" "$?" 4
helper CERTMONGER_OPERATION=GET-DEFAULT-TEMPLATE
expect_eq "GET-DEFAULT-TEMPLATE: client-smime" "$(cat "$T/hout")" client-smime
helper CERTMONGER_OPERATION=IDENTIFY
expect_match "IDENTIFY names the endpoint" "$(cat "$T/hout")" "/customer/demo/autoenroll"
helper CERTMONGER_OPERATION=GET-NEW-REQUEST-REQUIREMENTS
expect_eq "GET-NEW-REQUEST-REQUIREMENTS: exit 0" "$?" 0
helper CERTMONGER_OPERATION=SOMETHING-NEW
expect_eq "an unknown operation: exit 6" "$?" 6

# ---- certmonger itself with the helper: a private daemon on its own socket
# (no system bus), its state under $T.
export CERTMONGER_CAS_DIR=$T/cm/cas CERTMONGER_REQUESTS_DIR=$T/cm/requests CERTMONGER_LOCAL_CA_DIR=$T/cm/local \
	CERTMONGER_TMPDIR=$T/cm/tmp CERTMONGER_CONFIG_DIR=$T/cm/config CERTMONGER_SYSTEM_LOCK_FILE=$T/cm/lock \
	CERTMONGER_PVT_ADDRESS=unix:path=$T/cm/sock
mkdir -p "$T/cm/cas" "$T/cm/requests" "$T/cm/local" "$T/cm/tmp" "$T/cm/config" "$T/cm/out"
setsid certmonger -L -n -P "$T/cm/sock" -p "$T/cm/pid" > "$T/cm/log" 2>&1 < /dev/null & CM_PID=$!
for _ in $(seq 50); do [ -S "$T/cm/sock" ] && break; sleep 0.1; done
check "certmonger listens on its private socket" test -S "$T/cm/sock"
check "getcert add-ca -e the helper" getcert add-ca -c certmint \
	-e "$ROOT/$SUBMIT -u http://127.0.0.1:$PORT -c demo -l $T/cm/helper.log"
cm_status() { getcert list -f "$T/cm/out/cert.pem" | sed -n 's/^[[:space:]]*status: //p'; }
getcert request -c certmint -f "$T/cm/out/cert.pem" -k "$T/cm/out/key.pem" -N "CN=Alice Smith" \
	-E alice@demo.test -w --wait-timeout 30 > /dev/null 2>&1
expect_eq "getcert request through the helper: MONITORING" "$(cm_status)" MONITORING
c1=$(openssl x509 -in "$T/cm/out/cert.pem" -noout -serial 2>/dev/null | sed 's/serial=0*//')
expect_match "certmonger saved the certificate" "$c1" '^[0-9A-F]+$'
getcert resubmit -f "$T/cm/out/cert.pem" -w --wait-timeout 30 > /dev/null 2>&1
expect_eq "getcert resubmit: MONITORING" "$(cm_status)" MONITORING
c2=$(openssl x509 -in "$T/cm/out/cert.pem" -noout -serial 2>/dev/null | sed 's/serial=0*//')
check "... with a new certificate" test "$c2" != "$c1"
expect_eq "... asked for as a renewal of the old one" "$(tail -n 1 "$M/requests.log")" "renew $c1 3650"
getcert request -c certmint -f "$T/cm/out/bob.pem" -k "$T/cm/out/bob.key" -N "CN=Bob" -E bob@demo.test \
	-w --wait-timeout 30 > /dev/null 2>&1
expect_match "a refused request: CA_REJECTED with certmint's message" \
	"$(getcert list -f "$T/cm/out/bob.pem" | tr '\n' ' ')" 'status: CA_REJECTED.*18 Email in AD mismatch'
done_testing
