//! Possible duplicates: pairs of contacts that look like one person (a shared phone, the same
//! name) without proving it, kept for a person to merge or dismiss. Writes that meet a shared
//! phone list their pairs in the same transaction; a scan pairs people by name.

use foldhash::{HashMap, HashMapExt, HashSet};
use futures_util::TryStreamExt;

use leadline_core::dedupe::{self, Reason};
use leadline_core::record::ObjectKind;

use super::records::{load, Conn};
use super::{int, query, query_count, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{Actor, DuplicatePair, DuplicateQuery, DuplicateStatus, MergeRecord, Page};
use crate::sql::new_id;

const COLUMNS: &str = "d.id, d.contact_a, d.contact_b, d.reason, d.status, d.source, d.found_at, d.resolved_at, \
    d.resolved_by, d.merge_id";

/// Both contacts of an open pair are still there and not merged.
const LIVE: &str = " AND EXISTS (SELECT 1 FROM contacts a WHERE a.id = d.contact_a AND a.merged_into IS NULL) \
    AND EXISTS (SELECT 1 FROM contacts b WHERE b.id = d.contact_b AND b.merged_into IS NULL)";

/// List pairs as possible duplicates, each once whatever its order, unless listed already
/// (a dismissed pair stays dismissed). Returns how many were new.
pub(super) async fn add(
    conn: &mut Conn,
    pairs: impl IntoIterator<Item = (String, String, Reason)>,
    source: &str,
    now: i64,
) -> StoreResult<u64> {
    let mut seen = HashSet::default();
    let rows: Vec<_> = pairs
        .into_iter()
        .filter(|(a, b, _)| a != b)
        .map(|(a, b, reason)| if a < b { (a, b, reason) } else { (b, a, reason) })
        .filter(|(a, b, _)| seen.insert((a.clone(), b.clone())))
        .collect();
    let mut added = 0;
    for chunk in rows.chunks(super::chunk_size(7)) {
        let values = chunk
            .iter()
            .map(|(a, b, reason)| {
                vec![
                    new_id().into(),
                    a.clone().into(),
                    b.clone().into(),
                    reason.as_str().into(),
                    DuplicateStatus::Open.as_str().into(),
                    source.into(),
                    now.into(),
                ]
            })
            .collect();
        let mut q = super::sql_rows(
            "INSERT INTO duplicate_candidates (id, contact_a, contact_b, reason, status, source, found_at) ",
            values,
        );
        q.push(" ON CONFLICT DO NOTHING");
        added += query(&q).execute(&mut *conn).await?.rows_affected();
    }
    Ok(added)
}

/// A merge of two contacts settles the open pair they formed: `named` are the ids the merge
/// was asked with, `live` the two it merged (the same unless one had been merged before).
pub(super) async fn resolve_merged(
    conn: &mut Conn,
    named: [&str; 2],
    live: [&str; 2],
    merge_id: &str,
    actor: Actor<'_>,
) -> StoreResult<()> {
    let sides = [[named[0], live[0]], [named[1], live[1]]];
    let mut q = sql("UPDATE duplicate_candidates SET status = ");
    q.arg(DuplicateStatus::Merged.as_str()).push(", merge_id = ").arg(merge_id);
    q.push(", resolved_at = ").arg(actor.now).push(", resolved_by = ").arg(actor.user_id.map(str::to_owned));
    q.push(" WHERE status = ").arg(DuplicateStatus::Open.as_str()).push(" AND (");
    for (n, (x, y)) in [(0, 1), (1, 0)].into_iter().enumerate() {
        q.push(if n == 0 { "(contact_a" } else { " OR (contact_a" });
        q.in_texts(super::MANY, sides[x]).push(" AND contact_b").in_texts(super::MANY, sides[y]).push(")");
    }
    q.push(")");
    query(&q).execute(&mut *conn).await?;
    Ok(())
}

/// An undone merge opens again the pair it had settled.
pub(super) async fn reopen_unmerged(conn: &mut Conn, merge_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE duplicate_candidates SET status = $1, merge_id = NULL, resolved_at = NULL, resolved_by = NULL \
         WHERE merge_id = $2",
    )
    .bind(DuplicateStatus::Open.as_str())
    .bind(merge_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

struct Row {
    id: String,
    a: String,
    b: String,
    reason: Reason,
    status: DuplicateStatus,
    source: String,
    found_at: i64,
    resolved_at: Option<i64>,
    resolved_by: Option<String>,
    merge_id: Option<String>,
}

fn row_of(row: &DbRow) -> StoreResult<Row> {
    let reason = req_text(row, "reason")?;
    let status = req_text(row, "status")?;
    Ok(Row {
        id: req_text(row, "id")?,
        a: req_text(row, "contact_a")?,
        b: req_text(row, "contact_b")?,
        reason: Reason::parse(&reason).ok_or_else(|| StoreError::Corrupt(format!("duplicate reason {reason}")))?,
        status: DuplicateStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("duplicate status {status}")))?,
        source: req_text(row, "source")?,
        found_at: req_int(row, "found_at")?,
        resolved_at: int(row, "resolved_at")?,
        resolved_by: text(row, "resolved_by")?,
        merge_id: text(row, "merge_id")?,
    })
}

