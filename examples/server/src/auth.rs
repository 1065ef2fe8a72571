//! Who is calling the user-pools API: SigV4 verification against the configured access keys,
//! or, in dev mode on loopback, any SigV4-shaped `Authorization` header.

use std::collections::HashMap;
use std::net::SocketAddr;

use cognate_types::{Secret, UnixTime};
use cognate_userpool::service::Caller;
use cognate_userpool::sigv4::{SigV4Error, SigV4Verifier, ALGORITHM};
use http::header::AUTHORIZATION;
use http::request::Parts;

use crate::config::AccessKey;

/// How admin callers are recognised.
pub(crate) enum AdminAuth {
    /// Dev mode (loopback, no keys): any `AWS4-HMAC-SHA256` Authorization header is an admin;
    /// the signature is not checked.
    DevAnySignature,
    /// Signatures are verified against these keys.
    Keys {
        /// Access key ID to secret.
        keys: HashMap<String, Secret<String>>,
        /// The verifier (service `cognito-idp`).
        verifier: SigV4Verifier,
    },
}

/// A request refused before it reaches the engine: the JSON error of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// HTTP status.
    pub(crate) status: u16,
    /// The exception name (`__type`, `x-amzn-ErrorType`).
    pub(crate) error_type: &'static str,
    /// The message.
    pub(crate) message: String,
}

impl From<SigV4Error> for Refusal {
    fn from(e: SigV4Error) -> Self {
        Self {
            status: e.http_status().as_u16(),
            error_type: e.exception_name(),
            message: e.message(),
        }
    }
}

/// The server may not start with these settings.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AuthSetupError {
    /// No keys and a non-loopback address.
    #[error(
        "refusing to serve the user-pools admin API on {0} without access keys: add \
         [[access_keys]] to a --config file (see README, Configuration), or listen on a \
         loopback address such as 127.0.0.1"
    )]
    OpenAdminOnNetwork(SocketAddr),
    /// An access key without an ID or secret.
    #[error("access_keys[{0}]: id and secret must not be empty")]
    EmptyKey(usize),
    /// Two keys with one ID.
    #[error("access_keys[{0}]: duplicate id")]
    DuplicateKey(usize),
}

impl AdminAuth {
    /// Chooses the mode for a listen address and the configured keys.
    pub(crate) fn new(listen: SocketAddr, keys: &[AccessKey]) -> Result<Self, AuthSetupError> {
        if keys.is_empty() {
            return if listen.ip().is_loopback() {
                Ok(Self::DevAnySignature)
            } else {
                Err(AuthSetupError::OpenAdminOnNetwork(listen))
            };
        }
        let mut map = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            if k.id.is_empty() || k.secret.expose().is_empty() {
                return Err(AuthSetupError::EmptyKey(i));
            }
            if map.insert(k.id.clone(), k.secret.clone()).is_some() {
                return Err(AuthSetupError::DuplicateKey(i));
            }
        }
        Ok(Self::Keys {
            keys: map,
            verifier: SigV4Verifier::cognito_idp(),
        })
    }

    /// Whether this is dev mode.
    pub(crate) fn is_dev(&self) -> bool {
        matches!(self, Self::DevAnySignature)
    }

    /// The caller of a request: anonymous without an `Authorization` header, else an admin
    /// whose signature verified (or, in dev mode, was SigV4-shaped).
    pub(crate) fn caller(
        &self,
        parts: &Parts,
        body: &[u8],
        now: UnixTime,
    ) -> Result<Caller, Refusal> {
        let Some(authorization) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller::Anonymous);
        };
        match self {
            Self::DevAnySignature => {
                // A web page the developer visits may resolve its own name to 127.0.0.1 (DNS
                // rebinding) and then call this server as same-origin: only loopback names
                // are accepted as the Host of an admin call.
                if !host_is_loopback(parts) {
                    return Err(Refusal {
                        status: 400,
                        error_type: "UnrecognizedClientException",
                        message: "Dev mode accepts admin calls only with a loopback Host \
                                  (localhost, 127.0.0.1 or [::1])."
                            .to_owned(),
                    });
                }
                let text = authorization
                    .to_str()
                    .map_err(|_| Refusal::from(SigV4Error::AuthorizationNotText))?;
                let (scheme, params) = text.split_once(' ').unwrap_or((text, ""));
                if scheme != ALGORITHM {
                    return Err(SigV4Error::UnsupportedAlgorithm {
                        algorithm: scheme.chars().take(64).collect(),
                    }
                    .into());
                }
                Ok(Caller::Admin {
                    access_key_id: dev_access_key_id(params),
                })
            }
            Self::Keys { keys, verifier } => {
                let lookup = |id: &str| keys.get(id).cloned();
                verifier
                    .verify(parts, body, &lookup, now)
                    .map(|v| Caller::Admin {
                        access_key_id: v.access_key_id,
                    })
                    .map_err(Refusal::from)
            }
        }
    }
}

