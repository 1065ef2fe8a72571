//! Applying the declarative pools of the config file, and the demo pool of a first start.
//!
//! Pools, app clients, groups, resource servers and identity providers are written to the
//! store as model values (the config names fixed IDs, which the API's `CreateUserPool` cannot
//! take). Users go through the engine's own operations (`AdminCreateUser`, then
//! `AdminSetUserPassword` for a permanent password), so their password hash and SRP verifier
//! are made exactly as for any other user. Everything is idempotent: what exists is kept.

use std::fmt::Write as _;

use cognate_types::{
    ClientId, GroupName, IssuerUrl, ProviderName, RoleArn, Scope, Secret, SystemRandom, UserPoolId,
};
use cognate_userpool::api::{self, TARGET_PREFIX};
use cognate_userpool::model::{
    AliasAttribute, AppClient, ExplicitAuthFlow, Group, IdentityProvider, IdpType,
    MfaConfiguration, OAuthFlow, ResourceServer, ResourceServerScope, UserPool, UsernameAttribute,
    VerifiedAttribute,
};
use cognate_userpool::service::{generate_temporary_password, Caller, UserPools};
use cognate_userpool::store::{Conflict, StoreError};
use serde_json::{json, Value};

use crate::config::{ClientSpec, GroupSpec, IdpSpec, PoolSpec, ResourceServerSpec, UserSpec};

/// The access key ID recorded for the server's own admin calls.
const CONFIG_CALLER: &str = "cognate-config";

/// Why applying the config failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProvisionError {
    /// A value in the config is not valid.
    #[error("{at}: {message}")]
    Invalid {
        /// Where in the config, e.g. `pools[0].clients[1]`.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// The store failed.
    #[error("{at}: store: {source}")]
    Store {
        /// Where in the config.
        at: String,
        /// The store's error.
        source: StoreError,
    },
    /// An engine operation refused.
    #[error("{at}: {operation} failed: {error_type}: {message}")]
    Operation {
        /// Where in the config.
        at: String,
        /// The operation.
        operation: &'static str,
        /// The exception name.
        error_type: String,
        /// The exception message.
        message: String,
    },
}

fn invalid(at: &str, message: impl Into<String>) -> ProvisionError {
    ProvisionError::Invalid {
        at: at.to_owned(),
        message: message.into(),
    }
}

fn store_err(at: &str) -> impl FnOnce(StoreError) -> ProvisionError + '_ {
    move |source| ProvisionError::Store {
        at: at.to_owned(),
        source,
    }
}

/// What applying one pool did.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Records created (for the start-up log).
    pub(crate) created: Vec<String>,
    /// The clients of the pool spec, with their IDs.
    pub(crate) clients: Vec<(String, ClientId)>,
}

/// Applies every pool of the config.
pub(crate) fn apply_pools(
    engine: &UserPools,
    pools: &[PoolSpec],
) -> Result<Vec<Applied>, ProvisionError> {
    pools
        .iter()
        .enumerate()
        .map(|(i, p)| apply_pool(engine, p, &format!("pools[{i}]")))
        .collect()
}

