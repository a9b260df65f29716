//! Company screens: the list, and a company page with its people and their roles, its deals and
//! the timeline of everyone in it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use leadline_core::record::{ObjectKind, Scalar};
use leadline_core::role::Action;
use leadline_store::{ActivityQuery, Filter, FilterOp, FilterTarget, ListQuery};

use super::auth::FormErrors;
use super::records::{self, FormField, ListView, TimelineView};
use super::view::{Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/companies", get(list))
        .route("/companies/new", get(new_form).post(create))
        .route("/companies/{id}", get(page).post(update))
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub p: Shell,
    pub list: ListView,
    pub new_label: String,
    pub empty: String,
}

/// The list page of companies or deals (contacts have their own, with bulk actions).
pub async fn list_page(s: &AppState, v: &Viewer, object: ObjectKind, uri: &Uri, headers: &HeaderMap) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let users = s.store.users().await?;
    let (list, cookie) = records::list_view(s, v, object, uri, headers, &users).await?;
    let page = ListPage {
        p: v.shell(records::base(object), tr.t(&format!("nav-{}", object.plural()))),
        list,
        new_label: tr.t(&format!("new-{}", object.as_str())),
        empty: tr.t(&format!("empty-{}", object.plural())),
    };
    let mut resp = render(&page);
    if let Some(c) = cookie.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(resp)
}

async fn list(State(s): State<AppState>, v: Viewer, uri: Uri, headers: HeaderMap) -> PageResult {
    list_page(&s, &v, ObjectKind::Company, &uri, &headers).await
}

async fn new_form(State(s): State<AppState>, v: Viewer) -> PageResult {
    v.require(Action::Write)?;
    Ok(render(&records::new_page(&s, &v, ObjectKind::Company, None, &FormErrors::default(), Vec::new()).await?))
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    records::create_from_form(&s, form, ObjectKind::Company).await
}

pub struct Person {
    pub href: String,
    pub name: String,
    pub role: String,
    pub stage: String,
}

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyPage {
    p: Shell,
    id: String,
    name: String,
    domain: Option<String>,
    fields: Vec<FormField>,
    profile: records::Profile,
    people: Vec<Person>,
    deals: Vec<(String, String, String)>,
    timeline: TimelineView,
    account: AccountPanel,
}

/// The account's scores: its own fit with each rule's part, and its people's engagement.
struct AccountPanel {
    fit: super::contacts::ScorePanel,
    engagement: String,
    engagement_category: Option<String>,
    engaged: String,
    priority: Option<String>,
}

async fn account_panel(
    s: &AppState,
    tr: &Tr,
    company: &leadline_store::Record,
) -> Result<AccountPanel, crate::error::ApiError> {
    let current = s.rules.get(s.store.as_ref()).await?;
    let a = crate::scores::account_scores(s.store.as_ref(), company, &current, crate::now()).await?;
    Ok(AccountPanel {
        fit: super::contacts::ScorePanel::new(tr, &a.fit_model, a.fit),
        engagement: tr.num(a.engagement.round() as i64),
        engagement_category: a.engagement_category,
        engaged: tr.tn("account-engaged", a.engaged as i64),
        priority: a.priority,
    })
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
    let r = s.store.get(ObjectKind::Company, id).await?;
    if r.id != id {
        return Ok(Redirect::to(&format!("/companies/{}", r.id)).into_response());
    }
    let users = s.store.users().await?;
    let props = s.store.properties(Some(ObjectKind::Company)).await?;
    let fields = records::record_form(&tr, ObjectKind::Company, Some(&r), &props, &users, typed, &errors);
    let people = s
        .store
        .company_contacts(id, 200)
        .await?
        .into_iter()
        .map(|(c, role)| Person {
            href: format!("/contacts/{}", c.id),
            name: records::title(&c),
            role: tr.t(&format!("link-role-{role}")),
            stage: c.text("lifecycle_stage").map(|st| tr.t(&format!("stage-{st}"))).unwrap_or_default(),
        })
        .collect();
    let deals = linked_deals(s, &tr, "company_id", id, &users).await?;
    let q = ActivityQuery { company_id: Some(id.to_owned()), ..Default::default() };
    let timeline = records::timeline(s, &tr, q, pairs, &v.here, &users).await?;
    let account = account_panel(s, &tr, &r).await?;
    let page = CompanyPage {
        p: v.shell("/companies", records::title(&r)),
        id: r.id.clone(),
        name: records::title(&r),
        domain: r.text("domain").map(str::to_owned),
        profile: records::Profile::new(ObjectKind::Company, id, &fields, &errors, saved),
        fields,
        people,
        deals,
        timeline,
        account,
    };
    Ok(records::page_response(&page, &errors))
}

/// Deals whose `field` is `id`: (link, name, amount and status).
pub async fn linked_deals(
    s: &AppState,
    tr: &Tr,
    field: &str,
    id: &str,
    users: &[leadline_store::User],
) -> Result<Vec<(String, String, String)>, crate::error::ApiError> {
    let spec = leadline_core::record::field(ObjectKind::Deal, field).expect("a deal field");
    let f = Filter { target: FilterTarget::Field(spec), op: FilterOp::Eq, value: vec![Scalar::Text(id.to_owned())] };
    let amount = leadline_core::record::field(ObjectKind::Deal, "amount").expect("amount");
    Ok(s.store
        .list(ObjectKind::Deal, &ListQuery { filters: vec![f], ..ListQuery::newest(ObjectKind::Deal, 50) })
        .await?
        .items
        .iter()
        .map(|d| {
            let status = d.text("status").map(|st| tr.t(&format!("deal-status-{st}"))).unwrap_or_default();
            (
                format!("/deals/{}", d.id),
                records::title(d),
                format!("{} · {status}", records::show(tr, d, amount, users)),
            )
        })
        .collect())
}

async fn update(State(s): State<AppState>, Path(id): Path<String>, headers: HeaderMap, form: Posted) -> PageResult {
    let outcome = records::update_from_form(&s, &form, ObjectKind::Company, &id).await?;
    if let Some(reply) = records::inline_reply(&headers, outcome.as_ref()) {
        return Ok(reply);
    }
    match outcome {
        None => Ok(Redirect::to(&format!("/companies/{id}?saved=1")).into_response()),
        Some(errors) => render_page(&s, &form.viewer, &id, &[], Some(&form.fields), errors, false).await,
    }
}
