//! The JWKS cache: one entry per issuer, shared across threads and verifiers, refetched
//! through a caller-supplied [`JwksFetcher`] when a token names an unknown `kid`.
//!
//! - **Keyed by issuer.** Keys cached for one issuer never verify another issuer's tokens
//!   (JWT-11). Entries are created only for configured issuers, never from token input, and
//!   the number of issuers is bounded.
//! - **Penalty box.** After a fetch for an issuer (successful or not) no other fetch for it
//!   starts until the refetch interval has passed (default 10 s, as aws-jwt-verify); an unknown
//!   `kid` inside that window is refused at once with [`VerifyError::JwksRateLimited`]. A flood
//!   of tokens with made-up `kid`s therefore costs at most one fetch per interval (REL-07).
//! - **Single flight.** Callers that miss while a fetch is running wait for that fetch (they
//!   are woken through their `Waker`s) instead of starting their own.
//! - **Failures keep the old keys.** A fetch error, a document that is not a JWKS, or a JWKS
//!   with no usable key leaves the cached keys in place.
//!
//! No HTTP client and no async runtime: the fetcher is a trait the caller implements.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use cognate_types::{IssuerUrl, UnixTime};

use super::error::{ConfigError, FetchError, VerifyError};
use crate::jwk::{JwkSet, VerifyingKey};

/// A boxed, `Send` future: what a [`JwksFetcher`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Fetches a JWKS document. Implement it over the HTTP client of your choice (reqwest, hyper,
/// ureq in a blocking task...), or wrap an async closure with [`fetcher_fn`].
///
/// Called only for configured issuers' JWKS URLs, never for a URL taken from a token. Put a
/// timeout and a response size limit in the implementation: callers waiting for a key wait
/// for this future. A failed or slow fetch never removes keys already cached.
pub trait JwksFetcher: Send + Sync {
    /// GETs `jwks_uri` and returns the response body. Any non-success status should be an
    /// error; the body is parsed strictly by [`JwkSet::parse`].
    fn fetch<'a>(&'a self, jwks_uri: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>>;
}

/// A [`JwksFetcher`] made from a closure returning a future; see [`fetcher_fn`].
pub struct FnFetcher<F>(F);

impl<F> fmt::Debug for FnFetcher<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnFetcher")
    }
}

/// Wraps `f(jwks_uri) -> impl Future<Output = Result<Vec<u8>, FetchError>>` as a fetcher.
///
/// ```
/// use cognate_jwt::verify::{fetcher_fn, FetchError};
/// let fetcher = fetcher_fn(|uri: String| async move {
///     Err::<Vec<u8>, _>(FetchError::new(format!("offline: {uri}")))
/// });
/// # let _ = fetcher;
/// ```
pub fn fetcher_fn<F, Fut>(f: F) -> FnFetcher<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Vec<u8>, FetchError>> + Send + 'static,
{
    FnFetcher(f)
}

impl<F, Fut> JwksFetcher for FnFetcher<F>
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Vec<u8>, FetchError>> + Send + 'static,
{
    fn fetch<'a>(&'a self, jwks_uri: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin((self.0)(jwks_uri.to_owned()))
    }
}

/// JWKS keys by issuer, shared by any number of verifiers (`Arc<JwksCache>`).
pub struct JwksCache {
    entries: RwLock<HashMap<IssuerUrl, Arc<IssuerKeys>>>,
    fetcher: Option<Arc<dyn JwksFetcher>>,
    refetch_interval: Duration,
    max_issuers: usize,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuers: Vec<IssuerUrl> = read(&self.entries).keys().cloned().collect();
        f.debug_struct("JwksCache")
            .field("issuers", &issuers)
            .field("fetcher", &self.fetcher.is_some())
            .field("refetch_interval", &self.refetch_interval)
            .field("max_issuers", &self.max_issuers)
            .finish()
    }
}

impl Default for JwksCache {
    fn default() -> Self {
        Self::new()
    }
}

impl JwksCache {
    /// The default minimum time between two fetches for one issuer.
    pub const DEFAULT_REFETCH_INTERVAL: Duration = Duration::from_secs(10);
    /// The default bound on the number of issuers.
    pub const DEFAULT_MAX_ISSUERS: usize = 64;

