//! An AWS Secrets Manager vault's configuration, validated: region, secret (name or ARN),
//! version (stage or id), login (access keys or the default chain, with a profile), an optional
//! role to assume, the endpoint override, and the settings shared with Vault (cache TTL,
//! timeouts, CA file). Fields that only Vault has are refused by name rather than ignored.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{AuthMethod, AwsInput, AwsSpec, EngineType, Provider, VaultInput, VaultSpec};
use crate::validate::{opt, parse_duration_secs, validate_tls, validate_url, ValidationErrors};

fn re(pattern: &str) -> Regex {
    // Constants of this file; a typo is a bug caught by every test run.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant regex compiles")
}

/// `us-east-1`, `eu-central-2`, `ap-southeast-4`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`.
static REGION_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"));
/// A secret name as Secrets Manager accepts it.
static NAME_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9/_+=.@-]{1,512}$"));
static SECRET_ARN_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^arn:aws(-[a-z]+)*:secretsmanager:([a-z]{2}(-[a-z]+)+-[0-9]{1,2}):[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$",
    )
});
static STAGE_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9_.@+=-]{1,256}$"));
static VERSION_ID_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9-]{32,64}$"));
static PROFILE_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9_.@+-]{1,128}$"));
static ROLE_ARN_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"));
static EXTERNAL_ID_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9+=,.@:/_-]{2,1224}$"));

/// Which AWS fields of `a` are set, by field name (for refusing them on a Vault vault).
pub(crate) fn given_fields(a: &AwsInput) -> [(&'static str, bool); 7] {
    [
        ("aws_region", opt(&a.aws_region).is_some()),
        ("aws_secret_id", opt(&a.aws_secret_id).is_some()),
        ("aws_version_stage", opt(&a.aws_version_stage).is_some()),
        ("aws_version_id", opt(&a.aws_version_id).is_some()),
        ("aws_profile", opt(&a.aws_profile).is_some()),
        ("aws_role_arn", opt(&a.aws_role_arn).is_some()),
        ("aws_external_id", opt(&a.aws_external_id).is_some()),
    ]
}

/// The login method of an AWS form: `aws_keys` (also `keys`, the default) or `aws_default`
/// (also `default`).
pub fn parse_auth(raw: Option<&str>) -> Option<AuthMethod> {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "keys" | "aws_keys") => Some(AuthMethod::AwsKeys),
        Some("default" | "aws_default" | "chain") => Some(AuthMethod::AwsDefault),
        _ => None,
    }
}

