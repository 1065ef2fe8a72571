//! Verification of AWS Signature Version 4 (`AWS4-HMAC-SHA256`) on incoming requests.
//!
//! The user-pools API accepts its administrative operations (`Admin*`, `ListUsers`, pool and
//! client management) only from callers that sign with IAM credentials, as the real AWS SDKs
//! do (boto3/botocore, the AWS SDK for JavaScript v3, ...). [`SigV4Verifier::verify`] checks
//! such a request — its `Authorization` header, date, credential scope, canonical request and
//! signature — and returns the [`VerifiedCaller`] or a [`SigV4Error`] whose
//! [`exception_name`](SigV4Error::exception_name), [`http_status`](SigV4Error::http_status)
//! and message are what an AWS JSON service answers for the same fault.
//!
//! Only the `Authorization` header form is accepted. Query-string (presigned URL)
//! authentication is refused with [`SigV4Error::PresignedUrlNotSupported`].
//!
//! The canonical request follows the rules AWS applies to every service except S3 (the
//! rules of the signers in botocore `auth.py`, the AWS SDK for JavaScript v3
//! `signature-v4` and aws-c-auth, which agree):
//!
//! - the path is the request target as received (already percent-encoded once), with dot
//!   segments and empty segments removed, a trailing slash kept, then percent-encoded again
//!   byte by byte (everything but `A-Z a-z 0-9 - . _ ~ /`): non-S3 paths are encoded twice;
//! - query parameters are percent-decoded, encoded with the same unreserved set (`/` included
//!   in the encoded set), and sorted by name then value;
//! - signed header names are lowercase and sorted; values are trimmed, runs of whitespace
//!   are collapsed to one space, and repeated headers are joined with `,` in arrival order;
//! - the payload hash is the SHA-256 of the body as received.
//!
//! Sources for the wire mapping (exception names, messages, HTTP status) are cited next to
//! [`SigV4Error`]. Time is an input: pass the current [`UnixTime`] to `verify`.

use std::fmt::{self, Write as _};
use std::time::Duration;

use cognate_types::{Secret, UnixTime};
use http::request::Parts;
use http::StatusCode;
use subtle::ConstantTimeEq;
use thiserror::Error;
use zeroize::Zeroizing;

/// The only signing algorithm accepted: `AWS4-HMAC-SHA256`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The service name in the credential scope of user-pools API requests.
pub const COGNITO_IDP_SERVICE: &str = "cognito-idp";

/// The clock skew AWS tolerates between the request date and its own clock: 15 minutes.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The last element of every SigV4 credential scope.
const TERMINATOR: &str = "aws4_request";

/// Longest attacker-supplied text echoed back in an error message, in characters.
const ECHO_LIMIT: usize = 256;

/// Where the verifier finds the secret access key of an access key id.
///
/// Implemented for closures `Fn(&str) -> Option<Secret<String>>`, so a test or a small server
/// can pass `|id| (id == "AKID...").then(|| secret.clone())`.
pub trait CredentialLookup {
    /// The secret access key of `access_key_id`, or `None` when the key is unknown (the
    /// request is then refused with `UnrecognizedClientException`).
    fn secret_access_key(&self, access_key_id: &str) -> Option<Secret<String>>;

    /// Whether `session_token`, sent as a signed `X-Amz-Security-Token`, is valid for
    /// `access_key_id` (temporary credentials). The default accepts none: a request carrying
    /// a token is then refused with `UnrecognizedClientException`, as AWS refuses an
    /// unknown token. Compare in constant time when implementing this.
    fn session_token_valid(&self, access_key_id: &str, session_token: &str) -> bool {
        let _ = (access_key_id, session_token);
        false
    }
}

impl<F> CredentialLookup for F
where
    F: Fn(&str) -> Option<Secret<String>>,
{
    fn secret_access_key(&self, access_key_id: &str) -> Option<Secret<String>> {
        self(access_key_id)
    }
}

/// The caller of a request whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedCaller {
    /// The access key id from the credential scope.
    pub access_key_id: String,
    /// The region from the credential scope.
    pub region: String,
    /// The request time that was signed (`X-Amz-Date`, or `Date`).
    pub signed_at: UnixTime,
    /// Whether the request carried a (valid, signed) session token.
    pub with_session_token: bool,
}

/// Checks SigV4 signatures for one service (and optionally one region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Verifier {
    service: String,
    region: Option<String>,
    max_skew: Duration,
}

