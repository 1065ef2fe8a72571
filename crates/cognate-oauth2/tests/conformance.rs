//! The OpenID Foundation conformance suite's Basic OP and Config OP modules that apply to a
//! Cognito-style provider, re-expressed as tests named after their module IDs (the suite
//! itself needs Maven, Docker and MongoDB, none of which this project's machines reach). The
//! tokens are real: RS256 ID and access tokens from cognate-jwt, checked with its verifier.
//! The modules that do not apply, and why, are listed in docs/oauth2.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "common/jwt_host.rs"]
mod jwt_host;

use base64::Engine as _;
use common::{basic, location, url_params, Browser, CB, CHALLENGE, CONF, CONF_SECRET, VERIFIER};
use http::{Method, Request, Response};
use jwt_host::{jwt_harness, JwtHarness};

fn query(extra: &str) -> String {
    format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope=openid&state=st-1&nonce=n-1{extra}")
}

fn redeem(h: &JwtHarness, callback: &str) -> serde_json::Value {
    let code = &url_params(callback)["code"];
    let r = token(
        h,
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
    );
    assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));
    common::json(&r)
}

fn token(h: &JwtHarness, body: &str) -> Response<Vec<u8>> {
    h.server.handle(
        &Request::builder()
            .method(Method::POST)
            .uri("/oauth2/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", basic(CONF, CONF_SECRET))
            .body(body.as_bytes().to_vec())
            .unwrap(),
    )
}

fn userinfo(h: &JwtHarness, method: Method, at: &str, in_body: bool) -> Response<Vec<u8>> {
    let mut b = Request::builder().method(method).uri("/oauth2/userInfo");
    let body = if in_body {
        b = b.header("content-type", "application/x-www-form-urlencoded");
        format!("access_token={at}").into_bytes()
    } else {
        b = b.header("authorization", format!("Bearer {at}"));
        Vec::new()
    };
    h.server.handle(&b.body(body).unwrap())
}

/// Signs in and redeems the code: the verified ID token claims and the token response.
fn happy(h: &JwtHarness, extra: &str) -> (cognate_jwt::VerifiedClaims, serde_json::Value) {
    let (callback, _) = Browser::default().authorize(&h.server, &query(extra));
    assert_eq!(url_params(&callback)["state"], "st-1");
    let tokens = redeem(h, &callback);
    let id = h
        .minter
        .id_verifier(CONF)
        .verify_sync(tokens["id_token"].as_str().unwrap())
        .unwrap();
    (id, tokens)
}

