use proptest::prelude::*;

use super::check::{check, Schema};
use super::eval::plain::Plain as Record;
use super::eval::{eval, Event, Facts, Value};
use super::*;

const NOW: i64 = 1_800_000_000_000;

fn page_view(url: &str, days_ago: i64) -> Event {
    Event { kind: "page_view".into(), at: NOW - days_ago * DAY, fields: vec![("url".into(), Value::Text(url.into()))] }
}

fn holds(text: &str, r: &Record) -> bool {
    let e = parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
    eval(&e, r, NOW)
}

const SCHEMA: Schema = Schema {
    object: Some(ObjectKindContact::KIND),
    properties: &["plan"],
    company_properties: &[],
    scores: &["fit", "engagement", "product"],
};

/// `Schema` takes an `ObjectKind`; a const path to it.
struct ObjectKindContact;
impl ObjectKindContact {
    const KIND: crate::record::ObjectKind = crate::record::ObjectKind::Contact;
}

#[test]
fn the_issue_examples_parse_and_mean_what_they_say() {
    let mql = "lifecycle_stage = \"lead\" and fit >= 40 and company.employee_count >= 50";
    let mut r = Record {
        values: vec![
            ("lifecycle_stage", Value::Text("lead".into())),
            ("fit", Value::Number(45.0)),
            ("company.employee_count", Value::Number(120.0)),
        ],
        ..Record::default()
    };
    assert!(holds(mql, &r));
    r.values[1].1 = Value::Number(39.5);
    assert!(!holds(mql, &r));

    let pricing =
        "count(page_view where url contains \"/pricing\", last 14 days) >= 2 and not email_domain in free_mail";
    let mut r = Record {
        values: vec![("email_domain", Value::Text("wisla-logistics.pl".into()))],
        events: vec![page_view("https://x.pl/pricing", 1), page_view("https://x.pl/Pricing?plan=pro", 13)],
    };
    assert!(holds(pricing, &r));
    r.events[1].at = NOW - 15 * DAY;
    assert!(!holds(pricing, &r), "the second visit is outside the window");
    r.events[1].at = NOW - 2 * DAY;
    r.values[0].1 = Value::Text("gmail.com".into());
    assert!(!holds(pricing, &r), "a free-mail domain");

    let recent = "last(form_submission) within 30 days or tag = \"webinar-2026\"";
    let form = |days: i64| Event { kind: "form_submission".into(), at: NOW - days * DAY, fields: vec![] };
    let mut r = Record { events: vec![form(40), form(29)], ..Record::default() };
    assert!(holds(recent, &r));
    r.events.pop();
    assert!(!holds(recent, &r));
    r.values.push(("tag", Value::List(vec!["vip".into(), "Webinar-2026".into()])));
    assert!(holds(recent, &r), "a tag matches case aside");

    for text in [mql, pricing, recent] {
        assert!(check(&parse(text).unwrap(), &SCHEMA).is_empty(), "{text}");
    }
}

#[test]
fn behaviour_functions() {
    let deal = |amount: f64, days: i64| Event {
        kind: "deal_won".into(),
        at: NOW - days * DAY,
        fields: vec![("amount".into(), Value::Number(amount))],
    };
    let r = Record { events: vec![deal(100.0, 1), deal(250.0, 10), deal(1_000.0, 100)], ..Record::default() };
    assert!(holds("sum(deal_won.amount, last 30 days) = 350", &r));
    assert!(holds("exists(deal_won where amount > 500, last 365 days)", &r));
    assert!(!holds("exists(deal_won where amount > 500, last 30 days)", &r));
    assert!(holds("first(deal_won) within 101 days and not first(deal_won) within 99 days", &r));
    assert!(holds("count(deal_won, last 2 weeks) = 2", &r));
    assert!(!holds("last(chat_message) within 1 day", &r), "none at all");
}

