#!/bin/bash
# 96-faults.sh: faults under a short load of CLI and portal issuances (a few parallel loops): kill -9 of
# signerd, of admin.fcgi's parent and workers, of Apache's parent and workers (the portal's load goes through
# it), of MariaDB, and signerd paused past the clients' timeout; each followed by tests/stack.sh up.
# Each phase ends with `certmint journal check` (it may import what the fault left without a row), and
# at the end nothing is unaccounted: every journalled serial has exactly one row with the journal's DER,
# no serial twice, and the audit chain verifies. Generous timings; not a timed test.
# (The full-journal-disk case is tests/integration/24-signer-faults.sh.)
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
S=$CERTMINT_STACK
T=$(mktemp -d /tmp/cm-96-faults.XXXXXX)
LOAD_SECONDS=${CERTMINT_FAULT_LOAD_SECONDS:-6}
loops=()
stop_load() {
	touch "$T/stop"
	for p in "${loops[@]}"; do wait "$p" 2>/dev/null; done
	loops=()
	rm -f "$T/stop"
}
# Whatever happens, the loops end, a paused signer resumes and the stack is whole for the tests after.
trap 'stop_load; kill -CONT "$(pid_of signerd)" 2>/dev/null; tests/stack.sh up "$S" > /dev/null 2>&1; rm -rf "$T"' EXIT
pid_of() { cut -d' ' -f1 "$S/pids/$1.pid" 2>/dev/null; }
CLI=($CERTMINT_CLI)
check_journal() { "${CLI[@]}" journal check "${J[@]}" --min-age 0; }

# The stack's journal and those of the signers tests started besides (24-signer-faults' second signer
# leaves a copy in $CERTMINT_STACK/extra-journals/), one per signer as with several nodes, so that
# what follows is about this test's certificates alone (tests/harness/journals.sh).
. tests/harness/journals.sh
stack_journals "$T"

# The CLI loops wait 3 s for the signer (a copy of the stack's configuration), the portal 10 s.
sed 's/^timeout_ms *=.*/timeout_ms = 3000/' "$CERTMINT_CONF" > "$T/cli.conf"
grep -q '^timeout_ms = 3000' "$T/cli.conf" || sed -i 's/^\[signer\]$/[signer]\ntimeout_ms = 3000/' "$T/cli.conf"
ORG=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation'")

