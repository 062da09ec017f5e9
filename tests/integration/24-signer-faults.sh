#!/bin/bash
# 24-signer-faults.sh: a paused signer (the client says "unknown", the signer drops the expired request unsigned
# and unjournalled), a full journal disk (a signer fault: CLI exit 1, portal 503, certificate.issue_failed, no row;
# then the reconciliation finds nothing unaccounted) and a signer that cannot be reached at all (the same fault).
# The full-disk case's second signer keeps its journal on a tmpfs that goes with the test: a copy is appended to
# $CERTMINT_STACK/extra-journals/24-signer-faults.log, which the later journal checks (88, 96) read as that
# signer's journal (tests/harness/journals.sh).
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
. tests/harness/harness.sh
. tests/harness/journals.sh

read -ra CLI <<< "$CERTMINT_CLI"
CLI_BIN=${CLI[0]}
SIGNERD=$CERTMINT_BUILD/signer/certmint-signerd
ADMIN_FCGI=$CERTMINT_BUILD/cgi/admin/admin.fcgi
# The pid file holds "PID STARTTIME".
SIGNER_PID=$(cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null)
SIGNER_LOG=$CERTMINT_LOG_DIR/signerd.log
# Traversable by the signer's user, which reads its vault copy below.
T=$(mktemp -d /tmp/cm-24.XXXXXX) && chmod 711 "$T"
FULL=$T/fulljournal
SIGNER2_PID=""
ADMIN2_PID=""

