#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! What the hosted OAuth endpoints use from the engine: sign-in as the managed-login pages do
//! it (no SECRET_HASH, no explicit auth flow, the user and not tokens at the end), OAuth
//! tokens with their scopes, nonce and at_hash, refresh keeping the scopes, client
//! credentials, revocation, session validity, and the atomic swap of short-lived records.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_types::{ClientId, ManualClock, Scopes, TokenUse, UnixTime, UserPoolId};
use cognate_userpool::api::handle;
use cognate_userpool::model::{AppClient, UserPool};
use cognate_userpool::service::{
    Caller, HostedStep, OAuthGrant, PasswordHasher, UserPools, UserPoolsConfig,
};
use cognate_userpool::store::{EphemeralKind, Store};
use cognate_userpool::totp::{Totp, TotpSecret};
use serde_json::{json, Value};

const START: u64 = 1_760_000_000;

struct Env {
    engine: UserPools,
    clock: Arc<ManualClock>,
    pool: UserPool,
    client: AppClient,
}

fn call(engine: &UserPools, op: &str, body: Value) -> (u16, Value) {
    let r = handle(
        engine,
        &format!("AWSCognitoIdentityProviderService.{op}"),
        body.to_string().as_bytes(),
        &Caller::Admin {
            access_key_id: "AKIDTEST".into(),
        },
    );
    (r.status, serde_json::from_str(&r.body).unwrap())
}

fn ok(engine: &UserPools, op: &str, body: Value) -> Value {
    let (status, v) = call(engine, op, body);
    assert_eq!(status, 200, "{op}: {v}");
    v
}

impl Env {
    /// A pool and a client with a secret and OAuth settings but no explicit auth flows.
    fn new(pool_extra: Value) -> Self {
        let clock = Arc::new(ManualClock::new(UnixTime::from_secs(START)));
        let engine = UserPools::builder(Store::memory())
            .clock(clock.clone())
            .config(UserPoolsConfig {
                hasher: PasswordHasher::insecure_fast_for_tests(),
                issuer_base: Some("http://127.0.0.1:9229".to_owned()),
                ..Default::default()
            })
            .build();
        let mut body = json!({ "PoolName": "hosted" });
        body.as_object_mut()
            .unwrap()
            .extend(pool_extra.as_object().unwrap().clone());
        let pool_id = ok(&engine, "CreateUserPool", body)["UserPool"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        let c = ok(
            &engine,
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool_id, "ClientName": "web", "GenerateSecret": true,
                "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
                "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid", "email", "aws.cognito.signin.user.admin"],
                "CallbackURLs": ["https://app.example/cb"], "SupportedIdentityProviders": ["COGNITO"],
                "PreventUserExistenceErrors": "ENABLED",
            }),
        );
        let client_id = c["UserPoolClient"]["ClientId"].as_str().unwrap().to_owned();
        let pool = engine.pool(&pool_id).unwrap();
        let client = engine.client_in_pool(&pool, &client_id).unwrap();
        Env {
            engine,
            clock,
            pool,
            client,
        }
    }

    fn user(&self, name: &str, password: &str) {
        ok(
            &self.engine,
            "AdminCreateUser",
            json!({"UserPoolId": self.pool.id.as_str(), "Username": name, "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")},
                                      {"Name": "email_verified", "Value": "true"}]}),
        );
        ok(
            &self.engine,
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool.id.as_str(), "Username": name, "Password": password, "Permanent": true}),
        );
    }

    fn sign_in(&self, name: &str, password: &str) -> Result<HostedStep, String> {
        self.engine
            .hosted_sign_in(&self.pool, &self.client, name, password)
            .map_err(|e| format!("{:?}: {}", e.kind, e.message))
    }

    fn verifier(&self, kind: TokenUse) -> CognitoVerifier {
        let v = CognitoVerifier::builder(kind)
            .user_pool(
                CognitoPool::new(self.pool.id.clone(), self.client.client_id.clone())
                    .issuer(self.engine.issuer_for(&self.pool).unwrap()),
            )
            .clock(self.clock.clone())
            .build()
            .unwrap();
        let jwks = self.engine.jwks_json(&self.pool).unwrap();
        v.cache_jwks_for_pool(
            &self.pool.id,
            cognate_jwt::JwkSet::parse(jwks.as_bytes()).unwrap(),
        )
        .unwrap();
        v
    }
}

