//! Taking an import back. While an import runs, each record it updates is journalled in
//! `import_writes` (the time of the write, and what the write changed as it was before), and
//! the ids of the records it creates in `import_created`, a batch to a row. An undo deletes
//! what the import created and writes the rest back, in one transaction, and only while
//! nothing else has touched those records since: a record's `updated_at` is still the time the
//! import wrote it, nothing was merged into or out of it, and no activity was logged on it.

use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::{self, ObjectKind};

use super::records::{self, table, Conn, HistoryRow};
use super::{sql, Arg, Sql, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{Actor, ImportUndone, Record};

/// What a journalled update changed, as it was before: the columns the write set, the
/// identities it added (contacts), and the company it linked (contacts).
#[derive(Default)]
pub(super) struct Before {
    pub columns: serde_json::Map<String, serde_json::Value>,
    pub identities: Vec<String>,
    pub linked_company: Option<String>,
}

impl Before {
    /// What `current` had in each of the columns an update `set`s.
    pub fn of(current: &Record, set: &[(&'static str, Arg)]) -> Self {
        let mut columns = serde_json::Map::new();
        for (column, _) in set {
            let value = match *column {
                "properties" => serde_json::Value::Object(current.properties.clone()).to_string().into(),
                "tags" => serde_json::to_string(&current.tags).unwrap_or_default().into(),
                "consent" => records::consent_to_json(&current.consent).into(),
                "external_ids" => serde_json::to_string(&current.external_ids).unwrap_or_default().into(),
                name => match current.get(name) {
                    Some(record::Scalar::Text(s)) => s.clone().into(),
                    Some(record::Scalar::Int(i)) => (*i).into(),
                    None => serde_json::Value::Null,
                },
            };
            columns.insert((*column).to_owned(), value);
        }
        let updated_at = current.int("updated_at").map_or(serde_json::Value::Null, Into::into);
        columns.insert("updated_at".into(), updated_at);
        Self { columns, ..Self::default() }
    }

    fn to_json(&self) -> String {
        serde_json::json!({
            "columns": self.columns,
            "identities": self.identities,
            "linked_company": self.linked_company,
        })
        .to_string()
    }

    fn parse(text: &str) -> StoreResult<Self> {
        let v: serde_json::Value = serde_json::from_str(text)?;
        Ok(Self {
            columns: v["columns"].as_object().cloned().unwrap_or_default(),
            identities: v["identities"]
                .as_array()
                .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            linked_company: v["linked_company"].as_str().map(str::to_owned),
        })
    }
}

/// What an import journals of the records it created: their ids (nothing outside an import).
pub(super) fn created<'a>(actor: Actor<'_>, ids: impl Iterator<Item = &'a String>) -> Vec<(String, Option<Before>)> {
    match actor.job_id {
        Some(_) => ids.map(|id| (id.clone(), None)).collect(),
        None => Vec::new(),
    }
}

/// The statements that journal an import's writes of `object` (nothing outside an import):
/// each updated record's id and what it was before, one row each; the ids of the records it
/// created (`None`), in one row.
pub(super) fn journal<'a>(
    actor: Actor<'a>,
    object: ObjectKind,
    writes: Vec<(String, Option<Before>)>,
) -> impl Iterator<Item = Sql> + 'a {
    let Some(job) = actor.job_id else { return Vec::new().into_iter() };
    let (created, updated): (Vec<_>, Vec<_>) = writes.into_iter().partition(|(_, before)| before.is_none());
    let mut statements = Vec::new();
    if !created.is_empty() {
        let ids: Vec<String> = created.into_iter().map(|(id, _)| id).collect();
        let row = vec![Arg::from(job), object.as_str().into(), actor.now.into(), ids.join(" ").into()];
        statements.push(super::sql_rows("INSERT INTO import_created (job_id, object, written_at, ids) ", vec![row]));
    }
    for chunk in super::chunked(updated.into_iter(), super::chunk_size(5)) {
        let rows = chunk
            .into_iter()
            .map(|(id, before)| {
                let before = before.map(|b| b.to_json()).unwrap_or_default();
                vec![Arg::from(job), object.as_str().into(), id.into(), actor.now.into(), before.into()]
            })
            .collect();
        statements
            .push(super::sql_rows("INSERT INTO import_writes (job_id, object, record_id, written_at, before) ", rows));
    }
    statements.into_iter()
}

