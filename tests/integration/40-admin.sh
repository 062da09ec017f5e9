#!/bin/bash
# 40-admin.sh: admin.fcgi end to end: Kerberos login, the CSR form with CSRF, issuance, downloads,
# refusals (non-admin, no ticket, no token, bad CSRs) that write no row, and the audit rows.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-40-admin.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin

cert_count() { sql 'SELECT COUNT(*) FROM certificates'; }

if ! login_as admin "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"; then
	fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
	done_testing
	exit 1
fi
ok "kinit as the administrator"

# --- home page
page=$(get /)
expect_eq "GET /admin/ is 200" "$(status)" 200
expect_match "home shows the administrator's principal" "$page" "$CERTMINT_ADMIN_PRINCIPAL"
expect_match "home shows the role" "$page" 'MRAO'
expect_match "session cookie set for /admin/ with HttpOnly" "$(grep -i '^set-cookie:' "$T/headers")" \
	'certmint_session=[0-9a-f]{64}; Path=/admin/;.*HttpOnly'

# --- the form and its CSRF token
page=$(get /certificates/new)
expect_eq "GET the CSR form is 200" "$(status)" 200
csrf=$(csrf_of "$page")
expect_match "the form carries a CSRF token" "$csrf" '^[0-9a-f]{64}$'
expect_match "the form offers the tls-server profile" "$page" 'option value="tls-server"'

# --- CSRs
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/good.key" -out "$T/good.csr" \
	-subj "/CN=www.demo.test" -addext "subjectAltName=DNS:www.demo.test" 2>/dev/null
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -out "$T/weak.csr" \
	-subj "/CN=weak.demo.test" -addext "subjectAltName=DNS:weak.demo.test" 2>/dev/null
openssl req -in "$T/good.csr" -outform DER -out "$T/good.der"
perl -0777 -pe 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' "$T/good.der" > "$T/flip.der"
{ echo '-----BEGIN CERTIFICATE REQUEST-----'; base64 -w 64 "$T/flip.der"; echo '-----END CERTIFICATE REQUEST-----'; } > "$T/flip.csr"
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/xss.key" -out "$T/xss.csr" \
	-subj "/O=<script>alert(1)<\/script>/CN=x.demo.test" -addext "subjectAltName=DNS:x.demo.test" 2>/dev/null
check "test CSRs generated" test -s "$T/good.csr" -a -s "$T/weak.csr" -a -s "$T/flip.csr" -a -s "$T/xss.csr"

# --- preview
page=$(post /certificates/preview "csr@$T/good.csr" profile=tls-server "csrf=$csrf")
expect_eq "preview of a good CSR is 200" "$(status)" 200
expect_match "preview shows the SAN" "$page" 'DNS:www\.demo\.test'
expect_match "preview shows the key size" "$page" 'rsa 2048 bits'
expect_match "preview says the signature is valid" "$page" '<span class="good">valid</span>'
expect_match "preview keeps the pasted CSR" "$page" 'BEGIN CERTIFICATE REQUEST'
page=$(post /certificates/preview "csr@$T/xss.csr" profile=tls-server "csrf=$csrf")
case "$page" in
*'<script>alert(1)'*) fail "a hostile subject is escaped in the preview" ;;
*) expect_match "a hostile subject is escaped in the preview" "$page" '&lt;script.?&gt;alert' ;;
esac

# --- refusals that must write nothing
before=$(cert_count)
post /certificates/new "csr@$T/good.csr" profile=tls-server >/dev/null
expect_eq "POST without a CSRF token is 403" "$(status)" 403
expect_match "... with the form-expired message" "$(cat "$T/body")" 'The form expired or was not sent from certmint'
post /certificates/new "csr@$T/good.csr" profile=tls-server "csrf=$(printf '0%.0s' {1..64})" >/dev/null
expect_eq "POST with a wrong CSRF token is 403" "$(status)" 403
page=$(post /certificates/new "csr=this is not a CSR" profile=tls-server "csrf=$csrf")
expect_eq "malformed CSR is 400" "$(status)" 400
expect_match "... saying it is not a CSR" "$page" 'not a PEM CSR'
expect_match "... and keeping what was typed" "$page" '>this is not a CSR</textarea>'
page=$(post /certificates/new "csr@$T/weak.csr" profile=tls-server "csrf=$csrf")
expect_eq "RSA-1024 CSR is 400" "$(status)" 400
expect_match "... saying 2048 bits are needed" "$page" 'RSA keys must be at least 2048 bits; this CSR has a 1024-bit key'
page=$(post /certificates/new "csr@$T/flip.csr" profile=tls-server "csrf=$csrf")
expect_eq "CSR with a flipped signature byte is 400" "$(status)" 400
expect_match "... saying the signature does not verify" "$page" "signature does not verify"
page=$(post /certificates/new "csr@$T/good.csr" profile=no-such-profile "csrf=$csrf")
expect_eq "unknown profile is 400" "$(status)" 400
expect_eq "no certificate row written by any refusal" "$(cert_count)" "$before"

