//! Tracking: events in, as the Segment tracking API takes them, and what they mean for
//! contacts.
//!
//! Two halves joined by the store's inbox. Ingestion (`/v1/*`, `read_message`, `Ingest`)
//! checks each message, corrects its time, and keeps it durably before it answers: requests
//! that arrive together share one commit (group commit), so a 2xx costs a share of one sync,
//! not one each. The tracker (`Tracker`) reads the inbox under a lease, finds or makes the
//! contacts that user ids and e-mails name (through the same upsert as imports), and hands
//! the store what each event means: an activity, a visitor, a touch, a stitch
//! (`TrackStore::track_apply`), moving its place in the same transaction, so each event counts
//! once even across a crash.

use std::collections::HashMap;

use leadline_core::contact::{ContactChanges, Identity};
use leadline_core::lifecycle::ChangeCause;
use leadline_core::record::ObjectKind;
use leadline_core::track::{self, MessageKind, Visit};
use leadline_core::{FieldError, Millis};
use leadline_store::{
    Actor, CompanyUpsert, ContactUpsert, InboxRow, Inboxed, NewActivity, Store, TrackEvent, UpsertKind,
};
use serde_json::{Map, Value};

/// The tracker's name in the store (its place in the inbox and its lease).
pub const READER: &str = "tracker";
/// The most one message may be, serialized (the Segment API's limit).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024;
/// The most one request may be (the Segment API's batch limit).
pub const MAX_REQUEST_BYTES: usize = 500 * 1024;
/// The longest id (user, anonymous, message, group) taken.
const MAX_ID: usize = 255;
/// The external id system a Segment `userId` is kept under: `ext:user:<id>`.
pub const USER_ID_SYSTEM: &str = "user";
/// The external id system of a `group` call's `groupId` on companies.
pub const GROUP_ID_SYSTEM: &str = "group";
/// How long kept events stay after they were read: a message id sent again within it is
/// still recognised as sent.
pub const DEDUPE_WINDOW: Millis = 24 * 3600 * 1000;

/// A message that was refused, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub index: usize,
    pub message_id: Option<String>,
    pub error: FieldError,
}

fn problem(field: &str, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, code, message)
}

/// An id as the spec allows it: a string or a number.
fn id_of(map: &Map<String, Value>, key: &str) -> Result<Option<String>, FieldError> {
    let id = match map.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(problem(key, "invalid_id", format!("{key} is a string or a number"))),
    };
    if id.len() > MAX_ID || id.chars().any(char::is_control) {
        return Err(problem(key, "invalid_id", format!("{key} is at most {MAX_ID} printable characters")));
    }
    Ok((!id.is_empty()).then_some(id))
}

fn time_of(map: &Map<String, Value>, key: &str) -> Result<Option<Millis>, FieldError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => leadline_core::date::parse_time(key, s).map(Some),
        Some(_) => Err(problem(key, "invalid_time", format!("{key} is an ISO 8601 time"))),
    }
}

fn object_or_absent(map: &Map<String, Value>, key: &str) -> Result<(), FieldError> {
    match map.get(key) {
        None | Some(Value::Null) | Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(problem(key, "invalid_object", format!("{key} is an object"))),
    }
}

