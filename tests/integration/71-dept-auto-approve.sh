#!/bin/bash
# 71-dept-auto-approve.sh: a department's SSL approval setting ("as the organisation" / automatic / by an
# administrator): the form's three-way choice (saved, kept on errors, audited), the migration's column, and
# what the issue form does with it (issued at once or stored as a request). Then the approval settings per
# certificate type (migration 015): the SSL settings approve SSL requests only; an organisation's client and
# code-signing settings are changed only by administrators with rights on that type (audited); the
# migrations' one-time resets keep later choices.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-71-dept-approve.XXXXXX)
SCOPED=""
cleanup() {
	# The scopes this test gave erin and frank on its own organisation.
	[ -n "$SCOPED" ] && sql "DELETE FROM admin_scopes WHERE id IN ($SCOPED)" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
URL=$CERTMINT_URL/admin

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
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as the MRAO"
CSRF=$(csrf)

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

# ---- approval per certificate type (migration 015)
org_col() { sql "SELECT CONCAT_WS(' ', ssl_auto_approve, client_auto_approve, codesign_auto_approve) FROM organizations WHERE id = '${1:-0}'"; }
org_audit() {    # org_audit ORG PATH: before and after values at PATH of the newest organization.update row
	sql "SELECT CONCAT(COALESCE(JSON_EXTRACT(before_json, '$2'), '-'), ' -> ', JSON_EXTRACT(after_json, '$2')) FROM audit_log
		WHERE action = 'organization.update' AND object_type = 'organization' AND object_id = '${1:-0}' ORDER BY id DESC LIMIT 1"
}
# as WHO PRINCIPAL PASSWORD: later requests use WHO's ticket and cookies, and CSRF their token.
as() {
	login_as "$1" "$2" "$3" || fail "kinit as $1"
	[ -s "$T/$1.csrf" ] || csrf > "$T/$1.csrf"
	CSRF=$(cat "$T/$1.csrf")
}
# request ORG[/DEPT] PROFILE NAME: the issue form for a fresh CSR of that profile; echoes the new row's status.
request() {
	local subj=(-subj "/CN=$3.demo.test" -addext "subjectAltName=DNS:$3.demo.test")
	case $2 in
	client-smime) subj=(-subj "/CN=Client $3" -addext "subjectAltName=email:$3@demo.test") ;;
	code-signing) subj=(-subj "/CN=Code Signer $3") ;;
	esac
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/$3.csr" \
		"${subj[@]}" 2>/dev/null
	post /certificates/new "csr@$T/$3.csr" "profile=$2" "org=$1" "csrf=$CSRF" > /dev/null
	local id
	id=$(location); id=${id##*/}
	if [ "$(status)" = 303 ] && [ -n "$id" ]; then
		sql "SELECT status FROM certificates WHERE id = '$id'"
	else
		echo "HTTP $(status)"
	fi
}
# org_save ORG FIELD=VALUE...: the organisation form as a browser sends it (name and country kept).
org_save() { local o=$1; shift; post "/organizations/$o" "name=Types C $TAG" country=GB ssl_terms=1y "$@" "csrf=$CSRF" > /dev/null; }
# tab_of FIELD: the id of the fieldset holding FIELD on the last page, with " disabled" when it is.
tab_of() { tr '\n' ' ' < "$T/body" | sed 's/<fieldset/\n&/g' | grep -F "name=\"$1\"" | grep -o '<fieldset class="tab" id="[a-z-]*"[^>]*>' | sed 's/.*id="\([a-z-]*\)"\( disabled\)\{0,1\}>.*/\1\2/'; }

for col in client_auto_approve codesign_auto_approve; do
	expect_eq "organizations.$col is NOT NULL DEFAULT 0" \
		"$(sql "SELECT CONCAT(IS_NULLABLE, ' ', COLUMN_DEFAULT) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'organizations' AND COLUMN_NAME = '$col'")" "NO 0"
done
expect_eq "migration 15 is recorded" "$(sql "SELECT name FROM schema_migrations WHERE version = 15")" 015_type_auto_approve.sql
expect_eq "the demo organisation approves every type automatically (demo-data.sql)" \
	"$(org_col "$(sql "SELECT id FROM organizations WHERE customer_id = $cust AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")")" "1 1 1"

# Fixture: organisation C approves nothing automatically, department DC follows it; demo.test delegated
# to C for every type; erin (DRAO, every type) gets DC, frank (RAO, SSL only) gets C.
sql "INSERT INTO organizations (customer_id, name, country, ssl_auto_approve, client_auto_approve, codesign_auto_approve) VALUES ($cust, 'Types C $TAG', 'GB', 0, 0, 0)"
C=$(sql "SELECT id FROM organizations WHERE name = 'Types C $TAG'")
sql "INSERT INTO departments (org_id, name) VALUES ($C, 'Eng C $TAG')"
DC=$(sql "SELECT id FROM departments WHERE org_id = '${C:-0}'")
sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $C, NULL, t.cert_type, 'approved' FROM domains d
	JOIN (SELECT 'ssl' AS cert_type UNION ALL SELECT 'client' UNION ALL SELECT 'codesign') t WHERE d.customer_id = $cust AND d.name = 'demo.test'"
