#!/bin/bash
# 29-ocsp.sh: ocsp.fcgi at /ocsp answers stock `openssl ocsp` over POST and GET (http, the AIA URL, and https): good,
# revoked with reason and time within seconds of a revocation in the portal, unknown for a serial never issued, with and
# without nonce, SHA-1 and SHA-256 CertIDs, two CertIDs at once; malformedRequest for garbage and over-long bodies,
# unauthorized for another issuer, tryLater when a live answer cannot be signed; the pre-signed store answers without
# signerd, a damaged store file or a missing .state falls back to a live answer; RFC 5019 caching headers on GET.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-29-ocsp.XXXXXX)
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }
cleanup() {
	# Never leave the stack's signer stopped or its store without .state.
	[ -f "$T/state.saved" ] && [ ! -f "$STORE/.state" ] && cp "$T/state.saved" "$STORE/.state"
	kill -0 "$(signer_pid)" 2>/dev/null || tests/stack.sh up "$CERTMINT_STACK" > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
STORE=$(sed -n '/^\[ocsp\]/,/^\[/s/^store = //p' "$CERTMINT_CONF")
ISS=$PUB/ca/issuing.crt
CHAIN=$CERTMINT_CA_PEM
OCSP=$CERTMINT_URL/ocsp
# serial_hex as certmint stores it: 32 lowercase hex digits (openssl drops a
# leading zero byte, which one serial in 128 has).
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
# ask ARGS...: stock openssl ocsp against the responder; its whole output in $out.
ask() { out=$(openssl ocsp -issuer "$ISS" -CAfile "$CHAIN" -url "$OCSP" "$@" 2>&1); }
# raw_post FILE: POSTs FILE's bytes; the body in $T/raw.out, headers in $T/raw.h.
raw_post() {
	curl -s -D "$T/raw.h" -o "$T/raw.out" -H 'Content-Type: application/ocsp-request' --data-binary "@$1" "$OCSP"
}
hexof() { od -An -tx1 "$1" | tr -d ' \n'; }
hdr() { grep -i "^$1:" "$T/raw.h" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
# still_serving: a good answer right after whatever came before.
still_serving() { ask -cert "$T/g.pem" -no_nonce; expect_match "... and the responder keeps serving ($1)" "$out" "g.pem: good"; }
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

TAG=$$$RANDOM
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")

# ---- fixture: g stays good, r is revoked in the portal, h is issued after the store was filled
declare -A ID
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-out "$T/$1.csr" -subj "/CN=ocsp-$1-$TAG.demo.test" -addext "subjectAltName=DNS:ocsp-$1-$TAG.demo.test" 2>/dev/null
	run issue --profile tls-server --csr "$T/$1.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
	printf '%s\n' "$out" > "$T/$1.pem"
	ID[$1]=$(sql "SELECT id FROM certificates WHERE common_name = 'ocsp-$1-$TAG.demo.test' AND status = 'issued'")
}
issue g
issue r
expect_match "two issued certificates" "${ID[g]} ${ID[r]}" '^[0-9]+ [0-9]+$'
check "ocsp.fcgi runs" test -S "$CERTMINT_OCSP_SOCKET"

# ---- good, with a nonce (openssl sends one and checks the echo), signed by the delegated responder
ask -cert "$T/g.pem" -resp_text
expect_match "good over POST at the AIA URL (http)" "$out" "g.pem: good"
expect_match "... Response verify OK" "$out" "Response verify OK"
check_not "... the nonce came back (no nonce warning)" grep -qi "WARNING.*nonce" <<< "$out"
expect_match "... the response carries a nonce" "$out" "OCSP Nonce"
expect_match "... signed by a responder certificate with EKU OCSP Signing" "$out" "OCSP Signing"
expect_match "... and id-pkix-ocsp-nocheck" "$out" "OCSP No Check"
expect_match "... named by key hash" "$out" "Responder Id: [0-9A-F]{40}"
tu=$(sed -n 's/^[[:space:]]*This Update: //p' <<< "$out" | head -n 1)
nu=$(sed -n 's/^[[:space:]]*Next Update: //p' <<< "$out" | head -n 1)
expect_eq "... nextUpdate is thisUpdate + 24 h (signerd's validity)" \
	"$(( $(date -d "$nu" +%s) - $(date -d "$tu" +%s) ))" 86400

# ---- without nonce, SHA-256, unknown
ask -cert "$T/g.pem" -no_nonce -resp_text
expect_match "good without nonce" "$out" "g.pem: good"
check_not "... and no nonce in the response" grep -q "OCSP Nonce" <<< "$out"
expect_match "... Response verify OK" "$out" "Response verify OK"
ask -sha256 -cert "$T/g.pem" -no_nonce -resp_text
expect_match "a SHA-256 CertID: good" "$out" "g.pem: good"
expect_match "... answered for the SHA-256 CertID" "$out" "Hash Algorithm: sha256"
expect_match "... Response verify OK" "$out" "Response verify OK"
ask -serial 0x0123456789abcdef0123456789abcdef
expect_match "a serial never issued: unknown" "$out" "0x0123456789abcdef0123456789abcdef: unknown"
expect_match "... Response verify OK" "$out" "Response verify OK"
ask -serial 0x0102030405060708090a0b0c0d0e0f1011 -no_nonce
expect_match "a 17-byte serial (not certmint's form): unknown" "$out" ": unknown"

# ---- https too
curl -s --cacert "$CHAIN" -o "$T/https.resp" -H 'Content-Type: application/ocsp-request' \
	--data-binary @<(openssl ocsp -issuer "$ISS" -cert "$T/g.pem" -no_nonce -reqout /dev/stdout 2>/dev/null) \
	"$CERTMINT_HTTPS_URL/ocsp"
out=$(openssl ocsp -respin "$T/https.resp" -issuer "$ISS" -CAfile "$CHAIN" -cert "$T/g.pem" 2>&1)
expect_match "good over https" "$out" "g.pem: good"

# ---- the pre-signed store: filled by certmint ocsp refresh, answers without signerd
run ocsp refresh
expect_eq "certmint ocsp refresh exits 0" "$rc" 0
SG=$(serial_of "$T/g.pem")
SR=$(serial_of "$T/r.pem")
check "g has a store file" test -s "$STORE/$SG"
check "r has a store file" test -s "$STORE/$SR"
check "the store has its watermark" test -s "$STORE/.state"
cp "$STORE/.state" "$T/state.saved"
issue h
sleep 1.2   # the workers' next revocation poll
SIGNER_PID=$(signer_pid)
kill -TERM "$SIGNER_PID"
for _ in $(seq 100); do kill -0 "$SIGNER_PID" 2>/dev/null || break; sleep 0.05; done
check "signerd stopped" test ! -e "/proc/$SIGNER_PID"
ok_all=1
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ask -cert "$T/g.pem" -no_nonce
	grep -q "g.pem: good" <<< "$out" && grep -q "Response verify OK" <<< "$out" || ok_all=0
done
expect_eq "signerd down: g (stored) is still good, 10 times of 10 (every worker serves the store)" "$ok_all" 1
ask -cert "$T/h.pem" -no_nonce
expect_match "signerd down, h has no store file: tryLater" "$out" "Responder Error: trylater \(3\)"
ask -cert "$T/g.pem"
expect_match "signerd down, a nonce needs a live answer: tryLater" "$out" "Responder Error: trylater \(3\)"
mv "$STORE/.state" "$T/state.moved"
sleep 1.2
ask -cert "$T/g.pem" -no_nonce
expect_match "no .state: the store is not trusted (live: tryLater with signerd down)" "$out" "Responder Error: trylater \(3\)"
mv "$T/state.moved" "$STORE/.state"
sleep 1.2
ask -cert "$T/g.pem" -no_nonce
expect_match ".state back: the store answers again" "$out" "g.pem: good"
tests/stack.sh up "$CERTMINT_STACK" > "$T/up.out" 2>&1
expect_eq "tests/stack.sh up brings signerd back" "$?" 0
ask -cert "$T/h.pem" -no_nonce
expect_match "h answered live once signerd is back: good" "$out" "h.pem: good"

# ---- a damaged store file: the answer comes from the database instead
cp "$STORE/$SG" "$T/g.stored"
printf 'CMOCSP1\ngarbage' > "$STORE/$SG"
ask -cert "$T/g.pem" -no_nonce
expect_match "a damaged store file: still good (live)" "$out" "g.pem: good"
expect_match "... Response verify OK" "$out" "Response verify OK"
cp "$T/g.stored" "$STORE/$SG"

# ---- revocation in the portal: seen within seconds although r's store file says good
export KRB5_CONFIG
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
csrf=$(csrf)
t0=$(date +%s.%N)
post "/certificates/${ID[r]}/revoke" reason=keyCompromise "csrf=$csrf" > /dev/null
expect_eq "the portal revokes r (303)" "$(status)" 303
seen=""
for _ in $(seq 50); do
	ask -cert "$T/r.pem" -no_nonce -resp_text
	if grep -q "r.pem: revoked" <<< "$out"; then seen=$(date +%s.%N); break; fi
	sleep 0.1
done
delay=$(python3 -c "print(round(${seen:-0} - $t0, 2))")
diag "revocation visible over OCSP after $delay s"
check "r is revoked over OCSP within 5 s of the portal's revocation (it took $delay s)" \
	python3 -c "import sys; sys.exit(0 if 0 < $delay <= 5 else 1)"
expect_match "... with reason keyCompromise" "$out" "Reason: keyCompromise"
expect_match "... and its revocation time" "$out" "Revocation Time: "
rt=$(sed -n 's/^[[:space:]]*Revocation Time: //p' <<< "$out" | head -n 1)
db_rt=$(sql "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', revoked_at) FROM certificates WHERE id = ${ID[r]}")
expect_eq "... equal to the database's revoked_at" "$(date -d "$rt" +%s)" "$db_rt"
expect_match "... Response verify OK" "$out" "Response verify OK"
check "r's store file still says good (the refresh has not run)" \
	test "$(od -An -tu1 -j24 -N1 "$STORE/$SR" | tr -d ' ')" = 0
ask -cert "$T/r.pem"
expect_match "revoked with a nonce too" "$out" "r.pem: revoked"

# ---- two CertIDs in one request
ask -cert "$T/g.pem" -cert "$T/r.pem" -no_nonce
expect_match "two CertIDs: g good" "$out" "g.pem: good"
expect_match "... and r revoked" "$out" "r.pem: revoked"
expect_match "... one verified response" "$out" "Response verify OK"
run ocsp refresh
ask -cert "$T/r.pem" -no_nonce
expect_match "after the next refresh r is revoked from its store file" "$out" "r.pem: revoked"

# ---- GET (RFC 5019): URL-encoded base64, caching headers
openssl ocsp -issuer "$ISS" -cert "$T/g.pem" -no_nonce -reqout "$T/g.req" > /dev/null 2>&1
B64=$(base64 -w0 "$T/g.req")
curl -s -D "$T/get.h" -o "$T/get.resp" "$OCSP/$(urlenc "$B64")"
expect_match "GET: 200" "$(head -n 1 "$T/get.h")" " 200"
expect_match "... Content-Type application/ocsp-response" "$(grep -i '^content-type:' "$T/get.h")" "application/ocsp-response"
cc=$(grep -i '^cache-control:' "$T/get.h" | tr -d '\r')
expect_match "... Cache-Control max-age, public, no-transform, must-revalidate" "$cc" \
	"max-age=[0-9]+, public, no-transform, must-revalidate"
check "... Last-Modified" grep -qi '^last-modified: ' "$T/get.h"
check "... Expires" grep -qi '^expires: ' "$T/get.h"
check "... ETag" grep -qi '^etag: "' "$T/get.h"
out=$(openssl ocsp -respin "$T/get.resp" -issuer "$ISS" -CAfile "$CHAIN" -cert "$T/g.pem" -resp_text 2>&1)
expect_match "... openssl -respin: good" "$out" "g.pem: good"
expect_match "... Response verify OK" "$out" "Response verify OK"
nu=$(sed -n 's/^[[:space:]]*Next Update: //p' <<< "$out" | head -n 1)
age=$(sed -n 's/.*max-age=\([0-9]*\).*/\1/p' <<< "$cc")
check "... max-age is nextUpdate - now ($age s)" \
	python3 -c "import sys; sys.exit(0 if abs($(date -d "$nu" +%s) - $(date +%s) - $age) <= 5 else 1)"
curl -s -o "$T/get2.resp" "$OCSP/$B64"
cmp -s "$T/get.resp" "$T/get2.resp"
expect_eq "GET with the base64 not URL-encoded ('/' and '+' as they are): the same answer" "$?" 0
# A request with a nonce whose base64 holds '/', sent as %2F.
for _ in $(seq 40); do
	openssl ocsp -issuer "$ISS" -cert "$T/g.pem" -reqout "$T/n.req" > /dev/null 2>&1
	base64 -w0 "$T/n.req" | grep -q / && break
done
curl -s -D "$T/getn.h" -o "$T/getn.resp" "$OCSP/$(urlenc "$(base64 -w0 "$T/n.req")")"
# (-reqin checks the response's nonce against the request's; with -cert
# openssl would build a request of its own.)
out=$(openssl ocsp -reqin "$T/n.req" -respin "$T/getn.resp" -issuer "$ISS" -CAfile "$CHAIN" -resp_text 2>&1)
expect_match "GET with %2F in the path and a nonce: good" "$out" "Cert Status: good"
expect_match "... Response verify OK" "$out" "Response verify OK"
check_not "... the nonce matches" grep -qi "nonce verify error\|WARNING.*nonce" <<< "$out"
expect_match "... not cacheable" "$(grep -i '^cache-control:' "$T/getn.h")" "no-cache, no-store"

# ---- malformed, unauthorized, wrong routes: always an OCSP answer, never a page
printf 'garbage' > "$T/garbage"
raw_post "$T/garbage"
expect_eq "garbage body: malformedRequest (30 03 0a 01 01)" "$(hexof "$T/raw.out")" 30030a0101
expect_match "... HTTP 200" "$(head -n 1 "$T/raw.h")" " 200"
expect_eq "... Content-Type application/ocsp-response" "$(hdr Content-Type)" application/ocsp-response
expect_eq "... not cacheable" "$(hdr Cache-Control)" "no-cache, no-store"
still_serving "garbage"
head -c 20000 /dev/urandom > "$T/big"
raw_post "$T/big"
expect_eq "a 20 KB body: malformedRequest" "$(hexof "$T/raw.out")" 30030a0101
expect_match "... HTTP 200, not 413" "$(head -n 1 "$T/raw.h")" " 200"
still_serving "20 KB"
{ cat "$T/g.req"; printf '\0'; } > "$T/trailing"
raw_post "$T/trailing"
expect_eq "a request with a trailing byte: malformedRequest" "$(hexof "$T/raw.out")" 30030a0101
: > "$T/empty"
curl -s -o "$T/raw.out" -X POST -H 'Content-Type: application/ocsp-request' -H 'Content-Length: 0' "$OCSP"
expect_eq "an empty body: malformedRequest" "$(hexof "$T/raw.out")" 30030a0101
curl -s -o "$T/raw.out" "$OCSP/not-base64!"
expect_eq "GET of a path that is not base64: malformedRequest" "$(hexof "$T/raw.out")" 30030a0101
curl -s -o "$T/raw.out" "$OCSP/$(head -c 9000 /dev/zero | tr '\0' 'A')"
expect_eq "GET of a path over 8 KiB: malformedRequest" "$(hexof "$T/raw.out")" 30030a0101
still_serving "bad GETs"
# A foreign issuer: a CA of our own making, and a certificate from it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/fca.key" -out "$T/fca.crt" \
	-subj "/CN=Foreign CA $TAG" -days 2 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/fl.key" -subj "/CN=foreign" 2>/dev/null |
	openssl x509 -req -CA "$T/fca.crt" -CAkey "$T/fca.key" -CAcreateserial -days 1 -out "$T/fl.pem" 2>/dev/null
out=$(openssl ocsp -issuer "$T/fca.crt" -cert "$T/fl.pem" -url "$OCSP" -CAfile "$CHAIN" 2>&1)
expect_match "a foreign issuer: unauthorized (6)" "$out" "Responder Error: unauthorized \(6\)"
still_serving "foreign issuer"
out=$(openssl ocsp -issuer "$T/fca.crt" -cert "$T/fl.pem" -issuer "$ISS" -cert "$T/g.pem" -url "$OCSP" -CAfile "$CHAIN" 2>&1)
expect_match "ours and a foreign CertID in one request: unauthorized" "$out" "unauthorized \(6\)"
code=$(curl -s -o "$T/raw.out" -w '%{http_code} %{content_type}' -X PUT "$OCSP")
expect_match "PUT /ocsp: 405, plain text" "$code" "^405 text/plain"
code=$(curl -s -o "$T/raw.out" -w '%{http_code}' -X POST --data-binary @"$T/g.req" -H 'Content-Type: application/ocsp-request' "$OCSP/x")
expect_eq "POST /ocsp/x: 405" "$code" 405
grep -q "OCSP unauthorized for" "$CERTMINT_LOG_DIR/ocsp.log"
expect_eq "refusals are logged" "$?" 0
check_not "no worker crashed" grep -q "killed by signal" "$CERTMINT_LOG_DIR/ocsp.log"
done_testing
