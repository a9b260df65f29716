//! The work queue (a rep's open leads, or a team's, best first, each with why it is there and
//! when its first touch is due) and, for administrators, routing's settings: the rules written
//! one to a line, the SLA, and the members who take leads.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;
use leadline_core::routing::{parse_rules, rules_to_text, Routing};

use super::auth::FormErrors;
use super::records;
use super::view::{Shell, Tr};
use super::{render, PageResult, Posted, Viewer};
use crate::api::routing::{member_of, queue_query, reason, MemberInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/queue", get(queue))
        .route("/settings/routing", get(settings).post(save_settings))
        .route("/settings/routing/members", post(save_member))
        .route("/settings/routing/members/remove", post(remove_member))
}

/// A row of the queue as shown.
struct Row {
    href: String,
    name: String,
    priority: String,
    stage: String,
    reason: String,
    owner: String,
    sla: String,
    breached: bool,
    last_intent: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    p: Shell,
    rows: Vec<Row>,
    summary: String,
    teams: Vec<String>,
    team: String,
    breached_only: bool,
}

/// A routing reason (`territory:PL:cee`, ...) in the viewer's words.
pub(super) fn reason_text(tr: &Tr, reason: &str) -> String {
    let parts: Vec<&str> = reason.split(':').collect();
    match parts.as_slice() {
        ["territory", country, team] => tr.ta("queue-reason-territory", &[("country", country), ("team", team)]),
        ["round_robin", team] => tr.t1("queue-reason-round-robin", "team", team),
        [other] => tr.t(&format!("queue-reason-{}", other.replace('_', "-"))),
        _ => reason.to_owned(),
    }
}

async fn queue(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs: Vec<(String, String)> = crate::api::query_pairs(&uri)?
        .into_iter()
        .filter(|(k, v)| matches!(k.as_str(), "team" | "sla" | "owner") && !v.is_empty())
        .collect();
    let q = queue_query(&s, &v.caller, &pairs).await?;
    let now = crate::now();
    let current = s.rules.get(s.store.as_ref()).await?;
    let queued = crate::routing::queue(s.store.as_ref(), &current.rules.models, &q.owners, q.unowned, now).await?;
    let breached = queued.iter().filter(|i| i.sla_breached).count();
    let summary =
        format!("{} · {}", tr.tn("queue-total", queued.len() as i64), tr.tn("queue-breached", breached as i64));
    let users = s.store.users().await?;
    let rows = queued
        .iter()
        .filter(|i| !q.breached_only || i.sla_breached)
        .take(200)
        .map(|i| {
            let c = &i.entry.contact;
            let sla = match (i.entry.assignment.as_ref().and_then(|a| a.first_touch), i.sla_due) {
                (Some(t), _) => tr.t1("queue-touched", "when", &tr.datetime(t)),
                (None, Some(due)) => tr.t1("queue-due", "when", &tr.datetime(due)),
                (None, None) => String::new(),
            };
            Row {
                href: format!("/contacts/{}", c.id),
                name: records::title(c),
                priority: i.priority.clone().unwrap_or_else(|| "–".into()),
                stage: c.text("lifecycle_stage").map(|st| tr.t(&format!("stage-{st}"))).unwrap_or_default(),
                reason: reason_text(&tr, &reason(i)),
                owner: c.text("owner_id").map(|id| records::user_name(&users, id)).unwrap_or_default(),
                sla,
                breached: i.sla_breached,
                last_intent: i.entry.last_intent.map(|t| tr.datetime(t)).unwrap_or_default(),
            }
        })
        .collect();
    let mut teams: Vec<String> = s.store.routing_members().await?.into_iter().map(|m| m.team).collect();
    teams.dedup();
    let team = pairs.iter().find(|(k, _)| k == "team").map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(render(&QueuePage {
        p: v.shell("/queue", tr.t("nav-queue")),
        rows,
        summary,
        teams,
        team,
        breached_only: q.breached_only,
    }))
}

/// A member as the settings page lists them.
struct MemberRow {
    user_id: String,
    name: String,
    team: String,
    weight: u32,
    max_open: String,
    away_until: String,
    open: u32,
}