sql "INSERT INTO admin_scopes (admin_id, org_id, dept_id) SELECT id, $C, $DC FROM admins WHERE principal = '$CERTMINT_DRAO_PRINCIPAL'"
sql "INSERT INTO admin_scopes (admin_id, org_id, dept_id) SELECT id, $C, NULL FROM admins WHERE principal = '$CERTMINT_RAO_SSL_PRINCIPAL'"
SCOPED=$(sql "SELECT GROUP_CONCAT(id) FROM admin_scopes WHERE org_id = '${C:-0}'")
expect_match "fixture: organisation C, department DC, scopes for erin and frank" "$C $DC $SCOPED" '^[0-9]+ [0-9]+ [0-9]+,[0-9]+$'
expect_eq "... C approves nothing automatically" "$(org_col "$C")" "0 0 0"
expect_eq "frank is SSL-only, erin has every type" \
	"$(sql "SELECT GROUP_CONCAT(cert_types ORDER BY principal SEPARATOR ' ') FROM admins WHERE principal IN ('$CERTMINT_DRAO_PRINCIPAL', '$CERTMINT_RAO_SSL_PRINCIPAL')")" "ssl,client,codesign ssl"

# A department's SSL setting approves SSL requests only.
as erin "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_DRAO_PASSWORD"
get "/departments/$DC" > /dev/null
expect_eq "erin opens DC" "$(status)" 200
check "... the client tab says approval follows the organisation (now: by hand)" \
	grep -qF 'id="client_approval">Approval of requests: as the organisation (now: an administrator approves each)' "$T/body"
check "... so does the code-signing tab" \
	grep -qF 'id="codesign_approval">Approval of requests: as the organisation (now: an administrator approves each)' "$T/body"
check_not "... and a department page has no client or code-signing approval field" grep -qE 'name="(client|codesign)_auto_approve"' "$T/body"
post "/departments/$DC" "name=Eng C $TAG" ssl_terms=1y ssl_auto_approve=auto client_auto_approve=1 codesign_auto_approve=1 "csrf=$CSRF" > /dev/null
expect_eq "erin sets DC's SSL approval to automatic (303)" "$(status)" 303
expect_eq "... stored" "$(dept_setting "$DC")" 1
expect_eq "... C's own settings are untouched by the extra fields" "$(org_col "$C")" "0 0 0"
as alice
expect_eq "DC's SSL request is issued at once" "$(request "$C/$DC" tls-server "tc-1-$TAG")" issued
expect_eq "DC's code-signing request (by the MRAO) stays a request" "$(request "$C/$DC" code-signing "tc-2-$TAG")" requested
expect_eq "DC's client request stays a request" "$(request "$C/$DC" client-smime "tc-3-$TAG")" requested
expect_eq "C's own SSL request (C is manual) stays a request" "$(request "$C" tls-server "tc-4-$TAG")" requested

# The organisation's SSL setting, set by the SSL-only RAO, approves SSL requests only.
as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD"
get "/organizations/$C" > /dev/null
expect_eq "frank opens C" "$(status)" 200
expect_eq "... the client approval checkbox is in the client tab, disabled for him" "$(tab_of client_auto_approve)" "tab-client disabled"
expect_eq "... the code-signing one in the code-signing tab, disabled" "$(tab_of codesign_auto_approve)" "tab-codesign disabled"
expect_eq "... the SSL one in the SSL tab, open" "$(tab_of ssl_auto_approve)" "tab-ssl"
n_upd=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'organization.update' AND object_id = '$C'")
org_save "$C" ssl_auto_approve=1 client_auto_approve=1 codesign_auto_approve=1
expect_eq "frank saves C with SSL approval on and the client/code-signing fields forged on (303)" "$(status)" 303
expect_eq "... SSL is on, client and code signing are not (his fields for other types are ignored)" "$(org_col "$C")" "1 0 0"
expect_eq "... audited once" "$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'organization.update' AND object_id = '$C'")" $((n_upd + 1))
expect_eq "... ssl_auto_approve: false -> true" "$(org_audit "$C" '$.ssl_auto_approve')" "false -> true"
expect_eq "... client_auto_approve: false -> false" "$(org_audit "$C" '$.client_auto_approve')" "false -> false"
as alice
expect_eq "C's SSL request is now issued at once" "$(request "$C" tls-server "tc-5-$TAG")" issued
expect_eq "C's code-signing request stays a request" "$(request "$C" code-signing "tc-6-$TAG")" requested
expect_eq "C's client request stays a request" "$(request "$C" client-smime "tc-7-$TAG")" requested

