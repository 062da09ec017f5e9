#!/bin/bash
# 56-audit-checkpoint.sh: signed audit checkpoints: taken every N rows and on demand, kept by the signer, refused when they contradict it, and catching a rewritten chain and a truncated tail that the hash chain alone reads as intact.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

read -ra CLI <<< "$CERTMINT_CLI"
CLI_BIN=${CLI[0]}
PROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
REWRITE="$CERTMINT_BUILD/tests/tools/audit-rewrite"
CPFILE="$CERTMINT_STACK_DIR/journal/audit-checkpoints"
T=$(mktemp -d /tmp/cm-56-checkpoint.XXXXXX)
BK="audit_backup_56_$$"
trap 'rm -rf "$T"' EXIT

# Privileged SQL: the database's root over its socket (as OS root).
sql_root() { mariadb --socket="$CERTMINT_DB_SOCKET" -u root -N -B "$CERTMINT_DB_NAME" -e "$1"; }
run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
head_id() { sql "SELECT last_id FROM audit_head WHERE id = 1"; }
row_hash() { sql "SELECT hash FROM audit_log WHERE id = $1"; }
probe() { "$PROBE" -s "$CERTMINT_SIGNER_SOCKET" "$@" 2>&1; }

for b in "$PROBE" "$REWRITE"; do
	[ -x "$b" ] || { fail "built: $b"; done_testing; exit 1; }
done

# ---- the file is the signer's alone
run audit checkpoint
expect_eq "certmint audit checkpoint exits 0" "$rc" 0
expect_eq "... and says which row it signed" "$out" \
	"$(printf 'signed checkpoint at row %s' "$(head_id)") ($(date -u -d "@$(tail -n 1 "$CPFILE" | cut -d' ' -f3)" '+%Y-%m-%d %H:%M:%S UTC'))"
expect_eq "the checkpoint file belongs to the signer user, mode 0600" \
	"$(stat -c '%U %a' "$CPFILE")" "certmint-signer 600"
expect_eq "... in the journal's directory, mode 0700" \
	"$(stat -c '%U %a' "$(dirname "$CPFILE")")" "certmint-signer 700"
check_not "the web uid cannot write it" su -s /bin/sh www-data -c "echo x >> '$CPFILE'"
expect_eq "its last line is the head just signed" "$(tail -n 1 "$CPFILE" | cut -d' ' -f1,2)" \
	"$(head_id) $(row_hash "$(head_id)")"

# ---- a checkpoint after every N rows, taken by the program that wrote them
N=4
cp "$CERTMINT_CONF" "$T/certmint.conf"
printf '\n[audit]\ncheckpoint_every = %s\n' "$N" >> "$T/certmint.conf"
h0=$(head_id)
want=$(( (h0 / N + 1) * N ))
while [ "$(head_id)" -lt "$want" ]; do
	"$CLI_BIN" -c "$T/certmint.conf" customer disable "$CERTMINT_CUSTOMER" > /dev/null &&
		"$CLI_BIN" -c "$T/certmint.conf" customer enable "$CERTMINT_CUSTOMER" > /dev/null || break
done
expect_eq "the customer is enabled again" "$(sql "SELECT enabled FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")" 1
check "row $want (a multiple of $N) was checkpointed with its chain hash" \
	grep -q "^$want $(row_hash "$want") " "$CPFILE"
between=$(awk -v a="$h0" -v b="$want" '$1 > a && $1 < b' "$CPFILE" | wc -l)
expect_eq "rows between were not" "$between" 0
C1=$want

# ---- the signer refuses a lower or a conflicting head, from a raw frame
run audit checkpoint
H=$(head_id)
expect_match "a checkpoint of the current head (row $H)" "$out" "^signed checkpoint at row $H "
out=$(probe checkpoint "$((H - 1)):$(row_hash $((H - 1)))")
expect_match "a lower row is refused" "$out" \
	"^REFUSED: row $((H - 1)) is below the latest signed checkpoint \\(row $H\\)"
expect_match "... and the connection keeps serving" "$out" '^SERVING$'
out=$(probe checkpoint "$H:$(printf 'f%.0s' {1..64})")
expect_match "the same row with another hash is refused as a rewrite" "$out" \
	"^REFUSED: row $H was signed with another chain hash: the audit log was rewritten"
out=$(probe checkpoint "$H:$(row_hash "$H")")
expect_match "the same row with the same hash is answered again" "$out" '^OK '
out=$(probe checkpoint-mixed)
expect_match "record and list fields together are refused" "$out" '^REFUSED: audit-checkpoint records with'
out=$(probe checkpoint "0:$(row_hash "$H")")
expect_match "row 0 is refused" "$out" '^REFUSED: audit-id must be a row number'
expect_eq "no refused request reached the file" "$(tail -n 1 "$CPFILE" | cut -d' ' -f1)" "$H"
expect_match "signerd logs the refusals" "$(cat "$CERTMINT_LOG_DIR/signerd.log")" \
	"refused audit checkpoint at row $H for uid 0"