/// The pairs with both their contacts, in the order of `rows`; a pair whose contact is gone
/// (deleted meanwhile) is left out.
async fn with_records(conn: &mut Conn, rows: Vec<Row>) -> StoreResult<Vec<DuplicatePair>> {
    let ids: Vec<String> =
        rows.iter().flat_map(|r| [r.a.clone(), r.b.clone()]).collect::<HashSet<_>>().into_iter().collect();
    let mut by_id: HashMap<String, crate::model::Record> = HashMap::with_capacity(ids.len());
    for r in load(conn, ObjectKind::Contact, &ids).await? {
        by_id.insert(r.id.clone(), r);
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(DuplicatePair {
                a: by_id.get(&r.a)?.clone(),
                b: by_id.get(&r.b)?.clone(),
                id: r.id,
                reason: r.reason,
                status: r.status,
                source: r.source,
                found_at: r.found_at,
                resolved_at: r.resolved_at,
                resolved_by: r.resolved_by,
                merge_id: r.merge_id,
            })
        })
        .collect())
}

/// A listing's cursor: the last pair's time and id.
fn cursor(found_at: i64, id: &str) -> String {
    format!("{found_at}.{id}")
}

fn parse_cursor(c: &str) -> StoreResult<(i64, String)> {
    c.split_once('.').and_then(|(t, id)| Some((t.parse().ok()?, id.to_owned()))).ok_or_else(|| {
        StoreError::Invalid(leadline_core::FieldError::new("cursor", "invalid", "not a cursor of this list"))
    })
}

fn filtered(head: &str, status: DuplicateStatus) -> crate::sql::Sql {
    let mut q = sql(head);
    q.push(" FROM duplicate_candidates d WHERE d.status = ").arg(status.as_str());
    // An open pair whose contact was merged or deleted meanwhile has nothing left to decide.
    if status == DuplicateStatus::Open {
        q.push(LIVE);
    }
    q
}

impl SqlStore {
    async fn pair_row(&self, conn: &mut Conn, id: &str) -> StoreResult<Row> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM duplicate_candidates d WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("possible duplicate", id))?;
        row_of(&row)
    }

    /// Read every live contact's name, companies and e-mails, and list the pairs that share a
    /// full name and a company, or a rare name and nothing but different e-mails.
    async fn scan_names(&self, actor: Actor<'_>) -> StoreResult<u64> {
        let mut conn = self.reader.acquire().await?;
        // Only people whose full name someone else has too are kept: most names are unique.
        let mut named: HashMap<String, Vec<(String, dedupe::PersonName)>> = HashMap::new();
        {
            let mut rows =
                sqlx::query("SELECT id, first_name, last_name, display_name FROM contacts WHERE merged_into IS NULL")
                    .fetch(&mut *conn);
            while let Some(row) = rows.try_next().await? {
                let name = dedupe::PersonName::new(
                    text(&row, "first_name")?.as_deref(),
                    text(&row, "last_name")?.as_deref(),
                    text(&row, "display_name")?.as_deref(),
                );
                if let Some(key) = name.key() {
                    named.entry(key).or_default().push((req_text(&row, "id")?, name));
                }
            }
        }
        let mut ids: Vec<String> = Vec::new();
        let mut people: Vec<dedupe::Person> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (id, name) in named.into_values().filter(|g| g.len() > 1).flatten() {
            index.insert(id.clone(), people.len());
            ids.push(id);
            people.push(dedupe::Person { name, ..Default::default() });
        }
        if people.is_empty() {
            return Ok(0);
        }
        {
            let mut links = sqlx::query("SELECT contact_id, company_id FROM contact_companies").fetch(&mut *conn);
            while let Some(row) = links.try_next().await? {
                if let Some(&i) = index.get(&req_text(&row, "contact_id")?) {
                    people[i].companies.push(req_text(&row, "company_id")?);
                }
            }
        }
        {
            let mut emails =
                sqlx::query("SELECT key, contact_id FROM contact_identities WHERE key >= 'email:' AND key < 'email;'")
                    .fetch(&mut *conn);
            while let Some(row) = emails.try_next().await? {
                if let Some(&i) = index.get(&req_text(&row, "contact_id")?) {
                    let key = req_text(&row, "key")?;
                    people[i].emails.push(key.strip_prefix("email:").unwrap_or(&key).to_owned());
                }
            }
        }
        drop(conn);
        let pairs = dedupe::name_pairs(&people);
        let mut tx = self.begin().await?;
        let added =
            add(&mut tx, pairs.into_iter().map(|(a, b, r)| (ids[a].clone(), ids[b].clone(), r)), "scan", actor.now)
                .await?;
        tx.commit().await?;
        Ok(added)
    }
}

