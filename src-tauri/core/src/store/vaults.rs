//! Vault rows and their credentials. Every column is named once, in [`COLUMNS`], which the
//! SELECT, INSERT and UPDATE statements are built from and rows are read by name against.

use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row};
use secrecy::SecretString;

use super::intents::{self, Intent, Op};
use super::{now, Store};
use crate::hooks::reached;
use crate::keyring::SERVICE;
use crate::model::{
    AuthMethod, AwsSpec, Credentials, CredentialsPatch, EngineType, KeyringLocation, Provider, TlsSpec,
    Vault, VaultInput, VaultPatch, VaultSpec,
};
use crate::validate::{validate_credential, validate_input, validate_name, validate_secret_part};
use crate::{Error, Result};

/// The columns of `vaults`, in the order [`params`] binds them.
const COLUMNS: [&str; 37] = [
    "id",
    "name",
    "provider",
    "url",
    "namespace",
    "auth_mount",
    "engine_name",
    "engine_type",
    "path",
    "db_role",
    "connection_name",
    "cache_ttl_secs",
    "created_at",
    "updated_at",
    "tls_ca_cert",
    "tls_client_cert",
    "tls_client_key",
    "tls_skip_verify",
    "connect_timeout_secs",
    "request_timeout_secs",
    "allow_http",
    "auth_method",
    "auth_username",
    "auth_role",
    "login_namespace",
    "kv_version",
    "tls_skip_hostname",
    "secret_id_expires_at",
    "secret_id_uses_left",
    "aws_region",
    "aws_secret_id",
    "aws_version_stage",
    "aws_version_id",
    "aws_profile",
    "aws_role_arn",
    "aws_external_id",
    "needs_credentials",
];

fn select(filter: &str) -> String {
    format!("SELECT {} FROM vaults {filter}", COLUMNS.join(", "))
}

/// The values of `v` for [`COLUMNS`], in order.
fn params(v: &Vault) -> [Box<dyn ToSql + '_>; 37] {
    let s = &v.spec;
    let aws = s.aws.as_ref();
    [
        Box::new(&v.id),
        Box::new(&s.name),
        Box::new(s.provider.as_str()),
        Box::new(&s.url),
        Box::new(&s.namespace),
        Box::new(&s.auth_mount),
        Box::new(&s.engine_name),
        Box::new(s.engine_type.as_str()),
        Box::new(&s.path),
        Box::new(&s.db_role),
        Box::new(&s.connection_name),
        Box::new(i64::try_from(s.cache_ttl_secs).unwrap_or(i64::MAX)),
        Box::new(&v.created_at),
        Box::new(&v.updated_at),
        Box::new(&s.tls.tls_ca_cert),
        Box::new(&s.tls.tls_client_cert),
        Box::new(&s.tls.tls_client_key),
        Box::new(s.tls.tls_skip_verify),
        Box::new(i64::try_from(s.tls.connect_timeout_secs).unwrap_or(i64::MAX)),
        Box::new(i64::try_from(s.tls.request_timeout_secs).unwrap_or(i64::MAX)),
        Box::new(s.tls.allow_http),
        Box::new(s.auth_method.as_str()),
        Box::new(&s.auth_username),
        Box::new(&s.auth_role),
        Box::new(&s.login_namespace),
        Box::new(s.kv_version.map(|v| i64::try_from(v).unwrap_or(i64::MAX))),
        Box::new(s.tls.tls_skip_hostname),
        Box::new(v.secret_id_status.as_ref().and_then(|st| st.expires_at.clone())),
        Box::new(
            v.secret_id_status
                .as_ref()
                .and_then(|st| st.uses_left)
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
        ),
        Box::new(aws.map(|a| &a.region)),
        Box::new(aws.map(|a| &a.secret_id)),
        Box::new(aws.and_then(|a| a.version_stage.as_ref())),
        Box::new(aws.and_then(|a| a.version_id.as_ref())),
        Box::new(aws.and_then(|a| a.profile.as_ref())),
        Box::new(aws.and_then(|a| a.role_arn.as_ref())),
        Box::new(aws.and_then(|a| a.external_id.as_ref())),
        Box::new(v.needs_credentials),
    ]
}

pub(super) fn insert(conn: &Connection, v: &Vault) -> rusqlite::Result<()> {
    let marks: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO vaults ({}) VALUES ({})", COLUMNS.join(", "), marks.join(", "));
    let p = params(v);
    conn.execute(&sql, rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())))?;
    Ok(())
}

