#!/bin/bash
# 32d-scep-kept.sh: what scep.fcgi keeps from one request to the next (its signer connection, its prepared statements) and the outcome it records with the certificate: enrollments in a row all succeed with distinct serials, so does one sent after signerd closed the idle kept connection (read_timeout_ms), and each transaction row names its certificate with one update audit row, without a refused signer connection.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u

T=$(mktemp -d /tmp/cm-32b-scep.XXXXXX)
trap 'rm -rf "$T"' EXIT
SCEP=$CERTMINT_SCEP_URL
FORGE=$CERTMINT_BUILD/tests/tools/scep-forge
SIGNER_LOG=$CERTMINT_LOG_DIR/signerd.log
# More requests than the stack has scep.fcgi workers, so most workers serve two or more.
N=20
TAG=kept$$$RANDOM
serial_of() { openssl x509 -inform DER -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
refused() { grep -c 'max_connections_per_uid' "$SIGNER_LOG"; }

curl -s -o "$T/ca.p7" "$SCEP?operation=GetCACert"
openssl pkcs7 -inform DER -in "$T/ca.p7" -print_certs 2>/dev/null |
	awk '/^subject=.*SCEP RA/ { keep = 1 } /BEGIN CERT/ && keep { on = 1 } on { print } /END CERT/ && on { exit }' |
	openssl x509 -outform DER -out "$T/ra.der" 2>/dev/null
check "the RA certificate from GetCACert" test -s "$T/ra.der"
"$FORGE" bulk --ra "$T/ra.der" --n $((N + 1)) --dir "$T/req" --pool "$T/pool.pem" --keys $((N + 1)) --bits 2048 \
	--challenge "$CERTMINT_ACCESS_CODE" --cipher aes-256-cbc --digest sha256 \
	--subject "/CN=$TAG-{i}@$CERTMINT_EMAIL_DOMAIN/emailAddress=$TAG-{i}@$CERTMINT_EMAIL_DOMAIN" > "$T/bulk.out" 2>&1
check "$((N + 1)) requests built" test "$(wc -l < "$T/req/index.tsv")" -eq $((N + 1))

r0=$(refused)
# enroll I: sends request I, checks and decrypts the CertRep; 0 when it is a SUCCESS.
enroll() {
	local m
	m=$(printf '%s/req/%06d' "$T" "$1")
	curl -s -o "$m.rep" --data-binary @"$m.msg" -H 'Content-Type: application/x-pki-message' \
		"$SCEP?operation=PKIOperation" &&
		"$FORGE" rep --ra "$T/ra.der" --key "$m.key" --cert "$m.crt" -o "$m.pem" "$m.rep" > "$m.out" 2>&1 &&
		grep -q '^status=0 ' "$m.out" &&
		openssl x509 -in "$m.pem" -outform DER -out "$m.der" 2>/dev/null
}
bad=0
for i in $(seq 0 $((N - 1))); do enroll "$i" || bad=$((bad + 1)); done
expect_eq "$N enrollments in a row (kept signer connections, kept statements): all SUCCESS" "$bad" 0
serials=$(for i in $(seq 0 $((N - 1))); do f=$(printf '%s/req/%06d.der' "$T" "$i"); [ -s "$f" ] && serial_of "$f"; done | sort -u | wc -l)
expect_eq "... with $N distinct serials" "$serials" "$N"

# signerd closes a connection silent for read_timeout_ms (5 s in the stack): the worker's kept
# one is gone by now, and the next enrollment must go over a new one.
sleep 6
check "an enrollment after signerd closed the idle kept connections: SUCCESS" enroll "$N"
expect_eq "no signer connection of scep.fcgi refused at max_connections_per_uid" "$(($(refused) - r0))" 0

# The outcome is recorded in the certificate's own transaction: each transaction row names the
# certificate with that serial, with one scep.transaction_update audit row.
mismatch=0
for i in $(seq 0 "$N"); do
	read -r _ tid _ < <(sed -n "$((i + 1))p" "$T/req/index.tsv")
	f=$(printf '%s/req/%06d.der' "$T" "$i")
	[ -s "$f" ] || { mismatch=$((mismatch + 1)); continue; }
	got=$(sql "SELECT CONCAT(t.status, ' ', c.serial_hex, ' ', (SELECT COUNT(*) FROM audit_log a
		WHERE a.action = 'scep.transaction_update' AND a.object_id = t.transaction_id))
		FROM scep_transactions t JOIN certificates c ON c.id = t.certificate_id
		WHERE t.transaction_id = '$tid'")
	[ "$got" = "issued $(serial_of "$f") 1" ] || { diag "transaction $tid: $got"; mismatch=$((mismatch + 1)); }
done
expect_eq "each transaction row: issued, its certificate's serial, one update audit row" "$mismatch" 0

done_testing
