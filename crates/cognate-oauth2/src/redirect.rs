//! Redirect URIs: what may be registered, and when a requested URI matches a registered one.
//!
//! Matching is simple string comparison (RFC 6749 section 3.1.2.3, OAuth security BCP
//! section 4.1.3): no normalisation of case, percent-encoding, dot segments, trailing slashes or
//! query strings. The one exception is RFC 8252 section 7.3: a registered loopback URI without a
//! port (`http://127.0.0.1/cb`, `http://[::1]/cb`, `http://localhost/cb`) matches the same URI
//! with any port, because native apps listen on an ephemeral port.

use thiserror::Error;
use url::Url;

/// A redirect URI that may not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RedirectUriError {
    /// Not an absolute URI.
    #[error("redirect URI is not an absolute URI")]
    NotAbsolute,
    /// It has a fragment (`#...`).
    #[error("redirect URI must not have a fragment")]
    Fragment,
    /// `http` on a host that is not a loopback address.
    #[error("redirect URI must use https (http only for localhost, 127.0.0.1 and [::1])")]
    InsecureHttp,
    /// `javascript:`, `data:`, `file:` and their kind.
    #[error("redirect URI scheme `{0}` is not allowed")]
    ForbiddenScheme(String),
    /// Longer than 1024 characters, or contains whitespace or control characters.
    #[error("redirect URI is too long or contains invalid characters")]
    Malformed,
}

/// Schemes that would run code or read local data in a browser.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "file",
    "vbscript",
    "about",
    "blob",
    "filesystem",
];

/// The longest redirect URI accepted (Cognito's limit for `CallbackURLs` entries).
pub const MAX_REDIRECT_URI_LEN: usize = 1024;

fn is_loopback_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// Checks that `uri` may be registered (and used) as a redirect or sign-out URI: absolute, no
/// fragment, `https` (or `http` on a loopback host), or a custom app scheme (`myapp://cb`);
/// never `javascript:`, `data:` or `file:`.
pub fn check_redirect_uri(uri: &str) -> Result<(), RedirectUriError> {
    if uri.len() > MAX_REDIRECT_URI_LEN || uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(RedirectUriError::Malformed);
    }
    if uri.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    let parsed = Url::parse(uri).map_err(|_| RedirectUriError::NotAbsolute)?;
    let scheme = parsed.scheme();
    if FORBIDDEN_SCHEMES.contains(&scheme) {
        return Err(RedirectUriError::ForbiddenScheme(scheme.to_owned()));
    }
    if scheme == "http" {
        let host = parsed.host_str().unwrap_or_default();
        if !is_loopback_host(host) || !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(RedirectUriError::InsecureHttp);
        }
    }
    if scheme == "http" || scheme == "https" {
        // The URL parser forgives `https:///x` and `\` for `/`; a redirect URI must not need
        // forgiving.
        let after = uri.get(scheme.len()..).unwrap_or_default();
        if !after.starts_with("://")
            || after.get(3..).is_none_or(|rest| rest.starts_with('/'))
            || uri.contains('\\')
            || parsed.host_str().is_none_or(str::is_empty)
        {
            return Err(RedirectUriError::NotAbsolute);
        }
    }
    Ok(())
}

/// Splits `http://host[:port]rest` into (`http://host`, port, rest) for loopback hosts.
fn loopback_parts(uri: &str) -> Option<(&str, Option<&str>, &str)> {
    let after = uri.strip_prefix("http://")?;
    let authority_end = after.find(['/', '?']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(authority_end);
    let (host, port) = if let Some(h) = authority.strip_prefix("[::1]") {
        (
            "[::1]",
            if h.is_empty() {
                None
            } else {
                Some(h.strip_prefix(':')?)
            },
        )
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if !is_loopback_host(host) {
        return None;
    }
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let prefix_len = "http://".len() + host.len();
    Some((uri.get(..prefix_len)?, port, rest))
}

/// Whether the requested redirect URI matches the registered one: byte equality, or the
/// loopback port exception described in the module documentation.
pub fn redirect_uri_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    match (loopback_parts(registered), loopback_parts(requested)) {
        (Some((reg_origin, None, reg_rest)), Some((req_origin, Some(_), req_rest))) => {
            reg_origin == req_origin && reg_rest == req_rest
        }
        _ => false,
    }
}

/// The registered URI `requested` matches in `registered`, if any, after checking that it may
/// be used at all.
pub fn find_registered<'a>(registered: &'a [String], requested: &str) -> Option<&'a str> {
    check_redirect_uri(requested).ok()?;
    registered
        .iter()
        .find(|r| redirect_uri_matches(r, requested))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_only() {
        let reg = "https://rp.example/cb";
        // Catalogue OA-03: every variant is refused.
        for v in [
            "https://rp.example/cb?x=1",
            "https://rp.example/cb/",
            "https://rp.example/cb/FAKEPATH",
            "https://rp.example/cb%2FFAKEPATH",
            "https://rp.example/cb/..%2FFAKEPATH",
            "https://rp.example/cb/%2e%2e%2FFAKEPATH",
            "https://rp.example/cb/%252e%252e%252FFAKEPATH",
            "https://rp.example/cb/FAKEPATH/..",
            "https://rp.example/cb/;/../../FAKEPATH",
            "https://rp.example/cb%3B%2F..%2F..%2FFAKEPATH",
            "HTTPS://rp.example/cb",
            "https://RP.example/cb",
            "https://rp.example.evil.com/cb",
            "https://rp.example@evil.com/cb",
            "https://rp.example/cb#frag",
            "https://rp.example/cb?code=attackercode",
        ] {
            assert!(!redirect_uri_matches(reg, v), "{v}");
        }
        assert!(redirect_uri_matches(reg, reg));
    }

    #[test]
    fn query_components_compared_literally() {
        let reg = "https://rp/cb?foo=bar";
        assert!(redirect_uri_matches(reg, "https://rp/cb?foo=bar"));
        for v in [
            "https://rp/cb?foo=bara",
            "https://rp/cb?foo2=bar2&foo=bar",
            "https://rp/cb?foo",
        ] {
            assert!(!redirect_uri_matches(reg, v), "{v}");
        }
    }

    #[test]
    fn loopback_port_is_variable() {
        assert!(redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51234/cb"
        ));
        assert!(redirect_uri_matches(
            "http://[::1]/cb",
            "http://[::1]:8080/cb"
        ));
        assert!(redirect_uri_matches(
            "http://localhost/cb",
            "http://localhost:3000/cb"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:51234/other"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://localhosts/cb"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://localhost/cb"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:/cb"
        ));
        assert!(!redirect_uri_matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:80x/cb"
        ));
        // A registered port is exact.
        assert!(!redirect_uri_matches(
            "http://127.0.0.1:3000/cb",
            "http://127.0.0.1:3001/cb"
        ));
        assert!(!redirect_uri_matches(
            "https://127.0.0.1/cb",
            "https://127.0.0.1:444/cb"
        ));
    }

    #[test]
    fn registration_rules() {
        for ok in [
            "https://rp.example/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
            "myapp://callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://rp.example/cb",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
            "/foo/../bar",
            "https://rp.example/cb#x",
            "http://localhost@evil.com/cb",
            "https:///cb",
            "https://rp.example/c b",
            "https:\\\\rp.example\\cb",
            "https:rp.example/cb",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
