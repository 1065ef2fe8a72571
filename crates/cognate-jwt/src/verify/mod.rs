//! Verifying Cognito (and other OIDC issuers') JWTs in a backend: the Rust counterpart of
//! aws-jwt-verify.
//!
//! - [`CognitoVerifier`]: one or more user pools (issuer `https://cognito-idp.{region}.amazonaws.com/{pool}`
//!   or a custom one for local servers), accepted client IDs per pool, the expected
//!   `token_use`, optional groups and scopes.
//! - [`JwtVerifier`]: any OIDC issuer, with audiences.
//!
//! Both check, in order: the size and structure of the compact JWS ([`crate::jws`]); `alg` is
//! RS256 (keys are pinned to RS256, the token never chooses); `kid` is present; the payload's
//! typed claims ([`VerifiedClaims`], parsed once from the signed bytes, duplicates and wrong
//! types refused); `iss` is a configured issuer, which selects that issuer's keys; the key
//! named by `kid`; the signature; `exp` (required), `nbf` and `iat` against the clock with the
//! configured skew; audience or client; `token_use`; groups; scopes; the custom check; and
//! the revocation hook.
//!
//! Keys live in a [`JwksCache`] keyed by issuer. [`CognitoVerifier::verify_sync`] uses only
//! cached keys (pre-load them with `cache_jwks`); [`CognitoVerifier::verify`] also fetches the
//! issuer's JWKS through the cache's [`JwksFetcher`] on an unknown `kid`, rate-limited and
//! single-flight.
//!
//! ```no_run
//! use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
//! use cognate_jwt::JwkSet;
//! use cognate_types::TokenUse;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = CognitoVerifier::builder(TokenUse::Access)
//!     .user_pool(CognitoPool::new("us-east-1_Example1".parse()?, "5hu48rd3mbfvr3t6d6r2rchapm".parse()?))
//!     .build()?;
//! let jwks = std::fs::read("jwks.json")?;
//! verifier.cache_jwks_for_pool(&"us-east-1_Example1".parse()?, JwkSet::parse(&jwks)?)?;
//! let claims = verifier.verify_sync("eyJ...")?;
//! println!("{}", claims.to_json());
//! # Ok(()) }
//! ```

mod cache;
mod claims;
mod error;
mod jwks_cache;
mod scan;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cognate_types::{
    ClientId, Clock, GroupName, IssuerUrl, Scope, SystemClock, TokenUse, UnixTime, UserPoolId,
};

pub use claims::{Audience, VerifiedClaims, MAX_NUMERIC_DATE};
pub use error::{ConfigError, FetchError, VerifyError};
pub use jwks_cache::{fetcher_fn, BoxFuture, FnFetcher, JwksCache, JwksFetcher};

use crate::jwk::{JwkSet, VerifyingKey};
use crate::jws::{self, CompactBuf};
use crate::revocation::RevocationCheck;
use cache::VerifiedCache;
use claims::ClaimsData;
use error::echo;
use jwks_cache::IssuerKeys;

/// A caller-supplied claim check, run after every built-in check (also on cache hits).
pub type CustomCheck = Arc<dyn Fn(&VerifiedClaims) -> Result<(), String> + Send + Sync>;

/// One accepted issuer and what goes with it.
struct IssuerSlot {
    issuer: IssuerUrl,
    jwks_uri: String,
    keys: Arc<IssuerKeys>,
    /// Accepted audiences (JWT) or client IDs (Cognito); `None`: not checked.
    audiences: Option<Vec<String>>,
}

enum Profile {
    Jwt { allow_extra_audiences: bool },
    Cognito { token_use: TokenUse },
}

/// Options shared by both builders.
struct Common {
    clock: Arc<dyn Clock>,
    skew: Duration,
    max_token_bytes: usize,
    jwks: Option<Arc<JwksCache>>,
    revocation: Option<Arc<dyn RevocationCheck>>,
    cache_entries: usize,
    custom: Option<CustomCheck>,
    scopes: Option<Vec<String>>,
}

impl Default for Common {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            skew: Duration::ZERO,
            max_token_bytes: jws::DEFAULT_MAX_TOKEN_BYTES,
            jwks: None,
            revocation: None,
            cache_entries: 0,
            custom: None,
            scopes: None,
        }
    }
}

