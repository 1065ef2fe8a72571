//! The `cognate` command as a user runs it: arguments, exit codes, files, output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn cognate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(args)
        .output()
        .expect("run cognate")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("cognate-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    fn path(&self, f: &str) -> String {
        self.0.join(f).to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn generate(dir: &TempDir) -> (String, String) {
    let keys = dir.path("keys.json");
    let o = cognate(&["keys", "generate", "--out", &keys]);
    assert!(o.status.success(), "{}", stderr(&o));
    let jwks = dir.path("jwks.json");
    let o = cognate(&["jwks", "--keys", &keys]);
    assert!(o.status.success());
    std::fs::write(&jwks, stdout(&o)).unwrap();
    (keys, jwks)
}

fn claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let p = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn every_command_explains_itself() {
    for args in [
        vec!["--help"],
        vec!["keys", "generate", "--help"],
        vec!["jwks", "--help"],
        vec!["token", "mint", "--help"],
        vec!["token", "verify", "--help"],
        vec!["demo", "--help"],
    ] {
        let o = cognate(&args);
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Usage: cognate"), "{args:?}");
    }
}

#[test]
fn key_file_is_private_and_never_silently_replaced() {
    let dir = TempDir::new("keys");
    let (keys, _) = generate(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keys).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key file readable by others: {mode:o}");
    }
    let before = std::fs::read(&keys).unwrap();
    let o = cognate(&["keys", "generate", "--out", &keys]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&keys).unwrap(), before);
    let o = cognate(&["keys", "generate", "--out", &keys, "--force"]);
    assert!(o.status.success());
    assert_ne!(std::fs::read(&keys).unwrap(), before);
    let o = cognate(&[
        "keys", "generate", "--out", &keys, "--bits", "1024", "--force",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn mint_then_verify_both_kinds_and_issuer_forms() {
    let dir = TempDir::new("mint");
    let (keys, jwks) = generate(&dir);
    let base = [
        "token",
        "mint",
        "--keys",
        &keys,
        "--pool",
        "us-east-1_Example",
        "--client",
        "client1",
        "--user",
        "alice",
    ];
    for (kind, issuer) in [
        ("id", None),
        ("access", None),
        ("id", Some("http://127.0.0.1:9229/us-east-1_Example")),
        ("access", Some("http://127.0.0.1:9229/us-east-1_Example")),
    ] {
        let mut args = base.to_vec();
        args.extend([
            "--kind",
            kind,
            "--group",
            "admins",
            "--attr",
            "email_verified=true",
        ]);
        args.extend(["--attr", "custom:n=7", "--expires-in", "600"]);
        if let Some(i) = issuer {
            args.extend(["--issuer", i]);
        }
        let o = cognate(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let token = stdout(&o).trim().to_owned();
        let c = claims(&token);
        assert_eq!(c["token_use"], kind);
        assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 600);
        assert_eq!(
            c["iss"],
            issuer.unwrap_or("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example")
        );
        if kind == "id" {
            assert_eq!(c["email_verified"], true);
            assert_eq!(c["custom:n"], "7");
        } else {
            assert_eq!(c["scope"], "aws.cognito.signin.user.admin");
        }

        let mut v = vec![
            "token",
            "verify",
            "--jwks",
            &jwks,
            "--pool",
            "us-east-1_Example",
            "--client",
            "client1",
            "--kind",
            kind,
        ];
        if let Some(i) = issuer {
            v.extend(["--issuer", i]);
        }
        v.push(&token);
        let o = cognate(&v);
        assert!(o.status.success(), "{}", stderr(&o));
        let printed: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(printed, c);

        // The wrong client, kind or issuer form: exit 1 with the typed reason.
        let mut wrong = v.clone();
        wrong[7] = "client2";
        let o = cognate(&wrong);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).starts_with("error: invalid token: "),
            "{}",
            stderr(&o)
        );
        let mut wrong = v.clone();
        wrong[9] = if kind == "id" { "access" } else { "id" };
        let o = cognate(&wrong);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("token_use"), "{}", stderr(&o));
        if issuer.is_some() {
            let without_issuer: Vec<&str> = v
                .iter()
                .copied()
                .filter(|a| *a != "--issuer" && Some(*a) != issuer)
                .collect();
            let o = cognate(&without_issuer);
            assert_eq!(o.status.code(), Some(1));
            assert!(stderr(&o).contains("issuer"), "{}", stderr(&o));
        }
    }
}

#[test]
fn bad_input_is_a_usage_error_not_a_crash() {
    let dir = TempDir::new("bad");
    let (keys, jwks) = generate(&dir);
    let mint = |extra: &[&str]| {
        let mut a = vec![
            "token",
            "mint",
            "--keys",
            keys.as_str(),
            "--pool",
            "us-east-1_Example",
            "--client",
            "c1",
            "--user",
            "alice",
            "--kind",
            "id",
        ];
        a.extend(extra);
        cognate(&a)
    };
    for extra in [
        &["--expires-in", "10"][..],
        &["--expires-in", "100000"],
        &["--attr", "novalue"],
        &["--attr", "dev:secret=1"],
        &["--group", "has space"],
        &["--scope", "bad\"scope"],
        &["--issuer", "not a url"],
        &["--sub", ""],
    ] {
        let o = mint(extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("error: "), "{extra:?}");
        assert!(!stderr(&o).contains("panicked"));
    }
    let o = cognate(&[
        "token",
        "mint",
        "--keys",
        &jwks,
        "--pool",
        "us-east-1_Example",
        "--client",
        "c1",
        "--user",
        "alice",
        "--kind",
        "id",
    ]);
    assert_eq!(o.status.code(), Some(2), "a JWKS is not a key set");
    let o = cognate(&[
        "token",
        "verify",
        "--jwks",
        &keys,
        "--pool",
        "us-east-1_Example",
        "--client",
        "c1",
        "--kind",
        "id",
        "x.y.z",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let missing = dir.path("missing.json");
    let o = cognate(&["jwks", "--keys", &missing]);
    assert_eq!(o.status.code(), Some(2));
    for token in [
        "",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.e30.",
        &"a".repeat(100_000),
    ] {
        let o = cognate(&[
            "token",
            "verify",
            "--jwks",
            &jwks,
            "--pool",
            "us-east-1_Example",
            "--client",
            "c1",
            "--kind",
            "id",
            token,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
}

#[test]
fn private_keys_never_reach_the_terminal() {
    let dir = TempDir::new("leak");
    let keys = dir.path("keys.json");
    let o = cognate(&["keys", "generate", "--out", &keys]);
    let printed = format!("{}{}", stdout(&o), stderr(&o));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&keys).unwrap()).unwrap();
    let text = file.to_string();
    assert!(text.len() > 1000);
    assert!(!printed.contains("PRIVATE KEY"));
    let jwks = cognate(&["jwks", "--keys", &keys]);
    let jwks: serde_json::Value = serde_json::from_slice(&jwks.stdout).unwrap();
    for k in jwks["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none());
        }
    }
}

#[test]
fn demo_runs_end_to_end() {
    let o = cognate(&["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.matches("verified; claims:").count(), 2, "{out}");
}
