#!/bin/bash
# 58-request-flow.sh: the issue form as a first-time user meets it: a replayed or doubled POST makes one
# certificate, a second live certificate for a key needs a confirmation, Preview reaches Issue's verdict,
# a clipped term is shown before and after issuing, and the requester cannot approve their own request.
. tests/lib.sh
. tests/harness/harness.sh
harness_up || { fail "the page harness starts"; done_testing; exit 1; }

T=$(mktemp -d /tmp/cm-58-flow.XXXXXX)
read -ra CLI <<< "$CERTMINT_CLI"
# The page stack may be shared: the customer's setting goes back to its default.
trap '"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" approval.self_approve off >/dev/null 2>&1; rm -rf "$T"; harness_down' EXIT

tag=$$-$RANDOM
cn_count() { sql "SELECT COUNT(*) FROM certificates WHERE common_name = '$1'" 2>/dev/null || echo "query-failed-$RANDOM"; }
# mkcsr NAME CN: a new EC key and its CSR with CN and the same DNS name.
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-out "$T/$1.csr" -subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>/dev/null
}
# mkcsr_key NAME KEY CN: a CSR for an existing key.
mkcsr_key() {
	openssl req -new -key "$T/$2.key" -out "$T/$1.csr" -subj "/CN=$3" -addext "subjectAltName=DNS:$3" 2>/dev/null
}
# submission_of: the one-time token of the form in the last answer.
submission_of() { sed -n 's/.*name="submission" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1; }
# cert_id_of LOCATION: the certificate id a redirect names.
cert_id_of() { printf '%s' "$1" | sed -n 's|^.*/admin/certificates/\([0-9]*\).*|\1|p'; }
# form_error: the error text under the CSR field in the last answer.
form_error() { tr '\n' ' ' < "$T/body" | grep -o 'id="csr-error">[^<]*' | sed 's/.*">//'; }

org_a=$(sql "SELECT id FROM organizations WHERE name = 'Demo Organisation' AND deleted_at IS NULL LIMIT 1")
expect_match "the demo organisation exists" "$org_a" '^[0-9]+$'

login_as alice "$CERTMINT_ADMIN_PRINCIPAL"

# ---- 1. a replayed POST answers with the certificate the first one made
cn1="flow-replay-$tag.demo.test"
mkcsr r1 "$cn1"
get /certificates/new > /dev/null
TOKEN=$(csrf_of)
SUB=$(submission_of)
expect_match "the issue form carries a one-time submission token" "$SUB" '^[0-9a-f]{64}$'
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/r1.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "first POST issues (303)" "$(status)" 303
first=$(cert_id_of "$(location)")
expect_match "... to the new certificate" "$first" '^[0-9]+$'
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/r1.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "the same POST again (Back, then Issue) answers 303" "$(status)" 303
expect_eq "... to the certificate the first POST made" "$(cert_id_of "$(location)")" "$first"
get "/certificates/$first" > /dev/null
check "the certificate page says it was already submitted" grep -qF 'This form was already submitted' "$T/body"
get "/certificates/$first" > /dev/null
check_not "... once" grep -qF 'This form was already submitted' "$T/body"
expect_eq "one certificate for the replayed form" "$(cn_count "$cn1")" 1

# ---- 2. two POSTs at once with one token: one certificate
cn2="flow-double-$tag.demo.test"
mkcsr r2 "$cn2"
get /certificates/new > /dev/null
TOKEN=$(csrf_of)
SUB=$(submission_of)
pids=()
for i in 1 2; do
	mkdir -p "$T/p$i"
	cp "$T/alice.jar" "$T/p$i/alice.jar" 2>/dev/null
	cp "$T/alice.user" "$T/p$i/alice.user"
	(csr=$T/r2.csr; T=$T/p$i; JAR=$T/alice.jar; post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$csr" \
		profile=tls-server "org=$org_a" > /dev/null) &
	pids+=($!)
done
# Only these two: the harness's program is a background job of this shell too.
wait "${pids[@]}"
s1=$(cat "$T/p1/status") s2=$(cat "$T/p2/status")
expect_match "two simultaneous POSTs both answer (303 or 409)" "$s1 $s2" '^(303|409) (303|409)$'
expect_eq "... and only one certificate exists" "$(cn_count "$cn2")" 1

# ---- 3. the same key twice: refused with the message, then accepted when confirmed
cn3="flow-dupkey-$tag.demo.test"
mkcsr_key r3 r1 "$cn3"
get /certificates/new > /dev/null
SUB=$(submission_of)
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/r3.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "a second certificate for a key with a live one is refused (400)" "$(status)" 400
check "... saying which certificate has the key" grep -qF "Certificate $first (issued) already has this public key" "$T/body"
check "... and offering the confirmation" grep -qF 'Issue another certificate for this key' "$T/body"
expect_eq "... nothing issued" "$(cn_count "$cn3")" 0
SUB2=$(submission_of)
expect_eq "the form shown again keeps its unused token" "$SUB2" "$SUB"
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/r3.csr" profile=tls-server "org=$org_a" allow_dup=1 > /dev/null
expect_eq "confirmed, it is issued (303)" "$(status)" 303
expect_eq "... one certificate" "$(cn_count "$cn3")" 1
dup=$(cert_id_of "$(location)")
expect_match "... audited with the certificate that has the key" \
	"$(sql "SELECT after_json FROM audit_log WHERE object_type = 'certificate' AND object_id = '$dup' AND action = 'certificate.issue'")" \
	"\"duplicate_key_of\": ?$first"
# The CLI refuses too, and --allow-duplicate-key confirms.
mkcsr_key r3c r1 "flow-dupcli-$tag.demo.test"
"${CLI[@]}" issue --profile tls-server --csr "$T/r3c.csr" --customer "$CERTMINT_CUSTOMER" --org "$org_a" \
	> /dev/null 2> "$T/cli.err"
expect_eq "certmint issue refuses the same key (exit 2)" "$?" 2
check "... naming the option" grep -qF -- '--allow-duplicate-key' "$T/cli.err"
"${CLI[@]}" issue --profile tls-server --csr "$T/r3c.csr" --customer "$CERTMINT_CUSTOMER" --org "$org_a" \
	--allow-duplicate-key > /dev/null 2> "$T/cli.err"
expect_eq "... and issues with --allow-duplicate-key" "$?" 0

# ---- 4. Preview reaches Issue's verdict: a name outside the delegated domains
mkcsr bad "www.flow-$tag.example.com"
post /certificates/preview "csrf=$TOKEN" "csr@$T/bad.csr" profile=tls-server "org=$org_a" > /dev/null
check "Preview says Issue would refuse" grep -qF 'Issue would refuse' "$T/body"
check_not "... and no longer says only that the signature is valid" grep -qF 'Ready to issue' "$T/body"
preview_msg=$(form_error)
expect_match "... with a reason next to the CSR" "$preview_msg" '.'
get /certificates/new > /dev/null
SUB=$(submission_of)
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/bad.csr" profile=tls-server "org=$org_a" > /dev/null
expect_eq "Issue refuses it (400)" "$(status)" 400
expect_eq "... with the message Preview gave" "$(form_error)" "$preview_msg"
mkcsr good "flow-good-$tag.demo.test"
post /certificates/preview "csrf=$TOKEN" "csr@$T/good.csr" profile=tls-server "org=$org_a" > /dev/null
check "a CSR Issue accepts previews as ready to issue" grep -qF 'Ready to issue' "$T/body"

# ---- 5. 730 days where the organisation allows 1 year: the clipped term shown before and after
cn5="flow-term-$tag.demo.test"
mkcsr t1 "$cn5"
post /certificates/preview "csrf=$TOKEN" "csr@$T/t1.csr" profile=tls-server "org=$org_a" days=730 > /dev/null
check "Preview says the organisation's limit and the term used" \
	grep -qF 'The organisation allows at most 1 year (397 days); the certificate will be valid for 397 days' "$T/body"
check "... and shows the notAfter date" grep -qE '397 days, until [0-9]{4}-[0-9]{2}-[0-9]{2}' "$T/body"
get /certificates/new > /dev/null
SUB=$(submission_of)
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/t1.csr" profile=tls-server "org=$org_a" days=730 > /dev/null
expect_eq "Issue with 730 days issues (303)" "$(status)" 303
t1=$(cert_id_of "$(location)")
expect_eq "... redirecting to the certificate's own page" "$(location)" "/admin/certificates/$t1"
get "/certificates/$t1" > /dev/null
check "the success banner says the term was shortened" grep -qF 'shorter term than you asked for' "$T/body"
check "... and shows 397 of 730 days" grep -qF '730 days were asked for' "$T/body"
expect_eq "the issued certificate is valid for 397 days" \
	"$(sql "SELECT TIMESTAMPDIFF(DAY, not_before, not_after) FROM certificates WHERE id = $t1")" 397

# ---- 6. approver != requester (a department whose SSL requests wait for an administrator)
dept=$(sql "INSERT INTO departments (org_id, name, ssl_auto_approve) VALUES ($org_a, 'Flow $tag', 0); SELECT LAST_INSERT_ID()")
expect_match "a department that approves SSL by hand" "$dept" '^[0-9]+$'
cn6="flow-self-$tag.demo.test"
mkcsr s1 "$cn6"
get /certificates/new > /dev/null
SUB=$(submission_of)
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/s1.csr" profile=tls-server "org=$org_a/$dept" > /dev/null
expect_eq "alice's request is stored (303)" "$(status)" 303
req=$(cert_id_of "$(location)")
expect_eq "... as a request" "$(sql "SELECT status FROM certificates WHERE id = ${req:-0}")" requested
get "/certificates/$req" > /dev/null
check_not "alice is not offered Approve on her own request" grep -qF 'Approve and issue' "$T/body"
check "... and is told why" grep -qF 'You requested this certificate; another administrator must approve it' "$T/body"
post "/certificates/$req/approve" "csrf=$TOKEN" > /dev/null
expect_eq "alice approving it anyway is refused (403)" "$(status)" 403
check "... with the message on the certificate page" grep -qF 'You requested this certificate; another administrator must approve it' "$T/body"
expect_eq "... still a request" "$(sql "SELECT status FROM certificates WHERE id = $req")" requested
expect_eq "... the refusal is audited" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE object_type = 'certificate' AND object_id = '$req' AND action = 'certificate.approve_refused'")" 1
login_as carol "$CERTMINT_RAO_A_PRINCIPAL"
CTOKEN=$(csrf)
get "/certificates/$req" > /dev/null
check "another administrator (carol) is offered Approve" grep -qF 'Approve and issue' "$T/body"
post "/certificates/$req/approve" "csrf=$CTOKEN" > /dev/null
expect_eq "... and approving issues it (303)" "$(status)" 303
expect_eq "... issued, approved by carol" "$(sql "SELECT CONCAT(status, '/', approved_by) FROM certificates WHERE id = $req")" \
	"issued/$CERTMINT_RAO_A_PRINCIPAL"

# With approval.self_approve on, the requester may approve.
"${CLI[@]}" customer set "$CERTMINT_CUSTOMER" approval.self_approve on > /dev/null
expect_eq "certmint customer set ... approval.self_approve on" "$?" 0
login_as alice
cn7="flow-self2-$tag.demo.test"
mkcsr s2 "$cn7"
get /certificates/new > /dev/null
SUB=$(submission_of)
post /certificates/new "csrf=$TOKEN" "submission=$SUB" "csr@$T/s2.csr" profile=tls-server "org=$org_a/$dept" > /dev/null
req2=$(cert_id_of "$(location)")
get "/certificates/$req2" > /dev/null
check "with self-approval on, alice is offered Approve" grep -qF 'Approve and issue' "$T/body"
post "/certificates/$req2/approve" "csrf=$TOKEN" > /dev/null
expect_eq "... and approving her own request issues it (303)" "$(status)" 303
expect_eq "... issued" "$(sql "SELECT status FROM certificates WHERE id = ${req2:-0}")" issued
expect_match "the setting change is audited" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'customer.settings' ORDER BY id DESC LIMIT 1")" \
	'"approval.self_approve": ?1'
done_testing