/// The verification pipeline both verifiers share.
struct Engine {
    slots: Vec<IssuerSlot>,
    profile: Profile,
    groups: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    skew: u64,
    max_token_bytes: usize,
    clock: Arc<dyn Clock>,
    jwks: Arc<JwksCache>,
    revocation: Option<Arc<dyn RevocationCheck>>,
    cache: Option<VerifiedCache>,
    custom: Option<CustomCheck>,
}

/// A token that passed the checks that need no key.
struct Parsed<'t, 'b> {
    jws: CompactBuf<'t, 'b>,
    claims: Arc<ClaimsData>,
    slot: usize,
}

impl Engine {
    fn build(
        issuers: Vec<(IssuerUrl, String, Option<Vec<String>>)>,
        profile: Profile,
        groups: Option<Vec<String>>,
        common: Common,
    ) -> Result<Self, ConfigError> {
        if issuers.is_empty() {
            return Err(ConfigError::NoIssuer);
        }
        let jwks = common.jwks.unwrap_or_else(|| {
            Arc::new(
                JwksCache::new().max_issuers(issuers.len().max(JwksCache::DEFAULT_MAX_ISSUERS)),
            )
        });
        let mut slots: Vec<IssuerSlot> = Vec::with_capacity(issuers.len());
        for (issuer, jwks_uri, audiences) in issuers {
            if slots.iter().any(|s| s.issuer == issuer) {
                return Err(ConfigError::DuplicateIssuer);
            }
            let keys = jwks.entry(&issuer)?;
            slots.push(IssuerSlot {
                issuer,
                jwks_uri,
                keys,
                audiences,
            });
        }
        Ok(Self {
            slots,
            profile,
            groups,
            scopes: common.scopes,
            skew: common.skew.as_secs(),
            max_token_bytes: common.max_token_bytes,
            clock: common.clock,
            jwks,
            revocation: common.revocation,
            cache: (common.cache_entries > 0).then(|| VerifiedCache::new(common.cache_entries)),
            custom: common.custom,
        })
    }

    fn cache_jwks(&self, issuer: &IssuerUrl, keys: JwkSet) -> Result<(), ConfigError> {
        if !self.slots.iter().any(|s| s.issuer == *issuer) {
            return Err(ConfigError::UnknownIssuer);
        }
        self.jwks.cache_jwks(issuer, keys)
    }

    fn verify_sync(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        if let Some(hit) = self.cached(token) {
            return hit;
        }
        let mut header_buf = [0u8; jws::HEADER_BUF];
        let mut sig_buf = [0u8; jws::SIG_BUF];
        let parsed = self.parse(token, &mut header_buf, &mut sig_buf)?;
        let slot = self.slot(parsed.slot)?;
        let kid = parsed.jws.header.kid.as_deref().unwrap_or_default();
        let keys = slot.keys.set();
        let key = keys.get(kid).ok_or(VerifyError::UnknownKid)?;
        self.finish(token, parsed, key)
    }

    async fn verify(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        if let Some(hit) = self.cached(token) {
            return hit;
        }
        let mut header_buf = [0u8; jws::HEADER_BUF];
        let mut sig_buf = [0u8; jws::SIG_BUF];
        let parsed = self.parse(token, &mut header_buf, &mut sig_buf)?;
        let slot = self.slot(parsed.slot)?;
        let kid = parsed.jws.header.kid.as_deref().unwrap_or_default();
        let key = match slot.keys.get(kid) {
            Some(k) => k,
            None => {
                self.jwks
                    .key_or_fetch(&slot.keys, &slot.jwks_uri, kid, self.clock.now())
                    .await?
            }
        };
        self.finish(token, parsed, &key)
    }

    fn slot(&self, i: usize) -> Result<&IssuerSlot, VerifyError> {
        self.slots.get(i).ok_or(VerifyError::IssuerMismatch)
    }

    fn cached(&self, token: &str) -> Option<Result<VerifiedClaims, VerifyError>> {
        let cache = self.cache.as_ref()?;
        let claims = cache.get(token)?;
        let result = self.recheck(&claims, self.clock.now()).map(|()| claims);
        if matches!(result, Err(VerifyError::Expired { .. })) {
            cache.remove(token);
        }
        Some(result)
    }

