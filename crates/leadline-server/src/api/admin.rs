//! Sign-in and sessions, users and roles, API tokens, the custom-property schema.

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use leadline_core::property::{PropertyDef, PropertyType};
use leadline_core::record::ObjectKind;
use leadline_core::role::{Action, Role, TokenScope};
use leadline_store::{ApiToken, User, UserChanges};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse, query_pairs, JsonBody};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Kind};
use crate::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub user: UserDto,
    /// Send as `x-csrf-token` with every write made with the session cookie.
    pub csrf_token: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    /// admin, marketing, sales, agent or read_only.
    pub role: String,
    pub disabled: bool,
    pub locale: Option<String>,
    pub created_at: String,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().into(),
            disabled: u.disabled,
            locale: u.locale,
            created_at: leadline_core::date::rfc3339(u.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    /// At least 10 characters. Without one the user cannot sign in until an admin sets one.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
    /// en, fa, it or pl.
    pub locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// read or write.
    pub scope: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<ApiToken> for TokenDto {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            scope: t.scope.as_str().into(),
            prefix: t.prefix,
            created_at: leadline_core::date::rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(leadline_core::date::rfc3339),
            revoked_at: t.revoked_at.map(leadline_core::date::rfc3339),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub name: String,
    /// read or write; default read.
    pub scope: Option<String>,
    /// Admins may create tokens for other users.
    pub user_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    /// Shown once: store it now.
    pub token: String,
    pub details: TokenDto,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertyDto {
    /// contact, company or deal.
    pub object: String,
    /// Key in `properties`: lower snake case.
    pub name: String,
    pub label: String,
    /// text, number, bool, date, enum or multi_enum.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub options: Vec<String>,
}

impl From<PropertyDef> for PropertyDto {
    fn from(p: PropertyDef) -> Self {
        Self {
            object: p.object.as_str().into(),
            name: p.name,
            label: p.label,
            kind: p.kind.as_str().into(),
            options: p.options,
        }
    }
}

fn role(field: &str, s: &str) -> ApiResult<Role> {
    Role::parse(s)
        .ok_or_else(|| ApiError::invalid(field, "invalid_role", "role is admin, marketing, sales, agent or read_only"))
}

fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}", auth::SESSION_COOKIE)
}

/// Start a session for a user: the cookie and the CSRF token.
pub async fn start_session(state: &AppState, user: &User) -> ApiResult<(String, String)> {
    let (session, csrf) = (auth::secret(32), auth::secret(24));
    let now = crate::now();
    state.store.create_session(&auth::hash_secret(&session), &user.id, &csrf, now, now + auth::SESSION_MILLIS).await?;
    Ok((session_cookie(state, &session, auth::SESSION_MILLIS / 1000), csrf))
}

/// Check an e-mail and password, limited per client address and per e-mail.
pub async fn check_login(state: &AppState, client: &str, email: &str, password: &str) -> ApiResult<User> {
    let email = email.trim().to_lowercase();
    // Limited per address, and per address and e-mail: guessing from elsewhere never locks
    // a user out of their own address.
    let mut wait = None;
    for key in [format!("ip:{client}"), format!("pair:{client}|{email}")] {
        if let Err(w) = state.login_limiter.check(&key) {
            wait = Some(w);
        }
    }
    let limited = |w: std::time::Duration| {
        ApiError::new(
            Kind::RateLimited,
            "rate_limited",
            format!("too many sign-in attempts; try again in {} s", w.as_secs() + 1),
        )
    };
    let known = state.known_logins.contains(client, &email);
    if let Some(w) = wait.filter(|_| !known) {
        return Err(limited(w));
    }
    let user = state.store.user_by_email(&email).await?.filter(|u| !u.disabled);
    // The same hash runs whether or not the e-mail names someone, so the time of a refusal
    // does not tell which it was; on a blocking thread, as it takes tens of milliseconds.
    let hash = user.as_ref().and_then(|u| u.password_hash.clone()).unwrap_or_else(|| auth::unused_hash().to_owned());
    let password = password.to_owned();
    let matched = tokio::task::spawn_blocking(move || auth::verify_password(&hash, &password)).await.unwrap_or(false);
    match user {
        Some(u) if matched && u.password_hash.is_some() => {
            state.known_logins.insert(client, &email);
            Ok(u)
        }
        _ => match wait {
            Some(w) => Err(limited(w)),
            None => {
                Err(ApiError::new(Kind::Unauthenticated, "invalid_credentials", "the e-mail or the password is wrong"))
            }
        },
    }
}

