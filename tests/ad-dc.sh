#!/bin/bash
# tests/ad-dc.sh: one Samba 4 Active Directory domain controller for the test stack, in a network namespace of its own.
#
# Usage: tests/ad-dc.sh up DIR INDEX DOMAIN   provision (once, kept in DIR/ad-INDEX) and start
#                                             the DC for DNS domain DOMAIN (realm: upper case)
#        tests/ad-dc.sh down DIR [INDEX]      stop the DC(s) of DIR, remove namespace and veth
#        tests/ad-dc.sh status DIR INDEX      exit 0 when the DC runs and answers
#
# Why a network namespace: a DC listens on fixed ports (53, 88, 389, 636, ...)
# that would clash with the host and with other stacks. The namespace is
# reached from the root namespace over a veth pair on a /30 of its own
# (root side .1, DC .2), so the programs, curl and kinit need no
# "ip netns exec" (CERTMINT_AD_EXEC is empty). Samba binds to lo and its veth
# only; its resolv.conf and hosts are bind-mounted inside the namespace's own
# mount namespace, so /etc outside is never touched.
#
# "up" writes DIR/ad-INDEX/env (shell-sourceable; CERTMINT_AD_* for INDEX 1,
# CERTMINT_AD<INDEX>_* otherwise) and DIR/ad-INDEX/krb5.conf (a client
# krb5.conf for this realm alone). Users: alice (mail, Alice Smith), bob
# (mail), carol (no mail), dave (disabled), and the service account
# svc-certmint with SPN HTTP/localhost whose keytab (both principals, AES)
# is DIR/ad-INDEX/svc.keytab. The DC's machine account also gets the SPN
# ldap/<dc ip>, so SASL GSSAPI binds to ldap://<dc ip> work without DNS.
# TLS (StartTLS on 389, ldaps on 636) uses a certificate for the DC's IP
# from a CA of this DC (DIR/ad-INDEX/samba/private/tls/ca.pem): strong auth
# stays required, so simple binds must use TLS.
set -u
umask 022

die() { echo "ad-dc: $*" >&2; exit 1; }
say() { echo "ad-dc: $*" >&2; }

# The /30 blocks come from 10.213.0.0/16 (16384 of them); picking one is
# serialised between stacks with this lock.
NET_PREFIX=10.213
NET_LOCK=/run/lock/certmint-ad-net.lock

# names DIR INDEX: sets NS (namespace), HOSTIF (root side of the veth pair,
# at most 15 characters) and A (state directory), unique per DIR and INDEX.
names() {
	local h
	h=$(printf '%s' "$1" | sha1sum | cut -c1-8)
	NS=certmint-$h-ad$2
	HOSTIF=cm${h}a$2
	A=$1/ad-$2
}

# block_free N: no interface address and no route of this host lies in /30 block N.
block_free() {
	local b=$(( $1 * 4 )) o3 o4 a
	o3=$(( b / 256 )) o4=$(( b % 256 ))
	for a in "$NET_PREFIX.$o3.$o4" "$NET_PREFIX.$o3.$((o4 + 1))" "$NET_PREFIX.$o3.$((o4 + 2))" "$NET_PREFIX.$o3.$((o4 + 3))"; do
		ip -4 -o addr show | grep -qF " $a/" && return 1
	done
	[ -z "$(ip -4 route show to match "$NET_PREFIX.$o3.$((o4 + 1))" | grep -v '^default')" ]
}

