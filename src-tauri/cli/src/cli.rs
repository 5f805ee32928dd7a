//! The command line as clap sees it: every command, flag and help text. The commands
//! themselves are in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use vaultdesk_core::{AwsInput, TlsInput, VaultInput, VaultPatch};

use crate::exit::EXIT_CODES_HELP;

#[derive(Parser)]
#[command(name = "vaultdesk", version, about = "Manage vaultdesk's secret stores from the command line.", after_help = EXIT_CODES_HELP)]
pub(crate) struct Cli {
    /// Data directory [default: $VAULTDESK_DATA_DIR, else ~/.local/share/vaultdesk]
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
// Parsed once per process: the size of its largest variant (all of a vault's flags) is moot.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Command {
    /// Vault configurations: HashiCorp Vault or OpenBao, or AWS Secrets Manager (--provider aws).
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Connectors: database and REST configurations whose fields reference secrets.
    #[command(subcommand)]
    Connector(ConnectorCommand),
    /// Leases: the database credentials vaultdesk obtained (previews, tests, exports, renders),
    /// recorded without their password; renew or revoke them.
    #[command(subcommand)]
    Lease(LeaseCommand),
    /// Render a JSON or YAML file's {{secrets.VAULT.KEY}} references (only string values are
    /// templates, so the file's syntax cannot break).
    Render(RenderArgs),
    /// Try vaultdesk without a Vault: a throwaway local OpenBao with example secrets, vaults
    /// and connectors in a demo data directory, and the window opened on it.
    #[command(after_help = "Starts the pinned OpenBao dev server (installed by `bash scripts/setup.sh \
        demo`; or $VAULTDESK_BAO_BIN) on a free loopback port, in memory, seeds a KV secret of an \
        API and a PostgreSQL-style credentials secret, an AppRole that can read them, registers \
        the vaults demo-kv and demo-db and the connectors demo-api (REST) and demo-postgres in a \
        new demo data directory (your own data directory is not touched), and opens the window on \
        it with a \"Demo data\" badge. Closing the window, Ctrl-C or SIGTERM ends the demo: the \
        vaults and their keyring entries are removed, the server stopped, the directory deleted. \
        Prints one JSON line with the demo data directory and the server's address.")]
    Demo(DemoArgs),
    /// List what is out of step: keyring entries of this data directory without their vault,
    /// vaults missing an ID, changes interrupted by a killed process, files readable by others.
    #[command(after_help = "Opening the data directory already makes it 0700 and the database files \
        0600, and completes or undoes changes a killed process left; the doctor reports that too. \
        Exits with 10 while something is still out of step.")]
    Doctor {
        /// Remove orphaned keyring entries and settle interrupted changes.
        #[arg(long)]
        repair: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum VaultCommand {
    /// Register a vault; its login secrets (Role ID and Secret ID, token, or password) go to the
    /// OS keyring.
    #[command(after_help = "Secret parts are read from their file flag ('-' = standard input): \
        --role-id-file/--secret-id-file (AppRole; or --wrapped-secret-id-file), --token-file (or \
        --token-from-env), --password-file (userpass, ldap); else from $VAULTDESK_ROLE_ID, \
        $VAULTDESK_SECRET_ID, $VAULTDESK_TOKEN or $VAULTDESK_PASSWORD; else asked for without \
        echo on a terminal. They are never accepted as command-line values.\n\n\
        AWS Secrets Manager: --provider aws --region R --secret-name NAME|ARN [--engine-type \
        kv|postgresql|mysql|mariadb] [--aws-auth keys|default] [--profile P] [--role-arn ARN \
        [--external-id X]] [--version-stage S | --version-id ID] [--endpoint-url URL]; access keys \
        from --access-key-id-file/--secret-access-key-file [--session-token-file], else \
        $VAULTDESK_AWS_ACCESS_KEY_ID/$VAULTDESK_AWS_SECRET_ACCESS_KEY [$VAULTDESK_AWS_SESSION_TOKEN], \
        else a no-echo prompt; the default chain stores nothing.")]
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
        #[command(flatten)]
        reuse: ReuseCredentials,
    },
    /// Sign in to an OIDC vault in the browser: prints the provider's URL (and opens it when it
    /// can), waits for the browser to come back, and keeps the token.
    #[command(after_help = "Without --remember the token lives only as long as this command (each \
        later command signs in again); with it, it is kept in the OS keyring until it expires.")]
    Login {
        name: String,
        /// Keep the token in the OS keyring until it expires
        #[arg(long)]
        remember: bool,
        /// Only print the URL; do not try to open a browser
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for the browser to come back [default: 5m]
        #[arg(long, value_name = "DUR", default_value = "5m")]
        timeout: String,
    },
    /// Drop the cached secret and token of a vault so that the next read is fresh, and read it
    /// now (KV: shows the version served; a database engine: nothing is issued).
    Refresh { name: String },
    /// Remove a vault and its keyring entries; refused (exit code 9) while connectors use it.
    Remove {
        name: String,
        /// Remove even while connectors use it (their selection is cleared; their references
        /// stay and fail to render until fixed)
        #[arg(long)]
        force: bool,
    },
    /// Write every vault and connector definition, without any credential, as one JSON file
    /// (stable and diff-friendly, for Git).
    #[command(after_help = "The keyring is not read: the file holds configurations only. A \
        connector field holding a literal secret (a password, token or API key typed as is rather \
        than a {{secrets...}} reference) is written empty and named on standard error.")]
    ExportConfig(ExportConfigArgs),
    /// Import a file of `vault export-config`: the vaults and connectors it defines, each vault
    /// with credentials you supply now, or marked "needs credentials".
    #[command(after_help = "The whole file is checked first, against the stored vaults and \
        connectors: a problem in any entry imports nothing and is named by entry and field. A \
        name already used is refused unless --skip-existing. Credentials per vault: from \
        --credentials-dir, from the environment with --ids-from-env (one vault only), else asked \
        for without echo on a terminal (an empty answer leaves it for later); never as \
        command-line values. Without them (--no-credentials, or no terminal) the vault is stored \
        and listed as \"needs credentials\"; `vaultdesk vault update NAME --role-id-file F \
        --secret-id-file F` supplies them later.")]
    ImportConfig(ImportConfigArgs),
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
        #[command(flatten)]
        reuse: ReuseCredentials,
    },
}

/// `vaultdesk demo`.
#[derive(Args)]
pub(crate) struct DemoArgs {
    /// The window to open [default: vaultdesk-app next to this vaultdesk, else on the PATH]
    #[arg(long, value_name = "PATH", conflicts_with = "no_window")]
    pub(crate) app: Option<PathBuf>,
    /// Open no window: keep the demo running until Ctrl-C or SIGTERM (to open the window, or
    /// use the CLI, on the demo data directory it prints)
    #[arg(long)]
    pub(crate) no_window: bool,
}

/// `vault export-config`.
#[derive(Args)]
pub(crate) struct ExportConfigArgs {
    /// File to write (mode 0600) [default: standard output]
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing file
    #[arg(long, requires = "out")]
    pub(crate) force: bool,
}

/// `vault import-config FILE`.
#[derive(Args)]
pub(crate) struct ImportConfigArgs {
    /// A file written by `vaultdesk vault export-config` ('-' = standard input)
    pub(crate) file: PathBuf,
    /// Leave vaults and connectors whose name is already used as they are (and say so)
    /// instead of refusing the import
    #[arg(long)]
    pub(crate) skip_existing: bool,
    /// Ask for no credentials: every imported vault "needs credentials" until `vault update
    /// NAME` supplies them
    #[arg(long, conflicts_with_all = ["credentials_dir", "ids_from_env"])]
    pub(crate) no_credentials: bool,
    /// Directory of credential files, one per vault and part: NAME.role_id and NAME.secret_id
    /// (AppRole), NAME.token, NAME.password, NAME.jwt, NAME.access_key_id and
    /// NAME.secret_access_key
    #[arg(long, value_name = "DIR")]
    pub(crate) credentials_dir: Option<PathBuf>,
    /// Take the credentials from $VAULTDESK_ROLE_ID / $VAULTDESK_SECRET_ID (or $VAULTDESK_TOKEN,
    /// $VAULTDESK_PASSWORD...), as `vault add` does; only when one vault of the file needs them
    #[arg(long)]
    pub(crate) ids_from_env: bool,
}

