//! CSV import: a file on disk becomes validated batches that go to the store's bulk upsert.
//!
//! Parsing and validation run on a blocking thread and hand batches of `BATCH` rows to the
//! async side through a small channel, so a file of any size streams through without ever
//! being held whole (what an import remembers across batches is the ids of the contacts it
//! touched, 16 bytes each, and in a dry run their identities), while the CPU work of one batch
//! overlaps the database work of the previous one.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use leadline_core::contact::Identity;
use leadline_core::import::{auto_map, read_row, Column, ImportRow, OwnerRef, RowContext};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::property::PropertyDef;
use leadline_core::record::{self, ObjectKind, Scalar};
use leadline_store::{
    Actor, CompanyUpsert, ContactUpsert, Filter, FilterOp, FilterTarget, JobCounts, JobStatus, ListQuery, Reject,
    Store, UpsertKind, Warning,
};
use serde::{Deserialize, Serialize};

/// Rows per batch, and so per store transaction. A contact's e-mail address and company are
/// random keys, so a batch dirties pages all over their indexes, and every commit writes
/// those pages whether the batch touched a page once or fifty times: larger batches share
/// them among more rows. Importing a million contacts into SQLite, 25,000 rows ran 10-14%
/// faster than 10,000, and 40,000 rows 18-21% (PostgreSQL: about 5%). Each step up costs
/// peak memory (40,000: 200 MB more than 10,000) and the time one batch holds the store's
/// write lock, which other writes wait out: for 25,000, just under a second at a million
/// contacts.
pub const BATCH: usize = 25_000;

/// An import that wrote at least this many records brings the store's statistics up to date
/// when it ends.
pub const ANALYZE_AFTER: i64 = 10_000;

/// What an import was asked to do; kept as the job's params.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParams {
    /// contacts, companies or deals.
    pub object: String,
    /// The spooled file.
    pub path: PathBuf,
    /// The name the file had when uploaded.
    pub file_name: String,
    pub headers: Vec<String>,
    /// Column targets, one per header.
    pub mapping: Vec<String>,
    pub delimiter: u8,
    pub dry_run: bool,
    pub source_list: Option<String>,
    /// The lifecycle stage of rows that give none (`None`: a new contact's default, or the
    /// earliest stage for a purchased list).
    #[serde(default)]
    pub default_stage: Option<String>,
    pub default_region: Option<String>,
    pub default_currency: String,
    /// The file is an upload the job owns (deleted after a real run), not a user's own file.
    #[serde(default)]
    pub spooled: bool,
    /// Rows per batch: `BATCH`, except in tests that cross batch boundaries on small files.
    #[serde(default = "default_batch")]
    pub batch: usize,
}

fn default_batch() -> usize {
    BATCH
}

impl ImportParams {
    /// An import of a file the caller owns (never deleted), read with `columns`, that keeps what
    /// it writes; the rest as the file and the store's defaults say.
    pub fn of_file(object: ObjectKind, path: PathBuf, sniffed: Sniffed, columns: &[Column]) -> Self {
        ImportParams {
            object: object.plural().into(),
            file_name: path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            path,
            headers: sniffed.headers,
            mapping: columns.iter().map(Column::name).collect(),
            delimiter: sniffed.delimiter,
            dry_run: false,
            source_list: None,
            default_stage: None,
            default_region: None,
            default_currency: "EUR".into(),
            spooled: false,
            batch: BATCH,
        }
    }

    /// The parameters an import job was started with (`None` for a job that is not an import).
    pub fn of(job: &leadline_store::Job) -> Option<ImportParams> {
        serde_json::from_value(job.params.clone()).ok()
    }
}

/// The shape of a file: its delimiter and header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Sniffed {
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// A few data rows, for the mapping screen.
    pub sample: Vec<Vec<String>>,
}

