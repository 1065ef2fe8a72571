//! The back-channel endpoints: `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, and the
//! discovery and JWKS documents; and `/logout`.

use base64::Engine as _;
use cognate_types::{Scope, Scopes};
use http::header::{self, HeaderValue};
use http::{Request, StatusCode};
use serde_json::{json, Map, Value};

use crate::authorize::SESSION_COOKIE;
use crate::client::OAuthClient;
use crate::grants::{record_key, CodeRecord, CodeState};
use crate::host::{
    HostError, MintError, RecordKind, RevokeError, TokenSet, UserGrant, UserInfoError,
};
use crate::params::Params;
use crate::pkce::verify_pkce;
use crate::redirect::find_registered;
use crate::response::{self, Resp};
use crate::server::AuthorizationServer;

/// Parameters that carry credentials or grants: never accepted in a URL query.
const BODY_ONLY: [&str; 6] = [
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "token",
    "access_token",
];

/// The answer to a CORS preflight of the back-channel endpoints (Cognito answers them with
/// `Access-Control-Allow-Origin: *`).
pub(crate) fn preflight() -> Resp {
    let mut r = response::plain(StatusCode::NO_CONTENT, "");
    cors(&mut r);
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

fn cors(r: &mut Resp) {
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}

/// An RFC 6749 error of the token or revocation endpoint (400; 401 for `invalid_client`).
#[derive(Debug)]
struct TokenError {
    error: &'static str,
    description: String,
    /// Basic authentication was attempted: a 401 carries `WWW-Authenticate: Basic`.
    basic: bool,
}

impl TokenError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
            basic: false,
        }
    }

    fn response(&self) -> Resp {
        let status = if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut r = response::oauth_error(status, self.error, Some(&self.description));
        if status == StatusCode::UNAUTHORIZED && self.basic {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"token\""),
            );
        }
        cors(&mut r);
        r
    }
}

fn server_error(e: &HostError) -> TokenError {
    tracing::error!(error = %e, "token endpoint host failure");
    TokenError::new("server_error", "internal error")
}

impl From<HostError> for TokenError {
    fn from(e: HostError) -> Self {
        server_error(&e)
    }
}

impl From<MintError> for TokenError {
    fn from(e: MintError) -> Self {
        match e {
            MintError::InvalidGrant(d) => TokenError::new("invalid_grant", d),
            MintError::Host(h) => server_error(&h),
        }
    }
}

