//! Cognito-shaped token issuing: [`TokenIssuer`].
//!
//! ID and access tokens carry exactly the claims of reference 2.2-2.4, in the order observed
//! in real Cognito tokens, under the header `{"kid":"…","alg":"RS256"}`, with integer-second
//! times and no `nbf`:
//!
//! - ID token: `at_hash` (OAuth issuance), `sub`, `cognito:groups`, `email_verified`, `iss`,
//!   `cognito:username`, the readable attributes, `nonce`, `origin_jti`, `cognito:roles`,
//!   `cognito:preferred_role`, `aud`, `identities`, `event_id`, `token_use`, `auth_time`,
//!   `exp`, `iat`, `jti`;
//! - access token: `sub`, `device_key`, `cognito:groups`, `iss`, `version` (2), `client_id`,
//!   `origin_jti`, `event_id`, `token_use`, `scope`, `auth_time`, `exp`, `iat`, `jti`,
//!   `username`;
//! - client-credentials access token: `sub` (= client ID), `token_use`, `scope`,
//!   `auth_time`, `iss`, `exp`, `iat`, `version`, `jti`, `client_id`.
//!
//! Claims a [`PreTokenGenerationHook`] adds come after these; claims it overrides keep their
//! place. Time comes from the injected [`Clock`] and every identifier from the injected
//! [`SecureRandom`]. Payloads are written straight into one buffer (no intermediate JSON
//! values), so issuing costs little beyond the two RSA signatures.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use cognate_types::{
    ClientId, Clock, IssuerUrl, RandomError, Scopes, Secret, SecureRandom, Sub, TokenId, TokenUse,
    UnixTime, UserPoolId,
};
use thiserror::Error;

use crate::b64;
use crate::claims::{push_json_str, DeviceKey, JsonWriter, TokenValidity, UserClaims};
use crate::crypto;
use crate::hook::{
    self, ClaimsOverride, GroupConfiguration, HookError, HookVersion, PreTokenGenerationEvent,
    PreTokenGenerationHook, ProtectedClaimPolicy, TokenClaimsOverride, TriggerSource,
};
use crate::key::KeyError;
use crate::keyset::PoolKeys;
use crate::refresh::{RefreshError, RefreshTokenClaims};
use crate::revocation::RevocationCheck;

/// Issuing failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IssueError {
    /// Signing failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The claims hook failed or returned something not allowed.
    #[error(transparent)]
    Hook(#[from] HookError),
    /// The refresh token could not be used (or sealed).
    #[error(transparent)]
    Refresh(#[from] RefreshError),
    /// The refresh token was issued to another user than the one given.
    #[error("refresh token belongs to another user")]
    UserMismatch,
}

/// A request for a user's tokens (sign-in, or [`TokenIssuer::issue_id_token`] /
/// [`TokenIssuer::issue_access_token`] for one token). Build with [`UserTokenRequest::new`]
/// and set the public fields that differ from the defaults.
#[derive(Debug, Clone)]
pub struct UserTokenRequest<'a> {
    /// The app client (`aud` of the ID token, `client_id` of the access token).
    pub client_id: &'a ClientId,
    /// The user.
    pub user: &'a UserClaims,
    /// The access token's scopes: `aws.cognito.signin.user.admin` for user-pools API sign-ins,
    /// the granted scopes for OAuth.
    pub scopes: &'a Scopes,
    /// Token lifetimes (the client's settings). Default: Cognito's defaults.
    pub validity: TokenValidity,
    /// What is issuing (passed to the hook). Default: `Authentication`.
    pub trigger: TriggerSource,
    /// Issued by the OAuth endpoints: the ID token then carries `at_hash`. Default false.
    pub oauth: bool,
    /// The authorization request's `nonce`, echoed in the ID token.
    pub nonce: Option<&'a str>,
    /// The remembered device this session is bound to (`device_key` in the access token).
    pub device_key: Option<&'a DeviceKey>,
    /// The authentication time; default: now.
    pub auth_time: Option<UnixTime>,
    /// The token family; default: a new one.
    pub origin_jti: Option<&'a TokenId>,
    /// Issue an ID token (default true; false for OAuth grants without `openid`).
    pub with_id_token: bool,
    /// Issue a refresh token (default false).
    pub with_refresh_token: bool,
}

