#!/bin/bash
# 72-cert-search.sh: the certificate list's search through certificate_names
# (CN, subjectAltNames, the e-mail column and the serial: host names, IPv6,
# e-mail addresses, serials with or without colons), department, issuer and
# organisation filters (also past the end of their selects), sort by common
# name, keyset pages that show each certificate once, scope (another
# organisation's RAO never sees them), 400s with the error next to the field,
# and certificate_names kept in step with certificates by the triggers.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-72-search.XXXXXX)
TAG=t$$$RANDOM
# all hex, so that host names and serials can be made to look alike
HEXTAG=$(openssl rand -hex 4)
# What this test adds by SQL goes again whatever happens.
cleanup() {
	sql "DELETE FROM certificates WHERE requested_by = 'test-72';
		DELETE FROM ca_certs WHERE subject LIKE 'CN=Fake 72-$TAG %';
		DELETE d FROM departments d JOIN organizations o ON o.id = d.org_id WHERE o.name LIKE '0-72-$TAG-%';
		DELETE FROM organizations WHERE name LIKE '0-72-$TAG-%'" 2>/dev/null
	rm -rf "$T"
}
trap 'cleanup; harness_down' EXIT
URL=$CERTMINT_URL/admin

# mkcsr FILE CN SAN...: an EC key and CSR with these DNS names.
mkcsr() {
	local f=$1 cn=$2 sans=
	shift 2
	for s in "$@"; do sans="${sans:+$sans,}DNS:$s"; done
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$f.key" \
		-out "$T/$f.csr" -subj "/CN=$cn" -addext "subjectAltName=$sans" 2>/dev/null
}
# ids: the certificate ids the last page links to, one a line.
ids() { sed -n 's|.*href="/admin/certificates/\([0-9][0-9]*\)".*|\1|p' "$T/body"; }
hidden() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$T/body" | head -n 1; }
# field_error NAME: the error text shown inside NAME's field on the last page.
field_error() {
	awk -v f="id=\"$1\"" 'index($0, f) { on = 1 } on && /class="error-text"/ { sub(/.*class="error-text">/, ""); sub(/<.*/, ""); print; exit } on && /<\/div>/ { exit }' "$T/body"
}
# select_of NAME: the options of the filter's select NAME on the last page.
select_of() { awk -v f="<select id=\"$1\"" 'index($0, f) { on = 1 } on { print } on && /<\/select>/ { exit }' "$T/body"; }
names_of() { sql "SELECT GROUP_CONCAT(CONCAT(name, '/', kind) ORDER BY name SEPARATOR ' ') FROM certificate_names WHERE cert_id = '${1:-0}'"; }

cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
org_a=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
org_b=$(sql "SELECT id FROM organizations WHERE name = 'Other Organisation' AND deleted_at IS NULL LIMIT 1")
dept_a=$(sql "SELECT id FROM departments WHERE org_id = '$org_a' AND name = 'Engineering' LIMIT 1")
dept_b=$(sql "SELECT id FROM departments WHERE org_id = '$org_b' AND deleted_at IS NULL ORDER BY id LIMIT 1")
issuing=$(sql "SELECT id FROM ca_certs WHERE kind = 'issuing' ORDER BY id DESC LIMIT 1")
root_ca=$(sql "SELECT id FROM ca_certs WHERE kind = 'root' ORDER BY id LIMIT 1")
if [ -z "$org_a" ] || [ -z "$org_b" ] || [ -z "$dept_a" ] || [ -z "$dept_b" ] || [ -z "$issuing" ] || [ -z "$root_ca" ]; then
	fail "fixture organisations, departments and CAs exist"
	done_testing
	exit 1
fi
ok "fixture organisations, departments and CAs exist"

