#!/usr/bin/env bash
# Builds and runs the vaultdesk desktop app, from a bare Debian/Ubuntu machine:   bash scripts/app.sh
# Extra arguments go to the app, e.g. `bash scripts/app.sh --data-dir /tmp/vd`.
# The app uses the same data directory as the `vaultdesk` CLI (target/debug/vaultdesk, or
# $CARGO_TARGET_DIR/debug/vaultdesk): --data-dir, else $VAULTDESK_DATA_DIR, else
# ~/.local/share/vaultdesk.
# `bash scripts/app.sh --demo` runs the first-run demo instead (`vaultdesk demo`): a throwaway
# local OpenBao (installed by `scripts/setup.sh demo` when missing) with example vaults and
# connectors in a demo data directory, removed when the window closes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
demo=0
if [ "${1:-}" = --demo ]; then
  demo=1
  shift
fi
if [ "$demo" = 1 ]; then bash scripts/setup.sh demo; else bash scripts/setup.sh app; fi
bash scripts/build-app.sh
target=${CARGO_TARGET_DIR:-target}
if [ "$demo" = 1 ]; then
  echo "[app] starting the demo: $target/debug/vaultdesk demo $*" >&2
  exec "$target/debug/vaultdesk" demo "$@"
fi
echo "[app] starting $target/debug/vaultdesk-app (the CLI is $target/debug/vaultdesk)" >&2
exec "$target/debug/vaultdesk-app" "$@"
