//! `GET /api/v1/contacts/{id}/scores`: every score model's score of a contact now, each rule's
//! contribution and the activities behind it; `GET /api/v1/companies/{id}/scores`: an
//! account's own fit and its people's engagement rolled up.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_core::score::{Model, Scored};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::scores::ContactFacts;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts/{id}/scores", get(contact_scores))
        .route("/companies/{id}/scores", get(company_scores))
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

/// One model's score with each rule's part.
fn model_dto(m: &Model, s: Scored) -> ModelScoreDto {
    ModelScoreDto {
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
    }
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
    let models = models.iter().zip(scored).map(|(m, s)| model_dto(m, s)).collect();
    Ok(Json(ScoresDto { contact_id: facts.id().to_owned(), models, priority }))
}

/// A company's engagement, rolled up from its people.
#[derive(Serialize, ToSchema)]
pub struct AccountEngagementDto {
    /// The sum of its people's engagement scores.
    pub score: f64,
    pub category: Option<String>,
    /// People in the engagement model's two highest categories.
    pub engaged: usize,
    /// Its people with their engagement, highest first (at most 20).
    pub people: Vec<PersonScoreDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonScoreDto {
    pub contact_id: String,
    pub score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct AccountScoresDto {
    pub company_id: String,
    /// The account fit model over the company's own fields (size, industry, country, tier).
    pub fit: ModelScoreDto,
    pub engagement: AccountEngagementDto,
    /// Account fit category then engagement category, `A1` first.
    pub priority: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/companies/{id}/scores", tag = "companies",
    description = "A company's (account's) scores now: its own fit with each rule's part, and its people's engagement rolled up (the sum of their scores, its category, how many are engaged).",
    responses((status = 200, body = AccountScoresDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn company_scores(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AccountScoresDto>> {
    caller.require(Action::Read)?;
    let company = s.store.get(ObjectKind::Company, &id).await?;
    let current = s.rules.get(s.store.as_ref()).await?;
    let a = crate::scores::account_scores(s.store.as_ref(), &company, &current, crate::now()).await?;
    Ok(Json(AccountScoresDto {
        company_id: company.id,
        fit: model_dto(&a.fit_model, a.fit),
        engagement: AccountEngagementDto {
            score: a.engagement,
            category: a.engagement_category,
            engaged: a.engaged,
            people: a
                .people
                .into_iter()
                .take(20)
                .map(|(c, score)| PersonScoreDto { contact_id: c.id, score })
                .collect(),
        },
        priority: a.priority,
    }))
}
