#!/bin/sh
# certmint-autoenroll.sh: gets and renews a domain user's S/MIME certificate from certmint's autoenroll endpoint (POSIX sh, openssl, curl --negotiate).
#
# Run it with the user's Kerberos ticket (kinit, or the login's ticket on a
# domain-joined host), from cron or a systemd timer: every run asks certmint
# whether the certificate in the directory is due, and only then makes a new
# key and CSR. It does nothing when nothing is due, so running it often is
# harmless. The exit status is certmint's numbered code (0 = success; 1-30,
# see README "Auto-enrollment"), or one of the client-side conditions below.
#
# The portal fills the @...@ values below when it hands out the script; the
# options and environment variables override them, so the unfilled file
# works too. Usage: certmint-autoenroll.sh --help
#
# Client-side conditions (the same numbers as certmint-autoenroll.ps1):
#   101 Cannot open the certificate store   (the --dir directory)
#   102 No e-mail in AD                     (none given and none found)
#   103 Timeout
#   104 Cannot connect
#   105 Authentication error                (no Kerberos ticket, or refused)
#   106 Install error                       (cannot write the certificate)
#   107 Invalid configuration               (missing URL/customer, bad option)
#   108 Cannot create the key or CSR
#   109 Unexpected answer from certmint
#   110 No user name in AD                  (no CN given and none found)

set -u

FILLED_URL='@CERTMINT_URL@'
FILLED_CUSTOMER='@CERTMINT_CUSTOMER@'
FILLED_ORGID='@CERTMINT_ORGID@'
FILLED_DAYS='@CERTMINT_DAYS@'

PROG=certmint-autoenroll

# unfilled VALUE: true when VALUE is still a placeholder the portal did not
# fill (written as a pattern so the portal's substitution leaves it alone).
unfilled() {
	case $1 in @CERTMINT_*@) return 0 ;; esac
	return 1
}
filled() { if unfilled "$1"; then printf '%s' "$2"; else printf '%s' "$1"; fi; }

URL=${CERTMINT_URL:-$(filled "$FILLED_URL" "")}
CUSTOMER=${CERTMINT_CUSTOMER:-$(filled "$FILLED_CUSTOMER" "")}
ORGID=${CERTMINT_ORGID:-$(filled "$FILLED_ORGID" "")}
DAYS=${CERTMINT_DAYS:-$(filled "$FILLED_DAYS" "30")}
DIR=${CERTMINT_AUTOENROLL_DIR:-${HOME:-/tmp}/.certmint/autoenroll}
EMAIL=${CERTMINT_EMAIL:-}
CN=${CERTMINT_CN:-}
LDAP_URI=${CERTMINT_LDAP_URI:-}
LDAP_BASE=${CERTMINT_LDAP_BASE:-}
PRINCIPAL=${CERTMINT_PRINCIPAL:-}
CACERT=${CERTMINT_CACERT:-}
LOG=${CERTMINT_AUTOENROLL_LOG:-}
TIMEOUT=${CERTMINT_TIMEOUT:-60}
KEY_BITS=2048
ACTION=auto
FORCE=0

