//! A token minter over cognate-jwt: real RS256 ID and access tokens and encrypted refresh
//! tokens, so the conformance tests check real tokens (signature, `kid`, `iss`, `aud`,
//! `nonce`, `auth_time`, `at_hash`).

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognate_jwt::{
    CognitoVerifier, InMemoryRevocations, JwkSet, JwtVerifier, PoolKeys, RefreshRequest,
    RotationPolicy, RsaKeySize, TokenIssuer, TokenValidity, UserClaims, UserTokenRequest,
    VerifiedClaims,
};
use cognate_oauth2::{
    AuthenticatedUser, AuthorizationServer, HostError, MemoryGrantStore, MintError, OAuthClient,
    RevokeError, ServerConfig, TokenMinter, TokenSet, UserGrant, UserInfoError, UserInfoSource,
};
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{
    AttributeName, ClientId, Clock, IssuerUrl, ManualClock, Scopes, Secret, Sub, TokenUse,
    UnixTime, UserPoolId, Username,
};

use crate::common::{Clients, Users, BASE};

pub const POOL: &str = "us-east-1_Conform1";

pub fn issuer() -> IssuerUrl {
    IssuerUrl::cognito(&UserPoolId::new(POOL).unwrap())
}

pub struct JwtMinter {
    pub clock: Arc<ManualClock>,
    issuer: TokenIssuer,
    keys: PoolKeys,
    pub revocations: InMemoryRevocations,
    access: CognitoVerifier,
    pub signed_out: Mutex<Vec<String>>,
}

fn user_claims(username: &str) -> UserClaims {
    let sub = Sub::new(format!("00000000-0000-4000-8000-{:0>12}", username.len())).unwrap();
    UserClaims::new(sub, Username::new(username).unwrap())
        .with_attribute(AttributeName::new("email").unwrap(), "alice@example.com")
        .with_attribute(AttributeName::new("email_verified").unwrap(), "true")
        .with_attribute(AttributeName::new("name").unwrap(), "Alice")
        .with_attribute(AttributeName::new("phone_number").unwrap(), "+15550100")
}

impl JwtMinter {
    pub fn new(clock: Arc<ManualClock>) -> Self {
        let pool = UserPoolId::new(POOL).unwrap();
        let rng = Arc::new(InsecureDeterministicRandom::new(7));
        let keys = PoolKeys::generate(
            RsaKeySize::Rsa2048,
            RotationPolicy::default(),
            clock.now(),
            &*rng,
        )
        .unwrap();
        let access = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(
                cognate_jwt::verify::CognitoPool::new(
                    pool.clone(),
                    ClientId::new(crate::common::CONF).unwrap(),
                )
                .client_id(ClientId::new(crate::common::PUBLIC).unwrap()),
            )
            .clock(clock.clone())
            .build()
            .unwrap();
        access
            .cache_jwks_for_pool(&pool, keys.verifying_keys())
            .unwrap();
        Self {
            issuer: TokenIssuer::new(pool, issuer(), clock.clone(), rng),
            keys,
            clock,
            revocations: InMemoryRevocations::new(),
            access,
            signed_out: Mutex::new(Vec::new()),
        }
    }

    pub fn verifying_keys(&self) -> JwkSet {
        self.keys.verifying_keys()
    }

    /// A verifier for ID tokens of `client`.
    pub fn id_verifier(&self, client: &str) -> JwtVerifier {
        let v = JwtVerifier::builder()
            .issuer(issuer())
            .audience(client)
            .clock(self.clock.clone())
            .build()
            .unwrap();
        v.cache_jwks(&issuer(), self.verifying_keys()).unwrap();
        v
    }

    pub fn verify_access(&self, token: &str) -> VerifiedClaims {
        self.access.verify_sync(token).unwrap()
    }

    fn validity() -> TokenValidity {
        TokenValidity::new(
            Duration::from_secs(3600),
            Duration::from_secs(3600),
            Duration::from_secs(30 * 86400),
        )
        .unwrap()
    }
}

impl TokenMinter for JwtMinter {
    fn issue(
        &self,
        client: &OAuthClient,
        user: &AuthenticatedUser,
        grant: &UserGrant<'_>,
    ) -> Result<TokenSet, MintError> {
        let claims = user_claims(&user.user);
        let mut req = UserTokenRequest::new(&client.client_id, &claims, grant.scopes);
        req.validity = Self::validity();
        req.oauth = true;
        req.nonce = grant.nonce;
        req.auth_time = Some(user.auth_time);
        req.with_id_token = grant.scopes.contains("openid");
        req.with_refresh_token = grant.refresh_token;
        let t = self
            .issuer
            .issue_user_tokens(&self.keys, &req)
            .map_err(|e| MintError::Host(HostError::new(e.to_string())))?;
        Ok(TokenSet {
            id_token: t.id_token,
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
            family: t.origin_jti.map(|o| o.to_string()),
        })
    }

