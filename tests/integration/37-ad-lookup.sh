#!/bin/bash
# 37-ad-lookup.sh: certmint's AD client (lib/ad_lookup.c) through certmint ad add|verify|lookup against the stack's Samba AD DCs (stack.sh up --with-ad): GSSAPI and simple binds, StartTLS, each failure stage, hostile names, two realms in one process.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

if [ -z "${CERTMINT_AD_REALM:-}" ] || [ -z "${CERTMINT_AD_DC_IP:-}" ]; then
	ok "# skip the stack has no Active Directory (tests/stack.sh up DIR --with-ad)"
	done_testing
	exit 0
fi

read -ra CLI <<< "$CERTMINT_CLI"
CLI_BIN=${CLI[0]}
MULTI=$CERTMINT_BUILD/tests/tools/ad-lookup-multi
T=$(mktemp -d)
trap 'cleanup; rm -rf "$T"' EXIT
TAG=t37$$
PFX=${CERTMINT_AD_EXEC:-}

# Realm 2's variable NAME: CERTMINT_AD2_NAME, or CERTMINT_AD_NAME_2.
ad2() { local a="CERTMINT_AD2_$1" b="CERTMINT_AD_$1_2"; printf '%s' "${!a:-${!b:-}}"; }
# DC=corp,DC=example,DC=com of corp.example.com
base_of() { printf 'DC=%s' "$(printf '%s' "$1" | sed 's/\./,DC=/g')"; }
# The customer of an autoenroll URL (.../customer/URI/autoenroll).
customer_of() { printf '%s' "$1" | sed -n 's|.*/customer/\([^/]*\)/autoenroll.*|\1|p'; }

DOM1=${CERTMINT_AD_DOMAIN:-$(printf '%s' "$CERTMINT_AD_REALM" | tr 'A-Z' 'a-z')}
BASE1=$(base_of "$DOM1")
C1=${CERTMINT_CUSTOMER:-demo}
REALM2=$(ad2 REALM)
DOM2=$(ad2 DOMAIN)
[ -z "$DOM2" ] && [ -n "$REALM2" ] && DOM2=$(printf '%s' "$REALM2" | tr 'A-Z' 'a-z')
IP2=$(ad2 DC_IP)
C2=$(customer_of "${CERTMINT_AUTOENROLL_URL_2:-}")

# ---- configuration: the stack's certmint.conf, plus a bind key and a keytab
# directory when the stack has none (a stack without aerealm's realm add).
CONF_SRC=${CLI[2]}
CONF=$CONF_SRC
if ! grep -q '^ldap_bind_key_file' "$CONF_SRC" || ! grep -q '^keytab_dir' "$CONF_SRC"; then
	CONF=$T/certmint.conf
	cp "$CONF_SRC" "$CONF"
	if ! grep -q '^ldap_bind_key_file' "$CONF"; then
		(umask 077 && openssl rand -hex 32 > "$T/ldap-bind.key")
		sed -i "s|^\[secrets\]\$|[secrets]\nldap_bind_key_file = $T/ldap-bind.key|" "$CONF"
	fi
	if ! grep -q '^keytab_dir' "$CONF"; then
		mkdir -p "$T/keytabs"
		printf '\n[autoenroll]\nkeytab_dir = %s/keytabs\n' "$T" >> "$CONF"
	fi
fi
KTDIR=$(sed -n 's/^keytab_dir *= *//p' "$CONF" | head -n 1)
KRB5_CONFIG=$CERTMINT_AD_KRB5_CONFIG
[ -n "$(ad2 KRB5_CONFIG)" ] && KRB5_CONFIG="$KRB5_CONFIG:$(ad2 KRB5_CONFIG)"
export KRB5_CONFIG
unset KRB5CCNAME

