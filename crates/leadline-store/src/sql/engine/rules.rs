//! The engine's rules as people set them: versions of one JSON body, the newest applied. Saving
//! one asks the engine to decide every contact again in the same transaction, so no contact is
//! left as the old rules decided it.

use super::SqlStore;
use crate::error::{StoreError, StoreResult};
use crate::RuleVersion;

type Row = (i64, String, Option<String>, Option<String>, i64);

fn version((version, body, note, created_by, created_at): Row) -> RuleVersion {
    RuleVersion { version, body, note, created_by, created_at }
}

const COLUMNS: &str = "version, body, note, created_by, created_at";

#[async_trait::async_trait]
impl crate::RuleStore for SqlStore {
    async fn rules_version(&self) -> StoreResult<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MAX(version) FROM rule_versions").fetch_one(&self.reader).await?)
    }

    async fn rule_version(&self, v: i64) -> StoreResult<RuleVersion> {
        let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM rule_versions WHERE version = $1"))
            .bind(v)
            .fetch_optional(&self.reader)
            .await?;
        row.map(version).ok_or_else(|| StoreError::not_found("rule version", v.to_string()))
    }

    async fn rule_versions(&self, limit: u32) -> StoreResult<Vec<RuleVersion>> {
        let rows: Vec<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM rule_versions ORDER BY version DESC LIMIT $1"))
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
        Ok(rows.into_iter().map(version).collect())
    }

    async fn save_rules(
        &self,
        body: &str,
        note: Option<&str>,
        user_id: Option<&str>,
        engine: &str,
        now: i64,
    ) -> StoreResult<RuleVersion> {
        let mut tx = self.begin().await?;
        // Two saves at one moment (PostgreSQL's writers run side by side) would take the same
        // number: the second finds it taken and is told so, instead of failing.
        let row: Option<Row> = sqlx::query_as(&format!(
            "INSERT INTO rule_versions ({COLUMNS}) \
             SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4 FROM rule_versions WHERE true \
             ON CONFLICT (version) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(body)
        .bind(note)
        .bind(user_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::Conflict {
                code: "rules_changed",
                field: None,
                message: "another version of the rules was saved at the same moment; read them again and retry".into(),
            });
        };
        super::state::request_rescan(&mut tx, engine).await?;
        tx.commit().await?;
        Ok(version(row))
    }

    async fn rescan_progress(&self, engine: &str) -> StoreResult<Option<(i64, i64)>> {
        let after: Option<Option<String>> =
            sqlx::query_scalar("SELECT rescan_after FROM engine_progress WHERE name = $1")
                .bind(engine)
                .fetch_optional(&self.reader)
                .await?;
        let Some(after) = after.flatten() else { return Ok(None) };
        let (done, total): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(CASE WHEN id <= $1 THEN 1 END), COUNT(*) FROM contacts WHERE merged_into IS NULL",
        )
        .bind(after)
        .fetch_one(&self.reader)
        .await?;
        Ok(Some((done, total)))
    }
}
