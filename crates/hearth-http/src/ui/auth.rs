//! Signing in and out of the web UI: the sign-in form (with its own CSRF
//! cookie, before there is a session), sign-out, and sign-out everywhere.

use crate::shell::layout::{csrf_field, error_summary, page, Chrome, Input};
use crate::shell::respond::respond;
use crate::shell::session::{
    cookie, same_origin, set_cookie, tokens_match, CsrfForm, Posted, LOGIN_CSRF_COOKIE, SESSION_COOKIE, TWO_STEP_SETUP,
};
use crate::throttle::ClientIp;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use hearth_domain::error::FieldError;
use hearth_domain::staff::SessionKind;
use hearth_gate::auth::random_token;
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    _csrf: String,
    username: String,
    password: String,
    /// Only for accounts with two-step sign-in on.
    totp_code: String,
}

/// How staff may sign in here: the single sign-on button's words, if it is
/// set up, and whether Hearth passwords are still on.
struct Ways<'a> {
    sso_button: Option<&'a str>,
    passwords: bool,
}

fn ways(s: &AppState) -> Ways<'_> {
    Ways { sso_button: s.sso.as_ref().map(|o| o.settings().button.as_str()), passwords: s.gate.identity().local_passwords }
}

fn login_page(ways: &Ways, csrf: &str, username: &str, errors: &[FieldError]) -> Markup {
    let chrome = Chrome::signed_out();
    page(
        "Sign in",
        &chrome,
        !errors.is_empty(),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    h1 class="govuk-heading-l" { "Sign in to Hearth" }
                    @if let Some(button) = ways.sso_button {
                        // A link, not a form: starting sign-in changes nothing here.
                        a href="/sign-in/sso" role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button" { (button) }
                        @if ways.passwords {
                            p class="govuk-body" { "Or sign in with a Hearth username and password." }
                        }
                    }
                    @if ways.passwords {
                    form method="post" action="/login" novalidate {
                        (csrf_field(csrf))
                        (Input::text("username", "Username", username).autocomplete("username").width("20").no_spellcheck().render(errors))
                        (Input::text("password", "Password", "").kind("password").autocomplete("current-password").width("20").render(errors))
                        (Input::text("totp_code", "Security code (only if you use two-step sign-in)", "")
                            .hint("The 6-digit code from your authenticator app")
                            .autocomplete("one-time-code").width("5").no_spellcheck().render(errors))
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Sign in" }
                    }
                    }
                }
            }
        },
    )
}

/// The sign-in form with a fresh double-submit CSRF token.
pub async fn login_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = random_token();
    ([set_cookie(&headers, LOGIN_CSRF_COOKIE, &csrf, 3600)], login_page(&ways(&s), &csrf, "", &[])).into_response()
}

pub async fn login(State(s): State<AppState>, ClientIp(ip): ClientIp, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !tokens_match(expected, &f._csrf) || !same_origin(&headers) {
        return Redirect::to("/login").into_response();
    }
    let mut errors = vec![];
    if f.username.trim().is_empty() {
        errors.push(FieldError::new("username", "Enter your username"));
    }
    if f.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(wait) = s.throttles.failed_sign_ins.blocked(ip).filter(|_| errors.is_empty()) {
        status = StatusCode::TOO_MANY_REQUESTS;
        let minutes = wait.as_secs().div_ceil(60).max(1);
        errors.push(FieldError::new("username", format!("Too many failed sign-ins from this network; try again in {minutes} minutes")));
    }
    if errors.is_empty() {
        let code = Some(f.totp_code.as_str()).filter(|c| !c.trim().is_empty());
        match s.gate.sign_in_with_code(&f.username, &f.password, code, SessionKind::Web).await {
            Ok(signed) => {
                let max_age = hearth_gate::auth::WEB_SESSION.as_secs();
                let next = if signed.must_set_up_two_step { TWO_STEP_SETUP } else { "/" };
                return (
                    AppendHeaders([
                        set_cookie(&headers, SESSION_COOKIE, &signed.token, max_age),
                        set_cookie(&headers, LOGIN_CSRF_COOKIE, "", 0),
                    ]),
                    Redirect::to(next),
                )
                    .into_response();
            }
            Err(GateError::Unauthenticated) => {
                s.throttles.failed_sign_ins.hit(ip);
                errors.push(FieldError::new("username", "The username or password is not right"))
            }
            Err(GateError::Invalid(v)) => errors.extend(v.0),
            Err(e @ GateError::SignInRefused(_)) => {
                status = StatusCode::FORBIDDEN;
                errors.push(FieldError::new("username", e.to_string()))
            }
            Err(e @ GateError::Throttled { .. }) => {
                // As the API answers: 429, for a real account and a name with no account alike.
                status = StatusCode::TOO_MANY_REQUESTS;
                errors.push(FieldError::new("username", format!("Sign-in is paused for this account: {e}. An administrator can unlock it")))
            }
            Err(e) => {
                tracing::error!(error = %e, "sign-in failed");
                errors.push(FieldError::new("username", "Sign-in is not working at the moment; try again later"));
            }
        }
    }
    let csrf = random_token();
    ([set_cookie(&headers, LOGIN_CSRF_COOKIE, &csrf, 3600)], respond(status, login_page(&ways(&s), &csrf, &f.username, &errors)))
        .into_response()
}

/// Ends this session; someone who signed in through the identity provider
/// goes on to sign out there too (single sign-out).
pub async fn logout(State(s): State<AppState>, headers: HeaderMap, Posted(session, _): Posted<CsrfForm>) -> Response {
    let provider_sign_out = match s.sso.as_ref() {
        Some(sso) if s.gate.signs_in_by_directory(&session.actor).await.unwrap_or(false) => sso.end_session_url().await,
        _ => None,
    };
    if let Err(e) = s.gate.sign_out(&session.token).await {
        tracing::error!(error = %e, "sign-out failed");
    }
    let ended = set_cookie(&headers, SESSION_COOKIE, "", 0);
    let Some(url) = provider_sign_out.and_then(|u| axum::http::HeaderValue::from_str(&format!("0; url={u}")).ok().map(|h| (u, h))) else {
        return ([ended], Redirect::to("/login")).into_response();
    };
    // Not a redirect: the page's form-action 'self' would stop a form's
    // redirect to another site; a page of ours moves on to the provider.
    let (href, refresh) = url;
    let chrome = Chrome::signed_out();
    let body = page(
        "Signing out",
        &chrome,
        false,
        html! {
            h1 class="govuk-heading-l" { "You have signed out of Hearth" }
            p class="govuk-body" { "Now signing you out of your organisation account." }
            p class="govuk-body" { a class="govuk-link" href=(href) { "Continue signing out" } }
        },
    );
    (AppendHeaders([ended, (axum::http::header::REFRESH, refresh)]), body).into_response()
}

/// Ends every session of the account, this one included.
pub async fn logout_everywhere(State(s): State<AppState>, headers: HeaderMap, Posted(session, _): Posted<CsrfForm>) -> Response {
    if let Err(e) = s.gate.sign_out_everywhere(&session.actor).await {
        tracing::error!(error = %e, "sign-out everywhere failed");
    }
    ([set_cookie(&headers, SESSION_COOKIE, "", 0)], Redirect::to("/login")).into_response()
}
