//! The credentials vaultdesk obtained from a secrets engine with a lease (database engines), as
//! the store records them: who, for what, until when and in which state. Never the password:
//! a record holds the lease id (a handle that only a token with the right policy can use), the
//! issued user name and timestamps.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a lease stands, as far as vaultdesk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeaseState {
    /// Issued and not past its end.
    Live,
    /// Renewed at least once and not past its (new) end.
    Renewed,
    /// Revoked by vaultdesk (the user's Revoke, or the end of the preview or test it served).
    Revoked,
    /// Past its end: Vault has revoked it.
    Expired,
}

impl LeaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseState::Live => "live",
            LeaseState::Renewed => "renewed",
            LeaseState::Revoked => "revoked",
            LeaseState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<LeaseState> {
        [LeaseState::Live, LeaseState::Renewed, LeaseState::Revoked, LeaseState::Expired]
            .into_iter()
            .find(|st| st.as_str() == s)
    }

    /// Live or renewed: Vault still honours it (until `expires_at`).
    pub fn is_active(self) -> bool {
        matches!(self, LeaseState::Live | LeaseState::Renewed)
    }
}

/// Why vaultdesk obtained the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeasePurpose {
    /// A connector's preview: revoked when the preview ends (the command, or the editor).
    Preview,
    /// A connector's Test connection: revoked when the test ends (the command, or the editor).
    Test,
    /// Written into an exported file: kept (the file needs them).
    Export,
    /// Written by `render` of a file: kept.
    Render,
}

impl LeasePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LeasePurpose::Preview => "preview",
            LeasePurpose::Test => "test",
            LeasePurpose::Export => "export",
            LeasePurpose::Render => "render",
        }
    }

    pub fn parse(s: &str) -> Option<LeasePurpose> {
        [LeasePurpose::Preview, LeasePurpose::Test, LeasePurpose::Export, LeasePurpose::Render]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// Kept after the command or editor that obtained them: they are in a file.
    pub fn is_kept(self) -> bool {
        matches!(self, LeasePurpose::Export | LeasePurpose::Render)
    }
}

/// One recorded lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LeaseRecord {
    /// Vault's lease id, e.g. `database/creds/readonly/AbC...`.
    pub lease_id: String,
    pub vault_id: String,
    /// The vault's name now (or when it was issued, if the vault was removed since).
    pub vault: String,
    /// Whether the vault is still stored (only then can vaultdesk renew or revoke the lease).
    pub vault_exists: bool,
    /// The database role the credentials were issued for.
    pub role: String,
    /// The issued database user name (the UI masks it unless revealed).
    pub username: String,
    pub purpose: LeasePurpose,
    /// The connector's name (preview, test, export) or the rendered file (render).
    pub subject: String,
    /// Where the credentials were written (export, render): a file, a folder for "export all",
    /// or `(standard output)`.
    pub export_path: Option<String>,
    /// RFC 3339 UTC.
    pub issued_at: String,
    /// RFC 3339 UTC; `None` for a lease without end.
    pub expires_at: Option<String>,
    /// The lease's duration when issued, in seconds (the increment of a renewal).
    #[ts(type = "number")]
    pub ttl_secs: u64,
    pub renewable: bool,
    pub state: LeaseState,
    /// When the state last changed, RFC 3339 UTC.
    pub updated_at: String,
}
