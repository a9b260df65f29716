//! Tracking: sites, the inbox of acknowledged events, visitors and stitching (see
//! `TrackStore`).

use std::collections::{HashMap, HashSet};

use leadline_core::record::ObjectKind;
use leadline_core::track::{fold_touches, Timed, Touch};
use sha2::Digest;
use sqlx::Connection;

use super::records::{live_id, Conn};
use super::{int, query, req_int, req_text, sql, sql_rows, text, DbRow, SqlStore, BEGIN};
use crate::error::{StoreError, StoreResult};
use crate::model::{InboxRow, Inboxed, Site, SiteSettings, TrackEvent, Visitor};
use crate::sql::{new_id, Arg};

const SITE_COLUMNS: &str = "id, name, write_key, allowed_origins, require_consent, honor_dnt, created_at, updated_at";
const VISITOR_COLUMNS: &str = "id, site_id, anonymous_id, contact_id, first_seen, last_seen, first_touch, latest_touch";
const ACTIVITY_INSERT: &str = "INSERT INTO activities (id, idempotency_key, type, occurred_at, recorded_at, \
     contact_id, company_id, deal_id, channel, campaign, source, properties, visitor_id) ";

fn site_of(row: &DbRow) -> StoreResult<Site> {
    Ok(Site {
        id: req_text(row, "id")?,
        write_key: req_text(row, "write_key")?,
        settings: SiteSettings {
            name: req_text(row, "name")?,
            allowed_origins: serde_json::from_str(&req_text(row, "allowed_origins")?)?,
            require_consent: req_int(row, "require_consent")? != 0,
            honor_dnt: req_int(row, "honor_dnt")? != 0,
        },
        created_at: req_int(row, "created_at")?,
        updated_at: req_int(row, "updated_at")?,
    })
}

/// A visitor's id: the same for the same anonymous id on the same site, so a batch finds or
/// makes its visitors without asking first.
pub(super) fn visitor_id(site_id: &str, anonymous_id: &str) -> String {
    let digest = sha2::Sha256::new().chain_update(site_id).chain_update([0]).chain_update(anonymous_id).finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("v{hex}")
}

fn touch_json(t: &Timed) -> String {
    serde_json::json!({
        "at": t.at,
        "channel": t.touch.channel,
        "source": t.touch.source,
        "medium": t.touch.medium,
        "campaign": t.touch.campaign,
        "referrer": t.touch.referrer,
    })
    .to_string()
}

fn touch_of(raw: Option<String>) -> StoreResult<Option<Timed>> {
    let Some(raw) = raw else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_str(&raw)?;
    let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
    let channel = s("channel").unwrap_or_default();
    let channel = leadline_core::track::CHANNELS.iter().find(|c| **c == channel).copied().unwrap_or("direct");
    Ok(Some(Timed {
        at: v.get("at").and_then(serde_json::Value::as_i64).unwrap_or_default(),
        touch: Touch {
            channel,
            source: s("source").unwrap_or_default(),
            medium: s("medium"),
            campaign: s("campaign"),
            referrer: s("referrer"),
        },
    }))
}

fn visitor_of(row: &DbRow) -> StoreResult<Visitor> {
    Ok(Visitor {
        id: req_text(row, "id")?,
        site_id: req_text(row, "site_id")?,
        anonymous_id: req_text(row, "anonymous_id")?,
        contact_id: text(row, "contact_id")?,
        first_seen: req_int(row, "first_seen")?,
        last_seen: req_int(row, "last_seen")?,
        first_touch: touch_of(text(row, "first_touch")?)?,
        latest_touch: touch_of(text(row, "latest_touch")?)?,
    })
}