# ---- certificates with several SANs, issued through the form
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
MCSRF=$(csrf)
mkcsr c1 "web-$TAG.demo.test" "web-$TAG.demo.test" "api-$TAG.demo.test" "alt-$TAG.demo.test"
mkcsr c2 "dept-$TAG.demo.test" "dept-$TAG.demo.test" "second-$TAG.demo.test"
post /certificates/new "csr@$T/c1.csr" profile=tls-server "org=$org_a" "csrf=$MCSRF" > /dev/null
expect_eq "a certificate with three SANs is issued in organisation A (303)" "$(status)" 303
C1=$(location); C1=${C1##*/}
post /certificates/new "csr@$T/c2.csr" profile=tls-server "org=$org_a/$dept_a" "csrf=$MCSRF" > /dev/null
expect_eq "a certificate with two SANs is issued in department Engineering (303)" "$(status)" 303
C2=$(location); C2=${C2##*/}
expect_eq "both are issued" "$(sql "SELECT GROUP_CONCAT(status ORDER BY id) FROM certificates WHERE id IN ('${C1:-0}', '${C2:-0}')")" "issued,issued"
S1=$(sql "SELECT serial_hex FROM certificates WHERE id = '${C1:-0}'")
expect_eq "certificate_names holds the CN, each SAN once (lower case) and the serial" "$(names_of "$C1")" \
	"$(printf '%s\n' "alt-$TAG.demo.test/dns" "api-$TAG.demo.test/dns" "web-$TAG.demo.test/cn" "$S1/serial" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"

# Rows written by SQL go through the same triggers: a wildcard, one in
# organisation B, and 55 requests with two matching names each (paging).
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, sans, requested_by)
	VALUES ($cust, $org_a, 'ssl', 'tls-server', 'requested', '*.wild-$TAG.demo.test', 'DNS:*.wild-$TAG.demo.test', 'test-72'),
	($cust, $org_b, 'ssl', 'tls-server', 'requested', 'b-$TAG.other.test', 'DNS:b-$TAG.other.test, DNS:shared-$TAG.demo.test', 'test-72')"
WILD=$(sql "SELECT id FROM certificates WHERE common_name = '*.wild-$TAG.demo.test'")
CB=$(sql "SELECT id FROM certificates WHERE common_name = 'b-$TAG.other.test'")
expect_eq "a wildcard is stored as written and under its base name" "$(names_of "$WILD")" \
	"*.wild-$TAG.demo.test/cn wild-$TAG.demo.test/wildcard"
# every fifth without a CN, so that the CN sort pages over NULLs too
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, sans, requested_by)
	SELECT $cust, $org_a, 'ssl', 'tls-server', 'requested', IF(seq % 5 = 0, NULL, CONCAT('pg-$TAG-', seq, '.demo.test')),
	CONCAT('DNS:pg-$TAG-', seq, '.demo.test, DNS:pg-$TAG-', seq, '-www.demo.test, IP:10.0.0.', seq), 'test-72' FROM seq_1_to_55"
expect_eq "55 paging rows, 110 matching names" "$(sql "SELECT COUNT(*) FROM certificate_names WHERE customer_id = $cust AND name LIKE 'pg-$TAG-%'")" 110

# ---- name search
get "/certificates?q=alt-$TAG" > /dev/null
expect_eq "a SAN that is not the CN finds the certificate (200)" "$(status)" 200
expect_eq "... exactly that one" "$(ids | sort -u | tr '\n' ' ')" "$C1 "
check "... and shows the matching name" grep -q "alt-$TAG.demo.test <span class=\"small\">(dns)" "$T/body"
get "/certificates?q=API-${TAG^^}.DEMO" > /dev/null
expect_eq "the search ignores case" "$(ids | sort -u | tr '\n' ' ')" "$C1 "
get "/certificates?q=web-$TAG.demo.test" > /dev/null
expect_eq "the CN finds it too" "$(ids | sort -u | tr '\n' ' ')" "$C1 "
get "/certificates?q=*.wild-$TAG" > /dev/null
expect_eq "\"*.wild-…\" finds the wildcard" "$(ids | sort -u | tr '\n' ' ')" "$WILD "
get "/certificates?q=wild-$TAG.demo" > /dev/null
expect_eq "... and so does its base name" "$(ids | sort -u | tr '\n' ' ')" "$WILD "
check "... shown as the wildcard" grep -q "\*.wild-$TAG.demo.test <span class=\"small\">(dns)" "$T/body"
get "/certificates?q=pg-$TAG-1_" > /dev/null
expect_eq "_ in a name search is literal (200, empty)" "$(status) $(ids | wc -l)" "200 0"
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "the MRAO finds organisation B's certificate by its SAN" "$(ids | sort -u | tr '\n' ' ')" "$CB "

