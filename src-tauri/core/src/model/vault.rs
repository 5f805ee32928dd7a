//! The vault configuration: what an admin types (`VaultInput`), what validation makes of it
//! (`VaultSpec`), and what the store keeps (`Vault`). The Role ID and Secret ID are separate
//! (`AppRoleCredentials`) because they never share a storage place with the rest.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who serves the secrets. OpenBao speaks HashiCorp Vault's API and is the same provider here.
/// A provider's own settings live in a struct of their own ([`AwsSpec`]), stored in nullable
/// columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    HashicorpVault,
    AwsSecretsManager,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::HashicorpVault => "hashicorp_vault",
            Provider::AwsSecretsManager => "aws_secrets_manager",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Provider::HashicorpVault => "HashiCorp Vault / OpenBao",
            Provider::AwsSecretsManager => "AWS Secrets Manager",
        }
    }
    pub fn parse(s: &str) -> Option<Provider> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hashicorp_vault" | "vault" | "openbao" => Some(Provider::HashicorpVault),
            "aws_secrets_manager" | "aws" | "secretsmanager" => Some(Provider::AwsSecretsManager),
            _ => None,
        }
    }

    /// A database-engine vault's secret, as `(connector field, secret key)` pairs to pre-fill a
    /// database connector with: Vault's dynamic credentials carry a user and a password; an AWS
    /// database secret (the RDS shape) carries the whole connection.
    pub fn database_secret_fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Provider::HashicorpVault => &[("username", "username"), ("password", "password")],
            Provider::AwsSecretsManager => &[
                ("host", "host"),
                ("port", "port"),
                ("database", "dbname"),
                ("username", "username"),
                ("password", "password"),
            ],
        }
    }

    /// Whether a database-engine vault issues new credentials on each read (Vault's database
    /// engine) rather than reading a stored secret (AWS).
    pub fn issues_database_credentials(self) -> bool {
        self == Provider::HashicorpVault
    }
}

/// The secrets engine mounted at `engine_name`: KV version 2, or a database engine for one kind
/// of database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EngineType {
    /// AWS Secrets Manager key/value: a SecretString holding a JSON object (a plain string is
    /// key `value`, a SecretBinary is base64 under `binary`).
    Kv,
    Kv1,
    Kv2,
    Mysql,
    Mariadb,
    Postgresql,
    Mongodb,
}

impl EngineType {
    pub const ALL: [EngineType; 7] = [
        EngineType::Kv,
        EngineType::Kv1,
        EngineType::Kv2,
        EngineType::Mysql,
        EngineType::Mariadb,
        EngineType::Postgresql,
        EngineType::Mongodb,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineType::Kv => "kv",
            EngineType::Kv1 => "kv1",
            EngineType::Kv2 => "kv2",
            EngineType::Mysql => "mysql",
            EngineType::Mariadb => "mariadb",
            EngineType::Postgresql => "postgresql",
            EngineType::Mongodb => "mongodb",
        }
    }

    pub fn parse(s: &str) -> Option<EngineType> {
        EngineType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Database engines issue credentials for `db_role`; KV stores a secret at `path`.
    pub fn is_database(self) -> bool {
        !self.is_kv()
    }

    /// KV (AWS key/value, Vault KV version 1 or 2): a secret of keys and values.
    pub fn is_kv(self) -> bool {
        matches!(self, EngineType::Kv | EngineType::Kv1 | EngineType::Kv2)
    }
}

