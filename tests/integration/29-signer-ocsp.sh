#!/bin/bash
# 29-signer-ocsp.sh: signerd's ocsp-sign: responses for good, revoked (time, reason) and unknown serials that stock
# OpenSSL verifies against the CA chain, the nonce echoed, nextUpdate from [ocsp] validity_hours; the delegated
# responder certificate (EKU OCSPSigning, nocheck, issued by the issuing CA, in the vault and the journal); the status
# rules the signer keeps whoever asks (good only if issued, unknown never for an issued serial, no future revocation);
# item bounds; [access]; rotation across a restart, and certmint journal check skipping the responder certificates.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

PROBE="$CERTMINT_BUILD/tests/tools/ocsp-probe"
SPROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
SOCK=$CERTMINT_SIGNER_SOCKET
read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-29-ocsp.XXXXXX)
chmod 755 "$T"
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }
restart_signer() { # restart_signer [OCSP_CONF]: stop signerd, bring it back with these [ocsp] keys
	local pid
	pid=$(signer_pid)
	kill -TERM "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	CERTMINT_SIGNER_OCSP_CONF=$1 tests/stack.sh up "$CERTMINT_STACK" > "$T/up.out" 2>&1
}
trap 'rm -rf "$T"' EXIT
[ -x "$PROBE" ] || { fail "ocsp-probe built ($PROBE)"; done_testing; exit 1; }

