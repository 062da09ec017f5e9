#!/bin/bash
# 60-domains.sh: domains in admin.fcgi: add (names normalised, bad ones refused next to the field), list filters and
# paging, delegate / undelegate, mark validated (audited) — which is what lets a certificate under it be issued —
# delete refused while delegated, and what RAOs of other organisations cannot see or do.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-60-domains.XXXXXX)
trap 'rm -rf "$T"; harness_down' EXIT
URL=$CERTMINT_URL/admin
TAG=$$-$RANDOM

audit_count() { sql "SELECT COUNT(*) FROM audit_log WHERE action = '$1' AND object_type = 'domain' AND object_id = '$2'"; }
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" -out "$T/$1.csr" \
		-subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}

ORG_A=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ORG_B=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
DEPT_A=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_A:-0}' AND name = 'Engineering' AND deleted_at IS NULL ORDER BY id LIMIT 1")
CUST=$(sql "SELECT id FROM customers WHERE uri = '$CERTMINT_CUSTOMER'")

if ! login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"; then
	fail "kinit as the MRAO"
	done_testing
	exit 1
fi
ok "kinit as the MRAO"

# --- the new-domain form and bad names
page=$(get /domains/new)
expect_eq "MRAO: GET the new-domain form is 200" "$(status)" 200
csrf=$(csrf_of "$page")
expect_match "the form carries a CSRF token" "$csrf" '^[0-9a-f]{64}$'
check "the navigation links to the domains" grep -q 'href="/admin/domains"' "$T/body"
post /domains/new "name=nocsrf-$TAG.example.test" >/dev/null
expect_eq "POST without a CSRF token is 403" "$(status)" 403
expect_eq "... and adds nothing" "$(sql "SELECT COUNT(*) FROM domains WHERE name LIKE 'nocsrf-$TAG%'")" 0
XSS="<script>alert(\"d$TAG\")</script>.example.test"
page=$(post /domains/new "name=$XSS" "csrf=$csrf")
expect_eq "a hostile name is refused with 400" "$(status)" 400
expect_match "... with the message next to the field" "$page" 'has-error'
check "... saying what is allowed" grep -q 'letters, digits and hyphens' "$T/body"
check "... keeping what was typed, escaped" grep -qF "value=\"&lt;script&gt;alert(&quot;d$TAG&quot;)&lt;/script&gt;.example.test\"" "$T/body"
case "$page" in *"<script>alert(\"d$TAG"*) fail "the hostile name is shown inert" ;; *) ok "the hostile name is shown inert" ;; esac
bad_name() {
	local name=$1 msg=$2
	post /domains/new "name=$name" "csrf=$csrf" >/dev/null
	if [ "$(status)" = 400 ] && grep -qF -- "$msg" "$T/body"; then ok "'$name' is refused: $msg"
	else fail "'$name' is refused: $msg (got $(status))"; fi
}
bad_name "" "Enter a domain name"
bad_name "localhost" "at least two labels"
bad_name "*.*.x$TAG.example.test" "whole first label"
bad_name "a*b.x$TAG.example.test" "whole first label"
bad_name "-x$TAG.example.test" "begin or end with a hyphen"
bad_name "x$TAG..example.test" "empty label"
bad_name "ab--x$TAG.example.test" "xn--"
bad_name "bücher-$TAG.example.test" "ASCII form"
bad_name "10.0.0.1" "IP address"
bad_name "$(printf 'a%.0s' {1..64}).example.test" "63 characters"
bad_name "$(printf 'abcdefghi.%.0s' {1..26})test" "253 characters"
expect_eq "none of them was stored" "$(sql "SELECT COUNT(*) FROM domains WHERE name LIKE '%x$TAG%' OR name LIKE '%$TAG%'")" 0

