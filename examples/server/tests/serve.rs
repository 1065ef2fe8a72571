//! `cognate serve` as a client sees it: the real binary on an ephemeral loopback port with a
//! temporary data directory, driven over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const TARGET: &str = "AWSCognitoIdentityProviderService.";
const KEY_ID: &str = "AKIDSERVETEST";
const KEY_SECRET: &str = "serve/test+Secret0123456789abcdefghij";

// ---- a temporary directory -----------------------------------------------------------------

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "cognate-serve-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn join(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---- the server process --------------------------------------------------------------------

struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

fn drain(
    r: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
    lines: Option<mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            into.lock().unwrap().push_str(&line);
            into.lock().unwrap().push('\n');
            if let Some(tx) = &lines {
                let _ = tx.send(line);
            }
        }
    });
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cognate"));
    c.arg("serve").args(args).env("RUST_LOG", "info");
    c
}

impl Server {
    /// Starts `cognate serve --listen 127.0.0.1:0 --data DIR ARGS...` and waits for its
    /// `listening on http://...` line.
    fn start(data: &Path, args: &[&str]) -> Server {
        Self::start_on("127.0.0.1:0", data, args)
    }

    fn start_on(listen: &str, data: &Path, args: &[&str]) -> Server {
        let mut child = command(&["--listen", listen, "--data", data.to_str().unwrap()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cognate serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        drain(child.stdout.take().unwrap(), stdout.clone(), Some(tx));
        drain(child.stderr.take().unwrap(), stderr.clone(), None);
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(a) = line.strip_prefix("listening on http://") {
                        break a.trim().to_owned();
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "no `listening on` line; stdout:\n{}\nstderr:\n{}",
                        stdout.lock().unwrap(),
                        stderr.lock().unwrap()
                    );
                }
            }
        };
        let server = Server {
            child,
            addr,
            stdout,
            stderr,
        };
        // Everything logged during start-up precedes this line.
        assert!(server.logged("listening address="), "{}", server.stderr());
        server
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (a little) for a log line containing `needle`: stderr is read by a thread.
    fn logged(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The value after `label:` on the first-start banner.
    fn banner(&self, label: &str) -> String {
        let out = self.stdout();
        let line = out
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{label}:")))
            .unwrap_or_else(|| panic!("no {label} in:\n{out}"))
            .to_owned();
        line.split_whitespace().next().unwrap().to_owned()
    }

    /// SIGTERM, then waits for the exit.
    fn stop(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the drain threads read the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- a minimal HTTP/1.1 client -------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn error_type(&self) -> Option<&str> {
        self.header("x-amzn-errortype")
    }
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(head.as_bytes()).unwrap();
    // A server may answer (and close) before reading a body it refuses.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(server: &Server, path: &str) -> Response {
    request(&server.addr, "GET", path, &[], b"")
}

/// An unsigned user-pools API call.
fn call(server: &Server, op: &str, body: &Value) -> Response {
    let target = format!("{TARGET}{op}");
    request(
        &server.addr,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", &target),
        ],
        body.to_string().as_bytes(),
    )
}

// ---- a SigV4 signer for the tests ----------------------------------------------------------

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// `yyyyMMdd'T'HHmmss'Z'` of a time.
fn amz_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn amz_date_matches_known_values() {
    assert_eq!(amz_date(UNIX_EPOCH), "19700101T000000Z");
    assert_eq!(
        amz_date(UNIX_EPOCH + Duration::from_secs(1_773_480_413)),
        "20260314T092653Z"
    );
    assert_eq!(
        amz_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "20000229T000000Z"
    );
}

/// A SigV4-signed API call (service `cognito-idp`, region `us-east-1`), signed now.
fn signed_call(server: &Server, op: &str, body: &Value, key_id: &str, secret: &str) -> Response {
    let target = format!("{TARGET}{op}");
    let body = body.to_string();
    let date = amz_date(SystemTime::now());
    let day = &date[..8];
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", server.addr.as_str()),
        ("x-amz-date", date.as_str()),
        ("x-amz-target", target.as_str()),
    ];
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = "content-type;host;x-amz-date;x-amz-target";
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        hex(&Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{day}/us-east-1/cognito-idp/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
    for part in ["us-east-1", "cognito-idp", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.push(("authorization", &authorization));
    request(&server.addr, "POST", "/", &all, body.as_bytes())
}

fn keys_config(dir: &TempDir, extra: &str) -> PathBuf {
    let path = dir.join("cognate.toml");
    std::fs::write(
        &path,
        format!("[[access_keys]]\nid = \"{KEY_ID}\"\nsecret = \"{KEY_SECRET}\"\n{extra}"),
    )
    .unwrap();
    path
}

// ---- the tests -----------------------------------------------------------------------------

#[test]
fn health_discovery_and_jwks_agree_with_the_issuer() {
    let dir = TempDir::new("discovery");
    let server = Server::start(&dir.join("data"), &[]);
    let r = get(&server, "/health");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "status": "ok" }));
    assert_eq!(r.header("x-amzn-requestid").map(str::len), Some(36));

    let pool = server.banner("pool id");
    let issuer = format!("{}/{pool}", server.base());
    assert_eq!(server.banner("issuer"), issuer);
    let r = get(
        &server,
        &format!("/{pool}/.well-known/openid-configuration"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let d = r.json();
    assert_eq!(d["issuer"], issuer.as_str());
    assert_eq!(d["jwks_uri"], format!("{issuer}/.well-known/jwks.json"));
    assert_eq!(
        server.banner("JWKS"),
        format!("{issuer}/.well-known/jwks.json")
    );
    assert_eq!(d["id_token_signing_alg_values_supported"], json!(["RS256"]));
    assert_eq!(d["subject_types_supported"], json!(["public"]));
    // The demo pool has the domain `demo`: the advertised hosted endpoints are there.
    let hosted = format!("{}/demo", server.base());
    assert_eq!(d["token_endpoint"], format!("{hosted}/oauth2/token"));
    assert_eq!(
        d["authorization_endpoint"],
        format!("{hosted}/oauth2/authorize")
    );
    let sign_in = server.banner("sign-in");
    let path = sign_in.strip_prefix(&server.base()).unwrap();
    let r = get(&server, path);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("signInFormUsername"), "{}", r.body);
    let authorize = path.replacen("/demo/login?", "/demo/oauth2/authorize?", 1);
    let r = get(&server, &authorize);
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .unwrap()
        .starts_with(&format!("{hosted}/login?")));
    // Host-based routing: the same pages at the root of `demo.localhost:PORT`.
    let port = server.addr.rsplit_once(':').unwrap().1.to_owned();
    let host = format!("demo.localhost:{port}");
    let at_root = path.strip_prefix("/demo").unwrap();
    let r = request(&server.addr, "GET", at_root, &[("host", &host)], b"");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains(&format!("action=\"http://{host}/login?")),
        "{}",
        r.body
    );
    // A pool without a domain advertises no OAuth endpoint.
    let r = signed_call(
        &server,
        "CreateUserPool",
        &json!({ "PoolName": "bare" }),
        "AKIDX",
        "any",
    );
    let bare = r.json()["UserPool"]["Id"].as_str().unwrap().to_owned();
    let d = get(
        &server,
        &format!("/{bare}/.well-known/openid-configuration"),
    )
    .json();
    assert!(d.get("token_endpoint").is_none(), "{d}");
    assert!(d.get("authorization_endpoint").is_none(), "{d}");
    // An unknown domain is not found.
    assert_eq!(get(&server, "/nodomain/oauth2/authorize").status, 404);

    let r = get(&server, &format!("/{pool}/.well-known/jwks.json"));
    assert_eq!(r.status, 200);
    let jwks = r.json();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{jwks}");
    for k in keys {
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["kty"], "RSA");
        assert!(k.get("d").is_none(), "private key material published");
    }
    // Stable across requests.
    assert_eq!(
        get(&server, &format!("/{pool}/.well-known/jwks.json")).json(),
        jwks
    );

    for path in [
        "/us-east-1_Missing1/.well-known/jwks.json",
        "/us-east-1_Missing1/.well-known/openid-configuration",
        "/not-a-pool/.well-known/jwks.json",
        "/nothing-here",
    ] {
        assert_eq!(get(&server, path).status, 404, "{path}");
    }
}

