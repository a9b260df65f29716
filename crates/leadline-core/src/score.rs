//! Score models: lists of rules, each a condition or an activity worth points, with caps and
//! exact decay at read time (no job rewrites stored scores as they age), thresholds that name
//! categories (fit A-D, engagement 1-4), and the priority of the two together (A1 first).
//!
//! A score is computed from the record's facts and activity times at the moment it is read:
//! an activity's points are `points × ½^(age / half_life)`, summed, then held to the rule's cap.
//! Every rule's contribution is kept with the events behind it, which is the explanation.

use crate::condition::eval::{eval, EventFacts, Facts};
use crate::condition::{parse, Expr, ParseError};
use crate::error::{FieldError, Invalid};
use crate::Millis;

/// What earns a rule its points.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// Once, while the record meets the condition (fit: "job title contains director").
    When(Expr),
    /// For each activity of a type (optionally only those meeting `filter`) within `window`.
    Each { kind: String, filter: Option<Expr>, window: Option<Millis> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub trigger: Trigger,
    /// Points per occurrence (negative allowed).
    pub points: f64,
    /// The most (or, for negative points, the least) this rule adds in all.
    pub cap: Option<f64>,
    /// Behaviour points halve every this long.
    pub half_life: Option<Millis>,
}

/// A score model: its rules and the categories its thresholds name.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub key: String,
    pub rules: Vec<Rule>,
    /// (lowest score, category), highest first: the first threshold a score reaches names it.
    pub thresholds: Vec<(f64, String)>,
}

/// What one rule adds to a record's score now, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub rule: usize,
    pub points: f64,
    /// How many times it applied (activities counted; 1 for a condition that holds).
    pub occurrences: usize,
    /// When the activities behind it happened, newest first (at most `EXPLAINED`).
    pub events: Vec<Millis>,
    /// Whether its cap held it back.
    pub capped: bool,
}

/// A record's score in one model, with the rules that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub category: Option<String>,
    /// Every rule that added something, in the model's order.
    pub contributions: Vec<Contribution>,
}

/// The activities an explanation lists per rule.
pub const EXPLAINED: usize = 20;

const DAY: Millis = 24 * 3600 * 1000;

impl Model {
    /// The record's score now.
    pub fn score(&self, facts: &dyn Facts, now: Millis) -> Scored {
        let contributions: Vec<Contribution> =
            self.rules.iter().enumerate().filter_map(|(i, r)| r.contribution(i, facts, now)).collect();
        // Rounded to a hundredth: scores are shown and compared, and decay leaves long tails.
        let score = round(contributions.iter().map(|c| c.points).sum());
        Scored { score, category: self.category(score), contributions }
    }

    /// The category a score falls in.
    pub fn category(&self, score: f64) -> Option<String> {
        self.thresholds.iter().find(|(min, _)| score >= *min).map(|(_, name)| name.clone())
    }
}

impl Rule {
    fn contribution(&self, index: usize, facts: &dyn Facts, now: Millis) -> Option<Contribution> {
        let (raw, occurrences, mut events) = match &self.trigger {
            Trigger::When(condition) => {
                if !eval(condition, facts, now) {
                    return None;
                }
                (self.points, 1, Vec::new())
            }
            Trigger::Each { kind, filter, window } => {
                let since = window.map(|w| now.saturating_sub(w));
                let mut times: Vec<Millis> = facts
                    .events(kind)
                    .into_iter()
                    .filter(|e| e.at <= now && since.is_none_or(|s| e.at >= s))
                    .filter(|e| filter.as_ref().is_none_or(|f| eval(f, &EventFacts(e), now)))
                    .map(|e| e.at)
                    .collect();
                if times.is_empty() {
                    return None;
                }
                times.sort_unstable_by(|a, b| b.cmp(a));
                let total: f64 = times.iter().map(|&at| self.points * decay(now - at, self.half_life)).sum();
                (total, times.len(), times)
            }
        };
        events.truncate(EXPLAINED);
        let (points, capped) = match self.cap {
            Some(cap) if raw.abs() > cap.abs() => (cap.abs().copysign(raw), true),
            _ => (raw, false),
        };
        Some(Contribution { rule: index, points: round(points), occurrences, events, capped })
    }
}

