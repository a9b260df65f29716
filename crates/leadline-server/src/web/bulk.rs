//! Bulk actions on the lists of contacts, companies and deals: on the ticked rows, or on every
//! record the list's filter matches (a background job past `bulk::INLINE` records, with a page
//! of its own that shows its progress). Deleting asks first; moving contacts back down the
//! funnel must be ticked.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::{Actor, JobCounts, JobStatus, User};

use super::records::{self, Choice};
use super::view::{Shell, Tr};
use super::{back_to, render, PageResult, Posted, Viewer};
use crate::bulk::{self, BulkParams};
use crate::error::{ApiError, Kind};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts/bulk", post(contacts))
        .route("/companies/bulk", post(companies))
        .route("/deals/bulk", post(deals))
        .route("/jobs/{id}", get(job_page))
        .route("/jobs/{id}/cancel", post(cancel))
}

/// One action of a list's bulk form: a button, and the value it sets (a choice, or typed in
/// when `options` is empty).
pub struct BulkGroup {
    pub action: &'static str,
    pub button: String,
    pub field_label: String,
    pub options: Vec<Choice>,
    /// The "move back" tick goes with it (a contact's stage).
    pub backward: bool,
}

/// The bulk form of a list.
pub struct BulkForm {
    pub action_url: String,
    pub groups: Vec<BulkGroup>,
}

/// The form action name of a bulk change, and the field it sets on `object`.
fn field_of(object: ObjectKind, action: &str) -> Option<&'static str> {
    match (object, action) {
        (ObjectKind::Contact, "stage") => Some("lifecycle_stage"),
        (ObjectKind::Contact, "status") => Some("lead_status"),
        (ObjectKind::Deal, "stage") => Some("stage"),
        (ObjectKind::Deal, "status") => Some("status"),
        (ObjectKind::Company, "tier") => Some("tier"),
        (_, "owner") => Some("owner_id"),
        _ => None,
    }
}

/// The bulk form of `object`'s list; owners are offered from the users who may own records.
/// `lists` are the static lists contacts can be added to.
pub fn form(tr: &Tr, object: ObjectKind, users: &[User], lists: Vec<Choice>) -> BulkForm {
    let owners: Vec<User> = users.iter().filter(|u| !u.disabled && u.role.allows(Action::Write)).cloned().collect();
    let actions: &[&'static str] = match object {
        ObjectKind::Contact => &["stage", "status", "owner"],
        ObjectKind::Company => &["tier", "owner"],
        ObjectKind::Deal => &["stage", "status", "owner"],
    };
    let mut groups: Vec<BulkGroup> = actions
        .iter()
        .filter_map(|action| {
            let name = field_of(object, action)?;
            let spec = leadline_core::record::field(object, name)?;
            Some(BulkGroup {
                action,
                button: tr.t(match *action {
                    "stage" => "bulk-set-stage",
                    "status" => "bulk-set-status",
                    "tier" => "bulk-set-tier",
                    _ => "bulk-assign",
                }),
                field_label: records::column_label(tr, name),
                options: records::options(tr, spec, &owners, "").unwrap_or_default(),
                backward: object == ObjectKind::Contact && *action == "stage",
            })
        })
        .collect();
    if object == ObjectKind::Contact {
        groups.push(BulkGroup {
            action: "tag",
            button: tr.t("bulk-add-tag"),
            field_label: tr.t("field-tags"),
            options: Vec::new(),
            backward: false,
        });
        if !lists.is_empty() {
            groups.push(BulkGroup {
                action: "list",
                button: tr.t("bulk-add-to-list"),
                field_label: tr.t("bulk-list"),
                options: lists,
                backward: false,
            });
        }
    }
    BulkForm { action_url: format!("{}/bulk", records::base(object)), groups }
}

/// A page that asks before a destructive action.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct Confirm {
    pub p: Shell,
    pub message: String,
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub cancel: String,
}

async fn contacts(State(s): State<AppState>, form: Posted) -> PageResult {
    run(&s, form, ObjectKind::Contact).await
}

async fn companies(State(s): State<AppState>, form: Posted) -> PageResult {
    run(&s, form, ObjectKind::Company).await
}

async fn deals(State(s): State<AppState>, form: Posted) -> PageResult {
    run(&s, form, ObjectKind::Deal).await
}

