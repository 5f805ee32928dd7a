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
#   equivalent consul-template file with the same secret: one template, then COUNT templates;
# - `vaultdesk render` of a JSON file holding COUNT references (one per key, a quarter of them
#   inside text with a helper), a fresh process.
# Prints issue 15's goals as ratios. Builds in release mode; PROFILE=debug uses the debug build
# as it is (no build: the short form tests/bench/all.sh --short runs in CI on the suite's
# debug binaries). With BENCH_TABLE=FILE, appends its figures to FILE as tab-separated rows
# (group, measure, value, unit, note) for tests/bench/all.sh's table.
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
  # With the features tests/run.sh builds with: the suite's binaries, nothing rebuilt.
  cargo build -q -p vaultdesk-cli -p vaultdesk-core --features vaultdesk-core/live-tests \
    --bin vaultdesk --example connector_bench
fi
row() { [ -z "${BENCH_TABLE:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_TABLE"; }
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
vd="$target/$profile/vaultdesk"
bench_bin="$target/$profile/examples/connector_bench"
bao_bin=$VAULTDESK_TEST_BAO_BIN
export BAO_ADDR=$VAULTDESK_TEST_BAO_ADDR BAO_TOKEN=$VAULTDESK_TEST_BAO_TOKEN

# BENCH_DIR: where the exported files go (default $TMPDIR or /tmp). Creating 1,000 files costs
# this machine's journal-less ext4 from ~6 to ~250 ms depending on the state of the folder's
# block group (inode tables read from disk, inodes deleted in the last ~30 s skipped), for
# both tools; BENCH_DIR=/dev/shm shows the tools' own costs without the disk.
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/vaultdesk-bench.XXXXXX")
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
warm_line=$("$bench_bin" "$data" bench "$count" 20)
printf 'vaultdesk  %s\n' "$warm_line"
warm_ms=$(printf '%s\n' "$warm_line" | sed -n 's/.*warm (secret cached) median of [0-9]* \([0-9.]*\) ms.*/\1/p')

# median_ms SETUP CMD...: runs SETUP (untimed: clearing the previous run's output) then CMD,
# $runs times; prints the median wall time of CMD in ms.
median_ms() {
  local setup=$1 times=() t0 t1
  shift
  for _ in $(seq 1 "$runs"); do
    "$setup"
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { log "failed: $*"; return 1; }; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  log "$1: $(printf '%s\n' "${times[@]}" | awk '{printf "%.1f ", $1/1000}')ms"
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | awk '{printf "%.1f", $1/1000}'
}

clear_one() { rm -f "$work/one.json"; }
clear_all() { rm -rf "$work/all"; mkdir "$work/all"; }
export_one() { "$vd" --data-dir "$data" connector export c0000 --out "$work/one.json"; }
export_all() { "$vd" --data-dir "$data" connector export --all --out-dir "$work/all"; }

# A JSON file of $count references: three quarters whole references, a quarter inside text with
# a helper (the DSN of a connector).
python3 - "$count" "$work/refs.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
keys = ["host", "port", "username", "password"]
doc = {}
for i in range(n):
    k = keys[i % 4]
    doc[f"k{i:05}"] = (f"{{{{secrets.bench.{k}}}}}" if i % 4 else
                       f"postgres://u:{{{{urlencode secrets.bench.{k}}}}}@h/{i}")
json.dump(doc, open(path, "w"))
PY
clear_refs() { rm -f "$work/refs-out.json"; }
render_refs() { "$vd" --data-dir "$data" render "$work/refs.json" --out "$work/refs-out.json"; }

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
clear_agent() { rm -rf "$work/agent-out"; mkdir "$work/agent-out"; }
agent_one() { "$bao_bin" agent -config="$work/agent-1.hcl" -log-level=error; }
agent_all() { "$bao_bin" agent -config="$work/agent-n.hcl" -log-level=error; }

# Sanity: both produce the same password.
clear_one; export_one 2>/dev/null; clear_agent; agent_one >/dev/null 2>&1
python3 - "$work/one.json" "$work/agent-out/0.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["password"] == b["password"] == 'p@ss w0rd/"quoted"', (a, b)
assert a["options"]["dsn"].split("@")[0] == b["options"]["dsn"].split("@")[0].replace("+", "%20"), (a, b)
PY
[ "$(ls "$work/agent-out" | wc -l)" = 1 ] || { log "bao agent did not render"; exit 1; }

log "timing one-shot runs ($runs each, median)"
v1=$(median_ms clear_one export_one)
a1=$(median_ms clear_agent agent_one)
vn=$(median_ms clear_all export_all)
[ "$(ls "$work/all" | wc -l)" = "$count" ] || { log "export --all wrote $(ls "$work/all" | wc -l) files"; exit 1; }
an=$(median_ms clear_agent agent_all)
[ "$(ls "$work/agent-out" | wc -l)" = "$count" ] || { log "bao agent wrote $(ls "$work/agent-out" | wc -l) files"; exit 1; }
rn=$(median_ms clear_refs render_refs)
python3 - "$work/refs-out.json" "$count" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
ok = len(out) == int(sys.argv[2]) and out["k00001"] == "5432" and out["k00003"] == 'p@ss w0rd/"quoted"'
assert ok and out["k00000"] == "postgres://u:db.internal@h/0", "vaultdesk render did not render the file as expected"
PY

printf '\n%-44s %12s %12s\n' "one-shot, wall time (median of $runs)" "vaultdesk" "bao agent"
printf '%-44s %9s ms %9s ms\n' "1 connector / template" "$v1" "$a1"
printf '%-44s %9s ms %9s ms\n' "$count connectors / templates" "$vn" "$an"
printf '%-44s %9s ms\n' "render of a file of $count references" "$rn"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
r1=$(ratio "$v1" "$a1") rn_=$(ratio "$vn" "$an")
printf '\ngoals (issue 15)\n'
printf '  one-shot export / bao agent: %s×   (goal ≤ 0.25×)\n' "$r1"
printf '  export of %s / bao agent: %s×   (goal ≤ 0.1×, for 1000)\n' "$count" "$rn_"
printf '  warm in-process render of %s connectors: %s ms   (goal < 10 ms, for 1000)\n' "$count" "$warm_ms"
# Where one export of every connector spends its time (one more run, its own steps).
clear_all
printf '\nwhere an export of %s connectors spends its time (VAULTDESK_TIMINGS=1, one run):\n' "$count"
VAULTDESK_TIMINGS=1 "$vd" --data-dir "$data" connector export --all --out-dir "$work/all" 2>&1 >/dev/null \
  | sed -n 's/^\[timings\] /  /p'
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\n(%s build; OpenBao %s on loopback; %s CPUs; load average %s)\n' "$profile" "$("$bao_bin" version | cut -d' ' -f2)" "$(nproc)" "$load"
row connectors "one-shot export of 1 connector (bao agent: $a1 ms; $r1×, goal ≤ 0.25×)" "$v1" ms "median of $runs"
row connectors "export --all of $count connectors (bao agent: $an ms; $rn_×, goal ≤ 0.1×)" "$vn" ms "median of $runs"
row connectors "warm in-process render of $count connectors (goal < 10 ms)" "$warm_ms" ms "median of 20"
row connectors "vaultdesk render of a file of $count references" "$rn" ms "median of $runs"
