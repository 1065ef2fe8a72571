//! FZ-02: JWKS parsing never panics on any input; every key it loads is an RS256 key of
//! 2048 to 8192 bits, findable under its own `kid`.
#![no_main]

use cognate_jwt::{Algorithm, JwkSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = JwkSet::parse(data) {
        assert_eq!(set.len(), set.keys().count());
        for key in set.keys() {
            let bits = key.bits();
            assert!((2048..=8192).contains(&bits), "loaded a key of {bits} bits");
            assert_eq!(key.algorithm(), Algorithm::Rs256);
            assert!(
                set.get(key.kid().as_str()).is_some(),
                "key not found by its kid"
            );
            // Publishing what was loaded must not panic either.
            let _ = key.to_jwk();
        }
        let _ = set.to_jwks().to_json();
    }
    // One JWK on its own.
    if let Ok(key) = JwkSet::parse_jwk(data) {
        assert!((2048..=8192).contains(&key.bits()));
    }
});
