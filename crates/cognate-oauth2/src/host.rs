//! What the authorization server needs from its host: five small traits.
//!
//! - [`ClientRegistry`]: the registered app clients.
//! - [`Authenticator`]: the user directory behind the managed-login pages (sign-in and its
//!   challenges, sign-up, password reset).
//! - [`TokenMinter`]: issues, refreshes, revokes and introspects tokens.
//! - [`GrantStore`]: short-lived records (authorization codes, sign-in sessions), with an
//!   atomic compare-and-swap for single use. [`crate::MemoryGrantStore`] is one.
//! - [`Federation`] (optional): hands a sign-in off to an upstream identity provider.
//!
//! The traits are synchronous: the host runs the handlers where blocking is allowed (a
//! blocking thread pool, or a plain thread per request). `cognate serve` implements them over
//! `cognate-userpool`; a service with its own user database implements them over that.

use std::fmt;

use cognate_types::{Scopes, Secret, UnixTime};
use thiserror::Error;

use crate::client::OAuthClient;

/// The host failed (its store, its directory). Logged; the client sees `server_error`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("host failure: {0}")]
pub struct HostError(String);

impl HostError {
    /// A failure with a message for the logs (never shown to the end user).
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The registered app clients of this authorization server.
pub trait ClientRegistry: Send + Sync {
    /// The client with this ID, or `None` when there is none.
    fn client(&self, client_id: &str) -> Result<Option<OAuthClient>, HostError>;
}

/// A user who proved who they are: the handle the host uses for them, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthenticatedUser {
    /// The host's stable handle for the user (for Cognito, the username).
    pub user: String,
    /// When the user authenticated (the ID token's `auth_time`).
    pub auth_time: UnixTime,
    /// The host's opaque state of the upstream sign-in this user came through, kept with the
    /// single-sign-on session and handed to [`Federation::sign_out`] (for SAML, what single
    /// logout needs: the provider, NameID and SessionIndex). `None` for the pool's own users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
}

impl AuthenticatedUser {
    /// A user signed in at `auth_time`, with no upstream session.
    pub fn new(user: impl Into<String>, auth_time: UnixTime) -> Self {
        Self {
            user: user.into(),
            auth_time,
            upstream: None,
        }
    }
}

/// Where a managed-login sign-in stands after one step.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in.
    Done(AuthenticatedUser),
    /// One more step is needed.
    Challenge(PendingChallenge),
}

/// A challenge the user must answer, with the host's opaque state for it.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingChallenge {
    /// What is asked.
    pub kind: ChallengeKind,
    /// The user being signed in (the name to show, and to send back).
    pub username: String,
    /// The host's state for this step (for Cognito, the challenge `Session`).
    pub state: String,
}

impl fmt::Debug for PendingChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingChallenge")
            .field("kind", &self.kind.name())
            .field("username", &self.username)
            .field("state", &"[REDACTED]")
            .finish()
    }
}

/// An MFA method the user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MfaMethod {
    /// An authenticator app (TOTP).
    Totp,
    /// A code by SMS.
    Sms,
    /// A code by e-mail.
    Email,
}

/// The challenges of a managed-login sign-in.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ChallengeKind {
    /// A temporary password was used: choose a new password, and fill in these attributes
    /// (names without the `userAttributes.` prefix) that are required and missing.
    NewPasswordRequired {
        /// Required attributes the user has no value for.
        required_attributes: Vec<String>,
    },
    /// A code from the authenticator app.
    SoftwareToken,
    /// A code sent by SMS to the (masked) destination.
    SmsCode {
        /// Where it was sent, masked.
        destination: String,
    },
    /// A code sent by e-mail to the (masked) destination.
    EmailCode {
        /// Where it was sent, masked.
        destination: String,
    },
    /// MFA is required and not set up: add this TOTP secret to an authenticator app and
    /// answer with a code from it.
    TotpSetup {
        /// The shared secret, base32.
        secret: String,
        /// The `otpauth://totp/...` URI for the app.
        otpauth_uri: String,
    },
    /// Choose one of these methods.
    SelectMfa {
        /// The methods the user has.
        options: Vec<MfaMethod>,
    },
}

