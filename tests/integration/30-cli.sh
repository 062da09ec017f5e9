#!/bin/bash
# 30-cli.sh: the certmint CLI against the private stack: status, migrate, admin add, issue, audit verify and tamper detection.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI <<< "$CERTMINT_CLI"
CLI_BIN=${CLI[0]}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# SQL as the database's root (socket authentication as OS root) when that
# works, else as the application user: tampering is what an intruder with
# database access would do.
sql_root() {
	if mariadb --socket="$CERTMINT_DB_SOCKET" -u root -N -B -e 'SELECT 1' >/dev/null 2>&1; then
		mariadb --socket="$CERTMINT_DB_SOCKET" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"
	else
		sql "$1"
	fi
}
# run NAME ARGS...: runs the CLI, leaving stdout in $out, stderr in $err, status in $rc
run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
ncerts() { sql "SELECT COUNT(*) FROM certificates"; }

# ---- help and usage ----
run --help
expect_eq "--help exits 0" "$rc" 0
expect_match "--help lists the commands" "$out" "admin add PRINCIPAL"
run issue --help
expect_eq "issue --help exits 0" "$rc" 0
expect_match "issue --help explains exit status 2" "$out" "Exit status 2"
run frobnicate
expect_eq "unknown command exits 1" "$rc" 1
expect_match "unknown command is named" "$err" "unknown command 'frobnicate'"

# ---- status ----
run status
expect_eq "status exits 0 on a healthy stack" "$rc" 0
expect_match "status: database ok with schema version" "$out" "^database: ok \(.*schema version [0-9]+\)"
expect_match "status: signer ok with CA subject and expiry" "$out" "signer: ok, CA .*expires [0-9]{4}-"
expect_match "status: certificate counts" "$out" "certificates:"

# The same configuration with the signer socket pointing nowhere.
awk -v sock="$T/no-such.sock" '
	/^\[/ { sec = $0 }
	sec == "[signer]" && $1 == "socket" { print "socket = " sock; next }
	{ print }' "$CERTMINT_CONF" > "$T/nosigner.conf"
out=$("$CLI_BIN" -c "$T/nosigner.conf" status 2>&1); rc=$?
expect_eq "status exits 1 when the signer is down" "$rc" 1
expect_match "status names the signer as down" "$out" "signer: DOWN"
out=$("$CLI_BIN" -c "$T/missing.conf" status 2>&1); rc=$?
expect_eq "a missing configuration file exits 1" "$rc" 1

# ---- migrate / init are idempotent ----
before=$(sql "SELECT COUNT(*), MAX(version) FROM schema_migrations")
run migrate
expect_eq "migrate exits 0" "$rc" 0
expect_match "migrate reports up to date" "$out" "up to date"
run migrate
expect_eq "migrate again exits 0" "$rc" 0
expect_eq "migrate applies nothing twice" "$(sql "SELECT COUNT(*), MAX(version) FROM schema_migrations")" "$before"
cas=$(sql "SELECT COUNT(*) FROM ca_certs")
audits=$(sql "SELECT COUNT(*) FROM audit_log")
run init
expect_eq "init on an initialised stack exits 0" "$rc" 0
expect_match "init keeps the existing CA" "$out" "already present"
expect_eq "init records no CA certificate twice" "$(sql "SELECT COUNT(*) FROM ca_certs")" "$cas"
expect_eq "a no-op init writes no audit row" "$(sql "SELECT COUNT(*) FROM audit_log")" "$audits"
run init --key-type dsa1024
expect_eq "init refuses an unknown key type" "$rc" 1

# ---- admin add ----
principal="carol-$$@${CERTMINT_REALM}"
run admin add "$principal" --role rao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation" --name "Carol Test" --email carol@demo.test
expect_eq "admin add exits 0" "$rc" 0
expect_match "admin add reports the new admin" "$out" "added"
run admin list --customer "$CERTMINT_CUSTOMER"
expect_match "admin list shows the new rao" "$out" "$principal	rao	$CERTMINT_CUSTOMER	enabled	Carol Test"
admin_id=$(sql "SELECT id FROM admins WHERE principal = '$principal'")
expect_match "the admin row exists" "$admin_id" "^[0-9]+$"
expect_eq "admin add is audited" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.add' AND object_id = '$admin_id'")" 1
run admin add "$principal" --role drao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation" --dept Engineering
expect_eq "admin add of an existing admin exits 0" "$rc" 0
expect_eq "the role is updated, the name kept" \
	"$(sql "SELECT role, name FROM admins WHERE principal = '$principal'")" "drao	Carol Test"
expect_eq "the update is audited with a before image" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.update' AND object_id = '$admin_id' AND before_json LIKE '%\"role\":\"rao\"%'")" 1
run admin add "$principal" --role superuser
expect_eq "an unknown role exits 1" "$rc" 1
expect_eq "an unknown role changes nothing" "$(sql "SELECT role FROM admins WHERE principal = '$principal'")" "drao"
run admin add "$principal" --role rao --customer no-such-customer --org "Demo Organisation"
expect_eq "an unknown customer exits 1" "$rc" 1
expect_match "an unknown customer is named" "$err" "no-such-customer"
expect_eq "a DRAO's scope is its department" \
	"$(sql "SELECT CONCAT(o.name, '/', d.name) FROM admin_scopes s JOIN admins a ON a.id = s.admin_id JOIN organizations o ON o.id = s.org_id JOIN departments d ON d.id = s.dept_id WHERE a.principal = '$principal'")" \
	"Demo Organisation/Engineering"
