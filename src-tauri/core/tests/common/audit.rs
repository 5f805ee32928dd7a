//! Requests counted in the audit log of the OpenBao server tests/scripts/services.sh started
//! (VAULTDESK_TEST_BAO_AUDIT). Std and serde_json only: the CLI's tests include this file too.
//!
//! The audit log never holds a token in clear: it holds its HMAC under the audit device's key
//! (the same value `sys/audit-hash/vaultdesk-tests` gives for a string), in `client_token` of
//! every request made with it and of the login response that issued it. That is enough to tell
//! which token made which request.

use serde_json::Value;

/// The audit device services.sh declares (`sys/audit-hash/<this>` hashes as the log does).
pub const AUDIT_DEVICE: &str = "vaultdesk-tests";

/// Every entry of the audit log so far.
pub fn entries() -> Vec<Value> {
    let file = std::env::var("VAULTDESK_TEST_BAO_AUDIT")
        .expect("VAULTDESK_TEST_BAO_AUDIT is not set: run these tests through tests/scripts/services.sh");
    let log = std::fs::read_to_string(file).expect("read audit log");
    log.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect()
}

/// Requests of `operation` on `path` (relative to its namespace) in the audit log so far.
pub fn audited(path: &str, operation: &str) -> usize {
    entries()
        .iter()
        .filter(|v| {
            v["type"] == "request" && v["request"]["path"] == path && v["request"]["operation"] == operation
        })
        .count()
}

/// The tokens (their HMACs) that AppRole logins on `auth_mount` handed out, oldest first.
pub fn login_tokens(auth_mount: &str) -> Vec<String> {
    let path = format!("auth/{auth_mount}/login");
    entries()
        .iter()
        .filter(|v| v["type"] == "response" && v["request"]["path"] == path)
        .filter_map(|v| v["response"]["auth"]["client_token"].as_str().map(str::to_owned))
        .collect()
}

/// Requests made with the token whose HMAC is `token_hmac`, as `(operation, path)`.
pub fn requests_with_token(token_hmac: &str) -> Vec<(String, String)> {
    entries()
        .iter()
        .filter(|v| v["type"] == "request" && v["request"]["client_token"] == token_hmac)
        .map(|v| {
            let r = &v["request"];
            (r["operation"].as_str().unwrap_or("").to_owned(), r["path"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

/// Whether the token whose HMAC is `token_hmac` revoked itself (`auth/token/revoke-self`), which
/// also revokes every lease it created.
pub fn revoked_itself(token_hmac: &str) -> bool {
    requests_with_token(token_hmac).iter().any(|(_, path)| path == "auth/token/revoke-self")
}
