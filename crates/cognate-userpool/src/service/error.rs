//! The one error type of the user-pools API, with Cognito's exception names.

use std::fmt;

use thiserror::Error;

use crate::store::{Conflict, Missing, StoreError};

/// Cognito's exception names (`__type`) that this implementation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `AliasExistsException`.
    AliasExists,
    /// `CodeDeliveryFailureException`.
    CodeDeliveryFailure,
    /// `CodeMismatchException`.
    CodeMismatch,
    /// `ConcurrentModificationException`.
    ConcurrentModification,
    /// `DuplicateProviderException`.
    DuplicateProvider,
    /// `EnableSoftwareTokenMFAException`.
    EnableSoftwareTokenMfa,
    /// `ExpiredCodeException`.
    ExpiredCode,
    /// `GroupExistsException`.
    GroupExists,
    /// `InternalErrorException`.
    InternalError,
    /// `InvalidOAuthFlowException`.
    InvalidOAuthFlow,
    /// `InvalidParameterException`.
    InvalidParameter,
    /// `InvalidPasswordException`.
    InvalidPassword,
    /// `InvalidUserPoolConfigurationException`.
    InvalidUserPoolConfiguration,
    /// `LimitExceededException`.
    LimitExceeded,
    /// `MFAMethodNotFoundException`.
    MfaMethodNotFound,
    /// `NotAuthorizedException`.
    NotAuthorized,
    /// `PasswordResetRequiredException`.
    PasswordResetRequired,
    /// `RefreshTokenReuseException`.
    RefreshTokenReuse,
    /// `ResourceNotFoundException`.
    ResourceNotFound,
    /// `ScopeDoesNotExistException`.
    ScopeDoesNotExist,
    /// `SoftwareTokenMFANotFoundException`.
    SoftwareTokenMfaNotFound,
    /// `TooManyFailedAttemptsException`.
    TooManyFailedAttempts,
    /// `TooManyRequestsException`.
    TooManyRequests,
    /// `UnauthorizedException`.
    Unauthorized,
    /// `UnsupportedOperationException`.
    UnsupportedOperation,
    /// `UnsupportedTokenTypeException`.
    UnsupportedTokenType,
    /// `UnsupportedUserStateException`.
    UnsupportedUserState,
    /// `UserNotConfirmedException`.
    UserNotConfirmed,
    /// `UserNotFoundException`.
    UserNotFound,
    /// `UsernameExistsException`.
    UsernameExists,
    /// `UnknownOperationException` (an `X-Amz-Target` this service does not have).
    UnknownOperation,
    /// `SerializationException` (a body that is not the operation's JSON shape).
    Serialization,
    /// `MissingAuthenticationTokenException` (an administrative operation without a
    /// signature).
    MissingAuthenticationToken,
}

impl ErrorKind {
    /// The exception name as it appears in `__type` and `x-amzn-ErrorType`.
    pub fn name(self) -> &'static str {
        use ErrorKind as K;
        match self {
            K::AliasExists => "AliasExistsException",
            K::CodeDeliveryFailure => "CodeDeliveryFailureException",
            K::CodeMismatch => "CodeMismatchException",
            K::ConcurrentModification => "ConcurrentModificationException",
            K::DuplicateProvider => "DuplicateProviderException",
            K::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            K::ExpiredCode => "ExpiredCodeException",
            K::GroupExists => "GroupExistsException",
            K::InternalError => "InternalErrorException",
            K::InvalidOAuthFlow => "InvalidOAuthFlowException",
            K::InvalidParameter => "InvalidParameterException",
            K::InvalidPassword => "InvalidPasswordException",
            K::InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
            K::LimitExceeded => "LimitExceededException",
            K::MfaMethodNotFound => "MFAMethodNotFoundException",
            K::NotAuthorized => "NotAuthorizedException",
            K::PasswordResetRequired => "PasswordResetRequiredException",
            K::RefreshTokenReuse => "RefreshTokenReuseException",
            K::ResourceNotFound => "ResourceNotFoundException",
            K::ScopeDoesNotExist => "ScopeDoesNotExistException",
            K::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            K::TooManyFailedAttempts => "TooManyFailedAttemptsException",
            K::TooManyRequests => "TooManyRequestsException",
            K::Unauthorized => "UnauthorizedException",
            K::UnsupportedOperation => "UnsupportedOperationException",
            K::UnsupportedTokenType => "UnsupportedTokenTypeException",
            K::UnsupportedUserState => "UnsupportedUserStateException",
            K::UserNotConfirmed => "UserNotConfirmedException",
            K::UserNotFound => "UserNotFoundException",
            K::UsernameExists => "UsernameExistsException",
            K::UnknownOperation => "UnknownOperationException",
            K::Serialization => "SerializationException",
            K::MissingAuthenticationToken => "MissingAuthenticationTokenException",
        }
    }

    /// The HTTP status Cognito answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InternalError => 500,
            ErrorKind::Unauthorized => 401,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error of a user-pools operation: an exception name and its message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind}: {message}")]
pub struct CognitoError {
    /// The exception.
    pub kind: ErrorKind,
    /// The human-readable message (`message` in the body).
    pub message: String,
}

impl CognitoError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// `InvalidParameterException`.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    /// `NotAuthorizedException`.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    /// `ResourceNotFoundException`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    /// `InternalErrorException` (details stay in the server log, not the response).
    pub fn internal() -> Self {
        Self::new(ErrorKind::InternalError, "Internal server error.")
    }

    /// `UserNotFoundException` "User does not exist."
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }

    /// The JSON body: `{"__type": ..., "message": ...}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "__type": self.kind.name(), "message": self.message }).to_string()
    }
}

impl From<StoreError> for CognitoError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => match c {
                Conflict::Username => {
                    Self::new(ErrorKind::UsernameExists, "User account already exists")
                }
                Conflict::Alias(attr) => Self::new(
                    ErrorKind::AliasExists,
                    format!("An account with the given {attr} already exists."),
                ),
                Conflict::Sub => {
                    Self::new(ErrorKind::UsernameExists, "User account already exists")
                }
                Conflict::Group => Self::new(
                    ErrorKind::GroupExists,
                    "A group with the name already exists.",
                ),
                Conflict::IdentityProvider => Self::new(
                    ErrorKind::DuplicateProvider,
                    "A provider with the name already exists.",
                ),
                Conflict::IdpIdentifier(i) => Self::new(
                    ErrorKind::DuplicateProvider,
                    format!("The idp identifier {i} is already used by another provider."),
                ),
                Conflict::Version => Self::new(
                    ErrorKind::ConcurrentModification,
                    "The user was changed by another request; retry.",
                ),
                Conflict::Pool | Conflict::Client => Self::new(
                    ErrorKind::InternalError,
                    "Generated identifier collided; retry.",
                ),
                Conflict::ResourceServer => {
                    Self::invalid_parameter("A resource server with the identifier already exists.")
                }
                Conflict::Domain => Self::invalid_parameter("Domain already exists."),
            },
            StoreError::NotFound(m) => match m {
                Missing::User => Self::user_not_found(),
                Missing::Pool => Self::not_found("User pool does not exist."),
                Missing::Group => Self::not_found("Group not found."),
                Missing::Client => Self::not_found("User pool client does not exist."),
                Missing::ResourceServer => Self::not_found("Resource server does not exist."),
                Missing::IdentityProvider => Self::not_found("Identity provider does not exist."),
            },
            StoreError::Kv(e) => {
                tracing::error!(error = %e, "store failure");
                Self::internal()
            }
        }
    }
}
