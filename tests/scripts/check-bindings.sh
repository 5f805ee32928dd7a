#!/usr/bin/env bash
# Fails when the committed TypeScript types differ from what the Rust types generate (ts-rs):
# ui/src/bindings (vaultdesk-core) and ui/src/app-bindings (the list types and the app's own IPC
# types, with the typed command map), so the UI never works against stale shapes.
#   check-bindings.sh           check
#   check-bindings.sh --write   regenerate the committed files (after changing a Rust type)
# Only this script writes them (ignored tests named export_bindings): `cargo test` does not.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export_to() { # export_to DIR: the generated bindings go to DIR/bindings and DIR/app-bindings
  # The app's types are exported to ../app-bindings relative to the export directory.
  TS_RS_EXPORT_DIR="$1/bindings" cargo test -q -p vaultdesk-core --lib export_bindings -- --ignored >/dev/null
  TS_RS_EXPORT_DIR="$1/bindings" cargo test -q -p vaultdesk-app --lib export_bindings -- --ignored >/dev/null
}
if [ "${1:-}" = --write ]; then
  rm -rf ui/src/bindings ui/src/app-bindings
  export_to "$root/ui/src"
  echo "[bindings] wrote ui/src/bindings and ui/src/app-bindings"
  exit 0
fi
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
export_to "$fresh"
stale=0
for d in bindings app-bindings; do
  if ! diff -ru "ui/src/$d" "$fresh/$d"; then
    stale=1
  fi
done
# The app's build.rs writes the capability file from src-tauri/src/command_list.rs (it ran for
# the app's export_bindings above): it must be the committed one.
if ! git diff --exit-code -- src-tauri/capabilities/main.json; then
  echo "src-tauri/capabilities/main.json is not the one build.rs writes from src-tauri/src/command_list.rs: commit it" >&2
  stale=1
fi
if [ "$stale" = 1 ]; then
  echo "generated TypeScript types are stale: run 'bash tests/scripts/check-bindings.sh --write' and commit ui/src/bindings and ui/src/app-bindings" >&2
  exit 1
fi
echo "[bindings] ui/src/bindings and ui/src/app-bindings match the Rust types"
