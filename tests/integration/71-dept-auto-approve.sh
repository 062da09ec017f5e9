#!/bin/bash
# 71-dept-auto-approve.sh: a department's SSL approval setting ("as the organisation" / automatic / by an
# administrator): the form's three-way choice (saved, kept on errors, audited), the migration's column, and
# what the issue form does with it (issued at once or stored as a request).
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-71-dept-approve.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin

sql() {
	MYSQL_PWD="$CERTMINT_DB_PASSWORD" mariadb --socket="$CERTMINT_DB_SOCKET" \
		-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" -e "$1"
}
get() {
	local path=$1; shift
	curl -s --negotiate -u : -b "$T/jar" -c "$T/jar" -o "$T/body" -D "$T/headers" \
		-w '%{http_code}' "$@" "$URL$path" > "$T/status"
	cat "$T/body"
}
post() {
	local path=$1; shift
	local args=()
	for a in "$@"; do args+=(--data-urlencode "$a"); done
	get "$path" "${args[@]}"
}
status() { cat "$T/status"; }
location() { sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p' "$T/headers" | head -n 1; }
# The radio value checked on the last page for the department's approval setting.
checked() { tr '\n' ' ' < "$T/body" | grep -o '<input type="radio" name="ssl_auto_approve" value="[a-z]*" checked' | sed 's/.*value="\([a-z]*\)".*/\1/'; }
dept_setting() { sql "SELECT COALESCE(ssl_auto_approve, 'NULL') FROM departments WHERE id = '${1:-0}'"; }
audit_json() {   # audit_json ACTION DEPT PATH: before and after values at PATH of the newest row
	sql "SELECT CONCAT(COALESCE(JSON_EXTRACT(before_json, '$2'), '-'), ' -> ', JSON_EXTRACT(after_json, '$2')) FROM audit_log
		WHERE action = '$1' AND object_type = 'department' AND object_id = '${3:-0}' ORDER BY id DESC LIMIT 1"
}
# issue ORG[/DEPT] CSRNAME: the issue form; echoes the new row's status.
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/$2.csr" \
		-subj "/CN=$2.demo.test" -addext "subjectAltName=DNS:$2.demo.test" 2>/dev/null
	post /certificates/new "csr@$T/$2.csr" profile=tls-server "org=$1" "csrf=$CSRF" > /dev/null
	local id
	id=$(location); id=${id##*/}
	if [ "$(status)" = 303 ] && [ -n "$id" ]; then
		sql "SELECT status FROM certificates WHERE id = '$id'"
	else
		echo "HTTP $(status)"
	fi
}

TAG=$$$RANDOM
export KRB5CCNAME=FILE:$T/alice.cc
printf '%s\n' "$CERTMINT_ADMIN_PASSWORD" | kinit "$CERTMINT_ADMIN_PRINCIPAL" >/dev/null 2>&1 || fail "kinit as the MRAO"
get /certificates/new > /dev/null
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1)

# ---- the migration: NULL means "as the organisation", and is the default
expect_eq "departments.ssl_auto_approve is nullable with default NULL" \
	"$(sql "SELECT CONCAT(IS_NULLABLE, ' ', COALESCE(COLUMN_DEFAULT, 'none')) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'departments' AND COLUMN_NAME = 'ssl_auto_approve'")" \
	"YES NULL"
expect_eq "migration 14 is recorded" "$(sql "SELECT name FROM schema_migrations WHERE version = 14")" 014_dept_auto_approve.sql

# ---- fixture: organisation A approves automatically, B by hand; demo.test delegated to both for SSL
cust=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
sql "INSERT INTO organizations (customer_id, name, country, ssl_auto_approve) VALUES ($cust, 'Approve A $TAG', 'GB', 1), ($cust, 'Approve B $TAG', 'GB', 0)"
A=$(sql "SELECT id FROM organizations WHERE name = 'Approve A $TAG'")
B=$(sql "SELECT id FROM organizations WHERE name = 'Approve B $TAG'")
for o in "$A" "$B"; do
	sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $o, NULL, 'ssl', 'approved' FROM domains d WHERE d.customer_id = $cust AND d.name = 'demo.test'"
done
expect_match "two fixture organisations" "$A $B" '^[0-9]+ [0-9]+$'

# ---- the department form: a three-way choice
page=$(get "/organizations/$A/departments/new")
expect_eq "the new-department form answers 200" "$(status)" 200
expect_eq "... with \"as the organisation\" chosen by default" "$(checked)" org
check "... offering the three choices" grep -q 'value="auto"' "$T/body"
check "... (manual too)" grep -q 'value="manual"' "$T/body"
check "... saying what A does now" grep -q 'As the organisation (now: approve automatically)' "$T/body"
get "/organizations/$B/departments/new" > /dev/null
check "under B it says B's setting" grep -q 'As the organisation (now: an administrator approves each)' "$T/body"

