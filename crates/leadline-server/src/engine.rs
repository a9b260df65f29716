//! The engine: it reads the activity log from where it left off, and the contacts the store
//! marked because their fields, company, deals or links changed, decides what that means for
//! each contact (core's `engine::decide`: scores, the lifecycle stage, segments; then core's
//! `routing::route` for a lead that just became an MQL without an owner) and records it with
//! its progress in one transaction (`EngineStore::engine_commit`). Of several servers
//! on one database, the one holding the lease applies the events; another takes over within
//! `LEASE` when it stops, from the last committed `seq`, so nothing is applied twice or lost.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use leadline_core::engine::{decide, Consequence, Rules, Segment};
use leadline_core::lifecycle::LifecycleStage;
use leadline_core::routing::{route, Member, Routing};
use leadline_core::Millis;
use leadline_store::{Claim, Contacts, Decision, Store, StoreError};

use crate::rules::RuleCache;
use crate::scores::ContactFacts;

/// The engine's name in the store (its progress and lease).
pub const NAME: &str = "contacts";
/// How long a lease lasts without being renewed (every step renews it, at least every second):
/// a stopped server's events are taken over after at most this long.
pub const LEASE: Millis = 10_000;
/// How old the event after a gap in the log must be before the gap is passed over.
pub const SETTLE: Millis = 5_000;
/// Contacts decided again per step of a rescan (read together: see `ContactFacts::load_many`).
const RESCAN: u32 = 1_000;
/// Events read per step.
const BATCH: u32 = 500;

/// The kinds of activity the engine writes itself; reading them back decides nothing new.
fn is_own(kind: &str) -> bool {
    matches!(kind, "stage_changed" | "segment_entered" | "segment_left" | "score_changed" | "lead_assigned")
}

pub struct Engine {
    /// The score models and lifecycle rules: the newest version saved, or the shipped ones.
    rules: RuleCache,
    holder: String,
    /// Until when this engine's lease runs, as far as it knows (0: it holds none). While more
    /// than half of it is left, a step reads where it is instead of renewing the lease: one
    /// write less for the store's one writer, which the requests are waiting on.
    lease_until: AtomicI64,
    /// The last `seq` of the log this engine committed as applied.
    applied: AtomicI64,
}

impl Engine {
    /// An engine known to the others as `holder`.
    pub fn new(holder: impl Into<String>) -> Self {
        Self {
            rules: RuleCache::default(),
            holder: holder.into(),
            lease_until: AtomicI64::new(0),
            applied: AtomicI64::new(0),
        }
    }

    /// The last `seq` of the log this engine has applied and committed.
    pub fn applied_seq(&self) -> i64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// Apply the next events, if this engine holds the lease: how many it applied (0 when there
    /// was nothing new, or another server holds the lease).
    pub async fn step(&self, store: &dyn Store, now: Millis) -> Result<usize, StoreError> {
        let claim = if self.lease_until.load(Ordering::Relaxed) - now > LEASE / 2 {
            store.engine_read(NAME).await?
        } else {
            match store.engine_claim(NAME, &self.holder, now, LEASE).await? {
                Some(claim) => {
                    self.lease_until.store(now + LEASE, Ordering::Relaxed);
                    claim
                }
                None => {
                    self.lease_until.store(0, Ordering::Relaxed);
                    return Ok(0);
                }
            }
        };
        let seq = claim.seq;
        let mut events = store.log_after(seq, BATCH).await?;
        settled(&mut events, seq, now);
        // Decide as of the latest event read, at least: one stored (by this server or another)
        // after this step's clock was read would otherwise be "in the future" to the rules, and
        // consumed without counting. (The lease and what is written keep the step's clock.)
        let as_of = events.iter().map(|a| a.recorded_at).max().map_or(now, |latest| latest.max(now));
        // A rescan (a segment was made or changed) decides every contact again, a page a step.
        let rescanned = match &claim.rescan_after {
            Some(after) => store.contacts_after(after, RESCAN).await?,
            None => Vec::new(),
        };
        if events.is_empty() && claim.rescan_after.is_none() && claim.dirty.is_empty() {
            return Ok(0);
        }
        let progress = Claim {
            seq: events.last().map_or(seq, |a| a.seq),
            rescan_after: match rescanned.last() {
                Some(last) if rescanned.len() == RESCAN as usize => Some(last.clone()),
                _ => None,
            },
            dirty: claim.dirty.clone(),
        };
        // Each contact once: rescanned, marked, or with new events.
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<String> = rescanned
            .iter()
            .chain(claim.dirty.iter().map(|(id, _)| id))
            .chain(events.iter().filter(|a| !is_own(&a.kind)).filter_map(|a| a.contact_id.as_ref()))
            .filter(|id| seen.insert(*id))
            .cloned()
            .collect();
        let states = store.contact_states(&ids).await?;
        let current = self.rules.get(store).await?;
        let rules = Rules { segments: dynamic_segments(store).await?, ..current.rules.clone() };
        let mut router = Router::default();
        let mut decisions = Vec::new();
        // Contacts deleted since are not read back: nothing to decide for them.
        for facts in ContactFacts::load_many(store, Contacts::Ids(&ids), as_of, None).await? {
            let before = states.get(facts.id()).cloned().unwrap_or_default();
            let (state, mut consequences) = decide(&before, &facts, &rules, as_of);
            if becomes_sales_ready(&consequences) && facts.owner().is_none() {
                consequences.extend(router.route(store, &facts, as_of).await?);
            }
            if state != before || !consequences.is_empty() {
                decisions.push(Decision { contact_id: facts.id().to_owned(), state, consequences });
            }
        }
        if store.engine_commit(NAME, &self.holder, &progress, &decisions, now).await? {
            self.applied.store(progress.seq, Ordering::Relaxed);
            Ok(events.len() + rescanned.len() + claim.dirty.len())
        } else {
            // The lease ran out and another server took it: what was read is theirs to apply.
            self.lease_until.store(0, Ordering::Relaxed);
            Ok(0)
        }
    }

