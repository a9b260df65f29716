//! Campaigns, their spend, and what the campaign and attribution reports read (see
//! `CampaignStore`).

use std::collections::HashMap;

use super::{int, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::sql::{new_id, Arg};
use crate::{CampaignRow, JourneyRow, TouchRow, WonDeal};

const COLUMNS: &str =
    "id, name, channel, utm_campaign, source_list, starts_on, ends_on, budget, currency, created_at, updated_at";

fn campaign_of(row: &DbRow) -> StoreResult<CampaignRow> {
    Ok(CampaignRow {
        id: req_text(row, "id")?,
        name: req_text(row, "name")?,
        channel: req_text(row, "channel")?,
        utm_campaign: text(row, "utm_campaign")?,
        source_list: text(row, "source_list")?,
        starts_on: text(row, "starts_on")?,
        ends_on: text(row, "ends_on")?,
        budget: int(row, "budget")?,
        currency: req_text(row, "currency")?,
        created_at: req_int(row, "created_at")?,
        updated_at: req_int(row, "updated_at")?,
    })
}

/// The contacts a journey report reads: made since `$1`, or with a stage change since.
const JOURNEY_CONTACTS: &str = "SELECT id FROM contacts WHERE merged_into IS NULL AND created_at >= $1 \
     UNION SELECT object_id FROM field_history WHERE field = 'lifecycle_stage' AND at >= $1";

#[async_trait::async_trait]
impl crate::CampaignStore for SqlStore {
    async fn save_campaign(&self, id: Option<&str>, c: &CampaignRow, now: i64) -> StoreResult<CampaignRow> {
        let mut tx = self.begin().await?;
        for (column, value) in [("utm_campaign", &c.utm_campaign), ("source_list", &c.source_list)] {
            let Some(v) = value else { continue };
            let taken: Option<String> = sqlx::query_scalar(&format!("SELECT id FROM campaigns WHERE {column} = $1"))
                .bind(v)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some_and(|t| Some(t.as_str()) != id) {
                return Err(StoreError::conflict(
                    "campaign_taken",
                    column,
                    format!("another campaign already has the {column} {v:?}"),
                ));
            }
        }
        let values: Vec<Arg> = vec![
            c.name.clone().into(),
            c.channel.clone().into(),
            c.utm_campaign.clone().into(),
            c.source_list.clone().into(),
            c.starts_on.clone().into(),
            c.ends_on.clone().into(),
            c.budget.into(),
            c.currency.clone().into(),
        ];
        let id = match id {
            Some(id) => {
                let mut q = sql("UPDATE campaigns SET ");
                for (i, (column, v)) in
                    ["name", "channel", "utm_campaign", "source_list", "starts_on", "ends_on", "budget", "currency"]
                        .iter()
                        .zip(values)
                        .enumerate()
                {
                    if i > 0 {
                        q.push(", ");
                    }
                    q.push(&format!("{column} = ")).arg(v);
                }
                q.push(", updated_at = ").arg(now).push(" WHERE id = ").arg(id);
                if query(&q).execute(&mut *tx).await?.rows_affected() == 0 {
                    return Err(StoreError::not_found("campaign", id));
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                let mut q = sql(&format!("INSERT INTO campaigns ({COLUMNS}) VALUES ("));
                q.list(std::iter::once(Arg::from(id.clone())).chain(values).chain([now.into(), now.into()]));
                q.push(")");
                query(&q).execute(&mut *tx).await?;
                id
            }
        };
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1"))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        campaign_of(&row)
    }

    async fn campaign(&self, id: &str) -> StoreResult<CampaignRow> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        campaign_of(&row.ok_or_else(|| StoreError::not_found("campaign", id))?)
    }

    async fn campaigns(&self) -> StoreResult<Vec<CampaignRow>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM campaigns ORDER BY name, id")).fetch_all(&self.reader).await?;
        rows.iter().map(campaign_of).collect()
    }

    async fn delete_campaign(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if sqlx::query("DELETE FROM campaigns WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("campaign", id));
        }
        sqlx::query("DELETE FROM campaign_spend WHERE campaign_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_spend(&self, rows: &[(String, String, i64)]) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let mut known: HashMap<&str, bool> = HashMap::new();
        for (campaign, _, _) in rows {
            if !known.contains_key(campaign.as_str()) {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE id = $1")
                    .bind(campaign)
                    .fetch_one(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::Invalid(leadline_core::FieldError::new(
                        "campaign_id",
                        "unknown_reference",
                        format!("there is no campaign {campaign}"),
                    )));
                }
                known.insert(campaign, true);
            }
        }
        let statements = super::chunked(
            rows.iter().map(|(c, d, a)| -> Vec<Arg> { vec![c.clone().into(), d.clone().into(), (*a).into()] }),
            super::chunk_size(3),
        )
        .map(|chunk| {
            let mut q = super::sql_rows("INSERT INTO campaign_spend (campaign_id, day, amount) ", chunk);
            q.push(" ON CONFLICT (campaign_id, day) DO UPDATE SET amount = excluded.amount");
            q
        });
        super::execute_all(&mut tx, statements).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    async fn spend_between(&self, from: &str, to: &str) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT campaign_id, CAST(SUM(amount) AS BIGINT) FROM campaign_spend WHERE day >= $1 AND day <= $2 \
             GROUP BY campaign_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?)
    }

    async fn spend_of(&self, campaign_id: &str) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT day, amount FROM campaign_spend WHERE campaign_id = $1 ORDER BY day")
            .bind(campaign_id)
            .fetch_all(&self.reader)
            .await?)
    }

    async fn journeys(&self, since: i64) -> StoreResult<Vec<JourneyRow>> {
        let mut conn = self.reader.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT id, created_at, first_touch_campaign, source_list, original_source, lead_status FROM contacts \
             WHERE merged_into IS NULL AND id IN ({JOURNEY_CONTACTS})"
        ))
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        let stages: Vec<(String, Option<String>, i64)> = sqlx::query_as(&format!(
            "SELECT object_id, to_value, MIN(at) FROM field_history WHERE field = 'lifecycle_stage' \
             AND object_id IN ({JOURNEY_CONTACTS}) GROUP BY object_id, to_value"
        ))
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        let revenue: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT dc.contact_id, CAST(SUM(COALESCE(d.amount, 0)) AS BIGINT) FROM deals d \
             JOIN deal_contacts dc ON dc.deal_id = d.id WHERE d.status = 'won' \
             AND dc.contact_id IN ({JOURNEY_CONTACTS}) GROUP BY dc.contact_id"
        ))
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        let mut stages_of: HashMap<String, Vec<(String, i64)>> = HashMap::new();
        for (id, stage, at) in stages {
            if let Some(s) = stage {
                stages_of.entry(id).or_default().push((s, at));
            }
        }
        let revenue: HashMap<String, i64> = revenue.into_iter().collect();
        rows.iter()
            .map(|r| {
                let id = req_text(r, "id")?;
                Ok(JourneyRow {
                    created_at: req_int(r, "created_at")?,
                    first_touch_campaign: text(r, "first_touch_campaign")?,
                    source_list: text(r, "source_list")?,
                    original_source: text(r, "original_source")?,
                    disqualified: text(r, "lead_status")?.as_deref() == Some("disqualified"),
                    stages: stages_of.remove(&id).unwrap_or_default(),
                    revenue: revenue.get(&id).copied().unwrap_or(0),
                    contact_id: id,
                })
            })
            .collect()
    }

    async fn touches(&self, contact_ids: &[String]) -> StoreResult<Vec<TouchRow>> {
        let mut out = Vec::new();
        let channels = leadline_core::track::CHANNELS;
        for chunk in contact_ids.chunks(super::chunk_size(1).min(10_000)) {
            let mut q = sql("SELECT contact_id, occurred_at, channel, campaign FROM activities WHERE contact_id");
            q.in_texts(super::MANY, chunk.iter().map(String::as_str));
            q.push(" AND channel IN (").list(channels.iter().copied()).push(") ORDER BY occurred_at, seq");
            for row in query(&q).fetch_all(&self.reader).await? {
                out.push(TouchRow {
                    contact_id: req_text(&row, "contact_id")?,
                    at: req_int(&row, "occurred_at")?,
                    channel: req_text(&row, "channel")?,
                    campaign: text(&row, "campaign")?,
                });
            }
        }
        out.sort_by_key(|t| t.at);
        Ok(out)
    }

    async fn won_deals(&self, from: i64, to: i64) -> StoreResult<Vec<WonDeal>> {
        let rows: Vec<(String, Option<i64>, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT d.id, d.amount, d.currency, d.closed_at, dc.contact_id FROM deals d JOIN deal_contacts dc ON dc.deal_id = d.id \
             WHERE d.status = 'won' AND d.closed_at >= $1 AND d.closed_at < $2 ORDER BY d.closed_at, d.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?;
        let mut out: Vec<WonDeal> = Vec::new();
        for (id, amount, currency, closed_at, contact) in rows {
            match out.last_mut() {
                Some(last) if last.deal_id == id => last.contact_ids.push(contact),
                _ => out.push(WonDeal {
                    deal_id: id,
                    amount: amount.unwrap_or(0),
                    currency,
                    closed_at,
                    contact_ids: vec![contact],
                }),
            }
        }
        Ok(out)
    }
}