usage() {
	cat <<'EOF'
Usage: certmint-autoenroll.sh [options]
Gets or renews the S/MIME certificate of the Kerberos principal in the
ticket cache (KRB5CCNAME) from certmint's auto-enrollment endpoint.
  -u, --url URL         certmint's base URL (https://certs.example.com) or the
                        whole endpoint URL (.../customer/<uri>/autoenroll)
  -c, --customer URI    the customer's URI (with a base URL)
  -o, --orgid N         organisation id (default: certmint picks it from AD)
  -d, --days N          renew when fewer than N days are left (default 30)
  -D, --dir DIR         where key.pem, cert.pem, chain.pem and serial live
                        (default ~/.certmint/autoenroll)
  -e, --email ADDR      e-mail address for the CSR (as in AD)
  -n, --cn NAME         common name for the CSR (AD's cn, e.g. "Alice Smith")
      --ldap-uri URI    read mail and cn from AD (ldapsearch -Y GSSAPI)
                        when --email/--cn are not given
      --ldap-base DN    search base (default: DC=... of the realm)
      --principal P     the principal to look up (default: from klist)
      --cacert FILE     CA bundle that verifies certmint's TLS certificate
      --log FILE        also append the log lines to FILE
      --timeout SEC     per request (default 60)
      --key-bits N      RSA key size (default 2048, at least 2048)
      --action A        enroll, status or renew (default: status, then
                        enroll or renew when due)
      --force           make a new certificate even when nothing is due
  -h, --help
Environment: CERTMINT_URL, CERTMINT_CUSTOMER, CERTMINT_ORGID, CERTMINT_DAYS,
CERTMINT_AUTOENROLL_DIR, CERTMINT_EMAIL, CERTMINT_CN, CERTMINT_LDAP_URI,
CERTMINT_LDAP_BASE, CERTMINT_PRINCIPAL, CERTMINT_CACERT,
CERTMINT_AUTOENROLL_LOG, CERTMINT_TIMEOUT (options win).
Exit status: 0 done or nothing to do; 1-30 certmint's numbered answer;
101-110 a client-side condition (see the top of this file).
EOF
}

# log MESSAGE...: one time-stamped line on stderr and in --log.
log() {
	line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $PROG: $*"
	printf '%s\n' "$line" >&2
	if [ -n "$LOG" ]; then printf '%s\n' "$line" >> "$LOG" 2>/dev/null || :; fi
}

# die CODE MESSAGE: logs "error CODE MESSAGE" and exits with CODE.
die() {
	code=$1; shift
	log "error $code $*"
	exit "$code"
}

client_message() {
	case $1 in
	101) echo "Cannot open the certificate store" ;;
	102) echo "No e-mail in AD" ;;
	103) echo "Timeout" ;;
	104) echo "Cannot connect" ;;
	105) echo "Authentication error" ;;
	106) echo "Install error" ;;
	107) echo "Invalid configuration" ;;
	108) echo "Cannot create the key or CSR" ;;
	109) echo "Unexpected answer from certmint" ;;
	110) echo "No user name in AD" ;;
	esac
}
# fail CODE [DETAIL]: a client-side condition, with its fixed message.
fail() { die "$1" "$(client_message "$1")${2:+: $2}"; }

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	-h|--help) usage; exit 0 ;;
	--force) FORCE=1; shift; continue ;;
	-u|--url|-c|--customer|-o|--orgid|-d|--days|-D|--dir|-e|--email|-n|--cn|--ldap-uri|--ldap-base|\
	--principal|--cacert|--log|--timeout|--key-bits|--action)
		[ $# -ge 2 ] || fail 107 "$opt needs a value"
		val=$2; shift 2 ;;
	--*=*) val=${opt#*=}; opt=${opt%%=*}; shift ;;
	*) usage >&2; fail 107 "unknown option $opt" ;;
	esac
	case $opt in
	-u|--url) URL=$val ;;
	-c|--customer) CUSTOMER=$val ;;
	-o|--orgid) ORGID=$val ;;
	-d|--days) DAYS=$val ;;
	-D|--dir) DIR=$val ;;
	-e|--email) EMAIL=$val ;;
	-n|--cn) CN=$val ;;
	--ldap-uri) LDAP_URI=$val ;;
	--ldap-base) LDAP_BASE=$val ;;
	--principal) PRINCIPAL=$val ;;
	--cacert) CACERT=$val ;;
	--log) LOG=$val ;;
	--timeout) TIMEOUT=$val ;;
	--key-bits) KEY_BITS=$val ;;
	--action) ACTION=$val ;;
	*) usage >&2; fail 107 "unknown option $opt" ;;
	esac
done

