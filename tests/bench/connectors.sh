#!/usr/bin/env bash
# Connector rendering benchmark, side by side with `bao agent`, in one run:
#   bash tests/bench/connectors.sh [COUNT]        (COUNT connectors, default 1000)
# Starts its own keyring session and services (tests/scripts/keyring-session.sh, services.sh)
# unless already inside them. Prints measured figures; asserts nothing about time.
#
# - warm render: COUNT PostgreSQL connectors, each referencing host, port, username and password
#   of one KV secret (plus a DSN with urlencode), rendered in-process with the secret cached
#   (examples/connector_bench.rs);
# - one-shot CLI: `vaultdesk connector export` of one connector and of all COUNT (`--all
#   --out-dir`), each a fresh process: open the store, read the keyring, log in, read, write;
# - `bao agent` (auto_auth AppRole + template stanza(s) + exit_after_auth = true) rendering an
#   equivalent consul-template file with the same secret: one template, then COUNT templates.
# Builds in release mode (PROFILE=debug to use the debug build).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${VAULTDESK_IN_KEYRING_SESSION:-}" ] || [ -z "${VAULTDESK_TEST_BAO_ADDR:-}" ]; then
  exec tests/scripts/keyring-session.sh tests/scripts/services.sh bash "$0" "$@"
fi
count=${1:-1000}
profile=${PROFILE:-release}
runs=5

log() { printf '[bench] %s\n' "$*" >&2; }
if [ "$profile" = release ]; then
  cargo build -q --release -p vaultdesk-cli -p vaultdesk-core --bin vaultdesk --example connector_bench
else
  cargo build -q -p vaultdesk-cli -p vaultdesk-core --bin vaultdesk --example connector_bench
fi
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
vd="$target/$profile/vaultdesk"
bench_bin="$target/$profile/examples/connector_bench"
bao_bin=$VAULTDESK_TEST_BAO_BIN
export BAO_ADDR=$VAULTDESK_TEST_BAO_ADDR BAO_TOKEN=$VAULTDESK_TEST_BAO_TOKEN

work=$(mktemp -d /tmp/vaultdesk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
data="$work/data"

# --- the secret, an AppRole that may read it ------------------------------------------------
tag=$$
"$bao_bin" secrets enable -path="bench$tag" kv-v2 >/dev/null
"$bao_bin" kv put "bench$tag/app/db" host=db.internal port=5432 username=app \
  'password=p@ss w0rd/"quoted"' >/dev/null
printf 'path "bench%s/data/app/*" { capabilities = ["read"] }\n' "$tag" > "$work/policy.hcl"
"$bao_bin" policy write "bench$tag" "$work/policy.hcl" >/dev/null
"$bao_bin" auth enable -path="benchar$tag" approle >/dev/null
"$bao_bin" write "auth/benchar$tag/role/bench" token_policies="bench$tag" token_ttl=30m >/dev/null
"$bao_bin" read -field=role_id "auth/benchar$tag/role/bench/role-id" > "$work/role_id"
"$bao_bin" write -f -field=secret_id "auth/benchar$tag/role/bench/secret-id" > "$work/secret_id"

"$vd" --data-dir "$data" vault add bench --url "$BAO_ADDR" --auth-mount "benchar$tag" \
  --engine-name "bench$tag" --engine-type kv2 --path app/db \
  --role-id-file "$work/role_id" --secret-id-file "$work/secret_id" >/dev/null

# --- vaultdesk: warm in-process render ----------------------------------------------------
log "creating $count connectors and rendering them in-process"
"$bench_bin" "$data" bench "$count" 20 | sed 's/^/vaultdesk  /'

# median_ms CMD...: runs CMD $runs times, prints the median wall time in ms.
median_ms() {
  local times=() t0 t1
  for _ in $(seq 1 "$runs"); do
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { log "failed: $*"; return 1; }; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | awk '{printf "%.1f", $1/1000}'
}

export_one() { rm -f "$work/one.json"; "$vd" --data-dir "$data" connector export c0000 --out "$work/one.json"; }
export_all() { rm -rf "$work/all"; mkdir "$work/all"; "$vd" --data-dir "$data" connector export --all --out-dir "$work/all"; }

# --- bao agent: the same secret through consul-template -----------------------------------
tpl_body='{{ with secret "bench'"$tag"'/data/app/db" }}{"host": "{{ .Data.data.host }}", "port": {{ .Data.data.port }}, "database": "app0", "username": "{{ .Data.data.username }}", "password": {{ .Data.data.password | toJSON }}, "options": {"application_name": "svc-0", "dsn": "postgres://{{ .Data.data.username }}:{{ .Data.data.password | urlquery }}@{{ .Data.data.host }}/app0"}}{{ end }}'
printf '%s\n' "$tpl_body" > "$work/one.ctmpl"
agent_config() { # agent_config N FILE
  {
    cat <<HCL
vault { address = "$BAO_ADDR" }
exit_after_auth = true
auto_auth {
  method "approle" {
    mount_path = "auth/benchar$tag"
    config = {
      role_id_file_path = "$work/role_id"
      secret_id_file_path = "$work/secret_id"
      remove_secret_id_file_after_reading = false
    }
  }
}
HCL
    for i in $(seq 0 $(( $1 - 1 ))); do
      printf 'template {\n  source = "%s/one.ctmpl"\n  destination = "%s/agent-out/%s.json"\n  perms = "0600"\n}\n' "$work" "$work" "$i"
    done
  } > "$2"
}
agent_config 1 "$work/agent-1.hcl"
agent_config "$count" "$work/agent-n.hcl"
agent_one() { rm -rf "$work/agent-out"; mkdir "$work/agent-out"; "$bao_bin" agent -config="$work/agent-1.hcl" -log-level=error; }
agent_all() { rm -rf "$work/agent-out"; mkdir "$work/agent-out"; "$bao_bin" agent -config="$work/agent-n.hcl" -log-level=error; }

# Sanity: both produce the same password.
export_one 2>/dev/null; agent_one >/dev/null 2>&1
python3 - "$work/one.json" "$work/agent-out/0.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["password"] == b["password"] == 'p@ss w0rd/"quoted"', (a, b)
assert a["options"]["dsn"].split("@")[0] == b["options"]["dsn"].split("@")[0].replace("+", "%20"), (a, b)
PY
[ "$(ls "$work/agent-out" | wc -l)" = 1 ] || { log "bao agent did not render"; exit 1; }

log "timing one-shot runs ($runs each, median)"
v1=$(median_ms export_one)
a1=$(median_ms agent_one)
vn=$(median_ms export_all)
[ "$(ls "$work/all" | wc -l)" = "$count" ] || { log "export --all wrote $(ls "$work/all" | wc -l) files"; exit 1; }
an=$(median_ms agent_all)
[ "$(ls "$work/agent-out" | wc -l)" = "$count" ] || { log "bao agent wrote $(ls "$work/agent-out" | wc -l) files"; exit 1; }

printf '\n%-44s %12s %12s\n' "one-shot, wall time (median of $runs)" "vaultdesk" "bao agent"
printf '%-44s %9s ms %9s ms\n' "1 connector / template" "$v1" "$a1"
printf '%-44s %9s ms %9s ms\n' "$count connectors / templates" "$vn" "$an"
printf '\n(%s build; OpenBao %s on loopback; %s CPUs)\n' "$profile" "$("$bao_bin" version | cut -d' ' -f2)" "$(nproc)"
