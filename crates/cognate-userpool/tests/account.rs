//! The account and user-administration operations, driven through the JSON API as the SDKs
//! send them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::{UserClaims, UserTokenRequest};
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{
    ClientId, Clock, GroupName, ManualClock, Scopes, Secret, UnixTime, UserPoolId,
};
use cognate_userpool::api::handle;
use cognate_userpool::model::{
    AliasAttribute, AppClient, Group, RecoveryMechanism, SchemaAttribute, UserPool, UserStatus,
    UsernameAttribute, VerifiedAttribute,
};
use cognate_userpool::service::{
    Caller, MessagePurpose, MessageSender, Outbox, OutgoingMessage, PasswordHasher, SendError,
    UserPools, UserPoolsConfig,
};
use cognate_userpool::store::Store;
use serde_json::{json, Value};

const POOL: &str = "us-east-1_Acct1";
const CLIENT: &str = "accountclient1";
const T0: u64 = 1_700_000_000;
const PASSWORD: &str = "Passw0rd!";

/// A sender that forwards to an outbox, or fails while `failing` is set.
struct Switch {
    outbox: Arc<Outbox>,
    failing: AtomicBool,
}

impl MessageSender for Switch {
    fn send(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(SendError("down".into()));
        }
        self.outbox.send(message)
    }
}

struct Env {
    engine: UserPools,
    store: Store,
    outbox: Arc<Outbox>,
    sender: Arc<Switch>,
    clock: Arc<ManualClock>,
    pool: UserPool,
}

fn env_with(
    pool_setup: impl FnOnce(&mut UserPool),
    client_setup: impl FnOnce(&mut AppClient),
) -> Env {
    let store = Store::memory();
    let outbox = Arc::new(Outbox::new());
    let sender = Arc::new(Switch {
        outbox: outbox.clone(),
        failing: AtomicBool::new(false),
    });
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(T0)));
    let mut pool = UserPool::new(UserPoolId::new(POOL).unwrap(), "accounts", clock.now());
    pool.auto_verified_attributes = vec![VerifiedAttribute::Email];
    pool_setup(&mut pool);
    store.create_pool(&pool).unwrap();
    let mut client = AppClient::new(
        pool.id.clone(),
        ClientId::new(CLIENT).unwrap(),
        "web",
        clock.now(),
    );
    client_setup(&mut client);
    store.create_client(&client).unwrap();
    let engine = UserPools::builder(store.clone())
        .sender(sender.clone())
        .clock(clock.clone())
        .rng(Arc::new(InsecureDeterministicRandom::new(42)))
        .config(UserPoolsConfig {
            hasher: PasswordHasher::insecure_fast_for_tests(),
            ..Default::default()
        })
        .build();
    Env {
        engine,
        store,
        outbox,
        sender,
        clock,
        pool,
    }
}

fn env() -> Env {
    env_with(|_| {}, |_| {})
}

fn admin_caller() -> Caller {
    Caller::Admin {
        access_key_id: "AKIDEXAMPLE".into(),
    }
}

impl Env {
    fn raw(&self, op: &str, body: &[u8], caller: &Caller) -> (u16, Value) {
        let r = handle(
            &self.engine,
            &format!("AWSCognitoIdentityProviderService.{op}"),
            body,
            caller,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        if r.status != 200 {
            assert_eq!(r.error_type, v["__type"].as_str());
        }
        (r.status, v)
    }

    fn call(&self, op: &str, body: Value) -> (u16, Value) {
        self.raw(op, body.to_string().as_bytes(), &Caller::Anonymous)
    }

    fn ok(&self, op: &str, body: Value) -> Value {
        let (status, v) = self.call(op, body);
        assert_eq!(status, 200, "{op} failed: {v}");
        v
    }

    fn err(&self, op: &str, body: Value) -> (String, String) {
        let (status, v) = self.call(op, body);
        assert_ne!(status, 200, "{op} unexpectedly succeeded: {v}");
        (
            v["__type"].as_str().unwrap().to_owned(),
            v["message"].as_str().unwrap().to_owned(),
        )
    }

    fn admin(&self, op: &str, mut body: Value) -> Value {
        body["UserPoolId"] = json!(POOL);
        let (status, v) = self.raw(op, body.to_string().as_bytes(), &admin_caller());
        assert_eq!(status, 200, "{op} failed: {v}");
        v
    }

    fn admin_err(&self, op: &str, mut body: Value) -> (String, String) {
        if body.get("UserPoolId").is_none() {
            body["UserPoolId"] = json!(POOL);
        }
        let (status, v) = self.raw(op, body.to_string().as_bytes(), &admin_caller());
        assert_ne!(status, 200, "{op} unexpectedly succeeded: {v}");
        (
            v["__type"].as_str().unwrap().to_owned(),
            v["message"].as_str().unwrap().to_owned(),
        )
    }

    /// The newest code or temporary password sent to `username`.
    fn last_code(&self, username: &str) -> String {
        self.outbox
            .last_for(&self.pool.id, username)
            .expect("a message")
            .code
            .expose()
            .clone()
    }

    fn message_count(&self) -> usize {
        self.outbox.messages().len()
    }

    fn pool_now(&self) -> UserPool {
        self.store.get_pool(&self.pool.id).unwrap().unwrap()
    }

    fn user(&self, username: &str) -> cognate_userpool::model::User {
        self.store
            .get_user(&self.pool_now(), username)
            .unwrap()
            .unwrap()
    }

    fn get_user(&self, username: &str) -> Value {
        self.admin("AdminGetUser", json!({ "Username": username }))
    }

    /// Signs up `username` with an e-mail address and confirms with the code sent.
    fn confirmed_user(&self, username: &str, email: &str) {
        self.ok(
            "SignUp",
            json!({
                "ClientId": CLIENT, "Username": username, "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": email }]
            }),
        );
        let code = self.last_code(username);
        self.ok(
            "ConfirmSignUp",
            json!({ "ClientId": CLIENT, "Username": username, "ConfirmationCode": code }),
        );
    }

    /// An access token for `username` as the sign-in API would issue it.
    fn token_with_scope(&self, username: &str, scope: &str) -> String {
        let user = self.user(username);
        let pool = self.pool_now();
        let rt = self.engine.runtime(&pool).unwrap();
        let claims = UserClaims::new(user.sub.clone(), user.username.clone());
        let scopes = Scopes::parse(scope).unwrap();
        let client = ClientId::new(CLIENT).unwrap();
        let req = UserTokenRequest::new(&client, &claims, &scopes);
        rt.issuer.issue_access_token(&rt.keys, &req).unwrap()
    }

    fn token(&self, username: &str) -> String {
        self.token_with_scope(username, "aws.cognito.signin.user.admin")
    }

    fn password_is(&self, username: &str, password: &str) -> bool {
        let user = self.user(username);
        PasswordHasher::insecure_fast_for_tests()
            .verify(&user.password.as_ref().unwrap().hash, password)
    }
}

fn attr<'a>(attrs: &'a Value, name: &str) -> Option<&'a str> {
    attrs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

// ---- SignUp / ConfirmSignUp ------------------------------------------------------------

