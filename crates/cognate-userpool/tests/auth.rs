#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Sign-in flows end to end through the JSON API: password, SRP (with the crate's client, which
//! is checked byte for byte against amazon-cognito-identity-js and pycognito), challenges,
//! MFA, lockout, refresh with and without rotation, revocation and sign-out.

use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::JwkSet;
use cognate_types::{ClientId, ManualClock, TokenUse, UnixTime, UserPoolId};
use cognate_userpool::api::{handle, ApiResponse};
use cognate_userpool::service::{Caller, Outbox, PasswordHasher, UserPools, UserPoolsConfig};
use cognate_userpool::srp::client::{Challenge, SrpClient};
use cognate_userpool::srp::format_timestamp;
use cognate_userpool::store::Store;
use serde_json::{json, Value};

const START: u64 = 1_750_000_000;

struct Env {
    engine: UserPools,
    clock: Arc<ManualClock>,
    outbox: Arc<Outbox>,
    admin: Caller,
}

impl Env {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(UnixTime::from_secs(START)));
        let outbox = Arc::new(Outbox::new());
        let engine = UserPools::builder(Store::memory())
            .clock(clock.clone())
            .sender(outbox.clone())
            .config(UserPoolsConfig {
                hasher: PasswordHasher::insecure_fast_for_tests(),
                issuer_base: Some("http://127.0.0.1:9229".to_owned()),
                ..Default::default()
            })
            .build();
        Env {
            engine,
            clock,
            outbox,
            admin: Caller::Admin {
                access_key_id: "AKIDTEST".to_owned(),
            },
        }
    }

    fn raw(&self, op: &str, body: Value, caller: &Caller) -> ApiResponse {
        handle(
            &self.engine,
            &format!("AWSCognitoIdentityProviderService.{op}"),
            body.to_string().as_bytes(),
            caller,
        )
    }

    /// Calls an operation and expects success.
    fn ok(&self, op: &str, body: Value) -> Value {
        let r = self.raw(op, body, &self.admin);
        assert_eq!(r.status, 200, "{op}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    /// Calls an operation and expects the exception `kind`; returns the message.
    fn err(&self, op: &str, body: Value, kind: &str) -> String {
        let r = self.raw(op, body, &self.admin);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["__type"], kind, "{op}: {}", r.body);
        assert_eq!(r.error_type, v["__type"].as_str());
        v["message"].as_str().unwrap_or_default().to_owned()
    }

    fn pool(&self, extra: Value) -> String {
        let mut body = json!({ "PoolName": "test" });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let v = self.ok("CreateUserPool", body);
        v["UserPool"]["Id"].as_str().unwrap().to_owned()
    }

    fn client(&self, pool: &str, extra: Value) -> (String, Option<String>) {
        let mut body = json!({
            "UserPoolId": pool,
            "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                  "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let v = self.ok("CreateUserPoolClient", body);
        let c = &v["UserPoolClient"];
        (
            c["ClientId"].as_str().unwrap().to_owned(),
            c["ClientSecret"].as_str().map(str::to_owned),
        )
    }

    /// A confirmed user with a permanent password.
    fn user(&self, pool: &str, username: &str, password: &str, attrs: Value) -> Value {
        let attrs: Vec<Value> = attrs
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| json!({"Name": k, "Value": v}))
                    .collect()
            })
            .unwrap_or_default();
        self.ok(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
                   "UserAttributes": attrs}),
        );
        self.ok(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": username, "Password": password, "Permanent": true}),
        )
    }

    fn password_auth(&self, client: &str, username: &str, password: &str) -> ApiResponse {
        self.raw(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
            &Caller::Anonymous,
        )
    }

    fn public_ok(&self, op: &str, body: Value) -> Value {
        let r = self.raw(op, body, &Caller::Anonymous);
        assert_eq!(r.status, 200, "{op}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    fn public_err(&self, op: &str, body: Value, kind: &str) -> String {
        let r = self.raw(op, body, &Caller::Anonymous);
        assert_eq!(r.status, 400, "{op}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["__type"], kind, "{op}: {}", r.body);
        v["message"].as_str().unwrap_or_default().to_owned()
    }

    fn verifier(&self, pool: &str, client: &str, token_use: TokenUse) -> CognitoVerifier {
        let pool_id = UserPoolId::new(pool).unwrap();
        let p = self.engine.pool(pool).unwrap();
        let issuer = self.engine.issuer_for(&p).unwrap();
        let v = CognitoVerifier::builder(token_use)
            .user_pool(
                CognitoPool::new(pool_id.clone(), ClientId::new(client).unwrap()).issuer(issuer),
            )
            .clock(self.clock.clone())
            .build()
            .unwrap();
        let jwks = self.engine.jwks_json(&p).unwrap();
        v.cache_jwks_for_pool(&pool_id, JwkSet::parse(jwks.as_bytes()).unwrap())
            .unwrap();
        v
    }
}

fn body(r: &ApiResponse) -> Value {
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn password_sign_in_issues_tokens_that_verify() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(
        &pool,
        "alice",
        "Passw0rd!",
        json!({"email": "alice@example.com"}),
    );
    let r = env.password_auth(&client, "alice", "Passw0rd!");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = body(&r);
    let res = &v["AuthenticationResult"];
    assert_eq!(res["TokenType"], "Bearer");
    assert_eq!(res["ExpiresIn"], 3600);
    assert!(res["RefreshToken"].is_string());
    assert_eq!(v["ChallengeParameters"], json!({}));
    let access = env
        .verifier(&pool, &client, TokenUse::Access)
        .verify_sync(res["AccessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(access.username(), Some("alice"));
    assert_eq!(access.scope(), Some("aws.cognito.signin.user.admin"));
    assert_eq!(access.client_id(), Some(client.as_str()));
    let id = env
        .verifier(&pool, &client, TokenUse::Id)
        .verify_sync(res["IdToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(id.cognito_username(), Some("alice"));
    assert_eq!(id.extra_str("email"), Some("alice@example.com"));
}

#[test]
fn wrong_password_unknown_user_and_existence_hiding() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    let (hiding, _) = env.client(&pool, json!({"PreventUserExistenceErrors": "ENABLED"}));
    env.user(&pool, "bob", "Passw0rd!", json!({}));
    let r = env.password_auth(&client, "bob", "wrong");
    assert_eq!(body(&r)["__type"], "NotAuthorizedException");
    assert_eq!(body(&r)["message"], "Incorrect username or password.");
    let r = env.password_auth(&client, "nobody", "x");
    assert_eq!(body(&r)["__type"], "UserNotFoundException");
    let r = env.password_auth(&hiding, "nobody", "x");
    assert_eq!(body(&r)["__type"], "NotAuthorizedException");
    assert_eq!(body(&r)["message"], "Incorrect username or password.");
}

#[test]
fn flows_must_be_enabled_on_the_client() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(
        &pool,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    env.user(&pool, "carol", "Passw0rd!", json!({}));
    let r = env.password_auth(&client, "carol", "Passw0rd!");
    assert_eq!(body(&r)["__type"], "InvalidParameterException");
    assert_eq!(
        body(&r)["message"],
        "USER_PASSWORD_AUTH flow not enabled for this client"
    );
    // Admin flows are refused on the public operation.
    env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "carol", "PASSWORD": "Passw0rd!"}}),
        "InvalidParameterException",
    );
    // An admin operation without a signature.
    let r = env.raw(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "carol", "PASSWORD": "Passw0rd!"}}),
        &Caller::Anonymous,
    );
    assert_eq!(body(&r)["__type"], "MissingAuthenticationTokenException");
}