#[test]
fn values_compare_as_people_expect() {
    let r = Record {
        values: vec![
            ("first_name", Value::Text("Łukasz".into())),
            ("properties.plan", Value::Text("Gold".into())),
            ("country", Value::Text("PL".into())),
            ("email", Value::Text("lukasz@gmail.com".into())),
            ("close_date", Value::Text("2026-12-31".into())),
        ],
        ..Record::default()
    };
    assert!(holds("first_name = \"lukasz\"", &r), "folded");
    assert!(holds("first_name starts_with \"ŁUK\"", &r));
    assert!(holds("properties.plan in (\"gold\", \"platinum\")", &r));
    assert!(holds("country not in (\"IT\", \"IR\")", &r));
    assert!(holds("email in free_mail", &r));
    assert!(holds("job_title is empty and country is not empty", &r));
    assert!(holds("job_title != \"CEO\"", &r), "a missing value is not equal");
    assert!(!holds("job_title = \"CEO\" or fit > 10", &r), "nor equal, nor greater");
    assert!(holds("close_date > \"2026-06-01\"", &r), "dates compare as written");
    assert!(holds("not (country = \"IT\" or country = \"IR\")", &r));
}

#[test]
fn errors_say_where_and_what_was_expected() {
    let err = |text: &str| parse(text).unwrap_err();
    let e = err("fit >= ");
    assert_eq!((e.position, e.expected.as_str(), e.found.as_str()), (7, "a field or a value", "the end"));
    let e = err("(fit > 1 and tag = \"x\"");
    assert_eq!((e.position, e.expected.as_str()), (22, "`)`"));
    let e = err("tag = \"unclosed");
    assert!(e.expected.contains("close the text"), "{e}");
    let e = err("fit > 1 tag = 2");
    assert_eq!((e.position, e.expected.as_str(), e.found.as_str()), (8, "`and`, `or` or the end", "`tag`"));
    let e = err("count(page_view, last 3 fortnights) > 1");
    assert_eq!((e.position, e.expected.as_str()), (24, "minutes, hours, days or weeks"));
    let e = err("last(form_submission) within -3 days");
    assert!(e.expected.contains("whole number"), "{e}");
    assert_eq!(err("").expected, "a condition");
    assert_eq!(err("fit ! 3").found, "`!`");
    assert!(err("count(page_view, last 100000 weeks) > 1").expected.contains("at most"));
}

#[test]
fn checks_name_what_cannot_be_read() {
    let problems = |text: &str| check(&parse(text).unwrap(), &SCHEMA);
    let p = problems("fitness > 3 and properties.unknown = 1 and company.revenue > 2 and consent.email = true");
    let messages: Vec<&str> = p.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(p.len(), 3, "{messages:?}");
    assert!(messages[0].starts_with("fitness is not"), "{messages:?}");
    assert_eq!(p[0].span, Span { start: 0, end: 7 });
    let p = problems("count(page_view) > 3");
    assert!(p[0].message.contains("needs a window"), "{p:?}");
    let p = problems("email in paid_mail");
    assert!(p[0].message.contains("not a set"));
    let p = problems("exists(page_view where count(chat_message, last 1 day) > 1, last 1 day)");
    assert!(p[0].message.contains("cannot be nested"), "{p:?}");
    assert!(problems("exists(page_view where url contains \"x\" and utm_source = \"ads\", last 1 day)").is_empty());
}

