//! The vaultdesk window: a thin Tauri shell over `vaultdesk-core`.
//!
//! Nothing here decides anything. Each command (in [`vaults`], [`connectors`] and [`leases`], listed once in
//! `command_list.rs`) unpacks the window's state, calls one use case of
//! [`vaultdesk_core::Core`] and returns its result; errors reach the UI as the core's
//! `ErrorPayload`. The shell owns only what is about the window: which data directory it was
//! started on, the one `Core` (store opened once, Vault sessions shared by every command), and
//! which Tests are running (so the window can cancel them).

// `ErrorPayload` is the IPC contract (serialised once per failed call); its size is irrelevant.
#![allow(clippy::result_large_err)]

// The command list first: macros are visible only after their definition.
include!("command_list.rs");

#[cfg(test)]
mod command_map;
mod connectors;
mod leases;
mod vaults;

use std::ffi::OsString;
use std::path::PathBuf;

use vaultdesk_core::{Core, ErrorPayload};

/// What the window works on, set up once at start-up. A failure is kept, not fatal: the window
/// opens and every command reports it, which beats a silent exit.
pub(crate) struct AppState {
    pub(crate) data_dir: Result<PathBuf, ErrorPayload>,
    core: Result<Core, ErrorPayload>,
    /// Started by `vaultdesk demo` (`--demo`) on its throwaway data directory: the header says
    /// "Demo data" so no one takes it for real data.
    pub(crate) demo: bool,
}

impl AppState {
    fn open(explicit: Option<PathBuf>, demo: bool) -> AppState {
        let data_dir = vaultdesk_core::paths::resolve_data_dir(explicit).map_err(ErrorPayload::from);
        let core = match &data_dir {
            Ok(dir) => Core::open(dir).map_err(ErrorPayload::from),
            Err(e) => Err(e.clone()),
        };
        AppState { data_dir, core, demo }
    }

    /// The window's `Core`, or why there is none.
    pub(crate) fn core(&self) -> Result<&Core, ErrorPayload> {
        self.core.as_ref().map_err(Clone::clone)
    }
}

macro_rules! register {
    ($($module:ident :: $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty;)*) => {
        tauri::generate_handler![$($module::$name),*]
    };
}

/// Why this build cannot show its window, if it cannot: without the UI embedded
/// (`custom-protocol`) the window would load the dev-server URL, and whatever listens on that
/// port would get the window's commands. Only a UI-development build (`dev-server`) may.
pub fn refuse_to_start() -> Option<&'static str> {
    if cfg!(any(feature = "custom-protocol", feature = "dev-server")) {
        None
    } else {
        Some(
            "this build of vaultdesk-app has no window UI embedded: build and start it with \
             `bash scripts/app.sh` (scripts/build-app.sh embeds ui/dist); for UI development build \
             with --features dev-server while `npm run dev` serves ui/",
        )
    }
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    if let Some(why) = refuse_to_start() {
        eprintln!("vaultdesk-app: {why}");
        std::process::exit(2);
    }
    let demo = std::env::args_os().skip(1).any(|a| a == "--demo");
    let state = AppState::open(data_dir_arg(std::env::args_os().skip(1)), demo);
    let result = tauri::Builder::default()
        .manage(state)
        .manage(vaults::RunningTests::default())
        // Registered for Rust only: export opens its dialogs from `connectors.rs`, and no
        // capability grants the window a dialog permission.
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(app_commands!(register))
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|handle, event| {
            // Quitting ends the sessions: previews' and tests' credentials are revoked (and
            // recorded so); exported ones were issued apart and are kept.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                if let Ok(core) = handle.state::<AppState>().core() {
                    tauri::async_runtime::block_on(core.close());
                }
            }
        }),
        Err(error) => {
            eprintln!("vaultdesk: the window could not start: {error}");
            std::process::exit(1);
        }
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

    /// `cargo test -p vaultdesk-app --lib` (tests/run.sh) builds without features: the build a
    /// user would get from a bare `cargo build`.
    #[cfg(not(any(feature = "custom-protocol", feature = "dev-server", feature = "e2e")))]
    #[test]
    fn a_build_without_the_embedded_ui_refuses_to_start_and_has_no_test_switch() {
        let why = super::refuse_to_start().expect("refuses");
        assert!(why.contains("no window UI embedded") && why.contains("scripts/app.sh"), "{why}");
        std::env::set_var("VAULTDESK_E2E_EXPORT_DIR", "/tmp/e2e-exports");
        assert_eq!(
            super::connectors::e2e_export_dir().ok().flatten(),
            None,
            "the E2E switch is not compiled in"
        );
    }
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
