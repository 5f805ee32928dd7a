//! Exit codes (documented in the README and in `--help`) and how a core error becomes one, with
//! a message that names the command-line flag of each invalid field.

use vaultdesk_core::{Error, ErrorCode};

/// Not a failure: the output's reader went away (a closed pipe); the command stops quietly.
pub(crate) const SUCCESS: u8 = 0;
pub(crate) const INTERNAL: u8 = 1;
pub(crate) const USAGE: u8 = 2;
pub(crate) const INVALID_INPUT: u8 = 3;
pub(crate) const NOT_FOUND: u8 = 4;
pub(crate) const ALREADY_EXISTS: u8 = 5;
pub(crate) const KEYRING_UNAVAILABLE: u8 = 6;
pub(crate) const STORAGE: u8 = 7;
pub(crate) const VAULT: u8 = 8;
pub(crate) const IN_USE: u8 = 9;
pub(crate) const OUT_OF_STEP: u8 = 10;
pub(crate) const NEEDS_CREDENTIALS: u8 = 11;
pub(crate) const LINT_FINDINGS: u8 = 12;

pub(crate) const EXIT_CODES_HELP: &str = "\
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
  9  in use (vault remove while connectors use the vault; --force removes anyway; an engine
     change that connectors using the vault would no longer fit)
 10  doctor: something is out of step and was not repaired
 11  the vault needs credentials (imported without them): `vault update NAME` with its IDs
 12  connector lint: a connector holds a secret as a literal value
130  interrupted (SIGINT) / 143 (SIGTERM), after the change in progress was finished";

/// A failure of this command: what to print and how to exit.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match e.code() {
            ErrorCode::InvalidInput => INVALID_INPUT,
            ErrorCode::NotFound => NOT_FOUND,
            ErrorCode::AlreadyExists => ALREADY_EXISTS,
            ErrorCode::KeyringUnavailable => KEYRING_UNAVAILABLE,
            ErrorCode::Storage => STORAGE,
            ErrorCode::Vault => VAULT,
            ErrorCode::InUse => IN_USE,
            ErrorCode::NeedsCredentials => NEEDS_CREDENTIALS,
            ErrorCode::CredentialMissing | ErrorCode::Keyring | ErrorCode::Internal => INTERNAL,
            // Like a missing Secret ID source: the command needs one more input.
            ErrorCode::ConfirmCredentials => USAGE,
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
                        "aws_region" => "--region".to_owned(),
                        "aws_secret_id" => "--secret-name".to_owned(),
                        "aws_version_stage" => "--version-stage".to_owned(),
                        "aws_version_id" => "--version-id".to_owned(),
                        "aws_profile" => "--profile".to_owned(),
                        "aws_role_arn" => "--role-arn".to_owned(),
                        "aws_external_id" => "--external-id".to_owned(),
                        "aws_auth" => "--aws-auth".to_owned(),
                        "access_key_id" => "--access-key-id-file".to_owned(),
                        "secret_access_key" => "--secret-access-key-file".to_owned(),
                        "session_token" => "--session-token-file".to_owned(),
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
            Error::InvalidImport(errs) => {
                let mut m = String::from("invalid configuration file, nothing was imported:");
                for f in &errs.0 {
                    m.push_str(&format!("\n  {}: {}", f.field, f.message));
                }
                m
            }
            Error::VaultInUse { name, .. } => format!("{e} with `vaultdesk vault remove {name} --force`"),
            Error::CredentialsForOtherServer(_) => format!(
                "{e}: pass --secret-id-file FILE ('-' for standard input) or $VAULTDESK_SECRET_ID with \
                 --ids-from-env, or --reuse-credentials"
            ),
            other => other.to_string(),
        };
        Failure { code, message }
    }
}

/// Writes the command's output to standard output. A closed pipe becomes the quiet
/// [`SUCCESS`] "failure" that stops the command; any other write error is reported.
pub(crate) fn write_out(text: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_fmt(text).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Err(Failure { code: SUCCESS, message: String::new() })
        }
        Err(e) => Err(internal(format!("cannot write the output: {e}"))),
    }
}

pub(crate) fn usage(message: impl Into<String>) -> Failure {
    Failure { code: USAGE, message: message.into() }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Failure {
    Failure { code: INTERNAL, message: e.to_string() }
}
