//! Webhook subscriptions, the delivery log, and the field history read for change events
//! (see `WebhookStore`).

use std::collections::HashMap;

use super::{int, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::sql::{new_id, Arg};
use crate::{Attempt, Delivery, HistoryRow, NewDelivery, WebhookRow};

const HOOK_COLUMNS: &str = "id, url, events, secret, active, description, created_at, updated_at";
const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, w.url, w.secret, d.message_id, d.event_type, d.payload, d.status, \
     d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at";

fn hook_of(row: &DbRow) -> StoreResult<WebhookRow> {
    Ok(WebhookRow {
        id: req_text(row, "id")?,
        url: req_text(row, "url")?,
        events: serde_json::from_str(&req_text(row, "events")?)?,
        secret: req_text(row, "secret")?,
        active: req_int(row, "active")? != 0,
        description: text(row, "description")?,
        created_at: req_int(row, "created_at")?,
        updated_at: req_int(row, "updated_at")?,
    })
}

fn delivery_of(row: &DbRow) -> StoreResult<Delivery> {
    Ok(Delivery {
        id: req_text(row, "id")?,
        webhook_id: req_text(row, "webhook_id")?,
        url: req_text(row, "url")?,
        secret: req_text(row, "secret")?,
        message_id: req_text(row, "message_id")?,
        event_type: req_text(row, "event_type")?,
        payload: req_text(row, "payload")?,
        status: req_text(row, "status")?,
        attempts: req_int(row, "attempts")?,
        next_attempt_at: int(row, "next_attempt_at")?,
        last_status: int(row, "last_status")?,
        last_error: text(row, "last_error")?,
        created_at: req_int(row, "created_at")?,
        delivered_at: int(row, "delivered_at")?,
    })
}

impl SqlStore {
    async fn delivery_where(&self, filter: &str, arg: &str, limit: u32) -> StoreResult<Vec<Delivery>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE {filter} = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT $2"
        ))
        .bind(arg)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(delivery_of).collect()
    }
}

