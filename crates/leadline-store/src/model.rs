//! What the store hands out and takes in. Row-shaped types, not API types: the server turns them
//! into its JSON DTOs.

use leadline_core::contact::{Consent, ContactChanges, FieldChanges};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::{FieldSpec, ObjectKind, Scalar};
use leadline_core::role::{Role, TokenScope};
use leadline_core::Millis;

/// A contact, company or deal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub object: ObjectKind,
    /// Every built-in field of the object, in `record::fields` order.
    pub fields: Vec<(&'static FieldSpec, Option<Scalar>)>,
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Contacts: e-mails, primary first.
    pub emails: Vec<String>,
    /// Contacts: phones in E.164, primary first.
    pub phones: Vec<String>,
    /// Contacts and companies: (system, id).
    pub external_ids: Vec<(String, String)>,
    pub tags: Vec<String>,
    pub consent: Vec<Consent>,
    /// Deals: their contacts.
    pub contact_ids: Vec<String>,
    /// Contacts: the engine's last decision for each score model: (model, score, category).
    pub scores: Vec<(String, f64, Option<String>)>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Scalar> {
        self.fields.iter().find(|(f, _)| f.name == name).and_then(|(_, v)| v.as_ref())
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Scalar::as_text)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Scalar::as_int)
    }

    pub fn created_at(&self) -> Millis {
        self.int("created_at").unwrap_or_default()
    }
}

/// Who did something and why: kept with every change.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: Option<&'a str>,
    pub cause: ChangeCause,
    pub now: Millis,
    /// The import a write belongs to: its writes are journalled so it can be undone.
    pub job_id: Option<&'a str>,
}

impl<'a> Actor<'a> {
    /// A write outside any import.
    pub fn new(user_id: Option<&'a str>, cause: ChangeCause, now: Millis) -> Self {
        Self { user_id, cause, now, job_id: None }
    }
}

/// How a contact write treats the lifecycle stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Moving a contact back down the funnel must be asked for.
    pub allow_backward_stage: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    /// Text starts with the value.
    Prefix,
    /// The value is one of a `,`-separated list.
    In,
    Empty,
    NotEmpty,
}