#[async_trait::async_trait]
impl crate::DuplicateStore for SqlStore {
    async fn duplicates(&self, q: &DuplicateQuery) -> StoreResult<Page<DuplicatePair>> {
        let mut conn = self.reader.acquire().await?;
        let mut s = filtered(&format!("SELECT {COLUMNS}"), q.status);
        if let Some(c) = &q.cursor {
            let (at, id) = parse_cursor(c)?;
            s.push(" AND (d.found_at < ").arg(at).push(" OR (d.found_at = ").arg(at);
            s.push(" AND d.id < ").arg(id).push("))");
        }
        s.push(" ORDER BY d.found_at DESC, d.id DESC LIMIT ").arg(i64::from(q.limit) + 1);
        let mut rows = query(&s).fetch_all(&mut *conn).await?.iter().map(row_of).collect::<StoreResult<Vec<_>>>()?;
        let next = (rows.len() > q.limit as usize).then(|| {
            rows.truncate(q.limit as usize);
            rows.last().map(|r| cursor(r.found_at, &r.id))
        });
        Ok(Page { items: with_records(&mut conn, rows).await?, next: next.flatten() })
    }

    async fn count_duplicates(&self, status: DuplicateStatus) -> StoreResult<i64> {
        let mut conn = self.reader.acquire().await?;
        Ok(query_count(&filtered("SELECT count(*)", status)).fetch_one(&mut *conn).await?)
    }

    async fn duplicate(&self, id: &str) -> StoreResult<DuplicatePair> {
        let mut conn = self.reader.acquire().await?;
        let row = self.pair_row(&mut conn, id).await?;
        with_records(&mut conn, vec![row]).await?.pop().ok_or_else(|| StoreError::not_found("possible duplicate", id))
    }

    async fn dismiss_duplicate(&self, id: &str, actor: Actor<'_>) -> StoreResult<DuplicatePair> {
        let mut tx = self.begin().await?;
        let row = self.pair_row(&mut tx, id).await?;
        if row.status != DuplicateStatus::Open {
            return Err(StoreError::Conflict {
                code: "not_open",
                field: None,
                message: format!("possible duplicate {id} was already {}", row.status.as_str()),
            });
        }
        sqlx::query("UPDATE duplicate_candidates SET status = $1, resolved_at = $2, resolved_by = $3 WHERE id = $4")
            .bind(DuplicateStatus::Dismissed.as_str())
            .bind(actor.now)
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.duplicate(id).await
    }

    async fn merge_duplicate(&self, id: &str, actor: Actor<'_>) -> StoreResult<MergeRecord> {
        let row = {
            let mut conn = self.reader.acquire().await?;
            self.pair_row(&mut conn, id).await?
        };
        if row.status != DuplicateStatus::Open {
            return Err(StoreError::Conflict {
                code: "not_open",
                field: None,
                message: format!("possible duplicate {id} was already {}", row.status.as_str()),
            });
        }
        // The merge settles the pair in its own transaction (`resolve_merged`).
        self.merge_impl(ObjectKind::Contact, &row.a, &row.b, actor).await
    }

    async fn scan_duplicates(&self, actor: Actor<'_>) -> StoreResult<u64> {
        self.scan_names(actor).await
    }
}
