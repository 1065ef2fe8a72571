//! Fakes of the host traits for the endpoint tests: one confidential and one public client,
//! a token minter that records what it issued and revoked.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use cognate_oauth2::{
    AuthenticatedUser, Authenticator, AuthorizationServer, ChallengeAnswer, ChallengeKind,
    ClientRegistry, CodeDelivery, Federation, HostError, LoginError, MemoryGrantStore, MfaMethod,
    MintError, OAuthClient, OAuthFlows, PendingChallenge, ProviderButton, RevokeError,
    ServerConfig, SignInStep, SignUp, SignUpField, SignUpOutcome, TokenMinter, TokenSet, UserGrant,
    UserInfoError, UserInfoSource,
};
use cognate_types::{
    danger::InsecureDeterministicRandom, ClientId, IssuerUrl, ManualClock, Scopes, Secret, UnixTime,
};
use http::{Method, Request, Response};

pub const BASE: &str = "https://auth.example.com";
pub const CONF: &str = "confidential1";
pub const CONF_SECRET: &str = "s3cr3t-with-enough-entropy-000000";
pub const PUBLIC: &str = "public1";
pub const M2M: &str = "machine1";
pub const M2M_SECRET: &str = "m2m-secret-with-enough-entropy-00";
pub const CB: &str = "https://rp.example/cb";

pub struct Clients;

fn client(id: &str) -> Option<OAuthClient> {
    if ![CONF, PUBLIC, M2M].contains(&id) {
        return None;
    }
    let base = OAuthClient {
        client_id: ClientId::new(id).unwrap(),
        name: id.to_owned(),
        secret: None,
        oauth_enabled: true,
        flows: OAuthFlows {
            code: true,
            implicit: true,
            client_credentials: false,
        },
        scopes: Scopes::parse("openid email phone profile aws.cognito.signin.user.admin").unwrap(),
        callback_urls: vec![CB.to_owned(), "http://127.0.0.1/native".to_owned()],
        logout_urls: vec!["https://rp.example/bye".to_owned()],
        default_redirect_uri: None,
        identity_providers: vec!["COGNITO".to_owned()],
        token_revocation: true,
    };
    match id {
        CONF => Some(OAuthClient {
            secret: Some(Secret::new(CONF_SECRET.to_owned())),
            ..base
        }),
        PUBLIC => Some(base),
        M2M => Some(OAuthClient {
            secret: Some(Secret::new(M2M_SECRET.to_owned())),
            flows: OAuthFlows {
                code: false,
                implicit: false,
                client_credentials: true,
            },
            scopes: Scopes::parse("orders/read orders/write").unwrap(),
            ..base
        }),
        _ => None,
    }
}

impl ClientRegistry for Clients {
    fn client(&self, client_id: &str) -> Result<Option<OAuthClient>, HostError> {
        Ok(client(client_id))
    }
}

/// A directory with one user who signs in at once, alice / correct horse, and users whose
/// sign-in goes through a challenge (password `correct horse` unless noted): `totp` (a code
/// from the app), `setup` (TOTP set-up), `sms` (a code by SMS), `choose` (pick TOTP or SMS),
/// `newbie` / `temporary` (new password and a `name`), `unconfirmed`. Every code is `123456`.
pub struct Users {
    pub clock: Arc<ManualClock>,
    pub disabled: Mutex<HashSet<String>>,
    pub calls: Mutex<u32>,
}