impl SigV4Verifier {
    /// A verifier for requests scoped to `service`, from any region, with the AWS skew of
    /// 15 minutes.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            region: None,
            max_skew: DEFAULT_MAX_SKEW,
        }
    }

    /// A verifier for the user-pools API (service `cognito-idp`).
    pub fn cognito_idp() -> Self {
        Self::new(COGNITO_IDP_SERVICE)
    }

    /// Accepts only credential scopes for `region` (AWS refuses any other region with
    /// "Credential should be scoped to a valid region"). Without this, any well-formed
    /// region is accepted and reported in [`VerifiedCaller::region`].
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The largest accepted difference between the signed request time and `now`, either
    /// way.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// The service name credential scopes must carry.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Verifies the SigV4 signature of a request.
    ///
    /// `body` is the request body exactly as received. `now` is the current time.
    pub fn verify<C>(
        &self,
        parts: &Parts,
        body: &[u8],
        credentials: &C,
        now: UnixTime,
    ) -> Result<VerifiedCaller, SigV4Error>
    where
        C: CredentialLookup + ?Sized,
    {
        if query_has_presign_params(parts.uri.query()) {
            return Err(SigV4Error::PresignedUrlNotSupported);
        }
        let authorization = single_authorization(parts)?;
        let auth = parse_authorization(authorization)?;

        let date_source = request_date_header(parts);
        let missing = MissingParts {
            credential: auth.credential.is_none(),
            signed_headers: auth.signed_headers.is_none(),
            signature: auth.signature.is_none(),
            date: date_source.is_none(),
        };
        let (Some(credential), Some(signed_headers), Some(signature), Some(date_source)) = (
            auth.credential,
            auth.signed_headers,
            auth.signature,
            date_source,
        ) else {
            return Err(SigV4Error::IncompleteAuthorization {
                missing,
                authorization: clip(authorization),
            });
        };

        let scope = parse_credential(credential)?;
        let signed_at = date_source.parse()?;
        let amz_date = format_amz_date(signed_at);

        if scope.terminator != TERMINATOR {
            return Err(SigV4Error::InvalidTerminator {
                terminator: clip(scope.terminator),
            });
        }
        if scope.service != self.service {
            return Err(SigV4Error::WrongService {
                expected: self.service.clone(),
                found: clip(scope.service),
            });
        }
        let region_ok = match &self.region {
            Some(expected) => scope.region == expected,
            None => is_region_name(scope.region),
        };
        if !region_ok {
            return Err(SigV4Error::WrongRegion {
                found: clip(scope.region),
            });
        }
        if amz_date.get(..8) != Some(scope.date) {
            return Err(SigV4Error::ScopeDateMismatch {
                scope_date: clip(scope.date),
                request_date: amz_date.get(..8).unwrap_or_default().to_owned(),
                amz_date: amz_date.clone(),
            });
        }

        let names = parse_signed_headers(signed_headers)?;
        if !names.contains(&"host") {
            return Err(SigV4Error::HostNotSigned);
        }
        let session_token = single_header_text(parts, "x-amz-security-token")?;
        if session_token.is_some() && !names.contains(&"x-amz-security-token") {
            return Err(SigV4Error::SecurityTokenNotSigned);
        }

        let earliest = now.saturating_sub(self.max_skew);
        let latest = now.saturating_add(self.max_skew);
        if signed_at < earliest {
            return Err(SigV4Error::SignatureExpired {
                signed_at,
                earliest,
                now,
                max_skew: self.max_skew,
            });
        }
        if signed_at > latest {
            return Err(SigV4Error::SignatureNotYetCurrent {
                signed_at,
                latest,
                now,
                max_skew: self.max_skew,
            });
        }

        let payload_hash = hex(&sha256(body));
        if let Some(declared) = single_header_text(parts, "x-amz-content-sha256")? {
            if declared == "UNSIGNED-PAYLOAD" || declared.starts_with("STREAMING-") {
                return Err(SigV4Error::UnsignedPayload);
            }
            if declared != payload_hash {
                return Err(SigV4Error::ContentSha256Mismatch);
            }
        }

        let canonical = build_canonical_request(parts, &names, signed_headers, &payload_hash)?;

        let secret = credentials
            .secret_access_key(scope.access_key_id)
            .ok_or(SigV4Error::UnknownAccessKey)?;
        if let Some(token) = session_token {
            if !credentials.session_token_valid(scope.access_key_id, token) {
                return Err(SigV4Error::InvalidSecurityToken);
            }
        }

        let string_to_sign = format!(
            "{ALGORITHM}\n{amz_date}\n{}/{}/{}/{TERMINATOR}\n{}",
            scope.date,
            scope.region,
            scope.service,
            hex(&sha256(&canonical))
        );
        let key = signing_key(&secret, scope.date, scope.region, scope.service);
        let expected = Zeroizing::new(hex(
            hmac_sha256(key.as_slice(), string_to_sign.as_bytes()).as_slice()
        ));
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return Err(SigV4Error::SignatureMismatch);
        }

        Ok(VerifiedCaller {
            access_key_id: scope.access_key_id.to_owned(),
            region: scope.region.to_owned(),
            signed_at,
            with_session_token: session_token.is_some(),
        })
    }
}

/// The canonical request a SigV4 signer must have built for this request with these signed
/// headers (lowercase names; order does not matter here), as bytes (header values need not be
/// UTF-8). For diagnostics: log it when a signature does not match, to compare with the
/// client's own (botocore logs its canonical request at debug level).
pub fn canonical_request(
    parts: &Parts,
    body: &[u8],
    signed_headers: &[&str],
) -> Result<Vec<u8>, SigV4Error> {
    let mut names: Vec<&str> = signed_headers.to_vec();
    names.sort_unstable();
    names.dedup();
    let list = names.join(";");
    build_canonical_request(parts, &names, &list, &hex(&sha256(body)))
}