# ---- configuration checks: everything the server would refuse anyway is
# caught here with a message that names the option.
isnum() { case $1 in ''|*[!0-9]*) return 1 ;; esac; return 0; }
[ -n "$URL" ] || fail 107 "no certmint URL (--url or CERTMINT_URL)"
case $URL in
*/autoenroll) ENDPOINT=$URL ;;
http://*|https://*)
	[ -n "$CUSTOMER" ] || fail 107 "no customer (--customer or CERTMINT_CUSTOMER)"
	case $CUSTOMER in *[!A-Za-z0-9._-]*) fail 107 "customer URI '$CUSTOMER' has characters a URI path cannot take" ;; esac
	ENDPOINT=${URL%/}/customer/$CUSTOMER/autoenroll ;;
*) fail 107 "the URL must start with http:// or https://" ;;
esac
isnum "$DAYS" && [ "$DAYS" -ge 1 ] && [ "$DAYS" -le 3650 ] || fail 107 "--days must be 1-3650"
[ -z "$ORGID" ] || isnum "$ORGID" || fail 107 "--orgid must be a number"
isnum "$TIMEOUT" && [ "$TIMEOUT" -ge 1 ] || fail 107 "--timeout must be a number of seconds"
isnum "$KEY_BITS" && [ "$KEY_BITS" -ge 2048 ] && [ "$KEY_BITS" -le 8192 ] || fail 107 "--key-bits must be 2048-8192"
case $ACTION in auto|enroll|status|renew) ;; *) fail 107 "--action must be enroll, status or renew" ;; esac
[ -z "$CACERT" ] || [ -r "$CACERT" ] || fail 107 "cannot read --cacert $CACERT"
command -v openssl >/dev/null 2>&1 || fail 107 "openssl is not installed"
command -v curl >/dev/null 2>&1 || fail 107 "curl is not installed"

# ---- the store: a private directory (the key never leaves it).
umask 077
mkdir -p "$DIR" 2>/dev/null && [ -d "$DIR" ] && [ -w "$DIR" ] || fail 101 "$DIR"
chmod 700 "$DIR" 2>/dev/null || :
TMP=$(mktemp -d "$DIR/.run.XXXXXX" 2>/dev/null) || fail 101 "cannot create a temporary directory in $DIR"
LOCK=$DIR/.lock
# One run at a time per directory: a second run (cron overlapping a slow
# one) leaves; a lock whose owner died is taken over.
if ! mkdir "$LOCK" 2>/dev/null; then
	owner=$(cat "$LOCK/pid" 2>/dev/null)
	if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
		rm -rf "$TMP"
		log "another run (pid $owner) is working in $DIR; nothing done"
		exit 0
	fi
	rm -rf "$LOCK"
	mkdir "$LOCK" 2>/dev/null || { rm -rf "$TMP"; fail 101 "cannot lock $DIR"; }
fi
echo $$ > "$LOCK/pid"
trap 'rm -rf "$TMP" "$LOCK"' EXIT
trap 'exit 130' INT TERM HUP

# ---- talking to certmint.