/// The stored IDs go only to the server they were stored for (URL host and port, namespace,
/// auth mount, CA, client certificate, TLS verification): a change of any of these needs the
/// Secret ID again, or this confirmation.
#[derive(Args)]
pub(crate) struct ReuseCredentials {
    /// Send the stored Role ID and Secret ID to the changed server (URL host or port,
    /// namespace, auth mount, CA, client certificate or TLS verification) instead of giving the
    /// Secret ID again
    #[arg(long)]
    pub(crate) reuse_credentials: bool,
}

/// The fields of a vault configuration. On `add`, --url, --engine-name and --engine-type are
/// required (validation says so by field); on `update`, every flag is optional.
#[derive(Args)]
pub(crate) struct VaultFields {
    /// The secret store: vault (HashiCorp Vault or OpenBao, the default) or aws (AWS Secrets
    /// Manager)
    #[arg(long, value_name = "P", value_parser = ["vault", "hashicorp_vault", "openbao", "aws", "aws_secrets_manager"])]
    provider: Option<String>,
    /// Vault URL and port, e.g. https://vault.example.com:8200 [add: default $VAULT_ADDR]
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// AWS: the region, e.g. us-east-1, eu-central-2, us-gov-west-1, cn-north-1
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// AWS: the secret's name or full ARN
    #[arg(long, value_name = "S")]
    secret_name: Option<String>,
    /// AWS: keys (Access Key ID and Secret Access Key in the OS keyring; default) or default
    /// (the SDK's default credential chain: environment, shared files and --profile, SSO, web
    /// identity, instance role; nothing stored)
    #[arg(long, value_name = "HOW", value_parser = ["keys", "default"])]
    aws_auth: Option<String>,
    /// AWS default chain: the profile of ~/.aws/config and ~/.aws/credentials
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// AWS: a role to assume on top of the login
    #[arg(long, value_name = "ARN")]
    role_arn: Option<String>,
    /// AWS: the external id the role's trust policy asks for (with --role-arn)
    #[arg(long, value_name = "X")]
    external_id: Option<String>,
    /// AWS: the version stage to read [default: AWSCURRENT]; AWSPREVIOUS or a custom stage
    #[arg(long, value_name = "S", conflicts_with = "version_id")]
    version_stage: Option<String>,
    /// AWS: a version id to read instead of a stage
    #[arg(long, value_name = "ID")]
    version_id: Option<String>,
    /// AWS: an endpoint URL instead of the region's (VPC endpoint, FIPS, a test server); it
    /// serves STS too
    #[arg(long, value_name = "URL", conflicts_with = "url")]
    endpoint_url: Option<String>,
    /// Mount path of the secrets engine, e.g. secret
    #[arg(long, value_name = "MOUNT")]
    engine_name: Option<String>,
    /// kv2, kv1, mysql, mariadb, postgresql or mongodb; AWS: kv (default), postgresql, mysql or
    /// mariadb
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
    /// KV v2 only: read this version instead of the current one ('' = the current one)
    #[arg(long, value_name = "N")]
    kv_version: Option<String>,
    /// Vault namespace (Enterprise / OpenBao) [add: default $VAULT_NAMESPACE]
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// Login method: approle, token, userpass, ldap, jwt or oidc [add: default approle]
    #[arg(long = "auth", value_name = "METHOD")]
    auth_method: Option<String>,
    /// Mount of the login method [default: the method's name: approle, userpass, ldap]
    #[arg(long, value_name = "M")]
    auth_mount: Option<String>,
    /// Userpass and LDAP: the user to log in as (the password is a secret: --password-file)
    #[arg(long, value_name = "USER")]
    username: Option<String>,
    /// JWT and OIDC: the role of the auth mount to log in as (a JWT is a secret: --jwt-file)
    #[arg(long, value_name = "R")]
    role: Option<String>,
    /// Log in to this namespace instead of the secret's (--namespace), e.g. a parent namespace
    #[arg(long, value_name = "NS")]
    login_namespace: Option<String>,
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
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", conflicts_with = "tls_verify")]
    tls_skip_verify: Option<bool>,
    /// Certificate verification: full (default), ca (the CA, not the host name) or skip
    #[arg(long, value_name = "MODE", value_parser = ["full", "ca", "skip"])]
    tls_verify: Option<String>,
    /// Allow an http:// URL to another machine than this one's loopback (the Secret ID and
    /// tokens travel unencrypted); refused without it
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    allow_http: Option<bool>,
    /// Time to establish a connection [default: 10s]
    #[arg(long, value_name = "DUR")]
    connect_timeout: Option<String>,
    /// Time for a whole request [default: 30s]
    #[arg(long, value_name = "DUR")]
    request_timeout: Option<String>,
}

