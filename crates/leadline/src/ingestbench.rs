//! `leadline bench ingest`: sustained tracking ingestion over HTTP, in one run per backend.
//!
//! A real server in this process (the HTTP stack, the group commit, the tracker and the
//! engine all running) on a fresh store; `connections` clients each POST `/v1/batch` with
//! `batch` events (page views and track calls of visitors drawn from a pool, every message id
//! new) as soon as the previous answer came, for `seconds`. Printed: events acknowledged a
//! second, acknowledgement latency p50/p99, then the store's floor (the same rows written with
//! the same durability by a thin loop: one durable commit per request's batch, and one per
//! group of the size the group commit reached), the ratios, and how fast the tracker read the
//! inbox afterwards.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use leadline_server::tracking;
use leadline_store::{InboxRow, SiteSettings};

use crate::loadgen::{target, Conn};

pub struct Options {
    pub seconds: u32,
    pub connections: usize,
    pub batch: usize,
    pub visitors: usize,
    pub postgres: Option<String>,
}

/// Events a second the issue asks for, by backend.
fn target_rate(backend: &str) -> f64 {
    if backend == "sqlite" {
        50_000.0
    } else {
        25_000.0
    }
}

pub async fn run(o: Options) -> Result<(), String> {
    println!(
        "ingest: {} connections, batches of {} events, {} s per backend, {} visitors; 2 cores shared by the \
         load generator and the server",
        o.connections, o.batch, o.seconds, o.visitors
    );
    let dir = std::env::temp_dir().join(format!("leadline-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let sqlite = format!("sqlite:{}", dir.join("leadline.db").display());
    let result = backend(&o, &sqlite, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Some(server) = &o.postgres {
        use sqlx::Connection;
        let name = format!("leadline_ingest_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(server).await.map_err(|e| e.to_string())?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.map_err(|e| e.to_string())?;
        let pg_dir = dir.join("pg");
        std::fs::create_dir_all(&pg_dir).map_err(|e| e.to_string())?;
        let result = backend(&o, &leadline_store::testing::with_database(server, &name), &pg_dir).await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    Ok(())
}

/// One message as a site's tracker sends it.
fn message(visitor: usize, n: u64, at: &str) -> serde_json::Value {
    if n.is_multiple_of(4) {
        serde_json::json!({
            "type": "track", "anonymousId": format!("visitor-{visitor}"), "messageId": format!("m-{n}"),
            "event": "Product Viewed", "timestamp": at,
            "properties": {"sku": format!("SKU-{}", n % 500), "price": 49.0},
        })
    } else {
        serde_json::json!({
            "type": "page", "anonymousId": format!("visitor-{visitor}"), "messageId": format!("m-{n}"),
            "timestamp": at,
            "context": {"page": {"url": format!("https://shop.example/p/{}?utm_source=google&utm_medium=cpc", n % 1000),
                                 "referrer": "https://www.google.com/", "title": "Product"},
                        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"},
        })
    }
}

async fn backend(o: &Options, url: &str, dir: &std::path::Path) -> Result<(), String> {
    let store = leadline_store::open(url).await.map_err(|e| e.to_string())?;
    let label = store.backend();
    let settings = SiteSettings { name: "bench".into(), ..Default::default() };
    let site = store.create_site(&settings, "wk_bench", leadline_server::now()).await.map_err(|e| e.to_string())?;
    let config = leadline_server::ServerConfig { data_dir: dir.to_path_buf(), ..Default::default() };
    let state = leadline_server::AppState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let base = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(leadline_server::serve_on(listener, state.clone(), async {
        let _ = stop_rx.await;
    }));
    let workers = leadline_server::start_workers(&state, "bench".into());

    let t = Arc::new(target(&base)?);
    let auth = Arc::new(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("wk_bench:")));
    let next = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..o.connections {
        let (t, auth, next, stop) = (t.clone(), auth.clone(), next.clone(), stop.clone());
        let (batch, visitors) = (o.batch, o.visitors);
        clients.push(tokio::spawn(async move {
            let mut conn = Conn::open(&t).await?;
            let mut lat = Vec::new();
            let mut seed = c as u64 * 7919 + 1;
            while !stop.load(Ordering::Relaxed) {
                let at = leadline_core::date::rfc3339(leadline_server::now());
                let first = next.fetch_add(batch as u64, Ordering::Relaxed);
                let items: Vec<serde_json::Value> = (0..batch as u64)
                    .map(|i| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        message((seed >> 33) as usize % visitors, first + i, &at)
                    })
                    .collect();
                let body = serde_json::to_vec(&serde_json::json!({ "batch": items })).map_err(|e| e.to_string())?;
                let sent = Instant::now();
                let (status, reply) = conn.request("POST", &t.host, "/v1/batch", &auth, &body).await?;
                if status != 200 {
                    return Err(format!("{status}: {}", String::from_utf8_lossy(&reply)));
                }
                lat.push(sent.elapsed());
            }
            Ok::<_, String>(lat)
        }));
    }
    tokio::time::sleep(Duration::from_secs(u64::from(o.seconds))).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat = Vec::new();
    for c in clients {
        lat.extend(c.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let acked = lat.len() * o.batch;
    lat.sort_unstable();
    if lat.is_empty() {
        return Err(format!("{label}: no request was answered in {elapsed:.1} s"));
    }
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    let rate = acked as f64 / elapsed;
    let (kept, _) = store.inbox_size().await.map_err(|e| e.to_string())?;
    println!(
        "{label}: {acked} events acknowledged in {elapsed:.1} s = {rate:.0} events/s ({} requests), ack p50 {:.2} ms, \
         p99 {:.2} ms; {kept} kept; target {:.0}/s: {}",
        lat.len(),
        pct(0.5),
        pct(0.99),
        target_rate(label),
        if rate >= target_rate(label) { "met" } else { "NOT MET" },
    );

    // The tracker (and the engine) go on reading what was kept.
    let drain = Instant::now();
    let read_at_stop = store.engine_read(tracking::READER).await.map(|c| c.seq).unwrap_or(0);
    let (_, last) = store.inbox_size().await.map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut read = read_at_stop;
    while read < last && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        read = store.engine_read(tracking::READER).await.map(|c| c.seq).unwrap_or(0);
    }
    let during = read_at_stop as f64 / elapsed;
    let after = (read - read_at_stop) as f64 / drain.elapsed().as_secs_f64().max(1e-3);
    println!(
        "{label}: the tracker read {read_at_stop} events during the load ({during:.0}/s beside it) and the rest at \
         {after:.0}/s alone{}",
        if read < last { " (not done in 5 minutes)" } else { "" }
    );
    drop(workers);
    let _ = stop_tx.send(());
    let _ = server.await;

    // The floor: the same rows, written durably by a thin loop.
    let rows: Vec<InboxRow> = (0..acked.clamp(o.batch, 200_000) as u64)
        .map(|n| {
            let at = leadline_server::now();
            let m = message(n as usize % o.visitors, n, &leadline_core::date::rfc3339(at));
            tracking::read_message(m, None, None, at, &format!("{}-floor", site.id)).map_err(|e| e.to_string()).map(
                |mut r| {
                    r.message_id = format!("floor-{n}");
                    r
                },
            )
        })
        .collect::<Result<_, _>>()?;
    for (name, size) in [("one commit per request's batch", o.batch), ("commits of 2,000 (group commit's size)", 2_000)]
    {
        let t = Instant::now();
        let mut written = 0;
        for (i, chunk) in rows.chunks(size).enumerate() {
            let mut chunk = chunk.to_vec();
            for r in &mut chunk {
                r.message_id = format!("{}-{i}-{size}", r.message_id);
            }
            store.inbox_append(&chunk).await.map_err(|e| e.to_string())?;
            written += chunk.len();
        }
        let floor = written as f64 / t.elapsed().as_secs_f64();
        println!("{label}: floor, {name}: {floor:.0} rows/s; Leadline over HTTP is {:.2}x of it", rate / floor);
    }
    store.close().await;
    Ok(())
}
