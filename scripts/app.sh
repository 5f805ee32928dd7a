#!/usr/bin/env bash
# Builds and runs the vaultdesk desktop app, from a bare Debian/Ubuntu machine:   bash scripts/app.sh
# Extra arguments go to the app, e.g. `bash scripts/app.sh --data-dir /tmp/vd`.
# The app uses the same data directory as the `vaultdesk` CLI (target/debug/vaultdesk, or
# $CARGO_TARGET_DIR/debug/vaultdesk): --data-dir, else $VAULTDESK_DATA_DIR, else
# ~/.local/share/vaultdesk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh app
bash scripts/build-app.sh
target=${CARGO_TARGET_DIR:-target}
echo "[app] starting $target/debug/vaultdesk-app (the CLI is $target/debug/vaultdesk)" >&2
exec "$target/debug/vaultdesk-app" "$@"
