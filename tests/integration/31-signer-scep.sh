#!/bin/bash
# 31-signer-scep.sh: signerd's SCEP RA: the RA certificate (issued by the issuing CA, keyUsage digitalSignature +
# keyEncipherment, no EKU, in the ca-chain reply, vault and journal, skipped by certmint journal check);
# scep-decrypt of envelopes stock OpenSSL makes (AES, 3DES, single DES; by issuer+serial or SKI), refusing other
# recipients and anything but SCEP content; scep-certrep SUCCESS / FAILURE / PENDING that stock OpenSSL verifies and
# decrypts, with the signer's re-checks (certificates of its CA it issued, CRLs of its CA, status rules); [access]
# (scep.fcgi's uid issues client-smime and client-device, not tls-server);
# rotation across a restart with the previous RA certificate still decrypting.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

PROBE="$CERTMINT_BUILD/tests/tools/scep-probe"
SPROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
SOCK=$CERTMINT_SIGNER_SOCKET
CHAIN=$CERTMINT_CA_PEM
read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-31-scep.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
[ -x "$PROBE" ] || { fail "scep-probe built ($PROBE)"; done_testing; exit 1; }

probe() { "$PROBE" -s "$SOCK" "$@" 2>&1; }
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }
restart_signer() { # restart_signer [SCEP_CONF]: stop signerd, bring it back with these [scep] keys
	local pid
	pid=$(signer_pid)
	kill -TERM "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	CERTMINT_SIGNER_SCEP_CONF=$1 tests/stack.sh up "$CERTMINT_STACK" > "$T/up.out" 2>&1
}
# The serial as the journal writes it: 32 lowercase hex digits (openssl drops a
# leading zero byte, which one serial in 128 has).
serial_of() { openssl x509 "$@" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
# envelope IN RECIP.pem OUT CIPHER_FLAG [more openssl cms flags]: IN enveloped by stock OpenSSL
envelope() {
	local in=$1 recip=$2 out=$3 cipher=$4
	shift 4
	openssl cms -encrypt -binary -outform DER -in "$in" -recip "$recip" "$cipher" -out "$out" "$@" 2>"$T/cms.err"
}
# The CertRep's signed attribute OID as openssl cms -cmsout -print shows it, and the lines after it.
attr_after() { grep -A6 "$2" "$1" | sed -n 's/.*\(PRINTABLESTRING\|OCTET STRING\):[[:space:]]*//p' | head -n 1; }

# ---- a fresh start: without an RA pair in the vault, signerd makes one at start (ca-init made the first)
rm -f "$CERTMINT_VAULT"/scep-ra.crt "$CERTMINT_VAULT"/scep-ra.key "$CERTMINT_VAULT"/scep-ra-prev.crt \
	"$CERTMINT_VAULT"/scep-ra-prev.key
restart_signer ""
check "signerd restarted" test -S "$SOCK"
expect_match "signerd logs the new RA certificate" "$(tail -n 40 "$CERTMINT_STACK/logs/signerd.log")" \
	'SCEP RA certificate created: serial [0-9A-F]+, not after [0-9T:Z-]+ \(vault: none in the vault\)'

# ---- the RA certificate: in the ca-chain reply, issued by the issuing CA, as RFC 8894 asks
out=$(probe ra-cert "$T/ra.der")
expect_match "the ca-chain reply carries the RA certificate" "$out" '^OK bytes=[0-9]+$'
openssl x509 -inform DER -in "$T/ra.der" -out "$T/ra.pem" 2>/dev/null
check "it is a certificate" test -s "$T/ra.pem"
expect_match "it chains to the CA" "$(openssl verify -CAfile "$CHAIN" "$T/ra.pem" 2>&1)" ': OK$'
text=$(openssl x509 -in "$T/ra.pem" -noout -text)
issuing_cn=$(openssl x509 -in "$CHAIN" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
expect_match "subject CN is '<issuing CA CN> SCEP RA'" "$(openssl x509 -in "$T/ra.pem" -noout -subject -nameopt multiline)" \
	"commonName += $issuing_cn SCEP RA"
expect_match "keyUsage critical: digitalSignature, keyEncipherment" "$(grep -A1 'X509v3 Key Usage' <<< "$text" | tr -d '\n')" \
	'critical.*Digital Signature, Key Encipherment'
check_not "no extended key usage" grep -q 'Extended Key Usage' <<< "$text"
expect_match "basicConstraints CA:FALSE" "$(grep -A1 'Basic Constraints' <<< "$text")" 'CA:FALSE'
check "subject and authority key identifiers" grep -q 'Subject Key Identifier' <<< "$text"
check "... both" grep -q 'Authority Key Identifier' <<< "$text"
expect_match "an RSA-2048 key" "$text" 'Public-Key: \(2048 bit\)'
NOW=$(date +%s)
days=$(( ($(date -d "$(openssl x509 -in "$T/ra.pem" -noout -enddate | cut -d= -f2)" +%s) - NOW) / 86400 ))
check "valid for [scep] ra_cert_days (default 365: $days)" test "$days" -ge 364 -a "$days" -le 365
RA1=$(serial_of -in "$T/ra.pem")
expect_eq "journalled under signer.scep-ra" "$(grep -ciE "	$RA1	signer\.scep-ra	" "$CERTMINT_JOURNAL")" 1
check "in the vault" test -e "$CERTMINT_VAULT/scep-ra.crt" -a -e "$CERTMINT_VAULT/scep-ra.key"

# ---- scep-decrypt: envelopes stock OpenSSL makes around a CSR
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/dev.key" -subj "/CN=device.demo.test/emailAddress=dev@demo.test" \
	-addext "subjectAltName=email:dev@demo.test" -outform DER -out "$T/dev.csr" 2>/dev/null
for c in aes128:aes-128-cbc aes192:aes-192-cbc aes256:aes-256-cbc des3:des-ede3-cbc; do
	flag=${c%%:*} name=${c#*:}
	rm -f "$T/env.der" "$T/plain.der"
	envelope "$T/dev.csr" "$T/ra.pem" "$T/env.der" "-$flag"
	out=$(probe decrypt "$T/env.der" "$T/plain.der")
	expect_match "an -$flag envelope around a CSR decrypts, naming $name" "$out" "^OK cipher=$name bytes=[0-9]+$"
	check "... to the CSR" cmp -s "$T/plain.der" "$T/dev.csr"
done
rm -f "$T/env.der" "$T/plain.der"
envelope "$T/dev.csr" "$T/ra.pem" "$T/env.der" -des -provider legacy -provider default
out=$(probe decrypt "$T/env.der" "$T/plain.der")
expect_match "a single-DES envelope (old clients) decrypts" "$out" '^OK cipher=des-cbc bytes=[0-9]+$'
check "... to the CSR" cmp -s "$T/plain.der" "$T/dev.csr"
rm -f "$T/env.der" "$T/plain.der"
envelope "$T/dev.csr" "$T/ra.pem" "$T/env.der" -aes256 -keyid
out=$(probe decrypt "$T/env.der" "$T/plain.der")
expect_match "an envelope naming the RA by subjectKeyIdentifier decrypts" "$out" '^OK cipher=aes-256-cbc '
# IssuerAndSerialNumber (GetCert) and IssuerAndSubject (CertPoll) are SCEP content too.
python3 - "$T/ra.der" "$T/ias.der" "$T/isub.der" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
def tlv(b, i):
    t = b[i]; l = b[i + 1]; h = 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i + 2:i + 2 + n], 'big'); h = 2 + n
    return i + h, l, b[i:i + h + l]
def seq(body):
    n = len(body)
    hdr = bytes([0x30, n]) if n < 128 else bytes([0x30, 0x82, n >> 8, n & 0xff])
    return hdr + body
s, _, _ = tlv(d, 0)            # Certificate
s, _, _ = tlv(d, s)            # tbsCertificate: its contents
i = s
_, _, f = tlv(d, i)
if f[0] == 0xa0: i += len(f); _, _, f = tlv(d, i)
serial = f; i += len(f)
_, _, alg = tlv(d, i); i += len(alg)
_, _, issuer = tlv(d, i); i += len(issuer)
_, _, validity = tlv(d, i); i += len(validity)
_, _, subject = tlv(d, i)
open(sys.argv[2], 'wb').write(seq(issuer + serial))
open(sys.argv[3], 'wb').write(seq(issuer + subject))
PY
for k in ias:IssuerAndSerialNumber isub:IssuerAndSubject; do
	f=${k%%:*}
	rm -f "$T/env.der"
	envelope "$T/$f.der" "$T/ra.pem" "$T/env.der" -aes256
	out=$(probe decrypt "$T/env.der" "$T/plain.der")
	expect_match "an envelope around ${k#*:} decrypts" "$out" '^OK cipher=aes-256-cbc '
	check "... to it" cmp -s "$T/plain.der" "$T/$f.der"
done
# Not SCEP content, not to the RA, not an envelope: refused, nothing decrypted handed out.
head -c 300 /dev/urandom > "$T/random.bin"
rm -f "$T/env.der"
envelope "$T/random.bin" "$T/ra.pem" "$T/env.der" -aes256
out=$(probe decrypt "$T/env.der" "$T/plain2.der")
expect_match "an envelope around arbitrary bytes: refused" "$out" '^REFUSED: the envelope holds no SCEP content'
check_not "... and nothing written" test -e "$T/plain2.der"
{ cat "$T/dev.csr"; printf 'x'; } > "$T/csr-plus.bin"
rm -f "$T/env.der"
envelope "$T/csr-plus.bin" "$T/ra.pem" "$T/env.der" -aes256
expect_match "a CSR with a byte after it: refused" "$(probe decrypt "$T/env.der")" '^REFUSED: the envelope holds no SCEP content'
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -subj "/CN=Someone Else" -days 2 -out "$T/other.pem" 2>/dev/null
rm -f "$T/env.der"
envelope "$T/dev.csr" "$T/other.pem" "$T/env.der" -aes256
expect_match "an envelope addressed to another certificate: refused" "$(probe decrypt "$T/env.der")" \
	'^REFUSED: the envelope is not addressed to this RA$'
rm -f "$T/env.der"
envelope "$T/dev.csr" "$T/ra.pem" "$T/env.der" -aes-256-ofb
expect_match "an AES-256-OFB envelope: refused" "$(probe decrypt "$T/env.der")" "^REFUSED: the envelope's cipher is not"
expect_match "a CSR as the envelope: refused" "$(probe decrypt "$T/dev.csr")" '^REFUSED: the envelope is not one DER CMS ContentInfo'
# A byte flipped in the encrypted content: one refusal text whatever failed.
rm -f "$T/env.der"
envelope "$T/dev.csr" "$T/ra.pem" "$T/env.der" -aes256
python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-1] ^= 0x5a; open(sys.argv[1], 'wb').write(b)" "$T/env.der"
expect_match "a tampered envelope: refused" "$(probe decrypt "$T/env.der")" \
	'^REFUSED: (the envelope could not be decrypted with the RA key|the envelope holds no SCEP content)'
