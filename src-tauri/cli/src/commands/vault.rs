//! `vaultdesk vault ...`.

use vaultdesk_core::ops::TestTarget;
use vaultdesk_core::{AuthMethod, Core, CredentialsPatch, VaultPatch};

use crate::cli::{IdSources, ReuseCredentials, VaultCommand};
use crate::exit::{self, usage, Failure};
use crate::ids::{missing_id, read_id};
use crate::output::{print_json, print_report, print_table, print_vault};

/// The login secrets given for this command, for login method `method` (the flags' `--auth`, or
/// the stored vault's): a file flag, else (when `env`) the method's environment variable, else
/// (when `prompt`, on a terminal) a no-echo prompt. `--token-from-env` imports $VAULT_TOKEN or
/// ~/.vault-token once.
fn ids(
    ids: &IdSources,
    method: AuthMethod,
    env: bool,
    prompt: bool,
    reuse: &ReuseCredentials,
) -> Result<CredentialsPatch, Failure> {
    let mut stdin_used = false;
    if method.provider() == vaultdesk_core::Provider::AwsSecretsManager {
        return aws_keys(ids, method, env, prompt, reuse, &mut stdin_used);
    }
    let aws_flags = [
        ids.access_key_id_file.is_some(),
        ids.secret_access_key_file.is_some(),
        ids.session_token_file.is_some(),
    ];
    if aws_flags.contains(&true) {
        return Err(usage("--access-key-id-file, --secret-access-key-file and --session-token-file apply only to AWS (--provider aws)"));
    }
    let secret_flags = [
        ("--secret-id-file", ids.secret_id_file.is_some()),
        ("--wrapped-secret-id-file", ids.wrapped_secret_id_file.is_some()),
        ("--token-file", ids.token_file.is_some()),
        ("--token-from-env", ids.token_from_env),
        ("--password-file", ids.password_file.is_some()),
        ("--jwt-file", ids.jwt_file.is_some()),
    ];
    let given: Vec<&str> = secret_flags.iter().filter(|(_, on)| *on).map(|(f, _)| *f).collect();
    if given.len() > 1 {
        return Err(usage(format!("give only one of {}", given.join(", "))));
    }
    let fits = match given.first().copied() {
        None => true,
        Some("--secret-id-file" | "--wrapped-secret-id-file") => method == AuthMethod::Approle,
        Some("--token-file" | "--token-from-env") => method == AuthMethod::Token,
        Some("--jwt-file") => method == AuthMethod::Jwt,
        Some(_) => matches!(method, AuthMethod::Userpass | AuthMethod::Ldap),
    };
    if !fits {
        return Err(usage(format!(
            "{} does not apply to the login method {} (choose the method with --auth)",
            given[0],
            method.as_str()
        )));
    }
    if ids.role_id_file.is_some() && method != AuthMethod::Approle {
        return Err(usage(format!("--role-id-file applies only to AppRole, not {}", method.as_str())));
    }
    let role_id = if method == AuthMethod::Approle {
        read_id(&ids.role_id_file, ("VAULTDESK_ROLE_ID", env), "Role ID", prompt, &mut stdin_used)?
    } else {
        None
    };
    let secret_id = match method {
        AuthMethod::Approle if ids.wrapped_secret_id_file.is_some() => {
            read_id(&ids.wrapped_secret_id_file, ("", false), "wrapping token", false, &mut stdin_used)?
        }
        AuthMethod::Approle => {
            read_id(&ids.secret_id_file, ("VAULTDESK_SECRET_ID", env), "Secret ID", prompt, &mut stdin_used)?
        }
        AuthMethod::Token if ids.token_from_env => None,
        AuthMethod::Token => {
            read_id(&ids.token_file, ("VAULTDESK_TOKEN", env), "Token", prompt, &mut stdin_used)?
        }
        AuthMethod::Userpass | AuthMethod::Ldap => {
            read_id(&ids.password_file, ("VAULTDESK_PASSWORD", env), "Password", prompt, &mut stdin_used)?
        }
        AuthMethod::Jwt => read_id(&ids.jwt_file, ("VAULTDESK_JWT", env), "JWT", prompt, &mut stdin_used)?,
        AuthMethod::AwsKeys | AuthMethod::AwsDefault => None,
        // Signed in with `vault login`, not given here.
        AuthMethod::Oidc => None,
    };
    Ok(CredentialsPatch {
        role_id,
        secret_id,
        reuse_credentials: reuse.reuse_credentials,
        secret_id_wrapped: ids.wrapped_secret_id_file.is_some(),
        // The core reads $VAULT_TOKEN / ~/.vault-token (the window's import button does the same).
        token_from_env: ids.token_from_env,
    })
}

