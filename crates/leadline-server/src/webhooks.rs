//! Webhooks: events delivered to subscribers' URLs as the Standard Webhooks specification
//! says (JSON `{"type", "timestamp", "data"}`, headers `webhook-id`, `webhook-timestamp` and
//! `webhook-signature` = `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the
//! subscription's secret), so receivers verify them with that specification's libraries.
//!
//! Two tasks, neither in the way of anything else. The dispatcher reads the activity log (the
//! outbox: stages, scores, segments, assignments, forms, every touch) and the field history
//! (records made and changed, deals won and lost), each under a lease from its own place, and
//! queues a delivery per subscriber in the transaction that moves that place, so each event
//! is queued once. The sender takes due deliveries (holding each for a minute, so no other
//! server sends it meanwhile), posts them, and records each attempt: delivered on a 2xx, else
//! tried again with backoff (`leadline_core::webhook::retry_after`) until it fails for good.
//! Every attempt is in the delivery log, and any delivery can be sent again by hand.

use std::sync::Arc;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use leadline_core::webhook::{event_of_activity, retry_after, subscribed};
use leadline_core::Millis;
use leadline_store::{ActivityQuery, Attempt, Delivery, HistoryRow, NewDelivery, Store, WebhookRow};
use serde_json::json;

/// The readers' names in the store.
pub const LOG_READER: &str = "webhooks.log";
pub const HISTORY_READER: &str = "webhooks.history";
/// Events read per step, deliveries sent per step.
const BATCH: u32 = 500;
const SENDS: u32 = 50;
/// How long a taken delivery is held, and how long one attempt may take.
const HOLD: Millis = 60_000;
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A new subscription's secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The `webhook-signature` of a message: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under the secret's key.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|e| format!("the secret is not base64: {e}"))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
}

fn envelope(kind: &str, at: Millis, data: serde_json::Value) -> String {
    json!({"type": kind, "timestamp": leadline_core::date::rfc3339(at), "data": data}).to_string()
}

/// The events of field changes: a record's changes at one moment are one event (`created`
/// when they are its first).
fn history_events(rows: &[HistoryRow]) -> Vec<(String, String, Millis, serde_json::Value)> {
    let mut groups: Vec<Vec<&HistoryRow>> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|g| (&g[0].object, &g[0].object_id, g[0].at) == (&r.object, &r.object_id, r.at)) {
            Some(g) => g.push(r),
            None => groups.push(vec![r]),
        }
    }
    groups
        .into_iter()
        .map(|changes| {
            let (object, id, at) = (changes[0].object.as_str(), &changes[0].object_id, changes[0].at);
            let created = changes.iter().any(|c| c.first);
            let fields: serde_json::Map<String, serde_json::Value> =
                changes.iter().map(|c| (c.field.clone(), json!({"from": c.from, "to": c.to}))).collect();
            let status = changes.iter().find(|c| c.field == "status").and_then(|c| c.to.as_deref());
            let kind = match (object, created, status) {
                ("deal", _, Some("won")) => "deal.won".to_owned(),
                ("deal", _, Some("lost")) => "deal.lost".to_owned(),
                (o, true, _) => format!("{o}.created"),
                (o, false, _) => format!("{o}.updated"),
            };
            let data = json!({"object": object, "id": id, "changes": fields, "cause": changes[0].cause});
            (format!("msg_h{}", changes[0].seq), kind, at, data)
        })
        .collect()
}

/// Queue a delivery of each event to each subscriber of it.
fn deliveries(hooks: &[WebhookRow], events: &[(String, String, Millis, serde_json::Value)]) -> Vec<NewDelivery> {
    let mut out = Vec::new();
    for (id, kind, at, data) in events {
        let mut payload = None;
        for h in hooks.iter().filter(|h| h.active && subscribed(&h.events, kind)) {
            let body = payload.get_or_insert_with(|| envelope(kind, *at, data.clone()));
            out.push(NewDelivery {
                webhook_id: h.id.clone(),
                message_id: id.clone(),
                event_type: kind.clone(),
                payload: body.clone(),
            });
        }
    }
    out
}

pub struct Dispatcher {
    holder: String,
}

impl Dispatcher {
    pub fn new(holder: impl Into<String>) -> Self {
        Self { holder: holder.into() }
    }

