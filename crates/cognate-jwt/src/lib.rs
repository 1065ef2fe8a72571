//! Cognito-shaped JSON Web Tokens.
//!
//! - [`jwk`]: public keys and JWKS documents in Cognito's shape, strict JWKS parsing.
//! - [`jws`]: compact JWS parsing (structure only) and RS256 signing.
//!
//! Crypto comes from aws-lc-rs (feature `aws-lc-rs`, the default) or ring (feature `ring`);
//! see `docs/adr/0001-crypto-backend.md` for the measurements behind the choice.

mod b64;
mod crypto;
pub mod jwk;
pub mod jws;
pub mod revocation;

pub use crypto::BACKEND_NAME;
pub use jwk::{Algorithm, JwkError, JwkSet, Jwks, PublicJwk, VerifyingKey};
pub use jws::{CompactJws, JoseHeader, JwsError};
pub use revocation::{InMemoryRevocations, RevocationCheck};

pub mod verify;
pub use verify::{CognitoVerifier, JwtVerifier, VerifiedClaims, VerifyError};
