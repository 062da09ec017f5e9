#!/bin/bash
# 33-realm-cli.sh: certmint realm add|list|check|delete against the stack's database: keytabs made by ktutil, the
# files written (realm and merged customer keytabs, the Location file that Apache's own configtest accepts with
# mod_auth_gssapi), two realms merged into one customer keytab (klist), re-checks after a keytab changes or goes
# missing (exit 2), audit rows, refusals (bad SPN, unreadable keytab, unknown domain), the last delete removing the
# files. Uses its own [autoenroll] directories (a copy of the stack's certmint.conf); needs only MariaDB.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI0 <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-33-realm.XXXXXX)
TAG=$$$RANDOM
trap 'sql "UPDATE kerberos_realms SET deleted_at = UTC_TIMESTAMP() WHERE windows_domain LIKE '"'"'%r$TAG%'"'"' AND deleted_at IS NULL" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/keytabs" "$T/apache"
grep -Ev '^(keytab_dir|apache_conf_dir|clients_dir)[[:space:]]*=' "$CERTMINT_CONF" > "$T/certmint.conf"
printf '\n[autoenroll]\nkeytab_dir = %s\napache_conf_dir = %s\n' "$T/keytabs" "$T/apache" >> "$T/certmint.conf"
CLI=("${CLI0[0]}" -c "$T/certmint.conf")
# A customer of the test's own: the stack's customers may have realms of
# their own already (a --with-ad stack gives the demo customer AD realm 1,
# whose keytab is not in this test's directories).
CUSTOMER=t33r$TAG
sql "INSERT INTO customers (uri, name, enabled) VALUES ('$CUSTOMER', 'Realm CLI test $TAG', 1)"
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CUSTOMER'")
run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_type = 'kerberos_realm' AND object_id = '$2'"; }

D1=r$TAG.corp.example.com
R1=$(printf '%s' "$D1" | tr '[:lower:]' '[:upper:]')
D2=r$TAG.other.example.com
R2=$(printf '%s' "$D2" | tr '[:lower:]' '[:upper:]')
SPN1=HTTP/certs.example.com@$R1
SPN2=HTTP/certs.example.com@$R2
ktutil_make() { # OUT then "principal enctype" pairs
	local out=$1 in=""
	shift
	while [ $# -ge 2 ]; do
		in+="addent -password -p $1 -k 2 -e $2"$'\n'"Secret-$TAG"$'\n'
		shift 2
	done
	printf '%swkt %s\nquit\n' "$in" "$out" | KRB5_CONFIG=/dev/null ktutil > /dev/null 2>&1
}
ktutil_make "$T/k1.keytab" "$SPN1" aes256-cts-hmac-sha1-96 "svc@$R1" aes256-cts-hmac-sha1-96
ktutil_make "$T/k2.keytab" "$SPN2" aes128-cts-hmac-sha1-96 "svc2@$R2" aes128-cts-hmac-sha1-96
ktutil_make "$T/rc4.keytab" "$SPN1" rc4-hmac
check "ktutil made the keytabs" test -s "$T/k1.keytab" -a -s "$T/k2.keytab" -a -s "$T/rc4.keytab"

run realm --help
expect_eq "realm --help exits 0" "$rc" 0
expect_match "it explains add" "$out" "realm add --customer URI --domain DOMAIN --spn HTTP/HOST@REALM --keytab FILE"
run realm add --customer "$CUSTOMER" --domain "$D1"
expect_eq "add without --spn/--keytab is a usage error" "$rc" 1
run realm add --customer "$CUSTOMER" --domain "$D1" --spn "HTTP/certs.example.com@WRONG.EXAMPLE.COM" --keytab "$T/k1.keytab"
expect_eq "an SPN of another realm is refused" "$rc" 1
expect_match "and said" "$err" "--spn: The realm after @ must be the Windows domain in upper case."
printf 'junk' > "$T/junk.keytab"
run realm add --customer "$CUSTOMER" --domain "$D1" --spn "$SPN1" --keytab "$T/junk.keytab"
expect_eq "an unreadable keytab is refused (exit 2)" "$rc" 2
expect_match "and said" "$err" "keytab: This file is not a usable keytab: not a keytab file"
run realm add --customer nosuchcustomer$TAG --domain "$D1" --spn "$SPN1" --keytab "$T/k1.keytab"
expect_eq "an unknown customer is refused" "$rc" 1
expect_eq "nothing stored by refusals" "$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE windows_domain = '$D1'")" 0

# ---- add two realms: merged customer keytab, Location file
run realm add --customer "$CUSTOMER" --domain "$D1" --spn "$SPN1" --keytab "$T/k1.keytab"
expect_eq "realm add exits 0" "$rc" 0
expect_match "it says what it added" "$out" "^realm $R1 added \(id [0-9]+, $SPN1\)$"
ID1=$(sql "SELECT id FROM kerberos_realms WHERE windows_domain = '$D1' AND deleted_at IS NULL")
run realm add --customer "$CUSTOMER" --domain "$D2" --spn "$SPN2" --keytab "$T/k2.keytab"
expect_eq "a second realm for the same customer" "$rc" 0
ID2=$(sql "SELECT id FROM kerberos_realms WHERE windows_domain = '$D2' AND deleted_at IS NULL")
check "realm-$ID1.keytab is the uploaded file" cmp "$T/k1.keytab" "$T/keytabs/realm-$ID1.keytab"
expect_eq "realm-$ID1.keytab is 0640" "$(stat -c %a "$T/keytabs/realm-$ID1.keytab")" 640
klist -k -e "$T/keytabs/customer-$CUST.keytab" > "$T/klist" 2>&1
check "the customer keytab holds realm 1's SPN (klist)" grep -qF "$SPN1" "$T/klist"
check "and realm 2's SPN" grep -qF "$SPN2" "$T/klist"
check "and both service accounts" sh -c "grep -qF 'svc@$R1' '$T/klist' && grep -qF 'svc2@$R2' '$T/klist'"
expect_eq "one kerberos_realm.create audit row each" "$(audit_count kerberos_realm.create "$ID1") $(audit_count kerberos_realm.create "$ID2")" "1 1"
CONF=$T/apache/autoenroll-$CUSTOMER.conf
check "the Location file is written" grep -qF "GssapiCredStore \"keytab:$T/keytabs/customer-$CUST.keytab\"" "$CONF"
check ".reload is touched" test -s "$T/apache/.reload"