cleanup() {
	# Never leave the stack's signer stopped or gone, whatever failed.
	[ -n "$SIGNER_PID" ] && kill -CONT "$SIGNER_PID" 2>/dev/null
	kill -0 "$(signer_pid)" 2>/dev/null || tests/stack.sh up "$CERTMINT_STACK" > /dev/null 2>&1
	admin_off
	[ -n "$SIGNER2_PID" ] && { kill -TERM "$SIGNER2_PID" 2>/dev/null; sleep 0.2; kill -KILL "$SIGNER2_PID" 2>/dev/null; }
	# What the second signer journalled stays accounted for after its tmpfs is gone.
	[ -s "$FULL/issued.log" ] && keep_extra_journal 24-signer-faults "$FULL/issued.log"
	mountpoint -q "$FULL" 2>/dev/null && umount "$FULL"
	rm -rf "$T"
}
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ -n "$SIGNER_PID" ] && kill -0 "$SIGNER_PID" 2>/dev/null ||
	{ fail "the stack's signerd runs (pid file $CERTMINT_STACK/pids/signerd.pid)"; done_testing; exit 1; }

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
# conf_with SECTION KEY VALUE IN OUT: a copy of configuration IN with KEY of [SECTION] set to VALUE.
conf_with() {
	awk -v sec="[$1]" -v key="$2" -v val="$3" '
		/^\[/ { cur = $0 }
		cur == sec && $1 == key { print key " = " val; next }
		{ print }' "$4" > "$5"
}
journal_lines() { wc -l < "$1" 2>/dev/null || echo missing; }
ncerts() { sql "SELECT COUNT(*) FROM certificates"; }
naudit() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1'"; }
# admin_on CONF: (re)starts a private admin.fcgi with CONF on $CERTMINT_HARNESS_SOCKET,
# which tests/lib.sh's get/post then use (as under the page harness). 0 when it serves.
admin_on() {
	admin_off
	setsid "$ADMIN_FCGI" -c "$1" -s "$CERTMINT_HARNESS_SOCKET" -n 1 < /dev/null >> "$T/admin2.log" 2>&1 &
	ADMIN2_PID=$!
	for _ in $(seq 100); do [ -S "$CERTMINT_HARNESS_SOCKET" ] && return 0; sleep 0.05; done
	sed 's/^/# /' "$T/admin2.log"
	return 1
}
admin_off() {
	[ -n "$ADMIN2_PID" ] || return 0
	kill -TERM -- "-$ADMIN2_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$ADMIN2_PID" 2>/dev/null || break; sleep 0.05; done
	kill -KILL -- "-$ADMIN2_PID" 2>/dev/null
	ADMIN2_PID=""
	rm -f "$CERTMINT_HARNESS_SOCKET"
}
CERTMINT_HARNESS_SOCKET=$T/run/admin2.sock
export CERTMINT_HARNESS_SOCKET CERTMINT_URL=http://localhost
mkdir -p "$T/run"
# portal_issue NAME: POSTs a CSR for NAME to /certificates/new as alice; leaves the
# answer in $T/status and $T/body.
portal_issue() {
	csr "$1"
	login_as alice "$CERTMINT_ADMIN_PRINCIPAL"
	TOKEN=$(csrf)
	post /certificates/new "csrf=$TOKEN" "csr@$T/$1.csr" "profile=tls-server" > /dev/null
}

csr() { # csr NAME: a CSR for NAME.demo.test, whose names the demo customer may have
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-subj "/CN=$1.demo.test" -addext "subjectAltName=DNS:$1.demo.test" -out "$T/$1.csr" 2>/dev/null
}

# ---- a paused signer: the client gives up ("unknown"), the signer drops it when resumed ----
conf_with signer timeout_ms 1500 "$CERTMINT_CONF" "$T/short.conf"
csr paused
jl0=$(journal_lines "$CERTMINT_JOURNAL")
n0=$(ncerts)
u0=$(naudit certificate.issue_unknown)
log0=$(wc -l < "$SIGNER_LOG")
kill -STOP "$SIGNER_PID"
t0=$SECONDS
out=$("$CLI_BIN" -c "$T/short.conf" issue --profile tls-server --csr "$T/paused.csr" \
	--customer "$CERTMINT_CUSTOMER" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr")
took=$((SECONDS - t0))
expect_eq "issue against a paused signer exits 1" "$rc" 1
expect_match "and says unknown: check again" "$err" "unknown: check again"
expect_match "and that the certificate may have been issued" "$err" "may have been issued"
check "it gave up after its timeout, not later (${took}s)" test "$took" -le 5
expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
expect_eq "a certificate.issue_unknown audit row is written" "$(naudit certificate.issue_unknown)" "$((u0 + 1))"
expect_match "the audit row names the profile and the subject" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.issue_unknown' ORDER BY id DESC LIMIT 1")" \
	'"profile":"tls-server".*paused.demo.test'
# The portal, with the same short timeout, during the same pause: a 504 page.
if admin_on "$T/short.conf"; then
	portal_issue pausedweb
	expect_eq "the portal answers 504 when the signer does not answer" "$(status)" 504
	check "the page says unknown: the signer did not answer" grep -q "Unknown: the signer did not answer" "$T/body"
	check "and to check again" grep -q "may have been issued; check again" "$T/body"
	expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
	expect_eq "a second certificate.issue_unknown row, the portal's" "$(naudit certificate.issue_unknown)" "$((u0 + 2))"
	admin_off
else
	fail "an admin.fcgi with the short timeout serves its socket"
fi
kill -CONT "$SIGNER_PID"
# The resumed signer reads the queued requests, finds their deadlines passed, and logs them.
for _ in $(seq 50); do
	[ "$(tail -n +"$((log0 + 1))" "$SIGNER_LOG" | grep -c "expired, dropped")" -ge 2 ] && break
	sleep 0.1
done
newlog=$(tail -n +"$((log0 + 1))" "$SIGNER_LOG")
expect_match "the resumed signer logs the CLI's request as expired" "$newlog" "issue request [0-9]+ for uid 0 expired, dropped"
expect_eq "and the portal's: two expired requests" "$(grep -c "expired, dropped" <<< "$newlog")" 2
check_not "and signs nothing for them" grep -q "issued serial" <<< "$newlog"
expect_eq "the journal has no line for them" "$(journal_lines "$CERTMINT_JOURNAL")" "$jl0"

# The signer is well after SIGCONT: the same request in time is issued.
run issue --profile tls-server --csr "$T/paused.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "the resumed signer issues a request in time" "$rc" 0
expect_eq "and journals it" "$(journal_lines "$CERTMINT_JOURNAL")" "$((jl0 + 1))"

# ---- a full journal disk: a second signer whose journal is on a full 64k tmpfs ----
# What the tests before left in the stack's journal (raw frames without rows) is accounted for first,
# so that the check at the end of this case is about its certificates alone.
stack_journals "$T"
"${CLI[@]}" journal check "${J[@]}" --min-age 0 > "$T/pre-check.out" 2>&1
rc=$?
check "the journals are accounted for before the full disk (exit $rc: 0, or 3 when it recovered some)" \
	test "$rc" = 0 -o "$rc" = 3
[ "$rc" = 0 ] || [ "$rc" = 3 ] || sed 's/^/#   /' "$T/pre-check.out" | tail -n 5
mkdir -p "$FULL"
if ! mount -t tmpfs -o size=64k,mode=0700 tmpfs "$FULL"; then
	fail "mount a 64k tmpfs for the journal (needs root)"
	done_testing
	exit 1
fi
signer_user=$(awk -F' *= *' '$1 == "user" { print $2 }' "$CERTMINT_SIGNER_CONF")
cp -a "$CERTMINT_VAULT" "$T/vault"
touch "$FULL/issued.log"
chown "$signer_user" "$FULL" "$FULL/issued.log" "$T/vault"
chmod 600 "$FULL/issued.log"
# Fill it: the journal cannot grow by a byte.
dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null
dd if=/dev/zero of="$FULL/filler2" bs=1 2>/dev/null
conf_with signer socket "$T/run/signer2.sock" "$CERTMINT_SIGNER_CONF" "$T/s1.conf"
conf_with signer journal "$FULL/issued.log" "$T/s1.conf" "$T/s2.conf"
conf_with signer vault "$T/vault" "$T/s2.conf" "$T/signerd2.conf"
setsid "$SIGNERD" -c "$T/signerd2.conf" -f < /dev/null > "$T/signerd2.log" 2>&1 &
SIGNER2_PID=$!
for _ in $(seq 100); do [ -S "$T/run/signer2.sock" ] && break; sleep 0.05; done
if ! check "a second signerd listens with its journal on the full tmpfs" test -S "$T/run/signer2.sock"; then
	sed 's/^/# /' "$T/signerd2.log"
fi
conf_with signer socket "$T/run/signer2.sock" "$CERTMINT_CONF" "$T/full.conf"

csr fulldisk
jsize0=$(stat -c %s "$FULL/issued.log")
n0=$(ncerts)
f0=$(naudit certificate.issue_failed)
r0=$(naudit certificate.refused)
out=$("$CLI_BIN" -c "$T/full.conf" issue --profile tls-server --csr "$T/fulldisk.csr" \
	--customer "$CERTMINT_CUSTOMER" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr")
expect_eq "issue with the journal disk full exits 1 (not 2, refused)" "$rc" 1
expect_match "and says signer fault" "$err" "^certmint: signer fault: "
expect_match "naming the journal" "$err" "could not journal the certificate"
check_not "not refused" grep -q "refused" <<< "$err"
expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
expect_eq "a certificate.issue_failed audit row is written" "$(naudit certificate.issue_failed)" "$((f0 + 1))"
expect_eq "and no certificate.refused row" "$(naudit certificate.refused)" "$r0"
expect_eq "the full journal is unchanged" "$(stat -c %s "$FULL/issued.log")" "$jsize0"
expect_match "the second signer logs the fault" "$(cat "$T/signerd2.log")" "journal write failed .*No space left on device"

# The portal, pointed at the same signer: a 503 page that says nothing was issued.
if admin_on "$T/full.conf"; then
	f0=$(naudit certificate.issue_failed)
	n0=$(ncerts)
	portal_issue portal
	expect_eq "the portal answers 503 when the signer's journal is full" "$(status)" 503
	check "the page says the signer failed" grep -q "The signer failed" "$T/body"
	check "and that nothing was issued" grep -q "nothing was issued" "$T/body"
	expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
	expect_eq "a certificate.issue_failed audit row is written" "$(naudit certificate.issue_failed)" "$((f0 + 1))"
	expect_match "with the administrator as actor" \
		"$(sql "SELECT actor FROM audit_log WHERE action = 'certificate.issue_failed' ORDER BY id DESC LIMIT 1")" \
		"^$CERTMINT_ADMIN_PRINCIPAL\$"
	admin_off
else
	fail "an admin.fcgi using the full-journal signer serves its socket"
fi

# Room on the disk again: the same signer journals and issues.
rm -f "$FULL/filler" "$FULL/filler2"
out=$("$CLI_BIN" -c "$T/full.conf" issue --profile tls-server --csr "$T/fulldisk.csr" \
	--customer "$CERTMINT_CUSTOMER" 2>"$T/stderr"); rc=$?
expect_eq "with room again, the same signer issues" "$rc" 0
expect_eq "and journals it" "$(journal_lines "$FULL/issued.log")" 1
# The reconciliation, over both signers' journals while the tmpfs is still there: nothing unaccounted.
"${CLI[@]}" journal check "${J[@]}" --journal "$FULL/issued.log" --min-age 0 > "$T/check.out" 2>&1
rc=$?
expect_eq "journal check over both signers' journals finds nothing unaccounted (exit 0)" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/check.out" | tail -n 8

# ---- a signer that cannot be reached at all (stopped): a signer fault too, not a bare gateway error ----
SIGNER_PID=$(signer_pid)
kill -TERM "$SIGNER_PID"
for _ in $(seq 100); do kill -0 "$SIGNER_PID" 2>/dev/null || break; sleep 0.05; done
check "the stack's signerd is stopped" test ! -e "/proc/$SIGNER_PID"
csr unreachable
n0=$(ncerts)
f0=$(naudit certificate.issue_failed)
jl0=$(journal_lines "$CERTMINT_JOURNAL")
run issue --profile tls-server --csr "$T/unreachable.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "issue with the signer stopped exits 1" "$rc" 1
expect_match "and says signer fault: not answering, nothing issued" "$err" \
	"^certmint: signer fault: The signer is not answering: nothing was issued; try again"
expect_match "naming the socket it tried" "$err" "signer at .*: "
expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
expect_eq "a certificate.issue_failed audit row is written" "$(naudit certificate.issue_failed)" "$((f0 + 1))"
expect_match "whose reason says the signer was not reachable, with the profile and subject" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.issue_failed' ORDER BY id DESC LIMIT 1")" \
	'"profile":"tls-server".*unreachable.demo.test.*"reason":"not reachable'
if admin_on "$CERTMINT_CONF"; then
	f0=$(naudit certificate.issue_failed)
	portal_issue unreachableweb
	expect_eq "the portal answers 503 when the signer cannot be reached (not 502)" "$(status)" 503
	check "the page says the signer is not answering and nothing was issued" \
		grep -q "The signer is not answering: nothing was issued; try again" "$T/body"
	expect_eq "no certificate row is stored" "$(ncerts)" "$n0"
	expect_eq "a certificate.issue_failed audit row is written" "$(naudit certificate.issue_failed)" "$((f0 + 1))"
	expect_match "with the administrator as actor and the reason" \
		"$(sql "SELECT CONCAT(actor, ' ', after_json) FROM audit_log WHERE action = 'certificate.issue_failed' ORDER BY id DESC LIMIT 1")" \
		"^$CERTMINT_ADMIN_PRINCIPAL .*unreachableweb.demo.test.*\"reason\":\"not reachable"
	# Approving another administrator's request: approved, not issued, and said so.
	csr approvewait
	sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, csr, requested_by)
		VALUES (1, 1, 'ssl', 'tls-server', 'requested', 'approvewait.demo.test',
		FROM_BASE64('$(openssl req -in "$T/approvewait.csr" -outform DER | base64 -w0)'), 'test-24')"
	AID=$(sql "SELECT MAX(id) FROM certificates WHERE requested_by = 'test-24'")
	f0=$(naudit certificate.issue_failed)
	token=$(csrf "/certificates/$AID")
	post "/certificates/$AID/approve" "csrf=$token" > /dev/null
	expect_eq "approving while the signer cannot be reached answers 503" "$(status)" 503
	check "... saying approved, the signer is not answering, nothing was issued" \
		grep -q "the signer is not answering: nothing was issued" "$T/body"
	expect_eq "... the request is approved and keeps why it was not issued" \
		"$(sql "SELECT CONCAT(status, ' / ', issue_error) FROM certificates WHERE id = $AID")" \
		"approved / The signer is not answering: nothing was issued; try again."
	expect_eq "... with a certificate.issue_failed row about it" \
		"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.issue_failed' AND object_id = '$AID'")" 1
	admin_off
else
	fail "an admin.fcgi using the stack's configuration serves its socket"
fi
expect_eq "nothing was journalled" "$(journal_lines "$CERTMINT_JOURNAL")" "$jl0"
tests/stack.sh up "$CERTMINT_STACK" > "$T/up.out" 2>&1
expect_eq "tests/stack.sh up brings the signer back" "$?" 0
SIGNER_PID=$(signer_pid)
check "... a new signerd runs" kill -0 "$SIGNER_PID"
run issue --profile tls-server --csr "$T/unreachable.csr" --customer "$CERTMINT_CUSTOMER"
expect_eq "and the same request is issued then" "$rc" 0
if [ -n "${AID:-}" ] && admin_on "$CERTMINT_CONF"; then
	token=$(csrf "/certificates/$AID")
	post "/certificates/$AID/approve" "csrf=$token" > /dev/null
	expect_eq "\"Issue now\" on the approved request issues it then" \
		"$(status) $(sql "SELECT status FROM certificates WHERE id = $AID")" "303 issued"
	admin_off
fi
done_testing
