//! `vaultdesk`: the command-line front door onto vaultdesk-core, for headless use and scripts.
//!
//! | file | what |
//! |---|---|
//! | `cli.rs` | the clap types: commands, flags, help |
//! | `commands/` | one file per command group: parse, call `vaultdesk_core::ops`, print |
//! | `ids.rs` | where Role ID and Secret ID come from (file, env, no-echo prompt; never argv) |
//! | `output.rs` | tables, reports, JSON |
//! | `exit.rs` | exit codes and error messages |

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod exit;
mod ids;
mod output;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vaultdesk: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
