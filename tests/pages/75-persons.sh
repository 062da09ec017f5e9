#!/bin/bash
# 75-persons.sh: person pages of admin.fcgi: add (field errors keep what was typed, e-mail domain must be delegated
# for client certificates), edit, delete (hard, or soft while a certificate references the person), audit rows,
# CSV export with the rows (formula-safe), RAO B cannot see A's persons, hostile names stay inert; CSV import
# with a per-row report (caches per organisation/department and duplicates per chunk answer as row by row).
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-75-persons.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
TAG=$$$RANDOM

ORG_A=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ORG_B=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
DEPT_A=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_A:-0}' AND name = 'Engineering' AND deleted_at IS NULL ORDER BY id LIMIT 1")
expect_match "demo organisations and department exist" "$ORG_A $ORG_B $DEPT_A" '^[0-9]+ [0-9]+ [0-9]+$'

# ---- the MRAO adds a person; errors keep what was typed
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
get /persons > /dev/null
expect_eq "MRAO opens the person list" "$(status)" 200
check "the navigation links to the persons" grep -qF 'href="/admin/persons"' "$T/body"
body=$(get /persons/new)
expect_eq "MRAO opens the new-person form" "$(status)" 200
CSRF=$(csrf_of "$body")
expect_match "the form carries a CSRF token" "$CSRF" '^[0-9a-f]{64}$'
check "the form offers department Engineering of org A" grep -qF "value=\"$ORG_A/$DEPT_A\"" "$T/body"
check "the form offers org B to the MRAO" grep -qF "value=\"$ORG_B\"" "$T/body"

HOSTILE='<script>alert("p")</script>'
post /persons/new "csrf=$CSRF" "email=not an email" "first_name=$HOSTILE" "last_name=L" "unit=$ORG_A/$DEPT_A" > /dev/null
expect_eq "a bad e-mail is refused (400)" "$(status)" 400
expect_match "the e-mail error is next to the e-mail field" "$(error_after email)" 'name@domain'
check "the typed e-mail is shown again" grep -qF 'value="not an email"' "$T/body"
check "the hostile first name is shown escaped" grep -qF '&lt;script&gt;alert(' "$T/body"
check_not "the hostile first name is not live markup" grep -qF '<script>alert(' "$T/body"
check "the chosen department stays selected" grep -qF "value=\"$ORG_A/$DEPT_A\" selected" "$T/body"
post /persons/new "csrf=$CSRF" "email=p$TAG@example.org" "unit=$ORG_A" > /dev/null
expect_eq "an e-mail outside the delegated domains is refused (400)" "$(status)" 400
expect_match "the domain error says why" "$(error_after email)" 'not a validated domain delegated'
post /persons/new "csrf=$CSRF" "email=p$TAG@other.test" "unit=$ORG_A" > /dev/null
expect_eq "org B's domain is refused for org A (400)" "$(status)" 400
post /persons/new "csrf=$CSRF" "email=p$TAG@demo.test" "principal_name=has space@X" "unit=$ORG_A" > /dev/null
expect_eq "a bad principal name is refused (400)" "$(status)" 400
expect_match "the principal error is next to its field" "$(error_after principal_name)" 'user@REALM'
# names are counted in characters, as the VARCHAR(128) columns count them
cjk128=$(printf '\xe6\x9d\xb1%.0s' $(seq 1 128))
post /persons/new "csrf=$CSRF" "email=cjk$TAG@demo.test" "first_name=$cjk128" "last_name=L" "unit=$ORG_A" > /dev/null
expect_eq "a first name of 128 three-byte characters (384 bytes) is accepted (303)" "$(status)" 303
expect_eq "... and stored whole" "$(sql "SELECT CHAR_LENGTH(first_name) FROM persons WHERE email = 'cjk$TAG@demo.test'")" 128
post /persons/new "csrf=$CSRF" "email=cjk2$TAG@demo.test" "first_name=${cjk128}x" "last_name=L" "unit=$ORG_A" > /dev/null
expect_eq "129 characters are refused (400)" "$(status)" 400
post /persons/new "csrf=$CSRF" "email=c1$TAG@demo.test" "first_name=$(printf 'A\xc2\x85B')" "last_name=L" "unit=$ORG_A" > /dev/null
expect_eq "a C1 control character (U+0085) is refused (400)" "$(status)" 400
post /persons/new "csrf=$CSRF" "email=p$TAG@demo.test" > /dev/null
expect_eq "no organisation is refused (400)" "$(status)" 400
expect_match "the unit error is next to the select" "$(error_after unit)" 'Choose the organisation'
post /persons/new "email=p$TAG@demo.test" "unit=$ORG_A" > /dev/null
expect_eq "a POST without the CSRF token is refused (403)" "$(status)" 403
expect_eq "nothing was added by refused forms" "$(sql "SELECT COUNT(*) FROM persons WHERE email LIKE 'p$TAG@%'")" 0

