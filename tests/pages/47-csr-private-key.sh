#!/bin/bash
# 47-csr-private-key.sh: a private key pasted into the CSR field (issue and preview) is refused, never
# echoed back into the form, and the page tells the administrator that the key is now exposed.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-47-key.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT

cert_count() { sql 'SELECT COUNT(*) FROM certificates' 2>/dev/null || echo "query-failed-$RANDOM"; }
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/key.pem" 2>/dev/null
openssl genrsa -traditional -out "$T/rsa.pem" 2048 2>/dev/null
# One line of each key's base64: it must appear nowhere in the answer.
secret=$(sed -n 2p "$T/key.pem")
rsa_secret=$(sed -n 3p "$T/rsa.pem")
before=$(cert_count)

for route in new preview; do
	TOKEN=$(csrf)
	post /certificates/$route "csrf=$TOKEN" "csr@$T/key.pem" "profile=tls-server" > /dev/null
	expect_eq "$route: a pasted PKCS#8 private key is refused" "$(status)" 400
	check "$route: the page says the key is exposed" grep -qF 'treat this key as exposed' "$T/body"
	check_not "$route: the key is not echoed back" grep -qF "$secret" "$T/body"
	check_not "$route: nor its BEGIN line" grep -qF 'BEGIN PRIVATE KEY' "$T/body"
	TOKEN=$(csrf)
	# A key pasted after a CSR-looking line is still a key.
	{ echo "junk"; cat "$T/rsa.pem"; } > "$T/mixed.pem"
	post /certificates/$route "csrf=$TOKEN" "csr@$T/mixed.pem" "profile=tls-server" > /dev/null
	expect_eq "$route: an RSA (PKCS#1) key after other text is refused too" "$(status)" 400
	check_not "$route: and not echoed" grep -qF "$rsa_secret" "$T/body"
done
expect_eq "no certificate row was written" "$(cert_count)" "$before"
done_testing
