//! `vaultdesk render FILE`.

use std::path::Path;

use vaultdesk_core::export::ExportFormat;
use vaultdesk_core::Core;

use crate::cli::RenderArgs;
use crate::exit::{self, usage, Failure};

pub(super) fn format_arg(s: &str) -> Result<ExportFormat, Failure> {
    ExportFormat::parse(s).ok_or_else(|| usage(format!("--format must be json, yaml or env, not \"{s}\"")))
}

/// The text of `path`, or of standard input for `-`.
pub(super) fn read_source(path: &Path) -> Result<String, Failure> {
    if path.as_os_str() == "-" {
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf)
            .map_err(|e| usage(format!("cannot read standard input: {e}")))?;
        return Ok(buf);
    }
    std::fs::read_to_string(path).map_err(|e| Failure {
        code: exit::INVALID_INPUT,
        message: format!("cannot read {}: {e}", path.display()),
    })
}

/// Renders the file; the database credentials it writes stay valid (the sessions are not
/// closed), as for `connector export`.
pub(super) async fn run(core: &Core, args: RenderArgs) -> Result<(), Failure> {
    let text = read_source(&args.file)?;
    let format = args.format.as_deref().map(format_arg).transpose()?;
    if let Some(text) = core.render_file(text, &args.file, format, args.out, args.force).await? {
        out!("{}", text.expose());
    }
    Ok(())
}