post /persons/new "csrf=$CSRF" "email=P$TAG@Mail.Demo.Test" "first_name=Pat $HOSTILE" "last_name==1+2" \
	"principal_name=p$TAG@CERTMINT.TEST" "unit=$ORG_A/$DEPT_A" > /dev/null
expect_eq "the MRAO adds a person in a sub-domain of demo.test (303)" "$(status)" 303
PID=$(sql "SELECT id FROM persons WHERE email = 'P$TAG@mail.demo.test' AND deleted_at IS NULL")
expect_match "the row exists with the domain lower-cased" "${PID:-}" '^[0-9]+$'
expect_match "it redirects to the person's page" "$(header Location)" "/admin/persons/${PID:-x}\$"
expect_eq "the row has org, department and principal" "$(sql "SELECT org_id, dept_id, principal_name FROM persons WHERE id = '${PID:-0}'" | tr '\t' ' ')" "$ORG_A $DEPT_A p$TAG@CERTMINT.TEST"
expect_match "a person.create audit row holds the e-mail" "$(sql "SELECT after_json FROM audit_log WHERE action = 'person.create' AND object_id = '${PID:-0}'")" "\"email\":\"P$TAG@mail.demo.test\""
post /persons/new "csrf=$CSRF" "email=P$TAG@mail.demo.test" "unit=$ORG_A" > /dev/null
expect_eq "the same e-mail cannot be added twice (400)" "$(status)" 400
# (searched by the tag: the stack may already hold more than a page of persons)
get "/persons?q=P$TAG@mail" > /dev/null
check "the list shows the person" grep -qF "P$TAG@mail.demo.test" "$T/body"
check "the list shows the hostile name escaped" grep -qF "Pat &lt;script&gt;" "$T/body"
check_not "the list has no live markup from it" grep -qF '<script>alert(' "$T/body"
get "/persons?q=P$TAG" > /dev/null
check "the e-mail prefix search finds it" grep -qF "/admin/persons/$PID\"" "$T/body"
get "/persons?q=zz-nobody-$TAG" > /dev/null
check_not "a prefix that matches nothing does not list it" grep -qF "/admin/persons/$PID\"" "$T/body"

# ---- edit
body=$(get "/persons/$PID")
expect_eq "the person's page opens" "$(status)" 200
post "/persons/$PID/edit" "csrf=$CSRF" "email=P$TAG@mail.demo.test" "first_name=Pat" "last_name=Renamed" \
	"principal_name=" "unit=$ORG_B" > /dev/null
expect_eq "moving to org B with a demo.test e-mail is refused (400)" "$(status)" 400
check "the typed last name is shown again" grep -qF 'value="Renamed"' "$T/body"
post "/persons/$PID/edit" "csrf=$CSRF" "email=P$TAG@mail.demo.test" "first_name=Pat" "last_name=Renamed" \
	"principal_name=" "unit=$ORG_A" > /dev/null
