//! Requests counted in the audit log of the OpenBao server tests/scripts/services.sh started
//! (VAULTDESK_TEST_BAO_AUDIT). Std and serde_json only: the CLI's tests include this file too.

use serde_json::Value;

/// Requests of `operation` on `path` (relative to its namespace) in the audit log so far.
pub fn audited(path: &str, operation: &str) -> usize {
    let file = std::env::var("VAULTDESK_TEST_BAO_AUDIT")
        .expect("VAULTDESK_TEST_BAO_AUDIT is not set: run these tests through tests/scripts/services.sh");
    let log = std::fs::read_to_string(file).expect("read audit log");
    log.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| {
            v["type"] == "request" && v["request"]["path"] == path && v["request"]["operation"] == operation
        })
        .count()
}
