//! Possible duplicates: pairs of contacts that look like one person (a shared phone, the same
//! name), to review, merge (reversibly) or dismiss.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_store::{DuplicatePair, DuplicateQuery, DuplicateStatus};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::query_pairs;
use super::records::{manual, MergeDto};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct DuplicateDto {
    pub id: String,
    /// same_phone, same_name_company or same_name_other_email.
    pub reason: String,
    /// open, merged or dismissed.
    pub status: String,
    /// What found the pair: import, manual (an API or screen write), or scan.
    pub source: String,
    pub found_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    /// The merge that resolved it (undo it with POST /api/v1/merges/{id}/undo).
    pub merge_id: Option<String>,
    /// The two contacts as they are now, the older first.
    #[schema(value_type = Vec<super::records::Contact>)]
    pub contacts: [Value; 2],
}

impl From<&DuplicatePair> for DuplicateDto {
    fn from(d: &DuplicatePair) -> Self {
        let date = leadline_core::date::rfc3339;
        Self {
            id: d.id.clone(),
            reason: d.reason.as_str().into(),
            status: d.status.as_str().into(),
            source: d.source.clone(),
            found_at: date(d.found_at),
            resolved_at: d.resolved_at.map(date),
            resolved_by: d.resolved_by.clone(),
            merge_id: d.merge_id.clone(),
            contacts: [crate::wire::to_json(&d.a), crate::wire::to_json(&d.b)],
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DuplicatePage {
    pub items: Vec<DuplicateDto>,
    pub next_cursor: Option<String>,
    /// How many pairs are in this status; only with `count=true`.
    pub total: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScanResult {
    /// Pairs listed for the first time by this scan.
    pub found: u64,
}

/// `status`, `limit`, `cursor` and `count` from a query string's pairs.
pub(crate) fn duplicate_query(pairs: Vec<(String, String)>) -> ApiResult<(DuplicateQuery, bool)> {
    let mut q = DuplicateQuery { status: DuplicateStatus::Open, limit: 50, cursor: None };
    let mut count = false;
    for (k, v) in pairs {
        match k.as_str() {
            "status" => {
                q.status = DuplicateStatus::parse(&v).ok_or_else(|| {
                    ApiError::invalid("status", "invalid_status", "status is open, merged or dismissed")
                })?
            }
            "limit" => {
                q.limit = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=200).contains(n))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 200"))?
            }
            "cursor" => q.cursor = Some(v),
            "count" => count = v == "true",
            _ => {
                return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter of this list")))
            }
        }
    }
    Ok((q, count))
}

#[utoipa::path(get, path = "/api/v1/duplicates", tag = "duplicates",
    description = "Pairs of contacts that look like one person, newest first. Open pairs are listed while both contacts are live.",
    params(("status" = Option<String>, Query, description = "open (default), merged or dismissed"),
        ("limit" = Option<u32>, Query, description = "1 to 200, 50 by default"), ("cursor" = Option<String>, Query),
        ("count" = Option<bool>, Query, description = "add the total in this status")),
    responses((status = 200, body = DuplicatePage), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<DuplicatePage>> {
    caller.require(Action::Read)?;
    let (q, count) = duplicate_query(query_pairs(&uri)?)?;
    let page = s.store.duplicates(&q).await?;
    let total = if count { Some(s.store.count_duplicates(q.status).await?) } else { None };
    Ok(Json(DuplicatePage { items: page.items.iter().map(Into::into).collect(), next_cursor: page.next, total }))
}

#[utoipa::path(get, path = "/api/v1/duplicates/{id}", tag = "duplicates", params(("id" = String, Path)),
    responses((status = 200, body = DuplicateDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DuplicateDto>> {
    caller.require(Action::Read)?;
    Ok(Json((&s.store.duplicate(&id).await?).into()))
}

#[utoipa::path(post, path = "/api/v1/duplicates/{id}/dismiss", tag = "duplicates", params(("id" = String, Path)),
    description = "They are two people: the pair is not listed again.",
    responses((status = 200, body = DuplicateDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn dismiss(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DuplicateDto>> {
    caller.require(Action::Write)?;
    Ok(Json((&s.store.dismiss_duplicate(&id, manual(&caller)).await?).into()))
}

#[utoipa::path(post, path = "/api/v1/duplicates/{id}/merge", tag = "duplicates", params(("id" = String, Path)),
    description = "Merge the pair's contacts: the older survives. Undoing the merge opens the pair again.",
    responses((status = 200, body = MergeDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn merge(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<MergeDto>> {
    caller.require(Action::Write)?;
    Ok(Json(s.store.merge_duplicate(&id, manual(&caller)).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/duplicates/scan", tag = "duplicates",
    description = "Pair every contact with those of the same full name at the same company, or of a rare full name with other e-mails.",
    responses((status = 200, body = ScanResult)))]
pub async fn scan(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<ScanResult>> {
    caller.require(Action::Write)?;
    Ok(Json(ScanResult { found: s.store.scan_duplicates(manual(&caller)).await? }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(list))
        .route("/duplicates/scan", post(scan))
        .route("/duplicates/{id}", get(get_one))
        .route("/duplicates/{id}/dismiss", post(dismiss))
        .route("/duplicates/{id}/merge", post(merge))
}
