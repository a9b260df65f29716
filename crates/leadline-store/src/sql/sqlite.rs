//! The embedded backend: bundled SQLite in WAL mode.
//!
//! Writes go through a one-connection pool, so writers queue in the process rather than fight
//! over the database lock; reads use their own pool and never wait for writers (WAL).
//!
//! Checkpoints happen mostly off the writer: copying the WAL back into the database file (and
//! the fsyncs that go with it) took a tenth of the writer's time in a bulk import. A task
//! checkpoints from a reader connection every 100 ms, on the other core, while the writer goes
//! on appending. The writer still checkpoints once the WAL passes 256 MB, which by then is
//! mostly copied: the WAL can only start over from its beginning after a checkpoint that
//! caught up with every frame, and only the writer, between its transactions, sees the WAL
//! standing still. Without that, a million-row import grew the WAL to 5.5 GB and slowed down.
//! With the writer's threshold at 32 MB, a 10,000-row import batch (about 28 MB of WAL)
//! crossed it at nearly every commit, and commits took a fifth of the import's time; at
//! 256 MB they take a tenth.
//!
//! The WAL file keeps its size while the store is busy: a WAL that starts over reuses the
//! blocks it has, where one cut back at every restart (`journal_size_limit`) grew again, and
//! the file system zeroed each new block as it went (a WAL frame is a page plus a header, so
//! its writes straddle blocks): 4% of a bulk import's samples, on the writer. The file is cut
//! back once the store has been idle for a moment instead (`IDLE_BEFORE_TRUNCATE`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StoreError, StoreResult};

pub(crate) type Db = sqlx::Sqlite;

pub(crate) const NAME: &str = "sqlite";
/// Take the write lock at the start, so a transaction never fails to upgrade halfway.
pub(crate) const BEGIN: &str = "BEGIN IMMEDIATE";
/// Write transactions a bulk write may spread over: one, as SQLite has a single writer (a
/// second transaction would only wait for the first).
pub(crate) const WRITERS: usize = 1;
/// What a commit that must survive a power cut is wrapped in: the store runs with
/// `synchronous = NORMAL` (a commit survives the process, the log is synced at checkpoints);
/// an acknowledged event's commit syncs the log itself.
pub(crate) const DURABLE_COMMIT: Option<(&str, &str)> =
    Some(("PRAGMA synchronous = FULL", "PRAGMA synchronous = NORMAL"));
/// SQLite's bound-parameter limit is 32766.
pub(crate) const MAX_BINDS: usize = 32_000;
/// Columns this backend derives for itself, which `store copy` leaves out: `search_key`, each
/// table's integer key, which its FTS5 index is keyed by.
pub(crate) const DERIVED_COLUMNS: &[&str] = &["search_key"];
/// How built statements name their arguments.
pub(crate) const PLACEHOLDERS: crate::sql::Placeholders = crate::sql::Placeholders::Anonymous;
/// How statements take many values: SQLite has no array parameters.
pub(crate) const MANY: crate::sql::ManyValues = crate::sql::ManyValues::Inline;
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_foundation.sql")),
    (2, include_str!("../../migrations/sqlite/0002_sort_indexes.sql")),
    (3, include_str!("../../migrations/sqlite/0003_identity_order.sql")),
    (4, include_str!("../../migrations/sqlite/0004_search_index.sql")),
    (5, include_str!("../../migrations/sqlite/0005_search_merge.sql")),
    (6, include_str!("../../migrations/sqlite/0006_company_filter.sql")),
    (7, include_str!("../../migrations/sqlite/0007_search_without_tombstones.sql")),
    (8, include_str!("../../migrations/sqlite/0008_job_heartbeat.sql")),
    (9, include_str!("../../migrations/sqlite/0009_data_trust.sql")),
    (10, include_str!("../../migrations/sqlite/0010_import_undo.sql")),
    (11, include_str!("../../migrations/sqlite/0011_engine.sql")),
    (12, include_str!("../../migrations/sqlite/0012_segments.sql")),
    (13, include_str!("../../migrations/sqlite/0013_contact_scores.sql")),
    (14, include_str!("../../migrations/sqlite/0014_routing.sql")),
    (15, include_str!("../../migrations/sqlite/0015_static_lists.sql")),
    (16, include_str!("../../migrations/sqlite/0016_engine_dirty_without_rowid.sql")),
    (17, include_str!("../../migrations/sqlite/0017_rule_versions.sql")),
    (18, include_str!("../../migrations/sqlite/0018_segment_days.sql")),
    (19, include_str!("../../migrations/sqlite/0019_tracking.sql")),
    (20, include_str!("../../migrations/sqlite/0020_forms.sql")),
    (21, include_str!("../../migrations/sqlite/0021_campaigns.sql")),
    (22, include_str!("../../migrations/sqlite/0022_webhooks.sql")),
    (23, include_str!("../../migrations/sqlite/0023_landing_pages.sql")),
    (24, include_str!("../../migrations/sqlite/0024_analytics.sql")),
    (25, include_str!("../../migrations/sqlite/0025_pipelines.sql")),
    (26, include_str!("../../migrations/sqlite/0026_saved_funnels.sql")),
];

