#!/usr/bin/env bash
# A private OpenLDAP server (Debian's slapd) for the tests of OpenBao's `ldap` auth method.
#
# It installs slapd and ldap-utils with apt when they are missing (the system instance the
# package may start is stopped and disabled: it is never used), then runs slapd as a child
# process with a configuration and a database of its own, listening only on
# ldap://127.0.0.1:PORT (a free port, or $VAULTDESK_TEST_LDAP_PORT). The directory holds:
#   dc=vaultdesk,dc=test                      admin cn=admin,dc=vaultdesk,dc=test / ldap-admin-pw
#   uid=alice,ou=people,dc=vaultdesk,dc=test  password "alice-pw 1" (with the space)
#   uid=bob,ou=people,dc=vaultdesk,dc=test    password "bob-pw"
#   cn=dbadmins,ou=groups,dc=vaultdesk,dc=test  groupOfNames, member: alice
# and the tests see it in VAULTDESK_TEST_LDAP_URL, _USERDN, _GROUPDN, _BINDDN, _BINDPASS.
#
# From services.sh (after the MariaDB section; cleanup() kills everything in pids):
#   source "$(dirname "$0")/slapd.sh"
#   slapd_start "$scratch/ldap"     # installs if needed, starts, waits, exports VAULTDESK_TEST_LDAP_*
#   pids+=("$SLAPD_PID")
#   log "OpenLDAP at $VAULTDESK_TEST_LDAP_URL"
# (or call slapd_stop yourself). On its own, like services.sh:
#   tests/scripts/slapd.sh CMD [ARGS...]   # start, run CMD with the variables, stop
#   tests/scripts/slapd.sh --install       # only install the Debian packages
# Sourcing only defines functions (slapd_install, slapd_start, slapd_stop) and leaves the
# shell's options alone.

slapd_log() { printf '[slapd] %s\n' "$*" >&2; }

_slapd_sudo() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

_slapd_installed() {
  local p
  for p in slapd ldap-utils; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

# The system instance: the package's postinst may start it (on port 389) when no policy-rc.d
# forbids it. We never use it: stop it and keep it from starting at boot.
_slapd_stop_system() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    _slapd_sudo systemctl disable --now slapd >/dev/null 2>&1 || true
  else
    [ -x /etc/init.d/slapd ] && _slapd_sudo /etc/init.d/slapd stop >/dev/null 2>&1 || true
    command -v update-rc.d >/dev/null && _slapd_sudo update-rc.d slapd disable >/dev/null 2>&1 || true
  fi
  local pidfile=/run/slapd/slapd.pid pid
  if [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slapd ]; then
      _slapd_sudo kill "$pid" 2>/dev/null || true
    fi
  fi
}

# Installs slapd and ldap-utils, non-interactively, without the package's own configuration.
slapd_install() {
  _slapd_installed && return 0
  slapd_log "installing Debian packages: slapd ldap-utils"
  # No initial directory from the postinst: we bring our own configuration.
  printf '%s\n' 'slapd slapd/no_configuration boolean true' | _slapd_sudo debconf-set-selections
  _slapd_sudo apt-get update -qq
  _slapd_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold slapd ldap-utils >/dev/null
  _slapd_stop_system
  _slapd_installed || { slapd_log "slapd/ldap-utils did not install"; return 1; }
}

_slapd_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

SLAPD_PID=""
SLAPD_DIR=""
_slapd_own_dir=""