fn parse_list<T>(
    at: &str,
    what: &str,
    values: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, ProvisionError> {
    values
        .iter()
        .map(|v| parse(v).ok_or_else(|| invalid(at, format!("unknown {what} {v:?}"))))
        .collect()
}

/// The pool record a spec describes.
fn pool_from_spec(
    engine: &UserPools,
    spec: &PoolSpec,
    at: &str,
) -> Result<UserPool, ProvisionError> {
    let id = UserPoolId::new(spec.id.as_str()).map_err(|e| invalid(at, e.to_string()))?;
    let name = spec.name.clone().unwrap_or_else(|| spec.id.clone());
    if name.is_empty() || name.chars().count() > 128 {
        return Err(invalid(at, "name must be 1 to 128 characters"));
    }
    let mut pool = UserPool::new(id.clone(), name, engine.now());
    pool.username_attributes = parse_list(
        at,
        "username attribute",
        &spec.username_attributes,
        UsernameAttribute::parse,
    )?;
    pool.alias_attributes = parse_list(
        at,
        "alias attribute",
        &spec.alias_attributes,
        AliasAttribute::parse,
    )?;
    if !pool.username_attributes.is_empty() && !pool.alias_attributes.is_empty() {
        return Err(invalid(
            at,
            "username_attributes and alias_attributes cannot both be set",
        ));
    }
    pool.auto_verified_attributes = parse_list(
        at,
        "auto-verified attribute",
        &spec.auto_verified_attributes,
        VerifiedAttribute::parse,
    )?;
    if let Some(m) = &spec.mfa {
        pool.mfa_configuration = MfaConfiguration::parse(m)
            .ok_or_else(|| invalid(at, format!("mfa must be OFF, OPTIONAL or ON, not {m:?}")))?;
    }
    pool.issuer = match spec.issuer.as_deref() {
        None => None,
        Some("cognito") => Some(IssuerUrl::cognito(&id)),
        Some(url) => Some(IssuerUrl::new(url).map_err(|e| invalid(at, e.to_string()))?),
    };
    Ok(pool)
}

fn apply_pool(engine: &UserPools, spec: &PoolSpec, at: &str) -> Result<Applied, ProvisionError> {
    let wanted = pool_from_spec(engine, spec, at)?;
    let store = engine.store();
    let mut applied = Applied::default();
    let pool = match store.get_pool(&wanted.id).map_err(store_err(at))? {
        Some(existing) => existing,
        None => {
            store.create_pool(&wanted).map_err(store_err(at))?;
            applied.created.push(format!("pool {}", wanted.id));
            wanted
        }
    };
    if let Some(domain) = &spec.domain {
        match pool.domain.as_deref() {
            Some(d) if d == domain => {}
            Some(d) => {
                return Err(invalid(
                    at,
                    format!("the pool already has the domain {d:?}; delete it first"),
                ))
            }
            None => {
                call(
                    engine,
                    "CreateUserPoolDomain",
                    &json!({ "UserPoolId": pool.id.as_str(), "Domain": domain }),
                    &format!("{at}.domain"),
                )?;
                applied.created.push(format!("domain {domain}"));
            }
        }
    }
    // Generates the pool's signing keys now rather than on the first request.
    engine
        .jwks_json(&pool)
        .map_err(|e| invalid(at, format!("signing keys: {}", e.message)))?;

    for (i, c) in spec.clients.iter().enumerate() {
        let at = format!("{at}.clients[{i}]");
        let (id, created) = apply_client(engine, &pool, c, &at)?;
        if created {
            applied.created.push(format!("client {} ({id})", c.name));
        }
        applied.clients.push((c.name.clone(), id));
    }
    for (i, g) in spec.groups.iter().enumerate() {
        let at = format!("{at}.groups[{i}]");
        if apply_group(engine, &pool, g, &at)? {
            applied.created.push(format!("group {}", g.name));
        }
    }
    for (i, r) in spec.resource_servers.iter().enumerate() {
        let at = format!("{at}.resource_servers[{i}]");
        if apply_resource_server(engine, &pool, r, &at)? {
            applied
                .created
                .push(format!("resource server {}", r.identifier));
        }
    }
    for (i, p) in spec.identity_providers.iter().enumerate() {
        let at = format!("{at}.identity_providers[{i}]");
        if apply_idp(engine, &pool, p, &at)? {
            applied
                .created
                .push(format!("identity provider {}", p.name));
        }
    }
    for (i, u) in spec.users.iter().enumerate() {
        let at = format!("{at}.users[{i}]");
        if apply_user(engine, &pool, u, &at)? {
            applied.created.push(format!("user {}", u.username));
        }
    }
    Ok(applied)
}

/// Creates the client unless it exists (by ID, or by name when no ID is given). Returns its
/// ID and whether it was created.
fn apply_client(
    engine: &UserPools,
    pool: &UserPool,
    spec: &ClientSpec,
    at: &str,
) -> Result<(ClientId, bool), ProvisionError> {
    let store = engine.store();
    if spec.name.is_empty() || spec.name.chars().count() > 128 {
        return Err(invalid(at, "name must be 1 to 128 characters"));
    }
    let id = match &spec.id {
        Some(id) => {
            let id = ClientId::new(id.as_str()).map_err(|e| invalid(at, e.to_string()))?;
            if let Some(existing) = store.get_client(&id).map_err(store_err(at))? {
                if existing.pool != pool.id {
                    return Err(invalid(
                        at,
                        format!("client {id} already exists in pool {}", existing.pool),
                    ));
                }
                return Ok((id, false));
            }
            id
        }
        None => {
            let mut after: Option<String> = None;
            loop {
                let page = store
                    .list_clients(&pool.id, after.as_deref(), 60)
                    .map_err(store_err(at))?;
                if let Some(c) = page.iter().find(|c| c.name == spec.name) {
                    return Ok((c.client_id.clone(), false));
                }
                match page.last() {
                    Some(last) if page.len() == 60 => {
                        after = Some(last.client_id.as_str().to_owned());
                    }
                    _ => break,
                }
            }
            ClientId::generate(&SystemRandom).map_err(|e| invalid(at, e.to_string()))?
        }
    };
    let mut client = AppClient::new(pool.id.clone(), id.clone(), spec.name.clone(), engine.now());
    if let Some(secret) = &spec.secret {
        let s = secret.expose();
        let ok = (24..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
        if !ok {
            return Err(invalid(
                at,
                "secret must be 24 to 64 characters of [A-Za-z0-9_+] (Cognito's rule)",
            ));
        }
        client.secret = Some(Secret::new(s.to_owned()));
    }
    if let Some(flows) = &spec.auth_flows {
        let flows = parse_list(at, "auth flow", flows, ExplicitAuthFlow::parse)?;
        let legacy = flows.iter().filter(|f| f.is_legacy()).count();
        if legacy != 0 && legacy != flows.len() {
            return Err(invalid(
                at,
                "ALLOW_* auth flows cannot be mixed with the legacy names",
            ));
        }
        client.explicit_auth_flows = flows;
    }
    client.callback_urls = spec.callback_urls.clone();
    client.logout_urls = spec.logout_urls.clone();
    client.default_redirect_uri = None;
    client.allowed_oauth_flows = parse_list(at, "OAuth flow", &spec.oauth_flows, OAuthFlow::parse)?;
    client.allowed_oauth_scopes = spec
        .oauth_scopes
        .iter()
        .map(|s| Scope::new(s.as_str()).map_err(|e| invalid(at, e.to_string())))
        .collect::<Result<_, _>>()?;
    client.allowed_oauth_flows_user_pool_client = !client.allowed_oauth_flows.is_empty();
    client.supported_identity_providers = spec.identity_providers.clone();
    match store.create_client(&client) {
        Ok(()) => Ok((id, true)),
        Err(StoreError::Conflict(Conflict::Client)) => Ok((id, false)),
        Err(e) => Err(store_err(at)(e)),
    }
}

fn apply_group(
    engine: &UserPools,
    pool: &UserPool,
    spec: &GroupSpec,
    at: &str,
) -> Result<bool, ProvisionError> {
    let name = GroupName::new(spec.name.as_str()).map_err(|e| invalid(at, e.to_string()))?;
    let now = engine.now();
    let group = Group {
        pool: pool.id.clone(),
        name,
        description: spec.description.clone(),
        precedence: spec.precedence,
        role_arn: spec
            .role_arn
            .as_deref()
            .map(RoleArn::new)
            .transpose()
            .map_err(|e| invalid(at, e.to_string()))?,
        created: now,
        modified: now,
    };
    created_unless(engine.store().create_group(&group), Conflict::Group, at)
}

fn apply_resource_server(
    engine: &UserPools,
    pool: &UserPool,
    spec: &ResourceServerSpec,
    at: &str,
) -> Result<bool, ProvisionError> {
    if spec.identifier.is_empty() || spec.identifier.len() > 256 {
        return Err(invalid(at, "identifier must be 1 to 256 characters"));
    }
    for name in spec.scopes.keys() {
        Scope::new(format!("{}/{name}", spec.identifier))
            .map_err(|e| invalid(at, format!("scope {name:?}: {e}")))?;
    }
    let rs = ResourceServer {
        pool: pool.id.clone(),
        identifier: spec.identifier.clone(),
        name: spec.name.clone(),
        scopes: spec
            .scopes
            .iter()
            .map(|(name, description)| ResourceServerScope {
                name: name.clone(),
                description: description.clone(),
            })
            .collect(),
    };
    created_unless(
        engine.store().create_resource_server(&rs),
        Conflict::ResourceServer,
        at,
    )
}

fn apply_idp(
    engine: &UserPools,
    pool: &UserPool,
    spec: &IdpSpec,
    at: &str,
) -> Result<bool, ProvisionError> {
    let name = ProviderName::new(spec.name.as_str()).map_err(|e| invalid(at, e.to_string()))?;
    let provider_type = IdpType::parse(&spec.provider_type).ok_or_else(|| {
        invalid(
            at,
            format!("unknown identity provider type {:?}", spec.provider_type),
        )
    })?;
    let now = engine.now();
    let idp = IdentityProvider {
        pool: pool.id.clone(),
        name,
        provider_type,
        details: spec.details.clone(),
        attribute_mapping: spec.attribute_mapping.clone(),
        idp_identifiers: spec.identifiers.clone(),
        created: now,
        modified: now,
    };
    created_unless(
        engine.store().create_identity_provider(&idp),
        Conflict::IdentityProvider,
        at,
    )
}

fn created_unless(
    r: Result<(), StoreError>,
    exists: Conflict,
    at: &str,
) -> Result<bool, ProvisionError> {
    match r {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(c)) if c == exists => Ok(false),
        Err(e) => Err(store_err(at)(e)),
    }
}

/// Calls one operation of the engine as the server itself (an admin caller).
fn call(
    engine: &UserPools,
    operation: &'static str,
    request: &Value,
    at: &str,
) -> Result<Value, ProvisionError> {
    let caller = Caller::Admin {
        access_key_id: CONFIG_CALLER.to_owned(),
    };
    let target = format!("{TARGET_PREFIX}{operation}");
    let r = api::handle(engine, &target, request.to_string().as_bytes(), &caller);
    let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    if r.status == 200 {
        return Ok(body);
    }
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Err(ProvisionError::Operation {
        at: at.to_owned(),
        operation,
        error_type: r.error_type.unwrap_or("error").to_owned(),
        message: message.to_owned(),
    })
}

/// Creates the user unless it exists; returns whether it was created. Group memberships are
/// added either way.
fn apply_user(
    engine: &UserPools,
    pool: &UserPool,
    spec: &UserSpec,
    at: &str,
) -> Result<bool, ProvisionError> {
    let store = engine.store();
    let exists = store
        .get_user(pool, &spec.username)
        .map_err(store_err(at))?
        .is_some();
    let mut created = false;
    if !exists {
        let (temporary, permanent) = match (&spec.password, &spec.temporary_password) {
            (Some(p), None) => (None, Some(p)),
            (None, Some(t)) => (Some(t), None),
            _ => {
                return Err(invalid(
                    at,
                    "give exactly one of password (permanent) or temporary_password",
                ))
            }
        };
        let attributes: Vec<Value> = spec
            .attributes
            .iter()
            .map(|(k, v)| json!({ "Name": k, "Value": v }))
            .collect();
        let mut request = json!({
            "UserPoolId": pool.id.as_str(),
            "Username": spec.username,
            "UserAttributes": attributes,
            "MessageAction": "SUPPRESS",
        });
        if let (Some(t), Some(obj)) = (temporary, request.as_object_mut()) {
            obj.insert("TemporaryPassword".into(), Value::from(t.expose().as_str()));
        }
        call(engine, "AdminCreateUser", &request, at)?;
        if let Some(p) = permanent {
            let request = json!({
                "UserPoolId": pool.id.as_str(),
                "Username": spec.username,
                "Password": p.expose(),
                "Permanent": true,
            });
            call(engine, "AdminSetUserPassword", &request, at)?;
        }
        created = true;
    }
    // The user's stored username (pools with username attributes store a generated one).
    let user = engine
        .user_for_sign_in(pool, &spec.username)
        .map_err(|e| invalid(at, format!("user not found after creation: {}", e.message)))?;
    for g in &spec.groups {
        store
            .add_user_to_group(pool, user.username.as_str(), g)
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    invalid(at, format!("group {g:?} is not declared in this pool"))
                }
                e => store_err(at)(e),
            })?;
    }
    Ok(created)
}