/// Which required parts of a SigV4 `Authorization` were absent (see
/// [`SigV4Error::IncompleteAuthorization`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MissingParts {
    /// No `Credential=` parameter.
    pub credential: bool,
    /// No `SignedHeaders=` parameter.
    pub signed_headers: bool,
    /// No `Signature=` parameter.
    pub signature: bool,
    /// Neither an `X-Amz-Date` nor a `Date` header.
    pub date: bool,
}

impl MissingParts {
    /// AWS's message: one sentence per missing part, then the header value.
    fn message(&self, authorization: &str) -> String {
        let mut out = String::new();
        if self.credential {
            out.push_str("Authorization header requires 'Credential' parameter. ");
        }
        if self.signature {
            out.push_str("Authorization header requires 'Signature' parameter. ");
        }
        if self.signed_headers {
            out.push_str("Authorization header requires 'SignedHeaders' parameter. ");
        }
        if self.date {
            out.push_str(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
            );
        }
        let _ = write!(out, "Authorization={authorization}");
        out
    }
}

/// Why a request's SigV4 signature was refused.
///
/// Each variant maps to the exception AWS JSON services return for the same fault:
/// [`exception_name`](Self::exception_name) (the `__type` of the error body and the
/// `x-amzn-ErrorType` header), [`http_status`](Self::http_status), and the message, which is
/// this error's `Display`. Sources, by exception:
///
/// - HTTP status: AWS JSON (Coral) services answer every signature fault with `400 Bad
///   Request` (DynamoDB developer guide, "Error handling with DynamoDB", which lists
///   `IncompleteSignatureException`, `MissingAuthenticationTokenException` and
///   `UnrecognizedClientException` under 400; the DynamoDB Applied Design Patterns book
///   shows `InvalidSignatureException` as 400). For Cognito itself, captured responses show
///   `400` for `UnrecognizedClientException` (aws/aws-sdk-php#2444,
///   laravel-aws-cognito-auth#25) and for `InvalidSignatureException` (ellaisys/aws-cognito#24).
/// - `MissingAuthenticationTokenException`, "Missing Authentication Token": Cognito
///   `AdminCreateUser`/`ListUsers` without credentials (aws-aspnet-cognito-identity-provider#66,
///   aws-sdk-net-extensions-cognito#95, aws-sdk-cpp#1622).
/// - `IncompleteSignatureException`: "Authorization header requires 'Credential'
///   parameter. ..." (aws/chalice#828, brendanhay/amazonka#316); "'...' not a valid key=value
///   pair (missing equal-sign) in Authorization header: '...'." (iann0036/cloud9-sync#10,
///   aws/aws-sdk-go#289); "Credential must have exactly 5 slash-delimited elements, e.g.
///   keyid/date/region/service/term, got '...'" (prometheus-community/yet-another-cloudwatch-exporter#169);
///   "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
///   (bryanjos/aws_auth#7); "'Host' or ':authority' must be a 'SignedHeader' in the AWS
///   Authorization." (aws/aws-sdk-php#2469, opensearch-project/opensearch-php#248).
/// - `InvalidSignatureException`: "The request signature we calculated does not match the
///   signature you provided. Check your AWS Secret Access Key and signing method. Consult the
///   service documentation for details." (Cognito: aws/aws-cli#3066,
///   ArranJacques/laravel-aws-cognito-auth#18); "Signature expired: ... is now earlier than
///   ... (... - 15 min.)" (aws/aws-sdk-js#254, upmc-enterprises/registry-creds#24); "Signature
///   not yet current: ... is still later than ... (... + 5 min.)" (aws/aws-sdk-go#2194);
///   "Credential should be scoped to a valid region, not '...'. " (aws/aws-sdk-js#792,
///   aws/aws-sdk-ruby#508); "Credential should be scoped to correct service: '...'. "
///   (arnemolland/sigv4#15, cllunsford/aws-signing-proxy#25).
/// - `UnrecognizedClientException`, "The security token included in the request is
///   invalid.": Cognito with an unknown access key (aws/aws-sdk-php#2444).
///
/// Messages marked *own wording* below are faults whose real AWS text was not found; the
/// exception name follows the closest documented case.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SigV4Error {
    /// The request is authenticated by query-string parameters (a presigned URL), which this
    /// verifier does not accept. `IncompleteSignatureException` (own wording).
    #[error("Query-string (presigned URL) authentication is not supported; sign the request with an Authorization header.")]
    PresignedUrlNotSupported,

    /// No `Authorization` header. `MissingAuthenticationTokenException`.
    #[error("Missing Authentication Token")]
    MissingAuthorization,

    /// More than one `Authorization` header. `IncompleteSignatureException` (own wording).
    #[error("The request carries more than one Authorization header.")]
    MultipleAuthorizationHeaders,

    /// The `Authorization` header is not visible ASCII text. `IncompleteSignatureException`
    /// (own wording).
    #[error("The Authorization header is not valid ASCII text.")]
    AuthorizationNotText,

    /// The `Authorization` header names another scheme than `AWS4-HMAC-SHA256` (for example
    /// SigV4a's `AWS4-ECDSA-P256-SHA256`, or a bearer token). `IncompleteSignatureException`
    /// (own wording).
    #[error("Unsupported authorization type '{algorithm}': only AWS4-HMAC-SHA256 is accepted.")]
    UnsupportedAlgorithm {
        /// The scheme found (clipped).
        algorithm: String,
    },

    /// An element of the `Authorization` parameters has no `=`.
    /// `IncompleteSignatureException`.
    #[error("'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.")]
    MalformedAuthorizationPair {
        /// The element (clipped).
        pair: String,
        /// The whole header value (clipped).
        authorization: String,
    },

    /// `Credential`, `SignedHeaders` or `Signature` appears twice.
    /// `IncompleteSignatureException` (own wording).
    #[error("Authorization header has a duplicate '{name}' parameter.")]
    DuplicateAuthorizationParameter {
        /// The repeated parameter name.
        name: &'static str,
    },

    /// A parameter other than `Credential`, `SignedHeaders` and `Signature`.
    /// `IncompleteSignatureException` (own wording).
    #[error("Authorization header has an unknown parameter '{name}'.")]
    UnknownAuthorizationParameter {
        /// The parameter name (clipped).
        name: String,
    },

    /// Required parts are missing: a parameter of the `Authorization` header, or both date
    /// headers. `IncompleteSignatureException`.
    #[error("{}", .missing.message(.authorization))]
    IncompleteAuthorization {
        /// What is missing.
        missing: MissingParts,
        /// The whole header value (clipped).
        authorization: String,
    },

    /// The credential is not `keyid/date/region/service/aws4_request`.
    /// `IncompleteSignatureException`.
    #[error("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'")]
    MalformedCredential {
        /// The credential (clipped).
        credential: String,
    },

    /// `X-Amz-Date` is not `yyyyMMdd'T'HHmmss'Z'`, or appears twice.
    /// `IncompleteSignatureException`.
    #[error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")]
    MalformedAmzDate,

    /// The `Date` header (used when there is no `X-Amz-Date`) is not an RFC 7231 date, or
    /// appears twice. `IncompleteSignatureException` (own wording).
    #[error("Date must be in RFC 1123 format, e.g. \"Sun, 06 Nov 1994 08:49:37 GMT\"")]
    MalformedDate,

    /// The credential scope does not end in `aws4_request`. `InvalidSignatureException`
    /// (wording as AWS is reported to use it, not found in a capture).
    #[error(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
    )]
    InvalidTerminator {
        /// The terminator found (clipped).
        terminator: String,
    },

    /// The credential scope names another service. `InvalidSignatureException`.
    #[error("Credential should be scoped to correct service: '{expected}'. ")]
    WrongService {
        /// The service this verifier accepts.
        expected: String,
        /// The service in the scope (clipped).
        found: String,
    },

    /// The credential scope names another region than the configured one, or no valid region
    /// name. `InvalidSignatureException`.
    #[error("Credential should be scoped to a valid region, not '{found}'. ")]
    WrongRegion {
        /// The region in the scope (clipped).
        found: String,
    },

    /// The date of the credential scope is not the day of the request date.
    /// `InvalidSignatureException` (wording as AWS is reported to use it, not found in a
    /// capture).
    #[error("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{request_date}', from '{amz_date}'.")]
    ScopeDateMismatch {
        /// The date in the scope (clipped).
        scope_date: String,
        /// The day of the request date.
        request_date: String,
        /// The request date, `yyyyMMdd'T'HHmmss'Z'`.
        amz_date: String,
    },

    /// `SignedHeaders` is empty, or not lowercase header names sorted without repeats.
    /// `IncompleteSignatureException` (own wording).
    #[error("SignedHeaders must be lowercase header names, sorted and separated by ';', got '{signed_headers}'.")]
    MalformedSignedHeaders {
        /// The list found (clipped).
        signed_headers: String,
    },

    /// `host` is not among the signed headers. `IncompleteSignatureException`.
    #[error("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    HostNotSigned,

    /// The request carries `X-Amz-Security-Token` but does not sign it.
    /// `IncompleteSignatureException` (own wording).
    #[error("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.")]
    SecurityTokenNotSigned,

    /// A header named in `SignedHeaders` is absent from the request. Signing it was
    /// impossible, so AWS reports a mismatch. `InvalidSignatureException`.
    #[error("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")]
    SignedHeaderMissing {
        /// The absent header.
        name: String,
    },

    /// The request was signed more than the allowed skew before `now`.
    /// `InvalidSignatureException`.
    #[error("Signature expired: {} is now earlier than {} ({} - {} min.)", AmzDate(*.signed_at), AmzDate(*.earliest), AmzDate(*.now), .max_skew.as_secs() / 60)]
    SignatureExpired {
        /// The signed request time.
        signed_at: UnixTime,
        /// The earliest accepted time (`now` minus the skew).
        earliest: UnixTime,
        /// The verifier's current time.
        now: UnixTime,
        /// The allowed skew.
        max_skew: Duration,
    },

    /// The request was signed more than the allowed skew after `now`.
    /// `InvalidSignatureException`.
    #[error("Signature not yet current: {} is still later than {} ({} + {} min.)", AmzDate(*.signed_at), AmzDate(*.latest), AmzDate(*.now), .max_skew.as_secs() / 60)]
    SignatureNotYetCurrent {
        /// The signed request time.
        signed_at: UnixTime,
        /// The latest accepted time (`now` plus the skew).
        latest: UnixTime,
        /// The verifier's current time.
        now: UnixTime,
        /// The allowed skew.
        max_skew: Duration,
    },

    /// `X-Amz-Content-SHA256` is `UNSIGNED-PAYLOAD` or a streaming marker: the body would not
    /// be covered by the signature. `InvalidSignatureException` (own wording).
    #[error("Unsigned payloads are not accepted: the request body must be signed.")]
    UnsignedPayload,

    /// `X-Amz-Content-SHA256` is not the SHA-256 of the body. `InvalidSignatureException`
    /// (S3's wording for its `XAmzContentSHA256Mismatch`).
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentSha256Mismatch,

    /// The access key id is unknown. `UnrecognizedClientException`.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,

    /// The signed `X-Amz-Security-Token` is not valid for the access key.
    /// `UnrecognizedClientException`.
    #[error("The security token included in the request is invalid.")]
    InvalidSecurityToken,

    /// The signature does not match the one computed with the caller's secret key.
    /// `InvalidSignatureException`.
    #[error("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")]
    SignatureMismatch,
}

