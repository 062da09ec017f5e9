#!/bin/bash
# 67-admins-csv.sh: administrators CSV export and import: each export holds exactly what the list page shows
# (RAO B never sees Demo Organisation), formula cells are defused; an import checks each row as the add form does
# (role, principal, scope, duplicates, type escalation), reports every reason, writes only the good rows, one
# admin.add audit row each; bad files write nothing; an exported row imports back to the same administrator.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-67-admins-csv.XXXXXX)
OTHER_CUST=""
cleanup() {
	sql "DELETE FROM admins WHERE principal LIKE 'xcust%$TAG@%' OR principal LIKE 'owndel$TAG@%'" 2>/dev/null
	[ -n "$OTHER_CUST" ] && sql "DELETE FROM customers WHERE id = $OTHER_CUST" 2>/dev/null
	rm -rf "$T"
}
trap 'cleanup; harness_down' EXIT
URL=$CERTMINT_URL/admin
TAG=$$$RANDOM
REALM=$CERTMINT_REALM
HEADER='principal,name,email,role,cert_types,scope'

# upload FILE: POSTs FILE to the import as the current administrator, with its CSRF token.
upload() { get /admins/import -F "csrf=$CSRF" -F "file=@$1;type=text/csv"; }
# report LINE: the report row of file line LINE, cells separated by '|'.
report() { tr '\n' ' ' < "$T/body" | sed 's/<tr/\n&/g' | grep -F "<td>$1</td>" | sed 's/<[^>]*>/|/g' | tr -s '| '; }
# principals_in_export / principals_in_list: the sorted principals of the last export / list page.
principals_in_export() { tail -n +2 "$T/body" | sed -n 's/^"\([^"]*\)".*/\1/p' | sort; }
principals_in_list() { grep -o 'href="/admin/admins/[0-9]*">[^<]*' "$T/body" | sed 's/.*">//' | sort; }
# export_matches_list WHO: the export holds exactly the administrators of the list page.
export_matches_list() {
	get /admins > /dev/null
	principals_in_list > "$T/list.txt"
	get /admins/export.csv > /dev/null
	expect_eq "$1's export answers 200" "$(status)" 200
	principals_in_export > "$T/export.txt"
	if [ -s "$T/list.txt" ] && cmp -s "$T/list.txt" "$T/export.txt"; then
		ok "$1's export holds exactly the $(wc -l < "$T/list.txt") administrators of $1's list page"
	else
		fail "$1's export holds exactly the administrators of $1's list page"
		diag "list: $(tr '\n' ' ' < "$T/list.txt")"; diag "export: $(tr '\n' ' ' < "$T/export.txt")"
	fi
}

ORG_A=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ORG_B=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
DEPT_A=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_A:-0}' AND name = 'Engineering' AND deleted_at IS NULL ORDER BY id LIMIT 1")
DEPT_B_NAME=$(sql "SELECT name FROM departments WHERE org_id = '${ORG_B:-0}' AND deleted_at IS NULL ORDER BY id LIMIT 1")
expect_match "demo organisations and departments exist" "$ORG_A $ORG_B $DEPT_A $DEPT_B_NAME" '^[0-9]+ [0-9]+ [0-9]+ .+$'

# ---- export as the MRAO
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
get /admins > /dev/null
check "the list page links to the export" grep -qF 'href="/admin/admins/export.csv"' "$T/body"
check "the list page links to the import" grep -qF 'href="/admin/admins/import"' "$T/body"
get /admins/export.csv > /dev/null
expect_eq "the MRAO's export answers 200" "$(status)" 200
expect_match "it is CSV" "$(header Content-Type)" '^text/csv'
expect_match "it is an attachment" "$(header Content-Disposition)" 'attachment; filename="administrators.csv"'
expect_eq "it starts with the import header" "$(head -n 1 "$T/body" | tr -d '\r')" \
	'"principal","name","email","role","cert_types","scope"'
