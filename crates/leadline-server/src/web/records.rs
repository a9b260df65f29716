//! What the contact, company and deal screens share: list pages (columns, filters, sort,
//! keyset paging), record forms (built from the FieldSpec tables and the property schema, and
//! turned back into API JSON), value formatting, the timeline; and the dashboard and search.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
use leadline_core::lifecycle::{LeadStatus, LifecycleStage, DISQUALIFICATION_REASONS};
use leadline_core::property::{PropertyDef, PropertyType};
use leadline_core::record::{self, FieldKind, FieldSpec, ObjectKind, Scalar};
use leadline_core::role::Action;
use leadline_store::{Activity, ActivityQuery, ListQuery, Record, TaskChanges, TaskQuery, User};
use serde_json::{Map, Value};

use super::auth::FormErrors;
use super::view::{query_string, urlencode, Shell, Tr};
use super::{back_to, render, PageResult, Posted, Viewer};
use crate::error::ApiError;
use crate::AppState;

/// The path of an object's screens.
pub fn base(object: ObjectKind) -> &'static str {
    match object {
        ObjectKind::Contact => "/contacts",
        ObjectKind::Company => "/companies",
        ObjectKind::Deal => "/deals",
    }
}

/// The name a record goes by on screen.
pub fn title(r: &Record) -> String {
    let text = |n| r.text(n).unwrap_or_default();
    match r.object {
        ObjectKind::Contact => {
            let full = format!("{} {}", text("first_name"), text("last_name")).trim().to_owned();
            [text("display_name").to_owned(), full, r.emails.first().cloned().unwrap_or_default()]
                .into_iter()
                .chain(r.phones.first().cloned())
                .find(|s| !s.is_empty())
                .unwrap_or_else(|| r.id.clone())
        }
        _ => [text("name"), text("domain")].into_iter().find(|s| !s.is_empty()).unwrap_or(&r.id).to_owned(),
    }
}

/// A field's value as a reader should see it.
pub fn show(tr: &Tr, r: &Record, spec: &FieldSpec, users: &[User]) -> String {
    let Some(v) = r.get(spec.name) else { return String::new() };
    match (spec.kind, v) {
        (FieldKind::Time, Scalar::Int(t)) => tr.datetime(*t),
        (FieldKind::Money, Scalar::Int(m)) => tr.money(*m, r.text("currency").unwrap_or("EUR")),
        (FieldKind::Count, Scalar::Int(n)) => tr.num(*n),
        (FieldKind::Date, Scalar::Text(d)) => tr.locale.iso_date(d),
        (FieldKind::LifecycleStage, Scalar::Text(s)) => tr.t(&format!("stage-{s}")),
        (FieldKind::LeadStatus, Scalar::Text(s)) => tr.t(&format!("lead-status-{s}")),
        (FieldKind::DisqualificationReason, Scalar::Text(s)) => tr.t(&format!("dq-{s}")),
        (FieldKind::AccountTier, Scalar::Text(s)) => tr.t(&format!("tier-{s}")),
        (FieldKind::DealStatus, Scalar::Text(s)) => tr.t(&format!("deal-status-{s}")),
        (FieldKind::ForecastCategory, Scalar::Text(s)) => tr.t(&format!("forecast-category-{s}")),
        (FieldKind::UserId, Scalar::Text(id)) => user_name(users, id),
        (_, Scalar::Text(s)) if spec.name == "stage" && r.object == ObjectKind::Deal => tr.code("deal-stage", s),
        (_, Scalar::Text(s)) if spec.name == "industry" => tr.code("industry", s),
        (_, Scalar::Text(s)) => s.clone(),
        (_, Scalar::Int(n)) => n.to_string(),
    }
}

/// What a user is called on screen: their name, else their e-mail.
pub fn user_label(u: &User) -> String {
    u.name.clone().unwrap_or_else(|| u.email.clone())
}

pub fn user_name(users: &[User], id: &str) -> String {
    users.iter().find(|u| u.id == id).map_or_else(|| id.to_owned(), user_label)
}

/// Choices of a select: each value with its label, `current` selected.
pub fn choices<'a>(
    values: impl IntoIterator<Item = &'a str>,
    label: impl Fn(&str) -> String,
    current: &str,
) -> Vec<Choice> {
    values.into_iter().map(|v| Choice { value: v.to_owned(), label: label(v), selected: v == current }).collect()
}

