//! The user-pools operations: the engine behind the Cognito API.
//!
//! [`UserPools`] holds the store, the clock, the random source and the message sender, and
//! applies each operation of the user-pools API to the model. Requests and responses are the
//! API's own JSON shapes (see [`crate::api`] for the wire); errors carry Cognito's exception
//! names ([`CognitoError`]).

pub mod account;
pub mod admin_users;
mod auth;
mod credentials;
mod error;
mod federated;
mod hosted;
pub mod manage;
pub mod manage_clients;
pub mod manage_directory;
pub mod manage_federation;
mod messages;
mod mfa;
mod password;
mod runtime;
mod session;
mod srp_flow;
mod user_attributes;
pub mod user_shapes;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use cognate_jwt::RsaKeySize;
use cognate_types::{
    ClientId, Clock, IssuerUrl, Region, SecureRandom, SystemClock, SystemRandom, UnixTime,
    UserPoolId,
};

pub use auth::{
    AdminInitiateAuthRequest, AdminRespondToAuthChallengeRequest, AdminUserGlobalSignOutRequest,
    AuthResponse, AuthenticationResult, Empty, GetTokensFromRefreshTokenRequest,
    GetTokensFromRefreshTokenResponse, GlobalSignOutRequest, InitiateAuthRequest,
    RespondToAuthChallengeRequest, RevokeTokenRequest, ADMIN_SCOPE,
};
pub use credentials::CodeDeliveryDetails;
pub use error::{CognitoError, ErrorKind};
pub use federated::{provider_group_name, FederatedSignIn, MAX_MAPPED_VALUE_CHARS};
pub use hosted::{HostedStep, OAuthGrant};
pub use messages::{
    mask_destination, DeliveryMedium, MessagePurpose, MessageSender, Outbox, OutgoingMessage,
    SendError,
};
pub use mfa::{
    AdminSetUserMfaPreferenceRequest, AssociateSoftwareTokenRequest,
    AssociateSoftwareTokenResponse, MfaSettings, SetUserMfaPreferenceRequest,
    VerifySoftwareTokenRequest, VerifySoftwareTokenResponse,
};
pub use password::{check_policy, generate_temporary_password, PasswordHasher, SYMBOLS};
pub use runtime::PoolRuntime;

use crate::model::{AppClient, User, UserPool};
use crate::store::Store;

/// Who is calling an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An unsigned request (public operations only).
    Anonymous,
    /// A request whose SigV4 signature was verified (or accepted in local dev mode).
    Admin {
        /// The access key ID that signed.
        access_key_id: String,
    },
}

impl Caller {
    /// Whether the caller may use administrative operations.
    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::Admin { .. })
    }
}

/// Settings of a [`UserPools`] engine.
#[derive(Debug, Clone)]
pub struct UserPoolsConfig {
    /// The region new pools are created in: their IDs are `{region}_{suffix}` (default
    /// `us-east-1`).
    pub region: Region,
    /// Base URL for issuers: a pool's issuer is `{base}/{poolId}` unless the pool sets its
    /// own. `None`: Cognito's form `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    pub issuer_base: Option<String>,
    /// RSA key size of new pools' signing keys.
    pub key_size: RsaKeySize,
    /// How passwords are hashed.
    pub hasher: PasswordHasher,
    /// How many failed sign-ins are free before the lockout starts (Cognito: 5).
    pub lockout_free_attempts: u32,
    /// Longest lockout (Cognito: about 15 minutes).
    pub lockout_max_seconds: u64,
    /// How far a SRP `TIMESTAMP` may be from the server's clock.
    pub srp_timestamp_skew_seconds: u64,
}

impl Default for UserPoolsConfig {
    fn default() -> Self {
        Self {
            region: default_region(),
            issuer_base: None,
            key_size: RsaKeySize::Rsa2048,
            hasher: PasswordHasher::default(),
            lockout_free_attempts: 5,
            lockout_max_seconds: 900,
            srp_timestamp_skew_seconds: 300,
        }
    }
}

/// `us-east-1`, the default region.
#[allow(clippy::expect_used)] // A constant that satisfies the region rule; covered by a test.
fn default_region() -> Region {
    Region::new("us-east-1").expect("us-east-1 is a valid region")
}

/// The user-pools engine. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct UserPools {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    sender: Arc<dyn MessageSender>,
    config: UserPoolsConfig,
    runtimes: RwLock<HashMap<UserPoolId, Arc<PoolRuntime>>>,
    providers: Option<Arc<dyn ProviderSupport>>,
}

/// What the engine asks its host about upstream identity providers when it cannot work it
/// out alone: SAML metadata and the pool's SAML keys live outside this crate (the server
/// implements this with cognate-saml). Without one, `ProviderDetails` are stored as given and
/// GetSigningCertificate has nothing to return.
pub trait ProviderSupport: Send + Sync {
    /// Checks a provider's `ProviderDetails` at CreateIdentityProvider and
    /// UpdateIdentityProvider, and adds what Cognito derives from them (for SAML:
    /// `SSORedirectBindingURI`, `SLORedirectBindingURI`, `ActiveEncryptionCertificate`). An
    /// error is the message of an `InvalidParameterException`.
    fn prepare_details(
        &self,
        pool: &UserPoolId,
        provider_type: crate::model::IdpType,
        details: &mut std::collections::BTreeMap<String, String>,
    ) -> Result<(), String>;

    /// The pool's SAML signing certificate (base64 DER), for GetSigningCertificate.
    fn signing_certificate(&self, pool: &UserPoolId) -> Result<String, String>;
}