#[derive(Template)]
#[template(path = "routing.html")]
struct RoutingPage {
    p: Shell,
    rules: String,
    sla_minutes: String,
    members: Vec<MemberRow>,
    /// Users who are not members yet: (id, name).
    others: Vec<(String, String)>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn settings_page(
    s: &AppState,
    v: &Viewer,
    form: Option<(String, String)>,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    v.require(Action::Administer)?;
    let tr = Tr { locale: v.locale };
    let routing = crate::routing::settings(s.store.as_ref()).await?;
    let (rules, sla_minutes) = form.unwrap_or_else(|| (rules_to_text(&routing.rules), routing.sla_minutes.to_string()));
    let users = s.store.users().await?;
    let members = s.store.routing_members().await?;
    let others = users
        .iter()
        .filter(|u| !members.iter().any(|m| m.user_id == u.id))
        .map(|u| (u.id.clone(), records::user_label(u)))
        .collect();
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            name: records::user_name(&users, &m.user_id),
            user_id: m.user_id,
            team: m.team,
            weight: m.weight,
            max_open: m.max_open.map(|n| n.to_string()).unwrap_or_default(),
            away_until: m.away_until.map(leadline_core::date::date_of_millis).unwrap_or_default(),
            open: m.open,
        })
        .collect();
    let page = RoutingPage {
        p: v.shell("/settings", tr.t("routing-title")),
        rules,
        sla_minutes,
        members,
        others,
        errors,
        notice,
    };
    Ok(render(&page))
}

async fn settings(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    let saved = crate::api::query_pairs(&uri)?.iter().any(|(k, _)| k == "saved");
    let notice = saved.then(|| Tr { locale: v.locale }.t("routing-saved"));
    settings_page(&s, &v, None, FormErrors::default(), notice).await
}

async fn save_settings(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let tr = Tr { locale: v.locale };
    let rules_text = form.fields.get("rules").unwrap_or_default().to_owned();
    let sla_text = form.fields.get("sla_minutes").unwrap_or_default().to_owned();
    let mut errors = FormErrors::default();
    let rules = match parse_rules(&rules_text) {
        Ok(r) => r,
        Err((line, expected)) => {
            let line = line.to_string();
            errors.add("rules", tr.ta("routing-line-error", &[("line", &line), ("expected", &expected)]));
            Vec::new()
        }
    };
    let sla_minutes = sla_text.trim().parse::<u32>().unwrap_or(0);
    if errors.of("rules").is_none() {
        let routing = Routing { rules, sla_minutes };
        match crate::routing::set_settings(s.store.as_ref(), &routing, crate::now()).await {
            Ok(()) => return Ok(Redirect::to("/settings/routing?saved=1").into_response()),
            Err(e) if super::view::refuses_input(&e) => {
                // A rule's problem is shown at the rules; the SLA's at its field.
                let field =
                    if e.field.as_deref().is_some_and(|f| f.starts_with("rules")) { "rules" } else { "sla_minutes" };
                errors.add(field, super::view::error_text(&tr, &e));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut resp = settings_page(&s, v, Some((rules_text, sla_text)), errors, None).await?;
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

async fn save_member(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Administer)?;
    let field = |k: &str| form.fields.get(k).unwrap_or_default().trim().to_owned();
    // Empty is "not given"; anything else must be a whole number.
    let number = |k: &str| match field(k) {
        t if t.is_empty() => Ok(None),
        t => t
            .parse::<u32>()
            .map(Some)
            .map_err(|_| crate::error::ApiError::invalid(k, "invalid_number", format!("{t:?} is not a whole number"))),
    };
    let user_id = field("user_id");
    let saved = match (number("weight"), number("max_open")) {
        (Ok(weight), Ok(max_open)) => {
            let team = field("team");
            let away_until = Some(field("away_until")).filter(|t| !t.is_empty());
            match member_of(&user_id, MemberInput { team, weight, max_open, away_until }) {
                Ok(member) => s.store.set_routing_member(&member).await.map_err(Into::into),
                Err(e) => Err(e),
            }
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/settings/routing?saved=1").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            let errors = FormErrors::from_api(&tr, &e);
            let mut resp = settings_page(&s, v, None, errors, None).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_member(State(s): State<AppState>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    s.store.remove_routing_member(form.fields.get("user_id").unwrap_or_default()).await?;
    Ok(Redirect::to("/settings/routing").into_response())
}
