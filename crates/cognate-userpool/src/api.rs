//! The user-pools API on the wire: AWS JSON 1.1 (`X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>`), each operation's JSON request decoded into
//! its typed shape, run on a [`UserPools`] engine, and its response or Cognito-shaped error
//! encoded back.
//!
//! The host (a web framework) verifies SigV4 to decide the [`Caller`], then calls [`handle`].

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::service::{Caller, CognitoError, ErrorKind, UserPools};

/// The `X-Amz-Target` prefix of the service.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The content type of requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Largest request body accepted (Cognito's largest shapes are well under this).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A response ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// `x-amzn-ErrorType` for errors.
    pub error_type: Option<&'static str>,
}

impl ApiResponse {
    /// The response for an error.
    pub fn error(e: &CognitoError) -> Self {
        Self {
            status: e.kind.http_status(),
            body: e.to_json(),
            error_type: Some(e.kind.name()),
        }
    }
}

/// Runs one API call. `target` is the `X-Amz-Target` header value.
pub fn handle(engine: &UserPools, target: &str, body: &[u8], caller: &Caller) -> ApiResponse {
    match dispatch(engine, target, body, caller) {
        Ok(body) => ApiResponse {
            status: 200,
            body,
            error_type: None,
        },
        Err(e) => ApiResponse::error(&e),
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CognitoError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(CognitoError::invalid_parameter(
            "Request body is too large.",
        ));
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            CognitoError::invalid_parameter(format!("1 validation error detected: {e}"))
        } else {
            CognitoError::new(
                ErrorKind::Serialization,
                "Start of structure or map found where not expected.",
            )
        }
    })
}

fn encode<T: Serialize>(v: &T) -> Result<String, CognitoError> {
    serde_json::to_string(v).map_err(|_| CognitoError::internal())
}

fn public<Q: DeserializeOwned, R: Serialize>(
    body: &[u8],
    op: impl FnOnce(Q) -> Result<R, CognitoError>,
) -> Result<String, CognitoError> {
    encode(&op(decode(body)?)?)
}

fn admin<Q: DeserializeOwned, R: Serialize>(
    caller: &Caller,
    body: &[u8],
    op: impl FnOnce(Q) -> Result<R, CognitoError>,
) -> Result<String, CognitoError> {
    if !caller.is_admin() {
        return Err(CognitoError::new(
            ErrorKind::MissingAuthenticationToken,
            "Missing Authentication Token",
        ));
    }
    public(body, op)
}

