//! The sales screens: a pipeline's board (a column a stage, a card a deal; moved with a form on
//! each card, which `assets/app.js` drives by mouse or keyboard), won and lost with a reason,
//! and the forecast by month against the goals.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::pipeline::{LOST_REASONS, WON_REASONS};
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;

use super::chart::{bars, Bar};
use super::view::{Shell, Tr};
use super::{PageResult, Posted, Viewer};
use crate::api::pipelines::{board, forecast, BoardFilter};
use crate::AppState;
use leadline_store::WriteOptions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deals/board", get(board_page))
        .route("/deals/{id}/move", post(move_deal))
        .route("/forecast", get(forecast_page))
        .route("/forecast.csv", get(forecast_csv))
        .route("/dashboard.csv", get(dashboard_csv))
}

pub struct CardView {
    pub id: String,
    pub name: String,
    pub amount: String,
    pub owner: String,
    pub age: String,
    pub in_stage: String,
    pub rotting: bool,
}

pub struct ColumnView {
    /// Empty for deals whose stage the pipeline lacks.
    pub stage: String,
    pub label: String,
    pub probability: String,
    pub count: i64,
    pub total: String,
    pub weighted: String,
    pub cards: Vec<CardView>,
    pub more: usize,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    p: Shell,
    /// (key, label, current).
    pipelines: Vec<(String, String, bool)>,
    pipeline: String,
    stages: Vec<(String, String)>,
    columns: Vec<ColumnView>,
    owners: Vec<(String, String)>,
    teams: Vec<String>,
    owner_id: String,
    team: String,
    close_month: String,
    won_reasons: Vec<(String, String)>,
    lost_reasons: Vec<(String, String)>,
    error: Option<String>,
    unconverted: usize,
}

async fn board_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    render_board(&s, &v, &uri, None).await
}

async fn render_board(s: &AppState, v: &Viewer, uri: &Uri, error: Option<(StatusCode, String)>) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let pipelines = crate::pipelines::load(s.store.as_ref()).await?;
    let key =
        get("pipeline").filter(|k| pipelines.iter().any(|p| &p.key == k)).unwrap_or_else(|| pipelines[0].key.clone());
    let filter = BoardFilter { owner_id: get("owner_id"), team: get("team"), close_month: get("close_month") };
    let b = board(s, &pipelines, &key, &filter).await?;
    let users = s.store.users().await?;
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id))
            .map(|u| u.name.clone().unwrap_or_else(|| u.email.clone()))
            .unwrap_or_else(|| tr.t("board-no-owner"))
    };
    let money = |minor: i64| tr.money(minor, &b.currency);
    let columns = b
        .columns
        .iter()
        .map(|c| ColumnView {
            stage: c.stage.clone().unwrap_or_default(),
            label: if c.stage.is_some() { c.label.clone() } else { tr.t("board-other-stage") },
            probability: format!("{}%", tr.num(i64::from(c.probability))),
            count: c.count as i64,
            total: money(c.total),
            weighted: money(c.weighted),
            more: c.count - c.deals.len(),
            cards: c
                .deals
                .iter()
                .map(|d| CardView {
                    id: d.id.clone(),
                    name: d.name.clone().unwrap_or_else(|| tr.t("board-untitled")),
                    amount: match (d.amount, &d.currency) {
                        (Some(a), Some(c)) => tr.money(a, c),
                        (Some(a), None) => money(a),
                        _ => "–".into(),
                    },
                    owner: name_of(&d.owner_id),
                    age: tr.t1("board-age", "n", &tr.num(d.age_days)),
                    in_stage: tr.t1("board-in-stage", "n", &tr.num(d.days_in_stage)),
                    rotting: d.rotting,
                })
                .collect(),
        })
        .collect();
    let mut teams: Vec<String> = s.store.routing_members().await?.into_iter().map(|m| m.team).collect();
    teams.sort();
    teams.dedup();
    let reasons =
        |list: &[&str], prefix: &str| list.iter().map(|r| ((*r).to_owned(), tr.t(&format!("{prefix}{r}")))).collect();
    let page = BoardPage {
        p: v.shell("/deals", tr.t("board-title")),
        pipelines: pipelines.iter().map(|p| (p.key.clone(), p.label.clone(), p.key == key)).collect(),
        stages: b.pipeline.stages.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
        pipeline: key,
        columns,
        owners: users
            .iter()
            .filter(|u| !u.disabled)
            .map(|u| (u.id.clone(), u.name.clone().unwrap_or_else(|| u.email.clone())))
            .collect(),
        teams,
        owner_id: filter.owner_id.unwrap_or_default(),
        team: filter.team.unwrap_or_default(),
        close_month: filter.close_month.unwrap_or_default(),
        won_reasons: reasons(WON_REASONS, "won-reason-"),
        lost_reasons: reasons(LOST_REASONS, "lost-reason-"),
        error: error.as_ref().map(|(_, m)| m.clone()),
        unconverted: b.unconverted,
    };
    let mut resp = super::render(&page);
    if let Some((status, _)) = error {
        *resp.status_mut() = status;
    }
    Ok(resp)
}

