//! The sites screen (`/settings/sites`): every site that sends tracking events with its write
//! key and the script tag for its pages, what it sent lately, and a form to add one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::Action;

use super::auth::FormErrors;
use super::view::{Shell, Tr};
use super::{render, PageResult, Posted, Viewer};
use crate::api::sites::{base_url, create_site, dto, SiteDto, SiteInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/sites", get(list).post(create)).route("/settings/sites/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    p: Shell,
    sites: Vec<SiteDto>,
    name: String,
    origins: String,
    errors: FormErrors,
    base: String,
    /// Events kept and read: (kept, waiting to be read).
    inbox: (String, String),
}

async fn list_page(
    s: &AppState,
    v: &Viewer,
    headers: &HeaderMap,
    name: String,
    origins: String,
    errors: FormErrors,
) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let base = base_url(headers, s.config.secure_cookies);
    let sites = s.store.sites().await?.into_iter().map(|site| dto(site, &base)).collect();
    let (kept, last) = s.store.inbox_size().await?;
    let read = s.store.engine_read(crate::tracking::READER).await.map(|c| c.seq).unwrap_or(0);
    let inbox = (tr.num(kept), tr.num((last - read).max(0)));
    let p = v.shell("/settings", tr.t("sites-title"));
    Ok(render(&SitesPage { p, sites, name, origins, errors, base, inbox }))
}

async fn list(State(s): State<AppState>, v: Viewer, headers: HeaderMap) -> PageResult {
    list_page(&s, &v, &headers, String::new(), String::new(), FormErrors::default()).await
}

async fn create(State(s): State<AppState>, headers: HeaderMap, form: Posted) -> PageResult {
    let v = &form.viewer;
    let name = form.fields.get("name").unwrap_or_default().to_owned();
    let origins = form.fields.get("allowed_origins").unwrap_or_default().to_owned();
    let input = SiteInput {
        name: name.clone(),
        allowed_origins: origins
            .split([',', '\n', ' '])
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect(),
        require_consent: form.fields.get("require_consent").is_some(),
        honor_dnt: form.fields.get("honor_dnt").is_some(),
    };
    match create_site(&s, &v.caller, input).await {
        Ok(_) => Ok(Redirect::to("/settings/sites").into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            let errors = FormErrors::from_api(&tr, &e);
            let mut resp = list_page(&s, v, &headers, name, origins, errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    let site = s.store.site(&id).await?;
    s.store.delete_site(&id).await?;
    s.site_cache.forget(&site.write_key);
    Ok(Redirect::to("/settings/sites").into_response())
}
