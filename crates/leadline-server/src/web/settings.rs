//! Settings: your account (password), API tokens (shown once), and for admins users and
//! roles and the custom-property schema. Every change goes through the API's own handler.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::role::{Action, Role};
use serde_json::{json, Value};

use super::auth::FormErrors;
use super::records::{self, Choice};
use super::view::{Shell, Tr};
use super::{render, PageResult, Posted, Viewer};
use crate::api::admin;
use crate::api::JsonBody;
use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(page))
        .route("/settings/password", post(password))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
        .route("/settings/users", post(create_user))
        .route("/settings/users/{id}", post(update_user))
        .route("/settings/properties", post(define_property))
        .route("/settings/properties/{object}/{name}/delete", post(delete_property))
}

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Choice>,
    pub disabled: bool,
    pub is_me: bool,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub last_used: String,
    pub revoked: bool,
}

pub struct PropertyRow {
    pub object: String,
    pub object_label: String,
    pub name: String,
    pub label: String,
    pub kind: String,
    pub options: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    p: Shell,
    /// Which form the errors belong to: `password`, `token`, `user` or `property`.
    section: &'static str,
    errors: FormErrors,
    /// A token just created: shown this once.
    new_token: Option<String>,
    notice: Option<String>,
    tokens: Vec<TokenRow>,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    properties: Vec<PropertyRow>,
    objects: Vec<Choice>,
    kinds: Vec<Choice>,
}

async fn page(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    let notice = crate::api::query_pairs(&uri)?.into_iter().find(|(k, _)| k == "notice").map(|(_, n)| n);
    let tr = Tr { locale: v.locale };
    let notice = notice
        .filter(|n| ["password", "user", "property", "revoked"].contains(&n.as_str()))
        .map(|n| tr.t(&format!("settings-saved-{n}")));
    show(&s, &v, "", FormErrors::default(), None, notice).await
}

