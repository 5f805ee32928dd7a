//! Where secret parts come from on the command line. They are never accepted as command-line
//! values (they would show in the process list and shell history): a file (`-` = standard
//! input), an environment variable (only where the command allows it), or a no-echo prompt on a
//! terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use vaultdesk_core::SecretString;

use crate::exit::{self, usage, Failure};

/// The error for a required ID that no source supplied.
pub(crate) fn missing_id(what: &str, flag: &str, env: &str) -> Failure {
    usage(format!(
        "the {what} is required: pass --{flag}-file FILE ('-' for standard input) or set {env} \
         (it is never accepted on the command line)"
    ))
}

/// Reads a Role ID or Secret ID from its file flag, its environment variable (when `use_env`),
/// or (when `prompt` and on a terminal) a no-echo prompt. `Ok(None)` when none supplied it.
pub(crate) fn read_id(
    file: &Option<PathBuf>,
    (env, use_env): (&str, bool),
    what: &str,
    prompt: bool,
    stdin_used: &mut bool,
) -> Result<Option<SecretString>, Failure> {
    if let Some(path) = file {
        let mut buf = String::new();
        if path.as_os_str() == "-" {
            if *stdin_used {
                return Err(usage("only one secret file flag can be '-' (standard input)"));
            }
            *stdin_used = true;
            std::io::stdin()
                .read_to_string(&mut buf)
                .map_err(|e| usage(format!("cannot read the {what} from standard input: {e}")))?;
        } else {
            buf = std::fs::read_to_string(path).map_err(|e| Failure {
                code: exit::INVALID_INPUT,
                message: format!("cannot read the {what} from {}: {e}", path.display()),
            })?;
        }
        // A file's final line break is not part of the secret (a password may end in spaces).
        let len = buf.strip_suffix('\n').map_or(buf.len(), |b| b.strip_suffix('\r').unwrap_or(b).len());
        buf.truncate(len);
        return Ok(Some(SecretString::from(buf)));
    }
    if let Some(v) = std::env::var(env).ok().filter(|_| use_env && !env.is_empty()) {
        return Ok(Some(SecretString::from(v)));
    }
    if prompt && std::io::stdin().is_terminal() && !*stdin_used {
        eprint!("{what}: ");
        let _ = std::io::stderr().flush();
        let v = rpassword::read_password()
            .map_err(|e| usage(format!("cannot read the {what} from the terminal: {e}")))?;
        return Ok(Some(SecretString::from(v)));
    }
    Ok(None)
}
