//! Moving a whole deployment from one store to another (`leadline store copy`).

use crate::{Store, StoreError, StoreResult, TableChecksum, TABLES};

/// Rows per read and write while copying.
const PAGE: u32 = 2_000;

/// Copy every row of `from` into the empty store `to`, then compare row counts and content
/// checksums of every table. `progress` hears (table, rows copied so far) as it goes.
pub async fn copy_store(
    from: &dyn Store,
    to: &dyn Store,
    mut progress: impl FnMut(&str, i64),
) -> StoreResult<Vec<TableChecksum>> {
    for (table, _) in TABLES {
        let (rows, _) = to.dump_rows(table, None, 1).await?;
        if !rows.is_empty() {
            return Err(StoreError::Config(format!("the target store is not empty: {table} has rows")));
        }
    }
    for (table, _) in TABLES {
        let mut after: Option<String> = None;
        let mut copied = 0i64;
        loop {
            let (rows, next) = from.dump_rows(table, after.as_deref(), PAGE).await?;
            to.load_rows(table, &rows).await?;
            copied += rows.len() as i64;
            progress(table, copied);
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
    }
    to.after_load().await?;
    to.refresh_statistics().await?;
    let (a, b) = (from.checksums().await?, to.checksums().await?);
    for (x, y) in a.iter().zip(&b) {
        if x != y {
            return Err(StoreError::Corrupt(format!(
                "{} differs after the copy: {} rows ({}) against {} rows ({})",
                x.table, x.rows, x.sha256, y.rows, y.sha256
            )));
        }
    }
    Ok(b)
}