#[test]
fn sign_up_sends_a_code_and_confirm_sign_up_verifies_the_email() {
    let e = env();
    let r = e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "alice", "Password": PASSWORD,
            "UserAttributes": [
                { "Name": "email", "Value": "alice@example.com" },
                { "Name": "given_name", "Value": "Alice" }
            ]
        }),
    );
    assert_eq!(r["UserConfirmed"], false);
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({ "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    let sub = r["UserSub"].as_str().unwrap();
    assert_eq!(sub.len(), 36);
    let m = e.outbox.last_for(&e.pool.id, "alice").unwrap();
    assert_eq!(m.destination, "alice@example.com");
    assert_eq!(m.purpose, MessagePurpose::SignUp);
    assert_eq!(m.code.expose().len(), 6);

    let u = e.get_user("alice");
    assert_eq!(u["UserStatus"], "UNCONFIRMED");
    assert_eq!(
        u["UserAttributes"][0],
        json!({ "Name": "sub", "Value": sub })
    );
    assert_eq!(attr(&u["UserAttributes"], "given_name"), Some("Alice"));
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), None);
    assert!(u["UserCreateDate"].is_u64());
    assert!(e.password_is("alice", PASSWORD));

    let code = e.last_code("alice");
    let (t, m) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": wrong(&code) }),
    );
    assert_eq!(t, "CodeMismatchException");
    assert_eq!(m, "Invalid verification code provided, please try again.");
    e.ok(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": code }),
    );
    let u = e.get_user("alice");
    assert_eq!(u["UserStatus"], "CONFIRMED");
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));

    let (t, m) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "alice", "ConfirmationCode": code }),
    );
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "User cannot be confirmed. Current status is CONFIRMED");
}

#[test]
fn sign_up_without_auto_verification_sends_nothing() {
    let e = env_with(|p| p.auto_verified_attributes.clear(), |_| {});
    let r = e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "bob", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "bob@example.com" }]
        }),
    );
    assert!(r.get("CodeDeliveryDetails").is_none());
    assert_eq!(e.message_count(), 0);
    let (t, m) = e.err(
        "ResendConfirmationCode",
        json!({ "ClientId": CLIENT, "Username": "bob" }),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(m, "Cannot resend codes. Auto verification not turned on.");
}

#[test]
fn sign_up_prefers_the_phone_when_both_are_verified_automatically() {
    let e = env_with(
        |p| {
            p.auto_verified_attributes =
                vec![VerifiedAttribute::Email, VerifiedAttribute::PhoneNumber]
        },
        |_| {},
    );
    let r = e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "carol", "Password": PASSWORD,
            "UserAttributes": [
                { "Name": "email", "Value": "carol@example.com" },
                { "Name": "phone_number", "Value": "+15555551234" }
            ]
        }),
    );
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({ "Destination": "+*******1234", "DeliveryMedium": "SMS", "AttributeName": "phone_number" })
    );
    let code = e.last_code("carol");
    e.ok(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "carol", "ConfirmationCode": code }),
    );
    let u = e.get_user("carol");
    assert_eq!(
        attr(&u["UserAttributes"], "phone_number_verified"),
        Some("true")
    );
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), None);
}

#[test]
fn sign_up_rejects_bad_input_and_stores_nothing() {
    let e = env_with(
        |p| {
            for a in p.schema.iter_mut() {
                if a.name == "family_name" {
                    a.required = true;
                }
            }
        },
        |c| {
            c.write_attributes = Some(vec![
                "email".into(),
                "family_name".into(),
                "given_name".into(),
            ])
        },
    );
    let base = |attrs: Value| json!({ "ClientId": CLIENT, "Username": "dave", "Password": PASSWORD, "UserAttributes": attrs });
    let fam = json!({ "Name": "family_name", "Value": "D" });
    let cases = [
        (
            base(json!([fam, { "Name": "custom:nope", "Value": "1" }])),
            "InvalidParameterException",
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.",
        ),
        (
            base(json!([{ "Name": "email", "Value": "d@example.com" }])),
            "InvalidParameterException",
            "Attributes did not conform to the schema: family_name: The attribute is required",
        ),
        (
            base(json!([fam, { "Name": "email_verified", "Value": "true" }])),
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute",
        ),
        (
            base(json!([fam, { "Name": "nickname", "Value": "dd" }])),
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute",
        ),
        (
            base(json!([fam, { "Name": "email", "Value": "not an email" }])),
            "InvalidParameterException",
            "Invalid email address format.",
        ),
        (
            base(json!([fam, fam])),
            "InvalidParameterException",
            "Attributes did not conform to the schema: family_name: Attribute is given more than once.",
        ),
        (
            base(json!([fam, { "Name": "sub", "Value": "x" }])),
            "InvalidParameterException",
            "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)",
        ),
        (
            json!({ "ClientId": CLIENT, "Username": "dave", "Password": "short", "UserAttributes": [fam] }),
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        ),
        (
            json!({ "ClientId": CLIENT, "Username": "dave", "Password": "passw0rd!", "UserAttributes": [fam] }),
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters",
        ),
        (
            json!({ "ClientId": CLIENT, "Username": "da ve", "Password": PASSWORD, "UserAttributes": [fam] }),
            "InvalidParameterException",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ),
        (
            json!({ "ClientId": "nosuchclient", "Username": "dave", "Password": PASSWORD }),
            "ResourceNotFoundException",
            "User pool client nosuchclient does not exist.",
        ),
    ];
    for (body, t, m) in cases {
        assert_eq!(
            e.err("SignUp", body.clone()),
            (t.to_owned(), m.to_owned()),
            "{body}"
        );
    }
    let listed = e.admin("ListUsers", json!({}));
    assert_eq!(listed["Users"], json!([]));
    assert_eq!(e.message_count(), 0);

    // Missing required member, and a body that is not JSON.
    let (t, _) = e.err(
        "SignUp",
        json!({ "Username": "dave", "Password": PASSWORD }),
    );
    assert_eq!(t, "InvalidParameterException");
    let (status, v) = e.raw("SignUp", b"{not json", &Caller::Anonymous);
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "SerializationException");

    // The valid request works, and a second one with the same username does not.
    let ok = base(json!([fam]));
    e.ok("SignUp", ok.clone());
    assert_eq!(
        e.err("SignUp", ok),
        (
            "UsernameExistsException".to_owned(),
            "User already exists".to_owned()
        )
    );
}

#[test]
fn sign_up_is_refused_when_only_administrators_create_users() {
    let e = env_with(|p| p.admin_create_user_only = true, |_| {});
    let (t, m) = e.err(
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": "erin", "Password": PASSWORD }),
    );
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "SignUp is not permitted for this user pool");
}

#[test]
fn clients_with_a_secret_need_the_secret_hash() {
    let secret = Secret::new("s3cr3tvalueforthetestclient1234".to_owned());
    let e = env_with(|_| {}, |c| c.secret = Some(secret.clone()));
    let body = |hash: Option<String>| {
        let mut b = json!({
            "ClientId": CLIENT, "Username": "frank", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "f@example.com" }]
        });
        if let Some(h) = hash {
            b["SecretHash"] = json!(h);
        }
        b
    };
    assert_eq!(
        e.err("SignUp", body(None)),
        (
            "NotAuthorizedException".to_owned(),
            format!("Client {CLIENT} is configured with secret but SECRET_HASH was not received")
        )
    );
    let client = ClientId::new(CLIENT).unwrap();
    let other = cognate_userpool::secret_hash::compute(&secret, "frank2", &client);
    assert_eq!(
        e.err("SignUp", body(Some(other))),
        (
            "NotAuthorizedException".to_owned(),
            format!("Unable to verify secret hash for client {CLIENT}")
        )
    );
    let good = cognate_userpool::secret_hash::compute(&secret, "frank", &client);
    e.ok("SignUp", body(Some(good.clone())));
    let code = e.last_code("frank");
    let (t, _) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "frank", "ConfirmationCode": code }),
    );
    assert_eq!(t, "NotAuthorizedException");
    e.ok(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "frank", "ConfirmationCode": code, "SecretHash": good }),
    );
}

