//! `/oauth2/authorize`: validating an authorization request, and finishing it with a code or
//! tokens once the user is known.

use std::time::Duration;

use cognate_types::{Scope, Scopes, UnixTime};
use http::{Request, StatusCode};

use crate::client::OAuthClient;
use crate::grants::{random_token, record_key, CodeRecord, CodeState, SessionRecord};
use crate::host::{AuthenticatedUser, HostError, RecordKind, UserGrant};
use crate::params::Params;
use crate::redirect::find_registered;
use crate::response::{self, Resp};
use crate::server::AuthorizationServer;

/// The name of the single-sign-on session cookie (Cognito's hosted UI uses `cognito`).
pub(crate) const SESSION_COOKIE: &str = "cognito";

/// `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseType {
    /// Authorization code in the query.
    Code,
    /// Tokens in the fragment (implicit grant).
    Token,
}

/// `prompt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prompt {
    /// Not given (or `consent` / `select_account`, which only matter to federated IdPs).
    Default,
    /// Sign in again even with a session.
    Login,
    /// Show nothing: a session or an error.
    None,
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    pub(crate) client: OAuthClient,
    pub(crate) redirect_uri: String,
    pub(crate) response_type: ResponseType,
    pub(crate) state: Option<String>,
    pub(crate) scopes: Scopes,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) identity_provider: Option<String>,
    pub(crate) idp_identifier: Option<String>,
    pub(crate) prompt: Prompt,
    pub(crate) max_age: Option<u64>,
    pub(crate) login_hint: Option<String>,
    pub(crate) lang: Option<String>,
    /// The request's parameters as received, to carry to the login pages.
    pub(crate) params: Params,
}

/// Why an authorization request fails.
#[derive(Debug, Clone)]
pub(crate) enum AuthorizeError {
    /// The client or redirect URI cannot be trusted: the error page, never a redirect.
    Page {
        error: &'static str,
        client_id: Option<String>,
    },
    /// An error sent back to the (valid) redirect URI.
    Redirect {
        redirect_uri: String,
        fragment: bool,
        state: Option<String>,
        error: &'static str,
        description: Option<String>,
    },
    /// The host failed before the redirect URI was known.
    Host(HostError),
}

impl AuthorizeRequest {
    /// An error redirect for this request.
    pub(crate) fn error(&self, error: &'static str, description: Option<&str>) -> AuthorizeError {
        AuthorizeError::Redirect {
            redirect_uri: self.redirect_uri.clone(),
            fragment: self.response_type == ResponseType::Token,
            state: self.state.clone(),
            error,
            description: description.map(str::to_owned),
        }
    }
}

/// The error an upstream sign-in ends with at the app ([`AuthorizationServer::fail`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpstreamError {
    /// `server_error`: what Cognito sends when a SAML response is refused.
    ServerError,
    /// `invalid_request`: what Cognito sends for an error reported by an OIDC provider.
    InvalidRequest,
    /// `access_denied`: the user or the provider declined.
    AccessDenied,
}

impl UpstreamError {
    /// The `error` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamError::ServerError => "server_error",
            UpstreamError::InvalidRequest => "invalid_request",
            UpstreamError::AccessDenied => "access_denied",
        }
    }
}

/// The scopes that imply `openid`.
const OPENID_DEPENDENT: [&str; 3] = ["email", "phone", "profile"];

/// The granted scopes: the requested ones the client may have (unknown ones silently dropped,
/// as Cognito does), all of the client's when none are requested; `email`, `phone` and
/// `profile` only with `openid`. Empty is an error.
fn grant_scopes(client: &OAuthClient, requested: Option<&str>) -> Result<Scopes, &'static str> {
    let mut granted = Scopes::new();
    match requested {
        None => {
            for s in client.scopes.iter() {
                granted.insert(s.clone());
            }
        }
        Some(list) => {
            for item in list.split(' ').filter(|s| !s.is_empty()) {
                let scope = Scope::new(item).map_err(|_| "malformed scope")?;
                if client.scopes.contains(scope.as_str()) {
                    granted.insert(scope);
                }
            }
        }
    }
    if !granted.contains(Scope::OPENID) {
        for s in OPENID_DEPENDENT {
            granted.remove(s);
        }
    }
    if granted.is_empty() {
        return Err("none of the requested scopes is allowed for this client");
    }
    Ok(granted)
}