# --- issue
post /certificates/new "csr@$T/good.csr" profile=tls-server "csrf=$csrf" >/dev/null
expect_eq "POST a good CSR is 303" "$(status)" 303
loc=$(header Location)
expect_match "redirect to the detail page" "$loc" '/admin/certificates/[0-9]+$'
id=${loc##*/}
expect_eq "exactly one certificate row added" "$(cert_count)" "$((before + 1))"
expect_eq "the row is issued, ssl, for the demo customer, requested by the admin" \
	"$(sql "SELECT CONCAT_WS(' ', c.status, c.cert_type, c.profile, u.uri, c.requested_by, c.common_name) FROM certificates c JOIN customers u ON u.id = c.customer_id WHERE c.id = ${id:-0}")" \
	"issued ssl tls-server $CERTMINT_CUSTOMER $CERTMINT_ADMIN_PRINCIPAL www.demo.test"

page=$(get "/certificates/$id")
expect_eq "detail page is 200" "$(status)" 200
expect_match "detail shows the SAN" "$page" 'DNS:www\.demo\.test'
expect_match "detail shows the EKU" "$page" 'serverAuth'
expect_match "detail shows the chain" "$page" 'class="chain"'
page=$(get /certificates)
expect_eq "list page is 200" "$(status)" 200
expect_match "list links the new certificate" "$page" "href=\"/admin/certificates/$id\""

# --- downloads
get "/certificates/$id/download?format=pem" > "$T/cert.pem"
expect_eq "PEM download is 200" "$(status)" 200
expect_eq "PEM Content-Type" "$(header Content-Type)" application/x-pem-file
expect_match "PEM is an attachment" "$(header Content-Disposition)" '^attachment; filename="certificate-[0-9a-f]+\.pem"$'
check "the certificate verifies against the CA chain" openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/cert.pem"
expect_match "the certificate has EKU serverAuth" \
	"$(openssl x509 -in "$T/cert.pem" -noout -ext extendedKeyUsage 2>&1)" 'TLS Web Server Authentication'
expect_match "the certificate has the requested SAN" \
	"$(openssl x509 -in "$T/cert.pem" -noout -ext subjectAltName 2>&1)" 'DNS:www\.demo\.test'
get "/certificates/$id/download?format=chain" > "$T/chain.pem"
expect_eq "chain download is 200" "$(status)" 200
expect_eq "chain holds certificate, issuing CA and root" "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.pem")" 3
openssl x509 -in "$T/chain.pem" -out "$T/leaf-from-chain.pem"
check "the chain file alone verifies with the root" openssl verify -CAfile "$CERTMINT_CA_PEM" \
	-untrusted "$T/chain.pem" "$T/leaf-from-chain.pem"
get "/certificates/$id/download?format=der" > "$T/cert.der"
expect_eq "DER Content-Type" "$(header Content-Type)" application/pkix-cert
check "DER parses" openssl x509 -inform DER -in "$T/cert.der" -noout
get "/certificates/$id/download?format=p7b" > "$T/cert.p7b"
expect_eq "PKCS#7 Content-Type" "$(header Content-Type)" application/pkcs7-mime
expect_eq "PKCS#7 parses and holds 3 certificates" \
	"$(openssl pkcs7 -inform DER -in "$T/cert.p7b" -print_certs 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" 3
get "/certificates/$id/download?format=exe" >/dev/null
expect_eq "unknown download format is 400" "$(status)" 400

