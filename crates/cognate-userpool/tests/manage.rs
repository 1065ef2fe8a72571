#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The management operations driven through `api::handle` with the JSON bodies the SDKs send:
//! pools, app clients, groups, resource servers, identity providers, domains, MFA settings and
//! tags. Every response is checked against the API model's output shape (member names and JSON
//! kinds), and every error path against Cognito's exception name.

mod manage_shapes;

use std::sync::Arc;
use std::time::Duration;

use cognate_types::{ManualClock, UnixTime};
use cognate_userpool::api::{handle, TARGET_PREFIX};
use cognate_userpool::service::{Caller, PasswordHasher, UserPools, UserPoolsConfig};
use cognate_userpool::store::Store;
use serde_json::{json, Value};

const T0: u64 = 1_700_000_000;
const MISSING_POOL: &str = "us-east-1_Missing00";

struct Api {
    engine: UserPools,
    clock: Arc<ManualClock>,
}

fn api() -> Api {
    api_with(UserPoolsConfig {
        hasher: PasswordHasher::insecure_fast_for_tests(),
        ..Default::default()
    })
}

fn api_with(config: UserPoolsConfig) -> Api {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(T0)));
    let engine = UserPools::builder(Store::memory())
        .clock(clock.clone())
        .config(config)
        .build();
    Api { engine, clock }
}

fn admin() -> Caller {
    Caller::Admin {
        access_key_id: "AKIDEXAMPLE".to_owned(),
    }
}

impl Api {
    fn raw(&self, op: &str, body: &[u8], caller: &Caller) -> (u16, Value, Option<&'static str>) {
        let r = handle(&self.engine, &format!("{TARGET_PREFIX}{op}"), body, caller);
        let v: Value = serde_json::from_str(&r.body).expect("responses are JSON");
        (r.status, v, r.error_type)
    }

    /// Runs an operation that must succeed; checks the response against the output shape.
    #[track_caller]
    fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v, _) = self.raw(op, body.to_string().as_bytes(), &admin());
        assert_eq!(status, 200, "{op} failed: {v}");
        match manage_shapes::output_of(op) {
            Some(shape) => manage_shapes::conforms(shape, &v, op),
            None => assert_eq!(v, json!({}), "{op} has no output"),
        }
        v
    }

    /// Runs an operation of another part of the API (no shape table here) that must succeed.
    #[track_caller]
    fn other_ok(&self, op: &str, body: Value) -> Value {
        let (status, v, _) = self.raw(op, body.to_string().as_bytes(), &admin());
        assert_eq!(status, 200, "{op} failed: {v}");
        v
    }

    /// Runs an operation that must fail; returns the exception name and message.
    #[track_caller]
    fn fail(&self, op: &str, body: Value) -> (String, String) {
        let (status, v, error_type) = self.raw(op, body.to_string().as_bytes(), &admin());
        assert_ne!(status, 200, "{op} should have failed: {v}");
        assert_eq!(status, 400, "{op}: {v}");
        let kind = v["__type"].as_str().expect("__type").to_owned();
        assert_eq!(error_type, Some(kind.as_str()));
        (kind, v["message"].as_str().expect("message").to_owned())
    }

    /// An InvalidParameterException whose message contains `needle`.
    #[track_caller]
    fn invalid(&self, op: &str, body: Value, needle: &str) {
        let (kind, message) = self.fail(op, body);
        assert_eq!(kind, "InvalidParameterException", "{op}: {message}");
        assert!(
            message.contains(needle),
            "{op}: message {message:?} lacks {needle:?}"
        );
    }

    #[track_caller]
    fn not_found(&self, op: &str, body: Value) {
        let (kind, message) = self.fail(op, body);
        assert_eq!(kind, "ResourceNotFoundException", "{op}: {message}");
    }

    #[track_caller]
    fn pool(&self, body: Value) -> String {
        let v = self.ok("CreateUserPool", body);
        v["UserPool"]["Id"].as_str().unwrap().to_owned()
    }

    fn simple_pool(&self, name: &str) -> String {
        self.pool(json!({ "PoolName": name }))
    }

    #[track_caller]
    fn describe(&self, pool: &str) -> Value {
        self.ok("DescribeUserPool", json!({ "UserPoolId": pool }))["UserPool"].clone()
    }

    fn pool_count(&self) -> usize {
        self.ok("ListUserPools", json!({ "MaxResults": 60 }))["UserPools"]
            .as_array()
            .unwrap()
            .len()
    }
}

fn schema_entry<'a>(pool: &'a Value, name: &str) -> &'a Value {
    pool["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

/// Follows NextToken through a listing and returns every item.
fn collect_pages(api: &Api, op: &str, mut body: Value, items: &str, page: usize) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let v = api.ok(op, body.clone());
        let got = v[items].as_array().unwrap();
        assert!(got.len() <= page, "{op}: page of {} > {page}", got.len());
        out.extend(got.iter().cloned());
        match v.get("NextToken").and_then(Value::as_str) {
            Some(t) => {
                assert_eq!(got.len(), page, "{op}: a short page must be the last");
                body["NextToken"] = json!(t);
            }
            None => return out,
        }
    }
}

// ---- access ----------------------------------------------------------------------------

#[test]
fn anonymous_callers_get_missing_authentication_token() {
    let api = api();
    for (op, _) in manage_shapes::OUTPUTS {
        let (status, v, error_type) = api.raw(
            op,
            json!({ "PoolName": "p", "UserPoolId": MISSING_POOL, "MaxResults": 10 })
                .to_string()
                .as_bytes(),
            &Caller::Anonymous,
        );
        assert_eq!(status, 400, "{op}");
        assert_eq!(v["__type"], "MissingAuthenticationTokenException", "{op}");
        assert_eq!(error_type, Some("MissingAuthenticationTokenException"));
    }
    assert_eq!(
        api.pool_count(),
        0,
        "an anonymous CreateUserPool created nothing"
    );
}

#[test]
fn bodies_that_are_not_the_operations_json() {
    let api = api();
    let (status, v, _) = api.raw("CreateUserPool", b"{not json", &admin());
    assert_eq!(
        (status, v["__type"].as_str()),
        (400, Some("SerializationException"))
    );
    api.invalid(
        "CreateUserPool",
        json!({ "PoolName": 5 }),
        "validation error",
    );
    api.invalid(
        "CreateUserPool",
        json!({ "PoolName": "p", "Schema": "x" }),
        "",
    );
    assert_eq!(api.pool_count(), 0);
}

