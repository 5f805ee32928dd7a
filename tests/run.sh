#!/usr/bin/env bash
# The whole test suite, from a bare Debian/Ubuntu machine:   bash tests/run.sh
#
# Installs what is missing (scripts/setup.sh), builds everything, checks formatting and
# the generated TypeScript types, then runs every test against the real services: a private
# D-Bus session with its own gnome-keyring (tests/scripts/keyring-session.sh), an OpenBao dev
# server, PostgreSQL and MariaDB in temporary directories (tests/scripts/services.sh). Unit
# tests, store and CLI tests (real SQLite file, real Secret Service), Vault client tests, and
# the end-to-end smoke test of the real window under Xvfb.
# Everything it starts, it stops. Screenshots land in tests/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*" >&2; }

step "install what is missing"
bash scripts/setup.sh test

step "formatting"
cargo fmt --all --check

step "build core, CLI and their tests"
cargo build -p vaultdesk-core -p vaultdesk-cli --tests --bins

step "generated TypeScript types are current"
bash tests/scripts/check-bindings.sh

step "build the UI and the app (embedded assets)"
bash scripts/build-app.sh

step "tests against the real keyring, SQLite and window"
tests/scripts/keyring-session.sh tests/scripts/services.sh bash -c '
  set -euo pipefail
  cargo test -p vaultdesk-core -p vaultdesk-cli
  cargo test -p vaultdesk-app --lib
  bash tests/scripts/e2e.sh
'
step "all tests passed"
