//! The output shapes of the management operations as the AWS API model defines them
//! (botocore `cognito-idp/2016-04-18/service-2.json`): each structure's member names with the
//! JSON kind of each member, and a checker that a response uses only those members, each with
//! the right kind.
//!
//! Kinds: `s` string, `i` integer, `b` boolean, `t` timestamp (epoch seconds, a JSON number),
//! `e:A|B` one of the enum values, `S:Name` a structure, `L<kind>` a list, `M<kind>` a map with
//! string keys.

use serde_json::Value;

/// Structures: name and members.
pub(crate) const SHAPES: &[(&str, &[(&str, &str)])] = &[
    ("CreateUserPoolResponse", &[("UserPool", "S:UserPoolType")]),
    ("UserPoolType", &[("Id", "s"), ("Name", "s"), ("Policies", "S:UserPoolPolicyType"), ("DeletionProtection", "e:ACTIVE|INACTIVE"), ("LambdaConfig", "S:LambdaConfigType"), ("Status", "e:Enabled|Disabled"), ("LastModifiedDate", "t"), ("CreationDate", "t"), ("SchemaAttributes", "LS:SchemaAttributeType"), ("AutoVerifiedAttributes", "Le:phone_number|email"), ("AliasAttributes", "Le:phone_number|email|preferred_username"), ("UsernameAttributes", "Le:phone_number|email"), ("SmsVerificationMessage", "s"), ("EmailVerificationMessage", "s"), ("EmailVerificationSubject", "s"), ("VerificationMessageTemplate", "S:VerificationMessageTemplateType"), ("SmsAuthenticationMessage", "s"), ("UserAttributeUpdateSettings", "S:UserAttributeUpdateSettingsType"), ("MfaConfiguration", "e:OFF|ON|OPTIONAL"), ("DeviceConfiguration", "S:DeviceConfigurationType"), ("EstimatedNumberOfUsers", "i"), ("EmailConfiguration", "S:EmailConfigurationType"), ("SmsConfiguration", "S:SmsConfigurationType"), ("UserPoolTags", "Ms"), ("SmsConfigurationFailure", "s"), ("EmailConfigurationFailure", "s"), ("Domain", "s"), ("CustomDomain", "s"), ("AdminCreateUserConfig", "S:AdminCreateUserConfigType"), ("UserPoolAddOns", "S:UserPoolAddOnsType"), ("UsernameConfiguration", "S:UsernameConfigurationType"), ("Arn", "s"), ("AccountRecoverySetting", "S:AccountRecoverySettingType"), ("UserPoolTier", "e:LITE|ESSENTIALS|PLUS"), ("KeyConfiguration", "S:KeyConfigurationType"), ("IssuerConfiguration", "S:IssuerConfigurationType")]),
    ("UserPoolPolicyType", &[("PasswordPolicy", "S:PasswordPolicyType"), ("SignInPolicy", "S:SignInPolicyType")]),
    ("PasswordPolicyType", &[("MinimumLength", "i"), ("RequireUppercase", "b"), ("RequireLowercase", "b"), ("RequireNumbers", "b"), ("RequireSymbols", "b"), ("PasswordHistorySize", "i"), ("TemporaryPasswordValidityDays", "i")]),
    ("SignInPolicyType", &[("AllowedFirstAuthFactors", "Le:PASSWORD|EMAIL_OTP|SMS_OTP|WEB_AUTHN|SOFTWARE_TOKEN")]),
    ("LambdaConfigType", &[("PreSignUp", "s"), ("CustomMessage", "s"), ("PostConfirmation", "s"), ("PreAuthentication", "s"), ("PostAuthentication", "s"), ("DefineAuthChallenge", "s"), ("CreateAuthChallenge", "s"), ("VerifyAuthChallengeResponse", "s"), ("PreTokenGeneration", "s"), ("UserMigration", "s"), ("PreTokenGenerationConfig", "S:PreTokenGenerationVersionConfigType"), ("CustomSMSSender", "S:CustomSMSLambdaVersionConfigType"), ("CustomEmailSender", "S:CustomEmailLambdaVersionConfigType"), ("KMSKeyID", "s"), ("InboundFederation", "S:InboundFederationLambdaType")]),
    ("PreTokenGenerationVersionConfigType", &[("LambdaVersion", "e:V1_0|V2_0|V3_0"), ("LambdaArn", "s")]),
    ("CustomSMSLambdaVersionConfigType", &[("LambdaVersion", "e:V1_0"), ("LambdaArn", "s")]),
    ("CustomEmailLambdaVersionConfigType", &[("LambdaVersion", "e:V1_0"), ("LambdaArn", "s")]),
    ("InboundFederationLambdaType", &[("LambdaVersion", "e:V1_0"), ("LambdaArn", "s")]),
    ("SchemaAttributeType", &[("Name", "s"), ("AttributeDataType", "e:String|Number|DateTime|Boolean"), ("DeveloperOnlyAttribute", "b"), ("Mutable", "b"), ("Required", "b"), ("NumberAttributeConstraints", "S:NumberAttributeConstraintsType"), ("StringAttributeConstraints", "S:StringAttributeConstraintsType")]),
    ("NumberAttributeConstraintsType", &[("MinValue", "s"), ("MaxValue", "s")]),
    ("StringAttributeConstraintsType", &[("MinLength", "s"), ("MaxLength", "s")]),
    ("VerificationMessageTemplateType", &[("SmsMessage", "s"), ("EmailMessage", "s"), ("EmailSubject", "s"), ("EmailMessageByLink", "s"), ("EmailSubjectByLink", "s"), ("DefaultEmailOption", "e:CONFIRM_WITH_LINK|CONFIRM_WITH_CODE")]),
    ("UserAttributeUpdateSettingsType", &[("AttributesRequireVerificationBeforeUpdate", "Le:phone_number|email")]),
    ("DeviceConfigurationType", &[("ChallengeRequiredOnNewDevice", "b"), ("DeviceOnlyRememberedOnUserPrompt", "b")]),
    ("EmailConfigurationType", &[("SourceArn", "s"), ("ReplyToEmailAddress", "s"), ("EmailSendingAccount", "e:COGNITO_DEFAULT|DEVELOPER"), ("From", "s"), ("ConfigurationSet", "s")]),
    ("SmsConfigurationType", &[("SnsCallerArn", "s"), ("ExternalId", "s"), ("SnsRegion", "s"), ("EumsSms", "S:EumsSmsConfigurationType")]),
    ("EumsSmsConfigurationType", &[("CallerArn", "s"), ("ExternalId", "s"), ("OriginationIdentity", "s"), ("ConfigurationSetName", "s"), ("InEntityId", "s"), ("InTemplateId", "s"), ("Region", "s")]),
    ("AdminCreateUserConfigType", &[("AllowAdminCreateUserOnly", "b"), ("UnusedAccountValidityDays", "i"), ("InviteMessageTemplate", "S:MessageTemplateType")]),
    ("MessageTemplateType", &[("SMSMessage", "s"), ("EmailMessage", "s"), ("EmailSubject", "s")]),
    ("UserPoolAddOnsType", &[("AdvancedSecurityMode", "e:OFF|AUDIT|ENFORCED"), ("AdvancedSecurityAdditionalFlows", "S:AdvancedSecurityAdditionalFlowsType")]),
    ("AdvancedSecurityAdditionalFlowsType", &[("CustomAuthMode", "e:AUDIT|ENFORCED")]),
    ("UsernameConfigurationType", &[("CaseSensitive", "b")]),
    ("AccountRecoverySettingType", &[("RecoveryMechanisms", "LS:RecoveryOptionType")]),
    ("RecoveryOptionType", &[("Priority", "i"), ("Name", "e:verified_email|verified_phone_number|admin_only")]),
    ("KeyConfigurationType", &[("KeyType", "e:AWS_OWNED_KEY|CUSTOMER_MANAGED_KEY"), ("KmsKeyArn", "s")]),
    ("IssuerConfigurationType", &[("Type", "e:ORIGINAL|UPDATED")]),
    ("DescribeUserPoolResponse", &[("UserPool", "S:UserPoolType")]),
    ("UpdateUserPoolResponse", &[]),
    ("ListUserPoolsResponse", &[("UserPools", "LS:UserPoolDescriptionType"), ("NextToken", "s")]),
    ("UserPoolDescriptionType", &[("Id", "s"), ("Name", "s"), ("LambdaConfig", "S:LambdaConfigType"), ("Status", "e:Enabled|Disabled"), ("LastModifiedDate", "t"), ("CreationDate", "t"), ("ReplicaRegions", "Ls")]),
    ("AddCustomAttributesResponse", &[]),
    ("SetUserPoolMfaConfigResponse", &[("SmsMfaConfiguration", "S:SmsMfaConfigType"), ("SoftwareTokenMfaConfiguration", "S:SoftwareTokenMfaConfigType"), ("EmailMfaConfiguration", "S:EmailMfaConfigType"), ("MfaConfiguration", "e:OFF|ON|OPTIONAL"), ("WebAuthnConfiguration", "S:WebAuthnConfigurationType")]),
    ("SmsMfaConfigType", &[("SmsAuthenticationMessage", "s"), ("SmsConfiguration", "S:SmsConfigurationType")]),
    ("SoftwareTokenMfaConfigType", &[("Enabled", "b")]),
    ("EmailMfaConfigType", &[("Message", "s"), ("Subject", "s")]),
    ("WebAuthnConfigurationType", &[("RelyingPartyId", "s"), ("UserVerification", "e:required|preferred"), ("FactorConfiguration", "e:SINGLE_FACTOR|MULTI_FACTOR_WITH_USER_VERIFICATION")]),
    ("GetUserPoolMfaConfigResponse", &[("SmsMfaConfiguration", "S:SmsMfaConfigType"), ("SoftwareTokenMfaConfiguration", "S:SoftwareTokenMfaConfigType"), ("EmailMfaConfiguration", "S:EmailMfaConfigType"), ("MfaConfiguration", "e:OFF|ON|OPTIONAL"), ("WebAuthnConfiguration", "S:WebAuthnConfigurationType")]),
    ("TagResourceResponse", &[]),
    ("UntagResourceResponse", &[]),
    ("ListTagsForResourceResponse", &[("Tags", "Ms")]),
    ("CreateUserPoolClientResponse", &[("UserPoolClient", "S:UserPoolClientType")]),
    ("UserPoolClientType", &[("UserPoolId", "s"), ("ClientName", "s"), ("ClientId", "s"), ("ClientSecret", "s"), ("LastModifiedDate", "t"), ("CreationDate", "t"), ("RefreshTokenValidity", "i"), ("AccessTokenValidity", "i"), ("IdTokenValidity", "i"), ("TokenValidityUnits", "S:TokenValidityUnitsType"), ("ReadAttributes", "Ls"), ("WriteAttributes", "Ls"), ("ExplicitAuthFlows", "Le:ADMIN_NO_SRP_AUTH|CUSTOM_AUTH_FLOW_ONLY|USER_PASSWORD_AUTH|ALLOW_ADMIN_USER_PASSWORD_AUTH|ALLOW_CUSTOM_AUTH|ALLOW_USER_PASSWORD_AUTH|ALLOW_USER_SRP_AUTH|ALLOW_REFRESH_TOKEN_AUTH|ALLOW_USER_AUTH"), ("SupportedIdentityProviders", "Ls"), ("CallbackURLs", "Ls"), ("LogoutURLs", "Ls"), ("DefaultRedirectURI", "s"), ("AllowedOAuthFlows", "Le:code|implicit|client_credentials"), ("AllowedOAuthScopes", "Ls"), ("AllowedOAuthFlowsUserPoolClient", "b"), ("AnalyticsConfiguration", "S:AnalyticsConfigurationType"), ("PreventUserExistenceErrors", "e:LEGACY|ENABLED"), ("EnableTokenRevocation", "b"), ("EnablePropagateAdditionalUserContextData", "b"), ("AuthSessionValidity", "i"), ("RefreshTokenRotation", "S:RefreshTokenRotationType")]),
    ("TokenValidityUnitsType", &[("AccessToken", "e:seconds|minutes|hours|days"), ("IdToken", "e:seconds|minutes|hours|days"), ("RefreshToken", "e:seconds|minutes|hours|days")]),
    ("AnalyticsConfigurationType", &[("ApplicationId", "s"), ("ApplicationArn", "s"), ("RoleArn", "s"), ("ExternalId", "s"), ("UserDataShared", "b")]),
    ("RefreshTokenRotationType", &[("Feature", "e:ENABLED|DISABLED"), ("RetryGracePeriodSeconds", "i")]),
    ("DescribeUserPoolClientResponse", &[("UserPoolClient", "S:UserPoolClientType")]),
    ("UpdateUserPoolClientResponse", &[("UserPoolClient", "S:UserPoolClientType")]),
    ("ListUserPoolClientsResponse", &[("UserPoolClients", "LS:UserPoolClientDescription"), ("NextToken", "s")]),
    ("UserPoolClientDescription", &[("ClientId", "s"), ("UserPoolId", "s"), ("ClientName", "s")]),
    ("CreateGroupResponse", &[("Group", "S:GroupType")]),
    ("GroupType", &[("GroupName", "s"), ("UserPoolId", "s"), ("Description", "s"), ("RoleArn", "s"), ("Precedence", "i"), ("LastModifiedDate", "t"), ("CreationDate", "t")]),
    ("GetGroupResponse", &[("Group", "S:GroupType")]),
    ("UpdateGroupResponse", &[("Group", "S:GroupType")]),
    ("ListGroupsResponse", &[("Groups", "LS:GroupType"), ("NextToken", "s")]),
    ("CreateResourceServerResponse", &[("ResourceServer", "S:ResourceServerType")]),
    ("ResourceServerType", &[("UserPoolId", "s"), ("Identifier", "s"), ("Name", "s"), ("Scopes", "LS:ResourceServerScopeType")]),
    ("ResourceServerScopeType", &[("ScopeName", "s"), ("ScopeDescription", "s")]),
    ("DescribeResourceServerResponse", &[("ResourceServer", "S:ResourceServerType")]),
    ("UpdateResourceServerResponse", &[("ResourceServer", "S:ResourceServerType")]),
    ("ListResourceServersResponse", &[("ResourceServers", "LS:ResourceServerType"), ("NextToken", "s")]),
    ("CreateIdentityProviderResponse", &[("IdentityProvider", "S:IdentityProviderType")]),
    ("IdentityProviderType", &[("UserPoolId", "s"), ("ProviderName", "s"), ("ProviderType", "e:SAML|Facebook|Google|LoginWithAmazon|SignInWithApple|OIDC"), ("ProviderDetails", "Ms"), ("AttributeMapping", "Ms"), ("IdpIdentifiers", "Ls"), ("LastModifiedDate", "t"), ("CreationDate", "t")]),
    ("DescribeIdentityProviderResponse", &[("IdentityProvider", "S:IdentityProviderType")]),
    ("UpdateIdentityProviderResponse", &[("IdentityProvider", "S:IdentityProviderType")]),
    ("ListIdentityProvidersResponse", &[("Providers", "LS:ProviderDescription"), ("NextToken", "s")]),
    ("ProviderDescription", &[("ProviderName", "s"), ("ProviderType", "e:SAML|Facebook|Google|LoginWithAmazon|SignInWithApple|OIDC"), ("LastModifiedDate", "t"), ("CreationDate", "t")]),
    ("GetIdentityProviderByIdentifierResponse", &[("IdentityProvider", "S:IdentityProviderType")]),
    ("CreateUserPoolDomainResponse", &[("ManagedLoginVersion", "i"), ("CloudFrontDomain", "s"), ("Routing", "S:RoutingType")]),
    ("RoutingType", &[("Failover", "S:FailoverType")]),
    ("FailoverType", &[("SecondaryRegion", "s"), ("PrimaryRoute53HealthCheckId", "s")]),
    ("UpdateUserPoolDomainResponse", &[("ManagedLoginVersion", "i"), ("CloudFrontDomain", "s"), ("Routing", "S:RoutingType")]),
    ("DescribeUserPoolDomainResponse", &[("DomainDescription", "S:DomainDescriptionType")]),
    ("DomainDescriptionType", &[("UserPoolId", "s"), ("AWSAccountId", "s"), ("Domain", "s"), ("S3Bucket", "s"), ("CloudFrontDistribution", "s"), ("Version", "s"), ("Status", "e:CREATING|DELETING|UPDATING|ACTIVE|FAILED"), ("CustomDomainConfig", "S:CustomDomainConfigType"), ("ManagedLoginVersion", "i"), ("Routing", "S:RoutingType")]),
    ("CustomDomainConfigType", &[("CertificateArn", "s"), ("SecurityPolicy", "e:TLS_V1|TLS_V1_2_2021|TLS_V1_3_2025")]),
    ("DeleteUserPoolDomainResponse", &[]),
];