/// The records of `object` the job being undone created (loaded into `undo_created`), as a
/// subquery of ids.
fn created_ids(object: ObjectKind) -> String {
    format!("IN (SELECT record_id FROM undo_created WHERE object = '{}')", object.as_str())
}

const OBJECTS: [ObjectKind; 3] = [ObjectKind::Contact, ObjectKind::Company, ObjectKind::Deal];

impl SqlStore {
    pub(super) async fn undo_import_impl(&self, job_id: &str, actor: Actor<'_>) -> StoreResult<ImportUndone> {
        let actor = Actor { cause: ChangeCause::Undo, job_id: None, ..actor };
        let mut tx = self.begin().await?;
        let job: Option<(String, Option<i64>)> = sqlx::query_as("SELECT status, undone_at FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((status, undone_at)) = job else { return Err(StoreError::not_found("import", job_id)) };
        let refuse = |code: &'static str, message: String| Err(StoreError::Conflict { code, field: None, message });
        if undone_at.is_some() {
            return refuse("already_undone", format!("import {job_id} was already undone"));
        }
        if matches!(status.as_str(), "queued" | "running") {
            return refuse("import_running", format!("import {job_id} is {status}: cancel it first, then undo it"));
        }
        let writes: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM import_writes WHERE job_id = $1) + (SELECT COUNT(*) FROM import_created WHERE job_id = $1)",
        )
        .bind(job_id)
        .fetch_one(&mut *tx)
        .await?;
        if writes == 0 {
            return refuse("nothing_to_undo", format!("import {job_id} wrote nothing (a dry run keeps nothing)"));
        }
        load_created(&mut tx, job_id).await?;
        for object in OBJECTS {
            let (count, first) = touched_since(&mut tx, job_id, object).await?;
            if let Some(id) = first {
                return refuse(
                    "touched_since",
                    format!(
                        "{count} {} this import wrote {} changed since (one is {id}); undoing it would lose those \
                         changes, so nothing was undone",
                        if count == 1 { object.as_str().to_owned() } else { format!("{}s", object.as_str()) },
                        if count == 1 { "was" } else { "were" },
                    ),
                );
            }
        }
        let mut undone = ImportUndone::default();
        for object in OBJECTS {
            undone.restored += self.restore(&mut tx, job_id, object, actor).await?;
            let created = created_ids(object);
            undone.deleted +=
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {} WHERE id {created}", table(object)))
                    .fetch_one(&mut *tx)
                    .await?;
            for statement in records::delete_statements(object, &created) {
                sqlx::query(&statement).execute(&mut *tx).await?;
            }
            if object == ObjectKind::Contact {
                super::activities_rewritten(&mut tx).await?;
            }
        }
        for statement in ["DELETE FROM import_writes WHERE job_id = $1", "DELETE FROM import_created WHERE job_id = $1"]
        {
            sqlx::query(statement).bind(job_id).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM undo_created").execute(&mut *tx).await?;
        sqlx::query("UPDATE jobs SET undone_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(undone)
    }

    /// Write back the records of `object` that the import updated (and did not create), its
    /// latest write first, so each record ends as it was before the import's first write.
    async fn restore(&self, conn: &mut Conn, job_id: &str, object: ObjectKind, actor: Actor<'_>) -> StoreResult<i64> {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(&format!(
            "SELECT record_id, written_at, before FROM import_writes WHERE job_id = $1 AND object = '{}' \
             AND record_id NOT {} ORDER BY seq DESC",
            object.as_str(),
            created_ids(object)
        ))
        .bind(job_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut restored = std::collections::HashSet::new();
        for (id, written_at, before) in rows {
            let before = Before::parse(&before)?;
            let Some(current) = records::load(conn, object, std::slice::from_ref(&id)).await?.pop() else {
                // Deleted since: there is nothing to give its values back to.
                continue;
            };
            let mut set = Vec::new();
            let mut history: Vec<HistoryRow> = Vec::new();
            for (column, value) in &before.columns {
                let spec = record::field(object, column);
                let arg = match value {
                    serde_json::Value::String(s) => Arg::from(s.clone()),
                    serde_json::Value::Number(n) => Arg::from(n.as_i64()),
                    _ if spec.is_some_and(|s| s.kind.is_integer()) || column == "closed_at" => Arg::Int(None),
                    _ => Arg::Text(None),
                };
                if let Some(spec) = spec.filter(|s| records::tracked(object, s.name)) {
                    let now = current.get(spec.name).map(ToString::to_string);
                    let was = match value {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    };
                    if now != was {
                        history.push((id.clone(), spec.name.to_owned(), now, was));
                    }
                }
                set.push((column.as_str(), arg));
            }
            let mut q = sql(&format!("UPDATE {} SET ", table(object)));
            for (i, (column, arg)) in set.into_iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).push(column).push(" = ").arg(arg);
            }
            q.push(" WHERE id = ").arg(id.clone());
            super::execute_all(
                conn,
                [q].into_iter().chain(records::history_statements(object, history.into_iter(), actor)),
            )
            .await?;
            for key in &before.identities {
                sqlx::query("DELETE FROM contact_identities WHERE contact_id = $1 AND key = $2")
                    .bind(&id)
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(company) = &before.linked_company {
                sqlx::query("DELETE FROM contact_companies WHERE contact_id = $1 AND company_id = $2")
                    .bind(&id)
                    .bind(company)
                    .execute(&mut *conn)
                    .await?;
            }
            if object == ObjectKind::Contact {
                // The possible duplicates this write raised go with it.
                sqlx::query(
                    "DELETE FROM duplicate_candidates WHERE (contact_a = $1 OR contact_b = $1) \
                     AND status = 'open' AND source = 'import' AND found_at = $2",
                )
                .bind(&id)
                .bind(written_at)
                .execute(&mut *conn)
                .await?;
            }
            self.refresh_terms(conn, object, &id).await?;
            restored.insert(id);
        }
        Ok(restored.len() as i64)
    }
}

