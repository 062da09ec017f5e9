#!/bin/bash
# 84-expire.sh: certmint expire moves issued certificates past their notAfter to "expired" (audited, counters exact,
# batched, idempotent), leaves revoked and still-valid ones alone, and --dry-run lists without changing anything;
# certificates sharing one notAfter are listed and expired exactly once with any batch size; a batch that cannot
# change its rows ends the run instead of looping.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-84-expire.XXXXXX)
cleanup() {
	sql "DROP TRIGGER IF EXISTS certificates_test_84_keep" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# run ARGS...: the CLI; stdout in $out, stderr in $err, exit status in $rc.
run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
col() { sql "SELECT $2 FROM certificates WHERE id = '${1:-0}'"; }
# The customer's counters and its GROUP BY, as in 80-counters.sh.
counts_exact() {
	cmp -s <(sql "SELECT org_id, dept_id, cert_type, status, n FROM cert_counts
		WHERE customer_id = $CUST AND n <> 0 ORDER BY 1, 2, 3, 4") \
		<(sql "SELECT COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, COUNT(*)
		FROM certificates WHERE customer_id = $CUST GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
}
counter() {
	sql "SELECT COALESCE(SUM(n), 0) FROM cert_counts WHERE customer_id = $CUST AND org_id = $ORG
		AND dept_id = 0 AND cert_type = 'ssl' AND status = '$1'"
}
naudit() { sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.expire'"; }
# Rows the job would change now (every customer): issued and past notAfter.
due() { sql "SELECT COUNT(*) FROM certificates WHERE status = 'issued' AND not_after < UTC_TIMESTAMP()"; }

TAG=$$$RANDOM
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")

# ---- fixture: certificates issued through the CLI in Demo Organisation
declare -A ID
for k in a b c d e f g h; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-out "$T/$k.csr" -subj "/CN=exp-$k-$TAG.demo.test" -addext "subjectAltName=DNS:exp-$k-$TAG.demo.test" 2>/dev/null
	run issue --profile tls-server --csr "$T/$k.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
	ID[$k]=$(sql "SELECT id FROM certificates WHERE common_name = 'exp-$k-$TAG.demo.test' AND status = 'issued'")
done
expect_match "eight issued certificates to work on" "${ID[a]} ${ID[b]} ${ID[c]} ${ID[d]} ${ID[e]} ${ID[f]} ${ID[g]} ${ID[h]}" \
	'^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$'
# a, d, e, f and g are past their notAfter, a, e and f with the very same one (and b, but revoked); g shares d's;
# c is still valid; h stays valid until the last part.
sql "UPDATE certificates SET not_after = DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 2 DAY, '%Y-%m-%d %H:%i:%s')
	WHERE id IN (${ID[a]}, ${ID[b]}, ${ID[e]}, ${ID[f]})"
sql "UPDATE certificates SET not_after = DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 1 HOUR, '%Y-%m-%d %H:%i:%s')
	WHERE id IN (${ID[d]}, ${ID[g]})"
DUE_KEYS="a d e f g"
expect_eq "a, e and f share one notAfter, d and g another" \
	"$(sql "SELECT COUNT(DISTINCT not_after) FROM certificates WHERE id IN (${ID[a]}, ${ID[e]}, ${ID[f]})") $(sql "SELECT COUNT(DISTINCT not_after) FROM certificates WHERE id IN (${ID[d]}, ${ID[g]})")" "1 1"
sql "UPDATE certificates SET status = 'revoked', revoked_at = UTC_TIMESTAMP(), revocation_reason = 1 WHERE id = ${ID[b]}"
check "the counters are exact before the job" counts_exact

n_due=$(due)
# The counters below are the Demo Organisation's SSL ones: what the job
# moves there is that scope's due certificates, the five of the fixture and
# any an earlier test on this stack left issued past its notAfter.
n_due_scope=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND org_id = $ORG
	AND dept_id IS NULL AND cert_type = 'ssl' AND status = 'issued' AND not_after < UTC_TIMESTAMP()")
issued0=$(counter issued)
expired0=$(counter expired)
audit0=$(naudit)

# ---- usage
run expire --help
expect_eq "expire --help exits 0" "$rc" 0
expect_match "... and describes --dry-run" "$out" "--dry-run"
run expire --batch 0
expect_eq "--batch 0 is refused (exit 1)" "$rc" 1
run expire --customer "no-such-$TAG"
expect_eq "an unknown --customer exits 1" "$rc" 1
expect_match "... naming it" "$err" "no customer with uri 'no-such-$TAG'"
run expire stray-argument
expect_eq "a stray argument exits 1" "$rc" 1

# ---- --dry-run lists and changes nothing
run expire --dry-run
expect_eq "expire --dry-run exits 0" "$rc" 0
expect_match "... lists a (customer, id, serial)" "$out" "^$CERTMINT_CUSTOMER	${ID[a]}	[0-9a-f]+	"
expect_match "... and d" "$out" "	${ID[d]}	.*exp-d-$TAG.demo.test"
check_not "... not the revoked b" grep -q "	${ID[b]}	" <<< "$out"
check_not "... nor the valid c" grep -q "	${ID[c]}	" <<< "$out"
expect_match "... and says how many it would expire" "$out" "would expire: $n_due\$"
expect_eq "... a is still issued" "$(col "${ID[a]}" status)" issued
expect_eq "... no audit row written" "$(naudit)" "$audit0"
expect_eq "... counters unchanged" "$(counter issued) $(counter expired)" "$issued0 $expired0"
# listed ID...: each of the fixture's due certificates is on exactly one line of $out.
listed_once() {
	local k bad=""
	for k in $DUE_KEYS; do
		[ "$(grep -c "	${ID[$k]}	" <<< "$out")" = 1 ] || bad="$bad $k"
	done
	[ -z "$bad" ] || { diag "not listed exactly once:$bad"; return 1; }
}
for b in 1 2 3; do
	run expire --dry-run --batch "$b"
	expect_eq "--dry-run --batch $b exits 0" "$rc" 0
	check "... lists each of a, d, e, f, g exactly once (shared notAfter values)" listed_once
	expect_eq "... no id twice" "$(grep -v '^would expire' <<< "$out" | cut -f 2 | sort | uniq -d | wc -l)" 0
	expect_match "... the same count" "$out" "would expire: $n_due\$"
done

# ---- the real run, one certificate per transaction (the keyset goes on)
run expire --batch 1
expect_eq "expire exits 0" "$rc" 0
expect_match "it prints how many it expired" "$out" "expired: $n_due\$"
expect_match "... per customer" "$out" "customer $CERTMINT_CUSTOMER: [0-9]+ expired"
for k in $DUE_KEYS; do
	expect_eq "$k is expired" "$(col "${ID[$k]}" status)" expired
	expect_eq "... with exactly one audit row" \
		"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.expire' AND object_id = '${ID[$k]}'")" 1
done
expect_eq "the revoked b stays revoked" "$(col "${ID[b]}" "CONCAT(status, '/', revocation_reason)")" revoked/1
expect_eq "the still valid c stays issued" "$(col "${ID[c]}" status)" issued
expect_eq "nothing issued past its notAfter is left" "$(due)" 0
expect_eq "one audit row per expired certificate" "$(naudit)" $((audit0 + n_due))
expect_eq "a's audit row: system:expire, before issued, after expired" \
	"$(sql "SELECT CONCAT(actor, ' ', object_type, ' ', JSON_VALUE(before_json, '$.status'), ' ', JSON_VALUE(after_json, '$.status'), ' ', customer_id) FROM audit_log WHERE action = 'certificate.expire' AND object_id = '${ID[a]}'")" \
	"system:expire certificate issued expired $CUST"
expect_match "... with the notAfter it passed" \
	"$(sql "SELECT JSON_VALUE(before_json, '$.not_after') FROM audit_log WHERE action = 'certificate.expire' AND object_id = '${ID[a]}'")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$'
expect_eq "no audit row for b or c" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.expire' AND object_id IN ('${ID[b]}', '${ID[c]}')")" 0
expect_eq "the issued counter lost the five (and the scope's other due ones: $n_due_scope in all), the expired counter gained them" \
	"$(counter issued) $(counter expired)" "$((issued0 - n_due_scope)) $((expired0 + n_due_scope))"
check "the counters are exact after the job" counts_exact
day_a=$(col "${ID[a]}" "DATE(not_after)")
expect_eq "cert_expiry_daily follows: a's day counts exactly its expired certificates" \
	"$(sql "SELECT COALESCE(SUM(n), 0) FROM cert_expiry_daily WHERE customer_id = $CUST AND status = 'expired' AND day = '$day_a'")" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND status = 'expired' AND not_after IS NOT NULL AND DATE(not_after) = '$day_a'")"
run audit verify
expect_eq "the audit chain still verifies" "$rc" 0

# ---- idempotent
run expire
expect_eq "a second run exits 0" "$rc" 0
expect_match "... and expires nothing" "$out" "^expired: 0\$"
expect_eq "... and writes no audit row" "$(naudit)" $((audit0 + n_due))
run expire --customer "$CERTMINT_CUSTOMER" --dry-run
expect_match "--customer with --dry-run lists nothing now" "$out" "^would expire: 0\$"

# ---- a batch whose UPDATE changes nothing ends the run (a trigger keeps h issued) instead of taking it again forever
sql "UPDATE certificates SET not_after = DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 1 DAY, '%Y-%m-%d %H:%i:%s') WHERE id = ${ID[h]}"
sql "CREATE TRIGGER certificates_test_84_keep BEFORE UPDATE ON certificates FOR EACH ROW
	SET NEW.status = IF(OLD.id = ${ID[h]}, OLD.status, NEW.status)"
naud=$(naudit)
out=$(timeout 60 "${CLI[@]}" expire --batch 1 --customer "$CERTMINT_CUSTOMER" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr")
expect_eq "expire with a row it cannot change exits 1 (and does not hang)" "$rc" 1
expect_match "... naming the row" "$err" "could not be expired \\(first: id ${ID[h]}\\)"
expect_eq "... h stays issued, no audit row" "$(col "${ID[h]}" status) $(naudit)" "issued $naud"
# ... and the customers after it are still processed: one customer's failure does not stop the others
sql "INSERT INTO customers (uri, name) VALUES ('x84-$TAG', 'Expire 84 $TAG')"
C2=$(sql "SELECT id FROM customers WHERE uri = 'x84-$TAG'")
sql "INSERT INTO certificates (customer_id, cert_type, profile, status, serial_hex, common_name, not_before, not_after)
	VALUES ($C2, 'ssl', 'tls-server', 'issued', '$(openssl rand -hex 16)', 'x84-$TAG.test',
	UTC_TIMESTAMP() - INTERVAL 2 DAY, UTC_TIMESTAMP() - INTERVAL 1 DAY)"
X=$(sql "SELECT id FROM certificates WHERE customer_id = $C2")
out=$(timeout 60 "${CLI[@]}" expire --batch 1 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr")
expect_eq "over every customer, the stuck row still makes the run exit 1" "$rc" 1
expect_eq "... but the next customer's due certificate is expired" "$(col "$X" status)" expired
expect_match "... and the run says how many customers failed" "$err" "1 customer could not be processed completely"
sql "DROP TRIGGER certificates_test_84_keep"
run expire --batch 1
expect_eq "without the trigger h expires" "$rc $(col "${ID[h]}" status) $(naudit)" "0 expired $((naud + 2))"
check "the counters are exact at the end" counts_exact

# ---- the admin pages use the same transition table: an expired certificate cannot be revoked
export KRB5_CONFIG
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
csrf=$(csrf)
code=$(post "/certificates/${ID[a]}/revoke" reason=keyCompromise "csrf=$csrf" > /dev/null; status)
expect_eq "revoking the expired a in the portal is 409" "$code" 409
expect_match "... saying why" "$(cat "$T/body")" "This certificate is expired"
expect_eq "... and it stays expired" "$(col "${ID[a]}" status)" expired

done_testing