head -c 65537 /dev/zero > "$T/big.bin"
expect_match "an envelope over 64 KiB: refused by the client" "$(probe decrypt "$T/big.bin")" '^ERROR: fault: .*1 to 65536'
check_not "signerd never logs decrypted content" grep -q 'device.demo.test' "$CERTMINT_STACK/logs/signerd.log"

# ---- scep-certrep SUCCESS: verifies with the CA chain, decrypts to a certs-only PKCS#7
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rq.key" -subj "/CN=device.demo.test" -days 2 -out "$T/rq.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=scep31.demo.test" \
	-addext "subjectAltName=DNS:scep31.demo.test" -out "$T/iss.csr" 2>/dev/null
out=$("$SPROBE" -s "$SOCK" issue -p tls-server -r "$T/iss.csr" -o "$T/issued.pem" 2>&1)
expect_match "a certificate issued for the CertRep" "$out" '^OK serial='
openssl x509 -in "$CHAIN" -out "$T/issuing.pem"
NONCE=$(openssl rand -hex 16)
out=$(probe certrep -S success -t "TXN-31+/=" -n "$NONCE" -d sha256 -c aes-256-cbc -r "$T/rq.pem" \
	-C "$T/issued.pem" -C "$T/issuing.pem" -o "$T/rep.der")
