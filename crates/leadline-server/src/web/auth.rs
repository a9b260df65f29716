//! Signing in and out, the first-run admin, the language switch.
//!
//! Forms shown before there is a session carry a token that must match a short-lived cookie
//! (double submit); after sign-in every form carries the session's own CSRF token.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::locale::Locale;
use leadline_core::role::Role;
use leadline_store::UserChanges;

use super::view::{error_text, Tr};
use super::{back_to, locale_from_headers, render, Fields, PageResult, Posted, LANG_COOKIE};
use crate::api::admin::{check_login, start_session, ClientAddr};
use crate::auth;
use crate::error::ApiError;
use crate::AppState;

const PRE_COOKIE: &str = "leadline_pre";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/setup", get(setup_form).post(setup))
        .route("/logout", post(logout))
        .route("/language", post(language))
        .route("/lang", get(language_before_sign_in))
}

/// Errors to show next to the fields of a form, and for some a link to the record they are
/// about (the contact that already has an e-mail).
#[derive(Default)]
pub struct FormErrors(pub Vec<(String, String)>, pub Vec<(String, String)>);

/// `emails[1]` counts as `emails`.
fn same_field(f: &str, field: &str) -> bool {
    f.split('[').next() == Some(field)
}

impl FormErrors {
    /// The message for a field.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| same_field(f, field)).map(|(_, m)| m.as_str())
    }

    /// The page of the record a field's error is about.
    pub fn link(&self, field: &str) -> Option<&str> {
        self.1.iter().find(|(f, _)| same_field(f, field)).map(|(_, href)| href.as_str())
    }

    pub fn add(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }

    /// An API error as the message of its field (or of `form` when it names none).
    pub fn from_api(tr: &Tr, e: &ApiError) -> Self {
        let mut errors = FormErrors::default();
        let field = e.field.as_deref().unwrap_or("form");
        errors.add(field, error_text(tr, e));
        if let (Some(id), "identity_taken") = (&e.record_id, e.code.as_str()) {
            errors.1.push((field.to_owned(), format!("/contacts/{id}")));
        }
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    next: String,
    email: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    tr: Tr,
    csrf: String,
    name: String,
    email: String,
    errors: FormErrors,
}

/// The pre-session token: the one in the cookie, or a new one.
fn pre_token(headers: &HeaderMap) -> (String, Option<String>) {
    match auth::cookie(headers, PRE_COOKIE).filter(|t| t.len() >= 20) {
        Some(t) => (t.to_owned(), None),
        None => {
            let t = auth::secret(24);
            let cookie = format!("{PRE_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200");
            (t, Some(cookie))
        }
    }
}