impl Authenticator for Users {
    fn sign_in(
        &self,
        _client: &OAuthClient,
        username: &str,
        password: &Secret<String>,
    ) -> Result<SignInStep, LoginError> {
        use cognate_types::Clock;
        *self.calls.lock().unwrap() += 1;
        let pending = |kind| {
            Ok(SignInStep::Challenge(PendingChallenge {
                kind,
                username: username.to_owned(),
                state: format!("session-of-{username}"),
            }))
        };
        match (username, password.expose().as_str()) {
            ("alice", "correct horse") => Ok(SignInStep::Done(AuthenticatedUser::new(
                "alice",
                self.clock.now(),
            ))),
            ("totp", "correct horse") => pending(ChallengeKind::SoftwareToken),
            ("sms", "correct horse") => pending(ChallengeKind::SmsCode {
                destination: "+*******0100".into(),
            }),
            ("choose", "correct horse") => pending(ChallengeKind::SelectMfa {
                options: vec![MfaMethod::Totp, MfaMethod::Sms],
            }),
            ("newbie", "temporary") => pending(ChallengeKind::NewPasswordRequired {
                required_attributes: vec!["name".into()],
            }),
            ("setup", "correct horse") => pending(ChallengeKind::TotpSetup {
                secret: "JBSWY3DPEHPK3PXP".into(),
                otpauth_uri: "otpauth://totp/Pool:setup?secret=JBSWY3DPEHPK3PXP".into(),
            }),
            ("unconfirmed", "correct horse") => Err(LoginError::UserNotConfirmed(
                "User is not confirmed.".into(),
            )),
            _ => Err(LoginError::NotAuthorized(
                "Incorrect username or password.".into(),
            )),
        }
    }
    fn answer(
        &self,
        _client: &OAuthClient,
        pending: &PendingChallenge,
        answer: ChallengeAnswer,
    ) -> Result<SignInStep, LoginError> {
        use cognate_types::Clock;
        *self.calls.lock().unwrap() += 1;
        if pending.state != format!("session-of-{}", pending.username) {
            return Err(LoginError::NotAuthorized(
                "Invalid session for the user.".into(),
            ));
        }
        let ok = match answer {
            ChallengeAnswer::Select(method) => {
                let kind = match method {
                    MfaMethod::Totp => ChallengeKind::SoftwareToken,
                    MfaMethod::Sms => ChallengeKind::SmsCode {
                        destination: "+*******0100".into(),
                    },
                    MfaMethod::Email => ChallengeKind::EmailCode {
                        destination: "c***@e***".into(),
                    },
                };
                return Ok(SignInStep::Challenge(PendingChallenge {
                    kind,
                    username: pending.username.clone(),
                    state: pending.state.clone(),
                }));
            }
            ChallengeAnswer::Code(c) => c.expose() == "123456",
            ChallengeAnswer::NewPassword {
                password,
                attributes,
            } => {
                password.expose() == "N3w-passw0rd"
                    && attributes == vec![("name".to_owned(), "New Bie".to_owned())]
            }
            _ => false,
        };
        if ok {
            Ok(SignInStep::Done(AuthenticatedUser::new(
                pending.username.clone(),
                self.clock.now(),
            )))
        } else {
            Err(LoginError::CodeMismatch(
                "Invalid code or auth state for the user.".into(),
            ))
        }
    }
    fn session_valid(&self, user: &AuthenticatedUser) -> Result<bool, HostError> {
        Ok(!self.disabled.lock().unwrap().contains(&user.user))
    }
    fn sign_up_fields(&self) -> Result<Vec<SignUpField>, HostError> {
        Ok(vec![SignUpField {
            name: "email".into(),
            required: true,
        }])
    }
    fn sign_up(&self, _client: &OAuthClient, req: SignUp) -> Result<SignUpOutcome, LoginError> {
        *self.calls.lock().unwrap() += 1;
        if req.username == "alice" {
            return Err(LoginError::UsernameExists("User already exists".into()));
        }
        if req.attributes != vec![("email".to_owned(), format!("{}@example.com", req.username))] {
            return Err(LoginError::InvalidParameter("bad attributes".into()));
        }
        Ok(SignUpOutcome::CodeSent(CodeDelivery {
            medium: "EMAIL".into(),
            destination: "n***@e***".into(),
        }))
    }
    fn confirm_sign_up(
        &self,
        _client: &OAuthClient,
        _username: &str,
        code: &Secret<String>,
    ) -> Result<(), LoginError> {
        if code.expose() == "000000" {
            Ok(())
        } else {
            Err(LoginError::CodeMismatch(
                "Invalid verification code provided, please try again.".into(),
            ))
        }
    }
    fn resend_confirmation(
        &self,
        _client: &OAuthClient,
        _username: &str,
    ) -> Result<CodeDelivery, LoginError> {
        Ok(CodeDelivery {
            medium: "EMAIL".into(),
            destination: "n***@e***".into(),
        })
    }
    fn forgot_password(
        &self,
        _client: &OAuthClient,
        _username: &str,
    ) -> Result<CodeDelivery, LoginError> {
        Ok(CodeDelivery {
            medium: "EMAIL".into(),
            destination: "a***@e***".into(),
        })
    }
    fn confirm_forgot_password(
        &self,
        _client: &OAuthClient,
        _username: &str,
        code: &Secret<String>,
        new_password: &Secret<String>,
    ) -> Result<(), LoginError> {
        if code.expose() == "111111" && new_password.expose().len() >= 8 {
            Ok(())
        } else {
            Err(LoginError::CodeMismatch(
                "Invalid verification code provided, please try again.".into(),
            ))
        }
    }
}

