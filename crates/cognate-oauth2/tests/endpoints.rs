//! The back-channel endpoints and the authorization endpoint's validation, over fakes of the
//! host. Test names carry the security-catalogue IDs (OA, TK, RT, EP) they cover.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

fn redeem(h: &Harness, code: &str, client: &str, extra: &str) -> http::Response<Vec<u8>> {
    let body = format!("grant_type=authorization_code&code={code}&redirect_uri={CB}{extra}");
    if client == CONF {
        post_form(
            h,
            "/oauth2/token",
            &body,
            &[("authorization", &basic(CONF, CONF_SECRET))],
        )
    } else {
        post_form(
            h,
            "/oauth2/token",
            &format!("{body}&client_id={client}"),
            &[],
        )
    }
}

#[test]
fn code_grant_happy_path_and_response_hygiene() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    // At least 128 bits: 43 base64url characters (TK-10).
    assert!(code.len() >= 43);
    let r = redeem(&h, &code, CONF, "");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["pragma"], "no-cache");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v = json(&r);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(v["id_token"].is_string() && v["refresh_token"].is_string());
    let issued = h.minter.access.lock().unwrap()[v["access_token"].as_str().unwrap()].clone();
    assert_eq!(issued.scopes, "openid email");
    assert_eq!(issued.nonce.as_deref(), Some("n-0S6"));
    assert_eq!(issued.client, CONF);
}

#[test]
fn tk01_tk02_code_reuse_revokes_what_it_issued() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let first = json(&redeem(&h, &code, CONF, ""));
    let at = first["access_token"].as_str().unwrap().to_owned();
    h.advance(30);
    let again = redeem(&h, &code, CONF, "");
    assert_eq!(again.status(), 400);
    assert_eq!(json(&again)["error"], "invalid_grant");
    // The access token and refresh token from the first redemption are dead.
    let ui = get_bearer(&h, "/oauth2/userInfo", &at);
    assert_eq!(ui.status(), 401);
    let rt = first["refresh_token"].as_str().unwrap();
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=refresh_token&refresh_token={rt}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(json(&r)["error"], "invalid_grant");
}

#[test]
fn tk03_parallel_redemptions_exactly_one_wins() {
    let h = std::sync::Arc::new(harness());
    let code = code_for(&h, &conf_query());
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let h = h.clone();
            let code = code.clone();
            std::thread::spawn(move || redeem(&h, &code, CONF, "").status().as_u16())
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 15);
}

#[test]
fn tk04_code_expires_after_five_minutes() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    h.advance(301);
    assert_eq!(json(&redeem(&h, &code, CONF, ""))["error"], "invalid_grant");
}

#[test]
fn tk05_code_bound_to_client() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_id={PUBLIC}"),
        &[],
    );
    assert_eq!(json(&r)["error"], "invalid_grant");
    // Its owner can still redeem it.
    assert_eq!(redeem(&h, &code, CONF, "").status(), 200);
}

#[test]
fn tk06_redirect_uri_must_match() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri=https://rp.example/other"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(r.status(), 400);
    assert_eq!(json(&r)["error"], "invalid_grant");
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(json(&r)["error"], "invalid_grant");
}

