#!/usr/bin/env bash
# Every benchmark, one table (figures, no assertions):
#   bash tests/bench/all.sh            release build (scripts/build-app.sh --release), full sizes
#   bash tests/bench/all.sh --short    CI's short form: the debug binaries tests/run.sh already
#                                      built (nothing is built in release), small sizes
# Runs, inside one private keyring session and one set of services (tests/scripts/
# keyring-session.sh, services.sh):
#   - the Vault-client benchmark (src-tauri/core/benches/vault.rs, as tests/bench/vault.sh);
#   - the connector benchmark side by side with `bao agent` (tests/bench/connectors.sh: one-shot
#     export, export --all, warm in-process render, `vaultdesk render` of a file of references);
#   - the app benchmark (tests/bench/app.sh: time to the vault list and to the Connectors page,
#     memory), and the masked preview of a 20-field connector through the app's real IPC.
# Each prints its own detailed output as it goes; the table at the end gathers the figures, with
# the machine, the build profile and the load average they were measured under.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
short=0
case "${1:-}" in
  "") ;;
  --short) short=1 ;;
  *) echo "usage: $0 [--short]" >&2; exit 2 ;;
esac
if [ -z "${VAULTDESK_IN_KEYRING_SESSION:-}" ] || [ -z "${VAULTDESK_TEST_BAO_ADDR:-}" ]; then
  exec tests/scripts/keyring-session.sh tests/scripts/services.sh bash "$0" "$@"
fi
log() { printf '[bench] %s\n' "$*" >&2; }

if [ "$short" = 1 ]; then
  export PROFILE=debug
  count=100 app_runs=1 app_vaults=10 app_connectors=100
  vault_bench=(cargo test -q -p vaultdesk-core --features live-tests --bench vault)
else
  export PROFILE=release
  count=1000 app_runs=3 app_vaults=100 app_connectors=1000
  vault_bench=(cargo bench -q -p vaultdesk-core --bench vault)
fi
table=$(mktemp "${TMPDIR:-/tmp}/vaultdesk-bench-table.XXXXXX")
trap 'rm -f "$table"' EXIT
export BENCH_TABLE=$table
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

log "Vault client ($PROFILE)"
vault_out=$("${vault_bench[@]}")
printf '%s\n' "$vault_out"
# Its markdown table: | case | rounds | median | p90 | logins per round | reads per round |
printf '%s\n' "$vault_out" | awk -F'|' '/^\| (cold|warm)/ {
  gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $4); gsub(/^ +| +$/, "", $6); gsub(/^ +| +$/, "", $7)
  split($4, v, " ")
  printf "vault\t%s\t%s\t%s\tmedian; %s login(s), %s read(s) per round\n", $2, v[1], v[2], $6, $7
}' >>"$table"

log "connectors, side by side with bao agent ($PROFILE, $count)"
bash tests/bench/connectors.sh "$count"

log "app ($PROFILE, $app_runs run(s))"
BENCH_VAULTS=$app_vaults BENCH_CONNECTORS=$app_connectors bash tests/bench/app.sh "$app_runs"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
printf '\n== vaultdesk benchmarks (%s build%s) ==\n' "$PROFILE" \
  "$([ "$short" = 1 ] && echo ", SHORT FORM: debug binaries and small sizes — not comparable with release figures")"
printf 'machine: %s CPUs (%s), %s RAM, %s; load average %s at the start, %s at the end; %s\n' \
  "$(nproc)" "$cpu" "$mem" "$(uname -sr)" "$load_before" "$load_after" "$(date -u +%Y-%m-%dT%H:%MZ)"
awk -F'\t' '{ printf "%-11s %-78s %10s %-4s %s\n", $1, $2, $3, $4, $5 }' "$table"
