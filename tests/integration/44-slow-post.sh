#!/bin/bash
# 44-slow-post.sh: slow request bodies cannot lock administrators out: a Kerberos user who is no
# administrator is refused on the headers (its body is never read), and Apache (mod_reqtimeout)
# cuts off an administrator's body that trickles in, while the other administrators keep being served.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
T=$(mktemp -d /tmp/cm-44-slow.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
# Form bodies of 16 KiB (16 s at 1 KiB/s) and 4 KiB (40 s at 100 bytes/s).
{ printf 'csrf=x&csr='; head -c 16384 /dev/zero | tr '\0' 'a'; } > "$T/body16k"
{ printf 'csrf=x&csr='; head -c 4096 /dev/zero | tr '\0' 'a'; } > "$T/body4k"

# slow USER PASSWORD RATE BODY OUT: one https POST with Basic login whose body goes at RATE bytes/s.
slow() {
	curl -s --cacert "$CERTMINT_CA_PEM" -u "${1%@*}:$2" --limit-rate "$3" -o /dev/null \
		-H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$4" \
		-w '%{http_code} %{time_total}\n' "$CERTMINT_HTTPS_URL/admin/certificates/new" > "$5" 2>&1
}

# Twice as many slow uploads from bob (not an administrator) as admin.fcgi has workers.
for i in 1 2 3 4 5 6 7 8; do
	slow "$CERTMINT_USER_PRINCIPAL" "$CERTMINT_USER_PASSWORD" 1024 "$T/body16k" "$T/bob.$i" &
	pids+=($!)
done
sleep 2
start=$(date +%s%N)
code=$(req_as alice /)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "alice is served while bob trickles 8 uploads" "$code" 200
# Before, the uploads held all four workers until they ended (16 s here).
check "... without waiting for them (took $ms ms)" test "$ms" -lt 10000
wait "${pids[@]}" 2>/dev/null
pids=()
bad=0
for i in 1 2 3 4 5 6 7 8; do
	read -r c secs < "$T/bob.$i"
	# Refused on the headers: 403 before the body is read (curl may still be
	# sending when the answer comes, hence no lower bound on the time).
	[ "$c" = 403 ] || { bad=$((bad + 1)); diag "bob upload $i: $c after $secs s"; }
done
expect_eq "every one of bob's uploads is refused with 403" "$bad" 0

# An administrator's own body at 100 bytes/s (under mod_reqtimeout's 500) is cut off.
slow "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" 100 "$T/body4k" "$T/alice" &
pids+=($!)
sleep 2
code=$(req_as carol /)
expect_eq "carol is served while alice's upload trickles" "$code" 200
wait "${pids[@]}" 2>/dev/null
pids=()
read -r c secs < "$T/alice"
expect_eq "the trickling upload is cut off with 408 Request Timeout" "$c" 408
check "... long before it would have ended (took $secs s of 40)" awk -v s="$secs" 'BEGIN { exit !(s < 30) }'
expect_eq "admin.fcgi still serves afterwards" "$(req_as alice /)" 200
done_testing
