//! The analytics engine's table: every person's events side by side in columns, each person's
//! events together and in time order, so that a funnel is one pass over two arrays.
//!
//! A person is a contact or, before anyone knows who they are, a visitor. An event is an
//! activity: its time, its type (a number from [`EventTable::kinds`]) and its place in the
//! activity log (`seq`, for the steps that filter on properties: the store answers which
//! activities match, the table holds the rest). The table is built once from the log and grown
//! with what the log gained since ([`EventTable::with`]); what builds and refreshes it lives in
//! the server.

use std::collections::HashMap;
use std::ops::Range;

#[cfg(test)]
use crate::funnel::{progress, Hit};
use crate::funnel::{Mode, Tally, Walker, MAX_STEPS};
use crate::Millis;

/// One event as the log gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub seq: i64,
    pub person: u32,
    pub at: Millis,
    pub kind: u16,
}

/// People, their events, and the names of people and event types.
#[derive(Debug, Clone, Default)]
pub struct EventTable {
    /// `starts[p] .. starts[p + 1]`: person `p`'s events.
    starts: Vec<u32>,
    at: Vec<Millis>,
    kind: Vec<u16>,
    seq: Vec<i64>,
    /// Who each person is (a contact's id, or `v:` and a visitor's id).
    pub people: Vec<Box<str>>,
    person_index: HashMap<Box<str>, u32>,
    /// The event types, by number.
    pub kinds: Vec<Box<str>>,
    kind_index: HashMap<Box<str>, u16>,
}

impl EventTable {
    pub fn people_count(&self) -> usize {
        self.people.len()
    }

    pub fn event_count(&self) -> usize {
        self.at.len()
    }

    /// The bytes the table holds: its columns, and the names of people and types.
    pub fn heap_bytes(&self) -> usize {
        let names: usize = self.people.iter().chain(&self.kinds).map(|s| s.len() * 2 + 48).sum();
        self.starts.capacity() * 4 + self.at.capacity() * 8 + self.kind.capacity() * 2 + self.seq.capacity() * 8 + names
    }

    /// The number of a person, given a number if new.
    pub fn person(&mut self, key: &str) -> u32 {
        if let Some(&p) = self.person_index.get(key) {
            return p;
        }
        let p = self.people.len() as u32;
        self.people.push(key.into());
        self.person_index.insert(key.into(), p);
        p
    }

    pub fn find_person(&self, key: &str) -> Option<u32> {
        self.person_index.get(key).copied()
    }

    /// The number of an event type, given a number if new.
    pub fn kind(&mut self, name: &str) -> u16 {
        if let Some(&k) = self.kind_index.get(name) {
            return k;
        }
        let k = self.kinds.len() as u16;
        self.kinds.push(name.into());
        self.kind_index.insert(name.into(), k);
        k
    }

    pub fn find_kind(&self, name: &str) -> Option<u16> {
        self.kind_index.get(name).copied()
    }