/// What the fake minter issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub client: String,
    pub user: Option<String>,
    pub scopes: String,
    pub nonce: Option<String>,
    pub family: Option<String>,
    pub auth_time: Option<UnixTime>,
}

/// Access tokens `at.N`, refresh tokens `rt.N` (family `fam.N`), client tokens `cc.N`.
#[derive(Default)]
pub struct Minter {
    pub next: Mutex<u32>,
    pub access: Mutex<HashMap<String, Issued>>,
    pub refresh: Mutex<HashMap<String, Issued>>,
    pub revoked: Mutex<HashSet<String>>,
}

impl Minter {
    fn bump(&self) -> u32 {
        let mut n = self.next.lock().unwrap();
        *n += 1;
        *n
    }

    pub fn is_revoked(&self, family: &str) -> bool {
        self.revoked.lock().unwrap().contains(family)
    }
}

impl TokenMinter for Minter {
    fn issue(
        &self,
        client: &OAuthClient,
        user: &AuthenticatedUser,
        grant: &UserGrant<'_>,
    ) -> Result<TokenSet, MintError> {
        let n = self.bump();
        let family = format!("fam.{n}");
        let issued = Issued {
            client: client.client_id.to_string(),
            user: Some(user.user.clone()),
            scopes: grant.scopes.to_string(),
            nonce: grant.nonce.map(str::to_owned),
            family: Some(family.clone()),
            auth_time: Some(user.auth_time),
        };
        self.access
            .lock()
            .unwrap()
            .insert(format!("at.{n}"), issued.clone());
        let refresh = grant.refresh_token.then(|| format!("rt.{n}"));
        if let Some(r) = &refresh {
            self.refresh.lock().unwrap().insert(r.clone(), issued);
        }
        Ok(TokenSet {
            id_token: grant.scopes.contains("openid").then(|| format!("id.{n}")),
            access_token: format!("at.{n}"),
            refresh_token: refresh.map(Secret::new),
            expires_in: 3600,
            family: Some(family),
        })
    }

    fn refresh(&self, client: &OAuthClient, refresh_token: &str) -> Result<TokenSet, MintError> {
        let old = self
            .refresh
            .lock()
            .unwrap()
            .get(refresh_token)
            .cloned()
            .ok_or_else(|| MintError::InvalidGrant("Invalid Refresh Token".into()))?;
        if old.client != client.client_id.as_str()
            || old.family.as_deref().is_some_and(|f| self.is_revoked(f))
        {
            return Err(MintError::InvalidGrant("Invalid Refresh Token".into()));
        }
        let n = self.bump();
        self.access
            .lock()
            .unwrap()
            .insert(format!("at.{n}"), old.clone());
        Ok(TokenSet {
            id_token: Some(format!("id.{n}")),
            access_token: format!("at.{n}"),
            refresh_token: None,
            expires_in: 3600,
            family: old.family,
        })
    }

    fn client_credentials(
        &self,
        client: &OAuthClient,
        scopes: &Scopes,
    ) -> Result<TokenSet, MintError> {
        let n = self.bump();
        self.access.lock().unwrap().insert(
            format!("cc.{n}"),
            Issued {
                client: client.client_id.to_string(),
                user: None,
                scopes: scopes.to_string(),
                nonce: None,
                family: None,
                auth_time: None,
            },
        );
        Ok(TokenSet {
            id_token: None,
            access_token: format!("cc.{n}"),
            refresh_token: None,
            expires_in: 3600,
            family: None,
        })
    }

    fn revoke(&self, client: &OAuthClient, token: &str) -> Result<(), RevokeError> {
        if token.starts_with("at.") || token.starts_with("id.") {
            return Err(RevokeError::UnsupportedTokenType);
        }
        let found = self.refresh.lock().unwrap().get(token).cloned();
        if let Some(i) = found {
            if i.client == client.client_id.as_str() {
                if let Some(f) = i.family {
                    self.revoked.lock().unwrap().insert(f);
                }
            }
        }
        Ok(())
    }

