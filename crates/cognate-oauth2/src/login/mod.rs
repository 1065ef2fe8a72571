//! Managed login: the sign-in page and the pages after it.
//!
//! | Path | Page |
//! |---|---|
//! | `GET/POST /login` | sign-in (`username`, `password`, `_csrf`, as Cognito's hosted UI posts them) |
//! | `POST /mfa` | every challenge after the password: new password, TOTP / SMS / e-mail code, TOTP set-up, choice of MFA method |
//! | `GET/POST /signup` | self-service sign-up |
//! | `GET/POST /confirmUser`, `POST /resendCode` | the sign-up confirmation code |
//! | `GET/POST /forgotPassword`, `POST /confirmForgotPassword` | password reset |
//! | `GET /error` | the error page of an untrusted client or redirect URI |
//! | `GET /static/cognate.css` | the stylesheet |
//!
//! Every page carries the authorization request in its query string and validates it again,
//! so a page never sends the browser to an unchecked redirect URI. Every form is protected
//! against CSRF ([`seal`]); the challenge in progress rides in a MAC-protected hidden field.

mod html;
mod i18n;
mod seal;

use cognate_types::Secret;
use http::{header, HeaderValue, Method, Request, StatusCode};

use self::html::{esc, Form, Page};
use self::i18n::Texts;
use crate::authorize::{AuthorizeRequest, SESSION_COOKIE};
use crate::grants::{random_token, record_key};
use crate::host::{
    AuthenticatedUser, ChallengeAnswer, ChallengeKind, LoginError, MfaMethod, PendingChallenge,
    SignInStep, SignUp, SignUpOutcome,
};
use crate::params::Params;
use crate::response::{self, Resp};
use crate::server::AuthorizationServer;

const STYLESHEET: &str = include_str!("style.css");
const MAX_USERNAME: usize = 128;
const MAX_PASSWORD: usize = 256;
const MAX_CODE: usize = 16;
const MAX_ATTRIBUTE: usize = 2048;

/// Whether `s` has more than `max` characters (the limits count characters, as Cognito's do,
/// so a name in a non-Latin script gets as many as one in ASCII).
fn over(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// One request to a page: the validated authorization request and what the page needs.
struct Ctx<'a> {
    server: &'a AuthorizationServer,
    ar: AuthorizeRequest,
    t: &'static Texts,
    /// The authorization request's query string, carried by every link and form.
    query: String,
    /// The anti-CSRF cookie value, and its `Set-Cookie` when it is new.
    xsrf: String,
    set_xsrf: Option<String>,
    form: Params,
}

impl<'a> Ctx<'a> {
    fn new<B>(
        server: &'a AuthorizationServer,
        req: &Request<B>,
        body: &[u8],
    ) -> Result<Self, Box<Resp>> {
        let params = Params::from_query(req.uri().query()).map_err(|_| {
            Box::new(
                server.authorize_error(crate::authorize::AuthorizeError::Page {
                    error: "invalid_request",
                    client_id: None,
                }),
            )
        })?;
        let ar = server
            .validate_authorize(&params)
            .map_err(|e| Box::new(server.authorize_error(e)))?;
        let t = i18n::texts(ar.lang.as_deref());
        let (xsrf, set_xsrf) = match response::read_cookie(req.headers(), seal::CSRF_COOKIE) {
            Some(v) if seal::well_formed_cookie(v) => (v.to_owned(), None),
            _ => {
                let v =
                    random_token(&*server.rng).map_err(|e| Box::new(internal(&e.to_string())))?;
                let c = response::cookie(
                    seal::CSRF_COOKIE,
                    &v,
                    server.config.cookie_path(),
                    86_400,
                    server.config.is_https(),
                );
                (v, Some(c))
            }
        };
        let form = if req.method() == Method::POST {
            Params::parse(body)
                .map_err(|_| response::plain(StatusCode::BAD_REQUEST, "malformed form"))?
        } else {
            Params::default()
        };
        Ok(Self {
            query: params.to_query(),
            server,
            ar,
            t,
            xsrf,
            set_xsrf,
            form,
        })
    }

