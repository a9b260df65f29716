//! `leadline`: the one binary. `leadline serve` runs the whole system; the other commands
//! administer a deployment from the shell.

mod bench;
mod clvbench;
mod config;
mod demo;
mod funnelbench;
mod ingestbench;
mod loadgen;
mod pagebench;
mod scorebench;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use leadline_core::record::ObjectKind;
use leadline_core::role::{Role, TokenScope};
use leadline_store::Store;

use config::{Config, Overrides};

/// glibc's allocator spent a quarter of a busy server's time in malloc/free and its arena
/// locks (measured with perf under `bench http`); mimalloc's per-thread heaps avoid both. Not
/// with its `override` feature: replacing C's malloc in a statically linked binary is fragile
/// (its maintainers advise against it). SQLite is pointed at this allocator by the store itself
/// (`leadline-store`'s `sql/sqlite_alloc.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "leadline", version, about = "Leadline: the self-hosted lead-to-revenue system")]
struct Cli {
    /// leadline.toml to read settings from.
    #[arg(long, global = true, default_value = "leadline.toml")]
    config: PathBuf,
    /// Data directory (uploads, and the SQLite database unless --database-url says otherwise).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// sqlite:path or postgres://... (env LEADLINE_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (env LEADLINE_LISTEN).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// On an empty store, fill it with demo data first and print the login.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import a CSV file (streamed; rejected rows are reported with their line).
    Import {
        object: Object,
        file: PathBuf,
        /// Report what would happen; keep nothing.
        #[arg(long)]
        dry_run: bool,
        /// Tag every row as coming from this purchased list.
        #[arg(long)]
        source_list: Option<String>,
        /// Lifecycle stage of rows that give none (a purchased list starts at subscriber).
        #[arg(long)]
        stage: Option<String>,
        /// Region for phone numbers without a country code, e.g. IT.
        #[arg(long)]
        region: Option<String>,
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// Map a column by hand: --map "Cell phone=phone" (repeatable).
        #[arg(long = "map", value_name = "HEADER=TARGET")]
        mappings: Vec<String>,
        /// Write rejected rows (with line and reason) to this CSV.
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Export records to CSV.
    Export {
        object: Object,
        /// Output file; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// A list filter as in the API: --filter country=IT --filter "created_at[gte]=2026-01-01".
        #[arg(long = "filter", value_name = "FIELD=VALUE")]
        filters: Vec<String>,
    },
    /// Whole-store operations.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Fill an empty store with realistic demo data.
    Demo {
        #[arg(long, default_value_t = 5000)]
        contacts: usize,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (or prompted for).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        name: Option<String>,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it (it is shown only once).
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_scope, default_value = "read")]
        scope: TokenScope,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy a whole deployment into an empty store, verified by row counts and checksums.
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Object {
    Contacts,
    Companies,
    Deals,
}

impl Object {
    fn kind(self) -> ObjectKind {
        match self {
            Object::Contacts => ObjectKind::Contact,
            Object::Companies => ObjectKind::Company,
            Object::Deals => ObjectKind::Deal,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Object::Contacts => "contacts",
            Object::Companies => "companies",
            Object::Deals => "deals",
        }
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "admin, marketing, sales, agent or read_only".into())
}

fn parse_scope(s: &str) -> Result<TokenScope, String> {
    TokenScope::parse(s).ok_or_else(|| "read or write".into())
}

type Fallible<T> = Result<T, String>;

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEADLINE_LOG").unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Fallible<()> {
    let listen = match &cli.command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    let flags = Overrides { listen, data_dir: cli.data_dir.clone(), database_url: cli.database_url.clone() };
    let cfg = Config::resolve(&cli.config, |k| std::env::var(k).ok(), &flags)?;
    match cli.command {
        Command::Serve { demo, .. } => serve(&cfg, demo).await,
        Command::Migrate => {
            with_store(&cfg, async |store| {
                println!("{} store at {} is up to date", store.backend(), redact(&cfg.database_url));
                Ok(())
            })
            .await
        }
        Command::User { command: UserCommand::Create { email, role, name } } => {
            let email = leadline_core::email::Email::parse("email", &email).map_err(|e| e.message)?;
            let password = read_password()?;
            let hash = leadline_server::auth::hash_password(&password).map_err(|e| e.message)?;
            with_store(&cfg, async |store| {
                let u = store
                    .create_user(email.as_str(), name.as_deref(), role, Some(&hash), leadline_server::now())
                    .await
                    .map_err(|e| e.to_string())?;
                println!("created {} ({}) with id {}", u.email, u.role.as_str(), u.id);
                Ok(())
            })
            .await
        }
        Command::User { command: UserCommand::List } => {
            with_store(&cfg, async |store| {
                for u in store.users().await.map_err(|e| e.to_string())? {
                    println!(
                        "{}\t{}\t{}{}",
                        u.id,
                        u.email,
                        u.role.as_str(),
                        if u.disabled { "\tdisabled" } else { "" }
                    );
                }
                Ok(())
            })
            .await
        }
        Command::Token { command: TokenCommand::Create { user, name, scope } } => {
            with_store(&cfg, async |store| {
                let u = store
                    .user_by_email(&user)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("there is no user {user}"))?;
                let (token, prefix) = leadline_server::auth::new_token();
                let hash = leadline_server::auth::hash_secret(&token);
                store
                    .create_token(&u.id, &name, scope, &hash, &prefix, leadline_server::now())
                    .await
                    .map_err(|e| e.to_string())?;
                eprintln!("token {name:?} for {} ({}); it is shown only now:", u.email, scope.as_str());
                println!("{token}");
                Ok(())
            })
            .await
        }
        Command::Import { object, file, dry_run, source_list, stage, region, currency, mappings, rejects } => {
            let opts = ImportOptions {
                dry_run,
                source_list,
                stage,
                region: region.or(cfg.default_region.clone()),
                currency,
                mappings,
                rejects,
            };
            with_store(&cfg, async |store| import(store.clone(), object, &file, opts).await).await
        }
        Command::Export { object, out, filters } => {
            with_store(&cfg, async |store| export(store.clone(), object, out, &filters).await).await
        }
        Command::Store { command: StoreCommand::Copy { from, to } } => copy(&from, &to).await,
        Command::Demo { contacts } => {
            let size = demo::DemoSize {
                contacts,
                companies: (contacts * 4 / 25).max(10),
                deals: contacts * 3 / 25,
                activities: contacts * 12,
            };
            with_store(&cfg, async |store| seed_demo(store.as_ref(), &size).await.map(|_| ())).await
        }
        Command::Bench { command } => bench::run(command, &cfg).await,
    }
}

