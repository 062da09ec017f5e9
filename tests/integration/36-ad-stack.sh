#!/bin/bash
# 36-ad-stack.sh: the test stack's Active Directory (tests/stack.sh --with-ad): both Samba DCs reached from the root namespace with Kerberos and LDAP as certmint uses them, Apache's Kerberos for AD realms, the Apache reloader, and a DC going down and up cleanly.
# Skips (TAP) when the stack was started without --with-ad.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
STACK=${CERTMINT_STACK:?set CERTMINT_STACK to a stack directory (tests/stack.sh up DIR --with-ad)}
# shellcheck disable=SC1091
. "$STACK/stack.env"
if [ -z "${CERTMINT_AD_REALM:-}" ] || [ -z "${CERTMINT_AD2_REALM:-}" ]; then
	echo "1..0 # SKIP the stack in $STACK has no AD (tests/stack.sh up DIR --with-ad)"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset KRB5CCNAME

# ad VAR [INDEX]: CERTMINT_AD_VAR of realm 1, CERTMINT_AD2_VAR of realm 2.
ad() {
	local n=CERTMINT_AD_$1
	[ "${2:-1}" = 2 ] && n=CERTMINT_AD2_$1
	printf '%s' "${!n}"
}

# kinit_as INDEX NAME PRINCIPAL PASSWORD: a ticket of that AD realm in $T/NAME.cc.
kinit_as() {
	rm -f "$T/$2.cc"
	printf '%s\n' "$4" | KRB5_CONFIG=$(ad KRB5_CONFIG "$1") KRB5CCNAME=FILE:$T/$2.cc kinit "$3" > "$T/kinit.out" 2>&1
}

# negotiate INDEX NAME URL: status and X-Remote-User of a Negotiate request
# with NAME's ticket ("401 " without one).
negotiate() {
	local code user
	code=$(KRB5_CONFIG=$(ad KRB5_CONFIG "$1") KRB5CCNAME=FILE:$T/$2.cc curl -s -o /dev/null -D "$T/h" \
		-w '%{http_code}' --negotiate -u : "$3")
	user=$(sed -n 's/^X-Remote-User: *//Ip' "$T/h" | tr -d '\r')
	echo "$code $user"
}

# ldap_gssapi INDEX FILTER ATTRS...: SASL GSSAPI search as the service
# account (a ccache from the exported keytab, the programs' krb5.conf),
# against ldap://<dc ip> (SPN ldap/<ip>), signed and sealed.
ldap_gssapi() {
	local i=$1 f=$2
	shift 2
	KRB5_CONFIG=$STACK/krb5/krb5.conf KRB5CCNAME=FILE:$T/svc$i.cc \
		kinit -kt "$(ad SVC_KEYTAB "$i")" "$(ad SVC_PRINCIPAL "$i")" > "$T/kinit.out" 2>&1 || return 1
	KRB5_CONFIG=$STACK/krb5/krb5.conf KRB5CCNAME=FILE:$T/svc$i.cc ldapsearch -LLL -o ldif-wrap=no -Q -Y GSSAPI \
		-H "$(ad URI "$i")" -b "$(ad USERS_BASE_DN "$i")" "$f" "$@" 2> "$T/ldap.err"
}

# ldap_simple INDEX CAFILE -ZZ|"" FILTER ATTRS...: simple bind with the bind
# DN; -ZZ: StartTLS that must succeed, verified with CAFILE.
ldap_simple() {
	local i=$1 ca=$2 tls=$3 f=$4
	shift 4
	LDAPTLS_CACERT=$ca LDAPTLS_REQCERT=demand ldapsearch -LLL -o ldif-wrap=no -x $tls -H "$(ad URI "$i")" \
		-D "$(ad BIND_DN "$i")" -y <(printf '%s' "$(ad BIND_PASSWORD "$i")") \
		-b "$(ad USERS_BASE_DN "$i")" "$f" "$@" 2> "$T/ldap.err"
}

