#!/bin/bash
# 34-scep-forge.sh: the SCEP test client tests/tools/scep-forge against an independent server, Debian's micromdm
# scepserver (no certmint stack needed): PKCSReq by POST and GET with each cipher and digest enrolls and the CertRep
# verifies and decrypts; a wrong challenge gives FAILURE; rep refuses a wrong nonce or RA; the hostile messages are
# what they claim (tampered ones fail `openssl cms -verify`, omitted attributes are absent); bulk makes distinct requests.
. tests/lib.sh

FORGE="$CERTMINT_BUILD/tests/tools/scep-forge"
T=$(mktemp -d /tmp/cm-34-forge.XXXXXX)
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
[ -x "$FORGE" ] || { fail "scep-forge built ($FORGE)"; done_testing; exit 1; }
command -v scepserver > /dev/null || { fail "scepserver installed (Debian package scep, tests/deps.sh)"; done_testing; exit 1; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT/scep"
(cd "$T" && scepserver ca -init -depot depot > ca-init.out 2>&1)
# micromdm listens on every address (no bind option): the port is a fresh one, the run short.
scepserver -depot "$T/depot" -port "$PORT" -challenge "forge-Code-42" > "$T/server.log" 2>&1 &
SPID=$!
for _ in $(seq 100); do curl -fs "$URL?operation=GetCACaps" > "$T/caps" 2>/dev/null && break; sleep 0.05; done
check "scepserver answers GetCACaps" grep -qx POSTPKIOperation "$T/caps"
curl -fs "$URL?operation=GetCACert" -o "$T/ra.der"
check "GetCACert gives its CA (its RA)" openssl x509 -inform DER -in "$T/ra.der" -noout
openssl genrsa -out "$T/k.pem" 2048 2> /dev/null

# enroll CIPHER DIGEST METHOD: one PKCSReq through the server, the CertRep read back. Each
# with its own CN: micromdm refuses a second certificate for a CN long before renewal time.
enroll() {
	local c=$1 d=$2 m=$3 out nonce tid b64
	out=$("$FORGE" req --ra "$T/ra.der" --key "$T/k.pem" --subject "/CN=dev-$c-$d-$m/emailAddress=dev@example.org" \
		--challenge forge-Code-42 --cipher "$c" --digest "$d" --tid "tid-$c-$d-$m" \
		--cert-out "$T/self-$c.der" -o "$T/req-$c.der")
	nonce=${out##*senderNonce=}
	tid=${out%% *}
	expect_eq "req prints the tid ($c $d)" "$tid" "tid=tid-$c-$d-$m"
	if [ "$m" = POST ]; then
		curl -fs --data-binary @"$T/req-$c.der" -H 'Content-Type: application/x-pki-message' \
			"$URL?operation=PKIOperation" -o "$T/rep-$c.der"
	else
		b64=$(base64 -w0 < "$T/req-$c.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
		curl -fs "$URL?operation=PKIOperation&message=$b64" -o "$T/rep-$c.der"
	fi
	"$FORGE" rep --ra "$T/ra.der" --key "$T/k.pem" --cert "$T/self-$c.der" "$T/rep-$c.der" \
		--expect-nonce "$nonce" --expect-tid "tid-$c-$d-$m" -o "$T/cert-$c-$m.pem" > "$T/rep-$c.out" 2>&1
	expect_eq "rep reads and verifies the CertRep ($c $d $m)" "$?" 0
	expect_match "SUCCESS with the nonce echoed ($c $d $m)" "$(cat "$T/rep-$c.out")" \
		"^status=0 failInfo=- tid=tid-$c-$d-$m recipientNonce=$nonce senderNonce=[0-9A-F]{32}"
	expect_match "the certificate carries the CSR's CN ($c $d $m)" \
		"$(openssl x509 -in "$T/cert-$c-$m.pem" -noout -subject 2>&1)" "CN ?= ?dev-$c-$d-$m"
}
enroll aes-256-cbc sha256 POST
enroll aes-128-cbc sha512 POST
enroll des-ede3-cbc sha1 POST
enroll aes-256-cbc sha256 GET

# A wrong challenge: FAILURE, read without a key (no content to decrypt).
out=$("$FORGE" req --ra "$T/ra.der" --key "$T/k.pem" --subject /CN=bad --challenge wrong -o "$T/bad.der")
nonce=${out##*senderNonce=}
curl -fs --data-binary @"$T/bad.der" "$URL?operation=PKIOperation" -o "$T/bad-rep.der"
expect_match "wrong challenge: FAILURE with a failInfo" \
	"$("$FORGE" rep --ra "$T/ra.der" "$T/bad-rep.der" --expect-nonce "$nonce" 2>&1)" "^status=2 failInfo=[0-4] "
check_not "rep: a recipientNonce other than expected fails" \
	"$FORGE" rep --ra "$T/ra.der" "$T/bad-rep.der" --expect-nonce 00000000000000000000000000000000
check_not "rep: a tid other than expected fails" "$FORGE" rep --ra "$T/ra.der" "$T/bad-rep.der" --expect-tid other
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/o.key" -subj /CN=other -outform DER -out "$T/other.der" 2> /dev/null
check_not "rep: a CertRep not signed by the RA given fails" "$FORGE" rep --ra "$T/other.der" "$T/bad-rep.der"
check_not "rep: a SUCCESS without --key/--cert fails" "$FORGE" rep --ra "$T/ra.der" "$T/rep-aes-128-cbc.der"

# The hostile messages are what they say (checked with stock OpenSSL, not with certmint's parser).
mk() { "$FORGE" req --ra "$T/ra.der" --key "$T/k.pem" --subject /CN=h --challenge x -o "$T/$1.der" "${@:2}" > /dev/null; }
verifies() { openssl cms -verify -inform DER -in "$T/$1.der" -noverify -binary -out "$T/$1.env" > /dev/null 2>&1; }
attrs() { openssl cms -cmsout -print -inform DER -in "$T/$1.der" 2>&1; }
mk plain
check "an untampered message verifies with openssl cms" verifies plain
for k in sig attr content; do
	mk "t-$k" --tamper "$k"
	check_not "--tamper $k: openssl cms -verify fails" verifies "t-$k"
done
mk no-nonce --no-nonce
expect_match "the untampered one has messageType, senderNonce, transactionID" \
	"$(attrs plain | grep -c '2.16.840.1.113733.1.9.[257])')" '^3$'
expect_match "--no-nonce: no senderNonce" "$(attrs no-nonce | grep -c '2.16.840.1.113733.1.9.5)')" '^0$'
mk no-type --omit type
expect_match "--omit type: no messageType" "$(attrs no-type | grep -c '2.16.840.1.113733.1.9.2)')" '^0$'
mk md5 --digest md5
expect_match "--digest md5: the signer's digest is MD5" "$(attrs md5)" "algorithm: md5"
mk getcert --type 21 --serial 1A2B3C --cipher des-cbc
verifies getcert
openssl cms -decrypt -provider legacy -provider default -inform DER -in "$T/getcert.env" -inkey "$T/depot/ca.key" \
	-passin pass: -recip "$T/depot/ca.pem" -binary -out "$T/ias.der" 2> /dev/null
expect_match "--type 21 --serial: IssuerAndSerialNumber (RA's issuer, the serial) under single DES" \
	"$(openssl asn1parse -inform DER -in "$T/ias.der" 2>&1)" "INTEGER +:1A2B3C"
expect_match "--cipher des-cbc: contentEncryptionAlgorithm des-cbc" \
	"$(openssl cms -cmsout -print -inform DER -in "$T/getcert.env" 2>&1)" "des-cbc"

# bulk: distinct requests from a small key pool (reused on a second run).
"$FORGE" bulk --ra "$T/ra.der" --n 6 --keys 2 --dir "$T/bulk" --subject '/CN=bulk{i}' --challenge forge-Code-42 \
	--pool "$T/pool.pem" > /dev/null
expect_eq "bulk: six messages" "$(find "$T/bulk" -name "*.msg" | wc -l)" 6
expect_eq "bulk: six distinct transactionIDs" "$(cut -f2 "$T/bulk/index.tsv" | sort -u | wc -l)" 6
expect_eq "bulk: the pool holds two keys" "$(grep -c 'BEGIN PRIVATE KEY' "$T/pool.pem")" 2
"$FORGE" bulk --ra "$T/ra.der" --n 3 --keys 2 --dir "$T/bulk2" --subject '/CN=again{i}' --pool "$T/pool.pem" > /dev/null
expect_eq "bulk: a second run reuses the pool" "$(grep -c 'BEGIN PRIVATE KEY' "$T/pool.pem")" 2
i=4
curl -fs --data-binary @"$T/bulk/00000$i.msg" "$URL?operation=PKIOperation" -o "$T/bulk-rep.der"
out=$("$FORGE" rep --ra "$T/ra.der" --key "$T/bulk/00000$i.key" --cert "$T/bulk/00000$i.crt" "$T/bulk-rep.der" \
	--expect-nonce "$(awk -v i=$i '$1 == i { print $3 }' "$T/bulk/index.tsv")" 2>&1)
expect_match "bulk: a request enrolls" "$out" "^status=0 "
expect_match "bulk: its key and certificate decrypt the reply" "$out" "BEGIN CERTIFICATE"

done_testing
