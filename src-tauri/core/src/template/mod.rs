//! `{{secrets.NAME.KEY}}` references inside configuration values, and rendering them.
//!
//! Only the string values of a **parsed** document are templates: rendering walks the JSON tree
//! and replaces strings, so a secret holding quotes, backslashes, newlines or `{{` can never break
//! the syntax of the JSON, YAML or env file it ends up in. A string that is exactly one reference
//! takes the secret's own JSON type (a port stays a number).
//!
//! References are found by compiling each string with handlebars and walking its syntax tree,
//! without contacting Vault (validation and where-used need them offline). Lookups are checked
//! against the fetched secrets before handlebars runs, so a missing vault or key is reported with
//! the whole reference and the key *names* available where the lookup stopped — never values.
//! HTML escaping is off; the helpers are `urlencode`, `base64` and `json`.

// A render error is the cold path and carries the names the user needs; its size is irrelevant.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, Path, PathSeg, RenderContext, RenderErrorReason,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::sensitive::Sensitive;

/// What a secret-derived value shows as in a preview: always the same, so its length says nothing.
pub const MASK: &str = "••••••••";

/// One `{{secrets.VAULT.KEY...}}` reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reference {
    /// The configuration field it appears in: `password`, `headers.Authorization`, `hosts[0]`.
    pub field: String,
    /// The path as written, e.g. `secrets.orders-db.password` or `secrets.api.[x-api-key]`.
    pub text: String,
    /// The vault name as written (vault names are case-insensitive).
    pub vault: String,
    /// The key path inside the vault's secret; empty for the whole secret.
    pub key: Vec<String>,
}

impl Reference {
    /// The key path as the user reads it: `db.hosts.0`; `(whole secret)` when empty.
    pub fn key_path(&self) -> String {
        if self.key.is_empty() {
            "(whole secret)".into()
        } else {
            self.key.join(".")
        }
    }
}

/// What can be wrong with a template or a reference. Messages name fields, references, vaults
/// and key names only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{field}: template syntax error at line {line}, column {column}: {detail}")]
    Syntax { field: String, line: usize, column: usize, detail: String },
    #[error("{field}: `{{{{{text}}}}}` is not a secret reference; write {{{{secrets.VAULT.KEY}}}}")]
    NotAReference { field: String, text: String },
    #[error(
        "{field}: `{{{{{reference}}}}}` refers to vault \"{vault}\", which does not exist{}",
        list_suffix("; vaults", available)
    )]
    MissingVault { field: String, reference: String, vault: String, available: Vec<String> },
    #[error(
        "{field}: `{{{{{reference}}}}}`: the secret of vault \"{vault}\" has no key \"{key}\" at {at}{}",
        list_suffix("; keys there", available)
    )]
    MissingKey {
        field: String,
        reference: String,
        vault: String,
        key: String,
        at: String,
        available: Vec<String>,
    },
    #[error(
        "{field}: `{{{{{reference}}}}}` is an {what} inside a longer text; pick one of its keys ({}) \
         or write {{{{json {reference}}}}}",
        available.join(", ")
    )]
    NotAScalar { field: String, reference: String, what: &'static str, available: Vec<String> },
    #[error("{field}: vault \"{vault}\" cannot be used here: {reason}")]
    Incompatible { field: String, vault: String, reason: String },
    #[error("{field}: {detail}")]
    Render { field: String, detail: String },
}

impl TemplateError {
    /// The field the error belongs under.
    pub fn field(&self) -> &str {
        match self {
            TemplateError::Syntax { field, .. }
            | TemplateError::NotAReference { field, .. }
            | TemplateError::MissingVault { field, .. }
            | TemplateError::MissingKey { field, .. }
            | TemplateError::NotAScalar { field, .. }
            | TemplateError::Incompatible { field, .. }
            | TemplateError::Render { field, .. } => field,
        }
    }

    pub fn field_mut(&mut self) -> &mut String {
        match self {
            TemplateError::Syntax { field, .. }
            | TemplateError::NotAReference { field, .. }
            | TemplateError::MissingVault { field, .. }
            | TemplateError::MissingKey { field, .. }
            | TemplateError::NotAScalar { field, .. }
            | TemplateError::Incompatible { field, .. }
            | TemplateError::Render { field, .. } => field,
        }
    }
}

