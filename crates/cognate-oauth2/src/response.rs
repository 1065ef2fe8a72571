//! Building responses: JSON with the right cache headers, redirects, cookies.

use http::header::{self, HeaderValue};
use http::{Response, StatusCode};

/// The body type of every response.
pub(crate) type Resp = Response<Vec<u8>>;

fn build(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Resp {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Marks a response as never to be cached (tokens, codes, pages with CSRF tokens).
pub(crate) fn no_store(mut r: Resp) -> Resp {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    build(status, "application/json;charset=UTF-8", body)
}

/// Removes CR, LF, TAB and anything outside RFC 6749's `error_description` character set
/// (`%x20-21 / %x23-5B / %x5D-7E`).
pub(crate) fn clean_description(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => ' ',
        })
        .take(512)
        .collect()
}

/// An RFC 6749 error: `{"error": ..., "error_description": ...}`, never cached.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: Option<&str>) -> Resp {
    let mut v = serde_json::Map::new();
    v.insert("error".into(), serde_json::Value::String(error.to_owned()));
    if let Some(d) = description {
        v.insert(
            "error_description".into(),
            serde_json::Value::String(clean_description(d)),
        );
    }
    no_store(json(status, &serde_json::Value::Object(v)))
}

/// A redirect. 302 like Cognito (never 307, which would re-post a credential form), with a
/// body-less response.
pub(crate) fn redirect(location: &str) -> Resp {
    let mut r = build(StatusCode::FOUND, "text/plain;charset=UTF-8", Vec::new());
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
        no_store(r)
    } else {
        // A location that cannot be a header value (never produced from validated input).
        plain(StatusCode::BAD_REQUEST, "invalid redirect")
    }
}

/// A short plain-text response.
pub(crate) fn plain(status: StatusCode, text: &str) -> Resp {
    no_store(build(
        status,
        "text/plain;charset=UTF-8",
        text.as_bytes().to_vec(),
    ))
}

/// An HTML page with the browser-hardening headers: no framing, no referrer, no caching, no
/// inline script, styles only from this origin.
pub(crate) fn html(status: StatusCode, body: String) -> Resp {
    let mut r = build(status, "text/html;charset=UTF-8", body.into_bytes());
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    no_store(r)
}

/// Appends parameters to a URL's query (`?` or `&`), or as its fragment.
pub(crate) fn with_params(base: &str, params: &[(&str, &str)], fragment: bool) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let encoded = ser.finish();
    if fragment {
        format!("{base}#{encoded}")
    } else if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            format!("{base}{encoded}")
        } else {
            format!("{base}&{encoded}")
        }
    } else {
        format!("{base}?{encoded}")
    }
}

/// A `Set-Cookie` value. `max_age` zero deletes the cookie.
pub(crate) fn cookie(name: &str, value: &str, path: &str, max_age: u64, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Adds a `Set-Cookie` header.
pub(crate) fn set_cookie(r: &mut Resp, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn read_cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_appended_to_query_or_fragment() {
        assert_eq!(
            with_params("https://a/cb", &[("code", "x"), ("state", "a b")], false),
            "https://a/cb?code=x&state=a+b"
        );
        assert_eq!(
            with_params("https://a/cb?foo=bar", &[("code", "x")], false),
            "https://a/cb?foo=bar&code=x"
        );
        assert_eq!(
            with_params("https://a/cb", &[("access_token", "t")], true),
            "https://a/cb#access_token=t"
        );
    }

    #[test]
    fn descriptions_lose_control_characters() {
        assert_eq!(clean_description("a\r\nb\t\"c\\"), "a  b  c ");
    }

    #[test]
    fn cookies_read() {
        let mut h = http::HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cognito=xyz; b=2"),
        );
        assert_eq!(read_cookie(&h, "cognito"), Some("xyz"));
        assert_eq!(read_cookie(&h, "c"), None);
    }
}
