//! Pipelines: the stages a deal goes through, what each stage asks of a deal before it enters,
//! how likely a deal there is to be won, and when a deal there has sat too long; the forecast
//! over deals by close month, owner and category, in one currency through a dated rate table.

use std::collections::BTreeMap;

use crate::error::{FieldError, Invalid};
use crate::Millis;

/// What a pipeline is for.
pub const KINDS: &[&str] = &["new_business", "upsell", "renewal"];

/// Forecast categories, from the least to the most certain; `omitted` stays out of the forecast.
pub const CATEGORIES: &[&str] = &["omitted", "pipeline", "best_case", "commit"];

/// Why deals are won or lost, offered on the board (any text is taken).
pub const WON_REASONS: &[&str] = &["price", "product_fit", "relationship", "timing", "support"];
pub const LOST_REASONS: &[&str] = &["price", "competitor", "no_budget", "no_decision", "timing", "product_fit"];

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub key: String,
    pub label: String,
    /// The chance a deal here is won, in percent.
    pub probability: u8,
    /// The forecast category of a deal here unless the deal says its own.
    pub category: String,
    /// Deal fields (or properties) a deal must have to enter this stage.
    pub required: Vec<String>,
    /// Days in this stage after which a deal is stuck.
    pub rot_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub key: String,
    pub label: String,
    /// One of [`KINDS`].
    pub kind: String,
    pub stages: Vec<Stage>,
}

impl Pipeline {
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    pub fn position(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }

