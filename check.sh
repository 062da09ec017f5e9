#!/bin/bash
# check.sh: installs what is missing, builds, and runs every certmint test.
# The last line is "check: N passed, N failed"; the exit status is non-zero
# on any failure. Usage: ./check.sh [--quick]  (--quick: unit tests only)
set -u
cd "$(dirname "$0")"
if ! tests/deps.sh; then
	echo "check: 0 passed, 1 failed"
	exit 1
fi
exec tests/run.sh "$@"