#[test]
fn operations_on_a_missing_pool_are_resource_not_found() {
    let api = api();
    let p = MISSING_POOL;
    let cases = [
        ("DescribeUserPool", json!({ "UserPoolId": p })),
        ("UpdateUserPool", json!({ "UserPoolId": p })),
        ("DeleteUserPool", json!({ "UserPoolId": p })),
        (
            "AddCustomAttributes",
            json!({ "UserPoolId": p, "CustomAttributes": [{ "Name": "a", "AttributeDataType": "String" }] }),
        ),
        ("GetUserPoolMfaConfig", json!({ "UserPoolId": p })),
        (
            "SetUserPoolMfaConfig",
            json!({ "UserPoolId": p, "MfaConfiguration": "OFF" }),
        ),
        (
            "CreateUserPoolClient",
            json!({ "UserPoolId": p, "ClientName": "c" }),
        ),
        (
            "DescribeUserPoolClient",
            json!({ "UserPoolId": p, "ClientId": "abc" }),
        ),
        (
            "UpdateUserPoolClient",
            json!({ "UserPoolId": p, "ClientId": "abc" }),
        ),
        (
            "DeleteUserPoolClient",
            json!({ "UserPoolId": p, "ClientId": "abc" }),
        ),
        ("ListUserPoolClients", json!({ "UserPoolId": p })),
        ("CreateGroup", json!({ "UserPoolId": p, "GroupName": "g" })),
        ("GetGroup", json!({ "UserPoolId": p, "GroupName": "g" })),
        ("UpdateGroup", json!({ "UserPoolId": p, "GroupName": "g" })),
        ("DeleteGroup", json!({ "UserPoolId": p, "GroupName": "g" })),
        ("ListGroups", json!({ "UserPoolId": p })),
        (
            "CreateResourceServer",
            json!({ "UserPoolId": p, "Identifier": "api", "Name": "n" }),
        ),
        (
            "DescribeResourceServer",
            json!({ "UserPoolId": p, "Identifier": "api" }),
        ),
        (
            "UpdateResourceServer",
            json!({ "UserPoolId": p, "Identifier": "api", "Name": "n" }),
        ),
        (
            "DeleteResourceServer",
            json!({ "UserPoolId": p, "Identifier": "api" }),
        ),
        ("ListResourceServers", json!({ "UserPoolId": p })),
        (
            "CreateIdentityProvider",
            json!({ "UserPoolId": p, "ProviderName": "Okta", "ProviderType": "SAML", "ProviderDetails": { "MetadataURL": "https://idp.example/m" } }),
        ),
        (
            "DescribeIdentityProvider",
            json!({ "UserPoolId": p, "ProviderName": "Okta" }),
        ),
        (
            "UpdateIdentityProvider",
            json!({ "UserPoolId": p, "ProviderName": "Okta" }),
        ),
        (
            "DeleteIdentityProvider",
            json!({ "UserPoolId": p, "ProviderName": "Okta" }),
        ),
        ("ListIdentityProviders", json!({ "UserPoolId": p })),
        (
            "GetIdentityProviderByIdentifier",
            json!({ "UserPoolId": p, "IdpIdentifier": "x" }),
        ),
        (
            "CreateUserPoolDomain",
            json!({ "UserPoolId": p, "Domain": "my-app" }),
        ),
        (
            "UpdateUserPoolDomain",
            json!({ "UserPoolId": p, "Domain": "my-app" }),
        ),
        (
            "DeleteUserPoolDomain",
            json!({ "UserPoolId": p, "Domain": "my-app" }),
        ),
        (
            "TagResource",
            json!({ "ResourceArn": format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{p}"), "Tags": { "a": "b" } }),
        ),
        (
            "ListTagsForResource",
            json!({ "ResourceArn": format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{p}") }),
        ),
        ("DescribeUserPool", json!({ "UserPoolId": "not a pool id" })),
    ];
    for (op, body) in cases {
        api.not_found(op, body);
    }
    // A missing required member is a validation error, not a lookup.
    api.invalid("DescribeUserPool", json!({}), "Value null at 'userPoolId'");
}

// ---- pools -------------------------------------------------------------------------------

#[test]
fn default_region_is_us_east_1_and_is_configurable() {
    assert_eq!(UserPoolsConfig::default().region.as_str(), "us-east-1");
    let api = api_with(UserPoolsConfig {
        hasher: PasswordHasher::insecure_fast_for_tests(),
        region: "eu-west-2".parse().unwrap(),
        ..Default::default()
    });
    let id = api.simple_pool("regional");
    let (region, suffix) = id.split_once('_').unwrap();
    assert_eq!(region, "eu-west-2");
    assert_eq!(suffix.len(), 9);
    assert!(
        suffix.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{suffix}"
    );
    let pool = api.describe(&id);
    assert_eq!(
        pool["Arn"],
        format!("arn:aws:cognito-idp:eu-west-2:000000000000:userpool/{id}")
    );
}

#[test]
fn create_user_pool_with_every_setting_and_describe_it() {
    let api = api();
    let created = api.ok(
        "CreateUserPool",
        json!({
            "PoolName": "Shop users",
            "Policies": { "PasswordPolicy": {
                "MinimumLength": 12, "RequireUppercase": true, "RequireLowercase": true,
                "RequireNumbers": false, "RequireSymbols": false,
                "TemporaryPasswordValidityDays": 3
            }, "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"] } },
            "DeletionProtection": "ACTIVE",
            "LambdaConfig": {},
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": { "CaseSensitive": false },
            "Schema": [
                { "Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true },
                { "Name": "tenant", "AttributeDataType": "String", "Mutable": false,
                  "StringAttributeConstraints": { "MinLength": "1", "MaxLength": "64" } },
                { "Name": "age", "AttributeDataType": "Number",
                  "NumberAttributeConstraints": { "MinValue": "0", "MaxValue": "150" } },
                { "Name": "legacy", "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": true }
            ],
            "MfaConfiguration": "OFF",
            "AccountRecoverySetting": { "RecoveryMechanisms": [
                { "Name": "verified_phone_number", "Priority": 2 },
                { "Name": "verified_email", "Priority": 1 }
            ] },
            "AdminCreateUserConfig": {
                "AllowAdminCreateUserOnly": true,
                "InviteMessageTemplate": {
                    "EmailSubject": "Welcome",
                    "EmailMessage": "Hello {username}, your code is {####}",
                    "SMSMessage": "User {username} code {####}"
                }
            },
            "UserAttributeUpdateSettings": { "AttributesRequireVerificationBeforeUpdate": ["email"] },
            "VerificationMessageTemplate": {
                "DefaultEmailOption": "CONFIRM_WITH_CODE",
                "EmailSubject": "Your code",
                "EmailMessage": "The code is {####}"
            },
            "SmsAuthenticationMessage": "Sign-in code {####}",
            "DeviceConfiguration": { "ChallengeRequiredOnNewDevice": true },
            "EmailConfiguration": { "EmailSendingAccount": "COGNITO_DEFAULT" },
            "UserPoolTags": { "team": "identity" },
            "UserPoolTier": "PLUS"
        }),
    );
    let pool = &created["UserPool"];
    let id = pool["Id"].as_str().unwrap();
    assert!(id.starts_with("us-east-1_"), "{id}");
    assert_eq!(id.len(), "us-east-1_".len() + 9);
    assert_eq!(pool["Name"], "Shop users");
    assert_eq!(
        pool["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    assert_eq!(pool["CreationDate"], json!(T0));
    assert_eq!(pool["LastModifiedDate"], json!(T0));
    assert_eq!(
        pool["Policies"],
        json!({
            "PasswordPolicy": {
                "MinimumLength": 12, "RequireUppercase": true, "RequireLowercase": true,
                "RequireNumbers": false, "RequireSymbols": false,
                "TemporaryPasswordValidityDays": 3
            },
            "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"] }
        })
    );
    assert_eq!(pool["DeletionProtection"], "ACTIVE");
    assert_eq!(pool["LambdaConfig"], json!({}));
    assert_eq!(pool["UsernameAttributes"], json!(["email"]));
    assert!(pool.get("AliasAttributes").is_none());
    assert_eq!(pool["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(
        pool["UsernameConfiguration"],
        json!({ "CaseSensitive": false })
    );
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert_eq!(pool["EstimatedNumberOfUsers"], 0);
    assert_eq!(
        pool["AccountRecoverySetting"],
        json!({ "RecoveryMechanisms": [
            { "Priority": 1, "Name": "verified_email" },
            { "Priority": 2, "Name": "verified_phone_number" }
        ] })
    );
    assert_eq!(
        pool["AdminCreateUserConfig"],
        json!({
            "AllowAdminCreateUserOnly": true,
            "InviteMessageTemplate": {
                "EmailSubject": "Welcome",
                "EmailMessage": "Hello {username}, your code is {####}",
                "SMSMessage": "User {username} code {####}"
            }
        })
    );
    assert_eq!(
        pool["UserAttributeUpdateSettings"],
        json!({ "AttributesRequireVerificationBeforeUpdate": ["email"] })
    );
    assert_eq!(
        pool["VerificationMessageTemplate"],
        json!({
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Your code",
            "EmailMessage": "The code is {####}"
        })
    );
    assert_eq!(pool["EmailVerificationMessage"], "The code is {####}");
    assert_eq!(pool["EmailVerificationSubject"], "Your code");
    assert_eq!(pool["SmsAuthenticationMessage"], "Sign-in code {####}");
    assert_eq!(
        pool["DeviceConfiguration"],
        json!({ "ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": false })
    );
    assert_eq!(
        pool["EmailConfiguration"],
        json!({ "EmailSendingAccount": "COGNITO_DEFAULT" })
    );
    assert_eq!(pool["UserPoolTags"], json!({ "team": "identity" }));
    assert_eq!(pool["UserPoolTier"], "PLUS");
    assert!(pool.get("Domain").is_none());
    assert!(pool.get("SmsConfiguration").is_none());

    // The schema: standard attributes with the changes asked for, then the custom ones.
    assert_eq!(
        schema_entry(pool, "sub"),
        &json!({
            "Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
            "Mutable": false, "Required": true,
            "StringAttributeConstraints": { "MinLength": "1", "MaxLength": "2048" }
        })
    );
    assert_eq!(schema_entry(pool, "email")["Required"], true);
    assert_eq!(schema_entry(pool, "given_name")["Required"], false);
    assert_eq!(
        schema_entry(pool, "custom:tenant"),
        &json!({
            "Name": "custom:tenant", "AttributeDataType": "String",
            "DeveloperOnlyAttribute": false, "Mutable": false, "Required": false,
            "StringAttributeConstraints": { "MinLength": "1", "MaxLength": "64" }
        })
    );
    assert_eq!(
        schema_entry(pool, "custom:age")["NumberAttributeConstraints"],
        json!({ "MinValue": "0", "MaxValue": "150" })
    );
    let dev = schema_entry(pool, "dev:custom:legacy");
    assert_eq!(dev["DeveloperOnlyAttribute"], true);
    assert_eq!(dev["AttributeDataType"], "Boolean");
    assert!(dev.get("StringAttributeConstraints").is_none());

    // Describe shows the same pool; the pool's signing keys exist.
    assert_eq!(&api.describe(id), pool);
    let stored = api
        .engine
        .store()
        .get_pool(&id.parse().unwrap())
        .unwrap()
        .unwrap();
    assert!(api
        .engine
        .store()
        .get_pool_keys(&stored.id)
        .unwrap()
        .is_some());
    let jwks: Value = serde_json::from_str(&api.engine.jwks_json(&stored).unwrap()).unwrap();
    assert!(!jwks["keys"].as_array().unwrap().is_empty());
    // The model got the settings the other operations rely on.
    assert_eq!(stored.password_policy.minimum_length, 12);
    assert!(!stored.username_case_sensitive);
    assert!(stored.admin_create_user_only);
    assert!(stored.deletion_protection);
}

#[test]
fn create_user_pool_defaults() {
    let api = api();
    let id = api.simple_pool("plain");
    let pool = api.describe(&id);
    assert_eq!(
        pool["Policies"]["PasswordPolicy"],
        json!({
            "MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
            "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7
        })
    );
    assert_eq!(
        pool["Policies"]["SignInPolicy"],
        json!({ "AllowedFirstAuthFactors": ["PASSWORD"] })
    );
    assert_eq!(pool["DeletionProtection"], "INACTIVE");
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert_eq!(
        pool["UsernameConfiguration"],
        json!({ "CaseSensitive": true })
    );
    assert_eq!(
        pool["AdminCreateUserConfig"],
        json!({ "AllowAdminCreateUserOnly": false })
    );
    assert_eq!(pool["UserPoolTags"], json!({}));
    assert_eq!(pool["UserPoolTier"], "ESSENTIALS");
    assert_eq!(
        pool["VerificationMessageTemplate"],
        json!({ "DefaultEmailOption": "CONFIRM_WITH_CODE" })
    );
    assert!(pool.get("AutoVerifiedAttributes").is_none());
    assert!(pool.get("UsernameAttributes").is_none());
    assert!(pool.get("DeviceConfiguration").is_none());
    // The 20 standard attributes, nothing else.
    assert_eq!(pool["SchemaAttributes"].as_array().unwrap().len(), 20);
    // A partial password policy: booleans left out are false, the length 8, the validity 7.
    let id = api.pool(
        json!({ "PoolName": "partial", "Policies": { "PasswordPolicy": {
        "RequireNumbers": true, "TemporaryPasswordValidityDays": 0 } } }),
    );
    assert_eq!(
        api.describe(&id)["Policies"]["PasswordPolicy"],
        json!({
            "MinimumLength": 8, "RequireUppercase": false, "RequireLowercase": false,
            "RequireNumbers": true, "RequireSymbols": false, "TemporaryPasswordValidityDays": 7
        })
    );
    // Schema constraints typed as strings are also taken as JSON numbers.
    let id = api.pool(json!({ "PoolName": "numbers", "Schema": [{ "Name": "code",
        "AttributeDataType": "String", "StringAttributeConstraints": { "MinLength": 2, "MaxLength": 8 } }] }));
    assert_eq!(
        schema_entry(&api.describe(&id), "custom:code")["StringAttributeConstraints"],
        json!({ "MinLength": "2", "MaxLength": "8" })
    );
    // Legacy UnusedAccountValidityDays stands in for TemporaryPasswordValidityDays.
    let id = api.pool(json!({ "PoolName": "legacy",
        "AdminCreateUserConfig": { "UnusedAccountValidityDays": 30 } }));
    assert_eq!(
        api.describe(&id)["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"],
        30
    );
}

#[test]
fn create_user_pool_refuses_bad_settings_and_stores_nothing() {
    let api = api();
    let p = |extra: Value| {
        let mut body = json!({ "PoolName": "p" });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let op = "CreateUserPool";
    api.invalid(op, json!({}), "Value null at 'poolName'");
    api.invalid(
        op,
        json!({ "PoolName": "" }),
        "length greater than or equal to 1",
    );
    api.invalid(
        op,
        json!({ "PoolName": "a/b" }),
        "regular expression pattern",
    );
    api.invalid(
        op,
        json!({ "PoolName": "x".repeat(129) }),
        "length less than or equal to 128",
    );
    let policy = |pp: Value| p(json!({ "Policies": { "PasswordPolicy": pp } }));
    api.invalid(
        op,
        policy(json!({ "MinimumLength": 5 })),
        "greater than or equal to 6",
    );
    api.invalid(
        op,
        policy(json!({ "MinimumLength": 100 })),
        "less than or equal to 99",
    );
    api.invalid(
        op,
        policy(json!({ "TemporaryPasswordValidityDays": 366 })),
        "less than or equal to 365",
    );
    api.invalid(
        op,
        policy(json!({ "TemporaryPasswordValidityDays": -1 })),
        "greater than or equal to 0",
    );
    api.invalid(
        op,
        policy(json!({ "PasswordHistorySize": 25 })),
        "less than or equal to 24",
    );
    api.invalid(
        op,
        policy(json!({ "PasswordHistorySize": 3 })),
        "PasswordHistorySize",
    );
    api.invalid(
        op,
        p(json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": [] } } })),
        "between 1 and 5",
    );
    api.invalid(op, p(json!({ "Policies": { "SignInPolicy": { "AllowedFirstAuthFactors": ["SOFTWARE_TOKEN"] } } })), "SOFTWARE_TOKEN");
    api.invalid(
        op,
        p(json!({ "UsernameAttributes": ["email"], "AliasAttributes": ["phone_number"] })),
        "Only one of aliasAttributes or usernameAttributes",
    );
    api.invalid(
        op,
        p(json!({ "AliasAttributes": ["nickname"] })),
        "enum value set",
    );
    api.invalid(
        op,
        p(json!({ "AutoVerifiedAttributes": ["address"] })),
        "enum value set",
    );
    api.invalid(
        op,
        p(json!({ "UsernameConfiguration": {} })),
        "usernameConfiguration.caseSensitive",
    );
    api.invalid(
        op,
        p(json!({ "DeletionProtection": "MAYBE" })),
        "[ACTIVE, INACTIVE]",
    );
    api.invalid(
        op,
        p(json!({ "MfaConfiguration": "SOMETIMES" })),
        "[OFF, ON, OPTIONAL]",
    );
    api.invalid(
        op,
        p(json!({ "MfaConfiguration": "ON" })),
        "SMS configuration is required",
    );
    api.invalid(op, p(json!({ "LambdaConfig": { "PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:f" } })), "Lambda");
    api.invalid(
        op,
        p(json!({ "UserPoolAddOns": { "AdvancedSecurityMode": "ENFORCED" } })),
        "Threat protection",
    );
    api.invalid(
        op,
        p(json!({ "KeyConfiguration": { "KeyType": "CUSTOMER_MANAGED_KEY" } })),
        "KeyConfiguration",
    );
    api.invalid(
        op,
        p(json!({ "IssuerConfiguration": { "Type": "UPDATED" } })),
        "IssuerConfiguration",
    );
    api.invalid(
        op,
        p(json!({ "UserPoolTier": "GOLD" })),
        "[LITE, ESSENTIALS, PLUS]",
    );
    api.invalid(
        op,
        p(json!({ "UserAttributeUpdateSettings": { "AttributesRequireVerificationBeforeUpdate": ["email"] } })),
        "AutoVerifiedAttributes",
    );
    api.invalid(
        op,
        p(json!({ "VerificationMessageTemplate": { "SmsMessage": "no code here" } })),
        "verificationMessageTemplate.smsMessage",
    );
    api.invalid(
        op,
        p(json!({ "VerificationMessageTemplate": { "EmailMessage": "no code here" } })),
        "{####}",
    );
    api.invalid(
        op,
        p(json!({ "VerificationMessageTemplate": { "EmailMessageByLink": "click here" } })),
        "{##",
    );
    api.invalid(
        op,
        p(json!({ "SmsAuthenticationMessage": "abc" })),
        "length greater than or equal to 6",
    );
    api.invalid(
        op,
        p(json!({ "EmailConfiguration": { "EmailSendingAccount": "DEVELOPER" } })),
        "SourceArn",
    );
    api.invalid(
        op,
        p(json!({ "EmailConfiguration": { "SourceArn": "nope" } })),
        "emailConfiguration.sourceArn",
    );
    api.invalid(
        op,
        p(json!({
            "Policies": { "PasswordPolicy": { "TemporaryPasswordValidityDays": 3 } },
            "AdminCreateUserConfig": { "UnusedAccountValidityDays": 9 }
        })),
        "TemporaryPasswordValidityDays",
    );
    let recovery =
        |list: Value| p(json!({ "AccountRecoverySetting": { "RecoveryMechanisms": list } }));
    api.invalid(op, recovery(json!([])), "between 1 and 2");
    api.invalid(
        op,
        recovery(json!([{ "Name": "verified_email", "Priority": 1 }, { "Name": "verified_phone_number", "Priority": 1 }])),
        "only once",
    );
    api.invalid(
        op,
        recovery(json!([{ "Name": "admin_only", "Priority": 1 }, { "Name": "verified_email", "Priority": 2 }])),
        "admin_only",
    );
    api.invalid(
        op,
        recovery(json!([{ "Name": "verified_email", "Priority": 3 }])),
        "less than or equal to 2",
    );
    let tags: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    api.invalid(op, p(json!({ "UserPoolTags": tags })), "at most 50 tags");

    let schema = |entries: Value| p(json!({ "Schema": entries }));
    api.invalid(
        op,
        schema(json!([{ "Name": "tenant" }])),
        "Invalid AttributeDataType input",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "tenant", "AttributeDataType": "String", "Required": true }])),
        "Required custom attributes are not supported currently.",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "tenant", "AttributeDataType": "Text" }])),
        "enum value set",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "x".repeat(21), "AttributeDataType": "String" }])),
        "length less than or equal to 20",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "t", "AttributeDataType": "String", "StringAttributeConstraints": { "MaxLength": "3000" } }])),
        "cannot have a length of more than 2048",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "t", "AttributeDataType": "String", "StringAttributeConstraints": { "MinLength": "9", "MaxLength": "3" } }])),
        "Max length cannot be less than min length",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": { "MinValue": "9", "MaxValue": "3" } }])),
        "Max value cannot be less than min value",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": { "MinValue": "ten" } }])),
        "Invalid NumberAttributeConstraints",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "n", "AttributeDataType": "Number", "StringAttributeConstraints": { "MaxLength": "3" } }])),
        "only to String attributes",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "email", "AttributeDataType": "Number" }])),
        "You can not change AttributeDataType",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "email", "DeveloperOnlyAttribute": true }])),
        "You can not change AttributeDataType",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "sub", "Mutable": true }])),
        "sub attribute",
    );
    api.invalid(
        op,
        schema(json!([{ "Name": "t", "AttributeDataType": "String" }, { "Name": "t", "AttributeDataType": "Number" }])),
        "Duplicate attribute",
    );
    let many: Vec<Value> = (0..51)
        .map(|i| json!({ "Name": format!("a{i}"), "AttributeDataType": "String" }))
        .collect();
    api.invalid(op, schema(json!(many)), "between 1 and 50");

    assert_eq!(api.pool_count(), 0, "no refused request left a pool behind");
}