# ---- untouched: intact
run audit verify
expect_eq "verify exits 0 on an untouched log" "$rc" 0
expect_match "verify says intact up to the latest checkpoint" "$out" \
	"^audit chain intact \\($H rows; signed checkpoint at row $H of [0-9-]+ [0-9:]+ UTC matches\\)$"

# The portal: a session first, so the checks below add no login row.
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
get /audit > /dev/null
CSRF=$(csrf_of)
expect_match "the MRAO's audit page has a CSRF token" "$CSRF" '^[0-9a-f]+$'
H=$(head_id)
run audit checkpoint
post /audit/verify "csrf=$CSRF" > /dev/null
expect_eq "portal verify answers 200" "$(status)" 200
check "the portal says intact up to the signed checkpoint" \
	grep -q "tag-good\">intact</span> The audit chain is intact ($H rows), up to the signed checkpoint at row $H of" "$T/body"

# ---- a row rewritten and the chain after it recomputed with a database account that may (since
# issue 8 the app's own account may not UPDATE audit_log, see 12-trust-boundaries: audit-rewrite
# uses the database owner's account the stack names)
actor=$(sql "SELECT actor FROM audit_log WHERE id = $C1")
"$REWRITE" "$CERTMINT_CONF" "$C1" "cli:mallory" > "$T/rw.out" 2>&1
expect_eq "a database account rewrote row $C1 and rehashed the rest" "$?" 0
check "the rehashed chain links up (the hash chain alone cannot tell; main said intact)" \
	test "$(sql "SELECT prev_hash FROM audit_log WHERE id = $H")" = "$(row_hash $((H - 1)))"
prevcp=$(awk -v c="$C1" '$1 < c { p = $1 } END { print p + 0 }' "$CPFILE")
run audit verify
expect_eq "verify exits 1 on a rewritten chain" "$rc" 1
expect_eq "verify names the row and the checkpoint" "$out" \
	"row $C1 rewritten (chain hash differs from signed checkpoint at $C1; the change is in rows $((prevcp + 1))..$C1, the chain after it recomputed)"
post /audit/verify "csrf=$CSRF" > /dev/null
check "the portal shows it rewritten, with a red tag" \
	grep -q "tag-bad\">rewritten</span> Row $C1 rewritten: its chain hash differs from the signed checkpoint at row $C1" "$T/body"
run audit checkpoint
expect_eq "the signer refuses to sign the rewritten head" "$rc" 2
expect_match "... saying why" "$err" "was signed with another chain hash|is below the latest"
"$REWRITE" "$CERTMINT_CONF" "$C1" "$actor" > /dev/null 2>&1
run audit verify
expect_eq "rewritten back (same rows, same hashes), verify exits 0 again" "$rc" 0

# ---- the tail deleted and audit_head moved back, with a privileged account
H=$(head_id)
K=$((H - 2))
sql_root "CREATE TABLE $BK AS SELECT * FROM audit_log WHERE id > $K;
	DELETE FROM audit_log WHERE id > $K;
	UPDATE audit_head SET last_id = $K, last_hash = (SELECT hash FROM audit_log WHERE id = $K) WHERE id = 1"
expect_eq "the tail is gone" "$(head_id) $(sql "SELECT MAX(id) FROM audit_log")" "$K $K"
run audit verify
expect_eq "verify exits 1 on a truncated log" "$rc" 1
expect_eq "verify names the missing rows" "$out" "rows $((K + 1))..$H missing (signed checkpoint at $H, log ends at $K)"
post /audit/verify "csrf=$CSRF" > /dev/null
check "the portal shows it truncated, with a red tag" \
	grep -q "tag-bad\">truncated</span> Rows $((K + 1))..$H missing" "$T/body"
sql_root "INSERT INTO audit_log SELECT * FROM $BK; DROP TABLE $BK;
	UPDATE audit_head SET last_id = $H, last_hash = (SELECT hash FROM audit_log WHERE id = $H) WHERE id = 1"
run audit verify
expect_eq "restored, verify exits 0" "$rc" 0

# ---- the signer keeps its checkpoints across a restart
kill "$(cut -d' ' -f1 "$CERTMINT_STACK_DIR/pids/signerd.pid")"
for _ in $(seq 50); do [ -S "$CERTMINT_SIGNER_SOCKET" ] || break; sleep 0.1; done
tests/stack.sh up "$CERTMINT_STACK_DIR" > "$T/up.log" 2>&1
expect_eq "the signer came back" "$?" 0
out=$(probe checkpoint "$((H - 1)):$(row_hash $((H - 1)))")
expect_match "after a restart a lower row is still refused" "$out" "^REFUSED: row $((H - 1)) is below"
run audit verify
expect_match "and verify still checks against the checkpoint at row $H" "$out" "signed checkpoint at row $H of"

done_testing
