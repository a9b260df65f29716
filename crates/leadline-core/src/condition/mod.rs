//! The condition language: one small language for scoring rules, segments, lifecycle and
//! routing rules (and later automations and the chat bot).
//!
//! ```text
//! lifecycle_stage = "lead" and fit >= 40 and company.employee_count >= 50
//! count(page_view where url contains "/pricing", last 14 days) >= 2 and not email_domain in free_mail
//! last(form_submission) within 30 days or tag = "webinar-2026"
//! ```
//!
//! `parse` turns text into an [`Expr`] (or a [`ParseError`] with the position and what was
//! expected); [`check`](check::check) holds an expression to what a record has (fields, custom
//! properties, score models, activity types); [`eval`](eval::eval) decides it for one record
//! from plain facts and the time now. Nothing here panics on any input: the text is bounded
//! ([`MAX_TEXT`]), so are nesting ([`MAX_DEPTH`]) and size ([`MAX_NODES`]), and behaviour over
//! the activity log (`count`, `sum`, `exists`) must say its window.
//!
//! Grammar (keywords are case-insensitive):
//!
//! ```text
//! expr     := and ("or" and)*
//! and      := unary ("and" unary)*
//! unary    := "not" unary | "(" expr ")" | test
//! test     := operand [ cmp operand | ["not"] "in" set | "within" duration
//!                     | "is" ["not"] "empty" ]
//! cmp      := "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "starts_with"
//! operand  := string | number | "true" | "false" | path | behaviour
//! path     := name ("." name)*                      e.g. company.industry, properties.plan
//! behaviour:= ("count" | "exists" | "first" | "last") "(" type [where] [window] ")"
//!           | "sum" "(" type "." name [where] [window] ")"
//! where    := "where" expr                           over the activity's own fields
//! window   := "," "last" number unit
//! set      := "(" literal ("," literal)* ")" | name   e.g. free_mail
//! duration := number unit                            unit: minutes, hours, days, weeks
//! ```

pub mod check;
pub mod eval;
mod lex;
mod parse;

pub use parse::parse;

/// The longest condition text accepted, in bytes.
pub const MAX_TEXT: usize = 10_000;
/// The deepest nesting of parentheses, `not` and behaviour filters.
pub const MAX_DEPTH: usize = 32;
/// The most nodes (tests, operands, connectives) one condition holds.
pub const MAX_NODES: usize = 1_000;
/// The longest window a behaviour may look back over, in days.
pub const MAX_WINDOW_DAYS: i64 = 3_650;

/// A byte range of the text, for errors that point at what they are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A condition that could not be read: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the text.
    pub position: usize,
    /// What the parser wanted there ("a value", "`)`", ...).
    pub expected: String,
    /// What it found ("`and`", "the end", ...).
    pub found: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: expected {}, found {}", self.position, self.expected, self.found)
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
    In {
        value: Operand,
        set: Set,
        negated: bool,
    },
    /// A time (`last(...)`, a date field) no older than the window.
    Within {
        time: Operand,
        window: Window,
    },
    IsEmpty {
        value: Operand,
        negated: bool,
    },
    /// An operand alone: true when it is `true`, a number other than 0, or something present.
    Truthy(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    Contains,
    StartsWith,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Contains => "contains",
            Self::StartsWith => "starts_with",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Literal),
    /// A field of the record, of its company (`company.`), a custom property (`properties.`),
    /// a score model, or one of the names the language knows (`tag`, `email_domain`, ...).
    Path {
        parts: Vec<String>,
        span: Span,
    },
    Behaviour(Box<Behaviour>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
}

/// Behaviour over the activity log.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    pub func: Func,
    /// The activity type (`page_view`, `form_submission`, ...).
    pub kind: String,
    /// For `sum`: the numeric activity property summed.
    pub property: Option<String>,
    /// A condition over the activity's own fields (`url contains "/pricing"`).
    pub filter: Option<Expr>,
    pub window: Option<Window>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Count,
    Exists,
    First,
    Last,
    Sum,
}

impl Func {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Exists => "exists",
            Self::First => "first",
            Self::Last => "last",
            Self::Sum => "sum",
        }
    }
}

/// A span of time back from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub millis: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Set {
    Literals(Vec<Literal>),
    /// A set the language knows by name (`free_mail`).
    Named {
        name: String,
        span: Span,
    },
}