fn list_suffix(label: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("{label}: none")
    } else {
        format!("{label}: {}", items.join(", "))
    }
}

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
    let tpl = compile(field, text)?;
    let mut out = Vec::new();
    walk_template(field, &tpl, &mut out)?;
    Ok(out)
}

/// The references of every string in `doc`; the first syntax error stops it.
pub fn extract_all(doc: &Value) -> Result<Vec<Reference>, TemplateError> {
    let mut out = Vec::new();
    for (field, s) in strings(doc) {
        out.extend(extract(&field, s)?);
    }
    Ok(out)
}

/// Compiled templates by source text: parsing dominates rendering, and a warm render (preview
/// again, export after preview) sees the same strings. Only successful compilations are kept;
/// the cache is emptied when it reaches `CACHE_MAX` entries. It holds configuration text, which
/// holds references, never secret values.
static CACHE: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Template>>>,
> = std::sync::LazyLock::new(Default::default);
const CACHE_MAX: usize = 20_000;

fn compile(field: &str, text: &str) -> Result<std::sync::Arc<Template>, TemplateError> {
    let cache = || CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(t) = cache().get(text) {
        return Ok(t.clone());
    }
    let tpl = std::sync::Arc::new(compile_uncached(field, text)?);
    let mut c = cache();
    if c.len() >= CACHE_MAX {
        c.clear();
    }
    c.insert(text.to_owned(), tpl.clone());
    Ok(tpl)
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

fn walk_template(field: &str, tpl: &Template, out: &mut Vec<Reference>) -> Result<(), TemplateError> {
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

const HELPERS: [&str; 3] = ["urlencode", "base64", "json"];

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

/// The fetched secrets of one render, by vault name (case-insensitive), as JSON: a KV secret's
/// data, or a database engine's credentials object.
#[derive(Debug, Default)]
pub struct SecretData {
    by_name: BTreeMap<String, (String, Sensitive<Value>)>,
}

impl SecretData {
    pub fn new() -> SecretData {
        SecretData::default()
    }
    /// Adds vault `name`'s secret.
    pub fn insert(&mut self, name: &str, value: Sensitive<Value>) {
        self.by_name.insert(name.to_lowercase(), (name.to_owned(), value));
    }
    pub fn get(&self, name: &str) -> Option<&Sensitive<Value>> {
        self.by_name.get(&name.to_lowercase()).map(|(_, v)| v)
    }
    pub fn names(&self) -> Vec<String> {
        self.by_name.values().map(|(n, _)| n.clone()).collect()
    }
}

/// Whether secret-derived values are shown or masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum RenderMode {
    Reveal,
    Mask,
}

/// Looks `r` up in `data`: the value, or the error naming where the lookup stopped.
pub fn lookup<'a>(data: &'a SecretData, r: &Reference) -> Result<&'a Value, TemplateError> {
    let Some(secret) = data.get(&r.vault) else {
        return Err(TemplateError::MissingVault {
            field: r.field.clone(),
            reference: r.text.clone(),
            vault: r.vault.clone(),
            available: data.names(),
        });
    };
    let mut cur = secret.expose();
    for (depth, seg) in r.key.iter().enumerate() {
        let next = match cur {
            Value::Object(o) => o.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                let at = if depth == 0 {
                    "the top level".to_owned()
                } else {
                    format!("\"{}\"", r.key[..depth].join("."))
                };
                return Err(TemplateError::MissingKey {
                    field: r.field.clone(),
                    reference: r.text.clone(),
                    vault: r.vault.clone(),
                    key: seg.clone(),
                    at,
                    available: key_names(cur),
                });
            }
        }
    }
    Ok(cur)
}

/// The key names (or index range) of a value, never its contents.
fn key_names(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(a) if a.is_empty() => vec![],
        Value::Array(a) => vec![format!("indices 0..{}", a.len() - 1)],
        _ => vec![],
    }
}

/// A value with every leaf replaced by the mask (objects and arrays keep their shape).
fn masked(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), masked(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(masked).collect()),
        _ => Value::String(MASK.into()),
    }
}

/// Renders documents against fetched secrets. Build once per batch: it holds the handlebars
/// registry and the template context.
pub struct Renderer<'a> {
    data: &'a SecretData,
    mode: RenderMode,
    hb: Handlebars<'static>,
    ctx: Context,
}