fn header_of(jwt: &str) -> serde_json::Value {
    let h = jwt.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(h)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn oidcc_server() {
    let h = jwt_harness();
    let (id, tokens) = happy(&h, "");
    assert_eq!(id.iss(), jwt_host::issuer().as_str());
    assert!(id.aud().unwrap().contains(CONF));
    assert_eq!(id.extra_str("nonce"), Some("n-1"));
    assert_eq!(id.token_use_str(), Some("id"));
    assert!(id.auth_time().is_some());
    assert!(id.extra_str("at_hash").is_some());
    let now = h.clock_now();
    assert!(id.iat().unwrap() <= now && id.exp() > now);
    assert_eq!(tokens["token_type"], "Bearer");
}

#[test]
fn oidcc_response_type_missing() {
    let h = jwt_harness();
    let r = Browser::default().follow(
        &h.server,
        &format!("/oauth2/authorize?client_id={CONF}&redirect_uri={CB}&scope=openid&state=s"),
    );
    let p = url_params(&r.unwrap());
    assert!(["invalid_request", "unsupported_response_type"].contains(&p["error"].as_str()));
    assert_eq!(p["state"], "s");
}

#[test]
fn oidcc_idtoken_signature() {
    let h = jwt_harness();
    let (_, tokens) = happy(&h, "");
    let header = header_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().unwrap();
    let jwks = common::json(
        &h.server.handle(
            &Request::builder()
                .uri("/.well-known/jwks.json")
                .body(Vec::new())
                .unwrap(),
        ),
    );
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kid"] == kid));
}

#[test]
fn oidcc_idtoken_unsigned_is_skipped_because_none_is_not_advertised() {
    let h = jwt_harness();
    let d = h.server.discovery_document();
    let algs = d["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(!algs.iter().any(|a| a == "none"));
}

#[test]
fn oidcc_userinfo_get() {
    let h = jwt_harness();
    let (id, tokens) = happy(&h, "");
    let r = userinfo(
        &h,
        Method::GET,
        tokens["access_token"].as_str().unwrap(),
        false,
    );
    assert_eq!(r.status(), 200);
    assert_eq!(common::json(&r)["sub"], id.sub().unwrap());
}

#[test]
fn oidcc_userinfo_post_header() {
    let h = jwt_harness();
    let (id, tokens) = happy(&h, "");
    let r = userinfo(
        &h,
        Method::POST,
        tokens["access_token"].as_str().unwrap(),
        false,
    );
    assert_eq!(common::json(&r)["sub"], id.sub().unwrap());
}

#[test]
fn oidcc_userinfo_post_body() {
    let h = jwt_harness();
    let (id, tokens) = happy(&h, "");
    let r = userinfo(
        &h,
        Method::POST,
        tokens["access_token"].as_str().unwrap(),
        true,
    );
    assert_eq!(common::json(&r)["sub"], id.sub().unwrap());
}

#[test]
fn oidcc_ensure_request_without_nonce_succeeds_for_code_flow() {
    let h = jwt_harness();
    let q = format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope=openid");
    let (callback, _) = Browser::default().authorize(&h.server, &q);
    let tokens = redeem(&h, &callback);
    let id = h
        .minter
        .id_verifier(CONF)
        .verify_sync(tokens["id_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(id.extra_str("nonce"), None);
}

fn scope_claims(scope: &str) -> serde_json::Value {
    let h = jwt_harness();
    let q = format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope={scope}");
    let (callback, _) = Browser::default().authorize(&h.server, &q);
    let tokens = redeem(&h, &callback);
    common::json(&userinfo(
        &h,
        Method::GET,
        tokens["access_token"].as_str().unwrap(),
        false,
    ))
}

#[test]
fn oidcc_scope_profile() {
    let c = scope_claims("openid+profile");
    assert_eq!(c["name"], "Alice");
}

#[test]
fn oidcc_scope_email() {
    let c = scope_claims("openid+email");
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["email_verified"], "true");
    assert!(c.get("name").is_none());
}

#[test]
fn oidcc_scope_phone() {
    let c = scope_claims("openid+phone");
    assert_eq!(c["phone_number"], "+15550100");
}

#[test]
fn oidcc_scope_address() {
    // Cognito has no `address` scope: it is dropped, and the flow succeeds.
    let c = scope_claims("openid+address");
    assert!(c.get("sub").is_some());
}

#[test]
fn oidcc_scope_all() {
    let c = scope_claims("openid+email+phone+profile+address");
    for k in ["email", "phone_number", "name"] {
        assert!(c.get(k).is_some(), "{k}");
    }
}

#[test]
fn oidcc_alternate_happy_flow() {
    let h = jwt_harness();
    let q = format!("nonce=n-1&state=st-1&scope=email+openid&redirect_uri={CB}&client_id={CONF}&response_type=code");
    let (callback, _) = Browser::default().authorize(&h.server, &q);
    assert_eq!(url_params(&callback)["state"], "st-1");
    redeem(&h, &callback);
}

#[test]
fn oidcc_display_page() {
    let h = jwt_harness();
    happy(&h, "&display=page");
}

#[test]
fn oidcc_display_popup() {
    let h = jwt_harness();
    happy(&h, "&display=popup");
}

#[test]
fn oidcc_prompt_login() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let (first, shown) = b.authorize(&h.server, &query(""));
    assert!(shown);
    let t1 = redeem(&h, &first);
    h.advance(5);
    let (second, shown) = b.authorize(&h.server, &query("&prompt=login"));
    assert!(shown, "prompt=login must show the sign-in form");
    let t2 = redeem(&h, &second);
    let v = h.minter.id_verifier(CONF);
    let a1 = v.verify_sync(t1["id_token"].as_str().unwrap()).unwrap();
    let a2 = v.verify_sync(t2["id_token"].as_str().unwrap()).unwrap();
    assert!(a2.auth_time().unwrap() > a1.auth_time().unwrap());
}

#[test]
fn oidcc_prompt_none_not_logged_in() {
    let h = jwt_harness();
    let r = Browser::default().follow(
        &h.server,
        &format!("/oauth2/authorize?{}", query("&prompt=none")),
    );
    let p = url_params(&r.unwrap());
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "st-1");
}

#[test]
fn oidcc_prompt_none_logged_in() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let (first, _) = b.authorize(&h.server, &query(""));
    let t1 = redeem(&h, &first);
    let (second, shown) = b.authorize(&h.server, &query("&prompt=none"));
    assert!(!shown);
    let t2 = redeem(&h, &second);
    let v = h.minter.id_verifier(CONF);
    let a1 = v.verify_sync(t1["id_token"].as_str().unwrap()).unwrap();
    let a2 = v.verify_sync(t2["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(a1.sub(), a2.sub());
    assert_eq!(a1.auth_time(), a2.auth_time());
}

#[test]
fn oidcc_max_age_1() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let (first, _) = b.authorize(&h.server, &query(""));
    let t1 = redeem(&h, &first);
    h.advance(2);
    let (second, shown) = b.authorize(&h.server, &query("&max_age=1"));
    assert!(shown, "max_age=1 after 2 s must ask for a sign-in");
    let t2 = redeem(&h, &second);
    let v = h.minter.id_verifier(CONF);
    let a1 = v.verify_sync(t1["id_token"].as_str().unwrap()).unwrap();
    let a2 = v.verify_sync(t2["id_token"].as_str().unwrap()).unwrap();
    assert!(a2.auth_time().unwrap() > a1.auth_time().unwrap());
}

#[test]
fn oidcc_max_age_10000() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let (first, _) = b.authorize(&h.server, &query(""));
    let t1 = redeem(&h, &first);
    h.advance(2);
    let (second, shown) = b.authorize(&h.server, &query("&max_age=10000"));
    assert!(!shown);
    let t2 = redeem(&h, &second);
    let v = h.minter.id_verifier(CONF);
    let a1 = v.verify_sync(t1["id_token"].as_str().unwrap()).unwrap();
    let a2 = v.verify_sync(t2["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(a1.auth_time(), a2.auth_time());
    assert_eq!(a1.sub(), a2.sub());
}

#[test]
fn oidcc_ensure_request_with_unknown_parameter_succeeds() {
    let h = jwt_harness();
    happy(&h, "&extra=foobar");
}

#[test]
fn oidcc_id_token_hint() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let (first, _) = b.authorize(&h.server, &query(""));
    let t1 = redeem(&h, &first);
    let hint = t1["id_token"].as_str().unwrap();
    let (second, shown) = b.authorize(
        &h.server,
        &query(&format!("&prompt=none&id_token_hint={hint}")),
    );
    assert!(!shown);
    assert!(url_params(&second).contains_key("code"));
}

#[test]
fn oidcc_login_hint() {
    let h = jwt_harness();
    happy(&h, "&login_hint=alice");
}

#[test]
fn oidcc_ui_locales() {
    let h = jwt_harness();
    happy(&h, "&ui_locales=se");
}

#[test]
fn oidcc_claims_locales() {
    let h = jwt_harness();
    happy(&h, "&claims_locales=se");
}

#[test]
fn oidcc_ensure_request_with_acr_values_succeeds() {
    let h = jwt_harness();
    happy(&h, "&acr_values=1+2");
}

#[test]
fn oidcc_codereuse() {
    let h = jwt_harness();
    let (callback, _) = Browser::default().authorize(&h.server, &query(""));
    redeem(&h, &callback);
    let code = &url_params(&callback)["code"];
    let r = token(
        &h,
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
    );
    assert_eq!(r.status(), 400);
    assert_eq!(common::json(&r)["error"], "invalid_grant");
}

#[test]
fn oidcc_codereuse_30seconds() {
    let h = jwt_harness();
    let (callback, _) = Browser::default().authorize(&h.server, &query(""));
    let tokens = redeem(&h, &callback);
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&h, Method::GET, at, false).status(), 200);
    h.advance(30);
    let code = &url_params(&callback)["code"];
    let r = token(
        &h,
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
    );
    assert_eq!(common::json(&r)["error"], "invalid_grant");
    // The access token issued for the code is revoked.
    assert_eq!(userinfo(&h, Method::GET, at, false).status(), 401);
}