expect_match "a SUCCESS CertRep is signed" "$out" '^OK bytes=[0-9]+$'
v=$(openssl cms -verify -inform DER -in "$T/rep.der" -CAfile "$CHAIN" -binary -out "$T/rep-content.der" 2>&1)
expect_match "openssl cms -verify with the CA chain: successful" "$v" 'Verification successful'
openssl cms -cmsout -print -inform DER -in "$T/rep.der" > "$T/rep.txt" 2>&1
check "signed by the RA (its certificate in certificates)" grep -q "$issuing_cn SCEP RA" "$T/rep.txt"
expect_eq "messageType 3" "$(attr_after "$T/rep.txt" '2.16.840.1.113733.1.9.2')" 3
expect_eq "pkiStatus 0 (SUCCESS)" "$(attr_after "$T/rep.txt" '2.16.840.1.113733.1.9.3')" 0
check_not "no failInfo" grep -q '2.16.840.1.113733.1.9.4' "$T/rep.txt"
expect_eq "transactionID" "$(attr_after "$T/rep.txt" '2.16.840.1.113733.1.9.7')" "TXN-31+/="
check "senderNonce" grep -q '2.16.840.1.113733.1.9.5' "$T/rep.txt"
# The dump: "0000 - 64 a8 ... 0b 2c   d.GV..." lines: the hex between " - " and the three spaces.
rn=$(grep -A5 '2.16.840.1.113733.1.9.6' "$T/rep.txt" | sed -n 's/^ *[0-9a-f]\{4\} - \(.*\)$/\1/p' |
	sed 's/   .*//' | tr -d '\n -')
