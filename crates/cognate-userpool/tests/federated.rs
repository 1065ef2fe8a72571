#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Users an upstream identity provider vouches for (`federated_sign_in`): the
//! `{Provider}_{id}` user, attribute mapping rewritten at each sign-in, the `identities`
//! attribute and claim, the automatic group, required attributes, disabled users, and no
//! silent merge with a native user or a case-variant ID.

use std::collections::BTreeMap;
use std::sync::Arc;

use cognate_types::{ManualClock, Scopes, UnixTime};
use cognate_userpool::api::handle;
use cognate_userpool::model::{AppClient, UserPool, UserStatus};
use cognate_userpool::service::{
    Caller, ErrorKind, FederatedSignIn, OAuthGrant, PasswordHasher, UserPools, UserPoolsConfig,
};
use cognate_userpool::store::{EphemeralKind, Store};
use serde_json::{json, Value};

const START: u64 = 1_760_000_000;

fn ok(engine: &UserPools, op: &str, body: Value) -> Value {
    let r = handle(
        engine,
        &format!("AWSCognitoIdentityProviderService.{op}"),
        body.to_string().as_bytes(),
        &Caller::Admin {
            access_key_id: "AKIDTEST".into(),
        },
    );
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(r.status, 200, "{op}: {v}");
    v
}

struct Env {
    engine: UserPools,
    pool: UserPool,
    client: AppClient,
}

fn env(pool_extra: Value) -> Env {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(START)));
    let engine = UserPools::builder(Store::memory())
        .clock(clock)
        .config(UserPoolsConfig {
            hasher: PasswordHasher::insecure_fast_for_tests(),
            ..Default::default()
        })
        .build();
    let mut body = json!({
        "PoolName": "fed",
        "Schema": [{"Name": "dept", "AttributeDataType": "String", "Mutable": true}],
    });
    body.as_object_mut()
        .unwrap()
        .extend(pool_extra.as_object().unwrap().clone());
    let pool_id = ok(&engine, "CreateUserPool", body)["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &engine,
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool_id, "ProviderName": "Corp", "ProviderType": "SAML",
            "ProviderDetails": {"MetadataFile": "<md/>"},
            "AttributeMapping": {"email": "mail", "custom:dept": "department", "name": "NameID"},
        }),
    );
    let c = ok(
        &engine,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id, "ClientName": "web",
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": ["https://app.example/cb"],
            "SupportedIdentityProviders": ["Corp"],
        }),
    );
    let pool = engine.pool(&pool_id).unwrap();
    let client = engine
        .client_in_pool(&pool, c["UserPoolClient"]["ClientId"].as_str().unwrap())
        .unwrap();
    Env {
        engine,
        pool,
        client,
    }
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sign_in(
    e: &Env,
    user_id: &str,
    a: &BTreeMap<String, String>,
) -> Result<cognate_userpool::model::User, ErrorKind> {
    e.engine
        .federated_sign_in(
            e.pool.id.as_str(),
            &FederatedSignIn {
                provider: "Corp",
                user_id,
                issuer: Some("https://idp.example/md"),
                attributes: a,
            },
        )
        .map_err(|err| err.kind)
}

