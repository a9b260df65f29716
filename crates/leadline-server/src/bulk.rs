//! Bulk actions: one change, checked once before anything is written, applied to the ticked
//! records of a list or to every record its filter matches. Up to [`INLINE`] records are
//! changed within the request; more run as a background job (kind `bulk`) that walks the list
//! a page at a time, newest first (records created meanwhile are not taken), and reports its
//! progress as it goes.

use std::sync::Arc;

use leadline_core::contact::{ContactChanges, FieldChanges};
use leadline_core::lifecycle::{ChangeCause, LifecycleStage};
use leadline_core::record::ObjectKind;
use leadline_store::{Actor, JobCounts, JobStatus, ListQuery, Store, StoreError, WriteOptions};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// The most records a bulk action changes within its request; more go to a background job.
pub const INLINE: i64 = 500;

/// Records read per page while walking a list.
const PAGE: u32 = 500;

/// A bulk action as asked for; kept as its job's params.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkParams {
    /// contacts, companies or deals.
    pub object: String,
    /// `delete`, `set` (`field` to `value`), `tag` (contacts: add the tags in `value`) or
    /// `list` (contacts: add them to the static list whose id is `value`).
    pub action: String,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub value: String,
    /// Contacts may be moved back down the funnel.
    #[serde(default)]
    pub allow_backward: bool,
    /// The list's query (the API's list parameters) whose matches it takes.
    #[serde(default)]
    pub query: Vec<(String, String)>,
}

/// The fields a bulk action may set on each kind of record.
pub fn settable(object: ObjectKind) -> &'static [&'static str] {
    match object {
        ObjectKind::Contact => &["lifecycle_stage", "lead_status", "owner_id"],
        ObjectKind::Company => &["tier", "owner_id"],
        ObjectKind::Deal => &["stage", "status", "owner_id"],
    }
}

/// A bulk action checked and ready to apply.
pub struct Prepared {
    pub object: ObjectKind,
    change: Change,
    options: WriteOptions,
}

enum Change {
    Delete,
    Contact(ContactChanges),
    Tags(Vec<String>),
    /// Onto a static list (its id).
    List(String),
    Record(FieldChanges),
}

/// What applying an action did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    /// It already was as asked.
    Unchanged,
    /// Left alone: it would have moved back down the funnel without that being allowed, or a
    /// deal's pipeline refuses the change.
    Skipped,
    /// Deleted or merged away meanwhile.
    Gone,
}

/// Check an action once, before anything is written: a bad value changes nothing.
pub async fn prepare(s: &AppState, p: &BulkParams) -> ApiResult<Prepared> {
    let object = crate::import::object_of(&p.object)
        .ok_or_else(|| ApiError::invalid("object", "invalid_object", "object must be contacts, companies or deals"))?;
    let options = WriteOptions { allow_backward_stage: p.allow_backward };
    let required = || ApiError::invalid("value", "required", "choose a value for this action");
    let change = match p.action.as_str() {
        "delete" => Change::Delete,
        "tag" if object == ObjectKind::Contact => {
            let tags: Vec<String> = leadline_core::contact::split_tags(&p.value)
                .map(leadline_core::contact::tag)
                .collect::<Result<_, _>>()?;
            if tags.is_empty() {
                return Err(required());
            }
            if tags.len() > leadline_core::contact::MAX_TAGS {
                let max = leadline_core::contact::MAX_TAGS;
                return Err(ApiError::invalid("value", "too_many", format!("a contact carries at most {max} tags")));
            }
            Change::Tags(tags)
        }
        "list" if object == ObjectKind::Contact => {
            let list = s.store.segment(p.value.trim()).await.ok().filter(|l| l.condition.is_none());
            let list = list.ok_or_else(|| ApiError::invalid("value", "not_a_list", "choose a static list"))?;
            Change::List(list.id)
        }
        "set" => {
            let field = p.field.as_deref().unwrap_or_default();
            if !settable(object).contains(&field) {
                return Err(ApiError::invalid(
                    "field",
                    "invalid_field",
                    format!("a bulk action sets one of: {}", settable(object).join(", ")),
                ));
            }
            if p.value.trim().is_empty() {
                return Err(required());
            }
            if field == "owner_id" {
                let owner = s.store.user(&p.value).await.ok().filter(|u| !u.disabled);
                if owner.is_none_or(|u| !u.role.allows(leadline_core::role::Action::Write)) {
                    return Err(ApiError::invalid(
                        "value",
                        "unknown_user",
                        "that user does not exist or cannot own records",
                    ));
                }
            }
            let props = s.store.properties(Some(object)).await?;
            let ctx = crate::wire::InputContext {
                object,
                properties: &props,
                default_region: s.config.default_region.as_deref(),
                now: crate::now(),
                origin: "web",
            };
            let body = json!({ field: p.value });
            match object {
                ObjectKind::Contact => Change::Contact(crate::wire::contact_changes(&body, &ctx)?),
                _ => Change::Record(crate::wire::field_changes(&body, &ctx)?),
            }
        }
        other => {
            return Err(ApiError::invalid("action", "invalid_action", format!("{other} is not a bulk action here")))
        }
    };
    Ok(Prepared { object, change, options })
}

