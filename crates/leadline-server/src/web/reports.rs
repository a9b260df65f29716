//! The dashboard's numbers: each figure of `api::reports::dashboard` for the chosen period
//! beside the period before, and the contacts reaching each stage drawn as bars.

use axum::http::Uri;

use super::chart::{bars, Bar};
use super::view::Tr;
use crate::api::reports::Metric;
use crate::error::ApiResult;
use crate::AppState;

/// One tile: what it is, the figure now, the figure before, and the change as a word and a sign.
pub struct Tile {
    pub key: String,
    pub label: String,
    pub value: String,
    pub previous: String,
    pub change: String,
    /// good, bad or none (a cost going down is good).
    pub trend: &'static str,
}

pub struct Numbers {
    pub from: String,
    pub to: String,
    pub period: String,
    pub tiles: Vec<Tile>,
    pub chart: String,
}

fn shown(tr: &Tr, m: &Metric, value: Option<f64>, currency: &str) -> String {
    let Some(v) = value else { return "–".into() };
    match m.unit.as_str() {
        "money" => tr.money(v.round() as i64, currency),
        "ratio" => format!("{}%", tr.num((v * 100.0).round() as i64)),
        "days" => tr.t1("analytics-days", "n", &tr.num(v.round() as i64)),
        _ => tr.num(v.round() as i64),
    }
}

pub async fn numbers(s: &AppState, tr: &Tr, uri: &Uri) -> ApiResult<Numbers> {
    let pairs = crate::api::query_pairs(uri)?;
    let get = |k: &str| super::query_value(&pairs, k);
    let (counted_at, d) =
        crate::api::reports::dashboard_counted(s, get("from").as_deref(), get("to").as_deref()).await?;
    let tiles = d
        .metrics
        .iter()
        .map(|m| {
            let lower_is_better = ["cost_per_lead", "cac", "sales_cycle_days", "spend"].contains(&m.key.as_str());
            let (good, bad) = if lower_is_better { ("bad", "good") } else { ("good", "bad") };
            let (change, trend) = match m.change {
                Some(c) if c > 0.0005 => (format!("+{}%", tr.num((c * 100.0).round() as i64)), good),
                Some(c) if c < -0.0005 => (format!("−{}%", tr.num((-c * 100.0).round() as i64)), bad),
                Some(_) => ("±0%".into(), "none"),
                None => (String::new(), "none"),
            };
            Tile {
                key: m.key.clone(),
                label: tr.t(&format!("metric-{}", m.key)),
                value: shown(tr, m, m.value, &d.currency),
                previous: if m.previous.is_some() {
                    tr.t1("metric-before", "value", &shown(tr, m, m.previous, &d.currency))
                } else {
                    String::new()
                },
                change,
                trend,
            }
        })
        .collect();
    let reach: Vec<Bar> = d
        .metrics
        .iter()
        .filter(|m| ["new_leads", "mqls", "sqls", "opportunities", "customers"].contains(&m.key.as_str()))
        .map(|m| Bar {
            label: tr.t(&format!("metric-{}", m.key)),
            value: m.value.unwrap_or(0.0),
            shown: shown(tr, m, m.value, &d.currency),
        })
        .collect();
    Ok(Numbers {
        period: tr.ta(
            "metric-period",
            &[
                ("from", &d.from),
                ("to", &d.to),
                ("pfrom", &d.previous_from),
                ("pto", &d.previous_to),
                ("time", &tr.datetime(counted_at)),
            ],
        ),
        from: get("from").unwrap_or_default(),
        to: get("to").unwrap_or_default(),
        chart: bars(&tr.t("metric-chart"), &reach, tr.locale.lang.is_rtl()),
        tiles,
    })
}