# pick_net: sets HOST_IP and DC_IP. The block recorded in A/net is kept
# while it is free (the DC's TLS certificate and SPN name its IP); else a
# block derived from NS, or the next free one after it.
pick_net() {
	local n="" i
	[ -f "$A/net" ] && read -r n < "$A/net"
	if [ -n "$n" ] && ip link show "$HOSTIF" > /dev/null 2>&1; then
		:   # our own veth still exists: its block is ours
	elif [ -z "$n" ] || ! block_free "$n"; then
		n=$(( 0x$(printf '%s' "$NS" | sha1sum | cut -c1-4) % 16384 ))
		for i in $(seq 16384); do
			# .0.0/30 and the last block are left alone.
			if [ "$n" -ne 0 ] && [ "$n" -ne 16383 ] && block_free "$n"; then
				break
			fi
			n=$(( (n + 1) % 16384 ))
			[ "$i" -eq 16384 ] && die "no free /30 in $NET_PREFIX.0.0/16"
		done
	fi
	echo "$n" > "$A/net"
	local b=$(( n * 4 ))
	HOST_IP=$NET_PREFIX.$(( b / 256 )).$(( b % 256 + 1 ))
	DC_IP=$NET_PREFIX.$(( b / 256 )).$(( b % 256 + 2 ))
}

# make_net: the namespace and veth pair (idempotent).
make_net() {
	ip netns list | grep -qE "^$NS( |\$)" || ip netns add "$NS" || die "cannot create netns $NS"
	if ! ip link show "$HOSTIF" > /dev/null 2>&1; then
		ip -n "$NS" link del veth0 > /dev/null 2>&1
		ip link add "$HOSTIF" type veth peer name veth0 netns "$NS" || die "cannot create veth $HOSTIF"
	fi
	ip addr replace "$HOST_IP/30" dev "$HOSTIF" || die "cannot address $HOSTIF"
	ip link set "$HOSTIF" up || die "cannot bring up $HOSTIF"
	ip -n "$NS" addr replace "$DC_IP/30" dev veth0 || die "cannot address veth0 in $NS"
	ip -n "$NS" link set veth0 up && ip -n "$NS" link set lo up || die "cannot bring up links in $NS"
}

# in_ns CMD...: runs CMD inside the namespace with the DC's own resolv.conf
# and hosts (ip netns exec gives it a private mount namespace, so the bind
# mounts are seen by CMD alone).
in_ns() {
	ip netns exec "$NS" /bin/sh -c 'mount --bind "$1/etc/resolv.conf" /etc/resolv.conf &&
		mount --bind "$1/etc/hosts" /etc/hosts && shift && exec "$@"' sh "$A" "$@"
}

# pw NAME: the password of NAME in this domain, made once (AD wants upper,
# lower case and digits).
pw() {
	local f=$A/secrets/$1.password
	[ -s "$f" ] || { (umask 077 && echo "Cm1-$(openssl rand -hex 12)" > "$f.tmp") && mv "$f.tmp" "$f"; } \
		|| die "cannot write $f"
	cat "$f"
}

# Provisioning is CPU-heavy (~10 s of CPU per DC) and runs while the rest
# of the stack starts (a new CA's key, signerd's replies with a deadline):
# it takes what CPU is left over (nice), the DC itself runs at normal priority.
NICE="nice -n 19"

st() { $NICE samba-tool "$@" -s "$A/samba/etc/smb.conf" >> "$LOG" 2>&1 || die "samba-tool $1 $2 failed (see $LOG)"; }

