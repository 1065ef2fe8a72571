#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Issued tokens: header, claim set, claim order and types, lifetimes, at_hash, hook rules.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use cognate_jwt::claims::{FederatedIdentity, ProviderType, RoleArn, UserGroup};
use cognate_jwt::hook::{AccessTokenOverride, GroupConfiguration, TokenClaimsOverride};
use cognate_jwt::jws::{parse_compact, DEFAULT_MAX_TOKEN_BYTES};
use cognate_jwt::keyset::{PoolKeys, RotationPolicy};
use cognate_jwt::{
    ClaimsOverride, HookError, HookVersion, IssueError, PreTokenGenerationEvent,
    PreTokenGenerationHook, ProtectedClaimPolicy, RefreshKey, SigningKey, TokenIssuer,
    TokenValidity, TriggerSource, UserClaims, UserTokenRequest,
};
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{
    AttributeName, ClientId, GroupName, IssuerUrl, KeyId, ManualClock, ProviderName, Scope, Scopes,
    Sub, TokenUse, UnixTime, UserPoolId, Username,
};
use serde_json::{json, Value};

const PEM_A: &str = include_str!("data/rsa2048-a.pem");
const PEM_B: &str = include_str!("data/rsa2048-b.pem");
const NOW: u64 = 1_700_000_000;

fn keys() -> PoolKeys {
    PoolKeys::from_keys(
        SigningKey::from_pem(PEM_A).unwrap(),
        SigningKey::from_pem(PEM_B).unwrap(),
        RefreshKey::from_bytes(KeyId::new("r1").unwrap(), [7; 32]),
        RotationPolicy::default(),
        UnixTime::from_secs(NOW - 86_400),
    )
    .unwrap()
}

fn pool() -> UserPoolId {
    UserPoolId::new("us-east-1_h6I5IqQSs").unwrap()
}

fn issuer() -> TokenIssuer {
    let pool = pool();
    TokenIssuer::new(
        pool.clone(),
        IssuerUrl::cognito(&pool),
        Arc::new(ManualClock::new(UnixTime::from_secs(NOW))),
        Arc::new(InsecureDeterministicRandom::new(42)),
    )
}

fn attr(n: &str) -> AttributeName {
    AttributeName::new(n).unwrap()
}

fn user() -> UserClaims {
    let role = |s: &str| Some(RoleArn::new(format!("arn:aws:iam::123456789012:role/{s}")).unwrap());
    let mut u = UserClaims::new(
        Sub::new("7dca9b92-746b-4406-9f7d-3e58cd7b247f").unwrap(),
        Username::new("google_117300206013007398924").unwrap(),
    );
    u.groups = vec![
        UserGroup {
            name: GroupName::new("us-east-1_h6I5IqQSs_Google").unwrap(),
            precedence: None,
            role_arn: None,
        },
        UserGroup {
            name: GroupName::new("admins").unwrap(),
            precedence: Some(1),
            role_arn: role("admin"),
        },
        UserGroup {
            name: GroupName::new("readers").unwrap(),
            precedence: Some(5),
            role_arn: role("reader"),
        },
    ];
    u.attributes = vec![
        (attr("email_verified"), "false".into()),
        (attr("given_name"), "David".into()),
        (attr("custom:user_id"), "331535".into()),
        (attr("dev:secret"), "never".into()),
        (attr("phone_number_verified"), "true".into()),
        (attr("updated_at"), "1673913190".into()),
        (attr("address"), "1 Main St".into()),
        (attr("email"), "d@example.com".into()),
    ];
    u.identities = vec![FederatedIdentity {
        user_id: "117300206013007398924".into(),
        provider_name: ProviderName::new("Google").unwrap(),
        provider_type: ProviderType::Google,
        issuer: None,
        primary: true,
        date_created_ms: 1_673_913_190_125,
    }];
    u
}

/// Verifies the signature with the pool's key for `use_`, checks the header bytes, and
/// returns the payload keys (in order) and the payload.
fn decode(keys: &PoolKeys, use_: TokenUse, token: &str) -> (Vec<String>, Value) {
    let jws = parse_compact(token, DEFAULT_MAX_TOKEN_BYTES).unwrap();
    let key = keys.active(use_);
    assert!(key
        .verifying_key()
        .verify_rs256(jws.signing_input.as_bytes(), &jws.signature));
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(header).unwrap(),
        format!("{{\"kid\":\"{}\",\"alg\":\"RS256\"}}", key.kid())
    );
    // serde_json's preserve_order is off: read the key order from the raw text.
    let raw = String::from_utf8(jws.payload.clone()).unwrap();
    let v: Value = serde_json::from_str(&raw).unwrap();
    let mut keys_in_order: Vec<(usize, String)> = v
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (raw.find(&format!("\"{k}\":")).unwrap(), k.clone()))
        .collect();
    keys_in_order.sort();
    (keys_in_order.into_iter().map(|(_, k)| k).collect(), v)
}