#[test]
fn pools_that_sign_in_with_email_store_the_sub_as_username() {
    let e = env_with(
        |p| p.username_attributes = vec![UsernameAttribute::Email],
        |_| {},
    );
    let (t, m) = e.err(
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": "grace", "Password": PASSWORD }),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", "Username should be an email.")
    );
    let r = e.ok(
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": "Grace@Example.com", "Password": PASSWORD }),
    );
    let sub = r["UserSub"].as_str().unwrap().to_owned();
    let u = e.get_user("grace@example.com");
    assert_eq!(u["Username"], sub.as_str());
    assert_eq!(
        attr(&u["UserAttributes"], "email"),
        Some("Grace@Example.com")
    );

    let (t, m) = e.err(
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": "grace@EXAMPLE.com", "Password": PASSWORD }),
    );
    assert_eq!(t, "UsernameExistsException");
    assert_eq!(m, "An account with the given email already exists.");

    let code = e
        .outbox
        .last_for(&e.pool.id, &sub)
        .unwrap()
        .code
        .expose()
        .clone();
    e.ok(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "Grace@Example.com", "ConfirmationCode": code }),
    );
    assert_eq!(e.get_user(&sub)["UserStatus"], "CONFIRMED");
}

#[test]
fn alias_pools_refuse_alias_shaped_usernames_and_move_aliases_only_when_forced() {
    let e = env_with(|p| p.alias_attributes = vec![AliasAttribute::Email], |_| {});
    let (t, m) = e.err(
        "SignUp",
        json!({ "ClientId": CLIENT, "Username": "h@example.com", "Password": PASSWORD }),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "Username cannot be of email format, since user pool is configured for email alias."
    );

    e.confirmed_user("heidi", "shared@example.com");
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "ivan", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "Shared@example.com" }]
        }),
    );
    let code = e.last_code("ivan");
    let confirm = |force: bool| {
        json!({
            "ClientId": CLIENT, "Username": "ivan", "ConfirmationCode": code,
            "ForceAliasCreation": force
        })
    };
    let (t, m) = e.err("ConfirmSignUp", confirm(false));
    assert_eq!(t, "AliasExistsException");
    assert_eq!(m, "An account with the given email already exists.");
    assert_eq!(e.get_user("ivan")["UserStatus"], "UNCONFIRMED");
    assert_eq!(e.get_user("shared@example.com")["Username"], "heidi");

    // The same code still works (it was put back), and the alias moves to ivan.
    e.ok("ConfirmSignUp", confirm(true));
    assert_eq!(e.get_user("shared@example.com")["Username"], "ivan");
    let heidi = e.get_user("heidi");
    assert_eq!(
        attr(&heidi["UserAttributes"], "email_verified"),
        Some("false")
    );
    assert_eq!(e.get_user("ivan")["UserStatus"], "CONFIRMED");
}

// ---- codes ---------------------------------------------------------------------------------

#[test]
fn codes_expire_and_resend_issues_a_new_one() {
    let e = env();
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "judy", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "judy@example.com" }]
        }),
    );
    let first = e.last_code("judy");
    e.clock.advance(Duration::from_secs(24 * 3600 + 1));
    let (t, m) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "judy", "ConfirmationCode": first }),
    );
    assert_eq!(t, "ExpiredCodeException");
    assert_eq!(m, "Invalid code provided, please request a code again.");

    let r = e.ok(
        "ResendConfirmationCode",
        json!({ "ClientId": CLIENT, "Username": "judy" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let second = e.last_code("judy");
    e.ok(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "judy", "ConfirmationCode": second }),
    );
    let (t, m) = e.err(
        "ResendConfirmationCode",
        json!({ "ClientId": CLIENT, "Username": "judy" }),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", "User is already confirmed.")
    );
}

#[test]
fn a_code_is_invalidated_after_five_wrong_answers() {
    let e = env();
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "ken", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "ken@example.com" }]
        }),
    );
    let code = e.last_code("ken");
    for _ in 0..5 {
        let (t, _) = e.err(
            "ConfirmSignUp",
            json!({ "ClientId": CLIENT, "Username": "ken", "ConfirmationCode": wrong(&code) }),
        );
        assert_eq!(t, "CodeMismatchException");
    }
    let (t, _) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "ken", "ConfirmationCode": code }),
    );
    assert_eq!(t, "ExpiredCodeException");
    assert_eq!(e.get_user("ken")["UserStatus"], "UNCONFIRMED");
}

#[test]
fn unknown_users_are_hidden_only_when_the_client_prevents_existence_errors() {
    let legacy = env();
    let unknown = "Username/client id combination not found.";
    for op in ["ResendConfirmationCode", "ForgotPassword"] {
        let (t, m) = legacy.err(op, json!({ "ClientId": CLIENT, "Username": "nobody" }));
        assert_eq!(
            (t.as_str(), m.as_str()),
            ("UserNotFoundException", unknown),
            "{op}"
        );
    }
    let (t, m) = legacy.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "nobody", "ConfirmationCode": "123456" }),
    );
    assert_eq!((t.as_str(), m.as_str()), ("UserNotFoundException", unknown));
    let (t, _) = legacy.err(
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "nobody", "ConfirmationCode": "123456", "Password": PASSWORD }),
    );
    assert_eq!(t, "UserNotFoundException");

    let e = env_with(|_| {}, |c| c.prevent_user_existence_errors = true);
    let r1 = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "nobody" }),
    );
    let r2 = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "nobody" }),
    );
    assert_eq!(r1, r2, "the simulated answer is stable");
    assert_eq!(r1["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(r1["CodeDeliveryDetails"]["AttributeName"], "email");
    assert!(r1["CodeDeliveryDetails"]["Destination"]
        .as_str()
        .unwrap()
        .contains("***@"));
    let r = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "zed@example.org" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "z***@e***");
    let r = e.ok(
        "ResendConfirmationCode",
        json!({ "ClientId": CLIENT, "Username": "nobody" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let (t, _) = e.err(
        "ConfirmSignUp",
        json!({ "ClientId": CLIENT, "Username": "nobody", "ConfirmationCode": "123456" }),
    );
    assert_eq!(t, "CodeMismatchException");
    let (t, _) = e.err(
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "nobody", "ConfirmationCode": "123456", "Password": PASSWORD }),
    );
    assert_eq!(t, "CodeMismatchException");
    assert_eq!(e.message_count(), 0, "nothing is sent for unknown users");

    // A real user without a verified address gets the same simulated answer, and no message.
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "lou", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "lou@example.com" }]
        }),
    );
    let before = e.message_count();
    let r = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "lou" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(e.message_count(), before);
}

// ---- password recovery ---------------------------------------------------------------------

#[test]
fn forgot_password_and_confirm_set_a_new_password_and_lift_the_lockout() {
    let e = env();
    e.confirmed_user("mallory", "mallory@example.com");
    let pool = e.pool_now();
    e.engine
        .modify_user(&pool, "mallory", |u| {
            u.lockout.failures = 9;
            Ok(())
        })
        .unwrap();

    let r = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "mallory" }),
    );
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({ "Destination": "m***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    let m = e.outbox.last_for(&e.pool.id, "mallory").unwrap();
    assert_eq!(m.purpose, MessagePurpose::ForgotPassword);
    let code = m.code.expose().clone();
    let confirm = |code: &str, pw: &str| json!({ "ClientId": CLIENT, "Username": "mallory", "ConfirmationCode": code, "Password": pw });
    let (t, _) = e.err(
        "ConfirmForgotPassword",
        confirm(&wrong(&code), "N3wPassw0rd!"),
    );
    assert_eq!(t, "CodeMismatchException");
    // A password against the policy does not use up the code.
    let (t, _) = e.err("ConfirmForgotPassword", confirm(&code, "weak"));
    assert_eq!(t, "InvalidPasswordException");
    e.ok("ConfirmForgotPassword", confirm(&code, "N3wPassw0rd!"));
    assert!(e.password_is("mallory", "N3wPassw0rd!"));
    assert_eq!(e.user("mallory").lockout.failures, 0);
    let (t, _) = e.err("ConfirmForgotPassword", confirm(&code, "An0therPass!"));
    assert_eq!(t, "ExpiredCodeException");

    // Reset codes last an hour.
    e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "mallory" }),
    );
    let code = e.last_code("mallory");
    e.clock.advance(Duration::from_secs(3601));
    let (t, _) = e.err("ConfirmForgotPassword", confirm(&code, "An0therPass!"));
    assert_eq!(t, "ExpiredCodeException");
}

