//! `cognate serve`: the user-pools JSON API, each pool's JWKS and OpenID discovery document,
//! health, and (dev mode) the outbox of codes, over HTTP on tokio + axum.

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use clap::Args;
use cognate_types::{Region, SystemRandom, TokenId};
use cognate_userpool::api::{self, ApiResponse, CONTENT_TYPE, TARGET_PREFIX};
use cognate_userpool::model::UserPool;
use cognate_userpool::service::{
    mask_destination, CognitoError, MessagePurpose, MessageSender, Outbox, OutgoingMessage,
    SendError, UserPools, UserPoolsConfig,
};
use cognate_userpool::store::{SqliteBackend, Store};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{AdminAuth, AuthSetupError, Refusal};
use crate::config::{Config, ConfigError};
use crate::federation::{SamlKeys, SamlSupport};
use crate::hosting::{self, Hosting};
use crate::provision::{self, ProvisionError};

/// Arguments of `cognate serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address to listen on, `host:port` (port 0: any free port). Without access keys in the
    /// config, only a loopback address is allowed (dev mode).
    #[arg(long, default_value = "127.0.0.1:9229")]
    listen: String,
    /// Data directory (created readable by its owner only).
    #[arg(long, default_value = ".cognate")]
    data: PathBuf,
    /// Config file (TOML): access keys and pools to create; see the README.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServeError {
    /// The config file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The admin API would be open on a network, or the keys are unusable.
    #[error(transparent)]
    Auth(#[from] AuthSetupError),
    /// The listen address or another setting.
    #[error("{0}: {1}")]
    Setting(String, String),
    /// The data directory or the socket.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The store.
    #[error("store: {0}")]
    Store(String),
    /// Applying the config's pools.
    #[error("config: {0}")]
    Provision(#[from] ProvisionError),
}

/// The store's file in the data directory.
const STORE_FILE: &str = "cognate.db";

/// How often expired sessions, codes and revocations are purged.
const PURGE_INTERVAL: Duration = Duration::from_secs(60);
/// Records purged per store transaction.
const PURGE_BATCH: usize = 500;

/// What every handler shares.
struct App {
    engine: UserPools,
    auth: AdminAuth,
    /// The codes sent, in dev mode only.
    outbox: Option<Arc<Outbox>>,
    /// `http://host:port` (or the configured `public_url`), without a trailing slash.
    base_url: String,
    /// API calls running at once: two per core. Sign-in is CPU-bound (argon2id with a 19 MiB
    /// working set per call, RSA signing, SRP): 64 concurrent sign-ins on 2 cores without this
    /// limit took the process to 9 GB and halved the rate (benches/http). Requests beyond wait
    /// their turn in order.
    cpu: Arc<tokio::sync::Semaphore>,
    /// The hosted endpoints of the pools' domains.
    hosting: Hosting,
}

/// Runs the server until SIGINT or SIGTERM.
pub(crate) fn run(args: ServeArgs) -> Result<(), ServeError> {
    init_logging();
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let listen = resolve(&args.listen)?;
    let auth = AdminAuth::new(listen, &config.access_keys)?;
    create_private_dir(&args.data)?;
    let store = open_store(&args.data)?;
    let key = hosting::load_or_create_key(&args.data)
        .map_err(|e| ServeError::Io(args.data.join(hosting::KEY_FILE).display().to_string(), e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io("tokio runtime".into(), e))?;
    runtime.block_on(serve(listen, auth, config, store, key, &args.data))
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

fn resolve(listen: &str) -> Result<SocketAddr, ServeError> {
    listen
        .to_socket_addrs()
        .map_err(|e| ServeError::Setting(format!("--listen {listen}"), e.to_string()))?
        .next()
        .ok_or_else(|| ServeError::Setting(format!("--listen {listen}"), "no address".to_owned()))
}

/// Creates the data directory with mode 0700 (an existing one is kept as it is).
fn create_private_dir(dir: &Path) -> Result<(), ServeError> {
    let err = |e| ServeError::Io(dir.display().to_string(), e);
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).map_err(err)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                "the data directory is accessible to other users (chmod 700 it)"
            );
        }
    }
    Ok(())
}