#[test]
fn api_errors_have_the_aws_json_shape() {
    let dir = TempDir::new("api");
    let server = Server::start(&dir.join("data"), &[]);
    let r = call(&server, "NoSuchOperation", &json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(r.error_type(), Some("UnknownOperationException"));
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    let request_id = r.header("x-amzn-requestid").unwrap();
    assert_eq!(request_id.len(), 36);
    // One log line per request, with the operation, status and duration.
    let line = format!("request_id={request_id}");
    assert!(server.logged(&line), "{}", server.stderr());
    let logs = server.stderr();
    let logged = logs.lines().find(|l| l.contains(&line)).unwrap();
    for part in [
        "op=NoSuchOperation",
        "status=400",
        "error=UnknownOperationException",
        "ms=",
    ] {
        assert!(logged.contains(part), "{part}: {logged}");
    }

    // A public operation: the password never reaches the logs.
    let r = call(
        &server,
        "InitiateAuth",
        &json!({
            "ClientId": server.banner("client id"),
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "demo", "PASSWORD": "Not-The-Passw0rd!" },
        }),
    );
    assert_eq!(r.error_type(), Some("NotAuthorizedException"), "{}", r.body);
    assert!(server.logged("op=InitiateAuth"));
    assert!(!server.stderr().contains("Not-The-Passw0rd!"));
    assert!(!server.stderr().contains(&server.banner("password")));

    let big = vec![b' '; 256 * 1024 + 1];
    let r = request(
        &server.addr,
        "POST",
        "/",
        &[(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )],
        &big,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error_type(), Some("InvalidParameterException"));
    assert_eq!(r.json()["message"], "Request body is too large.");
}