/// Each operation's output structure (`None`: the operation has no output, the body is `{}`).
pub(crate) const OUTPUTS: &[(&str, Option<&str>)] = &[
    ("CreateUserPool", Some("CreateUserPoolResponse")),
    ("DescribeUserPool", Some("DescribeUserPoolResponse")),
    ("UpdateUserPool", Some("UpdateUserPoolResponse")),
    ("DeleteUserPool", None),
    ("ListUserPools", Some("ListUserPoolsResponse")),
    ("AddCustomAttributes", Some("AddCustomAttributesResponse")),
    ("SetUserPoolMfaConfig", Some("SetUserPoolMfaConfigResponse")),
    ("GetUserPoolMfaConfig", Some("GetUserPoolMfaConfigResponse")),
    ("TagResource", Some("TagResourceResponse")),
    ("UntagResource", Some("UntagResourceResponse")),
    ("ListTagsForResource", Some("ListTagsForResourceResponse")),
    ("CreateUserPoolClient", Some("CreateUserPoolClientResponse")),
    (
        "DescribeUserPoolClient",
        Some("DescribeUserPoolClientResponse"),
    ),
    ("UpdateUserPoolClient", Some("UpdateUserPoolClientResponse")),
    ("DeleteUserPoolClient", None),
    ("ListUserPoolClients", Some("ListUserPoolClientsResponse")),
    ("CreateGroup", Some("CreateGroupResponse")),
    ("GetGroup", Some("GetGroupResponse")),
    ("UpdateGroup", Some("UpdateGroupResponse")),
    ("DeleteGroup", None),
    ("ListGroups", Some("ListGroupsResponse")),
    ("CreateResourceServer", Some("CreateResourceServerResponse")),
    (
        "DescribeResourceServer",
        Some("DescribeResourceServerResponse"),
    ),
    ("UpdateResourceServer", Some("UpdateResourceServerResponse")),
    ("DeleteResourceServer", None),
    ("ListResourceServers", Some("ListResourceServersResponse")),
    (
        "CreateIdentityProvider",
        Some("CreateIdentityProviderResponse"),
    ),
    (
        "DescribeIdentityProvider",
        Some("DescribeIdentityProviderResponse"),
    ),
    (
        "UpdateIdentityProvider",
        Some("UpdateIdentityProviderResponse"),
    ),
    ("DeleteIdentityProvider", None),
    (
        "ListIdentityProviders",
        Some("ListIdentityProvidersResponse"),
    ),
    (
        "GetIdentityProviderByIdentifier",
        Some("GetIdentityProviderByIdentifierResponse"),
    ),
    ("CreateUserPoolDomain", Some("CreateUserPoolDomainResponse")),
    ("UpdateUserPoolDomain", Some("UpdateUserPoolDomainResponse")),
    (
        "DescribeUserPoolDomain",
        Some("DescribeUserPoolDomainResponse"),
    ),
    ("DeleteUserPoolDomain", Some("DeleteUserPoolDomainResponse")),
];

