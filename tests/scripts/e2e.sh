#!/usr/bin/env bash
# End-to-end tests of the real vaultdesk window:
#   1. tests/e2e/smoke.mjs on an empty data directory: the empty state, CSP and ACL;
#   2. tests/e2e/vaults.mjs: the vault screens against the real OpenBao and PostgreSQL of
#      services.sh (add through the form with Test, wrong Secret ID, edit, database engine,
#      delete, restart); this script sets up the AppRole, KV and database engine as root;
#   3. tests/e2e/connectors.mjs: the Connectors section on vaults added by the CLI (a KV
#      vault, a REST-style KV vault, a PostgreSQL database engine): editor, pre-fill, live
#      preview masked and revealed, field errors, export of one and of all (0600 files);
#   4. tests/e2e/smoke.mjs after `vaultdesk vault add` (the CLI): the vault's row in the list;
#   5. tests/e2e/long-list.mjs: 130 connectors (added with the CLI) show at once and all are
#      reached by scrolling;
#   6. tests/e2e/logins.mjs: the login methods in the form;
#   7. tests/e2e/leases.mjs: the Leases view, empty, then with a PostgreSQL user the CLI
#      exported (live, path, countdown, masked user), a preview's user revoked when the editor
#      closes, and Revoke turning the export's lease revoked (the user no longer logs in);
#   8. tests/e2e/aws.mjs: AWS Secrets Manager against moto (services.sh's VAULTDESK_TEST_AWS_*):
#      access keys with Test and Save, a missing secret named under its field, the default chain;
#   9. tests/e2e/demo.mjs: `vaultdesk demo --no-window` (its own OpenBao, the binary of
#      services.sh) with the window opened on its data directory with --demo: the "Demo data"
#      badge, demo-kv's Test passing, a connector preview; then SIGTERM ends the demo and the
#      checks "[demo-end]" find its data directory and keyring entries gone.
# Screenshots land in tests/artifacts/ (smoke-*.png, vault-*.png, connector*.png).
#
# The caller provides, and this script does not:
#   - a D-Bus session with an unlocked Secret Service (gnome-keyring): the CLI stores the
#     Role ID and Secret ID there;
#   - OpenBao and PostgreSQL: tests/scripts/services.sh (VAULTDESK_TEST_BAO_*, _PG_*);
#   - the built binaries: scripts/build-app.sh --e2e (UI, then the app with custom-protocol and
#     the e2e feature as vaultdesk-app-e2e, then the CLI), in $CARGO_TARGET_DIR (default target/);
#   - Xvfb, WebKitWebDriver, tauri-driver and tests/e2e/node_modules: scripts/setup.sh test.
# This script starts Xvfb (on a free display) and tauri-driver (tests/scripts/webdriver.sh),
# and stops them, and anything they started, on exit. Exit code: 0 when all runs pass. Each
# run ends with a line "[NAME] checks: N passed, M failed" (tests/run.sh adds them up).
#
# Overrides: VAULTDESK_APP, VAULTDESK_CLI (binaries), TAURI_DRIVER_PORT (default 4444, or a
# free port when taken), E2E_KEEP=1 keeps the temporary directory for inspection.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/scripts/webdriver.sh"
log() { printf '[e2e] %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# Where cargo builds (scripts/build-app.sh runs cargo from the repository root).
target=${CARGO_TARGET_DIR:-target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
app=${VAULTDESK_APP:-$target/debug/vaultdesk-app-e2e}
cli=${VAULTDESK_CLI:-$target/debug/vaultdesk}

[ -x "$app" ] || die "no app at $app: run scripts/build-app.sh --e2e"
[ -x "$cli" ] || die "no CLI at $cli: run scripts/build-app.sh"
[ -d "$root/tests/e2e/node_modules/webdriverio" ] || die "tests/e2e/node_modules is missing: run scripts/setup.sh test"
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || die "no D-Bus session: run inside dbus-run-session with an unlocked gnome-keyring"
[ -n "${VAULTDESK_TEST_BAO_ADDR:-}" ] && [ -n "${VAULTDESK_TEST_PG_PORT:-}" ] \
  || die "no OpenBao/PostgreSQL: run inside tests/scripts/services.sh (tests/scripts/keyring-session.sh tests/scripts/services.sh bash $0)"
command -v secret-tool >/dev/null || die "secret-tool is missing (Debian: libsecret-tools): run scripts/setup.sh test"
case "$app" in /*) ;; *) app=$(cd "$(dirname "$app")" && pwd)/$(basename "$app") ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-e2e.XXXXXX")
vault_added=""
data="$work/data"
vaults_data="$work/data-vaults"
connectors_data="$work/data-connectors"
# The app replaces its export dialogs by this folder (src-tauri/src/connectors.rs): a native
# dialog cannot be driven through WebDriver. Set for every run; only connectors.mjs exports.
export_dir="$work/exports"
export VAULTDESK_E2E_EXPORT_DIR="$export_dir"
vault_name=e2e-kv
vault_url=https://vault.e2e.test:8200

cleanup() {
  local rc=$?
  # A demo still running (run 9 stopped half-way) ends and removes what it made.
  if [ -n "${demo_pid:-}" ]; then kill -TERM "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null; fi
  if [ -n "$vault_added" ]; then
    # Leave nothing in the caller's keyring.
    "$cli" --data-dir "$data" vault remove "$vault_name" >/dev/null 2>&1 || log "could not remove $vault_name"
  fi
  for dir in "$vaults_data" "$connectors_data" "${long_data:-}" "${logins_data:-}" "${leases_data:-}" "${aws_data:-}"; do
    [ -n "$dir" ] || continue
    [ -s "$dir/vaultdesk.db" ] || continue
    for name in $("$cli" --data-dir "$dir" vault list --json 2>/dev/null | node -e \
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{for(const v of JSON.parse(s))console.log(v.name)}catch{}})'); do
      # --force: connectors may still use it; only the keyring entries matter here.
      "$cli" --data-dir "$dir" vault remove --force "$name" >/dev/null 2>&1 || log "could not remove $name"
    done
  done
  webdriver_stop
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

# The app started by tauri-driver inherits this: the "+ Vault" form starts with it as the URL.
export VAULT_ADDR="$VAULTDESK_TEST_BAO_ADDR"
bao() { VAULT_ADDR="$VAULTDESK_TEST_BAO_ADDR" VAULT_TOKEN=root "$VAULTDESK_TEST_BAO_BIN" "$@"; }
# The login methods' fixtures (run 6) come first: the window gets their token as $VAULT_TOKEN,
# which it reads only when the form's "Use my Vault CLI login" asks for it.
login_kv="e2elkv$$" up_mount="e2eup$$" wrap_role="e2e-wrap-$$" login_policy="e2e-login-$$"
bao secrets enable -path="$login_kv" kv-v2 >/dev/null
bao kv put "$login_kv/app/config" password=one >/dev/null
bao policy write "$login_policy" - >/dev/null <<HCL
path "$login_kv/data/app/*" { capabilities = ["read"] }
path "$login_kv/subkeys/app/*" { capabilities = ["read"] }
HCL
e2e_token=$(bao token create -field=token -policy="$login_policy" -ttl=1h)
bao auth enable -path="$up_mount" userpass >/dev/null
bao write "auth/$up_mount/users/jane" password="pass phrase e2e" token_policies="$login_policy" >/dev/null
bao auth list -format=json | grep '"approle/"' >/dev/null || bao auth enable approle >/dev/null
bao write "auth/approle/role/$wrap_role" token_policies="$login_policy" >/dev/null
wrap_role_id=$(bao read -field=role_id "auth/approle/role/$wrap_role/role-id")
wrapped_secret_id=$(bao write -f -wrap-ttl=600s -field=wrapping_token "auth/approle/role/$wrap_role/secret-id")
printf '#!/bin/sh\nVAULT_ADDR=%s VAULT_TOKEN=root %s kv put %s/app/config password=two >/dev/null\n' \
  "$VAULTDESK_TEST_BAO_ADDR" "$VAULTDESK_TEST_BAO_BIN" "$login_kv" >"$work/rotate.sh"
chmod +x "$work/rotate.sh"
# OIDC: an auth mount at the run's OpenID provider, and a "browser" for the window ($BROWSER)
# that signs in as alice at the provider's page with curl and follows the redirect back.
oidc_mount="e2eoidc$$"
bao auth enable -path="$oidc_mount" oidc >/dev/null
bao write "auth/$oidc_mount/config" oidc_discovery_url="$VAULTDESK_TEST_OIDC_URL" oidc_client_id=vaultdesk-e2e \
  oidc_client_secret=e2e-secret default_role=app >/dev/null
bao write "auth/$oidc_mount/role/app" role_type=oidc user_claim=sub token_policies="$login_policy" \
  allowed_redirect_uris=http://127.0.0.1:8250/oidc/callback >/dev/null
cat >"$work/browser.sh" <<'SH'
#!/bin/sh
back=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST --data-urlencode sub=alice "$1")
curl -s "$back" >/dev/null
SH
chmod +x "$work/browser.sh"
export BROWSER="$work/browser.sh"
export VAULT_TOKEN="$e2e_token"
# AWS (run 7): a secret in moto, and a shared credentials file whose profile the window's
# default credential chain reads (moto's open server takes any key).
aws_call() {
  curl -sf -X POST "$VAULTDESK_TEST_AWS_ENDPOINT" -H "X-Amz-Target: secretsmanager.$1" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=e2e/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0' \
    -d "$2" >/dev/null
}
# PutSecretValue when an earlier run against the same services created it already.
aws_value='"SecretString": "{\"username\": \"app\", \"password\": \"aws-e2e-secret-value\"}"'
aws_call CreateSecret "{\"Name\": \"e2e/app\", $aws_value}" \
  || aws_call PutSecretValue "{\"SecretId\": \"e2e/app\", $aws_value}" \
  || die "cannot create the AWS fixture in moto at $VAULTDESK_TEST_AWS_ENDPOINT"
printf '[default]\naws_access_key_id = AKIADEFAULTE2E000000\naws_secret_access_key = default-e2e\n[e2e]\naws_access_key_id = AKIAPROFILEE2E000000\naws_secret_access_key = profile-e2e\n' \
  >"$work/aws-credentials"
export AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials" AWS_CONFIG_FILE="$work/aws-config"
: >"$work/aws-config"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
webdriver_start "$work" || exit
port=$TAURI_DRIVER_PORT

smoke() {
  (cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$data" TAURI_DRIVER_PORT="$port" \
    "$@" node smoke.mjs)
}

# OpenBao fixtures for vaults.mjs, made as root with the bao CLI: a KV v2 secret, a database
# engine on the test PostgreSQL with a role "ro", and one AppRole whose policy reads both.
vault_fixtures() {
  local id=$$ pg_url
  kv_mount="e2ekv$id" db_mount="e2edb$id"
  local role="e2e-$id" policy="e2e-read-$id"
  bao secrets enable -path="$kv_mount" kv-v2 >/dev/null
  bao kv put "$kv_mount/app/config" username=app password=kv-secret-value >/dev/null
  bao kv put "$kv_mount/app/api" base_url=https://api.e2e.test/v1 token=tok-e2e-secret >/dev/null
  bao secrets enable -path="$db_mount" database >/dev/null
  pg_url="postgresql://{{username}}:{{password}}@$VAULTDESK_TEST_PG_HOST:$VAULTDESK_TEST_PG_PORT/postgres?sslmode=disable"
  bao write "$db_mount/config/orders" plugin_name=postgresql-database-plugin connection_url="$pg_url" \
    username="$VAULTDESK_TEST_PG_USER" password="$VAULTDESK_TEST_PG_PASSWORD" allowed_roles=ro >/dev/null
  bao write "$db_mount/roles/ro" db_name=orders default_ttl=10m max_ttl=1h \
    creation_statements="CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';" >/dev/null
  bao policy write "$policy" - >/dev/null <<HCL
path "$kv_mount/data/app/*" { capabilities = ["read"] }
path "$kv_mount/subkeys/app/*" { capabilities = ["read"] }
path "$db_mount/creds/ro" { capabilities = ["read"] }
path "$db_mount/config/orders" { capabilities = ["read"] }
path "sys/leases/revoke" { capabilities = ["update"] }
HCL
  # At the default mount "approle", as most servers have it: the form keeps its default.
  # (grep without -q reads the whole list: -q would exit at the match, bao could die of SIGPIPE,
  # and with pipefail the test would then enable the mount a second time and fail.)
  bao auth list -format=json | grep '"approle/"' >/dev/null || bao auth enable approle >/dev/null
  bao write "auth/approle/role/$role" token_policies="$policy" token_ttl=30m >/dev/null
  role_id=$(bao read -field=role_id "auth/approle/role/$role/role-id")
  secret_id=$(bao write -f -field=secret_id "auth/approle/role/$role/secret-id")
}

mkdir -p "$data"
log "run 1: empty data directory"
rc=0
env_empty=(env E2E_EXPECT_EMPTY=1 E2E_SCREENSHOT=smoke-empty)
smoke "${env_empty[@]}" || rc=$?

log "run 2: the vault screens against OpenBao $VAULTDESK_TEST_BAO_ADDR and PostgreSQL"
vault_fixtures
mkdir -p "$vaults_data"
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$vaults_data" TAURI_DRIVER_PORT="$port" \
  E2E_BAO_ADDR="$VAULTDESK_TEST_BAO_ADDR" E2E_ROLE_ID="$role_id" E2E_SECRET_ID="$secret_id" \
  E2E_KV_MOUNT="$kv_mount" E2E_DB_MOUNT="$db_mount" E2E_CLI="$cli" node vaults.mjs) || rc=$?

log "run 3: the connectors screens (vaults e2e-kv, e2e-api, e2e-pg added with the CLI)"
mkdir -p "$connectors_data" "$export_dir"
add_vault() {
  VAULTDESK_ROLE_ID="$role_id" VAULTDESK_SECRET_ID="$secret_id" \
    "$cli" --data-dir "$connectors_data" vault add "$@" --url "$VAULTDESK_TEST_BAO_ADDR" >/dev/null
}
add_vault e2e-kv --engine-name "$kv_mount" --engine-type kv2 --path app/config
# e2e-kv's username and password log in to the test PostgreSQL (Test connection).
PGPASSWORD="$VAULTDESK_TEST_PG_PASSWORD" psql -q -h "$VAULTDESK_TEST_PG_HOST" -p "$VAULTDESK_TEST_PG_PORT" \
  -U "$VAULTDESK_TEST_PG_USER" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  CREATE ROLE app LOGIN PASSWORD 'kv-secret-value';
EXCEPTION WHEN duplicate_object THEN
  ALTER ROLE app LOGIN PASSWORD 'kv-secret-value';
END $$;
SQL
add_vault e2e-api --engine-name "$kv_mount" --engine-type kv2 --path app/api
add_vault e2e-pg --engine-name "$db_mount" --engine-type postgresql --db-role ro --connection-name orders
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$connectors_data" TAURI_DRIVER_PORT="$port" \
  E2E_EXPORT_DIR="$export_dir" E2E_KV_SECRET=kv-secret-value E2E_API_URL=https://api.e2e.test/v1 \
  E2E_API_TOKEN=tok-e2e-secret E2E_PG_HOST="$VAULTDESK_TEST_PG_HOST" E2E_PG_PORT="$VAULTDESK_TEST_PG_PORT" \
  node connectors.mjs) || rc=$?

log "adding vault $vault_name with the CLI"
VAULTDESK_ROLE_ID=e2e-dummy-role-id VAULTDESK_SECRET_ID=e2e-dummy-secret-id \
  "$cli" --data-dir "$data" vault add "$vault_name" --url "$vault_url" \
  --engine-name secret --engine-type kv2 --path app/config >/dev/null
vault_added=1

log "run 4: one vault added by the CLI"
env_list=(env E2E_VAULT_NAME="$vault_name" E2E_VAULT_URL="$vault_url" E2E_VAULT_ENGINE=kv2 E2E_SCREENSHOT=smoke-vault-list)
smoke "${env_list[@]}" || rc=$?

log "run 5: a long connector list (130 connectors added with the CLI)"
long_data="$work/long-data"
mkdir -p "$long_data"
printf %s '{"base_url": "https://api.e2e.test/{{secrets.e2e-long.path}}"}' >"$work/long-connector.json"
VAULTDESK_ROLE_ID=e2e-dummy-role-id VAULTDESK_SECRET_ID=e2e-dummy-secret-id \
  "$cli" --data-dir "$long_data" vault add e2e-long --url "$vault_url" \
  --engine-name secret --engine-type kv2 --path app/long >/dev/null
for i in $(seq -w 1 130); do
  "$cli" --data-dir "$long_data" connector add "c$i" --kind rest --vault e2e-long --config "$work/long-connector.json" >/dev/null
done
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$long_data" TAURI_DRIVER_PORT="$port" \
  E2E_CONNECTORS=130 node long-list.mjs) || rc=$?

log "run 6: the login methods (token, userpass, wrapped Secret ID, Refresh now)"
logins_data="$work/data-logins"
mkdir -p "$logins_data"
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$logins_data" TAURI_DRIVER_PORT="$port" \
  E2E_BAO_ADDR="$VAULTDESK_TEST_BAO_ADDR" E2E_KV_MOUNT="$login_kv" E2E_TOKEN="$e2e_token" \
  E2E_USERPASS_MOUNT="$up_mount" E2E_USERPASS_USER=jane E2E_USERPASS_PASSWORD="pass phrase e2e" \
  E2E_ROLE_ID="$wrap_role_id" E2E_WRAPPED_SECRET_ID="$wrapped_secret_id" E2E_ROTATE="$work/rotate.sh" \
  E2E_OIDC_MOUNT="$oidc_mount" \
  node logins.mjs) || rc=$?

log "run 7: the Leases view (vault e2e-pg added and connector orders exported with the CLI)"
leases_data="$work/data-leases"
leases_empty="$work/data-leases-empty"
mkdir -p "$leases_data" "$leases_empty"
VAULTDESK_ROLE_ID="$role_id" VAULTDESK_SECRET_ID="$secret_id" \
  "$cli" --data-dir "$leases_data" vault add e2e-pg --url "$VAULTDESK_TEST_BAO_ADDR" \
  --engine-name "$db_mount" --engine-type postgresql --db-role ro --connection-name orders >/dev/null
printf '{"host": "%s", "port": %s, "database": "postgres", "tls_mode": "disable", "username": "{{secrets.e2e-pg.username}}", "password": "{{secrets.e2e-pg.password}}"}' \
  "$VAULTDESK_TEST_PG_HOST" "$VAULTDESK_TEST_PG_PORT" >"$work/orders-leases.json"
"$cli" --data-dir "$leases_data" connector add orders --kind postgresql --vault e2e-pg --config "$work/orders-leases.json" >/dev/null
# The exported file holds the issued user and password: leases.mjs checks them with psql.
"$cli" --data-dir "$leases_data" connector export orders --out "$work/orders-exported.json" 2>/dev/null
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$leases_data" TAURI_DRIVER_PORT="$port" \
  E2E_EMPTY_DATA_DIR="$leases_empty" E2E_LEASE_FILE="$work/orders-exported.json" \
  E2E_PG_HOST="$VAULTDESK_TEST_PG_HOST" E2E_PG_PORT="$VAULTDESK_TEST_PG_PORT" node leases.mjs) || rc=$?
log "run 8: AWS Secrets Manager (access keys, a missing secret, the default chain) against moto"
aws_data="$work/data-aws"
mkdir -p "$aws_data"
(cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$aws_data" TAURI_DRIVER_PORT="$port" \
  E2E_AWS_ENDPOINT="$VAULTDESK_TEST_AWS_ENDPOINT" E2E_AWS_SECRET_VALUE=aws-e2e-secret-value E2E_AWS_PROFILE=e2e \
  node aws.mjs) || rc=$?

log "run 9: the first-run demo (vaultdesk demo --no-window, the window opened on it with --demo)"
VAULTDESK_BAO_BIN="$VAULTDESK_TEST_BAO_BIN" "$cli" demo --no-window >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
for _ in $(seq 300); do [ -s "$work/demo.out" ] && break; sleep 0.2; done
demo_dir=$(node -e 'try{console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).demo_data_dir)}catch{}' "$work/demo.out")
demo_ok=0 demo_failed=0
demo_check() { # demo_check WHAT CONDITION...: counted like an E2E script's checks
  local what=$1; shift
  if "$@"; then demo_ok=$((demo_ok + 1)); log "[demo-end] $what"; else demo_failed=$((demo_failed + 1)); log "[demo-end] FAILED: $what"; fi
}
if [ -n "$demo_dir" ]; then
  demo_accounts=$(for v in demo-kv demo-db; do "$cli" --data-dir "$demo_dir" vault show "$v" --json | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const k=JSON.parse(s).keyring;console.log(k.role_id_account);console.log(k.secret_id_account)})'; done)
  (cd "$root/tests/e2e" && VAULTDESK_APP="$app" VAULTDESK_DATA_DIR="$demo_dir" TAURI_DRIVER_PORT="$port" \
    node demo.mjs) || rc=$?
  demo_check "the demo's keyring entries existed while it ran" test "$(printf '%s\n' "$demo_accounts" | grep -c .)" = 4
  kill -TERM "$demo_pid"
  demo_rc=0; wait "$demo_pid" || demo_rc=$?
  demo_check "SIGTERM ended the demo (exit $demo_rc)" test "$demo_rc" = 143
  demo_check "the demo data directory is removed" test ! -e "$(dirname "$demo_dir")"
  left=0
  for a in $demo_accounts; do
    if secret-tool lookup service vaultdesk username "$a" >/dev/null 2>&1; then left=$((left + 1)); fi
  done
  demo_check "its keyring entries are removed ($left left)" test "$left" = 0
else
  log "vaultdesk demo did not start: $(cat "$work/demo.err")"
  kill -TERM "$demo_pid" 2>/dev/null || true
  demo_failed=1
fi
echo "[demo-end] checks: $demo_ok passed, $demo_failed failed"
[ "$demo_failed" = 0 ] || rc=1

if [ "$rc" = 0 ]; then log "PASS"; else log "FAIL (tauri-driver log: $work/tauri-driver.log)"; fi
exit "$rc"
