//! Whole-store operations: rows out of one backend and into another, and checksums to prove
//! the copy is complete.

use sha2::{Digest, Sha256};
use sqlx::{Column, Row, TypeInfo, ValueRef};

use super::{query, sql, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::TableChecksum;
use crate::sql::{Arg, TABLES};

fn key_columns(table: &str) -> StoreResult<Vec<&'static str>> {
    TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, k)| k.split(", ").collect())
        .ok_or_else(|| StoreError::Config(format!("{table} is not a Leadline table")))
}

/// A row as JSON values: integers stay integers, text stays text, NULL is null.
fn row_json(row: &DbRow) -> StoreResult<Vec<serde_json::Value>> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        if row.try_get_raw(i)?.is_null() {
            out.push(serde_json::Value::Null);
            continue;
        }
        let name = col.type_info().name().to_ascii_uppercase();
        let integer = name.contains("INT") || name.contains("SERIAL");
        out.push(if integer { row.try_get::<i64, _>(i)?.into() } else { row.try_get::<String, _>(i)?.into() });
    }
    Ok(out)
}

/// A dumped value as an argument; a NULL takes the column's type (PostgreSQL will not put a
/// text NULL into a bigint column).
fn arg_of(v: &serde_json::Value, integer: bool) -> StoreResult<Arg> {
    Ok(match v {
        serde_json::Value::Null if integer => Arg::Int(None),
        serde_json::Value::Null => Arg::Text(None),
        serde_json::Value::Number(n) => {
            Arg::Int(Some(n.as_i64().ok_or_else(|| StoreError::Corrupt(format!("{n} is not an integer")))?))
        }
        serde_json::Value::String(s) => Arg::Text(Some(s.clone())),
        other => return Err(StoreError::Corrupt(format!("unexpected value {other}"))),
    })
}

/// A table's columns and whether each holds integers, as this backend declares them. Columns
/// the backend derives (its search index keys and vectors) are left out: each backend builds
/// its own from the copied `search_text`.
async fn columns(store: &SqlStore, table: &str) -> StoreResult<Vec<(String, bool)>> {
    let described = sqlx::Executor::describe(&store.reader, &format!("SELECT * FROM {table}")).await?;
    Ok(described
        .columns()
        .iter()
        .filter(|c| !super::super::DERIVED_COLUMNS.contains(&c.name()))
        .map(|c| {
            let ty = c.type_info().name().to_ascii_uppercase();
            (c.name().to_owned(), ty.contains("INT") || ty.contains("SERIAL"))
        })
        .collect())
}

async fn column_names(store: &SqlStore, table: &str) -> StoreResult<Vec<String>> {
    Ok(columns(store, table).await?.into_iter().map(|(name, _)| name).collect())
}

#[async_trait::async_trait]
impl crate::BulkStore for SqlStore {
    async fn dump_rows(
        &self,
        table: &str,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<Vec<serde_json::Value>>, Option<String>)> {
        let keys = key_columns(table)?;
        let cols = column_names(self, table).await?;
        let select: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        let mut sql = sql(&format!("SELECT {} FROM {table}", select.join(", ")));
        if let Some(after) = after {
            let values: Vec<serde_json::Value> = serde_json::from_str(after)?;
            sql.push(&format!(" WHERE ({}) > (", keys.join(", ")));
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.arg(arg_of(v, false)?);
            }
            sql.push(")");
        }
        sql.push(&format!(" ORDER BY {} LIMIT ", keys.join(", "))).arg(i64::from(limit));
        let rows = query(&sql).fetch_all(&self.reader).await?;
        let out: Vec<Vec<serde_json::Value>> = rows.iter().map(row_json).collect::<StoreResult<_>>()?;
        let next = if out.len() == limit as usize {
            let last = out.last().expect("a full page has a last row");
            let key: Vec<serde_json::Value> =
                keys.iter().map(|k| last[cols.iter().position(|c| c == k).unwrap_or(0)].clone()).collect();
            Some(serde_json::to_string(&key)?)
        } else {
            None
        };
        Ok((out, next))
    }

    async fn load_rows(&self, table: &str, rows: &[Vec<serde_json::Value>]) -> StoreResult<()> {
        key_columns(table)?;
        if rows.is_empty() {
            return Ok(());
        }
        let typed = columns(self, table).await?;
        let cols: Vec<&str> = typed.iter().map(|(name, _)| name.as_str()).collect();
        let mut tx = self.begin().await?;
        let head = format!("INSERT INTO {table} ({}) ", cols.join(", "));
        for chunk in rows.chunks(super::chunk_size(cols.len())) {
            let mut values = Vec::with_capacity(chunk.len());
            for row in chunk {
                if row.len() != cols.len() {
                    return Err(StoreError::Corrupt(format!(
                        "{table}: a row has {} values for {} columns",
                        row.len(),
                        cols.len()
                    )));
                }
                values.push(
                    row.iter().zip(&typed).map(|(v, (_, integer))| arg_of(v, *integer)).collect::<StoreResult<_>>()?,
                );
            }
            query(&super::sql_rows(&head, values)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn checksums(&self) -> StoreResult<Vec<TableChecksum>> {
        let mut out = Vec::new();
        for (table, _) in TABLES {
            let mut hasher = Sha256::new();
            let mut rows = 0i64;
            let mut after: Option<String> = None;
            loop {
                let (page, next) = self.dump_rows(table, after.as_deref(), 5000).await?;
                for row in &page {
                    hasher.update(serde_json::to_vec(row)?);
                    hasher.update(b"\n");
                }
                rows += page.len() as i64;
                match next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
            out.push(TableChecksum { table, rows, sha256 });
        }
        Ok(out)
    }

    async fn after_load(&self) -> StoreResult<()> {
        if super::NAME == "postgres" {
            let mut tx = self.begin().await?;
            for table in ["activities", "field_history", "import_writes", "import_created"] {
                sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'seq'), COALESCE((SELECT MAX(seq) FROM {table}), 0) + 1, false)"))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        if super::NAME == "postgres" {
            sqlx::query("ANALYZE").execute(&self.writer).await?;
        }
        Ok(())
    }
}
