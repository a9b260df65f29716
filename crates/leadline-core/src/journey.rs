//! Customer journeys: the lifecycle seen as four journey stages (awareness, consideration,
//! decision, loyalty), each person's touchpoints placed in the stage they were in when they
//! happened, and for a group of people how many reached each stage, how many went on, and
//! where those who stopped were last touched (the barriers).

use std::collections::HashMap;

use crate::lifecycle::LifecycleStage;
use crate::Millis;

pub const STAGES: [&str; 4] = ["awareness", "consideration", "decision", "loyalty"];

/// The journey stage of a lifecycle stage: subscribers and leads are becoming aware; MQLs and
/// SQLs considering; opportunities deciding; customers and evangelists loyal.
pub fn stage_of(s: LifecycleStage) -> usize {
    use LifecycleStage as L;
    match s {
        L::Subscriber | L::Lead | L::Other => 0,
        L::MarketingQualified | L::SalesQualified => 1,
        L::Opportunity => 2,
        L::Customer | L::Evangelist => 3,
    }
}

/// One person: when they first reached each lifecycle stage, and their touchpoints (time,
/// kind), in any order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub reached: Vec<(LifecycleStage, Millis)>,
    pub touches: Vec<(Millis, String)>,
}

/// One journey stage of a group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageMap {
    /// People who reached this stage (or a later one).
    pub reached: u64,
    /// Of them, people who reached the next stage.
    pub went_on: u64,
    /// Touchpoints in this stage by kind, most first.
    pub touchpoints: Vec<(String, u64)>,
    /// For people who stopped here: their last touchpoint's kind, most first (the barriers).
    pub last_before_stopping: Vec<(String, u64)>,
}

/// When a person entered each journey stage: the first time they reached a lifecycle stage of
/// it or a later one (someone made a customer straight away went through the others at once).
pub fn entered(p: &Person) -> [Option<Millis>; 4] {
    let mut out = [None; 4];
    for &(s, at) in &p.reached {
        for slot in out.iter_mut().take(stage_of(s) + 1) {
            *slot = Some(slot.map_or(at, |t: Millis| t.min(at)));
        }
    }
    out
}

/// The journey stage someone was in at `t`, given when they entered each.
pub fn stage_at(entered: &[Option<Millis>; 4], t: Millis) -> usize {
    (0..4).rev().find(|&k| entered[k].is_some_and(|e| e <= t)).unwrap_or(0)
}

fn ranked(counts: HashMap<String, u64>, keep: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(keep);
    v
}

/// The map of a group: for each journey stage, who reached it and went on, its touchpoints, and
/// the barriers, the `keep` most common of each.
pub fn map(people: &[Person], keep: usize) -> [StageMap; 4] {
    let mut out: [StageMap; 4] = Default::default();
    let mut touch_counts: [HashMap<String, u64>; 4] = Default::default();
    let mut last_counts: [HashMap<String, u64>; 4] = Default::default();
    for p in people {
        let e = entered(p);
        // Someone with no stage at all is becoming aware.
        let top = (0..4).rev().find(|&k| e[k].is_some()).unwrap_or(0);
        for (k, stage) in out.iter_mut().enumerate().take(top + 1) {
            stage.reached += 1;
            if k < top {
                stage.went_on += 1;
            }
        }
        let mut touches: Vec<&(Millis, String)> = p.touches.iter().collect();
        touches.sort_by_key(|t| t.0);
        for (t, kind) in &touches {
            *touch_counts[stage_at(&e, *t)].entry(kind.clone()).or_default() += 1;
        }
        if top < 3 {
            if let Some((_, kind)) = touches.iter().rev().find(|(t, _)| stage_at(&e, *t) == top) {
                *last_counts[top].entry(kind.clone()).or_default() += 1;
            }
        }
    }
    for (k, stage) in out.iter_mut().enumerate() {
        stage.touchpoints = ranked(std::mem::take(&mut touch_counts[k]), keep);
        stage.last_before_stopping = ranked(std::mem::take(&mut last_counts[k]), keep);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleStage as L;

    fn person(reached: &[(LifecycleStage, Millis)], touches: &[(Millis, &str)]) -> Person {
        Person { reached: reached.to_vec(), touches: touches.iter().map(|(t, k)| (*t, (*k).to_owned())).collect() }
    }

    #[test]
    fn touchpoints_land_in_the_stage_of_their_time() {
        let p = person(
            &[(L::Lead, 10), (L::MarketingQualified, 20), (L::Customer, 50)],
            &[(5, "page_view"), (15, "email_opened"), (25, "call"), (60, "purchase")],
        );
        let e = entered(&p);
        assert_eq!(e, [Some(10), Some(20), Some(50), Some(50)], "made a customer at once: decided then too");
        assert_eq!([5, 15, 25, 60].map(|t| stage_at(&e, t)), [0, 0, 1, 3]);
    }

    #[test]
    fn a_group_says_who_went_on_and_where_the_rest_stopped() {
        let people = [
            person(&[(L::Lead, 1)], &[(1, "page_view"), (2, "form_submission")]),
            person(&[(L::Lead, 1)], &[(1, "page_view"), (3, "page_view")]),
            person(&[(L::Lead, 1), (L::MarketingQualified, 5)], &[(2, "page_view"), (6, "email_clicked")]),
            person(
                &[(L::Lead, 1), (L::SalesQualified, 5), (L::Opportunity, 9), (L::Customer, 20)],
                &[(10, "meeting"), (21, "purchase")],
            ),
            person(&[], &[(1, "page_view")]),
        ];
        let m = map(&people, 3);
        assert_eq!(m.iter().map(|s| (s.reached, s.went_on)).collect::<Vec<_>>(), [(5, 2), (2, 1), (1, 1), (1, 0)]);
        assert_eq!(m[0].touchpoints, [("page_view".to_owned(), 5), ("form_submission".to_owned(), 1)]);
        assert_eq!(m[0].last_before_stopping, [("page_view".to_owned(), 2), ("form_submission".to_owned(), 1)]);
        assert_eq!(m[1].last_before_stopping, [("email_clicked".to_owned(), 1)]);
        assert_eq!(m[2].touchpoints, [("meeting".to_owned(), 1)]);
        assert!(m[3].last_before_stopping.is_empty(), "the loyal have not stopped");
    }
}
