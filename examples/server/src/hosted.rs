//! The host of the hosted endpoints: cognate-oauth2's traits implemented over the user-pool
//! engine, for one pool. `PoolHost` is the client registry, the user directory behind the
//! managed-login pages and the token minter; `StoreGrants` keeps codes and sessions in the
//! engine's store (so they survive a restart and are shared by every node on the store).

use std::collections::BTreeMap;

use cognate_oauth2::host::{
    AuthenticatedUser, Authenticator, ChallengeAnswer, ChallengeKind, ClientRegistry, CodeDelivery,
    GrantStore, HostError, LoginError, MfaMethod, MintError, PendingChallenge, RecordKind,
    RevokeError, SignInStep, SignUp, SignUpField, SignUpOutcome, TokenMinter, TokenSet, UserGrant,
    UserInfoError, UserInfoSource,
};
use cognate_oauth2::{OAuthClient, OAuthFlows};
use cognate_types::{ClientId, Scope, Scopes, Secret, UnixTime, UserPoolId};
use cognate_userpool::model::{
    AppClient, OAuthFlow, UserPool, UsernameAttribute, VerifiedAttribute,
};
use cognate_userpool::service::account::{
    ConfirmForgotPasswordRequest, ConfirmSignUpRequest, ForgotPasswordRequest,
    ResendConfirmationCodeRequest, SignUpRequest,
};
use cognate_userpool::service::user_shapes::AttributeType;
use cognate_userpool::service::{
    AssociateSoftwareTokenRequest, AuthenticationResult, CodeDeliveryDetails, CognitoError,
    ErrorKind, HostedStep, OAuthGrant, UserPools, VerifySoftwareTokenRequest,
};
use cognate_userpool::store::EphemeralKind;
use cognate_userpool::totp::{Totp, TotpSecret};

/// One pool's clients, users and tokens, for its domain's `AuthorizationServer`.
#[derive(Clone)]
pub(crate) struct PoolHost {
    engine: UserPools,
    pool: UserPoolId,
}

fn host_err(e: CognitoError) -> HostError {
    HostError::new(format!("{:?}: {}", e.kind, e.message))
}

/// The engine's errors as the pages show them.
fn login_err(e: CognitoError) -> LoginError {
    let m = e.message.clone();
    match e.kind {
        ErrorKind::NotAuthorized | ErrorKind::UserNotFound | ErrorKind::TooManyFailedAttempts => {
            LoginError::NotAuthorized(m)
        }
        ErrorKind::UserNotConfirmed => LoginError::UserNotConfirmed(m),
        ErrorKind::PasswordResetRequired => LoginError::PasswordResetRequired(m),
        ErrorKind::InvalidPassword => LoginError::InvalidPassword(m),
        ErrorKind::CodeMismatch | ErrorKind::EnableSoftwareTokenMfa => LoginError::CodeMismatch(m),
        ErrorKind::ExpiredCode => LoginError::ExpiredCode(m),
        ErrorKind::UsernameExists | ErrorKind::AliasExists => LoginError::UsernameExists(m),
        ErrorKind::InvalidParameter => LoginError::InvalidParameter(m),
        ErrorKind::LimitExceeded | ErrorKind::TooManyRequests => LoginError::LimitExceeded(m),
        ErrorKind::InternalError => LoginError::Host(host_err(e)),
        _ => LoginError::NotAllowed(m),
    }
}

fn delivery(d: CodeDeliveryDetails) -> CodeDelivery {
    CodeDelivery {
        medium: d.delivery_medium,
        destination: d.destination,
    }
}

fn token_set(r: AuthenticationResult, family: Option<String>) -> TokenSet {
    TokenSet {
        id_token: r.id_token,
        access_token: r.access_token,
        refresh_token: r.refresh_token.map(Secret::new),
        expires_in: r.expires_in,
        family,
    }
}