# ---- what the search text looks like: IPv6, e-mail, serial, hex-like host names
H4=${HEXTAG:0:4}
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, sans, email, requested_by)
	VALUES ($cust, $org_a, 'ssl', 'tls-server', 'requested', 'v6-$TAG.demo.test', 'DNS:v6-$TAG.demo.test, IP:2001:db8:$H4::1', NULL, 'test-72'),
	($cust, $org_a, 'client', 'client-smime', 'requested', 'Mail $TAG', 'email:second-$TAG@demo.test', NULL, 'test-72'),
	($cust, $org_a, 'client', 'client-smime', 'requested', 'Column $TAG', 'DNS:ec-$TAG.demo.test', 'Owner2-$TAG@Example.test', 'test-72'),
	($cust, $org_a, 'ssl', 'tls-server', 'requested', '${HEXTAG}01.demo.test', 'DNS:${HEXTAG}01.demo.test', NULL, 'test-72'),
	($cust, $org_a, 'ssl', 'tls-server', 'requested', '${S1:0:12}.demo.test', 'DNS:${S1:0:12}.demo.test', NULL, 'test-72')"
V6=$(sql "SELECT id FROM certificates WHERE common_name = 'v6-$TAG.demo.test'")
EM=$(sql "SELECT id FROM certificates WHERE common_name = 'Mail $TAG'")
EC=$(sql "SELECT id FROM certificates WHERE common_name = 'Column $TAG'")
HX=$(sql "SELECT id FROM certificates WHERE common_name = '${HEXTAG}01.demo.test'")
SB=$(sql "SELECT id FROM certificates WHERE common_name = '${S1:0:12}.demo.test' AND requested_by = 'test-72'")
get "/certificates?q=2001:db8:$H4" > /dev/null
expect_eq "an IPv6 prefix (hex and colons, not in pairs) finds the IP SAN (200)" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $V6 "
check "... shown as the matching name" grep -q "2001:db8:$H4::1 <span class=\"small\">(ip)" "$T/body"
get "/certificates?q=second-$TAG@demo" > /dev/null
expect_eq "an e-mail prefix finds the e-mail subjectAltName, not the host second-…" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $EM "
check "... shown as the matching name" grep -q "second-$TAG@demo.test <span class=\"small\">(email)" "$T/body"
get "/certificates?q=OWNER2-$TAG@example" > /dev/null
expect_eq "an e-mail prefix finds certificates.email (the subject's emailAddress), any case" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $EC "
expect_eq "... which is a name of kind email" "$(names_of "$EC")" "column $TAG/cn ec-$TAG.demo.test/dns owner2-$TAG@example.test/email"
get "/certificates?q=${HEXTAG}01" > /dev/null
expect_eq "a host name that is all hex (\"${HEXTAG}01\") is found" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $HX "
# (${S1:0:12}.demo.test starts with every prefix of S1 up to 12 digits.)
get "/certificates?q=${S1:0:14}" > /dev/null
expect_eq "a serial prefix finds the issued certificate" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $C1 "
check "... shown as the matching serial" grep -q "$S1 <span class=\"small\">(serial)" "$T/body"
colons=$(printf '%s' "${S1:0:16}" | sed 's/../&:/g; s/:$//' | tr 'a-f' 'A-F')
get "/certificates?q=$colons" > /dev/null
expect_eq "... and so does the same prefix as colon pairs, upper case ($colons)" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $C1 "
part=$(printf '%s' "${S1:0:13}" | sed 's/../&:/g')
get "/certificates?q=$part" > /dev/null
expect_eq "... and as pairs with the last group cut short, as typed so far ($part)" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $C1 "
get "/certificates?q=${S1:0:12}" > /dev/null
expect_eq "a serial-looking text also finds a host name that starts with it" "$(status) $(ids | sort -n | tr '\n' ' ')" \
	"200 $(printf '%s\n' "$C1" "$SB" | sort -n | tr '\n' ' ')"
