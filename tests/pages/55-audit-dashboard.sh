#!/bin/bash
# 55-audit-dashboard.sh: the audit log page (scope, filters, errors, keyset pages, chain check, tamper detection),
# the dashboard (counts against SQL, expiries, SVG chart) and the scoped CSV report, against the stack.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-55-auditdash.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin

# The text of the element with id=$1 (a table row's cell of class $2).
cell() { tr -d '\n' < "$T/body" | grep -o "<tr id=\"$1\">.*" | sed 's#</tr>.*##' | grep -o "<td class=\"$2\">[0-9]*" | grep -o '[0-9]*$'; }
# login WHO PRINCIPAL PASSWORD: kinit, and keep WHO's CSRF token in $T/WHO.csrf.
login() {
	if ! login_as "$1" "$2" "$3"; then
		fail "kinit as $2"
		return 1
	fi
	csrf > "$T/$1.csrf"
}

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORGA=$(sql "SELECT id FROM organizations WHERE customer_id = '$CUST' AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")
login mrao "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || { done_testing; exit 1; }
login rao "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD"
login raossl "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD"
CSRF=$(cat "$T/mrao.csrf")
expect_match "the MRAO holds a CSRF token" "$CSRF" '^[0-9a-f]{64}$'

# ---- one certificate issued in the portal, so the log has an issuance row of the MRAO
tag=$$-$RANDOM
cn="audit-$tag.demo.test"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/c.key" -out "$T/c.csr" \
	-subj "/CN=$cn" -addext "subjectAltName=DNS:$cn" 2>/dev/null
st=$(req_as mrao /certificates/new --data-urlencode "csr@$T/c.csr" --data-urlencode profile=tls-server \
	--data-urlencode "org=$ORGA" --data-urlencode "csrf=$CSRF")
CID=$(sql "SELECT id FROM certificates WHERE common_name = '$cn'")
expect_match "the MRAO issues a certificate in the portal ($st)" "$st $CID" '^303 [0-9]+$'

# ---- the audit page
st=$(req_as mrao /audit)
expect_eq "GET /admin/audit answers 200 for the MRAO" "$st" 200
check "the page says which rows an MRAO sees" grep -q 'every audit row of your customer' "$T/body"
check "it lists the MRAO's login row" grep -q '<td class="action">login</td>' "$T/body"
check "it lists the issuance row" grep -q '<td class="action">certificate.issue</td>' "$T/body"
check "before/after JSON is escaped inside <details>" grep -q '<pre class="json after">{&quot;' "$T/body"
check_not "no raw JSON quote reaches the page" grep -q '<pre class="json after">{"' "$T/body"
newest=$(sql "SELECT MAX(id) FROM audit_log WHERE customer_id = $CUST")
hash=$(sql "SELECT LEFT(hash, 12) FROM audit_log WHERE id = $newest")
check "the newest row comes first with its chain hash prefix" grep -q "<td class=\"mono hash\">$hash" "$T/body"
first=$(grep -o '<tr class="audit-row">' "$T/body" | wc -l)
want=$(sql "SELECT LEAST(COUNT(*), 50) FROM audit_log WHERE customer_id = $CUST")
expect_eq "the page shows min(50, the customer's rows) rows" "$first" "$want"

req_as mrao "/audit?action=certificate.issue" > /dev/null
actions=$(grep -o '<td class="action">[^<]*</td>' "$T/body" | sort -u)
expect_eq "filter by action keeps only that action" "$actions" '<td class="action">certificate.issue</td>'
n=$(grep -c '<tr class="audit-row">' "$T/body")
want=$(sql "SELECT LEAST(COUNT(*), 50) FROM audit_log WHERE customer_id = $CUST AND action = 'certificate.issue'")
expect_eq "and shows as many rows as SQL counts" "$n" "$want"
req_as mrao "/audit?actor=$CERTMINT_ADMIN_PRINCIPAL&type=certificate" > /dev/null
check "filter by actor and object type finds the MRAO's issuance" grep -q "<td>certificate $CID</td>" "$T/body"
check_not "and no row of another actor" grep -q '<td>cli:root' "$T/body"
req_as mrao "/audit?actor=nobody-$tag" > /dev/null
check "an actor with no rows gives an empty page" grep -q 'No audit rows' "$T/body"
today=$(date -u +%F)
req_as mrao "/audit?from=$today&to=$today&action=login" > /dev/null
check "a date range of today finds today's logins" grep -q '<td class="action">login</td>' "$T/body"
req_as mrao "/audit?to=2000-01-01" > /dev/null
check "a range in the past finds nothing" grep -q 'No audit rows' "$T/body"

