//! FZ-01 (structural part): compact JWS parsing never panics on any input, and whatever it
//! accepts is a well-formed three-segment token within the size limit.
#![no_main]

use cognate_jwt::jws::{parse_compact, parse_header, DEFAULT_MAX_TOKEN_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The header parser on raw bytes (it sees decoded header JSON in real use).
    let _ = parse_header(data);

    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    // A small limit too, so the size check itself is exercised at both edges.
    for max in [DEFAULT_MAX_TOKEN_BYTES, 64] {
        if let Ok(jws) = parse_compact(token, max) {
            assert!(token.len() <= max, "accepted a token over the limit");
            assert_eq!(
                token.matches('.').count(),
                2,
                "accepted a non-compact token"
            );
            assert!(
                token.starts_with(jws.signing_input),
                "signing input is not a prefix of the token"
            );
            assert_eq!(
                jws.signing_input.matches('.').count(),
                1,
                "signing input is not header.payload"
            );
            assert!(!jws.signature.is_empty(), "accepted an empty signature");
            assert!(!jws.payload.is_empty(), "accepted an empty payload");
        }
    }
});