/// What the first start created, to print.
#[derive(Debug)]
pub(crate) struct Demo {
    /// The pool.
    pub(crate) pool: UserPoolId,
    /// The app client (no secret).
    pub(crate) client: ClientId,
    /// The demo user's username.
    pub(crate) username: String,
    /// The demo user's password.
    pub(crate) password: Secret<String>,
    /// The pool's domain (hosted sign-in pages).
    pub(crate) domain: String,
}

/// The demo client's registered callback (an app on port 3000 would receive the code).
pub(crate) const DEMO_CALLBACK: &str = "http://localhost:3000/callback";

/// RFC 7636 appendix B's PKCE pair, printed with the demo sign-in URL (the demo client has
/// no secret, so it must use PKCE).
pub(crate) const DEMO_PKCE: (&str, &str) = (
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
);

/// On an empty store, creates a demo pool, an app client without a secret and a confirmed
/// user with a random password, through the engine's own operations (`CreateUserPool`,
/// `CreateUserPoolClient`, `AdminCreateUser`, `AdminSetUserPassword`). Returns `None` when the
/// store already has a pool.
pub(crate) fn ensure_demo(engine: &UserPools) -> Result<Option<Demo>, ProvisionError> {
    let at = "demo";
    let store = engine.store();
    if !store.list_pools(None, 1).map_err(store_err(at))?.is_empty() {
        return Ok(None);
    }
    let created = call(
        engine,
        "CreateUserPool",
        &json!({ "PoolName": "demo", "AutoVerifiedAttributes": ["email"] }),
        at,
    )?;
    let pool_id = created
        .pointer("/UserPool/Id")
        .and_then(Value::as_str)
        .and_then(|id| UserPoolId::new(id).ok())
        .ok_or_else(|| invalid(at, "CreateUserPool returned no pool ID"))?;
    let created = call(
        engine,
        "CreateUserPoolClient",
        &json!({
            "UserPoolId": pool_id.as_str(),
            "ClientName": "demo-app",
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [DEMO_CALLBACK],
            "LogoutURLs": ["http://localhost:3000/"],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
        at,
    )?;
    let client = created
        .pointer("/UserPoolClient/ClientId")
        .and_then(Value::as_str)
        .and_then(|id| ClientId::new(id).ok())
        .ok_or_else(|| invalid(at, "CreateUserPoolClient returned no client ID"))?;
    let domain = "demo".to_owned();
    call(
        engine,
        "CreateUserPoolDomain",
        &json!({ "UserPoolId": pool_id.as_str(), "Domain": domain }),
        at,
    )?;
    let pool = store
        .get_pool(&pool_id)
        .map_err(store_err(at))?
        .ok_or_else(|| invalid(at, "demo pool missing"))?;
    let password = generate_temporary_password(&pool.password_policy, &SystemRandom)
        .map_err(|e| invalid(at, e.message))?;
    let username = "demo".to_owned();
    let user = UserSpec {
        username: username.clone(),
        password: Some(Secret::new(password.clone())),
        attributes: [
            ("email".to_owned(), "demo@example.com".to_owned()),
            ("email_verified".to_owned(), "true".to_owned()),
        ]
        .into(),
        ..UserSpec::default()
    };
    apply_user(engine, &pool, &user, at)?;
    Ok(Some(Demo {
        pool: pool_id,
        client,
        username,
        password: Secret::new(password),
        domain,
    }))
}

/// The text printed after the demo pool was created.
pub(crate) fn demo_banner(demo: &Demo, base_url: &str, issuer: &IssuerUrl) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "First start: created a demo user pool.");
    let _ = writeln!(s, "  pool id:    {}", demo.pool);
    let _ = writeln!(s, "  client id:  {} (no secret)", demo.client);
    let _ = writeln!(s, "  username:   {}", demo.username);
    let _ = writeln!(s, "  password:   {}", demo.password.expose());
    let _ = writeln!(s, "  issuer:     {issuer}");
    let _ = writeln!(
        s,
        "  JWKS:       {}/{}/.well-known/jwks.json",
        base_url, demo.pool
    );
    let _ = writeln!(
        s,
        "  sign-in:    {base_url}/{}/login?client_id={}&response_type=code&scope=openid+email&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        demo.domain, demo.client, DEMO_CALLBACK, DEMO_PKCE.1
    );
    let _ = writeln!(
        s,
        "              (the code goes to {DEMO_CALLBACK}; redeem it at {base_url}/{}/oauth2/token with code_verifier={})",
        demo.domain, DEMO_PKCE.0
    );
    let _ = writeln!(s, "Try:");
    let _ = write!(
        s,
        "  aws cognito-idp initiate-auth --endpoint-url {base_url} --region us-east-1 \\\n    \
         --client-id {} --auth-flow USER_PASSWORD_AUTH \\\n    \
         --auth-parameters USERNAME={},PASSWORD='<password>'",
        demo.client, demo.username
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn engine() -> UserPools {
        UserPools::builder(cognate_userpool::store::Store::memory())
            .config(cognate_userpool::service::UserPoolsConfig {
                hasher: cognate_userpool::service::PasswordHasher::insecure_fast_for_tests(),
                ..Default::default()
            })
            .build()
    }

    #[test]
    fn pools_clients_groups_are_created_once() {
        let engine = engine();
        let config = Config::parse(
            r#"
            [[pools]]
            id = "us-east-1_Conf1"
            issuer = "cognito"
            mfa = "OPTIONAL"
            [[pools.clients]]
            id = "fixedclient"
            name = "fixed"
            auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            [[pools.clients]]
            name = "generated"
            [[pools.groups]]
            name = "admins"
            precedence = 1
            [[pools.resource_servers]]
            identifier = "https://api.example.com"
            name = "api"
            scopes = { read = "Read" }
            [[pools.identity_providers]]
            name = "Corp"
            type = "OIDC"
            details = { client_id = "abc" }
            "#,
        )
        .unwrap();
        let first = apply_pools(&engine, &config.pools).unwrap();
        assert_eq!(first[0].created.len(), 6, "{:?}", first[0].created);
        let second = apply_pools(&engine, &config.pools).unwrap();
        assert!(second[0].created.is_empty(), "{:?}", second[0].created);
        assert_eq!(first[0].clients, second[0].clients);

        let pool = engine.pool("us-east-1_Conf1").unwrap();
        assert_eq!(pool.mfa_configuration, MfaConfiguration::Optional);
        assert_eq!(
            engine.issuer_for(&pool).unwrap().as_str(),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Conf1"
        );
        let (c, _) = engine.client("fixedclient").unwrap();
        assert!(c.allows(ExplicitAuthFlow::AllowUserPasswordAuth));
        assert!(!c.allows(ExplicitAuthFlow::AllowUserSrpAuth));
        assert!(engine
            .store()
            .get_group(&pool.id, "admins")
            .unwrap()
            .is_some());
    }

    #[test]
    fn invalid_values_name_their_place() {
        let engine = engine();
        for (toml, needle) in [
            ("[[pools]]\nid = \"nounderscore\"", "pools[0]"),
            (
                "[[pools]]\nid = \"us-east-1_A\"\nmfa = \"SOMETIMES\"",
                "mfa must be",
            ),
            (
                "[[pools]]\nid = \"us-east-1_A\"\n[[pools.clients]]\nname = \"c\"\nauth_flows = [\"ALLOW_NOPE\"]",
                "pools[0].clients[0]: unknown auth flow",
            ),
            (
                "[[pools]]\nid = \"us-east-1_A\"\n[[pools.clients]]\nname = \"c\"\nauth_flows = [\"USER_PASSWORD_AUTH\", \"ALLOW_USER_SRP_AUTH\"]",
                "cannot be mixed",
            ),
            (
                "[[pools]]\nid = \"us-east-1_A\"\n[[pools.clients]]\nname = \"c\"\nsecret = \"short\"",
                "secret must be",
            ),
            (
                "[[pools]]\nid = \"us-east-1_A\"\n[[pools.users]]\nusername = \"u\"",
                "exactly one of password",
            ),
        ] {
            let config = Config::parse(toml).unwrap();
            let e = apply_pools(&engine, &config.pools).unwrap_err().to_string();
            assert!(e.contains(needle), "{toml}: {e}");
            assert!(!e.contains("short"), "secret echoed: {e}");
        }
    }

    #[test]
    fn a_client_id_of_another_pool_is_refused() {
        let engine = engine();
        let config = Config::parse(
            "[[pools]]\nid = \"us-east-1_A\"\n[[pools.clients]]\nid = \"same\"\nname = \"c\"\n\
             [[pools]]\nid = \"us-east-1_B\"\n[[pools.clients]]\nid = \"same\"\nname = \"c\"\n",
        )
        .unwrap();
        let e = apply_pools(&engine, &config.pools).unwrap_err().to_string();
        assert!(
            e.contains("pools[1].clients[0]: client same already exists"),
            "{e}"
        );
    }

    #[test]
    fn demo_only_on_an_empty_store() {
        let engine = engine();
        let demo = ensure_demo(&engine).unwrap().unwrap();
        let (client, pool) = engine.client(demo.client.as_str()).unwrap();
        assert_eq!(pool.id, demo.pool);
        assert!(client.secret.is_none());
        for f in [
            ExplicitAuthFlow::AllowUserPasswordAuth,
            ExplicitAuthFlow::AllowUserSrpAuth,
            ExplicitAuthFlow::AllowRefreshTokenAuth,
        ] {
            assert!(client.allows(f));
        }
        assert!(ensure_demo(&engine).unwrap().is_none());
        let user = engine.user_by_username(&pool, "demo").unwrap();
        assert_eq!(user.status, cognate_userpool::model::UserStatus::Confirmed);
        let signed_in = api::handle(
            &engine,
            &format!("{TARGET_PREFIX}InitiateAuth"),
            json!({
                "ClientId": demo.client.as_str(),
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "demo", "PASSWORD": demo.password.expose() },
            })
            .to_string()
            .as_bytes(),
            &Caller::Anonymous,
        );
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let banner = demo_banner(
            &demo,
            "http://127.0.0.1:9229",
            &engine.issuer_for(&pool).unwrap(),
        );
        assert!(banner.contains(demo.pool.as_str()));
        assert!(banner.contains("--endpoint-url http://127.0.0.1:9229"));
        assert!(banner.contains("http://127.0.0.1:9229/demo/login?client_id="));
        assert_eq!(pool.domain.as_deref(), Some("demo"));
        assert!(client.allowed_oauth_flows_user_pool_client);
    }
}