/// The share of an activity's points left after `age`.
pub fn decay(age: Millis, half_life: Option<Millis>) -> f64 {
    match half_life {
        Some(h) if h > 0 && age > 0 => 0.5f64.powf(age as f64 / h as f64),
        _ => 1.0,
    }
}

fn round(x: f64) -> f64 {
    // `+ 0.0` turns a -0.0 (a negative rounded to nothing) into 0.
    (x * 100.0).round() / 100.0 + 0.0
}

/// The priority label of a record scored in `models` (`scored` in the same order): its fit
/// category then its engagement category, `A1` first; `None` without both.
pub fn priority_label(models: &[Model], scored: &[Scored]) -> Option<String> {
    let category =
        |key: &str| models.iter().zip(scored).find(|(m, _)| m.key == key).and_then(|(_, s)| s.category.as_deref());
    matrix_label(category("fit"), category("engagement"))
}

/// The priority matrix's label of a fit and an engagement category (`A` and `1`: `A1`).
pub fn matrix_label(fit: Option<&str>, engagement: Option<&str>) -> Option<String> {
    fit.zip(engagement).map(|(f, e)| format!("{f}{e}"))
}

/// Where two categories meet in the priority matrix: `A1` first. The fit category's place in
/// its model's thresholds, then the engagement category's; records without a category last.
pub fn priority(
    fit: &Model,
    fit_category: Option<&str>,
    engagement: &Model,
    engagement_category: Option<&str>,
) -> usize {
    let place = |m: &Model, c: Option<&str>| {
        c.and_then(|c| m.thresholds.iter().position(|(_, name)| name == c)).unwrap_or(m.thresholds.len())
    };
    place(fit, fit_category) * (engagement.thresholds.len() + 1) + place(engagement, engagement_category)
}

/// Whether `key` can name a score model: lower-case letters, digits and `_`, at most 64 bytes
/// (a key is written into conditions, filters and statements as it is).
pub fn is_model_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The most score models a rule set holds.
pub const MAX_MODELS: usize = 20;
/// The most rules one model holds.
pub const MAX_RULES: usize = 200;
/// The most categories one model's thresholds name.
pub const MAX_CATEGORIES: usize = 10;
/// The largest number of points a rule, a cap or a threshold may name.
pub const MAX_POINTS: f64 = 1_000_000.0;
/// The models the priority matrix reads: a rule set must keep them.
pub const MATRIX_MODELS: [&str; 2] = ["fit", "engagement"];

/// Hold models to what the engine can apply: valid and unique keys, the matrix's two models,
/// bounded rules and points, a window on every behaviour rule, categories from the highest
/// threshold down. The first problem, named by where it is (`models[0].rules[2].points`).
pub fn check_models(models: &[Model]) -> Invalid<()> {
    if models.len() > MAX_MODELS {
        return Err(FieldError::new("models", "too_many", format!("at most {MAX_MODELS} score models")));
    }
    for key in MATRIX_MODELS {
        if !models.iter().any(|m| m.key == key) {
            let message = format!("the {key} model is required: fit and engagement make the priority matrix");
            return Err(FieldError::new("models", "model_required", message));
        }
    }
    for (i, m) in models.iter().enumerate() {
        let at = format!("models[{i}]");
        if !is_model_key(&m.key) {
            let message = "a model's key is 1 to 64 lower-case letters, digits or _";
            return Err(FieldError::new(format!("{at}.key"), "invalid_key", message));
        }
        if models[..i].iter().any(|o| o.key == m.key) {
            return Err(FieldError::new(format!("{at}.key"), "duplicate_key", format!("{} is used twice", m.key)));
        }
        if m.rules.len() > MAX_RULES {
            let message = format!("a model holds at most {MAX_RULES} rules; this one has {}", m.rules.len());
            return Err(FieldError::new(format!("{at}.rules"), "too_many", message));
        }
        for (j, r) in m.rules.iter().enumerate() {
            r.check(&format!("{at}.rules[{j}]"))?;
        }
        check_thresholds(&m.thresholds, &format!("{at}.thresholds"))?;
    }
    Ok(())
}

