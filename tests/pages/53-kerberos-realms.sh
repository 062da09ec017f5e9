#!/bin/bash
# 53-kerberos-realms.sh: Settings -> Kerberos realms (MRAO only): add / edit / delete with a keytab upload, field
# errors with a linked error summary, the keytab check (RC4-only problem shown), the files certmint writes (realm and
# customer keytabs 0640, the Apache Location file exactly, .reload touched, removed with the last realm), Apache's
# reload state on the page, audit rows without key bytes, CSRF; the client downloads with the four values filled in
# and hostile values refused. admin.fcgi runs with its own [autoenroll] directories (a wrapper swaps its -c).
. tests/lib.sh
. tests/harness/harness.sh

T=$(mktemp -d /tmp/cm-53-realms.XXXXXX)
chmod 755 "$T"
TAG=$$$RANDOM
# The wrapper runs admin.fcgi with a copy of the stack's certmint.conf whose
# [autoenroll] directories are this test's (so nothing outside $T is written).
mkdir -p "$T/keytabs" "$T/apache" "$T/clients"
cat > "$T/admin-wrap" <<EOF
#!/bin/bash
args=()
while [ \$# -gt 0 ]; do
	if [ "\$1" = -c ]; then
		grep -Ev '^(keytab_dir|apache_conf_dir|clients_dir)[[:space:]]*=' "\$2" > "$T/certmint.conf"
		printf '\n[autoenroll]\nkeytab_dir = %s\napache_conf_dir = %s\nclients_dir = %s\n' \
			"$T/keytabs" "$T/apache" "$T/clients" >> "$T/certmint.conf"
		args+=(-c "$T/certmint.conf")
		shift 2
	else
		args+=("\$1")
		shift
	fi
done
exec "$CERTMINT_BUILD/cgi/admin/admin.fcgi" "\${args[@]}"
EOF
chmod 755 "$T/admin-wrap"
harness_up "$T/admin-wrap" || { fail "the page harness starts"; done_testing; exit 1; }
cleanup() {
	sql "UPDATE kerberos_realms SET deleted_at = UTC_TIMESTAMP() WHERE windows_domain LIKE '%aer$TAG%' AND deleted_at IS NULL" 2>/dev/null
	rm -rf "$T"
}
trap 'cleanup; harness_down' EXIT
URL=$CERTMINT_URL/admin

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
DOMAIN=aer$TAG.example.com
REALM=$(printf '%s' "$DOMAIN" | tr '[:lower:]' '[:upper:]')
SPN=HTTP/certs.$DOMAIN@$REALM
flat() { tr '\n' ' ' < "$T/body"; }
in_body() { if grep -qF -- "$2" "$T/body"; then ok "$1"; else fail "$1"; diag "$(sed 's/<[^>]*>//g' "$T/body" | tr -s ' \n' ' ' | head -c 400)"; fi; }
not_in_body() { if grep -qF -- "$2" "$T/body"; then fail "$1"; else ok "$1"; fi; }
mode_of() { stat -c '%a %G' "$1" 2>/dev/null; }
audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_type = 'kerberos_realm' AND object_id = '$2'"; }

# Keytabs made by MIT ktutil: the SPN with AES plus the account's own principal;
# the SPN with RC4 only; and a file that is no keytab.
ktutil_make() { # OUT then "principal enctype" pairs
	local out=$1 p e in=""
	shift
	while [ $# -ge 2 ]; do
		p=$1 e=$2
		shift 2
		in+="addent -password -p $p -k 3 -e $e"$'\n'"Secret-$TAG"$'\n'
	done
	printf '%swkt %s\nquit\n' "$in" "$out" | KRB5_CONFIG=/dev/null ktutil > /dev/null 2>&1
}
ktutil_make "$T/aes.keytab" "$SPN" aes256-cts-hmac-sha1-96 "$SPN" aes128-cts-hmac-sha1-96 "svc-certmint@$REALM" aes256-cts-hmac-sha1-96
ktutil_make "$T/rc4.keytab" "$SPN" rc4-hmac
printf 'not a keytab\n' > "$T/junk.keytab"
check "ktutil made the test keytabs" test -s "$T/aes.keytab" -a -s "$T/rc4.keytab"

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" || { fail "log in as the MRAO"; done_testing; exit 1; }
get /kerberos-realms > /dev/null
expect_eq "the MRAO sees the Kerberos realms page" "$(status)" 200
in_body "the navigation links it" 'href="/admin/kerberos-realms">Kerberos realms</a>'
in_body "no reload state yet" "Apache has not reloaded a configuration written here yet."
get /kerberos-realms/new > /dev/null
CSRF=$(csrf_of)
in_body "the form uploads multipart" 'enctype="multipart/form-data"'
in_body "the domain hint" "The AD DNS domain, e.g. corp.example.com; the realm is its upper-case form"

# add FIELDS...: a multipart POST of the new-realm form with the CSRF token.
add() { get /kerberos-realms/new -F "csrf=$CSRF" "$@" > /dev/null; }

# ---- CSRF and validation
get /kerberos-realms/new -F "domain=$DOMAIN" -F "spn=$SPN" -F "keytab=@$T/aes.keytab" > /dev/null
expect_eq "a POST without the CSRF token is refused" "$(status)" 403
add -F "domain=" -F "spn=" -F "keytab=@/dev/null"
expect_eq "an empty form is 400" "$(status)" 400
in_body "the error summary links the domain" '<a href="#domain">Enter the Active Directory DNS domain'
in_body "the error summary links the SPN" '<a href="#spn">Enter the service principal name'
in_body "the error summary links the keytab" '<a href="#keytab">Choose the keytab file'
add -F "domain=$DOMAIN" -F "spn=HTTP/certs.$DOMAIN@OTHER.EXAMPLE.COM" -F "keytab=@$T/aes.keytab"
expect_eq "an SPN of another realm is 400" "$(status)" 400
in_body "the SPN's realm must be the domain's" 'The realm after @ must be the Windows domain in upper case.'
in_body "what was typed is kept" "value=\"HTTP/certs.$DOMAIN@OTHER.EXAMPLE.COM\""
add -F "domain=bad_domain!.com" -F "spn=$SPN" -F "keytab=@$T/aes.keytab"
expect_eq "a bad domain is 400" "$(status)" 400
in_body "the domain error is next to its field" 'id="domain-error"'
add -F "domain=$DOMAIN" -F "spn=$SPN" -F "keytab=@$T/junk.keytab"
expect_eq "a file that is no keytab is 400" "$(status)" 400
in_body "the keytab error says why" "This file is not a usable keytab: not a keytab file"
expect_eq "nothing was stored by refused forms" "$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE windows_domain = '$DOMAIN'")" 0

# ---- add
RELOAD_BEFORE=$(stat -c %Y "$T/apache/.reload" 2>/dev/null || echo 0)
add -F "domain=${DOMAIN^^}" -F "spn=$SPN" -F "keytab=@$T/aes.keytab"
expect_eq "a good realm is added (303)" "$(status)" 303
expect_eq "back to the list with the banner" "$(location)" "/admin/kerberos-realms?done=added"
ID=$(sql "SELECT id FROM kerberos_realms WHERE customer_id = $CUST AND windows_domain = '$DOMAIN' AND deleted_at IS NULL")
expect_match "the realm row, domain lower-cased" "$ID" '^[0-9]+$'
expect_eq "its realm is the upper-case domain" "$(sql "SELECT realm FROM kerberos_realms WHERE id = ${ID:-0}")" "$REALM"
expect_eq "the keytab's hash is recorded" "$(sql "SELECT keytab_sha256 FROM kerberos_realms WHERE id = ${ID:-0}")" \
	"$(sha256sum < "$T/aes.keytab" | cut -d' ' -f1)"
expect_eq "no problem recorded" "$(sql "SELECT COALESCE(keytab_problem, 'none') FROM kerberos_realms WHERE id = ${ID:-0}")" none
get "/kerberos-realms?done=added" > /dev/null
in_body "the success banner" "Kerberos realm added; the Apache configuration was rewritten."
in_body "the list shows the SPN" "$SPN"
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F "/admin/kerberos-realms/$ID\"")
expect_match "the keytab is OK, with its principals" "$row" "tag tag-good\">OK<.*$SPN \(kvno 3: aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96\), svc-certmint@$REALM"
check "realm-$ID.keytab holds the uploaded bytes" cmp "$T/aes.keytab" "$T/keytabs/realm-$ID.keytab"
want_mode="640 root"
getent group certmint-keytab > /dev/null && want_mode="640 certmint-keytab"
expect_eq "realm-$ID.keytab is $want_mode" "$(mode_of "$T/keytabs/realm-$ID.keytab")" "$want_mode"
expect_eq "customer-$CUST.keytab is $want_mode" "$(mode_of "$T/keytabs/customer-$CUST.keytab")" "$want_mode"
check "the customer keytab lists the SPN (klist)" sh -c "klist -k '$T/keytabs/customer-$CUST.keytab' | grep -qF '$SPN'"
CNAME=$(sql "SELECT name FROM customers WHERE id = $CUST")
cat > "$T/want.conf" <<EOF
# Written by certmint for customer $CERTMINT_CUSTOMER ($CNAME); do not edit: the admin portal rewrites it.
<Location "/customer/$CERTMINT_CUSTOMER/autoenroll">
	AuthType GSSAPI
	AuthName "certmint auto-enrollment"
	GssapiCredStore "keytab:$T/keytabs/customer-$CUST.keytab"
	GssapiAllowedMech krb5
	GssapiBasicAuth Off
	Require valid-user
