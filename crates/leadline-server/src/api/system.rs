//! Health, metrics, the OpenAPI document, and the answer for unknown paths.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use leadline_core::record::ObjectKind;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::AppState;

#[utoipa::path(get, path = "/healthz", tag = "system", security(()), responses((status = 200, description = "the store answers"), (status = 503)))]
pub async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.count_users().await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({"status": "ok", "store": s.store.backend()}))),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable", "error": e.to_string()})),
        ),
    }
}

#[utoipa::path(get, path = "/metrics", tag = "system",
    description = "For a scraper with `Authorization: Bearer <LEADLINE_METRICS_TOKEN>`, or an administrator's token or session.",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn metrics(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Result<impl IntoResponse, ApiError> {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let scraper = match (&s.config.metrics_token, bearer) {
        (Some(expected), Some(sent)) => crate::auth::hash_secret(expected) == crate::auth::hash_secret(sent),
        _ => false,
    };
    if !scraper {
        let (user, scope, _) = crate::auth::authenticate(&headers, &s).await?;
        let caller = crate::auth::Caller { user, token_scope: scope, csrf_token: None };
        caller.require(leadline_core::role::Action::Administer)?;
    }
    let mut gauges = Vec::new();
    for (object, name, help) in [
        (ObjectKind::Contact, "leadline_contacts", "Live contacts."),
        (ObjectKind::Company, "leadline_companies", "Live companies."),
        (ObjectKind::Deal, "leadline_deals", "Deals."),
    ] {
        if let Ok(n) = s.store.count(object, &[], None).await {
            gauges.push((name, help, n));
        }
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render(&gauges)))
}

pub async fn openapi() -> impl IntoResponse {
    Json(super::ApiDoc::openapi())
}

/// Unknown paths: a page for a browser, the JSON error for everyone else (and all of /api).
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let err = ApiError::new(
        crate::error::Kind::NotFound,
        "not_found",
        "there is nothing at this path; see /api/v1/openapi.json",
    );
    let browser =
        headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if browser && !uri.path().starts_with("/api/") {
        let page = crate::web::view::ErrorPage::new(crate::web::locale_from_headers(&headers), &err);
        let mut resp = crate::web::render(&page);
        *resp.status_mut() = err.status();
        return resp;
    }
    err.into_response()
}