/// The longest name a rule or a category may have, in characters.
const MAX_NAME: usize = 200;

fn points(value: f64, at: &str, what: &str) -> Invalid<()> {
    if value.is_finite() && value.abs() <= MAX_POINTS {
        Ok(())
    } else {
        Err(FieldError::new(at, "invalid_points", format!("{what} is a number between -{MAX_POINTS} and {MAX_POINTS}")))
    }
}

fn days(value: Millis, at: &str, what: &str) -> Invalid<()> {
    if value > 0 && value <= crate::condition::MAX_WINDOW_DAYS * DAY {
        Ok(())
    } else {
        let max = crate::condition::MAX_WINDOW_DAYS;
        Err(FieldError::new(at, "invalid_days", format!("{what} is 1 to {max} days")))
    }
}

impl Rule {
    fn check(&self, at: &str) -> Invalid<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            let message = format!("a rule has a name of 1 to {MAX_NAME} characters");
            return Err(FieldError::new(format!("{at}.name"), "invalid_name", message));
        }
        points(self.points, &format!("{at}.points"), "points")?;
        if let Some(cap) = self.cap {
            points(cap, &format!("{at}.cap"), "a cap")?;
        }
        if let Some(h) = self.half_life {
            days(h, &format!("{at}.half_life_days"), "a half-life")?;
        }
        if let Trigger::Each { kind, window, .. } = &self.trigger {
            crate::activity::activity_type(kind).map_err(|e| FieldError { field: format!("{at}.each"), ..e })?;
            match window {
                Some(w) => days(*w, &format!("{at}.window_days"), "a window")?,
                None => {
                    let message = "a rule over activities needs a window (window_days): it would read all of them";
                    return Err(FieldError::new(format!("{at}.window_days"), "window_required", message));
                }
            }
        }
        Ok(())
    }
}

fn check_thresholds(thresholds: &[(f64, String)], at: &str) -> Invalid<()> {
    if thresholds.is_empty() || thresholds.len() > MAX_CATEGORIES {
        let message = format!("a model names 1 to {MAX_CATEGORIES} categories");
        return Err(FieldError::new(at, "invalid_thresholds", message));
    }
    for (k, (min, name)) in thresholds.iter().enumerate() {
        let here = format!("{at}[{k}]");
        if name.trim().is_empty() || name.chars().count() > 32 || name.chars().any(char::is_control) {
            let message = "a category has a name of 1 to 32 characters";
            return Err(FieldError::new(format!("{here}.category"), "invalid_name", message));
        }
        if thresholds[..k].iter().any(|(_, n)| n == name) {
            return Err(FieldError::new(
                format!("{here}.category"),
                "duplicate_category",
                format!("{name} is named twice"),
            ));
        }
        if *min != f64::NEG_INFINITY {
            points(*min, &format!("{here}.min"), "a threshold")?;
        }
        if k > 0 && thresholds[k - 1].0 <= *min {
            let message = "thresholds go from the highest down, each lower than the one before";
            return Err(FieldError::new(format!("{here}.min"), "unordered_thresholds", message));
        }
    }
    Ok(())
}

/// A shipped rule's condition; the tests parse every one of them.
fn shipped(text: &str) -> Expr {
    parse(text).unwrap_or_else(|e: ParseError| panic!("a shipped rule does not parse: {text}: {e}"))
}

fn when(name: &str, condition: &str, points: f64) -> Rule {
    Rule { name: name.into(), trigger: Trigger::When(shipped(condition)), points, cap: None, half_life: None }
}