# new_csr DIR N: a CSR with a fresh key (no two issuances share a key) in DIR/N.csr.
new_csr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/CN=f$2.demo.test" -addext "subjectAltName=DNS:f$2.demo.test" -out "$1/$2.csr" 2>/dev/null
}
# cli_loop NAME: issues through `certmint issue` until $T/stop; one exit status per line in $T/NAME.log.
cli_loop() {
	local d=$T/$1 i=0
	mkdir -p "$d"
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		new_csr "$d" "$1-$i-$$" || continue
		"${CLI[0]}" -c "$T/cli.conf" issue --profile tls-server --csr "$d/$1-$i-$$.csr" --org "$ORG" \
			--customer "$CERTMINT_CUSTOMER" > /dev/null 2>> "$d/err"
		echo "$?" >> "$T/$1.log"
	done
}
# portal_loop NAME: the form as alice (GET for its hidden fields, then POST), until $T/stop; one HTTP
# status per line in $T/NAME.log. Its own files: the loops run side by side.
portal_loop() {
	local d=$T/$1 i=0 hidden
	mkdir -p "$d"
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		new_csr "$d" "$1-$i-$$" || continue
		curl -s --negotiate -u : -b "$d/jar" -c "$d/jar" -m 30 -o "$d/form" "$CERTMINT_URL/admin/certificates/new"
		hidden=()
		while read -r f; do hidden+=(--data-urlencode "$f"); done < <(
			grep -o '<input type="hidden" name="[^"]*" value="[^"]*"' "$d/form" 2>/dev/null |
				sed 's/.*name="\([^"]*\)" value="\([^"]*\)"/\1=\2/')
		curl -s --negotiate -u : -b "$d/jar" -c "$d/jar" -m 30 -o /dev/null -w '%{http_code}\n' \
			"${hidden[@]}" --data-urlencode "csr@$d/$1-$i-$$.csr" --data-urlencode profile=tls-server \
			--data-urlencode "org=$ORG" "$CERTMINT_URL/admin/certificates/new" >> "$T/$1.log"
	done
}
start_load() {
	rm -f "$T"/*.log
	cli_loop cli1 & loops+=($!)
	cli_loop cli2 & loops+=($!)
	portal_loop web1 & loops+=($!)
}
issued_so_far() { cat "$T"/cli*.log 2>/dev/null | grep -c '^0$'; }
# end_phase NAME: the loops stop, the stack is brought back, and the reconciliation runs.
RECOVERED=0
end_phase() {
	stop_load
	tests/stack.sh up "$S" > "$T/up-$1" 2>&1 || diag "up after $1: $(tail -n 3 "$T/up-$1")"
	sleep 2   # a resumed signer finishes what it had queued
	check_journal > "$T/check-$1" 2>&1
	local rc=$? n
	n=$(grep -c '^recovered: ' "$T/check-$1")
	RECOVERED=$((RECOVERED + n))
	diag "$1: CLI $(cat "$T"/cli*.log 2>/dev/null | sort | uniq -c | tr -s ' \n' ' '); portal $(sort "$T"/web1.log 2>/dev/null | uniq -c | tr -s ' \n' ' '); recovered $n"
	if [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
		ok "$1: journal check accounts for every certificate (exit $rc, $n recovered)"
	else
		fail "$1: journal check exit $rc"
		sed 's/^/#   /' "$T/check-$1" | grep -v '^#   recovered' | head -n 10
	fi
	expect_eq "$1: a second check finds nothing" "$(check_journal > "$T/again-$1" 2>&1; echo $?)" 0
}

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
expect_eq "the portal serves before the faults" "$(req_as alice /)" 200
check_journal > "$T/check-start" 2>&1
rc=$?
check "the journal is accounted for before the faults (exit $rc)" test "$rc" = 0 -o "$rc" = 3

# ---- the load alone: every issuance is stored.
start_load
sleep "$LOAD_SECONDS"
end_phase "no fault"
check "the load issued certificates through the CLI" test "$(issued_so_far)" -gt 0
check "... and the portal" grep -qE '^(200|303)$' "$T/web1.log"

# ---- kill -9 of signerd under load, then up.
start_load
sleep 2
kill -9 "$(pid_of signerd)"
sleep 1
tests/stack.sh up "$S" > "$T/up-signerd" 2>&1
expect_eq "up brings signerd back" "$?" 0
sleep "$LOAD_SECONDS"
end_phase "signerd killed"

# ---- kill -9 of admin.fcgi's parent and workers under load, then up.
start_load
sleep 2
admin=$(pid_of admin)
workers=$(ps -o pid= --ppid "$admin" | tr -s ' \n' ' ')
kill -9 "$admin" $workers
sleep 1
tests/stack.sh up "$S" > "$T/up-admin" 2>&1
expect_eq "up brings admin.fcgi back" "$?" 0
check "... a new process" test "$(pid_of admin)" != "$admin"
sleep "$LOAD_SECONDS"
end_phase "admin.fcgi killed"

# ---- kill -9 of Apache's parent and workers under load (the portal loop's requests, some mid-issuance,
# are cut off; admin.fcgi finishes what it was asked), then up, which clears what is left and restarts it
# on the same ports.
start_load
sleep 2
apache=$(pid_of apache)
workers=$(ps -o pid= --ppid "$apache" | tr -s ' \n' ' ')
check "Apache has workers to kill" test -n "$workers"
kill -9 "$apache" $workers
sleep 1
alive=$(for p in $apache $workers; do ps -o stat= -p "$p" 2>/dev/null | grep -qv '^Z' && echo "$p"; done)
expect_eq "Apache's parent and workers are gone" "$alive" ""
tests/stack.sh up "$S" > "$T/up-apache" 2>&1
expect_eq "up brings Apache back" "$?" 0
check "... a new process" test "$(pid_of apache)" != "$apache"
w0=$(wc -l < "$T/web1.log" 2>/dev/null || echo 0)
sleep "$LOAD_SECONDS"
check "... through which the portal loop issues again" grep -qE '^(200|303)$' <(tail -n +"$((w0 + 1))" "$T/web1.log")
end_phase "Apache killed"

# ---- kill -9 of MariaDB under load (issuances signed but not stored), then up.
start_load
sleep 2
kill -9 "$(pid_of mariadb)"
sleep 2
tests/stack.sh up "$S" > "$T/up-mariadb" 2>&1
expect_eq "up brings MariaDB back" "$?" 0
sleep "$LOAD_SECONDS"
end_phase "MariaDB killed"

# ---- signerd paused for longer than every client's timeout (3 s CLI, 10 s portal), then resumed.
start_load
sleep 2
kill -STOP "$(pid_of signerd)"
sleep 13
kill -CONT "$(pid_of signerd)"
sleep "$LOAD_SECONDS"
end_phase "signerd paused"
diag "certificates recovered over all phases: $RECOVERED"

# ---- the final state: nothing unaccounted.
check "the stack serves after the faults" test "$(req_as alice /)" = 200
python3 - "$CERTMINT_JOURNAL" > "$T/journal.txt" <<'EOF'
import base64, hashlib, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if not line.endswith("\n"):
        break
    f = line.rstrip("\n").split("\t")
    # The signer's own certificates (OCSP responder, SCEP RA: profile
    # "signer.*") have no row by design; journal check skips them too.
    if f[2].startswith("signer."):
        continue
    print(f[1], hashlib.sha256(base64.b64decode(f[5])).hexdigest())
EOF
sort "$T/journal.txt" > "$T/journal.sorted"
sql "SELECT serial_hex, LOWER(SHA2(der, 256)) FROM certificates WHERE serial_hex IS NOT NULL" | tr '\t' ' ' | sort > "$T/db.sorted"
expect_eq "no serial is journalled twice" "$(cut -d' ' -f1 "$T/journal.sorted" | uniq -d | head -n 3)" ""
expect_eq "no serial has two rows" "$(cut -d' ' -f1 "$T/db.sorted" | uniq -d | head -n 3)" ""
expect_eq "every journalled certificate has a row with the journal's DER" \
	"$(comm -23 "$T/journal.sorted" "$T/db.sorted" | head -n 3)" ""
expect_eq "journal count == database count of journalled serials" \
	"$(wc -l < "$T/journal.sorted")" "$(join "$T/journal.sorted" <(cut -d' ' -f1 "$T/db.sorted") | wc -l)"
check "the audit chain verifies" "${CLI[@]}" audit verify
expect_eq "the last reconciliation finds nothing" "$(check_journal > "$T/final" 2>&1; echo $?)" 0
# The alarm this raised is the MRAO's to end; end it so later tests see a quiet dashboard.
login_as alice
token=$(csrf /)
post /certificates/recovered/acknowledge "csrf=$token" > /dev/null
expect_eq "the MRAO acknowledges the recovered certificates" "$(status)" 303
done_testing
