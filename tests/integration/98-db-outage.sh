#!/bin/bash
# 98-db-outage.sh: MariaDB killed and brought back: admin.fcgi's workers answer 503 meanwhile and serve
# again without a restart; an admin.fcgi started while the database is down waits for it (backoff,
# logged) instead of exiting, then serves.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
S=$CERTMINT_STACK
T=$(mktemp -d /tmp/cm-98-db.XXXXXX)
second=
# Whatever happens, the stack's database comes back for the tests after this one.
trap '[ -n "$second" ] && kill "$second" 2>/dev/null; tests/stack.sh up "$S" > /dev/null 2>&1; rm -rf "$T"' EXIT
pid_of() { cut -d' ' -f1 "$S/pids/$1.pid" 2>/dev/null; }

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
expect_eq "the portal serves before the outage" "$(req_as alice /)" 200
admin_pid=$(pid_of admin)
kill -9 "$(pid_of mariadb)"
sleep 1
expect_eq "with the database down, a page is 503" "$(req_as alice /)" 503
check "... saying so" grep -qF "certmint cannot reach its database right now" "$T/body"

"$CERTMINT_BUILD/cgi/admin/admin.fcgi" -c "$S/certmint.conf" -s "$T/second.sock" -n 1 2> "$T/second.log" &
second=$!
sleep 3
check "an admin.fcgi started now keeps waiting instead of exiting" kill -0 "$second"
check "... and logs its retries" grep -q 'database: .*; retrying in [0-9.]* s' "$T/second.log"
check_not "... without serving yet" test -S "$T/second.sock"

tests/stack.sh up "$S" > "$T/up" 2>&1
expect_eq "up brings MariaDB back alone" "$?" 0
expect_eq "the stack's admin.fcgi is the same process" "$(pid_of admin)" "$admin_pid"
expect_eq "and serves again without a restart" "$(req_as alice /)" 200
for i in $(seq 1 80); do [ -S "$T/second.sock" ] && break; sleep 0.5; done
check "the waiting admin.fcgi opens its socket once the database is back" test -S "$T/second.sock"
code=$("$CERTMINT_BUILD/tests/tools/fcgi-call" -s "$T/second.sock" -U "$CERTMINT_ADMIN_PRINCIPAL" -o "$T/second.body" /admin/)
expect_eq "and serves alice" "$code" 200
done_testing
