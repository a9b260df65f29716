//! The analytics engine: people's events in memory (core `analytics::EventTable`), kept up to
//! the activity log, and the funnels asked of it.
//!
//! Every question first brings the table up to the log ([`Analytics::refresh`]): what the log
//! gained since is added, a visitor who turned out to be a contact (an `identified` activity)
//! brings their events along, and when activities already read changed hands or went away
//! (the store's activity epoch moved: a merge, an unmerge, a deletion) the log is read again.
//! A background task does the same every few seconds, so a question seldom waits for it.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, RwLock};

use leadline_core::analytics::{EventTable, FunnelPlan, PlannedStep, Row};
use leadline_core::funnel::{Mode, StepFigures, Tally};
use leadline_core::Millis;
use leadline_store::{EventRow, Store};

use crate::error::{ApiError, ApiResult, Kind};

/// Rows read from the log at a time.
const PAGE: u32 = 100_000;

#[derive(Default)]
struct Loaded {
    table: EventTable,
    /// The last activity read.
    seq: i64,
    /// The store's activity epoch when the log was read from the start.
    epoch: Option<i64>,
}

/// The engine's table, shared by the requests that ask it and the task that keeps it.
#[derive(Default)]
pub struct Analytics {
    loaded: Arc<RwLock<Loaded>>,
    /// One refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
}

/// The table's size, for answers and the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub people: usize,
    pub events: usize,
    pub bytes: usize,
    pub seq: i64,
}

/// A funnel to run: steps (a type and, where the step filters on properties, the matching
/// activities), the window, the mode, the period, and an optional grouping of people.
pub struct FunnelQuery {
    pub steps: Vec<(String, Vec<(String, String)>)>,
    pub window: Millis,
    pub mode: Mode,
    pub from: Millis,
    pub to: Millis,
    /// A contact field or property to break the answer down by.
    pub breakdown: Option<String>,
    /// What each step is called (a stage of a ready-made funnel), where it has a name.
    pub names: Vec<Option<String>>,
}

/// The most groups a breakdown shows; the rest are summed as one.
pub const GROUPS: usize = 25;

pub struct FunnelAnswer {
    pub steps: Vec<StepFigures>,
    /// By the breakdown's value (None: people without one, or all the rest past [`GROUPS`]).
    pub groups: Vec<(GroupName, Vec<StepFigures>)>,
    pub size: Size,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupName {
    Value(String),
    None,
    Other,
}

impl Analytics {
    pub fn size(&self) -> Size {
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        Size { people: l.table.people_count(), events: l.table.event_count(), bytes: l.table.heap_bytes(), seq: l.seq }
    }

    /// The activity types the table has seen.
    pub fn kinds(&self) -> Vec<String> {
        let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        l.table.kinds.iter().map(|k| k.to_string()).collect()
    }

