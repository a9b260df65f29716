//! `/api/v1/conditions`: the condition language (leadline-core's `condition`) as a service:
//! text in, its syntax tree, its canonical text and its problems out, for the UI's builder and
//! for tools that write rules.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use leadline_core::condition::check::{check, CheckError, Schema};
use leadline_core::condition::{self, Behaviour, Expr, Literal, Operand, Set};
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::{parse, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/conditions/parse", post(parse_condition)).route("/conditions/count", post(count_condition))
}

/// A contact condition read and checked, or the 422 that names its first problem and where it
/// is: what a segment, a preview and a rule take.
pub(crate) async fn read_condition(s: &AppState, text: &str) -> ApiResult<Expr> {
    if text.len() > condition::MAX_TEXT {
        let max = condition::MAX_TEXT;
        return Err(ApiError::invalid("condition", "too_long", format!("a condition is at most {max} bytes")));
    }
    let expr = condition::parse(text).map_err(|e| {
        ApiError::invalid(
            "condition",
            "invalid_condition",
            format!("at {}: expected {}, found {}", e.position, e.expected, e.found),
        )
    })?;
    if let Some(problem) = problems(s, ObjectKind::Contact, &expr).await?.into_iter().next() {
        return Err(ApiError::invalid(
            "condition",
            "invalid_condition",
            format!("at {}: {}", problem.span.start, problem.message),
        ));
    }
    Ok(expr)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    /// A contact condition, e.g. `country = "PL" and count(page_view, last 30 days) >= 2`.
    pub condition: String,
}

#[derive(Serialize, ToSchema)]
pub struct CountDto {
    /// Live contacts that meet the condition now.
    pub count: u64,
    /// Live contacts read to decide it (those the store could tell might match).
    pub scanned: u64,
    /// Up to ten of them.
    pub sample: Vec<String>,
    pub elapsed_ms: u64,
}

