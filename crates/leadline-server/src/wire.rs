//! Records on the wire: JSON in and out, list filters from the query string, and the OpenAPI
//! schemas of contacts, companies and deals, all derived from the core's `FieldSpec` tables so
//! the documentation cannot drift from what the code accepts.

use leadline_core::contact::{
    external_id, tag, Consent, ConsentChannel, ContactChanges, FieldChanges, Identity, MAX_IDENTITIES, MAX_TAGS,
};
use leadline_core::email::Email;
use leadline_core::phone::Phone;
use leadline_core::property::{PropertyDef, RawValue};
use leadline_core::record::{self, FieldKind, FieldSpec, ObjectKind, Scalar};
use leadline_core::FieldError;
use leadline_store::{Filter, FilterOp, FilterTarget, ListQuery, Record, Sort};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};

/// Keys a contact body may carry besides its built-in fields.
pub const CONTACT_EXTRAS: &[&str] = &["emails", "phones", "external_ids", "tags", "consent", "properties"];
pub const COMPANY_EXTRAS: &[&str] = &["external_ids", "properties"];
pub const DEAL_EXTRAS: &[&str] = &["contact_ids", "properties"];

pub fn extras(object: ObjectKind) -> &'static [&'static str] {
    match object {
        ObjectKind::Contact => CONTACT_EXTRAS,
        ObjectKind::Company => COMPANY_EXTRAS,
        ObjectKind::Deal => DEAL_EXTRAS,
    }
}

pub fn raw(v: &Value) -> RawValue {
    match v {
        Value::Null => RawValue::Null,
        Value::Bool(b) => RawValue::Bool(*b),
        Value::Number(n) => RawValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => RawValue::Text(s.clone()),
        Value::Array(a) => RawValue::List(a.iter().map(raw).collect()),
        Value::Object(_) => RawValue::Text(v.to_string()),
    }
}

/// A field's value as the API shows it: times as RFC 3339, other values as they are.
struct FieldJson<'a>(&'a FieldSpec, Option<&'a Scalar>);

impl serde::Serialize for FieldJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.0.kind, self.1) {
            (_, None) => s.serialize_none(),
            (FieldKind::Time, Some(Scalar::Int(ms))) => s.serialize_str(&leadline_core::date::rfc3339(*ms)),
            (_, Some(Scalar::Int(i))) => s.serialize_i64(*i),
            (_, Some(Scalar::Text(t))) => s.serialize_str(t),
        }
    }
}

/// A record as the API shows it, written straight to the output: lists of hundreds of
/// records are the API's hottest path, and building a `Value` map per record first doubled
/// their cost (measured under `leadline bench http`).
pub struct RecordJson<'a>(pub &'a Record);

impl serde::Serialize for RecordJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &r.id)?;
        for (spec, v) in &r.fields {
            m.serialize_entry(spec.name, &FieldJson(spec, v.as_ref()))?;
        }
        match r.object {
            ObjectKind::Contact => {
                m.serialize_entry("emails", &r.emails)?;
                m.serialize_entry("phones", &r.phones)?;
                m.serialize_entry("tags", &r.tags)?;
                let consent: Vec<Value> = r
                    .consent
                    .iter()
                    .map(|c| json!({"channel": c.channel.as_str(), "granted": c.granted, "at": leadline_core::date::rfc3339(c.at), "origin": c.origin}))
                    .collect();
                m.serialize_entry("consent", &consent)?;
                // The engine's last decision, per score model (`/contacts/{id}/scores` has the
                // score now, with its explanation).
                let scores: Map<String, Value> = r.scores.iter().map(|(k, v, _)| (k.clone(), json!(v))).collect();
                let categories: Map<String, Value> = r
                    .scores
                    .iter()
                    .map(|(k, _, c)| (k.clone(), c.as_ref().map_or(Value::Null, |c| json!(c))))
                    .collect();
                m.serialize_entry("scores", &scores)?;
                m.serialize_entry("score_categories", &categories)?;
            }
            ObjectKind::Deal => m.serialize_entry("contact_ids", &r.contact_ids)?,
            ObjectKind::Company => {}
        }
        if r.object != ObjectKind::Deal {
            let ids: Vec<Value> = r.external_ids.iter().map(|(s, id)| json!({"system": s, "id": id})).collect();
            m.serialize_entry("external_ids", &ids)?;
        }
        m.serialize_entry("properties", &r.properties)?;
        m.end()
    }
}