    /// Run until stopped: a step whenever there are events; when there were none, wait until
    /// this server stores one (`wake`) or a second passes (events stored by other servers, and
    /// the lease, which a step renews once half of it has run).
    pub async fn run(self, store: Arc<dyn Store>, wake: Arc<tokio::sync::Notify>) {
        loop {
            match self.step(store.as_ref(), crate::now()).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), wake.notified()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the engine could not apply events; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// The name of the daily health review in the store: its place is the day (days since the
/// epoch, UTC) it last marked the customers.
pub const REVIEW: &str = "health_review";
/// How often a server looks whether today's review is done.
const REVIEW_CHECK: std::time::Duration = std::time::Duration::from_secs(3600);
const DAY: Millis = 86_400_000;

/// Once a day, mark the customers for the engine to decide again: their health reads windows
/// over the log (a customer quiet in the product for a month slips towards at risk with no new
/// event), and nothing else would make the engine look at them. The day is kept in the store
/// as the place of a leased reader, so that of several servers, started and stopped as they
/// may be, one marks them once a day.
pub async fn review_customers(store: Arc<dyn Store>, holder: String, wake: Arc<tokio::sync::Notify>) {
    loop {
        if let Err(e) = review_once(store.as_ref(), &holder, &wake, crate::now()).await {
            tracing::warn!(error = %e, "the customers could not be marked for review");
        }
        tokio::time::sleep(REVIEW_CHECK).await;
    }
}

/// Mark the customers if today's review is not done yet and this server holds its lease; how
/// many were marked.
pub async fn review_once(
    store: &dyn Store,
    holder: &str,
    wake: &tokio::sync::Notify,
    now: Millis,
) -> Result<u64, StoreError> {
    let today = now.div_euclid(DAY);
    match store.cursor_claim(REVIEW, holder, now, LEASE).await? {
        Some(done) if done < today => {
            let stages = leadline_core::health::CUSTOMER_STAGES.map(LifecycleStage::as_str);
            let marked = store.engine_mark_stages(&stages).await?;
            store.cursor_advance(REVIEW, holder, today, now).await?;
            if marked > 0 {
                tracing::info!(customers = marked, "customers marked for the daily health review");
                wake.notify_one();
            }
            Ok(marked)
        }
        _ => Ok(0),
    }
}

/// Keep of `events` (read from the log after `after`, in `seq` order) those that can be taken
/// at `now`. A gap in the log is an activity still being written (its transaction commits after
/// a later one's, on PostgreSQL), or one rolled back or deleted. Events are taken up to a gap
/// until the event after it is `SETTLE` old: by then the gap is not coming back.
pub fn settled<T: leadline_store::Logged>(events: &mut Vec<T>, after: i64, now: Millis) {
    let mut expected = after + 1;
    let taken = events
        .iter()
        .position(|a| {
            let open = a.seq() != expected && a.stored_at() > now - SETTLE;
            expected = a.seq() + 1;
            open
        })
        .unwrap_or(events.len());
    events.truncate(taken);
}

/// The dynamic segments as they are now, each with its condition read (one that no longer
/// reads, which the API does not let in, is left out and said in the log). Static lists are
/// kept by people, not by the engine.
pub async fn dynamic_segments(store: &dyn Store) -> Result<Vec<Segment>, StoreError> {
    let mut out = Vec::new();
    for s in store.segments().await? {
        let Some(condition) = &s.condition else { continue };
        match leadline_core::condition::parse(condition) {
            Ok(condition) => out.push(Segment { key: s.id, condition }),
            Err(e) => tracing::warn!(segment = %s.id, error = %e, "a segment's condition does not read"),
        }
    }
    Ok(out)
}

/// Whether the engine just moved a contact to MQL or further: the moment a lead is routed.
fn becomes_sales_ready(consequences: &[Consequence]) -> bool {
    let mql = LifecycleStage::MarketingQualified.rank();
    consequences.iter().any(|c| matches!(c, Consequence::StageChanged { to, .. } if to.rank() >= mql))
}

/// Routing within one step: the settings and members read once (when a lead first needs
/// them), and each assignment counted at once, so that a step's leads take turns.
#[derive(Default)]
struct Router {
    loaded: Option<(Routing, Vec<Member>)>,
}

impl Router {
    async fn route(
        &mut self,
        store: &dyn Store,
        facts: &ContactFacts,
        now: Millis,
    ) -> Result<Option<Consequence>, StoreError> {
        if self.loaded.is_none() {
            self.loaded = Some((crate::routing::settings(store).await?, store.routing_members().await?));
        }
        let Some((routing, members)) = self.loaded.as_mut() else { return Ok(None) };
        let Some(a) = route(&facts.routing_lead(), routing, members, now) else { return Ok(None) };
        // As the store will count it: one more lead held, one more turn taken.
        if let Some(m) = members.iter_mut().find(|m| m.user_id == a.user_id) {
            m.open += 1;
            m.assigned += 1;
        }
        Ok(Some(Consequence::Assigned { user_id: a.user_id, reason: a.reason }))
    }
}
