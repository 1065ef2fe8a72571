//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong in the service provider: configuration, metadata, starting a
/// sign-in or a logout, and each check of a response. One variant per check, so tests and
/// logs say exactly which check refused a message.
///
/// The wire form is [`SamlError::cognito_message`]: what Cognito puts after
/// `Invalid SAML response received: ` in the `error_description` it sends to the app.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SamlError {
    // --- configuration and metadata -----------------------------------------------------
    /// A configuration value is not acceptable (the reason).
    #[error("invalid configuration: {0}")]
    Config(&'static str),
    /// The IdP metadata document could not be used (the reason).
    #[error("invalid IdP metadata: {0}")]
    Metadata(&'static str),
    /// A certificate could not be read, is too long (over 4,096 characters) or has expired.
    #[error("invalid certificate: {0}")]
    Certificate(&'static str),
    /// A private key could not be read or is not an RSA key of at least 2048 bits.
    #[error("invalid private key")]
    PrivateKey,
    /// The random source failed.
    #[error("the random number generator failed")]
    Random,
    /// Signing an outgoing message failed.
    #[error("signing failed")]
    Signing,
    /// The IdP has no endpoint for the binding this needs (the endpoint).
    #[error("the IdP has no {0} endpoint with the HTTP-Redirect binding")]
    NoEndpoint(&'static str),

    // --- decoding -------------------------------------------------------------------------
    /// The message is longer than the limit (100,000 characters by default).
    #[error("message too large")]
    TooLarge,
    /// The message is not valid base64.
    #[error("message is not valid base64")]
    Base64,
    /// The message does not inflate (or inflates past the limit).
    #[error("message does not inflate within the limit")]
    Inflate,
    /// The message is not UTF-8.
    #[error("message is not UTF-8")]
    NotUtf8,
    /// The message has a `<!DOCTYPE>` (DTDs, and with them external entities and entity
    /// expansion, are refused).
    #[error("DTDs are not accepted")]
    Doctype,
    /// The message references an entity other than the five predefined ones.
    #[error("entity references are not accepted")]
    EntityReference,
    /// The XML is past the depth, node or attribute limits.
    #[error("XML document too large or too deep")]
    XmlTooLarge,
    /// The XML is not well-formed or uses something this reader refuses (the reason).
    #[error("malformed XML: {0}")]
    Malformed(&'static str),

    // --- structure ------------------------------------------------------------------------
    /// The root is not the expected protocol message (`Response`, `LogoutResponse`, ...).
    #[error("not a SAML 2.0 {0}")]
    WrongMessage(&'static str),
    /// The message has no assertion.
    #[error("no assertion")]
    NoAssertion,
    /// The message has more than one assertion (counting encrypted ones and any nested at
    /// any depth).
    #[error("more than one assertion")]
    MultipleAssertions,
    /// An element is where SAML does not put it: an assertion or response nested elsewhere,
    /// a signature that is not a direct child of the element it signs, a namespace-confused
    /// look-alike (the element).
    #[error("unexpected element: {0}")]
    UnexpectedElement(&'static str),
    /// Two elements carry the same `ID`.
    #[error("duplicate ID attribute")]
    DuplicateId,
    /// A required attribute is missing or malformed (the attribute).
    #[error("missing or malformed attribute: {0}")]
    BadAttribute(&'static str),

    // --- signature ------------------------------------------------------------------------
    /// Neither the response nor the assertion is signed.
    #[error("neither the response nor the assertion is signed")]
    Unsigned,
    /// The signature's shape is not accepted: not exactly one `SignedInfo`, `SignatureValue`
    /// and `Reference`, an `Object`, a comment or processing instruction inside it (the
    /// reason).
    #[error("signature structure not accepted: {0}")]
    SignatureStructure(&'static str),
    /// The signature's `Reference` does not point at the element that contains it.
    #[error("the signature does not reference its enclosing element")]
    ReferenceMismatch,
    /// A signature, digest or canonicalization algorithm outside the allow-list (the URI).
    #[error("algorithm not allowed: {0}")]
    AlgorithmNotAllowed(String),
    /// A transform outside the allow-list (enveloped-signature, exclusive c14n) (the URI).
    #[error("transform not allowed: {0}")]
    TransformNotAllowed(String),
    /// The signature does not verify with any trusted IdP certificate.
    #[error("signature does not verify with a trusted certificate")]
    InvalidSignature,

    // --- status, issuer, binding -------------------------------------------------------------
    /// The IdP answered with a non-success status (the top-level status code).
    #[error("IdP returned status {0}")]
    Status(String),
    /// The `Issuer` is missing or is not the IdP's entity ID.
    #[error("issuer is not the IdP")]
    IssuerMismatch,
    /// The `Destination` is missing (signed message) or is not our endpoint.
    #[error("destination is not this service provider's endpoint")]
    DestinationMismatch,
    /// No bearer `SubjectConfirmation`.
    #[error("no bearer subject confirmation")]
    NotBearer,
    /// The `SubjectConfirmationData` `Recipient` is missing or is not the ACS URL.
    #[error("recipient is not the ACS URL")]
    RecipientMismatch,
    /// No `AudienceRestriction`, or one that does not name the SP entity ID.
    #[error("audience is not this service provider")]
    AudienceMismatch,
    /// `InResponseTo` is missing, or is not the request this sign-in or logout started with.
    #[error("InResponseTo does not match the request")]
    InResponseToMismatch,
    /// An unsolicited response (no `InResponseTo`, no pending request) and IdP-initiated
    /// sign-in is off for this IdP.
    #[error("IdP-initiated sign-in is not enabled")]
    UnsolicitedNotAllowed,
    /// The RelayState does not match the one the request was sent with.
    #[error("RelayState does not match")]
    RelayStateMismatch,
    /// The request this response answers was issued too long ago.
    #[error("the request has expired")]
    RequestExpired,
    /// A `NotBefore` or `IssueInstant` is still in the future (beyond the allowed skew).
    #[error("not yet valid")]
    NotYetValid,
    /// A `NotOnOrAfter` (conditions, subject confirmation, session) has passed.
    #[error("expired")]
    Expired,
    /// A required element is missing (the element).
    #[error("missing {0}")]
    Missing(&'static str),
    /// A value that identifies the user (NameID, an attribute value) has mixed content:
    /// a child element or processing instruction inside it.
    #[error("mixed content in {0}")]
    MixedContent(&'static str),
    /// An attribute value has a character Cognito refuses (4-byte UTF-8 such as emoji).
    #[error("attribute value not accepted")]
    AttributeValue,
    /// The assertion was already used.
    #[error("assertion already used")]
    Replayed,
    /// The replay cache could not be asked (the store's message).
    #[error("replay cache failure: {0}")]
    ReplayCache(String),

    // --- encryption -----------------------------------------------------------------------
    /// The IdP must encrypt assertions and this one is in the clear.
    #[error("assertion is not encrypted")]
    EncryptionRequired,
    /// A key transport outside the allow-list: `rsa-1_5` and anything but RSA-OAEP (the URI).
    #[error("key transport not allowed: {0}")]
    KeyTransportNotAllowed(String),
    /// A content encryption algorithm outside the allow-list (the URI).
    #[error("encryption algorithm not allowed: {0}")]
    EncryptionAlgorithmNotAllowed(String),
    /// The encrypted assertion could not be decrypted. One error for every failure (wrong
    /// key, bad padding, bad tag, bad length), so there is no padding oracle.
    #[error("assertion could not be decrypted")]
    Decryption,
}

impl SamlError {
    /// The text Cognito puts after `Invalid SAML response received: ` in the
    /// `error_description` it redirects to the app with. Only "SAML Assertion signature is
    /// invalid." is known from real output; the others follow its style.
    pub fn cognito_message(&self) -> &'static str {
        use SamlError::*;
        match self {
            Config(_) | Metadata(_) | Certificate(_) | PrivateKey | Random | Signing
            | NoEndpoint(_) => "Identity provider configuration is invalid.",
            TooLarge => "SAML Response exceeds the maximum size.",
            Base64 | Inflate | NotUtf8 | Doctype | EntityReference | XmlTooLarge | Malformed(_) => {
                "SAML Response is malformed."
            }
            WrongMessage(_) | NoAssertion | MultipleAssertions | UnexpectedElement(_)
            | DuplicateId | BadAttribute(_) | Missing(_) | MixedContent(_) => {
                "SAML Response is invalid."
            }
            Unsigned => "SAML Response and Assertion are not signed.",
            SignatureStructure(_)
            | ReferenceMismatch
            | AlgorithmNotAllowed(_)
            | TransformNotAllowed(_)
            | InvalidSignature => "SAML Assertion signature is invalid.",
            Status(_) => "SAML Response status is not Success.",
            IssuerMismatch => "Issuer does not match the identity provider.",
            DestinationMismatch => "Destination does not match the ACS URL.",
            NotBearer => "Subject confirmation method is not bearer.",
            RecipientMismatch => "Recipient does not match the ACS URL.",
            AudienceMismatch => "Audience does not match the service provider.",
            InResponseToMismatch => "InResponseTo does not match the request.",
            UnsolicitedNotAllowed => "IdP-initiated sign-in is not enabled.",
            RelayStateMismatch => "Invalid relayState from identity provider",
            RequestExpired => "The sign-in request has expired.",
            NotYetValid => "SAML Assertion is not yet valid.",
            Expired => "SAML Assertion has expired.",
            AttributeValue => "SAML attribute value is not supported.",
            Replayed => "SAML Assertion has already been used.",
            ReplayCache(_) => "SAML Response could not be processed.",
            EncryptionRequired => "SAML Assertion is not encrypted.",
            KeyTransportNotAllowed(_) | EncryptionAlgorithmNotAllowed(_) | Decryption => {
                "SAML Assertion could not be decrypted."
            }
        }
    }

    /// The full `error_description` Cognito sends to the app:
    /// `Invalid SAML response received: {cognito_message}`.
    pub fn error_description(&self) -> String {
        format!("Invalid SAML response received: {}", self.cognito_message())
    }
}

impl From<crate::xml::XmlError> for SamlError {
    fn from(e: crate::xml::XmlError) -> Self {
        match e {
            crate::xml::XmlError::Doctype => SamlError::Doctype,
            crate::xml::XmlError::Entity => SamlError::EntityReference,
            crate::xml::XmlError::TooLarge => SamlError::XmlTooLarge,
            crate::xml::XmlError::Malformed(m) => SamlError::Malformed(m),
        }
    }
}
