//! `/api/v1/webhooks`: subscriptions to events delivered as Standard Webhooks (see
//! `crate::webhooks`), their delivery log, and redelivery by hand. Administrators only: a
//! subscription's secret signs what Leadline sends.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_store::{Delivery, WebhookRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", get(get_one).patch(update).delete(remove))
        .route("/webhooks/{id}/deliveries", get(deliveries))
        .route("/webhooks/deliveries/{id}/redeliver", post(redeliver))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where events are POSTed: an http(s) address.
    pub url: Option<String>,
    /// Event types (`contact.created`, `form.submitted`, ...), a family (`contact.*`) or `*`.
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    pub description: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// Verify deliveries with it (`whsec_...`, as Standard Webhooks' libraries take it).
    pub secret: String,
    pub active: bool,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn dto(w: WebhookRow) -> WebhookDto {
    WebhookDto {
        id: w.id,
        url: w.url,
        events: w.events,
        secret: w.secret,
        active: w.active,
        description: w.description,
        created_at: leadline_core::date::rfc3339(w.created_at),
        updated_at: leadline_core::date::rfc3339(w.updated_at),
    }
}

fn checked(mut w: WebhookRow, input: WebhookInput) -> ApiResult<WebhookRow> {
    if let Some(url) = input.url {
        let url = url.trim().to_owned();
        if leadline_core::track::host(&url).is_none() || url.len() > 2000 || url.contains(char::is_whitespace) {
            return Err(ApiError::invalid("url", "invalid_url", "url is an http(s) address"));
        }
        w.url = url;
    }
    if w.url.is_empty() {
        return Err(ApiError::invalid("url", "required", "a webhook needs a url"));
    }
    if let Some(events) = input.events {
        if events.is_empty() || events.len() > 50 {
            return Err(ApiError::invalid("events", "invalid_events", "subscribe to 1-50 events"));
        }
        if let Some((i, bad)) = events.iter().enumerate().find(|(_, e)| !leadline_core::webhook::valid_pattern(e)) {
            return Err(ApiError::invalid(
                &format!("events[{i}]"),
                "unknown_event",
                format!(
                    "{bad:?} is none of {}, a family like contact.* or *",
                    leadline_core::webhook::EVENT_TYPES.join(", ")
                ),
            ));
        }
        w.events = events;
    }
    if w.events.is_empty() {
        return Err(ApiError::invalid("events", "required", "a webhook subscribes to events"));
    }
    if let Some(a) = input.active {
        w.active = a;
    }
    if let Some(d) = input.description {
        w.description = leadline_core::error::clean_text("description", &d)?;
    }
    Ok(w)
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookInput,
    description = "A subscription: each event it names is POSTed to its url as JSON {type, timestamp, data}, signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature), retried with backoff until a 2xx.",
    responses((status = 201, body = WebhookDto), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<WebhookDto>)> {
    caller.require(Action::Administer)?;
    let input: WebhookInput = parse(body)?;
    let w = checked(WebhookRow { active: true, secret: crate::webhooks::new_secret(), ..Default::default() }, input)?;
    Ok((StatusCode::CREATED, Json(dto(s.store.save_webhook(None, &w, crate::now()).await?))))
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", responses((status = 200, body = Vec<WebhookDto>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<WebhookDto>>> {
    caller.require(Action::Administer)?;
    Ok(Json(s.store.webhooks().await?.into_iter().map(dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", responses((status = 200, body = WebhookDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<WebhookDto>> {
    caller.require(Action::Administer)?;
    Ok(Json(dto(s.store.webhook(&id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", request_body = WebhookInput,
    responses((status = 200, body = WebhookDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<WebhookDto>> {
    caller.require(Action::Administer)?;
    let input: WebhookInput = parse(body)?;
    let w = checked(s.store.webhook(&id).await?, input)?;
    Ok(Json(dto(s.store.save_webhook(Some(&id), &w, crate::now()).await?)))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Administer)?;
    s.store.delete_webhook(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: String,
    pub webhook_id: String,
    /// The event's id, the same in every attempt (`webhook-id`).
    pub message_id: String,
    pub event_type: String,
    /// What is POSTed.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    /// The receiver's last answer.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

fn delivery_dto(d: Delivery) -> DeliveryDto {
    let t = leadline_core::date::rfc3339;
    DeliveryDto {
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        id: d.id,
        webhook_id: d.webhook_id,
        message_id: d.message_id,
        event_type: d.event_type,
        next_attempt_at: d.next_attempt_at.filter(|_| d.status == "pending").map(t),
        status: d.status,
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error,
        created_at: t(d.created_at),
        delivered_at: d.delivered_at.map(t),
    }
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("limit" = Option<u32>, Query, description = "1-500, default 100")),
    description = "The delivery log: each event sent to the subscription, newest first, with its attempts and the last answer.",
    responses((status = 200, body = Vec<DeliveryDto>), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<Vec<DeliveryDto>>> {
    caller.require(Action::Administer)?;
    let mut limit = 100;
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_parameter", "limit is 1 to 500"))?
            }
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    s.store.webhook(&id).await?;
    Ok(Json(s.store.deliveries(&id, limit).await?.into_iter().map(delivery_dto).collect()))
}

#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/redeliver", tag = "webhooks",
    description = "Send a delivery again now (with the same webhook-id), whatever became of it.",
    responses((status = 200, body = DeliveryDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn redeliver(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliveryDto>> {
    caller.require(Action::Administer)?;
    Ok(Json(delivery_dto(s.store.redeliver(&id, crate::now()).await?)))
}