impl<'a> Renderer<'a> {
    /// A renderer over `data` for documents whose references are `refs` (the vault names as
    /// written there become the context's keys).
    pub fn new(data: &'a SecretData, refs: &[Reference], mode: RenderMode) -> Renderer<'a> {
        let mut secrets = Map::new();
        for r in refs {
            if let Some(v) = data.get(&r.vault) {
                if !secrets.contains_key(&r.vault) {
                    let v = match mode {
                        RenderMode::Reveal => v.expose().clone(),
                        RenderMode::Mask => masked(v.expose()),
                    };
                    secrets.insert(r.vault.clone(), v);
                }
            }
        }
        let mut root = Map::new();
        root.insert("secrets".into(), Value::Object(secrets));
        // A context over a plain JSON value cannot fail to build.
        let ctx = Context::wraps(Value::Object(root)).unwrap_or_else(|_| Context::null());
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        let mask = mode == RenderMode::Mask;
        hb.register_helper("urlencode", Box::new(TextHelper { mask, f: urlencode }));
        hb.register_helper("base64", Box::new(TextHelper { mask, f: base64 }));
        hb.register_helper("json", Box::new(JsonHelper { mask }));
        Renderer { data, mode, hb, ctx }
    }

    /// `doc` with every string rendered. Every reference is checked first, so the first error
    /// names a reference and nothing partial is returned.
    pub fn render(&self, doc: &Value) -> Result<Value, TemplateError> {
        self.render_with_references(doc).map(|(v, _)| v)
    }

    /// `doc` rendered, and the references it holds (in document order).
    pub fn render_with_references(&self, doc: &Value) -> Result<(Value, Vec<Reference>), TemplateError> {
        let mut refs = Vec::new();
        let v = self.render_at(doc, "", &mut refs)?;
        Ok((v, refs))
    }

    fn render_at(&self, v: &Value, path: &str, all: &mut Vec<Reference>) -> Result<Value, TemplateError> {
        Ok(match v {
            Value::String(s) => self.render_string(path, s, all)?,
            Value::Array(a) => Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| self.render_at(x, &format!("{path}[{i}]"), all))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, x) in o {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    out.insert(k.clone(), self.render_at(x, &p, all)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn render_string(&self, field: &str, s: &str, all: &mut Vec<Reference>) -> Result<Value, TemplateError> {
        if !s.contains("{{") {
            return Ok(Value::String(s.to_owned()));
        }
        let tpl = compile(field, s)?;
        let mut refs = Vec::new();
        walk_template(field, &tpl, &mut refs)?;
        for r in &refs {
            lookup(self.data, r)?;
        }
        all.extend(refs.iter().cloned());
        // Exactly one reference and nothing else: the secret's own JSON type.
        if let [TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h)] = tpl.elements.as_slice()
        {
            if h.params.is_empty() && h.hash.is_empty() && !h.block {
                if let (Parameter::Path(_), [r]) = (&h.name, refs.as_slice()) {
                    let v = lookup(self.data, r)?;
                    return Ok(match self.mode {
                        RenderMode::Reveal => v.clone(),
                        RenderMode::Mask => masked(v),
                    });
                }
            }
        }
        // Inside a longer text an object or array would print as "[object]": refuse it.
        for el in &tpl.elements {
            if let TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) = el {
                if let (Parameter::Path(_), true) = (&h.name, h.params.is_empty()) {
                    if let Some(r) = refs.iter().find(|r| Some(r.text.as_str()) == h.name.as_name()) {
                        let v = lookup(self.data, r)?;
                        let what = match v {
                            Value::Object(_) => Some("object"),
                            Value::Array(_) => Some("array"),
                            _ => None,
                        };
                        if let Some(what) = what {
                            return Err(TemplateError::NotAScalar {
                                field: field.to_owned(),
                                reference: r.text.clone(),
                                what,
                                available: key_names(v),
                            });
                        }
                    }
                }
            }
        }
        // Render the template compiled above (no second parse).
        let mut out = handlebars::StringOutput::new();
        let mut rc = RenderContext::new(None);
        handlebars::Renderable::render(&*tpl, &self.hb, &self.ctx, &mut rc, &mut out)
            .and_then(|()| out.into_string().map_err(handlebars::RenderError::from))
            .map(Value::String)
            .map_err(|e| TemplateError::Render { field: field.to_owned(), detail: render_reason(e.reason()) })
    }
}

/// A render error's reason without values (handlebars' reasons name paths and helpers).
fn render_reason(r: &RenderErrorReason) -> String {
    match r {
        RenderErrorReason::MissingVariable(Some(p)) => format!("`{p}` not found"),
        RenderErrorReason::HelperNotFound(h) => {
            format!("unknown helper `{h}` (helpers: urlencode, base64, json)")
        }
        RenderErrorReason::ParamNotFoundForIndex(h, i) => format!("helper `{h}` needs argument {}", i + 1),
        _ => "the template cannot be rendered".into(),
    }
}

struct TextHelper {
    mask: bool,
    f: fn(&str) -> String,
}

impl handlebars::HelperDef for TextHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let p = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("helper", 0))?;
        let text = match p.value() {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Object(_) | Value::Array(_) => {
                return Err(RenderErrorReason::Other(format!(
                    "helper `{}` takes a single value, not an object or array",
                    h.name()
                ))
                .into())
            }
            other => other.to_string(),
        };
        if self.mask && text.contains(MASK) {
            out.write(MASK)?;
        } else {
            out.write(&(self.f)(&text))?;
        }
        Ok(())
    }
}