/// The statement that sets a contact's first and latest touch from a batch's earliest and
/// newest: each side only where it is earlier (later) than what the contact has, and
/// `original_source` only where it is empty.
fn touch_update(contact_id: &str, first: &Timed, latest: &Timed) -> super::Sql {
    let mut q = sql("UPDATE contacts SET ");
    let earlier = |q: &mut super::Sql| {
        q.push("CASE WHEN first_touch_at IS NULL OR first_touch_at > ").arg(first.at).push(" THEN ");
    };
    for (column, value) in [
        ("first_touch_source", Some(first.touch.source.clone())),
        ("first_touch_medium", first.touch.medium.clone()),
        ("first_touch_campaign", first.touch.campaign.clone()),
        ("first_touch_referrer", first.touch.referrer.clone()),
    ] {
        q.push(&format!("{column} = "));
        earlier(&mut q);
        q.arg(Arg::from(value)).push(&format!(" ELSE {column} END, "));
    }
    q.push("original_source = COALESCE(original_source, ").arg(first.touch.channel).push("), ");
    let later = |q: &mut super::Sql| {
        q.push("CASE WHEN latest_touch_at IS NULL OR latest_touch_at <= ").arg(latest.at).push(" THEN ");
    };
    for (column, value) in [
        ("latest_source", Some(latest.touch.channel.to_owned())),
        ("latest_touch_source", Some(latest.touch.source.clone())),
        ("latest_touch_medium", latest.touch.medium.clone()),
        ("latest_touch_campaign", latest.touch.campaign.clone()),
        ("latest_touch_referrer", latest.touch.referrer.clone()),
    ] {
        q.push(&format!("{column} = "));
        later(&mut q);
        q.arg(Arg::from(value)).push(&format!(" ELSE {column} END, "));
    }
    // The times last: the conditions above read the old ones (SQL evaluates every SET from
    // the row as it was), and so do these.
    q.push("first_touch_at = ");
    earlier(&mut q);
    q.arg(first.at).push(" ELSE first_touch_at END, latest_touch_at = ");
    later(&mut q);
    q.arg(latest.at).push(" ELSE latest_touch_at END WHERE id = ").arg(contact_id);
    q
}

/// What a batch knows of one visitor as it goes.
struct VisitorState {
    site_id: String,
    anonymous_id: String,
    contact: Option<String>,
    first_seen: i64,
    last_seen: i64,
    first: Option<Timed>,
    latest: Option<Timed>,
}

impl VisitorState {
    fn touch(&mut self, t: Timed) {
        let (f, l) = fold_touches(self.first.take(), self.latest.take(), t);
        self.first = Some(f);
        self.latest = Some(l);
    }
}

/// The earliest and newest touch of each contact in a batch.
#[derive(Default)]
struct ContactTouches(HashMap<String, (Timed, Timed)>);

impl ContactTouches {
    fn add(&mut self, contact: &str, t: Timed) {
        let (f, l) = match self.0.remove(contact) {
            Some((f, l)) => fold_touches(Some(f), Some(l), t),
            None => (t.clone(), t),
        };
        self.0.insert(contact.to_owned(), (f, l));
    }
}

impl SqlStore {
    /// The visitors a batch names, made where new, with their state.
    async fn load_visitors(
        conn: &mut Conn,
        events: &[TrackEvent],
        now: i64,
    ) -> StoreResult<HashMap<String, VisitorState>> {
        let mut wanted: HashMap<String, (&str, &str, i64)> = HashMap::new();
        for e in events {
            if let Some(anon) = &e.anonymous_id {
                let entry = wanted.entry(visitor_id(&e.site_id, anon)).or_insert((&e.site_id, anon, e.at));
                entry.2 = entry.2.min(e.at);
            }
        }
        let mut out = HashMap::with_capacity(wanted.len());
        let ids: Vec<&String> = wanted.keys().collect();
        for chunk in ids.chunks(super::chunk_size(1).min(5_000)) {
            let mut q = sql(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id"));
            q.in_texts(super::MANY, chunk.iter().map(|s| s.as_str()));
            for row in query(&q).fetch_all(&mut *conn).await? {
                let v = visitor_of(&row)?;
                let contact = match v.contact_id {
                    Some(c) => Some(live_id(&mut *conn, ObjectKind::Contact, &c).await.ok()).flatten(),
                    None => None,
                };
                out.insert(
                    v.id,
                    VisitorState {
                        site_id: v.site_id,
                        anonymous_id: v.anonymous_id,
                        contact,
                        first_seen: v.first_seen,
                        last_seen: v.last_seen,
                        first: v.first_touch,
                        latest: v.latest_touch,
                    },
                );
            }
        }
        for (id, (site, anon, at)) in wanted {
            out.entry(id).or_insert_with(|| VisitorState {
                site_id: site.to_owned(),
                anonymous_id: anon.to_owned(),
                contact: None,
                first_seen: at.min(now),
                last_seen: at.min(now),
                first: None,
                latest: None,
            });
        }
        Ok(out)
    }

    async fn save_visitors(conn: &mut Conn, visitors: &HashMap<String, VisitorState>) -> StoreResult<()> {
        let rows = visitors.iter().map(|(id, v)| {
            vec![
                id.clone().into(),
                v.site_id.clone().into(),
                v.anonymous_id.clone().into(),
                v.contact.clone().into(),
                v.first_seen.into(),
                v.last_seen.into(),
                v.first.as_ref().map(touch_json).into(),
                v.latest.as_ref().map(touch_json).into(),
            ]
        });
        let statements = super::chunked(rows, super::chunk_size(8)).map(|chunk| {
            let mut q = sql_rows(&format!("INSERT INTO visitors ({VISITOR_COLUMNS}) "), chunk);
            q.push(
                " ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, \
                 first_seen = excluded.first_seen, last_seen = excluded.last_seen, \
                 first_touch = excluded.first_touch, latest_touch = excluded.latest_touch",
            );
            q
        });
        super::execute_all(conn, statements).await
    }
}

#[async_trait::async_trait]
impl crate::TrackStore for SqlStore {
    async fn create_site(&self, site: &SiteSettings, write_key: &str, now: i64) -> StoreResult<Site> {
        let id = new_id();
        let mut q = sql(&format!("INSERT INTO sites ({SITE_COLUMNS}) VALUES ("));
        q.list::<Arg>([
            id.clone().into(),
            site.name.clone().into(),
            write_key.into(),
            serde_json::to_string(&site.allowed_origins)?.into(),
            i64::from(site.require_consent).into(),
            i64::from(site.honor_dnt).into(),
            now.into(),
            now.into(),
        ]);
        q.push(")");
        query(&q).execute(&self.writer).await?;
        self.site(&id).await
    }

