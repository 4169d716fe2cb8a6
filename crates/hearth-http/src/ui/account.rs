//! "Your account": turning two-step sign-in (an authenticator app's
//! six-digit codes, TOTP) on and off for the signed-in staff member.
//! The secret is shown once, while turning it on, and kept by the gate.

use crate::shell::layout::{csrf_field, error_summary, page, success_banner, Input};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::error::FieldError;
use hearth_gate::{totp, GateError};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(State(st): State<AppState>, s: UiSession, Query(q): Query<Done>) -> Response {
    let on = match st.gate.two_step_enabled(&s.actor).await {
        Ok(on) => on,
        Err(e) => return error_page(&s, e),
    };
    let banner = match q.done.as_deref() {
        Some("on") => Some("Two-step sign-in is on"),
        Some("off") => Some("Two-step sign-in is off"),
        _ => None,
    };
    respond(StatusCode::OK, account_page(&s, on, banner, &[]))
}

fn account_page(s: &UiSession, on: bool, banner: Option<&str>, errors: &[FieldError]) -> Markup {
    page(
        "Your account",
        &chrome(s),
        !errors.is_empty(),
        html! {
            @if let Some(b) = banner { (success_banner(b)) }
            (error_summary(errors))
            h1 class="govuk-heading-l" { "Your account" }
            dl class="govuk-summary-list" {
                div class="govuk-summary-list__row" {
                    dt class="govuk-summary-list__key" { "Username" }
                    dd class="govuk-summary-list__value" { (s.actor.username) }
                }
                div class="govuk-summary-list__row" {
                    dt class="govuk-summary-list__key" { "Two-step sign-in" }
                    dd class="govuk-summary-list__value" { @if on { "On" } @else { "Off" } }
                }
            }
            h2 class="govuk-heading-m" { "Two-step sign-in" }
            @if on {
                p class="govuk-body" { "You sign in with your password and a security code from your authenticator app." }
                form method="post" action="/account/two-step/off" novalidate {
                    (csrf_field(&s.csrf))
                    (Input::text("totp_code", "Security code from your app, to turn two-step sign-in off", "").no_spellcheck().autocomplete("one-time-code").width("5").render(errors))
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Turn off two-step sign-in" }
                }
            } @else {
                p class="govuk-body" { "Protect your account with a security code from an authenticator app as well as your password." }
                a class="govuk-button" href="/account/two-step" { "Set up two-step sign-in" }
            }
        },
    )
}

fn setup_page(s: &UiSession, secret: &str, errors: &[FieldError]) -> Markup {
    page(
        "Set up two-step sign-in",
        &chrome(s),
        !errors.is_empty(),
        html! {
            (error_summary(errors))
            h1 class="govuk-heading-l" { "Set up two-step sign-in" }
            ol class="govuk-list govuk-list--number" {
                li { "Open your authenticator app and add an account by entering a key." }
                li { "Enter this key, for an account named Hearth (time-based):" }
            }
            p class="govuk-body govuk-!-font-weight-bold hearth-secret" { (secret) }
            details class="govuk-details" {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "The key as a link for apps that accept one" } }
                div class="govuk-details__text" { code { (totp::otpauth_uri(secret, &s.actor.username)) } }
            }
            form method="post" action="/account/two-step" novalidate {
                (csrf_field(&s.csrf))
                input type="hidden" name="secret" value=(secret);
                (Input::text("totp_code", "Security code the app now shows", "").no_spellcheck().autocomplete("one-time-code").width("5").render(errors))
                button type="submit" class="govuk-button" data-module="govuk-button" { "Turn on two-step sign-in" }
            }
        },
    )
}

pub async fn setup(s: UiSession) -> Response {
    respond(StatusCode::OK, setup_page(&s, &totp::new_secret(), &[]))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnableForm {
    _csrf: String,
    secret: String,
    totp_code: String,
}

pub async fn enable(State(st): State<AppState>, Posted(s, f): Posted<EnableForm>) -> Response {
    match st.gate.enable_two_step(&s.actor, &f.secret, &f.totp_code).await {
        Ok(()) => Redirect::to("/account?done=on").into_response(),
        Err(GateError::Invalid(v)) => respond(StatusCode::UNPROCESSABLE_ENTITY, setup_page(&s, &f.secret, &v.0)),
        Err(e) => error_page(&s, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DisableForm {
    _csrf: String,
    totp_code: String,
}

pub async fn disable(State(st): State<AppState>, Posted(s, f): Posted<DisableForm>) -> Response {
    match st.gate.disable_two_step(&s.actor, &f.totp_code).await {
        Ok(()) => Redirect::to("/account?done=off").into_response(),
        Err(GateError::Invalid(v)) => respond(StatusCode::UNPROCESSABLE_ENTITY, account_page(&s, true, None, &v.0)),
        Err(e) => error_page(&s, e),
    }
}

crate::shell::session::csrf_forms!(EnableForm, DisableForm);
