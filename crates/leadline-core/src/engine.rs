//! What an event means for one contact, decided from its facts: its scores, its lifecycle
//! stage and its segments, as the consequences to record (`score_changed`, `stage_changed`,
//! `segment_entered`, `segment_left`). Pure: the engine that consumes the activity log and
//! writes these lives in the store and server; here is what it decides, so it can be tested
//! against a reference over random histories.
//!
//! Order: scores first, then the lifecycle (its rules read scores), then segments (they read
//! both). Lifecycle rules only move a contact forward; a move back is a person's explicit act.

use std::collections::BTreeSet;

use crate::condition::eval::{eval, Event, Facts, Value};
use crate::condition::{parse, Expr, ParseError};
use crate::error::{FieldError, Invalid};
use crate::lifecycle::LifecycleStage;
use crate::score::Model;
use crate::Millis;

/// A lifecycle rule: while `condition` holds, a contact earlier in the funnel moves to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleRule {
    pub to: LifecycleStage,
    pub condition: Expr,
}

/// A dynamic segment: the contacts that meet its condition now.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub key: String,
    pub condition: Expr,
}

/// Everything the engine applies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    pub models: Vec<Model>,
    pub lifecycle: Vec<LifecycleRule>,
    pub segments: Vec<Segment>,
}

/// What the engine last decided for a contact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// model key -> (score, category).
    pub scores: Vec<(String, f64, Option<String>)>,
    pub stage: Option<LifecycleStage>,
    pub segments: BTreeSet<String>,
}

/// A consequence to record and publish.
#[derive(Debug, Clone, PartialEq)]
pub enum Consequence {
    ScoreChanged {
        model: String,
        from: Option<f64>,
        to: f64,
        /// The category it was in, and the one it is in now.
        was: Option<String>,
        category: Option<String>,
    },
    StageChanged {
        from: Option<LifecycleStage>,
        to: LifecycleStage,
        rule: usize,
    },
    SegmentEntered(String),
    SegmentLeft(String),
    /// Routing gave the lead to a user (added by the engine that routes, from
    /// `routing::route`): the contact's owner, and the assignment with its reason.
    Assigned {
        user_id: String,
        reason: String,
    },
}

impl State {
    pub fn score(&self, model: &str) -> Option<f64> {
        self.scores.iter().find(|(m, _, _)| m == model).map(|(_, s, _)| *s)
    }

    pub fn category(&self, model: &str) -> Option<&str> {
        self.scores.iter().find(|(m, _, _)| m == model).and_then(|(_, _, c)| c.as_deref())
    }

    /// The state after `consequences`, applied in order.
    pub fn apply(&self, consequences: &[Consequence]) -> State {
        let mut next = self.clone();
        for c in consequences {
            match c {
                Consequence::ScoreChanged { model, to, category, .. } => {
                    next.scores.retain(|(m, _, _)| m != model);
                    next.scores.push((model.clone(), *to, category.clone()));
                    next.scores.sort_by(|a, b| a.0.cmp(&b.0));
                }
                Consequence::StageChanged { to, .. } => next.stage = Some(*to),
                Consequence::SegmentEntered(k) => {
                    next.segments.insert(k.clone());
                }
                Consequence::SegmentLeft(k) => {
                    next.segments.remove(k);
                }
                // The owner is the record's; the state does not keep it.
                Consequence::Assigned { .. } => {}
            }
        }
        next
    }
}

/// The contact's facts with what the engine has decided so far laid over them: scores by
/// model key, the stage, and segment membership.
struct Decided<'a> {
    facts: &'a dyn Facts,
    scores: &'a [(String, f64, Option<String>)],
    stage: Option<LifecycleStage>,
    segments: &'a BTreeSet<String>,
}

impl Facts for Decided<'_> {
    fn value(&self, path: &[String]) -> Value {
        match path {
            [one] if one == "lifecycle_stage" => {
                self.stage.map_or_else(|| self.facts.value(path), |s| Value::Text(s.as_str().into()))
            }
            [one] if one == "segment" => Value::List(self.segments.iter().cloned().collect()),
            [one] => match self.scores.iter().find(|(m, _, _)| m == one) {
                Some((_, score, _)) => Value::Number(*score),
                None => self.facts.value(path),
            },
            [model, category] if category == "category" => self
                .scores
                .iter()
                .find(|(m, _, _)| m == model)
                .map_or(Value::Null, |(_, _, c)| c.clone().map_or(Value::Null, Value::Text)),
            _ => self.facts.value(path),
        }
    }

    fn events(&self, kind: &str) -> Vec<&Event> {
        self.facts.events(kind)
    }
}