impl Expr {
    /// The activity types its behaviours read, each once, in the order they appear: what a
    /// reader of many records needs to fetch of their activities.
    pub fn behaviour_kinds(&self) -> Vec<String> {
        fn operand(o: &Operand, out: &mut Vec<String>) {
            if let Operand::Behaviour(b) = o {
                if !out.contains(&b.kind) {
                    out.push(b.kind.clone());
                }
            }
        }
        fn walk(e: &Expr, out: &mut Vec<String>) {
            match e {
                Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::Not(e) => walk(e, out),
                Expr::Compare { left, right, .. } => {
                    operand(left, out);
                    operand(right, out);
                }
                Expr::In { value: o, .. }
                | Expr::Within { time: o, .. }
                | Expr::IsEmpty { value: o, .. }
                | Expr::Truthy(o) => operand(o, out),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// How far back its behaviours look: the longest window, or `None` when one has none
    /// (`last(form_submission)` reads the whole history). A condition with no behaviour
    /// looks back `Some(0)`.
    pub fn lookback(&self) -> Option<i64> {
        fn operand(o: &Operand) -> Option<i64> {
            match o {
                Operand::Behaviour(b) => b.window.map(|w| w.millis),
                _ => Some(0),
            }
        }
        fn walk(e: &Expr) -> Option<i64> {
            match e {
                Expr::And(items) | Expr::Or(items) => items.iter().try_fold(0, |m, i| Some(m.max(walk(i)?))),
                Expr::Not(e) => walk(e),
                Expr::Compare { left, right, .. } => Some(operand(left)?.max(operand(right)?)),
                Expr::In { value: o, .. }
                | Expr::Within { time: o, .. }
                | Expr::IsEmpty { value: o, .. }
                | Expr::Truthy(o) => operand(o),
            }
        }
        walk(self)
    }

    /// The condition written back as text, in the language's canonical form: what the UI's
    /// builder writes, and `parse(e.to_text())` gives `e` back.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, parent: u8) {
        // 1: inside `or`, 2: inside `and`, 3: inside `not`.
        match self {
            Expr::Or(items) => {
                let wrap = parent > 1;
                if wrap {
                    out.push('(');
                }
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" or ");
                    }
                    e.write(out, 1);
                }
                if wrap {
                    out.push(')');
                }
            }
            Expr::And(items) => {
                let wrap = parent > 2;
                if wrap {
                    out.push('(');
                }
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" and ");
                    }
                    e.write(out, 2);
                }
                if wrap {
                    out.push(')');
                }
            }
            Expr::Not(e) => {
                out.push_str("not ");
                e.write(out, 3);
            }
            Expr::Compare { left, op, right } => {
                left.write(out);
                out.push(' ');
                out.push_str(op.as_str());
                out.push(' ');
                right.write(out);
            }
            Expr::In { value, set, negated } => {
                value.write(out);
                out.push_str(if *negated { " not in " } else { " in " });
                match set {
                    Set::Named { name, .. } => out.push_str(name),
                    Set::Literals(items) => {
                        out.push('(');
                        for (i, l) in items.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            l.write(out);
                        }
                        out.push(')');
                    }
                }
            }
            Expr::Within { time, window } => {
                time.write(out);
                out.push_str(" within ");
                window.write(out);
            }
            Expr::IsEmpty { value, negated } => {
                value.write(out);
                out.push_str(if *negated { " is not empty" } else { " is empty" });
            }
            Expr::Truthy(value) => value.write(out),
        }
    }
}

impl Operand {
    fn write(&self, out: &mut String) {
        match self {
            Operand::Literal(l) => l.write(out),
            Operand::Path { parts, .. } => out.push_str(&parts.join(".")),
            Operand::Behaviour(b) => {
                out.push_str(b.func.as_str());
                out.push('(');
                out.push_str(&b.kind);
                if let Some(p) = &b.property {
                    out.push('.');
                    out.push_str(p);
                }
                if let Some(f) = &b.filter {
                    out.push_str(" where ");
                    f.write(out, 0);
                }
                if let Some(w) = &b.window {
                    out.push_str(", last ");
                    w.write(out);
                }
                out.push(')');
            }
        }
    }
}

impl Literal {
    fn write(&self, out: &mut String) {
        match self {
            Literal::Text(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Literal::Number(n) => out.push_str(&n.to_string()),
            Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        }
    }
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

impl Window {
    /// In days when whole days, else hours, else minutes ("14 days" reads better than
    /// "2 weeks", and a rule's author wrote days).
    fn write(&self, out: &mut String) {
        let (n, unit) = [(DAY, "day"), (HOUR, "hour"), (MINUTE, "minute")]
            .into_iter()
            .find(|(u, _)| self.millis % u == 0)
            .map_or((self.millis / MINUTE, "minute"), |(u, name)| (self.millis / u, name));
        out.push_str(&format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
    }
}

#[cfg(test)]
mod tests;
