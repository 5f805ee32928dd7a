//! Export: a connector (saved or an editor's form) or all of them rendered with their secrets
//! and written atomically with mode 0600; and `render` of any JSON or YAML file.
//!
//! Every target is checked before the first Vault request, so an existing file is reported
//! without logging in or issuing credentials nobody receives.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::connectors::{display_name, parse_kind, ConnectorSource};
use super::leases::LeaseUse;
use super::Core;
use crate::connector::validate_connector;
use crate::export::{self, ExportFormat};
use crate::model::LeasePurpose;
use crate::render::{Issued, RenderPlan};
use crate::sensitive::Sensitive;
use crate::template::RenderMode;
use crate::{Error, Result};

/// Where an export went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct ExportResult {
    /// The file written, or the folder for "export all".
    pub path: String,
    /// The files written (one for a single connector).
    pub files: Vec<String>,
}

/// A connector rendered for export, not yet written. Its leased credentials were issued for
/// it alone: [`Core::write_export`] records them with the file (or revokes them when it cannot
/// be written).
#[derive(Debug)]
pub struct RenderedExport {
    /// `NAME.FORMAT`, the file name to suggest (`connector.FORMAT` when the name is empty or
    /// not a plain file name).
    pub file_name: String,
    pub text: Sensitive<String>,
    connector: String,
    issued: Vec<Issued>,
}

/// Where credentials printed instead of written went, for the lease records.
pub const STANDARD_OUTPUT: &str = "(standard output)";

/// The file name an export of `name` suggests.
pub fn export_file_name(name: &str, format: ExportFormat) -> String {
    let stem = name.trim();
    let stem = if stem.is_empty() || stem.contains(['/', '\\']) || stem.starts_with('.') {
        "connector"
    } else {
        stem
    };
    format!("{stem}.{}", format.extension())
}

/// A connector checked for export without contacting Vault: what the save dialog needs (the file
/// name) before anything is read or issued.
#[derive(Debug)]
pub struct PreparedExport {
    /// `NAME.FORMAT`, the file name to suggest.
    pub file_name: String,
    connector: crate::connector::Connector,
    format: ExportFormat,
}

impl Core {
    /// Checks a connector for export as `format` without contacting Vault: a form must be one
    /// Save would accept (the same checks, by field), its vaults must exist and suit its kind.
    /// The window calls this before its save dialog and [`Core::render_prepared`] after it, so
    /// no credentials are issued for a dialog that may be cancelled.
    pub async fn prepare_export(
        &self,
        source: ConnectorSource,
        format: ExportFormat,
    ) -> Result<PreparedExport> {
        let connector = match source {
            ConnectorSource::Stored(name) => self.checked_stored(name).await?,
            ConnectorSource::Form(input) => {
                validate_connector(&input.name, &input.kind, &input.config)
                    .map_err(Error::InvalidConnector)?;
                parse_kind(&input.kind)?;
                self.checked_for_export(input).await?
            }
        };
        Ok(PreparedExport { file_name: export_file_name(&connector.name, format), connector, format })
    }

    /// Renders a connector as `format` with its secrets ([`Core::prepare_export`], then
    /// [`Core::render_prepared`]).
    pub async fn render_export(
        &self,
        source: ConnectorSource,
        format: ExportFormat,
    ) -> Result<RenderedExport> {
        let prepared = self.prepare_export(source, format).await?;
        self.render_prepared(prepared).await
    }

    /// Reads the secrets of a prepared export (credentials issued for the file alone) and
    /// renders it.
    pub async fn render_prepared(&self, prepared: PreparedExport) -> Result<RenderedExport> {
        let PreparedExport { connector, format, .. } = prepared;
        let fetched = self.fetch_for(vec![connector.config.clone()], true).await?;
        let name = display_name(&connector.name);
        let text = fetched
            .previews(std::slice::from_ref(&connector), RenderMode::Reveal)
            .and_then(|mut p| {
                p.pop().ok_or_else(|| Error::Internal { detail: "nothing was rendered".into() })
            })
            .and_then(|p| export::to_text(&p.config, format));
        match text {
            Ok(text) => Ok(RenderedExport {
                file_name: export_file_name(&connector.name, format),
                text: Sensitive::new(text),
                connector: name,
                issued: fetched.issued,
            }),
            Err(e) => {
                self.discard_issued(&fetched.issued, &LeaseUse::new(LeasePurpose::Export, name, None)).await;
                Err(e)
            }
        }
    }