/// The durable store in the data directory: `DIR/cognate.db` (SQLite, WAL).
fn open_store(dir: &Path) -> Result<Store, ServeError> {
    let path = dir.join(STORE_FILE);
    let backend = SqliteBackend::open(&path)
        .map_err(|e| ServeError::Store(format!("{}: {e}", path.display())))?;
    tracing::info!(file = %path.display(), "store opened");
    Ok(Store::new(Arc::new(backend)))
}

async fn serve(
    listen: SocketAddr,
    auth: AdminAuth,
    config: Config,
    store: Store,
    key: cognate_types::Secret<[u8; 32]>,
    data: &Path,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ServeError::Io(format!("bind {listen}"), e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| ServeError::Io(format!("bind {listen}"), e))?;
    let base_url = match &config.public_url {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => format!("http://{bound}"),
    };

    let dev = auth.is_dev();
    let outbox = dev.then(|| Arc::new(Outbox::new()));
    let sender: Arc<dyn MessageSender> = match &outbox {
        Some(o) => Arc::new(DevSender(o.clone())),
        None => Arc::new(LogSender),
    };
    let mut settings = UserPoolsConfig {
        issuer_base: Some(base_url.clone()),
        ..UserPoolsConfig::default()
    };
    if let Some(region) = &config.region {
        settings.region = Region::new(region.as_str()).map_err(|e| {
            ServeError::Setting(format!("config: region {region:?}"), e.to_string())
        })?;
    }
    let saml_keys = Arc::new(SamlKeys::new(data));
    let engine = UserPools::builder(store)
        .sender(sender)
        .config(settings)
        .provider_support(Arc::new(SamlSupport::new(saml_keys.clone())))
        .build();

    if dev {
        tracing::warn!("dev mode: admin API accepts any signature on loopback");
    }

    let e = engine.clone();
    let pools = config.pools;
    let setup = tokio::task::spawn_blocking(move || {
        let applied = provision::apply_pools(&e, &pools)?;
        let demo = provision::ensure_demo(&e)?;
        Ok::<_, ProvisionError>((applied, demo))
    })
    .await
    .map_err(|e| ServeError::Store(format!("start-up task failed: {e}")))?;
    let (applied, demo) = setup?;
    for a in &applied {
        for what in &a.created {
            tracing::info!("created {what}");
        }
    }
    log_pools(&engine, &base_url);

    let app = Arc::new(App {
        engine: engine.clone(),
        auth,
        outbox,
        base_url: base_url.clone(),
        cpu: Arc::new(tokio::sync::Semaphore::new(api_slots())),
        hosting: Hosting::new(engine.clone(), base_url.clone(), key, saml_keys),
    });
    let purge = tokio::spawn(purge_expired(engine.clone()));
    let shutdown = shutdown_signal()?;

    let mut out = std::io::stdout().lock();
    if let Some(demo) = &demo {
        let issuer = engine
            .pool(demo.pool.as_str())
            .and_then(|p| engine.issuer_for(&p))
            .map_err(|e| ServeError::Store(e.to_string()))?;
        let _ = writeln!(out, "{}", provision::demo_banner(demo, &base_url, &issuer));
    }
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();
    drop(out);
    tracing::info!(address = %bound, base_url = %base_url, "listening");

    let result = axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ServeError::Io("serve".into(), e));
    purge.abort();
    tracing::info!("stopped");
    result
}

/// Logs the first pools of the store with their issuers and JWKS URLs.
fn log_pools(engine: &UserPools, base_url: &str) {
    const SHOWN: usize = 20;
    match engine.store().list_pools(None, SHOWN + 1) {
        Ok(pools) => {
            for p in pools.iter().take(SHOWN) {
                let issuer = engine
                    .issuer_for(p)
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                tracing::info!(
                    pool = %p.id,
                    name = %p.name,
                    issuer = %issuer,
                    jwks = %format!("{base_url}/{}/.well-known/jwks.json", p.id),
                    "user pool"
                );
            }
            if pools.len() > SHOWN {
                tracing::info!("(more user pools: ListUserPools lists them all)");
            }
        }
        Err(e) => tracing::error!(error = %e, "listing pools failed"),
    }
}

