//! The import screens: upload a CSV, check and change the detected column mapping, dry run or
//! run it as a background job with a live progress bar, download the refused rows.

use std::collections::HashMap;
use std::io::Read;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::{Job, JobStatus};

use super::records::Choice;
use super::view::{Shell, Tr};
use super::{check_csrf, render, PageResult, Posted, Viewer};
use crate::api::imports::{import_params, read_form, spawn, Form};
use crate::error::{ApiError, Kind};
use crate::import::{self, ImportParams};
use crate::AppState;

pub fn routes(max_upload: u64) -> Router<AppState> {
    let limit = usize::try_from(max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/import", get(start_page).post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .route("/import/start", post(start))
        .route("/import/{id}", get(job_page))
        .route("/import/{id}/run", post(run_for_real))
        .route("/import/{id}/cancel", post(cancel))
        .route("/import/{id}/undo", post(undo))
}

pub struct JobRow {
    pub id: String,
    pub file_name: String,
    pub object: String,
    pub status: String,
    pub when: String,
    pub dry_run: bool,
    pub summary: String,
}

fn job_row(tr: &Tr, j: &Job) -> JobRow {
    let p = ImportParams::of(j);
    let c = j.counts;
    JobRow {
        id: j.id.clone(),
        file_name: p.as_ref().map(|p| p.file_name.clone()).unwrap_or_default(),
        object: p.as_ref().map(|p| tr.t(&format!("nav-{}", p.object))).unwrap_or_default(),
        status: match (&j.undone_at, &j.phase) {
            (Some(_), _) => tr.t("job-undone"),
            (None, Some(phase)) => tr.t(&format!("job-phase-{phase}")),
            (None, None) => tr.t(&format!("job-{}", j.status.as_str())),
        },
        when: tr.datetime(j.created_at),
        dry_run: p.is_some_and(|p| p.dry_run),
        summary: format!(
            "{} · {} · {} · {}",
            tr.tn("import-created", c.created),
            tr.tn("import-updated", c.updated),
            tr.tn("import-merged", c.merged),
            tr.tn("import-rejected", c.rejected)
        ),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct StartPage {
    p: Shell,
    jobs: Vec<JobRow>,
}

async fn start_page(State(s): State<AppState>, v: Viewer) -> PageResult {
    v.require(Action::Import)?;
    let tr = Tr { locale: v.locale };
    let jobs = s.store.jobs(20).await?.iter().filter(|j| j.kind == "import").map(|j| job_row(&tr, j)).collect();
    Ok(render(&StartPage { p: v.shell("/import", tr.t("nav-import")), jobs }))
}

pub struct MapColumn {
    pub index: usize,
    pub header: String,
    pub samples: Vec<String>,
    pub options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "import_map.html")]
struct MapPage {
    p: Shell,
    upload: String,
    file_name: String,
    object: String,
    object_label: String,
    source_list: String,
    default_region: String,
    columns: Vec<MapColumn>,
    /// The lifecycle stage for rows that give none.
    stages: Vec<Choice>,
}

/// Label of an import target in the viewer's language.
fn target_label(tr: &Tr, target: &str) -> String {
    match target {
        "ignore" => tr.t("import-ignore"),
        NEW_PROPERTY => tr.t("import-new-property"),
        "owner_email" => tr.t("import-owner-email"),
        "contact_emails" => tr.t("import-contact-emails"),
        "id" => tr.t("import-leadline-id"),
        t if t.starts_with("external_id:") => tr.t1("import-external-id", "system", &t["external_id:".len()..]),
        t if t.starts_with("properties.") => t["properties.".len()..].to_owned(),
        t => tr.t(&format!("field-{t}")),
    }
}

/// The upload: spooled to disk, then the mapping screen.
async fn upload(
    State(s): State<AppState>,
    v: Viewer,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let multipart = multipart.map_err(crate::api::imports::not_multipart)?;
    v.require(Action::Import)?;
    let tr = Tr { locale: v.locale };
    let form = read_form(&s, multipart, false).await?;
    let discard = |form: &Form| {
        if let Some((_, p, _)) = &form.file {
            let _ = std::fs::remove_file(p);
        }
    };
    if let Err(e) = check_csrf(&v.caller, form.fields.get("csrf").map(String::as_str)) {
        discard(&form);
        return Err(e);
    }
    let Some((file_name, path, head)) = form.file.clone().filter(|(_, _, head)| !head.is_empty()) else {
        discard(&form);
        return Err(ApiError::invalid("file", "required", tr.t("import-choose-file")).into());
    };
    let object = form.fields.get("object").and_then(|o| import::object_of(o)).unwrap_or(ObjectKind::Contact);
    let sniffed = match import::sniff(&head) {
        Ok(sn) => sn,
        Err(m) => {
            discard(&form);
            return Err(ApiError::bad_request("invalid_csv", m).into());
        }
    };
    let props = s.store.properties(Some(object)).await?;
    let cols = import::mapping(object, &sniffed.headers, &HashMap::new(), &props).expect("no overrides");
    // A column nothing takes can be kept as a new custom property (administrators).
    let mut all_targets = leadline_core::import::targets(object, &props);
    if v.can(Action::Administer) {
        all_targets.insert(1, NEW_PROPERTY.into());
    }
    let columns = sniffed
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let chosen = cols.get(i).map(|c| c.name()).unwrap_or_else(|| "ignore".into());
            MapColumn {
                index: i,
                header: h.clone(),
                samples: sniffed.sample.iter().filter_map(|row| row.get(i).cloned()).take(3).collect(),
                options: all_targets
                    .iter()
                    .map(|t| Choice { value: t.clone(), label: target_label(&tr, t), selected: *t == chosen })
                    .collect(),
            }
        })
        .collect();
    let upload = path.file_stem().and_then(|f| f.to_str()).unwrap_or_default().to_owned();
    let page = MapPage {
        p: v.shell("/import", tr.t("import-map-title")),
        upload,
        file_name,
        object: object.plural().into(),
        object_label: tr.t(&format!("nav-{}", object.plural())),
        source_list: form.fields.get("source_list").cloned().unwrap_or_default(),
        default_region: form.fields.get("default_region").cloned().unwrap_or_default(),
        columns,
        stages: std::iter::once(Choice {
            value: String::new(),
            label: tr.t("import-default-stage-auto"),
            selected: true,
        })
        .chain(leadline_core::lifecycle::LifecycleStage::ALL.into_iter().map(|st| Choice {
            value: st.as_str().into(),
            label: tr.t(&format!("stage-{}", st.as_str())),
            selected: false,
        }))
        .collect(),
    };
    Ok(render(&page))
}

