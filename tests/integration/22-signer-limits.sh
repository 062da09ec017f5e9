#!/bin/bash
# 22-signer-limits.sh: the limits signerd holds by itself (issue 8), on raw frames: names
# outside signerd.conf [namespaces] refused whoever asks, EC keys without keyEncipherment,
# client-smime at most 825 days, CA subjects with a country, CA lifetimes within
# max_root_days/max_issuing_days, and a name-constrained issuing CA that openssl enforces.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"

PROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
SIGNERD="$CERTMINT_BUILD/signer/certmint-signerd"
SOCK="$CERTMINT_SIGNER_SOCKET"
T=$(mktemp -d)
: "${CERTMINT_SRCDIR:=$PWD}"
PRIV_PID=
cleanup() {
	[ -n "$PRIV_PID" ] && kill "$PRIV_PID" 2>/dev/null && wait "$PRIV_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
probe() { "$PROBE" -s "$SOCK" "$@" 2>&1; }

[ -x "$PROBE" ] || { fail "signer-probe built ($PROBE)"; done_testing; exit 1; }

# csr NAME SUBJECT [SAN] [rsa]: a CSR made with the openssl CLI (EC P-256 unless rsa).
csr() {
	local key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
	[ "${4:-}" = rsa ] && key=(-newkey rsa:2048)
	openssl req -new "${key[@]}" -nodes -keyout "$T/$1.key" -subj "$2" \
		${3:+-addext "subjectAltName=$3"} -out "$T/$1.csr" 2>/dev/null
}
journal_lines() { [ -r "${CERTMINT_JOURNAL:-}" ] && wc -l < "$CERTMINT_JOURNAL" || echo "?"; }

# ---- [namespaces] of the stack (tests/stack.sh): example.com, demo.test, 10.0.0.0/8 ... ----
csr in "/CN=www.example.com" "DNS:www.example.com,DNS:api.demo.test,IP:10.1.2.3,IP:2001:db8::5"
csr trick "/CN=www.example.com" "DNS:www.example.com,DNS:example.com.evil.test"
csr glued "/CN=evilexample.com" "DNS:evilexample.com"
csr cntrick "/CN=example.com.evil.test" "DNS:www.example.com"
csr wild "/CN=*.evil.test" "DNS:*.evil.test"
csr ip4 "/CN=ip.example.com" "DNS:ip.example.com,IP:8.8.8.8"
csr ip6 "/CN=ip6.example.com" "DNS:ip6.example.com,IP:2001:db9::1"
csr mailin "/CN=Alice Example" "email:alice@example.com"
csr mailout "/CN=Mallory Example" "email:mallory@evil.test"
csr mailtrick "/CN=Mallory Example" "email:mallory@example.com.evil.test"
csr subjmail "/CN=Mallory Example/emailAddress=mallory@evil.test" "email:alice@example.com"
csr rsa "/CN=rsa.example.com" "DNS:rsa.example.com" rsa

before=$(journal_lines)
out=$(probe issue -p tls-server -r "$T/in.csr" -o "$T/in.pem")
expect_match "names inside every name space issued" "$out" '^OK serial=[0-9a-f]{32}$'
expect_eq "... and journalled" "$(journal_lines)" "$([ "$before" = "?" ] && echo "?" || echo $((before + 1)))"

before=$(journal_lines)
out=$(probe issue -p tls-server -r "$T/trick.csr")
expect_match "DNS suffix trick example.com.evil.test refused, naming it" "$out" \
	'^REFUSED: the DNS name example.com.evil.test is outside the name spaces this signer may certify$'
out=$(probe issue -p tls-server -r "$T/glued.csr")
expect_match "evilexample.com (no label boundary) refused" "$out" \
	'^REFUSED: the (subject CN|DNS name) evilexample.com is outside'
out=$(probe issue -p tls-server -r "$T/cntrick.csr")
# The name rules (CN must repeat a SAN) run before the name spaces, so either
# refusal may name it; the CN's own name-space check is in test_namespace.
expect_match "a subject CN outside refused even with SANs inside" "$out" \
	'^REFUSED: the (subject CN example.com.evil.test is outside|subject.s CN "example.com.evil.test" is not one of)'
out=$(probe issue -p tls-server -r "$T/wild.csr")
expect_match "a wildcard outside refused" "$out" '^REFUSED: the (subject CN|DNS name) \*\.evil\.test is outside'
out=$(probe issue -p tls-server -r "$T/ip4.csr")
expect_match "an IPv4 address outside refused" "$out" '^REFUSED: the IP address 8.8.8.8 is outside'
out=$(probe issue -p tls-server -r "$T/ip6.csr")
expect_match "an IPv6 address outside refused" "$out" '^REFUSED: the IP address 2001:db9::1 is outside'
out=$(probe issue -p client-smime -r "$T/mailout.csr")
expect_match "an e-mail address at another domain refused" "$out" \
	'^REFUSED: the e-mail address mallory@evil.test is outside'
out=$(probe issue -p client-smime -r "$T/mailtrick.csr")
expect_match "an e-mail domain suffix trick refused" "$out" \
	'^REFUSED: the e-mail address mallory@example.com.evil.test is outside'
out=$(probe issue -p client-smime -r "$T/subjmail.csr")
expect_match "a subject emailAddress at another domain refused" "$out" \
	'^REFUSED: the subject emailAddress mallory@evil.test is outside'
# The request's own subject and SAN fields (a raw frame need not use the CSR's).
out=$(probe issue -p tls-server -r "$T/in.csr" -S "/CN=www.google.com" -n "DNS:www.google.com")
expect_match "names given in the request's fields are checked too" "$out" \
	'^REFUSED: the (subject CN|DNS name) www.google.com is outside'
expect_eq "no refused request journalled" "$(journal_lines)" "$before"
if [ -r "$CERTMINT_STACK/logs/signerd.log" ]; then
	expect_match "signerd logs the refusal with the name" "$(cat "$CERTMINT_STACK/logs/signerd.log")" \
		'refused issue \(profile tls-server\) for uid [0-9]+: the DNS name example.com.evil.test is outside'
fi
out=$(probe issue -p client-smime -r "$T/mailin.csr")
expect_match "an e-mail address inside issued" "$out" '^OK serial='

# The web program's uid (the first non-root uid with issue rights in [access]).
if [ "$(id -u)" = 0 ] && [ -r "${CERTMINT_SIGNER_CONF:-}" ]; then
	webuser=$(awk '/^\[/ { sec = $0; next } sec == "[access]" && $1 != "root" && $1 !~ /^#/ && /issue/ { print $1; exit }' \
		"$CERTMINT_SIGNER_CONF")
	if [ -n "$webuser" ] && id "$webuser" > /dev/null 2>&1; then
		mkdir -m 755 "$T/pub"
		chmod 711 "$T"
		cp "$T/trick.csr" "$T/in.csr" "$T/pub/"
		chmod 644 "$T/pub/"*.csr
		asweb() { setpriv --reuid="$webuser" --regid="$(id -g "$webuser")" --init-groups "$@"; }
		out=$(asweb "$PROBE" -s "$SOCK" issue -p tls-server -r "$T/pub/trick.csr" 2>&1)
		expect_match "as the web program's uid ($webuser): a name outside refused" "$out" \
			'^REFUSED: the DNS name example.com.evil.test is outside'
		out=$(asweb "$PROBE" -s "$SOCK" issue -p tls-server -r "$T/pub/in.csr" -S "/CN=www.google.com" -n "DNS:www.google.com" 2>&1)
		expect_match "as the web program's uid: www.google.com in the request's fields refused" "$out" \
			'^REFUSED: the (subject CN|DNS name) www.google.com is outside'
	else
		ok "# skip no web program uid with issue rights in $CERTMINT_SIGNER_CONF"
	fi
else
	ok "# skip web program uid test needs root and the stack's signerd.conf"
fi

# ---- key usage by key type (RFC 5480) ----
text=$(openssl x509 -in "$T/in.pem" -noout -ext keyUsage 2>/dev/null)
expect_match "EC tls-server leaf: keyUsage digitalSignature" "$text" 'Digital Signature'
check_not "EC tls-server leaf: no keyEncipherment" grep -q 'Key Encipherment' <<< "$text"
out=$(probe issue -p tls-server -r "$T/rsa.csr" -o "$T/rsa.pem")
expect_match "RSA tls-server issued" "$out" '^OK serial='
expect_match "RSA tls-server leaf keeps keyEncipherment" \
	"$(openssl x509 -in "$T/rsa.pem" -noout -ext keyUsage 2>/dev/null)" 'Digital Signature, Key Encipherment'
out=$(probe issue -p client-smime -r "$T/mailin.csr" -o "$T/mail.pem")
expect_match "EC client-smime issued" "$out" '^OK serial='
check_not "EC client-smime leaf: no keyEncipherment" \
	grep -q 'Key Encipherment' <<< "$(openssl x509 -in "$T/mail.pem" -noout -ext keyUsage 2>/dev/null)"

# ---- client-smime validity: at most 825 days; asking for more is refused, not clipped ----
out=$(probe issue -p client-smime -r "$T/mailin.csr" -d 826)
expect_match "client-smime for 826 days refused" "$out" \
	'^REFUSED: requested validity of 826 days exceeds the 825-day maximum of profile client-smime'
out=$(probe issue -p client-smime -r "$T/mailin.csr" -d 1095)
expect_match "client-smime for 1095 days refused" "$out" '^REFUSED: requested validity of 1095 days exceeds'
days=$(( ($(date -d "$(openssl x509 -in "$T/mail.pem" -noout -enddate | cut -d= -f2)" +%s) -
	$(date -d "$(openssl x509 -in "$T/mail.pem" -noout -startdate | cut -d= -f2)" +%s)) / 86400 ))
check "client-smime by default lives at most 825 days ($days)" test "$days" -le 825

# ---- CA creation: a private signerd (the stack's already has its CA) ----
P=$T/priv
mkdir -p "$P/vault" && chmod 700 "$P/vault"
openssl rand -hex 32 > "$P/vault.key" && chmod 400 "$P/vault.key"
# conf [extra signer lines] [namespaces body]
priv_conf() {
	cat > "$P/signerd.conf" <<EOF
[signer]
socket = $P/signer.sock
socket_mode = 0600
vault = $P/vault
vault_key_file = $P/vault.key
journal = $P/issued.log
profiles_file = $CERTMINT_SRCDIR/conf/signer-profiles.conf
log_level = info
$1
$2

[access]
$(id -un) = ca-init ca-chain issue
EOF
}


priv_conf "" ""
out=$(timeout 10 "$SIGNERD" -c "$P/signerd.conf" -f 2>&1); rc=$?
check "signerd without [namespaces] (and no 'namespaces = off') does not start" test "$rc" -ne 0 -a "$rc" -ne 124
expect_match "... and says what to write" "$out" "namespaces = off"

priv_conf "max_root_days = 3650
max_issuing_days = 1825" "[namespaces]
dns = example.com
email = example.com
ip = 10.0.0.0/8"
"$SIGNERD" -c "$P/signerd.conf" -f 2> "$P/signerd.log" &
PRIV_PID=$!
for _ in $(seq 1 50); do [ -S "$P/signer.sock" ] && break; sleep 0.1; done
pprobe() { "$PROBE" -s "$P/signer.sock" -t 60000 "$@" 2>&1; }
if [ -S "$P/signer.sock" ]; then
	out=$(pprobe ca-init -k ecdsa-p256 -R "/O=Test/CN=Test Root" -I "/C=GB/O=Test/CN=Test Issuing")
	expect_match "CA init with a root subject without C= refused" "$out" '^REFUSED: the root subject needs one country'
	out=$(pprobe ca-init -k ecdsa-p256 -R "/C=GB/O=Test/CN=Test Root" -I "/O=Test/CN=Test Issuing")
	expect_match "CA init with an issuing subject without C= refused" "$out" '^REFUSED: the issuing subject needs one country'
	out=$(pprobe ca-init -k ecdsa-p256 -R "/C=GB/O=Test/CN=Test Root" -I "/C=GB/O=Test/CN=Test Issuing" -D 3651)
	expect_match "root lifetime over max_root_days refused" "$out" \
		'^REFUSED: root CA validity of 3651 days is outside 1..3650 \(max_root_days of this signer\)'
	out=$(pprobe ca-init -k ecdsa-p256 -R "/C=GB/O=Test/CN=Test Root" -I "/C=GB/O=Test/CN=Test Issuing" -E 1826)
	expect_match "issuing lifetime over max_issuing_days refused" "$out" \
		'^REFUSED: issuing CA validity of 1826 days is outside 1..1825 \(max_issuing_days of this signer\)'
	out=$(pprobe ca-init -k rsa1024 -R "/C=GB/O=Test/CN=Test Root" -I "/C=GB/O=Test/CN=Test Issuing")
	expect_match "CA init with an unknown key type refused" "$out" '^REFUSED: key type must be rsa3072, rsa2048 or ecdsa-p256'
	# RSA-2048 (bench/scep's CA, the same private-key work as its peer's).
	out=$(pprobe ca-init -k rsa2048 -R "/C=GB/O=Test/CN=Test Root" -I "/C=GB/O=Test/CN=Test Issuing" -N)
	expect_match "name-constrained CA with countries created" "$out" '^OK CA created'
	pprobe chain > "$P/chain.pem"
	awk '/BEGIN CERTIFICATE/{n++} n==1' "$P/chain.pem" > "$P/issuing.pem"
	awk '/BEGIN CERTIFICATE/{n++} n==2' "$P/chain.pem" > "$P/root.pem"
	text=$(openssl x509 -in "$P/issuing.pem" -noout -text 2>/dev/null)
	expect_match "an rsa2048 CA has a 2048-bit issuing key" "$text" 'Public-Key: \(2048 bit\)'
	expect_match "... and a 2048-bit root key" "$(openssl x509 -in "$P/root.pem" -noout -text 2>/dev/null)" 'Public-Key: \(2048 bit\)'
	expect_match "issuing CA carries a critical nameConstraints" "$text" 'X509v3 Name Constraints: critical'
	expect_match "... permitting the DNS suffix" "$text" 'DNS:example.com'
	expect_match "... the mail domain and its subdomains" "$text" 'email:\.example\.com'
	expect_match "... and the IP range" "$text" 'IP:10\.0\.0\.0/255\.0\.0\.0'
	expect_match "root subject has its country" "$(openssl x509 -in "$P/root.pem" -noout -subject)" 'C ?= ?GB'
	days=$(( ($(date -d "$(openssl x509 -in "$P/root.pem" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
	check "root lifetime by default within max_root_days ($days days left)" test "$days" -le 3650
	# A leaf the signer issues verifies; one for another name, signed with the
	# issuing key outside the signer (what a stolen key would make), does not.
	csr pin "/CN=www.example.com" "DNS:www.example.com,IP:10.0.0.5"
	out=$(pprobe issue -p tls-server -r "$T/pin.csr" -o "$T/pin.pem")
	expect_match "private signer issues inside its name spaces" "$out" '^OK serial='
	check "a leaf inside the name constraints verifies" \
		openssl verify -CAfile "$P/root.pem" -untrusted "$P/issuing.pem" "$T/pin.pem"
	csr pout "/CN=www.google.com" "DNS:www.google.com"
	out=$(pprobe issue -p tls-server -r "$T/pout.csr")
	expect_match "private signer refuses www.google.com" "$out" '^REFUSED: the (subject CN|DNS name) www.google.com is outside'
	if openssl pkey -in "$P/vault/issuing.key" -passin "file:$P/vault.key" -out "$P/ica.key" 2>/dev/null; then
		printf 'subjectAltName=DNS:www.google.com\n' > "$T/ext"
		openssl x509 -req -in "$T/pout.csr" -CA "$P/issuing.pem" -CAkey "$P/ica.key" -CAcreateserial \
			-days 1 -extfile "$T/ext" -out "$T/pout.pem" 2>/dev/null
		out=$(openssl verify -CAfile "$P/root.pem" -untrusted "$P/issuing.pem" "$T/pout.pem" 2>&1)
		expect_match "openssl verify rejects a leaf outside the name constraints" "$out" 'permitted subtree violation'
		rm -f "$P/ica.key"
	else
		fail "the issuing key could be read for the outside-leaf check"
	fi
else
	fail "private signerd started ($(tail -3 "$P/signerd.log" 2>/dev/null))"
fi

done_testing
