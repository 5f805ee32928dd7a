#!/usr/bin/env bash
# The UI's unit tests (Vitest in happy-dom, ui/src/**/*.test.ts): the pure parts (labels of the
# generated unions, field-error placement, the {{secrets. autocomplete, formatting) and the
# Svelte components. Ends with the line tests/run.sh adds up:
#   UI unit: N passed, M failed
# Needs ui/node_modules (scripts/setup.sh app, or npm ci in ui/).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root/ui" || exit 2
[ -d node_modules/vitest ] || { echo "ui/node_modules lacks vitest: run scripts/setup.sh (npm ci in ui/)" >&2; exit 2; }
report=$(mktemp "${TMPDIR:-/tmp}/vaultdesk-ui-unit.XXXXXX.json")
trap 'rm -f "$report"' EXIT
npx --no-install vitest run --reporter=default --reporter=json --outputFile="$report"
rc=$?
node -e '
  const fs = require("fs");
  let r = null;
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  // No report at all (Vitest could not start): one failure, so the tier never reads as clean.
  const passed = r ? r.numPassedTests : 0;
  const failed = r ? r.numFailedTests + (r.numTotalTestSuites && !r.success && r.numFailedTests === 0 ? 1 : 0) : 1;
  console.log(`UI unit: ${passed} passed, ${failed} failed`);
' "$report"
exit "$rc"