/// A card's form: a new stage, or won or lost with a reason. Back to the board it came from.
async fn move_deal(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let v = &form.viewer;
    let text = |k: &str| form.fields.text(k).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let back = text("back").filter(|b| b.starts_with("/deals/board")).unwrap_or_else(|| "/deals/board".into());
    let body = match (text("outcome").as_deref(), text("stage")) {
        (Some(outcome @ ("won" | "lost")), _) => {
            let mut body = serde_json::json!({"status": outcome});
            if let Some(reason) = text("reason") {
                body[format!("{outcome}_reason")] = reason.into();
            }
            body
        }
        (_, Some(stage)) => serde_json::json!({"stage": stage}),
        _ => serde_json::json!({}),
    };
    match crate::api::records::update_impl(&s, &v.caller, ObjectKind::Deal, &id, WriteOptions::default(), body).await {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            let message = format!(
                "{}: {}",
                tr.t(&format!("field-{}", e.field.as_deref().unwrap_or("stage"))),
                super::view::error_text(&tr, &e)
            );
            let uri: Uri = back.parse().unwrap_or_default();
            render_board(&s, v, &uri, Some((e.status(), message))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    p: Shell,
    from: String,
    to: String,
    by: String,
    /// The heading of the owner or team column (empty by month).
    by_label: String,
    chart: String,
    /// (month, who, open deals, open, weighted, pipeline, best case, commit, closed won, goal, attainment).
    rows: Vec<Vec<String>>,
    unconverted: usize,
    currency: String,
}

async fn forecast_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let f = forecast(&s, get("from"), get("to"), get("by"), get("pipeline")).await?;
    let users = s.store.users().await?;
    let who = |id: &Option<String>| match (f.by.as_str(), id) {
        ("month", _) => String::new(),
        ("team", Some(t)) => t.clone(),
        (_, Some(id)) => users
            .iter()
            .find(|u| &u.id == id)
            .map(|u| u.name.clone().unwrap_or_else(|| u.email.clone()))
            .unwrap_or_else(|| id.clone()),
        (_, None) => tr.t("board-no-owner"),
    };
    let money = |m: i64| tr.money(m, &f.currency);
    let chart_bars: Vec<Bar> = f
        .rows
        .iter()
        .map(|r| {
            let label = if f.by == "month" { r.month.clone() } else { format!("{} {}", r.month, who(&r.owner_id)) };
            let goal = r.goal.map(|g| format!(" / {}", money(g))).unwrap_or_default();
            Bar {
                label,
                value: (r.closed_won + r.commit) as f64,
                shown: format!("{}{goal}", money(r.closed_won + r.commit)),
            }
        })
        .collect();
    let rows = f
        .rows
        .iter()
        .map(|r| {
            vec![
                r.month.clone(),
                who(&r.owner_id),
                tr.num(r.open_deals as i64),
                money(r.open),
                money(r.weighted),
                money(r.pipeline),
                money(r.best_case),
                money(r.commit),
                money(r.closed_won),
                r.goal.map(money).unwrap_or_else(|| "–".into()),
                r.attainment.map(|a| format!("{}%", tr.num((a * 100.0).round() as i64))).unwrap_or_else(|| "–".into()),
            ]
        })
        .collect();
    let page = ForecastPage {
        p: v.shell("/deals", tr.t("forecast-title")),
        chart: bars(&tr.t("forecast-chart"), &chart_bars, tr.locale.lang.is_rtl()),
        from: f.from.clone(),
        to: f.to.clone(),
        by_label: if f.by == "month" { String::new() } else { tr.t(&format!("forecast-by-{}", f.by)) },
        by: f.by.clone(),
        rows,
        unconverted: f.unconverted,
        currency: f.currency.clone(),
    };
    Ok(super::render(&page))
}

/// One pipeline as its form shows it (the stages as lines).
pub struct PipelineForm {
    pub index: usize,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub stages: String,
}

#[derive(Template)]
#[template(path = "pipelines_settings.html")]
struct PipelinesSettings {
    p: Shell,
    /// The pipelines, and last an empty one for a new pipeline.
    pipelines: Vec<PipelineForm>,
    kinds: &'static [&'static str],
    rates: String,
    goals: String,
    currency: String,
    saved: bool,
    errors: super::auth::FormErrors,
}

