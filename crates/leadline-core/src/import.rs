//! CSV import: which column means what, and turning one row into validated changes.
//!
//! The header names of the exports people actually have (HubSpot, Mautic, Salesforce, Google
//! Contacts) and their Italian, Polish and Persian spellings are recognised; anything else can be
//! mapped by hand with `header=target`.

use crate::contact::{external_id, ContactChanges, FieldChanges};
use crate::email::Email;
use crate::error::FieldError;
use crate::phone::Phone;
use crate::property::{PropertyDef, RawValue};
use crate::record::{self, FieldSpec, ObjectKind};

/// What a CSV column is imported as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Field(&'static FieldSpec),
    /// Any of a contact's e-mails (several columns may map here; the first non-empty is primary).
    Email,
    Phone,
    /// An id in another system: the value is `ExternalId(system)`.
    ExternalId(String),
    /// A contact's or company's id in Leadline (a Leadline export's `id`): the row updates that
    /// record. A value no record has is kept as the external id `import:<value>`, as a foreign
    /// file's ids are, so the same file imported again finds the records it made.
    Id,
    /// Tags separated by `;`, `,` or `|`.
    Tags,
    /// External ids as `system:id`, separated by `;` (Leadline's own export).
    ExternalIds,
    /// When a new contact was first known (an export's "Create Date").
    CreatedAt,
    /// A custom property by name.
    Property(String),
    /// The owner given as a user's e-mail or name; resolved to a user id by the importer.
    OwnerEmail,
    /// A deal's contacts given by e-mail, separated by `;`.
    ContactEmails,
    Ignore,
}

impl Column {
    /// The name used in a mapping override and shown in the mapping screen.
    pub fn name(&self) -> String {
        match self {
            Column::Field(f) => f.name.to_owned(),
            Column::Email => "email".into(),
            Column::Phone => "phone".into(),
            Column::ExternalId(s) => format!("external_id:{s}"),
            Column::Id => "id".into(),
            Column::Tags => "tags".into(),
            Column::ExternalIds => "external_ids".into(),
            Column::CreatedAt => "created_at".into(),
            Column::Property(p) => format!("properties.{p}"),
            Column::OwnerEmail => "owner_email".into(),
            Column::ContactEmails => "contact_emails".into(),
            Column::Ignore => "ignore".into(),
        }
    }

    /// Parse a target as written in an override (`email`, `first_name`, `properties.budget`,
    /// `external_id:salesforce`, `ignore`).
    pub fn parse(object: ObjectKind, target: &str, props: &[PropertyDef]) -> Option<Column> {
        let t = target.trim();
        if let Some(p) = t.strip_prefix("properties.") {
            return props.iter().any(|d| d.object == object && d.name == p).then(|| Column::Property(p.into()));
        }
        if let Some(s) = t.strip_prefix("external_id:") {
            return external_id(s, "x").ok().map(|_| Column::ExternalId(s.to_ascii_lowercase()));
        }
        match (object, t) {
            (_, "ignore") => Some(Column::Ignore),
            (_, "owner_email") => Some(Column::OwnerEmail),
            (ObjectKind::Contact | ObjectKind::Company, "id") => Some(Column::Id),
            (ObjectKind::Contact, "email") => Some(Column::Email),
            (ObjectKind::Contact, "phone") => Some(Column::Phone),
            (ObjectKind::Contact, "tags") => Some(Column::Tags),
            (ObjectKind::Contact, "external_ids") => Some(Column::ExternalIds),
            (ObjectKind::Contact, "created_at") => Some(Column::CreatedAt),
            (ObjectKind::Deal, "contact_emails") => Some(Column::ContactEmails),
            _ => record::field(object, t).filter(|f| !f.system).map(Column::Field),
        }
    }
}

/// The targets a column of `object` may be mapped to, as the mapping screen offers them and
/// [`Column::parse`] reads them (any `external_id:<system>` is read too).
pub fn targets(object: ObjectKind, props: &[PropertyDef]) -> Vec<String> {
    let mut t: Vec<String> = vec!["ignore".into()];
    match object {
        ObjectKind::Contact => {
            t.extend(["email", "phone", "tags", "external_ids", "created_at", "id"].map(String::from))
        }
        ObjectKind::Company => t.push("id".into()),
        ObjectKind::Deal => t.push("contact_emails".into()),
    }
    t.push("owner_email".into());
    t.extend(record::fields(object).iter().filter(|f| !f.system && f.name != "owner_id").map(|f| f.name.to_owned()));
    t.extend(["import", "hubspot", "salesforce", "mautic"].map(|s| format!("external_id:{s}")));
    t.extend(props.iter().filter(|p| p.object == object).map(|p| format!("properties.{}", p.name)));
    t
}

