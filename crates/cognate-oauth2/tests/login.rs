//! The managed-login pages over fakes of the host: forms, CSRF, challenges, sign-up, password
//! reset, languages, escaping, hardening headers, single sign-on (catalogue BR-01 to BR-06).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use http::{Method, Response};

fn login_url(extra: &str) -> String {
    format!("/login?{}{extra}", conf_query())
}

fn page(r: &Response<Vec<u8>>) -> String {
    String::from_utf8(r.body().clone()).unwrap()
}

/// GETs a page and posts its form with `fields` added.
fn submit(h: &Harness, b: &mut Browser, url: &str, fields: &[(&str, &str)]) -> Response<Vec<u8>> {
    let r = b.send(&h.server, Method::GET, url, "");
    assert_eq!(r.status(), 200, "{}", page(&r));
    post_form_of(h, b, &page(&r), fields)
}

fn post_form_of(
    h: &Harness,
    b: &mut Browser,
    html: &str,
    fields: &[(&str, &str)],
) -> Response<Vec<u8>> {
    let (action, mut form) = read_form(html);
    for (k, v) in fields {
        form.insert((*k).to_owned(), (*v).to_owned());
    }
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter())
        .finish();
    b.send(&h.server, Method::POST, &action, &body)
}

#[test]
fn br01_br02_sign_in_page_form_and_headers() {
    let h = harness();
    let mut b = Browser::default();
    let r = b.send(&h.server, Method::GET, &login_url(""), "");
    assert_eq!(r.status(), 200);
    let hd = r.headers();
    assert!(hd["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(!hd["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("unsafe-inline"));
    assert_eq!(hd["x-frame-options"], "DENY");
    assert_eq!(hd["referrer-policy"], "no-referrer");
    assert_eq!(hd["cache-control"], "no-store");
    assert!(hd["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let xsrf = hd["set-cookie"].to_str().unwrap();
    assert!(
        xsrf.starts_with("XSRF-TOKEN=")
            && xsrf.contains("HttpOnly")
            && xsrf.contains("SameSite=Lax")
            && xsrf.contains("Secure")
    );
    let html = page(&r);
    for needle in [
        "id=\"signInFormUsername\"",
        "id=\"signInFormPassword\"",
        "name=\"signInSubmitButton\"",
        "name=\"_csrf\"",
        "autocomplete=\"current-password\"",
        "<html lang=\"en\">",
        ">confidential1<",
    ] {
        assert!(html.contains(needle), "{needle} missing in {html}");
    }
    assert!(!html.contains("<script"), "no script on the page");
    assert!(!html.contains("style=\""), "no inline style");
    // The stylesheet it links is served, from this origin.
    let css = b.send(&h.server, Method::GET, "/static/cognate.css", "");
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(html.contains(&format!("href=\"{BASE}/static/cognate.css\"")));
}

#[test]
fn sign_in_redirects_with_code_and_a_new_session() {
    let h = harness();
    let mut b = Browser::default();
    b.cookies
        .insert("cognito".into(), "planted-by-attacker".into());
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "alice"), ("password", "correct horse")],
    );
    // BR-03: 302, never 307.
    assert_eq!(r.status(), 302);
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{CB}?code=")), "{loc}");
    assert_eq!(url_params(&loc)["state"], "xyz");
    // BR-05: a new session id (the planted one is not kept).
    let session = b.cookies["cognito"].clone();
    assert_ne!(session, "planted-by-attacker");
    let set = r.headers()["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age=3600"));
    // The code redeems.
    let code = &url_params(&loc)["code"];
    let t = post_form(
        &h,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(t.status(), 200);
}

#[test]
fn br05_post_without_valid_csrf_is_refused_before_authentication() {
    let h = harness();
    let mut b = Browser::default();
    let r = b.send(&h.server, Method::GET, &login_url(""), "");
    let (action, form) = read_form(&page(&r));
    let calls = || *h.users.calls.lock().unwrap();
    // No _csrf.
    let r = b.send(
        &h.server,
        Method::POST,
        &action,
        "username=alice&password=correct+horse",
    );
    assert_eq!(r.status(), 403);
    // A wrong _csrf.
    let r = b.send(
        &h.server,
        Method::POST,
        &action,
        "username=alice&password=correct+horse&_csrf=AAAA",
    );
    assert_eq!(r.status(), 403);
    // The right _csrf without the cookie (a cross-site post).
    let mut other = Browser::default();
    let body = format!(
        "username=alice&password=correct+horse&_csrf={}",
        form["_csrf"]
    );
    let r = other.send(&h.server, Method::POST, &action, &body);
    assert_eq!(r.status(), 403);
    // A cookie of another browser with this browser's field.
    other.send(&h.server, Method::GET, &login_url(""), "");
    let r = other.send(&h.server, Method::POST, &action, &body);
    assert_eq!(r.status(), 403);
    assert_eq!(calls(), 0, "the authenticator was called");
}