/// Check one message and make it the row the inbox keeps: its type, a message id (made when
/// it has none), its time corrected for the sender's clock (`timestamp` as the spec reads it,
/// from the message's or the batch's `sentAt`), and when it was received.
pub fn read_message(
    value: Value,
    kind: Option<MessageKind>,
    batch_sent_at: Option<Millis>,
    received_at: Millis,
    site_id: &str,
) -> Result<InboxRow, FieldError> {
    let Value::Object(mut map) = value else {
        return Err(problem("message", "invalid_message", "a message is a JSON object"));
    };
    let kind = match kind {
        Some(k) => k,
        None => match map.get("type").and_then(Value::as_str) {
            Some(t) => MessageKind::parse(t).ok_or_else(|| {
                problem("type", "invalid_type", "type is identify, track, page, screen, group or alias")
            })?,
            None => return Err(problem("type", "missing_type", "a message in a batch says its type")),
        },
    };
    let user_id = id_of(&map, "userId")?;
    let anonymous_id = id_of(&map, "anonymousId")?;
    match kind {
        MessageKind::Alias if user_id.is_none() || id_of(&map, "previousId")?.is_none() => {
            return Err(problem("previousId", "missing_id", "an alias call names userId and previousId"));
        }
        MessageKind::Alias => {}
        _ if user_id.is_none() && anonymous_id.is_none() => {
            return Err(problem("userId", "missing_id", "a message names userId or anonymousId"));
        }
        MessageKind::Track => match map.get("event").and_then(Value::as_str).map(str::trim) {
            Some(e) if !e.is_empty() && e.len() <= 200 => {}
            _ => return Err(problem("event", "missing_event", "a track call names its event (1-200 characters)")),
        },
        MessageKind::Group if id_of(&map, "groupId")?.is_none() => {
            return Err(problem("groupId", "missing_id", "a group call names groupId"));
        }
        _ => {}
    }
    for key in ["properties", "traits", "context", "integrations"] {
        object_or_absent(&map, key)?;
    }
    let timestamp = match time_of(&map, "timestamp")? {
        Some(t) => Some(t),
        None => time_of(&map, "originalTimestamp")?,
    };
    let sent_at = time_of(&map, "sentAt")?.or(batch_sent_at);
    let at = track::corrected_time(timestamp, sent_at, received_at);
    let message_id = match id_of(&map, "messageId")? {
        Some(id) => id,
        None => uuid::Uuid::now_v7().to_string(),
    };
    map.insert("type".into(), kind.as_str().into());
    map.insert("messageId".into(), message_id.clone().into());
    if let Some(t) = timestamp.filter(|t| *t != at) {
        map.insert("originalTimestamp".into(), leadline_core::date::rfc3339(t).into());
    }
    map.insert("timestamp".into(), leadline_core::date::rfc3339(at).into());
    map.insert("receivedAt".into(), leadline_core::date::rfc3339(received_at).into());
    let body = serde_json::to_string(&map).map_err(|e| problem("message", "invalid_message", e.to_string()))?;
    if body.len() > MAX_MESSAGE_BYTES {
        return Err(problem(
            "message",
            "message_too_large",
            format!("a message is at most {} KB; this one is {} bytes", MAX_MESSAGE_BYTES / 1024, body.len()),
        ));
    }
    Ok(InboxRow { site_id: site_id.to_owned(), message_id, received_at, body })
}

