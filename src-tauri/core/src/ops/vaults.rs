//! Vault use cases: list with where-used, show, add, update, remove, and the staged Test.

use serde::Serialize;
use ts_rs::TS;

use super::Core;
use crate::duration::format_duration;
use crate::model::{
    Credentials, CredentialsPatch, KeyringLocation, Vault, VaultInput, VaultPatch, VaultSpec,
};
use crate::provider::{self, StageReport, TestReport};
use crate::{Error, Result};

/// A vault as a list shows it: the stored configuration, its durations written the way the CLI
/// takes them (`5m`, `1h30m`, `0`), and the connectors using it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct VaultSummary {
    #[serde(flatten)]
    pub vault: Vault,
    /// `cache_ttl_secs` formatted by `vaultdesk_core::duration::format_duration`.
    pub cache_ttl: String,
    /// The timeouts written the same way, for the edit form.
    pub connect_timeout: String,
    pub request_timeout: String,
    /// Names of the connectors that select or reference this vault: the delete dialog names
    /// them, and only a forced removal goes ahead while there are any.
    pub used_by: Vec<String>,
}

impl VaultSummary {
    pub fn new(vault: Vault, used_by: Vec<String>) -> Self {
        let cache_ttl = format_duration(vault.spec.cache_ttl_secs);
        let connect_timeout = format_duration(vault.spec.tls.connect_timeout_secs);
        let request_timeout = format_duration(vault.spec.tls.request_timeout_secs);
        VaultSummary { vault, cache_ttl, connect_timeout, request_timeout, used_by }
    }
}

/// One vault with where its credentials live (names, never values).
#[derive(Debug, Clone, Serialize)]
pub struct VaultDetails {
    #[serde(flatten)]
    pub summary: VaultSummary,
    pub keyring: KeyringLocation,
}

/// What a Test runs on.
#[derive(Debug, Clone)]
pub enum TestTarget {
    /// A configuration that is not saved: every credential must be given.
    Unsaved(VaultInput),
    /// A stored vault as it would be after `patch`; credentials not given come from its keyring
    /// entries.
    Stored { name: String, patch: VaultPatch },
}

impl Core {
    /// Every vault by name, each with the connectors using it (one pass over the connectors).
    pub async fn list_vaults(&self) -> Result<Vec<VaultSummary>> {
        self.with_store(|store| {
            let usage = store.usage_index()?;
            Ok(store
                .list_vaults()?
                .into_iter()
                .map(|v| {
                    let used_by = usage.users_of(&v);
                    VaultSummary::new(v, used_by)
                })
                .collect())
        })
        .await
    }

    /// The vault `name` with its keyring location and users.
    pub async fn show_vault(&self, name: String) -> Result<VaultDetails> {
        self.with_store(move |store| {
            let vault = store.get_vault(&name)?;
            let keyring = store.keyring_location(&vault);
            let used_by = store.usage_index()?.users_of(&vault);
            Ok(VaultDetails { summary: VaultSummary::new(vault, used_by), keyring })
        })
        .await
    }

