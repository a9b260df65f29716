//! Forms: what a form is on the wire (`FormBody`, checked by `read_form`), the hosted page
//! `/f/{slug}` (embeddable in the site's pages as an iframe, which the tracker script tells
//! who is visiting and from which campaign), and what a submission does: it is checked (the
//! core's rules, a honeypot, a rate per address), then kept as tracking messages (an identify
//! with the answers and consents, a `Form Submitted` track with the page and campaign) by the
//! same durable group commit as any event. The tracker makes or finds the contact, stitches
//! the visitor, records the `form_submission` touch, and the engine makes a subscriber a lead.

use askama::Template;
use axum::extract::{FromRequest, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leadline_core::form::{check_answers, fields_to_ask, FormField, InputKind};
use leadline_core::record::ObjectKind;
use leadline_store::{Conversions, FormRow, Hosted, Site};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Kind};
use crate::web::view::Tr;
use crate::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDto {
    /// What the answer fills: `email`, `phone`, a contact field (`first_name`, `job_title`,
    /// `company_name`, `country`, ...) or a custom contact property (`properties.budget`).
    pub target: String,
    pub label: String,
    /// text, email, phone, textarea, select or checkbox.
    #[serde(default = "text_kind")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    /// The choices of a select.
    #[serde(default)]
    pub options: Vec<String>,
    /// Asked only of someone known whose contact lacks it, in place of what they already
    /// answered.
    #[serde(default)]
    pub progressive: bool,
}

fn text_kind() -> String {
    "text".into()
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentDto {
    /// email, phone or chat.
    pub channel: String,
    /// The sentence beside the checkbox; kept with the consent it gives.
    pub wording: String,
    #[serde(default)]
    pub required: bool,
}

/// What a form asks and what happens after.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormBody {
    pub name: String,
    /// The form's address: `/f/{slug}`; lowercase letters, digits and dashes.
    pub slug: String,
    /// The site whose visitors fill it in (its events are that site's).
    pub site_id: String,
    pub fields: Vec<FieldDto>,
    #[serde(default)]
    pub consent: Vec<ConsentDto>,
    /// Shown after a submission (when there is no redirect).
    #[serde(default)]
    pub thank_you: Option<String>,
    /// Where the visitor goes after a submission, instead of the thank-you message.
    #[serde(default)]
    pub redirect_url: Option<String>,
    #[serde(default)]
    pub submit_label: Option<String>,
}

/// The most rows the builder reads.
pub const MAX_ROWS: usize = 40;

/// Contact fields a form may fill besides e-mail and phone.
pub const FIELD_TARGETS: &[&str] =
    &["first_name", "last_name", "job_title", "company_name", "country", "region", "city", "postal_code", "language"];

