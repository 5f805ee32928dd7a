//! Talking to HashiCorp Vault / OpenBao: the HTTP client, the per-vault session that logs in
//! once per token lifetime and caches secrets for the vault's cache TTL, and the staged Test.

pub mod client;
pub mod error;
pub mod probe;
pub mod session;

pub use client::{DbConnectionInfo, DbCredentials, Health, KvSecret, Lease, VaultClient};
pub use error::{VaultError, VaultErrorCode, VaultErrorInfo};
pub use probe::{test_vault, test_vault_with_progress, StageReport, StageStatus, TestReport, TestStage};
pub use session::{ResolvedSecret, SecretValue, SessionStats, VaultHub, VaultSession};