pub fn settings_routes() -> Router<AppState> {
    Router::new()
        .route("/settings/pipelines", get(settings_page).post(save_pipelines))
        .route("/settings/pipelines/rates", post(save_rates))
        .route("/settings/pipelines/goals", post(save_goals))
}

async fn settings_page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    let saved = uri.query().is_some_and(|q| q.contains("saved=1"));
    render_settings(&s, &v, None, saved, super::auth::FormErrors::default()).await
}

/// The settings page; `posted` keeps what was typed into the pipelines' form after a refusal.
async fn render_settings(
    s: &AppState,
    v: &Viewer,
    posted: Option<Vec<PipelineForm>>,
    saved: bool,
    errors: super::auth::FormErrors,
) -> PageResult {
    v.require(Action::Administer)?;
    let tr = Tr { locale: v.locale };
    let pipelines = match posted {
        Some(p) => p,
        None => {
            let mut rows: Vec<PipelineForm> = crate::pipelines::load(s.store.as_ref())
                .await?
                .iter()
                .enumerate()
                .map(|(index, p)| PipelineForm {
                    index,
                    key: p.key.clone(),
                    label: p.label.clone(),
                    kind: p.kind.clone(),
                    stages: leadline_core::pipeline::format_stages(&p.stages),
                })
                .collect();
            let index = rows.len();
            rows.push(PipelineForm {
                index,
                key: String::new(),
                label: String::new(),
                kind: "new_business".into(),
                stages: String::new(),
            });
            rows
        }
    };
    let rates = s.store.rates().await?.iter().map(|(c, d, r)| format!("{c} {d} {r}")).collect::<Vec<_>>().join("\n");
    let this_month = leadline_core::date::date_of_millis(crate::now())[..7].to_owned();
    let goals = s
        .store
        .goals(&this_month, "9999-12")
        .await?
        .iter()
        .filter(|(_, owner, _)| owner.is_empty())
        .map(|(m, _, a)| format!("{m} {}.{:02}", a / 100, a % 100))
        .collect::<Vec<_>>()
        .join("\n");
    let page = PipelinesSettings {
        p: v.shell("/settings", tr.t("pipelines-title")),
        pipelines,
        kinds: leadline_core::pipeline::KINDS,
        rates,
        goals,
        currency: crate::api::campaigns::CURRENCY.into(),
        saved,
        errors,
    };
    Ok(super::records::page_response(&page, &page.errors))
}

