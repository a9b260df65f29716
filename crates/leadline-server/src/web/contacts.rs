//! The contact screens: the list with bulk actions, the contact page, and what is logged from
//! it (notes, calls, tasks).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::{ActivityQuery, Actor, FilterOp, FilterTarget, ListQuery, TaskQuery, User};
use serde_json::json;

use super::auth::FormErrors;
use super::records::{self, Choice, FormField, HistoryItem, ListView, TaskItem, TimelineView};
use super::view::{Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::api::JsonBody;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list))
        .route("/contacts/new", get(new_form).post(create))
        .route("/contacts/{id}", get(page).post(update))
        .route("/contacts/{id}/notes", post(add_note))
        .route("/contacts/{id}/calls", post(log_call))
        .route("/contacts/{id}/tasks", post(add_task))
        .route("/contacts/{id}/delete", post(delete))
        .route("/contacts/{id}/companies", post(link_company))
        .route("/contacts/{id}/companies/{company_id}/unlink", post(unlink_company))
        .route("/contacts/{id}/visitors/{visitor_id}/unlink", post(unlink_visitor))
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactList {
    p: Shell,
    list: ListView,
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, headers: HeaderMap) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let users = s.store.users().await?;
    let (list, cookie) = records::list_view(&s, &v, ObjectKind::Contact, &uri, &headers, &users).await?;
    let page = ContactList { p: v.shell("/contacts", tr.t("nav-contacts")), list };
    let mut resp = render(&page);
    if let Some(c) = cookie.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(resp)
}

async fn new_form(State(s): State<AppState>, v: Viewer) -> PageResult {
    v.require(Action::Write)?;
    Ok(render(&records::new_page(&s, &v, ObjectKind::Contact, None, &FormErrors::default(), Vec::new()).await?))
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    records::create_from_form(&s, form, ObjectKind::Contact).await
}

pub struct LinkedCompany {
    id: String,
    href: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    p: Shell,
    id: String,
    name: String,
    subtitle: String,
    stage: Option<String>,
    owner: Option<String>,
    company: Option<(String, String)>,
    fields: Vec<FormField>,
    profile: records::Profile,
    history: Vec<HistoryItem>,
    timeline: TimelineView,
    tasks: Vec<TaskItem>,
    deals: Vec<(String, String, String)>,
    companies: Vec<LinkedCompany>,
    link_roles: Vec<Choice>,
    link_error: Option<String>,
    owners: Vec<Choice>,
    outcomes: Vec<Choice>,
    /// A refused note, call or task.
    log_error: Option<String>,
    /// Each score model's score now, its category, and what made it.
    scores: Vec<ScorePanel>,
    /// Fit and engagement categories together (`A1` first).
    priority: Option<String>,
    /// Where they came from: (label, value) rows.
    source: Vec<(String, String)>,
    /// Their browsers: (visitor id, site and when seen).
    visitors: Vec<(String, String)>,
}

/// A contact's original source and first and latest touch, in the viewer's words, and the
/// browsers tracking tied to it.
async fn source_panel(
    s: &AppState,
    tr: &Tr,
    r: &leadline_store::Record,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), crate::error::ApiError> {
    let mut rows = Vec::new();
    if let Some(o) = r.text("original_source") {
        rows.push((tr.t("source-original"), tr.code("channel", o)));
    }
    for (side, label) in [("first", "source-first"), ("latest", "source-latest")] {
        let Some(at) = r.int(&format!("{side}_touch_at")) else { continue };
        let part = |k: &str| r.text(&format!("{side}_touch_{k}")).map(str::to_owned);
        let said: Vec<String> = [part("source"), part("medium"), part("campaign")].into_iter().flatten().collect();
        let mut value = format!("{} · {}", said.join(" / "), tr.datetime(at));
        if let Some(referrer) = part("referrer") {
            value.push_str(&format!(" · {referrer}"));
        }
        rows.push((tr.t(label), value));
    }
    let sites: std::collections::HashMap<String, String> =
        s.store.sites().await?.into_iter().map(|site| (site.id, site.settings.name)).collect();
    let visitors = s
        .store
        .visitors_of(&r.id)
        .await?
        .into_iter()
        .map(|v| {
            let site = sites.get(&v.site_id).cloned().unwrap_or_else(|| v.site_id.clone());
            let said = tr.ta(
                "source-visitor",
                &[("site", &site), ("first", &tr.datetime(v.first_seen)), ("last", &tr.datetime(v.last_seen))],
            );
            (v.id, said)
        })
        .collect();
    Ok((rows, visitors))
}

