#!/bin/bash
# tests/browser/run.sh: runs the browser tests (Debian chromium + playwright-core)
# against the stack in $CERTMINT_STACK; prints TAP.
set -u
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund --silent >/dev/null 2>&1 || npm install --no-audit --no-fund --silent >/dev/null 2>&1 \
		|| { echo "not ok 1 - npm could not install playwright-core"; exit 1; }
fi
export CERTMINT_SCREENSHOTS=${CERTMINT_SCREENSHOTS:-$(cd ../.. && pwd)/_build/test-output/screenshots}
mkdir -p "$CERTMINT_SCREENSHOTS"
exec node --test --test-reporter=tap --test-concurrency=1 ./*.test.mjs
