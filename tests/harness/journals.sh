# journals.sh: the journals a test stack's reconciliation reads (sourced by integration tests after tests/lib.sh and stack.env).
#
# A stack has one signer (its journal, $CERTMINT_JOURNAL), but tests start others: 24-signer-faults'
# second signer keeps its journal on a tmpfs that goes away with the test, so it appends a copy to
# $CERTMINT_STACK/extra-journals/ (one file per extra signer, as one journal per node). The check is
# given all of them, as an installation with several signers would give each node's.

# stack_journals TMPDIR: sets the array J to --journal options for the stack's journal and every
# extra journal. Rows that no journal holds and that no test left a copy for (a stack on which an
# older 24-signer-faults ran) are given as one more journal rebuilt from their rows, in
# TMPDIR/other-signer.journal, so that a test's check is about its own certificates alone.
stack_journals() {
	local f ids
	J=(--journal "$CERTMINT_JOURNAL")
	for f in "$CERTMINT_STACK"/extra-journals/*.log; do
		[ -f "$f" ] && J+=(--journal "$f")
	done
	$CERTMINT_CLI journal check "${J[@]}" --min-age 0 --dry-run > "$1/foreign.out" 2>&1
	ids=$(sed -n 's/^no-journal-entry: certificate \([0-9]*\) .*/\1/p' "$1/foreign.out" | paste -sd, -)
	if [ -n "$ids" ]; then
		sql "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), serial_hex, profile, 0, COALESCE(subject_dn, '-'),
			REPLACE(TO_BASE64(der), CHAR(10), '') FROM certificates WHERE id IN ($ids)" > "$1/other-signer.journal"
		J+=(--journal "$1/other-signer.journal")
		diag "rows no journal of this stack holds (another signer's, before extra-journals/): $ids"
	fi
}

# keep_extra_journal NAME FILE: appends the journal FILE of an extra signer to
# $CERTMINT_STACK/extra-journals/NAME.log (root's, 0600), for the checks of the tests after.
keep_extra_journal() {
	mkdir -p -m 0700 "$CERTMINT_STACK/extra-journals" &&
		(umask 077 && cat "$2" >> "$CERTMINT_STACK/extra-journals/$1.log")
}
