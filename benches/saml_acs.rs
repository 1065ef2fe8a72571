//! The SAML ACS set-up shared by the Criterion bench `benches/benches/saml.rs` and the rate
//! example `benches/examples/saml_validate_rate.rs` (compared with node-saml by
//! `benches/saml-node/run.sh`): cognate-saml's test fixtures and service provider
//! (`crates/cognate-saml/tests/common`), the pinned clock and pending sign-in, and a replay
//! cache that does a real insert per call without refusing the repeated response.
//!
//! Included with `#[path]`; not part of the `cognate-benches` library, which does not depend
//! on cognate-saml.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../crates/cognate-saml/tests/common/mod.rs"]
pub mod common;

use std::collections::HashSet;
use std::sync::Mutex;

use cognate_saml::{PendingSignIn, ReplayCache, SamlError, SamlIdentity, ServiceProvider};
use cognate_types::{ManualClock, UnixTime};

/// The signed responses both benchmarks validate (`tests/fixtures/out/NAME.xml`), and whether
/// the signed element is the Response (else the Assertion).
pub const FIXTURES: [(&str, bool); 2] =
    [("ok_assertion_signed", false), ("ok_response_signed", true)];

/// A replay cache that does the work of a real one (a set insert per assertion) without
/// refusing the benchmark's repeated response: every key gets a fresh suffix.
pub struct CountingCache {
    seen: Mutex<(u64, HashSet<String>)>,
}

impl CountingCache {
    pub fn new() -> Self {
        Self {
            seen: Mutex::new((0, HashSet::new())),
        }
    }
}

impl Default for CountingCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ReplayCache for CountingCache {
    fn insert_once(
        &self,
        key: &str,
        _expires_at: UnixTime,
        _now: UnixTime,
    ) -> Result<bool, String> {
        let mut g = self.seen.lock().unwrap();
        g.0 += 1;
        let k = format!("{key}#{}", g.0);
        if g.1.len() > 100_000 {
            g.1.clear();
        }
        Ok(g.1.insert(k))
    }
}

/// Everything `ServiceProvider::finish_sign_in` takes besides the response: the SP of the
/// fixtures (pool `us-east-1_Example1`, the IdP's metadata), the clock at T0 + 10 s, the
/// pending SP-initiated sign-in (request ID, RelayState) and the replay cache.
pub struct Acs {
    pub sp: ServiceProvider,
    pub clock: ManualClock,
    pub pending: PendingSignIn,
    pub cache: CountingCache,
}

impl Acs {
    pub fn new() -> Self {
        Self {
            sp: common::sp(),
            clock: common::clock(),
            pending: common::pending(),
            cache: CountingCache::new(),
        }
    }

    /// Full ACS validation of a base64 `SAMLResponse` as the POST binding carries it.
    pub fn validate(&self, encoded: &str) -> Result<SamlIdentity, SamlError> {
        self.sp.finish_sign_in(
            encoded,
            Some(common::RELAY),
            Some(&self.pending),
            &self.cache,
            &self.clock,
        )
    }
}

impl Default for Acs {
    fn default() -> Self {
        Self::new()
    }
}

/// Fixture `name`, base64-encoded as the POST binding carries it.
pub fn encoded_fixture(name: &str) -> String {
    common::b64(&common::fixture(name))
}