/// A record as a JSON value (for bodies that wrap it); see [`RecordJson`].
pub fn to_json(r: &Record) -> Value {
    serde_json::to_value(RecordJson(r)).unwrap_or(Value::Null)
}

/// What the validation of a body needs besides the body.
pub struct InputContext<'a> {
    pub object: ObjectKind,
    pub properties: &'a [PropertyDef],
    /// Region for phone numbers without a country code, when the body has no country.
    pub default_region: Option<&'a str>,
    pub now: i64,
    /// Where consent statements in this body come from: "api", "import", ...
    pub origin: &'a str,
}

fn body_object(body: &Value) -> ApiResult<&Map<String, Value>> {
    body.as_object().ok_or_else(|| ApiError::bad_request("invalid_json", "the body must be a JSON object"))
}

/// A built-in field's JSON type, as the schema gives it: whole numbers for counts and money
/// (money in minor units: the web's forms turn "1 200,50" into 120050 before they ask), text
/// for everything else, or null to clear.
fn check_type(key: &str, kind: FieldKind, value: &Value) -> ApiResult<()> {
    let numeric = matches!(kind, FieldKind::Count | FieldKind::Money | FieldKind::Time);
    let ok = match value {
        Value::Null => true,
        Value::Number(_) => numeric,
        Value::String(_) => !numeric,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let wanted = if numeric { "a whole number" } else { "text" };
    Err(ApiError::invalid(key, "invalid_type", format!("{key} must be {wanted} or null")))
}

/// A custom property's JSON type, as its definition gives it.
fn check_property_type(def: &PropertyDef, value: &Value) -> ApiResult<()> {
    use leadline_core::property::PropertyType as T;
    let field = format!("properties.{}", def.name);
    let (ok, wanted) = match (def.kind, value) {
        (_, Value::Null) => (true, ""),
        (T::Number, v) => (v.is_number(), "a number"),
        (T::Bool, v) => (v.is_boolean(), "true or false"),
        (T::MultiEnum, Value::Array(items)) if items.len() > MAX_OPTIONS => {
            return Err(ApiError::invalid(&field, "too_many", format!("{field} holds at most {MAX_OPTIONS} options")))
        }
        (T::MultiEnum, v) => (v.as_array().is_some_and(|a| a.iter().all(Value::is_string)), "a list of options"),
        (_, v) => (v.is_string(), "text"),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(&field, "invalid_type", format!("{field} must be {wanted} or null")))
    }
}

/// The most options a multiple-choice property value or an enum definition holds.
pub const MAX_OPTIONS: usize = 500;

/// Validate the built-in fields and custom properties of a body.
pub fn field_changes(body: &Value, ctx: &InputContext<'_>) -> ApiResult<FieldChanges> {
    let map = body_object(body)?;
    let mut out = FieldChanges::default();
    let currency = map.get("currency").and_then(Value::as_str).unwrap_or("EUR").to_ascii_uppercase();
    for (key, value) in map {
        if let Some(spec) = record::field(ctx.object, key) {
            check_type(key, spec.kind, value)?;
            out.set(spec, record::check(spec, &raw(value), &currency)?);
        } else if key == "properties" {
            let props = value
                .as_object()
                .ok_or_else(|| ApiError::invalid("properties", "invalid_type", "properties must be an object"))?;
            if props.len() > MAX_PROPERTIES {
                return Err(ApiError::invalid(
                    "properties",
                    "too_many",
                    format!("one write sets at most {MAX_PROPERTIES} properties"),
                ));
            }
            for (name, v) in props {
                let def =
                    ctx.properties.iter().find(|d| d.object == ctx.object && &d.name == name).ok_or_else(|| {
                        ApiError::invalid(
                            &format!("properties.{name}"),
                            "unknown_property",
                            format!("{name} is not a defined {} property", ctx.object.as_str()),
                        )
                    })?;
                check_property_type(def, v)?;
                out.properties.push((name.clone(), def.check(&raw(v))?));
            }
        } else if !extras(ctx.object).contains(&key.as_str()) && key != "id" {
            return Err(ApiError::invalid(
                key,
                "unknown_field",
                format!("{key} is not a field of a {}", ctx.object.as_str()),
            ));
        }
    }
    Ok(out)
}

