//! `leadline bench funnel`: the analytics engine against DuckDB and ClickHouse on one funnel.
//!
//! Generates `events` events of `people` people (10 types over 30 days, each person's count
//! uniform around the mean), loads them into a fresh SQLite store through the store's bulk path
//! (load time printed apart), builds the engine's table from the store's log, and runs the
//! 4-step funnel page_view -> product_view -> add_to_cart -> purchase with a 7-day window in
//! Leadline, then in DuckDB and ClickHouse (PyPI `duckdb` and `chdb`, through
//! `bench/funnel_peers.py` run by LEADLINE_BENCH_PYTHON or python3) on the same events. Checks
//! that the three give the same counts at every step and prints times, ratios, the floor (one
//! pass over the columns the funnel reads, with no logic) and the engine's memory.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use leadline_core::funnel::Mode;
use leadline_core::lifecycle::ChangeCause;
use leadline_server::analytics::{Analytics, FunnelQuery};
use leadline_store::{Actor, NewActivity, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct Options {
    pub events: usize,
    pub people: usize,
    pub keep: Option<std::path::PathBuf>,
    /// Times Leadline runs the query (the first, then the warm ones).
    pub runs: usize,
}

const DAY_S: u32 = 86_400;
const DAYS: u32 = 30;
/// 2026-05-01T00:00:00Z.
const START_S: u32 = 1_777_593_600;
const WINDOW_S: u32 = 7 * DAY_S;

/// The ten types, the funnel's four first; weights out of 100.
const KINDS: [(&str, u32); 10] = [
    ("page_view", 34),
    ("x_product_view", 20),
    ("x_add_to_cart", 9),
    ("purchase", 4),
    ("email_opened", 9),
    ("email_clicked", 5),
    ("form_submission", 4),
    ("x_search", 8),
    ("chat_message", 3),
    ("x_signup", 4),
];

/// The generated events, as columns (person, seconds since the epoch, type).
struct Events {
    person: Vec<u32>,
    at: Vec<u32>,
    kind: Vec<u8>,
}

fn generate(events: usize, people: usize) -> Events {
    let mut rng = StdRng::seed_from_u64(22);
    let mut e =
        Events { person: Vec::with_capacity(events), at: Vec::with_capacity(events), kind: Vec::with_capacity(events) };
    let mean = (events / people.max(1)).max(1);
    let mut cumulative = [0u32; 10];
    let mut sum = 0;
    for (i, (_, w)) in KINDS.iter().enumerate() {
        sum += w;
        cumulative[i] = sum;
    }
    let mut p = 0;
    while e.person.len() < events {
        let n = rng.gen_range(1..=2 * mean - 1).min(events - e.person.len());
        for _ in 0..n {
            e.person.push((p % people) as u32);
            e.at.push(START_S + rng.gen_range(0..DAYS * DAY_S));
            let roll = rng.gen_range(0..sum);
            e.kind.push(cumulative.iter().position(|&c| roll < c).unwrap_or(0) as u8);
        }
        p += 1;
    }
    e
}

/// A person's contact id: as long as a real one.
fn contact_id(p: u32) -> String {
    format!("01JBENCHFUNNEL{p:012}")
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

pub async fn run(o: Options) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let dir = match &o.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("leadline-funnel-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| err(&e))?;
    println!("funnel: {} events of {} people, 10 types over {DAYS} days; 4 steps, 7-day window", o.events, o.people);
    let started = Instant::now();
    let ev = generate(o.events, o.people);
    println!("  generated in {:.1} s", started.elapsed().as_secs_f64());
    write_columns(&ev, &dir)?;

    let db = dir.join("leadline.db");
    let fresh = !db.exists();
    let store = leadline_store::open(&format!("sqlite:{}", db.display())).await.map_err(|e| err(&e))?;
    if fresh {
        let started = Instant::now();
        load(store.as_ref(), &ev).await?;
        let s = started.elapsed().as_secs_f64();
        println!(
            "  load into the store (bulk path, one transaction per 100,000): {s:.1} s, {:.0} events/s",
            o.events as f64 / s
        );
    } else {
        println!("  store kept from an earlier run: {}", db.display());
    }

    let before = rss_mb();
    let analytics = Analytics::default();
    let started = Instant::now();
    analytics.refresh(store.as_ref()).await.map_err(|e| format!("{e:?}"))?;
    let build = started.elapsed().as_secs_f64();
    let size = analytics.size();
    println!(
        "  engine table built from the store's log: {build:.1} s; {} people, {} events, {:.0} MB held (RSS +{:.0} MB)",
        size.people,
        size.events,
        size.bytes as f64 / 1e6,
        rss_mb() - before
    );

    let query = FunnelQuery {
        steps: KINDS[..4].iter().map(|(k, _)| (k.to_string(), Vec::new())).collect(),
        window: i64::from(WINDOW_S) * 1000,
        mode: Mode::Default,
        from: i64::from(START_S) * 1000,
        to: i64::from(START_S + DAYS * DAY_S) * 1000,
        breakdown: None,
        names: Vec::new(),
    };
    let mut times = Vec::new();
    let mut counts = Vec::new();
    for _ in 0..o.runs.max(2) {
        let started = Instant::now();
        analytics.refresh(store.as_ref()).await.map_err(|e| format!("{e:?}"))?;
        let answer = analytics.funnel(store.as_ref(), &query).await.map_err(|e| format!("{e:?}"))?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        counts = answer.steps.iter().map(|s| s.count).collect::<Vec<u64>>();
    }
    let cold = times[0];
    let mut warm = times[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    let (best, median) = (warm[0], warm[warm.len() / 2]);
    let floor = floor_ms(&ev);
    println!("  leadline: {counts:?}; first {cold:.1} ms, warm best {best:.1} ms, median {median:.1} ms; floor {floor:.1} ms");

    let python = std::env::var("LEADLINE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/funnel_peers.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .arg(WINDOW_S.to_string())
        .arg(START_S.to_string())
        .arg((START_S + DAYS * DAY_S).to_string())
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    if o.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if !out.status.success() {
        return Err(format!("the peers failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let peers: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("the peers said: {e}"))?;
    let peer_counts = |name: &str| -> Vec<u64> {
        peers[name]["counts"].as_array().map(|a| a.iter().filter_map(|v| v.as_u64()).collect()).unwrap_or_default()
    };
    let ms = |name: &str, what: &str| peers[name][what].as_f64().unwrap_or(f64::NAN);

    println!("  people at each step or further:");
    println!("    leadline   {counts:?}");
    println!("    duckdb     {:?}", peer_counts("duckdb"));
    println!("    clickhouse {:?}", peer_counts("clickhouse"));
    let equal = counts == peer_counts("duckdb") && counts == peer_counts("clickhouse");
    println!("  counts equal: {}", if equal { "yes" } else { "NO" });
    println!("  query (ms)            first     warm best   warm median");
    println!("    leadline         {cold:9.1}   {best:9.1}   {median:9.1}");
    for name in ["duckdb", "clickhouse"] {
        println!("    {name:<15}  {:9.1}   {:9.1}", ms(name, "cold_ms"), ms(name, "warm_ms"));
    }
    println!(
        "  floor: one pass over the time and type columns with no logic ({:.0} MB, both cores): {floor:.1} ms",
        ev.person.len() as f64 * 10.0 / 1e6
    );
    let ch = ms("clickhouse", "warm_ms");
    println!(
        "  ratios (warm best): clickhouse/leadline {:.1}x (target 10x), duckdb/leadline {:.1}x, leadline/floor {:.1}x",
        ch / best,
        ms("duckdb", "warm_ms") / best,
        best / floor
    );
    println!(
        "  peers: ClickHouse {} (chdb), DuckDB {}; their loads (not timed above): {:.0} ms, {:.0} ms",
        peers["clickhouse"]["version"].as_str().unwrap_or("?"),
        peers["duckdb"]["version"].as_str().unwrap_or("?"),
        ms("clickhouse", "load_ms"),
        ms("duckdb", "load_ms")
    );
    store.close().await;
    if equal {
        Ok(())
    } else {
        Err("the engines disagree".into())
    }
}

fn write_columns(ev: &Events, dir: &Path) -> Result<(), String> {
    let write = |name: &str, bytes: Vec<u8>| -> Result<(), String> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).map_err(|e| e.to_string())?);
        f.write_all(&bytes).map_err(|e| e.to_string())
    };
    write("person.u32", ev.person.iter().flat_map(|p| p.to_le_bytes()).collect())?;
    write("time.u32", ev.at.iter().flat_map(|t| t.to_le_bytes()).collect())?;
    write("kind.u8", ev.kind.clone())
}

async fn load(store: &dyn Store, ev: &Events) -> Result<(), String> {
    const CHUNK: usize = 100_000;
    let now = leadline_server::now();
    for start in (0..ev.person.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(ev.person.len());
        let items = (start..end)
            .map(|i| NewActivity {
                kind: KINDS[usize::from(ev.kind[i])].0.to_owned(),
                occurred_at: i64::from(ev.at[i]) * 1000,
                contact_id: Some(contact_id(ev.person[i])),
                company_id: None,
                deal_id: None,
                channel: None,
                campaign: None,
                source: None,
                properties: serde_json::Map::new(),
                idempotency_key: None,
            })
            .collect();
        store.load_activities(items, Actor::new(None, ChangeCause::Import, now)).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The hardware's part: one pass over columns as large as the engine's time and type columns
/// (8 and 2 bytes an event), split over the cores as the engine splits people, summing them.
fn floor_ms(ev: &Events) -> f64 {
    let at: Vec<i64> = ev.at.iter().map(|&t| i64::from(t) * 1000).collect();
    let kind: Vec<u16> = ev.kind.iter().map(|&k| u16::from(k)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let total: i64 = std::thread::scope(|s| {
            let chunk = at.len().div_ceil(threads).max(1);
            let handles: Vec<_> = at
                .chunks(chunk)
                .zip(kind.chunks(chunk))
                .map(|(a, k)| {
                    s.spawn(move || a.iter().sum::<i64>().wrapping_add(k.iter().map(|&x| i64::from(x)).sum()))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).fold(0i64, i64::wrapping_add)
        });
        std::hint::black_box(total);
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    best
}
