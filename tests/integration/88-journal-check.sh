#!/bin/bash
# 88-journal-check.sh: certmint journal check accounts for every certificate in the signer's journal:
# one issued by a raw signer frame (no database row) is imported as an audited recovered row with an
# error line and an MRAO alarm (not an RAO's) until acknowledged; an approved request whose issuance
# was cut off becomes that certificate; a tampered DER and a row without a record are reported; a
# second run finds nothing.
. tests/lib.sh
. "$CERTMINT_STACK/stack.env"
T=$(mktemp -d /tmp/cm-88-journal.XXXXXX)
trap 'rm -rf "$T"' EXIT

PROBE="$CERTMINT_BUILD/tests/tools/signer-probe"
CLI=($CERTMINT_CLI)
check_journal() { "${CLI[@]}" journal check "${J[@]}" --min-age 0 "$@"; }
csr() { # csr NAME SUBJ SAN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-subj "$2" -addext "subjectAltName=$3" -out "$T/$1.csr" 2>/dev/null
}
issue_raw() { # issue_raw NAME: prints the serial of a certificate issued by a raw frame
	"$PROBE" -s "$CERTMINT_SIGNER_SOCKET" issue -p tls-server -r "$T/$1.csr" -o "$T/$1.pem" 2>&1 |
		sed -n 's/^OK serial=//p'
}
row_of() { sql "SELECT CONCAT_WS(' ', id, customer_id, COALESCE(org_id, 'none'), status, recovered_at IS NOT NULL) FROM certificates WHERE serial_hex = '$1'"; }

# The stack's journal and those of the signers tests started besides (24-signer-faults' second signer
# leaves a copy in $CERTMINT_STACK/extra-journals/), one per signer as with several nodes, so that
# what follows is about this test's certificates alone (tests/harness/journals.sh).
. tests/harness/journals.sh
stack_journals "$T"

# Whatever the tests before left in the journal is accounted for first, so
# that what follows is about this test's certificates alone.
check_journal > "$T/pre.out" 2> "$T/pre.err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || diag "the first run answered $rc: $(tail -n 3 "$T/pre.out" "$T/pre.err")"

# ---- a certificate for a name in no customer's domains, issued by a raw frame as root: no row, no
# audit row. (certmint.test is in the signer's test namespace, as 20-signer's names are; should the
# signer refuse it, a demo.test name stands in, and only the organisation is not checked.)
foreign=forged-88.certmint.test
csr forged "/CN=$foreign" "DNS:$foreign"
forged=$(issue_raw forged)
if [ -z "$forged" ]; then
	foreign=forged-88.demo.test
	diag "the signer refused forged-88.certmint.test; using $foreign"
	csr forged "/CN=$foreign" "DNS:$foreign"
	forged=$(issue_raw forged)
fi
expect_match "a raw frame gets a certificate from the signer" "$forged" '^[0-9a-f]{32}$'
check "... that the journal holds" grep -qF "$forged" "$CERTMINT_JOURNAL"
expect_eq "... and the database does not know" "$(row_of "$forged")" ""
# ---- one in a domain of the demo organisation's alone (the most specific domain decides, whatever
# other tests delegated demo.test to), and one an approved request was waiting for.
sql "INSERT IGNORE INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	VALUES (1, 'journal88.demo.test', 'validated', 'manual', UTC_TIMESTAMP())"
sql "INSERT IGNORE INTO domain_delegations (domain_id, org_id, cert_type)
	SELECT id, 1, 'ssl' FROM domains WHERE customer_id = 1 AND name = 'journal88.demo.test'"
csr named /CN=lost.journal88.demo.test DNS:lost.journal88.demo.test
named=$(issue_raw named)
csr approved /CN=approved.demo.test DNS:approved.demo.test
openssl req -in "$T/approved.csr" -outform DER -out "$T/approved.der"
sql "INSERT INTO certificates (customer_id, org_id, cert_type, profile, status, common_name, csr, requested_by, approved_by)
	VALUES (1, 1, 'ssl', 'tls-server', 'approved', 'approved.demo.test', FROM_BASE64('$(base64 -w0 "$T/approved.der")'), 'test-88', 'test-88')"
