#!/bin/bash
# 65-admins.sh: administrator pages of admin.fcgi: an MRAO adds a DRAO who then logs in with that role; field
# errors keep what was typed; hostile names are inert; RAO A cannot create one for org B; edit and delete write
# audit rows; a deleted admin gets 403; an admin cannot delete itself; the last MRAO cannot be demoted.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
export KRB5_CONFIG KRB5_KDC_PROFILE

T=$(mktemp -d /tmp/cm-65-admins.XXXXXX)
trap 'rm -rf "$T"' EXIT
URL=$CERTMINT_URL/admin
TAG=$$$RANDOM
REALM=$CERTMINT_REALM

ORG_A=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
ORG_B=$(sql "SELECT o.id FROM organizations o JOIN customers c ON c.id = o.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1")
DEPT_A=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_A:-0}' AND name = 'Engineering' AND deleted_at IS NULL ORDER BY id LIMIT 1")
DEPT_B=$(sql "SELECT id FROM departments WHERE org_id = '${ORG_B:-0}' AND deleted_at IS NULL ORDER BY id LIMIT 1")
ALICE_ID=$(sql "SELECT id FROM admins WHERE principal = '$CERTMINT_ADMIN_PRINCIPAL'")
expect_match "demo organisations, departments and alice exist" "$ORG_A $ORG_B $DEPT_A $DEPT_B $ALICE_ID" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$'

# ---- the list, as the MRAO
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
body=$(get /admins)
expect_eq "MRAO opens the administrator list" "$(status)" 200
for p in "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_B_PRINCIPAL" "$CERTMINT_DRAO_PRINCIPAL" "$CERTMINT_ADMIN_PRINCIPAL"; do
	check "the MRAO's list shows $p" grep -qF "$p" "$T/body"
done
check "the navigation links to the administrator pages" grep -qF 'href="/admin/admins"' "$T/body"
body=$(get /admins/new)
expect_eq "MRAO opens the new-administrator form" "$(status)" 200
CSRF=$(csrf_of "$body")
expect_match "the form carries a CSRF token" "$CSRF" '^[0-9a-f]{64}$'
check "the form offers department Engineering of org A" grep -qF "value=\"$ORG_A/$DEPT_A\"" "$T/body"
check "the form offers org B to the MRAO" grep -qF "value=\"$ORG_B\"" "$T/body"

# ---- field errors keep what was typed; hostile text stays inert
HOSTILE='<script>alert("x")</script>'
post /admins/new "csrf=$CSRF" "principal=not a principal" "name=$HOSTILE" "email=not-an-email" \
	role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "a bad principal and e-mail are refused (400)" "$(status)" 400
expect_match "the principal error is next to the principal field" "$(error_after principal)" 'Kerberos principal'
expect_match "the e-mail error is next to the e-mail field" "$(error_after email)" 'e-mail address'
check "the typed principal is shown again" grep -qF 'value="not a principal"' "$T/body"
check "the typed e-mail is shown again" grep -qF 'value="not-an-email"' "$T/body"
check "the hostile name is shown escaped" grep -qF '&lt;script&gt;alert(' "$T/body"
check_not "the hostile name is not live markup" grep -qF '<script>alert(' "$T/body"
check "the chosen department stays selected" grep -qF "value=\"$ORG_A/$DEPT_A\" selected" "$T/body"
post /admins/new "principal=x$TAG@$REALM" "name=No Token" "email=x@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "a POST without the CSRF token is refused (403)" "$(status)" 403
post /admins/new "csrf=$CSRF" "principal=y$TAG@$REALM" "name=Y" "email=y@example.test" role=rao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "an RAO with a department scope is refused (400)" "$(status)" 400
expect_match "the scope error explains the role" "$(error_after scope)" 'whole organisation'
post /admins/new "csrf=$CSRF" "principal=y$TAG@$REALM" "name=Y" "email=y@example.test" role=drao "scope=$ORG_A/$DEPT_A" > /dev/null
expect_eq "no certificate type is refused (400)" "$(status)" 400
post /admins/new "csrf=$CSRF" "principal=y$TAG@$REALM" "name=$(printf 'Ren\xe9')" "email=y@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "a name that is not UTF-8 (Latin-1) is refused (400), not a database error" "$(status)" 400
check "... saying why" grep -aqF 'At most 255 characters of UTF-8 text' "$T/body"
expect_eq "nothing was added by refused forms" "$(sql "SELECT COUNT(*) FROM admins WHERE principal IN ('x$TAG@$REALM', 'y$TAG@$REALM')")" 0

# ---- the MRAO adds a DRAO who then logs in
GINA=gina$TAG@$REALM
GINA_PW=Pw-$RANDOM-$RANDOM-$TAG
if kadmin.local -r "$REALM" -q "addprinc -pw $GINA_PW $GINA" > "$T/kadmin.log" 2>&1; then
	ok "principal $GINA created in the KDC"
else
	fail "principal $GINA created in the KDC"; diag "$(tail -n 3 "$T/kadmin.log")"
fi
post /admins/new "csrf=$CSRF" "principal=$GINA" "name=Gina $HOSTILE" "email=gina@example.test" \
	role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 type_client=1 > /dev/null
