//! Routing's records: its settings, the members who take leads, the engine's assignments, and
//! the work queue read from them. The choice of who gets a lead is core's (`routing::route`);
//! the engine writes it with its other consequences (`state.rs`).

use std::collections::HashMap;

use leadline_core::record::ObjectKind;
use leadline_core::routing::Member;

use super::records::{self, Conn};
use super::{query, sql, SqlStore, MANY};
use crate::error::{StoreError, StoreResult};
use crate::{Assigned, QueueEntry, INTENT_TYPES, TOUCH_TYPES};

/// The contacts in a work queue: open leads, not yet disqualified or sent back to nurture.
const OPEN_LEAD: &str = "merged_into IS NULL AND lifecycle_stage IN ('mql', 'sql') \
     AND COALESCE(lead_status, '') NOT IN ('disqualified', 'recycled')";

/// Record that the engine gave `contact_id` to `owner_id` (the owner field itself is written by
/// the caller, with its history): the current assignment, and the member's turn moved on.
pub(super) async fn record_assignment(
    conn: &mut Conn,
    contact_id: &str,
    owner_id: &str,
    reason: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO lead_assignments (contact_id, owner_id, assigned_at, reason) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (contact_id) DO UPDATE SET owner_id = excluded.owner_id, assigned_at = excluded.assigned_at, \
         reason = excluded.reason",
    )
    .bind(contact_id)
    .bind(owner_id)
    .bind(now)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE routing_members SET assigned = assigned + 1 WHERE user_id = $1")
        .bind(owner_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `type IN (...)` over a fixed list of activity types.
fn types_in(types: &[&str]) -> String {
    let quoted: Vec<String> = types.iter().map(|t| format!("'{t}'")).collect();
    format!("type IN ({})", quoted.join(", "))
}

/// The assignments of these contacts (or, with `since`, of every contact assigned since then),
/// each with its first touch after it.
async fn assignments_of(conn: &mut Conn, ids: Option<&[String]>, since: i64, limit: u32) -> StoreResult<Vec<Assigned>> {
    let mut q = sql(&format!(
        "SELECT a.contact_id, a.owner_id, a.assigned_at, a.reason, \
         (SELECT MIN(t.occurred_at) FROM activities t WHERE t.contact_id = a.contact_id \
          AND t.occurred_at >= a.assigned_at AND t.{}) AS first_touch \
         FROM lead_assignments a WHERE a.assigned_at >= ",
        types_in(TOUCH_TYPES)
    ));
    q.arg(since);
    if let Some(ids) = ids {
        q.push(" AND a.contact_id");
        q.in_texts(MANY, ids.iter().map(String::as_str));
    }
    q.push(" ORDER BY a.assigned_at DESC, a.contact_id LIMIT ").arg(i64::from(limit));
    let rows = query(&q).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            use sqlx::Row;
            Ok(Assigned {
                contact_id: r.try_get("contact_id")?,
                owner_id: r.try_get("owner_id")?,
                assigned_at: r.try_get("assigned_at")?,
                reason: r.try_get("reason")?,
                first_touch: r.try_get("first_touch")?,
            })
        })
        .collect()
}

type MemberRow = (String, String, i64, Option<i64>, Option<i64>, i64, i64);

