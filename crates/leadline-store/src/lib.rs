//! Leadline's system of record.
//!
//! One [`Store`] trait of use-case methods, implemented by [`SqliteStore`] (embedded, the default)
//! and [`PgStore`] (PostgreSQL, for several instances), both on concrete sqlx pools. The backend
//! is chosen at run time from the database URL by [`open`].
//!
//! Architecture invariant: a method either does all it was asked or nothing. Every write runs in
//! one transaction; on SQLite it starts with `BEGIN IMMEDIATE` so writers queue instead of
//! failing halfway.

mod error;
pub mod model;
mod sql;

use std::collections::HashMap;
use std::sync::Arc;

use leadline_core::contact::{ContactChanges, FieldChanges};
use leadline_core::property::PropertyDef;
use leadline_core::record::ObjectKind;
use leadline_core::role::{Role, TokenScope};
use leadline_core::Millis;

pub use error::{StoreError, StoreResult};
pub use model::*;

mod copy;
pub mod testing;

pub use copy::copy_store;
pub use sql::{PgStore, SqliteStore, TABLES};

/// Open the store a URL names: `sqlite:path/to/leadline.db` (created if missing) or
/// `postgres://...`. Migrations are applied before it is returned.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Config(format!("{url:?} is neither sqlite:... nor postgres://...")))
    }
}

/// Everything Leadline keeps, as the use cases that need it, grouped by area.
#[async_trait::async_trait]
pub trait Store:
    UserStore
    + SchemaStore
    + RecordStore
    + DuplicateStore
    + TimelineStore
    + JobStore
    + BulkStore
    + EngineStore
    + SegmentStore
    + RoutingStore
    + RuleStore
    + TrackStore
    + FormStore
    + CampaignStore
    + WebhookStore
    + AnalyticsStore
    + PipelineStore
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Apply the migrations this build knows and the database lacks. Returns how many ran.
    async fn migrate(&self) -> StoreResult<usize>;

    /// Let go of the database: wait for the connections in use, then close them all (the last
    /// SQLite connection copies the WAL back and removes it). Every call after it fails. A
    /// store dropped without it lets go too, but only while its async runtime still runs.
    async fn close(&self);
}

/// The engine's memory: how far it has read the activity log (under a lease, so that of several
/// servers one applies each event and another takes over when it stops), and what it last
/// decided for each contact.
#[async_trait::async_trait]
pub trait EngineStore: Send + Sync {
    /// Take or keep the lease of engine `name` for `holder` until `now + lease`: where it has
    /// got to, or `None` while another holds it.
    async fn engine_claim(&self, name: &str, holder: &str, now: Millis, lease: Millis) -> StoreResult<Option<Claim>>;
    /// Where engine `name` has got to, read without taking or renewing its lease: for the
    /// holder whose lease has long to run (its commit still checks it holds the lease).
    async fn engine_read(&self, name: &str) -> StoreResult<Claim>;
    /// Ask engine `name` to decide every contact again (a segment or a rule changed).
    async fn engine_request_rescan(&self, name: &str) -> StoreResult<()>;
    /// Mark the live contacts at `stages` for the engine to decide again (time alone changes
    /// what windows and decay make of them: a customer gone quiet slips); how many.
    async fn engine_mark_stages(&self, stages: &[&str]) -> StoreResult<u64>;
    /// Take or keep the lease of reader `name` of the activity log that keeps only its place
    /// (the publisher): the `seq` it has got to, or `None` while another holds it.
    async fn cursor_claim(&self, name: &str, holder: &str, now: Millis, lease: Millis) -> StoreResult<Option<i64>>;
    /// Move reader `name` to `seq`, if `holder` still holds its lease; whether it did.
    async fn cursor_advance(&self, name: &str, holder: &str, seq: i64, now: Millis) -> StoreResult<bool>;
    /// The log after `seq` as the engine reads it: each activity's place, time stored, type and
    /// contact, without its properties.
    async fn log_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<LogEntry>>;
    /// Live contacts' ids after `after` in id order, for a rescan.
    async fn contacts_after(&self, after: &str, limit: u32) -> StoreResult<Vec<String>>;
    /// What the engine reads to decide many contacts at once, in a handful of statements:
    /// the live contacts `which` names (ids asked for by a merged id come as their survivor),
    /// their companies, their activities since `since` (of `kinds`, when given), and their
    /// deals counted by status.
    async fn contact_facts(
        &self,
        which: Contacts<'_>,
        since: Millis,
        kinds: Option<&[String]>,
    ) -> StoreResult<FactsPage>;
    /// The ids of every live contact the filters match, in id order, in one statement (a
    /// preview's candidates).
    async fn contact_ids_matching(&self, filters: &[Filter]) -> StoreResult<Vec<String>>;
    /// What the engine last decided for these contacts (those it never saw are left out).
    async fn contact_states(&self, ids: &[String]) -> StoreResult<HashMap<String, leadline_core::engine::State>>;
    /// Record decisions and move the engine to `seq`, in one transaction, only while `holder`
    /// still holds the lease: the contacts' states, the stages the engine moved (with their
    /// history, cause `rule`) and the consequences on their timelines. Returns whether it held
    /// the lease (when not, nothing was written: another server applies these events).
    async fn engine_commit(
        &self,
        name: &str,
        holder: &str,
        progress: &Claim,
        decisions: &[Decision],
        now: Millis,
    ) -> StoreResult<bool>;
}

