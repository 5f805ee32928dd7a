#!/usr/bin/env bash
# End-to-end smoke test of the real vaultdesk window (tests/e2e/smoke.mjs), twice:
#   1. an empty data directory: the empty state;
#   2. after `vaultdesk vault add` (the CLI): the vault's row in the list.
# Screenshots land in tests/artifacts/ (smoke-empty.png, smoke-vault-list.png).
#
# The caller provides, and this script does not:
#   - a D-Bus session with an unlocked Secret Service (gnome-keyring): the CLI stores the
#     Role ID and Secret ID there;
#   - the built binaries: tests/scripts/build-app.sh (UI, then the app with custom-protocol,
#     then the CLI);
#   - Xvfb, WebKitWebDriver, tauri-driver and tests/e2e/node_modules: tests/scripts/setup.sh test.
# This script starts Xvfb (on a free display) and tauri-driver, and stops them, and anything
# they started, on exit. Exit code: 0 when both runs pass.
#
# Overrides: VAULTDESK_APP, VAULTDESK_CLI (binaries), TAURI_DRIVER_PORT (default 4444, or a
# free port when taken), E2E_KEEP=1 keeps the temporary directory for inspection.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
log() { printf '[e2e] %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

app=${VAULTDESK_APP:-$root/target/debug/vaultdesk-app}
cli=${VAULTDESK_CLI:-$root/target/debug/vaultdesk}
driver=$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")
native_driver=$(command -v WebKitWebDriver || true)

[ -x "$app" ] || die "no app at $app: run tests/scripts/build-app.sh"
[ -x "$cli" ] || die "no CLI at $cli: run tests/scripts/build-app.sh"
[ -x "$driver" ] || die "tauri-driver is missing: run tests/scripts/setup.sh test"
[ -n "$native_driver" ] || die "WebKitWebDriver is missing (Debian: webkit2gtk-driver): run tests/scripts/setup.sh test"
command -v Xvfb >/dev/null || die "Xvfb is missing: run tests/scripts/setup.sh test"
[ -d "$root/tests/e2e/node_modules/webdriverio" ] || die "tests/e2e/node_modules is missing: run tests/scripts/setup.sh test"
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || die "no D-Bus session: run inside dbus-run-session with an unlocked gnome-keyring"
case "$app" in /*) ;; *) app=$(cd "$(dirname "$app")" && pwd)/$(basename "$app") ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-e2e.XXXXXX")
xvfb_pid=""
driver_pid=""
vault_added=""
data="$work/data"
vault_name=e2e-kv
vault_url=https://vault.e2e.test:8200

cleanup() {
  local rc=$?
  if [ -n "$vault_added" ]; then
    # Leave nothing in the caller's keyring.
    "$cli" --data-dir "$data" vault remove "$vault_name" >/dev/null 2>&1 || log "could not remove $vault_name"
  fi
  if [ -n "$driver_pid" ]; then
    # tauri-driver runs in its own process group with WebKitWebDriver and the app.
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [ -n "$xvfb_pid" ]; then
    kill -TERM "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  if [ "${E2E_KEEP:-}" = 1 ] || [ "$rc" != 0 ]; then
    log "kept $work (logs: xvfb.log, tauri-driver.log)"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Xvfb picks a free display itself and reports it once it accepts connections.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log" >&2; die "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$work/display")"
log "Xvfb on $DISPLAY"

port=${TAURI_DRIVER_PORT:-4444}
port_free "$port" || { log "port $port is taken, using a free one"; port=$(free_port); }
native_port=$(free_port)
setsid "$driver" --port "$port" --native-port "$native_port" --native-driver "$native_driver" \
  >"$work/tauri-driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 100); do port_free "$port" || break; sleep 0.1; done
port_free "$port" && { cat "$work/tauri-driver.log" >&2; die "tauri-driver did not start"; }
log "tauri-driver on 127.0.0.1:$port"

smoke() {
  (cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$data" TAURI_DRIVER_PORT="$port" \
    "$@" node smoke.mjs)
}

mkdir -p "$data"
log "run 1: empty data directory"
rc=0
env_empty=(env E2E_EXPECT_EMPTY=1 E2E_SCREENSHOT=smoke-empty)
smoke "${env_empty[@]}" || rc=$?

log "adding vault $vault_name with the CLI"
VAULTDESK_ROLE_ID=e2e-dummy-role-id VAULTDESK_SECRET_ID=e2e-dummy-secret-id \
  "$cli" --data-dir "$data" vault add "$vault_name" --url "$vault_url" \
  --engine-name secret --engine-type kv2 --path app/config >/dev/null
vault_added=1

log "run 2: one vault"
env_list=(env E2E_VAULT_NAME="$vault_name" E2E_VAULT_URL="$vault_url" E2E_VAULT_ENGINE=kv2 E2E_SCREENSHOT=smoke-vault-list)
smoke "${env_list[@]}" || rc=$?

if [ "$rc" = 0 ]; then log "PASS"; else log "FAIL (tauri-driver log: $work/tauri-driver.log)"; fi
exit "$rc"
