//! Scores read from the store: a contact's facts (its fields, its company's, its custom
//! properties, tags and addresses) and its activities of the last year, handed to core's score
//! models, which compute each score, with its explanation, at the moment it is read.

use leadline_core::condition::eval::{Event, Facts, Value};
use leadline_core::condition::Expr;
use leadline_core::record::{FieldKind, Scalar};
use leadline_core::score::{Model, Scored};
use leadline_core::Millis;
use leadline_store::{Activity, Contacts, Record, Store, StoreResult};

/// How far back a contact's activities are read for its scores (the shipped rules' window).
const LOOKBACK: Millis = 365 * 24 * 3600 * 1000;
/// The most activities read for one contact's scores.
const MAX_EVENTS: usize = 5_000;

/// A contact as score rules read it.
pub struct ContactFacts {
    contact: Record,
    company: Option<Record>,
    events: Vec<Event>,
    /// The contact's deals still open, and won.
    open_deals: usize,
    won_deals: usize,
}

impl ContactFacts {
    /// Read what the rules need for one contact: see [`ContactFacts::load_many`].
    pub async fn load(store: &dyn Store, contact_id: &str, now: Millis) -> StoreResult<Self> {
        let ids = [contact_id.to_owned()];
        Self::load_many(store, Contacts::Ids(&ids), now, None)
            .await?
            .pop()
            .ok_or_else(|| leadline_store::StoreError::not_found("contact", contact_id))
    }

    /// Read what the rules need for many contacts in a few statements: each contact, its
    /// company, its activities of the last year (of `kinds`, when given; at most `MAX_EVENTS`
    /// each, newest first) and its open and won deals. Contacts deleted meanwhile are left out.
    pub async fn load_many(
        store: &dyn Store,
        which: Contacts<'_>,
        now: Millis,
        kinds: Option<&[String]>,
    ) -> StoreResult<Vec<Self>> {
        Self::load_window(store, which, now, LOOKBACK, kinds).await
    }

    /// [`ContactFacts::load_many`] with activities of the last `lookback` only (at most a year).
    pub async fn load_window(
        store: &dyn Store,
        which: Contacts<'_>,
        now: Millis,
        lookback: Millis,
        kinds: Option<&[String]>,
    ) -> StoreResult<Vec<Self>> {
        let mut page = store.contact_facts(which, now - lookback.min(LOOKBACK), kinds).await?;
        Ok(page
            .contacts
            .into_iter()
            .map(|contact| {
                let company = contact.text("company_id").and_then(|id| page.companies.get(id)).cloned();
                let events = page
                    .activities
                    .remove(&contact.id)
                    .unwrap_or_default()
                    .iter()
                    .take(MAX_EVENTS)
                    .map(event_of)
                    .collect();
                let (open_deals, won_deals) = page.deals.get(&contact.id).copied().unwrap_or_default();
                Self { contact, company, events, open_deals: open_deals as usize, won_deals: won_deals as usize }
            })
            .collect())
    }

    /// The contact's id (the survivor's, when the asked-for id was merged).
    pub fn id(&self) -> &str {
        &self.contact.id
    }

    /// The contact as read.
    pub fn record(&self) -> &Record {
        &self.contact
    }

    /// The contact's owner, if it has one.
    pub fn owner(&self) -> Option<&str> {
        self.contact.text("owner_id")
    }

    /// The contact as routing sees it: its country, and its company's owner.
    pub fn routing_lead(&self) -> leadline_core::routing::Lead {
        leadline_core::routing::Lead {
            country: self.contact.text("country").map(str::to_owned),
            account_owner: self.company.as_ref().and_then(|c| c.text("owner_id")).map(str::to_owned),
        }
    }

    /// Every model's score of this contact at `now`.
    pub fn score(&self, models: &[Model], now: Millis) -> Vec<Scored> {
        models.iter().map(|m| m.score(self, now)).collect()
    }
}

/// An activity as the rules read it: its properties, channel, campaign and source.
fn event_of(a: &Activity) -> Event {
    let mut fields: Vec<(String, Value)> = a.properties.iter().map(|(k, v)| (k.clone(), json_value(v))).collect();
    for (name, value) in [("channel", &a.channel), ("campaign", &a.campaign), ("source", &a.source)] {
        if let Some(v) = value {
            fields.push((name.into(), Value::Text(v.clone())));
        }
    }
    Event { kind: a.kind.clone(), at: a.occurred_at, fields }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Value::Null, Value::Number),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
        }
        serde_json::Value::Object(_) => Value::Null,
    }
}