#[test]
fn forgot_password_needs_a_verified_route_an_enabled_user_and_a_delivered_code() {
    let e = env();
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "nina", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "nina@example.com" }]
        }),
    );
    let (t, m) = e.err(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "nina" }),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "Cannot reset password for the user as there is no registered/verified email or phone_number"
    );

    e.confirmed_user("oscar", "oscar@example.com");
    e.admin("AdminDisableUser", json!({ "Username": "oscar" }));
    let (t, m) = e.err(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "oscar" }),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "User is disabled.")
    );
    e.admin("AdminEnableUser", json!({ "Username": "oscar" }));

    // No code was requested yet.
    let (t, _) = e.err(
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "oscar", "ConfirmationCode": "000000", "Password": "N3wPassw0rd!" }),
    );
    assert_eq!(t, "ExpiredCodeException");

    // A code that could not be delivered is not left usable.
    e.sender.failing.store(true, Ordering::SeqCst);
    let (t, _) = e.err(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "oscar" }),
    );
    assert_eq!(t, "CodeDeliveryFailureException");
    e.sender.failing.store(false, Ordering::SeqCst);
    for guess in ["000000", "123456"] {
        let (t, _) = e.err(
            "ConfirmForgotPassword",
            json!({ "ClientId": CLIENT, "Username": "oscar", "ConfirmationCode": guess, "Password": "N3wPassw0rd!" }),
        );
        assert_eq!(t, "ExpiredCodeException");
    }
}

#[test]
fn admin_reset_requires_a_reset_before_anything_else() {
    let e = env();
    e.confirmed_user("peggy", "peggy@example.com");
    let token = e.token("peggy");
    e.ok("GetUser", json!({ "AccessToken": token }));
    e.admin("AdminResetUserPassword", json!({ "Username": "peggy" }));
    assert_eq!(e.get_user("peggy")["UserStatus"], "RESET_REQUIRED");
    let (t, _) = e.err("GetUser", json!({ "AccessToken": token }));
    assert_eq!(t, "PasswordResetRequiredException");
    let code = e.last_code("peggy");
    e.ok(
        "ConfirmForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "peggy", "ConfirmationCode": code, "Password": "N3wPassw0rd!" }),
    );
    assert_eq!(e.get_user("peggy")["UserStatus"], "CONFIRMED");

    // Without a verified address there is nothing to send the code to.
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "quinn", "MessageAction": "SUPPRESS" }),
    );
    let (t, m) = e.admin_err("AdminResetUserPassword", json!({ "Username": "quinn" }));
    assert_eq!(t, "InvalidParameterException");
    assert!(m.starts_with("Cannot reset password"));
    assert_eq!(e.get_user("quinn")["UserStatus"], "FORCE_CHANGE_PASSWORD");
}

// ---- access-token operations ---------------------------------------------------------------

#[test]
fn change_password_checks_the_previous_password_and_the_policy() {
    let e = env();
    e.confirmed_user("rita", "rita@example.com");
    let token = e.token("rita");
    let change = |prev: &str, next: &str| json!({ "AccessToken": token, "PreviousPassword": prev, "ProposedPassword": next });
    let (t, m) = e.err("ChangePassword", change("Wr0ngPass!", "N3wPassw0rd!"));
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (t, _) = e.err("ChangePassword", change(PASSWORD, "nouppercase1!"));
    assert_eq!(t, "InvalidPasswordException");
    assert!(e.password_is("rita", PASSWORD));
    e.ok("ChangePassword", change(PASSWORD, "N3wPassw0rd!"));
    assert!(e.password_is("rita", "N3wPassw0rd!"));
    let (t, _) = e.err("ChangePassword", change(PASSWORD, "An0therPass!"));
    assert_eq!(t, "NotAuthorizedException");

    let (t, m) = e.err(
        "ChangePassword",
        json!({ "AccessToken": "not.a.token", "PreviousPassword": PASSWORD, "ProposedPassword": "N3wPassw0rd!" }),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "Invalid Access Token")
    );
    let narrow = e.token_with_scope("rita", "openid");
    let (t, m) = e.err("GetUser", json!({ "AccessToken": narrow }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "Access Token does not have required scopes"
        )
    );
}

#[test]
fn get_user_shows_what_the_client_may_read() {
    let e = env_with(
        |p| {
            let mut dev = SchemaAttribute::standard_schema()
                .into_iter()
                .find(|a| a.name == "nickname")
                .unwrap();
            dev.name = "dev:custom:secret".into();
            dev.developer_only = true;
            p.schema.push(dev);
        },
        |c| {
            c.read_attributes = Some(vec!["email".into(), "email_verified".into()]);
        },
    );
    e.confirmed_user("sam", "sam@example.com");
    e.admin(
        "AdminUpdateUserAttributes",
        json!({ "Username": "sam", "UserAttributes": [
            { "Name": "given_name", "Value": "Sam" },
            { "Name": "dev:custom:secret", "Value": "hidden" }
        ] }),
    );
    let r = e.ok("GetUser", json!({ "AccessToken": e.token("sam") }));
    assert_eq!(r["Username"], "sam");
    let names: Vec<&str> = r["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sub", "email", "email_verified"]);
    assert!(r.get("MFAOptions").is_none());
    assert!(r.get("UserMFASettingList").is_none());
    let admin = e.get_user("sam");
    assert_eq!(
        attr(&admin["UserAttributes"], "dev:custom:secret"),
        Some("hidden")
    );
    assert_eq!(attr(&admin["UserAttributes"], "given_name"), Some("Sam"));

    let pool = e.pool_now();
    e.engine
        .modify_user(&pool, "sam", |u| {
            u.attributes
                .insert("phone_number".into(), "+15555550000".into());
            u.mfa.sms_enabled = true;
            u.mfa.preferred = Some(cognate_userpool::model::MfaKind::Sms);
            Ok(())
        })
        .unwrap();
    let r = e.ok("GetUser", json!({ "AccessToken": e.token("sam") }));
    assert_eq!(
        r["MFAOptions"],
        json!([{ "DeliveryMedium": "SMS", "AttributeName": "phone_number" }])
    );
    assert_eq!(r["PreferredMfaSetting"], "SMS_MFA");
    assert_eq!(r["UserMFASettingList"], json!(["SMS_MFA"]));
}