/// A shipped rule over activities of the last year (see [`within`] for another window).
fn each(
    name: &str,
    kind: &str,
    filter: Option<&str>,
    points: f64,
    cap: Option<f64>,
    half_life_days: Option<i64>,
) -> Rule {
    Rule {
        name: name.into(),
        trigger: Trigger::Each { kind: kind.into(), filter: filter.map(shipped), window: Some(365 * DAY) },
        points,
        cap,
        half_life: half_life_days.map(|d| d * DAY),
    }
}

/// A rule over activities counting those of the last `days` only.
fn within(days: i64, mut rule: Rule) -> Rule {
    if let Trigger::Each { window, .. } = &mut rule.trigger {
        *window = Some(days * DAY);
    }
    rule
}

/// The four models a fresh install ships: fit (who they are), engagement (what they do, with
/// a 30-day half-life), product (what they do in the product, for product-qualified leads) and
/// health (how a customer stands: see `crate::health`).
pub fn default_models() -> Vec<Model> {
    let fit = Model {
        key: "fit".into(),
        rules: vec![
            when(
                "Decision maker",
                "job_title contains \"chief\" or job_title contains \"director\" or job_title contains \"head\" \
                 or job_title contains \"vp\" or job_title in (\"ceo\", \"cto\", \"cfo\", \"coo\", \"cmo\", \"founder\", \"owner\")",
                20.0,
            ),
            when("Manager", "job_title contains \"manager\" or job_title contains \"lead\"", 10.0),
            when("Company of 50 or more", "company.employee_count >= 50", 15.0),
            when("Company of 500 or more", "company.employee_count >= 500", 10.0),
            when("Target industry", "company.industry in (\"software\", \"manufacturing\", \"logistics\", \"finance\")", 10.0),
            when("Target country", "country in (\"IT\", \"PL\", \"IR\", \"DE\", \"FR\", \"ES\", \"GB\", \"US\")", 10.0),
            when("Work address", "email is not empty and not email in free_mail", 15.0),
            when("Free-mail address", "email in free_mail", -10.0),
        ],
        thresholds: vec![(60.0, "A".into()), (40.0, "B".into()), (20.0, "C".into()), (f64::NEG_INFINITY, "D".into())],
    };
    let engagement = Model {
        key: "engagement".into(),
        rules: vec![
            each("Page views", "page_view", None, 1.0, Some(15.0), Some(30)),
            each("Pricing page", "page_view", Some("url contains \"/pricing\""), 10.0, Some(30.0), Some(30)),
            each("Form submissions", "form_submission", None, 15.0, Some(45.0), Some(30)),
            each("E-mail clicks", "email_clicked", None, 3.0, Some(15.0), Some(30)),
            each("Chats", "chat_message", None, 5.0, Some(20.0), Some(30)),
            each("Meetings", "meeting", None, 25.0, Some(50.0), Some(30)),
        ],
        thresholds: vec![(60.0, "1".into()), (30.0, "2".into()), (10.0, "3".into()), (f64::NEG_INFINITY, "4".into())],
    };
    let product = Model {
        key: "product".into(),
        rules: vec![
            each("Signed up", "product_event", Some("name = \"signed_up\""), 20.0, Some(20.0), None),
            each("Active days", "product_event", Some("name = \"active_day\""), 2.0, Some(40.0), Some(14)),
            each("Key feature used", "product_event", Some("name = \"feature_used\""), 5.0, Some(40.0), Some(30)),
            each("Invited a teammate", "product_event", Some("name = \"invited\""), 10.0, Some(30.0), None),
        ],
        thresholds: vec![(50.0, "PQL".into()), (f64::NEG_INFINITY, "not yet".into())],
    };
    vec![fit, engagement, product, default_health()]
}