/// Decide a contact's state now, and the consequences that lead there from `before`.
pub fn decide(before: &State, facts: &dyn Facts, rules: &Rules, now: Millis) -> (State, Vec<Consequence>) {
    let mut out = Vec::new();
    let mut scores: Vec<(String, f64, Option<String>)> = rules
        .models
        .iter()
        .map(|m| {
            let s = m.score(facts, now);
            (m.key.clone(), s.score, s.category)
        })
        .collect();
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    for (model, to, category) in &scores {
        let from = before.score(model);
        if from != Some(*to) {
            let was = before.category(model).map(str::to_owned);
            out.push(Consequence::ScoreChanged {
                model: model.clone(),
                from,
                to: *to,
                was,
                category: category.clone(),
            });
        }
    }
    // The stage as stored (the record's field) unless the engine moved it already.
    let current = before.stage.or_else(|| match facts.value(&["lifecycle_stage".to_owned()]) {
        Value::Text(t) => LifecycleStage::parse(&t),
        _ => None,
    });
    let empty = BTreeSet::new();
    let view = Decided { facts, scores: &scores, stage: current, segments: &empty };
    // The furthest stage a holding rule names, if it is ahead of where the contact is.
    let target = rules
        .lifecycle
        .iter()
        .enumerate()
        .filter(|(_, r)| match (current, r.to.rank()) {
            (None, Some(_)) => true,
            (Some(at), Some(to)) => at.rank().is_some_and(|at| to > at),
            _ => false,
        })
        .filter(|(_, r)| eval(&r.condition, &view, now))
        .max_by_key(|(_, r)| r.to.rank());
    let moved = target.map(|(rule, r)| {
        out.push(Consequence::StageChanged { from: current, to: r.to, rule });
        r.to
    });
    let view = Decided { facts, scores: &scores, stage: moved.or(current), segments: &empty };
    let segments: BTreeSet<String> =
        rules.segments.iter().filter(|s| eval(&s.condition, &view, now)).map(|s| s.key.clone()).collect();
    out.extend(segments.difference(&before.segments).map(|k| Consequence::SegmentEntered(k.clone())));
    out.extend(before.segments.difference(&segments).map(|k| Consequence::SegmentLeft(k.clone())));
    // The state keeps a stage the engine set; one the record holds is read from it each time.
    (State { scores, stage: moved.or(before.stage), segments }, out)
}

/// The most lifecycle rules a rule set holds.
pub const MAX_LIFECYCLE_RULES: usize = 50;

/// Hold lifecycle rules (the stages they move to, in order) to what the engine can apply: a
/// bounded list, each moving to a stage of the funnel (`other` is set by people, never by a
/// rule).
pub fn check_lifecycle(stages: &[LifecycleStage]) -> Invalid<()> {
    if stages.len() > MAX_LIFECYCLE_RULES {
        let message = format!("at most {MAX_LIFECYCLE_RULES} lifecycle rules; there are {}", stages.len());
        return Err(FieldError::new("lifecycle", "too_many", message));
    }
    match stages.iter().position(|s| s.rank().is_none()) {
        Some(i) => Err(FieldError::new(
            format!("lifecycle[{i}].stage"),
            "invalid_stage",
            "a rule moves contacts to a stage of the funnel, subscriber to evangelist",
        )),
        None => Ok(()),
    }
}