/// A list field of a body, at most `max` long (the work a request may ask for is bounded).
fn strings<'v>(map: &'v Map<String, Value>, key: &str, max: usize) -> ApiResult<Option<Vec<&'v Value>>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(Value::Array(a)) if a.len() > max => {
            Err(ApiError::invalid(key, "too_many", format!("{key} holds at most {max} values; this has {}", a.len())))
        }
        Some(Value::Array(a)) => Ok(Some(a.iter().collect())),
        Some(_) => Err(ApiError::invalid(key, "invalid_type", format!("{key} must be a list"))),
    }
}

/// The most records a deal names as its contacts.
pub const MAX_DEAL_CONTACTS: usize = 100;
/// The most custom properties one write sets.
pub const MAX_PROPERTIES: usize = 200;

fn as_text<'v>(field: &str, v: &'v Value) -> ApiResult<&'v str> {
    v.as_str().ok_or_else(|| ApiError::invalid(field, "invalid_type", format!("{field} must be text")))
}

/// Validate a contact body into the changes it asks for.
pub fn contact_changes(body: &Value, ctx: &InputContext<'_>) -> ApiResult<ContactChanges> {
    let map = body_object(body)?;
    let mut c = ContactChanges { record: field_changes(body, ctx)?, ..Default::default() };
    let region = match c.record.get("country") {
        Some(Some(Scalar::Text(country))) => Some(country.as_str()),
        _ => ctx.default_region,
    };
    if let Some(list) = strings(map, "emails", MAX_IDENTITIES)? {
        let mut emails: Vec<Email> = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let f = format!("emails[{i}]");
            let e = Email::parse(&f, as_text(&f, v)?)?;
            if !emails.contains(&e) {
                // At most MAX_IDENTITIES long: the scan is bounded.
                emails.push(e);
            }
        }
        c.emails = Some(emails);
    }
    if let Some(list) = strings(map, "phones", MAX_IDENTITIES)? {
        let mut phones: Vec<Phone> = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let f = format!("phones[{i}]");
            let p = Phone::parse(&f, as_text(&f, v)?, region)?;
            if !phones.contains(&p) {
                phones.push(p);
            }
        }
        c.phones = Some(phones);
    }
    if let Some(list) = strings(map, "tags", MAX_TAGS)? {
        let mut tags: Vec<String> = Vec::new();
        for v in list {
            let t = tag(as_text("tags", v)?)?;
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        c.tags = Some(tags);
    }
    c.external_ids = external_ids(map)?.into_iter().map(|(s, id)| Identity::External(s, id)).collect();
    for (i, v) in strings(map, "consent", MAX_IDENTITIES)?.unwrap_or_default().into_iter().enumerate() {
        let f = format!("consent[{i}]");
        let channel = v.get("channel").and_then(Value::as_str).and_then(ConsentChannel::parse);
        let granted = v.get("granted").and_then(Value::as_bool);
        let (Some(channel), Some(granted)) = (channel, granted) else {
            return Err(ApiError::invalid(
                &f,
                "invalid_consent",
                "consent is {\"channel\": \"email|phone|chat\", \"granted\": true|false}",
            ));
        };
        let at = match v.get("at").and_then(Value::as_str) {
            Some(t) => leadline_core::date::parse_time(&format!("{f}.at"), t)?,
            None => ctx.now,
        };
        let origin = match v.get("origin").and_then(Value::as_str) {
            Some(o) => {
                leadline_core::error::clean_text(&format!("{f}.origin"), o)?.unwrap_or_else(|| ctx.origin.into())
            }
            None => ctx.origin.into(),
        };
        c.consent.push(Consent { channel, granted, at, origin });
    }
    Ok(c)
}

/// `[{"system": "salesforce", "id": "..."}]`, checked.
pub fn external_ids(map: &Map<String, Value>) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for v in strings(map, "external_ids", MAX_IDENTITIES)?.unwrap_or_default() {
        let (Some(system), Some(id)) = (v.get("system").and_then(Value::as_str), v.get("id").and_then(Value::as_str))
        else {
            return Err(ApiError::invalid(
                "external_ids",
                "invalid_external_id",
                "an external id is {\"system\": \"...\", \"id\": \"...\"}",
            ));
        };
        match external_id(system, id)? {
            Identity::External(s, i) => out.push((s, i)),
            _ => unreachable!("external_id builds external identities"),
        }
    }
    Ok(out)
}

/// A deal body's `contact_ids`, when given.
pub fn contact_ids(body: &Value) -> ApiResult<Option<Vec<String>>> {
    let map = body_object(body)?;
    match strings(map, "contact_ids", MAX_DEAL_CONTACTS)? {
        None => Ok(None),
        Some(list) => {
            list.iter().map(|v| as_text("contact_ids", v).map(str::to_owned)).collect::<ApiResult<Vec<_>>>().map(Some)
        }
    }
}

