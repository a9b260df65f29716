//! The forms screens: every form with its address, embed code, views, submissions and
//! conversion rate; and the builder (`/forms/new`, `/forms/{id}`): a row per field (what it
//! fills, its label and kind, required, asked progressively), consents with their wording, the
//! thank-you message or redirect. Refused input is shown at its row, the form kept as typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::form::InputKind;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::Hosted;

use super::auth::FormErrors;
use super::view::{Shell, Tr};
use super::{render, Fields, PageResult, Posted, Viewer};
use crate::api::forms::{dto, save, FormDto};
use crate::forms::{ConsentDto, FieldDto, FormBody};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(list))
        .route("/forms/new", get(new).post(create))
        .route("/forms/{id}", get(edit).post(update))
        .route("/forms/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "forms.html")]
struct ListPage {
    p: Shell,
    forms: Vec<(FormDto, String)>,
}

async fn list(State(s): State<AppState>, v: Viewer, headers: HeaderMap) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let base = crate::api::sites::base_url(&headers, s.config.secure_cookies);
    let mut forms = Vec::new();
    for row in s.store.forms(Hosted::Form).await? {
        let d = dto(&s, row, &base, 30).await?;
        let said = tr.ta(
            "forms-counts",
            &[
                ("views", &tr.num(d.views)),
                ("submissions", &tr.num(d.submissions)),
                ("rate", &d.conversion_rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "–".into())),
            ],
        );
        forms.push((d, said));
    }
    Ok(render(&ListPage { p: v.shell("/campaigns", tr.t("forms-title")), forms }))
}

/// A row of the builder as typed.
pub struct Row {
    pub target: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub progressive: bool,
    pub options: String,
    /// What is wrong with it, in words.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form_edit.html")]
struct EditPage {
    p: Shell,
    id: Option<String>,
    name: String,
    slug: String,
    site_id: String,
    thank_you: String,
    redirect_url: String,
    rows: Vec<Row>,
    consents: Vec<(String, String, bool)>,
    errors: FormErrors,
    /// (value, label) of what a field may fill, the kinds and the sites.
    targets: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    sites: Vec<(String, String)>,
    /// The saved form's address, embed code and counts.
    saved: Option<(FormDto, String)>,
}

const BLANK_ROWS: usize = 3;

fn rows_of(body: &FormBody) -> Vec<Row> {
    body.fields
        .iter()
        .map(|f| Row {
            target: f.target.clone(),
            label: f.label.clone(),
            kind: f.kind.clone(),
            required: f.required,
            progressive: f.progressive,
            options: f.options.join(", "),
            error: None,
        })
        .collect()
}

/// The body the builder's fields say; blank rows are left out.
fn body_of(form: &Fields) -> FormBody {
    let text = |k: &str| form.get(k).unwrap_or_default().trim().to_owned();
    let mut fields = Vec::new();
    for i in 0..crate::forms::MAX_ROWS {
        let target = text(&format!("f{i}.target"));
        if target.is_empty() || form.get(&format!("f{i}.remove")).is_some() {
            continue;
        }
        fields.push(FieldDto {
            label: text(&format!("f{i}.label")),
            kind: Some(text(&format!("f{i}.kind"))).filter(|k| !k.is_empty()).unwrap_or_else(|| "text".into()),
            required: form.get(&format!("f{i}.required")).is_some(),
            progressive: form.get(&format!("f{i}.progressive")).is_some(),
            options: text(&format!("f{i}.options"))
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            target,
        });
    }
    let mut consent = Vec::new();
    for j in 0..3 {
        let wording = text(&format!("c{j}.wording"));
        if wording.is_empty() {
            continue;
        }
        consent.push(ConsentDto {
            channel: Some(text(&format!("c{j}.channel"))).filter(|c| !c.is_empty()).unwrap_or_else(|| "email".into()),
            wording,
            required: form.get(&format!("c{j}.required")).is_some(),
        });
    }
    FormBody {
        name: text("name"),
        slug: text("slug"),
        site_id: text("site_id"),
        fields,
        consent,
        thank_you: Some(text("thank_you")).filter(|t| !t.is_empty()),
        redirect_url: Some(text("redirect_url")).filter(|t| !t.is_empty()),
        submit_label: None,
    }
}

async fn edit_page(
    s: &AppState,
    v: &Viewer,
    headers: &HeaderMap,
    id: Option<String>,
    body: Option<FormBody>,
    errors: FormErrors,
) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let sites: Vec<(String, String)> =
        s.store.sites().await?.into_iter().map(|site| (site.id, site.settings.name)).collect();
    let mut targets: Vec<(String, String)> =
        vec![("email".into(), tr.t("field-email")), ("phone".into(), tr.t("field-phone"))];
    targets.extend(crate::forms::FIELD_TARGETS.iter().map(|f| ((*f).to_owned(), super::records::column_label(&tr, f))));
    for p in s.store.properties(Some(ObjectKind::Contact)).await? {
        targets.push((format!("properties.{}", p.name), p.label));
    }
    let kinds =
        InputKind::ALL.iter().map(|k| (k.as_str().to_owned(), tr.t(&format!("form-kind-{}", k.as_str())))).collect();
    let base = crate::api::sites::base_url(headers, s.config.secure_cookies);
    let saved = match &id {
        Some(id) => {
            let d = dto(s, s.store.form(Hosted::Form, id).await?, &base, 30).await?;
            let said = tr.ta(
                "forms-counts",
                &[
                    ("views", &tr.num(d.views)),
                    ("submissions", &tr.num(d.submissions)),
                    ("rate", &d.conversion_rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "–".into())),
                ],
            );
            Some((d, said))
        }
        None => None,
    };
    let body = body.or_else(|| saved.as_ref().map(|(d, _)| d.body.clone()));
    let mut rows = body.as_ref().map(rows_of).unwrap_or_else(|| {
        vec![Row {
            target: "email".into(),
            label: tr.t("field-email"),
            kind: "email".into(),
            required: true,
            progressive: false,
            options: String::new(),
            error: None,
        }]
    });
    rows.extend((0..BLANK_ROWS).map(|_| Row {
        target: String::new(),
        label: String::new(),
        kind: "text".into(),
        required: false,
        progressive: false,
        options: String::new(),
        error: None,
    }));
    for (i, row) in rows.iter_mut().enumerate() {
        row.error = errors.of(&format!("f{i}")).map(str::to_owned);
    }
    let mut consents: Vec<(String, String, bool)> = body
        .as_ref()
        .map(|b| b.consent.iter().map(|c| (c.channel.clone(), c.wording.clone(), c.required)).collect())
        .unwrap_or_default();
    consents.push(("email".into(), String::new(), false));
    let title = body.as_ref().map(|b| b.name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| tr.t("forms-new"));
    let page = EditPage {
        p: v.shell("/campaigns", title),
        name: body.as_ref().map(|b| b.name.clone()).unwrap_or_default(),
        slug: body.as_ref().map(|b| b.slug.clone()).unwrap_or_default(),
        site_id: body.as_ref().map(|b| b.site_id.clone()).unwrap_or_default(),
        thank_you: body.as_ref().and_then(|b| b.thank_you.clone()).unwrap_or_default(),
        redirect_url: body.as_ref().and_then(|b| b.redirect_url.clone()).unwrap_or_default(),
        id,
        rows,
        consents,
        errors,
        targets,
        kinds,
        sites,
        saved,
    };
    Ok(super::records::page_response(&page, &page.errors))
}

