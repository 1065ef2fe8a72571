//! Vocabulary types shared by every Cognate crate.
//!
//! Everything that crosses a protocol boundary in Cognate is one of these types rather than a
//! bare `String`: each newtype validates its input on construction, so a value that exists is a
//! value that is well formed. The crate also holds the two inputs every protocol decision takes
//! from outside, a [`Clock`] and a [`SecureRandom`], and the [`Secret`] wrapper used for every
//! credential.
//!
//! ```
//! use cognate_types::{IssuerUrl, UserPoolId};
//!
//! let pool: UserPoolId = "us-east-1_Example1".parse().unwrap();
//! assert_eq!(pool.region().as_str(), "us-east-1");
//! let issuer = IssuerUrl::cognito(&pool);
//! assert_eq!(
//!     issuer.as_str(),
//!     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1"
//! );
//! ```

mod error;
mod ids;
mod issuer;
mod random;
mod scope;
mod secret;
mod time;

pub use error::IdentifierError;
pub use ids::{
    AttributeName, ClientId, DeviceKey, GroupName, KeyId, ProviderName, Region, RoleArn, Sub,
    TokenId, TokenUse, UserPoolId, Username,
};
pub use issuer::IssuerUrl;
pub use random::{RandomError, SecureRandom, SystemRandom};
pub use scope::{Scope, Scopes};
pub use secret::Secret;
pub use time::{Clock, ManualClock, SystemClock, UnixTime};

/// Options that weaken a guarantee. Use them only in tests.
pub mod danger {
    pub use crate::random::InsecureDeterministicRandom;
}
