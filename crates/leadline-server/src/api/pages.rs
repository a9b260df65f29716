//! `/api/v1/pages`: landing pages hosted at `/p/{slug}` (see `crate::pages`), with views,
//! call-to-action clicks, submissions and conversion per variant.

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
use crate::pages::{read_page, PageBody};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/pages", get(list).post(create)).route("/pages/{id}", get(get_one).put(replace).delete(remove))
}

#[derive(Serialize, ToSchema)]
pub struct VariantStats {
    /// a, or b.
    pub variant: String,
    pub views: i64,
    pub clicks: i64,
    pub submissions: i64,
    /// Submissions per view.
    pub conversion_rate: Option<f64>,
    /// Clicks on the calls to action per view.
    pub click_rate: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct PageDto {
    pub id: String,
    #[serde(flatten)]
    pub body: PageBody,
    pub url: String,
    /// In the last `days` (30 unless asked), per variant.
    pub variants: Vec<VariantStats>,
    pub created_at: String,
    pub updated_at: String,
}

pub async fn dto(s: &AppState, row: FormRow, base: &str, days: i64) -> ApiResult<PageDto> {
    let body = crate::pages::parse(&row)?;
    let today = crate::now().div_euclid(86_400_000);
    let counts = s.store.conversions(&row.id, today - days + 1).await?;
    let mut variants: Vec<&str> = vec!["a"];
    if body.variant_b.is_some() {
        variants.push("b");
    }
    let rate = |n: i64, views: i64| (views > 0).then(|| n as f64 / views as f64);
    let variants = variants
        .into_iter()
        .map(|v| {
            let c = counts.iter().find(|(name, _)| name == v).map(|(_, c)| *c).unwrap_or_default();
            VariantStats {
                variant: v.to_owned(),
                views: c.views,
                clicks: c.clicks,
                submissions: c.submissions,
                conversion_rate: rate(c.submissions, c.views),
                click_rate: rate(c.clicks, c.views),
            }
        })
        .collect();
    Ok(PageDto {
        url: format!("{base}/p/{}", body.slug),
        id: row.id,
        body,
        variants,
        created_at: leadline_core::date::rfc3339(row.created_at),
        updated_at: leadline_core::date::rfc3339(row.updated_at),
    })
}

pub(crate) async fn save(s: &AppState, caller: &Caller, id: Option<&str>, body: PageBody) -> ApiResult<FormRow> {
    caller.require(Action::Write)?;
    read_page(s, &body).await?;
    let row = FormRow {
        slug: body.slug.clone(),
        name: body.name.trim().to_owned(),
        site_id: body.site_id.clone(),
        body: serde_json::to_string(&body)
            .map_err(|e| crate::error::ApiError::bad_request("invalid_page", e.to_string()))?,
        ..Default::default()
    };
    Ok(s.store.save_form(Hosted::Page, id, &row, crate::now()).await?)
}

fn base(s: &AppState, headers: &HeaderMap) -> String {
    super::sites::base_url(headers, s.config.secure_cookies)
}

#[utoipa::path(post, path = "/api/v1/pages", tag = "pages", request_body = PageBody,
    description = "A landing page hosted at /p/{slug}: blocks (headline, text, image, cta, form) and an optional B variant shown to split_b percent of visitors.",
    responses((status = 201, body = PageDto), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<PageDto>)> {
    let row = save(&s, &caller, None, parse(body)?).await?;
    Ok((StatusCode::CREATED, Json(dto(&s, row, &base(&s, &headers), 30).await?)))
}

#[utoipa::path(put, path = "/api/v1/pages/{id}", tag = "pages", request_body = PageBody,
    responses((status = 200, body = PageDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn replace(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<PageDto>> {
    s.store.form(Hosted::Page, &id).await?;
    let row = save(&s, &caller, Some(&id), parse(body)?).await?;
    Ok(Json(dto(&s, row, &base(&s, &headers), 30).await?))
}

#[utoipa::path(get, path = "/api/v1/pages", tag = "pages",
    params(("days" = Option<u32>, Query, description = "the period of the counts, 1-365 days; default 30")),
    responses((status = 200, body = Vec<PageDto>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Json<Vec<PageDto>>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&super::query_pairs(&uri)?)?;
    let mut out = Vec::new();
    for row in s.store.forms(Hosted::Page).await? {
        out.push(dto(&s, row, &base(&s, &headers), days).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/pages/{id}", tag = "pages",
    params(("days" = Option<u32>, Query, description = "the period of the counts, 1-365 days; default 30")),
    responses((status = 200, body = PageDto), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<PageDto>> {
    caller.require(Action::Read)?;
    let days = super::days_param(&super::query_pairs(&uri)?)?;
    let row = s.store.form(Hosted::Page, &id).await?;
    Ok(Json(dto(&s, row, &base(&s, &headers), days).await?))
}

#[utoipa::path(delete, path = "/api/v1/pages/{id}", tag = "pages", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    caller.require(Action::Write)?;
    s.store.delete_form(Hosted::Page, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