impl<'a> UserTokenRequest<'a> {
    /// A request with the defaults described on each field.
    pub fn new(client_id: &'a ClientId, user: &'a UserClaims, scopes: &'a Scopes) -> Self {
        Self {
            client_id,
            user,
            scopes,
            validity: TokenValidity::default(),
            trigger: TriggerSource::Authentication,
            oauth: false,
            nonce: None,
            device_key: None,
            auth_time: None,
            origin_jti: None,
            with_id_token: true,
            with_refresh_token: false,
        }
    }
}

/// A refresh-token grant.
#[derive(Clone, Copy)]
pub struct RefreshRequest<'a> {
    /// The client presenting the refresh token.
    pub client_id: &'a ClientId,
    /// The user as stored now (the refresh token's `sub` and username must match).
    pub user: &'a UserClaims,
    /// The access token's scopes.
    pub scopes: &'a Scopes,
    /// Token lifetimes.
    pub validity: TokenValidity,
    /// Revocations to honour (the family's `origin_jti` and the token's `jti`).
    pub revocations: &'a dyn RevocationCheck,
    /// Issue a new refresh token (rotation) valid for the remaining lifetime of the old one.
    pub rotate: bool,
    /// Issued by the OAuth token endpoint (`at_hash` in the ID token).
    pub oauth: bool,
}

/// What one issuance produced.
#[derive(Debug)]
pub struct IssuedTokens {
    /// The ID token, when requested.
    pub id_token: Option<String>,
    /// The access token.
    pub access_token: String,
    /// The refresh token, when requested.
    pub refresh_token: Option<Secret<String>>,
    /// Access token lifetime in seconds (`expires_in`).
    pub expires_in: u64,
    /// The `event_id` shared by the ID and access token (`None` for client credentials).
    pub event_id: Option<TokenId>,
    /// The token family (`None` for client credentials).
    pub origin_jti: Option<TokenId>,
    /// The access token's `jti`.
    pub access_jti: TokenId,
    /// `iat` of the tokens.
    pub issued_at: UnixTime,
    /// `auth_time` of the tokens.
    pub auth_time: UnixTime,
    /// Protected claims the hook tried to touch, which were ignored.
    pub ignored_hook_claims: Vec<String>,
}

/// Issues a pool's tokens. Holds the issuer URL, the pool ID, the clock, the random source
/// and an optional claims hook; keys are passed per call, so rotation needs no rebuild.
#[derive(Clone)]
pub struct TokenIssuer {
    pool: UserPoolId,
    issuer: IssuerUrl,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    hook: Option<Arc<dyn PreTokenGenerationHook>>,
    protected_claims: ProtectedClaimPolicy,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("pool", &self.pool)
            .field("issuer", &self.issuer)
            .field("hook", &self.hook.is_some())
            .finish_non_exhaustive()
    }
}

fn uuid_from(b: &[u8]) -> TokenId {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, &byte) in b.iter().take(16).enumerate() {
        let byte = match i {
            6 => (byte & 0x0f) | 0x40,
            8 => (byte & 0x3f) | 0x80,
            _ => byte,
        };
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        for nibble in [byte >> 4, byte & 0x0f] {
            s.push(char::from(*HEX.get(usize::from(nibble)).unwrap_or(&b'0')));
        }
    }
    // Always a valid lowercase UUID.
    TokenId::new(s).unwrap_or_else(|_| unreachable_uuid())
}

#[allow(clippy::panic)]
fn unreachable_uuid() -> TokenId {
    panic!("formatted UUID is valid")
}

/// The effective group claims of one issuance.
struct Groups<'a> {
    groups: Vec<&'a str>,
    roles: Vec<&'a str>,
    preferred: Option<&'a str>,
}

/// Writes claims, applying one token's hook override: suppressed claims are skipped,
/// overridden ones written in place, the rest of the additions appended by `finish`.
struct Sink<'o> {
    w: JsonWriter,
    o: Option<&'o TokenClaimsOverride>,
    used: u128,
}