#[test]
fn oidcc_ensure_registered_redirect_uri() {
    let h = jwt_harness();
    let r = Browser::default().follow(&h.server,
        &format!("/oauth2/authorize?response_type=code&client_id={CONF}&redirect_uri=https://unregistered.example/cb&scope=openid"),
    );
    // The error page, never the unregistered URI.
    let page = r.unwrap_err();
    assert!(page.contains("An error was encountered"), "{page}");
}

#[test]
fn oidcc_ensure_post_request_succeeds() {
    let h = jwt_harness();
    let mut b = Browser::default();
    let r = b.send(&h.server, Method::POST, "/oauth2/authorize", &query(""));
    let login = location(&r);
    assert!(login.starts_with(&format!("{}/login?", common::BASE)));
    let (callback, _) = b.authorize(&h.server, login.split_once('?').unwrap().1);
    redeem(&h, &callback);
}

#[test]
fn oidcc_server_client_secret_post() {
    let h = jwt_harness();
    let (callback, _) = Browser::default().authorize(&h.server, &query(""));
    let code = &url_params(&callback)["code"];
    let r = h.server.handle(
        &Request::builder()
            .method(Method::POST)
            .uri("/oauth2/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_id={CONF}&client_secret={CONF_SECRET}")
                    .into_bytes(),
            )
            .unwrap(),
    );
    assert_eq!(r.status(), 200);
}