# tls_files: a CA of this DC and a server certificate naming its IP and host
# name, made when missing or when the IP changed (Samba's own self-signed
# certificate names only its host name, which the test network cannot resolve).
tls_files() {
	local t=$A/samba/private/tls
	mkdir -p "$t"
	if [ -s "$t/cert.pem" ] && [ -s "$t/ca.key" ] && openssl x509 -in "$t/cert.pem" -noout -ext subjectAltName 2>/dev/null \
		| grep -qF "IP Address:$DC_IP"; then
		return 0
	fi
	[ -s "$t/ca.key" ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/ca.key" -out "$t/ca.pem" -days 3650 \
		-subj "/CN=certmint test AD CA $REALM" -addext "keyUsage=critical,keyCertSign,cRLSign" >> "$LOG" 2>&1 \
		|| die "cannot make the DC's CA"
	openssl req -newkey rsa:2048 -nodes -keyout "$t/key.pem.new" -out "$t/server.csr" \
		-subj "/CN=$HOST.$DOMAIN" >> "$LOG" 2>&1 || die "cannot make the DC's key"
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 3650 \
		-out "$t/cert.pem" -extfile <(printf 'subjectAltName=IP:%s,DNS:%s.%s\nextendedKeyUsage=serverAuth\n' \
		"$DC_IP" "$HOST" "$DOMAIN") >> "$LOG" 2>&1 || die "cannot sign the DC's certificate"
	chmod 600 "$t/key.pem.new" "$t/ca.key"
	mv "$t/key.pem.new" "$t/key.pem"
	chmod 644 "$t/ca.pem" "$t/cert.pem"
}

# provision: the domain, its users and the service account (once; a
# half-made domain is thrown away and made again).
provision() {
	local conf=$A/samba/etc/smb.conf
	[ -f "$A/.provisioned" ] && return 0
	rm -rf "$A/samba"
	mkdir -p "$A/samba"
	# Paths Samba would otherwise take under /var and /run (shared with the
	# system and every other stack) go under A. The ntp_signd directory
	# must not exist beforehand.
	in_ns $NICE samba-tool domain provision --realm="$REALM" --domain="$NETBIOS" --server-role=dc \
		--dns-backend=SAMBA_INTERNAL --targetdir="$A/samba" --host-name="$HOST" --host-ip="$DC_IP" \
		--adminpass="$(pw Administrator)" \
		--option="interfaces=lo veth0" --option="bind interfaces only=yes" \
		--option="pid directory=$A/run" --option="log file=$A/log/samba.log" \
		--option="ncalrpc dir=$A/run/ncalrpc" --option="winbindd socket directory=$A/run/winbindd" \
		--option="ntp signd socket directory=$A/samba/ntp_signd" >> "$LOG" 2>&1 \
		|| { tail -n 20 "$LOG" >&2; die "samba-tool domain provision failed"; }
	# Memory and start-up time: one worker per service, only the services
	# the tests use (LDAP, Kerberos, CLDAP for AD clients), no printing, no
	# DNS forwarder (there is nothing to forward to). Strong auth stays on.
	sed -i -e '/dns forwarder/d' -e 's/^\[global\]$/[global]\n\tserver services = ldap, kdc, cldap\n\tprefork children = 1\n\tload printers = no\n\tdisable spoolss = yes\n\ttls enabled = yes\n\ttls keyfile = tls\/key.pem\n\ttls certfile = tls\/cert.pem\n\ttls cafile = tls\/ca.pem/' \
		"$conf" || die "cannot edit $conf"
	local n
	for n in alice bob carol dave svc-certmint; do pw "$n" > /dev/null; done
	rm -f "$A/svc.keytab"
	# One Python process for the users, the service account and its keytab
	# (a samba-tool run per step costs a second of CPU each).
	if ! $NICE /usr/bin/python3 - "$conf" "$DOMAIN" "$A/secrets" "$A/svc.keytab" "$A/svc.dn" >> "$LOG" 2>&1 <<'PY'
import sys
import ldb
from samba import enable_net_export_keytab
from samba.auth import system_session
from samba.net import Net
from samba.param import LoadParm
from samba.samdb import SamDB

conf, domain, secrets, keytab, dnfile = sys.argv[1:6]
lp = LoadParm()
lp.load(conf)
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)


def pw(name):
    with open(f"{secrets}/{name}.password") as f:
        return f.read().strip()


def modify(dn, attr, value, flag):
    m = ldb.Message()
    m.dn = ldb.Dn(db, dn)
    m[attr] = ldb.MessageElement(value, flag, attr)
    db.modify(m)


# alice: mail and a cn of given name + surname ("Alice Smith"), as AD
# makes it (useusernameascn=None is samba-tool's default: cn = the display
# name); bob: mail; carol: no mail; dave: mail, disabled.
db.newuser("alice", pw("alice"), useusernameascn=None, givenname="Alice", surname="Smith", mailaddress=f"alice@{domain}")
db.newuser("bob", pw("bob"), useusernameascn=None, givenname="Bob", surname="Jones", mailaddress=f"bob@{domain}")
db.newuser("carol", pw("carol"), useusernameascn=None, givenname="Carol", surname="Nomail")
db.newuser("dave", pw("dave"), useusernameascn=None, givenname="Dave", surname="Disabled", mailaddress=f"dave@{domain}")
db.disable_account("(sAMAccountName=dave)")
db.newuser("svc-certmint", pw("svc-certmint"), description="certmint auto-enrollment service account")
db.setexpiry("(sAMAccountName=svc-certmint)", 0, no_expiry_req=True)
svc = str(db.search(db.domain_dn(), ldb.SCOPE_SUBTREE, "(sAMAccountName=svc-certmint)", ["dn"])[0].dn)
modify(svc, "servicePrincipalName", "HTTP/localhost", ldb.FLAG_MOD_ADD)
# Without AES here (24 = AES128 + AES256) the SPN's exported keys are RC4 only.
modify(svc, "msDS-SupportedEncryptionTypes", "24", ldb.FLAG_MOD_REPLACE)
with open(dnfile, "w") as f:
    f.write(svc + "\n")
# The keytab: the account's own principal (a Kerberos client: certmint
# binds to LDAP with it) and the SPN Apache accepts tickets for.
enable_net_export_keytab()
net = Net(None, lp)
net.export_keytab(keytab=keytab, principal="svc-certmint")
net.export_keytab(keytab=keytab, principal="HTTP/localhost")
PY
	then
		die "creating the users of $DOMAIN failed (see $LOG)"
	fi
	touch "$A/.provisioned"
}