#[test]
fn oauth_sign_in_id_and_access_tokens() {
    let keys = keys();
    let iss = issuer();
    let client = ClientId::new("5d586se3r976435167nk8k8s4h").unwrap();
    let u = user();
    let scopes = Scopes::parse("openid profile rs.example/read").unwrap();
    let mut req = UserTokenRequest::new(&client, &u, &scopes);
    req.oauth = true;
    req.nonce = Some("Mm9K");
    req.trigger = TriggerSource::HostedAuth;
    req.validity = TokenValidity::default()
        .with_id(Duration::from_secs(300))
        .unwrap()
        .with_access(Duration::from_secs(86_400))
        .unwrap();
    req.with_refresh_token = true;
    let out = iss.issue_user_tokens(&keys, &req).unwrap();
    assert_eq!(out.expires_in, 86_400);
    assert!(out.refresh_token.is_some());

    let (order, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert_eq!(
        order,
        [
            "sub",
            "cognito:groups",
            "iss",
            "version",
            "client_id",
            "origin_jti",
            "event_id",
            "token_use",
            "scope",
            "auth_time",
            "exp",
            "iat",
            "jti",
            "username"
        ]
    );
    assert_eq!(at["sub"], json!(u.sub.as_str()));
    assert_eq!(
        at["cognito:groups"],
        json!(["us-east-1_h6I5IqQSs_Google", "admins", "readers"])
    );
    assert_eq!(
        at["iss"],
        json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_h6I5IqQSs")
    );
    assert_eq!(at["version"], json!(2));
    assert_eq!(at["client_id"], json!(client.as_str()));
    assert_eq!(at["token_use"], json!("access"));
    assert_eq!(at["scope"], json!("openid profile rs.example/read"));
    assert_eq!(at["auth_time"], json!(NOW));
    assert_eq!(at["iat"], json!(NOW));
    assert_eq!(
        at["exp"].as_u64().unwrap() - at["iat"].as_u64().unwrap(),
        86_400
    );
    assert_eq!(at["username"], json!(u.username.as_str()));
    assert!(at.get("aud").is_none() && at.get("nbf").is_none());

    let id_token = out.id_token.as_deref().unwrap();
    let (order, idt) = decode(&keys, TokenUse::Id, id_token);
    assert_eq!(
        order,
        [
            "at_hash",
            "sub",
            "cognito:groups",
            "email_verified",
            "iss",
            "cognito:username",
            "given_name",
            "custom:user_id",
            "phone_number_verified",
            "updated_at",
            "address",
            "email",
            "nonce",
            "origin_jti",
            "cognito:roles",
            "cognito:preferred_role",
            "aud",
            "identities",
            "event_id",
            "token_use",
            "auth_time",
            "exp",
            "iat",
            "jti"
        ]
    );
    assert_eq!(idt["email_verified"], json!(false));
    assert_eq!(idt["phone_number_verified"], json!(true));
    assert_eq!(idt["custom:user_id"], json!("331535"));
    assert_eq!(idt["updated_at"], json!(1_673_913_190u64));
    assert_eq!(idt["address"], json!({"formatted": "1 Main St"}));
    assert!(idt.get("dev:secret").is_none());
    assert_eq!(idt["nonce"], json!("Mm9K"));
    assert_eq!(idt["aud"], json!(client.as_str()));
    assert_eq!(idt["token_use"], json!("id"));
    assert_eq!(
        idt["cognito:roles"],
        json!([
            "arn:aws:iam::123456789012:role/admin",
            "arn:aws:iam::123456789012:role/reader"
        ])
    );
    assert_eq!(
        idt["cognito:preferred_role"],
        json!("arn:aws:iam::123456789012:role/admin")
    );
    assert_eq!(
        idt["identities"],
        json!([{"userId":"117300206013007398924","providerName":"Google","providerType":"Google",
                "issuer":null,"primary":"true","dateCreated":"1673913190125"}])
    );
    assert_eq!(
        idt["exp"].as_u64().unwrap() - idt["iat"].as_u64().unwrap(),
        300
    );
    // Shared between the two tokens: event_id and origin_jti; jti differs.
    assert_eq!(idt["event_id"], at["event_id"]);
    assert_eq!(idt["origin_jti"], at["origin_jti"]);
    assert_ne!(idt["jti"], at["jti"]);
    assert_eq!(
        out.event_id.as_ref().unwrap().as_str(),
        at["event_id"].as_str().unwrap()
    );
    // at_hash = base64url(left half of SHA-256(access token ASCII)).
    let digest = sha256::digest(out.access_token.as_bytes());
    assert_eq!(
        idt["at_hash"],
        json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]))
    );
    // The two tokens are signed by different keys (Cognito's two rings).
    let kid = |t: &str| parse_compact(t, 99_999).unwrap().header.kid.unwrap();
    assert_ne!(kid(id_token), kid(&out.access_token));
}

