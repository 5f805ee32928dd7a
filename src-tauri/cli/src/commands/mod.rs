//! One file per command group. Each parses what clap gave it, calls one use case of
//! `vaultdesk_core::ops::Core`, and prints.

mod connector;
mod render;
mod vault;

use vaultdesk_core::Core;

use crate::cli::{Cli, Command};
use crate::exit::{internal, Failure};

/// Opens the store once and runs the command on a single-threaded runtime (the store's work runs
/// on its blocking pool).
pub(crate) fn run(cli: Cli) -> Result<(), Failure> {
    let dir = vaultdesk_core::paths::resolve_data_dir(cli.data_dir)?;
    let core = Core::open(&dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        match cli.command {
            Command::Vault(cmd) => vault::run(&core, cmd).await,
            Command::Connector(cmd) => connector::run(&core, cmd).await,
            Command::Render(args) => render::run(&core, args).await,
        }
    })
}
