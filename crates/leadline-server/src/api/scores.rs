//! `GET /api/v1/contacts/{id}/scores`: every score model's score of a contact now, each rule's
//! contribution and the activities behind it.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::role::Action;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::scores::ContactFacts;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/contacts/{id}/scores", get(contact_scores))
}

/// What one rule adds now.
#[derive(Serialize, ToSchema)]
pub struct RuleScoreDto {
    pub rule: String,
    pub points: f64,
    /// Activities counted (1 for a condition that holds).
    pub occurrences: usize,
    /// Whether the rule's cap held it back.
    pub capped: bool,
    /// When the activities behind it happened, newest first (at most 20).
    pub events: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ModelScoreDto {
    pub model: String,
    pub score: f64,
    pub category: Option<String>,
    pub rules: Vec<RuleScoreDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ScoresDto {
    pub contact_id: String,
    pub models: Vec<ModelScoreDto>,
    /// Fit category then engagement category, e.g. `A1` (first in line) to `D4`.
    pub priority: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/scores", tag = "contacts",
    description = "Each score model (the shipped fit, engagement and product, and any added) computed now, with decay exact to the moment: the score, its category, and every rule's contribution with the activities behind it.",
    responses((status = 200, body = ScoresDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn contact_scores(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ScoresDto>> {
    caller.require(Action::Read)?;
    let now = crate::now();
    let facts = ContactFacts::load(s.store.as_ref(), &id, now).await?;
    let current = s.rules.get(s.store.as_ref()).await?;
    let models = &current.rules.models;
    let scored = facts.score(models, now);
    let priority = leadline_core::score::priority_label(models, &scored);
    let models = models
        .iter()
        .zip(scored)
        .map(|(m, s)| ModelScoreDto {
            model: m.key.clone(),
            score: s.score,
            category: s.category,
            rules: s
                .contributions
                .into_iter()
                .map(|c| RuleScoreDto {
                    rule: m.rules[c.rule].name.clone(),
                    points: c.points,
                    occurrences: c.occurrences,
                    capped: c.capped,
                    events: c.events.into_iter().map(leadline_core::date::rfc3339).collect(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(ScoresDto { contact_id: facts.id().to_owned(), models, priority }))
}