impl<'o> Sink<'o> {
    fn new(capacity: usize, o: Option<&'o TokenClaimsOverride>) -> Self {
        Self {
            w: JsonWriter::with_capacity(capacity),
            o,
            used: 0,
        }
    }

    #[inline]
    fn claim(&mut self, name: &str, write: impl FnOnce(&mut JsonWriter)) {
        if let Some(o) = self.o {
            if o.claims_to_suppress.iter().any(|s| s == name) {
                return;
            }
            if let Some(i) = o
                .claims_to_add_or_override
                .iter()
                .position(|(n, _)| n == name)
            {
                self.used |= 1u128 << (i % 128);
                if let Some((n, v)) = o.claims_to_add_or_override.get(i) {
                    self.w.key(n);
                    self.w.buf.push_str(&v.to_string());
                }
                return;
            }
        }
        write(&mut self.w);
    }

    fn finish(mut self) -> String {
        if let Some(o) = self.o {
            for (i, (n, v)) in o.claims_to_add_or_override.iter().enumerate() {
                if self.used & (1u128 << (i % 128)) == 0
                    && !o.claims_to_suppress.iter().any(|s| s == n)
                {
                    self.w.key(n);
                    self.w.buf.push_str(&v.to_string());
                }
            }
        }
        self.w.finish()
    }
}

fn str_array(w: &mut JsonWriter, name: &str, items: &[&str]) {
    w.key(name);
    w.buf.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            w.buf.push(',');
        }
        push_json_str(&mut w.buf, s);
    }
    w.buf.push(']');
}

/// Attribute names the issuer writes itself or never writes.
fn attribute_skipped(name: &str) -> bool {
    name.starts_with("dev:")
        || name.starts_with("cognito:")
        || name == "email_verified"
        || name == "identities"
        || hook::PROTECTED_CLAIMS.contains(&name)
}

fn write_attribute(w: &mut JsonWriter, name: &str, value: &str) {
    match name {
        "email_verified" | "phone_number_verified" if value == "true" || value == "false" => {
            w.key(name);
            w.buf.push_str(value);
        }
        "updated_at" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
            match value.parse::<u64>() {
                Ok(n) => w.num(name, n),
                Err(_) => w.str(name, value),
            }
        }
        "address" => {
            w.key(name);
            w.buf.push_str("{\"formatted\":");
            push_json_str(&mut w.buf, value);
            w.buf.push('}');
        }
        _ => w.str(name, value),
    }
}

impl TokenIssuer {
    /// An issuer for `pool` writing `iss` = `issuer` (Cognito's form, or a local base URL),
    /// taking time from `clock` and randomness from `rng`.
    pub fn new(
        pool: UserPoolId,
        issuer: IssuerUrl,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn SecureRandom>,
    ) -> Self {
        Self {
            pool,
            issuer,
            clock,
            rng,
            hook: None,
            protected_claims: ProtectedClaimPolicy::default(),
        }
    }