struct JsonHelper {
    mask: bool,
}

impl handlebars::HelperDef for JsonHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let p = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("json", 0))?;
        let text = serde_json::to_string(p.value()).map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        if self.mask && text.contains(MASK) {
            out.write(MASK)?;
        } else {
            out.write(&text)?;
        }
        Ok(())
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters (for passwords in URLs).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

/// Rewrites references to vault `old` (any case) into `new` in every string of `doc`; returns
/// whether anything changed. Only text inside `{{ }}` is touched.
pub fn rename_vault(doc: &mut Value, old: &str, new: &str) -> bool {
    // `secrets.old.k`, `secrets.[old].k`, `(json secrets.old)`, `{{~secrets.old~}}`...
    let old = regex::escape(old);
    let inner = regex::Regex::new(&format!(r"(?i)(\bsecrets\.)(?:\[({old})\]|({old}))([.\s}})\]~]|$)"));
    let (Ok(inner), Ok(mustache)) = (inner, regex::Regex::new(r"(?s)\{\{.*?\}\}")) else { return false };
    fn walk(v: &mut Value, f: &dyn Fn(&str) -> Option<String>) -> bool {
        match v {
            Value::String(s) => match f(s) {
                Some(n) => {
                    *s = n;
                    true
                }
                None => false,
            },
            Value::Array(a) => a.iter_mut().fold(false, |c, x| walk(x, f) | c),
            Value::Object(o) => o.values_mut().fold(false, |c, x| walk(x, f) | c),
            _ => false,
        }
    }
    let f = |s: &str| -> Option<String> {
        if !s.contains("{{") {
            return None;
        }
        let out = mustache.replace_all(s, |m: &regex::Captures<'_>| {
            inner
                .replace_all(&m[0], |c: &regex::Captures<'_>| {
                    let name = if c.get(2).is_some() { format!("[{new}]") } else { new.to_owned() };
                    format!("{}{name}{}", &c[1], &c[4])
                })
                .into_owned()
        });
        (out != s).then(|| out.into_owned())
    };
    walk(doc, &f)
}

/// The distinct vault names (lower-cased) among `refs`.
pub fn vault_names(refs: &[Reference]) -> BTreeSet<String> {
    refs.iter().map(|r| r.vault.to_lowercase()).collect()
}

