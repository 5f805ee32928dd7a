//! Benchmark of Vault access: requests per resolution (counted in OpenBao's audit log, not by
//! the client) and latency, cold and warm, single and concurrent. Run with
//! `bash tests/bench/vault.sh` (it starts the real services). Prints figures; asserts nothing
//! about time.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use vaultdesk_core::provider::vault::VaultSession;

use common::bao;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_millis(10) {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else if d >= Duration::from_micros(10) {
        format!("{:.0} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} µs", d.as_secs_f64() * 1e6)
    }
}

struct Row {
    case: String,
    runs: usize,
    median: Duration,
    p90: Duration,
    logins: f64,
    reads: f64,
}

#[tokio::main]
async fn main() {
    let bao = bao::Bao::shared();
    let (vault, creds) =
        bao.kv_fixture(json!({"username": "app", "password": "pw", "nested": {"a": 1}}), 300).await;
    let auth = vault.spec.auth_mount.clone();
    let read_path = format!("{}/data/app/config", vault.spec.engine_name);
    let mut rows = Vec::new();

    // Cold: a new session each time (what one CLI command does).
    let runs = 50;
    let (l0, r0) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
    let mut times = Vec::new();
    for _ in 0..runs {
        let s = VaultSession::new(&vault, creds.clone()).expect("session");
        let t = Instant::now();
        s.resolve().await.expect("resolve");
        times.push(t.elapsed());
    }
    times.sort();
    let (l1, r1) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
    rows.push(Row {
        case: "cold, 1 resolution (new session)".into(),
        runs,
        median: percentile(&times, 0.5),
        p90: percentile(&times, 0.9),
        logins: (l1 - l0) as f64 / runs as f64,
        reads: (r1 - r0) as f64 / runs as f64,
    });

    // Warm: the same session within the cache TTL.
    let session = Arc::new(VaultSession::new(&vault, creds.clone()).expect("session"));
    session.resolve().await.expect("prime");
    let runs = 10_000;
    let (l0, r0) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        session.resolve().await.expect("resolve");
        times.push(t.elapsed());
    }
    times.sort();
    let (l1, r1) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
    rows.push(Row {
        case: "warm, 1 resolution (cached)".into(),
        runs,
        median: percentile(&times, 0.5),
        p90: percentile(&times, 0.9),
        logins: (l1 - l0) as f64 / runs as f64,
        reads: (r1 - r0) as f64 / runs as f64,
    });

    // N concurrent resolutions of one secret, cold and warm.
    for n in [10usize, 100] {
        for warm in [false, true] {
            let rounds = 20;
            let (l0, r0) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
            let mut times = Vec::new();
            for _ in 0..rounds {
                let s = Arc::new(VaultSession::new(&vault, creds.clone()).expect("session"));
                if warm {
                    s.resolve().await.expect("prime");
                }
                let t = Instant::now();
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..n {
                    let s = s.clone();
                    set.spawn(async move { s.resolve().await.map(|_| ()) });
                }
                while let Some(r) = set.join_next().await {
                    r.expect("task").expect("resolve");
                }
                times.push(t.elapsed());
            }
            times.sort();
            let (l1, r1) = (bao.audited_logins(&auth), bao.audited_reads(&read_path));
            let primes = if warm { rounds } else { 0 };
            rows.push(Row {
                case: format!("{}, {n} concurrent resolutions", if warm { "warm" } else { "cold" }),
                runs: rounds,
                median: percentile(&times, 0.5),
                p90: percentile(&times, 0.9),
                logins: (l1 - l0 - primes) as f64 / rounds as f64,
                reads: (r1 - r0 - primes) as f64 / rounds as f64,
            });
        }
    }

    // Distinct secrets: 10 vaults resolved concurrently vs one after the other (cold).
    let mut vaults = Vec::new();
    for i in 0..10 {
        vaults.push(bao.kv_fixture(json!({"i": i}), 300).await);
    }
    for concurrent in [false, true] {
        let rounds = 10;
        let mut times = Vec::new();
        for _ in 0..rounds {
            let sessions: Vec<_> = vaults
                .iter()
                .map(|(v, c)| Arc::new(VaultSession::new(v, c.clone()).expect("session")))
                .collect();
            let t = Instant::now();
            if concurrent {
                let mut set = tokio::task::JoinSet::new();
                for s in sessions {
                    set.spawn(async move { s.resolve().await.map(|_| ()) });
                }
                while let Some(r) = set.join_next().await {
                    r.expect("task").expect("resolve");
                }
            } else {
                for s in sessions {
                    s.resolve().await.expect("resolve");
                }
            }
            times.push(t.elapsed());
        }
        times.sort();
        rows.push(Row {
            case: format!(
                "cold, 10 vaults {}",
                if concurrent { "concurrently" } else { "one after another" }
            ),
            runs: rounds,
            median: percentile(&times, 0.5),
            p90: percentile(&times, 0.9),
            logins: 10.0,
            reads: 10.0,
        });
    }

    println!("\nvaultdesk Vault access benchmark (OpenBao 2.7.2 dev server on loopback, release build)");
    println!("requests counted in OpenBao's file audit log; latency per case (all resolutions of a round)\n");
    println!("| case | rounds | median | p90 | logins per round | reads per round |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} |",
            r.case,
            r.runs,
            fmt(r.median),
            fmt(r.p90),
            r.logins,
            r.reads
        );
    }
}