# run ARGS...: certmint with this test's configuration; $out, $err, $rc.
run() { out=$($PFX "$CLI_BIN" -c "$CONF" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
field() { printf '%s\n' "$out" | sed -n "s/^$1: //p" | head -n 1; }

# The realm row (and keytab) of customer $1 for domain $2 with keytab $3:
# `certmint realm add` made it on a stack with --with-ad; else this test does.
ADDED_REALMS=
ensure_realm() {
	local cid id
	cid=$(sql "SELECT id FROM customers WHERE uri = '$1'")
	id=$(sql "SELECT id FROM kerberos_realms WHERE customer_id = $cid AND windows_domain = '$2' AND deleted_at IS NULL AND keytab_file IS NOT NULL ORDER BY id LIMIT 1")
	if [ -n "$id" ] && [ -r "$KTDIR/realm-$id.keytab" ]; then
		return 0
	fi
	[ -n "$id" ] || {
		id=$(sql "INSERT INTO kerberos_realms (customer_id, windows_domain, realm, spn, keytab_file) VALUES ($cid, '$2', UPPER('$2'), 'HTTP/t37@$(printf '%s' "$2" | tr a-z A-Z)', 'realm-placeholder.keytab'); SELECT LAST_INSERT_ID()")
		sql "UPDATE kerberos_realms SET keytab_file = 'realm-$id.keytab' WHERE id = $id"
		ADDED_REALMS="$ADDED_REALMS $id"
	}
	install -m 0640 "$3" "$KTDIR/realm-$id.keytab"
}

cleanup() {
	[ -n "${CERTMINT_DB_SOCKET:-}" ] || return 0
	sql "UPDATE ad_servers SET is_default = 0, deleted_at = NOW() WHERE name LIKE '$TAG-%' AND deleted_at IS NULL" 2>/dev/null
	for d in $RESTORE_DEFAULTS; do sql "UPDATE ad_servers SET is_default = 1 WHERE id = $d" 2>/dev/null; done
	for r in $ADDED_REALMS; do
		sql "UPDATE kerberos_realms SET deleted_at = NOW() WHERE id = $r" 2>/dev/null
		rm -f "$KTDIR/realm-$r.keytab"
	done
}
RESTORE_DEFAULTS=

ensure_realm "$C1" "$DOM1" "$CERTMINT_AD_SVC_KEYTAB"

# ---- ad add ----
URI1="ldap://$CERTMINT_AD_DC_IP"
run ad add --customer "$C1" --name "$TAG-gss" --domain "$DOM1" --uris "$URI1" --base-dn "$BASE1" --no-starttls
expect_eq "ad add (SASL GSSAPI) exits 0" "$rc" 0
expect_match "ad add says what it added" "$out" "ad server $TAG-gss added \(id [0-9]+"
GSS_ID=$(sql "SELECT id FROM ad_servers WHERE name = '$TAG-gss' AND deleted_at IS NULL")
expect_eq "the row binds with gssapi and stores no password" \
	"$(sql "SELECT bind_method, bind_password_enc IS NULL, starttls FROM ad_servers WHERE id = ${GSS_ID:-0}")" "gssapi	1	0"
expect_match "an audit row ad_server.create for it" \
	"$(sql "SELECT action, object_id, after_json FROM audit_log WHERE object_type = 'ad_server' AND object_id = '${GSS_ID:-0}'")" \
	"^ad_server.create	${GSS_ID:-x}	.*\"bind_method\":\"gssapi\""
run ad add --customer "$C1" --name "$TAG-gss" --domain "$DOM1" --uris "$URI1" --base-dn "$BASE1"
expect_eq "a second server of the same name is refused (exit 2)" "$rc" 2
run ad add --customer "$C1" --name "$TAG-bad" --domain "$DOM1" --uris "http://x" --base-dn "$BASE1"
expect_eq "a URI that is not LDAP is refused" "$rc" 2
run ad add --customer "$C1" --name "$TAG-bad" --domain "$DOM1" --uris "$URI1" --base-dn "$BASE1" --simple-bind "$BASE1"
expect_eq "--simple-bind without --password-file is refused" "$rc" 2

# ---- GSSAPI lookups ----
U1=${CERTMINT_AD_USER%@*}
run ad lookup --customer "$C1" --server "$TAG-gss" "$U1"
expect_eq "lookup $U1 (GSSAPI) exits 0" "$rc" 0
expect_match "... mail from AD" "$(field mail)" "^[^@ ]+@[^@ ]+$"
expect_eq "... cn from AD" "$(field cn)" "Alice Smith"
expect_eq "... sAMAccountName" "$(field sAMAccountName)" "$U1"
expect_eq "... enabled" "$(field disabled)" "no"
MAIL1=$(field mail)
run ad lookup --customer "$C1" --server "$TAG-gss" "$U1@$CERTMINT_AD_REALM"
expect_eq "lookup $U1@REALM (the REMOTE_USER form) finds the same entry" "$(field mail)" "$MAIL1"
run ad lookup --customer "$C1" --server "$TAG-gss" "${CERTMINT_AD_USER2%@*}"
expect_eq "lookup bob exits 0" "$rc" 0
expect_match "... bob has a mail" "$(field mail)" "@"
run ad lookup --customer "$C1" --server "$TAG-gss" "${CERTMINT_AD_NOMAIL_USER%@*}"
expect_eq "lookup carol exits 0" "$rc" 0
expect_eq "... carol has no mail" "$(field mail)" ""
run ad lookup --customer "$C1" --server "$TAG-gss" "${CERTMINT_AD_DISABLED_USER%@*}"
expect_eq "lookup dave exits 0" "$rc" 0
expect_eq "... dave is disabled" "$(field disabled)" "yes"
run ad lookup --customer "$C1" --server "$TAG-gss" "nosuchuser$$"
expect_eq "an unknown user: exit 2" "$rc" 2
expect_eq "... stage not_found" "$(field stage)" "not_found"
run ad lookup --customer "$C1" --server "$TAG-gss" '*)(cn=*'
expect_eq "a hostile name *)(cn=* : stage not_found (not everyone)" "$(field stage)" "not_found"
run ad lookup --customer "$C1" --server "$TAG-gss" '*'
expect_eq "the name * : stage not_found" "$(field stage)" "not_found"
run ad verify --customer "$C1" --server "$TAG-gss" --user "$U1"
expect_eq "verify (GSSAPI) with a probe user: exit 0" "$rc" 0
expect_match "... says it bound as the keytab's client principal" "$(field message)" "bound as [^ /]+@$CERTMINT_AD_REALM \(SASL GSSAPI\)"

# ---- simple bind over StartTLS with the CA ----
if [ -n "${CERTMINT_AD_BIND_DN:-}" ] && [ -n "${CERTMINT_AD_CA:-}" ]; then
	printf '%s\n' "$CERTMINT_AD_BIND_PASSWORD" > "$T/pw"
	printf 'not-the-password\n' > "$T/badpw"
	run ad add --customer "$C1" --name "$TAG-simple" --domain "$DOM1" --uris "$URI1" --base-dn "$BASE1" \
		--starttls --ca "$CERTMINT_AD_CA" --simple-bind "$CERTMINT_AD_BIND_DN" --password-file "$T/pw"
	expect_eq "ad add (simple bind, StartTLS, CA) exits 0" "$rc" 0
	enc=$(sql "SELECT HEX(bind_password_enc) FROM ad_servers WHERE name = '$TAG-simple' AND deleted_at IS NULL")
	pwhex=$(printf '%s' "$CERTMINT_AD_BIND_PASSWORD" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	expect_match "the password is stored sealed (version 01, 12+16 bytes more)" "$enc" "^01[0-9A-F]{$(( (12 + 16) * 2 + ${#pwhex} ))}$"
	check_not "... and not in clear" grep -q "$pwhex" <<< "$enc"
	check_not "no audit row holds the password" \
		grep -qF -- "$CERTMINT_AD_BIND_PASSWORD" <<< "$(sql "SELECT after_json FROM audit_log WHERE object_type = 'ad_server'" 2>/dev/null)"
	run ad verify --customer "$C1" --server "$TAG-simple" --user "$U1"
	tls_host=
	if [ "$(field stage)" = tls ] && printf '%s' "$(field message)" | grep -q 'does not name'; then
		# The DC's certificate names its DNS name, which the test network
		# does not resolve: use it through a private /etc/hosts.
		tls_host=$(ldapsearch -LLL -x -H "$URI1" -s base -b '' dnsHostName 2>/dev/null | sed -n 's/^dnsHostName: //p')
		if [ -n "$tls_host" ]; then
			{ cat /etc/hosts; printf '%s %s\n' "$CERTMINT_AD_DC_IP" "$tls_host"; } > "$T/hosts"
			sql "UPDATE ad_servers SET ldap_uris = 'ldap://$tls_host' WHERE name = '$TAG-simple' AND deleted_at IS NULL"
			run_hosts() { out=$(unshare -m --propagation private sh -c "mount --bind '$T/hosts' /etc/hosts && exec \"\$0\" \"\$@\"" "$CLI_BIN" -c "$CONF" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
			run_hosts ad verify --customer "$C1" --server "$TAG-simple" --user "$U1"
		fi
	fi
	expect_eq "verify: simple bind over StartTLS verified with the CA: stage ok" "$(field stage)" "ok"
	expect_match "... says it bound with the DN" "$(field message)" "\(simple bind\)"
	check_not "... and never prints the password" grep -qF -- "$CERTMINT_AD_BIND_PASSWORD" <<< "$out$err"

	# SASL GSSAPI inside StartTLS (no SASL security layer inside TLS: AD refuses one).
	tls_uri=$URI1
	[ -n "$tls_host" ] && tls_uri=ldap://$tls_host
	run ad add --customer "$C1" --name "$TAG-gsstls" --domain "$DOM1" --uris "$tls_uri" \
		--base-dn "$BASE1" --starttls --ca "$CERTMINT_AD_CA"
	if [ -n "$tls_host" ]; then run_hosts ad verify --customer "$C1" --server "$TAG-gsstls" --user "$U1"; else run ad verify --customer "$C1" --server "$TAG-gsstls" --user "$U1"; fi
	expect_eq "verify: SASL GSSAPI over StartTLS with the CA: stage ok" "$(field stage)" "ok"
	expect_match "... bound with the realm keytab" "$(field message)" "@$CERTMINT_AD_REALM \(SASL GSSAPI\)"

	# Wrong password: bind, with AD's data code.
	run ad add --customer "$C1" --name "$TAG-badpw" --domain "$DOM1" --uris "$URI1" --base-dn "$BASE1" \
		--no-starttls --simple-bind "$CERTMINT_AD_BIND_DN" --password-file "$T/badpw"
	run ad verify --customer "$C1" --server "$TAG-badpw"
	expect_eq "wrong password: exit 2" "$rc" 2
	expect_eq "... stage bind" "$(field stage)" "bind"
	expect_match "... LDAP 49 with AD data 52e" "$(field message)" "LDAP 49, AD data 52e"
	check_not "... the message holds no password" grep -qF -- "not-the-password" <<< "$out$err"

	# A sealed password that was changed in the database does not open.
	sql "UPDATE ad_servers SET bind_password_enc = CONCAT(LEFT(bind_password_enc, 20), 'x', SUBSTRING(bind_password_enc, 22)) WHERE name = '$TAG-badpw' AND deleted_at IS NULL"
	run ad verify --customer "$C1" --server "$TAG-badpw"
	expect_eq "a tampered sealed password: exit 1" "$rc" 1
	expect_match "... says it does not open" "$err" "does not open"

	# StartTLS without the CA: the system store does not know Samba's CA.
	run ad add --customer "$C1" --name "$TAG-noca" --domain "$DOM1" --uris "$tls_uri" \
		--base-dn "$BASE1" --starttls --simple-bind "$CERTMINT_AD_BIND_DN" --password-file "$T/pw"
	if [ -n "$tls_host" ]; then run_hosts ad verify --customer "$C1" --server "$TAG-noca"; else run ad verify --customer "$C1" --server "$TAG-noca"; fi
	expect_eq "StartTLS without the CA: stage tls" "$(field stage)" "tls"
	expect_match "... the certificate was not verified" "$(field message)" "StartTLS: the server's certificate \(.*\) was not verified by the system trust store"
else
	ok "# skip no CERTMINT_AD_BIND_DN / CERTMINT_AD_CA in stack.env"
fi

# ---- each failure stage ----
# add_verify SUFFIX STAGE REGEX DESCRIPTION ad-add-args...
add_verify() {
	local name=$TAG-$1 want=$2 re=$3 what=$4
	shift 4
	run ad add --customer "$C1" --name "$name" --domain "$DOM1" "$@"
	if [ "$rc" != 0 ]; then fail "$what: ad add failed: $err"; return; fi
	run ad verify --customer "$C1" --server "$name" --user "$U1"
	expect_eq "$what: stage $want" "$(field stage)" "$want"
	expect_match "$what: message" "$(field message)" "$re"
}
add_verify deadport tcp "cannot connect to $CERTMINT_AD_DC_IP port 1: Connection refused" "a dead port" \
	--uris "ldap://$CERTMINT_AD_DC_IP:1" --base-dn "$BASE1" --no-starttls
add_verify nodns dns "the name no-such-dc\.invalid does not resolve" "an unresolvable name" \
	--uris "ldap://no-such-dc.invalid" --base-dn "$BASE1" --no-starttls
add_verify basedn base_dn "base DN OU=nowhere,$BASE1 does not exist" "a wrong base DN in the domain" \
	--uris "$URI1" --base-dn "OU=nowhere,$BASE1" --no-starttls
add_verify otherdn base_dn "not in this server's directory|does not exist" "a base DN of another domain" \
	--uris "$URI1" --base-dn "DC=elsewhere,DC=invalid" --no-starttls
add_verify usersdn base_dn "OU=nousers,$BASE1 does not exist" "a wrong users base DN" \
	--uris "$URI1" --base-dn "$BASE1" --users-base-dn "OU=nousers,$BASE1" --no-starttls
add_verify failover ok "connected to $URI1" "a dead first URI, a good second" \
	--uris "ldap://$CERTMINT_AD_DC_IP:1 $URI1" --base-dn "$BASE1" --no-starttls
add_verify nokeytab bind "no Kerberos realm with a keytab for domain nokeytab\.invalid" "GSSAPI without a realm keytab" \
	--uris "$URI1" --base-dn "$BASE1" --no-starttls --domain nokeytab.invalid

# ---- two realms ----
if [ -n "$REALM2" ] && [ -n "$IP2" ] && [ -n "$C2" ]; then
	if [ -z "$(sql "SELECT id FROM customers WHERE uri = '$C2'")" ]; then
		sql "INSERT INTO customers (uri, name, enabled) VALUES ('$C2', 'Second (37-ad-lookup)', 1)"
	fi
	ensure_realm "$C2" "$DOM2" "$(ad2 SVC_KEYTAB)"
	BASE2=$(base_of "$DOM2")
	old=$(sql "SELECT s.id FROM ad_servers s JOIN customers c ON c.id = s.customer_id WHERE c.uri = '$C2' AND s.is_default = 1 AND s.deleted_at IS NULL")
	run ad add --customer "$C2" --name "$TAG-gss2" --domain "$DOM2" --uris "ldap://$IP2" --base-dn "$BASE2" --no-starttls --default
	expect_eq "ad add --default for the second customer" "$rc" 0
	[ -n "$old" ] && RESTORE_DEFAULTS="$RESTORE_DEFAULTS $old"
	expect_eq "... exactly one default, the new server" \
		"$(sql "SELECT COUNT(*), MAX(s.name) FROM ad_servers s JOIN customers c ON c.id = s.customer_id WHERE c.uri = '$C2' AND s.is_default = 1 AND s.deleted_at IS NULL")" "1	$TAG-gss2"
	run ad add --customer "$C2" --name "$TAG-gss2b" --domain "$DOM2" --uris "ldap://$IP2" --base-dn "$BASE2" --no-starttls --default
	expect_eq "... a second --default moves it" \
		"$(sql "SELECT COUNT(*), MAX(s.name) FROM ad_servers s JOIN customers c ON c.id = s.customer_id WHERE c.uri = '$C2' AND s.is_default = 1 AND s.deleted_at IS NULL")" "1	$TAG-gss2b"
	run ad verify --customer "$C1" --server "$TAG-gss"
	expect_eq "verify realm 1 (own process)" "$(field stage)" "ok"
	U2=$(ad2 USER)
	U2=${U2%@*}
	U2=${U2:-$U1}
	run ad verify --customer "$C2" --server "$TAG-gss2" --user "$U2"
	expect_eq "verify realm 2 (own process)" "$(field stage)" "ok"
	expect_match "... bound in realm 2" "$(field message)" "@$REALM2 \(SASL GSSAPI\)"
	out=$($PFX "$MULTI" "$CONF" "$C1" "$TAG-gss" "$U1" "$C2" "$TAG-gss2" "$U2" "$C1" "$TAG-gss" "$U1" 2>&1)
	expect_eq "realm 1, realm 2, realm 1 again in one process: all found" "$?" 0
	expect_match "... the first bound in realm 1" "$(sed -n '1p' <<< "$out")" "^1 ok .*@$CERTMINT_AD_REALM \(SASL GSSAPI\)"
	expect_match "... the second in realm 2" "$(sed -n '2p' <<< "$out")" "^2 ok .*@$REALM2 \(SASL GSSAPI\)"
	expect_match "... the third in realm 1 again" "$(sed -n '3p' <<< "$out")" "^3 ok .*@$CERTMINT_AD_REALM \(SASL GSSAPI\)"
	[ "$(sed -n '1p' <<< "$out")" != "$(sed -n '2p' <<< "$out")" ] && ok "... with each realm's own answer" || fail "... with each realm's own answer"
else
	ok "# skip the stack has no second realm (CERTMINT_AD2_REALM, CERTMINT_AUTOENROLL_URL_2)"
fi

done_testing