/// Load the ids of the records the job created into the temporary table `undo_created`
/// (one per connection, emptied first), for the undo's set-wise statements.
async fn load_created(conn: &mut Conn, job_id: &str) -> StoreResult<()> {
    sqlx::query("CREATE TEMPORARY TABLE IF NOT EXISTS undo_created (object TEXT NOT NULL, record_id TEXT NOT NULL, written_at BIGINT NOT NULL)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM undo_created").execute(&mut *conn).await?;
    let batches: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT object, written_at, ids FROM import_created WHERE job_id = $1 ORDER BY seq")
            .bind(job_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut rows: Vec<Vec<Arg>> = Vec::new();
    for (object, at, ids) in &batches {
        for id in ids.split(' ').filter(|id| !id.is_empty()) {
            rows.push(vec![Arg::from(object.as_str()), id.into(), (*at).into()]);
        }
    }
    let statements: Vec<Sql> = super::chunked(rows.into_iter(), super::chunk_size(3))
        .map(|chunk| super::sql_rows("INSERT INTO undo_created (object, record_id, written_at) ", chunk))
        .collect();
    super::execute_all(conn, statements).await
}

/// How many of the records of `object` the import wrote something else touched since, and one
/// of them.
async fn touched_since(conn: &mut Conn, job_id: &str, object: ObjectKind) -> StoreResult<(i64, Option<String>)> {
    let t = table(object);
    let activity = match object {
        ObjectKind::Contact => "contact_id",
        ObjectKind::Company => "company_id",
        ObjectKind::Deal => "deal_id",
    };
    let o = object.as_str();
    Ok(sqlx::query_as(&format!(
        "SELECT COUNT(*), MIN(j.record_id) FROM (SELECT record_id, MAX(written_at) AS w FROM \
         (SELECT record_id, written_at FROM import_writes WHERE job_id = $1 AND object = '{o}' \
         UNION ALL SELECT record_id, written_at FROM undo_created WHERE object = '{o}') AS w \
         GROUP BY record_id) j JOIN {t} r ON r.id = j.record_id \
         WHERE r.updated_at <> j.w OR r.merged_into IS NOT NULL \
         OR EXISTS (SELECT 1 FROM merges m WHERE m.survivor_id = r.id AND m.undone_at IS NULL AND m.at >= j.w) \
         OR EXISTS (SELECT 1 FROM activities a WHERE a.{activity} = r.id AND a.recorded_at > j.w)"
    ))
    .bind(job_id)
    .fetch_one(&mut *conn)
    .await?)
}
