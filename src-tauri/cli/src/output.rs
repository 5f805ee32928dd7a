//! How results are printed: tables, the Test report, a vault, a preview, JSON.

use vaultdesk_core::connector_probe::ConnectorStageReport;
use vaultdesk_core::duration::format_duration;
use vaultdesk_core::ops::VaultSummary;
use vaultdesk_core::provider::{StageStatus, TestReport, TestStage};
use vaultdesk_core::render::Preview;
use vaultdesk_core::Vault;

use crate::exit::{internal, write_out, Failure};

pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(v).map_err(internal)?;
    outln!("{s}");
    Ok(())
}

fn engine_detail(v: &Vault) -> String {
    let s = &v.spec;
    if let Some(aws) = &s.aws {
        return format!("{} ({})", aws.secret_id, aws.version_label());
    }
    match (&s.path, &s.db_role) {
        (Some(p), _) => format!("{}/{p}", s.engine_name),
        (None, Some(r)) => format!("{}/creds/{r}", s.engine_name),
        _ => s.engine_name.clone(),
    }
}

pub(crate) fn print_table(vaults: &[VaultSummary]) -> Result<(), Failure> {
    let rows: Vec<[String; 5]> = vaults
        .iter()
        .map(|s| &s.vault)
        .map(|v| {
            [
                if v.needs_credentials {
                    format!("{} (needs credentials)", v.spec.name)
                } else {
                    v.spec.name.clone()
                },
                v.spec.engine_type.as_str().to_owned(),
                match &v.spec.aws {
                    Some(aws) if v.spec.url.is_empty() => format!("aws {}", aws.region),
                    Some(aws) => format!("aws {} via {}", aws.region, v.spec.url),
                    None if v.spec.tls.allow_http => format!("{} (plain HTTP allowed)", v.spec.url),
                    None => v.spec.url.clone(),
                },
                engine_detail(v),
                format_duration(v.spec.cache_ttl_secs),
            ]
        })
        .collect();
    let header = ["NAME", "ENGINE", "URL", "SECRET", "CACHE TTL"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 5]| -> Result<(), Failure> {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i == 4 {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        outln!("{out}");
        Ok(())
    };
    line(header)?;
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]])?;
    }
    Ok(())
}

pub(crate) fn print_report(name: &str, unsaved: bool, url: &str, report: &TestReport) -> Result<(), Failure> {
    let label = if unsaved { " (unsaved)" } else { "" };
    outln!("Testing vault \"{name}\"{label} at {url}");
    for s in &report.stages {
        let (mark, label) = match s.status {
            StageStatus::Passed => ("ok  ", ""),
            StageStatus::Warning => ("warn", ""),
            StageStatus::Failed => ("FAIL", ""),
            StageStatus::Skipped => ("-   ", ""),
        };
        let stage = match s.stage {
            TestStage::Reach => "reach",
            TestStage::Tls => "tls",
            TestStage::Login => "login",
            TestStage::Describe => "describe",
            TestStage::Read => "read",
            TestStage::Capabilities => "capabilities",
        };
        let time = if s.status == StageStatus::Skipped { String::new() } else { format!("{} ms", s.millis) };
        outln!("  {mark} {stage:<13}{time:>8}  {}{label}", s.summary);
        if let Some(e) = &s.error {
            outln!("       {:<13}{:>8}  hint: {}", "", "", e.hint);
        }
    }
    outln!("{}", if report.ok { "Test passed." } else { "Test failed." });
    Ok(())
}

/// One stage of a connector test, as it ends. Called from the test's progress callback, which
/// cannot stop the test: a closed pipe is noticed by the report printed after it.
pub(crate) fn print_connector_stage(s: &ConnectorStageReport) {
    let mark = match s.status {
        StageStatus::Passed => "ok  ",
        StageStatus::Warning => "warn",
        StageStatus::Failed => "FAIL",
        StageStatus::Skipped => "-   ",
    };
    let stage =
        serde_json::to_value(s.stage).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let time = if s.status == StageStatus::Skipped { String::new() } else { format!("{} ms", s.millis) };
    let _ = write_out(format_args!("  {mark} {stage:<15}{time:>8}  {}\n", s.summary));
    if let Some(e) = &s.error {
        let field = e.field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
        let _ = write_out(format_args!("       {:<15}{:>8}  hint: {}{field}\n", "", "", e.hint));
    }
}