#[test]
fn update_user_attributes_reverifies_a_new_email() {
    let e = env();
    e.confirmed_user("tina", "tina@example.com");
    let token = e.token("tina");
    let r = e.ok(
        "UpdateUserAttributes",
        json!({ "AccessToken": token, "UserAttributes": [
            { "Name": "email", "Value": "tina@new.example" },
            { "Name": "given_name", "Value": "Tina" }
        ] }),
    );
    assert_eq!(
        r["CodeDeliveryDetailsList"],
        json!([{ "Destination": "t***@n***", "DeliveryMedium": "EMAIL", "AttributeName": "email" }])
    );
    let u = e.get_user("tina");
    assert_eq!(
        attr(&u["UserAttributes"], "email"),
        Some("tina@new.example")
    );
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("false"));
    let m = e.outbox.last_for(&e.pool.id, "tina").unwrap();
    assert_eq!(m.purpose, MessagePurpose::VerifyAttribute);
    assert_eq!(m.destination, "tina@new.example");
    let code = m.code.expose().clone();
    let verify =
        |code: &str| json!({ "AccessToken": token, "AttributeName": "email", "Code": code });
    let (t, _) = e.err("VerifyUserAttribute", verify(&wrong(&code)));
    assert_eq!(t, "CodeMismatchException");
    e.ok("VerifyUserAttribute", verify(&code));
    let u = e.get_user("tina");
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));

    // The same value again changes nothing and sends nothing; a blank value deletes.
    let before = e.message_count();
    let r = e.ok(
        "UpdateUserAttributes",
        json!({ "AccessToken": token, "UserAttributes": [
            { "Name": "email", "Value": "tina@new.example" },
            { "Name": "given_name", "Value": "" }
        ] }),
    );
    assert!(r.get("CodeDeliveryDetailsList").is_none());
    assert_eq!(e.message_count(), before);
    let u = e.get_user("tina");
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));
    assert_eq!(attr(&u["UserAttributes"], "given_name"), None);
}

#[test]
fn the_old_email_stays_until_the_new_one_is_verified_when_the_pool_says_so() {
    let e = env_with(
        |p| p.attributes_require_verification_before_update = vec![VerifiedAttribute::Email],
        |_| {},
    );
    e.confirmed_user("uma", "uma@old.example");
    let token = e.token("uma");
    let r = e.ok(
        "UpdateUserAttributes",
        json!({ "AccessToken": token, "UserAttributes": [{ "Name": "email", "Value": "uma@new.example" }] }),
    );
    assert_eq!(r["CodeDeliveryDetailsList"][0]["Destination"], "u***@n***");
    let u = e.get_user("uma");
    assert_eq!(attr(&u["UserAttributes"], "email"), Some("uma@old.example"));
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));
    assert_eq!(
        e.user("uma")
            .pending_attributes
            .get("email")
            .map(String::as_str),
        Some("uma@new.example")
    );
    // A fresh code for the pending value goes to the new address too.
    let r = e.ok(
        "GetUserAttributeVerificationCode",
        json!({ "AccessToken": token, "AttributeName": "email" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "u***@n***");
    let code = e.last_code("uma");
    e.ok(
        "VerifyUserAttribute",
        json!({ "AccessToken": token, "AttributeName": "email", "Code": code }),
    );
    let u = e.get_user("uma");
    assert_eq!(attr(&u["UserAttributes"], "email"), Some("uma@new.example"));
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));
    assert!(e.user("uma").pending_attributes.is_empty());
}

#[test]
fn attribute_updates_are_checked_against_the_schema_and_aliases() {
    let e = env_with(
        |p| {
            p.alias_attributes = vec![AliasAttribute::PreferredUsername];
            let mut imm = SchemaAttribute::standard_schema()
                .into_iter()
                .find(|a| a.name == "nickname")
                .unwrap();
            imm.name = "custom:tenant".into();
            imm.mutable = false;
            p.schema.push(imm);
        },
        |_| {},
    );
    e.confirmed_user("vic", "vic@example.com");
    e.confirmed_user("wes", "wes@example.com");
    let token = e.token("vic");
    let update = |attrs: Value| json!({ "AccessToken": token, "UserAttributes": attrs });
    let cases = [
        (
            json!([{ "Name": "custom:nope", "Value": "1" }]),
            "InvalidParameterException",
            "user.custom:nope: Attribute does not exist in the schema.",
        ),
        (
            json!([{ "Name": "custom:tenant", "Value": "1" }]),
            "InvalidParameterException",
            "user.custom:tenant: Attribute cannot be updated. (changing an immutable attribute)",
        ),
        (
            json!([{ "Name": "phone_number", "Value": "5551234" }]),
            "InvalidParameterException",
            "Invalid phone number format.",
        ),
        (
            json!([{ "Name": "email_verified", "Value": "true" }]),
            "NotAuthorizedException",
            "A client attempted to write unauthorized attribute",
        ),
    ];
    for (attrs, t, m) in cases {
        assert_eq!(
            e.err("UpdateUserAttributes", update(attrs.clone())),
            (t.to_owned(), m.to_owned()),
            "{attrs}"
        );
    }
    e.ok(
        "UpdateUserAttributes",
        update(json!([{ "Name": "preferred_username", "Value": "Victor" }])),
    );
    let wes = e.token("wes");
    let (t, m) = e.err(
        "UpdateUserAttributes",
        json!({ "AccessToken": wes, "UserAttributes": [{ "Name": "preferred_username", "Value": "Victor" }] }),
    );
    assert_eq!(t, "AliasExistsException");
    assert_eq!(
        m,
        "An account with the given preferred_username already exists."
    );
    assert_eq!(e.get_user("Victor")["Username"], "vic");

    // DeleteUserAttributes.
    e.ok(
        "DeleteUserAttributes",
        json!({ "AccessToken": token, "UserAttributeNames": ["preferred_username"] }),
    );
    let (t, _) = e.admin_err("AdminGetUser", json!({ "Username": "Victor" }));
    assert_eq!(t, "UserNotFoundException");
    let (t, m) = e.err(
        "DeleteUserAttributes",
        json!({ "AccessToken": token, "UserAttributeNames": ["sub"] }),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "user.sub: Attribute cannot be updated. (changing an immutable attribute)"
    );
    e.ok(
        "DeleteUserAttributes",
        json!({ "AccessToken": token, "UserAttributeNames": ["email"] }),
    );
    let u = e.get_user("vic");
    assert_eq!(attr(&u["UserAttributes"], "email"), None);
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), None);
}

#[test]
fn verification_codes_need_a_verifiable_attribute_the_user_has() {
    let e = env();
    e.confirmed_user("xena", "xena@example.com");
    let token = e.token("xena");
    let (t, _) = e.err(
        "GetUserAttributeVerificationCode",
        json!({ "AccessToken": token, "AttributeName": "phone_number" }),
    );
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = e.err(
        "GetUserAttributeVerificationCode",
        json!({ "AccessToken": token, "AttributeName": "given_name" }),
    );
    assert_eq!(t, "InvalidParameterException");
    let (t, _) = e.err(
        "VerifyUserAttribute",
        json!({ "AccessToken": token, "AttributeName": "email", "Code": "123456" }),
    );
    assert_eq!(t, "ExpiredCodeException");
    e.ok(
        "GetUserAttributeVerificationCode",
        json!({ "AccessToken": token, "AttributeName": "email" }),
    );
    let code = e.last_code("xena");
    e.ok(
        "VerifyUserAttribute",
        json!({ "AccessToken": token, "AttributeName": "email", "Code": code }),
    );
}