/// The name a new custom property takes from a column's header: folded, lower snake case, at
/// most 64 characters, starting with a letter ("Mautic points" gives `mautic_points`); a header
/// with no Latin letters or digits ("امتیاز") names it by its position (`column_4`).
pub fn property_name(header: &str, position: usize) -> String {
    let mut name = String::new();
    for c in crate::text::fold(header).chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    let name = match name {
        "" => format!("column_{}", position + 1),
        n if n.starts_with(|c: char| c.is_ascii_lowercase()) => n.to_owned(),
        n => format!("column_{n}"),
    };
    name.chars().take(64).collect::<String>().trim_end_matches('_').to_owned()
}

/// The type a new custom property takes from a column's values: a number, a yes/no or a date
/// when every value that is there reads as one, else text.
pub fn infer_property_type<'a>(values: impl IntoIterator<Item = &'a str>) -> crate::property::PropertyType {
    use crate::property::PropertyType as T;
    let values: Vec<&str> = values.into_iter().map(str::trim).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return T::Text;
    }
    let all = |ok: &dyn Fn(&str) -> bool| values.iter().all(|v| ok(v));
    if all(&|v| v.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite)) {
        T::Number
    } else if all(&|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no")) {
        T::Bool
    } else if all(&|v| crate::date::parse_loose_date(v).is_some()) {
        T::Date
    } else {
        T::Text
    }
}

/// Header spellings, folded and stripped of everything but letters and digits.
const CONTACT_HEADERS: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email",
            "emails",
            "emailaddress",
            "mail",
            "e1value",
            "email1value",
            "primaryemail",
            "workemail",
            "indirizzoemail",
            "adresemail",
            "ایمیل",
            "پستالکترونیک",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "phones",
            "phonenumber",
            "mobile",
            "mobilephone",
            "mobilephonenumber",
            "telephone",
            "tel",
            "phone1value",
            "workphone",
            "businessphone",
            "telefono",
            "cellulare",
            "telefon",
            "telefonkomorkowy",
            "تلفن",
            "موبایل",
            "شمارهتلفن",
        ],
    ),
    ("first_name", &["firstname", "givenname", "first", "fname", "nome", "imie", "نام"]),
    ("last_name", &["lastname", "familyname", "surname", "last", "lname", "cognome", "nazwisko", "نامخانوادگی"]),
    ("display_name", &["name", "fullname", "displayname", "contactname", "nomecompleto", "imieinazwisko", "نامکامل"]),
    (
        "job_title",
        &[
            "jobtitle",
            "title",
            "position",
            "organization1title",
            "role",
            "qualifica",
            "ruolo",
            "stanowisko",
            "سمت",
            "عنوانشغلی",
        ],
    ),
    (
        "company_name",
        &[
            "company",
            "companyname",
            "organization",
            "organization1name",
            "accountname",
            "associatedcompany",
            "azienda",
            "societa",
            "firma",
            "nazwafirmy",
            "شرکت",
        ],
    ),
    ("country", &["country", "countryregion", "mailingcountry", "address1country", "paese", "nazione", "kraj", "کشور"]),
    (
        "region",
        &[
            "stateregion",
            "state",
            "region",
            "province",
            "mailingstate",
            "address1region",
            "provincia",
            "regione",
            "wojewodztwo",
            "استان",
        ],
    ),
    ("city", &["city", "town", "mailingcity", "address1city", "citta", "comune", "miasto", "miejscowosc", "شهر"]),
    (
        "postal_code",
        &[
            "postalcode",
            "zip",
            "zipcode",
            "postcode",
            "mailingpostalcode",
            "address1postalcode",
            "cap",
            "kodpocztowy",
            "کدپستی",
        ],
    ),
    ("language", &["language", "preferredlanguage", "lingua", "jezyk", "زبان"]),
    ("lifecycle_stage", &["lifecyclestage", "stage", "fasedelciclodivita", "etap"]),
    (
        "lead_status",
        &[
            "leadstatus",
            "hsleadstatus",
            "status",
            "statolead",
            "statodellead",
            "statusleada",
            "statuslead",
            "وضعیتسرنخ",
        ],
    ),
    ("source", &["source", "leadsource", "latestsource", "fonte", "zrodlo", "منبع"]),
    ("original_source", &["originalsource", "originalsourcetype", "firstsource"]),
    ("source_campaign", &["campaign", "sourcecampaign", "utmcampaign", "campagna", "kampania"]),
    ("disqualification_reason", &["disqualificationreason", "disqualifiedreason", "motivoesclusione"]),
    ("owner_email", &["owner", "contactowner", "owneremail", "leadowner", "proprietario", "wlasciciel"]),
    ("tags", &["tags", "tag", "labels", "groupmembership", "segments", "etichette", "tagi"]),
    ("external_id:hubspot", &["recordid", "hubspotid", "hsobjectid"]),
    ("external_id:salesforce", &["contactid", "leadid", "salesforceid", "sfid"]),
    ("external_ids", &["externalids"]),
    (
        "created_at",
        &[
            "createdat",
            "createdate",
            "created",
            "dateadded",
            "datecreated",
            "datacreazione",
            "datautworzenia",
            "تاریخایجاد",
        ],
    ),
    ("external_id:mautic", &["mauticid"]),
    ("id", &["id", "leadlineid"]),
    ("external_id:import", &["externalid", "customerid", "clientid"]),
];