expect_eq "the MRAO saves the person (303)" "$(status)" 303
expect_eq "the row changed" "$(sql "SELECT last_name, dept_id IS NULL, principal_name IS NULL FROM persons WHERE id = '${PID:-0}'" | tr '\t' ' ')" "Renamed 1 1"
expect_match "a person.update audit row has before and after" "$(sql "SELECT CONCAT(before_json, after_json) FROM audit_log WHERE action = 'person.update' AND object_id = '${PID:-0}'")" 'Renamed'

# ---- CSV export
get /persons/export.csv > /dev/null
expect_eq "the export answers 200" "$(status)" 200
expect_match "it is CSV" "$(header Content-Type)" '^text/csv'
expect_eq "it starts with the import header" "$(head -n 1 "$T/body" | tr -d '\r')" '"email","first_name","last_name","principal_name","organisation","department"'
check "it holds the person's row" grep -qF "\"P$TAG@mail.demo.test\",\"Pat\",\"Renamed\"" "$T/body"
post /persons/new "csrf=$CSRF" "email=f$TAG@demo.test" "first_name=@SUM(A1)" "last_name==cmd|' /C calc'!A0" "unit=$ORG_A" > /dev/null
expect_eq "a person with formula-like names is added (303)" "$(status)" 303
get /persons/export.csv > /dev/null
check "formula-like cells are defused with a quote" grep -qF "\"f$TAG@demo.test\",\"'@SUM(A1)\",\"'=cmd|' /C calc'!A0\"" "$T/body"