/// Validates an AWS form (the provider already parsed), reporting every invalid field at once.
pub(crate) fn validate(
    input: &VaultInput,
    name: Option<String>,
    mut errs: ValidationErrors,
) -> Result<VaultSpec, ValidationErrors> {
    let a = &input.aws;

    let url = match input.url.trim() {
        "" => Some(String::new()),
        raw => match validate_url(raw) {
            Ok(u) if crate::validate::is_remote_plain_http(&u) && input.tls.allow_http != Some(true) => {
                errs.push(
                    "url",
                    "is plain HTTP to another machine: the signed requests and the secret would cross \
                     the network unencrypted. Use https://, or allow plain HTTP explicitly",
                );
                None
            }
            Ok(u) => Some(u),
            Err(m) => {
                errs.push(
                    "url",
                    m.replace(
                        "e.g. https://vault.example.com:8200",
                        "e.g. https://vpce-....secretsmanager.us-east-1.vpce.amazonaws.com",
                    ),
                );
                None
            }
        },
    };

    let method = parse_auth(input.auth_method.as_deref());
    if method.is_none() {
        errs.push(
            "auth_method",
            format!(
                "\"{}\" is not an AWS login: use keys (access keys) or default (the default credential chain)",
                input.auth_method.as_deref().unwrap_or_default().trim()
            ),
        );
    }

    let region = match opt(&a.aws_region) {
        None => {
            errs.push("aws_region", "is required, e.g. us-east-1");
            None
        }
        Some(r) if REGION_RE.is_match(r) => Some(r.to_owned()),
        Some(r) => {
            errs.push(
                "aws_region",
                format!("\"{r}\" is not a region: write it like us-east-1, eu-central-2, us-gov-west-1 or cn-north-1"),
            );
            None
        }
    };

    let secret_id = match opt(&a.aws_secret_id) {
        None => {
            errs.push("aws_secret_id", "is required: the secret's name or ARN");
            None
        }
        Some(s) if s.starts_with("arn:") => match SECRET_ARN_RE.captures(s) {
            Some(c) => {
                let arn_region = c.get(2).map_or("", |m| m.as_str());
                if region.as_deref().is_some_and(|r| r != arn_region) {
                    errs.push(
                        "aws_secret_id",
                        format!(
                            "is in region {arn_region}, but the vault's region is {}",
                            region.as_deref().unwrap_or_default()
                        ),
                    );
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            None => {
                errs.push(
                    "aws_secret_id",
                    "is not a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)",
                );
                None
            }
        },
        Some(s) if NAME_RE.is_match(s) => Some(s.to_owned()),
        Some(s) => {
            errs.push(
                "aws_secret_id",
                format!(
                    "\"{}\" is not a secret name: up to 512 letters, digits and / _ + = . @ -",
                    s.escape_default()
                ),
            );
            None
        }
    };

    let version_stage = opt(&a.aws_version_stage).and_then(|s| {
        if STAGE_RE.is_match(s) {
            Some(s.to_owned())
        } else {
            errs.push(
                "aws_version_stage",
                format!("\"{}\" is not a version stage (e.g. AWSCURRENT, AWSPREVIOUS)", s.escape_default()),
            );
            None
        }
    });
    let version_id = opt(&a.aws_version_id).and_then(|s| {
        if VERSION_ID_RE.is_match(s) {
            Some(s.to_owned())
        } else {
            errs.push(
                "aws_version_id",
                format!("\"{}\" is not a version id (32 to 64 letters, digits and -)", s.escape_default()),
            );
            None
        }
    });
    if version_stage.is_some() && version_id.is_some() {
        errs.push("aws_version_id", "give a version stage or a version id, not both");
    }

    let profile = match (opt(&a.aws_profile), method) {
        (None, _) => None,
        (Some(_), Some(AuthMethod::AwsKeys)) => {
            errs.push("aws_profile", "applies only to the default credential chain, not to access keys");
            None
        }
        (Some(p), _) if PROFILE_RE.is_match(p) => Some(p.to_owned()),
        (Some(p), _) => {
            errs.push("aws_profile", format!("\"{}\" is not a profile name", p.escape_default()));
            None
        }
    };
    let role_arn = opt(&a.aws_role_arn).and_then(|r| {
        if ROLE_ARN_RE.is_match(r) {
            Some(r.to_owned())
        } else {
            errs.push("aws_role_arn", "is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
            None
        }
    });
    let external_id = match opt(&a.aws_external_id) {
        None => None,
        Some(_) if opt(&a.aws_role_arn).is_none() => {
            errs.push("aws_external_id", "applies only with a role to assume (Assume role ARN)");
            None
        }
        Some(x) if EXTERNAL_ID_RE.is_match(x) => Some(x.to_owned()),
        Some(_) => {
            errs.push(
                "aws_external_id",
                "is not an external id: 2 to 1224 letters, digits and + = , . @ : / _ -",
            );
            None
        }
    };

    let engine_type = match input.engine_type.trim() {
        "" | "kv" => Some(EngineType::Kv),
        t => {
            match EngineType::parse(t) {
                Some(e @ (EngineType::Postgresql | EngineType::Mysql | EngineType::Mariadb)) => Some(e),
                _ => {
                    errs.push(
                    "engine_type",
                    format!("\"{t}\" is not an AWS engine type: use kv (key/value), postgresql, mysql or mariadb"),
                );
                    None
                }
            }
        }
    };

    // What only Vault has: refused by name, not silently dropped.
    let vault_only: [(&str, bool); 10] = [
        ("namespace", opt(&input.namespace).is_some()),
        ("auth_mount", opt(&input.auth_mount).is_some()),
        ("auth_username", opt(&input.auth_username).is_some()),
        ("auth_role", opt(&input.auth_role).is_some()),
        ("login_namespace", opt(&input.login_namespace).is_some()),
        ("engine_name", !input.engine_name.trim().is_empty()),
        ("path", opt(&input.path).is_some()),
        ("db_role", opt(&input.db_role).is_some()),
        ("connection_name", opt(&input.connection_name).is_some()),
        ("kv_version", opt(&input.kv_version).is_some()),
    ];
    for (field, given) in vault_only {
        if given {
            errs.push(field, "applies only to HashiCorp Vault, not to AWS Secrets Manager");
        }
    }
    let tls_input = &input.tls;
    if opt(&tls_input.tls_client_cert).is_some() || opt(&tls_input.tls_client_key).is_some() {
        errs.push("tls_client_cert", "is not supported for AWS Secrets Manager (no mutual TLS)");
    }
    if tls_input.tls_skip_verify == Some(true) || tls_input.tls_skip_hostname == Some(true) {
        errs.push(
            "tls_skip_verify",
            "is not supported for AWS Secrets Manager: set a CA certificate instead",
        );
    }
    let tls = validate_tls(
        &crate::model::TlsInput {
            tls_client_cert: None,
            tls_client_key: None,
            tls_skip_verify: None,
            tls_skip_hostname: None,
            ..tls_input.clone()
        },
        &mut errs,
    );

    let cache_ttl_secs = match opt(&input.cache_ttl) {
        None => Some(crate::validate::DEFAULT_CACHE_TTL_SECS),
        Some(t) => parse_duration_secs(t).map_err(|m| errs.push("cache_ttl", m)).ok(),
    };

    match (name, url, method, region, secret_id, engine_type, cache_ttl_secs) {
        (
            Some(name),
            Some(url),
            Some(auth_method),
            Some(region),
            Some(secret_id),
            Some(engine_type),
            Some(cache_ttl_secs),
        ) if errs.is_empty() => Ok(VaultSpec {
            name,
            provider: Provider::AwsSecretsManager,
            url,
            namespace: None,
            auth_method,
            auth_mount: String::new(),
            auth_username: None,
            auth_role: None,
            login_namespace: None,
            engine_name: String::new(),
            engine_type,
            path: None,
            db_role: None,
            connection_name: None,
            kv_version: None,
            cache_ttl_secs,
            tls,
            aws: Some(AwsSpec {
                region,
                secret_id,
                version_stage,
                version_id,
                profile,
                role_arn,
                external_id,
            }),
        }),
        _ => Err(errs),
    }
}

impl AwsSpec {
    /// What a read asks for, in words: `stage AWSCURRENT`, `version id ...`.
    pub fn version_label(&self) -> String {
        match (&self.version_id, &self.version_stage) {
            (Some(id), _) => format!("version id {id}"),
            (None, Some(s)) => format!("stage {s}"),
            (None, None) => "stage AWSCURRENT".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{AuthMethod, AwsInput, EngineType, VaultInput};
    use crate::validate::validate_input;

    fn input(tweak: impl FnOnce(&mut VaultInput)) -> VaultInput {
        let mut i = VaultInput {
            name: "a".into(),
            provider: Some("aws".into()),
            aws: AwsInput {
                aws_region: Some("us-east-1".into()),
                aws_secret_id: Some("prod/app".into()),
                ..AwsInput::default()
            },
            ..VaultInput::default()
        };
        tweak(&mut i);
        i
    }

    fn fields(i: &VaultInput) -> Vec<String> {
        validate_input(i).expect_err("invalid").0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_minimal_aws_form_is_key_value_with_access_keys_at_the_regions_endpoint() {
        let spec = validate_input(&input(|_| {})).expect("valid");
        assert_eq!(spec.engine_type, EngineType::Kv);
        assert_eq!(spec.auth_method, AuthMethod::AwsKeys);
        assert_eq!(spec.url, "", "no endpoint override");
        let aws = spec.aws.expect("AWS settings");
        assert_eq!((aws.region.as_str(), aws.secret_id.as_str()), ("us-east-1", "prod/app"));
        assert_eq!(aws.version_label(), "stage AWSCURRENT");
    }

    #[test]
    fn regions_of_every_partition_pass_and_others_are_named() {
        for r in
            ["us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-north-1", "us-isob-east-1"]
        {
            assert!(validate_input(&input(|i| i.aws.aws_region = Some(r.into()))).is_ok(), "{r}");
        }
        for r in ["", "useast1", "US-EAST-1", "us-east", "us_east_1", "us-east-1a"] {
            assert_eq!(fields(&input(|i| i.aws.aws_region = Some(r.into()))), ["aws_region"], "{r:?}");
        }
    }

    #[test]
    fn a_secret_arn_must_be_of_the_vaults_region() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf";
        assert_eq!(fields(&input(|i| i.aws.aws_secret_id = Some(arn.into()))), ["aws_secret_id"]);
        assert!(validate_input(&input(|i| {
            i.aws.aws_secret_id = Some(arn.into());
            i.aws.aws_region = Some("eu-west-1".into());
        }))
        .is_ok());
        assert_eq!(
            fields(&input(|i| i.aws.aws_secret_id = Some("arn:aws:s3:::bucket".into()))),
            ["aws_secret_id"]
        );
        assert_eq!(fields(&input(|i| i.aws.aws_secret_id = Some("has space".into()))), ["aws_secret_id"]);
    }

    #[test]
    fn every_misfit_field_is_named_at_once() {
        let i = input(|i| {
            i.aws.aws_version_stage = Some("AWSPREVIOUS".into());
            i.aws.aws_version_id = Some("0123456789abcdef0123456789abcdef".into());
            i.aws.aws_profile = Some("prod".into());
            i.aws.aws_external_id = Some("xid".into());
            i.namespace = Some("team".into());
            i.engine_type = "kv2".into();
            i.tls.tls_skip_verify = Some(true);
        });
        let mut got = fields(&i);
        got.sort();
        assert_eq!(
            got,
            [
                "aws_external_id",
                "aws_profile",
                "aws_version_id",
                "engine_type",
                "namespace",
                "tls_skip_verify"
            ],
            "stage and id together, a profile with access keys, an external id without a role, a Vault \
             field, a Vault engine type, skipped verification"
        );
        let chain = validate_input(&input(|i| {
            i.auth_method = Some("default".into());
            i.aws.aws_profile = Some("prod".into());
        }))
        .expect("a profile with the default chain");
        assert_eq!(chain.auth_method, AuthMethod::AwsDefault);
    }

    #[test]
    fn aws_fields_on_a_vault_form_and_vault_logins_on_an_aws_form_are_refused() {
        let vault = VaultInput {
            name: "v".into(),
            url: "https://vault.example.com".into(),
            engine_name: "kv".into(),
            engine_type: "kv2".into(),
            path: Some("app".into()),
            aws: AwsInput { aws_region: Some("us-east-1".into()), ..AwsInput::default() },
            ..VaultInput::default()
        };
        assert_eq!(fields(&vault), ["aws_region"]);
        assert_eq!(fields(&input(|i| i.auth_method = Some("approle".into()))), ["auth_method"]);
    }
}