run admin add "$principal" --role rao --customer "$CERTMINT_CUSTOMER"
expect_eq "an RAO without --org exits 1" "$rc" 1
expect_match "... saying --org is needed" "$err" "needs --org"
run admin add "$principal" --role drao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation"
expect_eq "a DRAO without --dept exits 1" "$rc" 1
expect_match "... saying --dept is needed" "$err" "--dept"
run admin add "$principal" --role rao --customer "$CERTMINT_CUSTOMER" --org "No Such Org"
expect_eq "an unknown organisation exits 1" "$rc" 1
expect_match "... and is named" "$err" "no organisation 'No Such Org'"
run admin add "$principal" --role drao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation" --dept "No Such Dept"
expect_eq "an unknown department exits 1" "$rc" 1
expect_match "... and is named" "$err" "no department 'No Such Dept'"
run admin add "$principal" --role rao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation" --types ssl,bogus
expect_eq "an unknown certificate type exits 1" "$rc" 1
expect_eq "refused scope changes change nothing" \
	"$(sql "SELECT a.role, s.dept_id IS NOT NULL FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.principal = '$principal'")" "drao	1"
run admin add "$principal" --role rao --customer "$CERTMINT_CUSTOMER" --org "Demo Organisation" --types ssl
expect_eq "an RAO limited to SSL is saved" \
	"$(sql "SELECT CONCAT(a.role, ' ', a.cert_types, ' ', COALESCE(s.dept_id, 'org')) FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.principal = '$principal'")" "rao ssl org"
expect_eq "the scope change is audited with before and after scopes" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.update' AND object_id = '$admin_id' AND before_json LIKE '%\"dept_id\":%' AND after_json LIKE '%\"cert_types\":\"ssl\"%'")" 1

# ---- issue ----
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/good.key" -out "$T/good.csr" \
	-subj "/CN=cli-test.demo.test" -addext "subjectAltName=DNS:cli-test.demo.test" 2>/dev/null
n0=$(ncerts)
run issue --profile tls-server --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "issue with a good CSR exits 0" "$rc" 0
printf '%s\n' "$out" > "$T/good.pem"
expect_match "issue prints a PEM certificate" "$out" "^-----BEGIN CERTIFICATE-----"
check "the certificate verifies against the CA chain" \
	openssl verify -CAfile "$CERTMINT_CA_PEM" "$T/good.pem"
expect_match "the certificate carries the tls-server EKU" \
	"$(openssl x509 -in "$T/good.pem" -noout -ext extendedKeyUsage 2>/dev/null)" "TLS Web Server Authentication"
expect_eq "the certificate matches the CSR's key" \
	"$(openssl x509 -in "$T/good.pem" -noout -pubkey 2>/dev/null | sha256sum)" \
	"$(openssl pkey -in "$T/good.key" -pubout 2>/dev/null | sha256sum)"
expect_eq "issuing adds one certificate row" "$(ncerts)" "$((n0 + 1))"
serial=$(openssl x509 -in "$T/good.pem" -noout -serial 2>/dev/null | sed 's/^serial=//' | tr 'A-F' 'a-f' | sed 's/^0*//')
expect_eq "the row carries the certificate's serial" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE TRIM(LEADING '0' FROM serial_hex) = '$serial' AND status = 'issued'")" 1

