//! The SDK clients of one AWS configuration: one HTTP client on rustls with ring (the system
//! roots, or the configured CA file instead), the vault's timeouts, the SDK's standard retries
//! (throttling is retried with backoff), and the credentials: the stored access keys, or the
//! SDK's default chain (with a profile), optionally with a role assumed on top. The SDK's
//! identity cache refreshes credentials from the chain (and the assumed role's) before they
//! expire.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::{Credentials as AwsCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use secrecy::ExposeSecret;

use super::error::AwsError;
use crate::model::{AwsSpec, Credentials, VaultSpec};

/// The SDK clients of one configuration, and what failures are named with.
#[derive(Clone, Debug)]
pub struct AwsClient {
    pub sm: aws_sdk_secretsmanager::Client,
    pub sts: aws_sdk_sts::Client,
    pub aws: AwsSpec,
    /// The endpoint requests go to (the override, or the region's).
    pub endpoint: String,
    pub overridden: bool,
    pub timeout_secs: u64,
    pub keys: bool,
}

/// The endpoint of Secrets Manager in `region` (China's regions have their own domain).
pub fn default_endpoint(region: &str) -> String {
    let domain = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://secretsmanager.{region}.{domain}")
}

impl AwsClient {
    /// Builds the clients; nothing is sent yet (an assumed role is asked for on first use).
    pub async fn new(spec: &VaultSpec, creds: &Credentials) -> Result<AwsClient, AwsError> {
        let aws = spec.aws.clone().ok_or_else(|| AwsError::RequestFailed {
            action: "configure".into(),
            status: None,
            detail: "the vault has no AWS settings".into(),
        })?;
        let mut trust = TrustStore::empty().with_native_roots(spec.tls.tls_ca_cert.is_none());
        if let Some(ca) = &spec.tls.tls_ca_cert {
            let pem = crate::validate::read_pem(std::path::Path::new(ca))
                .map_err(|e| AwsError::TlsConfig { detail: format!("CA certificate {e}") })?;
            trust = trust.with_pem_certificate(pem);
        }
        let tls_context = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .map_err(|e| AwsError::TlsConfig { detail: e.to_string() })?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls_context)
            .build_https();
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(spec.tls.connect_timeout_secs))
            .operation_attempt_timeout(Duration::from_secs(spec.tls.request_timeout_secs))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(aws.region.clone()))
            .http_client(http)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(4));
        if !spec.url.is_empty() {
            loader = loader.endpoint_url(spec.url.clone());
        }
        let keys = matches!(creds, Credentials::AwsKeys { .. });
        match creds {
            Credentials::AwsKeys { access_key_id, secret } => {
                let (key, token) = Credentials::aws_parts(secret);
                loader = loader.credentials_provider(AwsCredentials::new(
                    access_key_id.expose_secret(),
                    key.expose_secret(),
                    token.map(|t| t.expose_secret().to_owned()),
                    None,
                    "vaultdesk-keyring",
                ));
            }
            Credentials::AwsDefault => {
                if let Some(p) = &aws.profile {
                    loader = loader.profile_name(p.clone());
                }
            }
            _ => {
                return Err(AwsError::RequestFailed {
                    action: "configure".into(),
                    status: None,
                    detail: "these credentials are not AWS credentials".into(),
                })
            }
        }
        let mut config: SdkConfig = loader.load().await;
        if let Some(role) = &aws.role_arn {
            let mut assume = aws_config::sts::AssumeRoleProvider::builder(role.clone())
                .session_name("vaultdesk")
                .configure(&config);
            if let Some(x) = &aws.external_id {
                assume = assume.external_id(x.clone());
            }
            let provider = assume.build().await;
            config =
                config.into_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
        }
        let (endpoint, overridden) = if spec.url.is_empty() {
            (default_endpoint(&aws.region), false)
        } else {
            (spec.url.clone(), true)
        };
        Ok(AwsClient {
            sm: aws_sdk_secretsmanager::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            aws,
            endpoint,
            overridden,
            timeout_secs: spec.tls.connect_timeout_secs.max(spec.tls.request_timeout_secs),
            keys,
        })
    }

    /// What a failure of `action` on `resource` is named with.
    pub(crate) fn ctx<'a>(&'a self, action: &'a str, resource: &'a str) -> super::error::Ctx<'a> {
        super::error::Ctx {
            action,
            resource,
            region: &self.aws.region,
            endpoint: &self.endpoint,
            overridden: self.overridden,
            timeout_secs: self.timeout_secs,
            keys: self.keys,
            profile: self.aws.profile.as_deref(),
            version: None,
        }
    }
}