/// Check a form's body against what it may fill; the core's `FormField`s out.
pub async fn read_form(s: &AppState, body: &FormBody) -> ApiResult<Vec<FormField>> {
    let bad = |field: &str, code: &str, message: String| Err(ApiError::invalid(field, code, message));
    if leadline_core::error::clean_text("name", &body.name)?.is_none() {
        return bad("name", "required", "a form needs a name".into());
    }
    let slug_ok = !body.slug.is_empty()
        && body.slug.len() <= 64
        && body.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return bad("slug", "invalid_slug", "a slug is 1-64 lowercase letters, digits and dashes".into());
    }
    if s.store.site(&body.site_id).await.is_err() {
        return bad("site_id", "unknown_reference", format!("there is no site {}", body.site_id));
    }
    if body.fields.is_empty() || body.fields.len() > leadline_core::form::MAX_FIELDS {
        return bad("fields", "invalid_fields", format!("a form has 1 to {} fields", leadline_core::form::MAX_FIELDS));
    }
    let props = s.store.properties(Some(ObjectKind::Contact)).await?;
    let mut out: Vec<FormField> = Vec::new();
    for (i, f) in body.fields.iter().enumerate() {
        let at = |k: &str| format!("fields[{i}].{k}");
        let Some(kind) = InputKind::parse(&f.kind) else {
            return bad(&at("kind"), "invalid_kind", "kind is text, email, phone, textarea, select or checkbox".into());
        };
        let target_ok = match f.target.strip_prefix("properties.") {
            Some(p) => props.iter().any(|d| d.name == p),
            None => matches!(f.target.as_str(), "email" | "phone") || FIELD_TARGETS.contains(&f.target.as_str()),
        };
        if !target_ok {
            return bad(
                &at("target"),
                "unknown_field",
                format!("{:?} is not a contact field or property a form can fill", f.target),
            );
        }
        if (f.target == "email") != (kind == InputKind::Email) {
            return bad(&at("kind"), "invalid_kind", "the email field, and only it, is of kind email".into());
        }
        if out.iter().any(|o| o.target == f.target) {
            return bad(&at("target"), "duplicate_field", format!("{} is asked twice", f.target));
        }
        if kind == InputKind::Select && (f.options.is_empty() || f.options.len() > 100) {
            return bad(&at("options"), "invalid_options", "a select has 1 to 100 options".into());
        }
        let label = leadline_core::error::clean_text(&at("label"), &f.label)?
            .ok_or_else(|| ApiError::invalid(&at("label"), "required", "a field needs a label"))?;
        if label.chars().count() > 200 || f.options.iter().any(|o| o.is_empty() || o.chars().count() > 200) {
            return bad(&at("label"), "too_long", "labels and options are at most 200 characters".into());
        }
        out.push(FormField {
            target: f.target.clone(),
            label,
            kind,
            required: f.required,
            options: f.options.clone(),
            progressive: f.progressive,
        });
    }
    if !out.iter().any(|f| f.kind == InputKind::Email && f.required && !f.progressive) {
        return bad("fields", "email_required", "a form asks for the e-mail (required): it says who submits".into());
    }
    for (i, c) in body.consent.iter().enumerate() {
        if !matches!(c.channel.as_str(), "email" | "phone" | "chat") {
            return bad(&format!("consent[{i}].channel"), "invalid_channel", "channel is email, phone or chat".into());
        }
        let n = c.wording.trim().chars().count();
        if n == 0 || n > 1000 {
            return bad(&format!("consent[{i}].wording"), "invalid_wording", "the wording is 1-1000 characters".into());
        }
    }
    if let Some(url) = &body.redirect_url {
        if leadline_core::track::host(url).is_none() || url.len() > 2000 {
            return bad("redirect_url", "invalid_url", "redirect_url is an http(s) address".into());
        }
    }
    if body.thank_you.as_ref().is_some_and(|t| t.chars().count() > 2000) {
        return bad("thank_you", "too_long", "the thank-you message is at most 2000 characters".into());
    }
    Ok(out)
}

/// A kept form read back: its body and the core's fields.
pub fn parse(row: &FormRow) -> Result<(FormBody, Vec<FormField>), ApiError> {
    let body: FormBody = serde_json::from_str(&row.body)
        .map_err(|e| ApiError::new(Kind::Internal, "corrupt_form", format!("form {}: {e}", row.id)))?;
    let fields = body
        .fields
        .iter()
        .map(|f| FormField {
            target: f.target.clone(),
            label: f.label.clone(),
            kind: InputKind::parse(&f.kind).unwrap_or(InputKind::Text),
            required: f.required,
            options: f.options.clone(),
            progressive: f.progressive,
        })
        .collect();
    Ok((body, fields))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/f/{slug}", get(page).post(submit))
}

/// The page's context, from its query or its hidden fields: who (the tracker's anonymous id),
/// where (the page that embeds it, its referrer) and which campaign.
#[derive(Debug, Default, Clone)]
struct Visit {
    aid: String,
    page: String,
    referrer: String,
    utm: Vec<(&'static str, String)>,
    /// The landing page the form is on, and its variant.
    landing: String,
    variant: String,
}

const UTM: [&str; 5] = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

impl Visit {
    fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        let short = |v: Option<String>, max: usize| v.map(|v| v.trim().chars().take(max).collect()).unwrap_or_default();
        let aid: String = short(get("aid"), 100);
        Visit {
            aid: if aid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                aid
            } else {
                String::new()
            },
            page: short(get("page"), 2000),
            referrer: short(get("ref"), 2000),
            utm: UTM.iter().map(|k| (*k, short(get(k), 200))).filter(|(_, v)| !v.is_empty()).collect(),
            landing: short(get("lp"), 64),
            variant: short(get("v"), 1),
        }
    }
}

#[derive(Template)]
#[template(path = "form_public.html")]
struct FormPage {
    tr: Tr,
    title: String,
    slug: String,
    fields: Vec<ShownField>,
    consent: Vec<(usize, String, bool)>,
    submit: String,
    visit: Visit,
    errors: Vec<(String, String)>,
    thanks: Option<String>,
}

struct ShownField {
    name: String,
    label: String,
    kind: &'static str,
    required: bool,
    options: Vec<String>,
    value: String,
    error: Option<String>,
}

