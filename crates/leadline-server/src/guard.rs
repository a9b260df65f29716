//! What the edge refuses before any handler runs: a NUL byte anywhere a text could reach the
//! store (PostgreSQL cannot hold one in text, and no name, address or id has one), in the
//! path, the query string, a form or a JSON body, answered with a 400 naming the field; and a
//! JSON or form body that takes longer than `BODY_TIMEOUT` to arrive (408).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::{ApiError, Kind};
use crate::AppState;

/// How long a JSON or form body may take to arrive, by default.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn nul_error(field: &str) -> ApiError {
    ApiError::bad_request("nul_byte", format!("{field} contains a NUL byte, which no text here may hold")).field(field)
}

/// Refuse a request that carries a NUL byte in its path, query, form or JSON body.
pub async fn refuse_nul(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(field) = nul_in_uri(req.uri()) {
        return nul_error(&field).into_response();
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // A body sent a trickle at a time would hold its connection and its buffer for as long as
    // the sender likes.
    let read =
        tokio::time::timeout(state.config.body_timeout, axum::body::to_bytes(body, state.config.max_json_bytes)).await;
    let bytes = match read {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return ApiError::new(
                Kind::PayloadTooLarge,
                "payload_too_large",
                "the body is larger than this endpoint accepts",
            )
            .into_response()
        }
        Err(_) => {
            return ApiError::new(Kind::Timeout, "request_timeout", "the body did not arrive in time; send it at once")
                .into_response()
        }
    };
    let found = if form {
        form_urlencoded_pairs(&bytes).into_iter().find(|(k, v)| k.contains('\0') || v.contains('\0')).map(|(k, _)| k)
    } else if bytes.contains(&0) || contains_escaped_nul(&bytes) {
        // Unreadable JSON is the handler's to refuse, in its words.
        serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| nul_in_json(&v, "body"))
    } else {
        None
    };
    if let Some(field) = found {
        return nul_error(&field.replace('\0', "")).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The query parameter (or "path") whose decoded text holds a NUL.
fn nul_in_uri(uri: &axum::http::Uri) -> Option<String> {
    if percent_decoded(uri.path()).contains('\0') {
        return Some("path".into());
    }
    let query = uri.query()?;
    form_urlencoded_pairs(query.as_bytes())
        .into_iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| if k.contains('\0') { "query".to_owned() } else { k })
}

fn contains_escaped_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'))
}

/// The name of the field whose value (or key) holds a NUL: the nearest key, or `at` for
/// the top.
fn nul_in_json(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(at.to_owned()),
        Value::Array(items) => items.iter().find_map(|i| nul_in_json(i, at)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(at.to_owned())
            } else {
                let name = if at == "body" { k.clone() } else { format!("{at}.{k}") };
                nul_in_json(v, &name)
            }
        }),
        _ => None,
    }
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decoded(&k.replace('+', " ")), percent_decoded(&v.replace('+', " ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_that_holds_a_nul() {
        let v: Value = serde_json::from_str(r#"{"first_name":"Anna","properties":{"plan":"a\u0000b"}}"#).unwrap();
        assert_eq!(nul_in_json(&v, "body").as_deref(), Some("properties.plan"));
        let v: Value = serde_json::from_str(r#"{"items":[{"id":"x"},{"tags":["ok","\u0000"]}]}"#).unwrap();
        assert_eq!(nul_in_json(&v, "body").as_deref(), Some("items.tags"));
        assert!(contains_escaped_nul(br#"{"a":"\u0000"}"#));
        assert!(!contains_escaped_nul(br#"{"a":"\u0001"}"#));
        let uri: axum::http::Uri = "/api/v1/contacts?tag=a%00b".parse().unwrap();
        assert_eq!(nul_in_uri(&uri).as_deref(), Some("tag"));
        let uri: axum::http::Uri = "/api/v1/contacts/ab%00cd".parse().unwrap();
        assert_eq!(nul_in_uri(&uri).as_deref(), Some("path"));
        assert_eq!(form_urlencoded_pairs(b"email=a%00%40b.pl&x=1")[0].1, "a\0@b.pl");
    }
}
