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

pub async fn not_found() -> ApiError {
    ApiError::new(crate::error::Kind::NotFound, "not_found", "there is nothing at this path; see /api/v1/openapi.json")
}