fn field_value(r: &Record, name: &str) -> Value {
    let Some((spec, value)) = r.fields.iter().find(|(f, _)| f.name == name) else { return Value::Null };
    match (spec.kind, value) {
        (_, None) => Value::Null,
        (FieldKind::Time, Some(Scalar::Int(ms))) => Value::Time(*ms),
        (_, Some(Scalar::Int(n))) => Value::Number(*n as f64),
        (_, Some(Scalar::Text(t))) => Value::Text(t.clone()),
    }
}

impl Facts for ContactFacts {
    fn value(&self, path: &[String]) -> Value {
        let c = &self.contact;
        match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["email"] => c.emails.first().map_or(Value::Null, |e| Value::Text(e.clone())),
            ["email_domain"] => c
                .emails
                .first()
                .and_then(|e| e.rsplit_once('@'))
                .map_or(Value::Null, |(_, d)| Value::Text(d.to_owned())),
            ["phone"] => c.phones.first().map_or(Value::Null, |p| Value::Text(p.clone())),
            ["tag"] => Value::List(c.tags.clone()),
            ["open_deals"] => Value::Number(self.open_deals as f64),
            ["won_deals"] => Value::Number(self.won_deals as f64),
            ["properties", name] => c.properties.get(*name).map_or(Value::Null, json_value),
            ["company", "properties", name] => {
                self.company.as_ref().and_then(|co| co.properties.get(*name)).map_or(Value::Null, json_value)
            }
            ["company", field] => self.company.as_ref().map_or(Value::Null, |co| field_value(co, field)),
            // A score model's score and category as the engine last decided them (the engine
            // lays its fresh ones over these).
            [model] if c.scores.iter().any(|(k, _, _)| k == model) => {
                c.scores.iter().find(|(k, _, _)| k == model).map_or(Value::Null, |(_, s, _)| Value::Number(*s))
            }
            [model, "category"] => c
                .scores
                .iter()
                .find(|(k, _, _)| k == model)
                .and_then(|(_, _, cat)| cat.clone())
                .map_or(Value::Null, Value::Text),
            ["consent", channel] => c
                .consent
                .iter()
                .find(|k| k.channel.as_str() == *channel)
                .map_or(Value::Null, |k| Value::Bool(k.granted)),
            [field] => field_value(c, field),
            _ => Value::Null,
        }
    }

    fn events(&self, kind: &str) -> Vec<&Event> {
        self.events.iter().filter(|e| e.kind == kind).collect()
    }
}

/// Contacts read per page by [`count_matching`].
const COUNT_PAGE: u32 = 2_000;

/// What [`count_matching`] found.
pub struct Counted {
    pub count: u64,
    pub scanned: u64,
    pub sample: Vec<String>,
}

/// Count the live contacts that meet `expr` at `now`, reading them a page at a time with only
/// the activity types the condition reads, and keep the first `sample` ids. `scores` are the
/// score models' keys (their stored scores pick candidates).
pub async fn count_matching(
    store: &dyn Store,
    expr: &Expr,
    scores: &[&str],
    now: Millis,
    sample: usize,
) -> StoreResult<Counted> {
    // Only the contacts the store can tell might match (all of them when it can tell nothing),
    // and of them only the activity types the condition reads, over its longest window.
    let candidates = prefilters(expr, scores);
    let kinds = expr.behaviour_kinds();
    let lookback = expr.lookback().unwrap_or(LOOKBACK);
    let mut out = Counted { count: 0, scanned: 0, sample: Vec::new() };
    let decide = |page: &[ContactFacts], out: &mut Counted| {
        out.scanned += page.len() as u64;
        for facts in page {
            if leadline_core::condition::eval::eval(expr, facts, now) {
                out.count += 1;
                if out.sample.len() < sample {
                    out.sample.push(facts.id().to_owned());
                }
            }
        }
    };
    if candidates.is_empty() {
        let mut after = String::new();
        loop {
            let which = Contacts::After(&after, COUNT_PAGE);
            let page = ContactFacts::load_window(store, which, now, lookback, Some(&kinds)).await?;
            let Some(last) = page.last() else { break };
            after = last.id().to_owned();
            decide(&page, &mut out);
            if page.len() < COUNT_PAGE as usize {
                break;
            }
        }
    } else {
        let ids = store.contact_ids_matching(&candidates).await?;
        for chunk in ids.chunks(COUNT_PAGE as usize) {
            let page = ContactFacts::load_window(store, Contacts::Ids(chunk), now, lookback, Some(&kinds)).await?;
            decide(&page, &mut out);
        }
    }
    Ok(out)
}

