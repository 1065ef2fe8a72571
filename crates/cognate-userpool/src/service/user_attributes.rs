//! Writing user attributes: schema validation (with Cognito's messages), who may write what,
//! and how a change of e-mail address or phone number resets its verification.

use std::collections::{BTreeMap, BTreeSet};

use super::messages::DeliveryMedium;
use super::user_shapes::AttributeType;
use super::{CognitoError, UserPools};
use crate::model::{AppClient, User, UserPool};
use crate::store::user_index_entries;

/// Who writes attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Writer<'a> {
    /// An administrator (SigV4): any attribute of the schema, the `*_verified` flags included.
    Admin,
    /// A user through an app client: the client's `WriteAttributes`, never developer-only
    /// attributes or the `*_verified` flags.
    Client(Option<&'a AppClient>),
}

/// When attributes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// At creation (SignUp, AdminCreateUser): immutable attributes may be set.
    Create,
    /// Later (the update and delete operations).
    Update,
}

/// One validated attribute write. `value` `None` deletes the attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttributeWrite {
    pub(crate) name: String,
    pub(crate) value: Option<String>,
}

const VERIFIED_FLAGS: [(&str, &str); 2] = [
    ("email", "email_verified"),
    ("phone_number", "phone_number_verified"),
];

fn contact_medium(name: &str) -> Option<DeliveryMedium> {
    match name {
        "email" => Some(DeliveryMedium::Email),
        "phone_number" => Some(DeliveryMedium::Sms),
        _ => None,
    }
}

fn is_verified_flag(name: &str) -> bool {
    VERIFIED_FLAGS.iter().any(|(_, f)| *f == name)
}

/// An `InvalidParameterException` about one attribute, worded as Cognito words it for the
/// creating and the updating operations.
pub(crate) fn schema_error(mode: WriteMode, name: &str, what: &str) -> CognitoError {
    match mode {
        WriteMode::Create => CognitoError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {name}: {what}"
        )),
        WriteMode::Update => CognitoError::invalid_parameter(format!("user.{name}: {what}")),
    }
}

fn unauthorized_write() -> CognitoError {
    CognitoError::not_authorized("A client attempted to write unauthorized attribute")
}

/// Whether `value` has the shape of an e-mail address: a local part, one `@`, a domain, no
/// whitespace or control characters.
pub(crate) fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && value.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// Whether `value` is an E.164 phone number: `+` and 2 to 15 digits.
pub(crate) fn is_phone_number(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Checks the attributes of a request against the pool's schema and the writer's rights.
/// Empty values are deletions in [`WriteMode::Update`] and are left out at creation.
pub(crate) fn validate_writes(
    pool: &UserPool,
    attributes: &[AttributeType],
    writer: Writer<'_>,
    mode: WriteMode,
) -> Result<Vec<AttributeWrite>, CognitoError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(attributes.len());
    for (i, a) in attributes.iter().enumerate() {
        let name = a.name.as_str();
        let n = i + 1;
        if name.is_empty() || name.chars().count() > 32 {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value at 'userAttributes.{n}.member.name' failed to satisfy constraint: Member must have length between 1 and 32"
            )));
        }
        if a.value.as_ref().is_some_and(|v| v.chars().count() > 2048) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value at 'userAttributes.{n}.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"
            )));
        }
        if !seen.insert(name) {
            return Err(schema_error(
                mode,
                name,
                "Attribute is given more than once.",
            ));
        }
        let Some(schema) = pool.schema_attribute(name) else {
            return Err(schema_error(
                mode,
                name,
                "Attribute does not exist in the schema.",
            ));
        };
        if name == "sub" {
            return Err(schema_error(
                mode,
                name,
                "Attribute cannot be updated. (changing an immutable attribute)",
            ));
        }
        if let Writer::Client(client) = writer {
            let listed = client
                .and_then(|c| c.write_attributes.as_ref())
                .is_none_or(|w| w.iter().any(|x| x == name));
            if schema.developer_only
                || name.starts_with("dev:")
                || is_verified_flag(name)
                || !listed
            {
                return Err(unauthorized_write());
            }
        }
        if mode == WriteMode::Update && !schema.mutable {
            return Err(schema_error(
                mode,
                name,
                "Attribute cannot be updated. (changing an immutable attribute)",
            ));
        }
        let value = a.value.as_deref().filter(|v| !v.is_empty());
        match value {
            None => {
                if mode == WriteMode::Update {
                    if schema.required || pool.is_username_attribute(name) {
                        return Err(schema_error(mode, name, "The attribute is required"));
                    }
                    out.push(AttributeWrite {
                        name: name.to_owned(),
                        value: None,
                    });
                }
            }
            Some(v) => {
                schema.check_value(v).map_err(|reason| match mode {
                    WriteMode::Create => CognitoError::invalid_parameter(format!(
                        "Attributes did not conform to the schema: {reason}"
                    )),
                    WriteMode::Update => CognitoError::invalid_parameter(format!("user.{reason}")),
                })?;
                if name == "email" && !is_email(v) {
                    return Err(CognitoError::invalid_parameter(
                        "Invalid email address format.",
                    ));
                }
                if name == "phone_number" && !is_phone_number(v) {
                    return Err(CognitoError::invalid_parameter(
                        "Invalid phone number format.",
                    ));
                }
                out.push(AttributeWrite {
                    name: name.to_owned(),
                    value: Some(v.to_owned()),
                });
            }
        }
    }
    Ok(out)
}