#[test]
fn update_user_pool_resets_what_is_left_out_and_keeps_the_rest() {
    let api = api();
    let id = api.pool(json!({
        "PoolName": "before",
        "Policies": { "PasswordPolicy": { "MinimumLength": 14 } },
        "DeletionProtection": "ACTIVE",
        "AliasAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "Schema": [{ "Name": "tenant", "AttributeDataType": "String" }],
        "UserPoolTags": { "team": "identity" },
        "UserPoolTier": "PLUS",
        "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": true }
    }));
    let before = api.describe(&id);
    api.clock.advance(Duration::from_secs(60));

    api.ok(
        "UpdateUserPool",
        json!({ "UserPoolId": id, "PoolName": "after", "AutoVerifiedAttributes": ["phone_number"] }),
    );
    let after = api.describe(&id);
    assert_eq!(after["Name"], "after");
    assert_eq!(after["CreationDate"], json!(T0));
    assert_eq!(after["LastModifiedDate"], json!(T0 + 60));
    assert_eq!(after["AutoVerifiedAttributes"], json!(["phone_number"]));
    // Left out: back to the defaults.
    assert_eq!(after["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
    assert_eq!(after["DeletionProtection"], "INACTIVE");
    assert_eq!(
        after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        false
    );
    // Kept: tags, plan, and what cannot change after creation.
    assert_eq!(after["UserPoolTags"], json!({ "team": "identity" }));
    assert_eq!(after["UserPoolTier"], "PLUS");
    assert_eq!(after["AliasAttributes"], before["AliasAttributes"]);
    assert_eq!(after["SchemaAttributes"], before["SchemaAttributes"]);
    assert_eq!(
        after["UsernameConfiguration"],
        before["UsernameConfiguration"]
    );

    // A refused update changes nothing.
    api.clock.advance(Duration::from_secs(60));
    api.invalid(
        "UpdateUserPool",
        json!({ "UserPoolId": id, "MfaConfiguration": "ON" }),
        "enabled MFA method",
    );
    api.invalid(
        "UpdateUserPool",
        json!({ "UserPoolId": id, "PoolName": "bad/name", "DeletionProtection": "ACTIVE" }),
        "regular expression pattern",
    );
    assert_eq!(api.describe(&id), after);

    // MFA with an SMS configuration turns SMS MFA on, as CreateUserPool does.
    api.ok(
        "UpdateUserPool",
        json!({
            "UserPoolId": id, "MfaConfiguration": "OPTIONAL",
            "SmsConfiguration": { "SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x" }
        }),
    );
    let mfa = api.ok("GetUserPoolMfaConfig", json!({ "UserPoolId": id }));
    assert_eq!(mfa["MfaConfiguration"], "OPTIONAL");
    assert_eq!(
        mfa["SmsMfaConfiguration"]["SmsConfiguration"],
        json!({ "SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x" })
    );
    // Leaving MfaConfiguration out turns MFA off again, as Cognito does.
    api.ok("UpdateUserPool", json!({ "UserPoolId": id }));
    let pool = api.describe(&id);
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert!(pool.get("SmsConfiguration").is_none());
}

#[test]
fn delete_user_pool_honours_deletion_protection() {
    let api = api();
    let id = api.pool(json!({ "PoolName": "protected", "DeletionProtection": "ACTIVE" }));
    api.invalid(
        "DeleteUserPool",
        json!({ "UserPoolId": id }),
        "deletion protection is activated",
    );
    api.describe(&id);
    api.ok(
        "UpdateUserPool",
        json!({ "UserPoolId": id, "DeletionProtection": "INACTIVE" }),
    );
    api.ok("DeleteUserPool", json!({ "UserPoolId": id }));
    api.not_found("DescribeUserPool", json!({ "UserPoolId": id }));
    api.not_found("DeleteUserPool", json!({ "UserPoolId": id }));
    let pid = id.parse().unwrap();
    assert!(api.engine.store().get_pool_keys(&pid).unwrap().is_none());
}

#[test]
fn list_user_pools_pages_with_next_token() {
    let api = api();
    let mut ids: Vec<String> = (0..3)
        .map(|i| api.simple_pool(&format!("pool {i}")))
        .collect();
    ids.sort();
    api.invalid("ListUserPools", json!({}), "Value null at 'maxResults'");
    api.invalid(
        "ListUserPools",
        json!({ "MaxResults": 0 }),
        "greater than or equal to 1",
    );
    api.invalid(
        "ListUserPools",
        json!({ "MaxResults": 61 }),
        "less than or equal to 60",
    );
    let all = collect_pages(
        &api,
        "ListUserPools",
        json!({ "MaxResults": 2 }),
        "UserPools",
        2,
    );
    let listed: Vec<&str> = all.iter().map(|p| p["Id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let first = &all[0];
    assert_eq!(first["LambdaConfig"], json!({}));
    assert_eq!(first["CreationDate"], json!(T0));
    assert!(first["Name"].as_str().unwrap().starts_with("pool "));
    // Tokens are checked: garbage, and a token of another listing.
    api.invalid(
        "ListUserPools",
        json!({ "MaxResults": 2, "NextToken": "garbage!" }),
        "pagination token",
    );
    api.ok(
        "CreateGroup",
        json!({ "UserPoolId": ids[0], "GroupName": "a" }),
    );
    api.ok(
        "CreateGroup",
        json!({ "UserPoolId": ids[0], "GroupName": "b" }),
    );
    let groups = api.ok("ListGroups", json!({ "UserPoolId": ids[0], "Limit": 1 }));
    let token = groups["NextToken"].as_str().unwrap();
    api.invalid(
        "ListUserPools",
        json!({ "MaxResults": 2, "NextToken": token }),
        "pagination token",
    );
}

#[test]
fn add_custom_attributes() {
    let api = api();
    let customs: Vec<Value> = (0..48)
        .map(|i| json!({ "Name": format!("c{i}"), "AttributeDataType": "String" }))
        .collect();
    let id = api.pool(json!({ "PoolName": "attrs", "Schema": customs }));
    let op = "AddCustomAttributes";
    api.ok(
        op,
        json!({ "UserPoolId": id, "CustomAttributes": [
            { "Name": "plan", "AttributeDataType": "String", "Mutable": true },
            { "Name": "flag", "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": true }
        ] }),
    );
    let pool = api.describe(&id);
    assert_eq!(schema_entry(&pool, "custom:plan")["Mutable"], true);
    assert_eq!(
        schema_entry(&pool, "dev:custom:flag")["DeveloperOnlyAttribute"],
        true
    );
    assert_eq!(pool["SchemaAttributes"].as_array().unwrap().len(), 20 + 50);

    let one = |name: &str| json!({ "UserPoolId": id, "CustomAttributes": [{ "Name": name, "AttributeDataType": "String" }] });
    let (kind, message) = api.fail(op, one("c0"));
    assert_eq!(kind, "InvalidParameterException");
    assert!(
        message.contains("Existing attribute already has name custom:c0"),
        "{message}"
    );
    let (kind, _) = api.fail(op, one("fresh"));
    assert_eq!(kind, "LimitExceededException", "the 51st custom attribute");
    api.invalid(
        op,
        json!({ "UserPoolId": id, "CustomAttributes": [] }),
        "between 1 and 25",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id }),
        "Value null at 'customAttributes'",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "CustomAttributes": [{ "Name": "r", "AttributeDataType": "String", "Required": true }] }),
        "Required custom attributes",
    );
    assert_eq!(
        api.describe(&id)["SchemaAttributes"],
        pool["SchemaAttributes"]
    );
}

