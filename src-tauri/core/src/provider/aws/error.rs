//! What can go wrong talking to AWS Secrets Manager and STS, as named variants with a one-line
//! message, a hint and the form field they belong under (the style of `provider/vault/error.rs`,
//! whose `VaultError::Aws` carries them to the front ends). None carries a key, a session token
//! or a secret value: messages are built from names, ARNs, actions and AWS's own error messages,
//! which do not echo request bodies or signatures.

use std::error::Error as StdError;

use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};

use crate::provider::vault::VaultErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error("the endpoint {endpoint} could not be resolved (unknown region or endpoint?)")]
    UnknownEndpoint { endpoint: String, overridden: bool },
    #[error("{endpoint} is unreachable: connection refused")]
    ConnectionRefused { endpoint: String, overridden: bool },
    #[error("{endpoint} did not answer within {secs}s")]
    Timeout { endpoint: String, secs: u64, overridden: bool },
    #[error("{endpoint} is unreachable: {detail}")]
    Unreachable { endpoint: String, detail: String, overridden: bool },
    #[error("TLS with {endpoint} failed: {detail}")]
    Tls { endpoint: String, detail: String },
    #[error("TLS settings: {detail}")]
    TlsConfig { detail: String },
    #[error("AWS refused the access keys: {detail}")]
    InvalidKeys { detail: String },
    #[error("the AWS credentials have expired: {detail}")]
    ExpiredCredentials { detail: String, keys: bool },
    #[error("no AWS credentials found by the default chain: {detail}")]
    NoCredentials { detail: String },
    #[error("AWS profile \"{profile}\" not found in the shared config or credentials files")]
    ProfileNotFound { profile: String },
    #[error("assuming role {role_arn} failed: {detail}")]
    AssumeRoleFailed { role_arn: String, detail: String },
    #[error("access denied: {action} on {resource}: {detail}")]
    AccessDenied { action: String, resource: String, detail: String },
    #[error("secret \"{secret}\" not found in {region}")]
    SecretNotFound { secret: String, region: String },
    #[error("secret \"{secret}\" is marked for deletion{}", deleted.as_ref().map(|d| format!(" (since {d})")).unwrap_or_default())]
    SecretDeleted { secret: String, deleted: Option<String> },
    #[error("secret \"{secret}\" has no {version}")]
    VersionNotFound { secret: String, version: String, by_id: bool },
    #[error("secret \"{secret}\" could not be decrypted with its KMS key: {detail}")]
    DecryptionFailure { secret: String, detail: String },
    #[error("AWS throttled {action} (retried with backoff, still throttled)")]
    Throttled { action: String },
    #[error(
        "secret \"{secret}\" is not a JSON object ({found}), which a {engine_type} database secret must be"
    )]
    NotJsonObject { secret: String, found: String, engine_type: String },
    #[error("database secret \"{secret}\" lacks {}", missing.join(", "))]
    MissingDatabaseKeys { secret: String, missing: Vec<String> },
    #[error("AWS {action} failed{}: {detail}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    RequestFailed { action: String, status: Option<u16>, detail: String },
}

impl AwsError {
    pub fn code(&self) -> VaultErrorCode {
        use AwsError as E;
        use VaultErrorCode as C;
        match self {
            E::UnknownEndpoint { .. } => C::AwsUnknownEndpoint,
            E::ConnectionRefused { .. } => C::ConnectionRefused,
            E::Timeout { .. } => C::Timeout,
            E::Unreachable { .. } => C::Unreachable,
            E::Tls { .. } => C::Tls,
            E::TlsConfig { .. } => C::TlsConfig,
            E::InvalidKeys { .. } => C::AwsInvalidKeys,
            E::ExpiredCredentials { .. } => C::AwsExpiredCredentials,
            E::NoCredentials { .. } => C::AwsNoCredentials,
            E::ProfileNotFound { .. } => C::AwsProfileNotFound,
            E::AssumeRoleFailed { .. } => C::AwsAssumeRoleFailed,
            E::AccessDenied { .. } => C::AwsAccessDenied,
            E::SecretNotFound { .. } => C::AwsSecretNotFound,
            E::SecretDeleted { .. } => C::AwsSecretDeleted,
            E::VersionNotFound { .. } => C::AwsVersionNotFound,
            E::DecryptionFailure { .. } => C::AwsDecryptionFailure,
            E::Throttled { .. } => C::AwsThrottled,
            E::NotJsonObject { .. } => C::AwsNotJsonObject,
            E::MissingDatabaseKeys { .. } => C::AwsMissingDatabaseKeys,
            E::RequestFailed { .. } => C::AwsRequestFailed,
        }
    }