    /// Writes a rendered export to `path` (atomically, mode 0600; an existing file only with
    /// `force`).
    pub async fn write_export(
        &self,
        rendered: RenderedExport,
        path: PathBuf,
        force: bool,
    ) -> Result<ExportResult> {
        let shown = path.display().to_string();
        let RenderedExport { text, connector, issued, .. } = rendered;
        let written = blocking(move || export::write_atomic(&path, text.expose(), force)).await;
        let what = LeaseUse::new(LeasePurpose::Export, connector, Some(shown.clone()));
        if let Err(e) = written {
            self.discard_issued(&issued, &LeaseUse { export_path: None, ..what }).await;
            return Err(e);
        }
        self.record_issued(&issued, &what).await?;
        Ok(ExportResult { path: shown.clone(), files: vec![shown] })
    }

    /// Renders one connector and writes it to `out` (checked before any Vault request), or
    /// returns the text when `out` is `None`.
    pub async fn export_connector(
        &self,
        source: ConnectorSource,
        format: ExportFormat,
        out: Option<PathBuf>,
        force: bool,
    ) -> Result<Option<Sensitive<String>>> {
        if let Some(out) = &out {
            export::check_target(out, force)?;
        }
        let rendered = self.render_export(source, format).await?;
        match out {
            None => {
                let what = LeaseUse::new(
                    LeasePurpose::Export,
                    rendered.connector.clone(),
                    Some(STANDARD_OUTPUT.into()),
                );
                self.record_issued(&rendered.issued, &what).await?;
                Ok(Some(rendered.text))
            }
            Some(path) => self.write_export(rendered, path, force).await.map(|_| None),
        }
    }