    fn csrf_field(&self) -> String {
        seal::csrf_token(self.server.config.cookie_key(), &self.xsrf)
    }

    /// Whether the POST carries a valid `_csrf` for the request's cookie.
    fn csrf_ok<B>(&self, req: &Request<B>) -> bool {
        seal::csrf_ok(
            self.server.config.cookie_key(),
            response::read_cookie(req.headers(), seal::CSRF_COOKIE),
            self.form.get("_csrf"),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}?{}", self.server.config.endpoint(path), self.query)
    }

    fn field(&self, name: &str) -> &str {
        self.form.get(name).unwrap_or_default()
    }

    fn page(
        &self,
        status: StatusCode,
        title: &str,
        notice: Option<String>,
        error: Option<String>,
        body: String,
    ) -> Resp {
        let css = self.server.config.endpoint("/static/cognate.css");
        let p = Page {
            t: self.t,
            css: &css,
            app: &self.ar.client.name,
            title,
            notice,
            error,
            body,
        };
        let mut r = response::html(status, p.render());
        if let Some(c) = &self.set_xsrf {
            response::set_cookie(&mut r, c);
        }
        r
    }
}

fn internal(what: &str) -> Resp {
    tracing::error!(error = what, "managed login failed");
    response::plain(StatusCode::INTERNAL_SERVER_ERROR, "server error")
}

/// The user-facing message of a failed step.
fn message(e: &LoginError) -> Option<String> {
    match e {
        LoginError::Host(h) => {
            tracing::error!(error = %h, "managed login host failure");
            None
        }
        other => Some(other.to_string()),
    }
}

/// Handles a managed-login page, or `None` when `path` is not one.
pub(crate) fn handle<B>(
    server: &AuthorizationServer,
    path: &str,
    req: &Request<B>,
    body: &[u8],
) -> Option<Resp> {
    if path == "/static/cognate.css" {
        return Some(stylesheet());
    }
    let page: fn(&mut Ctx<'_>, &Request<B>) -> Resp = match path {
        "/login" => login,
        "/mfa" => mfa,
        "/signup" => signup,
        "/confirmUser" => confirm_user,
        "/resendCode" => resend_code,
        "/forgotPassword" => forgot_password,
        "/confirmForgotPassword" => confirm_forgot_password,
        _ => return None,
    };
    if req.method() != Method::GET && req.method() != Method::POST {
        return Some(response::plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed",
        ));
    }
    let mut ctx = match Ctx::new(server, req, body) {
        Ok(c) => c,
        Err(r) => return Some(*r),
    };
    if req.method() == Method::POST && !ctx.csrf_ok(req) {
        let t = ctx.t;
        return Some(ctx.page(
            StatusCode::FORBIDDEN,
            t.sign_in_title,
            None,
            Some(t.csrf_error.to_owned()),
            format!(
                "<p class=\"links\"><a href=\"{}\">{}</a></p>",
                esc(&ctx.url("/login")),
                esc(t.back_to_sign_in)
            ),
        ));
    }
    Some(page(&mut ctx, req))
}

fn stylesheet() -> Resp {
    let mut r = response::plain(StatusCode::OK, "");
    *r.body_mut() = STYLESHEET.as_bytes().to_vec();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css;charset=UTF-8"),
    );
    h.remove(header::PRAGMA);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Signs the browser in: a new session (a new ID at every sign-in), then the code or tokens.
fn finish<B>(ctx: &Ctx<'_>, req: &Request<B>, user: &AuthenticatedUser) -> Resp {
    let old = response::read_cookie(req.headers(), SESSION_COOKIE).map(record_key);
    match ctx.server.start_session(user, old.as_deref()) {
        Ok(cookie) => ctx.server.complete(&ctx.ar, user, Some(cookie)),
        Err(e) => internal(&e.to_string()),
    }
}