#[utoipa::path(post, path = "/api/v1/conditions/count", tag = "conditions", request_body = CountInput,
    description = "Count the contacts that meet a condition now, before it becomes a segment or a rule (scores as the engine last decided them).",
    responses((status = 200, body = CountDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn count_condition(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<CountDto>> {
    caller.require(Action::Read)?;
    let input: CountInput = parse(body)?;
    let expr = read_condition(&s, &input.condition).await?;
    let started = std::time::Instant::now();
    let current = s.rules.get(s.store.as_ref()).await?;
    let c = crate::scores::count_matching(s.store.as_ref(), &expr, &current.model_keys(), crate::now(), 10).await?;
    Ok(Json(CountDto {
        count: c.count,
        scanned: c.scanned,
        sample: c.sample,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    /// The condition's text, e.g. `lifecycle_stage = "lead" and fit >= 40`.
    pub condition: String,
    /// contact (default), company or deal: whose fields the condition reads.
    pub object: Option<String>,
}

/// Where a condition has a problem.
#[derive(Serialize, ToSchema)]
pub struct ConditionError {
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConditionDto {
    /// Whether the condition can be used as it is.
    pub valid: bool,
    /// The condition written the language's canonical way (what the builder writes); null when
    /// it cannot be read.
    pub text: Option<String>,
    /// The syntax tree; null when the text cannot be read.
    #[schema(value_type = Option<Object>)]
    pub ast: Option<Value>,
    pub errors: Vec<ConditionError>,
}

#[utoipa::path(post, path = "/api/v1/conditions/parse", tag = "conditions", request_body = ConditionInput,
    description = "Read a condition: its syntax tree, its canonical text, and each problem with where it is (a name nothing has, a behaviour without a window, a syntax error with what was expected).",
    responses((status = 200, body = ConditionDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn parse_condition(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<ConditionDto>> {
    caller.require(Action::Read)?;
    let input: ConditionInput = parse(body)?;
    if input.condition.len() > condition::MAX_TEXT {
        let max = condition::MAX_TEXT;
        return Err(ApiError::invalid("condition", "too_long", format!("a condition is at most {max} bytes")));
    }
    let object = match input.object.as_deref() {
        None => ObjectKind::Contact,
        Some(o) => ObjectKind::parse(o)
            .ok_or_else(|| ApiError::invalid("object", "invalid_object", "object is contact, company or deal"))?,
    };
    let expr = match condition::parse(&input.condition) {
        Ok(e) => e,
        Err(e) => {
            let message = format!("expected {}, found {}", e.expected, e.found);
            let errors = vec![ConditionError { start: e.position, end: e.position, message }];
            return Ok(Json(ConditionDto { valid: false, text: None, ast: None, errors }));
        }
    };
    let errors: Vec<ConditionError> = problems(&s, object, &expr)
        .await?
        .into_iter()
        .map(|e| ConditionError { start: e.span.start, end: e.span.end, message: e.message })
        .collect();
    Ok(Json(ConditionDto { valid: errors.is_empty(), text: Some(expr.to_text()), ast: Some(expr_json(&expr)), errors }))
}

/// Every problem `expr` has as a condition about `object`'s records in this store (its custom
/// properties, the score models).
pub(crate) async fn problems(s: &AppState, object: ObjectKind, expr: &Expr) -> ApiResult<Vec<CheckError>> {
    let defs = s.store.properties(None).await?;
    let names = |o: ObjectKind| defs.iter().filter(|d| d.object == o).map(|d| d.name.as_str()).collect::<Vec<_>>();
    let (own, company) = (names(object), names(ObjectKind::Company));
    let current = s.rules.get(s.store.as_ref()).await?;
    let scores = current.model_keys();
    let schema = Schema { object: Some(object), properties: &own, company_properties: &company, scores: &scores };
    Ok(check(expr, &schema))
}

/// The syntax tree as JSON: `{"op": "and", "items": [...]}`, `{"op": ">=", "left": ...,
/// "right": ...}`, operands as `{"field": "company.industry"}`, `{"value": 40}` or
/// `{"behaviour": "count", "type": ..., "where": ..., "window_minutes": ...}`.
pub fn expr_json(e: &Expr) -> Value {
    match e {
        Expr::And(items) => json!({"op": "and", "items": items.iter().map(expr_json).collect::<Vec<_>>()}),
        Expr::Or(items) => json!({"op": "or", "items": items.iter().map(expr_json).collect::<Vec<_>>()}),
        Expr::Not(e) => json!({"op": "not", "item": expr_json(e)}),
        Expr::Compare { left, op, right } => {
            json!({"op": op.as_str(), "left": operand_json(left), "right": operand_json(right)})
        }
        Expr::In { value, set, negated } => {
            let set = match set {
                Set::Literals(items) => json!(items.iter().map(literal_json).collect::<Vec<_>>()),
                Set::Named { name, .. } => json!(name),
            };
            json!({"op": if *negated { "not in" } else { "in" }, "left": operand_json(value), "set": set})
        }
        Expr::Within { time, window } => {
            json!({"op": "within", "left": operand_json(time), "window_minutes": window.millis / 60_000})
        }
        Expr::IsEmpty { value, negated } => {
            json!({"op": if *negated { "is not empty" } else { "is empty" }, "left": operand_json(value)})
        }
        Expr::Truthy(value) => json!({"op": "is true", "left": operand_json(value)}),
    }
}

fn literal_json(l: &Literal) -> Value {
    match l {
        Literal::Text(t) => json!(t),
        Literal::Number(n) => json!(n),
        Literal::Bool(b) => json!(b),
    }
}

fn operand_json(o: &Operand) -> Value {
    match o {
        Operand::Literal(l) => json!({"value": literal_json(l)}),
        Operand::Path { parts, .. } => json!({"field": parts.join(".")}),
        Operand::Behaviour(b) => behaviour_json(b),
    }
}

fn behaviour_json(b: &Behaviour) -> Value {
    json!({
        "behaviour": b.func.as_str(),
        "type": b.kind,
        "property": b.property,
        "where": b.filter.as_ref().map(expr_json),
        "window_minutes": b.window.map(|w| w.millis / 60_000),
    })
}