st=$(req_as mrao "/audit?from=2026-13-45&actor=x%3Cb%3E")
expect_eq "a bad date answers 400" "$st" 400
check "the error is next to the field" grep -q '<p class="error-text" id="from-error">Write the date as YYYY-MM-DD' "$T/body"
check "the typed date is kept" grep -q 'name="from" value="2026-13-45"' "$T/body"
check "the typed actor is kept, escaped" grep -q 'name="actor" maxlength="255" value="x&lt;b&gt;"' "$T/body"
st=$(req_as mrao "/audit?from=2026-02-01&to=2026-01-01")
expect_eq "an end before the start answers 400" "$st" 400
check "with the error next to the end date" grep -q 'id="to-error">The end date is before the start date' "$T/body"
st=$(req_as mrao "/audit?from=2025-02-29")
expect_eq "a day that does not exist answers 400" "$st" 400
st=$(req_as mrao "/audit?action=$(printf 'a%.0s' {1..65})")
expect_eq "an over-long action answers 400" "$st" 400

# Keyset pages: rows older than the newest one, never the newest itself.
req_as mrao "/audit?before=$newest" > /dev/null
check_not "?before=ID leaves out row ID" grep -q "<td>$newest</td>" "$T/body"
prev=$(sql "SELECT MAX(id) FROM audit_log WHERE customer_id = $CUST AND id < $newest")
check "and starts with the row before it" grep -q "<td>$prev</td>" "$T/body"
# Enough rows for a second page: each request without the cookie jar is a new login.
for i in $(seq 1 51); do JAR="" get / > /dev/null; done
req_as mrao /audit > /dev/null
next=$(sed -n 's#.*href="/admin/audit?before=\([0-9]*\)&amp;.*#\1#p' "$T/body" | head -n 1)
expect_match "a full page links to the older rows" "$next" '^[0-9]+$'
req_as mrao "/audit?before=${next:-0}" > /dev/null
check_not "the older page does not repeat the last row" grep -q "<td>$next</td>" "$T/body"
check "and has rows" grep -q '<tr class="audit-row">' "$T/body"

# RAO: only its own rows.
st=$(req_as rao /audit)
expect_eq "an RAO may open the audit page" "$st" 200
check "the page says an RAO sees its own actions" grep -q 'rows of your own actions' "$T/body"
check_not "an RAO sees no row of another actor" grep -qE "<td>($CERTMINT_ADMIN_PRINCIPAL|cli:root)" "$T/body"
check "but sees its own login" grep -q "<td>$CERTMINT_RAO_A_PRINCIPAL" "$T/body"
check_not "and no verify form" grep -q 'action="/admin/audit/verify"' "$T/body"
st=$(req_as rao /audit/verify --data "csrf=$(cat "$T/rao.csrf")")
expect_eq "an RAO may not verify the chain (403)" "$st" 403

# ---- verify
st=$(req_as mrao /audit/verify --data "csrf=")
expect_eq "verify without the CSRF token is refused" "$st" 403
st=$(req_as mrao /audit/verify --data "csrf=$CSRF")
rows=$(sql "SELECT COUNT(*) FROM audit_log")
expect_eq "verify answers 200" "$st" 200
check "verify says intact ($rows rows)" grep -q "The audit chain is intact ($rows rows)" "$T/body"
victim=$(sql "SELECT MIN(id) FROM audit_log WHERE customer_id = $CUST AND action = 'login'")
sql "UPDATE audit_log SET action = 'logout' WHERE id = $victim"
req_as mrao /audit/verify --data "csrf=$CSRF" > /dev/null
sql "UPDATE audit_log SET action = 'login' WHERE id = $victim"
check "a changed row is reported: broken at row $victim" grep -q "The audit chain is broken at row $victim" "$T/body"
req_as mrao /audit/verify --data "csrf=$CSRF" > /dev/null
check "restored, the chain is intact again" grep -q "The audit chain is intact" "$T/body"

# ---- dashboard (the portal certificate expires in 45 days while it is read)
old_after=$(sql "SELECT not_after FROM certificates WHERE id = $CID")
sql "UPDATE certificates SET not_after = UTC_TIMESTAMP() + INTERVAL 45 DAY WHERE id = $CID"
st=$(req_as mrao /dashboard)
declare -A EXP
for d in 30 60 90; do
	EXP[$d]=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND status = 'issued' AND not_after >= UTC_TIMESTAMP() AND not_after < UTC_TIMESTAMP() + INTERVAL $d DAY")
