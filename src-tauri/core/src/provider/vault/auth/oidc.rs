//! OIDC login, the browser flow of Vault's own CLI: vaultdesk listens on a free loopback port,
//! asks `auth/<mount>/oidc/auth_url` for the provider's authorize URL with
//! `http://127.0.0.1:PORT/oidc/callback` as the redirect (Vault accepts any port on an IP
//! loopback address for a role that allows the same path on one), and a `client_nonce`. The
//! admin's browser logs in at the provider and comes back to the loopback listener with a code
//! and the state; the state is checked against the one in the authorize URL, and
//! `auth/<mount>/oidc/callback` exchanges the code for a token (Vault, the OIDC client, uses
//! PKCE and checks the ID token's nonce). The token is the session's; it is kept in the keyring
//! only when the admin asks ("remember until it expires").

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::provider::vault::error::VaultError;
use crate::provider::vault::http::{Envelope, Purpose, VaultClient};
use crate::provider::vault::token::AuthInfo;

/// A started OIDC login: the URL to open in a browser, and the listener its redirect comes to.
pub struct OidcFlow {
    client: VaultClient,
    auth_mount: String,
    auth_url: String,
    state: String,
    client_nonce: String,
    listener: TcpListener,
}

impl std::fmt::Debug for OidcFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcFlow").field("auth_mount", &self.auth_mount).finish_non_exhaustive()
    }
}

/// What came back to the loopback listener.
#[derive(Debug, Default)]
struct Redirect {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl VaultClient {
    /// Starts an OIDC login as `role` on `auth_mount`: binds the loopback listener and asks Vault
    /// for the provider's authorize URL.
    pub async fn oidc_start(&self, auth_mount: &str, role: &str) -> Result<OidcFlow, VaultError> {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| VaultError::OidcRejected {
            auth_mount: auth_mount.to_owned(),
            detail: format!("cannot listen on a loopback port for the browser's return: {e}"),
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let redirect_uri = format!("http://127.0.0.1:{port}/oidc/callback");
        let client_nonce = uuid::Uuid::new_v4().simple().to_string();
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            auth_url: String,
        }
        let path = format!("auth/{auth_mount}/oidc/auth_url");
        let body =
            serde_json::json!({ "role": role, "redirect_uri": redirect_uri, "client_nonce": client_nonce });
        let env: Envelope<Data> = self
            .call(Method::POST, &path, None, Some(&body), Purpose::OidcLogin { auth_mount, role })
            .await?;
        let auth_url = env.data.map(|d| d.auth_url).unwrap_or_default();
        if auth_url.is_empty() {
            // Vault answers an empty URL (and logs a warning) for a redirect the role does not allow.
            return Err(VaultError::OidcRedirectNotAllowed {
                auth_mount: auth_mount.to_owned(),
                role: role.to_owned(),
            });
        }
        let state = url::Url::parse(&auth_url)
            .ok()
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()))
            .ok_or_else(|| VaultError::Malformed {
                path: path.clone(),
                detail: "the authorize URL has no state".into(),
            })?;
        Ok(OidcFlow {
            client: self.clone(),
            auth_mount: auth_mount.to_owned(),
            auth_url,
            state,
            client_nonce,
            listener,
        })
    }
}

impl OidcFlow {
    /// The provider's authorize URL, to open in the admin's browser. Holds no secret (the state
    /// only proves the redirect belongs to this login).
    pub fn auth_url(&self) -> &str {
        &self.auth_url
    }

    /// Waits (at most `timeout`) for the browser to come back, checks the state, and exchanges
    /// the code for a token. The browser is shown a page saying whether to go back to vaultdesk.
    pub async fn finish(self, timeout: Duration) -> Result<AuthInfo, VaultError> {
        let mount = self.auth_mount.clone();
        let redirect = match tokio::time::timeout(timeout, self.accept()).await {
            Ok(r) => r?,
            Err(_) => return Err(VaultError::OidcTimeout { auth_mount: mount, secs: timeout.as_secs() }),
        };
        if let Some(e) = redirect.error.as_deref() {
            return Err(if e == "access_denied" {
                VaultError::OidcCancelled { auth_mount: mount }
            } else {
                VaultError::OidcRejected { auth_mount: mount, detail: format!("the provider answered {e}") }
            });
        }
        if redirect.state.as_deref() != Some(self.state.as_str()) {
            return Err(VaultError::OidcStateMismatch { auth_mount: mount });
        }
        let Some(code) = redirect.code else {
            return Err(VaultError::OidcRejected {
                auth_mount: mount,
                detail: "the provider sent no code".into(),
            });
        };
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", &self.state)
            .append_pair("code", &code)
            .append_pair("client_nonce", &self.client_nonce)
            .finish();
        let path = format!("auth/{mount}/oidc/callback?{query}");
        let purpose = Purpose::OidcLogin { auth_mount: &mount, role: "" };
        let env: Envelope<Value> = self.client.call(Method::GET, &path, None, None, purpose).await?;
        env.auth.ok_or_else(|| VaultError::Malformed {
            path: format!("auth/{mount}/oidc/callback"),
            detail: "the login response has no auth block".into(),
        })
    }

    /// Takes connections until one is the browser's return to `/oidc/callback` (a favicon or
    /// another path is answered 404 and ignored); answers it with a short page.
    async fn accept(&self) -> Result<Redirect, VaultError> {
        loop {
            let Ok((mut socket, _)) = self.listener.accept().await else { continue };
            let mut buf = vec![0u8; 8192];
            let mut read = 0;
            // The request line and headers; the callback has no body.
            while read < buf.len() {
                match socket.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
                if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..read]);
            let target = head.lines().next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or_default();
            let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else { continue };
            if url.path() != "/oidc/callback" {
                let _ = socket
                    .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                continue;
            }
            let mut r = Redirect::default();
            for (k, v) in url.query_pairs() {
                match k.as_ref() {
                    "code" => r.code = Some(v.into_owned()),
                    "state" => r.state = Some(v.into_owned()),
                    "error" => r.error = Some(v.into_owned()),
                    _ => {}
                }
            }
            let ok = r.error.is_none() && r.code.is_some();
            let page = if ok {
                "<!doctype html><title>vaultdesk</title><p>Signed in. You can close this tab and go back to vaultdesk.</p>"
            } else {
                "<!doctype html><title>vaultdesk</title><p>The sign-in did not complete. Go back to vaultdesk for details.</p>"
            };
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
            return Ok(r);
        }
    }
}