/// The URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Run `work` on the configured store, then close the store whatever came of it, so that
/// SQLite's WAL is copied back and removed before the process exits.
async fn with_store<T>(cfg: &Config, work: impl AsyncFnOnce(&Arc<dyn Store>) -> Fallible<T>) -> Fallible<T> {
    let store = open(cfg).await?;
    let result = work(&store).await;
    store.close().await;
    result
}

async fn open(cfg: &Config) -> Fallible<Arc<dyn Store>> {
    if cfg.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir).map_err(|e| format!("{}: {e}", cfg.data_dir.display()))?;
    }
    leadline_store::open(&cfg.database_url).await.map_err(|e| format!("{}: {e}", redact(&cfg.database_url)))
}

fn read_password() -> Fallible<String> {
    let password = if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password (10 characters or more): ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if p != again {
            return Err("the passwords differ".into());
        }
        p
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| e.to_string())?;
        s.lines().next().unwrap_or_default().to_owned()
    };
    leadline_server::auth::check_password_strength(&password).map_err(|e| e.message)?;
    Ok(password)
}

async fn seed_demo(store: &dyn Store, size: &demo::DemoSize) -> Fallible<String> {
    let bar = ProgressBar::new_spinner();
    bar.set_message("seeding demo data");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let password =
        demo::seed(store, size, leadline_server::now(), |step| bar.set_message(format!("seeded {step}"))).await?;
    bar.finish_and_clear();
    eprintln!(
        "demo data: {} contacts, {} companies, about {} activities in {:.1} s",
        size.contacts,
        size.companies,
        size.activities,
        started.elapsed().as_secs_f64()
    );
    Ok(password)
}

async fn serve(cfg: &Config, demo: bool) -> Fallible<()> {
    let store = open(cfg).await?;
    if demo {
        if store.count_users().await.map_err(|e| e.to_string())? == 0 {
            let password = seed_demo(store.as_ref(), &demo::DemoSize::default()).await?;
            println!("Demo login: {} / {password}", demo::ADMIN_EMAIL);
        } else {
            println!("The store already has users; --demo seeds only an empty one. Demo login: {}", demo::ADMIN_EMAIL);
        }
    } else if store.count_users().await.map_err(|e| e.to_string())? == 0 {
        println!(
            "No users yet: create the first admin with `leadline user create --email you@example.com --role admin`."
        );
    }
    println!(
        "Leadline on http://{} ({} store; API at /api/v1, OpenAPI at /api/v1/openapi.json)",
        cfg.listen,
        store.backend()
    );
    let state = leadline_server::AppState::new(store.clone(), cfg.server());
    let served = leadline_server::serve(state, cfg.listen).await.map_err(|e| format!("{}: {e}", cfg.listen));
    store.close().await;
    served
}

struct ImportOptions {
    dry_run: bool,
    source_list: Option<String>,
    stage: Option<String>,
    region: Option<String>,
    currency: String,
    mappings: Vec<String>,
    rejects: Option<PathBuf>,
}