/// One score model on a contact's or a company's page.
pub struct ScorePanel {
    pub label: String,
    pub score: String,
    pub category: Option<String>,
    /// (rule, points, how often and whether capped).
    pub rules: Vec<(String, String, String)>,
}

impl ScorePanel {
    /// `model`'s score `sc` in the viewer's words, with each rule's part.
    pub fn new(tr: &Tr, m: &leadline_core::score::Model, sc: leadline_core::score::Scored) -> Self {
        ScorePanel {
            label: tr.code("score", &m.key),
            score: tr.num(sc.score.round() as i64),
            category: sc.category,
            rules: sc
                .contributions
                .iter()
                .map(|c| {
                    let mut how = tr.tn("score-times", c.occurrences as i64);
                    if c.capped {
                        how = format!("{how} · {}", tr.t("score-capped"));
                    }
                    let points = if c.points >= 0.0 {
                        format!("+{}", tr.num(c.points.round() as i64))
                    } else {
                        tr.num(c.points.round() as i64)
                    };
                    (m.rules[c.rule].name.clone(), points, how)
                })
                .collect(),
        }
    }
}

/// The contact's scores now, as its page shows them.
async fn score_panels(s: &AppState, tr: &Tr, id: &str) -> Result<(Vec<ScorePanel>, Option<String>), ApiError> {
    let now = crate::now();
    let facts = crate::scores::ContactFacts::load(s.store.as_ref(), id, now).await?;
    let current = s.rules.get(s.store.as_ref()).await?;
    let models = &current.rules.models;
    let scored = facts.score(models, now);
    let priority = leadline_core::score::priority_label(models, &scored);
    // Health is read for customers only: before they buy it says nothing.
    let customer = leadline_core::health::is_customer(facts.record().text("lifecycle_stage"));
    let panels = models
        .iter()
        .zip(scored)
        .filter(|(m, _)| customer || m.key != leadline_core::health::MODEL)
        .map(|(m, sc)| ScorePanel::new(tr, m, sc))
        .collect();
    Ok((panels, priority))
}

