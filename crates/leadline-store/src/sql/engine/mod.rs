//! The SQL engine shared by both backends (see `sql/mod.rs` for how it is compiled twice).
//! `super` is the backend module: it provides `Db`, `BEGIN`, `MAX_BINDS`, `MIGRATIONS` and the
//! dialect functions.

mod activities;
mod analytics;
mod bulk;
mod campaigns;
mod contacts;
mod duplicates;
mod forms;
mod jobs;
mod pipelines;
mod records;
mod routing;
mod rules;
mod search;
mod state;
mod tracking;
mod undo;
mod users;
mod webhooks;

use sqlx::{Database, Row};

use super::{Db, BEGIN, DURABLE_COMMIT, MANY, MIGRATIONS, NAME, WRITERS};
use crate::error::{StoreError, StoreResult};
use crate::sql::{Arg, Sql};

type Tx = sqlx::Transaction<'static, Db>;

/// The revision of how records' search terms are made (`leadline_core::contact::search_terms`),
/// kept beside the schema's versions: a store whose terms are older has them made again when
/// it opens. 2: the parts and the joined form of a compound name.
const TERMS_REVISION: i64 = 1_000_002;
type DbRow = <Db as Database>::Row;
type Query<'q> = sqlx::query::Query<'q, Db, <Db as Database>::Arguments<'q>>;

/// A store on one backend: a pool for writes and one for reads (the same pool on PostgreSQL).
#[derive(Clone)]
pub struct SqlStore {
    writer: sqlx::Pool<Db>,
    reader: sqlx::Pool<Db>,
    /// Shared by every clone of this store: a background task that holds a pool of its own
    /// watches it through `liveness`, and stops once the last clone is dropped, closed or not.
    alive: std::sync::Arc<()>,
}

impl SqlStore {
    pub(crate) fn new(writer: sqlx::Pool<Db>, reader: sqlx::Pool<Db>) -> Self {
        Self { writer, reader, alive: std::sync::Arc::new(()) }
    }

    /// A handle that tells whether any clone of this store is still in use.
    #[allow(dead_code, reason = "only the SQLite backend runs a task of its own")]
    pub(crate) fn liveness(&self) -> std::sync::Weak<()> {
        std::sync::Arc::downgrade(&self.alive)
    }

    /// Start a write transaction.
    async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.writer.begin_with(BEGIN).await?)
    }

    /// Start a write transaction if a connection is free now, without waiting for one: a
    /// caller that already holds a connection must not wait on the pool for another (enough
    /// such callers at once would each hold one and wait for the rest).
    async fn try_begin(&self) -> StoreResult<Option<Tx>> {
        Ok(self.writer.try_begin_with(BEGIN).await?)
    }
}

/// A statement builder in this backend's placeholder style.
fn sql(text: &str) -> Sql {
    Sql::new(text, super::PLACEHOLDERS)
}

/// `head` followed by `rows` in this backend's multi-row form (see `ManyValues`).
fn sql_rows(head: &str, rows: Vec<Vec<Arg>>) -> Sql {
    let mut q = sql(head);
    q.rows(MANY, rows);
    q
}

/// The arguments of `sql`, bound in order.
fn arguments(sql: &Sql) -> <Db as Database>::Arguments<'_> {
    bind_all(sql.args.iter().cloned())
}

fn bind_all<'q>(args: impl ExactSizeIterator<Item = Arg>) -> <Db as Database>::Arguments<'q> {
    use sqlx::Arguments;
    let mut bound = <Db as Database>::Arguments::default();
    bound.reserve(args.len(), 0);
    for a in args {
        let added = match a {
            Arg::Text(v) => bound.add(v),
            Arg::Int(v) => bound.add(v),
            Arg::Array(v) => super::add_array(&mut bound, v),
        };
        debug_assert!(added.is_ok());
    }
    bound
}

/// `sql` as a statement with its arguments bound.
fn query(sql: &Sql) -> Query<'_> {
    sqlx::query_with(&sql.text, arguments(sql))
}

