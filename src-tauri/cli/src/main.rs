//! `vaultdesk`: the command-line front door onto vaultdesk-core, for headless use and scripts.
//!
//! Role ID and Secret ID are never accepted as command-line values (they would show in the
//! process list and shell history): they come from a file (`-` = standard input), from
//! `VAULTDESK_ROLE_ID` / `VAULTDESK_SECRET_ID`, or from a no-echo prompt on a terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod connector;
use vaultdesk_core::validate::format_duration;
use vaultdesk_core::vault::{test_vault, StageStatus, TestReport, TestStage};
use vaultdesk_core::{
    AppRoleCredentials, CredentialsPatch, Error, ErrorCode, SecretString, Store, TlsInput, Vault, VaultInput,
    VaultPatch,
};

/// Exit codes, documented in the README and in `--help`.
mod exit {
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INVALID_INPUT: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const ALREADY_EXISTS: u8 = 5;
    pub const KEYRING_UNAVAILABLE: u8 = 6;
    pub const STORAGE: u8 = 7;
    pub const VAULT: u8 = 8;
    pub const IN_USE: u8 = 9;
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  unexpected failure (keyring error other than unavailable)
  2  usage error (unknown flag, missing argument)
  3  invalid input (a field is not accepted, a template or reference cannot be rendered)
  4  not found (no vault or connector of that name)
  5  already exists (a vault or connector of that name, or an export target without --force)
  6  OS keyring unavailable (no Secret Service, locked, access refused), nothing changed
  7  storage error (the data directory or database cannot be used)
  8  Vault refused or failed (a Test stage failed, unreachable, sealed, denied...)
  9  in use (vault remove while connectors use the vault; --force removes anyway)";

#[derive(Parser)]
#[command(name = "vaultdesk", version, about = "Manage vaultdesk's secret stores from the command line.", after_help = EXIT_CODES_HELP)]
struct Cli {
    /// Data directory [default: $VAULTDESK_DATA_DIR, else ~/.local/share/vaultdesk]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Vault configurations: HashiCorp Vault or OpenBao through AppRole.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Connectors: database and REST configurations whose fields reference secrets.
    #[command(subcommand)]
    Connector(connector::ConnectorCommand),
    /// Render a JSON or YAML file's {{secrets.VAULT.KEY}} references (only string values are
    /// templates, so the file's syntax cannot break).
    Render(connector::RenderArgs),
}

#[derive(Subcommand)]
enum VaultCommand {
    /// Register a vault; its Role ID and Secret ID go to the OS keyring.
    #[command(after_help = "The Role ID and Secret ID are read from --role-id-file/--secret-id-file \
        ('-' = standard input), else from $VAULTDESK_ROLE_ID/$VAULTDESK_SECRET_ID, else asked \
        for without echo on a terminal.")]
    Add {
        name: String,
        #[command(flatten)]
        fields: VaultFields,
        #[command(flatten)]
        ids: IdSources,
    },
    /// List the vaults.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one vault's configuration (never its Role ID or Secret ID).
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a vault. Flags not given keep their value; an empty value clears an optional field.
    #[command(after_help = "The Role ID and Secret ID are replaced only when supplied, through \
        --role-id-file/--secret-id-file, or $VAULTDESK_ROLE_ID/$VAULTDESK_SECRET_ID with --ids-from-env.")]
    Update {
        name: String,
        /// New name (the keyring entries follow the vault).
        #[arg(long, value_name = "NEW")]
        rename: Option<String>,
        #[command(flatten)]
        fields: VaultFields,
        #[command(flatten)]
        ids: IdSources,
    },
    /// Remove a vault and its keyring entries; refused (exit code 9) while connectors use it.
    Remove {
        name: String,
        /// Remove even while connectors use it (their selection is cleared; their references
        /// stay and fail to render until fixed)
        #[arg(long)]
        force: bool,
    },
    /// Test a vault: reachability and health, TLS, login, read, capabilities.
    #[command(after_help = "Each stage is shown with its outcome and time; the command exits with \
        code 8 when a stage fails. Secret values are never shown: KV shows key names and the \
        version, a database engine the issued username (its credentials are revoked at once).\n\n\
        With flags, tests the configuration as it would be after `vault update NAME` with the same \
        flags, or, when no vault is called NAME, an unsaved configuration (as `vault add` takes \
        it). Nothing is saved.")]
    Test {
        name: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        fields: VaultFields,
        #[command(flatten)]
        ids: IdSources,
    },
}

/// The fields of a vault configuration. On `add`, --url, --engine-name and --engine-type are
/// required (validation says so by field); on `update`, every flag is optional.
#[derive(Args)]
struct VaultFields {
    /// Vault URL and port, e.g. https://vault.example.com:8200 [add: default $VAULT_ADDR]
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Mount path of the secrets engine, e.g. secret
    #[arg(long, value_name = "MOUNT")]
    engine_name: Option<String>,
    /// kv2, mysql, mariadb, postgresql or mongodb
    #[arg(long, value_name = "TYPE")]
    engine_type: Option<String>,
    /// KV only: path of the secret in the engine (the API form <engine>/data/<path> is accepted)
    #[arg(long, value_name = "P")]
    path: Option<String>,
    /// Database engines only: the role to issue credentials for
    #[arg(long, value_name = "R")]
    db_role: Option<String>,
    /// Database engines only: the connection configured in the engine
    #[arg(long, value_name = "C")]
    connection_name: Option<String>,
    /// Vault namespace (Enterprise / OpenBao) [add: default $VAULT_NAMESPACE]
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// AppRole mount [default: approle]
    #[arg(long, value_name = "M")]
    auth_mount: Option<String>,
    /// How long resolved secrets stay cached in memory: 30s, 5m, 1h, 0 = off [default: 5m]
    #[arg(long, value_name = "DUR")]
    cache_ttl: Option<String>,
    /// PEM file of the CA(s) to trust instead of the system roots [add: default $VAULT_CACERT]
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<String>,
    /// PEM client certificate for mutual TLS (with --client-key)
    #[arg(long, value_name = "FILE")]
    client_cert: Option<String>,
    /// PEM private key of the client certificate
    #[arg(long, value_name = "FILE")]
    client_key: Option<String>,
    /// Accept any server certificate (insecure; for test set-ups only)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    tls_skip_verify: Option<bool>,
    /// Time to establish a connection [default: 10s]
    #[arg(long, value_name = "DUR")]
    connect_timeout: Option<String>,
    /// Time for a whole request [default: 30s]
    #[arg(long, value_name = "DUR")]
    request_timeout: Option<String>,
}

impl VaultFields {
    fn input(self, name: String, tls: TlsInput) -> VaultInput {
        VaultInput {
            name,
            provider: None,
            url: self.url.unwrap_or_default(),
            namespace: self.namespace,
            auth_mount: self.auth_mount,
            engine_name: self.engine_name.unwrap_or_default(),
            engine_type: self.engine_type.unwrap_or_default(),
            path: self.path,
            db_role: self.db_role,
            connection_name: self.connection_name,
            cache_ttl: self.cache_ttl,
            tls,
        }
    }

