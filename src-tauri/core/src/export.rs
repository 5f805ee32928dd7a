//! Writing rendered documents as JSON, YAML or env files. Files are written atomically (a temp
//! file in the target's directory, fsync, rename; then the directory is synced) with mode 0600,
//! and an existing file is replaced only when asked to. Many files at once ([`write_all`]) share
//! one durability barrier and one folder fsync.
//!
//! `env` flattens nested keys with `_` into upper-case names (`db.host` → `DB_HOST`, arrays by
//! index) and single-quotes every value the POSIX way (`'` becomes `'\''`), so `. file` in a
//! shell gives back the exact bytes, newlines included.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{Error, Result, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Yaml,
    Env,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_lowercase().as_str() {
            "json" => Some(ExportFormat::Json),
            "yaml" | "yml" => Some(ExportFormat::Yaml),
            "env" | "dotenv" => Some(ExportFormat::Env),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Yaml => "yaml",
            ExportFormat::Env => "env",
        }
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidConnector(ValidationErrors::single("format", message))
}

/// `doc` as text in `format`, ending with a newline.
pub fn to_text(doc: &Value, format: ExportFormat) -> Result<String> {
    match format {
        ExportFormat::Json => {
            let mut s = serde_json::to_string_pretty(doc).map_err(|e| invalid(e.to_string()))?;
            s.push('\n');
            Ok(s)
        }
        ExportFormat::Yaml => Ok(to_yaml(doc)),
        ExportFormat::Env => to_env(doc),
    }
}

