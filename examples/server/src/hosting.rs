//! The hosted endpoints (cognate-oauth2) of every pool that has a domain, served under
//! `{base_url}/{domain}/...`: `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`,
//! `/oauth2/revoke`, `/logout`, the managed-login pages, and the domain's discovery and JWKS.
//! One `AuthorizationServer` per domain, built on first use and rebuilt when the domain moves
//! to another pool or the pool's issuer changes.
//!
//! Host-based routing as well: a request whose `Host` is `{domain}.localhost[:port]` (browsers
//! resolve `*.localhost` to the loopback address without any DNS set-up), or
//! `{domain}.auth.{region}.amazoncognito.com` (Cognito's own form, pointed here by a hosts
//! file or a proxy), is served as that domain at the root of that host.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, RwLock};

use cognate_oauth2::{AuthorizationServer, ServerConfig};
use cognate_types::{IssuerUrl, Secret, UserPoolId};
use cognate_userpool::model::UserPool;
use cognate_userpool::service::{CognitoError, UserPools};

use crate::federation::{self, PoolFederation, SamlKeys};
use crate::hosted::{PoolHost, StoreGrants};

/// The file in the data directory holding the key of the hosted pages' CSRF tokens and hidden
/// state (32 random bytes, readable by the owner only).
pub(crate) const KEY_FILE: &str = "hosted-ui.key";

/// Whether `segment` can be a domain prefix (Cognito's rule: lowercase letters, digits and
/// hyphens, not at either end, at most 63 characters). Pool IDs contain `_`, so the two never
/// meet under the server's root.
pub(crate) fn is_domain_prefix(segment: &str) -> bool {
    (1..=63).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !segment.starts_with('-')
        && !segment.ends_with('-')
}

/// Reads the key, or creates it.
pub(crate) fn load_or_create_key(dir: &Path) -> std::io::Result<Secret<[u8; 32]>> {
    let path = dir.join(KEY_FILE);
    let mut key = [0u8; 32];
    match std::fs::File::open(&path) {
        Ok(mut f) => {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf)?;
            let bytes: [u8; 32] = buf.as_slice().try_into().map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} must hold exactly 32 bytes", path.display()),
                )
            })?;
            key = bytes;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            cognate_types::SecureRandom::fill(&cognate_types::SystemRandom, &mut key)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&path)?;
            f.write_all(&key)?;
            f.sync_all()?;
        }
        Err(e) => return Err(e),
    }
    Ok(Secret::new(key))
}

/// A domain's server and its SAML side.
#[derive(Clone)]
pub(crate) struct DomainServer {
    pub(crate) oauth: AuthorizationServer,
    pub(crate) saml: Arc<PoolFederation>,
}

impl DomainServer {
    /// Handles one request to the domain.
    pub(crate) fn handle(&self, req: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let path = federation::relative_path(&self.oauth, req.uri().path());
        match self.saml.handle(&self.oauth, path, req) {
            Some(r) => r,
            None => self.oauth.handle(req),
        }
    }
}

/// A built server with the pool and issuer it was built for.
type Built = (UserPoolId, IssuerUrl, DomainServer);

/// The hosted servers, by domain.
pub(crate) struct Hosting {
    engine: UserPools,
    base_url: String,
    key: Secret<[u8; 32]>,
    saml_keys: Arc<SamlKeys>,
    /// By domain and base URL.
    servers: RwLock<HashMap<(String, String), Built>>,
}

impl Hosting {
    pub(crate) fn new(
        engine: UserPools,
        base_url: String,
        key: Secret<[u8; 32]>,
        saml_keys: Arc<SamlKeys>,
    ) -> Self {
        Self {
            engine,
            base_url,
            key,
            saml_keys,
            servers: RwLock::new(HashMap::new()),
        }
    }

    /// The base URL of a domain's endpoints.
    pub(crate) fn domain_url(&self, domain: &str) -> String {
        format!("{}/{domain}", self.base_url)
    }

    /// The server of `domain` at `base` (a host of its own), or under the path prefix.
    pub(crate) fn server_at(
        &self,
        domain: &str,
        base: Option<&str>,
    ) -> Result<Option<DomainServer>, CognitoError> {
        if !is_domain_prefix(domain) {
            return Ok(None);
        }
        let Some(pool_id) = self.engine.store().pool_for_domain(domain)? else {
            if let Ok(mut m) = self.servers.write() {
                m.retain(|(d, _), _| d != domain);
            }
            return Ok(None);
        };
        let pool = self.engine.pool(pool_id.as_str())?;
        let base = base.map_or_else(|| self.domain_url(domain), str::to_owned);
        self.build(&pool, domain, &base).map(Some)
    }