/// AWS access keys for this command: the Access Key ID and Secret Access Key from their file
/// flags, else (when `env`) $VAULTDESK_AWS_ACCESS_KEY_ID / $VAULTDESK_AWS_SECRET_ACCESS_KEY,
/// else (when `prompt`, on a terminal) no-echo prompts; an optional session token from its file
/// or $VAULTDESK_AWS_SESSION_TOKEN. The default chain takes none of them.
fn aws_keys(
    ids: &IdSources,
    method: AuthMethod,
    env: bool,
    prompt: bool,
    reuse: &ReuseCredentials,
    stdin_used: &mut bool,
) -> Result<CredentialsPatch, Failure> {
    let vault_flags = [
        ("--role-id-file", ids.role_id_file.is_some()),
        ("--secret-id-file", ids.secret_id_file.is_some()),
        ("--wrapped-secret-id-file", ids.wrapped_secret_id_file.is_some()),
        ("--token-file", ids.token_file.is_some()),
        ("--token-from-env", ids.token_from_env),
        ("--password-file", ids.password_file.is_some()),
        ("--jwt-file", ids.jwt_file.is_some()),
    ];
    if let Some((flag, _)) = vault_flags.iter().find(|(_, on)| *on) {
        return Err(usage(format!("{flag} applies only to HashiCorp Vault, not to AWS Secrets Manager")));
    }
    let none = CredentialsPatch { reuse_credentials: reuse.reuse_credentials, ..CredentialsPatch::default() };
    if method == AuthMethod::AwsDefault {
        let given = [
            ids.access_key_id_file.is_some(),
            ids.secret_access_key_file.is_some(),
            ids.session_token_file.is_some(),
        ];
        if given.contains(&true) {
            return Err(usage(
                "--aws-auth default stores no keys: drop the key file flags, or use --aws-auth keys",
            ));
        }
        return Ok(none);
    }
    let key_id = read_id(
        &ids.access_key_id_file,
        ("VAULTDESK_AWS_ACCESS_KEY_ID", env),
        "Access Key ID",
        prompt,
        stdin_used,
    )?;
    let secret = read_id(
        &ids.secret_access_key_file,
        ("VAULTDESK_AWS_SECRET_ACCESS_KEY", env),
        "Secret Access Key",
        prompt,
        stdin_used,
    )?;
    let token = read_id(
        &ids.session_token_file,
        ("VAULTDESK_AWS_SESSION_TOKEN", env),
        "session token",
        false,
        stdin_used,
    )?;
    let secret = match (secret, token) {
        (Some(s), t) => Some(vaultdesk_core::Credentials::aws_keys(
            vaultdesk_core::SecretString::from(String::new()),
            &s,
            t.as_ref(),
        )),
        (None, Some(_)) => {
            return Err(usage(
                "a session token goes with its Secret Access Key: give --secret-access-key-file too",
            ))
        }
        (None, None) => None,
    };
    let secret = secret.map(|c| c.parts().1.clone());
    Ok(CredentialsPatch { role_id: key_id, secret_id: secret, ..none })
}

/// The login method a command works with: its `--auth` (or `--aws-auth`) flag, else the stored
/// vault's, else the provider's default (AppRole; AWS: access keys).
fn method_of(
    flag: Option<&str>,
    provider: Option<&str>,
    stored: Option<&vaultdesk_core::Vault>,
) -> Result<AuthMethod, Failure> {
    let aws = match provider.and_then(vaultdesk_core::Provider::parse) {
        Some(p) => p == vaultdesk_core::Provider::AwsSecretsManager,
        None => stored.is_some_and(|v| v.spec.provider == vaultdesk_core::Provider::AwsSecretsManager),
    };
    match flag {
        Some(m) => match AuthMethod::parse(m) {
            Some(m) if (m.provider() == vaultdesk_core::Provider::AwsSecretsManager) == aws => Ok(m),
            Some(_) if aws => {
                Err(usage("--auth is Vault's login method: for AWS use --aws-auth keys|default"))
            }
            Some(_) => Err(usage("--aws-auth applies only to AWS (--provider aws)")),
            None => Err(usage(format!(
                "--auth: \"{m}\" is not a login method: use approle, token, userpass, ldap or jwt"
            ))),
        },
        None => Ok(match stored {
            Some(v) if (v.spec.provider == vaultdesk_core::Provider::AwsSecretsManager) == aws => {
                v.spec.auth_method
            }
            _ if aws => AuthMethod::AwsKeys,
            _ => AuthMethod::default(),
        }),
    }
}

