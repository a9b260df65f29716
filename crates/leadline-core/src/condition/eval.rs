//! Deciding a condition for one record, from plain facts and the time now.
//!
//! Text compares folded (case, diacritics and script variants aside, as search does); a value
//! that is missing makes a comparison false (and `!=` true); a list field (tags, segments)
//! equals a text when one of its items does. Nothing here panics.

use super::{Behaviour, CmpOp, Expr, Func, Literal, Operand, Set};
use crate::Millis;

/// A value a condition reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
    Time(Millis),
}

/// One activity, as a behaviour reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: String,
    pub at: Millis,
    /// The activity's fields (channel, campaign, source) and properties.
    pub fields: Vec<(String, Value)>,
}

/// What a condition reads of one record.
pub trait Facts {
    /// A field, property, score or known name, by its path (`["company", "industry"]`).
    fn value(&self, path: &[String]) -> Value;
    /// The record's activities of one type.
    fn events(&self, kind: &str) -> Vec<&Event>;
}

/// Whether the record `facts` describes meets `e` at `now`.
pub fn eval(e: &Expr, facts: &dyn Facts, now: Millis) -> bool {
    match e {
        Expr::And(items) => items.iter().all(|e| eval(e, facts, now)),
        Expr::Or(items) => items.iter().any(|e| eval(e, facts, now)),
        Expr::Not(e) => !eval(e, facts, now),
        Expr::Compare { left, op, right } => compare(&resolve(left, facts, now), *op, &resolve(right, facts, now)),
        Expr::In { value, set, negated } => in_set(&resolve(value, facts, now), set) != *negated,
        Expr::Within { time, window } => match resolve(time, facts, now) {
            Value::Time(t) => t <= now && now.saturating_sub(t) <= window.millis,
            Value::Text(date) => {
                crate::date::parse_loose_time(&date).is_some_and(|t| t <= now && now.saturating_sub(t) <= window.millis)
            }
            _ => false,
        },
        Expr::IsEmpty { value, negated } => is_empty(&resolve(value, facts, now)) != *negated,
        Expr::Truthy(value) => truthy(&resolve(value, facts, now)),
    }
}

fn resolve(o: &Operand, facts: &dyn Facts, now: Millis) -> Value {
    match o {
        Operand::Literal(l) => literal(l),
        Operand::Path { parts, .. } => facts.value(parts),
        Operand::Behaviour(b) => behaviour(b, facts, now),
    }
}

fn literal(l: &Literal) -> Value {
    match l {
        Literal::Text(t) => Value::Text(t.clone()),
        Literal::Number(n) => Value::Number(*n),
        Literal::Bool(b) => Value::Bool(*b),
    }
}

/// An activity's own fields, for a behaviour's `where` (and a score rule's filter).
pub(crate) struct EventFacts<'a>(pub &'a Event);

impl Facts for EventFacts<'_> {
    fn value(&self, path: &[String]) -> Value {
        match path {
            [name] => self.0.fields.iter().find(|(k, _)| k == name).map_or(Value::Null, |(_, v)| v.clone()),
            _ => Value::Null,
        }
    }

    fn events(&self, _: &str) -> Vec<&Event> {
        Vec::new()
    }
}

fn behaviour(b: &Behaviour, facts: &dyn Facts, now: Millis) -> Value {
    let since = b.window.map(|w| now.saturating_sub(w.millis));
    let events = facts.events(&b.kind);
    let matching = events.into_iter().filter(|ev| {
        ev.at <= now
            && since.is_none_or(|s| ev.at >= s)
            && b.filter.as_ref().is_none_or(|f| eval(f, &EventFacts(ev), now))
    });
    match b.func {
        Func::Count => Value::Number(matching.count() as f64),
        Func::Exists => Value::Bool(matching.count() > 0),
        Func::First => matching.map(|e| e.at).min().map_or(Value::Null, Value::Time),
        Func::Last => matching.map(|e| e.at).max().map_or(Value::Null, Value::Time),
        Func::Sum => {
            let name = b.property.as_deref().unwrap_or_default();
            let total: f64 = matching
                .filter_map(|e| e.fields.iter().find(|(k, _)| k == name))
                .filter_map(|(_, v)| match v {
                    Value::Number(n) if n.is_finite() => Some(*n),
                    _ => None,
                })
                .sum();
            Value::Number(total)
        }
    }
}

fn fold(s: &str) -> String {
    crate::text::fold(s)
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) if n.is_finite() => Some(*n),
        Value::Time(t) => Some(*t as f64),
        Value::Text(t) => t.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn compare(a: &Value, op: CmpOp, b: &Value) -> bool {
    match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::Ne => !equal(a, b),
        CmpOp::Contains => match (a, b) {
            (Value::Text(a), Value::Text(b)) => fold(a).contains(&fold(b)),
            (Value::List(items), b) => items.iter().any(|i| equal(&Value::Text(i.clone()), b)),
            _ => false,
        },
        CmpOp::StartsWith => match (a, b) {
            (Value::Text(a), Value::Text(b)) => fold(a).starts_with(&fold(b)),
            _ => false,
        },
        CmpOp::Lt | CmpOp::Lte | CmpOp::Gt | CmpOp::Gte => {
            let ordering = match (a, b) {
                (Value::Text(x), Value::Text(y)) if number(a).is_none() || number(b).is_none() => {
                    Some(fold(x).cmp(&fold(y)))
                }
                _ => match (number(a), number(b)) {
                    (Some(x), Some(y)) => x.partial_cmp(&y),
                    _ => None,
                },
            };
            ordering.is_some_and(|o| match op {
                CmpOp::Lt => o.is_lt(),
                CmpOp::Lte => o.is_le(),
                CmpOp::Gt => o.is_gt(),
                _ => o.is_ge(),
            })
        }
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Text(x), Value::Text(y)) => fold(x) == fold(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(items), other) | (other, Value::List(items)) => {
            items.iter().any(|i| equal(&Value::Text(i.clone()), other))
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

fn in_set(v: &Value, set: &Set) -> bool {
    match set {
        Set::Literals(items) => items.iter().any(|l| equal(v, &literal(l))),
        Set::Named { name, .. } if name == "free_mail" => {
            let free = |s: &str| {
                let domain = s.rsplit('@').next().unwrap_or(s).trim().to_lowercase();
                crate::email::is_free_mail_domain(&domain)
            };
            match v {
                Value::Text(t) => free(t),
                Value::List(items) => items.iter().any(|i| free(i)),
                _ => false,
            }
        }
        Set::Named { .. } => false,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Text(t) => t.trim().is_empty(),
        Value::List(items) => items.is_empty(),
        _ => false,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::Time(_) => true,
        other => !is_empty(other),
    }
}

/// Facts as plain data, for tests: values by their dotted path, and events.
#[cfg(test)]
pub(crate) mod plain {
    use super::{Event, Facts, Value};

    #[derive(Debug, Default, Clone)]
    pub struct Plain {
        pub values: Vec<(&'static str, Value)>,
        pub events: Vec<Event>,
    }

    impl Facts for Plain {
        fn value(&self, path: &[String]) -> Value {
            let name = path.join(".");
            self.values.iter().find(|(k, _)| *k == name).map_or(Value::Null, |(_, v)| v.clone())
        }

        fn events(&self, kind: &str) -> Vec<&Event> {
            self.events.iter().filter(|e| e.kind == kind).collect()
        }
    }
}