/// Apply a prepared action to one record.
pub async fn apply(store: &dyn Store, p: &Prepared, id: &str, actor: Actor<'_>) -> Result<Outcome, StoreError> {
    let done = match &p.change {
        Change::Delete => store.delete(p.object, id, actor).await,
        Change::Contact(changes) => store.update_contact(id, changes, p.options, actor).await.map(drop),
        Change::Tags(added) => {
            let r = match store.get(ObjectKind::Contact, id).await {
                Ok(r) => r,
                Err(StoreError::NotFound { .. }) => return Ok(Outcome::Gone),
                Err(e) => return Err(e),
            };
            let mut tags = r.tags.clone();
            tags.extend(added.iter().filter(|t| !r.tags.contains(t)).cloned());
            if tags == r.tags {
                return Ok(Outcome::Unchanged);
            }
            if tags.len() > leadline_core::contact::MAX_TAGS {
                return Ok(Outcome::Skipped);
            }
            let changes = ContactChanges { tags: Some(tags), ..ContactChanges::default() };
            store.update_contact(&r.id, &changes, p.options, actor).await.map(drop)
        }
        Change::List(list) => match store.add_list_members(list, &[id.to_owned()], actor).await {
            Ok(0) => return Ok(Outcome::Unchanged),
            Ok(_) => Ok(()),
            Err(StoreError::Invalid(_)) => return Ok(Outcome::Gone),
            Err(e) => Err(e),
        },
        Change::Record(changes) => match p.object {
            ObjectKind::Deal => {
                // A deal keeps its pipeline's rules in bulk as one at a time: one the change
                // would break (a stage it lacks what for, won without a reason) is left alone.
                let current = match store.get(ObjectKind::Deal, id).await {
                    Ok(r) => r,
                    Err(StoreError::NotFound { .. }) => return Ok(Outcome::Gone),
                    Err(e) => return Err(e),
                };
                let mut changes = changes.clone();
                let today = leadline_core::date::date_of_millis(actor.now);
                match crate::pipelines::check_deal(store, Some(&current), None, &mut changes, &today).await {
                    Ok(()) => store.update_deal(id, &changes, None, actor).await.map(drop),
                    Err(e) if e.status() == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
                        return Ok(Outcome::Skipped)
                    }
                    Err(e) => return Err(StoreError::Corrupt(e.message)),
                }
            }
            _ => store.update_company(id, changes, &[], actor).await.map(drop),
        },
    };
    match done {
        Ok(()) => Ok(Outcome::Changed),
        Err(StoreError::NotFound { .. }) => Ok(Outcome::Gone),
        Err(StoreError::Conflict { code: "backward_stage", .. }) => Ok(Outcome::Skipped),
        Err(e) => Err(e),
    }
}