#[test]
fn progressive_lockout() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "dave", "Passw0rd!", json!({}));
    for _ in 0..5 {
        let r = env.password_auth(&client, "dave", "nope");
        assert_eq!(body(&r)["message"], "Incorrect username or password.");
    }
    // Locked now, even for the right password.
    let r = env.password_auth(&client, "dave", "Passw0rd!");
    assert_eq!(body(&r)["message"], "Password attempts exceeded");
    env.clock.advance(Duration::from_secs(2));
    let r = env.password_auth(&client, "dave", "Passw0rd!");
    assert_eq!(r.status, 200, "{}", r.body);
    // The success reset the count: one failure does not lock.
    env.password_auth(&client, "dave", "nope");
    let r = env.password_auth(&client, "dave", "Passw0rd!");
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn lockout_doubles() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "erin", "Passw0rd!", json!({}));
    for _ in 0..5 {
        env.password_auth(&client, "erin", "nope");
    }
    env.clock.advance(Duration::from_secs(2));
    env.password_auth(&client, "erin", "nope"); // sixth failure: 2 s
    env.clock.advance(Duration::from_secs(1));
    let r = env.password_auth(&client, "erin", "Passw0rd!");
    assert_eq!(body(&r)["message"], "Password attempts exceeded");
    env.clock.advance(Duration::from_secs(2));
    let r = env.password_auth(&client, "erin", "Passw0rd!");
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn new_password_required_challenge() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "frank", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "frank@example.com"}]}),
    );
    let r = env.password_auth(&client, "frank", "Temp0rary!");
    let v = body(&r);
    assert_eq!(v["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{}", r.body);
    let session = v["Session"].as_str().unwrap().to_owned();
    let attrs: Value =
        serde_json::from_str(v["ChallengeParameters"]["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["email"], "frank@example.com");
    assert_eq!(v["ChallengeParameters"]["requiredAttributes"], "[]");
    // A password the policy refuses: the session stays usable.
    let msg = env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": "short"}}),
        "InvalidPasswordException",
    );
    assert!(
        msg.starts_with("Password did not conform with policy"),
        "{msg}"
    );
    let v = env.public_ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": "Permanent1!"}}),
    );
    assert!(v["AuthenticationResult"]["AccessToken"].is_string());
    // The session is single use.
    env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": "Another1!"}}),
        "NotAuthorizedException",
    );
    // The new password works; the temporary one no longer does.
    assert_eq!(
        env.password_auth(&client, "frank", "Permanent1!").status,
        200
    );
    assert_eq!(
        body(&env.password_auth(&client, "frank", "Temp0rary!"))["__type"],
        "NotAuthorizedException"
    );
    // Sessions expire.
    env.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "gina", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    let v = body(&env.password_auth(&client, "gina", "Temp0rary!"));
    env.clock.advance(Duration::from_secs(3 * 60 + 1));
    let msg = env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": "gina", "NEW_PASSWORD": "Permanent1!"}}),
        "NotAuthorizedException",
    );
    assert_eq!(msg, "Invalid session for the user, session is expired.");
}