#[test]
fn wrong_password_shows_the_form_again_without_the_password() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "alice"), ("password", "wrong-pass")],
    );
    assert_eq!(r.status(), 400);
    let html = page(&r);
    assert!(html.contains("Incorrect username or password."));
    assert!(html.contains("value=\"alice\""));
    assert!(!html.contains("wrong-pass"));
    assert!(!b.cookies.contains_key("cognito"));
}

#[test]
fn overlong_fields_are_refused() {
    let h = harness();
    let mut b = Browser::default();
    let long = "a".repeat(129);
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", &long), ("password", "x")],
    );
    assert_eq!(r.status(), 400);
    assert!(page(&r).contains("too long"));
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "alice"), ("password", &"p".repeat(257))],
    );
    assert_eq!(r.status(), 400);
    assert!(page(&r).contains("too long"));
    assert_eq!(*h.users.calls.lock().unwrap(), 0);
    // The limits count characters: 128 of them in a two-byte script are not too long.
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[
            ("username", &"é".repeat(128)),
            ("password", &"п".repeat(256)),
        ],
    );
    assert!(page(&r).contains("Incorrect username or password."));
    assert_eq!(*h.users.calls.lock().unwrap(), 1);
    // A code of more than 16 characters never reaches the authenticator either.
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "totp"), ("password", "correct horse")],
    );
    assert_eq!(*h.users.calls.lock().unwrap(), 2);
    let r = post_form_of(&h, &mut b, &page(&r), &[("code", &"1".repeat(17))]);
    assert_eq!(r.status(), 400);
    let html = page(&r);
    assert!(html.contains("too long") && html.contains("name=\"challenge\""));
    assert_eq!(*h.users.calls.lock().unwrap(), 2);
}

#[test]
fn totp_challenge_round_trip() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "totp"), ("password", "correct horse")],
    );
    assert_eq!(r.status(), 200);
    let html = page(&r);
    assert!(html.contains("authenticator app"), "{html}");
    assert!(html.contains("autocomplete=\"one-time-code\""));
    // Wrong code: the same page, with the error.
    let r = post_form_of(&h, &mut b, &html, &[("code", "000000")]);
    assert_eq!(r.status(), 400);
    let html = page(&r);
    assert!(html.contains("Invalid code"));
    // Right code: signed in.
    let r = post_form_of(&h, &mut b, &html, &[("code", "123 456")]);
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(&format!("{CB}?code=")));
}

#[test]
fn sms_code_challenge_shows_the_masked_destination() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "sms"), ("password", "correct horse")],
    );
    assert_eq!(r.status(), 200);
    let html = page(&r);
    assert!(html.contains("text message to +*******0100"), "{html}");
    let r = post_form_of(&h, &mut b, &html, &[("code", "123456")]);
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(&format!("{CB}?code=")));
}

#[test]
fn select_mfa_then_the_chosen_challenge() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "choose"), ("password", "correct horse")],
    );
    let html = page(&r);
    assert!(
        html.contains("name=\"mfa_method\" value=\"totp\" checked")
            && html.contains("name=\"mfa_method\" value=\"sms\""),
        "{html}"
    );
    // Not one of the methods: the same page, with an error.
    let r = post_form_of(&h, &mut b, &html, &[("mfa_method", "carrier-pigeon")]);
    assert_eq!(r.status(), 400);
    assert!(page(&r).contains("name=\"mfa_method\""));
    let r = post_form_of(&h, &mut b, &html, &[("mfa_method", "totp")]);
    assert_eq!(r.status(), 200);
    let html = page(&r);
    assert!(html.contains("authenticator app") && html.contains("name=\"code\""));
    let r = post_form_of(&h, &mut b, &html, &[("code", "123456")]);
    assert_eq!(r.status(), 302);
    assert!(location(&r).starts_with(&format!("{CB}?code=")));
}

