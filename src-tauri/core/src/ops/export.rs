//! Export: a connector (saved or an editor's form) or all of them rendered with their secrets
//! and written atomically with mode 0600; and `render` of any JSON or YAML file.
//!
//! Every target is checked before the first Vault request, so an existing file is reported
//! without logging in or issuing credentials nobody receives.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::connectors::{parse_kind, ConnectorSource};
use super::Core;
use crate::connector::validate_connector;
use crate::export::{self, ExportFormat};
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

/// A connector rendered for export, not yet written.
#[derive(Debug)]
pub struct RenderedExport {
    /// `NAME.FORMAT`, the file name to suggest (`connector.FORMAT` when the name is empty or
    /// not a plain file name).
    pub file_name: String,
    pub text: Sensitive<String>,
}

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

impl Core {
    /// Renders a connector as `format` with its secrets. A form must be one Save would accept
    /// (the same checks, by field).
    pub async fn render_export(
        &self,
        source: ConnectorSource,
        format: ExportFormat,
    ) -> Result<RenderedExport> {
        let connector = match source {
            ConnectorSource::Stored(name) => self.checked_stored(name).await?,
            ConnectorSource::Form(input) => {
                validate_connector(&input.name, &input.kind, &input.config)
                    .map_err(Error::InvalidConnector)?;
                parse_kind(&input.kind)?;
                self.checked_for_export(input).await?
            }
        };
        let fetched = self.fetch(vec![connector.config.clone()]).await?;
        let preview = fetched
            .previews(std::slice::from_ref(&connector), RenderMode::Reveal)?
            .pop()
            .ok_or_else(|| Error::Internal { detail: "nothing was rendered".into() })?;
        Ok(RenderedExport {
            file_name: export_file_name(&connector.name, format),
            text: Sensitive::new(export::to_text(&preview.config, format)?),
        })
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
        blocking(move || export::write_atomic(&path, rendered.text.expose(), force)).await?;
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
            None => Ok(Some(rendered.text)),
            Some(path) => self.write_export(rendered, path, force).await.map(|_| None),
        }
    }

    /// Renders every stored connector (all their vaults fetched at once) and writes
    /// `DIR/NAME.FORMAT` for each. Nothing is written when a target exists (without `force`)
    /// or one connector cannot be rendered, and a failure while writing leaves `DIR` as it was.
    /// A missing `DIR` is created (mode 0700) before any Vault request, and removed again if
    /// the export fails.
    pub async fn export_all(&self, dir: PathBuf, format: ExportFormat, force: bool) -> Result<ExportResult> {
        let connectors = self
            .with_store(|store| {
                let all = store.list_connectors()?;
                for c in &all {
                    store.check_stored_connector(c)?;
                }
                Ok(all)
            })
            .await?;
        let targets: Vec<PathBuf> =
            connectors.iter().map(|c| dir.join(format!("{}.{}", c.name, format.extension()))).collect();
        for t in &targets {
            export::check_target(t, force)?;
        }
        let created = {
            let dir = dir.clone();
            blocking(move || export::ensure_dir(&dir)).await?
        };
        let written = async {
            let fetched = self.fetch(connectors.iter().map(|c| c.config.clone()).collect()).await?;
            let previews = fetched.previews(&connectors, RenderMode::Reveal)?;
            let mut files = Vec::with_capacity(previews.len());
            for (t, p) in targets.iter().zip(&previews) {
                files.push((t.clone(), export::to_text(&p.config, format)?));
            }
            blocking(move || export::write_all(&files, force)).await
        }
        .await;
        if let Err(e) = written {
            if let Some(top) = created {
                // Only what this export created, and only while empty.
                let _ = export::remove_empty_dirs(&top, &dir);
            }
            return Err(e);
        }
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
        let fetched = self.fetch(vec![doc.clone()]).await?;
        let rendered: Value = fetched.renderer(RenderMode::Reveal).render(&doc)?;
        let text = export::to_text(&rendered, format)?;
        match out {
            Some(out) => {
                blocking(move || export::write_atomic(&out, &text, force)).await?;
                Ok(None)
            }
            None => Ok(Some(Sensitive::new(text))),
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