/// The app client as the OAuth endpoints see it.
pub(crate) fn oauth_client(c: &AppClient) -> OAuthClient {
    let mut scopes = Scopes::new();
    for s in &c.allowed_oauth_scopes {
        scopes.insert(s.clone());
    }
    OAuthClient {
        client_id: c.client_id.clone(),
        name: c.name.clone(),
        secret: c.secret.clone(),
        oauth_enabled: c.allowed_oauth_flows_user_pool_client,
        flows: OAuthFlows {
            code: c.allowed_oauth_flows.contains(&OAuthFlow::Code),
            implicit: c.allowed_oauth_flows.contains(&OAuthFlow::Implicit),
            client_credentials: c
                .allowed_oauth_flows
                .contains(&OAuthFlow::ClientCredentials),
        },
        scopes,
        callback_urls: c.callback_urls.clone(),
        logout_urls: c.logout_urls.clone(),
        default_redirect_uri: c.default_redirect_uri.clone(),
        identity_providers: c.supported_identity_providers.clone(),
        token_revocation: c.enable_token_revocation,
    }
}

impl PoolHost {
    pub(crate) fn new(engine: UserPools, pool: UserPoolId) -> Self {
        Self { engine, pool }
    }

    fn pool(&self) -> Result<UserPool, CognitoError> {
        self.engine.pool(self.pool.as_str())
    }

    /// The pool and the stored app client behind an `OAuthClient`.
    fn parts(&self, client: &OAuthClient) -> Result<(UserPool, AppClient), CognitoError> {
        let pool = self.pool()?;
        let c = self
            .engine
            .client_in_pool(&pool, client.client_id.as_str())?;
        Ok((pool, c))
    }

    /// `SECRET_HASH` for the account operations (the pages act for the client).
    fn secret_hash(&self, c: &AppClient, username: &str) -> Option<Secret<String>> {
        c.secret.as_ref().map(|s| {
            Secret::new(cognate_userpool::secret_hash::compute(
                s,
                username,
                &c.client_id,
            ))
        })
    }

    /// A step of the engine as the pages see it (MFA set-up starts with a new TOTP secret).
    fn step(
        &self,
        pool: &UserPool,
        username: &str,
        step: HostedStep,
    ) -> Result<SignInStep, LoginError> {
        match step {
            HostedStep::SignedIn(user) => Ok(SignInStep::Done(AuthenticatedUser::new(
                user.username.to_string(),
                self.engine.now(),
            ))),
            HostedStep::Challenge {
                name,
                session,
                parameters,
            } => {
                let user_id = parameters
                    .get("USER_ID_FOR_SRP")
                    .cloned()
                    .unwrap_or_else(|| username.to_owned());
                let list = |key: &str| -> Vec<String> {
                    parameters
                        .get(key)
                        .and_then(|v| serde_json::from_str(v).ok())
                        .unwrap_or_default()
                };
                let destination = parameters
                    .get("CODE_DELIVERY_DESTINATION")
                    .cloned()
                    .unwrap_or_default();
                let (kind, state) = match name.as_str() {
                    "NEW_PASSWORD_REQUIRED" => (
                        ChallengeKind::NewPasswordRequired {
                            required_attributes: list("requiredAttributes")
                                .into_iter()
                                .map(|a| a.trim_start_matches("userAttributes.").to_owned())
                                .collect(),
                        },
                        session,
                    ),
                    "SOFTWARE_TOKEN_MFA" => (ChallengeKind::SoftwareToken, session),
                    "SMS_MFA" => (ChallengeKind::SmsCode { destination }, session),
                    "EMAIL_OTP" => (ChallengeKind::EmailCode { destination }, session),
                    "SELECT_MFA_TYPE" => (
                        ChallengeKind::SelectMfa {
                            options: list("MFAS_CAN_CHOOSE")
                                .iter()
                                .filter_map(|m| match m.as_str() {
                                    "SOFTWARE_TOKEN_MFA" => Some(MfaMethod::Totp),
                                    "SMS_MFA" => Some(MfaMethod::Sms),
                                    "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaMethod::Email),
                                    _ => None,
                                })
                                .collect(),
                        },
                        session,
                    ),
                    "MFA_SETUP" => {
                        if !list("MFAS_CAN_SETUP")
                            .iter()
                            .any(|m| m == "SOFTWARE_TOKEN_MFA")
                        {
                            return Err(LoginError::NotAllowed(
                                "MFA is required, and only an authenticator app can be set up here; ask an administrator".into(),
                            ));
                        }
                        let assoc = self
                            .engine
                            .associate_software_token(AssociateSoftwareTokenRequest {
                                access_token: None,
                                session: Some(session),
                            })
                            .map_err(login_err)?;
                        let next = assoc.session.ok_or_else(|| {
                            LoginError::Host(HostError::new("no session after set-up"))
                        })?;
                        let secret = TotpSecret::from_base32(&assoc.secret_code)
                            .map_err(|e| LoginError::Host(HostError::new(e.to_string())))?;
                        let label = pool.name.replace(':', " ");
                        let uri = Totp::COGNITO
                            .otpauth_uri(&secret, &label, &user_id.replace(':', " "))
                            .map_err(|e| LoginError::Host(HostError::new(e.to_string())))?;
                        (
                            ChallengeKind::TotpSetup {
                                secret: assoc.secret_code,
                                otpauth_uri: uri.expose().clone(),
                            },
                            next,
                        )
                    }
                    other => {
                        return Err(LoginError::NotAllowed(format!(
                            "challenge {other} cannot be answered on these pages"
                        )))
                    }
                };
                Ok(SignInStep::Challenge(PendingChallenge {
                    kind,
                    username: user_id,
                    state,
                }))
            }
        }
    }
}