    /// The vault `name` as stored, or `None`.
    pub async fn find_vault(&self, name: String) -> Result<Option<Vault>> {
        self.with_store(move |store| match store.get_vault(&name) {
            Ok(v) => Ok(Some(v)),
            Err(Error::VaultNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    /// Validates and stores a new vault; its credentials go to the OS keyring. Nothing is
    /// stored anywhere on failure.
    pub async fn add_vault(
        &self,
        input: VaultInput,
        creds: impl Into<CredentialsPatch>,
    ) -> Result<VaultSummary> {
        let mut patch: CredentialsPatch = creds.into();
        self.unwrap_given(&input, &mut patch).await?;
        let method = input.method();
        let patch_role_missing = method.uses_role_id() && patch.role_id.is_none();
        let creds = match Credentials::from_parts(method, patch.role_id, patch.secret_id) {
            Some(c) => c,
            None if patch_role_missing => return Err(Error::invalid(method.role_id_field(), "is required")),
            None => return Err(Error::invalid(method.secret_field(), "is required")),
        };
        self.with_store(move |store| Ok(VaultSummary::new(store.add_vault(&input, &creds)?, Vec::new())))
            .await
    }

    /// Applies `patch` to the vault `name`; credentials are replaced only when given. Sessions of
    /// the old configuration are closed (their credentials revoked).
    pub async fn update_vault(
        &self,
        name: String,
        patch: VaultPatch,
        creds: CredentialsPatch,
    ) -> Result<VaultSummary> {
        let mut creds = creds;
        if creds.secret_id_wrapped || creds.token_from_env {
            let (n, p) = (name.clone(), patch.clone());
            let input = self.with_store(move |store| store.patched_input(&n, &p)).await?;
            self.unwrap_given(&input, &mut creds).await?;
        }
        let summary = self
            .with_store(move |store| {
                let vault = store.update_vault(&name, &patch, &creds)?;
                let used_by = store.usage_index()?.users_of(&vault);
                Ok(VaultSummary::new(vault, used_by))
            })
            .await?;
        self.hub.forget(&summary.vault.id).await;
        Ok(summary)
    }

    /// "Refresh now": drops the vault's cached secret and token (revoking what the session
    /// issued) so that the next read is fresh — the answer to "I rotated the password and still
    /// see the old one". A KV secret is read again at once and its version reported; database
    /// credentials are not issued until next needed.
    pub async fn refresh_vault(&self, name: String) -> Result<RefreshReport> {
        let (vault, load) = self.vault_with_loader(name).await?;
        self.hub.forget(&vault.id).await;
        let name = vault.spec.name.clone();
        if vault.spec.engine_type.is_database() && vault.spec.provider.issues_database_credentials() {
            return Ok(RefreshReport {
                vault: name.clone(),
                version: None,
                message: format!(
                    "Vault \"{name}\": cached credentials and token dropped (revoked); the next use \
                     asks Vault for new credentials."
                ),
            });
        }
        let secret = self.hub.session(&vault, load).await?.resolve().await?;
        let (version, keys) = secret.kv_version_and_keys().unwrap_or((0, 0));
        let read = match &vault.spec.aws {
            Some(aws) => aws.version_label(),
            None if version == 0 => "unversioned KV".to_owned(),
            None => format!("version {version}"),
        };
        Ok(RefreshReport {
            vault: name.clone(),
            version: (version > 0).then_some(version),
            message: format!(
                "Vault \"{name}\": cache and token dropped; read again now: {read}, {keys} key(s)."
            ),
        })
    }

    /// A Secret ID given wrapped is unwrapped once, at the server `input` names, before
    /// anything is stored; the wrapping token is not kept. Unwrapped already (by someone else?),
    /// it is a named security warning and nothing is stored.
    async fn unwrap_given(&self, input: &VaultInput, creds: &mut CredentialsPatch) -> Result<()> {
        if creds.token_from_env {
            creds.secret_id = Some(crate::model::vault_cli_token()?);
            creds.token_from_env = false;
        }
        if !creds.secret_id_wrapped {
            return Ok(());
        }
        let method = input.method();
        if method != crate::model::AuthMethod::Approle {
            return Err(Error::invalid(
                "secret_id",
                format!("a wrapped Secret ID applies only to AppRole, not {}", method.label()),
            ));
        }
        let spec = crate::validate::validate_input(input).map_err(Error::Invalid)?;
        let Some(token) = creds.secret_id.take() else {
            return Err(Error::invalid("secret_id", "is required: the wrapping token"));
        };
        creds.secret_id = Some(provider::unwrap_secret_id(&spec, &token).await?);
        creds.secret_id_wrapped = false;
        Ok(())
    }

    /// Removes the vault and its keyring entries; refused while connectors use it unless
    /// `force` (their selection is cleared, their references stay).
    pub async fn remove_vault(&self, name: String, force: bool) -> Result<Vault> {
        let vault = self
            .with_store(
                move |store| if force { store.remove_vault_forced(&name) } else { store.remove_vault(&name) },
            )
            .await?;
        self.hub.forget(&vault.id).await;
        Ok(vault)
    }

    /// The validated configuration and credentials a Test of `target` runs with (nothing is
    /// written): the first half of [`Core::test_vault`], for a front end that runs the Test
    /// itself (to cancel it).
    pub async fn prepare_test(
        &self,
        target: TestTarget,
        creds: CredentialsPatch,
    ) -> Result<(VaultSpec, provider::Credentials)> {
        let mut creds = creds;
        if creds.token_from_env {
            creds.secret_id = Some(crate::model::vault_cli_token()?);
            creds.token_from_env = false;
        }
        self.with_store(move |store| {
            let (input, existing) = match target {
                TestTarget::Unsaved(input) => (input, None),
                TestTarget::Stored { name, patch } => {
                    let stored = store.get_vault(&name)?.spec.name;
                    (store.patched_input(&stored, &patch)?, Some(stored))
                }
            };
            let (spec, creds) = store.prepare_test(&input, existing.as_deref(), &creds)?;
            Ok((spec, creds))
        })
        .await
    }

    /// Runs the staged Test of `target`, calling `on_stage` as each stage ends. Dropping the
    /// future cancels it; whatever it started in the store is revoked in the background.
    pub async fn test_vault(
        &self,
        target: TestTarget,
        creds: CredentialsPatch,
        on_stage: &mut (dyn FnMut(&StageReport) + Send),
    ) -> Result<(VaultSpec, TestReport)> {
        let stored = match &target {
            TestTarget::Stored { name, .. } if creds.secret_id.is_none() => Some(name.clone()),
            _ => None,
        };
        let (spec, creds) = self.prepare_test(target, creds).await?;
        let report = provider::test(&spec, &creds, on_stage).await;
        if let Some(name) = stored {
            self.record_test(name, &report).await?;
        }
        Ok((spec, report))
    }

    /// Keeps what a Test of the stored vault `name`, run with its stored credentials, learnt of
    /// its Secret ID (expiry, uses left), for the list's warning.
    pub async fn record_test(&self, name: String, report: &TestReport) -> Result<()> {
        let Some(status) = report.secret_id.clone() else { return Ok(()) };
        self.with_store(move |store| {
            let vault = store.get_vault(&name)?;
            store.record_secret_id_status(&vault.id, &status)
        })
        .await
    }
}

impl VaultPatch {
    /// A whole edit form as a patch: every field set, so what the form shows is what is stored
    /// (an empty optional field clears it; no auth mount in the form keeps the stored one).
    pub fn from_form(input: VaultInput) -> VaultPatch {
        let text = |v: Option<String>| Some(v.unwrap_or_default());
        VaultPatch {
            rename: Some(input.name),
            url: Some(input.url),
            namespace: text(input.namespace),
            auth_method: input.auth_method,
            auth_mount: input.auth_mount,
            auth_username: text(input.auth_username),
            auth_role: text(input.auth_role),
            login_namespace: text(input.login_namespace),
            engine_name: Some(input.engine_name),
            engine_type: Some(input.engine_type),
            path: text(input.path),
            db_role: text(input.db_role),
            connection_name: text(input.connection_name),
            kv_version: text(input.kv_version),
            cache_ttl: input.cache_ttl,
            tls: crate::model::TlsInput {
                tls_ca_cert: text(input.tls.tls_ca_cert),
                tls_client_cert: text(input.tls.tls_client_cert),
                tls_client_key: text(input.tls.tls_client_key),
                tls_skip_verify: Some(input.tls.tls_skip_verify.unwrap_or(false)),
                tls_skip_hostname: Some(input.tls.tls_skip_hostname.unwrap_or(false)),
                allow_http: Some(input.tls.allow_http.unwrap_or(false)),
                connect_timeout: input.tls.connect_timeout,
                request_timeout: input.tls.request_timeout,
            },
            aws: crate::model::AwsInput {
                aws_region: text(input.aws.aws_region),
                aws_secret_id: text(input.aws.aws_secret_id),
                aws_version_stage: text(input.aws.aws_version_stage),
                aws_version_id: text(input.aws.aws_version_id),
                aws_profile: text(input.aws.aws_profile),
                aws_role_arn: text(input.aws.aws_role_arn),
                aws_external_id: text(input.aws.aws_external_id),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_form_becomes_a_patch_that_sets_or_clears_every_field() {
        let input = VaultInput {
            name: "renamed".into(),
            url: "https://v:8200".into(),
            engine_name: "db".into(),
            engine_type: "postgresql".into(),
            db_role: Some("ro".into()),
            cache_ttl: Some("1h".into()),
            ..VaultInput::default()
        };
        let patch = VaultPatch::from_form(input);
        assert_eq!(patch.rename.as_deref(), Some("renamed"), "the name field renames");
        assert_eq!(patch.path.as_deref(), Some(""), "a field absent from the form is cleared, not kept");
        assert_eq!(patch.namespace.as_deref(), Some(""), "an empty namespace clears it");
        assert_eq!(patch.cache_ttl.as_deref(), Some("1h"));
        assert_eq!(patch.tls.tls_skip_verify, Some(false), "an unticked skip-verify turns it off");
        assert_eq!(patch.auth_mount, None, "no auth mount in the form keeps the stored one");
    }
}

/// What "Refresh now" did.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export_to = "../app-bindings/")]
pub struct RefreshReport {
    pub vault: String,
    /// The KV version now served (none for KV v1 and database engines).
    #[ts(type = "number | null")]
    pub version: Option<u64>,
    pub message: String,
}
