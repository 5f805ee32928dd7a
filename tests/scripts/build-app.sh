#!/usr/bin/env bash
# Builds what the E2E smoke test runs: the UI (ui/dist), the app with the UI embedded
# (custom-protocol: no dev server), and the CLI that seeds the data directory.
#   tests/scripts/build-app.sh
# Needs the npm packages of ui/ (tests/scripts/setup.sh installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
log() { printf '[build-app] %s\n' "$*" >&2; }

build_ui() {
  if [ ! -d "$root/ui/node_modules" ]; then
    log "ui/node_modules is missing: run tests/scripts/setup.sh app (or npm ci in ui/)"
    return 1
  fi
  log "building the UI (ui/dist)"
  (cd "$root/ui" && npm run --silent build)
}

build_app() {
  # Without custom-protocol a debug build loads build.devUrl (the Vite dev server) instead.
  log "building the app with the UI embedded (target/debug/vaultdesk-app)"
  (cd "$root" && cargo build --quiet -p vaultdesk-app --features custom-protocol)
}

build_cli() {
  log "building the CLI (target/debug/vaultdesk)"
  (cd "$root" && cargo build --quiet -p vaultdesk-cli)
}

build_ui
build_app
build_cli
log "done"