// ---- sign-in ---------------------------------------------------------------------------------

fn login_page(
    ctx: &Ctx<'_>,
    status: StatusCode,
    username: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Resp {
    let t = ctx.t;
    let mut body = Form::new(&ctx.url("/login"), &ctx.csrf_field())
        .input(
            "signInFormUsername",
            "username",
            t.username,
            "text",
            "username",
            username,
            " required autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"128\"",
        )
        .input(
            "signInFormPassword",
            "password",
            t.password,
            "password",
            "current-password",
            "",
            " required maxlength=\"256\"",
        )
        .submit(Some("signInSubmitButton"), t.sign_in);
    let federation = ctx.server.federation.as_ref();
    let providers = federation
        .and_then(|f| f.providers(&ctx.ar.client).ok())
        .unwrap_or_default();
    let email_routing = federation
        .and_then(|f| f.email_routing(&ctx.ar.client).ok())
        .unwrap_or(false);
    let mut p = ctx.ar.params.clone();
    p.remove("identity_provider");
    p.remove("idp_identifier");
    if email_routing {
        // Every provider has a domain identifier: the e-mail address picks the provider
        // (its domain goes to /oauth2/authorize as `idp_identifier`).
        body.push_str(&format!(
            "<div class=\"divider\">{}</div>\n",
            esc(t.or_with)
        ));
        let action = format!(
            "{}?{}",
            ctx.server.config.endpoint("/oauth2/authorize"),
            p.to_query()
        );
        body.push_str(
            &Form::new(&action, "")
                .input(
                    "idpIdentifierEmail",
                    "idp_identifier",
                    t.corporate_email,
                    "email",
                    "email",
                    "",
                    " required maxlength=\"256\"",
                )
                .submit_secondary(t.corporate_sign_in),
        );
    } else if !providers.is_empty() {
        body.push_str(&format!(
            "<div class=\"divider\">{}</div>\n<div class=\"providers\">\n",
            esc(t.or_with)
        ));
        for b in providers {
            let mut q = p.clone();
            q.set("identity_provider", b.name.clone());
            let href = format!(
                "{}?{}",
                ctx.server.config.endpoint("/oauth2/authorize"),
                q.to_query()
            );
            body.push_str(&format!(
                "<a href=\"{}\">{} {}</a>\n",
                esc(&href),
                esc(t.continue_with),
                esc(&b.label)
            ));
        }
        body.push_str("</div>\n");
    }
    body.push_str(&format!(
        "<p class=\"links\"><a href=\"{}\">{}</a><span>{} <a href=\"{}\">{}</a></span></p>",
        esc(&ctx.url("/forgotPassword")),
        esc(t.forgot),
        esc(t.no_account),
        esc(&ctx.url("/signup")),
        esc(t.sign_up)
    ));
    ctx.page(status, t.sign_in_title, notice, error, body)
}

fn login<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    if req.method() == Method::GET {
        if let Some(user) = ctx.server.sso_user(&ctx.ar, req) {
            return ctx.server.complete(&ctx.ar, &user, None);
        }
        if ctx.ar.prompt == crate::authorize::Prompt::None {
            // No page may be shown: the same answer as /oauth2/authorize.
            return ctx.server.authorize_error(ctx.ar.error(
                "login_required",
                Some("the user is not signed in and prompt=none was requested"),
            ));
        }
        let hint = ctx.ar.login_hint.clone().unwrap_or_default();
        return login_page(ctx, StatusCode::OK, &hint, None, None);
    }
    let username = ctx.field("username").trim().to_owned();
    let password = ctx.field("password").to_owned();
    let t = ctx.t;
    if username.is_empty() || password.is_empty() {
        return login_page(
            ctx,
            StatusCode::BAD_REQUEST,
            &username,
            None,
            Some(t.missing.into()),
        );
    }
    if over(&username, MAX_USERNAME) || over(&password, MAX_PASSWORD) {
        return login_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.too_long.into()),
        );
    }
    match ctx
        .server
        .users
        .sign_in(&ctx.ar.client, &username, &Secret::new(password))
    {
        Ok(SignInStep::Done(user)) => finish(ctx, req, &user),
        Ok(SignInStep::Challenge(p)) => challenge_page(ctx, StatusCode::OK, &p, None),
        Err(LoginError::UserNotConfirmed(m)) => {
            confirm_page(ctx, StatusCode::OK, &username, None, Some(m))
        }
        Err(LoginError::PasswordResetRequired(m)) => {
            reset_page(ctx, StatusCode::OK, &username, None, Some(m))
        }
        Err(e) => match message(&e) {
            Some(m) => login_page(ctx, StatusCode::BAD_REQUEST, &username, None, Some(m)),
            None => internal("sign-in"),
        },
    }
}