# --- another customer's certificate is invisible
sql "INSERT IGNORE INTO customers (uri, name) VALUES ('other-40', 'Other customer')"
sql "INSERT INTO certificates (customer_id, cert_type, profile, status, common_name)
	SELECT id, 'ssl', 'tls-server', 'requested', 'other.example' FROM customers WHERE uri = 'other-40'"
other=$(sql "SELECT MAX(c.id) FROM certificates c JOIN customers u ON u.id = c.customer_id WHERE u.uri = 'other-40'")
get "/certificates/$other" >/dev/null
expect_eq "another customer's certificate is 404" "$(status)" 404
get "/certificates/$other/download?format=pem" >/dev/null
expect_eq "... and so is its download" "$(status)" 404
get /no/such/page >/dev/null
expect_eq "unknown page is 404" "$(status)" 404

# --- audit
expect_match "audit row for the login" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND actor = '$CERTMINT_ADMIN_PRINCIPAL'")" '^[1-9]'
expect_eq "audit row for the issuance" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.issue' AND object_id = '$id' AND actor = '$CERTMINT_ADMIN_PRINCIPAL'")" 1

# --- names outside the customer's validated, delegated domains are refused
demo_org=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/google.csr" \
	-subj "/CN=www.google.com" -addext "subjectAltName=DNS:www.google.com" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/mail.csr" \
	-subj "/CN=Mallory Example" -addext "subjectAltName=email:mallory@other.test" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/ip.csr" \
	-subj "/CN=ip.demo.test" -addext "subjectAltName=DNS:ip.demo.test,IP:127.0.0.1" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/ok.csr" \
	-subj "/CN=ra-ok-$$.demo.test" -addext "subjectAltName=DNS:ra-ok-$$.demo.test" 2>/dev/null
before=$(cert_count)
page=$(post /certificates/new "csr@$T/google.csr" profile=tls-server "org=$demo_org" "csrf=$csrf")
expect_eq "CSR for DNS:www.google.com is 400" "$(status)" 400
expect_match "... naming the name, the organisation and the type" "$page" \
	'www\.google\.com is not in a validated domain delegated to Demo Organisation for SSL certificates'
expect_match "... and the form keeps the CSR" "$page" 'BEGIN CERTIFICATE REQUEST'
page=$(post /certificates/new "csr@$T/google.csr" profile=tls-server "csrf=$csrf")
expect_eq "... also without an organisation" "$(status)" 400
page=$(post /certificates/new "csr@$T/mail.csr" profile=client-smime "org=$demo_org" "csrf=$csrf")
expect_eq "client-smime CSR for another organisation's e-mail domain is 400" "$(status)" 400
expect_match "... naming the address" "$page" \
	'mallory@other\.test is not in a validated domain delegated to Demo Organisation for client/S-MIME certificates'
page=$(post /certificates/new "csr@$T/ip.csr" profile=tls-server "org=$demo_org" "csrf=$csrf")
expect_eq "CSR with an IP SAN is 400 on the web" "$(status)" 400
expect_match "... saying why" "$page" 'IP address SAN 127\.0\.0\.1'
expect_eq "no certificate row written for refused names" "$(cert_count)" "$before"
post /certificates/new "csr@$T/ok.csr" profile=tls-server "org=$demo_org" "csrf=$csrf" >/dev/null
expect_eq "a name under demo.test for Demo Organisation is still issued (303)" "$(status)" 303
expect_eq "... one row added, for the organisation" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE common_name = 'ra-ok-$$.demo.test' AND org_id = '${demo_org:-0}'")" 1

# --- other principals
if login_as bob "$CERTMINT_USER_PRINCIPAL" "$CERTMINT_USER_PASSWORD"; then
	page=$(get /)
	expect_eq "a non-administrator gets 403" "$(status)" 403
	expect_match "... with a clear message" "$page" \
		"Your Kerberos login $CERTMINT_USER_PRINCIPAL is not a certmint administrator. Ask an MRAO to add you."
	expect_match "audit row for the refused login" \
		"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'login.denied' AND actor = '$CERTMINT_USER_PRINCIPAL'")" '^[1-9]'
else
	fail "kinit as $CERTMINT_USER_PRINCIPAL"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/")
expect_eq "no ticket gets 401" "$code" 401
kdestroy -q -c "$T/admin.cc" 2>/dev/null
kdestroy -q -c "$T/bob.cc" 2>/dev/null
done_testing