/// A field's value as an edit box holds it (amounts as decimals, not minor units).
fn raw_value(r: &Record, spec: &FieldSpec) -> String {
    match (spec.kind, r.get(spec.name)) {
        (_, None) => String::new(),
        (FieldKind::Money, Some(Scalar::Int(m))) => {
            let digits = leadline_core::money::minor_digits(r.text("currency").unwrap_or("EUR"));
            if digits == 0 {
                m.to_string()
            } else {
                let div = 10_i64.pow(digits);
                let sign = if *m < 0 { "-" } else { "" };
                format!("{sign}{}.{:0w$}", (m / div).abs(), (m % div).abs(), w = digits as usize)
            }
        }
        (_, Some(Scalar::Int(n))) => n.to_string(),
        (_, Some(Scalar::Text(s))) => s.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

pub struct Column {
    pub label: String,
    /// Link that sorts by this column (toggling direction), when it sorts.
    pub sort_href: Option<String>,
    /// `ascending` or `descending` when the list is sorted by it.
    pub sorted: Option<&'static str>,
}

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

pub struct Row {
    pub id: String,
    pub cells: Vec<Cell>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A filter select in the list's filter bar.
pub struct FilterSelect {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<Choice>,
}

/// A list page's data, whatever the object.
/// How far a list page counts its matches.
const TOTAL_CAP: u32 = 1_000;

pub struct ListView {
    pub base: &'static str,
    /// How many records match: exact, or "more than" past [`TOTAL_CAP`]; none for a search
    /// that fills more than a page.
    pub total: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub q: String,
    pub selects: Vec<FilterSelect>,
    /// The free filter row: field, operator, value.
    pub fields: Vec<Choice>,
    pub ops: Vec<Choice>,
    pub filter_value: String,
    /// Column choices (name, label, shown).
    pub column_choices: Vec<Choice>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    /// A query that failed (a bad filter value): said above the list instead of rows.
    pub error: Option<String>,
    /// Hidden inputs that keep the current query when a form of the page is sent.
    pub kept: Vec<(String, String)>,
    pub filtered: bool,
    pub export_href: String,
    /// Rows can be ticked for bulk actions.
    pub bulk: bool,
    pub bulk_form: Option<super::bulk::BulkForm>,
    /// What a bulk action just did ("3 contacts updated").
    pub notice: Option<String>,
}

/// Query parameters of a list page that are the page's own, not list filters.
const PAGE_PARAMS: &[&str] = &["cols", "col", "f", "op", "v", "notice", "n"];

/// Pseudo-columns besides the fields: a contact's name, first e-mail, phone and tags.
fn extra_columns(object: ObjectKind) -> &'static [&'static str] {
    match object {
        ObjectKind::Contact => &["name", "email", "phone", "tags"],
        _ => &["name"],
    }
}

fn default_columns(object: ObjectKind) -> &'static [&'static str] {
    match object {
        ObjectKind::Contact => {
            &["name", "email", "company_name", "lifecycle_stage", "lead_status", "owner_id", "created_at"]
        }
        ObjectKind::Company => &["name", "domain", "industry", "employee_count", "country", "tier", "owner_id"],
        ObjectKind::Deal => &["name", "stage", "amount", "close_date", "status", "owner_id", "created_at"],
    }
}

/// Columns a list page offers to sort by: those with an index behind them, so a click on a
/// header stays fast at a million records (the API sorts by any field).
fn sortable(object: ObjectKind, column: &str) -> Option<&'static str> {
    let name = match (object, column) {
        (ObjectKind::Contact, "name") => "last_name",
        (_, "name") => "name",
        (_, c) => c,
    };
    let indexed: &[&'static str] = match object {
        ObjectKind::Contact => &["created_at", "updated_at", "last_name"],
        ObjectKind::Company => &["created_at", "name"],
        ObjectKind::Deal => &["created_at", "name", "close_date", "amount"],
    };
    indexed.iter().copied().find(|n| *n == name)
}

pub fn column_label(tr: &Tr, name: &str) -> String {
    tr.t(&format!("field-{name}"))
}

fn cols_cookie(object: ObjectKind) -> String {
    format!("leadline_cols_{}", object.as_str())
}

/// The columns to show: from `cols=`, else the remembered choice, else the defaults.
fn chosen_columns(object: ObjectKind, pairs: &[(String, String)], headers: &HeaderMap) -> (Vec<String>, bool) {
    let valid = |c: &str| extra_columns(object).contains(&c) || record::field(object, c).is_some();
    let ticked: Vec<&str> = pairs.iter().filter(|(k, _)| k == "col").map(|(_, v)| v.as_str()).collect();
    let from_query = if ticked.is_empty() {
        pairs.iter().find(|(k, _)| k == "cols").map(|(_, v)| v.clone())
    } else {
        Some(ticked.join(","))
    };
    let remembered = crate::auth::cookie(headers, &cols_cookie(object)).map(|c| c.replace('.', ","));
    let asked = from_query.is_some();
    let mut cols: Vec<String> = from_query
        .or(remembered)
        .map(|v| v.split(',').map(str::trim).filter(|c| valid(c)).map(str::to_owned).collect())
        .unwrap_or_default();
    if cols.is_empty() {
        cols = default_columns(object).iter().map(|c| (*c).to_owned()).collect();
    }
    if !cols.iter().any(|c| c == "name") {
        cols.insert(0, "name".into());
    }
    cols.dedup();
    (cols, asked)
}

fn cell(tr: &Tr, r: &Record, col: &str, users: &[User]) -> Cell {
    let text = match col {
        "name" => return Cell { text: title(r), href: Some(format!("{}/{}", base(r.object), r.id)) },
        "email" => r.emails.first().cloned().unwrap_or_default(),
        "phone" => r.phones.first().cloned().unwrap_or_default(),
        "tags" => r.tags.join(", "),
        "company_id" => {
            let id = r.text("company_id").unwrap_or_default();
            let name = r.text("company_name").filter(|n| !n.is_empty()).unwrap_or(id).to_owned();
            return Cell { href: (!id.is_empty()).then(|| format!("/companies/{id}")), text: name };
        }
        _ => record::field(r.object, col).map(|spec| show(tr, r, spec, users)).unwrap_or_default(),
    };
    Cell { text, href: None }
}

/// The page's query as the API's list parameters (`f`/`op`/`v` become `f[op]=v`).
pub(crate) fn api_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let mut out: Vec<(String, String)> =
        pairs.iter().filter(|(k, v)| !PAGE_PARAMS.contains(&k.as_str()) && !v.trim().is_empty()).cloned().collect();
    let (f, op, v) = (get("f"), get("op"), get("v"));
    let op = if op.is_empty() { "eq".to_owned() } else { op };
    if !f.is_empty() && (!v.is_empty() || op == "empty" || op == "not_empty") {
        out.push((format!("{f}[{op}]"), v));
    }
    out
}