impl SigV4Error {
    /// The AWS exception name: the `__type` of the JSON error body, and the
    /// `x-amzn-ErrorType` header.
    pub fn exception_name(&self) -> &'static str {
        match self {
            Self::MissingAuthorization => "MissingAuthenticationTokenException",
            Self::PresignedUrlNotSupported
            | Self::MultipleAuthorizationHeaders
            | Self::AuthorizationNotText
            | Self::UnsupportedAlgorithm { .. }
            | Self::MalformedAuthorizationPair { .. }
            | Self::DuplicateAuthorizationParameter { .. }
            | Self::UnknownAuthorizationParameter { .. }
            | Self::IncompleteAuthorization { .. }
            | Self::MalformedCredential { .. }
            | Self::MalformedAmzDate
            | Self::MalformedDate
            | Self::MalformedSignedHeaders { .. }
            | Self::HostNotSigned
            | Self::SecurityTokenNotSigned => "IncompleteSignatureException",
            Self::InvalidTerminator { .. }
            | Self::WrongService { .. }
            | Self::WrongRegion { .. }
            | Self::ScopeDateMismatch { .. }
            | Self::SignedHeaderMissing { .. }
            | Self::SignatureExpired { .. }
            | Self::SignatureNotYetCurrent { .. }
            | Self::UnsignedPayload
            | Self::ContentSha256Mismatch
            | Self::SignatureMismatch => "InvalidSignatureException",
            Self::UnknownAccessKey | Self::InvalidSecurityToken => "UnrecognizedClientException",
        }
    }

    /// The HTTP status AWS JSON services answer with: `400 Bad Request` for every signature
    /// fault.
    pub fn http_status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// The message of the JSON error body (the same text as `Display`).
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// Formats a time as `yyyyMMdd'T'HHmmss'Z'` in messages.
struct AmzDate(UnixTime);

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_amz_date(self.0))
    }
}

