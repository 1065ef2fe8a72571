//! REL-07: JWKS fetching on the verifier side. Fetches are counted at the fetcher.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod verify_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use cognate_jwt::verify::{
    fetcher_fn, BoxFuture, CognitoPool, CognitoVerifier, ConfigError, FetchError, JwksCache,
    JwksFetcher, VerifyError,
};
use cognate_jwt::JwkError;
use cognate_types::{ManualClock, TokenUse};
use serde_json::json;
use verify_support::*;

fn verifier_with(cache: Arc<JwksCache>, clock: Arc<ManualClock>) -> CognitoVerifier {
    CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock)
        .jwks_cache(cache)
        .build()
        .unwrap()
}

fn with_kid(kid: &str) -> String {
    let h = json!({"alg":"RS256","kid":kid}).to_string();
    sign_json(&h, &access_claims(POOL).to_string(), key(0))
}

#[test]
fn first_use_fetches_once_then_uses_the_cache() {
    let fetcher = CountingFetcher::serving(&[key(0)]);
    let v = verifier_with(
        Arc::new(JwksCache::with_fetcher(fetcher.clone())),
        clock(NOW),
    );
    let t = token(key(0), &access_claims(POOL));
    assert_eq!(
        v.verify_sync(&t).unwrap_err(),
        VerifyError::UnknownKid,
        "sync never fetches"
    );
    assert_eq!(fetcher.calls(), 0);
    for _ in 0..5 {
        pollster::block_on(v.verify(&t)).unwrap();
    }
    assert_eq!(fetcher.calls(), 1);
    assert_eq!(
        fetcher.uris.lock().unwrap()[0],
        format!("{}/.well-known/jwks.json", issuer(POOL))
    );
    // Now cached, the sync path works too.
    v.verify_sync(&t).unwrap();
}

#[test]
fn flood_of_unknown_kids_costs_one_fetch_per_interval() {
    let fetcher = CountingFetcher::serving(&[key(0)]);
    let clock = clock(NOW);
    let cache = Arc::new(
        JwksCache::with_fetcher(fetcher.clone()).refetch_interval(Duration::from_secs(10)),
    );
    let v = verifier_with(cache, clock.clone());
    let good = token(key(0), &access_claims(POOL));
    pollster::block_on(v.verify(&good)).unwrap();
    assert_eq!(fetcher.calls(), 1);
    for i in 0..1000 {
        let e = pollster::block_on(v.verify(&with_kid(&format!("made-up-{i}")))).unwrap_err();
        assert_eq!(e, VerifyError::JwksRateLimited);
    }
    assert_eq!(fetcher.calls(), 1);
    // Known keys keep working inside the window.
    pollster::block_on(v.verify(&good)).unwrap();
    clock.advance(Duration::from_secs(9));
    assert_eq!(
        pollster::block_on(v.verify(&with_kid("x"))).unwrap_err(),
        VerifyError::JwksRateLimited
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        pollster::block_on(v.verify(&with_kid("x"))).unwrap_err(),
        VerifyError::UnknownKid,
        "the window has passed: one more fetch, the kid is still unknown"
    );
    for _ in 0..100 {
        let _ = pollster::block_on(v.verify(&with_kid("y")));
    }
    assert_eq!(fetcher.calls(), 2);
}

#[test]
fn key_rotation_is_picked_up_on_unknown_kid() {
    let fetcher = CountingFetcher::serving(&[key(0)]);
    let clock = clock(NOW);
    let v = verifier_with(
        Arc::new(JwksCache::with_fetcher(fetcher.clone())),
        clock.clone(),
    );
    pollster::block_on(v.verify(&token(key(0), &access_claims(POOL)))).unwrap();
    // The pool rotates to key 1 and drops key 0.
    fetcher.set(Ok(jwks_doc(&[key(1)]).into_bytes()));
    clock.advance(Duration::from_secs(10));
    pollster::block_on(v.verify(&token(key(1), &access_claims(POOL)))).unwrap();
    assert_eq!(fetcher.calls(), 2);
    // The fetched set replaced the old one: key 0 no longer verifies.
    assert_eq!(
        v.verify_sync(&token(key(0), &access_claims(POOL)))
            .unwrap_err(),
        VerifyError::UnknownKid
    );
}

