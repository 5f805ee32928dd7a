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

/// The references of every string in `doc`; the first syntax error stops it. The same walk as
/// [`strings`], with the field path kept in one buffer (no path made for a plain string).
pub fn extract_all(doc: &Value) -> Result<Vec<Reference>, TemplateError> {
    fn walk(v: &Value, path: &mut String, out: &mut Vec<Reference>) -> Result<(), TemplateError> {
        match v {
            Value::String(s) => out.extend(extract(path, s)?),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                    walk(x, path, out)?;
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
                    walk(x, path, out)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(doc, &mut String::new(), &mut out)?;
    Ok(out)
}

/// A compiled template and the references it holds, found once: a warm render reads both from
/// the cache instead of walking the template again.
pub(super) struct Compiled {
    pub(super) tpl: Template,
    /// The references with an empty `field` (the same text may sit in several fields); `None`
    /// when the walk failed, so the error is made again naming the field.
    refs: Option<Vec<Reference>>,
    /// Whether the template is only text, comments and `{{REFERENCE}}` or
    /// `{{HELPER REFERENCE}}` expressions (every connector's templates): then the renderer
    /// writes it directly, each expression taking the next reference of `refs`, without
    /// handlebars' registry and context.
    pub(super) simple: bool,
}

impl Compiled {
    /// The references, placed at `field`.
    pub(super) fn references(&self, field: &str) -> Result<Vec<Reference>, TemplateError> {
        match &self.refs {
            Some(refs) => {
                Ok(refs.iter().map(|r| Reference { field: field.to_owned(), ..r.clone() }).collect())
            }
            None => {
                let mut out = Vec::new();
                walk_template(field, &self.tpl, &mut out)?;
                Ok(out)
            }
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

/// Compiled templates by text, least recently used evicted first once their estimated size
/// passes `max_bytes`.
pub(super) struct TemplateCache {
    entries: std::collections::HashMap<String, CacheEntry>,
    /// Last use → text: the oldest first.
    by_use: std::collections::BTreeMap<u64, String>,
    bytes: usize,
    max_bytes: usize,
    clock: u64,
}

struct CacheEntry {
    compiled: std::sync::Arc<Compiled>,
    used: u64,
    bytes: usize,
}

impl TemplateCache {
    pub(super) fn new(max_bytes: usize) -> TemplateCache {
        TemplateCache {
            entries: Default::default(),
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
        2 * text.len() + refs + 64 * compiled.tpl.elements.len() + 256
    }

    pub(super) fn get(&mut self, text: &str) -> Option<std::sync::Arc<Compiled>> {
        self.clock += 1;
        let now = self.clock;
        let e = self.entries.get_mut(text)?;
        let text = self.by_use.remove(&e.used).unwrap_or_else(|| text.to_owned());
        e.used = now;
        self.by_use.insert(now, text);
        Some(e.compiled.clone())
    }

    pub(super) fn insert(&mut self, text: &str, compiled: std::sync::Arc<Compiled>) {
        let bytes = Self::cost(text, &compiled);
        if bytes > self.max_bytes {
            return;
        }
        if let Some(old) = self.entries.remove(text) {
            self.by_use.remove(&old.used);
            self.bytes -= old.bytes;
        }
        while self.bytes + bytes > self.max_bytes {
            let Some((_, oldest)) = self.by_use.pop_first() else { break };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.bytes;
            }
        }
        self.clock += 1;
        self.by_use.insert(self.clock, text.to_owned());
        self.entries.insert(text.to_owned(), CacheEntry { compiled, used: self.clock, bytes });
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

/// Compiles `text` and finds its references, without the cache.
pub(super) fn compile_fresh(field: &str, text: &str) -> Result<std::sync::Arc<Compiled>, TemplateError> {
    let tpl = compile_uncached(field, text)?;
    let mut refs = Vec::new();
    let refs = walk_template("", &tpl, &mut refs).ok().map(|()| refs);
    let simple = refs.is_some() && is_simple(&tpl);
    Ok(std::sync::Arc::new(Compiled { tpl, refs, simple }))
}

/// See [`Compiled::simple`]: each expression holds exactly one reference, in order.
fn is_simple(tpl: &Template) -> bool {
    tpl.elements.iter().all(|el| match el {
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => true,
        TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
            !h.block
                && h.hash.is_empty()
                && h.template.is_none()
                && h.inverse.is_none()
                && match (&h.name, h.params.as_slice()) {
                    (Parameter::Path(_), []) => true,
                    (Parameter::Name(n), [Parameter::Path(_)]) => HELPERS.contains(&n.as_str()),
                    _ => false,
                }
        }
        _ => false,
    })
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
    check_size(field, text)?;
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

    #[test]
    fn huge_or_deeply_nested_templates_are_refused_not_crashed_on() {
        let deep = format!("{{{{json {}secrets.db.a{}}}}}", "(".repeat(5000), ")".repeat(5000));
        let e = extract("f", &deep).expect_err("too deep");
        assert!(e.to_string().contains("nested deeper than 32"), "{e}");
        let long = format!("{{{{secrets.db.a}}}}{}", "x".repeat(70 * 1024));
        assert!(extract("f", &long).expect_err("too long").to_string().contains("at most 64 KiB"));
    }
}