fn dispatch(
    engine: &UserPools,
    target: &str,
    body: &[u8],
    caller: &Caller,
) -> Result<String, CognitoError> {
    let unknown = || CognitoError::new(ErrorKind::UnknownOperation, "");
    let op = target.strip_prefix(TARGET_PREFIX).ok_or_else(unknown)?;
    let e = engine;
    match op {
        // Sign-in.
        "InitiateAuth" => public(body, |r| e.initiate_auth(r)),
        "RespondToAuthChallenge" => public(body, |r| e.respond_to_auth_challenge(r)),
        "AdminInitiateAuth" => admin(caller, body, |r| e.admin_initiate_auth(r)),
        "AdminRespondToAuthChallenge" => {
            admin(caller, body, |r| e.admin_respond_to_auth_challenge(r))
        }
        "GetTokensFromRefreshToken" => public(body, |r| e.get_tokens_from_refresh_token(r)),
        "RevokeToken" => public(body, |r| e.revoke_token(r)),
        "GlobalSignOut" => public(body, |r| e.global_sign_out(r)),
        "AdminUserGlobalSignOut" => admin(caller, body, |r| e.admin_user_global_sign_out(r)),
        "AssociateSoftwareToken" => public(body, |r| e.associate_software_token(r)),
        "VerifySoftwareToken" => public(body, |r| e.verify_software_token(r)),
        "SetUserMFAPreference" => public(body, |r| e.set_user_mfa_preference(r)),
        "AdminSetUserMFAPreference" => admin(caller, body, |r| e.admin_set_user_mfa_preference(r)),
        // Self-service account operations (public; the token ones take an access token).
        "SignUp" => public(body, |q| e.sign_up(q)),
        "ConfirmSignUp" => public(body, |q| e.confirm_sign_up(q)),
        "ResendConfirmationCode" => public(body, |q| e.resend_confirmation_code(q)),
        "ForgotPassword" => public(body, |q| e.forgot_password(q)),
        "ConfirmForgotPassword" => public(body, |q| e.confirm_forgot_password(q)),
        "ChangePassword" => public(body, |q| e.change_password(q)),
        "GetUser" => public(body, |q| e.get_user(q)),
        "UpdateUserAttributes" => public(body, |q| e.update_user_attributes(q)),
        "DeleteUserAttributes" => public(body, |q| e.delete_user_attributes(q)),
        "VerifyUserAttribute" => public(body, |q| e.verify_user_attribute(q)),
        "GetUserAttributeVerificationCode" => {
            public(body, |q| e.get_user_attribute_verification_code(q))
        }
        "DeleteUser" => public(body, |q| e.delete_user(q)),
        // User administration (SigV4).
        "AdminCreateUser" => admin(caller, body, |q| e.admin_create_user(q)),
        "AdminGetUser" => admin(caller, body, |q| e.admin_get_user(q)),
        "AdminDeleteUser" => admin(caller, body, |q| e.admin_delete_user(q)),
        "AdminEnableUser" => admin(caller, body, |q| e.admin_enable_user(q)),
        "AdminDisableUser" => admin(caller, body, |q| e.admin_disable_user(q)),
        "AdminSetUserPassword" => admin(caller, body, |q| e.admin_set_user_password(q)),
        "AdminResetUserPassword" => admin(caller, body, |q| e.admin_reset_user_password(q)),
        "AdminConfirmSignUp" => admin(caller, body, |q| e.admin_confirm_sign_up(q)),
        "AdminUpdateUserAttributes" => admin(caller, body, |q| e.admin_update_user_attributes(q)),
        "AdminDeleteUserAttributes" => admin(caller, body, |q| e.admin_delete_user_attributes(q)),
        "AdminAddUserToGroup" => admin(caller, body, |q| e.admin_add_user_to_group(q)),
        "AdminRemoveUserFromGroup" => admin(caller, body, |q| e.admin_remove_user_from_group(q)),
        "AdminListGroupsForUser" => admin(caller, body, |q| e.admin_list_groups_for_user(q)),
        "ListUsersInGroup" => admin(caller, body, |q| e.list_users_in_group(q)),
        "ListUsers" => admin(caller, body, |q| e.list_users(q)),
        // ---- management: pools ----
        "CreateUserPool" => admin(caller, body, |q| e.create_user_pool(q)),
        "DescribeUserPool" => admin(caller, body, |q| e.describe_user_pool(q)),
        "UpdateUserPool" => admin(caller, body, |q| e.update_user_pool(q)),
        "DeleteUserPool" => admin(caller, body, |q| e.delete_user_pool(q)),
        "ListUserPools" => admin(caller, body, |q| e.list_user_pools(q)),
        "AddCustomAttributes" => admin(caller, body, |q| e.add_custom_attributes(q)),
        "SetUserPoolMfaConfig" => admin(caller, body, |q| e.set_user_pool_mfa_config(q)),
        "GetUserPoolMfaConfig" => admin(caller, body, |q| e.get_user_pool_mfa_config(q)),
        "TagResource" => admin(caller, body, |q| e.tag_resource(q)),
        "UntagResource" => admin(caller, body, |q| e.untag_resource(q)),
        "ListTagsForResource" => admin(caller, body, |q| e.list_tags_for_resource(q)),
        // ---- management: app clients ----
        "CreateUserPoolClient" => admin(caller, body, |q| e.create_user_pool_client(q)),
        "DescribeUserPoolClient" => admin(caller, body, |q| e.describe_user_pool_client(q)),
        "UpdateUserPoolClient" => admin(caller, body, |q| e.update_user_pool_client(q)),
        "DeleteUserPoolClient" => admin(caller, body, |q| e.delete_user_pool_client(q)),
        "ListUserPoolClients" => admin(caller, body, |q| e.list_user_pool_clients(q)),
        // ---- management: groups and resource servers ----
        "CreateGroup" => admin(caller, body, |q| e.create_group(q)),
        "GetGroup" => admin(caller, body, |q| e.get_group(q)),
        "UpdateGroup" => admin(caller, body, |q| e.update_group(q)),
        "DeleteGroup" => admin(caller, body, |q| e.delete_group(q)),
        "ListGroups" => admin(caller, body, |q| e.list_groups(q)),
        "CreateResourceServer" => admin(caller, body, |q| e.create_resource_server(q)),
        "DescribeResourceServer" => admin(caller, body, |q| e.describe_resource_server(q)),
        "UpdateResourceServer" => admin(caller, body, |q| e.update_resource_server(q)),
        "DeleteResourceServer" => admin(caller, body, |q| e.delete_resource_server(q)),
        "ListResourceServers" => admin(caller, body, |q| e.list_resource_servers(q)),
        // ---- management: identity providers and domains ----
        "CreateIdentityProvider" => admin(caller, body, |q| e.create_identity_provider(q)),
        "DescribeIdentityProvider" => admin(caller, body, |q| e.describe_identity_provider(q)),
        "UpdateIdentityProvider" => admin(caller, body, |q| e.update_identity_provider(q)),
        "DeleteIdentityProvider" => admin(caller, body, |q| e.delete_identity_provider(q)),
        "ListIdentityProviders" => admin(caller, body, |q| e.list_identity_providers(q)),
        "GetSigningCertificate" => admin(caller, body, |q| e.get_signing_certificate(q)),
        "GetIdentityProviderByIdentifier" => {
            admin(caller, body, |q| e.get_identity_provider_by_identifier(q))
        }
        "CreateUserPoolDomain" => admin(caller, body, |q| e.create_user_pool_domain(q)),
        "UpdateUserPoolDomain" => admin(caller, body, |q| e.update_user_pool_domain(q)),
        "DescribeUserPoolDomain" => admin(caller, body, |q| e.describe_user_pool_domain(q)),
        "DeleteUserPoolDomain" => admin(caller, body, |q| e.delete_user_pool_domain(q)),
        _ => Err(unknown()),
    }
}