    fn revoke_family(&self, family: &str) -> Result<(), HostError> {
        self.revoked.lock().unwrap().insert(family.to_owned());
        Ok(())
    }

    fn userinfo(&self, access_token: &str) -> Result<UserInfoSource, UserInfoError> {
        let i = self
            .access
            .lock()
            .unwrap()
            .get(access_token)
            .cloned()
            .ok_or_else(|| UserInfoError::InvalidToken("unknown".into()))?;
        if i.family.as_deref().is_some_and(|f| self.is_revoked(f)) {
            return Err(UserInfoError::InvalidToken("revoked".into()));
        }
        let user = i
            .user
            .ok_or_else(|| UserInfoError::InvalidToken("no user".into()))?;
        Ok(UserInfoSource {
            sub: format!("sub-{user}"),
            username: user,
            scopes: Scopes::parse(&i.scopes).unwrap(),
            attributes: vec![
                ("email".into(), "alice@example.com".into()),
                ("email_verified".into(), "true".into()),
                ("phone_number".into(), "+15550100".into()),
                ("phone_number_verified".into(), "false".into()),
                ("name".into(), "Alice".into()),
            ],
        })
    }

    fn jwks(&self) -> Result<String, HostError> {
        Ok(r#"{"keys":[]}"#.to_owned())
    }
}

pub struct Harness {
    pub server: AuthorizationServer,
    pub clock: Arc<ManualClock>,
    pub minter: Arc<Minter>,
    pub users: Arc<Users>,
}

pub fn harness() -> Harness {
    harness_with(None)
}

/// Upstream providers for the sign-in page's buttons.
pub struct Providers(pub Vec<ProviderButton>);

impl Federation for Providers {
    fn providers(&self, _client: &OAuthClient) -> Result<Vec<ProviderButton>, HostError> {
        Ok(self.0.clone())
    }
    fn route(&self, _client: &OAuthClient, _identifier: &str) -> Result<Option<String>, HostError> {
        Ok(None)
    }
    fn start(
        &self,
        _client: &OAuthClient,
        provider: &str,
        _authorize_query: &str,
    ) -> Result<String, HostError> {
        Ok(format!("https://idp.example/{provider}"))
    }
}

/// A harness whose server hands sign-ins to `federation`, if any.
pub fn harness_with(federation: Option<Arc<dyn Federation>>) -> Harness {
    harness_on(
        federation,
        Arc::new(MemoryGrantStore::new()),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
    )
}

/// A harness on `store` (possibly shared with another) for the pool whose issuer is `issuer`.
pub fn harness_on(
    federation: Option<Arc<dyn Federation>>,
    store: Arc<MemoryGrantStore>,
    issuer: &str,
) -> Harness {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(1_700_000_000)));
    let minter = Arc::new(Minter::default());
    let users = Arc::new(Users {
        clock: clock.clone(),
        disabled: Mutex::new(HashSet::new()),
        calls: Mutex::new(0),
    });
    let config = ServerConfig::new(
        BASE,
        IssuerUrl::new(issuer).unwrap(),
        format!("{issuer}/.well-known/jwks.json"),
        Secret::new([7u8; 32]),
    )
    .unwrap();
    let mut builder = AuthorizationServer::builder(
        config,
        Arc::new(Clients),
        users.clone(),
        minter.clone(),
        store,
    )
    .clock(clock.clone())
    .rng(Arc::new(InsecureDeterministicRandom::new(42)));
    if let Some(f) = federation {
        builder = builder.federation(f);
    }
    let server = builder.build();
    Harness {
        server,
        clock,
        minter,
        users,
    }
}

pub fn get(h: &Harness, uri: &str) -> Response<Vec<u8>> {
    h.server.handle(
        &Request::builder()
            .method(Method::GET)
            .uri(uri)
            .body(Vec::new())
            .unwrap(),
    )
}

pub fn get_with_cookie(h: &Harness, uri: &str, cookie: &str) -> Response<Vec<u8>> {
    h.server.handle(
        &Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header("cookie", cookie)
            .body(Vec::new())
            .unwrap(),
    )
}

