//! The segments screens: every segment with its count and a form to make one in the rule
//! language (refused at its field, in words, where it does not read), and a segment's page
//! with its members.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
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
}

#[derive(Template)]
#[template(path = "segments.html")]
struct ListPage {
    p: Shell,
    segments: Vec<(SegmentDto, String)>,
    name: String,
    condition: String,
    errors: FormErrors,
}

async fn list_page(s: &AppState, v: &Viewer, name: String, condition: String, errors: FormErrors) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let mut segments = Vec::new();
    for seg in s.store.segments().await? {
        let d = dto(s, seg).await?;
        let count = tr.tn("seg-count", d.count);
        segments.push((d, count));
    }
    let page = ListPage { p: v.shell("/segments", tr.t("nav-segments")), segments, name, condition, errors };
    Ok(render(&page))
}

async fn list(State(s): State<AppState>, v: Viewer) -> PageResult {
    list_page(&s, &v, String::new(), String::new(), FormErrors::default()).await
}

async fn create(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    let name = form.fields.get("name").unwrap_or_default().to_owned();
    let condition = form.fields.get("condition").unwrap_or_default().to_owned();
    let input = SegmentInput { name: name.clone(), condition: condition.clone() };
    match create_impl(&s, &v.caller, input).await {
        Ok(seg) => Ok(Redirect::to(&format!("/segments/{}", seg.id)).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&Tr { locale: v.locale }, &e);
            let mut resp = list_page(&s, v, name, condition, errors).await?;
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
    /// (href, name, stage).
    members: Vec<(String, String, String)>,
}

async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let segment = dto(&s, s.store.segment(&id).await?).await?;
    let mut members = Vec::new();
    for contact in s.store.segment_members(&id, None, 100).await? {
        if let Ok(r) = s.store.get(ObjectKind::Contact, &contact).await {
            let stage = r.text("lifecycle_stage").map(|st| tr.t(&format!("stage-{st}"))).unwrap_or_default();
            members.push((format!("/contacts/{}", r.id), records::title(&r), stage));
        }
    }
    let count = tr.tn("seg-count", segment.count);
    Ok(render(&SegmentPage { p: v.shell("/segments", segment.name.clone()), segment, count, members }))
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.delete_segment(&id).await?;
    Ok(Redirect::to("/segments").into_response())
}
