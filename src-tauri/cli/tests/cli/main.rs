//! The `vaultdesk` command as a user runs it: separate processes against a real SQLite file and the real OS keyring (Secret Service). Run inside `tests/scripts/keyring-session.sh`,
//! which provides a private, unlocked gnome-keyring; `secret-tool` reads the keyring back from
//! yet another process. `common.rs` holds the helpers; one file per command group.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../../core/tests/common/audit.rs"]
mod audit;
mod aws;
mod commands;
mod common;
mod config;
mod connectors;
mod crash;
mod demo;
mod files;
#[path = "../../../core/tests/common/keyring.rs"]
mod keyring_session;
mod leases;
mod locked;
mod logins;
mod rendering;
mod sessions;
mod trust;
mod vault;

pub(crate) use common::*;
