//! Customer health: how a customer stands after they bought, read from the `health` score
//! model (use of the product, support tickets, purchases, talks with the team), and what it
//! says to do: look after the customers at risk, offer more to the healthy ones.
//!
//! The model is an ordinary score model (`score::default_models` ships it; it is edited with
//! the others), so its rules, decay, caps and explanation are the scoring engine's. What this
//! module adds is the reading: its lowest category is "at risk", its highest "healthy", and a
//! healthy customer with no open upsell or renewal deal is an upsell candidate.

use crate::lifecycle::LifecycleStage;
use crate::score::Model;

/// The key of the health model.
pub const MODEL: &str = "health";

/// The lifecycle stages of a customer: the people health is read for, and whom upsell and
/// renewal deals belong to.
pub const CUSTOMER_STAGES: [LifecycleStage; 2] = [LifecycleStage::Customer, LifecycleStage::Evangelist];

/// Whether a contact at `stage` is a customer.
pub fn is_customer(stage: Option<&str>) -> bool {
    CUSTOMER_STAGES.iter().any(|s| Some(s.as_str()) == stage)
}

/// What a customer's health says to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    /// In the model's lowest category: someone should talk to them before they leave.
    AtRisk,
    /// In the model's highest category, with no open upsell or renewal deal: ready for more.
    UpsellCandidate,
    /// Healthy and already on an open upsell or renewal deal: someone is on it.
    Expanding,
    /// In between, or not scored yet.
    Steady,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::AtRisk => "at_risk",
            Flag::UpsellCandidate => "upsell_candidate",
            Flag::Expanding => "expanding",
            Flag::Steady => "steady",
        }
    }
}

/// The score bands a health model's thresholds make: a customer scoring below `at_risk_below`
/// is at risk, one scoring `healthy_from` or more is healthy. A model of one category flags
/// nobody.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    pub at_risk_below: f64,
    pub healthy_from: f64,
}

impl Bands {
    /// The bands of `model`'s thresholds (highest first, the last open below).
    pub fn of(model: &Model) -> Bands {
        let t = &model.thresholds;
        if t.len() < 2 {
            return Bands { at_risk_below: f64::NEG_INFINITY, healthy_from: f64::INFINITY };
        }
        Bands { at_risk_below: t[t.len() - 2].0, healthy_from: t[0].0 }
    }

    /// What a customer's score (`None`: not scored yet) says, given whether they are on an
    /// open upsell or renewal deal.
    pub fn flag(&self, score: Option<f64>, expanding: bool) -> Flag {
        match score {
            Some(s) if s < self.at_risk_below => Flag::AtRisk,
            Some(s) if s >= self.healthy_from && expanding => Flag::Expanding,
            Some(s) if s >= self.healthy_from => Flag::UpsellCandidate,
            _ => Flag::Steady,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::eval::plain::Plain;
    use crate::condition::eval::{Event, Value};
    use crate::Millis;

    const NOW: Millis = 1_800_000_000_000;
    const DAY: Millis = 24 * 3600 * 1000;

    fn model() -> Model {
        crate::score::default_models().into_iter().find(|m| m.key == MODEL).expect("a fresh install scores health")
    }

    fn event(kind: &str, days_ago: i64, props: &[(&str, &str)]) -> Event {
        Event {
            kind: kind.into(),
            at: NOW - days_ago * DAY,
            fields: props.iter().map(|(k, v)| ((*k).into(), Value::Text((*v).into()))).collect(),
        }
    }

    fn customer(events: Vec<Event>) -> Plain {
        Plain { values: vec![("lifecycle_stage", Value::Text("customer".into()))], events }
    }

    #[test]
    fn bands_follow_the_thresholds() {
        let m = model();
        let bands = Bands::of(&m);
        assert_eq!(bands, Bands { at_risk_below: 20.0, healthy_from: 50.0 });
        assert_eq!(bands.flag(Some(19.99), false), Flag::AtRisk);
        assert_eq!(bands.flag(Some(19.99), true), Flag::AtRisk, "a deal does not make a customer well");
        assert_eq!(bands.flag(Some(20.0), false), Flag::Steady);
        assert_eq!(bands.flag(Some(50.0), false), Flag::UpsellCandidate);
        assert_eq!(bands.flag(Some(50.0), true), Flag::Expanding);
        assert_eq!(bands.flag(None, false), Flag::Steady, "not scored yet is not at risk");
        let one = Model { thresholds: vec![(f64::NEG_INFINITY, "all".into())], ..m };
        assert_eq!(Bands::of(&one).flag(Some(-100.0), false), Flag::Steady);
        assert_eq!(Bands::of(&one).flag(Some(1e6), false), Flag::Steady);
    }

    #[test]
    fn use_purchases_and_support_make_health() {
        let m = model();
        let bands = Bands::of(&m);
        // Active every other day for a month, two key features, a purchase this week.
        let mut thriving: Vec<Event> =
            (0..15).map(|d| event("product_event", d * 2, &[("name", "active_day")])).collect();
        thriving.extend((0..2).map(|d| event("product_event", d, &[("name", "feature_used")])));
        thriving.push(event("purchase", 3, &[]));
        let s = m.score(&customer(thriving), NOW);
        assert!(s.score >= 50.0, "{s:?}");
        assert_eq!((s.category.as_deref(), bands.flag(Some(s.score), false)), (Some("healthy"), Flag::UpsellCandidate));

        // Bought once long ago, nothing in the product for two months, three tickets, one urgent.
        let slipping = vec![
            event("purchase", 300, &[]),
            event("product_event", 60, &[("name", "active_day")]),
            event("support_ticket", 2, &[("priority", "urgent")]),
            event("support_ticket", 10, &[]),
            event("support_ticket", 20, &[]),
        ];
        let s = m.score(&customer(slipping), NOW);
        assert!(s.score < 0.0, "{s:?}");
        assert_eq!((s.category.as_deref(), bands.flag(Some(s.score), false)), (Some("at risk"), Flag::AtRisk));
        let quiet = s.contributions.iter().find(|c| m.rules[c.rule].name == "Quiet in the product");
        assert!(quiet.is_some(), "the explanation names the silence: {s:?}");

        // The same customer using the product again this month is no longer quiet.
        let mut back = vec![event("purchase", 300, &[])];
        back.extend((0..10).map(|d| event("product_event", d, &[("name", "active_day")])));
        let s = m.score(&customer(back), NOW);
        assert!(s.contributions.iter().all(|c| m.rules[c.rule].name != "Quiet in the product"), "{s:?}");
        assert_eq!(bands.flag(Some(s.score), false), Flag::Steady, "{s:?}");
    }

    #[test]
    fn customers_are_the_customer_stages() {
        assert!(is_customer(Some("customer")) && is_customer(Some("evangelist")));
        assert!(!is_customer(Some("opportunity")) && !is_customer(None));
    }
}