expect_eq "recipientNonce = the request's senderNonce" "$rn" "$NONCE"
check "signingTime and messageDigest" grep -q 'signingTime' "$T/rep.txt"
check "... both" grep -q 'messageDigest' "$T/rep.txt"
expect_match "digest SHA-256" "$(grep -A2 'digestAlgorithm' "$T/rep.txt" | head -n 3)" 'sha256'
d=$(openssl cms -decrypt -inform DER -in "$T/rep-content.der" -recip "$T/rq.pem" -inkey "$T/rq.key" -binary \
	-out "$T/deg.der" 2>&1)
check "its content decrypts with the requester's key (openssl cms -decrypt)" test -s "$T/deg.der"
certs=$(openssl pkcs7 -inform DER -in "$T/deg.der" -print_certs 2>&1)
expect_match "to a certs-only PKCS#7 holding the issued certificate" "$certs" 'subject=CN ?= ?scep31.demo.test'
expect_eq "... and the issuing CA, two in all" "$(grep -c '^subject=' <<< "$certs")" 2
expect_match "... without signers" "$(openssl pkcs7 -inform DER -in "$T/deg.der" -print 2>&1 | grep -A1 'signer_info')" 'signer_info:[[:space:]]*<EMPTY>|signer_info:$'
expect_match "its envelope uses the cipher asked for" "$(openssl cms -cmsout -print -inform DER -in "$T/rep-content.der")" 'aes-256-cbc'
out=$(probe certrep -S success -t t-des -d sha1 -c des-cbc -r "$T/rq.pem" -C "$T/issued.pem" -o "$T/rep-des.der")
expect_match "des-cbc and SHA-1 when asked (an old client's request)" "$out" '^OK bytes='
openssl cms -verify -inform DER -in "$T/rep-des.der" -CAfile "$CHAIN" -binary -out "$T/rep-des-content.der" >/dev/null 2>&1
expect_match "... in a des-cbc envelope" "$(openssl cms -cmsout -print -inform DER -in "$T/rep-des-content.der")" 'des-cbc'
expect_match "... signed with SHA-1" "$(openssl cms -cmsout -print -inform DER -in "$T/rep-des.der" | grep -A2 digestAlgorithm | head -n 3)" 'sha1'

