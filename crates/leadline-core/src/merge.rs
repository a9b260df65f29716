//! Merging two records of the same person or company: who survives and what it inherits.

use crate::record::{FieldSpec, Scalar};
use crate::Millis;

/// The survivor rule: the older known record keeps its id. Ties go to the smaller id, so the
/// rule gives the same answer whichever way round it is asked.
pub fn survivor<'a>(a: (&'a str, Millis), b: (&'a str, Millis)) -> (&'a str, &'a str) {
    if (a.1, a.0) <= (b.1, b.0) {
        (a.0, b.0)
    } else {
        (b.0, a.0)
    }
}

/// The fields the survivor takes from the merged record: those it has empty and the other has
/// set. The survivor's own values always win.
pub fn inherited(
    survivor: &[(&'static FieldSpec, Option<Scalar>)],
    merged: &[(&'static FieldSpec, Option<Scalar>)],
) -> Vec<(&'static FieldSpec, Scalar)> {
    merged
        .iter()
        .filter(|(spec, _)| !spec.system)
        .filter_map(|(spec, value)| {
            let mine = survivor.iter().find(|(s, _)| s.name == spec.name).and_then(|(_, v)| v.as_ref());
            match (mine, value) {
                (None, Some(v)) => Some((*spec, v.clone())),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{field, ObjectKind};

    #[test]
    fn older_survives_whichever_way_round() {
        assert_eq!(survivor(("b", 5), ("a", 9)), ("b", "a"));
        assert_eq!(survivor(("a", 9), ("b", 5)), ("b", "a"));
        assert_eq!(survivor(("b", 5), ("a", 5)), ("a", "b"));
    }

    #[test]
    fn survivor_values_win_gaps_are_filled() {
        let f = |n| field(ObjectKind::Contact, n).unwrap();
        let s = vec![(f("first_name"), Some(Scalar::Text("Anna".into()))), (f("job_title"), None)];
        let m = vec![
            (f("first_name"), Some(Scalar::Text("Ania".into()))),
            (f("job_title"), Some(Scalar::Text("CTO".into()))),
        ];
        let got = inherited(&s, &m);
        assert_eq!(got, vec![(f("job_title"), Scalar::Text("CTO".into()))]);
    }
}