done
sql "UPDATE certificates SET not_after = '$old_after' WHERE id = $CID"
expect_eq "GET /admin/dashboard answers 200" "$st" 200
expect_eq "all certificates of the customer" "$(cell count-all total)" "$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST")"
expect_eq "issued SSL certificates" "$(cell count-ssl issued)" "$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND cert_type = 'ssl' AND status = 'issued'")"
expect_eq "all code-signing certificates" "$(cell count-codesign total)" "$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND cert_type = 'codesign'")"
for d in 30 60 90; do
	got=$(tr -d '\n' < "$T/body" | grep -o "<tr id=\"expiring-$d\"><th>[^<]*</th><td>[0-9]*" | grep -o '[0-9]*$')
	expect_eq "expiring within $d days" "$got" "${EXP[$d]}"
	[ "$d" = 60 ] && expect_match "the certificate expiring in 45 days is counted within 60 days" "$got" '^[1-9]'
done
check "the chart is an inline SVG" grep -q '<svg xmlns="http://www.w3.org/2000/svg" id="issuance-chart"' "$T/body"
expect_eq "with 90 bars" "$(grep -c '<rect class="bar"' "$T/body")" 90
issued_today=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND not_before >= UTC_DATE()")
check "today's bar holds today's $issued_today certificates" grep -q "<title>$today: $issued_today</title>" "$T/body"
check "and is the full height (today holds the most)" grep -q "<rect class=\"bar\" x=\"534\" y=\"0\" width=\"5\" height=\"120\"" "$T/body"
check_not "no script on the dashboard" grep -qi '<script' "$T/body"
check "the dashboard links the CSV" grep -q 'href="/admin/reports/certificates.csv"' "$T/body"
req_as mrao / > /dev/null
check "the home page links the dashboard" grep -q 'href="/admin/dashboard"' "$T/body"

# The home page counts what its reader may see, as the dashboard does.
home_total() { tr -d '\n' < "$T/body" | grep -o '<td class="total">[0-9]*' | grep -o '[0-9]*$'; }
check "some certificates lie outside the RAO's organisation (the test can tell scopes apart)" \
	test "$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND NOT (org_id <=> $ORGA)")" -gt 0
expect_eq "the MRAO's home page counts every certificate of the customer" "$(home_total)" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST")"
check "and says so" grep -qF 'All certificates of the customer.' "$T/body"
req_as rao / > /dev/null
expect_eq "an RAO's home page counts only its organisation's certificates" "$(home_total)" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORGA")"
check "and says so" grep -qF 'The certificates of your organisations or departments and certificate types.' "$T/body"
req_as raossl / > /dev/null
expect_eq "an SSL-only RAO's home page counts only its organisation's SSL certificates" "$(home_total)" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORGA AND cert_type = 'ssl'")"

req_as rao /dashboard > /dev/null
expect_eq "an RAO's dashboard counts its organisation's certificates" "$(cell count-all total)" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORGA")"
req_as raossl /dashboard > /dev/null
expect_eq "an SSL-only RAO counts no code-signing certificates" "$(cell count-codesign total)" 0
expect_eq "and its organisation's SSL certificates" "$(cell count-all total)" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORGA AND cert_type = 'ssl'")"

# ---- CSV report
sql "UPDATE certificates SET email = '=HYPERLINK(\"http://evil.test\")' WHERE id = $CID"
st=$(req_as mrao /reports/certificates.csv)
sql "UPDATE certificates SET email = NULL WHERE id = $CID"
expect_eq "GET /admin/reports/certificates.csv answers 200" "$st" 200
expect_match "Content-Type is text/csv" "$(header Content-Type)" '^text/csv'
expect_match "Content-Disposition is an attachment" "$(header Content-Disposition)" '^attachment; filename="certificates.csv"'
expect_eq "the header row" "$(head -n 1 "$T/body" | tr -d '\r')" \
	'"id","serial","type","status","common_name","email","organisation","not_before","not_after"'
expect_eq "a row per certificate of the customer" "$(($(wc -l < "$T/body") - 1))" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST")"
check "the portal certificate's row" grep -q "^\"$CID\",\"[0-9a-f]\{32\}\",\"ssl\",\"issued\",\"$cn\"" "$T/body"
check "a formula in a cell is neutralised and quotes doubled" grep -qF "\"'=HYPERLINK(\"\"http://evil.test\"\")\"" "$T/body"
check "every line ends in CRLF" bash -c "[ \$(grep -c \$'\r\$' '$T/body') -eq \$(wc -l < '$T/body') ]"
req_as raossl /reports/certificates.csv > /dev/null
expect_eq "an SSL-only RAO's CSV has its organisation's SSL certificates" "$(($(wc -l < "$T/body") - 1))" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORGA AND cert_type = 'ssl'")"
check_not "and no code-signing row" grep -q '","codesign","' "$T/body"

done_testing