# dc_spn: the DC's machine account answers for ldap/<its IP> (added again
# when the IP changed; the old one is left, harmless).
dc_spn() {
	[ "$(cat "$A/spn-ip" 2>/dev/null)" = "$DC_IP" ] && return 0
	if ! $NICE samba-tool spn list "$HOST\$" -s "$A/samba/etc/smb.conf" 2>> "$LOG" | grep -qiF "ldap/$DC_IP"; then
		st spn add "ldap/$DC_IP" "$HOST\$"
	fi
	echo "$DC_IP" > "$A/spn-ip"
}

pid_alive() {
	local pid st s
	[ -f "$A/samba.pid" ] || return 1
	read -r pid st < "$A/samba.pid" || return 1
	s=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	[ "$1" != Z ] && [ "${20}" = "$st" ]
}

port_answers() { timeout 1 bash -c ">/dev/tcp/$1/$2" 2>/dev/null; }

answers() { port_answers "$DC_IP" 88 && port_answers "$DC_IP" 389 && port_answers "$DC_IP" 636; }

write_env() {
	local p=CERTMINT_AD_ f=$A/env.tmp kv
	[ "$INDEX" = 1 ] || p=CERTMINT_AD${INDEX}_
	cat > "$A/krb5.conf" <<EOF
# Written by tests/ad-dc.sh: a Kerberos client of $REALM alone (kdc: the DC in
# namespace $NS). No DNS: the test network has none for the AD names.
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1

[realms]
	$REALM = {
		kdc = $DC_IP
		admin_server = $DC_IP
	}

[domain_realm]
	localhost = $REALM
	.$DOMAIN = $REALM
	$DOMAIN = $REALM
EOF
	chmod 644 "$A/krb5.conf"
	{
		echo "# Samba AD DC $INDEX of the stack in $DIR, written by tests/ad-dc.sh up; source it."
		for kv in \
			"REALM=$REALM" \
			"DOMAIN=$DOMAIN" \
			"NETBIOS=$NETBIOS" \
			"DC_IP=$DC_IP" \
			"HOST_IP=$HOST_IP" \
			"URI=ldap://$DC_IP" \
			"LDAPS_URI=ldaps://$DC_IP" \
			"BASE_DN=$BASE_DN" \
			"USERS_BASE_DN=CN=Users,$BASE_DN" \
			"USER=alice@$REALM" \
			"PASSWORD=$(pw alice)" \
			"USER_MAIL=alice@$DOMAIN" \
			"USER_CN=Alice Smith" \
			"USER2=bob@$REALM" \
			"PASSWORD2=$(pw bob)" \
			"USER2_MAIL=bob@$DOMAIN" \
			"NOMAIL_USER=carol@$REALM" \
			"NOMAIL_PASSWORD=$(pw carol)" \
			"DISABLED_USER=dave@$REALM" \
			"DISABLED_PASSWORD=$(pw dave)" \
			"SVC_KEYTAB=$A/svc.keytab" \
			"SVC_PRINCIPAL=svc-certmint@$REALM" \
			"SPN=HTTP/localhost@$REALM" \
			"CA=$A/samba/private/tls/ca.pem" \
			"BIND_DN=$(cat "$A/svc.dn")" \
			"BIND_PASSWORD=$(pw svc-certmint)" \
			"KRB5_CONFIG=$A/krb5.conf" \
			"NETNS=$NS" \
			"VETH=$HOSTIF" \
			"EXEC="; do
			echo "export $p${kv%%=*}=$(printf "'%s'" "$(printf '%s' "${kv#*=}" | sed "s/'/'\\\\''/g")")"
		done
	} > "$f"
	chmod 600 "$f"
	mv "$f" "$A/env"
}

