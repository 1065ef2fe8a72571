//! What the hosted OAuth endpoints and managed-login pages need from the engine: sign-in as
//! the pages do it (no explicit auth flow needed on the client, no `SECRET_HASH`, the user
//! instead of tokens at the end), tokens for OAuth grants, refresh with the granted scopes,
//! client credentials, revocation, and the checks behind userInfo and single sign-on.

use std::collections::BTreeMap;
use std::time::Duration;

use cognate_types::{Scopes, UnixTime};

use super::auth::{AuthResponse, AuthenticationResult, MintOptions, RefreshProof};
use super::session::Origin;
use super::{CognitoError, UserPools};
use crate::model::{AppClient, User, UserPool, UserStatus};

/// Where a sign-in of the managed-login pages stands.
#[derive(Debug)]
pub enum HostedStep {
    /// The user is signed in.
    SignedIn(Box<User>),
    /// A challenge (Cognito's names and parameters) to answer with `session`.
    Challenge {
        /// `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`,
        /// `SELECT_MFA_TYPE` or `MFA_SETUP`.
        name: String,
        /// The challenge session (single use, server-held).
        session: String,
        /// The challenge parameters.
        parameters: BTreeMap<String, String>,
    },
}

impl HostedStep {
    fn from_response(r: AuthResponse) -> Result<Self, CognitoError> {
        if let Some(user) = r.hosted_user {
            return Ok(Self::SignedIn(user));
        }
        match (r.challenge_name, r.session) {
            (Some(name), Some(session)) => Ok(Self::Challenge {
                name,
                session,
                parameters: r.challenge_parameters,
            }),
            _ => {
                tracing::error!("a managed-login sign-in step ended without user or challenge");
                Err(CognitoError::internal())
            }
        }
    }
}

/// An OAuth grant to issue tokens for.
#[derive(Debug, Clone, Copy)]
pub struct OAuthGrant<'a> {
    /// The granted scopes (the ID token only with `openid`).
    pub scopes: &'a Scopes,
    /// The authorization request's `nonce`.
    pub nonce: Option<&'a str>,
    /// When the user authenticated.
    pub auth_time: UnixTime,
    /// Issue a refresh token (false for the implicit grant).
    pub refresh_token: bool,
}

/// How long a family revoked for a reused authorization code stays revoked: the longest
/// refresh-token lifetime Cognito allows (10 years).
const LONGEST_REFRESH: Duration = Duration::from_secs(10 * 365 * 86_400);

impl UserPools {
    /// First step of a managed-login sign-in, with the password. Lockout,
    /// PreventUserExistenceErrors, account states and MFA are those of `InitiateAuth`.
    pub fn hosted_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        password: &str,
    ) -> Result<HostedStep, CognitoError> {
        let mut params = BTreeMap::new();
        params.insert("USERNAME".to_owned(), username.to_owned());
        params.insert("PASSWORD".to_owned(), password.to_owned());
        let r = self.password_auth(pool, client, &params, Origin::Hosted)?;
        HostedStep::from_response(r)
    }

    /// Answers a challenge of a managed-login sign-in (`responses` as for
    /// `RespondToAuthChallenge`, with `USERNAME`). Sessions of the pages and of the API are
    /// not interchangeable.
    pub fn hosted_respond(
        &self,
        pool: &UserPool,
        client: &AppClient,
        challenge: &str,
        session: &str,
        responses: &BTreeMap<String, String>,
    ) -> Result<HostedStep, CognitoError> {
        let r = self.respond(
            pool,
            client,
            challenge,
            Some(session),
            responses,
            Origin::Hosted,
        )?;
        HostedStep::from_response(r)
    }

    /// Issues tokens for an OAuth grant (code or implicit) and records the token family.
    /// Returns the tokens and the family's `origin_jti`.
    pub fn oauth_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        grant: &OAuthGrant<'_>,
    ) -> Result<(AuthenticationResult, Option<String>), CognitoError> {
        let opts = MintOptions {
            scopes: grant.scopes,
            oauth: true,
            nonce: grant.nonce,
            auth_time: Some(grant.auth_time),
            refresh_token: grant.refresh_token,
        };
        self.mint_tokens(pool, client, user, &opts)
    }

    /// The OAuth `refresh_token` grant for an authenticated client: the scopes of the original
    /// grant, the client's rotation setting (reuse detection and grace period as
    /// `GetTokensFromRefreshToken`).
    pub fn oauth_refresh(
        &self,
        pool: &UserPool,
        client: &AppClient,
        token: &str,
    ) -> Result<AuthenticationResult, CognitoError> {
        self.refresh_tokens(
            pool,
            client,
            token,
            RefreshProof::ClientAuthenticated,
            client.rotates_refresh_tokens(),
        )
    }

    /// The OAuth `client_credentials` grant: an access token for the client with `scopes`,
    /// valid for the client's access-token lifetime.
    pub fn client_credentials_token(
        &self,
        pool: &UserPool,
        client: &AppClient,
        scopes: &Scopes,
    ) -> Result<AuthenticationResult, CognitoError> {
        let rt = self.runtime(pool)?;
        let validity = client
            .token_validity
            .validity()
            .map_err(|_| CognitoError::internal())?;
        let t = rt
            .issuer
            .issue_client_credentials(&rt.keys, &client.client_id, scopes, validity.access())
            .map_err(|e| {
                tracing::error!(error = %e, "client credentials token failed");
                CognitoError::internal()
            })?;
        Ok(AuthenticationResult {
            access_token: t.access_token,
            expires_in: t.expires_in,
            token_type: "Bearer",
            refresh_token: None,
            id_token: None,
        })
    }

    /// Revokes a token family by its `origin_jti` (an authorization code was redeemed twice).
    pub fn revoke_family(&self, origin_jti: &str) -> Result<(), CognitoError> {
        self.revoke_family_str(origin_jti, self.now().saturating_add(LONGEST_REFRESH))
    }

    /// Whether a managed-login session of `username` that authenticated at `auth_time` may
    /// still sign the browser in: the user exists, is enabled and confirmed, and has not been
    /// signed out everywhere (or changed password) since.
    pub fn hosted_session_valid(
        &self,
        pool: &UserPool,
        username: &str,
        auth_time: UnixTime,
    ) -> Result<bool, CognitoError> {
        let Some(user) = self.store().get_user(pool, username)? else {
            return Ok(false);
        };
        Ok(user.enabled
            && matches!(
                user.status,
                UserStatus::Confirmed | UserStatus::ExternalProvider
            )
            && user.tokens_valid_after.is_none_or(|t| t <= auth_time))
    }
}
