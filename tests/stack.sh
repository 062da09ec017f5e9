#!/bin/bash
# tests/stack.sh: brings a private certmint stack (MariaDB, MIT KDC, signerd, an SMTP sink,
# admin.fcgi, Apache) up and down in one directory, on free loopback ports.
#
# Usage: tests/stack.sh up DIR      start (or restart, reusing data) the stack in DIR
#        tests/stack.sh up DIR --with-ad  also two Samba AD domain controllers
#                                   (tests/ad-dc.sh; each in a network namespace),
#                                   a second customer, and both realms configured
#                                   for auto-enrollment; remembered by later "up"s
#                                   of DIR (--without-ad forgets it)
#        tests/stack.sh up DIR --pages   only MariaDB and signerd, with the same
#                                   schema, CA, demo data and administrators: the page
#                                   tests (tests/harness/harness.sh) start the FastCGI
#                                   program themselves and need no KDC or Apache
#        tests/stack.sh down DIR    stop exactly the processes "up" started
#        tests/stack.sh status DIR  say which of them run
# Programs come from $CERTMINT_BUILD, else <repo>/_build/plain.
# CERTMINT_CA_KEY_TYPE (rsa3072, the default, rsa2048 or ecdsa-p256): the key
# type `certmint init` gives a new stack's CA (bench/scep uses rsa2048).
# "up" writes DIR/stack.env (shell-sourceable) and prints a summary.
set -u
umask 022

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${CERTMINT_BUILD:-$ROOT/_build/plain}
REALM=CERTMINT.TEST
ADMIN_PRINC=alice@$REALM
USER_PRINC=bob@$REALM
# Delegated administrators (issue 3); their scopes are set in init_certmint.
SCOPED_ADMINS="carol dave erin frank"
# A principal with no administrator row: tests make it an administrator
# through the pages (tests/browser/delegation.test.mjs).
SPARE_PRINC=gina
DB_NAME=certmint
# The programs' account (DML only, granted by certmint migrate) and the
# account only certmint migrate uses (ALL on the database, GRANT OPTION).
DB_USER=certmint
DB_MIGRATE_USER=certmint_migrate
SIGNER_USER=certmint-signer
# Apache's workers: they reach admin.fcgi's socket and nothing else.
WEB_USER=www-data
# One uid per program (issue 8): admin.fcgi runs as ADMIN_USER; a later
# program gets certmint-NAME the same way (ensure_program_user).
ADMIN_USER=certmint-admin
# ocsp.fcgi (issue 9): the only uid signerd lets sign OCSP responses live.
OCSP_USER=certmint-ocsp
# Its workers (CERTMINT_OCSP_WORKERS): enough for the benchmark's c8.
OCSP_WORKERS=${CERTMINT_OCSP_WORKERS:-8}
# scep.fcgi (issue 10): the RA key's operations and client certificates only.
SCEP_USER=certmint-scep
SCEP_WORKERS=${CERTMINT_SCEP_WORKERS:-8}
# autoenroll.fcgi (issue 11): Kerberos-authenticated S/MIME issuance; signer
# rights as scep.fcgi's client issuance, and it reads the realm keytabs.
AUTOENROLL_USER=certmint-autoenroll
AUTOENROLL_WORKERS=${CERTMINT_AUTOENROLL_WORKERS:-8}
# Readers of the realm keytabs (certmint.conf [autoenroll] keytab_dir):
# Apache's workers (they accept the tickets), certmint-admin (writes them,
# and binds to AD with them for Verify) and certmint-autoenroll (binds to AD).
KEYTAB_GROUP=certmint-keytab
# --with-ad: the two Active Directory domains (tests/ad-dc.sh), the demo
# customer serving the first and SECOND_CUSTOMER the second.
AD_DOMAIN_1=ad1.certmint.test
AD_DOMAIN_2=ad2.certmint.test
SECOND_CUSTOMER=second
# Program uids read certmint.conf and db.password through CONF_GROUP, and
# reach signerd's socket through SIGNER_CLIENTS (Apache's uid is in neither).
CONF_GROUP=certmint
SIGNER_CLIENTS=certmint-signer-clients
CUSTOMER=demo
# Start order; "down" walks it backwards.
SERVICES="mariadb kdc signerd smtp admin ocsp scep autoenroll apache reloader"

die() { echo "stack: $*" >&2; exit 1; }
say() { echo "stack: $*" >&2; }

# tail_log FILE: shows the end of a log so a failure explains itself.
tail_log() {
	[ -f "$1" ] || return 0
	echo "---- last lines of $1 ----" >&2
	tail -n 25 "$1" >&2
	echo "----" >&2
}

# proc_start PID: the process's start time (clock ticks since boot), which
# tells a PID we recorded apart from a recycled one. Empty when gone or a
# zombie (our daemons are reparented to PID 1, which may reap them late).
proc_start() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	[ "$1" = Z ] || echo "${20}"
}

# pid_alive NAME: 0 when the process recorded as NAME still runs.
pid_alive() {
	local f=$DIR/pids/$1.pid pid st
	[ -f "$f" ] || return 1
	read -r pid st < "$f" || return 1
	[ -n "${pid:-}" ] && [ -n "${st:-}" ] && [ "$(proc_start "$pid")" = "$st" ]
}

record_pid() {
	local st
	st=$(proc_start "$2")
	[ -n "$st" ] || return 1
	echo "$2 $st" > "$DIR/pids/$1.pid"
}

# start NAME LOG CMD...: runs CMD in its own session (Apache in the
# foreground kills its process group on SIGTERM; setsid keeps that group
# ours alone) and records its PID. setsid does not fork here because a
# background job of a non-interactive shell is not a group leader.
start() {
	local name=$1 log=$2 pid
	shift 2
	# "up" on a stack of which some services still run starts only the
	# others (clear_dead has stopped what was left of the dead ones).
	if pid_alive "$name"; then
		say "$name already runs (pid $(cut -d' ' -f1 "$DIR/pids/$name.pid")); kept"
		return 0
	fi
	STARTED="$STARTED $name"
	setsid "$@" < /dev/null >> "$log" 2>&1 &
	pid=$!
	sleep 0.05
	record_pid "$name" "$pid" || { tail_log "$log"; die "$name exited at once"; }
}

# wait_for NAME LOG TIMEOUT_S CMD...: polls CMD until it succeeds; fails
# loudly when the service died or the time ran out.
wait_for() {
	local name=$1 log=$2 limit=$(( $3 * 20 )) i=0
	shift 3
	while ! "$@" > /dev/null 2>&1; do
		if ! pid_alive "$name"; then
			tail_log "$log"
			die "$name died during start-up"
		fi
		i=$((i + 1))
		if [ "$i" -ge "$limit" ]; then
			tail_log "$log"
			die "$name not ready after $(( limit / 20 )) s"
		fi
		sleep 0.05
	done
}

