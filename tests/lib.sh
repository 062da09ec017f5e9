# tests/lib.sh: TAP helpers for certmint's shell integration tests (sourced).
# Each test script sources this and stack.env, then calls ok/fail/check.
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
fail() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
# check "name" cmd args...: passes when the command exits 0
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }
# check_not "name" cmd args...: passes when the command exits non-zero
check_not() { name=$1; shift; if "$@" >/dev/null 2>&1; then fail "$name"; else ok "$name"; fi; }
# expect_eq "name" got want
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; echo "#   got:  '$2'"; echo "#   want: '$3'"; fi
}
# expect_match "name" text regex (grep -E)
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1"; echo "#   no match for /$3/ in: $(printf '%s' "$2" | head -c 400)"; fi
}
diag() { echo "# $*"; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }
