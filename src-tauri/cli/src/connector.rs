//! `vaultdesk connector ...` and `vaultdesk render`: connectors whose fields reference secrets,
//! previewed masked, exported as files. All logic is in vaultdesk-core; this is argument parsing
//! and printing.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::Value;
use vaultdesk_core::connector::{ConnectorInput, ConnectorKind, ConnectorPatch};
use vaultdesk_core::export::{self, ExportFormat};
use vaultdesk_core::render::{self, Preview};
use vaultdesk_core::template::RenderMode;
use vaultdesk_core::vault::VaultHub;
use vaultdesk_core::{Error, Store};

use crate::{exit, internal, print_json, usage, Failure};

#[derive(Subcommand)]
pub(crate) enum ConnectorCommand {
    /// Add a connector: a database or REST configuration whose fields may reference secrets.
    #[command(after_help = "The configuration is a JSON object of the kind's fields (see \
        `vaultdesk connector fields KIND`); any text field may hold {{secrets.VAULT.KEY}} \
        references. Without --config, the fields are pre-filled from --vault: the matching key \
        names of a KV secret, or a database engine's username and password, as references.")]
    Add {
        name: String,
        /// postgresql, mysql, mariadb, mongodb or rest
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// The selected vault ("Secrets Manager")
        #[arg(long, value_name = "VAULT")]
        vault: Option<String>,
        /// JSON file with the configuration ('-' = standard input)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// List the connectors.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a connector as stored (references, not values).
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a connector. Options not given keep their value; --vault '' clears the selection.
    Update {
        name: String,
        #[arg(long, value_name = "NEW")]
        rename: Option<String>,
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        #[arg(long, value_name = "VAULT")]
        vault: Option<String>,
        /// JSON file replacing the whole configuration ('-' = standard input)
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Remove a connector.
    Remove { name: String },
    /// The fields of a connector kind.
    Fields { kind: String },
    /// Render a connector with every secret-derived value masked (unless --reveal), and list each
    /// reference with its vault, key and cache state.
    Preview {
        name: String,
        /// Show the secret values themselves.
        #[arg(long)]
        reveal: bool,
        #[arg(long)]
        json: bool,
    },
    /// Render and write a connector (or all of them) as JSON, YAML or env.
    #[command(after_help = "Files are written atomically (temporary file, fsync, rename) with \
        mode 0600; an existing file is kept unless --force. Without --out the result goes to \
        standard output. --all writes DIR/NAME.FORMAT for every connector, and nothing at all if \
        one of them cannot be rendered or one target exists without --force. Database \
        credentials in an export stay valid until their lease (or the AppRole token) ends.")]
    Export {
        /// The connector (or --all)
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Output format; env flattens nested keys into UPPER_CASE names
        #[arg(long, default_value = "json", value_name = "json|yaml|env")]
        format: String,
        /// File to write [default: standard output]
        #[arg(long, value_name = "FILE", conflicts_with = "all")]
        out: Option<PathBuf>,
        /// Every connector, one file each in --out-dir
        #[arg(long, requires = "out_dir")]
        all: bool,
        /// Directory for --all (DIR/NAME.FORMAT)
        #[arg(long, value_name = "DIR", requires = "all")]
        out_dir: Option<PathBuf>,
        /// Replace existing files
        #[arg(long)]
        force: bool,
    },
}

/// `vaultdesk render FILE`.
#[derive(Args)]
pub(crate) struct RenderArgs {
    /// A JSON or YAML file whose string values may hold {{secrets.VAULT.KEY}} references
    file: PathBuf,
    /// Output format [default: the input's]
    #[arg(long, value_name = "json|yaml|env")]
    format: Option<String>,
    /// File to write (atomically, mode 0600) [default: standard output]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace an existing --out file
    #[arg(long)]
    force: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal(format!("cannot start the async runtime: {e}")))
}

fn format_arg(s: &str) -> Result<ExportFormat, Failure> {
    ExportFormat::parse(s).ok_or_else(|| usage(format!("--format must be json, yaml or env, not \"{s}\"")))
}

fn read_source(path: &Path) -> Result<String, Failure> {
    let mut buf = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut buf)
            .map_err(|e| usage(format!("cannot read standard input: {e}")))?;
    } else {
        buf = std::fs::read_to_string(path).map_err(|e| Failure {
            code: exit::INVALID_INPUT,
            message: format!("cannot read {}: {e}", path.display()),
        })?;
    }
    Ok(buf)
}

fn read_config(path: &Path) -> Result<Value, Failure> {
    let text = read_source(path)?;
    serde_json::from_str(&text).map_err(|e| Failure {
        code: exit::INVALID_INPUT,
        message: format!("the configuration in {} is not valid JSON: {e}", path.display()),
    })
}

pub(crate) fn run(store: &mut Store, cmd: ConnectorCommand) -> Result<(), Failure> {
    match cmd {
        ConnectorCommand::Add { name, kind, vault, config } => {
            let config = match (config, &vault) {
                (Some(path), _) => read_config(&path)?,
                (None, Some(v)) => {
                    let k = ConnectorKind::parse(&kind).ok_or_else(|| Failure {
                        code: exit::INVALID_INPUT,
                        message: "invalid connector:\n  kind: must be one of postgresql, mysql, mariadb, mongodb, rest"
                            .into(),
                    })?;
                    let vault = store.get_vault(v)?;
                    let load = store.credential_loader(&vault);
                    let hub = VaultHub::new();
                    let rt = runtime()?;
                    let filled = rt.block_on(async {
                        let r = render::prefill_from_vault(&hub, &vault, load, k).await;
                        hub.close_all().await;
                        r
                    })?;
                    Value::Object(filled)
                }
                (None, None) => {
                    return Err(usage("give --config FILE, or --vault VAULT to pre-fill the fields"))
                }
            };
            let c = store.add_connector(&ConnectorInput { name, kind, vault, config })?;
            let refs = c.references().len();
            println!(
                "Added connector \"{}\" ({}{}) with {refs} reference{}.",
                c.name,
                c.kind.as_str(),
                c.vault.as_deref().map(|v| format!(", vault \"{v}\"")).unwrap_or_default(),
                if refs == 1 { "" } else { "s" }
            );
        }
        ConnectorCommand::List { json } => {
            let all = store.list_connectors()?;
            if json {
                print_json(&all)?;
            } else if all.is_empty() {
                println!("No connectors yet. Add one with `vaultdesk connector add NAME --kind KIND --config FILE`.");
            } else {
                let w = all.iter().map(|c| c.name.chars().count()).max().unwrap_or(4).max(4);
                println!("{:<w$}  {:<10}  {:<16}  REFERENCES", "NAME", "KIND", "VAULT");
                for c in &all {
                    println!(
                        "{:<w$}  {:<10}  {:<16}  {}",
                        c.name,
                        c.kind.as_str(),
                        c.vault.as_deref().unwrap_or("-"),
                        c.references().len()
                    );
                }
            }
        }
        ConnectorCommand::Show { name, json } => {
            let c = store.get_connector(&name)?;
            if json {
                print_json(&c)?;
            } else {
                println!("{:<10}{}", "Name", c.name);
                println!("{:<10}{}", "Kind", c.kind.as_str());
                println!("{:<10}{}", "Vault", c.vault.as_deref().unwrap_or("(none)"));
                println!("{:<10}{}", "Updated", c.updated_at);
                println!("{}", serde_json::to_string_pretty(&c.config).map_err(internal)?);
            }
        }
        ConnectorCommand::Update { name, rename, kind, vault, config } => {
            let config = config.map(|p| read_config(&p)).transpose()?;
            let c = store.update_connector(&name, &ConnectorPatch { rename, kind, vault, config })?;
            println!("Updated connector \"{}\".", c.name);
        }
        ConnectorCommand::Remove { name } => {
            let c = store.remove_connector(&name)?;
            println!("Removed connector \"{}\".", c.name);
        }
        ConnectorCommand::Fields { kind } => {
            let k = ConnectorKind::parse(&kind)
                .ok_or_else(|| usage("KIND must be one of postgresql, mysql, mariadb, mongodb, rest"))?;
            for f in k.fields() {
                let ty = serde_json::to_value(f.field_type).map_err(internal)?;
                let opts =
                    if f.options.is_empty() { String::new() } else { format!(" ({})", f.options.join("|")) };
                println!(
                    "{:<18} {:<9}{}{opts}  {}",
                    f.name,
                    ty.as_str().unwrap_or(""),
                    if f.required { " required" } else { "" },
                    f.help
                );
            }
        }
        ConnectorCommand::Preview { name, reveal, json } => {
            let c = store.get_connector(&name)?;
            let mode = if reveal { RenderMode::Reveal } else { RenderMode::Mask };
            let hub = VaultHub::new();
            let previews = runtime()?.block_on(async {
                let r = render::render_connectors(store, &hub, std::slice::from_ref(&c), mode).await;
                hub.close_all().await;
                r
            })?;
            let p = previews.into_iter().next().ok_or_else(|| internal("nothing rendered"))?;
            if json {
                print_json(&p)?;
            } else {
                print_preview(&p)?;
            }
        }
        ConnectorCommand::Export { name, format, out, all, out_dir, force } => {
            let format = format_arg(&format)?;
            let connectors = match (&name, all) {
                (Some(n), false) => vec![store.get_connector(n)?],
                _ => store.list_connectors()?,
            };
            // Refuse before any Vault request when a target exists.
            let targets: Vec<Option<PathBuf>> = match (&out, &out_dir) {
                (_, Some(dir)) => connectors
                    .iter()
                    .map(|c| Some(dir.join(format!("{}.{}", c.name, format.extension()))))
                    .collect(),
                (Some(f), None) => vec![Some(f.clone())],
                (None, None) => vec![None],
            };
            for t in targets.iter().flatten() {
                export::check_target(t, force)?;
            }
            let hub = VaultHub::new();
            // Not closed: revoking the session would revoke the database credentials just exported.
            let rendered = runtime()?.block_on(render::render_connectors(
                store,
                &hub,
                &connectors,
                RenderMode::Reveal,
            ))?;
            let mut texts = Vec::new();
            for p in &rendered {
                texts.push(export::to_text(&p.config, format)?);
            }
            let files: Vec<(std::path::PathBuf, String)> = targets
                .iter()
                .zip(&texts)
                .filter_map(|(t, text)| t.as_ref().map(|p| (p.to_path_buf(), text.clone())))
                .collect();
            if files.is_empty() {
                for text in &texts {
                    print!("{text}");
                }
            } else {
                export::write_all(&files, force)?;
            }
            if let Some(dir) = &out_dir {
                eprintln!(
                    "Exported {} connector(s) to {} ({}).",
                    texts.len(),
                    dir.display(),
                    format.extension()
                );
            } else if let Some(f) = &out {
                eprintln!("Exported connector \"{}\" to {}.", connectors[0].name, f.display());
            }
        }
    }
    Ok(())
}