impl VaultFields {
    /// The login method the flags name, if any (`--aws-auth` as the core's `aws_keys` /
    /// `aws_default`).
    pub(crate) fn auth_method(&self) -> Option<String> {
        match (&self.aws_auth, &self.auth_method) {
            (Some(a), _) => Some(format!("aws_{a}")),
            (None, m) => m.clone(),
        }
    }

    /// The provider the flags name, if any.
    pub(crate) fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    fn aws(&self) -> AwsInput {
        AwsInput {
            aws_region: self.region.clone(),
            aws_secret_id: self.secret_name.clone(),
            aws_version_stage: self.version_stage.clone(),
            aws_version_id: self.version_id.clone(),
            aws_profile: self.profile.clone(),
            aws_role_arn: self.role_arn.clone(),
            aws_external_id: self.external_id.clone(),
        }
    }

    pub(crate) fn input(self, name: String, tls: TlsInput) -> VaultInput {
        VaultInput {
            name,
            auth_method: self.auth_method(),
            aws: self.aws(),
            provider: self.provider,
            url: self.endpoint_url.or(self.url).unwrap_or_default(),
            namespace: self.namespace,
            auth_mount: self.auth_mount,
            auth_username: self.username,
            auth_role: self.role,
            login_namespace: self.login_namespace,
            engine_name: self.engine_name.unwrap_or_default(),
            engine_type: self.engine_type.unwrap_or_default(),
            path: self.path,
            db_role: self.db_role,
            connection_name: self.connection_name,
            kv_version: self.kv_version,
            cache_ttl: self.cache_ttl,
            tls,
        }
    }

