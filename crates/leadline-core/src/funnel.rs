//! Funnels: how far each person got through ordered steps within a conversion window.
//!
//! The modes are those of ClickHouse's `windowFunnel`, by their definitions:
//!
//! - `default`: the longest prefix of the steps that the person did in order, the last step no
//!   later than the window after the first. Other events in between do not matter.
//! - `strict_order`: as default, but once the first step is done, an event that is no step (or a
//!   step whose previous step was not reached) ends the search there.
//! - `strict_deduplication`: as default, but a step (other than the first) that happens again
//!   after it was reached ends the search there.
//! - `strict_increase`: as default, with each step strictly later than the one before.
//!
//! A person's events come in as [`Hit`]s in time order, one hit per step an event matches and a
//! hit of step 0 for an event that matches none (only `strict_order` looks at those). At equal
//! times, hits go by step as ClickHouse sorts them, except that one event's hits go from its
//! highest step down, so that one event is never two steps of a chain (as PostHog counts a step
//! repeated: two page views for "page view, then page view"). [`progress`] walks them once, keeping
//! for every level the chain that started latest (the one that leaves the most of the window);
//! the tests check it against a search of every chain.

use crate::Millis;

/// The most steps a funnel may have.
pub const MAX_STEPS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Default,
    StrictOrder,
    StrictDeduplication,
    StrictIncrease,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Default, Mode::StrictOrder, Mode::StrictDeduplication, Mode::StrictIncrease];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Default => "default",
            Mode::StrictOrder => "strict_order",
            Mode::StrictDeduplication => "strict_deduplication",
            Mode::StrictIncrease => "strict_increase",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One step one event matches: the event's time and the step (1-based; 0 for no step).
pub type Hit = (Millis, u8);

/// How far one person got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// The number of steps reached (0 ..= steps).
    pub level: u8,
    /// `gaps[i]`: for a person who reached step `i + 1` (0-based `i >= 1`), the time from step
    /// `i` to step `i + 1` on the chain that first reached it.
    pub gaps: [Millis; MAX_STEPS],
}

/// A chain: when it started and when it reached its level. `first == NONE`: no chain.
#[derive(Clone, Copy)]
struct Chain {
    first: Millis,
    last: Millis,
}

const NONE: Chain = Chain { first: Millis::MIN, last: Millis::MIN };

impl Chain {
    fn is_some(self) -> bool {
        self.first != Millis::MIN
    }

    /// Keep the better of this chain and `c`: the later start (more of the window left), then
    /// the earlier arrival.
    fn offer(&mut self, c: Chain) {
        if !self.is_some() || c.first > self.first || (c.first == self.first && c.last < self.last) {
            *self = c;
        }
    }
}

/// One level's chains. Only the one that started latest matters, except under
/// `strict_increase`, where a chain that reached the level at the current instant cannot be
/// extended at that instant: it waits in `pending` until time moves on.
#[derive(Clone, Copy)]
struct Level {
    settled: Chain,
    pending: Chain,
}

const EMPTY: Level = Level { settled: NONE, pending: NONE };

impl Level {
    fn reached(&self) -> bool {
        self.settled.is_some() || self.pending.is_some()
    }

    /// Settle the pending chain if it reached this level before `t`.
    fn settle_before(&mut self, t: Millis) {
        if self.pending.is_some() && self.pending.last < t {
            let p = std::mem::replace(&mut self.pending, NONE);
            self.settled.offer(p);
        }
    }
}

/// One person's walk through the funnel, a hit at a time (see [`progress`]). Made once and
/// [`reset`](Walker::reset) for each person: a funnel over a million people allocates nothing.
pub struct Walker {
    steps: u8,
    window: Millis,
    mode: Mode,
    levels: [Level; MAX_STEPS],
    started: bool,
    out: Progress,
}

impl Walker {
    pub fn new(steps: u8, window: Millis, mode: Mode) -> Walker {
        let steps = steps.min(MAX_STEPS as u8);
        Walker { steps, window, mode, levels: [EMPTY; MAX_STEPS], started: false, out: Progress::default() }
    }

    pub fn reset(&mut self) {
        self.levels[..usize::from(self.steps)].fill(EMPTY);
        self.started = false;
        self.out.level = 0;
    }

    /// Where the walk stands.
    pub fn progress(&self) -> &Progress {
        &self.out
    }