fn id_token_claims(e: &Env, user: &cognate_userpool::model::User) -> Value {
    let scopes: Scopes = "openid email".parse().unwrap();
    let (tokens, _) = e
        .engine
        .oauth_tokens(
            &e.pool,
            &e.client,
            user,
            &OAuthGrant {
                scopes: &scopes,
                nonce: None,
                auth_time: UnixTime::from_secs(START),
                refresh_token: false,
            },
        )
        .unwrap();
    let id = tokens.id_token.unwrap();
    let payload = id.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn first_sign_in_creates_the_user_with_identities_and_group() {
    let e = env(json!({}));
    let u = sign_in(
        &e,
        "Alice@Corp",
        &attrs(&[
            ("mail", "alice@corp.example"),
            ("department", "[r&d, ops]"),
            ("ignored", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(u.username.as_str(), "Corp_Alice@Corp");
    assert_eq!(u.status, UserStatus::ExternalProvider);
    assert_eq!(u.attribute("email"), Some("alice@corp.example"));
    assert_eq!(u.attribute("custom:dept"), Some("[r&d, ops]"));
    // `NameID` in a mapping stands for the provider's user ID.
    assert_eq!(u.attribute("name"), Some("Alice@Corp"));
    assert_eq!(u.attribute("ignored"), None);
    assert!(u.password.is_none());

    let claims = id_token_claims(&e, &u);
    assert_eq!(claims["cognito:username"], "Corp_Alice@Corp");
    let group = format!("{}_Corp", e.pool.id);
    assert_eq!(claims["cognito:groups"], json!([group]));
    let ids = &claims["identities"][0];
    assert_eq!(ids["userId"], "Alice@Corp");
    assert_eq!(ids["providerName"], "Corp");
    assert_eq!(ids["providerType"], "SAML");
    assert_eq!(ids["issuer"], "https://idp.example/md");
    assert_eq!(ids["primary"], "true");
    assert_eq!(ids["dateCreated"], (START * 1000).to_string());
    // The group exists as a pool group, with Cognito's description.
    let g = ok(
        &e.engine,
        "GetGroup",
        json!({"UserPoolId": e.pool.id.as_str(), "GroupName": group}),
    );
    assert!(g["Group"]["Description"]
        .as_str()
        .unwrap()
        .contains("Autogenerated"));
}

#[test]
fn later_sign_ins_rewrite_mapped_attributes_and_keep_the_rest() {
    let e = env(json!({}));
    let first = sign_in(
        &e,
        "bob",
        &attrs(&[("mail", "bob@corp.example"), ("department", "sales")]),
    )
    .unwrap();
    // The department is not sent this time: it keeps its value; the e-mail changes.
    let second = sign_in(&e, "bob", &attrs(&[("mail", "robert@corp.example")])).unwrap();
    assert_eq!(second.sub, first.sub);
    assert_eq!(second.attribute("email"), Some("robert@corp.example"));
    assert_eq!(second.attribute("custom:dept"), Some("sales"));
    assert_eq!(
        second.attribute("identities"),
        first.attribute("identities")
    );
}

#[test]
fn required_attributes_must_be_mapped() {
    let e = env(json!({"Schema": [
        {"Name": "dept", "AttributeDataType": "String", "Mutable": true},
        {"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true},
    ]}));
    assert_eq!(
        sign_in(&e, "carol", &attrs(&[("department", "x")])).unwrap_err(),
        ErrorKind::InvalidParameter
    );
    assert!(e
        .engine
        .store()
        .get_user(&e.pool, "Corp_carol")
        .unwrap()
        .is_none());
    sign_in(&e, "carol", &attrs(&[("mail", "carol@corp.example")])).unwrap();
}

#[test]
fn values_cognito_refuses_are_refused() {
    let e = env(json!({}));
    let long = "a".repeat(2049);
    assert_eq!(
        sign_in(&e, "dave", &attrs(&[("mail", &long)])).unwrap_err(),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        sign_in(&e, "dave", &attrs(&[("department", "rocket \u{1F680}")])).unwrap_err(),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        sign_in(&e, "", &attrs(&[])).unwrap_err(),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        sign_in(&e, "has space", &attrs(&[])).unwrap_err(),
        ErrorKind::InvalidParameter
    );
}

#[test]
fn disabled_users_cannot_sign_in() {
    let e = env(json!({}));
    sign_in(&e, "erin", &attrs(&[])).unwrap();
    ok(
        &e.engine,
        "AdminDisableUser",
        json!({"UserPoolId": e.pool.id.as_str(), "Username": "Corp_erin"}),
    );
    assert_eq!(
        sign_in(&e, "erin", &attrs(&[])).unwrap_err(),
        ErrorKind::NotAuthorized
    );
}

#[test]
fn no_silent_merge_with_a_native_user_or_a_case_variant() {
    // A case-insensitive pool: `Corp_frank` and `Corp_FRANK` are one username.
    let e = env(json!({"UsernameConfiguration": {"CaseSensitive": false}}));
    sign_in(&e, "frank", &attrs(&[])).unwrap();
    assert_eq!(
        sign_in(&e, "FRANK", &attrs(&[])).unwrap_err(),
        ErrorKind::NotAuthorized
    );
    // A native user who happens to have the federated username.
    ok(
        &e.engine,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool.id.as_str(), "Username": "Corp_grace", "MessageAction": "SUPPRESS"}),
    );
    assert_eq!(
        sign_in(&e, "grace", &attrs(&[])).unwrap_err(),
        ErrorKind::NotAuthorized
    );
}

#[test]
fn a_federated_email_does_not_collide_with_a_native_sign_in_name() {
    // E-mail as username: the native user's e-mail is a sign-in name; the federated user's
    // copy of it is not, and must not be refused as a duplicate.
    let e = env(json!({"UsernameAttributes": ["email"]}));
    ok(
        &e.engine,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool.id.as_str(), "Username": "heidi@corp.example",
               "MessageAction": "SUPPRESS"}),
    );
    let u = sign_in(&e, "heidi", &attrs(&[("mail", "heidi@corp.example")])).unwrap();
    assert_eq!(u.username.as_str(), "Corp_heidi");
    let native = e
        .engine
        .store()
        .find_user_for_sign_in(&e.pool, "heidi@corp.example")
        .unwrap()
        .unwrap();
    assert_ne!(native.sub, u.sub);
}

#[test]
fn unknown_provider_is_not_found() {
    let e = env(json!({}));
    let err = e
        .engine
        .federated_sign_in(
            e.pool.id.as_str(),
            &FederatedSignIn {
                provider: "Nope",
                user_id: "x",
                issuer: None,
                attributes: &BTreeMap::new(),
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResourceNotFound);
}

#[test]
fn insert_once_is_a_replay_cache() {
    let e = env(json!({}));
    let s = e.engine.store();
    let now = UnixTime::from_secs(START);
    let later = UnixTime::from_secs(START + 60);
    assert!(s
        .insert_ephemeral_once(EphemeralKind::Federation, "id-1", b"", later, now)
        .unwrap());
    assert!(!s
        .insert_ephemeral_once(EphemeralKind::Federation, "id-1", b"", later, now)
        .unwrap());
    // Once expired, the key may be used again.
    assert!(s
        .insert_ephemeral_once(
            EphemeralKind::Federation,
            "id-1",
            b"",
            UnixTime::from_secs(START + 120),
            later
        )
        .unwrap());
}
