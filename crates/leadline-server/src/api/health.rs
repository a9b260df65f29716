//! `GET /api/v1/reports/health`: customer health. How many customers stand in each category
//! of the health score model, and who: the customers at risk (lowest scores first) to look
//! after, the healthy ones with no open upsell or renewal deal to offer more, and the healthy
//! ones already on such a deal (see `leadline_core::health`).

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::health::{self, Bands, Flag};
use leadline_core::record::{self, ObjectKind, Scalar};
use leadline_core::role::Action;
use leadline_core::score::Model;
use leadline_store::{Filter, FilterOp, FilterTarget, HealthQuery, Record};
use serde::Serialize;
use utoipa::ToSchema;

use super::query_pairs;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/health", get(health_report))
}

/// Customers in one category of the health model.
#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct HealthBand {
    /// The category (null: customers the engine has not scored yet).
    pub category: Option<String>,
    pub customers: i64,
    /// Of them, customers on an open deal of an upsell or renewal pipeline.
    pub expanding: i64,
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct HealthCustomer {
    pub contact_id: String,
    pub name: String,
    pub email: Option<String>,
    pub company_id: Option<String>,
    pub owner_id: Option<String>,
    pub lifecycle_stage: Option<String>,
    /// The health score as the engine last decided it.
    pub score: Option<f64>,
    pub category: Option<String>,
    /// at_risk, upsell_candidate, expanding or steady.
    pub flag: String,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct HealthReport {
    /// The score model health is read from; null when the rule set has no `health` model.
    pub model: Option<String>,
    /// A score below this is at risk (the model's lowest category).
    pub at_risk_below: Option<f64>,
    /// A score of this or more is healthy (the model's highest category).
    pub healthy_from: Option<f64>,
    /// Contacts at the customer or evangelist stage.
    pub customers: i64,
    /// Customers per category, the model's order (highest first), then those not scored.
    pub categories: Vec<HealthBand>,
    pub at_risk: i64,
    /// Healthy customers with no open upsell or renewal deal.
    pub upsell_candidates: i64,
    /// Healthy customers on an open upsell or renewal deal.
    pub expanding: i64,
    /// The customers `flag` asked for, the most urgent first.
    pub flag: String,
    pub items: Vec<HealthCustomer>,
}

/// The most customers one answer lists.
const MAX_LIMIT: u32 = 200;

#[utoipa::path(get, path = "/api/v1/reports/health", tag = "reports",
    description = "Customer health from the health score model (use of the product, purchases and talks with the team against support tickets and silence): customers per category, how many are at risk, upsell candidates (healthy, with no open upsell or renewal deal) and expanding (healthy, on one), and the customers of one flag, the most urgent first.",
    params(("flag" = Option<String>, Query, description = "at_risk (default, lowest scores first), upsell_candidate or expanding (highest first)"), ("limit" = Option<u32>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = HealthReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn health_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<HealthReport>> {
    caller.require(Action::Read)?;
    let (mut flag, mut limit) = (Flag::AtRisk, 50u32);
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "flag" => {
                flag = [Flag::AtRisk, Flag::UpsellCandidate, Flag::Expanding]
                    .into_iter()
                    .find(|f| f.as_str() == v)
                    .ok_or_else(|| {
                        ApiError::invalid("flag", "invalid_parameter", "at_risk, upsell_candidate or expanding")
                    })?
            }
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_parameter", format!("1 to {MAX_LIMIT}")))?
            }
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok(Json(report(&s, flag, limit).await?))
}

/// The contacts at a customer stage.
pub(crate) fn customers() -> Filter {
    Filter {
        target: FilterTarget::Field(
            record::field(ObjectKind::Contact, "lifecycle_stage").expect("contacts have a stage"),
        ),
        op: FilterOp::In,
        value: health::CUSTOMER_STAGES.iter().map(|s| Scalar::Text(s.as_str().to_owned())).collect(),
    }
}

/// The health report, listing up to `limit` customers flagged `flag`.
pub async fn report(s: &AppState, flag: Flag, limit: u32) -> ApiResult<HealthReport> {
    let counted = counts(s).await?;
    let items = counted.listed(s, flag, limit).await?;
    Ok(HealthReport { flag: flag.as_str().into(), items, ..counted.report })
}

/// What the health page shows: the counts and, for each flag asked for, its customers.
#[derive(Clone)]
pub struct PageFigures {
    pub report: HealthReport,
    pub lists: Vec<(Flag, Vec<HealthCustomer>)>,
}

impl PageFigures {
    /// The customers listed for `flag` (none when it was not asked for).
    pub fn list(&self, flag: Flag) -> &[HealthCustomer] {
        self.lists.iter().find(|(f, _)| *f == flag).map_or(&[], |(_, l)| l.as_slice())
    }
}

/// The counts, counted once, and up to `limit` customers of each of `flags`.
pub async fn page_figures(s: &AppState, flags: &[Flag], limit: u32) -> ApiResult<PageFigures> {
    let counted = counts(s).await?;
    let mut lists = Vec::with_capacity(flags.len());
    for &flag in flags {
        lists.push((flag, counted.listed(s, flag, limit).await?));
    }
    Ok(PageFigures { report: counted.report, lists })
}

/// The counts of a report (no customers listed yet), and what listing them reads.
struct Counts {
    report: HealthReport,
    model: Option<Model>,
    /// The keys of the upsell and renewal pipelines.
    expansion: Vec<String>,
}

impl Counts {
    /// Up to `limit` customers flagged `flag` (none without a model of two categories).
    async fn listed(&self, s: &AppState, flag: Flag, limit: u32) -> ApiResult<Vec<HealthCustomer>> {
        match &self.model {
            Some(model) if model.thresholds.len() >= 2 => {
                flagged_customers(s, model, flag, &self.expansion, limit).await
            }
            _ => Ok(Vec::new()),
        }
    }
}

async fn counts(s: &AppState) -> ApiResult<Counts> {
    let store = s.store.as_ref();
    let current = s.rules.get(store).await?;
    let expansion: Vec<String> = crate::pipelines::load(store)
        .await?
        .into_iter()
        .filter(leadline_core::pipeline::Pipeline::is_expansion)
        .map(|p| p.key)
        .collect();
    let empty = HealthReport {
        model: None,
        at_risk_below: None,
        healthy_from: None,
        customers: 0,
        categories: Vec::new(),
        at_risk: 0,
        upsell_candidates: 0,
        expanding: 0,
        flag: String::new(),
        items: Vec::new(),
    };
    let Some(model) = current.rules.models.iter().find(|m| m.key == health::MODEL) else {
        let customers = store.count(ObjectKind::Contact, &[customers()], None).await?;
        return Ok(Counts { report: HealthReport { customers, ..empty }, model: None, expansion });
    };
    let bands = Bands::of(model);
    let stages: Vec<&str> = health::CUSTOMER_STAGES.iter().map(|s| s.as_str()).collect();
    let counted = store.health_counts(health::MODEL, &stages, &expansion).await?;
    let band = |category: Option<&str>| {
        let (customers, expanding) = counted
            .iter()
            .filter(|(c, _, _)| c.as_deref() == category)
            .fold((0, 0), |(n, e), (_, customers, expanding)| (n + customers, e + expanding));
        HealthBand { category: category.map(str::to_owned), customers, expanding }
    };
    let mut categories: Vec<HealthBand> = model.thresholds.iter().map(|(_, c)| band(Some(c))).collect();
    // Categories the model no longer names (it was edited since) and the unscored, last.
    for (c, _, _) in &counted {
        if !categories.iter().any(|b| b.category == *c) {
            categories.push(band(c.as_deref()));
        }
    }
    let flagged = model.thresholds.len() >= 2;
    let (highest, lowest) = (&categories[0], &categories[model.thresholds.len() - 1]);
    let (at_risk, healthy, expanding) =
        if flagged { (lowest.customers, highest.customers - highest.expanding, highest.expanding) } else { (0, 0, 0) };
    let report = HealthReport {
        model: Some(model.key.clone()),
        at_risk_below: flagged.then_some(bands.at_risk_below),
        healthy_from: flagged.then_some(bands.healthy_from),
        customers: categories.iter().map(|b| b.customers).sum(),
        categories,
        at_risk,
        upsell_candidates: healthy,
        expanding,
        ..empty
    };
    Ok(Counts { report, model: Some(model.clone()), expansion })
}

/// Up to `limit` customers flagged `flag`: the lowest scores first for those at risk, the
/// highest first otherwise.
async fn flagged_customers(
    s: &AppState,
    model: &Model,
    flag: Flag,
    expansion: &[String],
    limit: u32,
) -> ApiResult<Vec<HealthCustomer>> {
    let (category, on_deal) = match flag {
        Flag::AtRisk => (&model.thresholds[model.thresholds.len() - 1].1, None),
        Flag::UpsellCandidate => (&model.thresholds[0].1, Some(false)),
        Flag::Expanding => (&model.thresholds[0].1, Some(true)),
        Flag::Steady => return Ok(Vec::new()),
    };
    let stages: Vec<&str> = health::CUSTOMER_STAGES.iter().map(|s| s.as_str()).collect();
    let q = HealthQuery {
        model: &model.key,
        category,
        stages: &stages,
        ascending: flag == Flag::AtRisk,
        on_deal,
        pipelines: expansion,
        limit,
    };
    let ids = s.store.health_customers(&q).await?;
    let mut found: Vec<Record> = s.store.get_many(ObjectKind::Contact, &ids).await?;
    found.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(found
        .iter()
        .map(|c| {
            let (score, decided) = scored(c, &model.key);
            customer(c, score, decided, flag)
        })
        .collect())
}

/// A contact's score and category in a model, as the engine last decided them.
fn scored(c: &Record, model: &str) -> (Option<f64>, Option<String>) {
    c.scores.iter().find(|(m, _, _)| m == model).map_or((None, None), |(_, score, cat)| (Some(*score), cat.clone()))
}

fn customer(c: &Record, score: Option<f64>, category: Option<String>, flag: Flag) -> HealthCustomer {
    HealthCustomer {
        contact_id: c.id.clone(),
        name: crate::web::records::title(c),
        email: c.emails.first().cloned(),
        company_id: c.text("company_id").map(str::to_owned),
        owner_id: c.text("owner_id").map(str::to_owned),
        lifecycle_stage: c.text("lifecycle_stage").map(str::to_owned),
        score,
        category,
        flag: flag.as_str().into(),
    }
}