    /// Take the next hit; true when the walk is over (every step reached, or the mode stops).
    #[inline]
    pub fn hit(&mut self, t: Millis, step: u8) -> bool {
        let steps = self.steps;
        if step == 0 || step > steps {
            return self.mode == Mode::StrictOrder && self.started && step == 0;
        }
        let strict = self.mode == Mode::StrictIncrease;
        let i = usize::from(step - 1);
        if i == 0 {
            // A later start is never worse than an earlier one: it leaves more of the window.
            self.push(0, Chain { first: t, last: t }, strict);
            self.started = true;
            self.out.level = self.out.level.max(1);
            return steps == 1;
        }
        match self.mode {
            Mode::StrictDeduplication if self.levels[i].reached() => return true,
            Mode::StrictOrder if self.started && !self.levels[i - 1].reached() => return true,
            _ => {}
        }
        let before = &mut self.levels[i - 1];
        if strict {
            before.settle_before(t);
        }
        let prev = before.settled;
        if !prev.is_some() || t > prev.first.saturating_add(self.window) {
            return false;
        }
        self.push(i, Chain { first: prev.first, last: t }, strict);
        if usize::from(self.out.level) == i {
            self.out.level = step;
            self.out.gaps[i] = t - prev.last;
            return step == steps;
        }
        false
    }

    fn push(&mut self, i: usize, c: Chain, strict: bool) {
        let level = &mut self.levels[i];
        if strict {
            level.settle_before(c.last);
            level.pending.offer(c);
        } else {
            level.settled.offer(c);
        }
    }
}

/// How far the person whose `hits` these are got through `steps` steps (at most
/// [`MAX_STEPS`]), within `window` of the first step.
pub fn progress(hits: &[Hit], steps: u8, window: Millis, mode: Mode) -> Progress {
    let mut w = Walker::new(steps, window, mode);
    for &(t, step) in hits {
        if w.hit(t, step) {
            break;
        }
    }
    *w.progress()
}

/// People per level and the times between steps, for a whole funnel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    steps: usize,
    /// `at_level[l]`: people whose level is exactly `l`.
    pub at_level: Vec<u64>,
    /// `gaps[i]`: the times from step `i` to step `i + 1` (0-based), one per person who got there.
    pub gaps: Vec<Vec<Millis>>,
}

impl Tally {
    pub fn new(steps: usize) -> Tally {
        Tally { steps, at_level: vec![0; steps + 1], gaps: vec![Vec::new(); steps] }
    }

    pub fn add(&mut self, p: &Progress) {
        let level = usize::from(p.level).min(self.steps);
        self.at_level[level] += 1;
        for i in 1..level {
            self.gaps[i].push(p.gaps[i]);
        }
    }

    pub fn absorb(&mut self, other: Tally) {
        for (a, b) in self.at_level.iter_mut().zip(other.at_level) {
            *a += b;
        }
        for (a, b) in self.gaps.iter_mut().zip(other.gaps) {
            a.extend(b);
        }
    }

