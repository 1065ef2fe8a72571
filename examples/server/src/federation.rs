//! SAML 2.0 federation of `cognate serve` (cognate-saml behind cognate-oauth2's `Federation`):
//!
//! - `/oauth2/authorize?identity_provider=X` (or `idp_identifier`, or the e-mail domain on the
//!   sign-in page) sends the browser to the IdP with an AuthnRequest; the request's state and
//!   the authorization parameters wait in the store under the RelayState.
//! - `POST /saml2/idpresponse` validates the response (every check of cognate-saml, the
//!   assertion ID accepted once across the server), creates or updates the user
//!   `{Provider}_{NameID}` and ends the authorization with a code; an error goes to the app as
//!   `error=server_error&error_description=Invalid SAML response received: ...`. A response
//!   the IdP sent unasked (IdP-initiated, when the provider has `IDPInit`) carries the
//!   authorization parameters in its RelayState.
//! - `/logout` for a user who came through an IdP with `IDPSignout` sends a signed
//!   LogoutRequest to the IdP, whose LogoutResponse comes back by `POST /saml2/logout`; a
//!   LogoutRequest the IdP posts there signs the user out and is answered.
//! - `GET /saml2/metadata?identity_provider=X`: the SP metadata to give the IdP's
//!   administrator (Cognito has no such endpoint; its console builds the same document).
//!
//! The SP keys (one signing and one encryption key per pool, RSA-2048 with ten-year
//! self-signed certificates, as Cognito makes them) live in `DATA/saml/`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognate_oauth2::{
    AuthenticatedUser, AuthorizationServer, ClientRegistry as _, Federation, HostError,
    OAuthClient, Params, ProviderButton, UpstreamError,
};
use cognate_saml::{
    IdpMetadata, IdpOptions, PendingLogout, PendingSignIn, ReplayCache, SamlError, SamlIdentity,
    SamlSession, ServiceProvider, SpEndpoints, SpKey, SpKeys,
};
use cognate_types::{Clock, SystemClock, SystemRandom, UnixTime, UserPoolId};
use cognate_userpool::model::{IdentityProvider, IdpType};
use cognate_userpool::service::{
    AdminUserGlobalSignOutRequest, CognitoError, FederatedSignIn, ProviderSupport, UserPools,
};
use cognate_userpool::store::EphemeralKind;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::hosted::PoolHost;

/// The directory under the data directory holding the pools' SAML keys.
pub(crate) const KEY_DIR: &str = "saml";

/// How long the SP certificates are valid (Cognito: ten years).
const CERT_VALIDITY: Duration = Duration::from_secs(10 * 365 * 86_400);

/// The largest `/saml2/*` request body: a 100,000-character SAMLResponse, percent-encoded.
pub(crate) const MAX_SAML_BODY: usize = 320 * 1024;

type Resp = http::Response<Vec<u8>>;

// ---- keys ---------------------------------------------------------------------------------

/// A pool's SAML keys.
pub(crate) struct PoolSamlKeys {
    signing: SpKey,
    encryption: SpKey,
}

/// The pools' SAML keys: read from `DATA/saml/{poolId}-{signing|encryption}.pem` (private
/// key, then certificate), created on first use.
pub(crate) struct SamlKeys {
    dir: PathBuf,
    cache: Mutex<HashMap<UserPoolId, Arc<PoolSamlKeys>>>,
}

impl SamlKeys {
    pub(crate) fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join(KEY_DIR),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The keys of `pool`, created if it has none yet.
    pub(crate) fn for_pool(&self, pool: &UserPoolId) -> Result<Arc<PoolSamlKeys>, String> {
        // Held while generating, so two requests never make two different keys.
        let mut cache = self.cache.lock().map_err(|_| "SAML key cache poisoned")?;
        if let Some(k) = cache.get(pool) {
            return Ok(k.clone());
        }
        let keys = Arc::new(PoolSamlKeys {
            signing: self.load_or_create(pool, "signing")?,
            encryption: self.load_or_create(pool, "encryption")?,
        });
        cache.insert(pool.clone(), keys.clone());
        Ok(keys)
    }

