//! FZ-04: redirect-URI matching. The input is `registered \n requested`. A match is byte
//! equality, or the RFC 8252 loopback exception: both `http://` on the same loopback host, the
//! registered one without a port, the requested one with a port, and equal once that port is
//! removed. `find_registered` never returns a URI that `check_redirect_uri` refuses.
#![no_main]

use cognate_oauth2::{check_redirect_uri, find_registered, redirect_uri_matches};
use libfuzzer_sys::fuzz_target;

/// `requested` with its `:port` removed, if it is a loopback `http://` URI with a port.
fn without_port(requested: &str) -> Option<String> {
    let rest = requested.strip_prefix("http://")?;
    for host in ["localhost", "127.0.0.1", "[::1]"] {
        if let Some(after) = rest.strip_prefix(host) {
            let after = after.strip_prefix(':')?;
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let tail = after.get(digits..)?;
            if digits == 0 || digits > 5 || !(tail.is_empty() || tail.starts_with(['/', '?'])) {
                return None;
            }
            return Some(format!("http://{host}{tail}"));
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (registered, requested) = text.split_once('\n').unwrap_or((text, text));
    let matched = redirect_uri_matches(registered, requested);
    if matched && registered != requested {
        assert_eq!(
            without_port(requested).as_deref(),
            Some(registered),
            "{registered:?} matched {requested:?}"
        );
    }
    let list = vec![registered.to_owned()];
    if let Some(found) = find_registered(&list, requested) {
        assert!(check_redirect_uri(requested).is_ok());
        assert!(redirect_uri_matches(found, requested));
    }
});
