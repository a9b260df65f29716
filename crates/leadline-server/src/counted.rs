//! Figures counted behind a page: a report too slow to count on every request (most of a
//! second over a million contacts) is counted at most once a minute per key; a stale count is
//! answered at once while a fresh one is made behind it. The API's reports stay exact: only
//! pages read through here.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use leadline_core::Millis;

use crate::error::ApiResult;

/// Counted figures of type `T`, by key (a report's period, say).
pub struct Counted<T> {
    /// Key -> (when counted, as a clock for freshness and as the time shown, the figures).
    counted: Mutex<HashMap<String, (Instant, Millis, T)>>,
    /// Keys being counted again behind the page.
    counting: Mutex<HashSet<String>>,
}

impl<T> Default for Counted<T> {
    fn default() -> Self {
        Self { counted: Mutex::default(), counting: Mutex::default() }
    }
}

fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Clone + Send + 'static> Counted<T> {
    /// How long figures are answered without being counted again.
    const FRESH: Duration = Duration::from_secs(60);
    /// The most keys kept (the oldest counted goes first).
    const KEPT: usize = 32;

    /// The figures of `key` and when they were counted: counted now by `count` when there are
    /// none; stale ones answered at once, with `count` run behind them.
    pub async fn get<F, Fut>(self: &Arc<Self>, key: String, count: F) -> ApiResult<(Millis, T)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<T>> + Send + 'static,
    {
        let found = lock(&self.counted).get(&key).cloned();
        match found {
            Some((at, counted_at, figures)) => {
                if at.elapsed() > Self::FRESH && lock(&self.counting).insert(key.clone()) {
                    let (me, fresh) = (self.clone(), count());
                    tokio::spawn(async move {
                        if let Ok(figures) = fresh.await {
                            me.keep(key.clone(), figures);
                        }
                        lock(&me.counting).remove(&key);
                    });
                }
                Ok((counted_at, figures))
            }
            None => {
                let figures = count().await?;
                self.keep(key, figures.clone());
                Ok((crate::now(), figures))
            }
        }
    }

    /// Forget every count: the next request counts again (after a change the page's own user
    /// made, which they expect to see).
    pub fn forget(&self) {
        lock(&self.counted).clear();
    }

    fn keep(&self, key: String, figures: T) {
        let mut counted = lock(&self.counted);
        if counted.len() >= Self::KEPT && !counted.contains_key(&key) {
            let oldest = counted.iter().min_by_key(|(_, v)| v.0).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                counted.remove(&k);
            }
        }
        counted.insert(key, (Instant::now(), crate::now(), figures));
    }
}