/// How vaultdesk logs in to a vault. Each method keeps its secret part only in the OS keyring:
/// AppRole its Role ID and Secret ID, the others one entry (a token or a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    #[default]
    Approle,
    Token,
    Userpass,
    Ldap,
    Jwt,
    Oidc,
    /// AWS: an Access Key ID (the keyring's first entry) and a Secret Access Key with an
    /// optional session token (the second entry: the secret key, then a line with the token).
    #[serde(rename = "aws_keys")]
    AwsKeys,
    /// AWS: the SDK's default credential chain (environment, shared config and credentials
    /// files with a profile, SSO, web identity, instance role). Nothing in the keyring.
    #[serde(rename = "aws_default")]
    AwsDefault,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 8] = [
        AuthMethod::Approle,
        AuthMethod::Token,
        AuthMethod::Userpass,
        AuthMethod::Ldap,
        AuthMethod::Jwt,
        AuthMethod::Oidc,
        AuthMethod::AwsKeys,
        AuthMethod::AwsDefault,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Approle => "approle",
            AuthMethod::Token => "token",
            AuthMethod::Userpass => "userpass",
            AuthMethod::Ldap => "ldap",
            AuthMethod::Jwt => "jwt",
            AuthMethod::Oidc => "oidc",
            AuthMethod::AwsKeys => "aws_keys",
            AuthMethod::AwsDefault => "aws_default",
        }
    }

    /// The provider whose login this is.
    pub fn provider(self) -> Provider {
        match self {
            AuthMethod::AwsKeys | AuthMethod::AwsDefault => Provider::AwsSecretsManager,
            _ => Provider::HashicorpVault,
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Approle => "AppRole",
            AuthMethod::Token => "Token",
            AuthMethod::Userpass => "Username & password",
            AuthMethod::Ldap => "LDAP",
            AuthMethod::Jwt => "JWT",
            AuthMethod::AwsKeys => "Access keys",
            AuthMethod::AwsDefault => "Default credential chain",
            AuthMethod::Oidc => "OIDC (browser sign-in)",
        }
    }

    /// Where the method is mounted unless the admin says otherwise (a token needs no mount).
    pub fn default_mount(self) -> &'static str {
        match self {
            AuthMethod::AwsKeys | AuthMethod::AwsDefault => "",
            m => m.as_str(),
        }
    }

    /// Whether the method keeps an identifier in the keyring's first entry besides its secret:
    /// AppRole's Role ID, AWS's Access Key ID.
    pub fn uses_role_id(self) -> bool {
        matches!(self, AuthMethod::Approle | AuthMethod::AwsKeys)
    }

    /// What the first entry is called, for messages.
    pub fn role_id_label(self) -> &'static str {
        match self {
            AuthMethod::AwsKeys => "Access Key ID",
            _ => "Role ID",
        }
    }

    /// The form field (and CLI option stem) of the first entry.
    pub fn role_id_field(self) -> &'static str {
        match self {
            AuthMethod::AwsKeys => "access_key_id",
            _ => "role_id",
        }
    }

    /// Userpass and LDAP log in as a named user.
    pub fn uses_username(self) -> bool {
        matches!(self, AuthMethod::Userpass | AuthMethod::Ldap)
    }

    /// JWT and OIDC log in as a role of their auth mount.
    pub fn uses_role(self) -> bool {
        matches!(self, AuthMethod::Jwt | AuthMethod::Oidc)
    }

    /// OIDC has no stored secret: its token comes from a browser sign-in (kept in the keyring
    /// only when the admin asks); the AWS default chain keeps nothing at all.
    pub fn stores_secret(self) -> bool {
        !matches!(self, AuthMethod::Oidc | AuthMethod::AwsDefault)
    }

    /// What the method's secret part is called, for messages.
    pub fn secret_label(self) -> &'static str {
        match self {
            AuthMethod::Approle => "Secret ID",
            AuthMethod::Token => "token",
            AuthMethod::Userpass | AuthMethod::Ldap => "password",
            AuthMethod::Jwt => "JWT",
            AuthMethod::AwsKeys => "Secret Access Key",
            AuthMethod::AwsDefault => "credentials",
            AuthMethod::Oidc => "OIDC token",
        }
    }

    /// The form field (and CLI option stem) of the method's secret part.
    pub fn secret_field(self) -> &'static str {
        match self {
            AuthMethod::Approle => "secret_id",
            AuthMethod::Token => "token",
            AuthMethod::Userpass | AuthMethod::Ldap => "password",
            AuthMethod::Jwt => "jwt",
            AuthMethod::AwsKeys => "secret_access_key",
            AuthMethod::AwsDefault => "aws_auth",
            AuthMethod::Oidc => "token",
        }
    }
}