#[test]
fn unsigned_admin_calls_are_refused_and_dev_signatures_accepted() {
    let dir = TempDir::new("dev-admin");
    let server = Server::start(&dir.join("data"), &[]);
    let pool = server.banner("pool id");
    let r = call(&server, "ListUserPools", &json!({ "MaxResults": 10 }));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_type(), Some("MissingAuthenticationTokenException"));
    assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");

    // Dev mode: any key, any secret.
    let r = signed_call(
        &server,
        "ListUserPools",
        &json!({ "MaxResults": 10 }),
        "AKIDANYTHING",
        "any-secret",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let pools = r.json()["UserPools"].as_array().unwrap().clone();
    assert!(pools.iter().any(|p| p["Id"] == pool.as_str()), "{pools:?}");
}

#[test]
fn dev_mode_takes_any_sigv4_header_from_loopback_only() {
    let dir = TempDir::new("dev");
    let server = Server::start(&dir.join("data"), &[]);
    assert!(
        server.logged("dev mode: admin API accepts any signature on loopback"),
        "{}",
        server.stderr()
    );
    // A signature that cannot verify still reaches the engine (here: an unknown operation).
    let r = signed_call(&server, "NoSuchOperation", &json!({}), "AKIDX", "wrong");
    assert_eq!(
        r.error_type(),
        Some("UnknownOperationException"),
        "{}",
        r.body
    );
    // Not SigV4 at all.
    let r = request(
        &server.addr,
        "POST",
        "/",
        &[
            (
                "x-amz-target",
                "AWSCognitoIdentityProviderService.NoSuchOperation",
            ),
            ("authorization", "Bearer abc"),
        ],
        b"{}",
    );
    assert_eq!(
        r.error_type(),
        Some("IncompleteSignatureException"),
        "{}",
        r.body
    );
    // DNS rebinding: a page whose name resolves to 127.0.0.1 sends its own Host.
    let r = request(
        &server.addr,
        "POST",
        "/",
        &[
            ("host", "attacker.example"),
            ("x-amz-target", "AWSCognitoIdentityProviderService.NoSuchOperation"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
            ),
        ],
        b"{}",
    );
    assert_eq!(
        r.error_type(),
        Some("UnrecognizedClientException"),
        "{}",
        r.body
    );
    // The outbox exists in dev mode.
    let r = get(&server, "/_cognate/outbox?pool=us-east-1_Nope&username=x");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "messages": [] }));
}

#[test]
fn configured_keys_refuse_bad_signatures_and_accept_good_ones() {
    let dir = TempDir::new("keys");
    let config = keys_config(&dir, "");
    let server = Server::start(&dir.join("data"), &["--config", config.to_str().unwrap()]);
    assert!(!server.stderr().contains("dev mode"), "{}", server.stderr());

    let r = signed_call(
        &server,
        "NoSuchOperation",
        &json!({}),
        KEY_ID,
        "not-the-secret",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error_type(),
        Some("InvalidSignatureException"),
        "{}",
        r.body
    );
    let body = r.json();
    assert_eq!(body["__type"], "InvalidSignatureException");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("The request signature we calculated does not match"));

    let r = signed_call(
        &server,
        "NoSuchOperation",
        &json!({}),
        "AKIDUNKNOWN",
        KEY_SECRET,
    );
    assert_eq!(
        r.error_type(),
        Some("UnrecognizedClientException"),
        "{}",
        r.body
    );

    // A good signature reaches the engine.
    let r = signed_call(&server, "NoSuchOperation", &json!({}), KEY_ID, KEY_SECRET);
    assert_eq!(
        r.error_type(),
        Some("UnknownOperationException"),
        "{}",
        r.body
    );

    // Without dev mode there is no outbox, and no secret is ever logged.
    assert_eq!(get(&server, "/_cognate/outbox").status, 404);
    assert!(
        server.logged("InvalidSignatureException"),
        "{}",
        server.stderr()
    );
    assert!(!server.stderr().contains(KEY_SECRET));
}