get "/certificates?q=${S1:0:2}:${S1:2:3}" > /dev/null
expect_eq "colons between groups that are not pairs are no serial (searched as typed: 200, empty)" "$(status) $(ids | wc -l)" "200 0"

login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as carol"
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "RAO of A: organisation B's certificate is not found (200, empty)" "$(status) $(ids | wc -l)" "200 0"
get "/certificates?q=second-$TAG.demo" > /dev/null
expect_eq "RAO of A finds the department's certificate by SAN" "$(ids | sort -u | tr '\n' ' ')" "$C2 "
login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit as dave"
for q in "alt-$TAG" "second-$TAG" "wild-$TAG" "pg-$TAG" "web-$TAG"; do
	get "/certificates?q=$q" > /dev/null
	expect_eq "RAO of B never sees Demo Organisation's certificates ($q: 200, empty)" "$(status) $(ids | wc -l)" "200 0"
done
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "RAO of B finds its own by SAN" "$(ids | sort -u | tr '\n' ' ')" "$CB "
login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit as erin"
get "/certificates?q=alt-$TAG" > /dev/null
expect_eq "DRAO of Engineering does not see the organisation-level certificate (200, empty)" "$(status) $(ids | wc -l)" "200 0"
get "/certificates?q=second-$TAG" > /dev/null
expect_eq "... but its department's" "$(ids | sort -u | tr '\n' ' ')" "$C2 "

# ---- department filter
page=$(get "/certificates")
expect_match "the DRAO's department select offers Engineering" "$page" "option value=\"$dept_a\""
case "$page" in
*"option value=\"$dept_b\""*) fail "... and not another organisation's department" ;;
*) ok "... and not another organisation's department" ;;
esac
page=$(get "/certificates?dept=$dept_b")
expect_eq "the DRAO asking for another organisation's department gets 400" "$(status)" 400
expect_eq "... with the error next to the field" "$(field_error dept)" 'Choose a department from the list.'
login_as alice
page=$(get "/certificates?dept=$dept_a&q=dept-$TAG")
expect_eq "department filter + name search lists the department's certificate" "$(ids | sort -u | tr '\n' ' ')" "$C2 "
get "/certificates?dept=$dept_a&q=web-$TAG" > /dev/null
expect_eq "... and not the organisation-level one (200, empty)" "$(status) $(ids | wc -l)" "200 0"
get "/certificates?dept=$dept_a" > /dev/null
expect_eq "the department filter alone answers 200" "$(status)" 200
check "... and lists the department's certificate" grep -q "href=\"/admin/certificates/$C2\"" "$T/body"
check_not "... not the organisation-level one" grep -q "href=\"/admin/certificates/$C1\"" "$T/body"
expect_eq "... every row listed is in the department" \
	"$(ids | sort -u | while read -r i; do sql "SELECT COALESCE(dept_id, 0) FROM certificates WHERE id = $i"; done | sort -u | tr '\n' ' ')" "$dept_a "
page=$(get "/certificates?org=$org_b&dept=$dept_a")
expect_eq "a department of another organisation than the chosen one is 400" "$(status)" 400
expect_match "... saying so next to the department" "$(field_error dept)" 'belongs to another organisation than the one chosen'
expect_match "... keeping both choices" "$page" "option value=\"$dept_a\" selected"
page=$(get "/certificates?dept=abc&q=keep-$TAG")
expect_eq "a department that is not an id is 400" "$(status)" 400
expect_eq "... with its error" "$(field_error dept)" 'Choose a department from the list.'
expect_match "... keeping the search" "$page" "value=\"keep-$TAG\""
get "/certificates?dept=999999999" > /dev/null
expect_eq "an unknown department is 400" "$(status)" 400
get "/certificates?org=$org_a&dept=$dept_a" > /dev/null
expect_eq "organisation and its own department together are fine (200)" "$(status)" 200