    /// Structure, algorithm, `kid`, typed claims and issuer: everything before the key.
    fn parse<'t, 'b>(
        &self,
        token: &'t str,
        header_buf: &'b mut [u8; jws::HEADER_BUF],
        sig_buf: &'b mut [u8; jws::SIG_BUF],
    ) -> Result<Parsed<'t, 'b>, VerifyError> {
        let jws = jws::parse_compact_buf(token, self.max_token_bytes, header_buf, sig_buf)?;
        if jws.header.alg != "RS256" {
            return Err(VerifyError::AlgorithmNotAllowed(echo(&jws.header.alg)));
        }
        if jws.header.cty.is_some() {
            return Err(VerifyError::HeaderNotAllowed("cty"));
        }
        if jws.header.kid.is_none() {
            return Err(VerifyError::MissingKid);
        }
        let mut jws = jws;
        let claims = claims::parse(std::mem::take(&mut jws.payload))?;
        let iss = claims
            .text(&claims.iss)
            .ok_or(VerifyError::MissingClaim("iss"))?;
        let slot = self
            .slots
            .iter()
            .position(|s| s.issuer.as_str() == iss)
            .ok_or(VerifyError::IssuerMismatch)?;
        Ok(Parsed { jws, claims, slot })
    }

    /// Signature and every claim check.
    fn finish(
        &self,
        token: &str,
        parsed: Parsed<'_, '_>,
        key: &VerifyingKey,
    ) -> Result<VerifiedClaims, VerifyError> {
        let Parsed { jws, claims, slot } = parsed;
        if !key.verify_rs256(jws.signing_input.as_bytes(), jws.signature.as_slice()) {
            return Err(VerifyError::BadSignature);
        }
        let exp = claims.exp.ok_or(VerifyError::MissingClaim("exp"))?;
        let slot = self.slot(slot)?;
        match self.profile {
            Profile::Jwt {
                allow_extra_audiences,
            } => {
                if let Some(accepted) = &slot.audiences {
                    let aud = claims
                        .aud
                        .as_ref()
                        .ok_or(VerifyError::MissingClaim("aud"))?;
                    check_audience(aud, accepted, allow_extra_audiences)?;
                }
            }
            Profile::Cognito { token_use } => {
                let found = claims
                    .text(&claims.token_use)
                    .ok_or(VerifyError::MissingClaim("token_use"))?;
                if found != token_use.as_str() {
                    return Err(VerifyError::TokenUseMismatch {
                        expected: token_use,
                    });
                }
                match token_use {
                    TokenUse::Id => {
                        let aud = claims
                            .aud
                            .as_ref()
                            .ok_or(VerifyError::MissingClaim("aud"))?;
                        if let Some(accepted) = &slot.audiences {
                            check_audience(aud, accepted, false)?;
                        }
                    }
                    TokenUse::Access => {
                        let client = claims
                            .text(&claims.client_id)
                            .ok_or(VerifyError::MissingClaim("client_id"))?;
                        if let Some(accepted) = &slot.audiences {
                            if !accepted.iter().any(|a| a == client) {
                                return Err(VerifyError::ClientIdMismatch);
                            }
                        }
                        // Cognito access tokens carry no `aud`; one added by a pre-token
                        // trigger must name the token's own client.
                        if let Some(aud) = &claims.aud {
                            if aud.iter().next().is_none() || aud.iter().any(|a| a != client) {
                                return Err(VerifyError::AudienceMismatch);
                            }
                        }
                    }
                }
            }
        }
        if let Some(groups) = &self.groups {
            let has = claims.groups().any(|g| groups.iter().any(|w| w == g));
            if !has {
                return Err(VerifyError::GroupNotAllowed);
            }
        }
        if let Some(scopes) = &self.scopes {
            let has = claims
                .text(&claims.scope)
                .unwrap_or_default()
                .split(' ')
                .any(|s| !s.is_empty() && scopes.iter().any(|w| w == s));
            if !has {
                return Err(VerifyError::ScopeNotAllowed);
            }
        }
        let verified = VerifiedClaims::new(claims, UnixTime::from_secs(exp));
        self.recheck(&verified, self.clock.now())?;
        if let Some(cache) = &self.cache {
            cache.insert(token, &verified);
        }
        Ok(verified)
    }

