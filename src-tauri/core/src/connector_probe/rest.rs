//! REST: DNS, TCP and TLS to `base_url`'s host (the handshake verified here against the system
//! roots, so a failure is named), then one request (method and path of the test call, default
//! `GET` on the base URL) with the connector's headers, query and auth. Redirects are never
//! followed: a 3xx is reported with where it points (host and path only). 401 and 403 are named
//! as the API refusing the configured auth.

use std::time::Instant;

use serde_json::Value;
use url::Url;

use super::net::{self, Target, Verify};
use super::{text, timeout, ConnectorError, ConnectorStage, Recorder, TestOptions};

/// `scheme://host[:port]/path`: no user info, no query (an API key may be in either).
fn shown(u: &Url) -> String {
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{}{port}{}", u.scheme(), u.host_str().unwrap_or(""), u.path())
}

fn invalid(field: &str, detail: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidValue { field: field.to_owned(), detail: detail.into() }
}

/// The test request's URL: `base_url` with `path` appended (`/` or none: the base URL itself).
fn request_url(base: &str, path: Option<&str>) -> Result<Url, ConnectorError> {
    let base = Url::parse(base.trim())
        .map_err(|e| invalid("config.base_url", format!("not a URL once rendered ({e})")))?;
    if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
        return Err(invalid("config.base_url", "must be an http:// or https:// URL with a host"));
    }
    match path.map(str::trim).filter(|p| !p.is_empty() && *p != "/") {
        None => Ok(base),
        Some(p) => {
            let mut u = base.clone();
            let joined = format!("{}/{}", base.path().trim_end_matches('/'), p.trim_start_matches('/'));
            let (path_part, query) =
                joined.split_once('?').map_or((joined.as_str(), None), |(a, b)| (a, Some(b)));
            u.set_path(path_part);
            if let Some(q) = query {
                u.set_query(Some(q));
            }
            Ok(u)
        }
    }
}

pub(super) async fn test(config: &Value, options: &TestOptions, r: &mut Recorder<'_>) {
    use ConnectorStage::*;
    let started = Instant::now();
    let prepared = text(config, "base_url")
        .ok_or_else(|| invalid("config.base_url", "is empty once rendered"))
        .and_then(|b| request_url(&b, options.path.as_deref()));
    let url = match prepared {
        Ok(u) => u,
        Err(e) => {
            r.fail(Dns, started, &e);
            r.skip_rest(&[Tcp, Tls, Request, Authentication]);
            return;
        }
    };
    let limit = timeout(config);
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let t = Target { host, port, host_field: "config.base_url".into(), timeout: limit };
    let Some(stream) = net::reach(&t, r, &[Tls, Request, Authentication]).await else {
        return;
    };

    let started = Instant::now();
    let auth_type = config.get("auth").and_then(|a| a.get("type")).and_then(Value::as_str).unwrap_or("none");
    if url.scheme() == "https" {
        match net::handshake(&t, stream, Verify::Full, None, "config.base_url").await {
            Ok(tls) => r.pass(Tls, started, net::describe(&tls, Verify::Full, None)),
            Err(e) => {
                r.fail(Tls, started, &e);
                r.skip_rest(&[Request, Authentication]);
                return;
            }
        }
    } else {
        drop(stream);
        let what = if auth_type == "none" { "requests" } else { "requests and their credentials" };
        r.warn(Tls, started, format!("plain HTTP: {what} travel unencrypted"));
    }

    let started = Instant::now();
    let method =
        options.method.as_deref().map(str::trim).filter(|m| !m.is_empty()).unwrap_or("GET").to_uppercase();
    let built = build(config, &method, url.clone(), limit);
    let request = match built {
        Ok(req) => req,
        Err(e) => {
            r.fail(Request, started, &e);
            r.skip_rest(&[Authentication]);
            return;
        }
    };
    let answer = request.send().await;
    let response = match answer {
        Ok(resp) => resp,
        Err(e) => {
            let err = if e.is_timeout() {
                ConnectorError::Timeout {
                    what: format!("{method} {}", shown(&url)),
                    secs: limit.as_secs(),
                    field: "config.timeout".into(),
                }
            } else {
                ConnectorError::Request {
                    detail: e.without_url().to_string(),
                    field: "config.base_url".into(),
                }
            };
            r.fail(Request, started, &err);
            r.skip_rest(&[Authentication]);
            return;
        }
    };
    let status = response.status();
    let line = format!("{method} {} → {} ({:?})", shown(&url), status, response.version());
    let code = status.as_u16();
    if status.is_redirection() {
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok())
            .map_or_else(|| "an unknown location".to_owned(), |u| shown(&u));
        r.warn(
            Request,
            started,
            format!("{line}; redirect to {to} not followed (credentials are never sent on)"),
        );
        r.skip(&[Authentication], "not judged: the answer was a redirect (test the final URL instead)");
        return;
    }
    let started_auth;
    match code {
        401 | 403 => {
            r.pass(Request, started, line);
            started_auth = Instant::now();
            let challenge = response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.split_whitespace().next())
                .map(|s| format!(" (the API asks for {s})"))
                .unwrap_or_default();
            let e = if code == 401 {
                ConnectorError::Unauthorized { status: code, field: "config.auth".into() }
            } else {
                ConnectorError::Forbidden { status: code, field: "config.auth".into() }
            };
            let mut info = e.info();
            info.message.push_str(&challenge);
            r.fail_info(Authentication, started_auth, info);
        }
        500..=599 => {
            let e = ConnectorError::HttpStatus {
                status: code,
                detail: status.canonical_reason().unwrap_or("server error").into(),
            };
            r.fail(Request, started, &e);
            r.skip_rest(&[Authentication]);
        }
        _ => {
            if status.is_success() {
                r.pass(Request, started, line);
            } else {
                r.warn(Request, started, format!("{line}; try another test path"));
            }
            started_auth = Instant::now();
            let summary = if auth_type == "none" {
                format!("no auth configured; the API answered {code} without it")
            } else {
                format!(
                    "{} auth accepted (the API answered {code}, not 401 or 403)",
                    auth_type.replace('_', "-")
                )
            };
            r.pass(Authentication, started_auth, summary);
        }
    }
}

