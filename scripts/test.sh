#!/usr/bin/env bash
# The test command (npm test): build, type-check (incl. type tests), lint and format check, make sure
# every real server is up, run unit then integration tests, and end with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo '== build'
npm run --silent build || { echo 'build failed'; echo '0 passed, 1 failed'; exit 1; }
echo '== typecheck (sources and type tests)'
npm run --silent typecheck || { echo 'typecheck failed'; status=1; }
echo '== lint (eslint, docs/development.md)'
npm run --silent lint || { echo 'lint failed'; status=1; }
echo '== format check (prettier)'
npm run --silent format:check || { echo 'format check failed'; status=1; }
echo '== services'
bash scripts/services.sh up || { echo 'a service the tests need is not available'; status=1; }

mkdir -p .test-results
echo '== unit tests'
npx vitest run --project unit --reporter=default --reporter=json --outputFile=.test-results/unit.json "$@" || status=1
echo '== integration tests'
npx vitest run --project integration --reporter=default --reporter=json --outputFile=.test-results/integration.json "$@" || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const f of [".test-results/unit.json", ".test-results/integration.json"]) {
  try { const r = JSON.parse(fs.readFileSync(f, "utf8")); passed += r.numPassedTests; failed += r.numFailedTests + (r.numFailedTestSuites || 0) - 0; }
  catch { failed += 1; console.error("no results in " + f); }
}
if (process.argv[1] === "1" && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
' "$status"
exit $status