/// Whether the request's `Host` names the loopback interface.
fn host_is_loopback(parts: &Parts) -> bool {
    let Some(host) = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The access key ID of `Credential=ID/...` (for the logs), or `dev`.
fn dev_access_key_id(params: &str) -> String {
    params
        .split(',')
        .filter_map(|p| p.trim().strip_prefix("Credential="))
        .filter_map(|c| c.split('/').next())
        .find(|id| {
            !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .unwrap_or("dev")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(auth: Option<&str>) -> Parts {
        let mut b = http::Request::post("/").header("host", "127.0.0.1:9229");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn key(id: &str, secret: &str) -> AccessKey {
        AccessKey {
            id: id.into(),
            secret: Secret::new(secret.into()),
        }
    }

    #[test]
    fn modes() {
        let lo: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let lo6: SocketAddr = "[::1]:0".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:9229".parse().unwrap();
        assert!(AdminAuth::new(lo, &[]).unwrap().is_dev());
        assert!(AdminAuth::new(lo6, &[]).unwrap().is_dev());
        let e = AdminAuth::new(any, &[]).err().unwrap().to_string();
        assert!(e.contains("refusing") && e.contains("0.0.0.0:9229"), "{e}");
        assert!(!AdminAuth::new(any, &[key("A", "s")]).unwrap().is_dev());
        assert!(!AdminAuth::new(lo, &[key("A", "s")]).unwrap().is_dev());
        assert!(matches!(
            AdminAuth::new(any, &[key("A", "s"), key("A", "t")]),
            Err(AuthSetupError::DuplicateKey(1))
        ));
        assert!(matches!(
            AdminAuth::new(any, &[key("A", "")]),
            Err(AuthSetupError::EmptyKey(0))
        ));
    }

    #[test]
    fn dev_mode_callers() {
        let dev = AdminAuth::DevAnySignature;
        let now = UnixTime::from_secs(1_700_000_000);
        assert_eq!(
            dev.caller(&parts(None), b"", now).unwrap(),
            Caller::Anonymous
        );
        let signed = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00";
        assert_eq!(
            dev.caller(&parts(Some(signed)), b"", now).unwrap(),
            Caller::Admin {
                access_key_id: "AKIDTEST".into()
            }
        );
        assert_eq!(
            dev.caller(&parts(Some("AWS4-HMAC-SHA256 garbage")), b"", now)
                .unwrap(),
            Caller::Admin {
                access_key_id: "dev".into()
            }
        );
        let e = dev
            .caller(&parts(Some("Bearer abc")), b"", now)
            .unwrap_err();
        assert_eq!(e.error_type, "IncompleteSignatureException");
        for host in ["localhost:9229", "127.0.0.1", "[::1]:80", "127.1.2.3:1"] {
            let mut p = parts(Some(signed));
            p.headers.insert("host", host.parse().unwrap());
            assert!(dev.caller(&p, b"", now).is_ok(), "{host}");
        }
        for host in ["evil.example:9229", "127.0.0.1.nip.io", "[2001:db8::1]:80"] {
            let mut p = parts(Some(signed));
            p.headers.insert("host", host.parse().unwrap());
            let e = dev.caller(&p, b"", now).unwrap_err();
            assert_eq!(e.error_type, "UnrecognizedClientException", "{host}");
        }
    }

    #[test]
    fn keys_mode_verifies() {
        let auth = AdminAuth::new("127.0.0.1:0".parse().unwrap(), &[key("A", "s")]).unwrap();
        let now = UnixTime::from_secs(1_700_000_000);
        assert_eq!(
            auth.caller(&parts(None), b"", now).unwrap(),
            Caller::Anonymous
        );
        let signed = "AWS4-HMAC-SHA256 Credential=A/20231114/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
        let e = auth.caller(&parts(Some(signed)), b"", now).unwrap_err();
        assert_eq!(e.error_type, "IncompleteSignatureException", "{e:?}");
    }
}