#[test]
fn tk07_pkce_matrix() {
    let h = harness();
    // Valid pair.
    let code = code_for(&h, &public_query());
    assert_eq!(
        redeem(&h, &code, PUBLIC, &format!("&code_verifier={VERIFIER}")).status(),
        200
    );
    // Missing verifier, wrong verifier, challenge as verifier: invalid_grant.
    for extra in [
        String::new(),
        "&code_verifier=eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned(),
        format!("&code_verifier={CHALLENGE}"),
        "&code_verifier=short".to_owned(),
    ] {
        let code = code_for(&h, &public_query());
        let r = redeem(&h, &code, PUBLIC, &extra);
        assert_eq!(json(&r)["error"], "invalid_grant", "{extra}");
    }
    // Downgrade: no challenge, a verifier sent.
    let code = code_for(&h, &conf_query());
    let r = redeem(&h, &code, CONF, &format!("&code_verifier={VERIFIER}"));
    assert_eq!(json(&r)["error"], "invalid_grant");
    // plain is refused at the authorization endpoint; a public client without PKCE too.
    for q in [
        format!("response_type=code&client_id={PUBLIC}&redirect_uri={CB}&code_challenge={VERIFIER}&code_challenge_method=plain"),
        format!("response_type=code&client_id={PUBLIC}&redirect_uri={CB}"),
        format!("response_type=code&client_id={PUBLIC}&redirect_uri={CB}&code_challenge={CHALLENGE}"),
        format!("response_type=code&client_id={PUBLIC}&redirect_uri={CB}&code_challenge=abc&code_challenge_method=S256"),
    ] {
        let r = get(&h, &format!("/oauth2/authorize?{q}"));
        let p = url_params(&location(&r));
        assert_eq!(p["error"], "invalid_request", "{q}");
    }
}

#[test]
fn tk08_client_authentication() {
    let h = harness();
    // client_secret_post works.
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_id={CONF}&client_secret={CONF_SECRET}"),
        &[],
    );
    assert_eq!(r.status(), 200);
    // No credentials for a confidential client.
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_id={CONF}"),
        &[],
    );
    assert_eq!(r.status(), 401);
    assert_eq!(json(&r)["error"], "invalid_client");
    // Wrong secret with Basic: 401 and WWW-Authenticate.
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
        &[("authorization", &basic(CONF, "wrong"))],
    );
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    // Secret in the URL query.
    let r = post_form(
        &h,
        &format!("/oauth2/token?client_secret={CONF_SECRET}"),
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_id={CONF}"),
        &[],
    );
    assert_eq!(json(&r)["error"], "invalid_request");
    // GET is refused.
    let r = get(&h, "/oauth2/token?grant_type=client_credentials");
    assert_eq!(r.status(), 405);
    // Two methods at once.
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}&client_secret={CONF_SECRET}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(json(&r)["error"], "invalid_request");
    // The code survived all of that (no request authenticated as its client).
    assert_eq!(redeem(&h, &code, CONF, "").status(), 200);
}

#[test]
fn tk08_basic_credentials_are_form_decoded() {
    // A client whose secret has characters that must be form-encoded in Basic.
    let h = harness();
    let encoded = basic(
        CONF,
        &url::form_urlencoded::byte_serialize(CONF_SECRET.as_bytes()).collect::<String>(),
    );
    let code = code_for(&h, &conf_query());
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
        &[("authorization", &encoded)],
    );
    assert_eq!(r.status(), 200);
}

#[test]
fn tk11_error_format_and_grant_types() {
    let h = harness();
    let auth = basic(CONF, CONF_SECRET);
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=password&username=a&password=b",
        &[("authorization", &auth)],
    );
    assert_eq!(r.status(), 400);
    assert_eq!(json(&r)["error"], "unsupported_grant_type");
    let r = post_form(&h, "/oauth2/token", "code=x", &[("authorization", &auth)]);
    assert_eq!(json(&r)["error"], "invalid_request");
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=refresh_token",
        &[("authorization", &auth)],
    );
    assert_eq!(json(&r)["error"], "invalid_request");
    // Duplicate parameters (OA-10 on the token endpoint).
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=authorization_code&code=a&code=b",
        &[("authorization", &auth)],
    );
    assert_eq!(json(&r)["error"], "invalid_request");
    // The confidential client is not allowed client_credentials.
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=client_credentials",
        &[("authorization", &auth)],
    );
    assert_eq!(json(&r)["error"], "unauthorized_client");
    let d = json(&r)["error_description"].as_str().unwrap().to_owned();
    assert!(!d.contains(['\r', '\n', '\t']));
}

