//! Throwaway stores for tests: a fresh SQLite file, and a fresh PostgreSQL database when
//! `LEADLINE_TEST_DATABASE_URL` points at a server. Used by this crate's conformance suite and
//! by the server's API tests, so both run every story on both backends.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::Connection;

use crate::{open, Store, StoreResult};

/// A store that is removed when the test is done with it.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

impl TestStore {
    /// Drop the database or directory. Call at the end of a test; a panicking test leaves it
    /// behind for inspection.
    pub async fn remove(self) {
        drop(self.store);
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
                }
            }
        }
    }
}

/// A new SQLite store in a temporary directory.
pub async fn sqlite() -> StoreResult<TestStore> {
    let dir = std::env::temp_dir().join(format!("leadline-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Config(e.to_string()))?;
    let url = format!("sqlite:{}", dir.join("leadline.db").display());
    Ok(TestStore { store: open(&url).await?, url, cleanup: Cleanup::Dir(dir) })
}

/// A new, empty PostgreSQL database on the server `LEADLINE_TEST_DATABASE_URL` names, or
/// `None` when it is not set.
pub async fn postgres() -> Option<StoreResult<TestStore>> {
    let admin_url = std::env::var("LEADLINE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    Some(
        async {
            let name = format!("leadline_test_{}", uuid::Uuid::now_v7().simple());
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
            admin.close().await?;
            let url = with_database(&admin_url, &name);
            Ok(TestStore {
                store: open(&url).await?,
                url,
                cleanup: Cleanup::Database { admin_url: admin_url.clone(), name },
            })
        }
        .await,
    )
}

/// Every backend this run can test: SQLite always, PostgreSQL when configured.
pub async fn all() -> Vec<TestStore> {
    let mut v = vec![sqlite().await.expect("a SQLite store opens in a temp dir")];
    if let Some(pg) = postgres().await {
        v.push(pg.expect("LEADLINE_TEST_DATABASE_URL is set, so PostgreSQL must be reachable"));
    }
    v
}

/// The same server URL with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}