impl fmt::Debug for ChallengeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ChallengeKind {
    /// The challenge's name (Cognito's names, `MFA_SETUP` for TOTP set-up).
    pub fn name(&self) -> &'static str {
        match self {
            Self::NewPasswordRequired { .. } => "NEW_PASSWORD_REQUIRED",
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::SmsCode { .. } => "SMS_MFA",
            Self::EmailCode { .. } => "EMAIL_OTP",
            Self::TotpSetup { .. } => "MFA_SETUP",
            Self::SelectMfa { .. } => "SELECT_MFA_TYPE",
        }
    }
}

/// The user's answer to a [`PendingChallenge`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ChallengeAnswer {
    /// For [`ChallengeKind::NewPasswordRequired`]: the new password and the attribute values.
    NewPassword {
        /// The new password.
        password: Secret<String>,
        /// Attribute values (name without prefix, value).
        attributes: Vec<(String, String)>,
    },
    /// A one-time code (TOTP, SMS, e-mail, or the first code of a TOTP set-up).
    Code(Secret<String>),
    /// For [`ChallengeKind::SelectMfa`]: the chosen method.
    Select(MfaMethod),
}

/// Where a confirmation or reset code was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeDelivery {
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The masked destination.
    pub destination: String,
}

/// A sign-up from the managed-login page.
#[derive(Debug)]
pub struct SignUp {
    /// The username (or e-mail / phone, for pools that sign in with those).
    pub username: String,
    /// The password.
    pub password: Secret<String>,
    /// Attribute values from the form.
    pub attributes: Vec<(String, String)>,
}

/// What a sign-up led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// The user is confirmed and can sign in.
    Confirmed,
    /// A confirmation code was sent.
    CodeSent(CodeDelivery),
}

/// An attribute the sign-up form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpField {
    /// The attribute name (`email`, `custom:team` ...).
    pub name: String,
    /// Whether it must be filled in.
    pub required: bool,
}