    fn load_or_create(&self, pool: &UserPoolId, role: &str) -> Result<SpKey, String> {
        let path = self.dir.join(format!("{pool}-{role}.pem"));
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let at = text
                    .find("-----BEGIN CERTIFICATE-----")
                    .ok_or_else(|| fail(&"no certificate"))?;
                let (key, cert) = text.split_at(at);
                SpKey::from_pem(key.as_bytes(), cert).map_err(|e| fail(&e))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SpKey::generate(
                    &format!("{pool} SAML {role}"),
                    SystemClock.now(),
                    CERT_VALIDITY,
                )
                .map_err(|e| fail(&e))?;
                let (key_pem, cert_pem) = key.to_pem().map_err(|e| fail(&e))?;
                write_private(&self.dir, &path, &format!("{}{cert_pem}", key_pem.expose()))
                    .map_err(|e| fail(&e))?;
                tracing::info!(pool = %pool, role, "created SAML key");
                Ok(key)
            }
            Err(e) => Err(fail(&e)),
        }
    }
}

/// Writes `text` to `path` (mode 0600) through a temporary file and a rename, so a reader
/// never sees half a key.
fn write_private(dir: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)?;
    let tmp = path.with_extension("pem.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

// ---- provider configuration ---------------------------------------------------------------

fn flag(details: &BTreeMap<String, String>, name: &str) -> bool {
    details.get(name).is_some_and(|v| v == "true")
}

/// The options of a SAML provider's `ProviderDetails`.
fn idp_options(details: &BTreeMap<String, String>) -> IdpOptions {
    IdpOptions {
        sign_requests: details
            .get("RequestSigningAlgorithm")
            .is_some_and(|v| v == "rsa-sha256"),
        encrypted_responses: flag(details, "EncryptedResponses"),
        idp_initiated: flag(details, "IDPInit"),
        idp_signout: flag(details, "IDPSignout"),
        ..IdpOptions::default()
    }
}

/// Checks SAML `ProviderDetails` at CreateIdentityProvider / UpdateIdentityProvider, and
/// answers GetSigningCertificate.
pub(crate) struct SamlSupport {
    keys: Arc<SamlKeys>,
}

impl SamlSupport {
    pub(crate) fn new(keys: Arc<SamlKeys>) -> Self {
        Self { keys }
    }
}

impl ProviderSupport for SamlSupport {
    fn prepare_details(
        &self,
        pool: &UserPoolId,
        provider_type: IdpType,
        details: &mut BTreeMap<String, String>,
    ) -> Result<(), String> {
        if provider_type != IdpType::Saml {
            return Ok(());
        }
        if details.get("MetadataURL").is_some_and(|v| !v.is_empty()) {
            return Err(
                "MetadataURL is not supported by this server: give the IdP's metadata \
                        document as MetadataFile."
                    .to_owned(),
            );
        }
        for name in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
            if let Some(v) = details.get(name) {
                if v != "true" && v != "false" {
                    return Err(format!("ProviderDetails {name} must be true or false."));
                }
            }
        }
        if let Some(v) = details.get("RequestSigningAlgorithm") {
            if v != "rsa-sha256" {
                return Err("ProviderDetails RequestSigningAlgorithm must be rsa-sha256.".into());
            }
        }
        let file = details
            .get("MetadataFile")
            .map(String::as_str)
            .unwrap_or("");
        let metadata = IdpMetadata::parse(file)
            .map_err(|e| format!("Unable to parse the SAML metadata: {e}"))?;
        metadata
            .check_certificates_current(SystemClock.now())
            .map_err(|e| format!("The IdP's signing certificate cannot be used: {e}"))?;
        let sso = metadata.sso_redirect.as_ref().ok_or(
            "The SAML metadata has no SingleSignOnService with the HTTP-Redirect binding.",
        )?;
        details.insert("SSORedirectBindingURI".into(), sso.to_string());
        if let Some(slo) = &metadata.slo_redirect {
            details.insert("SLORedirectBindingURI".into(), slo.to_string());
        } else if flag(details, "IDPSignout") {
            return Err(
                "IDPSignout needs a SingleLogoutService with the HTTP-Redirect binding in the \
                 SAML metadata."
                    .into(),
            );
        }
        if flag(details, "EncryptedResponses") {
            let keys = self.keys.for_pool(pool)?;
            details.insert(
                "ActiveEncryptionCertificate".into(),
                keys.encryption.certificate().to_base64(),
            );
        }
        Ok(())
    }

    fn signing_certificate(&self, pool: &UserPoolId) -> Result<String, String> {
        Ok(self.keys.for_pool(pool)?.signing.certificate().to_base64())
    }
}

