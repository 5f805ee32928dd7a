//! Compiling template strings (with size and nesting caps and a cache of compiled templates),
//! and walking them for the references they hold.

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{Path, PathSeg};
use serde_json::Value;

use super::helpers::HELPERS;
use super::{Reference, TemplateError};

/// Every string of `doc` with the field path it sits at (`a.b`, `list[2]`).
pub fn strings(doc: &Value) -> Vec<(String, &str)> {
    fn walk<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => out.push((path.to_owned(), s)),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), out);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(x, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

/// The references in one string value, or its syntax error (named by `field`, with the column).
pub fn extract(field: &str, text: &str) -> Result<Vec<Reference>, TemplateError> {
    if !text.contains("{{") {
        return Ok(Vec::new());
    }
    compile(field, text)?.references(field)
}

/// Whether `text` holds a reference (a template that does not compile holds none): a lookup in
/// the template cache, nothing copied.
pub fn holds_reference(text: &str) -> bool {
    text.contains("{{") && compile("", text).is_ok_and(|c| c.refs.as_ref().is_some_and(|r| !r.is_empty()))
}

/// The references of every string in `doc`; the first syntax error stops it. The same walk as
/// [`strings`], with the field path kept in one buffer (no path made for a plain string).
pub fn extract_all(doc: &Value) -> Result<Vec<Reference>, TemplateError> {
    let mut out = Vec::new();
    visit_references(doc, &mut |field, r| out.push(Reference { field: field.to_owned(), ..r.clone() }))?;
    Ok(out)
}

/// Calls `f` with the field path and each reference (from the template cache, its own `field`
/// empty) of every string in `doc`, in document order, copying nothing; the first syntax
/// error stops it.
pub fn visit_references(doc: &Value, f: &mut dyn FnMut(&str, &Reference)) -> Result<(), TemplateError> {
    fn walk(v: &Value, path: &mut String, f: &mut dyn FnMut(&str, &Reference)) -> Result<(), TemplateError> {
        match v {
            Value::String(s) if s.contains("{{") => {
                let compiled = compile(path, s)?;
                for r in compiled.references_at(path)? {
                    f(path, r);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                    walk(x, path, f)?;
                    path.truncate(len);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let len = path.len();
                    if len > 0 {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(x, path, f)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(doc, &mut String::new(), f)
}

/// A compiled template and the references it holds, found once: a warm render reads both from
/// the cache instead of walking the template again.
pub(super) struct Compiled {
    /// The handlebars template of a template the renderer cannot write directly (`None` when
    /// `pieces` holds it).
    pub(super) tpl: Option<Template>,
    /// A simple template (every connector's templates: text, comments and `{{REFERENCE}}` or
    /// `{{HELPER REFERENCE}}` expressions) as its pieces: the renderer writes it directly, each
    /// [`Piece::Value`] taking the next reference of `refs`, without handlebars' registry and
    /// context.
    pub(super) pieces: Option<Vec<Piece>>,
    /// The references with an empty `field` (the same text may sit in several fields); `None`
    /// when the walk failed, so the error is made again naming the field.
    pub(super) refs: Option<Vec<Reference>>,
}

/// A piece of a simple template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    /// The next reference's value, through the helper if one is named.
    Value(Option<&'static str>),
    /// A comment: writes nothing (kept so that a commented reference is not "the reference
    /// alone", which keeps the secret's JSON type).
    Comment,
}

impl Compiled {
    /// The references, placed at `field`.
    pub(super) fn references(&self, field: &str) -> Result<Vec<Reference>, TemplateError> {
        match (&self.refs, &self.tpl) {
            (Some(refs), _) => {
                Ok(refs.iter().map(|r| Reference { field: field.to_owned(), ..r.clone() }).collect())
            }
            (None, Some(tpl)) => {
                let mut out = Vec::new();
                walk_template(field, tpl, &mut out)?;
                Ok(out)
            }
            (None, None) => Ok(Vec::new()),
        }
    }

    /// The references (with an empty `field`), or the error that names the problem at `field`.
    pub(super) fn references_at(&self, field: &str) -> Result<&[Reference], TemplateError> {
        match &self.refs {
            Some(refs) => Ok(refs),
            None => self.references(field).map(|_| &[][..]),
        }
    }
}

/// Compiled templates by source text: parsing dominates rendering, and a warm render (preview
/// again, export after preview) sees the same strings. Only successful compilations are kept.
/// Bounded in bytes ([`CACHE_MAX_BYTES`], least recently used evicted first), so many or long
/// templates cannot grow the app without bound. It holds configuration text, which holds
/// references, never secret values.
static CACHE: std::sync::LazyLock<std::sync::Mutex<TemplateCache>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(TemplateCache::new(CACHE_MAX_BYTES)));
/// 16 MiB of estimated size: about 50,000 templates of a typical connector's length.
pub(super) const CACHE_MAX_BYTES: usize = 16 * 1024 * 1024;

type FastMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;

/// Compiled templates by text, least recently used evicted first once their estimated size
/// passes `max_bytes`. A hit only stamps the entry; the use order is brought up to date when
/// something must be evicted (each entry has one record in `by_use`, stamped at or before its
/// last use: a record found stale is filed again under its entry's stamp, so the first current
/// record is the least recently used entry).
pub(super) struct TemplateCache {
    entries: FastMap<std::sync::Arc<str>, CacheEntry>,
    /// Stamp → text, the oldest first; a stamp may be older than its entry's last use.
    by_use: std::collections::BTreeMap<u64, std::sync::Arc<str>>,
    bytes: usize,
    max_bytes: usize,
    clock: u64,
}

struct CacheEntry {
    compiled: std::sync::Arc<Compiled>,
    used: u64,
    /// The stamp of its record in `by_use`.
    filed: u64,
    bytes: usize,
}

impl TemplateCache {
    pub(super) fn new(max_bytes: usize) -> TemplateCache {
        TemplateCache {
            entries: FastMap::default(),
            by_use: Default::default(),
            bytes: 0,
            max_bytes,
            clock: 0,
        }
    }

    /// An estimate of what one entry holds: the text twice (the key, the template's raw
    /// strings and paths), its references, and a fixed overhead for the nodes and maps.
    fn cost(text: &str, compiled: &Compiled) -> usize {
        let refs = compiled.refs.as_ref().map_or(0, |r| {
            r.iter()
                .map(|r| {
                    r.text.len() + r.vault.len() + r.key.iter().map(|k| k.len() + 24).sum::<usize>() + 96
                })
                .sum()
        });
        let elements = match (&compiled.pieces, &compiled.tpl) {
            (Some(p), _) => p.len(),
            (None, Some(t)) => t.elements.len(),
            (None, None) => 0,
        };
        2 * text.len() + refs + 64 * elements + 256
    }

    pub(super) fn get(&mut self, text: &str) -> Option<std::sync::Arc<Compiled>> {
        let e = self.entries.get_mut(text)?;
        self.clock += 1;
        e.used = self.clock;
        Some(e.compiled.clone())
    }

    pub(super) fn insert(&mut self, text: &str, compiled: std::sync::Arc<Compiled>) {
        let bytes = Self::cost(text, &compiled);
        if bytes > self.max_bytes {
            return;
        }
        if let Some(old) = self.entries.remove(text) {
            self.by_use.remove(&old.filed);
            self.bytes -= old.bytes;
        }
        while self.bytes + bytes > self.max_bytes {
            let Some((stamp, oldest)) = self.by_use.pop_first() else { break };
            match self.entries.get_mut(&oldest) {
                // Used since it was filed: filed again under its last use.
                Some(e) if e.used != stamp => {
                    e.filed = e.used;
                    self.by_use.insert(e.used, oldest);
                }
                Some(_) => {
                    if let Some(e) = self.entries.remove(&oldest) {
                        self.bytes -= e.bytes;
                    }
                }
                None => {}
            }
        }
        self.clock += 1;
        let key: std::sync::Arc<str> = text.into();
        self.by_use.insert(self.clock, key.clone());
        self.entries.insert(key, CacheEntry { compiled, used: self.clock, filed: self.clock, bytes });
        self.bytes += bytes;
    }

    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    #[cfg(test)]
    pub(super) fn contains(&self, text: &str) -> bool {
        self.entries.contains_key(text)
    }
}

pub(super) fn compile(field: &str, text: &str) -> Result<std::sync::Arc<Compiled>, TemplateError> {
    let cache = || CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = cache().get(text) {
        return Ok(t);
    }
    let compiled = compile_fresh(field, text)?;
    cache().insert(text, compiled.clone());
    Ok(compiled)
}

/// Compiles `text` and finds its references, without the cache: a simple template is read
/// directly ([`read_simple`]), any other through handlebars' parser.
pub(super) fn compile_fresh(field: &str, text: &str) -> Result<std::sync::Arc<Compiled>, TemplateError> {
    check_size(field, text)?;
    if let Some((pieces, refs)) = read_simple(text) {
        return Ok(std::sync::Arc::new(Compiled { tpl: None, pieces: Some(pieces), refs: Some(refs) }));
    }
    compile_handlebars(field, text)
}

/// Compiles `text` with handlebars' parser (the size already checked).
pub(super) fn compile_handlebars(field: &str, text: &str) -> Result<std::sync::Arc<Compiled>, TemplateError> {
    let tpl = compile_uncached(field, text)?;
    let mut refs = Vec::new();
    let refs = walk_template("", &tpl, &mut refs).ok().map(|()| refs);
    let pieces = refs.as_ref().and_then(|_| simple_pieces(&tpl));
    let tpl = if pieces.is_some() { None } else { Some(tpl) };
    Ok(std::sync::Arc::new(Compiled { tpl, pieces, refs }))
}

/// See [`Compiled::pieces`]: each expression holds exactly one reference, in order.
fn simple_pieces(tpl: &Template) -> Option<Vec<Piece>> {
    let mut pieces = Vec::with_capacity(tpl.elements.len());
    for el in &tpl.elements {
        pieces.push(match el {
            TemplateElement::RawString(s) => Piece::Text(s.clone()),
            TemplateElement::Comment(_) => Piece::Comment,
            TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
                if h.block || !h.hash.is_empty() || h.template.is_some() || h.inverse.is_some() {
                    return None;
                }
                match (&h.name, h.params.as_slice()) {
                    (Parameter::Path(_), []) => Piece::Value(None),
                    (Parameter::Name(n), [Parameter::Path(_)]) => {
                        Piece::Value(Some(HELPERS.iter().copied().find(|h| *h == n.as_str())?))
                    }
                    _ => return None,
                }
            }
            _ => return None,
        });
    }
    Some(pieces)
}

/// A template written the way connectors are: text, and `{{secrets.VAULT.KEY}}` or
/// `{{HELPER secrets.VAULT.KEY}}` expressions with plain names (letters, digits, `-`, `_`) and
/// spaces inside the braces — read without handlebars' parser (which costs a one-shot export of
/// 1,000 connectors tens of milliseconds). Anything else (`~`, `{{{`, comments, `[segments]`,
/// backslashes, other whitespace, errors) is `None`: handlebars reads it. It reads exactly what
/// handlebars reads (`a_simple_template_is_read_as_handlebars_reads_it`).
fn read_simple(text: &str) -> Option<(Vec<Piece>, Vec<Reference>)> {
    if text.contains('\\') {
        return None;
    }
    let mut pieces = Vec::new();
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let mut words = after[..end].split(' ').filter(|w| !w.is_empty());
        let first = words.next()?;
        let (helper, path) = match words.next() {
            None => (None, first),
            Some(second) => (Some(HELPERS.iter().copied().find(|h| *h == first)?), second),
        };
        if words.next().is_some() {
            return None;
        }
        refs.push(simple_reference(path)?);
        pieces.push(Piece::Value(helper));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Some((pieces, refs))
}

/// `secrets.VAULT.KEY...` with plain names, as a reference (empty `field`).
fn simple_reference(path: &str) -> Option<Reference> {
    let plain = |s: &str| {
        !s.is_empty() && s != "this" && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let mut segs = path.split('.');
    if segs.next()? != "secrets" {
        return None;
    }
    let vault = segs.next().filter(|v| plain(v))?;
    let mut key = Vec::new();
    for s in segs {
        if !plain(s) {
            return None;
        }
        key.push(s.to_owned());
    }
    Some(Reference { field: String::new(), text: path.to_owned(), vault: vault.to_owned(), key })
}

/// Longest template text accepted in one field.
const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// Deepest nesting of `(` or `{` accepted: the parser recurses on it, and a crafted field must
/// not exhaust the stack.
const MAX_TEMPLATE_DEPTH: usize = 32;

fn check_size(field: &str, text: &str) -> Result<(), TemplateError> {
    let too = |detail: String| TemplateError::Syntax { field: field.to_owned(), line: 1, column: 1, detail };
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(too(format!("a template may be at most {} KiB", MAX_TEMPLATE_BYTES / 1024)));
    }
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '{' | '[' => {
                depth += 1;
                if depth > MAX_TEMPLATE_DEPTH {
                    return Err(too(format!("brackets nested deeper than {MAX_TEMPLATE_DEPTH} levels")));
                }
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn compile_uncached(field: &str, text: &str) -> Result<Template, TemplateError> {
    Template::compile(text).map_err(|e| {
        let (line, column) = e.pos().unwrap_or((1, 1));
        // The reason alone: the error's Display repeats the template text, which may hold anything.
        let detail = match e.reason() {
            handlebars::TemplateErrorReason::InvalidSyntax(_) => {
                "malformed {{ }} expression (unclosed braces, stray characters or an unclosed [segment])"
                    .to_owned()
            }
            other => other.to_string(),
        };
        Syntax::err(field, line, column, detail)
    })
}

/// `text` parsed by handlebars alone (tests compare the direct paths with it).
#[cfg(test)]
pub(super) fn handlebars_template(text: &str) -> Template {
    compile_uncached("f", text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

struct Syntax;
impl Syntax {
    fn err(field: &str, line: usize, column: usize, detail: String) -> TemplateError {
        TemplateError::Syntax { field: field.to_owned(), line, column, detail }
    }
}

pub(super) fn walk_template(
    field: &str,
    tpl: &Template,
    out: &mut Vec<Reference>,
) -> Result<(), TemplateError> {
    for el in &tpl.elements {
        match el {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::Expression(h)
            | TemplateElement::HtmlExpression(h)
            | TemplateElement::HelperBlock(h) => {
                let is_helper = h.block || !h.params.is_empty() || !h.hash.is_empty();
                if let (true, Some(name)) = (is_helper, h.name.as_name()) {
                    if !HELPERS.contains(&name) {
                        return Err(TemplateError::Render {
                            field: field.to_owned(),
                            detail: format!("unknown helper `{name}` (helpers: urlencode, base64, json)"),
                        });
                    }
                    check_arguments(field, name, h.params.len(), h.hash.len(), h.block)?;
                }
                walk_param(field, &h.name, out)?;
                for p in h.params.iter().chain(h.hash.values()) {
                    walk_param(field, p, out)?;
                }
                for t in h.template.iter().chain(h.inverse.iter()) {
                    walk_template(field, t, out)?;
                }
            }
            _ => {
                return Err(TemplateError::Render {
                    field: field.to_owned(),
                    detail: "partials and decorators are not supported in references".into(),
                })
            }
        }
    }
    Ok(())
}

fn walk_param(field: &str, p: &Parameter, out: &mut Vec<Reference>) -> Result<(), TemplateError> {
    match p {
        Parameter::Name(n) if HELPERS.contains(&n.as_str()) => Ok(()),
        Parameter::Name(n) => Err(TemplateError::NotAReference { field: field.to_owned(), text: n.clone() }),
        Parameter::Path(path) => {
            out.push(reference(field, path)?);
            Ok(())
        }
        Parameter::Literal(_) => Ok(()),
        Parameter::Subexpression(s) => {
            if let TemplateElement::Expression(h) = s.as_element() {
                if let Some(name) = h.name.as_name().filter(|n| HELPERS.contains(n)) {
                    check_arguments(field, name, h.params.len(), h.hash.len(), false)?;
                }
                walk_param(field, &h.name, out)?;
                for p in h.params.iter().chain(h.hash.values()) {
                    walk_param(field, p, out)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every helper takes exactly one value: a second argument, a `key=value` or a block would be
/// ignored by the helper and render something other than what the template says.
fn check_arguments(
    field: &str,
    name: &str,
    params: usize,
    hash: usize,
    block: bool,
) -> Result<(), TemplateError> {
    let problem = if block {
        Some(format!("`{name}` is not a block helper: write {{{{{name} secrets.VAULT.KEY}}}}"))
    } else if params > 1 || hash > 0 {
        Some(format!(
            "helper `{name}` takes one argument, not {}: write {{{{{name} secrets.VAULT.KEY}}}}",
            params + hash
        ))
    } else {
        None
    };
    problem.map_or(Ok(()), |detail| Err(TemplateError::Render { field: field.to_owned(), detail }))
}

fn reference(field: &str, path: &Path) -> Result<Reference, TemplateError> {
    let not_ref =
        |text: &str| TemplateError::NotAReference { field: field.to_owned(), text: text.to_owned() };
    let Path::Relative((segs, raw)) = path else {
        return Err(not_ref(&format!("{path:?}")));
    };
    let mut names = Vec::new();
    for s in segs {
        match s {
            PathSeg::Named(n) => names.push(n.clone()),
            _ => return Err(not_ref(raw)),
        }
    }
    if HELPERS.contains(&raw.as_str()) {
        return Err(TemplateError::Render {
            field: field.to_owned(),
            detail: format!("helper `{raw}` needs an argument, e.g. {{{{{raw} secrets.VAULT.KEY}}}}"),
        });
    }
    if names.len() < 2 || names[0] != "secrets" {
        return Err(not_ref(raw));
    }
    Ok(Reference {
        field: field.to_owned(),
        text: raw.clone(),
        vault: names[1].clone(),
        key: names[2..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_extracted_with_nested_keys_indices_and_brackets() {
        let refs =
            extract("f", "{{secrets.db.a.b.1.c}} {{urlencode secrets.db.[x-key]}} {{secrets.db.[k.dot]}}")
                .expect("parses");
        let keys: Vec<Vec<String>> = refs.iter().map(|r| r.key.clone()).collect();
        assert_eq!(keys, vec![vec!["a", "b", "1", "c"], vec!["x-key"], vec!["k.dot"]]);
        assert!(refs.iter().all(|r| r.vault == "db"));
    }

    #[test]
    fn syntax_errors_name_the_field_and_column() {
        let e = extract("headers.X", "ab {{secrets.db.user").expect_err("unclosed");
        let TemplateError::Syntax { field, line, column, .. } = &e else { panic!("{e}") };
        assert_eq!((field.as_str(), *line), ("headers.X", 1));
        assert!(*column >= 1, "{e}");
        let e = extract("f", "{{password}}").expect_err("not a reference");
        assert!(matches!(e, TemplateError::NotAReference { .. }), "{e}");
        let e = extract("f", "{{#if secrets.db.user}}x{{/if}}").expect_err("block helper");
        assert_eq!(e.to_string(), "f: unknown helper `if` (helpers: urlencode, base64, json)");
    }

    #[test]
    fn helpers_take_exactly_one_argument() {
        let e = extract("password", "{{urlencode secrets.db.a secrets.db.b}}").expect_err("two arguments");
        assert_eq!(
            e.to_string(),
            "password: helper `urlencode` takes one argument, not 2: write {{urlencode secrets.VAULT.KEY}}"
        );
        let e = extract("f", "{{base64 secrets.db.a mode=\"url\"}}").expect_err("hash argument");
        assert!(e.to_string().contains("`base64` takes one argument, not 2"), "{e}");
        let e = extract("f", "x{{json (urlencode secrets.db.a \"extra\")}}").expect_err("in a subexpression");
        assert!(e.to_string().contains("`urlencode` takes one argument"), "{e}");
        let e = extract("f", "{{#json secrets.db.a}}x{{/json}}").expect_err("as a block");
        assert!(e.to_string().contains("`json` is not a block helper"), "{e}");
        assert_eq!(extract("f", "{{json (urlencode secrets.db.a)}}").expect("one each").len(), 1);
    }

    #[test]
    fn the_template_cache_stays_within_its_byte_bound_and_evicts_the_least_recently_used() {
        let text = |i: usize| {
            format!("postgres://{{{{secrets.db{i}.user}}}}:{{{{urlencode secrets.db{i}.password}}}}@h{i}/app")
        };
        let one = TemplateCache::cost(&text(0), &compile_fresh("f", &text(0)).expect("compiles"));
        // Room for about ten entries.
        let mut cache = TemplateCache::new(one * 10 + one / 2);
        for i in 0..10 {
            cache.insert(&text(i), compile_fresh("f", &text(i)).expect("compiles"));
        }
        assert!((0..10).all(|i| cache.contains(&text(i))), "ten fit");
        // Entry 0 used again: it is now the most recently used, entry 1 the least.
        assert!(cache.get(&text(0)).is_some());
        for i in 10..15 {
            cache.insert(&text(i), compile_fresh("f", &text(i)).expect("compiles"));
            assert!(cache.bytes() <= one * 10 + one / 2, "within the bound after inserting {i}");
        }
        assert!(cache.contains(&text(0)), "the entry used recently stays");
        for i in 1..6 {
            assert!(!cache.contains(&text(i)), "the least recently used {i} went first");
        }
        assert!((6..15).all(|i| cache.contains(&text(i))));
        // One text larger than the whole bound is not kept (and evicts nothing).
        let huge = format!("{}{{{{secrets.db.x}}}}", "x".repeat(one * 11));
        cache.insert(&huge, compile_fresh("f", &huge).expect("compiles"));
        assert!(!cache.contains(&huge) && cache.contains(&text(0)));
        // Inserting the same text again does not count it twice.
        let before = cache.bytes();
        cache.insert(&text(0), compile_fresh("f", &text(0)).expect("compiles"));
        assert_eq!(cache.bytes(), before);
    }

    #[test]
    fn references_are_placed_at_the_field_paths_strings_gives() {
        let doc = serde_json::json!({"a": {"b": "{{secrets.v.x}}", "plain": "p", "list": ["q", {"c": "x {{secrets.v.y}}"}]},
            "hosts": ["{{secrets.w.h}}"], "n": 1});
        let fields: Vec<String> = extract_all(&doc).expect("refs").into_iter().map(|r| r.field).collect();
        let with_refs: Vec<String> =
            strings(&doc).into_iter().filter(|(_, s)| s.contains("{{")).map(|(p, _)| p).collect();
        assert_eq!(fields, with_refs);
        assert_eq!(fields, ["a.b", "a.list[1].c", "hosts[0]"]);
        let e = extract_all(&serde_json::json!({"x": [{"y": "{{secrets.v"}]})).expect_err("syntax");
        assert!(e.to_string().starts_with("x[0].y:"), "{e}");
    }

    /// The direct reader reads exactly what handlebars' parser reads (the same pieces and
    /// references) on every template it accepts; whatever it does not accept goes to handlebars.
    #[test]
    fn a_simple_template_is_read_as_handlebars_reads_it() {
        // Templates of text and `{{ }}` expressions made of path-like pieces: mostly what the
        // reader accepts, and every near miss (other characters, separators, keywords).
        let text = ["", "pg://", "a b", "}", "{", "}}", "é", "\\", "\n", "x:y@", "{{", "{{{", "'\""];
        let inner = [
            "secrets",
            ".",
            ".a",
            ".b",
            ".",
            "db",
            "Db",
            "a",
            "x-y",
            "x_y",
            "0",
            "-1",
            "this",
            " ",
            " ",
            "urlencode",
            "json",
            "base64",
            "$",
            ":",
            "/",
            "[a]",
            "[a b]",
            "~",
            "!",
            "#",
            "{",
            "}",
            "..",
            "@root",
            "else",
            "as",
            "true",
            "null",
            "\t",
            "\n",
            "(",
            ")",
            "=",
            "&",
            "^",
            ">",
            "*",
            "é",
            "'",
            "\"",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..40_000 {
            let mut t = String::new();
            for _ in 0..1 + next(3) {
                t.push_str(text[next(text.len())]);
                t.push_str("{{");
                if next(8) > 0 {
                    t.push_str(
                        [
                            "secrets.db.a",
                            "urlencode secrets.db.",
                            " secrets.Db",
                            "json secrets.",
                            "secrets.db",
                        ][next(5)],
                    );
                }
                for _ in 0..next(3) {
                    t.push_str(inner[next(inner.len())]);
                }
                t.push_str("}}");
            }
            t.push_str(text[next(text.len())]);
            match read_simple(&t) {
                Some((pieces, refs)) => {
                    accepted += 1;
                    let hb = compile_handlebars("f", &t)
                        .unwrap_or_else(|e| panic!("{t:?} read directly, but handlebars says: {e}"));
                    assert_eq!(hb.pieces.as_ref(), Some(&pieces), "{t:?}");
                    assert_eq!(hb.refs.as_ref(), Some(&refs), "{t:?}");
                }
                None => refused += 1,
            }
        }
        assert!(accepted > 2_000 && refused > 2_000, "read directly {accepted}, refused {refused}");
        // A connector's templates are read directly; the rest is handlebars' to read.
        for t in [
            "{{secrets.db.password}}",
            "postgres://{{secrets.db.username}}:{{urlencode secrets.db.password}}@{{ secrets.db.host }}/app",
            "Bearer {{secrets.api.token}}",
        ] {
            assert!(read_simple(t).is_some(), "{t}");
        }
        for t in [
            "{{~secrets.db.a}}",
            "{{{secrets.db.a}}}",
            "{{secrets.db.[a b]}}",
            "\\{{secrets.db.a}}",
            "{{! c }}",
        ] {
            assert!(read_simple(t).is_none(), "{t}");
        }
    }

    #[test]
    fn huge_or_deeply_nested_templates_are_refused_not_crashed_on() {
        let deep = format!("{{{{json {}secrets.db.a{}}}}}", "(".repeat(5000), ")".repeat(5000));
        let e = extract("f", &deep).expect_err("too deep");
        assert!(e.to_string().contains("nested deeper than 32"), "{e}");
        let long = format!("{{{{secrets.db.a}}}}{}", "x".repeat(70 * 1024));
        assert!(extract("f", &long).expect_err("too long").to_string().contains("at most 64 KiB"));
    }
}