async fn new(State(s): State<AppState>, v: Viewer, headers: HeaderMap) -> PageResult {
    edit_page(&s, &v, &headers, None, None, FormErrors::default()).await
}

async fn edit(State(s): State<AppState>, v: Viewer, headers: HeaderMap, Path(id): Path<String>) -> PageResult {
    edit_page(&s, &v, &headers, Some(id), None, FormErrors::default()).await
}

async fn saved(s: &AppState, headers: &HeaderMap, form: Posted, id: Option<String>) -> PageResult {
    let v = &form.viewer;
    let body = body_of(&form.fields);
    match save(s, &v.caller, id.as_deref(), body.clone()).await {
        Ok(row) => Ok(Redirect::to(&format!("/forms/{}", row.id)).into_response()),
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            let mut errors = FormErrors::from_api(&tr, &e);
            // A field's problem is shown at its row: fields[2].label is row f2.
            if let Some(f) = e.field.as_deref() {
                if let Some(rest) = f.strip_prefix("fields[") {
                    let i = rest.split(']').next().unwrap_or_default();
                    errors.add(&format!("f{i}"), super::view::error_text(&tr, &e));
                }
            }
            let mut resp = edit_page(s, v, headers, id, Some(body), errors).await?;
            *resp.status_mut() = e.status();
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

async fn create(State(s): State<AppState>, headers: HeaderMap, form: Posted) -> PageResult {
    saved(&s, &headers, form, None).await
}

async fn update(State(s): State<AppState>, headers: HeaderMap, Path(id): Path<String>, form: Posted) -> PageResult {
    saved(&s, &headers, form, Some(id)).await
}

async fn delete(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.delete_form(Hosted::Form, &id).await?;
    Ok(Redirect::to("/forms").into_response())
}
