//! Request counters and timings, rendered in the Prometheus text format.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    /// Responses by status class: 1xx..5xx.
    by_class: [AtomicU64; 5],
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_micros_sum: AtomicU64,
    /// Tracking events acknowledged (kept in the inbox).
    tracked: AtomicU64,
}

impl Metrics {
    pub fn tracked(&self, n: u64) {
        self.tracked.fetch_add(n, Ordering::Relaxed);
    }

    pub fn observe(&self, status: u16, seconds: f64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_micros_sum.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the record counts appended by the caller.
    pub fn render(&self, gauges: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP leadline_http_responses_total HTTP responses by status class.\n# TYPE leadline_http_responses_total counter\n");
        let mut total = 0;
        for (i, c) in self.by_class.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            total += n;
            out.push_str(&format!("leadline_http_responses_total{{class=\"{}xx\"}} {n}\n", i + 1));
        }
        out.push_str("# HELP leadline_http_request_duration_seconds Time to answer a request.\n# TYPE leadline_http_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            out.push_str(&format!(
                "leadline_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}\n",
                self.latency_buckets[i].load(Ordering::Relaxed)
            ));
        }
        out.push_str(&format!("leadline_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}\n"));
        out.push_str(&format!(
            "leadline_http_request_duration_seconds_sum {}\n",
            self.latency_micros_sum.load(Ordering::Relaxed) as f64 / 1e6
        ));
        out.push_str(&format!("leadline_http_request_duration_seconds_count {total}\n"));
        out.push_str("# HELP leadline_tracked_events_total Tracking events acknowledged.\n# TYPE leadline_tracked_events_total counter\n");
        out.push_str(&format!("leadline_tracked_events_total {}\n", self.tracked.load(Ordering::Relaxed)));
        for (name, help, v) in gauges {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"));
        }
        out
    }
}

/// Time every request and count its status.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let took = started.elapsed().as_secs_f64();
    state.metrics.observe(res.status().as_u16(), took);
    tracing::debug!(%method, %path, status = res.status().as_u16(), ms = took * 1000.0, "request");
    res
}
