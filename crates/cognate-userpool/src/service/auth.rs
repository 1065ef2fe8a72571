//! Sign-in: InitiateAuth, RespondToAuthChallenge and their admin twins, refresh, revocation
//! and sign-out, with Cognito's challenges (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA,
//! EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP, PASSWORD_VERIFIER) and progressive lockout.

use std::collections::BTreeMap;
use std::time::Duration;

use cognate_jwt::{RefreshError, RefreshRequest, UserClaims, UserGroup, UserTokenRequest};
use cognate_types::{AttributeName, Scope, Scopes, Secret, UnixTime};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::runtime::StoreRevocations;
use super::session::{code_hash, expired_session, AuthSession, Origin, Step};
use super::{CognitoError, DeliveryMedium, ErrorKind, MessagePurpose, OutgoingMessage, UserPools};
use crate::model::{
    AppClient, ExplicitAuthFlow, MfaConfiguration, MfaKind, User, UserPool, UserStatus,
};

/// The scope of tokens from the user-pools API (not the OAuth endpoints).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// `InitiateAuth` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    /// The flow.
    pub auth_flow: String,
    /// The app client.
    pub client_id: String,
    /// The flow's inputs.
    #[serde(default)]
    pub auth_parameters: BTreeMap<String, String>,
    /// Passed to triggers (unused: no Lambda triggers here).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `AdminInitiateAuth` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The flow.
    pub auth_flow: String,
    /// The app client.
    pub client_id: String,
    /// The flow's inputs.
    #[serde(default)]
    pub auth_parameters: BTreeMap<String, String>,
    /// Passed to triggers (unused).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `RespondToAuthChallenge` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    /// The app client.
    pub client_id: String,
    /// The challenge answered.
    pub challenge_name: String,
    /// The session from the previous step.
    #[serde(default)]
    pub session: Option<String>,
    /// The answers.
    #[serde(default)]
    pub challenge_responses: BTreeMap<String, String>,
    /// Passed to triggers (unused).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `AdminRespondToAuthChallenge` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondToAuthChallengeRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The app client.
    pub client_id: String,
    /// The challenge answered.
    pub challenge_name: String,
    /// The session from the previous step.
    #[serde(default)]
    pub session: Option<String>,
    /// The answers.
    #[serde(default)]
    pub challenge_responses: BTreeMap<String, String>,
    /// Passed to triggers (unused).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// Tokens of a successful sign-in (`AuthenticationResultType`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    /// The access token.
    pub access_token: String,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
    /// `Bearer`.
    pub token_type: &'static str,
    /// The refresh token (sign-in, and refresh with rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// The response of InitiateAuth / RespondToAuthChallenge (and admin twins).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    /// The next challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<String>,
    /// The session to answer it with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The challenge's parameters (`{}` when there is none).
    pub challenge_parameters: BTreeMap<String, String>,
    /// The tokens, when signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
    /// A sign-in of the managed-login pages that succeeded: the user (no tokens are minted;
    /// the OAuth token endpoint does that). Never serialized.
    #[serde(skip)]
    pub(crate) hosted_user: Option<Box<User>>,
}

/// `GetTokensFromRefreshToken` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    /// The refresh token.
    pub refresh_token: String,
    /// The app client.
    pub client_id: String,
    /// The client secret, for clients that have one.
    #[serde(default)]
    pub client_secret: Option<Secret<String>>,
    /// A remembered device (device tracking is not supported; ignored).
    #[serde(default)]
    pub device_key: Option<String>,
    /// Passed to triggers (unused).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `GetTokensFromRefreshToken` response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenResponse {
    /// The new tokens.
    pub authentication_result: AuthenticationResult,
}

/// `RevokeToken` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    /// The refresh token to revoke.
    pub token: String,
    /// The app client it was issued to.
    pub client_id: String,
    /// The client secret, for clients that have one.
    #[serde(default)]
    pub client_secret: Option<Secret<String>>,
}

/// `GlobalSignOut` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSignOutRequest {
    /// The user's access token.
    pub access_token: String,
}

/// `AdminUserGlobalSignOut` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserGlobalSignOutRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The user.
    pub username: String,
}

/// An empty response body (`{}`).
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

fn param<'a>(p: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, CognitoError> {
    p.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
    })
}

fn challenge(
    name: &str,
    session: Option<String>,
    params: BTreeMap<String, String>,
) -> AuthResponse {
    AuthResponse {
        challenge_name: Some(name.to_owned()),
        session,
        challenge_parameters: params,
        authentication_result: None,
        hosted_user: None,
    }
}

fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

impl UserPools {
    /// `InitiateAuth`.
    pub fn initiate_auth(&self, r: InitiateAuthRequest) -> Result<AuthResponse, CognitoError> {
        let (client, pool) = self.client(&r.client_id)?;
        self.start_auth(&pool, &client, &r.auth_flow, &r.auth_parameters, false)
    }