// ---- challenges ------------------------------------------------------------------------------

fn code_input(form: Form, t: &Texts) -> Form {
    form.input(
        "code",
        "code",
        t.code,
        "text",
        "one-time-code",
        "",
        " required inputmode=\"numeric\" maxlength=\"16\" autofocus",
    )
}

fn challenge_page(
    ctx: &Ctx<'_>,
    status: StatusCode,
    p: &PendingChallenge,
    error: Option<String>,
) -> Resp {
    let t = ctx.t;
    let exp = ctx
        .server
        .clock
        .now()
        .saturating_add(std::time::Duration::from_secs(
            seal::CHALLENGE_LIFETIME_SECS,
        ));
    let sealed = seal::seal(
        ctx.server.config.cookie_key(),
        p,
        ctx.ar.client.client_id.as_str(),
        exp,
    );
    let form = Form::new(&ctx.url("/mfa"), &ctx.csrf_field()).hidden("challenge", &sealed);
    let (title, intro, body) = match &p.kind {
        ChallengeKind::NewPasswordRequired {
            required_attributes,
        } => {
            let mut f = form
                .hidden("username", &p.username)
                .input(
                    "newPassword",
                    "password",
                    t.new_password,
                    "password",
                    "new-password",
                    "",
                    " required maxlength=\"256\"",
                )
                .input(
                    "confirmPassword",
                    "confirm_password",
                    t.confirm_password,
                    "password",
                    "new-password",
                    "",
                    " required maxlength=\"256\"",
                );
            for a in required_attributes {
                let kind = match a.as_str() {
                    "email" => "email",
                    "phone_number" => "tel",
                    _ => "text",
                };
                // Values typed before an error are kept (passwords never are).
                let name = format!("attr_{a}");
                f = f.input(
                    &format!("attr-{a}"),
                    &name,
                    &esc(a),
                    kind,
                    "off",
                    ctx.field(&name),
                    " required maxlength=\"2048\"",
                );
            }
            (
                t.new_password_title,
                Some(t.new_password_intro.to_owned()),
                f.submit(None, t.continue_),
            )
        }
        ChallengeKind::SoftwareToken => (
            t.mfa_title,
            Some(t.totp_prompt.to_owned()),
            code_input(form, t).submit(None, t.verify),
        ),
        ChallengeKind::SmsCode { destination } => (
            t.mfa_title,
            Some(t.sms_prompt.replace("{dest}", destination)),
            code_input(form, t).submit(None, t.verify),
        ),
        ChallengeKind::EmailCode { destination } => (
            t.mfa_title,
            Some(t.email_prompt.replace("{dest}", destination)),
            code_input(form, t).submit(None, t.verify),
        ),
        ChallengeKind::TotpSetup {
            secret,
            otpauth_uri,
        } => {
            let grouped: Vec<String> = secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            let head = format!(
                "<p>{}</p>\n<p class=\"hint\">{}</p>\n<code class=\"secret\" id=\"totp-secret\">{}</code>\n<p><a href=\"{}\">{}</a></p>\n",
                esc(t.setup_intro),
                esc(t.setup_secret),
                esc(&grouped.join(" ")),
                esc(otpauth_uri),
                esc(t.setup_link)
            );
            (
                t.setup_title,
                None,
                head + &code_input(form, t).submit(None, t.verify),
            )
        }
        ChallengeKind::SelectMfa { options } => {
            let mut radios = String::from("<fieldset>\n");
            for (i, m) in options.iter().enumerate() {
                let (value, label) = match m {
                    MfaMethod::Totp => ("totp", t.method_totp),
                    MfaMethod::Sms => ("sms", t.method_sms),
                    MfaMethod::Email => ("email", t.method_email),
                };
                radios.push_str(&format!(
                    "<label><input type=\"radio\" name=\"mfa_method\" value=\"{value}\"{}> {}</label>\n",
                    if i == 0 { " checked" } else { "" },
                    esc(label)
                ));
            }
            radios.push_str("</fieldset>\n");
            (
                t.select_title,
                None,
                form.raw(&radios).submit(None, t.continue_),
            )
        }
    };
    let mut html = String::new();
    if let Some(i) = intro {
        html.push_str(&format!("<p>{}</p>\n", esc(&i)));
    }
    html.push_str(&body);
    ctx.page(status, title, None, error, html)
}

