//! Routing as the server keeps and shows it: the settings read from the store (the shipped
//! ones until someone sets their own), their JSON, and work queues assembled from the store's
//! open leads in core's order, each with the reason it is there and its SLA.

use leadline_core::routing::{queue_order, sla_breached, QueueItem, Routing, Rule};
use leadline_core::score::{priority, Model};
use leadline_core::Millis;
use leadline_store::{QueueEntry, Store, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An assignment rule as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleDto {
    /// The owner of the contact's company, unless away.
    AccountOwner,
    /// Contacts in these countries go to the team's round robin.
    Territory { countries: Vec<String>, team: String },
    /// Contacts that reach this rule go to the team's round robin.
    RoundRobin { team: String },
}

impl From<RuleDto> for Rule {
    fn from(r: RuleDto) -> Self {
        match r {
            RuleDto::AccountOwner => Rule::AccountOwner,
            RuleDto::Territory { countries, team } => Rule::Territory {
                countries: countries.into_iter().map(|c| c.trim().to_ascii_uppercase()).collect(),
                team,
            },
            RuleDto::RoundRobin { team } => Rule::RoundRobin { team },
        }
    }
}

impl From<&Rule> for RuleDto {
    fn from(r: &Rule) -> Self {
        match r {
            Rule::AccountOwner => RuleDto::AccountOwner,
            Rule::Territory { countries, team } => {
                RuleDto::Territory { countries: countries.clone(), team: team.clone() }
            }
            Rule::RoundRobin { team } => RuleDto::RoundRobin { team: team.clone() },
        }
    }
}

/// Routing's settings as the store keeps them, or the shipped ones.
pub async fn settings(store: &dyn Store) -> StoreResult<Routing> {
    match store.routing_settings().await? {
        None => Ok(Routing::default()),
        Some((rules, sla_minutes)) => {
            let rules: Vec<RuleDto> =
                serde_json::from_str(&rules).map_err(|e| StoreError::Corrupt(format!("routing rules: {e}")))?;
            Ok(Routing { rules: rules.into_iter().map(Rule::from).collect(), sla_minutes })
        }
    }
}

/// Keep routing's settings, checked.
pub async fn set_settings(store: &dyn Store, routing: &Routing, now: Millis) -> crate::error::ApiResult<()> {
    routing.check()?;
    let rules: Vec<RuleDto> = routing.rules.iter().map(RuleDto::from).collect();
    let json = serde_json::to_string(&rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    store.set_routing_settings(&json, routing.sla_minutes, now).await?;
    Ok(())
}

/// A lead in a work queue, with what its place is made of.
pub struct Queued {
    pub entry: QueueEntry,
    /// `A1` ... `D4`, when the contact has both categories.
    pub priority: Option<String>,
    /// When the first touch is (or was) due; `None` for a lead no rule assigned.
    pub sla_due: Option<Millis>,
    pub sla_breached: bool,
}

/// The most leads a queue reads before ordering them.
pub const QUEUE_READ: u32 = 1_000;

/// The work queue of these owners (and the unowned leads, when `unowned`), in core's order
/// (the priority matrix of `models`' fit and engagement categories first).
pub async fn queue(
    store: &dyn Store,
    models: &[Model],
    owners: &[String],
    unowned: bool,
    now: Millis,
) -> StoreResult<Vec<Queued>> {
    let routing = settings(store).await?;
    let model = |key: &str| models.iter().find(|m| m.key == key);
    let mut items: Vec<(QueueItem, Queued)> = store
        .work_queue(owners, unowned, QUEUE_READ)
        .await?
        .into_iter()
        .map(|entry| {
            let score = |key: &str| entry.contact.scores.iter().find(|(k, _, _)| k == key);
            let category = |key: &str| score(key).and_then(|(_, _, c)| c.clone());
            let (fit, engagement) = (category("fit"), category("engagement"));
            let rank = match (model("fit"), model("engagement")) {
                (Some(f), Some(e)) => priority(f, fit.as_deref(), e, engagement.as_deref()),
                _ => usize::MAX,
            };
            let assignment = entry.assignment.as_ref();
            let sla_due = assignment.map(|a| a.assigned_at + Millis::from(routing.sla_minutes) * 60_000);
            let sla_breached =
                assignment.is_some_and(|a| sla_breached(a.assigned_at, a.first_touch, routing.sla_minutes, now));
            let item = QueueItem {
                priority: rank,
                engagement: score("engagement").map_or(0.0, |(_, s, _)| *s),
                last_intent: entry.last_intent,
                // Due while untouched: a touched lead's deadline no longer orders it.
                sla_due: sla_due.filter(|_| assignment.is_some_and(|a| a.first_touch.is_none())),
            };
            let label = leadline_core::score::matrix_label(fit.as_deref(), engagement.as_deref());
            (item, Queued { entry, priority: label, sla_due, sla_breached })
        })
        .collect();
    items.sort_by(|a, b| queue_order(&a.0, &b.0));
    Ok(items.into_iter().map(|(_, q)| q).collect())
}
