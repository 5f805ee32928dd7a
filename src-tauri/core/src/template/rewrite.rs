//! Rewriting and writing reference text: renaming a vault in documents, the vaults a set of
//! references names, the reference text for a key.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Reference;

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
    use crate::template::extract_all;
    use serde_json::json;

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
}