# --- add one (normalised) and refuse the duplicate
DOM="dom-$TAG.example.test"
post /domains/new "name=  Dom-$TAG.Example.TEST. " "csrf=$csrf" >/dev/null
expect_eq "POST a new domain is 303" "$(status)" 303
loc=$(header Location)
expect_match "redirect to the domain page" "$loc" '/admin/domains/[0-9]+$'
DID=${loc##*/}
expect_eq "the name is stored lower case without the trailing dot" "$(sql "SELECT name FROM domains WHERE id = ${DID:-0}")" "$DOM"
expect_eq "... not validated" "$(sql "SELECT validation_state FROM domains WHERE id = ${DID:-0}")" none
expect_eq "the creation is audited" "$(audit_count domain.create "$DID")" 1
page=$(post /domains/new "name=$DOM" "csrf=$csrf")
expect_eq "the same name again is 400" "$(status)" 400
expect_match "... 'already on the list' next to the field" "$page" 'already on the list'
post /domains/new "name=*.$DOM" "csrf=$csrf" >/dev/null
expect_eq "the wildcard *.$DOM is a domain of its own (303)" "$(status)" 303
WID=$(header Location); WID=${WID##*/}
expect_eq "... stored as typed" "$(sql "SELECT name FROM domains WHERE id = ${WID:-0}")" "*.$DOM"
page=$(get "/domains/$DID")
expect_eq "the domain page is 200" "$(status)" 200
expect_match "... shows the state" "$page" 'id="validation-state">none'
expect_match "... and 'Not delegated'" "$page" 'Not delegated'

# --- list: filter and paging
page=$(get "/domains?q=dom-$TAG")
expect_eq "the filtered list is 200" "$(status)" 200
check "... shows the domain" grep -qF ">$DOM<" "$T/body"
get "/domains?q=dom-$TAG&state=validated" >/dev/null
check_not "... not under 'validated'" grep -qF ">$DOM<" "$T/body"
get "/domains?q=dom-$TAG&state=none" >/dev/null
check "... but under 'not validated'" grep -qF ">$DOM<" "$T/body"
get "/domains?state=bogus" >/dev/null
expect_eq "an unknown state is 400" "$(status)" 400
for i in $(seq -w 1 55); do printf "(%s, 'pg$TAG-0%s.example.test')," "$CUST" "$i"; done > "$T/rows"
sql "INSERT INTO domains (customer_id, name) VALUES $(sed 's/,$//' "$T/rows")"
page=$(get "/domains?q=pg$TAG-")
expect_eq "50 rows on the first page" "$(grep -c ">pg$TAG-0" "$T/body")" 50
next=$(printf '%s' "$page" | sed -n 's/.*id="next" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
expect_match "... and a Next link after the 50th name" "$next" "after=pg$TAG-050"
get "${next#/admin}" >/dev/null
expect_eq "the second page holds the other 5" "$(grep -c ">pg$TAG-0" "$T/body")" 5
check "... starting with the 51st name" grep -qF ">pg$TAG-051.example.test<" "$T/body"
check_not "... not repeating the 50th" grep -qF ">pg$TAG-050.example.test<" "$T/body"
sql "DELETE FROM domains WHERE name LIKE 'pg$TAG-%'"

# --- delegate to Demo Organisation for SSL
page=$(post "/domains/$DID/delegate" "target=$ORG_A" "csrf=$csrf")
expect_eq "delegating without a type is 400" "$(status)" 400
expect_match "... 'Tick at least one' next to the types" "$page" 'id="types-error"'
check "... keeping the organisation chosen" grep -qE "<option value=\"$ORG_A\" selected>" "$T/body"
post "/domains/$DID/delegate" "target=$ORG_A" type_ssl=1 "csrf=$csrf" >/dev/null
expect_eq "delegating to Demo Organisation for SSL is 303" "$(status)" 303
expect_eq "the delegation is stored (approved)" \
	"$(sql "SELECT CONCAT(cert_type, ' ', state, ' ', COALESCE(dept_id, 0)) FROM domain_delegations WHERE domain_id = ${DID:-0} AND org_id = ${ORG_A:-0}")" "ssl approved 0"
expect_eq "the delegation is audited" "$(audit_count domain.delegate "$DID")" 1

# --- issuance under it: refused before validation, issued after
mkcsr pre "www.$DOM"
login_as alice
page=$(get /certificates/new)
post /certificates/new "csr@$T/pre.csr" profile=tls-server "org=$ORG_A" "csrf=$csrf" >/dev/null
expect_eq "before validation: issuing www.$DOM into Demo Organisation is 400" "$(status)" 400
check "... because it is not in a validated domain" grep -q 'not in a validated domain' "$T/body"
post "/domains/$DID/validate" method=dns "csrf=$csrf" >/dev/null
expect_eq "an unknown validation method is 400" "$(status)" 400
expect_eq "... and changes nothing" "$(sql "SELECT validation_state FROM domains WHERE id = ${DID:-0}")" none
post "/domains/$DID/validate" method=manual "csrf=$csrf" >/dev/null
expect_eq "MRAO marks it validated (303)" "$(status)" 303
expect_eq "state validated, method manual, with a date" \
	"$(sql "SELECT CONCAT(validation_state, ' ', validation_method, ' ', validated_at IS NOT NULL) FROM domains WHERE id = ${DID:-0}")" "validated manual 1"
expect_eq "one audit row domain.validate for it" "$(audit_count domain.validate "$DID")" 1
row=$(sql "SELECT CONCAT(actor, ' | ', before_json, ' | ', after_json) FROM audit_log WHERE action = 'domain.validate' AND object_id = '$DID'")
expect_match "... by the MRAO, before 'none' and after 'validated'" "$row" "$CERTMINT_ADMIN_PRINCIPAL.*\"validation_state\":\"none\".*\"validation_state\":\"validated\",\"validation_method\":\"manual\""
page=$(get "/domains/$DID")
expect_match "the page shows validated (manual) and the date" "$page" 'id="validation-state">validated \(manual\)'
check "... with a date" grep -qE 'id="validated-at">[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$T/body"
post /certificates/new "csr@$T/pre.csr" profile=tls-server "org=$ORG_A" "csrf=$csrf" >/dev/null
expect_eq "after validation: issuing www.$DOM into Demo Organisation is 303" "$(status)" 303
expect_eq "... and the certificate exists in that organisation" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE common_name = 'www.$DOM' AND org_id = ${ORG_A:-0}")" 1
mkcsr other "www.$DOM"
post /certificates/new "csr@$T/other.csr" profile=tls-server "org=$ORG_B" "csrf=$csrf" >/dev/null
expect_eq "... but not into Other Organisation (not delegated there): 400" "$(status)" 400

# --- RAO of B sees nothing of it
if login_as dave "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_RAO_B_PASSWORD"; then ok "kinit as the RAO of B"; else fail "kinit as the RAO of B"; fi
dcsrf=$(get /certificates/new >/dev/null; csrf_of "$(cat "$T/body")")
get /domains >/dev/null
check_not "RAO B's list does not show $DOM" grep -qF "$DOM" "$T/body"
check "... but shows other.test" grep -qF ">other.test<" "$T/body"
check_not "... and not demo.test" grep -qF ">demo.test<" "$T/body"
get "/domains/$DID" >/dev/null
expect_eq "RAO B: GET the domain is 404" "$(status)" 404
check_not "... without its name" grep -qF "$DOM" "$T/body"
post "/domains/$DID/delegate" "target=$ORG_B" type_ssl=1 "csrf=$dcsrf" >/dev/null
expect_eq "RAO B: delegating it to B is 404" "$(status)" 404
expect_eq "... and nothing is delegated to B" "$(sql "SELECT COUNT(*) FROM domain_delegations WHERE domain_id = ${DID:-0} AND org_id = ${ORG_B:-0}")" 0
post "/domains/$DID/validate" method=manual "csrf=$dcsrf" >/dev/null
expect_eq "RAO B: validate is 403" "$(status)" 403

# --- RAO of A: passes SSL on to its department, but cannot widen it
if login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD"; then ok "kinit as the RAO of A"; else fail "kinit as the RAO of A"; fi
ccsrf=$(get /certificates/new >/dev/null; csrf_of "$(cat "$T/body")")
get "/domains?q=dom-$TAG" >/dev/null
check "RAO A's list shows $DOM (delegated to A)" grep -qF ">$DOM<" "$T/body"
check_not "... not the undelegated wildcard" grep -qF ">*.$DOM<" "$T/body"
check_not "... nor how often domains are delegated elsewhere" grep -qF "<th>Delegations</th>" "$T/body"
get "/domains/$WID" >/dev/null
expect_eq "RAO A: the undelegated wildcard is 404" "$(status)" 404
post "/domains/$DID/delegate" "target=$ORG_A/$DEPT_A" type_client=1 "csrf=$ccsrf" >/dev/null
expect_eq "RAO A cannot delegate for client certificates (not delegated to A): 403" "$(status)" 403
post "/domains/$DID/delegate" "target=$ORG_B" type_ssl=1 "csrf=$ccsrf" >/dev/null
expect_eq "RAO A cannot delegate to Other Organisation: 403" "$(status)" 403
post "/domains/$DID/delegate" "target=$ORG_A/$DEPT_A" type_ssl=1 "csrf=$ccsrf" >/dev/null
expect_eq "RAO A delegates SSL on to Engineering: 303" "$(status)" 303
SUB=$(sql "SELECT id FROM domain_delegations WHERE domain_id = ${DID:-0} AND dept_id = ${DEPT_A:-0} AND cert_type = 'ssl'")
expect_match "... stored" "$SUB" '^[0-9]+$'
post "/domains/$DID/delete" "csrf=$ccsrf" >/dev/null
expect_eq "RAO A cannot delete the domain: 403" "$(status)" 403

# --- delete: refused while delegated, then done; the name can come back
login_as alice
post "/domains/$DID/delete" "csrf=$csrf" >/dev/null
expect_eq "MRAO: deleting a delegated domain is 409" "$(status)" 409
check "... saying why" grep -q 'Remove its delegations first' "$T/body"
for g in $(sql "SELECT id FROM domain_delegations WHERE domain_id = ${DID:-0}"); do
	post "/domains/$DID/undelegate" "delegation=$g" "csrf=$csrf" >/dev/null
	expect_eq "undelegate $g is 303" "$(status)" 303
done
expect_eq "undelegations are audited" "$(audit_count domain.undelegate "$DID")" 2
post "/domains/$DID/delete" "csrf=$csrf" >/dev/null
expect_eq "MRAO: deleting it now is 303" "$(status)" 303
expect_eq "... soft-deleted" "$(sql "SELECT deleted_at IS NOT NULL FROM domains WHERE id = ${DID:-0}")" 1
expect_eq "... and audited" "$(audit_count domain.delete "$DID")" 1
get "/domains/$DID" >/dev/null
expect_eq "the deleted domain is 404" "$(status)" 404
post /domains/new "name=$DOM" "csrf=$csrf" >/dev/null
expect_eq "the name can be added again (303)" "$(status)" 303
expect_eq "... starting unvalidated" "$(sql "SELECT CONCAT(validation_state, ' ', deleted_at IS NULL) FROM domains WHERE name = '$DOM'")" "none 1"
post "/domains/$WID/delete" "csrf=$csrf" >/dev/null
NID=$(sql "SELECT id FROM domains WHERE name = '$DOM'")
post "/domains/$NID/delete" "csrf=$csrf" >/dev/null
expect_eq "clean-up: deleted again" "$(status)" 303

done_testing
