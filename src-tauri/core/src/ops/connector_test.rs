//! Test connection: a stored connector or an editor's form (saved or not), rendered with its
//! secrets through the session cache (the values stay in this process: nothing is revealed to
//! the caller), then tried with a real client stage by stage ([`crate::connector_probe`]).

use std::time::Instant;

use super::connectors::{display_name, ConnectorSource};
use super::leases::LeaseUse;
use super::Core;
use crate::connector::{self, Connector};
use crate::connector_probe::{
    self, error::secrets_info, ConnectorStage, ConnectorStageReport, ConnectorTestReport, Recorder,
    TestOptions,
};
use crate::model::LeasePurpose;
use crate::template::{self, RenderMode};
use crate::{Error, Result};

impl Core {
    /// The connector a test runs on: stored, or a form checked as Save checks it (the name
    /// excepted: an unsaved form may not have one yet). Invalid input is an error, not a stage.
    pub async fn connector_for_test(&self, source: ConnectorSource) -> Result<Connector> {
        match source {
            ConnectorSource::Stored(name) => self.get_connector(name).await,
            ConnectorSource::Form(input) => {
                let name =
                    if input.name.trim().is_empty() { "unsaved".to_owned() } else { input.name.clone() };
                connector::validate_connector(&name, &input.kind, &input.config).map_err(|mut e| {
                    e.0.retain(|f| f.field != "name");
                    Error::InvalidConnector(e)
                })?;
                self.checked_for_preview(input).await
            }
        }
    }

    /// Tests `source`, calling `on_stage` as each stage ends. Dropping the future cancels the
    /// test and closes its connections.
    pub async fn test_connector(
        &self,
        source: ConnectorSource,
        options: TestOptions,
        on_stage: &mut (dyn FnMut(&ConnectorStageReport) + Send),
    ) -> Result<ConnectorTestReport> {
        let connector = self.connector_for_test(source).await?;
        Ok(self.test_checked(&connector, &options, on_stage).await)
    }

    /// The stages of [`Core::test_connector`] on a connector already checked.
    pub async fn test_checked(
        &self,
        connector: &Connector,
        options: &TestOptions,
        on_stage: &mut (dyn FnMut(&ConnectorStageReport) + Send),
    ) -> ConnectorTestReport {
        let mut r = Recorder::new(on_stage);
        let started = Instant::now();
        let refs = template::extract_all(&connector.config).unwrap_or_default();
        let rendered = async {
            let fetched = self.fetch(vec![connector.config.clone()]).await?;
            let what = LeaseUse::new(LeasePurpose::Test, display_name(&connector.name), None);
            // The record is bookkeeping: a database that cannot take it does not fail the test.
            let _ = self.record_issued(&fetched.issued, &what).await;
            let mut config = fetched.renderer(RenderMode::Reveal).render(&connector.config)?;
            crate::rendered_types::fit_rendered(connector.kind, &connector.config, &mut config)?;
            Ok::<_, Error>(config)
        }
        .await;
        let config = match rendered {
            Ok(c) => c,
            Err(e) => {
                r.fail_info(ConnectorStage::Secrets, started, secrets_info(&e));
                r.skip_rest(connector_probe::stages_after_secrets(connector.kind));
                return r.finish();
            }
        };
        let mut vaults: Vec<String> = Vec::new();
        for rf in &refs {
            if !vaults.iter().any(|v| v.eq_ignore_ascii_case(&rf.vault)) {
                vaults.push(rf.vault.clone());
            }
        }
        let summary = match refs.len() {
            0 => "no references: the configuration is used as written".to_owned(),
            n => format!(
                "{n} reference{} resolved from {} (values not shown)",
                if n == 1 { "" } else { "s" },
                vaults.join(", ")
            ),
        };
        r.pass(ConnectorStage::Secrets, started, summary);
        connector_probe::run(connector.kind, &config, options, &mut r).await;
        r.finish()
    }
}