fn srp_sign_in(env: &Env, pool: &str, client: &str, username: &str, password: &str) -> ApiResponse {
    let rng = cognate_types::SystemRandom;
    let c = SrpClient::new(&rng).unwrap();
    let r = env.raw(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": username, "SRP_A": c.srp_a_hex()}}),
        &Caller::Anonymous,
    );
    let v = body(&r);
    if v["ChallengeName"] != "PASSWORD_VERIFIER" {
        return r;
    }
    let p = &v["ChallengeParameters"];
    let pool_name = pool.split('_').nth(1).unwrap();
    let ts = format_timestamp(env.engine.now());
    let ch = Challenge {
        pool_name,
        user_id_for_srp: p["USER_ID_FOR_SRP"].as_str().unwrap(),
        srp_b_hex: p["SRP_B"].as_str().unwrap(),
        salt_hex: p["SALT"].as_str().unwrap(),
        secret_block_b64: p["SECRET_BLOCK"].as_str().unwrap(),
    };
    let sig = c.password_claim_signature(&ch, password, &ts).unwrap();
    env.raw(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
               "ChallengeResponses": {"USERNAME": p["USER_ID_FOR_SRP"], "TIMESTAMP": ts,
                 "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                 "PASSWORD_CLAIM_SIGNATURE": sig}}),
        &Caller::Anonymous,
    )
}

#[test]
fn srp_sign_in_right_and_wrong_password() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "hank", "Passw0rd!", json!({}));
    let r = srp_sign_in(&env, &pool, &client, "hank", "Passw0rd!");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(body(&r)["AuthenticationResult"]["IdToken"].is_string());
    let r = srp_sign_in(&env, &pool, &client, "hank", "Passw0rd?");
    assert_eq!(body(&r)["__type"], "NotAuthorizedException");
    assert_eq!(body(&r)["message"], "Incorrect username or password.");
    let r = srp_sign_in(&env, &pool, &client, "nobody", "Passw0rd!");
    assert_eq!(body(&r)["__type"], "UserNotFoundException");
    // With existence hiding, an unknown user gets a challenge, then the password error.
    let (hiding, _) = env.client(&pool, json!({"PreventUserExistenceErrors": "ENABLED"}));
    let r = srp_sign_in(&env, &pool, &hiding, "nobody", "Passw0rd!");
    assert_eq!(body(&r)["message"], "Incorrect username or password.");
}