/// Build a list page for `object` from the page's query string.
pub async fn list_view(
    s: &AppState,
    v: &Viewer,
    object: ObjectKind,
    uri: &Uri,
    headers: &HeaderMap,
    users: &[User],
) -> Result<(ListView, Option<String>), ApiError> {
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(uri)?;
    let (cols, asked) = chosen_columns(object, &pairs, headers);
    let set_cookie =
        asked.then(|| format!("{}={}; Path=/; SameSite=Lax; Max-Age=31536000", cols_cookie(object), cols.join(".")));
    let api = api_pairs(&pairs);
    let props = crate::api::records::property_defs_for_filters(s, object, &api).await?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();

    let (page, error) = match crate::wire::list_query(object, &api, &props) {
        Ok(q) => match s.store.list(object, &q).await {
            Ok(p) => (Some((p, q)), None),
            Err(e) => (None, Some(super::view::error_text(&tr, &e.into()))),
        },
        Err(e) => (None, Some(super::view::error_text(&tr, &e))),
    };
    // The total: a first page that holds every match counts itself; else a count that stops
    // past TOTAL_CAP, said as "more than" (counting a million matches on every page would cost
    // more than the page). A search as you type that fills its page is not counted: its
    // index gives matches in bulk, and counting them cost the page six times its time.
    let first_page = !pairs.iter().any(|(k, _)| k == "cursor");
    let total = match &page {
        Some((p, _)) if first_page && p.next.is_none() => Some(tr.tn("list-total", p.items.len() as i64)),
        Some((_, q)) if q.search.is_none() => {
            let n = s.store.count_upto(object, &q.filters, None, TOTAL_CAP).await?;
            Some(if n > i64::from(TOTAL_CAP) {
                tr.tn("list-total-more", i64::from(TOTAL_CAP))
            } else {
                tr.tn("list-total", n)
            })
        }
        _ => None,
    };
    let (sort, desc) = page.as_ref().map_or(("created_at".to_owned(), true), |(_, q)| (q.sort.name(), q.descending));
    let sort = sort.as_str();
    let link = |extra: &[(&str, &str)], drop: &[&str]| {
        let mut kept: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(k, _)| !drop.contains(&k.as_str()) && !extra.iter().any(|(e, _)| e == k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        kept.extend_from_slice(extra);
        format!("{}?{}", base(object), query_string(kept))
    };
    let columns = cols
        .iter()
        .map(|c| {
            let sort_name = sortable(object, c);
            let sorted = sort_name.filter(|n| *n == sort).map(|_| if desc { "descending" } else { "ascending" });
            let sort_href = sort_name.map(|n| {
                let dir = if sorted == Some("ascending") { format!("-{n}") } else { n.to_owned() };
                link(&[("sort", &dir)], &["cursor"])
            });
            Column { label: column_label(&tr, c), sort_href, sorted }
        })
        .collect();
    let (rows, next_href) = match &page {
        Some((p, _)) => (
            p.items
                .iter()
                .map(|r| Row { id: r.id.clone(), cells: cols.iter().map(|c| cell(&tr, r, c, users)).collect() })
                .collect(),
            p.next.as_ref().map(|n| link(&[("cursor", n)], &[])),
        ),
        None => (Vec::new(), None),
    };
    let first_href = pairs.iter().any(|(k, _)| k == "cursor").then(|| link(&[], &["cursor"]));
    let choice = |value: &str, label: String, current: &str| Choice {
        selected: value == current,
        value: value.to_owned(),
        label,
    };
    let filter_fields: &[&str] = match object {
        ObjectKind::Contact => &["lifecycle_stage", "lead_status", "owner_id"],
        ObjectKind::Company => &["tier", "owner_id"],
        ObjectKind::Deal => &["status", "owner_id"],
    };
    let selects = filter_fields
        .iter()
        .filter_map(|name| record::field(object, name))
        .map(|spec| FilterSelect {
            name: spec.name,
            label: column_label(&tr, spec.name),
            // Owners who left still own records: filters offer every user.
            options: options(&tr, spec, users, &get(spec.name)).unwrap_or_default(),
        })
        .collect();
    let fields = record::fields(object)
        .iter()
        .map(|f| choice(f.name, column_label(&tr, f.name), &get("f")))
        .chain(
            (object == ObjectKind::Contact)
                .then(|| {
                    [choice("tag", tr.t("field-tags"), &get("f")), choice("email", tr.t("field-email"), &get("f"))]
                })
                .into_iter()
                .flatten(),
        )
        .collect();
    let ops = ["eq", "ne", "prefix", "gt", "lt", "in", "empty", "not_empty"]
        .iter()
        .map(|o| choice(o, tr.t(&format!("op-{o}")), &get("op")))
        .collect();
    let column_choices = extra_columns(object)
        .iter()
        .copied()
        .chain(record::fields(object).iter().map(|f| f.name))
        .map(|c| Choice { value: c.to_owned(), label: column_label(&tr, c), selected: cols.iter().any(|x| x == c) })
        .collect();
    let kept = pairs.iter().filter(|(k, _)| !["notice", "n"].contains(&k.as_str())).cloned().collect();
    let notice = get("notice");
    let notice = (!notice.is_empty()).then(|| {
        let n = get("n").parse().unwrap_or(0);
        let kind = if notice == "deleted" { "deleted" } else { "updated" };
        tr.tn(&format!("{}-{kind}", object.plural()), n)
    });
    // Static lists a contact list's bulk form can add to.
    let lists = match object {
        ObjectKind::Contact if v.can(Action::Write) => s
            .store
            .segments()
            .await?
            .into_iter()
            .filter(|l| l.condition.is_none())
            .map(|l| Choice { value: l.id, label: l.name, selected: false })
            .collect(),
        _ => Vec::new(),
    };
    let export_pairs: Vec<(&str, &str)> =
        api.iter().filter(|(k, _)| k != "cursor" && k != "limit").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let export_href = format!("/api/v1/exports/{}.csv?{}", object.plural(), query_string(export_pairs));
    let filtered = api.iter().any(|(k, _)| !["sort", "cursor", "limit"].contains(&k.as_str()));
    Ok((
        ListView {
            base: base(object),
            total,
            columns,
            rows,
            q: get("q"),
            selects,
            fields,
            ops,
            filter_value: get("v"),
            column_choices,
            next_href,
            first_href,
            error,
            kept,
            filtered,
            export_href,
            bulk: v.can(Action::Write),
            bulk_form: v.can(Action::Write).then(|| super::bulk::form(&tr, object, users, lists)),
            notice,
        },
        set_cookie,
    ))
}

// ---------------------------------------------------------------------------------------------
// Forms

/// One input of a record form.
pub struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `number`, `date`, `select`, `textarea`.
    pub input: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    pub error: Option<String>,
    /// The record the error is about (the contact that already has this e-mail).
    pub error_link: Option<String>,
    pub hint: Option<String>,
}