/// Look at the start of a file: delimiter (`,` `;` or tab, whichever the header row uses
/// most outside quotes), headers without a BOM, and up to five rows.
pub fn sniff(head: &[u8]) -> Result<Sniffed, String> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.contains(&0) {
        return Err("the file is not text (it holds NUL bytes); upload a CSV file".into());
    }
    // The head may end inside a multi-byte character; anything else that is not UTF-8 is not
    // a file Leadline can read.
    if let Err(e) = std::str::from_utf8(head) {
        if e.error_len().is_some() {
            return Err(format!(
                "the file is not UTF-8 (bad byte at position {}); save it as UTF-8 CSV",
                e.valid_up_to()
            ));
        }
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in first_line {
        if *b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for c in counts.iter_mut() {
                if c.0 == *b {
                    c.1 += 1;
                }
            }
        }
    }
    let delimiter = counts.iter().max_by_key(|c| c.1).map_or(b',', |c| if c.1 == 0 { b',' } else { c.0 });
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(head);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header row cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err("the file has no header row".into());
    }
    let sample =
        reader.records().take(5).filter_map(Result::ok).map(|r| r.iter().map(str::to_owned).collect()).collect();
    Ok(Sniffed { delimiter, headers, sample })
}

/// Resolve a mapping: automatic per header, then the user's overrides (`header -> target`).
/// A target that is none says which ones there are.
pub fn mapping(
    object: ObjectKind,
    headers: &[String],
    overrides: &HashMap<String, String>,
    props: &[PropertyDef],
) -> Result<Vec<Column>, String> {
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut cols = auto_map(object, &refs, props);
    for (i, h) in headers.iter().enumerate() {
        if let Some(target) = overrides.get(h) {
            cols[i] = Column::parse(object, target, props).ok_or_else(|| {
                let valid = leadline_core::import::targets(object, props).join(", ");
                format!(
                    "{target:?} (for column {h:?}) is not an import target; the targets are {valid}, and external_id:<system> for any other system"
                )
            })?;
        }
    }
    Ok(cols)
}

pub fn object_of(s: &str) -> Option<ObjectKind> {
    ObjectKind::parse(s)
}

/// One parsed row: its line in the file, and the row or why it was refused.
struct Parsed {
    line: i64,
    raw: String,
    row: Result<ImportRow, (Option<String>, String)>,
}

fn raw_csv(fields: &[&str], delimiter: u8) -> String {
    let mut w =
        csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default().trim_end().to_owned()
}

/// Count the data rows of a file (for the progress bar), cheaply.
fn count_rows(path: &PathBuf) -> std::io::Result<i64> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0i64, b'\n');
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as i64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok((lines - 1).max(0))
}

