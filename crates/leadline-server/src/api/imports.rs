//! CSV imports (multipart upload, then a background job) and CSV exports.

use std::collections::HashMap;
use std::io::Write;

use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leadline_core::record::ObjectKind;
use leadline_core::role::Action;
use leadline_store::{Job, JobStatus};
use serde::Serialize;
use utoipa::ToSchema;

use super::query_pairs;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Kind};
use crate::import::{self, ImportParams};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct JobDto {
    pub id: String,
    /// import, bulk or apply_rules (the engine deciding every contact again after a rules change).
    pub kind: String,
    /// queued, running, done, failed or cancelled.
    pub status: String,
    pub object: String,
    pub file_name: String,
    pub dry_run: bool,
    /// Rows in the file (counted before the import starts).
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    /// Rows that were duplicates of earlier rows of the same file.
    pub merged: i64,
    pub rejected: i64,
    /// Rows whose contact shares a phone with another one: not merged, listed for review at
    /// /api/v1/duplicates.
    pub possible_duplicates: i64,
    /// Values left out of rows that were kept: listed at /api/v1/imports/{id}/warnings.
    pub warnings: i64,
    /// 0 to 1.
    pub progress: f64,
    pub headers: Vec<String>,
    pub mapping: Vec<String>,
    pub cancel_requested: bool,
    pub error: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// When the import was undone (`POST /api/v1/imports/{id}/undo`).
    pub undone_at: Option<String>,
    /// What a running import is doing besides its rows: `analyzing` (bringing the database's
    /// statistics up to date after a large import).
    pub phase: Option<String>,
}

impl From<Job> for JobDto {
    fn from(j: Job) -> Self {
        let p = ImportParams::of(&j);
        let c = j.counts;
        Self {
            id: j.id,
            kind: j.kind,
            status: j.status.as_str().into(),
            object: p.as_ref().map(|p| p.object.clone()).unwrap_or_default(),
            file_name: p.as_ref().map(|p| p.file_name.clone()).unwrap_or_default(),
            dry_run: p.as_ref().is_some_and(|p| p.dry_run),
            total: c.total,
            processed: c.processed,
            created: c.created,
            updated: c.updated,
            merged: c.merged,
            rejected: c.rejected,
            possible_duplicates: c.possible_duplicates,
            warnings: c.warnings,
            progress: if j.status == JobStatus::Done {
                1.0
            } else if c.total > 0 {
                (c.processed as f64 / c.total as f64).min(1.0)
            } else {
                0.0
            },
            headers: p.as_ref().map(|p| p.headers.clone()).unwrap_or_default(),
            mapping: p.map(|p| p.mapping).unwrap_or_default(),
            cancel_requested: j.cancel_requested,
            error: j.error,
            created_at: leadline_core::date::rfc3339(j.created_at),
            started_at: j.started_at.map(leadline_core::date::rfc3339),
            finished_at: j.finished_at.map(leadline_core::date::rfc3339),
            undone_at: j.undone_at.map(leadline_core::date::rfc3339),
            phase: j.phase,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PreviewDto {
    /// `,`, `;` or a tab.
    pub delimiter: String,
    pub headers: Vec<String>,
    /// The target each column would be imported as (`ignore` when none was recognised).
    pub mapping: Vec<String>,
    /// Every target a column can be mapped to.
    pub targets: Vec<String>,
    pub sample: Vec<Vec<String>>,
}

/// The parts of an import form.
#[derive(Default)]
pub(crate) struct Form {
    /// (file name, spooled path, first 64 KiB).
    pub file: Option<(String, std::path::PathBuf, Vec<u8>)>,
    pub fields: HashMap<String, String>,
}

/// A body that is not a multipart form (or whose boundary is wrong), as the API's own error.
pub(crate) fn not_multipart(e: MultipartRejection) -> ApiError {
    ApiError::bad_request("invalid_multipart", format!("send the file as multipart/form-data: {}", e.body_text()))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            Kind::PayloadTooLarge,
            "payload_too_large",
            "the upload is larger than this server accepts (LEADLINE_MAX_UPLOAD_MB)",
        )
    } else {
        ApiError::bad_request("invalid_multipart", format!("the upload cannot be read: {}", e.body_text()))
    }
}

/// Read the form, spooling the file to disk (keeping its first 64 KiB for sniffing) unless
/// `head_only`, when only the head is read.
pub(crate) async fn read_form(state: &AppState, mut multipart: Multipart, head_only: bool) -> ApiResult<Form> {
    let mut form = Form::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let text = field.text().await.map_err(multipart_error)?;
            if text.len() > 64 * 1024 {
                return Err(ApiError::invalid(&name, "too_long", format!("{name} is too long")));
            }
            if text.contains('\0') || name.contains('\0') {
                let name = name.replace('\0', "");
                return Err(ApiError::bad_request("nul_byte", format!("{name} contains a NUL byte")).field(name));
            }
            form.fields.insert(name, text);
            continue;
        }
        let file_name =
            field.file_name().unwrap_or("upload.csv").chars().filter(|c| !c.is_control()).take(200).collect::<String>();
        let dir = state.config.data_dir.join("uploads");
        std::fs::create_dir_all(&dir).map_err(internal)?;
        let path = dir.join(format!("{}.csv", uuid::Uuid::now_v7()));
        let mut out = if head_only {
            None
        } else {
            Some(std::io::BufWriter::new(std::fs::File::create(&path).map_err(internal)?))
        };
        let mut head = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if head.len() < 64 * 1024 {
                head.extend_from_slice(&chunk[..chunk.len().min(64 * 1024 - head.len())]);
            }
            match out.as_mut() {
                Some(w) => w.write_all(&chunk).map_err(internal)?,
                None if head.len() >= 64 * 1024 => break,
                None => {}
            }
        }
        if let Some(mut w) = out {
            w.flush().map_err(internal)?;
        }
        form.file = Some((file_name, path, head));
    }
    Ok(form)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "import spooling failed");
    ApiError::new(Kind::Internal, "internal", "the upload could not be stored on the server")
}