// ---- the flows ----------------------------------------------------------------------------

/// A sign-in at an IdP in flight, under its RelayState.
#[derive(Serialize, Deserialize)]
struct SignInRecord {
    provider: String,
    pending: PendingSignIn,
    authorize_query: String,
}

/// A logout at an IdP in flight, under its RelayState.
#[derive(Serialize, Deserialize)]
struct LogoutRecord {
    provider: String,
    pending: PendingLogout,
    continue_to: String,
}

/// What single logout needs, kept with the user's session (`AuthenticatedUser::upstream`).
#[derive(Serialize, Deserialize)]
struct Upstream {
    provider: String,
    session: SamlSession,
}

/// A parsed provider with the `ProviderDetails` it was parsed from (compared whole: an update
/// within the same second as the last one must not leave the old metadata in use).
type CachedSp = (BTreeMap<String, String>, Arc<ServiceProvider>);

/// The SAML side of one pool domain.
pub(crate) struct PoolFederation {
    engine: UserPools,
    pool: UserPoolId,
    host: Arc<PoolHost>,
    endpoints: SpEndpoints,
    keys: Arc<SamlKeys>,
    providers: Mutex<HashMap<String, CachedSp>>,
}

fn host_err(e: impl std::fmt::Display) -> HostError {
    HostError::new(e.to_string())
}

impl PoolFederation {
    pub(crate) fn new(
        engine: UserPools,
        pool: UserPoolId,
        host: Arc<PoolHost>,
        base_url: &str,
        keys: Arc<SamlKeys>,
    ) -> Result<Self, CognitoError> {
        let base = url::Url::parse(base_url)
            .map_err(|e| CognitoError::invalid_parameter(format!("{base_url}: {e}")))?;
        let endpoints = SpEndpoints::cognito(&pool, &base)
            .map_err(|e| CognitoError::invalid_parameter(e.to_string()))?;
        Ok(Self {
            engine,
            pool,
            host,
            endpoints,
            keys,
            providers: Mutex::new(HashMap::new()),
        })
    }

    fn record_key(&self, what: &str, id: &str) -> String {
        format!("{}/{what}/{id}", self.pool)
    }

    /// A SAML provider of the pool, by name.
    fn saml_provider(&self, name: &str) -> Result<Option<IdentityProvider>, HostError> {
        Ok(self
            .engine
            .store()
            .get_identity_provider(&self.pool, name)
            .map_err(host_err)?
            .filter(|p| p.provider_type == IdpType::Saml))
    }

    /// The service provider for a SAML provider, parsed once per version of its settings.
    fn service_provider(&self, idp: &IdentityProvider) -> Result<Arc<ServiceProvider>, HostError> {
        let name = idp.name.as_str();
        if let Ok(cache) = self.providers.lock() {
            if let Some((details, sp)) = cache.get(name) {
                if *details == idp.details {
                    return Ok(sp.clone());
                }
            }
        }
        let file = idp.details.get("MetadataFile").map_or("", String::as_str);
        let metadata = IdpMetadata::parse(file).map_err(host_err)?;
        let keys = self.keys.for_pool(&self.pool).map_err(HostError::new)?;
        let sp = Arc::new(
            ServiceProvider::new(
                self.endpoints.clone(),
                metadata,
                idp_options(&idp.details),
                SpKeys {
                    signing: Some(keys.signing.clone()),
                    decryption: vec![keys.encryption.clone()],
                },
            )
            .map_err(host_err)?,
        );
        if let Ok(mut cache) = self.providers.lock() {
            cache.insert(name.to_owned(), (idp.details.clone(), sp.clone()));
        }
        Ok(sp)
    }