/// Parameters every list endpoint understands, besides the filters.
pub const LIST_PARAMS: &[&str] = &["q", "sort", "limit", "cursor", "count"];
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// Build a list query from query-string pairs: `field=value`, `field[op]=value`,
/// `properties.name=value`, `tag=`, `email=`, `company_id=`, plus `q`, `sort=-field`, `limit`
/// and `cursor`.
pub fn list_query(object: ObjectKind, pairs: &[(String, String)], defs: &[PropertyDef]) -> ApiResult<ListQuery> {
    let mut q = ListQuery::newest(object, DEFAULT_LIMIT);
    for (key, value) in pairs {
        let (name, op) = match key.split_once('[') {
            Some((n, rest)) => {
                let op = rest.strip_suffix(']').and_then(FilterOp::parse).ok_or_else(|| {
                    ApiError::invalid(
                        key,
                        "invalid_filter",
                        format!("{key}: operators are eq, ne, lt, lte, gt, gte, prefix, in, empty, not_empty"),
                    )
                })?;
                (n, op)
            }
            None => (key.as_str(), FilterOp::Eq),
        };
        match name {
            "q" => q.search = Some(value.clone()).filter(|v| !v.trim().is_empty()),
            "limit" => {
                q.limit =
                    value.parse::<u32>().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
                        ApiError::invalid("limit", "invalid_limit", format!("limit is 1 to {MAX_LIMIT}"))
                    })?;
            }
            "cursor" => q.after = Some(value.clone()),
            "count" => {}
            "sort" => {
                let (desc, field) = value.strip_prefix('-').map_or((false, value.as_str()), |f| (true, f));
                q.sort = match (object, field.strip_prefix("score.")) {
                    (ObjectKind::Contact, Some(model)) => Sort::Score(score_model(model)?),
                    _ => Sort::Field(record::field(object, field).ok_or_else(|| {
                        ApiError::invalid(
                            "sort",
                            "invalid_sort",
                            format!("{field} is not a field of a {}", object.as_str()),
                        )
                    })?),
                };
                q.descending = desc;
            }
            _ => q.filters.push(filter(object, name, op, value, defs)?),
        }
    }
    Ok(q)
}

fn filter(object: ObjectKind, name: &str, op: FilterOp, value: &str, defs: &[PropertyDef]) -> ApiResult<Filter> {
    let text = |v: &str| vec![Scalar::Text(v.to_owned())];
    let (target, values) = if let Some(p) = name.strip_prefix("properties.") {
        if !defs.iter().any(|d| d.object == object && d.name == p) {
            return Err(ApiError::invalid(
                name,
                "unknown_property",
                format!("{p} is not a defined {} property", object.as_str()),
            ));
        }
        (
            FilterTarget::Property(p.to_owned()),
            split(op, value).into_iter().map(|v| Scalar::Text(v.to_owned())).collect(),
        )
    } else if let (ObjectKind::Contact, Some(model)) = (object, name.strip_prefix("score.")) {
        if !matches!(op, FilterOp::Eq | FilterOp::Lt | FilterOp::Lte | FilterOp::Gt | FilterOp::Gte) {
            return Err(ApiError::invalid(name, "invalid_filter", "scores filter with eq, lt, lte, gt and gte"));
        }
        let n = value
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::invalid(name, "invalid_number", format!("{value:?} is not a whole number")))?;
        (FilterTarget::Score(score_model(model)?), vec![Scalar::Int(n)])
    } else if name == "segment" && object == ObjectKind::Contact {
        (FilterTarget::Segment, text(value))
    } else if name == "tag" && object == ObjectKind::Contact {
        (FilterTarget::Tag, text(value))
    } else if name == "email" && object == ObjectKind::Contact {
        (FilterTarget::Email, vec![Scalar::Text(Email::parse("email", value)?.into_string())])
    } else if name == "linked_company_id" && object == ObjectKind::Contact {
        (FilterTarget::LinkedTo(ObjectKind::Company), text(value))
    } else if name == "contact_id" && object == ObjectKind::Deal {
        (FilterTarget::LinkedTo(ObjectKind::Contact), text(value))
    } else if name == "deal_id" && object == ObjectKind::Contact {
        (FilterTarget::LinkedTo(ObjectKind::Deal), text(value))
    } else if let Some(spec) = record::field(object, name) {
        let values =
            split(op, value).into_iter().map(|v| filter_value(spec, v)).collect::<Result<Vec<_>, FieldError>>()?;
        (FilterTarget::Field(spec), values)
    } else {
        return Err(ApiError::invalid(
            name,
            "unknown_field",
            format!("{name} is not a field of a {} that lists filter on", object.as_str()),
        ));
    };
    if op == FilterOp::In && values.is_empty() {
        return Err(ApiError::invalid(
            name,
            "invalid_filter",
            format!("{name}[in] needs a comma-separated list of values"),
        ));
    }
    Ok(Filter { target, op, value: values })
}