#[test]
fn tk13_client_credentials() {
    let h = harness();
    let auth = basic(M2M, M2M_SECRET);
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=client_credentials",
        &[("authorization", &auth)],
    );
    assert_eq!(r.status(), 200);
    let v = json(&r);
    assert!(v.get("refresh_token").is_none() && v.get("id_token").is_none());
    let issued = h.minter.access.lock().unwrap()[v["access_token"].as_str().unwrap()].clone();
    assert_eq!(issued.scopes, "orders/read orders/write");
    // A narrower request; unknown scopes ignored; none left is invalid_scope.
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=client_credentials&scope=orders/read+bogus/x",
        &[("authorization", &auth)],
    );
    let issued =
        h.minter.access.lock().unwrap()[json(&r)["access_token"].as_str().unwrap()].clone();
    assert_eq!(issued.scopes, "orders/read");
    let r = post_form(
        &h,
        "/oauth2/token",
        "grant_type=client_credentials&scope=openid",
        &[("authorization", &auth)],
    );
    assert_eq!(json(&r)["error"], "invalid_scope");
    // A public client cannot.
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=client_credentials&client_id={PUBLIC}"),
        &[],
    );
    assert_eq!(json(&r)["error"], "unauthorized_client");
}

#[test]
fn rt01_refresh_bound_to_client() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let v = json(&redeem(&h, &code, CONF, ""));
    let rt = v["refresh_token"].as_str().unwrap();
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=refresh_token&refresh_token={rt}&client_id={PUBLIC}"),
        &[],
    );
    assert_eq!(json(&r)["error"], "invalid_grant");
    let r = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=refresh_token&refresh_token={rt}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(r.status(), 200);
    assert!(json(&r)["access_token"].is_string());
}

fn get_bearer(h: &Harness, uri: &str, token: &str) -> http::Response<Vec<u8>> {
    h.server.handle(
        &http::Request::builder()
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Vec::new())
            .unwrap(),
    )
}

#[test]
fn rt06_revocation() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let v = json(&redeem(&h, &code, CONF, ""));
    let rt = v["refresh_token"].as_str().unwrap();
    let at = v["access_token"].as_str().unwrap();
    let auth = basic(CONF, CONF_SECRET);
    for _ in 0..2 {
        let r = post_form(
            &h,
            "/oauth2/revoke",
            &format!("token={rt}&token_type_hint=whatever"),
            &[("authorization", &auth)],
        );
        assert_eq!(r.status(), 200);
        assert!(r.body().is_empty());
    }
    assert_eq!(get_bearer(&h, "/oauth2/userInfo", at).status(), 401);
    // Garbage: 200. Access token: unsupported_token_type. No token: invalid_request.
    let r = post_form(
        &h,
        "/oauth2/revoke",
        "token=garbage",
        &[("authorization", &auth)],
    );
    assert_eq!(r.status(), 200);
    let r = post_form(
        &h,
        "/oauth2/revoke",
        &format!("token={at}"),
        &[("authorization", &auth)],
    );
    assert_eq!(json(&r)["error"], "unsupported_token_type");
    let r = post_form(&h, "/oauth2/revoke", "", &[("authorization", &auth)]);
    assert_eq!(json(&r)["error"], "invalid_request");
    // Without client authentication.
    let r = post_form(&h, "/oauth2/revoke", &format!("token={rt}"), &[]);
    assert_eq!(r.status(), 401);
    assert_eq!(json(&r)["error"], "invalid_client");
}

#[test]
fn rt06_another_clients_token_is_left_alone() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let v = json(&redeem(&h, &code, CONF, ""));
    let rt = v["refresh_token"].as_str().unwrap();
    let r = post_form(
        &h,
        "/oauth2/revoke",
        &format!("token={rt}&client_id={PUBLIC}"),
        &[],
    );
    assert_eq!(r.status(), 200);
    let at = v["access_token"].as_str().unwrap();
    assert_eq!(get_bearer(&h, "/oauth2/userInfo", at).status(), 200);
}

