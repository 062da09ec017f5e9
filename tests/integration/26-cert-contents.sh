#!/bin/bash
# 26-cert-contents.sh: what relying parties see: CDP, AIA and the policy OID in certificates issued through the CLI and the portal, the issuing CA's pointers to the root, /ca/ served by Apache (certmint publish ca), and certmint revoke.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

read -ra CLI <<< "$CERTMINT_CLI"
CLI_BIN=${CLI[0]}
T=$(mktemp -d /tmp/cm-26-contents.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin
TAG=$$$RANDOM

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
# conf_value FILE SECTION KEY: the value of KEY in [SECTION] of an ini file.
conf_value() {
	awk -v sec="[$2]" -v key="$3" '/^\[/ { s = $0 } s == sec && $1 == key { sub(/^[^=]*=[ \t]*/, ""); print; exit }' "$1"
}
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.csr" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}
ext() { openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null; }
PUBLISH_DIR=$(conf_value "$CERTMINT_CONF" publish dir)
BASE=$(conf_value "$CERTMINT_SIGNER_CONF" publish base_url)
OID=$(conf_value conf/signer-profiles.conf "profile tls-server" policy_oid)
expect_eq "the stack's signer names the stack's own http URL as [publish] base_url" "$BASE" "$CERTMINT_URL"
expect_match "the tls-server profile has a 2.25 policy OID" "$OID" '^2\.25\.[0-9]+(\.[0-9]+)*$'

# check_ee NAME FILE: CDP, AIA (both URLs) and the policy OID of an end-entity certificate.
check_ee() {
	local c
	c=$(ext "$2" crlDistributionPoints)
	expect_match "$1: CRL distribution point $BASE/crl/issuing.crl" "$c" "URI:$BASE/crl/issuing\.crl"
	c=$(ext "$2" authorityInfoAccess)
	expect_match "$1: AIA caIssuers $BASE/ca/issuing.crt" "$c" "CA Issuers - URI:$BASE/ca/issuing\.crt"
	expect_match "$1: AIA OCSP $BASE/ocsp" "$c" "OCSP - URI:$BASE/ocsp"
	c=$(ext "$2" certificatePolicies)
	expect_match "$1: certificatePolicies carries the profile's OID" "$c" "Policy: $OID\$"
	check "$1: verifies against the CA chain" openssl verify -CAfile "$CERTMINT_CA_PEM" "$2"
}

# ---- a certificate issued through the CLI
mkcsr cli "contents-cli-$TAG.demo.test"
run issue --profile tls-server --csr "$T/cli.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "certmint issue exits 0" "$rc" 0
printf '%s\n' "$out" > "$T/cli.pem"
check_ee "CLI certificate" "$T/cli.pem"

# ---- a certificate issued through the portal (an auto-approving organisation)
ORG=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL")
mkcsr portal "contents-portal-$TAG.demo.test"
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
MCSRF=$(csrf)
post /certificates/new "csr@$T/portal.csr" profile=tls-server "org=$ORG" "csrf=$MCSRF" > /dev/null
expect_eq "the portal's issue form answers 303" "$(status)" 303
PID_=$(location); PID_=${PID_##*/}
expect_eq "... and the certificate is issued" "$(sql "SELECT status FROM certificates WHERE id = '${PID_:-0}'")" issued
sql "SELECT HEX(der) FROM certificates WHERE id = '${PID_:-0}'" | xxd -r -p > "$T/portal.der"
openssl x509 -inform DER -in "$T/portal.der" -out "$T/portal.pem" 2>/dev/null
check_ee "portal certificate" "$T/portal.pem"

# ---- the issuing CA (created by ca-init when the stack came up) points at the root
awk '/BEGIN CERTIFICATE/{n++} n==1' "$CERTMINT_CA_PEM" > "$T/issuing.pem"
awk '/BEGIN CERTIFICATE/{n++} n==2' "$CERTMINT_CA_PEM" > "$T/root.pem"
expect_match "issuing CA: CRL distribution point is the root's CRL" "$(ext "$T/issuing.pem" crlDistributionPoints)" \
	"URI:$BASE/crl/root\.crl"
c=$(ext "$T/issuing.pem" authorityInfoAccess)
expect_match "issuing CA: caIssuers is the root certificate" "$c" "CA Issuers - URI:$BASE/ca/root\.crt"
check_not "issuing CA: no OCSP URL (nothing answers for the root)" grep -q OCSP <<< "$c"
expect_eq "the root carries no CDP or AIA" "$(ext "$T/root.pem" crlDistributionPoints,authorityInfoAccess)" ""

# ---- /ca/ as relying parties fetch it
openssl x509 -in "$T/issuing.pem" -outform DER -out "$T/issuing.der"
openssl x509 -in "$T/root.pem" -outform DER -out "$T/root.der"
code=$(curl -s -o "$T/got-issuing.crt" -D "$T/h1" -w '%{http_code}' "$CERTMINT_URL/ca/issuing.crt")
expect_eq "GET /ca/issuing.crt over http without authentication: 200" "$code" 200
check "... the DER of the chain's issuing certificate" cmp "$T/got-issuing.crt" "$T/issuing.der"
expect_match "... as application/pkix-cert" "$(grep -i '^content-type:' "$T/h1" | tr -d '\r')" 'application/pkix-cert$'
# The caIssuers URL inside the certificate is the one that answers.
aia=$(ext "$T/cli.pem" authorityInfoAccess | sed -n 's/.*CA Issuers - URI:\(.*\)$/\1/p')
curl -s -o "$T/aia.crt" "$aia"
check "the EE certificate's caIssuers URL serves its issuer" cmp "$T/aia.crt" "$T/issuing.der"
code=$(curl -s -o "$T/got-root.crt" -w '%{http_code}' "$CERTMINT_URL/ca/root.crt")
expect_eq "GET /ca/root.crt: 200" "$code" 200
check "... the DER of the root" cmp "$T/got-root.crt" "$T/root.der"
code=$(curl -s --cacert "$CERTMINT_CA_PEM" -o "$T/https-issuing.crt" -w '%{http_code}' "$CERTMINT_HTTPS_URL/ca/issuing.crt")
expect_eq "GET /ca/issuing.crt over https: 200" "$code" 200
check "... the same bytes" cmp "$T/https-issuing.crt" "$T/issuing.der"
code=$(curl -s -o "$T/chain.pem" -D "$T/h2" -w '%{http_code}' "$CERTMINT_URL/ca/chain.pem")
expect_eq "GET /ca/chain.pem: 200" "$code" 200
expect_match "... as application/pem-certificate-chain" "$(grep -i '^content-type:' "$T/h2" | tr -d '\r')" 'application/pem-certificate-chain$'
check "chain.pem verifies: root as anchor, issuing CA untrusted, EE certificate" \
	openssl verify -CAfile "$T/root.pem" -untrusted "$T/chain.pem" "$T/cli.pem"
expect_eq "chain.pem holds two certificates" "$(grep -c 'BEGIN CERTIFICATE' "$T/chain.pem")" 2
check "chain.pem: issuing CA first" cmp <(awk '/BEGIN CERTIFICATE/{n++} n==1' "$T/chain.pem") "$T/issuing.pem"
# /crl/ is served the same way (certmint crl writes there).
printf 'x' > "$PUBLISH_DIR/crl/probe-$TAG.crl"
code=$(curl -s -o /dev/null -D "$T/h3" -w '%{http_code}' "$CERTMINT_URL/crl/probe-$TAG.crl")
expect_eq "GET /crl/FILE without authentication: 200" "$code" 200
expect_match "... as application/pkix-crl" "$(grep -i '^content-type:' "$T/h3" | tr -d '\r')" 'application/pkix-crl$'
rm -f "$PUBLISH_DIR/crl/probe-$TAG.crl"
printf 'x' > "$PUBLISH_DIR/ca/.half.tmp.$TAG"
code=$(curl -s -o /dev/null -w '%{http_code}' "$CERTMINT_URL/ca/.half.tmp.$TAG")
expect_eq "a publisher's temporary file is not served (403)" "$code" 403
rm -f "$PUBLISH_DIR/ca/.half.tmp.$TAG"

# ---- certmint publish ca
run publish ca
expect_eq "publish ca again exits 0" "$rc" 0
expect_match "... naming what it wrote" "$out" "published .*/ca/root.crt, issuing.crt, chain.pem"
check "... rewriting the same issuing.crt" cmp "$PUBLISH_DIR/ca/issuing.crt" "$T/issuing.der"
expect_eq "... leaving no temporary file" "$(find "$PUBLISH_DIR" -name '.*tmp*' | wc -l)" 0
expect_eq "... files readable by everyone (Apache)" "$(stat -c %a "$PUBLISH_DIR/ca/chain.pem")" 644
grep -v '^dir *=' "$CERTMINT_CONF" > "$T/nopublish.conf"
out=$("$CLI_BIN" -c "$T/nopublish.conf" publish ca 2>&1); rc=$?
expect_eq "publish ca without [publish] dir exits 1" "$rc" 1
expect_match "... saying what to configure" "$out" '\[publish\] dir'
run publish crl
expect_eq "publish of something else is a usage error (1)" "$rc" 1

# ---- certmint revoke
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
CLI_SERIAL=$(serial_of "$T/cli.pem")
CLI_ID=$(sql "SELECT id FROM certificates WHERE TRIM(LEADING '0' FROM serial_hex) = LOWER(TRIM(LEADING '0' FROM '$CLI_SERIAL'))")
a0=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$CLI_ID'")
run revoke "$CLI_SERIAL" --reason keyCompromiseX
expect_eq "a reason that is not offered is refused (2)" "$rc" 2
expect_match "... naming the reasons there are" "$err" "not a revocation reason.*keyCompromise.*privilegeWithdrawn"
run revoke "$CLI_SERIAL" --reason certificateHold
expect_eq "certificateHold is refused (a revocation here is final)" "$rc" 2
expect_eq "... nothing revoked" "$(sql "SELECT status FROM certificates WHERE id = '$CLI_ID'")" issued
run revoke "7fffffffffffffffffffffffffff$((TAG % 10000))" --reason keyCompromise
expect_eq "an unknown serial is refused (2)" "$rc" 2
expect_match "... with a clear message" "$err" "refused: no certificate with serial"
run revoke "not-a-serial" --reason keyCompromise
expect_eq "a malformed serial is refused (2)" "$rc" 2
run revoke "$CLI_SERIAL"
expect_eq "revoke without --reason is a usage error (1)" "$rc" 1
run revoke "$CLI_SERIAL" --reason keyCompromise --customer "no-such-customer-$TAG"
expect_eq "an unknown --customer exits 1" "$rc" 1
run revoke "$CLI_SERIAL" --reason keyCompromise
expect_eq "certmint revoke exits 0" "$rc" 0
expect_match "... and says so" "$out" "revoked certificate .* reason keyCompromise"
expect_eq "the row is revoked with reason 1 (keyCompromise) and a time" \
	"$(sql "SELECT CONCAT(status, ' ', revocation_reason, ' ', revoked_at IS NOT NULL) FROM certificates WHERE id = '$CLI_ID'")" "revoked 1 1"
expect_eq "one audit row certificate.revoke by cli:USER" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$CLI_ID' AND actor LIKE 'cli:%'")" "$((a0 + 1))"
run revoke "$CLI_SERIAL" --reason superseded
expect_eq "a second revoke is refused (2)" "$rc" 2
expect_match "... saying it is revoked already" "$err" "refused: .*revoked"
expect_eq "... and keeps the first reason" "$(sql "SELECT revocation_reason FROM certificates WHERE id = '$CLI_ID'")" 1
expect_eq "... with no second audit row" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke' AND object_id = '$CLI_ID'")" "$((a0 + 1))"
# The portal's certificate by the serial as openssl prints it with colons, for its customer.
P_SERIAL=$(serial_of "$T/portal.pem" | sed 's/../&:/g; s/:$//')
run revoke "$P_SERIAL" --reason cessationOfOperation --customer "$CERTMINT_CUSTOMER"
expect_eq "revoke by a colon-separated serial with --customer exits 0" "$rc" 0
expect_eq "... the portal's certificate is revoked with reason 5" \
	"$(sql "SELECT CONCAT(status, ' ', revocation_reason) FROM certificates WHERE id = '${PID_:-0}'")" "revoked 5"

done_testing