pub fn post_form(
    h: &Harness,
    uri: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Response<Vec<u8>> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    h.server.handle(&b.body(body.as_bytes().to_vec()).unwrap())
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

pub fn location(r: &Response<Vec<u8>>) -> String {
    r.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The query (or fragment) parameters of a URL.
pub fn url_params(url: &str) -> HashMap<String, String> {
    let part = url
        .split_once('#')
        .map(|(_, f)| f)
        .or_else(|| url.split_once('?').map(|(_, q)| q))
        .unwrap_or_default();
    url::form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .collect()
}

pub fn json(r: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(r.body()).expect("a JSON body")
}

pub fn alice(h: &Harness) -> AuthenticatedUser {
    AuthenticatedUser::new("alice", h.clock_now())
}

impl Harness {
    pub fn clock_now(&self) -> UnixTime {
        use cognate_types::Clock;
        self.clock.now()
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// PKCE pair (RFC 7636 appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// An authorization completed for alice (as if she had signed in): the code.
pub fn code_for(h: &Harness, query: &str) -> String {
    let r = h.server.resume(query, &alice(h));
    assert_eq!(r.status(), 302, "{:?}", String::from_utf8_lossy(r.body()));
    let loc = location(&r);
    url_params(&loc)
        .get("code")
        .cloned()
        .unwrap_or_else(|| panic!("no code in {loc}"))
}

pub fn conf_query() -> String {
    format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope=openid+email&state=xyz&nonce=n-0S6")
}

pub fn public_query() -> String {
    format!("response_type=code&client_id={PUBLIC}&redirect_uri={CB}&scope=openid+profile&code_challenge={CHALLENGE}&code_challenge_method=S256")
}

/// A browser: cookies by name.
#[derive(Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn send(
        &mut self,
        server: &cognate_oauth2::AuthorizationServer,
        method: Method,
        uri: &str,
        body: &str,
    ) -> Response<Vec<u8>> {
        let path = uri.strip_prefix(BASE).unwrap_or(uri);
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut b = Request::builder().method(method).uri(path);
        if !cookie.is_empty() {
            b = b.header("cookie", cookie.join("; "));
        }
        if !body.is_empty() {
            b = b.header("content-type", "application/x-www-form-urlencoded");
        }
        let r = server.handle(&b.body(body.as_bytes().to_vec()).unwrap());
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        r
    }

    /// Follows redirects on the server until one leaves it; returns that URL, or the page.
    pub fn follow(
        &mut self,
        server: &cognate_oauth2::AuthorizationServer,
        uri: &str,
    ) -> Result<String, String> {
        let mut uri = uri.to_owned();
        for _ in 0..10 {
            let r = self.send(server, Method::GET, &uri, "");
            if r.status() != 302 {
                return Err(String::from_utf8(r.body().clone()).unwrap());
            }
            let next = location(&r);
            if !next.starts_with(BASE) {
                return Ok(next);
            }
            uri = next;
        }
        panic!("redirect loop");
    }

    /// Starts at `/oauth2/authorize?query`; signs alice in if the form is shown. Returns the
    /// callback URL and whether the form was shown.
    pub fn authorize(
        &mut self,
        server: &cognate_oauth2::AuthorizationServer,
        query: &str,
    ) -> (String, bool) {
        let page = match self.follow(server, &format!("/oauth2/authorize?{query}")) {
            Ok(callback) => return (callback, false),
            Err(page) => page,
        };
        let (action, mut fields) = read_form(&page);
        fields.insert("username".into(), "alice".into());
        fields.insert("password".into(), "correct horse".into());
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        let r = self.send(server, Method::POST, &action, &body);
        assert_eq!(r.status(), 302, "{}", String::from_utf8_lossy(r.body()));
        (location(&r), true)
    }
}

pub fn read_form(page: &str) -> (String, HashMap<String, String>) {
    let start = page.find("<form").expect("a form");
    let form = &page[start..page[start..].find("</form>").unwrap() + start];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let pat = format!("{name}=\"");
        let i = tag.find(&pat)? + pat.len();
        let j = tag[i..].find('"')? + i;
        Some(html_unescape(&tag[i..j]))
    };
    let action = attr(&form[..form.find('>').unwrap()], "action").unwrap_or_default();
    let mut fields = HashMap::new();
    for piece in form.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        if let Some(name) = attr(tag, "name") {
            fields.insert(name, attr(tag, "value").unwrap_or_default());
        }
    }
    (action, fields)
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