# ---- FAILURE and PENDING: empty content (kept, not detached: certmonger needs it)
out=$(probe certrep -S failure -f 2 -t t-fail -n "$NONCE" -d sha512 -o "$T/fail.der")
expect_match "a FAILURE CertRep (badRequest) is signed" "$out" '^OK bytes='
openssl cms -cmsout -print -inform DER -in "$T/fail.der" > "$T/fail.txt" 2>&1
expect_eq "pkiStatus 2" "$(attr_after "$T/fail.txt" '2.16.840.1.113733.1.9.3')" 2
expect_eq "failInfo 2 (badRequest)" "$(attr_after "$T/fail.txt" '2.16.840.1.113733.1.9.4')" 2
expect_match "empty content (eContent present, no bytes)" "$(grep -A3 'encapContentInfo' "$T/fail.txt")" 'eContent: *$'
check_not "... not detached" grep -q 'eContent: <ABSENT>' "$T/fail.txt"
expect_match "it verifies over its empty content" "$(openssl cms -verify -inform DER -in "$T/fail.der" -CAfile "$CHAIN" -binary -out "$T/fail.content" 2>&1)" 'Verification successful'
expect_eq "... which is empty" "$(stat -c %s "$T/fail.content")" 0
out=$(probe certrep -S pending -t t-pend -n "$NONCE" -o "$T/pend.der")
expect_match "a PENDING CertRep is signed" "$out" '^OK bytes='
openssl cms -cmsout -print -inform DER -in "$T/pend.der" > "$T/pend.txt" 2>&1
expect_eq "pkiStatus 3" "$(attr_after "$T/pend.txt" '2.16.840.1.113733.1.9.3')" 3
check_not "no failInfo" grep -q '2.16.840.1.113733.1.9.4' "$T/pend.txt"
check_not "empty content, not detached" grep -q 'eContent: <ABSENT>' "$T/pend.txt"

# ---- the signer's re-checks
expect_match "a certificate not issued by the CA: refused" \
	"$(probe certrep -S success -t t1 -c aes-256-cbc -r "$T/rq.pem" -C "$T/other.pem" -o "$T/x.der")" \
	'^REFUSED: certificate 1 was not issued by this signer.s issuing CA'
expect_match "the CA certificate first: refused" \
	"$(probe certrep -S success -t t1 -c aes-256-cbc -r "$T/rq.pem" -C "$T/issuing.pem" -o "$T/x.der")" \
	'^REFUSED: '
expect_match "five certificates: refused by the client" \
	"$(probe certrep -S success -t t1 -c aes-256-cbc -r "$T/rq.pem" -C "$T/issued.pem" -C "$T/issued.pem" \
	-C "$T/issued.pem" -C "$T/issued.pem" -C "$T/issued.pem" -o "$T/x.der")" '^ERROR: fault: .*0 to 4 certificates'
expect_match "SUCCESS without a recipient: refused" \
	"$(probe certrep -S success -t t1 -c aes-256-cbc -C "$T/issued.pem" -o "$T/x.der")" '^REFUSED: .*recipient'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/CN=ec" -days 2 \
	-out "$T/ec.pem" 2>/dev/null
expect_match "an EC recipient: refused" \
	"$(probe certrep -S success -t t1 -c aes-256-cbc -r "$T/ec.pem" -C "$T/issued.pem" -o "$T/x.der")" \
	'^REFUSED: the recipient must be one DER certificate with an RSA key'
expect_match "an unknown cipher: refused" \
	"$(probe certrep -S success -t t1 -c rc2-cbc -r "$T/rq.pem" -C "$T/issued.pem" -o "$T/x.der")" '^REFUSED: the cipher must be'
expect_match "digest md5: refused" "$(probe certrep -S pending -t t1 -d md5 -o "$T/x.der")" '^REFUSED: the digest must be'
expect_match "status 1: refused" "$(probe certrep -S 1 -t t1 -o "$T/x.der")" '^REFUSED: pki-status 1 is not'
expect_match "failInfo 5: refused" "$(probe certrep -S failure -f 5 -t t1 -o "$T/x.der")" '^REFUSED: a FAILURE needs a fail-info'
expect_match "PENDING carrying a certificate: refused" \
	"$(probe certrep -S pending -t t1 -C "$T/issued.pem" -o "$T/x.der")" '^REFUSED: a FAILURE or PENDING CertRep carries no'
expect_match "a transactionID with a tab: refused" "$(probe certrep -S pending -t $'a\tb' -o "$T/x.der")" \
	'^REFUSED: the transactionID must be'
expect_match "a 129-character transactionID: refused by the client" \
	"$(probe certrep -S pending -t "$(printf 'a%.0s' $(seq 129))" -o "$T/x.der")" '^ERROR: fault: .*transactionID'