    pub fn hint(&self) -> String {
        use AwsError as E;
        match self {
            E::UnknownEndpoint { overridden: true, .. } => "check the endpoint URL's host name".into(),
            E::UnknownEndpoint { .. } => {
                "check the region (e.g. us-east-1); Secrets Manager has an endpoint in every commercial, GovCloud and China region".into()
            }
            E::ConnectionRefused { .. } | E::Unreachable { .. } => {
                "check the endpoint URL (or the region) and network access (VPN, proxy, VPC endpoint)".into()
            }
            E::Timeout { .. } => "check network access or raise the timeouts in Advanced".into(),
            E::Tls { .. } => {
                "set the CA certificate that signed the endpoint's certificate (Advanced > CA certificate)".into()
            }
            E::TlsConfig { .. } => "point the CA certificate at a readable PEM file".into(),
            E::InvalidKeys { .. } => {
                "check the Access Key ID and Secret Access Key (an access key can be deactivated or deleted in IAM)".into()
            }
            E::ExpiredCredentials { keys: true, .. } => {
                "temporary keys with a session token expire: store fresh ones (or use the default chain, which renews them)".into()
            }
            E::ExpiredCredentials { .. } => {
                "renew the credentials the chain found (e.g. `aws sso login --profile P`)".into()
            }
            E::NoCredentials { .. } => {
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile in ~/.aws/credentials or ~/.aws/config, \
                 or use access keys"
                    .into()
            }
            E::ProfileNotFound { .. } => {
                "check the profile name against ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)".into()
            }
            E::AssumeRoleFailed { .. } => {
                "check the role ARN, its trust policy (it must trust these credentials) and the external id".into()
            }
            E::AccessDenied { action, .. } => format!(
                "grant {action} on the secret's ARN to these credentials (vaultdesk needs \
                 secretsmanager:GetSecretValue, secretsmanager:DescribeSecret and sts:GetCallerIdentity)"
            ),
            E::SecretNotFound { .. } => "check the secret's name (or ARN) and the region".into(),
            E::SecretDeleted { .. } => {
                "restore it (aws secretsmanager restore-secret) or point the vault at another secret".into()
            }
            E::VersionNotFound { by_id: true, .. } => "check the version id, or read a version stage instead".into(),
            E::VersionNotFound { .. } => {
                "check the version stage (AWSCURRENT, AWSPREVIOUS or a custom one the secret has), or clear it".into()
            }
            E::DecryptionFailure { .. } => "grant kms:Decrypt on the secret's KMS key to these credentials".into(),
            E::Throttled { .. } => "wait and retry, or raise the cache TTL so fewer requests are made".into(),
            E::NotJsonObject { .. } => {
                "choose Key/value as the engine type, or store the secret as a JSON object (host, port, username, password, dbname)".into()
            }
            E::MissingDatabaseKeys { .. } => {
                "store the database secret in the RDS shape (engine, host, port, username, password, dbname) or choose Key/value".into()
            }
            E::RequestFailed { .. } => "check the endpoint URL and the region".into(),
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        use AwsError as E;
        match self {
            E::UnknownEndpoint { overridden, .. }
            | E::ConnectionRefused { overridden, .. }
            | E::Timeout { overridden, .. }
            | E::Unreachable { overridden, .. } => Some(if *overridden { "url" } else { "aws_region" }),
            E::Tls { .. } | E::TlsConfig { .. } => Some("tls_ca_cert"),
            E::InvalidKeys { .. } => Some("access_key_id"),
            E::ExpiredCredentials { keys: true, .. } => Some("session_token"),
            E::ExpiredCredentials { .. } | E::NoCredentials { .. } => Some("aws_auth"),
            E::ProfileNotFound { .. } => Some("aws_profile"),
            E::AssumeRoleFailed { .. } => Some("aws_role_arn"),
            E::AccessDenied { .. }
            | E::SecretNotFound { .. }
            | E::SecretDeleted { .. }
            | E::DecryptionFailure { .. } => Some("aws_secret_id"),
            E::VersionNotFound { by_id: true, .. } => Some("aws_version_id"),
            E::VersionNotFound { .. } => Some("aws_version_stage"),
            E::NotJsonObject { .. } | E::MissingDatabaseKeys { .. } => Some("engine_type"),
            E::Throttled { .. } | E::RequestFailed { .. } => None,
        }
    }
}

/// The text of an error and its sources, one line, at most 300 characters.
pub(crate) fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    let text = parts.join(": ").replace('\n', " ");
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// What a request was for, to name failures.
pub(crate) struct Ctx<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub region: &'a str,
    pub endpoint: &'a str,
    pub overridden: bool,
    pub timeout_secs: u64,
    pub keys: bool,
    pub profile: Option<&'a str>,
    /// The version asked for, in words, and whether it is a version id.
    pub version: Option<(&'a str, bool)>,
}

/// Names an SDK failure. Service errors by their AWS error code; transport and credential
/// failures by what the error chain says.
pub(crate) fn map_sdk<E>(e: &SdkError<E, HttpResponse>, ctx: &Ctx<'_>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    if let SdkError::ServiceError(se) = e {
        let err = se.err();
        let status = se.raw().status().as_u16();
        let (mut code, mut message) =
            (err.code().unwrap_or_default().to_owned(), err.message().unwrap_or_default().to_owned());
        if code.is_empty() {
            // An error body in the other protocol's shape (moto answers IAM refusals of
            // JSON-protocol services in XML): read its <Code> and <Message>.
            if let Some(body) = se.raw().body().bytes().and_then(|b| std::str::from_utf8(b).ok()) {
                code = xml_text(body, "Code").unwrap_or_default();
                message = xml_text(body, "Message").unwrap_or_default();
            }
        }
        return map_service(&code, &message, Some(status), ctx);
    }
    let text = chain_text(e);
    map_transport(&text, matches!(e, SdkError::TimeoutError(_)), ctx)
}