/// The request with the connector's headers, query and auth (values never in an error).
fn build(
    config: &Value,
    method: &str,
    mut url: Url,
    limit: std::time::Duration,
) -> Result<reqwest::RequestBuilder, ConnectorError> {
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid("method", format!("\"{method}\" is not an HTTP method")))?;
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(limit)
        .connect_timeout(limit)
        .user_agent(concat!("vaultdesk/", env!("CARGO_PKG_VERSION"), " connection test"))
        .build()
        .map_err(|e| ConnectorError::Request { detail: e.to_string(), field: "config.base_url".into() })?;
    let auth = config.get("auth");
    let field = |k: &str| auth.and_then(|a| text(a, k)).unwrap_or_default();
    let api_key_in_query = auth.and_then(|a| a.get("type")).and_then(Value::as_str) == Some("api_key")
        && auth.and_then(|a| a.get("in")).and_then(Value::as_str) == Some("query");
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(q) = config.get("query").and_then(Value::as_object) {
            for (k, v) in q {
                pairs.append_pair(k, &value_text(v));
            }
        }
        if api_key_in_query {
            pairs.append_pair(&field("name"), &field("value"));
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    let mut req = client.request(method, url);
    if let Some(h) = config.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| invalid("config.headers", format!("\"{k}\" is not a valid header name")))?;
            let value = reqwest::header::HeaderValue::from_str(&value_text(v)).map_err(|_| {
                invalid(
                    "config.headers",
                    format!("the value of \"{k}\" is not a valid header value once rendered"),
                )
            })?;
            req = req.header(name, value);
        }
    }
    match auth.and_then(|a| a.get("type")).and_then(Value::as_str) {
        Some("basic") => req = req.basic_auth(field("username"), Some(field("password"))),
        Some("bearer") => req = req.bearer_auth(field("token")),
        Some("api_key") if !api_key_in_query => {
            let name = field("name");
            let hn = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid("config.auth", format!("\"{name}\" is not a valid header name")))?;
            let hv = reqwest::header::HeaderValue::from_str(&field("value")).map_err(|_| {
                invalid("config.auth", "the API key is not a valid header value once rendered")
            })?;
            req = req.header(hn, hv);
        }
        _ => {}
    }
    Ok(req)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_path_is_appended_to_the_base_url() {
        let u = |b: &str, p: Option<&str>| request_url(b, p).map(|u| u.to_string()).expect("url");
        assert_eq!(u("https://api.example.com/v1", None), "https://api.example.com/v1");
        assert_eq!(u("https://api.example.com/v1/", Some("/")), "https://api.example.com/v1/");
        assert_eq!(u("https://api.example.com/v1/", Some("/health")), "https://api.example.com/v1/health");
        assert_eq!(
            u("https://api.example.com/v1", Some("users?page=2")),
            "https://api.example.com/v1/users?page=2"
        );
        assert!(request_url("ftp://x", None).is_err());
    }

    #[test]
    fn a_shown_url_has_no_user_info_and_no_query() {
        let u = Url::parse("https://user:pw@api.example.com:8443/v1?api_key=s3cr3t").expect("url");
        assert_eq!(shown(&u), "https://api.example.com:8443/v1");
    }
}