# ---- organisation filter: only organisations the administrator sees
get "/certificates?org=999999999" > /dev/null
expect_eq "an unknown organisation is 400" "$(status)" 400
expect_eq "... with the error next to the field" "$(field_error org)" 'Choose an organisation from the list.'
login_as dave
get "/certificates?org=$org_a" > /dev/null
expect_eq "the RAO of Other Organisation choosing Demo Organisation gets 400" "$(status)" 400
expect_eq "... the same message as an unknown one" "$(field_error org)" 'Choose an organisation from the list.'
get "/certificates?org=$org_b" > /dev/null
expect_eq "... and his own organisation answers 200" "$(status)" 200
login_as alice

# ---- issuer filter
page=$(get "/certificates?issuer=$issuing&q=web-$TAG")
expect_eq "issuer filter + search answers 200" "$(status)" 200
expect_eq "... and lists the certificate issued by that CA" "$(ids | sort -u | tr '\n' ' ')" "$C1 "
expect_match "... the issuer stays selected" "$page" "option value=\"$issuing\" selected"
get "/certificates?issuer=$issuing&q=pg-$TAG" > /dev/null
expect_eq "requests (no issuer yet) are not listed under an issuer (200, empty)" "$(status) $(ids | wc -l)" "200 0"
page=$(get "/certificates?issuer=$root_ca")
expect_eq "the root CA is no issuer to choose (400)" "$(status)" 400
expect_eq "... with the error next to the field" "$(field_error issuer)" 'Choose an issuing CA from the list.'
get "/certificates?issuer=-1" > /dev/null
expect_eq "a malformed issuer is 400" "$(status)" 400

# ---- choices past the end of the selects (500 organisations, 1000
# departments, 100 issuing CAs) are checked by id and stay chosen
sql "INSERT INTO organizations (customer_id, name) SELECT $cust, CONCAT('0-72-$TAG-', LPAD(seq, 3, '0')) FROM seq_1_to_500"
sql "INSERT INTO departments (org_id, name) SELECT o.id, CONCAT('d-', LPAD(s.seq, 4, '0'))
	FROM organizations o JOIN seq_1_to_1000 s WHERE o.name = '0-72-$TAG-001'"
maxca=$(sql "SELECT COALESCE(MAX(id), 0) FROM ca_certs")
sql "INSERT INTO ca_certs (kind, subject, issuer, serial_hex, sha256, not_before, not_after, der, pem)
	SELECT 'issuing', CONCAT('CN=Fake 72-$TAG ', seq), 'CN=Fake root', LPAD(seq, 4, '0'), SHA2(CONCAT('72-$TAG-', seq), 256),
	UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 30 YEAR, '', '' FROM seq_1_to_100"
get "/certificates" > /dev/null
expect_eq "with 500 organisations, 1000 departments and 100 CAs listed first, the selects stop before ours" \
	"$(select_of org | grep -c "value=\"$org_a\"") $(select_of dept | grep -c "value=\"$dept_a\"") $(select_of issuer | grep -c "value=\"$issuing\"")" "0 0 0"
get "/certificates?org=$org_a&dept=$dept_a&q=dept-$TAG" > /dev/null
expect_eq "an organisation and department past the select's end are accepted (200)" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $C2 "
expect_eq "... and stay chosen in their selects" \
	"$(select_of org | grep -c "value=\"$org_a\" selected>Demo Organisation<") $(select_of dept | grep -c "value=\"$dept_a\" selected>Demo Organisation / Engineering<")" "1 1"
get "/certificates?issuer=$issuing&q=web-$TAG" > /dev/null
expect_eq "an older issuing CA past the select's end is accepted (200)" "$(status) $(ids | sort -u | tr '\n' ' ')" "200 $C1 "
expect_eq "... and stays chosen" "$(select_of issuer | grep -c "value=\"$issuing\" selected")" 1
get "/certificates?org=$org_b&dept=$dept_a" > /dev/null
expect_eq "... a department past the end still has to lie in the chosen organisation (400)" "$(status)" 400
sql "DELETE FROM ca_certs WHERE id > $maxca AND subject LIKE 'CN=Fake 72-$TAG %'"
sql "DELETE d FROM departments d JOIN organizations o ON o.id = d.org_id WHERE o.name LIKE '0-72-$TAG-%'"
sql "DELETE FROM organizations WHERE name LIKE '0-72-$TAG-%'"