expect_eq "the MRAO adds a DRAO (303)" "$(status)" 303
GINA_ID=$(sql "SELECT id FROM admins WHERE principal = '$GINA'")
expect_match "it redirects to the new administrator's page" "$(header Location)" "/admin/admins/${GINA_ID:-x}\$"
expect_eq "the row has role, types and e-mail" "$(sql "SELECT role, cert_types, email, enabled FROM admins WHERE id = '${GINA_ID:-0}'" | tr '\t' ' ')" "drao ssl,client gina@example.test 1"
expect_eq "the row is scoped to department Engineering" "$(sql "SELECT org_id, dept_id FROM admin_scopes WHERE admin_id = '${GINA_ID:-0}'" | tr '\t' ' ')" "$ORG_A $DEPT_A"
after=$(sql "SELECT after_json FROM audit_log WHERE action = 'admin.add' AND object_id = '${GINA_ID:-0}' AND actor = '$CERTMINT_ADMIN_PRINCIPAL'" 2>/dev/null)
expect_match "an admin.add audit row holds the scope and types" "$after" "\"cert_types\":\"ssl,client\".*\"scopes\":\\[\\{\"org_id\":$ORG_A,\"dept_id\":$DEPT_A\\}\\]"
get /admins > /dev/null
check "the list shows the hostile name escaped" grep -qF 'Gina &lt;script&gt;' "$T/body"
check_not "the list has no live markup from it" grep -qF '<script>alert(' "$T/body"
post /admins/new "csrf=$CSRF" "principal=$GINA" "name=Again" "email=g@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "the same principal cannot be added twice (409)" "$(status)" 409

login_as gina "$GINA" "$GINA_PW" || fail "kinit $GINA"
get / > /dev/null
expect_eq "the new DRAO logs in" "$(status)" 200
check "the page shows the DRAO role" grep -qF '>DRAO<' "$T/body"
get /admins > /dev/null
check "the DRAO's list shows itself" grep -qF "$GINA" "$T/body"
check_not "the DRAO's list does not show other administrators" grep -qF "$CERTMINT_RAO_A_PRINCIPAL" "$T/body"
get "/admins/$ALICE_ID" > /dev/null
expect_eq "the DRAO cannot open the MRAO's page (404)" "$(status)" 404
get "/admins/new" > /dev/null
expect_eq "the DRAO cannot open the new-administrator form (403)" "$(status)" 403

# ---- RAO A: DRAOs of its departments only, within its types
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
body=$(get /admins/new)
CCSRF=$(csrf_of "$body")
expect_eq "RAO A opens the new-administrator form" "$(status)" 200
check "RAO A is offered its department" grep -qF "value=\"$ORG_A/$DEPT_A\"" "$T/body"
check_not "RAO A is not offered org B's department" grep -qF "value=\"$ORG_B/$DEPT_B\"" "$T/body"
check_not "RAO A is not offered the MRAO role" grep -qF 'value="mrao"' "$T/body"
post /admins/new "csrf=$CCSRF" "principal=hal$TAG@$REALM" "name=Hal" "email=hal@example.test" role=drao "scope=$ORG_B/$DEPT_B" type_ssl=1 > /dev/null
st=$(status)
expect_match "RAO A cannot create a DRAO for org B ($st)" "$st" '^(400|403)$'
post /admins/new "csrf=$CCSRF" "principal=hal$TAG@$REALM" "name=Hal" "email=hal@example.test" role=rao "scope=$ORG_A" type_ssl=1 > /dev/null
st=$(status)
expect_match "RAO A cannot create an RAO ($st)" "$st" '^(400|403)$'
post /admins/new "csrf=$CCSRF" "principal=hal$TAG@$REALM" "name=Hal" "email=hal@example.test" role=mrao scope= type_ssl=1 > /dev/null
st=$(status)
expect_match "RAO A cannot create an MRAO ($st)" "$st" '^(400|403)$'
expect_eq "none of those was added" "$(sql "SELECT COUNT(*) FROM admins WHERE principal = 'hal$TAG@$REALM'")" 0
post /admins/new "csrf=$CCSRF" "principal=hal$TAG@$REALM" "name=Hal" "email=hal@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_codesign=1 > /dev/null
expect_eq "RAO A adds a DRAO for its department (303)" "$(status)" 303
get /admins > /dev/null
check "RAO A's list shows the DRAO it may see" grep -qF "$GINA" "$T/body"
check_not "RAO A's list does not show the MRAO" grep -qF "$CERTMINT_ADMIN_PRINCIPAL" "$T/body"
check_not "RAO A's list does not show org B's RAO" grep -qF "$CERTMINT_RAO_B_PRINCIPAL" "$T/body"
login_as frank "$CERTMINT_RAO_SSL_PRINCIPAL" "$CERTMINT_RAO_SSL_PASSWORD" || fail "kinit frank"
body=$(get /admins/new)
post /admins/new "csrf=$(csrf_of "$body")" "principal=ivy$TAG@$REALM" "name=Ivy" "email=ivy@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 type_client=1 > /dev/null
expect_eq "the SSL-only RAO cannot grant client certificates (403)" "$(status)" 403
expect_eq "no row for that refusal" "$(sql "SELECT COUNT(*) FROM admins WHERE principal = 'ivy$TAG@$REALM'")" 0