cmd_up() {
	local t0=$SECONDS i conf
	DIR=$(cd "$1" && pwd) || die "no directory $1"
	INDEX=$2
	DOMAIN=$(printf '%s' "$3" | tr 'A-Z' 'a-z')
	[[ $INDEX =~ ^[1-9]$ ]] || die "INDEX must be 1 to 9"
	[[ $DOMAIN =~ ^[a-z0-9-]+(\.[a-z0-9-]+)+$ ]] || die "bad domain $DOMAIN"
	REALM=$(printf '%s' "$DOMAIN" | tr 'a-z' 'A-Z')
	NETBIOS=$(printf '%s' "${DOMAIN%%.*}" | tr 'a-z' 'A-Z' | cut -c1-15)
	HOST=dc$INDEX
	BASE_DN=$(printf 'DC=%s' "$DOMAIN" | sed 's/\./,DC=/g')
	for i in samba samba-tool ldbsearch ldbmodify ip openssl sha1sum; do
		command -v "$i" > /dev/null || die "$i not found; run tests/deps.sh"
	done
	names "$DIR" "$INDEX"
	mkdir -p "$A"/{secrets,run,log,etc}
	chmod 755 "$A"
	chmod 700 "$A/secrets"
	mkdir -p "$DIR/logs"
	LOG=$DIR/logs/ad-$INDEX.log
	# A DC provisioned for another domain is not reused.
	if [ -f "$A/.provisioned" ] && [ "$(cat "$A/domain" 2>/dev/null)" != "$DOMAIN" ]; then
		cmd_down_one
		rm -rf "$A/samba" "$A/.provisioned" "$A/svc.keytab"
	fi
	echo "$DOMAIN" > "$A/domain"
	mkdir -p "$(dirname "$NET_LOCK")"
	exec 9> "$NET_LOCK"
	flock 9
	pick_net
	make_net
	flock -u 9
	exec 9>&-
	printf 'nameserver %s\nsearch %s\n' "$DC_IP" "$DOMAIN" > "$A/etc/resolv.conf"
	printf '127.0.0.1 localhost\n%s %s.%s %s\n' "$DC_IP" "$HOST" "$DOMAIN" "$HOST" > "$A/etc/hosts"
	if pid_alive && answers; then
		say "DC $INDEX ($REALM, $DC_IP) already runs; kept"
	else
		# What is left of a dead DC (workers) goes first.
		stop_ns_pids
		provision
		tls_files
		dc_spn
		conf=$A/samba/etc/smb.conf
		rm -f "$A"/run/*.pid
		setsid ip netns exec "$NS" /bin/sh -c 'mount --bind "$1/etc/resolv.conf" /etc/resolv.conf &&
			mount --bind "$1/etc/hosts" /etc/hosts && exec samba -F -M prefork -s "$2"' sh "$A" "$conf" \
			< /dev/null >> "$LOG" 2>&1 &
		local pid=$! s
		sleep 0.05
		s=$(cat "/proc/$pid/stat" 2>/dev/null) || { tail -n 20 "$LOG" >&2; die "samba exited at once"; }
		s=${s##*) }
		# shellcheck disable=SC2086
		set -- $s
		echo "$pid ${20}" > "$A/samba.pid"
		for i in $(seq 400); do
			answers && break
			pid_alive || { tail -n 20 "$LOG" >&2; tail -n 20 "$A/log/samba.log" >&2; die "samba died during start-up"; }
			[ "$i" = 400 ] && { tail -n 20 "$A/log/samba.log" >&2; die "samba not ready after 20 s"; }
			sleep 0.05
		done
	fi
	write_env
	say "DC $INDEX up: realm $REALM, $DC_IP in netns $NS ($((SECONDS - t0)) s)"
}

# stop_ns_pids: TERM to every process in our namespace (only processes this
# script started live there), KILL after 10 s.
stop_ns_pids() {
	local i pids
	ip netns list | grep -qE "^$NS( |\$)" || return 0
	pids=$(ip netns pids "$NS" 2>/dev/null)
	[ -z "$pids" ] && return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for i in $(seq 100); do
		[ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	pids=$(ip netns pids "$NS" 2>/dev/null)
	say "killing what is left in $NS: $pids"
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	sleep 0.2
}

cmd_down_one() {
	stop_ns_pids
	rm -f "$A/samba.pid"
	if ip netns list | grep -qE "^$NS( |\$)"; then
		ip netns del "$NS" || say "cannot delete netns $NS"
	fi
	# Deleting the namespace deletes the pair; a half-made one may be left.
	ip link show "$HOSTIF" > /dev/null 2>&1 && ip link del "$HOSTIF"
	echo "stopped AD DC ${A##*/ad-} ($NS)"
}

