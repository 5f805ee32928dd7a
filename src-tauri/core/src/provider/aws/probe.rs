//! The staged Test of an AWS configuration, saved or not: *reach* and *tls* (one HTTPS request
//! to the endpoint, verified against the system roots or the CA file), *login* (STS
//! GetCallerIdentity: account and ARN), *describe* (DescribeSecret: rotation, last rotated and
//! changed, the stages present), *read* (GetSecretValue of the chosen version: key names only,
//! never values). After a failure the rest are skipped. Dropping the future cancels it; AWS
//! keeps nothing a Test started, so there is nothing to clean up.

use std::time::{Duration, Instant};

use super::client::AwsClient;
use super::error::{map_transport, AwsError};
use crate::model::{Credentials, VaultSpec};
use crate::provider::vault::{StageReport, StageStatus, TestReport, TestStage, VaultError};

struct Recorder<'a> {
    stages: Vec<StageReport>,
    on_stage: &'a mut (dyn FnMut(&StageReport) + Send),
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Recorder<'_> {
    fn record(&mut self, report: StageReport) {
        (self.on_stage)(&report);
        self.stages.push(report);
    }
    fn push(&mut self, stage: TestStage, status: StageStatus, started: Instant, summary: String) {
        self.record(StageReport { stage, status, millis: millis(started), summary, error: None });
    }
    fn fail(&mut self, stage: TestStage, started: Instant, e: AwsError) {
        let e = VaultError::aws(e);
        self.record(StageReport {
            stage,
            status: StageStatus::Failed,
            millis: millis(started),
            summary: e.to_string(),
            error: Some(e.info()),
        });
    }
    fn skip(&mut self, from: &[TestStage]) {
        for s in from {
            self.record(StageReport {
                stage: *s,
                status: StageStatus::Skipped,
                millis: 0,
                summary: "skipped: an earlier stage failed".into(),
                error: None,
            });
        }
    }
    fn done(self) -> TestReport {
        let ok = !self.stages.iter().any(|s| s.status == StageStatus::Failed);
        TestReport { ok, stages: self.stages, secret_id: None }
    }
}

/// One unsigned request to the endpoint: any HTTP answer proves it is reachable and, over
/// HTTPS, that its certificate verifies.
async fn reach(spec: &VaultSpec, client: &AwsClient) -> Result<u16, AwsError> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(spec.tls.connect_timeout_secs))
        .timeout(Duration::from_secs(spec.tls.request_timeout_secs))
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none());
    if let Some(ca) = &spec.tls.tls_ca_cert {
        let pem = crate::validate::read_pem(std::path::Path::new(ca))
            .map_err(|e| AwsError::TlsConfig { detail: format!("CA certificate {e}") })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| AwsError::TlsConfig { detail: format!("{ca} is not a PEM certificate: {e}") })?;
        b = b.tls_built_in_root_certs(false);
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    let http = b.build().map_err(|e| AwsError::TlsConfig { detail: e.to_string() })?;
    let ctx = client.ctx("reach", &client.endpoint);
    match http.get(&client.endpoint).send().await {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(map_transport(&super::error::chain_text(&e), e.is_timeout(), &ctx)),
    }
}