#[test]
fn delete_user_removes_the_account_and_its_tokens_stop_working() {
    let e = env();
    e.confirmed_user("yuri", "yuri@example.com");
    let token = e.token("yuri");
    e.ok("DeleteUser", json!({ "AccessToken": token }));
    let (t, m) = e.err("GetUser", json!({ "AccessToken": token }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("NotAuthorizedException", "User does not exist.")
    );
    let (t, _) = e.admin_err("AdminGetUser", json!({ "Username": "yuri" }));
    assert_eq!(t, "UserNotFoundException");
    // The username and e-mail are free again.
    e.confirmed_user("yuri", "yuri@example.com");
}

// ---- administration ------------------------------------------------------------------------

#[test]
fn admin_operations_need_a_signed_request() {
    let e = env();
    for op in [
        "AdminCreateUser",
        "AdminGetUser",
        "AdminDeleteUser",
        "AdminEnableUser",
        "AdminDisableUser",
        "AdminSetUserPassword",
        "AdminResetUserPassword",
        "AdminConfirmSignUp",
        "AdminUpdateUserAttributes",
        "AdminDeleteUserAttributes",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "AdminListGroupsForUser",
        "ListUsersInGroup",
        "ListUsers",
    ] {
        let (t, _) = e.err(op, json!({ "UserPoolId": POOL, "Username": "x" }));
        assert_eq!(t, "MissingAuthenticationTokenException", "{op}");
    }
}

#[test]
fn admin_create_user_invites_with_a_temporary_password() {
    let e = env();
    let r = e.admin(
        "AdminCreateUser",
        json!({ "Username": "zoe", "UserAttributes": [
            { "Name": "email", "Value": "zoe@example.com" },
            { "Name": "email_verified", "Value": "true" }
        ] }),
    );
    let u = &r["User"];
    assert_eq!(u["Username"], "zoe");
    assert_eq!(u["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(u["Enabled"], true);
    assert_eq!(u["UserCreateDate"], T0);
    assert_eq!(u["UserLastModifiedDate"], T0);
    assert_eq!(attr(&u["Attributes"], "email_verified"), Some("true"));
    let m = e.outbox.last_for(&e.pool.id, "zoe").unwrap();
    assert_eq!(m.purpose, MessagePurpose::Invitation);
    assert_eq!(m.destination, "zoe@example.com");
    let temp = m.code.expose().clone();
    cognate_userpool::service::check_policy(&e.pool.password_policy, &temp).unwrap();
    assert!(e.password_is("zoe", &temp));
    let stored = e.user("zoe");
    assert_eq!(stored.status, UserStatus::ForceChangePassword);
    assert_eq!(
        stored.password.unwrap().temporary_until,
        Some(UnixTime::from_secs(T0 + 7 * 86_400))
    );

    let (t, m) = e.admin_err("AdminCreateUser", json!({ "Username": "zoe" }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("UsernameExistsException", "User account already exists")
    );

    // RESEND: a new temporary password, sent again.
    e.clock.advance(Duration::from_secs(60));
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "zoe", "MessageAction": "RESEND" }),
    );
    let again = e.last_code("zoe");
    assert_ne!(again, temp);
    assert!(e.password_is("zoe", &again));
    e.admin(
        "AdminSetUserPassword",
        json!({ "Username": "zoe", "Password": PASSWORD, "Permanent": true }),
    );
    let (t, _) = e.admin_err(
        "AdminCreateUser",
        json!({ "Username": "zoe", "MessageAction": "RESEND" }),
    );
    assert_eq!(t, "UnsupportedUserStateException");
}

#[test]
fn admin_create_user_checks_its_input() {
    let e = env();
    let before = e.message_count();
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "quiet", "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": "q@example.com" }] }),
    );
    assert_eq!(e.message_count(), before, "SUPPRESS sends nothing");
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "given", "TemporaryPassword": "T3mporary!",
                "DesiredDeliveryMediums": ["EMAIL"],
                "UserAttributes": [{ "Name": "email", "Value": "g@example.com" }] }),
    );
    assert_eq!(e.last_code("given"), "T3mporary!");

    let cases = [
        (
            json!({ "Username": "a1", "TemporaryPassword": "weak" }),
            "InvalidPasswordException",
        ),
        (
            json!({ "Username": "a2", "DesiredDeliveryMediums": ["SMS"],
                    "UserAttributes": [{ "Name": "email", "Value": "a2@example.com" }] }),
            "InvalidParameterException",
        ),
        (
            json!({ "Username": "a3", "DesiredDeliveryMediums": ["PIGEON"] }),
            "InvalidParameterException",
        ),
        (
            json!({ "Username": "a4", "UserAttributes": [{ "Name": "email_verified", "Value": "true" }] }),
            "InvalidParameterException",
        ),
        (
            json!({ "Username": "a5", "UserAttributes": [{ "Name": "custom:x", "Value": "1" }] }),
            "InvalidParameterException",
        ),
        (
            json!({ "Username": "a6", "MessageAction": "RESEND" }),
            "UserNotFoundException",
        ),
        (
            json!({ "UserPoolId": "us-east-1_Missing1", "Username": "a7" }),
            "ResourceNotFoundException",
        ),
    ];
    for (body, t) in cases {
        assert_eq!(e.admin_err("AdminCreateUser", body.clone()).0, t, "{body}");
    }
    let listed = e.admin("ListUsers", json!({}));
    let names: Vec<&str> = listed["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["given", "quiet"]);
}

#[test]
fn admin_create_user_moves_a_verified_alias_only_when_forced() {
    let e = env_with(|p| p.alias_attributes = vec![AliasAttribute::Email], |_| {});
    e.confirmed_user("amy", "amy@example.com");
    let body = |force: bool| {
        json!({ "Username": "ben", "MessageAction": "SUPPRESS", "ForceAliasCreation": force,
                "UserAttributes": [
                    { "Name": "email", "Value": "amy@example.com" },
                    { "Name": "email_verified", "Value": "true" }
                ] })
    };
    let (t, _) = e.admin_err("AdminCreateUser", body(false));
    assert_eq!(t, "AliasExistsException");
    let (t, _) = e.admin_err("AdminGetUser", json!({ "Username": "ben" }));
    assert_eq!(t, "UserNotFoundException");
    e.admin("AdminCreateUser", body(true));
    assert_eq!(e.get_user("amy@example.com")["Username"], "ben");
    let amy = e.get_user("amy");
    assert_eq!(
        attr(&amy["UserAttributes"], "email_verified"),
        Some("false")
    );
}