#[test]
fn ep01_userinfo_methods_and_errors() {
    let h = harness();
    let code = code_for(&h, &conf_query());
    let v = json(&redeem(&h, &code, CONF, ""));
    let at = v["access_token"].as_str().unwrap();
    // GET with Bearer (any case).
    let r = h.server.handle(
        &http::Request::builder()
            .uri("/oauth2/userInfo")
            .header("authorization", format!("bearer {at}"))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(r.status(), 200);
    let claims = json(&r);
    assert_eq!(claims["sub"], "sub-alice");
    assert_eq!(claims["username"], "alice");
    // email scope: email and email_verified only.
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], "true");
    assert!(claims.get("phone_number").is_none() && claims.get("name").is_none());
    // POST with the header, POST with the token in the body.
    let r = post_form(
        &h,
        "/oauth2/userInfo",
        "",
        &[("authorization", &format!("Bearer {at}"))],
    );
    assert_eq!(r.status(), 200);
    let r = post_form(&h, "/oauth2/userInfo", &format!("access_token={at}"), &[]);
    assert_eq!(r.status(), 200);
    // Token in the URL query: refused.
    let r = get(&h, &format!("/oauth2/userInfo?access_token={at}"));
    assert_eq!(r.status(), 400);
    // Unknown token: 401 with WWW-Authenticate.
    let r = get_bearer(&h, "/oauth2/userInfo", "at.999");
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    // Path is case-sensitive.
    assert_eq!(get_bearer(&h, "/oauth2/userinfo", at).status(), 404);
}

