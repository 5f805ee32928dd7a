//! The handlebars helpers templates may use: `urlencode`, `base64` and `json`.

use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};
use serde_json::Value;

use super::MASK;

/// The names `register` gives the helpers (a bare name in a template is a helper, not a reference).
pub(super) const HELPERS: [&str; 3] = ["urlencode", "base64", "json"];

/// Registers the helpers on `hb`; with `mask`, a helper given a masked value writes the mask.
pub(super) fn register(hb: &mut Handlebars<'_>, mask: bool) {
    hb.register_helper("urlencode", Box::new(EncodeHelper { mask, text: scalar_text, encode: urlencode }));
    hb.register_helper("base64", Box::new(EncodeHelper { mask, text: scalar_text, encode: base64 }));
    hb.register_helper("json", Box::new(EncodeHelper { mask, text: json_text, encode: str::to_owned }));
}

/// A helper writing `encode` of the text `text` makes of its first argument; with `mask`, a text
/// holding a masked value is written as the mask alone.
struct EncodeHelper {
    mask: bool,
    text: fn(&Helper<'_>) -> Result<String, RenderErrorReason>,
    encode: fn(&str) -> String,
}

impl handlebars::HelperDef for EncodeHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = (self.text)(h)?;
        if self.mask && text.contains(MASK) {
            out.write(MASK)?;
        } else {
            out.write(&(self.encode)(&text))?;
        }
        Ok(())
    }
}

/// What helper `name` writes for `v` (already masked in mask mode), as the registered helper
/// would: the renderer's direct path for simple templates.
pub(super) fn apply(name: &str, v: &Value, mask: bool) -> Result<String, RenderErrorReason> {
    let (text, encode): (String, fn(&str) -> String) = match name {
        "json" => {
            (serde_json::to_string(v).map_err(|e| RenderErrorReason::Other(e.to_string()))?, str::to_owned)
        }
        "urlencode" => (value_text(name, v)?, urlencode),
        "base64" => (value_text(name, v)?, base64),
        other => return Err(RenderErrorReason::HelperNotFound(other.to_owned())),
    };
    Ok(if mask && text.contains(MASK) { MASK.to_owned() } else { encode(&text) })
}

/// The first argument as text: a string as it is, null as empty, a number or boolean as JSON; an
/// object or array is refused.
fn scalar_text(h: &Helper<'_>) -> Result<String, RenderErrorReason> {
    let p = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("helper", 0))?;
    value_text(h.name(), p.value())
}

fn value_text(helper: &str, v: &Value) -> Result<String, RenderErrorReason> {
    Ok(match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(_) | Value::Array(_) => {
            return Err(RenderErrorReason::Other(format!(
                "helper `{helper}` takes a single value, not an object or array"
            )))
        }
        other => other.to_string(),
    })
}

/// The first argument as JSON text.
fn json_text(h: &Helper<'_>) -> Result<String, RenderErrorReason> {
    let p = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("json", 0))?;
    serde_json::to_string(p.value()).map_err(|e| RenderErrorReason::Other(e.to_string()))
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
    base64_bytes(s.as_bytes())
}

/// Standard base64 with padding, of any bytes (an AWS SecretBinary).
pub fn base64_bytes(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_encode() {
        assert_eq!(urlencode("p@ss w/rd"), "p%40ss%20w%2Frd");
        assert_eq!(base64("hello"), "aGVsbG8=");
        assert_eq!(base64("hi"), "aGk=");
        assert_eq!(base64("abc"), "YWJj");
    }
}
