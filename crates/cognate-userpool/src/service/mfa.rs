//! MFA settings: AssociateSoftwareToken, VerifySoftwareToken (with an access token, or with
//! the session of an MFA_SETUP challenge), SetUserMFAPreference and its admin twin, and the
//! TOTP check of sign-in.

use cognate_types::{ClientId, Secret};
use serde::{Deserialize, Serialize};

use super::auth::Empty;
use super::session::{expired_session, Step};
use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{MfaKind, TotpRegistration, User, UserPool};
use crate::totp;

/// `AssociateSoftwareToken` request: an access token, or the session of an MFA_SETUP
/// challenge.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    /// The user's access token.
    #[serde(default)]
    pub access_token: Option<String>,
    /// The MFA_SETUP session.
    #[serde(default)]
    pub session: Option<String>,
}

/// `AssociateSoftwareToken` response.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The base32 TOTP secret for the authenticator app.
    pub secret_code: String,
    /// The next session (when called with a session).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// `VerifySoftwareToken` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    /// The user's access token.
    #[serde(default)]
    pub access_token: Option<String>,
    /// The MFA_SETUP session.
    #[serde(default)]
    pub session: Option<String>,
    /// The code from the authenticator app.
    pub user_code: String,
    /// A name for the authenticator.
    #[serde(default)]
    pub friendly_device_name: Option<String>,
}

/// `VerifySoftwareToken` response.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS`.
    pub status: &'static str,
    /// The next session (when called with a session).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// One method's settings in SetUserMFAPreference.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    /// Enable (or disable) the method.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Make it the preferred method.
    #[serde(default)]
    pub preferred_mfa: Option<bool>,
}

/// `SetUserMFAPreference` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    /// The user's access token.
    pub access_token: String,
    /// SMS settings.
    #[serde(default, rename = "SMSMfaSettings")]
    pub sms_mfa_settings: Option<MfaSettings>,
    /// TOTP settings.
    #[serde(default)]
    pub software_token_mfa_settings: Option<MfaSettings>,
    /// E-mail settings.
    #[serde(default)]
    pub email_mfa_settings: Option<MfaSettings>,
}

/// `AdminSetUserMFAPreference` request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserMfaPreferenceRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The user.
    pub username: String,
    /// SMS settings.
    #[serde(default, rename = "SMSMfaSettings")]
    pub sms_mfa_settings: Option<MfaSettings>,
    /// TOTP settings.
    #[serde(default)]
    pub software_token_mfa_settings: Option<MfaSettings>,
    /// E-mail settings.
    #[serde(default)]
    pub email_mfa_settings: Option<MfaSettings>,
}

/// Who an MFA-setup call is about.
enum Subject {
    Token(UserPool, User),
    Session(UserPool, User, String, super::session::AuthSession),
}

impl UserPools {
    fn mfa_subject(
        &self,
        access_token: Option<&str>,
        session: Option<&str>,
    ) -> Result<Subject, CognitoError> {
        match (access_token, session) {
            (Some(t), _) => {
                let (pool, user, _) = self.authenticate_api_token(t)?;
                Ok(Subject::Token(pool, user))
            }
            (None, Some(s)) => {
                let st = self.peek_session(s)?;
                if !matches!(st.step, Step::MfaSetup { .. }) {
                    return Err(expired_session());
                }
                let pool = self.pool(st.pool.as_str()).map_err(|_| expired_session())?;
                let user = self
                    .user_by_username(&pool, &st.username)
                    .map_err(|_| expired_session())?;
                Ok(Subject::Session(pool, user, s.to_owned(), st))
            }
            (None, None) => Err(CognitoError::invalid_parameter(
                "Either AccessToken or Session is required",
            )),
        }
    }