fn mfa<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    if req.method() == Method::GET {
        return response::redirect(&ctx.url("/login"));
    }
    let Some(pending) = seal::open(
        ctx.server.config.cookie_key(),
        ctx.field("challenge"),
        ctx.ar.client.client_id.as_str(),
        ctx.server.clock.now(),
    ) else {
        return login_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.session_error.into()),
        );
    };
    let answer = match &pending.kind {
        ChallengeKind::NewPasswordRequired {
            required_attributes,
        } => {
            let password = ctx.field("password");
            if password.is_empty() {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.missing.into()),
                );
            }
            if over(password, MAX_PASSWORD) {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.too_long.into()),
                );
            }
            if password != ctx.field("confirm_password") {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.passwords_differ.into()),
                );
            }
            let mut attributes = Vec::new();
            for a in required_attributes {
                let v = ctx.field(&format!("attr_{a}")).trim();
                if over(v, MAX_ATTRIBUTE) {
                    return challenge_page(
                        ctx,
                        StatusCode::BAD_REQUEST,
                        &pending,
                        Some(t.too_long.into()),
                    );
                }
                attributes.push((a.clone(), v.to_owned()));
            }
            ChallengeAnswer::NewPassword {
                password: Secret::new(password.to_owned()),
                attributes,
            }
        }
        ChallengeKind::SelectMfa { .. } => match ctx.field("mfa_method") {
            "totp" => ChallengeAnswer::Select(MfaMethod::Totp),
            "sms" => ChallengeAnswer::Select(MfaMethod::Sms),
            "email" => ChallengeAnswer::Select(MfaMethod::Email),
            _ => {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.missing.into()),
                )
            }
        },
        _ => {
            let code: String = ctx
                .field("code")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if code.is_empty() {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.missing.into()),
                );
            }
            if over(&code, MAX_CODE) {
                return challenge_page(
                    ctx,
                    StatusCode::BAD_REQUEST,
                    &pending,
                    Some(t.too_long.into()),
                );
            }
            ChallengeAnswer::Code(Secret::new(code))
        }
    };
    match ctx.server.users.answer(&ctx.ar.client, &pending, answer) {
        Ok(SignInStep::Done(user)) => finish(ctx, req, &user),
        Ok(SignInStep::Challenge(next)) => challenge_page(ctx, StatusCode::OK, &next, None),
        Err(LoginError::NotAuthorized(m)) => login_page(
            ctx,
            StatusCode::BAD_REQUEST,
            &pending.username,
            None,
            Some(m),
        ),
        Err(e) => match message(&e) {
            Some(m) => challenge_page(ctx, StatusCode::BAD_REQUEST, &pending, Some(m)),
            None => internal("challenge"),
        },
    }
}

