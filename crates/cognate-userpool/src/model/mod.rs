//! The user-pool domain model: what a pool, a user, a group, an app client, a resource server
//! and an identity provider are, with Cognito's rules and defaults.
//!
//! These are plain values. The [`crate::store`] keeps them; the [`crate::service`] applies the
//! operations of the user-pools API to them.

mod client;
mod group;
mod idp;
mod pool;
mod pool_settings;
mod schema;
mod user;

pub use client::{
    AppClient, ExplicitAuthFlow, OAuthFlow, RefreshTokenRotation, TokenValidityUnits,
    ValiditySetting, ValidityUnitName,
};
pub use group::Group;
pub use idp::{IdentityProvider, IdpType, ResourceServer, ResourceServerScope};
pub use pool::{
    AliasAttribute, MfaConfiguration, PasswordPolicy, RecoveryMechanism, UserPool,
    UsernameAttribute, VerifiedAttribute,
};
pub use pool_settings::{
    AuthFactor, DefaultEmailOption, DeviceConfiguration, EmailConfiguration, EmailMfaSettings,
    EmailSendingAccount, MessageTemplate, PoolSettings, PoolTier, SmsConfiguration,
    VerificationMessageTemplate,
};
pub use schema::{
    AttributeDataType, NumberConstraints, SchemaAttribute, StringConstraints, STANDARD_ATTRIBUTES,
};
pub use user::{
    Lockout, MfaKind, PasswordCredential, TokenFamily, TotpRegistration, User, UserMfa, UserStatus,
};

/// Serialises a [`cognate_types::Secret`] for storage. Used only by the store's record format:
/// nothing that reaches a response or a log serialises a secret.
pub(crate) mod stored_secret {
    use cognate_types::Secret;
    use serde::Serializer;

    pub(crate) fn serialize<S: Serializer>(s: &Secret<String>, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }

    pub(crate) mod option {
        use cognate_types::Secret;
        use serde::Serializer;

        pub(crate) fn serialize<S: Serializer>(
            s: &Option<Secret<String>>,
            ser: S,
        ) -> Result<S::Ok, S::Error> {
            match s {
                Some(s) => ser.serialize_some(s.expose()),
                None => ser.serialize_none(),
            }
        }
    }
}