/// At most [`ECHO_LIMIT`] characters of an attacker-supplied value, for error messages.
fn clip(value: &str) -> String {
    match value.char_indices().nth(ECHO_LIMIT) {
        Some((end, _)) => format!("{}...", value.get(..end).unwrap_or_default()),
        None => value.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Authorization header

/// The parameters of an `AWS4-HMAC-SHA256` Authorization header.
struct AuthParams<'a> {
    credential: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
}

fn single_authorization(parts: &Parts) -> Result<&str, SigV4Error> {
    let mut values = parts.headers.get_all(http::header::AUTHORIZATION).iter();
    let first = values.next().ok_or(SigV4Error::MissingAuthorization)?;
    if values.next().is_some() {
        return Err(SigV4Error::MultipleAuthorizationHeaders);
    }
    let text = first
        .to_str()
        .map_err(|_| SigV4Error::AuthorizationNotText)?;
    if text.trim().is_empty() {
        return Err(SigV4Error::MissingAuthorization);
    }
    Ok(text)
}

/// Splits `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. Like AWS, the
/// parameters are separated by commas and/or spaces, and every element must be `key=value`.
fn parse_authorization(header: &str) -> Result<AuthParams<'_>, SigV4Error> {
    let header_trimmed = header.trim();
    let (scheme, rest) = header_trimmed
        .split_once([' ', '\t'])
        .unwrap_or((header_trimmed, ""));
    if scheme != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm {
            algorithm: clip(scheme),
        });
    }
    let mut params = AuthParams {
        credential: None,
        signed_headers: None,
        signature: None,
    };
    let (mut seen_credential, mut seen_signed_headers, mut seen_signature) = (false, false, false);
    for element in rest.split([',', ' ', '\t']).filter(|e| !e.is_empty()) {
        let Some((key, value)) = element.split_once('=') else {
            return Err(SigV4Error::MalformedAuthorizationPair {
                pair: clip(element),
                authorization: clip(header),
            });
        };
        let (slot, seen, name) = match key {
            "Credential" => (&mut params.credential, &mut seen_credential, "Credential"),
            "SignedHeaders" => (
                &mut params.signed_headers,
                &mut seen_signed_headers,
                "SignedHeaders",
            ),
            "Signature" => (&mut params.signature, &mut seen_signature, "Signature"),
            other => {
                return Err(SigV4Error::UnknownAuthorizationParameter { name: clip(other) });
            }
        };
        if std::mem::replace(seen, true) {
            return Err(SigV4Error::DuplicateAuthorizationParameter { name });
        }
        // An empty value counts as absent, as in AWS's "requires ... parameter" message.
        *slot = Some(value).filter(|v| !v.is_empty());
    }
    Ok(params)
}