    /// The checks that depend on time or outside state: run on every verification, cached or
    /// not.
    fn recheck(&self, c: &VerifiedClaims, now: UnixTime) -> Result<(), VerifyError> {
        let n = now.as_secs();
        let exp = c.exp();
        if n >= exp.as_secs().saturating_add(self.skew) {
            return Err(VerifyError::Expired { exp, now });
        }
        if let Some(nbf) = c.nbf() {
            if nbf.as_secs() > n.saturating_add(self.skew) {
                return Err(VerifyError::NotYetValid { nbf, now });
            }
        }
        if let Some(iat) = c.iat() {
            if iat.as_secs() > n.saturating_add(self.skew) {
                return Err(VerifyError::IssuedInFuture { iat, now });
            }
        }
        if let Some(check) = &self.custom {
            check(c).map_err(VerifyError::Rejected)?;
        }
        if let Some(r) = &self.revocation {
            if r.is_revoked(c.origin_jti(), c.jti()) {
                return Err(VerifyError::Revoked);
            }
        }
        Ok(())
    }
}

/// `aud` must name an accepted audience; unless `allow_extra`, every value must be accepted.
fn check_audience(
    aud: &Audience,
    accepted: &[String],
    allow_extra: bool,
) -> Result<(), VerifyError> {
    let ok = |a: &str| accepted.iter().any(|x| x == a);
    let any = aud.iter().any(ok);
    let all = aud.iter().all(ok);
    if any && (allow_extra || all) {
        Ok(())
    } else {
        Err(VerifyError::AudienceMismatch)
    }
}

/// The builder methods both verifiers share.
macro_rules! common_builder_methods {
    () => {
        /// Sets the clock (default: the system clock). Tests pin it with a `ManualClock`.
        pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
            self.common.clock = clock;
            self
        }

        /// Allowed clock skew for `exp`, `nbf` and `iat`, in whole seconds (default 0, as
        /// aws-jwt-verify's `graceSeconds`).
        pub fn clock_skew(mut self, skew: Duration) -> Self {
            self.common.skew = skew;
            self
        }

        /// Longest token accepted, checked before any decoding (default
        /// [`jws::DEFAULT_MAX_TOKEN_BYTES`]).
        pub fn max_token_bytes(mut self, max: usize) -> Self {
            self.common.max_token_bytes = max;
            self
        }

        /// Uses a shared JWKS cache (and its fetcher) instead of a private one without a
        /// fetcher.
        pub fn jwks_cache(mut self, cache: Arc<JwksCache>) -> Self {
            self.common.jwks = Some(cache);
            self
        }

        /// Refuses tokens the hook reports revoked, by `origin_jti` or `jti`.
        pub fn revocation(mut self, check: Arc<dyn RevocationCheck>) -> Self {
            self.common.revocation = Some(check);
            self
        }

        /// Keeps up to `max_entries` verified tokens, so a repeated token skips parsing and
        /// the signature. Hits still enforce `exp`, `nbf`, `iat`, the custom check and the
        /// revocation hook. 0 (the default) disables the cache.
        pub fn verified_token_cache(mut self, max_entries: usize) -> Self {
            self.common.cache_entries = max_entries;
            self
        }

        /// Requires at least one of `scopes` in the token's `scope` claim.
        pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
            self.common.scopes = Some(scopes.into_iter().map(|s| s.as_str().to_owned()).collect());
            self
        }

        /// Adds a check of your own, run after the built-in ones on every verification
        /// (cache hits included); `Err(reason)` rejects the token with
        /// [`VerifyError::Rejected`].
        pub fn custom_check(
            mut self,
            check: impl Fn(&VerifiedClaims) -> Result<(), String> + Send + Sync + 'static,
        ) -> Self {
            self.common.custom = Some(Arc::new(check));
            self
        }
    };
}

/// One user pool accepted by a [`CognitoVerifier`], with its accepted app clients.
#[derive(Debug, Clone)]
pub struct CognitoPool {
    pool: UserPoolId,
    issuer: IssuerUrl,
    client_ids: Vec<ClientId>,
}

impl CognitoPool {
    /// The pool, with Cognito's issuer URL, accepting tokens of `client_id`.
    pub fn new(pool: UserPoolId, client_id: ClientId) -> Self {
        Self {
            issuer: IssuerUrl::cognito(&pool),
            pool,
            client_ids: vec![client_id],
        }
    }

    /// Also accepts tokens of `client_id`.
    pub fn client_id(mut self, client_id: ClientId) -> Self {
        self.client_ids.push(client_id);
        self
    }