# CRLs: the CA's own verifies; one signed by another key is refused.
"${CLI[@]}" crl generate > "$T/crl.out" 2>&1
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
if [ -s "$PUB/crl/issuing.crl" ]; then
	out=$(probe certrep -S success -t t-crl -c aes-128-cbc -r "$T/rq.pem" -L "$PUB/crl/issuing.crl" -o "$T/crl-rep.der")
	expect_match "a SUCCESS carrying the issuing CA's CRL (GetCRL)" "$out" '^OK bytes='
	openssl cms -verify -inform DER -in "$T/crl-rep.der" -CAfile "$CHAIN" -binary -out "$T/crl-c.der" >/dev/null 2>&1
	openssl cms -decrypt -inform DER -in "$T/crl-c.der" -recip "$T/rq.pem" -inkey "$T/rq.key" -binary -out "$T/crl-deg.der" 2>/dev/null
	expect_match "... decrypts to a PKCS#7 holding the CRL" "$(openssl pkcs7 -inform DER -in "$T/crl-deg.der" -print 2>&1)" \
		'crl:'
	check_not "... and no certificate" grep -q 'cert_info' <(openssl pkcs7 -inform DER -in "$T/crl-deg.der" -print 2>&1)
else
	fail "certmint crl generate wrote the issuing CRL ($(cat "$T/crl.out"))"
fi
cat > "$T/ca.cnf" <<EOF
[ca]
default_ca = x
[x]
database = $T/index.txt
crlnumber = $T/crlnumber
default_md = sha256
default_crl_days = 1
EOF
: > "$T/index.txt"
echo 01 > "$T/crlnumber"
openssl ca -config "$T/ca.cnf" -gencrl -keyfile "$T/other.key" -cert "$T/other.pem" -out "$T/other.crl" 2>/dev/null
expect_match "a CRL signed by another key: refused" \
	"$(probe certrep -S success -t t1 -c aes-128-cbc -r "$T/rq.pem" -L "$T/other.crl" -o "$T/x.der")" \
	'^REFUSED: the CRL was not signed by this signer.s issuing or root CA'
expect_match "certificates and a CRL together: refused" \
	"$(probe certrep -S success -t t1 -c aes-128-cbc -r "$T/rq.pem" -C "$T/issued.pem" -L "$PUB/crl/issuing.crl" -o "$T/x.der")" \
	'^REFUSED: a SUCCESS CertRep carries 1 to 4 certificates or one CRL'

# ---- [access]: a uid without the rights is refused
GRP=$(stat -c %G "$SOCK")
out=$(setpriv --reuid="$CERTMINT_ADMIN_FCGI_USER" --regid="$GRP" --clear-groups "$PROBE" -s "$SOCK" decrypt "$T/env.der" 2>&1)
expect_match "scep-decrypt as $CERTMINT_ADMIN_FCGI_USER refused" "$out" \
	"^REFUSED: operation scep-decrypt not allowed for uid $(id -u "$CERTMINT_ADMIN_FCGI_USER")"
out=$(setpriv --reuid="$CERTMINT_ADMIN_FCGI_USER" --regid="$GRP" --clear-groups "$PROBE" -s "$SOCK" certrep -S pending \
	-t t1 -o "$T/x.der" 2>&1)
expect_match "scep-certrep as $CERTMINT_ADMIN_FCGI_USER refused" "$out" \
	"^REFUSED: operation scep-certrep not allowed for uid $(id -u "$CERTMINT_ADMIN_FCGI_USER")"
# scep.fcgi's uid issues the SCEP profiles (client-smime, and client-device for
# device types) and nothing else; the admin portal's does not issue device ones.
openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -subj "/CN=scep31-dev-$$.demo.test" -out "$T/devprof.csr" 2>/dev/null
chmod 644 "$T/devprof.csr"
mkdir -m 1777 "$T/w"   # the probe writes the certificate as that uid
sprobe_as() { local u=$1; shift; setpriv --reuid="$u" --regid="$GRP" --clear-groups "$SPROBE" -s "$SOCK" "$@" 2>&1; }
out=$(sprobe_as "$CERTMINT_SCEP_FCGI_USER" issue -p client-device -r "$T/devprof.csr" -o "$T/w/devprof.pem")
expect_match "as $CERTMINT_SCEP_FCGI_USER a client-device issue is served" "$out" '^OK serial=[0-9a-f]{32}$'
expect_match "... clientAuth only" "$(openssl x509 -in "$T/w/devprof.pem" -noout -ext extendedKeyUsage 2>/dev/null | tail -n 1)" \
	'^ *TLS Web Client Authentication$'