fn with_cookie(mut resp: Response, cookie: Option<String>) -> Response {
    if let Some(c) = cookie.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn check_pre_token(headers: &HeaderMap, fields: &Fields) -> Result<(), super::PageError> {
    let cookie = auth::cookie(headers, PRE_COOKIE);
    if cookie.is_none() || cookie != fields.get("csrf") {
        return Err(auth::csrf_error().into());
    }
    Ok(())
}

async fn signed_in(s: &AppState, headers: &HeaderMap) -> bool {
    auth::authenticate(headers, s).await.is_ok()
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> PageResult {
    if s.store.count_users().await? == 0 {
        return Ok(Redirect::to("/setup").into_response());
    }
    if signed_in(&s, &headers).await {
        return Ok(back_to(q.next.as_deref(), "/"));
    }
    let (csrf, cookie) = pre_token(&headers);
    let page = LoginPage {
        tr: Tr { locale: locale_from_headers(&headers) },
        csrf,
        // Only a plain path of ours is carried on; anything else goes to the dashboard.
        next: q.next.filter(|n| super::is_local_path(n)).unwrap_or_default(),
        email: String::new(),
        errors: FormErrors::default(),
    };
    Ok(with_cookie(render(&page), cookie))
}

async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let fields = Fields(pairs);
    check_pre_token(&headers, &fields)?;
    let email = fields.get("email").unwrap_or_default();
    let tr = Tr { locale: locale_from_headers(&headers) };
    match check_login(&s, &client, email, fields.get("password").unwrap_or_default()).await {
        Ok(user) => {
            let (session, _) = start_session(&s, &user).await?;
            let mut resp = back_to(fields.get("next"), "/");
            resp.headers_mut().append(header::SET_COOKIE, session.parse().expect("a valid cookie"));
            if let Some(l) = user.locale.as_deref().and_then(Locale::parse) {
                resp = with_cookie(resp, Some(lang_cookie(l)));
            }
            Ok(resp)
        }
        Err(e) => {
            let status = e.status();
            let page = LoginPage {
                tr,
                csrf: fields.get("csrf").unwrap_or_default().to_owned(),
                next: fields.get("next").filter(|n| super::is_local_path(n)).unwrap_or_default().to_owned(),
                email: email.to_owned(),
                errors: FormErrors(vec![("form".into(), error_text(&tr, &e))], Vec::new()),
            };
            Ok((status, render(&page)).into_response())
        }
    }
}

async fn setup_form(State(s): State<AppState>, headers: HeaderMap) -> PageResult {
    if s.store.count_users().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let (csrf, cookie) = pre_token(&headers);
    let page = SetupPage {
        tr: Tr { locale: locale_from_headers(&headers) },
        csrf,
        name: String::new(),
        email: String::new(),
        errors: FormErrors::default(),
    };
    Ok(with_cookie(render(&page), cookie))
}

async fn setup(
    State(s): State<AppState>,
    headers: HeaderMap,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let fields = Fields(pairs);
    check_pre_token(&headers, &fields)?;
    if s.store.count_users().await? > 0 {
        return Ok(Redirect::to("/login").into_response());
    }
    let tr = Tr { locale: locale_from_headers(&headers) };
    let mut errors = FormErrors::default();
    let email = leadline_core::email::Email::parse("email", fields.get("email").unwrap_or_default());
    if let Err(e) = &email {
        errors.add("email", error_text(&tr, &ApiError::from(e.clone())));
    }
    let password = fields.get("password").unwrap_or_default();
    let hash = auth::hash_password(password);
    match &hash {
        Err(e) => errors.add("password", error_text(&tr, e)),
        Ok(_) if fields.get("password2") != Some(password) => errors.add("password2", tr.t("setup-passwords-differ")),
        Ok(_) => {}
    }
    let name = leadline_core::error::clean_text("name", fields.get("name").unwrap_or_default());
    if let Err(e) = &name {
        errors.add("name", error_text(&tr, &ApiError::from(e.clone())));
    }
    let (Ok(email), Ok(hash), Ok(name), true) = (email, hash, name, errors.is_empty()) else {
        let page = SetupPage {
            tr,
            csrf: fields.get("csrf").unwrap_or_default().to_owned(),
            name: fields.get("name").unwrap_or_default().to_owned(),
            email: fields.get("email").unwrap_or_default().to_owned(),
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    let user = s.store.create_user(email.as_str(), name.as_deref(), Role::Admin, Some(&hash), crate::now()).await?;
    let locale = tr.locale.tag().to_owned();
    s.store
        .update_user(&user.id, UserChanges { locale: Some(Some(locale)), ..Default::default() }, crate::now())
        .await?;
    let (session, _) = start_session(&s, &user).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(header::SET_COOKIE, session.parse().expect("a valid cookie"));
    Ok(resp)
}

async fn logout(State(s): State<AppState>, headers: HeaderMap, _form: Posted) -> PageResult {
    if let Some(session) = auth::cookie(&headers, auth::SESSION_COOKIE) {
        s.store.delete_session(&auth::hash_secret(session)).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    let gone = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0", auth::SESSION_COOKIE);
    resp.headers_mut().append(header::SET_COOKIE, gone.parse().expect("a valid cookie"));
    Ok(resp)
}

fn lang_cookie(l: Locale) -> String {
    format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", l.tag())
}

/// Keep the signed-in user's language choice, and remember it in a cookie for the sign-in page.
async fn language(State(s): State<AppState>, form: Posted) -> PageResult {
    let l =
        form.fields.get("locale").and_then(Locale::parse).ok_or_else(|| {
            ApiError::invalid("locale", "invalid_locale", "choose English, فارسی, Italiano or Polski")
        })?;
    let changes = UserChanges { locale: Some(Some(l.tag().to_owned())), ..Default::default() };
    s.store.update_user(form.viewer.user().id.as_str(), changes, crate::now()).await?;
    s.tokens.clear();
    Ok(with_cookie(back_to(form.fields.get("next"), "/"), Some(lang_cookie(l))))
}

#[derive(serde::Deserialize)]
struct LangQuery {
    l: String,
    next: Option<String>,
}

/// The sign-in page's language links: only a cookie changes.
async fn language_before_sign_in(Query(q): Query<LangQuery>) -> Response {
    let cookie = Locale::parse(&q.l).map(lang_cookie);
    with_cookie(back_to(q.next.as_deref(), "/login"), cookie)
}