mod sha256 {
    //! FIPS 180-4 SHA-256, for checking `at_hash` independently of the library.
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub(super) fn digest(data: &[u8]) -> [u8; 32] {
        let mut h: [u32; 8] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
            0x5be0cd19,
        ];
        let mut msg = data.to_vec();
        msg.push(0x80);
        while msg.len() % 64 != 56 {
            msg.push(0);
        }
        msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
        for block in msg.chunks(64) {
            let mut w = [0u32; 64];
            for i in 0..16 {
                w[i] = u32::from_be_bytes(block[i * 4..i * 4 + 4].try_into().unwrap());
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let mut v = h;
            for i in 0..64 {
                let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
                let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
                let t1 = v[7]
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(K[i])
                    .wrapping_add(w[i]);
                let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
                let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
                let t2 = s0.wrapping_add(maj);
                v = [
                    t1.wrapping_add(t2),
                    v[0],
                    v[1],
                    v[2],
                    v[3].wrapping_add(t1),
                    v[4],
                    v[5],
                    v[6],
                ];
            }
            for i in 0..8 {
                h[i] = h[i].wrapping_add(v[i]);
            }
        }
        let mut out = [0u8; 32];
        for (i, x) in h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
        }
        out
    }

    #[test]
    fn abc() {
        assert_eq!(digest(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}

#[test]
fn api_sign_in_minimal_user_and_single_tokens() {
    let keys = keys();
    let iss = issuer();
    let client = ClientId::new("client1").unwrap();
    let u = UserClaims::new(
        Sub::new("dea6a10f-8994-4a46-8a60-02983d63b50a").unwrap(),
        Username::new("alice").unwrap(),
    );
    let scopes = Scopes::parse(Scope::COGNITO_ADMIN).unwrap();
    let req = UserTokenRequest::new(&client, &u, &scopes);
    let out = iss.issue_user_tokens(&keys, &req).unwrap();
    let (order, idt) = decode(&keys, TokenUse::Id, out.id_token.as_deref().unwrap());
    assert_eq!(
        order,
        [
            "sub",
            "iss",
            "cognito:username",
            "origin_jti",
            "aud",
            "event_id",
            "token_use",
            "auth_time",
            "exp",
            "iat",
            "jti"
        ]
    );
    assert!(idt.get("at_hash").is_none());
    let (_, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert_eq!(at["scope"], json!("aws.cognito.signin.user.admin"));
    assert!(at.get("cognito:groups").is_none());

    // One token at a time (the CLI's `token mint`), with a device key and a fixed family.
    let device =
        cognate_jwt::DeviceKey::new("us-east-1_0a1b2c3d-0000-4000-8000-000000000000").unwrap();
    let fam = cognate_types::TokenId::new("04ee7dcf-0000-4000-8000-000000000000").unwrap();
    let mut req = UserTokenRequest::new(&client, &u, &scopes);
    req.device_key = Some(&device);
    req.origin_jti = Some(&fam);
    req.auth_time = Some(UnixTime::from_secs(NOW - 50));
    let at = iss.issue_access_token(&keys, &req).unwrap();
    let (order, at) = decode(&keys, TokenUse::Access, &at);
    assert_eq!(order[..2], ["sub", "device_key"]);
    assert_eq!(at["origin_jti"], json!(fam.as_str()));
    assert_eq!(at["auth_time"], json!(NOW - 50));
    let id = iss.issue_id_token(&keys, &req).unwrap();
    let (_, idt) = decode(&keys, TokenUse::Id, &id);
    assert_eq!(idt["origin_jti"], json!(fam.as_str()));
    assert!(idt.get("device_key").is_none());
}

#[test]
fn client_credentials_token() {
    let keys = keys();
    let iss = issuer();
    let client = ClientId::new("m2mclient").unwrap();
    let scopes = Scopes::parse("rs.example/read rs.example/write").unwrap();
    let out = iss
        .issue_client_credentials(&keys, &client, &scopes, Duration::from_secs(3600))
        .unwrap();
    assert!(out.id_token.is_none() && out.refresh_token.is_none());
    let (order, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert_eq!(
        order,
        [
            "sub",
            "token_use",
            "scope",
            "auth_time",
            "iss",
            "exp",
            "iat",
            "version",
            "jti",
            "client_id"
        ]
    );
    assert_eq!(at["sub"], json!("m2mclient"));
    assert_eq!(at["client_id"], json!("m2mclient"));
    assert_eq!(at["version"], json!(2));
    assert!(at.get("username").is_none());
}

#[test]
fn same_seed_same_tokens_and_local_issuer() {
    let keys = keys();
    let pool = pool();
    let mk = || {
        TokenIssuer::new(
            pool.clone(),
            IssuerUrl::for_pool_under("http://127.0.0.1:9229", &pool).unwrap(),
            Arc::new(ManualClock::new(UnixTime::from_secs(NOW))),
            Arc::new(InsecureDeterministicRandom::new(7)),
        )
    };
    let client = ClientId::new("c").unwrap();
    let u = user();
    let scopes = Scopes::new();
    let req = UserTokenRequest::new(&client, &u, &scopes);
    let a = mk().issue_user_tokens(&keys, &req).unwrap();
    let b = mk().issue_user_tokens(&keys, &req).unwrap();
    assert_eq!(a.access_token, b.access_token);
    assert_eq!(a.id_token, b.id_token);
    let (_, at) = decode(&keys, TokenUse::Access, &a.access_token);
    assert_eq!(
        at["iss"],
        json!("http://127.0.0.1:9229/us-east-1_h6I5IqQSs")
    );
    assert!(at.get("scope").is_none());
}

struct Hook(HookVersion, ClaimsOverride);

impl PreTokenGenerationHook for Hook {
    fn version(&self) -> HookVersion {
        self.0
    }
    fn pre_token_generation(
        &self,
        event: &PreTokenGenerationEvent<'_>,
    ) -> Result<ClaimsOverride, HookError> {
        if event.client_id.as_str() == "fail" {
            return Err(HookError::Failed("boom".into()));
        }
        Ok(self.1.clone())
    }
}

fn hooked(version: HookVersion, o: ClaimsOverride) -> TokenIssuer {
    issuer().with_hook(Arc::new(Hook(version, o)))
}

#[test]
fn hook_adds_overrides_suppresses_and_protected_claims_are_ignored() {
    let keys = keys();
    let client = ClientId::new("c1").unwrap();
    let u = user();
    let scopes = Scopes::parse("openid rs/read rs/admin").unwrap();
    let o = ClaimsOverride {
        id_token: TokenClaimsOverride {
            claims_to_add_or_override: vec![
                ("given_name".into(), json!("Dave")),
                ("tenant".into(), json!({"id": 7, "tags": ["a"]})),
                ("sub".into(), json!("attacker")),
                ("email".into(), json!("x@y")),
            ],
            claims_to_suppress: vec!["email".into(), "iss".into()],
        },
        access_token: AccessTokenOverride {
            claims: TokenClaimsOverride {
                claims_to_add_or_override: vec![
                    ("aud".into(), json!("c1")),
                    ("plan".into(), json!("gold")),
                    ("scope".into(), json!("everything")),
                ],
                claims_to_suppress: vec!["username".into()],
            },
            scopes_to_add: vec![Scope::new("rs/write").unwrap()],
            scopes_to_suppress: vec![Scope::new("rs/admin").unwrap()],
        },
        group_override: Some(GroupConfiguration {
            groups_to_override: vec![GroupName::new("g-x").unwrap()],
            iam_roles_to_override: vec![],
            preferred_role: None,
        }),
    };
    let iss = hooked(HookVersion::V2, o.clone());
    let req = UserTokenRequest::new(&client, &u, &scopes);
    let out = iss.issue_user_tokens(&keys, &req).unwrap();
    assert_eq!(out.ignored_hook_claims, ["sub", "iss", "scope", "username"]);
    let (order, idt) = decode(&keys, TokenUse::Id, out.id_token.as_deref().unwrap());
    assert_eq!(idt["given_name"], json!("Dave"));
    assert_eq!(idt["sub"], json!(u.sub.as_str()));
    assert!(idt.get("email").is_none(), "suppress wins over override");
    assert!(idt["iss"].is_string());
    assert_eq!(idt["tenant"], json!({"id": 7, "tags": ["a"]}));
    assert_eq!(order.last().unwrap(), "tenant");
    assert_eq!(idt["cognito:groups"], json!(["g-x"]));
    assert!(idt.get("cognito:roles").is_none());
    let (order, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert_eq!(at["aud"], json!("c1"));
    assert_eq!(at["plan"], json!("gold"));
    assert_eq!(at["scope"], json!("openid rs/read rs/write"));
    assert_eq!(at["username"], json!(u.username.as_str()));
    assert_eq!(at["cognito:groups"], json!(["g-x"]));
    assert_eq!(order[order.len() - 2..], ["aud", "plan"]);

    // Under the Reject policy the same hook fails the issuance with a typed error.
    let strict = hooked(HookVersion::V2, o.clone())
        .with_protected_claim_policy(ProtectedClaimPolicy::Reject);
    assert_eq!(
        strict.issue_user_tokens(&keys, &req).unwrap_err(),
        IssueError::Hook(HookError::ProtectedClaim {
            token: TokenUse::Id,
            claim: "sub".into()
        })
    );

    // V1 hooks change the ID token only (and need string values).
    let v1 = ClaimsOverride {
        id_token: TokenClaimsOverride {
            claims_to_add_or_override: vec![("tenant".into(), json!("t1"))],
            claims_to_suppress: vec![],
        },
        access_token: o.access_token.clone(),
        group_override: None,
    };
    let out = hooked(HookVersion::V1, v1.clone())
        .issue_user_tokens(&keys, &req)
        .unwrap();
    let (_, idt) = decode(&keys, TokenUse::Id, out.id_token.as_deref().unwrap());
    assert_eq!(idt["tenant"], json!("t1"));
    let (_, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert!(at.get("plan").is_none());
    assert_eq!(at["scope"], json!("openid rs/read rs/admin"));
    let mut bad_v1 = v1;
    bad_v1.id_token.claims_to_add_or_override = vec![("n".into(), json!(1))];
    assert_eq!(
        hooked(HookVersion::V1, bad_v1)
            .issue_user_tokens(&keys, &req)
            .unwrap_err(),
        IssueError::Hook(HookError::InvalidClaimValue { claim: "n".into() })
    );

    // An access-token aud other than the client is refused; hook failures propagate.
    let mut bad_aud = o.clone();
    bad_aud.access_token.claims.claims_to_add_or_override = vec![("aud".into(), json!("x"))];
    assert_eq!(
        hooked(HookVersion::V2, bad_aud)
            .issue_user_tokens(&keys, &req)
            .unwrap_err(),
        IssueError::Hook(HookError::AccessAudience)
    );
    let fail = ClientId::new("fail").unwrap();
    let req_fail = UserTokenRequest::new(&fail, &u, &scopes);
    assert!(matches!(
        hooked(HookVersion::V2, o.clone()).issue_user_tokens(&keys, &req_fail),
        Err(IssueError::Hook(HookError::Failed(_)))
    ));

    // M2M tokens are customised by V3 hooks only.
    let m2m_scopes = Scopes::parse("rs/read").unwrap();
    let out = hooked(HookVersion::V2, o.clone())
        .issue_client_credentials(&keys, &client, &m2m_scopes, Duration::from_secs(600))
        .unwrap();
    let (_, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert!(at.get("plan").is_none());
    let out = hooked(HookVersion::V3, o)
        .issue_client_credentials(&keys, &client, &m2m_scopes, Duration::from_secs(600))
        .unwrap();
    let (_, at) = decode(&keys, TokenUse::Access, &out.access_token);
    assert_eq!(at["plan"], json!("gold"));
    assert_eq!(at["scope"], json!("rs/read rs/write"));
}

#[test]
fn empty_group_override_removes_group_claims() {
    let keys = keys();
    let client = ClientId::new("c1").unwrap();
    let u = user();
    let scopes = Scopes::new();
    let o = ClaimsOverride {
        group_override: Some(GroupConfiguration::default()),
        ..Default::default()
    };
    let out = hooked(HookVersion::V2, o)
        .issue_user_tokens(&keys, &UserTokenRequest::new(&client, &u, &scopes))
        .unwrap();
    let (_, idt) = decode(&keys, TokenUse::Id, out.id_token.as_deref().unwrap());
    for c in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
        assert!(idt.get(c).is_none(), "{c}");
    }
}
