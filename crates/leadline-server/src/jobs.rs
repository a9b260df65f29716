//! Background jobs (imports, bulk actions): recorded in the store, run in this process one at
//! a time (they all write, and the store has one writer), with a heartbeat that lets another
//! process tell a job whose server went away (`Store::fail_silent_jobs`).

use std::future::Future;
use std::sync::Arc;

use leadline_store::{Job, JobCounts, JobStatus, Store};
use tokio::sync::Semaphore;

use crate::error::ApiResult;
use crate::AppState;

/// How often a job that waits or runs tells the store it is still at work: a running job does
/// so with every batch's progress (a batch takes seconds), a queued one on this clock.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a job may go untouched before it counts as interrupted (its process gone) and is
/// failed (`Store::fail_silent_jobs`).
pub const SILENT_FOR: std::time::Duration = std::time::Duration::from_secs(180);

/// What an interrupted job says.
pub const INTERRUPTED: &str =
    "interrupted: the server running this job stopped before it finished; its counts say how far it got";

/// The turn of the jobs of this process: one at a time.
pub struct Jobs {
    pub permits: Semaphore,
}

impl Default for Jobs {
    fn default() -> Self {
        Self { permits: Semaphore::new(1) }
    }
}

/// Record a job and run `work` in the background once it has its turn. A job that fails
/// keeps the counts it reported (what it wrote before the failure stays written).
pub async fn spawn<F, Fut>(
    s: &AppState,
    kind: &str,
    params: serde_json::Value,
    user_id: &str,
    work: F,
) -> ApiResult<Job>
where
    F: FnOnce(Arc<dyn Store>, String) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let job = s.store.create_job(kind, &params, Some(user_id), crate::now()).await?;
    let (state, job_id, kind) = (s.clone(), job.id.clone(), kind.to_owned());
    tokio::spawn(async move {
        let store = state.store.clone();
        if let Err(e) = in_turn(store.clone(), &state.jobs, &job_id, work(store.clone(), job_id.clone())).await {
            tracing::warn!(job = %job_id, kind = %kind, error = %e, "job failed");
            let counts = store.job(&job_id).await.map(|j| j.counts).unwrap_or_default();
            let _ = store.finish_job(&job_id, JobStatus::Failed, counts, Some(&e), crate::now()).await;
        }
    });
    Ok(job)
}

/// Run a job once it has its turn. While it waits it keeps its heartbeat, and a cancellation
/// that arrives meanwhile ends it before it starts.
pub async fn in_turn(
    store: Arc<dyn Store>,
    jobs: &Jobs,
    job_id: &str,
    work: impl Future<Output = Result<(), String>>,
) -> Result<(), String> {
    // One acquire for the whole wait: the semaphore is first come, first served.
    let turn = jobs.permits.acquire();
    tokio::pin!(turn);
    let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
    let _permit = loop {
        tokio::select! {
            permit = &mut turn => break permit.map_err(|e| e.to_string())?,
            _ = beat.tick() => if cancelled_while_queued(store.as_ref(), job_id).await? {
                return Ok(());
            },
        }
    };
    if cancelled_while_queued(store.as_ref(), job_id).await? {
        return Ok(());
    }
    work.await
}

/// Keep a queued job's heartbeat; if its cancellation was asked for, end it as cancelled and
/// say so.
async fn cancelled_while_queued(store: &dyn Store, job_id: &str) -> Result<bool, String> {
    let now = crate::now();
    if !store.touch_job(job_id, now).await.map_err(|e| e.to_string())? {
        return Ok(false);
    }
    store.finish_job(job_id, JobStatus::Cancelled, JobCounts::default(), None, now).await.map_err(|e| e.to_string())?;
    Ok(true)
}

/// Remove uploads older than `age` that no unfinished job is reading.
pub async fn remove_old_uploads(store: &dyn Store, dir: &std::path::Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let in_use: Vec<std::path::PathBuf> = match store.jobs(1_000).await {
        Ok(jobs) => jobs
            .iter()
            .filter(|j| !j.status.is_finished())
            .filter_map(crate::import::ImportParams::of)
            .map(|p| p.path)
            .collect(),
        Err(_) => return,
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|e| e > age));
        if old && !in_use.contains(&path) {
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "removed an upload nobody imported"),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not remove an old upload"),
            }
        }
    }
}
