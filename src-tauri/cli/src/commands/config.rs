//! `vaultdesk vault export-config` and `vaultdesk vault import-config`: parse, gather the
//! credentials an import asks for (files, environment, no-echo prompt; never argv), call
//! `vaultdesk_core::ops::Core`, print.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::Path;

use vaultdesk_core::{AuthMethod, Core, CredentialsPatch, ExposeSecret, SecretString};

use crate::cli::{ExportConfigArgs, ImportConfigArgs};
use crate::exit::{self, usage, Failure};
use crate::ids::read_id;

pub(super) async fn export(core: &Core, args: ExportConfigArgs) -> Result<(), Failure> {
    let file = core.export_config().await?;
    for f in &file.left_out {
        eprintln!("vaultdesk: left out (a literal secret, not a reference): {f}");
    }
    match &args.out {
        Some(path) => {
            vaultdesk_core::export::write_atomic(path, &file.text, args.force)?;
            eprintln!(
                "Wrote {} vault(s) and {} connector(s), without credentials, to {}.",
                file.vaults,
                file.connectors,
                path.display()
            );
        }
        None => out!("{}", file.text),
    }
    Ok(())
}

/// The environment variables `vault add` reads for the two parts of `method`.
fn env_names(method: AuthMethod) -> (&'static str, &'static str) {
    match method {
        AuthMethod::Approle => ("VAULTDESK_ROLE_ID", "VAULTDESK_SECRET_ID"),
        AuthMethod::Token => ("", "VAULTDESK_TOKEN"),
        AuthMethod::Userpass | AuthMethod::Ldap => ("", "VAULTDESK_PASSWORD"),
        AuthMethod::Jwt => ("", "VAULTDESK_JWT"),
        AuthMethod::AwsKeys => ("VAULTDESK_AWS_ACCESS_KEY_ID", "VAULTDESK_AWS_SECRET_ACCESS_KEY"),
        AuthMethod::AwsDefault | AuthMethod::Oidc => ("", ""),
    }
}

/// One part of a vault's credentials: `DIR/NAME.FIELD`, else the environment (when `env`), else
/// a no-echo prompt (when `prompt`; an empty answer is none).
fn part(
    dir: Option<&Path>,
    vault: &str,
    field: &str,
    label: &str,
    (var, env): (&str, bool),
    prompt: bool,
) -> Result<Option<SecretString>, Failure> {
    let file = dir.map(|d| d.join(format!("{vault}.{field}"))).filter(|p| p.exists());
    let mut stdin_used = true; // standard input carries the file, or is not used for secrets
    let what = format!("{label} of vault \"{vault}\" (empty: supply it later)");
    let v = read_id(&file, (var, env && !var.is_empty()), &what, prompt, &mut stdin_used)?;
    Ok(v.filter(|s| !s.expose_secret().is_empty()))
}

pub(super) async fn import(core: &Core, args: ImportConfigArgs) -> Result<(), Failure> {
    let text = if args.file.as_os_str() == "-" {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .map_err(|e| usage(format!("cannot read the configuration from standard input: {e}")))?;
        buf
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| Failure {
            code: exit::INVALID_INPUT,
            message: format!("cannot read {}: {e}", args.file.display()),
        })?
    };
    let plan = core.plan_import(text, args.skip_existing).await?;
    let wanting: Vec<(String, AuthMethod)> =
        plan.vaults_to_add().into_iter().filter(|(_, m)| m.stores_secret()).collect();
    if args.ids_from_env && wanting.len() > 1 {
        return Err(usage(format!(
            "--ids-from-env serves one vault, and {} of this file need credentials ({}): use \
             --credentials-dir DIR, or a terminal",
            wanting.len(),
            wanting.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some(d) = &args.credentials_dir {
        if !d.is_dir() {
            return Err(usage(format!("--credentials-dir: {} is not a directory", d.display())));
        }
    }
    let prompt = !args.no_credentials && args.file.as_os_str() != "-" && std::io::stdin().is_terminal();
    let mut creds = HashMap::new();
    if !args.no_credentials {
        for (name, method) in &wanting {
            let (role_var, secret_var) = env_names(*method);
            let dir = args.credentials_dir.as_deref();
            let role_id = if method.uses_role_id() {
                part(
                    dir,
                    name,
                    method.role_id_field(),
                    method.role_id_label(),
                    (role_var, args.ids_from_env),
                    prompt,
                )?
            } else {
                None
            };
            // AppRole without a Role ID cannot log in: then the Secret ID is not asked for.
            let secret_id = if method.uses_role_id() && role_id.is_none() {
                None
            } else {
                part(
                    dir,
                    name,
                    method.secret_field(),
                    method.secret_label(),
                    (secret_var, args.ids_from_env),
                    prompt,
                )?
            };
            if method.uses_role_id() && role_id.is_some() && secret_id.is_none() {
                return Err(usage(format!(
                    "vault \"{name}\": the {} was given but not the {}: give both, or neither (the \
                     vault then needs credentials)",
                    method.role_id_label(),
                    method.secret_label()
                )));
            }
            if secret_id.is_some() {
                let patch = CredentialsPatch { role_id, secret_id, ..CredentialsPatch::default() };
                creds.insert(name.to_lowercase(), patch);
            }
        }
    }
    let report = core.import_config(plan, creds).await?;
    for n in &report.vaults_ready {
        outln!("Imported vault \"{n}\" (credentials in the OS keyring).");
    }
    for n in &report.vaults_needing_credentials {
        outln!(
            "Imported vault \"{n}\": needs credentials — supply them with `vaultdesk vault update {n} ...` \
             (see `vaultdesk vault show {n}`)."
        );
    }
    for n in &report.connectors {
        outln!("Imported connector \"{n}\".");
    }
    for n in &report.skipped.vaults {
        outln!("Skipped vault \"{n}\": it exists already (left as it is).");
    }
    for n in &report.skipped.connectors {
        outln!("Skipped connector \"{n}\": it exists already (left as it is).");
    }
    Ok(())
}