/// The fields an edit form offers for an object (system and link fields are not typed in).
fn editable(object: ObjectKind) -> impl Iterator<Item = &'static FieldSpec> {
    record::fields(object).iter().filter(|f| !f.system && f.kind != FieldKind::CompanyId)
}

/// The choices of a field that has a fixed set of values (or the given users, for owners),
/// with `current` selected; `None` for a field typed in freely.
pub fn options(tr: &Tr, spec: &FieldSpec, users: &[User], current: &str) -> Option<Vec<Choice>> {
    let labelled = |values: &mut dyn Iterator<Item = &str>, prefix: &str| {
        choices(values, |v| tr.t(&format!("{prefix}{v}")), current)
    };
    Some(match spec.kind {
        FieldKind::LifecycleStage => labelled(&mut LifecycleStage::ALL.iter().map(|s| s.as_str()), "stage-"),
        FieldKind::LeadStatus => labelled(&mut LeadStatus::ALL.iter().map(|s| s.as_str()), "lead-status-"),
        FieldKind::DisqualificationReason => labelled(&mut DISQUALIFICATION_REASONS.iter().copied(), "dq-"),
        FieldKind::AccountTier => labelled(&mut record::ACCOUNT_TIERS.iter().copied(), "tier-"),
        FieldKind::DealStatus => labelled(&mut record::DEAL_STATUSES.iter().copied(), "deal-status-"),
        FieldKind::ForecastCategory => {
            labelled(&mut leadline_core::pipeline::CATEGORIES.iter().copied(), "forecast-category-")
        }
        // Only people who may work on records are offered (the current one stays shown).
        FieldKind::UserId => users
            .iter()
            .filter(|u| u.id == current || (!u.disabled && u.role.allows(leadline_core::role::Action::Write)))
            .map(|u| Choice { value: u.id.clone(), label: user_label(u), selected: u.id == current })
            .collect(),
        _ => return None,
    })
}

