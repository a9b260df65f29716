//! Reading, listing and writing contacts, companies and deals through their `FieldSpec` tables,
//! plus companies and deals themselves. Contacts' own writes are in `contacts.rs`.

use std::collections::{BTreeMap, HashMap, HashSet};

use leadline_core::contact::{Consent, ConsentChannel, FieldChanges};
use leadline_core::property::PropValue;
use leadline_core::record::{self, FieldKind, FieldSpec, ObjectKind, Scalar};
use sqlx::Database;

use super::search::Search;
use super::{int, json_map, query, query_count, req_int, req_text, sql, text, Db, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    Actor, CompanyUpsert, Filter, FilterOp, FilterTarget, ListQuery, Page, Record, Sort, UpsertKind, UpsertOutcome,
};
use crate::sql::{decode_cursor, encode_cursor, new_id, Arg, Sql};

pub(super) type Conn = <Db as Database>::Connection;

pub(super) fn table(object: ObjectKind) -> &'static str {
    match object {
        ObjectKind::Contact => "contacts",
        ObjectKind::Company => "companies",
        ObjectKind::Deal => "deals",
    }
}

/// Fields whose every change is kept in `field_history`.
/// The statements that delete the records whose id is `ids` (`= $1`, `IN (...)`), and what
/// hangs on them: a contact's identities, links, activities and tasks, the possible duplicates
/// it formed, and records merged into it; a company's or deal's links.
pub(super) fn delete_statements(object: ObjectKind, ids: &str) -> Vec<String> {
    let mut statements = vec![format!("DELETE FROM field_history WHERE object_id {ids}")];
    let object_statements: &[&str] = match object {
        ObjectKind::Contact => &[
            "DELETE FROM contact_identities WHERE contact_id {ids}",
            "DELETE FROM contact_companies WHERE contact_id {ids}",
            "DELETE FROM deal_contacts WHERE contact_id {ids}",
            "DELETE FROM activities WHERE contact_id {ids}",
            "DELETE FROM tasks WHERE contact_id {ids}",
            "DELETE FROM contact_state WHERE contact_id {ids}",
            "DELETE FROM contact_scores WHERE contact_id {ids}",
            "DELETE FROM segment_members WHERE contact_id {ids}",
            // The pairs it (or a contact merged into it) formed have nothing left to decide.
            "DELETE FROM duplicate_candidates WHERE contact_a {ids} OR contact_b {ids} \
             OR contact_a IN (SELECT id FROM contacts WHERE merged_into {ids}) \
             OR contact_b IN (SELECT id FROM contacts WHERE merged_into {ids})",
            "DELETE FROM contacts WHERE merged_into {ids}",
            "DELETE FROM contacts WHERE id {ids}",
        ],
        ObjectKind::Company => &[
            // Before the links go: they find the company's contacts.
            "UPDATE contacts SET company_id = NULL WHERE company_id {ids} AND id IN \
             (SELECT contact_id FROM contact_companies WHERE company_id {ids})",
            "DELETE FROM contact_companies WHERE company_id {ids}",
            "UPDATE deals SET company_id = NULL WHERE company_id {ids}",
            "UPDATE activities SET company_id = NULL WHERE company_id {ids}",
            "DELETE FROM companies WHERE merged_into {ids}",
            "DELETE FROM companies WHERE id {ids}",
        ],
        ObjectKind::Deal => &[
            "DELETE FROM deal_contacts WHERE deal_id {ids}",
            "UPDATE activities SET deal_id = NULL WHERE deal_id {ids}",
            "DELETE FROM deals WHERE id {ids}",
        ],
    };
    statements.extend(object_statements.iter().map(|s| s.replace("{ids}", ids)));
    statements
}

pub(super) fn tracked(object: ObjectKind, field: &str) -> bool {
    match object {
        ObjectKind::Contact => matches!(field, "lifecycle_stage" | "lead_status" | "owner_id"),
        ObjectKind::Company => matches!(field, "owner_id" | "tier"),
        ObjectKind::Deal => matches!(field, "stage" | "status" | "owner_id"),
    }
}

fn columns(object: ObjectKind) -> String {
    let mut cols = String::from("id, merged_into, properties");
    for f in record::fields(object) {
        cols.push_str(", ");
        cols.push_str(f.name);
    }
    // What lives outside the row comes along as a JSON array: one statement reads a record
    // whole (a second round trip per list page cost more than the subquery).
    let linked = super::super::json_array_of;
    match object {
        ObjectKind::Contact => {
            cols.push_str(", tags, consent, ");
            cols.push_str(&linked("key", "contact_identities", "contact_id = contacts.id", "position"));
            cols.push_str(" AS linked, (SELECT scores FROM contact_state WHERE contact_id = contacts.id) AS scores");
        }
        ObjectKind::Company => cols.push_str(", external_ids"),
        ObjectKind::Deal => {
            cols.push_str(", ");
            cols.push_str(&linked("contact_id", "deal_contacts", "deal_id = deals.id", "contact_id"));
            cols.push_str(" AS linked");
        }
    }
    cols
}

fn record_of(object: ObjectKind, row: &DbRow) -> StoreResult<Record> {
    let mut fields = Vec::with_capacity(record::fields(object).len());
    for f in record::fields(object) {
        let v =
            if f.kind.is_integer() { int(row, f.name)?.map(Scalar::Int) } else { text(row, f.name)?.map(Scalar::Text) };
        fields.push((f, v));
    }
    let mut r = Record {
        id: req_text(row, "id")?,
        object,
        fields,
        properties: json_map(row, "properties")?,
        emails: Vec::new(),
        phones: Vec::new(),
        external_ids: Vec::new(),
        tags: Vec::new(),
        consent: Vec::new(),
        contact_ids: Vec::new(),
        scores: Vec::new(),
    };
    match object {
        ObjectKind::Contact => {
            r.tags = serde_json::from_str(&req_text(row, "tags")?)?;
            r.consent = consent_from_json(&req_text(row, "consent")?)?;
            let keys: Vec<String> = serde_json::from_str(&req_text(row, "linked")?)?;
            for key in keys {
                match leadline_core::contact::Identity::from_key(&key) {
                    Some(leadline_core::contact::Identity::Email(e)) => r.emails.push(e),
                    Some(leadline_core::contact::Identity::Phone(p)) => r.phones.push(p),
                    Some(leadline_core::contact::Identity::External(s, id)) => r.external_ids.push((s, id)),
                    None => return Err(StoreError::Corrupt(format!("identity key {key}"))),
                }
            }
            if let Some(scores) = text(row, "scores")? {
                r.scores = serde_json::from_str(&scores)?;
            }
        }
        ObjectKind::Company => {
            let ids: Vec<(String, String)> = serde_json::from_str(&req_text(row, "external_ids")?)?;
            r.external_ids = ids;
        }
        ObjectKind::Deal => r.contact_ids = serde_json::from_str(&req_text(row, "linked")?)?,
    }
    Ok(r)
}

