//! Identity providers and domains: CreateIdentityProvider, DescribeIdentityProvider,
//! UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier; CreateUserPoolDomain, DescribeUserPoolDomain,
//! UpdateUserPoolDomain, DeleteUserPoolDomain.
//!
//! `ProviderDetails` are kept as given (after checking that the keys each provider type needs
//! are there); the federation crates read them. Only prefix domains are offered: a custom
//! domain (`CustomDomainConfig`) is refused.

use std::collections::BTreeMap;

use cognate_types::{ProviderName, UserPoolId};
use serde::{Deserialize, Serialize};

use super::manage::{
    check_length, check_pattern, epoch, finish_page, is_space, is_word, page_after, page_limit,
    parse_enum, require, validation, EmptyResponse,
};
use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{IdentityProvider, IdpType, UserPool};
use crate::store::{Conflict, StoreError};

/// The provider names reserved for the pool itself and the social providers.
pub const RESERVED_PROVIDER_NAMES: &[&str] = &[
    "COGNITO",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
];

/// Most IdP identifiers one provider has.
pub const MAX_IDP_IDENTIFIERS: usize = 50;

/// Words a domain prefix may not contain.
pub const RESERVED_DOMAIN_WORDS: &[&str] = &["aws", "amazon", "cognito"];

/// The account ID shown in ARNs and domain descriptions (a local server has none).
pub const ACCOUNT_ID: &str = "000000000000";

/// CreateIdentityProvider's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIdentityProviderRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The provider name (for social providers, the type's own name).
    pub provider_name: Option<String>,
    /// `SAML`, `Facebook`, `Google`, `LoginWithAmazon`, `SignInWithApple`, `OIDC`.
    pub provider_type: Option<String>,
    /// Client ID, secret, scopes, endpoints, metadata ...
    pub provider_details: Option<BTreeMap<String, String>>,
    /// Pool attribute → provider attribute.
    pub attribute_mapping: Option<BTreeMap<String, String>>,
    /// `idp_identifier` values that route to this provider.
    pub idp_identifiers: Option<Vec<String>>,
}

/// UpdateIdentityProvider's request: the members given replace the provider's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateIdentityProviderRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The provider.
    pub provider_name: Option<String>,
    /// New details.
    pub provider_details: Option<BTreeMap<String, String>>,
    /// New mapping.
    pub attribute_mapping: Option<BTreeMap<String, String>>,
    /// New identifiers.
    pub idp_identifiers: Option<Vec<String>>,
}

/// A request naming a provider (Describe/DeleteIdentityProvider).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderNameRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The provider.
    pub provider_name: Option<String>,
}

/// The `ProviderDetails` entries Cognito computes (describe output only).
const DERIVED_DETAILS: [&str; 3] = [
    "SSORedirectBindingURI",
    "SLORedirectBindingURI",
    "ActiveEncryptionCertificate",
];

/// GetSigningCertificate's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SigningCertificateRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
}

/// GetSigningCertificate's response.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SigningCertificateResponse {
    /// The certificate, base64 DER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// GetIdentityProviderByIdentifier's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdentityProviderByIdentifierRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The identifier.
    pub idp_identifier: Option<String>,
}

/// ListIdentityProviders' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentityProvidersRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 0 to 60 (0 or left out: 60).
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// `IdentityProviderType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderType {
    /// The pool.
    pub user_pool_id: String,
    /// The provider name.
    pub provider_name: String,
    /// The provider type.
    pub provider_type: &'static str,
    /// The details, as given.
    pub provider_details: BTreeMap<String, String>,
    /// The attribute mapping.
    pub attribute_mapping: BTreeMap<String, String>,
    /// The IdP identifiers.
    pub idp_identifiers: Vec<String>,
    /// When the provider last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
}

impl IdentityProviderType {
    /// The API shape of an identity provider.
    pub fn from_model(idp: &IdentityProvider) -> Self {
        Self {
            user_pool_id: idp.pool.to_string(),
            provider_name: idp.name.to_string(),
            provider_type: idp.provider_type.as_str(),
            provider_details: idp.details.clone(),
            attribute_mapping: idp.attribute_mapping.clone(),
            idp_identifiers: idp.idp_identifiers.clone(),
            last_modified_date: epoch(idp.modified),
            creation_date: epoch(idp.created),
        }
    }
}

/// The response of the operations that return one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderResponse {
    /// The provider.
    pub identity_provider: IdentityProviderType,
}

/// `ProviderDescription`: a provider in ListIdentityProviders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderDescription {
    /// The provider name.
    pub provider_name: String,
    /// The provider type.
    pub provider_type: &'static str,
    /// When the provider last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
}