impl FilterOp {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "prefix" => Self::Prefix,
            "in" => Self::In,
            "empty" => Self::Empty,
            "not_empty" => Self::NotEmpty,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterTarget {
    Field(&'static FieldSpec),
    Property(String),
    /// Contacts with this e-mail.
    Email,
    /// Records carrying this tag.
    Tag,
    /// Contacts of a company (through their role links) or deals of a contact.
    LinkedTo(ObjectKind),
    /// Contacts by a score model's score (an integer), as the engine last decided it.
    Score(String),
    /// Contacts in a segment or static list (its id).
    Segment,
}

/// What a list is sorted by.
#[derive(Debug, Clone, PartialEq)]
pub enum Sort {
    Field(&'static FieldSpec),
    /// Contacts by a score model's score; those without one last (ascending: first).
    Score(String),
}

impl Sort {
    /// The name a list's `sort` parameter gives it: the field's, or `score.<model>`.
    pub fn name(&self) -> String {
        match self {
            Sort::Field(spec) => spec.name.to_owned(),
            Sort::Score(model) => format!("score.{model}"),
        }
    }

    pub fn is_integer(&self) -> bool {
        match self {
            Sort::Field(spec) => spec.kind.is_integer(),
            Sort::Score(_) => true,
        }
    }
}

/// The most values an `in` filter takes: every value is a bound parameter (some filters bind
/// each twice), and a backend refuses a statement with more than tens of thousands.
pub const MAX_IN_VALUES: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub target: FilterTarget,
    pub op: FilterOp,
    /// Values of a filter are already checked and normalised for the target (a `Scalar` for
    /// integer fields is an `Int`).
    pub value: Vec<Scalar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    /// Folded prefix search over names, e-mails, phones and company.
    pub search: Option<String>,
    pub sort: Sort,
    pub descending: bool,
    /// Opaque cursor from the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

impl ListQuery {
    /// Newest first, the first page.
    pub fn newest(object: ObjectKind, limit: u32) -> Self {
        let sort = leadline_core::record::field(object, "created_at").expect("every object has created_at");
        Self { filters: Vec::new(), search: None, sort: Sort::Field(sort), descending: true, after: None, limit }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// A contact write that may create or update, keyed by e-mail, then phone, then external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactUpsert {
    /// The contact the item updates, named by its id (a merged one's survivor), instead of
    /// the contact its identities find. An id that names no contact refuses the item.
    pub id: Option<String>,
    pub changes: ContactChanges,
}

/// A company write keyed by domain, then external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyUpsert {
    /// The company the item updates, named by its id (a merged one's survivor), instead of the
    /// one its domain or external ids find. An id that names no company refuses the item.
    pub id: Option<String>,
    pub changes: FieldChanges,
    pub external_ids: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertKind {
    Created,
    /// Matched a record that existed before this call.
    Updated,
    /// Matched a record created or updated earlier in the same call (a duplicate within the batch).
    Merged,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpsertOutcome {
    pub kind: UpsertKind,
    pub id: String,
    /// Other contacts this one looks like (a shared phone), now listed as possible duplicates.
    pub possible_duplicates: Vec<String>,
}

impl UpsertOutcome {
    pub fn new(kind: UpsertKind, id: String) -> Self {
        Self { kind, id, possible_duplicates: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateStatus {
    Open,
    Merged,
    Dismissed,
}

impl DuplicateStatus {
    pub const ALL: [DuplicateStatus; 3] = [Self::Open, Self::Merged, Self::Dismissed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A page of possible duplicates in one status, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateQuery {
    pub status: DuplicateStatus,
    pub limit: u32,
    pub cursor: Option<String>,
}

/// Two contacts that look like one person, for someone to merge or dismiss.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatePair {
    pub id: String,
    /// The two contacts as they are now (the older first).
    pub a: Record,
    pub b: Record,
    pub reason: leadline_core::dedupe::Reason,
    pub status: DuplicateStatus,
    /// What found it: `import:<job id>`, `api`, `scan`.
    pub source: String,
    pub found_at: Millis,
    pub resolved_at: Option<Millis>,
    pub resolved_by: Option<String>,
    /// The merge that resolved it.
    pub merge_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub locale: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<Option<String>>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    pub locale: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub scope: TokenScope,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: Millis,
}

/// A new activity on the timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewActivity {
    pub kind: String,
    pub occurred_at: Millis,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    pub source: Option<String>,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Position in the log; strictly increasing in the order activities were stored.
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub occurred_at: Millis,
    pub recorded_at: Millis,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    pub source: Option<String>,
    pub actor_id: Option<String>,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub idempotency_key: Option<String>,
}

/// An activity as the engine reads the log: enough to know whose it is and when.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub seq: i64,
    pub recorded_at: Millis,
    pub kind: String,
    pub contact_id: Option<String>,
}

/// Something read from a log in `seq` order (the activity log, the tracking inbox), for
/// readers that wait at a gap (see the server's `engine::settled`).
pub trait Logged {
    fn seq(&self) -> i64;
    /// When it was stored.
    fn stored_at(&self) -> Millis;
}

impl Logged for LogEntry {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn stored_at(&self) -> Millis {
        self.recorded_at
    }
}

impl Logged for Activity {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn stored_at(&self) -> Millis {
        self.recorded_at
    }
}

impl Logged for Inboxed {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn stored_at(&self) -> Millis {
        self.row.received_at
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityQuery {
    pub contact_id: Option<String>,
    /// A company's own activities and those of its contacts.
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub kinds: Vec<String>,
    /// Newest first, only activities after this one in that order (paging back through a
    /// timeline): see [`TimelineCursor`].
    pub before: Option<TimelineCursor>,
    /// Only activities with a larger seq (a consumer resuming the log).
    pub after_seq: Option<i64>,
    pub limit: u32,
}

/// Where a newest-first page of activities ended: the last activity's time and seq. A
/// record's timeline is ordered by when each touch happened, then by seq (a touch recorded
/// late lands in its place); the whole log, with no record named, by seq alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineCursor {
    pub occurred_at: Millis,
    pub seq: i64,
}

impl TimelineCursor {
    pub fn of(a: &Activity) -> Self {
        Self { occurred_at: a.occurred_at, seq: a.seq }
    }

    /// `occurred_at:seq`, as `next_before` gives it.
    pub fn encode(self) -> String {
        format!("{}:{}", self.occurred_at, self.seq)
    }

    /// The encoded form; `None` when it is not one.
    pub fn decode(s: &str) -> Option<Self> {
        let (t, seq) = s.split_once(':')?;
        Some(Self { occurred_at: t.parse().ok()?, seq: seq.parse().ok()? })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewTask {
    pub title: String,
    pub body: Option<String>,
    pub due_at: Option<Millis>,
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub body: Option<Option<String>>,
    pub due_at: Option<Option<Millis>>,
    pub assignee_id: Option<Option<String>>,
    pub done: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub body: Option<String>,
    pub due_at: Option<Millis>,
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    pub deal_id: Option<String>,
    pub done_at: Option<Millis>,
    pub created_by: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQuery {
    pub assignee_id: Option<String>,
    pub contact_id: Option<String>,
    pub open_only: bool,
    pub limit: u32,
    pub after: Option<String>,
}

/// One recorded change of a tracked field (lifecycle stage, lead status, owner, consent).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub seq: i64,
    pub object: ObjectKind,
    pub object_id: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: Millis,
    pub cause: String,
    pub actor_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MergeRecord {
    pub id: String,
    pub object: ObjectKind,
    pub survivor_id: String,
    pub merged_id: String,
    pub at: Millis,
    pub actor_id: Option<String>,
    pub undone_at: Option<Millis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed, Self::Cancelled].into_iter().find(|j| j.as_str() == s)
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// Counts a job reports as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub merged: i64,
    pub rejected: i64,
    /// Rows that made or updated a contact which looks like another one (a shared phone):
    /// listed for review among the possible duplicates.
    pub possible_duplicates: i64,
    /// Values left out of the rows that were kept (see [`Warning`]).
    pub warnings: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub status: JobStatus,
    /// What the job was asked to do, as JSON.
    pub params: serde_json::Value,
    pub created_by: Option<String>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub counts: JobCounts,
    pub cancel_requested: bool,
    pub error: Option<String>,
    /// When the import was undone.
    pub undone_at: Option<Millis>,
    /// What a running job is doing besides its rows ("analyzing").
    pub phase: Option<String>,
}

/// What undoing an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportUndone {
    /// Records the import had created, now deleted.
    pub deleted: i64,
    /// Records the import had updated, now as they were before it.
    pub restored: i64,
}

/// A row an import could not take, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub line: i64,
    pub field: Option<String>,
    pub reason: String,
    /// The row as it was in the file, re-encoded as CSV.
    pub raw: String,
}

/// A value an import left out of a row it kept, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub line: i64,
    /// The field or column the value was for.
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// Per-table figures from a copy or a verification.
#[derive(Debug, Clone, PartialEq)]
pub struct TableChecksum {
    pub table: &'static str,
    pub rows: i64,
    /// SHA-256 over every row in primary-key order, hex.
    pub sha256: String,
}

/// What a site may do: where its pages are (CORS), and how its tracker asks about cookies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteSettings {
    pub name: String,
    /// Origins (`https://acme.io`) whose pages may send events from the browser.
    pub allowed_origins: Vec<String>,
    /// The tracker sets no cookie until the page says the visitor consented.
    pub require_consent: bool,
    /// The tracker sends nothing for a browser that asks not to be tracked.
    pub honor_dnt: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: String,
    pub write_key: String,
    pub settings: SiteSettings,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// An acknowledged event as it is kept: the message as received (JSON text), its time
/// already corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub site_id: String,
    pub message_id: String,
    pub received_at: Millis,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inboxed {
    pub seq: i64,
    pub row: InboxRow,
}

/// One event, read: what the store records for it (see `TrackStore::track_apply`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackEvent {
    pub site_id: String,
    pub message_id: String,
    pub anonymous_id: Option<String>,
    /// The contact the event names (by user id or e-mail, found or made before), if any.
    pub contact_id: Option<String>,
    /// Why the event names its contact (`identify`, `alias`, `form`): it links the visitor.
    pub links: Option<&'static str>,
    pub at: Millis,
    /// The activity it is, if any (identify and alias are none).
    pub activity: Option<NewActivity>,
    pub touch: Option<leadline_core::track::Touch>,
}

/// A browser (a cookie) on a site, and the contact it turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    pub id: String,
    pub site_id: String,
    pub anonymous_id: String,
    pub contact_id: Option<String>,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub first_touch: Option<leadline_core::track::Timed>,
    pub latest_touch: Option<leadline_core::track::Timed>,
}
