#!/bin/bash
# tests/integration/10-stack.sh: the private stack's services really run, as
# the right users, and are wired together (DB, KDC, signer, FastCGI, Apache, TLS).
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
export KRB5CCNAME=FILE:$TMP/ccache

# --- stack.env -------------------------------------------------------------
missing=""
for v in CERTMINT_URL CERTMINT_HTTPS_URL CERTMINT_CUSTOMER CERTMINT_CA_PEM KRB5_CONFIG \
	CERTMINT_REALM CERTMINT_ADMIN_PRINCIPAL CERTMINT_ADMIN_PASSWORD CERTMINT_USER_PRINCIPAL \
	CERTMINT_USER_PASSWORD CERTMINT_DB_SOCKET CERTMINT_SIGNER_SOCKET CERTMINT_CLI CERTMINT_CONF \
	CERTMINT_SIGNER_CONF CERTMINT_DB_USER CERTMINT_DB_PASSWORD CERTMINT_DB_NAME CERTMINT_VAULT \
	CERTMINT_JOURNAL CERTMINT_STACK_DIR; do
	[ -n "${!v:-}" ] || missing="$missing $v"
done
expect_eq "stack.env sets every variable" "$missing" ""
expect_match "CERTMINT_URL uses host localhost (SPNEGO needs HTTP/localhost)" "$CERTMINT_URL" '^http://localhost:[0-9]+$'
expect_match "CERTMINT_HTTPS_URL uses host localhost" "$CERTMINT_HTTPS_URL" '^https://localhost:[0-9]+$'
check "CA chain file exists" test -s "$CERTMINT_CA_PEM"
check "signer socket exists" test -S "$CERTMINT_SIGNER_SOCKET"