pub(crate) fn print_vault(v: &Vault) -> Result<(), Failure> {
    let s = &v.spec;
    let field = |label: &str, value: &str| -> Result<(), Failure> {
        outln!("{label:<16}{value}");
        Ok(())
    };
    field("Name", &s.name)?;
    field("Provider", s.provider.label())?;
    if let Some(aws) = &s.aws {
        field("Region", &aws.region)?;
        field("Endpoint", if s.url.is_empty() { "(the region's)" } else { &s.url })?;
        field("Secret", &aws.secret_id)?;
        field("Version", &aws.version_label())?;
        let login = match (s.auth_method, &aws.profile) {
            (vaultdesk_core::AuthMethod::AwsKeys, _) => "access keys".to_owned(),
            (_, Some(p)) => format!("default credential chain, profile {p}"),
            _ => "default credential chain".to_owned(),
        };
        field("Login", &login)?;
        if let Some(r) = &aws.role_arn {
            let x = if aws.external_id.is_some() { " (with an external id)" } else { "" };
            field("Assume role", &format!("{r}{x}"))?;
        }
        field("Engine type", s.engine_type.as_str())?;
        field("Cache TTL", &format_duration(s.cache_ttl_secs))?;
        if let Some(ca) = &s.tls.tls_ca_cert {
            field("CA certificate", ca)?;
        }
        field(
            "Timeouts",
            &format!(
                "connect {}, request {}",
                format_duration(s.tls.connect_timeout_secs),
                format_duration(s.tls.request_timeout_secs)
            ),
        )?;
        field("Created", &v.created_at)?;
        field("Updated", &v.updated_at)?;
        return Ok(());
    }
    field("URL", &s.url)?;
    field("Namespace", s.namespace.as_deref().unwrap_or("(none)"))?;
    let login = match s.auth_method {
        vaultdesk_core::AuthMethod::Token => "token (the admin's own; no mount)".to_owned(),
        m if m.uses_username() => {
            format!(
                "{} as {} (mount {})",
                m.as_str(),
                s.auth_username.as_deref().unwrap_or("?"),
                s.auth_mount
            )
        }
        m if m.uses_role() => {
            format!(
                "{} as role {} (mount {})",
                m.as_str(),
                s.auth_role.as_deref().unwrap_or("?"),
                s.auth_mount
            )
        }
        m => format!("{} (mount {})", m.as_str(), s.auth_mount),
    };
    field("Login", &login)?;
    if let Some(ns) = &s.login_namespace {
        field("Login namespace", ns)?;
    }
    if let Some(st) = &v.secret_id_status {
        let expiry =
            st.expires_at.as_deref().map_or("does not expire".to_owned(), |at| format!("expires {at}"));
        let uses = st.uses_left.map(|n| format!(", {n} use(s) left")).unwrap_or_default();
        field("Secret ID", &format!("{expiry}{uses} (as of the last Test)"))?;
    }
    field("Engine name", &s.engine_name)?;
    field("Engine type", s.engine_type.as_str())?;
    if let Some(p) = &s.path {
        field("Path", p)?;
    }
    if let Some(v) = s.kv_version {
        field("KV version", &format!("{v} (pinned)"))?;
    }
    if let Some(r) = &s.db_role {
        field("Database role", r)?;
    }
    if let Some(c) = &s.connection_name {
        field("Connection", c)?;
    }
    field("Cache TTL", &format_duration(s.cache_ttl_secs))?;
    if let Some(ca) = &s.tls.tls_ca_cert {
        field("CA certificate", ca)?;
    }
    if let (Some(c), Some(k)) = (&s.tls.tls_client_cert, &s.tls.tls_client_key) {
        field("Client cert", &format!("{c} (key {k})"))?;
    }
    if s.tls.allow_http {
        field(
            "Plain HTTP",
            "allowed to a non-loopback address (the Secret ID and tokens may travel unencrypted)",
        )?;
    }
    if s.tls.tls_skip_verify {
        field("TLS verify", "OFF (insecure: any server certificate is accepted)")?;
    } else if s.tls.tls_skip_hostname {
        field("TLS verify", "CA only (the host name is NOT checked)")?;
    }
    field(
        "Timeouts",
        &format!(
            "connect {}, request {}",
            format_duration(s.tls.connect_timeout_secs),
            format_duration(s.tls.request_timeout_secs)
        ),
    )?;
    field("Created", &v.created_at)?;
    field("Updated", &v.updated_at)?;
    Ok(())
}

pub(crate) fn print_preview(p: &Preview) -> Result<(), Failure> {
    outln!(
        "Connector \"{}\" ({}){}",
        p.connector,
        p.kind.as_str(),
        if p.revealed { " — secret values REVEALED" } else { " — secret values masked" }
    );
    outln!("{}", serde_json::to_string_pretty(&p.config).map_err(internal)?);
    for f in &p.literal_secrets {
        eprintln!("warning: config.{f}: {}", vaultdesk_core::literal_secrets::WARNING);
    }
    if p.references.is_empty() {
        outln!("No references.");
        return Ok(());
    }
    outln!("References:");
    let field_w = p.references.iter().map(|r| r.field.chars().count()).max().unwrap_or(0);
    let ref_w = p.references.iter().map(|r| r.reference.chars().count() + 4).max().unwrap_or(0);
    for r in &p.references {
        let expires = match r.expires_in_secs {
            Some(s) => format!("expires in {}", vaultdesk_core::duration::format_duration(s)),
            None => "not cached".into(),
        };
        let reference = format!("{{{{{}}}}}", r.reference);
        outln!(
            "  {:<field_w$}  {reference:<ref_w$}  vault \"{}\", key {}, fetched {}, {expires}",
            r.field,
            r.vault,
            r.key,
            r.fetched_at
        );
    }
    Ok(())
}