/// The five elements of a credential: `keyid/date/region/service/terminator`.
struct Scope<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
}

fn parse_credential(credential: &str) -> Result<Scope<'_>, SigV4Error> {
    let elements: Vec<&str> = credential.split('/').collect();
    match elements.as_slice() {
        [access_key_id, date, region, service, terminator] => Ok(Scope {
            access_key_id,
            date,
            region,
            service,
            terminator,
        }),
        _ => Err(SigV4Error::MalformedCredential {
            credential: clip(credential),
        }),
    }
}

/// A region name as AWS spells them: lowercase letters, digits and dashes.
fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses `SignedHeaders`: lowercase header names separated by `;`, strictly ascending.
fn parse_signed_headers(list: &str) -> Result<Vec<&str>, SigV4Error> {
    let malformed = || SigV4Error::MalformedSignedHeaders {
        signed_headers: clip(list),
    };
    let names: Vec<&str> = list.split(';').collect();
    for name in &names {
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
            });
        if !valid {
            return Err(malformed());
        }
    }
    if names.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
        return Err(malformed());
    }
    Ok(names)
}

/// The value of a header that may appear at most once, as text.
fn single_header_text<'a>(parts: &'a Parts, name: &str) -> Result<Option<&'a str>, SigV4Error> {
    let mut values = parts.headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    let malformed = || match name {
        "x-amz-security-token" => SigV4Error::InvalidSecurityToken,
        _ => SigV4Error::ContentSha256Mismatch,
    };
    if values.next().is_some() {
        return Err(malformed());
    }
    first.to_str().map(Some).map_err(|_| malformed())
}

// ---------------------------------------------------------------------------------------------
// Dates

/// Where the request time comes from.
enum DateSource<'a> {
    AmzDate(&'a http::HeaderValue, bool),
    Date(&'a http::HeaderValue, bool),
}

impl DateSource<'_> {
    fn parse(&self) -> Result<UnixTime, SigV4Error> {
        match self {
            Self::AmzDate(value, single) => value
                .to_str()
                .ok()
                .filter(|_| *single)
                .and_then(parse_amz_date)
                .ok_or(SigV4Error::MalformedAmzDate),
            Self::Date(value, single) => value
                .to_str()
                .ok()
                .filter(|_| *single)
                .and_then(parse_http_date)
                .ok_or(SigV4Error::MalformedDate),
        }
    }
}

/// `X-Amz-Date` if present, else `Date` (as AWS and botocore do).
fn request_date_header(parts: &Parts) -> Option<DateSource<'_>> {
    let pick = |name: &str| {
        let mut values = parts.headers.get_all(name).iter();
        values.next().map(|v| (v, values.next().is_none()))
    };
    if let Some((value, single)) = pick("x-amz-date") {
        return Some(DateSource::AmzDate(value, single));
    }
    pick("date").map(|(value, single)| DateSource::Date(value, single))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Seconds since the epoch of a valid UTC date and time, or `None`.
