//! The hosted endpoints (cognate-oauth2) of every pool that has a domain, served under
//! `{base_url}/{domain}/...`: `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`,
//! `/oauth2/revoke`, `/logout`, the managed-login pages, and the domain's discovery and JWKS.
//! One `AuthorizationServer` per domain, built on first use and rebuilt when the domain moves
//! to another pool or the pool's issuer changes.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, RwLock};

use cognate_oauth2::{AuthorizationServer, ServerConfig};
use cognate_types::{IssuerUrl, Secret, UserPoolId};
use cognate_userpool::model::UserPool;
use cognate_userpool::service::{CognitoError, UserPools};

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

/// The hosted servers, by domain.
pub(crate) struct Hosting {
    engine: UserPools,
    base_url: String,
    key: Secret<[u8; 32]>,
    servers: RwLock<HashMap<String, (UserPoolId, IssuerUrl, AuthorizationServer)>>,
}

impl Hosting {
    pub(crate) fn new(engine: UserPools, base_url: String, key: Secret<[u8; 32]>) -> Self {
        Self {
            engine,
            base_url,
            key,
            servers: RwLock::new(HashMap::new()),
        }
    }

    /// The base URL of a domain's endpoints.
    pub(crate) fn domain_url(&self, domain: &str) -> String {
        format!("{}/{domain}", self.base_url)
    }

    /// The server of `domain`, if a pool has it.
    pub(crate) fn server(&self, domain: &str) -> Result<Option<AuthorizationServer>, CognitoError> {
        if !is_domain_prefix(domain) {
            return Ok(None);
        }
        let Some(pool_id) = self.engine.store().pool_for_domain(domain)? else {
            if let Ok(mut m) = self.servers.write() {
                m.remove(domain);
            }
            return Ok(None);
        };
        let pool = self.engine.pool(pool_id.as_str())?;
        self.server_for_pool(&pool, domain).map(Some)
    }

    /// The server of `pool`'s `domain`.
    pub(crate) fn server_for_pool(
        &self,
        pool: &UserPool,
        domain: &str,
    ) -> Result<AuthorizationServer, CognitoError> {
        let issuer = self.engine.issuer_for(pool)?;
        if let Ok(m) = self.servers.read() {
            if let Some((p, i, s)) = m.get(domain) {
                if *p == pool.id && *i == issuer {
                    return Ok(s.clone());
                }
            }
        }
        let config = ServerConfig::new(
            &self.domain_url(domain),
            issuer.clone(),
            format!("{}/{}/.well-known/jwks.json", self.base_url, pool.id),
            self.key.clone(),
        )
        .map_err(|e| CognitoError::invalid_parameter(e.to_string()))?;
        let host = Arc::new(PoolHost::new(self.engine.clone(), pool.id.clone()));
        let server = AuthorizationServer::builder(
            config,
            host.clone(),
            host.clone(),
            host,
            Arc::new(StoreGrants::new(self.engine.clone())),
        )
        .build();
        if let Ok(mut m) = self.servers.write() {
            m.insert(domain.to_owned(), (pool.id.clone(), issuer, server.clone()));
        }
        Ok(server)
    }
}

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
