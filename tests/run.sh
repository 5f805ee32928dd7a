#!/usr/bin/env bash
# The whole test suite, from a bare Debian/Ubuntu machine:   bash tests/run.sh
#
# Installs what is missing (scripts/setup.sh), builds everything, checks formatting and the
# generated TypeScript types, then runs every test against the real services: a private D-Bus
# session with its own gnome-keyring (tests/scripts/keyring-session.sh), an OpenBao dev
# server, PostgreSQL and MariaDB in temporary directories (tests/scripts/services.sh). Unit
# tests, store and CLI tests (real SQLite file, real Secret Service), Vault client tests, the
# UI's unit tests (Vitest: tests/scripts/ui-unit.sh), and the end-to-end tests of the real
# window under Xvfb (tests/scripts/e2e.sh); then the benchmarks' short form
# (tests/bench/all.sh --short: a table of figures, no timing asserts).
# Everything it starts, it stops. Screenshots land in tests/artifacts/, with the tests' output
# (tests/artifacts/run.log). It stops at the first failure; whatever happens, it ends with
#   summary: unit N passed M failed; fast ...; store ...; UI unit ...; E2E N passed M failed
#   N passed, M failed
# (per tier: cargo's "test result:" lines per test binary, the "UI unit:" line of
# tests/scripts/ui-unit.sh, the E2E scripts' "checks:" lines).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

log_file=$root/tests/artifacts/run.log
mkdir -p "$(dirname "$log_file")"
: >"$log_file"
current=""
step() { current=$*; printf '\n==> %s\n' "$*" >&2; }