/// The client's address, for rate limits ("local" when served without one, as in tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "local".into())))
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    description = "Sets the HttpOnly session cookie. Rate limited per address and per e-mail.",
    responses((status = 200, body = SessionDto), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let req: LoginRequest = parse(body)?;
    let user = check_login(&s, &client, &req.email, &req.password).await?;
    let (cookie, csrf) = start_session(&s, &user).await?;
    let body = SessionDto { user: user.into(), csrf_token: Some(csrf) };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let session = auth::cookie(&headers, auth::SESSION_COOKIE);
    if let Some(sess) = session {
        // Ending a live session is a write like any other: a cross-site form cannot do it.
        if let Ok((_, _, Some(expected))) = auth::authenticate(&headers, &s).await {
            let sent = headers.get(auth::CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(expected.as_str()) {
                return Err(auth::csrf_error());
            }
        }
        s.store.delete_session(&auth::hash_secret(sess)).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session_cookie(&s, "", 0))]).into_response())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = SessionDto), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<SessionDto> {
    Json(SessionDto { csrf_token: caller.csrf_token.clone(), user: caller.user.into() })
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    description = "Change your own password. Ends your other sessions.",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    let req: PasswordChange = parse(body)?;
    let current_ok =
        caller.user.password_hash.as_deref().is_some_and(|h| auth::verify_password(h, &req.current_password));
    if !current_ok {
        return Err(ApiError::invalid("current_password", "wrong_password", "the current password is wrong"));
    }
    let hash = auth::hash_password(&req.new_password).map_err(|e| e.field("new_password"))?;
    s.store
        .update_user(caller.user_id(), UserChanges { password_hash: Some(hash), ..Default::default() }, crate::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", description = "Administrators only.",
    responses((status = 200, body = Vec<UserDto>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_users(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserDto>>> {
    caller.require(Action::Administer)?;
    Ok(Json(s.store.users().await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput, responses((status = 201, body = UserDto), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    caller.require(Action::Administer)?;
    let req: UserInput = parse(body)?;
    let email = leadline_core::email::Email::parse("email", &req.email)?;
    let hash = req.password.as_deref().map(auth::hash_password).transpose().map_err(|e| e.field("password"))?;
    let name = req.name.as_deref().map(|n| leadline_core::error::clean_text("name", n)).transpose()?.flatten();
    let user = s
        .store
        .create_user(email.as_str(), name.as_deref(), role("role", &req.role)?, hash.as_deref(), crate::now())
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = UserDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_user(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<UserDto>> {
    // Yourself, or anyone for an administrator.
    if id != caller.user_id() {
        caller.require(Action::Administer)?;
    }
    Ok(Json(s.store.user(&id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    description = "Admins change anyone; others only their own name and locale.",
    responses((status = 200, body = UserDto), (status = 403, body = crate::error::ErrorBody)))]
pub async fn update_user(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<UserDto>> {
    let p: UserPatch = parse(body)?;
    let own_profile_only = p.role.is_none() && p.disabled.is_none() && p.password.is_none();
    if !(id == caller.user_id() && own_profile_only) {
        caller.require(Action::Administer)?;
    }
    if id == caller.user_id() && (p.disabled == Some(true) || p.role.as_deref().is_some_and(|r| r != "admin")) {
        return Err(ApiError::new(
            Kind::Conflict,
            "self_lockout",
            "you cannot disable yourself or drop your own admin role",
        ));
    }
    let locale = match p.locale.as_deref() {
        Some(l) => match leadline_core::locale::Locale::parse(l) {
            Some(l) => Some(Some(l.tag().to_owned())),
            None => {
                return Err(ApiError::invalid(
                    "locale",
                    "invalid_locale",
                    "locale is en, fa (fa-u-nu-latn for Latin digits), it or pl",
                ))
            }
        },
        None => None,
    };
    let changes = UserChanges {
        name: p.name.as_deref().map(|n| leadline_core::error::clean_text("name", n)).transpose()?,
        role: p.role.as_deref().map(|r| role("role", r)).transpose()?,
        password_hash: p.password.as_deref().map(auth::hash_password).transpose().map_err(|e| e.field("password"))?,
        disabled: p.disabled,
        locale,
    };
    let user = s.store.update_user(&id, changes, crate::now()).await?;
    // A new role or a disabled account must not ride on cached token checks.
    s.tokens.clear();
    Ok(Json(user.into()))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", description = "Your tokens; admins see everyone's with `all=true`.",
    params(("all" = Option<bool>, Query)), responses((status = 200, body = Vec<TokenDto>)))]
pub async fn list_tokens(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Vec<TokenDto>>> {
    let all = query_pairs(&uri)?.iter().any(|(k, v)| k == "all" && v == "true");
    if all {
        caller.require(Action::Administer)?;
    }
    let tokens = s.store.tokens(if all { None } else { Some(caller.user_id()) }).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenInput, responses((status = 201, body = TokenCreated), (status = 403, body = crate::error::ErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<TokenCreated>)> {
    // A token can do no more than its creator: a read-only token cannot mint a write token.
    if caller.token_scope == Some(TokenScope::Read) {
        return Err(ApiError::forbidden("creating tokens with a read-only token"));
    }
    let req: TokenInput = parse(body)?;
    let scope = match req.scope.as_deref() {
        None => TokenScope::Read,
        Some(s) => {
            TokenScope::parse(s).ok_or_else(|| ApiError::invalid("scope", "invalid_scope", "scope is read or write"))?
        }
    };
    let user_id = match req.user_id {
        Some(u) if u != caller.user_id() => {
            caller.require(Action::Administer)?;
            s.store.user(&u).await?.id
        }
        _ => caller.user_id().to_owned(),
    };
    let name = leadline_core::error::clean_text("name", &req.name)?
        .ok_or_else(|| ApiError::invalid("name", "required", "a token needs a name"))?;
    let (token, prefix) = auth::new_token();
    let details =
        s.store.create_token(&user_id, &name, scope, &auth::hash_secret(&token), &prefix, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token, details: details.into() })))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", description = "Revoke a token; it stops working at once.",
    responses((status = 200, body = TokenDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenDto>> {
    let token = s.store.token(&id).await?;
    if token.user_id != caller.user_id() {
        caller.require(Action::Administer)?;
    }
    let revoked = s.store.revoke_token(&id, crate::now()).await?;
    s.tokens.clear();
    Ok(Json(revoked.into()))
}

#[utoipa::path(get, path = "/api/v1/properties", tag = "properties", params(("object" = Option<String>, Query)), responses((status = 200, body = Vec<PropertyDto>)))]
pub async fn list_properties(State(s): State<AppState>, caller: Caller, uri: Uri) -> ApiResult<Json<Vec<PropertyDto>>> {
    caller.require(Action::Read)?;
    let object = match query_pairs(&uri)?.into_iter().find(|(k, _)| k == "object") {
        Some((_, o)) => Some(
            ObjectKind::parse(&o)
                .ok_or_else(|| ApiError::invalid("object", "invalid_object", "object is contact, company or deal"))?,
        ),
        None => None,
    };
    Ok(Json(s.store.properties(object).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/properties", tag = "properties", request_body = PropertyDto,
    description = "Define or relabel a custom property. Its type cannot change while it exists.",
    responses((status = 201, body = PropertyDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn define_property(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<PropertyDto>)> {
    caller.require(Action::Administer)?;
    let p: PropertyDto = parse(body)?;
    if p.options.len() > crate::wire::MAX_OPTIONS {
        let max = crate::wire::MAX_OPTIONS;
        return Err(ApiError::invalid("options", "too_many", format!("a property has at most {max} options")));
    }
    let def = PropertyDef {
        object: ObjectKind::parse(&p.object)
            .ok_or_else(|| ApiError::invalid("object", "invalid_object", "object is contact, company or deal"))?,
        name: p.name,
        label: p.label,
        kind: PropertyType::parse(&p.kind).ok_or_else(|| {
            ApiError::invalid("type", "invalid_type", "type is text, number, bool, date, enum or multi_enum")
        })?,
        options: p
            .options
            .iter()
            .map(|o| leadline_core::error::clean_text("options", o))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
    };
    def.validate()?;
    s.store.define_property(&def, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(def.into())))
}

#[utoipa::path(delete, path = "/api/v1/properties/{object}/{name}", tag = "properties", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_property(
    State(s): State<AppState>,
    caller: Caller,
    Path((object, name)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Administer)?;
    let object =
        ObjectKind::parse(&object).ok_or_else(|| ApiError::not_found("property", &format!("{object}/{name}")))?;
    s.store.delete_property(object, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/password", post(change_password))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/properties", get(list_properties).post(define_property))
        .route("/properties/{object}/{name}", delete(delete_property))
}