fn router(app: Arc<App>) -> Router {
    let mut r = Router::new()
        .route("/", post(api_call))
        .route("/health", get(health))
        .route("/{pool}/.well-known/jwks.json", get(jwks))
        .route("/{pool}/.well-known/openid-configuration", get(discovery));
    if app.outbox.is_some() {
        r = r.route("/_cognate/outbox", get(outbox));
    }
    r.fallback(hosted)
        .layer(middleware::from_fn(log_request))
        .with_state(app)
}

/// Waits for SIGINT or SIGTERM. The handlers are installed when this is called (before the
/// server announces itself), so a signal sent right after start is not missed.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, ServeError> {
    use tokio::signal::unix::{signal, SignalKind};
    let install = |kind| signal(kind).map_err(|e| ServeError::Io("signal handler".into(), e));
    let mut int = install(SignalKind::interrupt())?;
    let mut term = install(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// Waits for Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, ServeError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

async fn purge_expired(engine: UserPools) {
    let mut tick = tokio::time::interval(PURGE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let e = engine.clone();
        let r = tokio::task::spawn_blocking(move || {
            let mut total = 0;
            loop {
                let n = e.store().purge_expired(e.now(), PURGE_BATCH)?;
                total += n;
                if n < PURGE_BATCH {
                    return Ok::<_, cognate_userpool::store::StoreError>(total);
                }
            }
        })
        .await;
        match r {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(records = n, "purged expired records"),
            Ok(Err(e)) => tracing::error!(error = %e, "purging expired records failed"),
            Err(e) => tracing::error!(error = %e, "purge task failed"),
        }
    }
}

/// One log line per request (operation, status, duration) and an `x-amzn-RequestId`.
async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let op = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            let op = t.strip_prefix(TARGET_PREFIX).unwrap_or(t);
            if !op.is_empty() && op.len() <= 64 && op.bytes().all(|b| b.is_ascii_alphanumeric()) {
                op.to_owned()
            } else {
                "(unknown)".to_owned()
            }
        });
    let request_id = TokenId::generate(&SystemRandom)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    let error_type = resp
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path.chars().take(128).collect::<String>(),
        op = %op.as_deref().unwrap_or("-"),
        status = resp.status().as_u16(),
        error = %error_type,
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

fn response(status: u16, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    r
}

fn api_response(r: ApiResponse) -> Response {
    let mut resp = response(r.status, CONTENT_TYPE, r.body);
    if let Some(t) = r.error_type {
        resp.headers_mut()
            .insert("x-amzn-errortype", HeaderValue::from_static(t));
    }
    resp
}

fn refusal(r: Refusal) -> Response {
    api_response(ApiResponse {
        status: r.status,
        body: json!({ "__type": r.error_type, "message": r.message }).to_string(),
        error_type: Some(r.error_type),
    })
}

/// `POST /`: one user-pools API call (`X-Amz-Target`).
async fn api_call(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let too_large = || {
        refusal(Refusal {
            status: 400,
            error_type: "InvalidParameterException",
            message: "Request body is too large.".to_owned(),
        })
    };
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > api::MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let Ok(body) = axum::body::to_bytes(body, api::MAX_BODY_BYTES).await else {
        return too_large();
    };
    let caller = match app.auth.caller(&parts, &body, app.engine.now()) {
        Ok(c) => c,
        Err(r) => {
            tracing::warn!(error = r.error_type, "request signature refused");
            return refusal(r);
        }
    };
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let engine = app.engine.clone();
    // The semaphore is never closed, so acquiring only waits.
    let permit = app.cpu.clone().acquire_owned().await;
    // Password hashing (argon2id) and SRP are CPU-heavy: off the async workers.
    match tokio::task::spawn_blocking(move || {
        let _permit = permit;
        api::handle(&engine, &target, &body, &caller)
    })
    .await
    {
        Ok(r) => api_response(r),
        Err(e) => {
            tracing::error!(error = %e, "API task failed");
            api_response(ApiResponse::error(&CognitoError::internal()))
        }
    }
}

