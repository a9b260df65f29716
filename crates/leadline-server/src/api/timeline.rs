//! Activities (the timeline), notes and calls as activities, and tasks.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::role::Action;
use leadline_store::{
    Activity, ActivityQuery, Actor, NewActivity, NewTask, Task, TaskChanges, TaskQuery, TimelineCursor,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct ActivityDto {
    /// Position in the log: strictly increasing in the order activities were stored.
    pub seq: i64,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: String,
    pub recorded_at: String,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    pub source: Option<String>,
    pub actor_id: Option<String>,
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    pub idempotency_key: Option<String>,
}

impl From<Activity> for ActivityDto {
    fn from(a: Activity) -> Self {
        Self {
            seq: a.seq,
            id: a.id,
            kind: a.kind,
            occurred_at: leadline_core::date::rfc3339(a.occurred_at),
            recorded_at: leadline_core::date::rfc3339(a.recorded_at),
            contact_id: a.contact_id,
            company_id: a.company_id,
            deal_id: a.deal_id,
            channel: a.channel,
            campaign: a.campaign,
            source: a.source,
            actor_id: a.actor_id,
            properties: a.properties,
            idempotency_key: a.idempotency_key,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// page_view, form_submission, email_sent, email_opened, email_clicked, email_bounced,
    /// unsubscribed, chat_message, call, meeting, note, task, product_event, purchase, or x_...
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    pub source: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub properties: Option<Map<String, Value>>,
    /// The same key twice stores one activity.
    pub idempotency_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityResult {
    pub index: usize,
    /// created, duplicate (the idempotency key was seen before) or error.
    pub status: String,
    pub activity: Option<ActivityDto>,
    pub error: Option<crate::error::ErrorBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub body: String,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    /// connected, left_voicemail, no_answer, busy or wrong_number.
    pub outcome: String,
    pub duration_seconds: Option<u32>,
    pub body: Option<String>,
    pub occurred_at: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TaskDto {
    pub id: String,
    pub title: String,
    pub body: Option<String>,
    pub due_at: Option<String>,
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub done: bool,
    pub done_at: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
}

impl From<Task> for TaskDto {
    fn from(t: Task) -> Self {
        Self {
            id: t.id,
            title: t.title,
            body: t.body,
            due_at: t.due_at.map(leadline_core::date::rfc3339),
            assignee_id: t.assignee_id,
            contact_id: t.contact_id,
            company_id: t.company_id,
            deal_id: t.deal_id,
            done: t.done_at.is_some(),
            done_at: t.done_at.map(leadline_core::date::rfc3339),
            created_by: t.created_by,
            created_at: leadline_core::date::rfc3339(t.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    pub body: Option<String>,
    pub due_at: Option<String>,
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    pub body: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "super::present")]
    pub due_at: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "super::present")]
    pub assignee_id: Option<Option<String>>,
    pub done: Option<bool>,
}

/// A page of a timeline or of the activity log.
#[derive(Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityDto>,
    /// Pass as `before` for the next page; null on the last.
    pub next_before: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskDto>,
    pub next_cursor: Option<String>,
}

fn actor(caller: &Caller) -> Actor<'_> {
    Actor::new(Some(caller.user_id()), ChangeCause::Manual, crate::now())
}

fn text(field: &str, v: &Option<String>) -> ApiResult<Option<String>> {
    match v {
        Some(s) => Ok(leadline_core::error::clean_text(field, s)?),
        None => Ok(None),
    }
}

fn time(field: &str, v: &Option<String>, default: i64) -> ApiResult<i64> {
    match v {
        Some(t) => Ok(leadline_core::date::parse_time(field, t)?),
        None => Ok(default),
    }
}

fn new_activity(input: ActivityInput, now: i64) -> ApiResult<NewActivity> {
    let kind = leadline_core::activity::activity_type(&input.kind)?;
    if input.contact_id.is_none() && input.company_id.is_none() && input.deal_id.is_none() {
        return Err(ApiError::invalid("contact_id", "required", "say which contact, company or deal this is about"));
    }
    let properties = input.properties.unwrap_or_default();
    if serde_json::to_string(&properties).map_or(0, |s| s.len()) > 64 * 1024 {
        return Err(ApiError::invalid("properties", "too_long", "an activity's properties take at most 64 KiB"));
    }
    Ok(NewActivity {
        kind,
        occurred_at: time("occurred_at", &input.occurred_at, now)?,
        contact_id: input.contact_id,
        company_id: input.company_id,
        deal_id: input.deal_id,
        channel: text("channel", &input.channel)?,
        campaign: text("campaign", &input.campaign)?,
        source: text("source", &input.source)?,
        properties,
        idempotency_key: input.idempotency_key.as_deref().map(leadline_core::activity::idempotency_key).transpose()?,
    })
}

/// `type=note,call`, `before=<cursor>` (a page's `next_before`; a bare seq is still taken),
/// `after=<seq>`, `limit`.
pub fn activity_query(pairs: &[(String, String)]) -> ApiResult<ActivityQuery> {
    let mut q = ActivityQuery { limit: 50, ..Default::default() };
    for (k, v) in pairs {
        let seq =
            || v.parse::<i64>().map_err(|_| ApiError::invalid(k, "invalid_number", format!("{k} is a seq number")));
        match k.as_str() {
            "type" => q.kinds = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            "before" => {
                q.before = Some(match TimelineCursor::decode(v) {
                    Some(c) => c,
                    // A bare seq, as earlier pages gave it: as old as anything.
                    None => TimelineCursor { occurred_at: i64::MAX, seq: seq()? },
                })
            }
            "after" => q.after_seq = Some(seq()?),
            "limit" => {
                q.limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=1000).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 1000"))?
            }
            "contact_id" => q.contact_id = Some(v.clone()),
            "company_id" => q.company_id = Some(v.clone()),
            "deal_id" => q.deal_id = Some(v.clone()),
            _ => return Err(ApiError::invalid(k, "unknown_parameter", format!("{k} is not a parameter of this list"))),
        }
    }
    Ok(q)
}

pub async fn activity_page(state: &AppState, q: ActivityQuery) -> ApiResult<Json<ActivityPage>> {
    let items = state.store.activities(&q).await?;
    let next_before = (items.len() == q.limit as usize && q.after_seq.is_none())
        .then(|| items.last().map(|a| TimelineCursor::of(a).encode()))
        .flatten();
    Ok(Json(ActivityPage { items: items.into_iter().map(Into::into).collect(), next_before }))
}

#[utoipa::path(get, path = "/api/v1/activities", tag = "activities",
    params(("type" = Option<String>, Query), ("contact_id" = Option<String>, Query), ("company_id" = Option<String>, Query), ("deal_id" = Option<String>, Query),
        ("before" = Option<String>, Query, description = "newest first, after this point: the previous page's next_before. A record's timeline is ordered by when each touch happened, the whole log by seq"), ("after" = Option<i64>, Query, description = "in log order, newer than this seq: resume a consumer"), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = ActivityPage)))]
