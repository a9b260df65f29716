//! Configuration: defaults, then leadline.toml, then LEADLINE_* environment, then CLI flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Settings as they can appear in leadline.toml; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    default_region: Option<String>,
    max_upload_mb: Option<u64>,
    secure_cookies: Option<bool>,
    metrics_token: Option<String>,
    nats_url: Option<String>,
    nats_prefix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite:...` or `postgres://...`; defaults to a SQLite file in the data directory.
    pub database_url: String,
    pub default_region: Option<String>,
    pub max_upload_mb: u64,
    pub secure_cookies: bool,
    /// The bearer token a metrics scraper sends to `/metrics` (administrators' own tokens and
    /// sessions work too).
    pub metrics_token: Option<String>,
    /// The NATS server events are published to (`nats://127.0.0.1:4222`), and their subjects'
    /// prefix (`leadline`).
    pub nats_url: Option<String>,
    pub nats_prefix: String,
}

/// Flags that override everything else, as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Config {
    /// Resolve the configuration. `file` is leadline.toml (used when it exists); `env` reads
    /// one variable (the process environment in main, a map in tests).
    pub fn resolve(file: &Path, env: impl Fn(&str) -> Option<String>, flags: &Overrides) -> Result<Config, String> {
        let from_file: FileConfig = match std::fs::read_to_string(file) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileConfig::default(),
            Err(e) => return Err(format!("{}: {e}", file.display())),
        };
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        let listen_text = flags
            .listen
            .map(|l| l.to_string())
            .or_else(|| env("LEADLINE_LISTEN"))
            .or(from_file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| format!("listen address {listen_text:?} is not host:port"))?;
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env("LEADLINE_DATA_DIR").map(PathBuf::from))
            .or(from_file.data_dir)
            .unwrap_or_else(|| PathBuf::from("leadline-data"));
        let database_url = flags
            .database_url
            .clone()
            .or_else(|| env("LEADLINE_DATABASE_URL"))
            .or(from_file.database_url)
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("leadline.db").display()));
        let max_upload_mb = match env("LEADLINE_MAX_UPLOAD_MB") {
            Some(v) => v.parse().map_err(|_| format!("LEADLINE_MAX_UPLOAD_MB={v:?} is not a number"))?,
            None => from_file.max_upload_mb.unwrap_or(1024),
        };
        let secure_cookies = match env("LEADLINE_SECURE_COOKIES") {
            Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
            None => from_file.secure_cookies.unwrap_or(false),
        };
        let default_region =
            env("LEADLINE_DEFAULT_REGION").or(from_file.default_region).map(|r| r.to_ascii_uppercase());
        let metrics_token = env("LEADLINE_METRICS_TOKEN").or(from_file.metrics_token);
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("the metrics token must be at least 16 characters".into());
        }
        let nats_url = env("LEADLINE_NATS_URL").or(from_file.nats_url);
        let nats_prefix = env("LEADLINE_NATS_PREFIX").or(from_file.nats_prefix).unwrap_or_else(|| "leadline".into());
        if nats_prefix.is_empty()
            || !nats_prefix
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(format!(
                "the NATS subject prefix {nats_prefix:?} is not words of letters, digits, - and _ joined by dots"
            ));
        }
        Ok(Config {
            listen,
            data_dir,
            database_url,
            default_region,
            max_upload_mb,
            secure_cookies,
            metrics_token,
            nats_url,
            nats_prefix,
        })
    }

    pub fn server(&self) -> leadline_server::ServerConfig {
        leadline_server::ServerConfig {
            data_dir: self.data_dir.clone(),
            default_region: self.default_region.clone(),
            max_upload_bytes: self.max_upload_mb * 1024 * 1024,
            secure_cookies: self.secure_cookies,
            metrics_token: self.metrics_token.clone(),
            bus: self
                .nats_url
                .clone()
                .map(|url| leadline_server::events::Bus { url, prefix: self.nats_prefix.clone() }),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let dir = std::env::temp_dir().join(format!("leadline-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("leadline.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/ll\"\ndefault_region = \"it\"\n").unwrap();
        let env: HashMap<&str, &str> = [("LEADLINE_DATA_DIR", "/env/ll")].into();
        let get = |k: &str| env.get(k).map(|v| v.to_string());
        let c = Config::resolve(&file, get, &Overrides::default()).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.data_dir, PathBuf::from("/env/ll"));
        assert_eq!(c.database_url, "sqlite:/env/ll/leadline.db");
        assert_eq!(c.default_region.as_deref(), Some("IT"));
        let flags = Overrides { data_dir: Some("/flag".into()), ..Default::default() };
        assert_eq!(Config::resolve(&file, get, &flags).unwrap().data_dir, PathBuf::from("/flag"));
        let none = Config::resolve(&dir.join("missing.toml"), |_| None, &Overrides::default()).unwrap();
        assert_eq!(none.listen.to_string(), "127.0.0.1:8080");
        std::fs::write(&file, "lisen = 1").unwrap();
        assert!(Config::resolve(&file, |_| None, &Overrides::default()).is_err(), "typos in the file are errors");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