    pub(crate) fn patch(self, tls: TlsInput) -> VaultPatch {
        VaultPatch {
            tls,
            rename: None,
            auth_method: self.auth_method(),
            aws: self.aws(),
            url: self.endpoint_url.or(self.url),
            namespace: self.namespace,
            auth_mount: self.auth_mount,
            auth_username: self.username,
            auth_role: self.role,
            login_namespace: self.login_namespace,
            engine_name: self.engine_name,
            engine_type: self.engine_type,
            path: self.path,
            db_role: self.db_role,
            connection_name: self.connection_name,
            kv_version: self.kv_version,
            cache_ttl: self.cache_ttl,
        }
    }

    pub(crate) fn tls(&self) -> TlsInput {
        TlsInput {
            tls_ca_cert: self.ca_cert.clone(),
            tls_client_cert: self.client_cert.clone(),
            tls_client_key: self.client_key.clone(),
            tls_skip_verify: match self.tls_verify.as_deref() {
                Some(mode) => Some(mode == "skip"),
                None => self.tls_skip_verify,
            },
            tls_skip_hostname: self.tls_verify.as_deref().map(|mode| mode == "ca"),
            allow_http: self.allow_http,
            connect_timeout: self.connect_timeout.clone(),
            request_timeout: self.request_timeout.clone(),
        }
    }
}

#[derive(Args)]
pub(crate) struct IdSources {
    /// File holding the Role ID ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) role_id_file: Option<PathBuf>,
    /// File holding the Secret ID ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) secret_id_file: Option<PathBuf>,
    /// Token login: file holding the token ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) token_file: Option<PathBuf>,
    /// Token login: import the token once from $VAULT_TOKEN, else ~/.vault-token (it is then
    /// kept in the OS keyring, not read from there again)
    #[arg(long)]
    pub(crate) token_from_env: bool,
    /// Userpass and LDAP: file holding the password ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) password_file: Option<PathBuf>,
    /// JWT: file holding the signed JWT ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) jwt_file: Option<PathBuf>,
    /// AWS access keys: file holding the Access Key ID ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) access_key_id_file: Option<PathBuf>,
    /// AWS access keys: file holding the Secret Access Key ('-' = standard input)
    #[arg(long, value_name = "F")]
    pub(crate) secret_access_key_file: Option<PathBuf>,
    /// AWS access keys: file holding a session token (temporary keys; optional)
    #[arg(long, value_name = "F")]
    pub(crate) session_token_file: Option<PathBuf>,
    /// AppRole: file holding a response-wrapping token of the Secret ID; saving unwraps it
    /// once (a Test only looks it up)
    #[arg(long, value_name = "F")]
    pub(crate) wrapped_secret_id_file: Option<PathBuf>,
    /// Take the IDs from $VAULTDESK_ROLE_ID / $VAULTDESK_SECRET_ID also for a stored vault
    /// (`add` and unsaved tests always read them; `update` and `test` of a stored vault do not,
    /// so a variable left over from an earlier `add` never replaces another vault's IDs).
    #[arg(long)]
    pub(crate) ids_from_env: bool,
}