#[test]
fn srp_with_email_alias_and_replay() {
    let env = Env::new();
    let pool = env.pool(json!({"UsernameAttributes": ["email"]}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(
        &pool,
        "ivy@example.com",
        "Passw0rd!",
        json!({"email": "ivy@example.com"}),
    );
    let rng = cognate_types::SystemRandom;
    let c = SrpClient::new(&rng).unwrap();
    let v = env.public_ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "ivy@example.com", "SRP_A": c.srp_a_hex()}}),
    );
    let p = &v["ChallengeParameters"];
    let internal = p["USER_ID_FOR_SRP"].as_str().unwrap();
    assert_ne!(
        internal, "ivy@example.com",
        "alias pools sign in with the internal username"
    );
    let ts = format_timestamp(env.engine.now());
    let ch = Challenge {
        pool_name: pool.split('_').nth(1).unwrap(),
        user_id_for_srp: internal,
        srp_b_hex: p["SRP_B"].as_str().unwrap(),
        salt_hex: p["SALT"].as_str().unwrap(),
        secret_block_b64: p["SECRET_BLOCK"].as_str().unwrap(),
    };
    let answer = json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": {"USERNAME": internal, "TIMESTAMP": ts,
            "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": c.password_claim_signature(&ch, "Passw0rd!", &ts).unwrap()}});
    env.public_ok("RespondToAuthChallenge", answer.clone());
    // The same answer again: the handshake was consumed.
    env.public_err("RespondToAuthChallenge", answer, "NotAuthorizedException");
}

#[test]
fn srp_refuses_stale_timestamps_and_bad_a() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "jack", "Passw0rd!", json!({}));
    let n_hex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
    for bad in ["0", n_hex, "zz"] {
        env.public_err(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": "jack", "SRP_A": bad}}),
            "InvalidParameterException",
        );
    }
    let rng = cognate_types::SystemRandom;
    let c = SrpClient::new(&rng).unwrap();
    let v = env.public_ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "jack", "SRP_A": c.srp_a_hex()}}),
    );
    let p = &v["ChallengeParameters"];
    let ts = format_timestamp(UnixTime::from_secs(START - 3600));
    let ch = Challenge {
        pool_name: pool.split('_').nth(1).unwrap(),
        user_id_for_srp: "jack",
        srp_b_hex: p["SRP_B"].as_str().unwrap(),
        salt_hex: p["SALT"].as_str().unwrap(),
        secret_block_b64: p["SECRET_BLOCK"].as_str().unwrap(),
    };
    env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {"USERNAME": "jack", "TIMESTAMP": ts,
                "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": c.password_claim_signature(&ch, "Passw0rd!", &ts).unwrap()}}),
        "NotAuthorizedException",
    );
}

#[test]
fn secret_hash_is_required_for_clients_with_a_secret() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, secret) = env.client(&pool, json!({"GenerateSecret": true}));
    let secret = secret.unwrap();
    env.user(&pool, "kate", "Passw0rd!", json!({}));
    let msg = env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "kate", "PASSWORD": "Passw0rd!"}}),
        "NotAuthorizedException",
    );
    assert_eq!(
        msg,
        format!("Client {client} is configured with secret but SECRET_HASH was not received")
    );
    let msg = env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "kate", "PASSWORD": "Passw0rd!",
                                  "SECRET_HASH": "AAAA"}}),
        "NotAuthorizedException",
    );
    assert_eq!(
        msg,
        format!("Unable to verify secret hash for client {client}")
    );
    let hash = cognate_userpool::secret_hash::compute(
        &cognate_types::Secret::new(secret),
        "kate",
        &ClientId::new(client.as_str()).unwrap(),
    );
    let v = env.public_ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "kate", "PASSWORD": "Passw0rd!",
                                  "SECRET_HASH": hash}}),
    );
    // Refresh with the same client: SECRET_HASH computed with the username.
    let refresh = v["AuthenticationResult"]["RefreshToken"].clone();
    env.public_ok(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": refresh, "SECRET_HASH": hash}}),
    );
}

