//! Customer lifetime value: BG/NBD for how often a customer buys and whether they are still
//! a customer (Fader, Hardie and Lee, 2005), Gamma-Gamma for how much they spend (Fader,
//! Hardie and Lee, 2005), both fitted by maximum likelihood, and what they predict per
//! customer. Time is in any unit (weeks, by convention), the same for every input.

use crate::Millis;

/// One customer's purchases in the calibration period: `x` repeat purchases (days with a
/// purchase after the first), the last at `t_x` after the first, `t` the time from the first to
/// the period's end; `spend` the mean value of the repeat purchases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customer {
    pub x: f64,
    pub t_x: f64,
    pub t: f64,
    pub spend: f64,
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// BG/NBD's parameters: purchase rates Gamma(r, α), dropout probabilities Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// ln(e^x + e^y) without overflow.
fn log_add(x: f64, y: f64) -> f64 {
    let m = x.max(y);
    m + ((x - m).exp() + (y - m).exp()).ln()
}

impl BgNbd {
    /// The log-likelihood of one customer.
    pub fn ll_one(&self, c: &Customer) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let common = ln_gamma(r + c.x) - ln_gamma(r) + r * alpha.ln();
        let alive = ln_beta(a, b + c.x) - ln_beta(a, b) + common - (r + c.x) * (alpha + c.t).ln();
        if c.x > 0.0 {
            let dropped = ln_beta(a + 1.0, b + c.x - 1.0) - ln_beta(a, b) + common - (r + c.x) * (alpha + c.t_x).ln();
            log_add(alive, dropped)
        } else {
            alive
        }
    }

    pub fn ll(&self, customers: &[Customer]) -> f64 {
        customers.iter().map(|c| self.ll_one(c)).sum()
    }

    /// The probability that a customer with this history is still a customer.
    pub fn p_alive(&self, c: &Customer) -> f64 {
        if c.x == 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let ratio = (a / (b + c.x - 1.0)) * ((alpha + c.t) / (alpha + c.t_x)).powf(r + c.x);
        1.0 / (1.0 + ratio)
    }

    /// Expected purchases in the next `horizon` by a customer with this history: the
    /// conditional expectation, with Gauss' hypergeometric function by its series.
    pub fn expected_purchases(&self, c: &Customer, horizon: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = horizon / (alpha + c.t + horizon);
        let hyp = hyp2f1(r + c.x, b + c.x, a + b + c.x - 1.0, z);
        let first =
            (a + b + c.x - 1.0) / (a - 1.0) * (1.0 - ((alpha + c.t) / (alpha + c.t + horizon)).powf(r + c.x) * hyp);
        let delta = if c.x > 0.0 { 1.0 } else { 0.0 };
        let denom = 1.0 + delta * (a / (b + c.x - 1.0)) * ((alpha + c.t) / (alpha + c.t_x)).powf(r + c.x);
        first / denom
    }
}

/// ₂F₁(a, b; c; z) for |z| < 1, by its series until the terms stop mattering.
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..10_000 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

/// Gamma-Gamma's parameters: a customer's spend per purchase is Gamma(p, ν), ν ~ Gamma(q, γ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

impl GammaGamma {
    /// The log-likelihood over repeat customers (x > 0, spend > 0), the constant term kept as
    /// the published fits keep it.
    pub fn ll(&self, customers: &[Customer]) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        customers
            .iter()
            .filter(|c| c.x > 0.0 && c.spend > 0.0)
            .map(|c| {
                let (x, m) = (c.x, c.spend);
                ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
                    + q * gamma.ln()
                    + (p * x - 1.0) * m.ln()
                    + (p * x) * x.ln()
                    - (p * x + q) * (gamma + m * x).ln()
            })
            .sum()
    }

    /// A customer's expected spend per purchase.
    pub fn expected_spend(&self, c: &Customer) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        (gamma + c.spend * c.x) * p / (p * c.x + q - 1.0)
    }
}

/// A customer's lifetime value over `periods` periods of `period` units each (a month is
/// 4.345 weeks), discounted at `rate` a period: each period's expected purchases (the
/// difference of the conditional expectations at its end and start) times the expected spend,
/// brought back to now.
pub fn discounted_value(bg: &BgNbd, gg: &GammaGamma, c: &Customer, periods: u32, period: f64, rate: f64) -> f64 {
    let spend = gg.expected_spend(c);
    let mut before = 0.0;
    let mut total = 0.0;
    for k in 1..=periods {
        let upto = bg.expected_purchases(c, f64::from(k) * period);
        total += (upto - before) * spend / (1.0 + rate).powi(k as i32);
        before = upto;
    }
    total
}

