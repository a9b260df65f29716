//! `/api/v1/sites`: the websites and apps that send tracking events, each with its write key;
//! and a contact's visitors (its browsers), which can be taken back from it.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get};
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_store::{Site, SiteSettings, Visitor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse, JsonBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites", get(list).post(create))
        .route("/sites/{id}", get(get_one).patch(update).delete(remove))
        .route("/sites/{id}/events", get(events))
        .route("/contacts/{id}/visitors", get(visitors))
        .route("/visitors/{id}/contact", delete(unlink))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub name: String,
    /// Origins whose pages may send events from the browser, e.g. `https://acme.io`; `*`
    /// for any. Server-side SDKs send no origin and need none.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// The tracker sets no cookie and sends nothing until the page calls
    /// `leadline.consent(true)`.
    #[serde(default)]
    pub require_consent: bool,
    /// The tracker sends nothing for a browser that asks not to be tracked (Do Not Track,
    /// Global Privacy Control). Default true.
    #[serde(default = "yes")]
    pub honor_dnt: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub name: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub require_consent: Option<bool>,
    pub honor_dnt: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct SiteDto {
    pub id: String,
    pub name: String,
    /// The site's write key: the HTTP Basic user of the tracking API (`/v1/batch`, ...), and
    /// the tracker script's `data-write-key`. Public by nature (it is in the site's pages):
    /// it can only send events.
    pub write_key: String,
    pub allowed_origins: Vec<String>,
    pub require_consent: bool,
    pub honor_dnt: bool,
    /// The script tag to put on the site's pages.
    pub snippet: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The address this Leadline is reached at, as the request names it.
pub fn base_url(headers: &HeaderMap, secure: bool) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some(p) => p.to_owned(),
        None if secure => "https".into(),
        None => "http".into(),
    };
    format!("{scheme}://{host}")
}

