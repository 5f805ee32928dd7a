#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring (Secret
# Service), so tests use the real OS keyring without touching the user's. Everything started
# here is ended here, whatever the command's outcome.
#   keyring-session.sh CMD [ARGS...]
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

if [ -z "${VAULTDESK_IN_KEYRING_SESSION:-}" ]; then
  scratch=$(mktemp -d /tmp/vaultdesk-keyring.XXXXXX)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/data" "$scratch/run"
  chmod 700 "$scratch/run"
  # gnome-keyring keeps its files under XDG_DATA_HOME; HOME stays as it is (cargo lives there).
  export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" VAULTDESK_IN_KEYRING_SESSION=1
  set +e
  dbus-run-session -- "$0" "$@"
  rc=$?
  exit $rc
fi

printf %s "vaultdesk-test" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
trap 'kill "$keyring_pid" 2>/dev/null; wait "$keyring_pid" 2>/dev/null' EXIT

for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  kill -0 "$keyring_pid" 2>/dev/null || { echo "gnome-keyring-daemon exited early" >&2; exit 1; }
  sleep 0.1
done
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' \
  || { echo "Secret Service did not come up on the private bus" >&2; exit 1; }

set +e
"$@"
rc=$?
exit $rc
