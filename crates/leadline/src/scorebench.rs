//! `leadline bench scoring`: the engine at size. A store of contacts (imported from a generated
//! CSV) and a year of their activities (through the bulk path), kept in a directory for reuse;
//! then, in one run: a read-only pass over what a rescore reads (the floor), the full rescore
//! of every model and segment, the engine's resident memory, a maintained segment's count, the
//! same condition counted ad hoc and by DuckDB over the same data in Parquet (counts compared),
//! and the latency from an activity stored to its consequences committed, at a fixed rate.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadline_core::condition::eval::{Facts, Value};
use leadline_core::record::ObjectKind;
use leadline_server::engine::{Engine, LEASE, NAME};
use leadline_server::scores::{count_matching, ContactFacts};
use leadline_store::{ActivityQuery, Actor, Claim, Contacts, NewActivity, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400_000;
/// The segment (and ad-hoc condition) measured: three conditions, one of them behavioural.
pub const CONDITION: &str =
    "country = \"PL\" and fit >= 20 and count(page_view where url contains \"/pricing\", last 30 days) >= 1";
const SEGMENT: &str = "bench: Polish fit pricing visitors";
const HOLDER: &str = "bench-scoring";

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub struct Options {
    pub contacts: usize,
    pub events_per_contact: usize,
    pub keep: Option<PathBuf>,
    pub rate: u32,
    pub seconds: u32,
    /// Skip the floor and the rescore (a kept store's scores and segments are reused).
    pub counts_only: bool,
}

pub async fn run(o: Options) -> Result<(), String> {
    let dir =
        o.keep.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("leadline-score-{}", std::process::id())));
    std::fs::create_dir_all(&dir).map_err(err)?;
    let url = format!("sqlite:{}", dir.join("leadline.db").display());
    let now = leadline_server::now();
    fill(&dir, &url, &o, now).await?;
    let store = leadline_store::open(&url).await.map_err(err)?;
    let contacts = store.count(ObjectKind::Contact, &[], None).await.map_err(err)?;
    println!("store: sqlite with {contacts} contacts");

    let segment = if o.counts_only {
        let kept = store.segments().await.map_err(err)?.into_iter().find(|s| s.name == SEGMENT);
        kept.ok_or("--counts-only needs a kept store that has been rescored once")?.id
    } else {
        rescore(store.as_ref(), now).await?
    };
    let engine = Engine::new(HOLDER);

    // A maintained segment's count.
    let mut times = Vec::new();
    let mut kept = 0;
    for _ in 0..200 {
        let t = Instant::now();
        kept = store.segment_count(&segment).await.map_err(err)?;
        times.push(t.elapsed());
    }
    println!(
        "segment count (kept membership): {kept}, p50 {:.2} ms, p99 {:.2} ms (target 10 ms)",
        pct(&mut times, 50.0),
        pct(&mut times, 99.0)
    );

    // The same condition, ad hoc, then DuckDB on the same data.
    let expr = leadline_core::condition::parse(CONDITION).map_err(err)?;
    let current = leadline_server::rules::RuleCache::default().get(store.as_ref()).await.map_err(err)?;
    let t = Instant::now();
    let counted = count_matching(store.as_ref(), &expr, &current.model_keys(), now, 0).await.map_err(err)?;
    let ours = t.elapsed().as_secs_f64() * 1000.0;
    println!("ad-hoc count: {} of {} in {ours:.0} ms (target 500 ms)", counted.count, counted.scanned);
    match duckdb(store.as_ref(), &dir, now).await {
        Ok((count, ms)) => println!(
            "duckdb over parquet: {count} in {ms:.0} ms; ours / duckdb = {:.1}x; counts {}",
            ours / ms,
            if count == counted.count { "equal" } else { "DIFFER" }
        ),
        Err(e) => println!("duckdb: not run ({e})"),
    }

    latency(store.clone(), &engine, o.rate, o.seconds).await?;
    store.close().await;
    if o.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// The floor (read everything a rescore reads, deciding nothing), then the full rescore: every
/// contact decided again and the measured segment filled. Returns the segment's id.
async fn rescore(store: &dyn Store, now: i64) -> Result<String, String> {
    let t = Instant::now();
    let (mut after, mut read, mut events) = (String::new(), 0usize, 0usize);
    loop {
        let page = store.contact_facts(Contacts::After(&after, 1_000), now - 365 * DAY, None).await.map_err(err)?;
        let Some(last) = page.contacts.last() else { break };
        after = last.id.clone();
        read += page.contacts.len();
        events += page.activities.values().map(Vec::len).sum::<usize>();
    }
    let floor = t.elapsed().as_secs_f64();
    println!("floor: read {read} contacts and {events} activities (what a rescore reads) in {floor:.1} s");
    let t = Instant::now();
    let mut after = String::new();
    loop {
        let page = store.contact_facts(Contacts::After(&after, 1_000), now, Some(&[])).await.map_err(err)?;
        let Some(last) = page.contacts.last() else { break };
        after = last.id.clone();
    }
    println!("  of which the contacts, companies and deals alone: {:.1} s", t.elapsed().as_secs_f64());

    // The full rescore: every contact decided again, the segment filled.
    let segment = prepare(store, now).await?;
    let engine = Engine::new(HOLDER);
    let t = Instant::now();
    while engine.step(store, leadline_server::now()).await.map_err(err)? > 0 {}
    let rescore = t.elapsed().as_secs_f64();
    println!(
        "full rescore: {read} contacts in {rescore:.1} s = {:.0} contacts/s (target 10 s at 1M; {:.1}x the floor)",
        read as f64 / rescore,
        rescore / floor
    );
    println!("resident memory: {} MB at most (target under 2,048)", peak_rss_mb());

    Ok(segment)
}

