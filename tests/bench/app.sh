#!/usr/bin/env bash
# App benchmark, side by side in one run (figures, no assertions):
#   bash tests/bench/app.sh [RUNS]        (default 3 runs; medians are printed)
# Builds (or reuses) the RELEASE app with the UI embedded and the CLI (scripts/build-app.sh
# --release, into $CARGO_TARGET_DIR or target/), then fills three data directories with the
# CLI inside a private keyring session (tests/scripts/keyring-session.sh):
#   empty                          nothing;
#   100 vaults                     100 KV vaults (made-up URLs: nothing is contacted);
#   100 vaults + 1000 connectors   the same, and 1000 REST connectors referencing them;
# and starts the app on each under Xvfb through tauri-driver (tests/scripts/webdriver.sh),
# each run going through all three. tests/bench/app.mjs measures: session start → vault list
# shown; click on Connectors → its list shown; total PSS of the app's processes
# (vaultdesk-app, WebKitWebProcess, WebKitNetworkProcess...) after each. It prints a table of
# medians and the ratios of issue 8's goals: vault list ≤ 1.25× the empty data directory's
# time; Connectors with 1000 connectors ≤ 300 ms after the click; PSS ≤ 1.15× the empty app's.
# BENCH_VAULTS and BENCH_CONNECTORS change the counts; PROFILE=debug uses the debug build.
# Inside tests/scripts/services.sh (as tests/bench/all.sh runs it), it also measures the masked
# preview of a 20-field REST connector (20 references to a real OpenBao KV secret) through the
# app's real IPC: from the page, `preview_connector` invoked as the editor invokes it, a literal
# changed each time as a keystroke would (the editor's debounce not included), p50 and p95.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${VAULTDESK_IN_KEYRING_SESSION:-}" ]; then
  exec tests/scripts/keyring-session.sh bash "$0" "$@"
fi
runs=${1:-3}
n_vaults=${BENCH_VAULTS:-100}
n_connectors=${BENCH_CONNECTORS:-1000}
log() { printf '[bench] %s\n' "$*" >&2; }
. tests/scripts/webdriver.sh

[ -d tests/e2e/node_modules/webdriverio ] || { log "tests/e2e/node_modules is missing: run scripts/setup.sh test"; exit 2; }
profile=${PROFILE:-release}
if [ "$profile" = release ]; then bash scripts/build-app.sh --release; else bash scripts/build-app.sh; fi
target=${CARGO_TARGET_DIR:-target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
app=$target/$profile/vaultdesk-app
cli=$target/$profile/vaultdesk

work=$(mktemp -d "${TMPDIR:-/tmp}/vaultdesk-bench-app.XXXXXX")
cleanup() {
  local rc=$?
  webdriver_stop
  # The keyring session ends with this script, and its entries with it.
  if [ "$rc" = 0 ]; then rm -rf "$work"; else log "kept $work (xvfb.log, tauri-driver.log)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf %s "bench-role-id" >"$work/role_id"
printf %s "bench-secret-id" >"$work/secret_id"
add_vaults() { # add_vaults DIR
  for i in $(seq -w 1 "$n_vaults"); do
    "$cli" --data-dir "$1" vault add "v$i" --url "https://vault-$i.bench.test:8200" \
      --engine-name secret --engine-type kv2 --path "apps/app$i" \
      --role-id-file "$work/role_id" --secret-id-file "$work/secret_id" >/dev/null
  done
}
add_connectors() { # add_connectors DIR
  local i v
  for i in $(seq -w 1 "$n_connectors"); do
    v=v$(printf "%0${#n_vaults}d" $(( 10#$i % n_vaults + 1 )))
    printf '{"base_url": "{{secrets.%s.base_url}}/svc%s", "auth": {"type": "bearer", "token": "{{secrets.%s.token}}"}, "headers": {"X-Team": "team%s"}, "timeout": "30s"}' \
      "$v" "$i" "$v" "$i" >"$work/config.json"
    "$cli" --data-dir "$1" connector add "c$i" --kind rest --vault "$v" --config "$work/config.json" >/dev/null
  done
}
timed() { # timed WHAT CMD...: runs CMD, logs its wall time
  local what=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@"
  t1=$(date +%s%N)
  log "$what: $(( (t1 - t0) / 1000000 )) ms"
}

empty=$work/empty vaults=$work/vaults both=$work/vaults-connectors
mkdir -p "$empty"
timed "$n_vaults vaults added with the CLI" add_vaults "$vaults"
add_vaults "$both"
timed "$n_connectors connectors added with the CLI" add_connectors "$both"

preview=""
if [ -n "${VAULTDESK_TEST_BAO_ADDR:-}" ]; then
  # A vault on the real OpenBao, with a secret of 20 keys, for the preview measure.
  bao_bin=$VAULTDESK_TEST_BAO_BIN tag=p$$
  export BAO_ADDR=$VAULTDESK_TEST_BAO_ADDR BAO_TOKEN=$VAULTDESK_TEST_BAO_TOKEN
  "$bao_bin" secrets enable -path="benchp$tag" kv-v2 >/dev/null
  "$bao_bin" kv put "benchp$tag/app/cfg" $(for k in $(seq -w 1 20); do printf 'k%s=value-%s ' "$k" "$k"; done) >/dev/null
  printf 'path "benchp%s/data/app/*" { capabilities = ["read"] }\n' "$tag" >"$work/policy.hcl"
  "$bao_bin" policy write "benchp$tag" "$work/policy.hcl" >/dev/null
  "$bao_bin" auth enable -path="benchpar$tag" approle >/dev/null
  "$bao_bin" write "auth/benchpar$tag/role/bench" token_policies="benchp$tag" token_ttl=30m >/dev/null
  "$bao_bin" read -field=role_id "auth/benchpar$tag/role/bench/role-id" >"$work/p_role_id"
  "$bao_bin" write -f -field=secret_id "auth/benchpar$tag/role/bench/secret-id" >"$work/p_secret_id"
  preview=$work/preview
  "$cli" --data-dir "$preview" vault add pv --url "$BAO_ADDR" --auth-mount "benchpar$tag" \
    --engine-name "benchp$tag" --engine-type kv2 --path app/cfg \
    --role-id-file "$work/p_role_id" --secret-id-file "$work/p_secret_id" >/dev/null
fi

webdriver_start "$work" || exit
log "$runs runs, each on the three data directories"
tab=$'\t'
BENCH_DIRS="empty${tab}$empty${tab}0${tab}0
$n_vaults vaults${tab}$vaults${tab}$n_vaults${tab}0
$n_vaults vaults + $n_connectors connectors${tab}$both${tab}$n_vaults${tab}$n_connectors" \
BENCH_PREVIEW_DIR=$preview BENCH_RUNS=$runs BENCH_PROFILE=$profile VAULTDESK_APP=$app node tests/bench/app.mjs