# call ACTION [SERIAL] [CSRFILE]: one POST; leaves the answer in $TMP/headers
# and $TMP/body, the HTTP status in HTTP, certmint's code in CODE ("" when
# the answer has none), and dies on a transport failure.
call() {
	: > "$TMP/headers"; : > "$TMP/body"
	set -- "$1" "${2:-}" "${3:-}"
	log "POST $ENDPOINT action=$1${2:+ serial=$2}${ORGID:+ orgid=$ORGID} days=$DAYS"
	# curl reads its arguments from a config file on stdin so that nothing
	# but the URL shows in ps; --negotiate -u : uses the ticket cache.
	{
		echo "silent"; echo "show-error"
		echo "negotiate"; echo 'user = ":"'
		echo "connect-timeout = $(( TIMEOUT < 15 ? TIMEOUT : 15 ))"
		echo "max-time = $TIMEOUT"
		echo "dump-header = \"$TMP/headers\""
		echo "output = \"$TMP/body\""
		echo 'write-out = "%{http_code}"'
		echo "data-urlencode = \"action=$1\""
		echo "data-urlencode = \"days=$DAYS\""
		echo "data-urlencode = \"format=pem\""
		[ -n "$ORGID" ] && echo "data-urlencode = \"orgid=$ORGID\""
		[ -n "$2" ] && echo "data-urlencode = \"serial=$2\""
		[ -n "$3" ] && echo "data-urlencode = \"csr@$3\""
		[ -n "$CACERT" ] && echo "cacert = \"$CACERT\""
	} > "$TMP/curl.conf"
	HTTP=$(curl -K "$TMP/curl.conf" "$ENDPOINT" 2>"$TMP/curl.err")
	rc=$?
	case $rc in
	0) ;;
	28) fail 103 "no answer from $ENDPOINT within $TIMEOUT s" ;;
	5|6|7|35|51|52|53|54|55|56|58|59|60|77|80|83|90|91) fail 104 "$ENDPOINT: $(head -n 1 "$TMP/curl.err")" ;;
	*) fail 104 "curl exit $rc: $(head -n 1 "$TMP/curl.err")" ;;
	esac
	CODE=$(header X-Autoenroll-Code)
	[ -n "$CODE" ] || CODE=$(field code)
	case $CODE in *[!0-9]*) CODE="" ;; esac
	MESSAGE=$(field message)
	if [ -z "$CODE" ]; then
		# No certmint answer: Apache refused the ticket, or something in
		# between answered.
		[ "$HTTP" = 401 ] && fail 105 "HTTP 401 from $ENDPOINT (no Kerberos ticket? run kinit; klist shows it)"
		fail 109 "HTTP $HTTP without X-Autoenroll-Code from $ENDPOINT"
	fi
	log "answer HTTP $HTTP code $CODE${MESSAGE:+ ($MESSAGE)}"
}
# header NAME: the value of header NAME (any case) in the last response of
# $TMP/headers (curl --negotiate writes Apache's first 401 there too).
header() {
	awk -v name="$1" '
		{ sub(/\r$/, "") }
		/^HTTP\// { v = ""; next }
		{
			i = index($0, ":")
			if (i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name)) {
				v = substr($0, i + 1); sub(/^[ \t]*/, "", v)
			}
		}
		END { print v }' "$TMP/headers"
}
# field KEY: a key=value line of a text answer.
field() {
	case $(header Content-Type) in text/plain*) ;; *) return 0 ;; esac
	sed -n "s/^$1=//p" "$TMP/body" | tr -d '\r' | head -n 1
}
# server_fail: exits with certmint's code and message.
server_fail() { die "$CODE" "${MESSAGE:-certmint answered code $CODE}"; }

