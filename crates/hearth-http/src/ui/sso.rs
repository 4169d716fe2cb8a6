//! Single sign-on pages: the start (off to the identity provider), the
//! callback (a Hearth session from what the provider vouched for, or a
//! refusal page saying why not), and the page the provider sends people back
//! to after signing out there.

use crate::shell::layout::{page, Chrome};
use crate::shell::respond::respond;
use crate::shell::session::{cookie, set_cookie, set_lax_cookie, tokens_match, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::sso::Pending;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use hearth_gate::GateError;
use maud::{html, Markup};
use serde::Deserialize;

/// The cookie holding [`Pending`] between the start and the callback.
const SSO_COOKIE: &str = "hearth_sso";
/// Only the callback needs it back.
const SSO_COOKIE_PATH: &str = "/sign-in/sso";
/// Long enough to sign in at the provider, short enough not to linger.
const SSO_COOKIE_SECS: i64 = 600;

fn signed_out_chrome() -> Chrome<'static> {
    Chrome::signed_out()
}

/// A page for someone who is not signed in, with a way back to the start.
fn message(status: StatusCode, title: &str, body: &str) -> Response {
    respond(
        status,
        page(
            title,
            &signed_out_chrome(),
            false,
            html! {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { (body) }
                p class="govuk-body" { a class="govuk-link" href="/login" { "Go to the sign-in page" } }
            },
        ),
    )
}

fn unavailable() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Single sign-on is not working",
        "Hearth cannot reach your organisation's sign-in service at the moment. Try again in a few minutes; if it keeps happening, tell the system administrator.",
    )
}

/// GET /sign-in/sso: off to the provider with a fresh state, nonce and PKCE challenge.
pub async fn start(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let Some(sso) = s.sso.as_ref() else {
        return message(StatusCode::NOT_FOUND, "Single sign-on is not set up", "Sign in with your Hearth username and password.");
    };
    match sso.start().await {
        Ok((url, pending)) => (
            AppendHeaders([set_lax_cookie(&headers, SSO_COOKIE, &pending.to_cookie(), SSO_COOKIE_SECS, SSO_COOKIE_PATH)]),
            Redirect::to(&url),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "single sign-on could not start");
            unavailable()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Callback {
    code: String,
    state: String,
    error: String,
}

/// GET /sign-in/sso/callback: checks the state, exchanges the code, checks
/// the ID token, and asks the gate to open a session.
pub async fn callback(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<Callback>) -> Response {
    let Some(sso) = s.sso.as_ref() else {
        return message(StatusCode::NOT_FOUND, "Single sign-on is not set up", "Sign in with your Hearth username and password.");
    };
    let forget = set_lax_cookie(&headers, SSO_COOKIE, "", 0, SSO_COOKIE_PATH);
    let pending = cookie(&headers, SSO_COOKIE).and_then(Pending::from_cookie);
    let start_again = |why: &str| {
        tracing::warn!(why, "single sign-on callback refused");
        (
            AppendHeaders([forget.clone()]),
            message(
                StatusCode::BAD_REQUEST,
                "Sign-in could not be completed",
                "The sign-in did not come back as it was sent, or took too long. Start again from the sign-in page.",
            ),
        )
            .into_response()
    };
    if !q.error.is_empty() {
        tracing::warn!(error = %q.error, "the identity provider refused the sign-in");
        return (
            AppendHeaders([forget.clone()]),
            message(
                StatusCode::UNAUTHORIZED,
                "You were not signed in",
                "Your organisation's sign-in service did not sign you in. Start again from the sign-in page.",
            ),
        )
            .into_response();
    }
    let Some(pending) = pending else { return start_again("no pending sign-in cookie") };
    if q.code.is_empty() || !tokens_match(&pending.state, &q.state) {
        return start_again("state does not match");
    }
    let who = match sso.finish(&q.code, &pending).await {
        Ok(who) => who,
        Err(e @ crate::sso::SsoError::Unavailable(_)) => {
            tracing::error!(error = %e, "single sign-on could not finish");
            return (AppendHeaders([forget]), unavailable()).into_response();
        }
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on refused");
            return (
                AppendHeaders([forget]),
                message(
                    StatusCode::UNAUTHORIZED,
                    "You were not signed in",
                    "Hearth could not check what your organisation's sign-in service sent. The attempt has been recorded. Start again from the sign-in page.",
                ),
            )
                .into_response();
        }
    };
    match s.gate.sign_in_from_directory(&who).await {
        Ok(signed) => {
            let max_age = hearth_gate::auth::WEB_SESSION.as_secs();
            // The session cookie is SameSite=Strict, and this answer ends a
            // chain of redirects that started at the provider: a browser
            // would not send it on a redirect from here. A page of our own
            // that moves on by itself makes the next request same-site.
            (
                AppendHeaders([
                    set_cookie(&headers, SESSION_COOKIE, &signed.token, max_age),
                    set_cookie(&headers, LOGIN_CSRF_COOKIE, "", 0),
                    forget,
                    (header::REFRESH, HeaderValue::from_static("0; url=/")),
                ]),
                continue_page(),
            )
                .into_response()
        }
        Err(e @ GateError::SignInRefused(_)) => (
            AppendHeaders([forget]),
            respond(
                StatusCode::FORBIDDEN,
                page(
                    "You cannot sign in to Hearth",
                    &signed_out_chrome(),
                    false,
                    html! {
                        h1 class="govuk-heading-l" { "You cannot sign in to Hearth" }
                        p class="govuk-body" { (e.to_string()) }
                    },
                ),
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "single sign-on: the session could not be opened");
            (AppendHeaders([forget]), unavailable()).into_response()
        }
    }
}

fn continue_page() -> Markup {
    page(
        "Signed in",
        &signed_out_chrome(),
        false,
        html! {
            h1 class="govuk-heading-l" { "You are signed in" }
            p class="govuk-body" { a class="govuk-link" href="/" { "Continue to Hearth" } }
        },
    )
}

/// GET /signed-out: where the provider sends people after signing out there.
pub async fn signed_out() -> Response {
    message(StatusCode::OK, "You have signed out", "You have signed out of Hearth and of your organisation account.")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackChannel {
    logout_token: String,
}

/// POST /sign-in/sso/back-channel-logout: the provider says a person signed
/// out there; every Hearth session of theirs ends.
pub async fn back_channel_logout(State(s): State<AppState>, axum::Form(f): axum::Form<BackChannel>) -> Response {
    let Some(sso) = s.sso.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let no_store = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    match sso.logout_subject(&f.logout_token).await {
        Ok(subject) => match s.gate.sign_out_directory_subject(&subject).await {
            Ok(_) => (StatusCode::OK, no_store).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "back-channel logout failed");
                (StatusCode::INTERNAL_SERVER_ERROR, no_store).into_response()
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "back-channel logout refused");
            (StatusCode::BAD_REQUEST, no_store).into_response()
        }
    }
}
