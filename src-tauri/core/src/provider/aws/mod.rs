//! AWS Secrets Manager through the official SDK (`aws-config`, `aws-sdk-secretsmanager`,
//! `aws-sdk-sts`) on rustls with ring: no hand-written signing.
//!
//! | file | what |
//! |---|---|
//! | `config.rs` | the configuration's validation (region, secret, version, login, role) |
//! | `client.rs` | the SDK clients: HTTP/TLS, timeouts, retries, credentials |
//! | `secret.rs` | GetSecretValue shaped for the engine type, DescribeSecret, GetCallerIdentity |
//! | `session.rs` | the per-vault cache, single-flight reads |
//! | `probe.rs` | the staged Test |
//! | `error.rs` | every named failure, with hint and form field |

pub mod client;
pub mod config;
pub mod error;
pub mod probe;
pub mod secret;
pub mod session;

pub use client::AwsClient;
pub use error::AwsError;
pub use probe::test_aws_with_progress;
pub use secret::{AwsSecret, AwsSecretInfo};
pub use session::AwsSession;
