//! Per-pool runtime state: signing keys, the token issuer and the access-token verifier,
//! loaded from the store once and cached.

use std::sync::Arc;

use cognate_jwt::{
    JwtVerifier, PoolKeys, RotationPolicy, TokenIssuer, VerifiedClaims, VerifyError,
};
use cognate_types::{IssuerUrl, UnixTime, UserPoolId};

use super::{CognitoError, UserPools};
use crate::model::{User, UserPool};
use crate::store::EphemeralKind;

/// What the engine keeps in memory for one pool.
pub struct PoolRuntime {
    /// The pool's keys.
    pub keys: PoolKeys,
    /// The pool's token issuer.
    pub issuer: TokenIssuer,
    access_verifier: JwtVerifier,
}

impl std::fmt::Debug for PoolRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolRuntime")
            .field("issuer", self.issuer.issuer())
            .finish_non_exhaustive()
    }
}

/// A store-backed revocation list for cognate-jwt.
pub(crate) struct StoreRevocations<'a> {
    pub(crate) engine: &'a UserPools,
}

impl cognate_jwt::RevocationCheck for StoreRevocations<'_> {
    fn is_revoked(&self, origin_jti: Option<&str>, jti: Option<&str>) -> bool {
        let now = self.engine.now();
        [origin_jti, jti].into_iter().flatten().any(|id| {
            // A store failure counts as revoked: fail closed.
            self.engine
                .store()
                .get_ephemeral(EphemeralKind::Revoked, id, now)
                .map_or(true, |v| v.is_some())
        })
    }
}

impl UserPools {
    /// Generates and stores a new pool's keys.
    pub(crate) fn create_pool_keys(&self, pool: &UserPoolId) -> Result<(), CognitoError> {
        let keys = PoolKeys::generate(
            self.config().key_size,
            RotationPolicy::default(),
            self.now(),
            self.rng(),
        )
        .map_err(|e| {
            tracing::error!(error = %e, "key generation failed");
            CognitoError::internal()
        })?;
        self.store()
            .put_pool_keys(pool, keys.to_json().expose())
            .map_err(Into::into)
    }

    /// The pool's runtime (keys, issuer, verifier), loading the keys on first use.
    pub fn runtime(&self, pool: &UserPool) -> Result<Arc<PoolRuntime>, CognitoError> {
        if let Some(rt) = self
            .inner
            .runtimes
            .read()
            .ok()
            .and_then(|m| m.get(&pool.id).cloned())
        {
            return Ok(rt);
        }
        let json = match self.store().get_pool_keys(&pool.id)? {
            Some(j) => j,
            None => {
                self.create_pool_keys(&pool.id)?;
                self.store()
                    .get_pool_keys(&pool.id)?
                    .ok_or_else(CognitoError::internal)?
            }
        };
        let keys = PoolKeys::from_json(&json).map_err(|e| {
            tracing::error!(pool = %pool.id, error = %e, "stored keys unreadable");
            CognitoError::internal()
        })?;
        let issuer_url = self.issuer_for(pool)?;
        let issuer = TokenIssuer::new(
            pool.id.clone(),
            issuer_url.clone(),
            self.clock().clone(),
            self.inner.rng.clone(),
        );
        let access_verifier = build_verifier(&issuer_url, &keys, self)?;
        let rt = Arc::new(PoolRuntime {
            keys,
            issuer,
            access_verifier,
        });
        if let Ok(mut m) = self.inner.runtimes.write() {
            m.insert(pool.id.clone(), rt.clone());
        }
        Ok(rt)
    }

    /// The pool's JWKS document.
    pub fn jwks_json(&self, pool: &UserPool) -> Result<String, CognitoError> {
        Ok(self.runtime(pool)?.keys.jwks().to_json())
    }

    /// [`Self::authenticate_access_token`] for the user-pools API's self-service operations:
    /// the token must also carry `aws.cognito.signin.user.admin` (tokens from the OAuth
    /// endpoints have it only when that scope was granted).
    pub(crate) fn authenticate_api_token(
        &self,
        token: &str,
    ) -> Result<(UserPool, User, VerifiedClaims), CognitoError> {
        let t = self.authenticate_access_token(token)?;
        if !t.2.has_scope(super::ADMIN_SCOPE) {
            return Err(CognitoError::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
        Ok(t)
    }

    /// Authenticates an access token of one of this engine's pools: signature, expiry,
    /// `token_use`, client, revocation, and the user it names. Errors are Cognito's
    /// `NotAuthorizedException` messages.
    pub fn authenticate_access_token(
        &self,
        token: &str,
    ) -> Result<(UserPool, User, VerifiedClaims), CognitoError> {
        let invalid = || CognitoError::not_authorized("Invalid Access Token");
        let pool_id = unverified_pool(token).ok_or_else(invalid)?;
        let pool = self.store().get_pool(&pool_id)?.ok_or_else(invalid)?;
        let rt = self.runtime(&pool)?;
        let claims = rt.access_verifier.verify_sync(token).map_err(|e| match e {
            VerifyError::Expired { .. } => CognitoError::not_authorized("Access Token has expired"),
            _ => invalid(),
        })?;
        if claims.token_use_str() != Some("access") {
            return Err(invalid());
        }
        let client_ok = claims
            .client_id()
            .and_then(|c| cognate_types::ClientId::new(c).ok())
            .map(|c| self.store().get_client(&c))
            .transpose()?
            .flatten()
            .is_some_and(|c| c.pool == pool.id);
        if !client_ok {
            return Err(invalid());
        }
        let revoked = StoreRevocations { engine: self };
        if cognate_jwt::RevocationCheck::is_revoked(&revoked, claims.origin_jti(), claims.jti()) {
            return Err(CognitoError::not_authorized(
                "Access Token has been revoked",
            ));
        }
        let username = claims.username().ok_or_else(invalid)?;
        let user = self
            .store()
            .get_user(&pool, username)?
            .ok_or_else(|| CognitoError::not_authorized("User does not exist."))?;
        if user.sub.as_str() != claims.sub().unwrap_or_default() {
            return Err(CognitoError::not_authorized("User does not exist."));
        }
        let iat = claims.iat().unwrap_or(UnixTime::EPOCH);
        if user.tokens_valid_after.is_some_and(|t| iat < t) {
            return Err(CognitoError::not_authorized(
                "Access Token has been revoked",
            ));
        }
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        Ok((pool, user, claims))
    }
}

fn build_verifier(
    issuer: &IssuerUrl,
    keys: &PoolKeys,
    engine: &UserPools,
) -> Result<JwtVerifier, CognitoError> {
    // The engine checks the client itself (the token's client must belong to the pool), so
    // the audience check of the generic verifier is off.
    let v = JwtVerifier::builder()
        .issuer(issuer.clone())
        .insecure_skip_audience_check()
        .clock(engine.clock().clone())
        .build()
        .map_err(|e| {
            tracing::error!(error = %e, "verifier configuration");
            CognitoError::internal()
        })?;
    v.cache_jwks(issuer, keys.verifying_keys()).map_err(|e| {
        tracing::error!(error = %e, "verifier keys");
        CognitoError::internal()
    })?;
    Ok(v)
}

/// The pool a token claims to come from (before verification: only used to pick the keys).
fn unverified_pool(token: &str) -> Option<UserPoolId> {
    use base64::Engine as _;
    if token.len() > 16 * 1024 {
        return None;
    }
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(serde::Deserialize)]
    struct Iss {
        iss: String,
    }
    let iss: Iss = serde_json::from_slice(&bytes).ok()?;
    UserPoolId::new(iss.iss.rsplit('/').next()?).ok()
}