# ---- who we are, and what AD says about us (for the CSR's subject).
principal() {
	[ -n "$PRINCIPAL" ] || PRINCIPAL=$(klist 2>/dev/null | sed -n 's/^Default principal: //p' | head -n 1)
	[ -n "$PRINCIPAL" ] || fail 105 "no Kerberos ticket (klist shows none; run kinit)"
}
# ad_lookup: fills EMAIL and CN from AD with the user's own ticket.
ad_lookup() {
	principal
	command -v ldapsearch >/dev/null 2>&1 || fail 107 "--ldap-uri needs ldapsearch (package ldap-utils)"
	user=${PRINCIPAL%@*}
	realm=${PRINCIPAL#*@}
	base=$LDAP_BASE
	[ -n "$base" ] || base=$(printf '%s' "$realm" | tr 'A-Z' 'a-z' | sed 's/^/DC=/; s/\./,DC=/g')
	# An LDAP filter's special characters are escaped (RFC 4515).
	esc() { printf '%s' "$1" | sed 's/\\/\\5c/g; s/\*/\\2a/g; s/(/\\28/g; s/)/\\29/g'; }
	filter="(&(objectClass=user)(|(sAMAccountName=$(esc "$user"))(userPrincipalName=$(esc "$PRINCIPAL"))))"
	if ! ldapsearch -LLL -Q -Y GSSAPI -N -o ldif_wrap=no -o nettimeout="$TIMEOUT" -l "$TIMEOUT" \
		-H "$LDAP_URI" -b "$base" "$filter" mail cn > "$TMP/ad.ldif" 2> "$TMP/ad.err"; then
		fail 104 "AD lookup at $LDAP_URI failed: $(head -n 1 "$TMP/ad.err")"
	fi
	# The first entry only (AD answers referrals as well); values in
	# base64 (attr:: ...) are decoded.
	awk '/^dn:/ { n++ } n == 1' "$TMP/ad.ldif" > "$TMP/ad.entry"
	[ -z "$EMAIL" ] && EMAIL=$(ldif_value mail)
	[ -z "$CN" ] && CN=$(ldif_value cn)
	log "AD ($LDAP_URI) for $PRINCIPAL: mail '${EMAIL}', cn '${CN}'"
}
ldif_value() {
	v=$(sed -n "s/^$1: //p" "$TMP/ad.entry" | head -n 1)
	if [ -z "$v" ]; then
		v=$(sed -n "s/^$1:: //p" "$TMP/ad.entry" | head -n 1)
		[ -n "$v" ] && v=$(printf '%s\n' "$v" | openssl base64 -d -A 2>/dev/null)
	fi
	printf '%s' "$v"
}

# new_csr: a new key ($TMP/key.pem) and CSR ($TMP/csr.pem) for EMAIL and CN.
new_csr() {
	if [ -z "$EMAIL" ] || [ -z "$CN" ]; then
		[ -n "$LDAP_URI" ] && ad_lookup
	fi
	[ -n "$EMAIL" ] || fail 102 "give --email, or --ldap-uri to read it from AD"
	[ -n "$CN" ] || fail 110 "give --cn, or --ldap-uri to read it from AD"
	# What a mail attribute holds in practice; anything else (spaces,
	# '/', ',') would also change the meaning of -subj and -addext.
	case $EMAIL in
	*[!A-Za-z0-9._+@-]*|*@*@*|@*|*@|*..*) fail 102 "'$EMAIL' is not an e-mail address" ;;
	*@*) ;;
	*) fail 102 "'$EMAIL' is not an e-mail address" ;;
	esac
	# -subj treats '/' and '\' as syntax: escape them; -utf8 keeps names
	# such as "Zoë" as they are in AD.
	subj_cn=$(printf '%s' "$CN" | sed 's/[\\/]/\\&/g')
	openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$KEY_BITS" -out "$TMP/key.pem" 2>"$TMP/openssl.err" ||
		fail 108 "openssl genpkey: $(head -n 1 "$TMP/openssl.err")"
	openssl req -new -utf8 -key "$TMP/key.pem" -subj "/CN=$subj_cn/emailAddress=$EMAIL" \
		-addext "subjectAltName=email:$EMAIL" -sha256 -out "$TMP/csr.pem" 2>"$TMP/openssl.err" ||
		fail 108 "openssl req: $(head -n 1 "$TMP/openssl.err")"
	log "new RSA-$KEY_BITS key and CSR for CN=$CN, E=$EMAIL"
}