/// What a form or the command line submits, as typed. Every field is text so that a wrong value
/// becomes a field error, not a deserialisation failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultInput {
    pub name: String,
    /// Defaults to HashiCorp Vault / OpenBao.
    #[ts(optional)]
    pub provider: Option<String>,
    pub url: String,
    #[ts(optional)]
    pub namespace: Option<String>,
    /// `approle` (default), `token`, `userpass` or `ldap`.
    #[ts(optional)]
    pub auth_method: Option<String>,
    /// Defaults to the method's name (`approle`, `userpass`, `ldap`); not used by `token`.
    #[ts(optional)]
    pub auth_mount: Option<String>,
    /// Userpass and LDAP: the user to log in as.
    #[ts(optional)]
    pub auth_username: Option<String>,
    /// JWT: the role of the auth mount to log in as.
    #[ts(optional)]
    pub auth_role: Option<String>,
    /// A namespace to log in to other than the secret's (e.g. the login in a parent namespace).
    #[ts(optional)]
    pub login_namespace: Option<String>,
    pub engine_name: String,
    pub engine_type: String,
    #[ts(optional)]
    pub path: Option<String>,
    #[ts(optional)]
    pub db_role: Option<String>,
    #[ts(optional)]
    pub connection_name: Option<String>,
    /// KV v2: a version to read instead of the current one (empty: the current one).
    #[ts(optional)]
    pub kv_version: Option<String>,
    /// `30s`, `5m`, `1h`, `1h30m`, `0` (no caching); defaults to `5m`.
    #[ts(optional)]
    pub cache_ttl: Option<String>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub tls: TlsInput,
    #[serde(flatten)]
    #[ts(flatten)]
    pub aws: AwsInput,
}

/// The AWS Secrets Manager settings as typed (all text; the provider's `validate` checks
/// them). With an AWS vault, `url` is the optional endpoint override.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AwsInput {
    /// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`...
    #[ts(optional)]
    pub aws_region: Option<String>,
    /// The secret's name or full ARN.
    #[ts(optional)]
    pub aws_secret_id: Option<String>,
    /// A version stage (`AWSCURRENT` when both this and the version id are empty).
    #[ts(optional)]
    pub aws_version_stage: Option<String>,
    #[ts(optional)]
    pub aws_version_id: Option<String>,
    /// Default credential chain: the profile of the shared config/credentials files.
    #[ts(optional)]
    pub aws_profile: Option<String>,
    /// A role to assume on top of either login.
    #[ts(optional)]
    pub aws_role_arn: Option<String>,
    #[ts(optional)]
    pub aws_external_id: Option<String>,
}

/// TLS and timeout settings as typed. Certificates are PEM files referenced by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TlsInput {
    /// CA certificate(s) to trust instead of the system roots.
    #[ts(optional)]
    pub tls_ca_cert: Option<String>,
    /// Client certificate for mutual TLS (with `tls_client_key`).
    #[ts(optional)]
    pub tls_client_cert: Option<String>,
    #[ts(optional)]
    pub tls_client_key: Option<String>,
    /// Accept any server certificate. Off unless explicitly set; shown as a warning.
    #[ts(optional)]
    pub tls_skip_verify: Option<bool>,
    /// Verify the certificate's CA but not its host name. Off unless set; a warning.
    #[ts(optional)]
    pub tls_skip_hostname: Option<bool>,
    /// Allow `http://` to a host other than this machine's loopback. Off unless explicitly set;
    /// without it such a URL is refused.
    #[ts(optional)]
    pub allow_http: Option<bool>,
    /// Defaults to `10s`.
    #[ts(optional)]
    pub connect_timeout: Option<String>,
    /// Defaults to `30s`.
    #[ts(optional)]
    pub request_timeout: Option<String>,
}

