//! What a validated assertion hands out: typed values read only from the signed element.

use cognate_types::UnixTime;

use crate::keys::EntityId;

/// The `NameID` format URI for e-mail addresses.
pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/// The `NameID` format URI for persistent identifiers.
pub const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
/// The `NameID` format URI Cognito asks for (unspecified).
pub const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/// The subject's `NameID`: the federated user's identifier at the IdP (compared
/// case-sensitively; Cognito's federated user name is `{ProviderName}_{NameID}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NameId {
    /// The identifier: the element's whole character data (every text node and CDATA section
    /// concatenated; comments are not part of the signed bytes).
    pub value: String,
    /// `Format`, if given.
    pub format: Option<String>,
    /// `NameQualifier`, if given.
    pub name_qualifier: Option<String>,
    /// `SPNameQualifier`, if given.
    pub sp_name_qualifier: Option<String>,
}

/// One SAML attribute with all its values, in document order. Attributes with the same
/// `Name` in several statements are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// `Name` (often a URI such as
    /// `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress`).
    pub name: String,
    /// `NameFormat`, if given.
    pub name_format: Option<String>,
    /// `FriendlyName`, if given.
    pub friendly_name: Option<String>,
    /// The values (an `xsi:nil` value is left out).
    pub values: Vec<String>,
}

impl Attribute {
    /// The value Cognito stores for a mapped user-pool attribute: the value itself when there
    /// is one; for several, each value that contains characters other than ASCII letters,
    /// digits and `.`, `-`, `*`, `_` URL-form-encoded, joined as `[a, b]`; for none, the
    /// empty string.
    pub fn cognito_value(&self) -> String {
        match self.values.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|v| url::form_urlencoded::byte_serialize(v.as_bytes()).collect())
                    .collect();
                format!("[{}]", parts.join(", "))
            }
        }
    }
}

/// The identity of a validated sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SamlIdentity {
    /// The IdP (the assertion's `Issuer`).
    pub issuer: EntityId,
    /// The subject.
    pub name_id: NameId,
    /// The `SessionIndex` of the first `AuthnStatement`, kept for single logout.
    pub session_index: Option<String>,
    /// `SessionNotOnOrAfter` of the first `AuthnStatement`, if given.
    pub session_not_on_or_after: Option<UnixTime>,
    /// `AuthnInstant` of the first `AuthnStatement`.
    pub authn_instant: Option<UnixTime>,
    /// The attributes.
    pub attributes: Vec<Attribute>,
    /// The assertion's `ID` (recorded in the replay cache).
    pub assertion_id: String,
    /// The earliest `NotOnOrAfter` of the assertion's conditions and subject confirmation.
    pub not_on_or_after: UnixTime,
    /// True for an unsolicited (IdP-initiated) response.
    pub idp_initiated: bool,
}

impl SamlIdentity {
    /// The attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// What single logout needs later: keep it with the user's session.
    pub fn session(&self) -> SamlSession {
        SamlSession {
            name_id: self.name_id.clone(),
            session_index: self.session_index.clone(),
        }
    }
}

/// The IdP session a Cognito session came from: what a LogoutRequest names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SamlSession {
    /// The subject's NameID.
    pub name_id: NameId,
    /// The IdP's session index, if it gave one.
    pub session_index: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_value_encoding() {
        let a = |v: &[&str]| Attribute {
            name: "g".into(),
            name_format: None,
            friendly_name: None,
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(a(&[]).cognito_value(), "");
        assert_eq!(a(&["a b@c"]).cognito_value(), "a b@c");
        assert_eq!(
            a(&["admins", "a b", "x@y.z", "k-._*"]).cognito_value(),
            "[admins, a+b, x%40y.z, k-._*]"
        );
    }
}