#[test]
fn bounds_are_refused_not_run_into() {
    let huge = format!("tag = \"{}\"", "x".repeat(2 * MAX_TEXT));
    assert!(parse(&huge).unwrap_err().expected.contains("at most"));
    let deep = format!("{}fit > 1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    assert!(parse(&deep).unwrap_err().expected.contains("nesting"));
    let nots = format!("{}fit > 1", "not ".repeat(MAX_DEPTH + 1));
    assert!(parse(&nots).unwrap_err().expected.contains("nesting"));
    let many = vec!["fit > 1"; 600].join(" and ");
    assert!(parse(&many).unwrap_err().expected.contains("parts"));
}

#[test]
fn behaviour_kinds_are_what_a_condition_reads_of_the_log() {
    let e = parse("count(page_view, last 7 days) > 1 or not (exists(form_submission, last 1 days) and last(page_view) within 2 days)").unwrap();
    assert_eq!(e.behaviour_kinds(), ["page_view", "form_submission"]);
    assert!(parse("country = \"PL\"").unwrap().behaviour_kinds().is_empty());
    assert_eq!(e.lookback(), None, "last(page_view) has no window");
    let windowed = parse("count(page_view, last 7 days) > 1 or exists(form_submission, last 30 days)").unwrap();
    assert_eq!(windowed.lookback(), Some(30 * 24 * 3600 * 1000));
    assert_eq!(parse("fit > 3").unwrap().lookback(), Some(0));
}

#[test]
fn the_canonical_text_reads_back() {
    for text in [
        "lifecycle_stage = \"lead\" and fit >= 40 and company.employee_count >= 50",
        "count(page_view where url contains \"/pricing\", last 14 days) >= 2 and not email_domain in free_mail",
        "(a = 1 or b = 2) and not (c = \"x\\\"y\" or d is not empty)",
        "sum(deal_won.amount where currency = \"EUR\", last 3 hours) > -1.5",
        "last(form_submission) within 90 minutes",
    ] {
        let e = parse(text).unwrap();
        assert_eq!(parse(&e.to_text()).unwrap(), e, "{text} -> {}", e.to_text());
    }
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "[a-zA-Z0-9 \"\\\\/łیک]{0,8}".prop_map(Literal::Text),
        (-1000i32..1000).prop_map(|n| Literal::Number(f64::from(n) / 4.0)),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |n| {
        ![
            "and",
            "or",
            "not",
            "in",
            "within",
            "is",
            "empty",
            "where",
            "last",
            "true",
            "false",
            "contains",
            "starts_with",
            "count",
            "exists",
            "first",
            "sum",
        ]
        .contains(&n.as_str())
    })
}

fn window() -> impl Strategy<Value = Window> {
    (1i64..100, prop::sample::select(vec![MINUTE, HOUR, DAY, WEEK])).prop_map(|(n, u)| Window { millis: n * u })
}

fn operand(filter: Option<BoxedStrategy<Expr>>) -> BoxedStrategy<Operand> {
    let span = Span { start: 0, end: 0 };
    let path = prop::collection::vec(name(), 1..3).prop_map(move |parts| Operand::Path { parts, span });
    let lit = literal().prop_map(Operand::Literal);
    match filter {
        None => prop_oneof![lit, path].boxed(),
        Some(filter) => {
            let behaviour = (
                prop::sample::select(vec![Func::Count, Func::Exists, Func::First, Func::Last, Func::Sum]),
                name(),
                name(),
                prop::option::of(filter),
                prop::option::of(window()),
            )
                .prop_map(move |(func, kind, prop, filter, window)| {
                    Operand::Behaviour(Box::new(Behaviour {
                        func,
                        kind,
                        property: (func == Func::Sum).then_some(prop),
                        filter,
                        window,
                        span,
                    }))
                });
            prop_oneof![lit, path, behaviour].boxed()
        }
    }
}

fn test_expr(filter: Option<BoxedStrategy<Expr>>) -> BoxedStrategy<Expr> {
    let cmp = prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Lte,
        CmpOp::Gt,
        CmpOp::Gte,
        CmpOp::Contains,
        CmpOp::StartsWith,
    ]);
    let o = operand(filter);
    prop_oneof![
        (o.clone(), cmp, o.clone()).prop_map(|(left, op, right)| Expr::Compare { left, op, right }),
        (o.clone(), prop::collection::vec(literal(), 1..4), any::<bool>())
            .prop_map(|(value, items, negated)| Expr::In { value, set: Set::Literals(items), negated }),
        (o.clone(), window()).prop_map(|(time, window)| Expr::Within { time, window }),
        (o.clone(), any::<bool>()).prop_map(|(value, negated)| Expr::IsEmpty { value, negated }),
        o.prop_map(Expr::Truthy),
    ]
    .boxed()
}

