//! The landing pages screens: every page with its address and, per variant, views, clicks
//! and submissions; and the editor (`/pages/new`, `/pages/{id}`): a row per block of version A
//! and of version B (leave B empty for no test), the share of visitors who see B.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;
use leadline_store::Hosted;

use super::auth::FormErrors;
use super::view::{Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::api::pages::{dto, save, PageDto};
use crate::pages::{Block, PageBody, BLOCK_KINDS};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pages", get(list))
        .route("/pages/new", get(new).post(create))
        .route("/pages/{id}", get(edit).post(update))
        .route("/pages/{id}/delete", post(delete))
}

/// A page's counts per variant, said.
fn said(tr: &Tr, d: &PageDto) -> Vec<String> {
    let pct = |r: Option<f64>| r.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "–".into());
    d.variants
        .iter()
        .map(|v| {
            tr.ta(
                "pages-counts",
                &[
                    ("variant", &v.variant.to_uppercase()),
                    ("views", &tr.num(v.views)),
                    ("clicks", &tr.num(v.clicks)),
                    ("submissions", &tr.num(v.submissions)),
                    ("rate", &pct(v.conversion_rate)),
                ],
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages.html")]
struct ListPage {
    p: Shell,
    pages: Vec<(PageDto, Vec<String>)>,
}

async fn list(State(s): State<AppState>, v: Viewer, headers: HeaderMap) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let base = crate::api::sites::base_url(&headers, s.config.secure_cookies);
    let mut pages = Vec::new();
    for row in s.store.forms(Hosted::Page).await? {
        let d = dto(&s, row, &base, 30).await?;
        let counts = said(&tr, &d);
        pages.push((d, counts));
    }
    Ok(render(&ListPage { p: v.shell("/campaigns", tr.t("pages-title")), pages }))
}

/// A block row of the editor: (kind, text, url, form).
type Row = (String, String, String, String);

#[derive(Template)]
#[template(path = "page_edit.html")]
struct EditPage {
    p: Shell,
    id: Option<String>,
    name: String,
    slug: String,
    site_id: String,
    split_b: u8,
    rows_a: Vec<Row>,
    rows_b: Vec<Row>,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    sites: Vec<(String, String)>,
    forms: Vec<String>,
    saved: Option<(PageDto, Vec<String>)>,
}

const MAX_ROWS: usize = 30;

fn rows(blocks: &[Block], blank: usize) -> Vec<Row> {
    blocks
        .iter()
        .map(|b| {
            (
                b.kind.clone(),
                b.text.clone().unwrap_or_default(),
                b.url.clone().unwrap_or_default(),
                b.form.clone().unwrap_or_default(),
            )
        })
        .chain((0..blank).map(|_| (String::new(), String::new(), String::new(), String::new())))
        .collect()
}

fn blocks_of(form: &Fields, prefix: &str) -> Vec<Block> {
    (0..MAX_ROWS)
        .filter_map(|i| {
            let get = |k: &str| form.text(&format!("{prefix}{i}.{k}")).map(str::to_owned);
            let kind = get("kind")?;
            Some(Block { kind, text: get("text"), url: get("url"), form: get("form") })
        })
        .collect()
}

fn body_of(form: &Fields) -> PageBody {
    let b = blocks_of(form, "b");
    PageBody {
        name: form.text("name").unwrap_or_default().to_owned(),
        slug: form.text("slug").unwrap_or_default().to_owned(),
        site_id: form.text("site_id").unwrap_or_default().to_owned(),
        blocks: blocks_of(form, "a"),
        variant_b: (!b.is_empty()).then_some(b),
        split_b: form.text("split_b").and_then(|v| v.parse().ok()).unwrap_or(50),
    }
}

async fn edit_page(
    s: &AppState,
    v: &Viewer,
    headers: &HeaderMap,
    id: Option<String>,
    body: Option<PageBody>,
    errors: FormErrors,
) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let base = crate::api::sites::base_url(headers, s.config.secure_cookies);
    let saved = match &id {
        Some(id) => {
            let d = dto(s, s.store.form(Hosted::Page, id).await?, &base, 30).await?;
            let counts = said(&tr, &d);
            Some((d, counts))
        }
        None => None,
    };
    let body = body.or_else(|| saved.as_ref().map(|(d, _)| d.body.clone()));
    let sites = s.store.sites().await?.into_iter().map(|site| (site.id, site.settings.name)).collect();
    let forms = s.store.forms(Hosted::Form).await?.into_iter().map(|f| f.slug).collect();
    let kinds = BLOCK_KINDS.iter().map(|k| ((*k).to_owned(), tr.t(&format!("block-{k}")))).collect();
    let page = EditPage {
        p: v.shell(
            "/campaigns",
            body.as_ref().map(|b| b.name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| tr.t("pages-new")),
        ),
        name: body.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
        slug: body.as_ref().map(|b| b.slug.clone()).unwrap_or_default(),
        site_id: body.as_ref().map(|b| b.site_id.clone()).unwrap_or_default(),
        split_b: body.as_ref().map_or(50, |b| b.split_b),
        rows_a: rows(body.as_ref().map(|b| b.blocks.as_slice()).unwrap_or_default(), 3),
        rows_b: rows(body.as_ref().and_then(|b| b.variant_b.as_deref()).unwrap_or_default(), 3),
        id,
        errors,
        kinds,
        sites,
        forms,
        saved,
    };
    Ok(super::records::page_response(&page, &page.errors))
}

async fn new(State(s): State<AppState>, v: Viewer, headers: HeaderMap) -> PageResult {
    edit_page(&s, &v, &headers, None, None, FormErrors::default()).await
}

async fn edit(State(s): State<AppState>, v: Viewer, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    edit_page(&s, &v, &headers, Some(id), None, FormErrors::default()).await
}

async fn saved(s: &AppState, headers: &HeaderMap, form: Posted, id: Option<String>) -> PageResult {
    let v = &form.viewer;
    let body = body_of(&form.fields);
    match save(s, &v.caller, id.as_deref(), body.clone()).await {
        Ok(row) => Ok(Redirect::to(&format!("/pages/{}", row.id)).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&Tr { locale: v.locale }, &e);
            let mut resp = edit_page(s, v, headers, id, Some(body), errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn create(State(s): State<AppState>, headers: HeaderMap, form: Posted) -> PageResult {
    saved(&s, &headers, form, None).await
}

async fn update(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>, form: Posted) -> PageResult {
    saved(&s, &headers, form, Some(id)).await
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.delete_form(Hosted::Page, &id).await?;
    Ok(Redirect::to("/pages").into_response())
}