/// Customer health: use of the product, purchases and talks with the team against support
/// tickets and silence, over the last three months (purchases a year). Its lowest category
/// is "at risk", its highest "healthy" (`crate::health::Bands`).
fn default_health() -> Model {
    Model {
        key: crate::health::MODEL.into(),
        rules: vec![
            within(
                90,
                each(
                    "Active in the product",
                    "product_event",
                    Some("name = \"active_day\""),
                    3.0,
                    Some(30.0),
                    Some(30),
                ),
            ),
            within(
                90,
                each(
                    "Key features in use",
                    "product_event",
                    Some("name = \"feature_used\""),
                    5.0,
                    Some(20.0),
                    Some(30),
                ),
            ),
            within(90, each("Team growing", "product_event", Some("name = \"invited\""), 5.0, Some(10.0), None)),
            each("Bought again", "purchase", None, 15.0, Some(30.0), Some(180)),
            within(90, each("Talks with us", "meeting", None, 5.0, Some(10.0), Some(30))),
            within(90, each("Support tickets", "support_ticket", None, -5.0, Some(-20.0), Some(30))),
            within(
                90,
                each("Urgent tickets", "support_ticket", Some("priority = \"urgent\""), -10.0, Some(-20.0), None),
            ),
            each("Unsubscribed", "unsubscribed", None, -10.0, Some(-10.0), None),
            when("Quiet in the product", "count(product_event, last 30 days) = 0", -20.0),
        ],
        thresholds: vec![(50.0, "healthy".into()), (20.0, "steady".into()), (f64::NEG_INFINITY, "at risk".into())],
    }
}

/// The fit model of companies (accounts) a fresh install ships: size, industry, country and
/// the target-account tier, read from the company's own fields.
pub fn default_account_fit() -> Model {
    Model {
        key: "account_fit".into(),
        rules: vec![
            when("50 or more employees", "employee_count >= 50", 20.0),
            when("500 or more employees", "employee_count >= 500", 15.0),
            when("Target industry", "industry in (\"software\", \"manufacturing\", \"logistics\", \"finance\")", 20.0),
            when("Target country", "country in (\"IT\", \"PL\", \"IR\", \"DE\", \"FR\", \"ES\", \"GB\", \"US\")", 15.0),
            when("Tier 1 target account", "tier = \"tier_1\"", 20.0),
            when("Tier 2 target account", "tier = \"tier_2\"", 10.0),
        ],
        thresholds: vec![(60.0, "A".into()), (40.0, "B".into()), (20.0, "C".into()), (f64::NEG_INFINITY, "D".into())],
    }
}

