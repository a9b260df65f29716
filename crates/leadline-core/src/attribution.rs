//! Attribution: how much of a conversion (a lead made, an MQL, a deal won with its amount)
//! each touch before it earns, by model. Credits of one conversion add up to one (and its
//! value to the value); a conversion with no touch before it earns nothing here (the reports
//! count it as "no touch").

use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// All to the first touch.
    FirstTouch,
    /// All to the last touch before the conversion.
    LastTouch,
    /// Equal shares.
    Linear,
    /// 40% to the first, 40% to the last, 20% shared by those between (half each to the ends
    /// when there are only two).
    UShaped,
    /// Each touch weighs ½^(age / half-life), age counted back from the conversion.
    TimeDecay { half_life: Millis },
}

impl Model {
    pub const NAMES: [&'static str; 5] = ["first_touch", "last_touch", "linear", "u_shaped", "time_decay"];

    /// A model by name; time decay halves every 7 days.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "first_touch" => Self::FirstTouch,
            "last_touch" => Self::LastTouch,
            "linear" => Self::Linear,
            "u_shaped" => Self::UShaped,
            "time_decay" => Self::TimeDecay { half_life: 7 * 86_400_000 },
            _ => return None,
        })
    }
}

/// The share of a conversion at `at` each touch earns, in the order given (which must be
/// time order). Touches after the conversion earn nothing.
pub fn credits(touch_times: &[Millis], at: Millis, model: Model) -> Vec<f64> {
    let n = touch_times.iter().take_while(|t| **t <= at).count();
    let mut out = vec![0.0; touch_times.len()];
    if n == 0 {
        return out;
    }
    match model {
        Model::FirstTouch => out[0] = 1.0,
        Model::LastTouch => out[n - 1] = 1.0,
        Model::Linear => out[..n].iter_mut().for_each(|c| *c = 1.0 / n as f64),
        Model::UShaped => match n {
            1 => out[0] = 1.0,
            2 => {
                out[0] = 0.5;
                out[1] = 0.5;
            }
            _ => {
                out[0] = 0.4;
                out[n - 1] = 0.4;
                let middle = 0.2 / (n - 2) as f64;
                out[1..n - 1].iter_mut().for_each(|c| *c = middle);
            }
        },
        Model::TimeDecay { half_life } => {
            let weights: Vec<f64> =
                touch_times[..n].iter().map(|t| 0.5_f64.powf((at - t) as f64 / half_life.max(1) as f64)).collect();
            let total: f64 = weights.iter().sum();
            for (c, w) in out.iter_mut().zip(weights) {
                *c = w / total;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: Millis = 86_400_000;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn each_model_by_hand() {
        // Touches on days 0, 7 and 14; the conversion on day 14; one touch after it.
        let t = [0, 7 * DAY, 14 * DAY, 20 * DAY];
        let at = 14 * DAY;
        assert!(close(&credits(&t, at, Model::FirstTouch), &[1.0, 0.0, 0.0, 0.0]));
        assert!(close(&credits(&t, at, Model::LastTouch), &[0.0, 0.0, 1.0, 0.0]));
        assert!(close(&credits(&t, at, Model::Linear), &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0]));
        assert!(close(&credits(&t, at, Model::UShaped), &[0.4, 0.2, 0.4, 0.0]));
        // Weights 1/4, 1/2, 1 (ages 14, 7 and 0 days, half-life 7): 1/7, 2/7, 4/7.
        let decay = credits(&t, at, Model::parse("time_decay").unwrap());
        assert!(close(&decay, &[1.0 / 7.0, 2.0 / 7.0, 4.0 / 7.0, 0.0]), "{decay:?}");
        assert!(close(&credits(&t[..2], at, Model::UShaped), &[0.5, 0.5]));
        assert!(close(&credits(&[3 * DAY], at, Model::UShaped), &[1.0]));
        assert!(close(&credits(&[30 * DAY], at, Model::Linear), &[0.0]), "no touch before it");
        // Five touches: the middle three share 20%.
        let five = [0, 1, 2, 3, 4];
        let m = 0.2 / 3.0;
        assert!(close(&credits(&five, 4, Model::UShaped), &[0.4, m, m, m, 0.4]));
    }

    proptest! {
        /// Every model hands out the whole conversion, only to touches before it.
        #[test]
        fn credits_add_up_to_one(mut times in proptest::collection::vec(0i64..100 * DAY, 1..20), at in 0i64..100 * DAY, m in 0usize..5) {
            times.sort_unstable();
            let c = credits(&times, at, Model::parse(Model::NAMES[m]).unwrap());
            let before = times.iter().filter(|t| **t <= at).count();
            let total: f64 = c.iter().sum();
            if before == 0 {
                prop_assert!(total == 0.0);
            } else {
                prop_assert!((total - 1.0).abs() < 1e-9);
            }
            prop_assert!(c.iter().zip(&times).all(|(c, t)| *t <= at || *c == 0.0));
        }
    }
}
