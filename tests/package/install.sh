#!/usr/bin/env bash
# Installs the Debian package made by scripts/package.sh INTO THIS MACHINE, checks the installed
# CLI and window, then removes (apt-get remove) and purges (dpkg --purge) the package and checks that the user's data (the data
# directory and the keyring entries) is untouched. For a throwaway CI-like machine where we are
# root (or have sudo); it refuses to run when a vaultdesk package is already installed.
#   bash scripts/package.sh && bash tests/package/install.sh [PATH/TO/vaultdesk_VERSION_ARCH.deb]
# Default package: dist/vaultdesk_*.deb. Not part of tests/run.sh (it needs the release build
# and changes the machine's installed packages).
#
# Everything runs inside one private keyring session (tests/scripts/keyring-session.sh), so the
# vault's Role ID and Secret ID go to a throwaway gnome-keyring and are looked up there again
# after the removal. The window is /usr/bin/vaultdesk-app under Xvfb through tauri-driver
# (tests/e2e/installed.mjs); screenshots land in tests/artifacts/package-installed*.png.
# Ends with PASS or FAIL and "N passed, M failed"; exit code 0 only when all passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${VAULTDESK_IN_KEYRING_SESSION:-}" != 1 ]; then
  bash "$root/scripts/setup.sh" test
  exec "$root/tests/scripts/keyring-session.sh" bash "$0" "$@"
fi