/// The form for a record (or an empty one for `None`), with `values` typed in by the user
/// taking the place of stored ones after a failed submit.
pub fn record_form(
    tr: &Tr,
    object: ObjectKind,
    r: Option<&Record>,
    props: &[PropertyDef],
    users: &[User],
    typed: Option<&super::Fields>,
    errors: &FormErrors,
) -> Vec<FormField> {
    let mut out = Vec::new();
    let value_of = |name: &str, stored: String| match typed {
        Some(t) => t.get(name).unwrap_or_default().to_owned(),
        None => stored,
    };
    let mut push = |name: String,
                    label: String,
                    input: &'static str,
                    stored: String,
                    opts: Vec<(String, String)>,
                    hint: Option<String>| {
        let value = value_of(&name, stored);
        let options = opts.into_iter().map(|(v, l)| Choice { selected: v == value, value: v, label: l }).collect();
        let error = errors.of(&name).map(str::to_owned);
        let error_link = errors.link(&name).map(str::to_owned);
        out.push(FormField { name, label, input, value, options, error, error_link, hint });
    };
    if object == ObjectKind::Contact {
        let list = |l: Option<&Vec<String>>| l.map(|l| l.join("\n")).unwrap_or_default();
        push(
            "emails".into(),
            tr.t("field-emails"),
            "textarea",
            list(r.map(|r| &r.emails)),
            vec![],
            Some(tr.t("hint-one-per-line")),
        );
        push(
            "phones".into(),
            tr.t("field-phones"),
            "textarea",
            list(r.map(|r| &r.phones)),
            vec![],
            Some(tr.t("hint-phones")),
        );
    }
    // Owners to pick from: active users, and whoever owns the record now (so saving the form
    // never drops an owner who has left).
    let owner = r.and_then(|r| r.text("owner_id"));
    let selectable: Vec<User> = users.iter().filter(|u| !u.disabled || owner == Some(u.id.as_str())).cloned().collect();
    for spec in editable(object) {
        let stored = r.map(|r| raw_value(r, spec)).unwrap_or_default();
        let (input, opts, hint) = match options(tr, spec, &selectable, "") {
            Some(o) => ("select", o.into_iter().map(|c| (c.value, c.label)).collect(), None),
            None => match spec.kind {
                FieldKind::Count => ("number", vec![], None),
                FieldKind::Date => ("date", vec![], None),
                FieldKind::Country => ("text", vec![], Some(tr.t("hint-country"))),
                FieldKind::Language => ("text", vec![], Some(tr.t("hint-language"))),
                FieldKind::Currency => ("text", vec![], Some(tr.t("hint-currency"))),
                FieldKind::Money => ("text", vec![], Some(tr.t("hint-amount"))),
                _ => ("text", vec![], None),
            },
        };
        push(spec.name.into(), column_label(tr, spec.name), input, stored, opts, hint);
    }
    if object == ObjectKind::Contact {
        push(
            "tags".into(),
            tr.t("field-tags"),
            "text",
            r.map(|r| r.tags.join(", ")).unwrap_or_default(),
            vec![],
            Some(tr.t("hint-comma")),
        );
    }
    for p in props.iter().filter(|p| p.object == object) {
        let name = format!("properties.{}", p.name);
        let stored = match r.and_then(|r| r.properties.get(&p.name)) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        };
        let (input, opts, hint) = match p.kind {
            PropertyType::Number => ("number", vec![], None),
            PropertyType::Date => ("date", vec![], None),
            PropertyType::Bool => ("select", vec![("true".into(), tr.t("yes")), ("false".into(), tr.t("no"))], None),
            PropertyType::Enum => ("select", p.options.iter().map(|o| (o.clone(), o.clone())).collect(), None),
            PropertyType::MultiEnum => ("text", vec![], Some(tr.t1("hint-options", "options", &p.options.join(", ")))),
            PropertyType::Text => ("text", vec![], None),
        };
        push(name, p.label.clone(), input, stored, opts, hint);
    }
    out
}

/// A submitted record form as the JSON the API takes. On create, empty fields are left out; on
/// update, an empty field clears the value. Amounts typed as people write them ("1 200,50")
/// become the API's minor units of `currency`, counts whole numbers; one that cannot be read is
/// refused at its field.
pub fn form_json(
    object: ObjectKind,
    fields: &super::Fields,
    props: &[PropertyDef],
    create: bool,
    currency: &str,
) -> Result<Value, ApiError> {
    let mut body = Map::new();
    let split = |s: &str| -> Vec<Value> {
        s.split(['\n', ',', ';']).map(str::trim).filter(|x| !x.is_empty()).map(|x| Value::String(x.into())).collect()
    };
    for spec in editable(object) {
        let Some(raw) = fields.get(spec.name) else { continue };
        match raw.trim() {
            "" if create => {}
            "" => {
                body.insert(spec.name.into(), Value::Null);
            }
            v if matches!(spec.kind, FieldKind::Money | FieldKind::Count) => {
                let value = match leadline_core::record::check(
                    spec,
                    &leadline_core::property::RawValue::Text(v.into()),
                    currency,
                )? {
                    Some(Scalar::Int(n)) => Value::from(n),
                    _ => Value::Null,
                };
                body.insert(spec.name.into(), value);
            }
            v => {
                body.insert(spec.name.into(), Value::String(v.into()));
            }
        }
    }
    if object == ObjectKind::Contact {
        for list in ["emails", "phones", "tags"] {
            if let Some(raw) = fields.get(list) {
                body.insert(list.into(), Value::Array(split(raw)));
            }
        }
    }
    let mut properties = Map::new();
    for p in props.iter().filter(|p| p.object == object) {
        let Some(raw) = fields.get(&format!("properties.{}", p.name)).map(str::trim) else { continue };
        let value = match (p.kind, raw) {
            (_, "") if create => continue,
            (_, "") => Value::Null,
            (PropertyType::Number, v) => v
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::String(v.into()), Value::Number),
            (PropertyType::Bool, v) => Value::Bool(v == "true"),
            (PropertyType::MultiEnum, v) => Value::Array(split(v)),
            (_, v) => Value::String(v.into()),
        };
        properties.insert(p.name.clone(), value);
    }
    if !properties.is_empty() {
        body.insert("properties".into(), Value::Object(properties));
    }
    Ok(Value::Object(body))
}

/// The profile card of a record page: its edit form's target and state.
pub struct Profile {
    pub action: String,
    pub form_error: Option<String>,
    /// Just saved (the page was reached by the redirect after a save).
    pub saved: bool,
    /// The stage change was refused as a move back: offer to confirm it.
    pub backward_blocked: bool,
}

impl Profile {
    pub fn new(object: ObjectKind, id: &str, fields: &[FormField], errors: &FormErrors, saved: bool) -> Self {
        Profile {
            action: format!("{}/{id}", base(object)),
            form_error: unplaced(fields, errors),
            saved,
            backward_blocked: errors.of("lifecycle_stage").is_some(),
        }
    }
}

/// The message of a refusal that no field of the form shows (a form-wide one, or one about a
/// value the form carries hidden, such as the company of a new deal): said above the form.
fn unplaced(fields: &[FormField], errors: &FormErrors) -> Option<String> {
    errors
        .0
        .iter()
        .find(|(field, _)| {
            let name = field.split('[').next().unwrap_or(field);
            !name.starts_with("log.") && name != "link" && !fields.iter().any(|f| f.name == name)
        })
        .map(|(_, m)| m.clone())
}

