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
    ("contact_identities", "key, contact_id"),
    ("contact_companies", "contact_id, company_id"),
    ("deals", "id"),
    ("deal_contacts", "deal_id, contact_id"),
    ("activities", "seq"),
    ("tasks", "id"),
    ("field_history", "seq"),
    ("merges", "id"),
    ("duplicate_candidates", "id"),
    ("jobs", "id"),
    ("job_rejects", "job_id, line"),
    ("job_warnings", "job_id, line, field, value"),
    ("import_writes", "seq"),
    ("import_created", "seq"),
    ("contact_state", "contact_id"),
    ("contact_scores", "contact_id, model"),
    ("engine_dirty", "contact_id"),
    ("routing_settings", "id"),
    ("rule_versions", "version"),
    ("routing_members", "user_id"),
    ("lead_assignments", "contact_id"),
    ("engine_progress", "name"),
    ("segments", "id"),
    ("segment_members", "segment_id, contact_id"),
    ("segment_days", "segment_id, day"),
    ("sites", "id"),
    ("track_inbox", "seq"),
    ("visitors", "id"),
    ("forms", "id"),
    ("conversion_days", "object_id, variant, day"),
    ("campaigns", "id"),
    ("campaign_spend", "campaign_id, day"),
    ("webhooks", "id"),
    ("webhook_deliveries", "id"),
    ("landing_pages", "id"),
];

/// A bind argument, typed the way both backends store it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    /// A column of many rows, for a backend with array parameters (see `ManyValues`).
    Array(Array),
}

/// The values of one column across many rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Array {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
}

impl Array {
    /// The column of `values`: integers when every value is one, text otherwise (an integer
    /// among texts is written out, and the database refuses it if the column wants integers).
    pub fn of(values: Vec<Arg>) -> Array {
        if values.iter().all(|v| matches!(v, Arg::Int(_))) {
            Array::Int(values.into_iter().map(|v| if let Arg::Int(i) = v { i } else { None }).collect())
        } else {
            Array::Text(
                values
                    .into_iter()
                    .map(|v| match v {
                        Arg::Text(t) => t,
                        Arg::Int(i) => i.map(|i| i.to_string()),
                        Arg::Array(_) => unreachable!("rows hold single values, never arrays"),
                    })
                    .collect(),
            )
        }
    }

    /// The SQL type of the array.
    pub fn sql_type(&self) -> &'static str {
        match self {
            Array::Text(_) => "text[]",
            Array::Int(_) => "bigint[]",
        }
    }
}

/// How a backend takes many values in one statement: the rows of a multi-row write, the
/// members of an `IN` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManyValues {
    /// One parameter per value: `VALUES (?, ?), (?, ?)`, `IN (?, ?)` (SQLite).
    Inline,
    /// One array parameter per column: `SELECT * FROM UNNEST($1::text[], $2::bigint[])`,
    /// `= ANY($1::text[])` (PostgreSQL, which parses, binds and plans a statement of 64,000
    /// parameters far more slowly than one of eight arrays holding the same rows).
    Arrays,
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

    /// Append `rows` as a row source in `form`, for `INSERT INTO t (a, b) <rows>` or
    /// `WITH v(a, b) AS (<rows>)`. There is at least one row, and all have the same columns.
    pub fn rows(&mut self, form: ManyValues, rows: Vec<Vec<Arg>>) -> &mut Self {
        match form {
            ManyValues::Inline => {
                self.reserve(rows.len() * rows.first().map_or(0, Vec::len));
                for (n, row) in rows.into_iter().enumerate() {
                    self.push(if n == 0 { "VALUES (" } else { ", (" }).list(row).push(")");
                }
            }
            ManyValues::Arrays => {
                let width = rows.first().map_or(0, Vec::len);
                let mut columns: Vec<Vec<Arg>> = (0..width).map(|_| Vec::with_capacity(rows.len())).collect();
                for row in rows {
                    for (column, value) in columns.iter_mut().zip(row) {
                        column.push(value);
                    }
                }
                self.push("SELECT * FROM UNNEST(");
                for (i, column) in columns.into_iter().enumerate() {
                    let array = Array::of(column);
                    let ty = array.sql_type();
                    self.push(if i == 0 { "" } else { ", " }).arg(Arg::Array(array)).push("::").push(ty);
                }
                self.push(")");
            }
        }
        self
    }

    /// Append a test that the expression before it is one of `items`, in `form`: ` IN (?, ?)`
    /// or ` = ANY($1::text[])`. An empty list matches nothing.
    pub fn in_texts<'a>(&mut self, form: ManyValues, items: impl IntoIterator<Item = &'a str>) -> &mut Self {
        match form {
            ManyValues::Inline => {
                let items: Vec<&str> = items.into_iter().collect();
                if items.is_empty() {
                    return self.push(" IN (NULL)");
                }
                self.push(" IN (").list(items).push(")")
            }
            ManyValues::Arrays => {
                let array = Array::Text(items.into_iter().map(|s| Some(s.to_owned())).collect());
                self.push(" = ANY(").arg(Arg::Array(array)).push("::text[])")
            }
        }
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
    fn rows_as_values_or_as_unnested_arrays() {
        let rows = || {
            vec![
                vec![Arg::from("a"), Arg::Int(Some(1)), Arg::Text(None)],
                vec![Arg::from("b"), Arg::Int(None), Arg::from("x")],
            ]
        };
        let mut q = Sql::new("INSERT INTO t (k, n, s) ", Placeholders::Anonymous);
        q.rows(ManyValues::Inline, rows());
        assert_eq!(q.text, "INSERT INTO t (k, n, s) VALUES (?, ?, ?), (?, ?, ?)");
        assert_eq!(q.args, rows().concat());

        let mut q = Sql::new("INSERT INTO t (k, n, s) ", Placeholders::Numbered);
        q.rows(ManyValues::Arrays, rows());
        assert_eq!(q.text, "INSERT INTO t (k, n, s) SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])");
        assert_eq!(
            q.args,
            [
                Arg::Array(Array::Text(vec![Some("a".into()), Some("b".into())])),
                Arg::Array(Array::Int(vec![Some(1), None])),
                Arg::Array(Array::Text(vec![None, Some("x".into())])),
            ]
        );
    }

    #[test]
    fn membership_as_a_list_or_as_one_array() {
        let mut q = Sql::new("SELECT 1 WHERE x", Placeholders::Anonymous);
        q.in_texts(ManyValues::Inline, ["a", "b"]);
        assert_eq!(q.text, "SELECT 1 WHERE x IN (?, ?)");
        let mut q = Sql::new("SELECT 1 WHERE x", Placeholders::Anonymous);
        q.in_texts(ManyValues::Inline, []);
        assert_eq!((q.text.as_str(), q.args.len()), ("SELECT 1 WHERE x IN (NULL)", 0));
        let mut q = Sql::new("SELECT 1 WHERE x", Placeholders::Numbered);
        q.in_texts(ManyValues::Arrays, ["a", "b"]);
        assert_eq!(q.text, "SELECT 1 WHERE x = ANY($1::text[])");
        assert_eq!(q.args, [Arg::Array(Array::Text(vec![Some("a".into()), Some("b".into())]))]);
    }

    #[test]
    fn a_column_of_mixed_values_is_text() {
        assert_eq!(Array::of(vec![Arg::Int(Some(5)), Arg::Text(None)]), Array::Text(vec![Some("5".into()), None]));
        assert_eq!(Array::of(vec![Arg::Int(None)]), Array::Int(vec![None]));
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
