//! Landing pages hosted at `/p/{slug}`: blocks (a headline, text, an image, a call to action,
//! a form), an optional B variant shown to a share of visitors (each visitor keeps the variant
//! they were shown), and per variant the views, clicks on the call to action (counted on the
//! way through `/p/{slug}/go/{block}`, which only leads where the page says) and form
//! submissions, for the conversion rate. The page carries the site's tracker, so its views are
//! touches and its forms know the visitor.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leadline_store::{Conversions, FormRow, Hosted};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Kind};
use crate::web::view::Tr;
use crate::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// headline, text, image, cta or form.
    pub kind: String,
    /// The words: a headline's, a paragraph's, an image's description, a button's label.
    #[serde(default)]
    pub text: Option<String>,
    /// An image's address, or where a call to action leads (http(s), or a path of this site).
    #[serde(default)]
    pub url: Option<String>,
    /// A form block's form (its slug).
    #[serde(default)]
    pub form: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageBody {
    pub name: String,
    /// The page's address: `/p/{slug}`.
    pub slug: String,
    pub site_id: String,
    pub blocks: Vec<Block>,
    /// A second version of the blocks, shown to `split_b` percent of visitors.
    #[serde(default)]
    pub variant_b: Option<Vec<Block>>,
    #[serde(default = "half")]
    pub split_b: u8,
}

fn half() -> u8 {
    50
}

pub const BLOCK_KINDS: [&str; 5] = ["headline", "text", "image", "cta", "form"];
const MAX_BLOCKS: usize = 50;

