//! The built-in fields of contacts, companies and deals, described once.
//!
//! Each object's scalar fields are a table of [`FieldSpec`]s. The store makes its columns, list
//! filters and sorting from it, the CSV importer maps headers onto it, the merge walks it, and the
//! API validates input through it, so adding a field is one line here plus a migration.

use crate::error::{clean_text, FieldError, Invalid};
use crate::lifecycle::{LeadStatus, LifecycleStage, DISQUALIFICATION_REASONS};
use crate::property::RawValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Contact,
    Company,
    Deal,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Deal => "deal",
        }
    }

    /// The plural, as in URLs: `contacts`, `companies`, `deals`.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Contact => "contacts",
            Self::Company => "companies",
            Self::Deal => "deals",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim_end_matches('s').trim_end_matches("ie") {
            "contact" => Some(Self::Contact),
            "compan" | "company" => Some(Self::Company),
            "deal" => Some(Self::Deal),
            _ => None,
        }
    }
}

/// What a field holds and how raw input for it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text in any script.
    Text,
    /// A non-negative whole number.
    Count,
    /// Integer minor units of the record's `currency`.
    Money,
    /// ISO 4217 code.
    Currency,
    /// ISO 3166-1 alpha-2 code, upper case.
    Country,
    /// BCP 47 language tag such as `fa` or `pt-BR`.
    Language,
    /// `YYYY-MM-DD`.
    Date,
    LifecycleStage,
    LeadStatus,
    DisqualificationReason,
    /// A company's web domain, normalised.
    Domain,
    /// The id of a user.
    UserId,
    /// The id of a company.
    CompanyId,
    /// `tier_1`, `tier_2` or `tier_3`: a target account and how much it matters.
    AccountTier,
    /// `open`, `won` or `lost`.
    DealStatus,
    /// A deal's own forecast category (`pipeline::CATEGORIES`).
    ForecastCategory,
    /// Milliseconds since the epoch; set by the system, never by input.
    Time,
}

impl FieldKind {
    /// Whether the column holds an integer (else text).
    pub fn is_integer(self) -> bool {
        matches!(self, Self::Count | Self::Money | Self::Time)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// API name and column name.
    pub name: &'static str,
    pub kind: FieldKind,
    /// Set by Leadline itself; filterable and sortable but not writable.
    pub system: bool,
}

const fn f(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind, system: false }
}

const fn sys(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind, system: true }
}

use FieldKind as K;

pub const CONTACT_FIELDS: &[FieldSpec] = &[
    f("first_name", K::Text),
    f("last_name", K::Text),
    f("display_name", K::Text),
    f("job_title", K::Text),
    f("company_name", K::Text),
    f("company_id", K::CompanyId),
    f("country", K::Country),
    f("region", K::Text),
    f("city", K::Text),
    f("postal_code", K::Text),
    f("language", K::Language),
    f("owner_id", K::UserId),
    f("source", K::Text),
    f("original_source", K::Text),
    f("source_campaign", K::Text),
    f("source_list", K::Text),
    // Where the contact first and latest came from, set from its touches (`track`).
    sys("latest_source", K::Text),
    sys("first_touch_at", K::Time),
    sys("first_touch_source", K::Text),
    sys("first_touch_medium", K::Text),
    sys("first_touch_campaign", K::Text),
    sys("first_touch_referrer", K::Text),
    sys("latest_touch_at", K::Time),
    sys("latest_touch_source", K::Text),
    sys("latest_touch_medium", K::Text),
    sys("latest_touch_campaign", K::Text),
    sys("latest_touch_referrer", K::Text),
    f("lifecycle_stage", K::LifecycleStage),
    f("lead_status", K::LeadStatus),
    f("disqualification_reason", K::DisqualificationReason),
    sys("created_at", K::Time),
    sys("updated_at", K::Time),
];

pub const COMPANY_FIELDS: &[FieldSpec] = &[
    f("name", K::Text),
    f("domain", K::Domain),
    f("industry", K::Text),
    f("employee_count", K::Count),
    f("annual_revenue", K::Money),
    f("currency", K::Currency),
    f("country", K::Country),
    f("region", K::Text),
    f("city", K::Text),
    f("postal_code", K::Text),
    f("owner_id", K::UserId),
    f("tier", K::AccountTier),
    sys("created_at", K::Time),
    sys("updated_at", K::Time),
];

pub const DEAL_FIELDS: &[FieldSpec] = &[
    f("name", K::Text),
    f("pipeline", K::Text),
    f("stage", K::Text),
    f("amount", K::Money),
    f("currency", K::Currency),
    f("close_date", K::Date),
    f("owner_id", K::UserId),
    f("company_id", K::CompanyId),
    f("status", K::DealStatus),
    f("lost_reason", K::Text),
    f("won_reason", K::Text),
    f("forecast_category", K::ForecastCategory),
    sys("stage_entered_at", K::Time),
    sys("closed_at", K::Time),
    sys("created_at", K::Time),
    sys("updated_at", K::Time),
];

