//! Ready-made reports over histories: conversion between lifecycle stages and the time taken
//! (from the stage history), and retention of customers by the month of their first purchase.

use std::collections::BTreeMap;

use crate::lifecycle::LifecycleStage;
use crate::Millis;

const DAY: Millis = 86_400_000;

/// From one lifecycle stage to the next one on the way (a later one reached counts).
#[derive(Debug, Clone, PartialEq)]
pub struct StageStep {
    pub from: LifecycleStage,
    pub to: LifecycleStage,
    /// People who entered `from` in the period.
    pub entered: u64,
    /// Of them, people who reached `to` or further (at any time after).
    pub went_on: u64,
    /// Days from entering `from` to reaching `to` or further, over those who did.
    pub median_days: Option<f64>,
    pub average_days: Option<f64>,
}

/// The funnel's stages in order (without `other`).
pub const FUNNEL: [LifecycleStage; 7] = [
    LifecycleStage::Subscriber,
    LifecycleStage::Lead,
    LifecycleStage::MarketingQualified,
    LifecycleStage::SalesQualified,
    LifecycleStage::Opportunity,
    LifecycleStage::Customer,
    LifecycleStage::Evangelist,
];

/// Conversion between consecutive funnel stages for people who entered the earlier one in
/// `[from, to)`; each person given as the first time they reached each stage.
pub fn lifecycle_conversion(people: &[Vec<(LifecycleStage, Millis)>], from: Millis, to: Millis) -> Vec<StageStep> {
    let mut out = Vec::new();
    for pair in FUNNEL.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mut entered = 0;
        let mut days = Vec::new();
        for p in people {
            let Some(at) = p.iter().filter(|(s, _)| *s == a).map(|(_, t)| *t).min() else { continue };
            if at < from || at >= to {
                continue;
            }
            entered += 1;
            // The first time after entering `a` that they reached `b` or a later stage.
            let reached = p
                .iter()
                .filter(|(s, t)| s.rank().is_some_and(|r| Some(r) >= b.rank()) && *t >= at)
                .map(|(_, t)| *t)
                .min();
            if let Some(t) = reached {
                days.push((t - at) as f64 / DAY as f64);
            }
        }
        days.sort_by(f64::total_cmp);
        let went_on = days.len() as u64;
        out.push(StageStep {
            from: a,
            to: b,
            entered,
            went_on,
            median_days: (!days.is_empty()).then(|| days[(days.len() - 1) / 2]),
            average_days: (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64),
        });
    }
    out
}

/// The customers whose first purchase was in one month, and of them how many bought again in
/// each month after (0: the month itself, every one of them).
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// YYYY-MM.
    pub month: String,
    pub customers: u64,
    /// `active[k]`: customers with a purchase in the k-th month after the first, up to `until`.
    pub active: Vec<u64>,
}

fn month_index(t: Millis) -> i64 {
    let (y, m, _) = crate::date::civil_from_days(t.div_euclid(DAY));
    y * 12 + i64::from(m) - 1
}

fn month_name(i: i64) -> String {
    format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

/// Cohorts by first-purchase month from each customer's purchase times, months up to the one
/// holding `until`.
pub fn cohorts(purchases: &BTreeMap<String, Vec<Millis>>, until: Millis) -> Vec<Cohort> {
    let last = month_index(until);
    let mut by_month: BTreeMap<i64, Vec<Vec<i64>>> = BTreeMap::new();
    for times in purchases.values() {
        let mut months: Vec<i64> = times.iter().filter(|t| **t <= until).map(|t| month_index(*t)).collect();
        months.sort_unstable();
        months.dedup();
        if let Some(&first) = months.first() {
            by_month.entry(first).or_default().push(months);
        }
    }
    by_month
        .into_iter()
        .map(|(first, customers)| {
            let span = (last - first + 1).max(1) as usize;
            let mut active = vec![0u64; span];
            for months in &customers {
                for m in months {
                    active[(m - first) as usize] += 1;
                }
            }
            Cohort { month: month_name(first), customers: customers.len() as u64, active }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleStage as L;

    #[test]
    fn conversion_counts_who_went_on_and_how_long_it_took() {
        let people = vec![
            vec![(L::Lead, 0), (L::MarketingQualified, 2 * DAY), (L::SalesQualified, 5 * DAY)],
            vec![(L::Lead, DAY), (L::Opportunity, 11 * DAY)],
            vec![(L::Lead, 2 * DAY)],
            vec![(L::Lead, 100 * DAY), (L::MarketingQualified, 101 * DAY)],
        ];
        let steps = lifecycle_conversion(&people, 0, 50 * DAY);
        let lead = steps.iter().find(|s| s.from == L::Lead).unwrap();
        assert_eq!((lead.entered, lead.went_on), (3, 2), "a later stage counts as going on; the fourth entered later");
        assert_eq!((lead.median_days, lead.average_days), (Some(2.0), Some(6.0)));
        let mql = steps.iter().find(|s| s.from == L::MarketingQualified).unwrap();
        assert_eq!((mql.entered, mql.went_on, mql.median_days), (1, 1, Some(3.0)));
        assert_eq!(steps.len(), 6);
    }

    #[test]
    fn cohorts_count_customers_buying_again_by_month() {
        let d = |y, m, day| crate::date::days_from_civil(y, m, day) * DAY;
        let mut p = BTreeMap::new();
        p.insert("a".to_owned(), vec![d(2026, 1, 5), d(2026, 1, 20), d(2026, 3, 1)]);
        p.insert("b".to_owned(), vec![d(2026, 1, 9), d(2026, 2, 9)]);
        p.insert("c".to_owned(), vec![d(2026, 2, 1)]);
        p.insert("d".to_owned(), vec![d(2026, 5, 1)]);
        let c = cohorts(&p, d(2026, 3, 15));
        assert_eq!(c.len(), 2, "a first purchase after `until` is left out");
        assert_eq!((c[0].month.as_str(), c[0].customers, c[0].active.clone()), ("2026-01", 2, vec![2, 1, 1]));
        assert_eq!((c[1].month.as_str(), c[1].customers, c[1].active.clone()), ("2026-02", 1, vec![1, 0]));
    }
}