#[test]
fn configured_keys_sign_admin_calls() {
    let dir = TempDir::new("keys-admin");
    let config = keys_config(&dir, "");
    let server = Server::start(&dir.join("data"), &["--config", config.to_str().unwrap()]);
    let r = call(&server, "ListUserPools", &json!({ "MaxResults": 10 }));
    assert_eq!(r.error_type(), Some("MissingAuthenticationTokenException"));
    let r = signed_call(
        &server,
        "ListUserPools",
        &json!({ "MaxResults": 10 }),
        KEY_ID,
        "bad",
    );
    assert_eq!(r.error_type(), Some("InvalidSignatureException"));
    let r = signed_call(
        &server,
        "ListUserPools",
        &json!({ "MaxResults": 10 }),
        KEY_ID,
        KEY_SECRET,
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn non_loopback_without_keys_refuses_to_start() {
    let dir = TempDir::new("open");
    let out = command(&[
        "--listen",
        "0.0.0.0:0",
        "--data",
        dir.join("data").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to serve the user-pools admin API on 0.0.0.0:0"),
        "{err}"
    );
    assert!(err.contains("access_keys"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
}

#[test]
fn non_loopback_with_keys_starts() {
    let dir = TempDir::new("network");
    let config = keys_config(&dir, "");
    let server = Server::start_on(
        "0.0.0.0:0",
        &dir.join("data"),
        &["--config", config.to_str().unwrap()],
    );
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    let r = request(&format!("127.0.0.1:{port}"), "GET", "/health", &[], b"");
    assert_eq!(r.status, 200);
}

#[test]
fn config_pools_clients_and_issuers() {
    let dir = TempDir::new("config");
    let config = dir.join("cognate.toml");
    std::fs::write(
        &config,
        r#"
public_url = "http://localhost:1234/"

[[pools]]
id = "us-east-1_Local1"
name = "local"

[[pools.clients]]
id = "localclient"
name = "web"
auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.groups]]
name = "admins"

[[pools]]
id = "us-east-1_AsCognito"
issuer = "cognito"
"#,
    )
    .unwrap();
    let data = dir.join("data");
    let server = Server::start(&data, &["--config", config.to_str().unwrap()]);
    // Configured pools: no demo pool.
    assert!(
        !server.stdout().contains("First start"),
        "{}",
        server.stdout()
    );
    let d = get(
        &server,
        "/us-east-1_Local1/.well-known/openid-configuration",
    )
    .json();
    assert_eq!(d["issuer"], "http://localhost:1234/us-east-1_Local1");
    assert_eq!(
        d["jwks_uri"],
        "http://localhost:1234/us-east-1_Local1/.well-known/jwks.json"
    );
    let d = get(
        &server,
        "/us-east-1_AsCognito/.well-known/openid-configuration",
    )
    .json();
    assert_eq!(
        d["issuer"],
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AsCognito"
    );
    // The keys are served here, whatever the issuer says.
    assert_eq!(
        d["jwks_uri"],
        "http://localhost:1234/us-east-1_AsCognito/.well-known/jwks.json"
    );
    assert!(
        server.logged("created client web (localclient)"),
        "{}",
        server.stderr()
    );
}

#[test]
fn a_bad_config_stops_the_start_with_its_place() {
    let dir = TempDir::new("badconfig");
    let config = dir.join("cognate.toml");
    std::fs::write(
        &config,
        "[[pools]]\nid = \"us-east-1_A\"\n[[pools.clients]]\nname = \"c\"\nauth_flows = [\"ALLOW_EVERYTHING\"]\n",
    )
    .unwrap();
    let out = command(&[
        "--listen",
        "127.0.0.1:0",
        "--data",
        dir.join("data").to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pools[0].clients[0]: unknown auth flow \"ALLOW_EVERYTHING\""),
        "{err}"
    );

    std::fs::write(
        &config,
        "[[access_keys]]\nid = \"A\"\nsecret = \"hunter2hunter2\"\nbogus = 1\n",
    )
    .unwrap();
    let out = command(&[
        "--listen",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4") && err.contains("bogus"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn the_data_directory_is_private_and_sigterm_stops_cleanly() {
    let dir = TempDir::new("shutdown");
    let data = dir.join("nested/data");
    let server = Server::start(&data, &[]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let status = server.stop();
    assert!(status.success(), "{status:?}");
}

#[test]
fn data_survives_a_restart() {
    let dir = TempDir::new("restart");
    let data = dir.join("data");
    let server = Server::start(&data, &[]);
    let pool = server.banner("pool id");
    let client = server.banner("client id");
    let jwks = get(&server, &format!("/{pool}/.well-known/jwks.json")).json();
    assert!(server.stop().success());

    let server = Server::start(&data, &[]);
    assert!(
        !server.stdout().contains("First start"),
        "{}",
        server.stdout()
    );
    let again = get(&server, &format!("/{pool}/.well-known/jwks.json"));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json(), jwks);
    let r = call(
        &server,
        "InitiateAuth",
        &json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "demo", "PASSWORD": "wrong-Passw0rd!" },
        }),
    );
    // The client is still known: the refusal is about the password, not the client.
    assert_eq!(r.error_type(), Some("NotAuthorizedException"), "{}", r.body);
}
