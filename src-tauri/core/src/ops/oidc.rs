//! OIDC sign-in of a stored vault: start (the URL for the admin's browser), finish (the browser
//! came back: the token is kept in this process's memory, and in the OS keyring until it
//! expires when the admin asks), and the credentials of an OIDC vault's session.

use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::Core;
use crate::duration::format_duration;
use crate::model::{AuthMethod, Vault};
use crate::provider::vault::auth::oidc::OidcFlow;
use crate::{Error, Result};

/// A sign-in waiting for the browser.
#[derive(Debug)]
pub struct OidcPending {
    vault: Vault,
    flow: OidcFlow,
}

impl OidcPending {
    /// The provider's page to open in the admin's browser.
    pub fn auth_url(&self) -> &str {
        self.flow.auth_url()
    }
}

/// The outcome of a sign-in (no token).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct OidcLoginReport {
    pub vault: String,
    pub policies: Vec<String>,
    /// Seconds the token lives; 0: no expiry.
    #[ts(type = "number")]
    pub ttl_secs: u64,
    /// Kept in the OS keyring until it expires.
    pub remembered: bool,
    pub message: String,
}

impl Core {
    /// Starts the browser sign-in of the OIDC vault `name`.
    pub async fn oidc_login_start(&self, name: String) -> Result<OidcPending> {
        let vault = self.with_store(move |store| store.get_vault(&name)).await?;
        if vault.spec.auth_method != AuthMethod::Oidc {
            return Err(Error::invalid(
                "auth_method",
                format!(
                    "vault \"{}\" logs in with {}, not OIDC",
                    vault.spec.name,
                    vault.spec.auth_method.label()
                ),
            ));
        }
        let flow = crate::provider::oidc_start(&vault.spec).await?;
        Ok(OidcPending { vault, flow })
    }

    /// Waits for the browser (at most `timeout`), exchanges the code, and keeps the token: in
    /// memory for this process, and in the OS keyring when `remember`. The vault's session
    /// starts over with it.
    pub async fn oidc_login_finish(
        &self,
        pending: OidcPending,
        remember: bool,
        timeout: Duration,
    ) -> Result<OidcLoginReport> {
        let OidcPending { vault, flow } = pending;
        let auth = flow.finish(timeout).await.map_err(Error::from)?;
        let token = auth.client_token.clone();
        let v = vault.clone();
        // Remembered, the keyring holds it (and the session leaves it to expire); otherwise this
        // process keeps it in memory and revokes it when done.
        self.with_store(move |store| {
            if remember {
                store.remember_oidc_token(&v, &token)
            } else {
                store.keep_oidc_token(&v, token);
                Ok(())
            }
        })
        .await?;
        self.hub.forget(&vault.id).await;
        let policies = if auth.token_policies.is_empty() { auth.policies } else { auth.token_policies };
        let ttl = if auth.lease_duration == 0 {
            "no expiry".to_owned()
        } else {
            format_duration(auth.lease_duration)
        };
        Ok(OidcLoginReport {
            vault: vault.spec.name.clone(),
            message: format!(
                "Signed in to vault \"{}\": policies {}; token {ttl}{}",
                vault.spec.name,
                policies.join(", "),
                if remember {
                    ", kept in the OS keyring until it expires"
                } else {
                    ", kept in memory until vaultdesk ends"
                }
            ),
            policies,
            ttl_secs: auth.lease_duration,
            remembered: remember,
        })
    }
}