    /// For each step, how many reached it or went further, and how long the step took from the
    /// one before.
    pub fn report(mut self) -> Vec<StepFigures> {
        let mut out = Vec::with_capacity(self.steps);
        let mut further: u64 = self.at_level.iter().skip(1).sum();
        let first = further;
        let mut previous = further;
        for i in 0..self.steps {
            let count = further;
            further -= self.at_level[i + 1];
            let gaps = &mut self.gaps[i];
            let (median_ms, average_ms) = if i == 0 || gaps.is_empty() {
                (None, None)
            } else {
                let sum: i128 = gaps.iter().map(|&g| i128::from(g)).sum();
                let average = (sum / gaps.len() as i128) as Millis;
                (Some(median(gaps)), Some(average))
            };
            out.push(StepFigures {
                count,
                dropped: previous - count,
                conversion_from_previous: ratio(count, previous),
                conversion_from_first: ratio(count, first),
                median_ms,
                average_ms,
            });
            previous = count;
        }
        out
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The median (the lower of the middle two for an even count).
fn median(v: &mut [Millis]) -> Millis {
    let mid = (v.len() - 1) / 2;
    *v.select_nth_unstable(mid).1
}

/// One step of a funnel's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFigures {
    /// People who reached this step or went further.
    pub count: u64,
    /// People who reached the step before but not this one (0 for the first step).
    pub dropped: u64,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_first: Option<f64>,
    /// Time from the step before to this one: median and average, over the people who got here.
    pub median_ms: Option<Millis>,
    pub average_ms: Option<Millis>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The level by definition: the longest prefix of the steps for which a chain of hits exists
    /// (in the hits' order, each within the window of the chain's first, strictly later under
    /// strict_increase), searched over every chain.
    fn chain_level(hits: &[Hit], steps: u8, window: Millis, strict: bool) -> u8 {
        // The best level of chains that reached level `want - 1` at `last`, started at `first`,
        // going on from hit `from`.
        let extend = |from: usize, want: u8, first: Millis, last: Millis| {
            fn go(
                hits: &[Hit],
                steps: u8,
                window: Millis,
                strict: bool,
                from: usize,
                want: u8,
                chain: (Millis, Millis),
            ) -> u8 {
                if want > steps {
                    return steps;
                }
                let (first, last) = chain;
                let mut best = want - 1;
                for (j, &(t, s)) in hits.iter().enumerate().skip(from) {
                    if s == want && t <= first + window && (!strict || t > last) {
                        best = best.max(go(hits, steps, window, strict, j + 1, want + 1, (first, t)));
                    }
                }
                best
            }
            go(hits, steps, window, strict, from, want, (first, last))
        };
        let mut best = 0;
        for (j, &(t, s)) in hits.iter().enumerate() {
            if s == 1 {
                best = best.max(extend(j + 1, 2, t, t));
            }
        }
        best
    }

    /// Every mode by its definition: the chain search, over the hits before the point where
    /// the mode stops looking.
    fn reference(hits: &[Hit], steps: u8, window: Millis, mode: Mode) -> u8 {
        let strict = mode == Mode::StrictIncrease;
        let mut started = false;
        for (p, &(_, s)) in hits.iter().enumerate() {
            if s > steps {
                continue;
            }
            let before = chain_level(&hits[..p], steps, window, strict);
            if before == steps {
                return steps;
            }
            let stop = match mode {
                Mode::StrictOrder => started && (s == 0 || (s > 1 && before < s - 1)),
                Mode::StrictDeduplication => s > 1 && before >= s,
                _ => false,
            };
            if stop {
                return before;
            }
            started |= s == 1;
        }
        chain_level(hits, steps, window, strict)
    }

    fn hits_strategy() -> impl Strategy<Value = Vec<Hit>> {
        prop::collection::vec((0i64..40, 0u8..5), 0..14).prop_map(|mut v| {
            v.sort_unstable();
            v
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn every_mode_agrees_with_the_definition(hits in hits_strategy(), steps in 1u8..5, window in 0i64..30) {
            for mode in Mode::ALL {
                let got = progress(&hits, steps, window, mode).level;
                prop_assert_eq!(got, reference(&hits, steps, window, mode), "mode {:?}", mode);
            }
        }

        #[test]
        fn gaps_lie_within_the_window(hits in hits_strategy(), steps in 2u8..5, window in 0i64..30) {
            for mode in Mode::ALL {
                let p = progress(&hits, steps, window, mode);
                prop_assert!(p.gaps.iter().all(|&g| (0..=window).contains(&g)));
                prop_assert!(p.gaps[usize::from(p.level.max(1))..].iter().all(|&g| g == 0));
            }
        }
    }

    #[test]
    fn the_documented_examples() {
        // A -> B -> D -> C, steps A, B, C: strict_order stops at D (level 2); default finds 3.
        let hits = [(1, 1), (2, 2), (3, 0), (4, 3)];
        assert_eq!(progress(&hits, 3, 100, Mode::Default).level, 3);
        assert_eq!(progress(&hits, 3, 100, Mode::StrictOrder).level, 2);
        // A repeated B ends the search under strict_deduplication.
        let hits = [(1, 1), (2, 2), (3, 2), (4, 3)];
        assert_eq!(progress(&hits, 3, 100, Mode::StrictDeduplication).level, 2);
        assert_eq!(progress(&hits, 3, 100, Mode::Default).level, 3);
        // Two steps in the same instant count only without strict_increase.
        let hits = [(1, 1), (1, 2)];
        assert_eq!(progress(&hits, 2, 100, Mode::Default).level, 2);
        assert_eq!(progress(&hits, 2, 100, Mode::StrictIncrease).level, 1);
        // Out of the window: a later start leaves room.
        let hits = [(0, 1), (50, 1), (120, 2)];
        assert_eq!(progress(&hits, 2, 100, Mode::Default).level, 2);
        assert_eq!(progress(&hits[..1], 2, 100, Mode::Default).level, 1);
        // strict_increase finds A(0) B(5) C(7) although a later B shares C's instant.
        let hits = [(0, 1), (5, 2), (7, 2), (7, 3)];
        assert_eq!(progress(&hits, 3, 100, Mode::StrictIncrease).level, 3);
    }

    #[test]
    fn a_report_counts_people_at_each_step_or_further() {
        let mut tally = Tally::new(3);
        for hits in [&[(0, 1), (10, 2), (30, 3)][..], &[(0, 1), (20, 2)], &[(5, 1)], &[(7, 2)]] {
            tally.add(&progress(hits, 3, 100, Mode::Default));
        }
        let r = tally.report();
        assert_eq!(r.iter().map(|s| s.count).collect::<Vec<_>>(), vec![3, 2, 1]);
        assert_eq!(r.iter().map(|s| s.dropped).collect::<Vec<_>>(), vec![0, 1, 1]);
        assert_eq!(r[1].median_ms, Some(10));
        assert_eq!(r[1].average_ms, Some(15));
        assert_eq!(r[2].median_ms, Some(20));
        assert_eq!(r[1].conversion_from_previous, Some(2.0 / 3.0));
        assert_eq!(r[2].conversion_from_first, Some(1.0 / 3.0));
    }
}
