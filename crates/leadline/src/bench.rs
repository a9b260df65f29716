//! `leadline bench`: benchmarks that print their figures (no timed assertions in tests).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Subcommand;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;

use crate::config::Config;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Generate a contacts CSV (5% duplicates, 1% bad rows) and import it into a fresh
    /// SQLite store, and into a fresh PostgreSQL database when --postgres names a server.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// A PostgreSQL server URL (a new database is created on it and dropped after).
        #[arg(long, env = "LEADLINE_BENCH_POSTGRES")]
        postgres: Option<String>,
        /// Keep the SQLite store in this directory (for `bench/api.sh`) instead of a temporary one.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Keep the generated CSV at this path (for `bench/api.sh` on PostgreSQL, which imports
        /// it with `leadline import`).
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Load a running server at a fixed request rate from this process and print latency
    /// percentiles: GET of random contacts, then a filtered list page.
    Http {
        /// The server, e.g. http://127.0.0.1:8080.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// An API token (read scope is enough).
        #[arg(long, env = "LEADLINE_TOKEN")]
        token: String,
        #[arg(long, default_value_t = 2000)]
        rps: u32,
        #[arg(long, default_value_t = 20)]
        seconds: u32,
        /// Open connections to spread the requests over.
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Sustained tracking ingestion over HTTP (`/v1/batch`) into a server in this process with
    /// the tracker and the engine running, on a fresh SQLite store and, with --postgres, a
    /// fresh PostgreSQL database; acknowledgement latency, the store's floor and the ratios.
    Ingest {
        #[arg(long, default_value_t = 20)]
        seconds: u32,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Events per request.
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Distinct anonymous visitors the events come from.
        #[arg(long, default_value_t = 100_000)]
        visitors: usize,
        /// A PostgreSQL server URL (a new database is created on it and dropped after).
        #[arg(long, env = "LEADLINE_BENCH_POSTGRES")]
        postgres: Option<String>,
    },
    /// Customer lifetime value on the CDNOW sample (from the PyPI package `lifetimes`; see
    /// `bench/cdnow.sh`): BG/NBD and Gamma-Gamma fitted and checked against the published
    /// parameters.
    Clv {
        /// `lifetimes/datasets/CDNOW_sample.txt`.
        #[arg(long)]
        cdnow: PathBuf,
    },
    /// The analytics engine's funnel against DuckDB and ClickHouse (PyPI `duckdb` and `chdb`,
    /// run by LEADLINE_BENCH_PYTHON or python3) on the same generated events: load time,
    /// equal counts, query times, the floor, the ratios and the engine's memory.
    Funnel {
        #[arg(long, default_value_t = 10_000_000)]
        events: usize,
        #[arg(long, default_value_t = 1_000_000)]
        people: usize,
        /// Keep the store and the columns in this directory (a later run reuses the store).
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Times Leadline runs the query: the first, then the warm ones.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// Render the contact list and contact pages in process against the configured store
    /// (e.g. `--data-dir DIR` filled by `bench import --keep DIR`) and print render times.
    /// Signs in as the user bench-pages@leadline.local (created without a password, with a
    /// read-only token) in that store.
    Pages {
        #[arg(long, default_value_t = 200)]
        iterations: usize,
    },
    /// The engine at size: contacts imported from a generated CSV and a year of activities
    /// through the bulk path (kept in --keep DIR for reuse); then the floor (reading what a
    /// rescore reads), the full rescore, memory, a kept segment's count, the same condition
    /// counted ad hoc and by DuckDB (PyPI `duckdb`, run by LEADLINE_BENCH_PYTHON or python3),
    /// and activity-to-consequence latency at a fixed rate.
    Scoring {
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Activities per contact on average (uniform from 0 to twice this).
        #[arg(long, default_value_t = 20)]
        events_per_contact: usize,
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Activities a second during the latency run.
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u32,
        /// Skip the floor and the rescore, reusing a kept store's scores and segment.
        #[arg(long)]
        counts_only: bool,
    },
    /// Only write the generated CSV.
    Csv {
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

const FIRST: &[&str] = &[
    "Anna",
    "Łukasz",
    "Zofia",
    "Giulia",
    "Niccolò",
    "Francesca",
    "Oliver",
    "Emily",
    "James",
    "علی",
    "زهرا",
    "کیان",
    "Małgorzata",
    "Marco",
    "Sara",
];
const LAST: &[&str] = &[
    "Nowak",
    "Wiśniewski",
    "Rossi",
    "Esposito",
    "Smith",
    "Taylor",
    "کریمی",
    "محمدی",
    "Kowalczyk",
    "Bianchi",
    "Dąbrowski",
    "Walker",
    "Conti",
];
/// (country, mobile prefix, digits after it): every row gets its own valid number.
const COUNTRIES: &[(&str, &str, u32)] = &[("PL", "60", 7), ("IT", "347", 7), ("GB", "78", 8), ("IR", "0912", 7)];
const FREE: &[&str] = &["gmail.com", "wp.pl", "libero.it", "outlook.com"];
const STAGES: &[&str] = &["subscriber", "lead", "lead", "mql", "sql"];

/// Row n's country and a mobile number of it that no other row has.
fn phone_for(n: usize) -> (&'static str, String) {
    let (country, prefix, digits) = COUNTRIES[n % COUNTRIES.len()];
    (country, format!("{prefix}{:0width$}", n % 10usize.pow(digits), width = digits as usize))
}

/// Write `rows` data rows. Row n is unique unless it is one of the 5% that repeat an earlier
/// row's e-mail (in another case, with another job title) or the 1% that are broken in one of
/// three ways: a bad e-mail, a bad phone, or the wrong number of fields.
pub fn generate(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(w, "Email,First Name,Last Name,Phone Number,Company,Job Title,Country,Lifecycle Stage")?;
    for n in 0..rows {
        let roll = rng.gen_range(0..100);
        let (country, _, _) = COUNTRIES[n % COUNTRIES.len()];
        let (first, last) = (FIRST[n % FIRST.len()], LAST[(n / 7) % LAST.len()]);
        let company = n % 20_000;
        let email = |k: usize| {
            if k % 10 < 3 {
                format!("user{k}@{}", FREE[k % FREE.len()])
            } else {
                format!("person{k}@firm{}.example", k % 20_000)
            }
        };
        match roll {
            0 => {
                let broken = match n % 3 {
                    0 => format!("not-an-email-{n},{first},{last},,Firm {company},CEO,{country},lead"),
                    1 => format!("{},{first},{last},call me maybe,Firm {company},CEO,{country},lead", email(n)),
                    _ => format!("{},{first},{last}", email(n)),
                };
                writeln!(w, "{broken}")?;
            }
            1..=5 if n > 100 => {
                let earlier = rng.gen_range(0..n);
                writeln!(
                    w,
                    "{},{first},{last},,Firm {},Head of Sales,{country},mql",
                    email(earlier).to_uppercase(),
                    earlier % 20_000
                )?;
            }
            _ => {
                let phone = if n % 2 == 0 { phone_for(n).1 } else { String::new() };
                let stage = STAGES[n % STAGES.len()];
                writeln!(w, "{},{first},{last},{phone},Firm {company},Manager,{country},{stage}", email(n))?;
            }
        }
    }
    w.flush()
}

pub async fn run(command: BenchCommand, cfg: &Config) -> Result<(), String> {
    match command {
        BenchCommand::Pages { iterations } => crate::pagebench::run(cfg, iterations).await,
        BenchCommand::Clv { cdnow } => crate::clvbench::run(&cdnow),
        BenchCommand::Funnel { events, people, keep, runs } => {
            crate::funnelbench::run(crate::funnelbench::Options { events, people, keep, runs }).await
        }
        BenchCommand::Ingest { seconds, connections, batch, visitors, postgres } => {
            crate::ingestbench::run(crate::ingestbench::Options { seconds, connections, batch, visitors, postgres })
                .await
        }
        BenchCommand::Scoring { contacts, events_per_contact, keep, rate, seconds, counts_only } => {
            let o = crate::scorebench::Options { contacts, events_per_contact, keep, rate, seconds, counts_only };
            crate::scorebench::run(o).await
        }
        BenchCommand::Csv { rows, out } => {
            generate(&out, rows).map_err(|e| e.to_string())?;
            println!("wrote {rows} rows to {}", out.display());
            Ok(())
        }
        BenchCommand::Http { url, token, rps, seconds, connections } => {
            crate::loadgen::run(&url, &token, rps, seconds, connections).await
        }
        BenchCommand::Import { rows, postgres, keep, csv: keep_csv } => {
            let dir = std::env::temp_dir().join(format!("leadline-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let csv = dir.join("contacts.csv");
            let t = Instant::now();
            generate(&csv, rows).map_err(|e| e.to_string())?;
            let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
            println!("generated {rows} rows ({:.0} MB) in {:.1} s", size as f64 / 1e6, t.elapsed().as_secs_f64());
            println!("peers for scale: Mautic imports 2-10 rows/s, Twenty about 170 rows/s");
            let sqlite_dir = keep.clone().unwrap_or_else(|| dir.join("sqlite"));
            std::fs::create_dir_all(&sqlite_dir).map_err(|e| e.to_string())?;
            let url = format!("sqlite:{}", sqlite_dir.join("leadline.db").display());
            import_into(&url, &csv, "sqlite").await?;
            if let Some(server) = postgres {
                let name = format!("leadline_bench_{}", std::process::id());
                let mut admin = sqlx::PgConnection::connect(&server).await.map_err(|e| e.to_string())?;
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.map_err(|e| e.to_string())?;
                let result =
                    import_into(&leadline_store::testing::with_database(&server, &name), &csv, "postgres").await;
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
                result?;
            }
            if let Some(to) = keep_csv {
                std::fs::copy(&csv, &to).map_err(|e| format!("{}: {e}", to.display()))?;
            }
            if keep.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            } else {
                let _ = std::fs::remove_file(&csv);
            }
            Ok(())
        }
    }
}

pub(crate) async fn import_into(url: &str, csv: &Path, label: &str) -> Result<(), String> {
    let store = leadline_store::open(url).await.map_err(|e| e.to_string())?;
    let mut head = vec![0u8; 4096];
    let n = std::io::Read::read(&mut std::fs::File::open(csv).map_err(|e| e.to_string())?, &mut head)
        .map_err(|e| e.to_string())?;
    let sniffed = leadline_server::import::sniff(&head[..n])?;
    let cols = leadline_server::import::mapping(
        leadline_core::record::ObjectKind::Contact,
        &sniffed.headers,
        &Default::default(),
        &[],
    )?;
    let params = leadline_server::import::ImportParams::of_file(
        leadline_core::record::ObjectKind::Contact,
        csv.to_path_buf(),
        sniffed,
        &cols,
    );
    let job = store
        .create_job("import", &serde_json::to_value(&params).map_err(|e| e.to_string())?, None, leadline_server::now())
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let c = leadline_server::import::run(store.clone(), &job.id, params, None, |_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    println!(
        "import into {label}: {} rows in {secs:.1} s = {:.0} rows/s ({} created, {} updated, {} duplicates merged, {} rejected)",
        c.processed,
        c.processed as f64 / secs,
        c.created,
        c.updated,
        c.merged,
        c.rejected
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadline_core::import::{auto_map, read_row, RowContext};
    use leadline_core::record::ObjectKind;

    #[test]
    fn phone_numbers_stay_valid_across_a_million_rows() {
        for n in (0..1_000_000).step_by(997) {
            let (country, phone) = phone_for(n);
            assert!(
                leadline_core::phone::Phone::parse("phone", &phone, Some(country)).is_ok(),
                "row {n}: {phone} in {country}"
            );
        }
    }

    #[test]
    fn only_the_broken_rows_are_rejected() {
        let path = std::env::temp_dir().join(format!("leadline-gen-{}.csv", std::process::id()));
        generate(&path, 5000).unwrap();
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&path).unwrap();
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let cols = auto_map(ObjectKind::Contact, &refs, &[]);
        let ctx = RowContext {
            object: ObjectKind::Contact,
            default_region: None,
            default_currency: "EUR",
            source_list: None,
            default_stage: None,
            properties: &[],
            now: 0,
        };
        let (mut ok, mut bad) = (0, 0);
        for rec in reader.records() {
            let rec = rec.unwrap();
            let fields: Vec<&str> = rec.iter().collect();
            if fields.len() == headers.len() && read_row(&cols, &fields, &ctx).is_ok() {
                ok += 1;
            } else {
                bad += 1;
            }
        }
        std::fs::remove_file(&path).unwrap();
        assert_eq!(ok + bad, 5000);
        assert!((25..=75).contains(&bad), "about 1% of rows are broken, got {bad}");
    }
}
