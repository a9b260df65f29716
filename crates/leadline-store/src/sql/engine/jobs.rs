//! Background jobs: state, progress, cancellation, rejected rows.

use leadline_core::Millis;

use super::{int, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{Job, JobCounts, JobStatus, Reject, Warning};
use crate::sql::{new_id, Sql};

const JOB_COLUMNS: &str =
    "id, kind, status, params, created_by, created_at, started_at, finished_at, total, processed, created, updated, merged, rejected, possible_duplicates, warnings, cancel_requested, error, undone_at, phase";

fn job_of(row: &DbRow) -> StoreResult<Job> {
    let status = req_text(row, "status")?;
    Ok(Job {
        id: req_text(row, "id")?,
        kind: req_text(row, "kind")?,
        status: JobStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("job status {status}")))?,
        params: serde_json::from_str(&req_text(row, "params")?)?,
        created_by: text(row, "created_by")?,
        created_at: req_int(row, "created_at")?,
        started_at: int(row, "started_at")?,
        finished_at: int(row, "finished_at")?,
        counts: JobCounts {
            total: req_int(row, "total")?,
            processed: req_int(row, "processed")?,
            created: req_int(row, "created")?,
            updated: req_int(row, "updated")?,
            merged: req_int(row, "merged")?,
            rejected: req_int(row, "rejected")?,
            possible_duplicates: req_int(row, "possible_duplicates")?,
            warnings: req_int(row, "warnings")?,
        },
        cancel_requested: req_int(row, "cancel_requested")? != 0,
        error: text(row, "error")?,
        undone_at: int(row, "undone_at")?,
        phase: text(row, "phase")?,
    })
}