probe() { "$PROBE" -s "$SOCK" "$@" 2>&1; }
# The issuing CA (first in the chain) and the whole chain for -CAfile.
openssl x509 -in "$CERTMINT_CA_PEM" -out "$T/issuing.pem"
CHAIN=$CERTMINT_CA_PEM
# ocsp_check R SERIAL_HEX: what openssl ocsp says of response R for that serial (stdout and stderr).
ocsp_check() { openssl ocsp -respin "$1" -issuer "$T/issuing.pem" -CAfile "$CHAIN" -serial "0x$2" 2>&1; }
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f'; }
# pad32 HEX: as the journal writes a serial, 32 digits (openssl drops a leading
# zero byte, which one serial in 128 has).
pad32() { awk '{ while (length($0) < 32) $0 = "0" $0; print }' <<< "$1"; }
# The responder certificate of response R, PEM, into FILE.
resp_cert() { openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null | sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' > "$2"; }

# ---- a fresh start: without a responder pair in the vault, signerd makes one at start
rm -f "$CERTMINT_VAULT/ocsp.crt" "$CERTMINT_VAULT/ocsp.key"
restart_signer ""
check "signerd restarted" test -S "$SOCK"
expect_match "signerd logs the new responder certificate" "$(tail -n 30 "$CERTMINT_STACK/logs/signerd.log")" \
	'OCSP responder certificate created: serial [0-9A-F]+, not after [0-9T:Z-]+ \(vault: none in the vault\)'
expect_match "... and how many issued serials it read from the journal" "$(tail -n 30 "$CERTMINT_STACK/logs/signerd.log")" \
	'issued serials: [0-9]+ from the journal in [0-9]+ ms'

# ---- two certificates issued by this signer: g stays good, r is reported revoked
for k in g r; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=ocsp-$k.demo.test" \
		-addext "subjectAltName=DNS:ocsp-$k.demo.test" -out "$T/$k.csr" 2>/dev/null
	out=$("$SPROBE" -s "$SOCK" issue -p tls-server -r "$T/$k.csr" -o "$T/$k.pem" 2>&1)
	expect_match "certificate $k issued" "$out" '^OK serial='
done
G=$(serial_of "$T/g.pem")
R=$(serial_of "$T/r.pem")
NEVER=7e$(openssl rand -hex 15)
NOW=$(date +%s)

# ---- good, revoked, unknown: each verified by stock OpenSSL
out=$(probe -o "$T/good" "1:$G:good")
expect_match "good for an issued serial signed" "$out" '^OK items=1 this=[0-9]+ next=[0-9]+$'
this=$(sed 's/.*this=\([0-9]*\).*/\1/' <<< "$out"); next=$(sed 's/.*next=\([0-9]*\)$/\1/' <<< "$out")
expect_eq "nextUpdate is thisUpdate + 24 h (validity_hours default)" "$((next - this))" 86400
check "thisUpdate is now" test $((this - NOW)) -ge -5 -a $((this - NOW)) -le 60
v=$(ocsp_check "$T/good.0.der" "$G")
expect_match "openssl: Response verify OK" "$v" 'Response verify OK'
expect_match "openssl: the serial is good" "$v" "0x$G: good"
text=$(openssl ocsp -respin "$T/good.0.der" -resp_text -noverify 2>&1)
expect_match "responderID byKey" "$text" 'Responder Id: [0-9A-F]{40}'
expect_match "signed with sha256" "$text" 'Signature Algorithm: (ecdsa-with-SHA256|sha256WithRSAEncryption)'
expect_match "CertID with SHA-1" "$text" 'Hash Algorithm: sha1'
check_not "no nonce asked, none given" grep -q 'OCSP Nonce' <<< "$text"
# OpenSSL stamps producedAt itself when it signs: at most a second after thisUpdate.
pa=$(date -d "$(sed -n 's/^ *Produced At: //p' <<< "$text")" +%s); tu=$(date -d "$(sed -n 's/^ *This Update: //p' <<< "$text")" +%s)
check "producedAt = thisUpdate ($pa, $tu)" test $((pa - tu)) -ge 0 -a $((pa - tu)) -le 1

out=$(probe -o "$T/rev" "1:$R:revoked:$((NOW - 3600)):1")
expect_match "revoked (keyCompromise) signed" "$out" '^OK items=1 '
v=$(ocsp_check "$T/rev.0.der" "$R")
expect_match "openssl: verify OK" "$v" 'Response verify OK'
expect_match "openssl: revoked" "$v" "0x$R: revoked"
expect_match "... with the reason" "$v" 'Reason: keyCompromise'
expect_match "... and the time" "$v" "Revocation Time: $(TZ=UTC date -d "@$((NOW - 3600))" '+%b %e %H:%M:%S %Y GMT')"
out=$(probe -o "$T/revnr" "2:$R:revoked:$((NOW - 60)):255")
v=$(openssl ocsp -respin "$T/revnr.0.der" -resp_text -noverify 2>&1)
expect_match "revoked without a reason: SHA-256 CertID" "$v" 'Hash Algorithm: sha256'
check_not "... and no reasonCode" grep -q 'Revocation Reason' <<< "$v"

out=$(probe -o "$T/unk" "1:$NEVER:unknown")
expect_match "unknown for a never-issued serial signed" "$out" '^OK items=1 '
v=$(ocsp_check "$T/unk.0.der" "$NEVER")
expect_match "openssl: verify OK" "$v" 'Response verify OK'
expect_match "openssl: unknown" "$v" "0x$NEVER: unknown"

# ---- the nonce, echoed verbatim (an OCTET STRING inside, as openssl clients send it)
out=$(probe -n 0410a1b2c3d4e5f60718293a4b5c6d7e8f90 -o "$T/nonce" "1:$G:good")
expect_match "a response with a nonce signed" "$out" '^OK items=1 '
v=$(openssl ocsp -respin "$T/nonce.0.der" -resp_text -noverify 2>&1)
expect_eq "openssl shows the nonce echoed" "$(grep -A1 'OCSP Nonce:' <<< "$v" | tail -n 1 | tr -d ' ')" 0410A1B2C3D4E5F60718293A4B5C6D7E8F90
# A whole round trip with a real openssl request and its nonce.
openssl ocsp -issuer "$T/issuing.pem" -cert "$T/g.pem" -reqout "$T/req.der" 2>/dev/null
NONCE=$(openssl ocsp -reqin "$T/req.der" -req_text 2>/dev/null | sed -n '/OCSP Nonce:/{n;s/[[:space:]]//g;p}')
expect_match "openssl's request carries a nonce" "$NONCE" '^0410[0-9A-F]{32}$'
probe -n "$NONCE" -o "$T/rt" "1:$G:good" > /dev/null
v=$(openssl ocsp -respin "$T/rt.0.der" -reqin "$T/req.der" -CAfile "$CHAIN" 2>&1)
expect_match "openssl matches the response to its request (nonce checked)" "$v" 'Response verify OK'
check_not "... no nonce warning" grep -qi 'nonce' <<< "$v"
v=$(openssl ocsp -respin "$T/nonce.0.der" -reqin "$T/req.der" -CAfile "$CHAIN" 2>&1)
expect_match "... while a response with another nonce fails that check" "$v" 'Nonce Verify error'

# ---- several items and singles in one request, in order
out=$(probe -N 3 -o "$T/multi" "1:$G:good" "4:$R:revoked:$((NOW - 10)):4" "3:$NEVER:unknown")
expect_match "3 items of 3 singles each" "$out" '^OK items=3 '
check "... three responses" test -s "$T/multi.2.der"
v=$(openssl ocsp -respin "$T/multi.1.der" -resp_text -noverify 2>&1)
expect_eq "... each with its three singles" "$(grep -c 'Cert Status:' <<< "$v")" 3
expect_match "... SHA-512 and SHA-384 CertIDs" "$(grep 'Hash Algorithm' <<< "$v" | tr '\n' ' ')" 'sha1.*sha512.*sha384'

# ---- the responder certificate
resp_cert "$T/good.0.der" "$T/responder.pem"
rt=$(openssl x509 -in "$T/responder.pem" -noout -text 2>&1)
expect_match "responder certificate: EKU OCSP Signing" "$rt" 'OCSP Signing'
expect_match "... id-pkix-ocsp-nocheck" "$rt" 'OCSP No Check'
expect_match "... CA:FALSE" "$rt" 'CA:FALSE'
expect_match "... keyUsage digitalSignature, critical" "$(grep -A1 'Key Usage: critical' <<< "$rt" | tr '\n' ' ')" 'Digital Signature'
expect_match "... subject CN names the issuing CA" "$(openssl x509 -in "$T/responder.pem" -noout -subject)" \
	"CN ?= ?$(openssl x509 -in "$T/issuing.pem" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p') OCSP Responder"
check "... chains to the CA" openssl verify -CAfile "$CHAIN" -purpose ocsphelper "$T/responder.pem"
days=$(( ($(date -d "$(openssl x509 -in "$T/responder.pem" -noout -enddate | cut -d= -f2)" +%s) - NOW) / 86400 ))
check "... valid for about cert_days = 30 ($days)" test "$days" -ge 29 -a "$days" -le 30
RSERIAL=$(serial_of "$T/responder.pem")
check "ocsp.crt in the vault" test -s "$CERTMINT_VAULT/ocsp.crt"
check "ocsp.key in the vault" test -s "$CERTMINT_VAULT/ocsp.key"
expect_match "... and journalled as the signer's own" "$(grep -i "	$(pad32 "$RSERIAL")	" "$CERTMINT_JOURNAL" | cut -f3)" '^signer\.ocsp-responder$'

# ---- the rules the signer keeps, whoever asks
out=$(probe "1:$NEVER:good")
expect_match "good for a serial this signer never issued: refused" "$out" "^REFUSED: item 0 single 0: good for serial $NEVER, which this signer never issued"
out=$(probe "1:$G:unknown")
expect_match "unknown for an issued serial: refused" "$out" "^REFUSED: item 0 single 0: unknown for serial $G, which this signer issued"
out=$(probe "1:$R:revoked:$((NOW + 3600)):1")
expect_match "revoked an hour in the future: refused" "$out" '^REFUSED: .*in the future'
out=$(probe -N 2 "1:$G:good" "1:$G:good" "1:$NEVER:good")
expect_match "the third single of an item names its index" "$out" '^REFUSED: item 0 single 2: '
out=$(probe -N 256 "1:$G:good")
expect_match "256 items of one single answered" "$out" '^OK items=256 '
out=$(probe -N 257 "1:$G:good")
expect_match "257 items refused by the client" "$out" '^ERROR: .*1 to 256 items'
S16=(); for _ in $(seq 16); do S16+=("1:$G:good"); done
out=$(probe -N 256 "${S16[@]}")
expect_match "a reply over the frame (256 items x 16 singles) refused, saying how many fit" "$out" '^REFUSED: .*send at most [0-9]+ items'
fit=$(sed -n 's/.*send at most \([0-9]*\) items.*/\1/p' <<< "$out")
out=$(probe -N "$fit" "${S16[@]}")
expect_match "... and that many are answered" "$out" "^OK items=$fit "

# Raw items the client would never pack.
out=$(probe -x "00010110${G}000000000000000000ff")
expect_match "a raw good item signs" "$out" '^OK$'
out=$(probe -x "00010110${G}000000000000000000ff00")
expect_match "a trailing byte refuses the whole frame" "$out" '^REFUSED: item 0: 1 bytes after the last single'
out=$(probe -x "00010110${G}000000000000000000ff" "00010110${G}0000000000000000000700")
expect_match "reason 7 in the second item refused" "$out" '^REFUSED: item 1: single 0: reason 7'
out=$(probe -x "41")
expect_match "a 65-byte nonce refused" "$out" '^REFUSED: item 0: nonce of 65 bytes'
out=$(probe -x "0000")
expect_match "0 singles refused" "$out" '^REFUSED: item 0: 0 singles'
out=$(probe -x "00010115${G}0000000000000000000000000000000000")
expect_match "a 21-byte serial refused" "$out" '^REFUSED: item 0: single 0: serial of 21 bytes'
out=$(probe -x "00010510${G}000000000000000000ff")
expect_match "hash 5 refused" "$out" '^REFUSED: item 0: single 0: hash algorithm 5'
out=$(probe -x "00010110${G}030000000000000000ff")
expect_match "status 3 refused" "$out" '^REFUSED: item 0: single 0: status 3'
out=$("$SPROBE" -s "$SOCK" raw-op ocsp-sign 2>&1)
expect_match "ocsp-sign without items refused, in step" "$out" '^REFUSED: the ocsp-sign request lacks the required field ocsp-item$'

# ---- [access]: a uid without ocsp-sign is refused; a uid without any line is closed at connect
GRP=$(stat -c %G "$SOCK")
out=$(setpriv --reuid="$CERTMINT_ADMIN_FCGI_USER" --regid="$GRP" --clear-groups "$PROBE" -s "$SOCK" "1:$G:good" 2>&1)
expect_match "ocsp-sign as $CERTMINT_ADMIN_FCGI_USER refused" "$out" \
	"^REFUSED: operation ocsp-sign not allowed for uid $(id -u "$CERTMINT_ADMIN_FCGI_USER")"
out=$(setpriv --reuid=nobody --regid="$GRP" --clear-groups "$PROBE" -s "$SOCK" "1:$G:good" 2>&1)
expect_match "ocsp-sign as nobody (no [access] line): closed at connect" "$out" '^DROPPED'
expect_match "... logged by signerd" "$(tail -n 50 "$CERTMINT_STACK/logs/signerd.log")" \
	"uid $(id -u nobody) pid [0-9]+: no operation allowed for this uid; closing"

# ---- rotation: a restart whose rotate_days make the current certificate due
restart_signer $'cert_days = 60\nrotate_days = 45'
expect_match "signerd restarted with cert_days 60, rotate_days 45" "$(grep -c . "$T/up.out")" '^[0-9]+$'
expect_match "signerd logs the rotation" "$(tail -n 30 "$CERTMINT_STACK/logs/signerd.log")" \
	'OCSP responder certificate rotated: serial [0-9A-F]+, not after '
out=$(probe -o "$T/after" "1:$G:good")
expect_match "ocsp-sign after the rotation" "$out" '^OK items=1 '
resp_cert "$T/after.0.der" "$T/responder2.pem"
R2=$(serial_of "$T/responder2.pem")
check "a new responder certificate ($RSERIAL -> $R2)" test -n "$R2" -a "$R2" != "$RSERIAL"
days=$(( ($(date -d "$(openssl x509 -in "$T/responder2.pem" -noout -enddate | cut -d= -f2)" +%s) - NOW) / 86400 ))
check "... valid for cert_days = 60 ($days)" test "$days" -ge 59 -a "$days" -le 60
expect_match "... verifies" "$(ocsp_check "$T/after.0.der" "$G")" 'Response verify OK'
expect_eq "the old and the new one are both in the journal" \
	"$(grep -ciE "	($(pad32 "$RSERIAL")|$(pad32 "$R2"))	signer\.ocsp-responder	" "$CERTMINT_JOURNAL")" 2
expect_match "the response signed before the rotation still verifies" "$(ocsp_check "$T/good.0.der" "$G")" 'Response verify OK'
# Back to the defaults: the 60-day certificate is not due, so it stays.
restart_signer ""
out=$(probe -o "$T/back" "1:$G:good")
resp_cert "$T/back.0.der" "$T/responder3.pem"
expect_eq "with the defaults again the new certificate is kept (loaded from the vault)" "$(serial_of "$T/responder3.pem")" "$R2"
expect_match "... logged" "$(tail -n 30 "$CERTMINT_STACK/logs/signerd.log")" 'OCSP responder certificate loaded from the vault'

# ---- certmint journal check never imports the responder certificates
"${CLI[@]}" journal check --journal "$CERTMINT_JOURNAL" --min-age 0 --dry-run > "$T/jc.out" 2>&1
check_not "journal check does not offer to recover a responder certificate" grep -qiE "$RSERIAL|$R2" "$T/jc.out"
expect_match "... and says how many of the signer's own it skipped" "$(tail -n 1 "$T/jc.out")" \
	"[0-9]+ of the signer's own skipped"
own=$(sed -n "s/.* \([0-9]*\) of the signer's own skipped.*/\1/p" "$T/jc.out")
check "... at least the two responder certificates ($own)" test "${own:-0}" -ge 2

done_testing
