//! moto's server mode (started by tests/scripts/services.sh): the open server where any key
//! works and every request is recorded (to count GetSecretValue calls), and the server with
//! IAM enforced (a reader, and a describer not allowed GetSecretValue). Fixtures are made with plain HTTP calls of
//! the Secrets Manager JSON API, not through the SDK under test.

use serde_json::{json, Value};

use super::bao::env;

/// The open server's endpoint.
pub fn endpoint() -> String {
    env("VAULTDESK_TEST_AWS_ENDPOINT")
}

/// The IAM-enforcing server's endpoint, and the reader's access key id and secret key.
pub fn auth_server() -> (String, String, String) {
    (
        env("VAULTDESK_TEST_AWS_AUTH_ENDPOINT"),
        env("VAULTDESK_TEST_AWS_AUTH_KEY_ID"),
        env("VAULTDESK_TEST_AWS_AUTH_SECRET"),
    )
}

/// The keys of the IAM-enforcing server's user allowed DescribeSecret but not GetSecretValue.
pub fn describer() -> (String, String) {
    (env("VAULTDESK_TEST_AWS_DESCRIBER_KEY_ID"), env("VAULTDESK_TEST_AWS_DESCRIBER_SECRET"))
}

/// One Secrets Manager API call on the open server (any signature is accepted there).
pub async fn call(action: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(endpoint())
        .header("X-Amz-Target", format!("secretsmanager.{action}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=fixture/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await
        .expect("moto answers");
    let status = r.status();
    let text = r.text().await.expect("body");
    assert!(status.is_success(), "{action} failed: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub async fn create_string(name: &str, value: &str) -> Value {
    call("CreateSecret", json!({"Name": name, "SecretString": value})).await
}

pub async fn create_binary(name: &str, bytes: &[u8]) -> Value {
    call("CreateSecret", json!({"Name": name, "SecretBinary": b64(bytes)})).await
}

/// A new version, which becomes AWSCURRENT (the former current one AWSPREVIOUS).
pub async fn put_string(name: &str, value: &str) -> Value {
    call("PutSecretValue", json!({"SecretId": name, "SecretString": value})).await
}

/// Marks the secret for deletion (30-day recovery window).
pub async fn delete(name: &str) {
    call("DeleteSecret", json!({"SecretId": name, "RecoveryWindowInDays": 7})).await;
}

/// How many GetSecretValue requests for `secret` the open server has received so far.
pub fn get_secret_value_calls(secret: &str) -> usize {
    let text = std::fs::read_to_string(env("VAULTDESK_TEST_AWS_RECORDING")).expect("moto's recording");
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            let target = e["headers"].as_object().and_then(|h| {
                h.iter().find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target")).and_then(|(_, v)| v.as_str())
            });
            target == Some("secretsmanager.GetSecretValue")
        })
        .filter(|e| {
            let body = e["body"].as_str().unwrap_or_default();
            let body = if e["body_encoded"].as_bool() == Some(true) {
                unb64(body)
            } else {
                body.as_bytes().to_vec()
            };
            serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b["SecretId"].as_str().map(str::to_owned))
                .as_deref()
                == Some(secret)
        })
        .count()
}

const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64(b: &[u8]) -> String {
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

pub fn unb64(s: &str) -> Vec<u8> {
    let vals: Vec<u32> = s
        .bytes()
        .filter(|b| *b != b'=')
        .filter_map(|b| T.iter().position(|t| *t == b).map(|p| p as u32))
        .collect();
    let mut out = Vec::new();
    for c in vals.chunks(4) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, v)| n | (v << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if c.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if c.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}
