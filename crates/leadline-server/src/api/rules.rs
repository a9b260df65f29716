//! `/api/v1/rules`: the engine's score models and lifecycle rules. Read them, preview what a
//! change would do to a sample of contacts, apply it (a new version, and a job that follows the
//! engine deciding every contact again), and read or restore any earlier version.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_store::RuleVersion;
use serde::Serialize;
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::rules::{LifecycleRuleDto, ModelDto, RulesBody};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rules", get(get_rules).put(set_rules))
        .route("/rules/preview", post(preview))
        .route("/rules/versions", get(versions))
        .route("/rules/versions/{version}", get(version))
        .route("/rules/versions/{version}/restore", post(restore))
}

/// A kept version of the rules, without its body.
#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i64,
    pub created_at: String,
    pub created_by: Option<String>,
    pub note: Option<String>,
}

impl From<&RuleVersion> for VersionDto {
    fn from(v: &RuleVersion) -> Self {
        Self {
            version: v.version,
            created_at: leadline_core::date::rfc3339(v.created_at),
            created_by: v.created_by.clone(),
            note: v.note.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RulesDto {
    /// The version these are; null for the rules a fresh install ships.
    pub version: Option<VersionDto>,
    pub models: Vec<ModelDto>,
    pub lifecycle: Vec<LifecycleRuleDto>,
    /// After a change: the job that follows the engine deciding every contact again
    /// (`GET /api/v1/jobs/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

fn dto(rules: &leadline_core::engine::Rules, version: Option<&RuleVersion>, job_id: Option<String>) -> RulesDto {
    let body = RulesBody::of(rules);
    RulesDto { version: version.map(VersionDto::from), models: body.models, lifecycle: body.lifecycle, job_id }
}

#[utoipa::path(get, path = "/api/v1/rules", tag = "rules",
    description = "The score models (rules, points, caps, half-lives, category thresholds) and lifecycle rules the engine applies now.",
    responses((status = 200, body = RulesDto)))]
pub async fn get_rules(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<RulesDto>> {
    caller.require(Action::Read)?;
    let current = s.rules.get(s.store.as_ref()).await?;
    let version = match current.version {
        Some(v) => Some(s.store.rule_version(v).await?),
        None => None,
    };
    Ok(Json(dto(&current.rules, version.as_ref(), None)))
}

#[utoipa::path(put, path = "/api/v1/rules", tag = "rules", request_body = RulesBody,
    description = "Apply new rules: kept as the next version, then the engine decides every contact again (the returned job follows it). A rule that reads activities needs `window_days`; each problem is a 422 naming where it is; another version saved at the same moment is a 409.",
    responses((status = 200, body = RulesDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_rules(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<RulesDto>> {
    caller.require(Action::Administer)?;
    let body: RulesBody = parse(body)?;
    let rules = crate::rules::read_checked(s.store.as_ref(), &body).await?;
    let (kept, job) = crate::rules::apply(&s, &rules, body.note.as_deref(), caller.user_id()).await?;
    Ok(Json(dto(&rules, Some(&kept), Some(job.id))))
}

#[derive(Serialize, ToSchema)]
pub struct CategoryMoveDto {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ModelPreviewDto {
    pub model: String,
    /// Contacts of the sample whose score would differ.
    pub scores_changed: u64,
    /// Contacts that would change category (`-`: none).
    pub categories: Vec<CategoryMoveDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SegmentPreviewDto {
    pub segment_id: String,
    pub name: String,
    pub entering: u64,
    pub leaving: u64,
}

#[derive(Serialize, ToSchema)]
pub struct MoverDto {
    pub contact_id: String,
    pub model: String,
    pub from: f64,
    pub to: f64,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewDto {
    /// Contacts decided (the first by id: the same ones each time, so previews compare).
    pub sample: u64,
    /// Live contacts in all.
    pub contacts: i64,
    pub models: Vec<ModelPreviewDto>,
    /// Contacts the new rules would put in another stage than the current rules do.
    pub stages: Vec<CategoryMoveDto>,
    /// Dynamic segments whose membership would change.
    pub segments: Vec<SegmentPreviewDto>,
    /// The ten contacts whose scores would move most.
    pub movers: Vec<MoverDto>,
    pub elapsed_ms: u64,
}

/// What proposed rules would do, from the preview's counts.
pub async fn preview_dto(s: &AppState, rules: &leadline_core::engine::Rules, sample: u32) -> ApiResult<PreviewDto> {
    let started = std::time::Instant::now();
    let store = s.store.as_ref();
    let current = s.rules.get(store).await?;
    let segments = crate::engine::dynamic_segments(store).await?;
    let names: HashMap<String, String> = store.segments().await?.into_iter().map(|g| (g.id, g.name)).collect();
    let with_segments =
        |r: &leadline_core::engine::Rules| leadline_core::engine::Rules { segments: segments.clone(), ..r.clone() };
    let p = crate::rules::preview(store, &with_segments(&current.rules), &with_segments(rules), sample, crate::now())
        .await?;
    let moves = |m: std::collections::BTreeMap<(String, String), u64>| {
        m.into_iter().map(|((from, to), count)| CategoryMoveDto { from, to, count }).collect::<Vec<_>>()
    };
    let mut categories = p.categories;
    let models = rules
        .models
        .iter()
        .map(|m| ModelPreviewDto {
            model: m.key.clone(),
            scores_changed: p.scores_changed.get(&m.key).copied().unwrap_or(0),
            categories: moves(categories.remove(&m.key).unwrap_or_default()),
        })
        .collect();
    Ok(PreviewDto {
        sample: p.sample,
        contacts: store.count(leadline_core::record::ObjectKind::Contact, &[], None).await?,
        models,
        stages: moves(p.stages),
        segments: p
            .segments
            .into_iter()
            .map(|(id, (entering, leaving))| SegmentPreviewDto {
                name: names.get(&id).cloned().unwrap_or_default(),
                segment_id: id,
                entering,
                leaving,
            })
            .collect(),
        movers: p
            .movers
            .into_iter()
            .map(|(contact_id, model, from, to)| MoverDto { contact_id, model, from, to })
            .collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// The sample size a request asks for (`sample`, 1 to 20,000; 2,000 by default).
pub fn sample_of(pairs: &[(String, String)]) -> ApiResult<u32> {
    match pairs.iter().find(|(k, _)| k == "sample") {
        None => Ok(2_000),
        Some((_, v)) => v.parse::<u32>().ok().filter(|n| (1..=crate::rules::MAX_SAMPLE).contains(n)).ok_or_else(|| {
            ApiError::invalid("sample", "invalid_sample", format!("sample is 1 to {}", crate::rules::MAX_SAMPLE))
        }),
    }
}

#[utoipa::path(post, path = "/api/v1/rules/preview", tag = "rules", request_body = RulesBody,
    params(("sample" = Option<u32>, Query, description = "contacts to decide, 1-20000, default 2000")),
    description = "What proposed rules would change, before anything is applied: for a sample of contacts decided now under the current rules and under these, how many change score and category per model, stage, and membership of each segment, and the top movers.",
    responses((status = 200, body = PreviewDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    caller: Caller,
    uri: Uri,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<PreviewDto>> {
    caller.require(Action::Read)?;
    let sample = sample_of(&query_pairs(&uri)?)?;
    let body: RulesBody = parse(body)?;
    let rules = crate::rules::read_checked(s.store.as_ref(), &body).await?;
    Ok(Json(preview_dto(&s, &rules, sample).await?))
}

#[utoipa::path(get, path = "/api/v1/rules/versions", tag = "rules",
    description = "Every kept version of the rules, newest first.",
    responses((status = 200, body = Vec<VersionDto>)))]
pub async fn versions(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<VersionDto>>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.rule_versions(1_000).await?.iter().map(VersionDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/rules/versions/{version}", tag = "rules",
    responses((status = 200, body = RulesDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn version(State(s): State<AppState>, caller: Caller, Path(raw): Path<String>) -> ApiResult<Json<RulesDto>> {
    caller.require(Action::Read)?;
    let (v, body) = crate::rules::kept(s.store.as_ref(), &raw).await?;
    let rules = crate::rules::read(&body, &crate::rules::Check::ParseOnly)?;
    Ok(Json(dto(&rules, Some(&v), None)))
}

#[utoipa::path(post, path = "/api/v1/rules/versions/{version}/restore", tag = "rules",
    description = "Apply an earlier version again, as the next version (checked against today's custom properties).",
    responses((status = 200, body = RulesDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn restore(State(s): State<AppState>, caller: Caller, Path(raw): Path<String>) -> ApiResult<Json<RulesDto>> {
    caller.require(Action::Administer)?;
    let note = format!("restored version {}", raw.trim());
    let (kept, job, rules) = crate::rules::restore(&s, &raw, &note, caller.user_id()).await?;
    Ok(Json(dto(&rules, Some(&kept), Some(job.id))))
}