/// How many API calls run at once: two per core (`COGNATE_API_SLOTS` overrides, for
/// experiments).
fn api_slots() -> usize {
    std::env::var("COGNATE_API_SLOTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| 2 * std::thread::available_parallelism().map_or(2, |n| n.get()))
}

async fn health() -> Response {
    response(200, "application/json", r#"{"status":"ok"}"#.to_owned())
}

async fn not_found() -> Response {
    response(
        404,
        "application/json",
        r#"{"message":"Not found"}"#.to_owned(),
    )
}

/// The largest body read for a hosted endpoint (the OAuth endpoints refuse more than 16 KiB;
/// `/saml2/*` takes a 100,000-character SAML message).
const MAX_HOSTED_BODY: usize = crate::federation::MAX_SAML_BODY;

/// Everything under `/{domain}/...`, or on a host `{domain}.localhost` (the hosted endpoints
/// of a pool's domain), else 404.
async fn hosted(State(app): State<Arc<App>>, req: Request) -> Response {
    let by_host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| app.hosting.host_route(h));
    let (domain, base) = match by_host {
        Some((d, base)) => (d, Some(base)),
        None => {
            let Some(d) = req
                .uri()
                .path()
                .strip_prefix('/')
                .and_then(|p| p.split('/').next())
                .filter(|d| hosting::is_domain_prefix(d))
                .map(str::to_owned)
            else {
                return not_found().await;
            };
            (d, None)
        }
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_HOSTED_BODY).await else {
        return response(413, "text/plain", "request body too large".to_owned());
    };
    let a = app.clone();
    let permit = app.cpu.clone().acquire_owned().await;
    let r = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let server = a.hosting.server_at(&domain, base.as_deref())?;
        Ok::<_, CognitoError>(server.map(|s| {
            let req = http::Request::from_parts(parts, body.to_vec());
            s.handle(&req)
        }))
    })
    .await;
    match r {
        Ok(Ok(Some(resp))) => resp.map(Body::from),
        Ok(Ok(None)) => not_found().await,
        Ok(Err(e)) => {
            tracing::error!(error = %e.message, "hosted endpoint failed");
            response(500, "text/plain", "Internal error".to_owned())
        }
        Err(e) => {
            tracing::error!(error = %e, "hosted endpoint task failed");
            response(500, "text/plain", "Internal error".to_owned())
        }
    }
}

/// Runs a pool lookup and `f` off the async workers (the first use of a pool loads or
/// generates its keys); a missing pool is a 404.
async fn with_pool(
    app: &Arc<App>,
    pool_id: String,
    f: impl FnOnce(&App, &UserPool) -> Result<String, CognitoError> + Send + 'static,
) -> Response {
    let a = app.clone();
    let r = tokio::task::spawn_blocking(move || {
        let pool = a.engine.pool(&pool_id)?;
        f(&a, &pool)
    })
    .await;
    match r {
        Ok(Ok(body)) => response(200, "application/json", body),
        Ok(Err(e)) if e.kind == cognate_userpool::service::ErrorKind::ResourceNotFound => response(
            404,
            "application/json",
            json!({ "message": e.message }).to_string(),
        ),
        Ok(Err(e)) => {
            tracing::error!(error = %e.message, "pool document failed");
            response(
                500,
                "application/json",
                json!({ "message": "Internal error" }).to_string(),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "pool document task failed");
            response(
                500,
                "application/json",
                json!({ "message": "Internal error" }).to_string(),
            )
        }
    }
}

/// `GET /{poolId}/.well-known/jwks.json`.
async fn jwks(State(app): State<Arc<App>>, UrlPath(pool): UrlPath<String>) -> Response {
    with_pool(&app, pool, |a, p| a.engine.jwks_json(p)).await
}

/// `GET /{poolId}/.well-known/openid-configuration`.
async fn discovery(State(app): State<Arc<App>>, UrlPath(pool): UrlPath<String>) -> Response {
    with_pool(&app, pool, |a, p| {
        if let Some(domain) = &p.domain {
            let server = a.hosting.server_for_pool(p, domain)?;
            return Ok(server.discovery_document().to_string());
        }
        let issuer = a.engine.issuer_for(p)?;
        Ok(discovery_document(p, issuer.as_str(), &a.base_url).to_string())
    })
    .await
}