#[test]
fn oidcc_request_uri_unsigned_supported_correctly_or_rejected_as_unsupported() {
    let h = jwt_harness();
    let r = Browser::default().follow(
        &h.server,
        &format!(
            "/oauth2/authorize?{}",
            query("&request_uri=https://rp.example/req.jwt")
        ),
    );
    assert_eq!(
        url_params(&r.unwrap())["error"],
        "request_uri_not_supported"
    );
}

#[test]
fn oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported() {
    let h = jwt_harness();
    let r = Browser::default().follow(
        &h.server,
        &format!(
            "/oauth2/authorize?{}",
            query("&request=eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6IngifQ.")
        ),
    );
    assert_eq!(url_params(&r.unwrap())["error"], "request_not_supported");
}

#[test]
fn oidcc_ensure_request_object_with_redirect_uri() {
    let h = jwt_harness();
    let r = Browser::default().follow(&h.server, &format!("/oauth2/authorize?{}", query("&request=eyJhbGciOiJub25lIn0.eyJyZWRpcmVjdF91cmkiOiJodHRwczovL2V2aWwuZXhhbXBsZSJ9.")));
    let loc = r.unwrap();
    assert!(loc.starts_with(CB), "{loc}");
    assert_eq!(url_params(&loc)["error"], "request_not_supported");
}

#[test]
fn oidcc_claims_essential() {
    // The `claims` parameter is not supported (claims_parameter_supported is false); `name`
    // comes with the `profile` scope.
    let h = jwt_harness();
    let claims = "%7B%22userinfo%22%3A%7B%22name%22%3A%7B%22essential%22%3Atrue%7D%7D%7D";
    let q = format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope=openid+profile&claims={claims}");
    let (callback, _) = Browser::default().authorize(&h.server, &q);
    let tokens = redeem(&h, &callback);
    let c = common::json(&userinfo(
        &h,
        Method::GET,
        tokens["access_token"].as_str().unwrap(),
        false,
    ));
    assert_eq!(c["name"], "Alice");
}

#[test]
fn oidcc_refresh_token() {
    let h = jwt_harness();
    let (id, tokens) = happy(&h, "");
    let rt = tokens["refresh_token"].as_str().unwrap();
    // Charset and length (entropy): a JWE compact serialization, far above 128 bits.
    assert!(rt.len() > 100);
    assert!(rt
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    let r = token(&h, &format!("grant_type=refresh_token&refresh_token={rt}"));
    assert_eq!(r.status(), 200);
    let refreshed = common::json(&r);
    let id2 = h
        .minter
        .id_verifier(CONF)
        .verify_sync(refreshed["id_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(id2.sub(), id.sub());
    assert_eq!(id2.iss(), id.iss());
    assert_eq!(id2.auth_time(), id.auth_time());
    // Bound to the client.
    let r = h.server.handle(
        &Request::builder()
            .method(Method::POST)
            .uri("/oauth2/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                format!(
                    "grant_type=refresh_token&refresh_token={rt}&client_id={}",
                    common::PUBLIC
                )
                .into_bytes(),
            )
            .unwrap(),
    );
    assert_eq!(common::json(&r)["error"], "invalid_grant");
}

#[test]
fn oidcc_ensure_request_with_valid_pkce_succeeds() {
    let h = jwt_harness();
    let (callback, _) = Browser::default().authorize(
        &h.server,
        &query(&format!(
            "&code_challenge={CHALLENGE}&code_challenge_method=S256"
        )),
    );
    let code = &url_params(&callback)["code"];
    let r = token(
        &h,
        &format!(
            "grant_type=authorization_code&code={code}&redirect_uri={CB}&code_verifier={VERIFIER}"
        ),
    );
    assert_eq!(r.status(), 200);
}

#[test]
fn oidcc_discovery_endpoint_verification_with_keys() {
    let h = jwt_harness();
    let d = h.server.discovery_document();
    assert_eq!(d["issuer"], jwt_host::issuer().as_str());
    assert!(d["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&"authorization_code".into()));
    // FetchServerKeys: the JWKS parses as a set of usable RS256 keys with distinct kids.
    let r = h.server.handle(
        &Request::builder()
            .uri("/.well-known/jwks.json")
            .body(Vec::new())
            .unwrap(),
    );
    let body = String::from_utf8(r.body().clone()).unwrap();
    let set = cognate_jwt::JwkSet::parse(body.as_bytes()).unwrap();
    assert_eq!(set.len(), 2);
    let jwks: serde_json::Value = serde_json::from_str(&body).unwrap();
    for k in jwks["keys"].as_array().unwrap() {
        assert!(k.get("d").is_none() && k.get("p").is_none());
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["use"], "sig");
    }
}
