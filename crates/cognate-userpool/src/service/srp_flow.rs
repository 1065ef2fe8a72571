//! USER_SRP_AUTH: the `SRP_A` → `PASSWORD_VERIFIER` exchange on top of [`crate::srp`].
//!
//! The server half of the handshake (with its secret exponent) stays in the store, keyed by a
//! hash of the `SECRET_BLOCK` it hands out, and is consumed by the answer: one try per
//! `SRP_A`.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognate_types::{ClientId, UserPoolId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::AuthResponse;
use super::session::{expired_session, hex};
use super::{CognitoError, UserPools};
use crate::model::{AppClient, PasswordCredential, User, UserPool};
use crate::srp::{parse_timestamp, ServerHandshake, SrpVerifier};
use crate::store::EphemeralKind;

#[derive(Serialize, Deserialize)]
struct SrpState {
    pool: UserPoolId,
    client: ClientId,
    /// The user's username, or `None` for the decoy run of an unknown user.
    username: Option<String>,
    admin: bool,
    handshake: String,
    /// For a decoy: the verifier the decoy used (so the exchange completes and fails).
    decoy_verifier: Option<SrpVerifier>,
}

fn state_key(secret_block: &[u8]) -> String {
    format!("srp:{}", hex(&Sha256::digest(secret_block)))
}

fn wrong_password() -> CognitoError {
    CognitoError::not_authorized("Incorrect username or password.")
}

/// The stored SRP verifier of a password credential.
pub(crate) fn stored_verifier(c: &PasswordCredential) -> Option<SrpVerifier> {
    if c.srp_salt.is_empty() || c.srp_verifier.is_empty() {
        return None;
    }
    serde_json::from_value(serde_json::json!({ "salt": c.srp_salt, "verifier": c.srp_verifier }))
        .ok()
}

/// The `(salt, verifier)` hex strings to store for a verifier.
pub(crate) fn verifier_parts(v: &SrpVerifier) -> Result<(String, String), CognitoError> {
    #[derive(Deserialize)]
    struct Parts {
        salt: String,
        verifier: String,
    }
    let p: Parts = serde_json::to_value(v)
        .and_then(serde_json::from_value)
        .map_err(|_| CognitoError::internal())?;
    Ok((p.salt, p.verifier))
}

