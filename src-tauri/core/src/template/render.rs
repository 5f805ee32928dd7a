//! Rendering documents against fetched secrets, revealed or masked.

use handlebars::template::{Parameter, TemplateElement};
use handlebars::{Context, Handlebars, RenderContext, RenderErrorReason};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::lookup::{key_names, masked};
use super::parse::{compile, Piece};
use super::{helpers, lookup, Reference, SecretData, TemplateError};

/// Whether secret-derived values are shown or masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RenderMode {
    Reveal,
    Mask,
}

/// Renders documents against fetched secrets. Build once per batch: it holds the handlebars
/// registry and the template context.
pub struct Renderer<'a> {
    data: &'a SecretData,
    mode: RenderMode,
    /// The vaults the documents name, for the handlebars context.
    vaults: Vec<String>,
    /// Handlebars' registry and context, made on first need: a connector's templates
    /// (references, text, helpers) are written directly, and only other templates use them,
    /// so a batch of connectors copies no secret into a context.
    hb: std::sync::OnceLock<(Handlebars<'static>, Context)>,
}

impl<'a> Renderer<'a> {
    /// A renderer over `data` for documents whose references are `refs` (the vault names as
    /// written there become the context's keys).
    pub fn new(data: &'a SecretData, refs: &[Reference], mode: RenderMode) -> Renderer<'a> {
        let mut vaults: Vec<String> = Vec::new();
        for r in refs {
            if !vaults.contains(&r.vault) {
                vaults.push(r.vault.clone());
            }
        }
        Renderer { data, mode, vaults, hb: std::sync::OnceLock::new() }
    }

    /// The handlebars registry and the context of the secrets (masked in mask mode).
    fn handlebars(&self) -> &(Handlebars<'static>, Context) {
        self.hb.get_or_init(|| {
            let mut secrets = Map::new();
            for vault in &self.vaults {
                if let Some(v) = self.data.get(vault) {
                    let v = match self.mode {
                        RenderMode::Reveal => v.expose().clone(),
                        RenderMode::Mask => masked(v.expose()),
                    };
                    secrets.insert(vault.clone(), v);
                }
            }
            let mut root = Map::new();
            root.insert("secrets".into(), Value::Object(secrets));
            // A context over a plain JSON value cannot fail to build.
            let ctx = Context::wraps(Value::Object(root)).unwrap_or_else(|_| Context::null());
            let mut hb = Handlebars::new();
            hb.set_strict_mode(true);
            hb.register_escape_fn(handlebars::no_escape);
            helpers::register(&mut hb, self.mode == RenderMode::Mask);
            (hb, ctx)
        })
    }

    /// `doc` with every string rendered. Every reference is checked first, so the first error
    /// names a reference and nothing partial is returned.
    pub fn render(&self, doc: &Value) -> Result<Value, TemplateError> {
        self.render_at(doc, &mut String::new(), &mut None)
    }

    /// `doc` rendered, and the references it holds (in document order).
    pub fn render_with_references(&self, doc: &Value) -> Result<(Value, Vec<Reference>), TemplateError> {
        let mut refs = Some(Vec::new());
        let v = self.render_at(doc, &mut String::new(), &mut refs)?;
        Ok((v, refs.unwrap_or_default()))
    }

    /// `v` rendered; `path` is its field path (`a.b`, `list[2]`), one buffer for the whole walk.
    fn render_at(
        &self,
        v: &Value,
        path: &mut String,
        all: &mut Option<Vec<Reference>>,
    ) -> Result<Value, TemplateError> {
        Ok(match v {
            Value::String(s) => self.render_string(path, s, all)?,
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                    out.push(self.render_at(x, path, all)?);
                    path.truncate(len);
                }
                Value::Array(out)
            }
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, x) in o {
                    let len = path.len();
                    if len > 0 {
                        path.push('.');
                    }
                    path.push_str(k);
                    let rendered = self.render_at(x, path, all)?;
                    path.truncate(len);
                    out.insert(k.clone(), rendered);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// `s` at `field` rendered; its references added to `all` when it collects them.
    fn render_string(
        &self,
        field: &str,
        s: &str,
        all: &mut Option<Vec<Reference>>,
    ) -> Result<Value, TemplateError> {
        if !s.contains("{{") {
            return Ok(Value::String(s.to_owned()));
        }
        let compiled = compile(field, s)?;
        // The cached references (no field): an error is placed at `field`.
        let at = |mut e: TemplateError| {
            field.clone_into(e.field_mut());
            e
        };
        let refs = compiled.references_at(field)?;
        for r in refs {
            lookup(self.data, r).map_err(at)?;
        }
        let out = self.render_compiled(field, &compiled, refs).map_err(at)?;
        if let Some(all) = all {
            all.extend(refs.iter().map(|r| Reference { field: field.to_owned(), ..r.clone() }));
        }
        Ok(out)
    }

    fn render_compiled(
        &self,
        field: &str,
        compiled: &super::parse::Compiled,
        refs: &[Reference],
    ) -> Result<Value, TemplateError> {
        if let Some(pieces) = &compiled.pieces {
            // Exactly one reference and nothing else: the secret's own JSON type.
            if let ([Piece::Value(None)], [r]) = (pieces.as_slice(), refs) {
                let v = lookup(self.data, r)?;
                return Ok(match self.mode {
                    RenderMode::Reveal => v.clone(),
                    RenderMode::Mask => masked(v),
                });
            }
            return self.render_simple(field, pieces, refs).map(Value::String);
        }
        let Some(tpl) = &compiled.tpl else { return Ok(Value::String(String::new())) };
        // Inside a longer text an object or array would print as "[object]": refuse it.
        for el in &tpl.elements {
            if let TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) = el {
                if let (Parameter::Path(_), true) = (&h.name, h.params.is_empty()) {
                    if let Some(r) = refs.iter().find(|r| Some(r.text.as_str()) == h.name.as_name()) {
                        not_a_scalar(field, r, lookup(self.data, r)?)?;
                    }
                }
            }
        }
        self.render_handlebars(field, tpl)
    }

    /// A simple template (its [`Piece`]s) written directly: the same text handlebars writes
    /// (values as handlebars prints them, helpers as registered).
    fn render_simple(
        &self,
        field: &str,
        pieces: &[Piece],
        refs: &[Reference],
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut refs = refs.iter();
        for p in pieces {
            let helper = match p {
                Piece::Text(s) => {
                    out.push_str(s);
                    continue;
                }
                Piece::Comment => continue,
                Piece::Value(helper) => helper,
            };
            let Some(r) = refs.next() else { break };
            let v = lookup(self.data, r)?;
            if helper.is_none() {
                // Inside a longer text an object or array would print as "[object]".
                not_a_scalar(field, r, v)?;
            }
            let masked_v;
            let v = match self.mode {
                RenderMode::Reveal => v,
                RenderMode::Mask => {
                    masked_v = masked(v);
                    &masked_v
                }
            };
            match helper {
                Some(helper) => {
                    let text = helpers::apply(helper, v, self.mode == RenderMode::Mask).map_err(|e| {
                        TemplateError::Render { field: field.to_owned(), detail: render_reason(&e) }
                    })?;
                    out.push_str(&text);
                }
                None => match v {
                    Value::String(s) => out.push_str(s),
                    Value::Null => {}
                    other => out.push_str(&handlebars::JsonRender::render(other)),
                },
            }
        }
        Ok(out)
    }

    /// Any other template, through handlebars (no second parse).
    fn render_handlebars(
        &self,
        field: &str,
        tpl: &handlebars::template::Template,
    ) -> Result<Value, TemplateError> {
        let (hb, ctx) = self.handlebars();
        let mut out = handlebars::StringOutput::new();
        let mut rc = RenderContext::new(None);
        handlebars::Renderable::render(tpl, hb, ctx, &mut rc, &mut out)
            .and_then(|()| out.into_string().map_err(handlebars::RenderError::from))
            .map(Value::String)
            .map_err(|e| TemplateError::Render { field: field.to_owned(), detail: render_reason(e.reason()) })
    }
}

/// Refuses an object or array `v` (what `r` gives) inside a longer text, naming its keys.
fn not_a_scalar(field: &str, r: &Reference, v: &Value) -> Result<(), TemplateError> {
    let what = match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        _ => return Ok(()),
    };
    Err(TemplateError::NotAScalar {
        field: field.to_owned(),
        reference: r.text.clone(),
        what,
        available: key_names(v),
    })
}