/// Why a managed-login step failed. The message is shown to the user (it must say no more than
/// Cognito's own messages do: no user-existence oracle).
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginError {
    /// Wrong username or password, disabled user, expired session, too many attempts.
    #[error("{0}")]
    NotAuthorized(String),
    /// The user has not confirmed the sign-up yet.
    #[error("{0}")]
    UserNotConfirmed(String),
    /// An administrator reset the password: the user must use the reset flow.
    #[error("{0}")]
    PasswordResetRequired(String),
    /// The new password breaks the pool's policy.
    #[error("{0}")]
    InvalidPassword(String),
    /// A wrong code.
    #[error("{0}")]
    CodeMismatch(String),
    /// An expired code.
    #[error("{0}")]
    ExpiredCode(String),
    /// The username is taken.
    #[error("{0}")]
    UsernameExists(String),
    /// A field is missing or malformed.
    #[error("{0}")]
    InvalidParameter(String),
    /// Too many requests.
    #[error("{0}")]
    LimitExceeded(String),
    /// The operation is not available (sign-up disabled, no recovery method).
    #[error("{0}")]
    NotAllowed(String),
    /// The host failed.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// The user directory behind the managed-login pages.
pub trait Authenticator: Send + Sync {
    /// First step of a sign-in with username and password.
    fn sign_in(
        &self,
        client: &OAuthClient,
        username: &str,
        password: &Secret<String>,
    ) -> Result<SignInStep, LoginError>;

    /// Answers a challenge.
    fn answer(
        &self,
        client: &OAuthClient,
        pending: &PendingChallenge,
        answer: ChallengeAnswer,
    ) -> Result<SignInStep, LoginError>;

    /// Whether `user` may still use a single-sign-on session (exists, enabled, not signed out
    /// everywhere since `auth_time`).
    fn session_valid(&self, user: &AuthenticatedUser) -> Result<bool, HostError>;

    /// The attributes the sign-up form asks for (beyond username and password).
    fn sign_up_fields(&self) -> Result<Vec<SignUpField>, HostError>;

    /// Self-service sign-up.
    fn sign_up(&self, client: &OAuthClient, req: SignUp) -> Result<SignUpOutcome, LoginError>;

    /// Confirms a sign-up with the code that was sent.
    fn confirm_sign_up(
        &self,
        client: &OAuthClient,
        username: &str,
        code: &Secret<String>,
    ) -> Result<(), LoginError>;

    /// Sends the sign-up confirmation code again.
    fn resend_confirmation(
        &self,
        client: &OAuthClient,
        username: &str,
    ) -> Result<CodeDelivery, LoginError>;

    /// Starts a password reset: sends a code.
    fn forgot_password(
        &self,
        client: &OAuthClient,
        username: &str,
    ) -> Result<CodeDelivery, LoginError>;

    /// Finishes a password reset.
    fn confirm_forgot_password(
        &self,
        client: &OAuthClient,
        username: &str,
        code: &Secret<String>,
        new_password: &Secret<String>,
    ) -> Result<(), LoginError>;
}

/// Tokens issued for a grant.
#[derive(Debug)]
pub struct TokenSet {
    /// The ID token (when `openid` was granted).
    pub id_token: Option<String>,
    /// The access token.
    pub access_token: String,
    /// The refresh token (code grant; refresh grant with rotation).
    pub refresh_token: Option<Secret<String>>,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
    /// The token family (`origin_jti`), so a reused code can revoke what it issued.
    pub family: Option<String>,
}

/// What a user grant is for.
#[derive(Debug, Clone)]
pub struct UserGrant<'a> {
    /// Granted scopes.
    pub scopes: &'a Scopes,
    /// The authorization request's `nonce`.
    pub nonce: Option<&'a str>,
    /// Issue a refresh token (false for the implicit grant).
    pub refresh_token: bool,
}

/// A token request the host refuses.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum MintError {
    /// The grant is invalid, expired, revoked, or not the client's (`invalid_grant`).
    #[error("{0}")]
    InvalidGrant(String),
    /// The host failed.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// Why a revocation was refused.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum RevokeError {
    /// Not a refresh token (`unsupported_token_type`).
    #[error("only refresh tokens can be revoked")]
    UnsupportedTokenType,
    /// The host failed.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// What an access token presented to `/oauth2/userInfo` gives access to.
#[derive(Debug, Clone)]
pub struct UserInfoSource {
    /// The user's `sub`.
    pub sub: String,
    /// The username.
    pub username: String,
    /// The token's scopes.
    pub scopes: Scopes,
    /// The user's attributes the token's client may read (name, value), `sub` excluded.
    pub attributes: Vec<(String, String)>,
}

/// An access token `/oauth2/userInfo` refuses.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum UserInfoError {
    /// Invalid, expired, revoked, or its user is gone or signed out (`invalid_token`).
    #[error("{0}")]
    InvalidToken(String),
    /// The host failed.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// Issues and checks tokens.
pub trait TokenMinter: Send + Sync {
    /// Tokens for a user signed in through the hosted pages (code or implicit grant).
    fn issue(
        &self,
        client: &OAuthClient,
        user: &AuthenticatedUser,
        grant: &UserGrant<'_>,
    ) -> Result<TokenSet, MintError>;

    /// The `refresh_token` grant (with the client's rotation setting).
    fn refresh(&self, client: &OAuthClient, refresh_token: &str) -> Result<TokenSet, MintError>;

    /// The `client_credentials` grant: an access token with these custom scopes.
    fn client_credentials(
        &self,
        client: &OAuthClient,
        scopes: &Scopes,
    ) -> Result<TokenSet, MintError>;

    /// Revokes a refresh token of `client` and every token of its family. An invalid,
    /// expired or foreign token is not an error (RFC 7009): nothing happens.
    fn revoke(&self, client: &OAuthClient, token: &str) -> Result<(), RevokeError>;