/// What the contact the visitor turned out to be already says (for progressive profiling).
async fn known_targets(s: &AppState, site: &str, aid: &str) -> Vec<String> {
    if aid.is_empty() {
        return Vec::new();
    }
    let Ok(Some(v)) = s.store.visitor_by_anonymous_id(site, aid).await else { return Vec::new() };
    let Some(contact) = v.contact_id else { return Vec::new() };
    let Ok(r) = s.store.get(ObjectKind::Contact, &contact).await else { return Vec::new() };
    let mut known: Vec<String> = r.fields.iter().filter(|(_, v)| v.is_some()).map(|(f, _)| f.name.to_owned()).collect();
    known.extend(r.properties.keys().map(|k| format!("properties.{k}")));
    if !r.emails.is_empty() {
        known.push("email".into());
    }
    if !r.phones.is_empty() {
        known.push("phone".into());
    }
    known
}

/// Frames may show the form only on the site's own pages; a redirect after it may leave.
fn secure(mut resp: Response, site: &Site, redirect: Option<&str>) -> Response {
    let ancestors = if site.settings.allowed_origins.is_empty() {
        "'none'".to_owned()
    } else {
        site.settings
            .allowed_origins
            .iter()
            .map(|o| if o == "*" { "*" } else { o.as_str() })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let action = redirect
        .and_then(|r| {
            r.split_once("://").map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or("")))
        })
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; img-src 'self' data:; frame-ancestors {ancestors}; form-action 'self'{action}; base-uri 'none'"
    );
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    resp
}

async fn load(s: &AppState, slug: &str) -> ApiResult<(FormRow, FormBody, Vec<FormField>, Site)> {
    let row = s.store.form_by_slug(Hosted::Form, slug).await?.ok_or_else(|| ApiError::not_found("form", slug))?;
    let (body, fields) = parse(&row)?;
    let site = s.store.site(&row.site_id).await?;
    Ok((row, body, fields, site))
}

#[allow(clippy::too_many_arguments)]
fn render_page(
    tr: Tr,
    body: &FormBody,
    asked: &[&FormField],
    visit: Visit,
    values: &dyn Fn(&str) -> String,
    errors: Vec<(String, String)>,
    thanks: Option<String>,
) -> FormPage {
    let fields = asked
        .iter()
        .map(|f| ShownField {
            name: f.target.clone(),
            label: f.label.clone(),
            kind: f.kind.as_str(),
            required: f.required,
            options: f.options.clone(),
            value: values(&f.target),
            error: errors.iter().find(|(k, _)| *k == f.target).map(|(_, m)| m.clone()),
        })
        .collect();
    FormPage {
        title: body.name.clone(),
        slug: body.slug.clone(),
        fields,
        consent: body.consent.iter().enumerate().map(|(i, c)| (i, c.wording.clone(), c.required)).collect(),
        submit: body.submit_label.clone().unwrap_or_else(|| tr.t("form-submit")),
        visit,
        errors,
        thanks,
        tr,
    }
}