#[derive(Subcommand)]
pub(crate) enum ConnectorCommand {
    /// Add a connector: a database or REST configuration whose fields may reference secrets.
    #[command(after_help = "The configuration is a JSON object of the kind's fields (see \
        `vaultdesk connector fields KIND`); any text field may hold {{secrets.VAULT.KEY}} \
        references. Without --config, the fields are pre-filled from --vault: the matching key \
        names of a KV secret, or a database engine's username and password as references with \
        the host, port and database of its connection (when the vault's policy may read \
        MOUNT/config/CONNECTION). --set adds or replaces single fields.")]
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
        /// Set one field over the configuration or the pre-fill (repeatable): host=db.internal,
        /// port=5432, options.sslmode=require. Numbers and true/false are taken as such.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
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
    /// List the fields of every connector that hold a secret as a literal value.
    #[command(after_help = "A password, token, API key or credential header typed into a connector \
        is stored in clear in the local database. Lint names each such field (never its value); \
        the command exits with code 12 when it finds one. Replace each value with a \
        {{secrets.VAULT.KEY}} reference (`vaultdesk connector update NAME --config FILE`).")]
    Lint {
        #[arg(long)]
        json: bool,
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
    /// Test a connector: resolve its secrets, then connect with a real client, stage by stage.
    #[command(after_help = "Databases: dns, tcp, tls (as tls_mode says), authentication, query \
        (SELECT 1 and the server version), privileges. REST: dns, tcp, tls, one request (never \
        following a redirect), and whether the API accepted the auth (401/403 named). MongoDB: the \
        URI, dns, tcp and tls only (no MongoDB client). Each stage is printed as it ends, with its \
        time; the command exits with code 8 when a stage fails. Secret values are never shown.")]
    Test {
        name: String,
        /// Print the report as JSON (when it ends).
        #[arg(long)]
        json: bool,
        /// REST: the request's method
        #[arg(long, value_name = "METHOD", default_value = "GET")]
        method: String,
        /// REST: the path appended to base_url
        #[arg(long, value_name = "PATH", default_value = "/")]
        path: String,
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
    pub(crate) file: PathBuf,
    /// Output format [default: the input's]
    #[arg(long, value_name = "json|yaml|env")]
    pub(crate) format: Option<String>,
    /// File to write (atomically, mode 0600) [default: standard output]
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing --out file
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Subcommand)]
pub(crate) enum LeaseCommand {
    /// List the recorded leases, newest first: vault, role, issued user, what for, expiry, state.
    #[command(after_help = "States: live, renewed, revoked (by vaultdesk: a Revoke, or the end of \
        the preview or test that obtained them), expired (past their end). Credentials written \
        into an export or a render are kept, with the file's path; a preview's or test's end with it.")]
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Only the leases of this vault.
        #[arg(long, value_name = "VAULT")]
        vault: Option<String>,
        /// Only live and renewed leases.
        #[arg(long, conflicts_with = "state")]
        live: bool,
        /// Only leases in this state: live, renewed, revoked, expired.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
    },
    /// Renew a lease (Vault's sys/leases/renew) by its duration when issued, or --increment.
    Renew {
        /// The lease id as `lease list` shows it, or its last segment.
        id: String,
        /// How long from now, e.g. 30m or 1h (Vault caps it at the role's max TTL).
        #[arg(long, value_name = "DURATION")]
        increment: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a lease now (Vault's sys/leases/revoke): the database user is dropped.
    #[command(after_help = "The AppRole's policy needs update on sys/leases/revoke; without it the \
        command names the refusal (exit 8). --all-expired-previews revokes the preview and test \
        credentials still live whose vaultdesk process has ended (killed, or its own revocation failed).")]
    Revoke {
        /// The lease id as `lease list` shows it, or its last segment.
        #[arg(required_unless_present_any = ["vault", "all_expired_previews"], conflicts_with_all = ["vault", "all_expired_previews"])]
        id: Option<String>,
        /// Every live or renewed lease of this vault, exports included.
        #[arg(long, value_name = "VAULT", conflicts_with = "all_expired_previews")]
        vault: Option<String>,
        /// Preview and test credentials that outlived the vaultdesk process that obtained them.
        #[arg(long)]
        all_expired_previews: bool,
        #[arg(long)]
        json: bool,
    },
}