    /// Add `rows` (people and kinds numbered already through [`person`](Self::person) and
    /// [`kind`](Self::kind)), then give every event of a person in `moves` (from, to) to the
    /// other (a visitor who turned out to be a contact). Linear in the table's size: events are
    /// placed by person, and only the people who gained events are sorted again.
    pub fn with(&mut self, rows: &[Row], moves: &[(u32, u32)]) {
        let people = self.people.len();
        if rows.is_empty() && moves.is_empty() && self.starts.len() == people + 1 {
            return;
        }
        let owner = owners(people, moves);
        let owner_of = |p: u32| owner.as_ref().map_or(p, |o| o[p as usize]);
        let old_people = self.starts.len().saturating_sub(1);
        let mut counts = vec![0u32; people];
        let mut touched = vec![false; people];
        for p in 0..old_people {
            let n = self.starts[p + 1] - self.starts[p];
            let to = owner_of(p as u32) as usize;
            counts[to] += n;
            touched[to] |= to != p && n > 0;
        }
        for r in rows {
            let to = owner_of(r.person) as usize;
            counts[to] += 1;
            touched[to] = true;
        }
        let mut starts = Vec::with_capacity(people + 1);
        let mut sum = 0u32;
        for c in &counts {
            starts.push(sum);
            sum += c;
        }
        starts.push(sum);
        let total = sum as usize;
        let mut at = vec![0; total];
        let mut kind = vec![0; total];
        let mut seq = vec![0; total];
        let mut fill: Vec<u32> = starts[..people].to_vec();
        for p in 0..old_people {
            let from = self.starts[p] as usize..self.starts[p + 1] as usize;
            let to = owner_of(p as u32) as usize;
            let place = fill[to] as usize..fill[to] as usize + from.len();
            at[place.clone()].copy_from_slice(&self.at[from.clone()]);
            kind[place.clone()].copy_from_slice(&self.kind[from.clone()]);
            seq[place].copy_from_slice(&self.seq[from.clone()]);
            fill[to] += from.len() as u32;
        }
        for r in rows {
            let to = owner_of(r.person) as usize;
            let i = fill[to] as usize;
            at[i] = r.at;
            kind[i] = r.kind;
            seq[i] = r.seq;
            fill[to] += 1;
        }
        let mut order: Vec<(Millis, i64, u16)> = Vec::new();
        for p in (0..people).filter(|&p| touched[p]) {
            let range = starts[p] as usize..starts[p + 1] as usize;
            order.clear();
            order.extend(range.clone().map(|i| (at[i], seq[i], kind[i])));
            order.sort_unstable();
            for (i, &(a, s, k)) in range.zip(&order) {
                at[i] = a;
                seq[i] = s;
                kind[i] = k;
            }
        }
        self.starts = starts;
        self.at = at;
        self.kind = kind;
        self.seq = seq;
    }

    /// Person `p`'s events: (time, type, seq), in time order.
    pub fn events_of(&self, p: u32) -> impl Iterator<Item = (Millis, u16, i64)> + '_ {
        let range = self.range_of(p);
        range.map(|i| (self.at[i], self.kind[i], self.seq[i]))
    }

    /// Person `p`'s events in `[from, to)` (their times are in order).
    fn in_period(&self, p: u32, from: Millis, to: Millis) -> Range<usize> {
        let range = self.range_of(p);
        let at = &self.at[range.clone()];
        match (at.first(), at.last()) {
            (Some(&a), Some(&b)) if a >= from && b < to => range,
            _ => range.start + at.partition_point(|&t| t < from)..range.start + at.partition_point(|&t| t < to),
        }
    }

    fn range_of(&self, p: u32) -> Range<usize> {
        match (self.starts.get(p as usize), self.starts.get(p as usize + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// The funnel over people `people` (numbers; the caller splits the work), each person
    /// counted in `tallies[group_of(person)]`.
    pub fn funnel(
        &self,
        plan: &FunnelPlan,
        people: Range<u32>,
        group_of: &impl Fn(u32) -> usize,
        tallies: &mut [Tally],
    ) {
        let mut walker = Walker::new(plan.steps.len() as u8, plan.window, plan.mode);
        let mut keyed: Vec<(Millis, u8, u8)> = Vec::new();
        let strict_order = plan.mode == Mode::StrictOrder;
        for p in people {
            // The person's events in the order they are kept (time, then seq), straight into
            // the walk. Two hits in the same instant need the order of the sort below instead:
            // then the walk starts again from the sorted hits (seldom).
            walker.reset();
            let mut previous = Millis::MIN;
            let mut tie = false;
            let mut done = false;
            let range = self.in_period(p, plan.from, plan.to);
            let seqs = &self.seq[range.clone()];
            for (j, (&t, &kind)) in self.at[range.clone()].iter().zip(&self.kind[range]).enumerate() {
                let mask = if plan.filtered == 0 { plan.mask_of(kind) } else { plan.mask(kind, seqs[j]) };
                if mask == 0 && !strict_order {
                    continue;
                }
                if t == previous {
                    tie = true;
                    break;
                }
                // Over, and the next hit is later: the walk's end stands.
                if done {
                    break;
                }
                previous = t;
                if mask == 0 {
                    done = walker.hit(t, 0);
                    continue;
                }
                for step in steps_of(mask) {
                    if walker.hit(t, step) {
                        done = true;
                        break;
                    }
                }
            }
            if tie {
                keyed.clear();
                for i in self.in_period(p, plan.from, plan.to) {
                    let t = self.at[i];
                    let mask = plan.mask(self.kind[i], self.seq[i]);
                    if mask == 0 {
                        if strict_order {
                            keyed.push((t, 0, 0));
                        }
                        continue;
                    }
                    let lowest = mask.trailing_zeros() as u8 + 1;
                    keyed.extend(steps_of(mask).map(|step| (t, lowest, step)));
                }
                // At one instant, the hits of one event together (by its lowest step), its
                // highest step first.
                keyed.sort_unstable_by_key(|&(t, lowest, step)| (t, lowest, std::cmp::Reverse(step)));
                walker.reset();
                for &(t, _, step) in &keyed {
                    if walker.hit(t, step) {
                        break;
                    }
                }
            }
            // Without the first step a person reaches nothing, and is not counted.
            if walker.progress().level > 0 {
                tallies[group_of(p)].add(walker.progress());
            }
        }
    }

    /// Each person's level, for the tests.
    #[cfg(test)]
    fn levels(&self, plan: &FunnelPlan) -> Vec<u8> {
        (0..self.people_count() as u32)
            .map(|p| {
                let mut t = [Tally::new(plan.steps.len())];
                self.funnel(plan, p..p + 1, &|_| 0, &mut t);
                t[0].at_level.iter().rposition(|&n| n > 0).unwrap_or(0) as u8
            })
            .collect()
    }
}

/// The steps (1-based) an event's `mask` has (bit `i` for step `i + 1`), the highest first: one
/// event is never two steps of the same chain.
fn steps_of(mut mask: u32) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = 31 - mask.leading_zeros();
            mask &= !(1 << bit);
            bit as u8 + 1
        })
    })
}

