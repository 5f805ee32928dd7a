#!/usr/bin/env bash
# Builds the app as it ships its window: the UI (ui/dist), the app with the UI embedded
# (custom-protocol: no dev server), and the CLI. Used to run the app (scripts/app.sh), by the
# E2E tests (tests/scripts/e2e.sh) and by the app benchmark (tests/bench/app.sh).
#   scripts/build-app.sh             debug:   $CARGO_TARGET_DIR/debug/{vaultdesk-app,vaultdesk}
#   scripts/build-app.sh --release   release: $CARGO_TARGET_DIR/release/{vaultdesk-app,vaultdesk}
#   scripts/build-app.sh --e2e       debug, for the E2E tests only: the app with its test switches
#                                    (cargo feature e2e) as $CARGO_TARGET_DIR/debug/vaultdesk-app-e2e,
#                                    never under the name a user runs
# CARGO_TARGET_DIR defaults to target/. Needs the npm packages of ui/ (scripts/setup.sh
# installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '[build-app] %s\n' "$*" >&2; }

profile=debug
cargo_profile=()
features=custom-protocol
e2e=""
case "${1:-}" in
  "") ;;
  --release) profile=release cargo_profile=(--release) ;;
  --e2e) e2e=1 features=custom-protocol,e2e ;;
  *) echo "usage: $0 [--release | --e2e]" >&2; exit 2 ;;
esac
target=${CARGO_TARGET_DIR:-target}

build_ui() {
  if [ ! -d "$root/ui/node_modules" ]; then
    log "ui/node_modules is missing: run scripts/setup.sh app (or npm ci in ui/)"
    return 1
  fi
  log "building the UI (ui/dist)"
  # The app embeds every file of ui/dist and cargo rebuilds it when one's mtime moves; Vite
  # rewrites them all. Give the files that came out identical their old mtime back, so an
  # unchanged UI costs no rebuild of the app (minutes in release).
  local before
  before=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-ui-dist.XXXXXX")
  [ ! -d "$root/ui/dist" ] || cp -a "$root/ui/dist/." "$before/"
  if ! (cd "$root/ui" && npm run --silent build); then
    rm -rf "$before"
    return 1
  fi
  (cd "$root/ui/dist" && find . -type f) | while IFS= read -r f; do
    if cmp -s "$root/ui/dist/$f" "$before/$f"; then touch -r "$before/$f" "$root/ui/dist/$f"; fi
  done
  rm -rf "$before"
}

build_app() {
  # Without custom-protocol a debug build loads build.devUrl (the Vite dev server) instead.
  if [ -n "$e2e" ]; then
    log "building the app for the E2E tests ($target/debug/vaultdesk-app-e2e)"
  else
    log "building the app with the UI embedded ($target/$profile/vaultdesk-app)"
  fi
  (cd "$root" && cargo build --quiet "${cargo_profile[@]}" -p vaultdesk-app --features "$features")
  if [ -n "$e2e" ]; then
    # Moved, not copied: the name a user runs never holds the build with test switches (the
    # next plain build puts the plain app back there).
    # When cargo had nothing to rebuild, both names are hard links of the same file (cargo links
    # the plain name again; mv refuses "the same file"): the plain name just goes.
    if [ "$target/debug/vaultdesk-app" -ef "$target/debug/vaultdesk-app-e2e" ]; then
      rm -f "$target/debug/vaultdesk-app"
    else
      mv -f "$target/debug/vaultdesk-app" "$target/debug/vaultdesk-app-e2e"
    fi
  fi
}

build_cli() {
  log "building the CLI ($target/$profile/vaultdesk)"
  (cd "$root" && cargo build --quiet "${cargo_profile[@]}" -p vaultdesk-cli)
}

build_ui
build_app
build_cli
log "done"
