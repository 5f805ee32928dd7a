#!/usr/bin/env bash
# Vault access benchmark against a real OpenBao (started by services.sh): requests per
# resolution from the audit log, and latency, cold and warm, single and concurrent.
#   bash tests/bench/vault.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo bench -p vaultdesk-core --bench vault --no-run >/dev/null 2>&1 || cargo bench -p vaultdesk-core --bench vault --no-run
exec tests/scripts/services.sh cargo bench -q -p vaultdesk-core --bench vault
