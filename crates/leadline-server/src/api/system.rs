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

#[utoipa::path(get, path = "/metrics", tag = "system", security(()), responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
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
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render(&gauges))
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