fn object_field(form: &Form) -> ApiResult<ObjectKind> {
    let o = form.fields.get("object").map_or("contacts", String::as_str);
    import::object_of(o)
        .ok_or_else(|| ApiError::invalid("object", "invalid_object", "object is contacts, companies or deals"))
}

#[utoipa::path(post, path = "/api/v1/imports/preview", tag = "imports",
    request_body(content_type = "multipart/form-data", description = "`file` (CSV) and `object` (contacts, companies or deals)"),
    responses((status = 200, body = PreviewDto), (status = 400, body = crate::error::ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<PreviewDto>> {
    let multipart = multipart.map_err(not_multipart)?;
    caller.require(Action::Import)?;
    let form = read_form(&s, multipart, true).await?;
    let object = object_field(&form)?;
    let (_, _, head) =
        form.file.as_ref().ok_or_else(|| ApiError::invalid("file", "required", "attach the CSV as `file`"))?;
    let sniffed = import::sniff(head).map_err(|m| ApiError::bad_request("invalid_csv", m))?;
    let props = s.store.properties(Some(object)).await?;
    let cols = import::mapping(object, &sniffed.headers, &HashMap::new(), &props).expect("no overrides");
    Ok(Json(PreviewDto {
        delimiter: (sniffed.delimiter as char).to_string(),
        mapping: cols.iter().map(|c| c.name()).collect(),
        headers: sniffed.headers,
        targets: leadline_core::import::targets(object, &props),
        sample: sniffed.sample,
    }))
}

#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content_type = "multipart/form-data", description = "`file` (CSV, UTF-8 with or without BOM, `,` `;` or tab), `object`, `dry_run` (true/false), `source_list` (tag of a purchased list), `default_region` (e.g. IT), `default_currency`, `mapping` (JSON object header -> target)"),
    description = "Starts the import as a background job; poll GET /api/v1/imports/{id}.",
    responses((status = 202, body = JobDto), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<JobDto>)> {
    caller.require(Action::Import)?;
    let form = read_form(&s, multipart.map_err(not_multipart)?, false).await?;
    let discard = |form: &Form| {
        if let Some((_, p, _)) = &form.file {
            let _ = std::fs::remove_file(p);
        }
    };
    let params = match import_params(&s, &form).await {
        Ok(p) => p,
        Err(e) => {
            discard(&form);
            return Err(e);
        }
    };
    let job = spawn(&s, caller.user_id(), params).await?;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

/// Record an import job and run it in the background (one at a time).
pub(crate) async fn spawn(s: &AppState, user_id: &str, params: ImportParams) -> ApiResult<Job> {
    let value = serde_json::to_value(&params).map_err(internal)?;
    let user = user_id.to_owned();
    crate::jobs::spawn(s, "import", value, user_id, move |store, job_id| {
        let upload = import::Upload::of(&params);
        async move {
            let _upload = upload;
            import::run(store, &job_id, params, Some(user), |_| {}).await.map(drop)
        }
    })
    .await
}

pub(crate) async fn import_params(s: &AppState, form: &Form) -> ApiResult<ImportParams> {
    let object = object_field(form)?;
    let (file_name, path, head) =
        form.file.clone().ok_or_else(|| ApiError::invalid("file", "required", "attach the CSV as `file`"))?;
    let sniffed = import::sniff(&head).map_err(|m| ApiError::bad_request("invalid_csv", m))?;
    let overrides: HashMap<String, String> = match form.fields.get("mapping").filter(|m| !m.trim().is_empty()) {
        Some(m) => serde_json::from_str(m).map_err(|e| {
            ApiError::invalid(
                "mapping",
                "invalid_mapping",
                format!("mapping is a JSON object of header to target: {e}"),
            )
        })?,
        None => HashMap::new(),
    };
    let props = s.store.properties(Some(object)).await?;
    let cols = import::mapping(object, &sniffed.headers, &overrides, &props)
        .map_err(|m| ApiError::invalid("mapping", "invalid_target", m))?;
    let region = form
        .fields
        .get("default_region")
        .map(|r| r.trim().to_ascii_uppercase())
        .filter(|r| !r.is_empty())
        .or_else(|| s.config.default_region.clone());
    if let Some(r) = &region {
        leadline_core::record::check(
            leadline_core::record::field(ObjectKind::Contact, "country").expect("country"),
            &leadline_core::property::RawValue::Text(r.clone()),
            "EUR",
        )
        .map_err(|e| ApiError::from(e).field("default_region"))?;
    }
    let currency = leadline_core::money::parse_currency(
        "default_currency",
        form.fields.get("default_currency").map_or("EUR", String::as_str),
    )?;
    let source_list = form
        .fields
        .get("source_list")
        .map(|l| leadline_core::error::clean_text("source_list", l))
        .transpose()?
        .flatten();
    let default_stage = match form.fields.get("default_stage").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(v) => Some(
            leadline_core::lifecycle::LifecycleStage::parse(v)
                .ok_or_else(|| {
                    ApiError::invalid("default_stage", "invalid_stage", format!("{v:?} is not a lifecycle stage"))
                })?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(ImportParams {
        object: object.plural().into(),
        path,
        file_name,
        headers: sniffed.headers,
        mapping: cols.iter().map(|c| c.name()).collect(),
        delimiter: sniffed.delimiter,
        dry_run: form.fields.get("dry_run").is_some_and(|v| v == "true" || v == "on" || v == "1"),
        source_list,
        default_stage,
        default_region: region,
        default_currency: currency.into(),
        spooled: true,
        batch: crate::import::BATCH,
    })
}

#[utoipa::path(get, path = "/api/v1/imports", tag = "imports", responses((status = 200, body = Vec<JobDto>)))]
pub async fn list(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<JobDto>>> {
    caller.require(Action::Import)?;
    Ok(Json(s.store.jobs(100).await?.into_iter().filter(|j| j.kind == "import").map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", responses((status = 200, body = JobDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<JobDto>> {
    caller.require(Action::Import)?;
    Ok(Json(s.store.job(&id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    description = "Any background job (an import, a bulk action, the rules' apply) with its progress.",
    responses((status = 200, body = JobDto), (status = 404, body = crate::error::ErrorBody)))]
pub async fn job(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<JobDto>> {
    caller.require(Action::Read)?;
    Ok(Json(s.store.job(&id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/cancel", tag = "imports", description = "Stops after the batch in flight; rows already imported stay.",
    responses((status = 200, body = JobDto), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<JobDto>> {
    caller.require(Action::Import)?;
    Ok(Json(s.store.cancel_job(&id).await?.into()))
}

/// What undoing an import did.
#[derive(Serialize, ToSchema)]
pub struct UndoDto {
    /// Records the import had created, now deleted.
    pub deleted: i64,
    /// Records the import had updated, now as they were before it.
    pub restored: i64,
    pub job: JobDto,
}

#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", tag = "imports",
    description = "Takes the import back, whole or not at all: the records it created are deleted, the ones it \
        updated get their values from before it. Refused with 409 while it runs, once undone, for a dry run, and \
        when anything else touched one of its records since (an edit, a merge, an activity).",
    responses((status = 200, body = UndoDto), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn undo(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<UndoDto>> {
    caller.require(Action::Import)?;
    let undone = s.store.undo_import(&id, super::records::manual(&caller)).await?;
    let job = s.store.job(&id).await?.into();
    Ok(Json(UndoDto { deleted: undone.deleted, restored: undone.restored, job }))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}/rejects", tag = "imports",
    description = "The refused rows as CSV: the file's own columns, then `line` and `reason`, ready to fix and upload again.",
    responses((status = 200, content_type = "text/csv", description = "CSV")))]
pub async fn rejects(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.require(Action::Import)?;
    s.store.job(&id).await?;
    let mut body = Vec::new();
    import::write_rejects(s.store.as_ref(), &id, &mut body).await.map_err(internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"rejects-{id}.csv\"")),
        ],
        body,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct WarningDto {
    /// The line in the file (the header is line 1).
    pub line: i64,
    /// The field or column the value was for.
    pub field: String,
    pub value: String,
    pub reason: String,
}

#[utoipa::path(get, path = "/api/v1/imports/{id}/warnings", tag = "imports",
    params(("id" = String, Path), ("after_line" = Option<i64>, Query), ("limit" = Option<u32>, Query, description = "1 to 1000, 100 by default")),
    description = "Values left out of rows that were imported (an unknown country, an unreadable phone, an owner who is no user), in line order.",
    responses((status = 200, body = Vec<WarningDto>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn warnings(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult<Json<Vec<WarningDto>>> {
    caller.require(Action::Import)?;
    s.store.job(&id).await?;
    let (mut after, mut limit) = (0i64, 100u32);
    for (k, v) in query_pairs(&uri)? {
        match k.as_str() {
            "after_line" => {
                after = v
                    .parse()
                    .map_err(|_| ApiError::invalid("after_line", "invalid_number", "after_line is a line number"))?
            }
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| ApiError::invalid("limit", "invalid_limit", "limit is 1 to 1000"))?
            }
            _ => {
                return Err(ApiError::invalid(&k, "unknown_parameter", format!("{k} is not a parameter of this list")))
            }
        }
    }
    let found = s.store.warnings(&id, after, limit).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|w| WarningDto { line: w.line, field: w.field, value: w.value, reason: w.reason })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/exports/{object}", tag = "imports",
    params(("object" = String, Path, description = "contacts, companies or deals")),
    description = "Every record the list filters match (same query parameters as the list), as CSV, streamed.",
    responses((status = 200, content_type = "text/csv", description = "CSV"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    caller: Caller,
    Path(object): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    caller.require(Action::Export)?;
    let kind =
        import::object_of(object.trim_end_matches(".csv")).ok_or_else(|| ApiError::not_found("export", &object))?;
    let props = s.store.properties(Some(kind)).await?;
    let pairs: Vec<(String, String)> =
        query_pairs(&uri)?.into_iter().filter(|(k, _)| k != "limit" && k != "count").collect();
    let q = crate::wire::list_query(kind, &pairs, &props)?;
    // Fail before streaming starts if the query is wrong.
    s.store.list(kind, &leadline_store::ListQuery { limit: 1, ..q.clone() }).await?;
    let exporter = crate::export::Exporter::new(kind, props, &s.store.users().await?);
    let stream = crate::export::stream(s.store.clone(), kind, q, exporter);
    let name = format!("{}-{}.csv", object.trim_end_matches(".csv"), leadline_core::date::date_of_millis(crate::now()));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

pub fn routes(max_upload: u64) -> Router<AppState> {
    let limit = usize::try_from(max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/imports", get(list).post(start))
        .route("/imports/preview", post(preview))
        .layer(DefaultBodyLimit::max(limit))
        .route("/imports/{id}", get(get_one))
        .route("/jobs/{id}", get(job))
        .route("/imports/{id}/cancel", post(cancel))
        .route("/imports/{id}/undo", post(undo))
        .route("/imports/{id}/rejects", get(rejects))
        .route("/imports/{id}/warnings", get(warnings))
        .route("/exports/{object}", get(export))
}