# ---- keyset pages of a name search: each certificate exactly once
: > "$T/seen"
get "/certificates?q=pg-$TAG" > /dev/null
ids >> "$T/seen"
expect_eq "the first page of the search has 50 rows" "$(ids | wc -l)" 50
an=$(hidden after_name); ai=$(hidden after_id)
expect_match "... and a next-page link on the matching name" "$an" "^pg-$TAG-"
get "/certificates?q=pg-$TAG&after_name=$an&after_id=$ai&sort=created" > /dev/null
ids >> "$T/seen"
expect_eq "the second page has the other 5" "$(ids | wc -l)" 5
check_not "... and no next page" grep -q 'name="after_name"' "$T/body"
expect_eq "55 certificates, each exactly once" "$(sort "$T/seen" | uniq | wc -l) $(wc -l < "$T/seen")" "55 55"
expect_eq "... and they are the 55 rows" "$(sort -n "$T/seen" | tr '\n' ' ')" \
	"$(sql "SELECT id FROM certificates WHERE requested_by = 'test-72' AND sans LIKE 'DNS:pg-$TAG-%' ORDER BY id" | tr '\n' ' ')"
get "/certificates?q=pg-$TAG&after_name=x&after_id=abc" > /dev/null
expect_eq "a damaged name cursor is 400" "$(status)" 400

# ---- sort by common name, paged over the whole organisation
: > "$T/seen"
: > "$T/cns"
url="/certificates?org=$org_a&sort=cn"
for _ in $(seq 1 40); do
	page=$(get "$url")
	[ "$(status)" = 200 ] || break
	ids >> "$T/seen"
	sed -n 's|.*href="/admin/certificates/[0-9]*">\(.*\)</a></td>|\1|p' "$T/body" >> "$T/cns"
	grep -q 'name="after_id"' "$T/body" || break
	ai=$(hidden after_id)
	if grep -q 'name="after_nocn" value="1"' "$T/body"; then
		url="/certificates?org=$org_a&sort=cn&after_nocn=1&after_id=$ai"
	else
		url="/certificates?org=$org_a&sort=cn&after_cn=$(hidden after_cn | sed 's/&amp;/\&/g; s/%/%25/g; s/\*/%2A/g; s/ /%20/g')&after_id=$ai"
	fi
done
want=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cust AND org_id = $org_a")
expect_eq "sort by CN pages over every certificate of the organisation once" \
	"$(sort "$T/seen" | uniq | wc -l) $(wc -l < "$T/seen")" "$want $want"
# The order is the database's (utf8mb4_unicode_ci, NULL first), not the shell's.
expect_eq "... in the database's order: ORDER BY common_name, id" "$(tr '\n' ' ' < "$T/seen")" \
	"$(sql "SELECT id FROM certificates WHERE customer_id = $cust AND org_id = $org_a ORDER BY common_name, id" | tr '\n' ' ')"
nocn=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $cust AND org_id = $org_a AND common_name IS NULL")
expect_eq "... all $nocn rows without a CN first, and only they" \
	"$(head -n "$nocn" "$T/cns" | grep -cx '(no CN)') $(tail -n +$((nocn + 1)) "$T/cns" | grep -cx '(no CN)')" "$nocn 0"
get "/certificates?sort=cn&after_id=abc" > /dev/null
expect_eq "a damaged CN cursor is 400" "$(status)" 400
get "/certificates?sort=size" > /dev/null
expect_eq "an unknown sort is 400" "$(status)" 400