async fn page(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let (row, body, fields, site) = load(&s, &slug).await?;
    let pairs = crate::api::query_pairs(&uri).unwrap_or_default();
    let visit = Visit::read(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    let known = known_targets(&s, &site.id, &visit.aid).await;
    let asked = fields_to_ask(&fields, |t| known.iter().any(|k| k == t));
    let day = crate::now().div_euclid(86_400_000);
    s.store.count_conversion(&row.id, "", day, Conversions { views: 1, ..Default::default() }).await?;
    let tr = Tr { locale: crate::web::locale_from_headers(&headers) };
    let page = render_page(tr, &body, &asked, visit, &|_| String::new(), Vec::new(), None);
    Ok(secure(crate::web::render(&page), &site, body.redirect_url.as_deref()))
}

/// The honeypot: a field people do not see; what fills it is a bot.
const HONEYPOT: &str = "website_url";

async fn submit(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    if let Some(ip) = peer {
        s.form_limiter.check(&ip.to_string()).map_err(|_| {
            ApiError::new(Kind::RateLimited, "rate_limited", "too many submissions from this address; wait a minute")
        })?;
    }
    let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, &s)
        .await
        .map_err(|e| ApiError::bad_request("invalid_form", e.body_text()))?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (row, body, fields, site) = load(&s, &slug).await?;
    let tr = Tr { locale: crate::web::locale_from_headers(&headers) };
    let visit = Visit::read(get);
    let thanks = || body.thank_you.clone().unwrap_or_else(|| tr.t("form-thanks"));
    if get(HONEYPOT).is_some_and(|v| !v.is_empty()) {
        // A bot: it is thanked, and nothing is kept.
        let page = render_page(tr, &body, &[], visit, &|_| String::new(), Vec::new(), Some(thanks()));
        return Ok(secure(crate::web::render(&page), &site, None));
    }
    let known = known_targets(&s, &site.id, &visit.aid).await;
    let asked = fields_to_ask(&fields, |t| known.iter().any(|k| k == t));
    let answers = match check_answers(
        &fields,
        |f| asked.iter().any(|a| a.target == f.target),
        |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()),
    ) {
        Ok(a) => a,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|e| (e.field.clone(), crate::web::view::error_text(&tr, &ApiError::from(e))))
                .collect();
            let values = |k: &str| get(k).unwrap_or_default();
            let page = render_page(tr, &body, &asked, visit, &values, errors, None);
            let mut resp = crate::web::render(&page);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(secure(resp, &site, None));
        }
    };
    let mut missing_consent = None;
    let mut consents = Vec::new();
    for (i, c) in body.consent.iter().enumerate() {
        let granted = get(&format!("consent_{i}")).is_some();
        if c.required && !granted {
            missing_consent = Some(i);
        }
        consents.push(
            json!({"channel": c.channel, "granted": granted, "origin": format!("form {}: {}", body.slug, c.wording)}),
        );
    }
    if let Some(i) = missing_consent {
        let errors = vec![(format!("consent_{i}"), tr.t("form-consent-required"))];
        let values = |k: &str| get(k).unwrap_or_default();
        let page = render_page(tr, &body, &asked, visit, &values, errors, None);
        let mut resp = crate::web::render(&page);
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(secure(resp, &site, None));
    }
    let mut traits = Map::new();
    let mut properties = Map::new();
    for (f, v) in &answers {
        match f.target.strip_prefix("properties.") {
            Some(p) => {
                properties.insert(p.to_owned(), v.clone().into());
            }
            None => {
                traits.insert(f.target.clone(), v.clone().into());
            }
        }
    }
    if !properties.is_empty() {
        traits.insert("properties".into(), properties.into());
    }
    traits.insert("consent".into(), consents.into());
    let now = crate::now();
    let anonymous_id = if visit.aid.is_empty() { uuid::Uuid::now_v7().to_string() } else { visit.aid.clone() };
    let page_url = if visit.page.is_empty() { format!("/f/{}", body.slug) } else { visit.page.clone() };
    let mut campaign = Map::new();
    for (k, v) in &visit.utm {
        let key = match *k {
            "utm_campaign" => "name",
            other => other.trim_start_matches("utm_"),
        };
        campaign.insert(key.into(), v.clone().into());
    }
    let mut context =
        json!({"page": {"url": page_url, "referrer": visit.referrer}, "library": {"name": "leadline-form"}});
    if !campaign.is_empty() {
        context["campaign"] = campaign.into();
    }
    let identify = json!({"type": "identify", "anonymousId": anonymous_id, "traits": traits, "context": context});
    let track = json!({
        "type": "track", "anonymousId": anonymous_id, "event": "Form Submitted", "context": context,
        "properties": {"form_id": row.id, "form": body.name, "slug": body.slug,
                       "answers": answers.iter().map(|(f, _)| f.target.clone()).collect::<Vec<_>>()},
    });
    let mut rows = Vec::new();
    for m in [identify, track] {
        rows.push(crate::tracking::read_message(m, None, None, now, &site.id)?);
    }
    s.ingest.keep(s.store.as_ref(), rows).await.map_err(|e| {
        tracing::warn!(error = %e, "a form submission was not kept");
        ApiError::new(Kind::Internal, "not_kept", "the submission could not be kept; send it again")
    })?;
    s.tracker_wake.notify_one();
    let day = now.div_euclid(86_400_000);
    s.store.count_conversion(&row.id, "", day, Conversions { submissions: 1, ..Default::default() }).await?;
    if !visit.landing.is_empty() {
        crate::pages::count_submission(&s, &visit.landing, &visit.variant).await;
    }
    if let Some(url) = &body.redirect_url {
        return Ok(secure(Redirect::to(url).into_response(), &site, Some(url)));
    }
    let page = render_page(tr, &body, &[], visit, &|_| String::new(), Vec::new(), Some(thanks()));
    Ok(secure(crate::web::render(&page), &site, None))
}