#[test]
fn ep02_scope_to_claims() {
    let h = harness();
    let q =
        format!("response_type=code&client_id={CONF}&redirect_uri={CB}&scope=openid+profile+phone");
    let code = code_for(&h, &q);
    let at = json(&redeem(&h, &code, CONF, ""))["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = json(&get_bearer(&h, "/oauth2/userInfo", &at));
    assert_eq!(claims["name"], "Alice");
    assert_eq!(claims["phone_number"], "+15550100");
    // Without openid: refused.
    let q = format!(
        "response_type=code&client_id={CONF}&redirect_uri={CB}&scope=aws.cognito.signin.user.admin"
    );
    let code = code_for(&h, &q);
    let at = json(&redeem(&h, &code, CONF, ""))["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = get_bearer(&h, "/oauth2/userInfo", &at);
    assert_eq!(r.status(), 403);
}

#[test]
fn oa02_oa03_unregistered_redirect_goes_to_error_page() {
    let h = harness();
    for uri in [
        "https://evil.example/cb",
        "https://rp.example/cb/",
        "https://rp.example/cb?code=attackercode",
        "https://RP.example/cb",
        "javascript:alert(1)",
    ] {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", CONF)
            .append_pair("redirect_uri", uri)
            .finish();
        let r = get(&h, &format!("/oauth2/authorize?{q}"));
        assert_eq!(r.status(), 302);
        assert_eq!(
            location(&r),
            format!("{BASE}/error?error=redirect_mismatch&client_id={CONF}"),
            "{uri}"
        );
    }
    // Unknown client: error page too.
    let r = get(
        &h,
        &format!("/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={CB}"),
    );
    assert!(location(&r).starts_with(&format!("{BASE}/error?error=invalid_client")));
    // Missing redirect_uri with no default.
    let r = get(
        &h,
        &format!("/oauth2/authorize?response_type=code&client_id={CONF}"),
    );
    assert!(location(&r).starts_with(&format!("{BASE}/error?")));
}

#[test]
fn oa05_loopback_port_is_variable() {
    let h = harness();
    let q =
        format!("response_type=code&client_id={CONF}&redirect_uri=http://127.0.0.1:51234/native");
    let r = h.server.resume(&q, &alice(&h));
    assert!(location(&r).starts_with("http://127.0.0.1:51234/native?code="));
}

#[test]
fn oa07_oa08_errors_redirect_with_state() {
    let h = harness();
    let cases = [
        ("response_type=bogus", "unsupported_response_type"),
        ("", "invalid_request"),
        ("response_type=code&scope=bogus", "invalid_scope"),
        (
            "response_type=code&request=eyJhbGciOiJub25lIn0.e30.",
            "request_not_supported",
        ),
        (
            "response_type=code&request_uri=https://x/y",
            "request_uri_not_supported",
        ),
        (
            "response_type=code&response_mode=form_post",
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let r = get(
            &h,
            &format!("/oauth2/authorize?client_id={CONF}&redirect_uri={CB}&state=s%2B1&{extra}"),
        );
        let loc = location(&r);
        assert!(loc.starts_with(CB), "{loc}");
        let p = url_params(&loc);
        assert_eq!(p["error"], error, "{extra}");
        assert_eq!(p["state"], "s+1");
    }
    // Implicit errors go in the fragment.
    let r = get(
        &h,
        &format!(
            "/oauth2/authorize?client_id={CONF}&redirect_uri={CB}&response_type=token&scope=bogus"
        ),
    );
    assert!(location(&r).starts_with(&format!("{CB}#error=invalid_scope")));
}

#[test]
fn oa10_duplicate_parameters_refused() {
    let h = harness();
    let r = get(&h, &format!("/oauth2/authorize?response_type=code&client_id={CONF}&redirect_uri={CB}&state=a&state=b"));
    assert!(location(&r).starts_with(&format!("{BASE}/error?error=invalid_request")));
}

#[test]
fn oa12_state_echoed_exactly() {
    let h = harness();
    let state = "a%25b%2Bc+%E2%9C%93".to_owned() + &"x".repeat(500);
    let q = format!("response_type=code&client_id={CONF}&redirect_uri={CB}&state={state}");
    let r = h.server.resume(&q, &alice(&h));
    let p = url_params(&location(&r));
    assert_eq!(p["state"], format!("a%b+c ✓{}", "x".repeat(500)));
    let q = format!("response_type=code&client_id={CONF}&redirect_uri={CB}");
    let r = h.server.resume(&q, &alice(&h));
    assert!(!url_params(&location(&r)).contains_key("state"));
}

#[test]
fn oa14_prompt_none_without_session() {
    let h = harness();
    let r = get(
        &h,
        &format!("/oauth2/authorize?{}&prompt=none", conf_query()),
    );
    let p = url_params(&location(&r));
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "xyz");
}

#[test]
fn authorize_without_session_goes_to_login_with_the_same_parameters() {
    let h = harness();
    let r = get(
        &h,
        &format!(
            "/oauth2/authorize?{}&extra=foobar&display=popup",
            conf_query()
        ),
    );
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{BASE}/login?")), "{loc}");
    let p = url_params(&loc);
    assert_eq!(p["client_id"], CONF);
    assert_eq!(p["redirect_uri"], CB);
    assert_eq!(p["state"], "xyz");
    assert_eq!(p["nonce"], "n-0S6");
    // A POSTed authorization request is accepted too.
    let r = post_form(&h, "/oauth2/authorize", &conf_query(), &[]);
    assert!(location(&r).starts_with(&format!("{BASE}/login?")));
}

#[test]
fn oa20_implicit_tokens_in_fragment_without_refresh_token() {
    let h = harness();
    let q = format!("response_type=token&client_id={CONF}&redirect_uri={CB}&scope=openid&state=st");
    let r = h.server.resume(&q, &alice(&h));
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{CB}#id_token=")), "{loc}");
    let p = url_params(&loc);
    assert_eq!(p["token_type"], "bearer");
    assert_eq!(p["state"], "st");
    assert!(!p.contains_key("refresh_token") && !p.contains_key("code"));
}

#[test]
fn identity_provider_hand_off_is_refused_without_federation() {
    let h = harness();
    let r = get(
        &h,
        &format!(
            "/oauth2/authorize?{}&identity_provider=Google",
            conf_query()
        ),
    );
    assert_eq!(url_params(&location(&r))["error"], "invalid_request");
    let r = get(
        &h,
        &format!(
            "/oauth2/authorize?{}&identity_provider=COGNITO",
            conf_query()
        ),
    );
    assert!(location(&r).starts_with(&format!("{BASE}/login?")));
}

#[test]
fn logout_forms() {
    let h = harness();
    let r = get_with_cookie(
        &h,
        &format!("/logout?client_id={CONF}&logout_uri=https://rp.example/bye"),
        "cognito=abc",
    );
    assert_eq!(location(&r), "https://rp.example/bye");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("cognito=;") && cookie.contains("Max-Age=0"));
    // Unregistered logout_uri: no redirect there (BR-06).
    let r = get(
        &h,
        &format!("/logout?client_id={CONF}&logout_uri=https://evil.example/"),
    );
    assert!(location(&r).starts_with(&format!("{BASE}/error?")));
    // Sign in again.
    let r = get(
        &h,
        &format!("/logout?client_id={CONF}&redirect_uri={CB}&response_type=code&state=z"),
    );
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{BASE}/login?")));
    assert_eq!(url_params(&loc)["state"], "z");
    let r = get(
        &h,
        &format!("/logout?client_id={CONF}&redirect_uri=https://evil.example/&response_type=code"),
    );
    assert!(location(&r).starts_with(&format!("{BASE}/error?")));
}

#[test]
fn oidcc_discovery_endpoint_verification() {
    let h = harness();
    let r = get(&h, "/.well-known/openid-configuration");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let d = json(&r);
    assert_eq!(
        d["issuer"],
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1"
    );
    for k in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "end_session_endpoint",
        "jwks_uri",
    ] {
        assert!(d[k].as_str().unwrap().starts_with("https://"), "{k}");
    }
    assert_eq!(
        d["authorization_endpoint"],
        format!("{BASE}/oauth2/authorize")
    );
    assert!(d["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&"openid".into()));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert!(d["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap()
        .contains(&"RS256".into()));
    for k in [
        "claims_supported",
        "claims_parameter_supported",
        "request_parameter_supported",
        "request_uri_parameter_supported",
        "grant_types_supported",
        "subject_types_supported",
        "response_types_supported",
    ] {
        assert!(d.get(k).is_some(), "{k}");
    }
    // Keys in alphabetical order, as Cognito emits them.
    let body = String::from_utf8(r.body().clone()).unwrap();
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    assert!(body.find("\"authorization_endpoint\"") < body.find("\"issuer\""));
}

/// A provider that takes part in single logout, and remembers what it was asked.
#[derive(Default)]
struct SloProvider {
    signed_out: std::sync::Mutex<Vec<(String, String)>>,
}

impl cognate_oauth2::Federation for SloProvider {
    fn providers(
        &self,
        _client: &cognate_oauth2::OAuthClient,
    ) -> Result<Vec<cognate_oauth2::ProviderButton>, cognate_oauth2::HostError> {
        Ok(Vec::new())
    }
    fn route(
        &self,
        _client: &cognate_oauth2::OAuthClient,
        _identifier: &str,
    ) -> Result<Option<String>, cognate_oauth2::HostError> {
        Ok(None)
    }
    fn start(
        &self,
        _client: &cognate_oauth2::OAuthClient,
        provider: &str,
        _authorize_query: &str,
    ) -> Result<String, cognate_oauth2::HostError> {
        Ok(format!("https://idp.example/{provider}"))
    }
    fn sign_out(
        &self,
        _client: &cognate_oauth2::OAuthClient,
        user: &cognate_oauth2::AuthenticatedUser,
        continue_to: &str,
    ) -> Result<Option<String>, cognate_oauth2::HostError> {
        self.signed_out.lock().unwrap().push((
            user.upstream.clone().unwrap_or_default(),
            continue_to.to_owned(),
        ));
        Ok(Some("https://idp.example/slo?req=1".to_owned()))
    }
}

#[test]
fn upstream_sign_in_starts_a_session_that_logout_hands_to_the_provider() {
    let slo = std::sync::Arc::new(SloProvider::default());
    let h = harness_with(Some(slo.clone()));
    let mut user = alice(&h);
    user.upstream = Some("saml-session-1".to_owned());
    let mut b = Browser::default();
    // resume() as the host's ACS calls it: a code, and a session cookie.
    let r = h.server.resume(&conf_query(), &user);
    assert!(location(&r).starts_with(&format!("{CB}?code=")));
    let set = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cognito="))
        .expect("a session cookie");
    let (pair, _) = set.split_once(';').unwrap();
    let (k, v) = pair.split_once('=').unwrap();
    b.cookies.insert(k.to_owned(), v.to_owned());
    // Single sign-on works with that session.
    let again = b.follow(
        &h.server,
        &format!("{BASE}/oauth2/authorize?{}", conf_query()),
    );
    assert!(again.unwrap().starts_with(&format!("{CB}?code=")));
    // Logout ends the session here and goes to the provider, which continues to logout_uri.
    let r = b.send(
        &h.server,
        http::Method::GET,
        &format!("/logout?client_id={CONF}&logout_uri=https://rp.example/bye"),
        "",
    );
    assert_eq!(location(&r), "https://idp.example/slo?req=1");
    assert_eq!(
        *slo.signed_out.lock().unwrap(),
        vec![(
            "saml-session-1".to_owned(),
            "https://rp.example/bye".to_owned()
        )]
    );
    // The session is gone.
    let r = b.send(
        &h.server,
        http::Method::GET,
        &format!("/oauth2/authorize?{}", conf_query()),
        "",
    );
    assert!(location(&r).starts_with(&format!("{BASE}/login?")));
}

#[test]
fn logout_of_a_pool_user_does_not_involve_the_provider() {
    let slo = std::sync::Arc::new(SloProvider::default());
    let h = harness_with(Some(slo.clone()));
    let mut b = Browser::default();
    b.cookies.clear();
    let r = h.server.resume(&conf_query(), &alice(&h));
    for c in r.headers().get_all("set-cookie") {
        let (pair, _) = c.to_str().unwrap().split_once(';').unwrap();
        let (k, v) = pair.split_once('=').unwrap();
        b.cookies.insert(k.to_owned(), v.to_owned());
    }
    let r = b.send(
        &h.server,
        http::Method::GET,
        &format!("/logout?client_id={CONF}&logout_uri=https://rp.example/bye"),
        "",
    );
    assert_eq!(location(&r), "https://rp.example/bye");
    assert!(slo.signed_out.lock().unwrap().is_empty());
}

#[test]
fn fail_reports_an_upstream_error_to_the_app_only_at_a_registered_uri() {
    let h = harness();
    let r = h.server.fail(
        &conf_query(),
        cognate_oauth2::UpstreamError::ServerError,
        "Invalid SAML response received: SAML Assertion signature is invalid.",
    );
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{CB}?")), "{loc}");
    let p = url_params(&loc);
    assert_eq!(p["error"], "server_error");
    assert_eq!(
        p["error_description"],
        "Invalid SAML response received: SAML Assertion signature is invalid."
    );
    assert_eq!(p["state"], "xyz");
    // An authorization query that does not validate never redirects to its redirect_uri.
    let r = h.server.fail(
        &format!("response_type=code&client_id={CONF}&redirect_uri=https://evil.example/"),
        cognate_oauth2::UpstreamError::ServerError,
        "x",
    );
    assert!(location(&r).starts_with(&format!("{BASE}/error?")));
}