fn check_blocks(s_forms: &[FormRow], blocks: &[Block], field: &str) -> ApiResult<()> {
    if blocks.is_empty() || blocks.len() > MAX_BLOCKS {
        return Err(ApiError::invalid(field, "invalid_blocks", format!("a page has 1 to {MAX_BLOCKS} blocks")));
    }
    for (i, b) in blocks.iter().enumerate() {
        let at = |k: &str| format!("{field}[{i}].{k}");
        let text = b.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > 5_000) {
            return Err(ApiError::invalid(&at("text"), "too_long", "a block's text is at most 5,000 characters"));
        }
        let url_ok = |u: &str| {
            (leadline_core::track::host(u).is_some() || u.starts_with('/') && !u.starts_with("//")) && u.len() <= 2000
        };
        match b.kind.as_str() {
            "headline" | "text" if text.is_none() => {
                return Err(ApiError::invalid(&at("text"), "required", "this block needs its text"))
            }
            "image" | "cta" if !b.url.as_deref().is_some_and(url_ok) => {
                return Err(ApiError::invalid(&at("url"), "invalid_url", "an http(s) address or a path"))
            }
            "cta" if text.is_none() => {
                return Err(ApiError::invalid(&at("text"), "required", "a button needs a label"))
            }
            "form" if !b.form.as_ref().is_some_and(|f| s_forms.iter().any(|x| &x.slug == f)) => {
                return Err(ApiError::invalid(&at("form"), "unknown_reference", "a form block names one of the forms"))
            }
            k if !BLOCK_KINDS.contains(&k) => {
                return Err(ApiError::invalid(
                    &at("kind"),
                    "invalid_kind",
                    "kind is headline, text, image, cta or form",
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Check a page's body.
pub async fn read_page(s: &AppState, body: &PageBody) -> ApiResult<()> {
    if leadline_core::error::clean_text("name", &body.name)?.is_none() {
        return Err(ApiError::invalid("name", "required", "a page needs a name"));
    }
    let slug_ok = !body.slug.is_empty()
        && body.slug.len() <= 64
        && body.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return Err(ApiError::invalid("slug", "invalid_slug", "a slug is 1-64 lowercase letters, digits and dashes"));
    }
    if s.store.site(&body.site_id).await.is_err() {
        return Err(ApiError::invalid("site_id", "unknown_reference", format!("there is no site {}", body.site_id)));
    }
    let forms = s.store.forms(Hosted::Form).await?;
    check_blocks(&forms, &body.blocks, "blocks")?;
    if let Some(b) = &body.variant_b {
        check_blocks(&forms, b, "variant_b")?;
    }
    if body.split_b > 100 {
        return Err(ApiError::invalid("split_b", "invalid_number", "split_b is a percentage, 0 to 100"));
    }
    Ok(())
}

pub fn parse(row: &FormRow) -> ApiResult<PageBody> {
    serde_json::from_str(&row.body)
        .map_err(|e| ApiError::new(Kind::Internal, "corrupt_page", format!("page {}: {e}", row.id)))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/p/{slug}", get(show)).route("/p/{slug}/go/{block}", get(go))
}

struct Shown {
    kind: String,
    text: String,
    url: String,
    href: String,
}

#[derive(Template)]
#[template(path = "landing_public.html")]
struct LandingPage {
    tr: Tr,
    title: String,
    blocks: Vec<Shown>,
    write_key: String,
}

/// The variant a visitor is shown: the one they were shown before, else drawn by the split.
fn variant(headers: &HeaderMap, id: &str, page: &PageBody) -> (&'static str, bool) {
    if page.variant_b.is_none() {
        return ("a", false);
    }
    match crate::auth::cookie(headers, &format!("ll_v_{id}")) {
        Some("a") => ("a", false),
        Some("b") => ("b", false),
        _ => (if rand::random::<u8>() % 100 < page.split_b { "b" } else { "a" }, true),
    }
}

async fn load(s: &AppState, slug: &str) -> ApiResult<(FormRow, PageBody)> {
    let row = s.store.form_by_slug(Hosted::Page, slug).await?.ok_or_else(|| ApiError::not_found("page", slug))?;
    let body = parse(&row)?;
    Ok((row, body))
}

async fn show(State(s): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (row, page) = load(&s, &slug).await?;
    let site = s.store.site(&row.site_id).await?;
    let (v, new) = variant(&headers, &row.id, &page);
    let blocks = if v == "b" { page.variant_b.as_deref().unwrap_or(&page.blocks) } else { &page.blocks };
    let shown = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| Shown {
            kind: b.kind.clone(),
            text: b.text.clone().unwrap_or_default(),
            url: b.url.clone().unwrap_or_default(),
            href: match b.kind.as_str() {
                "cta" => format!("/p/{slug}/go/{i}?v={v}"),
                "form" => format!("/f/{}?lp={}&v={v}", b.form.as_deref().unwrap_or_default(), row.id),
                _ => String::new(),
            },
        })
        .collect();
    let day = crate::now().div_euclid(86_400_000);
    s.store.count_conversion(&row.id, v, day, Conversions { views: 1, ..Default::default() }).await?;
    let tr = Tr { locale: crate::web::locale_from_headers(&headers) };
    let mut resp =
        crate::web::render(&LandingPage { tr, title: page.name.clone(), blocks: shown, write_key: site.write_key });
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src * data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if new {
        let cookie = format!("ll_v_{}={v}; Path=/p/{slug}; Max-Age=2592000; SameSite=Lax", row.id);
        if let Ok(c) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, c);
        }
    }
    Ok(resp)
}

/// A call to action clicked: counted for the variant, then on to where the page says.
async fn go(
    State(s): State<AppState>,
    Path((slug, block)): Path<(String, usize)>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let (row, page) = load(&s, &slug).await?;
    let pairs = crate::api::query_pairs(&uri).unwrap_or_default();
    let v = if pairs.iter().any(|(k, v)| k == "v" && v == "b") && page.variant_b.is_some() { "b" } else { "a" };
    let blocks = if v == "b" { page.variant_b.as_deref().unwrap_or(&page.blocks) } else { &page.blocks };
    let Some(url) = blocks.get(block).filter(|b| b.kind == "cta").and_then(|b| b.url.clone()) else {
        return Err(ApiError::not_found("call to action", &block.to_string()));
    };
    let day = crate::now().div_euclid(86_400_000);
    s.store.count_conversion(&row.id, v, day, Conversions { clicks: 1, ..Default::default() }).await?;
    Ok((StatusCode::FOUND, Redirect::to(&url)).into_response())
}

/// A form on a landing page was submitted: counted for the page's variant.
pub async fn count_submission(s: &AppState, page_id: &str, variant: &str) {
    let v = if variant == "b" { "b" } else { "a" };
    if s.store.form(Hosted::Page, page_id).await.is_ok() {
        let day = crate::now().div_euclid(86_400_000);
        let _ = s.store.count_conversion(page_id, v, day, Conversions { submissions: 1, ..Default::default() }).await;
    }
}