/// Reads a form body and refuses credentials in the query string.
fn form_params<B>(req: &Request<B>, body: &[u8]) -> Result<Params, TokenError> {
    let query = Params::from_query(req.uri().query())
        .map_err(|e| TokenError::new("invalid_request", e.to_string()))?;
    if BODY_ONLY.iter().any(|k| query.contains(k)) {
        return Err(TokenError::new(
            "invalid_request",
            "credentials and grants must be sent in the request body, not the URL",
        ));
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !form && !body.is_empty() {
        return Err(TokenError::new(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    Params::parse(body).map_err(|e| TokenError::new("invalid_request", e.to_string()))
}

/// The credentials of a `Basic` `Authorization` header: client ID and secret, each
/// form-urlencoded before base64 (RFC 6749 section 2.3.1).
fn basic_credentials(headers: &http::HeaderMap) -> Result<Option<(String, String)>, TokenError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || TokenError {
        basic: true,
        ..TokenError::new("invalid_client", "malformed Basic credentials")
    };
    let v = v.to_str().map_err(|_| bad())?;
    let Some((scheme, rest)) = v.split_once(' ') else {
        return Err(bad());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(TokenError::new(
            "invalid_client",
            "only Basic client authentication is supported",
        ));
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((decode(id), decode(secret))))
}

impl AuthorizationServer {
    /// Authenticates the client of a back-channel request: `client_secret_basic`,
    /// `client_secret_post`, or a public client naming itself.
    fn authenticate_client<B>(
        &self,
        req: &Request<B>,
        params: &Params,
    ) -> Result<OAuthClient, TokenError> {
        let basic = basic_credentials(req.headers())?;
        let (id, secret, via_basic) = match (&basic, params.get("client_id")) {
            (Some((id, secret)), body_id) => {
                if params.contains("client_secret") {
                    return Err(TokenError::new(
                        "invalid_request",
                        "use one client authentication method, not two",
                    ));
                }
                if body_id.is_some_and(|b| b != id) {
                    return Err(TokenError {
                        basic: true,
                        ..TokenError::new(
                            "invalid_client",
                            "client_id does not match the credentials",
                        )
                    });
                }
                (id.as_str(), Some(secret.as_str()), true)
            }
            (None, Some(id)) => (id, params.get("client_secret"), false),
            (None, None) => {
                return Err(TokenError::new(
                    "invalid_client",
                    "client authentication is required",
                ))
            }
        };
        let fail = |d: &str| TokenError {
            basic: via_basic,
            ..TokenError::new("invalid_client", d)
        };
        let client = self
            .clients
            .client(id)?
            .ok_or_else(|| fail("invalid client"))?;
        match (&client.secret, secret) {
            (None, None) => {}
            (None, Some(_)) => return Err(fail("the client has no secret")),
            (Some(_), None) => return Err(fail("client secret required")),
            (Some(expected), Some(given)) => {
                if !expected.ct_eq_bytes(given.as_bytes()) {
                    return Err(fail("invalid client secret"));
                }
            }
        }
        if !client.oauth_enabled {
            return Err(TokenError::new(
                "unauthorized_client",
                "the client is not enabled for OAuth",
            ));
        }
        Ok(client)
    }

    /// `POST /oauth2/token`.
    pub(crate) fn token<B>(&self, req: &Request<B>, body: &[u8]) -> Resp {
        match self.token_inner(req, body) {
            Ok(tokens) => {
                let mut v = Map::new();
                v.insert("access_token".into(), Value::String(tokens.access_token));
                if let Some(id) = tokens.id_token {
                    v.insert("id_token".into(), Value::String(id));
                }
                if let Some(rt) = &tokens.refresh_token {
                    v.insert("refresh_token".into(), Value::String(rt.expose().clone()));
                }
                v.insert("token_type".into(), Value::String("Bearer".into()));
                v.insert("expires_in".into(), Value::from(tokens.expires_in));
                let mut r = response::no_store(response::json(StatusCode::OK, &Value::Object(v)));
                cors(&mut r);
                r
            }
            Err(e) => e.response(),
        }
    }

    fn token_inner<B>(&self, req: &Request<B>, body: &[u8]) -> Result<TokenSet, TokenError> {
        let params = form_params(req, body)?;
        let grant = params.get("grant_type");
        let client = self.authenticate_client(req, &params)?;
        match grant {
            Some("authorization_code") => self.code_grant(&client, &params),
            Some("refresh_token") => {
                let token = params.get("refresh_token").ok_or_else(|| {
                    TokenError::new("invalid_request", "refresh_token is required")
                })?;
                if !(client.flows.code || client.flows.implicit) {
                    return Err(TokenError::new(
                        "unauthorized_client",
                        "the client is not allowed the refresh_token grant",
                    ));
                }
                Ok(self.tokens.refresh(&client, token)?)
            }
            Some("client_credentials") => self.client_credentials(&client, &params),
            Some(_) => Err(TokenError::new(
                "unsupported_grant_type",
                "grant_type must be authorization_code, refresh_token or client_credentials",
            )),
            None => Err(TokenError::new("invalid_request", "grant_type is required")),
        }
    }

    fn code_grant(&self, client: &OAuthClient, params: &Params) -> Result<TokenSet, TokenError> {
        if !client.flows.code {
            return Err(TokenError::new(
                "unauthorized_client",
                "the client is not allowed the authorization_code grant",
            ));
        }
        let code = params
            .get("code")
            .ok_or_else(|| TokenError::new("invalid_request", "code is required"))?;
        let invalid = || TokenError::new("invalid_grant", "invalid_grant");
        let key = record_key(code);
        let now = self.clock.now();
        let bytes = self
            .store
            .get(RecordKind::Code, &key, now)?
            .ok_or_else(invalid)?;
        let rec = CodeRecord::from_bytes(&bytes).ok_or_else(invalid)?;
        if rec.client_id != client.client_id.as_str() || rec.issuer != self.config.issuer().as_str()
        {
            // Another client's code: refused, and left for its owner.
            return Err(invalid());
        }
        match &rec.state {
            CodeState::Fresh => {}
            CodeState::Redeemed { family } => {
                // A second redemption: revoke what the first one issued (RFC 6749 4.1.2).
                if let Some(f) = family {
                    self.tokens.revoke_family(f)?;
                }
                tracing::warn!(client = %client.client_id, "authorization code reused; its tokens are revoked");
                return Err(invalid());
            }
            CodeState::Redeeming => {
                let reused = CodeRecord {
                    state: CodeState::Reused,
                    ..rec.clone()
                };
                self.store
                    .swap(RecordKind::Code, &key, &bytes, &reused.to_bytes(), now)?;
                return Err(invalid());
            }
            CodeState::Reused => return Err(invalid()),
        }
        // Claim the code: exactly one request moves it out of Fresh.
        let redeeming = CodeRecord {
            state: CodeState::Redeeming,
            ..rec.clone()
        };
        let redeeming_bytes = redeeming.to_bytes();
        if !self
            .store
            .swap(RecordKind::Code, &key, &bytes, &redeeming_bytes, now)?
        {
            return Err(invalid());
        }
        // From here the code is used up, whatever happens next.
        let redirect_ok = match params.get("redirect_uri") {
            Some(r) => r == rec.redirect_uri,
            None => false,
        };
        if !redirect_ok {
            return Err(TokenError::new(
                "invalid_grant",
                "redirect_uri does not match the authorization request",
            ));
        }
        verify_pkce(rec.code_challenge.as_deref(), params.get("code_verifier"))
            .map_err(|e| TokenError::new("invalid_grant", e.to_string()))?;
        let scopes = Scopes::parse(&rec.scopes).map_err(|_| invalid())?;
        let grant = UserGrant {
            scopes: &scopes,
            nonce: rec.nonce.as_deref(),
            refresh_token: true,
        };
        let tokens = self.tokens.issue(client, &rec.user, &grant)?;
        let done = CodeRecord {
            state: CodeState::Redeemed {
                family: tokens.family.clone(),
            },
            ..rec
        };
        let now = self.clock.now();
        if !self.store.swap(
            RecordKind::Code,
            &key,
            &redeeming_bytes,
            &done.to_bytes(),
            now,
        )? {
            // A second redemption raced this one: the tokens just issued are revoked.
            if let Some(f) = &tokens.family {
                self.tokens.revoke_family(f)?;
            }
            return Err(invalid());
        }
        Ok(tokens)
    }

    fn client_credentials(
        &self,
        client: &OAuthClient,
        params: &Params,
    ) -> Result<TokenSet, TokenError> {
        if client.secret.is_none() || !client.flows.client_credentials {
            return Err(TokenError::new(
                "unauthorized_client",
                "the client is not allowed the client_credentials grant",
            ));
        }
        let mut granted = Scopes::new();
        match params.get("scope") {
            None => {
                for s in client
                    .scopes
                    .iter()
                    .filter(|s| s.resource_server().is_some())
                {
                    granted.insert(s.clone());
                }
            }
            Some(list) => {
                for item in list.split(' ').filter(|s| !s.is_empty()) {
                    let s = Scope::new(item)
                        .map_err(|_| TokenError::new("invalid_scope", "malformed scope"))?;
                    if s.resource_server().is_some() && client.scopes.contains(s.as_str()) {
                        granted.insert(s);
                    }
                }
            }
        }
        if granted.is_empty() {
            return Err(TokenError::new(
                "invalid_scope",
                "no custom scope of the client was requested",
            ));
        }
        Ok(self.tokens.client_credentials(client, &granted)?)
    }

    /// `POST /oauth2/revoke` (RFC 7009; refresh tokens only, as Cognito).
    pub(crate) fn revoke<B>(&self, req: &Request<B>, body: &[u8]) -> Resp {
        let result = (|| -> Result<(), TokenError> {
            let params = form_params(req, body)?;
            let client = self.authenticate_client(req, &params)?;
            let token = params
                .get("token")
                .ok_or_else(|| TokenError::new("invalid_request", "token is required"))?;
            if !client.token_revocation {
                return Err(TokenError::new(
                    "invalid_request",
                    "token revocation is not enabled for this client",
                ));
            }
            match self.tokens.revoke(&client, token) {
                Ok(()) => Ok(()),
                Err(RevokeError::UnsupportedTokenType) => Err(TokenError::new(
                    "unsupported_token_type",
                    "only refresh tokens can be revoked",
                )),
                Err(RevokeError::Host(h)) => Err(server_error(&h)),
            }
        })();
        match result {
            Ok(()) => {
                let mut r = response::no_store(response::json(StatusCode::OK, &json!({})));
                *r.body_mut() = Vec::new();
                cors(&mut r);
                r
            }
            Err(e) => e.response(),
        }
    }

    /// `GET|POST /oauth2/userInfo`.
    pub(crate) fn userinfo<B>(&self, req: &Request<B>, body: &[u8]) -> Resp {
        let bearer_error = |status: StatusCode, error: &str, description: &str| {
            let mut r = response::oauth_error(status, error, Some(description));
            let challenge = format!(
                "Bearer error=\"{error}\", error_description=\"{}\"",
                response::clean_description(description)
            );
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            cors(&mut r);
            r
        };
        let bad = || {
            bearer_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Bad OAuth2 request at UserInfo Endpoint",
            )
        };
        let query = match Params::from_query(req.uri().query()) {
            Ok(q) => q,
            Err(_) => return bad(),
        };
        if query.contains("access_token") {
            return bad();
        }
        let header_token = match req.headers().get(header::AUTHORIZATION) {
            None => None,
            Some(v) => {
                let Some((scheme, token)) = v.to_str().ok().and_then(|s| s.split_once(' ')) else {
                    return bad();
                };
                if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
                    return bad();
                }
                Some(token.trim().to_owned())
            }
        };
        let body_token = if req.method() == http::Method::POST && !body.is_empty() {
            match Params::parse(body) {
                Ok(p) => p.get("access_token").map(str::to_owned),
                Err(_) => return bad(),
            }
        } else {
            None
        };
        let token = match (header_token, body_token) {
            (Some(t), None) | (None, Some(t)) => t,
            _ => return bad(),
        };
        let source = match self.tokens.userinfo(&token) {
            Ok(s) => s,
            Err(UserInfoError::InvalidToken(_)) => {
                return bearer_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "Access token is expired, disabled, or deleted, or the user has globally signed out.",
                )
            }
            Err(UserInfoError::Host(e)) => {
                tracing::error!(error = %e, "userInfo host failure");
                return response::oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    None,
                );
            }
        };
        if !source.scopes.contains(Scope::OPENID) {
            return bearer_error(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                "Access token does not contain openid scope",
            );
        }
        let mut claims = Map::new();
        claims.insert("sub".into(), Value::String(source.sub.clone()));
        let profile = source.scopes.contains("profile");
        let email = source.scopes.contains("email");
        let phone = source.scopes.contains("phone");
        for (name, value) in &source.attributes {
            let wanted = profile
                || (email && matches!(name.as_str(), "email" | "email_verified"))
                || (phone && matches!(name.as_str(), "phone_number" | "phone_number_verified"));
            if wanted && name != "sub" {
                claims.insert(name.clone(), Value::String(value.clone()));
            }
        }
        claims.insert("username".into(), Value::String(source.username));
        let mut r = response::no_store(response::json(StatusCode::OK, &Value::Object(claims)));
        cors(&mut r);
        r
    }

    /// `GET /logout`: ends the managed-login session, then redirects to a registered sign-out
    /// URI (`client_id` + `logout_uri`) or back to sign-in (`client_id` + `redirect_uri` +
    /// `response_type`).
    pub(crate) fn logout<B>(&self, req: &Request<B>) -> Resp {
        let error_page = |error: &'static str, client_id: Option<&str>| {
            let mut q = vec![("error", error)];
            if let Some(c) = client_id {
                q.push(("client_id", c));
            }
            response::redirect(&response::with_params(
                &self.config.endpoint("/error"),
                &q,
                false,
            ))
        };
        let Ok(params) = Params::from_query(req.uri().query()) else {
            return error_page("invalid_request", None);
        };
        let Some(cid) = params.get("client_id") else {
            return error_page("invalid_request", None);
        };
        let client = match self.clients.client(cid) {
            Ok(Some(c)) => c,
            Ok(None) => return error_page("invalid_client", Some(cid)),
            Err(e) => {
                tracing::error!(error = %e, "logout client lookup failed");
                return response::plain(StatusCode::INTERNAL_SERVER_ERROR, "server error");
            }
        };
        let target = if let Some(logout_uri) = params.get("logout_uri") {
            match find_registered(&client.logout_urls, logout_uri) {
                Some(_) => logout_uri.to_owned(),
                None => return error_page("invalid_request", Some(cid)),
            }
        } else if params.get("redirect_uri").is_some() && params.get("response_type").is_some() {
            let mut login = Params::default();
            for name in [
                "client_id",
                "redirect_uri",
                "response_type",
                "state",
                "scope",
                "code_challenge",
                "code_challenge_method",
                "nonce",
                "lang",
            ] {
                if let Some(v) = params.get(name) {
                    login.set(name, v);
                }
            }
            if let Err(e) = self.validate_authorize(&login) {
                return self.authorize_error(e);
            }
            format!("{}?{}", self.config.endpoint("/login"), login.to_query())
        } else {
            return error_page("invalid_request", Some(cid));
        };
        // The user an upstream provider signed in, for single logout there.
        let upstream_user = self
            .session_user(req)
            .map(|(_, user)| user)
            .filter(|u| u.upstream.is_some());
        if let Some(token) = response::read_cookie(req.headers(), SESSION_COOKIE) {
            if let Err(e) = self.store.delete(RecordKind::Session, &record_key(token)) {
                tracing::error!(error = %e, "ending the session failed");
                return response::plain(StatusCode::INTERNAL_SERVER_ERROR, "server error");
            }
        }
        let next = match (&self.federation, upstream_user) {
            (Some(f), Some(user)) => match f.sign_out(&client, &user, &target) {
                Ok(Some(url)) => url,
                Ok(None) => target,
                Err(e) => {
                    // The session here is gone; the provider's is left as it is.
                    tracing::error!(error = %e, "single logout at the provider failed");
                    target
                }
            },
            _ => target,
        };
        let mut r = response::redirect(&next);
        response::set_cookie(
            &mut r,
            &response::cookie(
                SESSION_COOKIE,
                "",
                self.config.cookie_path(),
                0,
                self.config.is_https(),
            ),
        );
        r
    }

    /// The discovery document (`/.well-known/openid-configuration`): Cognito's members, plus
    /// the ones its document lacks and clients look for (`code_challenge_methods_supported`,
    /// `grant_types_supported`, ...). Keys in alphabetical order, as Cognito emits them.
    pub fn discovery_document(&self) -> Value {
        let c = &self.config;
        json!({
            "authorization_endpoint": c.endpoint("/oauth2/authorize"),
            "claims_parameter_supported": false,
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                "cognito:username", "cognito:groups", "email", "email_verified",
                "phone_number", "phone_number_verified", "name", "given_name", "family_name",
                "middle_name", "nickname", "preferred_username", "profile", "picture",
                "website", "gender", "birthdate", "zoneinfo", "locale", "address", "updated_at",
                "identities"
            ],
            "code_challenge_methods_supported": ["S256"],
            "end_session_endpoint": c.endpoint("/logout"),
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": c.issuer().as_str(),
            "jwks_uri": c.jwks_uri(),
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "response_modes_supported": ["query", "fragment"],
            "response_types_supported": ["code", "token"],
            "revocation_endpoint": c.endpoint("/oauth2/revoke"),
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "scopes_supported": c.scopes_supported,
            "subject_types_supported": ["public"],
            "token_endpoint": c.endpoint("/oauth2/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "userinfo_endpoint": c.endpoint("/oauth2/userInfo"),
        })
    }

    pub(crate) fn discovery(&self) -> Resp {
        let mut r = response::json(StatusCode::OK, &self.discovery_document());
        cors(&mut r);
        r
    }

    pub(crate) fn jwks(&self) -> Resp {
        match self.tokens.jwks() {
            Ok(doc) => {
                let mut r = response::plain(StatusCode::OK, "");
                *r.body_mut() = doc.into_bytes();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r.headers_mut().remove(header::PRAGMA);
                r.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                );
                cors(&mut r);
                r
            }
            Err(e) => {
                tracing::error!(error = %e, "JWKS unavailable");
                response::plain(StatusCode::INTERNAL_SERVER_ERROR, "server error")
            }
        }
    }
}
