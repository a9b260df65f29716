//! The engine's rules (score models and lifecycle rules) as the server keeps and shows them:
//! their JSON, read and checked into core's `Rules`; the version that applies now, cached
//! until a newer one is saved (by this server or another); and what a proposed change would
//! do to a sample of contacts before it is applied (`preview`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use leadline_core::condition::{self, Expr};
use leadline_core::engine::{check_lifecycle, decide, default_lifecycle, LifecycleRule, Rules, State};
use leadline_core::lifecycle::LifecycleStage;
use leadline_core::record::ObjectKind;
use leadline_core::score::{check_models, default_models, Model, Rule, Trigger};
use leadline_core::Millis;
use leadline_store::{Contacts, Store, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::scores::ContactFacts;

const DAY: Millis = 24 * 3600 * 1000;

/// A score rule: `when` a condition holds (points once), or for `each` activity of a type
/// (optionally only those meeting `where`) within `window_days`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRuleDto {
    pub name: String,
    /// A contact condition, e.g. `job_title contains "director"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// An activity type, e.g. `page_view`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// With `each`: a condition on the activity's properties, e.g. `url contains "/pricing"`.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// With `each`: how far back activities count (required; at most 3650).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<u32>,
    /// Points per occurrence (negative allowed).
    pub points: f64,
    /// The most this rule adds in all.
    #[serde(default)]
    pub cap: Option<f64>,
    /// Behaviour points halve every this many days.
    #[serde(default)]
    pub half_life_days: Option<u32>,
}

/// A category and the lowest score in it (null: every score below the others).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDto {
    pub category: String,
    pub min: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelDto {
    /// Lower-case letters, digits and `_`: what conditions and list filters call it (`fit`).
    pub key: String,
    pub rules: Vec<ScoreRuleDto>,
    /// Highest first.
    pub thresholds: Vec<ThresholdDto>,
}

/// While `condition` holds, a contact earlier in the funnel moves to `stage`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRuleDto {
    pub stage: String,
    pub condition: String,
}

/// The rules as they are kept: what `PUT /api/v1/rules` takes (with an optional `note`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    pub models: Vec<ModelDto>,
    pub lifecycle: Vec<LifecycleRuleDto>,
    /// Why this version was made (kept with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RulesBody {
    /// The rules written the way they are kept and shown.
    pub fn of(rules: &Rules) -> Self {
        Self {
            models: rules.models.iter().map(model_dto).collect(),
            lifecycle: rules
                .lifecycle
                .iter()
                .map(|r| LifecycleRuleDto { stage: r.to.as_str().into(), condition: r.condition.to_text() })
                .collect(),
            note: None,
        }
    }
}

fn model_dto(m: &Model) -> ModelDto {
    let days = |ms: Millis| u32::try_from(ms / DAY).unwrap_or(u32::MAX);
    ModelDto {
        key: m.key.clone(),
        rules: m
            .rules
            .iter()
            .map(|r| {
                let (when, each, filter, window_days) = match &r.trigger {
                    Trigger::When(c) => (Some(c.to_text()), None, None, None),
                    Trigger::Each { kind, filter, window } => {
                        (None, Some(kind.clone()), filter.as_ref().map(Expr::to_text), window.map(days))
                    }
                };
                ScoreRuleDto {
                    name: r.name.clone(),
                    when,
                    each,
                    filter,
                    window_days,
                    points: r.points,
                    cap: r.cap,
                    half_life_days: r.half_life.map(days),
                }
            })
            .collect(),
        thresholds: m
            .thresholds
            .iter()
            .map(|(min, category)| ThresholdDto { category: category.clone(), min: min.is_finite().then_some(*min) })
            .collect(),
    }
}

/// How a condition in the rules is held to the store's schema: contact conditions are checked
/// against its custom properties and the rule set's own models; kept rules are only parsed
/// (they were checked when saved).
pub enum Check<'a> {
    Against { properties: &'a [&'a str], company_properties: &'a [&'a str] },
    ParseOnly,
}

fn condition_at(field: &str, text: &str, check: &Check, scores: &[&str]) -> ApiResult<Expr> {
    if text.len() > condition::MAX_TEXT {
        let max = condition::MAX_TEXT;
        return Err(ApiError::invalid(field, "too_long", format!("a condition is at most {max} bytes")));
    }
    let expr = condition::parse(text).map_err(|e| {
        let message = format!("at {}: expected {}, found {}", e.position, e.expected, e.found);
        ApiError::invalid(field, "invalid_condition", message)
    })?;
    if let Check::Against { properties, company_properties } = check {
        let schema =
            condition::check::Schema { object: Some(ObjectKind::Contact), properties, company_properties, scores };
        if let Some(p) = condition::check::check(&expr, &schema).into_iter().next() {
            let message = format!("at {}: {}", p.span.start, p.message);
            return Err(ApiError::invalid(field, "invalid_condition", message));
        }
    }
    Ok(expr)
}