/// A score model's key in a filter or sort (`score.fit`): a plain name.
fn score_model(model: &str) -> ApiResult<String> {
    match leadline_core::score::is_model_key(model) {
        true => Ok(model.to_owned()),
        false => {
            Err(ApiError::invalid("score", "invalid_score_model", format!("{model:?} is not a score model's key")))
        }
    }
}

fn split(op: FilterOp, value: &str) -> Vec<&str> {
    match op {
        FilterOp::In => value.split(',').map(str::trim).filter(|v| !v.is_empty()).collect(),
        FilterOp::Empty | FilterOp::NotEmpty => Vec::new(),
        _ => vec![value],
    }
}

/// A filter value normalised like a stored value (so `country=it` finds `IT`).
pub fn filter_value(spec: &'static FieldSpec, v: &str) -> Result<Scalar, FieldError> {
    if matches!(spec.kind, FieldKind::Money | FieldKind::Count) {
        // Filters take integers as the JSON does: money in minor units.
        return v
            .trim()
            .parse::<i64>()
            .map(Scalar::Int)
            .map_err(|_| FieldError::new(spec.name, "invalid_number", format!("{v:?} is not a whole number")));
    }
    if spec.kind == FieldKind::Time {
        return Ok(Scalar::Int(match v.parse::<i64>() {
            Ok(ms) => ms,
            Err(_) => leadline_core::date::parse_time(spec.name, v)?,
        }));
    }
    let writable = FieldSpec { system: false, ..*spec };
    match record::check(&writable, &RawValue::Text(v.to_owned()), "EUR")? {
        Some(s) => Ok(s),
        None => Ok(Scalar::Text(String::new())),
    }
}

// ---- OpenAPI schemas of the records

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

fn field_schema(spec: &FieldSpec) -> Schema {
    let (ty, format, description): (Type, Option<&str>, &str) = match spec.kind {
        FieldKind::Text => (Type::String, None, "text in any script, at most 10 000 bytes"),
        FieldKind::Count => (Type::Integer, None, "a whole number, not negative"),
        FieldKind::Money => (Type::Integer, None, "integer minor units of `currency` (cents for EUR)"),
        FieldKind::Currency => (Type::String, None, "ISO 4217 code"),
        FieldKind::Country => (Type::String, None, "ISO 3166-1 alpha-2 code"),
        FieldKind::Language => (Type::String, None, "BCP 47 language tag"),
        FieldKind::Date => (Type::String, Some("date"), "YYYY-MM-DD"),
        FieldKind::LifecycleStage => {
            (Type::String, None, "subscriber, lead, mql, sql, opportunity, customer, evangelist or other")
        }
        FieldKind::LeadStatus => {
            (Type::String, None, "new, attempting_contact, connected, qualified, disqualified or recycled")
        }
        FieldKind::DisqualificationReason => (
            Type::String,
            None,
            "junk, no_budget, no_authority, no_need, bad_timing, competitor, unreachable, duplicate or other",
        ),
        FieldKind::Domain => (Type::String, None, "web domain, normalised (https://www.Acme.com/x becomes acme.com)"),
        FieldKind::UserId => (Type::String, None, "id of a user"),
        FieldKind::CompanyId => (Type::String, None, "id of a company"),
        FieldKind::AccountTier => (Type::String, None, "tier_1, tier_2 or tier_3"),
        FieldKind::DealStatus => (Type::String, None, "open, won or lost"),
        FieldKind::ForecastCategory => (Type::String, None, "omitted, pipeline, best_case or commit"),
        FieldKind::Time => (Type::String, Some("date-time"), "RFC 3339, set by Leadline"),
    };
    let mut b =
        ObjectBuilder::new().schema_type(SchemaType::from_iter([ty, Type::Null])).description(Some(description));
    if let Some(f) = format {
        b = b.format(Some(utoipa::openapi::SchemaFormat::Custom(f.into())));
    }
    if spec.system {
        b = b.read_only(Some(true));
    }
    Schema::Object(b.build())
}