for i in 1 2; do
	realm=$(ad REALM $i)
	domain=$(ad DOMAIN $i)
	other=$((3 - i))
	diag "realm $i: $realm, DC $(ad DC_IP $i) in netns $(ad NETNS $i), no ip netns exec needed"
	expect_eq "realm $i: CERTMINT_AD_EXEC is empty (the DC is reached from the root namespace)" "$(ad EXEC $i)" ""

	# Every kind of user gets a ticket from the root namespace, except the disabled one.
	check "realm $i: kinit alice (mail, cn Alice Smith)" kinit_as $i alice "$(ad USER $i)" "$(ad PASSWORD $i)"
	check "realm $i: kinit bob (mail)" kinit_as $i bob "$(ad USER2 $i)" "$(ad PASSWORD2 $i)"
	check "realm $i: kinit carol (no mail)" kinit_as $i carol "$(ad NOMAIL_USER $i)" "$(ad NOMAIL_PASSWORD $i)"
	check_not "realm $i: kinit dave (disabled) is refused" kinit_as $i dave "$(ad DISABLED_USER $i)" "$(ad DISABLED_PASSWORD $i)"
	expect_match "realm $i: dave's refusal says the credentials are revoked" "$(cat "$T/kinit.out")" "revoked"
	check_not "realm $i: kinit alice with a wrong password is refused" kinit_as $i wrong "$(ad USER $i)" "not-$(ad PASSWORD $i)"
	expect_match "realm $i: ... as a wrong password" "$(cat "$T/kinit.out")" "[Pp]assword incorrect|[Pp]reauthentication failed"

	# Apache accepts tickets of the realm with the exported HTTP/localhost keys.
	kinit_as $i alice "$(ad USER $i)" "$(ad PASSWORD $i)"
	kinit_as $i bob "$(ad USER2 $i)" "$(ad PASSWORD2 $i)"
	expect_eq "realm $i: curl --negotiate as alice gets past Apache as alice@$realm" \
		"$(negotiate $i alice "$CERTMINT_URL/adtest/$i/")" "200 alice@$realm"
	expect_eq "realm $i: ... as bob: bob@$realm" "$(negotiate $i bob "$CERTMINT_URL/adtest/$i/")" "200 bob@$realm"
	expect_eq "realm $i: ... as carol (no mail): carol@$realm" "$(negotiate $i carol "$CERTMINT_URL/adtest/$i/")" "200 carol@$realm"
	expect_eq "realm $i: without a ticket Apache answers 401" "$(negotiate $i nobody "$CERTMINT_URL/adtest/$i/")" "401 "
	expect_eq "realm $i: realm $other's keytab does not accept alice@$realm" \
		"$(negotiate $i alice "$CERTMINT_URL/adtest/$other/")" "401 "

	# The service account's keytab: its own principal (an LDAP client) and the SPN, AES.
	kt=$(klist -ke "$(ad SVC_KEYTAB $i)" 2>&1)
	expect_match "realm $i: the keytab holds svc-certmint@$realm with AES" "$kt" "svc-certmint@$realm \(aes256-cts-hmac-sha1-96\)"
	expect_match "realm $i: ... and HTTP/localhost@$realm with AES" "$kt" "HTTP/localhost@$realm \(aes256-cts-hmac-sha1-96\)"
	expect_eq "realm $i: CERTMINT_AD_SPN names it" "$(ad SPN $i)" "HTTP/localhost@$realm"

	# LDAP as certmint binds: SASL GSSAPI on ldap:// with the svc keytab.
	out=$(ldap_gssapi $i '(sAMAccountName=alice)' mail cn givenName sn userPrincipalName)
	expect_match "realm $i: GSSAPI bind (svc keytab, ldap/<dc ip>) finds alice's mail" "$out" "^mail: alice@$domain$"
	expect_match "realm $i: ... and cn Alice Smith" "$out" "^cn: Alice Smith$"
	expect_match "realm $i: ... by userPrincipalName too" \
		"$(ldap_gssapi $i "(userPrincipalName=alice@$domain)" sAMAccountName)" "^sAMAccountName: alice$"
	out=$(ldap_gssapi $i '(sAMAccountName=dave)' userAccountControl)
	uac=$(printf '%s\n' "$out" | sed -n 's/^userAccountControl: //p')
	expect_eq "realm $i: dave has ACCOUNTDISABLE (0x2) in userAccountControl" "$(( ${uac:-0} & 2 ))" 2
	uac=$(ldap_gssapi $i '(sAMAccountName=alice)' userAccountControl | sed -n 's/^userAccountControl: //p')
	expect_eq "realm $i: alice does not" "$(( ${uac:-2} & 2 ))" 0
	out=$(ldap_gssapi $i '(sAMAccountName=carol)' mail cn)
	expect_match "realm $i: carol is found" "$out" "^dn: "
	if printf '%s\n' "$out" | grep -q '^mail:'; then fail "realm $i: carol has no mail"; else ok "realm $i: carol has no mail"; fi
	# Strong auth stays on: GSSAPI without signing or sealing is refused.
	KRB5_CONFIG=$STACK/krb5/krb5.conf KRB5CCNAME=FILE:$T/svc$i.cc ldapsearch -LLL -Q -Y GSSAPI -O maxssf=0 \
		-H "$(ad URI $i)" -b "$(ad USERS_BASE_DN $i)" '(sAMAccountName=alice)' cn > "$T/out" 2>&1
	expect_match "realm $i: GSSAPI without sign/seal is refused (strong auth required)" "$(cat "$T/out")" "Strong\(er\) authentication required"

	# Simple bind: the bind DN over StartTLS, verified with the DC's CA.
	out=$(ldap_simple $i "$(ad CA $i)" -ZZ '(sAMAccountName=alice)' mail cn)
	expect_match "realm $i: simple bind over StartTLS (CA file) finds alice's mail" "$out" "^mail: alice@$domain$"
	expect_match "realm $i: ... and cn Alice Smith" "$out" "^cn: Alice Smith$"
	out=$(LDAPTLS_CACERT=$(ad CA $i) ldapsearch -LLL -x -H "$(ad LDAPS_URI $i)" -D "$(ad BIND_DN $i)" \
		-y <(printf '%s' "$(ad BIND_PASSWORD $i)") -b "$(ad USERS_BASE_DN $i)" '(sAMAccountName=alice)' cn 2>&1)
	expect_match "realm $i: ... and over ldaps://" "$out" "^cn: Alice Smith$"
	ldap_simple $i "$(ad CA $i)" "" '(sAMAccountName=alice)' cn > /dev/null
	expect_match "realm $i: a simple bind without TLS is refused" "$(cat "$T/ldap.err")" "Strong\(er\) authentication required"
	ldap_simple $i "$(ad CA $other)" -ZZ '(sAMAccountName=alice)' cn > /dev/null
	expect_match "realm $i: StartTLS verified with another CA fails" "$(cat "$T/ldap.err")" "ldap_start_tls|certificate verify|Connect error"
	ldap_simple $i "$(ad CA $i)" -ZZ '(sAMAccountName=nosuchuser)' cn > "$T/out"
	expect_eq "realm $i: an unknown user is not found (no error)" "$(grep -c '^dn:' "$T/out")" 0