    /// Handles `/saml2/idpresponse`, `/saml2/logout` and `/saml2/metadata` (`path` relative
    /// to the domain); `None` for any other path.
    pub(crate) fn handle(
        &self,
        server: &AuthorizationServer,
        path: &str,
        req: &http::Request<Vec<u8>>,
    ) -> Option<Resp> {
        let method = req.method();
        Some(match path {
            "/saml2/idpresponse" if method == http::Method::POST => {
                self.idp_response(server, req.body())
            }
            "/saml2/logout" if method == http::Method::POST => self.logout(server, req.body()),
            "/saml2/metadata" if method == http::Method::GET => self.metadata(req.uri().query()),
            "/saml2/idpresponse" | "/saml2/logout" => plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "this endpoint takes the HTTP-POST binding",
            ),
            "/saml2/metadata" => plain(StatusCode::METHOD_NOT_ALLOWED, "GET only"),
            _ => return None,
        })
    }

    /// `POST /saml2/idpresponse`.
    fn idp_response(&self, server: &AuthorizationServer, body: &[u8]) -> Resp {
        let Some(form) = saml_form(body) else {
            return error_page(server, "invalid_request");
        };
        let Some(saml_response) = form.get("SAMLResponse") else {
            return error_page(server, "invalid_request");
        };
        let relay = form.get("RelayState").map(String::as_str);
        let now = SystemClock.now();
        // A sign-in this server started.
        if let Some(r) = relay {
            let taken = self.engine.store().take_ephemeral(
                EphemeralKind::Federation,
                &self.record_key("sso", r),
                now,
            );
            match taken {
                Ok(Some(bytes)) => {
                    let Ok(rec) = serde_json::from_slice::<SignInRecord>(&bytes) else {
                        return error_page(server, "server_error");
                    };
                    let sp = match self.saml_provider(&rec.provider) {
                        Ok(Some(idp)) => match self.service_provider(&idp) {
                            Ok(sp) => sp,
                            Err(e) => return self.broken(server, &rec.authorize_query, &e),
                        },
                        Ok(None) => {
                            return server.fail(
                                &rec.authorize_query,
                                UpstreamError::ServerError,
                                "The identity provider no longer exists.",
                            )
                        }
                        Err(e) => return self.broken(server, &rec.authorize_query, &e),
                    };
                    return match sp.finish_sign_in(
                        saml_response,
                        Some(r),
                        Some(&rec.pending),
                        &StoreReplay(self),
                        &SystemClock,
                    ) {
                        Ok(identity) => {
                            self.signed_in(server, &rec.authorize_query, &rec.provider, identity)
                        }
                        Err(e) => self.refused(server, &rec.authorize_query, &e),
                    };
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, "SAML sign-in state lookup failed");
                    return error_page(server, "server_error");
                }
            }
        }
        self.idp_initiated(server, saml_response, relay)
    }

    /// A response the IdP sent unasked: its RelayState holds the authorization parameters.
    /// Every failure ends on the error page, never at a URL the RelayState names.
    fn idp_initiated(
        &self,
        server: &AuthorizationServer,
        saml_response: &str,
        relay: Option<&str>,
    ) -> Resp {
        let Some(query) = relay else {
            tracing::warn!("SAML response without RelayState and no sign-in in flight");
            return error_page(server, "invalid_request");
        };
        let Ok(params) = Params::parse(query.as_bytes()) else {
            return error_page(server, "invalid_request");
        };
        let client = match params.get("client_id").map(|c| self.host.client(c)) {
            Some(Ok(Some(c))) => c,
            Some(Err(e)) => {
                tracing::error!(error = %e, "client lookup failed");
                return error_page(server, "server_error");
            }
            _ => return error_page(server, "invalid_client"),
        };
        let provider = match (
            params.get("identity_provider"),
            params.get("idp_identifier"),
        ) {
            (Some(p), _) => Some(p.to_owned()),
            (None, Some(i)) => self.route(&client, i).ok().flatten(),
            (None, None) => None,
        };
        let Some(provider) = provider.filter(|p| client.supports_provider(p)) else {
            tracing::warn!("IdP-initiated SAML response for a provider the client does not use");
            return error_page(server, "invalid_request");
        };
        let sp = match self.saml_provider(&provider) {
            Ok(Some(idp)) => match self.service_provider(&idp) {
                Ok(sp) => sp,
                Err(e) => {
                    tracing::error!(error = %e, "SAML provider configuration");
                    return error_page(server, "server_error");
                }
            },
            _ => return error_page(server, "invalid_request"),
        };
        match sp.finish_sign_in(
            saml_response,
            Some(query),
            None,
            &StoreReplay(self),
            &SystemClock,
        ) {
            Ok(identity) => self.signed_in(server, query, &provider, identity),
            Err(e) => {
                tracing::warn!(error = %e, provider, "IdP-initiated SAML response refused");
                error_page(server, "invalid_request")
            }
        }
    }

    /// The response was valid: the federated user signs in.
    fn signed_in(
        &self,
        server: &AuthorizationServer,
        authorize_query: &str,
        provider: &str,
        identity: SamlIdentity,
    ) -> Resp {
        let attributes: BTreeMap<String, String> = identity
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.cognito_value()))
            .collect();
        let sign_in = FederatedSignIn {
            provider,
            user_id: &identity.name_id.value,
            issuer: Some(identity.issuer.as_str()),
            attributes: &attributes,
        };
        let user = match self.engine.federated_sign_in(self.pool.as_str(), &sign_in) {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, provider, "federated user refused");
                return server.fail(authorize_query, UpstreamError::ServerError, &e.message);
            }
        };
        let upstream = Upstream {
            provider: provider.to_owned(),
            session: identity.session(),
        };
        let mut authenticated = AuthenticatedUser::new(user.username.as_str(), SystemClock.now());
        authenticated.upstream = serde_json::to_string(&upstream).ok();
        tracing::info!(user = %user.username, provider, "signed in through SAML");
        server.resume(authorize_query, &authenticated)
    }

    fn refused(&self, server: &AuthorizationServer, authorize_query: &str, e: &SamlError) -> Resp {
        tracing::warn!(error = %e, "SAML response refused");
        server.fail(
            authorize_query,
            UpstreamError::ServerError,
            &e.error_description(),
        )
    }

    fn broken(&self, server: &AuthorizationServer, authorize_query: &str, e: &HostError) -> Resp {
        tracing::error!(error = %e, "SAML provider configuration");
        server.fail(
            authorize_query,
            UpstreamError::ServerError,
            "The SAML identity provider is not configured correctly.",
        )
    }

    /// `POST /saml2/logout`: the IdP's LogoutResponse to our LogoutRequest, or a
    /// LogoutRequest of its own.
    fn logout(&self, server: &AuthorizationServer, body: &[u8]) -> Resp {
        let Some(form) = saml_form(body) else {
            return error_page(server, "invalid_request");
        };
        let relay = form.get("RelayState").map(String::as_str);
        if let Some(resp) = form.get("SAMLResponse") {
            return self.logout_response(server, resp, relay);
        }
        if let Some(req) = form.get("SAMLRequest") {
            return self.logout_request(server, req, relay);
        }
        error_page(server, "invalid_request")
    }

    fn logout_response(
        &self,
        server: &AuthorizationServer,
        saml_response: &str,
        relay: Option<&str>,
    ) -> Resp {
        let now = SystemClock.now();
        let taken = relay.map(|r| {
            self.engine.store().take_ephemeral(
                EphemeralKind::Federation,
                &self.record_key("slo", r),
                now,
            )
        });
        let rec = match taken {
            Some(Ok(Some(bytes))) => match serde_json::from_slice::<LogoutRecord>(&bytes) {
                Ok(r) => r,
                Err(_) => return error_page(server, "server_error"),
            },
            Some(Err(e)) => {
                tracing::error!(error = %e, "SAML logout state lookup failed");
                return error_page(server, "server_error");
            }
            _ => return error_page(server, "invalid_request"),
        };
        let sp = match self
            .saml_provider(&rec.provider)
            .and_then(|p| p.map(|idp| self.service_provider(&idp)).transpose())
        {
            Ok(Some(sp)) => sp,
            _ => return error_page(server, "server_error"),
        };
        match sp.finish_logout(saml_response, relay, &rec.pending, &SystemClock) {
            Ok(()) => redirect(&rec.continue_to),
            Err(e) => {
                tracing::warn!(error = %e, "SAML LogoutResponse refused");
                error_page(server, "invalid_request")
            }
        }
    }

    /// A LogoutRequest the IdP posts: the provider is the one whose checks it passes (issuer
    /// and signature); the user's tokens and sessions end; a signed LogoutResponse answers.
    fn logout_request(
        &self,
        server: &AuthorizationServer,
        saml_request: &str,
        relay: Option<&str>,
    ) -> Resp {
        let providers =
            match self
                .engine
                .store()
                .list_identity_providers(&self.pool, None, MAX_PROVIDERS)
            {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "listing identity providers failed");
                    return error_page(server, "server_error");
                }
            };
        for idp in providers
            .iter()
            .filter(|p| p.provider_type == IdpType::Saml && flag(&p.details, "IDPSignout"))
        {
            let Ok(sp) = self.service_provider(idp) else {
                continue;
            };
            let Ok(request) =
                sp.accept_logout_request(saml_request, &StoreReplay(self), &SystemClock)
            else {
                continue;
            };
            let username = format!("{}_{}", idp.name, request.name_id.value);
            let signed_out =
                self.engine
                    .admin_user_global_sign_out(AdminUserGlobalSignOutRequest {
                        user_pool_id: self.pool.to_string(),
                        username: username.clone(),
                    });
            if let Err(e) = signed_out {
                // An unknown user has nothing to end; the IdP still gets its answer.
                tracing::info!(error = %e, user = username, "IdP logout for a user not here");
            }
            return match sp.logout_response_url(&request, relay, &SystemRandom, &SystemClock) {
                Ok(url) => redirect(url.as_str()),
                Err(e) => {
                    tracing::error!(error = %e, "SAML LogoutResponse");
                    error_page(server, "server_error")
                }
            };
        }
        tracing::warn!("SAML LogoutRequest from no configured IdP with IDPSignout");
        error_page(server, "invalid_request")
    }

    /// `GET /saml2/metadata?identity_provider=X`.
    fn metadata(&self, query: Option<&str>) -> Resp {
        let params = Params::from_query(query).unwrap_or_default();
        let Some(name) = params.get("identity_provider") else {
            return plain(
                StatusCode::BAD_REQUEST,
                "identity_provider (a SAML provider of this pool) is required",
            );
        };
        let sp = match self.saml_provider(name) {
            Ok(Some(idp)) => self.service_provider(&idp),
            Ok(None) => return plain(StatusCode::NOT_FOUND, "no such SAML provider"),
            Err(e) => Err(e),
        };
        match sp {
            Ok(sp) => {
                let mut r = http::Response::new(sp.metadata_xml().into_bytes());
                r.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/samlmetadata+xml"),
                );
                r
            }
            Err(e) => {
                tracing::error!(error = %e, "SAML provider configuration");
                plain(StatusCode::INTERNAL_SERVER_ERROR, "provider misconfigured")
            }
        }
    }
}