/// Whether cancellation was asked for a job.
async fn cancel_requested(conn: &mut super::records::Conn, id: &str) -> StoreResult<bool> {
    let cancel: Option<i64> = sqlx::query_scalar("SELECT cancel_requested FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(cancel.ok_or_else(|| StoreError::not_found("job", id))? != 0)
}

fn set_counts(sql: &mut Sql, c: JobCounts) {
    sql.push(", total = ").arg(c.total).push(", processed = ").arg(c.processed).push(", created = ").arg(c.created);
    sql.push(", updated = ").arg(c.updated).push(", merged = ").arg(c.merged).push(", rejected = ").arg(c.rejected);
    sql.push(", possible_duplicates = ").arg(c.possible_duplicates).push(", warnings = ").arg(c.warnings);
}

impl SqlStore {
    /// Insert rows of `width` values into `into` (`table (columns)`) in one transaction, a
    /// repeated key kept once.
    async fn add_job_rows(
        &self,
        into: &str,
        width: usize,
        rows: impl Iterator<Item = Vec<crate::sql::Arg>>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for chunk in super::chunked(rows, super::chunk_size(width)) {
            let mut sql = super::sql_rows(&format!("INSERT INTO {into} "), chunk);
            sql.push(" ON CONFLICT DO NOTHING");
            query(&sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::JobStore for SqlStore {
    async fn create_job(
        &self,
        kind: &str,
        params: &serde_json::Value,
        created_by: Option<&str>,
        now: Millis,
    ) -> StoreResult<Job> {
        let mut tx = self.begin().await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO jobs (id, kind, status, params, created_by, created_at, heartbeat_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(kind)
        .bind(JobStatus::Queued.as_str())
        .bind(params.to_string())
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.job(&id).await
    }

    async fn job(&self, id: &str) -> StoreResult<Job> {
        let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        job_of(&row.ok_or_else(|| StoreError::not_found("job", id))?)
    }

    async fn jobs(&self, limit: u32) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(job_of).collect()
    }

    async fn job_phase(&self, id: &str, phase: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE jobs SET phase = $1 WHERE id = $2").bind(phase).bind(id).execute(&self.writer).await?;
        Ok(())
    }

    async fn job_progress(&self, id: &str, status: JobStatus, counts: JobCounts, now: Millis) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let mut sql = sql("UPDATE jobs SET status = ");
        sql.arg(status.as_str()).push(", started_at = COALESCE(started_at, ").arg(now).push(")");
        sql.push(", heartbeat_at = ").arg(now);
        set_counts(&mut sql, counts);
        sql.push(" WHERE id = ").arg(id);
        query(&sql).execute(&mut *tx).await?;
        let cancel = cancel_requested(&mut tx, id).await?;
        tx.commit().await?;
        Ok(cancel)
    }

    async fn touch_job(&self, id: &str, now: Millis) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE jobs SET heartbeat_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
        let cancel = cancel_requested(&mut tx, id).await?;
        tx.commit().await?;
        Ok(cancel)
    }

    async fn fail_silent_jobs(&self, silent_since: Millis, error: &str, now: Millis) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let failed = sqlx::query(
            "UPDATE jobs SET status = $1, error = $2, finished_at = $3 \
             WHERE status IN ($4, $5) AND COALESCE(heartbeat_at, started_at, created_at) < $6",
        )
        .bind(JobStatus::Failed.as_str())
        .bind(error)
        .bind(now)
        .bind(JobStatus::Queued.as_str())
        .bind(JobStatus::Running.as_str())
        .bind(silent_since)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(failed)
    }

    async fn finish_job(
        &self,
        id: &str,
        status: JobStatus,
        counts: JobCounts,
        error: Option<&str>,
        now: Millis,
    ) -> StoreResult<Job> {
        let mut tx = self.begin().await?;
        let mut sql = sql("UPDATE jobs SET status = ");
        sql.arg(status.as_str())
            .push(", finished_at = ")
            .arg(now)
            .push(", started_at = COALESCE(started_at, ")
            .arg(now)
            .push("), error = ")
            .arg(error);
        set_counts(&mut sql, counts);
        sql.push(" WHERE id = ").arg(id);
        query(&sql).execute(&mut *tx).await?;
        tx.commit().await?;
        self.job(id).await
    }

    async fn cancel_job(&self, id: &str) -> StoreResult<Job> {
        let job = self.job(id).await?;
        if job.status.is_finished() {
            return Err(StoreError::Conflict {
                code: "job_finished",
                field: None,
                message: format!("job {id} already {}", job.status.as_str()),
            });
        }
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE jobs SET cancel_requested = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        self.job(id).await
    }

    async fn add_rejects(&self, job_id: &str, rejects: &[Reject]) -> StoreResult<()> {
        let rows = rejects.iter().map(|r| {
            vec![job_id.into(), r.line.into(), r.field.clone().into(), r.reason.as_str().into(), r.raw.as_str().into()]
        });
        self.add_job_rows("job_rejects (job_id, line, field, reason, raw)", 5, rows).await
    }

    async fn add_warnings(&self, job_id: &str, warnings: &[Warning]) -> StoreResult<()> {
        let rows = warnings.iter().map(|w| {
            vec![
                job_id.into(),
                w.line.into(),
                w.field.as_str().into(),
                w.value.as_str().into(),
                w.reason.as_str().into(),
            ]
        });
        self.add_job_rows("job_warnings (job_id, line, field, value, reason)", 5, rows).await
    }

    async fn undo_import(
        &self,
        job_id: &str,
        actor: crate::model::Actor<'_>,
    ) -> StoreResult<crate::model::ImportUndone> {
        self.undo_import_impl(job_id, actor).await
    }

    async fn warnings(&self, job_id: &str, after_line: i64, limit: u32) -> StoreResult<Vec<Warning>> {
        let rows = sqlx::query(
            "SELECT line, field, value, reason FROM job_warnings WHERE job_id = $1 AND line > $2 \
             ORDER BY line, field, value LIMIT $3",
        )
        .bind(job_id)
        .bind(after_line)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Warning {
                    line: req_int(r, "line")?,
                    field: req_text(r, "field")?,
                    value: req_text(r, "value")?,
                    reason: req_text(r, "reason")?,
                })
            })
            .collect()
    }

    async fn rejects(&self, job_id: &str, after_line: i64, limit: u32) -> StoreResult<Vec<Reject>> {
        let rows = sqlx::query(
            "SELECT line, field, reason, raw FROM job_rejects WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3",
        )
        .bind(job_id)
        .bind(after_line)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Reject {
                    line: req_int(r, "line")?,
                    field: text(r, "field")?,
                    reason: req_text(r, "reason")?,
                    raw: req_text(r, "raw")?,
                })
            })
            .collect()
    }
}