# ---- scope: RAO B does not see org A's persons; DRAO A sees its department's
login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit dave"
get /persons > /dev/null
expect_eq "RAO B opens the person list" "$(status)" 200
check_not "RAO B's list does not show org A's person" grep -qF "P$TAG@mail.demo.test" "$T/body"
get "/persons/$PID" > /dev/null
expect_eq "RAO B cannot open org A's person (404)" "$(status)" 404
check_not "the 404 page does not show the e-mail" grep -qF "P$TAG@mail.demo.test" "$T/body"
get /persons/export.csv > /dev/null
check_not "RAO B's export does not hold org A's person" grep -qF "P$TAG@mail.demo.test" "$T/body"
body=$(get /persons/new)
DCSRF=$(csrf_of "$body")
check_not "RAO B is not offered org A" grep -qF "value=\"$ORG_A\"" "$T/body"
post /persons/new "csrf=$DCSRF" "email=b$TAG@demo.test" "unit=$ORG_A" > /dev/null
expect_eq "RAO B cannot add a person to org A (400)" "$(status)" 400
post "/persons/$PID/delete" "csrf=$DCSRF" confirm=yes > /dev/null
expect_eq "RAO B cannot delete org A's person (404)" "$(status)" 404
post /persons/new "csrf=$DCSRF" "email=b$TAG@other.test" "first_name=Bea" "unit=$ORG_B" > /dev/null
expect_eq "RAO B adds a person to org B (303)" "$(status)" 303

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
# ---- CSV import: good and bad rows, a per-row report, bad files write nothing
upload() { get /persons/import -F "csrf=$CSRF" -F "file=@$1;type=text/csv"; }
get /persons/import > /dev/null
expect_eq "the import form opens" "$(status)" 200
check "the form uploads multipart with a CSRF field" grep -qF 'enctype="multipart/form-data"' "$T/body"
printf 'mail,name\r\ni$TAG@demo.test,x\r\n' > "$T/wrong.csv"
upload "$T/wrong.csv" > /dev/null
expect_eq "a wrong header is refused (400)" "$(status)" 400
check "the page says what the header must be" grep -qF 'email,first_name,last_name,principal_name,organisation,department' "$T/body"
head -c 2000 /dev/urandom | tr -d '\n' > "$T/binary.csv"; printf '\0' >> "$T/binary.csv"
upload "$T/binary.csv" > /dev/null
expect_eq "a binary file is refused (400)" "$(status)" 400
printf 'email,first_name,last_name,principal_name,organisation,department\n"i1$TAG@demo.test,x\n' > "$T/quote.csv"
upload "$T/quote.csv" > /dev/null
expect_eq "an unterminated quote is refused (400)" "$(status)" 400
get /persons/import -F "csrf=$CSRF" -F "other=1" > /dev/null
expect_eq "a POST without a file is refused (400)" "$(status)" 400
get /persons/import -F "file=@$T/quote.csv;type=text/csv" > /dev/null
expect_eq "an upload without the CSRF field is refused (403)" "$(status)" 403
expect_eq "refused files added nothing" "$(sql "SELECT COUNT(*) FROM persons WHERE email LIKE 'i%$TAG@%'")" 0
{
	printf 'email,first_name,last_name,principal_name,organisation,department\r\n'
	printf 'i1-%s@demo.test,Ann,One,,Demo Organisation,Engineering\r\n' "$TAG"
	printf '"i2-%s@demo.test","Bob, ""Quoted""",Two,i2@CERTMINT.TEST,Demo Organisation,\r\n' "$TAG"
	printf 'i3-%s@other.test,Cy,Three,,Demo Organisation,\r\n' "$TAG"
	printf 'not-an-email,D,Four,,Demo Organisation,\r\n'
	printf 'i5-%s@demo.test,E,Five,,No Such Org,\r\n' "$TAG"
	printf 'i1-%s@demo.test,Dup,Six,,Demo Organisation,\r\n' "$TAG"
	printf 'i7-%s@demo.test,too,few\r\n' "$TAG"
	printf 'i8-%s@demo.test,<b>bold</b>,Eight,,Demo Organisation,\r\n' "$TAG"
} > "$T/good.csv"
upload "$T/good.csv" > /dev/null
expect_eq "a CSV with good and bad rows is accepted (200)" "$(status)" 200
check "the summary counts 3 added, 5 rejected" grep -qF '3 added, 5 rejected.' "$T/body"
report() { tr '\n' ' ' < "$T/body" | sed 's/<tr/\n&/g' | grep -F "<td>$1</td>" | sed 's/<[^>]*>/|/g' | tr -s '| '; }
expect_match "line 2 was added" "$(report 2)" "i1-$TAG@demo.test ?\| ?added"
expect_match "line 3 (quoted cells) was added" "$(report 3)" 'added'
expect_match "line 4: the domain is not delegated to the organisation" "$(report 4)" 'not a validated domain delegated'
expect_match "line 5: a bad e-mail" "$(report 5)" 'name@domain'
expect_match "line 6: an unknown organisation" "$(report 6)" 'no such organisation'
expect_match "line 7: a duplicate of line 2" "$(report 7)" 'already has this e-mail'
expect_match "line 8: too few cells" "$(report 8)" 'needs 6'
expect_match "line 9 was added" "$(report 9)" 'added'
expect_eq "the good rows are in the database" "$(sql "SELECT COUNT(*) FROM persons WHERE email IN ('i1-$TAG@demo.test', 'i2-$TAG@demo.test', 'i8-$TAG@demo.test') AND deleted_at IS NULL")" 3
expect_eq "the quoted cell kept its comma and quotes" "$(sql "SELECT first_name FROM persons WHERE email = 'i2-$TAG@demo.test'")" 'Bob, "Quoted"'
expect_eq "the department was found by name" "$(sql "SELECT dept_id FROM persons WHERE email = 'i1-$TAG@demo.test'")" "$DEPT_A"
expect_eq "each added person has a person.create audit row" "$(sql "SELECT COUNT(*) FROM audit_log a JOIN persons p ON a.object_id = CAST(p.id AS CHAR) WHERE a.action = 'person.create' AND p.email IN ('i1-$TAG@demo.test', 'i2-$TAG@demo.test', 'i8-$TAG@demo.test')")" 3
expect_match "one person.import summary row records the counts" "$(sql "SELECT after_json FROM audit_log WHERE action = 'person.import' ORDER BY id DESC LIMIT 1")" '"added":3,"rejected":5'
# a Latin-1 cell (a spreadsheet saved in the wrong encoding) is one rejected row, not a failed import
{
	printf 'email,first_name,last_name,principal_name,organisation,department\r\n'
	printf 'l1-%s@demo.test,Ren\xe9,Latin,,Demo Organisation,\r\n' "$TAG"
	printf 'l2-%s@demo.test,Ren\xc3\xa9,Utf,,Demo Organisation,\r\n' "$TAG"
	printf 'l3-%s@demo.test,Org,Latin,,Demo Organisatio\xe9,\r\n' "$TAG"
} > "$T/latin1.csv"
upload "$T/latin1.csv" > /dev/null
expect_eq "a file with Latin-1 cells is still answered (200)" "$(status)" 200
check "... 1 added, 2 rejected" grep -qF '1 added, 2 rejected.' "$T/body"
expect_match "... a Latin-1 organisation name is no organisation" "$(report 4)" 'no such organisation'
expect_match "... the Latin-1 row says why" "$(report 2)" 'UTF-8'
expect_eq "... and only the UTF-8 row is stored" \
	"$(sql "SELECT GROUP_CONCAT(email ORDER BY email) FROM persons WHERE email LIKE 'l_-$TAG@demo.test'")" "l2-$TAG@demo.test"
