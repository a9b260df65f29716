//! SQL for both backends.
//!
//! The SQL text and the code around it are written once, in `engine/`, and compiled twice: once
//! inside `sqlite` and once inside `postgres`, each of which names its concrete sqlx database
//! type `Db` and the few places where the dialects differ. Every query therefore runs on a
//! concrete pool with concrete types, and there is still one copy of each query to read.

pub mod postgres;
pub mod sqlite;
mod sqlite_alloc;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use base64::Engine as _;
use leadline_core::record::Scalar;

/// Every table, in an order where a row's references are copied before it, with its key columns.
pub const TABLES: &[(&str, &str)] = &[
    ("users", "id"),
    ("sessions", "token_hash"),
    ("api_tokens", "id"),
    ("properties", "object, name"),
    ("companies", "id"),
    ("contacts", "id"),
    ("contact_identities", "key"),
    ("contact_companies", "contact_id, company_id"),
    ("deals", "id"),
    ("deal_contacts", "deal_id, contact_id"),
    ("activities", "seq"),
    ("tasks", "id"),
    ("field_history", "seq"),
    ("merges", "id"),
    ("jobs", "id"),
    ("job_rejects", "job_id, line"),
];

/// A bind argument, typed the way both backends store it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(Some(s.to_owned()))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(Some(s))
    }
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Self {
        Arg::Text(s)
    }
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Self {
        Arg::Text(s.map(str::to_owned))
    }
}

impl From<i64> for Arg {
    fn from(i: i64) -> Self {
        Arg::Int(Some(i))
    }
}

impl From<Option<i64>> for Arg {
    fn from(i: Option<i64>) -> Self {
        Arg::Int(i)
    }
}

impl From<&Scalar> for Arg {
    fn from(s: &Scalar) -> Self {
        match s {
            Scalar::Text(t) => Arg::Text(Some(t.clone())),
            Scalar::Int(i) => Arg::Int(Some(*i)),
        }
    }
}

/// How a backend's built statements name their arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholders {
    /// `$1`, `$2`, ... (PostgreSQL).
    Numbered,
    /// `?` in order of appearance (SQLite: naming thousands of parameters makes binding
    /// quadratic, because SQLite looks each name up in a list).
    Anonymous,
}

/// SQL text with its arguments, built up piece by piece. Arguments appear in the text in the
/// order they were added, so either placeholder style is correct.
#[derive(Debug)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
    style: Placeholders,
}

impl Sql {
    pub fn new(text: &str, style: Placeholders) -> Self {
        Self { text: text.to_owned(), args: Vec::new(), style }
    }

    /// Take an argument and return its placeholder, for text that is assembled elsewhere; the
    /// placeholder must be pushed before any later argument's.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> String {
        self.args.push(arg.into());
        let mut placeholder = String::new();
        write_placeholder(self.style, self.args.len(), &mut placeholder);
        placeholder
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder for `arg`.
    pub fn arg(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        write_placeholder(self.style, self.args.len(), &mut self.text);
        self
    }

    /// Make room for `args` more arguments and about as many bytes of text as they take: a
    /// multi-row statement grows to thousands of arguments, and growing there step by step
    /// copies it over and over.
    pub fn reserve(&mut self, args: usize) -> &mut Self {
        self.args.reserve(args);
        self.text.reserve(args * 4);
        self
    }

    /// Append `$a, $b, ...` for each item.
    pub fn list<A: Into<Arg>>(&mut self, items: impl IntoIterator<Item = A>) -> &mut Self {
        let items = items.into_iter();
        self.reserve(items.size_hint().0);
        for (i, a) in items.enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.arg(a);
        }
        self
    }
}

/// The placeholder of the `n`th argument (from 1).
fn write_placeholder(style: Placeholders, n: usize, out: &mut String) {
    match style {
        Placeholders::Numbered => {
            use std::fmt::Write;
            let _ = write!(out, "${n}");
        }
        Placeholders::Anonymous => out.push('?'),
    }
}

/// A fresh time-ordered id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Cursors are opaque to clients: base64 of the sort value and the id of the last row seen.
pub(crate) fn encode_cursor(sort: &str, value: Option<&Scalar>, id: &str) -> String {
    let v = match value {
        None => "n".to_owned(),
        Some(Scalar::Int(i)) => format!("i{i}"),
        Some(Scalar::Text(t)) => format!("t{t}"),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{sort}\u{1f}{id}\u{1f}{v}"))
}

pub(crate) fn decode_cursor(sort: &str, cursor: &str) -> Option<(Option<Scalar>, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(3, '\u{1f}');
    let (s, id, v) = (parts.next()?, parts.next()?, parts.next()?);
    if s != sort {
        return None;
    }
    let value = match v.split_at_checked(1)? {
        ("n", "") => None,
        ("i", i) => Some(Scalar::Int(i.parse().ok()?)),
        ("t", t) => Some(Scalar::Text(t.to_owned())),
        _ => return None,
    };
    Some((value, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_arguments_in_either_style() {
        for (style, expected) in [
            (Placeholders::Numbered, "SELECT $1, $2 WHERE x IN ($3, $4, $5) AND y = $6"),
            (Placeholders::Anonymous, "SELECT ?, ? WHERE x IN (?, ?, ?) AND y = ?"),
        ] {
            let mut q = Sql::new("SELECT ", style);
            q.arg(1i64).push(", ").arg("a").push(" WHERE x IN (").list(["b", "c", "d"]).push(") AND y = ");
            let placeholder = q.bind(Some(7i64));
            q.push(&placeholder);
            assert_eq!(q.text, expected);
            assert_eq!(
                q.args,
                [
                    Arg::Int(Some(1)),
                    Arg::Text(Some("a".into())),
                    Arg::Text(Some("b".into())),
                    Arg::Text(Some("c".into())),
                    Arg::Text(Some("d".into())),
                    Arg::Int(Some(7))
                ]
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        for v in [None, Some(Scalar::Int(-5)), Some(Scalar::Text("Łódź\u{1f}x".into()))] {
            let c = encode_cursor("created_at", v.as_ref(), "id-1");
            assert_eq!(decode_cursor("created_at", &c), Some((v, "id-1".into())));
            assert_eq!(decode_cursor("updated_at", &c), None);
        }
        assert_eq!(decode_cursor("created_at", "!!"), None);
    }
}