/// Tests `spec` with `creds`, calling `on_stage` as each stage ends.
pub async fn test_aws_with_progress(
    spec: &VaultSpec,
    creds: &Credentials,
    on_stage: &mut (dyn FnMut(&StageReport) + Send),
) -> TestReport {
    use TestStage::*;
    let mut r = Recorder { stages: Vec::new(), on_stage };
    let started = Instant::now();
    let client = match AwsClient::new(spec, creds).await {
        Ok(c) => c,
        Err(e) => {
            r.push(Reach, StageStatus::Skipped, started, "not attempted: the settings are unusable".into());
            r.fail(Tls, started, e);
            r.skip(&[Login, Describe, Read]);
            return r.done();
        }
    };

    match reach(spec, &client).await {
        Err(e @ (AwsError::Tls { .. } | AwsError::TlsConfig { .. })) => {
            r.push(Reach, StageStatus::Passed, started, format!("{} accepts connections", client.endpoint));
            r.fail(Tls, started, e);
            r.skip(&[Login, Describe, Read]);
            return r.done();
        }
        Err(e) => {
            r.fail(Reach, started, e);
            r.skip(&[Tls, Login, Describe, Read]);
            return r.done();
        }
        Ok(status) => {
            r.push(
                Reach,
                StageStatus::Passed,
                started,
                format!("{} answers (HTTP {status})", client.endpoint),
            );
            if client.endpoint.starts_with("https://") {
                let by = spec.tls.tls_ca_cert.as_deref().unwrap_or("the system's trusted roots");
                r.push(Tls, StageStatus::Passed, started, format!("certificate verified against {by}"));
            } else {
                r.push(
                    Tls,
                    StageStatus::Warning,
                    started,
                    "plain HTTP (an endpoint on this machine): requests are signed but travel unencrypted"
                        .into(),
                );
            }
        }
    }

    let started = Instant::now();
    match client.identity().await {
        Ok((account, arn)) => {
            let how = match (creds, &client.aws.profile) {
                (Credentials::AwsKeys { .. }, _) => "access keys from the OS keyring".to_owned(),
                (_, Some(p)) => format!("the default credential chain, profile {p}"),
                _ => "the default credential chain".to_owned(),
            };
            let role =
                client.aws.role_arn.as_deref().map(|r| format!(", assumed role {r}")).unwrap_or_default();
            r.push(Login, StageStatus::Passed, started, format!("account {account}, {arn} ({how}{role})"));
        }
        Err(e) => {
            let e = match (e, &client.aws.role_arn) {
                // A failure inside the role assumption names the role.
                (AwsError::AccessDenied { detail, action, .. }, Some(role))
                    if action == "sts:GetCallerIdentity" && detail.contains("AssumeRole") =>
                {
                    AwsError::AssumeRoleFailed { role_arn: role.clone(), detail }
                }
                (e, _) => e,
            };
            r.fail(Login, started, e);
            r.skip(&[Describe, Read]);
            return r.done();
        }
    }

    let started = Instant::now();
    match client.describe().await {
        Ok(info) if info.deleted.is_some() => {
            r.fail(
                Describe,
                started,
                AwsError::SecretDeleted { secret: client.aws.secret_id.clone(), deleted: info.deleted },
            );
            r.skip(&[Read]);
            return r.done();
        }
        Ok(info) => {
            let rotation = if info.rotation_enabled {
                format!("rotation on, last rotated {}", info.last_rotated.as_deref().unwrap_or("never"))
            } else {
                "rotation off".to_owned()
            };
            r.push(
                Describe,
                StageStatus::Passed,
                started,
                format!(
                    "{} ({}); {rotation}; last changed {}; stages: {}",
                    info.name,
                    info.arn,
                    info.last_changed.as_deref().unwrap_or("unknown"),
                    if info.stages.is_empty() { "none".to_owned() } else { info.stages.join(", ") }
                ),
            );
        }
        Err(e) => {
            r.fail(Describe, started, e);
            r.skip(&[Read]);
            return r.done();
        }
    }

    let started = Instant::now();
    match client.read(spec.engine_type).await {
        Ok(secret) => {
            let keys: Vec<&str> = secret.data.expose().keys().map(String::as_str).collect();
            r.push(
                Read,
                StageStatus::Passed,
                started,
                format!(
                    "{} (version {}{}): {} key(s): {}",
                    client.aws.version_label(),
                    secret.version_id.as_deref().unwrap_or("unknown"),
                    if secret.stages.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", secret.stages.join(", "))
                    },
                    keys.len(),
                    keys.join(", ")
                ),
            );
        }
        Err(e) => r.fail(Read, started, e),
    }
    r.done()
}
