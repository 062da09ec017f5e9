#!/bin/bash
# tests/fuzz/run.sh: builds every tests/fuzz/fuzz_*.c with libFuzzer + ASan/UBSan and
# runs each briefly; prints one TAP line per target. Usage: tests/fuzz/run.sh OUTDIR SECONDS
#
# Each target names what it is compiled with in two comment lines near its top:
#   /* fuzz-sources: lib/form.c lib/buf.c lib/log.c */   (relative to the repo root)
#   /* fuzz-libs: -lcrypto */                            (may be empty)
# Seeds come from tests/fuzz/corpus/NAME/ (NAME = file name without fuzz_ and .c);
# new inputs and crash files go to OUTDIR, never into the source tree.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 OUTDIR SECONDS" >&2
	exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1" || exit 2
OUT=$(cd "$1" && pwd)
SECS=$2
cd "$ROOT"

CONFDIR=
for d in _build/plain _build/asan; do
	if [ -f "$d/config.h" ]; then CONFDIR=$d; break; fi
done
if [ -z "$CONFDIR" ]; then
	for f in _build/*/config.h; do
		if [ -f "$f" ]; then CONFDIR=$(dirname "$f"); break; fi
	done
fi
if [ -z "$CONFDIR" ]; then
	echo "not ok 1 - no config.h under _build/: configure a build first"
	echo "1..1"
	exit 1
fi

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I. -Ilib -I$CONFDIR -D_GNU_SOURCE
	-DCM_SYSCONFDIR=\"/etc/certmint\" -DCM_DATADIR=\"/usr/share/certmint\"
	-I/usr/include/ClearSilver $(pkg-config --cflags openssl libmariadb 2>/dev/null)"

# comment_field FILE KEY: the text between "KEY:" and "*/" on its first line.
comment_field() {
	sed -n "s|.*/\\*[[:space:]]*$2:\\(.*\\)\\*/.*|\\1|p" "$1" | head -n 1
}

n=0
failed=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	n=$((n + 1))
	base=$(basename "$src" .c)
	name=${base#fuzz_}
	log=$OUT/$base.log
	srcs=$(comment_field "$src" fuzz-sources)
	libs=$(comment_field "$src" fuzz-libs)
	# shellcheck disable=SC2086
	if ! clang $CFLAGS -o "$OUT/$base" "$src" $srcs $libs > "$OUT/$base.build.log" 2>&1; then
		echo "not ok $n - fuzz $name: build failed ($OUT/$base.build.log)"
		sed 's/^/#   /' "$OUT/$base.build.log" | head -n 20
		failed=$((failed + 1))
		continue
	fi
	work=$OUT/corpus/$name
	mkdir -p "$work"
	seeds=()
	for d in "tests/fuzz/corpus/$name" "tests/fuzz/corpus/$base"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	rm -f "$OUT/$base"-crash-* "$OUT/$base"-leak-* "$OUT/$base"-timeout-* "$OUT/$base"-oom-*
	"$OUT/$base" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$OUT/$base-" "$work" "${seeds[@]}" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - fuzz $name ($runs runs)"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "not ok $n - fuzz $name: exit $rc, crash file: ${crash:-none} (log $log)"
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