    async fn update_site(&self, id: &str, site: &SiteSettings, now: i64) -> StoreResult<Site> {
        let mut q = sql("UPDATE sites SET name = ");
        q.arg(site.name.as_str()).push(", allowed_origins = ").arg(serde_json::to_string(&site.allowed_origins)?);
        q.push(", require_consent = ").arg(i64::from(site.require_consent));
        q.push(", honor_dnt = ").arg(i64::from(site.honor_dnt));
        q.push(", updated_at = ").arg(now).push(" WHERE id = ").arg(id);
        if query(&q).execute(&self.writer).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("site", id));
        }
        self.site(id).await
    }

    async fn delete_site(&self, id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM sites WHERE id = $1").bind(id).execute(&self.writer).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("site", id));
        }
        Ok(())
    }

    async fn sites(&self) -> StoreResult<Vec<Site>> {
        let rows =
            sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY name, id")).fetch_all(&self.reader).await?;
        rows.iter().map(site_of).collect()
    }

    async fn site(&self, id: &str) -> StoreResult<Site> {
        let row = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        site_of(&row.ok_or_else(|| StoreError::not_found("site", id))?)
    }

    async fn site_by_key(&self, write_key: &str) -> StoreResult<Option<Site>> {
        let row = sqlx::query(&format!("SELECT {SITE_COLUMNS} FROM sites WHERE write_key = $1"))
            .bind(write_key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(site_of).transpose()
    }

    async fn inbox_append(&self, rows: &[InboxRow]) -> StoreResult<u64> {
        let mut conn = self.writer.acquire().await?;
        if let Some((durable, _)) = super::DURABLE_COMMIT {
            sqlx::query(durable).execute(&mut *conn).await?;
        }
        let written = async {
            let mut tx = (*conn).begin_with(BEGIN).await?;
            let mut n = 0;
            let statements = super::chunked(
                rows.iter().map(|r| -> Vec<Arg> {
                    vec![
                        r.site_id.clone().into(),
                        r.message_id.clone().into(),
                        r.received_at.into(),
                        r.body.clone().into(),
                    ]
                }),
                super::chunk_size(4),
            )
            .map(|chunk| {
                let mut q = sql_rows("INSERT INTO track_inbox (site_id, message_id, received_at, body) ", chunk);
                q.push(" ON CONFLICT (site_id, message_id) DO NOTHING");
                q
            });
            for q in statements {
                n += query(&q).execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            StoreResult::Ok(n)
        }
        .await;
        if let Some((_, usual)) = super::DURABLE_COMMIT {
            sqlx::query(usual).execute(&mut *conn).await?;
        }
        written
    }

    async fn inbox_after(&self, site_id: Option<&str>, seq: i64, limit: u32) -> StoreResult<Vec<Inboxed>> {
        let mut q = sql("SELECT seq, site_id, message_id, received_at, body FROM track_inbox WHERE seq > ");
        q.arg(seq);
        if let Some(site) = site_id {
            q.push(" AND site_id = ").arg(site);
        }
        q.push(" ORDER BY seq LIMIT ").arg(i64::from(limit));
        let rows = query(&q).fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok(Inboxed {
                    seq: req_int(r, "seq")?,
                    row: InboxRow {
                        site_id: req_text(r, "site_id")?,
                        message_id: req_text(r, "message_id")?,
                        received_at: req_int(r, "received_at")?,
                        body: req_text(r, "body")?,
                    },
                })
            })
            .collect()
    }

    async fn inbox_size(&self) -> StoreResult<(i64, i64)> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, MAX(seq) AS last FROM track_inbox").fetch_one(&self.reader).await?;
        Ok((req_int(&row, "n")?, int(&row, "last")?.unwrap_or(0)))
    }

    async fn track_apply(
        &self,
        events: Vec<TrackEvent>,
        reader: &str,
        holder: &str,
        upto: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !super::state::holds(&mut tx, reader, holder, now).await? {
            return Ok(false);
        }
        let mut visitors = Self::load_visitors(&mut tx, &events, now).await?;
        let mut touches = ContactTouches::default();
        let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(events.len());
        // Where each row's contact and visitor are, for a stitch later in the batch.
        let mut row_visitor: Vec<Option<String>> = Vec::with_capacity(events.len());
        let mut stitched: Vec<(String, String)> = Vec::new();
        let mut dirty: HashSet<String> = HashSet::new();
        for e in events {
            let vid = e.anonymous_id.as_deref().map(|a| visitor_id(&e.site_id, a));
            let mut contact = e.contact_id.clone();
            if let Some(v) = vid.as_ref().and_then(|id| visitors.get_mut(id)) {
                v.last_seen = v.last_seen.max(e.at.min(now));
                v.first_seen = v.first_seen.min(e.at);
                let vid = vid.clone().unwrap_or_default();
                match (&e.contact_id, e.links) {
                    (Some(c), Some(by)) if v.contact.as_deref() != Some(c) => {
                        // Stitch: what the visitor did so far is the contact's (only what no
                        // one else's contact took: a shared browser's earlier person keeps
                        // theirs), and so are its touches.
                        let earlier = v.contact.replace(c.clone());
                        if earlier.is_none() {
                            stitched.push((vid.clone(), c.clone()));
                            for (row, rv) in rows.iter_mut().zip(&row_visitor) {
                                if rv.as_deref() == Some(vid.as_str()) && matches!(row[5], Arg::Text(None)) {
                                    row[5] = c.clone().into();
                                }
                            }
                            if let (Some(f), Some(l)) = (v.first.clone(), v.latest.clone()) {
                                touches.add(c, f);
                                touches.add(c, l);
                            }
                        }
                        dirty.insert(c.clone());
                        let props = serde_json::json!({
                            "visitor_id": vid,
                            "site_id": e.site_id,
                            "anonymous_id": v.anonymous_id,
                            "by": by,
                            "previous_contact_id": earlier,
                        });
                        row_visitor.push(Some(vid.clone()));
                        rows.push(vec![
                            new_id().into(),
                            format!("track:{}:{}:identified", e.site_id, e.message_id).into(),
                            "identified".into(),
                            e.at.into(),
                            now.into(),
                            Some(c.clone()).into(),
                            Arg::from(None::<String>),
                            Arg::from(None::<String>),
                            Arg::from(None::<String>),
                            Arg::from(None::<String>),
                            Arg::from(None::<String>),
                            props.to_string().into(),
                            Some(vid.clone()).into(),
                        ]);
                    }
                    _ => {}
                }
                contact = contact.or_else(|| v.contact.clone());
                if let Some(t) = &e.touch {
                    v.touch(Timed { at: e.at, touch: t.clone() });
                }
            }
            if let (Some(c), Some(t)) = (&contact, &e.touch) {
                touches.add(c, Timed { at: e.at, touch: t.clone() });
            }
            if let Some(a) = e.activity {
                row_visitor.push(vid.clone());
                rows.push(vec![
                    new_id().into(),
                    a.idempotency_key.into(),
                    a.kind.into(),
                    a.occurred_at.into(),
                    now.into(),
                    contact.into(),
                    a.company_id.into(),
                    a.deal_id.into(),
                    a.channel.into(),
                    a.campaign.into(),
                    a.source.into(),
                    serde_json::Value::Object(a.properties).to_string().into(),
                    vid.into(),
                ]);
            }
        }
        Self::save_visitors(&mut tx, &visitors).await?;
        for (vid, contact) in &stitched {
            let mut q = sql("UPDATE activities SET contact_id = ");
            q.arg(contact.as_str()).push(" WHERE visitor_id = ").arg(vid.as_str()).push(" AND contact_id IS NULL");
            query(&q).execute(&mut *tx).await?;
        }
        let statements = super::chunked(rows.into_iter(), super::chunk_size(13)).map(|chunk| {
            let mut q = sql_rows(ACTIVITY_INSERT, chunk);
            q.push(" ON CONFLICT (idempotency_key) DO NOTHING");
            q
        });
        super::execute_all(&mut tx, statements).await?;
        for (contact, (first, latest)) in &touches.0 {
            query(&touch_update(contact, first, latest)).execute(&mut *tx).await?;
        }
        super::execute_all(&mut tx, super::state::mark(dirty)).await?;
        super::state::set_place(&mut tx, reader, upto).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn visitor_by_anonymous_id(&self, site_id: &str, anonymous_id: &str) -> StoreResult<Option<Visitor>> {
        let row = sqlx::query(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1"))
            .bind(visitor_id(site_id, anonymous_id))
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(visitor_of).transpose()
    }

    async fn visitors_of(&self, contact_id: &str) -> StoreResult<Vec<Visitor>> {
        let mut conn = self.reader.acquire().await?;
        let live = live_id(&mut conn, ObjectKind::Contact, contact_id).await?;
        // A merged contact's visitors are its survivor's.
        let rows = sqlx::query(&format!(
            "SELECT {VISITOR_COLUMNS} FROM visitors WHERE contact_id = $1 \
             OR contact_id IN (SELECT id FROM contacts WHERE merged_into = $1) ORDER BY last_seen DESC"
        ))
        .bind(&live)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(visitor_of).collect()
    }

    async fn unlink_visitor(&self, visitor_id: &str, now: i64) -> StoreResult<Visitor> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1"))
            .bind(visitor_id)
            .fetch_optional(&mut *tx)
            .await?;
        let v = visitor_of(&row.ok_or_else(|| StoreError::not_found("visitor", visitor_id))?)?;
        let Some(contact) = v.contact_id.clone() else { return Ok(v) };
        let live = live_id(&mut tx, ObjectKind::Contact, &contact).await.unwrap_or(contact);
        sqlx::query("UPDATE visitors SET contact_id = NULL WHERE id = $1").bind(visitor_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE activities SET contact_id = NULL WHERE visitor_id = $1 AND type <> 'identified'")
            .bind(visitor_id)
            .execute(&mut *tx)
            .await?;
        super::activities_rewritten(&mut tx).await?;
        let mut q = sql(ACTIVITY_INSERT);
        q.push("VALUES (");
        q.list::<Arg>([
            new_id().into(),
            Arg::from(None::<String>),
            "identified".into(),
            now.into(),
            now.into(),
            Some(live.clone()).into(),
            Arg::from(None::<String>),
            Arg::from(None::<String>),
            Arg::from(None::<String>),
            Arg::from(None::<String>),
            Arg::from(None::<String>),
            serde_json::json!({"visitor_id": visitor_id, "unlinked": true}).to_string().into(),
            Some(visitor_id.to_owned()).into(),
        ]);
        q.push(")");
        query(&q).execute(&mut *tx).await?;
        super::execute_all(&mut tx, super::state::mark([live])).await?;
        tx.commit().await?;
        Ok(Visitor { contact_id: None, ..v })
    }

    async fn inbox_prune(&self, reader: &str, before: i64) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM track_inbox WHERE received_at < $1 \
             AND seq <= (SELECT seq FROM engine_progress WHERE name = $2)",
        )
        .bind(before)
        .bind(reader)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }
}