impl std::fmt::Debug for UserPools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPools")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`UserPools`].
pub struct UserPoolsBuilder {
    store: Store,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    sender: Arc<dyn MessageSender>,
    config: UserPoolsConfig,
    providers: Option<Arc<dyn ProviderSupport>>,
}

impl UserPoolsBuilder {
    /// What the engine asks about SAML metadata and keys (default: none).
    pub fn provider_support(mut self, support: Arc<dyn ProviderSupport>) -> Self {
        self.providers = Some(support);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The random source (default: the system CSPRNG).
    pub fn rng(mut self, rng: Arc<dyn SecureRandom>) -> Self {
        self.rng = rng;
        self
    }

    /// Where codes and invitations go (default: an in-memory [`Outbox`]).
    pub fn sender(mut self, sender: Arc<dyn MessageSender>) -> Self {
        self.sender = sender;
        self
    }

    /// The settings.
    pub fn config(mut self, config: UserPoolsConfig) -> Self {
        self.config = config;
        self
    }

    /// Builds the engine.
    pub fn build(self) -> UserPools {
        UserPools {
            inner: Arc::new(Inner {
                store: self.store,
                clock: self.clock,
                rng: self.rng,
                sender: self.sender,
                config: self.config,
                runtimes: RwLock::new(HashMap::new()),
                providers: self.providers,
            }),
        }
    }
}

impl UserPools {
    /// Starts building an engine over `store`.
    pub fn builder(store: Store) -> UserPoolsBuilder {
        UserPoolsBuilder {
            store,
            clock: Arc::new(SystemClock),
            rng: Arc::new(SystemRandom),
            sender: Arc::new(Outbox::new()),
            config: UserPoolsConfig::default(),
            providers: None,
        }
    }

    /// The host's provider support, if any.
    pub(crate) fn provider_support(&self) -> Option<&Arc<dyn ProviderSupport>> {
        self.inner.providers.as_ref()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings.
    pub fn config(&self) -> &UserPoolsConfig {
        &self.inner.config
    }

    /// The current time.
    pub fn now(&self) -> UnixTime {
        self.inner.clock.now()
    }

    pub(crate) fn rng(&self) -> &dyn SecureRandom {
        &*self.inner.rng
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub(crate) fn sender(&self) -> &dyn MessageSender {
        &*self.inner.sender
    }

    /// The issuer of a pool's tokens.
    pub fn issuer_for(&self, pool: &UserPool) -> Result<IssuerUrl, CognitoError> {
        if let Some(i) = &pool.issuer {
            return Ok(i.clone());
        }
        match &self.inner.config.issuer_base {
            Some(base) => IssuerUrl::for_pool_under(base, &pool.id)
                .map_err(|e| CognitoError::invalid_parameter(e.to_string())),
            None => Ok(IssuerUrl::cognito(&pool.id)),
        }
    }

    /// A pool by ID, or `ResourceNotFoundException`.
    pub fn pool(&self, id: &str) -> Result<UserPool, CognitoError> {
        let missing = || CognitoError::not_found(format!("User pool {id} does not exist."));
        let pid = UserPoolId::new(id).map_err(|_| missing())?;
        self.store().get_pool(&pid)?.ok_or_else(missing)
    }

    /// An app client by ID with its pool, or `ResourceNotFoundException`.
    pub fn client(&self, id: &str) -> Result<(AppClient, UserPool), CognitoError> {
        let missing = || CognitoError::not_found(format!("User pool client {id} does not exist."));
        let cid = ClientId::new(id).map_err(|_| missing())?;
        let client = self.store().get_client(&cid)?.ok_or_else(missing)?;
        let pool = self.store().get_pool(&client.pool)?.ok_or_else(missing)?;
        Ok((client, pool))
    }

    /// An app client that must belong to `pool`.
    pub fn client_in_pool(&self, pool: &UserPool, id: &str) -> Result<AppClient, CognitoError> {
        let (client, p) = self.client(id)?;
        if p.id != pool.id {
            return Err(CognitoError::not_found(format!(
                "User pool client {id} does not exist."
            )));
        }
        Ok(client)
    }

    /// A user by username or, when the pool allows, by alias; `UserNotFoundException`.
    pub fn user_for_sign_in(&self, pool: &UserPool, login: &str) -> Result<User, CognitoError> {
        self.store()
            .find_user_for_sign_in(pool, login)?
            .ok_or_else(CognitoError::user_not_found)
    }

    /// A user by exact username (admin operations); `UserNotFoundException`.
    pub fn user_by_username(&self, pool: &UserPool, username: &str) -> Result<User, CognitoError> {
        self.store()
            .get_user(pool, username)?
            .ok_or_else(CognitoError::user_not_found)
    }

    /// Reads a user by exact username, applies `f` and writes the result back, retrying when
    /// another request changed the user in between. `f` may run more than once.
    pub fn modify_user<T>(
        &self,
        pool: &UserPool,
        username: &str,
        mut f: impl FnMut(&mut User) -> Result<T, CognitoError>,
    ) -> Result<(User, T), CognitoError> {
        for _ in 0..5 {
            let mut user = self.user_by_username(pool, username)?;
            let out = f(&mut user)?;
            user.modified = self.now();
            match self.store().update_user(pool, &mut user) {
                Ok(()) => return Ok((user, out)),
                Err(crate::store::StoreError::Conflict(crate::store::Conflict::Version)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(CognitoError::new(
            ErrorKind::ConcurrentModification,
            "The user is being changed by other requests; retry.",
        ))
    }

    /// Forgets cached keys of a pool (after deleting it or changing its issuer).
    pub fn forget_runtime(&self, pool: &UserPoolId) {
        if let Ok(mut m) = self.inner.runtimes.write() {
            m.remove(pool);
        }
    }
}