/// The most identity providers looked at for an IdP's LogoutRequest.
const MAX_PROVIDERS: usize = 300;

impl Federation for PoolFederation {
    fn providers(&self, client: &OAuthClient) -> Result<Vec<ProviderButton>, HostError> {
        let mut out = Vec::new();
        for name in &client.identity_providers {
            if name == OAuthClient::COGNITO {
                continue;
            }
            if self.saml_provider(name)?.is_some() {
                out.push(ProviderButton {
                    name: name.clone(),
                    label: name.clone(),
                });
            }
        }
        Ok(out)
    }

    fn email_routing(&self, client: &OAuthClient) -> Result<bool, HostError> {
        let mut any = false;
        for name in &client.identity_providers {
            if name == OAuthClient::COGNITO {
                continue;
            }
            if let Some(idp) = self.saml_provider(name)? {
                if idp.idp_identifiers.is_empty() {
                    return Ok(false);
                }
                any = true;
            }
        }
        Ok(any)
    }

    fn route(&self, _client: &OAuthClient, identifier: &str) -> Result<Option<String>, HostError> {
        let store = self.engine.store();
        let by = |id: &str| {
            store
                .identity_provider_by_identifier(&self.pool, id)
                .map_err(host_err)
        };
        if let Some(idp) = by(identifier.trim())? {
            return Ok(Some(idp.name.to_string()));
        }
        // E-mail domain routing: the part after `@`.
        if let Some((_, domain)) = identifier.trim().rsplit_once('@') {
            if let Some(idp) = by(&domain.to_ascii_lowercase())? {
                return Ok(Some(idp.name.to_string()));
            }
        }
        Ok(None)
    }

