//! The engine's memory: its progress through the activity log, under a lease, and what it last
//! decided for each contact (`contact_state`). A commit writes decisions and progress together,
//! and only while its holder still holds the lease, so each event's consequences are applied
//! once however many servers run the engine.

use std::collections::{BTreeSet, HashMap};

use leadline_core::engine::{Consequence, State};
use leadline_core::lifecycle::{ChangeCause, LifecycleStage};
use leadline_core::record::ObjectKind;

use super::records::{self, Conn};
use super::SqlStore;
use crate::error::{StoreError, StoreResult};
use crate::model::Actor;
use crate::{Claim, Contacts, Decision, FactsPage, Segment, SegmentDay};

fn state_of(scores: &str, segments: &str, stage: Option<String>) -> StoreResult<State> {
    let scores: Vec<(String, f64, Option<String>)> = serde_json::from_str(scores)?;
    let segments: BTreeSet<String> = serde_json::from_str(segments)?;
    Ok(State { scores, stage: stage.as_deref().and_then(LifecycleStage::parse), segments })
}

/// Engine `name`'s progress row, made at the start of the log when it has none.
async fn progress_row(conn: &mut Conn, name: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO engine_progress (name, seq, holder, lease_until) VALUES ($1, 0, NULL, 0) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ask engine `name` to decide every contact again, from the first.
pub(super) async fn request_rescan(conn: &mut Conn, name: &str) -> StoreResult<()> {
    progress_row(conn, name).await?;
    sqlx::query("UPDATE engine_progress SET rescan_after = '' WHERE name = $1").bind(name).execute(&mut *conn).await?;
    Ok(())
}

/// Where engine `name` has got to, and the marks it has to decide (at most `DIRTY_PER_CLAIM`).
async fn read_claim(conn: &mut Conn, name: &str) -> StoreResult<Claim> {
    let (seq, rescan_after): (i64, Option<String>) =
        sqlx::query_as("SELECT seq, rescan_after FROM engine_progress WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or((0, None));
    let dirty: Vec<(String, String)> =
        sqlx::query_as("SELECT contact_id, mark FROM engine_dirty ORDER BY contact_id LIMIT $1")
            .bind(i64::from(crate::DIRTY_PER_CLAIM))
            .fetch_all(&mut *conn)
            .await?;
    Ok(Claim { seq, rescan_after, dirty })
}

/// Take or keep `name`'s lease for `holder` until `now + lease`; whether it is `holder`'s.
async fn take_lease(conn: &mut Conn, name: &str, holder: &str, now: i64, lease: i64) -> StoreResult<bool> {
    progress_row(conn, name).await?;
    let taken = sqlx::query(
        "UPDATE engine_progress SET holder = $1, lease_until = $2 \
         WHERE name = $3 AND (holder = $1 OR holder IS NULL OR lease_until < $4)",
    )
    .bind(holder)
    .bind(now + lease)
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Whether `holder` holds engine `name`'s lease at `now`.
/// Move reader `name`'s place in its log, in the caller's transaction (which checked the
/// lease with `holds`).
pub(super) async fn set_place(conn: &mut Conn, name: &str, seq: i64) -> StoreResult<()> {
    sqlx::query("UPDATE engine_progress SET seq = $1 WHERE name = $2").bind(seq).bind(name).execute(&mut *conn).await?;
    Ok(())
}

pub(super) async fn holds(conn: &mut Conn, name: &str, holder: &str, now: i64) -> StoreResult<bool> {
    let row: Option<(Option<String>, i64)> =
        sqlx::query_as("SELECT holder, lease_until FROM engine_progress WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some_and(|(h, until)| h.as_deref() == Some(holder) && until >= now))
}

/// A contact's scores as lists filter and sort on them: a row per model, rounded.
/// What a commit decided, in a few statements for all its contacts however many they are (a
/// statement each would make a busy step's commit long, and the store's one writer with it):
/// each contact's state, and the score rows lists read for the models whose score changed
/// (rows of models the rules no longer have are dropped).
async fn write_states(conn: &mut Conn, decisions: &[Decision], now: i64) -> StoreResult<()> {
    use crate::sql::Arg;
    for chunk in decisions.chunks(super::chunk_size(5)) {
        let mut rows = Vec::with_capacity(chunk.len());
        for d in chunk {
            rows.push(vec![
                Arg::from(d.contact_id.as_str()),
                Arg::from(serde_json::to_string(&d.state.scores)?),
                Arg::from(serde_json::to_string(&d.state.segments)?),
                Arg::Text(d.state.stage.map(|s| s.as_str().to_owned())),
                Arg::from(now),
            ]);
        }
        let mut q =
            super::sql_rows("INSERT INTO contact_state (contact_id, scores, segments, stage, decided_at) ", rows);
        q.push(
            " ON CONFLICT (contact_id) DO UPDATE SET scores = excluded.scores, segments = excluded.segments, \
             stage = excluded.stage, decided_at = excluded.decided_at",
        );
        super::query(&q).execute(&mut *conn).await?;
    }
    let rescored: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.consequences.iter().any(|c| matches!(c, Consequence::ScoreChanged { .. })))
        .collect();
    let changed: Vec<Vec<crate::sql::Arg>> = rescored
        .iter()
        .flat_map(|d| {
            d.consequences.iter().filter_map(|c| match c {
                Consequence::ScoreChanged { model, to, category, .. } => Some(vec![
                    Arg::from(d.contact_id.as_str()),
                    Arg::from(model.as_str()),
                    Arg::from(to.round() as i64),
                    Arg::Text(category.clone()),
                ]),
                _ => None,
            })
        })
        .collect();
    for chunk in super::chunked(changed.into_iter(), super::chunk_size(4)) {
        let mut q = super::sql_rows("INSERT INTO contact_scores (contact_id, model, score, category) ", chunk);
        q.push(" ON CONFLICT (contact_id, model) DO UPDATE SET score = excluded.score, category = excluded.category");
        super::query(&q).execute(&mut *conn).await?;
    }
    // Every decision of a commit is made under one rule set: its models are any state's.
    let Some(first) = rescored.first() else { return Ok(()) };
    // Model keys are lower-case letters, digits and `_` (`score::is_model_key`): written as they are.
    let models: Vec<String> = first.state.scores.iter().map(|(m, _, _)| format!("'{m}'")).collect();
    for chunk in super::chunked(rescored.iter().map(|d| d.contact_id.as_str()), super::chunk_size(1)) {
        let mut q = super::sql("DELETE FROM contact_scores WHERE contact_id");
        q.in_texts(super::MANY, chunk);
        if !models.is_empty() {
            q.push(&format!(" AND model NOT IN ({})", models.join(", ")));
        }
        super::query(&q).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The statements that mark contacts for the engine to decide again (their fields, links or
/// company changed), in the transaction that changes them: `engine_dirty` holds each once,
/// with a new mark, so that the engine clears only the marks it read.
pub(super) fn mark(ids: impl IntoIterator<Item = String>) -> impl Iterator<Item = super::Sql> {
    let ids: BTreeSet<String> = ids.into_iter().collect();
    let mark = crate::sql::new_id();
    super::chunked(ids.into_iter(), super::chunk_size(2)).map(move |chunk| {
        let rows = chunk.into_iter().map(|id| vec![id.into(), mark.clone().into()]).collect();
        let mut q = super::sql_rows("INSERT INTO engine_dirty (contact_id, mark) ", rows);
        q.push(" ON CONFLICT (contact_id) DO UPDATE SET mark = excluded.mark");
        q
    })
}

/// The statement that marks the contacts linked to a company or a deal (see [`mark`]).
pub(super) fn mark_linked(object: ObjectKind, id: &str) -> Option<super::Sql> {
    let links = match object {
        ObjectKind::Contact => return None,
        ObjectKind::Company => "contact_companies WHERE company_id = ",
        ObjectKind::Deal => "deal_contacts WHERE deal_id = ",
    };
    let mut q = super::sql("INSERT INTO engine_dirty (contact_id, mark) SELECT contact_id, ");
    q.arg(crate::sql::new_id()).push(&format!(" FROM {links}")).arg(id);
    q.push(" ON CONFLICT (contact_id) DO UPDATE SET mark = excluded.mark");
    Some(q)
}

/// Forget what the engine decided for a contact that is gone (merged into another).
pub(super) async fn forget(conn: &mut Conn, contact_id: &str) -> StoreResult<()> {
    for table in ["contact_state", "contact_scores", "segment_members"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE contact_id = $1")).bind(contact_id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The timeline entry of a consequence: an activity of the engine's own kind.
fn timeline_entry(c: &Consequence) -> Option<(&'static str, serde_json::Value)> {
    match c {
        Consequence::StageChanged { from, to, rule } => Some((
            "stage_changed",
            serde_json::json!({"from": from.map(LifecycleStage::as_str), "to": to.as_str(), "rule": rule}),
        )),
        Consequence::SegmentEntered(k) => Some(("segment_entered", serde_json::json!({"segment": k}))),
        Consequence::SegmentLeft(k) => Some(("segment_left", serde_json::json!({"segment": k}))),
        Consequence::Assigned { user_id, reason } => {
            Some(("lead_assigned", serde_json::json!({"user_id": user_id, "reason": reason})))
        }
        // Scores move with every page view; the timeline would drown. A new category is an
        // event (a lead turning A, a product score reaching PQL); the rest is kept as state,
        // and so is a contact's first scoring (a rescan of contacts never decided would
        // otherwise write three entries for each).
        Consequence::ScoreChanged { model, to, was: Some(was), category, .. } if Some(was) != category.as_ref() => {
            Some(("score_changed", serde_json::json!({"model": model, "score": to, "from": was, "to": category})))
        }
        Consequence::ScoreChanged { .. } => None,
    }
}

#[async_trait::async_trait]
impl crate::EngineStore for SqlStore {
    async fn engine_claim(&self, name: &str, holder: &str, now: i64, lease: i64) -> StoreResult<Option<Claim>> {
        let mut tx = self.begin().await?;
        let claim = if take_lease(&mut tx, name, holder, now, lease).await? {
            Some(read_claim(&mut tx, name).await?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn engine_request_rescan(&self, name: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        request_rescan(&mut tx, name).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn engine_mark_stages(&self, stages: &[&str]) -> StoreResult<u64> {
        if stages.is_empty() {
            return Ok(0);
        }
        let mut q = super::sql("INSERT INTO engine_dirty (contact_id, mark) SELECT id, ");
        q.arg(crate::sql::new_id()).push(" FROM contacts WHERE merged_into IS NULL AND lifecycle_stage IN (");
        q.list(stages.iter().copied()).push(") ON CONFLICT (contact_id) DO UPDATE SET mark = excluded.mark");
        let mut tx = self.begin().await?;
        let marked = super::query(&q).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(marked)
    }

    async fn engine_read(&self, name: &str) -> StoreResult<Claim> {
        let mut conn = self.reader.acquire().await?;
        read_claim(&mut conn, name).await
    }

    async fn cursor_claim(&self, name: &str, holder: &str, now: i64, lease: i64) -> StoreResult<Option<i64>> {
        let mut tx = self.begin().await?;
        let seq = if take_lease(&mut tx, name, holder, now, lease).await? {
            Some(
                sqlx::query_scalar("SELECT seq FROM engine_progress WHERE name = $1")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?,
            )
        } else {
            None
        };
        tx.commit().await?;
        Ok(seq)
    }

    async fn cursor_advance(&self, name: &str, holder: &str, seq: i64, now: i64) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !holds(&mut tx, name, holder, now).await? {
            return Ok(false);
        }
        set_place(&mut tx, name, seq).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn log_after(&self, seq: i64, limit: u32) -> StoreResult<Vec<crate::LogEntry>> {
        let rows: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT seq, recorded_at, type, contact_id FROM activities WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, recorded_at, kind, contact_id)| crate::LogEntry { seq, recorded_at, kind, contact_id })
            .collect())
    }

    async fn contacts_after(&self, after: &str, limit: u32) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM contacts WHERE id > $1 AND merged_into IS NULL ORDER BY id LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?)
    }

    async fn contact_facts(&self, which: Contacts<'_>, since: i64, kinds: Option<&[String]>) -> StoreResult<FactsPage> {
        let mut conn = self.reader.acquire().await?;
        let contacts = match which {
            Contacts::After(after, limit) => {
                let ids: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM contacts WHERE id > $1 AND merged_into IS NULL ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
                records::load(&mut conn, ObjectKind::Contact, &ids).await?
            }
            Contacts::Ids(ids) => records::get_many(&mut conn, ObjectKind::Contact, ids).await?,
        };
        let mut page = FactsPage { contacts, ..Default::default() };
        let ids: Vec<String> = page.contacts.iter().map(|c| c.id.clone()).collect();
        let company_ids: BTreeSet<String> =
            page.contacts.iter().filter_map(|c| c.text("company_id")).map(str::to_owned).collect();
        let company_ids: Vec<String> = company_ids.into_iter().collect();
        for chunk in company_ids.chunks(super::chunk_size(2)) {
            for co in records::load(&mut conn, ObjectKind::Company, chunk).await? {
                page.companies.insert(co.id.clone(), co);
            }
        }
        for chunk in ids.chunks(super::chunk_size(2)) {
            page.activities.extend(super::activities::of_contacts(&mut conn, chunk, since, kinds).await?);
            let mut q = super::sql(
                "SELECT dc.contact_id, d.status, COUNT(*) AS n FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id \
                 WHERE d.merged_into IS NULL AND dc.contact_id",
            );
            q.in_texts(super::MANY, chunk.iter().map(String::as_str));
            q.push(" GROUP BY dc.contact_id, d.status");
            for row in super::query(&q).fetch_all(&mut *conn).await? {
                use sqlx::Row;
                let (contact, status, n): (String, Option<String>, i64) =
                    (row.try_get("contact_id")?, row.try_get("status")?, row.try_get("n")?);
                let entry = page.deals.entry(contact).or_default();
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                match status.as_deref() {
                    Some("open") => entry.0 += n,
                    Some("won") => entry.1 += n,
                    _ => {}
                }
            }
        }
        Ok(page)
    }

    async fn contact_ids_matching(&self, filters: &[crate::Filter]) -> StoreResult<Vec<String>> {
        let mut q = super::sql("SELECT id FROM contacts");
        records::where_sql(&mut q, ObjectKind::Contact, filters, None)?;
        q.push(" ORDER BY id");
        let rows = super::query(&q).fetch_all(&self.reader).await?;
        Ok(rows.iter().map(|r| sqlx::Row::try_get::<String, _>(r, "id")).collect::<Result<_, _>>()?)
    }

    async fn contact_states(&self, ids: &[String]) -> StoreResult<HashMap<String, State>> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut conn = self.reader.acquire().await?;
        for chunk in ids.chunks(super::chunk_size(1)) {
            let mut q = super::sql("SELECT contact_id, scores, segments, stage FROM contact_state WHERE contact_id");
            q.in_texts(super::MANY, chunk.iter().map(String::as_str));
            for row in super::query(&q).fetch_all(&mut *conn).await? {
                use sqlx::Row;
                let stage: Option<String> = row.try_get("stage")?;
                let state =
                    state_of(&row.try_get::<String, _>("scores")?, &row.try_get::<String, _>("segments")?, stage)?;
                out.insert(row.try_get("contact_id")?, state);
            }
        }
        Ok(out)
    }

    async fn engine_commit(
        &self,
        name: &str,
        holder: &str,
        progress: &Claim,
        decisions: &[Decision],
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !holds(&mut tx, name, holder, now).await? {
            return Ok(false);
        }
        let actor = Actor::new(None, ChangeCause::Rule, now);
        let mut days = SegmentDays::default();
        write_states(&mut tx, decisions, now).await?;
        for d in decisions {
            for c in &d.consequences {
                match c {
                    Consequence::SegmentEntered(segment) => {
                        days.add(segment, now, 1, 0);
                        sqlx::query(
                            "INSERT INTO segment_members (segment_id, contact_id, since) \
                             SELECT id, $2, $3 FROM segments WHERE id = $1 ON CONFLICT DO NOTHING",
                        )
                        .bind(segment)
                        .bind(&d.contact_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Consequence::SegmentLeft(segment) => {
                        days.add(segment, now, 0, 1);
                        sqlx::query("DELETE FROM segment_members WHERE segment_id = $1 AND contact_id = $2")
                            .bind(segment)
                            .bind(&d.contact_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    _ => {}
                }
                let field = match c {
                    Consequence::StageChanged { to, .. } => Some(("lifecycle_stage", to.as_str().to_owned())),
                    Consequence::Assigned { user_id, .. } => Some(("owner_id", user_id.clone())),
                    _ => None,
                };
                if let Some((name, value)) = field {
                    let current = match records::get(&mut tx, ObjectKind::Contact, &d.contact_id).await {
                        Ok(r) => r,
                        Err(StoreError::NotFound { .. }) => continue,
                        Err(e) => return Err(e),
                    };
                    if let Consequence::Assigned { user_id, reason } = c {
                        // Someone gave the lead an owner since the engine read it: theirs stands.
                        if current.text("owner_id").is_some() {
                            continue;
                        }
                        super::routing::record_assignment(&mut tx, &current.id, user_id, reason, now).await?;
                    }
                    let mut changes = leadline_core::contact::FieldChanges::default();
                    let spec = leadline_core::record::field(ObjectKind::Contact, name).expect("a contact field");
                    changes.set(spec, Some(leadline_core::record::Scalar::Text(value)));
                    records::update(&mut tx, &current, &changes, Vec::new(), actor).await?;
                }
                if let Some((kind, properties)) = timeline_entry(c) {
                    sqlx::query(
                        "INSERT INTO activities (id, type, occurred_at, recorded_at, contact_id, properties) \
                         SELECT $1, $2, $3, $3, id, $4 FROM contacts WHERE id = $5",
                    )
                    .bind(crate::sql::new_id())
                    .bind(kind)
                    .bind(now)
                    .bind(properties.to_string())
                    .bind(&d.contact_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        days.write(&mut tx).await?;
        for (contact_id, mark) in &progress.dirty {
            sqlx::query("DELETE FROM engine_dirty WHERE contact_id = $1 AND mark = $2")
                .bind(contact_id)
                .bind(mark)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE engine_progress SET seq = $1, rescan_after = $2 WHERE name = $3")
            .bind(progress.seq)
            .bind(progress.rescan_after.as_deref())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Segment entries and exits of one transaction, counted by segment and day, written as one
/// row change each.
#[derive(Default)]
struct SegmentDays(HashMap<(String, i64), (i64, i64)>);

impl SegmentDays {
    fn add(&mut self, segment: &str, at: i64, entered: i64, left: i64) {
        if entered == 0 && left == 0 {
            return;
        }
        let counts = self.0.entry((segment.to_owned(), at.div_euclid(DAY_MS))).or_default();
        counts.0 += entered;
        counts.1 += left;
    }

    async fn write(self, conn: &mut Conn) -> StoreResult<()> {
        for ((segment, day), (entered, left)) in self.0 {
            // Only for a segment that still exists (one deleted meanwhile keeps no history).
            sqlx::query(
                "INSERT INTO segment_days (segment_id, day, entered, exited) \
                 SELECT id, $2, $3, $4 FROM segments WHERE id = $1 \
                 ON CONFLICT (segment_id, day) DO UPDATE SET entered = segment_days.entered + excluded.entered, \
                 exited = segment_days.exited + excluded.exited",
            )
            .bind(segment)
            .bind(day)
            .bind(entered)
            .bind(left)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

const DAY_MS: i64 = 24 * 3600 * 1000;

type SegmentRow = (String, String, String, String, i64, i64);

fn segment_of(row: SegmentRow) -> Segment {
    let (id, name, kind, condition, created_at, updated_at) = row;
    let condition = (kind != "static").then_some(condition);
    Segment { id, name, condition, created_at, updated_at }
}

const SEGMENT_COLUMNS: &str = "id, name, kind, condition, created_at, updated_at";

/// A static list's kind, or the error for a dynamic segment that was asked to take members.
async fn static_list(conn: &mut Conn, id: &str) -> StoreResult<()> {
    let kind: Option<String> =
        sqlx::query_scalar("SELECT kind FROM segments WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    match kind.as_deref() {
        None => Err(StoreError::not_found("segment", id)),
        Some("static") => Ok(()),
        Some(_) => Err(StoreError::Conflict {
            code: "dynamic_segment",
            field: None,
            message: "a dynamic segment's members are the contacts that meet its condition; add to a static list"
                .into(),
        }),
    }
}

/// A membership change on the contact's timeline, by the person who made it.
async fn list_entry(conn: &mut Conn, kind: &str, id: &str, contact_id: &str, actor: Actor<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO activities (id, type, occurred_at, recorded_at, contact_id, actor_id, properties) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(crate::sql::new_id())
    .bind(kind)
    .bind(actor.now)
    .bind(contact_id)
    .bind(actor.user_id)
    .bind(serde_json::json!({"segment": id}).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl crate::SegmentStore for SqlStore {
    async fn create_segment(&self, name: &str, condition: Option<&str>, now: i64) -> StoreResult<Segment> {
        let id = crate::sql::new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO segments (id, name, kind, condition, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(if condition.is_some() { "dynamic" } else { "static" })
        .bind(condition.unwrap_or_default())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.segment(&id).await
    }

    async fn segments(&self) -> StoreResult<Vec<Segment>> {
        let rows: Vec<SegmentRow> =
            sqlx::query_as(&format!("SELECT {SEGMENT_COLUMNS} FROM segments ORDER BY created_at, id"))
                .fetch_all(&self.reader)
                .await?;
        Ok(rows.into_iter().map(segment_of).collect())
    }

    async fn segment(&self, id: &str) -> StoreResult<Segment> {
        let row: Option<SegmentRow> = sqlx::query_as(&format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(segment_of).ok_or_else(|| StoreError::not_found("segment", id))
    }

    async fn add_list_members(&self, id: &str, contact_ids: &[String], actor: Actor<'_>) -> StoreResult<usize> {
        let mut tx = self.begin().await?;
        static_list(&mut tx, id).await?;
        let mut added = 0;
        for contact in contact_ids {
            let live = match records::live_id(&mut tx, ObjectKind::Contact, contact).await {
                Ok(live) => live,
                Err(StoreError::NotFound { .. }) => {
                    return Err(StoreError::Invalid(leadline_core::FieldError::new(
                        "contact_ids",
                        "unknown_reference",
                        format!("there is no contact {contact}"),
                    )))
                }
                Err(e) => return Err(e),
            };
            let n = sqlx::query(
                "INSERT INTO segment_members (segment_id, contact_id, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(&live)
            .bind(actor.now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                list_entry(&mut tx, "segment_entered", id, &live, actor).await?;
                added += 1;
            }
        }
        let mut days = SegmentDays::default();
        days.add(id, actor.now, added as i64, 0);
        days.write(&mut tx).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn remove_list_member(&self, id: &str, contact_id: &str, actor: Actor<'_>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        static_list(&mut tx, id).await?;
        let n = sqlx::query("DELETE FROM segment_members WHERE segment_id = $1 AND contact_id = $2")
            .bind(id)
            .bind(contact_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("list member", contact_id));
        }
        list_entry(&mut tx, "segment_left", id, contact_id, actor).await?;
        let mut days = SegmentDays::default();
        days.add(id, actor.now, 0, 1);
        days.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_segment(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM segment_members WHERE segment_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM segment_days WHERE segment_id = $1").bind(id).execute(&mut *tx).await?;
        if sqlx::query("DELETE FROM segments WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("segment", id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn segment_count(&self, id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM segment_members WHERE segment_id = $1")
            .bind(id)
            .fetch_one(&self.reader)
            .await?)
    }

    async fn segment_history(&self, id: &str, since_day: i64) -> StoreResult<Vec<SegmentDay>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT day, entered, exited FROM segment_days WHERE segment_id = $1 AND day >= $2 ORDER BY day",
        )
        .bind(id)
        .bind(since_day)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(day, entered, left)| SegmentDay { day, entered, left }).collect())
    }

    async fn segment_members(&self, id: &str, after: Option<&str>, limit: u32) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT contact_id FROM segment_members WHERE segment_id = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3",
        )
        .bind(id)
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?)
    }
}