/// ListIdentityProviders' response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentityProvidersResponse {
    /// This page.
    pub providers: Vec<ProviderDescription>,
    /// Present when more follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// CreateUserPoolDomain's and UpdateUserPoolDomain's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolDomainRequest {
    /// The prefix.
    pub domain: Option<String>,
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 1 (classic hosted UI) or 2 (managed login).
    pub managed_login_version: Option<i64>,
    /// A custom domain: refused.
    pub custom_domain_config: Option<serde_json::Value>,
    /// Multi-region routing: refused.
    pub routing: Option<serde_json::Value>,
}

/// The response of Create/UpdateUserPoolDomain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolDomainResponse {
    /// The managed login version, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<u32>,
}

/// DescribeUserPoolDomain's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolDomainRequest {
    /// The prefix.
    pub domain: Option<String>,
}

/// DeleteUserPoolDomain's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserPoolDomainRequest {
    /// The prefix.
    pub domain: Option<String>,
    /// The pool.
    pub user_pool_id: Option<String>,
}

/// `DomainDescriptionType`; every member absent for an unknown domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainDescriptionType {
    /// The pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    /// The account.
    #[serde(rename = "AWSAccountId", skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<&'static str>,
    /// The prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `ACTIVE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The managed login version, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<u32>,
}

/// DescribeUserPoolDomain's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolDomainResponse {
    /// The domain, or an empty description for an unknown one.
    pub domain_description: DomainDescriptionType,
}

const IDP_TYPES: &[&str] = &[
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];

/// A provider name as CreateIdentityProvider accepts it (`ProviderNameTypeV2`): 3 to 32
/// visible characters, not starting or ending with `_`.
fn new_provider_name(name: &str) -> Result<ProviderName, CognitoError> {
    check_length(name, "providerName", 1, 32)?;
    let pattern_error = || {
        validation(
            "Value at 'providerName' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+",
        )
    };
    if name.chars().count() < 3 {
        return Err(pattern_error());
    }
    ProviderName::new(name).map_err(|_| pattern_error())
}

/// A provider name in the other requests (`ProviderNameType`): looked up, not created.
fn provider_name(name: Option<String>) -> Result<String, CognitoError> {
    let name = require(name, "providerName")?;
    check_length(&name, "providerName", 1, 32)?;
    Ok(name)
}

fn provider_not_found(name: &str) -> CognitoError {
    CognitoError::not_found(format!("Identity provider {name} does not exist."))
}