# Adds up the results in the log per tier and prints the summary; the exit code stays.
summary() {
  local rc=$?
  set +e
  awk -v rc="$rc" -v stopped="$current" '
    function tier_of(bin) {
      sub(/.*\//, "", bin); sub(/-[0-9a-f]+$/, "", bin)
      if (bin == "vaultdesk_core") return "unit"
      if (bin == "fast" || bin == "store" || bin == "vault" || bin == "connectors") return bin
      if (bin == "vaultdesk" || bin == "vaultdesk_cli" || bin == "cli") return "CLI"
      if (bin ~ /^vaultdesk_app/) return "app unit"
      return bin
    }
    function add(t, p, f) {
      if (t == "") t = "other"
      if (!(t in seen)) { seen[t] = 1; extra[++n_extra] = t }
      pass[t] += p; fail[t] += f
    }
    # A test binary that died without its "test result:" line still failed.
    function close_binary() { if (cur != "" && !reported && died) add(cur, 0, 1); cur = ""; died = 0 }
    /^ *Running .*\(.*\)$/ {
      close_binary(); bin = $0; sub(/.*\(/, "", bin); sub(/\)$/, "", bin)
      cur = tier_of(bin); reported = 0; next
    }
    /^ *Doc-tests / {
      close_binary(); cur = tier_of($2); reported = 0; next
    }
    /^test result: / {
      p = $0; sub(/.* ok\. |.* FAILED\. /, "", p); split(p, a, /[ ;]+/)
      add(cur, a[1], a[3]); reported = 1; next
    }
    /^error: test failed, to rerun pass/ { died = 1; next }
    # Every E2E script (tests/e2e/*.mjs through lib.mjs run()) ends with its checks line.
    /^\[[a-z][a-z-]*\] checks: [0-9]+ passed, [0-9]+ failed$/ {
      add("E2E", $3, $5); e2e_runs++; next
    }
    /^\[e2e\] run [0-9]+:/ { e2e_started++ }
    # tests/scripts/ui-unit.sh (Vitest) ends with its own line.
    /^UI unit: [0-9]+ passed, [0-9]+ failed$/ { add("UI unit", $3, $5); next }
    END {
      close_binary()
      # An E2E run that ended without its checks line (it could not start) failed.
      if (e2e_started > e2e_runs) add("E2E", 0, e2e_started - e2e_runs)
      line = ""; total_p = 0; total_f = 0
      split("unit,fast,store,vault,connectors,CLI,app unit,UI unit,E2E", order, ",")
      for (i = 1; i <= 9; i++) {
        t = order[i]; known[t] = 1
        text = (t in seen) ? sprintf("%s %d passed %d failed", t, pass[t], fail[t]) : sprintf("%s not run", t)
        line = line (line == "" ? "" : "; ") text
      }
      for (i = 1; i <= n_extra; i++) if (!(extra[i] in known)) {
        t = extra[i]; line = line sprintf("; %s %d passed %d failed", t, pass[t], fail[t])
      }
      for (t in seen) { total_p += pass[t]; total_f += fail[t] }
      print "summary: " line
      if (rc != 0 && total_f == 0) print "stopped at \"" stopped "\" (exit code " rc "), not at a test"
      print total_p " passed, " total_f " failed"
    }
  ' "$log_file"
  exit "$rc"
}
trap summary EXIT

step "install what is missing"
bash scripts/setup.sh test

# The generated TypeScript types are written only by the bindings check: no test may touch
# them (checked at the end, when they were clean to start with).
generated="ui/src/bindings ui/src/app-bindings"
generated_before=$(git status --porcelain -- $generated 2>/dev/null || true)

step "formatting"
cargo fmt --all --check

step "build core, CLI and their tests"
cargo build -p vaultdesk-core -p vaultdesk-cli --features vaultdesk-core/live-tests --tests --bins

step "generated TypeScript types are current"
bash tests/scripts/check-bindings.sh

step "build the UI and the app (embedded assets; the E2E build with its test switches)"
bash scripts/build-app.sh --e2e

step "UI unit tests (Vitest)"
bash tests/scripts/ui-unit.sh 2>&1 | tee -a "$log_file"

# gnome-keyring-daemon (Debian 12's 42.1) has a race that aborts it when a client disconnects
# while the daemon still has work queued for it (upstream: "gkd_secret_service_get_pkcs11_session:
# assertion 'client' failed", then SIGTRAP); the keyring crate opens a D-Bus connection per
# operation, so a suite makes thousands of such disconnects. keyring-session.sh prints the
# daemon's last messages when it died; then, and only then, the step runs once more in a fresh
# keyring session, saying so, with the first attempt's output kept in tests/artifacts/.
# with_keyring_retry NAME LOG CMD...: runs CMD (its output to the terminal and LOG).
with_keyring_retry() {
  local name=$1 out=$2
  shift 2
  if "$@" 2>&1 | tee "$out"; then return 0; fi
  if ! grep -q "gnome-keyring-daemon [0-9]* died while the command ran" "$out"; then return 1; fi
  local kept=${out%.log}-keyring-crash.log
  mv "$out" "$kept"
  printf '\n==> %s: gnome-keyring-daemon crashed (its messages are above and in %s); running it once more in a fresh keyring session\n' "$name" "${kept#"$root"/}" >&2
  "$@" 2>&1 | tee "$out"
}

step "tests against the real keyring, SQLite and window"
real_services() {
  tests/scripts/keyring-session.sh tests/scripts/services.sh bash -c '
    set -euo pipefail
    cargo test -p vaultdesk-core -p vaultdesk-cli --features vaultdesk-core/live-tests
    cargo test -p vaultdesk-app --lib
    bash tests/scripts/e2e.sh
  '
}
attempt=$root/tests/artifacts/real-services.log
real_rc=0
with_keyring_retry "the real-service tests" "$attempt" real_services || real_rc=$?
cat "$attempt" >>"$log_file"
[ "$real_rc" = 0 ] || exit "$real_rc"

# Figures, not assertions: the short form on the debug binaries built above (no release build);
# its table says so. Its output: tests/artifacts/bench.log.
step "benchmarks, short form (figures only)"
with_keyring_retry "the benchmarks" "$root/tests/artifacts/bench.log" bash tests/bench/all.sh --short

step "the tests left the generated TypeScript types alone"
if [ -z "$generated_before" ] && [ -n "$(git status --porcelain -- $generated 2>/dev/null || true)" ]; then
  git status --short -- $generated >&2
  echo "a test rewrote ui/src/bindings or ui/src/app-bindings: only tests/scripts/check-bindings.sh may" >&2
  exit 1
fi
step "all tests passed"
