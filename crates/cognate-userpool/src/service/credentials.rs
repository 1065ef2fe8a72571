//! New password credentials: the argon2id hash and the SRP verifier, computed together.

use cognate_types::UnixTime;

use super::srp_flow::verifier_parts;
use super::{CognitoError, UserPools};
use crate::model::{PasswordCredential, User, UserPool};
use crate::srp::SrpVerifier;

impl UserPools {
    /// The stored form of a new password for `user`: argon2id for password sign-in and the
    /// SRP verifier for USER_SRP_AUTH (computed with the username, as `USER_ID_FOR_SRP`).
    pub(crate) fn new_password_credential(
        &self,
        pool: &UserPool,
        user: &User,
        password: &str,
        temporary_until: Option<UnixTime>,
    ) -> Result<PasswordCredential, CognitoError> {
        let hash = self.config().hasher.hash(password, self.rng())?;
        let verifier = SrpVerifier::compute(
            pool.srp_pool_name(),
            user.username.as_str(),
            password,
            self.rng(),
        )
        .map_err(|_| CognitoError::internal())?;
        let (srp_salt, srp_verifier) = verifier_parts(&verifier)?;
        Ok(PasswordCredential {
            hash,
            srp_salt,
            srp_verifier,
            set_at: self.now(),
            temporary_until,
        })
    }
}