impl ClientRegistry for PoolHost {
    fn client(&self, client_id: &str) -> Result<Option<OAuthClient>, HostError> {
        let Ok(id) = ClientId::new(client_id) else {
            return Ok(None);
        };
        match self.engine.store().get_client(&id) {
            Ok(Some(c)) if c.pool == self.pool => Ok(Some(oauth_client(&c))),
            Ok(_) => Ok(None),
            Err(e) => Err(HostError::new(e.to_string())),
        }
    }
}

impl Authenticator for PoolHost {
    fn sign_in(
        &self,
        client: &OAuthClient,
        username: &str,
        password: &Secret<String>,
    ) -> Result<SignInStep, LoginError> {
        let (pool, c) = self.parts(client).map_err(login_err)?;
        let step = self
            .engine
            .hosted_sign_in(&pool, &c, username, password.expose())
            .map_err(login_err)?;
        self.step(&pool, username, step)
    }

    fn answer(
        &self,
        client: &OAuthClient,
        pending: &PendingChallenge,
        answer: ChallengeAnswer,
    ) -> Result<SignInStep, LoginError> {
        let (pool, c) = self.parts(client).map_err(login_err)?;
        let mut responses = BTreeMap::new();
        responses.insert("USERNAME".to_owned(), pending.username.clone());
        let mut session = pending.state.clone();
        let name = pending.kind.name();
        match (&pending.kind, answer) {
            (
                ChallengeKind::NewPasswordRequired { .. },
                ChallengeAnswer::NewPassword {
                    password,
                    attributes,
                },
            ) => {
                responses.insert("NEW_PASSWORD".to_owned(), password.expose().clone());
                for (k, v) in attributes {
                    responses.insert(format!("userAttributes.{k}"), v);
                }
            }
            (ChallengeKind::SoftwareToken, ChallengeAnswer::Code(code)) => {
                responses.insert("SOFTWARE_TOKEN_MFA_CODE".to_owned(), code.expose().clone());
            }
            (ChallengeKind::SmsCode { .. }, ChallengeAnswer::Code(code)) => {
                responses.insert("SMS_MFA_CODE".to_owned(), code.expose().clone());
            }
            (ChallengeKind::EmailCode { .. }, ChallengeAnswer::Code(code)) => {
                responses.insert("EMAIL_OTP_CODE".to_owned(), code.expose().clone());
            }
            (ChallengeKind::SelectMfa { options }, ChallengeAnswer::Select(m)) => {
                if !options.contains(&m) {
                    return Err(LoginError::InvalidParameter(
                        "choose one of the offered methods".into(),
                    ));
                }
                let v = match m {
                    MfaMethod::Totp => "SOFTWARE_TOKEN_MFA",
                    MfaMethod::Sms => "SMS_MFA",
                    MfaMethod::Email => "EMAIL_OTP",
                };
                responses.insert("ANSWER".to_owned(), v.to_owned());
            }
            (ChallengeKind::TotpSetup { .. }, ChallengeAnswer::Code(code)) => {
                let verified = self
                    .engine
                    .verify_software_token(VerifySoftwareTokenRequest {
                        access_token: None,
                        session: Some(session.clone()),
                        user_code: code.expose().clone(),
                        friendly_device_name: None,
                    })
                    .map_err(login_err)?;
                session = verified.session.ok_or_else(|| {
                    LoginError::Host(HostError::new("no session after verification"))
                })?;
            }
            _ => {
                return Err(LoginError::InvalidParameter(
                    "the answer does not fit the challenge".into(),
                ))
            }
        }
        let step = self
            .engine
            .hosted_respond(&pool, &c, name, &session, &responses)
            .map_err(login_err)?;
        self.step(&pool, &pending.username, step)
    }