    fn refresh(&self, client: &OAuthClient, refresh_token: &str) -> Result<TokenSet, MintError> {
        let invalid = |_| MintError::InvalidGrant("Invalid Refresh Token".into());
        let opened = self
            .keys
            .open_refresh_token(
                refresh_token,
                self.issuer.pool(),
                &client.client_id,
                self.clock.now(),
                &self.revocations,
            )
            .map_err(|e| invalid(e.to_string()))?;
        let claims = user_claims(opened.username.as_str());
        let scopes = Scopes::parse("openid email profile").unwrap();
        let req = RefreshRequest {
            client_id: &client.client_id,
            user: &claims,
            scopes: &scopes,
            validity: Self::validity(),
            revocations: &self.revocations,
            rotate: false,
            oauth: true,
        };
        let t = self
            .issuer
            .refresh(&self.keys, refresh_token, &req)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(TokenSet {
            id_token: t.id_token,
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
            family: t.origin_jti.map(|o| o.to_string()),
        })
    }

    fn client_credentials(
        &self,
        client: &OAuthClient,
        scopes: &Scopes,
    ) -> Result<TokenSet, MintError> {
        let t = self
            .issuer
            .issue_client_credentials(
                &self.keys,
                &client.client_id,
                scopes,
                Duration::from_secs(3600),
            )
            .map_err(|e| MintError::Host(HostError::new(e.to_string())))?;
        Ok(TokenSet {
            id_token: None,
            access_token: t.access_token,
            refresh_token: None,
            expires_in: t.expires_in,
            family: None,
        })
    }

    fn revoke(&self, client: &OAuthClient, token: &str) -> Result<(), RevokeError> {
        if token.split('.').count() == 3 {
            return Err(RevokeError::UnsupportedTokenType);
        }
        if let Ok(c) = self.keys.open_refresh_token(
            token,
            self.issuer.pool(),
            &client.client_id,
            self.clock.now(),
            &self.revocations,
        ) {
            self.revocations.revoke_family(c.origin_jti, c.exp);
        }
        Ok(())
    }

    fn revoke_family(&self, family: &str) -> Result<(), HostError> {
        let id = cognate_types::TokenId::new(family).map_err(|e| HostError::new(e.to_string()))?;
        self.revocations.revoke_family(
            id,
            self.clock
                .now()
                .saturating_add(Duration::from_secs(86400 * 30)),
        );
        Ok(())
    }

    fn userinfo(&self, access_token: &str) -> Result<UserInfoSource, UserInfoError> {
        let c = self
            .access
            .verify_sync(access_token)
            .map_err(|e| UserInfoError::InvalidToken(e.to_string()))?;
        if cognate_jwt::RevocationCheck::is_revoked(&self.revocations, c.origin_jti(), c.jti()) {
            return Err(UserInfoError::InvalidToken("revoked".into()));
        }
        let username = c.username().unwrap_or_default().to_owned();
        if self.signed_out.lock().unwrap().contains(&username) {
            return Err(UserInfoError::InvalidToken("signed out".into()));
        }
        let claims = user_claims(&username);
        Ok(UserInfoSource {
            sub: claims.sub.to_string(),
            username,
            scopes: Scopes::parse(c.scope().unwrap_or_default()).unwrap_or_default(),
            attributes: claims
                .attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        })
    }

    fn jwks(&self) -> Result<String, HostError> {
        Ok(self.keys.jwks().to_json())
    }
}

pub struct JwtHarness {
    pub server: AuthorizationServer,
    pub clock: Arc<ManualClock>,
    pub minter: Arc<JwtMinter>,
    pub users: Arc<Users>,
}

pub fn jwt_harness() -> JwtHarness {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(1_700_000_000)));
    let minter = Arc::new(JwtMinter::new(clock.clone()));
    let users = Arc::new(Users {
        clock: clock.clone(),
        disabled: Mutex::new(Default::default()),
        calls: Mutex::new(0),
    });
    let config = ServerConfig::new(
        BASE,
        issuer(),
        format!("{}/.well-known/jwks.json", issuer().as_str()),
        Secret::new([9u8; 32]),
    )
    .unwrap();
    let server = AuthorizationServer::builder(
        config,
        Arc::new(Clients),
        users.clone(),
        minter.clone(),
        Arc::new(MemoryGrantStore::new()),
    )
    .clock(clock.clone())
    .rng(Arc::new(InsecureDeterministicRandom::new(11)))
    .build();
    JwtHarness {
        server,
        clock,
        minter,
        users,
    }
}

impl JwtHarness {
    pub fn clock_now(&self) -> UnixTime {
        self.clock.now()
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}