/// The mapping target that keeps a column as a new custom property.
const NEW_PROPERTY: &str = "new_property";

/// Define a contact property for column `i` of an uploaded file, named after its header and
/// typed from its first thousand values (a property of that name is reused), and give its
/// mapping target.
async fn new_property(
    s: &AppState,
    v: &Viewer,
    path: &std::path::Path,
    sniffed: &import::Sniffed,
    i: usize,
) -> Result<String, ApiError> {
    v.require(Action::Administer).map_err(|e| e.0)?;
    let header = &sniffed.headers[i];
    let name = leadline_core::import::property_name(header, i);
    let object = ObjectKind::Contact;
    if !s.store.properties(Some(object)).await?.iter().any(|p| p.name == name) {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sniffed.delimiter)
            .flexible(true)
            .from_path(path)
            .map_err(|e| ApiError::bad_request("invalid_csv", e.to_string()))?;
        let values: Vec<String> =
            reader.records().take(1000).filter_map(Result::ok).filter_map(|r| r.get(i).map(str::to_owned)).collect();
        let def = leadline_core::property::PropertyDef {
            object,
            name: name.clone(),
            label: header.trim().chars().take(200).collect(),
            kind: leadline_core::import::infer_property_type(values.iter().map(String::as_str)),
            options: Vec::new(),
        };
        def.validate().map_err(|e| ApiError::from(e).field(format!("map.{i}")))?;
        s.store.define_property(&def, crate::now()).await?;
    }
    Ok(format!("properties.{name}"))
}

/// Start a dry run or an import of an uploaded file with the chosen mapping.
async fn start(State(s): State<AppState>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Import)?;
    let f = &form.fields;
    let upload = f.get("upload").unwrap_or_default();
    if upload.is_empty() || !upload.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(
            ApiError::invalid("upload", "invalid_upload", "the upload is unknown; upload the file again").into()
        );
    }
    let path = s.config.data_dir.join("uploads").join(format!("{upload}.csv"));
    let mut head = Vec::new();
    std::fs::File::open(&path)
        .and_then(|file| file.take(64 * 1024).read_to_end(&mut head))
        .map_err(|_| ApiError::new(Kind::NotFound, "upload_gone", "the uploaded file is gone; upload it again"))?;
    let sniffed = import::sniff(&head).map_err(|m| ApiError::bad_request("invalid_csv", m))?;
    let mut mapping: HashMap<String, String> = HashMap::new();
    for (i, h) in sniffed.headers.iter().enumerate() {
        let Some(target) = f.get(&format!("map.{i}")) else { continue };
        let target = match target {
            NEW_PROPERTY => new_property(&s, v, &path, &sniffed, i).await?,
            t => t.to_owned(),
        };
        mapping.insert(h.clone(), target);
    }
    let mut fields: HashMap<String, String> = ["object", "source_list", "default_region", "default_stage"]
        .iter()
        .filter_map(|k| f.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect();
    fields.insert("mapping".into(), serde_json::to_string(&mapping).unwrap_or_default());
    fields.insert("dry_run".into(), (f.get("mode") == Some("dry_run")).to_string());
    let file_name = f.get("file_name").unwrap_or("upload.csv").chars().filter(|c| !c.is_control()).take(200).collect();
    let api_form = Form { file: Some((file_name, path, head)), fields };
    let params = import_params(&s, &api_form).await?;
    let job = spawn(&s, &v.user().id, params).await?;
    Ok(Redirect::to(&format!("/import/{}", job.id)).into_response())
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    p: Shell,
    job: JobRow,
    running: bool,
    can_run: bool,
    total: i64,
    processed: i64,
    counts: Vec<(&'static str, String, String)>,
    error: Option<String>,
    /// The first refused rows and left-out values, with their lines and reasons.
    first_rejects: Vec<(String, String)>,
    first_warnings: Vec<(String, String)>,
    /// A finished real import that wrote records and was not undone can be.
    can_undo: bool,
    /// What an undo just did, or why it was refused.
    undo_result: Option<String>,
    undo_error: Option<String>,
}

async fn job_page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    v.require(Action::Import)?;
    job_view(&s, &v, &id, None, None).await
}