/// Read the rules' JSON into what the engine applies, or the 422 that names the first problem
/// and where it is (`models[0].rules[2].when`).
pub fn read(body: &RulesBody, check: &Check) -> ApiResult<Rules> {
    let keys: Vec<&str> = body.models.iter().map(|m| m.key.as_str()).collect();
    let mut models = Vec::with_capacity(body.models.len());
    for (i, m) in body.models.iter().enumerate() {
        let mut rules = Vec::with_capacity(m.rules.len());
        for (j, r) in m.rules.iter().enumerate() {
            let at = format!("models[{i}].rules[{j}]");
            let trigger = match (&r.when, &r.each) {
                (Some(when), None) if r.filter.is_none() && r.window_days.is_none() => {
                    Trigger::When(condition_at(&format!("{at}.when"), when, check, &keys)?)
                }
                (None, Some(kind)) => Trigger::Each {
                    kind: kind.trim().to_owned(),
                    // A filter reads the activity's own properties: any name is one.
                    filter: match &r.filter {
                        Some(f) => Some(condition_at(&format!("{at}.where"), f, &Check::ParseOnly, &keys)?),
                        None => None,
                    },
                    window: r.window_days.map(|d| i64::from(d) * DAY),
                },
                _ => {
                    let message = "a rule has either `when` (a condition) or `each` (an activity type, with \
                                   `where` and `window_days`)";
                    return Err(ApiError::invalid(&at, "invalid_rule", message));
                }
            };
            rules.push(Rule {
                name: r.name.trim().to_owned(),
                trigger,
                points: r.points,
                cap: r.cap,
                half_life: r.half_life_days.map(|d| i64::from(d) * DAY),
            });
        }
        let thresholds =
            m.thresholds.iter().map(|t| (t.min.unwrap_or(f64::NEG_INFINITY), t.category.trim().to_owned())).collect();
        models.push(Model { key: m.key.clone(), rules, thresholds });
    }
    check_models(&models)?;
    let stages = body
        .lifecycle
        .iter()
        .enumerate()
        .map(|(i, r)| {
            LifecycleStage::parse(&r.stage).ok_or_else(|| {
                let message = format!("{:?} is not a lifecycle stage", r.stage);
                ApiError::invalid(&format!("lifecycle[{i}].stage"), "invalid_stage", message)
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    check_lifecycle(&stages)?;
    let mut lifecycle = Vec::with_capacity(stages.len());
    for (i, (to, r)) in stages.into_iter().zip(&body.lifecycle).enumerate() {
        let condition = condition_at(&format!("lifecycle[{i}].condition"), &r.condition, check, &keys)?;
        lifecycle.push(LifecycleRule { to, condition });
    }
    Ok(Rules { models, lifecycle, segments: Vec::new() })
}

/// Read and check proposed rules against this store's custom properties.
pub async fn read_checked(store: &dyn Store, body: &RulesBody) -> ApiResult<Rules> {
    let defs = store.properties(None).await?;
    let names = |o: ObjectKind| defs.iter().filter(|d| d.object == o).map(|d| d.name.as_str()).collect::<Vec<_>>();
    let (properties, company_properties) = (names(ObjectKind::Contact), names(ObjectKind::Company));
    read(body, &Check::Against { properties: &properties, company_properties: &company_properties })
}

/// The rules a fresh install ships.
pub fn shipped() -> Rules {
    // The shipped lifecycle rules are parsed by core's tests; none is ever left out.
    Rules { models: default_models(), lifecycle: default_lifecycle().unwrap_or_default(), segments: Vec::new() }
}

/// The rules that apply now: the newest kept version (`None`: the shipped rules).
pub struct Current {
    pub version: Option<i64>,
    pub rules: Rules,
}

impl Current {
    /// The score models' keys, as conditions name them.
    pub fn model_keys(&self) -> Vec<&str> {
        self.rules.models.iter().map(|m| m.key.as_str()).collect()
    }

    pub fn model(&self, key: &str) -> Option<&Model> {
        self.rules.models.iter().find(|m| m.key == key)
    }
}

/// The current rules, read again only when a newer version has been saved.
#[derive(Default)]
pub struct RuleCache(Mutex<Option<Arc<Current>>>);

impl RuleCache {
    pub async fn get(&self, store: &dyn Store) -> StoreResult<Arc<Current>> {
        let version = store.rules_version().await?;
        if let Some(current) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if current.version == version {
                return Ok(current.clone());
            }
        }
        let rules = match version {
            None => shipped(),
            Some(v) => {
                let body = body_of(&store.rule_version(v).await?)?;
                read(&body, &Check::ParseOnly)
                    .map_err(|e| StoreError::Corrupt(format!("rule version {v}: {}", e.message)))?
            }
        };
        let current = Arc::new(Current { version, rules });
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(current.clone());
        Ok(current)
    }
}

/// The most contacts a preview decides.
pub const MAX_SAMPLE: u32 = 20_000;

/// What proposed rules would change, decided for a sample of contacts now under the current
/// rules and under the proposed ones.
#[derive(Debug, Default)]
pub struct Preview {
    /// Contacts decided.
    pub sample: u64,
    /// model -> (from category, to category) -> contacts.
    pub categories: BTreeMap<String, BTreeMap<(String, String), u64>>,
    /// model -> contacts whose score differs.
    pub scores_changed: BTreeMap<String, u64>,
    /// (from stage, to stage) -> contacts the proposed rules move elsewhere than the current.
    pub stages: BTreeMap<(String, String), u64>,
    /// segment id -> (entering, leaving).
    pub segments: BTreeMap<String, (u64, u64)>,
    /// Contacts whose scores move most: (contact id, model, from, to), largest change first.
    pub movers: Vec<(String, String, f64, f64)>,
}

/// Decide the first `sample` contacts (in id order: the same sample each time, so that two
/// previews compare) under `current` and under `proposed`, as of `now`, and count how they
/// differ: categories, stages, segment membership (the segments as they are now), and the
/// ten contacts whose scores move most.
pub async fn preview(
    store: &dyn Store,
    current: &Rules,
    proposed: &Rules,
    sample: u32,
    now: Millis,
) -> StoreResult<Preview> {
    let mut out = Preview::default();
    let mut after = String::new();
    let mut left = sample.min(MAX_SAMPLE);
    let kinds: Vec<String> = {
        let mut k: Vec<String> = kinds_read(current).into_iter().chain(kinds_read(proposed)).collect();
        k.sort();
        k.dedup();
        k
    };
    let mut movers: Vec<(f64, String, String, f64, f64)> = Vec::new();
    while left > 0 {
        let want = left.min(1_000);
        let page = ContactFacts::load_many(store, Contacts::After(&after, want), now, Some(&kinds)).await?;
        let Some(last) = page.last() else { break };
        after = last.id().to_owned();
        left = left.saturating_sub(page.len() as u32);
        let ids: Vec<String> = page.iter().map(|f| f.id().to_owned()).collect();
        let states = store.contact_states(&ids).await?;
        for facts in &page {
            let before = states.get(facts.id()).cloned().unwrap_or_default();
            let (a, _) = decide(&before, facts, current, now);
            let (b, _) = decide(&before, facts, proposed, now);
            out.sample += 1;
            let held = facts.record().text("lifecycle_stage").and_then(LifecycleStage::parse);
            compare(facts.id(), held, &a, &b, &mut out, &mut movers);
        }
        if page.len() < want as usize {
            break;
        }
    }
    movers.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    out.movers = movers.into_iter().take(10).map(|(_, id, model, from, to)| (id, model, from, to)).collect();
    Ok(out)
}

fn kinds_read(rules: &Rules) -> Vec<String> {
    let mut kinds: Vec<String> = rules.lifecycle.iter().flat_map(|r| r.condition.behaviour_kinds()).collect();
    kinds.extend(rules.segments.iter().flat_map(|s| s.condition.behaviour_kinds()));
    for m in &rules.models {
        for r in &m.rules {
            match &r.trigger {
                Trigger::When(c) => kinds.extend(c.behaviour_kinds()),
                Trigger::Each { kind, .. } => kinds.push(kind.clone()),
            }
        }
    }
    kinds
}

/// Count how `b` (the proposed rules' decision) differs from `a` (the current rules'); `held`
/// is the stage the record holds, where neither moves it.
fn compare(
    id: &str,
    held: Option<LifecycleStage>,
    a: &State,
    b: &State,
    out: &mut Preview,
    movers: &mut Vec<(f64, String, String, f64, f64)>,
) {
    let by_model = |s: &State| -> HashMap<String, (f64, Option<String>)> {
        s.scores.iter().map(|(m, score, c)| (m.clone(), (*score, c.clone()))).collect()
    };
    let (was, will) = (by_model(a), by_model(b));
    let mut models: Vec<&String> = was.keys().chain(will.keys()).collect();
    models.sort();
    models.dedup();
    let none = "-".to_owned();
    for model in models {
        let (from, to) = (was.get(model), will.get(model));
        let score = |x: Option<&(f64, Option<String>)>| x.map_or(0.0, |(s, _)| *s);
        let category =
            |x: Option<&(f64, Option<String>)>| x.and_then(|(_, c)| c.clone()).unwrap_or_else(|| none.clone());
        if score(from) != score(to) {
            *out.scores_changed.entry(model.clone()).or_default() += 1;
            movers.push(((score(to) - score(from)).abs(), id.to_owned(), model.clone(), score(from), score(to)));
        }
        if category(from) != category(to) {
            *out.categories.entry(model.clone()).or_default().entry((category(from), category(to))).or_default() += 1;
        }
    }
    if a.stage != b.stage {
        let stage = |s: Option<LifecycleStage>| s.map_or_else(|| none.clone(), |s| s.as_str().to_owned());
        *out.stages.entry((stage(a.stage.or(held)), stage(b.stage.or(held)))).or_default() += 1;
    }
    for k in b.segments.difference(&a.segments) {
        out.segments.entry(k.clone()).or_default().0 += 1;
    }
    for k in a.segments.difference(&b.segments) {
        out.segments.entry(k.clone()).or_default().1 += 1;
    }
}

/// Keep `rules` as the newest version and have the engine decide every contact again under
/// them. Returns the version and the job that follows the engine's progress through the
/// contacts (it ends when every contact has been decided again).
pub async fn apply(
    s: &crate::AppState,
    rules: &Rules,
    note: Option<&str>,
    user_id: &str,
) -> ApiResult<(leadline_store::RuleVersion, leadline_store::Job)> {
    let body = serde_json::to_string(&RulesBody::of(rules)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(ApiError::invalid("note", "too_long", "a note is at most 500 characters"));
    }
    let now = crate::now();
    let kept = s.store.save_rules(&body, note, Some(user_id), crate::engine::NAME, now).await?;
    s.engine_wake.notify_one();
    let params = serde_json::json!({ "version": kept.version });
    let job = s.store.create_job(APPLY_JOB, &params, Some(user_id), now).await?;
    tokio::spawn(follow(s.store.clone(), job.id.clone()));
    Ok((kept, job))
}

/// A kept version, by its number as typed (one that is no number is no version).
pub async fn kept(store: &dyn Store, raw: &str) -> ApiResult<(leadline_store::RuleVersion, RulesBody)> {
    let number = raw.trim().parse().map_err(|_| ApiError::not_found("rule version", raw))?;
    let v = store.rule_version(number).await?;
    let body = body_of(&v)?;
    Ok((v, body))
}

/// A kept version's rules as they were saved.
fn body_of(v: &leadline_store::RuleVersion) -> StoreResult<RulesBody> {
    serde_json::from_str(&v.body).map_err(|e| StoreError::Corrupt(format!("rule version {}: {e}", v.version)))
}

/// Apply kept version `raw` again, as the next version (checked against today's custom
/// properties): the version kept, its job, and the rules.
pub async fn restore(
    s: &crate::AppState,
    raw: &str,
    note: &str,
    user_id: &str,
) -> ApiResult<(leadline_store::RuleVersion, leadline_store::Job, Rules)> {
    let (_, body) = kept(s.store.as_ref(), raw).await?;
    let rules = read_checked(s.store.as_ref(), &body).await?;
    let (version, job) = apply(s, &rules, Some(note), user_id).await?;
    Ok((version, job, rules))
}

/// The kind of the job that follows an apply.
pub const APPLY_JOB: &str = "apply_rules";

/// Report the engine's rescan as the job's progress until it is done. The job does no work of
/// its own (the engine, on whichever server holds its lease, decides the contacts), so it does
/// not wait for the one-at-a-time turn of the jobs that write.
async fn follow(store: Arc<dyn Store>, job_id: String) {
    use leadline_store::{JobCounts, JobStatus};
    loop {
        let now = crate::now();
        let step = match store.rescan_progress(crate::engine::NAME).await {
            Ok(Some((processed, total))) => store
                .job_progress(&job_id, JobStatus::Running, JobCounts { total, processed, ..JobCounts::default() }, now)
                .await
                .map(|_| false),
            Ok(None) => match store.count(ObjectKind::Contact, &[], None).await {
                Ok(total) => {
                    let counts = JobCounts { total, processed: total, ..JobCounts::default() };
                    store.finish_job(&job_id, JobStatus::Done, counts, None, now).await.map(|_| true)
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match step {
            Ok(true) => return,
            Ok(false) => {}
            Err(e) => tracing::warn!(job = %job_id, error = %e, "could not follow the rules' apply"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