</Location>
EOF
check "autoenroll-$CERTMINT_CUSTOMER.conf is exactly the Location of the contract" \
	cmp "$T/want.conf" "$T/apache/autoenroll-$CERTMINT_CUSTOMER.conf"
check ".reload is touched" test -e "$T/apache/.reload" -a "$(stat -c %Y "$T/apache/.reload" 2>/dev/null || echo 0)" -ge "$RELOAD_BEFORE"
expect_eq "one kerberos_realm.create audit row" "$(audit_count kerberos_realm.create "$ID")" 1
after=$(sql "SELECT after_json FROM audit_log WHERE action = 'kerberos_realm.create' AND object_id = '$ID'")
expect_match "the audit row names the SPN and the keytab's hash" "$after" "\"spn\":\"$SPN\".*\"keytab_sha256\":\"[0-9a-f]{64}\""
key_b64=$(tail -c 36 "$T/aes.keytab" | head -c 32 | base64 -w0)
key_hex=$(tail -c 36 "$T/aes.keytab" | head -c 32 | od -An -tx1 | tr -d ' \n')
if grep -rqiF -e "$key_b64" -e "$key_hex" "$HARNESS_DIR/program.log" 2>/dev/null ||
	[ "$(sql "SELECT COUNT(*) FROM audit_log WHERE object_type = 'kerberos_realm' AND (after_json LIKE '%$key_hex%' OR after_json LIKE '%$key_b64%')")" != 0 ]; then
	fail "the keytab's key never reaches the log or the audit"