check "the MRAO row has no scope" grep -qF "\"$CERTMINT_ADMIN_PRINCIPAL\",\"Alice Admin\"," "$T/body"
expect_match "the MRAO row: role mrao, every type, empty scope" "$(grep -F "\"$CERTMINT_ADMIN_PRINCIPAL\"" "$T/body" | tr -d '\r')" '"mrao","ssl,client,codesign",""$'
expect_match "RAO A's row: its organisation" "$(grep -F "\"$CERTMINT_RAO_A_PRINCIPAL\"" "$T/body" | tr -d '\r')" '"rao","ssl,client,codesign","Demo Organisation"$'
expect_match "the DRAO's row: Organisation/Department" "$(grep -F "\"$CERTMINT_DRAO_PRINCIPAL\"" "$T/body" | tr -d '\r')" '"drao","ssl,client,codesign","Demo Organisation/Engineering"$'
expect_match "the SSL-only RAO's row: ssl" "$(grep -F "\"$CERTMINT_RAO_SSL_PRINCIPAL\"" "$T/body" | tr -d '\r')" '"rao","ssl","Demo Organisation"$'
export_matches_list "the MRAO"

# ---- scope: each export holds what that administrator's list shows
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
export_matches_list "RAO A"
check "RAO A's export holds its DRAO" grep -qF "\"$CERTMINT_DRAO_PRINCIPAL\"" "$T/body"
check_not "RAO A's export does not hold the MRAO" grep -qF "\"$CERTMINT_ADMIN_PRINCIPAL\"" "$T/body"
check_not "RAO A's export does not hold RAO B" grep -qF "\"$CERTMINT_RAO_B_PRINCIPAL\"" "$T/body"
check_not "RAO A's export names no other organisation" grep -qF 'Other Organisation' "$T/body"
login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD" || fail "kinit dave"
export_matches_list "RAO B"
check "RAO B's export holds RAO B" grep -qF "\"$CERTMINT_RAO_B_PRINCIPAL\"" "$T/body"
for p in "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_RAO_SSL_PRINCIPAL"; do
	check_not "RAO B's export does not hold $p" grep -qF "\"$p\"" "$T/body"
done
check_not "RAO B's export never names Demo Organisation" grep -qF 'Demo Organisation' "$T/body"
login_as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD" || fail "kinit erin"
export_matches_list "the DRAO"
expect_eq "the DRAO's export holds only itself" "$(principals_in_export | tr '\n' ' ')" "$CERTMINT_DRAO_PRINCIPAL "
get /admins/import > /dev/null
expect_eq "the DRAO cannot open the import (403)" "$(status)" 403