#[async_trait::async_trait]
impl crate::WebhookStore for SqlStore {
    async fn save_webhook(&self, id: Option<&str>, w: &WebhookRow, now: i64) -> StoreResult<WebhookRow> {
        let events = serde_json::to_string(&w.events)?;
        let id = match id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE webhooks SET url = $1, events = $2, active = $3, description = $4, updated_at = $5 WHERE id = $6",
                )
                .bind(&w.url)
                .bind(&events)
                .bind(i64::from(w.active))
                .bind(&w.description)
                .bind(now)
                .bind(id)
                .execute(&self.writer)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found("webhook", id));
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                sqlx::query(&format!("INSERT INTO webhooks ({HOOK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"))
                    .bind(&id)
                    .bind(&w.url)
                    .bind(&events)
                    .bind(&w.secret)
                    .bind(i64::from(w.active))
                    .bind(&w.description)
                    .bind(now)
                    .execute(&self.writer)
                    .await?;
                id
            }
        };
        self.webhook(&id).await
    }

    async fn webhook(&self, id: &str) -> StoreResult<WebhookRow> {
        let row = sqlx::query(&format!("SELECT {HOOK_COLUMNS} FROM webhooks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.writer)
            .await?;
        hook_of(&row.ok_or_else(|| StoreError::not_found("webhook", id))?)
    }

    async fn webhooks(&self) -> StoreResult<Vec<WebhookRow>> {
        let rows = sqlx::query(&format!("SELECT {HOOK_COLUMNS} FROM webhooks ORDER BY created_at, id"))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(hook_of).collect()
    }

    async fn delete_webhook(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("webhook", id));
        }
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn history_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<HistoryRow>> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(
            "SELECT seq, object, object_id, field, from_value, to_value, at, cause FROM field_history \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?;
        let ids: Vec<String> = {
            let mut v: Vec<String> = rows.iter().filter_map(|r| text(r, "object_id").ok().flatten()).collect();
            v.sort();
            v.dedup();
            v
        };
        let mut first: HashMap<String, i64> = HashMap::new();
        for chunk in ids.chunks(super::chunk_size(1).min(5_000)) {
            let mut q = sql("SELECT object_id, MIN(seq) AS first FROM field_history WHERE object_id");
            q.in_texts(super::MANY, chunk.iter().map(String::as_str)).push(" GROUP BY object_id");
            for r in query(&q).fetch_all(&mut *conn).await? {
                first.insert(req_text(&r, "object_id")?, req_int(&r, "first")?);
            }
        }
        rows.iter()
            .map(|r| {
                let seq = req_int(r, "seq")?;
                let object_id = req_text(r, "object_id")?;
                Ok(HistoryRow {
                    first: first.get(&object_id) == Some(&seq),
                    seq,
                    object: req_text(r, "object")?,
                    object_id,
                    field: req_text(r, "field")?,
                    from: text(r, "from_value")?,
                    to: text(r, "to_value")?,
                    at: req_int(r, "at")?,
                    cause: req_text(r, "cause")?,
                })
            })
            .collect()
    }

    async fn log_ends(&self) -> StoreResult<(i64, i64)> {
        let log: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM activities").fetch_one(&self.reader).await?;
        let history: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM field_history").fetch_one(&self.reader).await?;
        Ok((log.unwrap_or(0), history.unwrap_or(0)))
    }

    async fn enqueue_deliveries(
        &self,
        rows: &[NewDelivery],
        reader: &str,
        holder: &str,
        upto: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !super::state::holds(&mut tx, reader, holder, now).await? {
            return Ok(false);
        }
        let statements = super::chunked(
            rows.iter().map(|d| -> Vec<Arg> {
                vec![
                    new_id().into(),
                    d.webhook_id.clone().into(),
                    d.message_id.clone().into(),
                    d.event_type.clone().into(),
                    d.payload.clone().into(),
                    "pending".into(),
                    now.into(),
                    now.into(),
                ]
            }),
            super::chunk_size(8),
        )
        .map(|chunk| {
            let mut q = super::sql_rows(
                "INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_type, payload, status, \
                 next_attempt_at, created_at) ",
                chunk,
            );
            q.push(" ON CONFLICT (webhook_id, message_id) DO NOTHING");
            q
        });
        super::execute_all(&mut tx, statements).await?;
        super::state::set_place(&mut tx, reader, upto).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn take_due_deliveries(&self, now: i64, hold: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        let mut tx = self.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut taken = Vec::new();
        for id in ids {
            // Held only if still due: another server may have taken it meanwhile.
            let done = sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending' \
                 AND next_attempt_at <= $3",
            )
            .bind(now + hold)
            .bind(&id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                taken.push(id);
            }
        }
        let mut out = Vec::with_capacity(taken.len());
        for id in &taken {
            let row = sqlx::query(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                out.push(delivery_of(&row)?);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn record_attempt(&self, id: &str, a: Attempt, now: i64) -> StoreResult<()> {
        let status = match (a.delivered, a.next) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        let mut q = sql("UPDATE webhook_deliveries SET attempts = attempts + 1, status = ");
        q.arg(status).push(", next_attempt_at = ").arg(a.next);
        q.push(", last_status = ").arg(a.status).push(", last_error = ").arg(a.error);
        q.push(", delivered_at = ").arg(a.delivered.then_some(now)).push(" WHERE id = ").arg(id);
        query(&q).execute(&self.writer).await?;
        Ok(())
    }

    async fn deliveries(&self, webhook_id: &str, limit: u32) -> StoreResult<Vec<Delivery>> {
        self.delivery_where("d.webhook_id", webhook_id, limit).await
    }

    async fn delivery(&self, id: &str) -> StoreResult<Delivery> {
        self.delivery_where("d.id", id, 1).await?.pop().ok_or_else(|| StoreError::not_found("delivery", id))
    }

    async fn redeliver(&self, id: &str, now: i64) -> StoreResult<Delivery> {
        let done = sqlx::query("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("delivery", id));
        }
        self.delivery(id).await
    }
}