/// Parse and validate on a blocking thread, sending batches.
fn parse_file(
    params: &ImportParams,
    columns: Vec<Column>,
    props: Vec<PropertyDef>,
    now: i64,
    tx: tokio::sync::mpsc::Sender<Vec<Parsed>>,
) -> Result<(), String> {
    let object = object_of(&params.object).ok_or("unknown object")?;
    let file = std::fs::File::open(&params.path).map_err(|e| format!("the upload cannot be read: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(params.delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let width = reader.byte_headers().map_err(|e| e.to_string())?.len();
    let ctx = RowContext {
        object,
        default_region: params.default_region.as_deref(),
        default_currency: &params.default_currency,
        source_list: params.source_list.as_deref(),
        default_stage: params.default_stage.as_deref().and_then(leadline_core::lifecycle::LifecycleStage::parse),
        properties: &props,
        now,
    };
    let size = params.batch.max(1);
    let mut batch = Vec::with_capacity(size);
    let mut record = csv::ByteRecord::new();
    loop {
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                // A broken row (an unclosed quote, ...) is refused; reading goes on after it.
                let line = e.position().map_or(0, |p| p.line() as i64);
                batch.push(Parsed {
                    line,
                    raw: String::new(),
                    row: Err((None, format!("the row cannot be read as CSV: {e}"))),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(e.to_string());
                }
                continue;
            }
        };
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line() as i64);
        let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let parsed = match fields {
            Err(_) => Parsed {
                line,
                raw: String::from_utf8_lossy(record.as_slice()).into_owned(),
                row: Err((None, "the row is not UTF-8 text".into())),
            },
            Ok(fields) if fields.len() != width && !(fields.len() == 1 && fields[0].is_empty()) => Parsed {
                line,
                raw: raw_csv(&fields, params.delimiter),
                row: Err((None, format!("the row has {} fields; the header has {width}", fields.len()))),
            },
            Ok(fields) if fields.iter().all(|f| f.trim().is_empty()) => continue,
            Ok(fields) => Parsed {
                line,
                raw: raw_csv(&fields, params.delimiter),
                row: read_row(&columns, &fields, &ctx).map_err(|errs| {
                    let field = errs.first().map(|e| e.field.clone());
                    (field, errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
                }),
            },
        };
        batch.push(parsed);
        // A closed channel means the importer stopped (cancelled): stop reading.
        if batch.len() == size && tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(size))).is_err() {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    Ok(())
}

/// Caches that live for one import.
#[derive(Default)]
struct Lookups {
    owners: HashMap<String, Option<String>>,
    /// Users by folded name, for owners a file names by name (read once, when first needed).
    owners_by_name: Option<HashMap<String, String>>,
    companies: HashMap<String, String>,
    contacts_by_email: HashMap<String, Option<String>>,
    /// Dry runs keep nothing, so identities seen in earlier batches are remembered here.
    seen: HashSet<String>,
    /// The contacts this import has created or updated (their UUIDs as integers, 16 bytes
    /// each): a later batch's row that updates one of them is a duplicate within the file, as
    /// it would have been had both rows fallen in one batch. Every row hashes into it, so it
    /// uses foldhash (seeded per process) rather than SipHash.
    touched: foldhash::HashSet<u128>,
}

fn id_bits(id: &str) -> Option<u128> {
    uuid::Uuid::try_parse(id).ok().map(|u| u.as_u128())
}

/// Run an import job to its end. Progress and rejects are written to the job as it goes;
/// `on_progress` hears the counts after every batch (the CLI draws its bar from it).
pub async fn run(
    store: Arc<dyn Store>,
    job_id: &str,
    params: ImportParams,
    user_id: Option<String>,
    mut on_progress: impl FnMut(JobCounts) + Send,
) -> Result<JobCounts, String> {
    let object =
        object_of(&params.object).ok_or_else(|| format!("{} is not contacts, companies or deals", params.object))?;
    let props = store.properties(Some(object)).await.map_err(|e| e.to_string())?;
    let columns: Vec<Column> =
        params.mapping.iter().map(|t| Column::parse(object, t, &props).unwrap_or(Column::Ignore)).collect();
    let mut counts = JobCounts { total: count_rows(&params.path).map_err(|e| e.to_string())?, ..Default::default() };
    store.job_progress(job_id, JobStatus::Running, counts, crate::now()).await.map_err(|e| e.to_string())?;
    // The parser runs at most two batches ahead.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Parsed>>(2);
    let parser = {
        let params = params.clone();
        let props = props.clone();
        let now = crate::now();
        tokio::task::spawn_blocking(move || parse_file(&params, columns, props, now, tx))
    };
    let mut lookups = Lookups::default();
    let mut cancelled = false;
    while let Some(batch) = rx.recv().await {
        let now = crate::now();
        // A real run journals its writes, so that it can be undone.
        let job = (!params.dry_run).then_some(job_id);
        let actor = Actor { job_id: job, ..Actor::new(user_id.as_deref(), ChangeCause::Import, now) };
        let (rejects, warnings) =
            import_batch(store.as_ref(), object, batch, &params, actor, &mut lookups, &mut counts).await?;
        if !rejects.is_empty() {
            store.add_rejects(job_id, &rejects).await.map_err(|e| e.to_string())?;
        }
        if !warnings.is_empty() {
            store.add_warnings(job_id, &warnings).await.map_err(|e| e.to_string())?;
        }
        on_progress(counts);
        if store.job_progress(job_id, JobStatus::Running, counts, now).await.map_err(|e| e.to_string())? {
            cancelled = true;
            break;
        }
    }
    drop(rx);
    let parsed = parser.await.map_err(|e| e.to_string())?;
    // After many rows the planner's statistics are out of date (PostgreSQL); the job says it
    // is bringing them up to date, as that takes a while at a million rows.
    if !params.dry_run && counts.created + counts.updated >= ANALYZE_AFTER {
        store.job_phase(job_id, Some("analyzing")).await.map_err(|e| e.to_string())?;
        store.refresh_statistics().await.map_err(|e| e.to_string())?;
        store.job_phase(job_id, None).await.map_err(|e| e.to_string())?;
    }
    let status = if cancelled { JobStatus::Cancelled } else { JobStatus::Done };
    let error = parsed.as_ref().err().cloned();
    let status = if error.is_some() { JobStatus::Failed } else { status };
    // The total was counted as lines before the import; a quoted cell can span lines, so a
    // finished import says how many rows there were.
    if status == JobStatus::Done {
        counts.total = counts.processed;
    }
    store.finish_job(job_id, status, counts, error.as_deref(), crate::now()).await.map_err(|e| e.to_string())?;
    parsed.map(|_| counts)
}

/// An uploaded file that is removed when its import ends, however it ends (done, cancelled
/// while it waited, failed); a dry run keeps its upload so the same file can then be imported
/// for real.
pub struct Upload(Option<PathBuf>);

impl Upload {
    pub fn of(params: &ImportParams) -> Self {
        Self((params.spooled && !params.dry_run).then(|| params.path.clone()))
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn import_batch(
    store: &dyn Store,
    object: ObjectKind,
    batch: Vec<Parsed>,
    params: &ImportParams,
    actor: Actor<'_>,
    lookups: &mut Lookups,
    counts: &mut JobCounts,
) -> Result<(Vec<Reject>, Vec<Warning>), String> {
    let mut rejects = Vec::new();
    let mut warnings = Vec::new();
    let mut rows: Vec<(i64, String, ImportRow)> = Vec::with_capacity(batch.len());
    for p in batch {
        counts.processed += 1;
        match p.row {
            Ok(row) => rows.push((p.line, p.raw, row)),
            Err((field, reason)) => rejects.push(Reject { line: p.line, field, reason, raw: p.raw }),
        }
    }
    // Owners given by e-mail or name become user ids; an owner nobody is leaves the row
    // without one.
    let mut kept = Vec::with_capacity(rows.len());
    for (line, raw, mut row) in rows {
        if let Some(owner) = row.owner.take() {
            match owner_id(store, &owner, lookups).await? {
                Some(id) => row
                    .contact
                    .record
                    .set(record::field(object, "owner_id").expect("every object has an owner"), Some(Scalar::Text(id))),
                None => {
                    let (value, reason) = match owner {
                        OwnerRef::Email(e) => {
                            (e.as_str().to_owned(), format!("there is no user with e-mail {}", e.as_str()))
                        }
                        OwnerRef::Name(n) => (n.clone(), format!("there is no user named {n}")),
                    };
                    warnings.push(Warning { line, field: "owner_email".into(), value, reason });
                }
            }
        }
        for (e, value) in row.warnings.drain(..) {
            warnings.push(Warning {
                line,
                field: e.field,
                value: value.chars().take(200).collect(),
                reason: e.message,
            });
        }
        kept.push((line, raw, row));
    }
    drop_unknown_references(store, object, &mut kept, &mut warnings).await?;
    counts.warnings += warnings.len() as i64;
    resolve_ids(store, object, &mut kept).await?;
    match object {
        ObjectKind::Contact => import_contacts(store, kept, params, actor, lookups, counts, &mut rejects).await?,
        ObjectKind::Company => {
            let items = kept
                .iter()
                .map(|(_, _, r)| CompanyUpsert {
                    id: r.id.clone(),
                    changes: r.contact.record.clone(),
                    external_ids: r
                        .contact
                        .external_ids
                        .iter()
                        .filter_map(|i| match i {
                            Identity::External(s, id) => Some((s.clone(), id.clone())),
                            _ => None,
                        })
                        .collect(),
                })
                .collect();
            let outcomes = store.upsert_companies(items, actor, params.dry_run).await.map_err(|e| e.to_string())?;
            tally(
                counts,
                &mut rejects,
                kept.into_iter()
                    .map(|(l, r, _)| (l, r))
                    .zip(outcomes.into_iter().map(|o| o.map(|o| o.kind).map_err(|e| e.to_string()))),
            );
        }
        ObjectKind::Deal => {
            for (line, raw, row) in kept {
                let mut ids = Vec::new();
                for email in &row.contact_emails {
                    if let Some(id) = contact_by_email(store, email.as_str(), lookups).await? {
                        ids.push(id);
                    }
                }
                let result = if params.dry_run {
                    Ok(UpsertKind::Created)
                } else {
                    store
                        .create_deal(&row.contact.record, &ids, actor)
                        .await
                        .map(|_| UpsertKind::Created)
                        .map_err(|e| e.to_string())
                };
                tally(counts, &mut rejects, std::iter::once(((line, raw), result)));
            }
        }
    }
    counts.rejected = counts.processed - counts.created - counts.updated - counts.merged;
    Ok((rejects, warnings))
}

/// A company or owner id that names nothing here (a file exported from another store) is left
/// out of its row with a warning; one that names a merged company becomes its survivor.
async fn drop_unknown_references(
    store: &dyn Store,
    object: ObjectKind,
    rows: &mut [(i64, String, ImportRow)],
    warnings: &mut Vec<Warning>,
) -> Result<(), String> {
    let text_of = |row: &ImportRow, field: &str| match row.contact.record.get(field) {
        Some(Some(Scalar::Text(id))) => Some(id.clone()),
        _ => None,
    };
    let companies: Vec<String> = rows.iter().filter_map(|(_, _, r)| text_of(r, "company_id")).collect();
    let live = if companies.is_empty() {
        Default::default()
    } else {
        store.live_ids(ObjectKind::Company, &companies).await.map_err(|e| e.to_string())?
    };
    let owners_named = rows.iter().any(|(_, _, r)| text_of(r, "owner_id").is_some());
    let users: HashSet<String> = if owners_named {
        store.users().await.map_err(|e| e.to_string())?.into_iter().map(|u| u.id).collect()
    } else {
        HashSet::new()
    };
    for (line, _, row) in rows.iter_mut() {
        for (field, what) in [("company_id", "company"), ("owner_id", "user")] {
            let (Some(spec), Some(id)) = (record::field(object, field), text_of(row, field)) else { continue };
            let found = match field {
                "company_id" => live.get(&id).cloned(),
                _ => users.contains(&id).then(|| id.clone()),
            };
            match found {
                Some(live_id) => row.contact.record.set(spec, Some(Scalar::Text(live_id))),
                None => {
                    row.contact.record.fields.retain(|(f, _)| f.name != field);
                    let reason = format!("there is no {what} {id} here");
                    warnings.push(Warning { line: *line, field: field.into(), value: id, reason });
                }
            }
        }
    }
    Ok(())
}

/// The user an owner cell names: by e-mail, or by name (case and diacritics aside).
async fn owner_id(store: &dyn Store, owner: &OwnerRef, lookups: &mut Lookups) -> Result<Option<String>, String> {
    match owner {
        OwnerRef::Email(email) => {
            if let Some(o) = lookups.owners.get(email.as_str()) {
                return Ok(o.clone());
            }
            let o = store.user_by_email(email.as_str()).await.map_err(|e| e.to_string())?.map(|u| u.id);
            lookups.owners.insert(email.as_str().to_owned(), o.clone());
            Ok(o)
        }
        OwnerRef::Name(name) => {
            if lookups.owners_by_name.is_none() {
                let users = store.users().await.map_err(|e| e.to_string())?;
                let names = users
                    .into_iter()
                    .filter(|u| !u.disabled)
                    .filter_map(|u| Some((leadline_core::import::owner_key(u.name.as_deref()?), u.id)))
                    .collect();
                lookups.owners_by_name = Some(names);
            }
            Ok(lookups.owners_by_name.as_ref().and_then(|m| m.get(name)).cloned())
        }
    }
}

/// Resolve the rows' `id` column (`Column::Id`) in place: an id that names a record (or a
/// merged one's survivor) becomes that record's live id, which the row then updates; one that
/// names none is moved into the row's external ids as `import:<id>`, as another file's ids are.
async fn resolve_ids(
    store: &dyn Store,
    object: ObjectKind,
    rows: &mut [(i64, String, ImportRow)],
) -> Result<(), String> {
    let named: Vec<String> = rows.iter().filter_map(|(_, _, row)| row.id.clone()).collect();
    if named.is_empty() {
        return Ok(());
    }
    let live = store.live_ids(object, &named).await.map_err(|e| e.to_string())?;
    for (_, _, row) in rows {
        let Some(id) = row.id.take() else { continue };
        row.id = live.get(&id).cloned();
        if row.id.is_none() {
            row.contact.external_ids.extend(leadline_core::contact::external_id("import", &id));
        }
    }
    Ok(())
}

async fn contact_by_email(store: &dyn Store, email: &str, lookups: &mut Lookups) -> Result<Option<String>, String> {
    if let Some(hit) = lookups.contacts_by_email.get(email) {
        return Ok(hit.clone());
    }
    let mut q = ListQuery::newest(ObjectKind::Contact, 1);
    q.filters.push(Filter { target: FilterTarget::Email, op: FilterOp::Eq, value: vec![Scalar::Text(email.into())] });
    let id = store.list(ObjectKind::Contact, &q).await.map_err(|e| e.to_string())?.items.pop().map(|r| r.id);
    lookups.contacts_by_email.insert(email.into(), id.clone());
    Ok(id)
}

fn tally(
    counts: &mut JobCounts,
    rejects: &mut Vec<Reject>,
    outcomes: impl Iterator<Item = ((i64, String), Result<UpsertKind, String>)>,
) {
    for ((line, raw), outcome) in outcomes {
        match outcome {
            Ok(UpsertKind::Created) => counts.created += 1,
            Ok(UpsertKind::Updated) => counts.updated += 1,
            Ok(UpsertKind::Merged) => counts.merged += 1,
            Err(reason) => rejects.push(Reject { line, field: None, reason, raw }),
        }
    }
    counts.rejected = counts.processed - counts.created - counts.updated - counts.merged;
}

async fn import_contacts(
    store: &dyn Store,
    rows: Vec<(i64, String, ImportRow)>,
    params: &ImportParams,
    actor: Actor<'_>,
    lookups: &mut Lookups,
    counts: &mut JobCounts,
    rejects: &mut Vec<Reject>,
) -> Result<(), String> {
    // A contact at a company's own domain belongs to that company; free-mail never makes one.
    let company_field = record::field(ObjectKind::Contact, "company_id").expect("contacts have company_id");
    let (lines, contacts): (Vec<(i64, String)>, Vec<_>) =
        rows.into_iter().map(|(l, r, row)| ((l, r), (row.id, row.contact))).unzip();
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    let mut asked: HashSet<&str> = HashSet::new();
    for (_, contact) in &contacts {
        if matches!(contact.record.get("company_id"), Some(Some(_))) {
            continue;
        }
        let Some(email) = contact.emails.as_ref().and_then(|e| e.iter().find(|e| !e.is_free_mail())) else {
            continue;
        };
        let domain = email.domain();
        if !lookups.companies.contains_key(domain) && asked.insert(domain) {
            let name = contact
                .record
                .get("company_name")
                .and_then(|v| v.as_ref())
                .and_then(Scalar::as_text)
                .map(str::to_owned);
            wanted.push((domain.to_owned(), name));
        }
    }
    if !wanted.is_empty() {
        let items = wanted
            .iter()
            .map(|(domain, name)| {
                let mut c = leadline_core::contact::FieldChanges::default();
                c.set(
                    record::field(ObjectKind::Company, "domain").expect("domain"),
                    Some(Scalar::Text(domain.clone())),
                );
                c.set(
                    record::field(ObjectKind::Company, "name").expect("name"),
                    Some(Scalar::Text(name.clone().unwrap_or_else(|| domain.clone()))),
                );
                CompanyUpsert { id: None, changes: c, external_ids: Vec::new() }
            })
            .collect();
        // Companies are only looked up in a dry run: creating them is part of what it reports.
        if !params.dry_run {
            let outcomes = store.upsert_companies(items, actor, false).await.map_err(|e| e.to_string())?;
            for ((domain, _), o) in wanted.iter().zip(outcomes) {
                if let Ok(o) = o {
                    lookups.companies.insert(domain.clone(), o.id);
                }
            }
        }
    }
    let items: Vec<ContactUpsert> = contacts
        .into_iter()
        .map(|(id, mut changes)| {
            if !matches!(changes.record.get("company_id"), Some(Some(_))) {
                let company = changes
                    .emails
                    .as_ref()
                    .and_then(|e| e.iter().find(|e| !e.is_free_mail()))
                    .and_then(|e| lookups.companies.get(e.domain()));
                if let Some(id) = company {
                    changes.record.set(company_field, Some(Scalar::Text(id.clone())));
                }
            }
            ContactUpsert { id, changes }
        })
        .collect();
    // A dry run remembers the e-mails and external ids of its batches (see `Lookups::seen`);
    // a phone alone does not name a contact.
    let keys: Vec<Vec<String>> = if params.dry_run {
        items
            .iter()
            .map(|i| {
                i.changes.identities().iter().filter(|k| !matches!(k, Identity::Phone(_))).map(Identity::key).collect()
            })
            .collect()
    } else {
        vec![Vec::new(); items.len()]
    };
    let outcomes = store.upsert_contacts(items, actor, params.dry_run).await.map_err(|e| e.to_string())?;
    let mut flagged = 0;
    let kinds = outcomes.into_iter().zip(keys).map(|(o, keys)| {
        let o = o.map_err(|e| e.to_string())?;
        if !o.possible_duplicates.is_empty() {
            flagged += 1;
        }
        let id = id_bits(&o.id);
        let earlier = match o.kind {
            // A dry run keeps nothing: a "new" contact seen in an earlier batch would have
            // been merged.
            UpsertKind::Created => params.dry_run && keys.iter().any(|k| lookups.seen.contains(k)),
            UpsertKind::Updated => id.is_some_and(|id| lookups.touched.contains(&id)),
            UpsertKind::Merged => false,
        };
        if params.dry_run {
            lookups.seen.extend(keys);
        }
        // A dry run's new ids are thrown away with its transaction and never come back.
        if !(params.dry_run && o.kind == UpsertKind::Created) {
            lookups.touched.extend(id);
        }
        Ok(if earlier { UpsertKind::Merged } else { o.kind })
    });
    let kinds: Vec<_> = kinds.collect();
    counts.possible_duplicates += flagged;
    tally(counts, rejects, lines.into_iter().zip(kinds));
    Ok(())
}

/// Write a job's refused rows as CSV: the file's own header and columns, then `line` and
/// `reason`, ready to fix and import again.
pub async fn write_rejects(store: &dyn Store, job_id: &str, out: impl std::io::Write) -> Result<(), String> {
    let job = store.job(job_id).await.map_err(|e| e.to_string())?;
    let params: Option<ImportParams> = serde_json::from_value(job.params).ok();
    let delimiter = params.as_ref().map_or(b',', |p| p.delimiter);
    let mut header = params.map(|p| p.headers).unwrap_or_default();
    let width = header.len();
    header.extend(["line".to_owned(), "reason".to_owned()]);
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(out);
    w.write_record(&header).map_err(|e| e.to_string())?;
    let mut after = 0;
    loop {
        let page = store.rejects(job_id, after, 5000).await.map_err(|e| e.to_string())?;
        for r in &page {
            let mut fields: Vec<String> = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(r.raw.as_bytes())
                .records()
                .next()
                .and_then(Result::ok)
                .map(|rec| rec.iter().map(str::to_owned).collect())
                .unwrap_or_default();
            fields.resize(width, String::new());
            fields.push(r.line.to_string());
            fields.push(match &r.field {
                Some(f) => format!("{f}: {}", r.reason),
                None => r.reason.clone(),
            });
            w.write_record(&fields).map_err(|e| e.to_string())?;
        }
        match page.last() {
            Some(last) if page.len() == 5000 => after = last.line,
            _ => break,
        }
    }
    w.flush().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiter_bom_and_headers() {
        let s = sniff(b"\xEF\xBB\xBFnome;cognome;email\nGiulia;Rossi;g@r.it\n").unwrap();
        assert_eq!(s.delimiter, b';');
        assert_eq!(s.headers, ["nome", "cognome", "email"]);
        assert_eq!(s.sample, vec![vec!["Giulia".to_string(), "Rossi".into(), "g@r.it".into()]]);
        let s = sniff(b"\"Name, full\",Email\n\"Nowak, Anna\",a@b.pl\n").unwrap();
        assert_eq!(s.delimiter, b',');
        assert_eq!(s.headers, ["Name, full", "Email"]);
        assert!(sniff(b"").is_err());
    }
}