/// The text of the first `<tag>` element of an XML body.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].trim().to_owned())
}

/// A service error by its AWS code.
pub(crate) fn map_service(code: &str, message: &str, status: Option<u16>, ctx: &Ctx<'_>) -> AwsError {
    let detail = if message.is_empty() { code.to_owned() } else { message.to_owned() };
    match code {
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken" => AwsError::InvalidKeys { detail },
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            AwsError::ExpiredCredentials { detail, keys: ctx.keys }
        }
        "AccessDenied" | "AccessDeniedException" => AwsError::AccessDenied {
            action: ctx.action.to_owned(),
            resource: ctx.resource.to_owned(),
            detail,
        },
        "ResourceNotFoundException" => {
            // "can't find the specified secret value for staging label: X" / "...for VersionId: X"
            if let (true, Some((label, by_id))) = (message.contains("secret value for"), ctx.version) {
                AwsError::VersionNotFound {
                    secret: ctx.resource.to_owned(),
                    version: label.to_owned(),
                    by_id,
                }
            } else {
                AwsError::SecretNotFound { secret: ctx.resource.to_owned(), region: ctx.region.to_owned() }
            }
        }
        "InvalidRequestException" if message.contains("deletion") || message.contains("deleted") => {
            AwsError::SecretDeleted { secret: ctx.resource.to_owned(), deleted: None }
        }
        "DecryptionFailure" | "DecryptionFailureException" => {
            AwsError::DecryptionFailure { secret: ctx.resource.to_owned(), detail }
        }
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled" => AwsError::Throttled { action: ctx.action.to_owned() },
        _ => AwsError::RequestFailed { action: ctx.action.to_owned(), status, detail },
    }
}

/// A failure before an answer: DNS, connection, TLS, timeout, or the credentials provider.
pub(crate) fn map_transport(text: &str, timed_out: bool, ctx: &Ctx<'_>) -> AwsError {
    let lower = text.to_ascii_lowercase();
    let endpoint = ctx.endpoint.to_owned();
    let overridden = ctx.overridden;
    if let Some(p) = ctx.profile {
        if lower.contains("profile")
            && (lower.contains("not") || lower.contains("missing"))
            && lower.contains(&p.to_ascii_lowercase())
        {
            return AwsError::ProfileNotFound { profile: p.to_owned() };
        }
    }
    if lower.contains("no credentials")
        || lower.contains("no providers in chain")
        || lower.contains("credentials provider was not enabled")
        || lower.contains("failed to load credentials")
        || lower.contains("could not find credentials")
    {
        return AwsError::NoCredentials { detail: text.to_owned() };
    }
    if lower.contains("expired") && lower.contains("token") {
        return AwsError::ExpiredCredentials { detail: text.to_owned(), keys: ctx.keys };
    }
    if timed_out || lower.contains("timed out") || lower.contains("timeout") {
        return AwsError::Timeout { endpoint, secs: ctx.timeout_secs, overridden };
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
        || lower.contains("temporary failure in name resolution")
    {
        return AwsError::UnknownEndpoint { endpoint, overridden };
    }
    if lower.contains("connection refused") {
        return AwsError::ConnectionRefused { endpoint, overridden };
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return AwsError::Tls { endpoint, detail: text.to_owned() };
    }
    AwsError::Unreachable { endpoint, detail: text.to_owned(), overridden }
}