async fn import(store: Arc<dyn Store>, object: Object, file: &PathBuf, opts: ImportOptions) -> Fallible<()> {
    let mut head = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    head.truncate(n);
    let sniffed = leadline_server::import::sniff(&head)?;
    let overrides: HashMap<String, String> = opts
        .mappings
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, t)| (h.trim().to_owned(), t.trim().to_owned()))
                .ok_or_else(|| format!("{m:?} is not HEADER=TARGET"))
        })
        .collect::<Fallible<_>>()?;
    let props = store.properties(Some(object.kind())).await.map_err(|e| e.to_string())?;
    let cols = leadline_server::import::mapping(object.kind(), &sniffed.headers, &overrides, &props)?;
    let default_stage = match &opts.stage {
        Some(s) => Some(
            leadline_core::lifecycle::LifecycleStage::parse(s)
                .ok_or_else(|| format!("{s:?} is not a lifecycle stage"))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    for (h, c) in sniffed.headers.iter().zip(&cols) {
        eprintln!("  {h:>28} -> {}", c.name());
    }
    let params = leadline_server::import::ImportParams {
        object: object.name().into(),
        path: file.clone(),
        file_name: file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        headers: sniffed.headers.clone(),
        mapping: cols.iter().map(|c| c.name()).collect(),
        delimiter: sniffed.delimiter,
        dry_run: opts.dry_run,
        source_list: opts.source_list,
        default_stage,
        default_region: opts.region,
        default_currency: opts.currency,
        // The CLI imports the caller's own file: it is never deleted.
        spooled: false,
        batch: leadline_server::import::BATCH,
    };
    let job_params = serde_json::to_value(&params).map_err(|e| e.to_string())?;
    let job = store.create_job("import", &job_params, None, leadline_server::now()).await.map_err(|e| e.to_string())?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}  {msg}")
            .map_err(|e| e.to_string())?,
    );
    let started = std::time::Instant::now();
    let counts = leadline_server::import::run(store.clone(), &job.id, params, None, |c| {
        bar.set_length(c.total as u64);
        bar.set_position(c.processed as u64);
        bar.set_message(format!(
            "{} new, {} updated, {} duplicates, {} rejected",
            c.created, c.updated, c.merged, c.rejected
        ));
    })
    .await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}{} rows in {secs:.1} s ({:.0} rows/s): {} created, {} updated, {} duplicates merged, {} rejected",
        if opts.dry_run { "dry run: " } else { "" },
        counts.processed,
        counts.processed as f64 / secs.max(1e-9),
        counts.created,
        counts.updated,
        counts.merged,
        counts.rejected
    );
    if counts.rejected > 0 {
        let rejects = store.rejects(&job.id, 0, 20).await.map_err(|e| e.to_string())?;
        for r in &rejects {
            eprintln!(
                "  line {}: {}{}",
                r.line,
                r.field.as_deref().map(|f| format!("{f}: ")).unwrap_or_default(),
                r.reason
            );
        }
        if let Some(path) = opts.rejects {
            let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            leadline_server::import::write_rejects(store.as_ref(), &job.id, std::io::BufWriter::new(file)).await?;
            eprintln!("rejected rows written to {}", path.display());
        }
    }
    Ok(())
}

async fn export(store: Arc<dyn Store>, object: Object, out: Option<PathBuf>, filters: &[String]) -> Fallible<()> {
    use futures_util::StreamExt;
    use std::io::Write;
    let pairs: Vec<(String, String)> = filters
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("{f:?} is not FIELD=VALUE"))
        })
        .collect::<Fallible<_>>()?;
    let props = store.properties(Some(object.kind())).await.map_err(|e| e.to_string())?;
    let q = leadline_server::wire::list_query(object.kind(), &pairs, &props).map_err(|e| e.message)?;
    let mut sink: Box<dyn Write> = match &out {
        Some(p) => {
            Box::new(std::io::BufWriter::new(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let users = store.users().await.map_err(|e| e.to_string())?;
    let exporter = leadline_server::export::Exporter::new(object.kind(), props, &users);
    let mut stream = std::pin::pin!(leadline_server::export::stream(store, object.kind(), q, exporter));
    let mut bytes = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        bytes += chunk.len();
        sink.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    sink.flush().map_err(|e| e.to_string())?;
    if let Some(p) = out {
        eprintln!("wrote {bytes} bytes to {}", p.display());
    }
    Ok(())
}

async fn copy(from: &str, to: &str) -> Fallible<()> {
    let source = leadline_store::open(from).await.map_err(|e| format!("{}: {e}", redact(from)))?;
    let target = leadline_store::open(to).await.map_err(|e| format!("{}: {e}", redact(to)))?;
    let bar = ProgressBar::new_spinner();
    let started = std::time::Instant::now();
    let sums = leadline_store::copy_store(source.as_ref(), target.as_ref(), |table, n| {
        bar.set_message(format!("{table}: {n} rows"))
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    for t in &sums {
        println!("{:<20} {:>10} rows  sha256 {}", t.table, t.rows, &t.sha256[..16]);
    }
    println!("copied and verified {} tables in {:.1} s", sums.len(), started.elapsed().as_secs_f64());
    source.close().await;
    target.close().await;
    Ok(())
}