    fn start(
        &self,
        _client: &OAuthClient,
        provider: &str,
        authorize_query: &str,
    ) -> Result<String, HostError> {
        let idp = self.saml_provider(provider)?.ok_or_else(|| {
            HostError::new(format!(
                "{provider} is not a SAML identity provider of this pool (other provider types \
                 are not supported by this server)"
            ))
        })?;
        let sp = self.service_provider(&idp)?;
        let start = sp
            .start_sign_in(&SystemRandom, &SystemClock)
            .map_err(host_err)?;
        let expires = start
            .pending
            .issued_at
            .saturating_add(sp.options().request_lifetime);
        let record = SignInRecord {
            provider: provider.to_owned(),
            pending: start.pending.clone(),
            authorize_query: authorize_query.to_owned(),
        };
        let bytes = serde_json::to_vec(&record).map_err(host_err)?;
        self.engine
            .store()
            .put_ephemeral(
                EphemeralKind::Federation,
                &self.record_key("sso", &start.pending.relay_state),
                &bytes,
                expires,
            )
            .map_err(host_err)?;
        Ok(start.redirect_url.to_string())
    }

    fn sign_out(
        &self,
        _client: &OAuthClient,
        user: &AuthenticatedUser,
        continue_to: &str,
    ) -> Result<Option<String>, HostError> {
        let Some(up) = user
            .upstream
            .as_deref()
            .and_then(|u| serde_json::from_str::<Upstream>(u).ok())
        else {
            return Ok(None);
        };
        let Some(idp) = self.saml_provider(&up.provider)? else {
            return Ok(None);
        };
        let sp = self.service_provider(&idp)?;
        if !sp.options().idp_signout || sp.idp().slo_redirect.is_none() {
            return Ok(None);
        }
        let start = sp
            .start_logout(&up.session, &SystemRandom, &SystemClock)
            .map_err(host_err)?;
        let expires = start
            .pending
            .issued_at
            .saturating_add(sp.options().request_lifetime);
        let record = LogoutRecord {
            provider: up.provider,
            pending: start.pending.clone(),
            continue_to: continue_to.to_owned(),
        };
        let bytes = serde_json::to_vec(&record).map_err(host_err)?;
        self.engine
            .store()
            .put_ephemeral(
                EphemeralKind::Federation,
                &self.record_key("slo", &start.pending.relay_state),
                &bytes,
                expires,
            )
            .map_err(host_err)?;
        Ok(Some(start.redirect_url.to_string()))
    }
}