fn string_list() -> Schema {
    Schema::Array(ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)).build())
}

fn extra_schema(key: &str) -> Schema {
    match key {
        "emails" | "phones" | "tags" | "contact_ids" => string_list(),
        "external_ids" => Schema::Array(
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .property("system", ObjectBuilder::new().schema_type(Type::String))
                        .property("id", ObjectBuilder::new().schema_type(Type::String)),
                )
                .build(),
        ),
        "consent" => Schema::Array(
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .property(
                            "channel",
                            ObjectBuilder::new().schema_type(Type::String).description(Some("email, phone or chat")),
                        )
                        .property("granted", ObjectBuilder::new().schema_type(Type::Boolean))
                        .property(
                            "at",
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(utoipa::openapi::SchemaFormat::Custom("date-time".into()))),
                        )
                        .property("origin", ObjectBuilder::new().schema_type(Type::String)),
                )
                .build(),
        ),
        _ => Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("custom properties, as defined in /api/v1/properties"))
                .build(),
        ),
    }
}

/// The schema of a record as returned (`input = false`) or as accepted (`input = true`).
pub fn record_schema(object: ObjectKind, input: bool) -> RefOr<Schema> {
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    if !input {
        b = b.property("id", ObjectBuilder::new().schema_type(Type::String).read_only(Some(true))).required("id");
    }
    for spec in record::fields(object).iter().filter(|s| !(input && s.system)) {
        b = b.property(spec.name, field_schema(spec));
    }
    for key in extras(object) {
        b = b.property(*key, extra_schema(key));
    }
    if object == ObjectKind::Contact && !input {
        let map = |values: Type, description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(
                    ObjectBuilder::new().schema_type(SchemaType::from_iter([values, Type::Null])),
                ))
                .description(Some(description.to_owned()))
                .read_only(Some(true))
        };
        b = b.property("scores", map(Type::Number, "score model key -> the score the engine last decided")).property(
            "score_categories",
            map(Type::String, "score model key -> its category (fit A-D, engagement 1-4)"),
        );
    }
    if input {
        b = b.additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
    }
    RefOr::T(Schema::Object(b.build()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(object: ObjectKind) -> InputContext<'static> {
        InputContext { object, properties: &[], default_region: Some("IT"), now: 0, origin: "api" }
    }

    #[test]
    fn contact_bodies_are_validated_with_the_field_named() {
        let ok = contact_changes(
            &json!({"first_name": "Giulia", "emails": ["G@Rossi.it"], "phones": ["06 6982 1234"]}),
            &ctx(ObjectKind::Contact),
        )
        .unwrap();
        assert_eq!(ok.emails.unwrap()[0].as_str(), "g@rossi.it");
        assert_eq!(ok.phones.unwrap()[0].as_str(), "+390669821234");
        let e = contact_changes(&json!({"emails": ["ok@x.it", "nope"]}), &ctx(ObjectKind::Contact)).unwrap_err();
        assert_eq!((e.field.as_deref(), e.code.as_str()), (Some("emails[1]"), "invalid_email"));
        let e = contact_changes(&json!({"favourite_colour": "red"}), &ctx(ObjectKind::Contact)).unwrap_err();
        assert_eq!(e.code, "unknown_field");
        let e = contact_changes(&json!({"properties": {"x": 1}}), &ctx(ObjectKind::Contact)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("properties.x"));
        assert!(contact_changes(&json!([1]), &ctx(ObjectKind::Contact)).is_err());
    }

    #[test]
    fn query_strings_become_filters() {
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let q = list_query(
            ObjectKind::Contact,
            &pairs(&[("country", "it"), ("created_at[gte]", "2026-01-01"), ("sort", "-first_name"), ("limit", "10")]),
            &[],
        )
        .unwrap();
        assert_eq!(q.filters[0].value, vec![Scalar::Text("IT".into())]);
        assert_eq!(q.filters[1].value, vec![Scalar::Int(1_767_225_600_000)]);
        assert_eq!((q.sort.name().as_str(), q.descending, q.limit), ("first_name", true, 10));
        assert!(list_query(ObjectKind::Contact, &pairs(&[("limit", "100000")]), &[]).is_err());
        assert!(list_query(ObjectKind::Contact, &pairs(&[("nope", "1")]), &[]).is_err());
        assert!(list_query(ObjectKind::Contact, &pairs(&[("country[like]", "x")]), &[]).is_err());
    }
}