out=$(sprobe_as "$CERTMINT_SCEP_FCGI_USER" issue -p tls-server -r "$T/devprof.csr")
expect_match "... a tls-server issue is refused" "$out" '^REFUSED: profile tls-server not allowed'
out=$(sprobe_as "$CERTMINT_SCEP_FCGI_USER" issue -p code-signing -r "$T/devprof.csr")
expect_match "... and so is code-signing" "$out" '^REFUSED: profile code-signing not allowed'
out=$(sprobe_as "$CERTMINT_ADMIN_FCGI_USER" issue -p client-device -r "$T/devprof.csr")
expect_match "as $CERTMINT_ADMIN_FCGI_USER client-device is refused ([access] grants it to scep.fcgi only)" "$out" \
	'^REFUSED: profile client-device not allowed'

# ---- rotation: the old RA certificate keeps decrypting (clients cache it from GetCACert)
rm -f "$T/env-old.der"
envelope "$T/dev.csr" "$T/ra.pem" "$T/env-old.der" -aes256
restart_signer $'ra_cert_days = 500\nra_rotate_days = 400'
check "signerd restarted with ra_cert_days 500, ra_rotate_days 400" test -S "$SOCK"
expect_match "signerd logs the rotation" "$(tail -n 40 "$CERTMINT_STACK/logs/signerd.log")" \
	'SCEP RA certificate rotated: serial [0-9A-F]+, not after .*the previous one still decrypts'
probe ra-cert "$T/ra2.der" > /dev/null
openssl x509 -inform DER -in "$T/ra2.der" -out "$T/ra2.pem" 2>/dev/null
RA2=$(serial_of -in "$T/ra2.pem")
check "a new RA certificate in ca-chain ($RA1 -> $RA2)" test -n "$RA2" -a "$RA2" != "$RA1"
days=$(( ($(date -d "$(openssl x509 -in "$T/ra2.pem" -noout -enddate | cut -d= -f2)" +%s) - NOW) / 86400 ))
check "... valid for ra_cert_days = 500 ($days)" test "$days" -ge 499 -a "$days" -le 500
expect_match "an envelope to the old RA certificate still decrypts" "$(probe decrypt "$T/env-old.der")" '^OK cipher=aes-256-cbc '
rm -f "$T/env.der"
envelope "$T/dev.csr" "$T/ra2.pem" "$T/env.der" -aes256
expect_match "an envelope to the new one decrypts" "$(probe decrypt "$T/env.der")" '^OK cipher=aes-256-cbc '
out=$(probe certrep -S pending -t t-rot -o "$T/rot.der")
openssl cms -verify -inform DER -in "$T/rot.der" -CAfile "$CHAIN" -content /dev/null -binary -out /dev/null \
	-signer "$T/rot-signer.pem" > /dev/null 2>&1
expect_eq "CertReps are signed by the new one" "$(serial_of -in "$T/rot-signer.pem")" "$RA2"
expect_eq "the old and the new one are both in the journal" \
	"$(grep -ciE "	($RA1|$RA2)	signer\.scep-ra	" "$CERTMINT_JOURNAL")" 2
check "the previous pair is in the vault" test -e "$CERTMINT_VAULT/scep-ra-prev.crt" -a -e "$CERTMINT_VAULT/scep-ra-prev.key"
# Back to the defaults: the 500-day certificate is not due; both pairs load from the vault.
restart_signer ""
probe ra-cert "$T/ra3.der" > /dev/null
expect_eq "with the defaults again the new certificate is kept" \
	"$(serial_of -inform DER -in "$T/ra3.der")" "$RA2"
expect_match "... loaded from the vault" "$(tail -n 40 "$CERTMINT_STACK/logs/signerd.log")" 'SCEP RA certificate loaded from the vault'
expect_match "... and the old one still decrypts after the restart" "$(probe decrypt "$T/env-old.der")" '^OK cipher=aes-256-cbc '

# ---- certmint journal check never imports the RA certificates
"${CLI[@]}" journal check --journal "$CERTMINT_JOURNAL" --min-age 0 --dry-run > "$T/jc.out" 2>&1
check_not "journal check does not offer to recover an RA certificate" grep -qiE "$RA1|$RA2" "$T/jc.out"
expect_match "... and counts the signer's own it skipped" "$(tail -n 1 "$T/jc.out")" "[0-9]+ of the signer's own skipped"

done_testing
