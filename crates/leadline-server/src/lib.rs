//! Leadline's HTTP server: the `/api/v1` JSON API with its OpenAPI document, authentication,
//! CSV imports (as background jobs) and exports, health and metrics, and the web application
//! (server-rendered pages in four languages, `web`).
//!
//! API boundary: handlers validate at the edge through `wire` (the core's checks), call one
//! `Store` use-case method, and map the result to JSON. Store and core types never serialize
//! themselves; the shapes on the wire live here.

pub mod analytics;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod counted;
pub mod engine;
pub mod error;
pub mod events;
pub mod export;
pub mod forms;
pub mod guard;
pub mod import;
pub mod jobs;
pub mod metrics;
pub mod pages;
pub mod pipelines;
pub mod ratelimit;
pub mod routing;
pub mod rules;
pub mod scores;
pub mod tracking;
pub mod web;
pub mod webhooks;
pub mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use leadline_store::Store;

pub use error::{ApiError, ApiResult};

/// Milliseconds since the epoch, now. The only clock the server reads.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Settings the server runs with (from the CLI, the environment and leadline.toml).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where uploads are spooled while an import runs.
    pub data_dir: PathBuf,
    /// Region for phone numbers written without a country code.
    pub default_region: Option<String>,
    /// Largest JSON body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Largest CSV upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Set the Secure flag on cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// The bearer token a metrics scraper sends to `/metrics`.
    pub metrics_token: Option<String>,
    /// See [`HEADER_TIMEOUT`].
    pub header_timeout: std::time::Duration,
    /// See [`guard::BODY_TIMEOUT`].
    pub body_timeout: std::time::Duration,
    /// Where events are published (NATS); none: they stay in the activity log only.
    pub bus: Option<events::Bus>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("leadline-data"),
            default_region: None,
            max_json_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 1024 * 1024 * 1024,
            secure_cookies: false,
            metrics_token: None,
            header_timeout: HEADER_TIMEOUT,
            body_timeout: guard::BODY_TIMEOUT,
            bus: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub login_limiter: Arc<ratelimit::RateLimiter>,
    pub known_logins: Arc<ratelimit::KnownAddresses>,
    pub jobs: Arc<jobs::Jobs>,
    pub tokens: Arc<auth::TokenCache>,
    pub funnel: Arc<web::FunnelCache>,
    /// Wakes this server's engine when an activity is stored here (others poll).
    pub engine_wake: Arc<tokio::sync::Notify>,
    /// The engine's rules that apply now (score models, lifecycle), for requests that read them.
    pub rules: Arc<rules::RuleCache>,
    /// Acknowledged tracking events, committed in groups.
    pub ingest: Arc<tracking::Ingest>,
    /// Wakes this server's tracker when events are kept here.
    pub tracker_wake: Arc<tokio::sync::Notify>,
    /// Requests to the tracking API, per write key and per address.
    pub track_limiter: Arc<ratelimit::RateLimiter>,
    pub site_cache: Arc<api::track::SiteCache>,
    /// Form submissions per address.
    pub form_limiter: Arc<ratelimit::RateLimiter>,
    /// People's events in memory, for funnels.
    pub analytics: Arc<analytics::Analytics>,
    /// The home page's figures, counted at most once a minute.
    /// The home page's figures, counted behind it.
    pub dashboard: Arc<counted::Counted<api::reports::Dashboard>>,
    /// The customer health page's figures, counted behind it.
    pub health: Arc<counted::Counted<api::health::PageFigures>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> Self {
        let store_is_sqlite = store.backend() == "sqlite";
        Self {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            // Ten login attempts per minute per address, then one every six seconds.
            login_limiter: Arc::new(ratelimit::RateLimiter::new(10, std::time::Duration::from_secs(6))),
            known_logins: Arc::new(ratelimit::KnownAddresses::default()),
            jobs: Arc::new(jobs::Jobs::default()),
            tokens: Arc::new(auth::TokenCache::default()),
            funnel: Arc::new(web::FunnelCache::default()),
            engine_wake: Arc::new(tokio::sync::Notify::new()),
            rules: Arc::new(rules::RuleCache::default()),
            ingest: Arc::new(tracking::Ingest::new(if store_is_sqlite { 1 } else { 4 })),
            tracker_wake: Arc::new(tokio::sync::Notify::new()),
            // Per write key and per address: 4,000 requests in a burst, then 2,000 a second
            // (a batch holds up to 500 KB of events).
            track_limiter: Arc::new(ratelimit::RateLimiter::new(4_000, std::time::Duration::from_micros(500))),
            site_cache: Arc::new(api::track::SiteCache::default()),
            // Twenty submissions at once from an address, then one every three seconds.
            form_limiter: Arc::new(ratelimit::RateLimiter::new(20, std::time::Duration::from_secs(3))),
            analytics: Arc::default(),
            dashboard: Arc::default(),
            health: Arc::default(),
        }
    }
}

