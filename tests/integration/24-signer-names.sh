#!/bin/bash
# 24-signer-names.sh: raw issue frames to signerd carrying the names issue 8 found issued (NUL, CR/LF or a trailing space in the CN, a CN that is no SAN, markup, underscores, *.co.uk, an OU, loopback IPs): each refused with its reason and nothing journalled, by the stack's signer and by a private one with the default allow_loopback_ip = no.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

PROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
FORGE="$CERTMINT_BUILD/tests/tools/csr-forge"
SIGNERD="$CERTMINT_BUILD/signer/certmint-signerd"
T=$(mktemp -d)
PRIV_PID=""
cleanup() {
	if [ -n "$PRIV_PID" ]; then
		kill -TERM "$PRIV_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$PRIV_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$PRIV_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

for b in "$PROBE" "$FORGE" "$SIGNERD"; do
	[ -x "$b" ] || { fail "built: $b"; done_testing; exit 1; }
done

# forge NAME FORGE-ARGS...: a CSR with exactly these bytes in $T/NAME.csr.
forge() { local n=$1; shift; "$FORGE" -o "$T/$n.csr" "$@" || fail "csr-forge $n"; }

# refused SOCKET JOURNAL DESCRIPTION REASON-REGEX PROBE-ISSUE-ARGS...: the
# signer answers REFUSED with a reason matching the regex, and its journal
# does not grow.
refused() {
	local sock=$1 journal=$2 what=$3 want=$4 before out
	shift 4
	before=$(wc -l < "$journal")
	out=$("$PROBE" -s "$sock" issue "$@" 2>&1)
	expect_match "$what: refused with the reason" "$out" "^REFUSED: .*$want"
	expect_eq "$what: nothing journalled" "$(wc -l < "$journal")" "$before"
}

# ---- the stack's signer (as root, which may issue every profile)
S=$CERTMINT_SIGNER_SOCKET
J=$CERTMINT_JOURNAL
forge cnnul   -c 'www.google.com\0.demo.test' -n 'DNS:www.google.com.demo.test'
forge cnspace -c 'www.google.com ' -n 'DNS:www.google.com'
forge cncrlf  -c 'names-crlf.demo.test\r\n' -n 'DNS:names-crlf.demo.test'
forge cnhtml  -c '<img src=x onerror=alert(1)>' -n 'DNS:names-html.demo.test'
forge cnother -c 'www.google.com' -n 'DNS:names-other.demo.test'
forge sannul  -c 'names-nul.demo.test' -n 'DNS:names-nul.demo.test' -n 'DNS:www.google.com\0.demo.test'
forge under   -c 'a_b.demo.test' -n 'DNS:a_b.demo.test'
forge hyphen  -c '-names.demo.test' -n 'DNS:-names.demo.test'
forge emptyl  -c 'names..demo.test' -n 'DNS:names..demo.test'
forge partwc  -n 'DNS:f*.demo.test'
forge ou      -c 'names-ou.demo.test' -U 'Sales' -n 'DNS:names-ou.demo.test'
forge ctrl_o  -c 'names-o.demo.test' -O 'Evil\tCorp' -n 'DNS:names-o.demo.test'
forge ipdns   -c 'names-ipdns.demo.test' -n 'DNS:names-ipdns.demo.test' -n 'DNS:10.1.2.3'
forge onelab  -c 'names-one.demo.test' -n 'DNS:names-one.demo.test' -n 'DNS:intranet'
forge psl     -c 'names-psl.demo.test' -n 'DNS:names-psl.demo.test' -n 'DNS:*.co.uk'
forge good    -c 'names-good.demo.test' -O 'From The CSR' -U 'CSR Unit' -n 'DNS:names-good.demo.test'
forge wild    -c '*.names-wild.demo.test' -n 'DNS:*.names-wild.demo.test'

refused "$S" "$J" "CN with a NUL byte" "CN .*contains a NUL byte" -p tls-server -r "$T/cnnul.csr"
refused "$S" "$J" "CN with a trailing space" "CN \"www.google.com \" is not one of the certificate's DNS or IP subjectAltNames" \
	-p tls-server -r "$T/cnspace.csr"
refused "$S" "$J" "CN with CR/LF" "CN .*control character \\(U\\+000D\\)" -p tls-server -r "$T/cncrlf.csr"
refused "$S" "$J" "CN holding markup" "CN \"<img src=x onerror=alert\\(1\\)>\" is not one of" -p tls-server -r "$T/cnhtml.csr"
refused "$S" "$J" "CN that is not a SAN" "CN \"www.google.com\" is not one of" -p tls-server -r "$T/cnother.csr"
refused "$S" "$J" "DNS SAN with a NUL byte" "NUL byte" -p tls-server -r "$T/sannul.csr"
refused "$S" "$J" "DNS SAN with an underscore" "underscore" -p tls-server -r "$T/under.csr"
refused "$S" "$J" "DNS SAN with a leading hyphen" "hyphen" -p tls-server -r "$T/hyphen.csr"
refused "$S" "$J" "DNS SAN with an empty label" "empty label" -p tls-server -r "$T/emptyl.csr"
refused "$S" "$J" "a wildcard inside a label" "leftmost label" -p tls-server -r "$T/partwc.csr"
refused "$S" "$J" "an OU in the CSR's subject" "OU" -p tls-server -r "$T/ou.csr"
refused "$S" "$J" "a tab in the CSR's O" "subject's O .*U\\+0009" -p tls-server -r "$T/ctrl_o.csr"
# Names outside the demo domains: the signer's name spaces (when configured)
# may refuse them first; either way they are refused and not journalled.
refused "$S" "$J" "an IP address as a DNS SAN" "" -p tls-server -r "$T/ipdns.csr"
refused "$S" "$J" "a single-label DNS SAN" "" -p tls-server -r "$T/onelab.csr"
refused "$S" "$J" "a wildcard under a public suffix (*.co.uk)" "" -p tls-server -r "$T/psl.csr"
# A SUBJECT in the frame: checked the same way, and it replaces the CSR's.
refused "$S" "$J" "a SUBJECT with an OU" "OU" -p tls-server -r "$T/good.csr" -S '/OU=Sales/CN=names-good.demo.test'
refused "$S" "$J" "a SUBJECT with a line feed in the CN" "U\\+000A" -p tls-server -r "$T/good.csr" \
	-S $'/CN=names-good.demo.test\nx'
# (OpenSSL does not parse a CSR whose UTF8String is not UTF-8; a frame can still send one.)
refused "$S" "$J" "a SUBJECT with an overlong UTF-8 sequence" "(not valid UTF-8|cannot hold)" -p tls-server -r "$T/good.csr" \
	-S $'/CN=names-\xc0\xaf.demo.test'
refused "$S" "$J" "a SUBJECT whose CN is no SAN" "is not one of" -p tls-server -r "$T/good.csr" -S '/CN=www.google.com'
refused "$S" "$J" "a lower-case country" "country code" -p tls-server -r "$T/good.csr" -S '/C=gb/CN=names-good.demo.test'
out=$("$PROBE" -s "$S" issue -p tls-server -r "$T/good.csr" -S '/C=GB/L=Canterbury/O=Names Org/CN=names-good.demo.test' -o "$T/good.pem" 2>&1)
expect_match "a clean SUBJECT is issued" "$out" '^OK serial='
subj=$(openssl x509 -in "$T/good.pem" -noout -subject -nameopt RFC2253 2>/dev/null)
expect_eq "... under that SUBJECT, not the CSR's (no 'From The CSR', no OU)" "$subj" \
	"subject=CN=names-good.demo.test,O=Names Org,L=Canterbury,C=GB"
refused "$S" "$J" "the same CSR without a SUBJECT (its own subject has an OU)" "OU" -p tls-server -r "$T/good.csr"
out=$("$PROBE" -s "$S" issue -p tls-server -r "$T/wild.csr" 2>&1)
expect_match "*.names-wild.demo.test (not under a public suffix) is issued" "$out" '^OK serial='
expect_match "the signer read the public suffix list at start" "$(cat "$CERTMINT_LOG_DIR/signerd.log" 2>/dev/null)" \
	'public suffix list .*: [0-9]+ rules'

# ---- a private signer with the stack's configuration but allow_loopback_ip
# left at its default (no): loopback and unspecified addresses are refused.
P=$T/priv
mkdir -p "$P/vault" && chmod 755 "$T" "$P"
# The journal's directory holds the signer's audit checkpoints too: its own.
mkdir -p "$P/journal"
touch "$P/journal/journal.log"
chown certmint-signer:certmint-signer "$P/vault" "$P/journal" "$P/journal/journal.log"
chmod 700 "$P/vault" "$P/journal"
chmod 600 "$P/journal/journal.log"
sed -e "s|^socket = .*|socket = $P/signer.sock|" -e "s|^vault = .*|vault = $P/vault|" \
	-e "s|^journal = .*|journal = $P/journal/journal.log|" -e '/^allow_loopback_ip/d' \
	"$CERTMINT_SIGNER_CONF" > "$P/signerd.conf"
setsid "$SIGNERD" -c "$P/signerd.conf" -f > "$P/signerd.log" 2>&1 &
PRIV_PID=$!
for _ in $(seq 100); do [ -S "$P/signer.sock" ] && break; sleep 0.05; done
check "a private signer starts from the stack's configuration" test -S "$P/signer.sock"
out=$("$PROBE" -s "$P/signer.sock" ca-init -k ecdsa-p256 -R '/C=GB/O=Names Test/CN=Names Test Root' \
	-I '/C=GB/O=Names Test/CN=Names Test Issuing' 2>&1)
expect_match "... and makes its CA" "$out" '^OK'
PS=$P/signer.sock
PJ=$P/journal/journal.log
forge lo4   -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:127.0.0.1'
forge lo8   -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:127.8.9.10'
forge any4  -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:0.0.0.0'
forge lo6   -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:::1'
forge any6  -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:::'
forge map4  -c 'names-lo.demo.test' -n 'DNS:names-lo.demo.test' -n 'IP:::ffff:127.0.0.1'
forge lhost -c 'localhost' -n 'DNS:localhost'
refused "$PS" "$PJ" "IP:127.0.0.1" "127.0.0.1 is a loopback address.*allow_loopback_ip" -p tls-server -r "$T/lo4.csr"
refused "$PS" "$PJ" "IP:127.8.9.10 (all of 127/8)" "loopback" -p tls-server -r "$T/lo8.csr"
refused "$PS" "$PJ" "IP:0.0.0.0" "unspecified" -p tls-server -r "$T/any4.csr"
refused "$PS" "$PJ" "IP:::1" "loopback" -p tls-server -r "$T/lo6.csr"
refused "$PS" "$PJ" "IP:::" "unspecified" -p tls-server -r "$T/any6.csr"
refused "$PS" "$PJ" "IP:::ffff:127.0.0.1 (IPv4-mapped)" "loopback" -p tls-server -r "$T/map4.csr"
refused "$PS" "$PJ" "DNS:localhost" "localhost\" is a single label" -p tls-server -r "$T/lhost.csr"
refused "$PS" "$PJ" "a frame SAN IP:127.0.0.1" "loopback" -p tls-server -r "$T/good.csr" \
	-S '/CN=names-good.demo.test' -n 'DNS:names-good.demo.test' -n 'IP:127.0.0.1'
out=$("$PROBE" -s "$PS" issue -p tls-server -r "$T/good.csr" -S '/C=GB/O=Names Org/CN=names-good.demo.test' 2>&1)
expect_match "the private signer still issues a clean request" "$out" '^OK serial='
# (Its journal also holds its own OCSP responder and SCEP RA certificates,
# made at ca-init: the signer.* profiles.)
expect_eq "... which alone is in its journal" "$(grep -vcE '	signer\.(ocsp-responder|scep-ra)	' "$PJ")" 1
done_testing