done

# The programs' side of the wiring.
expect_eq "certmint.conf names keytab_dir" "$(sed -n 's/^keytab_dir = //p' "$CERTMINT_CONF")" "$CERTMINT_KEYTAB_DIR"
expect_eq "certmint.conf names apache_conf_dir" "$(sed -n 's/^apache_conf_dir = //p' "$CERTMINT_CONF")" "$CERTMINT_APACHE_CONF_DIR"
expect_eq "keytab_dir: certmint-admin, group $CERTMINT_KEYTAB_GROUP, 2750" \
	"$(stat -c '%U %G %a' "$CERTMINT_KEYTAB_DIR")" "certmint-admin $CERTMINT_KEYTAB_GROUP 2750"
expect_eq "apache_conf_dir: root, group certmint-admin, sticky 1775" \
	"$(stat -c '%U %G %a' "$CERTMINT_APACHE_CONF_DIR")" "root certmint-admin 1775"
for u in "$CERTMINT_WEB_USER" certmint-admin "$CERTMINT_AUTOENROLL_FCGI_USER"; do
	expect_match "$u is in $CERTMINT_KEYTAB_GROUP" " $(id -nG "$u") " " $CERTMINT_KEYTAB_GROUP "
done
expect_match "signerd.conf: $CERTMINT_AUTOENROLL_FCGI_USER may issue client-smime only" \
	"$(grep "^$CERTMINT_AUTOENROLL_FCGI_USER = " "$CERTMINT_SIGNER_CONF")" \
	"^$CERTMINT_AUTOENROLL_FCGI_USER = ca-chain issue:client-smime audit-checkpoint$"
