//! Campaigns and what they cost: cost per lead, per MQL and per customer (CAC) for a period
//! against the one before, and the quality of each source (how many of its leads went on,
//! how many were disqualified, what they brought and what a customer cost). The store reads
//! each contact's journey; this counts.

use std::collections::BTreeMap;

use crate::lifecycle::LifecycleStage;
use crate::Millis;

/// The channels a campaign can have (the touch channels, `track::CHANNELS`).
pub use crate::track::CHANNELS;

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    /// The period of the same length just before.
    pub fn previous(self) -> Period {
        Period { from: self.from - (self.to - self.from), to: self.from }
    }

    pub fn holds(self, t: Millis) -> bool {
        self.from <= t && t < self.to
    }
}

/// The stages reports count people reaching.
pub const MILESTONES: [LifecycleStage; 3] =
    [LifecycleStage::MarketingQualified, LifecycleStage::SalesQualified, LifecycleStage::Customer];

/// What a report knows of one contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    pub created_at: Millis,
    /// What it is counted under: a campaign, a channel, a source (the report's grouping).
    pub group: String,
    /// When it first reached MQL, SQL and customer (`MILESTONES`); reaching a later stage
    /// counts as reaching the earlier ones.
    pub reached: [Option<Millis>; 3],
    pub disqualified: bool,
    /// Won deals, in minor units of the workspace currency.
    pub revenue: i64,
}

/// When a contact first reached each milestone, from its stage changes `(stage, at)`: a
/// stage at or past a milestone reaches it (a lead made a customer at once was an MQL then
/// too).
pub fn reached(changes: &[(LifecycleStage, Millis)]) -> [Option<Millis>; 3] {
    let mut out = [None; 3];
    for (stage, at) in changes {
        let Some(rank) = stage.rank() else { continue };
        for (i, m) in MILESTONES.iter().enumerate() {
            if m.rank().is_some_and(|r| rank >= r) {
                out[i] = Some(out[i].map_or(*at, |t: Millis| t.min(*at)));
            }
        }
    }
    out
}

/// One group's costs in a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Costs {
    pub spend: i64,
    /// Contacts made in the period.
    pub leads: u64,
    /// Contacts that reached MQL (customer) in the period.
    pub mqls: u64,
    pub customers: u64,
}

impl Costs {
    fn per(&self, n: u64) -> Option<f64> {
        (n > 0).then(|| self.spend as f64 / n as f64)
    }
    pub fn per_lead(&self) -> Option<f64> {
        self.per(self.leads)
    }
    pub fn per_mql(&self) -> Option<f64> {
        self.per(self.mqls)
    }
    /// Customer acquisition cost.
    pub fn per_customer(&self) -> Option<f64> {
        self.per(self.customers)
    }
}

/// Each group's costs in `period`: spend from `spend` (minor units by group), people from
/// the journeys. Groups with spend and no people are there too, and so is the total (`""`
/// is not a group: the caller names the total).
pub fn costs(journeys: &[Journey], spend: &BTreeMap<String, i64>, period: Period) -> BTreeMap<String, Costs> {
    let mut out: BTreeMap<String, Costs> = BTreeMap::new();
    for (g, s) in spend {
        out.entry(g.clone()).or_default().spend += s;
    }
    for j in journeys {
        let c = out.entry(j.group.clone()).or_default();
        c.leads += u64::from(period.holds(j.created_at));
        c.mqls += u64::from(j.reached[0].is_some_and(|t| period.holds(t)));
        c.customers += u64::from(j.reached[2].is_some_and(|t| period.holds(t)));
    }
    out
}

/// A source's quality: of the leads it brought (made in the period), the share that reached
/// MQL, SQL and customer (by now), the share disqualified, their revenue, and what each
/// customer cost.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Quality {
    pub leads: u64,
    pub reached: [u64; 3],
    pub disqualified: u64,
    pub revenue: i64,
    pub spend: i64,
}