    /// Uses another issuer URL for the pool (a local server's
    /// `http://127.0.0.1:9229/us-east-1_X`). Its JWKS is fetched from
    /// [`IssuerUrl::jwks_uri`].
    pub fn issuer(mut self, issuer: IssuerUrl) -> Self {
        self.issuer = issuer;
        self
    }

    /// The pool ID.
    pub fn pool_id(&self) -> &UserPoolId {
        &self.pool
    }

    /// The issuer tokens of this pool must carry.
    pub fn issuer_url(&self) -> &IssuerUrl {
        &self.issuer
    }
}

/// Verifies Cognito ID or access tokens of one or more user pools. Share it across threads
/// (`Arc<CognitoVerifier>`); every method takes `&self`.
pub struct CognitoVerifier {
    engine: Engine,
    pools: Vec<CognitoPool>,
    token_use: TokenUse,
}

impl fmt::Debug for CognitoVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoVerifier")
            .field("pools", &self.pools)
            .field("token_use", &self.token_use)
            .finish_non_exhaustive()
    }
}

/// Builds a [`CognitoVerifier`].
pub struct CognitoVerifierBuilder {
    token_use: TokenUse,
    pools: Vec<CognitoPool>,
    groups: Option<Vec<String>>,
    common: Common,
}

impl fmt::Debug for CognitoVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoVerifierBuilder")
            .field("token_use", &self.token_use)
            .field("pools", &self.pools)
            .finish_non_exhaustive()
    }
}

impl CognitoVerifier {
    /// A builder for a verifier accepting tokens with this `token_use`.
    pub fn builder(token_use: TokenUse) -> CognitoVerifierBuilder {
        CognitoVerifierBuilder {
            token_use,
            pools: Vec::new(),
            groups: None,
            common: Common::default(),
        }
    }

    /// A verifier for one pool and client with every other option at its default.
    pub fn new(
        pool: UserPoolId,
        token_use: TokenUse,
        client_id: ClientId,
    ) -> Result<Self, ConfigError> {
        Self::builder(token_use)
            .user_pool(CognitoPool::new(pool, client_id))
            .build()
    }

    /// Verifies with cached keys only (never fetches): an unknown `kid` is
    /// [`VerifyError::UnknownKid`].
    pub fn verify_sync(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        self.engine.verify_sync(token)
    }

    /// Verifies, fetching the issuer's JWKS through the cache's fetcher when `kid` is unknown
    /// (at most once per refetch interval per issuer; concurrent callers share one fetch).
    pub async fn verify(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        self.engine.verify(token).await
    }

    /// Caches `keys` as the JWKS of `issuer`, one of this verifier's issuers.
    pub fn cache_jwks(&self, issuer: &IssuerUrl, keys: JwkSet) -> Result<(), ConfigError> {
        self.engine.cache_jwks(issuer, keys)
    }

    /// Caches `keys` as the JWKS of the user pool `pool`.
    pub fn cache_jwks_for_pool(&self, pool: &UserPoolId, keys: JwkSet) -> Result<(), ConfigError> {
        let p = self
            .pools
            .iter()
            .find(|p| p.pool == *pool)
            .ok_or(ConfigError::UnknownIssuer)?;
        self.engine.cache_jwks(&p.issuer, keys)
    }

    /// The accepted pools.
    pub fn pools(&self) -> &[CognitoPool] {
        &self.pools
    }

    /// The accepted `token_use`.
    pub fn token_use(&self) -> TokenUse {
        self.token_use
    }

    /// The JWKS cache in use.
    pub fn jwks_cache(&self) -> &Arc<JwksCache> {
        &self.engine.jwks
    }

    /// Number of tokens in the verified-token cache.
    pub fn cached_tokens(&self) -> usize {
        self.engine.cache.as_ref().map_or(0, VerifiedCache::len)
    }
}

impl CognitoVerifierBuilder {
    /// Accepts tokens of this pool (call again for more pools).
    pub fn user_pool(mut self, pool: CognitoPool) -> Self {
        self.pools.push(pool);
        self
    }

    /// Requires the token's `cognito:groups` to contain at least one of `groups`.
    pub fn groups(mut self, groups: impl IntoIterator<Item = GroupName>) -> Self {
        self.groups = Some(groups.into_iter().map(|g| g.as_str().to_owned()).collect());
        self
    }

    common_builder_methods!();