    fn session_valid(&self, user: &AuthenticatedUser) -> Result<bool, HostError> {
        let pool = match self.pool() {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::ResourceNotFound => return Ok(false),
            Err(e) => return Err(host_err(e)),
        };
        self.engine
            .hosted_session_valid(&pool, &user.user, user.auth_time)
            .map_err(host_err)
    }

    fn sign_up_fields(&self) -> Result<Vec<SignUpField>, HostError> {
        let pool = self.pool().map_err(host_err)?;
        let mut fields: Vec<SignUpField> = pool
            .schema
            .iter()
            .filter(|a| a.required && a.name != "sub" && !a.developer_only)
            .map(|a| SignUpField {
                name: a.name.clone(),
                required: true,
            })
            .collect();
        let wants_email = pool
            .auto_verified_attributes
            .contains(&VerifiedAttribute::Email)
            && !pool.username_attributes.contains(&UsernameAttribute::Email);
        if wants_email && !fields.iter().any(|f| f.name == "email") {
            fields.push(SignUpField {
                name: "email".into(),
                required: false,
            });
        }
        Ok(fields)
    }

    fn sign_up(&self, client: &OAuthClient, req: SignUp) -> Result<SignUpOutcome, LoginError> {
        let (_, c) = self.parts(client).map_err(login_err)?;
        let r = self
            .engine
            .sign_up(SignUpRequest {
                client_id: c.client_id.to_string(),
                secret_hash: self.secret_hash(&c, &req.username),
                username: req.username,
                password: Some(req.password),
                user_attributes: Some(
                    req.attributes
                        .into_iter()
                        .map(|(k, v)| AttributeType::new(k, v))
                        .collect(),
                ),
                validation_data: None,
                client_metadata: None,
                analytics_metadata: None,
                user_context_data: None,
            })
            .map_err(login_err)?;
        Ok(match (r.user_confirmed, r.code_delivery_details) {
            (false, Some(d)) => SignUpOutcome::CodeSent(delivery(d)),
            _ => SignUpOutcome::Confirmed,
        })
    }

    fn confirm_sign_up(
        &self,
        client: &OAuthClient,
        username: &str,
        code: &Secret<String>,
    ) -> Result<(), LoginError> {
        let (_, c) = self.parts(client).map_err(login_err)?;
        self.engine
            .confirm_sign_up(ConfirmSignUpRequest {
                client_id: c.client_id.to_string(),
                secret_hash: self.secret_hash(&c, username),
                username: username.to_owned(),
                confirmation_code: code.clone(),
                force_alias_creation: None,
                client_metadata: None,
                analytics_metadata: None,
                user_context_data: None,
            })
            .map_err(login_err)?;
        Ok(())
    }