get "/persons?q=i8-$TAG" > /dev/null
check "the imported hostile name is escaped in the list" grep -qF '&lt;b&gt;bold&lt;/b&gt;' "$T/body"
get /persons/export.csv > /dev/null
cp "$T/body" "$T/export.csv"
check "the export holds the imported rows" grep -qF "\"i2-$TAG@demo.test\",\"Bob, \"\"Quoted\"\"\"" "$T/export.csv"
sql "DELETE FROM persons WHERE email = 'i8-$TAG@demo.test'"
{ head -n 1 "$T/export.csv"; grep -F "i8-$TAG@" "$T/export.csv"; } > "$T/again.csv"
upload "$T/again.csv" > /dev/null
expect_eq "an exported file imports again (200)" "$(status)" 200
check "its row is added again" grep -qF '1 added, 0 rejected.' "$T/body"

# ---- import caches: each organisation/department name is resolved and checked once per file, duplicates
# are found a chunk at a time (500 rows); the answers must stay those of the row-by-row checks
{
	printf 'email,first_name,last_name,principal_name,organisation,department\r\n'
	printf 'c1-%s@demo.test,A,,,Demo Organisation,Engineering\r\n' "$TAG"
	printf 'c2-%s@demo.test,B,,,Demo Organisation,\r\n' "$TAG"
	printf 'c3-%s@demo.test,C,,,Demo Organisation,Engineering\r\n' "$TAG"
	printf 'c4-%s@demo.test,D,,,Demo Organisation,No Such Dept\r\n' "$TAG"
	printf 'c5-%s@other.test,E,,,Other Organisation,\r\n' "$TAG"
	printf 'c6-%s@demo.test,F,,,Other Organisation,\r\n' "$TAG"
	printf 'C1-%s@DEMO.test,G,,,Demo Organisation,\r\n' "$TAG"
	printf 'P%s@MAIL.demo.test,H,,,Demo Organisation,\r\n' "$TAG"
} > "$T/cache.csv"
upload "$T/cache.csv" > /dev/null
expect_eq "the MRAO imports rows that repeat organisations (200)" "$(status)" 200
check "the summary counts 4 added, 4 rejected" grep -qF '4 added, 4 rejected.' "$T/body"
expect_eq "rows naming the same org/department got the same unit" "$(sql "SELECT CONCAT(org_id, '-', COALESCE(dept_id, 0)) FROM persons WHERE email IN ('c1-$TAG@demo.test', 'c2-$TAG@demo.test', 'c3-$TAG@demo.test', 'c5-$TAG@other.test') ORDER BY email" | tr '\n' ' ')" "$ORG_A-$DEPT_A $ORG_A-0 $ORG_A-$DEPT_A $ORG_B-0 "
expect_match "an unknown department of a known organisation is refused" "$(report 5)" 'no such organisation'
expect_match "the same domain is refused for another organisation" "$(report 7)" 'not a validated domain delegated'
expect_match "an e-mail added earlier in the file, in other case, is a duplicate" "$(report 8)" 'already has this e-mail'
expect_match "an e-mail of an existing person, in other case, is a duplicate" "$(report 9)" 'already has this e-mail'