impl UserPools {
    pub(crate) fn srp_start(
        &self,
        pool: &UserPool,
        client: &AppClient,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> Result<AuthResponse, CognitoError> {
        let login = params.get("USERNAME").ok_or_else(|| {
            CognitoError::invalid_parameter("Missing required parameter USERNAME")
        })?;
        let srp_a = params
            .get("SRP_A")
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter SRP_A"))?;
        self.check_secret_hash(
            client,
            &[login],
            params.get("SECRET_HASH").map(String::as_str),
        )?;
        let user = self.store().find_user_for_sign_in(pool, login)?;
        let (verifier, username, decoy) = match &user {
            Some(u) => {
                self.check_lockout(u)?;
                let v = u
                    .password
                    .as_ref()
                    .and_then(stored_verifier)
                    .ok_or_else(wrong_password)?;
                (v, u.username.to_string(), false)
            }
            None if client.prevent_user_existence_errors => {
                // A decoy exchange: the caller cannot tell an unknown user from a wrong
                // password.
                let mut pw = [0u8; 32];
                self.rng()
                    .fill(&mut pw)
                    .map_err(|_| CognitoError::internal())?;
                let v = SrpVerifier::compute(pool.srp_pool_name(), login, &hex(&pw), self.rng())
                    .map_err(|_| CognitoError::internal())?;
                (v, login.clone(), true)
            }
            None => return Err(self.unknown_user(client)),
        };
        let (hs, challenge) = ServerHandshake::start(&verifier, srp_a, self.rng())
            .map_err(|e| CognitoError::invalid_parameter(format!("SRP_A is not valid: {e}")))?;
        let mut block = [0u8; 64];
        self.rng()
            .fill(&mut block)
            .map_err(|_| CognitoError::internal())?;
        let state = SrpState {
            pool: pool.id.clone(),
            client: client.client_id.clone(),
            username: (!decoy).then(|| username.clone()),
            admin,
            handshake: STANDARD.encode(hs.to_bytes().expose()),
            decoy_verifier: decoy.then_some(verifier),
        };
        let bytes = serde_json::to_vec(&state).map_err(|_| CognitoError::internal())?;
        let expires = self.now().saturating_add(Duration::from_secs(
            u64::from(client.auth_session_validity_minutes.clamp(3, 15)) * 60,
        ));
        self.store()
            .put_ephemeral(EphemeralKind::Session, &state_key(&block), &bytes, expires)?;
        let mut p = BTreeMap::new();
        p.insert("SALT".to_owned(), challenge.salt_hex);
        p.insert("SECRET_BLOCK".to_owned(), STANDARD.encode(block));
        p.insert("SRP_B".to_owned(), challenge.srp_b_hex);
        p.insert("USERNAME".to_owned(), username.clone());
        p.insert("USER_ID_FOR_SRP".to_owned(), username);
        Ok(AuthResponse {
            challenge_name: Some("PASSWORD_VERIFIER".to_owned()),
            session: None,
            challenge_parameters: p,
            authentication_result: None,
            hosted_user: None,
        })
    }

    pub(crate) fn srp_verify(
        &self,
        pool: &UserPool,
        client: &AppClient,
        responses: &BTreeMap<String, String>,
        admin: bool,
    ) -> Result<AuthResponse, CognitoError> {
        let get = |name: &str| {
            responses.get(name).map(String::as_str).ok_or_else(|| {
                CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
            })
        };
        let login = get("USERNAME")?;
        let block_b64 = get("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = get("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = get("TIMESTAMP")?;
        let block = STANDARD.decode(block_b64).map_err(|_| {
            CognitoError::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not valid")
        })?;
        let bytes = self
            .store()
            .take_ephemeral(EphemeralKind::Session, &state_key(&block), self.now())?
            .ok_or_else(expired_session)?;
        let state: SrpState = serde_json::from_slice(&bytes).map_err(|_| expired_session())?;
        if state.pool != pool.id || state.client != client.client_id || state.admin != admin {
            return Err(expired_session());
        }
        let ts = parse_timestamp(timestamp)
            .map_err(|_| CognitoError::invalid_parameter("TIMESTAMP is not valid"))?;
        let skew = self.config().srp_timestamp_skew_seconds;
        let now = self.now().as_secs();
        if ts.as_secs().abs_diff(now) > skew {
            return Err(CognitoError::not_authorized(
                "TIMESTAMP is too far from the server's time",
            ));
        }
        let hs_bytes = STANDARD
            .decode(&state.handshake)
            .map_err(|_| expired_session())?;
        let hs = ServerHandshake::from_bytes(&hs_bytes).map_err(|_| expired_session())?;
        let Some(username) = state.username else {
            // The decoy of an unknown user: finish the work, then refuse like a wrong password.
            self.check_secret_hash(
                client,
                &[login],
                responses.get("SECRET_HASH").map(String::as_str),
            )?;
            if let Some(v) = &state.decoy_verifier {
                let _ = hs.verify(v, pool.srp_pool_name(), login, &block, timestamp, signature);
            }
            return Err(wrong_password());
        };
        let user: User = self
            .user_by_username(pool, &username)
            .map_err(|_| wrong_password())?;
        let same = login == username
            || self
                .store()
                .find_user_for_sign_in(pool, login)?
                .is_some_and(|u| u.username == user.username);
        if !same {
            return Err(wrong_password());
        }
        self.check_secret_hash(
            client,
            &[login, user.username.as_str()],
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        self.check_lockout(&user)?;
        let verifier = user
            .password
            .as_ref()
            .and_then(stored_verifier)
            .ok_or_else(wrong_password)?;
        if hs
            .verify(
                &verifier,
                pool.srp_pool_name(),
                user.username.as_str(),
                &block,
                timestamp,
                signature,
            )
            .is_err()
        {
            self.record_failure(pool, &user)?;
            return Err(wrong_password());
        }
        self.primary_auth_succeeded(
            pool,
            client,
            user,
            super::session::Origin::from_admin(admin),
        )
    }
}