# ---- certificate_names follows updates and deletes
P1=$(sql "SELECT id FROM certificates WHERE common_name = 'pg-$TAG-1.demo.test'")
before=$(names_of "$P1")
sql "UPDATE certificates SET status = 'declined' WHERE id = $P1"
expect_eq "an update that keeps the names keeps them" "$(names_of "$P1")" "$before"
expect_eq "... the CN and both SANs" "$before" "10.0.0.1/ip pg-$TAG-1-www.demo.test/dns pg-$TAG-1.demo.test/cn"
sql "UPDATE certificates SET email = 'Owner-$TAG@Demo.test', serial_hex = '${HEXTAG}ee0000000000000000000000' WHERE id = $P1"
expect_eq "a new e-mail column and serial are added as names" "$(names_of "$P1")" \
	"$(printf '%s\n' "${HEXTAG}ee0000000000000000000000/serial" 10.0.0.1/ip "owner-$TAG@demo.test/email" \
		"pg-$TAG-1-www.demo.test/dns" "pg-$TAG-1.demo.test/cn" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
sql "UPDATE certificates SET email = NULL, serial_hex = NULL WHERE id = $P1"
expect_eq "... and go again when they are cleared" "$(names_of "$P1")" "$before"
sql "UPDATE certificates SET sans = 'DNS:renamed-$TAG.demo.test', common_name = NULL WHERE id = $P1"
expect_eq "an update of the SANs and CN replaces the names" "$(names_of "$P1")" "renamed-$TAG.demo.test/dns"
get "/certificates?q=renamed-$TAG" > /dev/null
expect_eq "... the search finds the new name" "$(ids | sort -u | tr '\n' ' ')" "$P1 "
get "/certificates?q=pg-$TAG-1.demo" > /dev/null
expect_eq "... and not the old one (200, empty)" "$(status) $(ids | wc -l)" "200 0"
# The triggers' rows against 016's batch recomputation (its backfill SELECT,
# run into a temporary table): every certificate, every name and kind.
recompute=$(sed -n '/^DELETE FROM certificate_names;$/,/^COMMIT;$/p' schema/016_cert_names_triggers.sql | sed '1d;$d' |
	sed 's/INSERT IGNORE INTO certificate_names /INSERT IGNORE INTO names_72 /')
case $recompute in
*"INTO names_72"*) ok "016's recomputation is found" ;;
*) fail "016's recomputation is found" ;;
esac
expect_eq "every certificate's names match a fresh recomputation (missing, extra)" \
	"$(sql "CREATE TEMPORARY TABLE names_72 LIKE certificate_names; $recompute;
	SELECT (SELECT COUNT(*) FROM names_72 r WHERE NOT EXISTS (SELECT 1 FROM certificate_names n
		WHERE n.cert_id = r.cert_id AND n.name = r.name AND n.kind = r.kind AND n.customer_id = r.customer_id)),
	(SELECT COUNT(*) FROM certificate_names n WHERE NOT EXISTS (SELECT 1 FROM names_72 r
		WHERE r.cert_id = n.cert_id AND r.name = n.name AND r.kind = n.kind AND r.customer_id = n.customer_id))")" "0	0"
expect_eq "... and there are some of each of this test's kinds" \
	"$(sql "SELECT GROUP_CONCAT(DISTINCT kind ORDER BY kind) FROM certificate_names WHERE cert_id IN (SELECT id FROM certificates WHERE requested_by = 'test-72' OR id IN ('${C1:-0}', '${C2:-0}'))")" \
	"cn,dns,email,ip,wildcard,serial"
sql "DELETE FROM certificates WHERE requested_by = 'test-72'"
expect_eq "deleting certificates deletes their names" \
	"$(sql "SELECT COUNT(*) FROM certificate_names n LEFT JOIN certificates c ON c.id = n.cert_id WHERE c.id IS NULL")" 0
expect_eq "... none of the test's left" "$(sql "SELECT COUNT(*) FROM certificate_names WHERE name LIKE 'pg-$TAG-%' OR name LIKE '%wild-$TAG%' OR name LIKE '%-$TAG@%'")" 0

# ---- hostile search text is shown inert
page=$(get "/certificates?q=%3Cscript%3Ex%3C/script%3E")
expect_eq "a search with markup answers 200" "$(status)" 200
check_not "... and is not echoed as markup" grep -q '<script>x</script>' "$T/body"

for w in alice carol dave erin; do kdestroy -q -c "$T/$w.cc" 2>/dev/null; done
done_testing