/// A record page's query: its pairs, and whether it follows a save.
pub fn page_query(uri: &Uri) -> Result<(Vec<(String, String)>, bool), ApiError> {
    let pairs = crate::api::query_pairs(uri)?;
    let saved = pairs.iter().any(|(k, v)| k == "saved" && v == "1");
    Ok((pairs, saved))
}

/// A rendered record page, 422 when it shows refused input.
pub fn page_response<T: Template>(page: &T, errors: &FormErrors) -> axum::response::Response {
    let mut resp = render(page);
    if !errors.is_empty() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

#[derive(Template)]
#[template(path = "record_new.html")]
pub struct NewRecordPage {
    pub p: Shell,
    pub action: String,
    pub fields: Vec<FormField>,
    pub hidden: Vec<(String, String)>,
    pub form_error: Option<String>,
}

/// The "new contact/company/deal" page; `hidden` carries links such as the company of a new
/// deal.
pub async fn new_page(
    s: &AppState,
    v: &Viewer,
    object: ObjectKind,
    typed: Option<&super::Fields>,
    errors: &FormErrors,
    hidden: Vec<(String, String)>,
) -> Result<NewRecordPage, ApiError> {
    let tr = Tr { locale: v.locale };
    let props = s.store.properties(Some(object)).await?;
    let users = s.store.users().await?;
    let fields = record_form(&tr, object, None, &props, &users, typed, errors);
    let title = tr.t(&format!("new-{}", object.as_str()));
    Ok(NewRecordPage {
        p: v.shell(base(object), title),
        action: format!("{}/new", base(object)),
        form_error: unplaced(&fields, errors),
        fields,
        hidden,
    })
}

/// Create a record from a posted form: to its page, or back to the form with the errors.
pub async fn create_from_form(s: &AppState, form: Posted, object: ObjectKind) -> PageResult {
    let v = &form.viewer;
    v.require(Action::Write)?;
    let props = s.store.properties(Some(object)).await?;
    let currency = form.fields.text("currency").unwrap_or("EUR").to_ascii_uppercase();
    let created = match form_json(object, &form.fields, &props, true, &currency) {
        Ok(mut body) => {
            for link in ["company_id", "contact_id"] {
                if let Some(id) = form.fields.text(link) {
                    match link {
                        "contact_id" => body["contact_ids"] = Value::Array(vec![Value::String(id.into())]),
                        _ => body[link] = Value::String(id.into()),
                    }
                }
            }
            crate::api::records::create_impl(s, &v.caller, object, body).await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok((_, axum::Json(created))) => {
            let id = created["id"].as_str().unwrap_or_default();
            Ok(axum::response::Redirect::to(&format!("{}/{id}", base(object))).into_response())
        }
        Err(e) if super::view::refuses_input(&e) => {
            let tr = Tr { locale: v.locale };
            let errors = FormErrors::from_api(&tr, &e);
            let hidden = ["company_id", "contact_id"]
                .iter()
                .filter_map(|k| form.fields.text(k).map(|id| ((*k).to_owned(), id.to_owned())))
                .collect();
            let page = new_page(s, v, object, Some(&form.fields), &errors, hidden).await?;
            Ok((e.status(), render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Save a record's edit form. `Ok(None)` when saved, `Ok(Some(errors))` when the input was
/// refused (nothing changed).
pub async fn update_from_form(
    s: &AppState,
    form: &Posted,
    object: ObjectKind,
    id: &str,
) -> Result<Option<FormErrors>, ApiError> {
    let v = &form.viewer;
    v.caller.require(Action::Write)?;
    let props = s.store.properties(Some(object)).await?;
    // An amount is in the record's currency unless the form changes that too.
    let currency = match form.fields.text("currency") {
        Some(c) => c.to_ascii_uppercase(),
        None if object != ObjectKind::Contact => {
            s.store.get(object, id).await?.text("currency").unwrap_or("EUR").to_owned()
        }
        None => "EUR".to_owned(),
    };
    let options = leadline_store::WriteOptions { allow_backward_stage: form.fields.get("allow_backward").is_some() };
    let updated = match form_json(object, &form.fields, &props, false, &currency) {
        Ok(body) => crate::api::records::update_impl(s, &v.caller, object, id, options, body).await.map(drop),
        Err(e) => Err(e),
    };
    match updated {
        Ok(_) => Ok(None),
        Err(e) if super::view::refuses_input(&e) => Ok(Some(FormErrors::from_api(&Tr { locale: v.locale }, &e))),
        Err(e) => Err(e),
    }
}

/// The answer to a record form sent in the background (inline editing asks for JSON): saved, or
/// the errors by field in the viewer's language.
pub fn inline_reply(headers: &HeaderMap, refused: Option<&FormErrors>) -> Option<axum::response::Response> {
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"));
    if !wants_json {
        return None;
    }
    Some(match refused {
        None => axum::Json(serde_json::json!({ "saved": true })).into_response(),
        Some(errors) => {
            let links: serde_json::Map<String, Value> =
                errors.1.iter().map(|(f, href)| (f.clone(), Value::String(href.clone()))).collect();
            let body = serde_json::json!({ "errors": errors.0, "links": links });
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Timeline and history

pub struct TimelineItem {
    pub kind: String,
    pub label: String,
    pub when: String,
    pub summary: String,
    pub detail: Option<String>,
    pub who: Option<String>,
}

pub struct TimelineView {
    pub items: Vec<TimelineItem>,
    pub kinds: Vec<Choice>,
    pub older_href: Option<String>,
}

fn summary(tr: &Tr, a: &Activity) -> (String, Option<String>) {
    let prop = |k: &str| a.properties.get(k).and_then(Value::as_str).map(str::to_owned);
    match a.kind.as_str() {
        "note" => (prop("body").unwrap_or_default(), None),
        "stage_changed" => {
            let stage = |k: &str| prop(k).map_or_else(|| "-".to_owned(), |s| tr.t(&format!("stage-{s}")));
            (format!("{} → {}", stage("from"), stage("to")), None)
        }
        "score_changed" => {
            let model = prop("model").map(|m| tr.code("score", &m)).unwrap_or_default();
            let category = |k: &str| prop(k).unwrap_or_else(|| "-".to_owned());
            (format!("{model}: {} → {}", category("from"), category("to")), None)
        }
        "lead_assigned" => (prop("reason").map(|r| super::queue::reason_text(tr, &r)).unwrap_or_default(), None),
        "call" => {
            let outcome = prop("outcome").map(|o| tr.t(&format!("outcome-{o}"))).unwrap_or_default();
            let mins =
                a.properties.get("duration_seconds").and_then(Value::as_i64).map(|s| tr.tn("minutes", (s + 59) / 60));
            ([Some(outcome), mins].into_iter().flatten().collect::<Vec<_>>().join(" · "), prop("body"))
        }
        _ => {
            let what = ["title", "subject", "url", "page", "form", "name"].iter().find_map(|k| prop(k));
            let via = [a.channel.as_deref().map(|c| tr.code("channel", c)), a.campaign.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            (what.unwrap_or(via.clone()), None)
        }
    }
}

/// A record's timeline, newest first, filtered by `type=` and paged with `before=`.
pub async fn timeline(
    s: &AppState,
    tr: &Tr,
    mut q: ActivityQuery,
    pairs: &[(String, String)],
    here: &str,
    users: &[User],
) -> Result<TimelineView, ApiError> {
    let kind = pairs.iter().find(|(k, _)| k == "type").map(|(_, v)| v.clone()).unwrap_or_default();
    if !kind.is_empty() {
        q.kinds = vec![kind.clone()];
    }
    q.before = pairs.iter().find(|(k, _)| k == "before").and_then(|(_, v)| leadline_store::TimelineCursor::decode(v));
    q.limit = 30;
    let acts = s.store.activities(&q).await?;
    let older_href = (acts.len() == q.limit as usize).then(|| {
        let last = acts.last().map(|a| leadline_store::TimelineCursor::of(a).encode()).unwrap_or_default();
        let path = here.split('?').next().unwrap_or(here);
        format!("{path}?{}#timeline", query_string([("type", kind.as_str()), ("before", last.as_str())]))
    });
    let items = acts
        .iter()
        .map(|a| {
            let (summary, detail) = summary(tr, a);
            TimelineItem {
                label: if leadline_core::activity::KNOWN_TYPES.contains(&a.kind.as_str()) {
                    tr.t(&format!("activity-{}", a.kind))
                } else {
                    a.kind.clone()
                },
                kind: a.kind.clone(),
                when: tr.datetime(a.occurred_at),
                summary,
                detail,
                who: a.actor_id.as_deref().map(|id| user_name(users, id)),
            }
        })
        .collect();
    let kinds = leadline_core::activity::KNOWN_TYPES
        .iter()
        .map(|k| Choice { value: (*k).into(), label: tr.t(&format!("activity-{k}")), selected: *k == kind })
        .collect();
    Ok(TimelineView { items, kinds, older_href })
}

pub struct HistoryItem {
    pub field: String,
    pub from: String,
    pub to: String,
    pub when: String,
    pub cause: String,
    pub who: Option<String>,
}

/// Tracked changes (stage, status, owner) of a record, newest first.
pub async fn history(s: &AppState, tr: &Tr, id: &str, users: &[User]) -> Result<Vec<HistoryItem>, ApiError> {
    let value = |field: &str, v: Option<&str>| match (field, v) {
        (_, None) => "—".to_owned(),
        ("lifecycle_stage", Some(v)) => tr.t(&format!("stage-{v}")),
        ("lead_status", Some(v)) => tr.t(&format!("lead-status-{v}")),
        ("owner_id", Some(v)) => user_name(users, v),
        (_, Some(v)) => v.to_owned(),
    };
    let mut changes = s.store.history(id).await?;
    changes.reverse();
    Ok(changes
        .into_iter()
        .map(|c| HistoryItem {
            field: column_label(tr, &c.field),
            from: value(&c.field, c.from.as_deref()),
            to: value(&c.field, c.to.as_deref()),
            when: tr.datetime(c.at),
            cause: tr.t(&format!("cause-{}", c.cause)),
            who: c.actor_id.as_deref().map(|a| user_name(users, a)),
        })
        .collect())
}

pub struct TaskItem {
    pub id: String,
    pub title: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub done: bool,
    pub assignee: Option<String>,
    pub about: Option<(String, String)>,
}

/// A task as lists show it; `contact` is the name of the person it is about (the link reads
/// it), when known.
pub fn task_item(tr: &Tr, t: &leadline_store::Task, users: &[User], contact: Option<String>) -> TaskItem {
    let now = crate::now();
    TaskItem {
        id: t.id.clone(),
        title: t.title.clone(),
        due: t.due_at.map(|d| tr.datetime(d)),
        overdue: t.done_at.is_none() && t.due_at.is_some_and(|d| d < now),
        done: t.done_at.is_some(),
        assignee: t.assignee_id.as_deref().map(|a| user_name(users, a)),
        about: t
            .contact_id
            .as_ref()
            .map(|c| (format!("/contacts/{c}"), contact.unwrap_or_else(|| tr.t("task-open-contact")))),
    }
}

/// Tick a task off (or back on).
pub async fn task_done(State(s): State<AppState>, Path(id): Path<String>, form: Posted) -> PageResult {
    form.viewer.require(Action::Write)?;
    let done = form.fields.get("done") == Some("true");
    let actor = leadline_store::Actor::new(
        Some(form.viewer.user().id.as_str()),
        leadline_core::lifecycle::ChangeCause::Manual,
        crate::now(),
    );
    s.store.update_task(&id, &TaskChanges { done: Some(done), ..Default::default() }, actor).await?;
    Ok(back_to(form.fields.get("next"), "/"))
}

// ---------------------------------------------------------------------------------------------
// Dashboard and search

pub struct StageCount {
    pub label: String,
    pub count: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    p: Shell,
    stages: Vec<StageCount>,
    total: i64,
    tasks: Vec<TaskItem>,
    recent: Vec<(String, String, String)>,
    counted_at: String,
    numbers: super::reports::Numbers,
}

pub async fn dashboard(State(s): State<AppState>, v: Viewer, uri: axum::http::Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let numbers = super::reports::numbers(&s, &tr, &uri).await?;
    let users = s.store.users().await?;
    let recent = s.store.list(ObjectKind::Contact, &ListQuery::newest(ObjectKind::Contact, 8)).await?;
    let (counted_at, counts) =
        if recent.items.is_empty() { (crate::now(), Vec::new()) } else { s.funnel.get(s.store.as_ref()).await? };
    let total = counts.iter().map(|(_, n)| n).sum();
    let stages = LifecycleStage::ALL
        .iter()
        .map(|st| {
            let n = counts.iter().find(|(v, _)| v.as_deref() == Some(st.as_str())).map_or(0, |(_, n)| *n);
            StageCount {
                label: tr.t(&format!("stage-{}", st.as_str())),
                count: tr.num(n),
                href: format!("/contacts?lifecycle_stage={}", st.as_str()),
            }
        })
        .collect();
    let mut tasks = Vec::new();
    let mine = TaskQuery { assignee_id: Some(v.user().id.clone()), open_only: true, limit: 10, ..Default::default() };
    for t in s.store.tasks(&mine).await?.items {
        // Ten at most: each link reads the person's name.
        let name = match &t.contact_id {
            Some(c) => s.store.get(ObjectKind::Contact, c).await.ok().map(|r| title(&r)),
            None => None,
        };
        tasks.push(task_item(&tr, &t, &users, name));
    }
    let recent =
        recent.items.iter().map(|r| (format!("/contacts/{}", r.id), title(r), tr.datetime(r.created_at()))).collect();
    let counted_at = tr.datetime(counted_at);
    Ok(render(&Dashboard { p: v.shell("/", tr.t("nav-dashboard")), stages, total, tasks, recent, counted_at, numbers }))
}

pub struct Hit {
    pub href: String,
    pub title: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    p: Shell,
    q: String,
    groups: Vec<(String, Vec<Hit>, String)>,
}

/// Everything matching the header's search box. `?format=json` answers the as-you-type box.
pub async fn search(State(s): State<AppState>, v: Viewer, uri: Uri) -> PageResult {
    v.require(Action::Read)?;
    let tr = Tr { locale: v.locale };
    let pairs = crate::api::query_pairs(&uri)?;
    let q = pairs.iter().find(|(k, _)| k == "q").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let json = pairs.iter().any(|(k, v)| k == "format" && v == "json");
    let limit = if json { 5 } else { 20 };
    let mut groups = Vec::new();
    if !q.is_empty() {
        for object in [ObjectKind::Contact, ObjectKind::Company, ObjectKind::Deal] {
            let query = ListQuery { search: Some(q.clone()), ..ListQuery::newest(object, limit) };
            let found = s.store.list(object, &query).await?;
            let hits: Vec<Hit> = found
                .items
                .iter()
                .map(|r| Hit {
                    href: format!("{}/{}", base(r.object), r.id),
                    title: title(r),
                    detail: match r.object {
                        ObjectKind::Contact => [r.emails.first().map(String::as_str), r.text("company_name")]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · "),
                        ObjectKind::Company => r.text("domain").unwrap_or_default().to_owned(),
                        ObjectKind::Deal => r
                            .get("amount")
                            .map(|_| show(&tr, r, record::field(ObjectKind::Deal, "amount").expect("amount"), &[]))
                            .unwrap_or_default(),
                    },
                })
                .collect();
            let more = format!("{}?q={}", base(object), urlencode(&q));
            groups.push((tr.t(&format!("nav-{}", object.plural())), hits, more));
        }
    }
    if json {
        let out: Vec<Value> = groups
            .iter()
            .map(|(label, hits, more)| {
                serde_json::json!({
                    "label": label,
                    "more": more,
                    "hits": hits.iter().map(|h| serde_json::json!({"href": h.href, "title": h.title, "detail": h.detail})).collect::<Vec<_>>(),
                })
            })
            .collect();
        return Ok(axum::Json(out).into_response());
    }
    Ok(render(&SearchPage { p: v.shell("", tr.t1("search-title", "q", &q)), q, groups }))
}