expect_match "the programs' krb5.conf names both AD realms' KDCs" "$(cat "$STACK/krb5/krb5.conf")" \
	"$CERTMINT_AD2_REALM = \{"
expect_eq "the second customer exists" \
	"$(sql "SELECT COUNT(*) FROM customers WHERE uri = '$CERTMINT_SECOND_CUSTOMER' AND enabled = 1")" 1
expect_eq "ad1 and ad2 mail domains are delegated for client certificates" \
	"$(sql "SELECT COUNT(*) FROM domain_delegations g JOIN domains d ON d.id = g.domain_id
		WHERE d.name IN ('$CERTMINT_AD_DOMAIN', '$CERTMINT_AD2_DOMAIN') AND g.cert_type = 'client' AND g.state = 'approved'")" 2

# Once certmint realm add has configured the customers (a build that has
# it), Apache in front of autoenroll.fcgi accepts each realm's tickets.
nrealms=$(sql "SELECT COUNT(*) FROM kerberos_realms WHERE deleted_at IS NULL AND realm IN ('$CERTMINT_AD_REALM', '$CERTMINT_AD2_REALM')" 2>/dev/null)
if [ "${nrealms:-0}" = 2 ] && [ -S "$CERTMINT_AUTOENROLL_SOCKET" ]; then
	for i in 1 2; do
		url=$CERTMINT_AUTOENROLL_URL
		[ $i = 2 ] && url=$CERTMINT_AUTOENROLL_URL_2
		kinit_as $i alice "$(ad USER $i)" "$(ad PASSWORD $i)"
		KRB5_CONFIG=$(ad KRB5_CONFIG $i) KRB5CCNAME=FILE:$T/alice.cc curl -s -o /dev/null -D "$T/h" --negotiate -u : \
			-d action=status -d serial=00 "$url"
		expect_match "realm $i: the autoenroll Location takes alice's ticket (autoenroll.fcgi answers)" \
			"$(cat "$T/h")" "X-Autoenroll-Code: "
		curl -s -o /dev/null -w '%{http_code}' -d action=status "$url" > "$T/code"
		expect_eq "realm $i: ... and without a ticket Apache answers 401" "$(cat "$T/code")" 401
	done
else
	ok "# SKIP autoenroll Location: realms not configured (no certmint realm in this build) or autoenroll.fcgi not running"
fi

