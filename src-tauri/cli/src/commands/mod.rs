//! One file per command group. Each parses what clap gave it, calls one use case of
//! `vaultdesk_core::ops::Core`, and prints.

mod config;
mod connector;
mod demo;
mod lease;
mod render;
mod vault;

use vaultdesk_core::Core;

use crate::cli::{Cli, Command};
use crate::exit::{internal, Failure};

/// Opens the store once and runs the command on a single-threaded runtime (the store's work runs
/// on its blocking pool).
pub(crate) fn run(cli: Cli) -> Result<(), Failure> {
    // The demo works on a data directory of its own, never the one given.
    let cli = match cli.command {
        Command::Demo(args) => return demo::run(args),
        _ => cli,
    };
    let dir = vaultdesk_core::paths::resolve_data_dir(cli.data_dir)?;
    let core = Core::open(&dir)?;
    vaultdesk_core::timings::mark("store opened");
    finish_before_exit_on_signal(&core);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal(format!("cannot start the async runtime: {e}")))?;
    let done = runtime.block_on(async {
        match cli.command {
            Command::Vault(cmd) => vault::run(&core, cmd).await,
            Command::Connector(cmd) => connector::run(&core, cmd).await,
            Command::Lease(cmd) => lease::run(&core, cmd).await,
            Command::Render(args) => render::run(&core, args).await,
            Command::Doctor { repair, json } => doctor(&core, repair, json).await,
            Command::Demo(_) => Ok(()),
        }
    });
    vaultdesk_core::timings::mark("command done");
    done
}

/// SIGINT (Ctrl-C) and SIGTERM end the process only once the store's current operation has
/// finished, so a change is never left half-done by them (a `kill -9` is settled by the next
/// open instead), and an export's unfinished temporary files are deleted first. The exit code is 128 + the signal's number, as a shell would report it.
fn finish_before_exit_on_signal(core: &Core) {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else { return };
        let core = core.clone();
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                core.after_current_operation(|| {
                    // An export waiting on Vault has its empty temporary files in the user's
                    // folder; exit runs no destructors.
                    vaultdesk_core::export::remove_unfinished_temporary_files();
                    std::process::exit(128 + sig)
                });
            }
        });
    }
    #[cfg(not(unix))]
    let _ = core;
}

async fn doctor(core: &Core, repair: bool, json: bool) -> Result<(), Failure> {
    let report = core.doctor(repair).await?;
    if json {
        crate::output::print_json(&report)?;
    } else if report.findings.is_empty() {
        println!("Nothing out of step.");
    } else {
        for f in &report.findings {
            let state = if f.repaired { "fixed" } else { "open " };
            println!("[{state}] {}", f.message);
        }
        if report.needs_attention() && !repair {
            println!(
                "Run `vaultdesk doctor --repair` to remove orphaned entries and settle interrupted changes."
            );
        }
    }
    if report.needs_attention() {
        return Err(Failure { code: crate::exit::OUT_OF_STEP, message: "something is out of step".into() });
    }
    Ok(())
}