/// The text value of a custom property.
/// A JSON array of the rows of a group, each a JSON array of `columns` (text, as JSON).
pub(crate) fn json_rows(columns: &str) -> String {
    format!("json_group_array(json_array({columns}))")
}

/// A column holding JSON text, as a JSON value inside `json_rows`.
pub(crate) fn json_value(column: &str) -> String {
    format!("json({column})")
}

pub(crate) fn json_text(column: &str, key_param: &str) -> String {
    format!("json_extract({column}, '$.' || {key_param})")
}

/// A JSON array (as text) of `column` over the rows of `table` matching `condition`, in
/// `order`: a record's e-mails, phones or deal contacts, read in the same statement as the record.
pub(crate) fn json_array_of(column: &str, table: &str, condition: &str, order: &str) -> String {
    format!("(SELECT json_group_array({column} ORDER BY {order}) FROM {table} WHERE {condition})")
}

/// Whether a JSON array column contains a string.
pub(crate) fn json_array_has(column: &str, param: &str) -> String {
    format!("EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {param})")
}

#[allow(clippy::duplicate_mod, reason = "the engine is compiled once per backend on purpose; see sql/mod.rs")]
#[path = "engine/mod.rs"]
mod engine;

pub use engine::SqlStore as SqliteStore;

impl SqliteStore {
    /// Open (creating if needed) the database a `sqlite:` URL names and migrate it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        super::sqlite_alloc::install();
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL is durable against process crashes and keeps commits cheap.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                options
                    .clone()
                    // 65,536 pages of 4 KiB: 256 MB.
                    .pragma("wal_autocheckpoint", "65536"),
            )
            .await?;
        // Each SQLite connection has its own worker thread: more readers than cores only adds
        // switching between them.
        let readers = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        let store = Self::new(writer, readers.clone());
        tokio::spawn(checkpoint_while_open(readers, store.liveness()));
        crate::Store::migrate(&store).await?;
        Ok(store)
    }
}

/// How long a connection waits for a lock another holds before it fails with `busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the WAL is copied back into the database. A passive checkpoint with nothing to
/// copy costs microseconds; one that has work takes no lock the writer or readers wait on.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// How long the WAL must stand still, wholly copied back, before its file is cut to nothing:
/// a bulk import's WAL reaches a few hundred MB, which an idle store need not keep. (A writer
/// that starts in the instant of the cut waits only as long as the truncate takes.)
const IDLE_BEFORE_TRUNCATE: Duration = Duration::from_secs(2);

