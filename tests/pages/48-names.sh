#!/bin/bash
# 48-names.sh: issuing through the portal and the CLI with the names issue 8 found issued (NUL, CR/LF or a trailing space in the CN, markup, a CN that is no SAN, underscores, *.co.uk, loopback IPs) is refused with the reason and leaves no row; a certificate's O/L/ST/C come from the organisation's record, never from the CSR, and it carries no OU.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-48-names.XXXXXX)
FORGE=$CERTMINT_BUILD/tests/tools/csr-forge
CLI_BIN=$CERTMINT_BUILD/tools/certmint
org_a=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
orig=$(sql "SELECT CONCAT_WS('|', IFNULL(city, ''), IFNULL(state, ''), IFNULL(country, '')) FROM organizations WHERE id = '${org_a:-0}'")
restore() {
	local city state country
	IFS='|' read -r city state country <<< "$orig"
	sql "UPDATE organizations SET city = NULLIF('${city//\'/\'\'}', ''), state = NULLIF('${state//\'/\'\'}', ''),
		country = NULLIF('${country//\'/\'\'}', '') WHERE id = '${org_a:-0}'" > /dev/null
}
trap 'restore; rm -rf "$T"; harness_down' EXIT
[ -x "$FORGE" ] || { fail "csr-forge built"; done_testing; exit 1; }
[ -n "$org_a" ] || { fail "Demo Organisation exists"; done_testing; exit 1; }
# The organisation's record is where the subject comes from.
sql "UPDATE organizations SET city = 'Canterbury', state = 'Kent', country = 'GB' WHERE id = '$org_a'" > /dev/null

cert_count() { sql 'SELECT COUNT(*) FROM certificates' 2>/dev/null || echo "query-failed-$RANDOM"; }
forge() { local n=$1; shift; "$FORGE" -o "$T/$n.csr" "$@" || fail "csr-forge $n"; }
TAG=$$

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"

# portal_refused CSR-NAME DESCRIPTION TEXT: POST /certificates/new into
# organisation A answers 400 with TEXT (grep -F) on the form, and no row.
portal_refused() {
	local n=$1 what=$2 want=$3 before
	before=$(cert_count)
	post /certificates/new "csrf=$(csrf)" "csr@$T/$n.csr" profile=tls-server "org=$org_a" > /dev/null
	expect_eq "portal, $what: refused (400)" "$(status)" 400
	check "portal, $what: the form says why ($want)" grep -qF -- "$want" "$T/body"
	expect_eq "portal, $what: no certificate row" "$(cert_count)" "$before"
}

forge cnnul   -c "names48-$TAG.demo.test\\0.evil.example" -n "DNS:names48-$TAG.demo.test"
forge cnspace -c "names48-$TAG.demo.test " -n "DNS:names48-$TAG.demo.test"
forge cncrlf  -c "names48-$TAG.demo.test\\r\\n" -n "DNS:names48-$TAG.demo.test"
forge cnhtml  -c '<img src=x onerror=alert(1)>' -n "DNS:names48-$TAG.demo.test"
forge under   -c "a_b-$TAG.demo.test" -n "DNS:a_b-$TAG.demo.test"
forge hyphen  -c "names48-$TAG-.demo.test" -n "DNS:names48-$TAG-.demo.test"
forge sannul  -c "names48-$TAG.demo.test" -n "DNS:names48-$TAG.demo.test" -n "DNS:names48-$TAG.demo.test\\0.evil.example"
forge ctrl_o  -c "names48-$TAG.demo.test" -O 'Evil\nCorp' -n "DNS:names48-$TAG.demo.test"

portal_refused cnnul "a CN with a NUL byte" "contains a NUL byte"
portal_refused cnspace "a CN with a trailing space" "is not one of the certificate&#39;s DNS or IP subjectAltNames"
portal_refused cncrlf "a CN with CR/LF" "contains a control character (U+000D)"
portal_refused cnhtml "a CN holding markup" "is not one of the certificate&#39;s DNS or IP subjectAltNames"
check_not "portal: the markup comes back escaped" grep -qF '<img src=x' "$T/body"
portal_refused under "an underscore" "contains an underscore"
portal_refused hyphen "a label ending in a hyphen" "starts or ends with a hyphen"
portal_refused sannul "a DNS SAN with a NUL byte" "is not a valid DNS name"
portal_refused ctrl_o "a line feed in the CSR's O (not even kept)" "contains a control character (U+000A)"