    fn resend_confirmation(
        &self,
        client: &OAuthClient,
        username: &str,
    ) -> Result<CodeDelivery, LoginError> {
        let (_, c) = self.parts(client).map_err(login_err)?;
        let r = self
            .engine
            .resend_confirmation_code(ResendConfirmationCodeRequest {
                client_id: c.client_id.to_string(),
                secret_hash: self.secret_hash(&c, username),
                user_context_data: None,
                username: username.to_owned(),
                analytics_metadata: None,
                client_metadata: None,
            })
            .map_err(login_err)?;
        Ok(delivery(r.code_delivery_details))
    }

    fn forgot_password(
        &self,
        client: &OAuthClient,
        username: &str,
    ) -> Result<CodeDelivery, LoginError> {
        let (_, c) = self.parts(client).map_err(login_err)?;
        let r = self
            .engine
            .forgot_password(ForgotPasswordRequest {
                client_id: c.client_id.to_string(),
                secret_hash: self.secret_hash(&c, username),
                user_context_data: None,
                username: username.to_owned(),
                analytics_metadata: None,
                client_metadata: None,
            })
            .map_err(login_err)?;
        Ok(delivery(r.code_delivery_details))
    }

    fn confirm_forgot_password(
        &self,
        client: &OAuthClient,
        username: &str,
        code: &Secret<String>,
        new_password: &Secret<String>,
    ) -> Result<(), LoginError> {
        let (_, c) = self.parts(client).map_err(login_err)?;
        self.engine
            .confirm_forgot_password(ConfirmForgotPasswordRequest {
                client_id: c.client_id.to_string(),
                secret_hash: self.secret_hash(&c, username),
                username: username.to_owned(),
                confirmation_code: code.clone(),
                password: new_password.clone(),
                analytics_metadata: None,
                user_context_data: None,
                client_metadata: None,
            })
            .map_err(login_err)?;
        Ok(())
    }
}

impl TokenMinter for PoolHost {
    fn issue(
        &self,
        client: &OAuthClient,
        user: &AuthenticatedUser,
        grant: &UserGrant<'_>,
    ) -> Result<TokenSet, MintError> {
        let (pool, c) = self
            .parts(client)
            .map_err(|e| MintError::Host(host_err(e)))?;
        let stored = self
            .engine
            .store()
            .get_user(&pool, &user.user)
            .map_err(|e| MintError::Host(HostError::new(e.to_string())))?
            .filter(|u| u.enabled)
            .ok_or_else(|| MintError::InvalidGrant("User does not exist.".into()))?;
        // Cognito: a client that cannot read every attribute a scope implies gets
        // invalid_grant (for example `email` without read access to `email_verified`).
        if let Some(readable) = &c.read_attributes {
            for (scope, attrs) in [
                ("email", ["email", "email_verified"]),
                ("phone", ["phone_number", "phone_number_verified"]),
            ] {
                if grant.scopes.contains(scope)
                    && !attrs.iter().all(|a| readable.iter().any(|r| r == a))
                {
                    return Err(MintError::InvalidGrant(format!(
                        "the client cannot read the attributes of the {scope} scope"
                    )));
                }
            }
        }
        let (tokens, family) = self
            .engine
            .oauth_tokens(
                &pool,
                &c,
                &stored,
                &OAuthGrant {
                    scopes: grant.scopes,
                    nonce: grant.nonce,
                    auth_time: user.auth_time,
                    refresh_token: grant.refresh_token,
                },
            )
            .map_err(|e| MintError::Host(host_err(e)))?;
        Ok(token_set(tokens, family))
    }

    fn refresh(&self, client: &OAuthClient, refresh_token: &str) -> Result<TokenSet, MintError> {
        let (pool, c) = self
            .parts(client)
            .map_err(|e| MintError::Host(host_err(e)))?;
        match self.engine.oauth_refresh(&pool, &c, refresh_token) {
            Ok(r) => Ok(token_set(r, None)),
            Err(e) if e.kind == ErrorKind::InternalError => Err(MintError::Host(host_err(e))),
            Err(e) => Err(MintError::InvalidGrant(e.message)),
        }
    }