async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let (pairs, saved) = records::page_query(&uri)?;
    render_page(&s, &v, &id, &pairs, None, FormErrors::default(), saved).await.map(|(_, r)| r)
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    pairs: &[(String, String)],
    typed: Option<&Fields>,
    errors: FormErrors,
    saved: bool,
) -> Result<(axum::http::StatusCode, axum::response::Response), super::PageError> {
    let tr = Tr { locale: v.locale };
    let r = s.store.get(ObjectKind::Contact, id).await?;
    if r.id != id {
        // A merged contact: its survivor's page.
        return Ok((axum::http::StatusCode::SEE_OTHER, Redirect::to(&format!("/contacts/{}", r.id)).into_response()));
    }
    let users = s.store.users().await?;
    let props = s.store.properties(Some(ObjectKind::Contact)).await?;
    let fields = records::record_form(&tr, ObjectKind::Contact, Some(&r), &props, &users, typed, &errors);
    let history = records::history(s, &tr, id, &users).await?;
    let q = ActivityQuery { contact_id: Some(id.to_owned()), ..Default::default() };
    let timeline = records::timeline(s, &tr, q, pairs, &v.here, &users).await?;
    let tasks = s
        .store
        .tasks(&TaskQuery { contact_id: Some(id.to_owned()), limit: 50, ..Default::default() })
        .await?
        .items
        .iter()
        .map(|t| records::task_item(&tr, t, &users, Some(records::title(&r))))
        .collect();
    let deal_filter = leadline_store::Filter {
        target: FilterTarget::LinkedTo(ObjectKind::Contact),
        op: FilterOp::Eq,
        value: vec![leadline_core::record::Scalar::Text(id.to_owned())],
    };
    let deals = s
        .store
        .list(ObjectKind::Deal, &ListQuery { filters: vec![deal_filter], ..ListQuery::newest(ObjectKind::Deal, 20) })
        .await?
        .items
        .iter()
        .map(|d| {
            let amount = leadline_core::record::field(ObjectKind::Deal, "amount").expect("amount");
            let stage = d.text("status").map(|st| tr.t(&format!("deal-status-{st}"))).unwrap_or_default();
            (
                format!("/deals/{}", d.id),
                records::title(d),
                format!("{} · {stage}", records::show(&tr, d, amount, &users)),
            )
        })
        .collect();
    let mut companies = Vec::new();
    for (company_id, role) in s.store.contact_companies(id).await? {
        if let Ok(c) = s.store.get(ObjectKind::Company, &company_id).await {
            companies.push(LinkedCompany {
                href: format!("/companies/{}", c.id),
                name: records::title(&c),
                role: tr.t(&format!("link-role-{role}")),
                id: c.id,
            });
        }
    }
    let company = r.text("company_id").map(|cid| {
        (format!("/companies/{cid}"), r.text("company_name").filter(|n| !n.is_empty()).unwrap_or(cid).to_owned())
    });
    let subtitle = [r.text("job_title"), r.text("company_name")].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    let (scores, priority) = score_panels(s, &tr, id).await?;
    let (source, visitors) = source_panel(s, &tr, &r).await?;
    let page = ContactPage {
        source,
        visitors,
        p: v.shell("/contacts", records::title(&r)),
        id: r.id.clone(),
        name: records::title(&r),
        subtitle,
        stage: r.text("lifecycle_stage").map(|st| tr.t(&format!("stage-{st}"))),
        owner: r.text("owner_id").map(|o| records::user_name(&users, o)),
        company,
        profile: records::Profile::new(ObjectKind::Contact, id, &fields, &errors, saved),
        fields,
        history,
        timeline,
        tasks,
        deals,
        companies,
        owners: {
            let active: Vec<User> = users.iter().filter(|u| !u.disabled).cloned().collect();
            let owner_field = leadline_core::record::field(ObjectKind::Contact, "owner_id").expect("owner_id");
            records::options(&tr, owner_field, &active, &v.user().id).unwrap_or_default()
        },
        outcomes: records::choices(
            leadline_core::activity::CALL_OUTCOMES.iter().copied(),
            |o| tr.t(&format!("outcome-{o}")),
            "",
        ),
        log_error: errors.0.iter().find(|(f, _)| f.starts_with("log.")).map(|(_, m)| m.clone()),
        scores,
        priority,
        link_error: errors.of("link").map(str::to_owned),
        link_roles: records::choices(
            crate::api::records::ROLES.iter().copied(),
            |r| tr.t(&format!("link-role-{r}")),
            "",
        ),
    };
    let resp = records::page_response(&page, &errors);
    Ok((resp.status(), resp))
}

async fn update(State(s): State<AppState>, Path(id): Path<String>, headers: HeaderMap, form: Posted) -> PageResult {
    let outcome = records::update_from_form(&s, &form, ObjectKind::Contact, &id).await?;
    if let Some(reply) = records::inline_reply(&headers, outcome.as_ref()) {
        return Ok(reply);
    }
    match outcome {
        None => Ok(Redirect::to(&format!("/contacts/{id}?saved=1")).into_response()),
        Some(errors) => {
            render_page(&s, &form.viewer, &id, &[], Some(&form.fields), errors, false).await.map(|(_, r)| r)
        }
    }
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Write)?;
    let tr = Tr { locale: v.locale };
    if form.fields.get("confirm") != Some("yes") {
        let r = s.store.get(ObjectKind::Contact, &id).await?;
        let page = super::bulk::Confirm {
            p: v.shell("/contacts", tr.t("confirm-title")),
            message: tr.t1("delete-confirm", "name", &records::title(&r)),
            action: format!("/contacts/{id}/delete"),
            fields: vec![("confirm".into(), "yes".into())],
            cancel: format!("/contacts/{id}"),
        };
        return Ok(render(&page));
    }
    let actor = Actor::new(Some(v.user().id.as_str()), ChangeCause::Manual, crate::now());
    s.store.delete(ObjectKind::Contact, &id, actor).await?;
    Ok(Redirect::to("/contacts?notice=deleted&n=1").into_response())
}

