//! `cognate`: Cognito-compatible identity from the command line.
//!
//! `cognate serve` runs a Cognito-compatible server (the user-pools API, each pool's JWKS and
//! OpenID discovery document); the other commands manage a pool's keys and mint and verify
//! Cognito-shaped tokens, for backend developers who need realistic test tokens and for the
//! interop tests.
//!
//! Exit codes: 0 success; 1 the token is invalid (`token verify`); 2 usage, input or I/O error
//! (or a server that could not start).

mod auth;
mod config;
mod federation;
mod hosted;
mod hosting;
mod provision;
mod serve;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::{
    JwkSet, PoolKeys, RotationPolicy, RsaKeySize, TokenIssuer, TokenValidity, UserClaims,
    UserTokenRequest,
};
use cognate_types::{
    AttributeName, ClientId, Clock, GroupName, IssuerUrl, Scope, Scopes, SecureRandom, Sub,
    SystemClock, SystemRandom, TokenUse, UserPoolId, Username,
};

#[derive(Parser)]
#[command(
    name = "cognate",
    version,
    about = "Cognito-compatible identity: pool keys, Cognito-shaped tokens, verification",
    long_about = "Cognito-compatible identity from the command line.\n\n\
        Generate a pool's signing keys, publish its JWKS, mint realistic Cognito ID and access \
        tokens for tests, and verify tokens the way a backend should.\n\n\
        Exit codes: 0 success; 1 invalid token (token verify); 2 usage, input or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Cognito-compatible server: the user-pools API (POST / with X-Amz-Target), each
    /// pool's /.well-known/jwks.json and openid-configuration, and /health.
    Serve(serve::ServeArgs),
    /// Manage a pool's private key set (keys.json).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print the public JWKS of a key set, in Cognito's exact shape.
    Jwks(JwksArgs),
    /// Mint or verify tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Show everything working end to end: generate keys, mint an ID and an access token,
    /// print the JWKS and the claims, and verify both tokens.
    Demo(DemoArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a new key set: an RSA key for ID tokens, another for access tokens (as
    /// Cognito does), and a refresh-token encryption key. The file holds private keys and is
    /// written readable by its owner only.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct GenerateArgs {
    /// Where to write the key set.
    #[arg(long)]
    out: PathBuf,
    /// RSA modulus size.
    #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
    bits: usize,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct JwksArgs {
    /// The key set written by `cognate keys generate`.
    #[arg(long)]
    keys: PathBuf,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Mint one Cognito-shaped ID or access token and print it.
    Mint(MintArgs),
    /// Verify a token as a backend would (signature, issuer, client, token_use, expiry) and
    /// print its claims as JSON. Exits 1 with the reason when the token is invalid.
    Verify(VerifyArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// An ID token (`token_use: id`, audience in `aud`).
    Id,
    /// An access token (`token_use: access`, audience in `client_id`).
    Access,
}

impl From<Kind> for TokenUse {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Id => TokenUse::Id,
            Kind::Access => TokenUse::Access,
        }
    }
}

#[derive(Args)]
struct MintArgs {
    /// The key set to sign with.
    #[arg(long)]
    keys: PathBuf,
    /// The user pool ID, `{region}_{suffix}`.
    #[arg(long)]
    pool: String,
    /// The app client ID (`aud` of an ID token, `client_id` of an access token).
    #[arg(long)]
    client: String,
    /// The username (`cognito:username` / `username`).
    #[arg(long)]
    user: String,
    /// The user's `sub` (default: a new random UUID).
    #[arg(long)]
    sub: Option<String>,
    /// Which token.
    #[arg(long, value_enum)]
    kind: Kind,
    /// A group for `cognito:groups` (repeatable).
    #[arg(long = "group", value_name = "G")]
    groups: Vec<String>,
    /// A scope for the access token's `scope` (repeatable; default
    /// `aws.cognito.signin.user.admin`, as the user-pools API issues).
    #[arg(long = "scope", value_name = "S")]
    scopes: Vec<String>,
    /// A user attribute for the ID token, NAME=VALUE (repeatable). `email_verified` and
    /// `phone_number_verified` become booleans; `custom:` attributes stay strings.
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    attrs: Vec<String>,
    /// The issuer (default: Cognito's `https://cognito-idp.{region}.amazonaws.com/{pool}`;
    /// give a local server's `http://127.0.0.1:PORT/{pool}` to use that instead).
    #[arg(long)]
    issuer: Option<String>,
    /// Lifetime in seconds (Cognito's range: 300 to 86400; default 3600).
    #[arg(long, value_name = "SECONDS")]
    expires_in: Option<u64>,
}

#[derive(Args)]
struct VerifyArgs {
    /// The JWKS to trust (as printed by `cognate jwks`, or a pool's jwks.json).
    #[arg(long)]
    jwks: PathBuf,
    /// The user pool the token must come from.
    #[arg(long)]
    pool: String,
    /// The app client the token must be for.
    #[arg(long)]
    client: String,
    /// Which token is expected.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The expected issuer (default: Cognito's form for the pool).
    #[arg(long)]
    issuer: Option<String>,
    /// The token, or `-` to read it from standard input.
    token: String,
}

#[derive(Args)]
struct DemoArgs {
    /// Keep the generated key set here (default: nothing is written).
    #[arg(long)]
    keys_out: Option<PathBuf>,
}

/// A failure of the command itself (not an invalid token): exit code 2.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Input(String),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error(transparent)]
    KeySet(#[from] cognate_jwt::KeySetError),
    #[error(transparent)]
    Issue(#[from] cognate_jwt::IssueError),
    #[error(transparent)]
    Validity(#[from] cognate_jwt::ValidityError),
    #[error(transparent)]
    Serve(#[from] serve::ServeError),
}

/// What a subcommand ended with.
enum Outcome {
    Ok,
    InvalidToken(cognate_jwt::verify::VerifyError),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::InvalidToken(e)) => {
            eprintln!("error: invalid token: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Serve(a) => serve::run(a).map(|()| Outcome::Ok).map_err(Into::into),
        Command::Keys(KeysCommand::Generate(a)) => keys_generate(&a).map(|()| Outcome::Ok),
        Command::Jwks(a) => {
            let keys = load_keys(&a.keys)?;
            println!("{}", keys.jwks().to_json());
            Ok(Outcome::Ok)
        }
        Command::Token(TokenCommand::Mint(a)) => {
            let keys = load_keys(&a.keys)?;
            println!("{}", mint(&keys, &a)?);
            Ok(Outcome::Ok)
        }
        Command::Token(TokenCommand::Verify(a)) => {
            let jwks = read_file(&a.jwks)?;
            let token = if a.token == "-" {
                let mut s = String::new();
                io::stdin()
                    .take(1 << 20)
                    .read_to_string(&mut s)
                    .map_err(|source| CliError::Io {
                        path: "<stdin>".into(),
                        source,
                    })?;
                s.trim().to_owned()
            } else {
                a.token.clone()
            };
            match verify(
                &jwks,
                &a.pool,
                &a.client,
                a.kind,
                a.issuer.as_deref(),
                &token,
            )? {
                Ok(claims) => {
                    println!("{claims}");
                    Ok(Outcome::Ok)
                }
                Err(e) => Ok(Outcome::InvalidToken(e)),
            }
        }
        Command::Demo(a) => demo(&a),
    }
}

fn parse_bits(s: &str) -> Result<usize, String> {
    let bits: usize = s.parse().map_err(|_| "not a number".to_string())?;
    RsaKeySize::from_bits(bits)
        .map(RsaKeySize::bits)
        .ok_or_else(|| "must be 2048, 3072 or 4096".to_string())
}

fn input<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, CliError> {
    r.map_err(|e| CliError::Input(format!("{what}: {e}")))
}

fn read_file(path: &Path) -> Result<String, CliError> {
    fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn load_keys(path: &Path) -> Result<PoolKeys, CliError> {
    Ok(PoolKeys::from_json(&read_file(path)?)?)
}

fn keys_generate(a: &GenerateArgs) -> Result<(), CliError> {
    let size = RsaKeySize::from_bits(a.bits)
        .ok_or_else(|| CliError::Input("--bits must be 2048, 3072 or 4096".into()))?;
    let keys = PoolKeys::generate(
        size,
        RotationPolicy::default(),
        SystemClock.now(),
        &SystemRandom,
    )?;
    write_private(&a.out, keys.to_json().expose(), a.force)?;
    eprintln!(
        "wrote a key set to {} (ID-token key {}, access-token key {})",
        a.out.display(),
        keys.active(TokenUse::Id).kid(),
        keys.active(TokenUse::Access).kid()
    );
    Ok(())
}

/// Writes a file only its owner can read, refusing to replace one unless `force`.
fn write_private(path: &Path, contents: &str, force: bool) -> Result<(), CliError> {
    let io_err = |source| CliError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut opts = fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io_err)?;
    f.write_all(contents.as_bytes()).map_err(io_err)?;
    f.write_all(b"\n").map_err(io_err)?;
    f.sync_all().map_err(io_err)
}

fn issuer_for(pool: &UserPoolId, issuer: Option<&str>) -> Result<IssuerUrl, CliError> {
    match issuer {
        Some(i) => input("--issuer", IssuerUrl::new(i)),
        None => Ok(IssuerUrl::cognito(pool)),
    }
}

/// The user an ID or access token describes, from `--user`, `--sub`, `--group`, `--attr`.
fn user_claims(a: &MintArgs, rng: &dyn SecureRandom) -> Result<UserClaims, CliError> {
    let username = input("--user", Username::new(a.user.as_str()))?;
    let sub = match &a.sub {
        Some(s) => input("--sub", Sub::new(s.as_str()))?,
        None => input("random", Sub::generate(rng))?,
    };
    let mut user = UserClaims::new(sub, username);
    for g in &a.groups {
        user = user.with_group(input("--group", GroupName::new(g.as_str()))?);
    }
    for kv in &a.attrs {
        let (name, value) = kv
            .split_once('=')
            .ok_or_else(|| CliError::Input(format!("--attr {kv:?}: expected NAME=VALUE")))?;
        let name = input("--attr", AttributeName::new(name))?;
        if name.is_developer_only() {
            return Err(CliError::Input(format!(
                "--attr {name}: dev: attributes never appear in tokens"
            )));
        }
        user = user.with_attribute(name, value);
    }
    Ok(user)
}

fn mint(keys: &PoolKeys, a: &MintArgs) -> Result<String, CliError> {
    let pool = input("--pool", UserPoolId::new(a.pool.as_str()))?;
    let client = input("--client", ClientId::new(a.client.as_str()))?;
    let issuer = issuer_for(&pool, a.issuer.as_deref())?;
    let rng: Arc<dyn SecureRandom> = Arc::new(SystemRandom);
    let user = user_claims(a, rng.as_ref())?;
    let mut scopes = Scopes::new();
    for s in &a.scopes {
        scopes.insert(input("--scope", Scope::new(s.as_str()))?);
    }
    if scopes.is_empty() {
        scopes.insert(input("scope", Scope::new(Scope::COGNITO_ADMIN))?);
    }
    let mut validity = TokenValidity::default();
    if let Some(secs) = a.expires_in {
        let d = Duration::from_secs(secs);
        validity = validity.with_id(d)?.with_access(d)?;
    }
    let issuer = TokenIssuer::new(pool, issuer, Arc::new(SystemClock), rng);
    let mut req = UserTokenRequest::new(&client, &user, &scopes);
    req.validity = validity;
    Ok(match a.kind {
        Kind::Id => issuer.issue_id_token(keys, &req)?,
        Kind::Access => issuer.issue_access_token(keys, &req)?,
    })
}

/// Verifies `token`; the outer error is a problem with the inputs, the inner one the token.
fn verify(
    jwks: &str,
    pool: &str,
    client: &str,
    kind: Kind,
    issuer: Option<&str>,
    token: &str,
) -> Result<Result<String, cognate_jwt::verify::VerifyError>, CliError> {
    let pool = input("--pool", UserPoolId::new(pool))?;
    let client = input("--client", ClientId::new(client))?;
    let issuer = issuer_for(&pool, issuer)?;
    let keys = input("--jwks", JwkSet::parse(jwks.as_bytes()))?;
    if keys.is_empty() {
        return Err(CliError::Input("--jwks: no usable key in the JWKS".into()));
    }
    let verifier = input(
        "verifier",
        CognitoVerifier::builder(kind.into())
            .user_pool(CognitoPool::new(pool, client).issuer(issuer.clone()))
            .build(),
    )?;
    input("verifier", verifier.cache_jwks(&issuer, keys))?;
    Ok(verifier.verify_sync(token).map(|c| c.to_json()))
}

fn demo(a: &DemoArgs) -> Result<Outcome, CliError> {
    let pool = input("pool", UserPoolId::new("us-east-1_Example1"))?;
    let client = "5hu48rd3mbfvr3t6d6r2rchapm";
    let keys = PoolKeys::generate(
        RsaKeySize::Rsa2048,
        RotationPolicy::default(),
        SystemClock.now(),
        &SystemRandom,
    )?;
    if let Some(path) = &a.keys_out {
        write_private(path, keys.to_json().expose(), false)?;
        println!("Key set written to {}", path.display());
    }
    let jwks = keys.jwks().to_json();
    println!("Pool {pool}, issuer {}", IssuerUrl::cognito(&pool));
    println!(
        "\nJWKS (what {} serves):\n{jwks}",
        IssuerUrl::cognito(&pool).jwks_uri()
    );
    let mut all_valid = true;
    for kind in [Kind::Id, Kind::Access] {
        let args = MintArgs {
            keys: PathBuf::new(),
            pool: pool.to_string(),
            client: client.into(),
            user: "alice".into(),
            sub: None,
            kind,
            groups: vec!["admins".into()],
            scopes: Vec::new(),
            attrs: vec![
                "email=alice@example.com".into(),
                "email_verified=true".into(),
                "custom:tenant=42".into(),
            ],
            issuer: None,
            expires_in: None,
        };
        let token = mint(&keys, &args)?;
        let name = match kind {
            Kind::Id => "ID",
            Kind::Access => "access",
        };
        println!("\n{name} token:\n{token}");
        match verify(&jwks, pool.as_str(), client, kind, None, &token)? {
            Ok(claims) => println!("verified; claims:\n{claims}"),
            Err(e) => {
                all_valid = false;
                println!("NOT valid: {e}");
            }
        }
    }
    println!(
        "\nTry: cognate keys generate --out keys.json && cognate token mint --keys keys.json \
         --pool {pool} --client {client} --user alice --kind access"
    );
    Ok(if all_valid {
        Outcome::Ok
    } else {
        Outcome::InvalidToken(cognate_jwt::verify::VerifyError::Rejected(
            "the demo's own token did not verify".into(),
        ))
    })
}