impl AuthorizationServer {
    /// Validates authorization-request parameters (from `/oauth2/authorize`, or carried to a
    /// login page).
    pub(crate) fn validate_authorize(
        &self,
        params: &Params,
    ) -> Result<AuthorizeRequest, AuthorizeError> {
        let page = |error: &'static str, client_id: Option<&str>| AuthorizeError::Page {
            error,
            client_id: client_id.map(str::to_owned),
        };
        let client_id = params.get("client_id");
        let Some(cid) = client_id else {
            return Err(page("invalid_request", None));
        };
        let client = match self.clients.client(cid) {
            Ok(Some(c)) if c.oauth_enabled => c,
            Ok(_) => return Err(page("invalid_client", Some(cid))),
            Err(e) => return Err(AuthorizeError::Host(e)),
        };
        let redirect_uri = match params.get("redirect_uri") {
            Some(r) => match find_registered(&client.callback_urls, r) {
                Some(_) => r.to_owned(),
                None => return Err(page("redirect_mismatch", Some(cid))),
            },
            None => match &client.default_redirect_uri {
                Some(d) if find_registered(&client.callback_urls, d).is_some() => d.clone(),
                _ => return Err(page("redirect_mismatch", Some(cid))),
            },
        };
        let state = params.get("state").map(str::to_owned);
        let response_type = match params.get("response_type") {
            Some("code") => Some(ResponseType::Code),
            Some("token") => Some(ResponseType::Token),
            _ => None,
        };
        let fragment = response_type == Some(ResponseType::Token);
        let fail = |error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: redirect_uri.clone(),
            fragment,
            state: state.clone(),
            error,
            description: Some(description.to_owned()),
        };
        let Some(response_type) = response_type else {
            return Err(match params.get("response_type") {
                None => fail("invalid_request", "response_type is required"),
                Some(_) => fail(
                    "unsupported_response_type",
                    "response_type must be code or token",
                ),
            });
        };
        let allowed = match response_type {
            ResponseType::Code => client.flows.code,
            ResponseType::Token => client.flows.implicit,
        };
        if !allowed {
            return Err(fail(
                "unauthorized_client",
                "the client is not allowed this response_type",
            ));
        }
        if params.contains("request") {
            return Err(fail(
                "request_not_supported",
                "request objects are not supported",
            ));
        }
        if params.contains("request_uri") {
            return Err(fail(
                "request_uri_not_supported",
                "request_uri is not supported",
            ));
        }
        match (params.get("response_mode"), response_type) {
            (None, _) | (Some("query"), ResponseType::Code) | (Some("fragment"), _) => {}
            _ => return Err(fail("invalid_request", "unsupported response_mode")),
        }
        let code_challenge = match (
            params.get("code_challenge_method"),
            params.get("code_challenge"),
        ) {
            (None, None) => None,
            (Some("S256"), Some(c)) if crate::pkce::well_formed(c) => Some(c.to_owned()),
            (Some("S256"), Some(_)) => {
                return Err(fail("invalid_request", "code_challenge is malformed"))
            }
            (Some("S256"), None) => {
                return Err(fail("invalid_request", "code_challenge is required"))
            }
            (None, Some(_)) => {
                return Err(fail(
                    "invalid_request",
                    "code_challenge_method is required (S256)",
                ))
            }
            (Some(_), _) => {
                return Err(fail(
                    "invalid_request",
                    "code_challenge_method must be S256",
                ))
            }
        };
        if response_type == ResponseType::Code
            && code_challenge.is_none()
            && client.secret.is_none()
            && self.require_pkce_for_public_clients
        {
            return Err(fail(
                "invalid_request",
                "PKCE (code_challenge with S256) is required for clients without a secret",
            ));
        }
        let scopes =
            grant_scopes(&client, params.get("scope")).map_err(|d| fail("invalid_scope", d))?;
        let prompt = match params.get("prompt") {
            None => Prompt::Default,
            Some(p) => {
                let values: Vec<&str> = p.split(' ').filter(|s| !s.is_empty()).collect();
                if values.contains(&"none") && values.len() > 1 {
                    return Err(fail(
                        "invalid_request",
                        "prompt=none cannot be combined with other values",
                    ));
                }
                if values.contains(&"none") {
                    Prompt::None
                } else if values.contains(&"login") {
                    Prompt::Login
                } else {
                    Prompt::Default
                }
            }
        };
        let max_age = match params.get("max_age") {
            None => None,
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| fail("invalid_request", "max_age must be a number of seconds"))?,
            ),
        };
        let identity_provider = params.get("identity_provider").map(str::to_owned);
        if let Some(p) = &identity_provider {
            if !client.supports_provider(p) {
                return Err(fail(
                    "invalid_request",
                    "identity_provider is not enabled for this client",
                ));
            }
        }
        Ok(AuthorizeRequest {
            redirect_uri,
            response_type,
            state,
            scopes,
            nonce: params.get("nonce").map(str::to_owned),
            code_challenge,
            identity_provider,
            idp_identifier: params.get("idp_identifier").map(str::to_owned),
            prompt,
            max_age,
            login_hint: params.get("login_hint").map(str::to_owned),
            lang: params.get("lang").map(str::to_owned),
            params: params.clone(),
            client,
        })
    }

    /// The response for a failed authorization request.
    pub(crate) fn authorize_error(&self, e: AuthorizeError) -> Resp {
        match e {
            AuthorizeError::Page { error, client_id } => {
                let mut q = vec![("error", error)];
                if let Some(c) = client_id.as_deref() {
                    q.push(("client_id", c));
                }
                response::redirect(&response::with_params(
                    &self.config.endpoint("/error"),
                    &q,
                    false,
                ))
            }
            AuthorizeError::Redirect {
                redirect_uri,
                fragment,
                state,
                error,
                description,
            } => {
                let clean = description.as_deref().map(response::clean_description);
                let mut q: Vec<(&str, &str)> = vec![("error", error)];
                if let Some(d) = clean.as_deref() {
                    q.push(("error_description", d));
                }
                if let Some(s) = state.as_deref() {
                    q.push(("state", s));
                }
                response::redirect(&response::with_params(&redirect_uri, &q, fragment))
            }
            AuthorizeError::Host(e) => {
                tracing::error!(error = %e, "authorization request failed");
                response::plain(StatusCode::INTERNAL_SERVER_ERROR, "server error")
            }
        }
    }

    /// The user behind the request's session cookie, if the session is live and the user may
    /// still use it.
    pub(crate) fn session_user<B>(&self, req: &Request<B>) -> Option<(String, AuthenticatedUser)> {
        let token = response::read_cookie(req.headers(), SESSION_COOKIE)?;
        let key = record_key(token);
        let now = self.clock.now();
        let bytes = self
            .store
            .get(RecordKind::Session, &key, now)
            .map_err(|e| tracing::error!(error = %e, "session lookup failed"))
            .ok()??;
        let rec: SessionRecord = serde_json::from_slice(&bytes).ok()?;
        if rec.issuer != self.config.issuer().as_str() {
            // Another server's (another pool's) session in a shared store.
            return None;
        }
        match self.users.session_valid(&rec.user) {
            Ok(true) => Some((key, rec.user)),
            Ok(false) => {
                let _ = self.store.delete(RecordKind::Session, &key);
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "session check failed");
                None
            }
        }
    }

    /// The user a live single-sign-on session signs in for `ar`, unless `prompt=login` or
    /// `max_age` asks for a new sign-in.
    pub(crate) fn sso_user<B>(
        &self,
        ar: &AuthorizeRequest,
        req: &Request<B>,
    ) -> Option<AuthenticatedUser> {
        if ar.prompt == Prompt::Login {
            return None;
        }
        let (_, user) = self.session_user(req)?;
        let fresh = ar.max_age.is_none_or(|max| {
            self.clock.now().duration_since(user.auth_time) <= Duration::from_secs(max)
        });
        fresh.then_some(user)
    }

    /// `GET|POST /oauth2/authorize`.
    pub(crate) fn authorize<B>(&self, query: Option<&str>, req: &Request<B>, body: &[u8]) -> Resp {
        let mut params = match Params::from_query(query) {
            Ok(p) => p,
            Err(_) => {
                return self.authorize_error(AuthorizeError::Page {
                    error: "invalid_request",
                    client_id: None,
                })
            }
        };
        if req.method() == http::Method::POST {
            match Params::parse(body).and_then(|b| params.merge(b)) {
                Ok(()) => {}
                Err(_) => {
                    return self.authorize_error(AuthorizeError::Page {
                        error: "invalid_request",
                        client_id: None,
                    })
                }
            }
        }
        let ar = match self.validate_authorize(&params) {
            Ok(ar) => ar,
            Err(e) => return self.authorize_error(e),
        };
        // Hand-off to an upstream identity provider.
        let provider = match self.chosen_provider(&ar) {
            Ok(p) => p,
            Err(e) => return self.authorize_error(e),
        };
        if let Some(provider) = provider {
            return self.start_federation(&ar, &provider);
        }
        if let Some(user) = self.sso_user(&ar, req) {
            return self.complete(&ar, &user, None);
        }
        if ar.prompt == Prompt::None {
            return self.authorize_error(ar.error(
                "login_required",
                Some("the user is not signed in and prompt=none was requested"),
            ));
        }
        // `prompt` and `max_age` go along: the sign-in page honours them too.
        let target = format!(
            "{}?{}",
            self.config.endpoint("/login"),
            ar.params.to_query()
        );
        response::redirect(&target)
    }

    /// The upstream provider an authorization request goes to, if not the pool's own users.
    fn chosen_provider(&self, ar: &AuthorizeRequest) -> Result<Option<String>, AuthorizeError> {
        if let Some(p) = &ar.identity_provider {
            return Ok((p != OAuthClient::COGNITO).then(|| p.clone()));
        }
        if let Some(id) = &ar.idp_identifier {
            let routed = match &self.federation {
                Some(f) => f.route(&ar.client, id).map_err(AuthorizeError::Host)?,
                None => None,
            };
            return match routed {
                Some(p) if ar.client.supports_provider(&p) => Ok(Some(p)),
                _ => Err(ar.error(
                    "invalid_request",
                    Some("no identity provider matches idp_identifier"),
                )),
            };
        }
        // A client whose only provider is an upstream one goes straight there.
        match ar.client.identity_providers.as_slice() {
            [only] if only != OAuthClient::COGNITO => Ok(Some(only.clone())),
            [] => Err(ar.error(
                "unauthorized_client",
                Some("the client has no identity provider"),
            )),
            _ => Ok(None),
        }
    }

    fn start_federation(&self, ar: &AuthorizeRequest, provider: &str) -> Resp {
        let Some(f) = &self.federation else {
            return self.authorize_error(ar.error(
                "invalid_request",
                Some(
                    "sign-in through an external identity provider is not available on this server",
                ),
            ));
        };
        match f.start(&ar.client, provider, &ar.params.to_query()) {
            Ok(url) => response::redirect(&url),
            Err(e) => {
                tracing::error!(error = %e, provider, "federation hand-off failed");
                self.authorize_error(ar.error("server_error", None))
            }
        }
    }

    /// Finishes an authorization request for `user` whose identity was established by
    /// an upstream provider: starts a single-sign-on session for them (remembering
    /// [`AuthenticatedUser::upstream`] for sign-out) and redirects with a code or tokens.
    /// `authorize_query` is what [`crate::Federation::start`] was given (or, for a sign-in the
    /// provider started, the authorization parameters it carried), and is validated again
    /// here: an unknown client or unregistered redirect URI gets the error page.
    pub fn resume(
        &self,
        authorize_query: &str,
        user: &AuthenticatedUser,
    ) -> http::Response<Vec<u8>> {
        let ar = match self.resumed_request(authorize_query) {
            Ok(ar) => ar,
            Err(e) => return self.authorize_error(e),
        };
        match self.start_session(user, None) {
            Ok(cookie) => self.complete(&ar, user, Some(cookie)),
            Err(e) => {
                tracing::error!(error = %e, "starting the session failed");
                self.authorize_error(ar.error("server_error", None))
            }
        }
    }

    /// Ends an authorization request that an upstream provider could not complete: the
    /// error, with `description`, to the request's redirect URI (Cognito's form for a bad
    /// SAML response is `server_error` with `Invalid SAML response received: ...`). An
    /// `authorize_query` that does not validate gets the error page instead.
    pub fn fail(
        &self,
        authorize_query: &str,
        error: UpstreamError,
        description: &str,
    ) -> http::Response<Vec<u8>> {
        match self.resumed_request(authorize_query) {
            Ok(ar) => self.authorize_error(ar.error(error.as_str(), Some(description))),
            Err(e) => self.authorize_error(e),
        }
    }

    fn resumed_request(&self, authorize_query: &str) -> Result<AuthorizeRequest, AuthorizeError> {
        let params =
            Params::parse(authorize_query.as_bytes()).map_err(|_| AuthorizeError::Page {
                error: "invalid_request",
                client_id: None,
            })?;
        self.validate_authorize(&params)
    }

    /// Starts a single-sign-on session for `user` and returns its `Set-Cookie` value.
    pub(crate) fn start_session(
        &self,
        user: &AuthenticatedUser,
        old_key: Option<&str>,
    ) -> Result<String, HostError> {
        if let Some(old) = old_key {
            self.store.delete(RecordKind::Session, old)?;
        }
        let token = random_token(&*self.rng)?;
        let rec = SessionRecord {
            issuer: self.config.issuer().as_str().to_owned(),
            user: user.clone(),
        };
        let bytes = serde_json::to_vec(&rec).map_err(|e| HostError::new(e.to_string()))?;
        let expires = self
            .clock
            .now()
            .saturating_add(self.config.session_lifetime);
        self.store
            .put(RecordKind::Session, &record_key(&token), &bytes, expires)?;
        Ok(response::cookie(
            SESSION_COOKIE,
            &token,
            self.config.cookie_path(),
            self.config.session_lifetime.as_secs(),
            self.config.is_https(),
        ))
    }

    /// The response that ends an authorization: a code (or tokens) to the redirect URI, with
    /// `set_cookie` (a new session) attached.
    pub(crate) fn complete(
        &self,
        ar: &AuthorizeRequest,
        user: &AuthenticatedUser,
        set_cookie: Option<String>,
    ) -> Resp {
        let result = match ar.response_type {
            ResponseType::Code => self.issue_code(ar, user),
            ResponseType::Token => self.implicit_tokens(ar, user),
        };
        let mut r = match result {
            Ok(location) => response::redirect(&location),
            Err(e) => {
                tracing::error!(error = %e, "finishing the authorization failed");
                self.authorize_error(ar.error("server_error", None))
            }
        };
        if let Some(c) = set_cookie {
            response::set_cookie(&mut r, &c);
        }
        r
    }

    fn issue_code(
        &self,
        ar: &AuthorizeRequest,
        user: &AuthenticatedUser,
    ) -> Result<String, HostError> {
        let code = random_token(&*self.rng)?;
        let rec = CodeRecord {
            issuer: self.config.issuer().as_str().to_owned(),
            client_id: ar.client.client_id.as_str().to_owned(),
            redirect_uri: ar.redirect_uri.clone(),
            scopes: ar.scopes.to_string(),
            nonce: ar.nonce.clone(),
            code_challenge: ar.code_challenge.clone(),
            user: user.clone(),
            state: CodeState::Fresh,
        };
        let expires: UnixTime = self.clock.now().saturating_add(self.config.code_lifetime);
        self.store.put(
            RecordKind::Code,
            &record_key(&code),
            &rec.to_bytes(),
            expires,
        )?;
        let mut q = vec![("code", code.as_str())];
        if let Some(s) = ar.state.as_deref() {
            q.push(("state", s));
        }
        Ok(response::with_params(&ar.redirect_uri, &q, false))
    }

    fn implicit_tokens(
        &self,
        ar: &AuthorizeRequest,
        user: &AuthenticatedUser,
    ) -> Result<String, HostError> {
        let grant = UserGrant {
            scopes: &ar.scopes,
            nonce: ar.nonce.as_deref(),
            refresh_token: false,
        };
        let tokens = self
            .tokens
            .issue(&ar.client, user, &grant)
            .map_err(|e| HostError::new(e.to_string()))?;
        let expires = tokens.expires_in.to_string();
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(id) = tokens.id_token.as_deref() {
            q.push(("id_token", id));
        }
        q.push(("access_token", &tokens.access_token));
        q.push(("token_type", "bearer"));
        q.push(("expires_in", &expires));
        if let Some(s) = ar.state.as_deref() {
            q.push(("state", s));
        }
        Ok(response::with_params(&ar.redirect_uri, &q, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_types::ClientId;

    fn client(scopes: &str) -> OAuthClient {
        OAuthClient {
            client_id: ClientId::new("client1").unwrap(),
            name: "c".into(),
            secret: None,
            oauth_enabled: true,
            flows: crate::OAuthFlows {
                code: true,
                ..Default::default()
            },
            scopes: Scopes::parse(scopes).unwrap(),
            callback_urls: vec![],
            logout_urls: vec![],
            default_redirect_uri: None,
            identity_providers: vec!["COGNITO".into()],
            token_revocation: true,
        }
    }

    #[test]
    fn scopes_granted_as_cognito_does() {
        let c = client("openid email profile rs/read");
        assert_eq!(
            grant_scopes(&c, None).unwrap().to_string(),
            c.scopes.to_string()
        );
        // Unknown scopes are dropped, known ones kept.
        let g = grant_scopes(&c, Some("openid bogus email")).unwrap();
        assert!(g.contains("openid") && g.contains("email") && !g.contains("bogus"));
        // email needs openid.
        let g = grant_scopes(&c, Some("email rs/read")).unwrap();
        assert!(!g.contains("email") && g.contains("rs/read"));
        assert!(grant_scopes(&c, Some("email")).is_err());
        assert!(grant_scopes(&c, Some("bogus")).is_err());
        assert!(grant_scopes(&c, Some("bad\"scope")).is_err());
    }
}
