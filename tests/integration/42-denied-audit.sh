#!/bin/bash
# 42-denied-audit.sh: refused logins are audited, but at most once per ten
# minutes per principal, so a refused user cannot flood the audit log.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG

T=$(mktemp -d /tmp/cm-42-denied.XXXXXX)
trap 'rm -rf "$T"' EXIT

denied() { sql "SELECT COUNT(*) FROM audit_log WHERE action = 'login.denied' AND actor = '$CERTMINT_USER_PRINCIPAL'" 2>/dev/null || echo "query-failed-$RANDOM"; }

if ! login_as user "$CERTMINT_USER_PRINCIPAL" "$CERTMINT_USER_PASSWORD"; then
	fail "kinit as the non-administrator"
	done_testing
	exit 1
fi
ok "kinit as the non-administrator"
before=$(denied)
recent=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'login.denied' AND actor = '$CERTMINT_USER_PRINCIPAL' AND at > UTC_TIMESTAMP(6) - INTERVAL 10 MINUTE" 2>/dev/null)
expect_match "the audit log can be read" "$before $recent" '^[0-9]+ [0-9]+$'
# A refusal in the last ten minutes means none of these is written again;
# otherwise exactly the first one is.
if [ "${recent:-0}" -gt 0 ] 2>/dev/null; then want=$before; else want=$((before + 1)); fi
codes=""
for _ in 1 2 3 4 5; do
	codes="$codes $(curl -s --negotiate -u : -o /dev/null -w '%{http_code}' "$CERTMINT_URL/admin/")"
done
expect_eq "every refused request gets 403" "$codes" " 403 403 403 403 403"
expect_eq "five refusals wrote at most one audit row" "$(denied)" "$want"
check "the audit chain is still intact" $CERTMINT_CLI audit verify
done_testing
