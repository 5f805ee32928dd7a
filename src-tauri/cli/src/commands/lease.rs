//! `vaultdesk lease ...`: the database credentials vaultdesk obtained, recorded without their
//! password, and their renewal and revocation through the vault's session.

use std::time::Duration;

use vaultdesk_core::model::{LeaseRecord, LeaseState};
use vaultdesk_core::ops::LeaseOutcome;
use vaultdesk_core::store::LeaseFilter;
use vaultdesk_core::{Core, Error};

use crate::cli::LeaseCommand;
use crate::exit::{self, usage, Failure};
use crate::output::print_json;

/// A Vault failure with its hint: a refused `sys/leases/revoke` says which policy line is missing.
fn failure(e: Error) -> Failure {
    let hint = e.payload().vault.map(|v| v.hint);
    let mut f = Failure::from(e);
    if let Some(h) = hint {
        f.message = format!("{}; {h}", f.message);
    }
    f
}

fn what_for(l: &LeaseRecord) -> String {
    let subject = &l.subject;
    let base = match l.purpose.as_str() {
        "preview" => format!("preview of {subject}"),
        "test" => format!("test of {subject}"),
        "export" => format!("export of {subject}"),
        _ => format!("render of {subject}"),
    };
    match &l.export_path {
        Some(p) => format!("{base} -> {p} (kept)"),
        None => base,
    }
}

fn print_list(leases: &[LeaseRecord]) -> Result<(), Failure> {
    if leases.is_empty() {
        outln!("No leases recorded. Database credentials obtained by a preview, test, export or render show here.");
        return Ok(());
    }
    let wv = leases.iter().map(|l| l.vault.chars().count()).max().unwrap_or(5).max(5);
    let wu = leases.iter().map(|l| l.username.chars().count()).max().unwrap_or(4).max(4);
    outln!(
        "{:<8}  {:<wv$}  {:<wu$}  {:<24}  {:<24}  LEASE / FOR",
        "STATE",
        "VAULT",
        "USER",
        "ISSUED",
        "EXPIRES"
    );
    for l in leases {
        outln!(
            "{:<8}  {:<wv$}  {:<wu$}  {:<24}  {:<24}  {}",
            l.state.as_str(),
            l.vault,
            l.username,
            l.issued_at,
            l.expires_at.as_deref().unwrap_or("-"),
            l.lease_id
        );
        outln!("{:<8}  {:<wv$}  {:<wu$}  {:<24}  {:<24}  {}", "", "", "", "", "", what_for(l));
    }
    Ok(())
}

fn print_outcomes(outcomes: &[LeaseOutcome], json: bool, nothing: &str) -> Result<(), Failure> {
    if json {
        print_json(&outcomes)?;
    } else if outcomes.is_empty() {
        outln!("{nothing}");
    } else {
        for o in outcomes {
            match &o.error {
                None => {
                    outln!("revoked  {}  ({}, user {})", o.lease.lease_id, o.lease.vault, o.lease.username)
                }
                Some(e) => outln!("FAILED   {}  ({}): {e}", o.lease.lease_id, o.lease.vault),
            }
        }
    }
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if failed > 0 {
        return Err(Failure {
            code: exit::VAULT,
            message: format!("{failed} of {} lease(s) could not be revoked", outcomes.len()),
        });
    }
    Ok(())
}

pub(super) async fn run(core: &Core, cmd: LeaseCommand) -> Result<(), Failure> {
    let result = lease(core, cmd).await;
    // The login made to renew or revoke issued nothing; its token ends here.
    core.close().await;
    result
}

async fn lease(core: &Core, cmd: LeaseCommand) -> Result<(), Failure> {
    match cmd {
        LeaseCommand::List { json, vault, live, state } => {
            let state = state
                .map(|s| {
                    LeaseState::parse(&s).ok_or_else(|| {
                        usage(format!("--state must be live, renewed, revoked or expired, not \"{s}\""))
                    })
                })
                .transpose()?;
            let leases = core.list_leases(LeaseFilter { vault, state, active: live }).await?;
            if json {
                print_json(&leases)?;
            } else {
                print_list(&leases)?;
            }
        }
        LeaseCommand::Renew { id, increment, json } => {
            let increment = increment
                .map(|s| {
                    vaultdesk_core::duration::parse(&s).map(Duration::from_secs).map_err(|e| Failure {
                        code: exit::INVALID_INPUT,
                        message: format!("--increment: {e}"),
                    })
                })
                .transpose()?;
            let lease = core.renew_lease(id, increment).await.map_err(failure)?;
            if json {
                print_json(&lease)?;
            } else {
                outln!(
                    "Renewed {} ({}, user {}); it now ends at {}.",
                    lease.lease_id,
                    lease.vault,
                    lease.username,
                    lease.expires_at.as_deref().unwrap_or("no set time")
                );
            }
        }
        LeaseCommand::Revoke { id, vault, all_expired_previews, json } => match (id, vault) {
            (Some(id), _) => {
                let lease = core.revoke_lease(id).await.map_err(failure)?;
                if json {
                    print_json(&lease)?;
                } else {
                    outln!("Revoked {} ({}, user {}).", lease.lease_id, lease.vault, lease.username);
                }
            }
            (None, Some(vault)) => {
                let outcomes = core.revoke_vault_leases(vault.clone()).await.map_err(failure)?;
                print_outcomes(&outcomes, json, &format!("No live lease recorded for vault \"{vault}\"."))?;
            }
            (None, None) if all_expired_previews => {
                let outcomes = core.revoke_left_over_previews().await.map_err(failure)?;
                print_outcomes(&outcomes, json, "No preview or test credentials outlived their process.")?;
            }
            (None, None) => return Err(usage("give a lease ID, --vault VAULT or --all-expired-previews")),
        },
    }
    Ok(())
}