    /// Revokes a token family (a code was redeemed twice).
    fn revoke_family(&self, family: &str) -> Result<(), HostError>;

    /// Checks an access token for `/oauth2/userInfo`.
    fn userinfo(&self, access_token: &str) -> Result<UserInfoSource, UserInfoError>;

    /// The JWKS document of the issuer (`{"keys":[...]}`), served at
    /// `/.well-known/jwks.json`.
    fn jwks(&self) -> Result<String, HostError>;
}

/// The kinds of record in a [`GrantStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// An authorization code.
    Code,
    /// A managed-login single-sign-on session.
    Session,
}

/// Short-lived records. Keys are digests (a dump of the store does not reveal live codes or
/// session cookies); values are opaque bytes. Expired records behave as absent.
pub trait GrantStore: Send + Sync {
    /// Stores a record (replacing one with the same key).
    fn put(
        &self,
        kind: RecordKind,
        key: &str,
        value: &[u8],
        expires: UnixTime,
    ) -> Result<(), HostError>;

    /// The record, unless absent or expired at `now`.
    fn get(&self, kind: RecordKind, key: &str, now: UnixTime)
        -> Result<Option<Vec<u8>>, HostError>;

    /// Atomically replaces the record's value with `new` if it is present, unexpired at `now`,
    /// and equal to `expected`; the expiry is kept. Returns whether it did. Single use of
    /// codes rests on this being atomic across every node sharing the store.
    fn swap(
        &self,
        kind: RecordKind,
        key: &str,
        expected: &[u8],
        new: &[u8],
        now: UnixTime,
    ) -> Result<bool, HostError>;

    /// Deletes the record if present.
    fn delete(&self, kind: RecordKind, key: &str) -> Result<(), HostError>;
}

/// A federated identity provider the managed-login page can offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderButton {
    /// The provider name (`identity_provider` value).
    pub name: String,
    /// The label to show.
    pub label: String,
}

/// Hands a sign-in off to an upstream identity provider (SAML, OIDC, social). Optional: without
/// one, only `COGNITO` (the managed-login pages) signs users in.
pub trait Federation: Send + Sync {
    /// The providers `client` may use, for buttons on the sign-in page.
    fn providers(&self, client: &OAuthClient) -> Result<Vec<ProviderButton>, HostError>;

    /// The provider an `idp_identifier` (or an e-mail domain) routes to, if any.
    fn route(&self, client: &OAuthClient, identifier: &str) -> Result<Option<String>, HostError>;

    /// Starts a sign-in at `provider` for the authorization request whose parameters are
    /// `authorize_query` (to be resumed with [`crate::AuthorizationServer::resume`] when the
    /// provider comes back). Returns the URL to send the browser to.
    fn start(
        &self,
        client: &OAuthClient,
        provider: &str,
        authorize_query: &str,
    ) -> Result<String, HostError>;

    /// Whether the sign-in page asks for an e-mail address and routes by its domain (sent to
    /// `/oauth2/authorize` as `idp_identifier`, resolved by [`Federation::route`]) instead of
    /// showing a button per provider. Cognito does so when every SAML provider of the client
    /// has an identifier. Default: no.
    fn email_routing(&self, client: &OAuthClient) -> Result<bool, HostError> {
        let _ = client;
        Ok(false)
    }

    /// Signs `user` out at the upstream provider they came through, if it takes part in
    /// single logout: returns the URL to send the browser to, after which the provider's
    /// answer (handled by the host) sends it on to `continue_to`. `Ok(None)` (the default)
    /// ends the sign-out here, at `continue_to`. Called by `/logout` after the session is
    /// gone, only for a user with [`AuthenticatedUser::upstream`] set.
    fn sign_out(
        &self,
        client: &OAuthClient,
        user: &AuthenticatedUser,
        continue_to: &str,
    ) -> Result<Option<String>, HostError> {
        let _ = (client, user, continue_to);
        Ok(None)
    }
}