fn members(shape: &str) -> &'static [(&'static str, &'static str)] {
    SHAPES
        .iter()
        .find(|(n, _)| *n == shape)
        .map(|(_, m)| *m)
        .unwrap_or_else(|| panic!("no shape {shape} in the table"))
}

/// Panics unless `v` conforms to the kind `kind` (see the module docs).
pub(crate) fn conforms_kind(kind: &str, v: &Value, path: &str) {
    if let Some(name) = kind.strip_prefix("S:") {
        conforms(name, v, path);
    } else if let Some(inner) = kind.strip_prefix('L') {
        let items = v
            .as_array()
            .unwrap_or_else(|| panic!("{path}: expected a list, got {v}"));
        for (i, item) in items.iter().enumerate() {
            conforms_kind(inner, item, &format!("{path}[{i}]"));
        }
    } else if let Some(inner) = kind.strip_prefix('M') {
        let map = v
            .as_object()
            .unwrap_or_else(|| panic!("{path}: expected a map, got {v}"));
        for (k, item) in map {
            conforms_kind(inner, item, &format!("{path}.{k}"));
        }
    } else if let Some(values) = kind.strip_prefix("e:") {
        let s = v
            .as_str()
            .unwrap_or_else(|| panic!("{path}: expected an enum string, got {v}"));
        assert!(
            values.split('|').any(|e| e == s),
            "{path}: {s} is not one of {values}"
        );
    } else {
        let ok = match kind {
            "s" => v.is_string(),
            "i" => v.is_i64() || v.is_u64(),
            "b" => v.is_boolean(),
            "t" => v.is_number(),
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "{path}: expected kind {kind}, got {v}");
    }
}

/// Panics unless `v` is an object whose members all belong to `shape`, each of its kind.
pub(crate) fn conforms(shape: &str, v: &Value, path: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{path}: expected a {shape} object, got {v}"));
    let m = members(shape);
    for (k, item) in obj {
        let kind = m
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, kind)| *kind)
            .unwrap_or_else(|| panic!("{path}: {k} is not a member of {shape}"));
        conforms_kind(kind, item, &format!("{path}.{k}"));
    }
}

/// The output structure of an operation.
pub(crate) fn output_of(op: &str) -> Option<&'static str> {
    OUTPUTS
        .iter()
        .find(|(o, _)| *o == op)
        .unwrap_or_else(|| panic!("no operation {op} in the table"))
        .1
}