# RAO A: org B is out of scope on every row that names it, org A is not
ACSRF=$CSRF
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
CSRF=$(csrf_of "$(get /persons/import)")
{
	printf 'email,first_name,last_name,principal_name,organisation,department\r\n'
	printf 'r1-%s@other.test,A,,,Other Organisation,\r\n' "$TAG"
	printf 'r2-%s@demo.test,B,,,Demo Organisation,\r\n' "$TAG"
	printf 'r3-%s@other.test,C,,,Other Organisation,\r\n' "$TAG"
	printf 'r4-%s@demo.test,D,,,Demo Organisation,Engineering\r\n' "$TAG"
} > "$T/rao.csv"
upload "$T/rao.csv" > /dev/null
expect_eq "RAO A imports (200)" "$(status)" 200
check "RAO A: 2 added, 2 rejected" grep -qF '2 added, 2 rejected.' "$T/body"
expect_match "RAO A may not add to org B" "$(report 2)" 'may not manage'
expect_match "nor on a later row naming org B again" "$(report 4)" 'may not manage'
expect_match "RAO A adds to its organisation" "$(report 3)" 'added'
expect_eq "only org A's rows are in the database" "$(sql "SELECT GROUP_CONCAT(email ORDER BY email) FROM persons WHERE email LIKE 'r_-$TAG@%'")" "r2-$TAG@demo.test,r4-$TAG@demo.test"
# DRAO A (Engineering): the department, not the organisation itself
login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit erin"
CSRF=$(csrf_of "$(get /persons/import)")
{
	printf 'email,first_name,last_name,principal_name,organisation,department\r\n'
	printf 'd1-%s@demo.test,A,,,Demo Organisation,\r\n' "$TAG"
	printf 'd2-%s@demo.test,B,,,Demo Organisation,Engineering\r\n' "$TAG"
} > "$T/drao.csv"
upload "$T/drao.csv" > /dev/null
expect_eq "DRAO A imports (200)" "$(status)" 200
expect_match "DRAO A may not add to the organisation itself" "$(report 2)" 'may not manage'
expect_match "DRAO A adds to its department" "$(report 3)" 'added'
login_as alice
CSRF=$ACSRF