port_answers() { timeout 1 bash -c ">/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# port_free PORT: nobody listens on it (TCP or UDP, any address).
port_free() {
	[ -z "$(ss -Hltun "( sport = :$1 )" 2>/dev/null)" ] && ! port_answers "$1"
}

# pick_port OLD: OLD when still free, else a random free one below the
# ephemeral range (so outgoing connections never take it meanwhile).
PICKED=" "
pick_port() {
	local p=${1:-} n=0
	if [ -n "$p" ] && [ "${PICKED#* $p }" = "$PICKED" ] && port_free "$p"; then
		PICKED="$PICKED$p "
		echo "$p"
		return 0
	fi
	while [ "$n" -lt 200 ]; do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
		n=$((n + 1))
		[ "${PICKED#* $p }" != "$PICKED" ] && continue
		port_free "$p" || continue
		PICKED="$PICKED$p "
		echo "$p"
		return 0
	done
	die "no free port found"
}

# secret FILE: prints the secret in FILE, creating it (random hex) if absent.
secret() {
	[ -s "$1" ] || { openssl rand -hex 16 > "$1.tmp" && mv "$1.tmp" "$1"; } || die "cannot write $1"
	cat "$1"
}

need_bin() {
	[ -x "$1" ] || die "$1 is missing: build certmint first (make in $BUILD, or set CERTMINT_BUILD)"
}

# sq VALUE: VALUE as a single-quoted shell word.
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# ---------------------------------------------------------------- up

setup_dirs() {
	mkdir -p "$DIR" || die "cannot create $DIR"
	DIR=$(cd "$DIR" && pwd)
	# Sockets live in DIR/run; sun_path holds 108 bytes.
	[ ${#DIR} -le 80 ] || die "$DIR is too long a path for Unix sockets (max 80 characters)"
	chmod 755 "$DIR"
	local d=$DIR
	while [ "$d" != / ]; do
		[ "$(( 0$(stat -c %a "$d") & 1 ))" = 1 ] \
			|| die "$d is not traversable by others; $WEB_USER must reach $DIR (chmod o+x $d)"
		d=$(dirname "$d")
	done
	mkdir -p "$DIR"/{pids,logs,run,db,krb5,secrets,apache/run,apache/htdocs,apache/rcache,vault,journal,publish/ca,publish/crl,ocsp,keytabs,apache-conf}
	chmod 755 "$DIR"/{pids,logs,run,krb5,apache,apache/run,apache/htdocs,publish,publish/ca,publish/crl,ocsp}
	chmod 700 "$DIR"/{secrets,db}
	chown "$WEB_USER:$WEB_USER" "$DIR/apache/rcache"
	chmod 700 "$DIR/apache/rcache"
	chown "$SIGNER_USER:$SIGNER_USER" "$DIR/vault" "$DIR/journal"
	chmod 700 "$DIR/vault" "$DIR/journal"
	# [autoenroll] keytab_dir: certmint-admin writes the realm keytabs (the
	# CLI as root), the keytab group reads them; setgid so that new files
	# get that group. Apache's uid may read, never write.
	chown "$ADMIN_USER:$KEYTAB_GROUP" "$DIR/keytabs"
	chmod 2750 "$DIR/keytabs"
	# [autoenroll] apache_conf_dir: certmint-admin writes the customers'
	# Location files and .reload (the CLI as root too; either replaces the
	# other's files); the reloader (root) renames .reload-status into it
	# from DIR (conf/certmint-apache-reload).
	chown "$ADMIN_USER:$ADMIN_USER" "$DIR/apache-conf"
	chmod 0755 "$DIR/apache-conf"
	# Sockets of a previous run would make the readiness checks pass early;
	# those of services that still run (and are kept) stay.
	local name sock
	for name in mariadb signerd admin ocsp scep autoenroll; do
		sock=$DIR/run/$name.sock
		[ "$name" = signerd ] && sock=$DIR/run/signer.sock
		pid_alive "$name" || rm -f "$sock"
	done
	pid_alive apache || rm -f "$DIR"/apache/run/*
	: > "$DIR/apache/htdocs/index.html"
}

# ensure_system_user USER [GROUP,...]: a system user with a group of its
# own, and a member of the given supplementary groups.
ensure_system_user() {
	if ! id "$1" > /dev/null 2>&1; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$1" || die "cannot create user $1"
		say "created system user $1"
	fi
	if [ -n "${2:-}" ]; then
		usermod -a -G "$2" "$1" || die "cannot add $1 to $2"
	fi
}

# ensure_program_user NAME: the uid of program NAME (certmint-NAME), which
# reads the configuration and may connect to signerd; never in Apache's group.
ensure_program_user() { ensure_system_user "certmint-$1" "$CONF_GROUP,$SIGNER_CLIENTS"; }

ensure_users() {
	local g
	id "$WEB_USER" > /dev/null 2>&1 || die "user $WEB_USER is missing (install apache2)"
	for g in "$CONF_GROUP" "$SIGNER_CLIENTS"; do
		getent group "$g" > /dev/null || groupadd --system "$g" || die "cannot create group $g"
	done
	ensure_system_user "$SIGNER_USER"
	ensure_program_user admin
	ensure_program_user ocsp
	ensure_program_user scep
	ensure_program_user autoenroll
	getent group "$KEYTAB_GROUP" > /dev/null || groupadd --system "$KEYTAB_GROUP" || die "cannot create group $KEYTAB_GROUP"
	for g in "$WEB_USER" "$ADMIN_USER" "$AUTOENROLL_USER"; do
		usermod -a -G "$KEYTAB_GROUP" "$g" || die "cannot add $g to $KEYTAB_GROUP"
	done
	# Apache's uid must not reach the signer or the configuration (a
	# www-data left in them by hand would undo the separation).
	for g in "$CONF_GROUP" "$SIGNER_CLIENTS"; do
		if id -nG "$WEB_USER" | tr ' ' '\n' | grep -qx "$g"; then
			gpasswd -d "$WEB_USER" "$g" > /dev/null || die "cannot take $WEB_USER out of $g"
		fi
	done
}

pick_ports() {
	local HTTP_PORT="" HTTPS_PORT="" KDC_PORT=""
	# shellcheck disable=SC1091
	[ -f "$DIR/ports" ] && . "$DIR/ports"
	# A service that still runs keeps its ports (they are busy: its own).
	if pid_alive apache && [ -n "$HTTP_PORT" ] && [ -n "$HTTPS_PORT" ]; then
		HTTP=$HTTP_PORT HTTPS=$HTTPS_PORT
	else
		HTTP=$(pick_port "$HTTP_PORT") || exit 1
		HTTPS=$(pick_port "$HTTPS_PORT") || exit 1
	fi
	if pid_alive kdc && [ -n "$KDC_PORT" ]; then
		KDC=$KDC_PORT
	else
		KDC=$(pick_port "$KDC_PORT") || exit 1
	fi
	printf 'HTTP_PORT=%s\nHTTPS_PORT=%s\nKDC_PORT=%s\n' "$HTTP" "$HTTPS" "$KDC" > "$DIR/ports"
}

up_mariadb() {
	local cnf=$DIR/my.cnf log=$DIR/logs/mariadb.log
	cat > "$cnf" <<EOF
# Written by tests/stack.sh; regenerated on every "up".
[client-server]
socket = $DIR/run/mariadb.sock

[mariadbd]
datadir = $DIR/db
pid-file = $DIR/run/mariadb.pid
log-error = $log
skip-networking
skip-name-resolve
skip-log-bin
# Its own temporary files: /tmp is shared with every other process.
tmpdir = $DIR/db-tmp
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 64M
EOF
	chmod 644 "$cnf"
	mkdir -p "$DIR/db-tmp" && chmod 700 "$DIR/db-tmp"
	if [ ! -d "$DIR/db/mysql" ]; then
		mariadb-install-db --defaults-file="$cnf" --user=root --skip-test-db --force \
			--auth-root-authentication-method=socket > "$DIR/logs/mariadb-install.log" 2>&1 \
			|| { tail_log "$DIR/logs/mariadb-install.log"; die "mariadb-install-db failed"; }
	fi
	# --defaults-file must come first, or /etc/mysql settings leak in.
	start mariadb "$log" mariadbd --defaults-file="$cnf" --user=root
	wait_for mariadb "$log" 20 mariadb --defaults-file="$cnf" -u root -e 'SELECT 1'
	local pw mpw
	pw=$(secret "$DIR/db.password")
	# The program uids read it through CONF_GROUP; Apache's uid cannot.
	chown "root:$CONF_GROUP" "$DIR/db.password"
	chmod 640 "$DIR/db.password"
	mpw=$(secret "$DIR/secrets/migrate.password")
	# The programs' account gets its table privileges from certmint migrate
	# (init_certmint), which also takes back the ALL of an older stack.
	mariadb --defaults-file="$cnf" -u root <<EOF || die "cannot create database $DB_NAME"
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$DB_MIGRATE_USER'@'localhost' IDENTIFIED BY '$mpw';
ALTER USER '$DB_MIGRATE_USER'@'localhost' IDENTIFIED BY '$mpw';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_MIGRATE_USER'@'localhost' WITH GRANT OPTION;
EOF
	# The migration account's credentials: root alone (certmint migrate).
	cat > "$DIR/migrate.conf.tmp" <<EOF
# Written by tests/stack.sh: the account only "certmint migrate" uses.
[migrate]
user = $DB_MIGRATE_USER
password = $mpw
app_host = localhost
EOF
	chown root:root "$DIR/migrate.conf.tmp"
	chmod 600 "$DIR/migrate.conf.tmp"
	mv "$DIR/migrate.conf.tmp" "$DIR/migrate.conf"
}

# write_krb5_conf: the stack's krb5.conf, for the tests and every program
# (Apache, admin.fcgi, autoenroll.fcgi, the CLI): the private MIT realm and,
# with --with-ad, both AD realms (their KDCs are the DCs; localhost stays in
# the MIT realm, so /admin/ tickets are unchanged; a client of an AD realm
# uses DIR/ad-N/krb5.conf, which maps localhost to that realm). LDAP
# service names of a DC's IP (ldap/<ip>) have no realm mapping: MIT
# Kerberos then asks the realm of the client's own ticket, the AD realm.
write_krb5_conf() {
	local k=$DIR/krb5 i realms="" maps=""
	for i in 1 2; do
		[ "$WITH_AD" = 1 ] && [ -s "$DIR/ad-$i/env" ] || continue
		# shellcheck disable=SC1090
		. "$DIR/ad-$i/env"
		local p=CERTMINT_AD_ r ip d
		[ "$i" = 1 ] || p=CERTMINT_AD${i}_
		r=${p}REALM ip=${p}DC_IP d=${p}DOMAIN
		realms="$realms
	${!r} = {
		kdc = ${!ip}
	}"
		maps="$maps
	.${!d} = ${!r}
	${!d} = ${!r}"
	done
	cat > "$k/krb5.conf.tmp" <<EOF
# Written by tests/stack.sh; the system /etc/krb5.conf names another realm.
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	ticket_lifetime = 10h

[realms]
	$REALM = {
		kdc = 127.0.0.1:$KDC
	}$realms

[domain_realm]
	localhost = $REALM$maps
EOF
	chmod 644 "$k/krb5.conf.tmp"
	mv "$k/krb5.conf.tmp" "$k/krb5.conf"
}

up_kdc() {
	local k=$DIR/krb5 log=$DIR/logs/kdc.log
	write_krb5_conf
	cat > "$k/kdc.conf" <<EOF
# Written by tests/stack.sh.
[kdcdefaults]
	kdc_listen = 127.0.0.1:$KDC
	kdc_tcp_listen = 127.0.0.1:$KDC

[realms]
	$REALM = {
		database_name = $k/principal
		key_stash_file = $k/stash
		acl_file = $k/kadm5.acl
		max_life = 10h
		max_renewable_life = 1d
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}

[logging]
	kdc = FILE:$log
	admin_server = FILE:$DIR/logs/kadmin.log
	default = FILE:$DIR/logs/kdc.log
EOF
	: > "$k/kadm5.acl"
	chmod 600 "$k/kdc.conf" "$k/kadm5.acl"
	export KRB5_CONFIG=$k/krb5.conf KRB5_KDC_PROFILE=$k/kdc.conf
	if [ ! -f "$k/principal" ]; then
		kdb5_util create -s -r "$REALM" -P "$(secret "$DIR/secrets/kdc-master.password")" \
			> "$DIR/logs/kdb5_util.log" 2>&1 || { tail_log "$DIR/logs/kdb5_util.log"; die "kdb5_util create failed"; }
		{
			kadmin.local -r "$REALM" -q "addprinc -pw $(secret "$DIR/secrets/alice.password") $ADMIN_PRINC" &&
			kadmin.local -r "$REALM" -q "addprinc -pw $(secret "$DIR/secrets/bob.password") $USER_PRINC" &&
			kadmin.local -r "$REALM" -q "addprinc -randkey HTTP/localhost@$REALM" &&
			kadmin.local -r "$REALM" -q "ktadd -k $k/http.keytab HTTP/localhost@$REALM"
		} > "$DIR/logs/kadmin-setup.log" 2>&1 || { tail_log "$DIR/logs/kadmin-setup.log"; die "creating principals failed"; }
	fi
	# Principals added after a realm was created arrive on the next "up".
	local p
	for p in $SCOPED_ADMINS $SPARE_PRINC; do
		kadmin.local -r "$REALM" -q "getprinc $p@$REALM" 2>/dev/null | grep -q "^Principal: $p@" && continue
		kadmin.local -r "$REALM" -q "addprinc -pw $(secret "$DIR/secrets/$p.password") $p@$REALM" \
			>> "$DIR/logs/kadmin-setup.log" 2>&1 || { tail_log "$DIR/logs/kadmin-setup.log"; die "creating principal $p failed"; }
	done
	# Apache's workers (www-data) accept tickets with this key.
	chown "root:$WEB_USER" "$k/http.keytab"
	chmod 640 "$k/http.keytab"
	start kdc "$log" krb5kdc -n -r "$REALM"
	wait_for kdc "$log" 10 port_answers "$KDC"
}

up_signerd() {
	local bin=$BUILD/signer/certmint-signerd log=$DIR/logs/signerd.log
	need_bin "$bin"
	[ -s "$DIR/vault.key" ] || openssl rand -hex 32 > "$DIR/vault.key" || die "cannot write vault.key"
	# The shipped profiles, but the SCEP profiles' certificatePolicies OIDs
	# under RFC 5612's documentation arc: Go's x509 (Debian's scepclient, which
	# 32-scep.sh and 32b-scep-device.sh enroll with) refuses a certificate whose
	# policy OID has an arc beyond 64 bits, as the demo 2.25.<UUID> arc has
	# (docs/operators.md).
	awk '/^\[profile /{p=$0} p=="[profile client-smime]" && /^policy_oid =/{$0="policy_oid = 1.3.6.1.4.1.32473.1.2"}
		p=="[profile client-device]" && /^policy_oid =/{$0="policy_oid = 1.3.6.1.4.1.32473.1.5"} {print}' \
		"$ROOT/conf/signer-profiles.conf" > "$DIR/signer-profiles.conf" || die "cannot write signer-profiles.conf"
	chmod 644 "$DIR/signer-profiles.conf"
	chown "$SIGNER_USER:$SIGNER_USER" "$DIR/vault.key"
	chmod 400 "$DIR/vault.key"
	touch "$DIR/journal/issued.log"
	chown "$SIGNER_USER:$SIGNER_USER" "$DIR/journal/issued.log"
	chmod 600 "$DIR/journal/issued.log"
	cat > "$DIR/signerd.conf" <<EOF
# Written by tests/stack.sh; regenerated on every "up".
[signer]
socket = $DIR/run/signer.sock
socket_mode = 0660
socket_group = $SIGNER_CLIENTS
user = $SIGNER_USER
vault = $DIR/vault
vault_key_file = $DIR/vault.key
journal = $DIR/journal/issued.log
profiles_file = $DIR/signer-profiles.conf
# scep.fcgi's workers each keep one connection, and the audit checkpoint
# takes one more now and then: its uid's cap stays above the worker count.
max_connections = $((64 + SCEP_WORKERS))
max_connections_per_uid = $((SCEP_WORKERS + 8 > 16 ? SCEP_WORKERS + 8 : 16))
log_level = info
# Apache's own certificate names localhost and 127.0.0.1 (tls_cert).
allow_loopback_ip = yes

# The names the tests and the demo issue for (tests/integration/22-signer-limits.sh
# checks that anything else is refused). Apache's own certificate is for localhost.
[namespaces]
dns = demo.test, example.test, other.test, certmint.test, example.com, localhost
email = demo.test, example.test, other.test, certmint.test, example.com
ip = 127.0.0.0/8, 10.0.0.0/8, 192.0.2.0/24, 2001:db8::/32

# Certificates point relying parties here (CDP, AIA); Apache serves /ca/ and
# /crl/ from [publish] dir of certmint.conf (certmint publish ca).
[publish]
base_url = http://localhost:$HTTP

[access]
root = ca-init ca-import ca-chain issue audit-checkpoint crl-sign ocsp-sign scep-decrypt scep-certrep
$ADMIN_USER = ca-chain issue:tls-server,client-smime,code-signing audit-checkpoint
# ocsp.fcgi signs live answers (nonce, a revocation newer than the store) and nothing else.
$OCSP_USER = ocsp-sign
# scep.fcgi: the RA key's two operations, the CA chain for GetCACert, client
# certificates, and the audit checkpoints every program that writes audit rows takes.
$SCEP_USER = ca-chain scep-decrypt scep-certrep issue:client-smime,client-device audit-checkpoint
# autoenroll.fcgi (issue 11): client certificates and the chain it returns with them.
$AUTOENROLL_USER = ca-chain issue:client-smime audit-checkpoint

# The OCSP responder certificate (defaults); a test may set other keys for
# one "up" through CERTMINT_SIGNER_OCSP_CONF (29-signer-ocsp.sh: rotation).
[ocsp]
${CERTMINT_SIGNER_OCSP_CONF:-}

# The SCEP RA certificate (defaults); CERTMINT_SIGNER_SCEP_CONF as above
# (31-signer-scep.sh: rotation).
[scep]
${CERTMINT_SIGNER_SCEP_CONF:-}
EOF
	chmod 644 "$DIR/signerd.conf"
	start signerd "$log" "$bin" -c "$DIR/signerd.conf" -f
	wait_for signerd "$log" 10 test -S "$DIR/run/signer.sock"
}

# The SMTP sink (issue 9): Debian's python3-aiosmtpd writes every message it
# accepts as a file into DIR/maildir (new/), which stack.env names as
# CERTMINT_MAILDIR; certmint.conf's [smtp] points at it. Its port is kept
# in DIR/smtp.port while it runs; "up" restarts it when it is dead.
SMTP_PYTHON=/usr/bin/python3
up_smtp() {
	local log=$DIR/logs/smtp.log old=""
	"$SMTP_PYTHON" -c 'import aiosmtpd' 2> /dev/null || die "python3-aiosmtpd is missing; run tests/deps.sh"
	[ -f "$DIR/smtp.port" ] && read -r old < "$DIR/smtp.port"
	if pid_alive smtp && [ -n "$old" ]; then
		SMTP=$old
	else
		SMTP=$(pick_port "$old") || exit 1
	fi
	echo "$SMTP" > "$DIR/smtp.port"
	mkdir -p "$DIR/maildir/new" "$DIR/maildir/cur" "$DIR/maildir/tmp"
	start smtp "$log" "$SMTP_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP" -c aiosmtpd.handlers.Mailbox "$DIR/maildir"
	wait_for smtp "$log" 10 port_answers "$SMTP"
}

write_certmint_conf() {
	cat > "$DIR/certmint.conf" <<EOF
# Written by tests/stack.sh; regenerated on every "up".
[log]
level = info

[database]
socket = $DIR/run/mariadb.sock
name = $DB_NAME
user = $DB_USER
password_file = $DIR/db.password
schema_dir = $ROOT/schema

[signer]
socket = $DIR/run/signer.sock
timeout_ms = 10000

[web]
templates = $ROOT/templates
static_url = /static
base_url = https://localhost:$HTTPS

[names]
# Apache's own certificate names localhost and 127.0.0.1 (tls_cert).
allow_loopback_ip = yes

[secrets]
access_code_key_file = $DIR/access-code.key
# Seals AD simple-bind passwords (lib/secret_box.h); made once per instance.
ldap_bind_key_file = $DIR/ldap-bind.key

[autoenroll]
# Realm keytabs (certmint realm add / the portal) and the per-customer
# Apache Location files Apache includes (apache/httpd-stack.conf.in).
keytab_dir = $DIR/keytabs
apache_conf_dir = $DIR/apache-conf
# The client scripts the portal fills in (clients/ of the tree).
clients_dir = $ROOT/clients

[publish]
# Apache serves DIR/ca at /ca/ and DIR/crl at /crl/ (apache/httpd-stack.conf.in).
dir = $DIR/publish

[ocsp]
# Pre-signed OCSP responses (certmint ocsp refresh writes, ocsp.fcgi reads).
store = $DIR/ocsp

# The stack's SMTP sink (up_smtp); certmint notify run sends through it.
[smtp]
url = smtp://127.0.0.1:$SMTP
from = certmint@demo.test
timeout = 5
EOF
	chown "root:$CONF_GROUP" "$DIR/certmint.conf"
	chmod 640 "$DIR/certmint.conf"
	# The access codes' HMAC key, made once per instance (a new key would
	# make every stored code fail): 0640, group of the programs that use it.
	if [ ! -s "$DIR/access-code.key" ]; then
		(umask 077 && openssl rand -hex 32 > "$DIR/access-code.key") || die "cannot write $DIR/access-code.key"
	fi
	chown "root:$CONF_GROUP" "$DIR/access-code.key" 2>/dev/null
	chmod 640 "$DIR/access-code.key"
	# The key sealing AD bind passwords, the same way (a new key would make
	# every sealed password unreadable).
	if [ ! -s "$DIR/ldap-bind.key" ]; then
		(umask 077 && openssl rand -hex 32 > "$DIR/ldap-bind.key") || die "cannot write $DIR/ldap-bind.key"
	fi
	chown "root:$CONF_GROUP" "$DIR/ldap-bind.key"
	chmod 640 "$DIR/ldap-bind.key"
}

# Schema, CA, CA chain file, demo data (once per instance).
init_certmint() {
	local cli=$BUILD/tools/certmint log=$DIR/logs/cli.log
	CLI="$cli -c $DIR/certmint.conf"
	need_bin "$cli"
	# The schema and the programs' grants, with the migration account
	# (DIR/migrate.conf), before any program starts.
	$CLI migrate >> "$log" 2>&1 || { tail_log "$log"; die "certmint migrate failed"; }
	$CLI init --country GB --key-type "${CERTMINT_CA_KEY_TYPE:-rsa3072}" >> "$log" 2>&1 || { tail_log "$log"; die "certmint init failed"; }
	if ! $CLI ca-chain > "$DIR/ca-chain.pem.tmp" 2>> "$log" || ! grep -q 'BEGIN CERTIFICATE' "$DIR/ca-chain.pem.tmp"; then
		# The chain as init recorded it: issuing CA first, then the root.
		mariadb --defaults-file="$DIR/my.cnf" -u root -N -r -B "$DB_NAME" \
			-e "SELECT pem FROM ca_certs ORDER BY kind DESC, id DESC" > "$DIR/ca-chain.pem.tmp" 2>> "$log"
	fi
	grep -q 'BEGIN CERTIFICATE' "$DIR/ca-chain.pem.tmp" || { tail_log "$log"; die "no CA chain after certmint init"; }
	mv "$DIR/ca-chain.pem.tmp" "$DIR/ca-chain.pem"
	chmod 644 "$DIR/ca-chain.pem"
	# The CA certificates relying parties fetch at /ca/ (rewritten on every up).
	$CLI publish ca >> "$log" 2>&1 || { tail_log "$log"; die "certmint publish ca failed"; }
	# And a CRL behind the CRL Distribution Point every certificate names,
	# made when there is none or it is stale (what certmint-crl.timer does).
	$CLI crl generate --if-stale >> "$log" 2>&1 || { tail_log "$log"; die "certmint crl generate failed"; }
	# And the pre-signed OCSP responses ocsp.fcgi serves (what
	# certmint-ocsp-refresh.timer does every 5 minutes).
	# Not fatal: tests insert certificate rows the signer never issued (it
	# refuses "good" for them), and ocsp.fcgi answers what the store lacks
	# from the database anyway.
	$CLI ocsp refresh >> "$log" 2>&1 || echo "stack: certmint ocsp refresh failed (see $log)" >&2
	# demo-data.sql is written to be loaded again: newer demo rows arrive
	# in an existing instance.
	mariadb --defaults-file="$DIR/my.cnf" -u root "$DB_NAME" < "$ROOT/conf/demo-data.sql" >> "$log" 2>&1 \
		|| { tail_log "$log"; die "loading conf/demo-data.sql failed"; }
	if [ ! -f "$DIR/.demo-admin-added" ]; then
		$CLI admin add "$ADMIN_PRINC" --role mrao --customer "$CUSTOMER" --name "Alice Admin" \
			--email "alice@example.test" >> "$log" 2>&1 \
			|| [ "$(mariadb --defaults-file="$DIR/my.cnf" -u root -N -B "$DB_NAME" \
				-e "SELECT COUNT(*) FROM admins WHERE principal = '$ADMIN_PRINC'" 2>> "$log")" = 1 ] \
			|| { tail_log "$log"; die "certmint admin add $ADMIN_PRINC failed"; }
		touch "$DIR/.demo-admin-added"
	fi
	if [ ! -f "$DIR/.scoped-admins-added" ]; then
		{
			$CLI admin add "carol@$REALM" --role rao --customer "$CUSTOMER" --org "Demo Organisation" \
				--types ssl,client,codesign --name "Carol RAO A" &&
			$CLI admin add "dave@$REALM" --role rao --customer "$CUSTOMER" --org "Other Organisation" \
				--types ssl,client,codesign --name "Dave RAO B" &&
			$CLI admin add "erin@$REALM" --role drao --customer "$CUSTOMER" --org "Demo Organisation" \
				--dept Engineering --types ssl,client,codesign --name "Erin DRAO A" &&
			$CLI admin add "frank@$REALM" --role rao --customer "$CUSTOMER" --org "Demo Organisation" \
				--types ssl --name "Frank RAO SSL"
		} >> "$log" 2>&1 || { tail_log "$log"; die "adding the delegated administrators failed"; }
		touch "$DIR/.scoped-admins-added"
	fi
	scep_access_codes
}

up_admin() {
	local bin=$BUILD/cgi/admin/admin.fcgi log=$DIR/logs/admin.log
	need_bin "$bin"
	# Its own uid; the socket is ADMIN_USER's, group Apache's, mode 0660.
	# KRB5_CONFIG: the portal's AD Verify binds with a realm keytab (the
	# stack's krb5.conf names the AD realms with --with-ad).
	start admin "$log" env KRB5_CONFIG="$DIR/krb5/krb5.conf" "$bin" -c "$DIR/certmint.conf" -s "$DIR/run/admin.sock" \
		-n 4 -u "$ADMIN_USER" -g "$WEB_USER" -m 0660
	wait_for admin "$log" 10 test -S "$DIR/run/admin.sock"
}

# ocsp.fcgi (issue 9): its own uid, a socket only Apache can open, no login.
up_ocsp() {
	local bin=$BUILD/cgi/ocsp/ocsp.fcgi log=$DIR/logs/ocsp.log
	need_bin "$bin"
	start ocsp "$log" "$bin" -c "$DIR/certmint.conf" -s "$DIR/run/ocsp.sock" -n "$OCSP_WORKERS" -u "$OCSP_USER" \
		-g "$WEB_USER" -m 0660
	wait_for ocsp "$log" 10 test -S "$DIR/run/ocsp.sock"
}

# scep.fcgi (issue 10): its own uid, a socket only Apache can open, no login.
up_scep() {
	local bin=$BUILD/cgi/scep/scep.fcgi log=$DIR/logs/scep.log
	need_bin "$bin"
	start scep "$log" "$bin" -c "$DIR/certmint.conf" -s "$DIR/run/scep.sock" -n "$SCEP_WORKERS" -u "$SCEP_USER" \
		-g "$WEB_USER" -m 0660
	wait_for scep "$log" 10 test -S "$DIR/run/scep.sock"
}

# autoenroll.fcgi (issue 11): its own uid, a socket only Apache can open;
# Apache has authenticated the user (the customer's Location file in
# [autoenroll] apache_conf_dir) before a request reaches it. It binds to AD
# as a Kerberos client of the AD realms: KRB5_CONFIG names them. Started
# only when the build has it (the program arrives with its own branch).
up_autoenroll() {
	local bin=$BUILD/cgi/autoenroll/autoenroll.fcgi log=$DIR/logs/autoenroll.log
	if [ ! -x "$bin" ]; then
		say "$bin is not built: autoenroll not started"
		return 0
	fi
	start autoenroll "$log" env KRB5_CONFIG="$DIR/krb5/krb5.conf" "$bin" -c "$DIR/certmint.conf" \
		-s "$DIR/run/autoenroll.sock" -n "$AUTOENROLL_WORKERS" -u "$AUTOENROLL_USER" -g "$WEB_USER" -m 0660
	wait_for autoenroll "$log" 10 test -S "$DIR/run/autoenroll.sock"
}

# The demo's SCEP access codes (issue 10): made once per instance and kept in
# DIR/secrets (stack.env passes them to tests), stored on every "up" as the
# portal stores them (the keyed hash of lib/access_code.c, with the
# instance's key), with self enrollment on: Demo Organisation (automatic
# approval) and Manual Organisation (an administrator approves). A test that
# changed them gets them back with the next "up".
scep_access_codes() {
	local tool=$BUILD/tests/tools/access-code-hash name org code hash hint
	need_bin "$tool"
	for name in demo manual; do
		org="Demo Organisation"
		[ "$name" = manual ] && org="Manual Organisation"
		if [ ! -s "$DIR/secrets/access-code-$name" ]; then
			# 4 groups of 4 from the generator's alphabet, as the portal makes them.
			code=$(LC_ALL=C tr -dc 'abcdefghjkmnpqrstuvwxyz23456789' < /dev/urandom | head -c 16 | sed 's/..../&-/g; s/-$//')
			(umask 077 && echo "$code" > "$DIR/secrets/access-code-$name")
		fi
		read -r hash hint < <("$tool" "$DIR/access-code.key" < "$DIR/secrets/access-code-$name") \
			|| die "access-code-hash failed"
		mariadb --defaults-file="$DIR/my.cnf" -u root "$DB_NAME" -e "UPDATE organizations o JOIN customers c ON c.id = o.customer_id
			SET o.client_access_code_hash = '$hash', o.client_access_code_hint = '$hint',
			o.client_access_code_set_at = COALESCE(o.client_access_code_set_at, UTC_TIMESTAMP()),
			o.client_self_enrollment = 1
			WHERE c.uri = '$CUSTOMER' AND o.name = '$org' AND o.deleted_at IS NULL" >> "$DIR/logs/cli.log" 2>&1 \
			|| die "setting the SCEP access code of $org failed"
	done
}

# The TLS certificate comes from certmint's own CA; it is kept while it
# matches the current chain and stays valid for a day.
tls_cert() {
	local a=$DIR/apache log=$DIR/logs/cli.log issuing
	issuing=$(awk '/BEGIN CERTIFICATE/{p=1} p{print} /END CERTIFICATE/{exit}' "$DIR/ca-chain.pem")
	if [ -s "$a/tls.crt" ] && [ -s "$a/tls.key" ] \
		&& openssl x509 -in "$a/tls.crt" -noout -checkend 86400 > /dev/null 2>&1 \
		&& openssl verify -CAfile "$DIR/ca-chain.pem" "$a/tls.crt" > /dev/null 2>&1; then
		return 0
	fi
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$a/tls.key.new" \
		-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-out "$a/tls.csr" > "$DIR/logs/openssl.log" 2>&1 || { tail_log "$DIR/logs/openssl.log"; die "openssl req failed"; }
	chmod 600 "$a/tls.key.new"
	$CLI issue --profile tls-server --any-name --csr "$a/tls.csr" --customer "$CUSTOMER" > "$a/tls.leaf" 2>> "$log" \
		|| { tail_log "$log"; die "certmint issue --profile tls-server (Apache's certificate) failed"; }
	# Apache sends the leaf and the issuing CA; clients hold the root.
	{ awk '/BEGIN CERTIFICATE/{p=1} p{print} /END CERTIFICATE/{exit}' "$a/tls.leaf"; echo "$issuing"; } > "$a/tls.crt.new"
	mv "$a/tls.key.new" "$a/tls.key"
	mv "$a/tls.crt.new" "$a/tls.crt"
	rm -f "$a/tls.leaf"
}

up_apache() {
	local a=$DIR/apache log=$DIR/logs/apache-error.log users=""
	[ "$(id -u)" = 0 ] && users="User $WEB_USER
Group $WEB_USER"
	ad_test_conf
	sed -e "s|@STACK@|$DIR|g" -e "s|@REPO@|$ROOT|g" -e "s|@HTTP_PORT@|$HTTP|g" \
		-e "s|@HTTPS_PORT@|$HTTPS|g" -e "s|@KEYTAB@|$DIR/krb5/http.keytab|g" \
		"$ROOT/apache/httpd-stack.conf.in" > "$a/httpd.conf.new" || die "cannot write httpd.conf"
	awk -v u="$users" '{ if ($0 == "@USER_LINES@") print u; else print }' "$a/httpd.conf.new" > "$a/httpd.conf"
	rm -f "$a/httpd.conf.new"
	apache2 -t -f "$a/httpd.conf" > "$DIR/logs/apache-configtest.log" 2>&1 \
		|| { tail_log "$DIR/logs/apache-configtest.log"; die "Apache rejects $a/httpd.conf"; }
	# mod_auth_gssapi needs the private realm (Basic checks passwords at the
	# KDC) and a replay cache its workers may write.
	start apache "$log" env KRB5_CONFIG="$DIR/krb5/krb5.conf" KRB5RCACHEDIR="$a/rcache" \
		KRB5_KTNAME="$DIR/krb5/http.keytab" apache2 -f "$a/httpd.conf" -DFOREGROUND
	wait_for apache "$log" 10 port_answers "$HTTP"
	wait_for apache "$log" 10 port_answers "$HTTPS"
}

# The reloader (what conf/certmint-apache-reload.path + .service do in
# production): once a second it looks at <apache_conf_dir>/.reload, which
# certmint touches after writing a customer's Location file; when its mtime
# moved, it runs Apache's configtest, and when that passes a graceful
# restart (SIGUSR1 to Apache's parent). It writes .reload-status, one line
# "ok <unix time>" or "failed <unix time> <first error line>", which the
# portal shows. A failing configtest leaves Apache running as it was.
up_reloader() {
	start reloader "$DIR/logs/reloader.log" "$ROOT/tests/stack.sh" _reloader "$DIR"
}

run_reloader() {
	DIR=$(cd "$1" && pwd) || exit 1
	local d=$DIR/apache-conf last="" cur
	# A touch while no reloader ran (stack restarts) is acted on at once.
	if [ ! -e "$d/.reload" ] || [ ! "$d/.reload" -nt "$d/.reload-status" ]; then
		last=$(stat -c %.9Y "$d/.reload" 2>/dev/null)
	fi
	while sleep 1; do
		cur=$(stat -c %.9Y "$d/.reload" 2>/dev/null) || continue
		[ "$cur" = "$last" ] && continue
		last=$cur
		reload_apache "$d"
	done
}

# reload_apache CONFDIR: one configtest + graceful restart and its status,
# by the script certmint-apache-reload.service runs in production.
reload_apache() {
	local pid="" st
	pid_alive apache && read -r pid st < "$DIR/pids/apache.pid"
	"$ROOT/conf/certmint-apache-reload" "$1" \
		"KRB5_CONFIG=$(sq "$DIR/krb5/krb5.conf") apache2 -t -f $(sq "$DIR/apache/httpd.conf")" \
		"kill -USR1 $(sq "$pid")"
}

# ---------------------------------------------------------------- --with-ad

# ad_start: both DCs (tests/ad-dc.sh), in the background while the rest of
# the stack starts: provisioning a new one takes ~15 s, starting a
# provisioned one ~1 s.
AD_PIDS=""
ad_start() {
	[ "$WITH_AD" = 1 ] || return 0
	STARTED="$STARTED ad"
	"$ROOT/tests/ad-dc.sh" up "$DIR" 1 "$AD_DOMAIN_1" > "$DIR/logs/ad-1-up.log" 2>&1 &
	AD_PIDS=$!
	"$ROOT/tests/ad-dc.sh" up "$DIR" 2 "$AD_DOMAIN_2" > "$DIR/logs/ad-2-up.log" 2>&1 &
	AD_PIDS="$AD_PIDS $!"
}

# ad_wait: both DCs answer; the stack's krb5.conf then names their realms.
ad_wait() {
	[ "$WITH_AD" = 1 ] || return 0
	local i=0 pid
	for pid in $AD_PIDS; do
		i=$((i + 1))
		wait "$pid" || { tail_log "$DIR/logs/ad-$i-up.log"; tail_log "$DIR/logs/ad-$i.log"; AD_PIDS=""; die "AD DC $i did not start"; }
	done
	AD_PIDS=""
	write_krb5_conf
}

# cli_has COMMAND: the certmint CLI of this build knows COMMAND (realm and
# ad arrive with their own branches).
cli_has() { ! $CLI "$1" --help 2>&1 | grep -q "unknown command"; }

# ad_configure: the second customer and the AD mail domains, Apache's test
# Locations, and (when the CLI has the commands) the realms and AD servers:
# demo serves realm 1 (AD server ad1, SASL GSSAPI bind with the realm's
# keytab), second serves realm 2 (AD server ad2, simple bind over StartTLS).
# Each is added when missing, so a test that removed one gets it back.
ad_configure() {
	[ "$WITH_AD" = 1 ] || return 0
	local log=$DIR/logs/cli.log i cust p n
	mariadb --defaults-file="$DIR/my.cnf" -u root "$DB_NAME" < "$ROOT/tests/ad-stack-data.sql" >> "$log" 2>&1 \
		|| { tail_log "$log"; die "loading tests/ad-stack-data.sql failed"; }
	for i in 1 2; do
		# The HTTP/localhost keys of realm i, for the test Location (ad_test_conf).
		install -o root -g "$WEB_USER" -m 0640 "$DIR/ad-$i/svc.keytab" "$DIR/apache/ad-$i-http.keytab" \
			|| die "cannot copy the keytab of AD realm $i"
	done
	# shellcheck disable=SC1091
	. "$DIR/ad-1/env"
	# shellcheck disable=SC1091
	. "$DIR/ad-2/env"
	(umask 077 && printf '%s' "$CERTMINT_AD2_BIND_PASSWORD" > "$DIR/secrets/ad2-bind.password")
	if cli_has realm; then
		for i in 1 2; do
			cust=$CUSTOMER p=CERTMINT_AD_
			[ "$i" = 2 ] && cust=$SECOND_CUSTOMER p=CERTMINT_AD2_
			local r=${p}REALM d=${p}DOMAIN kt=${p}SVC_KEYTAB
			n=$(mariadb --defaults-file="$DIR/my.cnf" -u root -N -B "$DB_NAME" -e "SELECT COUNT(*) FROM kerberos_realms r
				JOIN customers c ON c.id = r.customer_id WHERE c.uri = '$cust' AND r.live_realm = '${!r}'" 2>> "$log")
			[ "$n" = 0 ] || continue
			$CLI realm add --customer "$cust" --domain "${!d}" --spn "HTTP/localhost@${!r}" --keytab "${!kt}" >> "$log" 2>&1 \
				|| { tail_log "$log"; die "certmint realm add (${!r} for $cust) failed"; }
		done
	else
		say "this build's certmint has no 'realm' command: AD realms not configured for autoenroll"
	fi
	if cli_has ad; then
		for i in 1 2; do
			cust=$CUSTOMER p=CERTMINT_AD_
			[ "$i" = 2 ] && cust=$SECOND_CUSTOMER p=CERTMINT_AD2_
			local d=${p}DOMAIN u=${p}URI b=${p}BASE_DN ub=${p}USERS_BASE_DN ca=${p}CA bdn=${p}BIND_DN
			n=$(mariadb --defaults-file="$DIR/my.cnf" -u root -N -B "$DB_NAME" -e "SELECT COUNT(*) FROM ad_servers s
				JOIN customers c ON c.id = s.customer_id WHERE c.uri = '$cust' AND s.name = 'ad$i'
				AND s.deleted_at IS NULL" 2>> "$log")
			if [ "$n" = 0 ]; then
				if [ "$i" = 1 ]; then
					$CLI ad add --customer "$cust" --name "ad$i" --domain "${!d}" --uris "${!u}" --base-dn "${!b}" \
						--users-base-dn "${!ub}" --ca "${!ca}" --no-starttls --default >> "$log" 2>&1
				else
					$CLI ad add --customer "$cust" --name "ad$i" --domain "${!d}" --uris "${!u}" --base-dn "${!b}" \
						--users-base-dn "${!ub}" --ca "${!ca}" --starttls --simple-bind "${!bdn}" \
						--password-file "$DIR/secrets/ad2-bind.password" --default >> "$log" 2>&1
				fi || { tail_log "$log"; die "certmint ad add (ad$i for $cust) failed"; }
			fi
			# A DC whose address changed (its /30 was taken meanwhile) is
			# found again; the customer's organisations use this server.
			mariadb --defaults-file="$DIR/my.cnf" -u root "$DB_NAME" -e "UPDATE ad_servers s JOIN customers c ON c.id = s.customer_id
				SET s.ldap_uris = '${!u}' WHERE c.uri = '$cust' AND s.name = 'ad$i' AND s.deleted_at IS NULL AND s.ldap_uris <> '${!u}';
				UPDATE organizations o JOIN customers c ON c.id = o.customer_id
				JOIN ad_servers s ON s.customer_id = c.id AND s.name = 'ad$i' AND s.deleted_at IS NULL
				SET o.ad_server_id = s.id WHERE c.uri = '$cust' AND o.ad_server_id IS NULL
				AND o.name IN ('Demo Organisation', 'Second Organisation')" >> "$log" 2>&1 \
				|| die "binding the organisations of $cust to ad$i failed"
		done
	else
		say "this build's certmint has no 'ad' command: AD servers not configured"
	fi
}

# ad_test_conf: with --with-ad, /adtest/N/ (N = 1, 2) accepts tickets of AD
# realm N (the svc account's HTTP/localhost keys) and answers with who
# Apache authenticated in X-Remote-User: tests/integration/36-ad-stack.sh
# checks Apache + AD Kerberos with it, apart from any program. Without
# --with-ad the file is empty.
ad_test_conf() {
	local f=$DIR/apache/ad-test.conf i
	: > "$f.tmp"
	if [ "$WITH_AD" = 1 ]; then
		for i in 1 2; do
			cat >> "$f.tmp" <<EOF
<Location "/adtest/$i/">
	AuthType GSSAPI
	AuthName "certmint AD realm $i test"
	GssapiCredStore "keytab:$DIR/apache/ad-$i-http.keytab"
	GssapiAllowedMech krb5
	GssapiBasicAuth Off
	Require valid-user
	Header always set X-Remote-User "expr=%{REMOTE_USER}"
</Location>
Alias "/adtest/$i/" "$DIR/apache/htdocs/"
EOF
		done
	fi
	mv "$f.tmp" "$f"
}

# ad_env: stack.env lines for the DCs: DIR/ad-N/env (CERTMINT_AD_* and
# CERTMINT_AD2_*), the realm-2 names also as CERTMINT_AD_*_2, and the
# autoenroll URLs of both customers.
ad_env() {
	[ "$WITH_AD" = 1 ] || return 0
	grep '^export ' "$DIR/ad-1/env"
	grep '^export ' "$DIR/ad-2/env"
	sed -n 's/^export CERTMINT_AD2_\([A-Z0-9_]*\)=/export CERTMINT_AD_\1_2=/p' "$DIR/ad-2/env"
	echo "export CERTMINT_AD_SERVER_NAME=ad1"
	echo "export CERTMINT_AD2_SERVER_NAME=ad2"
	echo "export CERTMINT_AD_SERVER_NAME_2=ad2"
	echo "export CERTMINT_AD_BIND_METHOD=gssapi"
	echo "export CERTMINT_AD2_BIND_METHOD=simple"
	echo "export CERTMINT_AD_BIND_METHOD_2=simple"
	echo "export CERTMINT_AD_CUSTOMER=$CUSTOMER"
	echo "export CERTMINT_AD2_CUSTOMER=$SECOND_CUSTOMER"
	echo "export CERTMINT_AD_CUSTOMER_2=$SECOND_CUSTOMER"
	echo "export CERTMINT_SECOND_CUSTOMER=$SECOND_CUSTOMER"
	echo "export CERTMINT_AUTOENROLL_URL_2=http://localhost:$HTTP/customer/$SECOND_CUSTOMER/autoenroll"
	echo "export CERTMINT_AUTOENROLL_HTTPS_URL_2=https://localhost:$HTTPS/customer/$SECOND_CUSTOMER/autoenroll"
}

# password NAME: the Kerberos password of principal NAME; empty in a --pages
# stack, which has no KDC (the page tests pass REMOTE_USER instead).
password() { cat "$DIR/secrets/$1.password" 2>/dev/null; }

# autoenroll_client: the Linux auto-enrollment client of this tree (it
# arrives with its own branch; empty while there is none).
autoenroll_client() {
	local f
	for f in "$ROOT"/clients/linux/certmint-autoenroll "$ROOT"/clients/linux/certmint-autoenroll.sh \
		"$ROOT"/clients/certmint-autoenroll.sh "$ROOT"/clients/linux/autoenroll.sh; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	echo ""
}

write_env() {
	local f=$DIR/stack.env.tmp
	{
		echo "# certmint private stack in $DIR, written by tests/stack.sh up; source it."
		for kv in \
			"CERTMINT_STACK_DIR=$DIR" \
			"CERTMINT_BUILD=$BUILD" \
			"CERTMINT_URL=http://localhost:$HTTP" \
			"CERTMINT_HTTPS_URL=https://localhost:$HTTPS" \
			"CERTMINT_HTTP_PORT=$HTTP" \
			"CERTMINT_HTTPS_PORT=$HTTPS" \
			"CERTMINT_KDC_PORT=$KDC" \
			"CERTMINT_CUSTOMER=$CUSTOMER" \
			"CERTMINT_CA_PEM=$DIR/ca-chain.pem" \
			"KRB5_CONFIG=$DIR/krb5/krb5.conf" \
			"KRB5_KDC_PROFILE=$DIR/krb5/kdc.conf" \
			"CERTMINT_KEYTAB=$DIR/krb5/http.keytab" \
			"CERTMINT_REALM=$REALM" \
			"CERTMINT_ADMIN_PRINCIPAL=$ADMIN_PRINC" \
			"CERTMINT_ADMIN_PASSWORD=$(password alice)" \
			"CERTMINT_USER_PRINCIPAL=$USER_PRINC" \
			"CERTMINT_USER_PASSWORD=$(password bob)" \
			"CERTMINT_RAO_A_PRINCIPAL=carol@$REALM" \
			"CERTMINT_RAO_A_PASSWORD=$(password carol)" \
			"CERTMINT_RAO_B_PRINCIPAL=dave@$REALM" \
			"CERTMINT_RAO_B_PASSWORD=$(password dave)" \
			"CERTMINT_DRAO_PRINCIPAL=erin@$REALM" \
			"CERTMINT_DRAO_PASSWORD=$(password erin)" \
			"CERTMINT_RAO_SSL_PRINCIPAL=frank@$REALM" \
			"CERTMINT_RAO_SSL_PASSWORD=$(password frank)" \
			"CERTMINT_SPARE_PRINCIPAL=$SPARE_PRINC@$REALM" \
			"CERTMINT_SPARE_PASSWORD=$(password "$SPARE_PRINC")" \
			"CERTMINT_DB_SOCKET=$DIR/run/mariadb.sock" \
			"CERTMINT_DB_NAME=$DB_NAME" \
			"CERTMINT_DB_USER=$DB_USER" \
			"CERTMINT_DB_PASSWORD=$(cat "$DIR/db.password")" \
			"CERTMINT_DB_DEFAULTS=$DIR/my.cnf" \
			"CERTMINT_DB_MIGRATE_USER=$DB_MIGRATE_USER" \
			"CERTMINT_DB_MIGRATE_PASSWORD=$(cat "$DIR/secrets/migrate.password")" \
			"CERTMINT_MIGRATE_CONF=$DIR/migrate.conf" \
			"CERTMINT_WEB_USER=$WEB_USER" \
			"CERTMINT_ADMIN_FCGI_USER=$ADMIN_USER" \
			"CERTMINT_OCSP_FCGI_USER=$OCSP_USER" \
			"CERTMINT_OCSP_SOCKET=$DIR/run/ocsp.sock" \
			"CERTMINT_SCEP_FCGI_USER=$SCEP_USER" \
			"CERTMINT_SCEP_SOCKET=$DIR/run/scep.sock" \
			"CERTMINT_SCEP_URL=http://localhost:$HTTP/customer/$CUSTOMER/scep/smime/pkiclient.exe" \
			"CERTMINT_SCEP_DEVICE_URL=http://localhost:$HTTP/customer/$CUSTOMER/scep/device/pkiclient.exe" \
			"CERTMINT_AUTOENROLL_FCGI_USER=$AUTOENROLL_USER" \
			"CERTMINT_AUTOENROLL_SOCKET=$DIR/run/autoenroll.sock" \
			"CERTMINT_AUTOENROLL_URL=http://localhost:$HTTP/customer/$CUSTOMER/autoenroll" \
			"CERTMINT_AUTOENROLL_HTTPS_URL=https://localhost:$HTTPS/customer/$CUSTOMER/autoenroll" \
			"CERTMINT_AUTOENROLL_CLIENT=$(autoenroll_client)" \
			"CERTMINT_KEYTAB_DIR=$DIR/keytabs" \
			"CERTMINT_APACHE_CONF_DIR=$DIR/apache-conf" \
			"CERTMINT_KEYTAB_GROUP=$KEYTAB_GROUP" \
			"CERTMINT_LDAP_BIND_KEY=$DIR/ldap-bind.key" \
			"CERTMINT_WITH_AD=$WITH_AD" \
			"CERTMINT_ACCESS_CODE=$(cat "$DIR/secrets/access-code-demo" 2>/dev/null)" \
			"CERTMINT_ACCESS_CODE_MANUAL=$(cat "$DIR/secrets/access-code-manual" 2>/dev/null)" \
			"CERTMINT_EMAIL_DOMAIN=demo.test" \
			"CERTMINT_EMAIL_DOMAIN_MANUAL=manual.demo.test" \
			"CERTMINT_CONF_GROUP=$CONF_GROUP" \
			"CERTMINT_SIGNER_CLIENTS_GROUP=$SIGNER_CLIENTS" \
			"CERTMINT_SIGNER_SOCKET=$DIR/run/signer.sock" \
			"CERTMINT_CONF=$DIR/certmint.conf" \
			"CERTMINT_SIGNER_CONF=$DIR/signerd.conf" \
			"CERTMINT_VAULT=$DIR/vault" \
			"CERTMINT_JOURNAL=$DIR/journal/issued.log" \
			"CERTMINT_ADMIN_SOCKET=$DIR/run/admin.sock" \
			"CERTMINT_LOG_DIR=$DIR/logs" \
			"CERTMINT_MAILDIR=$DIR/maildir" \
			"CERTMINT_SMTP_PORT=$SMTP" \
			"CERTMINT_CLI=$CLI"; do
			echo "export ${kv%%=*}=$(sq "${kv#*=}")"
		done
		ad_env
	} > "$f"
	chmod 600 "$f"
	mv "$f" "$DIR/stack.env"
}

# clear_dead: for every service that no longer runs, stops what is left of
# it (orphaned workers still holding its ports and sockets), before ports
# are picked and anything starts.
clear_dead() {
	local name
	for name in $SERVICES; do
		[ -f "$DIR/pids/$name.pid" ] && ! pid_alive "$name" && stop "$name" > /dev/null
	done
	return 0
}

STARTED=""
up_failed() {
	local rc=$? name
	[ "$rc" -eq 0 ] && return
	say "up failed; stopping what it started:${STARTED:- nothing}"
	# DCs still being started first, then the DCs themselves.
	[ -n "$AD_PIDS" ] && { kill $AD_PIDS 2> /dev/null; wait $AD_PIDS 2> /dev/null; }
	for name in $STARTED; do
		if [ "$name" = ad ]; then
			"$ROOT/tests/ad-dc.sh" down "$DIR" > /dev/null 2>&1
		else
			stop "$name" > /dev/null 2>&1
		fi
	done
	exit "$rc"
}

# begin_up DIR TOOLS PROGRAMS: the first steps of both kinds of "up": the
# system TOOLS and built PROGRAMS exist, DIR is settled, what is left of
# dead services is stopped (services that still run are kept: start() skips
# them, so "up" brings back just what is down), a failure from here on stops
# what this run started, then users, directories and ports.
begin_up() {
	local b
	for b in $2; do
		command -v "$b" > /dev/null || die "$b not found; run tests/deps.sh"
	done
	for b in $3; do
		need_bin "$BUILD/$b"
	done
	DIR=$(mkdir -p "$1" && cd "$1" && pwd) || die "cannot create $1"
	rm -f "$DIR/stack.env"
	clear_dead
	trap up_failed EXIT
	trap 'exit 130' INT TERM HUP
	ensure_users
	setup_dirs
	pick_ports
}

# cmd_up DIR [--pages|--with-ad|--without-ad]
WITH_AD=0
cmd_up() {
	local t0=$SECONDS name pages=0
	[ "${2:-}" = --pages ] && pages=1
	[ "$(id -u)" = 0 ] || die "run as root: the stack creates the $SIGNER_USER and $ADMIN_USER users and runs services as $WEB_USER, $ADMIN_USER and $SIGNER_USER"
	if [ "$pages" = 1 ]; then
		cmd_up_pages "$1"
		return
	fi
	# --with-ad is remembered in DIR (the DCs keep their domains there).
	mkdir -p "$1" || die "cannot create $1"
	case ${2:-} in
	--with-ad) touch "$1/.with-ad" ;;
	--without-ad) rm -f "$1/.with-ad"; "$ROOT/tests/ad-dc.sh" down "$1" > /dev/null ;;
	esac
	[ -f "$1/.with-ad" ] && WITH_AD=1
	begin_up "$1" "mariadbd mariadb-install-db krb5kdc kdb5_util kadmin.local apache2 openssl ss setsid" \
		"signer/certmint-signerd tools/certmint cgi/admin/admin.fcgi cgi/ocsp/ocsp.fcgi cgi/scep/scep.fcgi tests/tools/access-code-hash"
	ad_start
	up_mariadb
	up_kdc
	up_signerd
	up_smtp
	write_certmint_conf
	init_certmint
	ad_wait
	ad_configure
	up_admin
	up_ocsp
	up_scep
	up_autoenroll
	tls_cert
	up_apache
	up_reloader
	write_env
	trap - EXIT INT TERM HUP
	cat <<EOF
certmint stack up in $DIR ($((SECONDS - t0)) s)
  http:     http://localhost:$HTTP/admin/   (Kerberos Negotiate)
  https:    https://localhost:$HTTPS/admin/  (Negotiate, or Kerberos user name + password)
  realm:    $REALM, KDC 127.0.0.1:$KDC, KRB5_CONFIG=$DIR/krb5/krb5.conf
  admin:    $ADMIN_PRINC (MRAO)   user: $USER_PRINC (not an administrator)
  scoped:   carol (RAO Demo Organisation), dave (RAO Other Organisation),
            erin (DRAO Demo Organisation/Engineering), frank (RAO Demo Organisation, SSL only)
  spare:    $SPARE_PRINC (in the KDC, no administrator row until a test adds one)
  SCEP:     http://localhost:$HTTP/customer/$CUSTOMER/scep/smime/pkiclient.exe
            devices: http://localhost:$HTTP/customer/$CUSTOMER/scep/device/pkiclient.exe (CN: a name under demo.test)
            challenge (Demo Organisation, automatic): $(cat "$DIR/secrets/access-code-demo")
            challenge (Manual Organisation, approved by hand): $(cat "$DIR/secrets/access-code-manual")
  autoenroll: http://localhost:$HTTP/customer/$CUSTOMER/autoenroll ($( [ -x "$BUILD/cgi/autoenroll/autoenroll.fcgi" ] && echo running || echo "not built"))
  CA chain: $DIR/ca-chain.pem
  logs:     $DIR/logs/
  env:      . $DIR/stack.env
EOF
	if [ "$WITH_AD" = 1 ]; then
		cat <<EOF
  AD:       $(sed -n "s/^export CERTMINT_AD_REALM='\(.*\)'/\1/p" "$DIR/ad-1/env") (DC $(sed -n "s/^export CERTMINT_AD_DC_IP='\(.*\)'/\1/p" "$DIR/ad-1/env"), customer $CUSTOMER),
            $(sed -n "s/^export CERTMINT_AD2_REALM='\(.*\)'/\1/p" "$DIR/ad-2/env") (DC $(sed -n "s/^export CERTMINT_AD2_DC_IP='\(.*\)'/\1/p" "$DIR/ad-2/env"), customer $SECOND_CUSTOMER);
            users alice, bob, carol (no mail), dave (disabled): CERTMINT_AD_* in stack.env
EOF
	fi
}

# cmd_up_pages DIR: MariaDB and signerd with certmint's schema, CA, demo data
# and administrators, as "up" makes them, and stack.env; no KDC, admin.fcgi or
# Apache (the page tests run the program on a socket themselves).
cmd_up_pages() {
	local t0=$SECONDS name
	begin_up "$1" "mariadbd mariadb-install-db openssl ss setsid" "signer/certmint-signerd tools/certmint"
	up_mariadb
	up_signerd
	up_smtp
	write_certmint_conf
	init_certmint
	# The certificate the full stack issues for Apache, so that both hold the same rows.
	tls_cert
	write_env
	trap - EXIT INT TERM HUP
	echo "certmint page stack (MariaDB, signerd) up in $DIR ($((SECONDS - t0)) s); env: . $DIR/stack.env"
}

# ---------------------------------------------------------------- down

# stop NAME: TERM to the recorded PID, then to what is left of the process
# group it leads (setsid made it a group of its own: its workers), KILL
# after a grace period. Nothing else is ever signalled.
stop() {
	local name=$1 f=$DIR/pids/$1.pid pid st i
	[ -f "$f" ] || return 0
	read -r pid st < "$f"
	if pid_alive "$name"; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 150); do
			[ "$(proc_start "$pid")" = "$st" ] || break
			sleep 0.1
		done
		if [ "$(proc_start "$pid")" = "$st" ]; then
			say "$name ($pid) ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	# Leftover workers of the group we created (a group id stays unused
	# while any member lives, so these can only be ours).
	if [ -n "$(group_live "$pid")" ]; then
		kill -TERM -- "-$pid" 2>/dev/null
		for i in $(seq 50); do
			[ -z "$(group_live "$pid")" ] && break
			sleep 0.1
		done
		[ -n "$(group_live "$pid")" ] && kill -KILL -- "-$pid" 2>/dev/null
	fi
	rm -f "$f"
	echo "stopped $name ($pid)"
}

# group_live PGID: the live (non-zombie) members of a process group.
group_live() {
	local p
	for p in $(pgrep -g "$1" 2>/dev/null); do
		[ -n "$(proc_start "$p")" ] && echo "$p"
	done
}

cmd_down() {
	local name list=""
	DIR=$(cd "$1" 2>/dev/null && pwd) || { echo "nothing to stop in $1"; return 0; }
	[ -d "$DIR/pids" ] || { echo "nothing to stop in $DIR"; return 0; }
	for name in $SERVICES; do list="$name $list"; done
	for name in $list; do stop "$name"; done
	# The AD DCs (--with-ad): their processes, namespaces and veth pairs.
	"$ROOT/tests/ad-dc.sh" down "$DIR"
	rm -f "$DIR/stack.env" "$DIR"/run/*.sock
	return 0
}

cmd_status() {
	local name rc=0
	DIR=$(cd "$1" && pwd) || die "no stack in $1"
	for name in $SERVICES; do
		local pid="" st="" left=""
		[ -f "$DIR/pids/$name.pid" ] && read -r pid st < "$DIR/pids/$name.pid"
		if pid_alive "$name"; then
			echo "$name: running (pid $pid)"
		elif [ "$name" = autoenroll ] && [ -z "$pid" ] && [ ! -x "$BUILD/cgi/autoenroll/autoenroll.fcgi" ]; then
			# Not in this build (up_autoenroll): nothing is missing.
			echo "$name: not built"
		else
			# A dead leader whose workers live on (Apache's children after
			# the parent was killed) still holds ports: say so.
			[ -n "$pid" ] && left=$(group_live "$pid" | tr '\n' ' ')
			if [ -n "$left" ]; then
				echo "$name: stopped, but orphaned processes remain (${left% }); run: $0 down $DIR, or $0 up $DIR"
			else
				echo "$name: stopped"
			fi
			rc=1
		fi
	done
	if [ -f "$DIR/.with-ad" ]; then
		for name in 1 2; do
			if "$ROOT/tests/ad-dc.sh" status "$DIR" "$name"; then
				echo "ad-$name: running"
			else
				echo "ad-$name: stopped"
				rc=1
			fi
		done
	fi
	return $rc
}

[ $# -eq 2 ] || { [ $# -eq 3 ] && [ "$1" = up ] && [[ $3 =~ ^--(pages|with-ad|without-ad)$ ]]; } \
	|| { echo "usage: $0 up|down|status DIR, or $0 up DIR --pages|--with-ad|--without-ad" >&2; exit 2; }
case $1 in
up) cmd_up "$2" "${3:-}" ;;
_reloader) run_reloader "$2" ;;
down) cmd_down "$2" ;;
status) cmd_status "$2" ;;
*) echo "usage: $0 up|down|status DIR" >&2; exit 2 ;;
esac