#[test]
fn refresh_sign_out_and_revocation() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "liam", "Passw0rd!", json!({}));
    let v = body(&env.password_auth(&client, "liam", "Passw0rd!"));
    let refresh = v["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access = v["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh_body = json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
                              "AuthParameters": {"REFRESH_TOKEN": refresh}});
    env.clock.advance(Duration::from_secs(10));
    let r = env.public_ok("InitiateAuth", refresh_body.clone());
    let res = &r["AuthenticationResult"];
    assert!(res["AccessToken"].is_string() && res["IdToken"].is_string());
    assert!(
        res.get("RefreshToken").is_none(),
        "no new refresh token without rotation"
    );
    // Tampered token.
    let mut bad = refresh.clone();
    bad.replace_range(bad.len() - 4.., "AAAA");
    let msg = env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": bad}}),
        "NotAuthorizedException",
    );
    assert_eq!(msg, "Invalid Refresh Token");
    // Another client cannot use it.
    let (other, _) = env.client(&pool, json!({}));
    env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": other,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        "NotAuthorizedException",
    );
    // Global sign-out revokes the refresh token and the access tokens.
    env.public_ok("GlobalSignOut", json!({"AccessToken": access}));
    let msg = env.public_err("InitiateAuth", refresh_body, "NotAuthorizedException");
    assert_eq!(msg, "Refresh Token has been revoked");
    let msg = env.public_err(
        "GlobalSignOut",
        json!({"AccessToken": access}),
        "NotAuthorizedException",
    );
    assert_eq!(msg, "Access Token has been revoked");
    // Signing in again works at once.
    let v = body(&env.password_auth(&client, "liam", "Passw0rd!"));
    let refresh2 = v["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access2 = v["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // RevokeToken revokes that family only.
    let v3 = body(&env.password_auth(&client, "liam", "Passw0rd!"));
    env.public_ok(
        "RevokeToken",
        json!({"Token": refresh2, "ClientId": client}),
    );
    env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": refresh2}}),
        "NotAuthorizedException",
    );
    env.public_err(
        "GlobalSignOut",
        json!({"AccessToken": access2}),
        "NotAuthorizedException",
    );
    env.public_ok(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": v3["AuthenticationResult"]["RefreshToken"]}}),
    );
    // RevokeToken refuses access tokens.
    env.public_err(
        "RevokeToken",
        json!({"Token": v3["AuthenticationResult"]["AccessToken"], "ClientId": client}),
        "UnsupportedTokenTypeException",
    );
    // Expired access tokens.
    env.clock.advance(Duration::from_secs(3601));
    let msg = env.public_err(
        "GlobalSignOut",
        json!({"AccessToken": v3["AuthenticationResult"]["AccessToken"]}),
        "NotAuthorizedException",
    );
    assert_eq!(msg, "Access Token has expired");
}

#[test]
fn refresh_token_rotation_and_reuse_detection() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(
        &pool,
        json!({"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}}),
    );
    env.user(&pool, "mia", "Passw0rd!", json!({}));
    let v = body(&env.password_auth(&client, "mia", "Passw0rd!"));
    let first = v["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // REFRESH_TOKEN_AUTH is not allowed with rotation.
    env.public_err(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
               "AuthParameters": {"REFRESH_TOKEN": first}}),
        "InvalidParameterException",
    );
    let r = env.public_ok(
        "GetTokensFromRefreshToken",
        json!({"RefreshToken": first, "ClientId": client}),
    );
    let second = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    // A retry within the grace period is accepted.
    env.clock.advance(Duration::from_secs(5));
    env.public_ok(
        "GetTokensFromRefreshToken",
        json!({"RefreshToken": first, "ClientId": client}),
    );
    // After it, reuse revokes the family, including the rotated token.
    env.clock.advance(Duration::from_secs(10));
    env.public_err(
        "GetTokensFromRefreshToken",
        json!({"RefreshToken": first, "ClientId": client}),
        "RefreshTokenReuseException",
    );
    env.public_err(
        "GetTokensFromRefreshToken",
        json!({"RefreshToken": second, "ClientId": client}),
        "NotAuthorizedException",
    );
}

fn totp_now(secret: &str, env: &Env) -> String {
    let secret = cognate_userpool::totp::TotpSecret::from_base32(secret).unwrap();
    cognate_userpool::totp::Totp::COGNITO
        .code_at(&secret, env.engine.now())
        .expose()
        .clone()
}