async fn save_pipelines(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let f = &form.fields;
    let (keys, labels, kinds, stages) = (f.all("key"), f.all("label"), f.all("kind"), f.all("stages"));
    let posted: Vec<PipelineForm> = (0..keys.len())
        .map(|index| {
            let get = |v: &[&str]| v.get(index).map(|x| x.trim().to_owned()).unwrap_or_default();
            PipelineForm { index, key: get(&keys), label: get(&labels), kind: get(&kinds), stages: get(&stages) }
        })
        .collect();
    let tr = Tr { locale: v.locale };
    let mut input = Vec::new();
    for f in posted.iter().filter(|f| !f.key.is_empty()) {
        match leadline_core::pipeline::parse_stages(&f.stages) {
            Ok(stages) => input.push(crate::pipelines::PipelineDto::from(&leadline_core::pipeline::Pipeline {
                key: f.key.clone(),
                label: f.label.clone(),
                kind: f.kind.clone(),
                stages,
            })),
            Err(e) => {
                let errors = one_error("stages", format!("{}: {}", f.key, e.message));
                return refused(&s, v, Some(posted), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    }
    match crate::api::pipelines::save(&s, input).await {
        Ok(_) => Ok(Redirect::to("/settings/pipelines?saved=1").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let message = format!("{}: {}", e.field.as_deref().unwrap_or(""), super::view::error_text(&tr, &e));
            refused(&s, v, Some(posted), one_error("pipelines", message), e.status()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refused(
    s: &AppState,
    v: &Viewer,
    posted: Option<Vec<PipelineForm>>,
    errors: super::auth::FormErrors,
    status: StatusCode,
) -> PageResult {
    let mut resp = render_settings(s, v, posted, false, errors).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

fn one_error(field: &str, message: String) -> super::auth::FormErrors {
    let mut errors = super::auth::FormErrors::default();
    errors.add(field, message);
    errors
}

/// Rates, one a line: `USD 2026-01-01 0.92`.
async fn save_rates(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let text = form.fields.get("rates").unwrap_or_default();
    let mut body = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let rate = cells.get(2).and_then(|r| r.replace(',', ".").parse::<f64>().ok());
        match (cells.first(), cells.get(1), rate) {
            (Some(c), Some(d), Some(r)) => body.push(serde_json::json!({"currency": c, "day": d, "rate": r})),
            _ => {
                let message = Tr { locale: v.locale }.t1("pipelines-bad-line", "n", &(i + 1).to_string());
                return refused(&s, v, None, one_error("rates", message), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    }
    let rates: Vec<crate::api::pipelines::RateDto> =
        serde_json::from_value(serde_json::Value::Array(body)).unwrap_or_default();
    match crate::api::pipelines::store_rates(&s, &rates).await {
        Ok(()) => Ok(Redirect::to("/settings/pipelines?saved=1").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let message = format!(
                "{}: {}",
                e.field.as_deref().unwrap_or(""),
                super::view::error_text(&Tr { locale: v.locale }, &e)
            );
            refused(&s, v, None, one_error("rates", message), e.status()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The team's goals, one a line: `2026-07 40000.00`.
async fn save_goals(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let text = form.fields.get("goals").unwrap_or_default();
    let mut goals = Vec::new();
    let mut bad = None;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let amount = cells.get(1).and_then(|a| leadline_core::campaign::parse_amount(a));
        match (cells.first(), amount) {
            (Some(m), Some(a)) => {
                goals.push(crate::api::pipelines::Goal { month: (*m).to_owned(), owner_id: None, amount: a })
            }
            _ => {
                bad = Some(i + 1);
                break;
            }
        }
    }
    let result = match bad {
        Some(n) => Err(crate::error::ApiError::invalid(
            "goals",
            "invalid_line",
            Tr { locale: v.locale }.t1("pipelines-bad-line", "n", &n.to_string()),
        )),
        None => crate::api::pipelines::store_goals(&s, &goals).await,
    };
    match result {
        Ok(()) => Ok(Redirect::to("/settings/pipelines?saved=1").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            refused(&s, v, None, one_error("goals", e.message.clone()), e.status()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The forecast's table as CSV.
async fn forecast_csv(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<axum::response::Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let f = forecast(&s, get("from"), get("to"), get("by"), get("pipeline")).await?;
    let opt = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
    let rows = f
        .rows
        .iter()
        .map(|r| {
            vec![
                r.month.clone(),
                r.owner_id.clone().unwrap_or_default(),
                r.open_deals.to_string(),
                r.open.to_string(),
                r.weighted.to_string(),
                r.pipeline.to_string(),
                r.best_case.to_string(),
                r.commit.to_string(),
                r.closed_won.to_string(),
                opt(r.goal),
                super::csv_number(r.attainment, 4),
            ]
        })
        .collect();
    super::csv_response(
        "forecast.csv",
        &[
            "month",
            "owner_or_team",
            "open_deals",
            "open",
            "weighted",
            "pipeline",
            "best_case",
            "commit",
            "closed_won",
            "goal",
            "attainment",
        ],
        rows,
    )
}

/// The dashboard's figures as CSV (amounts in minor units of the workspace currency).
async fn dashboard_csv(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<axum::response::Response, super::PageError> {
    v.require(Action::Read)?;
    let pairs = crate::api::query_pairs(&uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let d = crate::api::reports::dashboard(&s, get("from").as_deref(), get("to").as_deref(), None).await?;
    let num = |x: Option<f64>| super::csv_number(x, 4);
    let rows = d
        .metrics
        .iter()
        .map(|m| vec![m.key.clone(), m.unit.clone(), num(m.value), num(m.previous), num(m.change)])
        .collect();
    super::csv_response("dashboard.csv", &["metric", "unit", "value", "previous", "change"], rows)
}
