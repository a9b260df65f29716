//! `/api/v1/segments`: dynamic segments written in the condition language. Membership is kept by
//! the engine, event by event; a new segment is filled by a rescan of every contact.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::Segment;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list).post(create))
        .route("/segments/{id}", get(get_one).delete(delete))
        .route("/segments/{id}/members", get(members).post(add_members))
        .route("/segments/{id}/members/{contact_id}", axum::routing::delete(remove_member))
        .route("/segments/{id}/history", get(history))
}

#[derive(Serialize, ToSchema)]
pub struct SegmentDayDto {
    /// YYYY-MM-DD (UTC).
    pub date: String,
    pub entered: i64,
    pub left: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SegmentHistory {
    pub segment_id: String,
    /// Days with a change, oldest first.
    pub days: Vec<SegmentDayDto>,
    pub entered: i64,
    pub left: i64,
    /// Members now.
    pub count: i64,
}

/// How many contacts entered and left a segment each day of the last `days`.
pub async fn segment_history(s: &AppState, id: &str, days: i64) -> ApiResult<SegmentHistory> {
    let seg = s.store.segment(id).await?;
    let today = crate::now().div_euclid(86_400_000);
    let rows = s.store.segment_history(&seg.id, today - days + 1).await?;
    Ok(SegmentHistory {
        entered: rows.iter().map(|d| d.entered).sum(),
        left: rows.iter().map(|d| d.left).sum(),
        count: s.store.segment_count(&seg.id).await?,
        segment_id: seg.id,
        days: rows
            .into_iter()
            .map(|d| SegmentDayDto {
                date: leadline_core::date::date_of_millis(d.day * 86_400_000),
                entered: d.entered,
                left: d.left,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/segments/{id}/history", tag = "segments",
    params(("days" = Option<u32>, Query, description = "the last 1-365 days; default 30")),
    description = "How many contacts entered and left the segment each day (UTC), with the totals and the members now.",
    responses((status = 200, body = SegmentHistory), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<SegmentHistory>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&query_pairs(&uri)?)?;
    Ok(Json(segment_history(&s, &id, days).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    pub name: String,
    /// `dynamic` (the default: the contacts that meet `condition`, kept by the engine) or
    /// `static` (a list people add contacts to).
    #[serde(default)]
    pub kind: Option<String>,
    /// A condition of the rule language, e.g. `lifecycle_stage = "mql" and country = "PL"`;
    /// required for a dynamic segment, refused for a static list.
    #[serde(default)]
    pub condition: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SegmentDto {
    pub id: String,
    pub name: String,
    /// `dynamic` or `static`.
    pub kind: &'static str,
    /// The condition of a dynamic segment; null for a static list.
    pub condition: Option<String>,
    /// Its members now.
    pub count: i64,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SegmentMembers {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    pub next_cursor: Option<String>,
}

pub(crate) async fn dto(s: &AppState, seg: Segment) -> ApiResult<SegmentDto> {
    let count = s.store.segment_count(&seg.id).await?;
    Ok(SegmentDto {
        id: seg.id,
        name: seg.name,
        kind: if seg.condition.is_some() { "dynamic" } else { "static" },
        condition: seg.condition,
        count,
        created_at: leadline_core::date::rfc3339(seg.created_at),
    })
}

#[utoipa::path(post, path = "/api/v1/segments", tag = "segments", request_body = SegmentInput,
    description = "A dynamic segment. Its members are found by a rescan of every contact, then kept by the engine as events come.",
    responses((status = 201, body = SegmentDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<SegmentDto>)> {
    let input: SegmentInput = parse(body)?;
    Ok((StatusCode::CREATED, Json(create_impl(&s, &caller, input).await?)))
}

/// Make a segment (for the API and the web page alike): its condition read and checked, then
/// stored, and the engine asked to fill it.
pub(crate) async fn create_impl(s: &AppState, caller: &Caller, input: SegmentInput) -> ApiResult<SegmentDto> {
    caller.require(Action::Write)?;
    let name = leadline_core::error::clean_text("name", &input.name)?
        .ok_or_else(|| ApiError::invalid("name", "required", "a segment needs a name"))?;
    let condition = match (input.kind.as_deref().unwrap_or("dynamic"), input.condition) {
        ("static", None) => {
            let seg = s.store.create_segment(&name, None, crate::now()).await?;
            return dto(s, seg).await;
        }
        ("static", Some(_)) => {
            return Err(ApiError::invalid("condition", "invalid_condition", "a static list has no condition"))
        }
        ("dynamic", Some(c)) => c,
        ("dynamic", None) => {
            return Err(ApiError::invalid("condition", "required", "a dynamic segment needs a condition"))
        }
        (_, _) => return Err(ApiError::invalid("kind", "invalid_kind", "kind is dynamic or static")),
    };
    let expr = super::conditions::read_condition(s, &condition).await?;
    let seg = s.store.create_segment(&name, Some(&expr.to_text()), crate::now()).await?;
    s.store.engine_request_rescan(crate::engine::NAME).await?;
    s.engine_wake.notify_one();
    dto(s, seg).await
}

#[utoipa::path(get, path = "/api/v1/segments", tag = "segments", responses((status = 200, body = Vec<SegmentDto>)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<SegmentDto>>> {
    caller.require(Action::Read)?;
    let mut out = Vec::new();
    for seg in s.store.segments().await? {
        out.push(dto(&s, seg).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "segments", responses((status = 200, body = SegmentDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<SegmentDto>> {
    caller.require(Action::Read)?;
    let seg = s.store.segment(&id).await?;
    Ok(Json(dto(&s, seg).await?))
}

#[utoipa::path(delete, path = "/api/v1/segments/{id}", tag = "segments", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_segment(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/segments/{id}/members", tag = "segments",
    params(("limit" = Option<u32>, Query, description = "1-500, default 50"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = SegmentMembers), (status = 404, body = crate::error::ErrorBody)))]
pub async fn members(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<SegmentMembers>> {
    caller.require(Action::Read)?;
    s.store.segment(&id).await?;
    let mut limit = 50u32;
    let mut cursor = None;
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=crate::wire::MAX_LIMIT).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 500"))?
            }
            "cursor" => cursor = Some(v),
            _ => {
                return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter of this list")))
            }
        }
    }
    let ids = s.store.segment_members(&id, cursor.as_deref(), limit).await?;
    let items = s.store.get_many(ObjectKind::Contact, &ids).await?.iter().map(crate::wire::to_json).collect();
    let next_cursor = (ids.len() == limit as usize).then(|| ids.last().cloned()).flatten();
    Ok(Json(SegmentMembers { items, next_cursor }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListMembersInput {
    /// At most 1,000 contacts a request.
    pub contact_ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ListMembersAdded {
    /// Contacts that were not on the list before.
    pub added: usize,
    pub count: i64,
}

#[utoipa::path(post, path = "/api/v1/segments/{id}/members", tag = "segments", request_body = ListMembersInput,
    description = "Add contacts to a static list (a dynamic segment answers 409 dynamic_segment).",
    responses((status = 200, body = ListMembersAdded), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_members(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<ListMembersAdded>> {
    caller.require(Action::Write)?;
    let input: ListMembersInput = parse(body)?;
    if input.contact_ids.len() > 1_000 {
        return Err(ApiError::invalid("contact_ids", "too_many", "at most 1000 contacts a request"));
    }
    let actor = leadline_store::Actor::new(Some(caller.user_id()), ChangeCause::Manual, crate::now());
    let added = s.store.add_list_members(&id, &input.contact_ids, actor).await?;
    Ok(Json(ListMembersAdded { added, count: s.store.segment_count(&id).await? }))
}

#[utoipa::path(delete, path = "/api/v1/segments/{id}/members/{contact_id}", tag = "segments",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn remove_member(
    State(s): State<AppState>,
    caller: Caller,
    Path((id, contact_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    let actor = leadline_store::Actor::new(Some(caller.user_id()), ChangeCause::Manual, crate::now());
    s.store.remove_list_member(&id, &contact_id, actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