pub(super) fn consent_to_json(consent: &[Consent]) -> String {
    let v: Vec<serde_json::Value> = consent
        .iter()
        .map(|c| serde_json::json!({"channel": c.channel.as_str(), "granted": c.granted, "at": c.at, "origin": c.origin}))
        .collect();
    serde_json::Value::Array(v).to_string()
}

fn consent_from_json(s: &str) -> StoreResult<Vec<Consent>> {
    let v: Vec<serde_json::Value> = serde_json::from_str(s)?;
    v.iter()
        .map(|c| {
            Ok(Consent {
                channel: c["channel"]
                    .as_str()
                    .and_then(ConsentChannel::parse)
                    .ok_or_else(|| StoreError::Corrupt("consent channel".into()))?,
                granted: c["granted"].as_bool().unwrap_or(false),
                at: c["at"].as_i64().unwrap_or_default(),
                origin: c["origin"].as_str().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

pub(super) fn prop_json(v: &PropValue) -> serde_json::Value {
    match v {
        PropValue::Text(s) | PropValue::Date(s) | PropValue::Enum(s) => s.clone().into(),
        PropValue::Number(n) => serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into),
        PropValue::Bool(b) => (*b).into(),
        PropValue::MultiEnum(v) => v.clone().into(),
    }
}

/// Load records by id (merged ones included), with their identities and links.
pub(super) async fn load(conn: &mut Conn, object: ObjectKind, ids: &[String]) -> StoreResult<Vec<Record>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = sql(&format!("SELECT {} FROM {} WHERE id", columns(object), table(object)));
    sql.in_texts(super::MANY, ids.iter().map(String::as_str));
    let rows = query(&sql).fetch_all(&mut *conn).await?;
    let mut by_id: HashMap<String, Record> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let r = record_of(object, row)?;
        by_id.insert(r.id.clone(), r);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The live records `ids` name, each once, in the order of `ids` (see `RecordStore::get_many`).
pub(super) async fn get_many(conn: &mut Conn, object: ObjectKind, ids: &[String]) -> StoreResult<Vec<Record>> {
    let asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    let live = live_ids(conn, object, &asked).await?;
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> =
        ids.iter().filter_map(|id| live.get(id)).filter(|id| seen.insert(id.as_str())).cloned().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::chunk_size(2)) {
        out.extend(load(conn, object, chunk).await?);
    }
    Ok(out)
}

/// The id of the live record an id names, following merges.
pub(super) async fn live_id(conn: &mut Conn, object: ObjectKind, id: &str) -> StoreResult<String> {
    let mut id = id.to_owned();
    for _ in 0..16 {
        let merged: Option<Option<String>> =
            sqlx::query_scalar(&format!("SELECT merged_into FROM {} WHERE id = $1", table(object)))
                .bind(&id)
                .fetch_optional(&mut *conn)
                .await?;
        match merged {
            None => return Err(StoreError::not_found(object.as_str(), id)),
            Some(Some(survivor)) => id = survivor,
            Some(None) => return Ok(id),
        }
    }
    Err(StoreError::Corrupt(format!("merge chain of {id} does not end")))
}

/// The live id each of `ids` names (itself, or the survivor of its merges); ids that name no
/// record are left out.
pub(super) async fn live_ids(
    conn: &mut Conn,
    object: ObjectKind,
    ids: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let mut live = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(super::chunk_size(1)) {
        let mut q = sql(&format!("SELECT id, merged_into FROM {} WHERE id", table(object)));
        q.in_texts(super::MANY, chunk.iter().copied());
        for row in query(&q).fetch_all(&mut *conn).await? {
            let id = req_text(&row, "id")?;
            let to = match text(&row, "merged_into")? {
                // Merges are few: their survivors are followed one at a time.
                Some(survivor) => live_id(conn, object, &survivor).await?,
                None => id.clone(),
            };
            live.insert(id, to);
        }
    }
    Ok(live)
}

/// The live record an id names, following merges.
pub(super) async fn get(conn: &mut Conn, object: ObjectKind, id: &str) -> StoreResult<Record> {
    // The common case, a record that was never merged, is one read of its row.
    let mut q = sql(&format!("SELECT {} FROM {} WHERE id = ", columns(object), table(object)));
    q.arg(id);
    let row = query(&q).fetch_optional(&mut *conn).await?.ok_or_else(|| StoreError::not_found(object.as_str(), id))?;
    if let Some(survivor) = text(&row, "merged_into")? {
        let live = live_id(conn, object, &survivor).await?;
        return load(conn, object, std::slice::from_ref(&live))
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(object.as_str(), live));
    }
    record_of(object, &row)
}

/// The ORDER BY expression of a sort; nullable columns sort as their lowest value, and so do
/// contacts without a score.
fn sort_expr(sort: &Sort) -> StoreResult<String> {
    Ok(match sort {
        Sort::Field(spec) => match (always_set(spec), spec.kind.is_integer()) {
            (true, _) => spec.name.to_owned(),
            (false, true) => format!("COALESCE({}, -1)", spec.name),
            (false, false) => format!("COALESCE({}, '')", spec.name),
        },
        Sort::Score(model) => format!(
            "COALESCE((SELECT score FROM contact_scores WHERE contact_id = contacts.id AND model = '{}'), -1000000)",
            model_key(model)?
        ),
    })
}

/// Whether a field is never empty: the times Leadline sets on every record.
fn always_set(spec: &FieldSpec) -> bool {
    matches!(spec.name, "created_at" | "updated_at")
}

/// A score model's key, written into a statement: checked to be a plain name.
fn model_key(model: &str) -> StoreResult<&str> {
    match leadline_core::score::is_model_key(model) {
        true => Ok(model),
        false => Err(StoreError::Invalid(leadline_core::FieldError::new(
            "score",
            "invalid_score_model",
            format!("{model:?} is not a score model's key"),
        ))),
    }
}

/// Whether a filter names a handful of records through a link or identity table, where the
/// query had best start (the other filters and the sort are then `unindexed`).
fn narrows(object: ObjectKind, f: &Filter) -> bool {
    match &f.target {
        FilterTarget::Email | FilterTarget::LinkedTo(_) | FilterTarget::Segment => true,
        FilterTarget::Field(spec) => is_contacts_company(object, spec) && matches!(f.op, FilterOp::Eq | FilterOp::In),
        FilterTarget::Property(_) | FilterTarget::Tag | FilterTarget::Score(_) => false,
    }
}

/// A contact's primary company, which has no index of its own: it is always among the
/// contact's links, and `contact_companies` finds a company's contacts.
fn is_contacts_company(object: ObjectKind, spec: &FieldSpec) -> bool {
    object == ObjectKind::Contact && spec.name == "company_id"
}

/// `f` as a condition. `unindexed` hides its column from the planner: another filter narrows
/// the query more.
fn filter_sql(sql: &mut Sql, object: ObjectKind, f: &Filter, unindexed: bool) -> StoreResult<()> {
    let bad = |msg: &str| StoreError::Invalid(leadline_core::FieldError::new("filter", "invalid_filter", msg));
    let first = || f.value.first().cloned().ok_or_else(|| bad("the filter needs a value"));
    if f.value.len() > crate::model::MAX_IN_VALUES {
        return Err(bad(&format!("a filter takes at most {} values", crate::model::MAX_IN_VALUES)));
    }
    let text_value = |what: &str| match f.value.first() {
        Some(Scalar::Text(t)) => Ok(t.clone()),
        _ => Err(bad(&format!("{what} filters need text"))),
    };
    // The compared expression; a custom property binds its key each time it appears.
    let column = |sql: &mut Sql| -> String {
        match &f.target {
            FilterTarget::Property(name) => {
                let key = sql.bind(name.as_str());
                super::super::json_text("properties", &key)
            }
            FilterTarget::Field(spec) if unindexed => super::super::unindexed(spec.name),
            FilterTarget::Field(spec) => spec.name.to_owned(),
            _ => String::new(),
        }
    };
    match &f.target {
        // `narrows` holds of a field only for a contact's company, compared with eq or in.
        // The same test on the link table first, for the contacts to be found from its index;
        // the column's own test follows below.
        FilterTarget::Field(_) if narrows(object, f) => {
            first()?;
            let values = f.value.iter().take(if f.op == FilterOp::Eq { 1 } else { usize::MAX });
            sql.push("id IN (SELECT contact_id FROM contact_companies WHERE company_id IN (")
                .list(values)
                .push(")) AND ");
        }
        FilterTarget::Field(_) => {}
        FilterTarget::Property(_) => {
            let text_ops =
                [FilterOp::Eq, FilterOp::Ne, FilterOp::In, FilterOp::Prefix, FilterOp::Empty, FilterOp::NotEmpty];
            if !text_ops.contains(&f.op) {
                return Err(bad("custom properties filter with eq, ne, in, prefix, empty and not_empty"));
            }
        }
        FilterTarget::Email => {
            let e = text_value("email")?;
            sql.push("id IN (SELECT contact_id FROM contact_identities WHERE key = ")
                .arg(format!("email:{e}"))
                .push(")");
            return Ok(());
        }
        FilterTarget::Score(model) => {
            let op = match f.op {
                FilterOp::Eq => "=",
                FilterOp::Lt => "<",
                FilterOp::Lte => "<=",
                FilterOp::Gt => ">",
                FilterOp::Gte => ">=",
                _ => return Err(bad("scores filter with eq, lt, lte, gt and gte")),
            };
            let Scalar::Int(n) = first()? else { return Err(bad("scores filter with a whole number")) };
            sql.push("id IN (SELECT contact_id FROM contact_scores WHERE model = ")
                .arg(model_key(model)?)
                .push(&format!(" AND score {op} "))
                .arg(n)
                .push(")");
            return Ok(());
        }
        FilterTarget::Segment => {
            sql.push("id IN (SELECT contact_id FROM segment_members WHERE segment_id = ").arg(text_value("segment")?);
            sql.push(")");
            return Ok(());
        }
        FilterTarget::Tag => {
            let placeholder = sql.bind(text_value("tag")?);
            sql.push(&super::super::json_array_has("tags", &placeholder));
            return Ok(());
        }
        FilterTarget::LinkedTo(other) => {
            let link = match (object, other) {
                (ObjectKind::Contact, ObjectKind::Company) => {
                    "id IN (SELECT contact_id FROM contact_companies WHERE company_id = "
                }
                (ObjectKind::Deal, ObjectKind::Contact) => {
                    "id IN (SELECT deal_id FROM deal_contacts WHERE contact_id = "
                }
                (ObjectKind::Contact, ObjectKind::Deal) => {
                    "id IN (SELECT contact_id FROM deal_contacts WHERE deal_id = "
                }
                _ => return Err(bad("no such link")),
            };
            sql.push(link).arg(&first()?).push(")");
            return Ok(());
        }
    }
    let compare = |sql: &mut Sql, op: &str| -> StoreResult<()> {
        let c = column(sql);
        sql.push(&format!("{c} {op} ")).arg(&first()?);
        Ok(())
    };
    match f.op {
        FilterOp::Eq => compare(sql, "=")?,
        FilterOp::Lt => compare(sql, "<")?,
        FilterOp::Lte => compare(sql, "<=")?,
        FilterOp::Gt => compare(sql, ">")?,
        FilterOp::Gte => compare(sql, ">=")?,
        FilterOp::Ne => {
            let c = column(sql);
            sql.push(&format!("({c} IS NULL OR "));
            compare(sql, "<>")?;
            sql.push(")");
        }
        FilterOp::Prefix => {
            let Scalar::Text(p) = first()? else { return Err(bad("prefix filters need text")) };
            let c = column(sql);
            sql.push(&format!("substr({c}, 1, CAST(")).arg(p.chars().count() as i64).push(" AS INTEGER)) = ").arg(p);
        }
        FilterOp::In => {
            let c = column(sql);
            sql.push(&format!("{c} IN (")).list(f.value.iter()).push(")");
        }
        FilterOp::Empty => {
            let c = column(sql);
            sql.push(&format!("{c} IS NULL"));
        }
        FilterOp::NotEmpty => {
            let c = column(sql);
            sql.push(&format!("{c} IS NOT NULL"));
        }
    }
    Ok(())
}

/// `WHERE` for live records matching the filters and the search.
pub(super) fn where_sql(
    sql: &mut Sql,
    object: ObjectKind,
    filters: &[Filter],
    search: Option<&Search>,
) -> StoreResult<()> {
    sql.push(" WHERE merged_into IS NULL");
    let narrowed = narrowed(object, filters, search);
    for f in filters {
        sql.push(" AND ");
        filter_sql(sql, object, f, narrowed && !narrows(object, f))?;
    }
    if let Some(search) = search {
        search.push_where(sql);
    }
    Ok(())
}

/// Whether the query starts from a few records (a narrowing filter, or a search that starts
/// from its index), so that the sort and the other filters must not tempt the planner into
/// walking their indexes and testing every row instead.
fn narrowed(object: ObjectKind, filters: &[Filter], search: Option<&Search>) -> bool {
    search.is_some_and(Search::starts_from_index) || filters.iter().any(|f| narrows(object, f))
}

pub(super) async fn list(conn: &mut Conn, object: ObjectKind, q: &ListQuery) -> StoreResult<Page<Record>> {
    let search = match &q.search {
        Some(text) => Search::planned(conn, object, text).await?,
        None => None,
    };
    if matches!(q.sort, Sort::Score(_)) && object != ObjectKind::Contact {
        return Err(StoreError::Invalid(leadline_core::FieldError::new(
            "sort",
            "invalid_sort",
            "only contacts have scores",
        )));
    }
    let expr = if search.as_ref().is_some_and(Search::starts_from_index) {
        super::super::opaque_sort(&sort_expr(&q.sort)?, q.sort.is_integer())
    } else if narrowed(object, &q.filters, search.as_ref()) {
        super::super::unindexed(&sort_expr(&q.sort)?)
    } else {
        sort_expr(&q.sort)?
    };
    let sort_name = q.sort.name();
    // The page's whole rows in one read, with the sort value for the cursor.
    let mut sql = sql(&format!("SELECT {}, {expr} AS sort_value FROM {}", columns(object), table(object)));
    where_sql(&mut sql, object, &q.filters, search.as_ref())?;
    let (cmp, dir) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(cursor) = &q.after {
        let (value, id) = decode_cursor(&sort_name, cursor).ok_or_else(|| {
            StoreError::Invalid(leadline_core::FieldError::new(
                "cursor",
                "invalid_cursor",
                "the cursor is not one this list gave out",
            ))
        })?;
        let value = value.unwrap_or(if q.sort.is_integer() { Scalar::Int(-1) } else { Scalar::Text(String::new()) });
        sql.push(&format!(" AND ({expr} {cmp} ")).arg(&value).push(&format!(" OR ({expr} = ")).arg(&value);
        sql.push(&format!(" AND id {cmp} ")).arg(id).push("))");
    }
    sql.push(&format!(" ORDER BY {expr} {dir}, id {dir} LIMIT ")).arg(i64::from(q.limit) + 1);
    let rows = query(&sql).fetch_all(&mut *conn).await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut last_sort_value = None;
    for row in rows.iter().take(q.limit as usize) {
        items.push(record_of(object, row)?);
        last_sort_value = if q.sort.is_integer() {
            int(row, "sort_value")?.map(Scalar::Int)
        } else {
            text(row, "sort_value")?.map(Scalar::Text)
        };
    }
    let next = match (rows.len() > q.limit as usize, items.last()) {
        (true, Some(last)) => Some(encode_cursor(&sort_name, last_sort_value.as_ref(), &last.id)),
        _ => None,
    };
    Ok(Page { items, next })
}

pub(super) async fn count(
    conn: &mut Conn,
    object: ObjectKind,
    filters: &[Filter],
    search: Option<&str>,
) -> StoreResult<i64> {
    let mut sql = sql(&format!("SELECT COUNT(*) FROM {}", table(object)));
    let search = search.and_then(|q| Search::unplanned(object, q));
    where_sql(&mut sql, object, filters, search.as_ref())?;
    Ok(query_count(&sql).fetch_one(&mut *conn).await?)
}

/// How many records match, counted up to `cap + 1` at most: a list page's total, exact for
/// the lists people page through and bounded work for the ones of a million.
pub(super) async fn count_upto(
    conn: &mut Conn,
    object: ObjectKind,
    filters: &[Filter],
    search: Option<&str>,
    cap: u32,
) -> StoreResult<i64> {
    let mut sql = sql(&format!("SELECT COUNT(*) FROM (SELECT 1 FROM {}", table(object)));
    let search = search.and_then(|q| Search::unplanned(object, q));
    where_sql(&mut sql, object, filters, search.as_ref())?;
    sql.push(" LIMIT ").arg(i64::from(cap) + 1).push(") AS capped");
    Ok(query_count(&sql).fetch_one(&mut *conn).await?)
}

pub(super) async fn count_by(
    conn: &mut Conn,
    object: ObjectKind,
    field: &'static FieldSpec,
) -> StoreResult<Vec<(Option<String>, i64)>> {
    if field.kind.is_integer() || leadline_core::record::field(object, field.name) != Some(field) {
        let msg = format!("{} is not a text field of a {}", field.name, object.as_str());
        return Err(StoreError::Invalid(leadline_core::FieldError::new("field", "invalid_field", msg)));
    }
    let text = format!(
        "SELECT {f}, COUNT(*) FROM {t} WHERE merged_into IS NULL GROUP BY {f} ORDER BY {f}",
        f = field.name,
        t = table(object)
    );
    Ok(sqlx::query_as::<_, (Option<String>, i64)>(&text).fetch_all(&mut *conn).await?)
}

/// Check that the users and companies a write points at exist.
pub(super) async fn check_refs(conn: &mut Conn, changes: &FieldChanges) -> StoreResult<()> {
    for (spec, value) in &changes.fields {
        let Some(Scalar::Text(id)) = value else {
            continue;
        };
        let (sql, what) = match spec.kind {
            FieldKind::UserId => ("SELECT COUNT(*) FROM users WHERE id = $1", "user"),
            FieldKind::CompanyId => ("SELECT COUNT(*) FROM companies WHERE id = $1 AND merged_into IS NULL", "company"),
            _ => continue,
        };
        let n: i64 = sqlx::query_scalar(sql).bind(id).fetch_one(&mut *conn).await?;
        if n == 0 {
            return Err(StoreError::Invalid(leadline_core::FieldError::new(
                spec.name,
                "unknown_reference",
                format!("there is no {what} {id}"),
            )));
        }
    }
    Ok(())
}

/// Insert a new record row from its changes plus extra columns (tags, consent, ...).
pub(super) async fn insert(
    conn: &mut Conn,
    object: ObjectKind,
    id: &str,
    changes: &FieldChanges,
    extra: Vec<(&str, Arg)>,
    actor: Actor<'_>,
) -> StoreResult<()> {
    let props = apply_properties(serde_json::Map::new(), changes);
    let mut cols = vec!["id", "properties", "created_at", "updated_at"];
    let mut args: Vec<Arg> =
        vec![id.into(), serde_json::Value::Object(props).to_string().into(), actor.now.into(), actor.now.into()];
    for (spec, value) in &changes.fields {
        cols.push(spec.name);
        args.push(scalar_arg(spec, value.as_ref()));
    }
    if object == ObjectKind::Deal && matches!(changes.get("status"), Some(Some(Scalar::Text(s))) if s != "open") {
        cols.push("closed_at");
        args.push(actor.now.into());
    }
    if object == ObjectKind::Deal {
        cols.push("stage_entered_at");
        args.push(actor.now.into());
    }
    for (c, a) in extra {
        cols.push(c);
        args.push(a);
    }
    let mut sql = sql(&format!("INSERT INTO {} ({}) VALUES (", table(object), cols.join(", ")));
    sql.list(args).push(")");
    query(&sql).execute(&mut *conn).await?;
    super::execute_all(
        conn,
        history_statements(object, created_history(object, id, changes), actor)
            .chain(super::undo::journal(actor, object, vec![(id.to_owned(), None)]))
            .chain(marks(object, id)),
    )
    .await
}

/// The engine's marks for a changed record: the contact itself, or a company's or deal's contacts.
fn marks(object: ObjectKind, id: &str) -> Vec<Sql> {
    match object {
        ObjectKind::Contact => super::state::mark([id.to_owned()]).collect(),
        _ => super::state::mark_linked(object, id).into_iter().collect(),
    }
}

/// A new record for [`insert_statements`]: its id, its fields, and the values of the extra
/// columns the call names, in that order.
pub(super) struct NewRow<'a> {
    pub id: String,
    pub changes: &'a FieldChanges,
    pub extra: Vec<Arg>,
    /// When the record was first known, when not now (an import's "Create Date").
    pub created_at: Option<i64>,
}

/// The multi-row statements that insert many records, each built only when pulled, for
/// [`execute_all`](super::execute_all) to build one while the database runs the one before.
/// The records' history is [`created_history`]'s, written with [`history_statements`].
pub(super) fn insert_statements<'a>(
    object: ObjectKind,
    extra_columns: &[&'static str],
    rows: impl Iterator<Item = NewRow<'a>> + 'a,
    now: i64,
) -> impl Iterator<Item = Sql> + 'a {
    let writable: Vec<&'static FieldSpec> = record::fields(object).iter().filter(|f| !f.system).collect();
    let mut cols = vec!["id", "properties", "created_at", "updated_at"];
    cols.extend(writable.iter().map(|f| f.name));
    cols.extend(extra_columns);
    let head = format!("INSERT INTO {} ({}) ", table(object), cols.join(", "));
    super::chunked(rows, super::chunk_size(cols.len())).map(move |chunk| {
        let rows = chunk
            .into_iter()
            .map(|row| {
                let mut values = Vec::with_capacity(cols.len());
                let props = apply_properties(serde_json::Map::new(), row.changes);
                values.extend([
                    Arg::from(row.id),
                    serde_json::Value::Object(props).to_string().into(),
                    row.created_at.unwrap_or(now).into(),
                    now.into(),
                ]);
                values.extend(writable.iter().map(|f| scalar_arg(f, row.changes.get(f.name).and_then(Option::as_ref))));
                values.extend(row.extra);
                values
            })
            .collect();
        super::sql_rows(&head, rows)
    })
}