/// A render error's reason without values (handlebars' reasons name paths and helpers).
fn render_reason(r: &RenderErrorReason) -> String {
    match r {
        RenderErrorReason::MissingVariable(Some(p)) => format!("`{p}` not found"),
        RenderErrorReason::HelperNotFound(h) => {
            format!("unknown helper `{h}` (helpers: urlencode, base64, json)")
        }
        RenderErrorReason::ParamNotFoundForIndex(h, i) => format!("helper `{h}` needs argument {}", i + 1),
        // The helpers' own refusals (helpers.rs) name the helper and the reason, never a value.
        RenderErrorReason::Other(why) => why.clone(),
        RenderErrorReason::NestedError(e) => match e.downcast_ref::<handlebars::RenderError>() {
            Some(inner) => render_reason(inner.reason()),
            None => "the template cannot be rendered".into(),
        },
        _ => "the template cannot be rendered".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitive::Sensitive;
    use crate::template::parse::{compile, handlebars_template};
    use crate::template::{extract_all, MASK};
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

    /// The direct path for simple templates writes exactly what handlebars writes, values of
    /// every JSON type, helpers, errors and masking included.
    #[test]
    fn simple_templates_render_as_handlebars_renders_them() {
        let mut d = SecretData::new();
        d.insert(
            "db",
            Sensitive::new(json!({"s": "p@ss w0rd/\"q\" ✓ {{x}}", "n": 5432, "f": 1.5, "neg": -3, "t": true, "z": null,
                "e": "", "o": {"a": [1, "two", null]}, "a": ["x", 2], "eo": {}, "ea": [], "mask": "••••••••x"})),
        );
        let templates = [
            "{{secrets.db.s}}",
            "pre {{secrets.db.s}} post",
            "{{secrets.db.n}}:{{secrets.db.f}}:{{secrets.db.neg}}",
            "{{secrets.db.t}}/{{secrets.db.z}}/{{secrets.db.e}}",
            "{{{secrets.db.s}}}",
            "a {{! a comment }}b {{secrets.db.n}}",
            "  {{~secrets.db.s~}}  x",
            "{{urlencode secrets.db.s}}",
            "{{base64 secrets.db.s}}",
            "{{json secrets.db.s}}",
            "{{json secrets.db.o}}",
            "{{json secrets.db.eo}}{{json secrets.db.ea}}",
            "x{{json secrets.db.a}}",
            "{{urlencode secrets.db.n}}{{base64 secrets.db.t}}{{urlencode secrets.db.z}}",
            "{{urlencode secrets.db.o}}",
            "{{base64 secrets.db.a}}",
            "{{secrets.db.o.a.1}}{{secrets.db.a.[0]}}",
            "{{urlencode secrets.db.mask}}",
            "pg://{{secrets.db.s}}:{{urlencode secrets.db.s}}@{{secrets.db.n}}/x\n{{json secrets.db.z}}",
        ];
        for mode in [RenderMode::Reveal, RenderMode::Mask] {
            for t in templates {
                let compiled = compile("f", t).expect("compiles");
                let pieces = compiled.pieces.as_ref().expect("simple");
                let refs = compiled.references("f").expect("refs");
                let r = Renderer::new(&d, &refs, mode);
                let direct = r.render_simple("f", pieces, &refs).map_err(|e| e.to_string());
                let tpl = handlebars_template(t);
                let hb = r.render_handlebars("f", &tpl).map_err(|e| e.to_string());
                assert_eq!(direct.map(Value::String), hb, "{t} ({mode:?})");
            }
        }
        for t in [
            "{{json}}",
            "{{#if secrets.db.s}}x{{/if}}",
            "{{json secrets.db.s secrets.db.n}}",
            "{{json (json secrets.db.s)}}",
        ] {
            assert!(compile("f", t).map_or(true, |c| c.pieces.is_none()), "{t} goes through handlebars");
        }
    }

    #[test]
    fn a_helper_given_an_object_says_why_it_cannot_render() {
        let e = render(json!({"url": "pg://{{urlencode secrets.db.a}}@h"})).expect_err("object");
        assert_eq!(e.to_string(), "url: helper `urlencode` takes a single value, not an object or array");
        let e = render(json!({"p": "{{base64 secrets.db.a.b}}"})).expect_err("array");
        assert!(e.to_string().contains("`base64` takes a single value"), "{e}");
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
}