else
	ok "the keytab's key never reaches the log or the audit"
fi
add -F "domain=$DOMAIN" -F "spn=$SPN" -F "keytab=@$T/aes.keytab"
expect_eq "the same domain twice is 400" "$(status)" 400
in_body "it says the customer has it" "This customer already has the Windows domain $DOMAIN."

# ---- edit: the SPN alone keeps the keytab (re-checked); an RC4-only keytab is stored with its problem shown
get "/kerberos-realms/$ID" > /dev/null
expect_eq "the realm's page" "$(status)" 200
in_body "the page shows the stored SPN" "value=\"$SPN\""
get "/kerberos-realms/$ID" -F "csrf=$CSRF" -F "domain=$DOMAIN" -F "spn=HTTP/other.$DOMAIN@$REALM" > /dev/null
expect_eq "an SPN change without a keytab saves (303)" "$(status)" 303
expect_eq "back to the list, saved" "$(location)" "/admin/kerberos-realms?done=saved"
expect_match "the kept keytab no longer holds the new SPN" "$(sql "SELECT keytab_problem FROM kerberos_realms WHERE id = $ID")" \
	"^the keytab does not hold HTTP/other.$DOMAIN@$REALM"
check "the realm keytab is unchanged" cmp "$T/aes.keytab" "$T/keytabs/realm-$ID.keytab"
get "/kerberos-realms/$ID" -F "csrf=$CSRF" -F "domain=$DOMAIN" -F "spn=$SPN" -F "keytab=@$T/rc4.keytab" > /dev/null
expect_eq "an RC4-only keytab is saved (303)" "$(status)" 303
get /kerberos-realms > /dev/null
row=$(flat | sed 's/<tr>/\n<tr>/g' | grep -F "/admin/kerberos-realms/$ID\"")
expect_match "the RC4-only problem is shown" "$row" \
	"tag tag-bad\">problem</span> holds $SPN only with rc4-hmac; set msDS-SupportedEncryptionTypes to 24 on the account and export again"
check "the stored keytab is the new one" cmp "$T/rc4.keytab" "$T/keytabs/realm-$ID.keytab"
expect_eq "two kerberos_realm.update audit rows" "$(audit_count kerberos_realm.update "$ID")" 2

# ---- Apache's reload state, as the reloader writes it
printf 'failed %s AH00526: Syntax error on line 4 of %s/apache/autoenroll-x.conf: <b>bad</b>\n' "$(date +%s)" "$T" > "$T/apache/.reload-status"
get /kerberos-realms > /dev/null
in_body "a failed reload is shown with its error" "Apache did not reload ("
in_body "the error line is shown escaped" "AH00526: Syntax error on line 4 of $T/apache/autoenroll-x.conf: &lt;b&gt;bad&lt;/b&gt;"
printf 'ok 1767225600\n' > "$T/apache/.reload-status"
get /kerberos-realms > /dev/null
in_body "a good reload is shown with its time" "Apache reloaded at 2026-01-01 00:00:00 UTC."

