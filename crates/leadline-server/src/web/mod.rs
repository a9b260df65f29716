//! The web application: server-rendered pages (askama templates in `templates/`), a little
//! hand-written CSS and JS (`assets/`, embedded), and Fluent catalogs (`locales/`).
//!
//! Pages are a second face of the same use cases as `/api/v1`: a form is turned into the JSON
//! the API takes and handed to the same functions, so a value the API refuses is refused here
//! with the same words, shown next to its field. Reads go straight to the store.
//!
//! Every page handler takes a [`Viewer`] (who is looking, in which language) and every form
//! handler a [`Posted`] (a viewer whose form carried the session's CSRF token). Handlers return
//! [`PageResult`]; errors become an HTML page in the viewer's language (see [`html_errors`]).

mod analytics;
mod assets;
mod auth;
mod bulk;
mod campaigns;
mod chart;
mod companies;
mod contacts;
mod deals;
mod duplicates;
mod forms;
mod health;
pub mod i18n;
mod imports;
mod pages;
mod pipelines;
mod queue;
pub(crate) mod records;
mod reports;
mod scoring;
mod segments;
mod settings;
mod sites;
pub mod view;
mod webhooks;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::locale::Locale;
use leadline_core::role::Action;
use leadline_store::User;

use crate::auth::Caller;
use crate::error::{ApiError, Kind};
use crate::AppState;
pub use view::Shell;

/// The cookie that remembers the language before sign-in (and for error pages).
pub const LANG_COOKIE: &str = "leadline_lang";

pub fn routes(max_upload: u64) -> Router<AppState> {
    Router::new()
        .merge(imports::routes(max_upload))
        .merge(auth::routes())
        .merge(contacts::routes())
        .merge(bulk::routes())
        .merge(companies::routes())
        .merge(deals::routes())
        .merge(duplicates::routes())
        .merge(segments::routes())
        .merge(sites::routes())
        .merge(webhooks::routes())
        .merge(forms::routes())
        .merge(pages::routes())
        .merge(campaigns::routes())
        .merge(analytics::routes())
        .merge(health::routes())
        .merge(pipelines::routes())
        .merge(pipelines::settings_routes())
        .merge(queue::routes())
        .merge(scoring::routes())
        .merge(settings::routes())
        .route("/", get(records::dashboard))
        .route("/search", get(records::search))
        .route("/tasks/{id}/done", post(records::task_done))
        .route("/assets/{*path}", get(assets::serve))
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

/// An error on the way to a page. It leaves the handler as an empty response carrying the
/// error; [`html_errors`] turns that into a page (or, when not signed in, a redirect to sign-in).
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut r = self.0.status().into_response();
        r.extensions_mut().insert(self.0);
        r
    }
}

/// Render errors as pages and add the headers every page carries.
pub async fn html_errors(req: Request, next: Next) -> Response {
    let locale = locale_from_headers(req.headers());
    let target = req.uri().path_and_query().map_or("/".to_owned(), |p| p.as_str().to_owned());
    let mut resp = next.run(req).await;
    if let Some(err) = resp.extensions_mut().remove::<ApiError>() {
        resp = if err.kind == Kind::Unauthenticated {
            Redirect::to(&format!("/login?next={}", view::urlencode(&target))).into_response()
        } else {
            let page = view::ErrorPage::new(locale, &err);
            let mut r = render(&page);
            *r.status_mut() = err.status();
            r
        };
    }
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    resp
}

/// A template as an HTML response (a template that fails to render is a logged 500).
pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response()
        }
    }
}

/// The language for a request without a signed-in user: the language cookie, then the
/// browser's `Accept-Language`.
pub fn locale_from_headers(headers: &HeaderMap) -> Locale {
    crate::auth::cookie(headers, LANG_COOKIE)
        .and_then(Locale::parse)
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Locale::negotiate))
        .unwrap_or(Locale::EN)
}

/// The dashboard's funnel (contacts per lifecycle stage), counted at most every 30 seconds:
/// one pass over every contact is too much for each page view at a million contacts.
#[derive(Default)]
pub struct FunnelCache {
    counted: std::sync::Mutex<Option<Counted>>,
}

/// Counts per stage, when they were taken (instant and epoch milliseconds).
type Counted = (std::time::Instant, i64, Vec<(Option<String>, i64)>);