/// Read a batch: the good messages, and each refused one with its place and why. One bad
/// message does not sink the rest.
pub fn read_batch(
    body: Value,
    received_at: Millis,
    site_id: &str,
) -> Result<(Vec<InboxRow>, Vec<Refused>), FieldError> {
    let Value::Object(mut map) = body else {
        return Err(problem("batch", "invalid_batch", "a batch is {\"batch\": [messages]}"));
    };
    let sent_at = time_of(&map, "sentAt")?;
    let context = map.remove("context").filter(Value::is_object);
    let Some(Value::Array(items)) = map.remove("batch") else {
        return Err(problem("batch", "invalid_batch", "a batch is {\"batch\": [messages]}"));
    };
    let mut rows = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (index, mut item) in items.into_iter().enumerate() {
        // The batch's context fills in what a message's own does not say.
        if let (Some(Value::Object(shared)), Value::Object(m)) = (&context, &mut item) {
            let own = m.entry("context").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(own) = own {
                for (k, v) in shared {
                    own.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        let message_id = item.get("messageId").and_then(Value::as_str).map(str::to_owned);
        match read_message(item, None, sent_at, received_at, site_id) {
            Ok(row) => rows.push(row),
            Err(error) => refused.push(Refused { index, message_id, error }),
        }
    }
    Ok((rows, refused))
}

type Waiter = tokio::sync::oneshot::Sender<Result<(), String>>;

/// Group commit of acknowledged events: every request puts its rows in the queue, and
/// whichever request gets a turn commits all that is queued (up to `MAX_GROUP` rows) in one
/// durable transaction and tells each request in it. A request whose rows another took waits
/// for that commit. Turns: one on SQLite (one writer), a few on PostgreSQL.
pub struct Ingest {
    queue: std::sync::Mutex<Vec<(Vec<InboxRow>, Waiter)>>,
    turns: tokio::sync::Semaphore,
}

/// The most rows one commit takes.
const MAX_GROUP: usize = 20_000;

impl Ingest {
    pub fn new(turns: usize) -> Self {
        Self { queue: std::sync::Mutex::new(Vec::new()), turns: tokio::sync::Semaphore::new(turns.max(1)) }
    }

    /// Keep `rows` durably; returns once they are (or the commit failed).
    pub async fn keep(&self, store: &dyn Store, rows: Vec<InboxRow>) -> Result<(), String> {
        if rows.is_empty() {
            return Ok(());
        }
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push((rows, tx));
        loop {
            let turn = self.turns.acquire().await.map_err(|e| e.to_string())?;
            match rx.try_recv() {
                Ok(done) => return done,
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => return Err("commit abandoned".into()),
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => {}
            }
            let group = self.take();
            if group.is_empty() {
                // Ours is in a commit under way.
                drop(turn);
                return rx.await.unwrap_or_else(|_| Err("commit abandoned".into()));
            }
            let (rows, waiters): (Vec<Vec<InboxRow>>, Vec<Waiter>) = group.into_iter().unzip();
            let rows: Vec<InboxRow> = rows.into_iter().flatten().collect();
            let result = store.inbox_append(&rows).await.map(|_| ()).map_err(|e| e.to_string());
            for w in waiters {
                let _ = w.send(result.clone());
            }
            drop(turn);
        }
    }

    /// Whether requests are waiting for their events to be kept.
    pub fn waiting(&self) -> bool {
        !self.queue.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    fn take(&self) -> Vec<(Vec<InboxRow>, Waiter)> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let mut n = 0;
        let cut = queue
            .iter()
            .position(|(rows, _)| {
                n += rows.len();
                n > MAX_GROUP
            })
            .unwrap_or(queue.len())
            .max(1)
            .min(queue.len());
        queue.drain(..cut).collect()
    }
}

/// A kept message, read for its meaning.
struct Message {
    site_id: String,
    message_id: String,
    kind: MessageKind,
    anonymous_id: Option<String>,
    user_id: Option<String>,
    previous_id: Option<String>,
    group_id: Option<String>,
    at: Millis,
    body: Map<String, Value>,
}

impl Message {
    fn read(row: &Inboxed) -> Option<Self> {
        let Ok(Value::Object(body)) = serde_json::from_str::<Value>(&row.row.body) else { return None };
        let kind = MessageKind::parse(body.get("type")?.as_str()?)?;
        let at = leadline_core::date::parse_time("timestamp", body.get("timestamp")?.as_str()?).ok()?;
        Some(Self {
            site_id: row.row.site_id.clone(),
            message_id: row.row.message_id.clone(),
            kind,
            anonymous_id: id_of(&body, "anonymousId").ok()?,
            user_id: id_of(&body, "userId").ok()?,
            previous_id: id_of(&body, "previousId").ok()?,
            group_id: id_of(&body, "groupId").ok()?,
            at,
            body,
        })
    }

    fn object(&self, key: &str) -> Option<&Map<String, Value>> {
        self.body.get(key).and_then(Value::as_object)
    }

    /// `context.<a>.<b>`, as text.
    fn context(&self, a: &str, b: &str) -> Option<&str> {
        self.object("context")?.get(a)?.get(b)?.as_str()
    }

    /// What the message says about a person: an identify call's traits, or the context's.
    fn traits(&self) -> Option<&Map<String, Value>> {
        match self.kind {
            MessageKind::Identify => self.object("traits"),
            _ => self.object("context")?.get("traits")?.as_object(),
        }
    }

    /// Where the visit came from, for a page view or a message that carries campaign
    /// parameters.
    fn touch(&self) -> Option<track::Touch> {
        let props = self.object("properties");
        let prop = |k: &str| props.and_then(|p| p.get(k)).and_then(Value::as_str);
        let campaign = self.object("context").and_then(|c| c.get("campaign")).and_then(Value::as_object);
        if !matches!(self.kind, MessageKind::Page | MessageKind::Screen) && campaign.is_none() {
            return None;
        }
        let utm = |k: &str| campaign.and_then(|c| c.get(k)).and_then(Value::as_str);
        track::classify(&Visit {
            url: self.context("page", "url").or_else(|| prop("url")),
            referrer: self.context("page", "referrer").or_else(|| prop("referrer")),
            utm_source: utm("source"),
            utm_medium: utm("medium"),
            utm_campaign: utm("name"),
        })
    }

    /// The activity the message is, if any.
    fn activity(&self, touch: Option<&track::Touch>) -> Option<NewActivity> {
        let event = self.body.get("event").and_then(Value::as_str);
        let kind = track::activity_type(self.kind, event)?;
        let mut properties = self.object("properties").cloned().unwrap_or_default();
        if let Some(e) = event {
            properties.insert("event".into(), e.into());
        }
        if let Some(name) = self.body.get("name").and_then(Value::as_str) {
            properties.entry("name").or_insert_with(|| name.into());
        }
        for (key, a, b) in [
            ("url", "page", "url"),
            ("title", "page", "title"),
            ("referrer", "page", "referrer"),
            ("path", "page", "path"),
        ] {
            if let Some(v) = self.context(a, b) {
                properties.entry(key).or_insert_with(|| v.into());
            }
        }
        if let Some(ua) = self.object("context").and_then(|c| c.get("userAgent")).and_then(Value::as_str) {
            properties.insert("user_agent".into(), ua.into());
        }
        if let Some(a) = &self.anonymous_id {
            properties.insert("anonymous_id".into(), a.clone().into());
        }
        properties.insert("site_id".into(), self.site_id.clone().into());
        properties.insert("message_id".into(), self.message_id.clone().into());
        Some(NewActivity {
            kind,
            occurred_at: self.at,
            contact_id: None,
            company_id: None,
            deal_id: None,
            channel: touch.map(|t| t.channel.to_owned()),
            campaign: touch.and_then(|t| t.campaign.clone()),
            source: touch.map(|t| t.source.clone()),
            properties,
            idempotency_key: Some(format!("track:{}:{}", self.site_id, self.message_id)),
        })
    }

    /// The contact write an identify call (or a message with a user id) asks for: the user
    /// id as an external id, the traits as fields where they read (a trait that does not, a
    /// malformed e-mail, is left out, not the whole call).
    fn contact_write(
        &self,
        now: Millis,
        properties: &[leadline_core::property::PropertyDef],
    ) -> Option<ContactChanges> {
        let mut identities = Vec::new();
        if let Some(u) = &self.user_id {
            identities.push(Identity::External(USER_ID_SYSTEM.into(), u.clone()));
        }
        let traits = self.traits();
        let t =
            |k: &str| traits.and_then(|m| m.get(k)).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let email = t("email");
        if identities.is_empty() && email.is_none() {
            return None;
        }
        let ctx = crate::wire::InputContext {
            object: ObjectKind::Contact,
            properties,
            default_region: None,
            now,
            origin: "tracking",
        };
        let mut changes = ContactChanges { external_ids: identities, ..Default::default() };
        let mut candidate = Map::new();
        // Someone known from tracking alone is a subscriber: a form, a deal, a rep makes them
        // more (the lifecycle engine's rules). An existing contact is never moved back.
        candidate.insert("lifecycle_stage".into(), "subscriber".into());
        if let Some(e) = email {
            candidate.insert("emails".into(), Value::Array(vec![e.into()]));
        }
        let name = t("name").map(|n| n.split_once(' ').unwrap_or((n, "")));
        let fields = [
            ("first_name", t("firstName").or(t("first_name")).or(name.map(|n| n.0))),
            ("last_name", t("lastName").or(t("last_name")).or(name.map(|n| n.1).filter(|s| !s.is_empty()))),
            ("job_title", t("title").or(t("job_title"))),
            ("company_name", t("company").or_else(|| traits?.get("company")?.get("name")?.as_str())),
            ("city", traits.and_then(|m| m.get("address")).and_then(|a| a.get("city")).and_then(Value::as_str)),
        ];
        for (field, value) in fields {
            if let Some(v) = value {
                candidate.insert(field.into(), v.into());
            }
        }
        if let Some(p) = t("phone") {
            candidate.insert("phones".into(), Value::Array(vec![p.into()]));
        }
        // Traits named as Leadline names its fields (a form's answers), custom properties and
        // consents as the API takes them.
        for (k, v) in traits.into_iter().flatten() {
            let field = leadline_core::record::field(ObjectKind::Contact, k).filter(|f| !f.system);
            let writable = field.is_some_and(|f| !matches!(f.name, "owner_id" | "company_id" | "lifecycle_stage"));
            if (writable || matches!(k.as_str(), "properties" | "consent")) && !candidate.contains_key(k) {
                candidate.insert(k.clone(), v.clone());
            }
        }
        // Each part on its own: a bad one is left out.
        for (k, v) in candidate {
            let one = Value::Object(Map::from_iter([(k, v)]));
            if let Ok(c) = crate::wire::contact_changes(&one, &ctx) {
                changes.record.fields.extend(c.record.fields);
                changes.record.properties.extend(c.record.properties);
                changes.consent.extend(c.consent);
                if c.emails.is_some() {
                    changes.emails = c.emails;
                }
                if c.phones.is_some() {
                    changes.phones = c.phones;
                }
            }
        }
        Some(changes)
    }
}

/// Reads the inbox and records what it means (see the module's documentation).
pub struct Tracker {
    holder: String,
}

/// Messages read per step: a step is one transaction, which keeps acknowledgements waiting on
/// SQLite while it runs.
const BATCH: u32 = 1_000;
/// How many times of 2 ms the tracker lets waiting acknowledgements go first.
const YIELD_ROUNDS: u32 = 25;

impl Tracker {
    pub fn new(holder: impl Into<String>) -> Self {
        Self { holder: holder.into() }
    }

    /// Read the next messages, if this server holds the tracker's lease: how many were read.
    pub async fn step(&self, store: &dyn Store, now: Millis) -> Result<usize, String> {
        let err = |e: leadline_store::StoreError| e.to_string();
        let Some(seq) = store.cursor_claim(READER, &self.holder, now, crate::engine::LEASE).await.map_err(err)? else {
            return Ok(0);
        };
        let mut rows = store.inbox_after(None, seq, BATCH).await.map_err(err)?;
        // The inbox's places are handed out before commits, like the log's.
        crate::engine::settled(&mut rows, seq, now);
        let Some(last) = rows.last().map(|r| r.seq) else { return Ok(0) };
        let messages: Vec<Message> = rows.iter().filter_map(Message::read).collect();
        let events = meaning(store, messages, now).await.map_err(err)?;
        let n = rows.len();
        if store.track_apply(events, READER, &self.holder, last, now).await.map_err(err)? {
            Ok(n)
        } else {
            Ok(0)
        }
    }

    /// Run until stopped: a step while there are messages, else a short wait; kept messages
    /// older than the dedupe window are forgotten now and then.
    pub async fn run(
        self,
        store: std::sync::Arc<dyn Store>,
        ingest: std::sync::Arc<Ingest>,
        wake: std::sync::Arc<tokio::sync::Notify>,
        engine: std::sync::Arc<tokio::sync::Notify>,
    ) {
        let mut last_prune = 0;
        loop {
            // Acknowledgements first: while requests wait for their events to be kept, the
            // tracker's transaction (on SQLite the one writer's) waits a little, never long.
            for _ in 0..YIELD_ROUNDS {
                if !ingest.waiting() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            let now = crate::now();
            match self.step(store.as_ref(), now).await {
                Ok(0) => {
                    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), wake.notified()).await;
                }
                Ok(_) => engine.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, "tracker step failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
            if now - last_prune > 600_000 {
                last_prune = now;
                if let Err(e) = store.inbox_prune(READER, now - DEDUPE_WINDOW).await {
                    tracing::warn!(error = %e, "could not forget old tracked events");
                }
            }
        }
    }
}

/// What each message means: contacts found or made for the user ids and e-mails messages
/// name (one upsert for the batch), aliases and groups applied, and the events for the store.
async fn meaning(
    store: &dyn Store,
    messages: Vec<Message>,
    now: Millis,
) -> Result<Vec<TrackEvent>, leadline_store::StoreError> {
    let actor = Actor::new(None, ChangeCause::Tracking, now);
    let properties = store.properties(Some(ObjectKind::Contact)).await?;
    let mut writes = Vec::new();
    let mut write_of: HashMap<usize, usize> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        if let Some(changes) = m.contact_write(now, &properties) {
            write_of.insert(i, writes.len());
            writes.push(ContactUpsert { id: None, changes });
        }
    }
    let outcomes = if writes.is_empty() { Vec::new() } else { store.upsert_contacts(writes, actor, false).await? };
    let contact_of = |i: usize| -> Option<String> {
        match outcomes.get(*write_of.get(&i)?)? {
            Ok(o) => Some(o.id.clone()),
            Err(e) => {
                tracing::debug!(error = %e, "a tracked identity was not kept");
                None
            }
        }
    };
    let mut events = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let contact = contact_of(i);
        let touch = m.touch();
        let mut anonymous_id = m.anonymous_id.clone();
        let mut links = contact.as_ref().and(m.anonymous_id.as_ref()).map(|_| "identify");
        if m.kind == MessageKind::Alias {
            if let (Some(c), Some(previous)) = (&contact, &m.previous_id) {
                if !alias_contacts(store, c, previous, actor).await? {
                    // The previous id is no contact's user id: it is a browser's anonymous id.
                    anonymous_id = Some(previous.clone());
                    links = Some("alias");
                }
            }
        }
        if let (MessageKind::Group, Some(c), Some(g)) = (m.kind, &contact, &m.group_id) {
            group(store, c, g, m.object("traits"), actor).await?;
        }
        events.push(TrackEvent {
            site_id: m.site_id.clone(),
            message_id: m.message_id.clone(),
            anonymous_id,
            contact_id: contact,
            links,
            at: m.at,
            activity: m.activity(touch.as_ref()),
            touch,
        });
    }
    Ok(events)
}

/// An alias of two user ids that name two contacts merges them (a reversible merge, like any
/// other); returns whether `previous` named a contact at all.
async fn alias_contacts(
    store: &dyn Store,
    contact: &str,
    previous: &str,
    actor: Actor<'_>,
) -> Result<bool, leadline_store::StoreError> {
    let probe = ContactUpsert {
        id: None,
        changes: ContactChanges {
            external_ids: vec![Identity::External(USER_ID_SYSTEM.into(), previous.into())],
            ..Default::default()
        },
    };
    let found = store.upsert_contacts(vec![probe], actor, true).await?;
    let Some(Ok(o)) = found.into_iter().next() else { return Ok(false) };
    if o.kind == UpsertKind::Created {
        return Ok(false);
    }
    if o.id != contact {
        store.merge_contacts(contact, &o.id, Actor { cause: ChangeCause::Merge, ..actor }).await?;
    }
    Ok(true)
}

/// A group call: the company its group id names (made, with the traits' name and website,
/// when new), and the contact linked to it.
async fn group(
    store: &dyn Store,
    contact: &str,
    group_id: &str,
    traits: Option<&Map<String, Value>>,
    actor: Actor<'_>,
) -> Result<(), leadline_store::StoreError> {
    let t = |k: &str| traits.and_then(|m| m.get(k)).and_then(Value::as_str);
    let mut changes = leadline_core::contact::FieldChanges::default();
    if let Some(name) = t("name").and_then(|n| leadline_core::error::clean_text("name", n).ok().flatten()) {
        if let Some(spec) = leadline_core::record::field(ObjectKind::Company, "name") {
            changes.set(spec, Some(leadline_core::record::Scalar::Text(name)));
        }
    }
    let domain = t("website").or(t("domain")).map(|w| track::host(w).unwrap_or_else(|| w.trim().to_ascii_lowercase()));
    if let (Some(d), Some(spec)) = (domain, leadline_core::record::field(ObjectKind::Company, "domain")) {
        if let Ok(Some(v)) = leadline_core::record::check(spec, &leadline_core::property::RawValue::Text(d), "EUR") {
            changes.set(spec, Some(v));
        }
    }
    let item = CompanyUpsert { id: None, changes, external_ids: vec![(GROUP_ID_SYSTEM.into(), group_id.into())] };
    let outcome = store.upsert_companies(vec![item], actor, false).await?;
    if let Some(Ok(o)) = outcome.into_iter().next() {
        store.link_contact_company(contact, &o.id, "user", actor.now).await?;
    }
    Ok(())
}