/// Assertion and message IDs accepted once across the server (the shared store).
struct StoreReplay<'a>(&'a PoolFederation);

impl ReplayCache for StoreReplay<'_> {
    fn insert_once(&self, key: &str, expires_at: UnixTime, now: UnixTime) -> Result<bool, String> {
        self.0
            .engine
            .store()
            .insert_ephemeral_once(
                EphemeralKind::Federation,
                &self.0.record_key("seen", key),
                b"",
                expires_at,
                now,
            )
            .map_err(|e| e.to_string())
    }
}

/// The form of a `/saml2/*` POST: `SAMLResponse` or `SAMLRequest`, and `RelayState`; a
/// repeated name, a name outside these or bad encoding is `None`.
fn saml_form(body: &[u8]) -> Option<HashMap<String, String>> {
    if body.len() > MAX_SAML_BODY {
        return None;
    }
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if !matches!(k.as_ref(), "SAMLResponse" | "SAMLRequest" | "RelayState") {
            continue;
        }
        if v.contains('\u{fffd}') || out.insert(k.into_owned(), v.into_owned()).is_some() {
            return None;
        }
    }
    Some(out)
}

fn redirect(location: &str) -> Resp {
    let mut r = http::Response::new(Vec::new());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = http::HeaderValue::from_str(location) {
        r.headers_mut().insert(http::header::LOCATION, v);
    }
    r.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    r
}