#[test]
fn user_pool_mfa_config() {
    let api = api();
    let id = api.simple_pool("mfa");
    let get = || api.ok("GetUserPoolMfaConfig", json!({ "UserPoolId": id }));
    assert_eq!(
        get(),
        json!({ "SoftwareTokenMfaConfiguration": { "Enabled": false }, "MfaConfiguration": "OFF" })
    );
    let set = api.ok(
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": id,
            "SoftwareTokenMfaConfiguration": { "Enabled": true },
            "EmailMfaConfiguration": { "Message": "Your code is {####}", "Subject": "Code" },
            "MfaConfiguration": "ON"
        }),
    );
    let expected = json!({
        "SoftwareTokenMfaConfiguration": { "Enabled": true },
        "EmailMfaConfiguration": { "Message": "Your code is {####}", "Subject": "Code" },
        "MfaConfiguration": "ON"
    });
    assert_eq!(set, expected);
    assert_eq!(get(), expected);
    assert_eq!(api.describe(&id)["MfaConfiguration"], "ON");

    let op = "SetUserPoolMfaConfig";
    api.invalid(
        op,
        json!({ "UserPoolId": id, "MfaConfiguration": "ON" }),
        "At least one MFA method",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "SmsMfaConfiguration": {}, "MfaConfiguration": "ON" }),
        "SmsConfiguration",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "WebAuthnConfiguration": { "RelyingPartyId": "x" } }),
        "Passkeys",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "EmailMfaConfiguration": { "Message": "no code!" } }),
        "{####}",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "MfaConfiguration": "MAYBE" }),
        "enum value set",
    );
    assert_eq!(get(), expected, "refused changes left the settings alone");

    // SMS MFA with its configuration; a factor left out is turned off.
    let sms = api.ok(
        op,
        json!({
            "UserPoolId": id,
            "SmsMfaConfiguration": {
                "SmsAuthenticationMessage": "Code {####}",
                "SmsConfiguration": { "SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "SnsRegion": "us-east-1" }
            },
            "MfaConfiguration": "OPTIONAL"
        }),
    );
    assert_eq!(
        sms,
        json!({
            "SmsMfaConfiguration": {
                "SmsAuthenticationMessage": "Code {####}",
                "SmsConfiguration": { "SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "SnsRegion": "us-east-1" }
            },
            "SoftwareTokenMfaConfiguration": { "Enabled": false },
            "MfaConfiguration": "OPTIONAL"
        })
    );
    let pool = api.describe(&id);
    assert_eq!(pool["SmsAuthenticationMessage"], "Code {####}");
    assert_eq!(pool["SmsConfiguration"]["SnsRegion"], "us-east-1");
}

// ---- app clients -------------------------------------------------------------------------

#[test]
fn app_clients_create_describe_update_list_delete() {
    let api = api();
    let id = api.simple_pool("apps");
    let other = api.simple_pool("other");

    // A public client with the API's defaults.
    let c = api.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "web" }),
    );
    let c = &c["UserPoolClient"];
    let cid = c["ClientId"].as_str().unwrap().to_owned();
    assert_eq!(cid.len(), 26);
    assert!(
        cid.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{cid}"
    );
    assert_eq!(
        c,
        &json!({
            "UserPoolId": id, "ClientName": "web", "ClientId": cid,
            "LastModifiedDate": T0, "CreationDate": T0,
            "RefreshTokenValidity": 30,
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"],
            "AllowedOAuthFlowsUserPoolClient": false,
            "PreventUserExistenceErrors": "LEGACY",
            "EnableTokenRevocation": true,
            "EnablePropagateAdditionalUserContextData": false,
            "AuthSessionValidity": 3
        })
    );

    // A confidential OAuth client with every member.
    api.ok(
        "CreateResourceServer",
        json!({ "UserPoolId": id, "Identifier": "https://api.example.com", "Name": "api",
                "Scopes": [{ "ScopeName": "read", "ScopeDescription": "Read" }] }),
    );
    let full = api.ok(
        "CreateUserPoolClient",
        json!({
            "UserPoolId": id, "ClientName": "server", "GenerateSecret": true,
            "RefreshTokenValidity": 60, "AccessTokenValidity": 10, "IdTokenValidity": 1,
            "TokenValidityUnits": { "AccessToken": "minutes", "IdToken": "days", "RefreshToken": "minutes" },
            "ReadAttributes": ["email"],
            "WriteAttributes": ["email"],
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "SupportedIdentityProviders": ["COGNITO"],
            "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb"],
            "LogoutURLs": ["https://app.example.com/bye"],
            "DefaultRedirectURI": "https://app.example.com/cb",
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "https://api.example.com/read"],
            "AllowedOAuthFlowsUserPoolClient": true,
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": false,
            "EnablePropagateAdditionalUserContextData": false,
            "AuthSessionValidity": 15,
            "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 30 }
        }),
    );
    let full = &full["UserPoolClient"];
    let fid = full["ClientId"].as_str().unwrap().to_owned();
    let secret = full["ClientSecret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 51);
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{secret}"
    );
    assert_eq!(full["RefreshTokenValidity"], 60);
    assert_eq!(full["AccessTokenValidity"], 10);
    assert_eq!(full["IdTokenValidity"], 1);
    assert_eq!(
        full["TokenValidityUnits"],
        json!({ "AccessToken": "minutes", "IdToken": "days", "RefreshToken": "minutes" })
    );
    assert_eq!(full["ReadAttributes"], json!(["email"]));
    assert_eq!(full["WriteAttributes"], json!(["email"]));
    assert_eq!(
        full["ExplicitAuthFlows"],
        json!(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    assert_eq!(full["SupportedIdentityProviders"], json!(["COGNITO"]));
    assert_eq!(
        full["CallbackURLs"],
        json!(["https://app.example.com/cb", "http://localhost:3000/cb"])
    );
    assert_eq!(full["LogoutURLs"], json!(["https://app.example.com/bye"]));
    assert_eq!(full["DefaultRedirectURI"], "https://app.example.com/cb");
    assert_eq!(full["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(
        full["AllowedOAuthScopes"],
        json!(["openid", "email", "https://api.example.com/read"])
    );
    assert_eq!(full["AllowedOAuthFlowsUserPoolClient"], true);
    assert_eq!(full["PreventUserExistenceErrors"], "ENABLED");
    assert_eq!(full["EnableTokenRevocation"], false);
    assert_eq!(full["AuthSessionValidity"], 15);
    assert_eq!(
        full["RefreshTokenRotation"],
        json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 30 })
    );
    let described = api.ok(
        "DescribeUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": fid }),
    );
    assert_eq!(&described["UserPoolClient"], full);
    // The model carries the settings sign-in relies on.
    let (model, _) = api.engine.client(&fid).unwrap();
    assert_eq!(
        model.token_validity.validity().unwrap().access(),
        Duration::from_secs(600)
    );
    assert!(model.rotates_refresh_tokens());

    // A secret of one's own; a client of another pool is not found in this one.
    let own = api.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": other, "ClientName": "m2m", "ClientSecret": "s".repeat(40),
                "AllowedOAuthFlows": ["client_credentials"] , "AllowedOAuthScopes": [] }),
    );
    let own_id = own["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(own["UserPoolClient"]["ClientSecret"], "s".repeat(40));
    api.not_found(
        "DescribeUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": own_id }),
    );
    api.not_found(
        "UpdateUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": own_id }),
    );
    api.not_found(
        "DeleteUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": own_id }),
    );

    // Update: members left out return to defaults; the name and the secret stay.
    api.clock.advance(Duration::from_secs(5));
    let updated = api.ok(
        "UpdateUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": fid, "AccessTokenValidity": 2 }),
    );
    let u = &updated["UserPoolClient"];
    assert_eq!(u["ClientName"], "server");
    assert_eq!(u["ClientSecret"], secret);
    assert_eq!(u["AccessTokenValidity"], 2);
    assert!(u.get("TokenValidityUnits").is_none());
    assert!(u.get("CallbackURLs").is_none());
    assert!(u.get("AllowedOAuthScopes").is_none());
    assert_eq!(u["ExplicitAuthFlows"], c["ExplicitAuthFlows"]);
    assert_eq!(u["EnableTokenRevocation"], true);
    assert_eq!(u["LastModifiedDate"], json!(T0 + 5));
    assert_eq!(u["CreationDate"], json!(T0));
    let renamed = api.ok(
        "UpdateUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": fid, "ClientName": "renamed" }),
    );
    assert_eq!(renamed["UserPoolClient"]["ClientName"], "renamed");

    // Listing pages through the pool's clients only.
    api.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "third" }),
    );
    let listed = collect_pages(
        &api,
        "ListUserPoolClients",
        json!({ "UserPoolId": id, "MaxResults": 2 }),
        "UserPoolClients",
        2,
    );
    assert_eq!(listed.len(), 3);
    let mut names: Vec<&str> = listed
        .iter()
        .map(|c| c["ClientName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["renamed", "third", "web"]);
    assert!(listed.iter().all(|c| c["UserPoolId"] == id.as_str()));
    api.invalid(
        "ListUserPoolClients",
        json!({ "UserPoolId": id, "MaxResults": 0 }),
        "greater than or equal to 1",
    );

    api.ok(
        "DeleteUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid }),
    );
    api.not_found(
        "DescribeUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid }),
    );
    api.not_found(
        "DeleteUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid }),
    );
}

#[test]
fn app_client_settings_are_checked() {
    let api = api();
    let id = api.simple_pool("checks");
    let c = |extra: Value| {
        let mut body = json!({ "UserPoolId": id, "ClientName": "c" });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let op = "CreateUserPoolClient";
    api.invalid(
        op,
        json!({ "UserPoolId": id }),
        "Value null at 'clientName'",
    );
    api.invalid(
        op,
        c(json!({ "ClientName": "a/b" })),
        "regular expression pattern",
    );
    api.invalid(
        op,
        c(json!({ "GenerateSecret": true, "ClientSecret": "s".repeat(30) })),
        "both",
    );
    api.invalid(
        op,
        c(json!({ "ClientSecret": "short" })),
        "length greater than or equal to 24",
    );
    api.invalid(
        op,
        c(json!({ "ClientSecret": "s-".repeat(15) })),
        "regular expression pattern",
    );
    api.invalid(
        op,
        c(json!({ "AccessTokenValidity": 4, "TokenValidityUnits": { "AccessToken": "minutes" } })),
        "between 5 minutes and 1 day",
    );
    api.invalid(
        op,
        c(json!({ "AccessTokenValidity": 2, "TokenValidityUnits": { "AccessToken": "days" } })),
        "between 5 minutes and 1 day",
    );
    api.invalid(
        op,
        c(json!({ "IdTokenValidity": 25 })),
        "between 5 minutes and 1 day",
    );
    api.invalid(
        op,
        c(json!({ "IdTokenValidity": 0 })),
        "greater than or equal to 1",
    );
    api.invalid(op, c(json!({ "RefreshTokenValidity": 30, "TokenValidityUnits": { "RefreshToken": "minutes" } })), "between 60 minutes and 10 years");
    api.invalid(
        op,
        c(json!({ "RefreshTokenValidity": 315_360_001 })),
        "less than or equal to 315360000",
    );
    api.invalid(
        op,
        c(json!({ "TokenValidityUnits": { "IdToken": "weeks" } })),
        "[seconds, minutes, hours, days]",
    );
    api.invalid(
        op,
        c(json!({ "TokenValidityUnits": { "AccessToken": "days" } })),
        "accessTokenValidity must be given",
    );
    api.invalid(
        op,
        c(json!({ "AuthSessionValidity": 2 })),
        "greater than or equal to 3",
    );
    api.invalid(
        op,
        c(json!({ "AuthSessionValidity": 16 })),
        "less than or equal to 15",
    );
    api.invalid(
        op,
        c(json!({ "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"] })),
        "cannot mix",
    );
    api.invalid(
        op,
        c(json!({ "ExplicitAuthFlows": ["ALLOW_MAGIC"] })),
        "enum value set",
    );
    api.invalid(
        op,
        c(json!({ "PreventUserExistenceErrors": "YES" })),
        "[LEGACY, ENABLED]",
    );
    api.invalid(
        op,
        c(json!({ "ReadAttributes": ["custom:nope"] })),
        "Invalid read attributes specified while creating a client",
    );
    api.invalid(
        op,
        c(json!({ "WriteAttributes": ["sub"] })),
        "Invalid write attributes specified while creating a client",
    );
    api.invalid(
        op,
        c(json!({ "SupportedIdentityProviders": ["Google"] })),
        "The provider Google does not exist for User Pool",
    );
    api.invalid(
        op,
        c(json!({ "CallbackURLs": ["http://app.example.com/cb"] })),
        "HTTPS is required",
    );
    api.invalid(
        op,
        c(json!({ "CallbackURLs": ["https://app.example.com/cb#x"] })),
        "fragment",
    );
    api.invalid(
        op,
        c(json!({ "LogoutURLs": ["not a url"] })),
        "regular expression pattern",
    );
    api.invalid(
        op,
        c(json!({ "CallbackURLs": ["https://a.example.com/cb"], "DefaultRedirectURI": "https://b.example.com/cb" })),
        "DefaultRedirectURI must be one of the CallbackURLs",
    );
    api.invalid(
        op,
        c(json!({ "AllowedOAuthFlows": ["password"] })),
        "[code, implicit, client_credentials]",
    );
    api.invalid(
        op,
        c(json!({ "AnalyticsConfiguration": { "ApplicationId": "abc" } })),
        "AnalyticsConfiguration",
    );
    api.invalid(
        op,
        c(json!({ "EnablePropagateAdditionalUserContextData": true })),
        "threat protection",
    );
    api.invalid(op, c(json!({ "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 61 } })), "less than or equal to 60");
    api.invalid(
        op,
        c(json!({ "RefreshTokenRotation": {} })),
        "refreshTokenRotation.feature",
    );
    let (kind, message) = api.fail(
        op,
        c(json!({ "AllowedOAuthScopes": ["https://api.example.com/read"] })),
    );
    assert_eq!(kind, "ScopeDoesNotExistException", "{message}");
    let (kind, message) = api.fail(
        op,
        c(json!({ "AllowedOAuthFlows": ["client_credentials"] })),
    );
    assert_eq!(kind, "InvalidOAuthFlowException");
    assert!(
        message.contains("does not have a client secret"),
        "{message}"
    );
    let (kind, message) = api.fail(
        op,
        c(json!({ "GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials", "code"] })),
    );
    assert_eq!(kind, "InvalidOAuthFlowException");
    assert!(
        message.contains("along with code flow or implicit flow"),
        "{message}"
    );
    let (kind, _) = api.fail(op, c(json!({ "GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["openid"] })));
    assert_eq!(kind, "InvalidOAuthFlowException");

    let listed = api.ok("ListUserPoolClients", json!({ "UserPoolId": id }));
    assert_eq!(
        listed["UserPoolClients"],
        json!([]),
        "no refused request left a client behind"
    );

    // The same checks on update, with the update's wording.
    let cid = api.ok(op, c(json!({})))["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    api.invalid(
        "UpdateUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid, "ReadAttributes": ["nope"] }),
        "Invalid read attributes specified while updating a client",
    );
    api.invalid(
        "UpdateUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid, "AccessTokenValidity": 48 }),
        "between 5 minutes and 1 day",
    );
}

// ---- groups and resource servers -----------------------------------------------------------

#[test]
fn groups() {
    let api = api();
    let id = api.simple_pool("groups");
    let role = "arn:aws:iam::123456789012:role/admins";
    let g = api.ok(
        "CreateGroup",
        json!({ "UserPoolId": id, "GroupName": "admins", "Description": "The admins",
                "RoleArn": role, "Precedence": 1 }),
    );
    assert_eq!(
        g["Group"],
        json!({ "GroupName": "admins", "UserPoolId": id, "Description": "The admins",
                "RoleArn": role, "Precedence": 1, "LastModifiedDate": T0, "CreationDate": T0 })
    );
    let (kind, _) = api.fail(
        "CreateGroup",
        json!({ "UserPoolId": id, "GroupName": "admins" }),
    );
    assert_eq!(kind, "GroupExistsException");
    assert_eq!(
        api.ok(
            "GetGroup",
            json!({ "UserPoolId": id, "GroupName": "admins" })
        ),
        g
    );

    api.clock.advance(Duration::from_secs(9));
    let u = api.ok(
        "UpdateGroup",
        json!({ "UserPoolId": id, "GroupName": "admins", "Precedence": 0 }),
    );
    assert_eq!(
        u["Group"],
        json!({ "GroupName": "admins", "UserPoolId": id, "Description": "The admins",
                "RoleArn": role, "Precedence": 0, "LastModifiedDate": T0 + 9, "CreationDate": T0 })
    );

    let op = "CreateGroup";
    api.invalid(op, json!({ "UserPoolId": id }), "Value null at 'groupName'");
    api.invalid(
        op,
        json!({ "UserPoolId": id, "GroupName": "two words" }),
        "regular expression pattern",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "GroupName": "g", "Precedence": -1 }),
        "greater than or equal to 0",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "GroupName": "g", "Precedence": 2_147_483_648_i64 }),
        "less than or equal to 2147483647",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "GroupName": "g", "RoleArn": "admins-role-without-arn" }),
        "roleArn",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "GroupName": "g", "Description": "d".repeat(2049) }),
        "length less than or equal to 2048",
    );
    api.not_found(
        "GetGroup",
        json!({ "UserPoolId": id, "GroupName": "nobody" }),
    );
    api.not_found(
        "UpdateGroup",
        json!({ "UserPoolId": id, "GroupName": "nobody", "Precedence": 1 }),
    );

    for name in ["b", "c", "d", "e"] {
        api.ok(
            "CreateGroup",
            json!({ "UserPoolId": id, "GroupName": name }),
        );
    }
    let all = collect_pages(
        &api,
        "ListGroups",
        json!({ "UserPoolId": id, "Limit": 2 }),
        "Groups",
        2,
    );
    let names: Vec<&str> = all
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admins", "b", "c", "d", "e"]);
    assert!(all[1].get("Description").is_none());
    assert_eq!(
        api.ok("ListGroups", json!({ "UserPoolId": id, "Limit": 0 }))["Groups"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    api.invalid(
        "ListGroups",
        json!({ "UserPoolId": id, "Limit": 61 }),
        "less than or equal to 60",
    );

    api.ok(
        "DeleteGroup",
        json!({ "UserPoolId": id, "GroupName": "admins" }),
    );
    api.not_found(
        "GetGroup",
        json!({ "UserPoolId": id, "GroupName": "admins" }),
    );
    api.not_found(
        "DeleteGroup",
        json!({ "UserPoolId": id, "GroupName": "admins" }),
    );
}

#[test]
fn resource_servers() {
    let api = api();
    let id = api.simple_pool("apis");
    let rs = api.ok(
        "CreateResourceServer",
        json!({ "UserPoolId": id, "Identifier": "https://api.example.com", "Name": "Orders API",
                "Scopes": [
                    { "ScopeName": "orders.read", "ScopeDescription": "Read orders" },
                    { "ScopeName": "orders.write", "ScopeDescription": "Write orders" }
                ] }),
    );
    assert_eq!(
        rs["ResourceServer"],
        json!({ "UserPoolId": id, "Identifier": "https://api.example.com", "Name": "Orders API",
                "Scopes": [
                    { "ScopeName": "orders.read", "ScopeDescription": "Read orders" },
                    { "ScopeName": "orders.write", "ScopeDescription": "Write orders" }
                ] })
    );
    assert_eq!(
        api.ok(
            "DescribeResourceServer",
            json!({ "UserPoolId": id, "Identifier": "https://api.example.com" })
        ),
        rs
    );
    api.invalid(
        "CreateResourceServer",
        json!({ "UserPoolId": id, "Identifier": "https://api.example.com", "Name": "again" }),
        "already exists",
    );
    let op = "CreateResourceServer";
    let with_scopes = |scopes: Value| json!({ "UserPoolId": id, "Identifier": "other", "Name": "n", "Scopes": scopes });
    api.invalid(
        op,
        with_scopes(json!([{ "ScopeName": "a/b", "ScopeDescription": "d" }])),
        "regular expression pattern",
    );
    api.invalid(
        op,
        with_scopes(json!([{ "ScopeName": "a" }])),
        "scopeDescription",
    );
    api.invalid(
        op,
        with_scopes(json!([{ "ScopeName": "a", "ScopeDescription": "d" }, { "ScopeName": "a", "ScopeDescription": "e" }])),
        "Duplicate scope name",
    );
    let many: Vec<Value> = (0..101)
        .map(|i| json!({ "ScopeName": format!("s{i}"), "ScopeDescription": "d" }))
        .collect();
    api.invalid(op, with_scopes(json!(many)), "less than or equal to 100");
    api.invalid(
        op,
        json!({ "UserPoolId": id, "Identifier": "has space", "Name": "n" }),
        "regular expression pattern",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "Identifier": "x" }),
        "Value null at 'name'",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "Identifier": "x".repeat(250), "Name": "n",
        "Scopes": [{ "ScopeName": "longer-than-the-rest", "ScopeDescription": "d" }] }),
        "longer than 256",
    );

    // Update replaces the name and the whole scope list.
    let u = api.ok(
        "UpdateResourceServer",
        json!({ "UserPoolId": id, "Identifier": "https://api.example.com", "Name": "Orders",
                "Scopes": [{ "ScopeName": "orders.admin", "ScopeDescription": "Admin" }] }),
    );
    assert_eq!(u["ResourceServer"]["Name"], "Orders");
    assert_eq!(
        u["ResourceServer"]["Scopes"],
        json!([{ "ScopeName": "orders.admin", "ScopeDescription": "Admin" }])
    );
    api.not_found(
        "UpdateResourceServer",
        json!({ "UserPoolId": id, "Identifier": "https://nope.example.com", "Name": "n" }),
    );
    // Clients see the scopes as they are now.
    let (kind, _) = api.fail(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "c", "AllowedOAuthScopes": ["https://api.example.com/orders.read"] }),
    );
    assert_eq!(kind, "ScopeDoesNotExistException");
    api.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "c", "AllowedOAuthScopes": ["https://api.example.com/orders.admin"] }),
    );

    for i in 0..3 {
        api.ok(
            "CreateResourceServer",
            json!({ "UserPoolId": id, "Identifier": format!("api-{i}"), "Name": "n" }),
        );
    }
    let all = collect_pages(
        &api,
        "ListResourceServers",
        json!({ "UserPoolId": id, "MaxResults": 3 }),
        "ResourceServers",
        3,
    );
    let ids: Vec<&str> = all
        .iter()
        .map(|r| r["Identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["api-0", "api-1", "api-2", "https://api.example.com"]);
    assert_eq!(all[0]["Scopes"], json!([]));
    api.invalid(
        "ListResourceServers",
        json!({ "UserPoolId": id, "MaxResults": 51 }),
        "less than or equal to 50",
    );

    api.ok(
        "DeleteResourceServer",
        json!({ "UserPoolId": id, "Identifier": "api-0" }),
    );
    api.not_found(
        "DescribeResourceServer",
        json!({ "UserPoolId": id, "Identifier": "api-0" }),
    );
    api.not_found(
        "DeleteResourceServer",
        json!({ "UserPoolId": id, "Identifier": "api-0" }),
    );
}

// ---- identity providers and domains ------------------------------------------------------

#[test]
fn identity_providers() {
    let api = api();
    let id = api.simple_pool("federated");
    let oidc_details = json!({
        "client_id": "abc", "client_secret": "shh", "authorize_scopes": "openid email",
        "attributes_request_method": "GET", "oidc_issuer": "https://login.example.com"
    });
    let created = api.ok(
        "CreateIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Corp", "ProviderType": "OIDC",
                "ProviderDetails": oidc_details, "IdpIdentifiers": ["corp.example.com", "corp"] }),
    );
    assert_eq!(
        created["IdentityProvider"],
        json!({ "UserPoolId": id, "ProviderName": "Corp", "ProviderType": "OIDC",
                "ProviderDetails": oidc_details, "AttributeMapping": { "username": "sub" },
                "IdpIdentifiers": ["corp.example.com", "corp"],
                "LastModifiedDate": T0, "CreationDate": T0 })
    );
    assert_eq!(
        api.ok(
            "DescribeIdentityProvider",
            json!({ "UserPoolId": id, "ProviderName": "Corp" })
        ),
        created
    );
    assert_eq!(
        api.ok(
            "GetIdentityProviderByIdentifier",
            json!({ "UserPoolId": id, "IdpIdentifier": "corp" })
        ),
        created
    );
    api.not_found(
        "GetIdentityProviderByIdentifier",
        json!({ "UserPoolId": id, "IdpIdentifier": "nobody" }),
    );

    let google = api.ok(
        "CreateIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Google", "ProviderType": "Google",
                "ProviderDetails": { "client_id": "g", "client_secret": "s", "authorize_scopes": "openid email" },
                "AttributeMapping": { "email": "email", "username": "sub" } }),
    );
    assert_eq!(
        google["IdentityProvider"]["AttributeMapping"],
        json!({ "email": "email", "username": "sub" })
    );

    let op = "CreateIdentityProvider";
    let saml = |name: &str, details: Value| json!({ "UserPoolId": id, "ProviderName": name, "ProviderType": "SAML", "ProviderDetails": details });
    let meta = json!({ "MetadataURL": "https://idp.example.com/metadata" });
    let (kind, _) = api.fail(op, saml("Corp", meta.clone()));
    assert_eq!(kind, "DuplicateProviderException");
    let (kind, message) = api.fail(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "SAML",
                "ProviderDetails": meta, "IdpIdentifiers": ["corp"] }),
    );
    assert_eq!(kind, "DuplicateProviderException", "{message}");
    api.invalid(op, saml("Google", meta.clone()), "reserved");
    api.invalid(op, saml("cognito", meta.clone()), "reserved");
    api.invalid(op, saml("ab", meta.clone()), "regular expression pattern");
    api.invalid(
        op,
        saml("_Okta", meta.clone()),
        "regular expression pattern",
    );
    api.invalid(op, saml("Okta", json!({})), "MetadataURL or MetadataFile");
    api.invalid(
        op,
        saml(
            "Okta",
            json!({ "MetadataURL": "https://x", "MetadataFile": "<xml/>" }),
        ),
        "not both",
    );
    api.invalid(
        op,
        saml("Okta", json!({ "MetadataURL": "http://idp.example.com/m" })),
        "https://",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Facebook2", "ProviderType": "Facebook",
                "ProviderDetails": { "client_id": "a", "client_secret": "b", "authorize_scopes": "email" } }),
        "must be named Facebook",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "SignInWithApple", "ProviderType": "SignInWithApple",
                "ProviderDetails": { "client_id": "a", "authorize_scopes": "email" } }),
        "team_id",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Other", "ProviderType": "OIDC",
                "ProviderDetails": { "client_id": "a", "authorize_scopes": "openid",
                                     "attributes_request_method": "PUT", "oidc_issuer": "https://x" } }),
        "GET or POST",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "SAML",
                "ProviderDetails": { "MetadataURL": "https://idp.example.com/m" },
                "AttributeMapping": { "custom:nope": "x" } }),
        "not an attribute of the user pool",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "SAML",
                "ProviderDetails": { "MetadataURL": "https://idp.example.com/m" },
                "IdpIdentifiers": ["has/slash"] }),
        "regular expression pattern",
    );
    api.invalid(op, json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "LDAP", "ProviderDetails": {} }), "enum value set");
    api.invalid(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "SAML" }),
        "Value null at 'providerDetails'",
    );

    // Update: the identifiers given replace the old ones, which become free.
    api.clock.advance(Duration::from_secs(3));
    let u = api.ok(
        "UpdateIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Corp", "IdpIdentifiers": ["corp-new"] }),
    );
    assert_eq!(u["IdentityProvider"]["IdpIdentifiers"], json!(["corp-new"]));
    assert_eq!(u["IdentityProvider"]["ProviderDetails"], oidc_details);
    assert_eq!(u["IdentityProvider"]["LastModifiedDate"], json!(T0 + 3));
    api.not_found(
        "GetIdentityProviderByIdentifier",
        json!({ "UserPoolId": id, "IdpIdentifier": "corp" }),
    );
    api.ok(
        op,
        json!({ "UserPoolId": id, "ProviderName": "Okta", "ProviderType": "SAML",
                "ProviderDetails": { "MetadataFile": "<EntityDescriptor/>" }, "IdpIdentifiers": ["corp"] }),
    );
    api.invalid(
        "UpdateIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Corp", "ProviderDetails": { "client_id": "only" } }),
        "authorize_scopes",
    );
    api.not_found(
        "UpdateIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Nobody" }),
    );

    // Clients may name the pool's providers.
    api.ok(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "c", "SupportedIdentityProviders": ["COGNITO", "Corp", "Google", "Okta"] }),
    );

    let all = collect_pages(
        &api,
        "ListIdentityProviders",
        json!({ "UserPoolId": id, "MaxResults": 2 }),
        "Providers",
        2,
    );
    assert_eq!(
        all,
        vec![
            json!({ "ProviderName": "Corp", "ProviderType": "OIDC", "LastModifiedDate": T0 + 3, "CreationDate": T0 }),
            json!({ "ProviderName": "Google", "ProviderType": "Google", "LastModifiedDate": T0, "CreationDate": T0 }),
            json!({ "ProviderName": "Okta", "ProviderType": "SAML", "LastModifiedDate": T0 + 3, "CreationDate": T0 + 3 }),
        ]
    );

    api.ok(
        "DeleteIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Okta" }),
    );
    api.not_found(
        "DescribeIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Okta" }),
    );
    api.not_found(
        "DeleteIdentityProvider",
        json!({ "UserPoolId": id, "ProviderName": "Okta" }),
    );
    api.not_found(
        "GetIdentityProviderByIdentifier",
        json!({ "UserPoolId": id, "IdpIdentifier": "corp" }),
    );
    api.invalid(
        "CreateUserPoolClient",
        json!({ "UserPoolId": id, "ClientName": "c2", "SupportedIdentityProviders": ["Okta"] }),
        "The provider Okta does not exist",
    );
}