    /// Builds the verifier.
    pub fn build(self) -> Result<CognitoVerifier, ConfigError> {
        let issuers = self
            .pools
            .iter()
            .map(|p| {
                (
                    p.issuer.clone(),
                    p.issuer.jwks_uri(),
                    Some(p.client_ids.iter().map(|c| c.as_str().to_owned()).collect()),
                )
            })
            .collect();
        let engine = Engine::build(
            issuers,
            Profile::Cognito {
                token_use: self.token_use,
            },
            self.groups,
            self.common,
        )?;
        Ok(CognitoVerifier {
            engine,
            pools: self.pools,
            token_use: self.token_use,
        })
    }
}

/// Verifies RS256 JWTs of any OIDC issuer by issuer and audience. Share it across threads.
pub struct JwtVerifier {
    engine: Engine,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuers: Vec<&IssuerUrl> = self.issuers().collect();
        f.debug_struct("JwtVerifier")
            .field("issuers", &issuers)
            .finish_non_exhaustive()
    }
}

/// Builds a [`JwtVerifier`].
pub struct JwtVerifierBuilder {
    issuers: Vec<(IssuerUrl, String)>,
    audiences: Vec<String>,
    skip_audience: bool,
    allow_extra_audiences: bool,
    common: Common,
}

impl fmt::Debug for JwtVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifierBuilder")
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// A builder; add at least one issuer and one audience.
    pub fn builder() -> JwtVerifierBuilder {
        JwtVerifierBuilder {
            issuers: Vec::new(),
            audiences: Vec::new(),
            skip_audience: false,
            allow_extra_audiences: false,
            common: Common::default(),
        }
    }

    /// Verifies with cached keys only (never fetches).
    pub fn verify_sync(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        self.engine.verify_sync(token)
    }

    /// Verifies, fetching the issuer's JWKS on an unknown `kid` (rate-limited, single-flight).
    pub async fn verify(&self, token: &str) -> Result<VerifiedClaims, VerifyError> {
        self.engine.verify(token).await
    }

    /// Caches `keys` as the JWKS of `issuer`, one of this verifier's issuers.
    pub fn cache_jwks(&self, issuer: &IssuerUrl, keys: JwkSet) -> Result<(), ConfigError> {
        self.engine.cache_jwks(issuer, keys)
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &IssuerUrl> {
        self.engine.slots.iter().map(|s| &s.issuer)
    }

    /// The JWKS cache in use.
    pub fn jwks_cache(&self) -> &Arc<JwksCache> {
        &self.engine.jwks
    }
}

impl JwtVerifierBuilder {
    /// Accepts tokens whose `iss` is exactly `issuer`; keys come from
    /// `{issuer}/.well-known/jwks.json`.
    pub fn issuer(self, issuer: IssuerUrl) -> Self {
        let uri = issuer.jwks_uri();
        self.issuer_with_jwks_uri(issuer, uri)
    }

    /// Accepts tokens whose `iss` is exactly `issuer`; keys come from `jwks_uri`.
    pub fn issuer_with_jwks_uri(mut self, issuer: IssuerUrl, jwks_uri: impl Into<String>) -> Self {
        self.issuers.push((issuer, jwks_uri.into()));
        self
    }

    /// Accepts tokens whose `aud` names `audience` (call again for more).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts an `aud` array that also names audiences that are not accepted, as long as
    /// one is (aws-jwt-verify's behaviour). By default every value must be accepted.
    pub fn allow_extra_audiences(mut self) -> Self {
        self.allow_extra_audiences = true;
        self
    }

    /// Does not check `aud` at all. Any token of the issuer, for any client, passes.
    pub fn insecure_skip_audience_check(mut self) -> Self {
        self.skip_audience = true;
        self
    }

    common_builder_methods!();

    /// Builds the verifier.
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        let audiences = if self.skip_audience {
            None
        } else if self.audiences.is_empty() {
            return Err(ConfigError::NoAudience);
        } else {
            Some(self.audiences)
        };
        let issuers = self
            .issuers
            .into_iter()
            .map(|(i, u)| (i, u, audiences.clone()))
            .collect();
        let engine = Engine::build(
            issuers,
            Profile::Jwt {
                allow_extra_audiences: self.allow_extra_audiences,
            },
            None,
            self.common,
        )?;
        Ok(JwtVerifier { engine })
    }
}