/// The domain's error page.
fn error_page(server: &AuthorizationServer, error: &str) -> Resp {
    redirect(&format!(
        "{}?error={error}",
        server.config().endpoint("/error")
    ))
}

fn plain(status: StatusCode, text: &str) -> Resp {
    let mut r = http::Response::new(text.as_bytes().to_vec());
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// The path of a hosted request relative to the domain's base URL.
pub(crate) fn relative_path<'a>(server: &AuthorizationServer, full: &'a str) -> &'a str {
    full.strip_prefix(server.config().base_path())
        .filter(|p| p.starts_with('/'))
        .unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saml_forms() {
        let f = saml_form(b"SAMLResponse=abc%2B&RelayState=r&other=x").unwrap();
        assert_eq!(f["SAMLResponse"], "abc+");
        assert_eq!(f["RelayState"], "r");
        assert!(!f.contains_key("other"));
        assert!(saml_form(b"SAMLResponse=a&SAMLResponse=b").is_none());
        assert!(saml_form(b"SAMLResponse=%FF").is_none());
        assert!(saml_form(&vec![b'a'; MAX_SAML_BODY + 1]).is_none());
    }

    #[test]
    fn keys_are_created_once_and_reread() {
        let dir = std::env::temp_dir().join(format!("cognate-saml-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let pool = UserPoolId::new("us-east-1_Test12345").unwrap();
        let a = SamlKeys::new(&dir).for_pool(&pool).unwrap();
        let b = SamlKeys::new(&dir).for_pool(&pool).unwrap();
        assert_eq!(a.signing.certificate(), b.signing.certificate());
        assert_eq!(a.encryption.certificate(), b.encryption.certificate());
        assert_ne!(a.signing.certificate(), a.encryption.certificate());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let f = dir.join(KEY_DIR).join(format!("{pool}-signing.pem"));
            assert_eq!(
                std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn options_from_details() {
        let d: BTreeMap<String, String> = [
            ("IDPSignout", "true"),
            ("IDPInit", "false"),
            ("EncryptedResponses", "true"),
            ("RequestSigningAlgorithm", "rsa-sha256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let o = idp_options(&d);
        assert!(o.idp_signout && !o.idp_initiated && o.encrypted_responses && o.sign_requests);
        let o = idp_options(&BTreeMap::new());
        assert!(!o.idp_signout && !o.idp_initiated && !o.encrypted_responses && !o.sign_requests);
    }
}