# The reloader: a .reload touch makes Apache reload gracefully after its
# configtest; a broken file is reported and Apache goes on as it was.
D=$CERTMINT_APACHE_CONF_DIR
apid=$(cut -d' ' -f1 "$STACK/pids/apache.pid")
# wait_status SINCE: the status line once the reloader wrote one at or after SINCE (15 s at most).
wait_status() {
	local n t
	for n in $(seq 75); do
		if [ -s "$D/.reload-status" ]; then
			t=$(awk '{ print $2 }' "$D/.reload-status")
			[ "${t:-0}" -ge "$1" ] && { cat "$D/.reload-status"; return 0; }
		fi
		sleep 0.2
	done
	echo "no status since $1: $(cat "$D/.reload-status" 2>/dev/null)"
}
probe() { curl -s -o /dev/null -D - "$CERTMINT_URL/reload-36/" | sed -n 's/^X-Reload-36: *//Ip' | tr -d '\r'; }
cleanup_reload() { rm -f "$D/zz-36-test.conf" "$D/zz-36-broken.conf"; touch "$D/.reload"; }
trap 'cleanup_reload; rm -rf "$T"' EXIT
printf '<Location "/reload-36/">\n\tHeader always set X-Reload-36 "one"\n</Location>\n' > "$D/zz-36-test.conf"
t0=$(date +%s)
sleep 1
touch "$D/.reload"
expect_match "reloader: a .reload touch gives 'ok <time>'" "$(wait_status "$t0")" "^ok [0-9]+$"
sleep 1
expect_eq "reloader: ... and Apache serves the new file" "$(probe)" "one"
sed -i 's/"one"/"two"/' "$D/zz-36-test.conf"
echo 'ThisIsNotADirective at all' > "$D/zz-36-broken.conf"
t0=$(date +%s)
sleep 1
touch "$D/.reload"
expect_match "reloader: a broken include is reported as failed, with Apache's first error line" \
	"$(wait_status "$t0")" "^failed [0-9]+ .*zz-36-broken.conf.*Invalid command 'ThisIsNotADirective'"
sleep 1
expect_eq "reloader: ... Apache was not reloaded (old configuration still serves)" "$(probe)" "one"
check "reloader: ... and Apache is still the same running process" kill -0 "$apid"
expect_eq "reloader: ... answering requests" "$(curl -s -o /dev/null -w "%{http_code}" "$CERTMINT_URL/admin/")" 401
rm -f "$D/zz-36-broken.conf"
t0=$(date +%s)
sleep 1
touch "$D/.reload"
expect_match "reloader: fixed, the next touch reloads again" "$(wait_status "$t0")" "^ok [0-9]+$"
sleep 1
expect_eq "reloader: ... with the changed file" "$(probe)" "two"
cleanup_reload

# A DC goes down cleanly (no process, namespace or veth left) and the next
# "up" of the stack (which remembers --with-ad) brings it back warm.
ns=$CERTMINT_AD2_NETNS veth=$CERTMINT_AD2_VETH
samba_pid=$(cut -d' ' -f1 "$STACK/ad-2/samba.pid")
check "realm 2's samba runs (pid $samba_pid) in $ns" test -n "$(ip netns pids "$ns" 2>/dev/null | grep -x "$samba_pid")"
"$ROOT/tests/ad-dc.sh" down "$STACK" 2 > "$T/down.out" 2>&1
check_not "ad-dc.sh down: namespace $ns is gone" ip netns pids "$ns"
check_not "ad-dc.sh down: veth $veth is gone" ip link show "$veth"
# gone PID: no such process, or a zombie (init reaps reparented ones late).
gone() { local s; s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -z "$s" ] || [ "$s" = Z ]; }
check "ad-dc.sh down: samba ($samba_pid) is gone" gone "$samba_pid"
t0=$SECONDS
CERTMINT_BUILD=${CERTMINT_BUILD:-$ROOT/_build/plain} "$ROOT/tests/stack.sh" up "$STACK" > "$T/up.out" 2>&1
rc=$?
expect_eq "stack.sh up brings the DC back" "$rc" 0
[ "$rc" = 0 ] || tail -n 20 "$T/up.out" | sed 's/^/#   /'
diag "stack up with one DC to restart: $((SECONDS - t0)) s"
# shellcheck disable=SC1091
. "$STACK/stack.env"
check "... realm 2 gives tickets again" kinit_as 2 alice "$CERTMINT_AD2_USER" "$CERTMINT_AD2_PASSWORD"
expect_eq "... and Apache accepts them" "$(negotiate 2 alice "$CERTMINT_URL/adtest/2/")" "200 $CERTMINT_AD2_USER"
t1=$(grep -o '([0-9]* s)' "$STACK/logs/ad-2-up.log" | tr -dc '0-9')
check "... started warm in under 20 s (${t1:-?} s)" test "${t1:-99}" -lt 20

done_testing
