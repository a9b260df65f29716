//! The activity log and tasks.

use std::collections::HashMap;

use leadline_core::record::ObjectKind;

use super::records::live_id;
use super::{int, json_map, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{Activity, ActivityQuery, Actor, NewActivity, NewTask, Page, Task, TaskChanges, TaskQuery};
use crate::sql::{decode_cursor, encode_cursor, new_id};

const ACTIVITY_COLUMNS: &str = "seq, id, idempotency_key, type, occurred_at, recorded_at, contact_id, company_id, deal_id, channel, campaign, source, actor_id, properties";
const TASK_COLUMNS: &str =
    "id, title, body, due_at, assignee_id, contact_id, company_id, deal_id, done_at, created_by, created_at";

fn activity_of(row: &DbRow) -> StoreResult<Activity> {
    Ok(Activity {
        seq: req_int(row, "seq")?,
        id: req_text(row, "id")?,
        kind: req_text(row, "type")?,
        occurred_at: req_int(row, "occurred_at")?,
        recorded_at: req_int(row, "recorded_at")?,
        contact_id: text(row, "contact_id")?,
        company_id: text(row, "company_id")?,
        deal_id: text(row, "deal_id")?,
        channel: text(row, "channel")?,
        campaign: text(row, "campaign")?,
        source: text(row, "source")?,
        actor_id: text(row, "actor_id")?,
        properties: json_map(row, "properties")?,
        idempotency_key: text(row, "idempotency_key")?,
    })
}

/// An activity as `of_contacts` reads it: one JSON array per activity, in this order.
type Packed = (
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<serde_json::Map<String, serde_json::Value>>,
);

/// The activities of these contacts since `since` (of `kinds`, when given), each contact's
/// newest first: what the engine reads to decide many contacts at once. They come as one row
/// per contact, its activities packed in a JSON array: the driver's cost is per row, and a
/// contact has a year of activities.
pub(super) async fn of_contacts(
    conn: &mut super::records::Conn,
    contact_ids: &[String],
    since: i64,
    kinds: Option<&[String]>,
) -> StoreResult<HashMap<String, Vec<Activity>>> {
    const PACKED: &str = "seq, id, idempotency_key, type, occurred_at, recorded_at, company_id, deal_id, channel, \
                          campaign, source, actor_id";
    let mut q = sql(&format!(
        "SELECT contact_id, {} AS items FROM activities WHERE occurred_at >= ",
        super::super::json_rows(&format!("{PACKED}, {}", super::super::json_value("properties")))
    ));
    q.arg(since).push(" AND contact_id");
    q.in_texts(super::MANY, contact_ids.iter().map(String::as_str));
    if let Some(kinds) = kinds {
        q.push(" AND type");
        q.in_texts(super::MANY, kinds.iter().map(String::as_str));
    }
    q.push(" GROUP BY contact_id");
    let mut out = HashMap::with_capacity(contact_ids.len());
    for row in super::query(&q).fetch_all(&mut *conn).await? {
        let contact_id = req_text(&row, "contact_id")?;
        let packed: Vec<Packed> = serde_json::from_str(&req_text(&row, "items")?)?;
        let mut items: Vec<Activity> = packed
            .into_iter()
            .map(
                |(
                    seq,
                    id,
                    idempotency_key,
                    kind,
                    occurred_at,
                    recorded_at,
                    company_id,
                    deal_id,
                    channel,
                    campaign,
                    source,
                    actor_id,
                    properties,
                )| {
                    Activity {
                        seq,
                        id,
                        kind,
                        occurred_at,
                        recorded_at,
                        contact_id: Some(contact_id.clone()),
                        company_id,
                        deal_id,
                        channel,
                        campaign,
                        source,
                        actor_id,
                        properties: properties.unwrap_or_default(),
                        idempotency_key,
                    }
                },
            )
            .collect();
        items.sort_unstable_by(|a, b| b.occurred_at.cmp(&a.occurred_at).then(b.seq.cmp(&a.seq)));
        out.insert(contact_id, items);
    }
    Ok(out)
}

fn task_of(row: &DbRow) -> StoreResult<Task> {
    Ok(Task {
        id: req_text(row, "id")?,
        title: req_text(row, "title")?,
        body: text(row, "body")?,
        due_at: int(row, "due_at")?,
        assignee_id: text(row, "assignee_id")?,
        contact_id: text(row, "contact_id")?,
        company_id: text(row, "company_id")?,
        deal_id: text(row, "deal_id")?,
        done_at: int(row, "done_at")?,
        created_by: text(row, "created_by")?,
        created_at: req_int(row, "created_at")?,
    })
}

impl SqlStore {
    /// Resolve the records an activity or task points at to their live ids.
    async fn live_refs(
        conn: &mut super::records::Conn,
        contact: Option<&str>,
        company: Option<&str>,
        deal: Option<&str>,
    ) -> StoreResult<(Option<String>, Option<String>, Option<String>)> {
        let mut out = (None, None, None);
        if let Some(c) = contact {
            out.0 = Some(live_id(conn, ObjectKind::Contact, c).await.map_err(|e| reference(e, "contact_id"))?);
        }
        if let Some(c) = company {
            out.1 = Some(live_id(conn, ObjectKind::Company, c).await.map_err(|e| reference(e, "company_id"))?);
        }
        if let Some(d) = deal {
            out.2 = Some(live_id(conn, ObjectKind::Deal, d).await.map_err(|e| reference(e, "deal_id"))?);
        }
        Ok(out)
    }
}

/// A missing record named by a field of the input is bad input, not a missing resource.
fn reference(e: StoreError, field: &str) -> StoreError {
    match e {
        StoreError::NotFound { what, id } => StoreError::Invalid(leadline_core::FieldError::new(
            field,
            "unknown_reference",
            format!("there is no {what} {id}"),
        )),
        e => e,
    }
}

#[async_trait::async_trait]
impl crate::TimelineStore for SqlStore {
    async fn load_activities(&self, items: Vec<NewActivity>, actor: Actor<'_>) -> StoreResult<u64> {
        let n = items.len() as u64;
        let columns = &ACTIVITY_COLUMNS["seq, ".len()..];
        let per_row = columns.split(", ").count();
        let rows = items.into_iter().map(|item| {
            vec![
                new_id().into(),
                item.idempotency_key.into(),
                item.kind.into(),
                item.occurred_at.into(),
                actor.now.into(),
                item.contact_id.into(),
                item.company_id.into(),
                item.deal_id.into(),
                item.channel.into(),
                item.campaign.into(),
                item.source.into(),
                actor.user_id.into(),
                serde_json::Value::Object(item.properties).to_string().into(),
            ]
        });
        let statements = super::chunked(rows, super::chunk_size(per_row))
            .map(|chunk| super::sql_rows(&format!("INSERT INTO activities ({columns}) "), chunk));
        let mut tx = self.begin().await?;
        super::execute_all(&mut tx, statements).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn append_activities(
        &self,
        items: Vec<NewActivity>,
        actor: Actor<'_>,
    ) -> StoreResult<Vec<StoreResult<(Activity, bool)>>> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Some(key) = &item.idempotency_key {
                let row = sqlx::query(&format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE idempotency_key = $1"))
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = row {
                    out.push(Ok((activity_of(&row)?, false)));
                    continue;
                }
            }
            let refs = Self::live_refs(
                &mut tx,
                item.contact_id.as_deref(),
                item.company_id.as_deref(),
                item.deal_id.as_deref(),
            )
            .await;
            let (contact, company, deal) = match refs {
                Ok(r) => r,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let mut sql = sql(&format!("INSERT INTO activities ({}) VALUES (", &ACTIVITY_COLUMNS["seq, ".len()..]));
            sql.list([
                new_id().into(),
                item.idempotency_key.clone().into(),
                item.kind.as_str().into(),
                item.occurred_at.into(),
                actor.now.into(),
                contact.into(),
                company.into(),
                deal.into(),
                item.channel.clone().into(),
                item.campaign.clone().into(),
                item.source.clone().into(),
                actor.user_id.into(),
                crate::sql::Arg::from(serde_json::Value::Object(item.properties.clone()).to_string()),
            ]);
            sql.push(&format!(") RETURNING {ACTIVITY_COLUMNS}"));
            let row = query(&sql).fetch_one(&mut *tx).await?;
            out.push(Ok((activity_of(&row)?, true)));
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn activity(&self, id: &str) -> StoreResult<Activity> {
        let row = sqlx::query(&format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        activity_of(&row.ok_or_else(|| StoreError::not_found("activity", id))?)
    }

    async fn activities(&self, q: &ActivityQuery) -> StoreResult<Vec<Activity>> {
        let mut conn = self.reader.acquire().await?;
        let mut sql = sql(&format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE 1 = 1"));
        if let Some(c) = &q.contact_id {
            let live = live_id(&mut conn, ObjectKind::Contact, c).await?;
            sql.push(" AND contact_id = ").arg(live);
        }
        if let Some(c) = &q.company_id {
            let live = live_id(&mut conn, ObjectKind::Company, c).await?;
            sql.push(" AND (company_id = ").arg(live.as_str());
            sql.push(" OR contact_id IN (SELECT contact_id FROM contact_companies WHERE company_id = ")
                .arg(live)
                .push("))");
        }
        if let Some(d) = &q.deal_id {
            sql.push(" AND deal_id = ").arg(d.as_str());
        }
        if !q.kinds.is_empty() {
            sql.push(" AND type IN (").list(q.kinds.iter().map(String::as_str)).push(")");
        }
        // A record's timeline is in the order things happened; the whole log in seq order.
        let timeline = q.contact_id.is_some() || q.company_id.is_some() || q.deal_id.is_some();
        match (q.before, timeline) {
            (Some(c), true) => {
                sql.push(" AND (occurred_at < ").arg(c.occurred_at);
                sql.push(" OR (occurred_at = ").arg(c.occurred_at).push(" AND seq < ").arg(c.seq).push("))");
            }
            (Some(c), false) => {
                sql.push(" AND seq < ").arg(c.seq);
            }
            (None, _) => {}
        }
        match (q.after_seq, timeline) {
            (Some(s), _) => sql.push(" AND seq > ").arg(s).push(" ORDER BY seq ASC"),
            (None, true) => sql.push(" ORDER BY occurred_at DESC, seq DESC"),
            (None, false) => sql.push(" ORDER BY seq DESC"),
        };
        sql.push(" LIMIT ").arg(i64::from(q.limit));
        query(&sql).fetch_all(&mut *conn).await?.iter().map(activity_of).collect()
    }

    async fn delete_activity(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if sqlx::query("DELETE FROM activities WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("activity", id));
        }
        super::activities_rewritten(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_task(&self, task: &NewTask, actor: Actor<'_>) -> StoreResult<Task> {
        let mut tx = self.begin().await?;
        let (contact, company, deal) =
            Self::live_refs(&mut tx, task.contact_id.as_deref(), task.company_id.as_deref(), task.deal_id.as_deref())
                .await?;
        if let Some(a) = &task.assignee_id {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1").bind(a).fetch_one(&mut *tx).await?;
            if n == 0 {
                return Err(StoreError::Invalid(leadline_core::FieldError::new(
                    "assignee_id",
                    "unknown_reference",
                    format!("there is no user {a}"),
                )));
            }
        }
        let id = new_id();
        let mut sql = sql(&format!("INSERT INTO tasks ({TASK_COLUMNS}, updated_at) VALUES ("));
        sql.list([
            id.as_str().into(),
            task.title.as_str().into(),
            task.body.clone().into(),
            task.due_at.into(),
            task.assignee_id.clone().into(),
            contact.clone().into(),
            company.into(),
            deal.into(),
            crate::sql::Arg::Int(None),
            actor.user_id.into(),
            actor.now.into(),
            actor.now.into(),
        ]);
        sql.push(")");
        query(&sql).execute(&mut *tx).await?;
        tx.commit().await?;
        self.task(&id).await
    }

    async fn update_task(&self, id: &str, changes: &TaskChanges, actor: Actor<'_>) -> StoreResult<Task> {
        let mut tx = self.begin().await?;
        if let Some(Some(a)) = &changes.assignee_id {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1").bind(a).fetch_one(&mut *tx).await?;
            if n == 0 {
                return Err(StoreError::Invalid(leadline_core::FieldError::new(
                    "assignee_id",
                    "unknown_reference",
                    format!("there is no user {a}"),
                )));
            }
        }
        let mut sql = sql("UPDATE tasks SET updated_at = ");
        sql.arg(actor.now);
        if let Some(t) = &changes.title {
            sql.push(", title = ").arg(t.as_str());
        }
        if let Some(b) = &changes.body {
            sql.push(", body = ").arg(b.clone());
        }
        if let Some(d) = changes.due_at {
            sql.push(", due_at = ").arg(d);
        }
        if let Some(a) = &changes.assignee_id {
            sql.push(", assignee_id = ").arg(a.clone());
        }
        if let Some(done) = changes.done {
            sql.push(", done_at = ").arg(done.then_some(actor.now));
        }
        sql.push(" WHERE id = ").arg(id);
        if query(&sql).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("task", id));
        }
        tx.commit().await?;
        self.task(id).await
    }

    async fn task(&self, id: &str) -> StoreResult<Task> {
        let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        task_of(&row.ok_or_else(|| StoreError::not_found("task", id))?)
    }

    async fn tasks(&self, q: &TaskQuery) -> StoreResult<Page<Task>> {
        let mut sql = sql(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE 1 = 1"));
        if let Some(a) = &q.assignee_id {
            sql.push(" AND assignee_id = ").arg(a.as_str());
        }
        if let Some(c) = &q.contact_id {
            sql.push(" AND contact_id = ").arg(c.as_str());
        }
        if q.open_only {
            sql.push(" AND done_at IS NULL");
        }
        if let Some(cursor) = &q.after {
            let (v, id) = decode_cursor("created_at", cursor).ok_or_else(|| {
                StoreError::Invalid(leadline_core::FieldError::new(
                    "cursor",
                    "invalid_cursor",
                    "the cursor is not one this list gave out",
                ))
            })?;
            let v = v.and_then(|s| s.as_int()).unwrap_or_default();
            sql.push(" AND (created_at < ")
                .arg(v)
                .push(" OR (created_at = ")
                .arg(v)
                .push(" AND id < ")
                .arg(id)
                .push("))");
        }
        sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").arg(i64::from(q.limit) + 1);
        let mut items: Vec<Task> =
            query(&sql).fetch_all(&self.reader).await?.iter().map(task_of).collect::<StoreResult<_>>()?;
        let next = if items.len() > q.limit as usize {
            items.truncate(q.limit as usize);
            items
                .last()
                .map(|t| encode_cursor("created_at", Some(&leadline_core::record::Scalar::Int(t.created_at)), &t.id))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn delete_task(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if sqlx::query("DELETE FROM tasks WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("task", id));
        }
        tx.commit().await?;
        Ok(())
    }
}