# install_answer: checks the PEM chain in the answer against our new key and puts
# key.pem, cert.pem, chain.pem and serial in place (each by rename).
install_answer() {
	awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 1' "$TMP/body" > "$TMP/cert.pem"
	openssl x509 -in "$TMP/cert.pem" -noout 2>/dev/null || fail 109 "the answer holds no PEM certificate"
	want=$(openssl pkey -in "$TMP/key.pem" -pubout 2>/dev/null)
	got=$(openssl x509 -in "$TMP/cert.pem" -noout -pubkey 2>/dev/null)
	[ -n "$want" ] && [ "$want" = "$got" ] || fail 109 "the certificate is not for the key this run made"
	serial=$(header X-Autoenroll-Serial)
	[ -n "$serial" ] || serial=$(openssl x509 -in "$TMP/cert.pem" -noout -serial | sed 's/^serial=//')
	cp "$TMP/body" "$TMP/chain.pem" && printf '%s\n' "$serial" > "$TMP/serial" || fail 106 "cannot write in $TMP"
	# The key first: a crash between the renames leaves a key without its
	# certificate, which the next run replaces (status finds no match).
	for f in key.pem cert.pem chain.pem serial; do
		mv -f "$TMP/$f" "$DIR/$f" || fail 106 "cannot write $DIR/$f"
	done
	chmod 600 "$DIR/key.pem" || fail 106 "cannot chmod $DIR/key.pem"
	chmod 644 "$DIR/cert.pem" "$DIR/chain.pem" "$DIR/serial" 2>/dev/null || :
	log "installed certificate serial $serial ($(openssl x509 -in "$DIR/cert.pem" -noout -enddate)) in $DIR"
}

# enroll|renew SERIAL: new key and CSR, one POST, install.
request() {
	new_csr
	call "$1" "${2:-}" "$TMP/csr.pem"
	[ "$CODE" = 0 ] || server_fail
	result=$(header X-Autoenroll-Result)
	case $result in
	issued|renewed) install_answer; log "done: $result" ;;
	*)
		# renew answered valid: another run renewed first, nothing issued.
		r=$(field result)
		[ "$r" = valid ] || fail 109 "code 0 without a certificate (result '$result$r')"
		log "nothing to do: certificate $2 has $(field days_left) days left (not after $(field not_after))"
		;;
	esac
}

# The serial of the certificate we hold, when key and certificate are there.
held=""
if [ -s "$DIR/key.pem" ] && [ -s "$DIR/cert.pem" ] && [ -s "$DIR/serial" ]; then
	held=$(head -n 1 "$DIR/serial")
	case $held in ''|*[!0-9A-Fa-f]*) log "ignoring $DIR/serial: not a hex serial"; held="" ;; esac
fi

case $ACTION in
enroll) request enroll ;;
renew)
	[ -n "$held" ] || fail 107 "--action renew needs a certificate in $DIR"
	request renew "$held" ;;
status)
	[ -n "$held" ] || fail 107 "--action status needs a certificate in $DIR"
	call status "$held"
	[ "$CODE" = 0 ] || server_fail
	log "status: $(field result), $(field days_left) days left (not after $(field not_after))"
	printf 'result=%s\nserial=%s\nnot_after=%s\ndays_left=%s\n' "$(field result)" "$held" \
		"$(field not_after)" "$(field days_left)" ;;
auto)
	if [ -z "$held" ]; then
		log "no certificate in $DIR: enrolling"
		request enroll
	elif [ "$FORCE" = 1 ]; then
		# days=3650 is past any validity: certmint renews whatever is left.
		log "--force: renewing $held"
		DAYS=3650
		request renew "$held"
	else
		call status "$held"
		if [ "$CODE" = 25 ]; then
			# certmint no longer knows the certificate we hold (another
			# instance, or its record was removed): start afresh.
			log "certmint has no certificate $held for us: enrolling"
			request enroll
		else
			[ "$CODE" = 0 ] || server_fail
			case $(field result) in
			valid) log "nothing to do: $(field days_left) days left (not after $(field not_after))" ;;
			due) log "due: $(field days_left) days left, renewing $held"; request renew "$held" ;;
			*) fail 109 "status answered result '$(field result)'" ;;
			esac
		fi
	fi ;;
esac
exit 0
