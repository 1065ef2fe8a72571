//! The verifier's errors.

use cognate_types::{TokenUse, UnixTime};
use thiserror::Error;

use crate::jwk::JwkError;
use crate::jws::JwsError;

/// The longest piece of token-supplied text (an `alg`, a claim name) an error carries.
const MAX_ECHO: usize = 64;

/// Cuts token-supplied text to at most [`MAX_ECHO`] bytes on a character boundary, so an
/// error never carries an attacker's 10 kB string.
pub(crate) fn echo(s: &str) -> String {
    if s.len() <= MAX_ECHO {
        return s.to_owned();
    }
    let mut end = MAX_ECHO;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 3);
    out.push_str(s.get(..end).unwrap_or_default());
    out.push_str("...");
    out
}

/// A JWKS fetch failed. Produced by a [`JwksFetcher`](super::JwksFetcher); the text is for logs.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct FetchError(String);

impl FetchError {
    /// A fetch error with a description (HTTP status, timeout, connection refused...).
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.0
    }
}

/// Why a token was not accepted. Every variant is a rejection; none is a panic.
///
/// Map it to the wire with [`VerifyError::oauth_error`] and [`VerifyError::http_status`]
/// (RFC 6750 section 3.1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a structurally valid compact JWS: size, segments, base64url, header JSON,
    /// duplicate header members, or a refused header parameter (`crit`, `jku`, `x5u`, `jwk`,
    /// `x5c`, `enc`, `zip`, `b64`).
    #[error("malformed token: {0}")]
    Malformed(#[from] JwsError),
    /// The header's `alg` is not RS256. Keys are pinned to RS256; the token's `alg` never
    /// chooses an algorithm (`none`, `HS256`, `ES256`... are all refused before any key work).
    #[error("algorithm `{0}` is not allowed")]
    AlgorithmNotAllowed(String),
    /// A header parameter the verifier does not accept (`cty`: nested tokens are refused).
    #[error("token header parameter `{0}` is not accepted")]
    HeaderNotAllowed(&'static str),
    /// The header has no `kid`.
    #[error("token header has no `kid`")]
    MissingKid,
    /// No key with the token's `kid` is known for its issuer (after any allowed refetch).
    #[error("no key with the token's `kid` is known for its issuer")]
    UnknownKid,
    /// The `kid` is unknown and the issuer's JWKS was fetched too recently to fetch again.
    #[error("unknown `kid` and the issuer's JWKS was fetched too recently to fetch it again")]
    JwksRateLimited,
    /// The JWKS fetch for an unknown `kid` failed; previously cached keys are kept.
    #[error("fetching the issuer's JWKS failed: {0}")]
    JwksFetch(FetchError),
    /// The fetched JWKS document could not be used; previously cached keys are kept.
    #[error("the issuer's JWKS could not be used: {0}")]
    JwksInvalid(JwkError),
    /// The fetched JWKS has no usable key; previously cached keys are kept.
    #[error("the issuer's JWKS has no usable key")]
    JwksNoUsableKeys,
    /// The RS256 signature does not verify with the key named by `kid`.
    #[error("signature is invalid")]
    BadSignature,
    /// The payload is not a JSON object (invalid JSON or UTF-8, nested too deeply, or not an
    /// object).
    #[error("token payload is not a JSON object")]
    PayloadNotJsonObject,
    /// A payload member appears more than once (RFC 7519 section 4).
    #[error("claim `{0}` appears more than once")]
    DuplicateClaim(String),
    /// A registered claim has the wrong JSON type or an impossible value (`exp` as a string,
    /// a float, negative or beyond the year 9999; `iss` not a string; `aud` neither a string
    /// nor an array of strings...).
    #[error("claim `{0}` has the wrong type or an impossible value")]
    ClaimType(&'static str),
    /// A required claim is absent.
    #[error("required claim `{0}` is missing")]
    MissingClaim(&'static str),
    /// `exp` has passed (allowing the configured clock skew).
    #[error("token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: UnixTime,
        /// The verifier's clock.
        now: UnixTime,
    },
    /// `nbf` is in the future (beyond the configured clock skew).
    #[error("token is not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: UnixTime,
        /// The verifier's clock.
        now: UnixTime,
    },
    /// `iat` is in the future (beyond the configured clock skew).
    #[error("token was issued in the future at {iat} (now {now})")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
        /// The verifier's clock.
        now: UnixTime,
    },
    /// `iss` is not one of the configured issuers (exact string comparison).
    #[error("issuer is not accepted")]
    IssuerMismatch,
    /// `aud` does not name an accepted audience (or, under the strict policy, also names an
    /// audience that is not accepted).
    #[error("audience is not accepted")]
    AudienceMismatch,
    /// A Cognito access token's `client_id` is not one of the pool's accepted clients.
    #[error("client_id is not accepted")]
    ClientIdMismatch,
    /// `token_use` is not the one this verifier accepts (an ID token where an access token is
    /// expected, or the reverse, or an unknown value).
    #[error("token_use is not `{expected}`")]
    TokenUseMismatch {
        /// What the verifier accepts.
        expected: TokenUse,
    },
    /// None of the required groups is in `cognito:groups`.
    #[error("token is not in an accepted group")]
    GroupNotAllowed,
    /// None of the required scopes is in `scope`.
    #[error("token has no accepted scope")]
    ScopeNotAllowed,
    /// The revocation hook says the token (its `jti`) or its family (`origin_jti`) is revoked.
    #[error("token has been revoked")]
    Revoked,
    /// The caller's custom claim check refused the token.
    #[error("token rejected: {0}")]
    Rejected(String),
}

impl VerifyError {
    /// The RFC 6750 `error` code for a `WWW-Authenticate: Bearer` challenge: `insufficient_scope`
    /// for group and scope failures, `temporarily_unavailable` when the keys could not be
    /// fetched, and `invalid_token` for everything else.
    pub fn oauth_error(&self) -> &'static str {
        match self {
            VerifyError::GroupNotAllowed | VerifyError::ScopeNotAllowed => "insufficient_scope",
            VerifyError::JwksFetch(_)
            | VerifyError::JwksInvalid(_)
            | VerifyError::JwksNoUsableKeys => "temporarily_unavailable",
            _ => "invalid_token",
        }
    }

    /// The HTTP status a resource server answers with: 403 for group and scope failures, 503
    /// when the issuer's keys could not be fetched, 401 otherwise.
    pub fn http_status(&self) -> u16 {
        match self.oauth_error() {
            "insufficient_scope" => 403,
            "temporarily_unavailable" => 503,
            _ => 401,
        }
    }
}

/// A verifier could not be built, or keys could not be cached for it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No issuer (or user pool) was configured.
    #[error("no issuer or user pool configured")]
    NoIssuer,
    /// No audience was configured and the audience check was not explicitly skipped.
    #[error("no audience configured (use `insecure_skip_audience_check` to skip the check)")]
    NoAudience,
    /// The same issuer was configured twice.
    #[error("issuer configured twice")]
    DuplicateIssuer,
    /// The JWKS cache already holds its maximum number of issuers.
    #[error("the JWKS cache is full ({max} issuers)")]
    JwksCacheFull {
        /// The cache's bound.
        max: usize,
    },
    /// Keys were offered for an issuer this verifier does not accept.
    #[error("issuer is not configured on this verifier")]
    UnknownIssuer,
}
