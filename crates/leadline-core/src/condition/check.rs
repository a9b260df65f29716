//! Holding a parsed condition to what records have: every name it reads must exist, and
//! behaviour over the activity log must be bounded.

use super::{Expr, Func, Operand, Set, Span};
use crate::record::{self, ObjectKind};

/// What a condition may read besides the object's built-in fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct Schema<'a> {
    /// The object the condition is about (contacts for scoring, segments and routing).
    pub object: Option<ObjectKind>,
    /// Custom properties of that object (`properties.<name>`).
    pub properties: &'a [&'a str],
    /// Custom properties of companies (`company.properties.<name>`).
    pub company_properties: &'a [&'a str],
    /// Score model keys (`fit`, `engagement`, ...).
    pub scores: &'a [&'a str],
}

/// Names a contact condition knows besides fields, properties and scores.
pub const CONTACT_NAMES: &[&str] = &["tag", "email", "email_domain", "phone", "segment", "open_deals", "won_deals"];

/// Named sets for `in`.
pub const SETS: &[&str] = &["free_mail"];

/// Consent channels readable as `consent.<channel>`.
pub const CONSENT: &[&str] = &["email", "phone", "chat"];

/// A name a condition cannot read, or a form that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    pub span: Span,
    pub message: String,
}

/// Every problem with `e` under `schema`; empty when it may be used.
pub fn check(e: &Expr, schema: &Schema) -> Vec<CheckError> {
    let mut out = Vec::new();
    walk(e, schema, false, &mut out);
    out
}

fn walk(e: &Expr, schema: &Schema, in_filter: bool, out: &mut Vec<CheckError>) {
    match e {
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| walk(e, schema, in_filter, out)),
        Expr::Not(e) => walk(e, schema, in_filter, out),
        Expr::Compare { left, right, .. } => {
            operand(left, schema, in_filter, out);
            operand(right, schema, in_filter, out);
        }
        Expr::In { value, set, .. } => {
            operand(value, schema, in_filter, out);
            if let Set::Named { name, span } = set {
                if !SETS.contains(&name.as_str()) {
                    out.push(CheckError {
                        span: *span,
                        message: format!("{name} is not a set; the sets are {}", SETS.join(", ")),
                    });
                }
            }
        }
        Expr::Within { time, .. } => {
            operand(time, schema, in_filter, out);
            if let Operand::Literal(_) = time {
                out.push(CheckError {
                    span: Span { start: 0, end: 0 },
                    message: "`within` takes a time: first(...), last(...) or a date field".into(),
                });
            }
        }
        Expr::IsEmpty { value, .. } | Expr::Truthy(value) => operand(value, schema, in_filter, out),
    }
}

fn operand(o: &Operand, schema: &Schema, in_filter: bool, out: &mut Vec<CheckError>) {
    match o {
        Operand::Literal(_) => {}
        Operand::Path { parts, span } => {
            // Inside a behaviour's `where`, names are the activity's own fields and properties.
            if in_filter {
                if parts.len() > 1 {
                    out.push(CheckError {
                        span: *span,
                        message: format!("{} is not an activity field: inside `where`, name the activity's own fields (url, channel, ...)", parts.join(".")),
                    });
                }
                return;
            }
            if let Some(problem) = path_problem(parts, schema) {
                out.push(CheckError { span: *span, message: problem });
            }
        }
        Operand::Behaviour(b) => {
            if in_filter {
                out.push(CheckError {
                    span: b.span,
                    message: "a behaviour cannot be nested inside another's `where`".into(),
                });
                return;
            }
            if crate::activity::activity_type(&b.kind).is_err() {
                out.push(CheckError { span: b.span, message: format!("{} is not an activity type", b.kind) });
            }
            if matches!(b.func, Func::Count | Func::Sum | Func::Exists) && b.window.is_none() {
                out.push(CheckError {
                    span: b.span,
                    message: format!(
                        "{}({}) needs a window, such as `, last 30 days`: behaviour over the whole log is not bounded",
                        b.func.as_str(),
                        b.kind
                    ),
                });
            }
            if let Some(f) = &b.filter {
                walk(f, schema, true, out);
            }
        }
    }
}

/// Why `parts` names nothing the condition can read, or `None` when it does.
fn path_problem(parts: &[String], schema: &Schema) -> Option<String> {
    let object = schema.object.unwrap_or(ObjectKind::Contact);
    let name = parts.join(".");
    let field = |o: ObjectKind, n: &str| record::field(o, n).is_some();
    let ok = match parts {
        [one] => {
            field(object, one)
                || schema.scores.contains(&one.as_str())
                || (object == ObjectKind::Contact && CONTACT_NAMES.contains(&one.as_str()))
        }
        [p, prop] if p == "properties" => schema.properties.contains(&prop.as_str()),
        [c, f] if c == "company" && object != ObjectKind::Company => field(ObjectKind::Company, f),
        [c, p, prop] if c == "company" && p == "properties" => schema.company_properties.contains(&prop.as_str()),
        [c, channel] if c == "consent" && object == ObjectKind::Contact => CONSENT.contains(&channel.as_str()),
        _ => false,
    };
    (!ok).then(|| format!("{name} is not a field, property, score or name a {} condition can read", object.as_str()))
}