# ---- import as RAO A: good and bad rows, one report line each
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD"
body=$(get /admins/import)
expect_eq "RAO A opens the import form" "$(status)" 200
check "the form uploads multipart" grep -qF 'enctype="multipart/form-data"' "$T/body"
CSRF=$(csrf_of "$body")
expect_match "the form carries a CSRF token" "$CSRF" '^[0-9a-f]{64}$'
P1=csva$TAG@$REALM; P8=csvf$TAG@$REALM
{
	printf '%s\r\n' "$HEADER"
	printf '%s,Ann Import,ann@demo.test,drao,"ssl,client",Demo Organisation/Engineering\r\n' "$P1"
	printf 'csvb%s@%s,Bad Role,b@demo.test,superuser,ssl,Demo Organisation/Engineering\r\n' "$TAG" "$REALM"
	printf 'not a principal,Bad Principal,c@demo.test,drao,ssl,Demo Organisation/Engineering\r\n'
	printf 'csvd%s@%s,Out Of Scope,d@demo.test,drao,ssl,Other Organisation/%s\r\n' "$TAG" "$REALM" "$DEPT_B_NAME"
	printf '%s,Duplicate,e@demo.test,drao,ssl,Demo Organisation/Engineering\r\n' "$P1"
	printf 'csve%s@%s,An RAO,f@demo.test,rao,ssl,Demo Organisation\r\n' "$TAG" "$REALM"
	printf '%s,"=HYPERLINK(""http://evil.test"",""x"")",g@demo.test,DRAO,codesign,Demo Organisation/Engineering\r\n' "$P8"
	printf 'csvh%s@%s,too,few\r\n' "$TAG" "$REALM"
	printf '%s,Erin Again,erin@demo.test,drao,ssl,Demo Organisation/Engineering\r\n' "$CERTMINT_DRAO_PRINCIPAL"
	printf 'csvj%s@%s,Bad Type,j@demo.test,drao,"ssl,bogus",Demo Organisation/Engineering\r\n' "$TAG" "$REALM"
	printf 'csvk%s@%s,Dept As RAO,k@demo.test,rao,ssl,Demo Organisation/Engineering\r\n' "$TAG" "$REALM"
} > "$T/rows.csv"
upload "$T/rows.csv" > /dev/null
expect_eq "a CSV with good and bad rows is accepted (200)" "$(status)" 200
check "the summary counts 2 added, 9 rejected" grep -qF '2 added, 9 rejected.' "$T/body"
expect_match "line 2 was added" "$(report 2)" "$P1 ?\| ?added"
expect_match "line 3: a bad role" "$(report 3)" 'Choose MRAO, RAO or DRAO'
expect_match "line 4: a bad principal" "$(report 4)" 'Not a Kerberos principal'
expect_match "line 5: org B is not among RAO A's" "$(report 5)" 'no such Organisation/Department among yours'
check_not "the report does not confirm org B's department exists" grep -qF 'may not give' <<< "$(report 5)"
expect_match "line 6: a duplicate of line 2" "$(report 6)" 'already an administrator'
expect_match "line 7: an RAO may not create an RAO" "$(report 7)" 'You may not give an administrator this role'
expect_match "line 8 (formula name, role in capitals) was added" "$(report 8)" "$P8 ?\| ?added"
expect_match "line 9: too few cells" "$(report 9)" 'needs 6'
expect_match "line 10: an existing administrator is not changed" "$(report 10)" 'already an administrator'
expect_match "line 11: an unknown certificate type" "$(report 11)" 'Unknown certificate type'
expect_match "line 12: an RAO's scope is an organisation" "$(report 12)" "no such organisation among yours"
expect_eq "exactly the good rows are in the database" \
	"$(sql "SELECT principal FROM admins WHERE principal LIKE 'csv%$TAG@$REALM' ORDER BY principal" | tr '\n' ' ')" "$P1 $P8 "
expect_eq "line 2's row: role, types, e-mail" "$(sql "SELECT role, cert_types, email, name FROM admins WHERE principal = '$P1'" | tr '\t' '|')" "drao|ssl,client|ann@demo.test|Ann Import"
expect_eq "line 2's row is scoped to Engineering" "$(sql "SELECT s.org_id, s.dept_id FROM admin_scopes s JOIN admins a ON a.id = s.admin_id WHERE a.principal = '$P1'" | tr '\t' ' ')" "$ORG_A $DEPT_A"
expect_eq "the formula name is stored as typed" "$(sql "SELECT name FROM admins WHERE principal = '$P8'")" '=HYPERLINK("http://evil.test","x")'
expect_eq "erin was not changed" "$(sql "SELECT name FROM admins WHERE principal = '$CERTMINT_DRAO_PRINCIPAL'")" "Erin DRAO A"
expect_eq "each added row has an admin.add audit row by RAO A" \
	"$(sql "SELECT COUNT(*) FROM audit_log l JOIN admins a ON l.object_id = CAST(a.id AS CHAR) WHERE l.action = 'admin.add' AND l.actor = '$CERTMINT_RAO_A_PRINCIPAL' AND a.principal IN ('$P1', '$P8')")" 2