    /// Whether this pipeline sells more to existing customers (upsell, cross-sell, renewal):
    /// its deals belong to customers, and a customer on one of its open deals is being
    /// looked after (`crate::health::Flag::Expanding`).
    pub fn is_expansion(&self) -> bool {
        matches!(self.kind.as_str(), "upsell" | "renewal")
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Check a pipeline: keys of lowercase letters, digits and `_`, stages unique and 1 to 30,
/// probabilities 0 to 100, known kinds and categories; every problem at its field.
pub fn check(p: &Pipeline) -> Invalid<()> {
    let bad = |field: &str, code: &'static str, msg: &str| Err(FieldError::new(field, code, msg.to_owned()));
    if !is_key(&p.key) {
        return bad("key", "invalid_key", "a key of lowercase letters, digits and _ (up to 64)");
    }
    if p.label.trim().is_empty() || p.label.chars().count() > 100 {
        return bad("label", "invalid_label", "a name of 1 to 100 characters");
    }
    if !KINDS.contains(&p.kind.as_str()) {
        return bad("kind", "invalid_kind", "new_business, upsell or renewal");
    }
    if p.stages.is_empty() || p.stages.len() > 30 {
        return bad("stages", "invalid_stages", "a pipeline has 1 to 30 stages");
    }
    for (i, s) in p.stages.iter().enumerate() {
        let f = |name: &str| format!("stages[{i}].{name}");
        if !is_key(&s.key) {
            return bad(&f("key"), "invalid_key", "a key of lowercase letters, digits and _ (up to 64)");
        }
        if p.stages[..i].iter().any(|o| o.key == s.key) {
            return bad(&f("key"), "duplicate_stage", "each stage once");
        }
        if s.label.trim().is_empty() || s.label.chars().count() > 100 {
            return bad(&f("label"), "invalid_label", "a name of 1 to 100 characters");
        }
        if s.probability > 100 {
            return bad(&f("probability"), "invalid_probability", "0 to 100");
        }
        if !CATEGORIES.contains(&s.category.as_str()) {
            return bad(&f("category"), "invalid_category", "omitted, pipeline, best_case or commit");
        }
        if let Some(j) = s.required.iter().position(|r| !is_key(r)) {
            return bad(&format!("stages[{i}].required[{j}]"), "invalid_field", "a deal field or property name");
        }
        if s.rot_days == Some(0) || s.rot_days.is_some_and(|d| d > 3650) {
            return bad(&f("rot_days"), "invalid_rot_days", "1 to 3650 days");
        }
    }
    Ok(())
}

fn stage(key: &str, label: &str, probability: u8, category: &str, required: &[&str], rot_days: u32) -> Stage {
    Stage {
        key: key.into(),
        label: label.into(),
        probability,
        category: category.into(),
        required: required.iter().map(|r| (*r).to_owned()).collect(),
        rot_days: Some(rot_days),
    }
}

/// The pipelines a fresh install starts with. `default` is new business, with the stages deals
/// have carried since the first version.
pub fn defaults() -> Vec<Pipeline> {
    vec![
        Pipeline {
            key: "default".into(),
            label: "New business".into(),
            kind: "new_business".into(),
            stages: vec![
                stage("appointment_scheduled", "Appointment scheduled", 20, "pipeline", &[], 14),
                stage("qualified_to_buy", "Qualified to buy", 40, "pipeline", &["amount"], 21),
                stage(
                    "presentation_scheduled",
                    "Presentation scheduled",
                    60,
                    "best_case",
                    &["amount", "close_date"],
                    21,
                ),
                stage(
                    "decision_maker_bought_in",
                    "Decision maker bought in",
                    80,
                    "commit",
                    &["amount", "close_date"],
                    14,
                ),
                stage("contract_sent", "Contract sent", 90, "commit", &["amount", "close_date", "company_id"], 10),
            ],
        },
        Pipeline {
            key: "upsell".into(),
            label: "Upsell and cross-sell".into(),
            kind: "upsell".into(),
            stages: vec![
                stage("opportunity_found", "Opportunity found", 30, "pipeline", &[], 21),
                stage("proposal", "Proposal", 60, "best_case", &["amount"], 21),
                stage("agreed", "Agreed", 90, "commit", &["amount", "close_date"], 10),
            ],
        },
        Pipeline {
            key: "renewal".into(),
            label: "Renewal".into(),
            kind: "renewal".into(),
            stages: vec![
                stage("coming_up", "Coming up", 70, "best_case", &["close_date"], 60),
                stage("in_negotiation", "In negotiation", 80, "commit", &["amount", "close_date"], 21),
                stage("renewal_signed", "Signed, to invoice", 95, "commit", &["amount", "close_date"], 10),
            ],
        },
    ]
}

/// Stages as the settings page writes them, one a line:
/// `key | label | probability | category | rot days | required fields` (the last two may be
/// empty; required fields apart by spaces or commas).
pub fn format_stages(stages: &[Stage]) -> String {
    stages
        .iter()
        .map(|s| {
            format!(
                "{} | {} | {} | {} | {} | {}",
                s.key,
                s.label,
                s.probability,
                s.category,
                s.rot_days.map(|d| d.to_string()).unwrap_or_default(),
                s.required.join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Read stages written as [`format_stages`] writes them; a line that does not read is named.
pub fn parse_stages(text: &str) -> Invalid<Vec<Stage>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |what: &str| FieldError::new("stages", "invalid_stage_line", format!("line {}: {what}", i + 1));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 3 {
            return Err(bad("key | label | probability | category | rot days | required fields"));
        }
        let probability =
            cells[2].trim_end_matches('%').trim().parse::<u8>().map_err(|_| bad("a probability of 0 to 100"))?;
        let category = cells.get(3).filter(|c| !c.is_empty()).map_or("pipeline", |c| c).to_owned();
        let rot_days = match cells.get(4).filter(|c| !c.is_empty()) {
            Some(d) => Some(d.parse::<u32>().map_err(|_| bad("rot days: a whole number of days"))?),
            None => None,
        };
        let required = cells
            .get(5)
            .map(|r| r.split([' ', ',']).filter(|f| !f.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        out.push(Stage {
            key: cells[0].to_owned(),
            label: cells[1].to_owned(),
            probability,
            category,
            required,
            rot_days,
        });
    }
    Ok(out)
}

/// What a deal lacks to enter `stage`: its required fields that `has` says are empty.
pub fn missing(stage: &Stage, has: impl Fn(&str) -> bool) -> Vec<String> {
    stage.required.iter().filter(|f| !has(f)).cloned().collect()
}

/// Whether a deal that entered its stage at `entered` has sat there too long at `now`.
pub fn rotting(stage: &Stage, entered: Millis, now: Millis) -> bool {
    stage.rot_days.is_some_and(|d| now - entered > i64::from(d) * 86_400_000)
}

/// `amount` weighted by a probability in percent, rounded to the nearest unit.
pub fn weighted(amount: i64, probability: u8) -> i64 {
    let x = i128::from(amount) * i128::from(probability);
    ((x + x.signum() * 50) / 100) as i64
}

/// Exchange rates: for each currency, from a day on (`YYYY-MM-DD`), how many units of the
/// workspace currency one unit is worth.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    base: String,
    by_currency: BTreeMap<String, Vec<(String, f64)>>,
}

impl Rates {
    pub fn new(base: &str, rows: impl IntoIterator<Item = (String, String, f64)>) -> Rates {
        let mut by_currency: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
        for (currency, day, rate) in rows {
            by_currency.entry(currency).or_default().push((day, rate));
        }
        for v in by_currency.values_mut() {
            v.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Rates { base: base.to_owned(), by_currency }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The rate of `currency` on `day`: the latest from that day or before, else the earliest
    /// known (a deal dated before the table began). None for a currency without rates.
    pub fn rate(&self, currency: &str, day: &str) -> Option<f64> {
        if currency == self.base {
            return Some(1.0);
        }
        let v = self.by_currency.get(currency)?;
        let i = v.partition_point(|(d, _)| d.as_str() <= day);
        Some(if i == 0 { v.first()?.1 } else { v[i - 1].1 })
    }

    /// `amount` (minor units of `currency`) in the workspace currency on `day`.
    pub fn convert(&self, amount: i64, currency: &str, day: &str) -> Option<i64> {
        self.rate(currency, day).map(|r| (amount as f64 * r).round() as i64)
    }
}

/// A deal as the forecast reads it, its amount in the workspace currency.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastDeal {
    /// `YYYY-MM` of the close date (expected, or when it closed).
    pub month: String,
    pub owner: Option<String>,
    pub amount: i64,
    /// open, won or lost.
    pub status: String,
    pub probability: u8,
    /// One of [`CATEGORIES`] (open deals).
    pub category: String,
}

/// One month (and owner, when the forecast is by owner).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForecastRow {
    pub month: String,
    pub owner: Option<String>,
    pub open_deals: u64,
    /// Open deals' amounts, and weighted by their stages' probabilities.
    pub open: i64,
    pub weighted: i64,
    /// Open deals' amounts by category; each includes the more certain ones (best case
    /// includes commit), as forecasts are read.
    pub pipeline: i64,
    pub best_case: i64,
    pub commit: i64,
    pub closed_won: i64,
    pub won_deals: u64,
}

/// The forecast by month, and by owner within a month when `by_owner`.
pub fn forecast(deals: &[ForecastDeal], by_owner: bool) -> Vec<ForecastRow> {
    let mut rows: BTreeMap<(String, Option<String>), ForecastRow> = BTreeMap::new();
    for d in deals {
        let owner = if by_owner { d.owner.clone() } else { None };
        let row = rows.entry((d.month.clone(), owner.clone())).or_insert_with(|| ForecastRow {
            month: d.month.clone(),
            owner,
            ..ForecastRow::default()
        });
        match d.status.as_str() {
            "won" => {
                row.closed_won += d.amount;
                row.won_deals += 1;
            }
            "open" => {
                row.open_deals += 1;
                row.open += d.amount;
                row.weighted += weighted(d.amount, d.probability);
                let rank = CATEGORIES.iter().position(|c| *c == d.category).unwrap_or(1);
                if rank >= 1 {
                    row.pipeline += d.amount;
                }
                if rank >= 2 {
                    row.best_case += d.amount;
                }
                if rank >= 3 {
                    row.commit += d.amount;
                }
            }
            _ => {}
        }
    }
    rows.into_values().collect()
}

/// A deal closed in a period, as the sales numbers read it (amount in the workspace currency).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closed {
    pub won: bool,
    pub amount: i64,
    pub created_at: Millis,
    pub closed_at: Millis,
}

/// Win rate, average won deal, sales cycle and pipeline velocity over a period's closed deals.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SalesNumbers {
    pub won: u64,
    pub lost: u64,
    pub won_amount: i64,
    /// Won of those closed.
    pub win_rate: Option<f64>,
    pub average_deal: Option<f64>,
    /// Days from a won deal's creation to its close, on average.
    pub cycle_days: Option<f64>,
    /// What the open deals bring a day: open deals x win rate x average deal / cycle days.
    pub velocity_per_day: Option<f64>,
}

pub fn sales_numbers(closed: &[Closed], open_deals: u64) -> SalesNumbers {
    let won: Vec<&Closed> = closed.iter().filter(|c| c.won).collect();
    let (w, l) = (won.len() as u64, (closed.len() - won.len()) as u64);
    let won_amount: i64 = won.iter().map(|c| c.amount).sum();
    let win_rate = (w + l > 0).then(|| w as f64 / (w + l) as f64);
    let average_deal = (w > 0).then(|| won_amount as f64 / w as f64);
    let cycle_days =
        (w > 0).then(|| won.iter().map(|c| (c.closed_at - c.created_at) as f64 / 86_400_000.0).sum::<f64>() / w as f64);
    let velocity_per_day = match (win_rate, average_deal, cycle_days) {
        (Some(r), Some(a), Some(d)) if d > 0.0 => Some(open_deals as f64 * r * a / d),
        _ => None,
    };
    SalesNumbers { won: w, lost: l, won_amount, win_rate, average_deal, cycle_days, velocity_per_day }
}

/// One deal's way through its pipeline: each stage it entered, in time order, and whether and
/// when it was won or lost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealPath {
    pub entries: Vec<(String, Millis)>,
    pub won: bool,
    pub closed_at: Option<Millis>,
}

/// How deals moved through one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFlow {
    pub stage: String,
    /// Deals that entered the stage in the period.
    pub entered: u64,
    /// Of them, deals that went on to a later stage or were won.
    pub went_on: u64,
    pub won: u64,
    /// Days from entering the stage to leaving it (a move or a close), over those that left.
    pub average_days: Option<f64>,
}

/// Stage-to-stage conversion and time in each stage of `p` for deals entering stages in
/// `[from, to)`.
pub fn stage_flow(p: &Pipeline, deals: &[DealPath], from: Millis, to: Millis) -> Vec<StageFlow> {
    p.stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let (mut entered, mut went_on, mut won) = (0, 0, 0);
            let mut days = Vec::new();
            for d in deals {
                let Some(k) = d.entries.iter().position(|(s, _)| *s == st.key) else { continue };
                let at = d.entries[k].1;
                if at < from || at >= to {
                    continue;
                }
                entered += 1;
                let later = d.entries[k + 1..].iter().any(|(s, _)| p.position(s).is_some_and(|j| j > i));
                if later || d.won {
                    went_on += 1;
                }
                if d.won {
                    won += 1;
                }
                let left = d.entries.get(k + 1).map(|(_, t)| *t).or(d.closed_at);
                if let Some(t) = left {
                    days.push((t - at) as f64 / 86_400_000.0);
                }
            }
            StageFlow {
                stage: st.key.clone(),
                entered,
                went_on,
                won,
                average_days: (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_default_pipelines_are_valid() {
        for p in defaults() {
            check(&p).unwrap();
        }
        assert_eq!(defaults()[0].key, "default");
        assert_eq!(defaults()[0].stages[0].key, "appointment_scheduled");
        let expansion: Vec<bool> = defaults().iter().map(Pipeline::is_expansion).collect();
        assert_eq!(expansion, [false, true, true], "new business; upsell and renewal sell to customers");
    }

    #[test]
    fn a_bad_pipeline_is_refused_at_its_field() {
        let mut p = defaults().remove(0);
        p.stages[1].key = p.stages[0].key.clone();
        assert_eq!(check(&p).unwrap_err().field, "stages[1].key");
        let mut p = defaults().remove(0);
        p.stages[2].probability = 101;
        assert_eq!(check(&p).unwrap_err().field, "stages[2].probability");
        let mut p = defaults().remove(0);
        p.stages[0].required = vec!["amount".into(), "Bad Field".into()];
        assert_eq!(check(&p).unwrap_err().field, "stages[0].required[1]");
        let mut p = defaults().remove(0);
        p.kind = "other".into();
        assert_eq!(check(&p).unwrap_err().code, "invalid_kind");
        let mut p = defaults().remove(0);
        p.stages.clear();
        assert_eq!(check(&p).unwrap_err().field, "stages");
    }

    #[test]
    fn a_stage_names_what_a_deal_lacks_and_when_it_is_stuck() {
        let p = defaults().remove(0);
        let contract = p.stage("contract_sent").unwrap();
        assert_eq!(missing(contract, |f| f == "amount"), ["close_date", "company_id"]);
        assert!(missing(contract, |_| true).is_empty());
        let day: i64 = 86_400_000;
        assert!(!rotting(contract, 0, 10 * day));
        assert!(rotting(contract, 0, 10 * day + 1));
    }

    #[test]
    fn rates_take_the_latest_day_on_or_before() {
        let r = Rates::new(
            "EUR",
            [
                ("USD".into(), "2026-01-01".into(), 0.90),
                ("USD".into(), "2026-06-01".into(), 0.80),
                ("PLN".into(), "2026-01-01".into(), 0.25),
            ],
        );
        assert_eq!(r.convert(10_000, "EUR", "2026-03-01"), Some(10_000));
        assert_eq!(r.convert(10_000, "USD", "2026-05-31"), Some(9_000));
        assert_eq!(r.convert(10_000, "USD", "2026-06-01"), Some(8_000));
        assert_eq!(r.convert(10_000, "USD", "2025-12-01"), Some(9_000), "before the table: its first rate");
        assert_eq!(r.convert(10_000, "GBP", "2026-06-01"), None);
    }

    #[test]
    fn the_forecast_adds_up_by_month_owner_and_category() {
        let d = |month: &str, owner: &str, amount, status: &str, probability, category: &str| ForecastDeal {
            month: month.into(),
            owner: Some(owner.into()),
            amount,
            status: status.into(),
            probability,
            category: category.into(),
        };
        let deals = [
            d("2026-07", "ann", 1000, "open", 20, "pipeline"),
            d("2026-07", "ann", 2000, "open", 60, "best_case"),
            d("2026-07", "bob", 4000, "open", 90, "commit"),
            d("2026-07", "bob", 500, "won", 100, "commit"),
            d("2026-07", "bob", 700, "lost", 0, "omitted"),
            d("2026-07", "ann", 300, "open", 10, "omitted"),
            d("2026-08", "ann", 100, "open", 50, "pipeline"),
        ];
        let all = forecast(&deals, false);
        assert_eq!(all.len(), 2);
        let july = &all[0];
        assert_eq!((july.open_deals, july.open, july.weighted), (4, 7300, 200 + 1200 + 3600 + 30));
        assert_eq!((july.pipeline, july.best_case, july.commit), (7000, 6000, 4000));
        assert_eq!((july.closed_won, july.won_deals), (500, 1));
        let by_owner = forecast(&deals, true);
        assert_eq!(
            by_owner.iter().map(|r| (r.month.as_str(), r.owner.as_deref())).collect::<Vec<_>>(),
            [("2026-07", Some("ann")), ("2026-07", Some("bob")), ("2026-08", Some("ann"))]
        );
        assert_eq!(by_owner[1].commit, 4000);
    }

    #[test]
    fn stages_written_one_a_line_read_back() {
        for p in defaults() {
            assert_eq!(parse_stages(&format_stages(&p.stages)).unwrap(), p.stages);
        }
        let s =
            parse_stages("won_back | Won back | 50% |  |  |\n\nsigned | Signed | 90 | commit | 5 | amount, close_date")
                .unwrap();
        assert_eq!((s[0].category.as_str(), s[0].rot_days, s[0].required.len()), ("pipeline", None, 0));
        assert_eq!(s[1].required, ["amount", "close_date"]);
        let e = parse_stages("a | A | 10\nb | B | lots").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn deals_flow_through_the_stages() {
        let p = defaults().remove(0);
        let day = 86_400_000;
        let path = |entries: &[(&str, i64)], won: bool, closed: Option<i64>| DealPath {
            entries: entries.iter().map(|(s, t)| ((*s).to_owned(), t * day)).collect(),
            won,
            closed_at: closed.map(|c| c * day),
        };
        let deals = [
            path(&[("appointment_scheduled", 0), ("qualified_to_buy", 4), ("contract_sent", 10)], true, Some(12)),
            path(&[("appointment_scheduled", 1), ("qualified_to_buy", 3)], false, Some(9)),
            path(&[("appointment_scheduled", 2)], false, None),
        ];
        let f = stage_flow(&p, &deals, 0, 100 * day);
        assert_eq!((f[0].entered, f[0].went_on, f[0].won), (3, 2, 1));
        assert_eq!(f[0].average_days, Some(3.0), "4 and 2 days; the open one has not left");
        assert_eq!((f[1].entered, f[1].went_on, f[1].average_days), (2, 1, Some(6.0)));
        assert_eq!((f[4].entered, f[4].won, f[4].average_days), (1, 1, Some(2.0)));
        assert_eq!(f[2].entered, 0, "a stage skipped was not entered");
    }

    #[test]
    fn sales_numbers_by_hand() {
        let day: i64 = 86_400_000;
        let c = |won, amount, days: i64| Closed { won, amount, created_at: 0, closed_at: days * day };
        let n = sales_numbers(&[c(true, 1000, 10), c(true, 3000, 30), c(false, 500, 5), c(false, 0, 2)], 6);
        assert_eq!((n.won, n.lost, n.won_amount), (2, 2, 4000));
        assert_eq!(n.win_rate, Some(0.5));
        assert_eq!(n.average_deal, Some(2000.0));
        assert_eq!(n.cycle_days, Some(20.0));
        assert_eq!(n.velocity_per_day, Some(6.0 * 0.5 * 2000.0 / 20.0));
        assert_eq!(sales_numbers(&[], 3), SalesNumbers::default());
    }

    proptest! {
        #[test]
        fn weighting_rounds_to_the_nearest_unit(amount in -1_000_000_000i64..1_000_000_000, p in 0u8..=100) {
            let exact = amount as f64 * f64::from(p) / 100.0;
            prop_assert!((weighted(amount, p) as f64 - exact).abs() <= 0.5);
        }
    }
}