/// `{{secrets.VAULT.KEY}}` for a key, with bracket segments where the key needs them.
pub fn reference_text(vault: &str, key: &[&str]) -> String {
    let mut s = format!("{{{{secrets.{vault}");
    for k in key {
        let plain = !k.is_empty()
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !k.starts_with('-');
        if plain {
            s.push('.');
            s.push_str(k);
        } else {
            s.push_str(&format!(".[{k}]"));
        }
    }
    s.push_str("}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> SecretData {
        let mut d = SecretData::new();
        d.insert(
            "db",
            Sensitive::new(json!({"user": "u", "port": 5432, "a": {"b": [10, {"c": "deep"}]}, "x-key": "dash", "k.dot": "dot", "sp ace": "s"})),
        );
        d
    }

    fn render(doc: Value) -> Result<Value, TemplateError> {
        let refs = extract_all(&doc)?;
        let d = data();
        Renderer::new(&d, &refs, RenderMode::Reveal).render(&doc)
    }

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
    fn a_whole_reference_keeps_its_json_type_and_text_is_interpolated() {
        let out = render(json!({"port": "{{secrets.db.port}}", "n": "{{ secrets.db.a.b.0 }}",
            "url": "u={{secrets.db.user}}:{{secrets.db.port}}/{{secrets.db.[sp ace]}}",
            "deep": "{{secrets.db.a.b.[1].c}}", "obj": "{{secrets.db.a}}", "j": "{{json secrets.db.a.b}}"}))
        .expect("renders");
        assert_eq!(out["port"], json!(5432));
        assert_eq!(out["n"], json!(10));
        assert_eq!(out["url"], json!("u=u:5432/s"));
        assert_eq!(out["deep"], json!("deep"));
        assert_eq!(out["obj"], json!({"b": [10, {"c": "deep"}]}));
        assert_eq!(out["j"], json!(r#"[10,{"c":"deep"}]"#));
    }

    #[test]
    fn missing_keys_name_the_reference_and_the_keys_where_the_lookup_stopped() {
        let e = render(json!({"p": "x{{secrets.db.a.nope}}"})).expect_err("missing");
        assert_eq!(
            e.to_string(),
            "p: `{{secrets.db.a.nope}}`: the secret of vault \"db\" has no key \"nope\" at \"a\"; keys there: b"
        );
        let e = render(json!({"p": "{{secrets.other.k}}"})).expect_err("missing vault");
        assert!(matches!(e, TemplateError::MissingVault { .. }), "{e}");
        let e = render(json!({"p": "a {{secrets.db.a}}"})).expect_err("object in text");
        assert!(matches!(e, TemplateError::NotAScalar { .. }), "{e}");
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
    fn masked_rendering_shows_the_fixed_mask_only() {
        let doc = json!({"url": "pg://{{secrets.db.user}}:{{urlencode secrets.db.user}}@h", "p": "{{secrets.db.port}}"});
        let refs = extract_all(&doc).expect("refs");
        let d = data();
        let out = Renderer::new(&d, &refs, RenderMode::Mask).render(&doc).expect("renders");
        assert_eq!(out["url"], json!(format!("pg://{MASK}:{MASK}@h")));
        assert_eq!(out["p"], json!(MASK));
    }

    #[test]
    fn renaming_rewrites_only_that_vault_inside_mustaches() {
        let mut doc =
            json!({"a": "{{secrets.Old.k}} secrets.old.k {{urlencode secrets.old.[x]}} {{secrets.older.k}}"});
        assert!(rename_vault(&mut doc, "old", "new"));
        assert_eq!(
            doc["a"],
            json!("{{secrets.new.k}} secrets.old.k {{urlencode secrets.new.[x]}} {{secrets.older.k}}")
        );
    }

    #[test]
    fn renaming_rewrites_every_spelling_of_a_reference() {
        let mut doc = json!({
            "bracket": "{{secrets.[old].k}}",
            "tilde": "{{~secrets.old.k~}}",
            "sub": "{{json (secrets.old)}}",
            "whole": "{{secrets.old}}",
            "other": "{{secrets.[older].k}}"
        });
        assert!(rename_vault(&mut doc, "old", "new"));
        assert_eq!(doc["bracket"], json!("{{secrets.[new].k}}"));
        assert_eq!(doc["tilde"], json!("{{~secrets.new.k~}}"));
        assert_eq!(doc["sub"], json!("{{json (secrets.new)}}"));
        assert_eq!(doc["whole"], json!("{{secrets.new}}"));
        assert_eq!(doc["other"], json!("{{secrets.[older].k}}"));
        // Whatever the spelling, the parsed references now name the new vault only.
        for r in extract_all(&doc).expect("every spelling parses") {
            assert_ne!(r.vault.to_lowercase(), "old", "{} still refers to the old name", r.text);
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

    #[test]
    fn helpers_encode() {
        assert_eq!(urlencode("p@ss w/rd"), "p%40ss%20w%2Frd");
        assert_eq!(base64("hello"), "aGVsbG8=");
        assert_eq!(base64("hi"), "aGk=");
        assert_eq!(base64("abc"), "YWJj");
    }
}
