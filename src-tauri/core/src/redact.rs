//! Making text safe to show: a URL without the parts that can carry a credential.

/// A URL as it may appear in a message: any `user:password@` and any query removed, since
/// either can carry a credential.
pub fn redact_url(raw: &str) -> String {
    let raw = raw.trim();
    let no_query = raw.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = match no_query.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), no_query),
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let slash = if rest.contains('/') { "/" } else { "" };
    let dropped = if no_query.len() < raw.len() { "?…" } else { "" };
    format!("{scheme}{authority}{slash}{path}{dropped}")
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn user_info_and_query_are_removed() {
        assert_eq!(redact_url("https://u:p@h:1/x?t=1"), "https://***@h:1/x?…");
        assert_eq!(redact_url("http://h:8200"), "http://h:8200");
        assert_eq!(redact_url("http://h/p#tok"), "http://h/p?…");
    }
}