#[test]
fn mfa_setup_then_totp_sign_in() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    env.ok(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "MfaConfiguration": "ON"}),
    );
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "nina", "Passw0rd!", json!({}));
    let v = body(&env.password_auth(&client, "nina", "Passw0rd!"));
    assert_eq!(v["ChallengeName"], "MFA_SETUP", "{v}");
    assert_eq!(
        v["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let a = env.public_ok("AssociateSoftwareToken", json!({"Session": v["Session"]}));
    let secret = a["SecretCode"].as_str().unwrap().to_owned();
    // A wrong code does not verify.
    env.public_err(
        "VerifySoftwareToken",
        json!({"Session": a["Session"], "UserCode": "000000"}).clone(),
        "EnableSoftwareTokenMFAException",
    );
    let code = totp_now(&secret, &env);
    let vr = env.public_ok(
        "VerifySoftwareToken",
        json!({"Session": a["Session"], "UserCode": code, "FriendlyDeviceName": "phone"}),
    );
    assert_eq!(vr["Status"], "SUCCESS");
    let done = env.public_ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "MFA_SETUP", "Session": vr["Session"],
               "ChallengeResponses": {"USERNAME": "nina"}}),
    );
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    // Next sign-in asks for the code.
    env.clock.advance(Duration::from_secs(30));
    let v = body(&env.password_auth(&client, "nina", "Passw0rd!"));
    assert_eq!(v["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let wrong = if totp_now(&secret, &env) == "123456" {
        "654321"
    } else {
        "123456"
    };
    env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": "nina", "SOFTWARE_TOKEN_MFA_CODE": wrong}}),
        "CodeMismatchException",
    );
    let code = totp_now(&secret, &env);
    let ok = env.public_ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": "nina", "SOFTWARE_TOKEN_MFA_CODE": code}}),
    );
    assert!(ok["AuthenticationResult"]["IdToken"].is_string());
    // The same code cannot be used twice.
    let v = body(&env.password_auth(&client, "nina", "Passw0rd!"));
    env.public_err(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": "nina", "SOFTWARE_TOKEN_MFA_CODE": code}}),
        "CodeMismatchException",
    );
}

#[test]
fn email_otp_and_mfa_choice() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    env.ok(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "EmailMfaConfiguration": {"Message": "{####}", "Subject": "code"},
               "MfaConfiguration": "OPTIONAL"}),
    );
    let (client, _) = env.client(&pool, json!({}));
    env.user(
        &pool,
        "olga",
        "Passw0rd!",
        json!({"email": "olga@example.com", "email_verified": "true"}),
    );
    // Optional MFA and none set up: straight to tokens.
    let v = body(&env.password_auth(&client, "olga", "Passw0rd!"));
    assert!(v["AuthenticationResult"].is_object(), "{v}");
    env.ok(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": pool, "Username": "olga",
               "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let v = body(&env.password_auth(&client, "olga", "Passw0rd!"));
    assert_eq!(v["ChallengeName"], "EMAIL_OTP", "{v}");
    assert_eq!(
        v["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "o***@e***"
    );
    let pool_id = UserPoolId::new(pool.as_str()).unwrap();
    let code = env
        .outbox
        .last_for(&pool_id, "olga")
        .unwrap()
        .code
        .expose()
        .clone();
    let ok = env.public_ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "EMAIL_OTP", "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": "olga", "EMAIL_OTP_CODE": code}}),
    );
    assert!(ok["AuthenticationResult"].is_object());
    // Enabling TOTP before verifying one is refused.
    env.err(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": pool, "Username": "olga",
               "SoftwareTokenMfaSettings": {"Enabled": true}}),
        "InvalidParameterException",
    );
}

#[test]
fn account_state_errors() {
    let env = Env::new();
    let pool = env.pool(json!({}));
    let (client, _) = env.client(&pool, json!({}));
    env.user(&pool, "pete", "Passw0rd!", json!({}));
    env.ok(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "pete"}),
    );
    let r = env.password_auth(&client, "pete", "Passw0rd!");
    assert_eq!(body(&r)["message"], "User is disabled.");
    env.ok(
        "AdminEnableUser",
        json!({"UserPoolId": pool, "Username": "pete"}),
    );
    assert_eq!(env.password_auth(&client, "pete", "Passw0rd!").status, 200);
    env.public_ok(
        "SignUp",
        json!({"ClientId": client, "Username": "quinn", "Password": "Passw0rd!"}),
    );
    let r = env.password_auth(&client, "quinn", "Passw0rd!");
    assert_eq!(body(&r)["__type"], "UserNotConfirmedException");
}