. "$root/tests/scripts/webdriver.sh"
log() { printf '[package-test] %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_() { sudo_ env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

deb=${1:-}
if [ -z "$deb" ]; then
  debs=("$root"/dist/vaultdesk_*.deb)
  [ -f "${debs[0]}" ] || { log "no dist/vaultdesk_*.deb: run bash scripts/package.sh first"; exit 2; }
  [ ${#debs[@]} = 1 ] || { log "several packages in dist/: name one"; exit 2; }
  deb=${debs[0]}
fi
case "$deb" in /*) ;; *) deb=$PWD/$deb ;; esac
[ -f "$deb" ] || { log "no package at $deb"; exit 2; }
if dpkg-query -W -f='${Status}' vaultdesk 2>/dev/null | grep -qv 'not-installed'; then
  log "a vaultdesk package is already on this machine ($(dpkg-query -W -f='${Version} ${Status}' vaultdesk)): this test installs and removes it; remove it first"
  exit 2
fi
for f in /usr/bin/vaultdesk /usr/bin/vaultdesk-app; do
  [ ! -e "$f" ] || { log "$f exists but belongs to no vaultdesk package: refusing to overwrite it"; exit 2; }
done

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")
work=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-package-test.XXXXXX")
data=$work/data                     # the data directory the installed CLI and window use
export_dir=$work/e2e-exports        # handed to the app as VAULTDESK_E2E_EXPORT_DIR: must stay empty
mkdir -p "$data" "$export_dir"
vault_name=pkg-kv
vault_url=https://vault.pkg.test:8200
installed=""

passed=0 failed=0
ok() { passed=$((passed + 1)); log "ok: $*"; }
bad() { failed=$((failed + 1)); log "FAILED: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

finish() {
  local rc=$?
  webdriver_stop
  if [ -n "$installed" ]; then
    log "removing the package after a failure"
    apt_ purge -y -qq vaultdesk >/dev/null 2>&1 || log "could not purge vaultdesk: remove it by hand"
  fi
  [ "$rc" = 0 ] || [ "$failed" -gt 0 ] || failed=1
  if [ "$failed" = 0 ]; then log "PASS"; rm -rf "$work"; else log "FAIL (kept $work)"; fi
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The user's data: every file of the data directory with its checksum, and every keyring entry
# of service vaultdesk (attributes and secret) as one checksum: the secrets are never printed.
data_state() { (cd "$data" && find . -type f -printf '%p %m ' -exec sha256sum {} \; | sort); }
keyring_state() { secret-tool search --all --unlock service vaultdesk 2>&1 | grep -v '^\(created\|modified\) = ' | sha256sum; }
keyring_entries() { secret-tool search --all service vaultdesk 2>/dev/null | grep -c '^secret = ' || true; }
# The data directory vaultdesk would use by default for this user, outside the keyring session.
home_data=${HOME:-/root}/.local/share/vaultdesk
home_state() { if [ -d "$home_data" ]; then (cd "$home_data" && find . -type f -exec sha256sum {} \; | sort); else echo absent; fi; }
home_before=$(home_state)

log "package $deb (workspace version $version)"
field() { dpkg-deb -f "$deb" "$1"; }
check "the package is vaultdesk $version" test "$(field Package) $(field Version)" = "vaultdesk $version"
check "Depends has WebKitGTK 4.1, GTK 3 and libdbus-1 (the Secret Service)" \
  bash -c 'd=$1; for p in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do grep -q "\(^\|, \)$p\b" <<<"$d" || exit 1; done' _ "$(field Depends)"
check "Recommends gnome-keyring" grep -qw gnome-keyring <<<"$(field Recommends)"

log "apt-get install -y $deb"
if apt_ install -y -q "$deb" >"$work/apt-install.log" 2>&1; then
  installed=1
  ok "apt-get install of the package"
else
  cat "$work/apt-install.log" >&2
  bad "apt-get install of the package"
  exit 1
fi
check "dpkg says vaultdesk $version is installed" \
  test "$(dpkg-query -W -f='${Version} ${Status}' vaultdesk)" = "$version install ok installed"
owned() { for f in "$@"; do [ -e "$f" ] && dpkg -S "$f" 2>/dev/null | grep -q '^vaultdesk: '; done; }
check "the package owns /usr/bin/vaultdesk-app, /usr/bin/vaultdesk, the desktop entry and its icon" \
  owned /usr/bin/vaultdesk-app /usr/bin/vaultdesk /usr/share/applications/vaultdesk.desktop \
        /usr/share/icons/hicolor/128x128/apps/vaultdesk-app.png
check "the desktop entry starts vaultdesk-app with its icon" \
  bash -c 'grep -qx "Exec=vaultdesk-app" "$1" && grep -qx "Icon=vaultdesk-app" "$1"' _ /usr/share/applications/vaultdesk.desktop
if command -v desktop-file-validate >/dev/null; then
  check "desktop-file-validate accepts the desktop entry" desktop-file-validate /usr/share/applications/vaultdesk.desktop
fi
check "vaultdesk is /usr/bin/vaultdesk on the PATH" test "$(command -v vaultdesk)" = /usr/bin/vaultdesk
cli_version=$(vaultdesk --version 2>&1 || true)
check "vaultdesk --version says '$cli_version' (expected: vaultdesk $version)" test "$cli_version" = "vaultdesk $version"
check "every shared library of both binaries is found" \
  bash -c '! ldd /usr/bin/vaultdesk-app /usr/bin/vaultdesk | grep -q "not found"'
# The E2E's export switch is compiled into debug builds only (src-tauri/src/connectors.rs).
check "the installed app has no VAULTDESK_E2E_EXPORT_DIR in it" \
  test "$(strings /usr/bin/vaultdesk-app | grep -c VAULTDESK_E2E_EXPORT_DIR || true)" = 0

log "adding vault $vault_name and a connector with the installed CLI (data directory $data)"
if VAULTDESK_DATA_DIR=$data VAULTDESK_ROLE_ID=pkg-role-id-value VAULTDESK_SECRET_ID=pkg-secret-id-value \
     vaultdesk vault add "$vault_name" --url "$vault_url" --engine-name secret --engine-type kv2 --path app/config >/dev/null \
   && printf '{"base_url": "https://api.pkg.test/v1"}' >"$work/connector.json" \
   && VAULTDESK_DATA_DIR=$data vaultdesk connector add pkg-api --kind rest --config "$work/connector.json" >/dev/null; then
  ok "vaultdesk vault add and connector add (installed CLI, private keyring)"
else
  bad "vaultdesk vault add and connector add (installed CLI, private keyring)"
fi
list=$(VAULTDESK_DATA_DIR=$data vaultdesk vault list 2>&1 || true)
check "vaultdesk vault list shows $vault_name with its URL" grep -q "$vault_name.*$vault_url" <<<"$list"
check "the keyring holds the vault's Role ID and Secret ID (2 entries of service vaultdesk)" test "$(keyring_entries)" = 2

log "starting the installed window (/usr/bin/vaultdesk-app) under Xvfb through tauri-driver"
# The release app must ignore this (a debug build would export into it without a dialog).
export VAULTDESK_E2E_EXPORT_DIR=$export_dir
webdriver_start "$work"
if (cd "$root/tests/e2e" && VAULTDESK_APP=/usr/bin/vaultdesk-app VAULTDESK_DATA_DIR="$data" \
      E2E_VAULT_NAME="$vault_name" E2E_VAULT_URL="$vault_url" E2E_VERSION="$version" \
      E2E_EXPORT_DIR="$export_dir" E2E_SCREENSHOT=package-installed node installed.mjs); then
  ok "the installed window: Secret Manager with $vault_name, version v$version, no test switch"
else
  bad "the installed window (tests/e2e/installed.mjs; tauri-driver log: $work/tauri-driver.log)"
fi
webdriver_stop
unset VAULTDESK_E2E_EXPORT_DIR

data_before=$(data_state)
keyring_before=$(keyring_state)
check "before the removal: the data directory holds vaultdesk.db, the keyring 2 entries" \
  test "$(grep -c '^\./vaultdesk\.db ' <<<"$data_before") $(keyring_entries)" = "1 2"
log "apt-get remove -y vaultdesk"
if apt_ remove -y -q vaultdesk >"$work/apt-remove.log" 2>&1; then ok "apt-get remove vaultdesk"; else cat "$work/apt-remove.log" >&2; bad "apt-get remove vaultdesk"; fi
check "the binaries are gone after the removal" bash -c '[ ! -e /usr/bin/vaultdesk ] && [ ! -e /usr/bin/vaultdesk-app ] && ! command -v vaultdesk >/dev/null'
check "the data directory is untouched by the removal" test "$(data_state)" = "$data_before"
check "the keyring entries are untouched by the removal (still 2)" \
  test "$(keyring_state) $(keyring_entries)" = "$keyring_before 2"
# The package has no conffiles, so the removal leaves nothing to purge and apt forgets it; dpkg
# --purge still runs the purge step (and the maintainer scripts, were there any).
log "after the removal dpkg says: $(dpkg-query -W -f='${Status}' vaultdesk 2>&1 || true)"
log "dpkg --purge vaultdesk"
if sudo_ dpkg --purge vaultdesk >"$work/dpkg-purge.log" 2>&1; then ok "dpkg --purge vaultdesk"; else cat "$work/dpkg-purge.log" >&2; bad "dpkg --purge vaultdesk"; fi
installed=""
check "dpkg no longer knows vaultdesk after the purge" \
  bash -c '! dpkg-query -W -f="\${Status}" vaultdesk 2>/dev/null | grep -qv not-installed'
check "the data directory is untouched by the purge" test "$(data_state)" = "$data_before"
check "the keyring entries are untouched by the purge (still 2)" \
  test "$(keyring_state) $(keyring_entries)" = "$keyring_before 2"
check "the user's default data directory ($home_data) is as before the install" test "$(home_state)" = "$home_before"
[ "$failed" = 0 ]
