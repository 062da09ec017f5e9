#!/bin/bash
# 82-daily.sh: cert_issued_daily and cert_expiry_daily (schema/011_cert_daily.sql) equal GROUP BY over certificates,
# follow insert/update/delete exactly, and the dashboard's expiring counts stay exact at today's and the windows' last days.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-82-daily.XXXXXX)
trap 'rm -rf "$T"' EXIT

# Both sides as lines, zero counters left out.
issued_certs() {
	sql "SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, DATE(not_before), COUNT(*)
		FROM certificates WHERE not_before IS NOT NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
}
issued_daily() {
	sql "SELECT customer_id, org_id, dept_id, cert_type, day, n FROM cert_issued_daily WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5"
}
expiry_certs() {
	sql "SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, DATE(not_after), COUNT(*)
		FROM certificates WHERE not_after IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
}
expiry_daily() {
	sql "SELECT customer_id, org_id, dept_id, cert_type, status, day, n FROM cert_expiry_daily WHERE n <> 0
		ORDER BY 1, 2, 3, 4, 5, 6"
}
# Compares both tables with certificates; $1 names the moment.
compare() {
	issued_certs > "$T/ic"; issued_daily > "$T/id"; expiry_certs > "$T/ec"; expiry_daily > "$T/ed"
	if diff "$T/ic" "$T/id" > "$T/diff"; then
		ok "cert_issued_daily equals GROUP BY DATE(not_before) ($1)"
	else
		fail "cert_issued_daily equals GROUP BY DATE(not_before) ($1)"
		sed 's/^/# /' "$T/diff" | head -n 20
	fi
	if diff "$T/ec" "$T/ed" > "$T/diff"; then
		ok "cert_expiry_daily equals GROUP BY status, DATE(not_after) ($1)"
	else
		fail "cert_expiry_daily equals GROUP BY status, DATE(not_after) ($1)"
		sed 's/^/# /' "$T/diff" | head -n 20
	fi
}
iday() {
	sql "SELECT COALESCE(SUM(n), 0) FROM cert_issued_daily WHERE customer_id = $CUST AND org_id = $ORG AND dept_id = 0
		AND cert_type = 'client' AND day = '$1'"
}
eday() {
	sql "SELECT COALESCE(SUM(n), 0) FROM cert_expiry_daily WHERE customer_id = $CUST AND org_id = $ORG AND dept_id = 0
		AND cert_type = 'client' AND status = '$1' AND day = '$2'"
}

# --- after the other tests' activity, both tables are exact
check "certificates with dates exist" test -n "$(sql "SELECT 1 FROM certificates WHERE not_before IS NOT NULL LIMIT 1")"
compare "after the other tests"
expect_eq "no counter is negative" \
	"$(sql "SELECT (SELECT COUNT(*) FROM cert_issued_daily WHERE n < 0) + (SELECT COUNT(*) FROM cert_expiry_daily WHERE n < 0)")" 0
expect_eq "the eight triggers exist" \
	"$(sql "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'certificates' AND (TRIGGER_NAME LIKE 'cert\\_issued\\_daily\\_%' OR TRIGGER_NAME LIKE 'cert\\_expiry\\_daily\\_%')")" 8

# --- each kind of write moves exactly the right day
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND deleted_at IS NULL ORDER BY id LIMIT 1")
TAG=$$-$RANDOM
D1=2001-02-03; D2=2001-02-04; E1=2031-05-06; E2=2031-05-07
i1=$(iday $D1); i2=$(iday $D2); r1=$(eday issued $E1); v1=$(eday revoked $E1); r2=$(eday revoked $E2)
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, requested_by)
	VALUES ($CUST, $ORG, 'client', 'client-auth', 'requested', 'daily-$TAG', 'test-82')"
