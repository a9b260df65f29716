//! Customer health (`/analytics/health`): customers per health category as tiles, bars and a
//! table; the customers at risk, lowest scores first; the upsell candidates, each with a
//! button that opens an upsell deal for them (`POST /analytics/health/upsell`); and the
//! figures as CSV. The page's figures are counted behind it (`crate::counted`: a third of a
//! second at 135,000 customers); opening an upsell deal here counts them again.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::health::Flag;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use serde_json::json;

use super::chart::{bars, Bar};
use super::view::{Shell, Tr};
use super::{PageResult, Viewer};
use crate::api::health::{page_figures, HealthCustomer};
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/health", get(page))
        .route("/analytics/health.csv", get(csv))
        .route("/analytics/health/upsell", post(start_upsell))
}

/// How many customers each list on the page shows.
const LISTED: u32 = 25;
/// The lists on the page.
const LISTS: [Flag; 2] = [Flag::AtRisk, Flag::UpsellCandidate];

/// A customer as a row of the page.
struct Row {
    id: String,
    name: String,
    score: String,
    category: String,
    owner: String,
    stage: String,
}

#[derive(Template)]
#[template(path = "health.html")]
struct HealthPage {
    p: Shell,
    /// The rule set has no health model.
    no_model: bool,
    /// (key, label, value).
    tiles: Vec<(String, String, String)>,
    chart: String,
    /// What the bands are, in a sentence.
    bands: String,
    /// (category, customers, of them on an upsell or renewal deal).
    categories: Vec<Vec<String>>,
    at_risk: Vec<Row>,
    upsell: Vec<Row>,
    /// When the figures were counted (at most a minute before).
    counted_at: String,
}

async fn page(State(s): State<AppState>, v: Viewer) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let state = s.clone();
    let (counted_at, figures) =
        s.health.get(String::new(), move || async move { page_figures(&state, &LISTS, LISTED).await }).await?;
    let risk = &figures.report;
    let users = s.store.users().await?;
    let row = |c: &HealthCustomer| Row {
        id: c.contact_id.clone(),
        name: c.name.clone(),
        score: c.score.map(|x| tr.num(x.round() as i64)).unwrap_or_else(|| "–".into()),
        category: c.category.clone().unwrap_or_default(),
        owner: c
            .owner_id
            .as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id))
            .map(|u| u.name.clone().unwrap_or_else(|| u.email.clone()))
            .unwrap_or_else(|| tr.t("board-no-owner")),
        stage: c.lifecycle_stage.as_ref().map(|st| tr.t(&format!("stage-{st}"))).unwrap_or_default(),
    };
    let category = |c: &Option<String>| c.clone().unwrap_or_else(|| tr.t("health-not-scored"));
    let tile = |key: &str, n: i64| (key.to_owned(), tr.t(&format!("health-{key}")), tr.num(n));
    let page = HealthPage {
        p: v.shell("/analytics", tr.t("health-title")),
        no_model: risk.model.is_none(),
        tiles: vec![
            tile("customers", risk.customers),
            tile("upsell_candidates", risk.upsell_candidates),
            tile("expanding", risk.expanding),
            tile("at_risk", risk.at_risk),
        ],
        chart: bars(
            &tr.t("health-chart"),
            &risk
                .categories
                .iter()
                .map(|b| Bar { label: category(&b.category), value: b.customers as f64, shown: tr.num(b.customers) })
                .collect::<Vec<_>>(),
            tr.locale.lang.is_rtl(),
        ),
        bands: match (risk.at_risk_below, risk.healthy_from) {
            (Some(low), Some(high)) => {
                tr.ta("health-bands", &[("low", &tr.num(low.round() as i64)), ("high", &tr.num(high.round() as i64))])
            }
            _ => tr.t("health-one-band"),
        },
        categories: risk
            .categories
            .iter()
            .map(|b| vec![category(&b.category), tr.num(b.customers), tr.num(b.expanding)])
            .collect(),
        at_risk: figures.list(Flag::AtRisk).iter().map(row).collect(),
        upsell: figures.list(Flag::UpsellCandidate).iter().map(row).collect(),
        counted_at: tr.datetime(counted_at),
    };
    Ok(super::render(&page))
}

/// The customers in each category (a row a category), then the customers of each flag (up
/// to 200 of each), as CSV.
async fn csv(State(s): State<AppState>, v: Viewer) -> Result<Response, super::PageError> {
    v.require(Action::Read)?;
    let figures = page_figures(&s, &[Flag::AtRisk, Flag::UpsellCandidate, Flag::Expanding], 200).await?;
    let listed = figures.lists.iter().flat_map(|(_, l)| l).map(|c| {
        vec![
            c.flag.clone(),
            c.contact_id.clone(),
            c.name.clone(),
            c.email.clone().unwrap_or_default(),
            super::csv_number(c.score, 2),
            c.category.clone().unwrap_or_default(),
            String::new(),
            String::new(),
        ]
    });
    let bands = figures.report.categories.iter().map(|b| {
        vec![
            "category".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            b.category.clone().unwrap_or_default(),
            b.customers.to_string(),
            b.expanding.to_string(),
        ]
    });
    let rows = bands.chain(listed).collect();
    super::csv_response(
        "customer-health.csv",
        &["row", "contact_id", "name", "email", "score", "category", "customers", "expanding"],
        rows,
    )
}

/// Open a deal in the first upsell pipeline (else the first renewal one) for a customer: at
/// its first stage, with the customer, their company and owner; on to the deal's page.
async fn start_upsell(State(s): State<AppState>, form: super::Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Write)?;
    let tr = Tr { locale: v.locale };
    let id = form.fields.text("contact_id").unwrap_or_default();
    let contact = s.store.get(ObjectKind::Contact, id).await?;
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    let pipeline = pipelines
        .iter()
        .find(|p| p.kind == "upsell")
        .or_else(|| pipelines.iter().find(|p| p.is_expansion()))
        .ok_or_else(|| ApiError::invalid("pipeline", "no_upsell_pipeline", tr.t("health-no-pipeline")))?;
    let mut body = json!({
        "name": tr.t1("health-deal-name", "name", &super::records::title(&contact)),
        "pipeline": pipeline.key,
        "stage": pipeline.stages[0].key,
        "contact_ids": [contact.id],
    });
    for field in ["company_id", "owner_id"] {
        if let Some(value) = contact.text(field) {
            body[field] = value.into();
        }
    }
    let (_, axum::Json(created)) = crate::api::records::create_impl(&s, &v.caller, ObjectKind::Deal, body).await?;
    // Back on the page, the customer is no longer a candidate.
    s.health.forget();
    let deal = created["id"].as_str().unwrap_or_default();
    Ok(axum::response::Redirect::to(&format!("/deals/{deal}")).into_response())
}