const PW: &str = "Hosted-Passw0rd!";

#[test]
fn hosted_sign_in_needs_no_secret_hash_nor_explicit_flow() {
    let env = Env::new(json!({}));
    env.user("alice", PW);
    // The API refuses USER_PASSWORD_AUTH for this client...
    let (status, _) = call(
        &env.engine,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": env.client.client_id.as_str(),
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PW}}),
    );
    assert_eq!(status, 400);
    // ...the pages sign in, and get the user, not tokens.
    match env.sign_in("alice", PW).unwrap() {
        HostedStep::SignedIn(u) => assert_eq!(u.username.as_str(), "alice"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_password_unknown_user_and_lockout_as_the_api() {
    let env = Env::new(json!({}));
    env.user("alice", PW);
    let e = env.sign_in("alice", "wrong").unwrap_err();
    assert!(e.contains("Incorrect username or password."), "{e}");
    // PreventUserExistenceErrors: an unknown user looks like a wrong password.
    let e = env.sign_in("nobody", PW).unwrap_err();
    assert_eq!(e, "NotAuthorized: Incorrect username or password.");
    for _ in 0..6 {
        let _ = env.sign_in("alice", "wrong");
    }
    let e = env.sign_in("alice", PW).unwrap_err();
    assert!(e.contains("Password attempts exceeded"), "{e}");
}

#[test]
fn new_password_required_through_the_pages() {
    let env = Env::new(json!({}));
    ok(
        &env.engine,
        "AdminCreateUser",
        json!({"UserPoolId": env.pool.id.as_str(), "Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS"}),
    );
    let HostedStep::Challenge { name, session, .. } =
        env.sign_in("newbie", "Temp-Passw0rd!").unwrap()
    else {
        panic!("expected a challenge")
    };
    assert_eq!(name, "NEW_PASSWORD_REQUIRED");
    // The page's session is not usable through the public API.
    let (status, v) = call(
        &env.engine,
        "RespondToAuthChallenge",
        json!({"ClientId": env.client.client_id.as_str(), "ChallengeName": name, "Session": session,
               "ChallengeResponses": {"USERNAME": "newbie", "NEW_PASSWORD": PW}}),
    );
    assert_eq!(status, 400, "{v}");
    // A fresh page sign-in answers it.
    let HostedStep::Challenge { name, session, .. } =
        env.sign_in("newbie", "Temp-Passw0rd!").unwrap()
    else {
        panic!("expected a challenge")
    };
    let mut r = BTreeMap::new();
    r.insert("USERNAME".to_owned(), "newbie".to_owned());
    r.insert("NEW_PASSWORD".to_owned(), PW.to_owned());
    let step = env
        .engine
        .hosted_respond(&env.pool, &env.client, &name, &session, &r)
        .unwrap();
    assert!(matches!(step, HostedStep::SignedIn(_)));
}

#[test]
fn mfa_setup_and_totp_through_the_pages() {
    let env = Env::new(json!({"MfaConfiguration": "OFF"}));
    ok(
        &env.engine,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": env.pool.id.as_str(), "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    );
    let env = Env {
        pool: env.engine.pool(env.pool.id.as_str()).unwrap(),
        ..env
    };
    env.user("mfa", PW);
    let HostedStep::Challenge { name, session, .. } = env.sign_in("mfa", PW).unwrap() else {
        panic!()
    };
    assert_eq!(name, "MFA_SETUP");
    let assoc = env
        .engine
        .associate_software_token(cognate_userpool::service::AssociateSoftwareTokenRequest {
            access_token: None,
            session: Some(session),
        })
        .unwrap();
    let secret = TotpSecret::from_base32(&assoc.secret_code).unwrap();
    let code = Totp::COGNITO.code_at(&secret, env.clock_now());
    let verified = env
        .engine
        .verify_software_token(cognate_userpool::service::VerifySoftwareTokenRequest {
            access_token: None,
            session: assoc.session,
            user_code: code.expose().clone(),
            friendly_device_name: None,
        })
        .unwrap();
    let mut r = BTreeMap::new();
    r.insert("USERNAME".to_owned(), "mfa".to_owned());
    let step = env
        .engine
        .hosted_respond(
            &env.pool,
            &env.client,
            "MFA_SETUP",
            &verified.session.unwrap(),
            &r,
        )
        .unwrap();
    assert!(matches!(step, HostedStep::SignedIn(_)));
    // Next sign-in: a TOTP code.
    env.clock.advance(Duration::from_secs(60));
    let HostedStep::Challenge { name, session, .. } = env.sign_in("mfa", PW).unwrap() else {
        panic!()
    };
    assert_eq!(name, "SOFTWARE_TOKEN_MFA");
    let code = Totp::COGNITO.code_at(&secret, env.clock_now());
    r.insert("SOFTWARE_TOKEN_MFA_CODE".to_owned(), code.expose().clone());
    let step = env
        .engine
        .hosted_respond(&env.pool, &env.client, &name, &session, &r)
        .unwrap();
    assert!(matches!(step, HostedStep::SignedIn(_)));
}

impl Env {
    fn clock_now(&self) -> UnixTime {
        use cognate_types::Clock;
        self.clock.now()
    }
}

#[test]
fn oauth_tokens_carry_scopes_nonce_and_at_hash_and_refresh_keeps_scopes() {
    let env = Env::new(json!({}));
    env.user("alice", PW);
    let user = env.engine.user_by_username(&env.pool, "alice").unwrap();
    let scopes = Scopes::parse("openid email").unwrap();
    let auth_time = UnixTime::from_secs(START - 100);
    let (tokens, family) = env
        .engine
        .oauth_tokens(
            &env.pool,
            &env.client,
            &user,
            &OAuthGrant {
                scopes: &scopes,
                nonce: Some("n-123"),
                auth_time,
                refresh_token: true,
            },
        )
        .unwrap();
    assert!(family.is_some());
    let id = env
        .verifier(TokenUse::Id)
        .verify_sync(tokens.id_token.as_deref().unwrap())
        .unwrap();
    assert_eq!(id.extra_str("nonce"), Some("n-123"));
    assert!(id.extra_str("at_hash").is_some());
    assert_eq!(id.auth_time(), Some(auth_time));
    let access = env
        .verifier(TokenUse::Access)
        .verify_sync(&tokens.access_token)
        .unwrap();
    assert_eq!(access.scope(), Some("openid email"));
    // Refresh: the same scopes, a new ID token with at_hash, the same auth_time.
    env.clock.advance(Duration::from_secs(10));
    let refreshed = env
        .engine
        .oauth_refresh(
            &env.pool,
            &env.client,
            tokens.refresh_token.as_deref().unwrap(),
        )
        .unwrap();
    let access = env
        .verifier(TokenUse::Access)
        .verify_sync(&refreshed.access_token)
        .unwrap();
    assert_eq!(access.scope(), Some("openid email"));
    let id = env
        .verifier(TokenUse::Id)
        .verify_sync(refreshed.id_token.as_deref().unwrap())
        .unwrap();
    assert_eq!(id.auth_time(), Some(auth_time));
    // Without openid: no ID token, and the API self-service operations refuse the token.
    let scopes = Scopes::parse("email").unwrap();
    let (tokens, _) = env
        .engine
        .oauth_tokens(
            &env.pool,
            &env.client,
            &user,
            &OAuthGrant {
                scopes: &scopes,
                nonce: None,
                auth_time,
                refresh_token: false,
            },
        )
        .unwrap();
    assert!(tokens.id_token.is_none() && tokens.refresh_token.is_none());
    for op in ["GetUser", "GlobalSignOut"] {
        let (status, v) = call(&env.engine, op, json!({"AccessToken": tokens.access_token}));
        assert_eq!(status, 400, "{op}");
        assert_eq!(
            v["message"], "Access Token does not have required scopes",
            "{op}"
        );
    }
}

#[test]
fn revocation_and_code_reuse_family_revocation() {
    let env = Env::new(json!({}));
    env.user("alice", PW);
    let user = env.engine.user_by_username(&env.pool, "alice").unwrap();
    let scopes = Scopes::parse("openid aws.cognito.signin.user.admin").unwrap();
    let grant = OAuthGrant {
        scopes: &scopes,
        nonce: None,
        auth_time: UnixTime::from_secs(START),
        refresh_token: true,
    };
    let (tokens, family) = env
        .engine
        .oauth_tokens(&env.pool, &env.client, &user, &grant)
        .unwrap();
    // A JWT is not revocable.
    let e = env
        .engine
        .revoke_refresh_token(&env.pool, &env.client, &tokens.access_token)
        .unwrap_err();
    assert_eq!(
        e.kind,
        cognate_userpool::service::ErrorKind::UnsupportedTokenType
    );
    // Garbage is fine.
    env.engine
        .revoke_refresh_token(&env.pool, &env.client, "garbage")
        .unwrap();
    // Revoking the family (a reused code) kills the access token and the refresh token.
    env.engine.revoke_family(&family.unwrap()).unwrap();
    let (status, _) = call(
        &env.engine,
        "GetUser",
        json!({"AccessToken": tokens.access_token}),
    );
    assert_eq!(status, 400);
    assert!(env
        .engine
        .oauth_refresh(
            &env.pool,
            &env.client,
            tokens.refresh_token.as_deref().unwrap()
        )
        .is_err());
}

#[test]
fn client_credentials_token() {
    let env = Env::new(json!({}));
    let scopes = Scopes::parse("orders/read").unwrap();
    let t = env
        .engine
        .client_credentials_token(&env.pool, &env.client, &scopes)
        .unwrap();
    let claims = env
        .verifier(TokenUse::Access)
        .verify_sync(&t.access_token)
        .unwrap();
    assert_eq!(claims.scope(), Some("orders/read"));
    assert_eq!(claims.sub(), Some(env.client.client_id.as_str()));
    assert!(t.refresh_token.is_none() && t.id_token.is_none());
}

#[test]
fn session_validity_follows_the_user() {
    let env = Env::new(json!({}));
    env.user("alice", PW);
    let now = UnixTime::from_secs(START);
    assert!(env
        .engine
        .hosted_session_valid(&env.pool, "alice", now)
        .unwrap());
    assert!(!env
        .engine
        .hosted_session_valid(&env.pool, "nobody", now)
        .unwrap());
    ok(
        &env.engine,
        "AdminDisableUser",
        json!({"UserPoolId": env.pool.id.as_str(), "Username": "alice"}),
    );
    assert!(!env
        .engine
        .hosted_session_valid(&env.pool, "alice", now)
        .unwrap());
}

#[test]
fn old_refresh_tokens_without_scope_still_open() {
    // A refresh token sealed before `scope` existed is claims JSON without the member.
    let claims: cognate_jwt::RefreshTokenClaims = serde_json::from_value(json!({
        "pool": "us-east-1_Example1", "client_id": "client1",
        "sub": "00000000-0000-4000-8000-000000000001", "username": "alice",
        "origin_jti": "00000000-0000-4000-8000-000000000002",
        "jti": "00000000-0000-4000-8000-000000000003",
        "iat": 1, "exp": 2, "auth_time": 1
    }))
    .unwrap();
    assert_eq!(claims.scope, None);
    let _ = (
        UserPoolId::new("us-east-1_Example1"),
        ClientId::new("client1"),
    );
}

#[test]
fn swap_ephemeral_exactly_one_winner() {
    let store = Store::memory();
    swap_checks(&store);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::new(Arc::new(
        cognate_userpool::store::SqliteBackend::open(dir.path().join("s.db")).unwrap(),
    ));
    swap_checks(&sqlite);
}

fn swap_checks(store: &Store) {
    let now = UnixTime::from_secs(START);
    let exp = UnixTime::from_secs(START + 60);
    store
        .put_ephemeral(EphemeralKind::OAuthCode, "k", b"fresh", exp)
        .unwrap();
    assert!(!store
        .swap_ephemeral(EphemeralKind::OAuthCode, "k", b"other", b"x", now)
        .unwrap());
    assert!(!store
        .swap_ephemeral(EphemeralKind::OAuthSession, "k", b"fresh", b"x", now)
        .unwrap());
    let winners: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                s.spawn(move || {
                    store
                        .swap_ephemeral(
                            EphemeralKind::OAuthCode,
                            "k",
                            b"fresh",
                            format!("taken-{i}").as_bytes(),
                            now,
                        )
                        .unwrap()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum()
    });
    assert_eq!(winners, 1);
    let v = store
        .get_ephemeral(EphemeralKind::OAuthCode, "k", now)
        .unwrap()
        .unwrap();
    assert!(v.starts_with(b"taken-"));
    // The expiry is kept: gone after it.
    assert!(store
        .get_ephemeral(EphemeralKind::OAuthCode, "k", exp)
        .unwrap()
        .is_none());
    assert!(!store
        .swap_ephemeral(EphemeralKind::OAuthCode, "k", &v, b"late", exp)
        .unwrap());
}