    /// Installs a pre-token-generation hook.
    pub fn with_hook(mut self, hook: Arc<dyn PreTokenGenerationHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Chooses what happens when the hook touches a protected claim (default: ignored).
    pub fn with_protected_claim_policy(mut self, policy: ProtectedClaimPolicy) -> Self {
        self.protected_claims = policy;
        self
    }

    /// The issuer URL written into `iss`.
    pub fn issuer(&self) -> &IssuerUrl {
        &self.issuer
    }

    /// The pool.
    pub fn pool(&self) -> &UserPoolId {
        &self.pool
    }

    /// Issues a user's tokens: the access token, the ID token (unless
    /// `with_id_token` is false) sharing its `event_id`, and a refresh token when asked.
    pub fn issue_user_tokens(
        &self,
        keys: &PoolKeys,
        req: &UserTokenRequest<'_>,
    ) -> Result<IssuedTokens, IssueError> {
        self.issue_inner(keys, req, None)
    }

    /// Issues one ID token (no access token, no `at_hash`). For tools such as `cognate token
    /// mint --kind id`.
    pub fn issue_id_token(
        &self,
        keys: &PoolKeys,
        req: &UserTokenRequest<'_>,
    ) -> Result<String, IssueError> {
        let now = self.clock.now();
        let mut ids = [0u8; 48];
        self.rng.fill(&mut ids)?;
        let (event_id, jti, origin) = (
            uuid_from(&ids[0..16]),
            uuid_from(&ids[16..32]),
            uuid_from(&ids[32..48]),
        );
        let origin = req.origin_jti.cloned().unwrap_or(origin);
        let (ov, _) = self.run_hook(req.client_id, Some(req.user), req.scopes, req.trigger)?;
        let groups = effective_groups(req.user, ov.as_ref());
        let payload = self.id_payload(
            req,
            now,
            &event_id,
            &jti,
            &origin,
            None,
            &groups,
            ov.as_ref(),
        );
        Ok(keys.active(TokenUse::Id).sign_jwt(payload.as_bytes())?)
    }

    /// Issues one access token for a user (no ID token). For tools such as `cognate token
    /// mint --kind access`.
    pub fn issue_access_token(
        &self,
        keys: &PoolKeys,
        req: &UserTokenRequest<'_>,
    ) -> Result<String, IssueError> {
        let req = UserTokenRequest {
            with_id_token: false,
            with_refresh_token: false,
            ..req.clone()
        };
        Ok(self.issue_inner(keys, &req, None)?.access_token)
    }

    /// Issues a client-credentials (M2M) access token: `sub` = `client_id` = the client,
    /// the granted `scopes`, lifetime `validity` (5 minutes to 1 day; use
    /// [`TokenValidity::access`]). A V3 hook may customise it.
    pub fn issue_client_credentials(
        &self,
        keys: &PoolKeys,
        client_id: &ClientId,
        scopes: &Scopes,
        validity: Duration,
    ) -> Result<IssuedTokens, IssueError> {
        let now = self.clock.now();
        let mut ids = [0u8; 16];
        self.rng.fill(&mut ids)?;
        let jti = uuid_from(&ids);
        let (ov, ignored) =
            self.run_hook(client_id, None, scopes, TriggerSource::ClientCredentials)?;
        let scopes = effective_scopes(scopes, ov.as_ref());
        let exp = now.saturating_add(validity);
        let sub = Sub::from(client_id.clone());
        let mut s = Sink::new(512, ov.as_ref().map(|o| &o.access_token.claims));
        s.claim("sub", |w| w.str("sub", sub.as_str()));
        s.claim("token_use", |w| w.str("token_use", "access"));
        if !scopes.is_empty() {
            s.claim("scope", |w| write_scope(w, &scopes));
        }
        s.claim("auth_time", |w| w.num("auth_time", now.as_secs()));
        s.claim("iss", |w| w.str("iss", self.issuer.as_str()));
        s.claim("exp", |w| w.num("exp", exp.as_secs()));
        s.claim("iat", |w| w.num("iat", now.as_secs()));
        s.claim("version", |w| w.num("version", 2));
        s.claim("jti", |w| w.str("jti", jti.as_str()));
        s.claim("client_id", |w| w.str("client_id", client_id.as_str()));
        let payload = s.finish();
        let access_token = keys.active(TokenUse::Access).sign_jwt(payload.as_bytes())?;
        Ok(IssuedTokens {
            id_token: None,
            access_token,
            refresh_token: None,
            expires_in: validity.as_secs(),
            event_id: None,
            origin_jti: None,
            access_jti: jti,
            issued_at: now,
            auth_time: now,
            ignored_hook_claims: ignored,
        })
    }

    /// Uses a refresh token: opens it (pool, client, expiry, revocation), checks it belongs to
    /// `req.user`, and issues new ID and access tokens with the same `origin_jti` and the
    /// original `auth_time` (and, with `rotate`, a new refresh token expiring when the old
    /// one would have).
    pub fn refresh(
        &self,
        keys: &PoolKeys,
        refresh_token: &str,
        req: &RefreshRequest<'_>,
    ) -> Result<IssuedTokens, IssueError> {
        let now = self.clock.now();
        let claims = keys.open_refresh_token(
            refresh_token,
            &self.pool,
            req.client_id,
            now,
            req.revocations,
        )?;
        if claims.sub != req.user.sub || claims.username != req.user.username {
            return Err(IssueError::UserMismatch);
        }
        let user_req = UserTokenRequest {
            validity: req.validity,
            trigger: TriggerSource::RefreshTokens,
            oauth: req.oauth,
            device_key: claims.device_key.as_ref(),
            auth_time: Some(claims.auth_time),
            origin_jti: Some(&claims.origin_jti),
            with_refresh_token: req.rotate,
            // An OAuth grant without `openid` never had an ID token.
            with_id_token: !req.oauth || req.scopes.contains(cognate_types::Scope::OPENID),
            ..UserTokenRequest::new(req.client_id, req.user, req.scopes)
        };
        self.issue_inner(keys, &user_req, Some(claims.exp))
    }

    fn run_hook(
        &self,
        client_id: &ClientId,
        user: Option<&UserClaims>,
        scopes: &Scopes,
        trigger: TriggerSource,
    ) -> Result<(Option<ClaimsOverride>, Vec<String>), IssueError> {
        let Some(hook) = &self.hook else {
            return Ok((None, Vec::new()));
        };
        let version = hook.version();
        if user.is_none() && version < HookVersion::V3 {
            return Ok((None, Vec::new()));
        }
        let empty: [(cognate_types::AttributeName, String); 0] = [];
        let group_configuration = match user {
            Some(u) => {
                let (roles, preferred) = u.roles();
                GroupConfiguration {
                    groups_to_override: u.groups.iter().map(|g| g.name.clone()).collect(),
                    iam_roles_to_override: roles.into_iter().cloned().collect(),
                    preferred_role: preferred.cloned(),
                }
            }
            None => GroupConfiguration::default(),
        };
        let event = PreTokenGenerationEvent {
            version,
            trigger_source: trigger,
            user_pool_id: &self.pool,
            client_id,
            username: user.map(|u| &u.username),
            user_attributes: user.map_or(&empty[..], |u| &u.attributes[..]),
            group_configuration,
            scopes,
        };
        let mut o = hook.pre_token_generation(&event)?;
        if version == HookVersion::V1 {
            o.access_token = Default::default();
        }
        if user.is_none() {
            o.id_token = Default::default();
            o.group_override = None;
        }
        let mut ignored = hook::sanitize(
            TokenUse::Id,
            version,
            &mut o.id_token,
            client_id,
            self.protected_claims,
        )?;
        ignored.extend(hook::sanitize(
            TokenUse::Access,
            version,
            &mut o.access_token.claims,
            client_id,
            self.protected_claims,
        )?);
        Ok((Some(o), ignored))
    }

    fn issue_inner(
        &self,
        keys: &PoolKeys,
        req: &UserTokenRequest<'_>,
        refresh_exp: Option<UnixTime>,
    ) -> Result<IssuedTokens, IssueError> {
        let now = self.clock.now();
        let auth_time = req.auth_time.unwrap_or(now);
        let mut ids = [0u8; 80];
        self.rng.fill(&mut ids)?;
        let event_id = uuid_from(&ids[0..16]);
        let access_jti = uuid_from(&ids[16..32]);
        let id_jti = uuid_from(&ids[32..48]);
        let origin_jti = match req.origin_jti {
            Some(o) => o.clone(),
            None => uuid_from(&ids[48..64]),
        };
        let (ov, ignored) =
            self.run_hook(req.client_id, Some(req.user), req.scopes, req.trigger)?;
        let groups = effective_groups(req.user, ov.as_ref());
        let scopes = effective_scopes(req.scopes, ov.as_ref());

        // Access token.
        let exp = now.saturating_add(req.validity.access());
        let u = req.user;
        let mut s = Sink::new(768, ov.as_ref().map(|o| &o.access_token.claims));
        s.claim("sub", |w| w.str("sub", u.sub.as_str()));
        if let Some(d) = req.device_key {
            s.claim("device_key", |w| w.str("device_key", d.as_str()));
        }
        if !groups.groups.is_empty() {
            s.claim("cognito:groups", |w| {
                str_array(w, "cognito:groups", &groups.groups)
            });
        }
        s.claim("iss", |w| w.str("iss", self.issuer.as_str()));
        s.claim("version", |w| w.num("version", 2));
        s.claim("client_id", |w| w.str("client_id", req.client_id.as_str()));
        s.claim("origin_jti", |w| w.str("origin_jti", origin_jti.as_str()));
        s.claim("event_id", |w| w.str("event_id", event_id.as_str()));
        s.claim("token_use", |w| w.str("token_use", "access"));
        if !scopes.is_empty() {
            s.claim("scope", |w| write_scope(w, &scopes));
        }
        s.claim("auth_time", |w| w.num("auth_time", auth_time.as_secs()));
        s.claim("exp", |w| w.num("exp", exp.as_secs()));
        s.claim("iat", |w| w.num("iat", now.as_secs()));
        s.claim("jti", |w| w.str("jti", access_jti.as_str()));
        s.claim("username", |w| w.str("username", u.username.as_str()));
        let payload = s.finish();
        let access_token = keys.active(TokenUse::Access).sign_jwt(payload.as_bytes())?;

        // ID token.
        let id_token = if req.with_id_token {
            let at_hash = req.oauth.then(|| {
                let digest = crypto::sha256(access_token.as_bytes());
                b64::encode(digest.get(..16).unwrap_or_default())
            });
            let payload = self.id_payload(
                req,
                now,
                &event_id,
                &id_jti,
                &origin_jti,
                at_hash.as_deref(),
                &groups,
                ov.as_ref(),
            );
            Some(keys.active(TokenUse::Id).sign_jwt(payload.as_bytes())?)
        } else {
            None
        };

        // Refresh token.
        let refresh_token = if req.with_refresh_token {
            let claims = RefreshTokenClaims {
                pool: self.pool.clone(),
                client_id: req.client_id.clone(),
                sub: u.sub.clone(),
                username: u.username.clone(),
                origin_jti: origin_jti.clone(),
                jti: uuid_from(&ids[64..80]),
                iat: now,
                exp: refresh_exp.unwrap_or_else(|| now.saturating_add(req.validity.refresh())),
                auth_time,
                device_key: req.device_key.cloned(),
                scope: req.oauth.then(|| req.scopes.to_string()),
            };
            Some(keys.seal_refresh_token(&claims, self.rng.as_ref())?)
        } else {
            None
        };

        Ok(IssuedTokens {
            id_token,
            access_token,
            refresh_token,
            expires_in: req.validity.access().as_secs(),
            event_id: Some(event_id),
            origin_jti: Some(origin_jti),
            access_jti,
            issued_at: now,
            auth_time,
            ignored_hook_claims: ignored,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn id_payload(
        &self,
        req: &UserTokenRequest<'_>,
        now: UnixTime,
        event_id: &TokenId,
        jti: &TokenId,
        origin_jti: &TokenId,
        at_hash: Option<&str>,
        groups: &Groups<'_>,
        ov: Option<&ClaimsOverride>,
    ) -> String {
        let u = req.user;
        let auth_time = req.auth_time.unwrap_or(now);
        let exp = now.saturating_add(req.validity.id());
        let mut s = Sink::new(1024, ov.map(|o| &o.id_token));
        if let Some(h) = at_hash {
            s.claim("at_hash", |w| w.str("at_hash", h));
        }
        s.claim("sub", |w| w.str("sub", u.sub.as_str()));
        if !groups.groups.is_empty() {
            s.claim("cognito:groups", |w| {
                str_array(w, "cognito:groups", &groups.groups)
            });
        }
        if let Some((_, v)) = u
            .attributes
            .iter()
            .find(|(n, _)| n.as_str() == "email_verified")
        {
            s.claim("email_verified", |w| {
                write_attribute(w, "email_verified", v)
            });
        }
        s.claim("iss", |w| w.str("iss", self.issuer.as_str()));
        s.claim("cognito:username", |w| {
            w.str("cognito:username", u.username.as_str())
        });
        for (name, value) in &u.attributes {
            let name = name.as_str();
            if !attribute_skipped(name) {
                s.claim(name, |w| write_attribute(w, name, value));
            }
        }
        if let Some(n) = req.nonce {
            s.claim("nonce", |w| w.str("nonce", n));
        }
        s.claim("origin_jti", |w| w.str("origin_jti", origin_jti.as_str()));
        if !groups.roles.is_empty() {
            s.claim("cognito:roles", |w| {
                str_array(w, "cognito:roles", &groups.roles)
            });
        }
        if let Some(p) = groups.preferred {
            s.claim("cognito:preferred_role", |w| {
                w.str("cognito:preferred_role", p)
            });
        }
        s.claim("aud", |w| w.str("aud", req.client_id.as_str()));
        if !u.identities.is_empty() {
            s.claim("identities", |w| {
                w.key("identities");
                w.buf.push('[');
                for (i, id) in u.identities.iter().enumerate() {
                    if i > 0 {
                        w.buf.push(',');
                    }
                    w.buf.push_str("{\"userId\":");
                    push_json_str(&mut w.buf, &id.user_id);
                    w.buf.push_str(",\"providerName\":");
                    push_json_str(&mut w.buf, id.provider_name.as_str());
                    w.buf.push_str(",\"providerType\":");
                    push_json_str(&mut w.buf, id.provider_type.as_str());
                    w.buf.push_str(",\"issuer\":");
                    match &id.issuer {
                        Some(iss) => push_json_str(&mut w.buf, iss),
                        None => w.buf.push_str("null"),
                    }
                    w.buf.push_str(",\"primary\":");
                    w.buf
                        .push_str(if id.primary { "\"true\"" } else { "\"false\"" });
                    w.buf.push_str(",\"dateCreated\":\"");
                    crate::claims::push_u64(&mut w.buf, id.date_created_ms);
                    w.buf.push_str("\"}");
                }
                w.buf.push(']');
            });
        }
        s.claim("event_id", |w| w.str("event_id", event_id.as_str()));
        s.claim("token_use", |w| w.str("token_use", "id"));
        s.claim("auth_time", |w| w.num("auth_time", auth_time.as_secs()));
        s.claim("exp", |w| w.num("exp", exp.as_secs()));
        s.claim("iat", |w| w.num("iat", now.as_secs()));
        s.claim("jti", |w| w.str("jti", jti.as_str()));
        s.finish()
    }
}

fn write_scope(w: &mut JsonWriter, scopes: &Scopes) {
    w.key("scope");
    w.buf.push('"');
    for (i, sc) in scopes.iter().enumerate() {
        if i > 0 {
            w.buf.push(' ');
        }
        // Scope tokens exclude `"` and `\` and control characters: no escaping needed.
        w.buf.push_str(sc.as_str());
    }
    w.buf.push('"');
}

fn effective_groups<'a>(user: &'a UserClaims, ov: Option<&'a ClaimsOverride>) -> Groups<'a> {
    match ov.and_then(|o| o.group_override.as_ref()) {
        Some(g) => Groups {
            groups: g.groups_to_override.iter().map(|n| n.as_str()).collect(),
            roles: g.iam_roles_to_override.iter().map(|r| r.as_str()).collect(),
            preferred: g.preferred_role.as_ref().map(|r| r.as_str()),
        },
        None => {
            let (roles, preferred) = user.roles();
            Groups {
                groups: user.groups.iter().map(|g| g.name.as_str()).collect(),
                roles: roles.into_iter().map(|r| r.as_str()).collect(),
                preferred: preferred.map(|r| r.as_str()),
            }
        }
    }
}

fn effective_scopes<'a>(scopes: &'a Scopes, ov: Option<&ClaimsOverride>) -> Cow<'a, Scopes> {
    match ov {
        Some(o)
            if !o.access_token.scopes_to_add.is_empty()
                || !o.access_token.scopes_to_suppress.is_empty() =>
        {
            let mut s = scopes.clone();
            for a in &o.access_token.scopes_to_add {
                if s.len() < Scopes::MAX {
                    s.insert(a.clone());
                }
            }
            for r in &o.access_token.scopes_to_suppress {
                s.remove(r.as_str());
            }
            Cow::Owned(s)
        }
        _ => Cow::Borrowed(scopes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4() {
        let t = uuid_from(&[0xff; 16]);
        assert_eq!(t.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let t = uuid_from(&[0; 16]);
        assert_eq!(t.as_str(), "00000000-0000-4000-8000-000000000000");
    }
}