    /// Renders every stored connector (all their vaults fetched at once) and writes
    /// `DIR/NAME.FORMAT` for each. Nothing is written when a target exists (without `force`)
    /// or one connector cannot be rendered, and a failure while writing leaves `DIR` as it was.
    /// A missing `DIR` is created (mode 0700) before any Vault request, and removed again if
    /// the export fails.
    pub async fn export_all(&self, dir: PathBuf, format: ExportFormat, force: bool) -> Result<ExportResult> {
        crate::timings::mark("export: started");
        let connectors = std::sync::Arc::new(self.with_store(|store| store.list_connectors()).await?);
        crate::timings::mark("connectors listed");
        let targets: Vec<PathBuf> =
            connectors.iter().map(|c| dir.join(format!("{}.{}", c.name, format.extension()))).collect();
        export::check_targets(targets.iter().map(PathBuf::as_path), force)?;
        crate::timings::mark("targets checked");
        let created = {
            let dir = dir.clone();
            blocking(move || export::ensure_dir(&dir)).await?
        };
        // The temporary files are created (empty, 0600) while the connectors are checked and
        // their secrets fetched and rendered: creating a thousand files is the slowest part of
        // the export and needs nothing from Vault. If the export fails they are deleted, never
        // having held anything.
        let temps = {
            let targets = targets.clone();
            tokio::task::spawn_blocking(move || export::create_temps(targets.iter().map(PathBuf::as_path)))
        };
        let mut issued = Vec::new();
        let rendered = async {
            let all = connectors.clone();
            let plan = self
                .with_store(move |store| {
                    store.check_stored_connectors(&all)?;
                    crate::timings::mark("connectors checked");
                    let docs: Vec<&Value> = all.iter().map(|c| &c.config).collect();
                    let plan = RenderPlan::new(store, &docs)?;
                    crate::timings::mark("vaults planned");
                    Ok(plan)
                })
                .await?;
            let fetched = plan.fetch_for(&self.hub, true).await?;
            crate::timings::mark("secrets fetched");
            issued.clone_from(&fetched.issued);
            let configs = fetched.configs(&connectors, RenderMode::Reveal)?;
            crate::timings::mark("connectors rendered");
            let mut files = Vec::with_capacity(configs.len());
            for (t, config) in targets.iter().zip(&configs) {
                files.push((t.clone(), export::to_text(config, format)?));
            }
            crate::timings::mark("files formatted");
            Ok::<_, Error>(files)
        }
        .await;
        let temps = temps
            .await
            .map_err(|e| Error::Internal { detail: format!("a file task stopped unexpectedly: {e}") })
            .and_then(|t| t);
        let written = match (rendered, temps) {
            (Ok(files), Ok(temps)) => {
                crate::timings::mark("temporary files created");
                blocking(move || export::finish_all(&files, temps, force)).await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        crate::timings::mark("files written");
        // Each vault's credentials serve every connector that references it.
        let users = |i: &Issued| -> String {
            let names: Vec<&str> = connectors
                .iter()
                .filter(|c| {
                    crate::template::extract_all(&c.config)
                        .unwrap_or_default()
                        .iter()
                        .any(|r| r.vault.eq_ignore_ascii_case(&i.vault.spec.name))
                })
                .map(|c| c.name.as_str())
                .collect();
            names.join(", ")
        };
        for i in &issued {
            let what = LeaseUse::new(
                LeasePurpose::Export,
                users(i),
                written.is_ok().then(|| dir.display().to_string()),
            );
            if written.is_ok() {
                self.record_issued(std::slice::from_ref(i), &what).await?;
            } else {
                self.discard_issued(std::slice::from_ref(i), &what).await;
            }
        }
        if let Err(e) = written {
            if let Some(top) = created {
                // Only what this export created, and only while empty.
                let _ = export::remove_empty_dirs(&top, &dir);
            }
            return Err(e);
        }
        crate::timings::mark("leases recorded");
        let shown: Vec<String> = targets.iter().map(|t| t.display().to_string()).collect();
        Ok(ExportResult { path: dir.display().to_string(), files: shown })
    }

    /// A stored connector, after checking that its vaults still suit its kind.
    pub(crate) async fn checked_stored(&self, name: String) -> Result<crate::connector::Connector> {
        self.with_store(move |store| {
            let c = store.get_connector(&name)?;
            store.check_stored_connector(&c)?;
            Ok(c)
        })
        .await
    }

    /// Renders a JSON or YAML document's references (`source` names it, for the format and for
    /// messages) as `format` (default: the document's own), written to `out` or returned.
    pub async fn render_file(
        &self,
        text: String,
        source: &Path,
        format: Option<ExportFormat>,
        out: Option<PathBuf>,
        force: bool,
    ) -> Result<Option<Sensitive<String>>> {
        let (doc, read_as) = export::parse_document(&text, source)?;
        let format = format.unwrap_or(read_as);
        if let Some(out) = &out {
            export::check_target(out, force)?;
        }
        let fetched = self.fetch_for(vec![doc.clone()], true).await?;
        let subject = source.display().to_string();
        let text = fetched
            .renderer(RenderMode::Reveal)
            .render(&doc)
            .map_err(Error::from)
            .and_then(|r: Value| export::to_text(&r, format));
        let written = match (text, out) {
            (Ok(text), Some(out)) => {
                let shown = out.display().to_string();
                blocking(move || export::write_atomic(&out, &text, force)).await.map(|()| (None, shown))
            }
            (Ok(text), None) => Ok((Some(Sensitive::new(text)), STANDARD_OUTPUT.to_owned())),
            (Err(e), _) => Err(e),
        };
        match written {
            Ok((text, shown)) => {
                let what = LeaseUse::new(LeasePurpose::Render, subject, Some(shown));
                self.record_issued(&fetched.issued, &what).await?;
                Ok(text)
            }
            Err(e) => {
                self.discard_issued(&fetched.issued, &LeaseUse::new(LeasePurpose::Render, subject, None))
                    .await;
                Err(e)
            }
        }
    }

    async fn checked_for_export(
        &self,
        input: crate::connector::ConnectorInput,
    ) -> Result<crate::connector::Connector> {
        let kind = parse_kind(&input.kind)?;
        let check = input.clone();
        self.with_store(move |store| store.check_connector_input(&check)).await?;
        Ok(super::connectors::unsaved(input, kind))
    }
}

/// File work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal { detail: format!("a file task stopped unexpectedly: {e}") })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_file_name_is_a_plain_name() {
        assert_eq!(export_file_name("orders", ExportFormat::Yaml), "orders.yaml");
        assert_eq!(export_file_name("  ", ExportFormat::Json), "connector.json");
        assert_eq!(export_file_name("../etc/x", ExportFormat::Env), "connector.env");
        assert_eq!(export_file_name(".hidden", ExportFormat::Json), "connector.json");
    }
}
