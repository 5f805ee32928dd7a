//! Opening a URL in the admin's browser (the OIDC sign-in), for the window and the CLI alike:
//! `$BROWSER` when set (the convention of xdg-open and most CLIs), else `xdg-open` when there is
//! a desktop session. The URL is printed or shown as well, so nothing depends on this working.

use std::process::{Command, Stdio};

/// Starts the browser on `url`; whether a browser was started.
pub fn open_url(url: &str) -> bool {
    let browser = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty());
    let desktop = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let program = match browser {
        // $BROWSER may list several, separated by ':'; the first is tried.
        Some(b) => b.split(':').next().unwrap_or_default().to_owned(),
        None if desktop => "xdg-open".to_owned(),
        None => return false,
    };
    Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}
