//! Restriction of processing (UK GDPR Art. 18) on the person page: a warning
//! banner, shown first, for everyone who can see the person while it is in
//! force, and the DPO's form to place or lift it with a reason. The gate
//! decides who may place or lift and refuses changes while restricted; this
//! module only renders and posts.

use crate::shell::layout::{csrf_field, error_summary, page, textarea};
use crate::shell::respond::{chrome, error_page, respond};
use crate::shell::session::{Posted, UiSession};
use crate::shell::words::long_date;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
};
use hearth_gate::homes::PersonRecord;
use hearth_gate::restrictions::{RestrictionInput, RestrictionStatus};
use hearth_gate::{Gate, GateError};
use maud::{html, Markup};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RestrictionForm {
    _csrf: String,
    reason: String,
}

crate::shell::session::csrf_forms!(RestrictionForm);

/// The warning banner (first on the page) and the DPO's form (further down).
pub(super) struct PersonRestriction {
    pub banner: Markup,
    pub form: Markup,
}

/// Built from the person record already read (no second audited read).
pub(super) fn person_section(gate: &Gate, session: &UiSession, rec: &PersonRecord) -> PersonRestriction {
    let status = RestrictionStatus { person_id: rec.person.id, active: rec.restriction.clone(), history: vec![] };
    let dpo = gate.may(&session.actor, Action::Create, Compartment::Rights);
    PersonRestriction {
        banner: banner(&status),
        form: if dpo {
            form(session, &status, &[], "")
        } else {
            html! {}
        },
    }
}

fn banner(status: &RestrictionStatus) -> Markup {
    html! {
        @if let Some(r) = &status.active {
            div class="govuk-warning-text" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" {
                    span class="govuk-visually-hidden" { "Warning" }
                    "Processing restricted (Art. 18) since " (long_date(r.placed_at.to_zoned_datetime(uk()).date()))
                    ": " (r.reason) ". Only storage is allowed: nothing about this person can be changed or added until the data protection officer lifts it."
                }
            }
        }
    }
}

fn uk() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC)
}

fn form(session: &UiSession, status: &RestrictionStatus, errors: &[FieldError], reason: &str) -> Markup {
    let id = status.person_id;
    let (action, button, label) = match status.active {
        Some(_) => (format!("/people/{id}/restriction/lift"), "Lift the restriction", "Why the restriction can be lifted"),
        None => (format!("/people/{id}/restriction"), "Restrict processing", "Why processing must be restricted"),
    };
    html! {
        h2 class="govuk-heading-m" id="restriction" { "Restriction of processing" }
        form method="post" action=(action) novalidate {
            (csrf_field(&session.csrf))
            (textarea("reason", "reason", label, reason, errors))
            button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { (button) }
        }
    }
}

async fn post(s: AppState, session: UiSession, id: i64, f: RestrictionForm, lift: bool) -> Response {
    let input = RestrictionInput { reason: f.reason.clone() };
    let done = if lift {
        s.gate.lift_restriction(&session.actor, id, &input).await
    } else {
        s.gate.place_restriction(&session.actor, id, &input).await
    };
    match done {
        Ok(_) => Redirect::to(&format!("/people/{id}")).into_response(),
        Err(GateError::Invalid(v)) => {
            let status = match s.gate.restriction_status(&session.actor, id).await {
                Ok(st) => st,
                Err(e) => return error_page(&session, e),
            };
            let body = html! { (error_summary(&v.0)) (form(&session, &status, &v.0, &f.reason)) };
            respond(StatusCode::UNPROCESSABLE_ENTITY, page("Restriction of processing", &chrome(&session), true, body))
        }
        Err(e) => error_page(&session, e),
    }
}

pub async fn place(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<RestrictionForm>) -> Response {
    post(s, session, id, f, false).await
}

pub async fn lift(State(s): State<AppState>, Path(id): Path<i64>, Posted(session, f): Posted<RestrictionForm>) -> Response {
    post(s, session, id, f, true).await
}
