//! `/api/v1/routing` and `/api/v1/queue`: who gets a lead when the engine makes it an MQL (the
//! rules, tried in order, and the members who take leads), the time a rep has for the first
//! touch, and each rep's and team's work queue in priority order.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, put};
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_core::routing::{Member, Routing};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::routing::RuleDto;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/routing", get(get_routing).put(set_routing))
        .route("/routing/members", get(list_members))
        .route("/routing/members/{user_id}", put(set_member).delete(remove_member))
        .route("/routing/sla", get(sla_report))
        .route("/queue", get(work_queue))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingDto {
    /// Tried in order; the first that finds someone available assigns the lead.
    pub rules: Vec<RuleDto>,
    /// Minutes a rep has for the first touch (a call, an e-mail sent, a meeting).
    pub sla_minutes: u32,
}

#[utoipa::path(get, path = "/api/v1/routing", tag = "routing", responses((status = 200, body = RoutingDto)))]
pub async fn get_routing(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<RoutingDto>> {
    caller.require(Action::Read)?;
    let r = crate::routing::settings(s.store.as_ref()).await?;
    Ok(Json(RoutingDto { rules: r.rules.iter().map(RuleDto::from).collect(), sla_minutes: r.sla_minutes }))
}

#[utoipa::path(put, path = "/api/v1/routing", tag = "routing", request_body = RoutingDto,
    responses((status = 200, body = RoutingDto), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_routing(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<RoutingDto>> {
    caller.require(Action::Administer)?;
    let input: RoutingDto = parse(body)?;
    let routing = Routing { rules: input.rules.into_iter().map(Into::into).collect(), sla_minutes: input.sla_minutes };
    crate::routing::set_settings(s.store.as_ref(), &routing, crate::now()).await?;
    get_routing(State(s), caller).await
}

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: String,
    pub team: String,
    pub weight: u32,
    pub max_open: Option<u32>,
    /// RFC 3339; while in the future the member takes no leads.
    pub away_until: Option<String>,
    /// Open leads they hold now.
    pub open: u32,
    /// Leads routing has given them.
    pub assigned: u64,
}

fn member_dto(m: Member) -> MemberDto {
    MemberDto {
        user_id: m.user_id,
        team: m.team,
        weight: m.weight,
        max_open: m.max_open,
        away_until: m.away_until.map(leadline_core::date::rfc3339),
        open: m.open,
        assigned: m.assigned,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub team: String,
    /// Their share of the team's leads (1-100); default 1.
    pub weight: Option<u32>,
    /// The most open leads they take; none: no limit.
    pub max_open: Option<u32>,
    /// RFC 3339: out of office until then.
    pub away_until: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/routing/members", tag = "routing", responses((status = 200, body = Vec<MemberDto>)))]
pub async fn list_members(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MemberDto>>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.routing_members().await?.into_iter().map(member_dto).collect()))
}

#[utoipa::path(put, path = "/api/v1/routing/members/{user_id}", tag = "routing", request_body = MemberInput,
    responses((status = 200, body = MemberDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_member(
    State(s): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<MemberDto>> {
    caller.require(Action::Administer)?;
    let input: MemberInput = parse(body)?;
    let member = member_of(&user_id, input)?;
    s.store.set_routing_member(&member).await?;
    let found = s.store.routing_members().await?.into_iter().find(|m| m.user_id == user_id);
    found.map(|m| Json(member_dto(m))).ok_or_else(|| ApiError::not_found("routing member", &user_id))
}

/// A member as sent, checked.
pub(crate) fn member_of(user_id: &str, input: MemberInput) -> ApiResult<Member> {
    let team = input.team.trim().to_owned();
    if !leadline_core::routing::is_team(&team) {
        return Err(ApiError::invalid("team", "invalid_team", "a team is 1 to 64 letters, digits, - or _"));
    }
    let weight = input.weight.unwrap_or(1);
    if !(1..=100).contains(&weight) {
        return Err(ApiError::invalid("weight", "invalid_weight", "weight is 1 to 100"));
    }
    let away_until = match input.away_until.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(leadline_core::date::parse_time("away_until", t)?),
        None => None,
    };
    Ok(Member { user_id: user_id.to_owned(), team, weight, max_open: input.max_open, away_until, open: 0, assigned: 0 })
}

#[utoipa::path(delete, path = "/api/v1/routing/members/{user_id}", tag = "routing",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove_member(
    State(s): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Administer)?;
    s.store.remove_routing_member(&user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct QueueItemDto {
    #[schema(value_type = Object)]
    pub contact: Value,
    /// Fit category and engagement category (`A1` first), when both are known.
    pub priority: Option<String>,
    /// Why the lead is in this queue: `owner` (given by a person), or the routing rule's reason
    /// (`account_owner`, `territory:PL:cee`, `round_robin:sales`), or `unassigned`.
    pub reason: String,
    pub assigned_at: Option<String>,
    pub sla_due_at: Option<String>,
    pub sla_breached: bool,
    pub first_touch_at: Option<String>,
    pub last_intent_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueDto {
    pub items: Vec<QueueItemDto>,
    /// Leads in the queue, and of them those past their SLA.
    pub total: usize,
    pub breached: usize,
}

/// Whose queue a request asks for: `owner=me` (the default), `owner=<user id>`, or `team=<team>`
/// (its members' leads and the unowned ones), with `sla=breached` for the late ones only.
pub(crate) struct QueueQuery {
    pub owners: Vec<String>,
    pub unowned: bool,
    pub breached_only: bool,
    pub limit: usize,
}

pub(crate) async fn queue_query(s: &AppState, caller: &Caller, pairs: &[(String, String)]) -> ApiResult<QueueQuery> {
    let mut q = QueueQuery { owners: vec![caller.user.id.clone()], unowned: false, breached_only: false, limit: 50 };
    for (k, v) in pairs {
        match k.as_str() {
            "owner" if v == "me" => q.owners = vec![caller.user.id.clone()],
            "owner" => q.owners = vec![s.store.user(v).await?.id],
            "team" => {
                let members: Vec<String> =
                    s.store.routing_members().await?.into_iter().filter(|m| &m.team == v).map(|m| m.user_id).collect();
                if members.is_empty() {
                    return Err(ApiError::invalid("team", "unknown_team", format!("no member is in team {v:?}")));
                }
                q.owners = members;
                q.unowned = true;
            }
            "sla" if v == "breached" => q.breached_only = true,
            "sla" => return Err(ApiError::invalid("sla", "invalid_filter", "sla=breached is the one SLA filter")),
            "limit" => {
                q.limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=crate::wire::MAX_LIMIT as usize).contains(l))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 500"))?;
            }
            other => {
                return Err(ApiError::invalid(other, "unknown_parameter", "the queue takes owner, team, sla and limit"))
            }
        }
    }
    Ok(q)
}

#[utoipa::path(get, path = "/api/v1/queue", tag = "routing",
    params(
        ("owner" = Option<String>, Query, description = "`me` (default) or a user id"),
        ("team" = Option<String>, Query, description = "a team: its members' leads and the unowned ones"),
        ("sla" = Option<String>, Query, description = "`breached`: only leads past their SLA"),
        ("limit" = Option<u32>, Query, description = "1-500, default 50"),
    ),
    description = "Open leads (MQL and SQL, not disqualified or recycled) in priority order: fit x engagement (A1 first), engagement, latest intent, SLA due.",
    responses((status = 200, body = QueueDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn work_queue(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<QueueDto>> {
    caller.require(Action::Read)?;
    let q = queue_query(&s, &caller, &query_pairs(&uri)?).await?;
    let now = crate::now();
    let current = s.rules.get(s.store.as_ref()).await?;
    let queued = crate::routing::queue(s.store.as_ref(), &current.rules.models, &q.owners, q.unowned, now).await?;
    let total = queued.len();
    let breached = queued.iter().filter(|i| i.sla_breached).count();
    let time = |t: Option<i64>| t.map(leadline_core::date::rfc3339);
    let items = queued
        .into_iter()
        .filter(|i| !q.breached_only || i.sla_breached)
        .take(q.limit)
        .map(|i| {
            let a = i.entry.assignment.as_ref();
            QueueItemDto {
                reason: reason(&i),
                priority: i.priority.clone(),
                assigned_at: time(a.map(|a| a.assigned_at)),
                sla_due_at: time(i.sla_due),
                sla_breached: i.sla_breached,
                first_touch_at: time(a.and_then(|a| a.first_touch)),
                last_intent_at: time(i.entry.last_intent),
                contact: crate::wire::to_json(&i.entry.contact),
            }
        })
        .collect();
    Ok(Json(QueueDto { items, total, breached }))
}

/// Why a lead is in the queue it is in (see [`QueueItemDto::reason`]).
pub(crate) fn reason(i: &crate::routing::Queued) -> String {
    match (&i.entry.assignment, i.entry.contact.text("owner_id")) {
        (Some(a), _) => a.reason.clone(),
        (None, Some(_)) => "owner".into(),
        (None, None) => "unassigned".into(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct SlaRow {
    pub owner_id: String,
    pub assigned: usize,
    pub touched_in_time: usize,
    /// Touched late, or not touched and past due.
    pub breached: usize,
    /// Median minutes from assignment to first touch, of those touched.
    pub median_minutes_to_first_touch: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/routing/sla", tag = "routing",
    params(("days" = Option<u32>, Query, description = "assignments of the last 1-365 days; default 30")),
    responses((status = 200, body = Vec<SlaRow>)))]
pub async fn sla_report(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Vec<SlaRow>>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&query_pairs(&uri)?)?;
    let now = crate::now();
    let routing = crate::routing::settings(s.store.as_ref()).await?;
    let assignments = s.store.assignments(now - days * 86_400_000, 100_000).await?;
    let mut by_owner: std::collections::BTreeMap<String, Vec<&leadline_store::Assigned>> = Default::default();
    for a in &assignments {
        by_owner.entry(a.owner_id.clone()).or_default().push(a);
    }
    let rows = by_owner
        .into_iter()
        .map(|(owner_id, list)| {
            let late = |a: &leadline_store::Assigned| {
                leadline_core::routing::sla_breached(a.assigned_at, a.first_touch, routing.sla_minutes, now)
            };
            let breached = list.iter().filter(|a| late(a)).count();
            let mut minutes: Vec<f64> =
                list.iter().filter_map(|a| a.first_touch.map(|t| (t - a.assigned_at) as f64 / 60_000.0)).collect();
            minutes.sort_by(f64::total_cmp);
            let median = match minutes.len() {
                0 => None,
                n if n % 2 == 1 => Some(minutes[n / 2]),
                n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2.0),
            };
            SlaRow {
                owner_id,
                assigned: list.len(),
                touched_in_time: list.iter().filter(|a| a.first_touch.is_some() && !late(a)).count(),
                breached,
                median_minutes_to_first_touch: median,
            }
        })
        .collect();
    Ok(Json(rows))
}