#[test]
fn sign_in_page_offers_the_clients_providers() {
    use cognate_oauth2::ProviderButton;
    use std::sync::Arc;
    let h = harness_with(Some(Arc::new(Providers(vec![
        ProviderButton {
            name: "Google".into(),
            label: "Google".into(),
        },
        ProviderButton {
            name: "Acme".into(),
            label: "<b>Acme & Co</b>".into(),
        },
    ]))));
    let mut b = Browser::default();
    let html = page(&b.send(&h.server, Method::GET, &login_url(""), ""));
    let href = format!("href=\"{BASE}/oauth2/authorize?client_id={CONF}&amp;identity_provider=Google&amp;nonce=n-0S6&amp;redirect_uri=https%3A%2F%2Frp.example%2Fcb&amp;response_type=code&amp;scope=openid+email&amp;state=xyz\"");
    assert!(html.contains(&href), "{html}");
    assert!(html.contains("identity_provider=Acme"));
    assert!(html.contains("&lt;b&gt;Acme &amp; Co&lt;/b&gt;"));
    // No providers: no buttons.
    let h = harness_with(Some(Arc::new(Providers(vec![]))));
    let html = page(&b.send(&h.server, Method::GET, &login_url(""), ""));
    assert!(!html.contains("identity_provider="));
}

#[test]
fn a_tampered_challenge_is_refused() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "totp"), ("password", "correct horse")],
    );
    let html = page(&r);
    let (_, form) = read_form(&html);
    let sealed = &form["challenge"];
    let (body, tag) = sealed.split_once('.').unwrap();
    // Claim to be alice with totp's MAC.
    use base64::Engine as _;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let json = String::from_utf8(e.decode(body).unwrap())
        .unwrap()
        .replace("\"totp\"", "\"alice\"");
    let forged = format!("{}.{tag}", e.encode(json));
    let r = post_form_of(
        &h,
        &mut b,
        &html,
        &[("challenge", &forged), ("code", "123456")],
    );
    assert_eq!(r.status(), 400);
    assert!(page(&r).contains("session expired"));
    assert!(r.headers().get("location").is_none());
    // The genuine one, a quarter of an hour later: expired.
    h.advance(15 * 60);
    let r = post_form_of(&h, &mut b, &html, &[("code", "123456")]);
    assert!(page(&r).contains("session expired"));
}

#[test]
fn totp_setup_page_shows_the_secret() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "setup"), ("password", "correct horse")],
    );
    let html = page(&r);
    assert!(
        html.contains("<code class=\"secret\" id=\"totp-secret\">JBSW Y3DP EHPK 3PXP</code>"),
        "{html}"
    );
    assert!(html.contains("href=\"otpauth://totp/Pool:setup?secret=JBSWY3DPEHPK3PXP\""));
    let r = post_form_of(&h, &mut b, &html, &[("code", "123456")]);
    assert_eq!(r.status(), 302);
}

#[test]
fn new_password_required() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "newbie"), ("password", "temporary")],
    );
    let html = page(&r);
    assert!(html.contains("autocomplete=\"new-password\""));
    assert!(html.contains("name=\"attr_name\""));
    let r = post_form_of(
        &h,
        &mut b,
        &html,
        &[
            ("password", "N3w-passw0rd"),
            ("confirm_password", "other"),
            ("attr_name", "New Bie"),
        ],
    );
    assert!(page(&r).contains("do not match"));
    let r = post_form_of(
        &h,
        &mut b,
        &page(&r),
        &[
            ("password", "N3w-passw0rd"),
            ("confirm_password", "N3w-passw0rd"),
            ("attr_name", "New Bie"),
        ],
    );
    assert_eq!(r.status(), 302);
}

#[test]
fn sign_up_then_confirm_then_sign_in_page() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &format!("/signup?{}", conf_query()),
        &[
            ("username", "neo"),
            ("password", "Passw0rd!"),
            ("attr_email", "neo@example.com"),
        ],
    );
    assert_eq!(r.status(), 200, "{}", page(&r));
    let html = page(&r);
    assert!(html.contains("n***@e***"));
    let r = post_form_of(&h, &mut b, &html, &[("code", "999999")]);
    assert!(page(&r).contains("Invalid verification code"));
    let r = post_form_of(&h, &mut b, &page(&r), &[("code", "000000")]);
    let html = page(&r);
    assert!(html.contains("Your account is confirmed"));
    assert!(html.contains("id=\"signInFormUsername\""));
    // A taken username.
    let r = submit(
        &h,
        &mut b,
        &format!("/signup?{}", conf_query()),
        &[
            ("username", "alice"),
            ("password", "Passw0rd!"),
            ("attr_email", "alice@example.com"),
        ],
    );
    assert!(page(&r).contains("User already exists"));
}

