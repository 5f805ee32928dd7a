#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring (Secret
# Service), so tests use the real OS keyring without touching the user's. Everything started
# here is ended here, whatever the command's outcome.
#   keyring-session.sh CMD [ARGS...]
#
# Always starts a new bus and daemon, even when called from inside another keyring session (no
# environment variable can make it reuse a bus). The command sees:
#   VAULTDESK_IN_KEYRING_SESSION=1
#   VAULTDESK_KEYRING_BUS    the private bus address (equal to DBUS_SESSION_BUS_ADDRESS)
#   VAULTDESK_KEYRING_PID    the private gnome-keyring-daemon, owner of org.freedesktop.secrets
#   VAULTDESK_KEYRING_DATA   the daemon's XDG_DATA_HOME, a scratch directory
# and tests check all four (src-tauri/core/tests/common/keyring.rs) before writing to a keyring.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
die() { echo "keyring-session.sh: $*" >&2; exit 1; }

inner_flag=--vaultdesk-inside-private-bus
if [ "$1" != "$inner_flag" ]; then
  scratch=$(mktemp -d /tmp/vaultdesk-keyring.XXXXXX)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/data" "$scratch/run"
  chmod 700 "$scratch/run"
  # gnome-keyring keeps its files under XDG_DATA_HOME; HOME stays as it is (cargo lives there).
  export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run"
  unset VAULTDESK_IN_KEYRING_SESSION VAULTDESK_KEYRING_BUS VAULTDESK_KEYRING_PID VAULTDESK_KEYRING_DATA
  set +e
  # The bus the caller is on (the user's, or an outer test session's): the inner side refuses it.
  dbus-run-session -- "$0" "$inner_flag" "${DBUS_SESSION_BUS_ADDRESS:-}" "$@"
  rc=$?
  exit $rc
fi
shift
outer_bus=$1
shift
[ $# -gt 0 ] || die "no command"

# Refuse anything but a fresh bus of our own: one dbus-run-session just made, nobody on it
# offering a Secret Service yet, its data directory a scratch one.
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || die "no private D-Bus session"
[ "$DBUS_SESSION_BUS_ADDRESS" != "$outer_bus" ] || die "D-Bus session is the caller's, not a private one"
case "${XDG_DATA_HOME:-}" in
  /tmp/vaultdesk-keyring.*/data) ;;
  *) die "XDG_DATA_HOME is not a scratch directory of this script: ${XDG_DATA_HOME:-unset}" ;;
esac
secrets_owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
! secrets_owned || die "a Secret Service already runs on the new bus"

# Its messages go to a log in the scratch directory, shown if it dies while the command runs
# (a daemon that crashed is the cause of every "OS keyring unavailable" that follows).
keyring_log="$XDG_DATA_HOME/../gnome-keyring.log"
printf %s "vaultdesk-test" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_log" 2>&1 &
keyring_pid=$!
keyring_end() {
  if ! kill -0 "$keyring_pid" 2>/dev/null; then
    echo "keyring-session.sh: gnome-keyring-daemon $keyring_pid died while the command ran; its last messages:" >&2
    tail -n 20 "$keyring_log" >&2 || true
  fi
  kill "$keyring_pid" 2>/dev/null
  wait "$keyring_pid" 2>/dev/null
}
trap keyring_end EXIT

for _ in $(seq 1 100); do
  secrets_owned && break
  kill -0 "$keyring_pid" 2>/dev/null || die "gnome-keyring-daemon exited early"
  sleep 0.1
done
secrets_owned || die "Secret Service did not come up on the private bus"
owner=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
  | sed -n 's/^ *uint32 //p')
[ "$owner" = "$keyring_pid" ] || die "the Secret Service on the private bus is process ${owner:-?}, not our daemon $keyring_pid"

export VAULTDESK_IN_KEYRING_SESSION=1 VAULTDESK_KEYRING_BUS="$DBUS_SESSION_BUS_ADDRESS" \
       VAULTDESK_KEYRING_PID="$keyring_pid" VAULTDESK_KEYRING_DATA="$XDG_DATA_HOME"
set +e
"$@"
rc=$?
exit $rc