async fn job_view(
    s: &AppState,
    v: &Viewer,
    id: &str,
    undo_result: Option<String>,
    undo_error: Option<String>,
) -> PageResult {
    let tr = Tr { locale: v.locale };
    let j = s.store.job(id).await?;
    let params = ImportParams::of(&j);
    let running = matches!(j.status, JobStatus::Queued | JobStatus::Running);
    let can_undo = j.status.is_finished()
        && j.undone_at.is_none()
        && params.as_ref().is_some_and(|p| !p.dry_run)
        && j.counts.created + j.counts.updated + j.counts.merged > 0;
    let can_run = j.status == JobStatus::Done && params.as_ref().is_some_and(|p| p.dry_run && p.path.exists());
    let c = j.counts;
    let counts = vec![
        ("created", tr.t("import-count-created"), tr.num(c.created)),
        ("updated", tr.t("import-count-updated"), tr.num(c.updated)),
        ("merged", tr.t("import-count-merged"), tr.num(c.merged)),
        ("rejected", tr.t("import-count-rejected"), tr.num(c.rejected)),
        ("possible_duplicates", tr.t("import-count-possible_duplicates"), tr.num(c.possible_duplicates)),
        ("warnings", tr.t("import-count-warnings"), tr.num(c.warnings)),
    ];
    // The first few reasons are shown here; the rest are in the downloads.
    const SHOWN: u32 = 5;
    let line = |n: i64| tr.t1("import-line", "line", &tr.num(n));
    let first_rejects = s.store.rejects(id, 0, SHOWN).await?.into_iter().map(|r| (line(r.line), r.reason)).collect();
    let first_warnings = s
        .store
        .warnings(id, 0, SHOWN)
        .await?
        .into_iter()
        .map(|w| (line(w.line), format!("{}: {}", target_label(&tr, &w.field), w.reason)))
        .collect();
    let page = JobPage {
        p: v.shell("/import", tr.t("import-job-title")),
        job: job_row(&tr, &j),
        running,
        can_run,
        total: c.total,
        processed: c.processed,
        counts,
        error: j.error.clone(),
        first_rejects,
        first_warnings,
        can_undo,
        undo_result,
        undo_error,
    };
    Ok(render(&page))
}

/// Take the import back; the job page says what that did, or why it could not.
async fn undo(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Import)?;
    let tr = Tr { locale: v.locale };
    let actor = leadline_store::Actor::new(
        Some(v.user().id.as_str()),
        leadline_core::lifecycle::ChangeCause::Manual,
        crate::now(),
    );
    match s.store.undo_import(&id, actor).await {
        Ok(u) => {
            let done =
                format!("{} · {}", tr.tn("import-undo-deleted", u.deleted), tr.tn("import-undo-restored", u.restored));
            job_view(&s, v, &id, Some(done), None).await
        }
        Err(leadline_store::StoreError::Conflict { message, .. }) => job_view(&s, v, &id, None, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

/// After a dry run: the same file and mapping, for real.
async fn run_for_real(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Import)?;
    let j = s.store.job(&id).await?;
    let mut params = ImportParams::of(&j)
        .ok_or_else(|| ApiError::new(Kind::Conflict, "not_an_import", "this job is not an import"))?;
    if !params.dry_run || !params.path.exists() {
        return Err(ApiError::new(Kind::Conflict, "already_imported", "this file was imported already").into());
    }
    params.dry_run = false;
    let job = spawn(&s, &form.viewer.user().id, params).await?;
    Ok(Redirect::to(&format!("/import/{}", job.id)).into_response())
}

async fn cancel(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Import)?;
    s.store.cancel_job(&id).await?;
    Ok(Redirect::to(&format!("/import/{id}")).into_response())
}