async fn show(
    s: &AppState,
    v: &Viewer,
    section: &'static str,
    errors: FormErrors,
    new_token: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let tr = Tr { locale: v.locale };
    let tokens = s
        .store
        .tokens(Some(&v.user().id))
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            scope: tr.t(&format!("scope-{}", t.scope.as_str())),
            last_used: t.last_used_at.map(|at| tr.datetime(at)).unwrap_or_else(|| tr.t("never")),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let is_admin = v.can(Action::Administer);
    let role_choices = |current: Role| {
        records::choices(Role::ALL.iter().map(|r| r.as_str()), |r| tr.t(&format!("role-{r}")), current.as_str())
    };
    let users = if is_admin {
        s.store
            .users()
            .await?
            .into_iter()
            .map(|u| UserRow {
                roles: role_choices(u.role),
                is_me: u.id == v.user().id,
                id: u.id,
                name: u.name.unwrap_or_default(),
                email: u.email,
                disabled: u.disabled,
            })
            .collect()
    } else {
        Vec::new()
    };
    let properties = if is_admin {
        s.store
            .properties(None)
            .await?
            .into_iter()
            .map(|p| PropertyRow {
                object: p.object.as_str().into(),
                object_label: tr.t(&format!("nav-{}", p.object.plural())),
                name: p.name,
                label: p.label,
                kind: tr.t(&format!("prop-type-{}", p.kind.as_str())),
                options: p.options.join(", "),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = SettingsPage {
        p: v.shell("/settings", tr.t("nav-settings")),
        section,
        errors,
        new_token,
        notice,
        tokens,
        users,
        roles: role_choices(Role::Sales),
        properties,
        objects: records::choices(["contact", "company", "deal"], |o| tr.t(&format!("object-{o}")), ""),
        kinds: records::choices(
            leadline_core::property::PropertyType::ALL.iter().map(|k| k.as_str()),
            |k| tr.t(&format!("prop-type-{k}")),
            "",
        ),
    };
    let mut resp = render(&page);
    if !page.errors.is_empty() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// Run one API handler with a JSON body built from the form; a refusal redisplays the page with
/// the message next to the field of `section`'s form.
async fn via_api<F, Fut, T>(
    s: &AppState,
    form: &Posted,
    section: &'static str,
    body: Value,
    call: F,
) -> Result<Result<T, axum::response::Response>, super::PageError>
where
    F: FnOnce(AppState, crate::auth::Caller, JsonBody) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    match call(s.clone(), form.viewer.caller.clone(), JsonBody(body)).await {
        Ok(out) => Ok(Ok(out)),
        Err(e) if super::view::refuses_input(&e) => {
            let errors = FormErrors::from_api(&Tr { locale: form.viewer.locale }, &e);
            Ok(Err(show(s, &form.viewer, section, errors, None, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

fn saved(what: &str) -> axum::response::Response {
    Redirect::to(&format!("/settings?notice={what}")).into_response()
}

async fn password(State(s): State<AppState>, form: Posted) -> PageResult {
    let f = &form.fields;
    let new = f.get("new_password").unwrap_or_default();
    if f.get("new_password2") != Some(new) {
        let mut errors = FormErrors::default();
        errors.add("new_password2", Tr { locale: form.viewer.locale }.t("setup-passwords-differ"));
        return show(&s, &form.viewer, "password", errors, None, None).await;
    }
    let body = json!({ "current_password": f.get("current_password").unwrap_or_default(), "new_password": new });
    Ok(
        match via_api(&s, &form, "password", body, |s, c, b| admin::change_password(axum::extract::State(s), c, b))
            .await?
        {
            Ok(_) => saved("password"),
            Err(page) => page,
        },
    )
}

async fn create_token(State(s): State<AppState>, form: Posted) -> PageResult {
    let body = json!({ "name": form.fields.get("name").unwrap_or_default(), "scope": form.fields.get("scope").unwrap_or("read") });
    match via_api(&s, &form, "token", body, |s, c, b| admin::create_token(axum::extract::State(s), c, b)).await? {
        Ok((_, axum::Json(created))) => {
            show(&s, &form.viewer, "token", FormErrors::default(), Some(created.token), None).await
        }
        Err(page) => Ok(page),
    }
}

async fn revoke_token(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let _revoked = admin::revoke_token(axum::extract::State(s), form.viewer.caller.clone(), Path(id)).await?;
    Ok(saved("revoked"))
}

async fn create_user(State(s): State<AppState>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    let f = &form.fields;
    let body = json!({
        "email": f.get("email").unwrap_or_default(),
        "name": f.text("name"),
        "role": f.get("role").unwrap_or_default(),
        "password": f.get("password").unwrap_or_default(),
    });
    Ok(match via_api(&s, &form, "user", body, |s, c, b| admin::create_user(axum::extract::State(s), c, b)).await? {
        Ok(_) => saved("user"),
        Err(page) => page,
    })
}

async fn update_user(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    let f = &form.fields;
    let body = json!({ "role": f.get("role").unwrap_or_default(), "disabled": f.get("disabled") == Some("true") });
    Ok(
        match via_api(&s, &form, "user", body, |s, c, b| admin::update_user(axum::extract::State(s), c, Path(id), b))
            .await?
        {
            Ok(_) => saved("user"),
            Err(page) => page,
        },
    )
}

async fn define_property(State(s): State<AppState>, form: Posted) -> PageResult {
    form.viewer.require(Action::Administer)?;
    let f = &form.fields;
    let options: Vec<&str> =
        f.get("options").unwrap_or_default().split(',').map(str::trim).filter(|o| !o.is_empty()).collect();
    let body = json!({
        "object": f.get("object").unwrap_or_default(),
        "name": f.get("name").unwrap_or_default().trim(),
        "label": f.get("label").unwrap_or_default(),
        "type": f.get("type").unwrap_or_default(),
        "options": options,
    });
    Ok(
        match via_api(&s, &form, "property", body, |s, c, b| admin::define_property(axum::extract::State(s), c, b))
            .await?
        {
            Ok(_) => saved("property"),
            Err(page) => page,
        },
    )
}

async fn delete_property(
    State(s): State<AppState>,
    Path((object, name)): Path<(String, String)>,
    form: Posted,
) -> PageResult {
    admin::delete_property(axum::extract::State(s), form.viewer.caller.clone(), Path((object, name))).await?;
    Ok(saved("property"))
}
