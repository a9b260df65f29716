//! `GET /api/v1/reports/dashboard`: the business at a glance for a period against the one
//! before: contacts reaching each lifecycle stage, won revenue, the open pipeline, spend, cost
//! per lead and per customer, win rate, average deal, sales cycle and pipeline velocity.

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::campaign::Period;
use leadline_core::pipeline::{self, Closed, Rates, SalesNumbers};
use leadline_core::role::Action;
use leadline_core::Millis;
use leadline_store::PipelineDealQuery;
use serde::Serialize;
use utoipa::ToSchema;

use super::campaigns::CURRENCY;
use super::query_pairs;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/dashboard", get(dashboard_report))
}

const DAY: Millis = 86_400_000;

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct Metric {
    /// new_leads, mqls, sqls, opportunities, customers, won_revenue, won_deals, spend,
    /// cost_per_lead, cac, win_rate, average_deal, sales_cycle_days, velocity_per_day,
    /// open_pipeline, weighted_pipeline.
    pub key: String,
    /// count, money (minor units of `currency`), ratio or days.
    pub unit: String,
    pub value: Option<f64>,
    /// The same for the period before (null for what is only known now: the open pipeline).
    pub previous: Option<f64>,
    /// value / previous - 1.
    pub change: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub previous_to: String,
    pub currency: String,
    pub metrics: Vec<Metric>,
}

#[utoipa::path(get, path = "/api/v1/reports/dashboard", tag = "reports",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default 29 days before to"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, included; default today"),
        ("pipeline" = Option<String>, Query, description = "the deal figures of one pipeline")),
    responses((status = 200, body = Dashboard), (status = 422, body = crate::error::ErrorBody)))]