pub(crate) fn render_file(store: &Store, args: RenderArgs) -> Result<(), Failure> {
    let text = read_source(&args.file)?;
    let (doc, read_as) = export::parse_document(&text, &args.file)
        .map_err(|e| Failure { code: exit::INVALID_INPUT, message: e.to_string() })?;
    let format = match &args.format {
        Some(f) => format_arg(f)?,
        None => read_as,
    };
    if let Some(out) = &args.out {
        export::check_target(out, args.force)?;
    }
    let hub = VaultHub::new();
    let rendered = runtime()?.block_on(render::render_document(store, &hub, &doc, RenderMode::Reveal))?;
    let out_text = export::to_text(&rendered, format)?;
    match &args.out {
        Some(out) => export::write_atomic(out, &out_text, args.force)?,
        None => print!("{out_text}"),
    }
    Ok(())
}

fn print_preview(p: &Preview) -> Result<(), Failure> {
    println!(
        "Connector \"{}\" ({}){}",
        p.connector,
        p.kind.as_str(),
        if p.revealed { " — secret values REVEALED" } else { " — secret values masked" }
    );
    println!("{}", serde_json::to_string_pretty(&p.config).map_err(internal)?);
    if p.references.is_empty() {
        println!("No references.");
        return Ok(());
    }
    println!("References:");
    let field_w = p.references.iter().map(|r| r.field.chars().count()).max().unwrap_or(0);
    let ref_w = p.references.iter().map(|r| r.reference.chars().count() + 4).max().unwrap_or(0);
    for r in &p.references {
        let expires = match r.expires_in_secs {
            Some(s) => format!("expires in {}", vaultdesk_core::validate::format_duration(s)),
            None => "not cached".into(),
        };
        let reference = format!("{{{{{}}}}}", r.reference);
        println!(
            "  {:<field_w$}  {reference:<ref_w$}  vault \"{}\", key {}, fetched {}, {expires}",
            r.field, r.vault, r.key, r.fetched_at
        );
    }
    Ok(())
}

/// Extra lines of `vaultdesk vault show`: the connectors using the vault.
pub(crate) fn used_by(store: &Store, vault: &str) -> Result<Vec<String>, Error> {
    store.connectors_using(vault)
}
