//! `/api/v1/analytics`: funnels over people's activities (see `crate::analytics`).

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use leadline_core::date::{parse_time, rfc3339};
use leadline_core::funnel::{Mode, StepFigures, MAX_STEPS};
use leadline_core::role::Action;
use leadline_core::Millis;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{parse, JsonBody};
use crate::analytics::{FunnelQuery, GroupName};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/funnel", post(funnel))
        .route("/analytics/funnels", get(saved))
        .route("/analytics/funnels/{key}", put(save))
}

const DAY: Millis = 86_400_000;
/// The conversion window when none is given: a week.
pub const DEFAULT_WINDOW_SECONDS: i64 = 7 * 86_400;
/// The longest conversion window: a year.
pub const MAX_WINDOW_SECONDS: i64 = 366 * 86_400;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelInput {
    /// The steps in order (1 to 16).
    pub steps: Vec<StepInput>,
    /// How long after the first step the last may happen (default a week, at most a year).
    pub window_seconds: Option<i64>,
    /// default, strict_order, strict_deduplication or strict_increase (as ClickHouse's windowFunnel).
    pub mode: Option<String>,
    /// The period's start (RFC 3339; default 30 days before `to`).
    pub from: Option<String>,
    /// The period's end, exclusive (RFC 3339; default now).
    pub to: Option<String>,
    /// A contact field or custom property to break the answer down by.
    pub breakdown: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// What the step is called (a stage of a ready-made funnel: awareness, interest, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An activity type: page_view, form_submission, email_open, purchase, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Properties the activity must have (a string, number or boolean each, compared as text).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Value>,
}

#[derive(Serialize, ToSchema, Debug, Clone, PartialEq)]
pub struct StepReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    /// People who reached this step or went further.
    pub count: u64,
    /// People who reached the step before and not this one.
    pub dropped: u64,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_first: Option<f64>,
    /// Time from the step before, over the people who got here.
    pub median_seconds: Option<f64>,
    pub average_seconds: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupReport {
    /// The breakdown's value; null for people without one.
    pub value: Option<String>,
    /// True for the sum of the values past the 25 largest.
    pub other: bool,
    pub steps: Vec<StepReport>,
}

#[derive(Serialize, ToSchema)]
pub struct FunnelReport {
    pub steps: Vec<StepReport>,
    pub mode: String,
    pub window_seconds: i64,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupReport>,
    /// The engine's table: people and events in memory.
    pub people_in_memory: usize,
    pub events_in_memory: usize,
}

#[utoipa::path(post, path = "/api/v1/analytics/funnel", tag = "analytics", request_body = FunnelInput,
    responses((status = 200, body = FunnelReport), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn funnel(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<FunnelReport>> {
    caller.require(Action::Read)?;
    let q = checked(parse(body)?, crate::now())?;
    Ok(Json(run(&s, q).await?))
}

/// Run a checked funnel and say it as the API does (for the API and the page alike).
pub async fn run(s: &AppState, q: FunnelQuery) -> ApiResult<FunnelReport> {
    s.analytics.refresh(s.store.as_ref()).await?;
    let answer = s.analytics.funnel(s.store.as_ref(), &q).await?;
    let kinds: Vec<&str> = q.steps.iter().map(|(k, _)| k.as_str()).collect();
    let steps = |figures: Vec<StepFigures>| -> Vec<StepReport> {
        figures
            .into_iter()
            .zip(&kinds)
            .enumerate()
            .map(|(i, (f, k))| StepReport { name: q.names.get(i).cloned().flatten(), ..step_report(k, f) })
            .collect()
    };
    Ok(FunnelReport {
        groups: answer
            .groups
            .into_iter()
            .map(|(name, figures)| GroupReport {
                other: name == GroupName::Other,
                value: match name {
                    GroupName::Value(v) => Some(v),
                    _ => None,
                },
                steps: steps(figures),
            })
            .collect(),
        steps: steps(answer.steps),
        mode: q.mode.as_str().to_owned(),
        window_seconds: q.window / 1000,
        from: rfc3339(q.from),
        to: rfc3339(q.to),
        breakdown: q.breakdown,
        people_in_memory: answer.size.people,
        events_in_memory: answer.size.events,
    })
}

fn step_report(kind: &str, f: StepFigures) -> StepReport {
    let seconds = |ms: Option<Millis>| ms.map(|ms| ms as f64 / 1000.0);
    StepReport {
        name: None,
        kind: kind.to_owned(),
        count: f.count,
        dropped: f.dropped,
        conversion_from_previous: f.conversion_from_previous,
        conversion_from_first: f.conversion_from_first,
        median_seconds: seconds(f.median_ms),
        average_seconds: seconds(f.average_ms),
    }
}

/// A property's or field's name (it becomes a JSON path in the store).
fn check_key(field: &str, name: &str) -> ApiResult<()> {
    let ok =
        !name.is_empty() && name.len() <= 100 && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(field, "invalid_name", "a name of 1 to 100 letters, digits, _ and -"))
    }
}