/// Serve until ctrl-c or SIGTERM, then finish in-flight requests.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "leadline is listening");
    let workers = start_workers(&state, holder_name());
    serve_on(listener, state, shutdown()).await;
    drop(workers);
    Ok(())
}

/// This server's name among the servers on one database (for the engine's, the tracker's
/// and the publisher's leases): this host, this process, a random tag.
pub fn holder_name() -> String {
    format!("{}-{}-{:08x}", std::env::var("HOSTNAME").unwrap_or_default(), std::process::id(), rand::random::<u32>())
}

/// What runs beside the HTTP server; stopped when dropped.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Start what runs beside the HTTP server: the reaper of interrupted jobs and old uploads, the
/// publisher (with a NATS URL), the tracker, the webhooks' dispatcher and sender, and the
/// engine.
pub fn start_workers(state: &AppState, holder: String) -> Workers {
    let store = &state.store;
    let mut tasks = vec![tokio::spawn(background(store.clone(), state.config.data_dir.join("uploads")))];
    if let Some(bus) = state.config.bus.clone() {
        tasks.push(tokio::spawn(publish(bus, holder.clone(), store.clone())));
    }
    let tracker = tracking::Tracker::new(holder.clone());
    tasks.push(tokio::spawn(tracker.run(
        store.clone(),
        state.ingest.clone(),
        state.tracker_wake.clone(),
        state.engine_wake.clone(),
    )));
    tasks.push(tokio::spawn(webhooks::run(store.clone(), holder.clone())));
    tasks.push(tokio::spawn(state.analytics.clone().run(store.clone())));
    // The home page's figures counted once before anyone asks (most of a second at a million
    // contacts); from then on a request finds them counted within the minute.
    let warm = state.clone();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = api::reports::dashboard_counted(&warm, None, None).await {
            tracing::warn!(error = ?e, "the dashboard's figures could not be counted");
        }
    }));
    tasks.push(tokio::spawn(engine::review_customers(store.clone(), holder.clone(), state.engine_wake.clone())));
    tasks.push(tokio::spawn(engine::Engine::new(holder).run(store.clone(), state.engine_wake.clone())));
    Workers(tasks)
}

/// Publish events on `bus`, connecting again every few seconds while NATS cannot be reached.
async fn publish(bus: events::Bus, holder: String, store: Arc<dyn Store>) {
    loop {
        match events::Publisher::connect(&bus, holder.clone()).await {
            Ok(p) => {
                tracing::info!(url = %bus.url, prefix = %bus.prefix, "publishing events");
                return p.run(store).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot publish events yet; trying again in 5 s");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may sit idle before its next request: a connection that sends slowly or not at
/// all is closed instead of held.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serve the application on `listener` until `stop` completes, then let in-flight requests
/// finish (for at most 30 s). Each connection gets `config.header_timeout` to send each
/// request's headers, idle or not.
pub async fn serve_on(listener: tokio::net::TcpListener, state: AppState, stop: impl std::future::Future<Output = ()>) {
    use tower::ServiceExt;
    let header_timeout = state.config.header_timeout;
    let app = api::router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to close.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown()).await;
}

/// What runs beside the server: failing interrupted jobs, and clearing old uploads.
async fn background(store: std::sync::Arc<dyn leadline_store::Store>, uploads: PathBuf) {
    let mut tick = tokio::time::interval(jobs::HEARTBEAT_EVERY);
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        fail_interrupted_jobs(store.as_ref()).await;
        // Hourly (and at start): uploads nobody imported within a day (a mapping screen left,
        // a dry run never run for real, a job whose server died) are removed.
        if ticks.is_multiple_of(120) {
            jobs::remove_old_uploads(store.as_ref(), &uploads, std::time::Duration::from_secs(24 * 3600)).await;
        }
        ticks += 1;
    }
}

/// Fail the jobs whose process went away mid-run (a crash, a restart, another instance that
/// stopped).
async fn fail_interrupted_jobs(store: &dyn leadline_store::Store) {
    let now = now();
    let silent_since = now - jobs::SILENT_FOR.as_millis() as i64;
    match store.fail_silent_jobs(silent_since, jobs::INTERRUPTED, now).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(jobs = n, "interrupted jobs marked failed"),
        Err(e) => tracing::warn!(error = %e, "could not look for interrupted jobs"),
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