const COMPANY_HEADERS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "companyname",
            "accountname",
            "organization",
            "company",
            "nomeazienda",
            "nazwa",
            "nazwafirmy",
            "نامشرکت",
        ],
    ),
    (
        "domain",
        &[
            "domain",
            "companydomain",
            "companydomainname",
            "website",
            "websiteurl",
            "url",
            "sitoweb",
            "stronawww",
            "دامنه",
        ],
    ),
    ("industry", &["industry", "settore", "branza", "صنعت"]),
    ("employee_count", &["employees", "employeecount", "numberofemployees", "companysize", "dipendenti", "pracownicy"]),
    ("annual_revenue", &["annualrevenue", "revenue", "fatturato", "przychod"]),
    ("currency", &["currency", "valuta", "waluta"]),
    ("country", &["country", "countryregion", "billingcountry", "paese", "kraj", "کشور"]),
    (
        "region",
        &["stateregion", "state", "region", "billingstate", "province", "provincia", "regione", "wojewodztwo", "استان"],
    ),
    ("city", &["city", "town", "billingcity", "citta", "comune", "miasto", "miejscowosc", "شهر"]),
    ("postal_code", &["postalcode", "zip", "zipcode", "postcode", "billingpostalcode", "cap", "kodpocztowy", "کدپستی"]),
    ("tier", &["tier", "accounttier", "targetaccounttier", "abmtier"]),
    ("owner_email", &["owner", "companyowner", "accountowner", "owneremail"]),
    ("external_id:hubspot", &["recordid", "hubspotid"]),
    ("external_id:salesforce", &["accountid", "salesforceid"]),
    ("id", &["id", "leadlineid"]),
    ("external_id:import", &["externalid"]),
];

const DEAL_HEADERS: &[(&str, &[&str])] = &[
    ("name", &["name", "dealname", "opportunityname", "nome", "nazwa"]),
    ("pipeline", &["pipeline"]),
    ("stage", &["stage", "dealstage", "fase", "etap"]),
    ("amount", &["amount", "value", "dealvalue", "importo", "kwota", "مبلغ"]),
    ("currency", &["currency", "valuta", "waluta"]),
    ("close_date", &["closedate", "expectedclosedate", "datachiusura", "datazamkniecia"]),
    ("status", &["status", "outcome"]),
    ("lost_reason", &["lostreason", "closedlostreason"]),
    ("owner_email", &["owner", "dealowner", "opportunityowner", "owneremail"]),
    ("contact_emails", &["contactemails", "contactemail", "email", "contacts"]),
];

/// The values of a cell that may hold several: e-mails and phones are `;`-separated in
/// Leadline's own export and ` ::: `-separated in Google Contacts'.
fn values(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').flat_map(|v| v.split(":::")).map(str::trim).filter(|v| !v.is_empty())
}

fn header_key(h: &str) -> String {
    crate::text::fold(h).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Map headers to columns automatically. Unknown headers that equal a custom property's name or
/// label map to it; the rest are ignored. A target is used once, except e-mail and phone.
pub fn auto_map(object: ObjectKind, headers: &[&str], props: &[PropertyDef]) -> Vec<Column> {
    let table = match object {
        ObjectKind::Contact => CONTACT_HEADERS,
        ObjectKind::Company => COMPANY_HEADERS,
        ObjectKind::Deal => DEAL_HEADERS,
    };
    let mut used: Vec<Column> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            // Google's "E-mail 2 - Value" and "Phone 1 - Value" carry a number in the middle.
            let key = key.replace(|c: char| c.is_ascii_digit(), "");
            let key = if key.is_empty() { header_key(h) } else { key };
            let found = table
                .iter()
                .find(|(_, names)| names.iter().any(|n| n.replace(|c: char| c.is_ascii_digit(), "") == key))
                .and_then(|(target, _)| Column::parse(object, target, props))
                .or_else(|| {
                    props
                        .iter()
                        .find(|p| p.object == object && (header_key(&p.name) == key || header_key(&p.label) == key))
                        .map(|p| Column::Property(p.name.clone()))
                })
                // A field's own name (Leadline's export writes them), or a custom property's.
                .or_else(|| Column::parse(object, h.trim(), props).filter(|c| *c != Column::Ignore))
                .unwrap_or(Column::Ignore);
            let repeatable = matches!(found, Column::Email | Column::Phone | Column::Ignore);
            if !repeatable && used.contains(&found) {
                return Column::Ignore;
            }
            used.push(found.clone());
            found
        })
        .collect()
}

