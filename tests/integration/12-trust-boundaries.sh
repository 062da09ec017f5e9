#!/bin/bash
# 12-trust-boundaries.sh: one uid per program and least-privilege database accounts (issue 8): admin.fcgi runs as
# certmint-admin (ocsp.fcgi as certmint-ocsp, which signerd lets sign OCSP responses only; scep.fcgi as certmint-scep,
# which it lets use the SCEP RA key and issue client certificates only; autoenroll.fcgi as certmint-autoenroll,
# client certificates only) behind a socket only Apache
# and it can open; Apache's www-data cannot reach signerd; the programs'
# database account has DML only (no DDL, no GRANT, audit_log append-only); certmint migrate alone changes the schema
# and re-grants; the credentials files are readable only by the uids that need them.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
set -u
export KRB5_CONFIG
URL=$CERTMINT_URL/admin
S=$CERTMINT_STACK_DIR
T=$(mktemp -d /tmp/cm-12-trust.XXXXXX)
chmod 755 "$T"
ADMIN_UID_NAME=${CERTMINT_ADMIN_FCGI_USER:-certmint-admin}
OCSP_UID_NAME=${CERTMINT_OCSP_FCGI_USER:-certmint-ocsp}
SCEP_UID_NAME=${CERTMINT_SCEP_FCGI_USER:-certmint-scep}
CONF_GROUP=${CERTMINT_CONF_GROUP:-certmint}
MIGRATE_CONF=${CERTMINT_MIGRATE_CONF:-$S/migrate.conf}
WEB=${CERTMINT_WEB_USER:-www-data}
FCGI_CALL=$CERTMINT_BUILD/tests/tools/fcgi-call
PROBE=$CERTMINT_BUILD/tests/tools/signer-probe
root_sql() { mariadb --defaults-file="$CERTMINT_DB_DEFAULTS" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"; }
second=""
cleanup() {
	[ -n "$second" ] && kill "$second" 2>/dev/null
	# Its grant goes with it, so no later table of that name inherits it.
	root_sql "REVOKE ALL PRIVILEGES ON \`$CERTMINT_DB_NAME\`.trust12_scratch FROM '$CERTMINT_DB_USER'@'localhost'" 2>/dev/null
	root_sql "DROP TABLE IF EXISTS trust12_scratch, trust12_new" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# as USER CMD...: CMD under USER's uid, its own group and the supplementary groups /etc/group gives it.
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
# app_sql QUERY: the programs' own account, as certmint.conf gives it to them.
app_sql() {
	MYSQL_PWD="$CERTMINT_DB_PASSWORD" mariadb --no-defaults --socket="$CERTMINT_DB_SOCKET" \
		-u "$CERTMINT_DB_USER" -N -B "$CERTMINT_DB_NAME" -e "$1" 2>&1
}
pid_of() { cut -d' ' -f1 "$S/pids/$1.pid" 2>/dev/null; }
uid_of_proc() { awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$1/status"; }

# Checks every FastCGI program gets, one function each, called per program below.
# own_uid USER OTHER...: USER exists, with a uid that is none of the OTHERs' ("label:uid"), outside Apache's
# group; sets puid to its uid.
own_uid() {
	local user=$1 o names="" same=0
	shift
	check "the program user $user exists" id "$user"
	puid=$(id -u "$user" 2>/dev/null)
	for o in "$@"; do
		names="$names${names:+, }${o%%:*}'s"
		[ "$puid" = "${o#*:}" ] && same=1
	done
	expect_eq "... and is none of these uids: $names" "$same" 0
	check_not "... nor in Apache's group" sh -c "id -nG '$user' | tr ' ' '\n' | grep -qx '$(id -gn "$WEB")'"
}
# runs_as PROGRAM PIDNAME USER UID: the program's parent and every worker run as UID (real, effective, saved, fs).
runs_as() {
	local prog=$1 pid w bad=0 n=0
	pid=$(pid_of "$2")
	expect_eq "$prog's parent runs as $3 (real, effective, saved, fs uid)" "$(uid_of_proc "$pid")" "$4 $4 $4 $4"
	for w in $(pgrep -P "$pid"); do
		n=$((n + 1))
		[ "$(uid_of_proc "$w")" = "$4 $4 $4 $4" ] || bad=$((bad + 1))
	done
	check "$prog has workers ($n)" test "$n" -gt 0
	expect_eq "every worker runs as $3" "$bad" 0
}
# socket_mode SOCKET USER: owner USER, group Apache's, mode 0660.
socket_mode() {
	expect_eq "$(basename "$1"): owner $2, group Apache's, mode 0660" \
		"$(stat -c '%U %G %a' "$1")" "$2 $(id -gn "$WEB") 660"
}
# nobody_refused MESSAGE SOCKET FCGI-CALL-ARGS...: a uid neither Apache's nor the program's cannot connect;
# what it got stays in out.
nobody_refused() {
	local msg=$1 sock=$2
	shift 2
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$FCGI_CALL" -s "$sock" -o /dev/null "$@" 2>&1)
	expect_match "$msg" "$out" 'Permission denied'
}
# web_served MESSAGE CODE SOCKET FCGI-CALL-ARGS...: Apache's uid (the trusted front) gets HTTP CODE.
web_served() {
	local msg=$1 want=$2 sock=$3
	shift 3
	expect_eq "$msg" "$(setpriv --reuid="$WEB" --regid="$WEB" --init-groups "$FCGI_CALL" -s "$sock" -o /dev/null "$@" 2>&1)" \
		"$want"
}
# grants USER OPS MESSAGE: signerd.conf's [access] line of USER is exactly OPS.
grants() { check "$3" grep -qx "$1 = $2" "$CERTMINT_SIGNER_CONF"; }
# signer_says MESSAGE USER REGEX PROBE-ARGS...: signer-probe run as USER answers REGEX.
signer_says() {
	local msg=$1 user=$2 re=$3
	shift 3
	expect_match "$msg" "$(as "$user" "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" "$@" 2>&1)" "$re"
}
# signer_chain MESSAGE USER yes|no: whether signerd gives USER the CA chain.
signer_chain() {
	if [ "$3" = yes ]; then
		check "$1" grep -q 'BEGIN CERTIFICATE' <<< "$(as "$2" "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" chain 2>&1)"
	else
		check_not "$1" grep -q 'BEGIN CERTIFICATE' <<< "$(as "$2" "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" chain 2>&1)"
	fi
}
wuid=$(id -u "$WEB")

# ---- admin.fcgi: its own uid, a socket only Apache and it can open
own_uid "$ADMIN_UID_NAME" "Apache:$wuid"
auid=$puid
runs_as admin.fcgi admin "$ADMIN_UID_NAME" "$auid"
socket_mode "$CERTMINT_ADMIN_SOCKET" "$ADMIN_UID_NAME"
# A forged REMOTE_USER from a uid that is neither Apache's nor the program's cannot even connect.
nobody_refused "nobody with a forged REMOTE_USER cannot connect to admin.sock" "$CERTMINT_ADMIN_SOCKET" \
	-U "$CERTMINT_ADMIN_PRINCIPAL" /admin/
check_not "... and got no page" grep -q '^200' <<< "$out"
web_served "as $WEB (Apache) the socket serves alice" 200 "$CERTMINT_ADMIN_SOCKET" -U "$CERTMINT_ADMIN_PRINCIPAL" /admin/

# -u of a user whose group is the socket's (how www-data:www-data looks) is refused at start.
timeout 10 "$CERTMINT_BUILD/cgi/admin/admin.fcgi" -c "$CERTMINT_CONF" -s "$T/www.sock" -n 1 -u "$WEB" \
	-g "$(id -gn "$WEB")" \
	> "$T/www.log" 2>&1
expect_eq "admin.fcgi refuses to run as Apache's user" "$?" 1
check "... saying why" grep -q "run the program as a user of its own" "$T/www.log"
check_not "... before opening a socket" test -S "$T/www.sock"

# ---- ocsp.fcgi (issue 9): its own uid too, and a socket only Apache and it can open
own_uid "$OCSP_UID_NAME" "Apache:$wuid" "admin.fcgi:$auid"
ouid=$puid
runs_as ocsp.fcgi ocsp "$OCSP_UID_NAME" "$ouid"
socket_mode "$CERTMINT_OCSP_SOCKET" "$OCSP_UID_NAME"
nobody_refused "nobody cannot connect to ocsp.sock" "$CERTMINT_OCSP_SOCKET" /ocsp
printf 'garbage' > "$T/garbage.req"
chmod 644 "$T/garbage.req"
web_served "as $WEB (Apache) the socket answers (malformedRequest, HTTP 200)" 200 "$CERTMINT_OCSP_SOCKET" -m POST \
	-b "$T/garbage.req" -T application/ocsp-request /ocsp

# ---- scep.fcgi (issue 10): its own uid too, and a socket only Apache and it can open
own_uid "$SCEP_UID_NAME" "Apache:$wuid" "admin.fcgi:$auid" "ocsp.fcgi:$ouid"
suid=$puid
runs_as scep.fcgi scep "$SCEP_UID_NAME" "$suid"
socket_mode "$CERTMINT_SCEP_SOCKET" "$SCEP_UID_NAME"
caps="/customer/$CERTMINT_CUSTOMER/scep/smime/pkiclient.exe?operation=GetCACaps"
nobody_refused "nobody cannot connect to scep.sock" "$CERTMINT_SCEP_SOCKET" "$caps"
web_served "as $WEB (Apache) the socket answers (GetCACaps, HTTP 200)" 200 "$CERTMINT_SCEP_SOCKET" "$caps"

# ---- signerd: Apache's uid has no access; the program's uid issues what [access] grants it
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/google.csr" \
	-subj "/CN=www.google.com" -addext "subjectAltName=DNS:www.google.com" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/ok.csr" \
	-subj "/CN=trust12-$$.demo.test" -addext "subjectAltName=DNS:trust12-$$.demo.test" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/cli.csr" \
	-subj "/CN=trust12-cli-$$.demo.test" -addext "subjectAltName=DNS:trust12-cli-$$.demo.test" 2>/dev/null
chmod 644 "$T"/*.csr
before=$(wc -l < "$CERTMINT_JOURNAL")
out=$(setpriv --reuid="$WEB" --regid="$WEB" --init-groups "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" \
	issue -p tls-server -r "$T/google.csr" 2>&1)
expect_match "a raw issue frame from $WEB cannot reach signerd" "$out" 'ERROR: .*Permission denied|^DROPPED'
check_not "... and gets no certificate" grep -q '^OK' <<< "$out"
out=$(setpriv --reuid="$WEB" --regid="$WEB" --init-groups "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" chain 2>&1)
check_not "$WEB cannot read the CA chain from signerd either" grep -q 'BEGIN CERTIFICATE' <<< "$out"
expect_eq "the journal holds no new certificate" "$(wc -l < "$CERTMINT_JOURNAL")" "$before"
check_not "signerd.conf's [access] names $WEB" grep -Eq "^[[:space:]]*$WEB[[:space:]]*=" "$CERTMINT_SIGNER_CONF"
# (The admin line is matched as a prefix: it may grant more than issuance.)
expect_match "signerd.conf grants $ADMIN_UID_NAME the admin profiles" "$(cat "$CERTMINT_SIGNER_CONF")" \
	"$ADMIN_UID_NAME = ca-chain issue:tls-server,client-smime,code-signing"
check_not "$WEB is not in the signer socket's group" \
	sh -c "id -nG '$WEB' | tr ' ' '\n' | grep -qx '$(stat -c %G "$CERTMINT_SIGNER_SOCKET")'"
signer_says "as $ADMIN_UID_NAME a tls-server issue is served" "$ADMIN_UID_NAME" '^OK serial=[0-9a-f]{32}$' \
	issue -p tls-server -r "$T/ok.csr"
signer_says "... but not a profile [access] does not grant it" "$ADMIN_UID_NAME" \
	'^REFUSED: profile ocsp-signing not allowed' issue -p ocsp-signing -r "$T/ok.csr"
grants "$OCSP_UID_NAME" "ocsp-sign" "signerd.conf grants $OCSP_UID_NAME ocsp-sign and nothing else"
signer_says "as $OCSP_UID_NAME an issue is refused" "$OCSP_UID_NAME" '^REFUSED: operation issue not allowed' \
	issue -p tls-server -r "$T/ok.csr"
signer_chain "... and so is the CA chain" "$OCSP_UID_NAME" no
grants "$SCEP_UID_NAME" "ca-chain scep-decrypt scep-certrep issue:client-smime,client-device audit-checkpoint" \
	"signerd.conf grants $SCEP_UID_NAME the RA key's operations and client certificates only"
signer_says "as $SCEP_UID_NAME a tls-server issue is refused" "$SCEP_UID_NAME" '^REFUSED: profile tls-server not allowed' \
	issue -p tls-server -r "$T/ok.csr"
signer_chain "... the CA chain (GetCACert) is served" "$SCEP_UID_NAME" yes

# ---- autoenroll.fcgi (issue 11): its own uid, a socket only Apache and it can open, client certificates only
AE_UID_NAME=${CERTMINT_AUTOENROLL_FCGI_USER:-certmint-autoenroll}
AE_SOCK=${CERTMINT_AUTOENROLL_SOCKET:-$CERTMINT_STACK/run/autoenroll.sock}
if [ -S "$AE_SOCK" ]; then
	own_uid "$AE_UID_NAME" "Apache:$wuid" "admin.fcgi:$auid" "ocsp.fcgi:$ouid" "scep.fcgi:$suid"
	runs_as autoenroll.fcgi autoenroll "$AE_UID_NAME" "$puid"
	socket_mode "$AE_SOCK" "$AE_UID_NAME"
	ae="/customer/$CERTMINT_CUSTOMER/autoenroll"
	nobody_refused "nobody cannot connect to autoenroll.sock" "$AE_SOCK" -m POST -d action=status "$ae"
	web_served "as $WEB (Apache) the socket answers (no REMOTE_USER: 27, HTTP 401)" 401 "$AE_SOCK" \
		-m POST -d action=status "$ae"
	grants "$AE_UID_NAME" "ca-chain issue:client-smime audit-checkpoint" \
		"signerd.conf grants $AE_UID_NAME client certificates and the chain only"
	signer_says "as $AE_UID_NAME a tls-server issue is refused" "$AE_UID_NAME" '^REFUSED: profile tls-server not allowed' \
		issue -p tls-server -r "$T/ok.csr"
	signer_says "... and so is code-signing" "$AE_UID_NAME" '^REFUSED: profile code-signing not allowed' \
		issue -p code-signing -r "$T/ok.csr"
	signer_says "... and so is the SCEP RA key" "$AE_UID_NAME" 'REFUSED|DROPPED' raw-op scep-decrypt
else
	ok "# skip autoenroll.fcgi is not running in this stack"
fi

# ---- the programs' database account: DML only
root_sql "CREATE TABLE trust12_scratch (id INT PRIMARY KEY, v INT) ENGINE=InnoDB"
out=$($CERTMINT_CLI migrate 2>&1)
expect_eq "certmint migrate (the migration account) works" "$?" 0
expect_match "... and re-grants the programs' account" "$out" \
	"grants: $CERTMINT_DB_USER@localhost may read and write [0-9]+ tables"
check "a table added since is usable by the programs' account at once" \
	sh -c "MYSQL_PWD='$CERTMINT_DB_PASSWORD' mariadb --no-defaults --socket='$CERTMINT_DB_SOCKET' -u '$CERTMINT_DB_USER' \
		'$CERTMINT_DB_NAME' -e 'INSERT INTO trust12_scratch VALUES (1, 1); SELECT v FROM trust12_scratch'"
expect_match "CREATE TABLE is refused to the programs' account" "$(app_sql "CREATE TABLE trust12_new (i INT)")" \
	'CREATE command denied'
expect_match "DROP TABLE is refused" "$(app_sql "DROP TABLE trust12_scratch")" 'DROP command denied'
expect_match "ALTER TABLE is refused" "$(app_sql "ALTER TABLE trust12_scratch ADD COLUMN w INT")" 'ALTER command denied'
expect_match "CREATE TRIGGER is refused" \
	"$(app_sql "CREATE TRIGGER trust12_t BEFORE INSERT ON trust12_scratch FOR EACH ROW SET NEW.v = 2")" \
	'TRIGGER command denied'
expect_match "GRANT is refused" "$(app_sql "GRANT SELECT ON trust12_scratch TO '${CERTMINT_DB_MIGRATE_USER:-root}'@'localhost'")" \
	'GRANT command denied|denied to user'
expect_match "DELETE FROM audit_log is refused" "$(app_sql "DELETE FROM audit_log WHERE id = -1")" 'DELETE command denied'
expect_match "UPDATE audit_log is refused" "$(app_sql "UPDATE audit_log SET actor = actor WHERE id = -1")" \
	'UPDATE command denied'
# (Statements that change nothing even where they are allowed: the old setup's stack stays intact.)
expect_match "audit_head cannot get a second row" "$(app_sql "INSERT INTO audit_head SELECT * FROM audit_head WHERE 0")" \
	'INSERT command denied'
expect_match "schema_migrations is read-only to it" "$(app_sql "DELETE FROM schema_migrations WHERE version = -1")" \
	'DELETE command denied'
expect_match "it reads the audit log" "$(app_sql "SELECT COUNT(*) FROM audit_log")" '^[0-9]+$'
grants=$(root_sql "SHOW GRANTS FOR '$CERTMINT_DB_USER'@'localhost'")
check_not "it holds nothing database-wide" grep -q "ON \`$CERTMINT_DB_NAME\`\.\*" <<< "$grants"

# A privilege taken away by hand comes back with the next certmint migrate.
root_sql "REVOKE INSERT ON $CERTMINT_DB_NAME.sessions FROM '$CERTMINT_DB_USER'@'localhost'"
$CERTMINT_CLI migrate > /dev/null 2>&1
expect_match "certmint migrate restores the programs' privileges" \
	"$(root_sql "SHOW GRANTS FOR '$CERTMINT_DB_USER'@'localhost'" | grep '`sessions`')" 'SELECT, INSERT, UPDATE, DELETE'

# Normal work goes on with these privileges: pages, an issuance (certificates, triggers, audit_log, audit_head).
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
expect_eq "alice's home page" "$(req_as alice /)" 200
expect_eq "the certificate list" "$(req_as alice /certificates)" 200
audits=$(sql "SELECT COUNT(*) FROM audit_log")
check "certmint issue (the programs' account) stores a certificate" \
	sh -c "$CERTMINT_CLI issue --profile tls-server --any-name --csr '$T/cli.csr' --customer '$CERTMINT_CUSTOMER' > /dev/null"
[ "$(sql "SELECT COUNT(*) FROM audit_log")" -gt "$audits" ] && ok "... with its audit row" || fail "... with its audit row"
expect_eq "... kept by the triggers (its names)" \
	"$(sql "SELECT COUNT(*) FROM certificate_names WHERE name = 'trust12-cli-$$.demo.test'")" 1
expect_eq "the audit chain is intact" "$($CERTMINT_CLI audit verify 2>&1 | cut -d' ' -f1-3)" "audit chain intact"

# ---- credentials: who can read what
expect_eq "certmint.conf: root, group $CONF_GROUP, 0640" "$(stat -c '%U %G %a' "$CERTMINT_CONF")" \
	"root $CONF_GROUP 640"
expect_eq "db.password: root, group $CONF_GROUP, 0640" "$(stat -c '%U %G %a' "$S/db.password")" \
	"root $CONF_GROUP 640"
expect_eq "migrate.conf: root only, 0600" "$(stat -c '%U %G %a' "$MIGRATE_CONF")" "root root 600"
check "$ADMIN_UID_NAME reads certmint.conf" as "$ADMIN_UID_NAME" cat "$CERTMINT_CONF"
check_not "$WEB cannot read certmint.conf" as "$WEB" cat "$CERTMINT_CONF"
check_not "$WEB cannot read db.password" as "$WEB" cat "$S/db.password"
check_not "$ADMIN_UID_NAME cannot read the migration account's credentials" as "$ADMIN_UID_NAME" cat "$MIGRATE_CONF"
cp -p "$MIGRATE_CONF" "$T/loose.conf"
chmod 644 "$T/loose.conf"
out=$($CERTMINT_CLI migrate --credentials "$T/loose.conf" 2>&1)
expect_eq "certmint migrate refuses credentials others can read" "$?" 1
expect_match "... saying so" "$out" 'must be a file owned by root, mode 0600'

# ---- a program whose schema is behind waits ("run certmint migrate"), serving nothing meanwhile
mkdir "$T/schema"
cp "$(sed -n 's/^schema_dir *= *//p' "$CERTMINT_CONF")"/*.sql "$T/schema/"
printf -- "-- a release ahead of the database\nSELECT 1;\n" > "$T/schema/99$$""_future.sql"
sed "s|^schema_dir *=.*|schema_dir = $T/schema|" "$CERTMINT_CONF" > "$T/ahead.conf"
"$CERTMINT_BUILD/cgi/admin/admin.fcgi" -c "$T/ahead.conf" -s "$T/ahead.sock" -n 1 > "$T/ahead.log" 2>&1 &
second=$!
sleep 2
check "admin.fcgi with a newer release than the schema keeps waiting" kill -0 "$second"
check "... logging: run certmint migrate" grep -q 'schema: 1 migration(s) of .* not applied: run certmint migrate' "$T/ahead.log"
check_not "... without serving" test -S "$T/ahead.sock"
kill "$second" 2>/dev/null
wait "$second" 2>/dev/null
second=""
done_testing