#[test]
fn failing_or_garbage_endpoint_keeps_the_cached_keys() {
    let fetcher = CountingFetcher::new(Err(FetchError::new("HTTP 500")));
    let clock = clock(NOW);
    let v = verifier_with(
        Arc::new(JwksCache::with_fetcher(fetcher.clone())),
        clock.clone(),
    );
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    let good = token(key(0), &access_claims(POOL));
    let unknown = token(key(1), &access_claims(POOL));
    let answers: Vec<(Result<Vec<u8>, FetchError>, VerifyError)> = vec![
        (
            Err(FetchError::new("HTTP 500")),
            VerifyError::JwksFetch(FetchError::new("HTTP 500")),
        ),
        (
            Err(FetchError::new("timeout")),
            VerifyError::JwksFetch(FetchError::new("timeout")),
        ),
        (
            Ok(b"<html>502 Bad Gateway</html>".to_vec()),
            VerifyError::JwksInvalid(JwkError::NotAJwks),
        ),
        (Ok(Vec::new()), VerifyError::JwksInvalid(JwkError::NotAJwks)),
        (
            Ok(br#"{"keys":[]}"#.to_vec()),
            VerifyError::JwksNoUsableKeys,
        ),
        (
            Ok(br#"{"keys":[{"kty":"RSA","kid":"x","n":"AQAB","e":"AQAB"}]}"#.to_vec()),
            VerifyError::JwksNoUsableKeys,
        ),
        (
            Ok(vec![b'['; 300_000]),
            VerifyError::JwksInvalid(JwkError::TooLarge),
        ),
    ];
    for (i, (answer, want)) in answers.into_iter().enumerate() {
        fetcher.set(answer);
        assert_eq!(pollster::block_on(v.verify(&unknown)).unwrap_err(), want);
        assert_eq!(fetcher.calls(), i + 1);
        // The cached key still verifies, sync and async.
        v.verify_sync(&good).unwrap();
        pollster::block_on(v.verify(&good)).unwrap();
        clock.advance(Duration::from_secs(10));
    }
}

#[test]
fn jwks_cache_is_bounded_and_keyed_by_issuer() {
    let cache = Arc::new(JwksCache::new().max_issuers(1));
    let one = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .jwks_cache(cache.clone())
        .build()
        .unwrap();
    // A second verifier for the same pool shares the entry.
    let same = CognitoVerifier::builder(TokenUse::Id)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .jwks_cache(cache.clone())
        .build()
        .unwrap();
    assert_eq!(cache.len(), 1);
    let err = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL2.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .jwks_cache(cache.clone())
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::JwksCacheFull { max: 1 });
    // Keys cached through one verifier serve the other (same issuer).
    one.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    let v = CognitoVerifier::builder(TokenUse::Id)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .jwks_cache(cache.clone())
        .clock(clock(NOW))
        .build()
        .unwrap();
    v.verify_sync(&token(key(0), &id_claims(POOL))).unwrap();
    drop(same);
    // Keys for an issuer the verifier does not accept are refused.
    assert_eq!(
        one.cache_jwks(&issuer_url(POOL2), jwks(&[key(1)]))
            .unwrap_err(),
        ConfigError::UnknownIssuer
    );
    assert_eq!(
        one.cache_jwks_for_pool(&POOL2.parse().unwrap(), jwks(&[key(1)]))
            .unwrap_err(),
        ConfigError::UnknownIssuer
    );
}

/// A fetch future that stays pending until released, to hold a fetch in flight.
struct Gate {
    open: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Gate {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            open: AtomicBool::new(false),
            waker: Mutex::new(None),
        })
    }
    fn release(&self) {
        self.open.store(true, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

struct GateWait(Arc<Gate>);

impl Future for GateWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.open.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

struct GatedFetcher {
    gate: Arc<Gate>,
    calls: AtomicUsize,
    body: Vec<u8>,
}

impl JwksFetcher for GatedFetcher {
    fn fetch<'a>(&'a self, _uri: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let gate = self.gate.clone();
        Box::pin(async move {
            GateWait(gate).await;
            Ok(self.body.clone())
        })
    }
}

/// A waker that counts its wakes.
struct CountWake(AtomicUsize);
impl std::task::Wake for CountWake {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn concurrent_misses_share_one_fetch() {
    let gate = Gate::new();
    let fetcher = Arc::new(GatedFetcher {
        gate: gate.clone(),
        calls: AtomicUsize::new(0),
        body: jwks_doc(&[key(0)]).into_bytes(),
    });
    let v = verifier_with(
        Arc::new(JwksCache::with_fetcher(fetcher.clone())),
        clock(NOW),
    );
    let t = token(key(0), &access_claims(POOL));
    let wakes = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut futs: Vec<Pin<Box<_>>> = (0..50).map(|_| Box::pin(v.verify(&t))).collect();
    for f in &mut futs {
        assert!(f.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1, "single flight");
    gate.release();
    // The leader completes first and wakes the waiters.
    for f in &mut futs {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(r) => {
                r.unwrap();
            }
            Poll::Pending => panic!("still pending after the fetch ended"),
        }
    }
    assert!(wakes.0.load(Ordering::SeqCst) >= 1);
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn dropping_the_fetching_caller_releases_the_waiters() {
    let gate = Gate::new();
    let fetcher = Arc::new(GatedFetcher {
        gate: gate.clone(),
        calls: AtomicUsize::new(0),
        body: jwks_doc(&[key(0)]).into_bytes(),
    });
    let clock = clock(NOW);
    let v = verifier_with(
        Arc::new(JwksCache::with_fetcher(fetcher.clone())),
        clock.clone(),
    );
    let t = token(key(0), &access_claims(POOL));
    let wakes = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    let mut leader = Box::pin(v.verify(&t));
    let mut waiter = Box::pin(v.verify(&t));
    assert!(leader.as_mut().poll(&mut cx).is_pending());
    assert!(waiter.as_mut().poll(&mut cx).is_pending());
    drop(leader);
    assert!(wakes.0.load(Ordering::SeqCst) >= 1, "the waiter was woken");
    // The fetch was abandoned: the waiter sees an unknown kid rather than hanging.
    match waiter.as_mut().poll(&mut cx) {
        Poll::Ready(r) => assert_eq!(r.unwrap_err(), VerifyError::UnknownKid),
        Poll::Pending => panic!("waiter hangs"),
    }
    // After the interval a new fetch can start and succeed.
    clock.advance(Duration::from_secs(10));
    gate.release();
    pollster::block_on(v.verify(&t)).unwrap();
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn threads_share_one_fetch() {
    let calls = Arc::new(AtomicUsize::new(0));
    let body = jwks_doc(&[key(0)]).into_bytes();
    let c = calls.clone();
    let fetcher = fetcher_fn(move |_uri: String| {
        c.fetch_add(1, Ordering::SeqCst);
        let body = body.clone();
        async move {
            // A slow endpoint (blocking here is fine in a test).
            std::thread::sleep(Duration::from_millis(200));
            Ok(body)
        }
    });
    let v = Arc::new(verifier_with(
        Arc::new(JwksCache::with_fetcher(Arc::new(fetcher))),
        clock(NOW),
    ));
    let t = Arc::new(token(key(0), &access_claims(POOL)));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let v = v.clone();
            let t = t.clone();
            std::thread::spawn(move || {
                pollster::block_on(v.verify(&t)).map(|c| c.jti().map(str::to_owned))
            })
        })
        .collect();
    for h in handles {
        let r = h.join().unwrap();
        // A thread that arrived after the fetch ended found the key cached; one that
        // arrived while it ran waited for it. None fetched again.
        assert!(r.is_ok(), "{r:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn no_fetcher_means_cached_keys_only() {
    let v = verifier_with(Arc::new(JwksCache::new()), clock(NOW));
    let t = token(key(0), &access_claims(POOL));
    assert_eq!(
        pollster::block_on(v.verify(&t)).unwrap_err(),
        VerifyError::UnknownKid
    );
    v.cache_jwks_for_pool(&POOL.parse().unwrap(), jwks(&[key(0)]))
        .unwrap();
    pollster::block_on(v.verify(&t)).unwrap();
}

#[test]
fn custom_issuer_fetches_its_own_jwks_uri() {
    let fetcher = CountingFetcher::serving(&[key(0)]);
    let local = "http://127.0.0.1:9229/us-east-1_h6I5IqQSs";
    let v = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(
            CognitoPool::new(POOL.parse().unwrap(), CLIENT.parse().unwrap())
                .issuer(local.parse().unwrap()),
        )
        .jwks_cache(Arc::new(JwksCache::with_fetcher(fetcher.clone())))
        .clock(clock(NOW))
        .build()
        .unwrap();
    let t = token(key(0), &with(access_claims(POOL), "iss", json!(local)));
    pollster::block_on(v.verify(&t)).unwrap();
    assert_eq!(
        fetcher.uris.lock().unwrap().as_slice(),
        [format!("{local}/.well-known/jwks.json")]
    );
    // The Cognito-form issuer of the same pool is not accepted by this verifier.
    let cognito = token(key(0), &access_claims(POOL));
    assert_eq!(
        pollster::block_on(v.verify(&cognito)).unwrap_err(),
        VerifyError::IssuerMismatch
    );
}