impl FunnelCache {
    const TTL: std::time::Duration = std::time::Duration::from_secs(30);

    /// Counts per stage and when they were taken (milliseconds since the epoch).
    pub async fn get(&self, store: &dyn leadline_store::Store) -> Result<(i64, Vec<(Option<String>, i64)>), ApiError> {
        if let Some((at, ms, counts)) = self.counted.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if at.elapsed() < Self::TTL {
                return Ok((*ms, counts.clone()));
            }
        }
        let stage = leadline_core::record::field(leadline_core::record::ObjectKind::Contact, "lifecycle_stage")
            .expect("contacts have a lifecycle stage");
        let counts = store.count_by(leadline_core::record::ObjectKind::Contact, stage).await?;
        let now = crate::now();
        *self.counted.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), now, counts.clone()));
        Ok((now, counts))
    }
}

/// A signed-in user looking at a page, and the language to show it in.
#[derive(Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub locale: Locale,
    /// The path and query of the page being looked at.
    pub here: String,
}

impl Viewer {
    pub fn user(&self) -> &User {
        &self.caller.user
    }

    pub fn can(&self, action: Action) -> bool {
        self.caller.require(action).is_ok()
    }

    pub fn require(&self, action: Action) -> Result<(), PageError> {
        Ok(self.caller.require(action)?)
    }

    /// The layout of a page with `active` highlighted in the navigation.
    pub fn shell(&self, active: &'static str, title: String) -> Shell {
        Shell::new(self, active, title)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (user, token_scope, csrf_token) = crate::auth::authenticate(&parts.headers, state).await?;
        let locale =
            user.locale.as_deref().and_then(Locale::parse).unwrap_or_else(|| locale_from_headers(&parts.headers));
        let here = parts.uri.path_and_query().map_or("/".to_owned(), |p| p.as_str().to_owned());
        Ok(Viewer { caller: Caller { user, token_scope, csrf_token }, locale, here })
    }
}

/// The fields of a submitted form, in order.
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A field's value, trimmed; empty is `None`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// A form posted by a signed-in user, its CSRF token checked.
pub struct Posted {
    pub viewer: Viewer,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_form", e.body_text()))?;
        let fields = Fields(pairs);
        check_csrf(&viewer.caller, fields.get("csrf"))?;
        if viewer.caller.token_scope == Some(leadline_core::role::TokenScope::Read) {
            return Err(crate::auth::read_only_token().into());
        }
        Ok(Posted { viewer, fields })
    }
}

/// A session's forms carry its CSRF token; token-authenticated requests need none.
pub fn check_csrf(caller: &Caller, sent: Option<&str>) -> Result<(), PageError> {
    match caller.csrf_token.as_deref() {
        Some(expected) if sent != Some(expected) => Err(crate::auth::csrf_error().into()),
        _ => Ok(()),
    }
}

/// A redirect after a form: to `next` when it is a plain path of ours, else to `fallback`.
pub fn back_to(next: Option<&str>, fallback: &str) -> Response {
    Redirect::to(next.filter(|n| is_local_path(n)).unwrap_or(fallback)).into_response()
}

/// Whether `next` is a path on this origin and nothing a browser could read as another: it
/// starts with one `/`, and holds no backslash, white space or control character (browsers
/// drop tabs and line breaks from a URL, so "/\t/evil.example" is "//evil.example").
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// A CSV download of `rows` under `head`, each cell safe to open in a spreadsheet.
/// A number in a CSV cell, to `decimals` places; empty for none.
pub(crate) fn csv_number(x: Option<f64>, decimals: usize) -> String {
    x.map(|x| format!("{x:.decimals$}")).unwrap_or_default()
}

pub(crate) fn csv_response(
    name: &str,
    head: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<axum::response::Response, PageError> {
    let broken = |e: csv::Error| crate::error::ApiError::new(crate::error::Kind::Internal, "internal", e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(head).map_err(broken)?;
    for r in rows {
        w.write_record(r.iter().map(|c| leadline_core::import::formula_safe(c).into_owned())).map_err(broken)?;
    }
    let body = w.into_inner().map_err(|e| broken(e.into_error().into()))?;
    let headers = [
        (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok(axum::response::IntoResponse::into_response((headers, body)))
}

/// A query string parameter's value (of `crate::api::query_pairs`), trimmed; None when absent
/// or empty.
pub(crate) fn query_value(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
}
