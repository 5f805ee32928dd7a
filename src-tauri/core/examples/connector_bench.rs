//! Warm render time of many connectors, for tests/bench/connectors.sh (not a test: it prints
//! measured figures and asserts nothing about time).
//!
//!   connector_bench DATA_DIR VAULT COUNT ROUNDS
//!
//! Creates COUNT PostgreSQL connectors referencing VAULT's host, port, user and password in the
//! store at DATA_DIR (if not there yet), renders them all once (login + read), then ROUNDS
//! times warm through the same hub (secrets served from the cache), and prints the timings.
//! Templates parsed while creating the connectors stay in the process's template cache, as they
//! would in the app after the first preview.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use serde_json::json;
use vaultdesk_core::connector::ConnectorInput;
use vaultdesk_core::provider::VaultHub;
use vaultdesk_core::render;
use vaultdesk_core::template::RenderMode;
use vaultdesk_core::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, vault, count, rounds] = args.as_slice() else {
        return Err("usage: connector_bench DATA_DIR VAULT COUNT ROUNDS".into());
    };
    let (count, rounds): (usize, usize) = (count.parse()?, rounds.parse()?);
    let mut store = Store::open(std::path::Path::new(dir))?;
    let have = store.list_connectors()?.len();
    for i in have..count {
        let config = json!({
            "host": format!("{{{{secrets.{vault}.host}}}}"),
            "port": format!("{{{{secrets.{vault}.port}}}}"),
            "database": format!("app{i}"),
            "username": format!("{{{{secrets.{vault}.username}}}}"),
            "password": format!("{{{{secrets.{vault}.password}}}}"),
            "options": {"application_name": format!("svc-{i}"), "dsn": format!("postgres://{{{{secrets.{vault}.username}}}}:{{{{urlencode secrets.{vault}.password}}}}@{{{{secrets.{vault}.host}}}}/app{i}")},
        });
        store.add_connector(&ConnectorInput {
            name: format!("c{i:04}"),
            kind: "postgresql".into(),
            vault: Some(vault.clone()),
            config,
        })?;
    }
    let all = store.list_connectors()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let hub = VaultHub::new();
    rt.block_on(async {
        let t = Instant::now();
        let out = render::render_connectors(&store, &hub, &all, RenderMode::Reveal).await?;
        let cold = t.elapsed();
        let mut warm = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let out = render::render_connectors(&store, &hub, &all, RenderMode::Reveal).await?;
            warm.push(t.elapsed());
            assert_eq!(out.len(), all.len());
        }
        warm.sort();
        let median = warm[warm.len() / 2];
        println!(
            "render {} connectors: first render (1 login + 1 read) {:.1} ms; warm (secret cached) median of {rounds} {:.1} ms ({:.1} µs per connector)",
            out.len(),
            cold.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e6 / all.len() as f64,
        );
        hub.close_all().await;
        Ok::<_, vaultdesk_core::Error>(())
    })?;
    Ok(())
}
