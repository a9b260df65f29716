//! The public tracking endpoints: the Segment tracking API (`/v1/identify`, `/v1/track`,
//! `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`, `/v1/batch`) and the browser script
//! `/t.js`. Authenticated by a site's write key (HTTP Basic user, or `writeKey` in the body),
//! bounded (500 KB a request, 32 KB a message, a rate per write key and per address), open to
//! browsers only from the site's origins. A 2xx means the events are kept durably.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use leadline_core::track::MessageKind;
use leadline_store::Site;
use serde_json::Value;

use crate::error::{ApiError, Kind};
use crate::tracking::{self, Refused, MAX_REQUEST_BYTES};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    let one = |kind: MessageKind| post(move |s, r| receive(s, r, Some(kind)));
    Router::new()
        .route("/v1/identify", one(MessageKind::Identify))
        .route("/v1/track", one(MessageKind::Track))
        .route("/v1/page", one(MessageKind::Page))
        .route("/v1/screen", one(MessageKind::Screen))
        .route("/v1/group", one(MessageKind::Group))
        .route("/v1/alias", one(MessageKind::Alias))
        .route("/v1/batch", post(|s, r| receive(s, r, None)))
        .route("/v1/import", post(|s, r| receive(s, r, None)))
        .route("/v1/{*rest}", axum::routing::options(preflight))
        .route("/t.js", get(script))
}

/// The browser script: no dependencies, one script tag (see `tracker/t.js`).
pub const SCRIPT: &str = include_str!("../../tracker/t.js");

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// A browser asks before it sends JSON with a write key: any origin may ask; the request
/// itself is held to its site's origins.
async fn preflight(headers: HeaderMap) -> Response {
    let origin = headers.get(header::ORIGIN).cloned().unwrap_or(HeaderValue::from_static("*"));
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
            (header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS")),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, authorization")),
            (header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400")),
            (header::VARY, HeaderValue::from_static("origin")),
        ],
    )
        .into_response()
}

/// Sites by write key, for a few seconds: every request names one.
#[derive(Default)]
pub struct SiteCache(Mutex<HashMap<String, (Option<Site>, Instant)>>);

const SITE_TTL: Duration = Duration::from_secs(5);

impl SiteCache {
    async fn get(&self, s: &AppState, key: &str) -> Result<Option<Site>, ApiError> {
        if let Some((site, at)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            if at.elapsed() < SITE_TTL {
                return Ok(site.clone());
            }
        }
        let site = s.store.site_by_key(key).await?;
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(key.to_owned(), (site.clone(), Instant::now()));
        Ok(site)
    }

    /// Forget what is known of a site (changed or deleted here).
    pub fn forget(&self, key: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The write key: HTTP Basic's user, else the body's `writeKey`.
fn write_key(headers: &HeaderMap, body: &Value) -> Option<String> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .map(|userpass| userpass.split(':').next().unwrap_or_default().to_owned());
    basic.filter(|k| !k.is_empty()).or_else(|| body.get("writeKey").and_then(Value::as_str).map(str::to_owned))
}

fn refused_json(r: &Refused) -> Value {
    serde_json::json!({
        "index": r.index,
        "messageId": r.message_id,
        "field": r.error.field,
        "code": r.error.code,
        "message": r.error.message,
    })
}

async fn receive(State(s): State<AppState>, req: axum::extract::Request, kind: Option<MessageKind>) -> Response {
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let result = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(body) => accept(&s, &headers, peer, &body, kind, origin.as_deref()).await,
        Err(_) => Err(ApiError::new(
            Kind::PayloadTooLarge,
            "request_too_large",
            format!("a request is at most {} KB (a message at most 32 KB)", MAX_REQUEST_BYTES / 1024),
        )),
    };
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

async fn accept(
    s: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
    body: &Bytes,
    kind: Option<MessageKind>,
    origin: Option<&str>,
) -> Result<Response, ApiError> {
    let limited = |wait: Duration| {
        ApiError::new(
            Kind::RateLimited,
            "rate_limited",
            format!("too many requests; try again in {} ms", wait.as_millis().max(1)),
        )
    };
    if let Some(ip) = peer {
        s.track_limiter.check(&format!("ip:{ip}")).map_err(limited)?;
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("malformed_json", format!("the body is not JSON: {e}")))?;
    let key = write_key(headers, &value).ok_or_else(|| {
        ApiError::new(
            Kind::Unauthenticated,
            "missing_write_key",
            "send the site's write key as the HTTP Basic user name (or as writeKey in the body)",
        )
    })?;
    let site = s
        .site_cache
        .get(s, &key)
        .await?
        .ok_or_else(|| ApiError::new(Kind::Unauthenticated, "unknown_write_key", "no site has this write key"))?;
    if let Some(o) = origin {
        // Leadline's own pages (a hosted landing page carries the site's tracker) are always
        // let in.
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| o.split_once("://").is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)));
        let allowed = own || site.settings.allowed_origins.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(o));
        if !allowed {
            return Err(ApiError::new(
                Kind::Forbidden,
                "origin_not_allowed",
                format!("{o} is not one of this site's allowed origins"),
            ));
        }
    }
    s.track_limiter.check(&format!("key:{}", site.id)).map_err(limited)?;
    let now = crate::now();
    let (rows, refused) = match kind {
        Some(k) => match tracking::read_message(value, Some(k), None, now, &site.id) {
            Ok(row) => (vec![row], Vec::new()),
            Err(e) => return Err(e.into()),
        },
        None => tracking::read_batch(value, now, &site.id)?,
    };
    if rows.is_empty() && !refused.is_empty() {
        let first = &refused[0];
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({
                "error": {
                    "code": "no_valid_message",
                    "message": format!("no message in the batch is valid; the first: {}", first.error),
                },
                "refused": refused.iter().map(refused_json).collect::<Vec<_>>(),
            })),
        )
            .into_response());
    }
    let accepted = rows.len();
    s.ingest.keep(s.store.as_ref(), rows).await.map_err(|e| {
        tracing::warn!(error = %e, "tracked events not kept");
        ApiError::new(Kind::Internal, "not_kept", "the events could not be kept; send them again")
    })?;
    s.tracker_wake.notify_one();
    s.metrics.tracked(accepted as u64);
    Ok(Json(serde_json::json!({
        "success": true,
        "accepted": accepted,
        "refused": refused.iter().map(refused_json).collect::<Vec<_>>(),
    }))
    .into_response())
}
