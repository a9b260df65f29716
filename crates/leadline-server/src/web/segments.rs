//! The segments screens: every segment with its count and a form to make one in the rule
//! language (refused at its field, in words, where it does not read), and a segment's page
//! with its members.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;

use super::auth::FormErrors;
use super::records;
use super::view::{Shell, Tr};
use super::{render, PageResult, Posted, Viewer};
use crate::api::segments::{create_impl, dto, SegmentDto, SegmentInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list).post(create))
        .route("/segments/{id}", get(page))
        .route("/segments/{id}/delete", post(delete))
        .route("/segments/{id}/remove", post(remove_member))
}

#[derive(Template)]
#[template(path = "segments.html")]
struct ListPage {
    p: Shell,
    segments: Vec<(SegmentDto, String)>,
    name: String,
    condition: String,
    errors: FormErrors,
    /// What a preview counted, said.
    preview: Option<String>,
    builder: Builder,
}

/// What the condition builder offers: (name as the language writes it, label) of the fields,
/// grouped, and the activity types.
pub struct Builder {
    pub fields: Vec<(String, Vec<(String, String)>)>,
    pub kinds: Vec<(String, String)>,
}

/// The fields and activity types a contact condition can read, in the viewer's words.
pub async fn builder(s: &AppState, tr: &Tr) -> Result<Builder, crate::error::ApiError> {
    use leadline_core::record::{fields, FieldKind};
    let plain = |object: ObjectKind, prefix: &str| -> Vec<(String, String)> {
        fields(object)
            .iter()
            .filter(|f| !f.system && !matches!(f.kind, FieldKind::UserId | FieldKind::CompanyId | FieldKind::Time))
            .map(|f| (format!("{prefix}{}", f.name), records::column_label(tr, f.name)))
            .collect()
    };
    let mut contact = plain(ObjectKind::Contact, "");
    contact.extend(
        ["tag", "email_domain", "open_deals", "won_deals"].map(|n| (n.to_owned(), tr.t(&format!("builder-{n}")))),
    );
    let props = s.store.properties(None).await?;
    let custom = |object: ObjectKind, prefix: &str| -> Vec<(String, String)> {
        props.iter().filter(|p| p.object == object).map(|p| (format!("{prefix}{}", p.name), p.label.clone())).collect()
    };
    contact.extend(custom(ObjectKind::Contact, "properties."));
    let mut company = plain(ObjectKind::Company, "company.");
    company.extend(custom(ObjectKind::Company, "company.properties."));
    let current = s.rules.get(s.store.as_ref()).await?;
    let scores = current
        .model_keys()
        .into_iter()
        .flat_map(|k| {
            let label = tr.code("score", k);
            [
                (k.to_owned(), label.clone()),
                (format!("{k}.category"), format!("{label} · {}", tr.t("builder-category"))),
            ]
        })
        .collect();
    let kinds = leadline_core::activity::KNOWN_TYPES
        .iter()
        .filter(|k| {
            !matches!(
                **k,
                "stage_changed" | "score_changed" | "segment_entered" | "segment_left" | "lead_assigned" | "import"
            )
        })
        .map(|k| ((*k).to_owned(), tr.t(&format!("activity-{k}"))))
        .collect();
    Ok(Builder {
        fields: vec![(tr.t("object-contact"), contact), (tr.t("object-company"), company), (tr.t("scores"), scores)],
        kinds,
    })
}

async fn list_page(
    s: &AppState,
    v: &Viewer,
    name: String,
    condition: String,
    errors: FormErrors,
    preview: Option<String>,
) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let mut segments = Vec::new();
    for seg in s.store.segments().await? {
        let d = dto(s, seg).await?;
        let count = tr.tn("seg-count", d.count);
        segments.push((d, count));
    }
    let p = v.shell("/segments", tr.t("nav-segments"));
    let builder = builder(s, &tr).await?;
    let page = ListPage { p, segments, name, condition, errors, preview, builder };
    Ok(render(&page))
}