cmd_down() {
	local d i
	DIR=$(cd "$1" 2>/dev/null && pwd) || return 0
	for d in "$DIR"/ad-[1-9]; do
		[ -d "$d" ] || continue
		i=${d##*/ad-}
		[ -n "${2:-}" ] && [ "$2" != "$i" ] && continue
		names "$DIR" "$i"
		cmd_down_one
	done
	return 0
}

cmd_status() {
	DIR=$(cd "$1" 2>/dev/null && pwd) || exit 1
	INDEX=$2
	names "$DIR" "$INDEX"
	local n
	[ -f "$A/net" ] && read -r n < "$A/net" || exit 1
	DC_IP=$NET_PREFIX.$(( n * 4 / 256 )).$(( n * 4 % 256 + 2 ))
	pid_alive && answers
}

case ${1:-} in
up) [ $# -eq 4 ] || die "usage: $0 up DIR INDEX DOMAIN"; [ "$(id -u)" = 0 ] || die "run as root"; cmd_up "$2" "$3" "$4" ;;
down) [ $# -ge 2 ] || die "usage: $0 down DIR [INDEX]"; cmd_down "$2" "${3:-}" ;;
status) [ $# -eq 3 ] || die "usage: $0 status DIR INDEX"; cmd_status "$2" "$3" ;;
*) echo "usage: $0 up DIR INDEX DOMAIN | down DIR [INDEX] | status DIR INDEX" >&2; exit 2 ;;
esac
