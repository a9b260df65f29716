//! Leadline's HTTP server: the `/api/v1` JSON API with its OpenAPI document, authentication,
//! CSV imports (as background jobs) and exports, health and metrics, and the web application
//! (server-rendered pages in four languages, `web`).
//!
//! API boundary: handlers validate at the edge through `wire` (the core's checks), call one
//! `Store` use-case method, and map the result to JSON. Store and core types never serialize
//! themselves; the shapes on the wire live here.

pub mod api;
pub mod auth;
pub mod bulk;
pub mod error;
pub mod export;
pub mod import;
pub mod jobs;
pub mod metrics;
pub mod ratelimit;
pub mod web;
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("leadline-data"),
            default_region: None,
            max_json_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 1024 * 1024 * 1024,
            secure_cookies: false,
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
    pub jobs: Arc<jobs::Jobs>,
    pub tokens: Arc<auth::TokenCache>,
    pub funnel: Arc<web::FunnelCache>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            // Ten login attempts per minute per address, then one every six seconds.
            login_limiter: Arc::new(ratelimit::RateLimiter::new(10, std::time::Duration::from_secs(6))),
            jobs: Arc::new(jobs::Jobs::default()),
            tokens: Arc::new(auth::TokenCache::default()),
            funnel: Arc::new(web::FunnelCache::default()),
        }
    }
}

/// Serve until ctrl-c or SIGTERM, then finish in-flight requests.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "leadline is listening");
    let reaper = tokio::spawn(fail_interrupted_jobs(state.store.clone()));
    let app = api::router(state);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await;
    reaper.abort();
    served
}

/// Fail the jobs whose process went away mid-run (a crash, a restart, another instance that
/// stopped): at start, and then on the heartbeat's clock.
async fn fail_interrupted_jobs(store: std::sync::Arc<dyn leadline_store::Store>) {
    let mut tick = tokio::time::interval(jobs::HEARTBEAT_EVERY);
    loop {
        tick.tick().await;
        let now = now();
        let silent_since = now - jobs::SILENT_FOR.as_millis() as i64;
        match store.fail_silent_jobs(silent_since, jobs::INTERRUPTED, now).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(jobs = n, "interrupted jobs marked failed"),
            Err(e) => tracing::warn!(error = %e, "could not look for interrupted jobs"),
        }
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