    fn client_credentials(
        &self,
        client: &OAuthClient,
        scopes: &Scopes,
    ) -> Result<TokenSet, MintError> {
        let (pool, c) = self
            .parts(client)
            .map_err(|e| MintError::Host(host_err(e)))?;
        let r = self
            .engine
            .client_credentials_token(&pool, &c, scopes)
            .map_err(|e| MintError::Host(host_err(e)))?;
        Ok(token_set(r, None))
    }

    fn revoke(&self, client: &OAuthClient, token: &str) -> Result<(), RevokeError> {
        let (pool, c) = self
            .parts(client)
            .map_err(|e| RevokeError::Host(host_err(e)))?;
        match self.engine.revoke_refresh_token(&pool, &c, token) {
            Ok(()) => Ok(()),
            Err(e) if e.kind == ErrorKind::UnsupportedTokenType => {
                Err(RevokeError::UnsupportedTokenType)
            }
            Err(e) => Err(RevokeError::Host(host_err(e))),
        }
    }

    fn revoke_family(&self, family: &str) -> Result<(), HostError> {
        self.engine.revoke_family(family).map_err(host_err)
    }

    fn userinfo(&self, access_token: &str) -> Result<UserInfoSource, UserInfoError> {
        let (pool, user, claims) = match self.engine.authenticate_access_token(access_token) {
            Ok(t) => t,
            Err(e) if e.kind == ErrorKind::InternalError => {
                return Err(UserInfoError::Host(host_err(e)))
            }
            Err(e) => return Err(UserInfoError::InvalidToken(e.message)),
        };
        if pool.id != self.pool {
            return Err(UserInfoError::InvalidToken(
                "the token is not of this pool".into(),
            ));
        }
        if !user.enabled {
            return Err(UserInfoError::InvalidToken("User is disabled.".into()));
        }
        let client = claims
            .client_id()
            .ok_or_else(|| UserInfoError::InvalidToken("no client_id".into()))
            .and_then(|id| {
                self.engine
                    .client_in_pool(&pool, id)
                    .map_err(|e| UserInfoError::InvalidToken(e.message))
            })?;
        let readable = self
            .engine
            .user_claims(&pool, &client, &user)
            .map_err(|e| UserInfoError::Host(host_err(e)))?;
        let mut scopes = Scopes::new();
        for s in claims.scopes() {
            if let Ok(s) = Scope::new(s) {
                scopes.insert(s);
            }
        }
        Ok(UserInfoSource {
            sub: user.sub.to_string(),
            username: user.username.to_string(),
            scopes,
            attributes: readable
                .attributes
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        })
    }

    fn jwks(&self) -> Result<String, HostError> {
        let pool = self.pool().map_err(host_err)?;
        self.engine.jwks_json(&pool).map_err(host_err)
    }
}

/// Codes and sessions as short-lived records of the engine's store, under keys that start
/// with the pool's ID (the records of two pools never meet; cognate-oauth2 also checks the
/// issuer a record was made for).
pub(crate) struct StoreGrants {
    engine: UserPools,
    pool: UserPoolId,
}

impl StoreGrants {
    pub(crate) fn new(engine: UserPools, pool: UserPoolId) -> Self {
        Self { engine, pool }
    }

    fn key(&self, key: &str) -> String {
        format!("{}/{key}", self.pool)
    }
}

fn kind(k: RecordKind) -> EphemeralKind {
    match k {
        RecordKind::Code => EphemeralKind::OAuthCode,
        _ => EphemeralKind::OAuthSession,
    }
}

impl GrantStore for StoreGrants {
    fn put(
        &self,
        k: RecordKind,
        key: &str,
        value: &[u8],
        expires: UnixTime,
    ) -> Result<(), HostError> {
        self.engine
            .store()
            .put_ephemeral(kind(k), &self.key(key), value, expires)
            .map_err(|e| HostError::new(e.to_string()))
    }

    fn get(&self, k: RecordKind, key: &str, now: UnixTime) -> Result<Option<Vec<u8>>, HostError> {
        self.engine
            .store()
            .get_ephemeral(kind(k), &self.key(key), now)
            .map_err(|e| HostError::new(e.to_string()))
    }