/// Checkpoint the WAL from `readers` until the store is closed or dropped; the task's own
/// handle on the pool then goes too, so a dropped store closes its connections. Closing the
/// last connection checkpoints whatever is left, so nothing depends on this task having run.
async fn checkpoint_while_open(readers: sqlx::SqlitePool, store: std::sync::Weak<()>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let idle_ticks = (IDLE_BEFORE_TRUNCATE.as_millis() / CHECKPOINT_EVERY.as_millis()) as u32;
    // The WAL's frame count at the last tick, and for how many ticks it has stood still.
    let (mut last, mut still) = (0i64, 0u32);
    loop {
        tick.tick().await;
        if readers.is_closed() || store.strong_count() == 0 {
            return;
        }
        // A failure (a busy database, a pool closing under us) only means the WAL stays
        // longer until the next tick. The answer is (busy, frames in the WAL, frames copied).
        let Ok((_, frames, copied)) =
            sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&readers).await
        else {
            continue;
        };
        still = if frames > 0 && frames == copied && frames == last { still + 1 } else { 0 };
        last = frames;
        if still == idle_ticks {
            // A failure leaves the WAL as it is until it next stands still.
            let _ = truncate_wal(&readers).await;
        }
    }
}

/// Cut the WAL file to nothing, if no one is using it. A truncating checkpoint takes the
/// write lock and would wait (holding it, so writers wait too) for the readers still on the
/// WAL, a long export perhaps: without a busy timeout it gives up at once instead.
async fn truncate_wal(readers: &sqlx::SqlitePool) -> sqlx::Result<()> {
    let mut conn = readers.acquire().await?;
    sqlx::query("PRAGMA busy_timeout = 0").execute(&mut *conn).await?;
    let cut = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await;
    let restored =
        sqlx::query(&format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis())).execute(&mut *conn).await;
    if restored.is_err() {
        // Not back in the pool without its busy timeout.
        conn.detach();
    }
    cut.map(drop)
}

/// SQLite has no array parameters, and statements for it are built without them (`MANY`);
/// one that had any would fail to bind.
pub(crate) fn add_array(
    _: &mut sqlx::sqlite::SqliteArguments<'_>,
    _: crate::sql::Array,
) -> Result<(), sqlx::error::BoxDynError> {
    Err("SQLite takes no array parameters".into())
}

/// Whether a text column contains a substring.
pub(crate) fn text_contains(column: &str, param: &str) -> String {
    format!("instr({column}, {param}) > 0")
}

/// `expr` in a form no index answers. SQLite's planner has no statistics, so where the
/// engine knows better which index narrows a query most (the matching terms of a search, a
/// company's few contacts) it hides the others: `+x` keeps SQLite from walking the index of
/// `x` (and testing every row against the rest).
pub(crate) fn unindexed(expr: &str) -> String {
    format!("+{expr}")
}

/// A sort expression no index answers, for a search that starts from its own index.
pub(crate) fn opaque_sort(expr: &str, _integer: bool) -> String {
    unindexed(expr)
}

/// The search index's query for alternatives of `terms`: within one, each a prefix
/// (`"ann"*`), all required; any one alternative will do. The terms are folded words (letters
/// and digits only), so quoting cannot be broken out of.
pub(crate) fn search_query(alternatives: &[Vec<String>]) -> String {
    let all = |terms: &Vec<String>| {
        let prefixes: Vec<String> = terms.iter().map(|t| format!("\"{}\"*", t.replace('"', "\"\""))).collect();
        format!("({})", prefixes.join(" "))
    };
    alternatives.iter().map(all).collect::<Vec<_>>().join(" OR ")
}

/// A record of `table` matches the search index query `param`. Each table's FTS5 index is
/// `{table}_search`, keyed by the record's `search_key`.
pub(crate) fn search_match(table: &str, param: &str) -> String {
    format!("{table}.search_key IN (SELECT rowid FROM {table}_search WHERE {table}_search MATCH {param})")
}

/// The records of `table` the index query `param` matches, straight from the index, for the
/// engine to count before it picks a search's plan: SQLite's planner knows nothing of how
/// many records an FTS5 query matches.
pub(crate) fn search_probe(table: &str, param: &str) -> Option<String> {
    Some(format!("SELECT 1 FROM {table}_search WHERE {table}_search MATCH {param}"))
}