    /// A cache without a fetcher: only keys given to [`JwksCache::cache_jwks`] are used.
    pub fn new() -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            fetcher: None,
            refetch_interval: Self::DEFAULT_REFETCH_INTERVAL,
            max_issuers: Self::DEFAULT_MAX_ISSUERS,
        }
    }

    /// A cache that fetches an issuer's JWKS through `fetcher` when an async verification
    /// meets an unknown `kid` (and the first time, when nothing is cached yet).
    pub fn with_fetcher(fetcher: Arc<dyn JwksFetcher>) -> Self {
        Self {
            fetcher: Some(fetcher),
            ..Self::new()
        }
    }

    /// Sets the minimum time between two fetches for one issuer (the penalty box).
    pub fn refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch_interval = interval;
        self
    }

    /// Sets the maximum number of issuers the cache holds.
    pub fn max_issuers(mut self, max: usize) -> Self {
        self.max_issuers = max;
        self
    }

    /// Stores `keys` as the JWKS of `issuer`, replacing what was cached (like aws-jwt-verify's
    /// `cacheJwks`). Does not count as a fetch for the penalty box.
    pub fn cache_jwks(&self, issuer: &IssuerUrl, keys: JwkSet) -> Result<(), ConfigError> {
        let entry = self.entry(issuer)?;
        *write(&entry.keys) = Arc::new(keys);
        Ok(())
    }

    /// The keys cached for `issuer`, if any entry exists.
    pub fn keys(&self, issuer: &IssuerUrl) -> Option<Arc<JwkSet>> {
        read(&self.entries)
            .get(issuer)
            .map(|e| Arc::clone(&read(&e.keys)))
    }

    /// Number of issuers with an entry.
    pub fn len(&self) -> usize {
        read(&self.entries).len()
    }

    /// True when no issuer has an entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry of `issuer`, created (empty) if needed and the bound allows.
    pub(crate) fn entry(&self, issuer: &IssuerUrl) -> Result<Arc<IssuerKeys>, ConfigError> {
        if let Some(e) = read(&self.entries).get(issuer) {
            return Ok(Arc::clone(e));
        }
        let mut map = write(&self.entries);
        if let Some(e) = map.get(issuer) {
            return Ok(Arc::clone(e));
        }
        if map.len() >= self.max_issuers {
            return Err(ConfigError::JwksCacheFull {
                max: self.max_issuers,
            });
        }
        let e = Arc::new(IssuerKeys::default());
        map.insert(issuer.clone(), Arc::clone(&e));
        Ok(e)
    }

    /// The key `kid` of an issuer, fetching the issuer's JWKS once if it is unknown and the
    /// penalty box allows. See the module documentation.
    pub(crate) async fn key_or_fetch(
        &self,
        entry: &IssuerKeys,
        jwks_uri: &str,
        kid: &str,
        now: UnixTime,
    ) -> Result<VerifyingKey, VerifyError> {
        if let Some(k) = entry.get(kid) {
            return Ok(k);
        }
        let Some(fetcher) = &self.fetcher else {
            return Err(VerifyError::UnknownKid);
        };
        let waiting_for = {
            let mut st = lock(&entry.state);
            // A fetch may have landed between the lookup above and taking the lock.
            if let Some(k) = entry.get(kid) {
                return Ok(k);
            }
            if st.in_flight {
                Some(st.generation)
            } else {
                let interval = self.refetch_interval.as_secs();
                if st
                    .last_fetch
                    .is_some_and(|last| now.as_secs() < last.as_secs().saturating_add(interval))
                {
                    return Err(VerifyError::JwksRateLimited);
                }
                st.in_flight = true;
                st.last_fetch = Some(now);
                None
            }
        };
        if let Some(generation) = waiting_for {
            FetchDone { entry, generation }.await;
            return entry.get(kid).ok_or_else(|| {
                lock(&entry.state)
                    .last_error
                    .clone()
                    .unwrap_or(VerifyError::UnknownKid)
            });
        }
        // This caller fetches. The guard ends the flight and wakes the waiters even if this
        // future is dropped mid-fetch.
        let guard = InFlight { entry, error: None };
        let outcome = match fetcher.fetch(jwks_uri).await {
            Err(e) => Err(VerifyError::JwksFetch(e)),
            Ok(body) => match JwkSet::parse(&body) {
                Err(e) => Err(VerifyError::JwksInvalid(e)),
                Ok(set) if set.is_empty() => Err(VerifyError::JwksNoUsableKeys),
                Ok(set) => {
                    *write(&entry.keys) = Arc::new(set);
                    Ok(())
                }
            },
        };
        let mut guard = guard;
        guard.error = outcome.as_ref().err().cloned();
        drop(guard);
        match entry.get(kid) {
            Some(k) => Ok(k),
            None => Err(outcome.err().unwrap_or(VerifyError::UnknownKid)),
        }
    }
}

/// The cached keys of one issuer, and its fetch state.
#[derive(Default)]
pub(crate) struct IssuerKeys {
    keys: RwLock<Arc<JwkSet>>,
    state: Mutex<FetchState>,
}

impl IssuerKeys {
    /// The key published under `kid`, if cached.
    pub(crate) fn get(&self, kid: &str) -> Option<VerifyingKey> {
        read(&self.keys).get(kid).cloned()
    }

    /// The cached key set, shared: a lookup in it borrows the key instead of cloning it.
    pub(crate) fn set(&self) -> Arc<JwkSet> {
        Arc::clone(&read(&self.keys))
    }
}

#[derive(Default)]
struct FetchState {
    in_flight: bool,
    last_fetch: Option<UnixTime>,
    /// Bumped when a fetch ends; waiters wait for it to change.
    generation: u64,
    /// How the last fetch failed, for the callers that waited on it.
    last_error: Option<VerifyError>,
    waiters: Vec<Waker>,
}

/// Ends a fetch: records its outcome, clears `in_flight`, wakes the waiters.
struct InFlight<'a> {
    entry: &'a IssuerKeys,
    error: Option<VerifyError>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let waiters = {
            let mut st = lock(&self.entry.state);
            st.in_flight = false;
            st.generation = st.generation.wrapping_add(1);
            st.last_error = self.error.take();
            std::mem::take(&mut st.waiters)
        };
        for w in waiters {
            w.wake();
        }
    }
}

/// Resolves when the fetch that was running at `generation` has ended.
struct FetchDone<'a> {
    entry: &'a IssuerKeys,
    generation: u64,
}

impl Future for FetchDone<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = lock(&self.entry.state);
        if !st.in_flight || st.generation != self.generation {
            return Poll::Ready(());
        }
        if !st.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            st.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

// Locks here guard plain data that is always left consistent (an `Arc` swap, a few flags),
// so a poisoned lock is recovered rather than turned into a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}