#[test]
fn domains() {
    let api = api();
    let a = api.simple_pool("a");
    let b = api.simple_pool("b");
    let created = api.ok(
        "CreateUserPoolDomain",
        json!({ "UserPoolId": a, "Domain": "shop-login", "ManagedLoginVersion": 2 }),
    );
    assert_eq!(created, json!({ "ManagedLoginVersion": 2 }));
    assert_eq!(api.describe(&a)["Domain"], "shop-login");
    assert_eq!(
        api.ok("DescribeUserPoolDomain", json!({ "Domain": "shop-login" })),
        json!({ "DomainDescription": {
            "UserPoolId": a, "AWSAccountId": "000000000000", "Domain": "shop-login",
            "Status": "ACTIVE", "ManagedLoginVersion": 2
        } })
    );
    assert_eq!(
        api.ok(
            "DescribeUserPoolDomain",
            json!({ "Domain": "nobody-has-this" })
        ),
        json!({ "DomainDescription": {} })
    );
    assert_eq!(
        api.engine
            .store()
            .pool_for_domain("shop-login")
            .unwrap()
            .unwrap()
            .as_str(),
        a
    );

    let op = "CreateUserPoolDomain";
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "shop-login" }),
        "Domain already exists.",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": a, "Domain": "second" }),
        "already has a domain",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "Shop_Login" }),
        "regular expression pattern",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "-shop" }),
        "regular expression pattern",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "x".repeat(64) }),
        "length less than or equal to 63",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "my-cognito-app" }),
        "reserved word: cognito",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "awsome" }),
        "reserved word: aws",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "ok", "ManagedLoginVersion": 3 }),
        "ManagedLoginVersion",
    );
    api.invalid(
        op,
        json!({ "UserPoolId": b, "Domain": "auth-example", "CustomDomainConfig": { "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x" } }),
        "Custom domains",
    );
    assert!(api.describe(&b).get("Domain").is_none());

    let updated = api.ok(
        "UpdateUserPoolDomain",
        json!({ "UserPoolId": a, "Domain": "shop-login", "ManagedLoginVersion": 1 }),
    );
    assert_eq!(updated, json!({ "ManagedLoginVersion": 1 }));
    api.invalid(
        "UpdateUserPoolDomain",
        json!({ "UserPoolId": b, "Domain": "shop-login" }),
        "No such domain",
    );

    api.invalid(
        "DeleteUserPoolDomain",
        json!({ "UserPoolId": b, "Domain": "shop-login" }),
        "No such domain",
    );
    api.ok(
        "DeleteUserPoolDomain",
        json!({ "UserPoolId": a, "Domain": "shop-login" }),
    );
    assert_eq!(
        api.ok("DescribeUserPoolDomain", json!({ "Domain": "shop-login" })),
        json!({ "DomainDescription": {} })
    );
    assert!(api.describe(&a).get("Domain").is_none());

    // A freed domain can be taken by another pool; deleting that pool frees it again.
    api.ok(
        "CreateUserPoolDomain",
        json!({ "UserPoolId": b, "Domain": "shop-login" }),
    );
    api.ok("DeleteUserPool", json!({ "UserPoolId": b }));
    assert_eq!(
        api.ok("DescribeUserPoolDomain", json!({ "Domain": "shop-login" })),
        json!({ "DomainDescription": {} })
    );
    api.ok(
        "CreateUserPoolDomain",
        json!({ "UserPoolId": a, "Domain": "shop-login" }),
    );
}

