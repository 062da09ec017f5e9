#!/bin/bash
# 28-notify.sh: notifications through the outbox (issue 9): an issued certificate inside its customer's expiry
# window is mailed to its requester by `certmint notify run` (To, Subject, body naming it) into the stack's SMTP
# sink, once; with the sink stopped the message stays queued with last_error and a later attempt time, and is
# delivered after the sink is back and that time has passed; a request that waits mails the approvers, and
# approving or declining it mails the requester (with the decline message).
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-28-notify.XXXXXX)
TAG=$$$RANDOM
CAROL_MAIL="carol-$TAG@demo.test"
cleanup() {
	sql "UPDATE admins SET email = NULL WHERE principal = '$CERTMINT_RAO_A_PRINCIPAL' AND email = '$CAROL_MAIL'" 2>/dev/null
	"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" notify.expiry_days 60,30,7 > /dev/null 2>&1
	# the sink must run again for the next test, whatever happened here
	pid_alive_smtp || tests/stack.sh up "$CERTMINT_STACK" > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
URL=$CERTMINT_URL/admin

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.csr" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}
col() { sql "SELECT $2 FROM certificates WHERE id = '${1:-0}'"; }
ob() { sql "SELECT $2 FROM outbox WHERE $1"; }
# mails PATTERN: how many messages in the sink's maildir contain PATTERN (fixed string)
mails() { grep -lF -- "$1" "$CERTMINT_MAILDIR"/new/* 2>/dev/null | wc -l; }
mail_of() { grep -lF -- "$1" "$CERTMINT_MAILDIR"/new/* 2>/dev/null | head -n 1; }
pid_alive_smtp() { tests/stack.sh status "$CERTMINT_STACK" 2>/dev/null | grep -q '^smtp: running'; }
utc() { date -u -d "$1" '+%Y-%m-%d %H:%M:%S'; }

CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")
ALICE_MAIL=$(sql "SELECT email FROM admins WHERE principal = '$CERTMINT_ADMIN_PRINCIPAL'")
expect_match "the stack names its maildir" "${CERTMINT_MAILDIR:-}" '/maildir$'
expect_match "... and the sink's port" "${CERTMINT_SMTP_PORT:-}" '^[0-9]+$'
check "the sink answers on its port" timeout 2 bash -c ">/dev/tcp/127.0.0.1/$CERTMINT_SMTP_PORT"
expect_eq "the MRAO has an address to be mailed at" "$ALICE_MAIL" alice@example.test

# ---- the expiry window is a customer setting
run customer set "$CERTMINT_CUSTOMER" notify.expiry_days "7, 30,x"
expect_eq "a window that is not a number is refused (exit 1)" "$rc" 1
expect_match "... saying what is wrong" "$err" 'whole numbers of days'
run customer set "$CERTMINT_CUSTOMER" notify.expiry_days 7
expect_eq "notify.expiry_days 7 is taken" "$rc" 0
run customer set "$CERTMINT_CUSTOMER" notify.expiry_days "7, 30 ,60,30"
expect_eq "notify.expiry_days 7,30,60,30 is taken" "$rc" 0
expect_eq "... stored largest first, without repeats" \
	"$(sql "SELECT notify_expiry_days FROM customers WHERE id = $CUST")" 60,30,7
expect_match "... audited as customer.settings" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'customer.settings' ORDER BY id DESC LIMIT 1")" \
	'"notify.expiry_days":"60,30,7"'

# ---- an issued certificate expiring within the window
mkcsr e1 "notify-e1-$TAG.demo.test"
run issue --profile tls-server --csr "$T/e1.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
E1=$(sql "SELECT id FROM certificates WHERE common_name = 'notify-e1-$TAG.demo.test'")
expect_match "a certificate issued through the CLI" "$E1" '^[0-9]+$'
# As the database's owner: it expires in 5 days, and alice asked for it.
sql "UPDATE certificates SET not_after = UTC_TIMESTAMP() + INTERVAL 5 DAY, requested_by = '$CERTMINT_ADMIN_PRINCIPAL' WHERE id = $E1"
run notify run
expect_eq "certmint notify run succeeds" "$rc" 0
expect_match "... saying what it queued and sent" "$out" 'queued [0-9]+ expiry notice'
expect_eq "one message queued for the 7-day window" "$(ob "event_key = 'expiry:7:cert:$E1'" "COUNT(*)")" 1
expect_eq "... and sent" "$(ob "event_key = 'expiry:7:cert:$E1'" "CONCAT(status, '/', attempts, '/', sent_at IS NOT NULL)")" sent/1/1
expect_eq "it arrived in the sink's maildir" "$(mails "notify-e1-$TAG.demo.test")" 1
m=$(mail_of "notify-e1-$TAG.demo.test")
check "... addressed To: the requester" grep -qi "^To: $ALICE_MAIL" "$m"
check "... with a Subject naming the certificate" grep -qi "^Subject: Certificate expires on .*notify-e1-$TAG.demo.test" "$m"
check "... and a body naming it with its serial" grep -qF "serial $(col "$E1" serial_hex)" "$m"
run notify run
expect_eq "running again succeeds" "$rc" 0
expect_eq "... and sends nothing twice" "$(mails "notify-e1-$TAG.demo.test")" 1
expect_eq "... nor queues it twice" "$(ob "cert_id = $E1" "COUNT(*)")" 1
# A later, smaller window is a new event; a larger one already passed is not.
run customer set "$CERTMINT_CUSTOMER" notify.expiry_days 60,30,7,3
run notify run --now "$(utc '+3 days')"
expect_eq "the 3-day window, reached later, mails again" "$(ob "event_key = 'expiry:3:cert:$E1'" "status")" sent
expect_eq "... so two messages in all" "$(mails "notify-e1-$TAG.demo.test")" 2
run customer set "$CERTMINT_CUSTOMER" notify.expiry_days 60,30,7

# ---- the SMTP sink is down: nothing is lost
mkcsr e2 "notify-e2-$TAG.demo.test"
run issue --profile tls-server --csr "$T/e2.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
E2=$(sql "SELECT id FROM certificates WHERE common_name = 'notify-e2-$TAG.demo.test'")
sql "UPDATE certificates SET not_after = UTC_TIMESTAMP() + INTERVAL 20 DAY, requested_by = '$CERTMINT_ADMIN_PRINCIPAL' WHERE id = $E2"
read -r spid _ < "$CERTMINT_STACK/pids/smtp.pid"
kill -TERM "$spid"
for _ in $(seq 50); do pid_alive_smtp || break; sleep 0.1; done
check_not "the sink is stopped" pid_alive_smtp
run notify run
expect_eq "notify run with the sink down exits 1" "$rc" 1
expect_match "... saying one is to be retried" "$out" 'to retry [1-9]'
expect_eq "the message stays queued after one attempt" "$(ob "event_key = 'expiry:30:cert:$E2'" "CONCAT(status, '/', attempts)")" queued/1
expect_match "... with the SMTP error" "$(ob "event_key = 'expiry:30:cert:$E2'" last_error)" '^SMTP: '
expect_eq "... and its next attempt about a minute later" \
	"$(ob "event_key = 'expiry:30:cert:$E2'" "TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), next_attempt_at) BETWEEN 30 AND 61")" 1
run notify run
expect_eq "a run before that time does not try it again" "$(ob "event_key = 'expiry:30:cert:$E2'" attempts)" 1
tests/stack.sh up "$CERTMINT_STACK" > "$T/up.log" 2>&1
check "tests/stack.sh up brings the sink back" pid_alive_smtp
. "$CERTMINT_STACK/stack.env"
run notify run --now "$(utc '+2 minutes')"
expect_eq "once the attempt time has passed, notify run delivers it (exit 0)" "$rc" 0
expect_eq "... the message is sent" "$(ob "event_key = 'expiry:30:cert:$E2'" "CONCAT(status, '/', attempts)")" sent/2
expect_eq "... and arrived once" "$(mails "notify-e2-$TAG.demo.test")" 1

# ---- request, approve, decline through the portal
sql "UPDATE admins SET email = '$CAROL_MAIL' WHERE principal = '$CERTMINT_RAO_A_PRINCIPAL'"
sql "INSERT INTO organizations (customer_id, name, country, ssl_auto_approve) VALUES ($CUST, 'Notify $TAG', 'GB', 0)"
NORG=$(sql "SELECT id FROM organizations WHERE name = 'Notify $TAG'")
sql "INSERT INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state) SELECT d.id, $NORG, NULL, 'ssl', 'approved' FROM domains d WHERE d.customer_id = $CUST AND d.name = 'demo.test'"
sql "INSERT INTO admin_scopes (admin_id, org_id) SELECT id, $NORG FROM admins WHERE principal = '$CERTMINT_RAO_A_PRINCIPAL'"
mkcsr r1 "notify-r1-$TAG.demo.test"
mkcsr r2 "notify-r2-$TAG.demo.test"
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit as $CERTMINT_ADMIN_PRINCIPAL"
MCSRF=$(csrf)
post /certificates/new "csr@$T/r1.csr" profile=tls-server "org=$NORG" "csrf=$MCSRF" > /dev/null
R1=$(location); R1=${R1##*/}
post /certificates/new "csr@$T/r2.csr" profile=tls-server "org=$NORG" "csrf=$MCSRF" > /dev/null
R2=$(location); R2=${R2##*/}
expect_eq "two requests wait for approval" "$(col "$R1" status)/$(col "$R2" status)" requested/requested
expect_eq "each queued a mail to the RAO in scope" \
	"$(ob "event_key IN ('request:cert:$R1', 'request:cert:$R2') AND recipient = '$CAROL_MAIL'" "COUNT(*)")" 2
expect_eq "... not to the requester" \
	"$(ob "event_key = 'request:cert:$R1' AND recipient = '$ALICE_MAIL'" "COUNT(*)")" 0
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit as $CERTMINT_RAO_A_PRINCIPAL"
CCSRF=$(csrf)
post "/certificates/$R1/approve" "csrf=$CCSRF" > /dev/null
expect_eq "the RAO approves the first (303)" "$(status)" 303
post "/certificates/$R2/decline" "message=Use the wildcard $TAG instead" "csrf=$CCSRF" > /dev/null
expect_eq "... and declines the second with a message (303)" "$(status)" 303
expect_eq "the approval queued a mail to the requester" "$(ob "event_key = 'approve:cert:$R1'" recipient)" "$ALICE_MAIL"
expect_eq "... and so did the decline" "$(ob "event_key = 'decline:cert:$R2'" recipient)" "$ALICE_MAIL"
run notify run
expect_eq "notify run sends them" "$rc" 0
expect_eq "the waiting request's mail reached the RAO" "$(grep -lF "To: $CAROL_MAIL" $(grep -lF "request $R1 for notify-r1-$TAG" "$CERTMINT_MAILDIR"/new/*) 2>/dev/null | wc -l)" 1
m=$(mail_of "Certificate request approved: notify-r1-$TAG.demo.test")
check "the approval mail arrived" test -n "$m"
check "... to the requester" grep -qi "^To: $ALICE_MAIL" "${m:-/dev/null}"
check "... naming the approver" grep -qF "approved by $CERTMINT_RAO_A_PRINCIPAL" "${m:-/dev/null}"
m=$(mail_of "Certificate request declined: notify-r2-$TAG.demo.test")
check "the decline mail arrived" test -n "$m"
check "... with the message" grep -qF "Use the wildcard $TAG instead" "${m:-/dev/null}"

# ---- cm_outbox_enqueue: once per event and recipient, in the caller's transaction, caps checked
CHECK=$CERTMINT_BUILD/tests/tools/outbox-check
if [ -x "$CHECK" ]; then
	"$CHECK" "$CERTMINT_CONF" "$CUST" "$TAG" > "$T/check.tap" 2>&1
	while read -r line; do
		case $line in
		"ok "*) ok "enqueue: ${line#* - }" ;;
		"not ok "*) fail "enqueue: ${line#* - }" ;;
		esac
	done < "$T/check.tap"
	check "outbox-check finished" grep -q '^1\.\.' "$T/check.tap"
	sql "DELETE FROM outbox WHERE event_key LIKE 'check:$TAG:%'"
else
	fail "outbox-check built ($CHECK)"
fi

# ---- a message whose address cannot be used fails at once and can be retried from the portal
sql "INSERT INTO outbox (customer_id, kind, event_key, recipient, subject, body) VALUES ($CUST, 'test', 'bad:$TAG', 'not an address', 'x', 'x')"
run notify run
expect_eq "an unusable address is given up at once" "$(ob "event_key = 'bad:$TAG'" "CONCAT(status, '/', attempts)")" failed/1
expect_eq "... with an audit row outbox.failed" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.failed' AND object_id = '$(ob "event_key = 'bad:$TAG'" id)'")" 1
expect_eq "... and notify run says so (exit 1)" "$rc" 1

done_testing
