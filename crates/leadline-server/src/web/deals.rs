//! Deal screens: the list and a deal page (the pipeline board comes with the pipeline issue).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::ActivityQuery;

use super::auth::FormErrors;
use super::records::{self, FormField, TimelineView};
use super::view::{Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deals", get(list))
        .route("/deals/new", get(new_form).post(create))
        .route("/deals/{id}", get(page).post(update))
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, headers: HeaderMap) -> PageResult {
    super::companies::list_page(&s, &v, ObjectKind::Deal, &uri, &headers).await
}

#[derive(serde::Deserialize)]
struct NewDeal {
    company_id: Option<String>,
    contact_id: Option<String>,
}

/// A new deal, optionally for a company or a contact (its page links here with their ids).
async fn new_form(State(s): State<AppState>, v: Viewer, Query(q): Query<NewDeal>) -> PageResult {
    v.require(Action::Write)?;
    let hidden = [("company_id", q.company_id), ("contact_id", q.contact_id)]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_owned(), v)))
        .collect();
    Ok(render(&records::new_page(&s, &v, ObjectKind::Deal, None, &FormErrors::default(), hidden).await?))
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    records::create_from_form(&s, form, ObjectKind::Deal).await
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    p: Shell,
    name: String,
    summary: String,
    company: Option<(String, String)>,
    contacts: Vec<(String, String)>,
    fields: Vec<FormField>,
    profile: records::Profile,
    timeline: TimelineView,
}

async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let (pairs, saved) = records::page_query(&uri)?;
    render_page(&s, &v, &id, &pairs, None, FormErrors::default(), saved).await
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    pairs: &[(String, String)],
    typed: Option<&Fields>,
    errors: FormErrors,
    saved: bool,
) -> PageResult {
    let tr = Tr { locale: v.locale };
    let r = s.store.get(ObjectKind::Deal, id).await?;
    let users = s.store.users().await?;
    let props = s.store.properties(Some(ObjectKind::Deal)).await?;
    let fields = records::record_form(&tr, ObjectKind::Deal, Some(&r), &props, &users, typed, &errors);
    let company = match r.text("company_id") {
        Some(cid) => s
            .store
            .get(ObjectKind::Company, cid)
            .await
            .ok()
            .map(|c| (format!("/companies/{}", c.id), records::title(&c))),
        None => None,
    };
    let mut contacts = Vec::new();
    for cid in &r.contact_ids {
        if let Ok(c) = s.store.get(ObjectKind::Contact, cid).await {
            contacts.push((format!("/contacts/{}", c.id), records::title(&c)));
        }
    }
    let q = ActivityQuery { deal_id: Some(id.to_owned()), ..Default::default() };
    let timeline = records::timeline(s, &tr, q, pairs, &v.here, &users).await?;
    let spec = |n| leadline_core::record::field(ObjectKind::Deal, n).expect("a deal field");
    let summary = ["amount", "stage", "status", "close_date"]
        .iter()
        .map(|n| records::show(&tr, &r, spec(n), &users))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let page = DealPage {
        p: v.shell("/deals", records::title(&r)),
        name: records::title(&r),
        summary,
        company,
        contacts,
        profile: records::Profile::new(ObjectKind::Deal, id, &fields, &errors, saved),
        fields,
        timeline,
    };
    Ok(records::page_response(&page, &errors))
}

async fn update(State(s): State<AppState>, Path(id): Path<String>, headers: HeaderMap, form: Posted) -> PageResult {
    let outcome = records::update_from_form(&s, &form, ObjectKind::Deal, &id).await?;
    if let Some(reply) = records::inline_reply(&headers, outcome.as_ref()) {
        return Ok(reply);
    }
    match outcome {
        None => Ok(Redirect::to(&format!("/deals/{id}?saved=1")).into_response()),
        Some(errors) => render_page(&s, &form.viewer, &id, &[], Some(&form.fields), errors, false).await,
    }
}
