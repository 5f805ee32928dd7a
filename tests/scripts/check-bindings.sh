#!/usr/bin/env bash
# Fails when the committed TypeScript types differ from what the Rust types generate (ts-rs):
# ui/src/bindings (vaultdesk-core) and ui/src/app-bindings (the app's own IPC types), so the
# UI never works against stale shapes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
# The app's types are exported to ../app-bindings relative to the export directory.
TS_RS_EXPORT_DIR="$fresh/bindings" cargo test -q -p vaultdesk-core --lib export_bindings >/dev/null
TS_RS_EXPORT_DIR="$fresh/bindings" cargo test -q -p vaultdesk-app --lib export_bindings >/dev/null
stale=0
for d in bindings app-bindings; do
  # commands.ts is written by the app's build.rs (below), not by ts-rs.
  if ! diff -ru -x commands.ts "ui/src/$d" "$fresh/$d"; then
    stale=1
  fi
done
# The app's build.rs writes the capability file and the UI's command list from
# src-tauri/src/command_list.rs (it ran for the app's export_bindings above): they must be the
# committed ones.
if ! git diff --exit-code -- src-tauri/capabilities/main.json ui/src/app-bindings/commands.ts; then
  echo "src-tauri/capabilities/main.json or ui/src/app-bindings/commands.ts is not the one build.rs writes from src-tauri/src/command_list.rs: commit them" >&2
  stale=1
fi
if [ "$stale" = 1 ]; then
  echo "generated TypeScript types are stale: run 'cargo test -p vaultdesk-core -p vaultdesk-app --lib export_bindings' and commit ui/src/bindings and ui/src/app-bindings" >&2
  exit 1
fi
echo "[bindings] ui/src/bindings and ui/src/app-bindings match the Rust types"
