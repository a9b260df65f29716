//! The one publishing place: what happened, as events on NATS. The activity log is the outbox:
//! every touch and every consequence the engine records (`stage_changed`, `segment_entered`,
//! `score_changed` when a category changes, `lead_assigned`, ...) is an activity, written in
//! the same transaction as what it reports. The publisher reads the log from where it left off,
//! under a lease (of several servers one publishes; another takes over when it stops), sends
//! each event to a JetStream stream with the activity's id as its message id, and moves its
//! place on only once the stream has acknowledged them. An event sent again after a crash (sent,
//! not yet recorded as sent) is dropped by the stream as a duplicate, so each is in the stream
//! once.
//!
//! Subjects: `<prefix>.stage.changed`, `<prefix>.segment.entered`, `<prefix>.segment.left`,
//! `<prefix>.score.changed`, `<prefix>.lead.assigned`, and `<prefix>.activity.<type>` for the
//! rest (`leadline.activity.form_submission`).

use std::sync::Arc;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use leadline_core::Millis;
use leadline_store::{Activity, ActivityQuery, Store};

/// The publisher's name in the store (its place in the log and its lease).
pub const NAME: &str = "publisher";
/// Events sent per step.
const BATCH: u32 = 500;
/// How long an idle publisher waits before looking again.
const IDLE: std::time::Duration = std::time::Duration::from_millis(250);

/// Where events go: a NATS server and the prefix of their subjects (the stream is named after
/// it, in capitals: `LEADLINE`).
#[derive(Debug, Clone)]
pub struct Bus {
    pub url: String,
    pub prefix: String,
}

/// The subject an activity is published on, below the prefix.
pub fn subject(kind: &str) -> String {
    match kind {
        "stage_changed" => "stage.changed".into(),
        "segment_entered" => "segment.entered".into(),
        "segment_left" => "segment.left".into(),
        "score_changed" => "score.changed".into(),
        "lead_assigned" => "lead.assigned".into(),
        other => format!("activity.{other}"),
    }
}

/// An event as it is published.
pub fn payload(a: &Activity) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "seq": a.seq,
        "type": a.kind,
        "contact_id": a.contact_id,
        "company_id": a.company_id,
        "deal_id": a.deal_id,
        "occurred_at": leadline_core::date::rfc3339(a.occurred_at),
        "recorded_at": leadline_core::date::rfc3339(a.recorded_at),
        "channel": a.channel,
        "campaign": a.campaign,
        "source": a.source,
        "properties": a.properties,
    })
}

pub struct Publisher {
    js: jetstream::Context,
    prefix: String,
    holder: String,
}

impl Publisher {
    /// Connect, and make the stream if it is not there (subjects `<prefix>.>`, duplicates
    /// dropped within two minutes).
    pub async fn connect(bus: &Bus, holder: impl Into<String>) -> Result<Self, String> {
        let client = async_nats::connect(&bus.url).await.map_err(|e| format!("NATS at {}: {e}", bus.url))?;
        let js = jetstream::new(client);
        js.get_or_create_stream(stream::Config {
            name: stream_name(&bus.prefix),
            subjects: vec![format!("{}.>", bus.prefix)],
            duplicate_window: std::time::Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("the NATS stream {}: {e}", stream_name(&bus.prefix)))?;
        Ok(Self { js, prefix: bus.prefix.clone(), holder: holder.into() })
    }

    /// Send the next events, if this server holds the publisher's lease: how many were sent.
    pub async fn step(&self, store: &dyn Store, now: Millis) -> Result<usize, String> {
        let err = |e: leadline_store::StoreError| e.to_string();
        let Some(seq) = store.cursor_claim(NAME, &self.holder, now, crate::engine::LEASE).await.map_err(err)? else {
            return Ok(0);
        };
        let mut events = store
            .activities(&ActivityQuery { after_seq: Some(seq), limit: BATCH, ..Default::default() })
            .await
            .map_err(err)?;
        crate::engine::settled(&mut events, seq, now);
        let Some(last) = events.last().map(|a| a.seq) else { return Ok(0) };
        // Sent together, then every acknowledgement awaited: the place moves only past events
        // the stream holds.
        let mut acks = Vec::with_capacity(events.len());
        for a in &events {
            let body = serde_json::to_vec(&payload(a)).map_err(|e| e.to_string())?;
            let message = PublishMessage::build().payload(body.into()).message_id(&a.id);
            let subject = format!("{}.{}", self.prefix, subject(&a.kind));
            acks.push(self.js.send_publish(subject, message).await.map_err(|e| e.to_string())?);
        }
        for ack in acks {
            ack.await.map_err(|e| e.to_string())?;
        }
        if store.cursor_advance(NAME, &self.holder, last, now).await.map_err(err)? {
            Ok(events.len())
        } else {
            Ok(0)
        }
    }

    /// Run until stopped: a step while there are events, else a short wait (events come from
    /// this server's requests, its engine and other servers alike).
    pub async fn run(self, store: Arc<dyn Store>) {
        loop {
            match self.step(store.as_ref(), crate::now()).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => tokio::time::sleep(IDLE).await,
                Err(e) => {
                    tracing::warn!(error = %e, "events could not be published; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// The stream of a subject prefix: its letters and digits in capitals (`leadline` -> `LEADLINE`).
pub fn stream_name(prefix: &str) -> String {
    prefix.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}
