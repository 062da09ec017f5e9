#!/bin/bash
# 29-ocsp-refresh.sh: certmint ocsp refresh keeps the pre-signed OCSP store: every unexpired certificate of the issuing CA
# gets a response stock OpenSSL verifies (good, or revoked with reason and time) whose header times match it; a second
# run signs nothing; a revocation, a damaged or old file and --full are signed again; files of expired or unknown
# serials are removed, foreign names and symlink targets left alone; .state advances only after a clean run (not with
# signerd down or a refused response, which keep every file); audit rows; a few thousand certificates, timed.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

read -ra CLI <<< "$CERTMINT_CLI"
T=$(mktemp -d /tmp/cm-29-ocsp.XXXXXX)
trap 'rm -rf "$T"' EXIT

run() { out=$("${CLI[@]}" "$@" 2>"$T/stderr"); rc=$?; err=$(cat "$T/stderr"); }
refresh() { run ocsp refresh "$@"; }
STORE=$(sed -n '/^\[ocsp\]/,/^\[/s/^store = //p' "$CERTMINT_CONF")
PUB=$(sed -n '/^\[publish\]/,/^\[/s/^dir = //p' "$CERTMINT_CONF")
ISSUER=$PUB/ca/issuing.crt
CHAIN=$CERTMINT_CA_PEM
# serial_hex as certmint stores it: 32 lowercase hex digits (openssl drops a
# leading zero byte, which one serial in 128 has).
serial_of() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' | awk '{ while (length($0) < 32) $0 = "0" $0; print }'; }
# hdr FILE OFFSET: the big-endian uint64 at OFFSET of a store file's header.
hdr() { echo $((16#$(od -An -tx1 -j "$2" -N 8 "$1" | tr -d ' \n'))); }
status_byte() { od -An -tu1 -j 24 -N 1 "$1" | tr -d ' '; }
# ocsp SERIAL_HEX: what openssl says about the stored response of that serial.
ocsp() {
	tail -c +33 "$STORE/$1" > "$T/resp.der"
	openssl ocsp -respin "$T/resp.der" -issuer "$ISSUER" -CAfile "$CHAIN" -serial "0x$1" 2>&1
}
epoch() { date -u -d "$1" +%s; }
# field OUT NAME: "This Update" etc. of openssl ocsp's output, in seconds.
field() { epoch "$(sed -n "s/^[[:space:]]*$2: //p" <<< "$1" | head -n 1)"; }
summary() { sed -n 's/^ocsp refresh: //p' <<< "$out"; }
count() { sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p" <<< "$(summary)"; }
# refused: how many certificates the last run's signer refused (rows earlier
# tests inserted without the signer, and this test's own fake one).
refused() { local n; n=$(count refused); echo "${n:-0}"; }
watermark() { sed -n 's/^watermark //p' "$STORE/.state"; }
inode() { stat -c %i "$STORE/$1"; }
signer_pid() { cut -d" " -f1 "$CERTMINT_STACK/pids/signerd.pid" 2>/dev/null; }
audits() { sql "SELECT COUNT(*) FROM audit_log WHERE action = 'ocsp.refresh'"; }

TAG=$$$RANDOM
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")
ORG=$(sql "SELECT id FROM organizations WHERE customer_id = $CUST AND name = 'Demo Organisation' AND deleted_at IS NULL ORDER BY id LIMIT 1")

# ---- usage
run ocsp --help
expect_eq "ocsp --help exits 0" "$rc" 0
expect_match "... and describes --full, --jobs, --dry-run" "$out" "--full.*--jobs.*--dry-run"
refresh stray
expect_eq "a stray argument exits 1" "$rc" 1
refresh --jobs 0
expect_eq "--jobs 0 exits 1" "$rc" 1
refresh --jobs 17
expect_eq "--jobs 17 exits 1" "$rc" 1
check "the stack's store exists (made by stack.sh, refreshed at setup)" test -d "$STORE"
check "... with a watermark from setup" test -s "$STORE/.state"

# Whatever earlier tests left is brought up to date first, so what follows is about this test's certificates.
refresh
expect_eq "a first refresh exits 0" "$rc" 0
# Rows earlier tests inserted without the signer (never issued by it) are
# refused again by every run: what this test signs is counted on top of them.
refresh --dry-run
B=$(sed -n 's/^ocsp refresh (dry run): [0-9]* certificates, \([0-9]*\) to sign.*/\1/p' <<< "$out")
expect_match "a dry run before the fixture counts what is left to sign" "$B" '^[0-9]+$'

# ---- fixture: four certificates issued through the CLI: g stays good, r gets revoked, x expires, d is damaged
declare -A ID S
for k in g r x d; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-out "$T/$k.csr" -subj "/CN=ocsp-$k-$TAG.demo.test" -addext "subjectAltName=DNS:ocsp-$k-$TAG.demo.test" 2>/dev/null
	run issue --profile tls-server --csr "$T/$k.csr" --customer "$CERTMINT_CUSTOMER" --org "$ORG"
	printf '%s\n' "$out" > "$T/$k.pem"
	ID[$k]=$(sql "SELECT id FROM certificates WHERE common_name = 'ocsp-$k-$TAG.demo.test' AND status = 'issued'")
	S[$k]=$(serial_of "$T/$k.pem")
done
expect_match "four issued certificates" "${ID[g]} ${ID[r]} ${ID[x]} ${ID[d]}" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$'

# ---- --dry-run counts and changes nothing
W0=$(watermark)
n_audit=$(audits)
refresh --dry-run
expect_eq "--dry-run exits 0" "$rc" 0
expect_match "... counting the four new certificates to sign" "$out" "^ocsp refresh \(dry run\): [0-9]+ certificates, $((B + 4)) to sign"
check_not "... writing no file" test -e "$STORE/${S[g]}"
expect_eq "... nor the watermark" "$(watermark)" "$W0"
expect_eq "... nor an audit row" "$(audits)" "$n_audit"

# ---- a refresh signs them all
sleep 1
before=$(date -u +%s)
refresh
expect_eq "refresh exits 0" "$rc" 0
expect_match "... one summary line with counts, time and rate" "$out" \
	"^ocsp refresh: [0-9]+ certificates, 4 signed, [0-9]+ kept, 0 removed, 0 failed in [0-9.]+ s \([0-9]+ signatures/s\)"
W1=$(watermark)
expect_match ".state holds the watermark" "$W1" '^[0-9]+$'
check "... the database's clock at the start, less at most a minute ($W1 vs $before)" \
	test "$W1" -le "$before" -a "$W1" -ge $((before - 65))
check "... later than the last one ($W0 -> $W1)" test "$W1" -gt "$W0"
expect_eq "an audit row ocsp.refresh" "$(audits)" $((n_audit + 1))
expect_match "... by cli:USER, with the counts" \
	"$(sql "SELECT CONCAT(actor, ' ', after_json) FROM audit_log WHERE action = 'ocsp.refresh' ORDER BY id DESC LIMIT 1")" \
	"^cli:$(id -un) \{\"signed\":4,\"kept\":[0-9]+,\"removed\":0,\"failed\":0,.*\"watermark\":$W1"
expect_eq "store files are 0644, owned by root" "$(stat -c '%a %U' "$STORE/${S[g]}")" "644 root"
check_not "no temporary file left" compgen -G "$STORE/.tmp.*"

# Every unexpired issued certificate of the CA has a file that verifies as good, with the header's times
# (but those the signer refused in that run: rows it never issued).
REFUSED_ERR=$err
bad=0; n=0
while read -r s; do
	grep -q "certificate $s: the signer refused" <<< "$REFUSED_ERR" && continue
	n=$((n + 1))
	f=$STORE/$s
	o=$(ocsp "$s")
	if [ ! -f "$f" ] || ! grep -q "^Response verify OK" <<< "$o" || ! grep -qi "^0x$s: good" <<< "$o" ||
		[ "$(field "$o" "This Update")" != "$(hdr "$f" 8)" ] || [ "$(field "$o" "Next Update")" != "$(hdr "$f" 16)" ] ||
		[ "$(status_byte "$f")" != 0 ]; then
		bad=$((bad + 1)); diag "serial $s: $(tr '\n' ' ' <<< "$o")"
	fi
done < <(sql "SELECT serial_hex FROM certificates WHERE status = 'issued' AND not_after > UTC_TIMESTAMP() AND serial_hex IS NOT NULL")
check "every unexpired issued certificate ($n) has a response: verify OK, good, header times = this/nextUpdate" test "$bad" -eq 0 -a "$n" -ge 4
o=$(ocsp "${S[g]}")
expect_eq "nextUpdate is thisUpdate + 24 h (signerd's [ocsp] validity_hours default)" \
	$(( $(field "$o" "Next Update") - $(field "$o" "This Update") )) 86400

# ---- a second run signs nothing
declare -A INO
for k in g r x d; do INO[$k]=$(inode "${S[$k]}"); done
n_audit=$(audits)
sleep 1
refresh
expect_eq "a second run exits 0" "$rc" 0
expect_eq "... signs nothing" "$(count signed)" 0
expect_eq "... rewrites no file" "$(inode "${S[g]}")" "${INO[g]}"
expect_eq "... and writes no audit row" "$(audits)" "$n_audit"
W2=$(watermark)
check "... but advances the watermark ($W1 -> $W2)" test "$W2" -gt "$W1"

# ---- revoke r: the next run re-signs exactly that one, now revoked with its reason and time
run revoke "${S[r]}" --reason keyCompromise --customer "$CERTMINT_CUSTOMER"
expect_eq "certmint revoke r exits 0" "$rc" 0
refresh
expect_eq "the run after the revocation exits 0" "$rc" 0
expect_eq "... signs exactly one" "$(count signed)" 1
check "... r's file is new" test "$(inode "${S[r]}")" != "${INO[r]}"
expect_eq "... g's file is the same" "$(inode "${S[g]}")" "${INO[g]}"
o=$(ocsp "${S[r]}")
expect_match "openssl: r is revoked, response verify OK" "$(tr '\n' ' ' <<< "$o")" "Response verify OK.*0x${S[r]}: revoked"
expect_match "... reason keyCompromise" "$o" "Reason: keyCompromise"
expect_eq "... revocation time = revoked_at" "$(field "$o" "Revocation Time")" \
	"$(sql "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', revoked_at) FROM certificates WHERE id = ${ID[r]}")"
expect_eq "... header status revoked (1)" "$(status_byte "$STORE/${S[r]}")" 1
expect_eq "... header times = this/nextUpdate" "$(hdr "$STORE/${S[r]}" 8) $(hdr "$STORE/${S[r]}" 16)" \
	"$(field "$o" "This Update") $(field "$o" "Next Update")"

# ---- damaged files and an old header are signed again
head -c 20 "$STORE/${S[d]}" > "$T/short" && cat "$T/short" > "$STORE/${S[d]}"
# a sound header over a cut response
f=$STORE/${S[x]}; head -c $(( $(stat -c %s "$f") - 10 )) "$f" > "$T/cut" && cat "$T/cut" > "$f"
# g: a valid header past half its validity (thisUpdate 20 h ago, nextUpdate in 4 h)
now=$(date -u +%s)
be64() { printf '%016x' "$1" | sed 's/../\\x&/g'; }
{ printf 'CMOCSP1\n'; printf "$(be64 $((now - 72000)))"; printf "$(be64 $((now + 14400)))"; printf '\0\0\0\0\0\0\0\0'; tail -c +33 "$STORE/${S[g]}"; } > "$T/old"
cat "$T/old" > "$STORE/${S[g]}"
expect_eq "(g's header now says thisUpdate 20 h ago)" "$(hdr "$STORE/${S[g]}" 8)" $((now - 72000))
refresh
expect_eq "the run after the damage exits 0" "$rc" 0
expect_eq "... signs the three again" "$(count signed)" 3
for k in d x g; do
	o=$(ocsp "${S[$k]}")
	expect_match "... $k verifies as good again" "$(tr '\n' ' ' <<< "$o")" "Response verify OK.*0x${S[$k]}: good"
done
check "... g's thisUpdate is fresh" test "$(hdr "$STORE/${S[g]}" 8)" -ge "$now"

# ---- expired and unknown serials are removed; foreign names, directories and symlink targets are left alone
sql "UPDATE certificates SET not_after = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE id = ${ID[x]}"
cp "$STORE/${S[g]}" "$STORE/00ff00ff00ff00ff00ff00ff00ff00ff"
echo keep > "$STORE/README"
echo keep > "$STORE/ABCDEF"
mkdir -p "$STORE/abcdef"
echo target > "$T/target"
ln -sf "$T/target" "$STORE/abcd"
INO[g]=$(inode "${S[g]}")
refresh
expect_eq "the run after the expiry exits 0" "$rc" 0
expect_eq "... removes three files (expired x, unknown serial, the symlink of a serial's name)" "$(count removed)" 3
check_not "... x's file is gone" test -e "$STORE/${S[x]}"
check_not "... the unknown serial's file is gone" test -e "$STORE/00ff00ff00ff00ff00ff00ff00ff00ff"
check_not "... the symlink is gone" test -L "$STORE/abcd"
expect_eq "... but not what it pointed to" "$(cat "$T/target")" target
check "... README is left alone" test -f "$STORE/README"
check "... an upper-case name is left alone" test -f "$STORE/ABCDEF"
check "... a directory of a serial's name is left alone" test -d "$STORE/abcdef"
expect_eq "... g is kept" "$(inode "${S[g]}")" "${INO[g]}"
expect_match "... audit row with removed 3" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'ocsp.refresh' ORDER BY id DESC LIMIT 1")" '"signed":0,.*"removed":3,'
rm -rf "$STORE/README" "$STORE/ABCDEF" "$STORE/abcdef"

# ---- signerd stopped: exit 1, every file and the old watermark kept; back: the run succeeds
run revoke "${S[g]}" --reason superseded --customer "$CERTMINT_CUSTOMER"
expect_eq "certmint revoke g exits 0" "$rc" 0
ls -i "$STORE" | sort > "$T/files.before"
Wb=$(watermark)
pid=$(signer_pid)
check "signerd is running" kill -0 "$pid"
kill "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sleep 1
refresh
expect_eq "with signerd stopped the run exits 1" "$rc" 1
expect_match "... saying the signer failed" "$err" "signer"
cmp -s "$T/files.before" <(ls -i "$STORE" | sort)
expect_eq "... every file is kept as it was" "$?" 0
expect_eq "... g's response still says good" "$(status_byte "$STORE/${S[g]}")" 0
expect_eq "... the watermark is not advanced" "$(watermark)" "$Wb"
tests/stack.sh up "$CERTMINT_STACK" > "$T/up.log" 2>&1
check "tests/stack.sh up restarts signerd" kill -0 "$(signer_pid)"
refresh
expect_eq "with signerd back the run exits 0" "$rc" 0
o=$(ocsp "${S[g]}")
expect_match "... g is revoked (superseded) in its response" "$(tr '\n' ' ' <<< "$o")" "Response verify OK.*0x${S[g]}: revoked.*Reason: superseded"
check "... the watermark advanced ($Wb -> $(watermark))" test "$(watermark)" -gt "$Wb"

# ---- a serial the signer never issued: its response is refused, the others are signed, the watermark advances
fake=$(openssl rand -hex 16)
sql "INSERT INTO certificates (customer_id, cert_type, profile, status, serial_hex, common_name, not_before, not_after, issuer_id)
	SELECT $CUST, 'ssl', 'tls-server', 'issued', '$fake', 'never-issued-$TAG.test', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY, issuer_id
	FROM certificates WHERE id = ${ID[d]}"
Wb=$(watermark)
INO[d]=$(inode "${S[d]}")
sleep 1
refresh --full
expect_eq "a run with a refused response exits 0 (it is no failure of the run)" "$rc" 0
expect_match "... naming the serial and the signer's reason on stderr" "$err" "certificate $fake: the signer refused"
expect_match "... counted as refused, not failed" "$out" " [0-9]+ signed, .* 0 failed in .*; [0-9]+ refused by the signer"
expect_eq "... every other one signed (the refused batch is split until the refused one is alone)" \
	"$(count signed)" $(( $(sed -n 's/^\([0-9]*\) certificates.*/\1/p' <<< "$(summary)") - $(refused) ))
check_not "... no file for the refused serial" test -e "$STORE/$fake"
check "... d was signed again all the same" test "$(inode "${S[d]}")" != "${INO[d]}"
check "... the watermark advances all the same ($Wb -> $(watermark))" test "$(watermark)" -gt "$Wb"
expect_match "... audit row with failed 0, refused counted, a watermark" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'ocsp.refresh' ORDER BY id DESC LIMIT 1")" '"failed":0,"refused":[1-9][0-9]*,.*"watermark":[0-9]+'
sql "DELETE FROM certificates WHERE serial_hex = '$fake'"
Wb=$(watermark)
sleep 1
refresh
expect_eq "without it the run exits 0 too" "$rc" 0
check "... and the watermark advances" test "$(watermark)" -gt "$Wb"

# ---- --full re-signs every one
sleep 1
total=$(sql "SELECT COUNT(*) FROM certificates WHERE status IN ('issued', 'revoked') AND not_after > UTC_TIMESTAMP() AND serial_hex IS NOT NULL")
INO[d]=$(inode "${S[d]}")
refresh --full --jobs 3
expect_eq "--full exits 0" "$rc" 0
expect_eq "... signs all $total but the $(refused) the signer refuses" "$(count signed)" "$((total - $(refused)))"
check "... d's file is new" test "$(inode "${S[d]}")" != "${INO[d]}"
expect_eq "... the files are exactly the unexpired certificates the signer vouches for" \
	"$(find "$STORE" -maxdepth 1 -type f -name '[0-9a-f]*' | wc -l)" "$((total - $(refused)))"

# ---- a few thousand certificates, issued through the signer (bench/signer-load), imported by journal check
LOAD=$CERTMINT_BUILD/bench/signer-load
if [ -x "$LOAD" ]; then
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -out "$T/bulk.csr" \
		-subj "/CN=bulk-$TAG.demo.test" -addext "subjectAltName=DNS:bulk-$TAG.demo.test" 2>/dev/null
	n0=$(sql "SELECT COUNT(*) FROM certificates WHERE status = 'issued'")
	# A count, not a time: on a busy machine 8 s once gave only 466.
	timeout 600 "$LOAD" -s "$CERTMINT_SIGNER_SOCKET" -r "$T/bulk.csr" -c 2 -n "${CERTMINT_OCSP_BULK_COUNT:-1000}" \
		> "$T/load.out" 2>&1
	diag "$(cat "$T/load.out")"
	"${CLI[@]}" journal check --journal "$CERTMINT_JOURNAL" --min-age 0 > "$T/jc.out" 2> /dev/null
	n1=$(sql "SELECT COUNT(*) FROM certificates WHERE status = 'issued'")
	check "bulk: at least 1,000 more issued certificates ($n0 -> $n1)" test $((n1 - n0)) -ge 1000
	refresh
	expect_eq "bulk: the refresh exits 0" "$rc" 0
	expect_eq "... signing each new one" "$(count signed)" $((n1 - n0))
	diag "bulk: $(summary)"
	refresh --full
	expect_eq "bulk: --full exits 0" "$rc" 0
	diag "bulk --full (2 jobs): $(summary)"
	s=$(sql "SELECT serial_hex FROM certificates WHERE common_name = 'bulk-$TAG.demo.test' ORDER BY id DESC LIMIT 1")
	expect_match "... a bulk certificate's response verifies as good" "$(ocsp "$s" | tr '\n' ' ')" "Response verify OK.*: good"
	refresh
	expect_eq "bulk: a run with nothing to do signs nothing" "$(count signed)" 0
	diag "bulk, nothing to do: $(summary)"
else
	fail "bench/signer-load built ($LOAD)"
fi

done_testing