pub async fn list_activities(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<ActivityPage>> {
    caller.require(Action::Read)?;
    activity_page(&s, activity_query(&query_pairs(&uri)?)?).await
}

#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = Vec<ActivityInput>,
    description = "Append one activity (an object) or up to 1000 (an array). Each result says created, duplicate or error.",
    responses((status = 200, body = Vec<ActivityResult>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_activities(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Vec<ActivityResult>>> {
    caller.require(Action::Write)?;
    let items: Vec<Value> = match body {
        Value::Array(a) => a,
        other => vec![other],
    };
    if items.len() > super::records::MAX_BATCH {
        return Err(ApiError::new(
            crate::error::Kind::PayloadTooLarge,
            "batch_too_large",
            "at most 1000 activities per call",
        ));
    }
    let now = crate::now();
    let mut results: Vec<Option<ActivityResult>> = (0..items.len()).map(|_| None).collect();
    let mut valid = Vec::new();
    let mut index = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match parse::<ActivityInput>(item).and_then(|a| new_activity(a, now)) {
            Ok(a) => {
                valid.push(a);
                index.push(i);
            }
            Err(e) => {
                results[i] =
                    Some(ActivityResult { index: i, status: "error".into(), activity: None, error: Some(e.into()) })
            }
        }
    }
    let stored = s.store.append_activities(valid, actor(&caller)).await?;
    s.engine_wake.notify_one();
    for (i, r) in index.into_iter().zip(stored) {
        results[i] = Some(match r {
            Ok((a, created)) => ActivityResult {
                index: i,
                status: if created { "created" } else { "duplicate" }.into(),
                activity: Some(a.into()),
                error: None,
            },
            Err(e) => ActivityResult {
                index: i,
                status: "error".into(),
                activity: None,
                error: Some(ApiError::from(e).into()),
            },
        });
    }
    Ok(Json(results.into_iter().flatten().collect()))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", responses((status = 200, body = ActivityDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_activity(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ActivityDto>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.activity(&id).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_activity(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_activity(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn append_one(s: &AppState, caller: &Caller, a: NewActivity) -> ApiResult<(StatusCode, Json<ActivityDto>)> {
    if a.contact_id.is_none() && a.company_id.is_none() && a.deal_id.is_none() {
        return Err(ApiError::invalid("contact_id", "required", "say which contact, company or deal this is about"));
    }
    let mut out = s.store.append_activities(vec![a], actor(caller)).await?;
    s.engine_wake.notify_one();
    let (a, _) = out.pop().expect("one result per item")?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(post, path = "/api/v1/notes", tag = "activities", request_body = NoteInput, responses((status = 201, body = ActivityDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_note(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<ActivityDto>)> {
    caller.require(Action::Write)?;
    let n: NoteInput = parse(body)?;
    let text = leadline_core::error::clean_text("body", &n.body)?
        .ok_or_else(|| ApiError::invalid("body", "required", "a note needs text"))?;
    let mut properties = Map::new();
    properties.insert("body".into(), text.into());
    let a = NewActivity {
        kind: "note".into(),
        occurred_at: crate::now(),
        contact_id: n.contact_id,
        company_id: n.company_id,
        deal_id: n.deal_id,
        properties,
        ..Default::default()
    };
    append_one(&s, &caller, a).await
}

#[utoipa::path(post, path = "/api/v1/calls", tag = "activities", request_body = CallInput, responses((status = 201, body = ActivityDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_call(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<ActivityDto>)> {
    caller.require(Action::Write)?;
    let c: CallInput = parse(body)?;
    let mut properties = Map::new();
    properties.insert("outcome".into(), leadline_core::activity::call_outcome(&c.outcome)?.into());
    if let Some(d) = c.duration_seconds {
        properties.insert("duration_seconds".into(), d.into());
    }
    if let Some(b) = text("body", &c.body)? {
        properties.insert("body".into(), b.into());
    }
    let occurred_at = time("occurred_at", &c.occurred_at, crate::now())?;
    let a = NewActivity {
        kind: "call".into(),
        occurred_at,
        contact_id: c.contact_id,
        company_id: c.company_id,
        deal_id: c.deal_id,
        channel: Some("phone".into()),
        properties,
        ..Default::default()
    };
    append_one(&s, &caller, a).await
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    params(("assignee_id" = Option<String>, Query, description = "`me` for your own"), ("contact_id" = Option<String>, Query), ("open" = Option<bool>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TaskPage)))]
pub async fn list_tasks(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<TaskPage>> {
    caller.require(Action::Read)?;
    let mut q = TaskQuery { limit: 50, ..Default::default() };
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "assignee_id" => q.assignee_id = Some(if v == "me" { caller.user_id().to_owned() } else { v }),
            "contact_id" => q.contact_id = Some(v),
            "open" => q.open_only = v == "true",
            "cursor" => q.after = Some(v),
            "limit" => {
                q.limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=500).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 500"))?
            }
            _ => {
                return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter of this list")))
            }
        }
    }
    let page = s.store.tasks(&q).await?;
    Ok(Json(TaskPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next }))
}

#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput, responses((status = 201, body = TaskDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_task(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<TaskDto>)> {
    caller.require(Action::Write)?;
    let t: TaskInput = parse(body)?;
    let title = leadline_core::error::clean_text("title", &t.title)?
        .ok_or_else(|| ApiError::invalid("title", "required", "a task needs a title"))?;
    let task = NewTask {
        title,
        body: text("body", &t.body)?,
        due_at: t.due_at.as_ref().map(|d| leadline_core::date::parse_time("due_at", d)).transpose()?,
        assignee_id: t.assignee_id.or_else(|| Some(caller.user_id().to_owned())),
        contact_id: t.contact_id,
        company_id: t.company_id,
        deal_id: t.deal_id,
    };
    let created = s.store.create_task(&task, actor(&caller)).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", responses((status = 200, body = TaskDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_task(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<TaskDto>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.task(&id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", request_body = TaskPatch, responses((status = 200, body = TaskDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_task(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<TaskDto>> {
    caller.require(Action::Write)?;
    let p: TaskPatch = parse(body)?;
    let title = match &p.title {
        Some(t) => Some(
            leadline_core::error::clean_text("title", t)?
                .ok_or_else(|| ApiError::invalid("title", "required", "a task needs a title"))?,
        ),
        None => None,
    };
    let changes = TaskChanges {
        title,
        body: p.body.as_ref().map(|b| text("body", b)).transpose()?,
        due_at: p
            .due_at
            .as_ref()
            .map(|d| d.as_ref().map(|d| leadline_core::date::parse_time("due_at", d)).transpose())
            .transpose()?,
        assignee_id: p.assignee_id.clone(),
        done: p.done,
    };
    Ok(Json(s.store.update_task(&id, &changes, actor(&caller)).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_task(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_task(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list_activities).post(create_activities))
        .route("/activities/{id}", get(get_activity).delete(delete_activity))
        .route("/notes", post(create_note))
        .route("/calls", post(create_call))
        .route("/tasks", get(list_tasks).post(create_task))
        .route("/tasks/{id}", get(get_task).patch(update_task).delete(delete_task))
}