impl Quality {
    pub fn share(&self, n: u64) -> Option<f64> {
        (self.leads > 0).then(|| n as f64 / self.leads as f64)
    }
    pub fn cost_per_customer(&self) -> Option<f64> {
        (self.reached[2] > 0).then(|| self.spend as f64 / self.reached[2] as f64)
    }
}

pub fn quality(journeys: &[Journey], spend: &BTreeMap<String, i64>, period: Period) -> BTreeMap<String, Quality> {
    let mut out: BTreeMap<String, Quality> = BTreeMap::new();
    for (g, s) in spend {
        out.entry(g.clone()).or_default().spend += s;
    }
    for j in journeys.iter().filter(|j| period.holds(j.created_at)) {
        let q = out.entry(j.group.clone()).or_default();
        q.leads += 1;
        for (i, r) in j.reached.iter().enumerate() {
            q.reached[i] += u64::from(r.is_some());
        }
        q.disqualified += u64::from(j.disqualified);
        q.revenue += j.revenue;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleStage as S;

    const DAY: Millis = 86_400_000;

    fn j(group: &str, created: Millis, changes: &[(S, Millis)], disqualified: bool, revenue: i64) -> Journey {
        Journey { created_at: created, group: group.into(), reached: reached(changes), disqualified, revenue }
    }

    #[test]
    fn a_later_stage_reaches_the_earlier_milestones() {
        let r = reached(&[(S::Lead, 1), (S::Customer, 9), (S::MarketingQualified, 5)]);
        assert_eq!(r, [Some(5), Some(9), Some(9)]);
        assert_eq!(reached(&[(S::Lead, 1), (S::Other, 2)]), [None, None, None]);
    }

    /// A small fixed history, counted by hand. Period: days 30-60; the one before: 0-30.
    /// Spend in the period: ads 600.00, fair 300.00.
    /// ads: A (day 35, MQL day 40, customer day 50, 1,000.00), B (day 45, MQL day 70),
    ///      C (day 10, MQL day 35); fair: D (day 31, disqualified), E (day 40, customer 55, 500.00).
    #[test]
    fn costs_and_quality_by_hand() {
        let journeys = vec![
            j("ads", 35 * DAY, &[(S::MarketingQualified, 40 * DAY), (S::Customer, 50 * DAY)], false, 100_000),
            j("ads", 45 * DAY, &[(S::MarketingQualified, 70 * DAY)], false, 0),
            j("ads", 10 * DAY, &[(S::MarketingQualified, 35 * DAY)], false, 0),
            j("fair", 31 * DAY, &[], true, 0),
            j("fair", 40 * DAY, &[(S::Customer, 55 * DAY)], false, 50_000),
        ];
        let spend = BTreeMap::from([("ads".to_owned(), 60_000), ("fair".to_owned(), 30_000)]);
        let period = Period { from: 30 * DAY, to: 60 * DAY };
        let c = costs(&journeys, &spend, period);
        // ads: leads A, B (2); MQLs in period A (40), C (35) (2); customers A (1).
        assert_eq!(c["ads"], Costs { spend: 60_000, leads: 2, mqls: 2, customers: 1 });
        assert_eq!(
            (c["ads"].per_lead(), c["ads"].per_mql(), c["ads"].per_customer()),
            (Some(30_000.0), Some(30_000.0), Some(60_000.0))
        );
        // fair: leads D, E; MQL: E (customer day 55 reaches MQL); customer E.
        assert_eq!(c["fair"], Costs { spend: 30_000, leads: 2, mqls: 1, customers: 1 });
        let before = costs(&journeys, &BTreeMap::new(), period.previous());
        assert_eq!(before["ads"], Costs { spend: 0, leads: 1, mqls: 0, customers: 0 });
        let q = quality(&journeys, &spend, period);
        // ads' leads A and B: both MQL, A customer; revenue 1,000.00; CAC 600.00.
        assert_eq!(
            q["ads"],
            Quality { leads: 2, reached: [2, 1, 1], disqualified: 0, revenue: 100_000, spend: 60_000 }
        );
        assert_eq!((q["ads"].share(2), q["ads"].cost_per_customer()), (Some(1.0), Some(60_000.0)));
        assert_eq!(
            q["fair"],
            Quality { leads: 2, reached: [1, 1, 1], disqualified: 1, revenue: 50_000, spend: 30_000 }
        );
        assert_eq!(q["fair"].share(q["fair"].disqualified), Some(0.5));
    }
}

/// Which columns of an ad platform's export say the day, the campaign and the cost: Google
/// Ads ("Day", "Campaign", "Cost"), Meta Ads ("Reporting starts", "Campaign name", "Amount
/// spent (EUR)"), or plain ("date", "campaign", "amount"/"spend"). `None` when one is missing.
pub fn spend_columns(headers: &[&str]) -> Option<(usize, usize, usize)> {
    let find = |names: &[&str], prefix: Option<&str>| {
        headers.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase();
            names.contains(&h.as_str()) || prefix.is_some_and(|p| h.starts_with(p))
        })
    };
    let day = find(&["day", "date", "reporting starts", "reporting_starts", "day start"], None)?;
    let campaign = find(&["campaign", "campaign name", "campaign_name"], None)?;
    let cost = find(&["cost", "spend", "amount", "amount spent"], Some("amount spent"))?;
    Some((day, campaign, cost))
}