/// Apply one action to the ticked records, or to all the list's matches (`all=matching`).
async fn run(s: &AppState, form: Posted, object: ObjectKind) -> PageResult {
    let v = &form.viewer;
    let tr = Tr { locale: v.locale };
    let list = records::base(object);
    let ids: Vec<String> = form.fields.all("id").into_iter().map(str::to_owned).take(bulk::INLINE as usize).collect();
    let back = form.fields.get("back").filter(|b| b.starts_with(list)).unwrap_or(list).to_owned();
    let action = form.fields.get("action").unwrap_or_default();
    let all = form.fields.get("all") == Some("matching");
    if !all && ids.is_empty() {
        return Err(ApiError::invalid("id", "nothing_selected", tr.t("bulk-none-selected")).into());
    }
    // The list the form was sent from says which records "all" means.
    let pairs = crate::api::query_pairs(&back.parse::<Uri>().unwrap_or_default()).unwrap_or_default();
    let query_pairs = records::api_pairs(&pairs);
    let query = if all { Some(bulk::list_query(s, object, &query_pairs).await?) } else { None };
    let count = match &query {
        Some(q) => s.store.count(object, &q.filters, q.search.as_deref()).await?,
        None => ids.len() as i64,
    };
    let done = |kind: &str, n: i64| {
        let path = back.split('?').next().unwrap_or(list);
        let kept = pairs.iter().filter(|(k, _)| k != "notice" && k != "n" && k != "cursor");
        let query: Vec<(&str, String)> = kept
            .map(|(k, v)| (k.as_str(), v.clone()))
            .chain([("notice", kind.to_owned()), ("n", n.to_string())])
            .collect();
        let q = super::view::query_string(query.iter().map(|(k, v)| (*k, v.as_str())));
        back_to(Some(&format!("{path}?{q}")), list)
    };
    if action == "export" {
        v.require(Action::Export)?;
        if all {
            let kept: Vec<(&str, &str)> = query_pairs
                .iter()
                .filter(|(k, _)| !["cursor", "limit"].contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let to = format!("/api/v1/exports/{}.csv?{}", object.plural(), super::view::query_string(kept));
            return Ok(Redirect::to(&to).into_response());
        }
        return export(s, object, &ids).await;
    }
    v.require(Action::Write)?;
    let (bulk_action, field, value) = match action {
        "delete" => ("delete", None, String::new()),
        "tag" | "list" => {
            let value =
                form.fields.text(&format!("{action}_value")).or_else(|| form.fields.text("value")).unwrap_or_default();
            (action, None, value.to_owned())
        }
        other => {
            let field = field_of(object, other)
                .ok_or_else(|| ApiError::invalid("action", "invalid_action", tr.t("bulk-invalid-action")))?;
            let value = form
                .fields
                .text(&format!("{other}_value"))
                .or_else(|| form.fields.text("value"))
                .ok_or_else(|| ApiError::invalid("value", "required", tr.t("bulk-value-required")))?;
            ("set", Some(field.to_owned()), value.to_owned())
        }
    };
    let params = BulkParams {
        object: object.plural().to_owned(),
        action: bulk_action.to_owned(),
        field,
        value,
        allow_backward: form.fields.get("allow_backward").is_some(),
        query: query_pairs.clone(),
    };
    let prepared = bulk::prepare(s, &params).await.map_err(|e| match e.code.as_str() {
        "unknown_user" => ApiError::invalid("value", "unknown_user", tr.t("bulk-unknown-owner")),
        "required" => ApiError::invalid("value", "required", tr.t("bulk-value-required")),
        _ => e,
    })?;
    if bulk_action == "delete" && form.fields.get("confirm") != Some("yes") {
        let mut fields: Vec<(String, String)> = ids.iter().map(|id| ("id".to_owned(), id.clone())).collect();
        if all {
            fields.push(("all".to_owned(), "matching".to_owned()));
        }
        fields.extend([
            ("action".to_owned(), "delete".to_owned()),
            ("confirm".to_owned(), "yes".to_owned()),
            ("back".to_owned(), back.clone()),
        ]);
        let page = Confirm {
            p: v.shell(list, tr.t("confirm-title")),
            message: tr.tn(
                match object {
                    ObjectKind::Contact => "bulk-delete-confirm",
                    ObjectKind::Company => "bulk-delete-confirm-companies",
                    ObjectKind::Deal => "bulk-delete-confirm-deals",
                },
                count,
            ),
            action: format!("{list}/bulk"),
            fields,
            cancel: back.clone(),
        };
        return Ok(render(&page));
    }
    // Moving contacts back down the funnel is confirmed, as on a contact's own form; until it
    // is, nothing is changed.
    if object == ObjectKind::Contact && params.field.as_deref() == Some("lifecycle_stage") && !params.allow_backward {
        let back_moves = if let Some(q) = &query {
            bulk::backward_moves(s.store.as_ref(), q, &params.value).await?
        } else {
            let to = leadline_core::lifecycle::LifecycleStage::parse(&params.value);
            let mut n = 0;
            for id in &ids {
                let Ok(r) = s.store.get(ObjectKind::Contact, id).await else { continue };
                let from = r.text("lifecycle_stage").and_then(leadline_core::lifecycle::LifecycleStage::parse);
                if matches!((from, to), (Some(f), Some(t)) if f.is_backward(t)) {
                    n += 1;
                }
            }
            n
        };
        if back_moves > 0 {
            return Err(ApiError::new(Kind::Conflict, "backward_stage_confirm", tr.tn("bulk-backward", back_moves))
                .field("stage_value")
                .into());
        }
    }
    let user_id = v.user().id.clone();
    let kind = if bulk_action == "delete" { "deleted" } else { "updated" };
    let actor = Actor::new(Some(&user_id), ChangeCause::Manual, crate::now());
    let mut counts = JobCounts::default();
    if let Some(query) = query {
        if count > bulk::INLINE {
            let value =
                serde_json::to_value(&params).map_err(|e| ApiError::new(Kind::Internal, "internal", e.to_string()))?;
            let owner = user_id.clone();
            let job = crate::jobs::spawn(s, "bulk", value, &user_id, move |store, job_id| async move {
                bulk::run(store, &job_id, prepared, query, owner).await
            })
            .await?;
            return Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response());
        }
        bulk::walk(s.store.as_ref(), &prepared, query, actor, &mut counts, None).await?;
    } else {
        for id in &ids {
            bulk::tally(&mut counts, bulk::apply(s.store.as_ref(), &prepared, id, actor).await?);
        }
    }
    Ok(done(kind, counts.updated))
}