req_id=$(sql "SELECT MAX(id) FROM certificates WHERE requested_by = 'test-88'")
approved=$(issue_raw approved)
expect_match "the approved request's certificate is signed, as if its issuance was cut off" "$approved" '^[0-9a-f]{32}$'

# ---- dry run: reported, nothing written.
check_journal --dry-run > "$T/dry.out" 2>&1
expect_eq "--dry-run exits 3 (certificates without a row)" "$?" 3
check "... naming the forged certificate" grep -q "^unrecorded: serial $forged .*would be recovered" "$T/dry.out"
expect_eq "... and writes nothing" "$(row_of "$forged")" ""

check "the journal is found through signerd.conf (--signer-conf) too" grep -q "^unrecorded: serial $forged " \
	<("${CLI[@]}" journal check --signer-conf "$CERTMINT_SIGNER_CONF" --min-age 0 --dry-run 2>&1)

# ---- the check imports them.
audit_before=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.recovered'")
check_journal > "$T/run.out" 2> "$T/run.err"
expect_eq "journal check exits 3 when it recovered certificates" "$?" 3
check "... one line per recovered certificate" grep -q "^recovered: serial $forged " "$T/run.out"
check "... and a summary" grep -q '^journal check: .* recovered, ' "$T/run.out"
check "... an error line in the log for each" grep -q "error: certificate serial $forged .*without a database record; recovered as certificate" "$T/run.err"
read -r fid fcust forg fstatus frec <<< "$(row_of "$forged")"
if [ "$foreign" = forged-88.certmint.test ]; then
	expect_eq "the forged certificate has a row now: the default customer, no organisation, issued, recovered" \
		"$fcust $forg $fstatus $frec" "1 none issued 1"
else
	expect_eq "the forged certificate has a row now: issued, recovered" "$fcust $fstatus $frec" "1 issued 1"
fi
expect_eq "its DER is the journal's" \
	"$(sql "SELECT HEX(der) FROM certificates WHERE id = $fid")" \
	"$(openssl x509 -in "$T/forged.pem" -outform DER | od -An -tx1 -v | tr -d ' \n' | tr a-f A-F)"
expect_eq "... with its audit row certificate.recovered (actor system:journal-check)" \
	"$(sql "SELECT CONCAT(actor, ' ', customer_id) FROM audit_log WHERE action = 'certificate.recovered' AND object_id = '$fid'")" \
	"system:journal-check 1"
expect_match "... which says where it came from" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.recovered' AND object_id = '$fid'")" \
	"\"recovered\":true,\"serial\":\"$forged\".*\"owner\":\"(default customer|domains)\""
read -r nid ncust norg nstatus nrec <<< "$(row_of "$named")"
expect_eq "a certificate in journal88.demo.test goes to the organisation that domain is delegated to" \
	"$ncust $norg $nstatus $nrec" "1 1 issued 1"
read -r aid acust aorg astatus arec <<< "$(row_of "$approved")"
expect_eq "the approved request became the issued certificate (same row)" "$aid $astatus $arec" "$req_id issued 1"
expect_eq "the rows recovered each have one audit row" \
	"$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.recovered'")" \
	"$((audit_before + $(grep -c '^recovered: ' "$T/run.out")))"
check "the audit chain verifies" "${CLI[@]}" audit verify

# ---- the alarm: MRAO yes, RAO no, until an MRAO acknowledges it.
login_as alice "$CERTMINT_ADMIN_PRINCIPAL" "$CERTMINT_ADMIN_PASSWORD" || fail "kinit alice"
login_as carol "$CERTMINT_RAO_A_PRINCIPAL" "$CERTMINT_RAO_A_PASSWORD" || fail "kinit carol"
login_as alice
body=$(get /)
expect_match "the MRAO's home page raises the alarm" "$body" \
	'[0-9]+ certificates? (were|was) issued by the signer without a database record \(recovered on [0-9]{4}-[0-9]{2}-[0-9]{2}\)'
check "... linking the forged certificate" grep -qF "href=\"/admin/certificates/$fid\"" "$T/body"
get /dashboard > /dev/null
check "... and so does the dashboard" grep -q 'issued by the signer without a database record' "$T/body"
login_as carol
get / > /dev/null
expect_eq "an RAO's home page answers" "$(status)" 200
check_not "... without the alarm" grep -q 'without a database record' "$T/body"
get /dashboard > /dev/null
check_not "... nor on the dashboard" grep -q 'without a database record' "$T/body"
expect_eq "an RAO cannot acknowledge it" \
	"$(req_as carol /certificates/recovered/acknowledge -X POST --data "csrf=$(csrf /)")" 403