# Duplicates across chunks: 600 rows; line 552 repeats line 12, line 562 an existing person
awk -v t="$TAG" 'BEGIN {
	printf "email,first_name,last_name,principal_name,organisation,department\r\n"
	for (i = 1; i <= 600; i++) {
		e = "k" i "-" t "@demo.test"
		if (i == 551) e = "K11-" t "@demo.test"
		if (i == 561) e = "I1-" t "@Demo.Test"
		printf "%s,N%d,,,Demo Organisation,%s\r\n", e, i, (i % 2 ? "Engineering" : "")
	}
}' > "$T/chunks.csv"
upload "$T/chunks.csv" > /dev/null
expect_eq "a 600-row file imports (200)" "$(status)" 200
check "598 added, 2 rejected" grep -qF '598 added, 2 rejected.' "$T/body"
expect_match "a repeat of a row of the first chunk is a duplicate" "$(report 552)" 'already has this e-mail'
expect_match "an existing person in the second chunk is a duplicate" "$(report 562)" 'already has this e-mail'
expect_match "the last line is reported" "$(report 601)" 'added'
expect_eq "598 rows are in the database" "$(sql "SELECT COUNT(*) FROM persons WHERE email LIKE 'k%-$TAG@demo.test' AND deleted_at IS NULL")" 598
expect_eq "each with its person.create audit row" "$(sql "SELECT COUNT(*) FROM audit_log a JOIN persons p ON a.object_id = CAST(p.id AS CHAR) WHERE a.action = 'person.create' AND p.email LIKE 'k%-$TAG@demo.test'")" 598
expect_eq "the audit row holds the row as stored" "$(sql "SELECT after_json FROM audit_log a JOIN persons p ON a.object_id = CAST(p.id AS CHAR) WHERE a.action = 'person.create' AND p.email = 'k3-$TAG@demo.test'")" "{\"email\":\"k3-$TAG@demo.test\",\"first_name\":\"N3\",\"last_name\":\"\",\"principal_name\":\"\",\"org_id\":$ORG_A,\"dept_id\":$DEPT_A}"
sql "DELETE FROM persons WHERE email LIKE 'k%-$TAG@demo.test'"    # so a rerun's list still shows its first rows

# The caps, in the words of the form
awk 'BEGIN { print "email,first_name,last_name,principal_name,organisation,department"; for (i = 0; i <= 10000; i++) print "x" i "@demo.test,,,,Demo Organisation," }' > "$T/rows.csv"
upload "$T/rows.csv" > /dev/null
expect_eq "a file of 10,001 rows is refused (400)" "$(status)" 400
check "it says the cap as the form does" grep -qF 'more than 10,000 rows' "$T/body"
head -c 1100000 /dev/zero | tr '\0' 'a' > "$T/big.csv"
upload "$T/big.csv" > /dev/null
expect_eq "a file over 1 MiB is refused before the handler (413)" "$(status)" 413
expect_eq "refused files added nothing" "$(sql "SELECT COUNT(*) FROM persons WHERE email LIKE 'x%@demo.test'")" 0

# ---- delete: soft while a certificate references the person, else hard
FID=$(sql "SELECT id FROM persons WHERE email = 'f$TAG@demo.test' AND deleted_at IS NULL")
post "/persons/$FID/delete" "csrf=$CSRF" > /dev/null
expect_eq "a delete without confirmation is refused (400)" "$(status)" 400
post "/persons/$FID/delete" "csrf=$CSRF" confirm=yes > /dev/null
expect_eq "the MRAO deletes an unreferenced person (303)" "$(status)" 303
expect_eq "the row is gone (hard delete)" "$(sql "SELECT COUNT(*) FROM persons WHERE id = '${FID:-0}'")" 0
expect_eq "a person.delete audit row was written" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'person.delete' AND object_id = '${FID:-0}'")" 1
CERT=$(sql "SELECT id FROM certificates WHERE customer_id = (SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER') ORDER BY id LIMIT 1")
if [ -n "$CERT" ]; then
	OLD=$(sql "SELECT COALESCE(person_id, 'NULL') FROM certificates WHERE id = $CERT")
	sql "UPDATE certificates SET person_id = $PID WHERE id = $CERT"
	post "/persons/$PID/delete" "csrf=$CSRF" confirm=yes > /dev/null
	expect_eq "the MRAO deletes a referenced person (303)" "$(status)" 303
	expect_eq "the row stays, marked deleted (soft delete)" "$(sql "SELECT COUNT(*) FROM persons WHERE id = '$PID' AND deleted_at IS NOT NULL")" 1
	expect_eq "a person.delete.soft audit row was written" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'person.delete.soft' AND object_id = '$PID'")" 1
	sql "UPDATE certificates SET person_id = $OLD WHERE id = $CERT"
	get "/persons/$PID" > /dev/null
	expect_eq "a deleted person's page is gone (404)" "$(status)" 404
else
	fail "a certificate exists to reference the person"
fi

done_testing