/// The ticked records as CSV, in the export's columns.
async fn export(s: &AppState, object: ObjectKind, ids: &[String]) -> PageResult {
    let internal = |e: String| ApiError::new(Kind::Internal, "internal", e);
    let exporter = crate::export::Exporter::of_store(s.store.as_ref(), object).await?;
    let mut out = csv::Writer::from_writer(crate::export::BOM.as_bytes().to_vec());
    out.write_record(exporter.header()).map_err(|e| internal(e.to_string()))?;
    for id in ids {
        if let Ok(r) = s.store.get(object, id).await {
            out.write_record(exporter.row(&r)).map_err(|e| internal(e.to_string()))?;
        }
    }
    let body = out.into_inner().map_err(|e| internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{}-selected.csv\"", object.plural());
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    p: Shell,
    id: String,
    what: String,
    status: String,
    running: bool,
    /// Whether stopping it means anything (a rules' apply is the engine's work, not the job's).
    cancellable: bool,
    total: i64,
    processed: i64,
    counts: Vec<(&'static str, String, String)>,
    error: Option<String>,
    back: String,
}

/// A bulk job's page: what it does, how far it is, and a way to stop it.
async fn job_page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    v.require(Action::Write)?;
    let tr = Tr { locale: v.locale };
    let j = s.store.job(&id).await?;
    let running = matches!(j.status, JobStatus::Queued | JobStatus::Running);
    if j.kind == crate::rules::APPLY_JOB {
        let version = j.params.get("version").and_then(serde_json::Value::as_i64).unwrap_or_default();
        let page = JobPage {
            p: v.shell("/settings", tr.t("scoring-title")),
            id: j.id.clone(),
            what: format!(
                "{} · {}",
                tr.t1("scoring-version", "version", &version.to_string()),
                tr.t("job-apply-rules")
            ),
            status: tr.t(&format!("job-{}", j.status.as_str())),
            running,
            cancellable: false,
            total: j.counts.total,
            processed: j.counts.processed,
            counts: Vec::new(),
            error: j.error.clone(),
            back: "/settings/scoring".into(),
        };
        return Ok(render(&page));
    }
    let params: BulkParams = serde_json::from_value(j.params.clone())
        .map_err(|_| ApiError::new(Kind::NotFound, "not_found", format!("job {id} is not a bulk action")))?;
    let object = crate::import::object_of(&params.object).unwrap_or(ObjectKind::Contact);
    let what = match (params.action.as_str(), params.field.as_deref()) {
        ("delete", _) => tr.t("bulk-job-delete"),
        ("tag", _) => format!("{}: {}", tr.t("bulk-add-tag"), params.value),
        ("list", _) => {
            let name = s.store.segment(&params.value).await.map(|l| l.name).unwrap_or_else(|_| params.value.clone());
            format!("{}: {name}", tr.t("bulk-add-to-list"))
        }
        (_, Some(field)) => {
            let users = s.store.users().await?;
            let shown = leadline_core::record::field(object, field)
                .and_then(|spec| records::options(&tr, spec, &users, &params.value))
                .and_then(|o| o.into_iter().find(|c| c.selected).map(|c| c.label))
                .unwrap_or_else(|| params.value.clone());
            format!("{}: {shown}", records::column_label(&tr, field))
        }
        _ => params.action.clone(),
    };
    let c = j.counts;
    let page = JobPage {
        p: v.shell(records::base(object), tr.t("bulk-job-title")),
        id: j.id.clone(),
        what: format!("{} · {}", tr.t(&format!("nav-{}", object.plural())), what),
        status: tr.t(&format!("job-{}", j.status.as_str())),
        running,
        cancellable: running,
        total: c.total,
        processed: c.processed,
        counts: vec![
            ("changed", tr.t("bulk-job-changed"), tr.num(c.updated)),
            ("skipped", tr.t("bulk-job-skipped"), tr.num(c.rejected)),
        ],
        error: j.error.clone(),
        back: records::base(object).to_owned(),
    };
    Ok(render(&page))
}

async fn cancel(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    s.store.cancel_job(&id).await?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}
