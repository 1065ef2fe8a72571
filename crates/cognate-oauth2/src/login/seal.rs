//! Anti-CSRF tokens and the integrity of the pages' hidden state, both keyed with the
//! server's cookie key.
//!
//! CSRF: a double-submit bound to a cookie. The `XSRF-TOKEN` cookie holds 32 random bytes; the
//! form's `_csrf` field is HMAC-SHA256(key, "csrf|" + cookie). A cross-site form can neither
//! read the cookie nor compute the MAC, and a cookie planted by a sibling domain does not come
//! with a valid field.
//!
//! Pending challenges travel in a hidden `challenge` field as base64url(JSON) "." base64url(
//! HMAC-SHA256(key, "challenge|" + JSON)), so a user cannot change which challenge or which
//! user a page answers for. The sealed JSON also names the client and an expiry: a page of one
//! client cannot answer for another, and an old page stops working even if the host's own
//! state would still be good.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use cognate_types::UnixTime;
use serde::{Deserialize, Serialize};

use crate::host::PendingChallenge;

/// How long a challenge page can be answered (Cognito's challenge sessions last 3 to 15
/// minutes; the host's own session expiry applies too).
pub(crate) const CHALLENGE_LIFETIME_SECS: u64 = 15 * 60;

#[derive(Serialize, Deserialize)]
struct Sealed {
    pending: PendingChallenge,
    client: String,
    exp: u64,
}

/// The anti-CSRF cookie (the name Cognito's hosted UI uses).
pub(crate) const CSRF_COOKIE: &str = "XSRF-TOKEN";

fn mac(key: &[u8; 32], purpose: &str, data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: this cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    m.update(purpose.as_bytes());
    m.update(b"|");
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Whether `value` looks like a cookie this server set (43 base64url characters).
pub(crate) fn well_formed_cookie(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The `_csrf` field for the cookie value.
pub(crate) fn csrf_token(key: &[u8; 32], cookie: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, "csrf", cookie.as_bytes()))
}

/// Whether `field` is the `_csrf` of `cookie` (constant time).
pub(crate) fn csrf_ok(key: &[u8; 32], cookie: Option<&str>, field: Option<&str>) -> bool {
    let (Some(cookie), Some(field)) = (cookie, field) else {
        return false;
    };
    if !well_formed_cookie(cookie) {
        return false;
    }
    let expected = csrf_token(key, cookie);
    expected.as_bytes().ct_eq(field.as_bytes()).into()
}

/// Seals a pending challenge of `client` for a hidden field, valid until `exp`.
pub(crate) fn seal(
    key: &[u8; 32],
    pending: &PendingChallenge,
    client: &str,
    exp: UnixTime,
) -> String {
    let sealed = Sealed {
        pending: pending.clone(),
        client: client.to_owned(),
        exp: exp.as_secs(),
    };
    let json = serde_json::to_vec(&sealed).unwrap_or_default();
    let tag = mac(key, "challenge", &json);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Opens a sealed challenge for `client` at `now`; `None` when it was changed, is
/// malformed, is another client's, or has expired.
pub(crate) fn open(
    key: &[u8; 32],
    sealed: &str,
    client: &str,
    now: UnixTime,
) -> Option<PendingChallenge> {
    if sealed.len() > 8192 {
        return None;
    }
    let (body, tag) = sealed.split_once('.')?;
    let json = URL_SAFE_NO_PAD.decode(body).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    let expected = mac(key, "challenge", &json);
    if !bool::from(expected.as_slice().ct_eq(&tag)) {
        return None;
    }
    let s: Sealed = serde_json::from_slice(&json).ok()?;
    (s.client == client && now.as_secs() < s.exp).then_some(s.pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::ChallengeKind;

    const KEY: [u8; 32] = [3; 32];

    #[test]
    fn csrf_binds_field_to_cookie() {
        let cookie = "a".repeat(43);
        let token = csrf_token(&KEY, &cookie);
        assert!(csrf_ok(&KEY, Some(&cookie), Some(&token)));
        assert!(!csrf_ok(&KEY, Some(&"b".repeat(43)), Some(&token)));
        assert!(!csrf_ok(&KEY, Some(&cookie), None));
        assert!(!csrf_ok(&KEY, None, Some(&token)));
        assert!(!csrf_ok(&[4; 32], Some(&cookie), Some(&token)));
        // A cookie the server would not have set.
        assert!(!csrf_ok(
            &KEY,
            Some("short"),
            Some(&csrf_token(&KEY, "short"))
        ));
    }

    #[test]
    fn sealed_challenges_resist_tampering() {
        let p = PendingChallenge {
            kind: ChallengeKind::SoftwareToken,
            username: "alice".into(),
            state: "session".into(),
        };
        let now = UnixTime::from_secs(1000);
        let exp = UnixTime::from_secs(1900);
        let s = seal(&KEY, &p, "client1", exp);
        let back = open(&KEY, &s, "client1", now).unwrap();
        assert_eq!(back.username, "alice");
        // Another client, or too late.
        assert!(open(&KEY, &s, "client2", now).is_none());
        assert!(open(&KEY, &s, "client1", exp).is_none());
        // Another user, same MAC.
        let json = String::from_utf8(
            URL_SAFE_NO_PAD
                .decode(s.split_once('.').unwrap().0)
                .unwrap(),
        )
        .unwrap()
        .replace("\"alice\"", "\"mallory\"");
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(json),
            s.split_once('.').unwrap().1
        );
        assert!(open(&KEY, &forged, "client1", now).is_none());
        assert!(open(&[9; 32], &s, "client1", now).is_none());
        assert!(open(&KEY, "garbage", "client1", now).is_none());
        assert!(open(&KEY, "", "client1", now).is_none());
    }
}