#[test]
fn admin_lookups_accept_username_alias_and_sub() {
    let e = env_with(|p| p.alias_attributes = vec![AliasAttribute::Email], |_| {});
    e.confirmed_user("cleo", "cleo@example.com");
    let sub = e.user("cleo").sub.as_str().to_owned();
    for name in ["cleo", "cleo@example.com", sub.as_str()] {
        assert_eq!(e.get_user(name)["Username"], "cleo", "{name}");
    }
    let (t, m) = e.admin_err("AdminGetUser", json!({ "Username": "nobody" }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (t, _) = e.admin_err(
        "AdminGetUser",
        json!({ "UserPoolId": "us-east-1_Missing1", "Username": "cleo" }),
    );
    assert_eq!(t, "ResourceNotFoundException");
}

#[test]
fn disabling_a_user_revokes_their_tokens_and_enabling_lets_them_back() {
    let e = env();
    e.confirmed_user("dan", "dan@example.com");
    let token = e.token("dan");
    e.ok("GetUser", json!({ "AccessToken": token }));
    e.admin("AdminDisableUser", json!({ "Username": "dan" }));
    assert_eq!(e.get_user("dan")["Enabled"], false);
    let (t, _) = e.err("GetUser", json!({ "AccessToken": token }));
    assert_eq!(t, "NotAuthorizedException");
    e.admin("AdminEnableUser", json!({ "Username": "dan" }));
    assert_eq!(e.get_user("dan")["Enabled"], true);
    e.clock.advance(Duration::from_secs(1));
    e.ok("GetUser", json!({ "AccessToken": e.token("dan") }));

    e.admin("AdminDeleteUser", json!({ "Username": "dan" }));
    let (t, _) = e.admin_err("AdminDeleteUser", json!({ "Username": "dan" }));
    assert_eq!(t, "UserNotFoundException");
}

#[test]
fn admin_set_user_password_and_confirm_sign_up_set_the_status() {
    let e = env();
    e.ok(
        "SignUp",
        json!({
            "ClientId": CLIENT, "Username": "eve", "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "eve@example.com" }]
        }),
    );
    e.admin("AdminConfirmSignUp", json!({ "Username": "eve" }));
    assert_eq!(e.get_user("eve")["UserStatus"], "CONFIRMED");
    let (t, m) = e.admin_err("AdminConfirmSignUp", json!({ "Username": "eve" }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED"
        )
    );

    e.admin(
        "AdminSetUserPassword",
        json!({ "Username": "eve", "Password": "T3mporary!" }),
    );
    assert_eq!(e.get_user("eve")["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(e.user("eve").password.unwrap().temporary_until.is_some());
    e.admin(
        "AdminSetUserPassword",
        json!({ "Username": "eve", "Password": "Perm4nent!", "Permanent": true }),
    );
    assert_eq!(e.get_user("eve")["UserStatus"], "CONFIRMED");
    assert!(e.password_is("eve", "Perm4nent!"));
    assert!(e.user("eve").password.unwrap().temporary_until.is_none());
    let (t, _) = e.admin_err(
        "AdminSetUserPassword",
        json!({ "Username": "eve", "Password": "weak", "Permanent": true }),
    );
    assert_eq!(t, "InvalidPasswordException");
    assert!(e.password_is("eve", "Perm4nent!"));
}

#[test]
fn admin_attribute_changes_can_mark_values_verified() {
    let e = env();
    e.confirmed_user("fay", "fay@example.com");
    let before = e.message_count();
    e.admin(
        "AdminUpdateUserAttributes",
        json!({ "Username": "fay", "UserAttributes": [
            { "Name": "email", "Value": "fay@new.example" },
            { "Name": "email_verified", "Value": "true" }
        ] }),
    );
    assert_eq!(
        e.message_count(),
        before,
        "a value marked verified needs no code"
    );
    let u = e.get_user("fay");
    assert_eq!(attr(&u["UserAttributes"], "email"), Some("fay@new.example"));
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("true"));

    e.admin(
        "AdminUpdateUserAttributes",
        json!({ "Username": "fay", "UserAttributes": [{ "Name": "email", "Value": "fay@third.example" }] }),
    );
    assert_eq!(e.message_count(), before + 1);
    let u = e.get_user("fay");
    assert_eq!(attr(&u["UserAttributes"], "email_verified"), Some("false"));

    let (t, m) = e.admin_err(
        "AdminUpdateUserAttributes",
        json!({ "Username": "fay", "UserAttributes": [{ "Name": "phone_number_verified", "Value": "true" }] }),
    );
    assert_eq!(t, "InvalidParameterException");
    assert_eq!(
        m,
        "Phone Number is required to verify/un-verify a phone number"
    );

    e.admin(
        "AdminDeleteUserAttributes",
        json!({ "Username": "fay", "UserAttributeNames": ["email"] }),
    );
    let u = e.get_user("fay");
    assert_eq!(attr(&u["UserAttributes"], "email"), None);
    let (t, _) = e.admin_err(
        "AdminDeleteUserAttributes",
        json!({ "Username": "fay", "UserAttributeNames": ["custom:nope"] }),
    );
    assert_eq!(t, "InvalidParameterException");
}

#[test]
fn group_membership_and_listings() {
    let e = env();
    for g in ["admins", "editors", "viewers"] {
        e.store
            .create_group(&Group {
                pool: e.pool.id.clone(),
                name: GroupName::new(g).unwrap(),
                description: Some(format!("the {g}")),
                precedence: Some(1),
                role_arn: None,
                created: UnixTime::from_secs(T0),
                modified: UnixTime::from_secs(T0),
            })
            .unwrap();
    }
    for u in ["u1", "u2", "u3"] {
        e.admin(
            "AdminCreateUser",
            json!({ "Username": u, "MessageAction": "SUPPRESS" }),
        );
    }
    for g in ["viewers", "admins", "editors"] {
        e.admin(
            "AdminAddUserToGroup",
            json!({ "Username": "u1", "GroupName": g }),
        );
    }
    e.admin(
        "AdminAddUserToGroup",
        json!({ "Username": "u1", "GroupName": "admins" }),
    );
    for u in ["u2", "u3"] {
        e.admin(
            "AdminAddUserToGroup",
            json!({ "Username": u, "GroupName": "viewers" }),
        );
    }
    let (t, m) = e.admin_err(
        "AdminAddUserToGroup",
        json!({ "Username": "u1", "GroupName": "nosuch" }),
    );
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("ResourceNotFoundException", "Group not found.")
    );
    let (t, _) = e.admin_err(
        "AdminAddUserToGroup",
        json!({ "Username": "nobody", "GroupName": "admins" }),
    );
    assert_eq!(t, "UserNotFoundException");

    let page = e.admin(
        "AdminListGroupsForUser",
        json!({ "Username": "u1", "Limit": 2 }),
    );
    assert_eq!(page["Groups"][0]["GroupName"], "admins");
    assert_eq!(page["Groups"][0]["Description"], "the admins");
    assert_eq!(page["Groups"][0]["UserPoolId"], POOL);
    assert_eq!(page["Groups"][0]["CreationDate"], T0);
    assert_eq!(page["Groups"][1]["GroupName"], "editors");
    let next = page["NextToken"].as_str().unwrap();
    let page = e.admin(
        "AdminListGroupsForUser",
        json!({ "Username": "u1", "Limit": 2, "NextToken": next }),
    );
    assert_eq!(page["Groups"].as_array().unwrap().len(), 1);
    assert_eq!(page["Groups"][0]["GroupName"], "viewers");
    assert!(page.get("NextToken").is_none());

    let page = e.admin(
        "ListUsersInGroup",
        json!({ "GroupName": "viewers", "Limit": 2 }),
    );
    let names: Vec<&str> = page["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["u1", "u2"]);
    let next = page["NextToken"].as_str().unwrap().to_owned();
    let page = e.admin(
        "ListUsersInGroup",
        json!({ "GroupName": "viewers", "Limit": 2, "NextToken": next }),
    );
    assert_eq!(page["Users"][0]["Username"], "u3");
    assert!(page.get("NextToken").is_none());
    let (t, _) = e.admin_err("ListUsersInGroup", json!({ "GroupName": "nosuch" }));
    assert_eq!(t, "ResourceNotFoundException");

    e.admin(
        "AdminRemoveUserFromGroup",
        json!({ "Username": "u1", "GroupName": "viewers" }),
    );
    let all = e.admin("AdminListGroupsForUser", json!({ "Username": "u1" }));
    assert_eq!(all["Groups"].as_array().unwrap().len(), 2);
    let page = e.admin("ListUsersInGroup", json!({ "GroupName": "viewers" }));
    assert_eq!(page["Users"].as_array().unwrap().len(), 2);

    // Deleting a user removes their memberships.
    e.admin("AdminDeleteUser", json!({ "Username": "u2" }));
    let page = e.admin("ListUsersInGroup", json!({ "GroupName": "viewers" }));
    assert_eq!(page["Users"][0]["Username"], "u3");
    assert_eq!(page["Users"].as_array().unwrap().len(), 1);
}

#[test]
fn list_users_pages_and_limits_attributes() {
    let e = env();
    for u in ["e5", "a1", "d4", "b2", "c3"] {
        e.admin(
            "AdminCreateUser",
            json!({ "Username": u, "MessageAction": "SUPPRESS", "UserAttributes": [
                { "Name": "email", "Value": format!("{u}@example.com") },
                { "Name": "given_name", "Value": u.to_uppercase() }
            ] }),
        );
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "Limit": 2, "AttributesToGet": ["email"] });
        if let Some(t) = &token {
            body["PaginationToken"] = json!(t);
        }
        let page = e.admin("ListUsers", body);
        for u in page["Users"].as_array().unwrap() {
            assert_eq!(u["Attributes"].as_array().unwrap().len(), 1);
            assert!(attr(&u["Attributes"], "email").is_some());
            seen.push(u["Username"].as_str().unwrap().to_owned());
        }
        match page.get("PaginationToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["a1", "b2", "c3", "d4", "e5"]);

    let all = e.admin("ListUsers", json!({}));
    let first = &all["Users"][0];
    assert_eq!(first["Attributes"][0]["Name"], "sub");
    assert_eq!(first["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(first.get("MFAOptions").is_none());

    for (body, why) in [
        (json!({ "Limit": 61 }), "limit above 60"),
        (json!({ "Limit": -1 }), "negative limit"),
        (
            json!({ "Filter": "email == \"a1@example.com\"" }),
            "malformed filter",
        ),
        (
            json!({ "Filter": "custom:x = \"1\"" }),
            "unsearchable attribute",
        ),
        (json!({ "PaginationToken": "%%%" }), "bad token"),
        (
            json!({ "AttributesToGet": ["custom:none"] }),
            "unknown attribute",
        ),
    ] {
        let (t, _) = e.admin_err("ListUsers", body);
        assert_eq!(t, "InvalidParameterException", "{why}");
    }
    // An empty filter lists everyone.
    let all = e.admin("ListUsers", json!({ "Filter": "" }));
    assert_eq!(all["Users"].as_array().unwrap().len(), 5);
}

#[test]
fn recovery_follows_the_pool_priority() {
    let e = env_with(
        |p| {
            p.account_recovery = vec![
                RecoveryMechanism::VerifiedPhoneNumber,
                RecoveryMechanism::VerifiedEmail,
            ]
        },
        |_| {},
    );
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "gil", "MessageAction": "SUPPRESS", "UserAttributes": [
            { "Name": "email", "Value": "gil@example.com" },
            { "Name": "email_verified", "Value": "true" },
            { "Name": "phone_number", "Value": "+15555559876" },
            { "Name": "phone_number_verified", "Value": "true" }
        ] }),
    );
    e.admin(
        "AdminSetUserPassword",
        json!({ "Username": "gil", "Password": PASSWORD, "Permanent": true }),
    );
    let r = e.ok(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "gil" }),
    );
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "SMS");
    assert_eq!(r["CodeDeliveryDetails"]["Destination"], "+*******9876");

    // A user still on a temporary password cannot use ForgotPassword.
    e.admin(
        "AdminCreateUser",
        json!({ "Username": "hal", "MessageAction": "SUPPRESS", "UserAttributes": [
            { "Name": "email", "Value": "hal@example.com" },
            { "Name": "email_verified", "Value": "true" }
        ] }),
    );
    let (t, m) = e.err(
        "ForgotPassword",
        json!({ "ClientId": CLIENT, "Username": "hal" }),
    );
    assert_eq!(t, "NotAuthorizedException");
    assert_eq!(m, "User password cannot be reset in the current state.");
}