/// What every row of one import shares.
#[derive(Debug, Clone)]
pub struct RowContext<'a> {
    pub object: ObjectKind,
    /// Region for phone numbers written without a country code, when the row has no country.
    pub default_region: Option<&'a str>,
    /// Currency for amounts when the row has none.
    pub default_currency: &'a str,
    /// Tag of a purchased list: recorded as every row's list, and as its source where the file
    /// gives none.
    pub source_list: Option<&'a str>,
    /// The lifecycle stage of rows that give none (a purchased list's start at the earliest
    /// stage unless this says otherwise).
    pub default_stage: Option<crate::lifecycle::LifecycleStage>,
    pub properties: &'a [PropertyDef],
    /// When the import runs, for consent times.
    pub now: crate::Millis,
}

/// An owner as a file names one: by a user's e-mail, or by the user's name.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnerRef {
    Email(Email),
    /// Folded, to compare with users' folded names.
    Name(String),
}

/// One row turned into a write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportRow {
    /// The value of an `id` column (`Column::Id`).
    pub id: Option<String>,
    pub contact: ContactChanges,
    pub owner: Option<OwnerRef>,
    pub contact_emails: Vec<Email>,
    /// Values the row carried that could not be used, with the cell they were in: the row is
    /// imported without them.
    pub warnings: Vec<(FieldError, String)>,
}

/// A value as a peer's export writes it, in the form Leadline's fields take: a country's name
/// as its ISO code, HubSpot's lead statuses as Leadline's, a date in a spreadsheet's or an
/// export's own format as `YYYY-MM-DD`. Anything else is given back as it is, for the field's
/// own check to judge.
pub fn peer_value<'a>(spec: &FieldSpec, cell: &'a str) -> std::borrow::Cow<'a, str> {
    use record::FieldKind as K;
    use std::borrow::Cow;
    let translated = match spec.kind {
        K::Country => crate::country::code(cell).map(str::to_owned),
        K::LeadStatus => hubspot_lead_status(cell).map(str::to_owned),
        K::Date => crate::date::parse_loose_date(cell),
        _ => None,
    };
    translated.map_or(Cow::Borrowed(cell), Cow::Owned)
}

/// HubSpot's lead statuses as Leadline's (`hs_lead_status` in an export).
fn hubspot_lead_status(cell: &str) -> Option<&'static str> {
    Some(match cell.trim().to_ascii_uppercase().replace([' ', '-'], "_").as_str() {
        "NEW" | "OPEN" => "new",
        "IN_PROGRESS" | "ATTEMPTED_TO_CONTACT" => "attempting_contact",
        "CONNECTED" => "connected",
        "OPEN_DEAL" => "qualified",
        "UNQUALIFIED" => "disqualified",
        "BAD_TIMING" => "recycled",
        _ => return None,
    })
}

/// Whether a column's bad value refuses its row: the values that say who or what the row is
/// (an id, an external id, a company's domain). Any other bad value is left out with a
/// warning; e-mails refuse the row only when none of the row's is usable (`read_row`).
fn identifies(column: &Column) -> bool {
    matches!(column, Column::Id | Column::ExternalId(_) | Column::ExternalIds)
        || matches!(column, Column::Field(f) if f.name == "domain")
}