fn to_unix(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<u64> {
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    u64::try_from(secs).ok()
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Parses `yyyyMMdd'T'HHmmss'Z'`.
fn parse_amz_date(text: &str) -> Option<UnixTime> {
    let bytes: &[u8; 16] = text.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, mo0, mo1, d0, d1, b'T', h0, h1, mi0, mi1, s0, s1, b'Z'] = *bytes else {
        return None;
    };
    let year = digits(&[y0, y1, y2, y3])?;
    to_unix(
        i64::from(year),
        digits(&[mo0, mo1])?,
        digits(&[d0, d1])?,
        digits(&[h0, h1])?,
        digits(&[mi0, mi1])?,
        digits(&[s0, s1])?,
    )
    .map(UnixTime::from_secs)
}

/// Parses an RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); the zone may also be
/// written `+0000`/`-0000`, as Python's `email.utils.formatdate` (used by botocore) does.
fn parse_http_date(text: &str) -> Option<UnixTime> {
    const WEEKDAYS: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let [weekday, day, month, year, time, zone] = fields.as_slice() else {
        return None;
    };
    if !WEEKDAYS.contains(weekday) || !matches!(*zone, "GMT" | "UTC" | "+0000" | "-0000") {
        return None;
    }
    let month = MONTHS.iter().position(|m| m == month)?;
    let month = u32::try_from(month).ok()? + 1;
    let (day, year) = (day.as_bytes(), year.as_bytes());
    if day.len() != 2 || year.len() != 4 {
        return None;
    }
    let time: &[u8; 8] = time.as_bytes().try_into().ok()?;
    let [h0, h1, b':', m0, m1, b':', s0, s1] = *time else {
        return None;
    };
    to_unix(
        i64::from(digits(year)?),
        month,
        digits(day)?,
        digits(&[h0, h1])?,
        digits(&[m0, m1])?,
        digits(&[s0, s1])?,
    )
    .map(UnixTime::from_secs)
}

/// `yyyyMMdd'T'HHmmss'Z'`.
fn format_amz_date(time: UnixTime) -> String {
    let secs = time.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------------
// Canonical request

fn build_canonical_request(
    parts: &Parts,
    names: &[&str],
    signed_headers: &str,
    payload_hash: &str,
) -> Result<Vec<u8>, SigV4Error> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(parts.method.as_str().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(parts.uri.path().as_bytes()).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(parts.uri.query().unwrap_or("")).as_bytes());
    out.push(b'\n');
    for name in names {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut values = parts.headers.get_all(*name).iter().peekable();
        if values.peek().is_none() {
            // HTTP/2 has no Host header: the authority of the target stands for it.
            let authority = (*name == "host")
                .then(|| parts.uri.authority())
                .flatten()
                .ok_or_else(|| SigV4Error::SignedHeaderMissing {
                    name: (*name).to_owned(),
                })?;
            out.extend_from_slice(authority.as_str().as_bytes());
        }
        let mut first = true;
        for value in values {
            if !first {
                out.push(b',');
            }
            first = false;
            push_trimmed(&mut out, value.as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    Ok(out)
}

/// Appends a header value with leading and trailing whitespace removed and every inner run of
/// whitespace replaced by one space (SigV4 "Trimall"; botocore `' '.join(value.split())`).
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut pending_space = false;
    let mut started = false;
    for &b in value {
        if b.is_ascii_whitespace() {
            pending_space = started;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
            started = true;
        }
    }
}

/// The canonical URI of a non-S3 request: the path as received, normalised (dot segments and
/// empty segments removed, leading and trailing slash kept), then percent-encoded again.
fn canonical_uri(path: &[u8]) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in path.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut normalised = Vec::with_capacity(path.len() + 1);
    if path.first() == Some(&b'/') {
        normalised.push(b'/');
    }
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            normalised.push(b'/');
        }
        normalised.extend_from_slice(segment);
    }
    if !segments.is_empty() && path.last() == Some(&b'/') {
        normalised.push(b'/');
    }
    uri_encode(&normalised, true)
}

/// The canonical query string: parameters percent-decoded, re-encoded with the SigV4
/// unreserved set, sorted by name then value. A `+` is taken literally (RFC 3986), as the
/// AWS signers encode a space as `%20`.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode(key.as_bytes()), false),
                uri_encode(&percent_decode(value.as_bytes()), false),
            )
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Whether the query carries SigV4 query-string authentication parameters.
fn query_has_presign_params(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&').any(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            let key = percent_decode(key.as_bytes());
            matches!(
                key.as_slice(),
                b"X-Amz-Signature" | b"X-Amz-Algorithm" | b"X-Amz-Credential"
            )
        })
    })
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            if let [h, l, after @ ..] = tail {
                if let (Some(h), Some(l)) = (hex_value(*h), hex_value(*l)) {
                    out.push(h << 4 | l);
                    rest = after;
                    continue;
                }
            }
        }
        out.push(b);
        rest = tail;
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes every byte but `A-Z a-z 0-9 - . _ ~` (and `/` when `keep_slash`), with
/// uppercase hex digits.
fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len() * 3);
    for &b in input {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0x0f] {
                if let Some(&h) = HEX.get(usize::from(nibble)) {
                    out.push(char::from(h));
                }
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Crypto

fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(crate::mac::hmac::<sha2::Sha256>(key, &[data]).into())
}