/// Where an engine has got to: the log `seq` it has applied, how far its rescan of every
/// contact is (`None`: no rescan asked for; `Some("")`: from the first contact), and the
/// contacts marked for it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Claim {
    pub seq: i64,
    pub rescan_after: Option<String>,
    /// Contacts marked for deciding again (their fields, links, deals or company changed),
    /// with their marks: at most [`DIRTY_PER_CLAIM`] in a claim; in a commit, the marks it
    /// clears (a contact marked again since keeps its newer mark).
    pub dirty: Vec<(String, String)>,
}

/// Which contacts a bulk read takes.
#[derive(Debug, Clone, Copy)]
pub enum Contacts<'a> {
    /// The live contacts after this id, in id order, at most this many.
    After(&'a str, u32),
    /// These contacts.
    Ids(&'a [String]),
}

/// Contacts with what the engine reads of them (see [`EngineStore::contact_facts`]).
#[derive(Debug, Clone, Default)]
pub struct FactsPage {
    pub contacts: Vec<Record>,
    /// Their companies, by id.
    pub companies: HashMap<String, Record>,
    /// Their activities in the window, newest first within each contact.
    pub activities: HashMap<String, Vec<Activity>>,
    /// contact id -> (open deals, won deals).
    pub deals: HashMap<String, (u32, u32)>,
}

/// The most marked contacts one claim hands the engine.
pub const DIRTY_PER_CLAIM: u32 = 200;

/// Dynamic segments: a condition, and the contacts the engine found meet it.
#[async_trait::async_trait]
pub trait SegmentStore: Send + Sync {
    /// A dynamic segment (`Some(condition)`), or a static list (`None`).
    async fn create_segment(&self, name: &str, condition: Option<&str>, now: Millis) -> StoreResult<Segment>;
    /// Add contacts to a static list (a dynamic segment refuses: the engine keeps it), each
    /// entry on the contact's timeline. Returns how many were not members before.
    async fn add_list_members(&self, id: &str, contact_ids: &[String], actor: Actor<'_>) -> StoreResult<usize>;
    /// Take a contact off a static list.
    async fn remove_list_member(&self, id: &str, contact_id: &str, actor: Actor<'_>) -> StoreResult<()>;
    async fn segments(&self) -> StoreResult<Vec<Segment>>;
    async fn segment(&self, id: &str) -> StoreResult<Segment>;
    async fn delete_segment(&self, id: &str) -> StoreResult<()>;
    /// Its members now, read from the kept membership.
    async fn segment_count(&self, id: &str) -> StoreResult<i64>;
    /// Member contact ids in id order, after `after`.
    async fn segment_members(&self, id: &str, after: Option<&str>, limit: u32) -> StoreResult<Vec<String>>;
    /// How many contacts entered and left it each day (days since 1970, UTC) from `since_day`
    /// on, oldest first; days without a change are left out. (A merge takes the merged contact
    /// out of its segments without counting it as leaving.)
    async fn segment_history(&self, id: &str, since_day: i64) -> StoreResult<Vec<SegmentDay>>;
}

/// Routing: its settings, the users who take leads, the assignments the engine made, and the
/// work queue they make.
#[async_trait::async_trait]
pub trait RoutingStore: Send + Sync {
    /// The rules (as JSON text) and the SLA in minutes, when someone has set them.
    async fn routing_settings(&self) -> StoreResult<Option<(String, u32)>>;
    async fn set_routing_settings(&self, rules: &str, sla_minutes: u32, now: Millis) -> StoreResult<()>;
    /// The members, each with the open leads they hold now (`open`) and their turn.
    async fn routing_members(&self) -> StoreResult<Vec<leadline_core::routing::Member>>;
    /// Add or change a member (their turn, `assigned`, is kept; `open` is counted, not set).
    async fn set_routing_member(&self, member: &leadline_core::routing::Member) -> StoreResult<()>;
    async fn remove_routing_member(&self, user_id: &str) -> StoreResult<()>;
    /// The open leads (MQLs and SQLs not disqualified or recycled) of these owners, and the
    /// unowned ones when `unowned`: at most `limit`, in no particular order.
    async fn work_queue(&self, owners: &[String], unowned: bool, limit: u32) -> StoreResult<Vec<QueueEntry>>;
    /// Assignments made since `since`, newest first, at most `limit`, with their first touch.
    async fn assignments(&self, since: Millis, limit: u32) -> StoreResult<Vec<Assigned>>;
}

/// The engine's rules (score models and lifecycle rules) as people set them, every version kept.
#[async_trait::async_trait]
pub trait RuleStore: Send + Sync {
    /// The newest version's number; `None` while the shipped rules apply.
    async fn rules_version(&self) -> StoreResult<Option<i64>>;
    /// One version with its body.
    async fn rule_version(&self, version: i64) -> StoreResult<RuleVersion>;
    /// Every version, newest first, bodies included.
    async fn rule_versions(&self, limit: u32) -> StoreResult<Vec<RuleVersion>>;
    /// Keep `body` (JSON text) as the next version and ask engine `engine` to decide every
    /// contact again, in one transaction. Returns the version kept.
    async fn save_rules(
        &self,
        body: &str,
        note: Option<&str>,
        user_id: Option<&str>,
        engine: &str,
        now: Millis,
    ) -> StoreResult<RuleVersion>;
    /// How far engine `engine`'s rescan of every contact has got: (contacts decided again,
    /// live contacts); `None` when no rescan is under way.
    async fn rescan_progress(&self, engine: &str) -> StoreResult<Option<(i64, i64)>>;
}

/// Tracking: the sites that send events, the inbox that holds what was acknowledged, and
/// the visitors those events came from.
#[async_trait::async_trait]
pub trait TrackStore: Send + Sync {
    async fn create_site(&self, site: &SiteSettings, write_key: &str, now: Millis) -> StoreResult<Site>;
    async fn update_site(&self, id: &str, site: &SiteSettings, now: Millis) -> StoreResult<Site>;
    async fn delete_site(&self, id: &str) -> StoreResult<()>;
    async fn sites(&self) -> StoreResult<Vec<Site>>;
    async fn site(&self, id: &str) -> StoreResult<Site>;
    async fn site_by_key(&self, write_key: &str) -> StoreResult<Option<Site>>;
    /// Keep acknowledged events, durably (on SQLite the commit syncs the log to disk), in one
    /// transaction. A message id its site already sent is not kept twice. Returns how many
    /// were new.
    async fn inbox_append(&self, rows: &[InboxRow]) -> StoreResult<u64>;
    /// Events after `seq`, in the order kept; only `site_id`'s when given.
    async fn inbox_after(&self, site_id: Option<&str>, seq: i64, limit: u32) -> StoreResult<Vec<Inboxed>>;
    /// How many events are kept, and the last one's place.
    async fn inbox_size(&self) -> StoreResult<(i64, i64)>;
    /// Record what events meant, and move reader `reader`'s place to `upto`, in one
    /// transaction and only while `holder` holds its lease (else nothing, and `false`).
    /// Each event's visitor is kept (made on first sight); an event that names its contact
    /// links its visitor to it (stitching: the visitor's earlier activities become the
    /// contact's, its touches count for the contact, and an `identified` activity says so);
    /// every other event is its visitor's contact's, if it has one. Touches set the contact's
    /// first and latest source; the first fills `original_source` when it is empty.
    async fn track_apply(
        &self,
        events: Vec<TrackEvent>,
        reader: &str,
        holder: &str,
        upto: i64,
        now: Millis,
    ) -> StoreResult<bool>;
    /// The visitor an anonymous id is on a site, if seen.
    async fn visitor_by_anonymous_id(&self, site_id: &str, anonymous_id: &str) -> StoreResult<Option<Visitor>>;
    /// A contact's visitors (its devices and cookies), newest first.
    async fn visitors_of(&self, contact_id: &str) -> StoreResult<Vec<Visitor>>;
    /// Take a visitor back from its contact: the activities it brought go back to it.
    async fn unlink_visitor(&self, visitor_id: &str, now: Millis) -> StoreResult<Visitor>;
    /// Forget kept events already read by `reader` and received before `before`.
    async fn inbox_prune(&self, reader: &str, before: Millis) -> StoreResult<u64>;
}

/// Forms and landing pages (`Hosted`): their definitions (JSON bodies the server reads) and
/// their daily counts of views, clicks and submissions.
#[async_trait::async_trait]
pub trait FormStore: Send + Sync {
    /// Make (`id` None) or change a form or page; a slug another of its kind has is a conflict.
    async fn save_form(&self, kind: Hosted, id: Option<&str>, form: &FormRow, now: Millis) -> StoreResult<FormRow>;
    async fn form(&self, kind: Hosted, id: &str) -> StoreResult<FormRow>;
    async fn form_by_slug(&self, kind: Hosted, slug: &str) -> StoreResult<Option<FormRow>>;
    async fn forms(&self, kind: Hosted) -> StoreResult<Vec<FormRow>>;
    async fn delete_form(&self, kind: Hosted, id: &str) -> StoreResult<()>;
    /// Add to a form's or page's counts of the day.
    async fn count_conversion(&self, object_id: &str, variant: &str, day: i64, counts: Conversions) -> StoreResult<()>;
    /// An object's counts per variant since `since_day`, summed.
    async fn conversions(&self, object_id: &str, since_day: i64) -> StoreResult<Vec<(String, Conversions)>>;
}

/// Pipelines, exchange rates, forecast goals, and the deals a board and a forecast read.
#[async_trait::async_trait]
pub trait PipelineStore: Send + Sync {
    /// The pipelines saved, in order: (key, definition as JSON). Empty: none saved yet.
    async fn pipelines(&self) -> StoreResult<Vec<(String, String)>>;
    /// Replace every pipeline with these (key, definition), in this order.
    async fn save_pipelines(&self, pipelines: &[(String, String)], now: Millis) -> StoreResult<()>;
    /// Deals in each pipeline (key, count), open or not.
    async fn deals_per_pipeline(&self) -> StoreResult<Vec<(String, i64)>>;
    /// Every rate: (currency, day `YYYY-MM-DD`, units of the workspace currency for one).
    async fn rates(&self) -> StoreResult<Vec<(String, String, f64)>>;
    /// Set rates (a currency's day given again replaces its rate).
    async fn set_rates(&self, rates: &[(String, String, f64)]) -> StoreResult<()>;
    /// Goals of the months `from..=to` (`YYYY-MM`): (month, owner id or "" for the team, amount).
    async fn goals(&self, from: &str, to: &str) -> StoreResult<Vec<(String, String, i64)>>;
    async fn set_goals(&self, goals: &[(String, String, i64)]) -> StoreResult<()>;
    /// The stage history of a pipeline's deals: (deal, stage, at), oldest first.
    async fn deal_stage_history(&self, pipeline: &str) -> StoreResult<Vec<(String, String, Millis)>>;
    /// The deals a board or forecast reads: of `pipeline` (all when None), open, or closing
    /// (expected or closed) in `[close_from, close_to]` (`YYYY-MM-DD`) when given.
    async fn pipeline_deals(&self, q: &PipelineDealQuery) -> StoreResult<Vec<PipelineDeal>>;
    /// Customer health in one pass: for the live contacts at `stages`, per category of their
    /// score in `model` (`None`: not scored yet), how many there are and how many of them are
    /// on an open deal of one of `pipelines`.
    async fn health_counts(
        &self,
        model: &str,
        stages: &[&str],
        pipelines: &[String],
    ) -> StoreResult<Vec<(Option<String>, i64, i64)>>;
    /// Customers of one health category, the most urgent first: see [`HealthQuery`].
    async fn health_customers(&self, q: &HealthQuery<'_>) -> StoreResult<Vec<String>>;
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PipelineDealQuery {
    pub pipeline: Option<String>,
    /// Only open deals.
    pub open_only: bool,
    pub owner_id: Option<String>,
    pub close_from: Option<String>,
    pub close_to: Option<String>,
    /// Only deals closed (won or lost) in `[from, to)`.
    pub closed_between: Option<(Millis, Millis)>,
    pub limit: u32,
}

/// Which customers a health list takes: the live contacts at `stages` whose score in `model`
/// the engine put in `category`, by score (`ascending`: the lowest first), then id; with
/// `on_deal`, only those on (`true`) or not on (`false`) an open deal of one of `pipelines`.
#[derive(Debug, Clone)]
pub struct HealthQuery<'a> {
    pub model: &'a str,
    pub category: &'a str,
    pub stages: &'a [&'a str],
    pub ascending: bool,
    pub on_deal: Option<bool>,
    pub pipelines: &'a [String],
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineDeal {
    pub id: String,
    pub name: Option<String>,
    pub pipeline: Option<String>,
    pub stage: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub close_date: Option<String>,
    pub owner_id: Option<String>,
    pub company_id: Option<String>,
    pub status: Option<String>,
    pub forecast_category: Option<String>,
    pub stage_entered_at: Millis,
    pub closed_at: Option<Millis>,
    pub created_at: Millis,
}

/// What the analytics engine reads: the activity log as people's events, and what the log's
/// rows alone do not say.
#[async_trait::async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Activities after `seq`, in `seq` order, as events of people.
    async fn event_rows(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRow>>;
    /// How many times activities already logged changed hands or went away (merges, unmerges,
    /// deletions, unlinked visitors): when it moves, the log is read again from the start.
    async fn activity_epoch(&self) -> StoreResult<i64>;
    /// The seqs, ascending, of the activities of type `kind` in `[from, to)` whose properties
    /// have each of `properties` (name, value; compared as text).
    async fn activities_matching(
        &self,
        kind: &str,
        properties: &[(String, String)],
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<i64>>;
    /// Funnels kept by name: (key, definition as JSON), by key.
    async fn saved_funnels(&self) -> StoreResult<Vec<(String, String)>>;
    /// Keep a funnel under `key` (replacing one kept before).
    async fn save_funnel(&self, key: &str, definition: &str, now: Millis) -> StoreResult<()>;
    /// Contacts that moved into each lifecycle stage in `[from, to)`: (stage, contacts).
    async fn stage_reached(&self, from: Millis, to: Millis) -> StoreResult<Vec<(String, i64)>>;
    /// When each of these contacts first moved into each lifecycle stage: (contact, stage, at).
    async fn stage_times(&self, contact_ids: &[String]) -> StoreResult<Vec<(String, String, Millis)>>;
    /// The stage history of every contact that moved between lifecycle stages in `[from, to)`:
    /// (contact, stage, the first time it reached it).
    async fn stage_history_between(&self, from: Millis, to: Millis) -> StoreResult<Vec<(String, String, Millis)>>;
    /// These contacts' touchpoints: (contact, at, type) of their activities, without what
    /// Leadline writes itself (stage, score and segment changes, assignments, identification,
    /// imports).
    async fn touchpoints(&self, contact_ids: &[String]) -> StoreResult<Vec<(String, Millis, String)>>;
    /// Every live contact's value of a contact field (a column of `CONTACT_FIELDS`) or, for a
    /// name that is no field, of a custom property: (contact id, value as text).
    async fn contact_values(&self, field: &str) -> StoreResult<Vec<(String, Option<String>)>>;
}

/// One activity as the analytics engine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub kind: String,
    pub occurred_at: Millis,
    pub recorded_at: Millis,
    pub contact_id: Option<String>,
    pub visitor_id: Option<String>,
}

impl Logged for EventRow {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn stored_at(&self) -> Millis {
        self.recorded_at
    }
}

/// Campaigns, their spend, and what the reports on them read.
#[async_trait::async_trait]
pub trait CampaignStore: Send + Sync {
    /// Make (`id` None) or change a campaign; a utm_campaign or source list another campaign
    /// has is a conflict.
    async fn save_campaign(&self, id: Option<&str>, c: &CampaignRow, now: Millis) -> StoreResult<CampaignRow>;
    async fn campaign(&self, id: &str) -> StoreResult<CampaignRow>;
    async fn campaigns(&self) -> StoreResult<Vec<CampaignRow>>;
    /// The campaign and its spend.
    async fn delete_campaign(&self, id: &str) -> StoreResult<()>;
    /// Set what campaigns cost on days (`YYYY-MM-DD`): a day given again replaces its amount.
    /// All in one transaction; a campaign that does not exist refuses the whole.
    async fn set_spend(&self, rows: &[(String, String, i64)]) -> StoreResult<u64>;
    /// Spend per campaign on the days `from..=to` (`YYYY-MM-DD`).
    async fn spend_between(&self, from: &str, to: &str) -> StoreResult<Vec<(String, i64)>>;
    /// Spend per day of one campaign, oldest first.
    async fn spend_of(&self, campaign_id: &str) -> StoreResult<Vec<(String, i64)>>;
    /// The journeys of the contacts made since `since`, or whose stage changed since.
    async fn journeys(&self, since: Millis) -> StoreResult<Vec<JourneyRow>>;
    /// Touches (activities of a channel) of contacts, oldest first.
    async fn touches(&self, contact_ids: &[String]) -> StoreResult<Vec<TouchRow>>;
    /// Won deals closed in `[from, to)` with their amounts and contacts.
    async fn won_deals(&self, from: Millis, to: Millis) -> StoreResult<Vec<WonDeal>>;
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CampaignRow {
    pub id: String,
    pub name: String,
    pub channel: String,
    /// Lowercase: touches whose campaign is this (in any case) are this campaign's.
    pub utm_campaign: Option<String>,
    /// Contacts imported with this source list are this campaign's (a purchased list).
    pub source_list: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// Minor units.
    pub budget: Option<i64>,
    pub currency: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What the campaign reports know of a contact.
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyRow {
    pub contact_id: String,
    pub created_at: Millis,
    pub first_touch_campaign: Option<String>,
    pub source_list: Option<String>,
    pub original_source: Option<String>,
    pub disqualified: bool,
    /// The first time it reached each stage it reached: (stage, at).
    pub stages: Vec<(String, Millis)>,
    /// Won deals' amounts, minor units.
    pub revenue: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TouchRow {
    pub contact_id: String,
    pub at: Millis,
    pub channel: String,
    pub campaign: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WonDeal {
    pub deal_id: String,
    pub amount: i64,
    pub currency: Option<String>,
    pub closed_at: Millis,
    pub contact_ids: Vec<String>,
}

/// Webhook subscriptions, their deliveries, and the field history they report changes from.
#[async_trait::async_trait]
pub trait WebhookStore: Send + Sync {
    async fn save_webhook(&self, id: Option<&str>, w: &WebhookRow, now: Millis) -> StoreResult<WebhookRow>;
    async fn webhook(&self, id: &str) -> StoreResult<WebhookRow>;
    async fn webhooks(&self) -> StoreResult<Vec<WebhookRow>>;
    /// The subscription and its delivery log.
    async fn delete_webhook(&self, id: &str) -> StoreResult<()>;
    /// Field changes after `seq`, in order; `first` says a row is its record's first change
    /// (the record was made then).
    async fn history_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<HistoryRow>>;
    /// The last places of the activity log and of the field history (0 when empty).
    async fn log_ends(&self) -> StoreResult<(i64, i64)>;
    /// Queue deliveries (one per subscription and message: a message queued again is not
    /// queued twice) and move reader `reader`'s place to `upto`, in one transaction, only while
    /// `holder` holds its lease.
    async fn enqueue_deliveries(
        &self,
        rows: &[NewDelivery],
        reader: &str,
        holder: &str,
        upto: i64,
        now: Millis,
    ) -> StoreResult<bool>;
    /// Take up to `limit` deliveries due at `now` (pending, their time come), each held for
    /// `hold` so no other server sends it meanwhile.
    async fn take_due_deliveries(&self, now: Millis, hold: Millis, limit: u32) -> StoreResult<Vec<Delivery>>;
    /// What an attempt gave: delivered (`next` None and `failed` false), to be tried at `next`,
    /// or failed for good.
    async fn record_attempt(&self, id: &str, outcome: Attempt, now: Millis) -> StoreResult<()>;
    /// A subscription's deliveries, newest first.
    async fn deliveries(&self, webhook_id: &str, limit: u32) -> StoreResult<Vec<Delivery>>;
    async fn delivery(&self, id: &str) -> StoreResult<Delivery>;
    /// Send a delivery again now, whatever became of it.
    async fn redeliver(&self, id: &str, now: Millis) -> StoreResult<Delivery>;
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// Event types or patterns (`contact.*`, `*`).
    pub events: Vec<String>,
    /// `whsec_` and the base64 of the key.
    pub secret: String,
    pub active: bool,
    pub description: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub seq: i64,
    pub object: String,
    pub object_id: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: Millis,
    pub cause: String,
    pub first: bool,
}

impl Logged for HistoryRow {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn stored_at(&self) -> Millis {
        self.at
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub webhook_id: String,
    /// The event's id: the same in every attempt (receivers deduplicate by it).
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<Millis>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub delivered_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub status: Option<i64>,
    pub error: Option<String>,
    pub delivered: bool,
    /// When to try again; `None` with `delivered` false: failed for good.
    pub next: Option<Millis>,
}

/// What Leadline hosts for a site: forms (`/f/{slug}`) and landing pages (`/p/{slug}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosted {
    Form,
    Page,
}

/// A form or landing page as kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub site_id: String,
    /// What it asks or shows, as JSON text (the server's wire format).
    pub body: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Views, clicks (calls to action) and submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conversions {
    pub views: i64,
    pub clicks: i64,
    pub submissions: i64,
}

/// A version of the engine's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleVersion {
    pub version: i64,
    /// The rules as JSON text (the server's wire format).
    pub body: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: Millis,
}

/// The activity types that count as a rep's touch of a lead, and those that show its intent.
pub const TOUCH_TYPES: &[&str] = &["call", "email_sent", "meeting"];
pub const INTENT_TYPES: &[&str] = &["form_submission", "chat_message", "email_clicked", "product_event"];

/// A lead in a work queue: the contact, how it got there, and the times its order needs.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub contact: Record,
    pub assignment: Option<Assigned>,
    pub last_intent: Option<Millis>,
}

/// An assignment the engine made, and the lead's first touch after it, if yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    pub contact_id: String,
    pub owner_id: String,
    pub assigned_at: Millis,
    pub reason: String,
    pub first_touch: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub id: String,
    pub name: String,
    /// The rule-language condition of a dynamic segment; `None` for a static list.
    pub condition: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A day of a segment's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentDay {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub entered: i64,
    pub left: i64,
}

/// What the engine decided for one contact from one batch of events.
#[derive(Debug, Clone)]
pub struct Decision {
    pub contact_id: String,
    pub state: leadline_core::engine::State,
    pub consequences: Vec<leadline_core::engine::Consequence>,
}

/// Users, their browser sessions and their API tokens.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(
        &self,
        email: &str,
        name: Option<&str>,
        role: Role,
        password_hash: Option<&str>,
        now: Millis,
    ) -> StoreResult<User>;
    async fn user(&self, id: &str) -> StoreResult<User>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn update_user(&self, id: &str, changes: UserChanges, now: Millis) -> StoreResult<User>;
    async fn count_users(&self) -> StoreResult<i64>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()>;
    /// The live session and its user, or `None` when unknown, expired or the user is disabled.
    async fn session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(Session, User)>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        prefix: &str,
        now: Millis,
    ) -> StoreResult<ApiToken>;
    /// The live token and its user, marking it used; `None` when unknown, revoked or disabled.
    async fn use_token(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(ApiToken, User)>>;
    async fn tokens(&self, user_id: Option<&str>) -> StoreResult<Vec<ApiToken>>;
    async fn token(&self, id: &str) -> StoreResult<ApiToken>;
    async fn revoke_token(&self, id: &str, now: Millis) -> StoreResult<ApiToken>;
}

/// The custom-property schema admins define.
#[async_trait::async_trait]
pub trait SchemaStore: Send + Sync {
    async fn define_property(&self, def: &PropertyDef, now: Millis) -> StoreResult<()>;
    async fn properties(&self, object: Option<ObjectKind>) -> StoreResult<Vec<PropertyDef>>;
    async fn delete_property(&self, object: ObjectKind, name: &str) -> StoreResult<()>;
}

/// Contacts, companies and deals: the CRM records.
#[async_trait::async_trait]
pub trait RecordStore: Send + Sync {
    /// A record by id; a merged contact's id gives its survivor.
    async fn get(&self, object: ObjectKind, id: &str) -> StoreResult<Record>;
    /// The live records `ids` name (a merged id reads as its survivor, once), in the order of
    /// `ids`, in a few statements; ids that name no record are left out.
    async fn get_many(&self, object: ObjectKind, ids: &[String]) -> StoreResult<Vec<Record>>;
    /// The live id each of `ids` names (itself, or the survivor it was merged into); ids that
    /// name no record are left out.
    async fn live_ids(
        &self,
        object: ObjectKind,
        ids: &[String],
    ) -> StoreResult<std::collections::HashMap<String, String>>;
    async fn list(&self, object: ObjectKind, query: &ListQuery) -> StoreResult<Page<Record>>;
    async fn count(&self, object: ObjectKind, filters: &[Filter], search: Option<&str>) -> StoreResult<i64>;
    /// As [`RecordStore::count`], but it stops counting past `cap`: the answer is exact up to
    /// `cap`, and `cap + 1` means more.
    async fn count_upto(
        &self,
        object: ObjectKind,
        filters: &[Filter],
        search: Option<&str>,
        cap: u32,
    ) -> StoreResult<i64>;
    /// How many live records hold each value of a text field (`None`: no value), in one pass.
    async fn count_by(
        &self,
        object: ObjectKind,
        field: &'static leadline_core::record::FieldSpec,
    ) -> StoreResult<Vec<(Option<String>, i64)>>;
    async fn delete(&self, object: ObjectKind, id: &str, actor: Actor<'_>) -> StoreResult<()>;

    async fn create_contact(&self, changes: &ContactChanges, actor: Actor<'_>) -> StoreResult<Record>;
    async fn update_contact(
        &self,
        id: &str,
        changes: &ContactChanges,
        options: WriteOptions,
        actor: Actor<'_>,
    ) -> StoreResult<Record>;
    /// Create or update many contacts in one transaction. An item is the contact it names by
    /// id, else by e-mail or external id; a phone names a contact only for an item without
    /// e-mail whose name does not contradict it, and only when one contact fits (see
    /// `leadline_core::dedupe`). Other contacts met through a shared phone are listed as
    /// possible duplicates. An item that fails does not stop the others. With `dry_run`
    /// nothing is kept, but every outcome is what a real run would report.
    async fn upsert_contacts(
        &self,
        items: Vec<ContactUpsert>,
        actor: Actor<'_>,
        dry_run: bool,
    ) -> StoreResult<Vec<StoreResult<UpsertOutcome>>>;

    async fn create_company(
        &self,
        changes: &FieldChanges,
        external_ids: &[(String, String)],
        actor: Actor<'_>,
    ) -> StoreResult<Record>;
    /// `external_ids` are added to those the company has.
    async fn update_company(
        &self,
        id: &str,
        changes: &FieldChanges,
        external_ids: &[(String, String)],
        actor: Actor<'_>,
    ) -> StoreResult<Record>;
    /// Create or update companies matched by domain, then external id.
    async fn upsert_companies(
        &self,
        items: Vec<CompanyUpsert>,
        actor: Actor<'_>,
        dry_run: bool,
    ) -> StoreResult<Vec<StoreResult<UpsertOutcome>>>;
    /// Link a contact to a company with a role (decision_maker, influencer, user, champion, other).
    async fn link_contact_company(
        &self,
        contact_id: &str,
        company_id: &str,
        role: &str,
        now: Millis,
    ) -> StoreResult<()>;
    async fn unlink_contact_company(&self, contact_id: &str, company_id: &str) -> StoreResult<()>;
    /// A company's contacts with their roles.
    async fn company_contacts(&self, company_id: &str, limit: u32) -> StoreResult<Vec<(Record, String)>>;
    /// A contact's companies with its role at each.
    async fn contact_companies(&self, contact_id: &str) -> StoreResult<Vec<(String, String)>>;

    async fn create_deal(
        &self,
        changes: &FieldChanges,
        contact_ids: &[String],
        actor: Actor<'_>,
    ) -> StoreResult<Record>;
    async fn update_deal(
        &self,
        id: &str,
        changes: &FieldChanges,
        contact_ids: Option<&[String]>,
        actor: Actor<'_>,
    ) -> StoreResult<Record>;

    /// Merge two contacts: the older survives and takes the other's e-mails, phones, external
    /// ids, empty fields, activities, deals and company links. Reversible with [`Store::unmerge`].
    async fn merge_contacts(&self, a: &str, b: &str, actor: Actor<'_>) -> StoreResult<MergeRecord>;
    /// Merge two companies: the older survives and takes the other's contacts, deals and activities.
    async fn merge_companies(&self, a: &str, b: &str, actor: Actor<'_>) -> StoreResult<MergeRecord>;
    async fn unmerge(&self, merge_id: &str, actor: Actor<'_>) -> StoreResult<MergeRecord>;
    async fn merges(&self, object_id: &str) -> StoreResult<Vec<MergeRecord>>;

    /// Stage, status, owner and consent changes of a record, oldest first.
    async fn history(&self, object_id: &str) -> StoreResult<Vec<FieldChange>>;
}

/// Possible duplicates: pairs of contacts that look like one person without proving it (a
/// shared phone, the same name), for a person to merge or dismiss. Upserts and contact writes
/// list the pairs they meet through a phone; [`DuplicateStore::scan_duplicates`] pairs people
/// by name.
#[async_trait::async_trait]
pub trait DuplicateStore: Send + Sync {
    /// Pairs in one status, newest first; open pairs only while both contacts are live.
    async fn duplicates(&self, query: &DuplicateQuery) -> StoreResult<Page<DuplicatePair>>;
    async fn count_duplicates(&self, status: DuplicateStatus) -> StoreResult<i64>;
    async fn duplicate(&self, id: &str) -> StoreResult<DuplicatePair>;
    /// Say that an open pair is two people: it is not listed again.
    async fn dismiss_duplicate(&self, id: &str, actor: Actor<'_>) -> StoreResult<DuplicatePair>;
    /// Merge an open pair's contacts (as [`RecordStore::merge_contacts`], undone the same way,
    /// which opens the pair again).
    async fn merge_duplicate(&self, id: &str, actor: Actor<'_>) -> StoreResult<MergeRecord>;
    /// Pair every live contact with those of the same full name at the same company, or of a
    /// rare full name with other e-mails. Returns how many pairs are new.
    async fn scan_duplicates(&self, actor: Actor<'_>) -> StoreResult<u64>;
}

/// The append-only activity log, and tasks.
#[async_trait::async_trait]
pub trait TimelineStore: Send + Sync {
    /// Append activities. An item whose idempotency key is already stored gives back the stored
    /// activity and `false` instead of a second copy.
    /// The bulk path for activity history (an engagement export, a benchmark's year): many
    /// activities in multi-row statements, one transaction. The records they name must be
    /// live (nothing is looked up), and idempotency keys must be new.
    async fn load_activities(&self, items: Vec<NewActivity>, actor: Actor<'_>) -> StoreResult<u64>;
    async fn append_activities(
        &self,
        items: Vec<NewActivity>,
        actor: Actor<'_>,
    ) -> StoreResult<Vec<StoreResult<(Activity, bool)>>>;
    async fn activity(&self, id: &str) -> StoreResult<Activity>;
    /// Newest first, unless `after_seq` is set (then in log order).
    async fn activities(&self, query: &ActivityQuery) -> StoreResult<Vec<Activity>>;
    async fn delete_activity(&self, id: &str) -> StoreResult<()>;

    async fn create_task(&self, task: &NewTask, actor: Actor<'_>) -> StoreResult<Task>;
    async fn update_task(&self, id: &str, changes: &TaskChanges, actor: Actor<'_>) -> StoreResult<Task>;
    async fn task(&self, id: &str) -> StoreResult<Task>;
    async fn tasks(&self, query: &TaskQuery) -> StoreResult<Page<Task>>;
    async fn delete_task(&self, id: &str) -> StoreResult<()>;
}

/// Background jobs (imports) with progress, cancellation and rejected rows.
#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    async fn create_job(
        &self,
        kind: &str,
        params: &serde_json::Value,
        created_by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Job>;
    async fn job(&self, id: &str) -> StoreResult<Job>;
    async fn jobs(&self, limit: u32) -> StoreResult<Vec<Job>>;
    /// Say what a running job is doing besides its rows ("analyzing"), or nothing.
    async fn job_phase(&self, id: &str, phase: Option<&str>) -> StoreResult<()>;
    /// Record progress; returns whether cancellation was asked for meanwhile. Progress is also
    /// the job's heartbeat (see `fail_silent_jobs`).
    async fn job_progress(&self, id: &str, status: JobStatus, counts: JobCounts, now: Millis) -> StoreResult<bool>;
    /// Say that a job's owner is still there (a queued job waiting for its turn); returns
    /// whether cancellation was asked for meanwhile.
    async fn touch_job(&self, id: &str, now: Millis) -> StoreResult<bool>;
    /// Mark failed, with `error`, every unfinished job that nothing has created, touched or
    /// moved on since `silent_since`: the process that owned it is gone. Returns how many.
    async fn fail_silent_jobs(&self, silent_since: Millis, error: &str, now: Millis) -> StoreResult<u64>;
    async fn finish_job(
        &self,
        id: &str,
        status: JobStatus,
        counts: JobCounts,
        error: Option<&str>,
        now: Millis,
    ) -> StoreResult<Job>;
    async fn cancel_job(&self, id: &str) -> StoreResult<Job>;
    async fn add_rejects(&self, job_id: &str, rejects: &[Reject]) -> StoreResult<()>;
    async fn rejects(&self, job_id: &str, after_line: i64, limit: u32) -> StoreResult<Vec<Reject>>;
    /// Record values left out of rows that were kept (a repeated line, field and value is kept
    /// once).
    async fn add_warnings(&self, job_id: &str, warnings: &[Warning]) -> StoreResult<()>;
    /// A job's warnings in line order, after `after_line`.
    async fn warnings(&self, job_id: &str, after_line: i64, limit: u32) -> StoreResult<Vec<Warning>>;
    /// Take an import back, whole or not at all: delete the records it created and give the
    /// ones it updated their values from before it. Refused (`Conflict`) while the import runs,
    /// once it was undone, for a dry run, and when anything else has touched one of its records
    /// since (an edit, a merge, an activity): the undo would lose that.
    async fn undo_import(&self, job_id: &str, actor: Actor<'_>) -> StoreResult<ImportUndone>;
}

/// Whole-store operations: copying a deployment between backends and verifying it.
#[async_trait::async_trait]
pub trait BulkStore: Send + Sync {
    /// Rows of one table in primary-key order, after `after` (an encoded key), as JSON arrays.
    async fn dump_rows(
        &self,
        table: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<Vec<serde_json::Value>>, Option<String>)>;
    /// Insert rows produced by [`Store::dump_rows`] of the same table.
    async fn load_rows(&self, table: &str, rows: &[Vec<serde_json::Value>]) -> StoreResult<()>;
    /// Row count and content checksum of every table.
    async fn checksums(&self) -> StoreResult<Vec<TableChecksum>>;
    /// Make sequences follow copied rows (PostgreSQL); nothing on SQLite.
    async fn after_load(&self) -> StoreResult<()>;
    /// Bring the planner's statistics up to date after a large write (an import, a copy):
    /// PostgreSQL plans from them, and before autovacuum gets there (or where it is off) a
    /// filtered page planned without them took 260 ms instead of 7. Nothing on SQLite, whose
    /// queries are written for a planner without statistics.
    async fn refresh_statistics(&self) -> StoreResult<()>;
}
