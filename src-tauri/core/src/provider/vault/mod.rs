//! HashiCorp Vault / OpenBao: the HTTP client split by concern, the per-vault session that logs
//! in once per token lifetime and caches the secret for the vault's cache TTL, and the staged
//! Test.
//!
//! | file | what |
//! |---|---|
//! | `http.rs` | send, the response envelope, error mapping, timeouts, TLS, no redirects |
//! | `auth/` | one file per login method (`approle.rs`) |
//! | `token.rs` | renew, revoke and look up the token a login gave |
//! | `kv.rs`, `database.rs` | the secrets engines |
//! | `sys.rs` | health, leases, capabilities, mounts |
//! | `session.rs` | token life cycle, cache, single-flight reads, lease renewal and revocation |
//! | `probe.rs` | the staged Test |
//! | `error.rs` | every named failure, with hint and form field |

pub mod auth;
pub mod database;
pub mod error;
pub mod http;
pub mod kv;
pub mod probe;
pub mod session;
pub mod sys;
pub mod token;

pub use database::{DbConnectionInfo, DbCredentials};
pub use error::{VaultError, VaultErrorCode, VaultErrorInfo};
pub use http::VaultClient;
pub use kv::KvSecret;
pub use probe::{test_vault, test_vault_with_progress, StageReport, StageStatus, TestReport, TestStage};
pub use session::{ResolvedSecret, SecretValue, SessionStats, VaultSession};
pub use sys::{Health, Lease};
