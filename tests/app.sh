#!/usr/bin/env bash
# Builds and runs the vaultdesk desktop app, from a bare Debian/Ubuntu machine:   bash tests/app.sh
# Extra arguments go to the app, e.g. `bash tests/app.sh --data-dir /tmp/vd`.
# The app uses the same data directory as the `vaultdesk` CLI (target/debug/vaultdesk):
# --data-dir, else $VAULTDESK_DATA_DIR, else ~/.local/share/vaultdesk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
bash tests/scripts/setup.sh app
bash tests/scripts/build-app.sh
cargo build -p vaultdesk-cli
echo "[app] starting target/debug/vaultdesk-app (the CLI is target/debug/vaultdesk)" >&2
exec target/debug/vaultdesk-app "$@"