#[test]
fn tags() {
    let api = api();
    let id = api.pool(json!({ "PoolName": "tagged", "UserPoolTags": { "a": "1" } }));
    let arn = format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}");
    api.ok(
        "TagResource",
        json!({ "ResourceArn": arn, "Tags": { "b": "2", "a": "3" } }),
    );
    assert_eq!(
        api.ok("ListTagsForResource", json!({ "ResourceArn": arn })),
        json!({ "Tags": { "a": "3", "b": "2" } })
    );
    api.ok(
        "UntagResource",
        json!({ "ResourceArn": arn, "TagKeys": ["a", "missing"] }),
    );
    assert_eq!(api.describe(&id)["UserPoolTags"], json!({ "b": "2" }));
    api.invalid(
        "TagResource",
        json!({ "ResourceArn": "not-an-arn", "Tags": {} }),
        "resourceArn",
    );
    api.not_found(
        "ListTagsForResource",
        json!({ "ResourceArn": format!("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{id}") }),
    );
    let many: serde_json::Map<String, Value> =
        (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
    api.invalid(
        "TagResource",
        json!({ "ResourceArn": arn, "Tags": many }),
        "at most 50 tags",
    );
    assert_eq!(api.describe(&id)["UserPoolTags"], json!({ "b": "2" }));
}