/// Validate one CSV row. A value that cannot be used is left out and reported as a warning; the
/// row is refused (with every reason) only when what says who it is cannot be read: an id, an
/// external id, a company's domain, its e-mails when none is usable, or nothing that names a
/// person, company or deal at all.
/// A cell as a spreadsheet may safely open it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, which spreadsheets read as "text", as
/// OWASP recommends for CSV exports. A number or phone (`+48 601 234 567`, `-12.5`) runs no
/// formula and stays as it is.
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let numeric =
        cell.chars().any(|c| c.is_ascii_digit()) && cell.chars().all(|c| c.is_ascii_digit() || " +-().,/;".contains(c));
    if risky && !numeric {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell as [`formula_safe`] wrote it, back as it was (an export imports back unchanged).
pub fn formula_unescaped(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

pub fn read_row(columns: &[Column], row: &[&str], ctx: &RowContext<'_>) -> Result<ImportRow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = ImportRow::default();
    let mut record = FieldChanges::default();
    let value = |i: usize| row.get(i).map(|s| formula_unescaped(s.trim())).filter(|s| !s.is_empty());
    let column_of = |name: &str| columns.iter().position(|c| matches!(c, Column::Field(f) if f.name == name));
    let region = column_of("country").and_then(value).and_then(crate::country::code).or(ctx.default_region);
    let currency = column_of("currency").and_then(value).unwrap_or(ctx.default_currency).to_ascii_uppercase();
    let (mut emails, mut phones, mut tags) = (Vec::new(), Vec::new(), Vec::new());
    let mut bad_emails: Vec<(FieldError, String)> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let Some(v) = value(i) else { continue };
        let mut problems: Vec<FieldError> = Vec::new();
        let mut note = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                problems.push(e)
            }
        };
        match column {
            Column::Ignore => {}
            Column::Field(spec) => note(
                record::check(spec, &RawValue::Text(peer_value(spec, v).into_owned()), &currency)
                    .map(|s| record.set(spec, s)),
            ),
            Column::Email => values(v).for_each(|v| match Email::parse("email", v) {
                Ok(e) => emails.push(e),
                Err(e) => bad_emails.push((e, v.to_owned())),
            }),
            Column::Phone => values(v).for_each(|v| note(Phone::parse("phone", v, region).map(|p| phones.push(p)))),
            Column::ExternalId(system) => note(external_id(system, v).map(|id| out.contact.external_ids.push(id))),
            // Held to an external id's rules, which it may become.
            Column::Id => note(external_id("import", v).map(|_| out.id = Some(v.to_owned())).map_err(|mut e| {
                e.field = "id".into();
                e
            })),
            Column::Tags => {
                crate::contact::split_tags(v).for_each(|t| note(crate::contact::tag(t).map(|t| tags.push(t))))
            }
            Column::ExternalIds => values(v).for_each(|pair| match pair.split_once(':') {
                Some((system, id)) => note(external_id(system, id).map(|id| out.contact.external_ids.push(id))),
                None => {
                    note(Err(FieldError::new("external_ids", "invalid_external_id", "an external id is system:id")))
                }
            }),
            Column::CreatedAt => match crate::date::parse_loose_time(v) {
                Some(t) => out.contact.created_at = Some(t),
                None => {
                    note(Err(FieldError::new("created_at", "invalid_time", format!("{v:?} is not a date or time"))))
                }
            },
            Column::Property(name) => {
                if let Some(def) = ctx.properties.iter().find(|p| p.object == ctx.object && &p.name == name) {
                    let v = match def.kind {
                        crate::property::PropertyType::Date => {
                            crate::date::parse_loose_date(v).unwrap_or_else(|| v.into())
                        }
                        _ => v.to_owned(),
                    };
                    note(def.check(&RawValue::Text(v)).map(|pv| record.properties.push((name.clone(), pv))))
                }
            }
            Column::OwnerEmail if v.contains('@') => {
                note(Email::parse("owner_email", v).map(|e| out.owner = Some(OwnerRef::Email(e))))
            }
            Column::OwnerEmail => out.owner = Some(OwnerRef::Name(owner_key(v))),
            Column::ContactEmails => v
                .split([';', ','])
                .filter(|e| !e.trim().is_empty())
                .for_each(|e| note(Email::parse("contact_emails", e).map(|e| out.contact_emails.push(e)))),
        }
        if identifies(column) {
            errors.extend(problems);
        } else {
            out.warnings.extend(problems.into_iter().map(|e| (e, v.to_owned())));
        }
    }
    // Lists are bounded as the API bounds them; what is past the bound is a warning.
    for (field, len, max) in [
        ("email", emails.len(), crate::contact::MAX_IDENTITIES),
        ("phone", phones.len(), crate::contact::MAX_IDENTITIES),
        ("tags", tags.len(), crate::contact::MAX_TAGS),
    ] {
        if len > max {
            let e =
                FieldError::new(field, "too_many", format!("only the first {max} {field} values of a row are kept"));
            out.warnings.push((e, format!("{len} values")));
        }
    }
    emails.truncate(crate::contact::MAX_IDENTITIES);
    phones.truncate(crate::contact::MAX_IDENTITIES);
    tags.truncate(crate::contact::MAX_TAGS);
    // An address that cannot be read loses the person only when the row has no other.
    if emails.is_empty() {
        errors.extend(bad_emails.into_iter().map(|(e, _)| e));
    } else {
        out.warnings.extend(bad_emails);
    }
    let spec = |n| record::field(ObjectKind::Contact, n).expect("contact fields exist");
    let text = |s: &str| Some(record::Scalar::Text(s.into()));
    if ctx.object == ObjectKind::Contact {
        if let Some(list) = ctx.source_list {
            // The list is a field of its own; a source the file gives is kept.
            record.set(spec("source_list"), text(list));
            for source in ["source", "original_source"] {
                if !matches!(record.get(source), Some(Some(_))) {
                    record.set(spec(source), text("purchased_list"));
                }
            }
        }
        if !matches!(record.get("lifecycle_stage"), Some(Some(_))) {
            let purchased = ctx.source_list.map(|_| crate::lifecycle::LifecycleStage::Subscriber);
            if let Some(stage) = ctx.default_stage.or(purchased) {
                record.set(spec("lifecycle_stage"), text(stage.as_str()));
            }
        }
    }
    dedup_in_order(&mut emails);
    dedup_in_order(&mut phones);
    dedup_in_order(&mut tags);
    out.contact.emails = (!emails.is_empty()).then_some(emails);
    out.contact.phones = (!phones.is_empty()).then_some(phones);
    out.contact.tags = (!tags.is_empty()).then_some(tags);
    out.contact.record = record;
    if errors.is_empty() && ctx.object == ObjectKind::Contact && out.id.is_none() && !out.contact.identifies_someone() {
        let why = match out.warnings.first() {
            Some((w, _)) => format!("the row has no usable e-mail, phone, external id or name ({})", w.message),
            None => "the row has no e-mail, phone, external id or name".to_owned(),
        };
        errors.push(FieldError::new("email", "required", why));
    }
    let has = |field| matches!(out.contact.record.get(field), Some(Some(_)));
    // Companies and deals need a name; a company may go by its domain alone.
    let named = has("name") || (ctx.object == ObjectKind::Company && (has("domain") || out.id.is_some()));
    if errors.is_empty() && ctx.object != ObjectKind::Contact && !named {
        errors.push(FieldError::new("name", "required", "the row has no name"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// How a user's name is compared with an owner cell: folded (case, diacritics), words in order,
/// single spaces.
pub fn owner_key(name: &str) -> String {
    crate::text::terms(name).collect::<Vec<_>>().join(" ")
}

fn dedup_in_order<T: PartialEq>(v: &mut Vec<T>) {
    let mut i = 0;
    while i < v.len() {
        if v[..i].contains(&v[i]) {
            v.remove(i);
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_read_back() {
        for cell in ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0"] {
            let safe = formula_safe(cell);
            assert!(safe.starts_with('\''), "{cell}");
            assert_eq!(formula_unescaped(&safe), cell);
        }
        for cell in ["+48 601 234 567", "-12.5", "Anna", "'quoted"] {
            assert_eq!(formula_safe(cell), cell);
            assert_eq!(formula_unescaped(cell), cell);
        }
    }
    use crate::record::Scalar;

    fn ctx(props: &[PropertyDef]) -> RowContext<'_> {
        RowContext {
            object: ObjectKind::Contact,
            default_region: Some("PL"),
            default_currency: "EUR",
            source_list: None,
            default_stage: None,
            properties: props,
            now: 0,
        }
    }

    #[test]
    fn maps_the_exports_people_have() {
        let hubspot =
            ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Lifecycle Stage", "Contact owner"];
        let cols = auto_map(ObjectKind::Contact, &hubspot, &[]);
        let names: Vec<String> = cols.iter().map(Column::name).collect();
        assert_eq!(
            names,
            ["external_id:hubspot", "first_name", "last_name", "email", "phone", "lifecycle_stage", "owner_email"]
        );
        let google = [
            "Name",
            "Given Name",
            "Family Name",
            "E-mail 1 - Value",
            "E-mail 2 - Value",
            "Phone 1 - Value",
            "Organization 1 - Name",
        ];
        let names: Vec<String> = auto_map(ObjectKind::Contact, &google, &[]).iter().map(Column::name).collect();
        assert_eq!(names, ["display_name", "first_name", "last_name", "email", "email", "phone", "company_name"]);
        let polish = ["Imię", "Nazwisko", "Adres e-mail", "Telefon", "Firma", "Kolor"];
        let names: Vec<String> = auto_map(ObjectKind::Contact, &polish, &[]).iter().map(Column::name).collect();
        assert_eq!(names, ["first_name", "last_name", "email", "phone", "company_name", "ignore"]);
    }

    #[test]
    fn a_row_becomes_changes_or_every_error() {
        let cols = auto_map(ObjectKind::Contact, &["email", "phone", "first name", "country"], &[]);
        let row = read_row(&cols, &["Anna@Firma.pl", "601 234 567", "Anna", "pl"], &ctx(&[])).unwrap();
        assert_eq!(row.contact.emails.as_ref().unwrap()[0].as_str(), "anna@firma.pl");
        assert_eq!(row.contact.phones.as_ref().unwrap()[0].as_str(), "+48601234567");
        assert_eq!(row.contact.record.get("country"), Some(&Some(Scalar::Text("PL".into()))));
        // A bad phone or country leaves the row without it; an unreadable only e-mail refuses it.
        let row = read_row(&cols, &["anna@firma.pl", "xx", "Anna", "Atlantis"], &ctx(&[])).unwrap();
        let fields: Vec<(&str, &str)> = row.warnings.iter().map(|(e, v)| (e.field.as_str(), v.as_str())).collect();
        assert_eq!(fields, [("phone", "xx"), ("country", "Atlantis")]);
        assert_eq!((row.contact.phones.as_ref(), row.contact.record.get("country")), (None, None));
        let errs = read_row(&cols, &["not-an-email", "xx", "Anna", "Poland"], &ctx(&[])).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["email"]);
        assert!(read_row(&cols, &["", "", "", "PL"], &ctx(&[])).is_err());
        // Nothing usable to name a person: refused, saying why.
        let errs = read_row(&cols, &["", "call me", "", ""], &ctx(&[])).unwrap_err();
        assert!(errs[0].message.contains("no usable"), "{}", errs[0].message);
    }

    #[test]
    fn leadlines_own_export_maps_back() {
        let export = [
            "id",
            "first_name",
            "last_name",
            "lifecycle_stage",
            "lead_status",
            "disqualification_reason",
            "emails",
            "phones",
            "tags",
        ];
        let cols = auto_map(ObjectKind::Contact, &export, &[]);
        let names: Vec<String> = cols.iter().map(Column::name).collect();
        assert_eq!(
            names,
            [
                "id",
                "first_name",
                "last_name",
                "lifecycle_stage",
                "lead_status",
                "disqualification_reason",
                "email",
                "phone",
                "tags"
            ]
        );
        let row = [
            "x",
            "Anna",
            "Nowak",
            "lead",
            "disqualified",
            "no_budget",
            "a@firma.pl;anna@gmail.com",
            "+48601234567;",
            "vip",
        ];
        let row = read_row(&cols, &row, &ctx(&[])).unwrap();
        assert_eq!(row.id.as_deref(), Some("x"));
        let emails: Vec<&str> = row.contact.emails.as_ref().unwrap().iter().map(Email::as_str).collect();
        assert_eq!(emails, ["a@firma.pl", "anna@gmail.com"], "several e-mails in one cell, the first primary");
        assert_eq!(row.contact.phones.as_ref().unwrap().len(), 1);
        assert_eq!(row.contact.record.get("disqualification_reason"), Some(&Some(Scalar::Text("no_budget".into()))));
        let one_bad = read_row(&cols, &["x", "Anna", "", "", "", "", "a@firma.pl;oops", "", ""], &ctx(&[])).unwrap();
        assert_eq!(one_bad.warnings.iter().map(|(e, _)| e.field.as_str()).collect::<Vec<_>>(), ["email"]);
        assert_eq!(one_bad.contact.emails.as_ref().unwrap().len(), 1);
        let bad = read_row(&cols, &["", "Anna", "", "", "", "", "oops", "", ""], &ctx(&[])).unwrap_err();
        assert_eq!(bad.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["email"]);
    }

    #[test]
    fn an_id_alone_names_someone() {
        let cols = auto_map(ObjectKind::Contact, &["ID", "Lifecycle stage"], &[]);
        let row = read_row(&cols, &["01a2289d-69e0-767f-af9f-fb6d25a301cb", "customer"], &ctx(&[])).unwrap();
        assert_eq!(row.id.as_deref(), Some("01a2289d-69e0-767f-af9f-fb6d25a301cb"));
        let long = "x".repeat(201);
        let errs = read_row(&cols, &[long.as_str(), "customer"], &ctx(&[])).unwrap_err();
        assert_eq!(errs[0].field, "id");
    }

    #[test]
    fn google_puts_several_values_in_one_cell() {
        let cols = auto_map(ObjectKind::Contact, &["E-mail 1 - Value", "Phone 1 - Value"], &[]);
        let row =
            read_row(&cols, &["anna@firma.pl ::: anna@gmail.com", "+48 601 234 567 ::: +48 22 123 45 67"], &ctx(&[]))
                .unwrap();
        assert_eq!(row.contact.emails.as_ref().unwrap().len(), 2);
        let phones: Vec<&str> = row.contact.phones.as_ref().unwrap().iter().map(Phone::as_str).collect();
        assert_eq!(phones, ["+48601234567", "+48221234567"]);
    }

    #[test]
    fn values_as_hubspot_mautic_and_spreadsheets_write_them() {
        let headers =
            ["Email", "Country/Region", "Lead Status", "Lifecycle Stage", "Tags", "Contact owner", "Phone Number"];
        let cols = auto_map(ObjectKind::Contact, &headers, &[]);
        let get = |row: &ImportRow, f: &str| row.contact.record.get(f).cloned().flatten();
        let row = read_row(
            &cols,
            &[
                "a@b.it",
                "Italia",
                "IN_PROGRESS",
                "marketingqualifiedlead",
                "webinar|vip; expo",
                "Łukasz Wiśniewski",
                "06 6982 1234",
            ],
            &ctx(&[]),
        )
        .unwrap();
        assert!(row.warnings.is_empty(), "{:?}", row.warnings);
        assert_eq!(get(&row, "country"), Some(Scalar::Text("IT".into())));
        assert_eq!(get(&row, "lead_status"), Some(Scalar::Text("attempting_contact".into())));
        assert_eq!(get(&row, "lifecycle_stage"), Some(Scalar::Text("mql".into())));
        assert_eq!(row.contact.tags.as_deref().unwrap(), ["webinar", "vip", "expo"]);
        assert_eq!(row.owner, Some(OwnerRef::Name("lukasz wisniewski".into())));
        // The row's own country gives the phone its region, not the file's.
        assert_eq!(row.contact.phones.as_ref().unwrap()[0].as_str(), "+390669821234");
        for (country, code) in [("Włochy", "IT"), ("ایتالیا", "IT"), ("Polska", "PL"), ("USA", "US")] {
            let row = read_row(&cols, &["a@b.it", country, "", "", "", "", ""], &ctx(&[])).unwrap();
            assert_eq!(get(&row, "country"), Some(Scalar::Text(code.into())), "{country}");
        }
        for (status, ours) in [
            ("NEW", "new"),
            ("OPEN_DEAL", "qualified"),
            ("UNQUALIFIED", "disqualified"),
            ("BAD_TIMING", "recycled"),
            ("CONNECTED", "connected"),
        ] {
            let row = read_row(&cols, &["a@b.it", "", status, "", "", "", ""], &ctx(&[])).unwrap();
            assert_eq!(get(&row, "lead_status"), Some(Scalar::Text(ours.into())), "{status}");
        }
        let owner = read_row(&cols, &["a@b.it", "", "", "", "", "Owner@Firma.pl", ""], &ctx(&[])).unwrap();
        assert!(matches!(owner.owner, Some(OwnerRef::Email(ref e)) if e.as_str() == "owner@firma.pl"));
    }

    #[test]
    fn a_purchased_list_keeps_the_files_source_and_starts_at_the_first_stage() {
        let cols = auto_map(ObjectKind::Contact, &["email", "Original Source", "Lifecycle Stage"], &[]);
        let mut c = ctx(&[]);
        c.source_list = Some("expo-2026");
        let get = |row: &ImportRow, f: &str| row.contact.record.get(f).cloned().flatten();
        let row = read_row(&cols, &["a@b.pl", "OFFLINE", ""], &c).unwrap();
        assert_eq!(get(&row, "original_source"), Some(Scalar::Text("OFFLINE".into())));
        assert_eq!(get(&row, "source"), Some(Scalar::Text("purchased_list".into())));
        assert_eq!(get(&row, "lifecycle_stage"), Some(Scalar::Text("subscriber".into())));
        let row = read_row(&cols, &["a@b.pl", "", "customer"], &c).unwrap();
        assert_eq!(get(&row, "lifecycle_stage"), Some(Scalar::Text("customer".into())), "the file's stage wins");
        c.default_stage = Some(crate::lifecycle::LifecycleStage::Lead);
        let row = read_row(&cols, &["a@b.pl", "", ""], &c).unwrap();
        assert_eq!(get(&row, "lifecycle_stage"), Some(Scalar::Text("lead".into())), "the page's choice wins");
    }

    #[test]
    fn new_properties_take_a_name_and_a_type_from_their_column() {
        use crate::property::PropertyType as T;
        assert_eq!(property_name("Mautic points", 0), "mautic_points");
        assert_eq!(property_name("Last Activity Date", 1), "last_activity_date");
        assert_eq!(property_name("Città di nascita", 2), "citta_di_nascita");
        assert_eq!(property_name("2nd phone", 3), "column_2nd_phone");
        assert_eq!(property_name("امتیاز", 3), "column_4");
        assert_eq!(infer_property_type(["12", "", "3,5"]), T::Number);
        assert_eq!(infer_property_type(["yes", "No"]), T::Bool);
        assert_eq!(infer_property_type(["2026-03-15 10:22", "15.03.2026"]), T::Date);
        assert_eq!(infer_property_type(["Marketing contact", "12"]), T::Text);
        assert_eq!(infer_property_type(["", " "]), T::Text);
        // A date column reads export dates into the property.
        let def = PropertyDef {
            object: ObjectKind::Contact,
            name: "last_activity".into(),
            label: "Last activity".into(),
            kind: T::Date,
            options: vec![],
        };
        let props = [def];
        let cols = auto_map(ObjectKind::Contact, &["email", "Last activity"], &props);
        let row = read_row(&cols, &["a@b.pl", "15.03.2026 10:00"], &ctx(&props)).unwrap();
        assert_eq!(row.contact.record.properties[0].1, Some(crate::property::PropValue::Date("2026-03-15".into())));
    }

    #[test]
    fn purchased_lists_tag_every_row() {
        let cols = auto_map(ObjectKind::Contact, &["email"], &[]);
        let mut c = ctx(&[]);
        c.source_list = Some("expo-2026");
        let row = read_row(&cols, &["a@b.pl"], &c).unwrap();
        assert_eq!(row.contact.record.get("source_list"), Some(&Some(Scalar::Text("expo-2026".into()))));
        assert_eq!(row.contact.record.get("source"), Some(&Some(Scalar::Text("purchased_list".into()))));
    }
}