/// A change to a stored vault: `None` keeps the stored value, `Some("")` clears an optional
/// field, `rename` gives the vault a new name (its keyring entries follow: they hang off the id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultPatch {
    #[ts(optional)]
    pub rename: Option<String>,
    #[ts(optional)]
    pub url: Option<String>,
    #[ts(optional)]
    pub namespace: Option<String>,
    #[ts(optional)]
    pub auth_method: Option<String>,
    #[ts(optional)]
    pub auth_mount: Option<String>,
    #[ts(optional)]
    pub auth_username: Option<String>,
    #[ts(optional)]
    pub auth_role: Option<String>,
    #[ts(optional)]
    pub login_namespace: Option<String>,
    #[ts(optional)]
    pub engine_name: Option<String>,
    #[ts(optional)]
    pub engine_type: Option<String>,
    #[ts(optional)]
    pub path: Option<String>,
    #[ts(optional)]
    pub db_role: Option<String>,
    #[ts(optional)]
    pub connection_name: Option<String>,
    #[ts(optional)]
    pub kv_version: Option<String>,
    #[ts(optional)]
    pub cache_ttl: Option<String>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub tls: TlsInput,
    /// AWS settings: `None` keeps, `Some("")` clears an optional one.
    #[serde(flatten)]
    #[ts(flatten)]
    pub aws: AwsInput,
}

/// A validated, normalised vault configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultSpec {
    pub name: String,
    pub provider: Provider,
    /// `scheme://host[:port][/prefix]`, no trailing slash, no credentials, query or fragment.
    pub url: String,
    pub namespace: Option<String>,
    pub auth_method: AuthMethod,
    pub auth_mount: String,
    /// Userpass and LDAP only.
    pub auth_username: Option<String>,
    /// JWT only.
    pub auth_role: Option<String>,
    /// The namespace of the login, when not the secret's.
    pub login_namespace: Option<String>,
    pub engine_name: String,
    pub engine_type: EngineType,
    /// KV only: the secret's path relative to the mount (the `<mount>/data/` prefix removed).
    pub path: Option<String>,
    /// Database engines only.
    pub db_role: Option<String>,
    /// Database engines only.
    pub connection_name: Option<String>,
    /// KV v2 only: the pinned version (none: the current one).
    #[ts(type = "number | null")]
    pub kv_version: Option<u64>,
    /// Seconds a resolved secret stays cached in memory; 0 disables caching.
    #[ts(type = "number")]
    pub cache_ttl_secs: u64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub tls: TlsSpec,
    /// AWS Secrets Manager only (for it, `url` is the endpoint override or empty).
    pub aws: Option<AwsSpec>,
}

/// Validated AWS Secrets Manager settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AwsSpec {
    pub region: String,
    /// Name or full ARN.
    pub secret_id: String,
    /// At most one of stage and id; neither means `AWSCURRENT`.
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
    /// Default chain only: the profile (none: `AWS_PROFILE` or `default`, as the SDK decides).
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
}

/// Validated TLS and timeout settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TlsSpec {
    pub tls_ca_cert: Option<String>,
    pub tls_client_cert: Option<String>,
    pub tls_client_key: Option<String>,
    pub tls_skip_verify: bool,
    /// The CA is verified, the host name is not.
    pub tls_skip_hostname: bool,
    /// The admin allowed `http://` to a host other than this machine's loopback.
    pub allow_http: bool,
    #[ts(type = "number")]
    pub connect_timeout_secs: u64,
    #[ts(type = "number")]
    pub request_timeout_secs: u64,
}

impl Default for TlsSpec {
    fn default() -> Self {
        TlsSpec {
            tls_ca_cert: None,
            tls_client_cert: None,
            tls_client_key: None,
            tls_skip_verify: false,
            tls_skip_hostname: false,
            allow_http: false,
            connect_timeout_secs: crate::validate::DEFAULT_CONNECT_TIMEOUT_SECS,
            request_timeout_secs: crate::validate::DEFAULT_REQUEST_TIMEOUT_SECS,
        }
    }
}

impl VaultInput {
    /// Fills what the admin left empty from the standard Vault environment variables:
    /// `VAULT_ADDR` (URL), `VAULT_NAMESPACE` and `VAULT_CACERT`. `VAULT_TOKEN` is never used.
    pub fn with_env_defaults(mut self) -> VaultInput {
        if self.provider.as_deref().and_then(Provider::parse).is_some_and(|p| p != Provider::HashicorpVault) {
            // Vault's variables say nothing about another provider.
            return self;
        }
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if self.url.trim().is_empty() {
            if let Some(v) = env("VAULT_ADDR") {
                self.url = v;
            }
        }
        if self.namespace.is_none() {
            self.namespace = env("VAULT_NAMESPACE");
        }
        if self.tls.tls_ca_cert.is_none() {
            self.tls.tls_ca_cert = env("VAULT_CACERT");
        }
        self
    }
}