/// Rewrites every column of the row with `v.id` (`id` and `created_at` keep their values).
fn update(conn: &Connection, v: &Vault) -> rusqlite::Result<()> {
    let sets: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(**c, "id" | "created_at"))
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect();
    let sql = format!("UPDATE vaults SET {} WHERE id = ?1", sets.join(", "));
    let p = params(v);
    conn.execute(&sql, rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())))?;
    Ok(())
}

fn row_to_vault(r: &Row<'_>) -> rusqlite::Result<Vault> {
    let bad = |col: &str, what: String| {
        let i = COLUMNS.iter().position(|c| *c == col).unwrap_or(0);
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let provider: String = r.get("provider")?;
    let engine_type: String = r.get("engine_type")?;
    let auth_method: String = r.get("auth_method")?;
    let secs = |col: &str| -> rusqlite::Result<u64> {
        let v: i64 = r.get(col)?;
        u64::try_from(v).map_err(|_| bad(col, format!("negative duration {v}")))
    };
    let aws = match (r.get::<_, Option<String>>("aws_region")?, r.get::<_, Option<String>>("aws_secret_id")?)
    {
        (Some(region), Some(secret_id)) => Some(AwsSpec {
            region,
            secret_id,
            version_stage: r.get("aws_version_stage")?,
            version_id: r.get("aws_version_id")?,
            profile: r.get("aws_profile")?,
            role_arn: r.get("aws_role_arn")?,
            external_id: r.get("aws_external_id")?,
        }),
        _ => None,
    };
    Ok(Vault {
        id: r.get("id")?,
        spec: VaultSpec {
            name: r.get("name")?,
            provider: Provider::parse(&provider)
                .ok_or_else(|| bad("provider", format!("unknown provider {provider:?}")))?,
            url: r.get("url")?,
            namespace: r.get("namespace")?,
            auth_method: AuthMethod::parse(&auth_method)
                .ok_or_else(|| bad("auth_method", format!("unknown login method {auth_method:?}")))?,
            auth_mount: r.get("auth_mount")?,
            auth_username: r.get("auth_username")?,
            auth_role: r.get("auth_role")?,
            login_namespace: r.get("login_namespace")?,
            engine_name: r.get("engine_name")?,
            engine_type: EngineType::parse(&engine_type)
                .ok_or_else(|| bad("engine_type", format!("unknown engine type {engine_type:?}")))?,
            path: r.get("path")?,
            db_role: r.get("db_role")?,
            connection_name: r.get("connection_name")?,
            kv_version: r.get::<_, Option<i64>>("kv_version")?.and_then(|v| u64::try_from(v).ok()),
            cache_ttl_secs: secs("cache_ttl_secs")?,
            tls: TlsSpec {
                tls_ca_cert: r.get("tls_ca_cert")?,
                tls_client_cert: r.get("tls_client_cert")?,
                tls_client_key: r.get("tls_client_key")?,
                tls_skip_verify: r.get("tls_skip_verify")?,
                tls_skip_hostname: r.get("tls_skip_hostname")?,
                connect_timeout_secs: secs("connect_timeout_secs")?,
                request_timeout_secs: secs("request_timeout_secs")?,
                allow_http: r.get("allow_http")?,
            },
            aws,
        },
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        secret_id_status: {
            let expires_at: Option<String> = r.get("secret_id_expires_at")?;
            let uses_left: Option<i64> = r.get("secret_id_uses_left")?;
            (expires_at.is_some() || uses_left.is_some()).then(|| crate::model::SecretIdStatus {
                expires_at,
                uses_left: uses_left.and_then(|n| u64::try_from(n).ok()),
            })
        },
        needs_credentials: r.get("needs_credentials")?,
    })
}

pub(super) fn all(conn: &Connection) -> rusqlite::Result<Vec<Vault>> {
    let mut stmt = conn.prepare(&select("ORDER BY name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], row_to_vault)?;
    rows.collect()
}

pub(super) fn find_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vault>> {
    // An invalid name cannot exist; skip the query (and keep odd input out of SQL plans).
    let Ok(name) = validate_name(name) else { return Ok(None) };
    conn.prepare_cached(&select("WHERE name = ?1 COLLATE NOCASE"))?.query_row([name], row_to_vault).optional()
}

fn keyring_location(store_id: &str, vault_id: &str) -> KeyringLocation {
    KeyringLocation {
        service: SERVICE.to_owned(),
        role_id_account: format!("{store_id}/{vault_id}/role_id"),
        secret_id_account: format!("{store_id}/{vault_id}/secret_id"),
    }
}

/// Validates a form and the credentials given with it together, so every invalid field is
/// reported at once: a Role ID only for AppRole, the secret part by the rules of the form's login
/// method. Credentials not given stay `None`.
fn validate_form(
    input: &VaultInput,
    role_id: Option<&SecretString>,
    secret: Option<&SecretString>,
) -> Result<(VaultSpec, Option<SecretString>, Option<SecretString>)> {
    let spec = validate_input(input);
    let method = input.method();
    let role_id = match role_id {
        Some(_) if !method.uses_role_id() => Err(crate::FieldError::new(
            method.role_id_field(),
            format!("applies only to AppRole and AWS access keys, not {}", method.label()),
        )),
        r => r.map(|v| validate_credential(method.role_id_field(), v)).transpose(),
    };
    let secret = match secret {
        // An OIDC vault stores no secret (a remembered token is written by its sign-in).
        Some(_) | None if method == AuthMethod::Oidc => Ok(None),
        // The AWS default chain keeps nothing at all.
        Some(_) if method == AuthMethod::AwsDefault => Err(crate::FieldError::new(
            "aws_auth",
            format!("{} keeps no keys: leave the key fields empty", method.label()),
        )),
        s => s.map(|v| validate_secret_part(method, v)).transpose(),
    };
    let mut errs = spec.as_ref().err().map(|e| e.0.clone()).unwrap_or_default();
    errs.extend(role_id.as_ref().err().cloned());
    errs.extend(secret.as_ref().err().cloned());
    match (spec, role_id, secret) {
        (Ok(spec), Ok(r), Ok(s)) if errs.is_empty() => Ok((spec, r, s)),
        _ => Err(Error::Invalid(crate::ValidationErrors(errs))),
    }
}

/// Complete credentials for `method` from validated parts, or the field error naming what is
/// missing.
fn complete(
    method: AuthMethod,
    role_id: Option<SecretString>,
    secret: Option<SecretString>,
) -> Result<Credentials> {
    if method.uses_role_id() && role_id.is_none() {
        return Err(Error::invalid(method.role_id_field(), "is required"));
    }
    Credentials::from_parts(method, role_id, secret)
        .ok_or_else(|| Error::invalid(method.secret_field(), "is required"))
}

/// The input that results from applying `patch` to `spec`.
fn apply_patch(spec: &VaultSpec, patch: &VaultPatch) -> VaultInput {
    let mut input = spec.to_input();
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.clone());
        }
    };
    if let Some(n) = &patch.rename {
        input.name = n.clone();
    }
    if let Some(u) = &patch.url {
        input.url = u.clone();
    }
    if let Some(e) = &patch.engine_name {
        input.engine_name = e.clone();
    }
    if let Some(m) = &patch.auth_method {
        if AuthMethod::parse(m) != Some(spec.auth_method) {
            // The old method's mount and user do not carry over to another method.
            input.auth_mount = None;
            input.auth_username = None;
            input.auth_role = None;
        }
        input.auth_method = Some(m.clone());
    }
    if let Some(t) = &patch.engine_type {
        let new_is_db = EngineType::parse(t.trim()).map(EngineType::is_database);
        if new_is_db.is_some_and(|db| db != spec.engine_type.is_database()) {
            // Fields of the old engine kind do not carry over.
            input.path = None;
            input.db_role = None;
            input.connection_name = None;
            input.kv_version = None;
        }
        input.engine_type = t.clone();
    }
    set(&mut input.namespace, &patch.namespace);
    set(&mut input.auth_mount, &patch.auth_mount);
    set(&mut input.auth_username, &patch.auth_username);
    set(&mut input.auth_role, &patch.auth_role);
    set(&mut input.login_namespace, &patch.login_namespace);
    set(&mut input.kv_version, &patch.kv_version);
    set(&mut input.path, &patch.path);
    set(&mut input.db_role, &patch.db_role);
    set(&mut input.connection_name, &patch.connection_name);
    set(&mut input.cache_ttl, &patch.cache_ttl);
    set(&mut input.tls.tls_ca_cert, &patch.tls.tls_ca_cert);
    set(&mut input.tls.tls_client_cert, &patch.tls.tls_client_cert);
    set(&mut input.tls.tls_client_key, &patch.tls.tls_client_key);
    set(&mut input.tls.connect_timeout, &patch.tls.connect_timeout);
    set(&mut input.tls.request_timeout, &patch.tls.request_timeout);
    if let Some(v) = patch.tls.tls_skip_verify {
        input.tls.tls_skip_verify = Some(v);
    }
    if let Some(v) = patch.tls.tls_skip_hostname {
        input.tls.tls_skip_hostname = Some(v);
    }
    if let Some(v) = patch.tls.allow_http {
        input.tls.allow_http = Some(v);
    }
    set(&mut input.aws.aws_region, &patch.aws.aws_region);
    set(&mut input.aws.aws_secret_id, &patch.aws.aws_secret_id);
    set(&mut input.aws.aws_profile, &patch.aws.aws_profile);
    set(&mut input.aws.aws_role_arn, &patch.aws.aws_role_arn);
    set(&mut input.aws.aws_external_id, &patch.aws.aws_external_id);
    // A version stage and a version id exclude each other: setting one clears the other.
    if let Some(v) = &patch.aws.aws_version_stage {
        input.aws.aws_version_stage = Some(v.clone());
        if !v.trim().is_empty() && patch.aws.aws_version_id.is_none() {
            input.aws.aws_version_id = None;
        }
    }
    if let Some(v) = &patch.aws.aws_version_id {
        input.aws.aws_version_id = Some(v.clone());
        if !v.trim().is_empty() && patch.aws.aws_version_stage.is_none() {
            input.aws.aws_version_stage = None;
        }
    }
    input
}

