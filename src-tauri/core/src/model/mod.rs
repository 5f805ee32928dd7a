//! What vaultdesk stores and what forms submit, as data: vaults (`vault.rs`) and connectors
//! (`connector.rs`). Validation lives in [`crate::validate`] and [`crate::connector`]; storage in
//! [`crate::store`].

pub mod connector;
pub mod lease;
pub mod vault;

pub use lease::{LeasePurpose, LeaseRecord, LeaseState};
pub use vault::*;
