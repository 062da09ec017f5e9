#!/bin/bash
# 20-signer.sh: talks raw protocol to the stack's signerd and checks that it
# refuses everything outside its profiles, drops bad frames and stays up.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

PROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
SOCK="$CERTMINT_SIGNER_SOCKET"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
probe() { "$PROBE" -s "$SOCK" "$@" 2>&1; }

[ -x "$PROBE" ] || { fail "signer-probe built ($PROBE)"; done_testing; exit 1; }

# CSRs made with the openssl CLI.
ec_csr() { # ec_csr NAME SUBJ [openssl req args...]
	local n=$1 subj=$2; shift 2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$n.key" \
		-subj "$subj" -out "$T/$n.csr" "$@" 2>/dev/null
}
ec_csr good /CN=probe.certmint.test -addext "subjectAltName=DNS:probe.certmint.test,IP:127.0.0.1"
ec_csr caask /CN=sub-ca.certmint.test -addext "subjectAltName=DNS:sub-ca.certmint.test" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
ec_csr mail /CN=Bob -addext "subjectAltName=email:bob@certmint.test"
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -subj /CN=weak.certmint.test \
	-addext "subjectAltName=DNS:weak.certmint.test" -out "$T/weak.csr" 2>/dev/null
openssl req -in "$T/good.csr" -outform DER -out "$T/badsig.der"
# Flip one bit of the last signature byte: the CSR still parses, its signature fails.
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[1],"wb").write(b)' "$T/badsig.der"

# The chain.
out=$(probe chain)
expect_eq "ca-chain returns issuing + root" "$(printf '%s\n' "$out" | grep -c 'BEGIN CERTIFICATE')" 2
printf '%s\n' "$out" > "$T/chain.pem"
grep -q 'BEGIN CERTIFICATE' "$T/chain.pem" || diag "the signer has no CA: was certmint init run on this stack? ($out)"