    fn swap(
        &self,
        k: RecordKind,
        key: &str,
        expected: &[u8],
        new: &[u8],
        now: UnixTime,
    ) -> Result<bool, HostError> {
        self.engine
            .store()
            .swap_ephemeral(kind(k), &self.key(key), expected, new, now)
            .map_err(|e| HostError::new(e.to_string()))
    }

    fn delete(&self, k: RecordKind, key: &str) -> Result<(), HostError> {
        self.engine
            .store()
            .delete_ephemeral(kind(k), &self.key(key))
            .map_err(|e| HostError::new(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_userpool::api;
    use cognate_userpool::service::{Caller, PasswordHasher, UserPoolsConfig};
    use serde_json::{json, Value};

    fn call(engine: &UserPools, op: &str, body: Value) -> Value {
        let r = api::handle(
            engine,
            &format!("{}{op}", api::TARGET_PREFIX),
            body.to_string().as_bytes(),
            &Caller::Admin {
                access_key_id: "test".into(),
            },
        );
        assert_eq!(r.status, 200, "{op}: {}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    /// A pool, a user `alice`, and a client reading `attrs`.
    fn setup(read: Option<&[&str]>) -> (PoolHost, OAuthClient) {
        let engine = UserPools::builder(cognate_userpool::store::Store::memory())
            .config(UserPoolsConfig {
                hasher: PasswordHasher::insecure_fast_for_tests(),
                ..Default::default()
            })
            .build();
        let pool = call(&engine, "CreateUserPool", json!({"PoolName": "p"}))["UserPool"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut client = json!({
            "UserPoolId": pool, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
            "CallbackURLs": ["https://app.example/cb"], "SupportedIdentityProviders": ["COGNITO"],
        });
        if let Some(r) = read {
            client["ReadAttributes"] = json!(r);
        }
        let id = call(&engine, "CreateUserPoolClient", client)["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        call(
            &engine,
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": "a@example.com"}]}),
        );
        let host = PoolHost::new(engine, UserPoolId::new(pool).unwrap());
        let c = host.client(&id).unwrap().unwrap();
        (host, c)
    }

    fn grant(scopes: &Scopes) -> UserGrant<'_> {
        UserGrant {
            scopes,
            nonce: None,
            refresh_token: true,
        }
    }

    fn alice(host: &PoolHost) -> AuthenticatedUser {
        AuthenticatedUser::new("alice", host.engine.now())
    }

    #[test]
    fn code_tokens_userinfo_and_revocation() {
        let (host, client) = setup(None);
        let scopes = Scopes::parse("openid email").unwrap();
        let t = host.issue(&client, &alice(&host), &grant(&scopes)).unwrap();
        assert!(t.id_token.is_some() && t.family.is_some());
        let info = host.userinfo(&t.access_token).unwrap();
        assert_eq!(info.username, "alice");
        assert!(info.scopes.contains("email"));
        assert!(info
            .attributes
            .iter()
            .any(|(k, v)| k == "email" && v == "a@example.com"));
        // A JWT is not a refresh token.
        assert!(matches!(
            host.revoke(&client, &t.access_token),
            Err(RevokeError::UnsupportedTokenType)
        ));
        // Revoking the refresh token kills the access token at userInfo.
        host.revoke(&client, t.refresh_token.as_ref().unwrap().expose())
            .unwrap();
        assert!(matches!(
            host.userinfo(&t.access_token),
            Err(UserInfoError::InvalidToken(_))
        ));
        // A client of another pool is not this host's.
        assert!(host.client("nosuchclient").unwrap().is_none());
    }

    #[test]
    fn email_scope_needs_the_email_attributes_readable() {
        let (host, client) = setup(Some(&["email"]));
        let with_email = Scopes::parse("openid email").unwrap();
        assert!(matches!(
            host.issue(&client, &alice(&host), &grant(&with_email)),
            Err(MintError::InvalidGrant(_))
        ));
        let openid = Scopes::parse("openid").unwrap();
        assert!(host.issue(&client, &alice(&host), &grant(&openid)).is_ok());
    }
}