/// Whether a vault imported without credentials still needs them after an update with `creds`
/// for login method `method`: the update must give every part the method keeps (both IDs for
/// AppRole: the keyring holds nothing to complete a half), or none. A method that stores nothing
/// (OIDC, the AWS default chain) needs none.
fn still_needs_credentials(old: &Vault, method: AuthMethod, creds: &CredentialsPatch) -> Result<bool> {
    if !old.needs_credentials || !method.stores_secret() {
        return Ok(false);
    }
    let role_ok = !method.uses_role_id() || creds.role_id.is_some();
    let secret_ok = creds.secret_id.is_some();
    let required = |field, label| {
        Err(Error::invalid(
            field,
            format!(
                "is required too: vault \"{}\" was imported without credentials, so the keyring has \
                 no {label} to keep",
                old.spec.name
            ),
        ))
    };
    match (role_ok, secret_ok) {
        (true, true) => Ok(false),
        _ if creds.role_id.is_none() && creds.secret_id.is_none() => Ok(true),
        (false, _) => required(method.role_id_field(), method.role_id_label()),
        (true, false) => required(method.secret_field(), method.secret_label()),
    }
}

impl Store {
    /// All vaults, by name.
    pub fn list_vaults(&self) -> Result<Vec<Vault>> {
        all(&self.conn).map_err(|e| self.storage_err(e))
    }