expect_match "the audit row holds the scope and types" \
	"$(sql "SELECT l.after_json FROM audit_log l JOIN admins a ON l.object_id = CAST(a.id AS CHAR) WHERE l.action = 'admin.add' AND a.principal = '$P1'")" \
	"\"cert_types\":\"ssl,client\".*\"scopes\":\\[\\{\"org_id\":$ORG_A,\"dept_id\":$DEPT_A\\}\\]"
expect_match "one admin.import row records the counts" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'admin.import' AND actor = '$CERTMINT_RAO_A_PRINCIPAL' ORDER BY id DESC LIMIT 1")" '"added":2,"rejected":9'

# ---- bad files write nothing
printf 'principal,name\r\ncsvz%s@%s,x\r\n' "$TAG" "$REALM" > "$T/wrong.csv"
upload "$T/wrong.csv" > /dev/null
expect_eq "a wrong header is refused (400)" "$(status)" 400
check "the page says what the header must be" grep -qF "$HEADER" "$T/body"
printf '%s\n"csvz%s@%s,x\n' "$HEADER" "$TAG" "$REALM" > "$T/quote.csv"
upload "$T/quote.csv" > /dev/null
expect_eq "an unterminated quote is refused (400)" "$(status)" 400
{ head -c 3000 /dev/urandom | tr -d '\000'; printf '\0'; } > "$T/binary.csv"
upload "$T/binary.csv" > /dev/null
expect_eq "a binary file is refused (400)" "$(status)" 400
{ printf '%s\n' "$HEADER"; for i in $(seq 1 1001); do printf 'csvz%s-%s@%s,N,n@demo.test,drao,ssl,Demo Organisation/Engineering\n' "$i" "$TAG" "$REALM"; done; } > "$T/many.csv"
upload "$T/many.csv" > /dev/null
expect_eq "more than 1,000 rows are refused (400)" "$(status)" 400
check "the page gives the row cap" grep -qF 'more than 1,000 rows' "$T/body"
get /admins/import -F "csrf=$CSRF" -F "other=1" > /dev/null
expect_eq "a POST without a file is refused (400)" "$(status)" 400
get /admins/import -F "file=@$T/rows.csv;type=text/csv" > /dev/null
expect_eq "an upload without the CSRF field is refused (403)" "$(status)" 403
expect_eq "refused files added nothing" "$(sql "SELECT COUNT(*) FROM admins WHERE principal LIKE 'csvz%$TAG@%'")" 0

# ---- the SSL-only RAO cannot grant more than SSL
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" || fail "kinit frank"
body=$(get /admins/import)
expect_eq "the SSL-only RAO opens the import form" "$(status)" 200
CSRF=$(csrf_of "$body")
{
	printf '%s\r\n' "$HEADER"
	printf 'csvm%s@%s,Escalate,m@demo.test,drao,"ssl,client",Demo Organisation/Engineering\r\n' "$TAG" "$REALM"
	printf 'csvn%s@%s,SSL Only,n@demo.test,drao,ssl,Demo Organisation/Engineering\r\n' "$TAG" "$REALM"
} > "$T/frank.csv"
upload "$T/frank.csv" > /dev/null
check "the summary counts 1 added, 1 rejected" grep -qF '1 added, 1 rejected.' "$T/body"
expect_match "line 2: client certificates are beyond the SSL-only RAO" "$(report 2)" 'these certificate types'
expect_match "line 3 (ssl only) was added" "$(report 3)" 'added'
expect_eq "only the SSL row is in the database" \
	"$(sql "SELECT principal, cert_types FROM admins WHERE principal IN ('csvm$TAG@$REALM', 'csvn$TAG@$REALM')" | tr '\t' ' ')" "csvn$TAG@$REALM ssl"

