//! The vaultdesk window: a thin Tauri shell over `vaultdesk-core`.
//!
//! Nothing here decides anything. Commands (in [`commands`]) forward to the core and hand its
//! errors to the UI as `ErrorPayload`; the only state the shell owns is which data directory it
//! was started on, which vault Tests are running (so they can be cancelled) and the Vault
//! sessions previews and exports share (`connectors::Hub`).

mod commands;
mod connectors;

use std::ffi::OsString;
use std::path::PathBuf;

use vaultdesk_core::ErrorPayload;

/// The data directory this window works on, resolved once at start-up. A failure is kept, not
/// fatal: the window opens and every command reports it, which beats a silent exit.
pub(crate) struct DataDir(pub(crate) Result<PathBuf, ErrorPayload>);

/// Builds and runs the app until its last window closes.
pub fn run() {
    let explicit = data_dir_arg(std::env::args_os().skip(1));
    let data_dir = vaultdesk_core::paths::resolve_data_dir(explicit).map_err(|e| e.payload());

    let result = tauri::Builder::default()
        .manage(DataDir(data_dir))
        .manage(commands::RunningTests::default())
        .manage(connectors::Hub::default())
        // Registered for Rust only: export opens its dialogs from `connectors.rs`, and no
        // capability grants the window a dialog permission.
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::list_vaults,
            commands::app_info,
            commands::vault_defaults,
            commands::add_vault,
            commands::update_vault,
            commands::remove_vault,
            commands::test_vault,
            commands::cancel_test,
            connectors::connector_kinds,
            connectors::list_connectors,
            connectors::compatible_vaults,
            connectors::prefill_connector,
            connectors::vault_keys,
            connectors::add_connector,
            connectors::update_connector,
            connectors::remove_connector,
            connectors::preview_connector,
            connectors::export_connector,
            connectors::export_all_connectors,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("vaultdesk: the window could not start: {error}");
        std::process::exit(1);
    }
}

/// `--data-dir DIR` or `--data-dir=DIR`, the same flag as the CLI. Other arguments are ignored
/// rather than rejected: launchers (WebKitWebDriver, desktop files) may add their own.
fn data_dir_arg(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    let mut found = None;
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            found = args.next().map(PathBuf::from);
        } else if let Some(value) = arg.to_str().and_then(|s| s.strip_prefix("--data-dir=")) {
            found = Some(PathBuf::from(value));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::data_dir_arg;
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> Option<PathBuf> {
        data_dir_arg(args.iter().map(Into::into))
    }

    #[test]
    fn data_dir_flag_in_both_spellings_and_among_foreign_arguments() {
        assert_eq!(parse(&[]), None, "no flag: the core decides (env, then platform dir)");
        assert_eq!(parse(&["--data-dir", "/d"]), Some("/d".into()), "separate value");
        assert_eq!(parse(&["--data-dir=/d"]), Some("/d".into()), "= value");
        assert_eq!(
            parse(&["--automation", "--data-dir", "/d", "--other"]),
            Some("/d".into()),
            "arguments a launcher adds are ignored, not fatal"
        );
        assert_eq!(parse(&["--data-dir"]), None, "a dangling flag sets nothing");
    }
}