// ---- with the rest of the API ------------------------------------------------------------

fn token_claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn pools_and_clients_made_here_serve_sign_in() {
    let api = api();
    let id = api.pool(json!({
        "PoolName": "e2e",
        "Policies": { "PasswordPolicy": {
            "MinimumLength": 10, "RequireLowercase": true, "RequireNumbers": true
        } },
        "Schema": [{ "Name": "tenant", "AttributeDataType": "String" }]
    }));
    let client = api.ok(
        "CreateUserPoolClient",
        json!({
            "UserPoolId": id, "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "AccessTokenValidity": 10, "TokenValidityUnits": { "AccessToken": "minutes" }
        }),
    );
    let cid = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    api.ok(
        "CreateGroup",
        json!({ "UserPoolId": id, "GroupName": "staff" }),
    );

    api.other_ok(
        "AdminCreateUser",
        json!({ "UserPoolId": id, "Username": "alice", "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "custom:tenant", "Value": "acme" }] }),
    );
    api.other_ok(
        "AdminAddUserToGroup",
        json!({ "UserPoolId": id, "Username": "alice", "GroupName": "staff" }),
    );
    // The pool's password policy applies.
    let (kind, _) = api.fail(
        "AdminSetUserPassword",
        json!({ "UserPoolId": id, "Username": "alice", "Password": "short1", "Permanent": true }),
    );
    assert_eq!(kind, "InvalidPasswordException");
    api.other_ok(
        "AdminSetUserPassword",
        json!({ "UserPoolId": id, "Username": "alice", "Password": "long enough 1", "Permanent": true }),
    );
    assert_eq!(api.describe(&id)["EstimatedNumberOfUsers"], 1);

    // The client's flows and token lifetimes apply.
    let auth = api.other_ok(
        "InitiateAuth",
        json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid,
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": "long enough 1" } }),
    );
    let result = &auth["AuthenticationResult"];
    assert_eq!(result["ExpiresIn"], 600);
    let access = result["AccessToken"].as_str().unwrap();
    let claims = token_claims(access);
    assert_eq!(claims["client_id"], cid.as_str());
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        600
    );
    assert!(claims["iss"].as_str().unwrap().ends_with(&format!("/{id}")));
    assert_eq!(claims["cognito:groups"], json!(["staff"]));
    let id_claims = token_claims(result["IdToken"].as_str().unwrap());
    assert_eq!(id_claims["custom:tenant"], "acme");
    api.other_ok("GetUser", json!({ "AccessToken": access }));

    // A flow the client does not allow is refused; a deleted client's tokens stop working.
    let (kind, _) = api.fail(
        "InitiateAuth",
        json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": cid,
                "AuthParameters": { "USERNAME": "alice", "SRP_A": "abcd" } }),
    );
    assert_eq!(kind, "InvalidParameterException");
    api.ok(
        "DeleteUserPoolClient",
        json!({ "UserPoolId": id, "ClientId": cid }),
    );
    let (kind, _) = api.fail("GetUser", json!({ "AccessToken": access }));
    assert_eq!(kind, "NotAuthorizedException");
}