#[test]
fn unconfirmed_user_is_sent_to_confirmation() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "unconfirmed"), ("password", "correct horse")],
    );
    let html = page(&r);
    assert!(html.contains("User is not confirmed."));
    assert!(html.contains("/resendCode?"));
}

#[test]
fn forgot_password_then_reset() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &format!("/forgotPassword?{}", conf_query()),
        &[("username", "alice")],
    );
    let html = page(&r);
    assert!(html.contains("a***@e***"));
    let r = post_form_of(
        &h,
        &mut b,
        &html,
        &[
            ("code", "111111"),
            ("password", "N3w-Passw0rd"),
            ("confirm_password", "N3w-Passw0rd"),
        ],
    );
    assert!(page(&r).contains("Your password was changed"));
}

#[test]
fn languages() {
    let h = harness();
    let mut b = Browser::default();
    let html = page(&b.send(&h.server, Method::GET, &login_url("&lang=de"), ""));
    assert!(
        html.contains("<html lang=\"de\">")
            && html.contains("Anmelden")
            && html.contains("Passwort")
    );
    let html = page(&b.send(&h.server, Method::GET, &login_url("&lang=fr"), ""));
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Mot de passe"));
    let html = page(&b.send(&h.server, Method::GET, &login_url("&lang=xx"), ""));
    assert!(html.contains("<html lang=\"en\">"));
}

#[test]
fn user_input_is_escaped() {
    let h = harness();
    let mut b = Browser::default();
    let evil = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%26%27";
    let html = page(&b.send(
        &h.server,
        Method::GET,
        &format!(
            "/login?{}&login_hint={evil}&state={evil}",
            conf_query().replace("&state=xyz", "")
        ),
        "",
    ));
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;\""));
}

#[test]
fn pages_never_redirect_to_an_unvalidated_uri() {
    let h = harness();
    let mut b = Browser::default();
    for path in [
        "/login",
        "/signup",
        "/forgotPassword",
        "/mfa",
        "/confirmUser",
    ] {
        let r = b.send(
            &h.server,
            Method::GET,
            &format!(
                "{path}?response_type=code&client_id={CONF}&redirect_uri=https://evil.example/cb"
            ),
            "",
        );
        assert_eq!(r.status(), 302, "{path}");
        assert!(
            location(&r).starts_with(&format!("{BASE}/error?error=redirect_mismatch")),
            "{path}"
        );
        let r = b.send(
            &h.server,
            Method::GET,
            &format!("{path}?response_type=code&client_id=nobody&redirect_uri={CB}"),
            "",
        );
        assert!(
            location(&r).starts_with(&format!("{BASE}/error?error=invalid_client")),
            "{path}"
        );
    }
    let r = b.send(
        &h.server,
        Method::GET,
        "/error?error=redirect_mismatch&client_id=x",
        "",
    );
    assert_eq!(r.status(), 400);
    assert!(page(&r).contains("An error was encountered with the requested page."));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
}

#[test]
fn single_sign_on_and_prompt_login() {
    let h = harness();
    let mut b = Browser::default();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "alice"), ("password", "correct horse")],
    );
    assert_eq!(r.status(), 302);
    // Another authorization in the same browser: a code at once.
    let (callback, shown) = b.authorize(&h.server, &conf_query());
    assert!(!shown);
    assert!(url_params(&callback).contains_key("code"));
    // prompt=login: the form again.
    let r = b.follow(
        &h.server,
        &format!("/oauth2/authorize?{}&prompt=login", conf_query()),
    );
    assert!(r.unwrap_err().contains("signInFormUsername"));
    // A disabled user's session no longer signs in.
    h.users.disabled.lock().unwrap().insert("alice".into());
    let r = b.follow(&h.server, &format!("/oauth2/authorize?{}", conf_query()));
    assert!(r.unwrap_err().contains("signInFormUsername"));
    // Logout ends the session.
    h.users.disabled.lock().unwrap().clear();
    let r = submit(
        &h,
        &mut b,
        &login_url(""),
        &[("username", "alice"), ("password", "correct horse")],
    );
    assert_eq!(r.status(), 302);
    let r = b.send(
        &h.server,
        Method::GET,
        &format!("/logout?client_id={CONF}&logout_uri=https://rp.example/bye"),
        "",
    );
    assert_eq!(location(&r), "https://rp.example/bye");
    assert!(!b.cookies.contains_key("cognito"));
    let r = b.follow(
        &h.server,
        &format!("/oauth2/authorize?{}&prompt=none", conf_query()),
    );
    assert_eq!(url_params(&r.unwrap())["error"], "login_required");
}