/// The history of a record created with `changes`: every tracked field it was given.
pub(super) fn created_history<'a>(
    object: ObjectKind,
    id: &'a str,
    changes: &'a FieldChanges,
) -> impl Iterator<Item = HistoryRow> + 'a {
    changes
        .fields
        .iter()
        .filter(move |(spec, v)| tracked(object, spec.name) && v.is_some())
        .map(move |(spec, v)| (id.to_owned(), spec.name.to_owned(), None, v.as_ref().map(ToString::to_string)))
}

fn scalar_arg(spec: &FieldSpec, value: Option<&Scalar>) -> Arg {
    match (spec.kind.is_integer(), value) {
        (_, Some(s)) => s.into(),
        (true, None) => Arg::Int(None),
        (false, None) => Arg::Text(None),
    }
}

pub(super) fn apply_properties(
    mut props: serde_json::Map<String, serde_json::Value>,
    changes: &FieldChanges,
) -> serde_json::Map<String, serde_json::Value> {
    for (name, value) in &changes.properties {
        match value {
            Some(v) => props.insert(name.clone(), prop_json(v)),
            None => props.remove(name),
        };
    }
    props
}

/// Apply changes to an existing record; only changed columns are written. Returns whether
/// anything changed.
pub(super) async fn update(
    conn: &mut Conn,
    current: &Record,
    changes: &FieldChanges,
    extra: Vec<(&'static str, Arg)>,
    actor: Actor<'_>,
) -> StoreResult<bool> {
    let Some(RowUpdate { set, history }) = row_update(current, changes, extra, actor.now) else { return Ok(false) };
    let before = actor.job_id.map(|_| (current.id.clone(), Some(super::undo::Before::of(current, &set))));
    super::execute_all(
        conn,
        updates_statements(current.object, vec![(current.id.clone(), set)], actor.now)
            .chain(history_statements(current.object, history.into_iter(), actor))
            .chain(super::undo::journal(actor, current.object, before.into_iter().collect()))
            .chain(marks(current.object, &current.id)),
    )
    .await?;
    Ok(true)
}

/// What writing changes to a record does to its row: the columns that change (besides
/// `updated_at`), and the history that makes.
pub(super) struct RowUpdate {
    pub set: Vec<(&'static str, Arg)>,
    pub history: Vec<HistoryRow>,
}

/// The update `changes` (and the extra columns) make to `current`; `None` when nothing
/// changes. Pure, so a batch can work out all its updates and write them together.
pub(super) fn row_update(
    current: &Record,
    changes: &FieldChanges,
    extra: Vec<(&'static str, Arg)>,
    now: i64,
) -> Option<RowUpdate> {
    let object = current.object;
    let mut set = Vec::new();
    let mut history = Vec::new();
    for (spec, value) in &changes.fields {
        let before = current.get(spec.name);
        if before == value.as_ref() {
            continue;
        }
        set.push((spec.name, scalar_arg(spec, value.as_ref())));
        if tracked(object, spec.name) {
            history.push((
                current.id.clone(),
                spec.name.to_owned(),
                before.map(ToString::to_string),
                value.as_ref().map(ToString::to_string),
            ));
        }
        if object == ObjectKind::Deal && spec.name == "status" {
            let closed = matches!(value, Some(Scalar::Text(s)) if s != "open");
            set.push(("closed_at", Arg::from(closed.then_some(now))));
        }
        if object == ObjectKind::Deal && spec.name == "stage" {
            set.push(("stage_entered_at", Arg::from(now)));
        }
    }
    if !changes.properties.is_empty() {
        let props = apply_properties(current.properties.clone(), changes);
        if props != current.properties {
            set.push(("properties", Arg::from(serde_json::Value::Object(props).to_string())));
        }
    }
    set.extend(extra);
    (!set.is_empty()).then_some(RowUpdate { set, history })
}

/// The statements that write many records' updates ([`row_update`]'s `set`). Records that
/// change the same columns (in an import, nearly all of them) go together, as many per
/// statement as the bind limit allows, through [`values_update`].
pub(super) fn updates_statements(
    object: ObjectKind,
    rows: Vec<(String, Vec<(&'static str, Arg)>)>,
    now: i64,
) -> impl Iterator<Item = Sql> {
    let mut shapes: BTreeMap<Vec<&'static str>, Vec<(String, Vec<Arg>)>> = BTreeMap::new();
    for (id, mut set) in rows {
        set.sort_by_key(|(column, _)| *column);
        let (columns, values): (Vec<&'static str>, Vec<Arg>) = set.into_iter().unzip();
        shapes.entry(columns).or_default().push((id, values));
    }
    shapes.into_iter().flat_map(move |(mut columns, rows)| {
        columns.push("updated_at");
        let rows = rows.into_iter().map(move |(id, mut values)| {
            values.push(now.into());
            (id, values)
        });
        super::chunked(rows, super::chunk_size(columns.len() + 1))
            .map(move |chunk| values_update(object, &columns, chunk, ""))
    })
}

/// One statement that sets `columns` of many records, each to its own values:
/// `WITH v(id, a, b) AS (<rows>) UPDATE t SET a = v.a, b = v.b FROM v WHERE t.id = v.id`,
/// each record found through the id index. `condition` narrows the rows further.
fn values_update(object: ObjectKind, columns: &[&str], rows: Vec<(String, Vec<Arg>)>, condition: &str) -> Sql {
    let table = table(object);
    let rows = rows
        .into_iter()
        .map(|(id, values)| {
            let mut row = Vec::with_capacity(values.len() + 1);
            row.push(Arg::from(id));
            row.extend(values);
            row
        })
        .collect();
    let mut q = super::sql_rows(&format!("WITH v(id, {}) AS (", columns.join(", ")), rows);
    let set: Vec<String> = columns.iter().map(|c| format!("{c} = v.{c}")).collect();
    q.push(&format!(") UPDATE {table} SET {} FROM v WHERE {table}.id = v.id{condition}", set.join(", ")));
    q
}

/// One entry of the field history: record id, field, from, to.
pub(super) type HistoryRow = (String, String, Option<String>, Option<String>);

/// Write history entries with as few statements as the bind limit allows.
pub(super) async fn write_history(
    conn: &mut Conn,
    object: ObjectKind,
    rows: Vec<HistoryRow>,
    actor: Actor<'_>,
) -> StoreResult<()> {
    super::execute_all(conn, history_statements(object, rows.into_iter(), actor)).await
}

/// The statements that write history entries, built as they are pulled.
pub(super) fn history_statements<'a>(
    object: ObjectKind,
    rows: impl Iterator<Item = HistoryRow> + 'a,
    actor: Actor<'a>,
) -> impl Iterator<Item = Sql> + 'a {
    super::chunked(rows, super::chunk_size(8)).map(move |chunk| {
        let rows = chunk
            .into_iter()
            .map(|(id, field, from, to)| {
                vec![
                    Arg::from(object.as_str()),
                    id.into(),
                    field.into(),
                    from.into(),
                    to.into(),
                    actor.now.into(),
                    actor.cause.as_str().into(),
                    actor.user_id.into(),
                ]
            })
            .collect();
        super::sql_rows(
            "INSERT INTO field_history (object, object_id, field, from_value, to_value, at, cause, actor_id) ",
            rows,
        )
    })
}

/// Replace a record's search terms (the backend's index follows its `search_text`).
pub(super) async fn set_terms(conn: &mut Conn, object: ObjectKind, id: &str, terms: &[String]) -> StoreResult<()> {
    super::execute_all(conn, terms_statements(object, &[(id.to_owned(), terms.to_vec())])).await
}

/// The statements that replace the search terms of many records, one per chunk.
pub(super) fn terms_statements<'a>(
    object: ObjectKind,
    items: &'a [(String, Vec<String>)],
) -> impl Iterator<Item = Sql> + 'a {
    let condition = format!(" AND {}.search_text <> v.search_text", table(object));
    items.chunks(super::chunk_size(2)).map(move |chunk| {
        let rows = chunk.iter().map(|(id, terms)| (id.clone(), vec![Arg::from(super::search::text(terms))])).collect();
        values_update(object, &["search_text"], rows, &condition)
    })
}

/// The value of a new row's `search_text` column.
pub(super) fn search_column(terms: &[String]) -> Arg {
    super::search::text(terms).into()
}

fn company_terms(changes_or_record: (Option<&str>, Option<&str>)) -> Vec<String> {
    let (name, domain) = changes_or_record;
    leadline_core::contact::search_terms(name.into_iter().chain(domain), std::iter::empty())
}

fn deal_terms(name: Option<&str>) -> Vec<String> {
    leadline_core::contact::search_terms(name, std::iter::empty())
}

fn text_change<'a>(changes: &'a FieldChanges, current: Option<&'a Record>, name: &str) -> Option<&'a str> {
    match changes.get(name) {
        Some(v) => v.as_ref().and_then(Scalar::as_text),
        None => current.and_then(|r| r.text(name)),
    }
}

async fn domain_owner(conn: &mut Conn, domain: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM companies WHERE domain = $1 AND merged_into IS NULL")
        .bind(domain)
        .fetch_optional(&mut *conn)
        .await?)
}

async fn check_domain_free(conn: &mut Conn, changes: &FieldChanges, me: Option<&str>) -> StoreResult<()> {
    if let Some(Some(Scalar::Text(domain))) = changes.get("domain") {
        if let Some(other) = domain_owner(conn, domain).await? {
            if Some(other.as_str()) != me {
                return Err(StoreError::Conflict {
                    code: "domain_taken",
                    field: Some("domain".into()),
                    message: format!("company {other} already has the domain {domain}"),
                });
            }
        }
    }
    Ok(())
}

async fn check_deal_contacts(conn: &mut Conn, ids: &[String]) -> StoreResult<()> {
    for id in ids {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE id = $1 AND merged_into IS NULL")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if n == 0 {
            return Err(StoreError::Invalid(leadline_core::FieldError::new(
                "contact_ids",
                "unknown_reference",
                format!("there is no contact {id}"),
            )));
        }
    }
    Ok(())
}