/// The script tag of a site, its attributes escaped.
pub fn snippet(base: &str, site: &Site) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let mut tag = format!(r#"<script async src="{}/t.js" data-write-key="{}""#, esc(base), esc(&site.write_key));
    if site.settings.require_consent {
        tag.push_str(r#" data-consent="required""#);
    }
    if !site.settings.honor_dnt {
        tag.push_str(r#" data-dnt="ignore""#);
    }
    tag.push_str("></script>");
    tag
}

pub fn dto(site: Site, base: &str) -> SiteDto {
    SiteDto {
        snippet: snippet(base, &site),
        id: site.id,
        name: site.settings.name,
        write_key: site.write_key,
        allowed_origins: site.settings.allowed_origins,
        require_consent: site.settings.require_consent,
        honor_dnt: site.settings.honor_dnt,
        created_at: leadline_core::date::rfc3339(site.created_at),
        updated_at: leadline_core::date::rfc3339(site.updated_at),
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after.
fn origin(i: usize, raw: &str) -> ApiResult<String> {
    let o = raw.trim().trim_end_matches('/');
    if o == "*" {
        return Ok(o.to_owned());
    }
    let field = format!("allowed_origins[{i}]");
    let bad = || ApiError::invalid(&field, "invalid_origin", format!("{raw:?} is not an origin like https://acme.io"));
    let (scheme, rest) = o.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https")
        || rest.is_empty()
        || rest.contains(['/', '?', '#', '@', ' '])
        || o.len() > 200
        || leadline_core::track::host(o).is_none()
    {
        return Err(bad());
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

fn settings(name: &str, origins: &[String], require_consent: bool, honor_dnt: bool) -> ApiResult<SiteSettings> {
    let name = leadline_core::error::clean_text("name", name)?
        .ok_or_else(|| ApiError::invalid("name", "required", "a site needs a name"))?;
    if name.chars().count() > 200 {
        return Err(ApiError::invalid("name", "too_long", "a site's name is at most 200 characters"));
    }
    if origins.len() > 50 {
        return Err(ApiError::invalid("allowed_origins", "too_many", "at most 50 origins"));
    }
    let mut allowed = Vec::new();
    for (i, o) in origins.iter().enumerate() {
        let o = origin(i, o)?;
        if !allowed.contains(&o) {
            allowed.push(o);
        }
    }
    Ok(SiteSettings { name, allowed_origins: allowed, require_consent, honor_dnt })
}

/// A new write key: 24 random bytes, URL-safe.
fn new_write_key() -> String {
    use base64::Engine as _;
    let bytes: [u8; 24] = rand::random();
    format!("wk_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) async fn create_site(s: &AppState, caller: &Caller, input: SiteInput) -> ApiResult<Site> {
    caller.require(Action::Administer)?;
    let settings = settings(&input.name, &input.allowed_origins, input.require_consent, input.honor_dnt)?;
    Ok(s.store.create_site(&settings, &new_write_key(), crate::now()).await?)
}

pub(crate) async fn update_site(s: &AppState, caller: &Caller, id: &str, patch: SitePatch) -> ApiResult<Site> {
    caller.require(Action::Administer)?;
    let now = s.store.site(id).await?;
    let settings = settings(
        patch.name.as_deref().unwrap_or(&now.settings.name),
        patch.allowed_origins.as_deref().unwrap_or(&now.settings.allowed_origins),
        patch.require_consent.unwrap_or(now.settings.require_consent),
        patch.honor_dnt.unwrap_or(now.settings.honor_dnt),
    )?;
    let site = s.store.update_site(id, &settings, crate::now()).await?;
    s.site_cache.forget(&site.write_key);
    Ok(site)
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "tracking", request_body = SiteInput,
    description = "A site that sends tracking events. The answer carries its write key and the script tag for its pages.",
    responses((status = 201, body = SiteDto), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<SiteDto>)> {
    let input: SiteInput = parse(body)?;
    let site = create_site(&s, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(dto(site, &base_url(&headers, s.config.secure_cookies)))))
}

#[utoipa::path(get, path = "/api/v1/sites", tag = "tracking", responses((status = 200, body = Vec<SiteDto>)))]
pub async fn list(State(s): State<AppState>, caller: Caller, headers: HeaderMap) -> ApiResult<Json<Vec<SiteDto>>> {
    caller.require(Action::Read)?;
    let base = base_url(&headers, s.config.secure_cookies);
    Ok(Json(s.store.sites().await?.into_iter().map(|site| dto(site, &base)).collect()))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "tracking", responses((status = 200, body = SiteDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteDto>> {
    caller.require(Action::Read)?;
    Ok(Json(dto(s.store.site(&id).await?, &base_url(&headers, s.config.secure_cookies))))
}

#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "tracking", request_body = SitePatch,
    responses((status = 200, body = SiteDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<SiteDto>> {
    let patch: SitePatch = parse(body)?;
    let site = update_site(&s, &caller, &id, patch).await?;
    Ok(Json(dto(site, &base_url(&headers, s.config.secure_cookies))))
}

#[utoipa::path(delete, path = "/api/v1/sites/{id}", tag = "tracking",
    description = "The site and its write key: events sent with it are refused from now on. What it sent stays.",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Administer)?;
    let site = s.store.site(&id).await?;
    s.store.delete_site(&id).await?;
    s.site_cache.forget(&site.write_key);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SiteEvents {
    /// The messages as kept: the sender's message with its `messageId`, its `timestamp`
    /// corrected for the sender's clock, and `receivedAt`; oldest first.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    /// `after` for the next page; null on the last.
    pub next_after: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/events", tag = "tracking",
    params(("after" = Option<i64>, Query, description = "next_after of the previous page"), ("limit" = Option<u32>, Query, description = "1-1000, default 100")),
    description = "The events the site sent, as received (kept for a day after they are read): to check an instrumentation.",
    responses((status = 200, body = SiteEvents), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> ApiResult<Json<SiteEvents>> {
    caller.require(Action::Read)?;
    let site = s.store.site(&id).await?;
    let (mut after, mut limit) = (0_i64, 100_u32);
    for (k, v) in super::query_pairs(&uri)? {
        let bad = |what: &str| ApiError::invalid(&k, "invalid_parameter", format!("{k} is {what}"));
        match k.as_str() {
            "after" => {
                after = v.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| bad("a place from next_after"))?
            }
            "limit" => limit = v.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| bad("1 to 1000"))?,
            _ => return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter here"))),
        }
    }
    let rows = s.store.inbox_after(Some(&site.id), after, limit + 1).await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    Ok(Json(SiteEvents {
        next_after: if more { rows.last().map(|r| r.seq) } else { None },
        items: rows.iter().filter_map(|r| serde_json::from_str(&r.row.body).ok()).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TouchDto {
    pub at: String,
    /// paid_search, paid_social, organic_search, organic_social, email, content, display,
    /// events, referral, partner, purchased_list, chat or direct.
    pub channel: String,
    pub source: String,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub referrer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VisitorDto {
    pub id: String,
    pub site_id: String,
    pub anonymous_id: String,
    pub contact_id: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub first_touch: Option<TouchDto>,
    pub latest_touch: Option<TouchDto>,
}

pub fn touch_dto(t: &leadline_core::track::Timed) -> TouchDto {
    TouchDto {
        at: leadline_core::date::rfc3339(t.at),
        channel: t.touch.channel.to_owned(),
        source: t.touch.source.clone(),
        medium: t.touch.medium.clone(),
        campaign: t.touch.campaign.clone(),
        referrer: t.touch.referrer.clone(),
    }
}

fn visitor_dto(v: Visitor) -> VisitorDto {
    VisitorDto {
        first_touch: v.first_touch.as_ref().map(touch_dto),
        latest_touch: v.latest_touch.as_ref().map(touch_dto),
        id: v.id,
        site_id: v.site_id,
        anonymous_id: v.anonymous_id,
        contact_id: v.contact_id,
        first_seen: leadline_core::date::rfc3339(v.first_seen),
        last_seen: leadline_core::date::rfc3339(v.last_seen),
    }
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}/visitors", tag = "tracking",
    description = "The contact's visitors: each browser (cookie) on each site that turned out to be this contact, with its first and latest touch.",
    responses((status = 200, body = Vec<VisitorDto>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn visitors(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VisitorDto>>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.visitors_of(&id).await?.into_iter().map(visitor_dto).collect()))
}

#[utoipa::path(delete, path = "/api/v1/visitors/{id}/contact", tag = "tracking",
    description = "Undo a stitch: the visitor is anonymous again and the activities it brought leave the contact (an `identified` entry on the timeline says so).",
    responses((status = 200, body = VisitorDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn unlink(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<VisitorDto>> {
    caller.require(Action::Write)?;
    let v = s.store.unlink_visitor(&id, crate::now()).await?;
    s.engine_wake.notify_one();
    Ok(Json(visitor_dto(v)))
}
