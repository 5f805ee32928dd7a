#!/usr/bin/env bash
# Installs the Debian package into a FRESH Debian 12 (a debootstrap minbase chroot made from the
# mirror apt is configured with), to show that the package's Depends and Recommends pull in
# everything the CLI and the window need: tests/package/install.sh runs on the build machine,
# which has every library already.
#   bash tests/package/fresh-debian.sh [PATH/TO/vaultdesk_VERSION_ARCH.deb]   (root; default dist/)
# Downloads about 330 MB from the Debian mirror (the base system, then 450-odd packages) and
# takes a few minutes; the chroot is deleted at the end (VAULTDESK_KEEP_CHROOT=1 keeps it).
# Checks: apt-get installs the package, every shared library is found, `vaultdesk --version`,
# a vault added and listed through the chroot's own gnome-keyring (installed as a
# Recommends), and the window started on a private Xvfb stays up; it photographs the display to
# tests/artifacts/package-fresh-debian.png (look at it: the vault's row should show).
# Ends with PASS or FAIL and "N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
log() { printf '[fresh-debian] %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run as root (debootstrap and chroot)"; exit 2; }

deb=${1:-}
if [ -z "$deb" ]; then
  debs=("$root"/dist/vaultdesk_*.deb)
  [ -f "${debs[0]}" ] || { log "no dist/vaultdesk_*.deb: run bash scripts/package.sh first"; exit 2; }
  deb=${debs[0]}
fi
[ -f "$deb" ] || { log "no package at $deb"; exit 2; }
version=$(dpkg-deb -f "$deb" Version)
for tool in debootstrap Xvfb import; do
  command -v "$tool" >/dev/null || {
    log "installing debootstrap, xvfb, imagemagick"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap xvfb imagemagick >/dev/null
    break
  }
done
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' 2>/dev/null | grep -v security | head -n1)
mirror=${mirror:-http://deb.debian.org/debian/}

chroot_dir=$(mktemp -d /var/tmp/vaultdesk-fresh-debian.XXXXXX)
xvfb_pid=""
passed=0 failed=0
ok() { passed=$((passed + 1)); log "ok: $*"; }
bad() { failed=$((failed + 1)); log "FAILED: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
in_chroot() { chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

finish() {
  local rc=$?
  [ -z "$xvfb_pid" ] || { kill "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null || true; }
  local m p pids=()
  # Whatever still runs inside the chroot (D-Bus-activated services, the keyring daemon) was
  # started here: end it by process id, so the mounts can go.
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$chroot_dir" ] && pids+=("${p#/proc/}")
  done
  if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; sleep 1; fi
  for m in tmp/.X11-unix dev/shm dev/pts proc; do
    ! mountpoint -q "$chroot_dir/$m" || umount "$chroot_dir/$m" || umount -l "$chroot_dir/$m"
  done
  if grep -q " $chroot_dir/" /proc/mounts; then
    log "something is still mounted under $chroot_dir: not deleting it"
  elif [ "${VAULTDESK_KEEP_CHROOT:-}" = 1 ]; then
    log "kept $chroot_dir"
  else
    rm -rf --one-file-system "$chroot_dir"
  fi
  [ "$rc" = 0 ] || [ "$failed" -gt 0 ] || failed=1
  if [ "$failed" = 0 ]; then log "PASS"; else log "FAIL"; fi
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "debootstrap --variant=minbase bookworm $chroot_dir $mirror"
if debootstrap --variant=minbase bookworm "$chroot_dir" "$mirror" >"$chroot_dir.debootstrap.log" 2>&1; then
  ok "a fresh Debian 12 (minbase)"; rm -f "$chroot_dir.debootstrap.log"
else
  tail -20 "$chroot_dir.debootstrap.log" >&2; bad "debootstrap"; exit 1
fi
mount -t proc proc "$chroot_dir/proc"
mkdir -p "$chroot_dir/dev/pts" "$chroot_dir/dev/shm"
mount -t devpts devpts "$chroot_dir/dev/pts"
mount -t tmpfs tmpfs "$chroot_dir/dev/shm"
cp "$deb" "$chroot_dir/tmp/"

log "apt-get install -y ./$(basename "$deb") in the chroot"
if in_chroot bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y /tmp/$(basename "$deb")" \
     >"$root/tests/artifacts/package-fresh-debian-apt.log" 2>&1; then
  ok "apt-get install of the package on a fresh Debian 12 ($(grep -c '^Setting up' "$root/tests/artifacts/package-fresh-debian-apt.log") packages set up; log: tests/artifacts/package-fresh-debian-apt.log)"
else
  tail -20 "$root/tests/artifacts/package-fresh-debian-apt.log" >&2; bad "apt-get install of the package"; exit 1
fi
check "vaultdesk --version says vaultdesk $version" test "$(in_chroot vaultdesk --version 2>&1)" = "vaultdesk $version"
check "every shared library of both binaries is found" \
  bash -c '! chroot "$1" ldd /usr/bin/vaultdesk-app /usr/bin/vaultdesk | grep -q "not found"' _ "$chroot_dir"
check "gnome-keyring came as a Recommends" \
  test "$(in_chroot dpkg-query -W -f='${Status}' gnome-keyring 2>/dev/null)" = "install ok installed"

# One D-Bus session with the chroot's own gnome-keyring for the CLI and the window.
mkdir -p "$root/tests/artifacts" "$chroot_dir/tmp/.X11-unix"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$chroot_dir/tmp/display" >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$chroot_dir/tmp/display" ] && break; sleep 0.1; done
display=:$(head -n1 "$chroot_dir/tmp/display")
mount --bind /tmp/.X11-unix "$chroot_dir/tmp/.X11-unix"
cat >"$chroot_dir/tmp/session.sh" <<'EOF'
set -u
printf fresh | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
sleep 2
VAULTDESK_ROLE_ID=fresh-role-id VAULTDESK_SECRET_ID=fresh-secret-id \
  vaultdesk vault add fresh-kv --url https://vault.fresh.test:8200 --engine-name secret --engine-type kv2 --path app/x >/dev/null \
  || { echo "vault add failed"; exit 1; }
vaultdesk vault list | grep -q '^fresh-kv .*https://vault.fresh.test:8200' || { echo "vault list lacks fresh-kv"; exit 1; }
echo "cli ok"
vaultdesk-app >/tmp/app.log 2>&1 &
app=$!
sleep 12
kill -0 "$app" 2>/dev/null || { echo "the window exited early"; cat /tmp/app.log; exit 1; }
echo "window up"
: >/tmp/window-up
while [ ! -e /tmp/photographed ]; do sleep 0.2; done
kill "$app"
kill %1 2>/dev/null
EOF
in_chroot bash -c "mkdir -p /run/user/0 && chmod 700 /run/user/0 && XDG_RUNTIME_DIR=/run/user/0 DISPLAY=$display dbus-run-session -- bash /tmp/session.sh" \
  >"$chroot_dir/tmp/session.log" 2>&1 &
session=$!
for _ in $(seq 300); do [ -e "$chroot_dir/tmp/window-up" ] || ! kill -0 "$session" 2>/dev/null && break; sleep 0.1; done
if [ -e "$chroot_dir/tmp/window-up" ]; then
  DISPLAY=$display import -window root "$root/tests/artifacts/package-fresh-debian.png"
  log "screenshot tests/artifacts/package-fresh-debian.png"
fi
: >"$chroot_dir/tmp/photographed"
wait "$session" || true
check "vault add and vault list through the chroot's gnome-keyring" grep -qx "cli ok" "$chroot_dir/tmp/session.log"
check "the window (/usr/bin/vaultdesk-app) started and stayed up" grep -qx "window up" "$chroot_dir/tmp/session.log"
[ "$failed" = 0 ] || grep -v '^dbus-daemon' "$chroot_dir/tmp/session.log" | tail -20 >&2
[ "$failed" = 0 ]