#[async_trait::async_trait]
impl crate::RoutingStore for SqlStore {
    async fn routing_settings(&self) -> StoreResult<Option<(String, u32)>> {
        let row: Option<(String, i64)> = sqlx::query_as("SELECT rules, sla_minutes FROM routing_settings WHERE id = 1")
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(|(rules, sla)| (rules, u32::try_from(sla).unwrap_or(u32::MAX))))
    }

    async fn set_routing_settings(&self, rules: &str, sla_minutes: u32, now: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO routing_settings (id, rules, sla_minutes, updated_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, sla_minutes = excluded.sla_minutes, \
             updated_at = excluded.updated_at",
        )
        .bind(rules)
        .bind(i64::from(sla_minutes))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn routing_members(&self) -> StoreResult<Vec<Member>> {
        let rows: Vec<MemberRow> = sqlx::query_as(&format!(
            "SELECT m.user_id, m.team, m.weight, m.max_open, m.away_until, m.assigned, \
             (SELECT COUNT(*) FROM contacts WHERE owner_id = m.user_id AND {OPEN_LEAD}) AS open \
             FROM routing_members m ORDER BY m.team, m.user_id"
        ))
        .fetch_all(&self.reader)
        .await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|(user_id, team, weight, max_open, away_until, assigned, open)| Member {
                user_id,
                team,
                weight: count(weight),
                max_open: max_open.map(count),
                away_until,
                open: count(open),
                assigned: u64::try_from(assigned).unwrap_or_default(),
            })
            .collect())
    }

    async fn set_routing_member(&self, m: &Member) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let known: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(&m.user_id).fetch_optional(&mut *tx).await?;
        if known.is_none() {
            return Err(StoreError::not_found("user", &m.user_id));
        }
        // A newcomer starts level with the team (at its lowest turn), not owed every lead since
        // the team began.
        let level: Option<i64> = sqlx::query_scalar("SELECT MIN(assigned) FROM routing_members WHERE team = $1")
            .bind(&m.team)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO routing_members (user_id, team, weight, max_open, away_until, assigned) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET team = excluded.team, \
             weight = excluded.weight, max_open = excluded.max_open, away_until = excluded.away_until",
        )
        .bind(&m.user_id)
        .bind(&m.team)
        .bind(i64::from(m.weight))
        .bind(m.max_open.map(i64::from))
        .bind(m.away_until)
        .bind(level.unwrap_or(0))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_routing_member(&self, user_id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM routing_members WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("routing member", user_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn work_queue(&self, owners: &[String], unowned: bool, limit: u32) -> StoreResult<Vec<QueueEntry>> {
        let mut conn = self.reader.acquire().await?;
        let mut q = sql(&format!("SELECT id FROM contacts WHERE {OPEN_LEAD} AND (owner_id"));
        q.in_texts(MANY, owners.iter().map(String::as_str));
        if unowned {
            q.push(" OR owner_id IS NULL");
        }
        q.push(") ORDER BY updated_at DESC, id LIMIT ").arg(i64::from(limit));
        let ids: Vec<String> = {
            use sqlx::Row;
            query(&q).fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let contacts = records::load(&mut conn, ObjectKind::Contact, &ids).await?;
        let mut assignments: HashMap<String, Assigned> = assignments_of(&mut conn, Some(&ids), i64::MIN, limit)
            .await?
            .into_iter()
            .map(|a| (a.contact_id.clone(), a))
            .collect();
        let mut q = sql(&format!(
            "SELECT contact_id, MAX(occurred_at) AS at FROM activities WHERE {} AND contact_id",
            types_in(INTENT_TYPES)
        ));
        q.in_texts(MANY, ids.iter().map(String::as_str));
        q.push(" GROUP BY contact_id");
        let intents: HashMap<String, i64> = {
            use sqlx::Row;
            query(&q)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("contact_id")?, r.try_get("at")?)))
                .collect::<Result<_, sqlx::Error>>()?
        };
        Ok(contacts
            .into_iter()
            .map(|contact| QueueEntry {
                // Only while the lead is still with the owner it was given to.
                assignment: assignments
                    .remove(&contact.id)
                    .filter(|a| contact.text("owner_id") == Some(a.owner_id.as_str())),
                last_intent: intents.get(&contact.id).copied(),
                contact,
            })
            .collect())
    }

    async fn assignments(&self, since: i64, limit: u32) -> StoreResult<Vec<Assigned>> {
        assignments_of(&mut *self.reader.acquire().await?, None, since, limit).await
    }
}