impl VaultInput {
    /// The login method the form names, else its provider's default (AppRole; AWS: access
    /// keys). An unknown one is the default here; validation names it.
    pub fn method(&self) -> AuthMethod {
        let aws = self.provider.as_deref().and_then(Provider::parse) == Some(Provider::AwsSecretsManager);
        if aws {
            return crate::provider::aws::config::parse_auth(self.auth_method.as_deref())
                .unwrap_or(AuthMethod::AwsKeys);
        }
        self.auth_method.as_deref().and_then(AuthMethod::parse).unwrap_or_default()
    }
}

impl VaultSpec {
    /// The input that reproduces this spec, as a base for applying a patch.
    pub fn to_input(&self) -> VaultInput {
        VaultInput {
            name: self.name.clone(),
            provider: Some(self.provider.as_str().to_owned()),
            url: self.url.clone(),
            namespace: self.namespace.clone(),
            auth_method: Some(self.auth_method.as_str().to_owned()),
            auth_mount: Some(self.auth_mount.clone()),
            auth_username: self.auth_username.clone(),
            auth_role: self.auth_role.clone(),
            login_namespace: self.login_namespace.clone(),
            engine_name: self.engine_name.clone(),
            engine_type: self.engine_type.as_str().to_owned(),
            path: self.path.clone(),
            db_role: self.db_role.clone(),
            connection_name: self.connection_name.clone(),
            kv_version: self.kv_version.map(|v| v.to_string()),
            cache_ttl: Some(self.cache_ttl_secs.to_string()),
            tls: TlsInput {
                tls_ca_cert: self.tls.tls_ca_cert.clone(),
                tls_client_cert: self.tls.tls_client_cert.clone(),
                tls_client_key: self.tls.tls_client_key.clone(),
                tls_skip_verify: Some(self.tls.tls_skip_verify),
                tls_skip_hostname: Some(self.tls.tls_skip_hostname),
                allow_http: Some(self.tls.allow_http),
                connect_timeout: Some(self.tls.connect_timeout_secs.to_string()),
                request_timeout: Some(self.tls.request_timeout_secs.to_string()),
            },
            aws: self
                .aws
                .as_ref()
                .map(|a| AwsInput {
                    aws_region: Some(a.region.clone()),
                    aws_secret_id: Some(a.secret_id.clone()),
                    aws_version_stage: a.version_stage.clone(),
                    aws_version_id: a.version_id.clone(),
                    aws_profile: a.profile.clone(),
                    aws_role_arn: a.role_arn.clone(),
                    aws_external_id: a.external_id.clone(),
                })
                .unwrap_or_default(),
        }
    }
}

/// What `secret-id/lookup` said of an AppRole Secret ID: when it expires and how many uses it
/// has left. Not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecretIdStatus {
    /// RFC 3339, UTC; `None`: it does not expire.
    pub expires_at: Option<String>,
    /// Logins left; `None`: unlimited.
    #[ts(type = "number | null")]
    pub uses_left: Option<u64>,
}

/// A stored vault configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Vault {
    /// Stable internal id; renaming a vault keeps it, and with it the keyring entries.
    pub id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub spec: VaultSpec,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
    /// AppRole: what the last Test of the stored vault learnt of its Secret ID (where the policy
    /// allows `secret-id/lookup`); cleared when the Secret ID is replaced.
    #[serde(default)]
    pub secret_id_status: Option<SecretIdStatus>,
    /// Imported without its credentials (`vault import-config`): nothing in the keyring yet,
    /// a legitimate state. Test, preview and export refuse it until `vault update` or the form
    /// supplies them, which clears it.
    #[serde(default)]
    pub needs_credentials: bool,
}

/// Where a vault's Role ID and Secret ID live in the OS keyring (names only, never values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyringLocation {
    pub service: String,
    pub role_id_account: String,
    pub secret_id_account: String,
}

/// AppRole credentials. Kept out of `Debug` output and serialisation by `SecretString`.
#[derive(Debug, Clone)]
pub struct AppRoleCredentials {
    pub role_id: SecretString,
    pub secret_id: SecretString,
}