/// Read a funnel's input, with the defaults filled in.
pub fn checked(input: FunnelInput, now: Millis) -> ApiResult<FunnelQuery> {
    if input.steps.is_empty() || input.steps.len() > MAX_STEPS {
        return Err(ApiError::invalid("steps", "invalid_steps", format!("a funnel has 1 to {MAX_STEPS} steps")));
    }
    let mut steps = Vec::with_capacity(input.steps.len());
    let mut names = Vec::with_capacity(input.steps.len());
    for (i, step) in input.steps.into_iter().enumerate() {
        if step.name.as_ref().is_some_and(|n| n.trim().is_empty() || n.chars().count() > 100) {
            return Err(ApiError::invalid(
                &format!("steps[{i}].name"),
                "invalid_name",
                "a name of 1 to 100 characters",
            ));
        }
        names.push(step.name.map(|n| n.trim().to_owned()));
        let kind = leadline_core::activity::activity_type(&step.kind)
            .map_err(|e| ApiError::from(e).field(format!("steps[{i}].type")))?;
        if step.properties.len() > 10 {
            return Err(ApiError::invalid(
                &format!("steps[{i}].properties"),
                "too_many",
                "at most 10 properties a step",
            ));
        }
        let mut properties = Vec::with_capacity(step.properties.len());
        for (name, value) in step.properties {
            let field = format!("steps[{i}].properties.{name}");
            check_key(&field, &name)?;
            let value = match value {
                Value::String(s) if s.len() <= 1000 => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(ApiError::invalid(
                        &field,
                        "invalid_value",
                        "a string (up to 1000 characters), number or boolean",
                    ))
                }
            };
            properties.push((name, value));
        }
        steps.push((kind, properties));
    }
    let window_seconds = input.window_seconds.unwrap_or(DEFAULT_WINDOW_SECONDS);
    if !(1..=MAX_WINDOW_SECONDS).contains(&window_seconds) {
        return Err(ApiError::invalid(
            "window_seconds",
            "invalid_window",
            format!("1 to {MAX_WINDOW_SECONDS} seconds"),
        ));
    }
    let mode = match input.mode.as_deref() {
        None => Mode::Default,
        Some(m) => Mode::parse(m).ok_or_else(|| {
            ApiError::invalid("mode", "invalid_mode", "default, strict_order, strict_deduplication or strict_increase")
        })?,
    };
    let time = |field: &str, raw: Option<String>| -> ApiResult<Option<Millis>> {
        raw.map(|r| parse_time(field, &r).map_err(ApiError::from)).transpose()
    };
    let to = time("to", input.to)?.unwrap_or(now);
    let from = time("from", input.from)?.unwrap_or(to - 30 * DAY);
    if from >= to {
        return Err(ApiError::invalid("from", "invalid_period", "from must be before to"));
    }
    if let Some(b) = &input.breakdown {
        check_key("breakdown", b)?;
    }
    Ok(FunnelQuery { steps, window: window_seconds * 1000, mode, from, to, breakdown: input.breakdown, names })
}

/// A funnel kept by name.
#[derive(Deserialize, Serialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SavedFunnel {
    /// Lowercase letters, digits and `_`; `marketing` and `sales` are the ready-made ones.
    #[serde(default)]
    pub key: String,
    pub label: String,
    pub steps: Vec<StepInput>,
    pub window_seconds: i64,
    #[serde(default = "default_mode")]
    pub mode: String,
}

