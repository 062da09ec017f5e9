#!/bin/bash
# 72-cert-search.sh: the certificate list's name search (CN and subjectAltNames
# through certificate_names), department and issuer filters, sort by common
# name, keyset pages that show each certificate once, scope (another
# organisation's RAO never sees them), 400s with the error next to the field,
# and certificate_names kept in step with certificates by the triggers.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-72-search.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin

location() { sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p' "$T/headers" | head -n 1; }
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
names_of() { sql "SELECT GROUP_CONCAT(CONCAT(name, '/', kind) ORDER BY name SEPARATOR ' ') FROM certificate_names WHERE cert_id = '${1:-0}'"; }

TAG=t$$$RANDOM
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
expect_eq "certificate_names holds the CN and each SAN once, lower case" "$(names_of "$C1")" \
	"alt-$TAG.demo.test/dns api-$TAG.demo.test/dns web-$TAG.demo.test/cn"

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
expect_eq "_ in a name search is literal" "$(ids | wc -l)" 0
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "the MRAO finds organisation B's certificate by its SAN" "$(ids | sort -u | tr '\n' ' ')" "$CB "

login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as carol"
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "RAO of A: organisation B's certificate is not found (200, empty)" "$(status) $(ids | wc -l)" "200 0"
get "/certificates?q=second-$TAG" > /dev/null
expect_eq "RAO of A finds the department's certificate by SAN" "$(ids | sort -u | tr '\n' ' ')" "$C2 "
login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit as dave"
for q in "alt-$TAG" "second-$TAG" "wild-$TAG" "pg-$TAG" "web-$TAG"; do
	get "/certificates?q=$q" > /dev/null
	expect_eq "RAO of B never sees Demo Organisation's certificates ($q)" "$(ids | wc -l)" 0
done
get "/certificates?q=shared-$TAG" > /dev/null
expect_eq "RAO of B finds its own by SAN" "$(ids | sort -u | tr '\n' ' ')" "$CB "
login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit as erin"
get "/certificates?q=alt-$TAG" > /dev/null
expect_eq "DRAO of Engineering does not see the organisation-level certificate" "$(ids | wc -l)" 0
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
expect_eq "... and not the organisation-level one" "$(ids | wc -l)" 0
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

# ---- issuer filter
page=$(get "/certificates?issuer=$issuing&q=web-$TAG")
expect_eq "issuer filter + search answers 200" "$(status)" 200
expect_eq "... and lists the certificate issued by that CA" "$(ids | sort -u | tr '\n' ' ')" "$C1 "
expect_match "... the issuer stays selected" "$page" "option value=\"$issuing\" selected"
get "/certificates?issuer=$issuing&q=pg-$TAG" > /dev/null
expect_eq "requests (no issuer yet) are not listed under an issuer" "$(ids | wc -l)" 0
page=$(get "/certificates?issuer=$root_ca")
expect_eq "the root CA is no issuer to choose (400)" "$(status)" 400
expect_eq "... with the error next to the field" "$(field_error issuer)" 'Choose an issuing CA from the list.'
get "/certificates?issuer=-1" > /dev/null
expect_eq "a malformed issuer is 400" "$(status)" 400

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
expect_eq "... rows without a CN first, then CNs in order" "$(grep -v '^(no CN)$' "$T/cns" | sort -c -f 2>&1 && echo sorted)" "sorted"
check "... the certificates without a CN come first" sh -c "head -n 11 '$T/cns' | grep -qx '(no CN)'"
get "/certificates?sort=cn&after_id=abc" > /dev/null
expect_eq "a damaged CN cursor is 400" "$(status)" 400
get "/certificates?sort=size" > /dev/null
expect_eq "an unknown sort is 400" "$(status)" 400

# ---- certificate_names follows updates and deletes
P1=$(sql "SELECT id FROM certificates WHERE common_name = 'pg-$TAG-1.demo.test'")
sql "UPDATE certificates SET status = 'declined' WHERE id = $P1"
expect_eq "an update that keeps the names keeps them" "$(sql "SELECT COUNT(*) FROM certificate_names WHERE cert_id = $P1")" 3
sql "UPDATE certificates SET sans = 'DNS:renamed-$TAG.demo.test', common_name = NULL WHERE id = $P1"
expect_eq "an update of the SANs and CN replaces the names" "$(names_of "$P1")" "renamed-$TAG.demo.test/dns"
get "/certificates?q=renamed-$TAG" > /dev/null
expect_eq "... the search finds the new name" "$(ids | sort -u | tr '\n' ' ')" "$P1 "
get "/certificates?q=pg-$TAG-1.demo" > /dev/null
expect_eq "... and not the old one" "$(ids | wc -l)" 0
sql "DELETE FROM certificates WHERE requested_by = 'test-72'"
expect_eq "deleting certificates deletes their names" \
	"$(sql "SELECT COUNT(*) FROM certificate_names n LEFT JOIN certificates c ON c.id = n.cert_id WHERE c.id IS NULL")" 0
expect_eq "... none of the test's left" "$(sql "SELECT COUNT(*) FROM certificate_names WHERE name LIKE 'pg-$TAG-%' OR name LIKE '%wild-$TAG%'")" 0
expect_eq "every certificate's names match a fresh recomputation" \
	"$(sql "SELECT COUNT(*) FROM certificates c WHERE c.common_name IS NOT NULL AND TRIM(c.common_name) <> '' AND NOT EXISTS (SELECT 1 FROM certificate_names n WHERE n.cert_id = c.id AND n.name = LOWER(TRIM(c.common_name)))")" 0

# ---- hostile search text is shown inert
page=$(get "/certificates?q=%3Cscript%3Ex%3C/script%3E")
expect_eq "a search with markup answers 200" "$(status)" 200
check_not "... and is not echoed as markup" grep -q '<script>x</script>' "$T/body"

for w in alice carol dave erin; do kdestroy -q -c "$T/$w.cc" 2>/dev/null; done
done_testing