/// Checks that every required attribute of the schema has a value.
pub(crate) fn check_required(
    pool: &UserPool,
    attributes: &BTreeMap<String, String>,
) -> Result<(), CognitoError> {
    for a in &pool.schema {
        if a.required && a.name != "sub" && !attributes.contains_key(&a.name) {
            return Err(schema_error(
                WriteMode::Create,
                &a.name,
                "The attribute is required",
            ));
        }
    }
    Ok(())
}

/// Checks that a `*_verified` flag set to a value has its attribute.
fn check_flag_has_attribute(user: &User, flag: &str) -> Result<(), CognitoError> {
    for (attr, f) in VERIFIED_FLAGS {
        if f == flag && !user.attributes.contains_key(attr) {
            return Err(CognitoError::invalid_parameter(if attr == "email" {
                "Email is required to verify/un-verify an email"
            } else {
                "Phone Number is required to verify/un-verify a phone number"
            }));
        }
    }
    Ok(())
}

/// Applies validated writes to a user. A new e-mail address or phone number is unverified
/// (unless an administrator sets its `*_verified` flag to `true` in the same request) and,
/// when the pool verifies it automatically, needs a code: either it replaces the old value at
/// once, or, when the pool keeps the old value until the new one is verified
/// (`AttributesRequireVerificationBeforeUpdate`), it waits in `pending_attributes`.
///
/// Returns the media to send verification codes by.
pub(crate) fn apply_writes(
    pool: &UserPool,
    user: &mut User,
    writes: &[AttributeWrite],
) -> Result<Vec<DeliveryMedium>, CognitoError> {
    let explicit_flag = |attr: &str| -> Option<bool> {
        let flag = VERIFIED_FLAGS
            .iter()
            .find(|(a, _)| *a == attr)
            .map(|(_, f)| *f)?;
        writes
            .iter()
            .find(|w| w.name == flag)
            .and_then(|w| w.value.as_deref())
            .map(|v| v == "true")
    };
    let mut codes = Vec::new();
    for w in writes.iter().filter(|w| !is_verified_flag(&w.name)) {
        let name = w.name.as_str();
        let Some(medium) = contact_medium(name) else {
            match &w.value {
                Some(v) => user.attributes.insert(name.to_owned(), v.clone()),
                None => user.attributes.remove(name),
            };
            continue;
        };
        let flag = VERIFIED_FLAGS
            .iter()
            .find(|(a, _)| *a == name)
            .map_or("", |(_, f)| *f);
        let auto_verified = pool
            .auto_verified_attributes
            .iter()
            .any(|a| a.as_str() == name);
        let Some(value) = &w.value else {
            user.attributes.remove(name);
            user.attributes.remove(flag);
            user.pending_attributes.remove(name);
            continue;
        };
        if user.attributes.get(name) == Some(value) {
            // Back to the current value: any change waiting for verification is dropped.
            user.pending_attributes.remove(name);
            continue;
        }
        let verified_now = explicit_flag(name) == Some(true);
        let keep_old_until_verified = !verified_now
            && auto_verified
            && user.attributes.contains_key(name)
            && pool
                .attributes_require_verification_before_update
                .iter()
                .any(|a| a.as_str() == name);
        if keep_old_until_verified {
            user.pending_attributes
                .insert(name.to_owned(), value.clone());
        } else {
            user.attributes.insert(name.to_owned(), value.clone());
            user.attributes
                .insert(flag.to_owned(), verified_now.to_string());
            user.pending_attributes.remove(name);
        }
        if !verified_now && auto_verified && !codes.contains(&medium) {
            codes.push(medium);
        }
    }
    for w in writes.iter().filter(|w| is_verified_flag(&w.name)) {
        match &w.value {
            Some(v) => {
                check_flag_has_attribute(user, &w.name)?;
                user.attributes.insert(w.name.clone(), v.clone());
            }
            None => {
                user.attributes.remove(&w.name);
            }
        }
    }
    Ok(codes)
}