login_as alice
expect_eq "acknowledging without the CSRF token is refused" \
	"$(req_as alice /certificates/recovered/acknowledge -X POST --data "csrf=")" 403
token=$(csrf /)
unacked=$(sql "SELECT COUNT(*) FROM certificates WHERE recovered_at IS NOT NULL AND recovery_ack_at IS NULL AND customer_id = 1")
post /certificates/recovered/acknowledge "csrf=$token" > /dev/null
expect_eq "the MRAO acknowledges it (POST, then redirect)" "$(status) $(location)" "303 /admin/?acknowledged=$unacked"
get "/?acknowledged=$unacked" > /dev/null
check "... a success banner says so" grep -q 'Alarm acknowledged' "$T/body"
check_not "... and the alarm is gone" grep -q 'without a database record' "$T/body"
expect_eq "... recorded on the rows" \
	"$(sql "SELECT COUNT(*) FROM certificates WHERE recovery_ack_by = '$CERTMINT_ADMIN_PRINCIPAL' AND id IN ($fid, $nid, $aid)")" 3
expect_match "... and in the audit log" \
	"$(sql "SELECT after_json FROM audit_log WHERE action = 'certificate.recovery_acknowledged' AND actor = '$CERTMINT_ADMIN_PRINCIPAL' ORDER BY id DESC LIMIT 1")" \
	"\"acknowledged\":\\[.*$fid"

# ---- idempotent.
check_journal > "$T/again.out" 2>&1
expect_eq "a second run finds nothing (exit 0)" "$?" 0
expect_match "... and says so" "$(tail -n 1 "$T/again.out")" ' 0 recovered, 0 too recent to judge, 0 not recoverable, 0 DER differs, 0 rows without a record, 0 unreadable lines, 0 duplicate serials, [0-9]+ of the signer.s own skipped$'

# ---- what the check reports for a person: a tampered DER, a row without a record.
sql "UPDATE certificates SET der = CONCAT(der, 'x') WHERE id = $nid"
check_journal > "$T/tamper.out" 2>&1
expect_eq "a row whose DER differs from the journal: exit 4" "$?" 4
check "... reported with its serial and row" grep -q "^der-differs: serial $named: certificate $nid " "$T/tamper.out"
sql "UPDATE certificates SET der = LEFT(der, LENGTH(der) - 1) WHERE id = $nid"
fake=$(openssl rand -hex 16)
sql "INSERT INTO certificates (customer_id, cert_type, profile, status, serial_hex, der, common_name, updated_at)
	SELECT 1, 'ssl', 'tls-server', 'issued', '$fake', der, 'not-journalled.demo.test', UTC_TIMESTAMP() - INTERVAL 1 MINUTE FROM certificates WHERE id = $nid"
fake_id=$(sql "SELECT id FROM certificates WHERE serial_hex = '$fake'")
check_journal > "$T/extra.out" 2>&1
expect_eq "an issued row the journal does not hold: exit 4" "$?" 4
check "... reported" grep -q "^no-journal-entry: certificate $fake_id (serial $fake, issued) has no record in the journal" "$T/extra.out"
# Leave the stack as accounted for as it was (the app account cannot delete rows).
sql "UPDATE certificates SET status = 'declined', serial_hex = NULL, der = NULL WHERE id = $fake_id"
check_journal > "$T/final.out" 2>&1
expect_eq "after both are undone, nothing is unaccounted" "$?" 0

# ---- the reader refuses what is not a record and says where.
printf 'not a record\n' > "$T/bad.log"
head -n 1 "$CERTMINT_JOURNAL" >> "$T/bad.log"
"${CLI[@]}" journal check --journal "$T/bad.log" --min-age 0 > "$T/bad.out" 2>&1
expect_eq "an unreadable journal line: exit 4" "$?" 4
check "... reported with its line number" grep -q "^unreadable: journal $T/bad.log line 1: " "$T/bad.out"
"${CLI[@]}" journal check --journal "$T/missing.log" > "$T/missing.out" 2>&1
expect_eq "a journal that cannot be opened: exit 1" "$?" 1
done_testing