/// The parts of a condition the store decides exactly the same way, as list filters that pick
/// every contact the condition could match (a superset: the evaluator decides the rest). Of
/// its top-level `and` terms: a code field (country, language, stage, lead status) equal to a
/// text, normalised as the field stores it; a score model compared with a number, against the
/// stored score rounded (`fit > 20.5` asks `score >= 20`, which every 20.5 and more rounds to).
pub fn prefilters(expr: &Expr, scores: &[&str]) -> Vec<leadline_store::Filter> {
    use leadline_core::condition::{CmpOp, Literal, Operand};
    use leadline_store::{Filter, FilterOp, FilterTarget};
    let terms = match expr {
        Expr::And(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    terms
        .iter()
        .filter_map(|term| {
            let Expr::Compare { left: Operand::Path { parts, .. }, op, right: Operand::Literal(lit) } = term else {
                return None;
            };
            let [name] = parts.as_slice() else { return None };
            match (lit, op) {
                (Literal::Number(n), CmpOp::Gt | CmpOp::Gte) if scores.contains(&name.as_str()) && n.is_finite() => {
                    let at_least = n.floor() as i64;
                    Some(Filter {
                        target: FilterTarget::Score(name.clone()),
                        op: FilterOp::Gte,
                        value: vec![Scalar::Int(at_least)],
                    })
                }
                (Literal::Number(n), CmpOp::Lt | CmpOp::Lte) if scores.contains(&name.as_str()) && n.is_finite() => {
                    let at_most = n.ceil() as i64;
                    Some(Filter {
                        target: FilterTarget::Score(name.clone()),
                        op: FilterOp::Lte,
                        value: vec![Scalar::Int(at_most)],
                    })
                }
                (Literal::Text(t), CmpOp::Eq) => {
                    let spec = leadline_core::record::field(leadline_core::record::ObjectKind::Contact, name)?;
                    let code = matches!(
                        spec.kind,
                        FieldKind::Country | FieldKind::Language | FieldKind::LifecycleStage | FieldKind::LeadStatus
                    );
                    let value = crate::wire::filter_value(spec, t).ok().filter(|_| code)?;
                    Some(Filter { target: FilterTarget::Field(spec), op: FilterOp::Eq, value: vec![value] })
                }
                _ => None,
            }
        })
        .collect()
}

/// A company as account fit rules read it: its own fields and custom properties.
pub struct CompanyFacts<'a>(pub &'a Record);

impl Facts for CompanyFacts<'_> {
    fn value(&self, path: &[String]) -> Value {
        match path.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["properties", name] => self.0.properties.get(*name).map_or(Value::Null, json_value),
            [field] => field_value(self.0, field),
            _ => Value::Null,
        }
    }

    fn events(&self, _kind: &str) -> Vec<&Event> {
        Vec::new()
    }
}

/// The most people of a company whose engagement an account's score reads.
pub const ACCOUNT_PEOPLE: u32 = 1_000;

/// A company's scores now: its own fit (the account fit model over its fields), its people's
/// engagement rolled up (their scores as the engine last decided them), and each person's part.
pub struct AccountScores {
    /// The account fit model, and the company's score in it.
    pub fit_model: Model,
    pub fit: Scored,
    pub engagement: f64,
    pub engagement_category: Option<String>,
    /// People in the engagement model's two highest categories.
    pub engaged: usize,
    /// (contact, engagement score), highest first.
    pub people: Vec<(Record, f64)>,
    /// The account fit category then the rolled-up engagement category (`A1` first).
    pub priority: Option<String>,
}

pub async fn account_scores(
    store: &dyn Store,
    company: &Record,
    rules: &crate::rules::Current,
    now: Millis,
) -> StoreResult<AccountScores> {
    // Every rule set has an engagement model (`score::check_models`).
    let engagement = rules
        .model("engagement")
        .ok_or_else(|| leadline_store::StoreError::Corrupt("the rules have no engagement model".into()))?;
    let fit_model = leadline_core::score::default_account_fit();
    let fit = fit_model.score(&CompanyFacts(company), now);
    let mut people: Vec<(Record, f64)> = store
        .company_contacts(&company.id, ACCOUNT_PEOPLE)
        .await?
        .into_iter()
        .map(|(c, _)| {
            let score = c.scores.iter().find(|(k, _, _)| *k == engagement.key).map_or(0.0, |(_, s, _)| *s);
            (c, score)
        })
        .collect();
    people.sort_by(|a, b| b.1.total_cmp(&a.1));
    let scores: Vec<f64> = people.iter().map(|(_, s)| *s).collect();
    let (total, category, engaged) = leadline_core::score::roll_up(engagement, &scores);
    let priority = leadline_core::score::matrix_label(fit.category.as_deref(), category.as_deref());
    Ok(AccountScores { fit_model, fit, engagement: total, engagement_category: category, engaged, people, priority })
}