    /// `AdminInitiateAuth`.
    pub fn admin_initiate_auth(
        &self,
        r: AdminInitiateAuthRequest,
    ) -> Result<AuthResponse, CognitoError> {
        let pool = self.pool(&r.user_pool_id)?;
        let client = self.client_in_pool(&pool, &r.client_id)?;
        self.start_auth(&pool, &client, &r.auth_flow, &r.auth_parameters, true)
    }

    /// `RespondToAuthChallenge`.
    pub fn respond_to_auth_challenge(
        &self,
        r: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, CognitoError> {
        let (client, pool) = self.client(&r.client_id)?;
        self.respond(
            &pool,
            &client,
            &r.challenge_name,
            r.session.as_deref(),
            &r.challenge_responses,
            Origin::Api,
        )
    }

    /// `AdminRespondToAuthChallenge`.
    pub fn admin_respond_to_auth_challenge(
        &self,
        r: AdminRespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, CognitoError> {
        let pool = self.pool(&r.user_pool_id)?;
        let client = self.client_in_pool(&pool, &r.client_id)?;
        self.respond(
            &pool,
            &client,
            &r.challenge_name,
            r.session.as_deref(),
            &r.challenge_responses,
            Origin::Admin,
        )
    }

    fn start_auth(
        &self,
        pool: &UserPool,
        client: &AppClient,
        flow: &str,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> Result<AuthResponse, CognitoError> {
        use ExplicitAuthFlow as F;
        let need = |f: F| {
            if client.allows(f) {
                Ok(())
            } else {
                Err(CognitoError::invalid_parameter(format!(
                    "{flow} flow not enabled for this client"
                )))
            }
        };
        match (flow, admin) {
            ("USER_PASSWORD_AUTH", false) => {
                need(F::AllowUserPasswordAuth)?;
                self.password_auth(pool, client, params, Origin::Api)
            }
            ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", true) => {
                need(F::AllowAdminUserPasswordAuth)?;
                self.password_auth(pool, client, params, Origin::Admin)
            }
            ("USER_SRP_AUTH", _) => {
                need(F::AllowUserSrpAuth)?;
                self.srp_start(pool, client, params, admin)
            }
            ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => {
                need(F::AllowRefreshTokenAuth)?;
                if client.rotates_refresh_tokens() {
                    return Err(CognitoError::invalid_parameter(
                        "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken",
                    ));
                }
                let token = param(params, "REFRESH_TOKEN")?;
                let result =
                    self.refresh_tokens(pool, client, token, RefreshProof::SecretHash(params.get("SECRET_HASH").map(String::as_str)), false)?;
                Ok(AuthResponse {
                    authentication_result: Some(result),
                    ..Default::default()
                })
            }
            ("CUSTOM_AUTH" | "USER_AUTH", _) => Err(CognitoError::invalid_parameter(format!(
                "{flow} is not supported by this server (no Lambda triggers, no passwordless sign-in)"
            ))),
            ("USER_PASSWORD_AUTH", true) | ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", false) => {
                Err(CognitoError::invalid_parameter("Initiate Auth method not supported."))
            }
            _ => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
            ))),
        }
    }

    /// The error for a user that does not exist, as the client's PreventUserExistenceErrors
    /// setting asks.
    pub(crate) fn unknown_user(&self, client: &AppClient) -> CognitoError {
        if client.prevent_user_existence_errors {
            CognitoError::not_authorized("Incorrect username or password.")
        } else {
            CognitoError::user_not_found()
        }
    }

    /// Checks `SECRET_HASH` for clients with a secret. `usernames`: the names the hash may
    /// have been computed with (the one sent; for refresh also the token's user).
    pub(crate) fn check_secret_hash(
        &self,
        client: &AppClient,
        usernames: &[&str],
        presented: Option<&str>,
    ) -> Result<(), CognitoError> {
        let Some(secret) = &client.secret else {
            return Ok(());
        };
        let Some(presented) = presented else {
            return Err(CognitoError::not_authorized(format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                client.client_id
            )));
        };
        let ok = usernames
            .iter()
            .any(|u| crate::secret_hash::verify(secret, u, &client.client_id, presented).is_ok());
        if ok {
            Ok(())
        } else {
            Err(CognitoError::not_authorized(format!(
                "Unable to verify secret hash for client {}",
                client.client_id
            )))
        }
    }

    fn check_client_secret(
        &self,
        client: &AppClient,
        presented: Option<&Secret<String>>,
    ) -> Result<(), CognitoError> {
        match (&client.secret, presented) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(CognitoError::not_authorized(format!(
                "Client {} is configured with secret but ClientSecret was not received",
                client.client_id
            ))),
            (Some(s), Some(p)) if s.ct_eq_bytes(p.expose().as_bytes()) => Ok(()),
            (Some(_), Some(_)) => Err(CognitoError::not_authorized(format!(
                "Unable to verify secret for client {}",
                client.client_id
            ))),
        }
    }

    pub(crate) fn password_auth(
        &self,
        pool: &UserPool,
        client: &AppClient,
        params: &BTreeMap<String, String>,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        let login = param(params, "USERNAME")?;
        let password = param(params, "PASSWORD")?;
        if origin != Origin::Hosted {
            self.check_secret_hash(
                client,
                &[login],
                params.get("SECRET_HASH").map(String::as_str),
            )?;
        }
        let Some(user) = self.store().find_user_for_sign_in(pool, login)? else {
            self.config().hasher.burn(password);
            return Err(self.unknown_user(client));
        };
        self.check_lockout(&user)?;
        let ok = user
            .password
            .as_ref()
            .is_some_and(|p| self.config().hasher.verify(&p.hash, password));
        if !ok {
            self.record_failure(pool, &user)?;
            return Err(CognitoError::not_authorized(
                "Incorrect username or password.",
            ));
        }
        self.primary_auth_succeeded(pool, client, user, origin)
    }

    /// Refuses a sign-in during a lockout.
    pub(crate) fn check_lockout(&self, user: &User) -> Result<(), CognitoError> {
        match user.lockout.locked_until {
            Some(until) if self.now() < until => {
                Err(CognitoError::not_authorized("Password attempts exceeded"))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in: after the free attempts, the user is locked for 1 s, doubling
    /// per further failure up to the maximum; the count resets after 15 minutes without
    /// failures.
    pub(crate) fn record_failure(&self, pool: &UserPool, user: &User) -> Result<(), CognitoError> {
        let now = self.now();
        let free = self.config().lockout_free_attempts;
        let max = self.config().lockout_max_seconds;
        self.modify_user(pool, user.username.as_str(), |u| {
            if u.lockout
                .last_failure
                .is_some_and(|t| now.duration_since(t) > Duration::from_secs(900))
            {
                u.lockout.failures = 0;
            }
            u.lockout.failures = u.lockout.failures.saturating_add(1);
            u.lockout.last_failure = Some(now);
            if u.lockout.failures >= free {
                let exp = (u.lockout.failures - free).min(20);
                let secs = (1u64 << exp).min(max);
                u.lockout.locked_until = Some(now.saturating_add(Duration::from_secs(secs)));
            }
            Ok(())
        })?;
        Ok(())
    }

    /// After the password (or SRP proof) was right: the account state, then MFA, then tokens.
    pub(crate) fn primary_auth_succeeded(
        &self,
        pool: &UserPool,
        client: &AppClient,
        mut user: User,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        if user.lockout.failures > 0 || user.lockout.locked_until.is_some() {
            let (u, ()) = self.modify_user(pool, user.username.as_str(), |u| {
                u.lockout = Default::default();
                Ok(())
            })?;
            user = u;
        }
        match user.status {
            UserStatus::Unconfirmed => Err(CognitoError::new(
                ErrorKind::UserNotConfirmed,
                "User is not confirmed.",
            )),
            UserStatus::ResetRequired => Err(CognitoError::new(
                ErrorKind::PasswordResetRequired,
                "Password reset required for the user",
            )),
            UserStatus::ExternalProvider => Err(CognitoError::not_authorized(
                "Incorrect username or password.",
            )),
            UserStatus::ForceChangePassword => {
                let expired = user
                    .password
                    .as_ref()
                    .and_then(|p| p.temporary_until)
                    .is_some_and(|t| self.now() >= t);
                if expired {
                    return Err(CognitoError::not_authorized(
                        "Temporary password has expired and must be reset by an administrator.",
                    ));
                }
                let session = self.put_session(
                    &pool.id,
                    &client.client_id,
                    user.username.as_str(),
                    Step::NewPasswordRequired,
                    client.auth_session_validity_minutes,
                    origin,
                )?;
                let mut attrs: BTreeMap<&str, &str> = user
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                attrs.remove("email_verified");
                attrs.remove("phone_number_verified");
                let required: Vec<String> = pool
                    .schema
                    .iter()
                    .filter(|a| {
                        a.required && a.name != "sub" && !user.attributes.contains_key(&a.name)
                    })
                    .map(|a| format!("userAttributes.{}", a.name))
                    .collect();
                let mut p = BTreeMap::new();
                p.insert(
                    "userAttributes".to_owned(),
                    serde_json::to_string(&attrs).unwrap_or_else(|_| "{}".to_owned()),
                );
                p.insert(
                    "requiredAttributes".to_owned(),
                    serde_json::to_string(&required).unwrap_or_else(|_| "[]".to_owned()),
                );
                p.insert("USER_ID_FOR_SRP".to_owned(), user.username.to_string());
                Ok(challenge("NEW_PASSWORD_REQUIRED", Some(session), p))
            }
            UserStatus::Confirmed => self.mfa_stage(pool, client, &user, origin),
        }
    }

    /// The MFA methods the pool allows.
    fn pool_allows(pool: &UserPool, kind: MfaKind) -> bool {
        match kind {
            MfaKind::SoftwareToken => pool.software_token_mfa_enabled,
            MfaKind::Sms => pool.sms_mfa_enabled,
            MfaKind::Email => pool.email_mfa_enabled,
        }
    }

    fn mfa_stage(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        if pool.mfa_configuration == MfaConfiguration::Off {
            return self.signed_in(pool, client, user, origin);
        }
        let enabled: Vec<MfaKind> = user
            .mfa
            .enabled()
            .into_iter()
            .filter(|k| Self::pool_allows(pool, *k))
            .collect();
        if enabled.is_empty() {
            if pool.mfa_configuration != MfaConfiguration::On {
                return self.signed_in(pool, client, user, origin);
            }
            let mut can: Vec<&str> = Vec::new();
            if pool.software_token_mfa_enabled {
                can.push("SOFTWARE_TOKEN_MFA");
            }
            if pool.email_mfa_enabled {
                can.push("EMAIL_OTP");
            }
            if pool.sms_mfa_enabled {
                can.push("SMS_MFA");
            }
            let session = self.put_session(
                &pool.id,
                &client.client_id,
                user.username.as_str(),
                Step::MfaSetup { verified: false },
                client.auth_session_validity_minutes,
                origin,
            )?;
            let mut p = BTreeMap::new();
            p.insert("MFAS_CAN_SETUP".to_owned(), json_list(&can));
            p.insert("USER_ID_FOR_SRP".to_owned(), user.username.to_string());
            return Ok(challenge("MFA_SETUP", Some(session), p));
        }
        let chosen = if enabled.len() == 1 {
            enabled.first().copied()
        } else {
            user.mfa.preferred.filter(|p| enabled.contains(p))
        };
        match chosen {
            Some(kind) => self.mfa_challenge(pool, client, user, kind, origin),
            None => {
                let session = self.put_session(
                    &pool.id,
                    &client.client_id,
                    user.username.as_str(),
                    Step::SelectMfa {
                        options: enabled.clone(),
                    },
                    client.auth_session_validity_minutes,
                    origin,
                )?;
                let names: Vec<&str> = enabled
                    .iter()
                    .map(|k| match k {
                        MfaKind::Email => "EMAIL_OTP",
                        other => other.as_str(),
                    })
                    .collect();
                let mut p = BTreeMap::new();
                p.insert("MFAS_CAN_CHOOSE".to_owned(), json_list(&names));
                p.insert("USER_ID_FOR_SRP".to_owned(), user.username.to_string());
                Ok(challenge("SELECT_MFA_TYPE", Some(session), p))
            }
        }
    }

    fn mfa_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        kind: MfaKind,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        let mut p = BTreeMap::new();
        let code_hash = match kind {
            MfaKind::SoftwareToken => None,
            MfaKind::Sms | MfaKind::Email => {
                let (medium, attr) = if kind == MfaKind::Sms {
                    (DeliveryMedium::Sms, "phone_number")
                } else {
                    (DeliveryMedium::Email, "email")
                };
                let destination = user.attribute(attr).ok_or_else(|| {
                    CognitoError::new(
                        ErrorKind::InvalidParameter,
                        format!("User has no {attr} to send an MFA code to"),
                    )
                })?;
                let code = self.six_digit_code()?.expose().clone();
                self.sender()
                    .send(&OutgoingMessage {
                        pool: pool.id.clone(),
                        username: user.username.to_string(),
                        medium,
                        destination: destination.to_owned(),
                        purpose: MessagePurpose::Mfa,
                        code: Secret::new(code.clone()),
                    })
                    .map_err(|e| {
                        CognitoError::new(ErrorKind::CodeDeliveryFailure, e.to_string())
                    })?;
                p.insert(
                    "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
                    medium.as_str().to_owned(),
                );
                p.insert(
                    "CODE_DELIVERY_DESTINATION".to_owned(),
                    super::mask_destination(medium, destination),
                );
                Some(code_hash(&code))
            }
        };
        let session = self.put_session(
            &pool.id,
            &client.client_id,
            user.username.as_str(),
            Step::Mfa { kind, code_hash },
            client.auth_session_validity_minutes,
            origin,
        )?;
        p.insert("USER_ID_FOR_SRP".to_owned(), user.username.to_string());
        Ok(challenge(kind.as_str(), Some(session), p))
    }

    pub(crate) fn respond(
        &self,
        pool: &UserPool,
        client: &AppClient,
        name: &str,
        session: Option<&str>,
        responses: &BTreeMap<String, String>,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        if name == "PASSWORD_VERIFIER" {
            return self.srp_verify(pool, client, responses, origin.is_admin());
        }
        let token = session
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?;
        let login = param(responses, "USERNAME")?;
        let s = self.take_session(token, &client.client_id)?;
        if s.pool != pool.id || s.origin() != origin {
            return Err(expired_session());
        }
        let user = self
            .store()
            .get_user(pool, &s.username)?
            .ok_or_else(expired_session)?;
        let same_user = self
            .store()
            .find_user_for_sign_in(pool, login)?
            .is_some_and(|u| u.username == user.username);
        if !same_user {
            return Err(CognitoError::not_authorized(
                "Incorrect username or password.",
            ));
        }
        if origin != Origin::Hosted {
            self.check_secret_hash(
                client,
                &[login, user.username.as_str()],
                responses.get("SECRET_HASH").map(String::as_str),
            )?;
        }
        match (name, &s.step) {
            ("NEW_PASSWORD_REQUIRED", Step::NewPasswordRequired) => {
                self.answer_new_password(pool, client, user, token, s, responses, origin)
            }
            ("SOFTWARE_TOKEN_MFA", Step::Mfa { kind: MfaKind::SoftwareToken, .. }) => {
                let code = param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                match self.check_totp_for_sign_in(pool, &user, code)? {
                    true => self.signed_in(pool, client, &user, origin),
                    false => {
                        self.retry_session(token, s)?;
                        Err(CognitoError::new(
                            ErrorKind::CodeMismatch,
                            "Invalid code or auth state for the user.",
                        ))
                    }
                }
            }
            ("SMS_MFA", Step::Mfa { kind: MfaKind::Sms, code_hash: Some(h) })
            | ("EMAIL_OTP", Step::Mfa { kind: MfaKind::Email, code_hash: Some(h) }) => {
                let field = if name == "SMS_MFA" {
                    "SMS_MFA_CODE"
                } else {
                    "EMAIL_OTP_CODE"
                };
                let code = param(responses, field)?;
                let ok: bool = code_hash(code).as_bytes().ct_eq(h.as_bytes()).into();
                if ok {
                    self.signed_in(pool, client, &user, origin)
                } else {
                    let h = h.clone();
                    let _ = h;
                    self.retry_session(token, s)?;
                    Err(CognitoError::new(
                        ErrorKind::CodeMismatch,
                        "Invalid code or auth state for the user.",
                    ))
                }
            }
            ("SELECT_MFA_TYPE", Step::SelectMfa { options }) => {
                let answer = param(responses, "ANSWER")?;
                let kind = match answer {
                    "SOFTWARE_TOKEN_MFA" => MfaKind::SoftwareToken,
                    "SMS_MFA" => MfaKind::Sms,
                    "EMAIL_OTP" | "EMAIL_MFA" => MfaKind::Email,
                    _ => {
                        return Err(CognitoError::invalid_parameter(format!(
                            "Invalid ANSWER {answer}"
                        )))
                    }
                };
                if !options.contains(&kind) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{answer} is not one of the MFA types the user can choose"
                    )));
                }
                self.mfa_challenge(pool, client, &user, kind, origin)
            }
            ("MFA_SETUP", Step::MfaSetup { verified: true }) => self.signed_in(pool, client, &user, origin),
            ("MFA_SETUP", Step::MfaSetup { verified: false }) => Err(CognitoError::invalid_parameter(
                "Software token MFA has not been verified: call VerifySoftwareToken with the session first",
            )),
            _ => Err(CognitoError::invalid_parameter(format!(
                "Challenge {name} does not match the session"
            ))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn answer_new_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        token: &str,
        s: AuthSession,
        responses: &BTreeMap<String, String>,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        let Some(new_password) = responses.get("NEW_PASSWORD") else {
            self.retry_session(token, s)?;
            return Err(CognitoError::invalid_parameter(
                "Missing required parameter NEW_PASSWORD",
            ));
        };
        if let Err(e) = super::check_policy(&pool.password_policy, new_password) {
            self.retry_session(token, s)?;
            return Err(e);
        }
        let mut updates: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in responses {
            if let Some(attr) = k.strip_prefix("userAttributes.") {
                let schema = pool.schema_attribute(attr).ok_or_else(|| {
                    CognitoError::invalid_parameter(format!(
                        "Attributes did not conform to the schema: {attr}: Attribute does not exist in the schema."
                    ))
                })?;
                if attr == "sub" || schema.developer_only {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Cannot modify the non-mutable attribute {attr}"
                    )));
                }
                if user.attributes.contains_key(attr) && !schema.mutable {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Cannot modify the non-mutable attribute {attr}"
                    )));
                }
                schema.check_value(v).map_err(|m| {
                    CognitoError::invalid_parameter(format!(
                        "Attributes did not conform to the schema: {m}"
                    ))
                })?;
                updates.insert(attr.to_owned(), v.clone());
            }
        }
        for a in pool.schema.iter().filter(|a| a.required && a.name != "sub") {
            if !user.attributes.contains_key(&a.name) && !updates.contains_key(&a.name) {
                self.retry_session(token, s)?;
                return Err(CognitoError::invalid_parameter(format!(
                    "Missing required parameter userAttributes.{}",
                    a.name
                )));
            }
        }
        let credential = self.new_password_credential(pool, &user, new_password, None)?;
        let (user, ()) = self.modify_user(pool, user.username.as_str(), |u| {
            for (k, v) in &updates {
                u.attributes.insert(k.clone(), v.clone());
            }
            u.password = Some(credential.clone());
            u.status = UserStatus::Confirmed;
            Ok(())
        })?;
        self.mfa_stage(pool, client, &user, origin)
    }

    /// Mints the tokens of a completed sign-in and remembers its token family (for the
    /// managed-login pages: hands back the user instead).
    pub(crate) fn signed_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        origin: Origin,
    ) -> Result<AuthResponse, CognitoError> {
        if origin == Origin::Hosted {
            return Ok(AuthResponse {
                hosted_user: Some(Box::new(user.clone())),
                ..Default::default()
            });
        }
        let result = self.mint_sign_in_tokens(pool, client, user, None)?;
        Ok(AuthResponse {
            authentication_result: Some(result),
            ..Default::default()
        })
    }

    /// The claims the issuer needs for `user` as `client` may read them.
    pub fn user_claims(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
    ) -> Result<UserClaims, CognitoError> {
        let mut claims = UserClaims::new(user.sub.clone(), user.username.clone());
        claims.identities = super::federated::identities_claim(user);
        for g in self.store().groups_of_user(pool, user.username.as_str())? {
            claims.groups.push(UserGroup {
                name: g.name,
                precedence: g.precedence,
                role_arn: g.role_arn,
            });
        }
        for (k, v) in &user.attributes {
            let readable = client
                .read_attributes
                .as_ref()
                .is_none_or(|r| r.iter().any(|a| a == k));
            let dev_only = pool.schema_attribute(k).is_some_and(|a| a.developer_only);
            if !readable || dev_only || k == "sub" || k == "identities" {
                continue;
            }
            if let Ok(name) = AttributeName::new(k.as_str()) {
                claims = claims.with_attribute(name, v.clone());
            }
        }
        Ok(claims)
    }

    /// Issues ID, access and refresh tokens for a sign-in with `scopes` (the user-pools API
    /// scope when `None`), and records the token family on the user.
    pub fn mint_sign_in_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        scopes: Option<&Scopes>,
    ) -> Result<AuthenticationResult, CognitoError> {
        let default_scopes = admin_scopes();
        let opts = MintOptions {
            scopes: scopes.unwrap_or(&default_scopes),
            oauth: false,
            nonce: None,
            auth_time: None,
            refresh_token: true,
        };
        Ok(self.mint_tokens(pool, client, user, &opts)?.0)
    }

    /// Issues a user's tokens as `opts` says, records the token family (when a refresh token
    /// is issued), and returns the tokens with the family's `origin_jti`.
    pub(crate) fn mint_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        opts: &MintOptions<'_>,
    ) -> Result<(AuthenticationResult, Option<String>), CognitoError> {
        let rt = self.runtime(pool)?;
        let claims = self.user_claims(pool, client, user)?;
        let validity = client.token_validity.validity().map_err(|e| {
            tracing::error!(client = %client.client_id, error = %e, "stored token validity invalid");
            CognitoError::internal()
        })?;
        let mut req = UserTokenRequest::new(&client.client_id, &claims, opts.scopes);
        req.validity = validity;
        req.with_refresh_token = opts.refresh_token;
        req.oauth = opts.oauth;
        req.nonce = opts.nonce;
        req.auth_time = opts.auth_time;
        req.with_id_token = !opts.oauth || opts.scopes.contains(Scope::OPENID);
        let tokens = rt.issuer.issue_user_tokens(&rt.keys, &req).map_err(|e| {
            tracing::error!(error = %e, "token issuing failed");
            CognitoError::internal()
        })?;
        if let (Some(origin), true) = (&tokens.origin_jti, opts.refresh_token) {
            let expires = self.now().saturating_add(validity.refresh());
            self.store().put_ephemeral(
                crate::store::EphemeralKind::TokenFamily,
                &family_key(pool, user, Some(origin.as_str())),
                b"",
                expires,
            )?;
        }
        Ok((
            AuthenticationResult {
                access_token: tokens.access_token,
                expires_in: tokens.expires_in,
                token_type: "Bearer",
                refresh_token: tokens.refresh_token.map(|t| t.expose().clone()),
                id_token: tokens.id_token,
            },
            tokens.origin_jti.map(|o| o.to_string()),
        ))
    }

    pub(crate) fn revoke_family_str(
        &self,
        origin_jti: &str,
        until: UnixTime,
    ) -> Result<(), CognitoError> {
        self.store()
            .put_ephemeral(crate::store::EphemeralKind::Revoked, origin_jti, b"", until)
            .map_err(Into::into)
    }

    /// Uses a refresh token.
    pub(crate) fn refresh_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        token: &str,
        proof: RefreshProof<'_>,
        rotate: bool,
    ) -> Result<AuthenticationResult, CognitoError> {
        let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
        let rt = self.runtime(pool)?;
        let revocations = StoreRevocations { engine: self };
        let claims = rt
            .keys
            .open_refresh_token(token, &pool.id, &client.client_id, self.now(), &revocations)
            .map_err(|e| match e {
                RefreshError::Revoked => {
                    CognitoError::not_authorized("Refresh Token has been revoked")
                }
                RefreshError::Expired => CognitoError::not_authorized("Refresh Token has expired"),
                _ => invalid(),
            })?;
        match proof {
            RefreshProof::SecretHash(h) => {
                self.check_secret_hash(client, &[claims.username.as_str(), claims.sub.as_str()], h)?
            }
            RefreshProof::ClientSecret(s) => self.check_client_secret(client, s)?,
            RefreshProof::ClientAuthenticated => {}
        }
        let user = self
            .store()
            .get_user(pool, claims.username.as_str())?
            .filter(|u| u.sub == claims.sub)
            .ok_or_else(|| CognitoError::not_authorized("User does not exist."))?;
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        if user.tokens_valid_after.is_some_and(|t| claims.iat < t) {
            return Err(CognitoError::not_authorized(
                "Refresh Token has been revoked",
            ));
        }
        if rotate {
            self.check_refresh_reuse(client, &claims)?;
        }
        let user_claims = self.user_claims(pool, client, &user)?;
        let oauth = claims.scope.is_some();
        let scopes = match &claims.scope {
            Some(s) => Scopes::parse(s).map_err(|_| invalid())?,
            None => admin_scopes(),
        };
        let validity = client
            .token_validity
            .validity()
            .map_err(|_| CognitoError::internal())?;
        let req = RefreshRequest {
            client_id: &client.client_id,
            user: &user_claims,
            scopes: &scopes,
            validity,
            revocations: &revocations,
            rotate,
            oauth,
        };
        let tokens = rt.issuer.refresh(&rt.keys, token, &req).map_err(|e| {
            tracing::debug!(error = %e, "refresh refused");
            invalid()
        })?;
        Ok(AuthenticationResult {
            access_token: tokens.access_token,
            expires_in: tokens.expires_in,
            token_type: "Bearer",
            refresh_token: tokens.refresh_token.map(|t| t.expose().clone()),
            id_token: tokens.id_token,
        })
    }

    /// With rotation, a refresh token is used once; within the grace period a retry is
    /// accepted, after it a second use revokes the whole family.
    fn check_refresh_reuse(
        &self,
        client: &AppClient,
        claims: &cognate_jwt::RefreshTokenClaims,
    ) -> Result<(), CognitoError> {
        use crate::store::EphemeralKind;
        let now = self.now();
        let grace = client
            .refresh_token_rotation
            .map_or(0, |r| u64::from(r.retry_grace_period_seconds));
        let key = claims.jti.as_str();
        match self
            .store()
            .get_ephemeral(EphemeralKind::RefreshUsed, key, now)?
        {
            Some(first_use) => {
                let first = first_use
                    .first_chunk::<8>()
                    .map_or(0, |b| u64::from_be_bytes(*b));
                if now.as_secs().saturating_sub(first) > grace {
                    self.revoke_family_str(claims.origin_jti.as_str(), claims.exp)?;
                    return Err(CognitoError::new(
                        ErrorKind::RefreshTokenReuse,
                        "Refresh token has been used before; the session is revoked",
                    ));
                }
                Ok(())
            }
            None => {
                self.store().put_ephemeral(
                    EphemeralKind::RefreshUsed,
                    key,
                    &now.as_secs().to_be_bytes(),
                    claims.exp.saturating_add(Duration::from_secs(1)),
                )?;
                Ok(())
            }
        }
    }

    /// `GetTokensFromRefreshToken`: refresh with the client's rotation setting.
    pub fn get_tokens_from_refresh_token(
        &self,
        r: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, CognitoError> {
        let (client, pool) = self.client(&r.client_id)?;
        if !client.allows(ExplicitAuthFlow::AllowRefreshTokenAuth) {
            return Err(CognitoError::invalid_parameter(
                "REFRESH_TOKEN_AUTH flow not enabled for this client",
            ));
        }
        let rotate = client.rotates_refresh_tokens();
        let result = self.refresh_tokens(
            &pool,
            &client,
            &r.refresh_token,
            RefreshProof::ClientSecret(r.client_secret.as_ref()),
            rotate,
        )?;
        Ok(GetTokensFromRefreshTokenResponse {
            authentication_result: result,
        })
    }

    /// `RevokeToken`: revokes the refresh token's family (and the access tokens of it).
    pub fn revoke_token(&self, r: RevokeTokenRequest) -> Result<Empty, CognitoError> {
        let (client, pool) = self.client(&r.client_id)?;
        self.check_client_secret(&client, r.client_secret.as_ref())?;
        if !client.enable_token_revocation {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedOperation,
                "Token revocation is not enabled for this client",
            ));
        }
        self.revoke_refresh_token(&pool, &client, &r.token)?;
        Ok(Empty {})
    }

    /// Revokes a refresh token of `client` and its whole family (the client is already
    /// authenticated). A JWT is refused (`UnsupportedTokenTypeException`); an invalid, expired,
    /// foreign or already revoked refresh token needs no action (RFC 7009).
    pub fn revoke_refresh_token(
        &self,
        pool: &UserPool,
        client: &AppClient,
        token: &str,
    ) -> Result<(), CognitoError> {
        if token.split('.').count() == 3 {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedTokenType,
                "Only refresh tokens can be revoked",
            ));
        }
        let rt = self.runtime(pool)?;
        let never = NeverRevoked;
        if let Ok(claims) =
            rt.keys
                .open_refresh_token(token, &pool.id, &client.client_id, self.now(), &never)
        {
            self.revoke_family_str(claims.origin_jti.as_str(), claims.exp)?;
        }
        Ok(())
    }

    /// `GlobalSignOut`.
    pub fn global_sign_out(&self, r: GlobalSignOutRequest) -> Result<Empty, CognitoError> {
        let (pool, user, _) = self.authenticate_api_token(&r.access_token)?;
        self.sign_out_everywhere(&pool, &user)?;
        Ok(Empty {})
    }

    /// `AdminUserGlobalSignOut`.
    pub fn admin_user_global_sign_out(
        &self,
        r: AdminUserGlobalSignOutRequest,
    ) -> Result<Empty, CognitoError> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.user_by_username(&pool, &r.username)?;
        self.sign_out_everywhere(&pool, &user)?;
        Ok(Empty {})
    }

    /// Revokes every token family of the user.
    pub(crate) fn sign_out_everywhere(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<(), CognitoError> {
        let now = self.now();
        self.modify_user(pool, user.username.as_str(), |u| {
            u.tokens_valid_after = Some(now);
            Ok(())
        })?;
        self.revoke_all_families(pool, user)
    }

    /// Revokes the live token families recorded for the user (each until its refresh token
    /// would have expired) and forgets them.
    pub(crate) fn revoke_all_families(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<(), CognitoError> {
        use crate::store::EphemeralKind;
        let prefix = family_key(pool, user, None);
        let now = self.now();
        for (key, _, expires) in
            self.store()
                .list_ephemeral(EphemeralKind::TokenFamily, &prefix, now, usize::MAX)?
        {
            if let Some(origin) = key.strip_prefix(&prefix) {
                self.revoke_family_str(origin, expires)?;
            }
            self.store()
                .delete_ephemeral(EphemeralKind::TokenFamily, &key)?;
        }
        Ok(())
    }
}

/// The key of a token family record: `{pool}/{sub}/{origin_jti}` (or the prefix without the
/// family).
fn family_key(pool: &UserPool, user: &User, origin_jti: Option<&str>) -> String {
    format!(
        "{}/{}/{}",
        pool.id,
        user.sub,
        origin_jti.unwrap_or_default()
    )
}

/// How a refresh proves the client.
pub(crate) enum RefreshProof<'a> {
    /// InitiateAuth: `SECRET_HASH`.
    SecretHash(Option<&'a str>),
    /// GetTokensFromRefreshToken: `ClientSecret`.
    ClientSecret(Option<&'a Secret<String>>),
    /// The OAuth token endpoint authenticated the client already.
    ClientAuthenticated,
}

/// How [`UserPools::mint_tokens`] issues.
pub(crate) struct MintOptions<'a> {
    /// The access token's scopes.
    pub(crate) scopes: &'a Scopes,
    /// Issued by the OAuth endpoints (`at_hash`, scopes kept in the refresh token, ID token
    /// only with `openid`).
    pub(crate) oauth: bool,
    /// The authorization request's nonce.
    pub(crate) nonce: Option<&'a str>,
    /// When the user authenticated (default: now).
    pub(crate) auth_time: Option<UnixTime>,
    /// Issue a refresh token.
    pub(crate) refresh_token: bool,
}

struct NeverRevoked;

impl cognate_jwt::RevocationCheck for NeverRevoked {
    fn is_revoked(&self, _: Option<&str>, _: Option<&str>) -> bool {
        false
    }
}

fn admin_scopes() -> Scopes {
    let mut s = Scopes::new();
    if let Ok(scope) = Scope::new(ADMIN_SCOPE) {
        s.insert(scope);
    }
    s
}
