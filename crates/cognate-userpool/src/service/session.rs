//! Challenge sessions: the opaque `Session` strings of InitiateAuth and
//! RespondToAuthChallenge, stored server-side and valid for the client's
//! `AuthSessionValidity`.

use std::time::Duration;

use base64::Engine as _;
use cognate_types::{ClientId, UnixTime, UserPoolId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CognitoError, UserPools};
use crate::model::MfaKind;
use crate::store::EphemeralKind;

/// Where a sign-in stands between two calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Step {
    /// The temporary password was right; a new one is needed.
    NewPasswordRequired,
    /// A code of this kind was sent or is expected (`code_hash`: SHA-256 hex of a sent code).
    Mfa {
        kind: MfaKind,
        code_hash: Option<String>,
    },
    /// The user chooses among these methods.
    SelectMfa { options: Vec<MfaKind> },
    /// MFA is required but not set up; `verified` once VerifySoftwareToken succeeded.
    MfaSetup { verified: bool },
}

/// A stored challenge session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthSession {
    pub(crate) pool: UserPoolId,
    pub(crate) client: ClientId,
    pub(crate) username: String,
    pub(crate) step: Step,
    /// Wrong answers so far.
    pub(crate) attempts: u32,
    /// Started by an admin (AdminInitiateAuth).
    pub(crate) admin: bool,
    /// Started by the managed-login pages (never answerable through the API).
    #[serde(default)]
    pub(crate) hosted: bool,
    pub(crate) expires: UnixTime,
}

/// Who started a sign-in: the public API, the admin API, or the managed-login pages. A
/// challenge session can only be answered by the same kind of caller; a sign-in of the pages
/// ends with the user (the OAuth token endpoint mints the tokens), not with tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// InitiateAuth / RespondToAuthChallenge.
    Api,
    /// AdminInitiateAuth / AdminRespondToAuthChallenge.
    Admin,
    /// The managed-login pages (cognate-oauth2's host).
    Hosted,
}

impl Origin {
    pub(crate) fn from_admin(admin: bool) -> Self {
        if admin {
            Self::Admin
        } else {
            Self::Api
        }
    }

    pub(crate) fn is_admin(self) -> bool {
        self == Self::Admin
    }
}

impl AuthSession {
    /// Who started the sign-in.
    pub(crate) fn origin(&self) -> Origin {
        if self.hosted {
            Origin::Hosted
        } else {
            Origin::from_admin(self.admin)
        }
    }
}

/// Wrong answers allowed per session.
pub(crate) const MAX_SESSION_ATTEMPTS: u32 = 5;

fn session_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn expired_session() -> CognitoError {
    CognitoError::not_authorized("Invalid session for the user, session is expired.")
}

impl UserPools {
    /// Stores `session` and returns its opaque token.
    pub(crate) fn put_session(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        username: &str,
        step: Step,
        validity_minutes: u32,
        origin: Origin,
    ) -> Result<String, CognitoError> {
        let mut raw = [0u8; 48];
        self.rng()
            .fill(&mut raw)
            .map_err(|_| CognitoError::internal())?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let expires = self.now().saturating_add(Duration::from_secs(
            u64::from(validity_minutes.clamp(3, 15)) * 60,
        ));
        let s = AuthSession {
            pool: pool.clone(),
            client: client.clone(),
            username: username.to_owned(),
            step,
            attempts: 0,
            admin: origin.is_admin(),
            hosted: origin == Origin::Hosted,
            expires,
        };
        self.store_session(&token, &s)?;
        Ok(token)
    }

    fn store_session(&self, token: &str, s: &AuthSession) -> Result<(), CognitoError> {
        let bytes = serde_json::to_vec(s).map_err(|_| CognitoError::internal())?;
        self.store().put_ephemeral(
            EphemeralKind::Session,
            &session_key(token),
            &bytes,
            s.expires,
        )?;
        Ok(())
    }

    /// Takes a session for use (single use). The caller puts it back with
    /// [`UserPools::retry_session`] after a wrong answer.
    pub(crate) fn take_session(
        &self,
        token: &str,
        client: &ClientId,
    ) -> Result<AuthSession, CognitoError> {
        if token.len() < 20 || token.len() > 2048 {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length between 20 and 2048",
            ));
        }
        let bytes = self
            .store()
            .take_ephemeral(EphemeralKind::Session, &session_key(token), self.now())?
            .ok_or_else(expired_session)?;
        let s: AuthSession = serde_json::from_slice(&bytes).map_err(|_| expired_session())?;
        if &s.client != client {
            return Err(expired_session());
        }
        Ok(s)
    }

    /// Reads a session without consuming it.
    pub(crate) fn peek_session(&self, token: &str) -> Result<AuthSession, CognitoError> {
        if token.len() < 20 || token.len() > 2048 {
            return Err(expired_session());
        }
        let bytes = self
            .store()
            .get_ephemeral(EphemeralKind::Session, &session_key(token), self.now())?
            .ok_or_else(expired_session)?;
        serde_json::from_slice(&bytes).map_err(|_| expired_session())
    }

    /// Puts a session back after a wrong answer, unless it has had too many.
    pub(crate) fn retry_session(
        &self,
        token: &str,
        mut s: AuthSession,
    ) -> Result<(), CognitoError> {
        s.attempts += 1;
        if s.attempts >= MAX_SESSION_ATTEMPTS {
            return Ok(());
        }
        self.store_session(token, &s)
    }
}

/// The SHA-256 hex of a one-time code, as kept in sessions and code records.
pub(crate) fn code_hash(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}