impl UserPools {
    /// The other users that hold, as their alias or username attribute, a value `user` would
    /// take: `(attribute, holder)` pairs.
    pub(crate) fn alias_holders(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<Vec<(String, User)>, CognitoError> {
        let mut out = Vec::new();
        for (name, value) in user_index_entries(pool, user) {
            if name == "sub" {
                continue;
            }
            if let Some(holder) = self.store().get_user_by_index(pool, &name, &value)? {
                if holder.sub != user.sub {
                    out.push((name, holder));
                }
            }
        }
        Ok(out)
    }

    /// Prepares `ForceAliasCreation`: the holders of `user`'s new verified aliases, each with
    /// that alias unverified so it can move to `user`. Without `force`, a held alias is
    /// `AliasExistsException`. Values held as username attributes (which cannot move) and
    /// `preferred_username` are always `AliasExistsException` /
    /// `UsernameExistsException`.
    pub(crate) fn take_aliases(
        &self,
        pool: &UserPool,
        user: &User,
        force: bool,
    ) -> Result<Vec<User>, CognitoError> {
        let mut losers: Vec<User> = Vec::new();
        for (attr, holder) in self.alias_holders(pool, user)? {
            let exists = format!("An account with the given {attr} already exists.");
            if pool.is_username_attribute(&attr) {
                return Err(CognitoError::new(super::ErrorKind::UsernameExists, exists));
            }
            let flag = VERIFIED_FLAGS
                .iter()
                .find(|(a, _)| *a == attr)
                .map(|(_, f)| *f);
            let (true, Some(flag)) = (force, flag) else {
                return Err(CognitoError::new(super::ErrorKind::AliasExists, exists));
            };
            let at = match losers.iter().position(|l| l.sub == holder.sub) {
                Some(i) => i,
                None => {
                    losers.push(holder);
                    losers.len() - 1
                }
            };
            if let Some(loser) = losers.get_mut(at) {
                loser.attributes.insert(flag.to_owned(), "false".to_owned());
                loser.modified = self.now();
            }
        }
        Ok(losers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_and_phone_shapes() {
        assert!(is_email("a@example.com"));
        assert!(is_email("a+b@x"));
        assert!(!is_email("a@"));
        assert!(!is_email("@x.com"));
        assert!(!is_email("a b@x.com"));
        assert!(!is_email("a@b@c"));
        assert!(!is_email("plain"));
        assert!(is_phone_number("+12065551212"));
        assert!(!is_phone_number("12065551212"));
        assert!(!is_phone_number("+1206555121234567"));
        assert!(!is_phone_number("+1-206"));
    }
}