/// The missing-secret error of an `add` for `method`.
fn missing_secret(method: AuthMethod) -> Failure {
    match method {
        AuthMethod::Approle => missing_id("Secret ID", "secret-id", "VAULTDESK_SECRET_ID"),
        AuthMethod::Token => missing_id("token", "token", "VAULTDESK_TOKEN"),
        AuthMethod::Userpass | AuthMethod::Ldap => missing_id("password", "password", "VAULTDESK_PASSWORD"),
        AuthMethod::Jwt => missing_id("JWT", "jwt", "VAULTDESK_JWT"),
        AuthMethod::AwsKeys => {
            missing_id("Secret Access Key", "secret-access-key", "VAULTDESK_AWS_SECRET_ACCESS_KEY")
        }
        AuthMethod::AwsDefault => usage("the default credential chain needs no keys"),
        AuthMethod::Oidc => usage("an OIDC vault needs no secret: add it, then `vaultdesk vault login NAME`"),
    }
}

pub(super) async fn run(core: &Core, cmd: VaultCommand) -> Result<(), Failure> {
    match cmd {
        VaultCommand::Add { name, fields, ids: sources } => {
            let method = method_of(fields.auth_method().as_deref(), fields.provider(), None)?;
            let given = ids(&sources, method, true, true, &ReuseCredentials { reuse_credentials: false })?;
            if method == AuthMethod::Approle && given.role_id.is_none() {
                return Err(missing_id("Role ID", "role-id", "VAULTDESK_ROLE_ID"));
            }
            if method == AuthMethod::AwsKeys && given.role_id.is_none() {
                return Err(missing_id("Access Key ID", "access-key-id", "VAULTDESK_AWS_ACCESS_KEY_ID"));
            }
            if given.secret_id.is_none() && !given.token_from_env && method.stores_secret() {
                return Err(missing_secret(method));
            }
            let tls = fields.tls();
            let input = fields.input(name, tls).with_env_defaults();
            let added = core.add_vault(input, given).await?;
            let spec = &added.vault.spec;
            let kept = match spec.auth_method {
                AuthMethod::Approle => "Role ID and Secret ID are",
                AuthMethod::Token => "the token is",
                AuthMethod::Userpass | AuthMethod::Ldap => "the password is",
                AuthMethod::Jwt => "the JWT is",
                AuthMethod::AwsKeys => "the access keys are",
                AuthMethod::AwsDefault => "",
                AuthMethod::Oidc => "nothing is stored until `vaultdesk vault login` (OIDC) — the token is",
            };
            match &spec.aws {
                Some(aws) if spec.auth_method.stores_secret() => outln!(
                    "Added vault \"{}\" (AWS Secrets Manager, {} in {}, {}); {kept} in the OS keyring.",
                    spec.name,
                    aws.secret_id,
                    aws.region,
                    spec.engine_type.as_str()
                ),
                Some(aws) => outln!(
                    "Added vault \"{}\" (AWS Secrets Manager, {} in {}, {}); it logs in with the default \
                     credential chain{}: nothing is stored in the OS keyring.",
                    spec.name,
                    aws.secret_id,
                    aws.region,
                    spec.engine_type.as_str(),
                    aws.profile.as_deref().map(|p| format!(" (profile {p})")).unwrap_or_default()
                ),
                None => outln!(
                    "Added vault \"{}\" ({} at {}, login {}); {kept} in the OS keyring.",
                    spec.name,
                    spec.engine_type.as_str(),
                    spec.url,
                    spec.auth_method.as_str()
                ),
            }
        }
        VaultCommand::List { json } => {
            let vaults = core.list_vaults().await?;
            if json {
                print_json(&vaults)?;
            } else if vaults.is_empty() {
                outln!("No vaults yet. Add one with `vaultdesk vault add NAME --url URL ...`.");
            } else {
                print_table(&vaults)?;
            }
        }
        VaultCommand::Show { name, json } => {
            let details = core.show_vault(name).await?;
            if json {
                print_json(&details)?;
            } else {
                let keyring = &details.keyring;
                print_vault(&details.summary.vault)?;
                let method = details.summary.vault.spec.auth_method;
                if details.summary.vault.needs_credentials {
                    let name = &details.summary.vault.spec.name;
                    let flags = if method.uses_role_id() {
                        format!(
                            "--{}-file F --{}-file F",
                            method.role_id_field().replace('_', "-"),
                            method.secret_field().replace('_', "-")
                        )
                    } else {
                        format!("--{}-file F", method.secret_field().replace('_', "-"))
                    };
                    outln!(
                        "{:<16}needs credentials: imported without them, nothing in the OS keyring yet; \
                         supply them with `vaultdesk vault update {name} {flags}`",
                        "Credentials"
                    );
                } else if method == AuthMethod::AwsKeys {
                    outln!(
                        "{:<16}Access Key ID and Secret Access Key (with the session token, if any) in the OS \
                         keyring: service \"{}\", accounts {} and {}",
                        "Credentials",
                        keyring.service,
                        keyring.role_id_account,
                        keyring.secret_id_account
                    );
                } else if !method.stores_secret() {
                    outln!(
                        "{:<16}none stored: the AWS SDK's default credential chain (environment, ~/.aws \
                         files{}, SSO, web identity, instance role)",
                        "Credentials",
                        details
                            .summary
                            .vault
                            .spec
                            .aws
                            .as_ref()
                            .and_then(|a| a.profile.as_deref())
                            .map(|p| format!(" with profile {p}"))
                            .unwrap_or_default()
                    );
                } else if method.uses_role_id() {
                    outln!(
                        "{:<16}Role ID and Secret ID in the OS keyring: service \"{}\", accounts {} and {}",
                        "Credentials",
                        keyring.service,
                        keyring.role_id_account,
                        keyring.secret_id_account
                    );
                } else {
                    outln!(
                        "{:<16}the {} in the OS keyring: service \"{}\", account {}",
                        "Credentials",
                        method.secret_label(),
                        keyring.service,
                        keyring.secret_id_account
                    );
                }
                let users = &details.summary.used_by;
                let users = if users.is_empty() { "(no connectors)".to_owned() } else { users.join(", ") };
                outln!("{:<16}{users}", "Used by");
            }
        }
        VaultCommand::Update { name, rename, fields, ids: sources, reuse } => {
            let stored = core.find_vault(name.clone()).await?;
            let method = method_of(fields.auth_method().as_deref(), fields.provider(), stored.as_ref())?;
            let creds = ids(&sources, method, sources.ids_from_env, false, &reuse)?;
            let replaced: Vec<&str> = [
                (method.role_id_label(), creds.role_id.is_some()),
                (method.secret_label(), creds.secret_id.is_some()),
            ]
            .into_iter()
            .filter_map(|(n, on)| on.then_some(n))
            .collect();
            let tls = fields.tls();
            let patch = VaultPatch { rename, ..fields.patch(tls) };
            let updated = core.update_vault(name, patch, creds).await?;
            let ids_note = if replaced.is_empty() {
                match updated.vault.spec.auth_method {
                    AuthMethod::Approle => String::from("; Role ID and Secret ID unchanged"),
                    AuthMethod::Oidc => String::new(),
                    m => format!("; the {} unchanged", m.secret_label()),
                }
            } else {
                format!("; replaced {} in the OS keyring", replaced.join(" and "))
            };
            outln!("Updated vault \"{}\"{ids_note}.", updated.vault.spec.name);
        }
        VaultCommand::Test { name, json, fields, ids: sources, reuse } => {
            let saved = core.find_vault(name.clone()).await?;
            // An unsaved configuration takes its IDs like `add`; a stored one only when asked.
            let unsaved = saved.is_none();
            let method = method_of(fields.auth_method().as_deref(), fields.provider(), saved.as_ref())?;
            let creds = ids(&sources, method, unsaved || sources.ids_from_env, unsaved, &reuse)?;
            let tls = fields.tls();
            let target = match &saved {
                Some(v) => TestTarget::Stored { name: v.spec.name.clone(), patch: fields.patch(tls) },
                None => TestTarget::Unsaved(fields.input(name, tls).with_env_defaults()),
            };
            let (spec, report) = core.test_vault(target, creds, &mut |_| {}).await?;
            core.close().await;
            if json {
                print_json(&report)?;
            } else {
                print_report(&spec.name, unsaved, &spec.url, &report)?;
            }
            if let Some(f) = report.failure() {
                return Err(Failure { code: exit::VAULT, message: format!("{}; {}", f.message, f.hint) });
            }
        }
        VaultCommand::Login { name, remember, no_browser, timeout } => {
            let secs = vaultdesk_core::validate::parse_duration_secs(&timeout)
                .map_err(|m| usage(format!("--timeout: {m}")))?;
            let pending = core.oidc_login_start(name).await?;
            outln!(
                "Sign in at this address (waiting up to {}):",
                vaultdesk_core::duration::format_duration(secs)
            );
            outln!("{}", pending.auth_url());
            if !no_browser {
                vaultdesk_core::desktop::open_url(pending.auth_url());
            }
            let report =
                core.oidc_login_finish(pending, remember, std::time::Duration::from_secs(secs)).await?;
            outln!("{}", report.message);
        }
        VaultCommand::Refresh { name } => {
            let r = core.refresh_vault(name).await?;
            outln!("{}", r.message);
        }
        VaultCommand::ExportConfig(args) => super::config::export(core, args).await?,
        VaultCommand::ImportConfig(args) => super::config::import(core, args).await?,
        VaultCommand::Remove { name, force } => {
            let vault = core.remove_vault(name, force).await?;
            outln!("Removed vault \"{}\" and its keyring entries.", vault.spec.name);
        }
    }
    Ok(())
}
