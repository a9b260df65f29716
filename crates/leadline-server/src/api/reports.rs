//! `GET /api/v1/reports/dashboard`: the business at a glance for a period against the one
//! before: contacts reaching each lifecycle stage, won revenue, the open pipeline, spend, cost
//! per lead and per customer, win rate, average deal, sales cycle and pipeline velocity.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::campaign::Period;
use leadline_core::clv;
use leadline_core::pipeline::{self, Closed, Rates, SalesNumbers};
use leadline_core::role::Action;
use leadline_core::Millis;
use leadline_store::{ActivityQuery, PipelineDealQuery};
use serde::Serialize;
use utoipa::ToSchema;

use super::campaigns::CURRENCY;
use super::query_pairs;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/dashboard", get(dashboard_report))
        .route("/reports/clv", get(clv_report))
        .route("/reports/journey", get(journey_report))
        .route("/reports/lifecycle", get(lifecycle_report))
        .route("/reports/cohorts", get(cohort_report))
        .route("/reports/pipeline", get(pipeline_report))
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

#[derive(Serialize, ToSchema, Clone)]
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
    responses((status = 200, body = Dashboard), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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

/// The dashboard's figures as the home page shows them, counted behind it (`crate::counted`:
/// a count over a million contacts' stage history takes most of a second).
pub async fn dashboard_counted(s: &AppState, from: Option<&str>, to: Option<&str>) -> ApiResult<(Millis, Dashboard)> {
    let key = format!("{}|{}", from.unwrap_or(""), to.unwrap_or(""));
    let (state, from, to) = (s.clone(), from.map(str::to_owned), to.map(str::to_owned));
    s.dashboard.get(key, move || async move { dashboard(&state, from.as_deref(), to.as_deref(), None).await }).await
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

const WEEK: Millis = 7 * DAY;
/// Weeks in a month, on average.
const MONTH_WEEKS: f64 = 4.345;
/// Customers a report lists by name.
pub const TOP: usize = 50;

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct Models {
    /// BG/NBD: purchase rate ~ Gamma(r, alpha); dropout ~ Beta(a, b).
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    /// Gamma-Gamma: spend per purchase.
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    pub customers: usize,
    pub repeat_customers: usize,
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct CustomerValue {
    pub contact_id: String,
    pub purchases: u64,
    /// What they have bought, workspace currency minor units.
    pub historical: i64,
    pub p_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    /// Discounted value of what they will buy over the horizon.
    pub predicted: Option<f64>,
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct ChannelValue {
    /// The customers' original source (a channel); null for none.
    pub channel: Option<String>,
    pub customers: u64,
    pub average_historical: f64,
    pub average_predicted: Option<f64>,
    /// Campaign spend of the channel over its customers, all time.
    pub cac: Option<f64>,
    /// Lifetime value (predicted and historical) over CAC.
    pub clv_to_cac: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClvReport {
    pub currency: String,
    pub horizon_months: u32,
    pub monthly_discount_rate: f64,
    /// Null while too few customers bought more than once to fit the models.
    pub models: Option<Models>,
    pub customers: u64,
    pub average_historical: f64,
    pub average_predicted: Option<f64>,
    pub channels: Vec<ChannelValue>,
    /// The most valuable customers, by predicted value (historical without the models).
    pub top: Vec<CustomerValue>,
}

#[utoipa::path(get, path = "/api/v1/reports/clv", tag = "reports",
    description = "Customer lifetime value from purchases: won deals (each contact of a deal its share) and purchase touches that name no deal (revenue or total in major units, or amount in minor units): historical per customer, and predicted by BG/NBD and Gamma-Gamma fitted on them (weeks, same-day purchases merged), discounted per month; per channel with CAC.",
    params(("horizon_months" = Option<u32>, Query, description = "1 to 60, default 12"), ("discount_rate" = Option<f64>, Query, description = "a month, 0 to 0.5, default 0.01"),
        ("segment" = Option<String>, Query, description = "only the customers in this segment or list")),
    responses((status = 200, body = ClvReport), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn clv_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<ClvReport>> {
    caller.require(Action::Read)?;
    let mut months = 12u32;
    let mut rate = 0.01f64;
    let mut segment = None;
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "horizon_months" => {
                months = v
                    .parse()
                    .ok()
                    .filter(|m| (1..=60).contains(m))
                    .ok_or_else(|| ApiError::invalid("horizon_months", "invalid_parameter", "1 to 60 months"))?
            }
            "discount_rate" => {
                rate = v
                    .parse()
                    .ok()
                    .filter(|r: &f64| (0.0..=0.5).contains(r))
                    .ok_or_else(|| ApiError::invalid("discount_rate", "invalid_parameter", "0 to 0.5 a month"))?
            }
            "segment" if !v.is_empty() => segment = Some(v),
            "segment" => {}
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok(Json(clv(&s, months, rate, segment).await?))
}

/// Every customer's purchases up to `now` (when, and what it was worth in the workspace
/// currency at that day's rate): their won deals (a deal of several contacts is each one's
/// purchase, its amount shared) and their purchase touches (an order tracked or recorded;
/// one that names a deal is that deal's, already counted). What cannot be converted is left
/// out.
pub async fn purchases(s: &AppState, now: Millis) -> ApiResult<HashMap<String, Vec<(Millis, f64)>>> {
    let rates = Rates::new(CURRENCY, s.store.rates().await?);
    let mut purchases: HashMap<String, Vec<(Millis, f64)>> = HashMap::new();
    for d in s.store.won_deals(0, now + 1).await? {
        let day = leadline_core::date::date_of_millis(d.closed_at);
        let Some(amount) = rates.convert(d.amount, d.currency.as_deref().unwrap_or(CURRENCY), &day) else { continue };
        let share = amount as f64 / d.contact_ids.len().max(1) as f64;
        for c in d.contact_ids {
            purchases.entry(c).or_default().push((d.closed_at, share));
        }
    }
    const PAGE: u32 = 5_000;
    let mut q = ActivityQuery { kinds: vec!["purchase".into()], after_seq: Some(0), limit: PAGE, ..Default::default() };
    loop {
        let page = s.store.activities(&q).await?;
        for a in &page {
            let (Some(contact), None) = (&a.contact_id, &a.deal_id) else { continue };
            let number = |k: &str| a.properties.get(k).and_then(serde_json::Value::as_f64);
            let currency = a.properties.get("currency").and_then(serde_json::Value::as_str).unwrap_or(CURRENCY);
            let currency = currency.trim().to_ascii_uppercase();
            let digits = leadline_core::money::minor_digits(&currency);
            let Some(value) = clv::purchase_value(number("revenue"), number("total"), number("amount"), digits) else {
                continue;
            };
            let day = leadline_core::date::date_of_millis(a.occurred_at);
            if let (Some(amount), true) = (rates.convert(value, &currency, &day), a.occurred_at <= now) {
                purchases.entry(contact.clone()).or_default().push((a.occurred_at, amount as f64));
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => q.after_seq = Some(last.seq),
            _ => break,
        }
    }
    Ok(purchases)
}

pub async fn clv(s: &AppState, months: u32, rate: f64, segment: Option<String>) -> ApiResult<ClvReport> {
    let now = crate::now();
    let mut purchases = purchases(s, now).await?;
    if let Some(id) = &segment {
        s.store.segment(id).await?;
        let mut members = std::collections::HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let page = s.store.segment_members(id, after.as_deref(), 10_000).await?;
            let Some(last) = page.last().cloned() else { break };
            members.extend(page);
            after = Some(last);
        }
        purchases.retain(|c, _| members.contains(c));
    }
    let mut rows: Vec<(String, clv::Customer, i64, u64)> = purchases
        .into_iter()
        .filter_map(|(id, p)| {
            let historical = p.iter().map(|(_, v)| v).sum::<f64>().round() as i64;
            let n = p.len() as u64;
            clv::summarize(p, now, WEEK).map(|c| (id, c, historical, n))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let customers: Vec<clv::Customer> = rows.iter().map(|r| r.1).collect();
    let repeat = customers.iter().filter(|c| c.x > 0.0).count();
    let fitted = if customers.len() >= 20 && repeat >= 5 {
        let bg = clv::fit_bgnbd(&customers).0;
        let gg = clv::fit_gamma_gamma(&customers).0;
        // Gamma-Gamma's mean spend needs q > 1; a fit without it predicts nothing.
        (gg.q > 1.0).then_some((bg, gg))
    } else {
        None
    };
    let values: Vec<CustomerValue> = rows
        .iter()
        .map(|(id, c, historical, n)| {
            let model = fitted.map(|(bg, gg)| {
                (
                    bg.p_alive(c),
                    bg.expected_purchases(c, f64::from(months) * MONTH_WEEKS),
                    clv::discounted_value(&bg, &gg, c, months, MONTH_WEEKS, rate),
                )
            });
            CustomerValue {
                contact_id: id.clone(),
                purchases: *n,
                historical: *historical,
                p_alive: model.map(|m| m.0),
                expected_purchases: model.map(|m| m.1),
                predicted: model.map(|m| m.2),
            }
        })
        .collect();
    // Channels: each customer's original source; spend by the campaigns' channels.
    let mut channel_of = std::collections::HashMap::new();
    let ids: Vec<String> = values.iter().map(|v| v.contact_id.clone()).collect();
    for chunk in ids.chunks(500) {
        for r in s.store.get_many(leadline_core::record::ObjectKind::Contact, chunk).await? {
            channel_of.insert(r.id.clone(), r.text("original_source").map(str::to_owned));
        }
    }
    let campaign_channel: std::collections::HashMap<String, String> =
        s.store.campaigns().await?.into_iter().map(|c| (c.id, c.channel)).collect();
    let mut spend_of: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (campaign, amount) in s.store.spend_between("0000-01-01", "9999-12-31").await? {
        if let Some(ch) = campaign_channel.get(&campaign) {
            *spend_of.entry(ch.clone()).or_default() += amount;
        }
    }
    let mut by_channel: std::collections::BTreeMap<Option<String>, Vec<&CustomerValue>> =
        std::collections::BTreeMap::new();
    for v in &values {
        by_channel.entry(channel_of.get(&v.contact_id).cloned().flatten()).or_default().push(v);
    }
    let average = |vs: &[&CustomerValue]| -> (f64, Option<f64>) {
        let n = vs.len().max(1) as f64;
        let historical = vs.iter().map(|v| v.historical as f64).sum::<f64>() / n;
        let predicted = fitted.map(|_| vs.iter().filter_map(|v| v.predicted).sum::<f64>() / n);
        (historical, predicted)
    };
    let channels = by_channel
        .iter()
        .map(|(channel, vs)| {
            let (historical, predicted) = average(vs);
            let cac = channel.as_ref().and_then(|c| spend_of.get(c)).map(|spend| *spend as f64 / vs.len() as f64);
            ChannelValue {
                channel: channel.clone(),
                customers: vs.len() as u64,
                average_historical: historical,
                average_predicted: predicted,
                cac,
                clv_to_cac: cac.filter(|c| *c > 0.0).map(|c| (historical + predicted.unwrap_or(0.0)) / c),
            }
        })
        .collect();
    let all: Vec<&CustomerValue> = values.iter().collect();
    let (average_historical, average_predicted) = average(&all);
    let mut top = values.clone();
    top.sort_by(|a, b| {
        let key = |v: &CustomerValue| v.predicted.unwrap_or(v.historical as f64);
        key(b).total_cmp(&key(a)).then_with(|| a.contact_id.cmp(&b.contact_id))
    });
    top.truncate(TOP);
    Ok(ClvReport {
        currency: CURRENCY.into(),
        horizon_months: months,
        monthly_discount_rate: rate,
        models: fitted.map(|(bg, gg)| Models {
            r: bg.r,
            alpha: bg.alpha,
            a: bg.a,
            b: bg.b,
            p: gg.p,
            q: gg.q,
            gamma: gg.gamma,
            customers: customers.len(),
            repeat_customers: repeat,
        }),
        customers: values.len() as u64,
        average_historical: if values.is_empty() { 0.0 } else { average_historical },
        average_predicted: if values.is_empty() { None } else { average_predicted },
        channels,
        top,
    })
}

/// The most people a journey map reads (a larger segment is mapped over its first members).
pub const JOURNEY_PEOPLE: u32 = 5_000;

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct Count {
    /// An activity type.
    #[serde(rename = "type")]
    pub kind: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct JourneyStage {
    /// awareness, consideration, decision or loyalty.
    pub stage: String,
    pub reached: u64,
    pub went_on: u64,
    /// Reached this stage and went no further.
    pub dropped: u64,
    /// The touchpoints in this stage, most first.
    pub touchpoints: Vec<Count>,
    /// The last touchpoint of those who stopped here, most first: the barriers.
    pub barriers: Vec<Count>,
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct JourneyReport {
    /// contact, company or segment.
    pub of: String,
    pub id: String,
    pub people: u64,
    /// True when a segment had more members than the map reads.
    pub sampled: bool,
    pub stages: Vec<JourneyStage>,
}

#[utoipa::path(get, path = "/api/v1/reports/journey", tag = "reports",
    description = "The customer journey map of one contact, a company's people or a segment's members: for each journey stage (awareness: subscriber and lead; consideration: MQL and SQL; decision: opportunity; loyalty: customer and evangelist), who reached it and went on, its touchpoints, and where those who stopped were last touched.",
    params(("contact_id" = Option<String>, Query), ("company_id" = Option<String>, Query), ("segment" = Option<String>, Query)),
    responses((status = 200, body = JourneyReport), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn journey_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<JourneyReport>> {
    caller.require(Action::Read)?;
    let mut of = None;
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "contact_id" | "company_id" | "segment" if !v.is_empty() => {
                if of.is_some() {
                    return Err(ApiError::invalid(&k, "one_subject", "one of contact_id, company_id and segment"));
                }
                of = Some((k, v));
            }
            "contact_id" | "company_id" | "segment" => {}
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    let (kind, id) =
        of.ok_or_else(|| ApiError::invalid("segment", "one_subject", "one of contact_id, company_id and segment"))?;
    Ok(Json(journey(&s, &kind, &id).await?))
}

pub async fn journey(s: &AppState, kind: &str, id: &str) -> ApiResult<JourneyReport> {
    use leadline_core::record::ObjectKind;
    let (of, ids, sampled) = match kind {
        "contact_id" => ("contact", vec![s.store.get(ObjectKind::Contact, id).await?.id], false),
        "company_id" => {
            let company = s.store.get(ObjectKind::Company, id).await?;
            let people = s.store.company_contacts(&company.id, JOURNEY_PEOPLE).await?;
            ("company", people.into_iter().map(|(r, _)| r.id).collect(), false)
        }
        _ => {
            s.store.segment(id).await?;
            let members = s.store.segment_members(id, None, JOURNEY_PEOPLE + 1).await?;
            let sampled = members.len() > JOURNEY_PEOPLE as usize;
            ("segment", members.into_iter().take(JOURNEY_PEOPLE as usize).collect(), sampled)
        }
    };
    let mut people: std::collections::HashMap<String, leadline_core::journey::Person> =
        ids.iter().map(|i| (i.clone(), Default::default())).collect();
    for (contact, stage, at) in s.store.stage_times(&ids).await? {
        if let (Some(p), Some(st)) = (people.get_mut(&contact), leadline_core::lifecycle::LifecycleStage::parse(&stage))
        {
            p.reached.push((st, at));
        }
    }
    for (contact, at, kind) in s.store.touchpoints(&ids).await? {
        if let Some(p) = people.get_mut(&contact) {
            p.touches.push((at, kind));
        }
    }
    let people: Vec<leadline_core::journey::Person> = people.into_values().collect();
    let map = leadline_core::journey::map(&people, 5);
    let counts = |v: &[(String, u64)]| v.iter().map(|(k, n)| Count { kind: k.clone(), count: *n }).collect();
    Ok(JourneyReport {
        of: of.into(),
        id: id.into(),
        people: people.len() as u64,
        sampled,
        stages: map
            .iter()
            .zip(leadline_core::journey::STAGES)
            .map(|(m, name)| JourneyStage {
                stage: name.into(),
                reached: m.reached,
                went_on: m.went_on,
                dropped: m.reached - m.went_on,
                touchpoints: counts(&m.touchpoints),
                barriers: counts(&m.last_before_stopping),
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct StepDto {
    pub from: String,
    pub to: String,
    /// Contacts that entered `from` in the period.
    pub entered: u64,
    /// Of them, those that reached `to` or further.
    pub went_on: u64,
    pub conversion: Option<f64>,
    /// Days from `from` to `to`, over those that got there.
    pub median_days: Option<f64>,
    pub average_days: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct LifecycleReport {
    pub from: String,
    pub to: String,
    pub steps: Vec<StepDto>,
}

#[utoipa::path(get, path = "/api/v1/reports/lifecycle", tag = "reports",
    description = "Conversion between consecutive lifecycle stages, and the time it took, for contacts that entered the earlier stage in the period (from the stage history).",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default 29 days before to"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, included; default today")),
    responses((status = 200, body = LifecycleReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn lifecycle_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<LifecycleReport>> {
    caller.require(Action::Read)?;
    let (from, to) = from_to(&uri)?;
    Ok(Json(lifecycle(&s, from.as_deref(), to.as_deref()).await?))
}

/// `from` and `to` of a report's query string, nothing else.
fn from_to(uri: &Uri) -> ApiResult<(Option<String>, Option<String>)> {
    let (mut from, mut to) = (None, None);
    for (k, v) in query_pairs(uri)? {
        match k.as_str() {
            "from" => from = Some(v).filter(|v| !v.is_empty()),
            "to" => to = Some(v).filter(|v| !v.is_empty()),
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok((from, to))
}

pub async fn lifecycle(s: &AppState, from: Option<&str>, to: Option<&str>) -> ApiResult<LifecycleReport> {
    let p = period(from, to)?;
    let mut people: std::collections::HashMap<String, Vec<(leadline_core::lifecycle::LifecycleStage, Millis)>> =
        std::collections::HashMap::new();
    for (contact, stage, at) in s.store.stage_history_between(p.from, p.to).await? {
        if let Some(st) = leadline_core::lifecycle::LifecycleStage::parse(&stage) {
            people.entry(contact).or_default().push((st, at));
        }
    }
    let people: Vec<_> = people.into_values().collect();
    let steps = leadline_core::cohort::lifecycle_conversion(&people, p.from, p.to)
        .into_iter()
        .map(|st| StepDto {
            from: st.from.as_str().into(),
            to: st.to.as_str().into(),
            conversion: (st.entered > 0).then(|| st.went_on as f64 / st.entered as f64),
            entered: st.entered,
            went_on: st.went_on,
            median_days: st.median_days,
            average_days: st.average_days,
        })
        .collect();
    let date = leadline_core::date::date_of_millis;
    Ok(LifecycleReport { from: date(p.from), to: date(p.to - DAY), steps })
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct CohortDto {
    /// The month of the customers' first purchase, YYYY-MM.
    pub month: String,
    pub customers: u64,
    /// Customers buying in each month since the first (0: the first month itself).
    pub active: Vec<u64>,
    /// The same as shares of the cohort.
    pub retention: Vec<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CohortReport {
    pub cohorts: Vec<CohortDto>,
}

#[utoipa::path(get, path = "/api/v1/reports/cohorts", tag = "reports",
    description = "Retention of customers by the month of their first purchase (a won deal or a purchase touch): for each month since, how many bought again.",
    params(("months" = Option<u32>, Query, description = "cohorts of the last so many months, 1 to 36, default 12")),
    responses((status = 200, body = CohortReport), (status = 422, body = crate::error::ErrorBody)))]
pub async fn cohort_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<CohortReport>> {
    caller.require(Action::Read)?;
    let mut months = 12u32;
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "months" => {
                months = v
                    .parse()
                    .ok()
                    .filter(|m| (1..=36).contains(m))
                    .ok_or_else(|| ApiError::invalid("months", "invalid_parameter", "1 to 36 months"))?
            }
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok(Json(cohort_table(&s, months).await?))
}

pub async fn cohort_table(s: &AppState, months: u32) -> ApiResult<CohortReport> {
    let now = crate::now();
    let purchases: std::collections::BTreeMap<String, Vec<Millis>> =
        purchases(s, now).await?.into_iter().map(|(c, p)| (c, p.into_iter().map(|(at, _)| at).collect())).collect();
    let all = leadline_core::cohort::cohorts(&purchases, now);
    let keep = all.len().saturating_sub(months as usize);
    let cohorts = all
        .into_iter()
        .skip(keep)
        .map(|c| CohortDto {
            retention: c.active.iter().map(|a| *a as f64 / c.customers.max(1) as f64).collect(),
            month: c.month,
            customers: c.customers,
            active: c.active,
        })
        .collect();
    Ok(CohortReport { cohorts })
}

#[derive(Serialize, ToSchema, Clone, Debug, PartialEq)]
pub struct StageFlowDto {
    pub stage: String,
    pub label: String,
    pub probability: u8,
    /// Deals that entered the stage in the period.
    pub entered: u64,
    /// Of them, deals that went on to a later stage or were won.
    pub went_on: u64,
    pub conversion: Option<f64>,
    pub won: u64,
    /// Days in the stage, over the deals that left it.
    pub average_days: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineFlow {
    pub pipeline: String,
    pub from: String,
    pub to: String,
    pub stages: Vec<StageFlowDto>,
}

#[utoipa::path(get, path = "/api/v1/reports/pipeline", tag = "reports",
    description = "Stage-to-stage conversion and time in each stage of a pipeline, for deals entering stages in the period (from the deals' stage history).",
    params(("pipeline" = Option<String>, Query, description = "default: the first pipeline"), ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, included")),
    responses((status = 200, body = PipelineFlow), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn pipeline_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<PipelineFlow>> {
    caller.require(Action::Read)?;
    let (mut from, mut to, mut key) = (None, None, None);
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "from" => from = Some(v).filter(|v| !v.is_empty()),
            "to" => to = Some(v).filter(|v| !v.is_empty()),
            "pipeline" => key = Some(v).filter(|v| !v.is_empty()),
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    Ok(Json(pipeline_flow(&s, key, from.as_deref(), to.as_deref()).await?))
}

pub async fn pipeline_flow(
    s: &AppState,
    key: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<PipelineFlow> {
    let p = period(from, to)?;
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    let pipe = match &key {
        Some(k) => pipelines.iter().find(|x| &x.key == k).ok_or_else(|| ApiError::not_found("pipeline", k))?,
        None => &pipelines[0],
    };
    let mut paths: std::collections::HashMap<String, pipeline::DealPath> = std::collections::HashMap::new();
    for (deal, stage, at) in s.store.deal_stage_history(&pipe.key).await? {
        paths.entry(deal).or_default().entries.push((stage, at));
    }
    let q = PipelineDealQuery { pipeline: Some(pipe.key.clone()), limit: 1_000_000, ..Default::default() };
    for d in s.store.pipeline_deals(&q).await? {
        if let Some(path) = paths.get_mut(&d.id) {
            path.won = d.status.as_deref() == Some("won");
            path.closed_at = d.closed_at;
        }
    }
    let deals: Vec<pipeline::DealPath> = paths.into_values().collect();
    let stages = pipeline::stage_flow(pipe, &deals, p.from, p.to)
        .into_iter()
        .zip(&pipe.stages)
        .map(|(f, st)| StageFlowDto {
            conversion: (f.entered > 0).then(|| f.went_on as f64 / f.entered as f64),
            stage: f.stage,
            label: st.label.clone(),
            probability: st.probability,
            entered: f.entered,
            went_on: f.went_on,
            won: f.won,
            average_days: f.average_days,
        })
        .collect();
    let date = leadline_core::date::date_of_millis;
    Ok(PipelineFlow { pipeline: pipe.key.clone(), from: date(p.from), to: date(p.to - DAY), stages })
}