# A valid issuance.
out=$(probe issue -p tls-server -r "$T/good.csr" -o "$T/good.pem")
expect_match "valid tls-server issue accepted" "$out" '^OK serial=[0-9a-f]{32}$'
serial=${out#OK serial=}
check "issued certificate verifies against the chain" \
	openssl verify -CAfile "$T/chain.pem" -purpose sslserver "$T/good.pem"
text=$(openssl x509 -in "$T/good.pem" -noout -text 2>/dev/null)
expect_match "certificate carries serverAuth only" "$text" 'TLS Web Server Authentication$'
expect_match "certificate is CA:FALSE" "$text" 'CA:FALSE'
expect_match "certificate keeps the CSR's SANs" "$text" 'DNS:probe.certmint.test, IP Address:127.0.0.1'
got_serial=$(openssl x509 -in "$T/good.pem" -noout -serial 2>/dev/null | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
expect_eq "reply serial is the certificate's" "$got_serial" "$(echo "$serial" | sed 's/^0*//')"
if [ -r "${CERTMINT_JOURNAL:-}" ]; then
	expect_match "issuance is in the journal" "$(grep -F "$serial" "$CERTMINT_JOURNAL")" "tls-server"
fi

# Refusals with reasons.
out=$(probe issue -p tls-server -r "$T/good.csr" -C)
expect_match "request flagged CA refused" "$out" '^REFUSED: CA certificates cannot be issued by profile tls-server'
out=$(probe issue -p tls-server -r "$T/caask.csr")
expect_match "CSR asking for CA:TRUE refused" "$out" '^REFUSED: CA certificates cannot be issued by profile tls-server'
out=$(probe issue -p tls-server -r "$T/good.csr" -d 398)
expect_match "validity over the profile maximum refused" "$out" '^REFUSED: requested validity of 398 days exceeds the 397-day maximum'
out=$(probe issue -p tls-server -r "$T/good.csr" -e codeSigning)
expect_match "EKU outside the profile refused" "$out" '^REFUSED: extended key usage codeSigning is not allowed by profile tls-server'
out=$(probe issue -p tls-server -r "$T/weak.csr")
expect_match "RSA-1024 refused" "$out" '^REFUSED: RSA key of 1024 bits is below the 2048-bit minimum'
out=$(probe issue -p tls-server -r "$T/badsig.der")
expect_match "bad CSR signature refused" "$out" '^REFUSED: CSR signature is invalid'
out=$(probe issue -p tls-server -r "$T/mail.csr")
expect_match "SAN type outside the profile refused" "$out" '^REFUSED: email subjectAltNames are not allowed by profile tls-server'
out=$(probe issue -p root-ca -r "$T/good.csr")
expect_match "unknown profile refused" "$out" "^REFUSED: unknown profile 'root-ca'"
out=$(probe issue -p client-smime -r "$T/mail.csr" -o "$T/mail.pem")
expect_match "client-smime with an email SAN accepted" "$out" '^OK serial='
expect_match "client-smime carries clientAuth + emailProtection" \
	"$(openssl x509 -in "$T/mail.pem" -noout -ext extendedKeyUsage 2>/dev/null)" 'TLS Web Client Authentication, E-mail Protection'

# Protocol faults: unknown op and malformed frames drop the connection,
# an over-limit frame is refused (without being read) and dropped.
out=$(probe raw-op 99)
expect_eq "unknown op drops the connection" "$out" "DROPPED"
out=$(probe raw-op 0x8000)
expect_eq "a reply op sent as a request drops the connection" "$out" "DROPPED"
# Reserved ops (numbers kept for the next issues) are not served: like an
# unknown op, logged and dropped, with or without the issue fields.
for op in keygen code-sign timestamp vault-backup vault-restore; do
	expect_eq "reserved op $op drops the connection" "$(probe raw-op "$op")" "DROPPED"
done
# audit-checkpoint is served (issue 8): with no fields it lists the signed
# checkpoints (56-audit-checkpoint.sh tests it in full).
expect_match "audit-checkpoint without fields is a list, answered" "$(probe raw-op audit-checkpoint)" '^OK op=32768$'
# crl-sign is served (issue 9): without its step field it is refused, in step
# (27-crl.sh tests it in full).
expect_match "crl-sign without fields is refused with a reason" "$(probe raw-op crl-sign)" \
	'^REFUSED: the crl-sign request lacks the required field crl-step$'

if [ -r "$CERTMINT_STACK/logs/signerd.log" ]; then
	expect_match "signerd logs the reserved op it did not serve" "$(cat "$CERTMINT_STACK/logs/signerd.log")" \
		'operation keygen \(9\) is reserved, not yet served; dropping connection'
fi
# Each op's field set: a field the op does not use is refused with a
# reason, and the connection (still in step) keeps serving.
out=$(probe extra-field -r "$T/good.csr")
expect_match "issue carrying a passphrase field refused" "$out" \
	'^REFUSED: field passphrase is not part of an issue request$'
expect_match "connection still serves after the refusal" "$out" '^SERVING$'
out=$(probe chain-with-field)
expect_match "ca-chain carrying a field refused" "$out" '^REFUSED: field profile is not part of a ca-chain request$'
expect_match "connection still serves after the ca-chain refusal" "$out" '^SERVING$'
out=$(probe raw-op issue)
expect_match "issue without its required fields refused" "$out" \
	'^REFUSED: the issue request lacks the required field profile$'
out=$(probe oversize)
expect_match "over-limit frame refused" "$out" 'REFUSED: frame of 1048589 bytes exceeds the 1048576-byte limit'
expect_match "over-limit frame then dropped" "$out" 'DROPPED'
expect_eq "bad protocol version drops the connection" "$(probe bad-version)" "DROPPED"
expect_eq "truncated fields drop the connection" "$(probe bad-fields)" "DROPPED"
expect_match "many requests on one connection" "$(probe multi 20)" '^OK 20 requests'
expect_eq "signer still answers after the faults" \
	"$(probe chain | grep -c 'BEGIN CERTIFICATE')" 2

# Per-uid operation ACL: the web program's uid (certmint-admin, issue 8; Apache's
# www-data has no access at all, see 12-trust-boundaries) may not create a CA.
PROG=${CERTMINT_ADMIN_FCGI_USER:-certmint-admin}
if [ "$(id -u)" = 0 ] && id "$PROG" >/dev/null 2>&1; then
	asweb() { setpriv --reuid="$PROG" --regid="$PROG" --init-groups "$@"; }
	out=$(asweb "$PROBE" -s "$SOCK" ca-init -k ecdsa-p256 -R "/CN=Evil Root" -I "/CN=Evil CA" 2>&1)
	expect_match "ca-init as $PROG refused" "$out" "^REFUSED: operation ca-init not allowed for uid $(id -u "$PROG")"
	# Per-profile issue rights: the web user may not get an OCSP-signing certificate.
	mkdir -m 755 "$T/pub"
	chmod 711 "$T"
	ec_csr ocsp "/CN=OCSP Responder"
	cp "$T/good.csr" "$T/ocsp.csr" "$T/pub/"
	chmod 644 "$T/pub/"*.csr
	webuid=$(id -u "$PROG")
	out=$(asweb "$PROBE" -s "$SOCK" issue -p ocsp-signing -r "$T/pub/ocsp.csr" 2>&1)
	expect_match "ocsp-signing as $PROG refused" "$out" "^REFUSED: profile ocsp-signing not allowed for uid $webuid\$"
	out=$(asweb "$PROBE" -s "$SOCK" issue -p tls-server -r "$T/pub/good.csr" 2>&1)
	expect_match "tls-server as $PROG allowed" "$out" '^OK serial=[0-9a-f]{32}$'
	out=$(probe issue -p ocsp-signing -r "$T/ocsp.csr" -o "$T/ocsp.pem")
	expect_match "ocsp-signing as root (plain issue) allowed" "$out" '^OK serial='
	# A uid with no [access] line (here nobody, in the socket's group) is
	# closed at once, before it can send a request or hold a thread.
	if id nobody >/dev/null 2>&1; then
		out=$(setpriv --reuid=nobody --regid="$(stat -c %G "$SOCK")" --clear-groups "$PROBE" -s "$SOCK" chain 2>&1)
		# Closed before the request is read: EOF, a broken pipe or a reset.
		expect_match "uid without [access] line: connection closed" "$out" \
			'^(DROPPED|ERROR: signer: .*(Broken pipe|Connection reset|closed the connection))'
		out=$(timeout 5 setpriv --reuid=nobody --regid="$(stat -c %G "$SOCK")" --clear-groups "$PROBE" -s "$SOCK" idle 2>&1)
		expect_eq "uid without [access] line: closed without any request" "$out" "DROPPED"
		if [ -r "$CERTMINT_STACK/logs/signerd.log" ]; then
			expect_match "signerd logs the closed peer" "$(cat "$CERTMINT_STACK/logs/signerd.log")" \
				"uid $(id -u nobody) pid [0-9]+: no operation allowed for this uid; closing"
		fi
	fi
	# 64 idle connections from one uid once filled every slot and held them
	# for 30 s: other programs' requests waited, and a web issuance failed.
	# Now one uid holds at most max_connections_per_uid (16) and an idle
	# connection is dropped after read_timeout_ms (5 s).
	hold=()
	for i in $(seq 1 64); do
		asweb "$PROBE" -s "$SOCK" idle > "$T/idle.$i" 2>&1 &
		hold+=($!)
	done
	sleep 1
	start=$(date +%s%N)
	out=$(probe -t 3000 chain)
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_match "another uid is served at once while one uid opens 64 idle connections" "$out" 'BEGIN CERTIFICATE'
	check "... without waiting for a slot (took $ms ms)" test "$ms" -lt 2500
	out=$(asweb "$PROBE" -s "$SOCK" -t 3000 chain 2>&1)
	expect_match "the crowding uid itself is refused past its cap, not kept waiting" "$out" \
		'^(DROPPED|ERROR: signer: .*(Broken pipe|Connection reset|closed the connection))'
	if [ -r "$CERTMINT_STACK/logs/signerd.log" ]; then
		expect_match "signerd logs the refused connection" "$(cat "$CERTMINT_STACK/logs/signerd.log")" \
			"uid $(id -u "$PROG") pid [0-9]+: already 16 connections from this uid \\(max_connections_per_uid\\); closing"
	fi
	sleep 6
	expect_eq "idle connections are dropped after read_timeout_ms" \
		"$(cat "$T"/idle.* | grep -c '^DROPPED$')" 64
	kill "${hold[@]}" 2>/dev/null
	wait "${hold[@]}" 2>/dev/null
	out=$(asweb "$PROBE" -s "$SOCK" chain 2>&1)
	expect_match "the uid is served again once its connections are gone" "$out" 'BEGIN CERTIFICATE'
	if [ -n "${CERTMINT_VAULT:-}" ]; then
		check_not "$PROG cannot list the vault" asweb ls "$CERTMINT_VAULT"
		check_not "$PROG cannot read the vault key file" asweb cat "$(sed -n 's/^vault_key_file *= *//p' "$CERTMINT_SIGNER_CONF")"
	fi
	# Started as root with a [signer] user, the daemon must not keep root.
	if grep -Eq '^user *=' "${CERTMINT_SIGNER_CONF:-/dev/null}"; then
		pid=$(ss -xlpn 2>/dev/null | grep -F "$SOCK " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
		if [ -n "$pid" ]; then
			expect_match "signerd runs without root" "$(ps -o uid= -p "$pid")" '^ *[1-9][0-9]*$'
		fi
	fi
else
	ok "# skip ACL checks need root and the program user (certmint-admin)"
fi

done_testing