# ---- formula cells leave defused; an exported row imports back to the same administrator
login_as alice
get /admins/export.csv > /dev/null
cp "$T/body" "$T/export.csv"
check "the formula name is exported behind a quote" grep -qF "\"$P8\",\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\"" "$T/export.csv"
check_not "no exported cell starts with = + - or @" grep -qE '(^|,)"[-=+@]' "$T/export.csv"
before=$(sql "SELECT a.name, a.email, a.role, a.cert_types, s.org_id, s.dept_id FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.principal = '$P8'")
{ head -n 1 "$T/export.csv"; grep -F "\"$P8\"" "$T/export.csv"; } > "$T/again.csv"
sql "DELETE FROM admins WHERE principal = '$P8'"
body=$(get /admins/import)
CSRF=$(csrf_of "$body")
upload "$T/again.csv" > /dev/null
expect_eq "the exported row imports again (200)" "$(status)" 200
check "it is added" grep -qF '1 added, 0 rejected.' "$T/body"
expect_eq "to the same administrator (name unquoted, e-mail, role, types, scope)" \
	"$(sql "SELECT a.name, a.email, a.role, a.cert_types, s.org_id, s.dept_id FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.principal = '$P8' AND a.deleted_at IS NULL")" "$before"
n_before=$(sql "SELECT COUNT(*) FROM admins WHERE deleted_at IS NULL")
upload "$T/export.csv" > /dev/null
expect_eq "the whole export imports without error (200)" "$(status)" 200
check "and adds nothing: every principal exists" grep -qF '0 added,' "$T/body"
expect_eq "no administrator was added or changed" "$(sql "SELECT COUNT(*) FROM admins WHERE deleted_at IS NULL")" "$n_before"

