//! Cognito-shaped JSON Web Tokens.
//!
//! - [`jwk`]: public keys and JWKS documents in Cognito's shape, strict JWKS parsing.
//! - [`jws`]: compact JWS parsing (structure only) and RS256 signing.
//! - [`key`]: RSA signing keys (generate, PEM and private-JWK import/export).
//! - [`keyset`]: a pool's keys with rotation ([`PoolKeys`]), the JWKS, the `keys.json`
//!   document.
//! - [`claims`]: token lifetimes ([`TokenValidity`]) and the user as tokens describe them.
//! - [`issue`]: Cognito-shaped ID, access and client-credentials tokens ([`TokenIssuer`]).
//! - [`hook`]: the pre-token-generation claims hook.
//! - [`refresh`]: refresh tokens (`dir` + A256GCM compact JWE only the pool can read).
//!
//! Crypto comes from aws-lc-rs (feature `aws-lc-rs`, the default) or ring (feature `ring`);
//! see `docs/adr/0001-crypto-backend.md` for the measurements behind the choice.

mod b64;
pub mod claims;
mod crypto;
mod der;
pub mod hook;
pub mod issue;
pub mod jwk;
pub mod jws;
pub mod key;
pub mod keyset;
pub mod refresh;
pub mod revocation;
#[cfg(test)]
mod test_rng;

pub use claims::{
    DeviceKey, FederatedIdentity, ProviderType, RoleArn, TokenValidity, UserClaims, UserGroup,
    ValidityError, ValidityUnit,
};
pub use crypto::BACKEND_NAME;
pub use hook::{
    ClaimsOverride, HookError, HookVersion, PreTokenGenerationEvent, PreTokenGenerationHook,
    ProtectedClaimPolicy, TriggerSource,
};
pub use issue::{IssueError, IssuedTokens, RefreshRequest, TokenIssuer, UserTokenRequest};
pub use jwk::{Algorithm, JwkError, JwkSet, Jwks, PublicJwk, VerifyingKey};
pub use jws::{CompactJws, JoseHeader, JwsError};
pub use key::{KeyError, RsaKeySize, SigningKey};
pub use keyset::{KeySetError, KeyState, PoolKeys, RotationPolicy};
pub use refresh::{RefreshError, RefreshKey, RefreshTokenClaims};
pub use revocation::{InMemoryRevocations, RevocationCheck};

pub mod verify;
pub use verify::{CognitoVerifier, JwtVerifier, VerifiedClaims, VerifyError};