// ---- sign-up ---------------------------------------------------------------------------------

fn signup_page(ctx: &Ctx<'_>, status: StatusCode, error: Option<String>) -> Resp {
    let t = ctx.t;
    let fields = match ctx.server.users.sign_up_fields() {
        Ok(f) => f,
        Err(e) => return internal(&e.to_string()),
    };
    let mut form = Form::new(&ctx.url("/signup"), &ctx.csrf_field()).input(
        "signUpUsername",
        "username",
        t.username,
        "text",
        "username",
        ctx.field("username"),
        " required autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"128\"",
    );
    for f in &fields {
        let (kind, ac) = match f.name.as_str() {
            "email" => ("email", "email"),
            "phone_number" => ("tel", "tel"),
            "name" => ("text", "name"),
            "given_name" => ("text", "given-name"),
            "family_name" => ("text", "family-name"),
            _ => ("text", "off"),
        };
        let label = if f.required {
            esc(&f.name)
        } else {
            format!(
                "{} <span class=\"optional\">({})</span>",
                esc(&f.name),
                esc(t.optional)
            )
        };
        let name = format!("attr_{}", f.name);
        let value = ctx.field(&name).to_owned();
        form = form.input(
            &format!("attr-{}", f.name),
            &name,
            &label,
            kind,
            ac,
            &value,
            if f.required {
                " required maxlength=\"2048\""
            } else {
                " maxlength=\"2048\""
            },
        );
    }
    let mut body = form
        .input(
            "signUpPassword",
            "password",
            t.password,
            "password",
            "new-password",
            "",
            " required maxlength=\"256\"",
        )
        .submit(None, t.create_account);
    body.push_str(&format!(
        "<p class=\"links\"><span>{} <a href=\"{}\">{}</a></span></p>",
        esc(t.have_account),
        esc(&ctx.url("/login")),
        esc(t.sign_in)
    ));
    ctx.page(status, t.sign_up_title, None, error, body)
}

fn signup<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    if req.method() == Method::GET {
        return signup_page(ctx, StatusCode::OK, None);
    }
    let username = ctx.field("username").trim().to_owned();
    let password = ctx.field("password").to_owned();
    if username.is_empty() || password.is_empty() {
        return signup_page(ctx, StatusCode::BAD_REQUEST, Some(t.missing.into()));
    }
    if over(&username, MAX_USERNAME) || over(&password, MAX_PASSWORD) {
        return signup_page(ctx, StatusCode::BAD_REQUEST, Some(t.too_long.into()));
    }
    // Only the attributes the form asks for: a forged field cannot set `email_verified`.
    let fields = match ctx.server.users.sign_up_fields() {
        Ok(f) => f,
        Err(e) => return internal(&e.to_string()),
    };
    let mut attributes = Vec::new();
    for f in &fields {
        let v = ctx.field(&format!("attr_{}", f.name)).trim();
        if over(v, MAX_ATTRIBUTE) {
            return signup_page(ctx, StatusCode::BAD_REQUEST, Some(t.too_long.into()));
        }
        if v.is_empty() && f.required {
            return signup_page(ctx, StatusCode::BAD_REQUEST, Some(t.missing.into()));
        }
        if !v.is_empty() {
            attributes.push((f.name.clone(), v.to_owned()));
        }
    }
    let req = SignUp {
        username: username.clone(),
        password: Secret::new(password),
        attributes,
    };
    match ctx.server.users.sign_up(&ctx.ar.client, req) {
        Ok(SignUpOutcome::CodeSent(d)) => confirm_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.code_sent.replace("{dest}", &d.destination)),
            None,
        ),
        Ok(SignUpOutcome::Confirmed) => login_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.confirmed_notice.into()),
            None,
        ),
        Err(e) => match message(&e) {
            Some(m) => signup_page(ctx, StatusCode::BAD_REQUEST, Some(m)),
            None => internal("sign-up"),
        },
    }
}