/// YAML in block style where every string, key or value, is double-quoted with JSON's escapes
/// (a subset of YAML's double-quoted style). A plain scalar would let YAML 1.1 readers (PyYAML,
/// go-yaml v2, Ruby) turn a secret such as `no`, `on`, `y`, `1:30` or `0x1F` into a boolean or
/// a number; a quoted one is always the exact string.
pub fn to_yaml(doc: &Value) -> String {
    fn quoted(s: &str) -> String {
        // JSON escapes C0 controls, quotes and backslashes; YAML also forbids DEL, C1 controls
        // and a few non-characters unescaped, and a reader may take the line and paragraph
        // separators U+2028 / U+2029 for line breaks.
        Value::String(s.to_owned())
            .to_string()
            .chars()
            .map(|c| match c {
                '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            })
            .collect()
    }
    fn scalar(v: &Value) -> String {
        match v {
            Value::Object(o) if o.is_empty() => "{}".into(),
            Value::Array(a) if a.is_empty() => "[]".into(),
            Value::String(s) => quoted(s),
            // Numbers, booleans and null print the same in JSON and YAML.
            other => other.to_string(),
        }
    }
    fn is_block(v: &Value) -> bool {
        matches!(v, Value::Object(o) if !o.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
    }
    /// Writes the entries of a non-empty container, each line indented by `indent`.
    fn block(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        let mut entry = |lead: String, child: &Value| {
            out.push_str(&pad);
            out.push_str(&lead);
            if is_block(child) {
                out.push('\n');
                block(child, indent + 2, out);
            } else {
                out.push(' ');
                out.push_str(&scalar(child));
                out.push('\n');
            }
        };
        match v {
            Value::Object(o) => {
                for (k, child) in o {
                    entry(format!("{}:", quoted(k)), child);
                }
            }
            Value::Array(a) => {
                for child in a {
                    entry("-".into(), child);
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if is_block(doc) {
        block(doc, 0, &mut out);
    } else {
        out.push_str(&scalar(doc));
        out.push('\n');
    }
    out
}

/// Parses a JSON or YAML document; `format` says which, else it is guessed from `path`'s
/// extension (JSON first otherwise). Returns the format read.
pub fn parse_document(text: &str, path: &Path) -> Result<(Value, ExportFormat)> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let bad = |what: &str, e: String| Error::InvalidFile {
        path: path.to_owned(),
        detail: format!("not valid {what}: {e}"),
    };
    match ext.as_str() {
        "yaml" | "yml" => serde_yaml_ng::from_str(text)
            .map(|v| (v, ExportFormat::Yaml))
            .map_err(|e| bad("YAML", e.to_string())),
        "json" => serde_json::from_str(text)
            .map(|v| (v, ExportFormat::Json))
            .map_err(|e| bad("JSON", e.to_string())),
        _ => match serde_json::from_str(text) {
            Ok(v) => Ok((v, ExportFormat::Json)),
            Err(_) => serde_yaml_ng::from_str(text)
                .map(|v| (v, ExportFormat::Yaml))
                .map_err(|e| bad("JSON or YAML", e.to_string())),
        },
    }
}

/// `KEY='value'` lines; nested keys joined with `_`, upper-cased, other characters as `_`.
pub fn to_env(doc: &Value) -> Result<String> {
    let Value::Object(_) = doc else {
        return Err(invalid("env output needs an object at the top level".into()));
    };
    let mut pairs: Vec<(String, String, String)> = Vec::new(); // (NAME, source path, value)
    flatten(doc, "", "", &mut pairs);
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (name, src, _) in &pairs {
        if let Some(other) = seen.insert(name, src) {
            return Err(invalid(format!("\"{other}\" and \"{src}\" both become {name} in env output")));
        }
    }
    if let Some((_, src, _)) = pairs.iter().find(|(_, _, v)| v.contains('\0')) {
        // A shell variable cannot hold a NUL byte: `. file` would cut the value short.
        return Err(Error::InvalidConnector(ValidationErrors::single(
            if src.is_empty() { "format" } else { src },
            "holds a NUL byte, which an env file cannot carry; export as JSON or YAML",
        )));
    }
    let mut out = String::new();
    for (name, _, value) in &pairs {
        out.push_str(name);
        out.push_str("='");
        out.push_str(&value.replace('\'', r"'\''"));
        out.push_str("'\n");
    }
    Ok(out)
}

fn env_name(path: &str) -> String {
    let mut n: String =
        path.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if n.starts_with(|c: char| c.is_ascii_digit()) || n.is_empty() {
        n.insert(0, '_');
    }
    n
}

fn flatten(v: &Value, name: &str, src: &str, out: &mut Vec<(String, String, String)>) {
    let join = |a: &str, b: &str, sep: &str| if a.is_empty() { b.to_owned() } else { format!("{a}{sep}{b}") };
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                flatten(x, &join(name, k, "_"), &join(src, k, "."), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, &join(name, &i.to_string(), "_"), &format!("{src}[{i}]"), out);
            }
        }
        Value::String(s) => out.push((env_name(name), src.to_owned(), s.clone())),
        Value::Null => out.push((env_name(name), src.to_owned(), String::new())),
        other => out.push((env_name(name), src.to_owned(), other.to_string())),
    }
}

/// Checks that `path` may be written: it does not exist, or `force`.
pub fn check_target(path: &Path, force: bool) -> Result<()> {
    if !force && path.symlink_metadata().is_ok() {
        return Err(Error::FileExists { path: path.to_owned() });
    }
    Ok(())
}

/// Writes `text` to `path` atomically with mode 0600. Without `force` an existing file is left
/// alone (and the check is part of the rename, so a file created meanwhile is not overwritten).
pub fn write_atomic(path: &Path, text: &str, force: bool) -> Result<()> {
    check_target(path, force)?;
    let tmp = prepare(path, text)?;
    place(tmp, path, force)
}

/// Writes several files all or nothing, durably, with one durability barrier for them all:
/// every file is first written next to its target under a temporary name (on a few threads at
/// once); then all are made durable at once ([`sync_barrier`]: one `syncfs(2)` per folder on
/// Linux instead of an fsync per file); then each is renamed into place, and each folder is
/// fsynced once at the end. A file being replaced (`force`) is first kept aside under a hard
/// link (a copy where links are not possible), so the target is never missing. If one cannot
/// be placed, those already placed are removed and the files kept aside are put back: a failed
/// export leaves the folder exactly as it was. A failed barrier fails the export before any
/// rename.
pub fn write_all(files: &[(PathBuf, String)], force: bool) -> Result<()> {
    check_targets(files.iter().map(|(p, _)| p.as_path()), force)?;
    let temps = create_temps(files.iter().map(|(p, _)| p.as_path()))?;
    finish_all(files, temps, force)
}

/// Empty temporary files (mode 0600) next to each of `paths`, in order, for [`finish_all`]:
/// creating them is the slowest part of writing many small files, and it needs nothing of
/// their contents, so an export creates them while it fetches and renders. Dropped, they are
/// deleted.
pub fn create_temps<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<TempFiles> {
    static BATCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let batch = BATCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut out = TempFiles { files: Vec::new(), batch };
    for p in paths {
        let tmp = create_temp(p)?;
        lock_unfinished().push((batch, tmp.path().to_owned()));
        out.files.push(tmp);
    }
    Ok(out)
}

/// Temporary files made by [`create_temps`], deleted when dropped unless [`finish_all`] placed
/// them. While they exist their names are on a list that [`remove_unfinished_temporary_files`]
/// empties: an exit on a signal runs no destructors, and an export waiting on Vault must not
/// leave its files in the user's folder.
#[derive(Debug)]
pub struct TempFiles {
    files: Vec<tempfile::NamedTempFile>,
    /// Which entries of the unfinished list are this batch's.
    batch: u64,
}

impl Drop for TempFiles {
    fn drop(&mut self) {
        lock_unfinished().retain(|(batch, _)| *batch != self.batch);
    }
}

/// (batch, temporary file) of the exports in progress.
static UNFINISHED: std::sync::Mutex<Vec<(u64, PathBuf)>> = std::sync::Mutex::new(Vec::new());

fn lock_unfinished() -> std::sync::MutexGuard<'static, Vec<(u64, PathBuf)>> {
    UNFINISHED.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Deletes the temporary files of exports still in progress: for a process about to exit
/// without unwinding (the CLI on SIGINT/SIGTERM). Files already renamed into place are not
/// touched (their temporary names no longer exist).
pub fn remove_unfinished_temporary_files() {
    for (_, p) in std::mem::take(&mut *lock_unfinished()) {
        let _ = std::fs::remove_file(p);
    }
}

/// [`write_all`] with the temporary files already created ([`create_temps`] of the same paths,
/// in order).
pub fn finish_all(files: &[(PathBuf, String)], mut batch: TempFiles, force: bool) -> Result<()> {
    // `batch` keeps the names listed as unfinished until this returns.
    let mut temps = std::mem::take(&mut batch.files);
    if temps.len() != files.len() {
        return Err(Error::Internal { detail: "the temporary files do not match the files to write".into() });
    }
    for ((path, text), tmp) in files.iter().zip(temps.iter_mut()) {
        tmp.write_all(text.as_bytes())
            .map_err(|e| Error::File { path: path.clone(), detail: e.to_string() })?;
    }
    let prepared = temps;
    crate::timings::mark("temporary files written");
    sync_barrier(files.iter().zip(&prepared).map(|((p, _), t)| (p.as_path(), t.as_file())))?;
    crate::timings::mark("durability barrier");
    // (target, the old file kept aside)
    let mut placed: Vec<(&PathBuf, Option<tempfile::TempPath>)> = Vec::new();
    let mut failure = None;
    for ((path, _), tmp) in files.iter().zip(prepared) {
        // Without `force` no target exists (checked above, and the rename refuses one that
        // appeared meanwhile): nothing to keep aside.
        let kept = if force { keep_aside(path) } else { Ok(None) };
        let kept = match kept {
            Ok(k) => k,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        if let Err(e) = rename_into_place(tmp, path, force) {
            // Nothing replaced this one: the link kept aside is dropped (deleted) with `kept`.
            failure = Some(e);
            break;
        }
        placed.push((path, kept));
    }
    let Some(e) = failure else {
        crate::timings::mark("renamed into place");
        // The renames, durable: each folder once. `TempPath`s delete the kept copies as they drop.
        sync_dirs(files.iter().map(|(p, _)| p.as_path()));
        crate::timings::mark("folder synced");
        return Ok(());
    };
    for (done, kept) in placed.into_iter().rev() {
        match kept {
            Some(old) => {
                let _ = old.persist(done);
            }
            None => {
                let _ = std::fs::remove_file(done);
            }
        }
    }
    Err(e)
}

/// [`check_target`] for many paths: a folder holding many of them is listed once instead of
/// one `lstat` per path.
pub fn check_targets<'a>(paths: impl Iterator<Item = &'a Path>, force: bool) -> Result<()> {
    if force {
        return Ok(());
    }
    let mut by_dir: std::collections::HashMap<PathBuf, Vec<&Path>> = std::collections::HashMap::new();
    for p in paths {
        by_dir.entry(parent_dir(p)).or_default().push(p);
    }
    for (dir, paths) in by_dir {
        // Listing compares names byte for byte: only where the file system does too. A folder
        // that does not exist holds no targets; one that cannot be listed is checked path by
        // path.
        let listed = if paths.len() < 16 || !cfg!(target_os = "linux") {
            None
        } else {
            match std::fs::read_dir(&dir) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Ok(entries) => Some(
                    entries
                        .filter_map(|e| e.ok().map(|e| e.file_name()))
                        .collect::<std::collections::HashSet<_>>(),
                ),
                Err(_) => None,
            }
        };
        match listed {
            Some(names) => {
                if let Some(p) = paths.iter().find(|p| p.file_name().is_some_and(|n| names.contains(n))) {
                    return Err(Error::FileExists { path: p.to_path_buf() });
                }
            }
            None => paths.into_iter().try_for_each(|p| check_target(p, false))?,
        }
    }
    Ok(())
}

/// A second name for the file at `path` (if it is a regular file), next to it, deleted when
/// dropped: a hard link, or a copy where the filesystem has none.
fn keep_aside(path: &Path) -> Result<Option<tempfile::TempPath>> {
    let file_err = |e: std::io::Error| Error::File { path: path.to_owned(), detail: e.to_string() };
    match path.symlink_metadata() {
        Ok(m) if m.is_file() => {}
        _ => return Ok(None),
    }
    let aside = tempfile::Builder::new()
        .prefix(".vaultdesk-old-")
        .suffix(".tmp")
        .tempfile_in(parent_dir(path))
        .map_err(file_err)?
        .into_temp_path();
    let aside_path = aside.to_path_buf();
    std::fs::remove_file(&aside_path).map_err(file_err)?;
    if std::fs::hard_link(path, &aside_path).is_err() {
        std::fs::copy(path, &aside_path).map_err(file_err)?;
    }
    Ok(Some(aside))
}

/// Makes sure `dir` is a folder, creating it and missing parents with mode 0700. Returns the
/// topmost folder it created (`None` if `dir` existed), so a failed export can remove them.
pub fn ensure_dir(dir: &Path) -> Result<Option<PathBuf>> {
    let err = |detail: String| Error::File { path: dir.to_owned(), detail };
    if dir.is_dir() {
        return Ok(None);
    }
    if dir.symlink_metadata().is_ok() {
        return Err(err("exists and is not a folder; nothing was exported".into()));
    }
    let mut top = dir.to_owned();
    while let Some(parent) = top.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        top = parent.to_owned();
    }
    crate::store::create_private_dir_io(dir)
        .map_err(|e| err(format!("cannot create the folder: {e}; nothing was exported")))?;
    Ok(Some(top))
}

/// Removes `dir` and its parents up to `top` while they are empty.
pub fn remove_empty_dirs(top: &Path, dir: &Path) -> std::io::Result<()> {
    let mut d = Some(dir);
    while let Some(p) = d {
        std::fs::remove_dir(p)?;
        if p == top {
            break;
        }
        d = p.parent();
    }
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// A synced temporary file with mode 0600 holding `text`, in `path`'s directory.
fn prepare(path: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let tmp = write_temp(path, text)?;
    tmp.as_file().sync_all().map_err(|e| Error::File { path: path.to_owned(), detail: e.to_string() })?;
    Ok(tmp)
}

/// Makes every file of `files` (target, open temporary file) durable at once, before any of
/// them is renamed into place. Linux: one `syncfs(2)` per distinct folder (it writes back the
/// whole filesystem once and reports a write-back error of any of its files since Linux 5.8),
/// far cheaper than a journal commit per file. Elsewhere: one pass of `fdatasync` after all the
/// writes rather than one interleaved with each write.
pub(crate) fn sync_barrier<'a>(files: impl Iterator<Item = (&'a Path, &'a std::fs::File)>) -> Result<()> {
    let err = |path: &Path, e: std::io::Error| Error::File {
        path: path.to_owned(),
        detail: format!("cannot make the written files durable: {e}; nothing was exported"),
    };
    #[cfg(target_os = "linux")]
    {
        let mut synced: Vec<PathBuf> = Vec::new();
        for (path, file) in files {
            let dir = parent_dir(path);
            if !synced.contains(&dir) {
                rustix::fs::syncfs(file).map_err(|e| err(path, e.into()))?;
                synced.push(dir);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    for (path, file) in files {
        file.sync_data().map_err(|e| err(path, e))?;
    }
    Ok(())
}

/// fsyncs each distinct folder of `paths` once (best effort, as after a single file's rename).
fn sync_dirs<'a>(paths: impl Iterator<Item = &'a Path>) {
    let mut done: Vec<PathBuf> = Vec::new();
    for p in paths {
        let dir = parent_dir(p);
        if done.contains(&dir) {
            continue;
        }
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        done.push(dir);
    }
}

/// A temporary file with mode 0600 holding `text`, in `path`'s directory, not yet synced.
fn write_temp(path: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let mut tmp = create_temp(path)?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| Error::File { path: path.to_owned(), detail: e.to_string() })?;
    Ok(tmp)
}

/// An empty temporary file with mode 0600 in `path`'s directory.
fn create_temp(path: &Path) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vaultdesk-").suffix(".tmp");
    // Created with mode 0600 (the umask can only narrow it), never wider for a moment.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    builder
        .tempfile_in(parent_dir(path))
        .map_err(|e| Error::File { path: path.to_owned(), detail: e.to_string() })
}

/// Renames the temporary file onto `path` (never over an existing file without `force`), then
/// fsyncs the folder.
fn place(tmp: tempfile::NamedTempFile, path: &Path, force: bool) -> Result<()> {
    rename_into_place(tmp, path, force)?;
    sync_dirs(std::iter::once(path));
    Ok(())
}

/// Renames the temporary file onto `path` (never over an existing file without `force`).
fn rename_into_place(tmp: tempfile::NamedTempFile, path: &Path, force: bool) -> Result<()> {
    let file_err = |e: std::io::Error| Error::File { path: path.to_owned(), detail: e.to_string() };
    if force {
        tmp.persist(path).map_err(|e| file_err(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::FileExists { path: path.to_owned() }
            } else {
                file_err(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn write_all_leaves_nothing_when_one_file_cannot_be_placed() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        // A directory where the second file should go: renaming a file onto it fails.
        std::fs::create_dir(&b).expect("dir");
        let files = vec![(a.clone(), "{\"k\": 1}".to_owned()), (b.clone(), "{}".to_owned())];
        let err = write_all(&files, true).expect_err("b cannot be replaced by a file");
        assert!(matches!(err, Error::File { .. }), "{err}");
        assert!(!a.exists(), "the file already placed was removed again");
        let left: Vec<_> =
            std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(left, [std::ffi::OsString::from("b.json")], "no temporary file is left either");
        std::fs::remove_dir(&b).expect("rmdir");
        write_all(&files, false).expect("both written");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(
            matches!(write_all(&files, false), Err(Error::FileExists { .. })),
            "no overwrite without force"
        );
    }

    #[test]
    fn yaml_quotes_every_string_and_reads_back_exactly() {
        let doc = json!({
            "plain": ["no", "on", "y", "off", "1:30", "0x1F", "~", "", "null", "true", "0123", "- x", "#c", "a: b"],
            "pem": "-----BEGIN KEY-----\nAB\\CD\"\n-----END KEY-----\n",
            "unicode": "pässwörd ✓ \u{7f}\u{85}\u{feff}\t\r",
            "num": 5432, "float": 1.5, "bool": false, "nothing": null,
            "nested": {"list": [{"a": 1, "b": ["x", {}]}, []], "empty": {}},
            "key with: colon": "v"
        });
        let text = to_yaml(&doc);
        assert!(
            text.contains("- \"no\"\n") && text.contains("- \"on\"\n") && text.contains("- \"1:30\"\n"),
            "{text}"
        );
        let back: Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
        assert_eq!(back, doc, "{text}");
        assert_eq!(to_yaml(&json!("just a string")), "\"just a string\"\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
    }

    #[test]
    fn env_flattens_and_quotes() {
        let out = to_env(&json!({"db": {"host": "h", "port": 5432, "list": ["a", "it's"]}, "x-y": true}))
            .expect("env");
        assert_eq!(out, "DB_HOST='h'\nDB_LIST_0='a'\nDB_LIST_1='it'\\''s'\nDB_PORT='5432'\nX_Y='true'\n");
        let e = to_env(&json!({"a": {"b": 1}, "a_b": 2})).expect_err("collision");
        assert!(e.to_string().contains("both become A_B"), "{e}");
    }
}