# ---- the subject: O/L/ST/C from the organisation, CN from the CSR, no OU
good=names48-good-$TAG.demo.test
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/good.key" -out "$T/good.csr" \
	-subj "/C=US/ST=Nowhere/L=Elsewhere/O=From The CSR/OU=CSR Unit/CN=$good" \
	-addext "subjectAltName=DNS:$good" 2>/dev/null
post /certificates/preview "csrf=$(csrf)" "csr@$T/good.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "preview with the organisation: 200" "$(status)" 200
check "preview shows the subject of the certificate, from the organisation's record" \
	grep -qF "CN=$good,O=Demo Organisation,L=Canterbury,ST=Kent,C=GB" "$T/body"
before=$(cert_count)
post /certificates/new "csrf=$(csrf)" "csr@$T/good.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "a CSR with its own O/OU/L/ST/C is issued (303)" "$(status)" 303
id=$(location); id=${id##*/}
expect_eq "... one row" "$(cert_count)" "$((before + 1))"
sql "SELECT HEX(der) FROM certificates WHERE id = '${id:-0}'" | xxd -r -p > "$T/good.der" 2>/dev/null
subj=$(openssl x509 -inform DER -in "$T/good.der" -noout -subject -nameopt RFC2253 2>/dev/null)
expect_eq "the certificate's subject: CN from the CSR, O/L/ST/C from the organisation, no OU" "$subj" \
	"subject=CN=$good,O=Demo Organisation,L=Canterbury,ST=Kent,C=GB"
expect_eq "the row's subject_dn says the same" "$(sql "SELECT subject_dn FROM certificates WHERE id = '${id:-0}'")" \
	"CN=$good,O=Demo Organisation,L=Canterbury,ST=Kent,C=GB"

# ---- the CLI, with allow_loopback_ip at its default (no) and --any-name,
# which skips only the domain check, never the name rules.
grep -v '^allow_loopback_ip' "$CERTMINT_CONF" > "$T/certmint.conf"
run() { out=$("$CLI_BIN" -c "$T/certmint.conf" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
cli_refused() {   # cli_refused CSR-NAME DESCRIPTION REGEX [issue args]
	local n=$1 what=$2 want=$3 before
	shift 3
	before=$(cert_count)
	run issue --profile tls-server --csr "$T/$n.csr" --customer "$CERTMINT_CUSTOMER" "$@"
	expect_eq "CLI, $what: exit 2" "$rc" 2
	expect_match "CLI, $what: says why" "$err" "$want"
	expect_eq "CLI, $what: no certificate row" "$(cert_count)" "$before"
}
forge lo4  -c "names48-lo-$TAG.demo.test" -n "DNS:names48-lo-$TAG.demo.test" -n 'IP:127.0.0.1'
forge any6 -c "names48-lo-$TAG.demo.test" -n "DNS:names48-lo-$TAG.demo.test" -n 'IP:::'
forge lhost -c localhost -n 'DNS:localhost'
forge psl  -c "names48-psl-$TAG.demo.test" -n "DNS:names48-psl-$TAG.demo.test" -n 'DNS:*.co.uk'
forge ipdns -c "names48-ip-$TAG.demo.test" -n "DNS:names48-ip-$TAG.demo.test" -n 'DNS:192.0.2.1'
cli_refused lo4 "IP:127.0.0.1 with --any-name" "127\.0\.0\.1 is a loopback address" --any-name
cli_refused any6 "IP::: with --any-name" "the unspecified address" --any-name
cli_refused lhost "DNS:localhost with --any-name" "\"localhost\" is a single label" --any-name
cli_refused psl "*.co.uk with --any-name" "public suffix co\.uk" --any-name
cli_refused ipdns "an IP address as a DNS name, with --any-name" "IP address written as a DNS name" --any-name
cli_refused cnnul "a CN with a NUL byte, with --any-name" "NUL byte" --any-name
cli_refused cnspace "a CN with a trailing space" "is not one of the certificate's DNS or IP subjectAltNames" --org "$org_a"
done_testing