fn confirm_page(
    ctx: &Ctx<'_>,
    status: StatusCode,
    username: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Resp {
    let t = ctx.t;
    let mut body = code_input(
        Form::new(&ctx.url("/confirmUser"), &ctx.csrf_field()).input(
            "confirmUsername",
            "username",
            t.username,
            "text",
            "username",
            username,
            " required maxlength=\"128\"",
        ),
        t,
    )
    .submit(None, t.confirm);
    body.push_str(
        &Form::new(&ctx.url("/resendCode"), &ctx.csrf_field())
            .hidden("username", username)
            .submit_secondary(t.resend),
    );
    ctx.page(status, t.confirm_title, notice, error, body)
}

fn confirm_user<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    let username = ctx.field("username").trim().to_owned();
    if req.method() == Method::GET {
        return confirm_page(ctx, StatusCode::OK, "", None, None);
    }
    let code = ctx.field("code").trim().to_owned();
    if username.is_empty() || code.is_empty() {
        return confirm_page(
            ctx,
            StatusCode::BAD_REQUEST,
            &username,
            None,
            Some(t.missing.into()),
        );
    }
    if over(&username, MAX_USERNAME) || over(&code, MAX_CODE) {
        return confirm_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.too_long.into()),
        );
    }
    match ctx
        .server
        .users
        .confirm_sign_up(&ctx.ar.client, &username, &Secret::new(code))
    {
        Ok(()) => login_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.confirmed_notice.into()),
            None,
        ),
        Err(e) => match message(&e) {
            Some(m) => confirm_page(ctx, StatusCode::BAD_REQUEST, &username, None, Some(m)),
            None => internal("confirm sign-up"),
        },
    }
}

fn resend_code<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    if req.method() == Method::GET {
        return confirm_page(ctx, StatusCode::OK, "", None, None);
    }
    let username = ctx.field("username").trim().to_owned();
    if username.is_empty() {
        return confirm_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.missing.into()),
        );
    }
    if over(&username, MAX_USERNAME) {
        return confirm_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.too_long.into()),
        );
    }
    match ctx
        .server
        .users
        .resend_confirmation(&ctx.ar.client, &username)
    {
        Ok(d) => confirm_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.code_sent.replace("{dest}", &d.destination)),
            None,
        ),
        Err(e) => match message(&e) {
            Some(m) => confirm_page(ctx, StatusCode::BAD_REQUEST, &username, None, Some(m)),
            None => internal("resend code"),
        },
    }
}

// ---- password reset --------------------------------------------------------------------------

fn forgot_page(ctx: &Ctx<'_>, status: StatusCode, error: Option<String>) -> Resp {
    let t = ctx.t;
    let mut body = format!("<p>{}</p>\n", esc(t.forgot_intro));
    body.push_str(
        &Form::new(&ctx.url("/forgotPassword"), &ctx.csrf_field())
            .input(
                "forgotUsername",
                "username",
                t.username,
                "text",
                "username",
                ctx.field("username"),
                " required maxlength=\"128\"",
            )
            .submit(None, t.send_code),
    );
    body.push_str(&format!(
        "<p class=\"links\"><a href=\"{}\">{}</a></p>",
        esc(&ctx.url("/login")),
        esc(t.back_to_sign_in)
    ));
    ctx.page(status, t.forgot_title, None, error, body)
}

