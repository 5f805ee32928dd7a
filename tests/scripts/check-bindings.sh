#!/usr/bin/env bash
# Fails when the committed TypeScript types in ui/src/bindings differ from what the Rust types
# generate (ts-rs), so the UI never works against stale shapes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
TS_RS_EXPORT_DIR="$fresh" cargo test -q -p vaultdesk-core --lib export_bindings >/dev/null
if ! diff -ru "ui/src/bindings" "$fresh"; then
  echo "ui/src/bindings is stale: run 'cargo test -p vaultdesk-core --lib export_bindings' and commit the result" >&2
  exit 1
fi
echo "[bindings] ui/src/bindings matches the Rust types"