    /// The vault called `name` (case-insensitive).
    pub fn get_vault(&self, name: &str) -> Result<Vault> {
        find_by_name(&self.conn, name)
            .map_err(|e| self.storage_err(e))?
            .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })
    }

    /// Where the keyring holds this vault's credentials (names only).
    pub fn keyring_location(&self, vault: &Vault) -> KeyringLocation {
        keyring_location(&self.store_id, &vault.id)
    }

    /// The vault's login credentials, read from the OS keyring.
    pub fn credentials(&self, vault: &Vault) -> Result<Credentials> {
        self.credential_loader(vault)()
    }

    /// A loader of `vault`'s credentials for [`crate::provider::VaultHub::session`]: a blocking
    /// keyring read (the entries its login method uses), run only when the hub has no live
    /// session for the vault.
    pub fn credential_loader(&self, vault: &Vault) -> impl FnOnce() -> Result<Credentials> + Send + 'static {
        let keyring = self.keyring.clone();
        let loc = self.keyring_location(vault);
        let name = vault.spec.name.clone();
        let method = vault.spec.auth_method;
        let needs_credentials = vault.needs_credentials;
        let signed_in = (method == AuthMethod::Oidc)
            .then(|| {
                self.oidc_tokens
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .get(&vault.id)
                    .cloned()
            })
            .flatten();
        move || {
            if needs_credentials {
                return Err(Error::NeedsCredentials { vault: name, method });
            }
            if let Some(token) = signed_in {
                // This process's own sign-in first (it is newer than a remembered one).
                return Ok(Credentials::Oidc { token: Some(token), remembered: false });
            }
            let missing = |which| Error::CredentialMissing { vault: name.clone(), which };
            // Both entries in one keyring round trip (one Secret Service session).
            let (role_id, secret) = if method.uses_role_id() {
                let mut both = keyring.get_many(&[&loc.role_id_account, &loc.secret_id_account])?.into_iter();
                let (role_id, secret) = (both.next().flatten(), both.next().flatten());
                (Some(role_id.ok_or_else(|| missing(method.role_id_label()))?), secret)
            } else {
                (None, keyring.get(&loc.secret_id_account)?)
            };
            if method.stores_secret() && secret.is_none() {
                return Err(missing(method.secret_label()));
            }
            Credentials::from_parts(method, role_id, secret).ok_or_else(|| missing(method.role_id_label()))
        }
    }

    /// What a Test of a form (saved or not) runs with: the validated configuration of `input`,
    /// and credentials from `creds`, where missing ones are taken from the keyring entries of the
    /// stored vault `existing` (the edit form's "leave empty to keep") — only while the server and
    /// how it is reached stay those the credentials were stored for, unless
    /// `creds.reuse_credentials` (`CredentialsForOtherServer` otherwise), and never across a
    /// change of login method. Nothing is written.
    pub fn prepare_test(
        &self,
        input: &VaultInput,
        existing: Option<&str>,
        creds: &CredentialsPatch,
    ) -> Result<(VaultSpec, Credentials)> {
        let (spec, role_id, secret) = validate_form(input, creds.role_id.as_ref(), creds.secret_id.as_ref())?;
        let method = spec.auth_method;
        if creds.secret_id_wrapped {
            if method != AuthMethod::Approle {
                return Err(Error::invalid(
                    "secret_id",
                    format!("a wrapped Secret ID applies only to AppRole, not {}", method.label()),
                ));
            }
            let Some(wrapping_token) = secret else {
                return Err(Error::invalid("secret_id", "is required: the wrapping token"));
            };
            let role_id = match (role_id, existing) {
                (Some(r), _) => r,
                (None, Some(name)) => match self.credentials(&self.get_vault(name)?)? {
                    Credentials::AppRole(c) => c.role_id,
                    _ => return Err(Error::invalid("role_id", "is required")),
                },
                (None, None) => {
                    return Err(Error::invalid("role_id", "is required to test an unsaved vault"))
                }
            };
            return Ok((spec, Credentials::WrappedAppRole { role_id, wrapping_token }));
        }
        let given_all = method == AuthMethod::AwsDefault
            || (secret.is_some() && (role_id.is_some() || !method.uses_role_id()));
        if given_all {
            return complete(method, role_id, secret).map(|c| (spec, c));
        }
        let Some(name) = existing else {
            let field = if method.uses_role_id() && role_id.is_none() {
                method.role_id_field()
            } else {
                method.secret_field()
            };
            return Err(Error::invalid(field, "is required to test an unsaved vault"));
        };
        let vault = self.get_vault(name)?;
        super::credential_target::check_stored_credentials(&vault.spec, &spec, creds)?;
        let stored = self.credentials(&vault)?;
        let (stored_role, stored_secret) = stored.parts();
        let (stored_role, stored_secret) = (stored_role.cloned(), stored_secret.clone());
        complete(method, role_id.or(stored_role), secret.or(Some(stored_secret))).map(|c| (spec, c))
    }

    /// The input of the stored vault `name` with `patch` applied, as the update would validate it.
    pub fn patched_input(&self, name: &str, patch: &VaultPatch) -> Result<VaultInput> {
        Ok(apply_patch(&self.get_vault(name)?.spec, patch))
    }

    /// Fails with the keyring's error (nothing changed) when it cannot be reached, before any
    /// change is recorded.
    fn probe_keyring(&self, account: &str) -> Result<()> {
        self.keyring.get(account).map(drop)
    }

    /// The new vault of an update, checked against the stored rows: the patched form and any
    /// new credentials validated together, a new name free, and an engine change refused
    /// while connectors that would no longer fit use the vault.
    fn plan_update(
        conn: &Connection,
        name: &str,
        patch: &VaultPatch,
        creds: &CredentialsPatch,
        storage: &dyn Fn(rusqlite::Error) -> Error,
    ) -> Result<(Vault, Vault, [Option<SecretString>; 2])> {
        let old = find_by_name(conn, name)
            .map_err(storage)?
            .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })?;
        let input = apply_patch(&old.spec, patch);
        let (spec, role_id, secret) =
            validate_form(&input, creds.role_id.as_ref(), creds.secret_id.as_ref())?;
        let new_creds = [role_id, secret];
        if let Some(other) = find_by_name(conn, &spec.name).map_err(storage)? {
            if other.id != old.id {
                return Err(Error::VaultExists { name: other.spec.name });
            }
        }
        super::credential_target::check_stored_credentials(&old.spec, &spec, creds)?;
        if spec.engine_type != old.spec.engine_type {
            let unfit = super::connectors::unfit_users(conn, &old, spec.engine_type).map_err(storage)?;
            if !unfit.is_empty() {
                return Err(Error::EngineChangeRefused {
                    name: old.spec.name,
                    engine_type: spec.engine_type.as_str().to_owned(),
                    connectors: unfit,
                });
            }
        }
        // What was learnt of the Secret ID holds while it and the login stay the same.
        let same_secret = creds.secret_id.is_none() && spec.auth_method == old.spec.auth_method;
        let secret_id_status = old.secret_id_status.clone().filter(|_| same_secret);
        let needs_credentials = still_needs_credentials(&old, spec.auth_method, creds)?;
        let vault = Vault {
            id: old.id.clone(),
            spec,
            created_at: old.created_at.clone(),
            updated_at: now(),
            secret_id_status,
            needs_credentials,
        };
        Ok((old, vault, new_creds))
    }

    /// Validates and stores a new vault; its credentials go to the keyring. On any failure
    /// nothing is stored anywhere; if the process is killed midway, the next open removes
    /// what was written ([`super::intents`]).
    pub fn add_vault(&mut self, input: &VaultInput, creds: &Credentials) -> Result<Vault> {
        if matches!(creds, Credentials::WrappedAppRole { .. }) {
            return Err(Error::Internal { detail: "a wrapped Secret ID reached the store unwrapped".into() });
        }
        let (role_id, secret) = creds.parts();
        // The AWS default chain has no secret at all (`parts` gives an empty one).
        let secret = (!matches!(creds, Credentials::AwsDefault)).then_some(secret);
        let (spec, role_id, secret_id) = validate_form(input, role_id, secret)?;
        if !creds.fits(spec.auth_method) {
            return Err(Error::invalid(
                spec.auth_method.secret_field(),
                format!("is required to log in with {}", spec.auth_method.label()),
            ));
        }
        let role_id = match (spec.auth_method.uses_role_id(), role_id) {
            (true, None) => return Err(Error::invalid(spec.auth_method.role_id_field(), "is required")),
            (_, r) => r,
        };
        if !spec.auth_method.stores_secret() {
            return self.add_vault_without_secret(spec);
        }
        let Some(secret_id) = secret_id else {
            return Err(Error::invalid(spec.auth_method.secret_field(), "is required"));
        };
        let now = now();
        let vault = Vault {
            id: uuid::Uuid::new_v4().to_string(),
            spec,
            created_at: now.clone(),
            updated_at: now,
            secret_id_status: None,
            needs_credentials: false,
        };
        let loc = self.keyring_location(&vault);
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        self.probe_keyring(&loc.role_id_account)?;
        self.claim_owner()?;
        let intent = Intent {
            vault_id: vault.id.clone(),
            op: Op::Add,
            committed: false,
            vault_name: vault.spec.name.clone(),
            role_id: role_id.is_some(),
            secret_id: true,
            owner: self.owner.clone(),
        };
        {
            let tx = self.write_tx()?;
            if let Some(existing) = find_by_name(&tx, &vault.spec.name).map_err(&storage)? {
                return Err(Error::VaultExists { name: existing.spec.name });
            }
            intents::insert(&tx, &intent).map_err(&storage)?;
            tx.commit().map_err(&storage)?;
        }
        reached("add:intent");
        let keyring = self.keyring.clone();
        let done = (|| {
            if let Some(role_id) = &role_id {
                keyring.set(&loc.role_id_account, role_id)?;
            }
            reached("add:role_id");
            keyring.set(&loc.secret_id_account, &secret_id)?;
            reached("add:secret_id");
            let tx = self.write_tx()?;
            if let Some(existing) = find_by_name(&tx, &vault.spec.name).map_err(&storage)? {
                return Err(Error::VaultExists { name: existing.spec.name });
            }
            insert(&tx, &vault).map_err(&storage)?;
            intents::delete(&tx, &vault.id, &intent.owner).map_err(&storage)?;
            tx.commit().map_err(&storage)
        })();
        if let Err(e) = done {
            self.abandon(&intent);
            return Err(e);
        }
        reached("add:row");
        Ok(vault)
    }

    /// An OIDC vault: only its row (its token comes from a browser sign-in).
    fn add_vault_without_secret(&mut self, spec: VaultSpec) -> Result<Vault> {
        let now = now();
        let vault = Vault {
            id: uuid::Uuid::new_v4().to_string(),
            spec,
            created_at: now.clone(),
            updated_at: now,
            secret_id_status: None,
            needs_credentials: false,
        };
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let tx = self.write_tx()?;
        if let Some(existing) = find_by_name(&tx, &vault.spec.name).map_err(&storage)? {
            return Err(Error::VaultExists { name: existing.spec.name });
        }
        insert(&tx, &vault).map_err(&storage)?;
        tx.commit().map_err(&storage)?;
        Ok(vault)
    }

    /// Keeps the token of an OIDC sign-in for this process's sessions of `vault` (memory only).
    pub fn keep_oidc_token(&self, vault: &Vault, token: SecretString) {
        self.oidc_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(vault.id.clone(), token);
    }

    /// Keeps the token of an OIDC sign-in in the keyring until it expires ("remember"); the
    /// vault's secret entry holds it.
    pub fn remember_oidc_token(&self, vault: &Vault, token: &SecretString) -> Result<()> {
        self.keyring.set(&self.keyring_location(vault).secret_id_account, token)
    }

    /// Applies `patch` to the vault called `name`. Credentials are replaced only when given; a
    /// change of server (or of how it is reached) keeps the stored Secret ID only when
    /// `creds.reuse_credentials` confirms it (`CredentialsForOtherServer` otherwise).
    /// Changing the engine between KV and a database engine drops the fields of the old kind
    /// unless the patch sets them (then validation says they do not apply); changing the engine
    /// type is refused while connectors whose kind would no longer fit use the vault.
    /// New credentials are staged in the keyring first and put in place once the row is
    /// committed; a process killed midway leaves the old pair or the new pair, never one of each.
    pub fn update_vault(
        &mut self,
        name: &str,
        patch: &VaultPatch,
        creds: &CredentialsPatch,
    ) -> Result<Vault> {
        if creds.secret_id_wrapped {
            return Err(Error::Internal { detail: "a wrapped Secret ID reached the store unwrapped".into() });
        }
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let write_row = |tx: &Connection, old: &Vault, vault: &Vault| -> rusqlite::Result<()> {
            update(tx, vault)?;
            if vault.spec.name != old.spec.name {
                // References name vaults: rewrite them with the rename, or neither happens.
                super::connectors::rewrite_references(tx, &old.spec.name, &vault.spec.name)?;
            }
            Ok(())
        };
        if creds.role_id.is_none() && creds.secret_id.is_none() {
            let tx = self.write_tx()?;
            let (old, vault, _) = Self::plan_update(&tx, name, patch, creds, &storage)?;
            write_row(&tx, &old, &vault).map_err(&storage)?;
            tx.commit().map_err(&storage)?;
            if old.spec.auth_method.stores_secret() && !vault.spec.auth_method.stores_secret() {
                // To OIDC (which needs no secret): the old method's entries go. Were this
                // interrupted, the doctor reports them and its repair removes them.
                let loc = self.keyring_location(&vault);
                self.keyring.delete(&loc.secret_id_account)?;
                self.keyring.delete(&loc.role_id_account)?;
            }
            return Ok(vault);
        }
        let (old, _, new_creds) = {
            let tx = self.write_tx()?;
            Self::plan_update(&tx, name, patch, creds, &storage)?
        };
        let loc = self.keyring_location(&old);
        self.probe_keyring(&loc.role_id_account)?;
        self.claim_owner()?;
        let intent = Intent {
            vault_id: old.id.clone(),
            op: Op::Update,
            committed: false,
            vault_name: old.spec.name.clone(),
            role_id: creds.role_id.is_some(),
            secret_id: creds.secret_id.is_some(),
            owner: self.owner.clone(),
        };
        let in_progress = |e: rusqlite::Error| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Error::Keyring {
                    detail: format!("another change of vault \"{}\" is in progress", old.spec.name),
                }
            }
            e => storage(e),
        };
        {
            let tx = self.write_tx()?;
            intents::insert(&tx, &intent).map_err(in_progress)?;
            tx.commit().map_err(&storage)?;
        }
        reached("update:intent");
        let keyring = self.keyring.clone();
        let staged = (|| {
            for (acct, v, step) in [
                (&loc.role_id_account, &new_creds[0], "update:role_id"),
                (&loc.secret_id_account, &new_creds[1], "update:secret_id"),
            ] {
                if let Some(v) = v {
                    intents::stage(keyring.as_ref(), acct, v)?;
                    reached(step);
                }
            }
            let tx = self.write_tx()?;
            let (old_now, vault, _) = Self::plan_update(&tx, name, patch, creds, &storage)?;
            if old_now.id != old.id {
                return Err(Error::VaultNotFound { name: name.trim().to_owned() });
            }
            write_row(&tx, &old_now, &vault).map_err(&storage)?;
            intents::mark_committed(&tx, &old.id).map_err(&storage)?;
            tx.commit().map_err(&storage)?;
            Ok(vault)
        })();
        let values = new_creds;
        let vault = match staged {
            Ok(v) => v,
            Err(e) => {
                self.abandon(&intent);
                return Err(e);
            }
        };
        reached("update:row");
        let placed = (|| {
            for (acct, v) in [(&loc.role_id_account, &values[0]), (&loc.secret_id_account, &values[1])] {
                if let Some(v) = v {
                    keyring.set(acct, v)?;
                    reached(if acct == &loc.role_id_account {
                        "update:moved_role_id"
                    } else {
                        "update:moved_secret_id"
                    });
                }
            }
            for (acct, v) in [(&loc.role_id_account, &values[0]), (&loc.secret_id_account, &values[1])] {
                if v.is_some() {
                    keyring.delete(&intents::pending(acct))?;
                }
            }
            reached("update:moved");
            if old.spec.auth_method.stores_secret() && !vault.spec.auth_method.stores_secret() {
                // To OIDC: the old method's secret must not pass for a remembered token.
                keyring.delete(&loc.secret_id_account)?;
            }
            if old.spec.auth_method.uses_role_id() && !vault.spec.auth_method.uses_role_id() {
                // A Role ID the new login method does not use is not kept. Were the process
                // killed before this, the doctor reports the entry and its repair removes it.
                keyring.delete(&loc.role_id_account)?;
            }
            intents::delete(&self.conn, &old.id, &intent.owner).map_err(&storage)
        })();
        placed.map_err(|e| Error::Keyring {
            detail: format!(
                "the update of vault \"{}\" is saved, but its new IDs could not be put in place yet \
                 ({e}); they are when vaultdesk next opens the data directory",
                vault.spec.name
            ),
        })?;
        Ok(vault)
    }

    /// Removes the vault and its keyring entries (a missing entry is fine). If the keyring cannot
    /// be reached, nothing is removed. Refused (`VaultInUse`, naming them) while connectors select
    /// or reference the vault; see [`Store::remove_vault_forced`].
    pub fn remove_vault(&mut self, name: &str) -> Result<Vault> {
        self.remove_vault_inner(name, false)
    }

    /// Removes the vault even while connectors use it: their selection is cleared, their
    /// references stay (and fail to render, naming the missing vault).
    pub fn remove_vault_forced(&mut self, name: &str) -> Result<Vault> {
        self.remove_vault_inner(name, true)
    }

    fn remove_vault_inner(&mut self, name: &str, force: bool) -> Result<Vault> {
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let loc = self.keyring_location(&self.get_vault(name)?);
        self.probe_keyring(&loc.role_id_account)?;
        self.claim_owner()?;
        let owner = self.owner.clone();
        let (intent, vault) = {
            let tx = self.write_tx()?;
            let vault = find_by_name(&tx, name)
                .map_err(&storage)?
                .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })?;
            if !force {
                let users = super::connectors::UsageIndex::build(&tx).map_err(&storage)?.users_of(&vault);
                if !users.is_empty() {
                    return Err(Error::VaultInUse { name: vault.spec.name, connectors: users });
                }
            }
            let intent = Intent {
                vault_id: vault.id.clone(),
                op: Op::Remove,
                committed: true,
                vault_name: vault.spec.name.clone(),
                role_id: true,
                secret_id: true,
                owner,
            };
            tx.execute("DELETE FROM vaults WHERE id = ?1", [&vault.id]).map_err(&storage)?;
            intents::insert(&tx, &intent).map_err(&storage)?;
            tx.commit().map_err(&storage)?;
            (intent, vault)
        };
        reached("remove:intent");
        let loc = intents::account(&self.store_id, &intent.vault_id, "role_id");
        let done = (|| {
            self.keyring.delete(&loc)?;
            reached("remove:role_id");
            self.keyring.delete(&intents::account(&self.store_id, &intent.vault_id, "secret_id"))?;
            reached("remove:secret_id");
            intents::delete(&self.conn, &intent.vault_id, &intent.owner).map_err(&storage)
        })();
        done.map_err(|e| Error::Keyring {
            detail: format!(
                "vault \"{}\" is removed, but its keyring entries could not be deleted yet ({e}); they \
                 are when vaultdesk next opens the data directory",
                intent.vault_name
            ),
        })?;
        Ok(vault)
    }
}

impl Store {
    /// Keeps what a Test learnt of the stored vault's Secret ID (not a configuration change:
    /// `updated_at` and the live sessions stay).
    pub fn record_secret_id_status(
        &mut self,
        vault_id: &str,
        status: &crate::model::SecretIdStatus,
    ) -> Result<()> {
        let storage = super::storage_error(&self.db_path);
        self.conn
            .execute(
                "UPDATE vaults SET secret_id_expires_at = ?1, secret_id_uses_left = ?2 WHERE id = ?3",
                rusqlite::params![
                    status.expires_at,
                    status.uses_left.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
                    vault_id
                ],
            )
            .map_err(storage)?;
        Ok(())
    }
}
