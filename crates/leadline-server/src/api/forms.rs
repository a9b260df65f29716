//! `/api/v1/forms`: forms hosted at `/f/{slug}` (see `crate::forms`), with their views,
//! submissions and conversion rate.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::get;
use axum::{Json, Router};
use leadline_core::role::Action;
use leadline_store::{FormRow, Hosted};
use serde::Serialize;
use utoipa::ToSchema;

use super::{parse, JsonBody};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::forms::{read_form, FormBody};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/forms", get(list).post(create)).route("/forms/{id}", get(get_one).put(replace).delete(remove))
}

#[derive(Serialize, ToSchema)]
pub struct FormDto {
    pub id: String,
    #[serde(flatten)]
    pub body: FormBody,
    /// The hosted form's address.
    pub url: String,
    /// An iframe for the site's pages; with the tracker script on the page, the form knows the
    /// visitor and the campaign they came from.
    pub embed: String,
    /// In the last `days` (30 unless asked): views of the form, submissions, and submissions
    /// per view.
    pub views: i64,
    pub submissions: i64,
    pub conversion_rate: Option<f64>,
    pub created_at: String,
    pub updated_at: String,
}

pub async fn dto(s: &AppState, row: FormRow, base: &str, days: i64) -> ApiResult<FormDto> {
    let (body, _) = crate::forms::parse(&row)?;
    let today = crate::now().div_euclid(86_400_000);
    let counts = s.store.conversions(&row.id, today - days + 1).await?;
    let (views, submissions) = counts.iter().fold((0, 0), |(v, n), (_, c)| (v + c.views, n + c.submissions));
    let url = format!("{base}/f/{}", body.slug);
    Ok(FormDto {
        id: row.id,
        embed: format!(
            r#"<iframe data-leadline-form src="{url}" title="{}" style="width:100%;min-height:480px;border:0"></iframe>"#,
            body.name.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
        ),
        url,
        body,
        views,
        submissions,
        conversion_rate: (views > 0).then(|| submissions as f64 / views as f64),
        created_at: leadline_core::date::rfc3339(row.created_at),
        updated_at: leadline_core::date::rfc3339(row.updated_at),
    })
}

pub(crate) async fn save(s: &AppState, caller: &Caller, id: Option<&str>, body: FormBody) -> ApiResult<FormRow> {
    caller.require(Action::Write)?;
    read_form(s, &body).await?;
    let row = FormRow {
        slug: body.slug.clone(),
        name: body.name.trim().to_owned(),
        site_id: body.site_id.clone(),
        body: serde_json::to_string(&body)
            .map_err(|e| crate::error::ApiError::bad_request("invalid_form", e.to_string()))?,
        ..Default::default()
    };
    Ok(s.store.save_form(Hosted::Form, id, &row, crate::now()).await?)
}

fn base(s: &AppState, headers: &HeaderMap) -> String {
    super::sites::base_url(headers, s.config.secure_cookies)
}

#[utoipa::path(post, path = "/api/v1/forms", tag = "forms", request_body = FormBody,
    description = "A form hosted at /f/{slug}: fields mapped to contact fields and properties, consents with their wording, a thank-you message or a redirect. Submissions make or update the contact, stitch the visitor and record a form_submission touch.",
    responses((status = 201, body = FormDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<FormDto>)> {
    let body: FormBody = parse(body)?;
    let row = save(&s, &caller, None, body).await?;
    Ok((StatusCode::CREATED, Json(dto(&s, row, &base(&s, &headers), 30).await?)))
}

#[utoipa::path(put, path = "/api/v1/forms/{id}", tag = "forms", request_body = FormBody,
    responses((status = 200, body = FormDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn replace(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<FormDto>> {
    let body: FormBody = parse(body)?;
    s.store.form(Hosted::Form, &id).await?;
    let row = save(&s, &caller, Some(&id), body).await?;
    Ok(Json(dto(&s, row, &base(&s, &headers), 30).await?))
}

#[utoipa::path(get, path = "/api/v1/forms", tag = "forms",
    params(("days" = Option<u32>, Query, description = "the period of the counts, 1-365 days; default 30")),
    responses((status = 200, body = Vec<FormDto>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Json<Vec<FormDto>>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&super::query_pairs(&uri)?)?;
    let mut out = Vec::new();
    for row in s.store.forms(Hosted::Form).await? {
        out.push(dto(&s, row, &base(&s, &headers), days).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/forms/{id}", tag = "forms",
    params(("days" = Option<u32>, Query, description = "the period of the counts, 1-365 days; default 30")),
    responses((status = 200, body = FormDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<FormDto>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&super::query_pairs(&uri)?)?;
    let row = s.store.form(Hosted::Form, &id).await?;
    Ok(Json(dto(&s, row, &base(&s, &headers), days).await?))
}

#[utoipa::path(delete, path = "/api/v1/forms/{id}", tag = "forms",
    description = "The form: its address answers 404 from now on. What it brought stays.",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_form(Hosted::Form, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