fn reset_page(
    ctx: &Ctx<'_>,
    status: StatusCode,
    username: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Resp {
    let t = ctx.t;
    let body = code_input(
        Form::new(&ctx.url("/confirmForgotPassword"), &ctx.csrf_field()).input(
            "resetUsername",
            "username",
            t.username,
            "text",
            "username",
            username,
            " required maxlength=\"128\"",
        ),
        t,
    )
    .input(
        "resetPassword",
        "password",
        t.new_password,
        "password",
        "new-password",
        "",
        " required maxlength=\"256\"",
    )
    .input(
        "resetConfirm",
        "confirm_password",
        t.confirm_password,
        "password",
        "new-password",
        "",
        " required maxlength=\"256\"",
    )
    .submit(None, t.reset);
    ctx.page(status, t.reset_title, notice, error, body)
}

fn forgot_password<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    if req.method() == Method::GET {
        return forgot_page(ctx, StatusCode::OK, None);
    }
    let username = ctx.field("username").trim().to_owned();
    if username.is_empty() {
        return forgot_page(ctx, StatusCode::BAD_REQUEST, Some(t.missing.into()));
    }
    if over(&username, MAX_USERNAME) {
        return forgot_page(ctx, StatusCode::BAD_REQUEST, Some(t.too_long.into()));
    }
    match ctx.server.users.forgot_password(&ctx.ar.client, &username) {
        Ok(d) => reset_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.code_sent.replace("{dest}", &d.destination)),
            None,
        ),
        Err(e) => match message(&e) {
            Some(m) => forgot_page(ctx, StatusCode::BAD_REQUEST, Some(m)),
            None => internal("forgot password"),
        },
    }
}

fn confirm_forgot_password<B>(ctx: &mut Ctx<'_>, req: &Request<B>) -> Resp {
    let t = ctx.t;
    if req.method() == Method::GET {
        return reset_page(ctx, StatusCode::OK, "", None, None);
    }
    let username = ctx.field("username").trim().to_owned();
    let code = ctx.field("code").trim().to_owned();
    let password = ctx.field("password").to_owned();
    if username.is_empty() || code.is_empty() || password.is_empty() {
        return reset_page(
            ctx,
            StatusCode::BAD_REQUEST,
            &username,
            None,
            Some(t.missing.into()),
        );
    }
    if over(&username, MAX_USERNAME) || over(&code, MAX_CODE) || over(&password, MAX_PASSWORD) {
        return reset_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "",
            None,
            Some(t.too_long.into()),
        );
    }
    if password != ctx.field("confirm_password") {
        return reset_page(
            ctx,
            StatusCode::BAD_REQUEST,
            &username,
            None,
            Some(t.passwords_differ.into()),
        );
    }
    match ctx.server.users.confirm_forgot_password(
        &ctx.ar.client,
        &username,
        &Secret::new(code),
        &Secret::new(password),
    ) {
        Ok(()) => login_page(
            ctx,
            StatusCode::OK,
            &username,
            Some(t.reset_notice.into()),
            None,
        ),
        Err(e) => match message(&e) {
            Some(m) => reset_page(ctx, StatusCode::BAD_REQUEST, &username, None, Some(m)),
            None => internal("confirm forgot password"),
        },
    }
}

// ---- the error page --------------------------------------------------------------------------

/// `GET /error`: the page shown instead of redirecting to an untrusted client or URI.
pub(crate) fn error_page<B>(server: &AuthorizationServer, req: &Request<B>) -> Resp {
    let params = Params::from_query(req.uri().query()).unwrap_or_default();
    let t = i18n::texts(params.get("lang"));
    let explanation = match params.get("error") {
        Some("redirect_mismatch") => t.error_redirect_mismatch,
        Some("invalid_client") => t.error_invalid_client,
        _ => t.error_other,
    };
    let css = server.config.endpoint("/static/cognate.css");
    let page = Page {
        t,
        css: &css,
        app: "",
        title: t.error_title,
        notice: None,
        error: None,
        body: format!("<p>{}</p>\n", esc(explanation)),
    };
    response::html(StatusCode::BAD_REQUEST, page.render())
}
