//! Pipelines, exchange rates, forecast goals, and the deals boards and forecasts read (see
//! `PipelineStore`).

use leadline_core::Millis;

use super::{int, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::StoreResult;
use crate::{HealthQuery, PipelineDeal, PipelineDealQuery};

fn deal_of(row: &DbRow) -> StoreResult<PipelineDeal> {
    Ok(PipelineDeal {
        id: req_text(row, "id")?,
        name: text(row, "name")?,
        pipeline: text(row, "pipeline")?,
        stage: text(row, "stage")?,
        amount: int(row, "amount")?,
        currency: text(row, "currency")?,
        close_date: text(row, "close_date")?,
        owner_id: text(row, "owner_id")?,
        company_id: text(row, "company_id")?,
        status: text(row, "status")?,
        forecast_category: text(row, "forecast_category")?,
        stage_entered_at: req_int(row, "entered")?,
        closed_at: int(row, "closed_at")?,
        created_at: req_int(row, "created_at")?,
    })
}

#[async_trait::async_trait]
impl crate::PipelineStore for SqlStore {
    async fn pipelines(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT key, definition FROM pipelines ORDER BY position").fetch_all(&self.reader).await?)
    }

    async fn save_pipelines(&self, pipelines: &[(String, String)], now: Millis) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM pipelines").execute(&mut *tx).await?;
        for (i, (key, definition)) in pipelines.iter().enumerate() {
            sqlx::query("INSERT INTO pipelines (key, position, definition, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(key)
                .bind(i as i64)
                .bind(definition)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn deals_per_pipeline(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(pipeline, 'default'), COUNT(*) FROM deals WHERE merged_into IS NULL \
             GROUP BY COALESCE(pipeline, 'default')",
        )
        .fetch_all(&self.reader)
        .await?)
    }

    async fn rates(&self) -> StoreResult<Vec<(String, String, f64)>> {
        Ok(sqlx::query_as("SELECT currency, day, rate FROM currency_rates ORDER BY currency, day")
            .fetch_all(&self.reader)
            .await?)
    }

    async fn set_rates(&self, rates: &[(String, String, f64)]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for (currency, day, rate) in rates {
            sqlx::query(
                "INSERT INTO currency_rates (currency, day, rate) VALUES ($1, $2, $3) \
                 ON CONFLICT (currency, day) DO UPDATE SET rate = excluded.rate",
            )
            .bind(currency)
            .bind(day)
            .bind(rate)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn goals(&self, from: &str, to: &str) -> StoreResult<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT month, owner_id, amount FROM forecast_goals WHERE month >= $1 AND month <= $2 ORDER BY month, owner_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn set_goals(&self, goals: &[(String, String, i64)]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for (month, owner, amount) in goals {
            sqlx::query(
                "INSERT INTO forecast_goals (month, owner_id, amount) VALUES ($1, $2, $3) \
                 ON CONFLICT (month, owner_id) DO UPDATE SET amount = excluded.amount",
            )
            .bind(month)
            .bind(owner)
            .bind(amount)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn deal_stage_history(&self, pipeline: &str) -> StoreResult<Vec<(String, String, Millis)>> {
        Ok(sqlx::query_as(
            "SELECT h.object_id, h.to_value, h.at FROM field_history h JOIN deals d ON d.id = h.object_id \
             WHERE h.field = 'stage' AND h.to_value IS NOT NULL AND d.merged_into IS NULL \
             AND COALESCE(d.pipeline, 'default') = $1 ORDER BY h.at, h.seq",
        )
        .bind(pipeline)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn pipeline_deals(&self, q: &PipelineDealQuery) -> StoreResult<Vec<PipelineDeal>> {
        let mut s =
            sql("SELECT id, name, pipeline, stage, amount, currency, close_date, owner_id, company_id, status, \
             forecast_category, COALESCE(stage_entered_at, created_at) AS entered, closed_at, created_at \
             FROM deals WHERE merged_into IS NULL");
        if let Some(p) = &q.pipeline {
            s.push(" AND COALESCE(pipeline, 'default') = ").arg(p.as_str());
        }
        if q.open_only {
            s.push(" AND COALESCE(status, 'open') = 'open'");
        }
        if let Some(o) = &q.owner_id {
            s.push(" AND owner_id = ").arg(o.as_str());
        }
        if let Some(f) = &q.close_from {
            s.push(" AND close_date >= ").arg(f.as_str());
        }
        if let Some(t) = &q.close_to {
            s.push(" AND close_date <= ").arg(t.as_str());
        }
        if let Some((from, to)) = q.closed_between {
            s.push(" AND closed_at >= ").arg(from).push(" AND closed_at < ").arg(to);
        }
        s.push(" ORDER BY entered, id LIMIT ").arg(i64::from(q.limit));
        query(&s).fetch_all(&self.reader).await?.iter().map(deal_of).collect()
    }

    async fn health_counts(
        &self,
        model: &str,
        stages: &[&str],
        pipelines: &[String],
    ) -> StoreResult<Vec<(Option<String>, i64, i64)>> {
        if stages.is_empty() {
            return Ok(Vec::new());
        }
        let mut s = sql("SELECT s.category AS category, COUNT(*) AS customers, SUM(CASE WHEN ");
        on_open_deal(&mut s, "c.id", pipelines);
        s.push(" THEN 1 ELSE 0 END) AS expanding FROM contacts c LEFT JOIN contact_scores s ON s.contact_id = c.id AND s.model = ")
            .arg(model)
            .push(" WHERE c.merged_into IS NULL AND c.lifecycle_stage IN (")
            .list(stages.iter().copied())
            .push(") GROUP BY s.category ORDER BY s.category");
        let rows = query(&s).fetch_all(&self.reader).await?;
        rows.iter().map(|r| Ok((text(r, "category")?, req_int(r, "customers")?, req_int(r, "expanding")?))).collect()
    }

    async fn health_customers(&self, q: &HealthQuery<'_>) -> StoreResult<Vec<String>> {
        if q.stages.is_empty() {
            return Ok(Vec::new());
        }
        // Walked in the order of the scores' index: it stops at the limit.
        let mut s =
            sql("SELECT s.contact_id AS contact_id FROM contact_scores s JOIN contacts c ON c.id = s.contact_id \
             WHERE s.model = ");
        s.arg(q.model).push(" AND s.category = ").arg(q.category);
        s.push(" AND c.merged_into IS NULL AND c.lifecycle_stage IN (").list(q.stages.iter().copied()).push(")");
        if let Some(on) = q.on_deal {
            s.push(if on { " AND " } else { " AND NOT " });
            on_open_deal(&mut s, "c.id", q.pipelines);
        }
        let order = if q.ascending { "ASC" } else { "DESC" };
        s.push(&format!(" ORDER BY s.score {order}, s.contact_id {order} LIMIT ")).arg(i64::from(q.limit));
        query(&s).fetch_all(&self.reader).await?.iter().map(|r| req_text(r, "contact_id")).collect()
    }
}

/// `EXISTS` an open deal of one of `pipelines` that the contact `contact` names is on (false
/// for no pipelines).
fn on_open_deal(s: &mut super::Sql, contact: &str, pipelines: &[String]) {
    if pipelines.is_empty() {
        s.push("1 = 0");
        return;
    }
    s.push(&format!(
        "EXISTS (SELECT 1 FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id WHERE dc.contact_id = {contact} \
         AND d.merged_into IS NULL AND COALESCE(d.status, 'open') = 'open' AND COALESCE(d.pipeline, 'default') IN ("
    ));
    s.list(pipelines.iter().map(String::as_str)).push("))");
}