/// The lifecycle rules a fresh install ships: a form makes a subscriber a lead; fit B and
/// engagement 2 together make an MQL; a rep qualifying the lead makes it an SQL; an open deal an
/// opportunity; a won deal a customer; a promoter or a referral an evangelist.
pub fn default_lifecycle() -> Result<Vec<LifecycleRule>, ParseError> {
    use LifecycleStage as S;
    [
        (S::Lead, "exists(form_submission, last 3650 days)"),
        (S::MarketingQualified, "fit >= 40 and engagement >= 30"),
        (S::SalesQualified, "lead_status = \"qualified\""),
        (S::Opportunity, "open_deals > 0"),
        (S::Customer, "won_deals > 0"),
        (S::Evangelist, "won_deals > 0 and (tag = \"promoter\" or tag = \"referrer\")"),
    ]
    .into_iter()
    .map(|(to, text)| Ok(LifecycleRule { to, condition: parse(text)? }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::eval::plain::Plain as Contact;
    use crate::score::default_models;
    use proptest::prelude::*;

    const NOW: Millis = 1_800_000_000_000;
    const DAY: Millis = 24 * 3600 * 1000;

    fn rules() -> Rules {
        Rules {
            models: default_models(),
            lifecycle: default_lifecycle().unwrap(),
            segments: vec![
                Segment { key: "hot".into(), condition: parse("engagement >= 30").unwrap() },
                Segment {
                    key: "mql-poland".into(),
                    condition: parse("lifecycle_stage = \"mql\" and country = \"PL\"").unwrap(),
                },
                Segment {
                    key: "pricing".into(),
                    condition: parse("count(page_view where url contains \"/pricing\", last 14 days) >= 2").unwrap(),
                },
            ],
        }
    }

    fn event(kind: &str, at: Millis, url: &str) -> Event {
        Event { kind: kind.into(), at, fields: vec![("url".into(), Value::Text(url.into()))] }
    }

    #[test]
    fn a_good_lead_becomes_an_mql_and_enters_its_segments_event_by_event() {
        let rules = rules();
        let mut c = Contact {
            values: vec![
                ("lifecycle_stage", Value::Text("subscriber".into())),
                ("job_title", Value::Text("Head of Operations".into())),
                ("company.employee_count", Value::Number(300.0)),
                ("country", Value::Text("PL".into())),
                ("email", Value::Text("ola@firma.pl".into())),
            ],
            ..Contact::default()
        };
        let (s0, c0) = decide(&State::default(), &c, &rules, NOW);
        assert!(!c0.iter().any(|c| matches!(c, Consequence::StageChanged { .. })), "{c0:?}");
        assert_eq!(s0.stage, None, "the record's own stage is read from it, not kept");
        assert!(c0.iter().any(|c| matches!(c, Consequence::ScoreChanged { model, .. } if model == "fit")));
        c.events.push(event("form_submission", NOW - 10, "/demo"));
        let (s1, c1) = decide(&s0, &c, &rules, NOW);
        assert_eq!(s1.stage, Some(LifecycleStage::Lead), "{c1:?}");
        c.events.push(event("page_view", NOW - 5, "/pricing"));
        c.events.push(event("page_view", NOW - 4, "/pricing"));
        let (s2, c2) = decide(&s1, &c, &rules, NOW);
        assert_eq!(s2.stage, Some(LifecycleStage::MarketingQualified), "{c2:?}");
        for k in ["hot", "mql-poland", "pricing"] {
            assert!(c2.contains(&Consequence::SegmentEntered(k.into())), "{k}: {c2:?}");
        }
        // A month later the pricing visits are out of the segment's window; the stage stays.
        let (s3, c3) = decide(&s2, &c, &rules, NOW + 30 * DAY);
        assert_eq!(s3.stage, Some(LifecycleStage::MarketingQualified));
        assert!(c3.contains(&Consequence::SegmentLeft("pricing".into())), "{c3:?}");
        assert_eq!(s2.apply(&c3), s3, "the consequences lead from one state to the next");
    }

    #[test]
    fn shipped_lifecycle_rules_read_only_what_contacts_have() {
        use crate::condition::check::{check, Schema};
        let schema = Schema {
            object: Some(crate::record::ObjectKind::Contact),
            scores: &["fit", "engagement", "product"],
            ..Schema::default()
        };
        for rule in default_lifecycle().unwrap() {
            assert_eq!(check(&rule.condition, &schema), vec![], "{:?}", rule.to);
        }
    }

    fn history() -> impl Strategy<Value = Vec<(u8, i64, bool)>> {
        prop::collection::vec((0u8..4, 0i64..60, any::<bool>()), 0..25)
    }

    fn to_event((kind, days_ago, pricing): (u8, i64, bool)) -> Event {
        let kind = ["page_view", "form_submission", "email_clicked", "chat_message"][kind as usize];
        event(kind, NOW - days_ago * DAY, if pricing { "/pricing" } else { "/blog" })
    }

    proptest! {
        /// Deciding event by event and deciding once over the whole history end in the same
        /// scores and segments; the stage event by event is at least as far (a stage is never
        /// taken back by the engine); and every step's consequences lead from its state to the
        /// next.
        #[test]
        fn event_by_event_agrees_with_all_at_once(h in history(), fit_title in any::<bool>()) {
            let rules = rules();
            let mut events: Vec<Event> = h.into_iter().map(to_event).collect();
            events.sort_by_key(|e| e.at);
            let values = vec![
                ("lifecycle_stage", Value::Text("subscriber".into())),
                ("job_title", Value::Text(if fit_title { "CEO" } else { "Intern" }.into())),
                ("company.employee_count", Value::Number(120.0)),
                ("country", Value::Text("PL".into())),
                ("email", Value::Text("x@firma.pl".into())),
            ];
            let mut state = State::default();
            for i in 0..=events.len() {
                let seen = Contact { values: values.clone(), events: events[..i].to_vec() };
                let (next, consequences) = decide(&state, &seen, &rules, NOW);
                prop_assert_eq!(&state.apply(&consequences), &next);
                if let (Some(a), Some(b)) = (state.stage.and_then(LifecycleStage::rank), next.stage.and_then(LifecycleStage::rank)) {
                    prop_assert!(b >= a, "never backward");
                }
                state = next;
            }
            let all = Contact { values, events };
            let (once, _) = decide(&State::default(), &all, &rules, NOW);
            prop_assert_eq!(&state.scores, &once.scores);
            prop_assert!(state.stage.and_then(LifecycleStage::rank) >= once.stage.and_then(LifecycleStage::rank));
            // Segment membership is the reference: each segment's condition over the final facts.
            let view = Decided { facts: &all, scores: &state.scores, stage: state.stage, segments: &BTreeSet::new() };
            for s in &rules.segments {
                prop_assert_eq!(state.segments.contains(&s.key), eval(&s.condition, &view, NOW), "{}", s.key);
            }
        }
    }
}