fn default_mode() -> String {
    "default".into()
}

fn step(name: &str, kind: &str) -> StepInput {
    StepInput { name: Some(name.into()), kind: kind.into(), properties: BTreeMap::new() }
}

/// The ready-made funnels, until a team maps their stages to other activity types.
pub fn ready_made() -> Vec<SavedFunnel> {
    vec![
        SavedFunnel {
            key: "marketing".into(),
            label: "Marketing funnel".into(),
            steps: vec![
                step("awareness", "page_view"),
                step("interest", "email_clicked"),
                step("consideration", "form_submission"),
                step("intent", "chat_message"),
                step("evaluation", "meeting"),
                step("purchase", "purchase"),
            ],
            window_seconds: 90 * 86_400,
            mode: "default".into(),
        },
        SavedFunnel {
            key: "sales".into(),
            label: "Sales funnel".into(),
            steps: vec![
                step("awareness", "page_view"),
                step("interest", "form_submission"),
                step("decision", "meeting"),
                step("action", "purchase"),
            ],
            window_seconds: 90 * 86_400,
            mode: "default".into(),
        },
    ]
}

/// The ready-made funnels as mapped here, then the others kept, by key.
pub async fn saved_funnels(s: &AppState) -> ApiResult<Vec<SavedFunnel>> {
    let mut out = ready_made();
    for (key, json) in s.store.saved_funnels().await? {
        let Ok(mut f) = serde_json::from_str::<SavedFunnel>(&json) else {
            tracing::warn!(key = %key, "a saved funnel does not read");
            continue;
        };
        f.key = key;
        match out.iter_mut().find(|o| o.key == f.key) {
            Some(o) => *o = f,
            None => out.push(f),
        }
    }
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/analytics/funnels", tag = "analytics",
    description = "The funnels kept by name: the ready-made marketing funnel (awareness, interest, consideration, intent, evaluation, purchase) and sales funnel (awareness, interest, decision, action), each step mapped to an activity type, and any other saved.",
    responses((status = 200, body = Vec<SavedFunnel>)))]
pub async fn saved(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<SavedFunnel>>> {
    caller.require(Action::Read)?;
    Ok(Json(saved_funnels(&s).await?))
}

#[utoipa::path(put, path = "/api/v1/analytics/funnels/{key}", tag = "analytics", request_body = SavedFunnel,
    description = "Keep a funnel under a key: map the ready-made funnels' stages to your activity types, or save another.",
    params(("key" = String, Path)),
    responses((status = 200, body = SavedFunnel), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save(
    State(s): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<SavedFunnel>> {
    caller.require(Action::Administer)?;
    let f: SavedFunnel = parse(body)?;
    Ok(Json(keep(&s, &key, f).await?))
}

/// Check and keep a funnel (for the API and the page alike).
pub async fn keep(s: &AppState, key: &str, mut f: SavedFunnel) -> ApiResult<SavedFunnel> {
    let ok_key = !key.is_empty()
        && key.len() <= 64
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok_key {
        return Err(ApiError::invalid("key", "invalid_key", "lowercase letters, digits and _ (up to 64)"));
    }
    if f.label.trim().is_empty() || f.label.chars().count() > 100 {
        return Err(ApiError::invalid("label", "invalid_label", "a name of 1 to 100 characters"));
    }
    let input = FunnelInput {
        steps: f.steps.clone(),
        window_seconds: Some(f.window_seconds),
        mode: Some(f.mode.clone()),
        from: None,
        to: None,
        breakdown: None,
    };
    let q = checked(input, crate::now())?;
    f.key = key.to_owned();
    f.mode = q.mode.as_str().to_owned();
    for (step, (kind, _)) in f.steps.iter_mut().zip(&q.steps) {
        step.kind = kind.clone();
    }
    let json = serde_json::to_string(&f).expect("a funnel serialises");
    s.store.save_funnel(key, &json, crate::now()).await?;
    Ok(f)
}
