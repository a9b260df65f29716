//! `leadline bench pages`: how long the server takes to render the contact list and contact
//! pages, in process and one at a time (no network, no client), against an existing store.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leadline_core::record::ObjectKind;
use leadline_core::role::{Role, TokenScope};
use leadline_server::{auth, AppState, ServerConfig};
use leadline_store::ListQuery;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use tower::ServiceExt;

use crate::config::Config;

/// The path of a page's i-th request.
type PathOf = Box<dyn Fn(usize) -> String>;

pub async fn run(cfg: &Config, iterations: usize) -> Result<(), String> {
    let store = leadline_store::open(&cfg.database_url).await.map_err(|e| e.to_string())?;
    let contacts = store.count(ObjectKind::Contact, &[], None).await.map_err(|e| e.to_string())?;
    println!("store: {} with {contacts} contacts", store.backend());
    let email = "bench-pages@leadline.local";
    let user = match store.user_by_email(email).await.map_err(|e| e.to_string())? {
        Some(u) => u,
        None => store.create_user(email, None, Role::Sales, None, 0).await.map_err(|e| e.to_string())?,
    };
    let (token, prefix) = auth::new_token();
    let now = leadline_server::now();
    store
        .create_token(&user.id, "bench pages", TokenScope::Read, &auth::hash_secret(&token), &prefix, now)
        .await
        .map_err(|e| e.to_string())?;
    let config = ServerConfig { data_dir: cfg.data_dir.clone(), ..Default::default() };
    let router = leadline_server::api::router(AppState::new(store.clone(), config));

    // Contacts to open: from the newest, the oldest and the middle of the name order.
    let mut ids = Vec::new();
    for sort in ["created_at", "last_name", "first_name"] {
        for descending in [false, true] {
            let q = ListQuery {
                sort: leadline_store::Sort::Field(
                    leadline_core::record::field(ObjectKind::Contact, sort).expect("a contact field"),
                ),
                descending,
                ..ListQuery::newest(ObjectKind::Contact, 100)
            };
            let page = store.list(ObjectKind::Contact, &q).await.map_err(|e| e.to_string())?;
            ids.extend(page.items.into_iter().map(|r| r.id));
        }
    }
    if ids.is_empty() {
        return Err(
            "the store has no contacts: fill it with `leadline bench import --keep DIR` or `leadline demo`".into()
        );
    }
    ids.shuffle(&mut rand::rngs::StdRng::seed_from_u64(7));

    let pages: Vec<(&str, PathOf)> = vec![
        ("contact list, newest first", Box::new(|_| "/contacts".to_owned())),
        ("contact list, filtered by stage", Box::new(|_| "/contacts?lifecycle_stage=mql".to_owned())),
        ("contact list, sorted by last name", Box::new(|_| "/contacts?sort=last_name".to_owned())),
        (
            "contact list, search as typed",
            Box::new(|i| format!("/contacts?q={}", ["an", "kow", "ross", "mar", "sm"][i % 5])),
        ),
        ("contact page", Box::new(move |i| format!("/contacts/{}", ids[i % ids.len()]))),
        ("dashboard (figures of the last 30 days against the 30 before; target 200 ms)", Box::new(|_| "/".to_owned())),
        ("deals board (target 200 ms)", Box::new(|_| "/deals/board".to_owned())),
        ("forecast (target 200 ms)", Box::new(|_| "/forecast?by=owner".to_owned())),
        (
            "analytics funnel, 3 steps over every person's activities (target 200 ms)",
            Box::new(|_| "/analytics?step=page_view&step=form_submission&step=purchase&window=30".to_owned()),
        ),
        ("customer health, both lists (target 200 ms)", Box::new(|_| "/analytics/health".to_owned())),
        (
            "customer health API, counted on every request (the page's figures are counted behind it)",
            Box::new(|_| "/api/v1/reports/health?flag=upsell_candidate".to_owned()),
        ),
    ];
    println!("each page rendered {iterations} times after 5 warm-ups, one at a time (target: under 50 ms)");
    for (name, path) in &pages {
        let mut times = Vec::with_capacity(iterations);
        let mut bytes = 0;
        for i in 0..iterations + 5 {
            let req = Request::builder()
                .uri(path(i))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .map_err(|e| e.to_string())?;
            let t = Instant::now();
            let resp = router.clone().oneshot(req).await.map_err(|e| e.to_string())?;
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.map_err(|e| e.to_string())?;
            let took = t.elapsed();
            if status != StatusCode::OK {
                return Err(format!("{} answered {status}", path(i)));
            }
            if i >= 5 {
                times.push(took);
                bytes += body.len();
            }
        }
        report(name, times, bytes / iterations.max(1));
    }
    Ok(())
}

fn report(name: &str, mut t: Vec<Duration>, avg_bytes: usize) {
    t.sort_unstable();
    let pct =
        |p: f64| t.get(((t.len() as f64 * p) as usize).min(t.len().saturating_sub(1))).copied().unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} KB of HTML)",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(t.last().copied().unwrap_or_default()),
        avg_bytes / 1024
    );
}
