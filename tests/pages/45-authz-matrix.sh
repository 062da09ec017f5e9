#!/bin/bash
# 45-authz-matrix.sh: every route of admin.fcgi (from `admin.fcgi --routes`) against every kind of
# administrator, as tests/pages/authz-matrix.txt says; fails when a route has no matrix line.
# Runs through the page harness: admin.fcgi on its socket, the principal as REMOTE_USER.
. tests/lib.sh
. tests/harness/harness.sh

harness_up || { fail "admin.fcgi serves its socket in the page harness"; done_testing; exit 1; }
T=$(mktemp -d /tmp/cm-45-authz.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
MATRIX=tests/pages/authz-matrix.txt
FCGI=$CERTMINT_BUILD/cgi/admin/admin.fcgi
URL=$CERTMINT_URL
WHO="mrao rao_a rao_b drao_a rao_ssl user"
declare -A PRINC PASS CSRF ID SECRET

PRINC[mrao]=$CERTMINT_ADMIN_PRINCIPAL;       PASS[mrao]=$CERTMINT_ADMIN_PASSWORD
PRINC[rao_a]=$CERTMINT_RAO_A_PRINCIPAL;      PASS[rao_a]=$CERTMINT_RAO_A_PASSWORD
PRINC[rao_b]=$CERTMINT_RAO_B_PRINCIPAL;      PASS[rao_b]=$CERTMINT_RAO_B_PASSWORD
PRINC[drao_a]=$CERTMINT_DRAO_PRINCIPAL;      PASS[drao_a]=$CERTMINT_DRAO_PASSWORD
PRINC[rao_ssl]=$CERTMINT_RAO_SSL_PRINCIPAL;  PASS[rao_ssl]=$CERTMINT_RAO_SSL_PASSWORD
PRINC[user]=$CERTMINT_USER_PRINCIPAL;        PASS[user]=$CERTMINT_USER_PASSWORD

# key METHOD PATH-TEMPLATE: the route-table form ("GET /admin/certificates/#").
key() {
	local p=${2%%\?*}
	[ "$p" != / ] && p=${p%/}
	printf '%s %s' "$1" "$(printf '%s' "$p" | sed -E 's#\{[A-Za-z0-9_]+\}#\##g')"
}

# ---- the real route table against the matrix
routes=$("$FCGI" --routes 2>/dev/null)
if [ -z "$routes" ]; then
	fail "admin.fcgi --routes lists the route table ($FCGI)"
	done_testing
	exit 1
fi
ok "admin.fcgi --routes lists $(printf '%s\n' "$routes" | wc -l) routes"
lines=$(grep -Ev '^[[:space:]]*(#|$)' "$MATRIX")
declare -A HAVE_LINE HAVE_ROUTE
while read -r m p _; do HAVE_LINE["$(key "$m" "$p")"]=1; done <<< "$lines"
while read -r m p _; do HAVE_ROUTE["$m $p"]=1; done <<< "$routes"
missing=""
while read -r m p _; do
	[ -n "${HAVE_LINE["$m $p"]:-}" ] || missing="$missing [$m $p]"
done <<< "$routes"
expect_eq "every route has a line in $MATRIX (missing:${missing:- none})" "$missing" ""
stray=""
while read -r m p _; do
	[ -n "${HAVE_ROUTE["$(key "$m" "$p")"]:-}" ] || stray="$stray [$m $p]"
done <<< "$lines"
expect_eq "every line of $MATRIX is a route (no route for:${stray:- none})" "$stray" ""
bad=$(printf '%s\n' "$lines" | awk '{ for (i = 3; i <= 8; i++) if ($i != "allow" && $i != "deny") { print; break } }')
expect_eq "every matrix line has allow/deny for all six principals" "$bad" ""

# ---- fixtures: ids of the demo objects, and one certificate of each kind, issued now
ID[orgA]=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ID[orgB]=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ID[deptA]=$(sql "SELECT id FROM departments WHERE org_id = '${ID[orgA]:-0}' AND name = 'Engineering' AND deleted_at IS NULL ORDER BY id LIMIT 1")
ID[deptB]=$(sql "SELECT id FROM departments WHERE org_id = '${ID[orgB]:-0}' AND deleted_at IS NULL ORDER BY id LIMIT 1")
SECRET[orgA]="Demo Organisation"; SECRET[orgB]="Other Organisation"
SECRET[deptA]="Engineering"; SECRET[deptB]=$(sql "SELECT name FROM departments WHERE id = '${ID[deptB]:-0}'")
for o in orgA orgB deptA deptB; do
	expect_match "fixture {$o} exists in the demo data" "${ID[$o]:-}" '^[0-9]+$'
done

# Administrators (ADMINS): the rows of alice, dave and erin.
ID[adm_mrao]=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_ADMIN_PRINCIPAL' AND deleted_at IS NULL")
ID[adm_raoB]=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_RAO_B_PRINCIPAL' AND deleted_at IS NULL")
ID[adm_drao]=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_DRAO_PRINCIPAL' AND deleted_at IS NULL")

# Domains (DOMAINS): demo.test of Demo Organisation, other.test of Other Organisation.
for d in domA:demo.test domB:other.test; do
	ID[${d%%:*}]=$(sql "SELECT d.id FROM domains d JOIN customers c ON c.id = d.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND d.name = '${d#*:}' AND d.deleted_at IS NULL")
	SECRET[${d%%:*}]=${d#*:}
done

# Active Directory servers (ADSERVERS): one of the demo customer, bound to no organisation.
SECRET[adsrv]="authz-ad-$$-$RANDOM"
# The customer's default when it has none, as the portal makes it: a live
# server without a default would break the one-default rule later tests rely on.
sql "INSERT INTO ad_servers (customer_id, name, domain, ldap_uris, base_dn, is_default) SELECT c.id, '${SECRET[adsrv]}', 'corp.demo.test', 'ldaps://dc1.corp.demo.test', 'DC=corp,DC=demo,DC=test', NOT EXISTS (SELECT 1 FROM ad_servers d WHERE d.customer_id = c.id AND d.is_default = 1 AND d.deleted_at IS NULL) FROM customers c WHERE c.uri = '$CERTMINT_CUSTOMER'"
ID[adsrv]=$(sql "SELECT id FROM ad_servers WHERE name = '${SECRET[adsrv]}' AND deleted_at IS NULL")

# Kerberos realms (REALMS): one of the demo customer without a keytab, soft-deleted on exit.
SECRET[realm]="authz-$$-$RANDOM.demo.test"
sql "INSERT INTO kerberos_realms (customer_id, windows_domain, realm, spn) SELECT id, '${SECRET[realm]}', UPPER('${SECRET[realm]}'), CONCAT('HTTP/ca.demo.test@', UPPER('${SECRET[realm]}')) FROM customers WHERE uri = '$CERTMINT_CUSTOMER'"
ID[realm]=$(sql "SELECT id FROM kerberos_realms WHERE windows_domain = '${SECRET[realm]}' AND deleted_at IS NULL")
trap 'sql "UPDATE kerberos_realms SET deleted_at = UTC_TIMESTAMP() WHERE windows_domain = '"'"'${SECRET[realm]}'"'"'" 2>/dev/null; rm -rf "$T"; harness_down' EXIT

# Persons (PERSONS): one in Demo Organisation / Engineering, one in Other Organisation.
for d in personA:"${ID[orgA]:-0}":"${ID[deptA]:-0}":demo.test personB:"${ID[orgB]:-0}":0:other.test; do
	IFS=: read -r pn po pd pdom <<< "$d"
	pe="authz-$pn-$$$RANDOM@$pdom"
	sql "INSERT INTO persons (customer_id, org_id, dept_id, email) SELECT customer_id, id, NULLIF($pd, 0), '$pe' FROM organizations WHERE id = $po"
	ID[$pn]=$(sql "SELECT id FROM persons WHERE email = '$pe'")
	SECRET[$pn]=$pe
done

# Outbox (OUTBOX, issue 9): a sent message of the demo customer ("Retry now" of it is 409: nothing changes).
SECRET[outbox_sent]="authz-outbox-$$-$RANDOM@demo.test"
sql "INSERT INTO outbox (customer_id, kind, event_key, recipient, subject, body, status, sent_at) SELECT id, 'test', 'authz:${SECRET[outbox_sent]}', '${SECRET[outbox_sent]}', 'authz matrix', 'authz matrix', 'sent', NOW() FROM customers WHERE uri = '$CERTMINT_CUSTOMER'"
ID[outbox_sent]=$(sql "SELECT id FROM outbox WHERE recipient = '${SECRET[outbox_sent]}'")

# SECRET[name]: what a refused body must not show about the object ('|' between phrases).
# fixture NAME PROFILE CN [ORG]: issues one certificate through the CLI.
fixture() {
	local name=$1 profile=$2 cn=$3 org=${4:-} args=()
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$name.key" \
		-out "$T/$name.csr" -subj "/CN=$cn" $([ "$profile" = tls-server ] && echo -addext "subjectAltName=DNS:$cn") 2>/dev/null
	[ -n "$org" ] && args=(--org "$org")
	if ! $CERTMINT_CLI issue --profile "$profile" --csr "$T/$name.csr" --customer "$CERTMINT_CUSTOMER" \
		"${args[@]}" > "$T/$name.pem" 2> "$T/$name.err"; then
		fail "fixture {$name} issued"; echo "# $(cat "$T/$name.err")"; return
	fi
	ID[$name]=$(sql "SELECT id FROM certificates WHERE common_name = '$cn' ORDER BY id DESC LIMIT 1")
	SECRET[$name]="$(sql "SELECT serial_hex FROM certificates WHERE id = '${ID[$name]:-0}'")|$cn"
	expect_match "fixture {$name} issued" "${ID[$name]:-}" '^[0-9]+$'
}
tag=$$-$RANDOM
fixture cert_orgA tls-server "authz-a-$tag.demo.test" "${ID[orgA]}"
fixture cert_deptA tls-server "authz-dept-$tag.demo.test" "${ID[orgA]}"
# The CLI issues for an organisation; the department is set on the row.
sql "UPDATE certificates SET dept_id = ${ID[deptA]:-NULL} WHERE id = ${ID[cert_deptA]:-0}"
fixture cert_codesignA code-signing "Authz Codesign $tag" "${ID[orgA]}"
fixture cert_noorg tls-server "authz-none-$tag.demo.test"

# ---- log every principal in, and collect its own CSRF token
for w in $WHO; do
	if ! login_as "$w" "${PRINC[$w]:-none}" "${PASS[$w]:-}"; then
		fail "kinit as $w (${PRINC[$w]:-unset})"
		continue
	fi
	st=$(req_as "$w" /admin/certificates/new)
	CSRF[$w]=$(csrf_of)
	if [ "$w" = user ]; then
		expect_eq "$w logs in and is refused (403)" "$st" 403
		CSRF[$w]=$(printf '0%.0s' {1..64})
	else
		expect_match "$w logs in and holds a CSRF token" "$st ${CSRF[$w]}" '^200 [0-9a-f]{64}$'
	fi
done

# Org B's certificate is issued by the MRAO through the portal, as in real use.
cn="authz-b-$tag.other.test"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/b.key" -out "$T/b.csr" \
	-subj "/CN=$cn" -addext "subjectAltName=DNS:$cn" 2>/dev/null
st=$(req_as mrao /admin/certificates/new --data-urlencode "csr@$T/b.csr" --data-urlencode profile=tls-server \
	--data-urlencode "org=${ID[orgB]:-}" --data-urlencode "csrf=${CSRF[mrao]:-}")
ID[cert_orgB]=$(sql "SELECT id FROM certificates WHERE common_name = '$cn' AND org_id = '${ID[orgB]:-0}' AND requested_by = '${PRINC[mrao]}'")
SECRET[cert_orgB]="$(sql "SELECT serial_hex FROM certificates WHERE id = '${ID[cert_orgB]:-0}'")|$cn"
expect_match "fixture {cert_orgB} issued by the MRAO in the portal ($st)" "$st ${ID[cert_orgB]:-}" '^303 [0-9]+$'

# ---- the matrix itself
col=0
for w in $WHO; do col=$((col + 1)); eval "COL_$w=$((col + 2))"; done
while read -r line; do
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	method=$1 tmpl=$2 body=${9:-}
	path=$tmpl secrets="" unresolved=""
	for ph in $(printf '%s' "$tmpl" | grep -Eo '\{[A-Za-z0-9_]+\}' | tr -d '{}'); do
		if [ -z "${ID[$ph]:-}" ]; then
			unresolved="$unresolved $ph"
			continue
		fi
		path=${path//\{$ph\}/${ID[$ph]}}
		secrets="$secrets|${SECRET[$ph]:-}"
	done
	if [ -n "$unresolved" ]; then
		fail "$method $tmpl: placeholders the test cannot resolve:$unresolved"
		continue
	fi
	for w in $WHO; do
		eval "want=\${$(eval "echo \$COL_$w")}"
		args=()
		if [ "$method" = POST ]; then
			args=(--data "csrf=${CSRF[$w]:-}${body:+&$body}")
		fi
		st=$(req_as "$w" "$path" -X "$method" "${args[@]}")
		if [ "$want" = allow ]; then
			case $st in
			401|403|404|405|5??|000) fail "$w may $method $path (got $st)"; echo "# $(sed 's/<[^>]*>//g' "$T/body" | tr -s ' \n' ' ' | head -c 300)" ;;
			*) ok "$w may $method $path ($st)" ;;
			esac
		else
			leak=""
			IFS='|' read -ra parts <<< "${secrets#|}"
			for s in "${parts[@]}"; do
				[ ${#s} -ge 4 ] && grep -qF -- "$s" "$T/body" && leak="$leak '$s'"
			done
			if [ "$w" = user ] && [ "$st" != 403 ]; then
				fail "$w (not an administrator) is refused $method $path with 403 (got $st)"
			elif [ "$st" != 403 ] && [ "$st" != 404 ]; then
				fail "$w is refused $method $path (got $st)"
			elif [ -n "$leak" ]; then
				fail "$w is refused $method $path without learning anything (body shows:$leak)"
			else
				ok "$w is refused $method $path ($st)"
			fi
		fi
	done
done <<< "$lines"

# ---- the list shows exactly the certificates the matrix lets each one view
for w in $WHO; do
	[ "$w" = user ] && continue
	req_as "$w" /admin/certificates > /dev/null
	for f in cert_orgA cert_deptA cert_codesignA cert_orgB cert_noorg; do
		serial=${SECRET[$f]%%|*}
		[ -n "$serial" ] || continue
		eval "c=\$COL_$w"
		want=$(printf '%s\n' "$lines" | awk -v p="/admin/certificates/{$f}" -v c="$c" '$1 == "GET" && $2 == p { print $c; exit }')
		if [ "$want" = allow ]; then
			check "$w sees {$f} in the certificate list" grep -qF "$serial" "$T/body"
		else
			check_not "$w does not see {$f} in the certificate list" grep -qF "$serial" "$T/body"
		fi
	done
done

done_testing
