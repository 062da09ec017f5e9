#!/bin/bash
# tests/run.sh: builds certmint (plain and with ASan/UBSan) and runs every
# test level: C unit tests under sanitizers, page tests through the harness
# (MariaDB and signerd only, tests/harness/harness.sh), fuzz targets briefly,
# then the integration and browser tests against a private stack (tests/stack.sh).
# Prints "check: N passed, N failed" last. Usage: tests/run.sh [--quick]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
OUT=$ROOT/_build/test-output
PASSED=0
FAILED=0

# run_tap NAME CMD...: runs a TAP-producing command, logs it, adds its counts.
run_tap() {
	local name=$1; shift
	local log=$OUT/${name//\//_}.log
	"$@" > "$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >> "$log"
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name ($p passed, $f failed); log: $log"
		grep -E '^not ok|^#' "$log" | head -40 | sed 's/^/    /'
		tail -n 15 "$log" | sed 's/^/    | /'
	else
		echo "PASS $name ($p)"
	fi
}

finish() {
	echo "check: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
	exit $?
}

build() {
	local dir=$1; shift
	mkdir -p "$dir"
	( cd "$dir" && { [ -f Makefile ] || "$ROOT/configure" -q "$@"; } && make -s -j2 >/dev/null ) \
		> "$dir.build.log" 2>&1
}

[ -x configure ] || ./autogen.sh > /dev/null 2>&1
mkdir -p _build "$OUT"
rm -f "$OUT"/*.log
# A distribution builds with its own hardening flags (optimised, FORTIFY):
# build and unit-test with Debian's, so a packaged build cannot abort where
# the -O0 sanitizer build does not; FORTIFY level 3 is the strictest level.
hardened_flags() {
	local f=$1
	DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$f"
}
if ! command -v dpkg-buildflags > /dev/null; then
	echo "build failed: dpkg-buildflags (package dpkg-dev) is missing"
	FAILED=$((FAILED + 1)); finish
fi
if ! build "$ROOT/_build/plain" || ! build "$ROOT/_build/asan" --enable-sanitizers ||
   ! build "$ROOT/_build/hardened" CFLAGS="$(hardened_flags CFLAGS)" \
	CPPFLAGS="$(hardened_flags CPPFLAGS) -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3" \
	LDFLAGS="$(hardened_flags LDFLAGS)"; then
	echo "build failed:"; tail -30 "$ROOT"/_build/*.build.log
	FAILED=$((FAILED + 1)); finish
fi
if grep -q 'warning:' "$ROOT"/_build/plain.build.log "$ROOT"/_build/asan.build.log \
	"$ROOT"/_build/hardened.build.log; then
	echo "FAIL compiler warnings:"; grep -h 'warning:' "$ROOT"/_build/*.build.log | sort -u | head -20
	FAILED=$((FAILED + 1))
else
	PASSED=$((PASSED + 1))
fi

# C unit tests, under ASan/UBSan.
( cd _build/asan && make -s -j2 $(make -s print-check-programs) ) > "$OUT/unit-build.log" 2>&1 \
	|| { echo "unit test build failed"; tail -20 "$OUT/unit-build.log"; FAILED=$((FAILED + 1)); }
if grep -q 'warning:' "$OUT/unit-build.log"; then
	echo "FAIL compiler warnings in unit tests:"; grep -h 'warning:' "$OUT/unit-build.log" | sort -u | head -20
	FAILED=$((FAILED + 1))
else
	PASSED=$((PASSED + 1))
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in $(cd _build/asan && make -s print-check-programs); do
	run_tap "unit/$(basename "$t")" env CERTMINT_SRCDIR="$ROOT" "_build/asan/$t"
done

# The same unit tests built with Debian's hardening flags.
( cd _build/hardened && make -s -j2 $(make -s print-check-programs) ) > "$OUT/unit-hardened-build.log" 2>&1 \
	|| { echo "hardened unit test build failed"; tail -20 "$OUT/unit-hardened-build.log"; FAILED=$((FAILED + 1)); }
if grep -q 'warning:' "$OUT/unit-hardened-build.log"; then
	echo "FAIL compiler warnings in hardened unit tests:"
	grep -h 'warning:' "$OUT/unit-hardened-build.log" | sort -u | head -20
	FAILED=$((FAILED + 1))
else
	PASSED=$((PASSED + 1))
fi
for t in $(cd _build/hardened && make -s print-check-programs); do
	run_tap "hardened/unit/$(basename "$t")" env CERTMINT_SRCDIR="$ROOT" "_build/hardened/$t"
done

# The web layer end to end: example.fcgi on a unix socket, no database, no Apache.
run_tap web/example bash tests/web/example.sh "$ROOT/_build/asan"

# Shell-level unit checks that need no stack (template escaping rule, ...).
for t in tests/static/*.sh; do
	[ -e "$t" ] || continue
	run_tap "static/$(basename "$t" .sh)" bash "$t"
done

[ "$QUICK" = 1 ] && finish

# Page tests: each program on its FastCGI socket, fed requests directly (no
# Apache, no KDC). One page stack serves them all; each script would start
# its own when run alone.
PAGES=$ROOT/_build/pages
if [ -x tests/stack.sh ] && ls tests/pages/*.sh >/dev/null 2>&1; then
	tests/stack.sh down "$PAGES" >/dev/null 2>&1
	rm -rf "$PAGES"
	if tests/stack.sh up "$PAGES" --pages > "$OUT/pages-up.log" 2>&1; then
		PASSED=$((PASSED + 1))
		for t in tests/pages/*.sh; do
			run_tap "pages/$(basename "$t" .sh)" env CERTMINT_PAGES="$PAGES" \
				CERTMINT_BUILD="$ROOT/_build/plain" bash "$t"
		done
	else
		echo "FAIL page stack up; log: $OUT/pages-up.log"; tail -30 "$OUT/pages-up.log"
		FAILED=$((FAILED + 1))
	fi
	tests/stack.sh down "$PAGES" > "$OUT/pages-down.log" 2>&1
fi

# Fuzz targets, briefly each.
if [ -x tests/fuzz/run.sh ]; then
	run_tap fuzz tests/fuzz/run.sh "$ROOT/_build/fuzz" "${CERTMINT_FUZZ_SECONDS:-15}"
fi

# Integration and browser tests on one private stack.
STACK=$ROOT/_build/stack
if [ -x tests/stack.sh ] && ls tests/integration/*.sh >/dev/null 2>&1; then
	# Every run starts from an empty stack, so no test depends on old data.
	tests/stack.sh down "$STACK" >/dev/null 2>&1
	rm -rf "$STACK"
	# --with-ad: two Samba AD DCs for the auto-enrollment tests (issue 11).
	if tests/stack.sh up "$STACK" --with-ad > "$OUT/stack-up.log" 2>&1; then
		PASSED=$((PASSED + 1))
		for t in tests/integration/*.sh; do
			run_tap "integration/$(basename "$t" .sh)" env CERTMINT_STACK="$STACK" \
				CERTMINT_BUILD="$ROOT/_build/plain" bash "$t"
		done
		if [ -x tests/browser/run.sh ]; then
			run_tap browser env CERTMINT_STACK="$STACK" tests/browser/run.sh
		fi
	else
		echo "FAIL stack up; log: $OUT/stack-up.log"; tail -30 "$OUT/stack-up.log"
		FAILED=$((FAILED + 1))
	fi
	tests/stack.sh down "$STACK" > "$OUT/stack-down.log" 2>&1
fi
finish
