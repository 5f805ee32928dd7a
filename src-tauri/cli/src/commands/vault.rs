//! `vaultdesk vault ...`.

use vaultdesk_core::ops::TestTarget;
use vaultdesk_core::{AppRoleCredentials, Core, CredentialsPatch, VaultPatch};

use crate::cli::{IdSources, ReuseCredentials, VaultCommand};
use crate::exit::{self, Failure};
use crate::ids::{missing_id, read_id};
use crate::output::{print_json, print_report, print_table, print_vault};

/// The Role ID and Secret ID given for this command. `env` says whether the environment
/// variables count; `prompt` whether a terminal may be asked.
fn ids(
    ids: &IdSources,
    env: bool,
    prompt: bool,
    reuse: &ReuseCredentials,
) -> Result<CredentialsPatch, Failure> {
    let mut stdin_used = false;
    Ok(CredentialsPatch {
        role_id: read_id(&ids.role_id_file, ("VAULTDESK_ROLE_ID", env), "Role ID", prompt, &mut stdin_used)?,
        secret_id: read_id(
            &ids.secret_id_file,
            ("VAULTDESK_SECRET_ID", env),
            "Secret ID",
            prompt,
            &mut stdin_used,
        )?,
        reuse_credentials: reuse.reuse_credentials,
    })
}

pub(super) async fn run(core: &Core, cmd: VaultCommand) -> Result<(), Failure> {
    match cmd {
        VaultCommand::Add { name, fields, ids: sources } => {
            let given = ids(&sources, true, true, &ReuseCredentials { reuse_credentials: false })?;
            let role_id =
                given.role_id.ok_or_else(|| missing_id("Role ID", "role-id", "VAULTDESK_ROLE_ID"))?;
            let secret_id =
                given.secret_id.ok_or_else(|| missing_id("Secret ID", "secret-id", "VAULTDESK_SECRET_ID"))?;
            let tls = fields.tls();
            let input = fields.input(name, tls).with_env_defaults();
            let added = core.add_vault(input, AppRoleCredentials { role_id, secret_id }).await?;
            let spec = &added.vault.spec;
            outln!(
                "Added vault \"{}\" ({} at {}); Role ID and Secret ID are in the OS keyring.",
                spec.name,
                spec.engine_type.as_str(),
                spec.url
            );
        }
        VaultCommand::List { json } => {
            let vaults = core.list_vaults().await?;
            if json {
                print_json(&vaults)?;
            } else if vaults.is_empty() {
                outln!("No vaults yet. Add one with `vaultdesk vault add NAME --url URL ...`.");
            } else {
                print_table(&vaults)?;
            }
        }
        VaultCommand::Show { name, json } => {
            let details = core.show_vault(name).await?;
            if json {
                print_json(&details)?;
            } else {
                let keyring = &details.keyring;
                print_vault(&details.summary.vault)?;
                outln!(
                    "{:<16}service \"{}\", accounts {} and {}",
                    "Credentials",
                    keyring.service,
                    keyring.role_id_account,
                    keyring.secret_id_account
                );
                let users = &details.summary.used_by;
                let users = if users.is_empty() { "(no connectors)".to_owned() } else { users.join(", ") };
                outln!("{:<16}{users}", "Used by");
            }
        }
        VaultCommand::Update { name, rename, fields, ids: sources, reuse } => {
            let creds = ids(&sources, sources.ids_from_env, false, &reuse)?;
            let replaced: Vec<&str> =
                [("Role ID", creds.role_id.is_some()), ("Secret ID", creds.secret_id.is_some())]
                    .into_iter()
                    .filter_map(|(n, on)| on.then_some(n))
                    .collect();
            let tls = fields.tls();
            let patch = VaultPatch { rename, ..fields.patch(tls) };
            let updated = core.update_vault(name, patch, creds).await?;
            let ids_note = if replaced.is_empty() {
                String::from("; Role ID and Secret ID unchanged")
            } else {
                format!("; replaced {} in the OS keyring", replaced.join(" and "))
            };
            outln!("Updated vault \"{}\"{ids_note}.", updated.vault.spec.name);
        }
        VaultCommand::Test { name, json, fields, ids: sources, reuse } => {
            let saved = core.find_vault(name.clone()).await?;
            // An unsaved configuration takes its IDs like `add`; a stored one only when asked.
            let unsaved = saved.is_none();
            let creds = ids(&sources, unsaved || sources.ids_from_env, unsaved, &reuse)?;
            let tls = fields.tls();
            let target = match &saved {
                Some(v) => TestTarget::Stored { name: v.spec.name.clone(), patch: fields.patch(tls) },
                None => TestTarget::Unsaved(fields.input(name, tls).with_env_defaults()),
            };
            let (spec, report) = core.test_vault(target, creds, &mut |_| {}).await?;
            core.close().await;
            if json {
                print_json(&report)?;
            } else {
                print_report(&spec.name, unsaved, &spec.url, &report)?;
            }
            if let Some(f) = report.failure() {
                return Err(Failure { code: exit::VAULT, message: format!("{}; {}", f.message, f.hint) });
            }
        }
        VaultCommand::Remove { name, force } => {
            let vault = core.remove_vault(name, force).await?;
            outln!("Removed vault \"{}\" and its keyring entries.", vault.spec.name);
        }
    }
    Ok(())
}