/// The secret part of a login, whatever the method, as the keyring holds it (the user name of
/// userpass and LDAP is in the configuration, not here).
#[derive(Debug, Clone)]
pub enum Credentials {
    AppRole(AppRoleCredentials),
    /// A Vault token the admin gave (`token` method).
    Token(SecretString),
    /// The password of `userpass` or `ldap`.
    Password(SecretString),
    /// A signed JWT (`jwt` method).
    Jwt(SecretString),
    /// The token of an OIDC browser sign-in, if there was one; `remembered` when it came from
    /// the keyring (then it is left to expire, not revoked).
    Oidc {
        token: Option<SecretString>,
        remembered: bool,
    },
    /// AppRole with the Secret ID still response-wrapped: what a Test of a form with a wrapped
    /// Secret ID runs with (it looks the wrapping token up without unwrapping it). Never stored:
    /// saving unwraps it once.
    WrappedAppRole {
        role_id: SecretString,
        wrapping_token: SecretString,
    },
    /// AWS access keys. `secret` is the Secret Access Key, followed by a line with the session
    /// token when there is one: the keyring's second entry as is, so the key and its token
    /// always change together. See [`Credentials::aws_keys`] and [`Credentials::aws_parts`].
    AwsKeys {
        access_key_id: SecretString,
        secret: SecretString,
    },
    /// The AWS default credential chain: nothing stored.
    AwsDefault,
}

impl From<AppRoleCredentials> for Credentials {
    fn from(c: AppRoleCredentials) -> Self {
        Credentials::AppRole(c)
    }
}

/// The empty secret `parts` gives for an OIDC login without a token (nothing is stored for it).
static NO_SECRET: std::sync::LazyLock<SecretString> =
    std::sync::LazyLock::new(|| SecretString::from(String::new()));

impl Credentials {
    /// The method these credentials are for (`Password` serves userpass and LDAP alike).
    pub fn fits(&self, method: AuthMethod) -> bool {
        matches!(
            (self, method),
            (Credentials::AppRole(_) | Credentials::WrappedAppRole { .. }, AuthMethod::Approle)
                | (Credentials::Token(_), AuthMethod::Token)
                | (Credentials::Password(_), AuthMethod::Userpass | AuthMethod::Ldap)
                | (Credentials::Jwt(_), AuthMethod::Jwt)
                | (Credentials::AwsKeys { .. }, AuthMethod::AwsKeys)
                | (Credentials::AwsDefault, AuthMethod::AwsDefault)
                | (Credentials::Oidc { .. }, AuthMethod::Oidc)
        )
    }

    /// AWS access keys as the keyring keeps them (see [`Credentials::AwsKeys`]).
    pub fn aws_keys(
        access_key_id: SecretString,
        secret_access_key: &SecretString,
        session_token: Option<&SecretString>,
    ) -> Credentials {
        use secrecy::ExposeSecret;
        let secret = match session_token {
            Some(t) => {
                SecretString::from(format!("{}\n{}", secret_access_key.expose_secret(), t.expose_secret()))
            }
            None => secret_access_key.clone(),
        };
        Credentials::AwsKeys { access_key_id, secret }
    }

    /// The Secret Access Key and the session token of a packed AWS secret entry.
    pub fn aws_parts(secret: &SecretString) -> (SecretString, Option<SecretString>) {
        use secrecy::ExposeSecret;
        match secret.expose_secret().split_once('\n') {
            Some((key, token)) => {
                (SecretString::from(key.to_owned()), Some(SecretString::from(token.to_owned())))
            }
            None => (secret.clone(), None),
        }
    }

    /// The first keyring entry (AppRole's Role ID, AWS's Access Key ID) and the one secret every
    /// method has, as the keyring's two entries hold them (empty for OIDC without a token and
    /// the AWS default chain, which store none).
    pub fn parts(&self) -> (Option<&SecretString>, &SecretString) {
        match self {
            Credentials::AppRole(c) => (Some(&c.role_id), &c.secret_id),
            Credentials::WrappedAppRole { role_id, wrapping_token } => (Some(role_id), wrapping_token),
            Credentials::Token(t) | Credentials::Password(t) | Credentials::Jwt(t) => (None, t),
            Credentials::Oidc { token: Some(t), .. } => (None, t),
            Credentials::Oidc { token: None, .. } => (None, &NO_SECRET),
            Credentials::AwsKeys { access_key_id, secret } => (Some(access_key_id), secret),
            Credentials::AwsDefault => (None, &NO_SECRET),
        }
    }