/// Hand a small form to the API's own handler for it, so both check input the same way.
/// Refused input comes back as the contact page with the message at its field.
async fn via_api<F, Fut, T>(s: &AppState, form: &Posted, id: &str, body: serde_json::Value, call: F) -> PageResult
where
    F: FnOnce(AppState, crate::auth::Caller, JsonBody) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    match call(s.clone(), form.viewer.caller.clone(), JsonBody(body)).await {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}#timeline")).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: form.viewer.locale };
            let mut errors = FormErrors::default();
            errors.add(&format!("log.{}", e.field.as_deref().unwrap_or("form")), super::view::error_text(&tr, &e));
            let page = render_page(s, &form.viewer, id, &[], None, errors, false).await?;
            Ok(page.1)
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_note(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let body = json!({ "contact_id": id, "body": form.fields.get("body").unwrap_or_default() });
    via_api(&s, &form, &id, body, |s, c, b| crate::api::timeline::create_note(State(s), c, b)).await
}

async fn log_call(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let minutes = form.fields.text("minutes").and_then(|m| m.parse::<f64>().ok());
    let mut body = json!({
        "contact_id": id,
        "outcome": form.fields.get("outcome").unwrap_or_default(),
        "body": form.fields.text("body"),
    });
    if let Some(m) = minutes.filter(|m| m.is_finite() && *m >= 0.0) {
        body["duration_seconds"] = json!((m * 60.0).round() as i64);
    }
    via_api(&s, &form, &id, body, |s, c, b| crate::api::timeline::create_call(State(s), c, b)).await
}

async fn add_task(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let due =
        form.fields.text("due").map(|d| if d.len() == 10 { format!("{d}T09:00:00Z") } else { format!("{d}:00Z") });
    let body = json!({
        "contact_id": id,
        "title": form.fields.get("title").unwrap_or_default(),
        "due_at": due,
        "assignee_id": form.fields.text("assignee_id"),
    });
    via_api(&s, &form, &id, body, |s, c, b| crate::api::timeline::create_task(State(s), c, b)).await
}

/// Link the contact to a company, found by its domain, with a role.
async fn link_company(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    let tr = Tr { locale: form.viewer.locale };
    let refuse = |message: String| async {
        let mut errors = FormErrors::default();
        errors.add("link", message);
        render_page(&s, &form.viewer, &id, &[], None, errors, false).await.map(|(_, r)| r)
    };
    let domain = match leadline_core::record::normalize_domain("domain", form.fields.get("domain").unwrap_or_default())
    {
        Ok(d) => d,
        Err(e) => return refuse(super::view::error_text(&tr, &e.into())).await,
    };
    let spec = leadline_core::record::field(ObjectKind::Company, "domain").expect("companies have a domain");
    let by_domain = leadline_store::Filter {
        target: FilterTarget::Field(spec),
        op: FilterOp::Eq,
        value: vec![leadline_core::record::Scalar::Text(domain.clone())],
    };
    let q = ListQuery { filters: vec![by_domain], ..ListQuery::newest(ObjectKind::Company, 1) };
    let Some(company) = s.store.list(ObjectKind::Company, &q).await?.items.pop() else {
        return refuse(tr.t1("link-no-company", "domain", &domain)).await;
    };
    let body = json!({ "role": form.fields.get("role").unwrap_or("other") });
    let call = crate::api::records::link_contact(
        State(s.clone()),
        form.viewer.caller.clone(),
        Path((company.id, id.clone())),
        JsonBody(body),
    );
    match call.await {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}")).into_response()),
        Err(e) if super::view::refuses_input(&e) => refuse(super::view::error_text(&tr, &e)).await,
        Err(e) => Err(e.into()),
    }
}

/// A stitch taken back: the browser was someone else's.
async fn unlink_visitor(
    State(s): State<AppState>,
    Path((id, visitor_id)): Path<(String, String)>,
    form: Posted,
) -> PageResult {
    let _ = crate::api::sites::unlink(State(s), form.viewer.caller.clone(), Path(visitor_id)).await?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

async fn unlink_company(
    State(s): State<AppState>,
    Path((id, company_id)): Path<(String, String)>,
    form: Posted,
) -> PageResult {
    crate::api::records::unlink_contact(State(s), form.viewer.caller.clone(), Path((company_id, id.clone()))).await?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}