/// Fill the store once: contacts from a generated CSV through the import, then a year of
/// activities each through the bulk path. A kept directory that has contacts is reused.
async fn fill(dir: &Path, url: &str, o: &Options, now: i64) -> Result<(), String> {
    let store = leadline_store::open(url).await.map_err(err)?;
    let have = store.count(ObjectKind::Contact, &[], None).await.map_err(err)?;
    if have > 0 {
        println!("reusing {} ({have} contacts)", dir.display());
        store.close().await;
        return Ok(());
    }
    store.close().await;
    let csv = dir.join("contacts.csv");
    crate::bench::generate(&csv, o.contacts).map_err(err)?;
    crate::bench::import_into(url, &csv, "sqlite").await?;
    let _ = std::fs::remove_file(&csv);
    let store = leadline_store::open(url).await.map_err(err)?;
    let mut rng = StdRng::seed_from_u64(7);
    let actor = Actor::new(None, leadline_core::lifecycle::ChangeCause::Import, now);
    let t = Instant::now();
    let (mut after, mut total) = (String::new(), 0u64);
    loop {
        let ids = store.contacts_after(&after, 2_000).await.map_err(err)?;
        let Some(last) = ids.last() else { break };
        after = last.clone();
        let mut batch = Vec::new();
        for id in &ids {
            for _ in 0..rng.gen_range(0..=o.events_per_contact * 2) {
                batch.push(event(&mut rng, id, now));
            }
        }
        total += store.load_activities(batch, actor).await.map_err(err)?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "loaded {total} activities over a year in {secs:.1} s = {:.0} activities/s (bulk path)",
        total as f64 / secs
    );
    store.close().await;
    Ok(())
}

/// One activity of the past year: mostly page views (a tenth on the pricing page), e-mail,
/// forms, chat and product events.
fn event(rng: &mut StdRng, contact: &str, now: i64) -> NewActivity {
    let roll = rng.gen_range(0..100);
    let (kind, url) = match roll {
        0..55 => ("page_view", if rng.gen_range(0..10) == 0 { "/pricing" } else { "/blog/post" }),
        55..75 => ("email_opened", ""),
        75..85 => ("email_clicked", ""),
        85..88 => ("form_submission", "/demo"),
        88..93 => ("chat_message", ""),
        _ => ("product_event", ""),
    };
    let mut properties = serde_json::Map::new();
    if !url.is_empty() {
        properties.insert("url".into(), format!("https://example.com{url}").into());
    }
    if kind == "product_event" {
        properties.insert("name".into(), "created_project".into());
    }
    NewActivity {
        kind: kind.into(),
        occurred_at: now - rng.gen_range(0..365 * DAY),
        contact_id: Some(contact.to_owned()),
        company_id: None,
        deal_id: None,
        channel: None,
        campaign: None,
        source: None,
        properties,
        idempotency_key: None,
    }
}

/// Make the engine start from the end of the log with nothing marked (the bulk load is history,
/// not news), make the measured segment if it is not there, and ask for a rescan. Returns the
/// segment's id.
async fn prepare(store: &dyn Store, now: i64) -> Result<String, String> {
    let newest = store.activities(&ActivityQuery { limit: 1, ..Default::default() }).await.map_err(err)?;
    let end = newest.first().map_or(0, |a| a.seq);
    loop {
        let claim = store
            .engine_claim(NAME, HOLDER, now, LEASE)
            .await
            .map_err(err)?
            .ok_or("another engine holds the lease: stop the server using this store")?;
        let done = claim.dirty.is_empty();
        let progress = Claim { seq: end.max(claim.seq), rescan_after: None, dirty: claim.dirty };
        store.engine_commit(NAME, HOLDER, &progress, &[], now).await.map_err(err)?;
        if done {
            break;
        }
    }
    let segments = store.segments().await.map_err(err)?;
    let id = match segments.into_iter().find(|s| s.name == SEGMENT) {
        Some(s) => s.id,
        None => store.create_segment(SEGMENT, Some(CONDITION), now).await.map_err(err)?.id,
    };
    store.engine_request_rescan(NAME).await.map_err(err)?;
    Ok(id)
}