/// Count an outcome: `updated` holds the records changed (or deleted), `rejected` those left
/// alone because they would have moved back down the funnel.
pub fn tally(counts: &mut JobCounts, outcome: Outcome) {
    counts.processed += 1;
    match outcome {
        Outcome::Changed => counts.updated += 1,
        Outcome::Skipped => counts.rejected += 1,
        Outcome::Unchanged | Outcome::Gone => {}
    }
}

/// The list query of a bulk action: its filters and search, newest first, a page at a time.
pub async fn list_query(s: &AppState, object: ObjectKind, pairs: &[(String, String)]) -> ApiResult<ListQuery> {
    let pairs: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| !["sort", "cursor", "limit"].contains(&k.as_str())).cloned().collect();
    let props = crate::api::records::property_defs_for_filters(s, object, &pairs).await?;
    let mut q = crate::wire::list_query(object, &pairs, &props)?;
    q.sort = leadline_store::Sort::Field(
        leadline_core::record::field(object, "created_at").expect("every object has created_at"),
    );
    q.descending = true;
    q.limit = PAGE;
    q.after = None;
    Ok(q)
}

/// Apply an action to every record `query` matches, a page at a time. A job reports its
/// counts after each page; returns whether it was cancelled meanwhile.
pub async fn walk(
    store: &dyn Store,
    p: &Prepared,
    mut query: ListQuery,
    actor: Actor<'_>,
    counts: &mut JobCounts,
    job_id: Option<&str>,
) -> Result<bool, StoreError> {
    loop {
        let page = store.list(p.object, &query).await?;
        for r in &page.items {
            tally(counts, apply(store, p, &r.id, actor).await?);
        }
        if let Some(job) = job_id {
            if store.job_progress(job, JobStatus::Running, *counts, crate::now()).await? {
                return Ok(true);
            }
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(false),
        }
    }
}

/// Run a bulk job: walk its query, reporting progress (which is also its heartbeat).
pub async fn run(
    store: Arc<dyn Store>,
    job_id: &str,
    prepared: Prepared,
    query: ListQuery,
    user_id: String,
) -> Result<(), String> {
    let store = store.as_ref();
    let err = |e: StoreError| e.to_string();
    let mut counts = JobCounts {
        total: store.count(prepared.object, &query.filters, query.search.as_deref()).await.map_err(err)?,
        ..JobCounts::default()
    };
    store.job_progress(job_id, JobStatus::Running, counts, crate::now()).await.map_err(err)?;
    let actor = Actor::new(Some(&user_id), ChangeCause::Manual, crate::now());
    let cancelled = walk(store, &prepared, query, actor, &mut counts, Some(job_id)).await.map_err(err)?;
    let status = if cancelled { JobStatus::Cancelled } else { JobStatus::Done };
    if status == JobStatus::Done {
        counts.total = counts.processed;
    }
    store.finish_job(job_id, status, counts, None, crate::now()).await.map_err(err)?;
    Ok(())
}

/// How many contacts among `query`'s matches a move to `stage` would take back down the funnel.
pub async fn backward_moves(store: &dyn Store, query: &ListQuery, stage: &str) -> Result<i64, StoreError> {
    let Some(to) = LifecycleStage::parse(stage) else { return Ok(0) };
    let ahead: Vec<leadline_core::record::Scalar> = LifecycleStage::ALL
        .iter()
        .filter(|from| from.is_backward(to))
        .map(|s| leadline_core::record::Scalar::Text(s.as_str().to_owned()))
        .collect();
    if ahead.is_empty() {
        return Ok(0);
    }
    let mut filters = query.filters.clone();
    filters.push(leadline_store::Filter {
        target: leadline_store::FilterTarget::Field(
            leadline_core::record::field(ObjectKind::Contact, "lifecycle_stage").expect("a contact field"),
        ),
        op: leadline_store::FilterOp::In,
        value: ahead,
    });
    store.count(ObjectKind::Contact, &filters, query.search.as_deref()).await
}
