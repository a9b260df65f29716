//! An open-loop HTTP load generator for `leadline bench http`.
//!
//! Requests are sent on a fixed schedule (not "as fast as replies come back"), and each
//! latency is measured from the moment its request was due, so a server that falls behind
//! shows it in the percentiles instead of quietly slowing the test down.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

pub(crate) struct Target {
    pub host: String,
    addr: String,
}

pub(crate) fn target(url: &str) -> Result<Target, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are supported")?;
    let host = rest.split('/').next().unwrap_or(rest).to_owned();
    Ok(Target { addr: host.clone(), host })
}

/// One keep-alive connection: send a request, read the status line, headers and body.
pub(crate) struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    pub(crate) async fn open(t: &Target) -> Result<Conn, String> {
        let s = TcpStream::connect(&t.addr).await.map_err(|e| format!("{}: {e}", t.addr))?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Conn { stream: BufReader::new(s) })
    }

    async fn get(&mut self, host: &str, path: &str, token: &str) -> Result<(u16, Vec<u8>), String> {
        self.request("GET", host, path, &format!("Bearer {token}"), b"").await
    }

    /// A request with an Authorization header and a JSON body (empty: none).
    pub(crate) async fn request(
        &mut self,
        method: &str,
        host: &str,
        path: &str,
        authorization: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), String> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\nAccept: application/json\r\n"
        );
        if !body.is_empty() {
            req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.get_mut().write_all(&bytes).await.map_err(|e| e.to_string())?;
        let mut head = Vec::with_capacity(512);
        while !head.ends_with(b"\r\n\r\n") {
            let b = self.stream.read_u8().await.map_err(|e| e.to_string())?;
            head.push(b);
            if head.len() > 64 * 1024 {
                return Err("response headers too long".into());
            }
        }
        let head = String::from_utf8_lossy(&head);
        let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status line")?;
        let length = head
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or("responses must carry content-length")?;
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).await.map_err(|e| e.to_string())?;
        Ok((status, body))
    }
}

/// Latency percentiles of one phase, printed.
fn report(name: &str, mut lat: Vec<Duration>, errors: usize, elapsed: Duration) {
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {} requests at {:.0}/s, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {errors} errors",
        lat.len(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.90)),
        ms(pct(0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
}

async fn phase(
    t: &Target,
    token: &str,
    rps: u32,
    seconds: u32,
    connections: usize,
    paths: Vec<String>,
    name: &str,
) -> Result<(), String> {
    let total = (rps * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rps));
    let (work_tx, work_rx) = async_channel(total);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Result<Duration, String>>();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let mut conn = Conn::open(t).await?;
        let (rx, done, host, token) = (work_rx.clone(), done_tx.clone(), t.host.clone(), token.to_owned());
        workers.push(tokio::spawn(async move {
            while let Ok((due, path)) = rx.recv().await {
                let r = match conn.get(&host, &path, &token).await {
                    Ok((200, _)) => Ok(due.elapsed()),
                    Ok((s, body)) => Err(format!("{s}: {}", String::from_utf8_lossy(&body))),
                    Err(e) => Err(e),
                };
                if done.send(r).is_err() {
                    break;
                }
            }
        }));
    }
    drop(done_tx);
    let started = Instant::now();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    for i in 0..total {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let path = paths[rng.gen_range(0..paths.len())].clone();
        if work_tx.send((due, path)).await.is_err() {
            break;
        }
    }
    drop(work_tx);
    let mut lat = Vec::with_capacity(total);
    let mut errors = 0;
    let mut first_error = None;
    while let Some(r) = done_rx.recv().await {
        match r {
            Ok(d) => lat.push(d),
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    report(name, lat, errors, started.elapsed());
    if let Some(e) = first_error {
        println!("  first error: {e}");
    }
    Ok(())
}

/// A multi-consumer queue of due requests, from tokio's mpsc behind a mutex.
fn async_channel(cap: usize) -> (mpsc::Sender<(Instant, String)>, Shared) {
    let (tx, rx) = mpsc::channel(cap.max(1));
    (tx, Shared(std::sync::Arc::new(tokio::sync::Mutex::new(rx))))
}

#[derive(Clone)]
struct Shared(std::sync::Arc<tokio::sync::Mutex<mpsc::Receiver<(Instant, String)>>>);

impl Shared {
    async fn recv(&self) -> Result<(Instant, String), ()> {
        self.0.lock().await.recv().await.ok_or(())
    }
}

pub async fn run(url: &str, token: &str, rps: u32, seconds: u32, connections: usize) -> Result<(), String> {
    let t = target(url)?;
    let mut conn = Conn::open(&t).await?;
    let (status, body) = conn.get(&t.host, "/api/v1/contacts?limit=500&count=true", token).await?;
    if status != 200 {
        return Err(format!("listing contacts answered {status}: {}", String::from_utf8_lossy(&body)));
    }
    let page: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let ids: Vec<String> =
        page["items"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect();
    if ids.is_empty() {
        return Err("the server has no contacts to read".into());
    }
    println!("server has {} contacts; {rps} requests/s for {seconds} s over {connections} connections", page["total"]);
    let by_id = ids.iter().map(|id| format!("/api/v1/contacts/{id}")).collect();
    phase(&t, token, rps, seconds, connections, by_id, "GET /api/v1/contacts/{id}").await?;
    let lists = ["IT", "PL", "GB", "IR"]
        .iter()
        .map(|c| format!("/api/v1/contacts?country={c}&lifecycle_stage=lead&limit=50"))
        .collect();
    phase(&t, token, rps, seconds, connections, lists, "GET /api/v1/contacts?country=..&lifecycle_stage=lead&limit=50")
        .await?;
    // A company's contacts: the filter goes through the contacts' company links.
    let companies: Vec<String> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["company_id"].as_str())
        .map(|id| format!("/api/v1/contacts?company_id={id}&lifecycle_stage=lead&limit=50"))
        .collect();
    if !companies.is_empty() {
        let name = "GET /api/v1/contacts?company_id=..&lifecycle_stage=lead&limit=50";
        phase(&t, token, rps, seconds, connections, companies, name).await?;
    }
    // Search as typed, at a quarter of the rate: name prefixes in several scripts ("Łuk", and
    // "كریم" with an Arabic kaf that must find Persian spellings), an e-mail, phone digits.
    let searches = ["%C5%81uk", "zofia", "%D9%83%D8%B1%DB%8C%D9%85", "giul", "person4211", "601234"]
        .iter()
        .map(|q| format!("/api/v1/contacts?q={q}&limit=20"))
        .collect();
    phase(&t, token, rps / 4, seconds, connections, searches, "GET /api/v1/contacts?q=..&limit=20").await
}