# slapd_start [DIR]: DIR (created; default a new /tmp/vaultdesk-slapd.XXXXXX removed by
# slapd_stop) holds the configuration, the database and slapd.log.
slapd_start() {
  local dir=${1:-} suffix="dc=vaultdesk,dc=test" admin_pw="ldap-admin-pw"
  local port=${VAULTDESK_TEST_LDAP_PORT:-} wait_secs=${VAULTDESK_TEST_LDAP_WAIT:-20}
  local url alice_hash bob_hash
  if [ -n "$SLAPD_PID" ] && kill -0 "$SLAPD_PID" 2>/dev/null; then
    slapd_log "already running (pid $SLAPD_PID) at $VAULTDESK_TEST_LDAP_URL"; return 0
  fi
  slapd_install || return 1
  if [ -z "$dir" ]; then
    dir=$(mktemp -d /tmp/vaultdesk-slapd.XXXXXX) || return 1
    _slapd_own_dir=$dir
  fi
  SLAPD_DIR=$dir
  rm -rf "$dir/db" && mkdir -p "$dir/db" || return 1
  [ -n "$port" ] || port=$(_slapd_free_port) || return 1
  url="ldap://127.0.0.1:$port"

  cat > "$dir/slapd.conf" <<CONF || return 1
include         /etc/ldap/schema/core.schema
include         /etc/ldap/schema/cosine.schema
include         /etc/ldap/schema/inetorgperson.schema
include         /etc/ldap/schema/nis.schema
modulepath      /usr/lib/ldap
moduleload      back_mdb
pidfile         $dir/slapd.pid
loglevel        stats

database        mdb
maxsize         16777216
suffix          "$suffix"
rootdn          "cn=admin,$suffix"
rootpw          $(slappasswd -s "$admin_pw")
directory       $dir/db
index           objectClass eq
index           uid,cn eq
index           member,memberUid eq

access to attrs=userPassword
        by self write
        by anonymous auth
        by * none
access to *
        by * read
CONF

  alice_hash=$(slappasswd -s 'alice-pw 1') && bob_hash=$(slappasswd -s 'bob-pw') || return 1
  cat > "$dir/data.ldif" <<LDIF || return 1
dn: $suffix
objectClass: dcObject
objectClass: organization
dc: vaultdesk
o: vaultdesk tests

dn: cn=admin,$suffix
objectClass: organizationalRole
cn: admin

dn: ou=people,$suffix
objectClass: organizationalUnit
ou: people

dn: ou=groups,$suffix
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,$suffix
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Alice
mail: alice@vaultdesk.test
userPassword: $alice_hash

dn: uid=bob,ou=people,$suffix
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: Bob
mail: bob@vaultdesk.test
userPassword: $bob_hash

dn: cn=dbadmins,ou=groups,$suffix
objectClass: groupOfNames
cn: dbadmins
member: uid=alice,ou=people,$suffix
LDIF

  # Loaded offline, before slapd runs: no window where the tree is half there.
  slapadd -q -f "$dir/slapd.conf" -l "$dir/data.ldif" >"$dir/slapadd.log" 2>&1 || {
    slapd_log "slapadd failed:"; cat "$dir/slapadd.log" >&2; return 1; }

  # -d keeps slapd in the foreground (our child, its log on stderr); -h: loopback only.
  /usr/sbin/slapd -d stats -f "$dir/slapd.conf" -h "$url/" >"$dir/slapd.log" 2>&1 &
  SLAPD_PID=$!

  export VAULTDESK_TEST_LDAP_URL="$url" \
         VAULTDESK_TEST_LDAP_USERDN="ou=people,$suffix" \
         VAULTDESK_TEST_LDAP_GROUPDN="ou=groups,$suffix" \
         VAULTDESK_TEST_LDAP_BINDDN="cn=admin,$suffix" \
         VAULTDESK_TEST_LDAP_BINDPASS="$admin_pw"
  local deadline=$((SECONDS + wait_secs)) err=""
  while :; do
    if ! kill -0 "$SLAPD_PID" 2>/dev/null; then
      wait "$SLAPD_PID" 2>/dev/null || true
      slapd_log "slapd exited while starting; the end of $dir/slapd.log:"
      tail -n 20 "$dir/slapd.log" >&2
      SLAPD_PID=""; return 1
    fi
    # timeout: something else on the port may accept the connection and never answer.
    if err=$(timeout 3 ldapwhoami -o nettimeout=2 -x -H "$url" -D "uid=alice,ou=people,$suffix" \
               -w 'alice-pw 1' 2>&1 >/dev/null); then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
  done
  slapd_log "slapd did not answer ldapwhoami as alice at $url within ${wait_secs}s (${err:-timed out}); the end of $dir/slapd.log:"
  tail -n 20 "$dir/slapd.log" >&2
  slapd_stop
  return 1
}

# Stops the slapd slapd_start started (and removes its directory if slapd_start made it).
slapd_stop() {
  local _i
  if [ -n "$SLAPD_PID" ]; then
    kill "$SLAPD_PID" 2>/dev/null || true
    for _i in $(seq 1 50); do kill -0 "$SLAPD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SLAPD_PID" 2>/dev/null || true
    wait "$SLAPD_PID" 2>/dev/null || true
    SLAPD_PID=""
  fi
  if [ -n "$_slapd_own_dir" ]; then
    rm -rf "$_slapd_own_dir"
    _slapd_own_dir=""
  fi
  return 0
}

# Run directly: slapd.sh --install | slapd.sh CMD [ARGS...]
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    "") echo "usage: $0 CMD [ARGS...] | $0 --install" >&2; exit 2 ;;
    --install) slapd_install; exit ;;
  esac
  trap slapd_stop EXIT
  slapd_start
  slapd_log "OpenLDAP at $VAULTDESK_TEST_LDAP_URL (pid $SLAPD_PID)"
  set +e
  "$@"
  exit $?
fi