ID=$(sql "SELECT id FROM certificates WHERE common_name = 'daily-$TAG'")
compare "a row without dates counts nowhere"
sql "UPDATE certificates SET status = 'issued', not_before = '$D1 23:59:59', not_after = '$E1 00:00:00' WHERE id = $ID"
expect_eq "setting not_before adds 1 to its day" "$(iday $D1)" $((i1 + 1))
expect_eq "setting not_after adds 1 to its day and status" "$(eday issued $E1)" $((r1 + 1))
sql "UPDATE certificates SET not_before = '$D1 00:00:00', email = 'daily-$TAG@demo.test' WHERE id = $ID"
expect_eq "a change within the same day leaves it" "$(iday $D1) $(eday issued $E1)" "$((i1 + 1)) $((r1 + 1))"
sql "UPDATE certificates SET not_before = '$D2 00:00:00' WHERE id = $ID"
expect_eq "a new not_before day moves it" "$(iday $D1) $(iday $D2)" "$i1 $((i2 + 1))"
sql "UPDATE certificates SET status = 'revoked' WHERE id = $ID"
expect_eq "a status change moves its expiry count" "$(eday issued $E1) $(eday revoked $E1)" "$r1 $((v1 + 1))"
sql "UPDATE certificates SET not_after = '$E2 12:00:00' WHERE id = $ID"
expect_eq "a new not_after day moves it" "$(eday revoked $E1) $(eday revoked $E2)" "$v1 $((r2 + 1))"
compare "after the updates"
sql "UPDATE certificates SET not_before = NULL, not_after = NULL WHERE id = $ID"
expect_eq "clearing the dates takes it out" "$(iday $D2) $(eday revoked $E2)" "$i2 $r2"
sql "UPDATE certificates SET not_before = '$D2 01:00:00', not_after = '$E2 01:00:00' WHERE id = $ID"
sql "DELETE FROM certificates WHERE id = $ID"
expect_eq "DELETE takes it away" "$(iday $D2) $(eday revoked $E2)" "$i2 $r2"
sql "START TRANSACTION; INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, not_before, not_after)
	VALUES ($CUST, $ORG, 'client', 'client-auth', 'issued', 'daily-rb-$TAG', '$D1 10:00:00', '$E1 10:00:00'); ROLLBACK"
expect_eq "a rolled back INSERT leaves no count" "$(iday $D1) $(eday issued $E1)" "$i1 $r1"

# --- the dashboard's expiring counts stay exact around the partial days:
# certificates just before/after now, now + 30/60/90 days, and on the days in between.
vals=""
for off in "-10 MINUTE" "10 MINUTE" "1 DAY" "29 DAY" "30*24*60-10 MINUTE" "30*24*60+10 MINUTE" "31 DAY" \
	"60*24*60-10 MINUTE" "60*24*60+10 MINUTE" "89 DAY" "90*24*60-10 MINUTE" "90*24*60+10 MINUTE" "91 DAY"; do
	vals="$vals${vals:+,}($CUST, $ORG, 'ssl', 'ssl-server', 'issued', 'edge-$TAG', UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() + INTERVAL $off)"
done
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, not_before, not_after) VALUES $vals"
CURL=(curl -s --cacert "$CERTMINT_CA_PEM" -u "$CERTMINT_ADMIN_PRINCIPAL:$CERTMINT_ADMIN_PASSWORD")
code=$("${CURL[@]}" -o "$T/body" -w '%{http_code}' "$CERTMINT_HTTPS_URL/admin/dashboard")
declare -A EXP
for d in 30 60 90; do
	EXP[$d]=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND status = 'issued' AND not_after >= UTC_TIMESTAMP() AND not_after < UTC_TIMESTAMP() + INTERVAL $d DAY")
done
expect_eq "GET /admin/dashboard answers 200" "$code" 200
for d in 30 60 90; do
	got=$(tr -d '\n' < "$T/body" | grep -o "<tr id=\"expiring-$d\"><th>[^<]*</th><td>[0-9]*" | grep -o '[0-9]*$')
	expect_eq "expiring within $d days equals COUNT(*) over certificates" "$got" "${EXP[$d]}"
done
issued_today=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND not_before >= UTC_DATE()")
today=$(date -u +%Y-%m-%d)
check "today's bar holds today's $issued_today certificates" grep -q "<title>$today: $issued_today</title>" "$T/body"
yesterday=$(date -u -d yesterday +%Y-%m-%d)
issued_y=$(sql "SELECT COUNT(*) FROM certificates WHERE customer_id = $CUST AND DATE(not_before) = UTC_DATE() - INTERVAL 1 DAY")
check "yesterday's bar holds yesterday's $issued_y certificates" grep -q "<title>$yesterday: $issued_y</title>" "$T/body"
sql "DELETE FROM certificates WHERE common_name = 'edge-$TAG'"
compare "at the end"

done_testing