org_id=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
# The same CSR again: its key already has a live certificate (issue 8).
run issue --profile tls-server --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER" --org "$org_id"
expect_eq "the same key again is refused (exit 2)" "$rc" 2
expect_match "... saying which certificate has it and how to confirm" "$err" \
	'already has this public key.*--allow-duplicate-key'
run issue --profile tls-server --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER" --org "$org_id" --allow-duplicate-key
expect_eq "issue for the demo organisation exits 0" "$rc" 0
expect_eq "the row belongs to the organisation" \
	"$(sql "SELECT org_id FROM certificates ORDER BY id DESC LIMIT 1")" "$org_id"
run issue --profile tls-server --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER" --org 999999999
expect_eq "an unknown organisation exits 1" "$rc" 1

n1=$(ncerts)
printf 'this is not a certificate request\n' > "$T/bad.csr"
run issue --profile tls-server --csr "$T/bad.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "a malformed CSR exits 2" "$rc" 2
expect_match "a malformed CSR is refused with a reason" "$err" "^certmint: refused: .+"
expect_eq "a malformed CSR prints no certificate" "$out" ""
openssl req -new -newkey rsa:1024 -nodes -keyout /dev/null -out "$T/weak.csr" \
	-subj "/CN=weak.demo.test" 2>/dev/null
run issue --profile tls-server --csr "$T/weak.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "an RSA-1024 CSR exits 2" "$rc" 2
expect_match "an RSA-1024 CSR is refused with a reason" "$err" "^certmint: refused: .+"
head -c 70000 /dev/zero | tr '\0' 'A' > "$T/huge.csr"
run issue --profile tls-server --csr "$T/huge.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "a CSR over 64 KiB exits 2" "$rc" 2
run issue --profile no-such-profile --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER"
expect_match "an unknown profile fails" "$rc" "^[12]$"
expect_eq "refused requests write no certificate row" "$(ncerts)" "$n1"
run issue --profile tls-server --csr "$T/does-not-exist.csr"
expect_eq "a missing CSR file exits 1" "$rc" 1

# ---- issue: names must lie in a validated domain delegated to the organisation ----
demo_org=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ra_csr() {   # ra_csr NAME SUBJECT [SAN]
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-out "$T/$1.csr" -subj "$2" ${3:+-addext "subjectAltName=$3"} 2>/dev/null
}
ra_csr foreign "/CN=www.google.com" "DNS:www.google.com"
ra_csr cnonly "/CN=www.google.com" "DNS:ok.demo.test"
ra_csr otherorg "/CN=cli-ra.other.test" "DNS:cli-ra.other.test"
ra_csr wild "/CN=*.google.com" "DNS:*.google.com"
ra_csr ipsan "/CN=cli-ip.demo.test" "DNS:cli-ip.demo.test,IP:10.1.2.3"
ra_csr mail "/CN=Alice Example" "email:alice@google.com"
ra_csr subjmail "/CN=Alice Example/emailAddress=alice@google.com"
ra_csr lookalike "/CN=demo.test.evil.example" "DNS:demo.test.evil.example"
ra_csr suffix "/CN=notdemo.test" "DNS:notdemo.test"
n2=$(ncerts)
run issue --profile tls-server --csr "$T/foreign.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "issue for a foreign name exits 2" "$rc" 2
expect_match "... naming the name, the organisation and the type" "$err" \
	"^certmint: refused: www\.google\.com is not in a validated domain delegated to Demo Organisation for SSL certificates$"
expect_eq "... and prints no certificate" "$out" ""
run issue --profile tls-server --csr "$T/foreign.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "without --org a foreign name exits 2 too" "$rc" 2
expect_match "... checked against every organisation of the customer" "$err" \
	"www\.google\.com is not in a validated domain delegated to any organisation of this customer for SSL certificates"
