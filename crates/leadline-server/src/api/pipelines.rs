//! `/api/v1/pipelines`, the board of a pipeline, `/api/v1/forecast` with its goals, and
//! `/api/v1/currency-rates`: where every deal stands and what it will bring, in the workspace
//! currency.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::{get, put};
use axum::{Json, Router};
use leadline_core::pipeline::{self, ForecastDeal, Pipeline, Rates};
use leadline_core::role::Action;
use leadline_core::Millis;
use leadline_store::{PipelineDeal, PipelineDealQuery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::campaigns::CURRENCY;
use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::pipelines::PipelineDto;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pipelines", get(list).put(replace))
        .route("/pipelines/{key}/board", get(board_of))
        .route("/forecast", get(forecast_report))
        .route("/forecast/goals", put(set_goals))
        .route("/currency-rates", get(rates).put(set_rates))
}

const DAY: Millis = 86_400_000;
/// Open deals a board reads at most (the columns' counts and totals are of these).
pub const BOARD_DEALS: u32 = 5_000;
/// Cards a column shows; the rest are counted.
pub const CARDS: usize = 100;

#[utoipa::path(get, path = "/api/v1/pipelines", tag = "pipelines", responses((status = 200, body = Vec<PipelineDto>)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<PipelineDto>>> {
    caller.require(Action::Read)?;
    Ok(Json(crate::pipelines::load(s.store.as_ref()).await?.iter().map(PipelineDto::from).collect()))
}

