//! `leadline bench clv --cdnow FILE`: the lifetime-value models on the CDNOW sample shipped in
//! the PyPI package `lifetimes` (`bench/cdnow.sh` fetches it): purchases up to 1997-09-30,
//! weeks, same-day purchases merged; the fitted parameters and log-likelihood against the
//! published ones, to their published precision. Exits with an error when they differ.

use std::collections::BTreeMap;
use std::time::Instant;

use leadline_core::clv::{fit_bgnbd, fit_gamma_gamma, summarize};

const DAY: i64 = 86_400_000;

pub fn run(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let day = |d: &str| -> Option<i64> {
        let (y, m, dd) = (d.get(0..4)?.parse().ok()?, d.get(4..6)?.parse().ok()?, d.get(6..8)?.parse().ok()?);
        Some(leadline_core::date::days_from_civil(y, m, dd) * DAY)
    };
    let mut purchases: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("line {}: {line:?} is not `customer id date quantity amount`", i + 1);
        let (customer, date, amount) = match cells.as_slice() {
            [c, _, d, _, a] => (c.to_string(), day(d).ok_or_else(bad)?, a.parse::<f64>().map_err(|_| bad())?),
            _ => return Err(bad()),
        };
        purchases.entry(customer).or_default().push((date, amount));
    }
    let end = day("19970930").expect("a date");
    let customers: Vec<_> = purchases.into_values().filter_map(|p| summarize(p, end, 7 * DAY)).collect();
    let repeat = customers.iter().filter(|c| c.x > 0.0).count();
    println!("CDNOW sample: {} customers, {repeat} with repeat purchases by 1997-09-30", customers.len());
    let started = Instant::now();
    let (bg, ll) = fit_bgnbd(&customers);
    let (gg, _) = fit_gamma_gamma(&customers);
    println!("fitted in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    println!("BG/NBD: r={:.3} alpha={:.3} a={:.3} b={:.3}, log-likelihood {:.1}", bg.r, bg.alpha, bg.a, bg.b, ll);
    println!("  published: r=0.243 alpha=4.414 a=0.793 b=2.426, log-likelihood -9582.4");
    println!("Gamma-Gamma: p={:.2} q={:.2} gamma={:.2}", gg.p, gg.q, gg.gamma);
    println!("  published: p=6.25 q=3.74 gamma=15.44");
    let same =
        |got: f64, want: f64, digits: i32| (got * 10f64.powi(digits)).round() == (want * 10f64.powi(digits)).round();
    let checks = [
        same(bg.r, 0.243, 3),
        same(bg.alpha, 4.414, 3),
        same(bg.a, 0.793, 3),
        same(bg.b, 2.426, 3),
        same(ll, -9582.4, 1),
        same(gg.p, 6.25, 2),
        same(gg.q, 3.74, 2),
        same(gg.gamma, 15.44, 2),
    ];
    if checks.iter().all(|c| *c) {
        println!("CDNOW check: every parameter equals the published one to its published precision");
        Ok(())
    } else {
        Err("CDNOW check: the fit differs from the published parameters".into())
    }
}
