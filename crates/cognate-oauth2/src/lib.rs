//! Cognito's hosted OAuth 2.0 / OpenID Connect endpoints and managed-login pages, as plain
//! functions over [`http::Request`] and [`http::Response`].
//!
//! One [`AuthorizationServer`] serves one user-pool domain: `/oauth2/authorize`,
//! `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, the managed-login pages
//! (`/login` and the pages of its challenges, sign-up and password reset), and the discovery
//! and JWKS documents. It has no web framework and no runtime: the host passes each request to
//! [`AuthorizationServer::handle`] and sends back the response. What it needs from the host is
//! a handful of small traits ([`host`]): the app clients, the user directory, the token minter
//! and a store of short-lived records. `cognate serve` implements them over `cognate-userpool`;
//! a service with its own user database can implement them over that.
//!
//! The behaviour is Amazon Cognito's (see `docs/oauth2.md`): exact redirect-URI matching, PKCE
//! with S256 only, single-use five-minute codes whose reuse revokes what they issued, RFC 6749
//! errors, Cognito's error page for an unknown client or redirect URI.

mod authorize;
mod client;
mod config;
mod grants;
pub mod host;
mod login;
mod params;
mod pkce;
mod redirect;
mod response;
mod server;
mod token;

pub use authorize::UpstreamError;
pub use client::{OAuthClient, OAuthFlows};
pub use config::{ConfigError, ServerConfig};
pub use grants::MemoryGrantStore;
pub use host::{
    AuthenticatedUser, Authenticator, ChallengeAnswer, ChallengeKind, ClientRegistry, CodeDelivery,
    Federation, GrantStore, HostError, LoginError, MfaMethod, MintError, PendingChallenge,
    ProviderButton, RecordKind, RevokeError, SignInStep, SignUp, SignUpField, SignUpOutcome,
    TokenMinter, TokenSet, UserGrant, UserInfoError, UserInfoSource,
};
pub use params::{Params, ParamsError, MAX_PARAMS, MAX_PARAMS_BYTES};
pub use pkce::{verify_pkce, PkceError};
pub use redirect::{
    check_redirect_uri, find_registered, redirect_uri_matches, RedirectUriError,
    MAX_REDIRECT_URI_LEN,
};
pub use server::{AuthorizationServer, AuthorizationServerBuilder};