post "/organizations/$A/departments/new" "name=Inherit $TAG" ssl_terms=1y codesign_enabled=1 ssl_auto_approve=org "csrf=$CSRF" > /dev/null
expect_eq "create a department that follows its organisation (303)" "$(status)" 303
DI=$(location); DI=${DI##*/}
expect_eq "... stored as NULL" "$(dept_setting "$DI")" NULL
expect_eq "... audited as null" "$(audit_json department.create '$.ssl_auto_approve' "$DI")" "- -> null"

post "/organizations/$A/departments/new" "name=Manual $TAG" ssl_terms=1y ssl_auto_approve=manual "csrf=$CSRF" > /dev/null
DM=$(location); DM=${DM##*/}
expect_eq "a department of A whose administrators approve each request is stored as 0" "$(dept_setting "$DM")" 0
post "/organizations/$B/departments/new" "name=Auto $TAG" ssl_terms=1y ssl_auto_approve=auto "csrf=$CSRF" > /dev/null
DA=$(location); DA=${DA##*/}
expect_eq "a department of B that approves automatically is stored as 1" "$(dept_setting "$DA")" 1
post "/organizations/$B/departments/new" "name=Old client $TAG" ssl_terms=1y "csrf=$CSRF" > /dev/null
DO=$(location); DO=${DO##*/}
expect_eq "a form without the field (an older page) means \"as the organisation\"" "$(dept_setting "$DO")" NULL

n0=$(sql "SELECT COUNT(*) FROM departments WHERE org_id = $A")
page=$(post "/organizations/$A/departments/new" "name=Bad <b>$TAG</b>" ssl_terms=1y ssl_auto_approve=sometimes "csrf=$CSRF")
expect_eq "an unknown choice is 400" "$(status)" 400
expect_match "... with the error next to the field" "$page" 'id="ssl_auto_approve-error"[^>]*>Choose how requests are approved'
expect_match "... keeping the name typed, inert" "$page" "value=\"Bad &lt;b&gt;$TAG&lt;/b&gt;\""
expect_eq "... and nothing is stored" "$(sql "SELECT COUNT(*) FROM departments WHERE org_id = $A")" "$n0"

get "/departments/$DM" > /dev/null
expect_eq "the manual department's page shows \"manual\" chosen" "$(checked)" manual
get "/departments/$DI" > /dev/null
expect_eq "the inheriting one shows \"as the organisation\"" "$(checked)" org

# Edit: errors keep the choice typed; a good save is audited before/after.
page=$(post "/departments/$DI" name= ssl_terms=1y ssl_auto_approve=auto "csrf=$CSRF")
expect_eq "saving with an empty name is 400" "$(status)" 400
expect_eq "... the choice made is kept on the page" "$(checked)" auto
expect_eq "... and not stored" "$(dept_setting "$DI")" NULL
post "/departments/$DI" "name=Inherit $TAG" ssl_terms=1y ssl_auto_approve=manual "csrf=$CSRF" > /dev/null
expect_eq "switching it to manual (303)" "$(status)" 303
expect_eq "... stored as 0" "$(dept_setting "$DI")" 0
expect_eq "... audited: before null, after false" "$(audit_json department.update '$.ssl_auto_approve' "$DI")" "null -> false"
post "/departments/$DI" "name=Inherit $TAG" ssl_terms=1y ssl_auto_approve=org "csrf=$CSRF" > /dev/null
expect_eq "and back to \"as the organisation\": NULL again" "$(dept_setting "$DI")" NULL
expect_eq "... audited: before false, after null" "$(audit_json department.update '$.ssl_auto_approve' "$DI")" "false -> null"

# ---- what issuance does with it
expect_eq "A auto-approves, its department follows it: issued at once" "$(issue "$A/$DI" "dai-1-$TAG")" issued
expect_eq "A's department set to manual: a request" "$(issue "$A/$DM" "dai-2-$TAG")" requested
expect_eq "B approves by hand, its department says automatic: issued" "$(issue "$B/$DA" "dai-3-$TAG")" issued
expect_eq "B's department that follows B: a request" "$(issue "$B/$DO" "dai-4-$TAG")" requested
expect_eq "A itself (no department): issued" "$(issue "$A" "dai-5-$TAG")" issued
expect_eq "B itself (no department): a request" "$(issue "$B" "dai-6-$TAG")" requested
post "/departments/$DI" "name=Inherit $TAG" ssl_terms=1y ssl_auto_approve=manual "csrf=$CSRF" > /dev/null
expect_eq "after the form switches A's following department to manual: a request" "$(issue "$A/$DI" "dai-7-$TAG")" requested
sql "UPDATE organizations SET ssl_auto_approve = 1 WHERE id = $B"
expect_eq "when B turns auto-approve on, its following department issues at once" "$(issue "$B/$DO" "dai-8-$TAG")" issued
expect_eq "... while A's manual department still waits" "$(issue "$A/$DM" "dai-9-$TAG")" requested
expect_eq "the requests carry their department" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE common_name IN ('dai-2-$TAG.demo.test', 'dai-9-$TAG.demo.test') AND dept_id = $DM AND status = 'requested'")" 2

done_testing