/// The discovery document: only what this server does. The OAuth endpoints
/// (`authorization_endpoint`, `token_endpoint`, `userinfo_endpoint`, `revocation_endpoint`,
/// `end_session_endpoint`) and `token_endpoint_auth_methods_supported` are added when those
/// endpoints exist. Keys are emitted in alphabetical order, as Cognito does.
fn discovery_document(pool: &UserPool, issuer: &str, base_url: &str) -> Value {
    let mut claims: Vec<String> = [
        "aud",
        "auth_time",
        "cognito:groups",
        "cognito:username",
        "exp",
        "iat",
        "iss",
        "sub",
        "token_use",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for a in &pool.schema {
        if !a.name.starts_with("dev:") && !claims.contains(&a.name) {
            claims.push(a.name.clone());
        }
    }
    claims.sort();
    json!({
        "claims_supported": claims,
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": format!("{base_url}/{}/.well-known/jwks.json", pool.id),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
    })
}

#[derive(Deserialize)]
struct OutboxQuery {
    pool: Option<String>,
    username: Option<String>,
}

/// `GET /_cognate/outbox?pool=..&username=..` (dev mode only): the messages sent, oldest
/// first, with their codes.
async fn outbox(State(app): State<Arc<App>>, Query(q): Query<OutboxQuery>) -> Response {
    let Some(outbox) = &app.outbox else {
        return not_found().await;
    };
    let messages: Vec<Value> = outbox
        .messages()
        .iter()
        .filter(|m| q.pool.as_deref().is_none_or(|p| m.pool.as_str() == p))
        .filter(|m| q.username.as_deref().is_none_or(|u| m.username == u))
        .map(|m| {
            json!({
                "pool": m.pool.as_str(),
                "username": m.username,
                "medium": m.medium.as_str(),
                "destination": m.destination,
                "purpose": purpose_name(m.purpose),
                "code": m.code.expose(),
            })
        })
        .collect();
    response(
        200,
        "application/json",
        json!({ "messages": messages }).to_string(),
    )
}

fn purpose_name(p: MessagePurpose) -> &'static str {
    match p {
        MessagePurpose::SignUp => "SIGN_UP",
        MessagePurpose::ForgotPassword => "FORGOT_PASSWORD",
        MessagePurpose::VerifyAttribute => "VERIFY_ATTRIBUTE",
        MessagePurpose::Mfa => "MFA",
        MessagePurpose::Invitation => "INVITATION",
        _ => "OTHER",
    }
}

/// Outside dev mode: logs each delivery, never the code (no mail or SMS gateway is wired).
struct LogSender;

impl MessageSender for LogSender {
    fn send(&self, m: &OutgoingMessage) -> Result<(), SendError> {
        tracing::info!(
            pool = %m.pool,
            username = %m.username,
            medium = m.medium.as_str(),
            destination = %mask_destination(m.medium, &m.destination),
            purpose = purpose_name(m.purpose),
            "message not delivered: no e-mail or SMS sender is configured (code not logged)"
        );
        Ok(())
    }
}

/// Dev mode: keeps messages in the outbox and says where to read them.
struct DevSender(Arc<Outbox>);

impl MessageSender for DevSender {
    fn send(&self, m: &OutgoingMessage) -> Result<(), SendError> {
        self.0.send(m)?;
        tracing::info!(
            pool = %m.pool,
            username = %m.username,
            purpose = purpose_name(m.purpose),
            "message kept in the dev outbox: GET /_cognate/outbox?pool={}&username=...",
            m.pool
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognate_types::{UnixTime, UserPoolId};

    #[test]
    fn discovery_lists_only_what_exists() {
        let pool = UserPool::new(
            UserPoolId::new("us-east-1_Abc").unwrap(),
            "p",
            UnixTime::from_secs(1),
        );
        let d = discovery_document(
            &pool,
            "http://127.0.0.1:1/us-east-1_Abc",
            "http://127.0.0.1:1",
        );
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        for absent in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "revocation_endpoint",
            "end_session_endpoint",
            "token_endpoint_auth_methods_supported",
        ] {
            assert!(d.get(absent).is_none(), "{absent}");
        }
        assert_eq!(
            d["jwks_uri"],
            "http://127.0.0.1:1/us-east-1_Abc/.well-known/jwks.json"
        );
        let claims = d["claims_supported"].as_array().unwrap();
        assert!(claims.iter().any(|c| c == "email"));
        assert!(claims.iter().any(|c| c == "cognito:groups"));
    }

    #[test]
    fn purposes_have_names() {
        assert_eq!(purpose_name(MessagePurpose::SignUp), "SIGN_UP");
        assert_eq!(purpose_name(MessagePurpose::Mfa), "MFA");
    }
}