/// DuckDB (PyPI `duckdb`) answering the same question over the same data written to Parquet:
/// its count and milliseconds, from `bench/duckdb_segment.py`.
async fn duckdb(store: &dyn Store, dir: &Path, now: i64) -> Result<(u64, f64), String> {
    use std::io::Write;
    let mut contacts = std::io::BufWriter::new(std::fs::File::create(dir.join("contacts.csv")).map_err(err)?);
    let mut views = std::io::BufWriter::new(std::fs::File::create(dir.join("page_views.csv")).map_err(err)?);
    writeln!(contacts, "id,country,fit").map_err(err)?;
    writeln!(views, "contact_id,url,occurred_at").map_err(err)?;
    let kinds = ["page_view".to_owned()];
    let mut after = String::new();
    loop {
        let page =
            ContactFacts::load_many(store, Contacts::After(&after, 2_000), now, Some(&kinds)).await.map_err(err)?;
        let Some(last) = page.last() else { break };
        after = last.id().to_owned();
        for f in &page {
            let c = f.record();
            let fit = c.scores.iter().find(|(k, _, _)| k == "fit").map_or(String::new(), |(_, s, _)| s.to_string());
            writeln!(contacts, "{},{},{fit}", c.id, c.text("country").unwrap_or_default()).map_err(err)?;
            for e in f.events("page_view") {
                let url = e.fields.iter().find(|(k, _)| k == "url").and_then(|(_, v)| match v {
                    Value::Text(t) => Some(t.as_str()),
                    _ => None,
                });
                writeln!(views, "{},\"{}\",{}", c.id, url.unwrap_or_default().replace('"', "\"\""), e.at)
                    .map_err(err)?;
            }
        }
    }
    contacts.flush().map_err(err)?;
    views.flush().map_err(err)?;
    let python = std::env::var("LEADLINE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/duckdb_segment.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(dir)
        .arg(now.to_string())
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap_or("failed").to_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field =
        |name: &str| text.split_whitespace().find_map(|w| w.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok());
    match (field("count="), field("ms=")) {
        (Some(c), Some(ms)) => Ok((c as u64, ms)),
        _ => Err(format!("unexpected output: {text}")),
    }
}

/// Activities appended one at a time at `rate` a second (as the API stores them) while the
/// engine runs: the time from each append's commit to the commit of its consequences.
async fn latency(store: Arc<dyn Store>, engine: &Engine, rate: u32, seconds: u32) -> Result<(), String> {
    let ids = store.contacts_after("", 5_000).await.map_err(err)?;
    if ids.is_empty() {
        return Ok(());
    }
    let appended: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let wake = Arc::new(tokio::sync::Notify::new());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let appender = {
        let (store, appended, wake, stop) = (store.clone(), appended.clone(), wake.clone(), stop.clone());
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(11);
            let mut tick = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
            for _ in 0..rate * seconds {
                tick.tick().await;
                let id = &ids[rng.gen_range(0..ids.len())];
                let now = leadline_server::now();
                let a = event(&mut rng, id, now);
                let a = NewActivity { occurred_at: now, ..a };
                let actor = Actor::new(None, leadline_core::lifecycle::ChangeCause::Manual, now);
                if let Ok(stored) = store.append_activities(vec![a], actor).await {
                    if let Some(Ok((a, _))) = stored.into_iter().next() {
                        appended.lock().unwrap_or_else(|e| e.into_inner()).push((a.seq, Instant::now()));
                    }
                }
                wake.notify_one();
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut latencies = Vec::new();
    let mut pending: Vec<(i64, Instant)> = Vec::new();
    // Each step that applied something: how long it took, and how many events it took in.
    let (mut steps, mut batch) = (Vec::new(), 0usize);
    loop {
        let started = Instant::now();
        let applied = engine.step(store.as_ref(), leadline_server::now()).await.map_err(err)?;
        if applied > 0 {
            steps.push(started.elapsed());
            batch += applied;
            let done = Instant::now();
            let seq = engine.applied_seq();
            pending.extend(appended.lock().unwrap_or_else(|e| e.into_inner()).drain(..));
            pending.retain(|(s, at)| {
                if *s <= seq {
                    latencies.push(done - *at);
                    false
                } else {
                    true
                }
            });
            continue;
        }
        if stop.load(std::sync::atomic::Ordering::SeqCst)
            && appended.lock().map(|a| a.is_empty()).unwrap_or(true)
            && pending.is_empty()
        {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), wake.notified()).await;
    }
    appender.await.map_err(err)?;
    let n = latencies.len();
    println!(
        "activity -> consequences committed, {rate}/s for {seconds} s: {n} events, p50 {:.1} ms, p99 {:.1} ms (target 5 ms)",
        pct(&mut latencies, 50.0),
        pct(&mut latencies, 99.0)
    );
    println!(
        "  engine steps: {} taking {:.1} events each, p50 {:.1} ms, p99 {:.1} ms",
        steps.len(),
        batch as f64 / steps.len().max(1) as f64,
        pct(&mut steps, 50.0),
        pct(&mut steps, 99.0)
    );
    Ok(())
}

fn pct(times: &mut [Duration], p: f64) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort();
    let i = ((p / 100.0) * (times.len() - 1) as f64).round() as usize;
    times[i].as_secs_f64() * 1000.0
}

/// The process's peak resident memory, in MB (Linux; 0 elsewhere).
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
