//! The scale-out backend: PostgreSQL, shared by several Leadline instances.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::error::{StoreError, StoreResult};

pub(crate) type Db = sqlx::Postgres;

pub(crate) const NAME: &str = "postgres";
pub(crate) const BEGIN: &str = "BEGIN";
/// Write transactions a bulk write may spread over. A PostgreSQL backend is one process
/// running one statement at a time, and in a bulk insert it is the busy side (maintaining a
/// new contact's dozen indexes costs the server far more than building its row costs
/// Leadline), so a second connection puts the machine's second core to work.
pub(crate) const WRITERS: usize = 2;
/// Every PostgreSQL commit is synced (`synchronous_commit` on): nothing to add.
pub(crate) const DURABLE_COMMIT: Option<(&str, &str)> = None;
/// PostgreSQL's bound-parameter limit is 65535.
pub(crate) const MAX_BINDS: usize = 65_000;
/// Columns this backend derives for itself, which `store copy` leaves out: `search`, the
/// generated `tsvector` each searchable table's GIN index is built on.
pub(crate) const DERIVED_COLUMNS: &[&str] = &["search"];
/// How built statements name their arguments.
pub(crate) const PLACEHOLDERS: crate::sql::Placeholders = crate::sql::Placeholders::Numbered;
/// How statements take many values: as arrays.
pub(crate) const MANY: crate::sql::ManyValues = crate::sql::ManyValues::Arrays;
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_foundation.sql")),
    (2, include_str!("../../migrations/postgres/0002_sort_indexes.sql")),
    (3, include_str!("../../migrations/postgres/0003_identity_order.sql")),
    (4, include_str!("../../migrations/postgres/0004_search_index.sql")),
    (5, include_str!("../../migrations/postgres/0005_company_filter.sql")),
    (6, include_str!("../../migrations/postgres/0006_job_heartbeat.sql")),
    (7, include_str!("../../migrations/postgres/0007_data_trust.sql")),
    (8, include_str!("../../migrations/postgres/0008_import_undo.sql")),
    (9, include_str!("../../migrations/postgres/0009_engine.sql")),
    (10, include_str!("../../migrations/postgres/0010_segments.sql")),
    (11, include_str!("../../migrations/postgres/0011_contact_scores.sql")),
    (12, include_str!("../../migrations/postgres/0012_routing.sql")),
    (13, include_str!("../../migrations/postgres/0013_static_lists.sql")),
    (14, include_str!("../../migrations/postgres/0014_rule_versions.sql")),
    (15, include_str!("../../migrations/postgres/0015_segment_days.sql")),
    (16, include_str!("../../migrations/postgres/0016_tracking.sql")),
    (17, include_str!("../../migrations/postgres/0017_forms.sql")),
    (18, include_str!("../../migrations/postgres/0018_campaigns.sql")),
    (19, include_str!("../../migrations/postgres/0019_webhooks.sql")),
    (20, include_str!("../../migrations/postgres/0020_landing_pages.sql")),
    (21, include_str!("../../migrations/postgres/0021_analytics.sql")),
    (22, include_str!("../../migrations/postgres/0022_pipelines.sql")),
    (23, include_str!("../../migrations/postgres/0023_saved_funnels.sql")),
];

/// A JSON array of the rows of a group, each a JSON array of `columns` (text, as JSON).
pub(crate) fn json_rows(columns: &str) -> String {
    format!("json_agg(json_build_array({columns}))::text")
}

/// A column holding JSON text, as a JSON value inside `json_rows`.
pub(crate) fn json_value(column: &str) -> String {
    format!("{column}::json")
}

pub(crate) fn json_text(column: &str, key_param: &str) -> String {
    format!("({column}::jsonb ->> {key_param})")
}

pub(crate) fn json_array_of(column: &str, table: &str, condition: &str, order: &str) -> String {
    format!("(SELECT COALESCE(json_agg({column} ORDER BY {order}), '[]')::text FROM {table} WHERE {condition})")
}

pub(crate) fn json_array_has(column: &str, param: &str) -> String {
    format!("({column}::jsonb ? {param})")
}

#[allow(clippy::duplicate_mod, reason = "the engine is compiled once per backend on purpose; see sql/mod.rs")]
#[path = "engine/mod.rs"]
mod engine;

pub use engine::SqlStore as PgStore;

impl PgStore {
    /// Connect to the database a `postgres://` URL names and migrate it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(e.to_string()))?
            // No JIT compilation: Leadline's statements are short, and on a table just filled
            // by an import (no statistics yet) PostgreSQL's estimates cross its JIT threshold,
            // so that reading 500 contacts by id spent 180 of its 235 ms compiling.
            .options([("jit", "off")]);
        // A big upsert's other writers take only connections that sit idle (`try_begin`):
        // the pool keeps that many open.
        let pool =
            PgPoolOptions::new().max_connections(16).min_connections(WRITERS as u32).connect_with(options).await?;
        let store = Self::new(pool.clone(), pool);
        crate::Store::migrate(&store).await?;
        Ok(store)
    }
}

/// Bind a column of values as one array parameter.
pub(crate) fn add_array(
    args: &mut sqlx::postgres::PgArguments,
    values: crate::sql::Array,
) -> Result<(), sqlx::error::BoxDynError> {
    use sqlx::Arguments;
    match values {
        crate::sql::Array::Text(v) => args.add(v),
        crate::sql::Array::Int(v) => args.add(v),
    }
}

pub(crate) fn text_contains(column: &str, param: &str) -> String {
    format!("strpos({column}, {param}) > 0")
}

/// PostgreSQL picks its indexes from its own statistics: `expr` as it is.
pub(crate) fn unindexed(expr: &str) -> String {
    expr.to_owned()
}

/// A sort expression no index answers, for a search that starts from its own index: the
/// planner then takes the few matches from the GIN index and sorts them.
pub(crate) fn opaque_sort(expr: &str, integer: bool) -> String {
    if integer {
        format!("({expr} + 0)")
    } else {
        format!("({expr} || '')")
    }
}

/// The search index's query for alternatives of `terms`: within one, each a prefix lexeme
/// (`'ann':*`), all required; any one alternative will do.
pub(crate) fn search_query(alternatives: &[Vec<String>]) -> String {
    let lexeme = |t: &String| format!("'{}':*", t.replace('\\', "\\\\").replace('\'', "''"));
    let all = |terms: &Vec<String>| format!("({})", terms.iter().map(lexeme).collect::<Vec<_>>().join(" & "));
    alternatives.iter().map(all).collect::<Vec<_>>().join(" | ")
}

/// A record of `table` matches the search query `param`: its generated `search` vector.
pub(crate) fn search_match(table: &str, param: &str) -> String {
    format!("{table}.search @@ CAST({param} AS tsquery)")
}

/// None: on PostgreSQL counting a common prefix's matches in the GIN index costs tens of
/// milliseconds (it builds the whole bitmap), so the engine samples the newest records instead
/// (`Search::planned`).
pub(crate) fn search_probe(_table: &str, _param: &str) -> Option<String> {
    None
}