# The MRAO turns client approval on (audited); frank's later save keeps it as it is.
get "/organizations/$C" > /dev/null
expect_eq "the MRAO's client approval checkbox is in the open client tab" "$(tab_of client_auto_approve)" tab-client
check_not "... unchecked" grep -qF 'name="client_auto_approve" value="1" checked' "$T/body"
org_save "$C" ssl_auto_approve=1 client_auto_approve=1
expect_eq "the MRAO turns client approval on (303)" "$(status)" 303
expect_eq "... stored" "$(org_col "$C")" "1 1 0"
expect_eq "... audited: client_auto_approve false -> true" "$(org_audit "$C" '$.client_auto_approve')" "false -> true"
expect_eq "... codesign_auto_approve false -> false" "$(org_audit "$C" '$.codesign_auto_approve')" "false -> false"
get "/organizations/$C" > /dev/null
check "... the page shows it checked" grep -qF 'name="client_auto_approve" value="1" checked' "$T/body"
expect_eq "C's client request is now issued at once" "$(request "$C" client-smime "tc-8-$TAG")" issued
expect_eq "DC follows C for client requests: issued" "$(request "$C/$DC" client-smime "tc-9-$TAG")" issued
expect_eq "C's code-signing request still waits" "$(request "$C" code-signing "tc-10-$TAG")" requested
as frank
org_save "$C" ssl_auto_approve=1
expect_eq "frank saves C again without the client field (his tab is disabled: 303)" "$(status)" 303
expect_eq "... client approval stays on" "$(org_col "$C")" "1 1 0"
org_save "$C" ssl_auto_approve=1 codesign_auto_approve=1
expect_eq "frank forging the code-signing field: ignored (303, still off)" "$(status) $(org_col "$C")" "303 1 1 0"
as alice
org_save "$C" ssl_auto_approve=1 client_auto_approve=1 codesign_auto_approve=1
expect_eq "the MRAO turns code-signing approval on" "$(org_col "$C")" "1 1 1"
expect_eq "... audited: codesign_auto_approve false -> true" "$(org_audit "$C" '$.codesign_auto_approve')" "false -> true"
expect_eq "C's code-signing request is now issued at once" "$(request "$C" code-signing "tc-11-$TAG")" issued
org_save "$C" ssl_auto_approve=1 codesign_auto_approve=1
expect_eq "the MRAO turns client approval off again (unchecked box)" "$(org_col "$C")" "1 0 1"
expect_eq "... audited: true -> false" "$(org_audit "$C" '$.client_auto_approve')" "true -> false"
expect_eq "C's client request waits again" "$(request "$C" client-smime "tc-12-$TAG")" requested
as erin
post "/organizations/$C" "name=Types C $TAG" country=GB ssl_terms=1y ssl_auto_approve=1 client_auto_approve=1 "csrf=$CSRF" > /dev/null
expect_match "erin (DRAO of DC only) cannot save organisation C (403/404)" "$(status)" '^40[34]$'
expect_eq "... C unchanged" "$(org_col "$C")" "1 0 1"
as alice

# The migrations' one-time resets: applied only while unrecorded, so a hand re-run keeps later choices.
# (Run against this test's rows; the "first application" case runs in a transaction rolled back, so the
# stack's other rows and schema_migrations are left as they were.)
mysql_file() { MYSQL_PWD="$CERTMINT_DB_MIGRATE_PASSWORD" mariadb --socket="$CERTMINT_DB_SOCKET" -u "$CERTMINT_DB_MIGRATE_USER" -N -B "$CERTMINT_DB_NAME" < "$1"; }
first_update() { sed -n '/^UPDATE /,/;$/p' "$1"; }
SCHEMA=$(cd "$(dirname "$0")/../../schema" && pwd)
check "a hand re-run of 015_type_auto_approve.sql succeeds" mysql_file "$SCHEMA/015_type_auto_approve.sql"
expect_eq "... and keeps C's choices (ssl on, client off, code signing on)" "$(org_col "$C")" "1 0 1"
expect_eq "applied for the first time (in a rolled-back transaction), 015 copies the SSL setting" \
	"$(sql "START TRANSACTION; DELETE FROM schema_migrations WHERE version = 15; $(first_update "$SCHEMA/015_type_auto_approve.sql")
		SELECT CONCAT_WS(' ', ssl_auto_approve, client_auto_approve, codesign_auto_approve) FROM organizations WHERE id = $C; ROLLBACK")" "1 1 1"
expect_eq "... (rolled back: still recorded, C as chosen)" "$(sql "SELECT COUNT(*) FROM schema_migrations WHERE version = 15") $(org_col "$C")" "1 1 0 1"
check "a hand re-run of 014_dept_auto_approve.sql succeeds" mysql_file "$SCHEMA/014_dept_auto_approve.sql"
expect_eq "... and keeps DC's choice (automatic)" "$(dept_setting "$DC")" 1
expect_eq "applied for the first time (rolled back), 014 resets DC to \"as the organisation\"" \
	"$(sql "START TRANSACTION; DELETE FROM schema_migrations WHERE version = 14; $(first_update "$SCHEMA/014_dept_auto_approve.sql")
		SELECT COALESCE(ssl_auto_approve, 'NULL') FROM departments WHERE id = $DC; ROLLBACK")" NULL
expect_eq "... (rolled back: still recorded, DC automatic)" "$(sql "SELECT COUNT(*) FROM schema_migrations WHERE version = 14") $(dept_setting "$DC")" "1 1"

done_testing