/// Who holds each person's events after `moves` (applied in order: a move to someone who
/// moved on goes on with them). None when nothing moves.
fn owners(people: usize, moves: &[(u32, u32)]) -> Option<Vec<u32>> {
    if moves.is_empty() {
        return None;
    }
    // Each person points at whom their events went to; the holder is where the pointers end.
    let mut next: Vec<u32> = (0..people as u32).collect();
    let holder = |next: &[u32], mut p: u32| {
        while next[p as usize] != p {
            p = next[p as usize];
        }
        p
    };
    for &(from, to) in moves {
        let to = holder(&next, to);
        if next[from as usize] == from && to != from {
            next[from as usize] = to;
        }
    }
    Some((0..people as u32).map(|p| holder(&next, p)).collect())
}

/// A funnel ready to run over an [`EventTable`].
#[derive(Debug, Clone)]
pub struct FunnelPlan {
    pub steps: Vec<PlannedStep>,
    pub window: Millis,
    pub mode: Mode,
    pub from: Millis,
    pub to: Millis,
    /// For each event type (by number), the steps it may be (bit `i` for step `i + 1`).
    mask_of_kind: Vec<u32>,
    /// The steps that filter on properties.
    filtered: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    /// The event type's number, or None for a type the table has never seen.
    pub kind: Option<u16>,
    /// For a step that filters on properties: the seqs of the activities that pass, sorted.
    pub only: Option<Vec<i64>>,
}

impl FunnelPlan {
    pub fn new(steps: Vec<PlannedStep>, window: Millis, mode: Mode, from: Millis, to: Millis) -> FunnelPlan {
        assert!(steps.len() <= MAX_STEPS, "a funnel has at most {MAX_STEPS} steps");
        let kinds = steps.iter().filter_map(|s| s.kind).max().map_or(0, |k| usize::from(k) + 1);
        let mut mask_of_kind = vec![0u32; kinds];
        for (i, s) in steps.iter().enumerate() {
            if let Some(k) = s.kind {
                mask_of_kind[usize::from(k)] |= 1 << i;
            }
        }
        let filtered = steps.iter().enumerate().filter(|(_, s)| s.only.is_some()).fold(0, |m, (i, _)| m | 1 << i);
        FunnelPlan { steps, window, mode, from, to, mask_of_kind, filtered }
    }

