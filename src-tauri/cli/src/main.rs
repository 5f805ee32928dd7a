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

/// `println!` for the command's output, with `?`: a write that fails returns a `Failure`
/// instead of panicking, and a closed pipe (`vaultdesk vault list | head`) ends the command
/// quietly, as success.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::exit::write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` for the command's output; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::exit::write_out(format_args!($($arg)*))?
    };
}

mod cli;
mod commands;
mod exit;
mod ids;
mod output;

fn main() -> ExitCode {
    vaultdesk_core::timings::start();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output went away (`| head`): nothing left to say.
        Err(f) if f.code == exit::SUCCESS => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vaultdesk: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