# --- MariaDB ---------------------------------------------------------------
got=$(MYSQL_PWD=$CERTMINT_DB_PASSWORD mariadb --no-defaults -S "$CERTMINT_DB_SOCKET" \
	-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" -e 'SELECT 40 + 2' 2>&1)
expect_eq "MariaDB answers the application user over its socket" "$got" "42"
got=$(MYSQL_PWD=wrong-$CERTMINT_DB_PASSWORD mariadb --no-defaults -S "$CERTMINT_DB_SOCKET" \
	-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" -e 'SELECT 42' 2>&1)
expect_match "MariaDB refuses a wrong password" "$got" 'Access denied'
got=$(MYSQL_PWD=$CERTMINT_DB_PASSWORD mariadb --no-defaults -S "$CERTMINT_DB_SOCKET" \
	-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" \
	-e "SELECT COUNT(*) FROM customers WHERE uri = '$CERTMINT_CUSTOMER'" 2>&1)
expect_eq "demo customer is loaded" "$got" "1"
got=$(MYSQL_PWD=$CERTMINT_DB_PASSWORD mariadb --no-defaults -S "$CERTMINT_DB_SOCKET" \
	-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" \
	-e "SELECT COUNT(*) FROM admins WHERE principal = '$CERTMINT_ADMIN_PRINCIPAL'" 2>&1)
expect_eq "demo administrator is loaded" "$got" "1"

# --- Kerberos --------------------------------------------------------------
check "kinit with alice's password" sh -c 'printf "%s\n" "$CERTMINT_ADMIN_PASSWORD" | kinit "$CERTMINT_ADMIN_PRINCIPAL"'
expect_match "ticket cache holds alice's TGT" "$(klist 2>&1)" "krbtgt/$CERTMINT_REALM@$CERTMINT_REALM"
check_not "kinit with a wrong password fails" sh -c \
	'printf "wrong\n" | KRB5CCNAME=FILE:'"$TMP"'/bad kinit "$CERTMINT_ADMIN_PRINCIPAL"'

# --- processes and users ----------------------------------------------------
pid_of() { cut -d' ' -f1 "$CERTMINT_STACK_DIR/pids/$1.pid" 2>/dev/null; }
spid=$(pid_of signerd)
expect_eq "signerd runs as certmint-signer" "$(ps -o user:32= -p "${spid:-0}" 2>/dev/null | tr -d ' ')" "certmint-signer"
apid=$(pid_of admin)
workers=$(ps -o user:32= --ppid "${apid:-0}" 2>/dev/null | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
expect_match "admin.fcgi workers run as certmint-admin, not Apache's www-data (got: $workers)" "$workers" \
	'^certmint-adminx[1-9][0-9]* $'
expect_match "signer socket is group certmint-signer-clients, mode 0660" \
	"$(stat -c '%G %a' "$CERTMINT_SIGNER_SOCKET")" '^certmint-signer-clients 660$'

# --- the vault is out of the web user's reach ---------------------------------
as_web() { setpriv --reuid=www-data --regid=www-data --clear-groups "$@"; }
nfiles=$(find "$CERTMINT_VAULT" -type f | wc -l)
check "the vault holds key files after init ($nfiles)" test "$nfiles" -gt 0
check_not "www-data cannot list the vault" as_web ls "$CERTMINT_VAULT"
readable=0
while IFS= read -r f; do
	as_web cat "$f" > /dev/null 2>&1 && readable=$((readable + 1))
done < <(find "$CERTMINT_VAULT" -type f)
expect_eq "www-data can read no vault file" "$readable" "0"
# shellcheck disable=SC2086
check_not "setpriv as www-data: cat vault/* fails" as_web sh -c "cat $CERTMINT_VAULT/*"
check_not "www-data cannot read vault.key" as_web cat "$CERTMINT_STACK_DIR/vault.key"
check_not "www-data cannot read the journal" as_web cat "$CERTMINT_JOURNAL"
check_not "www-data cannot read the database password file" as_web cat "$CERTMINT_STACK_DIR/db.password"
check "certmint-admin (in group certmint) can read the database password file" \
	setpriv --reuid=certmint-admin --regid=certmint-admin --init-groups cat "$CERTMINT_STACK_DIR/db.password"

# --- Apache: static files over http and https --------------------------------
static=$(cd static 2>/dev/null && { [ -f style.css ] && echo style.css || find . -type f ! -name local.mk | sed 's|^\./||' | sort | head -1; })
if [ -n "$static" ]; then
	curl -s -o "$TMP/static" "$CERTMINT_URL/static/$static"
	check "http serves /static/$static unchanged" cmp -s "$TMP/static" "static/$static"
	curl -s --cacert "$CERTMINT_CA_PEM" -o "$TMP/static-tls" "$CERTMINT_HTTPS_URL/static/$static"
	check "https (verified against certmint's CA) serves /static/$static" cmp -s "$TMP/static-tls" "static/$static"
else
	fail "static/ has no file to fetch"
fi
expect_eq "a missing static file is 404" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$CERTMINT_URL/static/no-such-file.css")" "404"
check "https verifies against CERTMINT_CA_PEM" curl -sf --cacert "$CERTMINT_CA_PEM" -o /dev/null "$CERTMINT_HTTPS_URL/"
check_not "https does not verify against the system CAs" curl -sf -o /dev/null "$CERTMINT_HTTPS_URL/"

port=${CERTMINT_HTTPS_URL##*:}
openssl s_client -connect "127.0.0.1:$port" -servername localhost -showcerts < /dev/null > "$TMP/sclient" 2>&1
awk '/BEGIN CERTIFICATE/{p=1} p{print} /END CERTIFICATE/{exit}' "$TMP/sclient" > "$TMP/leaf.pem"
issuer=$(openssl x509 -in "$TMP/leaf.pem" -noout -issuer -nameopt RFC2253 2>&1 | sed 's/^issuer=//')
ca_subject=$(openssl x509 -in "$CERTMINT_CA_PEM" -noout -subject -nameopt RFC2253 2>&1 | sed 's/^subject=//')
expect_eq "TLS certificate is issued by certmint's issuing CA" "$issuer" "$ca_subject"
check "TLS certificate verifies against the CA chain" openssl verify -CAfile "$CERTMINT_CA_PEM" "$TMP/leaf.pem"
expect_match "TLS certificate names localhost" "$(openssl x509 -in "$TMP/leaf.pem" -noout -ext subjectAltName 2>&1)" 'DNS:localhost'
expect_match "TLS certificate is for servers (EKU)" "$(openssl x509 -in "$TMP/leaf.pem" -noout -ext extendedKeyUsage 2>&1)" 'TLS Web Server Authentication'

# --- /admin/ authentication -----------------------------------------------------
code=$(curl -s -D "$TMP/h401" -o /dev/null -w '%{http_code}' "$CERTMINT_URL/admin/")
expect_eq "/admin/ without a ticket is 401" "$code" "401"
expect_match "401 offers Negotiate" "$(cat "$TMP/h401")" '^WWW-Authenticate: Negotiate'
curl -s -o "$TMP/b401" "$CERTMINT_URL/admin/"
check "the plain-http 401 page links the https login" grep -qF "<a href='$CERTMINT_HTTPS_URL/admin/'>" "$TMP/b401"
check "and explains why" grep -qF 'Your browser did not offer a Kerberos ticket.' "$TMP/b401"
check_not "it is not Apache's bare 401 page" grep -qF 'This server could not verify that you' "$TMP/b401"
check_not "plain http does not offer Basic" grep -qi '^WWW-Authenticate: Basic' "$TMP/h401"
code=$(curl -s -u "$CERTMINT_ADMIN_PRINCIPAL:$CERTMINT_ADMIN_PASSWORD" -o /dev/null -w '%{http_code}' "$CERTMINT_URL/admin/")
expect_eq "plain http refuses Basic credentials" "$code" "401"

code=$(curl -s --negotiate -u : -o "$TMP/page" -w '%{http_code}' "$CERTMINT_URL/admin/")
check "with alice's ticket /admin/ gets past authentication (got $code)" test "$code" != 401 -a "$code" != 000
expect_eq "alice (MRAO) reaches the admin home page through admin.fcgi" "$code" "200"

check "kinit as bob" sh -c 'printf "%s\n" "$CERTMINT_USER_PASSWORD" | KRB5CCNAME=FILE:'"$TMP"'/bob kinit "$CERTMINT_USER_PRINCIPAL"'
code=$(KRB5CCNAME=FILE:$TMP/bob curl -s --negotiate -u : -o /dev/null -w '%{http_code}' "$CERTMINT_URL/admin/")
expect_eq "bob (not an administrator) is authenticated but refused: 403" "$code" "403"

code=$(curl -s -D "$TMP/h401s" --cacert "$CERTMINT_CA_PEM" -o /dev/null -w '%{http_code}' "$CERTMINT_HTTPS_URL/admin/")
expect_eq "https /admin/ without credentials is 401" "$code" "401"
expect_match "https offers Basic (Kerberos password)" "$(cat "$TMP/h401s")" '^WWW-Authenticate: Basic'
curl -s --cacert "$CERTMINT_CA_PEM" -o "$TMP/b401s" "$CERTMINT_HTTPS_URL/admin/"
check "the https 401 page says how to log in" grep -qF 'the user name without the realm, and its password' "$TMP/b401s"
code=$(KRB5CCNAME=FILE:$TMP/none curl -s --cacert "$CERTMINT_CA_PEM" -u "$CERTMINT_ADMIN_PRINCIPAL:$CERTMINT_ADMIN_PASSWORD" \
	-o /dev/null -w '%{http_code}' "$CERTMINT_HTTPS_URL/admin/")
expect_eq "https Basic with alice's Kerberos password reaches the home page" "$code" "200"
code=$(curl -s --cacert "$CERTMINT_CA_PEM" -u "${CERTMINT_ADMIN_PRINCIPAL%@*}:$CERTMINT_ADMIN_PASSWORD" \
	-o /dev/null -w '%{http_code}' "$CERTMINT_HTTPS_URL/admin/")
check "https Basic with the short user name gets past authentication ($code)" test "$code" != 401 -a "$code" != 000
code=$(curl -s --cacert "$CERTMINT_CA_PEM" -u "$CERTMINT_ADMIN_PRINCIPAL:wrong-password" \
	-o /dev/null -w '%{http_code}' "$CERTMINT_HTTPS_URL/admin/")
expect_eq "https Basic with a wrong password is 401" "$code" "401"

# --- the CLI reaches the database and the signer ---------------------------------
check "certmint status runs against the stack" $CERTMINT_CLI status

kdestroy > /dev/null 2>&1
done_testing