    fn patch(self, tls: TlsInput) -> VaultPatch {
        VaultPatch {
            tls,
            rename: None,
            url: self.url,
            namespace: self.namespace,
            auth_mount: self.auth_mount,
            engine_name: self.engine_name,
            engine_type: self.engine_type,
            path: self.path,
            db_role: self.db_role,
            connection_name: self.connection_name,
            cache_ttl: self.cache_ttl,
        }
    }

    fn tls(&self) -> TlsInput {
        TlsInput {
            tls_ca_cert: self.ca_cert.clone(),
            tls_client_cert: self.client_cert.clone(),
            tls_client_key: self.client_key.clone(),
            tls_skip_verify: self.tls_skip_verify,
            connect_timeout: self.connect_timeout.clone(),
            request_timeout: self.request_timeout.clone(),
        }
    }
}

#[derive(Args)]
struct IdSources {
    /// File holding the Role ID ('-' = standard input)
    #[arg(long, value_name = "F")]
    role_id_file: Option<PathBuf>,
    /// File holding the Secret ID ('-' = standard input)
    #[arg(long, value_name = "F")]
    secret_id_file: Option<PathBuf>,
    /// Take the IDs from $VAULTDESK_ROLE_ID / $VAULTDESK_SECRET_ID also for a stored vault
    /// (`add` and unsaved tests always read them; `update` and `test` of a stored vault do not,
    /// so a variable left over from an earlier `add` never replaces another vault's IDs).
    #[arg(long)]
    ids_from_env: bool,
}

/// A failure of this command: what to print and how to exit.
struct Failure {
    code: u8,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e.code() {
            ErrorCode::InvalidInput => exit::INVALID_INPUT,
            ErrorCode::NotFound => exit::NOT_FOUND,
            ErrorCode::AlreadyExists => exit::ALREADY_EXISTS,
            ErrorCode::KeyringUnavailable => exit::KEYRING_UNAVAILABLE,
            ErrorCode::Storage => exit::STORAGE,
            ErrorCode::Vault => exit::VAULT,
            ErrorCode::InUse => exit::IN_USE,
            ErrorCode::CredentialMissing | ErrorCode::Keyring => exit::INTERNAL,
        };
        let message = match &e {
            // One line per field reads better than one long sentence.
            Error::Invalid(errs) => {
                let mut m = String::from("invalid vault configuration:");
                for f in &errs.0 {
                    let label = match f.field.as_str() {
                        "name" => "NAME".to_owned(),
                        "tls_ca_cert" => "--ca-cert".to_owned(),
                        "tls_client_cert" => "--client-cert".to_owned(),
                        "tls_client_key" => "--client-key".to_owned(),
                        other => format!("--{}", other.replace('_', "-")),
                    };
                    m.push_str(&format!("\n  {label}: {}", f.message));
                }
                m
            }
            Error::InvalidConnector(errs) => {
                let mut m = String::from("invalid connector:");
                for f in &errs.0 {
                    m.push_str(&format!("\n  {}: {}", f.field, f.message));
                }
                m
            }
            Error::VaultInUse { name, .. } => format!("{e} with `vaultdesk vault remove {name} --force`"),
            other => other.to_string(),
        };
        Failure { code, message }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { code: exit::USAGE, message: message.into() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vaultdesk: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = vaultdesk_core::paths::resolve_data_dir(cli.data_dir)?;
    let mut store = Store::open(&dir)?;
    let cmd = match cli.command {
        Command::Vault(cmd) => cmd,
        Command::Connector(cmd) => return connector::run(&mut store, cmd),
        Command::Render(args) => return connector::render_file(&store, args),
    };
    match cmd {
        VaultCommand::Add { name, fields, ids } => {
            let mut stdin_used = false;
            let role_id =
                read_id(&ids.role_id_file, ("VAULTDESK_ROLE_ID", true), "Role ID", true, &mut stdin_used)?
                    .ok_or_else(|| missing_id("Role ID", "role-id", "VAULTDESK_ROLE_ID"))?;
            let secret_id = read_id(
                &ids.secret_id_file,
                ("VAULTDESK_SECRET_ID", true),
                "Secret ID",
                true,
                &mut stdin_used,
            )?
            .ok_or_else(|| missing_id("Secret ID", "secret-id", "VAULTDESK_SECRET_ID"))?;
            let tls = fields.tls();
            let input = fields.input(name, tls).with_env_defaults();
            let vault = store.add_vault(&input, &AppRoleCredentials { role_id, secret_id })?;
            println!(
                "Added vault \"{}\" ({} at {}); Role ID and Secret ID are in the OS keyring.",
                vault.spec.name,
                vault.spec.engine_type.as_str(),
                vault.spec.url
            );
        }
        VaultCommand::List { json } => {
            let vaults = store.list_vaults()?;
            if json {
                print_json(&vaults)?;
            } else if vaults.is_empty() {
                println!("No vaults yet. Add one with `vaultdesk vault add NAME --url URL ...`.");
            } else {
                print_table(&vaults);
            }
        }
        VaultCommand::Show { name, json } => {
            let vault = store.get_vault(&name)?;
            let keyring = store.keyring_location(&vault);
            if json {
                let mut v = serde_json::to_value(&vault).map_err(internal)?;
                v["keyring"] = serde_json::to_value(&keyring).map_err(internal)?;
                v["used_by"] =
                    serde_json::to_value(connector::used_by(&store, &vault.spec.name)?).map_err(internal)?;
                print_json(&v)?;
            } else {
                print_vault(&vault);
                println!(
                    "{:<16}service \"{}\", accounts {} and {}",
                    "Credentials", keyring.service, keyring.role_id_account, keyring.secret_id_account
                );
                let users = connector::used_by(&store, &vault.spec.name)?;
                let users = if users.is_empty() { "(no connectors)".to_owned() } else { users.join(", ") };
                println!("{:<16}{users}", "Used by");
            }
        }
        VaultCommand::Update { name, rename, fields, ids } => {
            let mut stdin_used = false;
            let creds = CredentialsPatch {
                role_id: read_id(
                    &ids.role_id_file,
                    ("VAULTDESK_ROLE_ID", ids.ids_from_env),
                    "Role ID",
                    false,
                    &mut stdin_used,
                )?,
                secret_id: read_id(
                    &ids.secret_id_file,
                    ("VAULTDESK_SECRET_ID", ids.ids_from_env),
                    "Secret ID",
                    false,
                    &mut stdin_used,
                )?,
            };
            let replaced: Vec<&str> =
                [("Role ID", creds.role_id.is_some()), ("Secret ID", creds.secret_id.is_some())]
                    .into_iter()
                    .filter_map(|(n, on)| on.then_some(n))
                    .collect();
            let tls = fields.tls();
            let patch = VaultPatch { rename, ..fields.patch(tls) };
            let vault = store.update_vault(&name, &patch, &creds)?;
            let ids_note = if replaced.is_empty() {
                String::from("; Role ID and Secret ID unchanged")
            } else {
                format!("; replaced {} in the OS keyring", replaced.join(" and "))
            };
            println!("Updated vault \"{}\"{ids_note}.", vault.spec.name);
        }
        VaultCommand::Test { name, json, fields, ids } => {
            let saved = match store.get_vault(&name) {
                Ok(v) => Some(v),
                Err(Error::VaultNotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            let mut stdin_used = false;
            let prompt = saved.is_none();
            let creds = CredentialsPatch {
                role_id: read_id(
                    &ids.role_id_file,
                    ("VAULTDESK_ROLE_ID", prompt || ids.ids_from_env),
                    "Role ID",
                    prompt,
                    &mut stdin_used,
                )?,
                secret_id: read_id(
                    &ids.secret_id_file,
                    ("VAULTDESK_SECRET_ID", prompt || ids.ids_from_env),
                    "Secret ID",
                    prompt,
                    &mut stdin_used,
                )?,
            };
            let tls = fields.tls();
            let input = match &saved {
                Some(v) => store.patched_input(&v.spec.name, &fields.patch(tls))?,
                None => fields.input(name.clone(), tls).with_env_defaults(),
            };
            let (spec, creds) =
                store.prepare_test(&input, saved.as_ref().map(|v| v.spec.name.as_str()), &creds)?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| internal(format!("cannot start the async runtime: {e}")))?;
            let report = runtime.block_on(test_vault(&spec, &creds));
            if json {
                print_json(&report)?;
            } else {
                print_report(&spec.name, saved.is_none(), &spec.url, &report);
            }
            if let Some(f) = report.failure() {
                return Err(Failure { code: exit::VAULT, message: format!("{}; {}", f.message, f.hint) });
            }
        }
        VaultCommand::Remove { name, force } => {
            let vault = if force { store.remove_vault_forced(&name)? } else { store.remove_vault(&name)? };
            println!("Removed vault \"{}\" and its keyring entries.", vault.spec.name);
        }
    }
    Ok(())
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure { code: exit::INTERNAL, message: e.to_string() }
}

fn missing_id(what: &str, flag: &str, env: &str) -> Failure {
    usage(format!(
        "the {what} is required: pass --{flag}-file FILE ('-' for standard input) or set {env} \
         (it is never accepted on the command line)"
    ))
}

/// Reads a Role ID or Secret ID from its file flag, its environment variable (when `use_env`),
/// or (when `prompt` and on a terminal) a no-echo prompt. `Ok(None)` when none supplied it.
fn read_id(
    file: &Option<PathBuf>,
    (env, use_env): (&str, bool),
    what: &str,
    prompt: bool,
    stdin_used: &mut bool,
) -> Result<Option<SecretString>, Failure> {
    if let Some(path) = file {
        let mut buf = String::new();
        if path.as_os_str() == "-" {
            if *stdin_used {
                return Err(usage(
                    "only one of --role-id-file and --secret-id-file can be '-' (standard input)",
                ));
            }
            *stdin_used = true;
            std::io::stdin()
                .read_to_string(&mut buf)
                .map_err(|e| usage(format!("cannot read the {what} from standard input: {e}")))?;
        } else {
            buf = std::fs::read_to_string(path).map_err(|e| Failure {
                code: exit::INVALID_INPUT,
                message: format!("cannot read the {what} from {}: {e}", path.display()),
            })?;
        }
        return Ok(Some(SecretString::from(buf)));
    }
    if let Some(v) = std::env::var(env).ok().filter(|_| use_env) {
        return Ok(Some(SecretString::from(v)));
    }
    if prompt && std::io::stdin().is_terminal() && !*stdin_used {
        eprint!("{what}: ");
        let _ = std::io::stderr().flush();
        let v = rpassword::read_password()
            .map_err(|e| usage(format!("cannot read the {what} from the terminal: {e}")))?;
        return Ok(Some(SecretString::from(v)));
    }
    Ok(None)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(v).map_err(internal)?;
    println!("{s}");
    Ok(())
}

fn engine_detail(v: &Vault) -> String {
    let s = &v.spec;
    match (&s.path, &s.db_role) {
        (Some(p), _) => format!("{}/{p}", s.engine_name),
        (None, Some(r)) => format!("{}/creds/{r}", s.engine_name),
        _ => s.engine_name.clone(),
    }
}

fn print_table(vaults: &[Vault]) {
    let rows: Vec<[String; 5]> = vaults
        .iter()
        .map(|v| {
            [
                v.spec.name.clone(),
                v.spec.engine_type.as_str().to_owned(),
                v.spec.url.clone(),
                engine_detail(v),
                format_duration(v.spec.cache_ttl_secs),
            ]
        })
        .collect();
    let header = ["NAME", "ENGINE", "URL", "SECRET", "CACHE TTL"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i == 4 {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        println!("{out}");
    };
    line(header);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
}

fn print_report(name: &str, unsaved: bool, url: &str, report: &TestReport) {
    let label = if unsaved { " (unsaved)" } else { "" };
    println!("Testing vault \"{name}\"{label} at {url}");
    for s in &report.stages {
        let (mark, label) = match s.status {
            StageStatus::Passed => ("ok  ", ""),
            StageStatus::Warning => ("warn", ""),
            StageStatus::Failed => ("FAIL", ""),
            StageStatus::Skipped => ("-   ", ""),
        };
        let stage = match s.stage {
            TestStage::Reach => "reach",
            TestStage::Tls => "tls",
            TestStage::Login => "login",
            TestStage::Read => "read",
            TestStage::Capabilities => "capabilities",
        };
        let time = if s.status == StageStatus::Skipped { String::new() } else { format!("{} ms", s.millis) };
        println!("  {mark} {stage:<13}{time:>8}  {}{label}", s.summary);
        if let Some(e) = &s.error {
            println!("       {:<13}{:>8}  hint: {}", "", "", e.hint);
        }
    }
    println!("{}", if report.ok { "Test passed." } else { "Test failed." });
}

fn print_vault(v: &Vault) {
    let s = &v.spec;
    let field = |label: &str, value: &str| println!("{label:<16}{value}");
    field("Name", &s.name);
    field("Provider", s.provider.label());
    field("URL", &s.url);
    field("Namespace", s.namespace.as_deref().unwrap_or("(none)"));
    field("Auth mount", &s.auth_mount);
    field("Engine name", &s.engine_name);
    field("Engine type", s.engine_type.as_str());
    if let Some(p) = &s.path {
        field("Path", p);
    }
    if let Some(r) = &s.db_role {
        field("Database role", r);
    }
    if let Some(c) = &s.connection_name {
        field("Connection", c);
    }
    field("Cache TTL", &format_duration(s.cache_ttl_secs));
    if let Some(ca) = &s.tls.tls_ca_cert {
        field("CA certificate", ca);
    }
    if let (Some(c), Some(k)) = (&s.tls.tls_client_cert, &s.tls.tls_client_key) {
        field("Client cert", &format!("{c} (key {k})"));
    }
    if s.tls.tls_skip_verify {
        field("TLS verify", "OFF (insecure: any server certificate is accepted)");
    }
    field(
        "Timeouts",
        &format!(
            "connect {}, request {}",
            format_duration(s.tls.connect_timeout_secs),
            format_duration(s.tls.request_timeout_secs)
        ),
    );
    field("Created", &v.created_at);
    field("Updated", &v.updated_at);
}