    /// Moves an MFA_SETUP session to a fresh token with `step`.
    fn next_setup_session(
        &self,
        old: &str,
        st: &super::session::AuthSession,
        step: Step,
    ) -> Result<String, CognitoError> {
        let client: ClientId = st.client.clone();
        let _ = self.take_session(old, &client)?;
        let minutes = self
            .store()
            .get_client(&client)?
            .map_or(3, |c| c.auth_session_validity_minutes);
        self.put_session(&st.pool, &client, &st.username, step, minutes, st.origin())
    }

    /// `AssociateSoftwareToken`.
    pub fn associate_software_token(
        &self,
        r: AssociateSoftwareTokenRequest,
    ) -> Result<AssociateSoftwareTokenResponse, CognitoError> {
        let subject = self.mfa_subject(r.access_token.as_deref(), r.session.as_deref())?;
        let secret = totp::TotpSecret::generate(self.rng())
            .map_err(|_| CognitoError::internal())?
            .to_base32();
        let (pool, user) = match &subject {
            Subject::Token(p, u) | Subject::Session(p, u, _, _) => (p, u),
        };
        self.modify_user(pool, user.username.as_str(), |u| {
            // A new association replaces an unverified one; a verified authenticator stays in
            // use until the new one is verified.
            let keep_verified = u.mfa.totp.as_ref().is_some_and(|t| t.verified);
            let pending = TotpRegistration {
                secret: Secret::new(secret.expose().clone()),
                verified: false,
                last_step: None,
                friendly_name: None,
            };
            if keep_verified {
                u.mfa.pending_totp = Some(pending);
            } else {
                u.mfa.totp = Some(pending);
            }
            Ok(())
        })?;
        let session = match &subject {
            Subject::Session(_, _, token, st) => {
                Some(self.next_setup_session(token, st, Step::MfaSetup { verified: false })?)
            }
            Subject::Token(..) => None,
        };
        Ok(AssociateSoftwareTokenResponse {
            secret_code: secret.expose().clone(),
            session,
        })
    }