/// A company's engagement rolled up from its people's: the sum of their engagement scores (a
/// buying group engages as a whole), its category by the engagement model's thresholds, and
/// how many of them are engaged (in one of the model's two highest categories).
pub fn roll_up(engagement: &Model, scores: &[f64]) -> (f64, Option<String>, usize) {
    let total = round(scores.iter().sum());
    let engaged_from = engagement.thresholds.get(1).or(engagement.thresholds.first()).map_or(f64::INFINITY, |t| t.0);
    let engaged = scores.iter().filter(|&&s| s >= engaged_from).count();
    (total, engagement.category(total), engaged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::eval::plain::Plain as Contact;
    use crate::condition::eval::{Event, Value};
    use proptest::prelude::*;

    const NOW: Millis = 1_800_000_000_000;

    fn event(kind: &str, days_ago: f64, url: &str) -> Event {
        Event {
            kind: kind.into(),
            at: NOW - (days_ago * DAY as f64) as Millis,
            fields: vec![("url".into(), Value::Text(url.into()))],
        }
    }

    fn models() -> (Model, Model, Model) {
        let mut m = default_models().into_iter();
        (m.next().unwrap(), m.next().unwrap(), m.next().unwrap())
    }

    #[test]
    fn an_account_rolls_up_its_people() {
        let (contact_fit, engagement, _) = models();
        assert_eq!(roll_up(&engagement, &[]), (0.0, Some("4".into()), 0));
        // Two engaged people (30 and 45 reach category 2) and one who looked once: 1 together.
        assert_eq!(roll_up(&engagement, &[30.0, 45.0, 1.5]), (76.5, Some("1".into()), 2));
        let fit = default_account_fit();
        assert_eq!(check_models(&[fit.clone(), contact_fit, engagement]), Ok(()));
        let company = Contact {
            values: vec![
                ("employee_count", Value::Number(800.0)),
                ("industry", Value::Text("logistics".into())),
                ("tier", Value::Text("tier_1".into())),
            ],
            events: Vec::new(),
        };
        let scored = fit.score(&company, NOW);
        assert_eq!((scored.score, scored.category.as_deref()), (75.0, Some("A")));
        let schema =
            crate::condition::check::Schema { object: Some(crate::record::ObjectKind::Company), ..Default::default() };
        for rule in &fit.rules {
            let Trigger::When(condition) = &rule.trigger else { panic!("an account's fit reads its fields") };
            assert_eq!(crate::condition::check::check(condition, &schema), Vec::new(), "{}", rule.name);
        }
    }

    #[test]
    fn models_are_held_to_what_the_engine_can_apply() {
        assert_eq!(check_models(&default_models()), Ok(()));
        let field = |models: Vec<Model>| check_models(&models).unwrap_err().field;
        let without_fit: Vec<Model> = default_models().into_iter().filter(|m| m.key != "fit").collect();
        assert_eq!(field(without_fit), "models");
        let mut m = default_models();
        m[1].rules[0].trigger = Trigger::Each { kind: "page_view".into(), filter: None, window: None };
        assert_eq!(field(m), "models[1].rules[0].window_days");
        let mut m = default_models();
        m[0].thresholds.swap(0, 1);
        assert_eq!(field(m), "models[0].thresholds[1].min");
        let mut m = default_models();
        m[2].rules = vec![m[2].rules[0].clone(); MAX_RULES + 1];
        assert_eq!(field(m), "models[2].rules");
        let mut m = default_models();
        m[0].rules[1].points = f64::NAN;
        assert_eq!(field(m), "models[0].rules[1].points");
        let mut m = default_models();
        m[2].key = "fit".into();
        assert_eq!(field(m), "models[2].key");
        let mut m = default_models();
        m[1].rules[2].trigger = Trigger::Each { kind: "page view".into(), filter: None, window: Some(DAY) };
        assert_eq!(field(m), "models[1].rules[2].each");
    }

    #[test]
    fn the_default_models_score_a_good_lead_and_explain_it() {
        let (fit, engagement, _) = models();
        let c = Contact {
            values: vec![
                ("job_title", Value::Text("Head of Logistics".into())),
                ("company.employee_count", Value::Number(800.0)),
                ("company.industry", Value::Text("logistics".into())),
                ("country", Value::Text("PL".into())),
                ("email", Value::Text("anna@wisla-logistics.pl".into())),
            ],
            events: vec![
                event("page_view", 0.0, "/pricing"),
                event("page_view", 30.0, "/pricing"),
                event("form_submission", 1.0, "/demo"),
            ],
        };
        let f = fit.score(&c, NOW);
        assert_eq!((f.score, f.category.as_deref()), (80.0, Some("A")), "{f:?}");
        let e = engagement.score(&c, NOW);
        // Two page views (1 + 0.5), two pricing visits (10 + 5), a form a day old.
        let form = 15.0 * 0.5f64.powf(1.0 / 30.0);
        assert_eq!(e.score, round(1.5 + 15.0 + form), "{e:?}");
        assert_eq!(e.category.as_deref(), Some("2"));
        let pricing = e.contributions.iter().find(|c| engagement.rules[c.rule].name == "Pricing page").unwrap();
        assert_eq!((pricing.occurrences, pricing.events.len()), (2, 2));
        assert_eq!(pricing.events[0], NOW, "newest first");
        assert_eq!(priority_label(&[fit.clone(), engagement.clone()], &[f.clone(), e.clone()]).as_deref(), Some("A2"));
        assert!(
            priority(&fit, f.category.as_deref(), &engagement, e.category.as_deref())
                < priority(&fit, Some("B"), &engagement, Some("1"))
        );
    }

    #[test]
    fn caps_hold_and_decay_halves() {
        let (_, engagement, _) = models();
        let c = Contact { events: (0..50).map(|_| event("page_view", 0.0, "/")).collect(), ..Contact::default() };
        let s = engagement.score(&c, NOW);
        assert_eq!(s.score, 15.0);
        assert!(s.contributions[0].capped);
        let old = Contact { events: vec![event("form_submission", 60.0, "/")], ..Contact::default() };
        assert_eq!(engagement.score(&old, NOW).score, 3.75, "two half-lives");
        assert_eq!(engagement.score(&old, NOW + 30 * DAY).score, 1.88, "decay is exact when read later");
    }

    #[test]
    fn shipped_rules_read_only_what_contacts_have() {
        use crate::condition::check::{check, Schema};
        let schema = Schema {
            object: Some(crate::record::ObjectKind::Contact),
            scores: &["fit", "engagement", "product", "health"],
            ..Schema::default()
        };
        for model in default_models() {
            for rule in &model.rules {
                let condition = match &rule.trigger {
                    Trigger::When(c) => Some(c),
                    Trigger::Each { kind, filter, .. } => {
                        assert!(crate::activity::activity_type(kind).is_ok(), "{kind}");
                        filter.as_ref()
                    }
                };
                if let (Some(c), Trigger::When(_)) = (condition, &rule.trigger) {
                    assert_eq!(check(c, &schema), vec![], "{}: {}", model.key, rule.name);
                }
            }
        }
    }

    fn model_with(rule: Rule) -> Model {
        Model { key: "m".into(), rules: vec![rule], thresholds: vec![] }
    }

    proptest! {
        /// Without decay or cap, a behaviour rule is its points times the activities that
        /// `count(...)` of the condition language finds: two code paths, one answer.
        #[test]
        fn behaviour_points_agree_with_the_language_count(
            ages in prop::collection::vec(0i64..200, 0..30),
            urls in prop::collection::vec(prop::sample::select(vec!["/", "/pricing", "/blog"]), 30),
            points in -20i32..20,
            window in 1i64..150,
        ) {
            let events: Vec<Event> = ages.iter().zip(&urls).map(|(a, u)| event("page_view", *a as f64, u)).collect();
            let c = Contact { events, ..Contact::default() };
            let rule = Rule {
                name: "r".into(),
                trigger: Trigger::Each { kind: "page_view".into(), filter: Some(parse("url = \"/pricing\"").unwrap()), window: Some(window * DAY) },
                points: f64::from(points),
                cap: None,
                half_life: None,
            };
            let counted = format!("count(page_view where url = \"/pricing\", last {window} days)");
            let n = (0..=30).find(|n| eval(&parse(&format!("{counted} = {n}")).unwrap(), &c, NOW)).unwrap();
            prop_assert_eq!(model_with(rule).score(&c, NOW).score, round(f64::from(points) * n as f64));
        }

        /// Decay never raises a score made of positive points, and a cap is never passed.
        #[test]
        fn decay_only_lowers_and_caps_hold(
            ages in prop::collection::vec(0i64..400, 1..40),
            points in 1i32..30,
            cap in 1i32..100,
            half_life in 1i64..90,
            later in 0i64..200,
        ) {
            let c = Contact { events: ages.iter().map(|a| event("page_view", *a as f64, "/")).collect(), ..Contact::default() };
            let m = model_with(Rule {
                name: "r".into(),
                trigger: Trigger::Each { kind: "page_view".into(), filter: None, window: None },
                points: f64::from(points),
                cap: Some(f64::from(cap)),
                half_life: Some(half_life * DAY),
            });
            let now = m.score(&c, NOW).score;
            let then = m.score(&c, NOW + later * DAY).score;
            prop_assert!(then <= now + 0.01, "{} then, {} now", then, now);
            prop_assert!(now <= f64::from(cap) + 0.001);
        }
    }
}