/// A cost as exports write it, in minor units: `1,234.56`, `1.234,56`, `€ 12`, `1234`. The
/// last of `.` and `,` followed by one or two digits is the decimal point.
pub fn parse_amount(raw: &str) -> Option<i64> {
    let s: String = raw.trim().chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-')).collect();
    if s.is_empty() || s == "-" {
        return None;
    }
    let decimal = s.rfind(['.', ',']).filter(|i| (1..=2).contains(&(s.len() - i - 1)));
    let (whole, frac) = match decimal {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect();
    let whole: i64 = if whole.is_empty() || whole == "-" { 0 } else { whole.parse().ok()? };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let negative = s.starts_with('-');
    let total = whole.abs().checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -total } else { total })
}

/// A month's spend spread over its days (`YYYY-MM`), the remainder on the last: what a
/// report of part of the month counts.
pub fn spread_month(month: &str, amount: i64) -> Option<Vec<(String, i64)>> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i64, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) || month.len() != 7 {
        return None;
    }
    let first = crate::date::days_from_civil(y, m, 1);
    let next =
        if m == 12 { crate::date::days_from_civil(y + 1, 1, 1) } else { crate::date::days_from_civil(y, m + 1, 1) };
    let n = next - first;
    let each = amount / n;
    Some(
        (0..n)
            .map(|i| {
                let day = crate::date::date_of_millis((first + i) * 86_400_000);
                (day, if i == n - 1 { amount - each * (n - 1) } else { each })
            })
            .collect(),
    )
}

#[cfg(test)]
mod spend_tests {
    use super::*;

    #[test]
    fn exports_of_the_ad_platforms_are_read() {
        assert_eq!(spend_columns(&["Day", "Campaign", "Impr.", "Clicks", "Cost"]), Some((0, 1, 4)));
        assert_eq!(
            spend_columns(&["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (EUR)"]),
            Some((0, 2, 3))
        );
        assert_eq!(spend_columns(&["date", "campaign"]), None);
        assert_eq!(parse_amount("1,234.56"), Some(123_456));
        assert_eq!(parse_amount("1.234,56"), Some(123_456));
        assert_eq!(parse_amount("€ 12"), Some(1_200));
        assert_eq!(parse_amount("0.5"), Some(50));
        assert_eq!(parse_amount("1,234"), Some(123_400), "a thousands separator, not a decimal point");
        assert_eq!(parse_amount("--"), None);
        let june = spread_month("2026-06", 3_000_001).unwrap();
        assert_eq!(june.len(), 30);
        assert_eq!(june.iter().map(|(_, a)| a).sum::<i64>(), 3_000_001);
        assert_eq!(june[0], ("2026-06-01".to_owned(), 100_000));
        assert_eq!(june[29].0, "2026-06-30");
        assert_eq!(spread_month("2026-13", 1), None);
        assert_eq!(spread_month("2028-02", 29).unwrap().len(), 29);
    }
}
