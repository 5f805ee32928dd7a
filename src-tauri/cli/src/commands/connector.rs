//! `vaultdesk connector ...`: connectors whose fields reference secrets, previewed masked,
//! exported as files.

use std::path::Path;

use serde_json::Value;
use vaultdesk_core::connector::{ConnectorInput, ConnectorKind, ConnectorPatch};
use vaultdesk_core::connector_probe::TestOptions;
use vaultdesk_core::ops::{ConnectorSource, Reveal};
use vaultdesk_core::{literal_secrets, Core};

use super::render::{format_arg, read_source};
use crate::cli::ConnectorCommand;
use crate::exit::{self, internal, usage, Failure};
use crate::output::{print_connector_stage, print_json, print_preview};

/// One finding of `connector lint`.
#[derive(serde::Serialize)]
struct LintFinding {
    connector: String,
    field: String,
    problem: &'static str,
}

fn lint_summary(n: usize) -> String {
    format!(
        "{n} field{} hold{} a secret in clear: replace each value with a {{{{secrets.VAULT.KEY}}}} reference",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" }
    )
}

/// Save's warning for secrets typed in as literal values (the connector is stored anyway).
fn warn_literal_secrets(fields: &[String]) {
    for f in fields {
        eprintln!("warning: config.{f}: {}", literal_secrets::WARNING);
    }
}

/// `FIELD=VALUE` (or `MAP.KEY=VALUE`) set into `config`; a number or true/false is taken as one.
fn apply_set(config: &mut Value, pair: &str) -> Result<(), Failure> {
    let Some((field, value)) = pair.split_once('=').filter(|(f, _)| !f.trim().is_empty()) else {
        return Err(usage(format!("--set takes FIELD=VALUE, not \"{pair}\"")));
    };
    let value = match serde_json::from_str::<Value>(value) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(value.to_owned()),
    };
    let Some(obj) = config.as_object_mut() else {
        return Err(usage("--set needs the configuration to be a JSON object"));
    };
    match field.trim().split_once('.') {
        None => {
            obj.insert(field.trim().to_owned(), value);
        }
        Some((map, key)) => {
            let entry = obj.entry(map.to_owned()).or_insert_with(|| Value::Object(Default::default()));
            match entry.as_object_mut() {
                Some(m) => {
                    m.insert(key.to_owned(), value);
                }
                None => {
                    return Err(usage(format!(
                        "--set {field}: \"{map}\" is not an object of names to values"
                    )))
                }
            }
        }
    }
    Ok(())
}

fn read_config(path: &Path) -> Result<Value, Failure> {
    let text = read_source(path)?;
    serde_json::from_str(&text).map_err(|e| Failure {
        code: exit::INVALID_INPUT,
        message: format!("the configuration in {} is not valid JSON: {e}", path.display()),
    })
}

