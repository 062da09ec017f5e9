#!/bin/bash
# dist-lists.sh: fails if a template, migration, integration or browser test,
# or unit/fuzz source exists in the tree but is named in no Makefile.am/local.mk,
# so that `make install` and `make dist` carry every file. Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 1

shopt -s nullglob
lists=$(cat Makefile.am ./*/local.mk ./*/*/local.mk 2>/dev/null)
files=(templates/*/*.cs schema/*.sql tests/integration/*.sh tests/integration/*.txt
	tests/pages/*.sh tests/pages/*.txt tests/harness/*.sh tests/tools/*.c
	tests/browser/*.mjs tests/static/*.sh tests/unit/*.c tests/fuzz/*.c conf/*.service conf/*.timer)
if [ ${#files[@]} -gt 20 ]; then ok "found ${#files[@]} files to check"; else fail "only ${#files[@]} files found"; fi
missing=()
for f in "${files[@]}"; do
	# a unit test is named by its program (automake finds the .c itself)
	grep -qF -- "${f%.c}" <<< "$lists" || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "every template, migration, test and unit file is in a local.mk"
else
	fail "files named in no local.mk (make dist/install would leave them out)"
	printf '#   %s\n' "${missing[@]}"
fi

# Unit tests are registered in one place.
elsewhere=$(grep -lE 'tests/unit/test_|tests_unit_test_' Makefile.am ./*/local.mk ./*/*/local.mk 2>/dev/null |
	grep -vx './tests/unit/local.mk')
if [ -z "$elsewhere" ]; then
	ok "every unit test is registered in tests/unit/local.mk only"
else
	fail "unit tests registered outside tests/unit/local.mk"
	printf '#   %s\n' $elsewhere
fi
