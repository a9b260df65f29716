//! `/api/v1/analytics`: funnels over people's activities (see `crate::analytics`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::post;
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
    Router::new().route("/analytics/funnel", post(funnel))
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
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
        figures.into_iter().zip(&kinds).map(|(f, k)| step_report(k, f)).collect()
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
    for (i, step) in input.steps.into_iter().enumerate() {
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
    Ok(FunnelQuery { steps, window: window_seconds * 1000, mode, from, to, breakdown: input.breakdown })
}