# ---- edit, as the MRAO
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
post "/admins/${GINA_ID:-0}/edit" "csrf=$CSRF" "name=Gina Edited" "email=gina2@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "the MRAO edits the DRAO (303)" "$(status)" 303
expect_eq "the edit is saved" "$(sql "SELECT name, email, cert_types FROM admins WHERE id = '${GINA_ID:-0}'" | tr '\t' '|')" "Gina Edited|gina2@example.test|ssl"
row=$(sql "SELECT before_json, after_json FROM audit_log WHERE action = 'admin.update' AND object_id = '${GINA_ID:-0}' ORDER BY id DESC LIMIT 1" 2>/dev/null)
expect_match "an admin.update audit row holds before and after" "$row" '"cert_types":"ssl,client".*"cert_types":"ssl"'
post "/admins/${GINA_ID:-0}/edit" "csrf=$CSRF" "name=" "email=gina3@example.test" role=drao "scope=$ORG_A/$DEPT_A" type_ssl=1 > /dev/null
expect_eq "an empty name is refused (400)" "$(status)" 400
check "the typed e-mail is kept on the edit form" grep -qF 'value="gina3@example.test"' "$T/body"

# ---- delete: refused without confirmation and for oneself; the deleted admin gets 403
post "/admins/${GINA_ID:-0}/delete" "csrf=$CSRF" > /dev/null
expect_eq "a delete without confirmation is refused (400)" "$(status)" 400
post "/admins/$ALICE_ID/delete" "csrf=$CSRF" confirm=1 > /dev/null
expect_eq "an administrator cannot delete itself (409)" "$(status)" 409
check "the reason is shown" grep -qF 'cannot delete yourself' "$T/body"
post "/admins/${GINA_ID:-0}/delete" "csrf=$CSRF" confirm=1 > /dev/null
expect_eq "the MRAO deletes the DRAO (303)" "$(status)" 303
expect_eq "the row is soft-deleted" "$(sql "SELECT enabled, deleted_at IS NOT NULL FROM admins WHERE id = '${GINA_ID:-0}'" | tr '\t' ' ')" "0 1"
row=$(sql "SELECT before_json, after_json FROM audit_log WHERE action = 'admin.delete' AND object_id = '${GINA_ID:-0}'" 2>/dev/null)
expect_match "an admin.delete audit row holds before and after" "$row" '"enabled":true.*"enabled":false'
get "/admins/${GINA_ID:-0}" > /dev/null
expect_eq "the deleted administrator's page is gone (404)" "$(status)" 404
login_as gina "$GINA" "$GINA_PW"
get / > /dev/null
expect_eq "the deleted administrator's next request gets 403" "$(status)" 403
check "with the not-an-administrator page" grep -qF 'is not a certmint administrator' "$T/body"

# ---- the last MRAO
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD"
mraos=$(sql "SELECT COUNT(*) FROM admins a JOIN customers c ON c.id = a.customer_id WHERE c.uri = '$CERTMINT_CUSTOMER' AND a.role = 'mrao' AND a.enabled = 1 AND a.deleted_at IS NULL")
if [ "$mraos" = 1 ]; then
	post "/admins/$ALICE_ID/edit" "csrf=$CSRF" "name=Alice Admin" "email=alice@example.test" role=rao "scope=$ORG_A" type_ssl=1 > /dev/null
	expect_eq "the last MRAO cannot be demoted (409)" "$(status)" 409
	expect_match "the reason is next to the role" "$(error_after role)" 'last MRAO'
	expect_eq "alice is still an MRAO" "$(sql "SELECT role FROM admins WHERE id = '$ALICE_ID'")" mrao
else
	ok "# SKIP last-MRAO demotion: $mraos MRAOs in the customer"
fi
post /admins/new "csrf=$CSRF" "principal=mraotwo$TAG@$REALM" "name=Second MRAO" "email=m2@example.test" role=mrao scope= type_ssl=1 type_client=1 type_codesign=1 > /dev/null
expect_eq "the MRAO adds a second MRAO (303)" "$(status)" 303
M2=$(sql "SELECT id FROM admins WHERE principal = 'mraotwo$TAG@$REALM'")
post "/admins/${M2:-0}/edit" "csrf=$CSRF" "name=Second MRAO" "email=m2@example.test" role=rao "scope=$ORG_A" type_ssl=1 > /dev/null
expect_eq "an MRAO who is not the last can be demoted (303)" "$(status)" 303
expect_eq "it is now an RAO of org A" "$(sql "SELECT a.role, s.org_id FROM admins a JOIN admin_scopes s ON s.admin_id = a.id WHERE a.id = '${M2:-0}'" | tr '\t' ' ')" "rao $ORG_A"
post "/admins/${M2:-0}/delete" "csrf=$CSRF" confirm=1 > /dev/null
expect_eq "and deleted (303)" "$(status)" 303

done_testing