pub async fn dashboard_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Dashboard>> {
    caller.require(Action::Read)?;
    let pairs = query_pairs(&uri)?;
    let mut from = None;
    let mut to = None;
    let mut pipeline_key = None;
    for (k, v) in pairs {
        match k.as_str() {
            "from" if !v.is_empty() => from = Some(v),
            "to" if !v.is_empty() => to = Some(v),
            "pipeline" if !v.is_empty() => pipeline_key = Some(v),
            "from" | "to" | "pipeline" => {}
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok(Json(dashboard(&s, from.as_deref(), to.as_deref(), pipeline_key).await?))
}

fn day_of(field: &str, d: &str) -> ApiResult<Millis> {
    let d = leadline_core::date::parse_date(field, d)?;
    let (y, m, dd) = (d[0..4].parse().unwrap_or(1970), d[5..7].parse().unwrap_or(1), d[8..10].parse().unwrap_or(1));
    Ok(leadline_core::date::days_from_civil(y, m, dd) * DAY)
}

/// The period asked for: whole days, `to` included; the last 30 days by default.
pub fn period(from: Option<&str>, to: Option<&str>) -> ApiResult<Period> {
    let today = crate::now().div_euclid(DAY) * DAY;
    let to = match to {
        Some(t) => day_of("to", t)? + DAY,
        None => today + DAY,
    };
    let from = match from {
        Some(f) => day_of("from", f)?,
        None => to - 30 * DAY,
    };
    if to <= from || to - from > 3_660 * DAY {
        return Err(ApiError::invalid("from", "invalid_period", "from is on or before to, at most ten years before"));
    }
    Ok(Period { from, to })
}

/// What one period says.
struct Figures {
    reached: Vec<(String, i64)>,
    won_revenue: i64,
    sales: SalesNumbers,
    spend: i64,
}

async fn figures(
    s: &AppState,
    p: Period,
    pipeline_key: &Option<String>,
    rates: &Rates,
    open_deals: u64,
) -> ApiResult<Figures> {
    let reached = s.store.stage_reached(p.from, p.to).await?;
    let q = PipelineDealQuery {
        pipeline: pipeline_key.clone(),
        closed_between: Some((p.from, p.to)),
        limit: 1_000_000,
        ..PipelineDealQuery::default()
    };
    let mut closed = Vec::new();
    for d in s.store.pipeline_deals(&q).await? {
        let day = leadline_core::date::date_of_millis(d.closed_at.unwrap_or(d.created_at));
        let amount = rates.convert(d.amount.unwrap_or(0), d.currency.as_deref().unwrap_or(CURRENCY), &day).unwrap_or(0);
        let won = d.status.as_deref() == Some("won");
        if won || d.status.as_deref() == Some("lost") {
            closed.push(Closed {
                won,
                amount,
                created_at: d.created_at,
                closed_at: d.closed_at.unwrap_or(d.created_at),
            });
        }
    }
    let sales = pipeline::sales_numbers(&closed, open_deals);
    let (first, last) = (leadline_core::date::date_of_millis(p.from), leadline_core::date::date_of_millis(p.to - DAY));
    let spend = s.store.spend_between(&first, &last).await?.iter().map(|(_, a)| a).sum();
    Ok(Figures { reached, won_revenue: sales.won_amount, sales, spend })
}

pub async fn dashboard(
    s: &AppState,
    from: Option<&str>,
    to: Option<&str>,
    pipeline_key: Option<String>,
) -> ApiResult<Dashboard> {
    let p = period(from, to)?;
    let before = p.previous();
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    if let Some(k) = &pipeline_key {
        if !pipelines.iter().any(|x| &x.key == k) {
            return Err(ApiError::not_found("pipeline", k));
        }
    }
    let rates = Rates::new(CURRENCY, s.store.rates().await?);
    let today = leadline_core::date::date_of_millis(crate::now());
    let open = s
        .store
        .pipeline_deals(&PipelineDealQuery {
            pipeline: pipeline_key.clone(),
            open_only: true,
            limit: 1_000_000,
            ..Default::default()
        })
        .await?;
    let (mut open_total, mut weighted) = (0i64, 0i64);
    for d in &open {
        let Some(a) = rates.convert(d.amount.unwrap_or(0), d.currency.as_deref().unwrap_or(CURRENCY), &today) else {
            continue;
        };
        open_total += a;
        let probability = crate::pipelines::of(&pipelines, d.pipeline.as_deref())
            .and_then(|x| x.stage(d.stage.as_deref()?))
            .map_or(0, |st| st.probability);
        weighted += pipeline::weighted(a, probability);
    }
    let now = figures(s, p, &pipeline_key, &rates, open.len() as u64).await?;
    let was = figures(s, before, &pipeline_key, &rates, open.len() as u64).await?;
    let stage = |f: &Figures, st: &str| f.reached.iter().find(|(k, _)| k == st).map_or(0.0, |(_, n)| *n as f64);
    let per = |spend: i64, n: f64| (n > 0.0).then(|| spend as f64 / n);
    let metric = |key: &str, unit: &str, value: Option<f64>, previous: Option<f64>| Metric {
        key: key.into(),
        unit: unit.into(),
        change: match (value, previous) {
            (Some(v), Some(p)) if p != 0.0 => Some(v / p - 1.0),
            _ => None,
        },
        value,
        previous,
    };
    let mut metrics = Vec::new();
    for (key, st) in [
        ("new_leads", "lead"),
        ("mqls", "mql"),
        ("sqls", "sql"),
        ("opportunities", "opportunity"),
        ("customers", "customer"),
    ] {
        metrics.push(metric(key, "count", Some(stage(&now, st)), Some(stage(&was, st))));
    }
    metrics.extend([
        metric("won_revenue", "money", Some(now.won_revenue as f64), Some(was.won_revenue as f64)),
        metric("won_deals", "count", Some(now.sales.won as f64), Some(was.sales.won as f64)),
        metric("open_pipeline", "money", Some(open_total as f64), None),
        metric("weighted_pipeline", "money", Some(weighted as f64), None),
        metric("spend", "money", Some(now.spend as f64), Some(was.spend as f64)),
        metric("cost_per_lead", "money", per(now.spend, stage(&now, "lead")), per(was.spend, stage(&was, "lead"))),
        metric("cac", "money", per(now.spend, stage(&now, "customer")), per(was.spend, stage(&was, "customer"))),
        metric("win_rate", "ratio", now.sales.win_rate, was.sales.win_rate),
        metric("average_deal", "money", now.sales.average_deal, was.sales.average_deal),
        metric("sales_cycle_days", "days", now.sales.cycle_days, was.sales.cycle_days),
        metric("velocity_per_day", "money", now.sales.velocity_per_day, was.sales.velocity_per_day),
    ]);
    let date = leadline_core::date::date_of_millis;
    Ok(Dashboard {
        from: date(p.from),
        to: date(p.to - DAY),
        previous_from: date(before.from),
        previous_to: date(before.to - DAY),
        currency: CURRENCY.into(),
        metrics,
    })
}