/// The keys each provider type needs in `ProviderDetails`.
fn check_details(t: IdpType, details: &BTreeMap<String, String>) -> Result<(), CognitoError> {
    let need: &[&str] = match t {
        IdpType::Google | IdpType::Facebook | IdpType::LoginWithAmazon => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        IdpType::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        IdpType::Oidc => &[
            "client_id",
            "authorize_scopes",
            "attributes_request_method",
            "oidc_issuer",
        ],
        IdpType::Saml => &[],
    };
    for key in need {
        if details.get(*key).is_none_or(|v| v.trim().is_empty()) {
            return Err(CognitoError::invalid_parameter(format!(
                "ProviderDetails of a {} provider must have {key}.",
                t.as_str()
            )));
        }
    }
    match t {
        IdpType::Oidc => {
            if let Some(m) = details.get("attributes_request_method") {
                if m != "GET" && m != "POST" {
                    return Err(CognitoError::invalid_parameter(
                        "ProviderDetails attributes_request_method must be GET or POST.",
                    ));
                }
            }
            if !details
                .get("oidc_issuer")
                .is_some_and(|i| i.starts_with("https://"))
            {
                return Err(CognitoError::invalid_parameter(
                    "ProviderDetails oidc_issuer must be an https:// URL.",
                ));
            }
        }
        IdpType::Saml => {
            let url = details.get("MetadataURL").filter(|v| !v.is_empty());
            let file = details.get("MetadataFile").filter(|v| !v.is_empty());
            match (url, file) {
                (Some(_), Some(_)) => {
                    return Err(CognitoError::invalid_parameter(
                        "ProviderDetails of a SAML provider take either MetadataURL or \
                         MetadataFile, not both.",
                    ))
                }
                (None, None) => {
                    return Err(CognitoError::invalid_parameter(
                        "ProviderDetails of a SAML provider must have MetadataURL or \
                         MetadataFile.",
                    ))
                }
                (Some(u), None) if !u.starts_with("https://") => {
                    return Err(CognitoError::invalid_parameter(
                        "ProviderDetails MetadataURL must be an https:// URL.",
                    ))
                }
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// The mapping's keys must be attributes of the pool (or `username`).
fn check_mapping(pool: &UserPool, mapping: &BTreeMap<String, String>) -> Result<(), CognitoError> {
    for (k, v) in mapping {
        check_length(k, "attributeMapping.key", 1, 32)?;
        check_length(v, "attributeMapping.value", 0, 131_072)?;
        if k != "username" && pool.schema_attribute(k).is_none() {
            return Err(CognitoError::invalid_parameter(format!(
                "AttributeMapping: {k} is not an attribute of the user pool."
            )));
        }
    }
    Ok(())
}

/// The mapping a provider gets when none is given: the username from the provider's user ID
/// (none for SAML, whose user ID is the NameID).
fn default_mapping(t: IdpType) -> BTreeMap<String, String> {
    let id = match t {
        IdpType::Saml => return BTreeMap::new(),
        IdpType::Facebook => "id",
        IdpType::LoginWithAmazon => "user_id",
        IdpType::Google | IdpType::SignInWithApple | IdpType::Oidc => "sub",
    };
    BTreeMap::from([("username".to_owned(), id.to_owned())])
}

fn is_identifier_char(c: char) -> bool {
    is_word(c) || is_space(c) || matches!(c, '+' | '=' | '.' | '@' | '-')
}

fn check_identifier(i: &str, path: &str) -> Result<(), CognitoError> {
    check_length(i, path, 1, 40)?;
    check_pattern(i, path, "[\\w\\s+=.@-]+", is_identifier_char)
}

fn idp_identifiers(list: Vec<String>) -> Result<Vec<String>, CognitoError> {
    if list.len() > MAX_IDP_IDENTIFIERS {
        return Err(validation(format_args!(
            "Value at 'idpIdentifiers' failed to satisfy constraint: Member must have length \
             less than or equal to {MAX_IDP_IDENTIFIERS}"
        )));
    }
    let mut out: Vec<String> = Vec::new();
    for i in list {
        check_identifier(&i, "idpIdentifiers.member")?;
        if out.contains(&i) {
            return Err(CognitoError::new(
                ErrorKind::DuplicateProvider,
                format!("The idp identifier {i} is given twice."),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

fn store_error(e: StoreError, name: &str) -> CognitoError {
    match e {
        StoreError::Conflict(Conflict::IdentityProvider) => CognitoError::new(
            ErrorKind::DuplicateProvider,
            format!("A provider with the name {name} already exists in this user pool."),
        ),
        StoreError::NotFound(_) => provider_not_found(name),
        other => other.into(),
    }
}

fn check_domain(domain: &str) -> Result<(), CognitoError> {
    check_length(domain, "domain", 1, 63)?;
    let b = domain.as_bytes();
    let inner_ok = b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    let ends_ok = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !inner_ok || !ends_ok(b.first()) || !ends_ok(b.last()) {
        return Err(validation(
            "Value at 'domain' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
        ));
    }
    Ok(())
}

fn managed_login_version(v: Option<i64>) -> Result<Option<u32>, CognitoError> {
    match v {
        None => Ok(None),
        Some(1) => Ok(Some(1)),
        Some(2) => Ok(Some(2)),
        Some(_) => Err(CognitoError::invalid_parameter(
            "ManagedLoginVersion must be 1 (classic hosted UI) or 2 (managed login).",
        )),
    }
}

fn refuse_custom_domain(req: &UserPoolDomainRequest) -> Result<(), CognitoError> {
    if req.custom_domain_config.is_some() || req.routing.is_some() {
        return Err(CognitoError::invalid_parameter(
            "Custom domains (CustomDomainConfig, Routing) are not supported by this server; use \
             a prefix domain.",
        ));
    }
    Ok(())
}

impl UserPools {
    /// CreateIdentityProvider.
    pub fn create_identity_provider(
        &self,
        req: CreateIdentityProviderRequest,
    ) -> Result<IdentityProviderResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let raw_name = require(req.provider_name, "providerName")?;
        let name = new_provider_name(&raw_name)?;
        let t = require(req.provider_type.as_deref(), "providerType")?;
        let t = parse_enum(t, "providerType", IDP_TYPES, IdpType::parse)?;
        match t {
            IdpType::Saml | IdpType::Oidc => {
                if RESERVED_PROVIDER_NAMES
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(name.as_str()))
                {
                    return Err(CognitoError::invalid_parameter(format!(
                        "The provider name {name} is reserved."
                    )));
                }
            }
            social => {
                if name.as_str() != social.as_str() {
                    return Err(CognitoError::invalid_parameter(format!(
                        "A {} provider must be named {}.",
                        social.as_str(),
                        social.as_str()
                    )));
                }
            }
        }
        let mut details = require(req.provider_details, "providerDetails")?;
        check_details(t, &details)?;
        self.prepare_details(&pool.id, t, &mut details)?;
        let mapping = req.attribute_mapping.unwrap_or_else(|| default_mapping(t));
        check_mapping(&pool, &mapping)?;
        let identifiers = idp_identifiers(req.idp_identifiers.unwrap_or_default())?;
        let now = self.now();
        let idp = IdentityProvider {
            pool: pool.id.clone(),
            name,
            provider_type: t,
            details,
            attribute_mapping: mapping,
            idp_identifiers: identifiers,
            created: now,
            modified: now,
        };
        self.store()
            .create_identity_provider(&idp)
            .map_err(|e| store_error(e, idp.name.as_str()))?;
        Ok(IdentityProviderResponse {
            identity_provider: IdentityProviderType::from_model(&idp),
        })
    }

    /// DescribeIdentityProvider.
    pub fn describe_identity_provider(
        &self,
        req: ProviderNameRequest,
    ) -> Result<IdentityProviderResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = provider_name(req.provider_name)?;
        let idp = self
            .store()
            .get_identity_provider(&pool.id, &name)?
            .ok_or_else(|| provider_not_found(&name))?;
        Ok(IdentityProviderResponse {
            identity_provider: IdentityProviderType::from_model(&idp),
        })
    }

    /// UpdateIdentityProvider: details, mapping and identifiers given replace the provider's;
    /// those left out are kept.
    pub fn update_identity_provider(
        &self,
        req: UpdateIdentityProviderRequest,
    ) -> Result<IdentityProviderResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = provider_name(req.provider_name)?;
        let mut idp = self
            .store()
            .get_identity_provider(&pool.id, &name)?
            .ok_or_else(|| provider_not_found(&name))?;
        if let Some(mut details) = req.provider_details {
            check_details(idp.provider_type, &details)?;
            self.prepare_details(&pool.id, idp.provider_type, &mut details)?;
            idp.details = details;
        }
        if let Some(mapping) = req.attribute_mapping {
            check_mapping(&pool, &mapping)?;
            idp.attribute_mapping = mapping;
        }
        if let Some(list) = req.idp_identifiers {
            idp.idp_identifiers = idp_identifiers(list)?;
        }
        idp.modified = self.now();
        self.store()
            .update_identity_provider(&idp)
            .map_err(|e| store_error(e, &name))?;
        Ok(IdentityProviderResponse {
            identity_provider: IdentityProviderType::from_model(&idp),
        })
    }

    fn prepare_details(
        &self,
        pool: &UserPoolId,
        t: IdpType,
        details: &mut BTreeMap<String, String>,
    ) -> Result<(), CognitoError> {
        // What Cognito derives is recomputed, never taken from the caller.
        for derived in DERIVED_DETAILS {
            details.remove(derived);
        }
        match self.provider_support() {
            Some(s) => s
                .prepare_details(pool, t, details)
                .map_err(CognitoError::invalid_parameter),
            None => Ok(()),
        }
    }

    /// GetSigningCertificate: the pool's SAML signing certificate (base64 DER).
    pub fn get_signing_certificate(
        &self,
        req: SigningCertificateRequest,
    ) -> Result<SigningCertificateResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let support = self.provider_support().ok_or_else(|| {
            CognitoError::new(
                ErrorKind::InternalError,
                "This server has no SAML support configured.",
            )
        })?;
        let certificate = support.signing_certificate(&pool.id).map_err(|e| {
            tracing::error!(error = %e, pool = %pool.id, "SAML signing certificate");
            CognitoError::internal()
        })?;
        Ok(SigningCertificateResponse {
            certificate: Some(certificate),
        })
    }

    /// DeleteIdentityProvider.
    pub fn delete_identity_provider(
        &self,
        req: ProviderNameRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = provider_name(req.provider_name)?;
        if !self.store().delete_identity_provider(&pool.id, &name)? {
            return Err(provider_not_found(&name));
        }
        Ok(EmptyResponse {})
    }

    /// ListIdentityProviders, in name order.
    pub fn list_identity_providers(
        &self,
        req: ListIdentityProvidersRequest,
    ) -> Result<ListIdentityProvidersResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let limit = page_limit(req.max_results, "maxResults", 0, 60, 60)?;
        let after = page_after("providers", req.next_token.as_deref())?;
        let list = self.store().list_identity_providers(
            &pool.id,
            after.as_deref(),
            limit.saturating_add(1),
        )?;
        let (list, next_token) = finish_page(list, limit, "providers", |p| p.name.to_string());
        Ok(ListIdentityProvidersResponse {
            providers: list
                .iter()
                .map(|p| ProviderDescription {
                    provider_name: p.name.to_string(),
                    provider_type: p.provider_type.as_str(),
                    last_modified_date: epoch(p.modified),
                    creation_date: epoch(p.created),
                })
                .collect(),
            next_token,
        })
    }

    /// GetIdentityProviderByIdentifier.
    pub fn get_identity_provider_by_identifier(
        &self,
        req: GetIdentityProviderByIdentifierRequest,
    ) -> Result<IdentityProviderResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let identifier = require(req.idp_identifier, "idpIdentifier")?;
        check_identifier(&identifier, "idpIdentifier")?;
        let idp = self
            .store()
            .identity_provider_by_identifier(&pool.id, &identifier)?
            .ok_or_else(|| {
                CognitoError::not_found(format!(
                    "No identity provider has the identifier {identifier}."
                ))
            })?;
        Ok(IdentityProviderResponse {
            identity_provider: IdentityProviderType::from_model(&idp),
        })
    }

    /// CreateUserPoolDomain: a prefix domain, unique across pools, one per pool.
    pub fn create_user_pool_domain(
        &self,
        req: UserPoolDomainRequest,
    ) -> Result<UserPoolDomainResponse, CognitoError> {
        refuse_custom_domain(&req)?;
        let domain = require(req.domain.as_deref(), "domain")?;
        check_domain(domain)?;
        if let Some(word) = RESERVED_DOMAIN_WORDS.iter().find(|w| domain.contains(*w)) {
            return Err(CognitoError::invalid_parameter(format!(
                "Domain cannot contain reserved word: {word}"
            )));
        }
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        let version = managed_login_version(req.managed_login_version)?;
        let claimed = self
            .store()
            .claim_domain(&pool.id, domain, version)
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Domain) => {
                    CognitoError::invalid_parameter("Domain already exists.")
                }
                other => other.into(),
            })?;
        if !claimed {
            return Err(CognitoError::invalid_parameter(
                "User pool already has a domain configured.",
            ));
        }
        Ok(UserPoolDomainResponse {
            managed_login_version: version,
        })
    }

    /// UpdateUserPoolDomain: changes the managed login version of the pool's domain.
    pub fn update_user_pool_domain(
        &self,
        req: UserPoolDomainRequest,
    ) -> Result<UserPoolDomainResponse, CognitoError> {
        refuse_custom_domain(&req)?;
        let domain = require(req.domain.as_deref(), "domain")?;
        check_domain(domain)?;
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        let version = managed_login_version(req.managed_login_version)?;
        let pool = self.store().modify_pool(&pool.id, |p| {
            if p.domain.as_deref() != Some(domain) {
                return Err(CognitoError::invalid_parameter(
                    "No such domain or user pool exists.",
                ));
            }
            if version.is_some() {
                p.settings.managed_login_version = version;
            }
            Ok(())
        })??;
        Ok(UserPoolDomainResponse {
            managed_login_version: pool.settings.managed_login_version,
        })
    }

    /// DescribeUserPoolDomain: an empty description for a domain no pool has, as Cognito.
    pub fn describe_user_pool_domain(
        &self,
        req: DescribeUserPoolDomainRequest,
    ) -> Result<DescribeUserPoolDomainResponse, CognitoError> {
        let domain = require(req.domain, "domain")?;
        check_domain(&domain)?;
        let pool = match self.store().pool_for_domain(&domain)? {
            Some(id) => self.store().get_pool(&id)?,
            None => None,
        };
        let description = match pool {
            Some(p) if p.domain.as_deref() == Some(domain.as_str()) => DomainDescriptionType {
                user_pool_id: Some(p.id.to_string()),
                aws_account_id: Some(ACCOUNT_ID),
                domain: Some(domain),
                status: Some("ACTIVE"),
                managed_login_version: p.settings.managed_login_version,
            },
            _ => DomainDescriptionType::default(),
        };
        Ok(DescribeUserPoolDomainResponse {
            domain_description: description,
        })
    }

    /// DeleteUserPoolDomain.
    pub fn delete_user_pool_domain(
        &self,
        req: DeleteUserPoolDomainRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let domain = require(req.domain, "domain")?;
        check_domain(&domain)?;
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        if !self.store().release_domain(&pool.id, &domain)? {
            return Err(CognitoError::invalid_parameter(
                "No such domain or user pool exists.",
            ));
        }
        Ok(EmptyResponse {})
    }
}
