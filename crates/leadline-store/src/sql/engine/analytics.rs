//! What the analytics engine reads (see `AnalyticsStore`).

use leadline_core::record::{self, ObjectKind};
use leadline_core::Millis;

use sqlx::Row;

use super::{query, sql, SqlStore};
use crate::error::StoreResult;
use crate::EventRow;

#[async_trait::async_trait]
impl crate::AnalyticsStore for SqlStore {
    async fn event_rows(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRow>> {
        let rows: Vec<(i64, String, i64, i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT seq, type, occurred_at, recorded_at, contact_id, visitor_id FROM activities \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, kind, occurred_at, recorded_at, contact_id, visitor_id)| EventRow {
                seq,
                kind,
                occurred_at,
                recorded_at,
                contact_id,
                visitor_id,
            })
            .collect())
    }

    async fn activity_epoch(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT epoch FROM activity_epoch WHERE id = 1").fetch_one(&self.reader).await?)
    }

    async fn activities_matching(
        &self,
        kind: &str,
        properties: &[(String, String)],
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<i64>> {
        let mut q = sql("SELECT seq FROM activities WHERE type = ");
        q.arg(kind).push(" AND occurred_at >= ").arg(from).push(" AND occurred_at < ").arg(to);
        for (name, value) in properties {
            let key = q.bind(name.as_str());
            q.push(&format!(" AND CAST({} AS TEXT) = ", super::super::json_text("properties", &key)))
                .arg(value.as_str());
        }
        q.push(" ORDER BY seq");
        let rows = query(&q).fetch_all(&self.reader).await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
    }

    async fn saved_funnels(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT key, definition FROM saved_funnels ORDER BY key").fetch_all(&self.reader).await?)
    }

    async fn save_funnel(&self, key: &str, definition: &str, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO saved_funnels (key, definition, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(definition)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stage_reached(&self, from: Millis, to: Millis) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT to_value, COUNT(DISTINCT object_id) FROM field_history \
             WHERE field = 'lifecycle_stage' AND at >= $1 AND at < $2 AND to_value IS NOT NULL GROUP BY to_value",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn stage_times(&self, contact_ids: &[String]) -> StoreResult<Vec<(String, String, Millis)>> {
        let mut out = Vec::new();
        for chunk in contact_ids.chunks(super::chunk_size(1).min(10_000)) {
            let mut q = sql("SELECT object_id, to_value, MIN(at) FROM field_history WHERE field = 'lifecycle_stage' AND to_value IS NOT NULL AND object_id");
            q.in_texts(super::MANY, chunk.iter().map(String::as_str));
            q.push(" GROUP BY object_id, to_value");
            for row in query(&q).fetch_all(&self.reader).await? {
                out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
        }
        Ok(out)
    }

    async fn stage_history_between(&self, from: Millis, to: Millis) -> StoreResult<Vec<(String, String, Millis)>> {
        Ok(sqlx::query_as(
            "SELECT object_id, to_value, MIN(at) FROM field_history WHERE field = 'lifecycle_stage' AND to_value IS NOT NULL \
             AND object_id IN (SELECT object_id FROM field_history WHERE field = 'lifecycle_stage' AND at >= $1 AND at < $2) \
             GROUP BY object_id, to_value",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn touchpoints(&self, contact_ids: &[String]) -> StoreResult<Vec<(String, Millis, String)>> {
        let mut out = Vec::new();
        for chunk in contact_ids.chunks(super::chunk_size(1).min(10_000)) {
            let mut q = sql("SELECT contact_id, occurred_at, type FROM activities WHERE contact_id");
            q.in_texts(super::MANY, chunk.iter().map(String::as_str));
            q.push(" AND type NOT IN ('stage_changed', 'score_changed', 'segment_entered', 'segment_left', 'lead_assigned', 'identified', 'import')");
            for row in query(&q).fetch_all(&self.reader).await? {
                out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
            }
        }
        Ok(out)
    }

    async fn contact_values(&self, field: &str) -> StoreResult<Vec<(String, Option<String>)>> {
        let mut q = sql("SELECT id, ");
        match record::field(ObjectKind::Contact, field) {
            Some(spec) => q.push(&format!("CAST({} AS TEXT)", spec.name)),
            None => {
                let key = q.bind(field);
                q.push(&format!("CAST({} AS TEXT)", super::super::json_text("properties", &key)))
            }
        };
        q.push(" FROM contacts WHERE merged_into IS NULL");
        let rows = query(&q).fetch_all(&self.reader).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<Option<String>, _>(1)?))).collect()
    }
}