pub fn fields(object: ObjectKind) -> &'static [FieldSpec] {
    match object {
        ObjectKind::Contact => CONTACT_FIELDS,
        ObjectKind::Company => COMPANY_FIELDS,
        ObjectKind::Deal => DEAL_FIELDS,
    }
}

pub fn field(object: ObjectKind, name: &str) -> Option<&'static FieldSpec> {
    fields(object).iter().find(|f| f.name == name)
}

/// The target-account tiers a company can have.
pub const ACCOUNT_TIERS: &[&str] = &["tier_1", "tier_2", "tier_3"];

/// Where a deal stands.
pub const DEAL_STATUSES: &[&str] = &["open", "won", "lost"];

/// A stored scalar value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    Text(String),
    Int(i64),
}

impl Scalar {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Scalar::Text(s) => Some(s),
            Scalar::Int(_) => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            Scalar::Text(_) => None,
        }
    }
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Text(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
        }
    }
}

/// Validate raw input for a field. `currency` is the record's currency, for money given as a
/// decimal text (CSV); JSON gives money as integer minor units. `None` clears the field.
/// `text` on one line: each run of white space that holds a line break or a tab becomes one
/// space.
pub fn one_line(text: &str) -> String {
    if !text.contains(['\n', '\r', '\t']) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending = true;
        } else {
            if pending && !out.is_empty() {
                out.push(' ');
            }
            pending = false;
            out.push(c);
        }
    }
    out
}

pub fn check(spec: &FieldSpec, raw: &RawValue, currency: &str) -> Invalid<Option<Scalar>> {
    let name = spec.name;
    if spec.system {
        return Err(FieldError::new(name, "read_only", format!("{name} is set by Leadline and cannot be written")));
    }
    let text = match raw {
        RawValue::Null => return Ok(None),
        RawValue::Text(s) => match clean_text(name, s)? {
            Some(s) => s,
            None => return Ok(None),
        },
        RawValue::Number(n) if spec.kind.is_integer() => {
            if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9.0e15 {
                return Err(FieldError::new(name, "invalid_number", format!("{name} must be a whole number")));
            }
            return check_int(spec, *n as i64).map(Some);
        }
        _ => return Err(FieldError::new(name, "invalid_type", format!("{name} must be text"))),
    };
    let bad = |code: &'static str, what: &str| Err(FieldError::new(name, code, format!("{text:?} is not {what}")));
    Ok(Some(match spec.kind {
        // Built-in texts are one line: a name pasted with a line break ("Acme\nGmbH") keeps
        // its words apart with a space, as every screen and export shows it.
        K::Text => Scalar::Text(one_line(&text)),
        K::UserId | K::CompanyId => Scalar::Text(text),
        K::Count => match crate::text::fold(&text).replace([' ', ',', '.', '\''], "").parse::<i64>() {
            Ok(n) => check_int(spec, n)?,
            Err(_) => return bad("invalid_number", "a whole number"),
        },
        K::Money => check_int(spec, crate::money::parse_amount(name, &text, currency)?)?,
        K::Currency => Scalar::Text(crate::money::parse_currency(name, &text)?.to_owned()),
        K::Country => match text.to_ascii_uppercase().parse::<phonenumber::country::Id>() {
            Ok(_) if text.len() == 2 => Scalar::Text(text.to_ascii_uppercase()),
            _ => return bad("invalid_country", "an ISO 3166 two-letter country code"),
        },
        K::Language => match language_tag(&text) {
            Some(tag) => Scalar::Text(tag),
            None => return bad("invalid_language", "a language tag such as en, fa or pt-BR"),
        },
        K::Date => Scalar::Text(crate::date::parse_date(name, &text)?),
        K::LifecycleStage => match LifecycleStage::parse(&text) {
            Some(s) => Scalar::Text(s.as_str().into()),
            None => return bad("invalid_stage", "a lifecycle stage"),
        },
        K::LeadStatus => match LeadStatus::parse(&text) {
            Some(s) => Scalar::Text(s.as_str().into()),
            None => return bad("invalid_lead_status", "a lead status"),
        },
        K::DisqualificationReason => {
            let k = text.to_ascii_lowercase().replace([' ', '-'], "_");
            match DISQUALIFICATION_REASONS.contains(&k.as_str()) {
                true => Scalar::Text(k),
                false => return bad("invalid_reason", &format!("one of {}", DISQUALIFICATION_REASONS.join(", "))),
            }
        }
        K::Domain => Scalar::Text(normalize_domain(name, &text)?),
        K::AccountTier => match text.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            t if ACCOUNT_TIERS.contains(&t) => Scalar::Text(t.into()),
            "1" => Scalar::Text("tier_1".into()),
            "2" => Scalar::Text("tier_2".into()),
            "3" => Scalar::Text("tier_3".into()),
            _ => return bad("invalid_tier", "tier_1, tier_2 or tier_3"),
        },
        K::DealStatus => match text.to_ascii_lowercase().as_str() {
            s if DEAL_STATUSES.contains(&s) => Scalar::Text(s.into()),
            _ => return bad("invalid_status", "open, won or lost"),
        },
        K::ForecastCategory => match text.to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
            c if crate::pipeline::CATEGORIES.contains(&c) => Scalar::Text(c.into()),
            _ => return bad("invalid_category", "omitted, pipeline, best_case or commit"),
        },
        K::Time => unreachable!("system fields are rejected above"),
    }))
}