# ---- another customer's principals: one neutral refusal, so an RAO cannot probe them (principals are unique
# across customers); this customer's own live or deleted principals keep their helpful messages
sql "INSERT INTO customers (uri, name) VALUES ('csvcust-$TAG', 'CSV test customer $TAG')"
OTHER_CUST=$(sql "SELECT id FROM customers WHERE uri = 'csvcust-$TAG'")
XLIVE=xcustlive$TAG@$REALM; XDEL=xcustdel$TAG@$REALM; OWNDEL=owndel$TAG@$REALM
sql "INSERT INTO admins (customer_id, principal, name, email, role, cert_types, deleted_at) VALUES
	(${OTHER_CUST:-0}, '$XLIVE', 'Other Live', 'l@other.test', 'mrao', 'ssl', NULL),
	(${OTHER_CUST:-0}, '$XDEL', 'Other Deleted', 'd@other.test', 'drao', 'ssl', UTC_TIMESTAMP()),
	((SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'), '$OWNDEL', 'Own Deleted', 'o@demo.test', 'drao', 'ssl', UTC_TIMESTAMP())"
expect_eq "another customer holds a live and a deleted principal, this one a deleted one" \
	"$(sql "SELECT COUNT(*) FROM admins WHERE principal IN ('$XLIVE', '$XDEL', '$OWNDEL')")" 3
login_as carol
body=$(get /admins/import)
CSRF=$(csrf_of "$body")
{
	printf '%s\r\n' "$HEADER"
	for p in "$XLIVE" "$XDEL" "$OWNDEL" "$CERTMINT_DRAO_PRINCIPAL"; do
		printf '%s,Probe,p@demo.test,drao,ssl,Demo Organisation/Engineering\r\n' "$p"
	done
} > "$T/probe.csv"
n_audit=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.add'")
upload "$T/probe.csv" > /dev/null
expect_eq "RAO A's upload of four taken principals answers 200" "$(status)" 200
check "... 0 added, 4 rejected" grep -qF '0 added, 4 rejected.' "$T/body"
for l in 2 3; do
	expect_match "line $l: another customer's principal gets the neutral refusal" "$(report $l)" 'This principal cannot be used'
	check_not "... not whether it is an administrator or a deleted one" grep -qE 'already an administrator|deleted administrator' <<< "$(report $l)"
done
expect_eq "... the same words for the live and the deleted one" \
	"$(report 2 | sed "s/$XLIVE//; s/^|2|//")" "$(report 3 | sed "s/$XDEL//; s/^|3|//")"
expect_match "line 4: this customer's deleted administrator is still named as such" "$(report 4)" 'belongs to a deleted administrator'
expect_match "line 5: this customer's administrator is still named as such" "$(report 5)" 'already an administrator'
expect_eq "nothing was added or audited" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.add'")" "$n_audit"
expect_eq "the other customer's rows are untouched" \
	"$(sql "SELECT CONCAT(customer_id, name, deleted_at IS NULL) FROM admins WHERE principal IN ('$XLIVE', '$XDEL') ORDER BY principal" | tr '\n' ' ')" \
	"${OTHER_CUST}Other Deleted0 ${OTHER_CUST}Other Live1 "
# The add form says the same.
body=$(get /admins/new)
FCSRF=$(csrf_of "$body")
for p in "$XLIVE" "$XDEL"; do
	post /admins/new "csrf=$FCSRF" "principal=$p" "name=Probe" "email=p@demo.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
	expect_eq "the add form with another customer's principal ($p) is 409" "$(status)" 409
	expect_eq "... next to the principal: the neutral refusal only" "$(error_after principal)" "This principal cannot be used."
done
post /admins/new "csrf=$FCSRF" "principal=$OWNDEL" "name=Probe" "email=p@demo.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_match "the add form still names this customer's deleted administrator" "$(error_after principal)" 'belongs to a deleted administrator'
expect_eq "the form added nothing" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.add'")" "$n_audit"
login_as alice

# ---- more rows than one keyset chunk (1000), all of org B: whole chunks the policy hides still end right
DEPT_B=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_B:-0}' AND deleted_at IS NULL ORDER BY id LIMIT 1")
sql "SET SESSION max_recursive_iterations = 5000; INSERT INTO admins (customer_id, principal, name, email, role, cert_types)
	WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 1050)
	SELECT c.id, CONCAT('bulk', n.i, '-$TAG@$REALM'), 'Bulk', 'bulk@other.test', 'drao', 'ssl'
	FROM n JOIN customers c ON c.uri = '$CERTMINT_CUSTOMER'"
sql "INSERT INTO admin_scopes (admin_id, org_id, dept_id) SELECT id, ${ORG_B:-0}, ${DEPT_B:-0} FROM admins WHERE principal LIKE 'bulk%-$TAG@$REALM'"
expect_eq "1050 bulk administrators of org B exist" "$(sql "SELECT COUNT(*) FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.principal LIKE 'bulk%-$TAG@$REALM'")" 1050
get /admins/export.csv > /dev/null
expect_eq "the MRAO's export holds all 1050" "$(grep -c "^\"bulk[0-9]*-$TAG@" "$T/body")" 1050
expect_eq "each once, with org B's scope" "$(grep "^\"bulk[0-9]*-$TAG@" "$T/body" | grep -F "\"Other Organisation/$DEPT_B_NAME\"" | sort -u | wc -l)" 1050
login_as dave
get /admins/export.csv > /dev/null
expect_eq "RAO B's export holds all 1050" "$(grep -c "^\"bulk[0-9]*-$TAG@" "$T/body")" 1050
login_as carol
get /admins/export.csv > /dev/null
expect_eq "RAO A's export answers 200 past the hidden chunk" "$(status)" 200
expect_eq "RAO A's export holds none of them" "$(grep -c "^\"bulk" "$T/body")" 0
check "and still its own DRAO" grep -qF "\"$CERTMINT_DRAO_PRINCIPAL\"" "$T/body"
sql "DELETE FROM admins WHERE principal LIKE 'bulk%-$TAG@$REALM'"

done_testing
