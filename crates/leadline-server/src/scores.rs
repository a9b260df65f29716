//! Scores read from the store: a contact's facts (its fields, its company's, its custom
//! properties, tags and addresses) and its activities of the last year, handed to core's score
//! models, which compute each score, with its explanation, at the moment it is read.

use leadline_core::condition::eval::{Event, Facts, Value};
use leadline_core::record::{FieldKind, ObjectKind, Scalar};
use leadline_core::score::{Model, Scored};
use leadline_core::Millis;
use leadline_store::{ActivityQuery, Record, Store, StoreResult, TimelineCursor};

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
    /// Read what the rules need: the contact, its company and its activities of the last year
    /// (at most `MAX_EVENTS`, newest first).
    pub async fn load(store: &dyn Store, contact_id: &str, now: Millis) -> StoreResult<Self> {
        let contact = store.get(ObjectKind::Contact, contact_id).await?;
        let company = match contact.text("company_id") {
            Some(id) => store.get(ObjectKind::Company, id).await.ok(),
            None => None,
        };
        let mut events = Vec::new();
        let mut query = ActivityQuery { contact_id: Some(contact.id.clone()), limit: 1_000, ..Default::default() };
        'pages: loop {
            let page = store.activities(&query).await?;
            let last = page.last().map(TimelineCursor::of);
            for a in page.iter() {
                if a.occurred_at < now - LOOKBACK || events.len() >= MAX_EVENTS {
                    break 'pages;
                }
                let mut fields: Vec<(String, Value)> =
                    a.properties.iter().map(|(k, v)| (k.clone(), json_value(v))).collect();
                for (name, value) in [("channel", &a.channel), ("campaign", &a.campaign), ("source", &a.source)] {
                    if let Some(v) = value {
                        fields.push((name.into(), Value::Text(v.clone())));
                    }
                }
                events.push(Event { kind: a.kind.clone(), at: a.occurred_at, fields });
            }
            match last {
                Some(cursor) if page.len() == query.limit as usize => query.before = Some(cursor),
                _ => break,
            }
        }
        let linked = leadline_store::Filter {
            target: leadline_store::FilterTarget::LinkedTo(ObjectKind::Contact),
            op: leadline_store::FilterOp::Eq,
            value: vec![Scalar::Text(contact.id.clone())],
        };
        let deals = store
            .list(
                ObjectKind::Deal,
                &leadline_store::ListQuery {
                    filters: vec![linked],
                    ..leadline_store::ListQuery::newest(ObjectKind::Deal, 500)
                },
            )
            .await?
            .items;
        let status = |st: &str| deals.iter().filter(|d| d.text("status") == Some(st)).count();
        let (open_deals, won_deals) = (status("open"), status("won"));
        Ok(Self { contact, company, events, open_deals, won_deals })
    }

    /// The contact's id (the survivor's, when the asked-for id was merged).
    pub fn id(&self) -> &str {
        &self.contact.id
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
