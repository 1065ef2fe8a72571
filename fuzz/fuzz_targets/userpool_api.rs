//! The user-pools JSON API never panics and never answers 500 on any request: the input picks
//! an operation (public or admin caller) and supplies its body as raw bytes. Every answer is
//! 200 with a JSON body, or a 4xx whose body is `{"__type", "message"}` matching the
//! `x-amzn-ErrorType` header value.
//!
//! One engine (memory store, a pool, a client, a user) is shared by all runs, so state built by
//! earlier inputs (users, groups, sessions) is there for later ones.
#![no_main]

use std::sync::OnceLock;

use cognate_types::{ClientId, UserPoolId};
use cognate_userpool::api::handle;
use cognate_userpool::model::{AppClient, ExplicitAuthFlow, UserPool};
use cognate_userpool::service::{Caller, PasswordHasher, UserPools, UserPoolsConfig};
use cognate_userpool::store::Store;
use libfuzzer_sys::fuzz_target;

/// Operations to pick from (the first byte of the input), with one unknown name.
const OPS: &[&str] = &[
    "InitiateAuth",
    "RespondToAuthChallenge",
    "AdminInitiateAuth",
    "AdminRespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "RevokeToken",
    "GlobalSignOut",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
    "SignUp",
    "ConfirmSignUp",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "GetUser",
    "UpdateUserAttributes",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "AdminUpdateUserAttributes",
    "AdminAddUserToGroup",
    "ListUsers",
    "CreateUserPoolClient",
    "UpdateUserPoolClient",
    "CreateGroup",
    "CreateResourceServer",
    "CreateIdentityProvider",
    "UpdateUserPool",
    "SetUserPoolMfaConfig",
    "CreateUserPoolDomain",
    "NoSuchOperation",
];

fn engine() -> &'static UserPools {
    static ENGINE: OnceLock<UserPools> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = UserPools::builder(Store::memory())
            .config(UserPoolsConfig {
                hasher: PasswordHasher::insecure_fast_for_tests(),
                ..Default::default()
            })
            .build();
        let now = engine.now();
        let pool_id = UserPoolId::new("us-east-1_Fuzz00001").expect("pool id");
        engine
            .store()
            .create_pool(&UserPool::new(pool_id.clone(), "fuzz", now))
            .expect("pool");
        let client_id = ClientId::new("fuzzclient000000000000000a").expect("client id");
        let mut client = AppClient::new(pool_id, client_id, "fuzz", now);
        client.explicit_auth_flows = vec![
            ExplicitAuthFlow::AllowUserPasswordAuth,
            ExplicitAuthFlow::AllowUserSrpAuth,
            ExplicitAuthFlow::AllowRefreshTokenAuth,
            ExplicitAuthFlow::AllowAdminUserPasswordAuth,
        ];
        engine.store().create_client(&client).expect("client");
        engine
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let op = OPS[usize::from(selector & 0x7f) % OPS.len()];
    let caller = if selector & 0x80 != 0 {
        Caller::Admin {
            access_key_id: "fuzz".to_owned(),
        }
    } else {
        Caller::Anonymous
    };
    let target = format!("AWSCognitoIdentityProviderService.{op}");
    let r = handle(engine(), &target, body, &caller);
    assert_ne!(
        r.status, 500,
        "{op}: internal error for input {body:?}: {}",
        r.body
    );
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("response body is JSON");
    if r.status == 200 {
        assert!(r.error_type.is_none());
        assert!(v.is_object(), "{op}: {}", r.body);
    } else {
        assert!((400..500).contains(&r.status), "{op}: status {}", r.status);
        let kind = v["__type"].as_str().expect("__type");
        assert_eq!(Some(kind), r.error_type, "{op}");
        assert!(v["message"].is_string(), "{op}: {}", r.body);
    }
});