# ---- who may: the RAO and the DRAO see nothing of it
login_as carol "$CERTMINT_RAO_A_PRINCIPAL"
expect_eq "an RAO may not see the realms" "$(req_as carol /kerberos-realms)" 403
expect_eq "an RAO may not see a realm" "$(req_as carol "/kerberos-realms/$ID")" 403
expect_eq "an RAO may not download the clients" "$(req_as carol "/autoenroll/download?client=linux")" 403
login_as alice

# ---- delete: confirmation, then POST
get "/kerberos-realms/$ID/delete" > /dev/null
expect_eq "the delete confirmation page" "$(status)" 200
in_body "it asks about this realm" "Delete the Kerberos realm $REALM?"
get "/kerberos-realms/$ID/delete" -F "csrf=$CSRF" > /dev/null
expect_eq "a delete without confirm=yes is 400" "$(status)" 400
get "/kerberos-realms/$ID/delete" -F "csrf=$CSRF" -F "confirm=yes" > /dev/null
expect_eq "the realm is deleted (303)" "$(status)" 303
expect_eq "back to the list, deleted" "$(location)" "/admin/kerberos-realms?done=deleted"
expect_eq "the row is soft-deleted" "$(sql "SELECT deleted_at IS NOT NULL FROM kerberos_realms WHERE id = $ID")" 1
expect_eq "one kerberos_realm.delete audit row" "$(audit_count kerberos_realm.delete "$ID")" 1
check_not "realm-$ID.keytab is removed" test -e "$T/keytabs/realm-$ID.keytab"
if [ "$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE customer_id = $CUST AND deleted_at IS NULL")" = 0 ]; then
	check_not "without a live realm the Location file is removed" test -e "$T/apache/autoenroll-$CERTMINT_CUSTOMER.conf"
	check_not "and the customer keytab" test -e "$T/keytabs/customer-$CUST.keytab"
fi
expect_eq "the deleted realm is gone from its page" "$(req_as alice "/kerberos-realms/$ID")" 404

# ---- client downloads: the four values filled in; hostile values refused
src=tests/pages/autoenroll-clients
[ -f clients/certmint-autoenroll.sh ] && src=clients
cp "$src/certmint-autoenroll.sh" "$src/certmint-autoenroll.ps1" "$src/certmint-autoenroll-submit" "$T/clients/"
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")
BASE=$(sed -n 's/^base_url *= *//p' "$T/certmint.conf" | head -n 1)
REQ_URL=${BASE%/}/customer/$CERTMINT_CUSTOMER/autoenroll
get /autoenroll > /dev/null
expect_eq "the client downloads page" "$(status)" 200
in_body "it shows the request URL" "<code id=\"request-url\">$REQ_URL</code>"
in_body "it offers the organisations" "<option value=\"$ORG\">Demo Organisation</option>"
for c in linux:certmint-autoenroll.sh powershell:certmint-autoenroll.ps1 certmonger:certmint-autoenroll-submit; do
	get "/autoenroll/download?client=${c%%:*}&orgid=$ORG&days=14" > /dev/null
	expect_eq "${c%%:*}: downloaded (200)" "$(status)" 200
	expect_eq "${c%%:*}: as an attachment named ${c#*:}" "$(header Content-Disposition)" "attachment; filename=\"${c#*:}\""
	in_body "${c%%:*}: the request URL filled in" "$REQ_URL"
	in_body "${c%%:*}: the orgid and days filled in" "$ORG"
	not_in_body "${c%%:*}: no placeholder left" "@CERTMINT_"
done
get "/autoenroll/download?client=linux&days=30" > /dev/null
in_body "no orgid: an empty value" "CERTMINT_ORGID=\${CERTMINT_ORGID:-''}"
for q in "orgid=1%3Brm%20-rf%20%2F" "orgid=%27%24(id)%27" "days=0" "days=3651" "days=1%3Bid" "orgid=999999999"; do
	get "/autoenroll/download?client=linux&$q" > /dev/null
	expect_eq "a hostile or unknown value ($q) is refused (400)" "$(status)" 400
	not_in_body "and no script is sent ($q)" "#!/bin/sh"
done
get "/autoenroll/download?client=..%2F..%2Fetc%2Fpasswd" > /dev/null
expect_eq "an unknown client name is 400" "$(status)" 400
rm -f "$T/clients/certmint-autoenroll-submit"
get "/autoenroll/download?client=certmonger" > /dev/null
expect_eq "a client not installed is 404" "$(status)" 404
done_testing