pub(super) async fn run(core: &Core, cmd: ConnectorCommand) -> Result<(), Failure> {
    match cmd {
        ConnectorCommand::Add { name, kind, vault, config, set } => {
            let prefilled = config.is_none();
            let mut config = match (config, &vault) {
                (Some(path), _) => read_config(&path)?,
                (None, Some(v)) => {
                    let k = ConnectorKind::parse(&kind).ok_or_else(|| Failure {
                        code: exit::INVALID_INPUT,
                        message: "invalid connector:\n  kind: must be one of postgresql, mysql, mariadb, mongodb, rest"
                            .into(),
                    })?;
                    let filled = core.prefill(k, v.clone()).await;
                    // Pre-filling read key names only; nothing it started is needed afterwards.
                    core.close().await;
                    Value::Object(filled?)
                }
                (None, None) => {
                    return Err(usage("give --config FILE, or --vault VAULT to pre-fill the fields"))
                }
            };
            for pair in &set {
                apply_set(&mut config, pair)?;
            }
            let missing_host = prefilled
                && ConnectorKind::parse(&kind)
                    .is_some_and(|k| k != ConnectorKind::Rest && k != ConnectorKind::Mongodb)
                && config.get("host").is_none();
            if missing_host {
                return Err(Failure {
                    code: exit::INVALID_INPUT,
                    message: format!(
                        "invalid connector:\n  config.host: is required, and vault \"{}\" did not give it (its \
                         connection configuration is not readable with the vault's policy, or it has no \
                         connection name); add --set host=NAME (and port=, database=)",
                        vault.as_deref().unwrap_or_default()
                    ),
                });
            }
            let c = core.add_connector(ConnectorInput { name, kind, vault, config }).await?;
            warn_literal_secrets(&c.literal_secrets);
            let refs = c.references;
            let c = c.connector;
            outln!(
                "Added connector \"{}\" ({}{}) with {refs} reference{}.",
                c.name,
                c.kind.as_str(),
                c.vault.as_deref().map(|v| format!(", vault \"{v}\"")).unwrap_or_default(),
                if refs == 1 { "" } else { "s" }
            );
        }
        ConnectorCommand::List { json } => {
            let all = core.list_connectors().await?;
            if json {
                let plain: Vec<_> = all.iter().map(|s| &s.connector).collect();
                print_json(&plain)?;
            } else if all.is_empty() {
                outln!("No connectors yet. Add one with `vaultdesk connector add NAME --kind KIND --config FILE`.");
            } else {
                let w = all.iter().map(|c| c.connector.name.chars().count()).max().unwrap_or(4).max(4);
                outln!("{:<w$}  {:<10}  {:<16}  REFERENCES", "NAME", "KIND", "VAULT");
                for s in &all {
                    let c = &s.connector;
                    outln!(
                        "{:<w$}  {:<10}  {:<16}  {}",
                        c.name,
                        c.kind.as_str(),
                        c.vault.as_deref().unwrap_or("-"),
                        s.references
                    );
                }
            }
        }
        ConnectorCommand::Show { name, json } => {
            let c = core.get_connector(name).await?;
            if json {
                print_json(&c)?;
            } else {
                outln!("{:<10}{}", "Name", c.name);
                outln!("{:<10}{}", "Kind", c.kind.as_str());
                outln!("{:<10}{}", "Vault", c.vault.as_deref().unwrap_or("(none)"));
                outln!("{:<10}{}", "Updated", c.updated_at);
                outln!("{}", serde_json::to_string_pretty(&c.config).map_err(internal)?);
            }
        }
        ConnectorCommand::Update { name, rename, kind, vault, config } => {
            let config = config.map(|p| read_config(&p)).transpose()?;
            let c = core.update_connector(name, ConnectorPatch { rename, kind, vault, config }).await?;
            warn_literal_secrets(&c.literal_secrets);
            outln!("Updated connector \"{}\".", c.connector.name);
        }
        ConnectorCommand::Lint { json } => {
            let all = core.list_connectors().await?;
            let findings: Vec<LintFinding> = all
                .iter()
                .flat_map(|s| {
                    s.literal_secrets.iter().map(|f| LintFinding {
                        connector: s.connector.name.clone(),
                        field: format!("config.{f}"),
                        problem: literal_secrets::WARNING,
                    })
                })
                .collect();
            if json {
                print_json(&findings)?;
            } else if findings.is_empty() {
                outln!("No connector holds a literal secret ({} checked).", all.len());
            } else {
                let w = findings.iter().map(|f| f.connector.chars().count()).max().unwrap_or(0);
                for f in &findings {
                    outln!("{:<w$}  {}: {}", f.connector, f.field, f.problem);
                }
            }
            if !findings.is_empty() {
                return Err(Failure { code: exit::LINT_FINDINGS, message: lint_summary(findings.len()) });
            }
        }
        ConnectorCommand::Remove { name } => {
            let c = core.remove_connector(name).await?;
            outln!("Removed connector \"{}\".", c.name);
        }
        ConnectorCommand::Fields { kind } => {
            let k = ConnectorKind::parse(&kind)
                .ok_or_else(|| usage("KIND must be one of postgresql, mysql, mariadb, mongodb, rest"))?;
            for f in k.fields() {
                let ty = serde_json::to_value(f.field_type).map_err(internal)?;
                let opts =
                    if f.options.is_empty() { String::new() } else { format!(" ({})", f.options.join("|")) };
                outln!(
                    "{:<18} {:<9}{}{opts}  {}",
                    f.name,
                    ty.as_str().unwrap_or(""),
                    if f.required { " required" } else { "" },
                    f.help
                );
            }
        }
        ConnectorCommand::Preview { name, reveal, json } => {
            let reveal = if reveal { Reveal::All } else { Reveal::Masked };
            let preview = core.preview(ConnectorSource::Stored(name), reveal).await;
            // A preview's database credentials end with it.
            core.close().await;
            let p = preview?;
            if json {
                print_json(&p)?;
            } else {
                print_preview(&p)?;
            }
        }
        ConnectorCommand::Test { name, json, method, path } => {
            let connector = core.connector_for_test(ConnectorSource::Stored(name)).await?;
            let options = TestOptions { method: Some(method), path: Some(path) };
            if !json {
                outln!("Testing connector \"{}\" ({})", connector.name, connector.kind.as_str());
            }
            let mut print = |s: &vaultdesk_core::connector_probe::ConnectorStageReport| {
                if !json {
                    print_connector_stage(s);
                }
            };
            let report = core.test_checked(&connector, &options, &mut print).await;
            // The test's database credentials end with it.
            core.close().await;
            if json {
                print_json(&report)?;
            } else {
                outln!("{}", if report.ok { "Test passed." } else { "Test failed." });
            }
            if let Some(f) = report.failure() {
                return Err(Failure { code: exit::VAULT, message: format!("{}; {}", f.message, f.hint) });
            }
        }
        // Sessions are not closed after an export: that would revoke the database credentials
        // just written; they live until their lease or the login token ends.
        ConnectorCommand::Export { name, format, out, all, out_dir, force } => {
            let format = format_arg(&format)?;
            match (name, out_dir) {
                (_, Some(dir)) if all => {
                    let result = core.export_all(dir.clone(), format, force).await?;
                    eprintln!(
                        "Exported {} connector(s) to {} ({}).",
                        result.files.len(),
                        dir.display(),
                        format.extension()
                    );
                }
                (Some(name), _) => {
                    let text = core
                        .export_connector(ConnectorSource::Stored(name.clone()), format, out.clone(), force)
                        .await?;
                    match (text, &out) {
                        (Some(text), _) => out!("{}", text.expose()),
                        (None, Some(f)) => {
                            let shown = core.get_connector(name).await.map(|c| c.name).unwrap_or_default();
                            eprintln!("Exported connector \"{shown}\" to {}.", f.display());
                        }
                        (None, None) => {}
                    }
                }
                _ => return Err(usage("give a connector NAME, or --all with --out-dir DIR")),
            }
        }
    }
    Ok(())
}
