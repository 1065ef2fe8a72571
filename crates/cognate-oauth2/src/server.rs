//! The authorization server: its parts and the routing of requests to endpoints.

use std::sync::Arc;

use cognate_types::{Clock, SecureRandom, SystemClock, SystemRandom};
use http::{Method, Request, StatusCode};

use crate::config::ServerConfig;
use crate::host::{Authenticator, ClientRegistry, Federation, GrantStore, TokenMinter};
use crate::response::{self, Resp};

/// One user-pool domain's hosted endpoints. Cheap to clone (shared parts).
#[derive(Clone)]
pub struct AuthorizationServer {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) clients: Arc<dyn ClientRegistry>,
    pub(crate) users: Arc<dyn Authenticator>,
    pub(crate) tokens: Arc<dyn TokenMinter>,
    pub(crate) store: Arc<dyn GrantStore>,
    pub(crate) federation: Option<Arc<dyn Federation>>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn SecureRandom>,
    pub(crate) require_pkce_for_public_clients: bool,
}

impl std::fmt::Debug for AuthorizationServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`AuthorizationServer`].
pub struct AuthorizationServerBuilder {
    config: ServerConfig,
    clients: Arc<dyn ClientRegistry>,
    users: Arc<dyn Authenticator>,
    tokens: Arc<dyn TokenMinter>,
    store: Arc<dyn GrantStore>,
    federation: Option<Arc<dyn Federation>>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    require_pkce_for_public_clients: bool,
}

impl AuthorizationServerBuilder {
    /// Hands sign-ins with `identity_provider` / `idp_identifier` to upstream providers.
    pub fn federation(mut self, federation: Arc<dyn Federation>) -> Self {
        self.federation = Some(federation);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The random source (default: the operating system's).
    pub fn rng(mut self, rng: Arc<dyn SecureRandom>) -> Self {
        self.rng = rng;
        self
    }

    /// Lets clients without a secret use the code grant without PKCE, as Amazon Cognito does.
    /// By default they must use PKCE (OAuth security BCP section 2.1.1): a public client's
    /// code is otherwise usable by whoever intercepts it.
    pub fn insecure_allow_public_clients_without_pkce(mut self) -> Self {
        self.require_pkce_for_public_clients = false;
        self
    }

    /// The server.
    pub fn build(self) -> AuthorizationServer {
        AuthorizationServer {
            config: Arc::new(self.config),
            clients: self.clients,
            users: self.users,
            tokens: self.tokens,
            store: self.store,
            federation: self.federation,
            clock: self.clock,
            rng: self.rng,
            require_pkce_for_public_clients: self.require_pkce_for_public_clients,
        }
    }
}

/// The endpoints, by path under the base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Authorize,
    Token,
    UserInfo,
    Revoke,
    Logout,
    Discovery,
    Jwks,
    Error,
}

fn endpoint(path: &str) -> Option<Endpoint> {
    Some(match path {
        "/oauth2/authorize" => Endpoint::Authorize,
        "/oauth2/token" => Endpoint::Token,
        "/oauth2/userInfo" => Endpoint::UserInfo,
        "/oauth2/revoke" => Endpoint::Revoke,
        "/logout" => Endpoint::Logout,
        "/.well-known/openid-configuration" => Endpoint::Discovery,
        "/.well-known/jwks.json" => Endpoint::Jwks,
        "/error" => Endpoint::Error,
        _ => return None,
    })
}

impl AuthorizationServer {
    /// A builder with the host's parts and the system clock and random source.
    pub fn builder(
        config: ServerConfig,
        clients: Arc<dyn ClientRegistry>,
        users: Arc<dyn Authenticator>,
        tokens: Arc<dyn TokenMinter>,
        store: Arc<dyn GrantStore>,
    ) -> AuthorizationServerBuilder {
        AuthorizationServerBuilder {
            config,
            clients,
            users,
            tokens,
            store,
            federation: None,
            clock: Arc::new(SystemClock),
            rng: Arc::new(SystemRandom),
            require_pkce_for_public_clients: true,
        }
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Handles one request. The path may include the base URL's path prefix (it is removed)
    /// or not. Every response is complete: status, headers (cache, framing, cookies) and body.
    pub fn handle<B: AsRef<[u8]>>(&self, req: &Request<B>) -> http::Response<Vec<u8>> {
        let full = req.uri().path();
        let path = full
            .strip_prefix(self.config.base_path())
            .filter(|p| p.starts_with('/'))
            .unwrap_or(full);
        let body = req.body().as_ref();
        if body.len() > crate::params::MAX_PARAMS_BYTES {
            return response::plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
        }
        let method = req.method();
        let resp = match endpoint(path) {
            Some(Endpoint::Authorize) => match *method {
                Method::GET | Method::POST => self.authorize(req.uri().query(), req, body),
                _ => method_not_allowed("GET, POST"),
            },
            Some(Endpoint::Token) => match *method {
                Method::POST => self.token(req, body),
                Method::OPTIONS => crate::token::preflight(),
                _ => response::oauth_error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "invalid_request",
                    Some("The token endpoint accepts POST only"),
                ),
            },
            Some(Endpoint::UserInfo) => match *method {
                Method::GET | Method::POST => self.userinfo(req, body),
                Method::OPTIONS => crate::token::preflight(),
                _ => method_not_allowed("GET, POST"),
            },
            Some(Endpoint::Revoke) => match *method {
                Method::POST => self.revoke(req, body),
                Method::OPTIONS => crate::token::preflight(),
                _ => response::oauth_error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "invalid_request",
                    Some("The revocation endpoint accepts POST only"),
                ),
            },
            Some(Endpoint::Logout) => match *method {
                Method::GET => self.logout(req),
                _ => method_not_allowed("GET"),
            },
            Some(Endpoint::Discovery) => match *method {
                Method::GET => self.discovery(),
                _ => method_not_allowed("GET"),
            },
            Some(Endpoint::Jwks) => match *method {
                Method::GET => self.jwks(),
                _ => method_not_allowed("GET"),
            },
            Some(Endpoint::Error) => match *method {
                Method::GET => crate::login::error_page(self, req),
                _ => method_not_allowed("GET"),
            },
            None => match crate::login::handle(self, path, req, body) {
                Some(r) => r,
                None => response::plain(StatusCode::NOT_FOUND, "not found"),
            },
        };
        resp
    }
}

fn method_not_allowed(allow: &'static str) -> Resp {
    let mut r = response::plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    r.headers_mut()
        .insert(http::header::ALLOW, http::HeaderValue::from_static(allow));
    r
}