async fn set_deal_contacts(conn: &mut Conn, deal_id: &str, ids: &[String]) -> StoreResult<()> {
    // The contacts the deal leaves and those it joins count their deals again.
    super::execute_all(conn, marks(ObjectKind::Deal, deal_id).into_iter().chain(super::state::mark(ids.to_vec())))
        .await?;
    sqlx::query("DELETE FROM deal_contacts WHERE deal_id = $1").bind(deal_id).execute(&mut *conn).await?;
    for id in ids {
        sqlx::query("INSERT INTO deal_contacts (deal_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(deal_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl crate::RecordStore for SqlStore {
    async fn get(&self, object: ObjectKind, id: &str) -> StoreResult<Record> {
        get(&mut *self.reader.acquire().await?, object, id).await
    }

    async fn get_many(&self, object: ObjectKind, ids: &[String]) -> StoreResult<Vec<Record>> {
        get_many(&mut *self.reader.acquire().await?, object, ids).await
    }

    async fn live_ids(&self, object: ObjectKind, ids: &[String]) -> StoreResult<HashMap<String, String>> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        live_ids(&mut *self.reader.acquire().await?, object, &ids).await
    }

    async fn list(&self, object: ObjectKind, q: &ListQuery) -> StoreResult<Page<Record>> {
        list(&mut *self.reader.acquire().await?, object, q).await
    }

    async fn count(&self, object: ObjectKind, filters: &[Filter], search: Option<&str>) -> StoreResult<i64> {
        count(&mut *self.reader.acquire().await?, object, filters, search).await
    }

    async fn count_upto(
        &self,
        object: ObjectKind,
        filters: &[Filter],
        search: Option<&str>,
        cap: u32,
    ) -> StoreResult<i64> {
        count_upto(&mut *self.reader.acquire().await?, object, filters, search, cap).await
    }

    async fn count_by(&self, object: ObjectKind, field: &'static FieldSpec) -> StoreResult<Vec<(Option<String>, i64)>> {
        count_by(&mut *self.reader.acquire().await?, object, field).await
    }

    async fn delete(&self, object: ObjectKind, id: &str, _actor: Actor<'_>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let record = get(&mut tx, object, id).await?;
        let id = record.id.as_str();
        for s in delete_statements(object, "= $1") {
            sqlx::query(&s).bind(id).execute(&mut *tx).await?;
        }
        if object == ObjectKind::Contact {
            super::activities_rewritten(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_contact(
        &self,
        changes: &leadline_core::contact::ContactChanges,
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        self.create_contact_impl(changes, actor).await
    }

    async fn update_contact(
        &self,
        id: &str,
        changes: &leadline_core::contact::ContactChanges,
        options: crate::model::WriteOptions,
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        self.update_contact_impl(id, changes, options, actor).await
    }

    async fn upsert_contacts(
        &self,
        items: Vec<crate::model::ContactUpsert>,
        actor: Actor<'_>,
        dry_run: bool,
    ) -> StoreResult<Vec<StoreResult<UpsertOutcome>>> {
        self.upsert_contacts_impl(items, actor, dry_run).await
    }

    async fn create_company(
        &self,
        changes: &FieldChanges,
        external_ids: &[(String, String)],
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        check_refs(&mut tx, changes).await?;
        check_domain_free(&mut tx, changes, None).await?;
        let id = new_id();
        let terms = company_terms((text_change(changes, None, "name"), text_change(changes, None, "domain")));
        let extra = vec![
            ("external_ids", Arg::from(serde_json::to_string(external_ids)?)),
            ("search_text", search_column(&terms)),
        ];
        insert(&mut tx, ObjectKind::Company, &id, changes, extra, actor).await?;
        let r = get(&mut tx, ObjectKind::Company, &id).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn update_company(
        &self,
        id: &str,
        changes: &FieldChanges,
        external_ids: &[(String, String)],
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        let current = get(&mut tx, ObjectKind::Company, id).await?;
        check_refs(&mut tx, changes).await?;
        check_domain_free(&mut tx, changes, Some(&current.id)).await?;
        update(&mut tx, &current, changes, external_ids_extra(&current, external_ids)?, actor).await?;
        let terms = company_terms((
            text_change(changes, Some(&current), "name"),
            text_change(changes, Some(&current), "domain"),
        ));
        set_terms(&mut tx, ObjectKind::Company, &current.id, &terms).await?;
        let r = get(&mut tx, ObjectKind::Company, &current.id).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn upsert_companies(
        &self,
        items: Vec<CompanyUpsert>,
        actor: Actor<'_>,
        dry_run: bool,
    ) -> StoreResult<Vec<StoreResult<UpsertOutcome>>> {
        let mut tx = self.begin().await?;
        let out = upsert_companies(&mut tx, &items, actor).await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(out)
    }

    async fn link_contact_company(&self, contact_id: &str, company_id: &str, role: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let contact = get(&mut tx, ObjectKind::Contact, contact_id).await?;
        let company = get(&mut tx, ObjectKind::Company, company_id).await?;
        link(&mut tx, &contact.id, &company.id, role, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unlink_contact_company(&self, contact_id: &str, company_id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM contact_companies WHERE contact_id = $1 AND company_id = $2")
            .bind(contact_id)
            .bind(company_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("company link", format!("{contact_id}/{company_id}")));
        }
        sqlx::query("UPDATE contacts SET company_id = NULL WHERE id = $1 AND company_id = $2")
            .bind(contact_id)
            .bind(company_id)
            .execute(&mut *tx)
            .await?;
        super::execute_all(&mut tx, super::state::mark([contact_id.to_owned()])).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn company_contacts(&self, company_id: &str, limit: u32) -> StoreResult<Vec<(Record, String)>> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT contact_id, role FROM contact_companies WHERE company_id = $1 ORDER BY created_at LIMIT $2",
        )
        .bind(company_id)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        let mut roles = HashMap::new();
        let mut ids = Vec::new();
        for row in &rows {
            let id = req_text(row, "contact_id")?;
            roles.insert(id.clone(), req_text(row, "role")?);
            ids.push(id);
        }
        let records = load(&mut conn, ObjectKind::Contact, &ids).await?;
        Ok(records
            .into_iter()
            .map(|r| {
                let role = roles.remove(&r.id).unwrap_or_default();
                (r, role)
            })
            .collect())
    }

    async fn contact_companies(&self, contact_id: &str) -> StoreResult<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT company_id, role FROM contact_companies WHERE contact_id = $1 ORDER BY created_at")
                .bind(contact_id)
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(|r| Ok((req_text(r, "company_id")?, req_text(r, "role")?))).collect()
    }

    async fn create_deal(
        &self,
        changes: &FieldChanges,
        contact_ids: &[String],
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        check_refs(&mut tx, changes).await?;
        check_deal_contacts(&mut tx, contact_ids).await?;
        let id = new_id();
        let mut changes = changes.clone();
        let spec = |n| record::field(ObjectKind::Deal, n).expect("deal field");
        for (name, default) in
            [("pipeline", "default"), ("stage", "appointment_scheduled"), ("status", "open"), ("currency", "EUR")]
        {
            if !matches!(changes.get(name), Some(Some(_))) {
                changes.set(spec(name), Some(Scalar::Text(default.into())));
            }
        }
        let extra = vec![("search_text", search_column(&deal_terms(text_change(&changes, None, "name"))))];
        insert(&mut tx, ObjectKind::Deal, &id, &changes, extra, actor).await?;
        set_deal_contacts(&mut tx, &id, contact_ids).await?;
        let r = get(&mut tx, ObjectKind::Deal, &id).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn update_deal(
        &self,
        id: &str,
        changes: &FieldChanges,
        contact_ids: Option<&[String]>,
        actor: Actor<'_>,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        let current = get(&mut tx, ObjectKind::Deal, id).await?;
        check_refs(&mut tx, changes).await?;
        update(&mut tx, &current, changes, Vec::new(), actor).await?;
        if let Some(ids) = contact_ids {
            check_deal_contacts(&mut tx, ids).await?;
            set_deal_contacts(&mut tx, &current.id, ids).await?;
        }
        set_terms(&mut tx, ObjectKind::Deal, &current.id, &deal_terms(text_change(changes, Some(&current), "name")))
            .await?;
        let r = get(&mut tx, ObjectKind::Deal, &current.id).await?;
        tx.commit().await?;
        Ok(r)
    }

    async fn merge_contacts(&self, a: &str, b: &str, actor: Actor<'_>) -> StoreResult<crate::model::MergeRecord> {
        self.merge_impl(ObjectKind::Contact, a, b, actor).await
    }

    async fn merge_companies(&self, a: &str, b: &str, actor: Actor<'_>) -> StoreResult<crate::model::MergeRecord> {
        self.merge_impl(ObjectKind::Company, a, b, actor).await
    }

    async fn unmerge(&self, merge_id: &str, actor: Actor<'_>) -> StoreResult<crate::model::MergeRecord> {
        self.unmerge_impl(merge_id, actor).await
    }

    async fn merges(&self, object_id: &str) -> StoreResult<Vec<crate::model::MergeRecord>> {
        self.merges_impl(object_id).await
    }

    async fn history(&self, object_id: &str) -> StoreResult<Vec<crate::model::FieldChange>> {
        let rows = sqlx::query(
            "SELECT seq, object, object_id, field, from_value, to_value, at, cause, actor_id FROM field_history WHERE object_id = $1 ORDER BY seq",
        )
        .bind(object_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let object = req_text(r, "object")?;
                Ok(crate::model::FieldChange {
                    seq: req_int(r, "seq")?,
                    object: ObjectKind::parse(&object).ok_or_else(|| StoreError::Corrupt(object.clone()))?,
                    object_id: req_text(r, "object_id")?,
                    field: req_text(r, "field")?,
                    from: text(r, "from_value")?,
                    to: text(r, "to_value")?,
                    at: req_int(r, "at")?,
                    cause: req_text(r, "cause")?,
                    actor_id: text(r, "actor_id")?,
                })
            })
            .collect()
    }
}

pub(super) async fn link(conn: &mut Conn, contact_id: &str, company_id: &str, role: &str, now: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contact_companies (contact_id, company_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (contact_id, company_id) DO UPDATE SET role = excluded.role",
    )
    .bind(contact_id)
    .bind(company_id)
    .bind(role)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    super::execute_all(conn, super::state::mark([contact_id.to_owned()])).await
}

/// The `external_ids` column after adding `new` to what the company has, when it changes.
fn external_ids_extra(current: &Record, new: &[(String, String)]) -> StoreResult<Vec<(&'static str, Arg)>> {
    let mut ids = current.external_ids.clone();
    ids.extend(new.iter().filter(|e| !current.external_ids.contains(e)).cloned());
    Ok(if ids != current.external_ids {
        vec![("external_ids", Arg::from(serde_json::to_string(&ids)?))]
    } else {
        Vec::new()
    })
}

/// Which live company holds each of these domains.
async fn domain_owners(conn: &mut Conn, domains: &[&str]) -> StoreResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in domains.chunks(super::chunk_size(1)) {
        let mut q = sql("SELECT domain, id FROM companies WHERE merged_into IS NULL AND domain");
        q.in_texts(super::MANY, chunk.iter().copied());
        for row in query(&q).fetch_all(&mut *conn).await? {
            out.insert(req_text(&row, "domain")?, req_text(&row, "id")?);
        }
    }
    Ok(out)
}

async fn company_by_external_id(conn: &mut Conn, ids: &[(String, String)]) -> StoreResult<Option<String>> {
    for (system, ext) in ids {
        let needle = serde_json::json!([[system, ext]]).to_string();
        let needle = needle.trim_start_matches('[').trim_end_matches(']').to_owned();
        let q = format!(
            "SELECT id FROM companies WHERE merged_into IS NULL AND {}",
            super::super::text_contains("external_ids", "$1")
        );
        if let Some(id) = sqlx::query_scalar(&q).bind(needle).fetch_optional(&mut *conn).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Create or update companies named by id, or matched by domain, then external id: new ones
/// in bulk, matched ones one by one, each in a savepoint so a failed item leaves nothing
/// behind.
async fn upsert_companies(
    conn: &mut Conn,
    items: &[CompanyUpsert],
    actor: Actor<'_>,
) -> StoreResult<Vec<StoreResult<UpsertOutcome>>> {
    let domain_of = |item: &CompanyUpsert| match item.changes.get("domain") {
        Some(Some(Scalar::Text(d))) => Some(d.clone()),
        _ => None,
    };
    let domains: Vec<String> = items.iter().filter_map(domain_of).collect();
    let existing = domain_owners(conn, &domains.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let named =
        live_ids(conn, ObjectKind::Company, &items.iter().filter_map(|i| i.id.as_deref()).collect::<Vec<_>>()).await?;
    let mut out: Vec<Option<StoreResult<UpsertOutcome>>> = (0..items.len()).map(|_| None).collect();
    let mut new_by_domain: HashMap<String, String> = HashMap::new();
    let mut creates: Vec<(usize, String)> = Vec::new();
    let mut updates: Vec<(usize, String, UpsertKind)> = Vec::new();
    let mut touched: HashSet<String> = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if item
            .changes
            .fields
            .iter()
            .any(|(f, v)| v.is_some() && matches!(f.kind, FieldKind::UserId | FieldKind::CompanyId))
        {
            if let Err(e) = check_refs(conn, &item.changes).await {
                out[i] = Some(Err(e));
                continue;
            }
        }
        let domain = domain_of(item);
        let found = match (&item.id, &domain) {
            (Some(id), _) => match named.get(id) {
                Some(live) => Some(live.clone()),
                None => {
                    out[i] = Some(Err(StoreError::not_found("company", id)));
                    continue;
                }
            },
            (None, Some(d)) => existing.get(d).cloned(),
            (None, None) => company_by_external_id(conn, &item.external_ids).await?,
        };
        match (found, domain.as_ref().and_then(|d| new_by_domain.get(d))) {
            (Some(id), _) => {
                let kind = if touched.insert(id.clone()) { UpsertKind::Updated } else { UpsertKind::Merged };
                updates.push((i, id, kind));
            }
            (None, Some(id)) => updates.push((i, id.clone(), UpsertKind::Merged)),
            (None, None) => {
                let id = new_id();
                if let Some(d) = domain {
                    new_by_domain.insert(d, id.clone());
                }
                creates.push((i, id));
            }
        }
    }
    let rows = creates.iter().map(|(i, id)| {
        let c = &items[*i].changes;
        let ids = serde_json::to_string(&items[*i].external_ids).unwrap_or_else(|_| "[]".into());
        let terms = company_terms((text_change(c, None, "name"), text_change(c, None, "domain")));
        NewRow { id: id.clone(), changes: c, extra: vec![Arg::from(ids), search_column(&terms)], created_at: None }
    });
    let history = creates.iter().flat_map(|(i, id)| created_history(ObjectKind::Company, id, &items[*i].changes));
    let created = super::undo::created(actor, creates.iter().map(|(_, id)| id));
    super::execute_all(
        conn,
        insert_statements(ObjectKind::Company, &["external_ids", "search_text"], rows, actor.now)
            .chain(history_statements(ObjectKind::Company, history, actor))
            .chain(super::undo::journal(actor, ObjectKind::Company, created)),
    )
    .await?;
    for (i, id) in creates {
        out[i] = Some(Ok(UpsertOutcome::new(UpsertKind::Created, id)));
    }
    for (i, id, kind) in updates {
        let item = &items[i];
        let current = get(conn, ObjectKind::Company, &id).await?;
        // The one check of an update, before its writes: a refused item writes nothing.
        if let Err(e) = check_domain_free(conn, &item.changes, Some(&current.id)).await {
            out[i] = Some(Err(e));
            continue;
        }
        update(conn, &current, &item.changes, external_ids_extra(&current, &item.external_ids)?, actor).await?;
        let terms = company_terms((
            text_change(&item.changes, Some(&current), "name"),
            text_change(&item.changes, Some(&current), "domain"),
        ));
        set_terms(conn, ObjectKind::Company, &id, &terms).await?;
        out[i] = Some(Ok(UpsertOutcome::new(kind, id)));
    }
    Ok(out.into_iter().map(|o| o.unwrap_or_else(|| Err(StoreError::Corrupt("item without outcome".into())))).collect())
}