    /// The steps an event of type `kind` may be, before property filters.
    #[inline]
    fn mask_of(&self, kind: u16) -> u32 {
        self.mask_of_kind.get(usize::from(kind)).copied().unwrap_or(0)
    }

    /// The steps an event of type `kind` at `seq` is (bit `i` for step `i + 1`).
    fn mask(&self, kind: u16, seq: i64) -> u32 {
        let mask = self.mask_of(kind);
        if mask & self.filtered == 0 {
            return mask;
        }
        let mut kept = mask & !self.filtered;
        let mut check = mask & self.filtered;
        while check != 0 {
            let bit = check.trailing_zeros();
            check &= check - 1;
            if self.steps[bit as usize].only.as_ref().is_some_and(|seqs| seqs.binary_search(&seq).is_ok()) {
                kept |= 1 << bit;
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(events: &[(&str, Millis, &str)]) -> EventTable {
        let mut t = EventTable::default();
        let rows: Vec<Row> = events
            .iter()
            .enumerate()
            .map(|(i, &(who, at, kind))| Row { seq: i as i64 + 1, person: t.person(who), at, kind: t.kind(kind) })
            .collect();
        t.with(&rows, &[]);
        t
    }

    fn plan(t: &EventTable, steps: &[&str], window: Millis, mode: Mode) -> FunnelPlan {
        let steps = steps.iter().map(|s| PlannedStep { kind: t.find_kind(s), only: None }).collect();
        FunnelPlan::new(steps, window, mode, 0, Millis::MAX)
    }

    fn counts(t: &EventTable, p: &FunnelPlan) -> Vec<u64> {
        let mut tally = [Tally::new(p.steps.len())];
        t.funnel(p, 0..t.people_count() as u32, &|_| 0, &mut tally);
        tally[0].clone().report().iter().map(|s| s.count).collect()
    }

    #[test]
    fn a_funnel_over_a_few_people() {
        let t = table(&[
            ("a", 10, "view"),
            ("b", 5, "view"),
            ("a", 20, "cart"),
            ("b", 500, "cart"),
            ("a", 30, "buy"),
            ("c", 1, "cart"),
            ("c", 2, "view"),
        ]);
        assert_eq!(counts(&t, &plan(&t, &["view", "cart", "buy"], 100, Mode::Default)), vec![3, 1, 1]);
        assert_eq!(counts(&t, &plan(&t, &["view", "cart", "buy"], 1000, Mode::Default)), vec![3, 2, 1]);
        // A type nobody did ends the funnel there.
        assert_eq!(counts(&t, &plan(&t, &["view", "signup"], 100, Mode::Default)), vec![3, 0]);
        // The same type twice: a person needs two of them (one event is never two steps).
        let t2 = table(&[("a", 1, "view"), ("a", 2, "view"), ("b", 1, "view")]);
        assert_eq!(counts(&t2, &plan(&t2, &["view", "view"], 100, Mode::Default)), vec![2, 1]);
    }

    #[test]
    fn property_filters_keep_only_the_activities_named() {
        let t = table(&[("a", 1, "view"), ("a", 2, "view"), ("b", 1, "view"), ("b", 2, "buy")]);
        let view = t.find_kind("view");
        // Only seq 2 (a's second view) passes the filter of step 2.
        let steps = vec![PlannedStep { kind: view, only: None }, PlannedStep { kind: view, only: Some(vec![2]) }];
        let p = FunnelPlan::new(steps, 100, Mode::Default, 0, 100);
        assert_eq!(counts(&t, &p), vec![2, 1]);
    }

    #[test]
    fn a_visitor_who_turns_out_to_be_a_contact_brings_their_events() {
        let mut t = table(&[("v:1", 1, "view"), ("c", 5, "buy"), ("v:1", 2, "cart")]);
        let (v, c) = (t.find_person("v:1").unwrap(), t.find_person("c").unwrap());
        let later = Row { seq: 9, person: c, at: 3, kind: t.kind("view") };
        t.with(&[later], &[(v, c)]);
        let kinds: Vec<_> = t.events_of(c).map(|(at, k, _)| (at, t.kinds[usize::from(k)].to_string())).collect();
        assert_eq!(kinds, vec![(1, "view".into()), (2, "cart".into()), (3, "view".into()), (5, "buy".into())]);
        assert_eq!(t.events_of(v).count(), 0);
        assert_eq!(counts(&t, &plan(&t, &["view", "cart", "buy"], 100, Mode::Default)), vec![1, 1, 1]);
    }

    #[test]
    fn the_period_leaves_out_events_outside_it() {
        let t = table(&[("a", 1, "view"), ("a", 50, "buy"), ("b", 60, "view"), ("b", 70, "buy")]);
        let mut p = plan(&t, &["view", "buy"], 100, Mode::Default);
        p.from = 40;
        p.to = 100;
        assert_eq!(counts(&t, &p), vec![1, 1]);
    }

    proptest! {
        /// Growing the table in parts gives the table built at once; the funnel over it is the
        /// funnel of each person's sorted events.
        #[test]
        fn a_table_grown_in_parts_is_the_table_built_at_once(
            events in prop::collection::vec((0u8..6, 0i64..50, 0u8..4), 0..60),
            split in 0usize..60,
        ) {
            let names = ["p0", "p1", "p2", "p3", "p4", "p5"];
            let kinds = ["k0", "k1", "k2", "k3"];
            let mut whole = EventTable::default();
            let mut parts = EventTable::default();
            let mut rows_whole = Vec::new();
            let mut rows_parts = (Vec::new(), Vec::new());
            for (i, &(who, at, k)) in events.iter().enumerate() {
                let seq = i as i64 + 1;
                rows_whole.push(Row { seq, person: whole.person(names[who as usize]), at, kind: whole.kind(kinds[k as usize]) });
                let r = Row { seq, person: parts.person(names[who as usize]), at, kind: parts.kind(kinds[k as usize]) };
                if i < split { rows_parts.0.push(r) } else { rows_parts.1.push(r) }
            }
            whole.with(&rows_whole, &[]);
            parts.with(&rows_parts.0, &[]);
            parts.with(&rows_parts.1, &[]);
            for name in names {
                let a: Vec<_> = whole.find_person(name).map(|p| whole.events_of(p).collect()).unwrap_or_default();
                let b: Vec<_> = parts.find_person(name).map(|p| parts.events_of(p).collect()).unwrap_or_default();
                let mut expected: Vec<_> = events.iter().enumerate()
                    .filter(|(_, e)| names[e.0 as usize] == name)
                    .map(|(i, e)| (e.1, whole.find_kind(kinds[e.2 as usize]).unwrap(), i as i64 + 1))
                    .collect();
                expected.sort_by_key(|e| (e.0, e.2));
                prop_assert_eq!(&a, &expected);
                let b: Vec<_> = b.into_iter().map(|(t, k, s)| (t, whole.find_kind(&parts.kinds[usize::from(k)]).unwrap(), s)).collect();
                prop_assert_eq!(&b, &expected);
            }
            for mode in Mode::ALL {
                let p = plan(&whole, &["k0", "k1", "k2"], 20, mode);
                for (person, &level) in whole.levels(&p).iter().enumerate() {
                    let mut hits: Vec<Hit> = whole.events_of(person as u32).map(|(t, k, _)| {
                        let step = ["k0", "k1", "k2"].iter().position(|s| whole.find_kind(s) == Some(k)).map_or(0, |i| i as u8 + 1);
                        (t, step)
                    }).filter(|h| mode == Mode::StrictOrder || h.1 > 0).collect();
                    hits.sort_unstable();
                    prop_assert_eq!(level, progress(&hits, 3, 20, mode).level);
                }
            }
        }
    }
}