/// Minimize `f` by Nelder-Mead from `start`: the simplex algorithm, with the usual reflection,
/// expansion, contraction and shrink, until the values of the simplex agree to `tol`.
pub fn nelder_mead(f: impl Fn(&[f64]) -> f64, start: &[f64], tol: f64, max_iter: usize) -> (Vec<f64>, f64) {
    let n = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((start.to_vec(), f(start)));
    for i in 0..n {
        let mut p = start.to_vec();
        p[i] += if p[i] == 0.0 { 0.25 } else { 0.25 * p[i].abs().max(1.0) };
        let v = f(&p);
        simplex.push((p, v));
    }
    for _ in 0..max_iter {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if (simplex[n].1 - simplex[0].1).abs() <= tol * (1.0 + simplex[0].1.abs()) {
            break;
        }
        let centroid: Vec<f64> =
            (0..n).map(|j| simplex[..n].iter().map(|(p, _)| p[j]).sum::<f64>() / n as f64).collect();
        let at = |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j])).collect() };
        let reflected = at(-1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = at(-2.0);
            let fe = f(&expanded);
            simplex[n] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[n].1 { at(-0.5) } else { at(0.5) };
            let fc = f(&contracted);
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (contracted, fc);
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 = (0..n).map(|j| best[j] + 0.5 * (s.0[j] - best[j])).collect();
                    s.1 = f(&s.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

/// Fit BG/NBD by maximum likelihood (over the parameters' logarithms, so they stay
/// positive); returns the parameters and the log-likelihood.
pub fn fit_bgnbd(customers: &[Customer]) -> (BgNbd, f64) {
    let of = |v: &[f64]| BgNbd { r: v[0].exp(), alpha: v[1].exp(), a: v[2].exp(), b: v[3].exp() };
    let nll = |v: &[f64]| {
        let ll = of(v).ll(customers);
        if ll.is_finite() {
            -ll
        } else {
            f64::INFINITY
        }
    };
    let (mut best, mut value) = nelder_mead(nll, &[0.0, 0.0, 0.0, 0.0], 1e-12, 20_000);
    // Restarted from where it ended, until it stops improving: Nelder-Mead can stall.
    for _ in 0..5 {
        let (p, v) = nelder_mead(nll, &best, 1e-14, 20_000);
        let done = value - v < 1e-10;
        (best, value) = (p, v);
        if done {
            break;
        }
    }
    (of(&best), -value)
}

/// Fit Gamma-Gamma by maximum likelihood over the repeat customers.
pub fn fit_gamma_gamma(customers: &[Customer]) -> (GammaGamma, f64) {
    let of = |v: &[f64]| GammaGamma { p: v[0].exp(), q: v[1].exp(), gamma: v[2].exp() };
    let nll = |v: &[f64]| {
        let ll = of(v).ll(customers);
        if ll.is_finite() {
            -ll
        } else {
            f64::INFINITY
        }
    };
    let (mut best, mut value) = nelder_mead(nll, &[0.0, 0.0, 0.0], 1e-12, 20_000);
    for _ in 0..5 {
        let (p, v) = nelder_mead(nll, &best, 1e-14, 20_000);
        let done = value - v < 1e-10;
        (best, value) = (p, v);
        if done {
            break;
        }
    }
    (of(&best), -value)
}

/// What a purchase touch was worth, in minor units of its currency: the `revenue` of the
/// Segment e-commerce spec's `Order Completed`, else its `total` (both in major units), else
/// Leadline's own `amount` (minor units, as money is everywhere in Leadline). `None` without
/// any of them, or for a negative or unreadable one.
pub fn purchase_value(revenue: Option<f64>, total: Option<f64>, amount: Option<f64>, minor_digits: u32) -> Option<i64> {
    let minor = match (revenue.or(total), amount) {
        (Some(major), _) => major * 10f64.powi(minor_digits as i32),
        (None, Some(minor)) => minor,
        (None, None) => return None,
    };
    (0.0..1e15).contains(&minor).then(|| minor.round() as i64)
}

/// Purchases of one customer as the models read them: same-day purchases merged, the first
/// day the start, repeat purchases and recency up to `end`, in units of `unit` (a week:
/// 7 days), and the mean value of the repeat days. `None` for someone whose first purchase is
/// after `end`.
pub fn summarize(mut purchases: Vec<(Millis, f64)>, end: Millis, unit: Millis) -> Option<Customer> {
    purchases.retain(|(t, _)| *t <= end);
    purchases.sort_by_key(|(t, _)| *t);
    let day = |t: Millis| t.div_euclid(86_400_000);
    let mut days: Vec<(i64, f64)> = Vec::new();
    for (t, v) in purchases {
        match days.last_mut() {
            Some((d, total)) if *d == day(t) => *total += v,
            _ => days.push((day(t), v)),
        }
    }
    let (first, _) = *days.first()?;
    let last = days.last()?.0;
    let repeats = &days[1..];
    let units = |d: i64| (d * 86_400_000) as f64 / unit as f64;
    Some(Customer {
        x: repeats.len() as f64,
        t_x: units(last - first),
        t: units(day(end) - first),
        spend: if repeats.is_empty() {
            0.0
        } else {
            repeats.iter().map(|(_, v)| v).sum::<f64>() / repeats.len() as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purchase_touch_is_worth_its_revenue() {
        assert_eq!(purchase_value(Some(25.5), Some(30.0), Some(1.0), 2), Some(2_550), "revenue first");
        assert_eq!(purchase_value(None, Some(30.0), Some(1.0), 2), Some(3_000), "then the total");
        assert_eq!(purchase_value(None, None, Some(1_000.0), 2), Some(1_000), "amount is minor units");
        assert_eq!(purchase_value(Some(500.0), None, None, 0), Some(500), "yen have no minor unit");
        assert_eq!(purchase_value(Some(0.125), None, None, 3), Some(125));
        assert_eq!(purchase_value(None, None, None, 2), None);
        assert_eq!(purchase_value(Some(-5.0), None, None, 2), None, "a refund is not a purchase");
        assert_eq!(purchase_value(Some(f64::NAN), None, None, 2), None);
        assert_eq!(purchase_value(Some(1e300), None, None, 2), None);
    }

    #[test]
    fn discounting_takes_the_value_down_and_none_leaves_the_expectation() {
        let bg = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let gg = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
        let c = Customer { x: 3.0, t_x: 20.0, t: 39.0, spend: 30.0 };
        let month = 4.345;
        let plain = discounted_value(&bg, &gg, &c, 12, month, 0.0);
        let expected = bg.expected_purchases(&c, 12.0 * month) * gg.expected_spend(&c);
        assert!((plain - expected).abs() < 1e-9 * expected, "{plain} vs {expected}");
        let discounted = discounted_value(&bg, &gg, &c, 12, month, 0.01);
        assert!(discounted < plain && discounted > 0.8 * plain);
        let gone = Customer { x: 3.0, t_x: 2.0, t: 39.0, spend: 30.0 };
        assert!(
            discounted_value(&bg, &gg, &gone, 12, month, 0.01) < discounted,
            "a customer long silent is worth less"
        );
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-10 * (1.0 + b.abs());
        assert!(close(ln_gamma(1.0), 0.0) && close(ln_gamma(2.0), 0.0));
        assert!(close(ln_gamma(5.0), 24f64.ln()));
        assert!(close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln()));
        assert!(close(ln_gamma(0.1), 2.252_712_651_734_206));
        assert!(close(ln_gamma(100.0), 359.134_205_369_575_4));
    }

    #[test]
    fn a_purchase_history_is_summarized_as_the_models_read_it() {
        const DAY: Millis = 86_400_000;
        // Days 0, 0 (merged), 14, 28; the period ends on day 70; a purchase after it is out.
        let c = summarize(
            vec![(0, 10.0), (3_600_000, 5.0), (14 * DAY, 20.0), (28 * DAY, 40.0), (80 * DAY, 1.0)],
            70 * DAY,
            7 * DAY,
        )
        .unwrap();
        assert_eq!(c, Customer { x: 2.0, t_x: 4.0, t: 10.0, spend: 30.0 });
        assert_eq!(summarize(vec![(80 * DAY, 1.0)], 70 * DAY, 7 * DAY), None);
    }

    #[test]
    fn nelder_mead_finds_a_minimum() {
        let (p, v) =
            nelder_mead(|x| (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2) * 10.0 + 2.0, &[0.0, 0.0], 1e-14, 5_000);
        assert!((p[0] - 3.0).abs() < 1e-5 && (p[1] + 1.0).abs() < 1e-5 && (v - 2.0).abs() < 1e-9, "{p:?} {v}");
    }

    #[test]
    fn the_predictions_behave() {
        let m = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
        let never = Customer { x: 0.0, t_x: 0.0, t: 38.86, spend: 0.0 };
        let recent = Customer { x: 4.0, t_x: 38.0, t: 38.86, spend: 30.0 };
        let gone = Customer { x: 4.0, t_x: 5.0, t: 38.86, spend: 30.0 };
        assert_eq!(m.p_alive(&never), 1.0);
        assert!(m.p_alive(&recent) > 0.8 && m.p_alive(&gone) < 0.3, "{} {}", m.p_alive(&recent), m.p_alive(&gone));
        let e = |c: &Customer| m.expected_purchases(c, 39.0);
        assert!(e(&recent) > e(&gone) && e(&gone) > 0.0 && e(&never) > 0.0);
        assert!(m.expected_purchases(&recent, 78.0) > e(&recent));
    }
}
