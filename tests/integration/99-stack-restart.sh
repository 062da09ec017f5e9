#!/bin/bash
# 99-stack-restart.sh: one crashed service of the private stack is brought back alone: after kill -9 of
# Apache's parent (its workers live on, holding the ports) and of signerd, `status` names what is down
# and the orphans, and `up` restarts just those on the same ports, keeping the services that still run.
# Runs last: the stack must be whole again for the browser tests.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
S=$CERTMINT_STACK
T=$(mktemp -d /tmp/cm-99-restart.XXXXXX)
trap 'rm -rf "$T"' EXIT
pid_of() { cut -d' ' -f1 "$S/pids/$1.pid" 2>/dev/null; }
# live (not zombie) members of a process group
group_live() { ps -o pid=,stat= -g "$1" 2>/dev/null | awk '$2 !~ /^Z/ { print $1 }'; }

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
expect_eq "the stack serves before the faults" "$(req_as alice /)" 200
url=$CERTMINT_URL
db_pid=$(pid_of mariadb)
kdc_pid=$(pid_of kdc)
admin_pid=$(pid_of admin)
apache_pid=$(pid_of apache)
kill -9 "$apache_pid" "$(pid_of signerd)"
sleep 1
check "Apache's workers outlive their parent (they hold the ports)" test -n "$(group_live "$apache_pid")"

tests/stack.sh status "$S" > "$T/status" 2>&1
expect_eq "status fails while a service is down" "$?" 1
check "status names the orphaned Apache workers" grep -q '^apache: stopped, but orphaned processes remain' "$T/status"
check "status says signerd is stopped" grep -qx 'signerd: stopped' "$T/status"
check "status says MariaDB still runs" grep -q '^mariadb: running' "$T/status"

tests/stack.sh up "$S" > "$T/up" 2>&1
expect_eq "up brings the stack back" "$?" 0
check "up keeps MariaDB" grep -q "mariadb already runs (pid $db_pid); kept" "$T/up"
check "up keeps the KDC" grep -q "kdc already runs (pid $kdc_pid); kept" "$T/up"
check "up keeps admin.fcgi" grep -q "admin already runs (pid $admin_pid); kept" "$T/up"
expect_eq "MariaDB is the same process" "$(pid_of mariadb)" "$db_pid"
check "Apache is a new process" test "$(pid_of apache)" != "$apache_pid"
check "the orphaned workers are gone" test -z "$(group_live "$apache_pid")"
. "$S/stack.env"
expect_eq "the URL (ports) did not change" "$CERTMINT_URL" "$url"
tests/stack.sh status "$S" > "$T/status" 2>&1
expect_eq "status is happy again" "$?" 0
expect_eq "the portal serves again" "$(req_as alice /)" 200
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -out "$T/r.csr" \
	-subj "/CN=restart-test.demo.test" -addext "subjectAltName=DNS:restart-test.demo.test" 2>/dev/null
check "the restarted signer issues again" env $CERTMINT_CLI issue --profile tls-server --any-name --csr "$T/r.csr" \
	--customer "$CERTMINT_CUSTOMER"
done_testing