    /// Credentials for `method` from the keyring's entries; `None` when a needed part is missing.
    pub fn from_parts(
        method: AuthMethod,
        role_id: Option<SecretString>,
        secret: Option<SecretString>,
    ) -> Option<Credentials> {
        if method == AuthMethod::AwsDefault {
            return Some(Credentials::AwsDefault);
        }
        if method == AuthMethod::Oidc {
            let remembered = secret.is_some();
            return Some(Credentials::Oidc { token: secret, remembered });
        }
        let secret = secret?;
        Some(match method {
            AuthMethod::Approle => {
                Credentials::AppRole(AppRoleCredentials { role_id: role_id?, secret_id: secret })
            }
            AuthMethod::Token => Credentials::Token(secret),
            AuthMethod::Userpass | AuthMethod::Ldap => Credentials::Password(secret),
            AuthMethod::Jwt => Credentials::Jwt(secret),
            AuthMethod::AwsKeys => Credentials::AwsKeys { access_key_id: role_id?, secret },
            AuthMethod::AwsDefault => Credentials::AwsDefault,
            AuthMethod::Oidc => Credentials::Oidc { token: Some(secret), remembered: true },
        })
    }
}

/// New credentials for an update or a Test of a stored vault; `None` keeps what the keyring
/// holds. `secret_id` is the secret part of whatever the login method is: AppRole's Secret ID,
/// a token, or a password. Stored credentials go only to the server they were stored for (see
/// [`crate::store::credential_target_change`]); `reuse_credentials` is the admin's explicit
/// confirmation that they may go to a changed one.
#[derive(Debug, Clone, Default)]
pub struct CredentialsPatch {
    pub role_id: Option<SecretString>,
    pub secret_id: Option<SecretString>,
    pub reuse_credentials: bool,
    /// `secret_id` is a response-wrapping token holding the Secret ID: saving unwraps it once
    /// (`sys/wrapping/unwrap`) and stores the Secret ID; a Test only looks it up.
    pub secret_id_wrapped: bool,
    /// Token login: take the token from the admin's Vault CLI login (`$VAULT_TOKEN`, else
    /// `~/.vault-token`), read once here (see [`vault_cli_token`]).
    pub token_from_env: bool,
}

/// The token the admin's own Vault (or OpenBao) CLI uses: `$VAULT_TOKEN`, else `~/.vault-token`.
/// Read only when the admin asks (a flag or a button), then kept in the OS keyring.
pub fn vault_cli_token() -> crate::Result<SecretString> {
    if let Some(t) = std::env::var("VAULT_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        return Ok(SecretString::from(t.trim().to_owned()));
    }
    let file = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".vault-token"));
    match file.as_ref().map(std::fs::read_to_string) {
        Some(Ok(t)) if !t.trim().is_empty() => Ok(SecretString::from(t.trim().to_owned())),
        _ => Err(crate::Error::invalid(
            "token",
            "cannot be imported: neither $VAULT_TOKEN nor ~/.vault-token holds a token (log in with \
             `bao login` or `vault login` first, or paste the token)",
        )),
    }
}

impl From<Credentials> for CredentialsPatch {
    fn from(c: Credentials) -> Self {
        let wrapped = matches!(c, Credentials::WrappedAppRole { .. });
        let no_secret = matches!(c, Credentials::AwsDefault);
        let (role_id, secret) = c.parts();
        CredentialsPatch {
            role_id: role_id.cloned(),
            // The AWS default chain has no secret to store.
            secret_id: (!no_secret).then(|| secret.clone()),
            reuse_credentials: false,
            secret_id_wrapped: wrapped,
            token_from_env: false,
        }
    }
}

impl From<AppRoleCredentials> for CredentialsPatch {
    fn from(c: AppRoleCredentials) -> Self {
        Credentials::AppRole(c).into()
    }
}