#[utoipa::path(put, path = "/api/v1/pipelines", tag = "pipelines", request_body = Vec<PipelineDto>,
    description = "Replace every pipeline, in order. A pipeline deals are in cannot be removed (409).",
    responses((status = 200, body = Vec<PipelineDto>), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn replace(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<PipelineDto>>> {
    caller.require(Action::Administer)?;
    let input: Vec<PipelineDto> = parse(body)?;
    save(&s, input).await.map(Json)
}

/// Check and keep pipelines (for the API and the settings page alike).
pub async fn save(s: &AppState, input: Vec<PipelineDto>) -> ApiResult<Vec<PipelineDto>> {
    let pipelines: Vec<Pipeline> = input.into_iter().map(Pipeline::from).collect();
    let before = crate::pipelines::load(s.store.as_ref()).await?;
    crate::pipelines::check_all(s.store.as_ref(), &before, &pipelines).await?;
    let rows: Vec<(String, String)> = pipelines
        .iter()
        .map(|p| (p.key.clone(), serde_json::to_string(&PipelineDto::from(p)).expect("a pipeline serialises")))
        .collect();
    s.store.save_pipelines(&rows, crate::now()).await?;
    Ok(pipelines.iter().map(PipelineDto::from).collect())
}

#[derive(Serialize, ToSchema)]
pub struct Card {
    pub id: String,
    pub name: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub close_date: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    /// Days since the deal was made, and since it entered its stage.
    pub age_days: i64,
    pub days_in_stage: i64,
    /// In its stage longer than the stage's rotting threshold.
    pub rotting: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Column {
    /// The stage's key; null for deals whose stage the pipeline does not have.
    pub stage: Option<String>,
    pub label: String,
    pub probability: u8,
    pub count: usize,
    /// In the workspace currency (minor units), and weighted by the stage's probability.
    pub total: i64,
    pub weighted: i64,
    /// The first cards (most days in stage first); `count` says how many there are.
    pub deals: Vec<Card>,
}

#[derive(Serialize, ToSchema)]
pub struct Board {
    pub pipeline: PipelineDto,
    pub currency: String,
    pub columns: Vec<Column>,
    /// Open deals in a currency without a rate: counted, not summed.
    pub unconverted: usize,
}

/// The filters of a board: owner (a user's id), team (the routing team's members), and the
/// close month (`YYYY-MM`).
#[derive(Default, Clone)]
pub struct BoardFilter {
    pub owner_id: Option<String>,
    pub team: Option<String>,
    pub close_month: Option<String>,
}

fn month_bounds(field: &str, month: &str) -> ApiResult<(String, String)> {
    let ok = month.len() == 7
        && month.is_ascii()
        && month.as_bytes()[4] == b'-'
        && month[..4].parse::<u32>().is_ok()
        && month[5..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    if !ok {
        return Err(ApiError::invalid(field, "invalid_month", "a month, YYYY-MM"));
    }
    Ok((format!("{month}-01"), format!("{month}-31")))
}

fn filter_of(uri: &Uri) -> ApiResult<BoardFilter> {
    let pairs = query_pairs(uri)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    Ok(BoardFilter { owner_id: get("owner_id"), team: get("team"), close_month: get("close_month") })
}

#[utoipa::path(get, path = "/api/v1/pipelines/{key}/board", tag = "pipelines",
    params(("key" = String, Path), ("owner_id" = Option<String>, Query), ("team" = Option<String>, Query), ("close_month" = Option<String>, Query, description = "YYYY-MM")),
    responses((status = 200, body = Board), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn board_of(
    State(s): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    uri: Uri,
) -> ApiResult<Json<Board>> {
    caller.require(Action::Read)?;
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    Ok(Json(board(&s, &pipelines, &key, &filter_of(&uri)?).await?))
}

/// Owners of a routing team.
async fn team_members(s: &AppState, team: &str) -> ApiResult<Vec<String>> {
    Ok(s.store.routing_members().await?.into_iter().filter(|m| m.team == team).map(|m| m.user_id).collect())
}

/// A pipeline's board (`pipelines`: those in force, as `crate::pipelines::load` reads them).
pub async fn board(s: &AppState, pipelines: &[Pipeline], key: &str, f: &BoardFilter) -> ApiResult<Board> {
    let p = pipelines.iter().find(|p| p.key == key).ok_or_else(|| ApiError::not_found("pipeline", key))?;
    let (close_from, close_to) = match &f.close_month {
        Some(m) => month_bounds("close_month", m).map(|(a, b)| (Some(a), Some(b)))?,
        None => (None, None),
    };
    let q = PipelineDealQuery {
        pipeline: Some(key.to_owned()),
        open_only: true,
        owner_id: f.owner_id.clone(),
        close_from,
        close_to,
        closed_between: None,
        limit: BOARD_DEALS,
    };
    let mut deals = s.store.pipeline_deals(&q).await?;
    if let Some(team) = &f.team {
        let members = team_members(s, team).await?;
        deals.retain(|d| d.owner_id.as_ref().is_some_and(|o| members.contains(o)));
    }
    let rates = Rates::new(CURRENCY, s.store.rates().await?);
    let now = crate::now();
    let today = leadline_core::date::date_of_millis(now);
    let mut unconverted = 0;
    let mut columns: Vec<Column> = p
        .stages
        .iter()
        .map(|st| Column {
            stage: Some(st.key.clone()),
            label: st.label.clone(),
            probability: st.probability,
            count: 0,
            total: 0,
            weighted: 0,
            deals: Vec::new(),
        })
        .collect();
    let mut other = Column {
        stage: None,
        label: String::new(),
        probability: 0,
        count: 0,
        total: 0,
        weighted: 0,
        deals: Vec::new(),
    };
    for d in deals.into_iter().rev() {
        let stage = d.stage.as_deref().and_then(|k| p.stage(k));
        let column = match d.stage.as_deref().and_then(|k| p.position(k)) {
            Some(i) => &mut columns[i],
            None => &mut other,
        };
        column.count += 1;
        match d.amount.map(|a| rates.convert(a, d.currency.as_deref().unwrap_or(CURRENCY), &today)) {
            Some(Some(a)) => {
                column.total += a;
                column.weighted += pipeline::weighted(a, column.probability);
            }
            Some(None) => unconverted += 1,
            None => {}
        }
        if column.deals.len() < CARDS {
            column.deals.push(card(&d, stage, now));
        }
    }
    if other.count > 0 {
        columns.insert(0, other);
    }
    Ok(Board { pipeline: PipelineDto::from(p), currency: CURRENCY.into(), columns, unconverted })
}

fn card(d: &PipelineDeal, stage: Option<&pipeline::Stage>, now: Millis) -> Card {
    Card {
        id: d.id.clone(),
        name: d.name.clone(),
        amount: d.amount,
        currency: d.currency.clone(),
        close_date: d.close_date.clone(),
        owner_id: d.owner_id.clone(),
        company_id: d.company_id.clone(),
        age_days: (now - d.created_at) / DAY,
        days_in_stage: (now - d.stage_entered_at) / DAY,
        rotting: stage.is_some_and(|st| pipeline::rotting(st, d.stage_entered_at, now)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ForecastLine {
    /// YYYY-MM.
    pub month: String,
    /// With `by=owner`: the owner's id (null: deals without one).
    pub owner_id: Option<String>,
    pub open_deals: u64,
    pub open: i64,
    pub weighted: i64,
    /// Open deals by forecast category, each with the more certain ones.
    pub pipeline: i64,
    pub best_case: i64,
    pub commit: i64,
    pub closed_won: i64,
    pub won_deals: u64,
    /// The goal for this month (and owner); null when none is set.
    pub goal: Option<i64>,
    /// Closed won over the goal.
    pub attainment: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Forecast {
    pub currency: String,
    pub from: String,
    pub to: String,
    pub by: String,
    pub rows: Vec<ForecastLine>,
    /// Deals in a currency without a rate: left out.
    pub unconverted: usize,
}

#[utoipa::path(get, path = "/api/v1/forecast", tag = "pipelines",
    description = "The forecast by month (and owner or team): open deals by their expected close month (open, weighted by their stages' probabilities, pipeline, best case and commit), won deals in the month they were won, against the goals; in the workspace currency at the day's rate.",
    params(("from" = Option<String>, Query, description = "YYYY-MM, default this month"), ("to" = Option<String>, Query, description = "YYYY-MM, default five months later"),
        ("by" = Option<String>, Query, description = "month (default), owner or team"), ("pipeline" = Option<String>, Query)),
    responses((status = 200, body = Forecast), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn forecast_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Forecast>> {
    caller.require(Action::Read)?;
    let pairs = query_pairs(&uri)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    Ok(Json(forecast(&s, get("from"), get("to"), get("by"), get("pipeline")).await?))
}

/// The month `n` months after `month` (`YYYY-MM`).
fn add_months(month: &str, n: i32) -> String {
    let (y, m): (i32, i32) = (month[..4].parse().unwrap_or(2000), month[5..7].parse().unwrap_or(1));
    let total = y * 12 + (m - 1) + n;
    format!("{:04}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
}

pub async fn forecast(
    s: &AppState,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    pipeline_key: Option<String>,
) -> ApiResult<Forecast> {
    let this_month = leadline_core::date::date_of_millis(crate::now())[..7].to_owned();
    let from = from.unwrap_or(this_month);
    month_bounds("from", &from)?;
    let to = to.unwrap_or_else(|| add_months(&from, 5));
    month_bounds("to", &to)?;
    if to < from || add_months(&from, 36) < to {
        return Err(ApiError::invalid("to", "invalid_period", "to is from or later, at most 36 months on"));
    }
    let by = by.unwrap_or_else(|| "month".into());
    if !["month", "owner", "team"].contains(&by.as_str()) {
        return Err(ApiError::invalid("by", "invalid_by", "month, owner or team"));
    }
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    if let Some(k) = &pipeline_key {
        if !pipelines.iter().any(|p| &p.key == k) {
            return Err(ApiError::not_found("pipeline", k));
        }
    }
    // Open deals by their expected close date; won deals by the day they were won, which the
    // close date need not say (a deal won early keeps the date it was expected).
    let open = PipelineDealQuery {
        pipeline: pipeline_key.clone(),
        open_only: true,
        close_from: Some(format!("{from}-01")),
        close_to: Some(format!("{to}-31")),
        limit: 200_000,
        ..Default::default()
    };
    let month_start = |month: &str| {
        let (y, m) = (month[..4].parse().unwrap_or(1970), month[5..].parse().unwrap_or(1));
        leadline_core::date::days_from_civil(y, m, 1) * 86_400_000
    };
    let closed = PipelineDealQuery {
        pipeline: pipeline_key,
        closed_between: Some((month_start(&from), month_start(&add_months(&to, 1)))),
        limit: 200_000,
        ..Default::default()
    };
    let mut deals = s.store.pipeline_deals(&open).await?;
    deals.extend(s.store.pipeline_deals(&closed).await?.into_iter().filter(|d| d.status.as_deref() == Some("won")));
    let rates = Rates::new(CURRENCY, s.store.rates().await?);
    let team_of: HashMap<String, String> = if by == "team" {
        s.store.routing_members().await?.into_iter().map(|m| (m.user_id, m.team)).collect()
    } else {
        HashMap::new()
    };
    let mut unconverted = 0;
    let mut input = Vec::with_capacity(deals.len());
    for d in deals {
        let day = match (d.status.as_deref(), d.closed_at) {
            (Some("won"), Some(at)) => leadline_core::date::date_of_millis(at),
            _ => d.close_date.clone().unwrap_or_default(),
        };
        let Some(amount) = rates.convert(d.amount.unwrap_or(0), d.currency.as_deref().unwrap_or(CURRENCY), &day) else {
            unconverted += 1;
            continue;
        };
        let stage = crate::pipelines::of(&pipelines, d.pipeline.as_deref()).and_then(|p| p.stage(d.stage.as_deref()?));
        let owner = match by.as_str() {
            "team" => d.owner_id.as_ref().and_then(|o| team_of.get(o).cloned()),
            _ => d.owner_id.clone(),
        };
        input.push(ForecastDeal {
            month: day.get(..7).unwrap_or_default().to_owned(),
            owner,
            amount,
            status: d.status.clone().unwrap_or_else(|| "open".into()),
            probability: stage.map_or(0, |s| s.probability),
            category: d
                .forecast_category
                .clone()
                .or(stage.map(|s| s.category.clone()))
                .unwrap_or_else(|| "pipeline".into()),
        });
    }
    let goals: BTreeMap<(String, String), i64> =
        s.store.goals(&from, &to).await?.into_iter().map(|(m, o, a)| ((m, o), a)).collect();
    let rows = pipeline::forecast(&input, by != "month")
        .into_iter()
        .map(|r| {
            let goal = match by.as_str() {
                "owner" => goals.get(&(r.month.clone(), r.owner.clone().unwrap_or_default())).copied(),
                "team" => None,
                _ => goals.get(&(r.month.clone(), String::new())).copied(),
            };
            ForecastLine {
                attainment: goal.filter(|g| *g > 0).map(|g| r.closed_won as f64 / g as f64),
                goal,
                month: r.month,
                owner_id: r.owner,
                open_deals: r.open_deals,
                open: r.open,
                weighted: r.weighted,
                pipeline: r.pipeline,
                best_case: r.best_case,
                commit: r.commit,
                closed_won: r.closed_won,
                won_deals: r.won_deals,
            }
        })
        .collect();
    Ok(Forecast { currency: CURRENCY.into(), from, to, by, rows, unconverted })
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// YYYY-MM.
    pub month: String,
    /// A user's id; none for the whole team's goal.
    pub owner_id: Option<String>,
    /// Workspace currency, minor units.
    pub amount: i64,
}

#[utoipa::path(put, path = "/api/v1/forecast/goals", tag = "pipelines", request_body = Vec<Goal>,
    description = "Set goals: a month (and owner) given again replaces its goal.",
    responses((status = 200, body = Vec<Goal>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_goals(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<Goal>>> {
    caller.require(Action::Administer)?;
    let goals: Vec<Goal> = parse(body)?;
    store_goals(&s, &goals).await?;
    Ok(Json(goals))
}

pub async fn store_goals(s: &AppState, goals: &[Goal]) -> ApiResult<()> {
    if goals.len() > 1000 {
        return Err(ApiError::invalid("goals", "too_many", "at most 1000 goals at once"));
    }
    let mut rows = Vec::with_capacity(goals.len());
    for (i, g) in goals.iter().enumerate() {
        month_bounds(&format!("[{i}].month"), &g.month)?;
        if !(0..=1_000_000_000_000_000).contains(&g.amount) {
            return Err(ApiError::invalid(&format!("[{i}].amount"), "invalid_amount", "0 or more, minor units"));
        }
        if let Some(o) = &g.owner_id {
            s.store
                .user(o)
                .await
                .map_err(|_| ApiError::invalid(&format!("[{i}].owner_id"), "unknown_reference", "no such user"))?;
        }
        rows.push((g.month.clone(), g.owner_id.clone().unwrap_or_default(), g.amount));
    }
    Ok(s.store.set_goals(&rows).await?)
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateDto {
    /// ISO 4217, e.g. USD.
    pub currency: String,
    /// From this day on (YYYY-MM-DD).
    pub day: String,
    /// Units of the workspace currency one unit is worth.
    pub rate: f64,
}

#[utoipa::path(get, path = "/api/v1/currency-rates", tag = "pipelines", responses((status = 200, body = Vec<RateDto>)))]
pub async fn rates(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<RateDto>>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.rates().await?.into_iter().map(|(currency, day, rate)| RateDto { currency, day, rate }).collect()))
}

#[utoipa::path(put, path = "/api/v1/currency-rates", tag = "pipelines", request_body = Vec<RateDto>,
    description = "Set rates: a currency's day given again replaces its rate.",
    responses((status = 200, body = Vec<RateDto>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_rates(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<RateDto>>> {
    caller.require(Action::Administer)?;
    let input: Vec<RateDto> = parse(body)?;
    store_rates(&s, &input).await?;
    Ok(Json(input))
}

/// Check and keep rates (for the API and the settings page alike).
pub async fn store_rates(s: &AppState, input: &[RateDto]) -> ApiResult<()> {
    if input.len() > 5000 {
        return Err(ApiError::invalid("rates", "too_many", "at most 5000 rates at once"));
    }
    let mut rows = Vec::with_capacity(input.len());
    for (i, r) in input.iter().enumerate() {
        let currency = leadline_core::money::parse_currency("currency", &r.currency)
            .map_err(|e| ApiError::from(e).field(format!("[{i}].currency")))?;
        if currency == CURRENCY {
            return Err(ApiError::invalid(
                &format!("[{i}].currency"),
                "base_currency",
                "the workspace currency is always 1",
            ));
        }
        leadline_core::date::parse_time("day", &format!("{}T00:00:00Z", r.day))
            .map_err(|_| ApiError::invalid(&format!("[{i}].day"), "invalid_date", "a day, YYYY-MM-DD"))?;
        if !(r.rate.is_finite() && r.rate > 0.0 && r.rate < 1e9) {
            return Err(ApiError::invalid(&format!("[{i}].rate"), "invalid_rate", "a positive number"));
        }
        rows.push((currency.to_owned(), r.day.clone(), r.rate));
    }
    Ok(s.store.set_rates(&rows).await?)
}
