//! Where vaultdesk keeps its data. The app and the CLI resolve it the same way, so a vault
//! added in one shows in the other.

use std::path::PathBuf;

/// Environment variable that overrides the platform data directory.
pub const DATA_DIR_ENV: &str = "VAULTDESK_DATA_DIR";

/// The data directory: an explicit choice (`--data-dir`), else `$VAULTDESK_DATA_DIR`, else the
/// platform data directory (`~/.local/share/vaultdesk` on Linux,
/// `~/Library/Application Support/vaultdesk` on macOS, `%APPDATA%\vaultdesk` on Windows).
pub fn resolve_data_dir(explicit: Option<PathBuf>) -> crate::Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join("vaultdesk")).ok_or_else(|| crate::Error::DataDir {
        path: PathBuf::new(),
        detail: format!("the platform has no user data directory; pass --data-dir or set {DATA_DIR_ENV}"),
    })
}