# Apache's own configtest accepts the file with mod_auth_gssapi (what the reloader runs).
MOD=/usr/lib/apache2/modules
if command -v apache2 > /dev/null && [ -f "$MOD/mod_auth_gssapi.so" ]; then
	mkdir -p "$T/httpd/run"
	cat > "$T/httpd/httpd.conf" <<EOF
ServerRoot "$T/httpd"
ServerName localhost
PidFile "$T/httpd/run/httpd.pid"
Mutex file:$T/httpd/run default
DefaultRuntimeDir "$T/httpd/run"
ErrorLog "$T/httpd/error.log"
Listen 127.0.0.1:1
LoadModule mpm_event_module $MOD/mod_mpm_event.so
LoadModule authn_core_module $MOD/mod_authn_core.so
LoadModule authz_core_module $MOD/mod_authz_core.so
LoadModule authz_user_module $MOD/mod_authz_user.so
LoadModule auth_gssapi_module $MOD/mod_auth_gssapi.so
IncludeOptional $T/apache/*.conf
EOF
	if apache2 -t -f "$T/httpd/httpd.conf" > "$T/httpd/t.log" 2>&1; then
		ok "apache2 -t accepts the Location file"
	else
		fail "apache2 -t accepts the Location file"
		sed 's/^/# /' "$T/httpd/t.log"
	fi
else
	ok "# SKIP apache2 or mod_auth_gssapi not installed"
fi

# ---- the same domain again updates it; list; check
run realm add --customer "$CUSTOMER" --domain "$D1" --spn "$SPN1" --keytab "$T/rc4.keytab"
expect_eq "adding a domain the customer has updates it" "$rc" 0
expect_match "it says updated" "$out" "^realm $R1 updated \(id $ID1,"
expect_match "with a warning for the RC4-only keytab" "$err" "warning: holds $SPN1 only with rc4-hmac; set msDS-SupportedEncryptionTypes to 24 on the account and export again"
expect_eq "one kerberos_realm.update audit row" "$(audit_count kerberos_realm.update "$ID1")" 1
run realm list --customer "$CUSTOMER"
expect_eq "realm list exits 0" "$rc" 0
expect_match "list has a header" "$out" "^customer	domain	realm	spn	keytab	checked_at	principals"
expect_match "list shows realm 1's problem" "$out" "$CUSTOMER	$D1	$R1	$SPN1	problem: holds $SPN1 only with rc4-hmac"
expect_match "list shows realm 2 ok" "$out" "$CUSTOMER	$D2	$R2	$SPN2	ok	[0-9-]+ [0-9:]+	$SPN2 \(kvno 2: aes128-cts-hmac-sha1-96\)"
run realm check --customer "$CUSTOMER"
expect_eq "realm check exits 2 while a keytab has a problem" "$rc" 2
cp "$T/k1.keytab" "$T/keytabs/realm-$ID1.keytab"
run realm check --customer "$CUSTOMER"
expect_eq "realm check exits 0 once the keytab is good again" "$rc" 0
expect_match "and says so" "$out" "$D1	ok	$SPN1"
expect_eq "the change is audited (kerberos_realm.check)" "$(audit_count kerberos_realm.check "$ID1")" 1
rm -f "$T/keytabs/realm-$ID2.keytab"
run realm check --customer "$CUSTOMER"
expect_eq "a missing keytab makes check exit 2" "$rc" 2
expect_match "and it is named" "$out" "$D2	problem: the keytab file is missing: upload it again"
klist -k "$T/keytabs/customer-$CUST.keytab" > "$T/klist" 2>&1
check_not "the rewritten customer keytab leaves the missing realm out" grep -qF "$SPN2" "$T/klist"

# ---- delete
run realm delete --customer "$CUSTOMER" --domain "nosuch$TAG.example.com"
expect_eq "deleting an unknown domain exits 1" "$rc" 1
run realm delete --customer "$CUSTOMER" --domain "$D2"
expect_eq "realm delete exits 0" "$rc" 0
expect_eq "one kerberos_realm.delete audit row" "$(audit_count kerberos_realm.delete "$ID2")" 1
run realm delete --customer "$CUSTOMER" --domain "$D1"
expect_eq "the last realm is deleted" "$rc" 0
check_not "realm-$ID1.keytab is removed" test -e "$T/keytabs/realm-$ID1.keytab"
if [ "$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE customer_id = $CUST AND deleted_at IS NULL")" = 0 ]; then
	check_not "without a live realm the Location file is removed" test -e "$CONF"
	check_not "and the customer keytab" test -e "$T/keytabs/customer-$CUST.keytab"
fi
done_testing