#[test]
fn a_session_of_one_pool_does_not_sign_in_to_another_sharing_the_store() {
    // Two pools' servers on one store, with users of the same name: the session cookie of
    // pool A, replayed on pool B, signs nobody in there (and neither does A's code).
    let store = std::sync::Arc::new(cognate_oauth2::MemoryGrantStore::new());
    let a = harness_on(
        None,
        store.clone(),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolA1",
    );
    let b = harness_on(
        None,
        store,
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolB1",
    );
    let mut browser = Browser::default();
    let r = submit(
        &a,
        &mut browser,
        &login_url(""),
        &[("username", "alice"), ("password", "correct horse")],
    );
    assert_eq!(r.status(), 302);
    let code = url_params(&location(&r))["code"].clone();
    // Pool B with A's cookie: the sign-in form, not a code.
    let r = browser.follow(&b.server, &format!("/oauth2/authorize?{}", conf_query()));
    assert!(r.unwrap_err().contains("signInFormUsername"));
    let r = browser.follow(
        &b.server,
        &format!("/oauth2/authorize?{}&prompt=none", conf_query()),
    );
    assert_eq!(url_params(&r.unwrap())["error"], "login_required");
    // A's code at B's token endpoint.
    let t = post_form(
        &b,
        "/oauth2/token",
        &format!("grant_type=authorization_code&code={code}&redirect_uri={CB}"),
        &[("authorization", &basic(CONF, CONF_SECRET))],
    );
    assert_eq!(json(&t)["error"], "invalid_grant");
    // Still good at A.
    let (_, shown) = browser.authorize(&a.server, &conf_query());
    assert!(!shown);
}

/// Routes by e-mail domain, remembering what it was asked.
#[derive(Default)]
struct EmailRouting {
    asked: std::sync::Mutex<Vec<String>>,
}

impl cognate_oauth2::Federation for EmailRouting {
    fn providers(
        &self,
        _client: &cognate_oauth2::OAuthClient,
    ) -> Result<Vec<cognate_oauth2::ProviderButton>, cognate_oauth2::HostError> {
        Ok(vec![cognate_oauth2::ProviderButton {
            name: "Acme".into(),
            label: "Acme".into(),
        }])
    }
    fn email_routing(
        &self,
        _client: &cognate_oauth2::OAuthClient,
    ) -> Result<bool, cognate_oauth2::HostError> {
        Ok(true)
    }
    fn route(
        &self,
        _client: &cognate_oauth2::OAuthClient,
        identifier: &str,
    ) -> Result<Option<String>, cognate_oauth2::HostError> {
        self.asked.lock().unwrap().push(identifier.to_owned());
        Ok(identifier
            .ends_with("@acme.example")
            .then(|| "Acme".to_owned()))
    }
    fn start(
        &self,
        _client: &cognate_oauth2::OAuthClient,
        provider: &str,
        _authorize_query: &str,
    ) -> Result<String, cognate_oauth2::HostError> {
        Ok(format!("https://idp.example/{provider}"))
    }
}

#[test]
fn sign_in_page_routes_by_email_domain_when_asked() {
    use std::sync::Arc;
    let routing = Arc::new(EmailRouting::default());
    let h = harness_with(Some(routing.clone()));
    let mut b = Browser::default();
    let html = page(&b.send(&h.server, Method::GET, &login_url(""), ""));
    // An e-mail box posting to /oauth2/authorize instead of provider buttons.
    assert!(
        html.contains("name=\"idp_identifier\" type=\"email\""),
        "{html}"
    );
    assert!(html.contains(&format!(
        "action=\"{BASE}/oauth2/authorize?client_id={CONF}"
    )));
    assert!(!html.contains("identity_provider=Acme"));
    let action = html
        .split("action=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|a| a.contains("/oauth2/authorize"))
        .unwrap()
        .replace("&amp;", "&");
    let r = b.send(
        &h.server,
        Method::POST,
        &action,
        "_csrf=&idp_identifier=bob%40acme.example",
    );
    assert_eq!(r.status(), 302);
    // The client does not use Acme: the routed provider is refused, at the app.
    let loc = location(&r);
    assert!(
        loc.starts_with(&format!("{CB}?error=invalid_request")),
        "{loc}"
    );
    assert_eq!(*routing.asked.lock().unwrap(), vec!["bob@acme.example"]);
}