fn combine(leaf: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
    .boxed()
}

fn expr() -> BoxedStrategy<Expr> {
    let filter = combine(test_expr(None));
    combine(test_expr(Some(filter)))
}

/// Spans are where the text put things; the canonical text puts them elsewhere.
fn without_spans(e: &Expr) -> Expr {
    let o = |o: &Operand| match o {
        Operand::Path { parts, .. } => Operand::Path { parts: parts.clone(), span: Span { start: 0, end: 0 } },
        Operand::Behaviour(b) => Operand::Behaviour(Box::new(Behaviour {
            span: Span { start: 0, end: 0 },
            filter: b.filter.as_ref().map(|f| flat(&without_spans(f))),
            ..(**b).clone()
        })),
        other => other.clone(),
    };
    match e {
        Expr::And(v) => Expr::And(v.iter().map(without_spans).collect()),
        Expr::Or(v) => Expr::Or(v.iter().map(without_spans).collect()),
        Expr::Not(e) => Expr::Not(Box::new(without_spans(e))),
        Expr::Compare { left, op, right } => Expr::Compare { left: o(left), op: *op, right: o(right) },
        Expr::In { value, set, negated } => Expr::In { value: o(value), set: set.clone(), negated: *negated },
        Expr::Within { time, window } => Expr::Within { time: o(time), window: *window },
        Expr::IsEmpty { value, negated } => Expr::IsEmpty { value: o(value), negated: *negated },
        Expr::Truthy(v) => Expr::Truthy(o(v)),
    }
}

/// Connectives nested in their own kind read back flat (`a and (b and c)` is `a and b and c`).
fn flat(e: &Expr) -> Expr {
    match e {
        Expr::And(v) => {
            Expr::And(v.iter().map(flat).flat_map(|e| if let Expr::And(w) = e { w } else { vec![e] }).collect())
        }
        Expr::Or(v) => {
            Expr::Or(v.iter().map(flat).flat_map(|e| if let Expr::Or(w) = e { w } else { vec![e] }).collect())
        }
        Expr::Not(e) => Expr::Not(Box::new(flat(e))),
        other => other.clone(),
    }
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        "\\PC{0,6}".prop_map(Value::Text),
        prop::collection::vec("[a-z]{0,3}", 0..3).prop_map(Value::List),
        any::<i64>().prop_map(Value::Time),
    ]
}

/// Facts that answer any path with the same value and have one event of every kind.
struct Anything(Value, Event);

impl Facts for Anything {
    fn value(&self, _: &[String]) -> Value {
        self.0.clone()
    }
    fn events(&self, _: &str) -> Vec<&Event> {
        vec![&self.1]
    }
}

proptest! {
    #[test]
    fn parsing_never_panics(text in "\\PC{0,80}") {
        let _ = parse(&text);
    }

    #[test]
    fn parsing_token_soup_never_panics(
        words in prop::collection::vec(prop::sample::select(vec![
            "(", ")", ",", ".", "=", "!=", "<", ">=", "and", "or", "not", "in", "within", "is", "empty",
            "where", "last", "count(", "sum(", "exists(", "first(", "last(", "page_view", "fit", "\"x\"",
            "3", "-2.5", "days", "free_mail", "contains", "\"", "'", "!", "0.", "1e9",
        ]), 0..30)
    ) {
        let text = words.join(" ");
        if let Ok(e) = parse(&text) {
            let _ = check(&e, &SCHEMA);
            let _ = eval(&e, &Record::default(), NOW);
        }
    }

    #[test]
    fn the_canonical_text_of_any_condition_reads_back(e in expr()) {
        let text = e.to_text();
        let back = parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
        prop_assert_eq!(without_spans(&back), flat(&without_spans(&e)), "{}", text);
    }

    #[test]
    fn evaluating_never_panics(e in expr(), v in value(), at in any::<i64>(), field in value()) {
        let facts = Anything(v, Event { kind: "x".into(), at, fields: vec![("url".into(), field)] });
        let _ = eval(&e, &facts, NOW);
    }
}