    /// Bring the table up to the activity log.
    pub async fn refresh(&self, store: &dyn Store) -> ApiResult<()> {
        let _turn = self.refreshing.lock().await;
        let epoch = store.activity_epoch().await?;
        let (seq, current) = {
            let l = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            (l.seq, l.epoch == Some(epoch))
        };
        if !current {
            let fresh = read_all(store, epoch).await?;
            *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = fresh;
            return Ok(());
        }
        let mut rows = Vec::new();
        let mut after = seq;
        loop {
            let mut page = store.event_rows(after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            crate::engine::settled(&mut page, after, crate::now());
            let Some(last) = page.last() else { break };
            after = last.seq;
            let settled_all = page.len() == PAGE as usize;
            rows.extend(page);
            if !(full && settled_all) {
                break;
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        let loaded = self.loaded.clone();
        tokio::task::spawn_blocking(move || {
            let mut l = loaded.write().unwrap_or_else(|e| e.into_inner());
            add(&mut l.table, &rows);
            l.seq = after;
        })
        .await
        .map_err(|e| broken("the analytics table could not be updated", e))?;
        Ok(())
    }

    /// Keep the table up to the log every few seconds, so that questions seldom wait.
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>) {
        loop {
            if let Err(e) = self.refresh(store.as_ref()).await {
                tracing::warn!(error = ?e, "the analytics engine could not read the activity log");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        }
    }

    /// Run a funnel over the table as it is now (see [`refresh`](Self::refresh)).
    pub async fn funnel(&self, store: &dyn Store, q: &FunnelQuery) -> ApiResult<FunnelAnswer> {
        let mut only = Vec::with_capacity(q.steps.len());
        for (kind, properties) in &q.steps {
            only.push(if properties.is_empty() {
                None
            } else {
                Some(store.activities_matching(kind, properties, q.from, q.to).await?)
            });
        }
        let values = match &q.breakdown {
            Some(field) => Some(store.contact_values(field).await?),
            None => None,
        };
        let loaded = self.loaded.clone();
        let kinds: Vec<String> = q.steps.iter().map(|(k, _)| k.clone()).collect();
        let (window, mode, from, to) = (q.window, q.mode, q.from, q.to);
        let size = self.size();
        tokio::task::spawn_blocking(move || {
            let l = loaded.read().unwrap_or_else(|e| e.into_inner());
            let t = &l.table;
            let steps = kinds.iter().zip(only).map(|(k, only)| PlannedStep { kind: t.find_kind(k), only }).collect();
            let plan = FunnelPlan::new(steps, window, mode, from, to);
            let n = kinds.len();
            let Some(values) = values else {
                let tally = run_parallel(t, &plan, 1, |_| 0).pop().unwrap_or_else(|| Tally::new(n));
                return FunnelAnswer { steps: tally.report(), groups: Vec::new(), size };
            };
            // Each person's group: the value's number, 0 for none.
            let mut names: Vec<Option<String>> = vec![None];
            let mut number: HashMap<String, u32> = HashMap::new();
            let mut group_of = vec![0u32; t.people_count()];
            for (id, value) in values {
                let (Some(p), Some(v)) = (t.find_person(&id), value) else { continue };
                let g = *number.entry(v.clone()).or_insert_with(|| {
                    names.push(Some(v));
                    names.len() as u32 - 1
                });
                group_of[p as usize] = g;
            }
            let tallies = run_parallel(t, &plan, names.len(), |p| group_of[p as usize] as usize);
            let mut total = Tally::new(n);
            let mut groups: Vec<(Option<String>, Tally)> = names.into_iter().zip(tallies).collect();
            for (_, g) in &groups {
                total.absorb(g.clone());
            }
            let entered = |t: &Tally| t.at_level.iter().skip(1).sum::<u64>();
            groups.retain(|(_, g)| entered(g) > 0);
            groups.sort_by(|a, b| entered(&b.1).cmp(&entered(&a.1)).then_with(|| a.0.cmp(&b.0)));
            let mut out = Vec::new();
            let mut rest: Option<Tally> = None;
            let mut none: Option<Tally> = None;
            for (name, g) in groups {
                match name {
                    None => none = Some(g),
                    Some(v) if out.len() < GROUPS => out.push((GroupName::Value(v), g.report())),
                    Some(_) => rest.get_or_insert_with(|| Tally::new(n)).absorb(g),
                }
            }
            out.extend(rest.map(|g| (GroupName::Other, g.report())));
            out.extend(none.map(|g| (GroupName::None, g.report())));
            FunnelAnswer { steps: total.report(), groups: out, size }
        })
        .await
        .map_err(|e| broken("the funnel could not be counted", e))
    }
}

fn broken(what: &str, e: tokio::task::JoinError) -> ApiError {
    ApiError::new(Kind::Internal, "internal", format!("{what}: {e}"))
}

/// The funnel over every person, the people split between the machine's cores.
fn run_parallel(
    t: &EventTable,
    plan: &FunnelPlan,
    groups: usize,
    group_of: impl Fn(u32) -> usize + Sync,
) -> Vec<Tally> {
    let people = t.people_count() as u32;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8) as u32;
    let parts: Vec<Range<u32>> = (0..threads)
        .map(|i| {
            (people as u64 * i as u64 / threads as u64) as u32..(people as u64 * (i + 1) as u64 / threads as u64) as u32
        })
        .collect();
    let steps = plan.steps.len();
    let results: Vec<Vec<Tally>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|range| {
                let group_of = &group_of;
                scope.spawn(move || {
                    let mut tallies = vec![Tally::new(steps); groups];
                    t.funnel(plan, range, group_of, &mut tallies);
                    tallies
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut out = vec![Tally::new(steps); groups];
    for part in results {
        for (a, b) in out.iter_mut().zip(part) {
            a.absorb(b);
        }
    }
    out
}

/// Read the whole log into a new table.
async fn read_all(store: &dyn Store, epoch: i64) -> ApiResult<Loaded> {
    let mut l = Loaded { epoch: Some(epoch), ..Loaded::default() };
    let mut pending: Vec<EventRow> = Vec::new();
    loop {
        let mut page = store.event_rows(l.seq, PAGE).await?;
        let full = page.len() == PAGE as usize;
        crate::engine::settled(&mut page, l.seq, crate::now());
        let Some(last) = page.last() else { break };
        l.seq = last.seq;
        let settled_all = page.len() == PAGE as usize;
        pending.extend(page);
        // Add in amounts that grow with the table, so that the whole stays linear.
        if pending.len() >= (l.table.event_count() / 2).max(PAGE as usize) {
            add(&mut l.table, &std::mem::take(&mut pending));
        }
        if !(full && settled_all) {
            break;
        }
    }
    add(&mut l.table, &pending);
    Ok(l)
}

/// Add log rows to the table: each a person's event (a contact's, or an anonymous visitor's);
/// an `identified` activity gives the visitor's events to the contact.
fn add(table: &mut EventTable, rows: &[EventRow]) {
    let mut out = Vec::with_capacity(rows.len());
    let mut moves = Vec::new();
    let mut key = String::new();
    for r in rows {
        let person = match (&r.contact_id, &r.visitor_id) {
            (Some(c), visitor) => {
                let p = table.person(c);
                if let (Some(v), "identified") = (visitor, r.kind.as_str()) {
                    key.clear();
                    key.push_str("v:");
                    key.push_str(v);
                    if let Some(from) = table.find_person(&key) {
                        moves.push((from, p));
                    }
                }
                p
            }
            (None, Some(v)) => {
                key.clear();
                key.push_str("v:");
                key.push_str(v);
                table.person(&key)
            }
            (None, None) => continue,
        };
        out.push(Row { seq: r.seq, person, at: r.occurred_at, kind: table.kind(&r.kind) });
    }
    table.with(&out, &moves);
}