    /// `VerifySoftwareToken`.
    pub fn verify_software_token(
        &self,
        r: VerifySoftwareTokenRequest,
    ) -> Result<VerifySoftwareTokenResponse, CognitoError> {
        let subject = self.mfa_subject(r.access_token.as_deref(), r.session.as_deref())?;
        let (pool, user) = match &subject {
            Subject::Token(p, u) | Subject::Session(p, u, _, _) => (p, u),
        };
        let now = self.now();
        let code = r.user_code.clone();
        let name = r.friendly_device_name.clone();
        let (_, ok) = self.modify_user(pool, user.username.as_str(), |u| {
            let reg = match u.mfa.pending_totp.as_mut() {
                Some(p) => p,
                None => match u.mfa.totp.as_mut() {
                    Some(t) => t,
                    None => {
                        return Err(CognitoError::new(
                            ErrorKind::SoftwareTokenMfaNotFound,
                            "Software token MFA has not been associated with the user",
                        ))
                    }
                },
            };
            let Ok(step) = totp::TotpSecret::from_base32(reg.secret.expose())
                .and_then(|secret| totp::verify(&secret, &code, now, 1))
            else {
                return Ok(false);
            };
            reg.verified = true;
            reg.last_step = Some(step);
            reg.friendly_name = name.clone();
            if let Some(p) = u.mfa.pending_totp.take() {
                u.mfa.totp = Some(p);
            }
            u.mfa.totp_enabled = true;
            if u.mfa.preferred.is_none() {
                u.mfa.preferred = Some(MfaKind::SoftwareToken);
            }
            Ok(true)
        })?;
        if !ok {
            return Err(CognitoError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch and fail enable Software Token MFA",
            ));
        }
        let session = match &subject {
            Subject::Session(_, _, token, st) => {
                Some(self.next_setup_session(token, st, Step::MfaSetup { verified: true })?)
            }
            Subject::Token(..) => None,
        };
        Ok(VerifySoftwareTokenResponse {
            status: "SUCCESS",
            session,
        })
    }

    /// Checks a TOTP code at sign-in, refusing a time step already used. `Ok(false)`: wrong.
    pub(crate) fn check_totp_for_sign_in(
        &self,
        pool: &UserPool,
        user: &User,
        code: &str,
    ) -> Result<bool, CognitoError> {
        let now = self.now();
        let (_, ok) = self.modify_user(pool, user.username.as_str(), |u| {
            let Some(reg) = u.mfa.totp.as_mut().filter(|t| t.verified) else {
                return Ok(false);
            };
            let result = totp::TotpSecret::from_base32(reg.secret.expose())
                .and_then(|secret| totp::verify(&secret, code, now, 1));
            match result {
                Ok(step) if reg.last_step.is_none_or(|last| step > last) => {
                    reg.last_step = Some(step);
                    Ok(true)
                }
                _ => Ok(false),
            }
        })?;
        Ok(ok)
    }

    fn apply_mfa_preference(
        &self,
        pool: &UserPool,
        user: &User,
        sms: Option<MfaSettings>,
        totp_s: Option<MfaSettings>,
        email: Option<MfaSettings>,
    ) -> Result<(), CognitoError> {
        self.modify_user(pool, user.username.as_str(), |u| {
            let mut preferred = u.mfa.preferred;
            for (kind, s) in [
                (MfaKind::Sms, sms),
                (MfaKind::SoftwareToken, totp_s),
                (MfaKind::Email, email),
            ] {
                let Some(s) = s else { continue };
                if let Some(enabled) = s.enabled {
                    if enabled {
                        match kind {
                            MfaKind::SoftwareToken
                                if !u.mfa.totp.as_ref().is_some_and(|t| t.verified) =>
                            {
                                return Err(CognitoError::invalid_parameter(
                                    "User has not verified software token mfa",
                                ))
                            }
                            MfaKind::Sms if u.attribute("phone_number").is_none() => {
                                return Err(CognitoError::invalid_parameter(
                                    "User does not have a phone number for SMS MFA",
                                ))
                            }
                            MfaKind::Email if u.attribute("email").is_none() => {
                                return Err(CognitoError::invalid_parameter(
                                    "User does not have an email for email MFA",
                                ))
                            }
                            _ => {}
                        }
                    }
                    match kind {
                        MfaKind::Sms => u.mfa.sms_enabled = enabled,
                        MfaKind::SoftwareToken => u.mfa.totp_enabled = enabled,
                        MfaKind::Email => u.mfa.email_enabled = enabled,
                    }
                    if !enabled && preferred == Some(kind) {
                        preferred = None;
                    }
                }
                match s.preferred_mfa {
                    Some(true) => preferred = Some(kind),
                    Some(false) if preferred == Some(kind) => preferred = None,
                    _ => {}
                }
            }
            if let Some(p) = preferred {
                if !u.mfa.enabled().contains(&p) {
                    return Err(CognitoError::invalid_parameter(
                        "The preferred MFA method must be enabled",
                    ));
                }
            }
            u.mfa.preferred = preferred;
            Ok(())
        })?;
        Ok(())
    }

    /// `SetUserMFAPreference`.
    pub fn set_user_mfa_preference(
        &self,
        r: SetUserMfaPreferenceRequest,
    ) -> Result<Empty, CognitoError> {
        let (pool, user, _) = self.authenticate_api_token(&r.access_token)?;
        self.apply_mfa_preference(
            &pool,
            &user,
            r.sms_mfa_settings,
            r.software_token_mfa_settings,
            r.email_mfa_settings,
        )?;
        Ok(Empty {})
    }

    /// `AdminSetUserMFAPreference`.
    pub fn admin_set_user_mfa_preference(
        &self,
        r: AdminSetUserMfaPreferenceRequest,
    ) -> Result<Empty, CognitoError> {
        let pool = self.pool(&r.user_pool_id)?;
        let user = self.user_by_username(&pool, &r.username)?;
        self.apply_mfa_preference(
            &pool,
            &user,
            r.sms_mfa_settings,
            r.software_token_mfa_settings,
            r.email_mfa_settings,
        )?;
        Ok(Empty {})
    }
}