    /// The server of `pool`'s `domain` under the path prefix.
    pub(crate) fn server_for_pool(
        &self,
        pool: &UserPool,
        domain: &str,
    ) -> Result<AuthorizationServer, CognitoError> {
        self.build(pool, domain, &self.domain_url(domain))
            .map(|d| d.oauth)
    }

    fn build(
        &self,
        pool: &UserPool,
        domain: &str,
        base: &str,
    ) -> Result<DomainServer, CognitoError> {
        let issuer = self.engine.issuer_for(pool)?;
        let key = (domain.to_owned(), base.to_owned());
        if let Ok(m) = self.servers.read() {
            if let Some((p, i, s)) = m.get(&key) {
                if *p == pool.id && *i == issuer {
                    return Ok(s.clone());
                }
            }
        }
        let config = ServerConfig::new(
            base,
            issuer.clone(),
            format!("{}/{}/.well-known/jwks.json", self.base_url, pool.id),
            self.key.clone(),
        )
        .map_err(|e| CognitoError::invalid_parameter(e.to_string()))?;
        let host = Arc::new(PoolHost::new(self.engine.clone(), pool.id.clone()));
        let saml = Arc::new(PoolFederation::new(
            self.engine.clone(),
            pool.id.clone(),
            host.clone(),
            base,
            self.saml_keys.clone(),
        )?);
        let oauth = AuthorizationServer::builder(
            config,
            host.clone(),
            host.clone(),
            host,
            Arc::new(StoreGrants::new(self.engine.clone(), pool.id.clone())),
        )
        .federation(saml.clone())
        .build();
        let server = DomainServer { oauth, saml };
        if let Ok(mut m) = self.servers.write() {
            // Bounded: Host headers are chosen by clients.
            if m.len() >= MAX_SERVERS {
                m.clear();
            }
            m.insert(key, (pool.id.clone(), issuer, server.clone()));
        }
        Ok(server)
    }

    /// The domain a `Host` header names for host-based routing, and the base URL to serve it
    /// at: `{domain}.localhost[:port]` or `{domain}.auth.{region}.amazoncognito.com`.
    pub(crate) fn host_route(&self, host: &str) -> Option<(String, String)> {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((n, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (n, Some(p)),
            _ => (host.as_str(), None),
        };
        let (domain, rest) = name.split_once('.')?;
        let cognito = rest
            .strip_prefix("auth.")
            .and_then(|r| r.strip_suffix(".amazoncognito.com"))
            .is_some_and(|region| cognate_types::Region::new(region).is_ok());
        if !(rest == "localhost" || cognito) || !is_domain_prefix(domain) {
            return None;
        }
        let scheme = if self.base_url.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        let authority = match port {
            Some(p) => format!("{name}:{p}"),
            None => name.to_owned(),
        };
        Some((domain.to_owned(), format!("{scheme}://{authority}")))
    }
}

/// The most servers kept (domains times the hosts they were reached by).
const MAX_SERVERS: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_prefixes_and_pool_ids_never_meet() {
        for ok in ["myapp", "my-app-1", "a"] {
            assert!(is_domain_prefix(ok), "{ok}");
        }
        for bad in [
            "us-east-1_AbCdEf123",
            "-app",
            "app-",
            "App",
            "",
            "_cognate",
            "health.json",
        ] {
            assert!(!is_domain_prefix(bad), "{bad}");
        }
        assert!(!is_domain_prefix(&"a".repeat(64)));
    }

    #[test]
    fn host_routes() {
        let h = Hosting::new(
            UserPools::builder(cognate_userpool::store::Store::memory()).build(),
            "http://127.0.0.1:9229".into(),
            Secret::new([0; 32]),
            Arc::new(SamlKeys::new(&std::env::temp_dir())),
        );
        assert_eq!(
            h.host_route("myapp.localhost:9229"),
            Some(("myapp".into(), "http://myapp.localhost:9229".into()))
        );
        assert_eq!(
            h.host_route("MyApp.auth.us-east-1.amazoncognito.com"),
            Some((
                "myapp".into(),
                "http://myapp.auth.us-east-1.amazoncognito.com".into()
            ))
        );
        for no in [
            "127.0.0.1:9229",
            "localhost:9229",
            "a.b.localhost",
            "myapp.evil.com",
            "my_app.localhost",
            "myapp.auth.nowhere.amazoncognito.com",
        ] {
            assert_eq!(h.host_route(no), None, "{no}");
        }
    }

    #[test]
    fn key_file_is_created_once_and_reread() {
        let dir = std::env::temp_dir().join(format!("cognate-key-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a = load_or_create_key(&dir).unwrap();
        let b = load_or_create_key(&dir).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.join(KEY_FILE), b"short").unwrap();
        assert!(load_or_create_key(&dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