/// `sql` as a statement, its arguments moved rather than copied into the binding.
fn query_taking(sql: &mut Sql) -> Query<'_> {
    let args = bind_all(std::mem::take(&mut sql.args).into_iter());
    sqlx::query_with(&sql.text, args)
}

/// Run statements in order, building each while the database runs the one before it. The
/// database works elsewhere (SQLite on its connection's thread, PostgreSQL in its server), so
/// with statements built as they are pulled from a lazy iterator, the CPU work of a bulk
/// write overlaps the database's instead of taking turns with it.
/// Say that activities already in the log changed hands or went away (see the migration
/// `analytics`): the analytics engine reads the log again.
async fn activities_rewritten(conn: &mut records::Conn) -> StoreResult<()> {
    sqlx::query("UPDATE activity_epoch SET epoch = epoch + 1").execute(&mut *conn).await?;
    Ok(())
}

async fn execute_all(conn: &mut records::Conn, statements: impl IntoIterator<Item = Sql>) -> StoreResult<()> {
    let mut statements = statements.into_iter();
    let mut next = statements.next();
    while let Some(mut current) = next {
        // `join` polls the statement first, which sends it off; building the next one then
        // runs on this thread while the database works.
        let (done, following) =
            futures_util::future::join(query_taking(&mut current).execute(&mut *conn), async { statements.next() })
                .await;
        done?;
        next = following;
    }
    Ok(())
}

/// `items` in chunks of at most `size`, each taken only when asked for.
fn chunked<T>(items: impl Iterator<Item = T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.fuse();
    std::iter::from_fn(move || {
        let chunk: Vec<T> = items.by_ref().take(size).collect();
        (!chunk.is_empty()).then_some(chunk)
    })
}

/// `sql` as a statement that answers one integer (a count).
fn query_count(sql: &Sql) -> sqlx::query::QueryScalar<'_, Db, i64, <Db as Database>::Arguments<'_>> {
    sqlx::query_scalar_with(&sql.text, arguments(sql))
}

fn text(row: &DbRow, col: &str) -> StoreResult<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

fn int(row: &DbRow, col: &str) -> StoreResult<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

fn req_text(row: &DbRow, col: &str) -> StoreResult<String> {
    text(row, col)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is null")))
}

fn req_int(row: &DbRow, col: &str) -> StoreResult<i64> {
    int(row, col)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is null")))
}

fn json_map(row: &DbRow, col: &str) -> StoreResult<serde_json::Map<String, serde_json::Value>> {
    match text(row, col)? {
        Some(s) => Ok(serde_json::from_str(&s)?),
        None => Ok(serde_json::Map::new()),
    }
}

/// Split `items` into chunks that keep a statement under the backend's bind limit.
fn chunk_size(binds_per_item: usize) -> usize {
    (super::MAX_BINDS / binds_per_item.max(1)).max(1)
}

/// The statements of a migration script, one at a time. The scripts hold plain DDL: no `;`
/// inside strings, comments on lines of their own; a trigger's body (whose statements end in
/// `;` too) runs to its `END`.
fn statements(script: &str) -> Vec<String> {
    let code: String = script.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    let mut out = Vec::new();
    let mut pending = String::new();
    for part in code.split(';') {
        pending.push_str(part);
        let statement = pending.trim().to_owned();
        let upper = statement.to_ascii_uppercase();
        if upper.starts_with("CREATE TRIGGER") && !upper.ends_with("END") {
            pending.push(';');
            continue;
        }
        if !statement.is_empty() {
            out.push(statement);
        }
        pending.clear();
    }
    out
}

#[async_trait::async_trait]
impl crate::Store for SqlStore {
    fn backend(&self) -> &'static str {
        NAME
    }

    async fn migrate(&self) -> StoreResult<usize> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(&mut *tx).await?;
        let mut ran = 0;
        for (version, script) in MIGRATIONS {
            if done.contains(version) {
                continue;
            }
            for statement in statements(script) {
                sqlx::query(&statement).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(0i64)
                .execute(&mut *tx)
                .await?;
            ran += 1;
        }
        if !done.contains(&TERMS_REVISION) {
            search::reterm_all(&mut tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(TERMS_REVISION)
                .bind(0i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(ran)
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