fn check_int(spec: &FieldSpec, n: i64) -> Invalid<Scalar> {
    if n < 0 && spec.kind == K::Count {
        return Err(FieldError::new(spec.name, "invalid_number", format!("{} cannot be negative", spec.name)));
    }
    Ok(Scalar::Int(n))
}

/// Normalise a BCP 47 tag to `ll` or `ll-RR`; `None` when it is not one.
pub fn language_tag(raw: &str) -> Option<String> {
    let mut parts = raw.trim().split(['-', '_']);
    let lang = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    match (parts.next(), parts.next()) {
        (None, _) => Some(lang),
        (Some(r), None) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(format!("{lang}-{}", r.to_ascii_uppercase()))
        }
        _ => None,
    }
}

/// A company's domain from whatever was typed: `https://www.Firma.pl/kontakt` -> `firma.pl`.
pub fn normalize_domain(field: &str, raw: &str) -> Invalid<String> {
    let s = raw.trim().to_lowercase();
    let s = s.split_once("://").map_or(s.as_str(), |(_, rest)| rest);
    let s = s.split(['/', '?', '#']).next().unwrap_or_default();
    let s = s.rsplit_once('@').map_or(s, |(_, d)| d);
    let s = s.split(':').next().unwrap_or_default();
    let s = s.strip_prefix("www.").unwrap_or(s).trim_end_matches('.');
    if crate::email::valid_domain(s) {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(field, "invalid_domain", format!("{raw:?} is not a web domain")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    #[test]
    fn fields_validate_by_kind() {
        let c = |n| field(ObjectKind::Contact, n).unwrap();
        assert_eq!(check(c("country"), &text("it"), "EUR").unwrap(), Some(Scalar::Text("IT".into())));
        assert_eq!(check(c("country"), &text("Italy"), "EUR").unwrap_err().code, "invalid_country");
        assert_eq!(check(c("language"), &text("pt_br"), "EUR").unwrap(), Some(Scalar::Text("pt-BR".into())));
        assert_eq!(check(c("lifecycle_stage"), &text("MQL"), "EUR").unwrap(), Some(Scalar::Text("mql".into())));
        assert_eq!(check(c("first_name"), &text("  "), "EUR").unwrap(), None);
        assert_eq!(check(c("created_at"), &RawValue::Number(1.0), "EUR").unwrap_err().code, "read_only");
        let company = field(ObjectKind::Company, "name").unwrap();
        let pasted = RawValue::Text("Wisła\r\n Logistics\tSp. z o.o.".into());
        assert_eq!(check(company, &pasted, "EUR").unwrap(), Some(Scalar::Text("Wisła Logistics Sp. z o.o.".into())));
        let d = |n| field(ObjectKind::Deal, n).unwrap();
        assert_eq!(check(d("amount"), &text("1.500,00"), "EUR").unwrap(), Some(Scalar::Int(150_000)));
        assert_eq!(check(d("amount"), &RawValue::Number(150_000.0), "EUR").unwrap(), Some(Scalar::Int(150_000)));
        assert!(check(d("amount"), &RawValue::Number(1.5), "EUR").is_err());
        let co = |n| field(ObjectKind::Company, n).unwrap();
        assert_eq!(
            check(co("domain"), &text("https://www.Firma.pl/kontakt"), "EUR").unwrap(),
            Some(Scalar::Text("firma.pl".into()))
        );
        assert_eq!(check(co("employee_count"), &text("1 200"), "EUR").unwrap(), Some(Scalar::Int(1200)));
        assert!(check(co("employee_count"), &RawValue::Number(-3.0), "EUR").is_err());
        let huge = "x".repeat(11_000);
        assert_eq!(check(c("job_title"), &text(&huge), "EUR").unwrap_err().code, "too_long");
    }
}