#[test]
fn list_users_filters_by_one_attribute() {
    let e = env_with(|p| p.alias_attributes = vec![AliasAttribute::Email], |_| {});
    for (u, email, name) in [
        ("anna", "Anna@Example.com", "Anna"),
        ("andy", "andy@example.com", "Andy"),
        ("bert", "bert@other.org", "Bert"),
        ("anton", "anton@example.com", "Anton"),
    ] {
        e.admin(
            "AdminCreateUser",
            json!({ "Username": u, "MessageAction": "SUPPRESS", "UserAttributes": [
                { "Name": "email", "Value": email },
                { "Name": "given_name", "Value": name }
            ] }),
        );
    }
    e.admin(
        "AdminSetUserPassword",
        json!({ "Username": "andy", "Password": PASSWORD, "Permanent": true }),
    );
    e.admin("AdminDisableUser", json!({ "Username": "bert" }));
    let names = |filter: &str| -> Vec<String> {
        let r = e.admin("ListUsers", json!({ "Filter": filter }));
        r["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["Username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(r#"email = "anna@example.com""#), ["anna"]);
    assert_eq!(names(r#"email ^= "an""#), ["andy", "anna", "anton"]);
    assert_eq!(names(r#"username ^= "ant""#), ["anton"]);
    assert_eq!(names(r#"username = "ANNA""#), Vec::<String>::new());
    assert_eq!(names(r#"given_name = "Bert""#), ["bert"]);
    assert_eq!(names(r#"cognito:user_status = "confirmed""#), ["andy"]);
    assert_eq!(names(r#"status = "Disabled""#), ["bert"]);
    let sub = e.user("anton").sub.as_str().to_owned();
    assert_eq!(names(&format!("sub = \"{sub}\"")), ["anton"]);

    // Pages of matches: one per page, and a token only while more matches follow.
    let page = e.admin(
        "ListUsers",
        json!({ "Filter": r#"email ^= "an""#, "Limit": 2 }),
    );
    assert_eq!(page["Users"].as_array().unwrap().len(), 2);
    let token = page["PaginationToken"].as_str().unwrap();
    let page = e.admin(
        "ListUsers",
        json!({ "Filter": r#"email ^= "an""#, "Limit": 2, "PaginationToken": token }),
    );
    assert_eq!(page["Users"][0]["Username"], "anton");
    assert!(page.get("PaginationToken").is_none());

    let (t, m) = e.admin_err("ListUsers", json!({ "Filter": "email = unquoted" }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        ("InvalidParameterException", "Error while parsing filter.")
    );
    let (t, m) = e.admin_err("ListUsers", json!({ "Filter": r#"custom:team = "x""# }));
    assert_eq!(
        (t.as_str(), m.as_str()),
        (
            "InvalidParameterException",
            "Invalid search attribute: custom:team"
        )
    );
}

#[test]
fn a_filtered_listing_examines_a_bounded_number_of_users_per_call() {
    let e = env();
    let pool = e.pool_now();
    let now = UnixTime::from_secs(T0);
    let total = cognate_userpool::service::admin_users::LIST_USERS_SCAN + 150;
    for i in 0..total {
        let name = format!("user{i:05}");
        let user = cognate_userpool::model::User {
            username: cognate_types::Username::new(name.as_str()).unwrap(),
            sub: cognate_types::Sub::new(format!("sub-{i:05}")).unwrap(),
            attributes: Default::default(),
            status: UserStatus::Confirmed,
            enabled: true,
            created: now,
            modified: now,
            password: None,
            mfa: Default::default(),
            lockout: Default::default(),
            tokens_valid_after: None,
            token_families: Vec::new(),
            pending_attributes: Default::default(),
            version: 0,
        };
        e.store.create_user(&pool, &user).unwrap();
    }
    let last = format!("user{:05}", total - 1);
    let filter = format!("username = \"{last}\"");
    // The only match lies beyond what one call examines: an empty page with a token first.
    let first = e.admin("ListUsers", json!({ "Filter": filter }));
    assert_eq!(first["Users"], json!([]));
    let token = first["PaginationToken"].as_str().unwrap();
    let second = e.admin(
        "ListUsers",
        json!({ "Filter": filter, "PaginationToken": token }),
    );
    assert_eq!(second["Users"][0]["Username"], last.as_str());
    assert!(second.get("PaginationToken").is_none());
}