run issue --profile tls-server --csr "$T/cnonly.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "a foreign host-name CN (SAN in the domain) exits 2" "$rc" 2
expect_match "... naming the CN" "$err" "www\.google\.com is not in a validated domain"
run issue --profile tls-server --csr "$T/otherorg.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "another organisation's domain exits 2" "$rc" 2
expect_match "... naming it" "$err" "cli-ra\.other\.test is not in a validated domain delegated to Demo Organisation"
run issue --profile tls-server --csr "$T/wild.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "a foreign wildcard exits 2" "$rc" 2
run issue --profile tls-server --csr "$T/ipsan.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "an IP SAN exits 2" "$rc" 2
expect_match "... saying only an operator can issue it" "$err" "IP address SAN 10\.1\.2\.3 .*--any-name"
run issue --profile client-smime --csr "$T/mail.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "an e-mail SAN of a foreign domain exits 2" "$rc" 2
expect_match "... naming the address and the type" "$err" "alice@google\.com is not in a validated domain delegated to Demo Organisation for client/S-MIME certificates"
run issue --profile client-smime --csr "$T/subjmail.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "a foreign emailAddress in the subject exits 2" "$rc" 2
run issue --profile tls-server --csr "$T/lookalike.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "demo.test.evil.example (domain as a prefix) exits 2" "$rc" 2
run issue --profile tls-server --csr "$T/suffix.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "notdemo.test (domain as a bare suffix) exits 2" "$rc" 2
expect_eq "refused names write no certificate row" "$(ncerts)" "$n2"
run issue --profile tls-server --csr "$T/good.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org" --allow-duplicate-key
expect_eq "a name under demo.test still issues for Demo Organisation" "$rc" 0
run issue --help
expect_match "issue --help documents --any-name" "$out" "--any-name"
# --any-name passes over the organisations' domains, never over the signer's
# own [namespaces] (issue 8): www.google.com stays refused, another
# organisation's name inside the installation's name spaces is issued.
run issue --profile tls-server --any-name --csr "$T/foreign.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "with --any-name a name outside the signer's name spaces still exits 2" "$rc" 2
expect_match "... refused by the signer, naming it" "$err" "www\.google\.com is outside the name spaces this signer may certify"
run issue --profile tls-server --any-name --csr "$T/otherorg.csr" --customer "$CERTMINT_CUSTOMER" --org "$demo_org"
expect_eq "with --any-name another organisation's name is issued" "$rc" 0
expect_match "... and the certificate printed" "$out" "^-----BEGIN CERTIFICATE-----"
any_id=$(sql "SELECT id FROM certificates WHERE common_name = 'cli-ra.other.test' ORDER BY id DESC LIMIT 1")
expect_eq "... the override is in the audit row" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.issue' AND object_id = '${any_id:-0}' AND after_json LIKE '%\"any_name\":true%'")" 1
expect_eq "ordinary issuance carries no any_name" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.issue' AND object_id = (SELECT MAX(id) FROM certificates WHERE common_name = 'cli-test.demo.test') AND after_json LIKE '%any_name%'")" 0
run issue --profile tls-server --any-name --csr "$T/ipsan.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "with --any-name an IP SAN is issued" "$rc" 0

# ---- audit verify, then tampering (last: it touches the log) ----
run audit verify
expect_eq "audit verify exits 0" "$rc" 0
# The count, then what the signer's checkpoints said (56-audit-checkpoint.sh).
expect_match "audit verify reports every row" "$out" \
	"^audit chain intact \\($(sql "SELECT COUNT(*) FROM audit_log") rows; (no signed checkpoint yet|signed checkpoint at row [0-9]+ of [^)]* matches)\\)\$"

row=$(sql "SELECT id FROM audit_log WHERE action = 'admin.add' AND object_id = '$admin_id'")
actor=$(sql "SELECT actor FROM audit_log WHERE id = $row")
sql_root "UPDATE audit_log SET actor = 'cli:mallory' WHERE id = $row"
run audit verify
expect_eq "a tampered row makes audit verify exit 1" "$rc" 1
expect_eq "audit verify names the tampered row" "$out" "audit chain broken at row $row"
sql_root "UPDATE audit_log SET actor = '$actor' WHERE id = $row"
run audit verify
expect_eq "the restored chain is intact again" "$rc" 0

# Deleting the newest row must show too (the chain head remembers it).
last=$(sql "SELECT MAX(id) FROM audit_log")
bk="audit_backup_$$"
sql_root "CREATE TABLE $bk AS SELECT * FROM audit_log WHERE id = $last; DELETE FROM audit_log WHERE id = $last"
run audit verify
expect_eq "deleting the newest row makes audit verify exit 1" "$rc" 1
expect_eq "audit verify names the missing row" "$out" "audit chain broken at row $last"
sql_root "INSERT INTO audit_log SELECT * FROM $bk; DROP TABLE $bk"
run audit verify
expect_eq "the chain is intact after restoring the row" "$rc" 0

done_testing