    /// Queue the next events of both logs: how many were read.
    pub async fn step(&self, store: &dyn Store, now: Millis) -> Result<usize, String> {
        let err = |e: leadline_store::StoreError| e.to_string();
        let hooks = store.webhooks().await.map_err(err)?;
        if !hooks.iter().any(|h| h.active) {
            // Nobody to tell: both places move to the ends of their logs (a subscription gets
            // what happens from when it is made, not years of history).
            let (log, history) = store.log_ends().await.map_err(err)?;
            for (reader, end) in [(LOG_READER, log), (HISTORY_READER, history)] {
                if let Some(seq) =
                    store.cursor_claim(reader, &self.holder, now, crate::engine::LEASE).await.map_err(err)?
                {
                    if seq < end {
                        store.cursor_advance(reader, &self.holder, end, now).await.map_err(err)?;
                    }
                }
            }
            return Ok(0);
        }
        let mut read = 0;
        if let Some(seq) = store.cursor_claim(LOG_READER, &self.holder, now, crate::engine::LEASE).await.map_err(err)? {
            let mut events = store
                .activities(&ActivityQuery { after_seq: Some(seq), limit: BATCH, ..Default::default() })
                .await
                .map_err(err)?;
            crate::engine::settled(&mut events, seq, now);
            if let Some(last) = events.last().map(|a| a.seq) {
                let events: Vec<_> = events
                    .iter()
                    .map(|a| {
                        let kind = event_of_activity(&a.kind).to_owned();
                        (format!("msg_{}", a.id), kind, a.recorded_at, crate::events::payload(a))
                    })
                    .collect();
                read += events.len();
                store
                    .enqueue_deliveries(&deliveries(&hooks, &events), LOG_READER, &self.holder, last, now)
                    .await
                    .map_err(err)?;
            }
        }
        if let Some(seq) =
            store.cursor_claim(HISTORY_READER, &self.holder, now, crate::engine::LEASE).await.map_err(err)?
        {
            let mut rows = store.history_after(seq, BATCH).await.map_err(err)?;
            crate::engine::settled(&mut rows, seq, now);
            // A record's changes at one moment stay in one step.
            if rows.len() == BATCH as usize {
                if let Some(last) = rows.last().cloned() {
                    let keep = rows.iter().rposition(|r| (r.at, &r.object_id) != (last.at, &last.object_id));
                    if let Some(k) = keep {
                        rows.truncate(k + 1);
                    }
                }
            }
            if let Some(last) = rows.last().map(|r| r.seq) {
                read += rows.len();
                let events = history_events(&rows);
                store
                    .enqueue_deliveries(&deliveries(&hooks, &events), HISTORY_READER, &self.holder, last, now)
                    .await
                    .map_err(err)?;
            }
        }
        Ok(read)
    }
}

/// Post one delivery: the status code, or why there is none.
async fn post(d: &Delivery, now: Millis) -> Result<u16, String> {
    let timestamp = now / 1000;
    let signature = sign(&d.secret, &d.message_id, timestamp, &d.payload)?;
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("user-agent", "Leadline-Webhooks/1".to_owned()),
        ("webhook-id", d.message_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    tokio::time::timeout(TIMEOUT, http_post(&d.url, &headers, d.payload.clone()))
        .await
        .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
}

/// A POST over HTTP/1.1, on a connection of its own (TLS for https, with the web's roots).
async fn http_post(url: &str, headers: &[(&str, String)], body: String) -> Result<u16, String> {
    let (scheme, rest) = url.split_once("://").ok_or("the URL has no scheme")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, p.parse::<u16>().map_err(|_| "a bad port")?)
        }
        _ => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port)).await.map_err(|e| e.to_string())?;
    let request = axum::http::Request::post(path)
        .header(axum::http::header::HOST, authority)
        .header(axum::http::header::CONTENT_LENGTH, body.len());
    let request = headers.iter().fold(request, |r, (k, v)| r.header(*k, v.as_str()));
    let request = request.body(http_body_util::Full::new(bytes::Bytes::from(body))).map_err(|e| e.to_string())?;
    let status = match scheme {
        "https" => {
            let name =
                tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
            let tls = tls().connect(name, tcp).await.map_err(|e| e.to_string())?;
            send(hyper_util::rt::TokioIo::new(tls), request).await?
        }
        "http" => send(hyper_util::rt::TokioIo::new(tcp), request).await?,
        other => return Err(format!("{other}: only http and https")),
    };
    Ok(status)
}

async fn send<T>(io: T, request: axum::http::Request<http_body_util::Full<bytes::Bytes>>) -> Result<u16, String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

fn tls() -> tokio_rustls::TlsConnector {
    static CONFIG: std::sync::LazyLock<Arc<tokio_rustls::rustls::ClientConfig>> = std::sync::LazyLock::new(|| {
        let roots = tokio_rustls::rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        // ring, the provider the tree already has (async-nats); rustls marks it for lacking
        // post-quantum key exchange, which receivers do not need.
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    });
    tokio_rustls::TlsConnector::from(CONFIG.clone())
}

pub struct Sender;

impl Sender {
    /// Send the deliveries due now: how many were tried.
    pub async fn step(store: &dyn Store, now: Millis) -> Result<usize, String> {
        let due = store.take_due_deliveries(now, HOLD, SENDS).await.map_err(|e| e.to_string())?;
        let attempts = futures_util::future::join_all(due.iter().map(|d| post(d, now))).await;
        for (d, result) in due.iter().zip(attempts) {
            let attempts = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
            let attempt = match result {
                Ok(code) if (200..300).contains(&code) => {
                    Attempt { status: Some(i64::from(code)), error: None, delivered: true, next: None }
                }
                Ok(code) => Attempt {
                    status: Some(i64::from(code)),
                    error: Some(format!("answered {code}")),
                    delivered: false,
                    next: retry_after(attempts).map(|wait| now + wait),
                },
                Err(e) => Attempt {
                    status: None,
                    error: Some(e),
                    delivered: false,
                    next: retry_after(attempts).map(|w| now + w),
                },
            };
            store.record_attempt(&d.id, attempt, now).await.map_err(|e| e.to_string())?;
        }
        Ok(due.len())
    }
}

/// Run the dispatcher and the sender until stopped.
pub async fn run(store: Arc<dyn Store>, holder: String) {
    let dispatcher = Dispatcher::new(holder);
    loop {
        let now = crate::now();
        let read = dispatcher.step(store.as_ref(), now).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "webhook events not queued; trying again");
            0
        });
        let sent = Sender::step(store.as_ref(), now).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "webhook deliveries not sent; trying again");
            0
        });
        if read == 0 && sent == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's own example.
    #[test]
    fn signatures_match_the_specification() {
        let s = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(s.unwrap(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(new_secret().starts_with("whsec_"));
    }
}