/// The SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`.
fn signing_key(
    secret: &Secret<String>,
    date: &str,
    region: &str,
    service: &str,
) -> Zeroizing<[u8; 32]> {
    let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.expose().len()));
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.expose().as_bytes());
    let k_date = hmac_sha256(&k_secret, date.as_bytes());
    let k_region = hmac_sha256(k_date.as_slice(), region.as_bytes());
    let k_service = hmac_sha256(k_region.as_slice(), service.as_bytes());
    hmac_sha256(k_service.as_slice(), TERMINATOR.as_bytes())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_matches_the_aws_documentation_example() {
        // AWS General Reference, "Examples of how to derive a signing key for Signature
        // Version 4": secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned());
        let key = signing_key(&secret, "20120215", "us-east-1", "iam");
        assert_eq!(
            hex(key.as_slice()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn amz_dates_round_trip() {
        for (text, secs) in [
            ("19700101T000000Z", 0),
            ("20150830T123600Z", 1_440_938_160),
            ("20000229T235959Z", 951_868_799),
            ("20260314T092653Z", 1_773_480_413),
            ("99991231T235959Z", 253_402_300_799),
        ] {
            assert_eq!(
                parse_amz_date(text),
                Some(UnixTime::from_secs(secs)),
                "{text}"
            );
            assert_eq!(format_amz_date(UnixTime::from_secs(secs)), text);
        }
    }

    #[test]
    fn bad_amz_dates_are_refused() {
        for text in [
            "",
            "20150830T123600",
            "20150830 123600Z",
            "2015-08-30T12:36:00Z",
            "20150230T123600Z",
            "20190229T000000Z",
            "20151301T000000Z",
            "20150800T000000Z",
            "20150830T243600Z",
            "20150830T126000Z",
            "20150830T123660Z",
            "19691231T235959Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
            "20150830T123600z",
        ] {
            assert_eq!(parse_amz_date(text), None, "{text}");
        }
    }

    #[test]
    fn http_dates() {
        let t = Some(UnixTime::from_secs(784_111_777));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 -0000"), t);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 +0000"), t);
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 +0100",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nox 1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn trimall_collapses_whitespace() {
        // aws-c-auth get-header-value-multiline: obs-fold continuation lines become spaces.
        // (http::HeaderValue cannot carry a newline, so this vector is checked here.)
        for (input, expected) in [
            ("value1\n  value2\n     value3", "value1 value2 value3"),
            ("\"a   b   c\"", "\"a b c\""),
            ("  value1  ", "value1"),
            ("\ta\t\tb ", "a b"),
            ("", ""),
            ("   ", ""),
        ] {
            let mut out = Vec::new();
            push_trimmed(&mut out, input.as_bytes());
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{input:?}");
        }
    }

    #[test]
    fn canonical_uri_of_raw_paths() {
        // aws-c-auth get-space-normalized gives the path with a raw space, which http::Uri
        // cannot hold; its canonical URI is checked here (get-utf8 with it, for the raw
        // UTF-8 bytes).
        assert_eq!(canonical_uri(b"/example space/"), "/example%20space/");
        assert_eq!(canonical_uri("/\u{1234}".as_bytes()), "/%E1%88%B4");
        for (path, expected) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/../..", "/"),
            ("//example//", "/example/"),
            ("/./example", "/example"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a%2Fb", "/a%252Fb"),
            ("/-._~AZaz09", "/-._~AZaz09"),
            ("/a+b=c", "/a%2Bb%3Dc"),
        ] {
            assert_eq!(canonical_uri(path.as_bytes()), expected, "{path}");
        }
    }

    #[test]
    fn canonical_query_sorts_and_reencodes() {
        for (query, expected) in [
            ("", ""),
            ("Param2=value2&Param1=value1", "Param1=value1&Param2=value2"),
            (
                "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                "%E1%88%B4=Value1&Param=Value2&Param-3=Value3",
            ),
            ("b=2&a=%2A&a=1", "a=%2A&a=1&b=2"),
            ("a=*&a=1", "a=%2A&a=1"),
            ("k", "k="),
            ("k=", "k="),
            ("a=x+y", "a=x%2By"),
            ("a=%zz", "a=%25zz"),
            ("a=%e1%88%b4", "a=%E1%88%B4"),
            ("&&a=1&", "a=1"),
            ("x=/?", "x=%2F%3F"),
        ] {
            assert_eq!(canonical_query(query), expected, "{query}");
        }
    }

    #[test]
    fn percent_decoding_keeps_stray_percent_signs() {
        assert_eq!(percent_decode(b"%41%4a%"), b"AJ%");
        assert_eq!(percent_decode(b"%4"), b"%4");
        assert_eq!(percent_decode(b"%g1"), b"%g1");
    }

    #[test]
    fn presign_parameters_are_detected() {
        assert!(query_has_presign_params(Some("X-Amz-Signature=abc")));
        assert!(query_has_presign_params(Some(
            "a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        )));
        assert!(query_has_presign_params(Some("X%2DAmz%2DCredential=x")));
        assert!(!query_has_presign_params(Some("x-amz-signature=abc")));
        assert!(!query_has_presign_params(Some("a=X-Amz-Signature")));
        assert!(!query_has_presign_params(None));
    }

    #[test]
    fn signed_headers_must_be_sorted_lowercase_and_unique() {
        assert_eq!(
            parse_signed_headers("host;x-amz-date").unwrap(),
            ["host", "x-amz-date"]
        );
        for bad in [
            "",
            "host;",
            ";host",
            "x-amz-date;host",
            "Host;x-amz-date",
            "host;host",
            "host;x amz",
        ] {
            assert!(
                matches!(
                    parse_signed_headers(bad),
                    Err(SigV4Error::MalformedSignedHeaders { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn clip_bounds_echoed_text() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(ECHO_LIMIT + 10);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), ECHO_LIMIT + 3);
        assert!(clipped.ends_with("..."));
    }

    #[test]
    fn region_names() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name(""));
        assert!(!is_region_name("US-EAST-1"));
        assert!(!is_region_name("us east"));
    }

    #[test]
    fn incomplete_message_lists_parts_in_aws_order() {
        let all = MissingParts {
            credential: true,
            signed_headers: true,
            signature: true,
            date: true,
        };
        assert_eq!(
            all.message("eyJ0"),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJ0"
        );
        let sig_only = MissingParts {
            signature: true,
            ..MissingParts::default()
        };
        assert_eq!(
            sig_only.message("AWS4-HMAC-SHA256 Credential=x"),
            "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=x"
        );
    }
}