async fn list(State(s): State<AppState>, v: Viewer) -> PageResult {
    list_page(&s, &v, String::new(), String::new(), FormErrors::default(), None).await
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    let name = form.fields.get("name").unwrap_or_default().to_owned();
    let condition = form.fields.get("condition").unwrap_or_default().to_owned();
    let kind = form.fields.get("kind").unwrap_or("dynamic").to_owned();
    // A static list's form sends the condition box empty: it has none.
    let given = Some(condition.clone()).filter(|c| kind != "static" || !c.trim().is_empty());
    let tr = Tr { locale: v.locale };
    if form.fields.get("preview").is_some() {
        // Count who meets it now, and keep the form as it was: nothing is made.
        v.require(Action::Read)?;
        let counted = match crate::api::conditions::read_condition(&s, &condition).await {
            Ok(expr) => {
                let current = s.rules.get(s.store.as_ref()).await?;
                crate::scores::count_matching(s.store.as_ref(), &expr, &current.model_keys(), crate::now(), 0).await?
            }
            Err(e) if super::view::refuses_input(&e) => {
                let errors = FormErrors::from_api(&tr, &e);
                let mut resp = list_page(&s, v, name, condition, errors, None).await?;
                *resp.status_mut() = e.status();
                return Ok(resp);
            }
            Err(e) => return Err(e.into()),
        };
        let said = tr.tn("seg-preview", counted.count as i64);
        return list_page(&s, v, name, condition, FormErrors::default(), Some(said)).await;
    }
    let input = SegmentInput { name: name.clone(), kind: Some(kind), condition: given };
    match create_impl(&s, &v.caller, input).await {
        Ok(seg) => Ok(Redirect::to(&format!("/segments/{}", seg.id)).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&tr, &e);
            let mut resp = list_page(&s, v, name, condition, errors, None).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "segment.html")]
struct SegmentPage {
    p: Shell,
    segment: SegmentDto,
    count: String,
    /// (href, name, stage, contact id).
    members: Vec<(String, String, String, String)>,
    export_href: String,
    /// The last 30 days with a change: (date, entered, left), newest first.
    history: Vec<(String, String, String)>,
    /// Entered and left in those days.
    history_total: String,
}

async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let segment = dto(&s, s.store.segment(&id).await?).await?;
    let ids = s.store.segment_members(&id, None, 100).await?;
    let members = s
        .store
        .get_many(ObjectKind::Contact, &ids)
        .await?
        .into_iter()
        .map(|r| {
            let stage = r.text("lifecycle_stage").map(|st| tr.t(&format!("stage-{st}"))).unwrap_or_default();
            (format!("/contacts/{}", r.id), records::title(&r), stage, r.id)
        })
        .collect();
    let count = tr.tn("seg-count", segment.count);
    let export_href = format!("/api/v1/exports/contacts.csv?segment={}", super::view::urlencode(&segment.id));
    let today = crate::now().div_euclid(86_400_000);
    let days = s.store.segment_history(&segment.id, today - 29).await?;
    let history_total = tr.ta(
        "seg-history-total",
        &[
            ("entered", &tr.num(days.iter().map(|d| d.entered).sum::<i64>())),
            ("left", &tr.num(days.iter().map(|d| d.left).sum::<i64>())),
        ],
    );
    let history =
        days.iter().rev().map(|d| (tr.locale.date_of_days(d.day), tr.num(d.entered), tr.num(d.left))).collect();
    let p = v.shell("/segments", segment.name.clone());
    Ok(render(&SegmentPage { p, segment, count, members, export_href, history, history_total }))
}

async fn remove_member(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Write)?;
    let contact = form.fields.get("contact_id").unwrap_or_default();
    let actor = leadline_store::Actor::new(Some(v.caller.user_id()), ChangeCause::Manual, crate::now());
    s.store.remove_list_member(&id, contact, actor).await?;
    Ok(Redirect::to(&format!("/segments/{id}")).into_response())
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.delete_segment(&id).await?;
    Ok(Redirect::to("/segments").into_response())
}
